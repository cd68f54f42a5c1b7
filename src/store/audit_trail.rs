//! The trail of one application or one member, gathered from every append-only table that
//! speaks of it (`008_audit.sql` makes them refuse UPDATE and DELETE): who did what, when,
//! and what it was before and after.

use super::{Result, Store, StoreError, fmt_time};
use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Transaction, params};

/// What a trail is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Application(i64),
    Member(i64),
}

/// One line of a trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TrailEntry {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub actor: String,
    /// Where it was written: `application`, `print`, `audit`, `view`, `assignment`,
    /// `contact`, `cash`.
    pub source: &'static str,
    /// What was done: the history row's kind or the audit's action.
    pub action: String,
    /// What changed (`field: before → after`), or what was done, in the row's own words.
    pub detail: String,
}

/// An audit row about a member or an application (before/after in `detail`).
pub(crate) fn audit_about(
    tx: &Transaction,
    at: NaiveDateTime,
    actor: &str,
    action: &str,
    detail: &str,
    subject: Subject,
) -> Result<()> {
    let (member, application) = match subject {
        Subject::Member(id) => (Some(id), None),
        Subject::Application(id) => (None, Some(id)),
    };
    tx.prepare_cached(
        "INSERT INTO audit(at, actor, action, detail, member_id, application_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        fmt_time(at),
        actor,
        action,
        detail,
        member,
        application
    ])?;
    Ok(())
}

/// `field: before → after` for each pair that differs, joined by `; `.
pub(crate) fn changes(pairs: &[(&str, &str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, a, b)| a != b)
        .map(|(f, a, b)| format!("{f}: {a} → {b}"))
        .collect::<Vec<_>>()
        .join("; ")
}

const APPLICATION_TRAIL: &str = "
    SELECT at, actor, 'application', kind,
           trim(COALESCE(from_status || ' → ', '') || COALESCE(to_status, '')
                || CASE WHEN comment <> '' THEN ' ' || comment ELSE '' END), id, 0
    FROM application_events WHERE application_id = ?1
    UNION ALL
    SELECT at, actor, 'print', document, outcome || ' ' || file
           || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END, id, 1
    FROM prints WHERE application_id = ?1
    UNION ALL
    SELECT at, actor, 'audit', action, detail, id, 2 FROM audit WHERE application_id = ?1
    ORDER BY 1, 7, 6";

const MEMBER_TRAIL: &str = "
    SELECT at, actor, 'audit', action, detail, id, 0 FROM audit WHERE member_id = ?1
    UNION ALL
    SELECT at, actor, 'view', 'personal_data.shown', '', id, 1
    FROM personal_data_views WHERE member_id = ?1
    UNION ALL
    SELECT h.at, h.actor, 'assignment', h.reason,
           COALESCE(f.login, '—') || ' → ' || COALESCE(t.login, '—')
           || CASE WHEN h.memo <> '' THEN ' (' || h.memo || ')' ELSE '' END, h.id, 2
    FROM assignment_history h
    LEFT JOIN staff f ON f.id = h.from_staff_id LEFT JOIN staff t ON t.id = h.to_staff_id
    WHERE h.member_id = ?1
    UNION ALL
    SELECT at, actor, 'contact', kind,
           trim(direction || ' ' || temperature || ' ' || outcome)
           || CASE WHEN comment <> '' THEN ': ' || comment ELSE '' END, id, 3
    FROM contacts WHERE member_id = ?1
    UNION ALL
    SELECT at, actor, 'cash', kind,
           '№ ' || number || ' ' || printf('%d.%02d', amount / 100, amount % 100)
           || CASE WHEN receipt_no <> '' THEN ' (' || receipt_no || ')' ELSE '' END, id, 4
    FROM cash_orders WHERE member_id = ?1
    UNION ALL
    SELECT e.at, e.actor, 'application', e.kind,
           a.number || ' ' || trim(COALESCE(e.from_status || ' → ', '') || COALESCE(e.to_status, '')),
           e.id, 5
    FROM application_events e JOIN applications a ON a.id = e.application_id
    WHERE a.member_id = ?1 AND e.kind = 'status'
    ORDER BY 1, 7, 6";

impl Store {
    /// Everything recorded about an application or a member, oldest first.
    pub fn trail(&self, subject: Subject) -> Result<Vec<TrailEntry>> {
        let (sql, id) = match subject {
            Subject::Application(id) => (APPLICATION_TRAIL, id),
            Subject::Member(id) => (MEMBER_TRAIL, id),
        };
        let exists: Option<i64> = self
            .conn
            .query_row(
                match subject {
                    Subject::Application(_) => "SELECT id FROM applications WHERE id = ?1",
                    Subject::Member(_) => "SELECT id FROM members WHERE id = ?1",
                },
                [id],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map([id], |r| {
                let source: String = r.get(2)?;
                Ok(TrailEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    source: match source.as_str() {
                        "application" => "application",
                        "print" => "print",
                        "view" => "view",
                        "assignment" => "assignment",
                        "contact" => "contact",
                        "cash" => "cash",
                        _ => "audit",
                    },
                    action: r.get(3)?,
                    detail: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
