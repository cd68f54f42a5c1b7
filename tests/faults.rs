//! Faults of the file and the disk, on the real binary: a database from a newer program, a
//! folder that cannot be made, a read-only file, a full disk in the middle of an import, and a
//! database held by a stuck process. Each gives a clear message and a clean exit, and nothing
//! half-written is left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HEADER: &str = "external_id,last_name,first_name,patronymic,birth_date,passport,reg_address,fact_address,phone,email,income,expenses,payments,deductions,product,amount,term_months,purpose,office";

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("coop.db");
        let env = Env { dir, db };
        let out = env.run_stdin(
            &["init", "--admin", "admin", "--password-stdin"],
            "admin-pw-12\n",
        );
        assert!(out.status.success(), "{out:?}");
        env
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_coopdesk"));
        c.arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"])
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("share"));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn count(&self, table: &str) -> i64 {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    /// An import file of `n` good applications.
    fn applications(&self, n: usize) -> PathBuf {
        let mut csv = String::from(HEADER);
        csv.push('\n');
        for i in 0..n {
            csv.push_str(&format!(
                "web-{i},Иванов,Пётр,Сергеевич,14.03.1985,45{:02} {:06},\"г. Томск, ул. Ленина, {i}\",,8 924 811-16-71,,65000,20000,0,0,consumer,150000,24,ремонт квартиры и покупка мебели для детской комнаты,HQ\n",
                i % 100,
                i
            ));
        }
        let p = self.dir.path().join("apps.csv");
        std::fs::write(&p, csv).unwrap();
        p
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_database_from_a_newer_program_is_refused_untouched() {
    let env = Env::new();
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let out = env.run(&["office", "list"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stderr(&out).contains("999"), "{}", stderr(&out));
    let v: i64 = rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 999, "left as it was");
}

#[test]
fn a_folder_that_cannot_be_made_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // A file where a folder should be.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").unwrap();
    let db = blocker.join("coop.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .arg("--db")
        .arg(&db)
        .args(["init", "--admin", "admin", "--password-stdin"])
        .env("HOME", dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"admin-pw-12\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stderr(&out).contains("not-a-folder"), "{}", stderr(&out));
}

#[test]
fn a_read_only_database_says_so_and_writes_nothing() {
    if is_root() {
        eprintln!("running as root: file permissions do not stop root; test skipped");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let folder = env.db.parent().unwrap().to_path_buf();
    let set =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    // Close the WAL cleanly first, as a finished desk would.
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .pragma_update(None, "journal_mode", "DELETE")
        .unwrap();
    set(&env.db, 0o400);
    set(&folder, 0o500);
    let out = env.run(&[
        "office",
        "add",
        "NSK",
        "--name",
        "Новосибирск",
        "--city",
        "Новосибирск",
    ]);
    set(&folder, 0o700);
    set(&env.db, 0o600);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        stderr(&out).contains("только для чтения"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.count("offices"), 1);
}

#[test]
fn a_full_disk_in_the_middle_of_an_import_loses_nothing() {
    let env = Env::new();
    let file = env.applications(3000);
    let size = std::fs::metadata(&env.db).unwrap().len();
    let limit = size + 256 * 1024;
    let mut cmd = env.command(&["import", "applications", file.to_str().unwrap()]);
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let r = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &r);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let msg = stderr(&out);
    assert!(
        msg.contains("ничего не записано") || msg.contains("ничего не потеряно"),
        "{msg}"
    );
    assert_eq!(
        env.count("applications"),
        0,
        "all of the file or none of it"
    );
    let check = env.run(&["check"]);
    assert!(check.status.success(), "{check:?}");
    // With room again, the same file goes in whole.
    let out = env.run(&["import", "applications", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(env.count("applications"), 3000);
}

#[test]
fn a_database_held_by_a_stuck_process_is_waited_for_then_refused_cleanly() {
    let env = Env::new();
    let stuck = rusqlite::Connection::open(&env.db).unwrap();
    stuck.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = env.run(&[
        "office",
        "add",
        "NSK",
        "--name",
        "Новосибирск",
        "--city",
        "Новосибирск",
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stderr(&out).contains("занята"), "{}", stderr(&out));
    stuck.execute_batch("ROLLBACK").unwrap();
    drop(stuck);
    let out = env.run(&[
        "office",
        "add",
        "NSK",
        "--name",
        "Новосибирск",
        "--city",
        "Новосибирск",
    ]);
    assert!(out.status.success(), "{out:?}");
}
