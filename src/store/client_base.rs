//! The client base (DOMAIN §6) in the database: sales managers' profiles, who holds which
//! client, turnover, change requests and their approval, automatic unassignment, history.
//! The norms themselves are judged by `domain::client_base`; this module gathers the facts,
//! checks who may act, and writes every change in one transaction with its history row.

use super::{Actor, CachedSql, Result, Store, StoreError, audit, current_roles, fmt_time};
use crate::domain::Role;
use crate::domain::client_base::{
    self as cb, BaseReport, ClientBaseRules, ClientFacts, ManagerFacts, Potential,
};
use crate::domain::money::Money;
use crate::domain::validate::FieldError;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::BTreeMap;

const DATE: &str = "%Y-%m-%d";

fn date_sql(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format(DATE).to_string())
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, DATE).ok())
}

/// Who acts: a person logged in at a desk (roles checked in the transaction), or the operator
/// of the command line (who holds the database file and is trusted like its administrator).
#[derive(Clone, Copy, Debug)]
pub enum By<'a> {
    Desk(&'a Actor),
    Operator(&'a str),
}

impl By<'_> {
    /// The login recorded in history, after checking the roles a desk person needs.
    fn check(&self, tx: &Transaction, any_of: &[Role]) -> Result<String> {
        match self {
            By::Operator(label) => Ok(label.to_string()),
            By::Desk(actor) => {
                let roles = current_roles(tx, actor)?;
                if any_of.iter().any(|r| roles.contains(r)) {
                    Ok(actor.login.clone())
                } else {
                    Err(StoreError::Forbidden(any_of[0]))
                }
            }
        }
    }
}

/// A sales manager's profile for the client base.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StaffProfile {
    pub specialization: Option<String>,
    pub trainee: bool,
    pub novice_since: Option<NaiveDate>,
    pub dismissed_on: Option<NaiveDate>,
    pub specialization_changed_on: Option<NaiveDate>,
    pub territories: Vec<String>,
}

/// A change to a profile: `None` leaves the value as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub specialization: Option<Option<String>>,
    pub trainee: Option<bool>,
    pub novice_since: Option<Option<NaiveDate>>,
    pub dismissed_on: Option<Option<NaiveDate>>,
    pub territories: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseManager {
    pub staff_id: i64,
    pub login: String,
    pub name: String,
    pub office_id: i64,
    pub office_code: String,
    pub city: String,
    pub profile: StaffProfile,
}

/// A client as the pane lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRow {
    pub member_id: i64,
    pub member_no: String,
    pub name: String,
    pub manager_id: Option<i64>,
    pub office_code: String,
    pub facts: ClientFacts,
}

/// One manager's base judged on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerReport {
    pub manager: BaseManager,
    pub meetings: u32,
    pub cold_calls: u32,
    /// `None` when the person has no (known) specialisation.
    pub report: Option<BaseReport>,
    pub clients: Vec<ClientRow>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Attach,
    Detach,
    Transfer,
    CoAssign,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Attach => "attach",
            ChangeKind::Detach => "detach",
            ChangeKind::Transfer => "transfer",
            ChangeKind::CoAssign => "co_assign",
        }
    }

    fn parse(s: &str) -> ChangeKind {
        match s {
            "attach" => ChangeKind::Attach,
            "detach" => ChangeKind::Detach,
            "co_assign" => ChangeKind::CoAssign,
            _ => ChangeKind::Transfer,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRequest {
    pub kind: ChangeKind,
    pub member_id: i64,
    /// For attach and co-assign: who receives; for transfer: the new manager.
    pub to_staff_id: Option<i64>,
    pub memo: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub kind: ChangeKind,
    pub member_id: i64,
    pub member_name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub memo: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub status: String,
    pub decided_by: Option<String>,
    pub override_: bool,
    /// What the norms say about it now (overridable refusals a director may approve over).
    pub refusals: Vec<cb::Refusal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    pub at: NaiveDateTime,
    pub from: Option<String>,
    pub to: Option<String>,
    pub actor: String,
    pub reason: String,
    pub memo: String,
    pub override_: bool,
}

/// A turnover figure to import: client (member number), month, amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnoverRow {
    pub member_id: i64,
    pub month: NaiveDate,
    pub amount: Money,
}

/// An assignment to import: the client goes to `staff_id` (or the pool) since `since`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentRow {
    pub member_id: i64,
    pub staff_id: Option<i64>,
    pub since: NaiveDate,
}

