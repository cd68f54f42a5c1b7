//! `coopdesk import applications FILE`: applications from the website or another system.
//! All rows are checked first; one bad row and nothing is written.

use super::{Context, Failure};
use crate::domain::draft::{self, ApplicationInput};
use crate::store::applications::ImportRow;
use crate::store::field_error_text;
use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::Path;

/// The columns an import file has (CSV header or JSON keys).
pub const COLUMNS: [&str; 19] = [
    "external_id",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "passport",
    "reg_address",
    "fact_address",
    "phone",
    "email",
    "income",
    "expenses",
    "payments",
    "deductions",
    "product",
    "amount",
    "term_months",
    "purpose",
    "office",
];

/// One record as read: its line in the file and its fields by column name.
pub struct RawRecord {
    pub line: usize,
    pub fields: HashMap<String, String>,
}

fn read_csv(src: &str) -> Result<Vec<RawRecord>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(src.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let fields = headers
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        out.push(RawRecord { line, fields });
    }
    Ok(out)
}

/// Lines on which each top-level object of a JSON array starts.
fn object_lines(src: &str) -> Vec<usize> {
    let (mut depth, mut line, mut in_str, mut esc) = (0i32, 1usize, false, false);
    let mut out = Vec::new();
    for ch in src.chars() {
        if ch == '\n' {
            line += 1;
        }
        if in_str {
            match (esc, ch) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '[' | '{' => {
                if ch == '{' && depth == 1 {
                    out.push(line);
                }
                depth += 1;
            }
            ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    out
}

fn read_json(src: &str) -> Result<Vec<RawRecord>, String> {
    let values: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(src).map_err(|e| e.to_string())?;
    let lines = object_lines(src);
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, obj)| RawRecord {
            line: lines.get(i).copied().unwrap_or(0),
            fields: obj
                .into_iter()
                .map(|(k, v)| {
                    let s = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, s)
                })
                .collect(),
        })
        .collect())
}

pub fn read_records(path: &Path, src: &str) -> Result<Vec<RawRecord>, String> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || src.trim_start().starts_with('[');
    if is_json {
        read_json(src)
    } else {
        read_csv(src)
    }
}

pub fn applications(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let name = file.display().to_string();
    let src = std::fs::read_to_string(file).map_err(|e| Failure::Setup(format!("{name}: {e}")))?;
    let records = read_records(file, &src).map_err(|e| Failure::Refused(format!("{name}: {e}")))?;
    let mut store = ctx.open_existing_store()?;
    let offices: HashMap<String, i64> = store
        .offices()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();

    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(records.len());
    let mut seen = HashSet::new();
    if let Some(first) = records.first() {
        for col in COLUMNS {
            if !first.fields.contains_key(col)
                && ![
                    "patronymic",
                    "fact_address",
                    "email",
                    "expenses",
                    "payments",
                    "deductions",
                    "purpose",
                ]
                .contains(&col)
            {
                problems.push(cat.f(
                    "cli.import_missing_column",
                    &[("file", &name), ("column", col)],
                ));
            }
        }
    }
    let columns_ok = problems.is_empty();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| rec.fields.get(k).cloned().unwrap_or_default();
        let mut report = |field: &str, reason: String| {
            problems.push(cat.f(
                "cli.import_bad_row",
                &[
                    ("file", &name),
                    ("line", &rec.line.to_string()),
                    ("field", field),
                    ("reason", &reason),
                ],
            ));
        };
        let external_id = get("external_id").trim().to_string();
        if external_id.is_empty() {
            report("external_id", cat.t("err.required").to_string());
            continue;
        }
        if !seen.insert(external_id.clone()) {
            report("external_id", cat.t("err.duplicate_in_file").to_string());
            continue;
        }
        let input = ApplicationInput {
            last_name: get("last_name"),
            first_name: get("first_name"),
            patronymic: get("patronymic"),
            birth_date: get("birth_date"),
            passport: get("passport"),
            reg_address: get("reg_address"),
            fact_address: get("fact_address"),
            phone: get("phone"),
            email: get("email"),
            income: get("income"),
            expenses: get("expenses"),
            payments: get("payments"),
            deductions: get("deductions"),
            product: get("product"),
            amount: get("amount"),
            term_months: get("term_months"),
            purpose: get("purpose"),
            ..Default::default()
        };
        let office = get("office");
        let office_id = offices.get(office.trim()).copied();
        if office_id.is_none() {
            report(
                "office",
                cat.f("err.office_unknown", &[("detail", &office)]),
            );
        }
        match draft::validate(&input, &ctx.rules.products, ctx.today) {
            Ok(data) => {
                if let Some(office_id) = office_id {
                    rows.push(ImportRow {
                        external_id,
                        office_id,
                        data,
                    });
                }
            }
            Err(errs) => {
                for e in errs {
                    let text = field_error_text(cat, &e);
                    let reason = text
                        .split_once(": ")
                        .map(|(_, r)| r.to_string())
                        .unwrap_or(text);
                    report(e.field, reason);
                }
            }
        }
    }
    if !problems.is_empty() {
        for p in problems.iter().take(50) {
            eprintln!("{p}");
        }
        if problems.len() > 50 {
            eprintln!(
                "{}",
                cat.f(
                    "cli.import_more_problems",
                    &[("n", &(problems.len() - 50).to_string())]
                )
            );
        }
        return Err(Failure::Refused(
            cat.f("cli.import_nothing_written", &[("file", &name)]),
        ));
    }

    let bar = (rows.len() > 2000 && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(rows.len() as u64));
    let (added, existing) = store
        .import_applications(
            &format!("import:{}", ctx.cli_actor()),
            &rows,
            ctx.now(),
            |n| {
                if let Some(b) = &bar {
                    b.set_position(n as u64);
                }
            },
        )
        .map_err(|e| Failure::from_store(e, cat))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    println!(
        "{}",
        cat.f(
            "cli.import_done",
            &[
                ("added", &added.to_string()),
                ("existing", &existing.to_string())
            ]
        )
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_objects_know_their_lines() {
        let src = "[\n  {\"a\": \"x{\"},\n\n  {\"a\": \"}\"}\n]";
        assert_eq!(object_lines(src), vec![2, 4]);
        let recs = read_json(src).unwrap();
        assert_eq!(recs[1].line, 4);
    }

    #[test]
    fn csv_records_know_their_lines() {
        let recs = read_csv("external_id,last_name\nw1,Иванов\n\"w2\",\"Петров\"\n").unwrap();
        assert_eq!(recs[1].line, 3);
        assert_eq!(recs[1].fields["last_name"], "Петров");
    }
}
