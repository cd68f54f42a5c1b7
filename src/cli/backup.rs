//! `coopdesk backup [--to PATH]` and `coopdesk check`; the daily automatic backup.

use super::{Context, Failure};
use crate::store::Store;
use crate::store::backup::{backup_name, backups_in, prune};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Take a backup now: to `to`, or into the backup folder under a dated name, then keep the
/// newest `keep` there.
pub fn backup(ctx: &Context, to: Option<&Path>) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let dest = match to {
        Some(p) => p.to_path_buf(),
        None => ctx
            .config
            .backup
            .dir_for(&ctx.db_path)
            .join(backup_name(&ctx.db_path, ctx.now())),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_message(cat.t("backup.progress").to_string());
        b
    });
    store
        .backup_to(&dest, |done, total| {
            if let Some(b) = &bar {
                b.set_length(total);
                b.set_position(done);
            }
        })
        .map_err(|e| Failure::from_store(e, cat))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if to.is_none() {
        prune(
            &ctx.config.backup.dir_for(&ctx.db_path),
            &ctx.db_path,
            ctx.config.backup.keep.max(1),
        );
    }
    println!(
        "{}",
        cat.f("backup.done", &[("path", &dest.display().to_string())])
    );
    Ok(())
}

/// The first start of a business day takes a backup, unless one of that day exists.
/// Returns where it went; failures are reported by the caller but never stop the desk.
pub fn daily(ctx: &Context, store: &Store) -> Result<Option<PathBuf>, String> {
    let cfg = &ctx.config.backup;
    if !cfg.daily {
        return Ok(None);
    }
    let dir = cfg.dir_for(&ctx.db_path);
    let day = crate::store::fmt_date(ctx.today);
    let stem = ctx
        .db_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let have = backups_in(&dir, &ctx.db_path).iter().any(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(&format!("{stem}-{day}-")))
    });
    if have {
        return Ok(None);
    }
    let dest = dir.join(backup_name(&ctx.db_path, ctx.now()));
    store
        .backup_to(&dest, |_, _| {})
        .map_err(|e| e.message(&ctx.catalog))?;
    prune(&dir, &ctx.db_path, cfg.keep.max(1));
    Ok(Some(dest))
}

/// `coopdesk check`: integrity and foreign keys; exit 3 when anything is wrong.
pub fn check(ctx: &Context) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let store = ctx.open_existing_store()?;
    let report = store.check().map_err(|e| Failure::from_store(e, cat))?;
    let db = ctx.db_path.display().to_string();
    if report.is_ok() {
        println!("{}", cat.f("backup.check_ok", &[("db", &db)]));
        return Ok(());
    }
    for line in &report.integrity {
        println!("integrity_check: {line}");
    }
    for line in &report.foreign_keys {
        println!("foreign_key_check: {line}");
    }
    Err(Failure::Store(cat.f(
        "backup.check_failed",
        &[
            ("db", &db),
            (
                "n",
                &(report.integrity.len() + report.foreign_keys.len()).to_string(),
            ),
        ],
    )))
}
