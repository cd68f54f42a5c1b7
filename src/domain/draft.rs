//! An application as typed (or imported) and as validated: the borrower and the loan asked for.
//! Validation collects every field's problem at once, so a form can show them all.

use super::money::Money;
use super::product::{Product, ProductKind};
use super::validate::{self as v, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a person typed, field by field, exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: String,
    pub passport: String,
    pub passport_issued_by: String,
    pub passport_issued_on: String,
    pub reg_address: String,
    pub fact_address: String,
    pub phone: String,
    pub email: String,
    pub income: String,
    pub expenses: String,
    pub payments: String,
    pub deductions: String,
    pub product: String,
    pub amount: String,
    pub term_months: String,
    pub purpose: String,
    pub guarantor: String,
    pub collateral: String,
}

/// Field codes of the borrower tab, in form order. Each has a label `field.<code>` in the catalog.
pub const BORROWER_FIELDS: [&str; 15] = [
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "passport",
    "passport_issued_by",
    "passport_issued_on",
    "reg_address",
    "fact_address",
    "phone",
    "email",
    "income",
    "expenses",
    "payments",
    "deductions",
];

/// Field codes of the loan tab, in form order.
pub const LOAN_FIELDS: [&str; 6] = [
    "product",
    "amount",
    "term_months",
    "purpose",
    "guarantor",
    "collateral",
];

