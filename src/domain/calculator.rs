//! The loan calculator: the repayment schedule (annuity or differentiated, as the product
//! says), the monthly payment, total interest, total to repay, and the payment-to-income
//! ratio after this loan. `Decimal` throughout, money in kopecks.
//!
//! The rules, stated once:
//! - monthly rate = annual rate / 12 / 100; a month's interest is the balance × annual rate
//!   / 1200, rounded to kopecks;
//! - rounding to kopecks is **half away from zero** (0.005 → 0.01, 1.015 → 1.02) — the
//!   everyday commercial rule, not the banker's;
//! - annuity: the payment P·i / (1 − (1 + i)^−n) is rounded once and paid every month;
//!   differentiated: the principal part amount / n is rounded once and repaid every month,
//!   interest on top;
//! - the **last payment absorbs the rounding remainder**: it repays whatever balance is left,
//!   so the principal parts sum to the amount exactly, to the kopeck;
//! - a row never repays more than the balance: for degenerate loans (a few roubles over
//!   decades) rounding can repay early, and the rows after carry zero.
//!
//! API for the loan tab: [`schedule`]`(amount, annual_rate, term_months, kind)` →
//! [`Schedule`] with rows, [`Schedule::monthly_payment`], totals; [`payment_to_income`].

use super::money::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// How a product's loans are repaid (`schedule` in `assets/rules/products.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    /// Equal monthly payments.
    #[default]
    Annuity,
    /// Equal principal parts, interest on the remaining balance: payments fall.
    Differentiated,
}

impl ScheduleKind {
    pub fn code(self) -> &'static str {
        match self {
            ScheduleKind::Annuity => "annuity",
            ScheduleKind::Differentiated => "differentiated",
        }
    }
}

/// One month of the schedule. `no` counts months from 1 (the first payment a month after
/// issue); dates are the caller's business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleRow {
    pub no: u32,
    pub payment: Money,
    pub principal: Money,
    pub interest: Money,
    /// The balance after this payment.
    pub balance: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub kind: ScheduleKind,
    pub amount: Money,
    pub annual_rate: Decimal,
    pub rows: Vec<ScheduleRow>,
    pub total_interest: Money,
    /// Everything paid: the amount plus the interest.
    pub total_paid: Money,
}

