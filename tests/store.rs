//! The store on a real SQLite file, opened the way production opens it: offices and staff,
//! the whole life of an application with its side effects, every refusal, rollback of a
//! failed side effect, optimistic concurrency, logging in, the journal's paging and import.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use coopdesk::config::Security;
use coopdesk::domain::application::Refusal;
use coopdesk::domain::draft::{self, ApplicationData, ApplicationInput};
use coopdesk::domain::validate::fold;
use coopdesk::domain::{Money, Role, Status};
use coopdesk::rules::Rules;
use coopdesk::store::applications::{
    ApplicationRecord, BureauCheck, CheckOutcome, ImportRow, PageFrom, QueueQuery, QueueRow,
    SortKey, StepInput,
};
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, SCHEMA_VERSION, Store, StoreError};
use rusqlite::types::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const PASSWORD: &str = "верный-пароль-1";

/// argon2 is slow: one hash for every person in every test.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A branch: a database file, two offices and one person per role.
struct Desk {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: Store,
    rules: Rules,
    tom: i64,
    nsk: i64,
    /// Credit manager, Tomsk.
    manager: Actor,
    /// Credit manager, Novosibirsk.
    manager2: Actor,
    inspector: Actor,
    cashier: Actor,
    head: Actor,
    admin: Actor,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coopdesk.db");
    let mut store = Store::open(&path).unwrap();
    let t = at("2026-11-01 09:00");
    let tom = store
        .add_office("test", "TOM", "Томский офис", "Томск", t)
        .unwrap();
    let nsk = store
        .add_office("test", "NSK", "Новосибирский офис", "Новосибирск", t)
        .unwrap();
    let people: [(&str, &str, &str, Role); 6] = [
        ("petrova", "Петрова Анна", "TOM", Role::Manager),
        ("orlov", "Орлов Игорь", "NSK", Role::Manager),
        ("sidorov", "Сидоров Олег", "TOM", Role::Inspector),
        ("kassa", "Кузнецова Мария", "TOM", Role::Cashier),
        ("nop", "Волков Павел", "TOM", Role::Head),
        ("admin", "Администратор", "TOM", Role::Admin),
    ];
    for (login, name, office, role) in people {
        store
            .add_staff("test", login, name, office, &[role], password_hash(), t)
            .unwrap();
    }
    let a = |login: &str| store.actor_by_login(login).unwrap();
    let (manager, manager2, inspector, cashier, head, admin) = (
        a("petrova"),
        a("orlov"),
        a("sidorov"),
        a("kassa"),
        a("nop"),
        a("admin"),
    );
    Desk {
        _dir: dir,
        path,
        store,
        rules: Rules::builtin(),
        tom,
        nsk,
        manager,
        manager2,
        inspector,
        cashier,
        head,
        admin,
    }
}

/// Everything a manager completes at the desk before `new → checked`.
fn complete_input() -> ApplicationInput {
    ApplicationInput {
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
        email: "ivanov@example.ru".into(),
        income: "65 000".into(),
        expenses: "20000".into(),
        payments: "".into(),
        deductions: "".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        purpose: "ремонт".into(),
        guarantor: "".into(),
        collateral: "".into(),
    }
}

impl Desk {
    fn data(&self, input: &ApplicationInput) -> ApplicationData {
        draft::validate(input, &self.rules.products, day("2026-11-23")).unwrap()
    }

    fn create(&mut self, by: &Actor, input: &ApplicationInput, now: NaiveDateTime) -> i64 {
        let data = self.data(input);
        let office = by.office_id;
        self.store
            .create_application(by, &data, office, now)
            .unwrap()
            .id
    }

    fn app(&self, id: i64) -> ApplicationRecord {
        self.store.application(id).unwrap()
    }

    /// Every call-centre check recorded with `outcome`.
    fn checks_all(&mut self, by: &Actor, id: i64, outcome: CheckOutcome, now: NaiveDateTime) {
        let checks: Vec<_> = self
            .rules
            .checks
            .iter()
            .map(|c| (c.code.clone(), Some(outcome), String::new()))
            .collect();
        self.store
            .save_checks(by, id, &checks, None, &self.rules, now)
            .unwrap();
    }

