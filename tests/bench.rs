//! `coopdesk bench` on a small generated database: every section runs and reports figures with
//! their targets. Timings are not asserted (they belong to the machine, not the code).

use std::process::Command;

fn coopdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .args(args)
        .env("HOME", std::env::temp_dir())
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .expect("run coopdesk")
}

#[test]
fn the_bench_runs_every_section_on_a_small_demo_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let db = db.to_str().unwrap();
    let common = ["--db", db, "--today", "2026-11-23"];
    let built = coopdesk(
        &[
            &common[..],
            &[
                "demo",
                "--no-tui",
                "--members",
                "300",
                "--applications",
                "80",
            ],
        ]
        .concat(),
    );
    assert!(built.status.success(), "{built:?}");

    let before = std::fs::read(db).unwrap();
    let out = coopdesk(&[&common[..], &["bench", "--format", "json", "--reps", "3"]].concat());
    assert!(out.status.success(), "{out:?}");
    // The bench leaves the database as it found it (the writes it times are rolled back) and
    // takes its scratch file for commits away.
    assert!(
        std::fs::read(db).unwrap() == before,
        "the bench changed the database"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("bench-commit"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    for section in coopdesk::cli::bench::SECTIONS.iter().map(|(n, _)| *n) {
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{section}."))),
            "section {section} reported nothing: {names:?}"
        );
    }
    // Render time of every pane at both sizes; bytes of every kind of step; the two writes
    // and the commit, rolled back.
    for pane in ["queue", "members", "client_base"] {
        for size in ["80x24", "200x60"] {
            let row = format!("render.{pane}.{size}");
            assert!(names.contains(&row.as_str()), "{row}: {names:?}");
        }
    }
    for row in [
        "wire.repaint.queue",
        "wire.journal.cursor_down",
        "wire.members.typed_letter",
        "wire.switch_pane",
        "startup.first_frame",
        "writes.transition",
        "writes.call_logged",
        "writes.commit",
        "memory.rss",
    ] {
        assert!(names.contains(&row), "{row}: {names:?}");
    }
    // Every sort, both ways, first and next page.
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("journal.first_page."))
            .count(),
        18
    );
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("journal.next_page."))
            .count(),
        18
    );
    for r in rows {
        let name = r["name"].as_str().unwrap();
        if name.starts_with("wire.") {
            // Bytes, one value per step: deterministic, not repeated.
            assert_eq!(r["unit"], "bytes", "{r}");
            assert!(
                r["p50"].as_f64().unwrap() <= r["p99"].as_f64().unwrap(),
                "{r}"
            );
            assert!(
                r["target"].as_f64().is_some() && r["ok"].is_boolean(),
                "{r}"
            );
            continue;
        }
        if name.starts_with("memory.") {
            assert_eq!(r["unit"], "mib", "{r}");
            let mib = r["p50"].as_f64().unwrap();
            assert!(mib > 1.0 && mib < 4096.0, "{r}");
            continue;
        }
        assert_eq!(r["unit"], "ms", "{r}");
        if name.starts_with("members.keystroke") {
            // One sample per typed letter of every sequence.
            assert!(r["n"].as_u64().unwrap() >= 3 * 14, "{r}");
        } else {
            assert_eq!(r["n"], 3, "{r}");
        }
        let (p50, p99) = (r["p50"].as_f64().unwrap(), r["p99"].as_f64().unwrap());
        assert!(p50 > 0.0 && p50 <= p99, "{r}");
        assert!(
            r["target"].as_f64().is_some() && r["ok"].is_boolean(),
            "{r}"
        );
    }

    let table = coopdesk(&[&common[..], &["bench", "--only", "open", "--reps", "2"]].concat());
    assert!(table.status.success(), "{table:?}");
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.lines().count() == 2 && text.contains("open.store"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");

    let bad = coopdesk(&[&common[..], &["bench", "--only", "nonsense"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nonsense"));
}
