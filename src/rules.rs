//! The rules files under `assets/rules/`: shipped inside the binary, and read instead from
//! `assets_dir` when the cooperative keeps its own edited copies. Validated on load.

use crate::domain::Status;
use crate::domain::calculator::ScheduleKind;
use crate::domain::calendar::Calendar;
use crate::domain::money::Money;
use crate::domain::product::{Fees, Product, ProductKind};
use crate::tomlfile::{self, FileError};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

pub mod rating;

pub const PRODUCTS_TOML: &str = include_str!("../assets/rules/products.toml");
pub const QUEUE_TOML: &str = include_str!("../assets/rules/queue.toml");
pub const CALENDAR_TOML: &str = include_str!("../assets/rules/calendar.toml");

/// One call-centre verification item (DOMAIN §2, checks tab).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckItem {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
}

impl CheckItem {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name_ru
        }
    }
}

#[derive(Clone, Debug)]
pub struct Rules {
    pub products: Vec<Product>,
    pub fees: Fees,
    /// Working days an application may stay in a status before it is late.
    pub time_limits: BTreeMap<Status, Decimal>,
    pub checks: Vec<CheckItem>,
    pub bureau_outcomes: Vec<String>,
    pub calendar: Calendar,
    /// The active scorecard (`[scoring] card` in the config); `None`: applications are not
    /// scored and `new → checked` does not ask for a score.
    pub scorecard: Option<crate::scorecards::LoadedCard>,
    /// Client-base norms (`client_base.toml`, DOMAIN §6).
    pub client_base: crate::domain::client_base::ClientBaseRules,
    /// The daily sales rating's bands and bonus bases (`rating.toml`; it also sets each
    /// product's `ukp`).
    pub rating: crate::domain::rating::RatingRules,
}

