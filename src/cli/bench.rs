//! `coopdesk bench`: measure the app's own operations on a database, print the figures beside
//! their targets. Timings are never asserted in tests (they depend on the machine); the bench
//! runs in CI on a small database only so that it cannot rot.
//!
//! Each pane adds a *section*: a function that runs its operations through [`Bench::time`]
//! (repeated, p50/p95/p99) or records a single figure with [`Bench::figure`] (bytes, MiB).
//! Sections are listed in [`SECTIONS`]; `--only NAME` runs some of them.

use super::{Context, Failure};
use crate::store::Store;
use crate::store::applications::{PageFrom, QueueQuery, SortKey};
use serde::Serialize;
use std::time::{Duration, Instant};

/// A section of the bench: its name and what it measures.
pub type Section = (&'static str, fn(&mut Bench) -> Result<(), Failure>);

/// Every section, in the order they run.
pub const SECTIONS: &[Section] = &[
    ("open", open),
    ("journal", journal),
    ("client_base", client_base),
    ("rating", super::rating::bench),
    ("documents", super::print::bench),
    ("members", super::members::bench_section),
    ("audit", super::audit::bench),
    ("wire", super::bench_ui::wire),
    ("render", super::bench_ui::render),
    ("startup", super::bench_ui::startup),
    ("writes", super::bench_ui::writes),
    // Last: resident memory after everything else ran.
    ("memory", super::bench_ui::memory),
];

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Ms,
    Bytes,
    Mib,
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub name: String,
    pub unit: Unit,
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// The target for p95 (time) or for the single figure; `None` when there is none.
    pub target: Option<f64>,
    pub ok: Option<bool>,
}

/// What a section works with.
pub struct Bench<'a> {
    pub ctx: &'a Context,
    pub store: &'a Store,
    /// How many times each timed operation is repeated.
    pub reps: usize,
    pub rows: Vec<Row>,
}

impl Bench<'_> {
    /// Run `op` `reps` times (after one warm-up run); `op` gets the repetition number so it can
    /// vary its input. The p95 is compared with `target_ms`.
    pub fn time<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        target_ms: Option<f64>,
        mut op: impl FnMut(usize) -> Result<T, E>,
    ) -> Result<(), Failure> {
        let fail = |e: E| Failure::Store(format!("{name}: {e}"));
        std::hint::black_box(op(0).map_err(fail)?);
        let mut samples = Vec::with_capacity(self.reps);
        for i in 0..self.reps {
            let t = Instant::now();
            std::hint::black_box(op(i).map_err(fail)?);
            samples.push(t.elapsed());
        }
        self.samples(name, target_ms, samples);
        Ok(())
    }

    /// Record timings measured by the section itself (e.g. one per typed letter).
    pub fn samples(&mut self, name: &str, target_ms: Option<f64>, mut samples: Vec<Duration>) {
        samples.sort();
        let ms = |q: f64| -> f64 {
            if samples.is_empty() {
                return 0.0;
            }
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i].as_secs_f64() * 1000.0
        };
        let (p50, p95, p99) = (ms(0.50), ms(0.95), ms(0.99));
        self.rows.push(Row {
            name: name.to_string(),
            unit: Unit::Ms,
            n: samples.len(),
            p50,
            p95,
            p99,
            target: target_ms,
            ok: target_ms.map(|t| p95 <= t),
        });
    }

    /// Record deterministic figures, one per step (bytes written per key): p50/p95/p99 of
    /// them, and the target checked against the largest, since every step must keep it.
    pub fn sizes(&mut self, name: &str, unit: Unit, target: Option<f64>, mut values: Vec<f64>) {
        values.sort_by(f64::total_cmp);
        let q = |q: f64| -> f64 {
            if values.is_empty() {
                return 0.0;
            }
            values[((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1]
        };
        let max = values.last().copied().unwrap_or(0.0);
        self.rows.push(Row {
            name: name.to_string(),
            unit,
            n: values.len(),
            p50: q(0.50),
            p95: q(0.95),
            p99: max,
            target,
            ok: target.map(|t| max <= t),
        });
    }

    /// Record one deterministic figure (bytes written, memory).
    pub fn figure(&mut self, name: &str, unit: Unit, value: f64, target: Option<f64>) {
        self.rows.push(Row {
            name: name.to_string(),
            unit,
            n: 1,
            p50: value,
            p95: value,
            p99: value,
            target,
            ok: target.map(|t| value <= t),
        });
    }
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum BenchFormat {
    Table,
    Json,
}

pub fn run(
    ctx: &Context,
    format: BenchFormat,
    only: &[String],
    reps: usize,
) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    for name in only {
        if !SECTIONS.iter().any(|(n, _)| n == name) {
            let known: Vec<&str> = SECTIONS.iter().map(|(n, _)| *n).collect();
            return Err(Failure::Setup(cat.f(
                "bench.unknown_section",
                &[("name", name), ("known", &known.join(", "))],
            )));
        }
    }
    let store = ctx.open_existing_store()?;
    let mut bench = Bench {
        ctx,
        store: &store,
        reps: reps.max(1),
        rows: Vec::new(),
    };
    for (name, section) in SECTIONS {
        if only.is_empty() || only.iter().any(|o| o == name) {
            section(&mut bench)?;
        }
    }
    let mut out = std::io::stdout().lock();
    match format {
        BenchFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &bench.rows)
                .map_err(|e| Failure::Setup(e.to_string()))?;
            println!();
        }
        BenchFormat::Table => print_table(ctx, &bench.rows),
    }
    Ok(())
}

