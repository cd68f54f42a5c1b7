//! Members: finding one among a million as a clerk types, the card (contributions, loans,
//! applications, the timeline of work), and the actions taken from it — calls, meetings and
//! comments, edits with optimistic concurrency, revealing personal data, the cash desk's
//! voluntary share and exit — plus the accounting system's member and loan files.
//!
//! Search order ("best matches first", each tier cheap on an index and cut by LIMIT):
//! a member number typed in full, an application number, a passport prefix, a phone fragment;
//! then for words: surname prefix (alphabetical), first-name prefix, patronymic prefix, and
//! last substrings of 3+ letters through the trigram index. The longest word anchors the scan
//! and the other words must each begin some part of the name.

use super::staff::require_any;
use super::{
    Actor, CachedSql, DATE_FMT, Result, Store, StoreError, audit, current_roles, fmt_time,
    next_counter, parse_time,
};
use crate::domain::member::{
    self, Contact, MemberData, MemberQuery, MemberStatus, fold, prefix_end,
};
use crate::domain::{Money, Role, Status};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params, params_from_iter};
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

/// The SQL functions the search triggers use; registered on every connection coopdesk opens.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("coop_fold", 1, flags, |ctx| {
        let s: Option<String> = ctx.get(0)?;
        Ok(fold(s.as_deref().unwrap_or("")))
    })?;
    conn.create_scalar_function("coop_digits", 1, flags, |ctx| {
        let s: Option<String> = ctx.get(0)?;
        Ok(member::digits(s.as_deref().unwrap_or("")))
    })
}

/// A read-only connection for a search worker thread (searches never wait for a writer: WAL).
pub fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(2))?;
    register_functions(&conn)?;
    Ok(conn)
}

/// One line of the search results.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemberHit {
    pub id: i64,
    pub member_no: Option<String>,
    pub status: MemberStatus,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub office_code: String,
    /// E.164 as stored (mask before showing).
    pub phone: String,
    pub passport: String,
}

/// The most results one search returns.
pub const MAX_RESULTS: usize = 500;

/// How many matches of a several-word search are ranked (more are rarely meant: the clerk
/// types on).
const RANK_WINDOW: usize = 1000;

/// Members matching what was typed, best first, at most `limit`.
pub fn search(conn: &Connection, typed: &str, limit: usize) -> Result<Vec<MemberHit>> {
    let q = MemberQuery::parse(typed);
    let limit = limit.clamp(1, MAX_RESULTS);
    let ids = search_ids(conn, &q, limit)?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.member_no, m.status, m.last_name, m.first_name, m.patronymic,
                m.birth_date, o.code, m.phone, m.passport
         FROM members m JOIN offices o ON o.id = m.office_id WHERE m.id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(h) = stmt.query_row([id], hit_row).optional()? {
            out.push(h);
        }
    }
    Ok(out)
}

fn hit_row(r: &rusqlite::Row) -> rusqlite::Result<MemberHit> {
    let (last, first, patr): (String, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?);
    let status: String = r.get(2)?;
    let birth: String = r.get(6)?;
    Ok(MemberHit {
        id: r.get(0)?,
        member_no: r.get(1)?,
        status: MemberStatus::parse(&status).unwrap_or(MemberStatus::Member),
        full_name: join_name(&last, &first, &patr),
        birth_date: NaiveDate::parse_from_str(&birth, DATE_FMT).unwrap_or_default(),
        office_code: r.get(7)?,
        phone: r.get(8)?,
        passport: r.get(9)?,
    })
}

