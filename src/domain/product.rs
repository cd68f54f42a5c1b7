//! Products and fees as the rules files define them (`assets/rules/products.toml`).

use super::calculator::ScheduleKind;
use super::money::Money;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    Loan,
    Savings,
    Service,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    /// A few letters for narrow tables.
    pub short_ru: String,
    pub short_en: String,
    pub kind: ProductKind,
    pub min_amount: Money,
    pub max_amount: Money,
    pub min_term_months: u32,
    pub max_term_months: u32,
    /// Annual interest rate, percent.
    pub rate: Decimal,
    /// УКП (conditional credit units) per item sold.
    pub ukp: Decimal,
    /// How loans of this product are repaid (annuity unless the rules file says otherwise).
    pub schedule: ScheduleKind,
}

impl Product {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "ru" || lang == "uk" || self.name_en.is_empty() {
            &self.name_ru
        } else {
            &self.name_en
        }
    }

    pub fn short(&self, lang: &str) -> &str {
        if lang == "ru" || lang == "uk" || self.short_en.is_empty() {
            &self.short_ru
        } else {
            &self.short_en
        }
    }
}

/// Amounts paid at the cash desk on admission (DOMAIN §2, `candidate → member`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fees {
    pub entrance_fee: Money,
    pub mandatory_share: Money,
}
