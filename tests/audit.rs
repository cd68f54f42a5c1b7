//! The audit trail is append-only and says what changed: the tables of history refuse UPDATE
//! and DELETE from any connection; a member's edit is recorded with before → after; a head
//! browses the trail of an application or a member (`coopdesk audit`).

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::cli::stress;
use coopdesk::domain::Money;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::member::{Contact, ContactKind, MemberData};
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::audit_trail::Subject;
use coopdesk::store::client_base::{By, ChangeKind, ChangeRequest};
use coopdesk::store::prints::PrintOutcome;
use std::path::{Path, PathBuf};
use std::process::Command;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(h: u32, m: u32) -> NaiveDateTime {
    today().and_hms_opt(h, m, 0).unwrap()
}

/// A branch where one member and one application have a bit of everything in their trail.
struct Branch {
    dir: tempfile::TempDir,
    db: PathBuf,
    store: Store,
    member: i64,
    application: i64,
    number: String,
}

fn member_data(store: &Store, id: i64, phone: &str, address: &str) -> (i64, MemberData) {
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
            fact_address: address.into(),
            phone: phone.into(),
            email: m.email,
            potential: m.potential,
            client_group: m.client_group,
            territory: m.territory,
            related_group: m.related_group,
        },
    )
}

fn branch() -> Branch {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    stress::fixture(&db, today(), at(9, 0)).unwrap();
    let mut store = Store::open(&db).unwrap();
    let a = |l: &str| store.actor_by_login(l).unwrap();
    let (mgr, head, cash, mka, dir_) = (a("mgr0"), a("head"), a("cash"), a("mka"), a("dir"));
    let to = a("mgr1").staff_id;
    let member = store.member_id_by_no("С-00003").unwrap().unwrap();
    let (v, d) = member_data(&store, member, "+79131112233", "г. Томск, ул. Мира, 5");
    store.update_member(&mgr, member, v, &d, at(10, 0)).unwrap();
    store
        .reveal_personal_data(&head, member, at(10, 5))
        .unwrap();
    let call = Contact {
        kind: ContactKind::Call,
        direction: "out".into(),
        outcome: "successful".into(),
        temperature: "warm".into(),
        duration_sec: 60,
        promise_date: None,
        promise_amount: None,
        comment: "договорились".into(),
    };
    store.log_contact(&mgr, member, &call, at(10, 10)).unwrap();
    store
        .add_voluntary_share(&cash, member, Money::from_rubles(700), "ПКО-77", at(10, 15))
        .unwrap();
    let rules = Rules::builtin();
    let req = store
        .request_change(
            By::Desk(&mka),
            &ChangeRequest {
                kind: ChangeKind::Transfer,
                member_id: member,
                to_staff_id: Some(to),
                memo: "СЗ № 5".into(),
            },
            &rules.client_base,
            today(),
            at(10, 20),
        )
        .unwrap();
    store
        .decide_request(
            &dir_,
            req,
            true,
            true,
            "",
            &rules.client_base,
            today(),
            at(10, 25),
        )
        .unwrap();

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
    let app = store
        .create_application(&mgr, &data, mgr.office_id, at(11, 0))
        .unwrap();
    let mut changed = app.data.clone();
    changed.loan.term_months = 36;
    store
        .update_application(
            &mgr,
            app.id,
            app.version,
            &changed,
            app.office_id,
            at(11, 5),
        )
        .unwrap();
    store
        .record_print(
            &mgr,
            app.id,
            "application",
            "/tmp/zayavlenie.txt",
            "",
            PrintOutcome::Saved,
            "",
            at(11, 10),
        )
        .unwrap();
    Branch {
        dir,
        db,
        store,
        member,
        application: app.id,
        number: app.number,
    }
}

const APPEND_ONLY: [&str; 8] = [
    "audit",
    "application_events",
    "assignment_history",
    "prints",
    "personal_data_views",
    "application_scores",
    "contributions",
    "cash_orders",
];

