//! Bulk writing for `coopdesk demo`: the rows the store's own actions write, many of them in one
//! transaction with prepared statements.
//!
//! [`BulkWriter`] mirrors the application actions of `applications.rs` — create, import, take,
//! edit, save checks, transition — and calls the same side-effect functions (candidate record,
//! fees and member number, loan, agreements, cash order, sale), so an application written here
//! ends in exactly the state, history and numbering the real actions would give it. What it
//! saves is the per-action transaction (and its fsync) and re-reading the application: an open
//! application is kept in memory and its row is rewritten once, when it closes or the batch ends.
//!
//! Scores go through the store's own `scores::record_in`, as [`Store::score_application`]
//! records them, and the final-terms step scores again on changed terms as the store does.
//!
//! Besides, it writes what has no desk action yet: members who joined before coopdesk (with their
//! fees), voluntary share contributions, members leaving, and loan balances as of a date.

use super::applications::{
    BureauCheck, CheckOutcome, StepInput, admit_member, data_values, describe_changes,
    insert_application, insert_event, issue_loan, make_candidate, verify_ready, write_checks,
};
use super::scores::{self, Evaluated};
use super::staff::require_any;
use super::{Actor, Result, Store, StoreError, audit, current_roles, fmt_time, next_counter};
use crate::domain::application::{self, Refusal, Requirement, may_edit};
use crate::domain::draft::{ApplicationData, Borrower};
use crate::domain::validate::{self, FieldError};
use crate::domain::{Money, Role, Status};
use crate::rules::Rules;
use crate::store::applications::ApplicationRecord;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// The page cache of a bulk fill, KiB: holds the tables being filled instead of spilling
/// pages and reading them back.
pub const BUILD_CACHE_KIB: u32 = 262_144;

/// The audit action that marks a database as built by `coopdesk demo`.
const DEMO_MARK: &str = "demo.build";

/// An application being worked inside the batch: the record as the real actions would load it,
/// and who holds it now.
struct OpenApp {
    rec: ApplicationRecord,
    assignee_id: Option<i64>,
    /// The data was edited since the row was inserted.
    edited: bool,
}

/// A member who joined before the desk recorded applications (no application behind the fees).
#[derive(Clone, Debug)]
pub struct EarlierMember<'a> {
    pub borrower: &'a Borrower,
    pub office_id: i64,
    pub manager_id: Option<i64>,
}

/// A loan as the servicing snapshot needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanForServicing {
    pub id: i64,
    pub contract_no: String,
    pub amount: Money,
    pub term_months: u32,
    pub rate: String,
    pub issue_date: NaiveDate,
    /// The borrower has left the cooperative (loans repaid).
    pub member_left: bool,
}

/// What a loan stands at on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanBalance {
    pub id: i64,
    pub balance: Money,
    pub overdue_amount: Money,
    pub overdue_days: u32,
}

/// Row counts a demo build reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoCounts {
    pub members: u64,
    pub candidates: u64,
    pub left: u64,
    pub applications: u64,
    pub loans: u64,
    pub contributions: u64,
}

