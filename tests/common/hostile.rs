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
use rusqlite::Connection;
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
    hash_of(&rusqlite::Connection::open(db).unwrap())
}

/// [`content_hash`] read through `conn`.
pub fn hash_of(conn: &Connection) -> u64 {
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
    newly_broken_in(&rusqlite::Connection::open(db).unwrap(), baseline)
}

/// [`newly_broken`] read through `conn`.
pub fn newly_broken_in(conn: &Connection, baseline: &[(String, i64)]) -> Vec<(String, i64)> {
    broken_in(conn)
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
    broken_in(&rusqlite::Connection::open(db).unwrap())
}

/// [`broken`] read through `conn`.
pub fn broken_in(conn: &Connection) -> Vec<(String, i64)> {
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
        let n: i64 = conn
            .prepare_cached(sql)
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        if n != 0 {
            out.push((name.to_string(), n));
        }
    }
    out
}

/// One copy of the demo database that many cases use in turn, each through the real code
/// (its own `Store::open` on the file, its own transactions), instead of a copy per case.
///
/// Whether a case wrote is told by a connection kept open on the file: SQLite's
/// `PRAGMA data_version` on it changes when, and only when, another connection has committed
/// a change. A case that wrote is checked in full (the digest of every table,
/// `integrity_check`, `foreign_key_check`, the invariants) and the demo is put back (the
/// backup API, from the demo held in memory), so that every case starts on the same database
/// and a failure shrinks to its own input. A case that did not write leaves the file as it
/// was, so nothing needs putting back; every [`Workbench::AUDIT_EVERY`]th of them the digest
/// is compared all the same, to check that reasoning.
pub struct Workbench {
    /// Keeps the folder for as long as the bench.
    _dir: tempfile::TempDir,
    pub db: PathBuf,
    watch: Connection,
    template: Connection,
    version: i64,
    /// The digest of the demo: what a case that wrote nothing leaves.
    pub template_hash: u64,
    /// What the demo breaks from the start (see [`broken`]).
    pub baseline: Vec<(String, i64)>,
    quiet: u64,
    /// Cases that wrote, and so were checked in full and put back.
    pub restored: u64,
}

impl Workbench {
    pub const AUDIT_EVERY: u64 = 997;

    pub fn new() -> Workbench {
        let dir = scratch_dir();
        let db = demo_copy(dir.path());
        let watch = Connection::open(&db).unwrap();
        // The watcher writes only to put the demo back; losing that to a power cut in a test
        // costs nothing.
        watch.pragma_update(None, "synchronous", "OFF").unwrap();
        let mut template = Connection::open_in_memory().unwrap();
        template
            .restore(
                rusqlite::MAIN_DB,
                demo_template(),
                None::<fn(rusqlite::backup::Progress)>,
            )
            .unwrap();
        let version = data_version(&watch);
        Workbench {
            template_hash: hash_of(&watch),
            baseline: broken_in(&watch),
            _dir: dir,
            db,
            watch,
            template,
            version,
            quiet: 0,
            restored: 0,
        }
    }

    /// The folder beside the database, for a case's own files.
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// Has another connection committed anything since the last call (or since the bench was
    /// made or put back)?
    pub fn wrote(&mut self) -> bool {
        let now = data_version(&self.watch);
        let wrote = now != self.version;
        self.version = now;
        wrote
    }

    /// The digest of every table now (slow: reads the whole database).
    pub fn hash(&self) -> u64 {
        hash_of(&self.watch)
    }

    /// What is broken now beyond what the demo breaks from the start.
    pub fn newly_broken(&self) -> Vec<(String, i64)> {
        newly_broken_in(&self.watch, &self.baseline)
    }

    /// A connection on the database, for a case's own questions.
    pub fn conn(&self) -> &Connection {
        &self.watch
    }

    /// After a case: is the database the demo still? `wrote` is [`Workbench::wrote`]'s
    /// answer; a case that did not write is the demo by the reasoning above, checked by digest
    /// now and then; one that wrote is compared by digest.
    pub fn unchanged(&mut self, wrote: bool) -> bool {
        if wrote {
            return self.hash() == self.template_hash;
        }
        self.quiet += 1;
        if self.quiet.is_multiple_of(Self::AUDIT_EVERY) {
            assert_eq!(
                self.hash(),
                self.template_hash,
                "data_version did not move, but the database changed"
            );
        }
        true
    }

    /// Put the demo back after a case that wrote.
    pub fn restore(&mut self) {
        {
            let b = rusqlite::backup::Backup::new(&self.template, &mut self.watch).unwrap();
            // All pages in one step; nobody else writes between cases.
            let step = b.step(-1).unwrap();
            assert!(
                matches!(step, rusqlite::backup::StepResult::Done),
                "putting the demo back: {step:?}"
            );
        }
        self.version = data_version(&self.watch);
        self.restored += 1;
    }
}

/// A folder for the cases' files: in memory (`/dev/shm`) where there is one, else the usual
/// temporary folder; `COOPDESK_FUZZ_TMP` chooses another. Each case writes its input file
/// again, and on a disk mounted with `discard` every truncation of it waits for the device
/// (measured: three quarters of an import case's time, 250 cases a second at best).
pub fn scratch_dir() -> tempfile::TempDir {
    let base = std::env::var_os("COOPDESK_FUZZ_TMP")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir()));
    match base {
        Some(base) => tempfile::tempdir_in(base).unwrap(),
        None => tempfile::tempdir().unwrap(),
    }
}

fn data_version(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
        .unwrap()
}

/// Text matching `pattern`, parsed once: a `&str` used as a strategy parses its regex again
/// for every value it makes (a sixth of an import case's time).
pub fn re(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern).unwrap().boxed()
}

/// Text a hostile file or a careless clerk may put into any field.
pub fn hostile_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => any::<String>(),
        2 => re("\\PC{0,24}"),
        1 => re("[0-9 .,+()\\-№]{0,20}"),
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
