//! End to end on the client-base pane: the real binary in tmux at 80×24. The client-analysis
//! manager asks to transfer a client on a memo; nothing moves until the sales director approves
//! it on the requests list; then both bases show the change, and the client's history names
//! the memo and who approved it. Every step waits for the text it expects (5 s at most).

mod common;

use common::tmux::{Pane, Tmux, available, line_with, sh_quote};
use coopdesk::i18n::Catalog;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

struct Desk {
    /// Declared first: dropped (server killed) before the directory is removed.
    tmux: Tmux,
    dir: tempfile::TempDir,
    db: PathBuf,
    cat: Catalog,
}

impl Desk {
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .args(["--db", self.db.to_str().unwrap(), "--today", TODAY])
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            writeln!(child.stdin.take().unwrap(), "{s}").unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Start coopdesk in session `name` and log in; the pane on the journal.
    fn start(&self, name: &str, login: &str, password: &str) -> Pane<'_> {
        let d = self.dir.path();
        let cmd = format!(
            "env -u NO_COLOR HOME={} XDG_CONFIG_HOME={} XDG_DATA_HOME={} {} --db {} --today {TODAY}; sleep 30",
            sh_quote(&d.display().to_string()),
            sh_quote(&d.join("config").display().to_string()),
            sh_quote(&d.join("data").display().to_string()),
            sh_quote(env!("CARGO_BIN_EXE_coopdesk")),
            sh_quote(&self.db.display().to_string()),
        );
        let pane = self.tmux.new_session(name, &cmd);
        pane.log_in(login, password);
        pane.wait_until("the journal", |s| {
            s.contains(self.cat.t("pane.client_base")) && !s.contains(self.cat.t("login.title"))
        });
        pane
    }

    fn manager_of(&self, member_no: &str) -> Option<i64> {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(
                "SELECT manager_id FROM members WHERE member_no = ?1",
                [member_no],
                |r| r.get(0),
            )
            .unwrap()
    }
}

/// The size column of a manager's row in the managers' table.
fn base_size(screen: &str, name: &str) -> Option<u32> {
    let line = line_with(screen, &[name])?;
    line.split_whitespace()
        .skip_while(|w| *w != "ветеран")
        .nth(1)
        .and_then(|w| w.parse().ok())
}

#[test]
fn a_transfer_asked_on_a_memo_moves_the_client_when_the_director_approves() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk {
        tmux: Tmux::new("client-base"),
        db: dir.path().join("coop.db"),
        dir,
        cat: Catalog::builtin("ru"),
    };
    desk.cli(
        &["init", "--admin", "admin", "--password-stdin"],
        Some("admin-pw-1"),
    );
    desk.cli(
        &["office", "add", "TSK", "--name", "Томск", "--city", "Томск"],
        None,
    );
    for (login, name, role) in [
        ("ivanova", "Иванова Анна", "manager"),
        ("petrov", "Петров Олег", "manager"),
        ("mka", "Орлова Светлана", "analyst"),
        ("dp", "Григорьев Виктор", "director"),
    ] {
        desk.cli(
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
            Some("password-1"),
        );
    }
    for login in ["ivanova", "petrov"] {
        desk.cli(
            &[
                "staff",
                "set",
                login,
                "--specialization",
                "universal",
                "--novice-since",
                "2020-01-01",
            ],
            None,
        );
    }
    // Three clients from the accounting system, all with Иванова.
    let members = desk.dir.path().join("members.csv");
    let mut csv = String::from(
        "member_no,last_name,first_name,patronymic,birth_date,passport,phone,email,reg_address,fact_address,status,joined_on,office,manager,potential,client_group,territory,related_group\n",
    );
    for (i, (no, last)) in [
        ("000001", "Альфин"),
        ("000002", "Бетин"),
        ("000003", "Гаммов"),
    ]
    .into_iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "{no},{last},Клиент,,01.01.1980,4500 00000{i},,,,,member,2024-01-01,TSK,,A,installers,Томск,\n"
        ));
    }
    std::fs::write(&members, csv).unwrap();
    desk.cli(&["import", "members", members.to_str().unwrap()], None);
    let csv = desk.dir.path().join("assign.csv");
    std::fs::write(
        &csv,
        "client,manager,since\n000001,ivanova,2025-01-01\n000002,ivanova,2025-01-01\n000003,ivanova,2025-01-01\n",
    )
    .unwrap();
    desk.cli(&["import", "assignments", csv.to_str().unwrap()], None);
    let ivanova = desk.manager_of("000001");

    // The analyst: the client-base pane, Иванова's base, the second client, transfer to Петров.
    let mka = desk.start("mka", "mka", "password-1");
    mka.keys(&["4"]);
    let s = mka.wait_until("both managers", |s| {
        base_size(s, "Иванова") == Some(3) && base_size(s, "Петров") == Some(0)
    });
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("ветеран")).collect();
    let ivanova_row = rows.iter().position(|l| l.contains("Иванова")).unwrap();
    for _ in 0..ivanova_row {
        mka.keys(&["Down"]);
    }
    mka.keys(&["Enter"]);
    mka.wait_for("Гаммов");
    mka.keys(&["Down", "t"]);
    mka.wait_for("Передать другому менеджеру: Бетин");
    mka.wait_for("Петров Олег");
    mka.keys(&["Tab"]);
    mka.type_text("СЗ № 45 от 20.11.2026");
    mka.keys(&["Enter"]);
    mka.wait_for("Запрос №1 отправлен");
    assert_eq!(
        desk.manager_of("000002"),
        ivanova,
        "nothing moves before approval"
    );

    // The director: the requests, approve, confirm.
    let dp = desk.start("dp", "dp", "password-1");
    dp.keys(&["4"]);
    dp.wait_for("Иванова");
    dp.keys(&["z"]);
    dp.wait_until("the pending request", |s| {
        line_with(s, &["Бетин", "ждёт решения"]).is_some()
    });
    dp.keys(&["y"]);
    dp.wait_for("Согласовать запрос №1");
    dp.keys(&["Enter"]);
    dp.wait_for("Запрос №1 согласован");
    dp.keys(&["Escape"]);
    dp.wait_until("both bases changed", |s| {
        base_size(s, "Иванова") == Some(2) && base_size(s, "Петров") == Some(1)
    });
    assert_ne!(desk.manager_of("000002"), ivanova);

    // The analyst's open pane shows it after a refresh; the client's history names the memo.
    // (Esc and an F-key sent in one burst read as one escape sequence: wait in between.)
    mka.keys(&["Escape"]);
    mka.wait_for("· менеджеры");
    mka.keys(&["F5"]);
    mka.wait_until("the analyst sees the new sizes", |s| {
        base_size(s, "Иванова") == Some(2) && base_size(s, "Петров") == Some(1)
    });
    let s = mka.screen();
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("ветеран")).collect();
    let petrov_row = rows.iter().position(|l| l.contains("Петров")).unwrap();
    let ivanova_row = rows.iter().position(|l| l.contains("Иванова")).unwrap();
    for _ in ivanova_row..petrov_row {
        mka.keys(&["Down"]);
    }
    mka.keys(&["Enter"]);
    mka.wait_for("Бетин");
    mka.keys(&["h"]);
    mka.wait_until("the history line", |s| {
        line_with(s, &["Иванова Анна -> Петров Олег", "dp", "СЗ № 45"]).is_some()
    });
}
