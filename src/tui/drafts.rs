//! Unsaved work survives a dropped SSH link: on SIGHUP/SIGTERM an open, changed application
//! dialog is written to a draft file beside the database, and offered back the next time
//! that person opens the same application (or starts a new one).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every field of the dialog's forms, by field code, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub login: String,
    /// The application's id; absent for a new one.
    pub application: Option<i64>,
    pub fields: BTreeMap<String, String>,
}

/// The folder of drafts for a database file: `<db>.drafts/`.
pub fn dir_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".drafts");
    db.with_file_name(name)
}

fn file_name(login: &str, application: Option<i64>) -> String {
    match application {
        Some(id) => format!("{login}-{id}.toml"),
        None => format!("{login}-new.toml"),
    }
}

/// Make the drafts folder shared as the database is: with `[security] group` the database is
/// 0660 and the group's, and every desk account of the group must be able to keep its drafts
/// here (2770, that group); otherwise owner-only (0700).
fn make_folder(dir: &Path) -> std::io::Result<()> {
    let mut group = None;
    #[cfg(unix)]
    if let Some(name) = dir.file_name().and_then(|n| n.to_str())
        && let Some(db) = name.strip_suffix(".drafts")
    {
        use std::os::unix::fs::MetadataExt;
        group = std::fs::metadata(dir.with_file_name(db))
            .ok()
            .filter(|m| m.mode() & 0o060 != 0)
            .map(|m| m.gid());
    }
    crate::store::files::FileAccess { group }.make_dir(dir)
}

pub fn save(dir: &Path, d: &Draft) -> std::io::Result<PathBuf> {
    make_folder(dir)?;
    let path = dir.join(file_name(&d.login, d.application));
    let text = toml::to_string(d).map_err(std::io::Error::other)?;
    // Write then rename, so a half-written draft never replaces a whole one. A draft holds
    // what was typed about a borrower (passport, phone, address): owner-only, like the
    // database.
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    std::io::Write::write_all(&mut open.open(&tmp)?, text.as_bytes())?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Take the draft for this person and application, removing its file.
pub fn take(dir: &Path, login: &str, application: Option<i64>) -> Option<Draft> {
    let path = dir.join(file_name(login, application));
    let text = std::fs::read_to_string(&path).ok()?;
    let d: Draft = toml::from_str(&text).ok()?;
    let _ = std::fs::remove_file(&path);
    (d.login == login && d.application == application).then_some(d)
}

/// Applications this person left drafts for (None: a new application).
pub fn pending(dir: &Path, login: &str) -> Vec<Option<i64>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let prefix = format!("{login}-");
    let mut out: Vec<Option<i64>> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| {
            n.strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(".toml"))
                .map(str::to_string)
        })
        .filter_map(|rest| {
            if rest == "new" {
                Some(None)
            } else {
                rest.parse().ok().map(Some)
            }
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_round_trips_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut fields = BTreeMap::new();
        fields.insert("last_name".into(), "Иванов \"Пётр\"".into());
        let d = Draft {
            login: "man".into(),
            application: Some(7),
            fields,
        };
        let path = save(dir.path(), &d).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "a draft is owner-only: {mode:o}");
        }
        assert_eq!(pending(dir.path(), "man"), vec![Some(7)]);
        assert!(pending(dir.path(), "insp").is_empty());
        assert_eq!(take(dir.path(), "man", Some(7)), Some(d));
        assert_eq!(take(dir.path(), "man", Some(7)), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_is_shared_as_the_database_is() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let d = Draft {
            login: "man".into(),
            application: None,
            fields: BTreeMap::new(),
        };
        for (db_mode, folder_mode) in [(0o600, 0o700), (0o660, 0o2770)] {
            let tmp = tempfile::tempdir().unwrap();
            let db = tmp.path().join("coop.db");
            std::fs::write(&db, "").unwrap();
            std::fs::set_permissions(&db, std::fs::Permissions::from_mode(db_mode)).unwrap();
            let dir = dir_for(&db);
            save(&dir, &d).unwrap();
            let m = std::fs::metadata(&dir).unwrap();
            assert_eq!(m.mode() & 0o7777, folder_mode, "database {db_mode:o}");
            assert_eq!(m.gid(), std::fs::metadata(&db).unwrap().gid());
        }
    }

    #[test]
    fn the_folder_sits_beside_the_database() {
        assert_eq!(
            dir_for(Path::new("/srv/c/coop.db")),
            PathBuf::from("/srv/c/coop.db.drafts")
        );
    }
}
