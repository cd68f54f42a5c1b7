//! Loading cards: the shipped one, and every kind of mistake named by file, line and key.

use super::*;

/// The head of a small test card (categories at 65 and 30), shared with the domain tests.
pub(crate) const HEAD: &str = r#"id = "t"
version = 1
title = "T"
currency = "RUB"
approval = "test"
[categories]
recommended_above = 65
not_recommended_below = 30
"#;

const STAGE: &str = r#"
[[stage]]
code = "s"
title = "S"
[[stage.question]]
code = "yn"
title = "YN"
kind = "yes_no"
yes = 1
no = 0
"#;

fn ok(src: &str) -> Card {
    parse("t.toml", src).unwrap_or_else(|e| panic!("{e}")).card
}

fn err(src: &str) -> FileError {
    match parse("t.toml", src) {
        Ok(_) => panic!("accepted:\n{src}"),
        Err(e) => e,
    }
}

/// The 1-based line of the first line containing `needle`.
fn line(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the card"))
        + 1
}

fn assert_err(src: &str, needle: &str, key: &str) -> FileError {
    let e = err(src);
    assert_eq!(e.file, "t.toml");
    assert_eq!((e.line, e.key.as_str()), (line(src, needle), key), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("t.toml:{}: {key}: ", e.line)),
        "{e}"
    );
    e
}

#[test]
fn the_shipped_card_loads() {
    let l = parse(DEFAULT_CARD_FILE, DEFAULT_CARD).unwrap();
    assert_eq!((l.card.id.as_str(), l.card.version), ("default", 1));
    assert_eq!(l.card.currency, "RUB");
    let conv = l.card.conversion.as_ref().unwrap();
    assert_eq!((conv.from.as_str(), conv.rate), ("USD", Decimal::from(90)));
    assert_eq!(l.card.stages.len(), 9);
    assert_eq!(l.card.criteria.len(), 3);
    assert_eq!(l.card.forced.len(), 6);
    assert_eq!(builtin(), l.card);
}

/// Every dollar threshold of the seed is in the card at the stated rate.
#[test]
fn the_dollar_thresholds_are_converted_at_the_stated_rate() {
    let card = builtin();
    let rate = card.conversion.as_ref().unwrap().rate;
    let bounds = |key: &str| -> Vec<Decimal> {
        match card.item(key).unwrap().kind {
            crate::domain::scorecard::ItemKind::Question(q) => match &q.kind {
                QuestionKind::Bands { bands, .. } => bands.iter().map(|b| b.bound).collect(),
                _ => panic!("{key} is not banded"),
            },
            _ => panic!("{key}"),
        }
    };
    let usd =
        |xs: &[i64]| -> Vec<Decimal> { xs.iter().map(|x| Decimal::from(*x) * rate).collect() };
    assert_eq!(
        bounds("object.apartment_price"),
        usd(&[25_000, 50_000, 75_000, 100_000])
    );
    assert_eq!(bounds("object.car_price"), usd(&[10_000, 20_000]));
}

#[test]
fn a_fingerprint_follows_the_text() {
    let a = fingerprint(DEFAULT_CARD);
    assert_eq!(a.len(), 16);
    assert_eq!(a, fingerprint(&DEFAULT_CARD.replace('\n', "\r\n")));
    assert_ne!(a, fingerprint(&format!("{DEFAULT_CARD}# edited\n")));
}

#[test]
fn an_unknown_key_is_named_wherever_it_is() {
    let src = format!("{HEAD}colour = \"red\"\n{STAGE}");
    // toml reports a top-level unknown key at the table.
    let e = err(&src);
    assert_eq!(e.key, "colour");
    let src = format!("{HEAD}{STAGE}weight = 3\n");
    assert_err(&src, "weight = 3", "weight");
    let src = format!(
        "{HEAD}[[stage]]\ncode = \"s\"\ntitle = \"S\"\n[[stage.question]]\ncode = \"x\"\ntitle = \"X\"\nkind = \"bands\"\nbands = [\n  {{ upto = 1, points = 1, colour = 2 }},\n]\nover = 0\n"
    );
    assert_err(&src, "colour = 2", "colour");
}

fn bands(rows: &str) -> String {
    format!(
        "{HEAD}[[stage]]\ncode = \"s\"\ntitle = \"S\"\n[[stage.question]]\ncode = \"x\"\ntitle = \"X\"\nkind = \"bands\"\nbands = [\n{rows}]\nover = 0\n"
    )
}

