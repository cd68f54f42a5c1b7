//! Members in the store, on a real SQLite file: search on a table of cases, the card, the
//! timeline, calls logged as the manager's activity, edits with optimistic concurrency, the
//! recorded reveal of personal data, the cash desk's voluntary share and exit, imports.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::domain::member::{
    self, ContactInput, ContactKind, MemberInput, MemberStatus, validate_contact, validate_member,
};
use coopdesk::domain::{Money, Role};
use coopdesk::store::members::{ImportCounts, LoanImport, MemberImport, TimelineItem};
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};
use std::sync::OnceLock;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    day("2026-11-23")
}

fn hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("password1").unwrap())
}

struct Desk {
    _dir: tempfile::TempDir,
    store: Store,
    office: i64,
    manager: Actor,
    manager2: Actor,
    cashier: Actor,
    head: Actor,
}

/// (member_no, last, first, patronymic, passport, phone)
const PEOPLE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "000101",
        "Иванов",
        "Пётр",
        "Сергеевич",
        "4509 123456",
        "8 (924) 811-16-71",
    ),
    (
        "000102",
        "Иванова",
        "Анна",
        "Петровна",
        "4510 654321",
        "+7 913 016-78-92",
    ),
    (
        "000103",
        "Ёлкин",
        "Семён",
        "Ильич",
        "4511 111111",
        "89131112233",
    ),
    ("000104", "Елкина", "Алёна", "Игоревна", "4511 222222", ""),
    (
        "000105",
        "Іваненко",
        "Їжак",
        "Євгенович",
        "4512 333333",
        "+7 923 834 90 35",
    ),
    (
        "000106",
        "Ґалаґан",
        "Олег",
        "Петрович",
        "4512 444444",
        "+7 905 000-11-22",
    ),
    (
        "000107",
        "Петров-Водкин",
        "Кузьма",
        "Сергеевич",
        "4513 555555",
        "+7 905 777-88-99",
    ),
    (
        "000108",
        "Smith",
        "John",
        "",
        "4513 666666",
        "+7 999 123-45-67",
    ),
];

fn input(p: &(&str, &str, &str, &str, &str, &str)) -> MemberInput {
    MemberInput {
        last_name: p.1.into(),
        first_name: p.2.into(),
        patronymic: p.3.into(),
        birth_date: "14.03.1975".into(),
        passport: p.4.into(),
        phone: p.5.into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        ..Default::default()
    }
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let t = at("2026-11-01 09:00");
    let office = store
        .add_office("test", "TOM", "Томский офис", "Томск", t)
        .unwrap();
    let mut actors = Vec::new();
    for (login, role) in [
        ("petrova", Role::Manager),
        ("orlov", Role::Manager),
        ("kassa", Role::Cashier),
        ("nop", Role::Head),
    ] {
        let id = store
            .add_staff("test", login, login, "TOM", &[role], hash(), t)
            .unwrap();
        actors.push(store.actor(id).unwrap());
    }
    let rows: Vec<MemberImport> = PEOPLE
        .iter()
        .map(|p| MemberImport {
            member_no: p.0.into(),
            data: validate_member(&input(p), today()).unwrap(),
            status: MemberStatus::Member,
            joined_on: Some(day("2024-02-01")),
            office_id: office,
            manager_id: Some(actors[0].staff_id),
        })
        .collect();
    let c = store
        .import_members("import:test", &rows, at("2026-11-20 10:00"))
        .unwrap();
    assert_eq!(c.added, PEOPLE.len());
    let mut it = actors.into_iter();
    Desk {
        _dir: dir,
        store,
        office,
        manager: it.next().unwrap(),
        manager2: it.next().unwrap(),
        cashier: it.next().unwrap(),
        head: it.next().unwrap(),
    }
}

fn found(d: &Desk, q: &str) -> Vec<String> {
    d.store
        .search_members(q, 50)
        .unwrap()
        .into_iter()
        .map(|h| h.member_no.unwrap_or_default())
        .collect()
}

fn id_of(d: &Desk, no: &str) -> i64 {
    d.store.search_members(no, 1).unwrap()[0].id
}

