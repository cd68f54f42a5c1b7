//! Applications: the journal page, the dialog's record, edits, checks, and every status
//! transition with its history row and side effects in one transaction.

use super::staff::require_any;
use super::{Actor, CachedSql, Result, Store, StoreError, fmt_time, next_counter, parse_time};
use crate::domain::application::{self, Requirement, may_edit};
use crate::domain::draft::{ApplicationData, Borrower, LoanTerms, missing_for_check};
use crate::domain::product::ProductKind;
use crate::domain::validate::{self, FieldError, fold};
use crate::domain::{Money, Role, Status};
use crate::rules::Rules;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRecord {
    pub id: i64,
    pub number: String,
    pub external_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub office_id: i64,
    pub office_code: String,
    pub status: Status,
    pub status_since: NaiveDateTime,
    /// Who processes it now: (login, name).
    pub assignee: Option<(String, String)>,
    pub member_id: Option<i64>,
    pub member_no: Option<String>,
    pub data: ApplicationData,
    pub reject_reason: String,
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    Ok,
    Failed,
}

impl CheckOutcome {
    pub fn code(self) -> &'static str {
        match self {
            CheckOutcome::Ok => "ok",
            CheckOutcome::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub code: String,
    pub outcome: CheckOutcome,
    pub comment: String,
    pub actor: String,
    pub at: NaiveDateTime,
}

/// One call-centre check as typed: its code, its result (none yet), a comment.
pub type CheckEntry = (String, Option<CheckOutcome>, String);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BureauCheck {
    pub bureau: String,
    pub report_date: NaiveDate,
    pub outcome: String,
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub comment: String,
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueRow {
    pub id: i64,
    pub number: String,
    pub created_at: NaiveDateTime,
    pub applicant: String,
    pub product: String,
    pub amount: Money,
    pub status: Status,
    pub status_since: NaiveDateTime,
    pub assignee: Option<String>,
    pub office_code: String,
    key: Value,
}

impl QueueRow {
    /// Where a page before or after this row starts.
    pub fn page_key(&self) -> PageKey {
        PageKey {
            value: self.key.clone(),
            id: self.id,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PageKey {
    value: Value,
    id: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Number,
    Date,
    Applicant,
    Product,
    Amount,
    Status,
    Assignee,
    InStatus,
    Age,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::Number,
        SortKey::Date,
        SortKey::Applicant,
        SortKey::Product,
        SortKey::Amount,
        SortKey::Status,
        SortKey::Assignee,
        SortKey::InStatus,
        SortKey::Age,
    ];

    fn expr(self) -> &'static str {
        match self {
            SortKey::Number => "a.id",
            SortKey::Date | SortKey::Age => "a.created_at",
            SortKey::Applicant => "a.applicant_sort",
            SortKey::Product => "a.product",
            SortKey::Amount => "a.amount",
            SortKey::Status => "a.status_rank",
            // Kept on the row and indexed (009_speed.sql): the staff name it sorts by.
            SortKey::Assignee => "a.assignee_sort",
            SortKey::InStatus => "a.status_since",
        }
    }

    /// Age and time-in-status grow as the date shrinks: "ascending age" is descending date.
    fn inverted(self) -> bool {
        matches!(self, SortKey::Age | SortKey::InStatus)
    }
}

/// Which applications the journal shows and in what order. Empty fields filter nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueQuery {
    pub statuses: Vec<Status>,
    pub office_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub product: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PageFrom {
    Start,
    /// From this row on, itself included (to redraw a page in place).
    At(PageKey),
    After(PageKey),
    Before(PageKey),
    End,
}

/// What a transition needs typed by the person taking it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepInput {
    None,
    Fees {
        entrance_receipt: String,
        share_receipt: String,
    },
    Contract {
        contract_no: String,
        issue_date: NaiveDate,
    },
    Reason(String),
}

/// An application arriving from another system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub external_id: String,
    pub office_id: i64,
    pub data: ApplicationData,
}

const SELECT_RECORD: &str = "
    SELECT a.id, a.number, a.external_id, a.created_at, a.created_by, a.office_id, o.code, a.status, a.status_since,
           s.login, a.member_id, m.member_no,
           a.last_name, a.first_name, a.patronymic, a.birth_date, a.passport, a.passport_issued_by, a.passport_issued_on,
           a.reg_address, a.fact_address, a.phone, a.email, a.income, a.expenses, a.payments, a.deductions,
           a.product, a.amount, a.term_months, a.purpose, a.guarantor, a.collateral, a.reject_reason, a.version, s.name
    FROM applications a
    JOIN offices o ON o.id = a.office_id
    LEFT JOIN staff s ON s.id = a.assignee_id
    LEFT JOIN members m ON m.id = a.member_id";

fn date_col(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, super::DATE_FMT).ok())
}

fn record_from(r: &Row) -> rusqlite::Result<ApplicationRecord> {
    let status: String = r.get(7)?;
    Ok(ApplicationRecord {
        id: r.get(0)?,
        number: r.get(1)?,
        external_id: r.get(2)?,
        created_at: parse_time(&r.get::<_, String>(3)?),
        created_by: r.get(4)?,
        office_id: r.get(5)?,
        office_code: r.get(6)?,
        status: status.parse().unwrap_or(Status::New),
        status_since: parse_time(&r.get::<_, String>(8)?),
        assignee: match (
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<String>>(35)?,
        ) {
            (Some(login), Some(name)) => Some((login, name)),
            _ => None,
        },
        member_id: r.get(10)?,
        member_no: r.get(11)?,
        data: ApplicationData {
            borrower: Borrower {
                last_name: r.get(12)?,
                first_name: r.get(13)?,
                patronymic: r.get(14)?,
                birth_date: date_col(r.get(15)?).unwrap_or_default(),
                passport: r.get(16)?,
                passport_issued_by: r.get(17)?,
                passport_issued_on: date_col(r.get(18)?),
                reg_address: r.get(19)?,
                fact_address: r.get(20)?,
                phone: r.get(21)?,
                email: r.get(22)?,
                income: r.get(23)?,
                expenses: r.get(24)?,
                payments: r.get(25)?,
                deductions: r.get(26)?,
            },
            loan: LoanTerms {
                product: r.get(27)?,
                amount: r.get(28)?,
                term_months: r.get(29)?,
                purpose: r.get(30)?,
                guarantor: r.get(31)?,
                collateral: r.get(32)?,
            },
        },
        reject_reason: r.get(33)?,
        version: r.get(34)?,
    })
}

