//! The rating's store on a real SQLite file: sales at the desk with their roles and checks,
//! plans and scores, imports that are idempotent and all-or-nothing, the month's figures for a
//! date against hand-computed values, and the `sales_daily` aggregate always equal to the sales
//! it sums (whatever wrote them: a loan issued, a sale at the desk, an import, the demo).

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::cli::demo::{DemoSpec, build};
use coopdesk::domain::rating::report::{self, By};
use coopdesk::domain::rating::{Scores, Ukp};
use coopdesk::domain::{Money, Role};
use coopdesk::rules::Rules;
use coopdesk::store::rating::{PlanRow, SaleInput, SaleRow};
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};
use std::sync::OnceLock;

fn hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("пароль-для-теста").unwrap())
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn u(s: &str) -> Ukp {
    Ukp::parse(s).unwrap()
}

struct Desk {
    _dir: tempfile::TempDir,
    store: Store,
    rules: Rules,
    anna: Actor,
    oleg: Actor,
    nina: Actor,
    head: Actor,
    cashier: Actor,
}

/// Two offices; managers Анна (TOM), Олег (TOM), Нина (NSK); a head; a cashier; two members.
fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("r.db")).unwrap();
    let t = at("2026-10-01 09:00");
    store
        .add_office("t", "TOM", "Томский офис", "Томск", t)
        .unwrap();
    store
        .add_office("t", "NSK", "Новосибирский офис", "Новосибирск", t)
        .unwrap();
    for (login, name, office, role) in [
        ("anna", "Анна Петрова", "TOM", Role::Manager),
        ("oleg", "Олег Орлов", "TOM", Role::Manager),
        ("nina", "Нина Белова", "NSK", Role::Manager),
        ("nop", "Павел Волков", "TOM", Role::Head),
        ("kassa", "Мария Кузнецова", "TOM", Role::Cashier),
    ] {
        store
            .add_staff("t", login, name, office, &[role], hash(), t)
            .unwrap();
    }
    for (no, passport) in [("000001", "4500000001"), ("000002", "4500000002")] {
        store
            .conn()
            .execute(
                "INSERT INTO members(member_no, status, last_name, first_name, birth_date, passport, office_id, created_at)
                 VALUES (?1, 'member', 'Иванов', 'Пётр', '1980-01-01', ?2, 1, '2026-10-01 09:00:00')",
                [no, passport],
            )
            .unwrap();
    }
    let a = |l: &str| store.actor_by_login(l).unwrap();
    Desk {
        anna: a("anna"),
        oleg: a("oleg"),
        nina: a("nina"),
        head: a("nop"),
        cashier: a("kassa"),
        _dir: dir,
        store,
        rules: Rules::builtin(),
    }
}

fn sale(manager: &Actor, product: &str, amount: &str, date: &str) -> SaleInput {
    SaleInput {
        manager_id: manager.staff_id,
        member_no: "000001".into(),
        product: product.into(),
        amount: amount.into(),
        date: day(date),
    }
}

fn fields(e: StoreError) -> Vec<(&'static str, &'static str)> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| (f.field, f.reason)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn count(s: &Store, sql: &str) -> i64 {
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn assert_aggregate_matches(s: &Store) {
    assert_eq!(s.sales_aggregate_mismatches().unwrap(), vec![]);
}

#[test]
fn a_manager_records_their_own_sale_and_the_aggregate_follows() {
    let mut d = desk();
    let now = at("2026-11-23 12:00");
    let id = d
        .store
        .record_sale(
            &d.anna,
            &sale(&d.anna, "savings", "50 000", "2026-11-23"),
            &d.rules,
            now,
        )
        .unwrap();
    let row: (String, i64, String, i64, i64, String) = d
        .store
        .conn()
        .query_row(
            "SELECT sale_date, manager_id, product, amount, ukp_centi, recorded_by FROM sales WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "2026-11-23".into(),
            d.anna.staff_id,
            "savings".into(),
            5_000_000,
            100,
            "anna".into()
        )
    );
    // A service is half a УКП.
    d.store
        .record_sale(
            &d.anna,
            &sale(&d.anna, "service", "500", "2026-11-23"),
            &d.rules,
            now,
        )
        .unwrap();
    assert_eq!(
        count(
            &d.store,
            "SELECT ukp_centi FROM sales_daily WHERE product = 'service'"
        ),
        50
    );
    assert_eq!(
        count(
            &d.store,
            "SELECT count(*) FROM audit WHERE action = 'sale.record' AND actor = 'anna'"
        ),
        2
    );
    assert_aggregate_matches(&d.store);
}

