//! All SQL lives here. The store opens the database with the pragmas money needs, applies the
//! migrations, and runs every user action as one `BEGIN IMMEDIATE` transaction in which the
//! role check, the change, its history row and its side effects happen together.

pub mod applications;
pub mod audit_trail;
pub mod backup;
pub mod client_base;
pub mod demo;
pub mod files;
pub mod members;
pub mod money_sql;
pub mod prints;
pub mod rating;
pub mod scores;
pub mod staff;
pub mod turns;

use crate::domain::Role;
use crate::domain::application::Refusal;
use crate::domain::validate::FieldError;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_init.sql"),
    include_str!("migrations/002_scores.sql"),
    include_str!("migrations/003_crm.sql"),
    include_str!("migrations/004_members.sql"),
    include_str!("migrations/005_rating.sql"),
    include_str!("migrations/006_documents.sql"),
    include_str!("migrations/007_client_base.sql"),
    include_str!("migrations/008_audit.sql"),
    include_str!("migrations/009_speed.sql"),
    include_str!("migrations/010_activity.sql"),
    include_str!("migrations/011_loan_assignment.sql"),
    include_str!("migrations/012_card_sales.sql"),
    include_str!("migrations/013_checks_without_lists.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// `execute` and `query_row` through the connection's statement cache. Store writes run the
/// same few statements over and over (every application step, every member joining); rusqlite's
/// plain `execute`/`query_row` parse and plan the SQL again each time, which was a tenth of a
/// demo build's time.
pub(crate) trait CachedSql {
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn one<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl CachedSql for Connection {
    fn exec<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn one<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

pub const TIME_FMT: &str = "%Y-%m-%d %H:%M:%S";
pub const DATE_FMT: &str = "%Y-%m-%d";

/// `t` as [`TIME_FMT`] writes it. Written digit by digit: chrono reads the format string
/// again at every call, and `format!` pads each number through a formatter; every history
/// row, receipt, event and month of turnover takes a time or a date (a tenth of the demo's
/// client-base fill went to writing dates).
pub fn fmt_time(t: NaiveDateTime) -> String {
    let (day, time) = (t.date(), t.time());
    // Years outside four digits and leap seconds are left to chrono's own rules.
    if !(0..=9999).contains(&day.year()) || time.nanosecond() >= 1_000_000_000 {
        return t.format(TIME_FMT).to_string();
    }
    let mut out = String::with_capacity(19);
    push_date(&mut out, day);
    for (sep, n) in [
        (' ', time.hour()),
        (':', time.minute()),
        (':', time.second()),
    ] {
        out.push(sep);
        push_digits(&mut out, n, 2);
    }
    out
}

/// `d` as [`DATE_FMT`] writes it, digit by digit for the same reason as [`fmt_time`].
pub fn fmt_date(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return d.format(DATE_FMT).to_string();
    }
    let mut out = String::with_capacity(10);
    push_date(&mut out, d);
    out
}

/// `YYYY-MM-DD` for a year of four digits.
fn push_date(out: &mut String, d: NaiveDate) {
    push_digits(out, d.year().unsigned_abs(), 4);
    out.push('-');
    push_digits(out, d.month(), 2);
    out.push('-');
    push_digits(out, d.day(), 2);
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

pub fn parse_time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, TIME_FMT).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The acting person lacks the role for this action (catalog key of the action).
    #[error("forbidden: needs {0}")]
    Forbidden(Role),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Someone saved the record after it was opened.
    #[error("changed by {by} at {at}")]
    Conflict { by: String, at: String },
    #[error("not found")]
    NotFound,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("locked until {0}")]
    Locked(String),
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("database schema {found} is newer than this program ({supported})")]
    NewerSchema { found: u32, supported: u32 },
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("{0}")]
    Io(String),
    /// A client-base change breaks the norms (DOMAIN §6): every rule it breaks.
    #[error("client-base norms: {0:?}")]
    Base(Vec<crate::domain::client_base::Refusal>),
}

