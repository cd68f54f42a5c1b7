//! `coopdesk audit --application NUMBER | --member MEMBER_NO`: the trail of one application or
//! one member, oldest first — every change with who, when and before/after, every print and
//! every reveal of personal data — as a table or JSON.

use super::{Context, Failure};
use crate::store::audit_trail::{Subject, TrailEntry};
use clap::ValueEnum;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum AuditFormat {
    Table,
    Json,
}

pub fn run(
    ctx: &Context,
    application: Option<&str>,
    member: Option<&str>,
    format: AuditFormat,
) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let subject = match (application, member) {
        (Some(number), None) => Subject::Application(
            store
                .application_by_number(number.trim())
                .map_err(|_| {
                    Failure::Refused(cat.f("audit.unknown_application", &[("number", number)]))
                })?
                .id,
        ),
        (None, Some(no)) => Subject::Member(
            store
                .member_id_by_no(no.trim())
                .map_err(|e| Failure::from_store(e, cat))?
                .ok_or_else(|| {
                    Failure::Refused(cat.f("member.err_member_unknown", &[("detail", no)]))
                })?,
        ),
        _ => return Err(Failure::Setup(cat.t("audit.which").to_string())),
    };
    let trail = store
        .trail(subject)
        .map_err(|e| Failure::from_store(e, cat))?;
    match format {
        AuditFormat::Json => {
            let text =
                serde_json::to_string_pretty(&trail).map_err(|e| Failure::Setup(e.to_string()))?;
            println!("{text}");
        }
        AuditFormat::Table => print!("{}", table(ctx, &trail)),
    }
    Ok(())
}

fn table(ctx: &Context, trail: &[TrailEntry]) -> String {
    let cat = &ctx.catalog;
    if trail.is_empty() {
        return format!("{}\n", cat.t("audit.empty"));
    }
    let head = [
        cat.t("audit.col_at").to_string(),
        cat.t("audit.col_actor").to_string(),
        cat.t("audit.col_source").to_string(),
        cat.t("audit.col_action").to_string(),
        cat.t("audit.col_detail").to_string(),
    ];
    let rows: Vec<[String; 5]> = trail
        .iter()
        .map(|e| {
            [
                e.at.clone(),
                e.actor.clone(),
                cat.t(&format!("audit.source_{}", e.source)).to_string(),
                e.action.clone(),
                e.detail.clone(),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([head[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..4).map(width).collect();
    let line = |r: &[String; 5]| {
        let mut s = String::new();
        for (i, w) in widths.iter().enumerate() {
            let cell = &r[i];
            s.push_str(cell);
            s.push_str(&" ".repeat(w - cell.chars().count() + 2));
        }
        s.push_str(&r[4]);
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&head);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}
