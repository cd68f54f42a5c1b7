//! The client base from the command line: `staff set` (a sales manager's profile),
//! `client-base report`, `client-base unassign-idle`, `import turnover`, `import assignments`.

use super::import::{Problems, RawRecord, read_file};
use super::{Context, Failure};
use crate::domain::client_base::{self as cb, BaseReport, Place, ReassignReason};
use crate::domain::money::Money;
use crate::i18n::Catalog;
use crate::store::Store;
use crate::store::client_base::{AssignmentRow, By, ManagerReport, ProfileChange, TurnoverRow};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Subcommand, Debug)]
pub enum ClientBaseCommand {
    /// Each sales manager's base against the norms on a date.
    Report {
        /// The date (default: --today, else today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
    },
    /// Clients with no turnover for 6 months and no overdue debt: listed, or detached with --apply.
    UnassignIdle {
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        /// Detach them (without it, only list them).
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
}

/// `staff set LOGIN …`: a value `none` (or an empty one) clears a date or the specialisation.
#[derive(Debug, Default)]
pub struct ProfileArgs<'a> {
    pub specialization: Option<&'a str>,
    pub trainee: Option<bool>,
    pub novice_since: Option<&'a str>,
    pub dismissed_on: Option<&'a str>,
    pub territories: Option<&'a str>,
}

fn clearable(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty() && !t.eq_ignore_ascii_case("none")).then_some(t)
}

fn date_arg(cat: &Catalog, field: &str, s: &str) -> Result<Option<NaiveDate>, Failure> {
    match clearable(s) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Failure::Setup(cat.f("cb.bad_date_arg", &[("field", field), ("value", t)]))
            }),
    }
}

pub fn staff_set(ctx: &Context, login: &str, args: &ProfileArgs) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let change = ProfileChange {
        specialization: args
            .specialization
            .map(|s| clearable(s).map(str::to_string)),
        trainee: args.trainee,
        novice_since: args
            .novice_since
            .map(|s| date_arg(cat, "--novice-since", s))
            .transpose()?,
        dismissed_on: args
            .dismissed_on
            .map(|s| date_arg(cat, "--dismissed-on", s))
            .transpose()?,
        territories: args.territories.map(|t| {
            t.split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        }),
    };
    let mut store = ctx.open_existing_store()?;
    let actor = ctx.cli_actor();
    store
        .set_staff_profile(
            By::Operator(&actor),
            login,
            &change,
            &ctx.rules.client_base,
            ctx.today,
            ctx.now(),
        )
        .map_err(|e| Failure::from_store(e, cat))?;
    println!("{}", cat.f("cb.staff_updated", &[("login", login)]));
    Ok(())
}

pub fn run(ctx: &Context, cmd: &ClientBaseCommand) -> Result<(), Failure> {
    match cmd {
        ClientBaseCommand::Report { date, format } => {
            report(ctx, date.unwrap_or(ctx.today), *format)
        }
        ClientBaseCommand::UnassignIdle { date, apply } => {
            unassign_idle(ctx, date.unwrap_or(ctx.today), *apply)
        }
    }
}

#[derive(Serialize)]
struct JsonViolation {
    code: &'static str,
    text: String,
}

#[derive(Serialize)]
struct JsonReassign {
    reason: &'static str,
    since: String,
    deadline: String,
    overdue: bool,
}

#[derive(Serialize)]
struct JsonManager {
    login: String,
    name: String,
    office: String,
    specialization: Option<String>,
    status: Option<&'static str>,
    size: u32,
    min: Option<u32>,
    max: Option<u32>,
    paying: u32,
    paying_share: Option<String>,
    paying_share_min: Option<String>,
    non_core: u32,
    non_core_max: Option<u32>,
    meetings: u32,
    meetings_min: Option<u32>,
    cold_calls: u32,
    cold_calls_min: Option<u32>,
    violations: Vec<JsonViolation>,
    black_listed: Vec<String>,
    due_unassign: Vec<String>,
    non_core_clients: Vec<String>,
    outside_territory: Vec<String>,
    reassign: Option<JsonReassign>,
}

/// The words of a violation, in the catalog's language.
pub fn violation_text(cat: &Catalog, v: &cb::Violation) -> String {
    let params = v.params();
    let args: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    cat.f(&format!("cb_violation.{}", v.code()), &args)
}

fn client_label(c: &crate::store::client_base::ClientRow) -> String {
    if c.member_no.is_empty() {
        format!("#{}", c.member_id)
    } else {
        c.member_no.clone()
    }
}

