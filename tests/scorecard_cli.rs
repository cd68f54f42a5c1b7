//! `coopdesk scorecard check|score` on the real binary: the shipped card, a broken card
//! (exit 2, file:line: key), and the seed's worked example as text and as JSON.
//! No database is involved; messages are Russian by default.

use std::path::{Path, PathBuf};
use std::process::Command;

const CARD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/scorecards/default.toml"
);
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/scorecards/sample-answers.json"
);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run coopdesk with no config of the machine leaking in.
fn coopdesk(dir: &Path, args: &[&str]) -> Run {
    let home = dir.join("home");
    let out = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_prints_the_stages_and_their_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let r = coopdesk(dir.path(), &["scorecard", "check", CARD]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(default, версия 1)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("по курсу 90 RUB за 1 USD"),
        "{}",
        r.stdout
    );
    for (stage, max) in [
        ("general", "13"),
        ("credit_history", "2"),
        ("employment", "14"),
        ("assets", "10"),
        ("property", "14"),
        ("sufficiency", "5"),
        ("object", "15"),
        ("guarantor", "5"),
        ("additional", "0"),
    ] {
        let line = r
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{stage} ")))
            .unwrap_or_else(|| panic!("no line for {stage}:\n{}", r.stdout));
        assert_eq!(line.split_whitespace().nth(1), Some(max), "{line}");
    }
    assert!(
        r.stdout.contains("Всего не больше 78 баллов."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("income_loss: если assets.income_loss is true — не лучше категории 2")
    );
}

#[test]
fn check_names_file_line_and_key_of_a_broken_card() {
    let dir = tempfile::tempdir().unwrap();
    let card = std::fs::read_to_string(CARD).unwrap();
    // Put the 40 % band of the down payment after the 50 % one.
    let broken = card
        .replacen("  { below = 40, points = 1 },\n", "", 1)
        .replacen(
            "  { upto = 50, points = 5 },\n",
            "  { upto = 50, points = 5 },\n  { below = 40, points = 1 },\n",
            1,
        );
    assert_ne!(broken, card);
    let path = write(dir.path(), "broken.toml", &broken);
    let line = broken
        .lines()
        .position(|l| l.contains("{ below = 40, points = 1 }"))
        .unwrap()
        + 1;
    let r = coopdesk(dir.path(), &["scorecard", "check", s(&path)]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let expected = format!("{}:{line}: object.down_payment.bands: ", s(&path));
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert!(r.stdout.is_empty());

    // A criterion naming a stage the card does not have.
    let broken = card.replacen(
        "stages = [\"employment\", \"assets\"]",
        "stages = [\"employment\", \"salary\"]",
        1,
    );
    let path = write(dir.path(), "broken2.toml", &broken);
    let line = broken
        .lines()
        .position(|l| l.contains("\"salary\"]"))
        .unwrap()
        + 1;
    let r = coopdesk(dir.path(), &["scorecard", "check", s(&path)]);
    assert_eq!(r.code, 2);
    let expected = format!("{}:{line}: criterion.financial_capacity.stages: ", s(&path));
    assert!(r.stderr.contains(&expected), "{}", r.stderr);

    // A file that is not there.
    let r = coopdesk(
        dir.path(),
        &["scorecard", "check", "/nonexistent/card.toml"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("/nonexistent/card.toml:1:"),
        "{}",
        r.stderr
    );
}

#[test]
fn score_prints_the_seeds_example_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let r = coopdesk(
        dir.path(),
        &["scorecard", "score", "--card", CARD, "--answers", SAMPLE],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(out.contains("Итого: 37 из 78 баллов."), "{out}");
    assert!(
        out.contains("Категория 2: заявка неадекватна запрашиваемому займу."),
        "{out}"
    );
    assert!(out.contains("Правила категории не сработали."), "{out}");
    assert!(!out.contains("Без ответа"), "{out}");
    let stage = |code: &str| -> Vec<String> {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("no {code}:\n{out}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(stage("credit_history")[1..4], ["2", "/", "2"]);
    assert_eq!(stage("object")[1..4], ["6", "/", "15"]);
    assert_eq!(stage("property")[1..4], ["3", "/", "14"]);
    assert_eq!(stage("assets")[1..4], ["3", "/", "10"]);

    // The same in English.
    let cfg = write(dir.path(), "en.toml", "language = \"en\"\n");
    let r = coopdesk(
        dir.path(),
        &[
            "--config",
            s(&cfg),
            "scorecard",
            "score",
            "--answers",
            SAMPLE,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Total: 37 of 78 points."), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Category 2: the application is inadequate")
    );
}

#[test]
fn score_prints_json_with_forced_reasons_and_missing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let r = coopdesk(
        dir.path(),
        &[
            "scorecard",
            "score",
            "--card",
            CARD,
            "--answers",
            SAMPLE,
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["card_id"], "default");
    assert_eq!(v["card_version"], 1);
    assert_eq!(v["total"], "37");
    assert_eq!(v["max_points"], "78");
    assert_eq!(v["category"], 2);
    assert_eq!(v["category_by_points"], 2);
    assert_eq!(v["complete"], true);
    assert_eq!(v["forced"], serde_json::json!([]));
    let stages = v["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 9);
    let object = stages.iter().find(|s| s["code"] == "object").unwrap();
    assert_eq!(object["points"], "6");
    let down = object["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "object.down_payment")
        .unwrap();
    assert_eq!(down["points"], "3");
    let suf = stages.iter().find(|s| s["code"] == "sufficiency").unwrap();
    assert_eq!(suf["sufficiency"]["property"], "700000");

    // A borrower who does not live in the city and has not said where he works.
    let mut answers: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(SAMPLE).unwrap()).unwrap();
    let obj = answers.as_object_mut().unwrap();
    obj.insert("general.lives_in_city".into(), false.into());
    obj.remove("general.years_in_city");
    obj.remove("employment.sector");
    let path = write(dir.path(), "away.json", &answers.to_string());
    let r = coopdesk(
        dir.path(),
        &[
            "scorecard",
            "score",
            "--card",
            CARD,
            "--answers",
            s(&path),
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["category"], 3);
    assert_eq!(v["complete"], false);
    assert_eq!(v["missing"], serde_json::json!(["employment.sector"]));
    assert_eq!(v["forced"][0]["code"], "not_resident");
    assert_eq!(v["forced"][0]["key"], "scorecard.forced.not_resident");
    assert_eq!(v["forced"][0]["no_better_than"], 3);

    // In text the reason is in words and the result is marked preliminary.
    let r = coopdesk(
        dir.path(),
        &["scorecard", "score", "--card", CARD, "--answers", s(&path)],
    );
    assert!(
        r.stdout
            .contains("Категория 3: кредитование не рекомендовано.")
    );
    assert!(
        r.stdout.contains(
            "not_resident: не проживает постоянно в городе (пригороде) офиса — не лучше категории 3"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Ответы неполные"), "{}", r.stdout);
    assert!(
        r.stdout.contains("Без ответа (1): employment.sector"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_bad_answers_file_is_refused_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.json",
        r#"{"general.sex": "robot", "general.shoe_size": 44, "general.age": 33.5}"#,
    );
    let r = coopdesk(
        dir.path(),
        &["scorecard", "score", "--card", CARD, "--answers", s(&path)],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    let f = s(&path);
    assert!(
        r.stderr
            .contains(&format!("{f}: general.sex: нет варианта «robot»")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!(
        "{f}: general.shoe_size: в карте нет такого вопроса"
    )));
    assert!(r.stderr.contains(&format!(
        "{f}: general.age: дробное число пишется в кавычках"
    )));
    let path = write(dir.path(), "list.json", "[true, false]");
    let r = coopdesk(
        dir.path(),
        &["scorecard", "score", "--card", CARD, "--answers", s(&path)],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains(&format!("{}: ответы — объект JSON", s(&path))),
        "{}",
        r.stderr
    );
    let path = write(dir.path(), "syntax.json", "{ not json");
    let r = coopdesk(
        dir.path(),
        &["scorecard", "score", "--card", CARD, "--answers", s(&path)],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(s(&path)), "{}", r.stderr);
}

#[test]
fn the_active_card_comes_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    // scoring switched off: score needs --card.
    let cfg = write(dir.path(), "off.toml", "[scoring]\ncard = \"\"\n");
    let r = coopdesk(
        dir.path(),
        &[
            "--config",
            s(&cfg),
            "scorecard",
            "score",
            "--answers",
            SAMPLE,
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--card"), "{}", r.stderr);
    // An unknown card stops coopdesk at start, naming the config key.
    let cfg = write(
        dir.path(),
        "bad.toml",
        "language = \"ru\"\n[scoring]\ncard = \"strict\"\n",
    );
    let r = coopdesk(
        dir.path(),
        &["--config", s(&cfg), "scorecard", "check", CARD],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("{}:3: scoring.card: ", s(&cfg))),
        "{}",
        r.stderr
    );
}
