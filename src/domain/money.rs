//! Money: a `Decimal` that is never negative-by-accident, never has more than two
//! decimal places, and is stored as integer kopecks.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(Decimal);

/// Why a typed amount is not money we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("negative")]
    Negative,
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("too large")]
    TooLarge,
}

impl MoneyError {
    /// Catalog key of the reason, for messages shown to people.
    pub fn key(self) -> &'static str {
        match self {
            MoneyError::Empty => "err.required",
            MoneyError::NotANumber => "err.money_not_number",
            MoneyError::Negative => "err.money_negative",
            MoneyError::TooPrecise => "err.money_precision",
            MoneyError::TooLarge => "err.money_too_large",
        }
    }
}

/// Largest amount we accept anywhere: a trillion roubles, far under i64 kopecks.
const MAX_RUB: i64 = 1_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_kopecks(k: i64) -> Money {
        Money(Decimal::new(k, 2))
    }

    pub fn from_rubles(r: i64) -> Money {
        Money(Decimal::new(r, 0))
    }

    /// The amount in kopecks. Amounts are built only through `parse`/`from_*`/`try_from_decimal`,
    /// which keep at most two decimal places, so this is exact.
    pub fn kopecks(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .trunc()
            .to_i64()
            .expect("money is bounded far below i64 kopecks")
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn try_from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        if d.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if d > Decimal::from(MAX_RUB) {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money(d.round_dp(2)))
    }

    /// Parse what a person typed: spaces (also non-breaking) as thousands separators,
    /// a comma or a dot as the decimal separator. `1 234,50`, `1234.5`, `1234`.
    pub fn parse(input: &str) -> Result<Money, MoneyError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '_')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if cleaned.is_empty() {
            return Err(MoneyError::Empty);
        }
        if cleaned.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        if !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.')
            || cleaned.matches('.').count() > 1
        {
            return Err(MoneyError::NotANumber);
        }
        if cleaned.len() > 20 {
            return Err(MoneyError::TooLarge);
        }
        let d = Decimal::from_str(&cleaned).map_err(|_| MoneyError::NotANumber)?;
        Money::try_from_decimal(d)
    }

    pub fn checked_add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }

    /// `1 234 567,89` — grouped by thin spaces the way Russian paperwork writes it.
    pub fn grouped(self) -> String {
        let k = self.kopecks();
        let rub = k / 100;
        let kop = k % 100;
        let digits = rub.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(' ');
            }
            out.push(ch);
        }
        format!("{out},{kop:02}")
    }

    /// Plain decimal string for export: `1234.50`.
    pub fn plain(self) -> String {
        format!("{:.2}", self.0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Money::parse("1 234,50").unwrap().kopecks(), 123_450);
        assert_eq!(Money::parse("1234.5").unwrap().kopecks(), 123_450);
        assert_eq!(Money::parse("0").unwrap().kopecks(), 0);
        assert_eq!(Money::parse("15\u{a0}000").unwrap().kopecks(), 1_500_000);
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse("12a"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.2.3"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1e5"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("99999999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn trailing_zeros_are_not_extra_precision() {
        assert_eq!(Money::parse("10.500").unwrap().kopecks(), 1050);
    }

    #[test]
    fn formats_grouped_and_plain() {
        assert_eq!(Money::from_kopecks(123_456_789).grouped(), "1 234 567,89");
        assert_eq!(Money::from_kopecks(5).grouped(), "0,05");
        assert_eq!(Money::from_kopecks(123_450).plain(), "1234.50");
    }
}
