//! Scoring against the shipped card (the seed's worked example, every forced rule, band
//! edges of the methodology) and against small cards written here (each kind, each edge).

use super::*;
use crate::scorecards;

const SAMPLE: &str = include_str!("../../../assets/scorecards/sample-answers.json");

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn n(i: i64) -> Decimal {
    Decimal::from(i)
}

fn default_card() -> Card {
    scorecards::builtin()
}

fn card(src: &str) -> Card {
    scorecards::parse("t.toml", src).unwrap().card
}

/// Ivanov of the seed's worked example (`assets/scorecards/sample-answers.json`).
fn ivanov() -> Answers {
    let v: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    answers_from_json(&default_card(), &v).unwrap()
}

/// A borrower who takes the most of every question of the default card.
fn excellent() -> Answers {
    let mut a = ivanov();
    let set = |a: &mut Answers, k: &str, v: Answer| {
        a.insert(k.to_string(), v);
    };
    set(&mut a, "general.housing", Answer::Choice("own".into()));
    set(&mut a, "general.prenuptial", Answer::YesNo(true));
    set(&mut a, "employment.expense_ratio", Answer::Number(n(25)));
    set(&mut a, "assets.salary", Answer::Number(n(300_000)));
    set(
        &mut a,
        "assets.salary_trend",
        Answer::Choice("growing".into()),
    );
    set(
        &mut a,
        "assets.other_income",
        Answer::Choices(
            ["securities", "deposits", "rent", "other"]
                .map(String::from)
                .into(),
        ),
    );
    set(&mut a, "assets.obligations", Answer::YesNo(false));
    set(
        &mut a,
        "property.owned",
        Answer::Choices(
            ["apartment", "house", "car", "boat"]
                .map(String::from)
                .into(),
        ),
    );
    set(&mut a, "property.insured", Answer::YesNo(true));
    set(&mut a, "sufficiency.deposits", Answer::Number(n(5_000_000)));
    set(
        &mut a,
        "object.apartment_price",
        Answer::Number(n(2_000_000)),
    );
    set(&mut a, "object.apartment_term", Answer::Number(n(12)));
    set(&mut a, "object.down_payment", Answer::Number(n(60)));
    set(&mut a, "guarantor.who", Answer::Choice("member".into()));
    a
}

fn with(mut a: Answers, key: &str, v: Answer) -> Answers {
    a.insert(key.to_string(), v);
    a
}

fn choices(codes: &[&str]) -> Answer {
    Answer::Choices(codes.iter().map(|s| s.to_string()).collect())
}

fn forced_codes(r: &ScoreResult) -> Vec<&str> {
    r.forced.iter().map(|f| f.code.as_str()).collect()
}

// ----- the seed's worked example -----------------------------------------------------------

