//! Scorecard answers the application already holds (DOMAIN §3, issue part 3): age from the
//! birth date, the term, the amount, the income, the expenses-to-income and payment-to-income
//! ratios, the purchase price and the down-payment percentage. A card declares which of its
//! questions take which value (`source = "age"` on a question, `sources = { requested =
//! "amount" }` on the sufficiency stage); [`derived_answers`] computes those it can.
//!
//! For the scoring tab: show a derived answer as computed (with [`Source::key`] saying where
//! it came from) and do not ask for it; merge with `scorecard::with_derived(typed, derived)`
//! before `scorecard::evaluate`, so the application's values win over anything typed.
//!
//! Percentages are rounded to two decimal places, half away from zero, *before* they meet the
//! bands: the number shown is the number scored.

use super::calculator;
use super::draft::ApplicationData;
use super::money::Money;
use super::product::Product;
use super::scorecard::{Answer, Answers, Card, Source};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

/// What the application form does not hold but a scoring tab may know.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeriveExtra<'a> {
    /// The application's product, for this loan's monthly payment (`payment_ratio`).
    pub product: Option<&'a Product>,
    /// The borrower's own money put into the purchase.
    pub down_payment: Option<Money>,
    /// The price of what is bought; else the amount plus the down payment.
    pub purchase_price: Option<Money>,
}

