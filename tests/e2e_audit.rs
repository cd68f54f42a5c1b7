//! End to end, the audit overlay: the real binary in two tmux panes of 80×24 on one database.
//! A manager logs a call on a member's card at one desk; at another desk the head opens the
//! same member's card, presses `a` and sees the call in the trail — who, when, what — with
//! the full text of the selected line below; a manager pressing `a` is refused. Helpers
//! follow `e2e_members.rs` (own tmux server per test, every step waits for its text).

mod common;

use common::tmux::{Tmux, available};

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

const MEMBERS_CSV: &str = "\
member_no,last_name,first_name,patronymic,birth_date,passport,phone,email,reg_address,fact_address,status,joined_on,office,manager,potential,client_group,territory,related_group
000101,Кузнецова,Мария,Ивановна,14.03.1975,4509 123456,8 (924) 811-16-71,,\"г. Томск, ул. Ленина, 1\",,member,01.02.2024,TSK,manager1,A,installers,Томск,
";

struct Desk {
    tmux: Tmux,
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Desk {
    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        common::tmux::desk_env(self.dir.path())
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .args(["--db", self.db.to_str().unwrap(), "--today", TODAY])
            .args(args)
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run coopdesk");
        {
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                writeln!(input, "{s}").unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "coopdesk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn new(test: &str) -> Option<Desk> {
        if !available() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coop.db");
        let desk = Desk {
            tmux: Tmux::new(test),
            dir,
            db,
        };
        desk.ok(
            &["init", "--admin", "admin", "--password-stdin"],
            Some("admin-pw-1"),
        );
        desk.ok(
            &["office", "add", "TSK", "--name", "Томск", "--city", "Томск"],
            None,
        );
        for (login, name, role) in [
            ("manager1", "Петрова Анна Сергеевна", "manager"),
            ("head1", "Волков Павел Ильич", "head"),
        ] {
            desk.ok(
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
                Some(&format!("{login}-pw-1")),
            );
        }
        let csv = desk.dir.path().join("members.csv");
        std::fs::write(&csv, MEMBERS_CSV).unwrap();
        desk.ok(&["import", "members", csv.to_str().unwrap()], None);
        Some(desk)
    }

    /// A desk in its own tmux session, logged in as `login`, on the member's card.
    fn desk_on_card(&self, session: &str, login: &str) -> common::tmux::Pane<'_> {
        let cmd = format!(
            "{} --db '{}' --today {TODAY}; sleep 60",
            env!("CARGO_BIN_EXE_coopdesk"),
            self.db.display()
        );
        let t = self.tmux.new_session_with_env(session, &cmd, &self.env());
        t.log_in(login, &format!("{login}-pw-1"));
        t.wait_for(&format!("{login} · TSK"));
        t.keys(&["2"]);
        t.wait_for("Наберите фамилию");
        t.type_text("кузнецова");
        t.wait_line(&["000101", "Кузнецова Мария Ивановна"]);
        t.keys(&["Enter"]);
        t.wait_for("История работы");
        t
    }
}

#[test]
fn a_call_logged_at_one_desk_is_in_the_heads_audit_overlay() {
    let Some(desk) = Desk::new("audit") else {
        return;
    };
    // The manager logs an outgoing call.
    let man = desk.desk_on_card("man", "manager1");
    man.keys(&["c"]);
    man.wait_for("Направление");
    man.keys(&["Tab", "Tab"]);
    man.type_text("1:21");
    man.keys(&["Tab", "Tab", "Tab", "Tab"]);
    man.type_text("обещал принести справку 2-НДФЛ");
    man.keys(&["F2"]);
    man.wait_for("Записано в историю");
    // The same key at the manager's desk: refused by the store, no overlay.
    man.keys(&["a"]);
    man.wait_for("этот шаг выполняет руководитель офиса");
    assert!(!man.screen().contains("Журнал: пайщик"));

    // The head, at another desk, opens the trail of the same member.
    let head = desk.desk_on_card("head", "head1");
    head.keys(&["a"]);
    head.wait_for("Журнал: пайщик № 000101 Кузнецова Мария");
    let s = head.wait_line(&["23.11.26", "manager1", "контакт call", "out"]);
    // The selected (newest) line in full below the list.
    assert!(
        s.contains("обещал принести справку 2-НДФЛ"),
        "the call's comment in the detail:\n{s}"
    );
    head.wait_for(" 1/1 ");
    // Paging keys work and Esc closes back to the card.
    head.keys(&["End"]);
    head.keys(&["PageUp"]);
    head.keys(&["Escape"]);
    head.wait_gone("Журнал: пайщик");
    head.wait_for("История работы");
}