/// The folded text the journal's search looks in: name, number, phone digits, passport.
pub(super) fn search_text(number: &str, b: &Borrower) -> String {
    let phone_digits: String = b.phone.chars().filter(|c| c.is_ascii_digit()).collect();
    format!(
        "{} {} {} {}",
        fold(&b.full_name()),
        number,
        phone_digits,
        b.passport
    )
}

/// The application's data columns as SQL values, in the order every statement lists them:
/// last_name … collateral, then applicant, applicant_sort, search_text.
pub(super) fn data_values(number: &str, d: &ApplicationData) -> Vec<Value> {
    let b = &d.borrower;
    let l = &d.loan;
    let text = |s: &str| Value::Text(s.to_string());
    let money = |m: Money| Value::Integer(m.kopecks());
    vec![
        text(&b.last_name),
        text(&b.first_name),
        text(&b.patronymic),
        Value::Text(b.birth_date.to_string()),
        text(&b.passport),
        text(&b.passport_issued_by),
        b.passport_issued_on
            .map_or(Value::Null, |d| Value::Text(d.to_string())),
        text(&b.reg_address),
        text(&b.fact_address),
        text(&b.phone),
        text(&b.email),
        money(b.income),
        money(b.expenses),
        money(b.payments),
        money(b.deductions),
        text(&l.product),
        money(l.amount),
        Value::Integer(i64::from(l.term_months)),
        text(&l.purpose),
        text(&l.guarantor),
        text(&l.collateral),
        Value::Text(b.full_name()),
        Value::Text(fold(&b.full_name())),
        Value::Text(search_text(number, b)),
    ]
}

fn money_note(m: Money) -> String {
    m.plain()
}

/// The words of what changed, for the history: `amount: 150000.00 → 120000.00`.
pub(super) fn describe_changes(old: &ApplicationData, new: &ApplicationData) -> String {
    let mut out = Vec::new();
    let mut cmp = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{name}: {a} → {b}"));
        }
    };
    let (ob, nb) = (&old.borrower, &new.borrower);
    cmp("last_name", ob.last_name.clone(), nb.last_name.clone());
    cmp("first_name", ob.first_name.clone(), nb.first_name.clone());
    cmp("patronymic", ob.patronymic.clone(), nb.patronymic.clone());
    cmp(
        "birth_date",
        ob.birth_date.to_string(),
        nb.birth_date.to_string(),
    );
    cmp("passport", ob.passport.clone(), nb.passport.clone());
    cmp(
        "passport_issued_by",
        ob.passport_issued_by.clone(),
        nb.passport_issued_by.clone(),
    );
    cmp(
        "passport_issued_on",
        ob.passport_issued_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        nb.passport_issued_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    cmp(
        "reg_address",
        ob.reg_address.clone(),
        nb.reg_address.clone(),
    );
    cmp(
        "fact_address",
        ob.fact_address.clone(),
        nb.fact_address.clone(),
    );
    cmp("phone", ob.phone.clone(), nb.phone.clone());
    cmp("email", ob.email.clone(), nb.email.clone());
    cmp("income", money_note(ob.income), money_note(nb.income));
    cmp("expenses", money_note(ob.expenses), money_note(nb.expenses));
    cmp("payments", money_note(ob.payments), money_note(nb.payments));
    cmp(
        "deductions",
        money_note(ob.deductions),
        money_note(nb.deductions),
    );
    let (ol, nl) = (&old.loan, &new.loan);
    cmp("product", ol.product.clone(), nl.product.clone());
    cmp("amount", money_note(ol.amount), money_note(nl.amount));
    cmp(
        "term_months",
        ol.term_months.to_string(),
        nl.term_months.to_string(),
    );
    cmp("purpose", ol.purpose.clone(), nl.purpose.clone());
    cmp("guarantor", ol.guarantor.clone(), nl.guarantor.clone());
    cmp("collateral", ol.collateral.clone(), nl.collateral.clone());
    out.join("; ")
}

#[allow(clippy::too_many_arguments)]
pub(super) fn insert_event(
    tx: &Transaction,
    app_id: i64,
    at: NaiveDateTime,
    actor: &str,
    kind: &str,
    from: Option<Status>,
    to: Option<Status>,
    comment: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO application_events(application_id, at, actor, kind, from_status, to_status, comment)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![app_id, fmt_time(at), actor, kind, from.map(|s| s.code()), to.map(|s| s.code()), comment])?;
    Ok(())
}

pub(super) fn load_in(tx: &Transaction, id: i64) -> Result<ApplicationRecord> {
    load(tx, id)
}

pub(super) fn conflict_in(tx: &Transaction, id: i64) -> StoreError {
    conflict(tx, id)
}

