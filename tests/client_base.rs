//! The client base in the store, on a real SQLite file: profiles, the report, the request and
//! approval flow with every refusal, related groups moving as one, automatic unassignment,
//! the imports, and who may do what.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::domain::client_base::{Refusal, Tenure, Violation};
use coopdesk::domain::{Money, Role};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::client_base::{
    AssignmentRow, By, ChangeKind, ChangeRequest, ProfileChange, TurnoverRow,
};
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};
use rusqlite::params;
use std::sync::OnceLock;

fn hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("пароль-для-тестов").unwrap())
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> NaiveDateTime {
    d("2026-11-23").and_hms_opt(10, 0, 0).unwrap()
}

const TODAY: &str = "2026-11-23";

struct Base {
    _dir: tempfile::TempDir,
    store: Store,
    rules: Rules,
    tom: i64,
    ivanova: i64,
    orlov: i64,
    sever: i64,
    analyst: Actor,
    director: Actor,
    head: Actor,
    manager: Actor,
}

fn base() -> Base {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("cb.db")).unwrap();
    let t = now();
    let tom = store
        .add_office("test", "TOM", "Томский офис", "Томск", t)
        .unwrap();
    store
        .add_office("test", "SEV", "Северский офис", "Северск", t)
        .unwrap();
    let people: [(&str, &str, &str, Role); 7] = [
        ("ivanova", "Иванова Анна", "TOM", Role::Manager),
        ("orlov", "Орлов Игорь", "TOM", Role::Manager),
        ("sever", "Северов Пётр", "SEV", Role::Manager),
        ("mka", "Аналитикова Ольга", "TOM", Role::Analyst),
        ("dp", "Директоров Семён", "TOM", Role::Director),
        ("nop", "Волков Павел", "TOM", Role::Head),
        ("kassa", "Кузнецова Мария", "TOM", Role::Cashier),
    ];
    for (login, name, office, role) in people {
        store
            .add_staff("test", login, name, office, &[role], hash(), t)
            .unwrap();
    }
    let rules = Rules::builtin();
    let today = d(TODAY);
    for (login, spec) in [
        ("ivanova", "universal"),
        ("orlov", "industrial"),
        ("sever", "universal"),
    ] {
        store
            .set_staff_profile(
                By::Operator("test"),
                login,
                &ProfileChange {
                    specialization: Some(Some(spec.into())),
                    novice_since: Some(Some(d("2024-01-10"))),
                    ..Default::default()
                },
                &rules.client_base,
                today,
                t,
            )
            .unwrap();
    }
    let a = |l: &str| store.actor_by_login(l).unwrap();
    let (analyst, director, head, manager) = (a("mka"), a("dp"), a("nop"), a("ivanova"));
    Base {
        ivanova: manager.staff_id,
        orlov: a("orlov").staff_id,
        sever: a("sever").staff_id,
        _dir: dir,
        store,
        rules,
        tom,
        analyst,
        director,
        head,
        manager,
    }
}

