//! Access, checked where it cannot be bypassed: every write of the store refuses a login that
//! lacks the role, whoever calls it and however (the screens are not the guard), and leaves
//! the database as it was; passwords are stored as argon2id at or above OWASP's minimum.
//! The queue's transitions are covered role by role in `tests/store.rs`.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::cli::stress;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::member::{Contact, ContactKind, MemberData};
use coopdesk::domain::{Money, Role};
use coopdesk::rules::Rules;
use coopdesk::store::applications::CheckOutcome;
use coopdesk::store::client_base::{By, ChangeKind, ChangeRequest, ProfileChange};
use coopdesk::store::prints::PrintOutcome;
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(12, 0, 0).unwrap()
}

// ----- passwords ------------------------------------------------------------------------------

/// The parameters of a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`.
fn phc(hash: &str) -> (String, u32, u32, u32, u32) {
    let parts: Vec<&str> = hash.split('$').collect();
    assert_eq!(parts.len(), 6, "not a PHC string: {hash}");
    let version: u32 = parts[2].strip_prefix("v=").unwrap().parse().unwrap();
    let mut m = 0;
    let mut t = 0;
    let mut p = 0;
    for kv in parts[3].split(',') {
        let (k, v) = kv.split_once('=').unwrap();
        let v: u32 = v.parse().unwrap();
        match k {
            "m" => m = v,
            "t" => t = v,
            "p" => p = v,
            other => panic!("unknown parameter {other} in {hash}"),
        }
    }
    (parts[1].to_string(), version, m, t, p)
}

#[test]
fn stored_passwords_are_argon2id_at_or_above_the_owasp_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    // The way a person is really added: `coopdesk init` with the password on stdin.
    let out = {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&db)
            .args(["init", "--admin", "admin", "--password-stdin"])
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("share"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"admin-pw-2026\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(out.status.success(), "{out:?}");
    let store = Store::open(&db).unwrap();
    let stored: String = store
        .conn()
        .query_row(
            "SELECT password_hash FROM staff WHERE login = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for hash in [stored.clone(), hash_password("другой-пароль-9").unwrap()] {
        let (alg, version, m, t, p) = phc(&hash);
        assert_eq!(alg, "argon2id", "{hash}");
        assert_eq!(version, 19, "{hash}");
        assert!(m >= 19_456, "memory {m} KiB below 19456: {hash}");
        assert!(t >= 2, "iterations {t} below 2: {hash}");
        assert!(p >= 1, "parallelism {p}: {hash}");
        assert!(!hash.contains("admin-pw-2026"));
    }
    // Each hash has its own salt.
    assert_ne!(
        hash_password("same").unwrap(),
        hash_password("same").unwrap()
    );
}

// ----- every write refuses the wrong role -----------------------------------------------------

struct Branch {
    _dir: tempfile::TempDir,
    store: Store,
    rules: Rules,
    /// One person per role, holding only that role.
    people: Vec<(Role, Actor)>,
    analyst: Actor,
    member: i64,
    /// Clients in the pool, one per attach request.
    pool: Vec<i64>,
    application: i64,
    counter: u32,
}

fn branch() -> Branch {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    stress::fixture(&db, today(), now()).unwrap();
    let mut store = Store::open(&db).unwrap();
    let hash: String = store
        .conn()
        .query_row("SELECT password_hash FROM staff LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let mut people = Vec::new();
    for role in Role::ALL {
        let login = format!("only-{}", role.code());
        store
            .add_staff(
                "test",
                &login,
                "Проверка Ролей",
                "TOM",
                &[role],
                &hash,
                now(),
            )
            .unwrap();
        people.push((role, store.actor_by_login(&login).unwrap()));
    }
    let analyst = store.actor_by_login("mka").unwrap();
    let member = store.member_id_by_no("С-00000").unwrap().unwrap();
    let pool: Vec<i64> = (0..stress::POOL)
        .map(|i| {
            let no = format!("С-{:05}", stress::MANAGERS * stress::CLIENTS_EACH + i);
            store.member_id_by_no(&no).unwrap().unwrap()
        })
        .collect();
    let rules = Rules::builtin();
    let input = ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        fact_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 (924) 811-16-71".into(),
        income: "65000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        ..Default::default()
    };
    let data = draft::validate(&input, &rules.products, today()).unwrap();
    let mgr = store.actor_by_login("mgr0").unwrap();
    let application = store
        .create_application(&mgr, &data, mgr.office_id, now())
        .unwrap()
        .id;
    Branch {
        _dir: dir,
        store,
        rules,
        people,
        analyst,
        member,
        pool,
        application,
        counter: 0,
    }
}