fn count(conn: &rusqlite::Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_tables_of_history_refuse_update_and_delete_from_any_connection() {
    let b = branch();
    // The program's own connection and a plain one (a script, the sqlite3 shell).
    let plain = rusqlite::Connection::open(&b.db).unwrap();
    // No scorecard in the fixture: a score row as the store would write it.
    plain
        .execute(
            "INSERT INTO application_scores(application_id, card_id, card_version, answers, result,
                 total, category, complete, at, actor)
             VALUES (?1, 'default', 1, '{}', '{}', '47', 2, 1, '2026-11-23 11:30:00', 'mgr0')",
            [b.application],
        )
        .unwrap();
    for conn in [b.store.conn(), &plain] {
        for table in APPEND_ONLY {
            let before = count(conn, table);
            assert!(before > 0, "{table}: the fixture wrote nothing to refuse");
            for sql in [
                format!("UPDATE {table} SET id = id WHERE 1"),
                format!("DELETE FROM {table}"),
                format!("DELETE FROM {table} WHERE id = (SELECT max(id) FROM {table})"),
            ] {
                let err = conn.execute(&sql, []).expect_err(&sql);
                let text = err.to_string();
                assert!(text.contains("append-only"), "{sql}: refused with {text:?}");
            }
            assert_eq!(count(conn, table), before, "{table}");
        }
    }
    // Writing new rows still works: the trail grows.
    let before = count(&plain, "audit");
    plain
        .execute(
            "INSERT INTO audit(at, actor, action, detail) VALUES ('2026-11-23 12:00:00', 'test', 'x', '')",
            [],
        )
        .unwrap();
    assert_eq!(count(&plain, "audit"), before + 1);
}