fn print_table(ctx: &Context, rows: &[Row]) {
    let cat = &ctx.catalog;
    println!(
        "{:<32} {:<4} {:>4} {:>7} {:>7} {:>7} {:>7}  {}",
        cat.t("bench.col_name"),
        cat.t("bench.col_unit"),
        cat.t("bench.col_n"),
        "p50",
        "p95",
        "p99",
        cat.t("bench.col_target"),
        cat.t("bench.col_ok"),
    );
    for r in rows {
        let unit = match r.unit {
            Unit::Ms => cat.t("bench.unit_ms"),
            Unit::Bytes => cat.t("bench.unit_bytes"),
            Unit::Mib => cat.t("bench.unit_mib"),
        };
        let num = |v: f64| match r.unit {
            Unit::Ms => format!("{v:.2}"),
            Unit::Bytes => format!("{v:.0}"),
            Unit::Mib => format!("{v:.1}"),
        };
        let (p50, p95, p99) = if r.n > 1 {
            (num(r.p50), num(r.p95), num(r.p99))
        } else {
            (String::new(), num(r.p95), String::new())
        };
        let target = r.target.map(|t| format!("≤{}", num(t))).unwrap_or_default();
        let ok = match r.ok {
            Some(true) => cat.t("bench.ok"),
            Some(false) => cat.t("bench.missed"),
            None => "",
        };
        println!(
            "{:<32} {unit:<4} {:>4} {p50:>7} {p95:>7} {p99:>7} {target:>7}  {ok}",
            r.name, r.n
        );
    }
}

/// Opening the database (pragmas, schema check): the part of start-up the store owns.
fn open(b: &mut Bench) -> Result<(), Failure> {
    let path = b.ctx.db_path.clone();
    b.time("open.store", Some(50.0), |_| Store::open(&path))
}

/// The journal's first and next page under every sort, both ways.
fn journal(b: &mut Bench) -> Result<(), Failure> {
    const PAGE: usize = 20;
    for sort in SortKey::ALL {
        for descending in [false, true] {
            let q = QueueQuery {
                sort,
                descending,
                ..QueueQuery::default()
            };
            let dir = if descending { "desc" } else { "asc" };
            let store = b.store;
            b.time(
                &format!("journal.first_page.{sort:?}.{dir}").to_lowercase(),
                Some(20.0),
                |_| store.queue_page(&q, &PageFrom::Start, PAGE),
            )?;
            let first = store
                .queue_page(&q, &PageFrom::Start, PAGE)
                .map_err(|e| Failure::from_store(e, &b.ctx.catalog))?;
            if let Some(last) = first.last() {
                let from = PageFrom::After(last.page_key());
                b.time(
                    &format!("journal.next_page.{sort:?}.{dir}").to_lowercase(),
                    Some(20.0),
                    |_| store.queue_page(&q, &from, PAGE),
                )?;
            }
        }
    }
    let q = QueueQuery::default();
    let store = b.store;
    b.time("journal.count", Some(20.0), |_| store.queue_count(&q))
}

/// The client-base report (every manager's base judged), one manager's base, the pool's first
/// page, and the idle clients due.
fn client_base(b: &mut Bench) -> Result<(), Failure> {
    let store = b.store;
    let rules = &b.ctx.rules.client_base;
    let date = b.ctx.today;
    b.time("client_base.report", Some(200.0), |_| {
        store.client_base_report(rules, date)
    })?;
    let managers = store
        .base_managers()
        .map_err(|e| Failure::from_store(e, &b.ctx.catalog))?;
    if !managers.is_empty() {
        b.time("client_base.manager", Some(20.0), |i| {
            store.manager_report(rules, managers[i % managers.len()].staff_id, date)
        })?;
    }
    b.time("client_base.pool_page", Some(20.0), |_| {
        store.pool_page(rules, date, None, None, None, 200)
    })?;
    b.time("client_base.idle_due", Some(200.0), |_| {
        store.idle_due(rules, date)
    })
}