fn join_name(last: &str, first: &str, patr: &str) -> String {
    [last, first, patr]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collects ids in tier order without repeats, up to the limit.
struct Found {
    ids: Vec<i64>,
    seen: HashSet<i64>,
    limit: usize,
}

impl Found {
    fn full(&self) -> bool {
        self.ids.len() >= self.limit
    }
    fn want(&self) -> i64 {
        // Rows already taken may come again from a later tier: ask for the whole limit.
        self.limit as i64
    }
    fn add(&mut self, conn: &Connection, sql: &str, args: Vec<Value>) -> Result<()> {
        if self.full() {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if self.seen.insert(id) {
                self.ids.push(id);
                if self.full() {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// An FTS5 phrase: the text in double quotes (quotes inside doubled).
fn phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn search_ids(conn: &Connection, q: &MemberQuery, limit: usize) -> Result<Vec<i64>> {
    let mut f = Found {
        ids: Vec::new(),
        seen: HashSet::new(),
        limit,
    };
    if q.is_empty() {
        return Ok(f.ids);
    }
    let d = &q.digits;
    if q.words.is_empty() {
        if let Some(no) = q.member_no() {
            f.add(
                conn,
                "SELECT id FROM members WHERE member_no = ?1",
                vec![Value::Text(no)],
            )?;
        }
        if let Some(number) = &q.application_no {
            f.add(
                conn,
                "SELECT member_id FROM applications WHERE number = ?1 AND member_id IS NOT NULL",
                vec![Value::Text(number.clone())],
            )?;
        }
        if d.len() >= member::MIN_PHONE_DIGITS && d.len() <= 10 {
            let want = f.want();
            f.add(
                conn,
                "SELECT id FROM members WHERE passport >= ?1 AND passport < ?2 ORDER BY passport LIMIT ?3",
                vec![
                    Value::Text(d.clone()),
                    Value::Text(prefix_end(d)),
                    Value::Integer(want),
                ],
            )?;
        }
        let variants = q.phone_variants();
        if !variants.is_empty() {
            let expr = format!(
                "digits : ({})",
                variants
                    .iter()
                    .map(|v| phrase(v))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            );
            let want = f.want();
            f.add(
                conn,
                "SELECT rowid FROM member_trigram WHERE member_trigram MATCH ?1 LIMIT ?2",
                vec![Value::Text(expr), Value::Integer(want)],
            )?;
        }
        return Ok(f.ids);
    }

    // Digits typed with words narrow the names down (phone, passport or member number).
    let (digit_filter, digit_arg) = if d.is_empty() {
        (String::new(), None)
    } else {
        (
            " AND (instr(s.phone_digits, ?9) > 0 OR EXISTS(SELECT 1 FROM members m WHERE m.id = s.member_id AND (instr(m.passport, ?9) > 0 OR m.member_no = ?9)))".to_string(),
            Some(Value::Text(d.clone())),
        )
    };
    if q.words.len() == 1 {
        // One word: a range of each name part's index, in that part's alphabetical order.
        let w = &q.words[0];
        for (column, order) in [
            ("last_fold", "last_fold, first_fold, patr_fold"),
            ("first_fold", "first_fold, last_fold"),
            ("patr_fold", "patr_fold, last_fold"),
        ] {
            let sql = format!(
                "SELECT s.member_id FROM member_search s WHERE s.{column} >= ?1 AND s.{column} < ?2{digit_filter}
                 ORDER BY {order} LIMIT ?3"
            );
            let mut args = vec![
                Value::Text(w.clone()),
                Value::Text(prefix_end(w)),
                Value::Integer(f.want()),
            ];
            if let Some(a) = &digit_arg {
                args.extend((4..9).map(|_| Value::Null));
                args.push(a.clone());
            }
            f.add(conn, &sql, args)?;
        }
    } else {
        // Several words, each beginning some part of the name: FTS5 intersects the words'
        // lists; the candidates are then ordered as one word would be — the first word as
        // the surname first, then any word as the surname, alphabetically.
        let expr = format!(
            "names : ({})",
            q.words
                .iter()
                .map(|w| format!("{}*", phrase(w)))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        let sql = format!(
            "SELECT s.member_id, s.last_fold, s.first_fold, s.patr_fold
             FROM member_words w JOIN member_search s ON s.member_id = w.rowid
             WHERE member_words MATCH ?1{digit_filter} LIMIT ?2"
        );
        let mut args = vec![Value::Text(expr), Value::Integer(RANK_WINDOW as i64)];
        if let Some(a) = &digit_arg {
            args.extend((3..9).map(|_| Value::Null));
            args.push(a.clone());
        }
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows: Vec<(u8, String, String, String, i64)> = stmt
            .query_map(params_from_iter(args), |r| {
                let (id, last, first, patr): (i64, String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                let begins = |w: &String| {
                    last.starts_with(w.as_str())
                        || last.split('-').any(|p| p.starts_with(w.as_str()))
                };
                let tier = if begins(&q.words[0]) {
                    0
                } else if q.words.iter().any(begins) {
                    1
                } else {
                    2
                };
                Ok((tier, last, first, patr, id))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.sort();
        for (.., id) in rows {
            if f.full() {
                break;
            }
            if f.seen.insert(id) {
                f.ids.push(id);
            }
        }
    }
    // Substrings: every word of 3+ letters inside the names; shorter words still as prefixes.
    let long: Vec<&String> = q
        .words
        .iter()
        .filter(|w| w.chars().count() >= member::MIN_SUBSTRING)
        .collect();
    if !long.is_empty() && !f.full() {
        let expr = format!(
            "names : ({})",
            long.iter()
                .map(|w| phrase(w))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        let mut short_filter = String::new();
        let mut args = vec![Value::Text(expr), Value::Integer(f.want())];
        for w in q
            .words
            .iter()
            .filter(|w| w.chars().count() < member::MIN_SUBSTRING)
        {
            let n = args.len() + 1;
            short_filter.push_str(&format!(
                " AND (substr(s.last_fold, 1, length(?{n})) = ?{n} OR substr(s.first_fold, 1, length(?{n})) = ?{n} OR substr(s.patr_fold, 1, length(?{n})) = ?{n})"
            ));
            args.push(Value::Text(w.clone()));
        }
        if !d.is_empty() {
            let n = args.len() + 1;
            short_filter.push_str(&format!(" AND instr(s.phone_digits, ?{n}) > 0"));
            args.push(Value::Text(d.clone()));
        }
        let sql = format!(
            "SELECT s.member_id FROM member_trigram t JOIN member_search s ON s.member_id = t.rowid
             WHERE member_trigram MATCH ?1{short_filter} LIMIT ?2"
        );
        f.add(conn, &sql, args)?;
    }
    Ok(f.ids)
}

// ----- the card -------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRecord {
    pub id: i64,
    pub member_no: Option<String>,
    pub status: MemberStatus,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: NaiveDate,
    pub passport: String,
    pub passport_issued_by: String,
    pub passport_issued_on: Option<NaiveDate>,
    pub reg_address: String,
    pub fact_address: String,
    pub phone: String,
    pub email: String,
    pub join_date: Option<NaiveDate>,
    pub office_id: i64,
    pub office_code: String,
    pub manager: Option<String>,
    pub potential: String,
    pub client_group: String,
    pub territory: String,
    pub related_group: String,
    pub left_on: Option<NaiveDate>,
    pub left_reason: String,
    pub version: i64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

impl MemberRecord {
    pub fn full_name(&self) -> String {
        join_name(&self.last_name, &self.first_name, &self.patronymic)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanLine {
    pub contract_no: String,
    pub product: String,
    pub amount: Money,
    pub issue_date: NaiveDate,
    pub balance: Money,
    pub overdue_amount: Money,
    pub overdue_days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationLine {
    pub id: i64,
    pub number: String,
    pub created_at: NaiveDateTime,
    pub product: String,
    pub amount: Money,
    pub status: Status,
}

/// One entry of the timeline of work with a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineItem {
    Contact {
        kind: String,
        direction: String,
        outcome: String,
        duration_sec: i64,
        promise_date: Option<String>,
        promise_amount: Option<Money>,
        comment: String,
    },
    Status {
        number: String,
        to: String,
        comment: String,
    },
    Cash {
        kind: String,
        amount: Money,
        number: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub item: TimelineItem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCard {
    pub member: MemberRecord,
    /// Per kind (`entrance_fee`, `mandatory_share`, `voluntary_share`): total and count.
    pub contributions: Vec<(String, Money, i64)>,
    pub loans: Vec<LoanLine>,
    /// Sales recorded for the member by product (savings, services): total and count.
    pub sales: Vec<(String, Money, i64)>,
    pub applications: Vec<ApplicationLine>,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
}

/// How many timeline entries the card shows.
pub const TIMELINE_LIMIT: usize = 200;

fn opt_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, DATE_FMT).ok())
}

fn member_record(conn: &Connection, id: i64) -> Result<MemberRecord> {
    conn.prepare_cached(
        "SELECT m.id, m.member_no, m.status, m.last_name, m.first_name, m.patronymic, m.birth_date,
                m.passport, m.passport_issued_by, m.passport_issued_on, m.reg_address, m.fact_address,
                m.phone, m.email, m.join_date, m.office_id, o.code, s.name, m.potential, m.client_group,
                m.territory, m.related_group, m.left_on, m.left_reason, m.version, m.updated_at, m.updated_by
         FROM members m JOIN offices o ON o.id = m.office_id LEFT JOIN staff s ON s.id = m.manager_id
         WHERE m.id = ?1",
    )?
    .query_row([id], |r| {
        let status: String = r.get(2)?;
        let birth: String = r.get(6)?;
        Ok(MemberRecord {
            id: r.get(0)?,
            member_no: r.get(1)?,
            status: MemberStatus::parse(&status).unwrap_or(MemberStatus::Member),
            last_name: r.get(3)?,
            first_name: r.get(4)?,
            patronymic: r.get(5)?,
            birth_date: NaiveDate::parse_from_str(&birth, DATE_FMT).unwrap_or_default(),
            passport: r.get(7)?,
            passport_issued_by: r.get(8)?,
            passport_issued_on: opt_date(r.get(9)?),
            reg_address: r.get(10)?,
            fact_address: r.get(11)?,
            phone: r.get(12)?,
            email: r.get(13)?,
            join_date: opt_date(r.get(14)?),
            office_id: r.get(15)?,
            office_code: r.get(16)?,
            manager: r.get(17)?,
            potential: r.get(18)?,
            client_group: r.get(19)?,
            territory: r.get(20)?,
            related_group: r.get(21)?,
            left_on: opt_date(r.get(22)?),
            left_reason: r.get(23)?,
            version: r.get(24)?,
            updated_at: r.get(25)?,
            updated_by: r.get(26)?,
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound)
}

impl Store {
    /// See [`search`].
    pub fn search_members(&self, typed: &str, limit: usize) -> Result<Vec<MemberHit>> {
        search(&self.conn, typed, limit)
    }

    pub fn member(&self, id: i64) -> Result<MemberRecord> {
        member_record(&self.conn, id)
    }

    /// Everything the card shows about a member; `today` for the days overdue.
    pub fn member_card(&self, id: i64, today: NaiveDate) -> Result<MemberCard> {
        let member = member_record(&self.conn, id)?;
        let c = &self.conn;
        let contributions = c
            .prepare_cached(
                "SELECT kind, sum(amount), count(*) FROM contributions WHERE member_id = ?1
                 GROUP BY kind ORDER BY CASE kind WHEN 'entrance_fee' THEN 0 WHEN 'mandatory_share' THEN 1 ELSE 2 END",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let loans = c
            .prepare_cached(
                "SELECT contract_no, product, amount, issue_date, balance, overdue_amount, overdue_days, overdue_since
                 FROM loans WHERE member_id = ?1 ORDER BY issue_date DESC, id DESC",
            )?
            .query_map([id], |r| {
                let issue: String = r.get(3)?;
                let since: Option<String> = r.get(7)?;
                let stored: i64 = r.get(6)?;
                let overdue: Money = r.get(5)?;
                let days = match opt_date(since) {
                    Some(s) if overdue > Money::ZERO => (today - s).num_days().max(0),
                    _ => stored,
                };
                Ok(LoanLine {
                    contract_no: r.get(0)?,
                    product: r.get(1)?,
                    amount: r.get(2)?,
                    issue_date: NaiveDate::parse_from_str(&issue, DATE_FMT).unwrap_or_default(),
                    balance: r.get(4)?,
                    overdue_amount: overdue,
                    overdue_days: days,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let applications = c
            .prepare_cached(
                "SELECT id, number, created_at, product, amount, status FROM applications
                 WHERE member_id = ?1 OR passport = ?2 ORDER BY created_at DESC, id DESC LIMIT 100",
            )?
            .query_map(params![id, member.passport], |r| {
                let at: String = r.get(2)?;
                let st: String = r.get(5)?;
                Ok(ApplicationLine {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    created_at: parse_time(&at),
                    product: r.get(3)?,
                    amount: r.get(4)?,
                    status: st.parse().unwrap_or(Status::New),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let sales = c
            .prepare_cached(
                "SELECT product, sum(amount), count(*) FROM sales
                 WHERE member_id = ?1 GROUP BY product ORDER BY product",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let timeline = self.timeline(id, &applications)?;
        Ok(MemberCard {
            member,
            contributions,
            loans,
            sales,
            applications,
            timeline,
        })
    }

    fn timeline(&self, id: i64, apps: &[ApplicationLine]) -> Result<Vec<TimelineEntry>> {
        let c = &self.conn;
        let n = TIMELINE_LIMIT as i64;
        let mut out: Vec<TimelineEntry> = c
            .prepare_cached(
                "SELECT at, actor, kind, direction, outcome, duration_sec, promise_date, promise_amount, comment
                 FROM contacts WHERE member_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
            )?
            .query_map(params![id, n], |r| {
                let at: String = r.get(0)?;
                Ok(TimelineEntry {
                    at: parse_time(&at),
                    actor: r.get(1)?,
                    item: TimelineItem::Contact {
                        kind: r.get(2)?,
                        direction: r.get(3)?,
                        outcome: r.get(4)?,
                        duration_sec: r.get(5)?,
                        promise_date: r.get(6)?,
                        promise_amount: r.get(7)?,
                        comment: r.get(8)?,
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut ev = c.prepare_cached(
            "SELECT at, actor, to_status, comment FROM application_events
             WHERE application_id = ?1 AND kind IN ('created', 'imported', 'status')
             ORDER BY at DESC, id DESC LIMIT ?2",
        )?;
        for a in apps {
            let rows = ev
                .query_map(params![a.id, n], |r| {
                    let at: String = r.get(0)?;
                    Ok(TimelineEntry {
                        at: parse_time(&at),
                        actor: r.get(1)?,
                        item: TimelineItem::Status {
                            number: a.number.clone(),
                            to: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                            comment: r.get(3)?,
                        },
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.extend(rows);
        }
        let cash = c
            .prepare_cached(
                "SELECT at, actor, kind, amount, number FROM cash_orders WHERE member_id = ?1
                 ORDER BY at DESC, id DESC LIMIT ?2",
            )?
            .query_map(params![id, n], |r| {
                let at: String = r.get(0)?;
                Ok(TimelineEntry {
                    at: parse_time(&at),
                    actor: r.get(1)?,
                    item: TimelineItem::Cash {
                        kind: r.get(2)?,
                        amount: r.get(3)?,
                        number: r.get(4)?,
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(cash);
        // Newest first; at the same second, work logged before the status it led to.
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out.truncate(TIMELINE_LIMIT);
        Ok(out)
    }

    /// Log a call, meeting or comment with a member: the acting person's activity on the
    /// business date (`now.date()`), as the rating and the client base count it.
    pub fn log_contact(
        &mut self,
        actor: &Actor,
        member_id: i64,
        c: &Contact,
        now: NaiveDateTime,
    ) -> Result<i64> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Manager, Role::Head, Role::Inspector])?;
            exists(tx, member_id)?;
            tx.exec(
                "INSERT INTO contacts(member_id, staff_id, at, on_date, kind, direction, temperature, outcome,
                    promise_date, promise_amount, duration_sec, comment, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    member_id,
                    actor.staff_id,
                    fmt_time(now),
                    super::fmt_date(now.date()),
                    c.kind.code(),
                    c.direction,
                    c.temperature,
                    c.outcome,
                    c.promise_date.map(super::fmt_date),
                    c.promise_amount,
                    c.duration_sec,
                    c.comment,
                    actor.login,
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Save a member's own data if nobody saved it since `version` was read; otherwise say who
    /// did and when ([`StoreError::Conflict`]) and change nothing.
    pub fn update_member(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        d: &MemberData,
        now: NaiveDateTime,
    ) -> Result<i64> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Manager, Role::Head, Role::Admin])?;
            let (current, by, at): (i64, Option<String>, Option<String>) = tx
                .one(
                    "SELECT version, updated_by, updated_at FROM members WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            if current != version {
                return Err(StoreError::Conflict {
                    by: by.unwrap_or_else(|| "?".into()),
                    at: at.unwrap_or_default(),
                });
            }
            let before = member_record(tx, id)?;
            let taken: Option<i64> = tx
                .one(
                    "SELECT id FROM members WHERE passport = ?1 AND id <> ?2",
                    params![d.passport, id],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Invalid(vec![
                    crate::domain::validate::FieldError::new("passport", "member.err_passport_taken"),
                ]));
            }
            tx.exec(
                "UPDATE members SET last_name = ?2, first_name = ?3, patronymic = ?4, birth_date = ?5,
                    passport = ?6, reg_address = ?7, fact_address = ?8, phone = ?9, email = ?10,
                    potential = ?11, client_group = ?12, territory = ?13, related_group = ?14,
                    version = version + 1, updated_at = ?15, updated_by = ?16
                 WHERE id = ?1 AND version = ?17",
                params![
                    id,
                    d.last_name,
                    d.first_name,
                    d.patronymic,
                    super::fmt_date(d.birth_date),
                    d.passport,
                    d.reg_address,
                    d.fact_address,
                    d.phone,
                    d.email,
                    d.potential,
                    d.client_group,
                    d.territory,
                    d.related_group,
                    fmt_time(now),
                    actor.login,
                    version,
                ],
            )?;
            let birth = super::fmt_date(d.birth_date);
            let was_birth = super::fmt_date(before.birth_date);
            let what = super::audit_trail::changes(&[
                ("last_name", &before.last_name, &d.last_name),
                ("first_name", &before.first_name, &d.first_name),
                ("patronymic", &before.patronymic, &d.patronymic),
                ("birth_date", &was_birth, &birth),
                ("passport", &before.passport, &d.passport),
                ("reg_address", &before.reg_address, &d.reg_address),
                ("fact_address", &before.fact_address, &d.fact_address),
                ("phone", &before.phone, &d.phone),
                ("email", &before.email, &d.email),
                ("potential", &before.potential, &d.potential),
                ("client_group", &before.client_group, &d.client_group),
                ("territory", &before.territory, &d.territory),
                ("related_group", &before.related_group, &d.related_group),
            ]);
            super::audit_trail::audit_about(
                tx,
                now,
                &actor.login,
                "members.edit",
                &format!("member {id} v{}: {what}", version + 1),
                super::audit_trail::Subject::Member(id),
            )?;
            Ok(version + 1)
        })
    }

    /// Record that `actor` was shown a member's full personal data (ФЗ-152).
    pub fn reveal_personal_data(
        &mut self,
        actor: &Actor,
        member_id: i64,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            if current_roles(tx, actor)?.is_empty() {
                return Err(StoreError::Forbidden(Role::Manager));
            }
            exists(tx, member_id)?;
            tx.exec(
                "INSERT INTO personal_data_views(at, staff_id, actor, member_id) VALUES (?1, ?2, ?3, ?4)",
                params![fmt_time(now), actor.staff_id, actor.login, member_id],
            )?;
            Ok(())
        })
    }

    /// The member with this number.
    pub fn member_id_by_no(&self, member_no: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM members WHERE member_no = ?1")?
            .query_row([member_no], |r| r.get(0))
            .optional()?)
    }

    /// Who was shown this member's personal data, newest first: (when, login).
    pub fn personal_data_views(&self, member_id: i64) -> Result<Vec<(String, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT at, actor FROM personal_data_views WHERE member_id = ?1 ORDER BY id DESC",
            )?
            .query_map([member_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A voluntary share contribution taken at the cash desk: the contribution and its cash
    /// order together. Cashiers only; the person must be a member.
    pub fn add_voluntary_share(
        &mut self,
        actor: &Actor,
        member_id: i64,
        amount: Money,
        receipt: &str,
        now: NaiveDateTime,
    ) -> Result<String> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Cashier])?;
            if member_status(tx, member_id)? != MemberStatus::Member {
                return Err(StoreError::Invalid(vec![
                    crate::domain::validate::FieldError::new(
                        "share_amount",
                        "member.err_not_member",
                    ),
                ]));
            }
            write_voluntary_share(tx, &actor.login, member_id, amount, receipt, now)
        })
    }

    /// A member leaves the cooperative: status `left`, the date and the reason; the member
    /// number stays. Cashiers only; a stale `version` is a conflict.
    pub fn member_exit(
        &mut self,
        actor: &Actor,
        member_id: i64,
        version: i64,
        on: NaiveDate,
        reason: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Cashier])?;
            if member_status(tx, member_id)? != MemberStatus::Member {
                return Err(StoreError::Invalid(vec![
                    crate::domain::validate::FieldError::new("exit_date", "member.err_not_member"),
                ]));
            }
            let n = tx.exec(
                "UPDATE members SET status = 'left', left_on = ?2, left_reason = ?3,
                    version = version + 1, updated_at = ?4, updated_by = ?5
                 WHERE id = ?1 AND version = ?6",
                params![
                    member_id,
                    super::fmt_date(on),
                    reason,
                    fmt_time(now),
                    actor.login,
                    version
                ],
            )?;
            if n == 0 {
                let (by, at): (Option<String>, Option<String>) = tx.one(
                    "SELECT updated_by, updated_at FROM members WHERE id = ?1",
                    [member_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                return Err(StoreError::Conflict {
                    by: by.unwrap_or_else(|| "?".into()),
                    at: at.unwrap_or_default(),
                });
            }
            super::audit_trail::audit_about(
                tx,
                now,
                &actor.login,
                "members.exit",
                &format!(
                    "member {member_id}: status: member → left; left_on: {on}; left_reason: {reason}"
                ),
                super::audit_trail::Subject::Member(member_id),
            )?;
            Ok(())
        })
    }
}

fn exists(tx: &Transaction, id: i64) -> Result<()> {
    member_status(tx, id).map(|_| ())
}

fn member_status(tx: &Transaction, id: i64) -> Result<MemberStatus> {
    let s: String = tx
        .one("SELECT status FROM members WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(StoreError::NotFound)?;
    Ok(MemberStatus::parse(&s).unwrap_or(MemberStatus::Member))
}

// ----- from the accounting system -------------------------------------------------------------

/// One member from the accounting system, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberImport {
    pub member_no: String,
    pub data: MemberData,
    pub status: MemberStatus,
    pub joined_on: Option<NaiveDate>,
    pub office_id: i64,
    pub manager_id: Option<i64>,
}

/// One loan from the accounting system, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanImport {
    pub contract_no: String,
    pub member_no: String,
    pub product: String,
    pub amount: Money,
    pub issued_on: NaiveDate,
    pub term_months: u32,
    pub rate: String,
    pub balance: Money,
    pub overdue_amount: Money,
    pub overdue_since: Option<NaiveDate>,
}

/// What an import did: rows added, rows changed, rows already as in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Store {
    /// Member numbers already present, with the passport each holds: (member_no → passport).
    pub fn member_passports(&self, member_nos: &[&str]) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT member_no, passport FROM members WHERE member_no = ?1")?;
        let mut out = Vec::new();
        for no in member_nos {
            if let Some(row) = stmt
                .query_row([no], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
            {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// The member number holding a passport, if any.
    pub fn member_no_by_passport(&self, passport: &str) -> Result<Option<Option<String>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT member_no FROM members WHERE passport = ?1")?
            .query_row([passport], |r| r.get(0))
            .optional()?)
    }

    /// Members from the accounting system, keyed by member number: new ones added, changed
    /// ones updated (their version moves), the same ones left alone. All or nothing.
    pub fn import_members(
        &mut self,
        label: &str,
        rows: &[MemberImport],
        now: NaiveDateTime,
    ) -> Result<ImportCounts> {
        self.write(|tx| {
            let mut counts = ImportCounts::default();
            let mut find = tx.prepare_cached(
                "SELECT id, last_name, first_name, patronymic, birth_date, passport, phone, email,
                        reg_address, fact_address, status, join_date, office_id, manager_id, potential,
                        client_group, territory, related_group
                 FROM members WHERE member_no = ?1",
            )?;
            for m in rows {
                let d = &m.data;
                let values: Vec<Value> = vec![
                    Value::Text(d.last_name.clone()),
                    Value::Text(d.first_name.clone()),
                    Value::Text(d.patronymic.clone()),
                    Value::Text(super::fmt_date(d.birth_date)),
                    Value::Text(d.passport.clone()),
                    Value::Text(d.phone.clone()),
                    Value::Text(d.email.clone()),
                    Value::Text(d.reg_address.clone()),
                    Value::Text(d.fact_address.clone()),
                    Value::Text(m.status.code().to_string()),
                    m.joined_on
                        .map(|j| Value::Text(super::fmt_date(j)))
                        .unwrap_or(Value::Null),
                    Value::Integer(m.office_id),
                    m.manager_id.map(Value::Integer).unwrap_or(Value::Null),
                    Value::Text(d.potential.clone()),
                    Value::Text(d.client_group.clone()),
                    Value::Text(d.territory.clone()),
                    Value::Text(d.related_group.clone()),
                ];
                let existing: Option<(i64, Vec<Value>)> = find
                    .query_row([&m.member_no], |r| {
                        let mut v = Vec::with_capacity(17);
                        for i in 1..18 {
                            v.push(r.get::<_, Value>(i)?);
                        }
                        Ok((r.get(0)?, v))
                    })
                    .optional()?;
                match existing {
                    Some((_, old)) if old == values => counts.unchanged += 1,
                    Some((id, old)) => {
                        // A new manager from the file is a change of assignment like any
                        // other: in the history, with its date (the client base reads both).
                        let old_manager = match old[12] {
                            Value::Integer(i) => Some(i),
                            _ => None,
                        };
                        if old_manager != m.manager_id {
                            let today = now.date();
                            tx.prepare_cached(
                                "UPDATE members SET assigned_since = ?2 WHERE id = ?1",
                            )?
                            .execute(params![
                                id,
                                m.manager_id.map(|_| super::fmt_date(today))
                            ])?;
                            super::client_base::history(
                                tx,
                                id,
                                old_manager,
                                m.manager_id,
                                label,
                                today,
                                now,
                                "import",
                                None,
                                false,
                                "",
                            )?;
                        }
                        let mut args = values.clone();
                        args.push(Value::Text(fmt_time(now)));
                        args.push(Value::Text(label.to_string()));
                        args.push(Value::Integer(id));
                        tx.prepare_cached(
                            "UPDATE members SET last_name = ?1, first_name = ?2, patronymic = ?3, birth_date = ?4,
                                passport = ?5, phone = ?6, email = ?7, reg_address = ?8, fact_address = ?9,
                                status = ?10, join_date = ?11, office_id = ?12, manager_id = ?13, potential = ?14,
                                client_group = ?15, territory = ?16, related_group = ?17,
                                version = version + 1, updated_at = ?18, updated_by = ?19
                             WHERE id = ?20",
                        )?
                        .execute(params_from_iter(args))
                        .map_err(|e| duplicate(e, &m.member_no))?;
                        counts.updated += 1;
                    }
                    None => {
                        let mut args = values.clone();
                        args.push(Value::Text(m.member_no.clone()));
                        args.push(Value::Text(fmt_time(now)));
                        args.push(Value::Text(label.to_string()));
                        tx.prepare_cached(
                            "INSERT INTO members(last_name, first_name, patronymic, birth_date, passport, phone, email,
                                reg_address, fact_address, status, join_date, office_id, manager_id, potential,
                                client_group, territory, related_group, member_no, created_at, updated_at, updated_by)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                                ?18, ?19, ?19, ?20)",
                        )?
                        .execute(params_from_iter(args))
                        .map_err(|e| duplicate(e, &m.member_no))?;
                        counts.added += 1;
                    }
                }
            }
            audit(
                tx,
                now,
                label,
                "import.members",
                &format!("added {} updated {} unchanged {}", counts.added, counts.updated, counts.unchanged),
            )?;
            Ok(counts)
        })
    }

    /// Loans from the accounting system, keyed by contract number (the member must exist).
    pub fn import_loans(
        &mut self,
        label: &str,
        rows: &[LoanImport],
        now: NaiveDateTime,
    ) -> Result<ImportCounts> {
        self.write(|tx| {
            let mut counts = ImportCounts::default();
            for l in rows {
                let member_id: i64 = tx
                    .prepare_cached("SELECT id FROM members WHERE member_no = ?1")?
                    .query_row([&l.member_no], |r| r.get(0))
                    .optional()?
                    .ok_or(StoreError::NotFound)?;
                let values: Vec<Value> = vec![
                    Value::Integer(member_id),
                    Value::Text(l.product.clone()),
                    Value::Integer(l.amount.kopecks()),
                    Value::Integer(i64::from(l.term_months)),
                    Value::Text(l.rate.clone()),
                    Value::Text(super::fmt_date(l.issued_on)),
                    Value::Integer(l.balance.kopecks()),
                    Value::Integer(l.overdue_amount.kopecks()),
                    l.overdue_since
                        .map(|d| Value::Text(super::fmt_date(d)))
                        .unwrap_or(Value::Null),
                ];
                let existing: Option<Vec<Value>> = tx
                    .prepare_cached(
                        "SELECT member_id, product, amount, term_months, rate, issue_date, balance,
                                overdue_amount, overdue_since FROM loans WHERE contract_no = ?1",
                    )?
                    .query_row([&l.contract_no], |r| {
                        (0..9).map(|i| r.get::<_, Value>(i)).collect()
                    })
                    .optional()?;
                let days = match l.overdue_since {
                    Some(s) if l.overdue_amount > Money::ZERO => (now.date() - s).num_days().max(0),
                    _ => 0,
                };
                let mut args = values.clone();
                args.push(Value::Integer(days));
                args.push(Value::Text(l.contract_no.clone()));
                match existing {
                    Some(old) if old == values => counts.unchanged += 1,
                    Some(_) => {
                        tx.prepare_cached(
                            "UPDATE loans SET member_id = ?1, product = ?2, amount = ?3, term_months = ?4, rate = ?5,
                                issue_date = ?6, balance = ?7, overdue_amount = ?8, overdue_since = ?9, overdue_days = ?10
                             WHERE contract_no = ?11",
                        )?
                        .execute(params_from_iter(args))?;
                        counts.updated += 1;
                    }
                    None => {
                        tx.prepare_cached(
                            "INSERT INTO loans(member_id, product, amount, term_months, rate, issue_date, balance,
                                overdue_amount, overdue_since, overdue_days, contract_no)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        )?
                        .execute(params_from_iter(args))?;
                        counts.added += 1;
                    }
                }
            }
            audit(
                tx,
                now,
                label,
                "import.loans",
                &format!("added {} updated {} unchanged {}", counts.added, counts.updated, counts.unchanged),
            )?;
            Ok(counts)
        })
    }
}

/// A unique passport held by another member number is a refusal naming it, not a crash.
fn duplicate(e: rusqlite::Error, member_no: &str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Duplicate(member_no.to_string())
        }
        _ => StoreError::Sqlite(e),
    }
}

// ----- building a demo database ---------------------------------------------------------------

/// The names of the triggers that keep the search index.
const SEARCH_TRIGGERS: &str = "members_search_%";

impl Store {
    /// For a bulk build: stop keeping the search index row by row (it is rebuilt in one pass by
    /// [`Store::rebuild_member_search`]). Returns the trigger definitions to put back.
    pub fn suspend_member_search(&mut self) -> Result<Vec<String>> {
        self.write(|tx| {
            let defs: Vec<(String, String)> = tx
                .prepare(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?1",
                )?
                .query_map([SEARCH_TRIGGERS], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (name, _) in &defs {
                tx.execute_batch(&format!("DROP TRIGGER {name}"))?;
            }
            Ok(defs.into_iter().map(|(_, sql)| sql).collect())
        })
    }

    /// Fill the search index from the members table in one pass and put the triggers back.
    pub fn rebuild_member_search(&mut self, triggers: &[String]) -> Result<()> {
        self.write(|tx| {
            tx.execute_batch(
                "DELETE FROM member_search;
                 INSERT INTO member_trigram(member_trigram) VALUES ('delete-all');
                 INSERT INTO member_words(member_words) VALUES ('delete-all');
                 -- Terms gathered in memory up to 256 MiB before each is written as a segment
                 -- (1 MiB by default): a few large segments for 'optimize' to merge, instead of
                 -- hundreds merged and merged again while the rows go in.
                 INSERT INTO member_trigram(member_trigram, rank) VALUES ('hashsize', 268435456);
                 INSERT INTO member_words(member_words, rank) VALUES ('hashsize', 268435456);
                 INSERT INTO member_search(member_id, last_fold, first_fold, patr_fold, phone_digits)
                     SELECT id, coop_fold(last_name), coop_fold(first_name), coop_fold(patronymic),
                            coop_digits(phone)
                     FROM members ORDER BY id;
                 INSERT INTO member_trigram(rowid, names, digits)
                     SELECT s.member_id, s.last_fold || ' ' || s.first_fold || ' ' || s.patr_fold,
                            s.phone_digits || ' ' || m.passport
                     FROM member_search s JOIN members m ON m.id = s.member_id ORDER BY s.member_id;
                 INSERT INTO member_trigram(member_trigram) VALUES ('optimize');
                 INSERT INTO member_words(rowid, names)
                     SELECT member_id, last_fold || ' ' || first_fold || ' ' || patr_fold
                     FROM member_search ORDER BY member_id;
                 INSERT INTO member_words(member_words) VALUES ('optimize');
                 INSERT INTO member_trigram(member_trigram, rank) VALUES ('hashsize', 1048576);
                 INSERT INTO member_words(member_words, rank) VALUES ('hashsize', 1048576);",
            )?;
            for sql in triggers {
                tx.execute_batch(sql)?;
            }
            Ok(())
        })
    }

    /// What the accounting system and the desk's history would give demo members: potential
    /// class, client group and territory, and some calls, meetings and comments by their
    /// managers over the last weeks (deterministic from the seed).
    ///
    /// Members after the first `detailed` (by id) get loans as the accounting system reports
    /// them: no application behind them, a balance and sometimes an overdue part.
    pub fn enrich_demo_members(
        &mut self,
        seed: u64,
        today: NaiveDate,
        detailed: u32,
    ) -> Result<u64> {
        let s = (seed % 1_000_003) as i64;
        let today = super::fmt_date(today);
        self.write(|tx| {
            tx.exec(
                "INSERT INTO loans(contract_no, member_id, product, amount, term_months, rate, issue_date,
                    balance, overdue_amount, overdue_days, overdue_since)
                 SELECT 'АС-' || printf('%07d', m.id), m.id, p.product, p.amount, p.term, p.rate, p.issued,
                    p.balance, p.overdue, CASE WHEN p.overdue > 0 THEN p.days ELSE 0 END,
                    CASE WHEN p.overdue > 0 THEN date(?2, '-' || p.days || ' days') END
                 FROM members m JOIN (
                    SELECT id,
                        CASE WHEN h % 10 < 6 THEN 'consumer' WHEN h % 10 < 8 THEN 'business' ELSE 'housing' END AS product,
                        (3 + h % 30) * 1000000 * CASE WHEN h % 10 >= 8 THEN 5 ELSE 1 END AS amount,
                        12 + (h % 4) * 12 AS term,
                        CASE WHEN h % 10 < 6 THEN '24' WHEN h % 10 < 8 THEN '21' ELSE '17.5' END AS rate,
                        date(?2, '-' || (30 + h % 700) || ' days') AS issued,
                        (3 + h % 30) * 1000000 * CASE WHEN h % 10 >= 8 THEN 5 ELSE 1 END
                            * (1 + h % 9) / 10 AS balance,
                        CASE WHEN h % 100 < 7 THEN (5 + h % 30) * 100000 ELSE 0 END AS overdue,
                        1 + h % 120 AS days
                    FROM (SELECT id, ((id + ?1) * 2654435761) % 1000003 AS h FROM members
                          WHERE id > ?3 AND status = 'member')
                    WHERE h % 100 < 25) p ON p.id = m.id",
                params![s, today, i64::from(detailed)],
            )?;
            // A cheap hash of the id (and the seed), different per use by the multiplier.
            tx.exec(
                "UPDATE members SET
                    potential = CASE
                        WHEN status = 'left' THEN ''
                        WHEN ((id + ?1) * 2654435761) % 100 < 3 THEN 'S'
                        WHEN ((id + ?1) * 2654435761) % 100 < 15 THEN 'A'
                        WHEN ((id + ?1) * 2654435761) % 100 < 50 THEN 'B'
                        WHEN ((id + ?1) * 2654435761) % 100 < 80 THEN 'C'
                        ELSE '' END,
                    client_group = CASE ((id + ?1) * 40503) % 7
                        WHEN 0 THEN 'пенсионеры' WHEN 1 THEN 'бюджетники'
                        WHEN 2 THEN 'ИП и малый бизнес' WHEN 3 THEN 'молодые семьи (МСК)'
                        WHEN 4 THEN 'работники предприятий' WHEN 5 THEN 'сберегатели'
                        ELSE 'работники предприятий' END,
                    territory = (SELECT city FROM offices o WHERE o.id = members.office_id) || ', ' ||
                        CASE ((id + ?1) * 69069) % 4
                            WHEN 0 THEN 'центр' WHEN 1 THEN 'север' WHEN 2 THEN 'юг' ELSE 'пригород' END,
                    related_group = CASE WHEN ((id + ?1) * 2246822519) % 50 = 0
                        THEN 'ГР-' || (((id + ?1) * 3266489917) % 400 + 1) ELSE '' END",
                [s],
            )?;
            let mut added = 0u64;
            // Up to three passes: about 30 %, 15 % and 6 % of members with a manager.
            for (pass, share) in [(1i64, 30i64), (2, 15), (3, 6)] {
                added += tx.exec(
                    "INSERT INTO contacts(member_id, staff_id, at, on_date, kind, direction, temperature,
                        outcome, promise_date, promise_amount, duration_sec, comment, actor)
                     SELECT m.id, m.manager_id,
                        d || ' ' || printf('%02d:%02d:00', 9 + h % 9, h % 60), d,
                        CASE WHEN k < 70 THEN 'call' WHEN k < 85 THEN 'meeting' ELSE 'comment' END,
                        CASE WHEN k < 60 THEN 'out' WHEN k < 70 THEN 'in' ELSE '' END,
                        CASE WHEN k >= 70 THEN '' WHEN h % 3 = 0 THEN 'cold' ELSE 'warm' END,
                        CASE WHEN k >= 70 THEN ''
                             WHEN o < 50 THEN 'successful' WHEN o < 70 THEN 'no_answer'
                             WHEN o < 82 THEN 'declined'
                             WHEN o < 94 AND l.overdue_amount > 0 THEN 'promise'
                             WHEN l.overdue_amount > 0 THEN 'restructuring'
                             ELSE 'successful' END,
                        CASE WHEN k < 70 AND o >= 82 AND o < 94 AND l.overdue_amount > 0
                             THEN date(d, '+' || (3 + h % 10) || ' days') END,
                        CASE WHEN k < 70 AND o >= 82 AND o < 94 AND l.overdue_amount > 0
                             THEN min(l.overdue_amount, 500000 + (h % 20) * 100000) END,
                        CASE WHEN k < 70 AND o < 50 THEN 30 + h % 400
                             WHEN k >= 70 AND k < 85 THEN 900 + (h % 5) * 600 ELSE 0 END,
                        CASE WHEN k >= 85 THEN CASE h % 4
                                WHEN 0 THEN 'не берет трубку' WHEN 1 THEN 'просил перезвонить вечером'
                                WHEN 2 THEN 'интересуется сбережениями' ELSE 'принесёт справку о доходах' END
                             WHEN k >= 70 THEN 'консультация в офисе'
                             WHEN o < 50 THEN 'договорились о встрече' ELSE '' END,
                        s.login
                     FROM (SELECT id, manager_id,
                              date(?2, '-' || (((id + ?1) * ?3 * 7919) % 60) || ' days') AS d,
                              ((id + ?1) * ?3 * 104729) % 1000 AS h,
                              ((id + ?1) * ?3 * 1299709) % 100 AS k,
                              ((id + ?1) * ?3 * 15485863) % 100 AS o
                           FROM members
                           WHERE manager_id IS NOT NULL AND status <> 'left'
                             AND ((id + ?1) * 2654435761 * ?3) % 100 < ?4) AS m
                     JOIN staff s ON s.id = m.manager_id
                     LEFT JOIN (SELECT member_id, max(overdue_amount) AS overdue_amount FROM loans
                                GROUP BY member_id) l ON l.member_id = m.id",
                    params![s, today, pass, share],
                )? as u64;
            }
            Ok(added)
        })
    }
}

/// A voluntary share's contribution and its cash order, in the caller's transaction (the
/// checks of who and for whom are the caller's); the cash order's number.
pub(super) fn write_voluntary_share(
    tx: &Transaction,
    actor_login: &str,
    member_id: i64,
    amount: Money,
    receipt: &str,
    now: NaiveDateTime,
) -> Result<String> {
    tx.exec(
        "INSERT INTO contributions(member_id, kind, amount, receipt_no, paid_on, actor)
         VALUES (?1, 'voluntary_share', ?2, ?3, ?4, ?5)",
        params![
            member_id,
            amount,
            receipt,
            super::fmt_date(now.date()),
            actor_login
        ],
    )?;
    let order = format!("{:06}", next_counter(tx, "cash_order")?);
    tx.exec(
        "INSERT INTO cash_orders(number, kind, amount, member_id, receipt_no, at, actor)
         VALUES (?1, 'voluntary_share', ?2, ?3, ?4, ?5, ?6)",
        params![
            order,
            amount,
            member_id,
            receipt,
            fmt_time(now),
            actor_login
        ],
    )?;
    Ok(order)
}
