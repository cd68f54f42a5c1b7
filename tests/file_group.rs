//! `[security] group`: with a group configured, a new database, its -wal/-shm and backups are
//! made 0660 and given that group; without, 0600 as before; an unknown group is an error
//! naming the key. Checked on real files: mode bits and gid.

use coopdesk::store::Store;
use coopdesk::store::files::{FileAccess, group_id, group_name};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

fn mode_gid(p: &Path) -> (u32, u32) {
    let m = std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (m.mode() & 0o777, m.gid())
}

/// The current user's primary group, and another group of ours if there is one (root may
/// give a file any group, so the chown is really exercised when the tests run as root).
fn groups() -> Vec<(String, u32)> {
    // SAFETY: getgid/geteuid have no preconditions.
    let (primary, euid) = unsafe { (libc::getgid(), libc::geteuid()) };
    let mut out = vec![(
        group_name(primary).expect("primary group has a name"),
        primary,
    )];
    let mut others: Vec<u32> = {
        let mut buf = vec![0 as libc::gid_t; 256];
        // SAFETY: buf holds 256 gids.
        let n = unsafe { libc::getgroups(256, buf.as_mut_ptr()) };
        buf.truncate(n.max(0) as usize);
        buf
    };
    if euid == 0 {
        others.extend(
            ["daemon", "nogroup", "users"]
                .iter()
                .filter_map(|n| group_id(n)),
        );
    }
    if let Some(g) = others.into_iter().find(|g| *g != primary)
        && let Some(name) = group_name(g)
    {
        out.push((name, g));
    }
    out
}

#[test]
fn with_a_group_new_files_are_0660_and_of_that_group() {
    for (name, gid) in groups() {
        assert_eq!(group_id(&name), Some(gid));
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coop.db");
        let access = FileAccess { group: Some(gid) };
        let store = Store::open_with(&db, access).unwrap();
        assert_eq!(mode_gid(&db), (0o660, gid), "database, group {name}");
        for side in ["coop.db-wal", "coop.db-shm"] {
            let p = dir.path().join(side);
            if p.exists() {
                assert_eq!(mode_gid(&p), (0o660, gid), "{side}, group {name}");
            }
        }
        assert!(dir.path().join("coop.db-wal").exists(), "WAL while open");
        let backup = dir.path().join("backups").join("b.db");
        store.backup_to(&backup, |_, _| {}).unwrap();
        assert_eq!(mode_gid(&backup), (0o660, gid), "backup, group {name}");
        // The folder it made for backups: the group's, and setgid so that a backup made by
        // another account of the group is the group's too.
        let folder = std::fs::metadata(dir.path().join("backups")).unwrap();
        assert_eq!(
            (folder.mode() & 0o7777, folder.gid()),
            (0o2770, gid),
            "backup folder, group {name}"
        );
        drop(store);
        // Opened again: the -wal made anew is given the group too.
        let _again = Store::open_with(&db, access).unwrap();
        let wal = dir.path().join("coop.db-wal");
        if wal.exists() {
            assert_eq!(mode_gid(&wal).1, gid, "reopened -wal, group {name}");
        }
    }
}

#[test]
fn without_a_group_files_stay_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    let store = Store::open(&db).unwrap();
    assert_eq!(mode_gid(&db).0, 0o600);
    let backup = dir.path().join("backups").join("b.db");
    store.backup_to(&backup, |_, _| {}).unwrap();
    assert_eq!(mode_gid(&backup).0, 0o600);
    assert_eq!(mode_gid(&dir.path().join("backups")).0, 0o700);
}

fn coopdesk(dir: &Path, config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(dir.join("coop.db"))
        .args(["--today", "2026-11-23"])
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("share"))
        .output()
        .unwrap()
}

#[test]
fn the_command_line_follows_the_configured_group() {
    let (name, gid) = groups().pop().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, format!("[security]\ngroup = \"{name}\"\n")).unwrap();
    let mut init = Command::new(env!("CARGO_BIN_EXE_coopdesk"));
    init.arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("coop.db"))
        .args(["init", "--admin", "admin", "--password-stdin"])
        .env("HOME", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = init.spawn().unwrap();
    {
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "admin-pw-1").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode_gid(&dir.path().join("coop.db")), (0o660, gid));
    let to = dir.path().join("copy.db");
    let out = coopdesk(
        dir.path(),
        &config,
        &["backup", "--to", to.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode_gid(&to), (0o660, gid));

    // A group the system does not know: refused, naming the key, nothing made.
    std::fs::write(&config, "[security]\ngroup = \"no-such-group-coopdesk\"\n").unwrap();
    let other = dir.path().join("other.db");
    let out = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&other)
        .args(["check"])
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("security.group") && err.contains("no-such-group-coopdesk"),
        "{err}"
    );
    assert!(!other.exists());
}