impl Rules {
    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code == code)
    }

    pub fn loan_products(&self) -> impl Iterator<Item = &Product> {
        self.products.iter().filter(|p| p.kind == ProductKind::Loan)
    }

    /// The shipped rules, as built into the binary.
    pub fn builtin() -> Rules {
        Rules::load(None).expect("shipped rules are valid (tested)")
    }

    /// Load every rules file, from `dir` where it has the file, else the shipped copy.
    pub fn load(dir: Option<&Path>) -> Result<Rules, FileError> {
        let read = |name: &str, builtin: &'static str| -> Result<(String, String), FileError> {
            if let Some(d) = dir {
                let p = d.join("rules").join(name);
                if p.exists() {
                    let src = std::fs::read_to_string(&p).map_err(|e| FileError {
                        file: p.display().to_string(),
                        line: 1,
                        key: String::new(),
                        message: e.to_string(),
                    })?;
                    return Ok((p.display().to_string(), src));
                }
            }
            Ok((format!("assets/rules/{name}"), builtin.to_string()))
        };
        let (pf, ps) = read("products.toml", PRODUCTS_TOML)?;
        let (mut products, fees) = parse_products(&pf, &ps)?;
        let (qf, qs) = read("queue.toml", QUEUE_TOML)?;
        let (time_limits, checks, bureau_outcomes) = parse_queue(&qf, &qs)?;
        let (cf, cs) = read("calendar.toml", CALENDAR_TOML)?;
        let calendar = parse_calendar(&cf, &cs)?;
        let (bf, bs) = read(
            "client_base.toml",
            crate::client_base_rules::CLIENT_BASE_TOML,
        )?;
        let client_base = crate::client_base_rules::parse(&bf, &bs)?;
        let (rf, rs) = read("rating.toml", rating::RATING_TOML)?;
        let rating = rating::parse(&rf, &rs, &mut products)?;
        Ok(Rules {
            products,
            fees,
            time_limits,
            checks,
            bureau_outcomes,
            calendar,
            scorecard: None,
            client_base,
            rating,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductsFile {
    product: Vec<Spanned<ProductRow>>,
    fees: FeesRow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductRow {
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
    short: String,
    #[serde(default)]
    short_en: String,
    kind: ProductKind,
    min_amount: Spanned<String>,
    max_amount: Spanned<String>,
    min_term_months: u32,
    max_term_months: u32,
    rate: Spanned<String>,
    /// Moved to rating.toml `[ukp]`: refused here with a pointer there.
    #[serde(default)]
    ukp: Option<Spanned<String>>,
    #[serde(default)]
    schedule: ScheduleKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeesRow {
    entrance_fee: Spanned<String>,
    mandatory_share: Spanned<String>,
}

fn money_at(file: &str, src: &str, key: &str, v: &Spanned<String>) -> Result<Money, FileError> {
    Money::parse(v.get_ref()).map_err(|e| {
        tomlfile::error_at(
            file,
            src,
            Some(v.span()),
            key,
            format!("not an amount: {e}"),
        )
    })
}

pub(crate) fn decimal_at(
    file: &str,
    src: &str,
    key: &str,
    v: &Spanned<String>,
) -> Result<Decimal, FileError> {
    match Decimal::from_str(v.get_ref().trim()) {
        Ok(d) if !d.is_sign_negative() => Ok(d),
        _ => Err(tomlfile::error_at(
            file,
            src,
            Some(v.span()),
            key,
            "must be a non-negative decimal in quotes, e.g. \"1.5\"",
        )),
    }
}

fn parse_products(file: &str, src: &str) -> Result<(Vec<Product>, Fees), FileError> {
    let raw: ProductsFile = tomlfile::parse(file, src)?;
    let mut products = Vec::new();
    let mut seen = BTreeSet::new();
    for sp in &raw.product {
        let r = sp.get_ref();
        let at = |key: &str, msg: &str| tomlfile::error_at(file, src, Some(sp.span()), key, msg);
        if r.code.is_empty()
            || !r
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        {
            return Err(at("code", "must be lower-case latin letters, digits or _"));
        }
        if !seen.insert(r.code.clone()) {
            return Err(at("code", "duplicate product code"));
        }
        if let Some(u) = &r.ukp {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(u.span()),
                "ukp",
                "УКП per product are set in rating.toml, [ukp]",
            ));
        }
        let min_amount = money_at(file, src, "min_amount", &r.min_amount)?;
        let max_amount = money_at(file, src, "max_amount", &r.max_amount)?;
        if min_amount > max_amount {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(r.max_amount.span()),
                "max_amount",
                "is below min_amount",
            ));
        }
        if r.min_term_months > r.max_term_months || r.min_term_months == 0 {
            return Err(at(
                "min_term_months",
                "terms must satisfy 1 <= min_term_months <= max_term_months",
            ));
        }
        products.push(Product {
            code: r.code.clone(),
            name_ru: r.name.clone(),
            name_en: r.name_en.clone(),
            short_ru: r.short.clone(),
            short_en: r.short_en.clone(),
            kind: r.kind,
            min_amount,
            max_amount,
            min_term_months: r.min_term_months,
            max_term_months: r.max_term_months,
            rate: decimal_at(file, src, "rate", &r.rate)?,
            // Set from rating.toml once it is read.
            ukp: Decimal::ZERO,
            schedule: r.schedule,
        });
    }
    if !products.iter().any(|p| p.kind == ProductKind::Loan) {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            "product",
            "at least one product of kind \"loan\" is needed",
        ));
    }
    let fees = Fees {
        entrance_fee: money_at(file, src, "fees.entrance_fee", &raw.fees.entrance_fee)?,
        mandatory_share: money_at(file, src, "fees.mandatory_share", &raw.fees.mandatory_share)?,
    };
    Ok((products, fees))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueFile {
    time_limits: BTreeMap<String, Spanned<String>>,
    check: Vec<CheckRow>,
    bureau_outcomes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRow {
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
}

type QueueRules = (BTreeMap<Status, Decimal>, Vec<CheckItem>, Vec<String>);

fn parse_queue(file: &str, src: &str) -> Result<QueueRules, FileError> {
    let raw: QueueFile = tomlfile::parse(file, src)?;
    let limits = parse_time_limits(file, src, &raw.time_limits)?;
    let checks = raw
        .check
        .into_iter()
        .map(|c| CheckItem {
            code: c.code,
            name_ru: c.name,
            name_en: c.name_en,
        })
        .collect::<Vec<_>>();
    if checks.is_empty() {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            "check",
            "at least one call-centre check is needed",
        ));
    }
    Ok((limits, checks, raw.bureau_outcomes))
}

