//! The norms of DOMAIN §6 at their edges, on the shipped rules file.

use super::*;
use crate::client_base_rules::builtin;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rub(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn manager(spec: &str) -> ManagerFacts {
    ManagerFacts {
        specialization: spec.into(),
        trainee: false,
        novice_since: Some(d("2024-01-01")),
        dismissed_on: None,
        specialization_changed_on: None,
        city: "Томск".into(),
        territories: vec!["Томск".into()],
        meetings: 1000,
        cold_calls: 1000,
    }
}

/// A client of `group` who bought `amount` in each of the last `months` months before `date`.
fn client(id: i64, group: &str, amount: &str, date: NaiveDate) -> ClientFacts {
    let mut turnover = BTreeMap::new();
    for k in 0..=7 {
        turnover.insert(months_back(date, k), rub(amount));
    }
    ClientFacts {
        id,
        related_group: String::new(),
        potential: Some(Potential::A),
        group: group.into(),
        territory: "Томск".into(),
        turnover,
        overdue: Money::ZERO,
        assigned_since: None,
    }
}

fn base(n: usize, group: &str, amount: &str, date: NaiveDate) -> Vec<ClientFacts> {
    (0..n)
        .map(|i| client(i as i64 + 1, group, amount, date))
        .collect()
}

fn codes(r: &BaseReport) -> Vec<&'static str> {
    r.violations.iter().map(|v| v.code()).collect()
}

#[test]
fn tenure_at_the_month_edges() {
    let r = builtin();
    let since = Some(d("2026-01-15"));
    let t = |date: &str| tenure(&r, false, since, d(date));
    assert_eq!(t("2026-01-14"), Tenure::Trainee);
    assert_eq!(t("2026-01-15"), Tenure::Novice);
    // Up to and including six months: novice; the seventh month: experienced.
    assert_eq!(t("2026-07-15"), Tenure::Novice);
    assert_eq!(t("2026-07-16"), Tenure::Experienced);
    // Up to and including twelve months: experienced; the thirteenth: veteran.
    assert_eq!(t("2027-01-15"), Tenure::Experienced);
    assert_eq!(t("2027-01-16"), Tenure::Veteran);
    // A month end: six months after 31 August is 28 February.
    let since = Some(d("2026-08-31"));
    assert_eq!(tenure(&r, false, since, d("2027-02-28")), Tenure::Novice);
    assert_eq!(
        tenure(&r, false, since, d("2027-03-01")),
        Tenure::Experienced
    );
    // The trainee flag wins; no date recorded means established.
    assert_eq!(tenure(&r, true, since, d("2030-01-01")), Tenure::Trainee);
    assert_eq!(tenure(&r, false, None, d("2026-11-23")), Tenure::Veteran);
}

#[test]
fn the_novice_ramp_starts_at_two_and_four_months() {
    let r = builtin();
    let since = Some(d("2026-01-10"));
    let expect = [
        // (specialisation, min before 2 months, after 2, after 4, max)
        ("universal", Some(15), Some(20), Some(40)),
        ("territorial", Some(20), Some(30), Some(60)),
        ("industrial", Some(20), Some(20), Some(60)),
        ("panel_builders", Some(5), Some(7), Some(20)),
        ("dealers", Some(10), Some(10), Some(30)),
        ("chains", None, None, Some(10)),
    ];
    for (code, at2, at4, max) in expect {
        let spec = r.specialization(code).unwrap();
        let n = |date: &str| size_norm(spec, Tenure::Novice, since, d(date));
        assert_eq!(n("2026-03-09"), SizeRange { min: None, max }, "{code}");
        assert_eq!(n("2026-03-10"), SizeRange { min: at2, max }, "{code}");
        assert_eq!(n("2026-05-09"), SizeRange { min: at2, max }, "{code}");
        assert_eq!(n("2026-05-10"), SizeRange { min: at4, max }, "{code}");
        assert_eq!(
            size_norm(spec, Tenure::Trainee, since, d("2026-05-10")),
            SizeRange { min: None, max },
            "{code}: a trainee has no minimum"
        );
    }
}