#[test]
fn the_seeds_worked_example_stage_by_stage() {
    let card = default_card();
    let r = evaluate(&card, &ivanov());
    assert!(r.is_complete(), "{:?} {:?}", r.missing, r.invalid);
    let p = |k: &str| {
        r.points_of(k)
            .unwrap_or_else(|| panic!("{k} scored nothing"))
    };
    // Every value the seed gives:
    // credit history — borrowed before (at Sberbank) +1, no outstanding loans +1;
    assert_eq!(p("credit_history.borrowed_before"), n(1));
    assert_eq!(p("credit_history.outstanding_loans"), n(1));
    assert_eq!(r.stage("credit_history").unwrap().points, n(2));
    // assets and obligations — tuition −2;
    assert_eq!(p("assets.obligations"), n(-2));
    // property — car +2, dacha +1 (nothing insured);
    assert_eq!(p("property.owned"), n(3));
    assert_eq!(p("property.insured"), n(0));
    assert_eq!(r.stage("property").unwrap().points, n(3));
    // object — apartment up to $75 000 +2, term 5 years +1, down payment 40 % +3;
    assert_eq!(p("object.apartment_price"), n(2));
    assert_eq!(p("object.apartment_term"), n(1));
    assert_eq!(p("object.down_payment"), n(3));
    assert_eq!(r.stage("object").unwrap().points, n(6));
    // additional information — all "no", 0 each.
    for q in [
        "criminal_record",
        "unexecuted_judgements",
        "under_investigation",
        "civil_suits",
        "seeking_loans_elsewhere",
    ] {
        assert_eq!(p(&format!("additional.{q}")), n(0), "{q}");
    }
    assert_eq!(r.stage("additional").unwrap().points, n(0));

    // The seed's total of 37 and category 2 include stages whose points it omits; with the
    // card's policy values and the sample's assumptions (ten years in the city, salary
    // 225 000 ₽, no guarantor, unpledged property too small to score) they come to 28.
    let given: Decimal = ["credit_history", "property", "object", "additional"]
        .iter()
        .map(|s| r.stage(s).unwrap().points)
        .sum::<Decimal>()
        + p("assets.obligations");
    assert_eq!(given, n(9));
    assert_eq!(r.stage("general").unwrap().points, n(10));
    assert_eq!(r.stage("employment").unwrap().points, n(13));
    assert_eq!(r.stage("assets").unwrap().points, n(3));
    assert_eq!(r.stage("sufficiency").unwrap().points, n(0));
    assert_eq!(r.stage("guarantor").unwrap().points, n(0));
    assert_eq!(r.total, n(37));
    assert_eq!(r.category, Category::Inadequate);
    assert_eq!(r.category_by_points, Category::Inadequate);
    assert!(r.forced.is_empty());
    assert_eq!(r.criterion("character"), Some(n(12)));
    assert_eq!(r.criterion("financial_capacity"), Some(n(16)));
    assert_eq!(r.criterion("collateral"), Some(n(9)));
}

#[test]
fn the_default_cards_maximum() {
    let card = default_card();
    let max: Vec<(&str, Decimal)> = card
        .stages
        .iter()
        .map(|s| (s.code.as_str(), s.max_points()))
        .collect();
    assert_eq!(
        max,
        vec![
            ("general", n(13)),
            ("credit_history", n(2)),
            ("employment", n(14)),
            ("assets", n(10)),
            // 3 + 3 + 1 + 2 + 3 owned, +3 insured = 15, capped at 14
            ("property", n(14)),
            ("sufficiency", n(5)),
            // apartment 4 + 5 + 6, or car 3 + 3 + (2 + 4 + 3): alternatives, not a sum
            ("object", n(15)),
            ("guarantor", n(5)),
            ("additional", n(0)),
        ]
    );
    assert_eq!(card.max_points(), n(78));
    // The excellent borrower reaches it.
    let r = evaluate(&card, &excellent());
    assert!(r.is_complete());
    assert_eq!(r.total, n(78));
    assert_eq!(r.category, Category::Recommended);
}

// ----- band edges of the methodology -------------------------------------------------------

/// Each `(value, points)` of `table` scored for `key` on top of `base`.
fn assert_bands(card: &Card, base: &Answers, key: &str, table: &[(&str, i64)]) {
    for (value, points) in table {
        let a = with(base.clone(), key, Answer::Number(d(value)));
        let got = evaluate(card, &a).points_of(key);
        assert_eq!(got, Some(n(*points)), "{key} = {value}");
    }
}

#[test]
fn apartment_price_bands_on_under_and_over_each_bound() {
    let card = default_card();
    let base = ivanov();
    assert_bands(
        &card,
        &base,
        "object.apartment_price",
        &[
            ("2249999.99", 4),
            ("2250000", 4),
            ("2250000.01", 3),
            ("4500000", 3),
            ("4500000.01", 2),
            ("6749999.99", 2),
            ("6750000", 2),
            ("6750000.01", 1),
            ("9000000", 1),
            ("9000000.01", 0),
        ],
    );
}