impl StoreError {
    /// A sentence for a person, in the catalog's language.
    pub fn message(&self, cat: &crate::i18n::Catalog) -> String {
        match self {
            StoreError::Sqlite(e) if is_busy(e) => cat.t("err.db_busy").to_string(),
            StoreError::Sqlite(e) if fault_key(e).is_some() => cat.f(
                fault_key(e).unwrap_or("err.db"),
                &[("detail", &e.to_string())],
            ),
            StoreError::Sqlite(e) => cat.f("err.db", &[("detail", &e.to_string())]),
            StoreError::Refused(r) => match r {
                Refusal::RoleRequired(role) => cat.f(
                    r.key(),
                    &[("role", cat.t(&format!("role.{}", role.code())))],
                ),
                _ => cat.t(r.key()).to_string(),
            },
            StoreError::Forbidden(role) => cat.f(
                "refuse.role_required",
                &[("role", cat.t(&format!("role.{}", role.code())))],
            ),
            StoreError::Invalid(errs) => errs
                .iter()
                .map(|e| field_error_text(cat, e))
                .collect::<Vec<_>>()
                .join("; "),
            StoreError::Conflict { by, at } => cat.f("err.conflict", &[("by", by), ("at", at)]),
            StoreError::NotFound => cat.t("err.not_found").to_string(),
            StoreError::BadCredentials => cat.t("login.bad_credentials").to_string(),
            StoreError::Locked(until) => cat.f("login.locked", &[("until", until)]),
            StoreError::Duplicate(what) => cat.f("err.duplicate", &[("what", what)]),
            StoreError::NewerSchema { found, supported } => cat.f(
                "err.newer_schema",
                &[
                    ("found", &found.to_string()),
                    ("supported", &supported.to_string()),
                ],
            ),
            StoreError::Hash(e) => cat.f("err.db", &[("detail", e)]),
            StoreError::Io(e) => cat.f("err.io", &[("detail", e)]),
            StoreError::Base(refusals) => refusals
                .iter()
                .map(|r| {
                    let params = r.params();
                    let args: Vec<(&str, &str)> =
                        params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    cat.f(&format!("cb_refuse.{}", r.code()), &args)
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// «Field: reason» for one refused field.
pub fn field_error_text(cat: &crate::i18n::Catalog, e: &FieldError) -> String {
    let key = format!("field.{}", e.field);
    // Fields of the sales rating are named in its own catalog section.
    let rating_key = format!("rating.field.{}", e.field);
    let label = if !cat.has(&key) && cat.has(&rating_key) {
        cat.t(&rating_key).to_string()
    } else {
        cat.t(&key).to_string()
    };
    let reason = match &e.detail {
        Some(d) => cat.f(e.reason, &[("detail", d)]),
        None => cat.t(e.reason).to_string(),
    };
    format!("{label}: {reason}")
}

/// The catalog key for a fault of the file or the disk, said in words a clerk can act on.
fn fault_key(e: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode as C;
    match e {
        rusqlite::Error::SqliteFailure(f, _) => match f.code {
            C::ReadOnly => Some("err.db_readonly"),
            C::DiskFull => Some("err.disk_full"),
            C::SystemIoFailure => Some("err.db_io"),
            C::CannotOpen => Some("err.db_cantopen"),
            C::NotADatabase | C::DatabaseCorrupt => Some("err.db_corrupt"),
            _ => None,
        },
        _ => None,
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The person acting: who they are, as established at login.
/// Their roles are read again inside every write, so a forged or stale `Actor` gains nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub staff_id: i64,
    pub login: String,
    pub name: String,
    pub office_id: i64,
    pub office_code: String,
    pub roles: Vec<Role>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Writes are rolled back instead of committed (see [`Store::set_rollback_writes`]).
    rollback_writes: bool,
    /// The queue in which this database's writers take turns (see [`turns`]).
    turns: Option<turns::Turns>,
    /// How the files it makes (backups) are shared.
    files: files::FileAccess,
}

impl Store {
    /// Open (creating if needed) and bring the schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, files::FileAccess::default())
    }

    /// [`Store::open`], making new files (the database, backups) as `access` says.
    pub fn open_with(path: &Path, access: files::FileAccess) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("{}: {e}", dir.display())),
                ))
            })?;
        }
        // A new database holds members' personal data from its first row: owner-only (or
        // owner and the configured group) from the start (SQLite gives its -wal and -shm
        // files the same permissions).
        #[cfg(unix)]
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            let made = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path);
            if made.is_ok() {
                access
                    .apply(path)
                    .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_handler(Some(wait_for_lock))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // One user action runs a few dozen distinct statements (the check, the change, its
        // history, side effects); rusqlite keeps 16, so a step would parse some again.
        conn.set_prepared_statement_cache_capacity(128);
        members::register_functions(&conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            rollback_writes: false,
            turns: turns::Turns::open(path),
            files: access,
        };
        store.migrate()?;
        access
            .adopt_sidecars(path)
            .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let current: u32 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        if current < SCHEMA_VERSION {
            // Rebuilding a table (a changed CHECK) needs foreign keys off; each migration
            // checks them itself before it commits.
            self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        }
        let result = self.apply_migrations(current);
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        result
    }

    fn apply_migrations(&mut self, current: u32) -> Result<()> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let now: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if now > i as u32 {
                tx.commit()?;
                continue;
            }
            tx.execute_batch(sql)?;
            let broken: Option<String> = tx
                .one("PRAGMA foreign_key_check", [], |r| r.get(0))
                .optional()?;
            if let Some(table) = broken {
                return Err(StoreError::Io(format!(
                    "migration {}: foreign keys broken in {table}",
                    i + 1
                )));
            }
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Run `f` as one write transaction, taken with `BEGIN IMMEDIATE` so that it never fails
    /// half-way for a lock; all of it commits or none.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        // In the order the writers came, then SQLite's own lock (held until the end of this
        // function, after the commit or the rollback).
        let _turn = self.turns.as_ref().map(|t| t.wait(LOCK_WAIT));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        if self.rollback_writes {
            tx.rollback()?;
        } else {
            tx.commit()?;
        }
        Ok(out)
    }

    /// Roll every write back instead of committing it: `coopdesk bench` times the real write
    /// paths (locks, checks, rows, history) on a database it must leave as it found it.
    pub(crate) fn set_rollback_writes(&mut self, on: bool) {
        self.rollback_writes = on;
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// How long a write waits for another desk's transaction before it gives up.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// SQLite's own busy timeout polls with sleeps growing to 100 ms, so under many desks a
/// writer that was unlucky once keeps sleeping past free moments and waits for seconds. Poll
/// briefly instead (the lock is held for milliseconds), up to [`LOCK_WAIT`] in all.
fn wait_for_lock(attempt: i32) -> bool {
    const STEP: Duration = Duration::from_micros(500);
    if STEP * (attempt.max(0) as u32) >= LOCK_WAIT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

/// Next value of a named counter (application, member, contract and cash-order numbers).
/// Two statements, not an upsert with RETURNING: SQLite keeps returned rows in a temporary
/// table, which made the demo's bulk fill a tenth slower.
pub(crate) fn next_counter(tx: &Transaction, name: &str) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO counters(name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
    )?
    .execute([name])?;
    Ok(tx
        .prepare_cached("SELECT value FROM counters WHERE name = ?1")?
        .query_row([name], |r| r.get(0))?)
}

/// The acting person's roles as the database has them now. An `Actor` whose login does not
/// match its staff id (forged or stale) has none, so history never names the wrong person.
pub(crate) fn current_roles(tx: &Transaction, actor: &Actor) -> Result<Vec<Role>> {
    let mut stmt = tx.prepare_cached(
        "SELECT r.role FROM staff_roles r JOIN staff s ON s.id = r.staff_id
         WHERE r.staff_id = ?1 AND s.login = ?2 AND s.active = 1",
    )?;
    let roles = stmt
        .query_map(params![actor.staff_id, actor.login], |r| {
            r.get::<_, String>(0)
        })?
        .filter_map(|r| r.ok().and_then(|s| s.parse().ok()))
        .collect();
    Ok(roles)
}

pub(crate) fn audit(
    tx: &Transaction,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<()> {
    tx.exec(
        "INSERT INTO audit(at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
        (fmt_time(at), actor, action, detail),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    #[test]
    fn counters_count_from_one_each_on_its_own() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            .unwrap();
        let tx = conn.transaction().unwrap();
        let taken: Vec<i64> = ["member", "member", "cash_order", "member", "cash_order"]
            .iter()
            .map(|n| next_counter(&tx, n).unwrap())
            .collect();
        assert_eq!(taken, [1, 2, 1, 3, 2]);
    }

    #[test]
    fn times_are_written_as_the_format_says() {
        let days = [
            (0, 1, 1),
            (999, 12, 31),
            (2026, 2, 28),
            (2024, 2, 29),
            (9999, 12, 31),
        ];
        let times = [
            (0, 0, 0, 0),
            (9, 5, 7, 0),
            (23, 59, 59, 999_999_999),
            (23, 59, 59, 1_500_000_000),
        ];
        let far = [(-1, 6, 15), (10_000, 1, 1)];
        for (y, m, d) in days.into_iter().chain(far) {
            for (h, mi, s, nano) in times {
                let t = NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_time(NaiveTime::from_hms_nano_opt(h, mi, s, nano).unwrap());
                assert_eq!(fmt_time(t), t.format(TIME_FMT).to_string(), "{t:?}");
                assert_eq!(fmt_date(t.date()), t.format(DATE_FMT).to_string(), "{t:?}");
                if (0..=9999).contains(&y) && nano < 1_000_000_000 {
                    assert_eq!(parse_time(&fmt_time(t)), t.with_nanosecond(0).unwrap());
                }
            }
        }
    }
}