fn load(tx: &Transaction, id: i64) -> Result<ApplicationRecord> {
    tx.prepare_cached(&format!("{SELECT_RECORD} WHERE a.id = ?1"))?
        .query_row([id], record_from)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The record was saved by someone else since `version` was read: say who and when.
fn conflict(tx: &Transaction, id: i64) -> StoreError {
    let last = tx
        .one(
            "SELECT actor, at FROM application_events WHERE application_id = ?1 ORDER BY id DESC LIMIT 1",
            [id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .unwrap_or_default();
    StoreError::Conflict {
        by: last.0,
        at: last.1,
    }
}

/// Insert a new application row; returns (id, number).
pub(super) fn insert_application(
    tx: &Transaction,
    data: &ApplicationData,
    office_id: i64,
    external_id: Option<&str>,
    created_by: &str,
    assignee: Option<i64>,
    now: NaiveDateTime,
) -> Result<(i64, String)> {
    let seq = next_counter(tx, "application")?;
    let number = format!("{}-{seq:06}", now.year());
    tx.prepare_cached(
        "INSERT INTO applications(number, external_id, created_at, created_by, office_id, status, status_rank, status_since,
            assignee_id, last_name, first_name, patronymic, birth_date, passport, passport_issued_by, passport_issued_on,
            reg_address, fact_address, phone, email, income, expenses, payments, deductions,
            product, amount, term_months, purpose, guarantor, collateral, applicant, applicant_sort, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, 'new', 0, ?3, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
            ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?
    .execute(params_from_iter(
        [
            Value::Text(number.clone()),
            external_id.map_or(Value::Null, |e| Value::Text(e.to_string())),
            Value::Text(fmt_time(now)),
            Value::Text(created_by.to_string()),
            Value::Integer(office_id),
            assignee.map_or(Value::Null, Value::Integer),
        ]
        .into_iter()
        .chain(data_values(&number, data)),
    ))?;
    Ok((tx.last_insert_rowid(), number))
}

impl Store {
    /// A new application typed at the desk: by a manager or a head, assigned to its author.
    pub fn create_application(
        &mut self,
        actor: &Actor,
        data: &ApplicationData,
        office_id: i64,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| create_in(tx, actor, data, office_id, now))
    }

    /// A new application together with the checks typed into its dialog: one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn create_application_with_checks(
        &mut self,
        actor: &Actor,
        data: &ApplicationData,
        office_id: i64,
        checks: &[CheckEntry],
        bureau: Option<&BureauCheck>,
        score: Option<&super::scores::ScoreInput>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| {
            let created = create_in(tx, actor, data, office_id, now)?;
            checks_in(tx, actor, created.id, checks, bureau, rules, now)?;
            if let (Some(input), Some(card)) = (score, rules.scorecard.as_ref()) {
                let app = load(tx, created.id)?;
                super::scores::record_in(tx, &actor.login, &app, card, input, rules, "", now)?;
            }
            load(tx, created.id)
        })
    }

    pub fn application(&self, id: i64) -> Result<ApplicationRecord> {
        self.conn
            .one(
                &format!("{SELECT_RECORD} WHERE a.id = ?1"),
                [id],
                record_from,
            )
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    pub fn application_by_number(&self, number: &str) -> Result<ApplicationRecord> {
        self.conn
            .one(
                &format!("{SELECT_RECORD} WHERE a.number = ?1"),
                [number],
                record_from,
            )
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// Save edited data. Refused for closed applications and for people who do not own the
    /// current stage; refused as a conflict when someone saved it since `version` was read.
    pub fn update_application(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        data: &ApplicationData,
        office_id: i64,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| {
            update_in(tx, actor, id, version, data, office_id, now)?;
            load(tx, id)
        })
    }

    /// What the application dialog's save does: the data and the checks, one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn save_application(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        data: &ApplicationData,
        office_id: i64,
        checks: &[CheckEntry],
        bureau: Option<&BureauCheck>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.save_application_scored(
            actor, id, version, data, office_id, checks, bureau, None, rules, now,
        )
    }

    /// The dialog's save with the scoring tab: data, checks and (when given) a new score on the
    /// active card, one transaction. Without a score input, a scored application whose terms
    /// changed is scored again on the new terms with the answers it had.
    #[allow(clippy::too_many_arguments)]
    pub fn save_application_scored(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        data: &ApplicationData,
        office_id: i64,
        checks: &[CheckEntry],
        bureau: Option<&BureauCheck>,
        score: Option<&super::scores::ScoreInput>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| {
            update_in(tx, actor, id, version, data, office_id, now)?;
            checks_in(tx, actor, id, checks, bureau, rules, now)?;
            let app = load(tx, id)?;
            match (score, rules.scorecard.as_ref()) {
                (Some(input), Some(card)) => {
                    let prev = super::scores::latest_in(tx, id)?;
                    let same = prev.as_ref().is_some_and(|p| {
                        p.card_id == card.card.id
                            && p.card_version == card.card.version
                            && super::scores::input_of(p, card) == *input
                            && super::scores::evaluate_for(card, &app, input, rules).0 == p.answers
                    });
                    if !same {
                        super::scores::record_in(
                            tx,
                            &actor.login,
                            &app,
                            card,
                            input,
                            rules,
                            "",
                            now,
                        )?;
                    }
                }
                _ => super::scores::rescore_if_changed(tx, &actor.login, &app, rules, now)?,
            }
            load(tx, id)
        })
    }

    /// Take an application into one's own work ("who processes it now").
    pub fn take_application(
        &mut self,
        actor: &Actor,
        id: i64,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| {
            let app = load(tx, id)?;
            let roles = super::current_roles(tx, actor)?;
            if app.status.is_final() {
                return Err(StoreError::Refused(application::Refusal::Closed));
            }
            if !may_edit(app.status, &roles) {
                return Err(StoreError::Forbidden(
                    app.status.owner().unwrap_or(Role::Head),
                ));
            }
            tx.exec(
                "UPDATE applications SET assignee_id = ?2, version = version + 1 WHERE id = ?1",
                params![id, actor.staff_id],
            )?;
            insert_event(
                tx,
                id,
                now,
                &actor.login,
                "assigned",
                None,
                None,
                &actor.name,
            )?;
            load(tx, id)
        })
    }

    pub fn checks(&self, id: i64) -> Result<(Vec<CheckResult>, Option<BureauCheck>)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT code, result, comment, actor, at FROM application_checks WHERE application_id = ?1")?;
        let checks = stmt
            .query_map([id], |r| {
                Ok(CheckResult {
                    code: r.get(0)?,
                    outcome: if r.get::<_, String>(1)? == "ok" {
                        CheckOutcome::Ok
                    } else {
                        CheckOutcome::Failed
                    },
                    comment: r.get(2)?,
                    actor: r.get(3)?,
                    at: parse_time(&r.get::<_, String>(4)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bureau = self
            .conn
            .query_row("SELECT bureau, report_date, outcome, comment FROM bureau_checks WHERE application_id = ?1", [id], |r| {
                Ok(BureauCheck {
                    bureau: r.get(0)?,
                    report_date: date_col(r.get(1)?).unwrap_or_default(),
                    outcome: r.get(2)?,
                    comment: r.get(3)?,
                })
            })
            .optional()?;
        Ok((checks, bureau))
    }

    /// Record the call-centre verification (each item: result and comment; `None` clears it)
    /// and the credit-bureau result, while the application is with the manager or inspector.
    pub fn save_checks(
        &mut self,
        actor: &Actor,
        id: i64,
        checks: &[CheckEntry],
        bureau: Option<&BureauCheck>,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| checks_in(tx, actor, id, checks, bureau, rules, now))
    }

    pub fn history(&self, id: i64) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, actor, kind, from_status, to_status, comment FROM application_events WHERE application_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Event {
                    at: parse_time(&r.get::<_, String>(0)?),
                    actor: r.get(1)?,
                    kind: r.get(2)?,
                    from: r.get::<_, Option<String>>(3)?.and_then(|s| s.parse().ok()),
                    to: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
                    comment: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Is the applicant (by passport) already a full member?
    pub fn applicant_is_member(&self, passport: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM members WHERE passport = ?1 AND status = 'member')",
            [passport],
            |r| r.get(0),
        )?)
    }

    /// Move an application to `to`. The role check, the requirement, the new status, the
    /// history row and every side effect are one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        to: Status,
        input: &StepInput,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<ApplicationRecord> {
        self.write(|tx| {
            let app = load(tx, id)?;
            if app.version != version {
                return Err(conflict(tx, id));
            }
            let roles = super::current_roles(tx, actor)?;
            let is_member: bool = tx.one(
                "SELECT EXISTS(SELECT 1 FROM members WHERE passport = ?1 AND status = 'member')",
                [&app.data.borrower.passport],
                |r| r.get(0),
            )?;
            let req = application::may_transition(app.status, to, &roles, is_member).map_err(StoreError::Refused)?;
            let mut comment = String::new();
            let mut member_id = app.member_id;
            match req {
                Requirement::Verified => verify_ready(tx, &app, rules)?,
                Requirement::Decision => {
                    member_id = Some(if to == Status::Candidate {
                        make_candidate(tx, &app, now)?
                    } else {
                        tx.one("SELECT id FROM members WHERE passport = ?1", [&app.data.borrower.passport], |r| r.get(0))?
                    });
                }
                Requirement::Fees => {
                    let StepInput::Fees { entrance_receipt, share_receipt } = input else {
                        return Err(StoreError::Invalid(vec![FieldError::new("entrance_receipt", "err.required")]));
                    };
                    comment = admit_member(tx, actor, &app, entrance_receipt, share_receipt, rules, now)?;
                }
                Requirement::FinalTerms => {
                    let l = &app.data.loan;
                    let product = rules.product(&l.product);
                    if product.is_none_or(|p| {
                        p.kind != ProductKind::Loan
                            || l.amount < p.min_amount
                            || l.amount > p.max_amount
                            || l.term_months < p.min_term_months
                            || l.term_months > p.max_term_months
                    }) {
                        return Err(StoreError::Invalid(vec![FieldError::new("amount", "err.terms_outside_product")]));
                    }
                    // Final terms: the score stands on them (DOMAIN §2).
                    super::scores::rescore_if_changed(tx, &actor.login, &app, rules, now)?;
                }
                Requirement::Contract => {
                    let StepInput::Contract { contract_no, issue_date } = input else {
                        return Err(StoreError::Invalid(vec![FieldError::new("contract_no", "err.required")]));
                    };
                    comment = issue_loan(tx, actor, &app, contract_no, *issue_date, rules, now)?;
                }
                Requirement::Reason => {
                    let StepInput::Reason(reason) = input else {
                        return Err(StoreError::Invalid(vec![FieldError::new("reason", "err.required")]));
                    };
                    let reason = validate::text(reason, true, 500).map_err(|r| StoreError::Invalid(vec![FieldError::new("reason", r)]))?;
                    tx.exec("UPDATE applications SET reject_reason = ?2 WHERE id = ?1", params![id, reason])?;
                    comment = reason;
                }
            }
            tx.exec(
                "UPDATE applications SET status = ?2, status_rank = ?3, status_since = ?4, assignee_id = NULL, member_id = ?5,
                    version = version + 1 WHERE id = ?1",
                params![id, to.code(), to.rank(), fmt_time(now), member_id],
            )?;
            insert_event(tx, id, now, &actor.login, "status", Some(app.status), Some(to), &comment)?;
            load(tx, id)
        })
    }
}