impl Base {
    /// A client of `group` held by `manager` (or the pool), buying `monthly` every month.
    fn client(
        &mut self,
        n: u32,
        group: &str,
        manager: Option<i64>,
        related: &str,
        monthly: &str,
    ) -> i64 {
        self.store
            .conn()
            .execute(
                "INSERT INTO members(member_no, status, last_name, first_name, birth_date, passport,
                     office_id, manager_id, created_at, potential, client_group, territory,
                     related_group, assigned_since)
                 VALUES (?1, 'member', ?2, 'Клиент', '1980-01-01', ?3, ?4, ?5, '2024-01-01 10:00:00',
                     'A', ?6, 'Томск', ?7, ?8)",
                params![
                    format!("П-{n:05}"),
                    format!("Клиентов{n}"),
                    format!("6900 {n:06}"),
                    self.tom,
                    manager,
                    group,
                    related,
                    manager.map(|_| "2024-01-01"),
                ],
            )
            .unwrap();
        let id = self.store.conn().last_insert_rowid();
        let rows: Vec<TurnoverRow> = (1..=8)
            .map(|k| TurnoverRow {
                member_id: id,
                month: coopdesk::domain::client_base::months_back(d(TODAY), k),
                amount: Money::parse(monthly).unwrap(),
            })
            .collect();
        self.store.import_turnover("test", &rows, now()).unwrap();
        id
    }

    fn clients(&mut self, from: u32, n: u32, group: &str, manager: Option<i64>) -> Vec<i64> {
        (from..from + n)
            .map(|i| self.client(i, group, manager, "", "20000"))
            .collect()
    }

    fn manager_of(&self, member: i64) -> Option<i64> {
        self.store
            .conn()
            .query_row(
                "SELECT manager_id FROM members WHERE id = ?1",
                [member],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn count(&self, table: &str) -> i64 {
        self.store
            .conn()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn request(
        &mut self,
        by: &Actor,
        kind: ChangeKind,
        member: i64,
        to: Option<i64>,
    ) -> Result<i64, StoreError> {
        let req = ChangeRequest {
            kind,
            member_id: member,
            to_staff_id: to,
            memo: "Служебная записка № 17".into(),
        };
        let rules = self.rules.client_base.clone();
        self.store
            .request_change(By::Desk(by), &req, &rules, d(TODAY), now())
    }

    fn decide(&mut self, by: &Actor, id: i64, approve: bool, over: bool) -> Result<(), StoreError> {
        let rules = self.rules.client_base.clone();
        self.store
            .decide_request(by, id, approve, over, "", &rules, d(TODAY), now())
    }
}

#[test]
fn a_profile_is_set_by_a_head_and_a_new_specialisation_is_dated() {
    let mut b = base();
    let rules = b.rules.client_base.clone();
    let change = ProfileChange {
        specialization: Some(Some("dealers".into())),
        ..Default::default()
    };
    let cashier = b.store.actor_by_login("kassa").unwrap();
    assert!(matches!(
        b.store.set_staff_profile(
            By::Desk(&cashier),
            "ivanova",
            &change,
            &rules,
            d(TODAY),
            now()
        ),
        Err(StoreError::Forbidden(_))
    ));
    b.store
        .set_staff_profile(
            By::Desk(&b.head.clone()),
            "ivanova",
            &change,
            &rules,
            d(TODAY),
            now(),
        )
        .unwrap();
    let m = b.store.base_manager(b.ivanova).unwrap().unwrap();
    assert_eq!(m.profile.specialization.as_deref(), Some("dealers"));
    assert_eq!(m.profile.specialization_changed_on, Some(d(TODAY)));
    let bad = ProfileChange {
        specialization: Some(Some("plumbers".into())),
        ..Default::default()
    };
    assert!(matches!(
        b.store.set_staff_profile(By::Operator("t"), "ivanova", &bad, &rules, d(TODAY), now()),
        Err(StoreError::Invalid(e)) if e[0].field == "specialization"
    ));
    let audits: i64 = b
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE action = 'staff_profile' AND actor = 'nop'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audits, 1);
}

#[test]
fn the_report_judges_each_base_with_related_groups_counted_once() {
    let mut b = base();
    let iv = b.ivanova;
    b.clients(1, 18, "installers", Some(iv));
    for i in 0..3 {
        b.client(100 + i, "installers", Some(iv), "ООО Альфа", "20000");
    }
    let report = b
        .store
        .client_base_report(&b.rules.client_base, d(TODAY))
        .unwrap();
    let r = report.iter().find(|r| r.manager.staff_id == iv).unwrap();
    let base = r.report.as_ref().unwrap();
    assert_eq!(base.tenure, Tenure::Veteran);
    assert_eq!(base.size, 19);
    assert_eq!(r.clients.len(), 21);
    assert_eq!(base.paying_share, rust_decimal::Decimal::ONE_HUNDRED);
    // No meetings logged this month: half of 19, rounded up.
    assert_eq!(
        base.violations,
        vec![
            Violation::SizeBelowMin { size: 19, min: 20 },
            Violation::MeetingsLow { count: 0, min: 10 }
        ]
    );
    // Managers without clients but with a specialisation are listed too.
    assert!(
        report
            .iter()
            .any(|r| r.manager.staff_id == b.orlov && r.clients.is_empty())
    );
}

#[test]
fn a_change_is_requested_on_a_memo_and_applied_on_the_directors_approval() {
    let mut b = base();
    let client = b.client(1, "installers", None, "", "20000");
    let (analyst, director, manager) = (b.analyst.clone(), b.director.clone(), b.manager.clone());
    // A credit manager may not ask; the analyst may; the memo is required.
    assert!(matches!(
        b.request(&manager, ChangeKind::Attach, client, Some(b.ivanova)),
        Err(StoreError::Forbidden(_))
    ));
    let rules = b.rules.client_base.clone();
    let empty_memo = ChangeRequest {
        kind: ChangeKind::Attach,
        member_id: client,
        to_staff_id: Some(b.ivanova),
        memo: "  ".into(),
    };
    assert!(matches!(
        b.store.request_change(By::Desk(&analyst), &empty_memo, &rules, d(TODAY), now()),
        Err(StoreError::Invalid(e)) if e[0].field == "memo"
    ));
    let id = b
        .request(&analyst, ChangeKind::Attach, client, Some(b.ivanova))
        .unwrap();
    assert_eq!(b.manager_of(client), None, "nothing moves before approval");
    let pending = b.store.change_requests(&rules, d(TODAY), true, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].refusals.is_empty());
    // Only the director approves.
    assert!(matches!(
        b.decide(&analyst, id, true, false),
        Err(StoreError::Forbidden(Role::Director))
    ));
    b.decide(&director, id, true, false).unwrap();
    assert_eq!(b.manager_of(client), Some(b.ivanova));
    let history = b.store.assignment_history(client).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].to.as_deref(), Some("Иванова Анна"));
    assert_eq!(history[0].actor, "dp");
    assert_eq!(history[0].memo, "Служебная записка № 17");
    // Decided once only.
    assert!(matches!(
        b.decide(&director, id, true, false),
        Err(StoreError::Duplicate(_))
    ));
    // A rejected request moves nothing.
    let id = b
        .request(&b.head.clone(), ChangeKind::Detach, client, None)
        .unwrap();
    b.decide(&director, id, false, false).unwrap();
    assert_eq!(b.manager_of(client), Some(b.ivanova));
}