#[test]
fn who_may_record_a_sale_for_whom() {
    let mut d = desk();
    let now = at("2026-11-23 12:00");
    let s = sale(&d.oleg, "savings", "1000", "2026-11-20");
    // Another manager's sale: only a head.
    assert!(matches!(
        d.store.record_sale(&d.anna, &s, &d.rules, now),
        Err(StoreError::Forbidden(Role::Head))
    ));
    assert!(matches!(
        d.store.record_sale(
            &d.cashier,
            &sale(&d.cashier, "savings", "1000", "2026-11-20"),
            &d.rules,
            now
        ),
        Err(StoreError::Forbidden(Role::Manager))
    ));
    d.store.record_sale(&d.head, &s, &d.rules, now).unwrap();
    // A forged actor (right id, wrong login) has no roles.
    let mut forged = d.oleg.clone();
    forged.login = "anna".into();
    assert!(d.store.record_sale(&forged, &s, &d.rules, now).is_err());
    assert_eq!(count(&d.store, "SELECT count(*) FROM sales"), 1);
}

#[test]
fn a_bad_sale_names_every_field_and_writes_nothing() {
    let mut d = desk();
    let now = at("2026-11-23 12:00");
    let mut s = sale(&d.anna, "consumer", "12,345", "2026-11-24");
    s.member_no = "999999".into();
    let errs = fields(d.store.record_sale(&d.anna, &s, &d.rules, now).unwrap_err());
    assert_eq!(
        errs,
        vec![
            ("product", "rating.err.loan_in_queue"),
            ("member_no", "rating.err.member_unknown"),
            ("amount", "err.money_precision"),
            ("sale_date", "err.date_future"),
        ]
    );
    let s = sale(&d.anna, "savings", "10", "2026-11-23");
    assert_eq!(
        fields(d.store.record_sale(&d.anna, &s, &d.rules, now).unwrap_err()),
        vec![("amount", "rating.err.amount_limits")]
    );
    let mut s = sale(&d.anna, "deposit", "1000", "2026-11-23");
    s.member_no = " ".into();
    assert_eq!(
        fields(d.store.record_sale(&d.anna, &s, &d.rules, now).unwrap_err()),
        vec![
            ("product", "err.product_unknown"),
            ("member_no", "err.required")
        ]
    );
    assert_eq!(count(&d.store, "SELECT count(*) FROM sales"), 0);
    assert_eq!(count(&d.store, "SELECT count(*) FROM sales_daily"), 0);
}

#[test]
fn plans_and_scores_are_set_by_heads_only() {
    let mut d = desk();
    let now = at("2026-11-02 10:00");
    let nov = day("2026-11-01");
    assert!(matches!(
        d.store
            .set_plan(&d.anna, d.anna.staff_id, nov, Some(u("40")), now),
        Err(StoreError::Forbidden(Role::Head))
    ));
    d.store
        .set_plan(&d.head, d.anna.staff_id, nov, Some(u("40")), now)
        .unwrap();
    d.store
        .set_plan(
            &d.head,
            d.anna.staff_id,
            day("2026-11-17"),
            Some(u("42.5")),
            now,
        )
        .unwrap();
    assert_eq!(
        count(
            &d.store,
            "SELECT ukp_centi FROM sales_plans WHERE month = '2026-11'"
        ),
        4250
    );
    assert_eq!(
        fields(
            d.store
                .set_plan(&d.head, d.anna.staff_id, nov, Some(Ukp::ZERO), now)
                .unwrap_err()
        ),
        vec![("plan", "rating.err.plan_zero")]
    );
    d.store
        .set_plan(&d.head, d.anna.staff_id, nov, None, now)
        .unwrap();
    assert_eq!(count(&d.store, "SELECT count(*) FROM sales_plans"), 0);

    let s = Scores {
        quality: 9,
        activity: 7,
        discipline: 10,
        time: 3,
    };
    assert!(matches!(
        d.store.set_scores(&d.oleg, d.anna.staff_id, nov, s, now),
        Err(StoreError::Forbidden(Role::Head))
    ));
    d.store
        .set_scores(&d.head, d.anna.staff_id, nov, s, now)
        .unwrap();
    let bad = Scores { time: 11, ..s };
    assert_eq!(
        fields(
            d.store
                .set_scores(&d.head, d.anna.staff_id, nov, bad, now)
                .unwrap_err()
        ),
        vec![("time", "rating.err.score_range")]
    );
    // Two plans, a removal and the scores; refusals leave no trace.
    assert_eq!(
        count(&d.store, "SELECT count(*) FROM audit WHERE actor = 'nop'"),
        4
    );
}

