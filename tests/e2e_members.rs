//! End to end, the member lookup: the real binary, members brought in with
//! `coopdesk import members`, then in a tmux pane of 80×24 a manager types part of a surname,
//! opens the card, logs a call and sees it on the timeline; `coopdesk members search` prints
//! what the pane showed. Helpers follow `e2e_tmux.rs` (own tmux server per test, every step
//! waits for its text, 5 s at most or `COOPDESK_E2E_TIMEOUT_SECS`; `COOPDESK_SKIP_TMUX=1`
//! skips when tmux is missing).

mod common;

use common::tmux::{Pane, Tmux, available};

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

const MEMBERS_CSV: &str = "\
member_no,last_name,first_name,patronymic,birth_date,passport,phone,email,reg_address,fact_address,status,joined_on,office,manager,potential,client_group,territory,related_group
000101,Кузнецова,Мария,Ивановна,14.03.1975,4509 123456,8 (924) 811-16-71,,\"г. Томск, ул. Ленина, 1\",,member,01.02.2024,TSK,manager1,A,installers,Томск,
000102,Кузьмин,Олег,Петрович,02.11.1980,4510 654321,+79130167892,,\"г. Томск, пр. Мира, 5\",,member,15.06.2023,TSK,,B,,,
000103,Смирнов,Ильдар,Ринатович,21.07.1969,4511 111111,,,\"г. Северск, ул. Ленина, 3\",,left,10.10.2020,TSK,,,,,
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

    /// Run a subcommand; (exit code, stdout, stderr).
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
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
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let (code, out, err) = self.cli(args, stdin);
        assert_eq!(code, 0, "coopdesk {args:?}: {err}");
        out
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
        desk.ok(
            &[
                "staff",
                "add",
                "manager1",
                "--name",
                "Петрова Анна Сергеевна",
                "--office",
                "TSK",
                "--roles",
                "manager",
                "--password-stdin",
            ],
            Some("manager-pw-1"),
        );
        let csv = desk.dir.path().join("members.csv");
        std::fs::write(&csv, MEMBERS_CSV).unwrap();
        let out = desk.ok(&["import", "members", csv.to_str().unwrap()], None);
        assert!(out.contains("Добавлено: 3"), "{out}");
        Some(desk)
    }

    /// The interface in a tmux session `desk` of 80×24, logged in as the manager, on the
    /// member pane.
    fn start(&self) -> Pane<'_> {
        let cmd = format!(
            "{} --db '{}' --today {TODAY}; sleep 60",
            env!("CARGO_BIN_EXE_coopdesk"),
            self.db.display()
        );
        let t = self.tmux.new_session_with_env("desk", &cmd, &self.env());
        t.log_in("manager1", "manager-pw-1");
        t.wait_for("manager1 · TSK");
        t.keys(&["2"]);
        t.wait_for("Наберите фамилию");
        t
    }

    /// Write the config file the interface reads (`$XDG_CONFIG_HOME/coopdesk/config.toml`).
    fn config(&self, text: &str) {
        let dir = self.dir.path().join("config").join("coopdesk");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }
}

#[test]
fn a_manager_finds_a_member_opens_the_card_and_logs_a_call() {
    let Some(desk) = Desk::new("call") else {
        return;
    };
    let t = desk.start();
    // Part of a surname, in capitals: both Кузнецова and Кузьмин, Кузнецова first.
    t.type_text("КУЗ");
    let s = t.wait_line(&["000101", "Кузнецова Мария Ивановна", "+7 924 ***-**-71"]);
    assert!(s.contains("Кузьмин Олег"), "{s}");
    let first = s.lines().position(|l| l.contains("Кузнецова")).unwrap();
    let second = s.lines().position(|l| l.contains("Кузьмин")).unwrap();
    assert!(
        first < second,
        "alphabetical within the surname matches:\n{s}"
    );
    // Narrow down with the first name, open the card.
    t.type_text(" мар");
    t.wait_until("only Кузнецова", |s| {
        s.contains("Кузнецова") && !s.contains("Кузьмин") && s.contains("найдено: 1")
    });
    t.keys(&["Enter"]);
    t.wait_line(&["Кузнецова Мария Ивановна", "000101"]);
    t.wait_line(&["Паспорт", "**** ***456"]);
    t.wait_for("История работы (0)");
    // Log an outgoing call: successful, 1:21, a comment.
    t.keys(&["c"]);
    t.wait_for("Направление");
    t.keys(&["Tab", "Tab"]);
    t.type_text("1:21");
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.type_text("договорились о встрече");
    t.keys(&["F2"]);
    t.wait_for("Записано в историю");
    t.wait_for("История работы (1)");
    t.wait_line(&[
        "Звонок исх.",
        "успешный",
        "1:21",
        "договорились о встрече",
        "(manager1)",
    ]);
    // Another desk sees it: the store has it as the manager's activity today.
    let (code, out, _) = desk.cli(
        &["members", "search", "кузнецова", "--format", "json"],
        None,
    );
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["member_no"], "000101");
    assert_eq!(rows[0]["phone"], "+7 924 ***-**-71");
    // Revealing the passport is recorded; the command line lists who saw it.
    t.keys(&["v"]);
    t.wait_line(&["Паспорт", "4509 123456"]);
    t.wait_for("просмотр записан");
    let out = desk.ok(&["members", "views", "000101"], None);
    assert!(
        out.trim_end().ends_with("manager1") && out.lines().count() == 1,
        "{out}"
    );
    let (code, _, err) = desk.cli(&["members", "views", "999999"], None);
    assert_eq!(code, 1, "{err}");
    let conn = rusqlite::Connection::open(&desk.db).unwrap();
    let (on, kind): (String, String) = conn
        .query_row(
            "SELECT c.on_date, c.kind FROM contacts c JOIN staff s ON s.id = c.staff_id
             WHERE s.login = 'manager1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((on.as_str(), kind.as_str()), (TODAY, "call"));
}