impl Store {
    /// Run `f` with a [`BulkWriter`] inside one write transaction; open applications are written
    /// out before the commit. All of it commits or none.
    pub fn bulk<T>(&mut self, f: impl FnOnce(&mut BulkWriter<'_>) -> Result<T>) -> Result<T> {
        self.conn.set_prepared_statement_cache_capacity(256);
        self.write(|tx| {
            let mut w = BulkWriter {
                tx,
                open: HashMap::new(),
                roles: HashMap::new(),
            };
            let out = f(&mut w)?;
            w.finish()?;
            Ok(out)
        })
    }

    /// While a throwaway database is being built, do not wait for the disk at every commit
    /// (`fast`); afterwards go back to the durability and cache `Store::open` sets, with the
    /// WAL written into the database file.
    pub fn set_build_mode(&self, fast: bool) -> Result<()> {
        // The pages go straight into the database file, not first into the WAL and then
        // copied again by the checkpoint (twice the writing, for gigabytes at a million
        // members). A rollback journal kept in memory still undoes a failed step; a crash
        // leaves only the half-built file, which is thrown away. Nobody else has the file
        // open while it is built.
        self.conn
            .pragma_update(None, "journal_mode", if fast { "MEMORY" } else { "WAL" })?;
        self.conn
            .pragma_update(None, "synchronous", if fast { "OFF" } else { "FULL" })?;
        // Every row of the build refers to rows the build made just before; checking each
        // reference costs a parent lookup per row (a tenth of the build at a million members).
        // The demo's tests check the finished database with `foreign_key_check` instead.
        self.conn
            .pragma_update(None, "foreign_keys", if fast { "OFF" } else { "ON" })?;
        // Sorts for index building in memory rather than in temporary files.
        self.conn
            .pragma_update(None, "temp_store", if fast { "MEMORY" } else { "DEFAULT" })?;
        // A page cache that holds the tables being filled (KiB when negative; the default is
        // 2 MB), instead of spilling pages to the WAL and reading them back.
        self.conn.pragma_update(
            None,
            "cache_size",
            if fast {
                -i64::from(BUILD_CACHE_KIB)
            } else {
                -2_000
            },
        )?;
        if !fast {
            // Everything built goes into the database file itself, so that the file alone
            // can be moved into place.
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Drop these secondary indexes while a throwaway database is filled, and give back their
    /// definitions for [`Store::restore_indexes`]. An index kept up to date row by row costs a
    /// B-tree descent per row for every index of the table; built afterwards it is one sort.
    /// Only indexes no statement of the fill reads may be deferred (the journal's sort keys,
    /// the search columns); a name that is not an index of the schema is left alone.
    pub fn defer_indexes(&mut self, names: &[&str]) -> Result<Vec<String>> {
        self.write(|tx| {
            let mut defs = Vec::new();
            for name in names {
                let sql: Option<String> = tx
                    .prepare_cached(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1 AND sql IS NOT NULL",
                    )?
                    .query_row([name], |r| r.get(0))
                    .optional()?;
                if let Some(sql) = sql {
                    tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
                    defs.push(sql);
                }
            }
            Ok(defs)
        })
    }

    /// Build again the indexes [`Store::defer_indexes`] dropped.
    pub fn restore_indexes(&mut self, defs: &[String]) -> Result<()> {
        self.write(|tx| {
            for sql in defs {
                tx.execute_batch(sql)?;
            }
            Ok(())
        })
    }

    /// The page cache while a throwaway database is built, in KiB. The bulk fill wants it
    /// big; a run of small transactions after it wants it small, because every commit walks
    /// the whole cache.
    pub fn set_build_cache(&self, kib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib))?;
        Ok(())
    }

    /// Record that this database was built by `coopdesk demo`.
    pub fn mark_demo(&mut self, detail: &str, now: NaiveDateTime) -> Result<()> {
        self.write(|tx| audit(tx, now, "demo", DEMO_MARK, detail))
    }

    /// Was this database built by `coopdesk demo`?
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM audit WHERE action = ?1)",
            [DEMO_MARK],
            |r| r.get(0),
        )?)
    }

    /// The application that came in with this external id, if any.
    pub fn application_id_by_external(&self, external_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM applications WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every loan, oldest first, with what a balance snapshot needs.
    pub fn loans_for_servicing(&self) -> Result<Vec<LoanForServicing>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.id, l.contract_no, l.amount, l.term_months, l.rate, l.issue_date, m.status = 'left'
             FROM loans l JOIN members m ON m.id = l.member_id ORDER BY l.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let issue: String = r.get(5)?;
                Ok(LoanForServicing {
                    id: r.get(0)?,
                    contract_no: r.get(1)?,
                    amount: r.get(2)?,
                    term_months: r.get(3)?,
                    rate: r.get(4)?,
                    issue_date: NaiveDate::parse_from_str(&issue, super::DATE_FMT)
                        .unwrap_or_default(),
                    member_left: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Set loan balances and overdue debt as of a date, all in one transaction.
    pub fn set_loan_balances(&mut self, rows: &[LoanBalance]) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "UPDATE loans SET balance = ?2, overdue_amount = ?3, overdue_days = ?4 WHERE id = ?1",
            )?;
            for b in rows {
                stmt.execute(params![b.id, b.balance, b.overdue_amount, b.overdue_days])?;
            }
            Ok(())
        })
    }

    pub fn demo_counts(&self) -> Result<DemoCounts> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM members WHERE status = 'member'),
                    (SELECT count(*) FROM members WHERE status = 'candidate'),
                    (SELECT count(*) FROM members WHERE status = 'left'),
                    (SELECT count(*) FROM applications),
                    (SELECT count(*) FROM loans),
                    (SELECT count(*) FROM contributions)",
            [],
            |r| {
                Ok(DemoCounts {
                    members: r.get(0)?,
                    candidates: r.get(1)?,
                    left: r.get(2)?,
                    applications: r.get(3)?,
                    loans: r.get(4)?,
                    contributions: r.get(5)?,
                })
            },
        )?)
    }
}

