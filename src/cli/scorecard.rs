//! `coopdesk scorecard check FILE` and `coopdesk scorecard score --card FILE --answers FILE`:
//! for the credit committee to validate a new card version and try it on sample borrowers
//! before approving it. Neither touches the database.
//!
//! Exit codes as everywhere: 2 when the card is broken (the message names file:line: key),
//! 1 when the answers file is refused (every bad key is listed), 0 otherwise — also when
//! answers are missing: the result is then printed as preliminary.

use super::{Context, Failure};
use crate::domain::scorecard::{
    self, Card, Category, Condition, ScoreResult, StageKind, Test, answers_from_json,
};
use crate::i18n::Catalog;
use crate::scorecards::{self, LoadedCard};
use clap::{Subcommand, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ScoreFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum ScorecardCommand {
    /// Validate a card file; print its stages and maximum points.
    Check { file: PathBuf },
    /// Score one answers file (a JSON object keyed `stage.question`).
    Score {
        /// The card file (default: the active card of the config).
        #[arg(long, value_name = "FILE")]
        card: Option<PathBuf>,
        #[arg(long, value_name = "FILE.json")]
        answers: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: ScoreFormat,
    },
}

pub fn run(ctx: &Context, cmd: &ScorecardCommand) -> Result<(), Failure> {
    match cmd {
        ScorecardCommand::Check { file } => check(ctx, file),
        ScorecardCommand::Score {
            card,
            answers,
            format,
        } => score(ctx, card.as_deref(), answers, *format),
    }
}

fn load(path: &Path) -> Result<LoadedCard, Failure> {
    scorecards::load_path(path).map_err(|e| Failure::Setup(e.to_string()))
}

/// `12`, `12.5` — points as people write them.
fn pts(d: Decimal) -> String {
    d.normalize().to_string()
}

fn check(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let loaded = load(file)?;
    let c = &loaded.card;
    let mut out = Vec::new();
    out.push(cat.f(
        "scorecard.check_ok",
        &[
            ("file", &loaded.file),
            ("title", &c.title),
            ("id", &c.id),
            ("version", &c.version.to_string()),
        ],
    ));
    out.push(cat.f("scorecard.approval", &[("text", &c.approval)]));
    out.push(cat.f("scorecard.currency", &[("currency", &c.currency)]));
    if let Some(conv) = &c.conversion {
        out.push(cat.f(
            "scorecard.conversion",
            &[
                ("from", &conv.from),
                ("rate", &pts(conv.rate)),
                ("currency", &c.currency),
            ],
        ));
    }
    out.push(cat.f(
        "scorecard.fingerprint",
        &[("fingerprint", &loaded.fingerprint)],
    ));
    out.push(String::new());
    out.push(cat.t("scorecard.stages_header").to_string());
    let width = c.stages.iter().map(|s| s.code.len()).max().unwrap_or(0);
    for s in &c.stages {
        let what = match &s.kind {
            StageKind::Questions(qs) => {
                cat.f("scorecard.questions_n", &[("n", &qs.len().to_string())])
            }
            StageKind::Sufficiency(f) => cat.f(
                "scorecard.sufficiency_formula",
                &[("factor", &pts(f.factor))],
            ),
        };
        let cap = s
            .max_points
            .map(|m| format!("; {}", cat.f("scorecard.cap", &[("max", &pts(m))])))
            .unwrap_or_default();
        out.push(format!(
            "  {:<width$}  {:>5}  {} ({what}{cap})",
            s.code,
            pts(s.max_points()),
            s.title
        ));
    }
    out.push(cat.f("scorecard.max_total", &[("max", &pts(c.max_points()))]));
    out.push(cat.f(
        "scorecard.thresholds",
        &[
            ("above", &pts(c.thresholds.recommended_above)),
            ("below", &pts(c.thresholds.not_recommended_below)),
        ],
    ));
    if !c.criteria.is_empty() {
        out.push(String::new());
        out.push(cat.t("scorecard.criteria_header").to_string());
        for cr in &c.criteria {
            out.push(format!(
                "  {}: {} — {}",
                cr.code,
                cr.stages.join(" + "),
                cr.title
            ));
        }
    }
    if !c.forced.is_empty() {
        out.push(String::new());
        out.push(cat.t("scorecard.forced_header").to_string());
        for f in &c.forced {
            out.push(format!(
                "  {}",
                cat.f(
                    "scorecard.forced_line",
                    &[
                        ("code", &f.code),
                        ("condition", &condition_text(&f.when)),
                        ("n", &f.no_better_than.to_string()),
                        ("title", &f.title),
                    ],
                )
            ));
        }
    }
    println!("{}", out.join("\n"));
    Ok(())
}

/// A condition as the card writes it: `general.lives_in_city is false`.
fn condition_text(c: &Condition) -> String {
    let (subject, test) = match c {
        Condition::Answer { key, test } => (key, test),
        Condition::Criterion { code, test } => (code, test),
    };
    let t = match test {
        Test::Is(b) => format!("is {b}"),
        Test::IsOption(o) => format!("is {o}"),
        Test::Includes(o) => format!("includes {o}"),
        Test::Empty(e) => format!("empty {e}"),
        Test::Below(x) => format!("< {}", pts(*x)),
        Test::AtMost(x) => format!("<= {}", pts(*x)),
        Test::AtLeast(x) => format!(">= {}", pts(*x)),
        Test::Above(x) => format!("> {}", pts(*x)),
    };
    format!("{subject} {t}")
}

fn score(
    ctx: &Context,
    card: Option<&Path>,
    answers: &Path,
    format: ScoreFormat,
) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let loaded = match card {
        Some(p) => load(p)?,
        None => ctx
            .scorecard
            .clone()
            .ok_or_else(|| Failure::Setup(cat.t("scorecard.no_active_card").to_string()))?,
    };
    let file = answers.display().to_string();
    let unreadable = |detail: String| {
        Failure::Refused(cat.f(
            "scorecard.answers_unreadable",
            &[("file", &file), ("detail", &detail)],
        ))
    };
    let text = std::fs::read_to_string(answers).map_err(|e| unreadable(e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
    let parsed = answers_from_json(&loaded.card, &json).map_err(|problems| {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| {
                let reason = cat.f(p.reason, &[("detail", p.detail.as_deref().unwrap_or(""))]);
                if p.key.is_empty() {
                    cat.f(
                        "scorecard.answers_unreadable",
                        &[("file", &file), ("detail", &reason)],
                    )
                } else {
                    cat.f(
                        "scorecard.answers_bad",
                        &[("file", &file), ("key", &p.key), ("reason", &reason)],
                    )
                }
            })
            .collect();
        Failure::Refused(lines.join("\n"))
    })?;
    let result = scorecard::evaluate(&loaded.card, &parsed);
    match format {
        ScoreFormat::Json => {
            let out = JsonScore {
                file: &loaded.file,
                fingerprint: &loaded.fingerprint,
                max_points: loaded.card.max_points(),
                complete: result.is_complete(),
                result: &result,
            };
            let s =
                serde_json::to_string_pretty(&out).map_err(|e| Failure::Setup(e.to_string()))?;
            println!("{s}");
        }
        ScoreFormat::Text => println!("{}", score_text(cat, &loaded.card, &result)),
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonScore<'a> {
    file: &'a str,
    fingerprint: &'a str,
    max_points: Decimal,
    complete: bool,
    #[serde(flatten)]
    result: &'a ScoreResult,
}

fn category_text(cat: &Catalog, c: Category) -> String {
    cat.f(
        "scorecard.category_line",
        &[("n", &c.to_string()), ("verdict", cat.t(c.key()))],
    )
}

/// The result for people: total, category, points per stage, criteria, forced reasons,
/// what is missing.
pub fn score_text(cat: &Catalog, card: &Card, r: &ScoreResult) -> String {
    let mut out = Vec::new();
    out.push(cat.f(
        "scorecard.result_card",
        &[
            ("id", &r.card_id),
            ("version", &r.card_version.to_string()),
            ("title", &card.title),
        ],
    ));
    out.push(cat.f(
        "scorecard.total",
        &[("total", &pts(r.total)), ("max", &pts(card.max_points()))],
    ));
    out.push(category_text(cat, r.category));
    if r.category != r.category_by_points {
        out.push(cat.f(
            "scorecard.by_points",
            &[("category", &category_text(cat, r.category_by_points))],
        ));
    }
    if !r.is_complete() {
        out.push(cat.t("scorecard.incomplete").to_string());
    }
    out.push(String::new());
    out.push(cat.t("scorecard.stage_points_header").to_string());
    let width = r.stages.iter().map(|s| s.code.len()).max().unwrap_or(0);
    for (s, stage) in r.stages.iter().zip(&card.stages) {
        let capped = if s.raw_points != s.points {
            format!(
                " ({})",
                cat.f("scorecard.capped_from", &[("raw", &pts(s.raw_points))])
            )
        } else {
            String::new()
        };
        out.push(format!(
            "  {:<width$}  {:>5} / {:<5}  {}{capped}",
            s.code,
            pts(s.points),
            pts(s.max_points),
            stage.title
        ));
    }
    if !r.criteria.is_empty() {
        out.push(String::new());
        out.push(cat.t("scorecard.criteria_header").to_string());
        let width = r.criteria.iter().map(|c| c.code.len()).max().unwrap_or(0);
        for (c, crit) in r.criteria.iter().zip(&card.criteria) {
            out.push(format!(
                "  {:<width$}  {:>5}  {}",
                c.code,
                pts(c.points),
                crit.title
            ));
        }
    }
    out.push(String::new());
    if r.forced.is_empty() {
        out.push(cat.t("scorecard.forced_none").to_string());
    } else {
        out.push(cat.t("scorecard.forced_result_header").to_string());
        for f in &r.forced {
            let text = if cat.has(&f.key) {
                cat.t(&f.key).to_string()
            } else {
                f.title.clone()
            };
            out.push(format!(
                "  {}",
                cat.f(
                    "scorecard.forced_reason",
                    &[
                        ("code", &f.code),
                        ("text", &text),
                        ("n", &f.no_better_than.to_string())
                    ],
                )
            ));
        }
    }
    if !r.missing.is_empty() {
        out.push(cat.f(
            "scorecard.missing",
            &[
                ("n", &r.missing.len().to_string()),
                ("list", &r.missing.join(", ")),
            ],
        ));
    }
    for i in &r.invalid {
        let reason = cat.f(i.reason, &[("detail", i.detail.as_deref().unwrap_or(""))]);
        out.push(cat.f("scorecard.invalid", &[("key", &i.key), ("reason", &reason)]));
    }
    out.join("\n")
}
