//! The configuration file: where the database is, which language and theme, security limits.
//! No file means the defaults; `config.example.toml` documents every key.

use crate::tomlfile::{self, FileError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    #[default]
    Color,
    Mono,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `ru` (default), `en`, `uk`.
    pub language: String,
    /// The database file; default `<data dir>/coopdesk.db`.
    pub database: Option<PathBuf>,
    pub theme: ThemeChoice,
    /// Draw borders and symbols with plain ASCII.
    pub ascii: bool,
    /// A folder holding edited copies of `rules/`, `i18n/` (each file optional).
    pub assets_dir: Option<PathBuf>,
    pub security: Security,
    pub queue: QueueConfig,
    pub scoring: ScoringConfig,
    pub backup: BackupConfig,
    pub print: PrintConfig,
    pub privacy: Privacy,
    pub ui: UiConfig,
}

/// How the interface behaves over the link (`[ui]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Milliseconds without a key before the member search's result list is replaced by the
    /// results for what was typed (each letter is echoed at once); 0: after every letter.
    pub search_settle_ms: u64,
}

/// The section of [`UiConfig`] in the file.
const UI_SECTION: &str = "ui";

/// The longest settle interval accepted: past it, the results would seem not to come.
pub const MAX_SEARCH_SETTLE_MS: u64 = 2000;

impl Default for UiConfig {
    fn default() -> Self {
        UiConfig {
            search_settle_ms: 150,
        }
    }
}

impl UiConfig {
    /// The settle interval of the member search.
    pub fn search_settle(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.search_settle_ms)
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Where backups go; default `backups/` beside the database.
    pub dir: Option<PathBuf>,
    /// How many backups to keep (the oldest are removed).
    pub keep: usize,
    /// Take one automatically at the first start of each business day.
    pub daily: bool,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            dir: None,
            keep: 14,
            daily: true,
        }
    }
}

/// Personal data (ФЗ-152): who sees a member's passport, birth date, addresses and phone in
/// full; everyone else sees them masked and reveals them with an explicit, recorded key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Privacy {
    /// Role codes: manager, inspector, cashier, head, admin.
    pub full_access_roles: Vec<String>,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            full_access_roles: vec!["inspector".into(), "head".into()],
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintConfig {
    /// Where documents are written; default `<data dir>/documents`.
    pub dir: Option<PathBuf>,
    /// The print command, the file's path appended (`lp -d DESK1`); empty: files only.
    pub command: String,
    /// Seconds the print command may take before it is stopped and the print marked failed.
    pub timeout_secs: u64,
}

impl Default for PrintConfig {
    fn default() -> Self {
        PrintConfig {
            dir: None,
            command: String::new(),
            timeout_secs: 15,
        }
    }
}

impl BackupConfig {
    /// The backup folder for the database at `db`.
    pub fn dir_for(&self, db: &Path) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| {
            db.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| p.join("backups"))
                .unwrap_or_else(|| PathBuf::from("backups"))
        })
    }
}

impl PrintConfig {
    /// The folder documents are written to.
    pub fn folder(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| {
            project_dirs()
                .map(|d| d.data_dir().join("documents"))
                .unwrap_or_else(|| PathBuf::from("documents"))
        })
    }
}

impl Privacy {
    /// The roles, as the domain knows them.
    pub fn roles(&self) -> Vec<crate::domain::Role> {
        self.full_access_roles
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    pub max_failed_logins: u32,
    pub lockout_minutes: u32,
    /// An OS group that shares the database and backups: new files are made 0660 and given
    /// this group. None: owner-only (0600).
    pub group: Option<String>,
}

impl Security {
    /// How the store makes its files; `Err(name)` when the group is not on this system.
    pub fn file_access(&self) -> Result<crate::store::files::FileAccess, String> {
        match self.group.as_deref() {
            None => Ok(Default::default()),
            Some(name) => crate::store::files::group_id(name)
                .map(|gid| crate::store::files::FileAccess { group: Some(gid) })
                .ok_or_else(|| name.to_string()),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// Overrides of `assets/rules/queue.toml` `[time_limits]`, in working days.
    pub time_limits: BTreeMap<String, Spanned<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringConfig {
    /// Id of the active scorecard: `<assets_dir>/scorecards/<id>.toml`, else the shipped card
    /// of that id (`default`). Empty: no card is active and applications are not scored.
    pub card: String,
    /// Pin a version of the card (`<assets_dir>/scorecards/<id>-v<version>.toml`, else
    /// `<id>.toml`, which must then be that version). 0: whatever version the card file has.
    pub version: u32,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        ScoringConfig {
            card: "default".into(),
            version: 0,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            language: "ru".into(),
            database: None,
            theme: ThemeChoice::Color,
            ascii: false,
            assets_dir: None,
            security: Security::default(),
            queue: QueueConfig::default(),
            scoring: ScoringConfig::default(),
            backup: BackupConfig::default(),
            print: PrintConfig::default(),
            privacy: Privacy::default(),
            ui: UiConfig::default(),
        }
    }
}

impl Default for Security {
    fn default() -> Self {
        Security {
            max_failed_logins: 5,
            lockout_minutes: 5,
            group: None,
        }
    }
}

pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("ru", "coopdesk", "coopdesk")
}

/// The config file coopdesk reads when no `--config` is given.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The database used when neither `--db` nor the config names one.
pub fn default_db_path() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().join("coopdesk.db"))
        .unwrap_or_else(|| PathBuf::from("coopdesk.db"))
}