fn import_row(id: &str, date: &str, m: &Actor, product: &str, rub: i64, ukp: &str) -> SaleRow {
    SaleRow {
        external_id: id.into(),
        date: day(date),
        manager_id: m.staff_id,
        product: product.into(),
        member_id: None,
        amount: Money::from_rubles(rub),
        ukp: u(ukp),
    }
}

#[test]
fn importing_sales_twice_changes_nothing_and_a_changed_sale_refuses_all() {
    let mut d = desk();
    let now = at("2026-11-23 12:00");
    let rows = vec![
        import_row("ext-1", "2026-11-02", &d.anna, "housing", 900_000, "2"),
        import_row("ext-2", "2026-11-03", &d.oleg, "service", 300, "0.5"),
    ];
    assert_eq!(
        d.store.import_sales("import:t", &rows, now).unwrap(),
        (2, 0)
    );
    assert_eq!(
        d.store.import_sales("import:t", &rows, now).unwrap(),
        (0, 2)
    );
    let mut changed = rows.clone();
    changed.push(import_row(
        "ext-3",
        "2026-11-04",
        &d.nina,
        "savings",
        5000,
        "1",
    ));
    changed[1].amount = Money::from_rubles(301);
    assert!(matches!(
        d.store.import_sales("import:t", &changed, now),
        Err(StoreError::Duplicate(id)) if id == "ext-2"
    ));
    assert_eq!(count(&d.store, "SELECT count(*) FROM sales"), 2);
    assert_aggregate_matches(&d.store);
}

