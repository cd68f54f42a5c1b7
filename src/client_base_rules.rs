//! `assets/rules/client_base.toml`: the client-base norms of DOMAIN §6, read and validated so
//! that a mistake in the file is reported with its line and key, never half-applied.

use crate::domain::client_base::{
    BlackList, ClientBaseRules, ClientGroup, HeadNorms, NonCore, NonCorePhase, NoviceNorm, Outside,
    Potential, RampStep, SizeRange, Specialization, Territory,
};
use crate::domain::money::Money;
use crate::tomlfile::{self, FileError};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::str::FromStr;
use toml::Spanned;

pub const CLIENT_BASE_TOML: &str = include_str!("../assets/rules/client_base.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    paying_threshold: Spanned<String>,
    tenure: TenureRow,
    unassign: UnassignRow,
    reassign: ReassignRow,
    meetings: MeetingsRow,
    heads: HeadsRow,
    client_group: Vec<Spanned<GroupRow>>,
    specialization: Vec<Spanned<SpecRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenureRow {
    novice_months: Spanned<u32>,
    experienced_months: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnassignRow {
    idle_months: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReassignRow {
    respecialised_months: u32,
    departed_months: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingsRow {
    base_share: Spanned<String>,
    novice_min: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadsRow {
    office_head_meetings: u32,
    department_head_meetings: u32,
    group_lead_own_base_share: Spanned<String>,
    group_lead_team_meetings: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupRow {
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeRow {
    min: Option<u32>,
    max: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RampRow {
    after_months: u32,
    min: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoviceRow {
    max: Option<u32>,
    #[serde(default)]
    ramp: Vec<RampRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlackListRow {
    kind: String,
    months: Option<u32>,
    amount: Option<String>,
    #[serde(rename = "S")]
    s: Option<String>,
    #[serde(rename = "A")]
    a: Option<String>,
    #[serde(rename = "B")]
    b: Option<String>,
    #[serde(rename = "C")]
    c: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseRow {
    from: String,
    #[serde(default = "yes")]
    attach: bool,
    max: Option<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NonCoreRow {
    max: Option<u32>,
    phases: Option<Vec<PhaseRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TerritoryRow {
    kind: String,
    outside: Option<String>,
    #[serde(default)]
    outside_groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitedRow {
    group: String,
    max: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecRow {
    code: String,
    name: String,
    #[serde(default)]
    name_en: String,
    short: String,
    #[serde(default)]
    short_en: String,
    veteran: RangeRow,
    experienced: RangeRow,
    novice: NoviceRow,
    paying_share: String,
    cold_calls_novice: Option<u32>,
    black_list: BlackListRow,
    groups: Vec<String>,
    #[serde(default)]
    groups_allowed: Vec<String>,
    #[serde(default)]
    limited: Vec<LimitedRow>,
    #[serde(default)]
    groups_forbidden: Vec<String>,
    non_core: NonCoreRow,
    territory: TerritoryRow,
    potential: Vec<String>,
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
}

fn money(s: &str) -> Result<Money, String> {
    Money::parse(s).map_err(|e| format!("not an amount: {e}"))
}

fn percent(s: &str) -> Result<Decimal, String> {
    match Decimal::from_str(s.trim()) {
        Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Ok(d),
        _ => Err("must be a percent from \"0\" to \"100\" in quotes".into()),
    }
}

/// Parse and validate the client-base rules.
pub fn parse(file: &str, src: &str) -> Result<ClientBaseRules, FileError> {
    let raw: File = tomlfile::parse(file, src)?;
    let err = |span: Range<usize>, key: &str, msg: String| {
        tomlfile::error_at(file, src, Some(span), key, msg)
    };

    let paying_threshold = money(raw.paying_threshold.get_ref())
        .map_err(|m| err(raw.paying_threshold.span(), "paying_threshold", m))?;
    let (nm, em) = (&raw.tenure.novice_months, &raw.tenure.experienced_months);
    if *nm.get_ref() == 0 || nm.get_ref() >= em.get_ref() {
        return Err(err(
            em.span(),
            "tenure.experienced_months",
            "must be above tenure.novice_months, which must be above 0".into(),
        ));
    }
    if *raw.unassign.idle_months.get_ref() == 0 {
        return Err(err(
            raw.unassign.idle_months.span(),
            "unassign.idle_months",
            "must be at least 1".into(),
        ));
    }
    let meetings_base_share = percent(raw.meetings.base_share.get_ref())
        .map_err(|m| err(raw.meetings.base_share.span(), "meetings.base_share", m))?;
    let lead_share = percent(raw.heads.group_lead_own_base_share.get_ref()).map_err(|m| {
        err(
            raw.heads.group_lead_own_base_share.span(),
            "heads.group_lead_own_base_share",
            m,
        )
    })?;

    let mut groups = Vec::new();
    for g in &raw.client_group {
        let r = g.get_ref();
        if !is_code(&r.code) {
            return Err(err(
                g.span(),
                "client_group.code",
                "must be lower-case latin letters, digits or _".into(),
            ));
        }
        if groups.iter().any(|x: &ClientGroup| x.code == r.code) {
            return Err(err(
                g.span(),
                "client_group.code",
                format!("duplicate client group {}", r.code),
            ));
        }
        groups.push(ClientGroup {
            code: r.code.clone(),
            name_ru: r.name.clone(),
            name_en: r.name_en.clone(),
        });
    }
    let known: BTreeSet<&str> = groups.iter().map(|g| g.code.as_str()).collect();

    let mut specializations: Vec<Specialization> = Vec::new();
    for sp in &raw.specialization {
        let r = sp.get_ref();
        let at = |key: &str, msg: String| err(sp.span(), &format!("specialization.{key}"), msg);
        if !is_code(&r.code) {
            return Err(at(
                "code",
                "must be lower-case latin letters, digits or _".into(),
            ));
        }
        if specializations.iter().any(|s| s.code == r.code) {
            return Err(at("code", format!("duplicate specialisation {}", r.code)));
        }
        let check_groups = |key: &str, list: &[String]| -> Result<(), FileError> {
            match list.iter().find(|g| !known.contains(g.as_str())) {
                Some(g) => Err(at(
                    key,
                    format!(
                        "{}: unknown client group {g} (see [[client_group]])",
                        r.code
                    ),
                )),
                None => Ok(()),
            }
        };
        check_groups("groups", &r.groups)?;
        check_groups("groups_allowed", &r.groups_allowed)?;
        check_groups("groups_forbidden", &r.groups_forbidden)?;
        check_groups("territory.outside_groups", &r.territory.outside_groups)?;
        let limited_groups: Vec<String> = r.limited.iter().map(|l| l.group.clone()).collect();
        check_groups("limited", &limited_groups)?;
        if let Some(g) = r.groups_forbidden.iter().find(|g| {
            r.groups.contains(g) || r.groups_allowed.contains(g) || limited_groups.contains(g)
        }) {
            return Err(at(
                "groups_forbidden",
                format!("{}: {g} is both forbidden and allowed", r.code),
            ));
        }
        let range = |key: &str, row: &RangeRow| -> Result<SizeRange, FileError> {
            if let (Some(lo), Some(hi)) = (row.min, row.max)
                && lo > hi
            {
                return Err(at(key, format!("{}: min {lo} is above max {hi}", r.code)));
            }
            Ok(SizeRange {
                min: row.min,
                max: row.max,
            })
        };
        let veteran = range("veteran", &r.veteran)?;
        let experienced = range("experienced", &r.experienced)?;
        let mut last = 0;
        let mut ramp = Vec::new();
        for step in &r.novice.ramp {
            if step.after_months <= last && !ramp.is_empty() {
                return Err(at(
                    "novice.ramp",
                    format!("{}: steps must be in increasing after_months", r.code),
                ));
            }
            if r.novice.max.is_some_and(|m| step.min > m) {
                return Err(at(
                    "novice.ramp",
                    format!("{}: a minimum is above the novice max", r.code),
                ));
            }
            last = step.after_months;
            ramp.push(RampStep {
                after_months: step.after_months,
                min: step.min,
            });
        }
        let paying_share =
            percent(&r.paying_share).map_err(|m| at("paying_share", format!("{}: {m}", r.code)))?;
        let black_list = match r.black_list.kind.as_str() {
            "each_month_below" => {
                let (Some(months), Some(amount)) = (r.black_list.months, &r.black_list.amount)
                else {
                    return Err(at(
                        "black_list",
                        format!("{}: each_month_below needs months and amount", r.code),
                    ));
                };
                if months == 0 {
                    return Err(at(
                        "black_list.months",
                        format!("{}: must be at least 1", r.code),
                    ));
                }
                BlackList::EachMonthBelow {
                    months,
                    amount: money(amount)
                        .map_err(|m| at("black_list.amount", format!("{}: {m}", r.code)))?,
                }
            }
            "previous_month_by_potential" => {
                let mut limits = BTreeMap::new();
                let b = &r.black_list;
                for (p, v) in [
                    (Potential::S, &b.s),
                    (Potential::A, &b.a),
                    (Potential::B, &b.b),
                    (Potential::C, &b.c),
                ] {
                    if let Some(v) = v {
                        let m = money(v).map_err(|m| {
                            at(
                                &format!("black_list.{}", p.code()),
                                format!("{}: {m}", r.code),
                            )
                        })?;
                        limits.insert(p, m);
                    }
                }
                if limits.is_empty() {
                    return Err(at(
                        "black_list",
                        format!(
                            "{}: give the amount for at least one potential (S, A, B, C)",
                            r.code
                        ),
                    ));
                }
                BlackList::PreviousMonthByPotential(limits)
            }
            other => {
                return Err(at(
                    "black_list.kind",
                    format!(
                        "{}: unknown kind {other} (each_month_below, previous_month_by_potential)",
                        r.code
                    ),
                ));
            }
        };
        let non_core = match (&r.non_core.max, &r.non_core.phases) {
            (Some(m), None) => NonCore::Max(*m),
            (None, Some(phases)) => {
                let mut out: Vec<NonCorePhase> = Vec::new();
                for p in phases {
                    let from =
                        chrono::NaiveDate::parse_from_str(&p.from, "%Y-%m-%d").map_err(|_| {
                            at(
                                "non_core.phases.from",
                                format!("{}: dates are written YYYY-MM-DD", r.code),
                            )
                        })?;
                    if out.last().is_some_and(|l| l.from >= from) {
                        return Err(at(
                            "non_core.phases",
                            format!("{}: phases must be in date order", r.code),
                        ));
                    }
                    out.push(NonCorePhase {
                        from,
                        attach: p.attach,
                        max: p.max,
                    });
                }
                NonCore::Phases(out)
            }
            _ => {
                return Err(at(
                    "non_core",
                    format!("{}: give either max or phases", r.code),
                ));
            }
        };
        let territory = match (r.territory.kind.as_str(), r.territory.outside.as_deref()) {
            ("city", Some("judged")) => Territory::City(Outside::Judged),
            ("city", Some("groups")) if !r.territory.outside_groups.is_empty() => {
                Territory::City(Outside::Groups(r.territory.outside_groups.clone()))
            }
            ("assigned", None) => Territory::Assigned,
            ("any", None) => Territory::Any,
            _ => {
                return Err(at(
                    "territory",
                    format!(
                        "{}: kind = \"city\" with outside = \"judged\" or \"groups\" (and \
                         outside_groups), or kind = \"assigned\", or kind = \"any\"",
                        r.code
                    ),
                ));
            }
        };
        let mut potential = Vec::new();
        for p in &r.potential {
            potential.push(Potential::parse(p).ok_or_else(|| {
                at(
                    "potential",
                    format!("{}: unknown potential {p} (S, A, B, C)", r.code),
                )
            })?);
        }
        specializations.push(Specialization {
            code: r.code.clone(),
            name_ru: r.name.clone(),
            name_en: r.name_en.clone(),
            short_ru: r.short.clone(),
            short_en: r.short_en.clone(),
            veteran,
            experienced,
            novice: NoviceNorm {
                max: r.novice.max,
                ramp,
            },
            paying_share,
            cold_calls_novice: r.cold_calls_novice,
            black_list,
            groups: r.groups.clone(),
            groups_allowed: r.groups_allowed.clone(),
            limited: r.limited.iter().map(|l| (l.group.clone(), l.max)).collect(),
            groups_forbidden: r.groups_forbidden.clone(),
            non_core,
            territory,
            potential,
        });
    }
    if specializations.is_empty() {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            "specialization",
            "at least one specialisation is needed",
        ));
    }
    Ok(ClientBaseRules {
        paying_threshold,
        novice_months: *nm.get_ref(),
        experienced_months: *em.get_ref(),
        idle_months: *raw.unassign.idle_months.get_ref(),
        respecialised_months: raw.reassign.respecialised_months,
        departed_months: raw.reassign.departed_months,
        meetings_base_share,
        meetings_novice_min: raw.meetings.novice_min,
        heads: HeadNorms {
            office_head_meetings: raw.heads.office_head_meetings,
            department_head_meetings: raw.heads.department_head_meetings,
            group_lead_own_base_share: lead_share,
            group_lead_team_meetings: raw.heads.group_lead_team_meetings,
        },
        groups,
        specializations,
    })
}

/// The shipped rules.
pub fn builtin() -> ClientBaseRules {
    parse("assets/rules/client_base.toml", CLIENT_BASE_TOML).expect("shipped rules are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(from: &str, to: &str) -> String {
        assert!(CLIENT_BASE_TOML.contains(from), "{from}");
        CLIENT_BASE_TOML.replacen(from, to, 1)
    }

    fn error(src: &str) -> FileError {
        parse("client_base.toml", src).unwrap_err()
    }

    #[test]
    fn the_shipped_file_encodes_the_seed_table() {
        let r = builtin();
        assert_eq!(r.paying_threshold, Money::parse("15000").unwrap());
        let codes: Vec<&str> = r.specializations.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "universal",
                "territorial",
                "industrial",
                "panel_builders",
                "dealers",
                "chains"
            ]
        );
        let u = r.specialization("universal").unwrap();
        assert_eq!((u.veteran.min, u.veteran.max), (Some(20), Some(40)));
        assert_eq!(u.novice.ramp.len(), 2);
        assert_eq!(u.paying_share, Decimal::from(35));
        assert_eq!(u.non_core, NonCore::Max(0));
        let p = r.specialization("panel_builders").unwrap();
        assert_eq!((p.experienced.min, p.experienced.max), (Some(7), Some(20)));
        assert!(matches!(p.black_list, BlackList::PreviousMonthByPotential(ref m) if m.len() == 3));
        assert_eq!(p.cold_calls_novice, None);
        let c = r.specialization("chains").unwrap();
        assert_eq!(c.limited, vec![("dealers".to_string(), 5)]);
        assert_eq!(c.veteran.min, None);
        let t = r.specialization("territorial").unwrap();
        assert!(matches!(&t.non_core, NonCore::Phases(p) if p.len() == 3));
        assert_eq!(t.territory, Territory::Assigned);
    }

    #[test]
    fn mistakes_are_named_by_line_and_key() {
        let e = error(&replace(
            "veteran = { min = 20, max = 40 }",
            "veteran = { min = 50, max = 40 }",
        ));
        assert!(
            e.key.contains("veteran") && e.message.contains("above max"),
            "{e}"
        );
        assert!(e.line > 1);

        let e = error(&replace(
            "groups_allowed = [\"industrial\", \"panel_builders\"]",
            "groups_allowed = [\"industrial\", \"plumbers\"]",
        ));
        assert!(e.message.contains("unknown client group plumbers"), "{e}");

        let e = error(&replace("paying_share = \"35\"", "paying_share = \"135\""));
        assert!(e.key.contains("paying_share"), "{e}");

        let e = error(&replace(
            "{ from = \"2026-04-01\", max = 3 }",
            "{ from = \"2025-04-01\", max = 3 }",
        ));
        assert!(e.message.contains("date order"), "{e}");

        let e = error(&replace(
            "black_list = { kind = \"each_month_below\"",
            "black_list = { kind = \"sometimes\"",
        ));
        assert!(e.message.contains("unknown kind sometimes"), "{e}");

        let e = error(&replace(
            "potential = [\"S\", \"A\", \"B\"]",
            "potential = [\"S\", \"X\"]",
        ));
        assert!(e.message.contains("unknown potential X"), "{e}");

        let e = error(&replace("novice_months = 6", "novice_months = 12"));
        assert!(e.key.contains("tenure"), "{e}");

        let e = error(&replace(
            "paying_threshold = \"15000\"",
            "paying_threshold = \"lots\"",
        ));
        assert_eq!(e.key, "paying_threshold");
        assert_eq!(e.line, 14);

        let e = error(&replace("[meetings]", "[meetings]\nsurprise = 1"));
        assert!(e.message.contains("surprise"), "{e}");

        let e = error(&replace(
            "groups_forbidden = [\"installers\", \"infrastructure\", \"distributors\"]",
            "groups_forbidden = [\"installers\", \"industrial\"]",
        ));
        assert!(e.message.contains("both forbidden and allowed"), "{e}");
    }
}