fn flagged(
    r: &ManagerReport,
    base: &BaseReport,
    f: impl Fn(&cb::ClientFlags) -> bool,
) -> Vec<String> {
    r.clients
        .iter()
        .zip(&base.clients)
        .filter(|(_, (_, flags))| f(flags))
        .map(|(c, _)| client_label(c))
        .collect()
}

fn json_row(cat: &Catalog, r: &ManagerReport) -> JsonManager {
    let base = r.report.as_ref();
    JsonManager {
        login: r.manager.login.clone(),
        name: r.manager.name.clone(),
        office: r.manager.office_code.clone(),
        specialization: r.manager.profile.specialization.clone(),
        status: base.map(|b| b.tenure.code()),
        size: base.map_or(r.clients.len() as u32, |b| b.size),
        min: base.and_then(|b| b.norm.min),
        max: base.and_then(|b| b.norm.max),
        paying: base.map_or(0, |b| b.paying),
        paying_share: base.map(|b| format!("{:.1}", b.paying_share)),
        paying_share_min: None,
        non_core: base.map_or(0, |b| b.non_core),
        non_core_max: base.and_then(|b| b.non_core_limit.max),
        meetings: r.meetings,
        meetings_min: base.and_then(|b| b.meetings_min),
        cold_calls: r.cold_calls,
        cold_calls_min: base.and_then(|b| b.cold_calls_min),
        violations: base
            .map(|b| {
                b.violations
                    .iter()
                    .map(|v| JsonViolation {
                        code: v.code(),
                        text: violation_text(cat, v),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        black_listed: base
            .map(|b| flagged(r, b, |f| f.black_list))
            .unwrap_or_default(),
        due_unassign: base
            .map(|b| flagged(r, b, |f| f.due_unassign))
            .unwrap_or_default(),
        non_core_clients: base
            .map(|b| flagged(r, b, |f| f.fit == cb::Fit::NonCore))
            .unwrap_or_default(),
        outside_territory: base
            .map(|b| flagged(r, b, |f| f.place == Place::OutsideBreach))
            .unwrap_or_default(),
        reassign: base.and_then(|b| b.reassign).map(|w| JsonReassign {
            reason: match w.reason {
                ReassignReason::Departed => "departed",
                ReassignReason::Respecialised => "respecialised",
            },
            since: w.since.to_string(),
            deadline: w.deadline.to_string(),
            overdue: w.overdue,
        }),
    }
}

fn report(ctx: &Context, date: NaiveDate, format: ReportFormat) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let rules = &ctx.rules.client_base;
    let reports = store
        .client_base_report(rules, date)
        .map_err(|e| Failure::from_store(e, cat))?;
    match format {
        ReportFormat::Json => {
            let rows: Vec<JsonManager> = reports
                .iter()
                .map(|r| {
                    let mut row = json_row(cat, r);
                    row.paying_share_min = r
                        .manager
                        .profile
                        .specialization
                        .as_deref()
                        .and_then(|s| rules.specialization(s))
                        .map(|s| format!("{:.1}", s.paying_share));
                    row
                })
                .collect();
            let out =
                serde_json::to_string_pretty(&rows).map_err(|e| Failure::Setup(e.to_string()))?;
            println!("{out}");
        }
        ReportFormat::Table => print_table(ctx, &reports, date),
    }
    Ok(())
}

fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s}{}", " ".repeat(w - n))
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn print_table(ctx: &Context, reports: &[ManagerReport], date: NaiveDate) {
    let cat = &ctx.catalog;
    let lang = ctx.config.language.as_str();
    println!(
        "{}",
        cat.f(
            "cb.report_title",
            &[("date", &date.format("%d.%m.%Y").to_string())]
        )
    );
    println!(
        "{} {} {} {} {:>4} {:>7} {:>6} {:>4} {:>7}",
        fit(cat.t("cb.col_manager"), 20),
        fit(cat.t("cb.col_office"), 5),
        fit(cat.t("cb.col_spec"), 5),
        fit(cat.t("cb.col_status"), 8),
        cat.t("cb.col_size"),
        cat.t("cb.col_norm"),
        cat.t("cb.col_paying"),
        cat.t("cb.col_noncore"),
        cat.t("cb.col_meetings"),
    );
    for r in reports {
        let spec = r
            .manager
            .profile
            .specialization
            .as_deref()
            .and_then(|s| ctx.rules.client_base.specialization(s));
        let Some(base) = &r.report else {
            println!(
                "{} {} {}",
                fit(&r.manager.name, 20),
                fit(&r.manager.office_code, 5),
                cat.f(
                    "cb.no_specialization",
                    &[("n", &r.clients.len().to_string())]
                )
            );
            continue;
        };
        let norm = match (base.norm.min, base.norm.max) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            (None, Some(b)) => format!("≤{b}"),
            (Some(a), None) => format!("≥{a}"),
            (None, None) => "—".into(),
        };
        let meetings = match base.meetings_min {
            Some(m) => format!("{}/{m}", r.meetings),
            None => r.meetings.to_string(),
        };
        println!(
            "{} {} {} {} {:>4} {:>7} {:>5}% {:>4} {:>7}",
            fit(&r.manager.name, 20),
            fit(&r.manager.office_code, 5),
            fit(spec.map(|s| s.short(lang)).unwrap_or("?"), 5),
            fit(cat.t(&format!("cb.tenure_{}", base.tenure.code())), 8),
            base.size,
            norm,
            format!("{:.1}", base.paying_share),
            base.non_core,
            meetings,
        );
        if let Some(w) = base.reassign {
            let reason = match w.reason {
                ReassignReason::Departed => cat.t("cb.reassign_departed"),
                ReassignReason::Respecialised => cat.t("cb.reassign_respecialised"),
            };
            println!(
                "    * {}",
                cat.f(
                    "cb.reassign_line",
                    &[
                        ("reason", reason),
                        ("deadline", &w.deadline.format("%d.%m.%Y").to_string())
                    ]
                )
            );
        }
        for v in &base.violations {
            println!("    ! {}", violation_text(cat, v));
        }
        for (key, list) in [
            ("cb.black_list_line", flagged(r, base, |f| f.black_list)),
            ("cb.due_line", flagged(r, base, |f| f.due_unassign)),
        ] {
            if !list.is_empty() {
                println!("    {}", short_list(cat, key, &list, 76));
            }
        }
    }
}

/// A line naming as many clients as fit in `width` characters, then how many more there are
/// (the JSON report has them all).
fn short_list(cat: &Catalog, key: &str, items: &[String], width: usize) -> String {
    let mut shown = items.len();
    loop {
        let mut list = items[..shown].join(", ");
        if shown < items.len() {
            list.push_str(&cat.f("cb.and_more", &[("n", &(items.len() - shown).to_string())]));
        }
        let line = cat.f(key, &[("list", &list)]);
        if line.chars().count() <= width || shown <= 1 {
            return line;
        }
        shown -= 1;
    }
}

fn unassign_idle(ctx: &Context, date: NaiveDate, apply: bool) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let mut store = ctx.open_existing_store()?;
    let rules = &ctx.rules.client_base;
    let due = store
        .idle_due(rules, date)
        .map_err(|e| Failure::from_store(e, cat))?;
    for (manager, clients) in &due {
        for c in clients {
            println!("{}\t{}\t{}", manager.login, client_label(c), c.name);
        }
    }
    let total: usize = due.iter().map(|(_, c)| c.len()).sum();
    if apply {
        let actor = ctx.cli_actor();
        let n = store
            .unassign_idle(By::Operator(&actor), rules, date, ctx.now())
            .map_err(|e| Failure::from_store(e, cat))?;
        println!("{}", cat.f("cb.unassigned", &[("n", &n.to_string())]));
    } else {
        println!("{}", cat.f("cb.due_dry_run", &[("n", &total.to_string())]));
    }
    Ok(())
}