#[test]
fn term_bands_count_a_started_year_as_the_next() {
    let card = default_card();
    let base = ivanov();
    assert_bands(
        &card,
        &base,
        "object.apartment_term",
        &[
            ("1", 5),
            ("11", 5),
            ("12", 5),
            ("13", 4),
            ("24", 4),
            ("25", 3),
            ("36", 3),
            ("48", 2),
            ("59", 1),
            ("60", 1),
            ("61", 0),
        ],
    );
}

#[test]
fn down_payment_bands_take_the_lower_band_between_bounds() {
    let card = default_card();
    let base = ivanov();
    assert_bands(
        &card,
        &base,
        "object.down_payment",
        &[
            ("0", 0),
            ("29.99", 0),
            ("30", 1),
            ("30.01", 1),
            ("39.99", 1),
            ("40", 3),
            ("40.01", 3),
            ("49.99", 3),
            ("50", 5),
            ("50.01", 6),
            ("100", 6),
        ],
    );
}

fn car_buyer() -> Answers {
    let mut a = ivanov();
    a.insert("object.purchase".into(), Answer::Choice("car".into()));
    for k in [
        "object.apartment_price",
        "object.apartment_term",
        "object.down_payment",
    ] {
        a.remove(k);
    }
    a.insert("object.car_price".into(), Answer::Number(n(1_000_000)));
    a.insert(
        "object.car_storage".into(),
        Answer::Choice("guarded_parking".into()),
    );
    a.insert("object.licence".into(), Answer::YesNo(true));
    a.insert("object.licence_categories".into(), choices(&["A", "B"]));
    a.insert("object.driving_years".into(), Answer::Number(n(5)));
    a
}

#[test]
fn car_bands_and_the_licence() {
    let card = default_card();
    let base = car_buyer();
    assert_bands(
        &card,
        &base,
        "object.car_price",
        &[
            ("899999.99", 3),
            ("900000", 3),
            ("900000.01", 2),
            ("1799999.99", 2),
            ("1800000", 2),
            ("1800000.01", 1),
        ],
    );
    assert_bands(
        &card,
        &base,
        "object.driving_years",
        &[
            ("0", 1),
            ("0.99", 1),
            ("1", 2),
            ("2.99", 2),
            ("3", 2),
            ("3.01", 3),
        ],
    );
    let r = evaluate(&card, &base);
    assert!(r.is_complete(), "{:?}", r.missing);
    // price 2 + guarded parking 2 + licence 2 + categories A 0 + B 1 + over 3 years 3
    assert_eq!(r.stage("object").unwrap().points, n(10));
    // The apartment questions are not asked, so not missing.
    let apt = r.stage("object").unwrap();
    assert!(
        apt.items
            .iter()
            .filter(|i| i.key.starts_with("object.apartment") || i.key == "object.down_payment")
            .all(|i| !i.asked && i.points.is_none())
    );
    // Without a licence the categories and the experience are not asked either.
    let mut no_licence = with(base, "object.licence", Answer::YesNo(false));
    no_licence.remove("object.licence_categories");
    no_licence.remove("object.driving_years");
    let r = evaluate(&card, &no_licence);
    assert!(r.is_complete(), "{:?}", r.missing);
    assert_eq!(r.stage("object").unwrap().points, n(4));
}

// ----- each kind on a small card -----------------------------------------------------------

use crate::scorecards::tests::HEAD;

fn small(body: &str) -> Card {
    card(&format!("{HEAD}{body}"))
}

#[test]
fn a_bands_question_on_under_and_over_each_bound() {
    let c = small(
        r#"
[[stage]]
code = "s"
title = "S"
[[stage.question]]
code = "x"
title = "X"
kind = "bands"
bands = [
  { upto = 10, points = 1 },
  { below = 20, points = 2 },
  { upto = 20, points = 3 },
]
over = 4
"#,
    );
    for (x, p) in [
        ("-5", 1),
        ("9.99", 1),
        ("10", 1),
        ("10.01", 2),
        ("19.99", 2),
        ("20", 3),
        ("20.01", 4),
        ("1000000", 4),
    ] {
        let a = Answers::from([("s.x".to_string(), Answer::Number(d(x)))]);
        assert_eq!(evaluate(&c, &a).points_of("s.x"), Some(n(p)), "{x}");
    }
}