    /// Take a step with the version as it is now.
    fn step(
        &mut self,
        by: &Actor,
        id: i64,
        to: Status,
        input: StepInput,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord, StoreError> {
        let v = self.app(id).version;
        self.store
            .transition(by, id, v, to, &input, &self.rules, now)
    }

    fn count(&self, sql: &str) -> i64 {
        self.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// An application created, checked and moved up to `to` by the right people.
    fn advance(&mut self, input: &ApplicationInput, to: Status, start: NaiveDateTime) -> i64 {
        let (m, i, c) = (
            self.manager.clone(),
            self.inspector.clone(),
            self.cashier.clone(),
        );
        let id = self.create(&m, input, start);
        let mut t = start;
        // Take the step to `st` unless the application is already there or past `to`.
        let mut next = |d: &mut Desk, by: &Actor, st: Status, inp: StepInput| {
            let now = d.app(id).status;
            if now >= to || now >= st {
                return;
            }
            t += Duration::minutes(10);
            d.step(by, id, st, inp, t).unwrap();
        };
        if to > Status::New {
            self.checks_all(&m, id, CheckOutcome::Ok, start + Duration::minutes(5));
        }
        next(self, &m, Status::Checked, StepInput::None);
        let passport = self.app(id).data.borrower.passport;
        let to_member = if self.store.applicant_is_member(&passport).unwrap() {
            Status::Member
        } else {
            Status::Candidate
        };
        next(self, &i, to_member, StepInput::None);
        next(
            self,
            &c,
            Status::Member,
            StepInput::Fees {
                entrance_receipt: format!("ПКО-{id}-1"),
                share_receipt: format!("ПКО-{id}-2"),
            },
        );
        next(self, &m, Status::Authorized, StepInput::None);
        next(
            self,
            &m,
            Status::Archived,
            StepInput::Contract {
                contract_no: String::new(),
                issue_date: start.date(),
            },
        );
        assert_eq!(self.app(id).status, to);
        id
    }
}

const TABLES: [&str; 12] = [
    "applications",
    "application_events",
    "application_checks",
    "bureau_checks",
    "members",
    "contributions",
    "loans",
    "loan_agreements",
    "cash_orders",
    "sales",
    "counters",
    "audit",
];

/// What a query returns, a row per string: values joined by " | ", NULL as "-".
fn rows(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        let cells = (0..n)
            .map(|i| {
                Ok(match r.get::<_, Value>(i)? {
                    Value::Null => "-".to_string(),
                    Value::Integer(v) => v.to_string(),
                    Value::Real(v) => v.to_string(),
                    Value::Text(v) => v,
                    Value::Blob(v) => format!("{v:?}"),
                })
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(cells.join(" | "))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// Every row of every table an application touches, to show that nothing changed.
fn dump(store: &Store) -> BTreeMap<&'static str, Vec<String>> {
    TABLES
        .into_iter()
        .map(|t| {
            let mut all = rows(store, &format!("SELECT * FROM {t}"));
            all.sort();
            (t, all)
        })
        .collect()
}

/// `f` must fail as `expected` says and leave the database exactly as it was.
#[track_caller]
fn refused(
    d: &mut Desk,
    what: &str,
    expected: impl Fn(&StoreError) -> bool,
    f: impl FnOnce(&mut Desk) -> Result<ApplicationRecord, StoreError>,
) {
    let before = dump(&d.store);
    match f(d) {
        Ok(r) => panic!("{what}: allowed, now {} v{}", r.status, r.version),
        Err(e) => assert!(expected(&e), "{what}: unexpected error {e:?}"),
    }
    assert!(dump(&d.store) == before, "{what}: the database changed");
}

fn role_refusal(e: &StoreError, role: Role) -> bool {
    matches!(e, StoreError::Refused(Refusal::RoleRequired(r)) | StoreError::Forbidden(r) if *r == role)
}

fn invalid_fields(e: &StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(errs) => errs.iter().map(|e| e.field).collect(),
        _ => vec![],
    }
}

fn invalid_reasons(e: &StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(errs) => errs.iter().map(|e| e.reason).collect(),
        _ => vec![],
    }
}

// ----- opening ------------------------------------------------------------------------------

#[test]
fn opens_with_the_production_pragmas_and_schema() {
    let d = desk();
    let c = d.store.conn();
    let q = |p: &str| -> Value { c.pragma_query_value(None, p, |r| r.get(0)).unwrap() };
    assert_eq!(q("journal_mode"), Value::Text("wal".into()));
    assert_eq!(q("synchronous"), Value::Integer(2));
    assert_eq!(q("foreign_keys"), Value::Integer(1));
    assert_eq!(q("user_version"), Value::Integer(SCHEMA_VERSION as i64));
    assert_eq!(d.store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(d.store.is_initialised().unwrap());

    // A second connection to the same file sees the same schema and does not migrate again.
    let again = Store::open(&d.path).unwrap();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(again.offices().unwrap().len(), 2);

    // A database from a newer program is refused, not damaged.
    again
        .conn()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(again);
    assert!(matches!(
        Store::open(&d.path),
        Err(StoreError::NewerSchema { found, supported }) if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
    ));
}

/// A CHECK written `x IN ('a','b','c')` makes SQLite build and drop a temporary B-tree for
/// every row written (a quarter of the demo's bulk fill); migration 13 spelt them as
/// comparisons. No table may bring one back, and the rules still refuse what they refused.
#[test]
fn check_rules_compile_without_temporary_trees_and_still_refuse() {
    let d = desk();
    let c = d.store.conn();
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() > 30, "{tables:?}");
    for t in &tables {
        let ops: Vec<String> = c
            .prepare(&format!("EXPLAIN INSERT INTO \"{t}\" DEFAULT VALUES"))
            .unwrap()
            .query_map([], |r| r.get(1))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !ops.iter().any(|o| o == "OpenEphemeral"),
            "{t}: a CHECK builds a temporary tree per row"
        );
    }

    let staff_id: i64 = c
        .query_row("SELECT id FROM staff ORDER BY id LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let refused = c
        .execute(
            "INSERT INTO staff_roles(staff_id, role) VALUES (?1, 'janitor')",
            [staff_id],
        )
        .unwrap_err();
    assert!(
        refused.to_string().contains("CHECK constraint failed"),
        "{refused}"
    );
    c.execute(
        "DELETE FROM staff_roles WHERE staff_id = ?1 AND role = 'director'",
        [staff_id],
    )
    .unwrap();
    c.execute(
        "INSERT INTO staff_roles(staff_id, role) VALUES (?1, 'director')",
        [staff_id],
    )
    .unwrap();
}

#[test]
fn offices_and_staff_are_set_up_once() {
    let mut d = desk();
    let t = at("2026-11-02 10:00");
    assert!(matches!(
        d.store.add_office("test", "TOM", "Ещё", "Томск", t),
        Err(StoreError::Duplicate(c)) if c == "TOM"
    ));
    assert!(matches!(
        d.store.add_staff(
            "test",
            "petrova",
            "Двойник",
            "TOM",
            &[Role::Manager],
            password_hash(),
            t
        ),
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        invalid_fields(
            &d.store
                .add_staff(
                    "test",
                    "x y",
                    "Кто-то",
                    "TOM",
                    &[Role::Manager],
                    password_hash(),
                    t
                )
                .unwrap_err()
        ),
        ["login"]
    );
    assert_eq!(
        invalid_fields(
            &d.store
                .add_staff(
                    "test",
                    "nobody",
                    "Кто-то",
                    "MSK",
                    &[Role::Manager],
                    password_hash(),
                    t
                )
                .unwrap_err()
        ),
        ["office"]
    );
    assert_eq!(d.manager.office_id, d.tom);
    assert_eq!(d.manager2.office_code, "NSK");
    assert_eq!(d.inspector.roles, vec![Role::Inspector]);
    assert_eq!(d.store.staff().unwrap().len(), 6);
}

// ----- the whole path -----------------------------------------------------------------------

#[test]
fn the_whole_path_from_new_to_archived() {
    let mut d = desk();
    let (m, i, c) = (d.manager.clone(), d.inspector.clone(), d.cashier.clone());
    let mut input = complete_input();
    input.product = "business".into();
    input.amount = "300000.50".into();
    input.term_months = "36".into();
    input.guarantor = "Сидорова Анна Петровна, паспорт 4510 654321".into();
    input.collateral = "Автомобиль Lada Vesta, 2021, VIN XTA000000000".into();

    let t0 = at("2026-11-20 09:30");
    let data = d.data(&input);
    let created = d.store.create_application(&m, &data, d.tom, t0).unwrap();
    let id = created.id;
    assert_eq!(created.status, Status::New);
    assert_eq!(created.number, "2026-000001");
    assert_eq!(
        created.assignee,
        Some(("petrova".into(), "Петрова Анна".into()))
    );
    assert_eq!(created.created_by, "petrova");

    // Call-centre verification and the credit bureau, then new → checked.
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-20 10:00"));
    let bureau = BureauCheck {
        bureau: "НБКИ".into(),
        report_date: day("2026-11-20"),
        outcome: "positive".into(),
        comment: String::new(),
    };
    d.store
        .save_checks(&m, id, &[], Some(&bureau), &d.rules, at("2026-11-20 10:05"))
        .unwrap();
    let (checks, b) = d.store.checks(id).unwrap();
    assert_eq!(checks.len(), d.rules.checks.len());
    assert_eq!(b, Some(bureau));

    let times = [
        at("2026-11-20 11:00"),
        at("2026-11-20 15:00"),
        at("2026-11-23 10:00"),
        at("2026-11-23 11:00"),
        at("2026-11-23 12:00"),
    ];
    let r = d
        .step(&m, id, Status::Checked, StepInput::None, times[0])
        .unwrap();
    assert_eq!(r.status, Status::Checked);
    assert_eq!(r.status_since, times[0]);
    assert_eq!(r.assignee, None);
    assert_eq!(d.count("SELECT count(*) FROM members"), 0);

    // checked → candidate: a member record in status candidate.
    let r = d
        .step(&i, id, Status::Candidate, StepInput::None, times[1])
        .unwrap();
    let member_id = r.member_id.expect("linked to the member record");
    let member = format!(
        "SELECT status, passport, last_name, member_no, join_date, manager_id FROM members WHERE id = {member_id}"
    );
    assert_eq!(
        rows(&d.store, &member),
        ["candidate | 4509123456 | Иванов | - | - | -"]
    );
    assert!(rows(&d.store, "SELECT * FROM contributions").is_empty());

    // candidate → member at the cash desk: both fees with their receipts, member number, join date.
    let r = d
        .step(
            &c,
            id,
            Status::Member,
            StepInput::Fees {
                entrance_receipt: "ПКО-101".into(),
                share_receipt: "ПКО-102".into(),
            },
            times[2],
        )
        .unwrap();
    assert_eq!(r.status, Status::Member);
    let member_no = r.member_no.clone().expect("member number given");
    assert_eq!(
        rows(&d.store, &member),
        [format!(
            "member | 4509123456 | Иванов | {member_no} | 2026-11-23 | -"
        )]
    );
    let fees = d.rules.fees;
    assert_eq!(fees.entrance_fee, Money::from_rubles(500));
    assert_eq!(fees.mandatory_share, Money::from_rubles(1000));
    let (entrance, share) = (fees.entrance_fee.kopecks(), fees.mandatory_share.kopecks());
    assert_eq!(
        rows(
            &d.store,
            "SELECT kind, amount, receipt_no, paid_on, actor, member_id, application_id FROM contributions ORDER BY id"
        ),
        [
            format!(
                "entrance_fee | {entrance} | ПКО-101 | 2026-11-23 | kassa | {member_id} | {id}"
            ),
            format!(
                "mandatory_share | {share} | ПКО-102 | 2026-11-23 | kassa | {member_id} | {id}"
            ),
        ]
    );
    assert_eq!(
        rows(
            &d.store,
            "SELECT kind, amount, receipt_no, member_id, loan_id, at, actor FROM cash_orders ORDER BY id"
        ),
        [
            format!(
                "entrance_fee | {entrance} | ПКО-101 | {member_id} | - | 2026-11-23 10:00:00 | kassa"
            ),
            format!(
                "mandatory_share | {share} | ПКО-102 | {member_id} | - | 2026-11-23 10:00:00 | kassa"
            ),
        ]
    );

    // member → authorized: final terms agreed.
    let r = d
        .step(&m, id, Status::Authorized, StepInput::None, times[3])
        .unwrap();
    assert_eq!(r.status, Status::Authorized);

    // authorized → archived: the loan, its agreements, the cash order and the sale.
    let r = d
        .step(
            &m,
            id,
            Status::Archived,
            StepInput::Contract {
                contract_no: " К-2026/77 ".into(),
                issue_date: day("2026-11-23"),
            },
            times[4],
        )
        .unwrap();
    assert_eq!(r.status, Status::Archived);
    // 300 000,50 ₽ at the business product's rate, its balance the whole amount.
    assert_eq!(d.rules.product("business").unwrap().rate.to_string(), "21");
    let loans = rows(
        &d.store,
        "SELECT id, contract_no, member_id, application_id, product, amount, term_months, rate, issue_date, balance, overdue_amount FROM loans",
    );
    assert_eq!(loans.len(), 1);
    let loan_id = loans[0].split(" | ").next().unwrap().to_string();
    assert_eq!(
        loans[0],
        format!(
            "{loan_id} | К-2026/77 | {member_id} | {id} | business | 30000050 | 36 | 21 | 2026-11-23 | 30000050 | 0"
        )
    );
    assert_eq!(
        rows(
            &d.store,
            "SELECT loan_id, kind, number, description FROM loan_agreements ORDER BY id"
        ),
        [
            format!("{loan_id} | guarantee | К-2026/77-ДП | {}", input.guarantor),
            format!(
                "{loan_id} | collateral | К-2026/77-ДЗ | {}",
                input.collateral
            ),
        ]
    );
    assert_eq!(
        rows(
            &d.store,
            "SELECT kind, amount, member_id, receipt_no, at, actor FROM cash_orders WHERE loan_id IS NOT NULL"
        ),
        [format!(
            "loan_issue | 30000050 | {member_id} |  | 2026-11-23 12:00:00 | petrova"
        )]
    );
    assert_eq!(d.count("SELECT count(*) FROM cash_orders"), 3);
    // The sale for the rating: business loans count 1.5 УКП (DOMAIN §5).
    assert_eq!(
        rows(
            &d.store,
            "SELECT sale_date, manager_id, product, member_id, amount, ukp_centi, application_id FROM sales"
        ),
        [format!(
            "2026-11-23 | {} | business | {member_id} | 30000050 | 150 | {id}",
            m.staff_id
        )]
    );
    // The member now has the manager who issued the loan.
    assert_eq!(
        rows(&d.store, &member),
        [format!(
            "member | 4509123456 | Иванов | {member_no} | 2026-11-23 | {}",
            m.staff_id
        )]
    );

    // One history row per transition: from, to, who, when.
    let status_events: Vec<_> = d
        .store
        .history(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "status")
        .map(|e| (e.from, e.to, e.actor, e.at))
        .collect();
    use Status::*;
    let expected: Vec<_> = [
        (New, Checked, "petrova"),
        (Checked, Candidate, "sidorov"),
        (Candidate, Member, "kassa"),
        (Member, Authorized, "petrova"),
        (Authorized, Archived, "petrova"),
    ]
    .into_iter()
    .zip(times)
    .map(|((f, t, who), when)| (Some(f), Some(t), who.to_string(), when))
    .collect();
    assert_eq!(status_events, expected);
    let kinds: Vec<_> = d
        .store
        .history(id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "created", "checks", "checks", "status", "status", "status", "status", "status"
        ]
    );
    let history = d.store.history(id).unwrap();
    assert!(
        history[5].comment.contains(&member_no),
        "{}",
        history[5].comment
    );
    assert!(history[7].comment.contains("К-2026/77"));
}

#[test]
fn an_applicant_who_already_is_a_member_skips_the_candidate_stage() {
    let mut d = desk();
    let (m, i) = (d.manager.clone(), d.inspector.clone());
    let first = d.advance(&complete_input(), Status::Archived, at("2026-11-16 09:00"));
    let member_id = d.app(first).member_id.unwrap();
    let member_no = d.app(first).member_no.unwrap();

    let mut again = complete_input();
    again.amount = "50000".into();
    again.phone = "+7 924 811 16 71".into();
    let id = d.create(&m, &again, at("2026-11-23 09:00"));
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-23 09:10"));
    d.step(
        &m,
        id,
        Status::Checked,
        StepInput::None,
        at("2026-11-23 09:20"),
    )
    .unwrap();

    refused(
        &mut d,
        "a member made a candidate again",
        |e| matches!(e, StoreError::Refused(Refusal::AlreadyMember)),
        |d| {
            d.step(
                &i,
                id,
                Status::Candidate,
                StepInput::None,
                at("2026-11-23 09:30"),
            )
        },
    );
    let contributions = d.count("SELECT count(*) FROM contributions");
    let r = d
        .step(
            &i,
            id,
            Status::Member,
            StepInput::None,
            at("2026-11-23 09:30"),
        )
        .unwrap();
    assert_eq!(r.status, Status::Member);
    assert_eq!(r.member_id, Some(member_id));
    assert_eq!(r.member_no, Some(member_no));
    assert_eq!(d.count("SELECT count(*) FROM members"), 1);
    assert_eq!(d.count("SELECT count(*) FROM contributions"), contributions);
    let last = d.store.history(id).unwrap().pop().unwrap();
    assert_eq!(
        (last.from, last.to, last.actor.as_str()),
        (Some(Status::Checked), Some(Status::Member), "sidorov")
    );

    // And on to a second loan for the same member.
    d.step(
        &m,
        id,
        Status::Authorized,
        StepInput::None,
        at("2026-11-23 10:00"),
    )
    .unwrap();
    d.step(
        &m,
        id,
        Status::Archived,
        StepInput::Contract {
            contract_no: String::new(),
            issue_date: day("2026-11-23"),
        },
        at("2026-11-23 10:10"),
    )
    .unwrap();
    assert_eq!(
        d.count(&format!(
            "SELECT count(*) FROM loans WHERE member_id = {member_id}"
        )),
        2
    );
    let contracts = rows(&d.store, "SELECT contract_no FROM loans ORDER BY id");
    assert_ne!(contracts[0], contracts[1]);
}

#[test]
fn two_open_applications_of_one_person_share_one_member_and_pay_once() {
    let mut d = desk();
    let c = d.cashier.clone();
    let a = d.advance(&complete_input(), Status::Candidate, at("2026-11-20 09:00"));
    let b = d.advance(&complete_input(), Status::Candidate, at("2026-11-20 12:00"));
    assert_eq!(d.count("SELECT count(*) FROM members"), 1);
    assert_eq!(d.app(a).member_id, d.app(b).member_id);
    let fees = |id: i64| StepInput::Fees {
        entrance_receipt: format!("R{id}a"),
        share_receipt: format!("R{id}b"),
    };
    d.step(&c, a, Status::Member, fees(a), at("2026-11-23 10:00"))
        .unwrap();
    d.step(&c, b, Status::Member, fees(b), at("2026-11-23 10:05"))
        .unwrap();
    assert_eq!(d.count("SELECT count(*) FROM members"), 1);
    assert_eq!(d.count("SELECT count(*) FROM contributions"), 2);
    assert_eq!(d.count("SELECT count(*) FROM cash_orders"), 2);
    assert_eq!(d.app(a).member_no, d.app(b).member_no);
}

// ----- refusals -----------------------------------------------------------------------------

#[test]
fn every_step_refuses_the_wrong_roles_and_the_wrong_targets() {
    let mut d = desk();
    let id = d.create(
        &d.manager.clone(),
        &complete_input(),
        at("2026-11-20 09:00"),
    );
    d.checks_all(
        &d.manager.clone(),
        id,
        CheckOutcome::Ok,
        at("2026-11-20 09:10"),
    );
    let everyone = [
        d.manager.clone(),
        d.inspector.clone(),
        d.cashier.clone(),
        d.head.clone(),
        d.admin.clone(),
    ];
    let contract = StepInput::Contract {
        contract_no: "Д-1".into(),
        issue_date: day("2026-11-23"),
    };
    let fees = StepInput::Fees {
        entrance_receipt: "ПКО-1".into(),
        share_receipt: "ПКО-2".into(),
    };
    use Status::*;
    let path = [
        (New, Checked, Role::Manager, StepInput::None),
        (Checked, Candidate, Role::Inspector, StepInput::None),
        (Candidate, Member, Role::Cashier, fees),
        (Member, Authorized, Role::Manager, StepInput::None),
        (Authorized, Archived, Role::Manager, contract),
    ];
    let mut t = at("2026-11-23 09:00");
    for (from, to, role, input) in path {
        assert_eq!(d.app(id).status, from);
        t += Duration::minutes(30);
        for who in everyone.iter().filter(|a| a.roles != [role]) {
            refused(
                &mut d,
                &format!("{from} → {to} by {}", who.login),
                |e| role_refusal(e, role),
                |d| d.step(who, id, to, input.clone(), t),
            );
            // An Actor claiming the role it lacks gains nothing: roles are read from the database.
            let mut forged = who.clone();
            forged.roles = Role::ALL.to_vec();
            refused(
                &mut d,
                &format!("{from} → {to} by forged {}", who.login),
                |e| role_refusal(e, role),
                |d| d.step(&forged, id, to, input.clone(), t),
            );
        }
        let right = everyone.iter().find(|a| a.roles == [role]).unwrap().clone();
        let mut ghost = right.clone();
        ghost.staff_id = 9_999;
        refused(
            &mut d,
            &format!("{from} → {to} by a person not in the database"),
            |e| role_refusal(e, role),
            |d| d.step(&ghost, id, to, input.clone(), t),
        );
        // Skipping ahead and going back are no steps at all, whoever asks.
        for target in Status::ALL {
            if target == to || target == Rejected || (from == Checked && target == Member) {
                continue;
            }
            for who in [&right, &d.head.clone()] {
                refused(
                    &mut d,
                    &format!("{from} → {target} by {}", who.login),
                    |e| matches!(e, StoreError::Refused(Refusal::NoSuchStep)),
                    |d| d.step(who, id, target, input.clone(), t),
                );
            }
        }
        // Rejecting is for the stage's owner or the head of office, nobody else.
        for who in everyone
            .iter()
            .filter(|a| a.roles != [role] && a.roles != [Role::Head])
        {
            refused(
                &mut d,
                &format!("{from} → rejected by {}", who.login),
                |e| role_refusal(e, role),
                |d| d.step(who, id, Rejected, StepInput::Reason("нет".into()), t),
            );
        }
        let r = d.step(&right, id, to, input, t).unwrap();
        assert_eq!(r.status, to);
    }

    // Archived: closed to everyone, for every target and every kind of change.
    for who in &everyone {
        for target in Status::ALL {
            refused(
                &mut d,
                &format!("archived → {target} by {}", who.login),
                |e| matches!(e, StoreError::Refused(Refusal::Closed)),
                |d| d.step(who, id, target, StepInput::Reason("поздно".into()), t),
            );
        }
    }
    let v = d.app(id).version;
    let data = d.app(id).data;
    let head = d.head.clone();
    refused(
        &mut d,
        "editing an archived application",
        |e| matches!(e, StoreError::Refused(Refusal::Closed)),
        |d| d.store.update_application(&head, id, v, &data, d.tom, t),
    );
    refused(
        &mut d,
        "taking an archived application",
        |e| matches!(e, StoreError::Refused(Refusal::Closed)),
        |d| d.store.take_application(&head, id, t),
    );
}

#[test]
fn rejecting_needs_a_reason_and_closes_the_application() {
    let mut d = desk();
    let (m, head, cashier) = (d.manager.clone(), d.head.clone(), d.cashier.clone());
    let id = d.create(&m, &complete_input(), at("2026-11-23 09:00"));
    let t = at("2026-11-23 10:00");
    for input in [
        StepInput::Reason(String::new()),
        StepInput::Reason("   ".into()),
        StepInput::None,
    ] {
        refused(
            &mut d,
            &format!("reject with {input:?}"),
            |e| invalid_fields(e) == ["reason"],
            |d| d.step(&m, id, Status::Rejected, input.clone(), t),
        );
    }
    refused(
        &mut d,
        "a cashier rejects a new application",
        |e| role_refusal(e, Role::Manager),
        |d| {
            d.step(
                &cashier,
                id,
                Status::Rejected,
                StepInput::Reason("нет".into()),
                t,
            )
        },
    );
    let r = d
        .step(
            &head,
            id,
            Status::Rejected,
            StepInput::Reason("  доход не подтверждён ".into()),
            t,
        )
        .unwrap();
    assert_eq!(r.status, Status::Rejected);
    assert_eq!(r.reject_reason, "доход не подтверждён");
    let last = d.store.history(id).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.kind.as_str(),
            last.from,
            last.to,
            last.actor.as_str(),
            last.at,
            last.comment.as_str()
        ),
        (
            "status",
            Some(Status::New),
            Some(Status::Rejected),
            "nop",
            t,
            "доход не подтверждён"
        )
    );
    for who in [m.clone(), head.clone()] {
        for target in Status::ALL {
            refused(
                &mut d,
                &format!("rejected → {target}"),
                |e| matches!(e, StoreError::Refused(Refusal::Closed)),
                |d| d.step(&who, id, target, StepInput::Reason("снова".into()), t),
            );
        }
    }
    let data = d.app(id).data;
    let v = d.app(id).version;
    refused(
        &mut d,
        "editing a rejected application",
        |e| matches!(e, StoreError::Refused(Refusal::Closed)),
        |d| d.store.update_application(&m, id, v, &data, d.tom, t),
    );
    let before = dump(&d.store);
    let checks = vec![("phone".to_string(), Some(CheckOutcome::Ok), String::new())];
    assert!(matches!(
        d.store.save_checks(&m, id, &checks, None, &d.rules, t),
        Err(StoreError::Refused(Refusal::Closed))
    ));
    assert!(dump(&d.store) == before);
}