/// Member numbers → ids, for the clients a file names.
fn member_ids(
    store: &Store,
    numbers: &HashSet<String>,
) -> Result<HashMap<String, i64>, rusqlite::Error> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id FROM members WHERE member_no = ?1")?;
    let mut out = HashMap::new();
    for n in numbers {
        if let Some(id) = stmt
            .query_row([n], |r| r.get::<_, i64>(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?
        {
            out.insert(n.clone(), id);
        }
    }
    Ok(out)
}

fn parse_month(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .map(cb::month_of)
        })
}

/// An import file about clients, read and checked for its columns, with the member ids of
/// the member numbers it names.
struct ClientFile<'a> {
    records: Vec<RawRecord>,
    store: Store,
    problems: Problems<'a>,
    ids: HashMap<String, i64>,
    columns_ok: bool,
}

fn open_client_file<'a>(
    ctx: &'a Context,
    file: &Path,
    columns: &[&str],
) -> Result<ClientFile<'a>, Failure> {
    let (name, records) = read_file(file, &ctx.catalog)?;
    let store = ctx.open_existing_store()?;
    let mut problems = Problems::new(&ctx.catalog, name);
    problems.missing_columns(&records, columns);
    let columns_ok = problems.is_empty();
    let numbers: HashSet<String> = records
        .iter()
        .map(|r| {
            r.fields
                .get("client")
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        })
        .collect();
    let ids = member_ids(&store, &numbers).map_err(|e| Failure::Store(e.to_string()))?;
    Ok(ClientFile {
        records,
        store,
        problems,
        ids,
        columns_ok,
    })
}