#[test]
fn search_finds_members_from_whatever_is_typed() {
    let d = desk();
    let cases: &[(&str, &[&str])] = &[
        // Surname prefixes in any case; best (surname) matches first, alphabetically.
        ("иван", &["000105", "000101", "000102"]),
        ("ИВАН", &["000105", "000101", "000102"]),
        ("Иванов", &["000101", "000102"]),
        ("ивановА", &["000102"]),
        // ё and е are one letter, both ways.
        ("ёлкин", &["000103", "000104"]),
        ("ЕЛКИН", &["000103", "000104"]),
        ("Семен", &["000103"]),
        ("алена", &["000104"]),
        // Ukrainian letters, typed as such or from a Russian keyboard.
        ("іваненко", &["000105"]),
        ("ІВАНЕНКО", &["000105"]),
        ("иваненко", &["000105"]),
        ("їжак", &["000105"]),
        ("ижак", &["000105"]),
        ("євгенович", &["000105"]),
        ("ґалаґан", &["000106"]),
        ("галаган", &["000106"]),
        // Any word's prefix: first name, patronymic; several words in any order.
        ("пётр", &["000107", "000101", "000106", "000102"]),
        ("петрович", &["000106"]),
        ("анна ив", &["000102"]),
        ("ив анна", &["000102"]),
        ("иванов петр", &["000101", "000102"]),
        // The surname typed after the other names still comes first among the matches.
        ("сергеевич петров", &["000107"]),
        ("петр иванов", &["000101", "000102"]),
        // Words and digits together narrow each other.
        ("иванов 1671", &["000101"]),
        ("иванова 1671", &[]),
        ("иван 4510", &["000102"]),
        // Substrings of 3+ letters.
        ("ваненк", &["000105"]),
        ("водкин", &["000107"]),
        ("лаґа", &["000106"]),
        // Latin.
        ("SMITH", &["000108"]),
        ("joh", &["000108"]),
        // Phones in any formatting, any 4+ consecutive digits.
        ("8 (924) 811-16-71", &["000101"]),
        ("+79248111671", &["000101"]),
        ("89248111671", &["000101"]),
        ("811-16", &["000101"]),
        ("1671", &["000101"]),
        ("016 78", &["000102"]),
        ("+7 923 834", &["000105"]),
        // Passports with and without spaces, and their prefixes.
        ("4509 123456", &["000101"]),
        ("4509123456", &["000101"]),
        ("4511", &["000103", "000104"]),
        // Member numbers, with or without the leading zeros.
        ("000103", &["000103"]),
        ("103", &["000103"]),
        // Nothing.
        ("щщщ", &[]),
        ("иванов яков", &[]),
        ("   ", &[]),
        ("12", &[]),
    ];
    for (q, want) in cases {
        assert_eq!(found(&d, q), *want, "query {q:?}");
    }
}

#[test]
fn search_finds_by_application_number() {
    let d = desk();
    let id = id_of(&d, "000101");
    // An application linked to the member (as admission links it).
    d.store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO applications(number, created_at, created_by, office_id, status, status_rank,
                status_since, member_id, last_name, first_name, birth_date, passport, product, amount,
                term_months, applicant, applicant_sort, search_text)
             VALUES ('2026-000042', '2026-11-20 10:00:00', 'test', {o}, 'member', 3,
                '2026-11-20 10:00:00', {id}, 'Иванов', 'Пётр', '1975-03-14', '4509123456',
                'consumer', 10000000, 12, 'Иванов Пётр', 'иванов петр', 'иванов')",
            o = d.office
        ))
        .unwrap();
    assert_eq!(found(&d, "2026-000042"), vec!["000101"]);
    let card = d.store.member_card(id, today()).unwrap();
    assert_eq!(card.applications.len(), 1);
    assert!(
        card.timeline.is_empty(),
        "no events were written for the raw row"
    );
}

#[test]
fn edits_keep_the_search_index_current() {
    let mut d = desk();
    let id = id_of(&d, "000108");
    let m = d.store.member(id).unwrap();
    let mut i = input(&PEOPLE[7]);
    i.last_name = "Шмидт".into();
    i.phone = "8 900 555-44-33".into();
    let data = validate_member(&i, today()).unwrap();
    d.store
        .update_member(
            &d.manager.clone(),
            id,
            m.version,
            &data,
            at("2026-11-23 10:00"),
        )
        .unwrap();
    assert_eq!(found(&d, "шмид"), vec!["000108"]);
    assert!(found(&d, "smith").is_empty());
    assert_eq!(found(&d, "5554433"), vec!["000108"]);
}