#[test]
fn typed_fast_the_results_come_when_typing_pauses() {
    let Some(desk) = Desk::new("settle") else {
        return;
    };
    // A long settle interval, so that the list waiting for the pause can be seen.
    desk.config("[ui]\nsearch_settle_ms = 1500\n");
    let t = desk.start();
    // A surname typed in one burst: the list is for all of it once typing pauses.
    t.type_text("кузнецова");
    let s = t.wait_line(&["000101", "Кузнецова Мария Ивановна"]);
    assert!(s.contains("найдено: 1") && !s.contains("Кузьмин"), "{s}");
    // Back to «куз»: both.
    for _ in 0..6 {
        t.keys(&["BSpace"]);
    }
    t.wait_until("both Кузнецова and Кузьмин", |s| {
        s.contains("Кузнецова") && s.contains("Кузьмин") && s.contains("найдено: 2")
    });
    // One letter more: the list stays as it was until the pause, and says which text it is
    // for; then the list for «кузь».
    t.type_text("ь");
    let s = t.wait_for("найдено по «куз»: 2");
    assert!(s.contains("Кузнецова") && s.contains("Кузьмин"), "{s}");
    let s = t.wait_for("найдено: 1");
    assert!(
        s.contains("Кузьмин Олег") && !s.contains("Кузнецова"),
        "{s}"
    );
    // Enter straight after typing opens nothing: it shows the list for what is typed (the
    // highlighted row of the earlier list is not what the clerk asked for)…
    t.keys(&["BSpace"]);
    t.wait_for("найдено: 2");
    t.type_text("ь");
    t.keys(&["Enter"]);
    let s = t.wait_for("найдено: 1");
    assert!(
        s.contains("Кузьмин Олег") && !s.contains("История работы"),
        "{s}"
    );
    // …and Enter on it opens the member seen.
    t.keys(&["Enter"]);
    t.wait_line(&["Кузьмин Олег Петрович", "000102"]);
    t.wait_for("История работы");
}

#[test]
fn imports_are_all_or_nothing_and_idempotent() {
    let Some(desk) = Desk::new("import") else {
        return;
    };
    let csv = desk.dir.path().join("members.csv");
    // The same file again: nothing changes.
    let out = desk.ok(&["import", "members", csv.to_str().unwrap()], None);
    assert!(
        out.contains("Добавлено: 0") && out.contains("без изменений: 3"),
        "{out}"
    );
    // A bad row: the line and field are named, nothing is written.
    let bad = desk.dir.path().join("bad.csv");
    let text = MEMBERS_CSV
        .replace("000102,Кузьмин", "000104,Кузьмин2")
        .replace("4511 111111", "4509 123456");
    std::fs::write(&bad, text).unwrap();
    let (code, _, err) = desk.cli(&["import", "members", bad.to_str().unwrap()], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(":3: last_name:"), "{err}");
    assert!(err.contains(":4: passport:"), "{err}");
    let (_, out, _) = desk.cli(&["members", "search", "кузьмин", "--format", "csv"], None);
    assert!(!out.contains("000104"), "nothing written: {out}");
    // Loans: a good file, then again.
    let loans = desk.dir.path().join("loans.json");
    std::fs::write(
        &loans,
        r#"[
  {"contract_no": "Д-1", "member_no": "000101", "product": "consumer", "amount": "150000",
   "issued_on": "2025-03-01", "term_months": "24", "rate": "24", "balance": "80000",
   "overdue_amount": "5000", "overdue_since": "2026-11-01"},
  {"contract_no": "Д-2", "member_no": "000999", "product": "consumer", "amount": "0",
   "issued_on": "2025-03-01", "term_months": "24", "rate": "24", "balance": "1"}
]"#,
    )
    .unwrap();
    let (code, _, err) = desk.cli(&["import", "loans", loans.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(
        err.contains(":5: member_no:") && err.contains(":5: amount:"),
        "{err}"
    );
    let good = std::fs::read_to_string(&loans).unwrap();
    let good = good
        .split(",\n  {\"contract_no\": \"Д-2\"")
        .next()
        .unwrap()
        .to_string()
        + "\n]";
    std::fs::write(&loans, good).unwrap();
    let out = desk.ok(&["import", "loans", loans.to_str().unwrap()], None);
    assert!(out.contains("Добавлено: 1"), "{out}");
    let out = desk.ok(&["import", "loans", loans.to_str().unwrap()], None);
    assert!(out.contains("без изменений: 1"), "{out}");
}