#[test]
fn the_months_figures_on_a_date_by_hand() {
    let mut d = desk();
    let now = at("2026-11-23 12:00");
    let (anna, oleg, nina) = (d.anna.clone(), d.oleg.clone(), d.nina.clone());
    let rows = vec![
        // October does not count in November.
        import_row("o-1", "2026-10-30", &anna, "housing", 900_000, "2"),
        import_row("n-1", "2026-11-02", &anna, "housing", 900_000, "2"),
        import_row("n-2", "2026-11-19", &anna, "business", 500_000, "1.5"),
        import_row("n-3", "2026-11-20", &anna, "service", 300, "0.5"),
        // Monday the 23rd: after the comparison day (Friday the 20th).
        import_row("n-4", "2026-11-23", &oleg, "consumer", 100_000, "1"),
        import_row("n-5", "2026-11-23", &oleg, "consumer", 100_000, "1"),
        import_row("n-6", "2026-11-23", &oleg, "housing", 100_000, "2"),
        import_row("n-7", "2026-11-10", &nina, "savings", 10_000, "1"),
        // After the date: not counted on the 23rd.
        import_row("n-8", "2026-11-24", &nina, "housing", 100_000, "2"),
    ];
    d.store
        .import_sales("import:t", &rows, at("2026-11-25 09:00"))
        .unwrap();
    let plans = [(&anna, "8"), (&oleg, "4"), (&nina, "2")].map(|(a, p)| PlanRow {
        month: day("2026-11-01"),
        staff_id: a.staff_id,
        ukp: u(p),
    });
    assert_eq!(
        d.store.import_plans("import:t", &plans, now).unwrap(),
        (3, 0, 0)
    );
    assert_eq!(
        d.store.import_plans("import:t", &plans, now).unwrap(),
        (0, 0, 3)
    );
    d.store
        .set_scores(
            &d.head,
            anna.staff_id,
            day("2026-11-01"),
            Scores {
                quality: 9,
                activity: 8,
                discipline: 10,
                time: 5,
            },
            now,
        )
        .unwrap();
    d.store
        .demo_contacts(&[
            (oleg.staff_id, at("2026-11-23 10:00"), "call"),
            (oleg.staff_id, at("2026-11-23 11:00"), "call"),
            (oleg.staff_id, at("2026-11-23 11:30"), "meeting"),
            (oleg.staff_id, at("2026-11-20 11:30"), "call"),
        ])
        .unwrap();

    let f = d.store.rating_figures(day("2026-11-23"), &d.rules).unwrap();
    assert_eq!(f.before_day, Some(day("2026-11-20")));
    let who = |id: i64| f.people.iter().find(|p| p.person.id == id).unwrap();
    let a = who(anna.staff_id);
    assert_eq!((a.done, a.before, a.plan), (u("4"), u("4"), u("8")));
    assert_eq!(a.by_product["housing"].items, 1);
    assert_eq!(a.by_product["business"].ukp, u("1.5"));
    let o = who(oleg.staff_id);
    assert_eq!(
        (o.done, o.before, o.calls, o.meetings),
        (u("4"), u("0"), 2, 1)
    );
    assert_eq!(o.by_product["consumer"].items, 2);
    let n = who(nina.staff_id);
    assert_eq!((n.done, n.plan), (u("1"), u("2")));
    // The head and the cashier neither sold nor have plans: not in the rating.
    assert_eq!(f.people.len(), 3);
    let daily: Vec<_> = f
        .daily
        .iter()
        .filter(|(_, x)| x.0 > 0)
        .map(|(dd, x)| (dd.to_string(), *x))
        .collect();
    assert_eq!(
        daily,
        vec![
            ("2026-11-02".into(), u("2")),
            ("2026-11-10".into(), u("1")),
            ("2026-11-19".into(), u("1.5")),
            ("2026-11-20".into(), u("0.5")),
            ("2026-11-23".into(), u("4")),
        ]
    );
    assert_eq!(f.daily.len(), 23);

    // Олег 4/4 = 100 % first; Анна 4/8 and Нина 1/2 share 50 % (more УКП shown first).
    let rows = report::build(&d.rules.rating, &d.rules.calendar, &f, By::Manager);
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.code.as_str(), r.standing.rank, r.standing.prev_rank))
        .collect();
    assert_eq!(
        got,
        vec![
            ("oleg", Some(1), Some(3)),
            ("anna", Some(2), Some(1)),
            // On Friday Анна and Нина were both at 50 %: both first.
            ("nina", Some(2), Some(1)),
        ]
    );
    // Анна: КП 0.8 (exactly 50 %), scores 9, 8, 10, 5 → 20 000 × 0.8 × 1 × 0.95 × 1 × 0.9.
    assert_eq!(rows[1].bonus.unwrap().plain(), "13680.00");
    assert_eq!(rows[0].bonus, None, "no scores yet: no bonus");

    let offices = report::build(&d.rules.rating, &d.rules.calendar, &f, By::Office);
    let got: Vec<_> = offices
        .iter()
        .map(|r| (r.code.as_str(), r.done, r.plan, r.standing.rank))
        .collect();
    // TOM 8 of 12 = 66.66 %; NSK 1 of 2 = 50 %.
    assert_eq!(
        got,
        vec![
            ("TOM", u("8"), Some(u("12")), Some(1)),
            ("NSK", u("1"), Some(u("2")), Some(2)),
        ]
    );
    let coop = report::build(&d.rules.rating, &d.rules.calendar, &f, By::Coop);
    assert_eq!(
        (coop[0].done, coop[0].plan, coop[0].standing.rank),
        (u("9"), Some(u("14")), None)
    );

    // The month's first working day has nothing to compare with.
    let f = d.store.rating_figures(day("2026-11-02"), &d.rules).unwrap();
    assert_eq!(f.before_day, None);
    // A month without plans: nobody is ranked, nothing divides by zero.
    let f = d.store.rating_figures(day("2026-10-31"), &d.rules).unwrap();
    let rows = report::build(&d.rules.rating, &d.rules.calendar, &f, By::Manager);
    assert!(
        rows.iter()
            .all(|r| r.plan.is_none() && r.standing.pct.is_none() && r.standing.rank.is_none())
    );
    assert_eq!(rows[0].done, u("2"));
}

