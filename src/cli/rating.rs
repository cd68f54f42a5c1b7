//! `coopdesk rating`: the daily sales rating for SSH and cron, as a table that fits 80 columns,
//! CSV or JSON; and `coopdesk import sales|plans FILE` (all-or-nothing, bad rows by line and
//! field, sales idempotent on `external_id`).

use super::{Context, Failure};
use crate::domain::Money;
use crate::domain::rating::report::{self, By, Row};
use crate::domain::rating::{Ukp, fmt_pct, parse_month, shown};
use crate::domain::validate;
use crate::i18n::Catalog;
use crate::store::rating::{PlanRow, SaleRow};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum RatingBy {
    Manager,
    Office,
    Coop,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum RatingFormat {
    Table,
    Csv,
    Json,
}

/// A coefficient as written: `0.95`, `1`.
pub fn fmt_coef(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `+2`, `-1`, `=`; empty when there is nothing to compare with.
pub fn fmt_change(c: Option<i64>) -> String {
    match c {
        Some(0) => "=".into(),
        Some(n) if n > 0 => format!("+{n}"),
        Some(n) => n.to_string(),
        None => String::new(),
    }
}

#[derive(Serialize)]
struct JsonRow {
    rank: Option<u32>,
    change: Option<i64>,
    who: String,
    code: String,
    office: String,
    ukp: String,
    plan: Option<String>,
    pct: Option<String>,
    forecast_ukp: Option<String>,
    forecast_pct: Option<String>,
    kp: Option<String>,
    counts: BTreeMap<String, i64>,
    ukp_by_product: BTreeMap<String, String>,
    calls: u32,
    meetings: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    scores: Option<BTreeMap<&'static str, u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bonus: Option<String>,
}

#[derive(Serialize)]
struct JsonOut {
    date: String,
    by: &'static str,
    working_days: u32,
    working_days_elapsed: u32,
    rows: Vec<JsonRow>,
}

fn json_row(ctx: &Context, r: &Row) -> JsonRow {
    let codes = ctx.rules.products.iter().map(|p| p.code.clone());
    JsonRow {
        rank: r.standing.rank,
        change: r.standing.change(),
        who: r.who.clone(),
        code: r.code.clone(),
        office: r.office.clone(),
        ukp: r.done.to_string(),
        plan: r.plan.map(|p| p.to_string()),
        pct: r.standing.pct.map(fmt_pct),
        forecast_ukp: r.standing.forecast.map(|f| format!("{:.2}", shown(f, 2))),
        forecast_pct: r.standing.forecast_pct.map(fmt_pct),
        kp: r.standing.kp.map(fmt_coef),
        counts: codes.clone().map(|c| (c.clone(), r.items(&c))).collect(),
        ukp_by_product: codes
            .map(|c| (c.clone(), r.ukp_of(&c).to_string()))
            .collect(),
        calls: r.calls,
        meetings: r.meetings,
        scores: r.scores.map(|s| {
            BTreeMap::from([
                ("quality", s.quality),
                ("activity", s.activity),
                ("discipline", s.discipline),
                ("time", s.time),
            ])
        }),
        bonus: r.bonus.map(|b| b.plain()),
    }
}

/// The rows for a date, the cooperative's named in the catalog.
pub fn rows_for(ctx: &Context, date: NaiveDate, by: RatingBy) -> Result<Vec<Row>, Failure> {
    let store = ctx.open_existing_store()?;
    let figs = store
        .rating_figures(date, &ctx.rules)
        .map_err(|e| Failure::from_store(e, &ctx.catalog))?;
    let by = match by {
        RatingBy::Manager => By::Manager,
        RatingBy::Office => By::Office,
        RatingBy::Coop => By::Coop,
    };
    let mut rows = report::build(&ctx.rules.rating, &ctx.rules.calendar, &figs, by);
    for r in rows.iter_mut().filter(|r| r.who.is_empty() && r.id == 0) {
        r.who = ctx.catalog.t("rating.coop").to_string();
    }
    Ok(rows)
}

/// Cut to `w` characters (by characters: names are Cyrillic).
fn fit(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.truncate(t.trim_end().len());
        t.push('~');
        t
    }
}

/// Right-align to `w` characters.
fn rpad(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(s.chars().count())))
}

fn lpad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())))
}