const KINDS: &str = r#"
[[stage]]
code = "s"
title = "S"
max_points = 6
[[stage.question]]
code = "yn"
title = "YN"
kind = "yes_no"
yes = 2
no = -1
[[stage.question]]
code = "one"
title = "One"
kind = "one_of"
options = [
  { code = "a", title = "A", points = 1 },
  { code = "b", title = "B", points = "2.5" },
]
[[stage.question]]
code = "some"
title = "Some"
kind = "some_of"
options = [
  { code = "a", title = "A", points = 1 },
  { code = "b", title = "B", points = 2 },
  { code = "c", title = "C", points = -1 },
]
"#;

#[test]
fn yes_no_one_of_and_some_of() {
    let c = small(KINDS);
    let score = |yn: bool, one: &str, some: &[&str]| {
        let a = Answers::from([
            ("s.yn".to_string(), Answer::YesNo(yn)),
            ("s.one".to_string(), Answer::Choice(one.to_string())),
            ("s.some".to_string(), choices(some)),
        ]);
        evaluate(&c, &a)
    };
    let r = score(false, "a", &[]);
    assert_eq!(r.points_of("s.yn"), Some(n(-1)));
    assert_eq!(r.points_of("s.one"), Some(n(1)));
    assert_eq!(r.points_of("s.some"), Some(n(0)));
    assert_eq!(r.total, n(0));
    let r = score(true, "b", &["a", "c"]);
    assert_eq!(r.points_of("s.one"), Some(d("2.5")));
    assert_eq!(r.points_of("s.some"), Some(n(0)));
    assert_eq!(r.total, d("4.5"));
    // 2 + 2.5 + 3 = 7.5, capped at 6.
    let r = score(true, "b", &["a", "b"]);
    let s = r.stage("s").unwrap();
    assert_eq!(
        (s.raw_points, s.points, s.max_points),
        (d("7.5"), n(6), n(6))
    );
    assert_eq!(r.total, n(6));
}

#[test]
fn answers_that_do_not_fit_score_nothing_and_are_listed() {
    let c = small(KINDS);
    let a = Answers::from([
        ("s.yn".to_string(), Answer::Choice("yes".into())),
        ("s.one".to_string(), Answer::Choice("z".into())),
        ("s.some".to_string(), choices(&["a", "q"])),
    ]);
    let r = evaluate(&c, &a);
    assert_eq!(r.total, n(0));
    assert!(!r.is_complete());
    let why: Vec<_> = r
        .invalid
        .iter()
        .map(|i| (i.key.as_str(), i.reason, i.detail.as_deref()))
        .collect();
    assert_eq!(
        why,
        vec![
            ("s.yn", "scorecard.err.expects_yes_no", None),
            ("s.one", "scorecard.err.unknown_option", Some("z")),
            ("s.some", "scorecard.err.unknown_option", Some("q")),
        ]
    );
}

#[test]
fn unanswered_questions_are_listed_in_card_order() {
    let card = default_card();
    let r = evaluate(&card, &Answers::new());
    assert!(!r.is_complete());
    assert_eq!(r.total, n(0));
    // Conditional questions wait for the answer they depend on.
    assert!(r.missing.contains(&"general.lives_in_city".to_string()));
    assert!(!r.missing.contains(&"general.years_in_city".to_string()));
    assert!(!r.missing.contains(&"property.insured".to_string()));
    assert!(!r.missing.contains(&"object.car_price".to_string()));
    // Of the sufficiency inputs only Кр must be answered.
    assert!(r.missing.contains(&"sufficiency.requested".to_string()));
    assert!(!r.missing.contains(&"sufficiency.deposits".to_string()));
    let order: Vec<_> = card
        .items()
        .into_iter()
        .map(|i| i.key)
        .filter(|k| r.missing.contains(k))
        .collect();
    assert_eq!(order, r.missing);
    // Nothing scored: collateral and character are zero — category 3 by rule, too.
    assert_eq!(r.category, Category::NotRecommended);
}

