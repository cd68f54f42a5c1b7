//! The trail of one application or one member, gathered from every append-only table that
//! speaks of it (`008_audit.sql` makes them refuse UPDATE and DELETE): who did what, when,
//! and what it was before and after.

use super::{Actor, Result, Store, StoreError, current_roles, fmt_time};
use crate::domain::Role;
use crate::domain::member;
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

// The unions are written once, as macros, so that the whole trail (oldest first, for the CLI)
// and one page of it (newest first, for the screen) are both fixed SQL text.
macro_rules! application_union {
    () => {
        "
    SELECT at, actor, 'application', kind,
           trim(COALESCE(from_status || ' → ', '') || COALESCE(to_status, '')
                || CASE WHEN comment <> '' THEN ' ' || comment ELSE '' END), id, 0
    FROM application_events WHERE application_id = ?1
    UNION ALL
    SELECT at, actor, 'print', document, outcome || ' ' || file
           || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END, id, 1
    FROM prints WHERE application_id = ?1
    UNION ALL
    SELECT at, actor, 'audit', action, detail, id, 2 FROM audit WHERE application_id = ?1"
    };
}

macro_rules! member_union {
    () => {
        "
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
    WHERE a.member_id = ?1 AND e.kind = 'status'"
    };
}

const APPLICATION_TRAIL: &str = concat!(application_union!(), " ORDER BY 1, 7, 6");
const MEMBER_TRAIL: &str = concat!(member_union!(), " ORDER BY 1, 7, 6");
const APPLICATION_PAGE: &str = concat!(
    "SELECT * FROM (",
    application_union!(),
    ") ORDER BY 1 DESC, 7 DESC, 6 DESC LIMIT ?2 OFFSET ?3"
);
const MEMBER_PAGE: &str = concat!(
    "SELECT * FROM (",
    member_union!(),
    ") ORDER BY 1 DESC, 7 DESC, 6 DESC LIMIT ?2 OFFSET ?3"
);
const APPLICATION_COUNT: &str = concat!("SELECT count(*) FROM (", application_union!(), ")");
const MEMBER_COUNT: &str = concat!("SELECT count(*) FROM (", member_union!(), ")");

/// One page of a trail, newest first, and how many entries the whole trail has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrailPage {
    /// The position of the first entry in the whole trail (0 = the newest).
    pub offset: usize,
    pub entries: Vec<TrailEntry>,
    pub total: usize,
}

/// The most a page may hold: a screen shows a few dozen lines.
pub const MAX_PAGE: usize = 500;

fn entry(r: &rusqlite::Row) -> rusqlite::Result<TrailEntry> {
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
}

fn subject_exists(conn: &rusqlite::Connection, subject: Subject) -> Result<i64> {
    let (sql, id) = match subject {
        Subject::Application(id) => ("SELECT id FROM applications WHERE id = ?1", id),
        Subject::Member(id) => ("SELECT id FROM members WHERE id = ?1", id),
    };
    conn.query_row(sql, [id], |r| r.get::<_, i64>(0))
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The fields whose values are a member's personal data, and how each is masked for a role
/// without full access — the member card's masks (`domain::member::mask_*`).
type Mask = fn(&str) -> String;

const PERSONAL: &[(&str, Mask)] = &[
    ("birth_date", mask_date),
    ("passport", member::mask_passport),
    ("passport_issued_by", mask_all),
    ("passport_issued_on", mask_date),
    ("reg_address", member::mask_address),
    ("fact_address", member::mask_address),
    ("phone", member::mask_phone),
];

fn mask_date(s: &str) -> String {
    match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => member::mask_birth_date(d),
        Err(_) if s.is_empty() => String::new(),
        Err(_) => "**.**.****".into(),
    }
}

fn mask_all(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        "***".into()
    }
}