pub fn run(
    ctx: &Context,
    date: Option<NaiveDate>,
    by: RatingBy,
    format: RatingFormat,
) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let date = date.unwrap_or(ctx.today);
    let rows = rows_for(ctx, date, by)?;
    let (all, elapsed) = ctx.rules.calendar.working_days_in_month(date);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let io = |e: std::io::Error| Failure::Setup(e.to_string());
    match format {
        RatingFormat::Json => {
            let doc = JsonOut {
                date: date.to_string(),
                by: match by {
                    RatingBy::Manager => "manager",
                    RatingBy::Office => "office",
                    RatingBy::Coop => "coop",
                },
                working_days: all,
                working_days_elapsed: elapsed,
                rows: rows.iter().map(|r| json_row(ctx, r)).collect(),
            };
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(|e| Failure::Setup(e.to_string()))?;
            writeln!(out).map_err(io)?;
        }
        RatingFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut head: Vec<String> = [
                "rank",
                "change",
                "who",
                "code",
                "office",
                "ukp",
                "plan",
                "pct",
                "forecast_pct",
                "kp",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for p in &ctx.rules.products {
                head.push(format!("{}_count", p.code));
                head.push(format!("{}_ukp", p.code));
            }
            head.extend(["calls", "meetings", "bonus"].map(String::from));
            w.write_record(&head)
                .map_err(|e| Failure::Setup(e.to_string()))?;
            for r in &rows {
                let mut rec = vec![
                    r.standing.rank.map(|x| x.to_string()).unwrap_or_default(),
                    fmt_change(r.standing.change()),
                    r.who.clone(),
                    r.code.clone(),
                    r.office.clone(),
                    r.done.to_string(),
                    r.plan.map(|p| p.to_string()).unwrap_or_default(),
                    r.standing.pct.map(fmt_pct).unwrap_or_default(),
                    r.standing.forecast_pct.map(fmt_pct).unwrap_or_default(),
                    r.standing.kp.map(fmt_coef).unwrap_or_default(),
                ];
                for p in &ctx.rules.products {
                    rec.push(r.items(&p.code).to_string());
                    rec.push(r.ukp_of(&p.code).to_string());
                }
                rec.push(r.calls.to_string());
                rec.push(r.meetings.to_string());
                rec.push(r.bonus.map(|b| b.plain()).unwrap_or_default());
                w.write_record(&rec)
                    .map_err(|e| Failure::Setup(e.to_string()))?;
            }
            w.flush().map_err(io)?;
        }
        RatingFormat::Table => {
            for line in table(ctx, cat, date, by, &rows) {
                writeln!(out, "{line}").map_err(io)?;
            }
        }
    }
    out.flush().map_err(io)
}

/// The table: at most 80 characters a line.
pub fn table(
    ctx: &Context,
    cat: &Catalog,
    date: NaiveDate,
    by: RatingBy,
    rows: &[Row],
) -> Vec<String> {
    let (all, elapsed) = ctx.rules.calendar.working_days_in_month(date);
    let mut lines = vec![cat.f(
        "rating.cli_title",
        &[
            ("date", &date.format("%d.%m.%Y").to_string()),
            ("elapsed", &elapsed.to_string()),
            ("all", &all.to_string()),
        ],
    )];
    let who_w = 17;
    let no_plan = cat.t("rating.no_plan");
    let head = format!(
        "{} {} {} {} {} {} {} {} {} {}",
        rpad("#", 3),
        rpad(if ctx.ascii { "+-" } else { "±" }, 3),
        lpad(
            cat.t(if by == RatingBy::Office {
                "rating.col_office_name"
            } else {
                "rating.col_manager"
            }),
            who_w
        ),
        lpad(cat.t("rating.col_office"), 4),
        rpad(cat.t("rating.col_ukp"), 8),
        rpad(cat.t("rating.col_plan"), 9),
        rpad("%", 6),
        rpad(cat.t("rating.col_forecast"), 6),
        rpad(cat.t("rating.col_kp"), 4),
        rpad(cat.t("rating.col_activity"), 5),
    );
    lines.push(head);
    let line = |r: &Row| {
        format!(
            "{} {} {} {} {} {} {} {} {} {}",
            rpad(
                &r.standing.rank.map(|x| x.to_string()).unwrap_or_default(),
                3
            ),
            rpad(&fmt_change(r.standing.change()), 3),
            lpad(&fit(&r.who, who_w), who_w),
            lpad(&fit(&r.office, 4), 4),
            rpad(&r.done.to_string(), 8),
            rpad(&r.plan.map(|p| p.to_string()).unwrap_or(no_plan.into()), 9),
            rpad(&r.standing.pct.map(fmt_pct).unwrap_or_default(), 6),
            rpad(&r.standing.forecast_pct.map(fmt_pct).unwrap_or_default(), 6),
            rpad(&r.standing.kp.map(fmt_coef).unwrap_or_default(), 4),
            rpad(&format!("{}/{}", r.calls, r.meetings), 5),
        )
        .trim_end()
        .to_string()
    };
    for r in rows {
        lines.push(line(r));
    }
    if by != RatingBy::Coop
        && let Ok(total) = rows_for(ctx, date, RatingBy::Coop)
        && let Some(t) = total.first()
    {
        lines.push("-".repeat(78));
        lines.push(line(t));
    }
    lines
}