#[test]
fn new_to_checked_needs_complete_data_and_every_check_passed() {
    let mut d = desk();
    let m = d.manager.clone();
    let t = at("2026-11-23 12:00");
    let to_checked = |d: &mut Desk, id: i64| d.step(&m, id, Status::Checked, StepInput::None, t);

    // No checks at all.
    let id = d.create(&m, &complete_input(), at("2026-11-23 09:00"));
    let n = d.rules.checks.len();
    refused(
        &mut d,
        "no checks",
        |e| invalid_reasons(e) == vec!["err.check_missing"; n],
        |d| to_checked(d, id),
    );
    // All but one.
    let partial: Vec<_> = d.rules.checks[1..]
        .iter()
        .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
        .collect();
    d.store
        .save_checks(&m, id, &partial, None, &d.rules, at("2026-11-23 09:30"))
        .unwrap();
    let missing = d.rules.checks[0].name_ru.clone();
    refused(
        &mut d,
        "one check missing",
        |e| matches!(e, StoreError::Invalid(errs) if errs.len() == 1 && errs[0].reason == "err.check_missing" && errs[0].detail.as_deref() == Some(missing.as_str())),
        |d| to_checked(d, id),
    );
    // All done, one failed.
    let failed = vec![(
        d.rules.checks[0].code.clone(),
        Some(CheckOutcome::Failed),
        "номер принадлежит другому лицу".to_string(),
    )];
    d.store
        .save_checks(&m, id, &failed, None, &d.rules, at("2026-11-23 09:40"))
        .unwrap();
    refused(
        &mut d,
        "a failed check",
        |e| invalid_reasons(e) == ["err.check_failed"],
        |d| to_checked(d, id),
    );
    // Clearing a result (None) makes it missing again.
    let cleared = vec![(d.rules.checks[0].code.clone(), None, String::new())];
    d.store
        .save_checks(&m, id, &cleared, None, &d.rules, at("2026-11-23 09:45"))
        .unwrap();
    assert_eq!(d.store.checks(id).unwrap().0.len(), n - 1);
    // Unknown checks and bureau outcomes are refused.
    let before = dump(&d.store);
    let unknown = vec![(
        "horoscope".to_string(),
        Some(CheckOutcome::Ok),
        String::new(),
    )];
    assert_eq!(
        invalid_fields(
            &d.store
                .save_checks(&m, id, &unknown, None, &d.rules, t)
                .unwrap_err()
        ),
        ["checks"]
    );
    let bad_bureau = BureauCheck {
        bureau: "НБКИ".into(),
        report_date: day("2026-11-23"),
        outcome: "splendid".into(),
        comment: String::new(),
    };
    assert_eq!(
        invalid_fields(
            &d.store
                .save_checks(&m, id, &[], Some(&bad_bureau), &d.rules, t)
                .unwrap_err()
        ),
        ["bureau_outcome"]
    );
    assert!(dump(&d.store) == before);
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-23 10:00"));
    assert_eq!(to_checked(&mut d, id).unwrap().status, Status::Checked);

    // Passport "issued by" (and the rest the desk completes) must be there first.
    let mut incomplete = complete_input();
    incomplete.passport_issued_by = String::new();
    incomplete.passport = "4509 654321".into();
    let id = d.create(&m, &incomplete, at("2026-11-23 09:00"));
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-23 10:00"));
    refused(
        &mut d,
        "no passport_issued_by",
        |e| invalid_fields(e) == ["passport_issued_by"],
        |d| to_checked(d, id),
    );
    incomplete.passport_issued_on = String::new();
    incomplete.fact_address = String::new();
    let data = d.data(&incomplete);
    let v = d.app(id).version;
    d.store
        .update_application(&m, id, v, &data, d.tom, at("2026-11-23 10:30"))
        .unwrap();
    refused(
        &mut d,
        "no passport_issued_by, issued_on, fact_address",
        |e| invalid_fields(e) == ["passport_issued_by", "passport_issued_on", "fact_address"],
        |d| to_checked(d, id),
    );
}