fn update_in(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    version: i64,
    data: &ApplicationData,
    office_id: i64,
    now: NaiveDateTime,
) -> Result<()> {
    let old = load(tx, id)?;
    let roles = super::current_roles(tx, actor)?;
    if old.status.is_final() {
        return Err(StoreError::Refused(application::Refusal::Closed));
    }
    if !may_edit(old.status, &roles) {
        return Err(StoreError::Forbidden(
            old.status.owner().unwrap_or(Role::Head),
        ));
    }
    if old.version != version {
        return Err(conflict(tx, id));
    }
    let office_known: bool = tx.one(
        "SELECT EXISTS(SELECT 1 FROM offices WHERE id = ?1)",
        [office_id],
        |r| r.get(0),
    )?;
    if !office_known {
        return Err(StoreError::Invalid(vec![FieldError::with(
            "office",
            "err.office_unknown",
            office_id.to_string(),
        )]));
    }
    let mut changes = describe_changes(&old.data, data);
    if old.office_id != office_id {
        let code: String = tx.one("SELECT code FROM offices WHERE id = ?1", [office_id], |r| {
            r.get(0)
        })?;
        if !changes.is_empty() {
            changes.push_str("; ");
        }
        changes.push_str(&format!("office: {} → {code}", old.office_code));
    }
    if changes.is_empty() {
        return Ok(());
    }
    tx.exec(
        "UPDATE applications SET last_name=?2, first_name=?3, patronymic=?4, birth_date=?5, passport=?6,
            passport_issued_by=?7, passport_issued_on=?8, reg_address=?9, fact_address=?10, phone=?11, email=?12,
            income=?13, expenses=?14, payments=?15, deductions=?16, product=?17, amount=?18, term_months=?19,
            purpose=?20, guarantor=?21, collateral=?22, applicant=?23, applicant_sort=?24, search_text=?25,
            office_id=?26, version = version + 1
         WHERE id = ?1 AND version = ?27",
        params_from_iter(
            std::iter::once(Value::Integer(id))
                .chain(data_values(&old.number, data))
                .chain([Value::Integer(office_id), Value::Integer(version)]),
        ),
    )?;
    insert_event(tx, id, now, &actor.login, "edited", None, None, &changes)?;
    Ok(())
}