#[test]
fn bands_must_ascend_without_overlap() {
    // Good: `below 50` then `upto 50` is the single value 50.
    ok(&bands(
        "  { below = 50, points = 1 },\n  { upto = 50, points = 2 },\n",
    ));
    for (rows, bad) in [
        // the same bound twice
        (
            "  { upto = 10, points = 1 },\n  { upto = 10, points = 2 },\n",
            "points = 2",
        ),
        // out of order
        (
            "  { upto = 20, points = 1 },\n  { upto = 10, points = 2 },\n",
            "upto = 10",
        ),
        // `upto 50` already takes 50: `below 50` after it is empty
        (
            "  { upto = 50, points = 1 },\n  { below = 50, points = 2 },\n",
            "below = 50",
        ),
    ] {
        let src = bands(rows);
        let e = assert_err(&src, bad, "s.x.bands");
        assert!(e.message.contains("overlap"), "{e}");
    }
    // Both or neither bound.
    assert_err(
        &bands("  { upto = 1, below = 2, points = 1 },\n"),
        "upto = 1",
        "s.x.bands",
    );
    // Empty, and no `over`.
    assert_err(&bands(""), "bands = [", "s.x.bands");
    let src = bands("  { upto = 1, points = 1 },\n").replace("over = 0\n", "");
    assert_err(&src, "code = \"x\"", "s.x.over");
}

#[test]
fn points_are_integers_or_decimals_in_quotes_never_floats() {
    ok(&format!(
        "{HEAD}{}",
        STAGE.replace("yes = 1", "yes = \"1.5\"")
    ));
    let src = format!("{HEAD}{}", STAGE.replace("yes = 1", "yes = 1.5"));
    let e = assert_err(&src, "yes = 1.5", "s.yn.yes");
    assert!(e.message.contains("quotes"), "{e}");
    let src = format!("{HEAD}{}", STAGE.replace("yes = 1", "yes = \"один\""));
    assert_err(&src, "yes = \"один\"", "s.yn.yes");
}

#[test]
fn a_criterion_naming_a_missing_stage() {
    let src = format!(
        "{HEAD}{STAGE}\n[[criterion]]\ncode = \"character\"\ntitle = \"C\"\nstages = [\"s\",\n  \"general\"]\n"
    );
    let e = assert_err(&src, "\"general\"]", "criterion.character.stages");
    assert!(e.message.contains("general"), "{e}");
}

#[test]
fn category_thresholds_out_of_order() {
    let src = format!(
        "{}{STAGE}",
        HEAD.replace("not_recommended_below = 30", "not_recommended_below = 70")
    );
    let e = assert_err(
        &src,
        "not_recommended_below = 70",
        "categories.not_recommended_below",
    );
    assert!(e.message.contains("order"), "{e}");
    // Equal thresholds are in order: category 2 is then the single value.
    ok(&format!(
        "{}{STAGE}",
        HEAD.replace("not_recommended_below = 30", "not_recommended_below = 65")
    ));
}

#[test]
fn conditions_must_name_what_exists_and_fit_it() {
    let q = |when: &str| {
        format!(
            "{HEAD}{STAGE}[[stage.question]]\ncode = \"later\"\ntitle = \"L\"\nkind = \"yes_no\"\nyes = 1\nno = 0\nwhen = {when}\n"
        )
    };
    ok(&q("{ answer = \"s.yn\", is = true }"));
    for (when, why) in [
        ("{ answer = \"s.nope\", is = true }", "earlier"),
        ("{ answer = \"s.later\", is = true }", "earlier"),
        ("{ answer = \"s.yn\", is = \"a\" }", "does not fit"),
        ("{ answer = \"s.yn\", below = 1 }", "does not fit"),
        ("{ answer = \"s.yn\" }", "needs one test"),
        ("{ answer = \"s.yn\", is = true, below = 1 }", "one test"),
        ("{ criterion = \"c\", below = 1 }", "not a criterion"),
    ] {
        let src = q(when);
        let e = assert_err(&src, "when = ", "s.later.when");
        assert!(e.message.contains(why), "{when}: {e}");
    }
    // A forced rule may name any question, and criteria.
    let forced = |when: &str, n: i64| {
        format!(
            "{HEAD}{STAGE}[[criterion]]\ncode = \"c\"\ntitle = \"C\"\nstages = [\"s\"]\n[[forced]]\ncode = \"f\"\ntitle = \"F\"\nwhen = {when}\nno_better_than = {n}\n"
        )
    };
    ok(&forced("{ criterion = \"c\", at_most = 0 }", 3));
    ok(&forced("{ answer = \"s.yn\", is = false }", 2));
    let src = forced("{ criterion = \"d\", at_most = 0 }", 3);
    assert_err(&src, "when = ", "forced.f.when");
    let src = forced("{ criterion = \"c\", is = true }", 3);
    assert_err(&src, "when = ", "forced.f.when");
    let src = forced("{ criterion = \"c\", at_most = 0 }", 1);
    assert_err(&src, "no_better_than = 1", "forced.f.no_better_than");
}