// ----- imports --------------------------------------------------------------------------------

/// Staff ids by login: everyone (old sales name people who left), or only those working.
fn logins(
    store: &crate::store::Store,
    cat: &Catalog,
    working_only: bool,
) -> Result<HashMap<String, i64>, Failure> {
    Ok(store
        .sellers()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .filter(|s| s.active || !working_only)
        .map(|s| (s.login, s.id))
        .collect())
}

/// `coopdesk import sales FILE`: `external_id, date, manager, product, member_no, amount`.
pub fn import_sales(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let (name, records) = super::import::read_file(file, cat)?;
    let mut store = ctx.open_existing_store()?;
    let fail = |e| Failure::from_store(e, cat);
    let logins = logins(&store, cat, false)?;
    let members = store.member_ids().map_err(fail)?;
    let mut p = super::import::Problems::new(cat, name.clone());
    p.missing_columns(
        &records,
        &["external_id", "date", "manager", "product", "amount"],
    );
    let columns_ok = p.is_empty();
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| {
            rec.fields
                .get(k)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let before = p.list.len();
        let external_id = get("external_id");
        if external_id.is_empty() {
            p.row(rec.line, "external_id", cat.t("err.required").into());
        } else if !seen.insert(external_id.clone()) {
            p.row(
                rec.line,
                "external_id",
                cat.t("err.duplicate_in_file").into(),
            );
        }
        let date = match validate::date(&get("date")) {
            Ok(d) if d > ctx.today => {
                p.row(rec.line, "date", cat.t("err.date_future").into());
                None
            }
            Ok(d) => Some(d),
            Err(r) => {
                p.row(rec.line, "date", cat.t(r).into());
                None
            }
        };
        let manager = logins.get(&get("manager")).copied();
        if manager.is_none() {
            p.row(
                rec.line,
                "manager",
                cat.f("rating.err.login_unknown", &[("detail", &get("manager"))]),
            );
        }
        let product = ctx.rules.product(&get("product"));
        if product.is_none() {
            p.row(
                rec.line,
                "product",
                cat.f("err.product_unknown", &[("detail", &get("product"))]),
            );
        }
        let member_no = get("member_no");
        let member_id = if member_no.is_empty() {
            None
        } else {
            let m = members.get(&member_no).copied();
            if m.is_none() {
                p.row(
                    rec.line,
                    "member_no",
                    cat.f("rating.err.member_unknown", &[("detail", &member_no)]),
                );
            }
            m
        };
        let amount = match Money::parse(&get("amount")) {
            Ok(a) => Some(a),
            Err(e) => {
                p.row(rec.line, "amount", cat.t(e.key()).into());
                None
            }
        };
        if p.list.len() == before
            && let (Some(date), Some(manager_id), Some(product), Some(amount)) =
                (date, manager, product, amount)
        {
            rows.push(SaleRow {
                external_id,
                date,
                manager_id,
                product: product.code.clone(),
                member_id,
                amount,
                ukp: Ukp::from_decimal(product.ukp).unwrap_or_default(),
            });
            lines.push(rec.line);
        }
    }
    // Already imported with other content: refused by line, before anything is written.
    let ids: Vec<&str> = rows.iter().map(|r| r.external_id.as_str()).collect();
    let stored = store.sales_by_external(&ids).map_err(fail)?;
    for (r, line) in rows.iter().zip(&lines) {
        if let Some(s) = stored.get(&r.external_id)
            && !r.same_as(s)
        {
            p.row(
                *line,
                "external_id",
                cat.t("rating.err.sale_differs").into(),
            );
        }
    }
    p.finish()?;
    let (added, existing) = store
        .import_sales(&format!("import:{}", ctx.cli_actor()), &rows, ctx.now())
        .map_err(|e| match e {
            crate::store::StoreError::Duplicate(id) => Failure::Refused(cat.f(
                "rating.err.sale_differs_now",
                &[("file", &name), ("id", &id)],
            )),
            e => fail(e),
        })?;
    println!(
        "{}",
        cat.f(
            "rating.import_sales_done",
            &[
                ("added", &added.to_string()),
                ("existing", &existing.to_string())
            ]
        )
    );
    Ok(())
}

