//! `coopdesk print` on the real binary: listing the documents that fit, printing into the
//! configured folder and to --out, the print command's failure, and the exit codes — 1 for
//! an application or document refused, 2 for a usage or template error.

mod print_fixture;

use coopdesk::domain::Status;
use coopdesk::store::Store;
use coopdesk::store::prints::PrintOutcome;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
    number: String,
}

impl Env {
    fn new(to: Status) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coop.db");
        let number = print_fixture::application(&db, to);
        Env { dir, db, number }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn config(&self, text: &str) -> PathBuf {
        let p = self.dir.path().join("config.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn run(&self, config: Option<&Path>, args: &[&str]) -> Run {
        let home = self.home();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coopdesk"));
        cmd.arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"]);
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("USER", "tester")
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[test]
fn print_lists_prints_and_records() {
    let env = Env::new(Status::Archived);
    let n = env.number.clone();

    // Without a document: the ones that fit, by code and name.
    let r = env.run(None, &["print", &n]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let codes: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        codes,
        [
            "application",
            "membership",
            "entrance_fee",
            "share",
            "contract",
            "guarantee",
            "issue_order"
        ]
    );
    assert!(r.stdout.contains("Договор займа с графиком платежей"));
    assert_eq!(env.run(None, &["print", &n, "list"]).stdout, r.stdout);

    // Into the default folder under the data directory; nothing to print with: saved.
    let r = env.run(None, &["print", &n, "contract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = env
        .home()
        .join(format!(".local/share/coopdesk/documents/{n}_contract.txt"));
    assert_eq!(r.stdout.trim(), format!("Сохранено: {}", file.display()));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("ДОГОВОР ЗАЙМА № 2026/000001"), "{text}");
    assert!(file.with_extension("html").exists());

    // Where --out says, as HTML; a configured printer is not used for it.
    let cfg = env.config("[print]\ncommand = \"false\"\n");
    let out = env.dir.path().join("batch/issue.html");
    let r = env.run(
        Some(&cfg),
        &["print", &n, "issue_order", "--out", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("РАСХОДНЫЙ КАССОВЫЙ ОРДЕР"));

    // A printer that fails: exit 1, told why, the file kept, the print recorded as failed.
    let r = env.run(Some(&cfg), &["print", &n, "guarantee"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("печать не удалась: exit 1"),
        "{}",
        r.stderr
    );
    assert!(
        env.home()
            .join(format!(".local/share/coopdesk/documents/{n}_guarantee.txt"))
            .exists()
    );

    let store = Store::open(&env.db).unwrap();
    let id = store.application_by_number(&n).unwrap().id;
    let prints: Vec<_> = store
        .prints(id)
        .unwrap()
        .into_iter()
        .map(|p| (p.document, p.actor, p.outcome))
        .collect();
    assert_eq!(
        prints,
        [
            ("contract".into(), "cli:tester".into(), PrintOutcome::Saved),
            (
                "issue_order".into(),
                "cli:tester".into(),
                PrintOutcome::Saved
            ),
            (
                "guarantee".into(),
                "cli:tester".into(),
                PrintOutcome::Failed
            ),
        ]
    );
}

#[test]
fn print_refuses_with_the_exit_code_of_the_reason() {
    let env = Env::new(Status::Authorized);
    let n = env.number.clone();
    // No such application: refused.
    let r = env.run(None, &["print", "2099-000001", "contract"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // No such document: a usage error naming the documents there are.
    let r = env.run(None, &["print", &n, "dogovor"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("«dogovor»") && r.stderr.contains("contract_draft"),
        "{}",
        r.stderr
    );
    // The contract before the loan is issued: refused, saying what there is.
    let r = env.run(None, &["print", &n, "contract"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("contract_draft"), "{}", r.stderr);
    // A database that does not exist is not created by printing.
    let r = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .args(["--db", "/nonexistent/dir/x.db", "print", &n, "contract"])
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
}

#[test]
fn a_broken_template_of_the_cooperative_stops_every_command_naming_file_and_line() {
    let env = Env::new(Status::New);
    let assets = env.dir.path().join("assets");
    std::fs::create_dir_all(assets.join("templates")).unwrap();
    let tmpl = assets.join("templates/membership.txt");
    std::fs::write(&tmpl, "Заявление\n{% if borrower.full_name %}\nбез конца\n").unwrap();
    let cfg = env.config(&format!("assets_dir = {:?}\n", assets.display()));
    let r = env.run(Some(&cfg), &["print", &env.number, "application"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains(&format!("Шаблон {}, строка", tmpl.display())),
        "{}",
        r.stderr
    );
    // Mended, it prints; the cooperative's copy is what comes out.
    std::fs::write(&tmpl, "Заявление {{ borrower.full_name }}\n").unwrap();
    std::fs::create_dir_all(env.dir.path().join("o")).unwrap();
    let out = env.dir.path().join("o/m.txt");
    let r = env.run(
        Some(&cfg),
        &[
            "print",
            &env.number,
            "application",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}
