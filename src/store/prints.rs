//! Printed documents: what the documents of an application are made of (the member record,
//! the fees paid, the loan, its agreements and cash orders), and the record of every print.

use super::applications::{ApplicationRecord, Event};
use super::staff::Office;
use super::{Actor, Result, Store, StoreError, fmt_time, parse_time};
use crate::domain::{Money, Role};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A fee paid at the cash desk through this application (`candidate → member`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeePaid {
    /// `entrance_fee` or `mandatory_share`.
    pub kind: String,
    pub amount: Money,
    pub receipt_no: String,
    pub paid_on: NaiveDate,
    /// The receipt cash order's number (`cash_orders`).
    pub order_no: String,
    /// Who took the money: (login, name).
    pub cashier: (String, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    pub number: Option<String>,
    pub join_date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanFacts {
    pub contract_no: String,
    pub product: String,
    pub amount: Money,
    pub term_months: u32,
    pub rate: Decimal,
    pub issue_date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementFacts {
    /// `guarantee` or `collateral`.
    pub kind: String,
    pub number: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashOrderFacts {
    pub number: String,
    pub amount: Money,
    pub at: NaiveDateTime,
    /// Who issued it: (login, name).
    pub actor: (String, String),
}

/// Everything an application's documents are made of besides the application itself.
/// What does not exist yet is `None` or empty, and its documents are not offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentFacts {
    pub office: Office,
    /// The credit manager acting for the cooperative: who processes the application now,
    /// else the last manager who moved or entered it: (login, name).
    pub manager: Option<(String, String)>,
    /// The applicant (by passport) is a full member now.
    pub applicant_is_member: bool,
    pub member: Option<MemberFacts>,
    pub fees: Vec<FeePaid>,
    pub loan: Option<LoanFacts>,
    pub agreements: Vec<AgreementFacts>,
    pub issue_order: Option<CashOrderFacts>,
}

/// What became of a print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintOutcome {
    /// Written to a file; no print command is configured (or the file was asked for).
    Saved,
    /// The print command took it.
    Sent,
    /// The print command failed or did not finish in time; the file is there.
    Failed,
}

impl PrintOutcome {
    pub fn code(self) -> &'static str {
        match self {
            PrintOutcome::Saved => "saved",
            PrintOutcome::Sent => "sent",
            PrintOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> PrintOutcome {
        match s {
            "sent" => PrintOutcome::Sent,
            "failed" => PrintOutcome::Failed,
            _ => PrintOutcome::Saved,
        }
    }
}

/// One print, as the history shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintRecord {
    pub application_id: i64,
    pub document: String,
    pub file: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub command: String,
    pub outcome: PrintOutcome,
    pub detail: String,
}

fn staff_name(conn: &rusqlite::Connection, login: &str) -> Result<(String, String)> {
    let name: Option<String> = conn
        .prepare_cached("SELECT name FROM staff WHERE login = ?1")?
        .query_row([login], |r| r.get(0))
        .optional()?;
    Ok((login.to_string(), name.unwrap_or_else(|| login.to_string())))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, super::DATE_FMT).unwrap_or_default()
}

impl Store {
    /// What the documents of `app` are made of, read in one go.
    pub fn document_facts(&self, app: &ApplicationRecord) -> Result<DocumentFacts> {
        let c = &self.conn;
        let office = c
            .prepare_cached("SELECT id, code, name, city FROM offices WHERE id = ?1")?
            .query_row([app.office_id], |r| {
                Ok(Office {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    city: r.get(3)?,
                })
            })?;
        // Who acts for the cooperative: the manager processing it now, else the manager who
        // last moved or entered it (an imported application has none until one takes it).
        let manager = match &app.assignee {
            Some(a) => Some(a.clone()),
            None => c
                .prepare_cached(
                    "SELECT s.login, s.name FROM application_events e
                     JOIN staff s ON s.login = e.actor
                     JOIN staff_roles r ON r.staff_id = s.id AND r.role = 'manager'
                     WHERE e.application_id = ?1 ORDER BY e.id DESC LIMIT 1",
                )?
                .query_row([app.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
        };
        let member = match app.member_id {
            Some(id) => c
                .prepare_cached("SELECT member_no, join_date FROM members WHERE id = ?1")?
                .query_row([id], |r| {
                    Ok(MemberFacts {
                        number: r.get(0)?,
                        join_date: r.get::<_, Option<String>>(1)?.map(|s| date(&s)),
                    })
                })
                .optional()?,
            None => None,
        };
        let mut fees = Vec::new();
        {
            let mut stmt = c.prepare_cached(
                "SELECT c.kind, c.amount, c.receipt_no, c.paid_on, c.actor,
                        (SELECT o.number FROM cash_orders o
                          WHERE o.member_id = c.member_id AND o.kind = c.kind AND o.receipt_no = c.receipt_no
                          ORDER BY o.id DESC LIMIT 1)
                 FROM contributions c WHERE c.application_id = ?1 ORDER BY c.id",
            )?;
            let rows = stmt
                .query_map([app.id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Money>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (kind, amount, receipt_no, paid_on, actor, order) in rows {
                // A contribution without its cash order has nothing to print as one.
                let Some(order_no) = order else { continue };
                fees.push(FeePaid {
                    kind,
                    amount,
                    receipt_no,
                    paid_on: date(&paid_on),
                    order_no,
                    cashier: staff_name(c, &actor)?,
                });
            }
        }
        let loan_row = c
            .prepare_cached(
                "SELECT id, contract_no, product, amount, term_months, rate, issue_date FROM loans WHERE application_id = ?1",
            )?
            .query_row([app.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    LoanFacts {
                        contract_no: r.get(1)?,
                        product: r.get(2)?,
                        amount: r.get(3)?,
                        term_months: r.get(4)?,
                        rate: Decimal::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
                        issue_date: date(&r.get::<_, String>(6)?),
                    },
                ))
            })
            .optional()?;
        let (mut agreements, mut issue_order, mut loan) = (Vec::new(), None, None);
        if let Some((loan_id, facts)) = loan_row {
            agreements = c
                .prepare_cached(
                    "SELECT kind, number, description FROM loan_agreements WHERE loan_id = ?1 ORDER BY id",
                )?
                .query_map([loan_id], |r| {
                    Ok(AgreementFacts {
                        kind: r.get(0)?,
                        number: r.get(1)?,
                        description: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let order = c
                .prepare_cached(
                    "SELECT number, amount, at, actor FROM cash_orders WHERE loan_id = ?1 AND kind = 'loan_issue' ORDER BY id DESC LIMIT 1",
                )?
                .query_row([loan_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Money>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .optional()?;
            if let Some((number, amount, at, actor)) = order {
                issue_order = Some(CashOrderFacts {
                    number,
                    amount,
                    at: parse_time(&at),
                    actor: staff_name(c, &actor)?,
                });
            }
            loan = Some(facts);
        }
        let applicant_is_member = self.applicant_is_member(&app.data.borrower.passport)?;
        Ok(DocumentFacts {
            office,
            manager,
            applicant_is_member,
            member,
            fees,
            loan,
            agreements,
            issue_order,
        })
    }

    /// Record a print made at the desk by a logged-in person (any role: whoever sits at the
    /// desk prints; the record says who).
    #[allow(clippy::too_many_arguments)]
    pub fn record_print(
        &mut self,
        actor: &Actor,
        application_id: i64,
        document: &str,
        file: &str,
        command: &str,
        outcome: PrintOutcome,
        detail: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            if super::current_roles(tx, actor)?.is_empty() {
                return Err(StoreError::Forbidden(Role::Manager));
            }
            insert(
                tx,
                application_id,
                document,
                file,
                &actor.login,
                command,
                outcome,
                detail,
                now,
            )
        })
    }

    /// Record a print made from the command line, under its label (`cli:<user>`).
    #[allow(clippy::too_many_arguments)]
    pub fn record_print_as(
        &mut self,
        label: &str,
        application_id: i64,
        document: &str,
        file: &str,
        command: &str,
        outcome: PrintOutcome,
        detail: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            insert(
                tx,
                application_id,
                document,
                file,
                label,
                command,
                outcome,
                detail,
                now,
            )
        })
    }

    /// Every print of an application, oldest first.
    pub fn prints(&self, application_id: i64) -> Result<Vec<PrintRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT application_id, document, file, at, actor, command, outcome, detail
             FROM prints WHERE application_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([application_id], |r| {
                Ok(PrintRecord {
                    application_id: r.get(0)?,
                    document: r.get(1)?,
                    file: r.get(2)?,
                    at: parse_time(&r.get::<_, String>(3)?),
                    actor: r.get(4)?,
                    command: r.get(5)?,
                    outcome: PrintOutcome::parse(&r.get::<_, String>(6)?),
                    detail: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// How many times a document of an application has been printed.
    pub fn print_count(&self, application_id: i64, document: &str) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM prints WHERE application_id = ?1 AND document = ?2",
            )?
            .query_row(params![application_id, document], |r| r.get(0))?)
    }

    /// The application's history with its prints merged in, in time order (a print is an
    /// event of kind `printed`; its comment names the document, the file and the outcome).
    pub fn history_with_prints(&self, application_id: i64) -> Result<Vec<Event>> {
        let mut events = self.history(application_id)?;
        for p in self.prints(application_id)? {
            let mut comment = format!("{} {} {}", p.document, p.outcome.code(), p.file);
            if !p.detail.is_empty() {
                comment.push_str(&format!(" ({})", p.detail));
            }
            events.push(Event {
                at: p.at,
                actor: p.actor,
                kind: "printed".into(),
                from: None,
                to: None,
                comment,
            });
        }
        // Stable: events of one second keep their recorded order, prints after them.
        events.sort_by_key(|e| e.at);
        Ok(events)
    }
}

#[allow(clippy::too_many_arguments)]
fn insert(
    tx: &rusqlite::Transaction,
    application_id: i64,
    document: &str,
    file: &str,
    actor: &str,
    command: &str,
    outcome: PrintOutcome,
    detail: &str,
    now: NaiveDateTime,
) -> Result<()> {
    let known: bool = tx
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM applications WHERE id = ?1)")?
        .query_row([application_id], |r| r.get(0))?;
    if !known {
        return Err(StoreError::NotFound);
    }
    tx.prepare_cached(
        "INSERT INTO prints(application_id, document, file, at, actor, command, outcome, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        application_id,
        document,
        file,
        fmt_time(now),
        actor,
        command,
        outcome.code(),
        detail
    ])?;
    Ok(())
}