#[test]
fn each_specialisation_has_the_sizes_of_the_seed() {
    let r = builtin();
    let expect = [
        ("universal", (20, 40), (20, 40)),
        ("territorial", (30, 60), (30, 60)),
        ("industrial", (20, 60), (20, 60)),
        ("panel_builders", (10, 20), (7, 20)),
        ("dealers", (15, 30), (15, 30)),
    ];
    for (code, vet, exp) in expect {
        let spec = r.specialization(code).unwrap();
        let v = size_norm(spec, Tenure::Veteran, None, d("2026-11-23"));
        let e = size_norm(spec, Tenure::Experienced, None, d("2026-11-23"));
        assert_eq!((v.min, v.max), (Some(vet.0), Some(vet.1)), "{code}");
        assert_eq!((e.min, e.max), (Some(exp.0), Some(exp.1)), "{code}");
    }
    let chains = r.specialization("chains").unwrap();
    for t in Tenure::ALL {
        assert_eq!(size_norm(chains, t, None, d("2026-11-23")).max, Some(10));
    }

    // Over and under, evaluated.
    let date = d("2026-11-23");
    let m = manager("universal");
    let report = evaluate(&r, &m, &base(19, "installers", "20000", date), date).unwrap();
    assert_eq!(codes(&report), ["size_below_min"]);
    let report = evaluate(&r, &m, &base(20, "installers", "20000", date), date).unwrap();
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    let report = evaluate(&r, &m, &base(40, "installers", "20000", date), date).unwrap();
    assert!(report.violations.is_empty());
    let report = evaluate(&r, &m, &base(41, "installers", "20000", date), date).unwrap();
    assert_eq!(codes(&report), ["size_above_max"]);
}

#[test]
fn related_organisations_count_once() {
    let r = builtin();
    let date = d("2026-11-23");
    let mut clients = base(22, "installers", "20000", date);
    for c in clients.iter_mut().take(5) {
        c.related_group = "ООО Альфа".into();
    }
    let report = evaluate(&r, &manager("universal"), &clients, date).unwrap();
    assert_eq!(report.size, 18);
    assert_eq!(codes(&report), ["size_below_min"]);
}

#[test]
fn the_paying_share_is_measured_on_the_last_complete_month() {
    let r = builtin();
    let date = d("2026-11-23");
    let m = manager("universal");
    // 20 units; a unit pays when over 15 000 in October.
    let mut clients = base(20, "installers", "0", date);
    for c in clients.iter_mut().take(7) {
        c.turnover.insert(d("2026-10-01"), rub("15000.01"));
    }
    let report = evaluate(&r, &m, &clients, date).unwrap();
    assert_eq!((report.paying, report.paying_share), (7, Decimal::from(35)));
    assert!(!codes(&report).contains(&"paying_share_low"));
    // Exactly 15 000 is not "over 15 000"; November so far does not count.
    clients[6].turnover.insert(d("2026-10-01"), rub("15000"));
    clients[7].turnover.insert(d("2026-11-01"), rub("900000"));
    let report = evaluate(&r, &m, &clients, date).unwrap();
    assert_eq!(report.paying_share, Decimal::from(30));
    assert_eq!(
        report
            .violations
            .iter()
            .find(|v| v.code() == "paying_share_low"),
        Some(&Violation::PayingShareLow {
            share: Decimal::from(30),
            min: Decimal::from(35)
        })
    );
    // Shares by specialisation, from the seed.
    let shares: Vec<(String, Decimal)> = r
        .specializations
        .iter()
        .map(|s| (s.code.clone(), s.paying_share))
        .collect();
    let want = [35, 25, 35, 70, 50, 70];
    for ((code, share), w) in shares.iter().zip(want) {
        assert_eq!(*share, Decimal::from(w), "{code}");
    }
}