#[test]
fn a_refused_change_inside_a_store_transaction_rolls_back_whole() {
    let mut b = branch();
    let before = count(b.store.conn(), "audit");
    let r: coopdesk::store::Result<()> = b.store.write(|tx| {
        tx.execute(
            "INSERT INTO audit(at, actor, action, detail) VALUES ('2026-11-23 12:00:00', 'x', 'y', '')",
            [],
        )?;
        tx.execute("UPDATE audit SET detail = 'rewritten'", [])?;
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(count(b.store.conn(), "audit"), before);
}

#[test]
fn a_member_edit_and_exit_are_recorded_with_before_and_after() {
    let mut b = branch();
    let audit: Vec<(String, String, String, Option<i64>)> = b
        .store
        .conn()
        .prepare("SELECT actor, action, detail, member_id FROM audit WHERE action LIKE 'members.%' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    let (actor, action, detail, member) = &audit[0];
    assert_eq!((actor.as_str(), action.as_str()), ("mgr0", "members.edit"));
    assert_eq!(*member, Some(b.member));
    assert_eq!(
        detail,
        &format!(
            "member {} v2: fact_address:  → г. Томск, ул. Мира, 5; phone: +79000000003 → +79131112233",
            b.member
        )
    );
    let cash = b.store.actor_by_login("cash").unwrap();
    let v = b.store.member(b.member).unwrap().version;
    b.store
        .member_exit(&cash, b.member, v, today(), "по заявлению", at(12, 0))
        .unwrap();
    let exit: String = b
        .store
        .conn()
        .query_row(
            "SELECT detail FROM audit WHERE action = 'members.exit' AND member_id = ?1",
            [b.member],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        exit.contains("status: member → left") && exit.contains("по заявлению"),
        "{exit}"
    );
}

#[test]
fn the_trail_of_a_member_and_of_an_application_has_everything_in_order() {
    let b = branch();
    let trail = b.store.trail(Subject::Member(b.member)).unwrap();
    let kinds: Vec<(&str, &str)> = trail
        .iter()
        .map(|e| (e.source, e.action.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("audit", "members.edit"),
            ("view", "personal_data.shown"),
            ("contact", "call"),
            ("cash", "voluntary_share"),
            ("assignment", "request"),
        ],
        "{trail:#?}"
    );
    assert!(
        trail[0]
            .detail
            .contains("phone: +79000000003 → +79131112233")
    );
    assert_eq!(trail[1].actor, "head");
    assert_eq!(trail[4].detail, "mgr0 → mgr1 (СЗ № 5)");
    assert!(trail.windows(2).all(|w| w[0].at <= w[1].at));

    let trail = b.store.trail(Subject::Application(b.application)).unwrap();
    let kinds: Vec<(&str, &str)> = trail
        .iter()
        .map(|e| (e.source, e.action.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("application", "created"),
            ("application", "edited"),
            ("print", "application"),
        ]
    );
    assert_eq!(trail[1].detail, "term_months: 24 → 36");
    assert!(matches!(
        b.store.trail(Subject::Member(999_999)),
        Err(coopdesk::store::StoreError::NotFound)
    ));
}

fn coopdesk(dir: &Path, db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .arg("--db")
        .arg(db)
        .args(["--today", "2026-11-23"])
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("share"))
        .output()
        .unwrap()
}

#[test]
fn coopdesk_audit_shows_the_trail_as_a_table_or_json() {
    let b = branch();
    let dir = b.dir.path();
    let out = coopdesk(dir, &b.db, &["audit", "--member", "С-00003"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("Когда"), "{text}");
    assert!(lines[1].starts_with("2026-11-23 10:00:00  mgr0"), "{text}");
    assert!(
        lines[1].contains("phone: +79000000003 → +79131112233"),
        "{text}"
    );
    assert!(lines[2].contains("просмотр ПДн"), "{text}");

    let out = coopdesk(
        dir,
        &b.db,
        &["audit", "--application", &b.number, "--format", "json"],
    );
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["action"], "edited");
    assert_eq!(rows[1]["detail"], "term_months: 24 → 36");
    assert_eq!(rows[2]["source"], "print");

    let out = coopdesk(dir, &b.db, &["audit", "--application", "2026-999999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-999999"));
    let out = coopdesk(dir, &b.db, &["audit", "--member", "нет-такого"]);
    assert_eq!(out.status.code(), Some(1));
    let out = coopdesk(dir, &b.db, &["audit"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_head_pages_the_trail_newest_first_and_a_manager_is_refused() {
    use coopdesk::domain::Role;
    use coopdesk::store::StoreError;
    let b = branch();
    let head = b.store.actor_by_login("head").unwrap();
    let mgr = b.store.actor_by_login("mgr0").unwrap();
    let all = [Role::Head, Role::Inspector];
    let whole = b.store.trail(Subject::Member(b.member)).unwrap();

    // Newest first, in pages that join up to the whole trail.
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let p = b
            .store
            .trail_page(&head, Subject::Member(b.member), &all, offset, 2)
            .unwrap();
        assert_eq!((p.offset, p.total), (offset, whole.len()));
        assert!(p.entries.len() <= 2);
        paged.extend(p.entries);
    }
    let mut newest_first = whole.clone();
    newest_first.reverse();
    assert_eq!(paged, newest_first);
    let past = b
        .store
        .trail_page(&head, Subject::Member(b.member), &all, 100, 10)
        .unwrap();
    assert!(past.entries.is_empty());
    // A page never holds more than MAX_PAGE, whatever is asked.
    let big = b
        .store
        .trail_page(&head, Subject::Member(b.member), &all, 0, usize::MAX)
        .unwrap();
    assert_eq!(big.entries.len(), whole.len());

    // Full access: the phone as it was typed; without it (head not among the roles with full
    // access), masked exactly as the card masks it.
    let edit = |p: &coopdesk::store::audit_trail::TrailPage| {
        p.entries
            .iter()
            .find(|e| e.action == "members.edit")
            .unwrap()
            .detail
            .clone()
    };
    assert!(edit(&big).contains("phone: +79000000003 → +79131112233"));
    let masked = b
        .store
        .trail_page(&head, Subject::Member(b.member), &[Role::Inspector], 0, 50)
        .unwrap();
    let d = edit(&masked);
    assert!(
        d.contains("phone: +7 900 ***-**-03 → +7 913 ***-**-33"),
        "{d}"
    );
    assert!(!d.contains("1112233") && !d.contains("ул. Мира"), "{d}");

    // The application's trail too.
    let p = b
        .store
        .trail_page(&head, Subject::Application(b.application), &all, 0, 50)
        .unwrap();
    assert_eq!(p.total, 3);
    assert_eq!(p.entries[0].source, "print");

    // Anyone but a head is refused by the store, whatever the screen shows.
    for who in [&mgr, &b.store.actor_by_login("cash").unwrap()] {
        assert!(matches!(
            b.store
                .trail_page(who, Subject::Member(b.member), &all, 0, 10),
            Err(StoreError::Forbidden(Role::Head))
        ));
    }
    // A forged actor (a head's roles on a manager's id) gains nothing.
    let mut forged = mgr.clone();
    forged.roles = vec![Role::Head];
    assert!(matches!(
        b.store
            .trail_page(&forged, Subject::Application(b.application), &all, 0, 10),
        Err(StoreError::Forbidden(Role::Head))
    ));
    assert!(matches!(
        b.store
            .trail_page(&head, Subject::Member(999_999), &all, 0, 10),
        Err(StoreError::NotFound)
    ));
}
