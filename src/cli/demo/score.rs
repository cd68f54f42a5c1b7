//! What a manager types into the scorecard for a demo application.
//!
//! Answers are drawn to fit the applicant — sex from the patronymic, age and income from the
//! application, the loan's product and purpose decide what is bought, a member is a member —
//! and lean towards how the application will fare: one the inspector turns down answers worse
//! on average, one that ends in a loan better. The questions of the shipped card get answers
//! that make sense together (an owned apartment has a value and, when insured, an insured sum);
//! any other question gets a valid answer of its kind, so a cooperative's own card scores too.
//!
//! Only what the card asks is answered: a question whose `when` does not hold is left out, and
//! what the application already holds (`source`) is not typed. A housing or car purchase comes
//! with its price and down payment, so the card computes the price and the down-payment share.

use super::{Rng, round_to};
use crate::domain::draft::ApplicationData;
use crate::domain::scorecard::{
    self, Answer, Answers, Card, Item, ItemKind, QuestionKind, Source, check_answer,
};
use crate::domain::scorecard_derive::{DeriveExtra, derived_answers};
use crate::domain::validate::age_on;
use crate::domain::{Money, Status};
use crate::rules::Rules;
use crate::store::scores::ScoreInput;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

/// The application being scored, and what will become of it.
pub(super) struct Applicant<'a> {
    pub data: &'a ApplicationData,
    /// The application date: ages are counted to it.
    pub created: NaiveDate,
    /// A member of the cooperative already.
    pub member: bool,
    /// How it will fare: below zero turned down on its merits, above zero a loan issued.
    pub lean: i8,
}

