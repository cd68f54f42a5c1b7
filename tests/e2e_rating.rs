//! End to end: the rating pane of the real binary open in a tmux pane of 80×24; a sale recorded
//! by another process (`coopdesk import sales`) appears on the open pane without a key pressed.
//!
//! Each test has its own tmux server (`tmux -L <unique socket>`), directory and database. Nothing
//! is asserted after a fixed sleep: each step waits for the text it expects (every 50 ms, 5 s at
//! most, or `COOPDESK_E2E_TIMEOUT_SECS`). Without tmux the tests fail, unless
//! `COOPDESK_SKIP_TMUX=1` (the harness is `tests/common/tmux.rs`).

mod common;

use common::tmux::{Pane, Tmux, available, line_with, sh_quote};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const HEAD_PASSWORD: &str = "head-pw-2026";

struct Coop {
    tmux: Tmux,
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Coop {
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> String {
        let home = self.dir.path().join("home");
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"])
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run coopdesk");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(s) = stdin {
            writeln!(input, "{s}").expect("write stdin");
        }
        drop(input);
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "coopdesk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    }

    fn new(test: &str) -> Option<Coop> {
        if !available() {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("coopdesk-e2e-rating-")
            .tempdir()
            .expect("temp dir");
        let db = dir.path().join("coop.db");
        let c = Coop {
            tmux: Tmux::new(test),
            dir,
            db,
        };
        c.cli(
            &["init", "--admin", "admin", "--password-stdin"],
            Some("admin-pw-2026"),
        );
        c.cli(
            &["office", "add", "TSK", "--name", "Томск", "--city", "Томск"],
            None,
        );
        for (login, name, role, pw) in [
            ("nop", "Соколова Ирина", "head", HEAD_PASSWORD),
            ("orlov", "Орлов Олег", "manager", "manager-pw-1"),
            ("belova", "Белова Нина", "manager", "manager-pw-2"),
        ] {
            c.cli(
                &[
                    "staff",
                    "add",
                    login,
                    "--name",
                    name,
                    "--office",
                    "TSK",
                    "--roles",
                    role,
                    "--password-stdin",
                ],
                Some(pw),
            );
        }
        let plans = c.file(
            "plans.csv",
            "month,manager,ukp\n2026-11,orlov,4\n2026-11,belova,8\n",
        );
        c.cli(&["import", "plans", &plans], None);
        let sales = c.file(
            "sales.csv",
            "external_id,date,manager,product,member_no,amount\n\
             s1,2026-11-10,orlov,consumer,,100000\n\
             s2,2026-11-12,belova,housing,,900000\n",
        );
        c.cli(&["import", "sales", &sales], None);
        Some(c)
    }

    /// Start the desk in tmux with `env` set, log in as the head and open the rating.
    fn open_rating(&self, env: &str, extra: &str) -> Pane<'_> {
        let cmd = format!(
            "{env} {} --db {} --today 2026-11-23 {extra}; sleep 30",
            sh_quote(env!("CARGO_BIN_EXE_coopdesk")),
            sh_quote(&self.db.display().to_string())
        );
        let pane = self.tmux.new_session("desk", &cmd);
        pane.log_in("nop", HEAD_PASSWORD);
        pane.wait_for("Заявки");
        pane.keys(&["3"]);
        pane.wait_for("Рейтинг продаж");
        pane
    }
}

#[test]
fn a_sale_recorded_elsewhere_appears_on_the_open_rating() {
    let Some(c) = Coop::new("live") else { return };
    let pane = c.open_rating("TERM=xterm-256color", "");
    // Орлов 1 of 4 = 25 %, Белова 2 of 8 = 25 %: tied, both first.
    let s = pane.wait_until("both managers", |s| {
        line_with(s, &["Орлов", "1.00", "4.00", "25.0"]).is_some()
            && line_with(s, &["Белова", "2.00", "8.00", "25.0"]).is_some()
    });
    assert!(line_with(&s, &["  1 ", "Белова"]).is_some(), "{s}");
    assert!(line_with(&s, &["  1 ", "Орлов"]).is_some(), "{s}");

    // Another process records two housing loans sold by Орлов today.
    let more = c.file(
        "more.csv",
        "external_id,date,manager,product,member_no,amount\n\
         s3,2026-11-23,orlov,housing,,700000\n\
         s4,2026-11-23,orlov,housing,,800000\n",
    );
    c.cli(&["import", "sales", &more], None);
    // No key: the open pane shows 5 of 4 = 125 % within the poll, Орлов alone first.
    let s = pane.wait_until("Орлов at 125 %", |s| {
        line_with(s, &["Орлов", "5.00", "125.0"]).is_some()
    });
    assert!(line_with(&s, &["  1 ", "Орлов"]).is_some(), "{s}");
    assert!(line_with(&s, &["  2 ", "Белова"]).is_some(), "{s}");

    // A plan set elsewhere shows too.
    let plans = c.file("plans2.csv", "month,manager,ukp\n2026-11,belova,2\n");
    c.cli(&["import", "plans", &plans], None);
    pane.wait_until("Белова at 100 %", |s| {
        line_with(s, &["Белова", "2.00", "100.0"]).is_some()
    });
}

#[test]
fn the_rating_renders_in_ascii_without_colour() {
    let Some(c) = Coop::new("ascii") else { return };
    let pane = c.open_rating("NO_COLOR=1 TERM=linux", "--ascii");
    let s = pane.wait_until("Орлов with a bar", |s| {
        line_with(s, &["Орлов", "25.0", "##|"]).is_some()
    });
    // Plain ASCII but for the language's letters: no line drawing, no block characters.
    assert!(
        s.chars()
            .all(|ch| ch.is_ascii() || ('А'..='я').contains(&ch) || "Ёё".contains(ch)),
        "{s}"
    );
    assert!(s.contains("v вид"), "{s}");
}
