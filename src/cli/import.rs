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

/// Where and what kind of JSON problem, never the value: serde's own text quotes what it
/// found (`invalid type: string "Иванов 4509 123456"`), and a file of members' personal data
/// must not end up on a terminal's scrollback or in a job's log because one record was wrong.
fn json_problem(e: serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax => "not valid JSON",
        Category::Data => "expected an array of objects (column: value)",
        Category::Eof => "the file ends in the middle of a value",
        Category::Io => "could not be read",
    };
    format!("line {}, column {}: {what}", e.line(), e.column())
}

fn read_json(src: &str) -> Result<Vec<RawRecord>, String> {
    let values: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(src).map_err(json_problem)?;
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

/// Every problem found in an import file, reported together (the first 50, then how many
/// more); if there is any, nothing from the file is written.
pub struct Problems<'a> {
    cat: &'a crate::i18n::Catalog,
    file: String,
    pub list: Vec<String>,
}

impl<'a> Problems<'a> {
    pub fn new(cat: &'a crate::i18n::Catalog, file: impl Into<String>) -> Problems<'a> {
        Problems {
            cat,
            file: file.into(),
            list: Vec::new(),
        }
    }

    /// `file:line: field: reason`.
    pub fn row(&mut self, line: usize, field: &str, reason: String) {
        self.list.push(self.cat.f(
            "cli.import_bad_row",
            &[
                ("file", &self.file),
                ("line", &line.to_string()),
                ("field", field),
                ("reason", &reason),
            ],
        ));
    }

    /// A required column missing from the header (or the first JSON object).
    pub fn missing_columns(&mut self, records: &[RawRecord], columns: &[&str]) {
        if let Some(first) = records.first() {
            for col in columns {
                if !first.fields.contains_key(*col) {
                    self.list.push(self.cat.f(
                        "cli.import_missing_column",
                        &[("file", &self.file), ("column", col)],
                    ));
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Print the problems and refuse the file; go on when there are none.
    pub fn finish(self) -> Result<(), Failure> {
        if self.list.is_empty() {
            return Ok(());
        }
        for p in self.list.iter().take(50) {
            eprintln!("{p}");
        }
        if self.list.len() > 50 {
            eprintln!(
                "{}",
                self.cat.f(
                    "cli.import_more_problems",
                    &[("n", &(self.list.len() - 50).to_string())]
                )
            );
        }
        Err(Failure::Refused(
            self.cat
                .f("cli.import_nothing_written", &[("file", &self.file)]),
        ))
    }
}

/// Read an import file: its name as given, and its records (CSV or JSON).
pub fn read_file(
    file: &Path,
    cat: &crate::i18n::Catalog,
) -> Result<(String, Vec<RawRecord>), Failure> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| Failure::Setup(format!("{name}: {e}")))?;
    // A file saved in another encoding (cp1251 from an old accounting system) is refused by
    // the line of its first foreign byte, so the clerk knows what to fix.
    let src = String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..bad].iter().filter(|b| **b == b'\n').count() + 1;
        Failure::Refused(cat.f(
            "import_file.not_utf8",
            &[("file", &name), ("line", &line.to_string())],
        ))
    })?;
    let records = read_records(file, &src).map_err(|e| Failure::Refused(format!("{name}: {e}")))?;
    Ok((name, records))
}

pub fn applications(ctx: &Context, file: &Path) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let (name, records) = read_file(file, cat)?;
    let mut store = ctx.open_existing_store()?;
    let offices: HashMap<String, i64> = store
        .offices()
        .map_err(|e| Failure::from_store(e, cat))?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();

    let mut problems = Problems::new(cat, name);
    let mut rows = Vec::with_capacity(records.len());
    let mut seen = HashSet::new();
    let optional = [
        "patronymic",
        "fact_address",
        "email",
        "expenses",
        "payments",
        "deductions",
        "purpose",
    ];
    let required: Vec<&str> = COLUMNS
        .into_iter()
        .filter(|c| !optional.contains(c))
        .collect();
    problems.missing_columns(&records, &required);
    let columns_ok = problems.is_empty();
    for rec in records.iter().filter(|_| columns_ok) {
        let get = |k: &str| rec.fields.get(k).cloned().unwrap_or_default();
        let mut report = |field: &str, reason: String| problems.row(rec.line, field, reason);
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
    problems.finish()?;

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
    fn a_bad_json_file_is_placed_but_never_quoted() {
        for src in [
            "[{\"a\": 1},\n \"Иванов Пётр 4509 123456\"]",
            "[{\"passport\": \"4509 123456\"",
            "[{\"passport\": 4509 123456}]",
            "{\"passport\": \"4509 123456\"}",
        ] {
            let e = read_json(src).err().unwrap();
            assert!(e.starts_with("line "), "{e}");
            assert!(!e.contains("4509") && !e.contains("Иванов"), "{e}");
        }
    }

    #[test]
    fn csv_records_know_their_lines() {
        let recs = read_csv("external_id,last_name\nw1,Иванов\n\"w2\",\"Петров\"\n").unwrap();
        assert_eq!(recs[1].line, 3);
        assert_eq!(recs[1].fields["last_name"], "Петров");
    }
}