#[test]
fn the_cash_desk_needs_both_receipt_numbers() {
    let mut d = desk();
    let c = d.cashier.clone();
    let id = d.advance(&complete_input(), Status::Candidate, at("2026-11-20 09:00"));
    let t = at("2026-11-23 10:00");
    let fees = |a: &str, b: &str| StepInput::Fees {
        entrance_receipt: a.into(),
        share_receipt: b.into(),
    };
    for (input, fields) in [
        (fees("", ""), vec!["entrance_receipt", "share_receipt"]),
        (fees("ПКО-1", "  "), vec!["share_receipt"]),
        (fees("", "ПКО-2"), vec!["entrance_receipt"]),
        (StepInput::None, vec!["entrance_receipt"]),
        (fees(&"9".repeat(41), "ПКО-2"), vec!["entrance_receipt"]),
    ] {
        refused(
            &mut d,
            &format!("fees {input:?}"),
            |e| invalid_fields(e) == fields,
            |d| d.step(&c, id, Status::Member, input.clone(), t),
        );
    }
    assert_eq!(
        d.step(&c, id, Status::Member, fees("ПКО-1", "ПКО-2"), t)
            .unwrap()
            .status,
        Status::Member
    );
}

#[test]
fn contract_data_is_checked_before_anything_is_issued() {
    let mut d = desk();
    let m = d.manager.clone();
    let id = d.advance(
        &complete_input(),
        Status::Authorized,
        at("2026-11-20 09:00"),
    );
    let t = at("2026-11-23 10:00");
    let contract = |no: &str, date: &str| StepInput::Contract {
        contract_no: no.into(),
        issue_date: day(date),
    };
    for (input, reason) in [
        (contract("Д-1", "2026-11-24"), "err.date_future"),
        (contract("Д-1", "2026-11-19"), "err.before_application"),
        (StepInput::None, "err.required"),
        (contract(&"Д".repeat(41), "2026-11-23"), "err.too_long"),
    ] {
        refused(
            &mut d,
            &format!("contract {input:?}"),
            |e| invalid_reasons(e) == [reason],
            |d| d.step(&m, id, Status::Archived, input.clone(), t),
        );
    }
}

