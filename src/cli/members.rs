//! Members on the command line: `coopdesk members search QUERY` (what the pane shows, for
//! scripts), `coopdesk import members FILE` and `coopdesk import loans FILE` (the accounting
//! system's files: keyed, idempotent, all or nothing), and the `members` bench section.

use super::bench::Bench;
use super::{Context, Failure};
use crate::domain::Money;
use crate::domain::member::{self, MemberInput, MemberStatus};
use crate::domain::validate as v;
use crate::store::field_error_text;
use crate::store::members::{LoanImport, MemberImport, search};
use rusqlite::OptionalExtension;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// The columns of a members file.
pub const MEMBER_COLUMNS: [&str; 18] = [
    "member_no",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "passport",
    "phone",
    "email",
    "reg_address",
    "fact_address",
    "status",
    "joined_on",
    "office",
    "manager",
    "potential",
    "client_group",
    "territory",
    "related_group",
];

/// The columns a members file must have (the others may be left out).
const MEMBER_REQUIRED: [&str; 8] = [
    "member_no",
    "last_name",
    "first_name",
    "birth_date",
    "passport",
    "status",
    "joined_on",
    "office",
];

/// The columns of a loans file.
pub const LOAN_COLUMNS: [&str; 10] = [
    "contract_no",
    "member_no",
    "product",
    "amount",
    "issued_on",
    "term_months",
    "rate",
    "balance",
    "overdue_amount",
    "overdue_since",
];

const LOAN_REQUIRED: [&str; 8] = [
    "contract_no",
    "member_no",
    "product",
    "amount",
    "issued_on",
    "term_months",
    "rate",
    "balance",
];

/// `coopdesk members search QUERY`: the same search, best first, masked as for the login-less
/// command line (no role sees full personal data here).
#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum SearchFormat {
    Table,
    Csv,
    Json,
}

pub fn search_command(
    ctx: &Context,
    query: &str,
    format: SearchFormat,
    limit: usize,
) -> Result<(), Failure> {
    let store = ctx.open_existing_store()?;
    let hits =
        search(store.conn(), query, limit).map_err(|e| Failure::from_store(e, &ctx.catalog))?;
    let cat = &ctx.catalog;
    match format {
        SearchFormat::Json => {
            let rows: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "member_no": h.member_no,
                        "name": h.full_name,
                        "birth_date": member::mask_birth_date(h.birth_date),
                        "status": h.status.code(),
                        "office": h.office_code,
                        "phone": member::mask_phone(&h.phone),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).map_err(|e| Failure::Setup(e.to_string()))?
            );
        }
        SearchFormat::Table => {
            for h in &hits {
                println!(
                    "{:<8} {:<40} {:<10} {:<10} {:<5} {}",
                    h.member_no.clone().unwrap_or_default(),
                    h.full_name,
                    member::mask_birth_date(h.birth_date),
                    cat.t(&format!("member.status.{}", h.status.code())),
                    h.office_code,
                    member::mask_phone(&h.phone),
                );
            }
            if hits.is_empty() {
                eprintln!("{}", cat.t("member.nothing_found"));
            }
        }
        SearchFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            let head = [
                "member_no",
                "name",
                "birth_date",
                "status",
                "office",
                "phone",
            ];
            w.write_record(head)
                .map_err(|e| Failure::Setup(e.to_string()))?;
            for h in &hits {
                w.write_record([
                    h.member_no.clone().unwrap_or_default(),
                    h.full_name.clone(),
                    member::mask_birth_date(h.birth_date),
                    cat.t(&format!("member.status.{}", h.status.code()))
                        .to_string(),
                    h.office_code.clone(),
                    member::mask_phone(&h.phone),
                ])
                .map_err(|e| Failure::Setup(e.to_string()))?;
            }
            w.flush().map_err(|e| Failure::Setup(e.to_string()))?;
        }
    }
    Ok(())
}

/// `coopdesk members views MEMBER_NO`: the reveals of one member's personal data.
pub fn views_command(ctx: &Context, member_no: &str) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let id = store
        .member_id_by_no(member_no.trim())
        .map_err(|e| Failure::from_store(e, cat))?
        .ok_or_else(|| {
            Failure::Refused(cat.f("member.err_member_unknown", &[("detail", member_no)]))
        })?;
    for (at, login) in store
        .personal_data_views(id)
        .map_err(|e| Failure::from_store(e, cat))?
    {
        println!("{at}  {login}");
    }
    Ok(())
}

