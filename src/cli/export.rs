//! `coopdesk export applications`: every application as CSV or JSON, optionally with history.

use super::{Context, Failure, Format};
use crate::store::StoreError;
use crate::store::applications::ApplicationRecord;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Row<'a> {
    number: &'a str,
    external_id: &'a str,
    created_at: String,
    applicant: String,
    product: &'a str,
    amount: String,
    term_months: u32,
    status: &'a str,
    status_since: String,
    assignee: &'a str,
    office: &'a str,
}

/// A JSON object keeps the columns in the order of `Row` (a `serde_json::Value` would sort them).
#[derive(Serialize)]
struct JsonRow<'a> {
    #[serde(flatten)]
    row: Row<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<EventRow>>,
}

#[derive(Serialize)]
struct EventRow {
    from: String,
    to: String,
    by: String,
    at: String,
    comment: String,
    event: String,
}

fn iso(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn row(a: &ApplicationRecord) -> Row<'_> {
    Row {
        number: &a.number,
        external_id: a.external_id.as_deref().unwrap_or(""),
        created_at: iso(a.created_at),
        applicant: a.data.borrower.full_name(),
        product: &a.data.loan.product,
        amount: a.data.loan.amount.plain(),
        term_months: a.data.loan.term_months,
        status: a.status.code(),
        status_since: iso(a.status_since),
        assignee: a.assignee.as_ref().map(|(l, _)| l.as_str()).unwrap_or(""),
        office: &a.office_code,
    }
}

pub fn applications(ctx: &Context, format: Format, with_history: bool) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Failure::Setup(e.to_string());
    let history = |id: i64| -> Result<Vec<EventRow>, StoreError> {
        Ok(store
            .history(id)?
            .into_iter()
            .map(|e| EventRow {
                from: e.from.map(|s| s.code().to_string()).unwrap_or_default(),
                to: e.to.map(|s| s.code().to_string()).unwrap_or_default(),
                by: e.actor,
                at: iso(e.at),
                comment: e.comment,
                event: e.kind,
            })
            .collect())
    };
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut header = vec![
                "number",
                "external_id",
                "created_at",
                "applicant",
                "product",
                "amount",
                "term_months",
                "status",
                "status_since",
                "assignee",
                "office",
            ];
            if with_history {
                header.extend(["from", "to", "by", "at", "comment", "event"]);
            }
            w.write_record(&header)
                .map_err(|e| Failure::Setup(e.to_string()))?;
            store
                .for_each_application(|a| {
                    let r = row(a);
                    let base = [
                        r.number.to_string(),
                        r.external_id.to_string(),
                        r.created_at,
                        r.applicant,
                        r.product.to_string(),
                        r.amount,
                        r.term_months.to_string(),
                        r.status.to_string(),
                        r.status_since,
                        r.assignee.to_string(),
                        r.office.to_string(),
                    ];
                    if with_history {
                        let events = history(a.id).map_err(|e| {
                            let msg = e.message(cat);
                            std::io::Error::other(msg)
                        })?;
                        for e in events {
                            let mut rec = base.to_vec();
                            rec.extend([e.from, e.to, e.by, e.at, e.comment, e.event]);
                            w.write_record(&rec).map_err(std::io::Error::other)?;
                        }
                        Ok(())
                    } else {
                        w.write_record(&base).map_err(std::io::Error::other)
                    }
                })
                .map_err(|e| Failure::from_store(e, cat))?;
            w.flush().map_err(io)?;
        }
        Format::Json => {
            writeln!(out, "[").map_err(io)?;
            let mut first = true;
            store
                .for_each_application(|a| {
                    let events = if with_history {
                        Some(history(a.id).map_err(|e| std::io::Error::other(e.message(cat)))?)
                    } else {
                        None
                    };
                    let v = JsonRow {
                        row: row(a),
                        history: events,
                    };
                    if !first {
                        writeln!(out, ",")?;
                    }
                    first = false;
                    write!(
                        out,
                        "  {}",
                        serde_json::to_string(&v).map_err(std::io::Error::other)?
                    )
                })
                .map_err(|e| Failure::from_store(e, cat))?;
            writeln!(out, "\n]").map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    Ok(())
}