#[test]
fn final_terms_must_fit_the_product() {
    let mut d = desk();
    let m = d.manager.clone();
    let id = d.advance(&complete_input(), Status::Member, at("2026-11-20 09:00"));
    let t = at("2026-11-23 10:00");
    let consumer = d.rules.product("consumer").unwrap().clone();
    let edit = |d: &mut Desk, f: &dyn Fn(&mut ApplicationData)| {
        let rec = d.app(id);
        let mut data = rec.data.clone();
        f(&mut data);
        d.store
            .update_application(&m, id, rec.version, &data, rec.office_id, t)
            .unwrap();
    };
    edit(&mut d, &|data| {
        data.loan.amount = consumer.max_amount.checked_add(Money::from_kopecks(1))
    });
    refused(
        &mut d,
        "amount above the product's maximum",
        |e| invalid_reasons(e) == ["err.terms_outside_product"],
        |d| d.step(&m, id, Status::Authorized, StepInput::None, t),
    );
    edit(&mut d, &|data| {
        data.loan.amount = consumer.max_amount;
        data.loan.term_months = consumer.max_term_months + 1;
    });
    refused(
        &mut d,
        "term above the product's maximum",
        |e| invalid_reasons(e) == ["err.terms_outside_product"],
        |d| d.step(&m, id, Status::Authorized, StepInput::None, t),
    );
    edit(&mut d, &|data| {
        data.loan.term_months = consumer.max_term_months;
        data.loan.product = "savings".into();
    });
    refused(
        &mut d,
        "a product that is not a loan",
        |e| invalid_reasons(e) == ["err.terms_outside_product"],
        |d| d.step(&m, id, Status::Authorized, StepInput::None, t),
    );
    edit(&mut d, &|data| data.loan.product = "consumer".into());
    assert_eq!(
        d.step(&m, id, Status::Authorized, StepInput::None, t)
            .unwrap()
            .status,
        Status::Authorized
    );
    let edits: Vec<_> = d
        .store
        .history(id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "edited")
        .map(|e| e.comment)
        .collect();
    assert_eq!(edits.len(), 4);
    assert_eq!(edits[0], "amount: 150000.00 → 1000000.01");
}

// ----- rollback -----------------------------------------------------------------------------

#[test]
fn a_failing_side_effect_rolls_the_whole_transition_back() {
    let mut d = desk();
    let m = d.manager.clone();
    let first = d.advance(
        &complete_input(),
        Status::Authorized,
        at("2026-11-20 09:00"),
    );
    let mut other = complete_input();
    other.passport = "4600 111222".into();
    other.guarantor = "Поручитель Петров".into();
    let second = d.advance(&other, Status::Authorized, at("2026-11-20 10:00"));
    let t = at("2026-11-23 12:00");
    let contract = |no: &str| StepInput::Contract {
        contract_no: no.into(),
        issue_date: day("2026-11-23"),
    };
    d.step(&m, first, Status::Archived, contract("К-100"), t)
        .unwrap();

    // The contract number is another loan's.
    refused(
        &mut d,
        "a contract number already used",
        |e| invalid_reasons(e) == ["err.contract_taken"],
        |d| d.step(&m, second, Status::Archived, contract("К-100"), t),
    );
    assert_eq!(d.app(second).status, Status::Authorized);

    // The last side effect fails after the loan, the agreement and the cash order were
    // written: none of them, no history row and no counter step may remain.
    d.store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER sales_closed BEFORE INSERT ON sales
             BEGIN SELECT RAISE(ABORT, 'sales ledger closed'); END;",
        )
        .unwrap();
    refused(
        &mut d,
        "the sale cannot be recorded",
        |e| matches!(e, StoreError::Sqlite(_)) && e.to_string().contains("sales ledger closed"),
        |d| d.step(&m, second, Status::Archived, contract(""), t),
    );
    assert_eq!(d.app(second).status, Status::Authorized);
    assert_eq!(d.count("SELECT count(*) FROM loans"), 1);
    assert_eq!(d.count("SELECT count(*) FROM loan_agreements"), 0);

    d.store
        .conn()
        .execute_batch("DROP TRIGGER sales_closed")
        .unwrap();
    let r = d
        .step(&m, second, Status::Archived, contract(""), t)
        .unwrap();
    assert_eq!(r.status, Status::Archived);
    assert_eq!(d.count("SELECT count(*) FROM loans"), 2);
    assert_eq!(d.count("SELECT count(*) FROM loan_agreements"), 1);
    assert_eq!(d.count("SELECT count(*) FROM sales"), 2);
}

// ----- concurrency --------------------------------------------------------------------------

#[test]
fn a_stale_version_is_a_conflict_naming_who_changed_it_and_when() {
    let mut d = desk();
    let (m, head) = (d.manager.clone(), d.head.clone());
    let id = d.create(&m, &complete_input(), at("2026-11-23 09:00"));
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-23 09:10"));
    // Petrova opens the application...
    let opened = d.app(id);

    // ...meanwhile the head of office, at another desk, corrects the amount.
    let mut desk2 = Store::open(&d.path).unwrap();
    let mut theirs = opened.data.clone();
    theirs.loan.amount = Money::from_rubles(120_000);
    let saved = desk2
        .update_application(
            &head,
            id,
            opened.version,
            &theirs,
            d.tom,
            at("2026-11-23 09:15"),
        )
        .unwrap();
    assert_eq!(saved.version, opened.version + 1);
    assert_eq!(saved.data.loan.amount, Money::from_rubles(120_000));

    let conflict = |e: &StoreError| matches!(e, StoreError::Conflict { by, at } if by == "nop" && at == "2026-11-23 09:15:00");
    let mut mine = opened.data.clone();
    mine.loan.term_months = 36;
    refused(&mut d, "saving over someone else's save", conflict, |d| {
        d.store
            .update_application(&m, id, opened.version, &mine, d.tom, at("2026-11-23 09:20"))
    });
    refused(&mut d, "a transition from a stale version", conflict, |d| {
        d.store.transition(
            &m,
            id,
            opened.version,
            Status::Checked,
            &StepInput::None,
            &d.rules,
            at("2026-11-23 09:20"),
        )
    });
    let now = d.app(id);
    assert_eq!(now.data, theirs);
    assert_eq!(now.status, Status::New);

    // With the fresh version both go through.
    let r = d
        .store
        .update_application(
            &m,
            id,
            now.version,
            &{
                let mut x = theirs.clone();
                x.loan.term_months = 36;
                x
            },
            d.tom,
            at("2026-11-23 09:25"),
        )
        .unwrap();
    assert_eq!(r.data.loan.term_months, 36);
    let last = d.store.history(id).unwrap().pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.comment.as_str()),
        ("edited", "term_months: 24 → 36")
    );

    // Taking it into work also moves the version.
    desk2
        .take_application(&head, id, at("2026-11-23 09:30"))
        .unwrap();
    refused(
        &mut d,
        "a transition after someone took it",
        |e| matches!(e, StoreError::Conflict { by, .. } if by == "nop"),
        |d| {
            d.store.transition(
                &m,
                id,
                r.version,
                Status::Checked,
                &StepInput::None,
                &d.rules,
                at("2026-11-23 09:35"),
            )
        },
    );
    assert_eq!(
        d.app(id).assignee,
        Some(("nop".into(), "Волков Павел".into()))
    );
}

#[test]
fn two_desks_writing_at_once_both_get_through_with_distinct_numbers() {
    let d = desk();
    let data = d.data(&complete_input());
    std::thread::scope(|s| {
        for (who, minute) in [(&d.manager, 0), (&d.manager2, 30)] {
            let (path, data) = (&d.path, &data);
            s.spawn(move || {
                let mut store = Store::open(path).unwrap();
                for i in 0..25 {
                    let t = at("2026-11-23 09:00") + Duration::minutes(minute + i);
                    store
                        .create_application(who, data, who.office_id, t)
                        .unwrap();
                }
            });
        }
    });
    let mut numbers = rows(&d.store, "SELECT number FROM applications");
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
    assert_eq!(d.count("SELECT count(*) FROM application_events"), 50);
}

#[test]
fn editing_follows_the_stage_owner() {
    let mut d = desk();
    let (m, c, admin) = (d.manager.clone(), d.cashier.clone(), d.admin.clone());
    let id = d.create(&m, &complete_input(), at("2026-11-23 09:00"));
    let rec = d.app(id);
    let mut data = rec.data.clone();
    data.borrower.phone = "+79991234567".into();
    for who in [&c, &admin] {
        refused(
            &mut d,
            &format!("edit by {}", who.login),
            |e| role_refusal(e, Role::Manager),
            |d| {
                d.store.update_application(
                    who,
                    id,
                    rec.version,
                    &data,
                    d.tom,
                    at("2026-11-23 09:10"),
                )
            },
        );
        refused(
            &mut d,
            &format!("take by {}", who.login),
            |e| role_refusal(e, Role::Manager),
            |d| d.store.take_application(who, id, at("2026-11-23 09:10")),
        );
    }
    // Saving what is already there changes nothing, not even the version.
    let before = dump(&d.store);
    let same = d
        .store
        .update_application(
            &m,
            id,
            rec.version,
            &rec.data,
            d.tom,
            at("2026-11-23 09:10"),
        )
        .unwrap();
    assert_eq!(same.version, rec.version);
    assert!(dump(&d.store) == before);
    // Moving it to another office is an edit of its own.
    let r = d
        .store
        .update_application(
            &m,
            id,
            rec.version,
            &rec.data,
            d.nsk,
            at("2026-11-23 09:20"),
        )
        .unwrap();
    assert_eq!(r.office_code, "NSK");
    assert_eq!(
        d.store.history(id).unwrap().pop().unwrap().comment,
        "office: TOM → NSK"
    );
}