#[test]
fn black_lists_of_both_kinds() {
    let r = builtin();
    let date = d("2026-11-23");
    let universal = r.specialization("universal").unwrap();
    let mut c = client(1, "installers", "0", date);
    c.turnover.insert(d("2026-10-01"), rub("14999.99"));
    c.turnover.insert(d("2026-09-01"), rub("10000"));
    assert!(black_listed(universal, &[&c], c.potential, date));
    // One of the two months at 15 000: not "under 15 000 in each month".
    c.turnover.insert(d("2026-09-01"), rub("15000"));
    assert!(!black_listed(universal, &[&c], c.potential, date));
    // Only complete months count.
    c.turnover.insert(d("2026-09-01"), rub("0"));
    c.turnover.insert(d("2026-11-01"), rub("1000000"));
    assert!(black_listed(universal, &[&c], c.potential, date));

    let panel = r.specialization("panel_builders").unwrap();
    for (p, limit) in [
        (Potential::S, "300000"),
        (Potential::A, "150000"),
        (Potential::B, "50000"),
    ] {
        let mut c = client(2, "panel_builders", "0", date);
        c.potential = Some(p);
        let limit = rub(limit);
        c.turnover.insert(
            d("2026-10-01"),
            Money::try_from_decimal(limit.decimal() - Decimal::new(1, 2)).unwrap(),
        );
        assert!(black_listed(panel, &[&c], c.potential, date), "{p:?}");
        c.turnover.insert(d("2026-10-01"), limit);
        assert!(!black_listed(panel, &[&c], c.potential, date), "{p:?}");
    }
    // No threshold for C: never black-listed by this rule.
    let mut c = client(3, "panel_builders", "0", date);
    c.potential = Some(Potential::C);
    assert!(!black_listed(panel, &[&c], c.potential, date));
    // A related group is judged on its total.
    let mut a = client(4, "panel_builders", "0", date);
    let mut b = client(5, "panel_builders", "0", date);
    a.potential = Some(Potential::B);
    b.potential = Some(Potential::B);
    a.turnover.insert(d("2026-10-01"), rub("30000"));
    b.turnover.insert(d("2026-10-01"), rub("30000"));
    assert!(!black_listed(panel, &[&a, &b], Some(Potential::B), date));
}

#[test]
fn non_core_phases_by_date() {
    let r = builtin();
    for code in ["territorial", "industrial", "panel_builders"] {
        let spec = r.specialization(code).unwrap();
        let l = |date: &str| non_core_limit(spec, d(date));
        assert_eq!(
            l("2025-12-31"),
            NonCoreLimit {
                attach: true,
                max: None
            },
            "{code}"
        );
        assert_eq!(
            l("2026-01-01"),
            NonCoreLimit {
                attach: false,
                max: None
            },
            "{code}"
        );
        assert_eq!(
            l("2026-03-31"),
            NonCoreLimit {
                attach: false,
                max: None
            },
            "{code}"
        );
        assert_eq!(
            l("2026-04-01"),
            NonCoreLimit {
                attach: true,
                max: Some(3)
            },
            "{code}"
        );
        assert_eq!(
            l("2026-06-30"),
            NonCoreLimit {
                attach: true,
                max: Some(3)
            },
            "{code}"
        );
        assert_eq!(
            l("2026-07-01"),
            NonCoreLimit {
                attach: false,
                max: Some(0)
            },
            "{code}"
        );
    }
    for code in ["universal", "dealers", "chains"] {
        let spec = r.specialization(code).unwrap();
        assert_eq!(
            non_core_limit(spec, d("2026-01-01")),
            NonCoreLimit {
                attach: false,
                max: Some(0)
            },
            "{code}"
        );
    }
    // Evaluated: a territorial base with four dealers in May holds one too many.
    let date = d("2026-05-15");
    let mut clients = base(30, "installers", "20000", date);
    for c in clients.iter_mut().take(4) {
        c.group = "dealers".into();
    }
    let mut m = manager("territorial");
    m.territories = vec!["Томск".into()];
    let report = evaluate(&r, &m, &clients, date).unwrap();
    assert_eq!(report.non_core, 4);
    assert!(
        report
            .violations
            .contains(&Violation::NonCoreOver { count: 4, max: 3 })
    );
}

#[test]
fn group_fit_per_specialisation() {
    let r = builtin();
    let f = |spec: &str, group: &str| fit(r.specialization(spec).unwrap(), group);
    assert_eq!(f("universal", "installers"), Fit::Core);
    assert_eq!(f("universal", "industrial"), Fit::Core);
    assert_eq!(f("universal", "dealers"), Fit::NonCore);
    assert_eq!(f("industrial", "installers"), Fit::Forbidden);
    assert_eq!(f("industrial", "panel_builders"), Fit::Core);
    assert_eq!(f("panel_builders", "industrial"), Fit::Forbidden);
    assert_eq!(f("dealers", "chains"), Fit::NonCore);
    assert_eq!(f("chains", "dealers"), Fit::Limited { max: 5 });
    assert_eq!(f("chains", ""), Fit::Unknown);
}