/// The data as the store reads it back: amounts come out of the database as kopecks, which
/// shows where a value is written out (the computed answers of a score).
pub fn as_stored(data: &ApplicationData) -> ApplicationData {
    let mut d = data.clone();
    let b = &mut d.borrower;
    for m in [
        &mut b.income,
        &mut b.expenses,
        &mut b.payments,
        &mut b.deductions,
        &mut d.loan.amount,
    ] {
        *m = Money::from_kopecks(m.kopecks());
    }
    d
}

/// Writes inside one transaction; see the module documentation.
pub struct BulkWriter<'t> {
    tx: &'t Transaction<'t>,
    open: HashMap<i64, OpenApp>,
    /// Each actor's roles, read once: nothing in the fill changes staff or their roles.
    roles: HashMap<i64, Vec<Role>>,
}

impl BulkWriter<'_> {
    /// As [`current_roles`], read from the database the first time an actor acts.
    fn roles_of(&mut self, actor: &Actor) -> Result<Vec<Role>> {
        if let Some(r) = self.roles.get(&actor.staff_id) {
            return Ok(r.clone());
        }
        let r = current_roles(self.tx, actor)?;
        self.roles.insert(actor.staff_id, r.clone());
        Ok(r)
    }

    fn open_app(&self, id: i64) -> Result<&OpenApp> {
        self.open.get(&id).ok_or(StoreError::NotFound)
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        id: i64,
        number: String,
        external_id: Option<&str>,
        created_by: &str,
        assignee: Option<&Actor>,
        data: &ApplicationData,
        office_id: i64,
        now: NaiveDateTime,
    ) {
        let rec = ApplicationRecord {
            id,
            number,
            external_id: external_id.map(str::to_string),
            created_at: now,
            created_by: created_by.to_string(),
            office_id,
            office_code: String::new(),
            status: Status::New,
            status_since: now,
            assignee: assignee.map(|a| (a.login.clone(), a.name.clone())),
            member_id: None,
            member_no: None,
            data: as_stored(data),
            reject_reason: String::new(),
            version: 1,
        };
        self.open.insert(
            id,
            OpenApp {
                rec,
                assignee_id: assignee.map(|a| a.staff_id),
                edited: false,
            },
        );
    }

    /// As [`Store::create_application`]: typed at the desk, assigned to its author.
    pub fn create_application(
        &mut self,
        actor: &Actor,
        data: &ApplicationData,
        office_id: i64,
        now: NaiveDateTime,
    ) -> Result<i64> {
        require_any(self.tx, actor, &[Role::Manager, Role::Head])?;
        let (id, number) = insert_application(
            self.tx,
            data,
            office_id,
            None,
            &actor.login,
            Some(actor.staff_id),
            now,
        )?;
        insert_event(
            self.tx,
            id,
            now,
            &actor.login,
            "created",
            None,
            Some(Status::New),
            "",
        )?;
        self.start(
            id,
            number,
            None,
            &actor.login,
            Some(actor),
            data,
            office_id,
            now,
        );
        Ok(id)
    }

    /// As one row of [`Store::import_applications`] whose external id is new.
    pub fn import_application(
        &mut self,
        label: &str,
        external_id: &str,
        data: &ApplicationData,
        office_id: i64,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let (id, number) = insert_application(
            self.tx,
            data,
            office_id,
            Some(external_id),
            label,
            None,
            now,
        )?;
        insert_event(
            self.tx,
            id,
            now,
            label,
            "imported",
            None,
            Some(Status::New),
            external_id,
        )?;
        self.start(
            id,
            number,
            Some(external_id),
            label,
            None,
            data,
            office_id,
            now,
        );
        Ok(id)
    }

    /// As [`Store::take_application`].
    pub fn take_application(&mut self, actor: &Actor, id: i64, now: NaiveDateTime) -> Result<()> {
        let roles = self.roles_of(actor)?;
        let status = self.open_app(id)?.rec.status;
        if status.is_final() {
            return Err(StoreError::Refused(Refusal::Closed));
        }
        if !may_edit(status, &roles) {
            return Err(StoreError::Forbidden(status.owner().unwrap_or(Role::Head)));
        }
        insert_event(
            self.tx,
            id,
            now,
            &actor.login,
            "assigned",
            None,
            None,
            &actor.name,
        )?;
        let app = self.open.get_mut(&id).ok_or(StoreError::NotFound)?;
        app.assignee_id = Some(actor.staff_id);
        app.rec.assignee = Some((actor.login.clone(), actor.name.clone()));
        app.rec.version += 1;
        Ok(())
    }

    /// As [`Store::update_application`], the office unchanged.
    pub fn update_application(
        &mut self,
        actor: &Actor,
        id: i64,
        data: &ApplicationData,
        now: NaiveDateTime,
    ) -> Result<()> {
        let roles = self.roles_of(actor)?;
        let app = self.open_app(id)?;
        if app.rec.status.is_final() {
            return Err(StoreError::Refused(Refusal::Closed));
        }
        if !may_edit(app.rec.status, &roles) {
            return Err(StoreError::Forbidden(
                app.rec.status.owner().unwrap_or(Role::Head),
            ));
        }
        let changes = describe_changes(&app.rec.data, data);
        if changes.is_empty() {
            return Ok(());
        }
        insert_event(
            self.tx,
            id,
            now,
            &actor.login,
            "edited",
            None,
            None,
            &changes,
        )?;
        let app = self.open.get_mut(&id).ok_or(StoreError::NotFound)?;
        app.rec.data = as_stored(data);
        app.rec.version += 1;
        app.edited = true;
        Ok(())
    }

    /// As [`Store::save_checks`].
    pub fn save_checks(
        &mut self,
        actor: &Actor,
        id: i64,
        checks: &[(String, Option<CheckOutcome>, String)],
        bureau: Option<&BureauCheck>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<()> {
        let tx = self.tx;
        let roles = self.roles_of(actor)?;
        let status = self.open_app(id)?.rec.status;
        if !matches!(status, Status::New | Status::Checked) {
            return Err(StoreError::Refused(Refusal::Closed));
        }
        if !may_edit(status, &roles) {
            return Err(StoreError::Forbidden(
                status.owner().unwrap_or(Role::Manager),
            ));
        }
        let notes = write_checks(tx, actor, id, checks, bureau, rules, now)?;
        if !notes.is_empty() {
            insert_event(
                tx,
                id,
                now,
                &actor.login,
                "checks",
                None,
                None,
                &notes.join("; "),
            )?;
            self.open
                .get_mut(&id)
                .ok_or(StoreError::NotFound)?
                .rec
                .version += 1;
        }
        Ok(())
    }

    /// As [`Store::score_application`]: the same role rule, and the score recorded by the same
    /// code (a `scored` history row); the card was evaluated ahead by [`Evaluated::new`] on
    /// the application as it stands, off the writing thread.
    pub fn score_application(
        &mut self,
        actor: &Actor,
        id: i64,
        scored: &Evaluated,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<()> {
        let card = rules
            .scorecard
            .as_ref()
            .ok_or(StoreError::Invalid(vec![FieldError::new(
                "scoring",
                "err.no_card",
            )]))?;
        let tx = self.tx;
        let roles = self.roles_of(actor)?;
        let app = &self.open_app(id)?.rec;
        if app.status.is_final() {
            return Err(StoreError::Refused(Refusal::Closed));
        }
        if !may_edit(app.status, &roles) {
            return Err(StoreError::Forbidden(
                app.status.owner().unwrap_or(Role::Head),
            ));
        }
        scores::record_evaluated(tx, &actor.login, id, card, scored, "", now)?;
        self.open
            .get_mut(&id)
            .ok_or(StoreError::NotFound)?
            .rec
            .version += 1;
        Ok(())
    }

    /// As [`Store::transition`]: the same role rule, requirement and side effects. At
    /// `member → authorized` the score again on the final terms is `rescored`, worked out
    /// ahead by [`Evaluated::rescored`] (`None`: it changes nothing).
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &mut self,
        actor: &Actor,
        id: i64,
        to: Status,
        input: &StepInput,
        rescored: Option<&Evaluated>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<()> {
        let tx = self.tx;
        let roles = self.roles_of(actor)?;
        let app = &self.open_app(id)?.rec;
        let is_member: bool = tx
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM members WHERE passport = ?1 AND status = 'member')",
            )?
            .query_row([&app.data.borrower.passport], |r| r.get(0))?;
        let req = application::may_transition(app.status, to, &roles, is_member)
            .map_err(StoreError::Refused)?;
        let mut comment = String::new();
        let mut member_id = app.member_id;
        let mut reject_reason = None;
        match req {
            Requirement::Verified => verify_ready(tx, app, rules)?,
            Requirement::Decision => {
                member_id = Some(if to == Status::Candidate {
                    make_candidate(tx, app, now)?
                } else {
                    tx.prepare_cached("SELECT id FROM members WHERE passport = ?1")?
                        .query_row([&app.data.borrower.passport], |r| r.get(0))?
                });
            }
            Requirement::Fees => {
                let StepInput::Fees {
                    entrance_receipt,
                    share_receipt,
                } = input
                else {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "entrance_receipt",
                        "err.required",
                    )]));
                };
                comment =
                    admit_member(tx, actor, app, entrance_receipt, share_receipt, rules, now)?;
            }
            Requirement::FinalTerms => {
                let product = rules.product(&app.data.loan.product);
                if product.is_none_or(|p| {
                    app.data.loan.amount < p.min_amount || app.data.loan.amount > p.max_amount
                }) {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "amount",
                        "err.terms_outside_product",
                    )]));
                }
                // Final terms: the score stands on them (DOMAIN §2).
                if let Some(card) = rules.scorecard.as_ref() {
                    scores::record_rescore(tx, &actor.login, id, card, rescored, now)?;
                }
            }
            Requirement::Contract => {
                let StepInput::Contract {
                    contract_no,
                    issue_date,
                } = input
                else {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "contract_no",
                        "err.required",
                    )]));
                };
                comment = issue_loan(tx, actor, app, contract_no, *issue_date, rules, now)?;
            }
            Requirement::Reason => {
                let StepInput::Reason(reason) = input else {
                    return Err(StoreError::Invalid(vec![FieldError::new(
                        "reason",
                        "err.required",
                    )]));
                };
                let reason = validate::text(reason, true, 500)
                    .map_err(|r| StoreError::Invalid(vec![FieldError::new("reason", r)]))?;
                reject_reason = Some(reason.clone());
                comment = reason;
            }
        }
        let from = app.status;
        insert_event(
            tx,
            id,
            now,
            &actor.login,
            "status",
            Some(from),
            Some(to),
            &comment,
        )?;
        let open = self.open.get_mut(&id).ok_or(StoreError::NotFound)?;
        open.rec.status = to;
        open.rec.status_since = now;
        open.rec.assignee = None;
        open.assignee_id = None;
        open.rec.member_id = member_id;
        open.rec.version += 1;
        if let Some(r) = reject_reason {
            open.rec.reject_reason = r;
        }
        if to.is_final() {
            self.close(id)?;
        }
        Ok(())
    }

    /// Write an application's row as it stands and stop tracking it.
    fn close(&mut self, id: i64) -> Result<()> {
        let Some(OpenApp {
            rec,
            assignee_id,
            edited,
        }) = self.open.remove(&id)
        else {
            return Err(StoreError::NotFound);
        };
        let tx = self.tx;
        tx.prepare_cached(
            "UPDATE applications SET status = ?2, status_rank = ?3, status_since = ?4, assignee_id = ?5, member_id = ?6,
                reject_reason = ?7, version = ?8 WHERE id = ?1",
        )?
        .execute(params![
            id,
            rec.status.code(),
            rec.status.rank(),
            fmt_time(rec.status_since),
            assignee_id,
            rec.member_id,
            rec.reject_reason,
            rec.version,
        ])?;
        if !edited {
            return Ok(());
        }
        // Only edited rows rewrite their data: the data columns carry most of the indexes.
        tx.prepare_cached(
            "UPDATE applications SET last_name = ?2, first_name = ?3, patronymic = ?4, birth_date = ?5, passport = ?6,
                passport_issued_by = ?7, passport_issued_on = ?8, reg_address = ?9, fact_address = ?10, phone = ?11,
                email = ?12, income = ?13, expenses = ?14, payments = ?15, deductions = ?16, product = ?17, amount = ?18,
                term_months = ?19, purpose = ?20, guarantor = ?21, collateral = ?22,
                applicant = ?23, applicant_sort = ?24, search_text = ?25
             WHERE id = ?1",
        )?
        .execute(params_from_iter(
            std::iter::once(Value::Integer(id)).chain(data_values(&rec.number, &rec.data)),
        ))?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let mut ids: Vec<i64> = self.open.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            self.close(id)?;
        }
        Ok(())
    }

    /// A member who joined before the desk kept applications: the fees taken at the cash desk
    /// by `cashier` (contributions and cash orders, as on admission), the next member number,
    /// `now` as the join date. Returns the member's id.
    pub fn add_earlier_member(
        &mut self,
        cashier: &Actor,
        m: &EarlierMember<'_>,
        entrance_receipt: &str,
        share_receipt: &str,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let tx = self.tx;
        let b = m.borrower;
        let today = now.date().to_string();
        let seq = next_counter(tx, "member")?;
        tx.prepare_cached(
            "INSERT INTO members(status, member_no, join_date, last_name, first_name, patronymic, birth_date, passport,
                passport_issued_by, passport_issued_on, reg_address, fact_address, phone, email, income, expenses, payments,
                deductions, office_id, manager_id, created_at)
             VALUES ('member', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        )?
        .execute(params![
            format!("{seq:06}"),
            today,
            b.last_name,
            b.first_name,
            b.patronymic,
            b.birth_date.to_string(),
            b.passport,
            b.passport_issued_by,
            b.passport_issued_on.map(|d| d.to_string()),
            b.reg_address,
            b.fact_address,
            b.phone,
            b.email,
            b.income,
            b.expenses,
            b.payments,
            b.deductions,
            m.office_id,
            m.manager_id,
            fmt_time(now),
        ])?;
        let member_id = tx.last_insert_rowid();
        for (kind, amount, rec) in [
            ("entrance_fee", rules.fees.entrance_fee, entrance_receipt),
            ("mandatory_share", rules.fees.mandatory_share, share_receipt),
        ] {
            tx.prepare_cached(
                "INSERT INTO contributions(member_id, kind, amount, receipt_no, paid_on, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![member_id, kind, amount, rec, today, cashier.login])?;
            let order = next_counter(tx, "cash_order")?;
            tx.prepare_cached(
                "INSERT INTO cash_orders(number, kind, amount, member_id, receipt_no, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![format!("{order:06}"), kind, amount, member_id, rec, fmt_time(now), cashier.login])?;
        }
        Ok(member_id)
    }

    /// As [`Store::add_voluntary_share`]: the contribution and its cash order together.
    pub fn add_voluntary_share(
        &mut self,
        cashier: &Actor,
        member_id: i64,
        amount: Money,
        receipt: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        super::members::write_voluntary_share(
            self.tx,
            &cashier.login,
            member_id,
            amount,
            receipt,
            now,
        )
        .map(|_| ())
    }

    /// A member leaves the cooperative on `on` (keeps the member number), as the exit
    /// records it: the date and the reason.
    pub fn member_leaves(&mut self, member_id: i64, on: NaiveDate, reason: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE members SET status = 'left', left_on = ?2, left_reason = ?3, version = version + 1
                 WHERE id = ?1 AND status = 'member'",
            )?
            .execute(params![member_id, on.to_string(), reason])?;
        Ok(())
    }

    /// The member holding this passport, if any.
    pub fn member_by_passport(&self, passport: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id FROM members WHERE passport = ?1")?
            .query_row([passport], |r| r.get(0))
            .optional()?)
    }
}