fn checks_in(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    checks: &[CheckEntry],
    bureau: Option<&BureauCheck>,
    rules: &Rules,
    now: NaiveDateTime,
) -> Result<()> {
    if checks.is_empty() && bureau.is_none() {
        return Ok(());
    }
    let app = load(tx, id)?;
    let roles = super::current_roles(tx, actor)?;
    if app.status.is_final() {
        return Err(StoreError::Refused(application::Refusal::Closed));
    }
    if !matches!(app.status, Status::New | Status::Checked) {
        return Err(StoreError::Refused(application::Refusal::ChecksClosed));
    }
    if !may_edit(app.status, &roles) {
        return Err(StoreError::Forbidden(
            app.status.owner().unwrap_or(Role::Manager),
        ));
    }
    let notes = write_checks(tx, actor, id, checks, bureau, rules, now)?;
    if !notes.is_empty() {
        tx.exec(
            "UPDATE applications SET version = version + 1 WHERE id = ?1",
            [id],
        )?;
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
    }
    Ok(())
}

/// Write the checks and the bureau result that differ from what is recorded; returns the
/// words for the history row (empty: nothing changed). The caller has checked who may.
pub(super) fn write_checks(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    checks: &[CheckEntry],
    bureau: Option<&BureauCheck>,
    rules: &Rules,
    now: NaiveDateTime,
) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for (code, outcome, comment) in checks {
        if !rules.checks.iter().any(|c| &c.code == code) {
            return Err(StoreError::Invalid(vec![FieldError::with(
                "checks",
                "err.check_unknown",
                code.clone(),
            )]));
        }
        let comment = validate::text(comment, false, 300)
            .map_err(|r| StoreError::Invalid(vec![FieldError::new("check_comment", r)]))?;
        let before: Option<(String, String)> = tx
            .one(
                "SELECT result, comment FROM application_checks WHERE application_id = ?1 AND code = ?2",
                params![id, code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match outcome {
            Some(o) => {
                if before
                    .as_ref()
                    .is_some_and(|(r, c)| r == o.code() && *c == comment)
                {
                    continue;
                }
                tx.exec(
                    "INSERT INTO application_checks(application_id, code, result, comment, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT(application_id, code) DO UPDATE SET result = ?3, comment = ?4, actor = ?5, at = ?6",
                    params![id, code, o.code(), comment, actor.login, fmt_time(now)],
                )?;
                notes.push(format!(
                    "{code}={}{}",
                    o.code(),
                    if comment.is_empty() {
                        String::new()
                    } else {
                        format!(" ({comment})")
                    }
                ));
            }
            None if before.is_some() => {
                tx.exec(
                    "DELETE FROM application_checks WHERE application_id = ?1 AND code = ?2",
                    params![id, code],
                )?;
                notes.push(format!("{code}=—"));
            }
            None => {}
        }
    }
    if let Some(b) = bureau {
        let bureau_name = validate::text(&b.bureau, true, 100)
            .map_err(|r| StoreError::Invalid(vec![FieldError::new("bureau", r)]))?;
        if !rules.bureau_outcomes.contains(&b.outcome) {
            return Err(StoreError::Invalid(vec![FieldError::with(
                "bureau_outcome",
                "err.choice_unknown",
                b.outcome.clone(),
            )]));
        }
        if b.report_date > now.date() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "bureau_date",
                "err.date_future",
            )]));
        }
        let comment = validate::text(&b.comment, false, 300)
            .map_err(|r| StoreError::Invalid(vec![FieldError::new("bureau_comment", r)]))?;
        let before: Option<(String, String, String, String)> = tx
            .one("SELECT bureau, report_date, outcome, comment FROM bureau_checks WHERE application_id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let after = (
            bureau_name.clone(),
            b.report_date.to_string(),
            b.outcome.clone(),
            comment.clone(),
        );
        if before.as_ref() != Some(&after) {
            tx.exec(
                "INSERT INTO bureau_checks(application_id, bureau, report_date, outcome, comment, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(application_id) DO UPDATE SET bureau = ?2, report_date = ?3, outcome = ?4, comment = ?5, actor = ?6, at = ?7",
                params![id, bureau_name, b.report_date.to_string(), b.outcome, comment, actor.login, fmt_time(now)],
            )?;
            notes.push(format!(
                "bureau={} {} {}",
                bureau_name, b.report_date, b.outcome
            ));
        }
    }
    Ok(notes)
}