/// Every row of every table, to show a refusal changed nothing.
fn snapshot(store: &Store) -> Vec<String> {
    let tables: Vec<String> = store
        .conn()
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT LIKE 'member_words%' AND name NOT LIKE 'member_trigram%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = store.conn().prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect();
                Ok(format!("{t}: {}", cells.join("|")))
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        out.extend(rows);
    }
    out
}

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

type Action = fn(&mut Branch, &Actor) -> Result<(), StoreError>;

/// The store's write API outside the transitions: who may call each.
fn actions() -> Vec<(&'static str, &'static [Role], Action)> {
    use Role::*;
    vec![
        ("create_application", &[Manager, Head], |b, a| {
            let app = b.store.application(b.application).unwrap();
            b.store
                .create_application(a, &app.data, a.office_id, now())
                .map(|_| ())
        }),
        (
            "update_application (status new)",
            &[Manager, Head],
            |b, a| {
                let app = b.store.application(b.application).unwrap();
                let mut d = app.data.clone();
                d.loan.term_months = if d.loan.term_months == 24 { 36 } else { 24 };
                b.store
                    .update_application(a, app.id, app.version, &d, app.office_id, now())
                    .map(|_| ())
            },
        ),
        ("take_application (status new)", &[Manager, Head], |b, a| {
            b.store
                .take_application(a, b.application, now())
                .map(|_| ())
        }),
        ("save_checks (status new)", &[Manager, Head], |b, a| {
            b.counter += 1;
            let outcome = if b.counter % 2 == 0 {
                CheckOutcome::Ok
            } else {
                CheckOutcome::Failed
            };
            let checks: Vec<_> = b
                .rules
                .checks
                .iter()
                .map(|c| (c.code.clone(), Some(outcome), format!("#{}", b.counter)))
                .collect();
            let rules = b.rules.clone();
            b.store
                .save_checks(a, b.application, &checks, None, &rules, now())
        }),
        ("record_print", &Role::ALL, |b, a| {
            b.store.record_print(
                a,
                b.application,
                "application",
                "/tmp/x.txt",
                "",
                PrintOutcome::Saved,
                "",
                now(),
            )
        }),
        ("update_member", &[Manager, Head, Admin], |b, a| {
            b.counter += 1;
            let (v, d) = member_data(&b.store, b.member, &format!("+7913555{:04}", b.counter));
            b.store.update_member(a, b.member, v, &d, now()).map(|_| ())
        }),
        ("log_contact", &[Manager, Head, Inspector], |b, a| {
            let c = Contact {
                kind: ContactKind::Comment,
                direction: String::new(),
                outcome: String::new(),
                temperature: String::new(),
                duration_sec: 0,
                promise_date: None,
                promise_amount: None,
                comment: "проверка".into(),
            };
            b.store.log_contact(a, b.member, &c, now()).map(|_| ())
        }),
        ("reveal_personal_data", &Role::ALL, |b, a| {
            b.store.reveal_personal_data(a, b.member, now())
        }),
        ("add_voluntary_share", &[Cashier], |b, a| {
            b.store
                .add_voluntary_share(a, b.member, Money::from_rubles(100), "ПКО-1", now())
                .map(|_| ())
        }),
        ("member_exit", &[Cashier], |b, a| {
            // A different member each time: the exit cannot be taken twice.
            b.counter += 1;
            let id = b
                .store
                .member_id_by_no(&format!("С-{:05}", 100 + b.counter))
                .unwrap()
                .unwrap();
            let v = b.store.member(id).unwrap().version;
            b.store
                .member_exit(a, id, v, today(), "по заявлению", now())
        }),
        ("set_staff_profile", &[Head, Admin, Director], |b, a| {
            b.counter += 1;
            let rules = b.rules.client_base.clone();
            b.store.set_staff_profile(
                By::Desk(a),
                "mgr7",
                &ProfileChange {
                    trainee: Some(b.counter % 2 == 0),
                    ..Default::default()
                },
                &rules,
                today(),
                now(),
            )
        }),
        ("request_change", &[Analyst, Head], |b, a| {
            let member = b.pool.pop().unwrap();
            let to = b.store.actor_by_login("mgr1").unwrap().staff_id;
            let rules = b.rules.client_base.clone();
            b.store
                .request_change(
                    By::Desk(a),
                    &ChangeRequest {
                        kind: ChangeKind::Attach,
                        member_id: member,
                        to_staff_id: Some(to),
                        memo: "СЗ № 1".into(),
                    },
                    &rules,
                    today(),
                    now(),
                )
                .map(|_| ())
        }),
        ("decide_request", &[Director], |b, a| {
            // A pending request made by the analyst, decided by the person under test.
            let member = b.pool.pop().unwrap();
            let to = b.store.actor_by_login("mgr2").unwrap().staff_id;
            let rules = b.rules.client_base.clone();
            let analyst = b.analyst.clone();
            let id = b
                .store
                .request_change(
                    By::Desk(&analyst),
                    &ChangeRequest {
                        kind: ChangeKind::Attach,
                        member_id: member,
                        to_staff_id: Some(to),
                        memo: "СЗ № 2".into(),
                    },
                    &rules,
                    today(),
                    now(),
                )
                .unwrap();
            let before = snapshot(&b.store);
            let r = b
                .store
                .decide_request(a, id, true, true, "", &rules, today(), now());
            if r.is_err() {
                assert_eq!(
                    snapshot(&b.store),
                    before,
                    "a refused decision changed the database"
                );
            }
            r
        }),
        ("unassign_idle", &[Analyst, Head, Director], |b, a| {
            let rules = b.rules.client_base.clone();
            b.store
                .unassign_idle(By::Desk(a), &rules, today(), now())
                .map(|_| ())
        }),
    ]
}

