//! `assets/rules/rating.toml`: УКП per product, the КП bands, the score bands and the base
//! bonus per position, validated with the file and line of whatever is wrong.

use super::decimal_at;
use crate::domain::Role;
use crate::domain::money::Money;
use crate::domain::product::Product;
use crate::domain::rating::{BonusBase, PlanBand, RatingRules, ScoreBand};
use crate::tomlfile::{self, FileError};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use toml::Spanned;

pub const RATING_TOML: &str = include_str!("../../assets/rules/rating.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingFile {
    ukp: BTreeMap<String, Spanned<String>>,
    plan_band: Vec<Spanned<PlanBandRow>>,
    score_band: Vec<Spanned<ScoreBandRow>>,
    bonus_base: Vec<Spanned<BonusRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBandRow {
    from: Spanned<String>,
    coefficient: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreBandRow {
    from: u8,
    to: u8,
    coefficient: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BonusRow {
    role: Spanned<String>,
    amount: Spanned<String>,
}

/// Bounds that keep every product of the rating far inside Decimal and i64: a file edited to
/// "79228162514264337593543950335" is refused here rather than overflowing (a panic) when a
/// loan is issued or a bonus computed.
const MAX_UKP: i64 = 1_000;
const MAX_PLAN_PCT: i64 = 10_000;
const MAX_COEFFICIENT: i64 = 10;

fn coefficient_at(
    file: &str,
    src: &str,
    key: &str,
    v: &Spanned<String>,
) -> Result<Decimal, FileError> {
    let d = decimal_at(file, src, key, v)?;
    if d > Decimal::from(MAX_COEFFICIENT) {
        return Err(tomlfile::error_at(
            file,
            src,
            Some(v.span()),
            key,
            format!("a coefficient from \"0\" to \"{MAX_COEFFICIENT}\""),
        ));
    }
    Ok(d)
}

/// Parse the file and set each product's `ukp` from it (`products` come from products.toml).
pub fn parse(file: &str, src: &str, products: &mut [Product]) -> Result<RatingRules, FileError> {
    let raw: RatingFile = tomlfile::parse(file, src)?;

    for (code, v) in &raw.ukp {
        let key = format!("ukp.{code}");
        let d = decimal_at(file, src, &key, v)?;
        if d > Decimal::from(MAX_UKP) {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(v.span()),
                &key,
                format!("at most \"{MAX_UKP}\" УКП for one item"),
            ));
        }
        if d.normalize().scale() > 2 {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(v.span()),
                &key,
                "УКП are counted in hundredths: at most two decimal places",
            ));
        }
        let Some(p) = products.iter_mut().find(|p| &p.code == code) else {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(v.span()),
                &key,
                "no such product in products.toml",
            ));
        };
        p.ukp = d;
    }
    if let Some(p) = products.iter().find(|p| !raw.ukp.contains_key(&p.code)) {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            &format!("ukp.{}", p.code),
            "every product of products.toml needs its УКП here",
        ));
    }

    let mut plan_bands: Vec<PlanBand> = Vec::new();
    for sp in &raw.plan_band {
        let r = sp.get_ref();
        let from_pct = decimal_at(file, src, "plan_band.from", &r.from)?;
        if from_pct > Decimal::from(MAX_PLAN_PCT) {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(r.from.span()),
                "plan_band.from",
                format!("a percentage of plan up to \"{MAX_PLAN_PCT}\""),
            ));
        }
        let coefficient = coefficient_at(file, src, "plan_band.coefficient", &r.coefficient)?;
        if plan_bands.last().is_some_and(|b| b.from_pct <= from_pct) {
            return Err(tomlfile::error_at(
                file,
                src,
                Some(r.from.span()),
                "plan_band.from",
                "bands are listed from the highest percentage down, each lower than the one before",
            ));
        }
        plan_bands.push(PlanBand {
            from_pct,
            coefficient,
        });
    }
    if !plan_bands.last().is_some_and(|b| b.from_pct.is_zero()) {
        return Err(tomlfile::error_at(
            file,
            src,
            raw.plan_band.last().map(|s| s.span()),
            "plan_band.from",
            "the last band must start at \"0\", so every percentage has a КП",
        ));
    }

    let mut score_bands = Vec::new();
    let mut covered = [0u8; 11];
    for sp in &raw.score_band {
        let r = sp.get_ref();
        let at = |msg: &str| tomlfile::error_at(file, src, Some(sp.span()), "score_band", msg);
        if r.from < 1 || r.to > 10 || r.from > r.to {
            return Err(at("scores go from 1 to 10, with from <= to"));
        }
        for s in r.from..=r.to {
            covered[s as usize] += 1;
            if covered[s as usize] > 1 {
                return Err(at(&format!("score {s} is in two bands")));
            }
        }
        score_bands.push(ScoreBand {
            from: r.from,
            to: r.to,
            coefficient: coefficient_at(file, src, "score_band.coefficient", &r.coefficient)?,
        });
    }
    if let Some(s) = (1..=10).find(|&s| covered[s] == 0) {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            "score_band",
            format!("score {s} is in no band"),
        ));
    }

    let mut bonus_base = Vec::new();
    for sp in &raw.bonus_base {
        let r = sp.get_ref();
        let role = Role::from_str(r.role.get_ref()).map_err(|_| {
            tomlfile::error_at(
                file,
                src,
                Some(r.role.span()),
                "bonus_base.role",
                "not a role (manager, inspector, cashier, head, admin)",
            )
        })?;
        let amount = Money::parse(r.amount.get_ref()).map_err(|e| {
            tomlfile::error_at(
                file,
                src,
                Some(r.amount.span()),
                "bonus_base.amount",
                format!("not an amount: {e}"),
            )
        })?;
        bonus_base.push(BonusBase { role, amount });
    }
    Ok(RatingRules {
        plan_bands,
        score_bands,
        bonus_base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{PRODUCTS_TOML, Rules};
    use rust_decimal::Decimal;

    fn products() -> Vec<Product> {
        Rules::builtin().products
    }

    fn err(src: &str) -> FileError {
        parse("r.toml", src, &mut products()).unwrap_err()
    }

    fn line_of(src: &str, needle: &str) -> usize {
        src.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn shipped_file_gives_the_seed_coefficients() {
        let mut p = products();
        for x in p.iter_mut() {
            x.ukp = Decimal::ZERO;
        }
        let r = parse("r.toml", RATING_TOML, &mut p).unwrap();
        let ukp = |c: &str| p.iter().find(|x| x.code == c).unwrap().ukp.to_string();
        assert_eq!(ukp("housing"), "2");
        assert_eq!(ukp("consumer"), "1");
        assert_eq!(ukp("business"), "1.5");
        assert_eq!(ukp("savings"), "1");
        assert_eq!(ukp("service"), "0.5");
        assert_eq!(r.plan_bands.len(), 5);
        assert_eq!(r.score_bands.len(), 5);
        assert_eq!(
            r.base_for(&[Role::Manager]),
            Some(Money::from_rubles(20000))
        );
        assert_eq!(
            r.base_for(&[Role::Manager, Role::Head]),
            Some(Money::from_rubles(30000))
        );
        assert_eq!(r.base_for(&[Role::Cashier]), None);
    }

    #[test]
    fn ukp_lives_only_in_the_rating_file() {
        assert!(
            !PRODUCTS_TOML.contains("\nukp"),
            "products.toml must not carry a second copy of the УКП"
        );
    }

    #[test]
    fn an_unknown_product_is_named_with_its_line() {
        let src = RATING_TOML.replace("service = \"0.5\"", "servise = \"0.5\"");
        let e = err(&src);
        assert_eq!(e.key, "ukp.servise");
        assert_eq!(e.line, line_of(&src, "servise"));
    }

    #[test]
    fn a_product_without_ukp_is_named() {
        let src = RATING_TOML.replace("service = \"0.5\"\n", "");
        assert_eq!(err(&src).key, "ukp.service");
    }

    #[test]
    fn bad_numbers_are_named() {
        let src = RATING_TOML.replace("business = \"1.5\"", "business = \"1.555\"");
        assert_eq!(err(&src).key, "ukp.business");
        let src = RATING_TOML.replace("coefficient = \"0.95\"", "coefficient = \"-1\"");
        let e = err(&src);
        assert_eq!(e.key, "plan_band.coefficient");
        assert_eq!(e.line, line_of(&src, "\"-1\""));
        let src = RATING_TOML.replace("amount = \"20000\"", "amount = \"20 000 р\"");
        assert_eq!(err(&src).key, "bonus_base.amount");
        let src = RATING_TOML.replace("role = \"head\"", "role = \"boss\"");
        let e = err(&src);
        assert_eq!(e.key, "bonus_base.role");
        assert_eq!(e.line, line_of(&src, "boss"));
    }

    #[test]
    fn plan_bands_go_down_and_end_at_zero() {
        let src = RATING_TOML.replace("from = \"70\"", "from = \"95\"");
        let e = err(&src);
        assert_eq!(e.key, "plan_band.from");
        assert_eq!(e.line, line_of(&src, "from = \"95\""));
        let src = RATING_TOML.replace("from = \"0\"", "from = \"10\"");
        assert_eq!(err(&src).key, "plan_band.from");
    }

    #[test]
    fn score_bands_cover_one_to_ten_once() {
        let src = RATING_TOML.replace("from = 1\nto = 2", "from = 2\nto = 2");
        assert!(err(&src).message.contains("score 1"));
        let src = RATING_TOML.replace("from = 3\nto = 4", "from = 3\nto = 5");
        let e = err(&src);
        assert!(e.message.contains("score 5"));
        assert_eq!(e.line, line_of(&src, "to = 5") - 2);
        let src = RATING_TOML.replace("from = 9\nto = 10", "from = 9\nto = 11");
        assert_eq!(err(&src).key, "score_band");
    }

    #[test]
    fn an_old_products_file_with_ukp_points_to_this_file() {
        let src = PRODUCTS_TOML.replacen("rate = \"24\"", "rate = \"24\"\nukp = \"1\"", 1);
        let e = crate::rules::parse_products("p.toml", &src).unwrap_err();
        assert_eq!(e.key, "ukp");
        assert!(e.message.contains("rating.toml"));
        assert_eq!(e.line, line_of(&src, "ukp = \"1\""));
    }

    #[test]
    fn unknown_keys_are_named() {
        let src = format!("{RATING_TOML}\n[calendar]\nx = 1\n");
        assert_eq!(err(&src).key, "calendar");
    }
}