/// Months of turnover a report reads: enough for every rule (6 idle months + the current one,
/// two black-list months).
fn first_month(rules: &ClientBaseRules, date: NaiveDate) -> NaiveDate {
    cb::months_back(date, rules.idle_months.max(2) + 1)
}

fn profile_from(row: &rusqlite::Row, at: usize) -> rusqlite::Result<StaffProfile> {
    let territories: String = row.get(at + 5)?;
    Ok(StaffProfile {
        specialization: row.get(at)?,
        trainee: row.get::<_, i64>(at + 1)? != 0,
        novice_since: parse_date(row.get(at + 2)?),
        dismissed_on: parse_date(row.get(at + 3)?),
        specialization_changed_on: parse_date(row.get(at + 4)?),
        territories: territories
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

const MANAGER_COLS: &str = "s.id, s.login, s.name, s.office_id, o.code, o.city,
     s.specialization, s.trainee, s.novice_since, s.dismissed_on, s.specialization_changed_on,
     s.territories";

fn manager_from(r: &rusqlite::Row) -> rusqlite::Result<BaseManager> {
    Ok(BaseManager {
        staff_id: r.get(0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        office_id: r.get(3)?,
        office_code: r.get(4)?,
        city: r.get(5)?,
        profile: profile_from(r, 6)?,
    })
}

fn manager_in(conn: &rusqlite::Connection, staff_id: i64) -> Result<Option<BaseManager>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {MANAGER_COLS} FROM staff s JOIN offices o ON o.id = s.office_id WHERE s.id = ?1"
        ))?
        .query_row([staff_id], manager_from)
        .optional()?)
}

const CLIENT_COLS: &str = "m.id, COALESCE(m.member_no, ''),
     m.last_name || ' ' || m.first_name || CASE WHEN m.patronymic = '' THEN '' ELSE ' ' || m.patronymic END,
     m.manager_id, o.code, m.related_group, m.potential, m.client_group, m.territory,
     m.assigned_since,
     (SELECT COALESCE(SUM(l.overdue_amount), 0) FROM loans l WHERE l.member_id = m.id)";

/// Clients with their turnover since `from_month`, in one pass over each table.
fn clients_where(
    conn: &rusqlite::Connection,
    where_: &str,
    args: &[&dyn rusqlite::ToSql],
    from_month: NaiveDate,
) -> Result<Vec<ClientRow>> {
    clients_ordered(
        conn,
        where_,
        "m.last_name, m.first_name, m.id",
        args,
        from_month,
    )
}