// ----- sufficiency -------------------------------------------------------------------------

fn sufficiency(values: &[(&str, &str)]) -> ScoreResult {
    let c = small(
        r#"
[[stage]]
code = "suf"
title = "Sufficiency"
kind = "sufficiency"
factor = 5
max_points = 5
"#,
    );
    let a: Answers = values
        .iter()
        .map(|(k, v)| (format!("suf.{k}"), Answer::Number(d(v))))
        .collect();
    evaluate(&c, &a)
}

fn suf_points(values: &[(&str, &str)]) -> Decimal {
    sufficiency(values).stage("suf").unwrap().points
}

#[test]
fn sufficiency_counts_each_property_as_table_10_says() {
    // Deposits in full: 5 × 200 000 / 1 000 000 = 1.
    assert_eq!(
        suf_points(&[("deposits", "200000"), ("requested", "1000000")]),
        n(1)
    );
    // Securities at half: 5 × 200 000 / 1 000 000 = 1.
    assert_eq!(
        suf_points(&[("securities", "400000"), ("requested", "1000000")]),
        n(1)
    );
    // Each property at the lesser of value and insured sum.
    for (thing, insured) in [
        ("apartment", "apartment_insured"),
        ("house", "house_insured"),
        ("car", "car_insured"),
        ("other", "other_insured"),
    ] {
        let ctx = thing;
        assert_eq!(
            suf_points(&[
                (thing, "600000"),
                (insured, "400000"),
                ("requested", "1000000")
            ]),
            n(2),
            "{ctx}: min(600 000, 400 000)"
        );
        assert_eq!(
            suf_points(&[
                (thing, "400000"),
                (insured, "600000"),
                ("requested", "1000000")
            ]),
            n(2),
            "{ctx}: min(400 000, 600 000)"
        );
        // Uninsured property counts for nothing.
        assert_eq!(
            suf_points(&[(thing, "900000"), ("requested", "1000000")]),
            n(0),
            "{ctx}"
        );
    }
    let r = sufficiency(&[
        ("deposits", "100000"),
        ("securities", "100000"),
        ("apartment", "300000"),
        ("apartment_insured", "250000"),
        ("requested", "800000"),
    ]);
    let s = r.stage("suf").unwrap();
    let detail = s.sufficiency.as_ref().unwrap();
    // Им = 100 000 + 50 000 + 250 000 = 400 000; Ди = 0.5; 5 × 0.5 = 2.5 → 2
    assert_eq!(detail.property, n(400_000));
    assert_eq!(detail.ratio, d("0.5"));
    assert_eq!(s.points, n(2));
}

#[test]
fn sufficiency_floors_exactly_and_caps_at_five() {
    // Ди = 0.2 exactly → 1; a kopeck less → 0.
    assert_eq!(
        suf_points(&[("deposits", "200000"), ("requested", "1000000")]),
        n(1)
    );
    assert_eq!(
        suf_points(&[("deposits", "199999.99"), ("requested", "1000000")]),
        n(0)
    );
    // 5 × 1/3 = 1.666… → 1.
    assert_eq!(suf_points(&[("deposits", "1"), ("requested", "3")]), n(1));
    // Ди = 1 → 5; Ди = 3 → 15, capped at 5.
    assert_eq!(
        suf_points(&[("deposits", "1000"), ("requested", "1000")]),
        n(5)
    );
    let r = sufficiency(&[("deposits", "3000"), ("requested", "1000")]);
    let s = r.stage("suf").unwrap();
    assert_eq!((s.raw_points, s.points), (n(15), n(5)));
    // No Кр: nothing scored, Кр missing; a negative value is refused.
    let r = sufficiency(&[("deposits", "1000")]);
    assert_eq!(r.missing, vec!["suf.requested".to_string()]);
    assert_eq!(r.stage("suf").unwrap().points, n(0));
    let r = sufficiency(&[("deposits", "-1"), ("requested", "1000")]);
    assert_eq!(r.invalid[0].reason, "scorecard.err.negative");
}