// ----- logging in ---------------------------------------------------------------------------

#[test]
fn login_counts_wrong_passwords_and_locks() {
    let mut d = desk();
    let sec = Security {
        max_failed_logins: 5,
        lockout_minutes: 5,
        group: None,
    };
    let t = at("2026-11-23 08:00");
    let actor = d.store.authenticate("petrova", PASSWORD, t, &sec).unwrap();
    assert_eq!(actor, d.manager);
    assert_eq!(actor.roles, vec![Role::Manager]);
    // Surrounding spaces in the login are forgiven; the password is taken as typed.
    assert!(d.store.authenticate(" petrova ", PASSWORD, t, &sec).is_ok());
    assert!(matches!(
        d.store.authenticate("nobody", PASSWORD, t, &sec),
        Err(StoreError::BadCredentials)
    ));
    assert!(matches!(
        d.store
            .authenticate("petrova", &format!("{PASSWORD} "), t, &sec),
        Err(StoreError::BadCredentials)
    ));
    d.store.authenticate("petrova", PASSWORD, t, &sec).unwrap();

    // A success in between starts the count again.
    let t = at("2026-11-23 09:00");
    for _ in 0..4 {
        assert!(matches!(
            d.store.authenticate("petrova", "wrong", t, &sec),
            Err(StoreError::BadCredentials)
        ));
    }
    d.store.authenticate("petrova", PASSWORD, t, &sec).unwrap();

    // Five wrong in a row lock the login for lockout_minutes.
    let t = at("2026-11-23 10:00");
    for i in 1..=5 {
        let r = d
            .store
            .authenticate("petrova", "wrong", t + Duration::seconds(i), &sec);
        if i < 5 {
            assert!(
                matches!(r, Err(StoreError::BadCredentials)),
                "attempt {i}: {r:?}"
            );
        } else {
            assert!(
                matches!(&r, Err(StoreError::Locked(until)) if until == "10:05"),
                "{r:?}"
            );
        }
    }
    let locked_at = t + Duration::seconds(5);
    for later in [
        Duration::seconds(1),
        Duration::minutes(4),
        Duration::seconds(299),
    ] {
        assert!(
            matches!(
                d.store
                    .authenticate("petrova", PASSWORD, locked_at + later, &sec),
                Err(StoreError::Locked(_))
            ),
            "{later} after locking"
        );
    }
    // Other people are not affected.
    d.store
        .authenticate("sidorov", PASSWORD, locked_at, &sec)
        .unwrap();
    let back = d
        .store
        .authenticate("petrova", PASSWORD, locked_at + Duration::minutes(5), &sec)
        .unwrap();
    assert_eq!(back.login, "petrova");
    // And after the lock, the count starts from zero.
    let t = locked_at + Duration::minutes(6);
    assert!(matches!(
        d.store.authenticate("petrova", "wrong", t, &sec),
        Err(StoreError::BadCredentials)
    ));

    let audit = rows(
        &d.store,
        "SELECT action, detail FROM audit WHERE actor = 'petrova' ORDER BY id",
    );
    let actions: Vec<&str> = audit
        .iter()
        .map(|a| a.split(" | ").next().unwrap())
        .collect();
    let attempts = |n: usize| std::iter::repeat_n("auth.failed", n);
    let mut expected = vec!["auth.login", "auth.login", "auth.failed", "auth.login"];
    expected.extend(attempts(4));
    expected.push("auth.login");
    expected.extend(attempts(5));
    expected.push("auth.locked");
    // Every attempt while locked is recorded too.
    expected.extend(["auth.locked_out"; 3]);
    expected.push("auth.login");
    expected.push("auth.failed");
    assert_eq!(actions, expected);
    assert!(audit.contains(&"auth.locked | 2026-11-23 10:05:05".to_string()));
    assert!(audit.contains(&"auth.failed | attempt 5".to_string()));
    assert!(audit.contains(&"auth.locked_out | 2026-11-23 10:05:05".to_string()));
}

#[test]
fn a_deactivated_person_cannot_log_in_or_act() {
    let mut d = desk();
    let sec = Security::default();
    let m = d.manager.clone();
    let id = d.create(&m, &complete_input(), at("2026-11-23 09:00"));
    d.store
        .conn()
        .execute("UPDATE staff SET active = 0 WHERE login = 'petrova'", [])
        .unwrap();
    assert!(matches!(
        d.store
            .authenticate("petrova", PASSWORD, at("2026-11-23 10:00"), &sec),
        Err(StoreError::BadCredentials)
    ));
    refused(
        &mut d,
        "reject by a deactivated manager",
        |e| role_refusal(e, Role::Manager),
        |d| {
            d.step(
                &m,
                id,
                Status::Rejected,
                StepInput::Reason("нет".into()),
                at("2026-11-23 10:00"),
            )
        },
    );
}

// ----- the journal --------------------------------------------------------------------------

const SURNAMES: [&str; 9] = [
    "Ёлкин",
    "Елкина",
    "Иванов",
    "Петров",
    "Сёмин",
    "Семина",
    "Абрамов",
    "Яковлев",
    "ЁЖИКОВ",
];
const PRODUCTS: [&str; 3] = ["consumer", "business", "housing"];
const AMOUNTS: [&str; 5] = ["150000", "300000", "150000", "120000.50", "500000"];

/// A journal of some fifty applications: two offices, several creators, ties on every key.
fn journal() -> (Desk, Vec<ApplicationRecord>) {
    let mut d = desk();
    let (m, m2, head) = (d.manager.clone(), d.manager2.clone(), d.head.clone());
    for i in 0..45usize {
        let created = at("2026-11-16 09:00")
            + Duration::days((i % 8) as i64)
            + Duration::hours((i % 2) as i64);
        let creator = if i % 5 == 0 {
            &head
        } else if i % 3 == 0 {
            &m2
        } else {
            &m
        };
        let mut input = complete_input();
        input.last_name = SURNAMES[i % SURNAMES.len()].into();
        input.first_name = if i % 2 == 0 { "Пётр" } else { "Анна" }.into();
        input.passport = format!("{:04} {:06}", 4500 + i, 100_000 + i * 7);
        input.phone = format!("8 (9{:02}) 811-{:02}-{:02}", 20 + i % 7, i, 90 - i);
        input.product = PRODUCTS[i % 3].into();
        input.amount = AMOUNTS[i % 5].into();
        let data = d.data(&input);
        let office = if i % 3 == 0 { d.nsk } else { d.tom };
        let id = d
            .store
            .create_application(creator, &data, office, created)
            .unwrap()
            .id;
        let owner = if i % 3 == 0 { &m2 } else { &m };
        match i % 4 {
            1 => {
                d.step(
                    owner,
                    id,
                    Status::Rejected,
                    StepInput::Reason("отказ".into()),
                    created + Duration::hours(2),
                )
                .unwrap();
            }
            2 => {
                d.checks_all(owner, id, CheckOutcome::Ok, created + Duration::hours(1));
                d.step(
                    owner,
                    id,
                    Status::Checked,
                    StepInput::None,
                    created + Duration::hours(2),
                )
                .unwrap();
            }
            _ => {}
        }
        if i % 7 == 3 && i % 4 != 1 {
            let taker = if i % 4 == 2 { &head } else { owner };
            d.store
                .take_application(taker, id, created + Duration::hours(3))
                .unwrap();
        }
    }
    // Five imported at one moment: ties on date, status and assignee (nobody).
    let rows: Vec<_> = (0..5)
        .map(|i| {
            let mut input = complete_input();
            input.last_name = ["Ёлкин", "Жуков", "Зайцев", "Ёлкин", "Кузнецов"][i].into();
            input.passport = format!("{:04} {:06}", 4700 + i, 200_000 + i);
            input.phone = format!("+7 924 700 00 0{i}");
            ImportRow {
                external_id: format!("web-{i}"),
                office_id: d.tom,
                data: d.data(&input),
            }
        })
        .collect();
    assert_eq!(
        d.store
            .import_applications("import:test", &rows, at("2026-11-20 12:00"), |_| {})
            .unwrap(),
        (5, 0)
    );
    let mut all = Vec::new();
    let mut id = 1;
    while let Ok(r) = d.store.application(id) {
        all.push(r);
        id += 1;
    }
    assert_eq!(all.len(), 50);
    (d, all)
}

type Pred = Box<dyn Fn(&ApplicationRecord) -> bool>;

fn pred(f: impl Fn(&ApplicationRecord) -> bool + 'static) -> Pred {
    Box::new(f)
}

/// The value each sort key orders by, computed from the full record.
fn sort_value(key: SortKey, r: &ApplicationRecord) -> String {
    match key {
        SortKey::Number => format!("{:012}", r.id),
        SortKey::Date | SortKey::Age => r.created_at.to_string(),
        SortKey::Applicant => fold(&r.data.borrower.full_name()),
        SortKey::Product => r.data.loan.product.clone(),
        SortKey::Amount => format!("{:020}", r.data.loan.amount.kopecks()),
        SortKey::Status => r.status.rank().to_string(),
        SortKey::Assignee => r.assignee.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        SortKey::InStatus => r.status_since.to_string(),
    }
}

