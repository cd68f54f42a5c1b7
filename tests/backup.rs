//! Backups and checks on real files: an online backup while another connection reads, the
//! copy checked and complete, owner-only permissions, pruning to `keep`, one automatic backup
//! per business day, and `coopdesk check` finding a broken foreign key.

use clap::Parser;
use coopdesk::cli::{Cli, load_context};
use coopdesk::store::Store;
use coopdesk::store::backup::backups_in;
use std::path::Path;
use std::process::Command;

fn coopdesk(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .unwrap()
}

fn count(path: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn an_online_backup_is_complete_checked_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    let dbs = db.to_str().unwrap();
    let out = coopdesk(
        dir.path(),
        &[
            "--db",
            dbs,
            "--today",
            "2026-11-23",
            "demo",
            "--no-tui",
            "--members",
            "150",
            "--applications",
            "40",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    #[cfg(unix)]
    assert_eq!(mode(&db), 0o600, "a new database is owner-only");

    // Another desk is reading in the middle of a transaction while the backup runs.
    let reader = rusqlite::Connection::open(&db).unwrap();
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM members;")
        .unwrap();
    let to = dir.path().join("copies").join("today.db");
    let out = coopdesk(
        dir.path(),
        &["--db", dbs, "backup", "--to", to.to_str().unwrap()],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("today.db"));
    reader.execute_batch("COMMIT").unwrap();
    for table in [
        "members",
        "applications",
        "application_events",
        "turnover",
        "audit",
    ] {
        assert_eq!(count(&db, table), count(&to, table), "{table}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&to), 0o600, "a backup is owner-only");
    assert!(!to.with_extension("db.partial").exists());
    let out = coopdesk(dir.path(), &["--db", to.to_str().unwrap(), "check"]);
    assert!(out.status.success(), "{out:?}");

    // Into the backup folder under dated names, the oldest pruned beyond `keep`.
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[backup]\nkeep = 2\n").unwrap();
    for _ in 0..3 {
        let out = coopdesk(
            dir.path(),
            &["--db", dbs, "--config", config.to_str().unwrap(), "backup"],
        );
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!(backups_in(&dir.path().join("backups"), &db).len(), 2);
}

#[test]
fn the_first_start_of_a_business_day_takes_one_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    Store::open(&db).unwrap();
    let ctx = |day: &str| {
        load_context(&Cli::parse_from([
            "coopdesk",
            "--db",
            db.to_str().unwrap(),
            "--config",
            dir.path().join("none.toml").to_str().unwrap(),
            "--today",
            day,
        ]))
    };
    // No config file is an error for --config; use an empty one.
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let store = Store::open(&db).unwrap();
    let first = coopdesk::cli::backup::daily(&ctx("2026-11-23").ok().unwrap(), &store).unwrap();
    assert!(first.is_some());
    let again = coopdesk::cli::backup::daily(&ctx("2026-11-23").ok().unwrap(), &store).unwrap();
    assert_eq!(again, None, "one per business day");
    let next = coopdesk::cli::backup::daily(&ctx("2026-11-24").ok().unwrap(), &store).unwrap();
    assert!(next.is_some());
    assert_eq!(backups_in(&dir.path().join("backups"), &db).len(), 2);
}

#[test]
fn check_finds_a_row_whose_parent_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    let dbs = db.to_str().unwrap();
    Store::open(&db).unwrap();
    let out = coopdesk(dir.path(), &["--db", dbs, "check"]);
    assert!(out.status.success(), "{out:?}");
    // Someone wrote to the file with foreign keys off.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO contacts(member_id, staff_id, at, on_date, kind, actor)
         VALUES (999, 999, '2026-11-23 10:00:00', '2026-11-23', 'comment', 'x');",
    )
    .unwrap();
    drop(conn);
    let out = coopdesk(dir.path(), &["--db", dbs, "check"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("foreign_key_check: contacts"), "{text}");
}