fn reason_only(text: String) -> String {
    text.split_once(": ")
        .map(|(_, r)| r.to_string())
        .unwrap_or(text)
}

fn done(ctx: &Context, c: crate::store::members::ImportCounts) {
    println!(
        "{}",
        ctx.catalog.f(
            "member.import_done",
            &[
                ("added", &c.added.to_string()),
                ("updated", &c.updated.to_string()),
                ("unchanged", &c.unchanged.to_string()),
            ]
        )
    );
}

/// `coopdesk import members FILE`.
pub fn import_members(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let (name, records) = super::import::read_file(file, cat)?;
    let mut store = ctx.open_existing_store()?;
    let offices: HashMap<String, i64> = store
        .offices()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    let staff: HashMap<String, i64> = store
        .staff()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .map(|s| (s.login, s.id))
        .collect();
    let mut p = super::import::Problems::new(&ctx.catalog, name);
    p.missing_columns(&records, &MEMBER_REQUIRED);
    let columns_ok = p.is_empty();
    let mut rows = Vec::new();
    let mut seen_no = HashSet::new();
    let mut seen_passport: HashMap<String, String> = HashMap::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| rec.fields.get(k).cloned().unwrap_or_default();
        let member_no = get("member_no").trim().to_string();
        if member_no.is_empty() {
            p.row(rec.line, "member_no", cat.t("err.required").to_string());
            continue;
        }
        if !seen_no.insert(member_no.clone()) {
            p.row(
                rec.line,
                "member_no",
                cat.t("err.duplicate_in_file").to_string(),
            );
            continue;
        }
        let mut input = MemberInput::default();
        for f in member::EDIT_FIELDS {
            input.set(f, get(f));
        }
        // Client groups are the codes of rules/client_base.toml (DOMAIN §6).
        if let Err(known) = ctx.rules.client_base.check_group(&input.client_group) {
            p.row(
                rec.line,
                "client_group",
                cat.f(
                    "member.err_client_group",
                    &[("detail", input.client_group.trim()), ("known", &known)],
                ),
            );
        }
        let data = match member::validate_member(&input, ctx.today) {
            Ok(d) => Some(d),
            Err(errs) => {
                for e in errs {
                    p.row(rec.line, e.field, reason_only(field_error_text(cat, &e)));
                }
                None
            }
        };
        let status = MemberStatus::parse(&get("status"));
        if status.is_none() {
            p.row(
                rec.line,
                "status",
                cat.f("member.err_status", &[("detail", &get("status"))]),
            );
        }
        let joined = get("joined_on");
        let joined_on = if joined.trim().is_empty() {
            None
        } else {
            match v::date(&joined) {
                Ok(d) if d > ctx.today => {
                    p.row(rec.line, "joined_on", cat.t("err.date_future").to_string());
                    None
                }
                Ok(d) => Some(d),
                Err(r) => {
                    p.row(rec.line, "joined_on", cat.t(r).to_string());
                    None
                }
            }
        };
        if status == Some(MemberStatus::Member) && joined_on.is_none() && joined.trim().is_empty() {
            p.row(rec.line, "joined_on", cat.t("err.required").to_string());
        }
        let office = get("office");
        let office_id = offices.get(office.trim()).copied();
        if office_id.is_none() {
            p.row(
                rec.line,
                "office",
                cat.f("err.office_unknown", &[("detail", &office)]),
            );
        }
        let manager = get("manager");
        let manager_id = if manager.trim().is_empty() {
            Some(None)
        } else {
            match staff.get(manager.trim()) {
                Some(id) => Some(Some(*id)),
                None => {
                    p.row(
                        rec.line,
                        "manager",
                        cat.f("member.err_manager", &[("detail", &manager)]),
                    );
                    None
                }
            }
        };
        if let Some(d) = &data {
            if let Some(other) = seen_passport.insert(d.passport.clone(), member_no.clone()) {
                p.row(
                    rec.line,
                    "passport",
                    cat.f("member.err_passport_in_file", &[("detail", &other)]),
                );
                continue;
            }
            match store.member_no_by_passport(&d.passport) {
                Ok(Some(holder)) if holder.as_deref() != Some(member_no.as_str()) => {
                    let who = holder.unwrap_or_else(|| "—".into());
                    p.row(
                        rec.line,
                        "passport",
                        cat.f("member.err_passport_held", &[("detail", &who)]),
                    );
                    continue;
                }
                Ok(_) => {}
                Err(e) => return Err(Failure::from_store(e, cat)),
            }
        }
        // A member admitted here through an application stays admitted: the file may not
        // turn them back into a candidate or take away their join date.
        if status == Some(MemberStatus::Candidate) || (status.is_some() && joined_on.is_none()) {
            let admitted: Option<String> = store
                .conn()
                .prepare_cached(
                    "SELECT a.number FROM applications a JOIN members m ON m.id = a.member_id
                     WHERE m.member_no = ?1 AND a.status IN ('member','authorized','archived')
                     LIMIT 1",
                )
                .and_then(|mut st| st.query_row([&member_no], |r| r.get(0)).optional())
                .map_err(|e| Failure::from_store(e.into(), cat))?;
            if let Some(number) = admitted {
                let field = if status == Some(MemberStatus::Candidate) {
                    "status"
                } else {
                    "joined_on"
                };
                p.row(
                    rec.line,
                    field,
                    cat.f("import_file.admitted", &[("application", &number)]),
                );
                continue;
            }
        }
        if let (Some(data), Some(status), Some(office_id), Some(manager_id)) =
            (data, status, office_id, manager_id)
            && (joined_on.is_some() || status != MemberStatus::Member)
        {
            rows.push(MemberImport {
                member_no,
                data,
                status,
                joined_on,
                office_id,
                manager_id,
            });
        }
    }
    p.finish()?;
    let counts = store
        .import_members(&format!("import:{}", ctx.cli_actor()), &rows, ctx.now())
        .map_err(|e| Failure::from_store(e, cat))?;
    done(ctx, counts);
    Ok(())
}