fn is_role_refusal(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Forbidden(_)
            | StoreError::Refused(coopdesk::domain::application::Refusal::RoleRequired(_))
    )
}

#[test]
fn every_store_write_refuses_a_login_without_the_role_and_changes_nothing() {
    let mut b = branch();
    let people = b.people.clone();
    let mut refused = 0;
    for (name, allowed, action) in actions() {
        for (role, actor) in &people {
            let before = snapshot(&b.store);
            let result = action(&mut b, actor);
            if allowed.contains(role) {
                assert!(
                    result.is_ok(),
                    "{name} as {}: should be allowed, got {result:?}",
                    role.code()
                );
            } else {
                match result {
                    Err(e) if is_role_refusal(&e) => refused += 1,
                    other => panic!(
                        "{name} as {}: should be refused, got {other:?}",
                        role.code()
                    ),
                }
                // decide_request makes its own pending request first; compare after it.
                if name != "decide_request" {
                    assert_eq!(
                        snapshot(&b.store),
                        before,
                        "{name} as {}: refused but the database changed",
                        role.code()
                    );
                }
            }
        }
    }
    assert!(refused > 40, "only {refused} refusals checked");
}

#[test]
fn a_forged_or_deactivated_login_has_no_role_at_all() {
    let mut b = branch();
    let people = b.people.clone();
    let (_, head) = people.iter().find(|(r, _)| *r == Role::Head).unwrap();
    // The same staff id under another login (a stale or forged session), with every role
    // claimed on the struct: the store reads the roles from the database.
    let forged = Actor {
        login: "mgr0".into(),
        roles: Role::ALL.to_vec(),
        ..head.clone()
    };
    // Deactivated since logging in.
    let (_, cashier) = people.iter().find(|(r, _)| *r == Role::Cashier).unwrap();
    b.store
        .conn()
        .execute(
            "UPDATE staff SET active = 0 WHERE id = ?1",
            [cashier.staff_id],
        )
        .unwrap();
    for who in [&forged, cashier] {
        for (name, _, action) in actions() {
            let before = snapshot(&b.store);
            match action(&mut b, who) {
                Err(e) if is_role_refusal(&e) => {}
                other => panic!("{name} as {}: got {other:?}", who.login),
            }
            if name != "decide_request" {
                assert_eq!(snapshot(&b.store), before, "{name} as {}", who.login);
            }
        }
    }
}
