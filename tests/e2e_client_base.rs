//! End to end on the client-base pane: the real binary in tmux at 80×24. The client-analysis
//! manager asks to transfer a client on a memo; nothing moves until the sales director approves
//! it on the requests list; then both bases show the change, and the client's history names
//! the memo and who approved it. Every step waits for the text it expects (5 s at most).

use coopdesk::i18n::Catalog;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-23";

fn tmux_available() -> bool {
    if Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    if std::env::var("COOPDESK_SKIP_TMUX").as_deref() == Ok("1") {
        eprintln!("tmux not found: end-to-end test skipped (COOPDESK_SKIP_TMUX=1)");
        return false;
    }
    panic!("tmux not found: install it, or set COOPDESK_SKIP_TMUX=1 to skip");
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// One tmux server on its own socket, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

struct Desk {
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

    fn start(&self, name: &str, login: &str, password: &str) {
        let d = self.dir.path();
        let cmd = format!(
            "env -u NO_COLOR HOME={} XDG_CONFIG_HOME={} XDG_DATA_HOME={} {} --db {} --today {TODAY}; sleep 30",
            sh_quote(&d.display().to_string()),
            sh_quote(&d.join("config").display().to_string()),
            sh_quote(&d.join("data").display().to_string()),
            sh_quote(env!("CARGO_BIN_EXE_coopdesk")),
            sh_quote(&self.db.display().to_string()),
        );
        self.tmux.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ]);
        self.wait(name, "the login screen", |s| {
            s.contains(self.cat.t("login.title"))
        });
        self.keys(name, &[login, "Tab", password, "Enter"]);
        self.wait(name, "the journal", |s| {
            s.contains(self.cat.t("pane.client_base")) && !s.contains(self.cat.t("login.title"))
        });
    }

    fn keys(&self, name: &str, keys: &[&str]) {
        let target = format!("={name}:");
        let mut args = vec!["send-keys", "-t", &target];
        args.extend_from_slice(keys);
        self.tmux.run(&args);
    }

    fn screen(&self, name: &str) -> String {
        self.tmux
            .run(&["capture-pane", "-p", "-t", &format!("={name}:")])
    }

    fn wait(&self, name: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen(name);
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "waited for {what}; the screen was:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, name: &str, text: &str) -> String {
        self.wait(name, &format!("«{text}»"), |s| s.contains(text))
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

/// A line of the screen holding every part.
fn line_with<'s>(screen: &'s str, parts: &[&str]) -> Option<&'s str> {
    screen.lines().find(|l| parts.iter().all(|p| l.contains(p)))
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
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk {
        tmux: Tmux {
            socket: format!("coopdesk-e2e-cb-{}", std::process::id()),
        },
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
    desk.start("mka", "mka", "password-1");
    desk.keys("mka", &["4"]);
    let s = desk.wait("mka", "both managers", |s| {
        base_size(s, "Иванова") == Some(3) && base_size(s, "Петров") == Some(0)
    });
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("ветеран")).collect();
    let ivanova_row = rows.iter().position(|l| l.contains("Иванова")).unwrap();
    for _ in 0..ivanova_row {
        desk.keys("mka", &["Down"]);
    }
    desk.keys("mka", &["Enter"]);
    desk.wait_for("mka", "Гаммов");
    desk.keys("mka", &["Down", "t"]);
    desk.wait_for("mka", "Передать другому менеджеру: Бетин");
    desk.wait_for("mka", "Петров Олег");
    desk.keys("mka", &["Tab"]);
    desk.keys("mka", &["-l", "СЗ № 45 от 20.11.2026"]);
    desk.keys("mka", &["Enter"]);
    desk.wait_for("mka", "Запрос №1 отправлен");
    assert_eq!(
        desk.manager_of("000002"),
        ivanova,
        "nothing moves before approval"
    );

    // The director: the requests, approve, confirm.
    desk.start("dp", "dp", "password-1");
    desk.keys("dp", &["4"]);
    desk.wait_for("dp", "Иванова");
    desk.keys("dp", &["z"]);
    desk.wait("dp", "the pending request", |s| {
        line_with(s, &["Бетин", "ждёт решения"]).is_some()
    });
    desk.keys("dp", &["y"]);
    desk.wait_for("dp", "Согласовать запрос №1");
    desk.keys("dp", &["Enter"]);
    desk.wait_for("dp", "Запрос №1 согласован");
    desk.keys("dp", &["Escape"]);
    desk.wait("dp", "both bases changed", |s| {
        base_size(s, "Иванова") == Some(2) && base_size(s, "Петров") == Some(1)
    });
    assert_ne!(desk.manager_of("000002"), ivanova);

    // The analyst's open pane shows it after a refresh; the client's history names the memo.
    // (Esc and an F-key sent in one burst read as one escape sequence: wait in between.)
    desk.keys("mka", &["Escape"]);
    desk.wait_for("mka", "· менеджеры");
    desk.keys("mka", &["F5"]);
    desk.wait("mka", "the analyst sees the new sizes", |s| {
        base_size(s, "Иванова") == Some(2) && base_size(s, "Петров") == Some(1)
    });
    let s = desk.screen("mka");
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("ветеран")).collect();
    let petrov_row = rows.iter().position(|l| l.contains("Петров")).unwrap();
    let ivanova_row = rows.iter().position(|l| l.contains("Иванова")).unwrap();
    for _ in ivanova_row..petrov_row {
        desk.keys("mka", &["Down"]);
    }
    desk.keys("mka", &["Enter"]);
    desk.wait_for("mka", "Бетин");
    desk.keys("mka", &["h"]);
    desk.wait("mka", "the history line", |s| {
        line_with(s, &["Иванова Анна -> Петров Олег", "dp", "СЗ № 45"]).is_some()
    });
}