/// `coopdesk import plans FILE`: `month, manager, ukp`.
pub fn import_plans(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let (name, records) = super::import::read_file(file, cat)?;
    let mut store = ctx.open_existing_store()?;
    let fail = |e| Failure::from_store(e, cat);
    let logins = logins(&store, cat, true)?;
    let mut p = super::import::Problems::new(cat, name);
    p.missing_columns(&records, &["month", "manager", "ukp"]);
    let columns_ok = p.is_empty();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| {
            rec.fields
                .get(k)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let month = parse_month(&get("month"))
            .map_err(|r| p.row(rec.line, "month", cat.t(r).into()))
            .ok();
        let manager = logins.get(&get("manager")).copied();
        if manager.is_none() {
            p.row(
                rec.line,
                "manager",
                cat.f("rating.err.login_unknown", &[("detail", &get("manager"))]),
            );
        }
        let ukp = match Ukp::parse(&get("ukp")) {
            Ok(u) if u.centi() == 0 => {
                p.row(rec.line, "ukp", cat.t("rating.err.plan_zero").into());
                None
            }
            Ok(u) => Some(u),
            Err(r) => {
                p.row(rec.line, "ukp", cat.t(r).into());
                None
            }
        };
        if let (Some(month), Some(staff_id), Some(ukp)) = (month, manager, ukp) {
            if !seen.insert((month, staff_id)) {
                p.row(rec.line, "month", cat.t("err.duplicate_in_file").into());
                continue;
            }
            rows.push(PlanRow {
                month,
                staff_id,
                ukp,
            });
        }
    }
    p.finish()?;
    let (new, changed, same) = store
        .import_plans(&format!("import:{}", ctx.cli_actor()), &rows, ctx.now())
        .map_err(fail)?;
    println!(
        "{}",
        cat.f(
            "rating.import_plans_done",
            &[
                ("new", &new.to_string()),
                ("changed", &changed.to_string()),
                ("same", &same.to_string())
            ]
        )
    );
    Ok(())
}

/// `coopdesk bench` section: the rating for a date (the figures the pane and the command read,
/// and the rows built from them) for the business date and days before it, by manager and by
/// office; the year view's figures. Target: 50 ms for a date (500 managers, 2 000 000 sales:
/// `coopdesk demo --sales 2000000 --managers 500`).
pub fn bench(b: &mut super::bench::Bench) -> Result<(), Failure> {
    // Rows are named `rating.…` after the section (built, so that no literal looks like a
    // catalog key).
    const SECTION: &str = "rating";
    let ctx = b.ctx;
    let store = b.store;
    let rules = &ctx.rules;
    let days: Vec<NaiveDate> = (0..30)
        .map(|i| ctx.today - chrono::Duration::days(i))
        .collect();
    // The usual question: today's standings, figures and rows.
    b.time(&format!("{SECTION}.today"), Some(50.0), |_| {
        store
            .rating_figures(ctx.today, rules)
            .map(|f| report::build(&rules.rating, &rules.calendar, &f, By::Manager).len())
    })?;
    // Any of the last 30 days (mid-month dates read the most aggregate rows).
    b.time(&format!("{SECTION}.figures_for_a_date"), Some(50.0), |i| {
        store.rating_figures(days[i % days.len()], rules)
    })?;
    for (name, by) in [
        (&format!("{SECTION}.by_manager"), By::Manager),
        (&format!("{SECTION}.by_office"), By::Office),
    ] {
        b.time(name, Some(50.0), |i| {
            store
                .rating_figures(days[i % days.len()], rules)
                .map(|f| report::build(&rules.rating, &rules.calendar, &f, by).len())
        })?;
    }
    b.time(&format!("{SECTION}.year"), Some(200.0), |_| {
        store.rating_year(ctx.today)
    })
}
