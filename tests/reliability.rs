//! Many desks at once and writers killed mid-transaction, on the real binary and the real
//! store: nothing acknowledged is lost, no database error reaches a desk, every transition,
//! fee payment, sale and assignment is all there or not there at all, and two people saving
//! the same record are told who saved first and when.
//!
//! The long runs are on demand:
//! `coopdesk --db /tmp/s.db stress run --workers 24 --seconds 60` and
//! `COOPDESK_CRASH_ITERATIONS=1000 cargo test --test reliability crash`.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::cli::stress;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::member::MemberData;
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::{Store, StoreError};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    today().and_hms_opt(h, m, 0).unwrap()
}

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coop.db");
        Env { dir, db }
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

    fn logs(&self) -> PathBuf {
        self.dir.path().join("logs")
    }
}

/// A figure from the report: the number after `label`.
fn figure(out: &str, label: &str) -> u64 {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().trim_start_matches(':').trim().parse().ok())
        .unwrap_or_else(|| panic!("no «{label}» in:\n{out}"))
}

// ----- many desks at once ---------------------------------------------------------------------

#[test]
fn eight_desks_writing_at_once_lose_nothing_and_see_no_database_error() {
    let env = Env::new();
    let out = env
        .command(&[
            "stress",
            "run",
            "--workers",
            "8",
            "--seconds",
            "5",
            "--seed",
            "7",
            // Near saturation, so the desks really wait for each other; timings not asserted.
            "--pause-ms",
            "10",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{text}\n{err}");
    assert_eq!(figure(&text, "database errors"), 0, "{text}");
    assert_eq!(figure(&text, "failures"), 0, "{text}");
    // Every kind of write really happened, so the reconciliation had something to check.
    for label in [
        "applications created",
        "transitions",
        "member edits",
        "calls and meetings",
        "change requests",
        "decisions",
        "voluntary shares",
        "sales (savings, services)",
    ] {
        assert!(figure(&text, label) > 0, "no {label}:\n{text}");
    }
    assert!(figure(&text, "acknowledged writes") > 100, "{text}");
    assert!(!err.contains("locked"), "{err}");
}

/// Found after `rm <db>` and a second `stress run` on the same path: the new run verified the
/// old run's logs too and reported hundreds of acknowledged writes missing. A run now starts
/// from an empty logs folder, and leaves alone a folder with files that are not workers' logs.
#[test]
fn a_second_run_on_the_same_path_ignores_the_old_runs_logs() {
    let env = Env::new();
    let logs = stress::logs_dir(&env.db);
    std::fs::create_dir_all(&logs).unwrap();
    // An application the old run created, in a database since removed.
    std::fs::write(logs.join("worker-000.log"), "A\t100\t999999\n").unwrap();
    std::fs::write(logs.join("worker-031.log"), "A\t100\t999998\n").unwrap();
    let run = |env: &Env| {
        env.command(&[
            "stress",
            "run",
            "--workers",
            "2",
            "--seconds",
            "1",
            "--pause-ms",
            "50",
        ])
        .output()
        .unwrap()
    };
    let out = run(&env);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{text}\n{err}");
    assert_eq!(figure(&text, "failures"), 0, "{text}");
    assert!(!logs.join("worker-031.log").exists());

    // Something else in the folder: refused before anything is built, the file kept.
    std::fs::remove_file(&env.db).unwrap();
    let _ = std::fs::remove_file(env.db.with_extension("db-wal"));
    let _ = std::fs::remove_file(env.db.with_extension("db-shm"));
    std::fs::write(logs.join("notes.txt"), "mine").unwrap();
    let out = run(&env);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(err.contains("notes.txt"), "{err}");
    assert!(logs.join("notes.txt").exists());
    assert!(!env.db.exists(), "nothing built");
}

#[test]
fn the_verifier_notices_a_lost_write_and_a_half_transaction() {
    // The harness must be able to fail: take a finished run and damage it.
    let env = Env::new();
    let out = env
        .command(&[
            "stress",
            "run",
            "--workers",
            "2",
            "--seconds",
            "1",
            "--pause-ms",
            "0",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let logs = stress::logs_dir(&env.db);
    let clean = stress::verify(&env.db, &logs, 0).unwrap();
    assert!(clean.failures.is_empty(), "{:?}", clean.failures);

    let conn = rusqlite::Connection::open(&env.db).unwrap();
    // An acknowledged call disappears.
    let n = conn
        .execute(
            "DELETE FROM contacts WHERE id = (SELECT max(id) FROM contacts)",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = stress::verify(&env.db, &logs, 0).unwrap();
    assert!(
        r.failures
            .iter()
            .any(|f| f.contains("acknowledged but missing") && f.contains("calls")),
        "{:?}",
        r.failures
    );
    // A status written without its history row.
    conn.execute(
        "UPDATE applications SET status = 'rejected', reject_reason = 'x'
         WHERE id = (SELECT min(id) FROM applications WHERE status = 'new')",
        [],
    )
    .unwrap();
    let r = stress::verify(&env.db, &logs, 0).unwrap();
    assert!(
        r.failures
            .iter()
            .any(|f| f.starts_with("the last status change in the history")),
        "{:?}",
        r.failures
    );
    // An extra write nobody acknowledged.
    conn.execute(
        "INSERT INTO personal_data_views(at, staff_id, actor, member_id)
         SELECT '2026-11-23 12:00:00', id, login, 1 FROM staff LIMIT 1",
        [],
    )
    .unwrap();
    let r = stress::verify(&env.db, &logs, 0).unwrap();
    assert!(
        r.failures.iter().any(|f| f.contains("nobody acknowledged")),
        "{:?}",
        r.failures
    );
}

// ----- writers killed at random moments -------------------------------------------------------

/// SplitMix64 for the kill times (no rand crate in the project).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

#[test]
fn writers_killed_at_random_moments_leave_every_transaction_whole() {
    let iterations: u64 = std::env::var("COOPDESK_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("COOPDESK_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261123);
    let env = Env::new();
    stress::fixture(&env.db, today(), at(9, 0)).unwrap();
    std::fs::create_dir_all(env.logs()).unwrap();
    let mut rng = Rng(seed);
    let mut kills = 0u64;
    let mut writes_logged = 0usize;
    for i in 0..iterations {
        // Two desks at once, so a kill also lands while the other waits for the lock.
        let mut children: Vec<_> = (0..2)
            .map(|w| {
                env.command(&[
                    "stress",
                    "worker",
                    "--id",
                    &(w + 2 * i).to_string(),
                    "--seconds",
                    "30",
                    "--seed",
                    &seed.to_string(),
                    "--pause-ms",
                    "0",
                    "--log",
                    env.logs()
                        .join(format!("crash-{i:05}-{w}.log"))
                        .to_str()
                        .unwrap(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        let first = 30 + rng.below(150);
        let second = rng.below(60);
        if i % 2 == 1 {
            // Every other iteration the kill waits until both desks have written (their logs
            // are not empty), then lands at a random moment of their work: on a slow or busy
            // machine a desk may take longer than `first` to start, and the kills would all
            // land before anything was written.
            let logs: Vec<PathBuf> = (0..2)
                .map(|w| env.logs().join(format!("crash-{i:05}-{w}.log")))
                .collect();
            let started = std::time::Instant::now();
            while started.elapsed() < std::time::Duration::from_secs(20)
                && !logs
                    .iter()
                    .all(|l| std::fs::metadata(l).is_ok_and(|m| m.len() > 0))
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            std::thread::sleep(std::time::Duration::from_millis(first - 30));
        } else {
            // A random moment from the start: during start-up, or while it writes.
            std::thread::sleep(std::time::Duration::from_millis(first));
        }
        for c in &mut children {
            // `Child::kill` is SIGKILL on Unix: no destructor, no rollback, no flush.
            c.kill().unwrap();
            kills += 1;
            std::thread::sleep(std::time::Duration::from_millis(second));
        }
        for c in children {
            let out = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("stress:"), "iteration {i}: {err}");
        }
        let report = stress::verify(&env.db, &env.logs(), kills).unwrap();
        assert!(
            report.failures.is_empty(),
            "iteration {i} (seed {seed}, killed after {first} ms):\n{}",
            report.text()
        );
        writes_logged = report.latencies_us.len();
        if i + 1 == iterations {
            println!("{iterations} iterations, {kills} kills:\n{}", report.text());
        }
    }
    // The kills landed while work was going on, not only before the first write (every other
    // iteration waits for two writes at least, so this fails only when the waiting does not).
    assert!(
        writes_logged as u64 >= iterations,
        "only {writes_logged} writes in {iterations} iterations"
    );
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    // Kills landed on every kind of step, so every invariant was tried.
    for (what, sql) in [
        (
            "past the cash desk",
            "SELECT count(*) FROM applications WHERE status IN ('member','authorized','archived')",
        ),
        (
            "loans issued",
            "SELECT count(*) FROM sales WHERE application_id IS NOT NULL",
        ),
        (
            "sold",
            "SELECT count(*) FROM sales WHERE application_id IS NULL",
        ),
        (
            "assignments approved",
            "SELECT count(*) FROM assignment_requests WHERE status = 'approved'",
        ),
        (
            "member edits",
            "SELECT count(*) FROM audit WHERE action = 'members.edit'",
        ),
    ] {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0)).unwrap();
        assert!(n > 0, "nothing {what} in {iterations} iterations");
    }
}

// ----- two people, one record -----------------------------------------------------------------

fn member_data(store: &Store, id: i64, phone: &str) -> (i64, MemberData) {
    let m = store.member(id).unwrap();
    (
        m.version,
        MemberData {
            last_name: m.last_name,
            first_name: m.first_name,
            patronymic: m.patronymic,
            birth_date: m.birth_date,
            passport: m.passport,
            reg_address: m.reg_address,
            fact_address: m.fact_address,
            phone: phone.into(),
            email: m.email,
            potential: m.potential,
            client_group: m.client_group,
            territory: m.territory,
            related_group: m.related_group,
        },
    )
}

/// Run `save` at two desks (their own connections) at the same moment; return both results.
fn at_once<T: Send>(
    db: &Path,
    save: impl Fn(&mut Store, usize) -> Result<T, StoreError> + Sync,
) -> [Result<T, StoreError>; 2] {
    let gate = Arc::new(Barrier::new(2));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let (gate, save) = (gate.clone(), &save);
                s.spawn(move || {
                    let mut store = Store::open(db).unwrap();
                    gate.wait();
                    save(&mut store, k)
                })
            })
            .collect();
        let mut it = handles.into_iter().map(|h| h.join().unwrap());
        [it.next().unwrap(), it.next().unwrap()]
    })
}

#[test]
fn two_people_saving_one_member_at_once_the_second_is_told_who_and_when() {
    let env = Env::new();
    stress::fixture(&env.db, today(), at(9, 0)).unwrap();
    let store = Store::open(&env.db).unwrap();
    let people = [
        store.actor_by_login("mgr0").unwrap(),
        store.actor_by_login("head").unwrap(),
    ];
    let ru = Catalog::builtin("ru");
    for round in 0..15u32 {
        let id = store
            .member_id_by_no(&format!("С-{round:05}"))
            .unwrap()
            .unwrap();
        let phones = [format!("+7913100{round:04}"), format!("+7913200{round:04}")];
        let (version, _) = member_data(&store, id, "");
        let times = [at(10, round), at(11, round)];
        let results = at_once(&env.db, |s, k| {
            let (_, d) = member_data(s, id, &phones[k]);
            s.update_member(&people[k], id, version, &d, times[k])
        });
        let winners: Vec<usize> = (0..2).filter(|k| results[*k].is_ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        let expected_at = times[w].format("%Y-%m-%d %H:%M:%S").to_string();
        match &results[l] {
            Err(e @ StoreError::Conflict { by, at }) => {
                assert_eq!(by, &people[w].login);
                assert_eq!(at, &expected_at);
                let said = e.message(&ru);
                assert!(
                    said.contains(&people[w].login) && said.contains(&expected_at),
                    "{said}"
                );
            }
            other => panic!("round {round}: the second save got {other:?}"),
        }
        let now = store.member(id).unwrap();
        assert_eq!(now.phone, phones[w], "round {round}: a silent overwrite");
        assert_eq!(now.version, version + 1);
    }
}

#[test]
fn two_people_saving_one_application_at_once_the_second_is_told_who_and_when() {
    let env = Env::new();
    stress::fixture(&env.db, today(), at(9, 0)).unwrap();
    let mut store = Store::open(&env.db).unwrap();
    let rules = Rules::builtin();
    let people = [
        store.actor_by_login("mgr0").unwrap(),
        store.actor_by_login("head").unwrap(),
    ];
    let input = ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        patronymic: "Сергеевич".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        passport_issued_by: "ОУФМС России по Томской обл.".into(),
        passport_issued_on: "20.04.2005".into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        fact_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 (924) 811-16-71".into(),
        income: "65000".into(),
        expenses: "20000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        ..Default::default()
    };
    let data = draft::validate(&input, &rules.products, today()).unwrap();
    let office = people[0].office_id;
    for round in 0..10u32 {
        let app = store
            .create_application(&people[0], &data, office, at(9, round))
            .unwrap();
        let times = [at(10, round), at(11, round)];
        let results = at_once(&env.db, |s, k| {
            let mut d = app.data.clone();
            d.loan.term_months = [12, 36][k];
            s.update_application(&people[k], app.id, app.version, &d, office, times[k])
        });
        let winners: Vec<usize> = (0..2).filter(|k| results[*k].is_ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        match &results[l] {
            Err(StoreError::Conflict { by, at }) => {
                assert_eq!(by, &people[w].login);
                assert_eq!(at, &times[w].format("%Y-%m-%d %H:%M:%S").to_string());
            }
            other => panic!("round {round}: the second save got {other:?}"),
        }
        let now = store.application(app.id).unwrap();
        assert_eq!(now.data.loan.term_months, [12, 36][w]);
    }
}
