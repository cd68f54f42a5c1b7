//! Shared pieces of the hostile-input property tests (`tests/hostile.rs`,
//! `tests/hostile_tui.rs`): how many cases to run, where failing seeds are kept, a demo
//! database to work on, and what "the database is whole" means.
#![allow(dead_code)]

use chrono::NaiveDate;
use coopdesk::cli::Context;
use coopdesk::config::Config;
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, FileFailurePersistence};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Cases per target: `COOPDESK_FUZZ_CASES` when set (the long run on demand, e.g. 1000000),
/// else `ci` (the short run every `cargo test` makes).
pub fn cases(ci: u32) -> u32 {
    std::env::var("COOPDESK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(ci)
}

/// The proptest configuration of one target: its number of cases, and failing seeds kept in
/// `tests/proptest-regressions/` (replayed first on the next run; commit them with the fix).
pub fn config(ci: u32) -> PtConfig {
    PtConfig {
        cases: cases(ci),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/hostile.txt",
        ))),
        // A shrink that runs imports or key sequences must not take all day.
        max_shrink_iters: 2048,
        ..PtConfig::default()
    }
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A command-line context on `db`, as `coopdesk --db DB --today 2026-11-23` builds it with
/// no config file.
pub fn context(db: &Path) -> Context {
    Context {
        config: Config::default(),
        rules: Rules::builtin(),
        catalog: Catalog::builtin("ru"),
        scorecard: None,
        db_path: db.to_path_buf(),
        today: today(),
        ascii: false,
        mono: false,
    }
}

/// The demo database (60 members, 40 applications, sales, plans, client base), built once per
/// test process; copy it with [`demo_copy`] before writing to it.
pub fn demo_template() -> &'static Path {
    static T: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        coopdesk::cli::demo::run(&context(&db), 60, 40, 1).expect("demo database");
        (dir, db)
    });
    p
}

/// A fresh copy of the demo database in `dir`.
pub fn demo_copy(dir: &Path) -> PathBuf {
    let db = dir.join("coopdesk.db");
    std::fs::copy(demo_template(), &db).unwrap();
    db
}

/// A digest of every row of every table: equal before and after means nothing was written.
pub fn content_hash(db: &Path) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for t in &tables {
        t.hash(&mut h);
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                format!("{:?}", r.get_ref(i).unwrap()).hash(&mut h);
            }
        }
    }
    h.finish()
}

/// What is broken in `db` beyond what was already broken in `baseline` (the result of
/// [`broken`] on the database before): empty when the work in between left it whole.
pub fn newly_broken(db: &Path, baseline: &[(String, i64)]) -> Vec<(String, i64)> {
    broken(db)
        .into_iter()
        .filter(|(name, n)| {
            baseline
                .iter()
                .find(|(b, _)| b == name)
                .is_none_or(|(_, before)| n > before)
        })
        .collect()
}

/// `integrity_check`, `foreign_key_check` and the all-or-nothing invariants of the crash loop
/// (`coopdesk::cli::stress::INVARIANTS`): what is broken and how many rows, empty when whole.
/// (The demo database breaks two of them from the start: the voluntary shares it makes up
/// have no cash orders.)
pub fn broken(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    let ic: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    if ic != "ok" {
        out.push((format!("integrity_check: {ic}"), 1));
    }
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    if fk != 0 {
        out.push(("foreign_key_check".to_string(), fk));
    }
    for (name, sql) in coopdesk::cli::stress::INVARIANTS {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0)).unwrap();
        if n != 0 {
            out.push((name.to_string(), n));
        }
    }
    out
}

/// Text a hostile file or a careless clerk may put into any field.
pub fn hostile_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "\\PC{0,24}",
        1 => "[0-9 .,+()\\-№]{0,20}",
        4 => prop::sample::select(HOSTILE.to_vec()).prop_map(str::to_string),
        1 => (1usize..400, prop::sample::select(vec!["9", "я", "a", " ", "\"", "0"]))
            .prop_map(|(n, s)| s.repeat(n)),
    ]
    .boxed()
}

pub const HOSTILE: &[&str] = &[
    "",
    " ",
    "\t",
    "-1",
    "-0",
    "0",
    "-100.50",
    "0.001",
    "1e9",
    "1E-3",
    "NaN",
    "inf",
    "1.7976931348623157e308",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999999",
    "79228162514264337593543950335",
    "0.00000000000000000000000000001",
    "1 000 000,00",
    "1\u{a0}000",
    "1,5",
    "1.5.5",
    ",",
    ".",
    "..",
    "\u{feff}",
    "\u{feff}external_id",
    "\"",
    "\"\"",
    "'",
    ";",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\u{202e}",
    "\u{200b}",
    "ё",
    "Ё",
    "İ",
    "ß",
    "ﬃ",
    "null",
    "NULL",
    "[]",
    "{}",
    "Robert'); DROP TABLE members;--",
    "%s%n%x",
    "{name}",
    "2026-02-30",
    "2026-02-29",
    "2024-02-29",
    "31.12.9999",
    "00.00.0000",
    "0000-00-00",
    "0000-01-01",
    "262143-12-31",
    "+262143-12-31",
    "262143-12",
    "+262143-12",
    "-262144-01",
    "-262144-01-01",
    "9999-12",
    "2026-13",
    "2026-00",
    "2026-11",
    "2026-11-23",
    "2026-11-24",
    "23.11.2026",
    "1900-01-01",
    "14.03.1985",
    "12.2026",
    "4509 123456",
    "4509123456",
    "45091234567",
    "8 924 811-16-71",
    "+7 924 811-16-71",
    "+++7",
    "+",
    "()",
    "a@b.c",
    "@",
    "housing",
    "consumer",
    "business",
    "savings",
    "service",
    "TSK",
    "member",
    "candidate",
    "left",
    "000001",
    "999999",
    "ivanova",
    "sokolova",
    "lebedeva",
];