#[test]
fn a_change_that_breaks_a_rule_is_refused_with_its_words_and_writes_nothing() {
    let mut b = base();
    let analyst = b.analyst.clone();
    let installer = b.client(1, "installers", None, "", "20000");
    // An installer to an industrial manager: a forbidden group.
    let err = b
        .request(&analyst, ChangeKind::Attach, installer, Some(b.orlov))
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Base(r) if r == &vec![Refusal::Forbidden { group: "installers".into() }])
    );
    let cat = Catalog::load("ru", None).unwrap();
    assert!(
        err.message(&cat).contains("installers"),
        "{}",
        err.message(&cat)
    );
    // Nobody named.
    assert!(matches!(
        b.request(&analyst, ChangeKind::Attach, installer, None),
        Err(StoreError::Base(r)) if r == vec![Refusal::Impersonal]
    ));
    // A cashier is not a sales manager.
    let kassa = b.store.actor_by_login("kassa").unwrap().staff_id;
    assert!(matches!(
        b.request(&analyst, ChangeKind::Attach, installer, Some(kassa)),
        Err(StoreError::Base(r)) if r == vec![Refusal::Impersonal]
    ));
    // A dealer to a universal manager: non-core, none allowed.
    let dealer = b.client(2, "dealers", None, "", "20000");
    assert!(matches!(
        b.request(&analyst, ChangeKind::Attach, dealer, Some(b.ivanova)),
        Err(StoreError::Base(r)) if r == vec![Refusal::NonCoreOver { after: 1, max: 0 }]
    ));
    // Attaching a client who already has a manager.
    let held = b.client(3, "installers", Some(b.ivanova), "", "20000");
    assert!(matches!(
        b.request(&analyst, ChangeKind::Attach, held, Some(b.sever)),
        Err(StoreError::Invalid(e)) if e[0].reason == "cb.not_in_pool"
    ));
    assert_eq!(b.count("assignment_requests"), 0);
    assert_eq!(b.count("assignment_history"), 0);
}

