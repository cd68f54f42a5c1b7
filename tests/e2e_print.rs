//! End to end: printing from the real `coopdesk` binary in a tmux pane of 80×24 — the print
//! key on an application authorized for a loan, the draft contract previewed and printed, the
//! path on the message line, the file on disk, the print in the application's history; and
//! `coopdesk print` from the command line.
//!
//! Like `e2e_tmux.rs`: a tmux server of its own per test (killed when the test ends), its own
//! directory, configuration and database; every step waits for the text it expects (5 s at
//! most, or `COOPDESK_E2E_TIMEOUT_SECS`). Without tmux the test fails, unless
//! `COOPDESK_SKIP_TMUX=1`.

mod common;
mod print_fixture;

use common::tmux::{Tmux, available, sh_quote};
use coopdesk::domain::Status;
use coopdesk::store::Store;
use print_fixture::PASSWORD;
use std::path::{Path, PathBuf};
use std::process::Command;

fn isolated(cmd: &mut Command, dir: &Path) {
    cmd.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"));
}

#[test]
fn the_print_key_prints_the_contract_of_an_authorized_application() {
    if !available() {
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("coopdesk-e2e-print-")
        .tempdir()
        .unwrap();
    let db = dir.path().join("coop.db");
    let number = print_fixture::application(&db, Status::Authorized);
    let out = dir.path().join("documents");
    // The "printer": copies what it is given next to the file, so the test sees it was called
    // with the file's path.
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[print]\ndir = {:?}\ncommand = \"cp -t {}\"\n",
            out.display(),
            dir.path().join("printer").display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("printer")).unwrap();

    let server = Tmux::new("print");
    let d = dir.path();
    let command = format!(
        "env -u NO_COLOR HOME={home} XDG_CONFIG_HOME={cfg} XDG_DATA_HOME={data} {bin} --db {db} --config {config} --today 2026-11-23; sleep 60",
        home = sh_quote(&d.display().to_string()),
        cfg = sh_quote(&d.join("config").display().to_string()),
        data = sh_quote(&d.join("data").display().to_string()),
        bin = sh_quote(env!("CARGO_BIN_EXE_coopdesk")),
        db = sh_quote(&db.display().to_string()),
        config = sh_quote(&config.display().to_string()),
    );
    let tmux = server.new_session("p", &command);
    tmux.log_in("mgr", PASSWORD);
    tmux.wait_for(&number);

    // The print key on the journal's line: the documents that fit an authorized application.
    tmux.keys(&["p"]);
    let s = tmux.wait_for(&format!("Документы {number}"));
    assert!(s.contains("ПКО: вступительный взнос"), "{s}");
    assert!(!s.contains("РКО"), "no issue order before the issue:\n{s}");
    for _ in 0..4 {
        tmux.keys(&["Down"]);
    }
    tmux.wait_for("▶ Проект договора займа");
    tmux.keys(&["Enter"]);
    tmux.wait_for("ПРОЕКТ");
    tmux.keys(&["End"]);
    tmux.wait_for("Итого");
    tmux.keys(&["Enter"]);
    let file: PathBuf = out.join(format!("{number}_contract_draft.txt"));
    let s = tmux.wait_for("Напечатано");
    assert!(
        s.contains(&format!("documents/{number}_contract_draft.txt")),
        "the path is on the message line:\n{s}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("ГРАФИК ПЛАТЕЖЕЙ") && !text.contains("{{"));
    assert!(out.join(format!("{number}_contract_draft.html")).exists());
    let printed = dir
        .path()
        .join(format!("printer/{number}_contract_draft.txt"));
    assert_eq!(std::fs::read_to_string(printed).unwrap(), text);

    // The application's history shows who printed what.
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Заявка {number}"));
    for _ in 0..4 {
        tmux.keys(&["PageDown"]);
    }
    let s = tmux.wait_for("печать — Проект договора займа");
    assert!(s.contains("mgr"), "{s}");
    tmux.keys(&["Escape"]);

    // The command line prints the same way, and lists what fits.
    let cli = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coopdesk"));
        isolated(&mut cmd, d);
        cmd.arg("--db")
            .arg(&db)
            .arg("--config")
            .arg(&config)
            .args(["--today", "2026-11-23"])
            .args(args)
            .env("USER", "tester")
            .output()
            .unwrap()
    };
    let o = cli(&["print", &number]);
    assert!(o.status.success());
    let listed = String::from_utf8(o.stdout).unwrap();
    assert!(listed.contains("contract_draft"), "{listed}");
    let o = cli(&["print", &number, "contract_draft"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join(format!("{number}_contract_draft-2.txt")).exists());
    let o = cli(&["print", &number, "contract"]);
    assert_eq!(o.status.code(), Some(1), "no contract before the issue");
    let store = Store::open(&db).unwrap();
    let id = store.application_by_number(&number).unwrap().id;
    let who: Vec<String> = store
        .prints(id)
        .unwrap()
        .into_iter()
        .map(|p| p.actor)
        .collect();
    assert_eq!(who, ["mgr", "cli:tester"]);
}