#[test]
fn unassignment_is_blocked_by_overdue_debt_and_recent_attachment() {
    let r = builtin();
    let date = d("2026-11-23");
    let idle = client(1, "installers", "0", date);
    assert!(due_unassign(&r, &[&idle], date));
    let mut bought = idle.clone();
    bought.turnover.insert(d("2026-05-01"), rub("1"));
    assert!(
        !due_unassign(&r, &[&bought], date),
        "May is within six months"
    );
    let mut long_ago = idle.clone();
    long_ago.turnover.insert(d("2026-04-01"), rub("1000"));
    assert!(
        due_unassign(&r, &[&long_ago], date),
        "April is seven months back"
    );
    let mut this_month = idle.clone();
    this_month.turnover.insert(d("2026-11-01"), rub("1"));
    assert!(!due_unassign(&r, &[&this_month], date));
    let mut debtor = idle.clone();
    debtor.overdue = rub("0.01");
    assert!(!due_unassign(&r, &[&debtor], date));
    let mut fresh = idle.clone();
    fresh.assigned_since = Some(d("2026-05-24"));
    assert!(!due_unassign(&r, &[&fresh], date));
    fresh.assigned_since = Some(d("2026-05-23"));
    assert!(due_unassign(&r, &[&fresh], date));
    // A group with one debtor stays whole.
    assert!(!due_unassign(&r, &[&idle, &debtor], date));
}

#[test]
fn meetings_and_cold_calls_by_tenure() {
    let r = builtin();
    let date = d("2026-11-23");
    let mut m = manager("universal");
    m.meetings = 12;
    m.cold_calls = 0;
    // A veteran with 25 units needs half of them, rounded up: 13.
    let report = evaluate(&r, &m, &base(25, "installers", "20000", date), date).unwrap();
    assert_eq!(report.meetings_min, Some(13));
    assert_eq!(report.cold_calls_min, None);
    assert_eq!(codes(&report), ["meetings_low"]);
    m.meetings = 13;
    let report = evaluate(&r, &m, &base(25, "installers", "20000", date), date).unwrap();
    assert!(report.violations.is_empty());
    // A novice: 20 meetings and 100 cold calls.
    m.novice_since = Some(d("2026-09-01"));
    m.meetings = 19;
    m.cold_calls = 99;
    let report = evaluate(&r, &m, &base(15, "installers", "20000", date), date).unwrap();
    assert_eq!(report.tenure, Tenure::Novice);
    assert_eq!(codes(&report), ["meetings_low", "cold_calls_low"]);
    // Panel builders' novices have no cold-call norm.
    let mut p = manager("panel_builders");
    p.novice_since = Some(d("2026-09-01"));
    p.cold_calls = 0;
    let report = evaluate(&r, &p, &base(5, "panel_builders", "400000", date), date).unwrap();
    assert_eq!(report.cold_calls_min, None);
    // A trainee has no meeting norm.
    m.trainee = true;
    let report = evaluate(&r, &m, &base(3, "installers", "20000", date), date).unwrap();
    assert_eq!(report.meetings_min, None);
    assert!(report.violations.is_empty());
}

#[test]
fn territory_rules() {
    let r = builtin();
    let date = d("2026-11-23");
    let mut outside = client(1, "installers", "20000", date);
    outside.territory = "Северск".into();
    let u = manager("universal");
    assert_eq!(
        place(r.specialization("universal").unwrap(), &u, &outside),
        Place::OutsideJudged
    );
    let mut t = manager("territorial");
    t.territories = vec!["Томск".into(), "Кожевниково".into()];
    assert_eq!(
        place(r.specialization("territorial").unwrap(), &t, &outside),
        Place::OutsideBreach
    );
    outside.territory = "кожевниково".into();
    assert_eq!(
        place(r.specialization("territorial").unwrap(), &t, &outside),
        Place::Inside
    );
    let ind = manager("industrial");
    let mut plant = client(2, "industrial", "20000", date);
    plant.territory = "Северск".into();
    assert_eq!(
        place(r.specialization("industrial").unwrap(), &ind, &plant),
        Place::OutsideJudged
    );
    let pb = manager("panel_builders");
    assert_eq!(
        place(r.specialization("panel_builders").unwrap(), &pb, &plant),
        Place::OutsideBreach
    );
    assert_eq!(
        place(
            r.specialization("dealers").unwrap(),
            &manager("dealers"),
            &plant
        ),
        Place::Inside
    );
}