/// Ids in the order the journal must show them, by the records and this key alone.
fn expected_order(all: &[&ApplicationRecord], key: SortKey, descending: bool) -> Vec<i64> {
    let mut v: Vec<_> = all.iter().map(|r| (sort_value(key, r), r.id)).collect();
    v.sort();
    // Age and time in status grow as the date shrinks.
    let inverted = matches!(key, SortKey::Age | SortKey::InStatus);
    if descending != inverted {
        v.reverse();
    }
    v.into_iter().map(|(_, id)| id).collect()
}

fn pages_forward(store: &Store, q: &QueueQuery, limit: usize) -> Vec<Vec<QueueRow>> {
    let mut pages = Vec::new();
    let mut from = PageFrom::Start;
    loop {
        let page = store.queue_page(q, &from, limit).unwrap();
        assert!(page.len() <= limit);
        let Some(last) = page.last() else { break };
        from = PageFrom::After(last.page_key());
        let short = page.len() < limit;
        pages.push(page);
        if short {
            break;
        }
        assert!(pages.len() <= 100, "paging does not end");
    }
    pages
}

fn pages_backward(store: &Store, q: &QueueQuery, limit: usize) -> Vec<Vec<QueueRow>> {
    let mut pages = Vec::new();
    let mut from = PageFrom::End;
    loop {
        let page = store.queue_page(q, &from, limit).unwrap();
        assert!(page.len() <= limit);
        let Some(first) = page.first() else { break };
        from = PageFrom::Before(first.page_key());
        let short = page.len() < limit;
        pages.push(page);
        if short {
            break;
        }
        assert!(pages.len() <= 100, "paging does not end");
    }
    pages.reverse();
    pages
}

