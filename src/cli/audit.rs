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

/// `coopdesk bench --only audit`: the audit overlay's first and last page of the longest
/// trail of a member and of an application, read as a head (the screen reads a window of
/// three screens, 36 lines at 80x24).
pub fn bench(b: &mut super::bench::Bench) -> Result<(), Failure> {
    let store = b.store;
    let cat = &b.ctx.catalog;
    let conn = store.conn();
    let head: Option<String> = conn
        .query_row(
            "SELECT s.login FROM staff s JOIN staff_roles r ON r.staff_id = s.id
             WHERE r.role = 'head' AND s.active = 1 ORDER BY s.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    let Some(head) = head else {
        return Ok(());
    };
    let head = store
        .actor_by_login(&head)
        .map_err(|e| Failure::from_store(e, cat))?;
    let full = b.ctx.config.privacy.roles();
    let busiest = |sql: &str| -> Option<i64> { conn.query_row(sql, [], |r| r.get(0)).ok() };
    let subjects = [
        (
            "member",
            busiest(
                "SELECT member_id FROM (
                     SELECT member_id FROM contacts WHERE member_id IS NOT NULL UNION ALL
                     SELECT member_id FROM cash_orders WHERE member_id IS NOT NULL UNION ALL
                     SELECT member_id FROM assignment_history UNION ALL
                     SELECT member_id FROM audit WHERE member_id IS NOT NULL)
                 GROUP BY member_id ORDER BY count(*) DESC LIMIT 1",
            )
            .map(Subject::Member),
        ),
        (
            "application",
            busiest(
                "SELECT application_id FROM application_events
                 GROUP BY application_id ORDER BY count(*) DESC LIMIT 1",
            )
            .map(Subject::Application),
        ),
    ];
    const WINDOW: usize = 36;
    for (name, subject) in subjects {
        let Some(subject) = subject else { continue };
        b.time(&format!("audit.{name}.first_page"), Some(20.0), |_| {
            store.trail_page(&head, subject, &full, 0, WINDOW)
        })?;
        let total = store
            .trail_page(&head, subject, &full, 0, 1)
            .map_err(|e| Failure::from_store(e, cat))?
            .total;
        b.time(&format!("audit.{name}.last_page"), Some(20.0), |_| {
            store.trail_page(&head, subject, &full, total.saturating_sub(WINDOW), WINDOW)
        })?;
    }
    Ok(())
}