#[test]
fn the_aggregate_follows_deletes_and_updates_of_sales() {
    let mut d = desk();
    let rows = vec![
        import_row("a", "2026-11-02", &d.anna, "housing", 900_000, "2"),
        import_row("b", "2026-11-02", &d.anna, "housing", 800_000, "2"),
        import_row("c", "2026-11-03", &d.oleg, "service", 300, "0.5"),
    ];
    d.store
        .import_sales("import:t", &rows, at("2026-11-23 09:00"))
        .unwrap();
    assert_eq!(
        count(
            &d.store,
            "SELECT items FROM sales_daily WHERE product = 'housing'"
        ),
        2
    );
    let c = d.store.conn();
    c.execute("DELETE FROM sales WHERE external_id = 'a'", [])
        .unwrap();
    assert_aggregate_matches(&d.store);
    c.execute(
        "UPDATE sales SET sale_date = '2026-11-05', ukp_centi = 300 WHERE external_id = 'b'",
        [],
    )
    .unwrap();
    assert_aggregate_matches(&d.store);
    // The check itself sees a drifted aggregate, at each level.
    for corrupt in [
        "UPDATE sales_daily SET ukp_centi = ukp_centi + 1",
        "UPDATE sales_monthly SET items = items + 1",
        "UPDATE sales_day_total SET ukp_centi = 0",
        "DELETE FROM sales_monthly",
    ] {
        c.execute_batch(&format!("SAVEPOINT s; {corrupt};"))
            .unwrap();
        assert!(
            !d.store.sales_aggregate_mismatches().unwrap().is_empty(),
            "{corrupt}"
        );
        c.execute_batch("ROLLBACK TO s; RELEASE s;").unwrap();
    }
    assert_aggregate_matches(&d.store);
    c.execute("DELETE FROM sales", []).unwrap();
    for t in ["sales_daily", "sales_monthly", "sales_day_total"] {
        assert_eq!(
            count(&d.store, &format!("SELECT count(*) FROM {t}")),
            0,
            "{t}"
        );
    }
}

#[test]
fn a_demo_cooperative_keeps_the_aggregate_equal_to_its_sales() {
    // Loans issued through the store's own actions and the bulk writer, desk sales of savings
    // and services, and the sales at scale: every path that writes a sale.
    let dir = tempfile::tempdir().unwrap();
    let rules = Rules::builtin();
    let mut store = Store::open(&dir.path().join("demo.db")).unwrap();
    let mut spec = DemoSpec::new(day("2026-11-23"), 150, 60, 3);
    spec.api_applications = 20;
    build(&mut store, &rules, &spec, &mut |_, _| {}).unwrap();
    let loans = count(
        &store,
        "SELECT count(*) FROM sales WHERE application_id IS NOT NULL",
    );
    let desk = count(
        &store,
        "SELECT count(*) FROM sales WHERE product IN ('savings', 'service')",
    );
    assert!(loans > 0 && desk > 0, "loans {loans}, desk sales {desk}");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sales WHERE application_id IS NOT NULL"
        ),
        count(&store, "SELECT count(*) FROM loans")
    );
    assert_aggregate_matches(&store);
    coopdesk::cli::demo::sales_rating::scale(
        &mut store,
        &rules,
        day("2026-11-23"),
        3000,
        12,
        3,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(
        count(&store, "SELECT count(*) FROM staff WHERE login LIKE 'm0%'"),
        12
    );
    assert_aggregate_matches(&store);
    // The bulk writer adds the aggregates itself; the trigger is back for the desk's sales.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'sales_daily_insert'"
        ),
        1
    );
    // Built once: a second run adds nothing.
    assert!(
        !coopdesk::cli::demo::sales_rating::scale(
            &mut store,
            &rules,
            day("2026-11-23"),
            3000,
            12,
            3,
            &mut |_, _| {}
        )
        .unwrap()
    );
}