impl Schedule {
    /// The payment to plan a budget on: the regular annuity payment, or the first (largest)
    /// differentiated one.
    pub fn monthly_payment(&self) -> Money {
        self.rows.first().map(|r| r.payment).unwrap_or(Money::ZERO)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalcError {
    #[error("the amount must be more than zero")]
    ZeroAmount,
    #[error("the term must be 1 to 600 months")]
    Term,
    #[error("the rate must be 0 to 100 percent a year")]
    Rate,
}

impl CalcError {
    pub fn key(self) -> &'static str {
        match self {
            CalcError::ZeroAmount => "err.amount_zero",
            CalcError::Term => "err.calc_term",
            CalcError::Rate => "err.calc_rate",
        }
    }
}

pub const MAX_TERM_MONTHS: u32 = 600;

/// Round to kopecks, half away from zero.
pub fn round_kopecks(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Monthly rate as a fraction: annual percent / 12 / 100.
pub fn monthly_rate(annual_rate: Decimal) -> Decimal {
    annual_rate / Decimal::from(1200)
}

fn money(d: Decimal) -> Money {
    let k = (round_kopecks(d) * Decimal::ONE_HUNDRED)
        .to_i64()
        .expect("schedule amounts stay far below i64 kopecks");
    Money::from_kopecks(k)
}

fn interest(balance: Decimal, annual_rate: Decimal) -> Decimal {
    round_kopecks(balance * annual_rate / Decimal::from(1200))
}

/// The annuity payment, rounded to kopecks.
pub fn annuity_payment(
    amount: Money,
    annual_rate: Decimal,
    term_months: u32,
) -> Result<Money, CalcError> {
    check(amount, annual_rate, term_months)?;
    Ok(money(annuity_exact(
        amount.decimal(),
        annual_rate,
        term_months,
    )))
}

fn annuity_exact(p: Decimal, annual_rate: Decimal, n: u32) -> Decimal {
    let i = monthly_rate(annual_rate);
    if i.is_zero() {
        return p / Decimal::from(n);
    }
    // (1 + i)^n by repeated multiplication: 600 months at 100 % is about 1e21, in range.
    let growth = (0..n).fold(Decimal::ONE, |acc, _| acc * (Decimal::ONE + i));
    // The factor first, so that a large amount times a large growth cannot overflow.
    p * (i * growth / (growth - Decimal::ONE))
}

fn check(amount: Money, annual_rate: Decimal, term_months: u32) -> Result<(), CalcError> {
    if amount == Money::ZERO {
        return Err(CalcError::ZeroAmount);
    }
    if term_months == 0 || term_months > MAX_TERM_MONTHS {
        return Err(CalcError::Term);
    }
    if annual_rate.is_sign_negative() || annual_rate > Decimal::ONE_HUNDRED {
        return Err(CalcError::Rate);
    }
    Ok(())
}

/// The full schedule. See the module comment for the rounding rules.
pub fn schedule(
    amount: Money,
    annual_rate: Decimal,
    term_months: u32,
    kind: ScheduleKind,
) -> Result<Schedule, CalcError> {
    check(amount, annual_rate, term_months)?;
    let n = term_months;
    // The regular amount: the whole payment (annuity) or the principal part (differentiated).
    let regular = match kind {
        ScheduleKind::Annuity => round_kopecks(annuity_exact(amount.decimal(), annual_rate, n)),
        ScheduleKind::Differentiated => round_kopecks(amount.decimal() / Decimal::from(n)),
    };
    let mut balance = amount.decimal();
    let mut rows = Vec::with_capacity(n as usize);
    let mut total_interest = Decimal::ZERO;
    for no in 1..=n {
        let int = interest(balance, annual_rate);
        let principal = if no == n {
            balance
        } else {
            let part = match kind {
                ScheduleKind::Annuity => (regular - int).max(Decimal::ZERO),
                ScheduleKind::Differentiated => regular,
            };
            part.min(balance)
        };
        balance -= principal;
        total_interest += int;
        rows.push(ScheduleRow {
            no,
            payment: money(principal + int),
            principal: money(principal),
            interest: money(int),
            balance: money(balance),
        });
    }
    Ok(Schedule {
        kind,
        amount,
        annual_rate,
        rows,
        total_interest: money(total_interest),
        total_paid: money(amount.decimal() + total_interest),
    })
}

/// (Payments on other loans + this loan's monthly payment) / income, in percent rounded to
/// two places half away from zero; `None` when there is no income to divide by.
pub fn payment_to_income(existing: Money, this_payment: Money, income: Money) -> Option<Decimal> {
    if income == Money::ZERO {
        return None;
    }
    let ratio =
        (existing.decimal() + this_payment.decimal()) * Decimal::ONE_HUNDRED / income.decimal();
    Some(
        ratio
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_kopecks(d("0.005")), d("0.01"));
        assert_eq!(round_kopecks(d("1.015")), d("1.02"));
        assert_eq!(round_kopecks(d("1.025")), d("1.03")); // banker's would give 1.02
        assert_eq!(round_kopecks(d("1.0149999")), d("1.01"));
        assert_eq!(round_kopecks(d("-0.005")), d("-0.01"));
        // A month's interest exactly on a half kopeck: 100.50 × 12 % / 12 = 1.005 → 1.01.
        let s = schedule(m("100.50"), d("12"), 2, ScheduleKind::Differentiated).unwrap();
        assert_eq!(s.rows[0].interest, m("1.01"));
    }

    #[test]
    fn annuity_by_hand() {
        // 100 000 at 12 % for 12 months: i = 1 %, payment 8 884.8788… → 8 884.88.
        let s = schedule(m("100000"), d("12"), 12, ScheduleKind::Annuity).unwrap();
        assert_eq!(s.monthly_payment(), m("8884.88"));
        let r = &s.rows;
        assert_eq!(
            (r[0].interest, r[0].principal, r[0].balance),
            (m("1000.00"), m("7884.88"), m("92115.12"))
        );
        // 92 115.12 × 1 % = 921.1512 → 921.15
        assert_eq!(
            (r[1].interest, r[1].principal, r[1].balance),
            (m("921.15"), m("7963.73"), m("84151.39"))
        );
        for row in &r[..11] {
            assert_eq!(row.payment, m("8884.88"));
        }
        let last = r[11];
        assert_eq!(last.balance, Money::ZERO);
        let repaid: i64 = r.iter().map(|x| x.principal.kopecks()).sum();
        assert_eq!(repaid, 10_000_000);
        let paid: i64 = r.iter().map(|x| x.payment.kopecks()).sum();
        assert_eq!(paid, s.total_paid.kopecks());
        assert_eq!(
            s.total_paid.kopecks() - 10_000_000,
            s.total_interest.kopecks()
        );
        // The last payment differs from the others only by the rounding remainder.
        assert!((last.payment.kopecks() - 888_488).abs() <= 12);
    }

    #[test]
    fn differentiated_by_hand() {
        // 120 000 at 24 % for 12 months: 10 000 principal a month, interest 2 % of the balance.
        let s = schedule(m("120000"), d("24"), 12, ScheduleKind::Differentiated).unwrap();
        assert_eq!(s.rows[0].payment, m("12400"));
        assert_eq!(s.rows[1].payment, m("12200"));
        assert_eq!(s.rows[11].payment, m("10200"));
        // Interest: 2 % × (120 000 + 110 000 + … + 10 000) = 2 % × 780 000 = 15 600.
        assert_eq!(s.total_interest, m("15600"));
        assert_eq!(s.total_paid, m("135600"));
        assert_eq!(s.monthly_payment(), m("12400"));
    }

    #[test]
    fn the_last_payment_absorbs_the_remainder() {
        // 100 000 / 3 = 33 333.33 a month; the last part is 33 333.34.
        let s = schedule(m("100000"), d("0"), 3, ScheduleKind::Differentiated).unwrap();
        let parts: Vec<_> = s.rows.iter().map(|r| r.principal).collect();
        assert_eq!(parts, vec![m("33333.33"), m("33333.33"), m("33333.34")]);
        let s = schedule(m("100000"), d("0"), 3, ScheduleKind::Annuity).unwrap();
        let pays: Vec<_> = s.rows.iter().map(|r| r.payment).collect();
        assert_eq!(pays, vec![m("33333.33"), m("33333.33"), m("33333.34")]);
        assert_eq!(s.total_interest, Money::ZERO);
    }

    /// The grid: every schedule repays the amount to the kopeck, the payments are principal
    /// plus interest, balances fall to zero, never below.
    #[test]
    fn schedules_sum_exactly_to_the_kopeck() {
        let amounts = [
            "0.01",
            "1",
            "999.99",
            "5000",
            "33333.33",
            "150000",
            "1234567.89",
            "5000000",
            "99999999.99",
        ];
        let rates = ["0", "0.01", "7.77", "12", "17.5", "24", "36.6", "100"];
        let terms = [1, 2, 3, 7, 12, 13, 24, 60, 119, 120, 360, 600];
        let mut checked = 0;
        for a in amounts {
            for r in rates {
                for n in terms {
                    for kind in [ScheduleKind::Annuity, ScheduleKind::Differentiated] {
                        let s = schedule(m(a), d(r), n, kind).unwrap();
                        let ctx = format!("{a} at {r}% for {n} ({kind:?})");
                        assert_eq!(s.rows.len(), n as usize, "{ctx}");
                        let principal: i64 = s.rows.iter().map(|x| x.principal.kopecks()).sum();
                        let interest: i64 = s.rows.iter().map(|x| x.interest.kopecks()).sum();
                        let paid: i64 = s.rows.iter().map(|x| x.payment.kopecks()).sum();
                        assert_eq!(principal, m(a).kopecks(), "{ctx}");
                        assert_eq!(interest, s.total_interest.kopecks(), "{ctx}");
                        assert_eq!(paid, s.total_paid.kopecks(), "{ctx}");
                        assert_eq!(paid, principal + interest, "{ctx}");
                        let mut before = m(a).kopecks();
                        for row in &s.rows {
                            assert_eq!(
                                row.payment.kopecks(),
                                row.principal.kopecks() + row.interest.kopecks(),
                                "{ctx}"
                            );
                            assert_eq!(
                                row.balance.kopecks(),
                                before - row.principal.kopecks(),
                                "{ctx}"
                            );
                            before = row.balance.kopecks();
                        }
                        assert_eq!(before, 0, "{ctx}");
                        if kind == ScheduleKind::Annuity && n > 1 {
                            // Equal payments but the last, unless rounding repaid early.
                            let regular = s.rows[0].payment;
                            for row in &s.rows[..n as usize - 1] {
                                assert!(
                                    row.payment == regular || row.balance == Money::ZERO,
                                    "{ctx}: row {}",
                                    row.no
                                );
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 9 * 8 * 12 * 2);
    }

    #[test]
    fn a_degenerate_loan_repays_early_and_never_below_zero() {
        // 0.60 over 120 months: 0.005 a month rounds up to 0.01, repaid after 60 months.
        let s = schedule(m("0.60"), d("0"), 120, ScheduleKind::Differentiated).unwrap();
        assert!(s.rows[..60].iter().all(|r| r.principal == m("0.01")));
        assert_eq!(s.rows[59].balance, Money::ZERO);
        assert!(s.rows[60..].iter().all(|r| r.payment == Money::ZERO));
    }

    #[test]
    fn the_largest_loan_at_the_highest_rate_does_not_overflow() {
        for kind in [ScheduleKind::Annuity, ScheduleKind::Differentiated] {
            let s = schedule(m("1000000000000"), d("100"), 600, kind).unwrap();
            let repaid: i64 = s.rows.iter().map(|r| r.principal.kopecks()).sum();
            assert_eq!(repaid, m("1000000000000").kopecks());
        }
    }

    #[test]
    fn bad_terms_are_refused() {
        let k = ScheduleKind::Annuity;
        assert_eq!(
            schedule(Money::ZERO, d("12"), 12, k),
            Err(CalcError::ZeroAmount)
        );
        assert_eq!(schedule(m("1"), d("12"), 0, k), Err(CalcError::Term));
        assert_eq!(schedule(m("1"), d("12"), 601, k), Err(CalcError::Term));
        assert_eq!(schedule(m("1"), d("-1"), 12, k), Err(CalcError::Rate));
        assert_eq!(schedule(m("1"), d("100.01"), 12, k), Err(CalcError::Rate));
        assert_eq!(annuity_payment(m("100000"), d("12"), 12), Ok(m("8884.88")));
    }

    #[test]
    fn payment_to_income_after_the_loan() {
        // (10 000 + 8 884.88) / 60 000 = 31.4748 % → 31.47
        assert_eq!(
            payment_to_income(m("10000"), m("8884.88"), m("60000")),
            Some(d("31.47"))
        );
        // exactly on a half hundredth: 1 / 8 = 12.5 %; 0.5 / 400 = 0.125 % → 0.13
        assert_eq!(
            payment_to_income(m("0"), m("0.5"), m("400")),
            Some(d("0.13"))
        );
        assert_eq!(payment_to_income(m("1"), m("1"), Money::ZERO), None);
    }
}