#[test]
fn each_kind_has_its_own_keys() {
    let src = format!("{HEAD}{}", STAGE.replace("no = 0\n", ""));
    assert_err(&src, "code = \"yn\"", "s.yn.no");
    let src = format!("{HEAD}{}over = 3\n", STAGE);
    assert_err(&src, "over = 3", "s.yn.over");
    let src = format!("{HEAD}{}source = \"age\"\n", STAGE);
    assert_err(&src, "source = \"age\"", "s.yn.source");
    let src = format!("{HEAD}{}", STAGE.replace("yes_no", "maybe"));
    let e = assert_err(&src, "kind = \"maybe\"", "maybe");
    assert!(e.message.contains("yes_no"), "{e}");
    let src = format!(
        "{HEAD}[[stage]]\ncode = \"s\"\ntitle = \"S\"\n[[stage.question]]\ncode = \"o\"\ntitle = \"O\"\nkind = \"one_of\"\noptions = [\n  {{ code = \"a\", title = \"A\", points = 1 }},\n  {{ code = \"a\", title = \"B\", points = 2 }},\n]\n"
    );
    assert_err(&src, "title = \"B\"", "s.o.options");
}

#[test]
fn codes_and_stages_are_checked() {
    let src = format!(
        "{HEAD}{STAGE}{}",
        STAGE.replace("code = \"s\"", "code = \"s\" # again")
    );
    assert_err(&src, "# again", "stage.s");
    let src = format!("{HEAD}{}", STAGE.replace("code = \"yn\"", "code = \"Y N\""));
    assert_err(&src, "code = \"Y N\"", "s.question.code");
    let src = HEAD.replace("id = \"t\"", "id = \"T-1\"");
    assert_err(&format!("{src}{STAGE}"), "id = \"T-1\"", "id");
    let src = HEAD.replace("version = 1", "version = 0");
    assert_err(&format!("{src}{STAGE}"), "version = 0", "version");
    let src = HEAD.replace("currency = \"RUB\"", "currency = \"rub\"");
    assert_err(&format!("{src}{STAGE}"), "currency = \"rub\"", "currency");
    let e = err(HEAD);
    assert_eq!(e.key, "stage");
    let src = format!("{HEAD}[[stage]]\ncode = \"s\"\ntitle = \"S\"\n");
    assert_err(&src, "code = \"s\"", "s.question");
}

#[test]
fn a_sufficiency_stage_needs_its_factor_and_cap() {
    let suf = "[[stage]]\ncode = \"suf\"\ntitle = \"S\"\nkind = \"sufficiency\"\nfactor = 5\nmax_points = 5\nsources = { requested = \"amount\" }\n";
    let c = ok(&format!("{HEAD}{suf}"));
    assert_eq!(
        c.item("suf.requested").unwrap().source(),
        Some(Source::Amount)
    );
    let src = format!("{HEAD}{}", suf.replace("max_points = 5\n", ""));
    assert_err(&src, "code = \"suf\"", "suf.max_points");
    let src = format!("{HEAD}{}", suf.replace("factor = 5", "factor = 0"));
    assert_err(&src, "factor = 0", "suf.factor");
    let src = format!("{HEAD}{}", suf.replace("requested =", "wanted ="));
    assert_err(&src, "wanted =", "suf.sources.wanted");
    let src = format!("{HEAD}{}", suf.replace("\"amount\"", "\"salary\""));
    let e = assert_err(&src, "\"salary\"", "salary");
    assert!(e.message.contains("expense_ratio"), "{e}");
    let src = format!(
        "{HEAD}{suf}[[stage.question]]\ncode = \"q\"\ntitle = \"Q\"\nkind = \"yes_no\"\nyes = 1\nno = 0\n"
    );
    assert_err(&src, "code = \"q\"", "suf.question");
}