#[test]
fn every_day_of_a_month_agrees_with_the_raw_sales() {
    // Whichever way a date is read (the days up to it, or the month less the days after it),
    // the figures are the raw sales' sums through the date and through the comparison day.
    let mut d = desk();
    let people = [d.anna.clone(), d.oleg.clone(), d.nina.clone()];
    let products = [("housing", "2"), ("consumer", "1"), ("service", "0.5")];
    let mut rows = Vec::new();
    for i in 0..120u32 {
        let date = format!("2026-11-{:02}", 1 + (i * 7) % 30);
        let (p, u) = products[(i % 3) as usize];
        rows.push(import_row(
            &format!("x{i}"),
            &date,
            &people[(i % 5 % 3) as usize],
            p,
            1000,
            u,
        ));
    }
    rows.push(import_row(
        "oct",
        "2026-10-31",
        &d.anna,
        "housing",
        1000,
        "2",
    ));
    rows.push(import_row(
        "dec",
        "2026-12-01",
        &d.anna,
        "housing",
        1000,
        "2",
    ));
    d.store
        .import_sales("import:t", &rows, at("2026-12-02 09:00"))
        .unwrap();
    assert_aggregate_matches(&d.store);
    let raw = |who: i64, from: &str, to: &str| -> i64 {
        d.store
            .conn()
            .query_row(
                "SELECT COALESCE(SUM(ukp_centi), 0) FROM sales WHERE manager_id = ?1 AND sale_date BETWEEN ?2 AND ?3",
                rusqlite::params![who, from, to],
                |r| r.get(0),
            )
            .unwrap()
    };
    for dd in 1..=30 {
        let on = NaiveDate::from_ymd_opt(2026, 11, dd).unwrap();
        let f = d.store.rating_figures(on, &d.rules).unwrap();
        for p in &people {
            let got = f.people.iter().find(|x| x.person.id == p.staff_id).unwrap();
            assert_eq!(
                got.done.0,
                raw(p.staff_id, "2026-11-01", &on.to_string()),
                "{on} {}",
                p.login
            );
            if let Some(b) = f.before_day {
                assert_eq!(
                    got.before.0,
                    raw(p.staff_id, "2026-11-01", &b.to_string()),
                    "{on} {}",
                    p.login
                );
            }
            let items: i64 = got.by_product.values().map(|t| t.items).sum();
            let raw_items: i64 = d
                .store
                .conn()
                .query_row(
                    "SELECT COUNT(*) FROM sales WHERE manager_id = ?1 AND sale_date BETWEEN '2026-11-01' AND ?2",
                    rusqlite::params![p.staff_id, on.to_string()],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(items, raw_items, "{on}");
        }
        let total: i64 = f.daily.iter().map(|(_, u)| u.0).sum();
        assert_eq!(
            total,
            f.people.iter().map(|p| p.done.0).sum::<i64>(),
            "{on}"
        );
    }
    // The year through 30 November: October's and November's sales, not December's.
    let year = d.store.rating_year(day("2026-11-30")).unwrap();
    let anna: i64 = year
        .iter()
        .filter(|r| r.1 == d.anna.staff_id)
        .map(|r| r.2.0)
        .sum();
    assert_eq!(anna, raw(d.anna.staff_id, "2026-01-01", "2026-11-30"));
}

#[test]
fn a_refused_sale_reads_as_a_sentence() {
    let mut d = desk();
    let mut s = sale(&d.anna, "savings", "1000", "2026-11-23");
    s.member_no = "123".into();
    let e = d
        .store
        .record_sale(&d.anna, &s, &d.rules, at("2026-11-23 12:00"))
        .unwrap_err();
    let cat = coopdesk::i18n::Catalog::builtin("ru");
    assert_eq!(e.message(&cat), "№ пайщика: нет пайщика № 123");
}

#[test]
fn sales_made_before_the_rating_existed_are_counted_after_the_upgrade() {
    // A database at schema 3 (before the rating's migration) with loans' sales in it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        for sql in [
            include_str!("../src/store/migrations/001_init.sql"),
            include_str!("../src/store/migrations/002_scores.sql"),
            include_str!("../src/store/migrations/003_crm.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "INSERT INTO offices(id, code, name, city) VALUES (1, 'TOM', 'Томск', 'Томск');
             INSERT INTO staff(id, login, name, office_id, password_hash, created_at)
                 VALUES (1, 'anna', 'Анна', 1, 'x', '2026-01-01 09:00:00');
             INSERT INTO staff_roles(staff_id, role) VALUES (1, 'manager');
             INSERT INTO sales(sale_date, manager_id, product, amount, ukp_centi)
                 VALUES ('2026-11-02', 1, 'housing', 100, 200), ('2026-11-02', 1, 'housing', 100, 200),
                        ('2026-11-03', 1, 'business', 100, 150), ('2026-10-30', 1, 'consumer', 100, 100);
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_aggregate_matches(&store);
    assert_eq!(
        count(
            &store,
            "SELECT items FROM sales_daily WHERE product = 'housing'"
        ),
        2
    );
    let f = store
        .rating_figures(day("2026-11-23"), &Rules::builtin())
        .unwrap();
    assert_eq!(f.people[0].done, u("5.5"));
}