#[test]
fn a_stale_save_names_who_changed_it_and_changes_nothing() {
    let mut d = desk();
    let id = id_of(&d, "000101");
    let opened = d.store.member(id).unwrap();
    // Someone else saves first.
    let mut theirs = input(&PEOPLE[0]);
    theirs.email = "ivanov@example.ru".into();
    let theirs = validate_member(&theirs, today()).unwrap();
    let (m2, mgr) = (d.manager2.clone(), d.manager.clone());
    d.store
        .update_member(&m2, id, opened.version, &theirs, at("2026-11-23 10:00"))
        .unwrap();
    // Our save, on the version we opened, is refused with their name and time.
    let mut mine = input(&PEOPLE[0]);
    mine.fact_address = "г. Томск, ул. Мира, 5".into();
    let mine = validate_member(&mine, today()).unwrap();
    match d
        .store
        .update_member(&mgr, id, opened.version, &mine, at("2026-11-23 10:05"))
    {
        Err(StoreError::Conflict { by, at }) => {
            assert_eq!(by, "orlov");
            assert_eq!(at, "2026-11-23 10:00:00");
        }
        other => panic!("{other:?}"),
    }
    let now = d.store.member(id).unwrap();
    assert_eq!(now.email, "ivanov@example.ru");
    assert_eq!(now.fact_address, "");
    // Reloaded, the same change goes through on the new version.
    let v = d
        .store
        .update_member(&mgr, id, now.version, &mine, at("2026-11-23 10:06"))
        .unwrap();
    assert_eq!(v, now.version + 1);
    let after = d.store.member(id).unwrap();
    assert_eq!(after.fact_address, "г. Томск, ул. Мира, 5");
    assert_eq!(after.updated_by.as_deref(), Some("petrova"));
}

#[test]
fn only_managers_and_heads_edit_and_a_passport_stays_unique() {
    let mut d = desk();
    let id = id_of(&d, "000101");
    let m = d.store.member(id).unwrap();
    let data = validate_member(&input(&PEOPLE[0]), today()).unwrap();
    let cashier = d.cashier.clone();
    assert!(matches!(
        d.store
            .update_member(&cashier, id, m.version, &data, at("2026-11-23 10:00")),
        Err(StoreError::Forbidden(_))
    ));
    let mut other = input(&PEOPLE[0]);
    other.passport = "4510 654321".into();
    let other = validate_member(&other, today()).unwrap();
    let head = d.head.clone();
    match d
        .store
        .update_member(&head, id, m.version, &other, at("2026-11-23 10:00"))
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "passport"),
        x => panic!("{x:?}"),
    }
}