/// `import turnover FILE`: `client, month, amount` — month as YYYY-MM (or any date in it).
pub fn import_turnover(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let ClientFile {
        records,
        mut store,
        mut problems,
        ids,
        columns_ok,
    } = open_client_file(ctx, file, &["client", "month", "amount"])?;
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| {
            rec.fields
                .get(k)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let client = get("client");
        let id = ids.get(&client).copied();
        if id.is_none() {
            problems.row(
                rec.line,
                "client",
                cat.f("cb.unknown_client", &[("detail", &client)]),
            );
        }
        let month = parse_month(&get("month"));
        if month.is_none() {
            problems.row(rec.line, "month", cat.t("cb.bad_month").to_string());
        }
        let amount = match Money::parse(&get("amount")) {
            Ok(m) => Some(m),
            Err(e) => {
                problems.row(rec.line, "amount", cat.t(e.key()).to_string());
                None
            }
        };
        if let (Some(member_id), Some(month), Some(amount)) = (id, month, amount) {
            if !seen.insert((member_id, month)) {
                problems.row(
                    rec.line,
                    "month",
                    cat.t("err.duplicate_in_file").to_string(),
                );
                continue;
            }
            rows.push(TurnoverRow {
                member_id,
                month,
                amount,
            });
        }
    }
    problems.finish()?;
    let (added, changed, same) = store
        .import_turnover(&ctx.cli_actor(), &rows, ctx.now())
        .map_err(|e| Failure::from_store(e, cat))?;
    println!(
        "{}",
        cat.f(
            "cb.turnover_imported",
            &[
                ("added", &added.to_string()),
                ("changed", &changed.to_string()),
                ("same", &same.to_string())
            ]
        )
    );
    Ok(())
}

/// `import assignments FILE`: `client, manager, since` — an empty manager means the pool.
pub fn import_assignments(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let ClientFile {
        records,
        mut store,
        mut problems,
        ids,
        columns_ok,
    } = open_client_file(ctx, file, &["client", "manager", "since"])?;
    let managers: HashMap<String, i64> = store
        .base_managers()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .filter(|m| m.profile.specialization.is_some())
        .map(|m| (m.login, m.staff_id))
        .collect();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| {
            rec.fields
                .get(k)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let client = get("client");
        let id = ids.get(&client).copied();
        if id.is_none() {
            problems.row(
                rec.line,
                "client",
                cat.f("cb.unknown_client", &[("detail", &client)]),
            );
        }
        let login = get("manager");
        let staff_id = if login.is_empty() {
            Some(None)
        } else {
            match managers.get(&login) {
                Some(id) => Some(Some(*id)),
                None => {
                    problems.row(
                        rec.line,
                        "manager",
                        cat.f("cb.not_a_sales_manager", &[("detail", &login)]),
                    );
                    None
                }
            }
        };
        let since = NaiveDate::parse_from_str(&get("since"), "%Y-%m-%d").ok();
        if since.is_none() {
            problems.row(rec.line, "since", cat.t("cb.bad_date").to_string());
        }
        if let (Some(member_id), Some(staff_id), Some(since)) = (id, staff_id, since) {
            if !seen.insert(member_id) {
                problems.row(
                    rec.line,
                    "client",
                    cat.t("err.duplicate_in_file").to_string(),
                );
                continue;
            }
            rows.push(AssignmentRow {
                member_id,
                staff_id,
                since,
            });
        }
    }
    problems.finish()?;
    let (changed, same) = store
        .import_assignments(&ctx.cli_actor(), &rows, ctx.today, ctx.now())
        .map_err(|e| Failure::from_store(e, cat))?;
    println!(
        "{}",
        cat.f(
            "cb.assignments_imported",
            &[
                ("changed", &changed.to_string()),
                ("same", &same.to_string())
            ]
        )
    );
    Ok(())
}