/// Every answer of `card` that comes from the application, by `stage.question`.
/// A value that cannot be computed (no down payment known, zero income) is left out, so the
/// scoring tab asks for it.
pub fn derived_answers(
    card: &Card,
    app: &ApplicationData,
    on: NaiveDate,
    extra: &DeriveExtra<'_>,
) -> Answers {
    card.items()
        .into_iter()
        .filter_map(|item| {
            let value = source_value(item.source()?, app, on, extra)?;
            Some((item.key, Answer::Number(value)))
        })
        .collect()
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole <= Decimal::ZERO {
        return None;
    }
    Some(
        (part * Decimal::ONE_HUNDRED / whole)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// The value of one source for this application, if it can be known.
pub fn source_value(
    source: Source,
    app: &ApplicationData,
    on: NaiveDate,
    extra: &DeriveExtra<'_>,
) -> Option<Decimal> {
    let b = &app.borrower;
    let l = &app.loan;
    let price = || -> Option<Decimal> {
        match (extra.purchase_price, extra.down_payment) {
            (Some(p), _) => Some(p.decimal()),
            (None, Some(d)) => Some(l.amount.decimal() + d.decimal()),
            (None, None) => None,
        }
    };
    match source {
        Source::Age => on.years_since(b.birth_date).map(Decimal::from),
        Source::TermMonths => Some(Decimal::from(l.term_months)),
        Source::Amount => Some(l.amount.decimal()),
        Source::Income => Some(b.income.decimal()),
        Source::ExpenseRatio => percent(
            b.expenses.decimal() + b.payments.decimal() + b.deductions.decimal(),
            b.income.decimal(),
        ),
        Source::PaymentRatio => {
            let p = extra.product?;
            let s = calculator::schedule(l.amount, p.rate, l.term_months, p.schedule).ok()?;
            calculator::payment_to_income(b.payments, s.monthly_payment(), b.income)
        }
        Source::PurchasePrice => price().map(|p| p.normalize()),
        Source::DownPaymentPercent => {
            let price = price()?;
            let down = match extra.down_payment {
                Some(d) => d.decimal(),
                None => price - l.amount.decimal(),
            };
            if down.is_sign_negative() {
                return None;
            }
            percent(down, price)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calculator::ScheduleKind;
    use crate::domain::draft::{Borrower, LoanTerms};
    use crate::domain::product::ProductKind;

    fn app() -> ApplicationData {
        ApplicationData {
            borrower: Borrower {
                last_name: "Иванов".into(),
                first_name: "Иван".into(),
                patronymic: "Иванович".into(),
                birth_date: NaiveDate::from_ymd_opt(1992, 6, 15).unwrap(),
                passport: "4509123456".into(),
                passport_issued_by: String::new(),
                passport_issued_on: None,
                reg_address: "г. Подольск".into(),
                fact_address: String::new(),
                phone: "+79248111671".into(),
                email: String::new(),
                income: Money::from_rubles(225_000),
                expenses: Money::from_rubles(90_000),
                payments: Money::from_rubles(20_000),
                deductions: Money::from_kopecks(10_00),
            },
            loan: LoanTerms {
                product: "housing".into(),
                amount: Money::from_rubles(4_050_000),
                term_months: 60,
                purpose: "квартира".into(),
                guarantor: String::new(),
                collateral: String::new(),
            },
        }
    }

    fn product() -> Product {
        Product {
            code: "housing".into(),
            name_ru: "Жилищный".into(),
            name_en: "Housing".into(),
            short_ru: "Жил".into(),
            short_en: "Hous".into(),
            kind: ProductKind::Loan,
            min_amount: Money::from_rubles(1),
            max_amount: Money::from_rubles(10_000_000),
            min_term_months: 1,
            max_term_months: 120,
            rate: Decimal::new(12, 0),
            ukp: Decimal::TWO,
            schedule: ScheduleKind::Annuity,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn age_is_full_years_on_the_application_date() {
        let a = app();
        let none = DeriveExtra::default();
        let age = |on| source_value(Source::Age, &a, on, &none);
        assert_eq!(age(day(2025, 6, 14)), Some(Decimal::from(32)));
        assert_eq!(age(day(2025, 6, 15)), Some(Decimal::from(33)));
        assert_eq!(age(day(2026, 6, 14)), Some(Decimal::from(33)));
    }

    #[test]
    fn loan_and_income_values_come_straight_from_the_form() {
        let a = app();
        let on = day(2025, 7, 1);
        let none = DeriveExtra::default();
        let v = |s| source_value(s, &a, on, &none);
        assert_eq!(v(Source::TermMonths), Some(Decimal::from(60)));
        assert_eq!(v(Source::Amount), Some(Decimal::from(4_050_000)));
        assert_eq!(v(Source::Income), Some(Decimal::from(225_000)));
        // (90 000 + 20 000 + 10) / 225 000 = 48.8933… %
        assert_eq!(v(Source::ExpenseRatio), Some(Decimal::new(4889, 2)));
        // Nothing known about the purchase or the product.
        assert_eq!(v(Source::PurchasePrice), None);
        assert_eq!(v(Source::DownPaymentPercent), None);
        assert_eq!(v(Source::PaymentRatio), None);
    }

    #[test]
    fn ratios_round_half_away_from_zero_and_need_an_income() {
        let mut a = app();
        a.borrower.income = Money::from_rubles(200_000);
        a.borrower.expenses = Money::from_rubles(1);
        a.borrower.payments = Money::ZERO;
        a.borrower.deductions = Money::ZERO;
        // 1 / 200 000 = 0.0005 % → 0.00; 10 / 200 000 = 0.005 % → 0.01
        let on = day(2025, 7, 1);
        let none = DeriveExtra::default();
        assert_eq!(
            source_value(Source::ExpenseRatio, &a, on, &none),
            Some(Decimal::ZERO)
        );
        a.borrower.expenses = Money::from_rubles(10);
        assert_eq!(
            source_value(Source::ExpenseRatio, &a, on, &none),
            Some(Decimal::new(1, 2))
        );
        a.borrower.income = Money::ZERO;
        assert_eq!(source_value(Source::ExpenseRatio, &a, on, &none), None);
    }

    #[test]
    fn down_payment_from_the_down_payment_or_the_price() {
        let a = app();
        let on = day(2025, 7, 1);
        // 4 050 000 asked + 2 700 000 own = 6 750 000 price, 40 % down.
        let by_down = DeriveExtra {
            down_payment: Some(Money::from_rubles(2_700_000)),
            ..Default::default()
        };
        assert_eq!(
            source_value(Source::PurchasePrice, &a, on, &by_down),
            Some(Decimal::from(6_750_000))
        );
        assert_eq!(
            source_value(Source::DownPaymentPercent, &a, on, &by_down),
            Some(Decimal::from(40))
        );
        let by_price = DeriveExtra {
            purchase_price: Some(Money::from_rubles(6_750_000)),
            ..Default::default()
        };
        assert_eq!(
            source_value(Source::DownPaymentPercent, &a, on, &by_price),
            Some(Decimal::from(40))
        );
        // A price under the amount asked is no down payment at all.
        let short = DeriveExtra {
            purchase_price: Some(Money::from_rubles(1_000_000)),
            ..Default::default()
        };
        assert_eq!(
            source_value(Source::DownPaymentPercent, &a, on, &short),
            None
        );
    }

    #[test]
    fn payment_ratio_uses_the_product_schedule() {
        let a = app();
        let p = product();
        let extra = DeriveExtra {
            product: Some(&p),
            ..Default::default()
        };
        let s = calculator::schedule(a.loan.amount, p.rate, 60, ScheduleKind::Annuity).unwrap();
        let expected = calculator::payment_to_income(
            a.borrower.payments,
            s.monthly_payment(),
            a.borrower.income,
        );
        assert!(expected.is_some());
        assert_eq!(
            source_value(Source::PaymentRatio, &a, day(2025, 7, 1), &extra),
            expected
        );
    }

    #[test]
    fn the_default_card_takes_what_the_application_knows() {
        let card = crate::scorecards::builtin();
        let a = app();
        let p = product();
        let extra = DeriveExtra {
            product: Some(&p),
            down_payment: Some(Money::from_rubles(2_700_000)),
            purchase_price: None,
        };
        let d = derived_answers(&card, &a, day(2025, 7, 1), &extra);
        let n = |k: &str| match d.get(k) {
            Some(Answer::Number(x)) => *x,
            other => panic!("{k}: {other:?}"),
        };
        assert_eq!(n("general.age"), Decimal::from(33));
        assert_eq!(n("object.apartment_term"), Decimal::from(60));
        assert_eq!(n("object.apartment_price"), Decimal::from(6_750_000));
        assert_eq!(n("object.down_payment"), Decimal::from(40));
        assert_eq!(n("employment.expense_ratio"), Decimal::new(4889, 2));
        assert_eq!(n("assets.salary"), Decimal::from(225_000));
        assert_eq!(n("sufficiency.requested"), Decimal::from(4_050_000));
        // Only keys the card declares a source for.
        for k in d.keys() {
            assert!(card.item(k).unwrap().source().is_some(), "{k}");
        }
        assert!(!d.contains_key("general.sex"));
    }
}