// ----- categories --------------------------------------------------------------------------

#[test]
fn categories_at_29_30_65_and_66_points() {
    let c = small(
        r#"
[[stage]]
code = "s"
title = "S"
[[stage.question]]
code = "p"
title = "P"
kind = "one_of"
options = [
  { code = "p29", title = "29", points = 29 },
  { code = "p30", title = "30", points = 30 },
  { code = "p65", title = "65", points = 65 },
  { code = "p66", title = "66", points = 66 },
  { code = "p29_99", title = "29.99", points = "29.99" },
  { code = "p65_01", title = "65.01", points = "65.01" },
]
"#,
    );
    for (code, cat) in [
        ("p29", Category::NotRecommended),
        ("p29_99", Category::NotRecommended),
        ("p30", Category::Inadequate),
        ("p65", Category::Inadequate),
        ("p65_01", Category::Recommended),
        ("p66", Category::Recommended),
    ] {
        let a = Answers::from([("s.p".to_string(), Answer::Choice(code.into()))]);
        let r = evaluate(&c, &a);
        assert_eq!(r.category, cat, "{code}");
        assert_eq!(r.category_by_points, cat, "{code}");
    }
    let t = default_card().thresholds;
    assert_eq!(t.category(n(29)), Category::NotRecommended);
    assert_eq!(t.category(n(30)), Category::Inadequate);
    assert_eq!(t.category(n(65)), Category::Inadequate);
    assert_eq!(t.category(n(66)), Category::Recommended);
}

// ----- forced rules of the default card ----------------------------------------------------

#[test]
fn not_living_in_the_city_forces_category_3() {
    let card = default_card();
    let mut a = with(excellent(), "general.lives_in_city", Answer::YesNo(false));
    a.remove("general.years_in_city");
    let r = evaluate(&card, &a);
    assert!(r.is_complete(), "{:?}", r.missing);
    assert_eq!(r.category_by_points, Category::Recommended);
    assert_eq!(r.category, Category::NotRecommended);
    assert_eq!(forced_codes(&r), vec!["not_resident"]);
    assert_eq!(r.forced[0].key, "scorecard.forced.not_resident");
}

#[test]
fn living_there_under_a_year_forces_category_3() {
    let card = default_card();
    for (years, forced) in [("0", true), ("0.99", true), ("1", false), ("1.01", false)] {
        let a = with(
            excellent(),
            "general.years_in_city",
            Answer::Number(d(years)),
        );
        let r = evaluate(&card, &a);
        assert_eq!(
            forced_codes(&r) == vec!["resident_under_a_year"],
            forced,
            "{years}"
        );
        let expected = if forced {
            Category::NotRecommended
        } else {
            Category::Recommended
        };
        assert_eq!(r.category, expected, "{years}");
    }
}

#[test]
fn character_not_positive_forces_category_3() {
    let card = default_card();
    // Character of the excellent borrower: general 13 + credit history 2 + additional 0.
    let yes = |a: Answers, qs: &[&str]| {
        qs.iter().fold(a, |a, q| {
            with(a, &format!("additional.{q}"), Answer::YesNo(true))
        })
    };
    let r = evaluate(&card, &excellent());
    assert_eq!(r.criterion("character"), Some(n(15)));
    // −5 −3 −5 −2 = −15 → character 0: not positive.
    let zero = yes(
        excellent(),
        &[
            "criminal_record",
            "unexecuted_judgements",
            "under_investigation",
            "civil_suits",
        ],
    );
    let r = evaluate(&card, &zero);
    assert_eq!(r.criterion("character"), Some(n(0)));
    assert_eq!(forced_codes(&r), vec!["character_not_positive"]);
    assert_eq!(r.category_by_points, Category::Inadequate);
    assert_eq!(r.category, Category::NotRecommended);
    // −5 −3 −5 −1 = −14 → character 1: positive, no rule.
    let one = yes(
        excellent(),
        &[
            "criminal_record",
            "unexecuted_judgements",
            "under_investigation",
            "seeking_loans_elsewhere",
        ],
    );
    let r = evaluate(&card, &one);
    assert_eq!(r.criterion("character"), Some(n(1)));
    assert!(r.forced.is_empty());
}

