//! No personal data in logs (issue 9 §6). The real binary is driven through what goes wrong
//! around a member with distinctive personal data — an import with bad rows (CSV and JSON),
//! an application import with bad rows, a search that finds nothing, a failed login, a
//! refused action and a reveal at a desk in tmux — and everything it wrote besides the
//! database itself (stderr of every command, the desk's stderr, any other file it left under
//! its home and data folders: logs, drafts) is searched for those values: none may appear.
//! Errors name the file, the line and the field, never the value.

mod common;

use common::tmux::{Tmux, available};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TODAY: &str = "2026-11-23";

/// What must never be written anywhere but the database: the member's name, passport (as
/// typed and as stored), phone (typed and stored), birth date, address, e-mail.
const PERSONAL: &[&str] = &[
    "Зверобоев",
    "Эльвира",
    "Авксентьев",
    "4517 908172",
    "4517908172",
    "908172",
    "640-27-58",
    "6402758",
    "17.09.1979",
    "1979-09-17",
    "Кукуевка",
    "Тихая",
    "zveroboev",
];

const HEADER: &str = "member_no,last_name,first_name,patronymic,birth_date,passport,phone,email,reg_address,fact_address,status,joined_on,office,manager,potential,client_group,territory,related_group";

fn leaks(text: &str) -> Vec<&'static str> {
    PERSONAL
        .iter()
        .copied()
        .filter(|p| text.contains(p))
        .collect()
}

struct Desk {
    dir: tempfile::TempDir,
    db: PathBuf,
    /// Every command's stderr, in order, with the command.
    stderr: Vec<(String, String)>,
}

impl Desk {
    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        common::tmux::desk_env(self.dir.path())
    }

    /// Run a command; its exit code and stdout. Its stderr is kept for the check.
    fn run(&mut self, args: &[&str], stdin: Option<&str>) -> (i32, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .args(["--db", self.db.to_str().unwrap(), "--today", TODAY])
            .args(args)
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                writeln!(input, "{s}").unwrap();
            }
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        self.stderr.push((args.join(" "), err));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join("in").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }

    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("coop.db");
        let mut d = Desk {
            dir,
            db,
            stderr: Vec::new(),
        };
        for (args, stdin) in [
            (
                vec!["init", "--admin", "admin", "--password-stdin"],
                Some("admin-pw-1"),
            ),
            (
                vec!["office", "add", "TSK", "--name", "Томск", "--city", "Томск"],
                None,
            ),
            (
                vec![
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
                Some("manager1-pw-1"),
            ),
        ] {
            let (code, _) = d.run(&args, stdin);
            assert_eq!(code, 0, "{args:?}: {:?}", d.stderr.last());
        }
        let good = d.file(
            "good.csv",
            &format!(
                "{HEADER}\n000301,Зверобоева,Эльвира,Авксентьевна,17.09.1979,4517 908172,\
                 +7 913 640-27-58,zveroboeva@mail.ru,\"с. Кукуевка, ул. Тихая, д. 77\",,member,\
                 01.02.2024,TSK,manager1,A,installers,Томск,\n"
            ),
        );
        let (code, out) = d.run(&["import", "members", &good], None);
        assert_eq!(code, 0, "{out} {:?}", d.stderr.last());
        d
    }
}