fn create_in(
    tx: &Transaction,
    actor: &Actor,
    data: &ApplicationData,
    office_id: i64,
    now: NaiveDateTime,
) -> Result<ApplicationRecord> {
    require_any(tx, actor, &[Role::Manager, Role::Head])?;
    let (id, _) = insert_application(
        tx,
        data,
        office_id,
        None,
        &actor.login,
        Some(actor.staff_id),
        now,
    )?;
    insert_event(
        tx,
        id,
        now,
        &actor.login,
        "created",
        None,
        Some(Status::New),
        "",
    )?;
    load(tx, id)
}

/// `new → checked`: data complete, every call-centre check done and none failed.
pub(super) fn verify_ready(tx: &Transaction, app: &ApplicationRecord, rules: &Rules) -> Result<()> {
    let mut errors = missing_for_check(&app.data.borrower);
    errors.extend(super::scores::require_score(tx, app, rules));
    let mut stmt =
        tx.prepare_cached("SELECT code, result FROM application_checks WHERE application_id = ?1")?;
    let done: Vec<(String, String)> = stmt
        .query_map([app.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for item in &rules.checks {
        match done.iter().find(|(c, _)| *c == item.code) {
            None => errors.push(FieldError::with(
                "checks",
                "err.check_missing",
                item.name_ru.clone(),
            )),
            Some((_, r)) if r == "failed" => errors.push(FieldError::with(
                "checks",
                "err.check_failed",
                item.name_ru.clone(),
            )),
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// `checked → candidate`: the applicant becomes a candidate member (a new record, or an
/// earlier one of the same passport brought back).
pub(super) fn make_candidate(
    tx: &Transaction,
    app: &ApplicationRecord,
    now: NaiveDateTime,
) -> Result<i64> {
    let b = &app.data.borrower;
    let existing: Option<(i64, String)> = tx
        .one(
            "SELECT id, status FROM members WHERE passport = ?1",
            [&b.passport],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, _)) = existing {
        tx.prepare_cached(
            "UPDATE members SET status = 'candidate', version = version + 1 WHERE id = ?1 AND status <> 'member'",
        )?
        .execute([id])?;
        return Ok(id);
    }
    tx.prepare_cached(
        "INSERT INTO members(status, last_name, first_name, patronymic, birth_date, passport, passport_issued_by, passport_issued_on,
            reg_address, fact_address, phone, email, income, expenses, payments, deductions, office_id, created_at)
         VALUES ('candidate', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
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
            app.office_id,
            fmt_time(now),
        ])?;
    Ok(tx.last_insert_rowid())
}

fn receipt(field: &'static str, s: &str) -> Result<String> {
    validate::text(s, true, 40).map_err(|r| StoreError::Invalid(vec![FieldError::new(field, r)]))
}

/// `candidate → member`: fees paid at the cash desk, member number and join date given.
pub(super) fn admit_member(
    tx: &Transaction,
    actor: &Actor,
    app: &ApplicationRecord,
    entrance_receipt: &str,
    share_receipt: &str,
    rules: &Rules,
    now: NaiveDateTime,
) -> Result<String> {
    let entrance_receipt = receipt("entrance_receipt", entrance_receipt);
    let share_receipt = receipt("share_receipt", share_receipt);
    let (entrance_receipt, share_receipt) = match (entrance_receipt, share_receipt) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(StoreError::Invalid(mut a)), Err(StoreError::Invalid(b))) => {
            a.extend(b);
            return Err(StoreError::Invalid(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let member_id = app.member_id.ok_or(StoreError::NotFound)?;
    let status: String = tx
        .prepare_cached("SELECT status FROM members WHERE id = ?1")?
        .query_row([member_id], |r| r.get(0))?;
    if status == "member" {
        // Admitted meanwhile through another application: the fees are not taken twice.
        return Ok("already a member".into());
    }
    let today = now.date().to_string();
    for (kind, amount, rec) in [
        ("entrance_fee", rules.fees.entrance_fee, &entrance_receipt),
        (
            "mandatory_share",
            rules.fees.mandatory_share,
            &share_receipt,
        ),
    ] {
        tx.prepare_cached(
            "INSERT INTO contributions(member_id, kind, amount, receipt_no, paid_on, actor, application_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![member_id, kind, amount, rec, today, actor.login, app.id])?;
        let order = next_counter(tx, "cash_order")?;
        tx.prepare_cached(
            "INSERT INTO cash_orders(number, kind, amount, member_id, receipt_no, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![format!("{order:06}"), kind, amount, member_id, rec, fmt_time(now), actor.login])?;
    }
    // A former member coming back keeps their number; only a new member takes one.
    let earlier: Option<String> = tx
        .prepare_cached("SELECT member_no FROM members WHERE id = ?1")?
        .query_row([member_id], |r| r.get(0))?;
    let no = match earlier {
        Some(no) => no,
        None => format!("{:06}", next_counter(tx, "member")?),
    };
    tx.prepare_cached(
        "UPDATE members SET status = 'member', member_no = ?2, join_date = ?3, version = version + 1 WHERE id = ?1",
    )?
    .execute(params![member_id, no, today])?;
    Ok(format!(
        "№ {no}; {} {} ({entrance_receipt}); {} {} ({share_receipt})",
        "entrance_fee",
        rules.fees.entrance_fee.plain(),
        "mandatory_share",
        rules.fees.mandatory_share.plain()
    ))
}

/// `authorized → archived`: the loan contract, its agreements, the cash order and the sale.
pub(super) fn issue_loan(
    tx: &Transaction,
    actor: &Actor,
    app: &ApplicationRecord,
    contract_no: &str,
    issue_date: NaiveDate,
    rules: &Rules,
    now: NaiveDateTime,
) -> Result<String> {
    let member_id = app.member_id.ok_or(StoreError::NotFound)?;
    if issue_date > now.date() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "issue_date",
            "err.date_future",
        )]));
    }
    if issue_date < app.created_at.date() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "issue_date",
            "err.before_application",
        )]));
    }
    let contract_no = match contract_no.trim() {
        "" => format!("{}/{:06}", issue_date.year(), next_counter(tx, "contract")?),
        s => validate::text(s, true, 40)
            .map_err(|r| StoreError::Invalid(vec![FieldError::new("contract_no", r)]))?,
    };
    let taken: bool = tx
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM loans WHERE contract_no = ?1)")?
        .query_row([&contract_no], |r| r.get(0))?;
    if taken {
        return Err(StoreError::Invalid(vec![FieldError::with(
            "contract_no",
            "err.contract_taken",
            contract_no,
        )]));
    }
    let product = rules.product(&app.data.loan.product).ok_or_else(|| {
        StoreError::Invalid(vec![FieldError::with(
            "product",
            "err.product_unknown",
            app.data.loan.product.clone(),
        )])
    })?;
    let l = &app.data.loan;
    tx.prepare_cached(
        "INSERT INTO loans(contract_no, member_id, application_id, product, amount, term_months, rate, issue_date, balance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?5)",
    )?
    .execute(params![contract_no, member_id, app.id, l.product, l.amount, l.term_months, product.rate.to_string(), issue_date.to_string()])?;
    let loan_id = tx.last_insert_rowid();
    for (kind, suffix, text) in [
        ("guarantee", "ДП", &l.guarantor),
        ("collateral", "ДЗ", &l.collateral),
    ] {
        if !text.is_empty() {
            tx.prepare_cached(
                "INSERT INTO loan_agreements(loan_id, kind, number, description) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![loan_id, kind, format!("{contract_no}-{suffix}"), text])?;
        }
    }
    let order = next_counter(tx, "cash_order")?;
    tx.prepare_cached(
        "INSERT INTO cash_orders(number, kind, amount, member_id, loan_id, at, actor) VALUES (?1, 'loan_issue', ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![format!("{order:06}"), l.amount, member_id, loan_id, fmt_time(now), actor.login])?;
    let ukp_centi = (product.ukp * Decimal::ONE_HUNDRED)
        .round()
        .to_i64()
        .unwrap_or(0);
    tx.prepare_cached(
        "INSERT INTO sales(sale_date, manager_id, product, member_id, amount, ukp_centi, application_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![issue_date.to_string(), actor.staff_id, l.product, member_id, l.amount, ukp_centi, app.id])?;
    // A member nobody holds becomes the issuing manager's client, and the client base's
    // history says so (reason `loan`, the contract in the memo), in this same transaction.
    let assigned = tx
        .prepare_cached(
            "UPDATE members SET manager_id = ?2, assigned_since = ?3
             WHERE id = ?1 AND manager_id IS NULL",
        )?
        .execute(params![member_id, actor.staff_id, issue_date.to_string()])?;
    if assigned == 1 {
        tx.prepare_cached(
            "INSERT INTO assignment_history(member_id, from_staff_id, to_staff_id, at, on_date,
                 actor, reason, memo)
             VALUES (?1, NULL, ?2, ?3, ?4, ?5, 'loan', ?6)",
        )?
        .execute(params![
            member_id,
            actor.staff_id,
            fmt_time(now),
            issue_date.to_string(),
            actor.login,
            contract_no
        ])?;
    }
    Ok(format!(
        "{contract_no}; {} {}; {}",
        l.amount.plain(),
        issue_date,
        product.rate
    ))
}

// ----- the journal -------------------------------------------------------------------------

fn search_terms(search: &str) -> Vec<String> {
    let t = search.trim();
    if t.is_empty() {
        return vec![];
    }
    // Application numbers are `YYYY-NNNNNN`; `8924-811` is a phone typed with a dash.
    let is_number = t.len() > 5
        && t.starts_with("20")
        && t.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && t.as_bytes()[4] == b'-';
    let looks_numeric = t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && t.chars().any(|c| c.is_ascii_digit());
    if looks_numeric && !is_number {
        let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
        let mut v = vec![digits.clone()];
        if let Some(rest) = digits.strip_prefix('8').filter(|r| r.len() >= 3) {
            v.push(format!("7{rest}"));
        }
        v
    } else {
        vec![fold(t)]
    }
}

fn filters(q: &QueueQuery, params: &mut Vec<Value>) -> String {
    let mut w = vec!["1=1".to_string()];
    if !q.statuses.is_empty() {
        let list = q
            .statuses
            .iter()
            .map(|s| s.rank().to_string())
            .collect::<Vec<_>>()
            .join(",");
        w.push(format!("a.status_rank IN ({list})"));
    }
    if let Some(o) = q.office_id {
        params.push(Value::Integer(o));
        w.push(format!("a.office_id = ?{}", params.len()));
    }
    if let Some(s) = q.assignee_id {
        params.push(Value::Integer(s));
        w.push(format!("a.assignee_id = ?{}", params.len()));
    }
    if let Some(p) = &q.product {
        params.push(Value::Text(p.clone()));
        w.push(format!("a.product = ?{}", params.len()));
    }
    if let Some(d) = q.from {
        params.push(Value::Text(format!("{d} 00:00:00")));
        w.push(format!("a.created_at >= ?{}", params.len()));
    }
    if let Some(d) = q.to {
        params.push(Value::Text(format!("{d} 23:59:59")));
        w.push(format!("a.created_at <= ?{}", params.len()));
    }
    let terms = search_terms(&q.search);
    if !terms.is_empty() {
        let mut any = Vec::new();
        for t in terms {
            params.push(Value::Text(t));
            any.push(format!("instr(a.search_text, ?{}) > 0", params.len()));
        }
        w.push(format!("({})", any.join(" OR ")));
    }
    w.join(" AND ")
}

impl Store {
    /// One page of the journal, `limit` rows, starting at `from` (keyset paging: no OFFSET,
    /// never the whole table).
    pub fn queue_page(
        &self,
        q: &QueueQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<QueueRow>> {
        let mut params = Vec::new();
        let mut where_ = filters(q, &mut params);
        let expr = q.sort.expr();
        // The order rows are shown in, and whether this query walks it backwards.
        let ascending = q.descending == q.sort.inverted();
        let backwards = matches!(from, PageFrom::Before(_) | PageFrom::End);
        let walk_ascending = ascending != backwards;
        if let PageFrom::After(k) | PageFrom::Before(k) | PageFrom::At(k) = from {
            params.push(k.value.clone());
            let v = params.len();
            params.push(Value::Integer(k.id));
            let i = params.len();
            let op = match (walk_ascending, matches!(from, PageFrom::At(_))) {
                (true, false) => ">",
                (false, false) => "<",
                (true, true) => ">=",
                (false, true) => "<=",
            };
            where_.push_str(&format!(" AND ({expr}, a.id) {op} (?{v}, ?{i})"));
        }
        let dir = if walk_ascending { "ASC" } else { "DESC" };
        params.push(Value::Integer(limit as i64));
        let limit_at = params.len();
        let sql = format!(
            "SELECT a.id, a.number, a.created_at, a.applicant, a.product, a.amount, a.status, a.status_since, s.name, o.code, {expr}
             FROM applications a
             JOIN offices o ON o.id = a.office_id
             LEFT JOIN staff s ON s.id = a.assignee_id
             WHERE {where_}
             ORDER BY {expr} {dir}, a.id {dir}
             LIMIT ?{limit_at}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt
            .query_map(params_from_iter(params.iter()), |r| {
                Ok(QueueRow {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    created_at: parse_time(&r.get::<_, String>(2)?),
                    applicant: r.get(3)?,
                    product: r.get(4)?,
                    amount: r.get(5)?,
                    status: r.get::<_, String>(6)?.parse().unwrap_or(Status::New),
                    status_since: parse_time(&r.get::<_, String>(7)?),
                    assignee: r.get(8)?,
                    office_code: r.get(9)?,
                    key: r.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if backwards {
            rows.reverse();
        }
        Ok(rows)
    }

    pub fn queue_count(&self, q: &QueueQuery) -> Result<u64> {
        let mut params = Vec::new();
        let where_ = filters(q, &mut params);
        let join = if q.sort == SortKey::Assignee {
            "LEFT JOIN staff s ON s.id = a.assignee_id"
        } else {
            ""
        };
        let sql = format!("SELECT count(*) FROM applications a {join} WHERE {where_}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params.iter()), |r| r.get(0))?)
    }

    /// Bring in applications from another system, all in one transaction. Rows whose external
    /// id is already known are left alone. Returns (added, already there).
    pub fn import_applications(
        &mut self,
        label: &str,
        rows: &[ImportRow],
        now: NaiveDateTime,
        mut progress: impl FnMut(usize),
    ) -> Result<(usize, usize)> {
        self.write(|tx| {
            let (mut added, mut existing) = (0, 0);
            let mut known = tx.prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM applications WHERE external_id = ?1)",
            )?;
            for (i, row) in rows.iter().enumerate() {
                if known.query_row([&row.external_id], |r| r.get::<_, bool>(0))? {
                    existing += 1;
                } else {
                    let (id, _) = insert_application(
                        tx,
                        &row.data,
                        row.office_id,
                        Some(&row.external_id),
                        label,
                        None,
                        now,
                    )?;
                    insert_event(
                        tx,
                        id,
                        now,
                        label,
                        "imported",
                        None,
                        Some(Status::New),
                        &row.external_id,
                    )?;
                    added += 1;
                }
                if i % 500 == 0 {
                    progress(i);
                }
            }
            progress(rows.len());
            Ok((added, existing))
        })
    }

    /// Every application, oldest first, for export; `f` sees one at a time.
    pub fn for_each_application(
        &self,
        mut f: impl FnMut(&ApplicationRecord) -> std::io::Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_RECORD} ORDER BY a.id"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let rec = record_from(r)?;
            f(&rec).map_err(|e| StoreError::Io(e.to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_searches_also_try_the_russian_trunk_prefix() {
        assert_eq!(
            search_terms("8 924 811"),
            vec!["8924811".to_string(), "7924811".to_string()]
        );
        assert_eq!(search_terms("Ёлкин"), vec!["елкин".to_string()]);
        assert_eq!(search_terms("2026-000012"), vec!["2026-000012".to_string()]);
        assert!(search_terms("  ").is_empty());
    }
}