fn clients_ordered(
    conn: &rusqlite::Connection,
    where_: &str,
    order: &str,
    args: &[&dyn rusqlite::ToSql],
    from_month: NaiveDate,
) -> Result<Vec<ClientRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CLIENT_COLS} FROM members m JOIN offices o ON o.id = m.office_id
         WHERE {where_} ORDER BY {order}"
    ))?;
    let mut rows: Vec<ClientRow> = stmt
        .query_map(args, |r| {
            let potential: String = r.get(6)?;
            Ok(ClientRow {
                member_id: r.get(0)?,
                member_no: r.get(1)?,
                name: r.get(2)?,
                manager_id: r.get(3)?,
                office_code: r.get(4)?,
                facts: ClientFacts {
                    id: r.get(0)?,
                    related_group: r.get(5)?,
                    potential: Potential::parse(&potential),
                    group: r.get(7)?,
                    territory: r.get(8)?,
                    turnover: BTreeMap::new(),
                    overdue: Money::from_kopecks(r.get(10)?),
                    assigned_since: parse_date(r.get(9)?),
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut turnover = conn.prepare_cached(
        "SELECT month, amount FROM turnover WHERE member_id = ?1 AND month >= ?2",
    )?;
    let from = from_month.format(DATE).to_string();
    for c in &mut rows {
        let months = turnover.query_map(params![c.member_id, from], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for m in months {
            let (month, amount) = m?;
            if let Some(d) = parse_date(Some(month)) {
                c.facts.turnover.insert(d, Money::from_kopecks(amount));
            }
        }
    }
    Ok(rows)
}

/// A manager's base: clients they hold and clients co-assigned to them.
fn base_of(
    conn: &rusqlite::Connection,
    staff_id: i64,
    from_month: NaiveDate,
) -> Result<Vec<ClientRow>> {
    clients_where(
        conn,
        "(m.manager_id = ?1 OR m.id IN (SELECT member_id FROM co_assignments WHERE staff_id = ?1))
         AND m.status <> 'left'",
        &[&staff_id],
        from_month,
    )
}

/// Meetings and cold calls of a manager in the month of `date`, up to `date`.
fn activity(conn: &rusqlite::Connection, staff_id: i64, date: NaiveDate) -> Result<(u32, u32)> {
    let from = cb::month_of(date).format(DATE).to_string();
    let to = date.format(DATE).to_string();
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(kind = 'meeting'), 0),
                    COALESCE(SUM(kind = 'call' AND temperature = 'cold'), 0)
             FROM contacts WHERE staff_id = ?1 AND on_date BETWEEN ?2 AND ?3",
        )?
        .query_row(params![staff_id, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

fn manager_facts(m: &BaseManager, meetings: u32, cold_calls: u32) -> ManagerFacts {
    ManagerFacts {
        specialization: m.profile.specialization.clone().unwrap_or_default(),
        trainee: m.profile.trainee,
        novice_since: m.profile.novice_since,
        dismissed_on: m.profile.dismissed_on,
        specialization_changed_on: m.profile.specialization_changed_on,
        city: m.city.clone(),
        territories: m.profile.territories.clone(),
        meetings,
        cold_calls,
    }
}

/// The members that move with `member_id`: its related group held by the same manager.
fn unit_members(tx: &rusqlite::Connection, member_id: i64) -> Result<Vec<i64>> {
    let (group, manager): (String, Option<i64>) = tx
        .one(
            "SELECT related_group, manager_id FROM members WHERE id = ?1",
            [member_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if group.is_empty() {
        return Ok(vec![member_id]);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM members WHERE related_group = ?1 AND manager_id IS ?2 ORDER BY id",
    )?;
    Ok(stmt
        .query_map(params![group, manager], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Everyone who is a sales manager (has a specialisation) or holds clients, by name.
    pub fn base_managers(&self) -> Result<Vec<BaseManager>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MANAGER_COLS} FROM staff s JOIN offices o ON o.id = s.office_id
             WHERE s.specialization IS NOT NULL
                OR EXISTS (SELECT 1 FROM members m WHERE m.manager_id = s.id)
             ORDER BY s.name, s.id"
        ))?;
        Ok(stmt
            .query_map([], manager_from)?
            .collect::<rusqlite::Result<_>>()?)
    }

    pub fn base_manager(&self, staff_id: i64) -> Result<Option<BaseManager>> {
        manager_in(&self.conn, staff_id)
    }

    /// Every manager's base judged on `date`.
    pub fn client_base_report(
        &self,
        rules: &ClientBaseRules,
        date: NaiveDate,
    ) -> Result<Vec<ManagerReport>> {
        let from = first_month(rules, date);
        let mut out = Vec::new();
        for manager in self.base_managers()? {
            out.push(self.manager_report_for(rules, manager, date, from)?);
        }
        Ok(out)
    }

    /// One manager's base judged on `date`.
    pub fn manager_report(
        &self,
        rules: &ClientBaseRules,
        staff_id: i64,
        date: NaiveDate,
    ) -> Result<ManagerReport> {
        let manager = self.base_manager(staff_id)?.ok_or(StoreError::NotFound)?;
        self.manager_report_for(rules, manager, date, first_month(rules, date))
    }

    fn manager_report_for(
        &self,
        rules: &ClientBaseRules,
        manager: BaseManager,
        date: NaiveDate,
        from: NaiveDate,
    ) -> Result<ManagerReport> {
        let clients = base_of(&self.conn, manager.staff_id, from)?;
        let (meetings, cold_calls) = activity(&self.conn, manager.staff_id, date)?;
        let facts: Vec<ClientFacts> = clients.iter().map(|c| c.facts.clone()).collect();
        let report = cb::evaluate(
            rules,
            &manager_facts(&manager, meetings, cold_calls),
            &facts,
            date,
        );
        Ok(ManagerReport {
            manager,
            meetings,
            cold_calls,
            report,
            clients,
        })
    }

    /// Unassigned clients (the pool) in the order they joined, a page at a time after `after`
    /// (a member id: keyset paging, never the whole pool), filtered by client group and
    /// potential when given.
    pub fn pool_page(
        &self,
        rules: &ClientBaseRules,
        date: NaiveDate,
        group: Option<&str>,
        potential: Option<Potential>,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ClientRow>> {
        let group = group.unwrap_or("");
        let potential = potential.map(|p| p.code()).unwrap_or("");
        let after = after.unwrap_or(0);
        let limit = limit as i64;
        clients_ordered(
            &self.conn,
            "m.id IN (SELECT id FROM members WHERE manager_id IS NULL AND status <> 'left'
                AND (?1 = '' OR client_group = ?1) AND (?2 = '' OR potential = ?2) AND id > ?3
                ORDER BY id LIMIT ?4)",
            "m.id",
            &[&group, &potential, &after, &limit],
            first_month(rules, date),
        )
    }

    /// Set a sales manager's profile. A change of specialisation is dated `today` (rule 5).
    pub fn set_staff_profile(
        &mut self,
        by: By,
        login: &str,
        change: &ProfileChange,
        rules: &ClientBaseRules,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<()> {
        if let Some(Some(code)) = &change.specialization
            && rules.specialization(code).is_none()
        {
            return Err(StoreError::Invalid(vec![FieldError {
                field: "specialization",
                reason: "cb.unknown_code",
                detail: Some(code.clone()),
            }]));
        }
        self.write(|tx| {
            let who = by.check(tx, &[Role::Head, Role::Admin, Role::Director])?;
            let (id, old): (i64, StaffProfile) = tx
                .one(
                    "SELECT id, specialization, trainee, novice_since, dismissed_on,
                            specialization_changed_on, territories
                     FROM staff WHERE login = ?1",
                    [login],
                    |r| Ok((r.get(0)?, profile_from(r, 1)?)),
                )
                .optional()?
                .ok_or(StoreError::NotFound)?;
            let mut new = old.clone();
            if let Some(s) = &change.specialization {
                new.specialization = s.clone();
                if old.specialization.is_some() && old.specialization != new.specialization {
                    new.specialization_changed_on = Some(today);
                }
            }
            if let Some(t) = change.trainee {
                new.trainee = t;
            }
            if let Some(d) = change.novice_since {
                new.novice_since = d;
            }
            if let Some(d) = change.dismissed_on {
                new.dismissed_on = d;
            }
            if let Some(t) = &change.territories {
                new.territories = t.clone();
            }
            if new == old {
                return Ok(());
            }
            tx.exec(
                "UPDATE staff SET specialization = ?2, trainee = ?3, novice_since = ?4,
                        dismissed_on = ?5, specialization_changed_on = ?6, territories = ?7
                 WHERE id = ?1",
                params![
                    id,
                    new.specialization,
                    new.trainee,
                    date_sql(new.novice_since),
                    date_sql(new.dismissed_on),
                    date_sql(new.specialization_changed_on),
                    new.territories.join("\n"),
                ],
            )?;
            audit(
                tx,
                now,
                &who,
                "staff_profile",
                &format!(
                    "{login}: specialization {:?} -> {:?}; trainee {} -> {}; novice_since {:?} -> {:?}; dismissed_on {:?} -> {:?}; territories {:?} -> {:?}",
                    old.specialization,
                    new.specialization,
                    old.trainee,
                    new.trainee,
                    old.novice_since,
                    new.novice_since,
                    old.dismissed_on,
                    new.dismissed_on,
                    old.territories,
                    new.territories
                ),
            )?;
            Ok(())
        })
    }

    /// Ask for a change of assignment on a memo. Refused at once, with the rule's words, when
    /// it breaks a norm no one may override; a change over the maximum is recorded for the
    /// director, who may approve it explicitly.
    pub fn request_change(
        &mut self,
        by: By,
        req: &ChangeRequest,
        rules: &ClientBaseRules,
        date: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<i64> {
        if req.memo.trim().is_empty() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "memo",
                "err.required",
            )]));
        }
        self.write(|tx| {
            let who = by.check(tx, &[Role::Analyst, Role::Head])?;
            let (from, _, _) = plan_change(tx, req, rules, date)?;
            tx.exec(
                "INSERT INTO assignment_requests(kind, member_id, from_staff_id, to_staff_id, memo,
                     requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    req.kind.code(),
                    req.member_id,
                    from,
                    req.to_staff_id,
                    req.memo.trim(),
                    who,
                    fmt_time(now)
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The sales director approves (applying the change) or rejects a pending request.
    /// `override_` approves a change over the maximum; it is recorded as such.
    #[allow(clippy::too_many_arguments)]
    pub fn decide_request(
        &mut self,
        actor: &Actor,
        request_id: i64,
        approve: bool,
        override_: bool,
        comment: &str,
        rules: &ClientBaseRules,
        date: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            let who = By::Desk(actor).check(tx, &[Role::Director])?;
            let row: Option<StoredRequest> = tx
                .one(
                    "SELECT kind, member_id, from_staff_id, to_staff_id, memo, status
                     FROM assignment_requests WHERE id = ?1",
                    [request_id],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )
                .optional()?;
            let (kind, member_id, from_recorded, to, memo, status) =
                row.ok_or(StoreError::NotFound)?;
            if status != "pending" {
                return Err(StoreError::Duplicate(format!("#{request_id}")));
            }
            let req = ChangeRequest {
                kind: ChangeKind::parse(&kind),
                member_id,
                to_staff_id: to,
                memo: memo.clone(),
            };
            if approve {
                // Judge the change on the base as it is now, not as it was when asked.
                let (from, members, over) = plan_change(tx, &req, rules, date)?;
                if from != from_recorded {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "client",
                        "cb.moved_since",
                    )]));
                }
                if !over.is_empty() && !override_ {
                    return Err(StoreError::Base(over));
                }
                let overridden = !over.is_empty();
                apply(
                    tx,
                    &req,
                    from,
                    &members,
                    &who,
                    date,
                    now,
                    Some(request_id),
                    overridden,
                    &memo,
                )?;
                tx.exec(
                    "UPDATE assignment_requests SET status = 'approved', decided_by = ?2,
                         decided_at = ?3, override = ?4, decision_comment = ?5 WHERE id = ?1",
                    params![request_id, who, fmt_time(now), overridden, comment.trim()],
                )?;
            } else {
                tx.exec(
                    "UPDATE assignment_requests SET status = 'rejected', decided_by = ?2,
                         decided_at = ?3, decision_comment = ?4 WHERE id = ?1",
                    params![request_id, who, fmt_time(now), comment.trim()],
                )?;
            }
            Ok(())
        })
    }

    /// Requests, newest first; only pending ones when `pending_only`.
    pub fn change_requests(
        &self,
        rules: &ClientBaseRules,
        date: NaiveDate,
        pending_only: bool,
        limit: usize,
    ) -> Result<Vec<RequestRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT q.id, q.kind, q.member_id,
                    m.last_name || ' ' || m.first_name,
                    f.name, t.name, q.memo, q.requested_by, q.requested_at, q.status,
                    q.decided_by, q.override, q.to_staff_id
             FROM assignment_requests q JOIN members m ON m.id = q.member_id
             LEFT JOIN staff f ON f.id = q.from_staff_id
             LEFT JOIN staff t ON t.id = q.to_staff_id
             WHERE (?1 = 0 OR q.status = 'pending')
             ORDER BY q.id DESC LIMIT ?2",
        )?;
        let rows: Vec<(RequestRow, Option<i64>)> = stmt
            .query_map(params![pending_only, limit as i64], |r| {
                Ok((
                    RequestRow {
                        id: r.get(0)?,
                        kind: ChangeKind::parse(&r.get::<_, String>(1)?),
                        member_id: r.get(2)?,
                        member_name: r.get(3)?,
                        from: r.get(4)?,
                        to: r.get(5)?,
                        memo: r.get(6)?,
                        requested_by: r.get(7)?,
                        requested_at: super::parse_time(&r.get::<_, String>(8)?),
                        status: r.get(9)?,
                        decided_by: r.get(10)?,
                        override_: r.get::<_, i64>(11)? != 0,
                        refusals: Vec::new(),
                    },
                    r.get(12)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (mut row, to) in rows {
            if row.status == "pending" {
                let req = ChangeRequest {
                    kind: row.kind,
                    member_id: row.member_id,
                    to_staff_id: to,
                    memo: row.memo.clone(),
                };
                row.refusals = refusals_on(&self.conn, &req, rules, date).unwrap_or_default();
            }
            out.push(row);
        }
        Ok(out)
    }

    /// Who held a client, and every change, oldest first.
    pub fn assignment_history(&self, member_id: i64) -> Result<Vec<HistoryRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.at, f.name, t.name, h.actor, h.reason, h.memo, h.override
             FROM assignment_history h
             LEFT JOIN staff f ON f.id = h.from_staff_id
             LEFT JOIN staff t ON t.id = h.to_staff_id
             WHERE h.member_id = ?1 ORDER BY h.id",
        )?;
        Ok(stmt
            .query_map([member_id], |r| {
                Ok(HistoryRow {
                    at: super::parse_time(&r.get::<_, String>(0)?),
                    from: r.get(1)?,
                    to: r.get(2)?,
                    actor: r.get(3)?,
                    reason: r.get(4)?,
                    memo: r.get(5)?,
                    override_: r.get::<_, i64>(6)? != 0,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Clients due for automatic unassignment on `date` (rule 4), with their manager, by unit.
    pub fn idle_due(
        &self,
        rules: &ClientBaseRules,
        date: NaiveDate,
    ) -> Result<Vec<(BaseManager, Vec<ClientRow>)>> {
        let mut out = Vec::new();
        for r in self.client_base_report(rules, date)? {
            let Some(report) = &r.report else { continue };
            let due: Vec<ClientRow> = r
                .clients
                .iter()
                .zip(&report.clients)
                .filter(|(c, (_, f))| f.due_unassign && c.manager_id == Some(r.manager.staff_id))
                .map(|(c, _)| c.clone())
                .collect();
            if !due.is_empty() {
                out.push((r.manager.clone(), due));
            }
        }
        Ok(out)
    }

    /// Detach every client due for unassignment, in one transaction, each recorded with its
    /// reason. Returns how many clients went to the pool.
    pub fn unassign_idle(
        &mut self,
        by: By,
        rules: &ClientBaseRules,
        date: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<usize> {
        let due = self.idle_due(rules, date)?;
        self.write(|tx| {
            let who = by.check(tx, &[Role::Analyst, Role::Head, Role::Director])?;
            let mut n = 0;
            for (manager, clients) in &due {
                for c in clients {
                    // Only if nothing changed since the list was made.
                    let changed = tx.exec(
                        "UPDATE members SET manager_id = NULL, assigned_since = NULL
                         WHERE id = ?1 AND manager_id = ?2",
                        params![c.member_id, manager.staff_id],
                    )?;
                    if changed == 1 {
                        history(
                            tx,
                            c.member_id,
                            Some(manager.staff_id),
                            None,
                            &who,
                            date,
                            now,
                            "idle",
                            None,
                            false,
                            "",
                        )?;
                        n += 1;
                    }
                }
            }
            Ok(n)
        })
    }

    /// Monthly turnover from the accounting system; a repeated (client, month) replaces the
    /// figure. Returns (added, changed, unchanged).
    pub fn import_turnover(
        &mut self,
        label: &str,
        rows: &[TurnoverRow],
        now: NaiveDateTime,
    ) -> Result<(usize, usize, usize)> {
        self.write(|tx| {
            let (mut added, mut changed, mut same) = (0, 0, 0);
            let mut get = tx.prepare_cached(
                "SELECT amount FROM turnover WHERE member_id = ?1 AND month = ?2",
            )?;
            let mut put = tx.prepare_cached(
                "INSERT INTO turnover(member_id, month, amount) VALUES (?1, ?2, ?3)
                 ON CONFLICT(member_id, month) DO UPDATE SET amount = excluded.amount",
            )?;
            for r in rows {
                let month = cb::month_of(r.month).format(DATE).to_string();
                let old: Option<i64> = get
                    .query_row(params![r.member_id, month], |x| x.get(0))
                    .optional()?;
                match old {
                    Some(k) if k == r.amount.kopecks() => same += 1,
                    Some(_) => changed += 1,
                    None => added += 1,
                }
                if old != Some(r.amount.kopecks()) {
                    put.execute(params![r.member_id, month, r.amount.kopecks()])?;
                }
            }
            audit(
                tx,
                now,
                label,
                "import_turnover",
                &format!("added {added}, changed {changed}, unchanged {same}"),
            )?;
            Ok((added, changed, same))
        })
    }

    /// Assignments from the accounting system (the classifier): each client goes to its
    /// manager, or the pool, since the date given; unchanged rows write nothing. Returns
    /// (changed, unchanged).
    pub fn import_assignments(
        &mut self,
        label: &str,
        rows: &[AssignmentRow],
        date: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<(usize, usize)> {
        self.write(|tx| {
            let (mut changed, mut same) = (0, 0);
            for r in rows {
                let (old, since): (Option<i64>, Option<String>) = tx.one(
                    "SELECT manager_id, assigned_since FROM members WHERE id = ?1",
                    [r.member_id],
                    |x| Ok((x.get(0)?, x.get(1)?)),
                )?;
                let new_since = r.staff_id.map(|_| r.since.format(DATE).to_string());
                if old == r.staff_id && since == new_since {
                    same += 1;
                    continue;
                }
                tx.exec(
                    "UPDATE members SET manager_id = ?2, assigned_since = ?3 WHERE id = ?1",
                    params![r.member_id, r.staff_id, new_since],
                )?;
                if old != r.staff_id {
                    history(
                        tx,
                        r.member_id,
                        old,
                        r.staff_id,
                        label,
                        date,
                        now,
                        "import",
                        None,
                        false,
                        "",
                    )?;
                }
                changed += 1;
            }
            audit(
                tx,
                now,
                label,
                "import_assignments",
                &format!("changed {changed}, unchanged {same}"),
            )?;
            Ok((changed, same))
        })
    }
}

/// A request as stored: kind, client, from, to, memo, status.
type StoredRequest = (String, i64, Option<i64>, Option<i64>, String, String);

/// The current manager of the client, the members that move with it, and the refusals a
/// director may override (over the maximum), after checking the change fits the request's
/// kind. Any other refusal is an error naming every rule broken.
fn plan_change(
    tx: &Transaction,
    req: &ChangeRequest,
    rules: &ClientBaseRules,
    date: NaiveDate,
) -> Result<(Option<i64>, Vec<i64>, Vec<cb::Refusal>)> {
    let current: Option<i64> = tx
        .one(
            "SELECT manager_id FROM members WHERE id = ?1",
            [req.member_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let wrong_state =
        |reason: &'static str| StoreError::Invalid(vec![FieldError::new("client", reason)]);
    match req.kind {
        ChangeKind::Attach if current.is_some() => return Err(wrong_state("cb.not_in_pool")),
        ChangeKind::Detach | ChangeKind::Transfer | ChangeKind::CoAssign if current.is_none() => {
            return Err(wrong_state("cb.in_pool"));
        }
        ChangeKind::Transfer | ChangeKind::CoAssign if current == req.to_staff_id => {
            return Err(wrong_state("cb.same_manager"));
        }
        _ => {}
    }
    if matches!(
        req.kind,
        ChangeKind::Attach | ChangeKind::Transfer | ChangeKind::CoAssign
    ) && req.to_staff_id.is_none()
    {
        return Err(StoreError::Base(vec![cb::Refusal::Impersonal]));
    }
    if req.kind == ChangeKind::CoAssign {
        // Rule 8 is about managers of different offices.
        let offices: (i64, i64) = tx.one(
            "SELECT (SELECT office_id FROM staff WHERE id = ?1), (SELECT office_id FROM staff WHERE id = ?2)",
            params![current, req.to_staff_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if offices.0 == offices.1 {
            return Err(wrong_state("cb.same_office"));
        }
    }
    let refusals = refusals_on(tx, req, rules, date)?;
    if refusals.iter().any(|r| !r.overridable()) {
        return Err(StoreError::Base(refusals));
    }
    let members = unit_members(tx, req.member_id)?;
    Ok((current, members, refusals))
}

/// What the norms say about a change on `date` (empty: it may be made).
fn refusals_on(
    conn: &rusqlite::Connection,
    req: &ChangeRequest,
    rules: &ClientBaseRules,
    date: NaiveDate,
) -> Result<Vec<cb::Refusal>> {
    let Some(to) = req.to_staff_id.filter(|_| req.kind != ChangeKind::Detach) else {
        return Ok(Vec::new());
    };
    let Some(target) = manager_in(conn, to)? else {
        return Ok(vec![cb::Refusal::Impersonal]);
    };
    let from = first_month(rules, date);
    let current: Vec<ClientFacts> = base_of(conn, to, from)?
        .into_iter()
        .map(|c| c.facts)
        .collect();
    let ids = unit_members(conn, req.member_id)?;
    // The ids go in as one bound JSON array, never as SQL text.
    let list = serde_json::to_string(&ids).map_err(|e| StoreError::Io(e.to_string()))?;
    let moving: Vec<ClientFacts> = clients_where(
        conn,
        "m.id IN (SELECT value FROM json_each(?1))",
        &[&list],
        from,
    )?
    .into_iter()
    .map(|c| c.facts)
    .collect();
    let (meetings, cold) = activity(conn, to, date)?;
    Ok(cb::check_attach(
        rules,
        Some(&manager_facts(&target, meetings, cold)),
        &current,
        &moving,
        date,
    ))
}

#[allow(clippy::too_many_arguments)]
fn apply(
    tx: &Transaction,
    req: &ChangeRequest,
    from: Option<i64>,
    members: &[i64],
    who: &str,
    date: NaiveDate,
    now: NaiveDateTime,
    request_id: Option<i64>,
    overridden: bool,
    memo: &str,
) -> Result<()> {
    let since = date.format(DATE).to_string();
    for &m in members {
        match req.kind {
            ChangeKind::CoAssign => {
                tx.exec(
                    "INSERT OR IGNORE INTO co_assignments(member_id, staff_id, since, request_id)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![m, req.to_staff_id, since, request_id],
                )?;
                history(
                    tx,
                    m,
                    from,
                    req.to_staff_id,
                    who,
                    date,
                    now,
                    "co_assign",
                    request_id,
                    overridden,
                    memo,
                )?;
            }
            ChangeKind::Detach => {
                tx.exec(
                    "UPDATE members SET manager_id = NULL, assigned_since = NULL WHERE id = ?1",
                    [m],
                )?;
                history(
                    tx, m, from, None, who, date, now, "request", request_id, overridden, memo,
                )?;
            }
            ChangeKind::Attach | ChangeKind::Transfer => {
                tx.exec(
                    "UPDATE members SET manager_id = ?2, assigned_since = ?3 WHERE id = ?1",
                    params![m, req.to_staff_id, since],
                )?;
                history(
                    tx,
                    m,
                    from,
                    req.to_staff_id,
                    who,
                    date,
                    now,
                    "request",
                    request_id,
                    overridden,
                    memo,
                )?;
            }
        }
    }
    Ok(())
}

/// One row of the assignment history (append-only), in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn history(
    tx: &Transaction,
    member_id: i64,
    from: Option<i64>,
    to: Option<i64>,
    who: &str,
    date: NaiveDate,
    now: NaiveDateTime,
    reason: &str,
    request_id: Option<i64>,
    overridden: bool,
    memo: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO assignment_history(member_id, from_staff_id, to_staff_id, at, on_date, actor,
             reason, request_id, override, memo)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        member_id,
        from,
        to,
        fmt_time(now),
        date.format(DATE).to_string(),
        who,
        reason,
        request_id,
        overridden,
        memo
    ])?;
    Ok(())
}