/// A trail entry's detail with the before and after of every personal field masked:
/// `passport: 4509123456 → 4509123457` becomes `passport: **** ***456 → **** ***457`. The
/// details are written by [`changes`] and `describe_changes` (`field: a → b`, joined by `; `,
/// the first perhaps after a `member 5 v2: ` prefix).
pub fn mask_personal(detail: &str) -> String {
    detail
        .split("; ")
        .map(|part| {
            for (field, mask) in PERSONAL {
                let label = format!("{field}: ");
                let at = part
                    .match_indices(&label)
                    .map(|(i, _)| i)
                    .find(|&i| i == 0 || (part[..i].ends_with(": ") && !part[..i].contains(" → ")));
                if let Some(i) = at {
                    let values = &part[i + label.len()..];
                    let (a, b) = values.split_once(" → ").unwrap_or((values, ""));
                    return format!("{}{label}{} → {}", &part[..i], mask(a), mask(b));
                }
            }
            part.to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Store {
    /// Everything recorded about an application or a member, oldest first.
    pub fn trail(&self, subject: Subject) -> Result<Vec<TrailEntry>> {
        let id = subject_exists(&self.conn, subject)?;
        let sql = match subject {
            Subject::Application(_) => APPLICATION_TRAIL,
            Subject::Member(_) => MEMBER_TRAIL,
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map([id], entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// One page of the trail for the screen, newest first: at most `limit` entries (capped at
    /// [`MAX_PAGE`]) from position `offset`. Heads only (DOMAIN: the head of the branch
    /// answers for it; issue 9 §5); personal values in before/after are masked unless the
    /// acting roles are among `full_access` (`[privacy] full_access_roles`), as on the card.
    /// Looking at the trail is not a reveal and is not recorded.
    pub fn trail_page(
        &self,
        actor: &Actor,
        subject: Subject,
        full_access: &[Role],
        offset: usize,
        limit: usize,
    ) -> Result<TrailPage> {
        // One read transaction: the count and the page agree, and the roles are today's.
        let tx = self.conn.unchecked_transaction()?;
        let roles = current_roles(&tx, actor)?;
        if !roles.contains(&Role::Head) {
            return Err(StoreError::Forbidden(Role::Head));
        }
        let id = subject_exists(&tx, subject)?;
        let (page, count) = match subject {
            Subject::Application(_) => (APPLICATION_PAGE, APPLICATION_COUNT),
            Subject::Member(_) => (MEMBER_PAGE, MEMBER_COUNT),
        };
        let total: i64 = tx.prepare_cached(count)?.query_row([id], |r| r.get(0))?;
        let limit = limit.min(MAX_PAGE) as i64;
        let mut entries = tx
            .prepare_cached(page)?
            .query_map(params![id, limit, offset as i64], entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !member::sees_personal_data(&roles, full_access) {
            for e in &mut entries {
                e.detail = mask_personal(&e.detail);
            }
        }
        drop(tx);
        Ok(TrailPage {
            offset,
            entries,
            total: total.max(0) as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::mask_personal;

    #[test]
    fn personal_values_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_personal(
                "member 5 v2: last_name: Иванов → Петров; passport: 4509123456 → 4509123457; \
                 phone: +79248111671 → +79131112233; reg_address: г. Томск, ул. Ленина, 1 → г. Томск, ул. Мира, 2; \
                 birth_date: 1975-03-14 → 1976-03-14; potential: A → B"
            ),
            "member 5 v2: last_name: Иванов → Петров; passport: **** ***456 → **** ***457; \
             phone: +7 924 ***-**-71 → +7 913 ***-**-33; reg_address: г. Томск, *** → г. Томск, ***; \
             birth_date: **.**.1975 → **.**.1976; potential: A → B"
        );
        assert_eq!(mask_personal("created"), "created");
        assert_eq!(
            mask_personal("passport_issued_by: УФМС → ОВД; email: a@b.ru → c@d.ru"),
            "passport_issued_by: *** → ***; email: a@b.ru → c@d.ru"
        );
        // A comment that merely mentions a field is not a change of it.
        assert_eq!(
            mask_personal("new → checked call about phone: later"),
            "new → checked call about phone: later"
        );
    }
}