impl Config {
    /// Read `explicit` (which must exist), or the default file if it exists, or the defaults.
    /// Also returns the file's path and text, for errors found later (time limits).
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<(String, String)>), FileError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => default_config_path().filter(|p| p.exists()),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let name = path.display().to_string();
        let src = std::fs::read_to_string(&path).map_err(|e| FileError {
            file: name.clone(),
            line: 1,
            key: String::new(),
            message: e.to_string(),
        })?;
        let cfg: Config = tomlfile::parse(&name, &src)?;
        if !["ru", "en", "uk"].contains(&cfg.language.as_str()) {
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with("language"))
                .map(|i| i + 1)
                .unwrap_or(1);
            return Err(FileError {
                file: name,
                line,
                key: "language".into(),
                message: "must be one of ru, en, uk".into(),
            });
        }
        if cfg.security.max_failed_logins == 0 {
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with("max_failed_logins"))
                .map(|i| i + 1)
                .unwrap_or(1);
            return Err(FileError {
                file: name,
                line,
                key: "security.max_failed_logins".into(),
                message: "must be at least 1".into(),
            });
        }
        if let Err(group) = cfg.security.file_access() {
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with("group"))
                .map(|i| i + 1)
                .unwrap_or(1);
            return Err(FileError {
                file: name,
                line,
                key: "security.group".into(),
                message: format!("no group {group:?} on this system"),
            });
        }
        if let Some(bad) = cfg
            .privacy
            .full_access_roles
            .iter()
            .find(|r| r.parse::<crate::domain::Role>().is_err())
        {
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with("full_access_roles"))
                .map(|i| i + 1)
                .unwrap_or(1);
            return Err(FileError {
                file: name,
                line,
                key: "privacy.full_access_roles".into(),
                message: format!(
                    "unknown role {bad:?}: one of manager, inspector, cashier, head, admin"
                ),
            });
        }
        if cfg.ui.search_settle_ms > MAX_SEARCH_SETTLE_MS {
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with("search_settle_ms"))
                .map(|i| i + 1)
                .unwrap_or(1);
            return Err(FileError {
                file: name,
                line,
                // Spelt from the section's name: `"ui.…"` would read as a catalog key.
                key: format!("{UI_SECTION}.search_settle_ms"),
                message: format!(
                    "{} ms is too long: at most {MAX_SEARCH_SETTLE_MS} (0 shows results after every letter)",
                    cfg.ui.search_settle_ms
                ),
            });
        }
        Ok((cfg, Some((name, src))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_is_valid_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, include_str!("../config.example.toml")).unwrap();
        let (c, _) = Config::load(Some(&p)).unwrap();
        assert_eq!(c.language, "ru");
        assert_eq!(c.security.max_failed_logins, 5);
        assert_eq!(c.scoring.card, "default");
        assert_eq!(c.print.command, "");
        assert_eq!(c.print.timeout_secs, 15);
        assert_eq!(c.privacy.roles(), Privacy::default().roles());
        assert_eq!(c.ui.search_settle_ms, UiConfig::default().search_settle_ms);
    }

    #[test]
    fn a_bad_key_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "language = \"ru\"\n[security]\nmax_failed_login = 3\n").unwrap();
        let e = Config::load(Some(&p)).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "max_failed_login"));
        std::fs::write(&p, "language = \"fr\"\n").unwrap();
        assert_eq!(Config::load(Some(&p)).unwrap_err().key, "language");
        std::fs::write(&p, "[privacy]\nfull_access_roles = [\"boss\"]\n").unwrap();
        let e = Config::load(Some(&p)).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "privacy.full_access_roles"));
        std::fs::write(&p, "[ui]\nsearch_settle_ms = 5000\n").unwrap();
        let e = Config::load(Some(&p)).unwrap_err();
        assert_eq!(
            (e.line, e.key),
            (2, format!("{UI_SECTION}.search_settle_ms"))
        );
        assert!(e.message.contains("5000"), "{}", e.message);
        std::fs::write(&p, "[ui]\nsearch_settle_ms = -1\n").unwrap();
        assert_eq!(Config::load(Some(&p)).unwrap_err().line, 2);
        std::fs::write(&p, "[ui]\nsearch_settle_ms = 0\n").unwrap();
        assert_eq!(Config::load(Some(&p)).unwrap().0.ui.search_settle_ms, 0);
        std::fs::write(
            &p,
            "[security]\nlockout_minutes = 5\ngroup = \"no-such-group-coopdesk\"\n",
        )
        .unwrap();
        let e = Config::load(Some(&p)).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "security.group"));
        assert!(
            e.message.contains("no-such-group-coopdesk"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        assert!(Config::load(Some(Path::new("/nonexistent/c.toml"))).is_err());
    }
}
