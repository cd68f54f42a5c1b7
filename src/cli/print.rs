//! `coopdesk print APPLICATION DOCUMENT [--out PATH]`: render a document of an application
//! into the print folder and send it to the print command (or write it where `--out` says);
//! `coopdesk print APPLICATION` (or `list`) names the documents that fit it now.

use super::{Context, Failure};
use crate::docs::print::{self, PrintError, PrintSettings, Recorder};
use crate::docs::{DocKind, Templates};
use crate::store::prints::PrintOutcome;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `[print]` section and the assets folder, as the desk and the command line use them.
pub fn settings(ctx: &Context) -> PrintSettings {
    PrintSettings {
        dir: ctx.config.print.folder(),
        command: ctx.config.print.command.clone(),
        timeout: Duration::from_secs(ctx.config.print.timeout_secs.max(1)),
        assets_dir: ctx.config.assets_dir.clone(),
    }
}

fn failure(e: PrintError, ctx: &Context) -> Failure {
    match e {
        PrintError::Store(e) => Failure::from_store(e, &ctx.catalog),
        // A document that does not fit is a refusal; a broken template is the setup's.
        PrintError::Doc(crate::docs::DocError::NotOffered(_)) => {
            Failure::Refused(e.message(&ctx.catalog))
        }
        PrintError::Doc(_) => Failure::Setup(e.message(&ctx.catalog)),
    }
}

pub fn run(
    ctx: &Context,
    number: &str,
    document: Option<&str>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let mut store = ctx.open_existing_store()?;
    let cat = &ctx.catalog;
    let app = store
        .application_by_number(number.trim())
        .map_err(|e| Failure::from_store(e, cat))?;
    let offered = print::offered_for(&store, &app).map_err(|e| Failure::from_store(e, cat))?;
    let list = |kinds: &[DocKind]| {
        kinds
            .iter()
            .map(|k| k.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let code = match document {
        None | Some("list") => {
            for k in &offered {
                println!("{:<15} {}", k.code(), cat.t(&k.title_key()));
            }
            return Ok(());
        }
        Some(c) => c,
    };
    let Some(kind) = DocKind::from_code(code) else {
        return Err(Failure::Setup(cat.f(
            "doc.cli_unknown",
            &[("document", code), ("list", &list(&DocKind::ALL))],
        )));
    };
    if !offered.contains(&kind) {
        return Err(Failure::Refused(format!(
            "{}: {}. {}",
            app.number,
            crate::docs::DocError::NotOffered(kind.code()).message(cat),
            cat.f("doc.cli_available", &[("list", &list(&offered))])
        )));
    }
    let settings = settings(ctx);
    let templates = Templates::new(settings.assets_dir.as_deref());
    let label = ctx.cli_actor();
    let doc = print::prepare(
        &store,
        &templates,
        &ctx.rules,
        cat,
        &app,
        kind,
        (&label, &label),
        ctx.today,
    )
    .map_err(|e| failure(e, ctx))?;
    let out: Option<PathBuf> = out.map(Path::to_path_buf);
    let done = print::deliver(
        &mut store,
        &settings,
        &doc,
        Recorder::Label(&label),
        out.as_deref(),
        ctx.now(),
    )
    .map_err(|e| failure(e, ctx))?;
    let said = print::summary(cat, &done, &settings.command, None);
    if done.outcome == PrintOutcome::Failed {
        return Err(Failure::Refused(said));
    }
    println!("{said}");
    Ok(())
}

/// `coopdesk bench --only documents`: what the desk waits for between the print key and the
/// preview — the menu (which documents fit) and the contract with its schedule rendered — on
/// the most recently issued loan. A database without one has nothing to measure.
pub fn bench(b: &mut super::bench::Bench) -> Result<(), Failure> {
    let store = b.store;
    let cat = &b.ctx.catalog;
    let id: Option<i64> = store
        .conn()
        .query_row(
            "SELECT application_id FROM loans ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    let Some(id) = id else { return Ok(()) };
    let app = store
        .application(id)
        .map_err(|e| Failure::from_store(e, cat))?;
    b.time("documents.menu", Some(20.0), |_| {
        print::offered_for(store, &app)
    })?;
    let templates = Templates::new(b.ctx.config.assets_dir.as_deref());
    let (rules, today) = (&b.ctx.rules, b.ctx.today);
    b.time("documents.contract_preview", Some(100.0), |_| {
        print::prepare(
            store,
            &templates,
            rules,
            cat,
            &app,
            DocKind::Contract,
            ("bench", "bench"),
            today,
        )
        .map_err(|e| e.message(cat))
    })
}