#[test]
fn over_the_maximum_needs_the_directors_explicit_override() {
    let mut b = base();
    let iv = b.ivanova;
    b.clients(1, 40, "installers", Some(iv));
    let extra = b.client(99, "installers", None, "", "20000");
    let (analyst, director) = (b.analyst.clone(), b.director.clone());
    let id = b
        .request(&analyst, ChangeKind::Attach, extra, Some(iv))
        .unwrap();
    let rules = b.rules.client_base.clone();
    let pending = b.store.change_requests(&rules, d(TODAY), true, 10).unwrap();
    assert_eq!(
        pending[0].refusals,
        vec![Refusal::OverMax { after: 41, max: 40 }]
    );
    assert!(matches!(
        b.decide(&director, id, true, false),
        Err(StoreError::Base(r)) if r == vec![Refusal::OverMax { after: 41, max: 40 }]
    ));
    assert_eq!(b.manager_of(extra), None);
    b.decide(&director, id, true, true).unwrap();
    assert_eq!(b.manager_of(extra), Some(iv));
    let h = b.store.assignment_history(extra).unwrap();
    assert!(h[0].override_, "recorded as an override");
    let all = b
        .store
        .change_requests(&rules, d(TODAY), false, 10)
        .unwrap();
    assert!(all[0].override_ && all[0].status == "approved");
}

#[test]
fn a_related_group_moves_as_one_and_both_bases_change() {
    let mut b = base();
    let (iv, sv) = (b.ivanova, b.sever);
    b.clients(1, 20, "installers", Some(iv));
    let group: Vec<i64> = (0..3)
        .map(|i| b.client(50 + i, "installers", Some(iv), "ООО Бета", "20000"))
        .collect();
    let (analyst, director) = (b.analyst.clone(), b.director.clone());
    let id = b
        .request(&analyst, ChangeKind::Transfer, group[1], Some(sv))
        .unwrap();
    b.decide(&director, id, true, false).unwrap();
    for g in &group {
        assert_eq!(b.manager_of(*g), Some(sv));
        assert_eq!(b.store.assignment_history(*g).unwrap().len(), 1);
    }
    let rules = b.rules.client_base.clone();
    let size = |b: &Base, who| {
        b.store
            .manager_report(&rules, who, d(TODAY))
            .unwrap()
            .report
            .unwrap()
            .size
    };
    assert_eq!(size(&b, iv), 20);
    assert_eq!(size(&b, sv), 1);
}

#[test]
fn co_assignment_is_only_across_offices() {
    let mut b = base();
    let (iv, orlov_same_office, sv) = (b.ivanova, b.orlov, b.sever);
    let c = b.client(1, "industrial", Some(iv), "", "20000");
    let (analyst, director) = (b.analyst.clone(), b.director.clone());
    assert!(matches!(
        b.request(&analyst, ChangeKind::CoAssign, c, Some(orlov_same_office)),
        Err(StoreError::Invalid(e)) if e[0].reason == "cb.same_office"
    ));
    let id = b
        .request(&analyst, ChangeKind::CoAssign, c, Some(sv))
        .unwrap();
    b.decide(&director, id, true, false).unwrap();
    assert_eq!(
        b.manager_of(c),
        Some(iv),
        "the client keeps its own manager"
    );
    let rules = b.rules.client_base.clone();
    let sever = b.store.manager_report(&rules, sv, d(TODAY)).unwrap();
    assert_eq!(
        sever.clients.len(),
        1,
        "and counts in the co-assignee's base"
    );
}