#[test]
fn the_active_card_comes_from_the_config() {
    assert_eq!(load_active("", None, None).unwrap(), None);
    let d = load_active("default", None, None).unwrap().unwrap();
    assert_eq!(d.card, builtin());
    assert_eq!(d.file, DEFAULT_CARD_FILE);

    let config = "language = \"ru\"\n\n[scoring]\ncard = \"strict\"\n";
    let e = load_active("strict", None, Some(("c.toml", config))).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.key.as_str()),
        ("c.toml", 4, "scoring.card")
    );
    let e = load_active("../etc/passwd", None, Some(("c.toml", config))).unwrap_err();
    assert_eq!(e.key, "scoring.card");

    // The cooperative's own cards in assets_dir/scorecards/.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scorecards")).unwrap();
    let strict = DEFAULT_CARD.replace("id = \"default\"", "id = \"strict\"");
    std::fs::write(dir.path().join("scorecards/strict.toml"), &strict).unwrap();
    let s = load_active("strict", Some(dir.path()), None)
        .unwrap()
        .unwrap();
    assert_eq!(s.card.id, "strict");
    assert!(s.file.ends_with("strict.toml"));
    // An edited default overrides the shipped one.
    let v2 = DEFAULT_CARD.replace("version = 1", "version = 2");
    std::fs::write(dir.path().join("scorecards/default.toml"), &v2).unwrap();
    let d = load_active("default", Some(dir.path()), None)
        .unwrap()
        .unwrap();
    assert_eq!(d.card.version, 2);
    assert_ne!(d.fingerprint, fingerprint(DEFAULT_CARD));
    // The file's id must be the one the config names.
    std::fs::write(dir.path().join("scorecards/other.toml"), DEFAULT_CARD).unwrap();
    let e = load_active("other", Some(dir.path()), None).unwrap_err();
    assert_eq!(
        (e.key.as_str(), e.line),
        ("id", line(DEFAULT_CARD, "id = \"default\""))
    );
    // A broken card names its own file.
    std::fs::write(dir.path().join("scorecards/default.toml"), "id = 3\n").unwrap();
    let e = load_active("default", Some(dir.path()), None).unwrap_err();
    assert!(e.file.ends_with("default.toml"), "{e}");
}

/// The complete example of `assets/scorecards/README.md` is a valid card.
#[test]
fn the_readme_example_is_valid() {
    let readme = include_str!("../../assets/scorecards/README.md");
    let start = readme.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let len = readme[start..].find("```").unwrap();
    let c = ok(&readme[start..start + len]);
    assert_eq!(c.id, "example");
    assert_eq!(c.stages.len(), 3);
    assert_eq!(c.forced.len(), 3);
    // general: age 3 + lives in the city 1 + over a year there 2; property: car 2 + boat 3 +
    // other purchase 0.5; sufficiency 5.
    assert_eq!(c.max_points(), Decimal::new(165, 1));
}

#[test]
fn the_config_picks_a_version_kept_beside_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let cards = dir.path().join("scorecards");
    std::fs::create_dir_all(&cards).unwrap();
    let v2 = DEFAULT_CARD.replacen("version = 1", "version = 2", 1);
    assert_ne!(v2, DEFAULT_CARD, "the shipped card states version = 1");
    std::fs::write(cards.join("default-v2.toml"), &v2).unwrap();
    let c = load_version("default", Some(2), Some(dir.path()), None)
        .unwrap()
        .unwrap();
    assert_eq!(c.card.version, 2);
    // Version 1 is the shipped card.
    let c = load_version("default", Some(1), Some(dir.path()), None)
        .unwrap()
        .unwrap();
    assert_eq!(c.card.version, 1);
    // A version nobody has is a config error naming the key.
    let e = load_version(
        "default",
        Some(3),
        Some(dir.path()),
        Some(("c.toml", "[scoring]\nversion = 3\n")),
    )
    .unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line, e.key.as_str()),
        ("c.toml", 2, "scoring.version")
    );
}