#[test]
fn negative_financial_capacity_forces_category_3() {
    let card = default_card();
    let poor = [
        ("employment.education", Answer::Choice("none".into())),
        ("employment.relationship", Answer::Choice("none".into())),
        ("employment.sector", Answer::Choice("not_working".into())),
        ("employment.position", Answer::Choice("none".into())),
        ("employment.expense_ratio", Answer::Number(n(80))),
        ("assets.salary", Answer::Number(n(20_000))),
        ("assets.salary_trend", Answer::Choice("falling".into())),
        ("assets.other_income", choices(&[])),
    ];
    let base = poor
        .into_iter()
        .fold(excellent(), |a, (k, v)| with(a, k, v));
    // Capacity exactly 0 is not negative.
    let r = evaluate(&card, &base);
    assert_eq!(r.criterion("financial_capacity"), Some(n(0)));
    assert!(r.forced.is_empty());
    assert_eq!(r.category, Category::Inadequate);
    // With an obligation reducing income: −2.
    let r = evaluate(
        &card,
        &with(base, "assets.obligations", Answer::YesNo(true)),
    );
    assert_eq!(r.criterion("financial_capacity"), Some(n(-2)));
    assert_eq!(forced_codes(&r), vec!["capacity_negative"]);
    assert_eq!(r.category, Category::NotRecommended);
}

#[test]
fn zero_collateral_forces_category_3() {
    let card = default_card();
    let mut base = with(ivanov(), "property.owned", choices(&[]));
    base.remove("property.insured");
    base.insert("object.purchase".into(), Answer::Choice("other".into()));
    let r = evaluate(&card, &base);
    assert!(r.is_complete(), "{:?}", r.missing);
    assert_eq!(r.criterion("collateral"), Some(n(0)));
    assert_eq!(forced_codes(&r), vec!["collateral_zero"]);
    assert_eq!(r.category, Category::NotRecommended);
    // "Other" property only: −1, counted as no collateral too.
    let r = evaluate(
        &card,
        &with(base.clone(), "property.owned", choices(&["other"])),
    );
    let r2 = evaluate(
        &card,
        &with(
            with(base.clone(), "property.owned", choices(&["other"])),
            "property.insured",
            Answer::YesNo(false),
        ),
    );
    assert!(r.missing.contains(&"property.insured".to_string()));
    assert_eq!(r2.criterion("collateral"), Some(n(-1)));
    assert_eq!(forced_codes(&r2), vec!["collateral_zero"]);
    // A dacha is collateral.
    let r = evaluate(
        &card,
        &with(
            with(base, "property.owned", choices(&["dacha"])),
            "property.insured",
            Answer::YesNo(false),
        ),
    );
    assert_eq!(r.criterion("collateral"), Some(n(1)));
    assert!(r.forced.is_empty());
}

#[test]
fn a_known_income_loss_never_gives_category_1() {
    let card = default_card();
    let r = evaluate(
        &card,
        &with(excellent(), "assets.income_loss", Answer::YesNo(true)),
    );
    assert_eq!(r.total, n(78));
    assert_eq!(r.category_by_points, Category::Recommended);
    assert_eq!(r.category, Category::Inadequate);
    assert_eq!(forced_codes(&r), vec!["income_loss"]);
    assert_eq!(r.forced[0].no_better_than, Category::Inadequate);
    // It does not make a worse category better.
    let r = evaluate(
        &card,
        &with(ivanov(), "assets.income_loss", Answer::YesNo(true)),
    );
    assert_eq!(r.category, Category::Inadequate);
    let mut a = with(ivanov(), "assets.income_loss", Answer::YesNo(true));
    a.insert("general.lives_in_city".into(), Answer::YesNo(false));
    let r = evaluate(&card, &a);
    assert_eq!(forced_codes(&r), vec!["not_resident", "income_loss"]);
    assert_eq!(r.category, Category::NotRecommended);
}

