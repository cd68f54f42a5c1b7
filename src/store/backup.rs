//! Backups and checks of the database file: an online copy with SQLite's backup API (the
//! desks keep working while it runs), kept N deep, and `integrity_check` with
//! `foreign_key_check` for `coopdesk check`.

use super::{Result, Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `check` found; empty lists mean the file is sound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Lines of `PRAGMA integrity_check` other than `ok`.
    pub integrity: Vec<String>,
    /// `table rowid → parent` for each row whose foreign key points at nothing.
    pub foreign_keys: Vec<String>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.integrity.is_empty() && self.foreign_keys.is_empty()
    }
}

/// The file name of a backup taken at `at`: sorts by time, says what it is.
pub fn backup_name(db: &Path, at: NaiveDateTime) -> String {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "coopdesk".into());
    format!("{stem}-{}.db", at.format("%Y-%m-%d-%H%M%S-%3f"))
}

/// Backups of `db` in `dir`, oldest first.
pub fn backups_in(dir: &Path, db: &Path) -> Vec<PathBuf> {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "coopdesk".into());
    let prefix = format!("{stem}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&prefix)
                    && n.ends_with(".db")
                    && n[prefix.len()..n.len() - 3].len() == "2026-11-23-120000-000".len()
            })
        })
        .collect();
    found.sort();
    found
}

/// Remove the oldest backups so that `keep` remain; returns the ones removed.
pub fn prune(dir: &Path, db: &Path, keep: usize) -> Vec<PathBuf> {
    let all = backups_in(dir, db);
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for p in all.into_iter().take(excess) {
        if std::fs::remove_file(&p).is_ok() {
            removed.push(p);
        }
    }
    removed
}

/// Owner-only permissions for a file holding members' personal data.
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl Store {
    /// Copy the database, online, to `dest` (written beside it under a temporary name and
    /// renamed when complete, so a half-made backup never looks like a backup).
    /// `progress(done_pages, total_pages)` is called as it goes.
    pub fn backup_to(&self, dest: &Path, mut progress: impl FnMut(u64, u64)) -> Result<()> {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            self.files
                .make_dir(dir)
                .map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        let partial = dest.with_extension("db.partial");
        let _ = std::fs::remove_file(&partial);
        let result = (|| -> Result<()> {
            let mut out = Connection::open(&partial)?;
            self.files
                .apply(&partial)
                .map_err(|e| StoreError::Io(format!("{}: {e}", partial.display())))?;
            {
                let b = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
                loop {
                    let step = b.step(256)?;
                    let p = b.progress();
                    progress(
                        (p.pagecount - p.remaining).max(0) as u64,
                        p.pagecount.max(0) as u64,
                    );
                    match step {
                        rusqlite::backup::StepResult::Done => break,
                        rusqlite::backup::StepResult::More => {}
                        // Another desk holds the lock for a moment: wait, then go on.
                        _ => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
            // A backup is one self-contained file.
            out.pragma_update(None, "journal_mode", "DELETE")?;
            let ok: String = out.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            if ok != "ok" {
                return Err(StoreError::Io(format!("{}: {ok}", partial.display())));
            }
            Ok(())
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::rename(&partial, dest)
            .map_err(|e| StoreError::Io(format!("{}: {e}", dest.display())))?;
        Ok(())
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check` over the whole file.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                report.integrity.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "{} {} -> {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
                r.get::<_, String>(2)?
            ))
        })?;
        for r in rows {
            report.foreign_keys.push(r?);
        }
        Ok(report)
    }
}

/// Open a backup read-only (to check it, or to restore from it by hand).
pub fn open_read_only(path: &Path) -> Result<Connection> {
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}
