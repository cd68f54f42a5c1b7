//! The journal's sort by «У кого» reads a key kept on the application row (009_speed.sql):
//! set when an application is taken, changed when it passes to someone else, and when a staff
//! member's name changes, in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::domain::Role;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::applications::{ImportRow, PageFrom, QueueQuery, SortKey};
use coopdesk::store::staff::hash_password;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(h: u32) -> NaiveDateTime {
    today().and_hms_opt(h, 0, 0).unwrap()
}

fn input(last: &str, passport: &str) -> ApplicationInput {
    ApplicationInput {
        last_name: last.into(),
        first_name: "Пётр".into(),
        patronymic: "Петрович".into(),
        birth_date: "14.03.1985".into(),
        passport: passport.into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 924 811-16-71".into(),
        income: "65000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        ..Default::default()
    }
}

fn order(store: &Store, descending: bool) -> Vec<i64> {
    let q = QueueQuery {
        sort: SortKey::Assignee,
        descending,
        statuses: vec![],
        ..QueueQuery::default()
    };
    store
        .queue_page(&q, &PageFrom::Start, 10)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn the_assignee_sort_follows_assignments_and_renames() {
    let dir = tempfile::tempdir().unwrap();
    let rules = Rules::builtin();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at(8))
        .unwrap();
    let hash = hash_password("password1").unwrap();
    for (login, name) in [
        ("borisova", "Борисова Анна"),
        ("vasileva", "Васильева Ирина"),
    ] {
        store
            .add_staff("test", login, name, "TSK", &[Role::Manager], &hash, at(8))
            .unwrap();
    }
    let office = store.office_by_code("TSK").unwrap().unwrap().id;
    let rows: Vec<ImportRow> = [
        ("w1", "Иванов", "4509 123456"),
        ("w2", "Петров", "4510 654321"),
    ]
    .into_iter()
    .map(|(id, last, passport)| ImportRow {
        external_id: id.into(),
        office_id: office,
        data: draft::validate(&input(last, passport), &rules.products, today()).unwrap(),
    })
    .collect();
    store
        .import_applications("import:test", &rows, at(9), |_| {})
        .unwrap();
    let (first, second) = (1, 2);
    // Nobody has either: both sort as "", by number.
    assert_eq!(order(&store, false), [first, second]);

    let b = store.actor_by_login("borisova").unwrap();
    let v = store.actor_by_login("vasileva").unwrap();
    store.take_application(&v, first, at(10)).unwrap();
    store.take_application(&b, second, at(10)).unwrap();
    // Борисова before Васильева.
    assert_eq!(order(&store, false), [second, first]);
    assert_eq!(order(&store, true), [first, second]);

    // Passed to someone else.
    store.take_application(&b, first, at(11)).unwrap();
    store.take_application(&v, second, at(11)).unwrap();
    assert_eq!(order(&store, false), [first, second]);

    // A staff member's name changed: her applications sort by the new name at once.
    store
        .conn()
        .execute(
            "UPDATE staff SET name = 'Яковлева Анна' WHERE login = 'borisova'",
            [],
        )
        .unwrap();
    assert_eq!(order(&store, false), [second, first]);
}

/// The member card's sums of the member's sales read an index on the member (012_card_sales.sql),
/// not every sale in the cooperative.
#[test]
fn a_members_sales_on_the_card_are_read_by_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let plan: Vec<String> = store
        .conn()
        .prepare(
            "EXPLAIN QUERY PLAN SELECT product, sum(amount), count(*) FROM sales
             WHERE member_id = ?1 GROUP BY product ORDER BY product",
        )
        .unwrap()
        .query_map([1], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("USING INDEX sales_member"), "{plan}");
    assert!(!plan.contains("SCAN sales"), "{plan}");
}