/// `coopdesk import loans FILE`.
pub fn import_loans(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let (name, records) = super::import::read_file(file, cat)?;
    let mut store = ctx.open_existing_store()?;
    let mut p = super::import::Problems::new(&ctx.catalog, name);
    p.missing_columns(&records, &LOAN_REQUIRED);
    let columns_ok = p.is_empty();
    let nos: Vec<String> = records
        .iter()
        .map(|r| {
            r.fields
                .get("member_no")
                .cloned()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect();
    let refs: Vec<&str> = nos.iter().map(String::as_str).collect();
    let known: HashSet<String> = store
        .member_passports(&refs)
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .map(|(no, _)| no)
        .collect();
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| rec.fields.get(k).cloned().unwrap_or_default();
        let line = rec.line;
        let contract_no = get("contract_no").trim().to_string();
        if contract_no.is_empty() {
            p.row(line, "contract_no", cat.t("err.required").to_string());
            continue;
        }
        if !seen.insert(contract_no.clone()) {
            p.row(
                line,
                "contract_no",
                cat.t("err.duplicate_in_file").to_string(),
            );
            continue;
        }
        let member_no = get("member_no").trim().to_string();
        let mut ok = true;
        if !known.contains(&member_no) {
            p.row(
                line,
                "member_no",
                cat.f("member.err_member_unknown", &[("detail", &member_no)]),
            );
            ok = false;
        }
        let product = get("product").trim().to_string();
        if !ctx.rules.products.iter().any(|pr| pr.code == product) {
            p.row(
                line,
                "product",
                cat.f("err.product_unknown", &[("detail", &product)]),
            );
            ok = false;
        }
        let mut money = |field: &str, required: bool| -> Option<Money> {
            match v::money(&get(field), required) {
                Ok(m) => Some(m),
                Err(r) => {
                    p.row(line, field, cat.t(r).to_string());
                    None
                }
            }
        };
        let amount = money("amount", true);
        let balance = money("balance", true);
        let overdue_amount = money("overdue_amount", false);
        if amount == Some(Money::ZERO) {
            p.row(line, "amount", cat.t("err.amount_zero").to_string());
            ok = false;
        }
        let mut date = |field: &str, required: bool| -> Option<Option<chrono::NaiveDate>> {
            let s = get(field);
            if s.trim().is_empty() && !required {
                return Some(None);
            }
            match v::date(&s) {
                Ok(d) if d > ctx.today => {
                    p.row(line, field, cat.t("err.date_future").to_string());
                    None
                }
                Ok(d) => Some(Some(d)),
                Err(r) => {
                    p.row(line, field, cat.t(r).to_string());
                    None
                }
            }
        };
        let issued_on = date("issued_on", true);
        let overdue_since = date("overdue_since", false);
        let term = match v::whole_number(&get("term_months")) {
            Ok(0) => {
                p.row(line, "term_months", cat.t("err.whole_number").to_string());
                None
            }
            Ok(t) => Some(t),
            Err(r) => {
                p.row(line, "term_months", cat.t(r).to_string());
                None
            }
        };
        let rate = get("rate").trim().replace(',', ".");
        if rate
            .parse::<rust_decimal::Decimal>()
            .map_or(true, |r| r.is_sign_negative())
        {
            p.row(line, "rate", cat.t("member.err_rate").to_string());
            ok = false;
        }
        if let (
            true,
            Some(amount),
            Some(balance),
            Some(overdue_amount),
            Some(Some(issued_on)),
            Some(overdue_since),
            Some(term_months),
        ) = (
            ok,
            amount,
            balance,
            overdue_amount,
            issued_on,
            overdue_since,
            term,
        ) {
            rows.push(LoanImport {
                contract_no,
                member_no,
                product,
                amount,
                issued_on,
                term_months,
                rate,
                balance,
                overdue_amount,
                overdue_since,
            });
        }
    }
    p.finish()?;
    let counts = store
        .import_loans(&format!("import:{}", ctx.cli_actor()), &rows, ctx.now())
        .map_err(|e| Failure::from_store(e, cat))?;
    done(ctx, counts);
    Ok(())
}

/// What a clerk types, letter by letter: surnames in different cases (with ё and a
/// substring), name and surname together, phone fragments in different formats, passports,
/// member numbers.
pub const BENCH_TYPING: [&str; 15] = [
    "Иванова",
    "СМИРНОВ",
    "кузнецова",
    "Фёдоров",
    "ванов",
    "попов ан",
    "Ольга Сер",
    "Сергеевич Кузн",
    "8 (913) 016-78",
    "+7923834",
    "5603",
    "4509 1234",
    "000123",
    "12345",
    "2026-000001",
];

/// The `members` bench section: one sample per keystroke, as the pane searches.
pub fn bench_section(b: &mut Bench) -> Result<(), Failure> {
    let path = b.ctx.db_path.clone();
    let conn = crate::store::members::open_reader(&path)
        .map_err(|e| Failure::from_store(e, &b.ctx.catalog))?;
    let rounds = (b.reps / 10).max(1);
    let mut all = Vec::new();
    let mut by_kind: HashMap<&str, Vec<std::time::Duration>> = HashMap::new();
    // One warm-up pass (the page cache), as the pane gets while the clerk logs in.
    for typed in BENCH_TYPING {
        search(&conn, typed, 50).map_err(|e| Failure::from_store(e, &b.ctx.catalog))?;
    }
    for _ in 0..rounds {
        for typed in BENCH_TYPING {
            let kind = if typed.chars().any(char::is_alphabetic) {
                "names"
            } else {
                "digits"
            };
            let mut sofar = String::new();
            for c in typed.chars() {
                sofar.push(c);
                let t = Instant::now();
                let hits = search(&conn, &sofar, 50)
                    .map_err(|e| Failure::from_store(e, &b.ctx.catalog))?;
                std::hint::black_box(hits);
                let d = t.elapsed();
                all.push(d);
                by_kind.entry(kind).or_default().push(d);
            }
        }
    }
    for kind in ["names", "digits"] {
        if let Some(s) = by_kind.remove(kind) {
            b.samples(&format!("members.keystroke.{kind}"), Some(20.0), s);
        }
    }
    b.samples("members.keystroke", Some(20.0), all);
    let store = b.store;
    let some_id: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM members ORDER BY id LIMIT 1 OFFSET 1000",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(id) = some_id {
        let today = b.ctx.today;
        b.time("members.card", Some(50.0), |_| store.member_card(id, today))?;
    }
    Ok(())
}