#[test]
fn nothing_personal_reaches_stderr_or_files_when_things_go_wrong() {
    let mut d = Desk::new();

    // Members with bad rows: every kind of mistake in and around the personal fields, the
    // same person's data in each. All refused, each by file, line and field.
    let bad = d.file(
        "bad.csv",
        &format!(
            "{HEADER}\n\
             000302,Зверобоев,Эльвира,Авксентьевна,31.02.1979,4517 9O8172,8 (913) 640-27-5,zveroboev@@mail,\"с. Кукуевка, ул. Тихая, д. 77\",,member,01.02.2024,TSK,manager1,A,installers,Томск,\n\
             000303,Зверобоева2,Эльвира,Авксентьевна,17.09.1979,4517 908172,+7 913 640-27-58,,\"с. Кукуевка, ул. Тихая, д. 77\",,membr,01.02.2024,TSKX,managerX,Z,plumbers,Томск,\n\
             000304,Зверобоева,Эльвира,Авксентьевна,17.09.2079,4517 908172,+7913640275899999,,,,member,,TSK,,A,installers,Томск,\n\
             000305,Зверобоева,Эльвира,Авксентьевна,17.09.1979,4517 908172,+7 913 640-27-58,,\"с. Кукуевка, ул. Тихая, д. 77\",,member,01.02.2024,TSK,,A,installers,Томск,\n"
        ),
    );
    let (code, _) = d.run(&["import", "members", &bad], None);
    assert_eq!(code, 1);
    let err = &d.stderr.last().unwrap().1;
    assert!(
        err.contains(":2: passport") && err.contains(":5: passport"),
        "{err}"
    );
    // A JSON file whose second record is not an object but the person's data as one string.
    let json = d.file(
        "bad.json",
        "[{\"member_no\": \"000306\"},\n \"Зверобоева Эльвира 4517 908172 +79136402758\"]\n",
    );
    let (code, _) = d.run(&["import", "members", &json], None);
    assert_ne!(code, 0);
    assert!(d.stderr.last().unwrap().1.contains("line 2"));
    // A CSV file broken mid-record.
    let broken = d.file(
        "broken.csv",
        &format!("{HEADER}\n000307,\"Зверобоева,Эльвира 4517 908172\n"),
    );
    let (code, _) = d.run(&["import", "members", &broken], None);
    assert_ne!(code, 0);
    // Applications with bad borrower data.
    let apps = d.file(
        "apps.csv",
        "external_id,last_name,first_name,patronymic,birth_date,passport,reg_address,fact_address,phone,email,income,expenses,payments,deductions,product,amount,term_months,purpose,office\n\
         w1,Зверобоева,Эльвира,Авксентьевна,17.09.2079,4517 90817,\"с. Кукуевка, ул. Тихая, д. 77\",,+7 913 640-27-5,zveroboev@@mail,abc,,,,consumer,150000,24,,TSK\n\
         w2,Зверобоева,Эльвира,Авксентьевна,17.09.1979,4517 908172,\"с. Кукуевка, ул. Тихая, д. 77\",,+7 913 640-27-58,,65000,,,,yacht,150000,24,,TSK\n",
    );
    let (code, _) = d.run(&["import", "applications", &apps], None);
    assert_eq!(code, 1);
    assert!(d.stderr.last().unwrap().1.contains(":2: passport"));
    // Searches that find nothing, by passport and by phone.
    for q in ["4517 908179", "+7 913 640-27-59"] {
        d.run(&["members", "search", q], None);
    }
    // A member number that does not exist, and the audit of the real one (its trail goes
    // to stdout, which is the answer asked for, not a log).
    d.run(&["members", "views", "999999"], None);
    let (code, _) = d.run(&["audit", "--member", "000301"], None);
    assert_eq!(code, 0);

    // A desk: a failed login, then the manager finds the member by passport, is refused an
    // action of the cash desk, reveals the personal data, and leaves. Its stderr to a file.
    if available() {
        let tmux = Tmux::new("nopd");
        let desk_err = d.dir.path().join("desk-stderr.txt");
        let cmd = format!(
            "{} --db '{}' --today {TODAY} 2>'{}'; sleep 60",
            env!("CARGO_BIN_EXE_coopdesk"),
            d.db.display(),
            desk_err.display()
        );
        let t = tmux.new_session_with_env("desk", &cmd, &d.env());
        t.log_in("manager1", "not-the-password");
        t.wait_for("Неверный логин или пароль");
        // The password field has the cursor again.
        t.type_text("manager1-pw-1");
        t.keys(&["Enter"]);
        t.wait_for("manager1 · TSK");
        t.keys(&["2"]);
        t.wait_for("Наберите фамилию");
        t.type_text("4517 908172");
        t.wait_line(&["000301", "Зверобоева Эльвира"]);
        t.keys(&["Enter"]);
        t.wait_for("История работы");
        t.keys(&["x"]);
        t.wait_for("этот шаг выполняет кассир");
        t.keys(&["v"]);
        t.wait_for("просмотр записан");
        t.keys(&["C-c"]);
        t.wait_until("the desk to exit", |_| {
            t.format("#{pane_current_command}") == "sleep"
        });
        let err = std::fs::read_to_string(&desk_err).unwrap_or_default();
        d.stderr.push(("the desk".into(), err));
    }

    for (cmd, err) in &d.stderr {
        let found = leaks(err);
        assert!(
            found.is_empty(),
            "coopdesk {cmd} wrote {found:?} to stderr:\n{err}"
        );
    }
    // Every other file it left: logs, drafts, anything but the database, its backups and
    // the files this test wrote for it to import.
    let mut files = Vec::new();
    collect(d.dir.path(), &mut files);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = name.ends_with(".db") || name.ends_with(".db-wal") || name.ends_with(".db-shm");
        if data || f.starts_with(d.dir.path().join("in")) {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        let found = leaks(&text);
        assert!(found.is_empty(), "{} holds {found:?}", f.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn the_checker_itself_finds_a_leak() {
    assert_eq!(
        leaks("bad.csv:2: passport: «4517 908172» is not a passport"),
        vec!["4517 908172", "908172"]
    );
    assert!(leaks("bad.csv:2: passport: серия — 4 цифры, номер — 6 цифр").is_empty());
}