/// How an application fares, for [`Applicant::lean`].
pub(super) fn lean(last: Status, rejected: bool) -> i8 {
    match (last, rejected) {
        (Status::Checked, true) => -1,
        (Status::Authorized | Status::Archived, false) => 1,
        _ => 0,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purchase {
    Apartment,
    Car,
    Other,
}

fn purchase_of(data: &ApplicationData) -> Purchase {
    let purpose = data.loan.purpose.to_lowercase();
    match data.loan.product.as_str() {
        "housing"
            if purpose.contains("квартир")
                || purpose.contains("жиль")
                || purpose.contains("комнат")
                || purpose.contains("долев") =>
        {
            Purchase::Apartment
        }
        _ if purpose.contains("автомобил") => Purchase::Car,
        _ => Purchase::Other,
    }
}

/// Price and down payment of what is bought, rubles: the loan pays the rest.
fn price_and_down(rng: &mut Rng, purchase: Purchase, amount: i64, lean: i8) -> (i64, i64) {
    let pct = match purchase {
        // The down payment, percent of the price: often 30–50 %, sometimes less, some more.
        Purchase::Apartment => match rng.weighted(&[
            if lean < 0 { 45 } else { 25 },
            30,
            22,
            if lean > 0 { 28 } else { 18 },
        ]) {
            0 => rng.range(10, 29),
            1 => rng.range(30, 39),
            2 => rng.range(40, 50),
            _ => rng.range(51, 70),
        },
        Purchase::Car => rng.weighted(&[25, 30, 30, 15]) as i64 * 10 + rng.range(0, 9),
        Purchase::Other => return (0, 0),
    };
    let step = if purchase == Purchase::Apartment {
        10_000
    } else {
        1_000
    };
    let price = round_to(amount * 100 / (100 - pct), step).max(amount);
    (price, price - amount)
}

fn yes(b: bool) -> Answer {
    Answer::YesNo(b)
}

fn one(code: &str) -> Answer {
    Answer::Choice(code.to_string())
}

fn some(codes: &[&str]) -> Answer {
    Answer::Choices(codes.iter().map(|c| c.to_string()).collect())
}

fn num(x: i64) -> Answer {
    Answer::Number(Decimal::from(x))
}

/// A value in `lo..=hi` rubles, rounded to `step`.
fn rubles(rng: &mut Rng, lo: i64, hi: i64, step: i64) -> i64 {
    round_to(rng.range(lo, hi), step).max(step)
}

/// A chance in percent, from `at_worst` for the weakest applicant to `at_best` for the strongest.
fn chance(quality: i64, at_worst: i64, at_best: i64) -> u64 {
    (at_worst + (at_best - at_worst) * quality / 100).clamp(0, 100) as u64
}

/// Weights of ordered options (best first), from `at_worst` to `at_best` with the quality.
fn tilt<const N: usize>(quality: i64, at_worst: [i64; N], at_best: [i64; N]) -> [u64; N] {
    let mut w = [0u64; N];
    for i in 0..N {
        w[i] = (at_worst[i] + (at_best[i] - at_worst[i]) * quality / 100).max(0) as u64;
    }
    w
}

/// Answers of the shipped card's questions that fit this applicant, by `stage.question`.
fn likely_answers(
    rng: &mut Rng,
    a: &Applicant<'_>,
    purchase: Purchase,
) -> HashMap<&'static str, Answer> {
    let b = &a.data.borrower;
    let l = &a.data.loan;
    let age = i64::from(age_on(b.birth_date, a.created));
    let income = b.income.kopecks() / 100;
    // How well-off and settled the applicant is, 0…100: a few excellent, some strong, most
    // middling, some weak. Applications turned down on their merits are weaker, loans issued
    // stronger; and what the application shows — a good income spent with care, a purchase
    // with one's own money, a guarantor — goes with a strong applicant.
    let mut weights = match a.lean {
        ..0 => [0, 4, 31, 65],
        0 => [3, 14, 65, 18],
        _ => [5, 20, 69, 6],
    };
    let spent = b.expenses.kopecks() + b.payments.kopecks() + b.deductions.kopecks();
    let shows = [
        income >= 90_000,
        spent * 100 <= b.income.kopecks() * 35,
        !l.guarantor.trim().is_empty(),
        purchase != Purchase::Other,
    ]
    .iter()
    .filter(|x| **x)
    .count() as u64;
    if a.lean >= 0 {
        weights[0] += 5 * shows * shows;
        weights[1] += 4 * shows;
    }
    let tier = rng.weighted(&weights);
    let quality = ([
        rng.range(93, 100),
        rng.range(72, 92),
        rng.range(50, 78),
        rng.range(10, 48),
    ][tier]
        + match income {
            ..30_000 => -5,
            30_000..60_000 => 0,
            60_000..120_000 => 5,
            _ => 10,
        }
        + if a.member { 5 } else { 0 })
    .clamp(0, 100);
    let q = quality;
    let mut out: HashMap<&'static str, Answer> = HashMap::new();

    // General information.
    let male = b.patronymic.ends_with("вич");
    out.insert("general.sex", one(if male { "male" } else { "female" }));
    const MARITAL: [&str; 4] = ["married", "single", "divorced", "widowed"];
    let marital = match age {
        ..25 => MARITAL[rng.weighted(&tilt(q, [20, 74, 6, 0], [40, 60, 0, 0]))],
        25..60 => MARITAL[rng.weighted(&tilt(q, [40, 25, 28, 7], [88, 6, 5, 1]))],
        _ => MARITAL[rng.weighted(&tilt(q, [35, 10, 20, 35], [62, 5, 8, 25]))],
    };
    out.insert("general.marital_status", one(marital));
    out.insert(
        "general.prenuptial",
        yes(marital == "married" && rng.percent(chance(q, 1, 25))),
    );
    let dependants = match (age, marital == "married") {
        (..51, true) => rng.weighted(&tilt(q, [25, 50, 25], [30, 68, 2])),
        (..51, false) => rng.weighted(&[68, 28, 4]),
        _ => rng.weighted(&[82, 17, 1]),
    };
    out.insert(
        "general.dependants",
        one(["none", "one_two", "three_plus"][dependants]),
    );
    let own_home = rng.percent(match age {
        ..25 => chance(q, 5, 70),
        25..35 => chance(q, 25, 95),
        _ => chance(q, 45, 99),
    });
    let housing = if own_home {
        "own"
    } else if age < 25 {
        ["relatives", "rent", "dormitory"][rng.weighted(&[50, 40, 10])]
    } else {
        ["relatives", "rent", "dormitory"][rng.weighted(&[33, 62, 5])]
    };
    out.insert("general.housing", one(housing));
    out.insert("general.lives_in_city", yes(!rng.percent(chance(q, 8, 0))));
    let years = if rng.percent(chance(q, 7, 0)) {
        0
    } else if rng.percent(chance(q, 20, 3)) {
        rng.range(1, 3)
    } else {
        rng.range(4, age.max(4))
    };
    out.insert("general.years_in_city", num(years));

    // Credit history: payments on other loans mean loans outstanding.
    let paying = b.payments.kopecks() > 0;
    out.insert(
        "credit_history.borrowed_before",
        yes(paying || rng.percent(chance(q, 35, 85))),
    );
    out.insert("credit_history.outstanding_loans", yes(paying));

    // Employment.
    let education = ["higher", "vocational", "secondary", "none"]
        [rng.weighted(&tilt(q, [8, 35, 42, 15], [75, 22, 3, 0]))];
    out.insert("employment.education", one(education));
    let relationship = if a.member {
        "member"
    } else if rng.percent(chance(q, 3, 60)) {
        "partner_employee"
    } else {
        "none"
    };
    out.insert("employment.relationship", one(relationship));
    let sector = if age >= 62 && rng.percent(75) {
        "pensioner"
    } else if l.product == "business" && rng.percent(75) {
        "own_business"
    } else {
        ["public", "private", "own_business", "not_working"]
            [rng.weighted(&tilt(q, [20, 48, 14, 18], [55, 40, 5, 0]))]
    };
    out.insert("employment.sector", one(sector));
    let position = match sector {
        "pensioner" | "not_working" => "none",
        "own_business" => ["top_manager", "manager"][rng.weighted(&[80, 20])],
        _ => ["top_manager", "manager", "specialist", "worker"]
            [rng.weighted(&tilt(q, [0, 4, 20, 76], [30, 40, 30, 0]))],
    };
    out.insert("employment.position", one(position));

    // Assets and obligations.
    let trend = ["growing", "stable", "falling"][rng.weighted(&tilt(q, [5, 55, 40], [90, 10, 0]))];
    out.insert("assets.salary_trend", one(trend));
    let deposits = rng.percent(chance(q, 3, 95));
    let securities = rng.percent(chance(q, 0, 60));
    let rents_out = rng.percent(chance(q, 0, 40));
    let mut other_income = Vec::new();
    if securities {
        other_income.push("securities");
    }
    if deposits {
        other_income.push("deposits");
    }
    if rents_out {
        other_income.push("rent");
    }
    if rng.percent(chance(q, 3, 30)) {
        other_income.push("other");
    }
    out.insert("assets.other_income", some(&other_income));
    out.insert(
        "assets.obligations",
        yes(b.deductions.kopecks() > 0 || rng.percent(chance(q, 25, 2))),
    );
    out.insert(
        "assets.income_loss",
        yes(trend == "falling" && rng.percent(25)),
    );

    // Property: what they own, its value and whether it is insured.
    let mut owned = Vec::new();
    let apartment = (housing == "own" && rng.percent(85)) || rents_out;
    let house = (housing == "own" && !apartment) || rng.percent(chance(q, 0, 65));
    if apartment {
        owned.push("apartment");
    }
    if house {
        owned.push("house");
    }
    let dacha = rng.percent(if age > 40 {
        chance(q, 10, 80)
    } else {
        chance(q, 2, 55)
    });
    if dacha {
        owned.push("dacha");
    }
    let car = rng.percent(chance(q, 15, 95));
    if car {
        owned.push("car");
    }
    if rng.percent(chance(q, 0, 6)) {
        owned.push("boat");
    }
    let other = rng.percent(chance(q, 8, 2));
    if other {
        owned.push("other");
    }
    let insured = !owned.is_empty() && rng.percent(chance(q, 5, 95));
    out.insert("property.owned", some(&owned));
    out.insert("property.insured", yes(insured));

    // Sufficiency of unpledged property, rubles: a value and the sum it is insured for.
    let mut value = |has: bool, lo: i64, hi: i64, step: i64| -> (i64, i64) {
        if !has {
            return (0, 0);
        }
        let v = rubles(rng, lo, hi, step);
        let cover = if insured || rng.percent(chance(q, 10, 50)) {
            v
        } else {
            0
        };
        (v, cover)
    };
    let (apt, apt_ins) = value(apartment, 2_200_000, 7_500_000, 50_000);
    let (hs, hs_ins) = value(house, 1_500_000, 6_000_000, 50_000);
    let (cr, cr_ins) = value(car, 250_000, 2_500_000, 10_000);
    let (ot, ot_ins) = value(other, 50_000, 500_000, 10_000);
    let dep = if deposits {
        rubles(rng, 50_000, 1_500_000, 10_000)
    } else {
        0
    };
    let sec = if securities {
        rubles(rng, 50_000, 800_000, 10_000)
    } else {
        0
    };
    for (key, x) in [
        ("sufficiency.deposits", dep),
        ("sufficiency.securities", sec),
        ("sufficiency.apartment", apt),
        ("sufficiency.apartment_insured", apt_ins),
        ("sufficiency.house", hs),
        ("sufficiency.house_insured", hs_ins),
        ("sufficiency.car", cr),
        ("sufficiency.car_insured", cr_ins),
        ("sufficiency.other", ot),
        ("sufficiency.other_insured", ot_ins),
    ] {
        out.insert(key, num(x));
    }

    // What the loan buys.
    out.insert(
        "object.purchase",
        one(match purchase {
            Purchase::Apartment => "apartment",
            Purchase::Car => "car",
            Purchase::Other => "other",
        }),
    );
    out.insert(
        "object.car_storage",
        one([
            "garage_coop",
            "guarded_parking",
            "yard_garage",
            "tent",
            "none",
        ][rng.weighted(&tilt(q, [5, 15, 15, 10, 55], [45, 35, 15, 0, 5]))]),
    );
    let truck = l.purpose.to_lowercase().contains("грузов");
    out.insert(
        "object.licence",
        yes(truck || rng.percent(chance(q, 80, 99))),
    );
    let mut categories = vec!["B"];
    if rng.percent(8) {
        categories.push("A");
    }
    if truck || rng.percent(chance(q, 5, 35)) {
        categories.push("C");
    }
    if rng.percent(chance(q, 0, 10)) {
        categories.push("D");
    }
    if truck && rng.percent(30) {
        categories.push("E");
    }
    out.insert("object.licence_categories", some(&categories));
    let driving = match rng.weighted(&tilt(q, [20, 30, 50], [0, 5, 95])) {
        0 => 0,
        1 => rng.range(1, 3),
        _ => rng.range(4, (age - 18).max(4)),
    };
    out.insert("object.driving_years", num(driving.min((age - 18).max(0))));

    // The guarantor the application names.
    let guarantor = if l.guarantor.trim().is_empty() {
        "none"
    } else if rng.percent(chance(q, 30, 90)) {
        "member"
    } else {
        "elsewhere"
    };
    out.insert("guarantor.who", one(guarantor));

    // Additional information: mostly "no".
    for (key, at_worst) in [
        ("additional.criminal_record", 8),
        ("additional.unexecuted_judgements", 10),
        ("additional.under_investigation", 2),
        ("additional.civil_suits", 8),
        ("additional.seeking_loans_elsewhere", 25),
    ] {
        out.insert(key, yes(rng.percent(chance(q, at_worst, 0))));
    }
    out
}

/// Some valid answer to `item`, for a question the shipped card does not have.
fn any_answer(rng: &mut Rng, item: &Item<'_>) -> Answer {
    match item.kind {
        ItemKind::Input(_) => num(0),
        ItemKind::Question(q) => match &q.kind {
            QuestionKind::YesNo { .. } => yes(rng.percent(50)),
            QuestionKind::OneOf(opts) => one(&rng.pick(opts).code),
            QuestionKind::SomeOf(opts) => Answer::Choices(
                opts.iter()
                    .filter(|_| rng.percent(30))
                    .map(|o| o.code.clone())
                    .collect::<BTreeSet<_>>(),
            ),
            QuestionKind::Bands { bands, .. } => {
                // A value in one of the bands, or just above the last.
                let i = rng.below(bands.len() as u64 + 1) as usize;
                let x = match bands.get(i) {
                    Some(b) if b.inclusive => b.bound,
                    Some(b) => b.bound - Decimal::ONE,
                    None => bands.last().map_or(Decimal::ZERO, |b| b.bound) + Decimal::ONE,
                };
                Answer::Number(x.max(Decimal::ZERO).floor())
            }
        },
    }
}

/// The score input for `a` on `card`: every question asked answered when `complete`, else
/// the first part of the card only (work in progress).
pub(super) fn input(
    card: &Card,
    rules: &Rules,
    rng: &mut Rng,
    a: &Applicant<'_>,
    complete: bool,
) -> ScoreInput {
    let purchase = purchase_of(a.data);
    let amount = a.data.loan.amount.kopecks() / 100;
    let (price, down) = price_and_down(rng, purchase, amount, a.lean);
    let (purchase_price, down_payment) = if purchase == Purchase::Other {
        (None, None)
    } else {
        (
            Some(Money::from_rubles(price)),
            Some(Money::from_rubles(down)),
        )
    };
    let likely = likely_answers(rng, a, purchase);
    let items = card.items();
    let mut typed = Answers::new();
    for item in &items {
        if item.source().is_some() {
            continue;
        }
        let answer = match likely.get(item.key.as_str()) {
            Some(x) if check_answer(item, x).is_ok() => x.clone(),
            _ => any_answer(rng, item),
        };
        typed.insert(item.key.clone(), answer);
    }

    // Leave out what the card does not ask of this applicant; answer what it still asks
    // (a value the application cannot give).
    let extra = DeriveExtra {
        product: rules.product(&a.data.loan.product),
        down_payment,
        purchase_price,
    };
    let derived = derived_answers(card, a.data, a.created, &extra);
    for _ in 0..4 {
        let result = scorecard::evaluate(card, &scorecard::with_derived(&typed, &derived));
        let asked: BTreeSet<&str> = result
            .stages
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.asked)
            .map(|i| i.key.as_str())
            .collect();
        typed.retain(|k, _| asked.contains(k.as_str()));
        if result.missing.is_empty() {
            break;
        }
        for key in &result.missing {
            if let Some(item) = card.item(key) {
                typed.insert(key.clone(), any_answer(rng, &item));
            }
        }
    }

    let (mut purchase_price, mut down_payment) = (purchase_price, down_payment);
    if !complete && !typed.is_empty() {
        // Stopped part-way through the card; the price and down payment only once it got to
        // the questions that take them.
        let order: Vec<usize> = (0..items.len())
            .filter(|i| typed.contains_key(&items[*i].key))
            .collect();
        let keep = (rng.range(1, order.len() as i64 - 1).max(0) as usize).min(order.len());
        let reached = order[..keep].last().copied().unwrap_or(0);
        typed.retain(|k, _| order[..keep].iter().any(|i| items[*i].key == *k));
        let priced = items.iter().position(|i| {
            matches!(
                i.source(),
                Some(Source::PurchasePrice | Source::DownPaymentPercent)
            )
        });
        if priced.is_none_or(|p| reached < p) {
            purchase_price = None;
            down_payment = None;
        }
    }
    ScoreInput {
        answers: typed,
        purchase_price,
        down_payment,
    }
}