#[test]
fn idle_clients_go_to_the_pool_with_their_reason() {
    let mut b = base();
    let iv = b.ivanova;
    let busy = b.client(1, "installers", Some(iv), "", "20000");
    let idle = b.client(2, "installers", Some(iv), "", "0");
    let rules = b.rules.client_base.clone();
    let due = b.store.idle_due(&rules, d(TODAY)).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].1.iter().map(|c| c.member_id).collect::<Vec<_>>(),
        vec![idle]
    );
    // A credit manager may not run it.
    let manager = b.manager.clone();
    assert!(matches!(
        b.store
            .unassign_idle(By::Desk(&manager), &rules, d(TODAY), now()),
        Err(StoreError::Forbidden(_))
    ));
    let n = b
        .store
        .unassign_idle(By::Desk(&b.analyst.clone()), &rules, d(TODAY), now())
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(b.manager_of(idle), None);
    assert_eq!(b.manager_of(busy), Some(iv));
    let h = b.store.assignment_history(idle).unwrap();
    assert_eq!((h[0].reason.as_str(), h[0].actor.as_str()), ("idle", "mka"));
    assert!(b.store.idle_due(&rules, d(TODAY)).unwrap().is_empty());
}

#[test]
fn imports_are_idempotent() {
    let mut b = base();
    let c = b.client(1, "installers", None, "", "0");
    let month = d("2026-10-01");
    let row = |amount: &str| TurnoverRow {
        member_id: c,
        month,
        amount: Money::parse(amount).unwrap(),
    };
    assert_eq!(
        b.store.import_turnover("t", &[row("5000")], now()).unwrap(),
        (0, 1, 0)
    );
    assert_eq!(
        b.store.import_turnover("t", &[row("5000")], now()).unwrap(),
        (0, 0, 1)
    );
    let next = TurnoverRow {
        month: d("2026-11-01"),
        ..row("1")
    };
    assert_eq!(
        b.store.import_turnover("t", &[next], now()).unwrap(),
        (1, 0, 0)
    );
    let iv = b.ivanova;
    let a = AssignmentRow {
        member_id: c,
        staff_id: Some(iv),
        since: d("2026-06-01"),
    };
    assert_eq!(
        b.store
            .import_assignments("t", std::slice::from_ref(&a), d(TODAY), now())
            .unwrap(),
        (1, 0)
    );
    assert_eq!(
        b.store
            .import_assignments("t", &[a], d(TODAY), now())
            .unwrap(),
        (0, 1)
    );
    assert_eq!(b.manager_of(c), Some(iv));
    assert_eq!(b.store.assignment_history(c).unwrap()[0].reason, "import");
}

#[test]
fn every_refusal_and_violation_has_words_in_every_language() {
    let refusals = [
        Refusal::Impersonal,
        Refusal::Dismissed,
        Refusal::OverMax { after: 1, max: 0 },
        Refusal::Forbidden { group: "g".into() },
        Refusal::NonCoreClosed,
        Refusal::NonCoreOver { after: 1, max: 0 },
        Refusal::LimitedOver {
            group: "g".into(),
            after: 1,
            max: 0,
        },
    ];
    let violations = [
        Violation::SizeBelowMin { size: 1, min: 2 },
        Violation::SizeAboveMax { size: 1, max: 2 },
        Violation::PayingShareLow {
            share: 1.into(),
            min: 2.into(),
        },
        Violation::NonCoreOver { count: 1, max: 0 },
        Violation::Forbidden { count: 1 },
        Violation::LimitedOver {
            group: "g".into(),
            count: 1,
            max: 0,
        },
        Violation::MeetingsLow { count: 1, min: 2 },
        Violation::ColdCallsLow { count: 1, min: 2 },
        Violation::OutsideTerritory { count: 1 },
        Violation::ReassignOverdue { deadline: d(TODAY) },
    ];
    for lang in ["ru", "en", "uk"] {
        let cat = Catalog::load(lang, None).unwrap();
        for r in &refusals {
            let text = StoreError::Base(vec![r.clone()]).message(&cat);
            assert!(
                !text.contains('{') && !text.contains("cb_refuse."),
                "{lang}: {text}"
            );
        }
        for v in &violations {
            let key = format!("cb_violation.{}", v.code());
            let mut text = cat.t(&key).to_string();
            assert_ne!(text, key, "{lang}: {key}");
            for (k, val) in v.params() {
                assert!(
                    text.contains(&format!("{{{k}}}")),
                    "{lang}: {key} lacks {k}"
                );
                text = text.replace(&format!("{{{k}}}"), &val);
            }
            assert!(!text.contains('{'), "{lang}: {text}");
        }
    }
}