/// `status = "days"` for the five open statuses; shared with the config override.
pub fn parse_time_limits(
    file: &str,
    src: &str,
    raw: &BTreeMap<String, Spanned<String>>,
) -> Result<BTreeMap<Status, Decimal>, FileError> {
    let mut limits = BTreeMap::new();
    for (k, v) in raw {
        let key = format!("time_limits.{k}");
        let status = Status::from_str(k)
            .ok()
            .filter(|s| !s.is_final())
            .ok_or_else(|| {
                tomlfile::error_at(
                    file,
                    src,
                    Some(v.span()),
                    &key,
                    "not an open status (new, checked, candidate, member, authorized)",
                )
            })?;
        let days = decimal_at(file, src, &key, v)?;
        limits.insert(status, days);
    }
    Ok(limits)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    holidays: Vec<Spanned<String>>,
    #[serde(default)]
    working_weekends: Vec<Spanned<String>>,
}

fn parse_calendar(file: &str, src: &str) -> Result<Calendar, FileError> {
    let raw: CalendarFile = tomlfile::parse(file, src)?;
    let dates = |key: &str, v: &[Spanned<String>]| -> Result<BTreeSet<_>, FileError> {
        v.iter()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d").map_err(|_| {
                    tomlfile::error_at(
                        file,
                        src,
                        Some(d.span()),
                        key,
                        "dates are written YYYY-MM-DD",
                    )
                })
            })
            .collect()
    };
    Ok(Calendar {
        holidays: dates("holidays", &raw.holidays)?,
        working_weekends: dates("working_weekends", &raw.working_weekends)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_load() {
        let r = Rules::builtin();
        for code in ["housing", "consumer", "business", "savings", "service"] {
            assert!(r.product(code).is_some(), "{code}");
        }
        assert_eq!(r.product("housing").unwrap().ukp, Decimal::new(2, 0));
        assert_eq!(r.product("business").unwrap().ukp, Decimal::new(15, 1));
        assert!(
            r.products
                .iter()
                .all(|p| p.schedule == ScheduleKind::Annuity)
        );
        assert_eq!(r.time_limits.len(), 5);
        assert!(!r.checks.is_empty());
    }

    #[test]
    fn a_bad_product_names_file_line_and_key() {
        let src = PRODUCTS_TOML.replacen("max_amount = \"", "max_amount = \"-", 1);
        let e = parse_products("p.toml", &src).unwrap_err();
        assert_eq!(e.key, "max_amount");
        let line = src
            .lines()
            .position(|l| l.contains("max_amount = \"-"))
            .unwrap()
            + 1;
        assert_eq!(e.line, line);
    }

    #[test]
    fn schedule_defaults_to_annuity_and_is_checked() {
        let src = PRODUCTS_TOML.replace("schedule = \"annuity\"\n", "");
        assert!(!src.contains("schedule ="));
        let (products, _) = parse_products("p.toml", &src).unwrap();
        assert!(products.iter().all(|p| p.schedule == ScheduleKind::Annuity));
        let src =
            PRODUCTS_TOML.replacen("schedule = \"annuity\"", "schedule = \"differentiated\"", 1);
        let (products, _) = parse_products("p.toml", &src).unwrap();
        assert_eq!(products[0].schedule, ScheduleKind::Differentiated);
        let src = PRODUCTS_TOML.replacen("schedule = \"annuity\"", "schedule = \"balloon\"", 1);
        let e = parse_products("p.toml", &src).unwrap_err();
        let line = src.lines().position(|l| l.contains("balloon")).unwrap() + 1;
        assert_eq!(e.line, line);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let src = format!("{PRODUCTS_TOML}\n[extra]\nx = 1\n");
        let e = parse_products("p.toml", &src).unwrap_err();
        assert_eq!(e.key, "extra");
    }

    #[test]
    fn a_bad_time_limit_is_named() {
        let src = QUEUE_TOML.replacen("new = \"", "archived = \"", 1);
        let e = parse_queue("q.toml", &src).unwrap_err();
        assert_eq!(e.key, "time_limits.archived");
    }
}