fn ids(rows: &[QueueRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

#[test]
fn the_journal_pages_every_row_exactly_once_under_every_sort_and_filter() {
    let (d, all) = journal();
    let petrova = d.manager.staff_id;
    let surname_has =
        |part: &'static str| pred(move |r| fold(&r.data.borrower.last_name).contains(part));
    // A digit search looks in phone digits and passports.
    let digits_have = |parts: &'static [&'static str]| {
        pred(move |r| {
            let phone: String = r
                .data
                .borrower
                .phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            parts
                .iter()
                .any(|p| phone.contains(p) || r.data.borrower.passport.contains(p))
        })
    };
    let mut queries: Vec<(&str, QueueQuery, Pred)> = vec![
        ("everything", QueueQuery::default(), pred(|_| true)),
        (
            "new and rejected",
            QueueQuery {
                statuses: vec![Status::New, Status::Rejected],
                ..Default::default()
            },
            pred(|r| matches!(r.status, Status::New | Status::Rejected)),
        ),
        (
            "office NSK",
            QueueQuery {
                office_id: Some(d.nsk),
                ..Default::default()
            },
            pred(|r| r.office_code == "NSK"),
        ),
        (
            "mine",
            QueueQuery {
                assignee_id: Some(petrova),
                ..Default::default()
            },
            pred(|r| r.assignee.as_ref().is_some_and(|a| a.0 == "petrova")),
        ),
        (
            "business in Tomsk",
            QueueQuery {
                product: Some("business".into()),
                office_id: Some(d.tom),
                ..Default::default()
            },
            pred(|r| r.data.loan.product == "business" && r.office_code == "TOM"),
        ),
        (
            "18 to 20 November",
            QueueQuery {
                from: Some(day("2026-11-18")),
                to: Some(day("2026-11-20")),
                ..Default::default()
            },
            pred(|r| {
                let d = r.created_at.date();
                d >= day("2026-11-18") && d <= day("2026-11-20")
            }),
        ),
    ];
    for (search, p) in [
        ("ЁЛКИН", surname_has("елкин")),
        ("елкин", surname_has("елкин")),
        ("  сёмин ", surname_has("семин")),
        ("ёжиков", surname_has("ежиков")),
        ("Анна", pred(|r| r.data.borrower.first_name == "Анна")),
        (
            "елкина анна",
            pred(|r| r.data.borrower.full_name().starts_with("Елкина Анна")),
        ),
        ("8 924 811", digits_have(&["8924811", "7924811"])),
        ("+7 924", digits_have(&["7924"])),
        (
            "8 (924) 700-00-03",
            digits_have(&["89247000003", "79247000003"]),
        ),
        (
            "4512 100084",
            pred(|r| r.data.borrower.passport == "4512100084"),
        ),
        ("2026-000007", pred(|r| r.number == "2026-000007")),
    ] {
        queries.push((
            search,
            QueueQuery {
                search: search.into(),
                ..Default::default()
            },
            p,
        ));
    }
    queries.push((
        "checked Ёлкины in Tomsk",
        QueueQuery {
            search: "Ёлкин".into(),
            statuses: vec![Status::Checked],
            office_id: Some(d.tom),
            ..Default::default()
        },
        pred(|r| {
            fold(&r.data.borrower.last_name).contains("елкин")
                && r.status == Status::Checked
                && r.office_code == "TOM"
        }),
    ));

    for (name, q, pred) in &queries {
        let matching: Vec<&ApplicationRecord> = all.iter().filter(|r| pred(r)).collect();
        assert!(!matching.is_empty(), "{name}: the test data has no match");
        assert_eq!(
            d.store.queue_count(q).unwrap(),
            matching.len() as u64,
            "{name}: count"
        );
        for sort in SortKey::ALL {
            for descending in [false, true] {
                let q = QueueQuery {
                    sort,
                    descending,
                    ..q.clone()
                };
                let what = format!("{name}, {sort:?}, descending={descending}");
                let expected = expected_order(&matching, sort, descending);
                let whole = d.store.queue_page(&q, &PageFrom::Start, 1000).unwrap();
                assert_eq!(ids(&whole), expected, "{what}: order");
                assert_eq!(d.store.queue_count(&q).unwrap(), expected.len() as u64);
                for limit in [1, 4, 7] {
                    let fwd: Vec<i64> = pages_forward(&d.store, &q, limit)
                        .iter()
                        .flat_map(|p| ids(p))
                        .collect();
                    assert_eq!(fwd, expected, "{what}: forward by {limit}");
                    let back_pages = pages_backward(&d.store, &q, limit);
                    let back: Vec<i64> = back_pages.iter().flat_map(|p| ids(p)).collect();
                    assert_eq!(back, expected, "{what}: backward by {limit}");
                }
            }
        }
    }

    // A row shows what the journal needs.
    let q = QueueQuery {
        search: "2026-000002".into(),
        ..Default::default()
    };
    let row = &d.store.queue_page(&q, &PageFrom::Start, 10).unwrap()[0];
    let rec = &all[1];
    assert_eq!(row.number, rec.number);
    assert_eq!(row.applicant, rec.data.borrower.full_name());
    assert_eq!(row.amount, rec.data.loan.amount);
    assert_eq!(row.status, rec.status);
    assert_eq!(row.status_since, rec.status_since);
    assert_eq!(row.created_at, rec.created_at);
    assert_eq!(row.office_code, rec.office_code);
    assert_eq!(row.assignee, rec.assignee.as_ref().map(|a| a.1.clone()));

    // Nothing matches: empty pages both ways, count zero.
    let none = QueueQuery {
        search: "Щукин".into(),
        ..Default::default()
    };
    assert_eq!(d.store.queue_count(&none).unwrap(), 0);
    assert!(
        d.store
            .queue_page(&none, &PageFrom::Start, 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        d.store
            .queue_page(&none, &PageFrom::End, 10)
            .unwrap()
            .is_empty()
    );
}

// ----- import -------------------------------------------------------------------------------

#[test]
fn import_is_idempotent_on_the_external_id() {
    let mut d = desk();
    let row = |d: &Desk, ext: &str, passport: &str| {
        let mut input = complete_input();
        input.passport = passport.into();
        ImportRow {
            external_id: ext.into(),
            office_id: d.nsk,
            data: d.data(&input),
        }
    };
    let rows = vec![
        row(&d, "site-1", "4600 000001"),
        row(&d, "site-2", "4600 000002"),
    ];
    let t = at("2026-11-23 08:00");
    let mut seen = Vec::new();
    assert_eq!(
        d.store
            .import_applications("import:site", &rows, t, |n| seen.push(n))
            .unwrap(),
        (2, 0)
    );
    assert_eq!(seen.last(), Some(&2));
    assert_eq!(
        d.store
            .import_applications("import:site", &rows, t + Duration::hours(1), |_| {})
            .unwrap(),
        (0, 2)
    );
    // A file with one new row and a repeat of an old one within itself.
    let more = vec![
        row(&d, "site-2", "4600 000002"),
        row(&d, "site-3", "4600 000003"),
        row(&d, "site-3", "4600 000003"),
    ];
    assert_eq!(
        d.store
            .import_applications("import:site", &more, t + Duration::hours(2), |_| {})
            .unwrap(),
        (1, 2)
    );
    assert_eq!(d.count("SELECT count(*) FROM applications"), 3);
    let r = d.app(1);
    assert_eq!(r.external_id.as_deref(), Some("site-1"));
    assert_eq!(r.status, Status::New);
    assert_eq!(r.assignee, None);
    assert_eq!(r.office_code, "NSK");
    assert_eq!(r.created_by, "import:site");
    let h = d.store.history(1).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (
            h[0].kind.as_str(),
            h[0].to,
            h[0].actor.as_str(),
            h[0].comment.as_str()
        ),
        ("imported", Some(Status::New), "import:site", "site-1")
    );
}

// ----- scoring ------------------------------------------------------------------------------

/// With a card active, `new → checked` needs a complete score on that card version; terms
/// changed after scoring are scored again at `member → authorized`, the earlier score kept.
#[test]
fn the_check_needs_a_complete_score_and_final_terms_score_again() {
    use coopdesk::domain::scorecard::{Answer, answers_from_json};
    use coopdesk::scorecards;
    use coopdesk::store::scores::ScoreInput;

    let mut d = desk();
    let card = scorecards::parse(scorecards::DEFAULT_CARD_FILE, scorecards::DEFAULT_CARD).unwrap();
    d.rules.scorecard = Some(card.clone());
    let (m, i, c) = (d.manager.clone(), d.inspector.clone(), d.cashier.clone());
    let id = d.create(&m, &complete_input(), at("2026-11-20 09:30"));
    d.checks_all(&m, id, CheckOutcome::Ok, at("2026-11-20 09:40"));
    let reason_is = |r: &'static str| move |e: &StoreError| invalid_reasons(e) == [r];
    refused(&mut d, "no score", reason_is("err.score_missing"), |d| {
        d.step(
            &m,
            id,
            Status::Checked,
            StepInput::None,
            at("2026-11-20 10:00"),
        )
    });

    // Ivanov of the seed's example, buying nothing, with only what the desk types; less one
    // answer, it is recorded but not enough to check.
    let mut json: serde_json::Value =
        serde_json::from_str(include_str!("../assets/scorecards/sample-answers.json")).unwrap();
    json["object.purchase"] = "other".into();
    let mut full = ScoreInput {
        answers: answers_from_json(&card.card, &json).unwrap(),
        ..Default::default()
    };
    full.answers
        .retain(|k, _| card.card.item(k).unwrap().source().is_none());
    let mut partial = full.clone();
    partial.answers.remove("additional.civil_suits");
    let score = |d: &mut Desk, input: &ScoreInput, now| {
        let v = d.app(id).version;
        d.store
            .score_application(&m, id, v, input, &d.rules, now)
            .unwrap()
    };
    assert!(!score(&mut d, &partial, at("2026-11-20 09:50")).is_complete());
    refused(
        &mut d,
        "a partial score",
        reason_is("err.score_incomplete"),
        |d| {
            d.step(
                &m,
                id,
                Status::Checked,
                StepInput::None,
                at("2026-11-20 10:00"),
            )
        },
    );
    assert!(score(&mut d, &full, at("2026-11-20 09:55")).is_complete());

    // A complete score on another version of the card is not a score on this one.
    let mut next = card.clone();
    next.card.version = 2;
    d.rules.scorecard = Some(next);
    refused(
        &mut d,
        "another version",
        reason_is("err.score_other_card"),
        |d| {
            d.step(
                &m,
                id,
                Status::Checked,
                StepInput::None,
                at("2026-11-20 10:00"),
            )
        },
    );
    d.rules.scorecard = Some(card);
    d.step(
        &m,
        id,
        Status::Checked,
        StepInput::None,
        at("2026-11-20 10:00"),
    )
    .unwrap();
    d.step(
        &i,
        id,
        Status::Candidate,
        StepInput::None,
        at("2026-11-20 11:00"),
    )
    .unwrap();
    let fees = StepInput::Fees {
        entrance_receipt: "ПКО-1".into(),
        share_receipt: "ПКО-2".into(),
    };
    d.step(&c, id, Status::Member, fees, at("2026-11-20 12:00"))
        .unwrap();

    // Final terms: the amount cut; the score is taken again on it with the same answers.
    let mut input = complete_input();
    input.amount = "120000".into();
    let data = d.data(&input);
    let v = d.app(id).version;
    d.store
        .update_application(&m, id, v, &data, d.tom, at("2026-11-20 13:00"))
        .unwrap();
    d.step(
        &m,
        id,
        Status::Authorized,
        StepInput::None,
        at("2026-11-20 14:00"),
    )
    .unwrap();
    let scores = d.store.scores(id).unwrap();
    assert_eq!(scores.len(), 3);
    let (before, after) = (&scores[1], &scores[2]);
    assert_eq!(after.reason, "terms changed");
    assert_eq!(after.at, at("2026-11-20 14:00"));
    let requested =
        |s: &coopdesk::store::scores::ScoreRecord| s.answers["sufficiency.requested"].clone();
    assert_eq!(requested(before), Answer::Number(150_000.into()));
    assert_eq!(requested(after), Answer::Number(120_000.into()));
    assert!(after.complete);
    let typed = |s: &coopdesk::store::scores::ScoreRecord| {
        s.answers
            .iter()
            .filter(|(k, _)| full.answers.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(typed(before), typed(after));
    assert_eq!(typed(after).len(), full.answers.len());
}

#[test]
fn a_loan_to_a_member_nobody_holds_is_written_in_the_assignment_history() {
    let mut d = desk();
    let m = d.manager.clone();
    let first = d.advance(
        &complete_input(),
        Status::Authorized,
        at("2026-11-20 09:00"),
    );
    let member_id = d.app(first).member_id.unwrap();
    let holder = format!("SELECT manager_id, assigned_since FROM members WHERE id = {member_id}");
    let history = format!(
        "SELECT from_staff_id, to_staff_id, at, on_date, actor, reason, memo
         FROM assignment_history WHERE member_id = {member_id} ORDER BY id"
    );
    assert_eq!(rows(&d.store, &holder), ["- | -"]);
    let t = at("2026-11-23 12:00");
    let contract = |no: &str| StepInput::Contract {
        contract_no: no.into(),
        issue_date: day("2026-11-23"),
    };

    // The history row is part of the issue: if it cannot be written, nothing is.
    d.store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER history_closed BEFORE INSERT ON assignment_history
             BEGIN SELECT RAISE(ABORT, 'history closed'); END;",
        )
        .unwrap();
    refused(
        &mut d,
        "the assignment history cannot be written",
        |e| e.to_string().contains("history closed"),
        |d| d.step(&m, first, Status::Archived, contract("К-200"), t),
    );
    assert_eq!(d.app(first).status, Status::Authorized);
    assert_eq!(rows(&d.store, &holder), ["- | -"]);
    d.store
        .conn()
        .execute_batch("DROP TRIGGER temp.history_closed")
        .unwrap();

    d.step(&m, first, Status::Archived, contract("К-200"), t)
        .unwrap();
    assert_eq!(
        rows(&d.store, &holder),
        [format!("{} | 2026-11-23", m.staff_id)]
    );
    assert_eq!(
        rows(&d.store, &history),
        [format!(
            "- | {} | 2026-11-23 12:00:00 | 2026-11-23 | petrova | loan | К-200",
            m.staff_id
        )]
    );
    // The client base's history and the member's trail both show it.
    let h = d.store.assignment_history(member_id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].reason.as_str(), h[0].from.as_deref()), ("loan", None));
    let trail = d
        .store
        .trail(coopdesk::store::audit_trail::Subject::Member(member_id))
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.source == "assignment" && e.action == "loan"),
        "{trail:#?}"
    );

    // A second loan to the same member, who is now held: no new assignment.
    let second = d.advance(
        &complete_input(),
        Status::Authorized,
        at("2026-11-23 13:00"),
    );
    assert_eq!(d.app(second).member_id, Some(member_id));
    d.step(
        &m,
        second,
        Status::Archived,
        contract("К-201"),
        at("2026-11-23 14:00"),
    )
    .unwrap();
    assert_eq!(rows(&d.store, &history).len(), 1);
}

#[test]
fn schema_11_rebuilds_the_assignment_history_keeping_rows_and_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coopdesk.db");
    let mut d = desk();
    let m = d.manager.clone();
    let id = d.advance(
        &complete_input(),
        Status::Authorized,
        at("2026-11-20 09:00"),
    );
    d.step(
        &m,
        id,
        Status::Archived,
        StepInput::Contract {
            contract_no: "К-300".into(),
            issue_date: day("2026-11-23"),
        },
        at("2026-11-23 12:00"),
    )
    .unwrap();
    d.store.backup_to(&path, |_, _| {}).unwrap();
    let sql = "SELECT id, member_id, to_staff_id, reason, memo FROM assignment_history";
    let before = rows(&d.store, sql);
    assert_eq!(before.len(), 1);
    // As a schema-10 file (what later migrations added taken away, so they run again too):
    // 011 runs on it again and must keep every row.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("DROP INDEX sales_member").unwrap();
        c.pragma_update(None, "user_version", 10).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        coopdesk::store::SCHEMA_VERSION
    );
    assert_eq!(rows(&store, sql), before);
    for change in [
        "UPDATE assignment_history SET memo = 'x'",
        "DELETE FROM assignment_history",
    ] {
        let e = store.conn().execute(change, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{change}: {e}");
    }
    let e = store
        .conn()
        .execute(
            "INSERT INTO assignment_history(member_id, at, on_date, actor, reason)
             VALUES (1, 'x', 'x', 'x', 'whim')",
            [],
        )
        .unwrap_err();
    assert!(e.to_string().contains("CHECK"), "{e}");
}
