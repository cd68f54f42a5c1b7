//! The client base from the command line, on the real binary: a manager's profile, the two
//! imports (all or nothing, idempotent), the report against hand-computed figures, and the
//! automatic unassignment, dry run and applied.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    fn run(&self, args: &[&str], stdin: &str) -> Run {
        let home = self.dir.path().join("home");
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"])
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("USER", "tester")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args, "");
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn sql<T: rusqlite::types::FromSql>(&self, q: &str) -> T {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(q, [], |r| r.get(0))
            .unwrap()
    }
}

/// A database with a universal novice manager and four clients from the accounting system.
fn set_up() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let env = Env {
        db: dir.path().join("cb.db"),
        dir,
    };
    let r = env.run(
        &["init", "--admin", "admin", "--password-stdin"],
        "пароль-админа-1\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run(
        &[
            "staff",
            "add",
            "ivanova",
            "--name",
            "Иванова Анна",
            "--office",
            "HQ",
            "--roles",
            "manager",
            "--password-stdin",
        ],
        "пароль-менеджера\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Members come from the accounting system.
    let mut csv = String::from(
        "member_no,last_name,first_name,patronymic,birth_date,passport,phone,email,reg_address,fact_address,status,joined_on,office,manager,potential,client_group,territory,related_group\n",
    );
    for (i, (no, group, related)) in [
        ("000001", "installers", "Альфа"),
        ("000002", "installers", "Альфа"),
        ("000003", "dealers", ""),
        ("000004", "installers", ""),
    ]
    .into_iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "{no},Клиентов,Кирилл,,01.01.1980,4500 00000{i},,,,,member,2024-01-01,HQ,,A,{group},Томск,{related}\n"
        ));
    }
    let members = env.file("members.csv", &csv);
    let r = env.run(&["import", "members", &members], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

#[test]
fn profile_imports_report_and_unassignment() {
    let env = set_up();
    // An unknown specialisation is refused and names the value.
    let r = env.run(
        &["staff", "set", "ivanova", "--specialization", "plumbers"],
        "",
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("plumbers"), "{}", r.stderr);
    let r = env.run(
        &["staff", "set", "ivanova", "--novice-since", "1.8.2026"],
        "",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    env.ok(&[
        "staff",
        "set",
        "ivanova",
        "--specialization",
        "universal",
        "--novice-since",
        "2026-08-01",
    ]);

    let assignments = env.file(
        "assign.csv",
        "client,manager,since\n000001,ivanova,2026-01-01\n000002,ivanova,2026-01-01\n000003,ivanova,2026-01-01\n000004,ivanova,2026-01-01\n",
    );
    let out = env.ok(&["import", "assignments", &assignments]);
    assert!(out.contains('4'), "{out}");
    let out = env.ok(&["import", "assignments", &assignments]);
    assert!(
        out.contains("0") && out.contains("4"),
        "a repeat changes nothing: {out}"
    );
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM assignment_history"), 4);

    let mut turnover = String::from("client,month,amount\n");
    for m in 5..=10 {
        turnover.push_str(&format!(
            "000001,2026-{m:02},20000\n000002,2026-{m:02},20000\n"
        ));
        turnover.push_str(&format!("000003,2026-{m:02},10000.50\n"));
    }
    let turnover = env.file("turnover.csv", &turnover);
    env.ok(&["import", "turnover", &turnover]);
    let again = env.ok(&["import", "turnover", &turnover]);
    assert!(again.contains("18"), "18 unchanged: {again}");

    // A bad file: every problem by line and field, nothing written.
    let bad = env.file(
        "bad.csv",
        "client,month,amount\n000001,2026-11,много\n999999,2026-11,1\n000001,2026-13,1\n",
    );
    let r = env.run(&["import", "turnover", &bad], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bad.csv:2: amount"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.csv:3: client"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.csv:4: month"), "{}", r.stderr);
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM turnover"), 18);

    // The report, computed by hand: a novice since 1 August has the 2-month minimum of 15 and
    // the maximum of 40; the Альфа group is one unit, so 3 units; paying in October (over
    // 15 000): only Альфа (40 000) — 1 of 3 = 33.3 %; the dealer is non-core (none allowed);
    // no meetings (20 needed) nor cold calls (100 needed). Black list (under 15 000 in each of
    // September and October): the dealer and the idle client; due for unassignment: the idle
    // one (nothing for six months, no debt, held since January).
    let json = env.ok(&["client-base", "report", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let iv = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["login"] == "ivanova")
        .unwrap();
    assert_eq!(iv["status"], "novice");
    assert_eq!(
        (iv["size"].as_u64(), iv["min"].as_u64(), iv["max"].as_u64()),
        (Some(3), Some(15), Some(40))
    );
    assert_eq!(iv["paying"], 1);
    assert_eq!(iv["paying_share"], "33.3");
    assert_eq!(iv["paying_share_min"], "35.0");
    assert_eq!(
        (iv["non_core"].as_u64(), iv["non_core_max"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        (iv["meetings_min"].as_u64(), iv["cold_calls_min"].as_u64()),
        (Some(20), Some(100))
    );
    let codes: Vec<&str> = iv["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "size_below_min",
            "paying_share_low",
            "non_core_over",
            "meetings_low",
            "cold_calls_low"
        ]
    );
    assert!(iv["violations"][0]["text"].as_str().unwrap().contains("15"));
    assert_eq!(iv["black_listed"], serde_json::json!(["000003", "000004"]));
    assert_eq!(iv["due_unassign"], serde_json::json!(["000004"]));
    assert_eq!(iv["non_core_clients"], serde_json::json!(["000003"]));

    let table = env.ok(&["client-base", "report"]);
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    assert!(
        table.contains("Иванова") && table.contains("новичок"),
        "{table}"
    );

    // Unassignment: a dry run changes nothing; --apply detaches, recorded with its reason.
    let dry = env.ok(&["client-base", "unassign-idle"]);
    assert!(dry.contains("000004") && dry.contains("--apply"), "{dry}");
    assert_eq!(
        env.sql::<Option<i64>>("SELECT manager_id FROM members WHERE member_no = '000004'"),
        Some(2)
    );
    env.ok(&["client-base", "unassign-idle", "--apply"]);
    assert_eq!(
        env.sql::<Option<i64>>("SELECT manager_id FROM members WHERE member_no = '000004'"),
        None
    );
    assert_eq!(
        env.sql::<String>(
            "SELECT reason || ' ' || actor FROM assignment_history ORDER BY id DESC LIMIT 1"
        ),
        "idle cli:tester"
    );
}