// ----- answers in and out ------------------------------------------------------------------

#[test]
fn the_plain_answers_file_is_checked_key_by_key() {
    let card = default_card();
    let v = serde_json::json!({
        "general.sex": "male",
        "general.nonsense": 1,
        "general.prenuptial": "no",
        "general.age": 33.5,
        "general.marital_status": "married_twice",
        "property.owned": ["car", 5],
        "sufficiency.requested": "-100",
        "employment.expense_ratio": "сорок",
        "guarantor.who": null,
    });
    let problems = answers_from_json(&card, &v).unwrap_err();
    let got: Vec<_> = problems
        .iter()
        .map(|p| (p.key.as_str(), p.reason))
        .collect();
    // In the file's order; the good answer (general.sex) and the null are not listed.
    assert_eq!(
        got,
        vec![
            ("general.nonsense", "scorecard.err.unknown_question"),
            ("general.prenuptial", "scorecard.err.expects_yes_no"),
            ("general.age", "scorecard.err.fraction_in_quotes"),
            ("general.marital_status", "scorecard.err.unknown_option"),
            ("property.owned", "scorecard.err.expects_options"),
            ("sufficiency.requested", "scorecard.err.negative"),
            ("employment.expense_ratio", "scorecard.err.expects_number"),
        ]
    );
}

#[test]
fn answers_round_trip_in_both_forms() {
    let card = default_card();
    let a = ivanov();
    // The plain form, as the committee writes it.
    let again = answers_from_json(&card, &answers_to_json(&a)).unwrap();
    assert_eq!(again, a);
    // The tagged form, as a store keeps it.
    let s = serde_json::to_string(&a).unwrap();
    assert!(s.contains(r#""general.age":{"number":"33"}"#), "{s}");
    assert!(
        s.contains(r#""general.prenuptial":{"yes_no":false}"#),
        "{s}"
    );
    let back: Answers = serde_json::from_str(&s).unwrap();
    assert_eq!(back, a);
    // Decimals with a comma, as typed.
    let v = serde_json::json!({ "employment.expense_ratio": "45,5" });
    let a = answers_from_json(&card, &v).unwrap();
    assert_eq!(a["employment.expense_ratio"], Answer::Number(d("45.5")));
}

#[test]
fn derived_answers_win_over_typed_ones() {
    let typed = Answers::from([
        ("general.age".to_string(), Answer::Number(n(40))),
        ("general.sex".to_string(), Answer::Choice("male".into())),
    ]);
    let derived = Answers::from([("general.age".to_string(), Answer::Number(n(33)))]);
    let all = with_derived(&typed, &derived);
    assert_eq!(all["general.age"], Answer::Number(n(33)));
    assert_eq!(all["general.sex"], Answer::Choice("male".into()));
}

#[test]
fn items_and_sources_describe_the_card() {
    let card = default_card();
    let items = card.items();
    assert_eq!(items.first().unwrap().key, "general.sex");
    let item = card.item("sufficiency.requested").unwrap();
    assert_eq!(item.source(), Some(Source::Amount));
    assert!(matches!(
        item.kind,
        ItemKind::Input(SufficiencyInput::Requested)
    ));
    assert_eq!(
        card.item("general.age").unwrap().source(),
        Some(Source::Age)
    );
    assert_eq!(card.item("general.sex").unwrap().source(), None);
    assert!(card.item("general.nonsense").is_none());
    assert!(card.item("nonsense").is_none());
    assert_eq!(
        check_answer(&card.item("general.sex").unwrap(), &Answer::YesNo(true)),
        Err(AnswerError::ExpectsOption)
    );
}