#[test]
fn a_call_is_the_managers_activity_on_the_business_date_and_on_the_timeline() {
    let mut d = desk();
    let id = id_of(&d, "000101");
    let call = validate_contact(
        ContactKind::Call,
        &ContactInput {
            direction: "out".into(),
            outcome: "promise".into(),
            duration: "1:21".into(),
            promise_date: "30.11.2026".into(),
            promise_amount: "5000".into(),
            comment: "заплатит с зарплаты".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    let mgr = d.manager.clone();
    d.store
        .log_contact(&mgr, id, &call, at("2026-11-23 12:40"))
        .unwrap();
    let comment = validate_contact(
        ContactKind::Comment,
        &ContactInput {
            comment: "не берет трубку".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    d.store
        .log_contact(&mgr, id, &comment, at("2026-11-23 12:09"))
        .unwrap();
    let (staff, on, kind): (i64, String, String) = d
        .store
        .conn()
        .query_row(
            "SELECT staff_id, on_date, kind FROM contacts WHERE member_id = ?1 ORDER BY id LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (staff, on.as_str(), kind.as_str()),
        (mgr.staff_id, "2026-11-23", "call")
    );
    let card = d.store.member_card(id, today()).unwrap();
    // Newest first.
    match &card.timeline[0].item {
        TimelineItem::Contact {
            kind,
            outcome,
            duration_sec,
            promise_amount,
            ..
        } => {
            assert_eq!(
                (kind.as_str(), outcome.as_str(), *duration_sec),
                ("call", "promise", 81)
            );
            assert_eq!(*promise_amount, Some(Money::from_rubles(5000)));
        }
        x => panic!("{x:?}"),
    }
    assert!(
        matches!(&card.timeline[1].item, TimelineItem::Contact { kind, .. } if kind == "comment")
    );
    // A cashier does not log calls.
    let cashier = d.cashier.clone();
    assert!(matches!(
        d.store
            .log_contact(&cashier, id, &comment, at("2026-11-23 13:00")),
        Err(StoreError::Forbidden(_))
    ));
}

#[test]
fn revealing_personal_data_is_recorded() {
    let mut d = desk();
    let id = id_of(&d, "000103");
    let mgr = d.manager.clone();
    assert!(d.store.personal_data_views(id).unwrap().is_empty());
    d.store
        .reveal_personal_data(&mgr, id, at("2026-11-23 11:00"))
        .unwrap();
    assert_eq!(
        d.store.personal_data_views(id).unwrap(),
        vec![("2026-11-23 11:00:00".to_string(), "petrova".to_string())]
    );
    // A forged actor records nothing.
    let forged = Actor {
        login: "nobody".into(),
        ..mgr
    };
    assert!(
        d.store
            .reveal_personal_data(&forged, id, at("2026-11-23 11:01"))
            .is_err()
    );
    assert_eq!(d.store.personal_data_views(id).unwrap().len(), 1);
    // What a role sees without revealing.
    let allowed = [Role::Inspector, Role::Head];
    assert!(!member::sees_personal_data(&[Role::Manager], &allowed));
    assert!(member::sees_personal_data(&[Role::Head], &allowed));
}

#[test]
fn the_cash_desk_takes_a_voluntary_share_and_records_an_exit() {
    let mut d = desk();
    let id = id_of(&d, "000102");
    let (mgr, cashier) = (d.manager.clone(), d.cashier.clone());
    let amount = Money::from_rubles(10_000);
    assert!(matches!(
        d.store
            .add_voluntary_share(&mgr, id, amount, "К-1", at("2026-11-23 10:00")),
        Err(StoreError::Forbidden(Role::Cashier))
    ));
    let order = d
        .store
        .add_voluntary_share(&cashier, id, amount, "К-1", at("2026-11-23 10:00"))
        .unwrap();
    let (kind, sum): (String, Money) = d
        .store
        .conn()
        .query_row(
            "SELECT kind, amount FROM cash_orders WHERE number = ?1",
            [&order],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((kind.as_str(), sum), ("voluntary_share", amount));
    let card = d.store.member_card(id, today()).unwrap();
    assert_eq!(
        card.contributions,
        vec![("voluntary_share".to_string(), amount, 1)]
    );
    assert!(
        matches!(&card.timeline[0].item, TimelineItem::Cash { kind, .. } if kind == "voluntary_share")
    );

    let v = card.member.version;
    assert!(matches!(
        d.store
            .member_exit(&mgr, id, v, today(), "по заявлению", at("2026-11-23 11:00")),
        Err(StoreError::Forbidden(Role::Cashier))
    ));
    assert!(matches!(
        d.store.member_exit(
            &cashier,
            id,
            v - 1,
            today(),
            "по заявлению",
            at("2026-11-23 11:00")
        ),
        Err(StoreError::Conflict { .. })
    ));
    d.store
        .member_exit(
            &cashier,
            id,
            v,
            today(),
            "по заявлению",
            at("2026-11-23 11:00"),
        )
        .unwrap();
    let m = d.store.member(id).unwrap();
    assert_eq!(m.status, MemberStatus::Left);
    assert_eq!(m.left_on, Some(today()));
    assert_eq!(m.left_reason, "по заявлению");
    assert_eq!(m.member_no.as_deref(), Some("000102"));
    // A member who left pays no shares and cannot leave twice.
    assert!(matches!(
        d.store
            .add_voluntary_share(&cashier, id, amount, "К-2", at("2026-11-23 12:00")),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        d.store.member_exit(
            &cashier,
            id,
            m.version,
            today(),
            "x",
            at("2026-11-23 12:00")
        ),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn imports_are_idempotent_on_their_keys() {
    let mut d = desk();
    let rows: Vec<MemberImport> = PEOPLE[..2]
        .iter()
        .map(|p| MemberImport {
            member_no: p.0.into(),
            data: validate_member(&input(p), today()).unwrap(),
            status: MemberStatus::Member,
            joined_on: Some(day("2024-02-01")),
            office_id: d.office,
            manager_id: Some(d.manager.staff_id),
        })
        .collect();
    let id = id_of(&d, "000101");
    let v = d.store.member(id).unwrap().version;
    let c = d
        .store
        .import_members("i", &rows, at("2026-11-23 09:00"))
        .unwrap();
    assert_eq!(
        c,
        ImportCounts {
            added: 0,
            updated: 0,
            unchanged: 2
        }
    );
    assert_eq!(
        d.store.member(id).unwrap().version,
        v,
        "unchanged rows keep their version"
    );
    let mut changed = rows.clone();
    changed[0].data.territory = "Томск, центр".into();
    let c = d
        .store
        .import_members("i", &changed, at("2026-11-23 09:00"))
        .unwrap();
    assert_eq!(
        c,
        ImportCounts {
            added: 0,
            updated: 1,
            unchanged: 1
        }
    );
    assert_eq!(d.store.member(id).unwrap().version, v + 1);

    let loan = LoanImport {
        contract_no: "Д-2025-0001".into(),
        member_no: "000101".into(),
        product: "consumer".into(),
        amount: Money::from_rubles(100_000),
        issued_on: day("2025-03-01"),
        term_months: 24,
        rate: "18.5".into(),
        balance: Money::from_rubles(40_000),
        overdue_amount: Money::from_rubles(5_000),
        overdue_since: Some(day("2026-11-03")),
    };
    let c = d
        .store
        .import_loans("i", std::slice::from_ref(&loan), at("2026-11-23 09:00"))
        .unwrap();
    assert_eq!(c.added, 1);
    let c = d
        .store
        .import_loans("i", std::slice::from_ref(&loan), at("2026-11-23 09:00"))
        .unwrap();
    assert_eq!(c.unchanged, 1);
    let card = d.store.member_card(id, today()).unwrap();
    assert_eq!(card.loans[0].overdue_days, 20);
    assert_eq!(card.loans[0].balance, Money::from_rubles(40_000));
    // A loan for an unknown member: the whole file is refused.
    let mut bad = loan.clone();
    bad.contract_no = "Д-2025-0002".into();
    bad.member_no = "999999".into();
    let mut good = loan;
    good.contract_no = "Д-2025-0003".into();
    assert!(
        d.store
            .import_loans("i", &[good, bad], at("2026-11-23 09:00"))
            .is_err()
    );
    assert_eq!(d.store.member_card(id, today()).unwrap().loans.len(), 1);
}

#[test]
fn schema_4_rebuilds_cash_orders_and_loans_keeping_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as version 3 left it, with a loan, its agreement and cash orders.
        let c = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            include_str!("../src/store/migrations/001_init.sql"),
            include_str!("../src/store/migrations/002_scores.sql"),
            include_str!("../src/store/migrations/003_crm.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO offices(id, code, name, city) VALUES (1, 'TOM', 'Томск', 'Томск');
             INSERT INTO members(id, member_no, status, last_name, first_name, birth_date, passport,
                office_id, created_at, phone)
                VALUES (1, '000001', 'member', 'Ёлкин', 'Семён', '1975-03-14', '4509123456', 1,
                '2026-01-01 10:00:00', '+79248111671');
             INSERT INTO applications(id, number, created_at, created_by, office_id, status, status_rank,
                status_since, member_id, last_name, first_name, birth_date, passport, product, amount,
                term_months, applicant, applicant_sort, search_text)
                VALUES (1, '2026-000001', '2026-01-01 10:00:00', 't', 1, 'archived', 5,
                '2026-01-02 10:00:00', 1, 'Ёлкин', 'Семён', '1975-03-14', '4509123456', 'consumer',
                10000000, 12, 'Ёлкин Семён', 'елкин семен', 'елкин');
             INSERT INTO loans(id, contract_no, member_id, application_id, product, amount, term_months,
                rate, issue_date, balance) VALUES (1, '2026/000001', 1, 1, 'consumer', 10000000, 12,
                '24', '2026-01-02', 9000000);
             INSERT INTO loan_agreements(loan_id, kind, number, description)
                VALUES (1, 'guarantee', 'П-1', 'поручитель');
             INSERT INTO cash_orders(number, kind, amount, member_id, loan_id, at, actor)
                VALUES ('000001', 'loan_issue', 10000000, 1, 1, '2026-01-02 10:00:00', 't'),
                       ('000002', 'entrance_fee', 50000, 1, NULL, '2026-01-01 10:00:00', 't');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        coopdesk::store::SCHEMA_VERSION
    );
    let c = store.conn();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM cash_orders"), 2);
    assert_eq!(
        count("SELECT count(*) FROM loans WHERE application_id = 1"),
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM loan_agreements WHERE loan_id = 1"),
        1
    );
    assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_eq!(count("PRAGMA foreign_keys"), 1, "foreign keys are on again");
    // The CHECK takes voluntary shares now; a loan may come without an application.
    c.execute(
        "INSERT INTO cash_orders(number, kind, amount, member_id, at, actor)
         VALUES ('000003', 'voluntary_share', 100, 1, '2026-11-23 10:00:00', 't')",
        [],
    )
    .unwrap();
    c.execute(
        "INSERT INTO loans(contract_no, member_id, product, amount, term_months, rate, issue_date, balance)
         VALUES ('АС-1', 1, 'consumer', 100, 12, '24', '2026-01-02', 100)",
        [],
    )
    .unwrap();
    assert!(
        c.execute("INSERT INTO loans(contract_no, member_id, product, amount, term_months, rate, issue_date, balance)
             VALUES ('АС-2', 99, 'consumer', 100, 12, '24', '2026-01-02', 100)", [])
            .is_err(),
        "foreign keys are enforced after the rebuild"
    );
    // Members already there are found.
    let hits = store.search_members("елкин", 5).unwrap();
    assert_eq!(hits[0].member_no.as_deref(), Some("000001"));
    assert_eq!(store.search_members("8111671", 5).unwrap().len(), 1);
}

#[test]
fn the_card_shows_savings_recorded_as_sales() {
    let d = desk();
    let id = id_of(&d, "000103");
    d.store
        .conn()
        .execute(
            "INSERT INTO sales(sale_date, manager_id, product, member_id, amount, ukp_centi)
             VALUES ('2026-11-20', ?1, 'savings', ?2, 15000000, 100),
                    ('2026-11-21', ?1, 'savings', ?2, 5000000, 100)",
            rusqlite::params![d.manager.staff_id, id],
        )
        .unwrap();
    let card = d.store.member_card(id, today()).unwrap();
    assert_eq!(
        card.sales,
        vec![("savings".to_string(), Money::from_rubles(200_000), 2)]
    );
}

#[test]
fn demo_members_get_a_segment_loans_from_the_accounting_system_and_a_history() {
    let mut d = desk();
    let (mut loans, mut contacts) = (0, 0);
    for seed in 0..40 {
        d.store
            .conn()
            .execute_batch("DELETE FROM loans; DELETE FROM contacts;")
            .unwrap();
        d.store.enrich_demo_members(seed, today(), 0).unwrap();
        let c = d.store.conn();
        let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        loans += n("SELECT count(*) FROM loans");
        contacts += n("SELECT count(*) FROM contacts");
        // Loans come without applications, owe no more than they lent, and an overdue part
        // has the day it began.
        assert_eq!(
            n("SELECT count(*) FROM loans WHERE application_id IS NOT NULL"),
            0
        );
        assert_eq!(n("SELECT count(*) FROM loans WHERE balance > amount"), 0);
        assert_eq!(
            n(
                "SELECT count(*) FROM loans WHERE (overdue_amount > 0) <> (overdue_since IS NOT NULL)"
            ),
            0
        );
        // Calls, meetings and comments are the assigned manager's, on a past business day.
        assert_eq!(
            n("SELECT count(*) FROM contacts c JOIN members m ON m.id = c.member_id
               WHERE c.staff_id <> m.manager_id OR c.on_date > '2026-11-23' OR c.on_date <> substr(c.at, 1, 10)"),
            0
        );
        assert_eq!(
            n(
                "SELECT count(*) FROM contacts WHERE outcome = 'promise' AND (promise_date IS NULL OR promise_amount IS NULL)"
            ),
            0
        );
        assert_eq!(
            n("SELECT count(*) FROM members WHERE client_group = '' OR territory = ''"),
            0
        );
    }
    assert!(
        loans > 0 && contacts > 0,
        "{loans} loans, {contacts} contacts"
    );
    // Loans from the accounting system show on the card.
    let with_loan: i64 = d
        .store
        .conn()
        .query_row("SELECT member_id FROM loans LIMIT 1", [], |r| r.get(0))
        .unwrap_or(0);
    if with_loan > 0 {
        assert!(
            !d.store
                .member_card(with_loan, today())
                .unwrap()
                .loans
                .is_empty()
        );
    }
}