impl ApplicationInput {
    pub fn get(&self, field: &str) -> &str {
        match field {
            "last_name" => &self.last_name,
            "first_name" => &self.first_name,
            "patronymic" => &self.patronymic,
            "birth_date" => &self.birth_date,
            "passport" => &self.passport,
            "passport_issued_by" => &self.passport_issued_by,
            "passport_issued_on" => &self.passport_issued_on,
            "reg_address" => &self.reg_address,
            "fact_address" => &self.fact_address,
            "phone" => &self.phone,
            "email" => &self.email,
            "income" => &self.income,
            "expenses" => &self.expenses,
            "payments" => &self.payments,
            "deductions" => &self.deductions,
            "product" => &self.product,
            "amount" => &self.amount,
            "term_months" => &self.term_months,
            "purpose" => &self.purpose,
            "guarantor" => &self.guarantor,
            "collateral" => &self.collateral,
            _ => "",
        }
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "last_name" => &mut self.last_name,
            "first_name" => &mut self.first_name,
            "patronymic" => &mut self.patronymic,
            "birth_date" => &mut self.birth_date,
            "passport" => &mut self.passport,
            "passport_issued_by" => &mut self.passport_issued_by,
            "passport_issued_on" => &mut self.passport_issued_on,
            "reg_address" => &mut self.reg_address,
            "fact_address" => &mut self.fact_address,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            "income" => &mut self.income,
            "expenses" => &mut self.expenses,
            "payments" => &mut self.payments,
            "deductions" => &mut self.deductions,
            "product" => &mut self.product,
            "amount" => &mut self.amount,
            "term_months" => &mut self.term_months,
            "purpose" => &mut self.purpose,
            "guarantor" => &mut self.guarantor,
            "collateral" => &mut self.collateral,
            _ => return,
        };
        *slot = value;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Borrower {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: NaiveDate,
    /// Ten digits: series and number.
    pub passport: String,
    pub passport_issued_by: String,
    pub passport_issued_on: Option<NaiveDate>,
    pub reg_address: String,
    pub fact_address: String,
    /// E.164.
    pub phone: String,
    pub email: String,
    pub income: Money,
    pub expenses: Money,
    pub payments: Money,
    pub deductions: Money,
}

impl Borrower {
    pub fn full_name(&self) -> String {
        [&self.last_name, &self.first_name, &self.patronymic]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanTerms {
    pub product: String,
    pub amount: Money,
    pub term_months: u32,
    pub purpose: String,
    pub guarantor: String,
    pub collateral: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationData {
    pub borrower: Borrower,
    pub loan: LoanTerms,
}

fn take<T>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    r: Result<T, &'static str>,
) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(reason) => {
            errors.push(FieldError::new(field, reason));
            None
        }
    }
}

/// Validate everything typed. `on` is the application date (for the applicant's age).
pub fn validate(
    input: &ApplicationInput,
    products: &[Product],
    on: NaiveDate,
) -> Result<ApplicationData, Vec<FieldError>> {
    let mut e = Vec::new();
    let last_name = take(&mut e, "last_name", v::name(&input.last_name, true));
    let first_name = take(&mut e, "first_name", v::name(&input.first_name, true));
    let patronymic = take(&mut e, "patronymic", v::name(&input.patronymic, false));
    let birth_date = take(&mut e, "birth_date", v::birth_date(&input.birth_date, on));
    let passport = take(&mut e, "passport", v::passport(&input.passport));
    let issued_by = take(
        &mut e,
        "passport_issued_by",
        v::text(&input.passport_issued_by, false, 200),
    );
    let issued_on = if input.passport_issued_on.trim().is_empty() {
        Some(None)
    } else {
        let r = v::date(&input.passport_issued_on).and_then(|d| {
            if d > on {
                Err("err.date_future")
            } else if birth_date.is_some_and(|b| d < b) {
                Err("err.issued_before_birth")
            } else {
                Ok(Some(d))
            }
        });
        take(&mut e, "passport_issued_on", r)
    };
    let reg_address = take(
        &mut e,
        "reg_address",
        v::text(&input.reg_address, true, 300),
    );
    let fact_address = take(
        &mut e,
        "fact_address",
        v::text(&input.fact_address, false, 300),
    );
    let phone = take(&mut e, "phone", v::phone(&input.phone));
    let email = take(&mut e, "email", v::email(&input.email));
    let income = take(&mut e, "income", v::money(&input.income, true));
    let expenses = take(&mut e, "expenses", v::money(&input.expenses, false));
    let payments = take(&mut e, "payments", v::money(&input.payments, false));
    let deductions = take(&mut e, "deductions", v::money(&input.deductions, false));

    let product_code = input.product.trim();
    let product = if product_code.is_empty() {
        e.push(FieldError::new("product", "err.required"));
        None
    } else {
        match products.iter().find(|p| p.code == product_code) {
            Some(p) if p.kind == ProductKind::Loan => Some(p),
            Some(_) => {
                e.push(FieldError::new("product", "err.product_not_loan"));
                None
            }
            None => {
                e.push(FieldError::with(
                    "product",
                    "err.product_unknown",
                    product_code,
                ));
                None
            }
        }
    };
    let amount =
        take(&mut e, "amount", v::money(&input.amount, true)).and_then(|a| match product {
            Some(p) if a < p.min_amount || a > p.max_amount => {
                e.push(FieldError::with(
                    "amount",
                    "err.amount_limits",
                    format!("{} – {}", p.min_amount, p.max_amount),
                ));
                None
            }
            _ if a == Money::ZERO => {
                e.push(FieldError::new("amount", "err.amount_zero"));
                None
            }
            _ => Some(a),
        });
    let term =
        take(&mut e, "term_months", v::whole_number(&input.term_months)).and_then(
            |t| match product {
                Some(p) if t < p.min_term_months || t > p.max_term_months => {
                    e.push(FieldError::with(
                        "term_months",
                        "err.term_limits",
                        format!("{} – {}", p.min_term_months, p.max_term_months),
                    ));
                    None
                }
                _ if t == 0 => {
                    e.push(FieldError::new("term_months", "err.whole_number"));
                    None
                }
                _ => Some(t),
            },
        );
    let purpose = take(&mut e, "purpose", v::text(&input.purpose, false, 300));
    let guarantor = take(&mut e, "guarantor", v::text(&input.guarantor, false, 300));
    let collateral = take(&mut e, "collateral", v::text(&input.collateral, false, 300));

    if !e.is_empty() {
        return Err(e);
    }
    // Every `take` succeeded: the unwraps below cannot fail.
    let (Some(last_name), Some(first_name), Some(patronymic), Some(birth_date), Some(passport)) =
        (last_name, first_name, patronymic, birth_date, passport)
    else {
        unreachable!("no errors recorded")
    };
    let borrower = Borrower {
        last_name,
        first_name,
        patronymic,
        birth_date,
        passport,
        passport_issued_by: issued_by.unwrap_or_default(),
        passport_issued_on: issued_on.flatten(),
        reg_address: reg_address.unwrap_or_default(),
        fact_address: fact_address.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        email: email.unwrap_or_default(),
        income: income.unwrap_or_default(),
        expenses: expenses.unwrap_or_default(),
        payments: payments.unwrap_or_default(),
        deductions: deductions.unwrap_or_default(),
    };
    let loan = LoanTerms {
        product: product_code.to_string(),
        amount: amount.unwrap_or_default(),
        term_months: term.unwrap_or_default(),
        purpose: purpose.unwrap_or_default(),
        guarantor: guarantor.unwrap_or_default(),
        collateral: collateral.unwrap_or_default(),
    };
    Ok(ApplicationData { borrower, loan })
}

/// What `new → checked` needs beyond valid fields: the data a manager completes at the desk.
pub fn missing_for_check(b: &Borrower) -> Vec<FieldError> {
    let mut e = Vec::new();
    if b.passport_issued_by.is_empty() {
        e.push(FieldError::new(
            "passport_issued_by",
            "err.required_for_check",
        ));
    }
    if b.passport_issued_on.is_none() {
        e.push(FieldError::new(
            "passport_issued_on",
            "err.required_for_check",
        ));
    }
    if b.fact_address.is_empty() {
        e.push(FieldError::new("fact_address", "err.required_for_check"));
    }
    e
}

impl From<&ApplicationData> for ApplicationInput {
    fn from(d: &ApplicationData) -> Self {
        let b = &d.borrower;
        let l = &d.loan;
        let money = |m: Money| {
            if m == Money::ZERO {
                String::new()
            } else {
                m.plain()
            }
        };
        ApplicationInput {
            last_name: b.last_name.clone(),
            first_name: b.first_name.clone(),
            patronymic: b.patronymic.clone(),
            birth_date: b.birth_date.format("%d.%m.%Y").to_string(),
            passport: v::passport_display(&b.passport),
            passport_issued_by: b.passport_issued_by.clone(),
            passport_issued_on: b
                .passport_issued_on
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default(),
            reg_address: b.reg_address.clone(),
            fact_address: b.fact_address.clone(),
            phone: v::phone_display(&b.phone),
            email: b.email.clone(),
            income: b.income.plain(),
            expenses: money(b.expenses),
            payments: money(b.payments),
            deductions: money(b.deductions),
            product: l.product.clone(),
            amount: l.amount.plain(),
            term_months: l.term_months.to_string(),
            purpose: l.purpose.clone(),
            guarantor: l.guarantor.clone(),
            collateral: l.collateral.clone(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rust_decimal::Decimal;

    pub fn products() -> Vec<Product> {
        vec![
            Product {
                code: "consumer".into(),
                name_ru: "Потребительский".into(),
                name_en: "Consumer".into(),
                short_ru: "Потр".into(),
                short_en: "Cons".into(),
                kind: ProductKind::Loan,
                min_amount: Money::from_rubles(10_000),
                max_amount: Money::from_rubles(500_000),
                min_term_months: 3,
                max_term_months: 36,
                rate: Decimal::new(24, 0),
                ukp: Decimal::ONE,
                schedule: Default::default(),
            },
            Product {
                code: "savings".into(),
                name_ru: "Сбережения".into(),
                name_en: "Savings".into(),
                short_ru: "Сбер".into(),
                short_en: "Sav".into(),
                kind: ProductKind::Savings,
                min_amount: Money::ZERO,
                max_amount: Money::from_rubles(1_000_000),
                min_term_months: 1,
                max_term_months: 60,
                rate: Decimal::new(12, 0),
                ukp: Decimal::ONE,
                schedule: Default::default(),
            },
        ]
    }

    pub fn good() -> ApplicationInput {
        ApplicationInput {
            last_name: "Иванов".into(),
            first_name: "Пётр".into(),
            patronymic: "Сергеевич".into(),
            birth_date: "14.03.1985".into(),
            passport: "4509 123456".into(),
            reg_address: "г. Томск, ул. Ленина, 1".into(),
            phone: "8 (924) 811-16-71".into(),
            income: "65 000".into(),
            product: "consumer".into(),
            amount: "150000".into(),
            term_months: "24".into(),
            ..Default::default()
        }
    }

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_good_application_validates_to_normal_forms() {
        let d = validate(&good(), &products(), on()).unwrap();
        assert_eq!(d.borrower.passport, "4509123456");
        assert_eq!(d.borrower.phone, "+79248111671");
        assert_eq!(d.loan.amount, Money::from_rubles(150_000));
        assert_eq!(d.borrower.full_name(), "Иванов Пётр Сергеевич");
        assert_eq!(missing_for_check(&d.borrower).len(), 3);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = good();
        i.last_name = "Ив4нов".into();
        i.passport = "123".into();
        i.amount = "-5".into();
        i.term_months = "100".into();
        i.phone = "abc".into();
        let errs = validate(&i, &products(), on()).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["last_name", "passport", "phone", "amount", "term_months"]
        );
        assert_eq!(errs[3].reason, "err.money_negative");
        assert_eq!(errs[4].reason, "err.term_limits");
    }

    #[test]
    fn product_rules_apply() {
        let mut i = good();
        i.product = "yacht".into();
        let errs = validate(&i, &products(), on()).unwrap_err();
        assert_eq!(
            errs[0],
            FieldError::with("product", "err.product_unknown", "yacht")
        );
        i.product = "savings".into();
        assert_eq!(
            validate(&i, &products(), on()).unwrap_err()[0].reason,
            "err.product_not_loan"
        );
        i.product = "consumer".into();
        i.amount = "600000".into();
        assert_eq!(
            validate(&i, &products(), on()).unwrap_err()[0].reason,
            "err.amount_limits"
        );
        i.amount = "1000.001".into();
        assert_eq!(
            validate(&i, &products(), on()).unwrap_err()[0].reason,
            "err.money_precision"
        );
    }

    #[test]
    fn round_trips_through_the_form() {
        let d = validate(&good(), &products(), on()).unwrap();
        let again = validate(&ApplicationInput::from(&d), &products(), on()).unwrap();
        assert_eq!(d, again);
    }

    #[test]
    fn input_get_and_set_cover_every_field() {
        let mut i = ApplicationInput::default();
        for f in BORROWER_FIELDS.iter().chain(LOAN_FIELDS.iter()) {
            i.set(f, format!("x{f}"));
            assert_eq!(i.get(f), format!("x{f}"));
        }
    }
}