#[test]
fn a_departed_managers_base_waits_a_month() {
    let r = builtin();
    let mut m = manager("universal");
    m.dismissed_on = Some(d("2026-10-20"));
    let date = d("2026-11-20");
    let report = evaluate(&r, &m, &base(20, "installers", "20000", date), date).unwrap();
    let w = report.reassign.unwrap();
    assert_eq!(
        (w.reason, w.deadline, w.overdue),
        (ReassignReason::Departed, date, false)
    );
    assert!(report.violations.is_empty());
    let date = d("2026-11-21");
    let report = evaluate(&r, &m, &base(20, "installers", "20000", date), date).unwrap();
    assert_eq!(codes(&report), ["reassign_overdue"]);
    // An empty base waits for nothing.
    assert_eq!(evaluate(&r, &m, &[], date).unwrap().reassign, None);

    // A change of specialisation: only clients that no longer fit wait, for two months.
    let mut m = manager("industrial");
    m.specialization_changed_on = Some(d("2026-09-10"));
    let date = d("2026-11-10");
    let fitting = base(20, "industrial", "20000", date);
    assert_eq!(evaluate(&r, &m, &fitting, date).unwrap().reassign, None);
    let mut mixed = fitting.clone();
    mixed[0].group = "installers".into();
    let report = evaluate(&r, &m, &mixed, date).unwrap();
    assert_eq!(report.reassign.unwrap().deadline, d("2026-11-10"));
    assert!(!codes(&report).contains(&"reassign_overdue"));
    let date = d("2026-11-11");
    let report = evaluate(&r, &m, &mixed, date).unwrap();
    assert!(codes(&report).contains(&"reassign_overdue"));
    assert!(codes(&report).contains(&"forbidden_group"));
}

#[test]
fn changes_are_refused_with_the_rules_reasons() {
    let r = builtin();
    let date = d("2026-11-23");
    let m = manager("universal");
    let current = base(39, "installers", "20000", date);
    let one = vec![client(100, "installers", "20000", date)];
    assert!(check_attach(&r, Some(&m), &current, &one, date).is_empty());
    // The 41st unit: over the maximum, which a director may approve.
    let two = vec![
        client(100, "installers", "20000", date),
        client(101, "installers", "20000", date),
    ];
    let refused = check_attach(&r, Some(&m), &current, &two, date);
    assert_eq!(refused, vec![Refusal::OverMax { after: 41, max: 40 }]);
    assert!(refused[0].overridable());
    // A related group adds one unit, however many members move.
    let mut group = two.clone();
    for c in &mut group {
        c.related_group = "Бета".into();
    }
    assert!(check_attach(&r, Some(&m), &current, &group, date).is_empty());
    // Detaching to the pool is always allowed.
    assert!(check_attach(&r, None, &current, &two, date).is_empty());
    // A forbidden group, never overridable.
    let ind = manager("industrial");
    let refused = check_attach(&r, Some(&ind), &[], &one, date);
    assert_eq!(
        refused,
        vec![Refusal::Forbidden {
            group: "installers".into()
        }]
    );
    assert!(!refused[0].overridable());
    // Non-core after 1 July: the limit is 0.
    let dealer = vec![client(200, "dealers", "20000", date)];
    assert_eq!(
        check_attach(&r, Some(&ind), &[], &dealer, date),
        vec![Refusal::NonCoreOver { after: 1, max: 0 }]
    );
    // Between 1 January and 1 April: none may be attached, whatever the count.
    assert_eq!(
        check_attach(&r, Some(&ind), &[], &dealer, d("2026-02-01")),
        vec![Refusal::NonCoreClosed]
    );
    assert!(check_attach(&r, Some(&ind), &[], &dealer, d("2026-04-01")).is_empty());
    // Chains may hold up to five dealers.
    let ch = manager("chains");
    let five = base(5, "dealers", "20000", date);
    let sixth = vec![client(300, "dealers", "20000", date)];
    assert_eq!(
        check_attach(&r, Some(&ch), &five, &sixth, date),
        vec![Refusal::LimitedOver {
            group: "dealers".into(),
            after: 6,
            max: 5
        }]
    );
    // No named sales manager; a dismissed one.
    let mut nobody = manager("cashier");
    assert_eq!(
        check_attach(&r, Some(&nobody), &[], &one, date),
        vec![Refusal::Impersonal]
    );
    nobody = manager("universal");
    nobody.dismissed_on = Some(d("2026-11-01"));
    assert_eq!(
        check_attach(&r, Some(&nobody), &[], &one, date),
        vec![Refusal::Dismissed]
    );
}

#[test]
fn percentages_round_to_a_tenth_and_never_divide_by_zero() {
    assert_eq!(percent(0, 0), Decimal::ZERO);
    assert_eq!(percent(1, 3), Decimal::new(333, 1));
    assert_eq!(percent(2, 3), Decimal::new(667, 1));
    assert_eq!(percent(7, 20), Decimal::from(35));
}
