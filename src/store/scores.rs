//! Scores: an application scored on the active card. The store evaluates the card itself,
//! from the application's saved data and the typed answers, so what is recorded never depends
//! on the desk that sent it (seed 001: staff only answer, the card decides).

use super::applications::{ApplicationRecord, insert_event};
use super::{Actor, CachedSql, Result, Store, StoreError, fmt_time, parse_time};
use crate::domain::Money;
use crate::domain::application::may_edit;
use crate::domain::draft::ApplicationData;
use crate::domain::scorecard::{self, Answers, Category, ScoreResult};
use crate::domain::scorecard_derive::{DeriveExtra, derived_answers};
use crate::domain::validate::FieldError;
use crate::rules::Rules;
use crate::scorecards::LoadedCard;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};
use rust_decimal::Decimal;
use std::str::FromStr;

/// What the desk typed for a score: the answers the application cannot give, and the two
/// amounts the derivation needs that the application does not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScoreInput {
    pub answers: Answers,
    pub purchase_price: Option<Money>,
    pub down_payment: Option<Money>,
}

/// One recorded score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRecord {
    pub id: i64,
    pub card_id: String,
    pub card_version: u32,
    /// Every answer, typed and computed.
    pub answers: Answers,
    pub purchase_price: Option<Money>,
    pub down_payment: Option<Money>,
    pub total: Decimal,
    pub category: Category,
    pub complete: bool,
    /// The full result as recorded (JSON): stage points, criteria, forced reasons, missing.
    pub result: serde_json::Value,
    pub reason: String,
    pub at: NaiveDateTime,
    pub actor: String,
}

impl ScoreRecord {
    /// Codes and titles of the forced-category reasons recorded.
    pub fn forced(&self) -> Vec<(String, String)> {
        self.result["forced"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        (
                            f["code"].as_str().unwrap_or("").to_string(),
                            f["title"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn record_from(r: &rusqlite::Row) -> rusqlite::Result<ScoreRecord> {
    let answers: String = r.get(3)?;
    let result: String = r.get(6)?;
    let total: String = r.get(7)?;
    Ok(ScoreRecord {
        id: r.get(0)?,
        card_id: r.get(1)?,
        card_version: r.get(2)?,
        answers: serde_json::from_str(&answers).unwrap_or_default(),
        purchase_price: r.get(4)?,
        down_payment: r.get(5)?,
        result: serde_json::from_str(&result).unwrap_or_default(),
        total: Decimal::from_str(&total).unwrap_or_default(),
        category: Category::from_number(r.get(8)?).unwrap_or(Category::NotRecommended),
        complete: r.get(9)?,
        reason: r.get(10)?,
        at: parse_time(&r.get::<_, String>(11)?),
        actor: r.get(12)?,
    })
}

const SELECT: &str = "SELECT id, card_id, card_version, answers, purchase_price, down_payment, result, total, category,
    complete, reason, at, actor FROM application_scores";

pub(super) fn latest_in(tx: &rusqlite::Connection, app_id: i64) -> Result<Option<ScoreRecord>> {
    Ok(tx
        .prepare_cached(&format!(
            "{SELECT} WHERE application_id = ?1 ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([app_id], record_from)
        .optional()?)
}

/// Evaluate the card on the application as saved plus the typed input.
pub fn evaluate_for(
    card: &LoadedCard,
    app: &ApplicationRecord,
    input: &ScoreInput,
    rules: &Rules,
) -> (Answers, ScoreResult) {
    evaluate_on(card, &app.data, app.created_at.date(), input, rules)
}

/// [`evaluate_for`] on an application's data and creation date.
fn evaluate_on(
    card: &LoadedCard,
    data: &ApplicationData,
    created: NaiveDate,
    input: &ScoreInput,
    rules: &Rules,
) -> (Answers, ScoreResult) {
    let extra = DeriveExtra {
        product: rules.product(&data.loan.product),
        down_payment: input.down_payment,
        purchase_price: input.purchase_price,
    };
    let derived = derived_answers(&card.card, data, created, &extra);
    let all = scorecard::with_derived(&input.answers, &derived);
    let result = scorecard::evaluate(&card.card, &all);
    (all, result)
}

/// A score worked out and ready to be written: what [`record_in`] evaluates and writes, split
/// so that the evaluation (pure) can run apart from the writing — the demo builder works it
/// out on its drawing thread.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    pub input: ScoreInput,
    /// Every answer, typed and computed.
    pub answers: Answers,
    pub result: ScoreResult,
    answers_json: String,
    result_json: String,
}

impl Evaluated {
    /// The card evaluated on an application's data (as saved) and creation date plus the
    /// typed input.
    pub fn new(
        card: &LoadedCard,
        data: &ApplicationData,
        created: NaiveDate,
        input: &ScoreInput,
        rules: &Rules,
    ) -> Result<Evaluated> {
        let (answers, result) = evaluate_on(card, data, created, input, rules);
        Evaluated::written(input.clone(), answers, result)
    }

    fn written(input: ScoreInput, answers: Answers, result: ScoreResult) -> Result<Evaluated> {
        let answers_json =
            serde_json::to_string(&answers).map_err(|e| StoreError::Io(e.to_string()))?;
        let result_json =
            serde_json::to_string(&result).map_err(|e| StoreError::Io(e.to_string()))?;
        Ok(Evaluated {
            input,
            answers,
            result,
            answers_json,
            result_json,
        })
    }

    /// The score again on the terms as they stand (`data`), with the typed part of the score
    /// recorded last (`prev`), when that changes anything; `None` when it changes nothing or
    /// `prev` is on another card. What [`rescore_if_changed`] decides.
    pub fn rescored(
        card: &LoadedCard,
        data: &ApplicationData,
        created: NaiveDate,
        prev: &Prior<'_>,
        rules: &Rules,
    ) -> Result<Option<Evaluated>> {
        if prev.card_id != card.card.id {
            return Ok(None);
        }
        let input = typed_part(prev.answers, prev.purchase_price, prev.down_payment, card);
        let (all, result) = evaluate_on(card, data, created, &input, rules);
        if all == *prev.answers
            && result.total == prev.total
            && result.category == prev.category
            && prev.card_version == card.card.version
        {
            return Ok(None);
        }
        Evaluated::written(input, all, result).map(Some)
    }

    /// This score as the last one recorded, for [`Evaluated::rescored`].
    pub fn as_prior<'a>(&'a self, card: &'a LoadedCard) -> Prior<'a> {
        Prior {
            card_id: &card.card.id,
            card_version: card.card.version,
            answers: &self.answers,
            purchase_price: self.input.purchase_price,
            down_payment: self.input.down_payment,
            total: self.result.total,
            category: self.result.category,
        }
    }
}

/// What rescoring looks at in the score recorded last.
pub struct Prior<'a> {
    pub card_id: &'a str,
    pub card_version: u32,
    pub answers: &'a Answers,
    pub purchase_price: Option<Money>,
    pub down_payment: Option<Money>,
    pub total: Decimal,
    pub category: Category,
}

impl ScoreRecord {
    fn as_prior(&self) -> Prior<'_> {
        Prior {
            card_id: &self.card_id,
            card_version: self.card_version,
            answers: &self.answers,
            purchase_price: self.purchase_price,
            down_payment: self.down_payment,
            total: self.total,
            category: self.category,
        }
    }
}

/// A card id+version is bound to its text the first time it scores: the same version with
/// other text is a card changed in place, which the committee's rules forbid.
fn bind_card_version(tx: &Transaction, card: &LoadedCard, now: NaiveDateTime) -> Result<()> {
    let known: Option<String> = tx
        .one(
            "SELECT fingerprint FROM scorecard_versions WHERE card_id = ?1 AND version = ?2",
            params![card.card.id, card.card.version],
            |r| r.get(0),
        )
        .optional()?;
    match known {
        Some(f) if f != card.fingerprint => Err(StoreError::Invalid(vec![FieldError::with(
            "scoring",
            "err.card_changed_in_place",
            format!("{} v{}", card.card.id, card.card.version),
        )])),
        Some(_) => Ok(()),
        None => {
            tx.exec(
                "INSERT INTO scorecard_versions(card_id, version, fingerprint, first_used) VALUES (?1, ?2, ?3, ?4)",
                params![card.card.id, card.card.version, card.fingerprint, fmt_time(now)],
            )?;
            Ok(())
        }
    }
}

/// Record a score inside a transaction; the history gets a row saying total and category.
#[allow(clippy::too_many_arguments)]
pub(super) fn record_in(
    tx: &Transaction,
    actor_login: &str,
    app: &ApplicationRecord,
    card: &LoadedCard,
    input: &ScoreInput,
    rules: &Rules,
    reason: &str,
    now: NaiveDateTime,
) -> Result<ScoreResult> {
    let ev = Evaluated::new(card, &app.data, app.created_at.date(), input, rules)?;
    record_evaluated(tx, actor_login, app.id, card, &ev, reason, now)?;
    Ok(ev.result)
}

/// Write a score [`Evaluated`] for application `app_id`, with its `scored` history row.
pub(super) fn record_evaluated(
    tx: &Transaction,
    actor_login: &str,
    app_id: i64,
    card: &LoadedCard,
    ev: &Evaluated,
    reason: &str,
    now: NaiveDateTime,
) -> Result<()> {
    bind_card_version(tx, card, now)?;
    let result = &ev.result;
    tx.prepare_cached(
        "INSERT INTO application_scores(application_id, card_id, card_version, answers, purchase_price, down_payment,
            result, total, category, complete, reason, at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        app_id,
        card.card.id,
        card.card.version,
        ev.answers_json,
        ev.input.purchase_price,
        ev.input.down_payment,
        ev.result_json,
        result.total.to_string(),
        result.category.number(),
        result.is_complete(),
        reason,
        fmt_time(now),
        actor_login,
    ])?;
    let forced: Vec<&str> = result.forced.iter().map(|f| f.code.as_str()).collect();
    let mut note = format!(
        "{} v{}: {} → {}",
        card.card.id,
        card.card.version,
        result.total.normalize(),
        result.category.number()
    );
    if !forced.is_empty() {
        note.push_str(&format!(" ({})", forced.join(", ")));
    }
    if !result.is_complete() {
        note.push_str(&format!("; missing {}", result.missing.len()));
    }
    if !reason.is_empty() {
        note.push_str(&format!("; {reason}"));
    }
    insert_event(tx, app_id, now, actor_login, "scored", None, None, &note)?;
    Ok(())
}

/// The typed part of a recorded score, to score again on changed terms.
pub(super) fn input_of(rec: &ScoreRecord, card: &LoadedCard) -> ScoreInput {
    typed_part(&rec.answers, rec.purchase_price, rec.down_payment, card)
}

fn typed_part(
    answers: &Answers,
    purchase_price: Option<Money>,
    down_payment: Option<Money>,
    card: &LoadedCard,
) -> ScoreInput {
    // Computed answers are left out: they are computed again from the application.
    let answers = answers
        .iter()
        .filter(|(k, _)| card.card.item(k).is_none_or(|i| i.source().is_none()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    ScoreInput {
        answers,
        purchase_price,
        down_payment,
    }
}

impl Store {
    /// Score an application on the active card, as the stage owner (or a head).
    pub fn score_application(
        &mut self,
        actor: &Actor,
        id: i64,
        version: i64,
        input: &ScoreInput,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<ScoreResult> {
        let card = rules
            .scorecard
            .as_ref()
            .ok_or(StoreError::Invalid(vec![FieldError::new(
                "scoring",
                "err.no_card",
            )]))?;
        self.write(|tx| {
            let app = super::applications::load_in(tx, id)?;
            let roles = super::current_roles(tx, actor)?;
            if app.status.is_final() {
                return Err(StoreError::Refused(
                    crate::domain::application::Refusal::Closed,
                ));
            }
            if !may_edit(app.status, &roles) {
                return Err(StoreError::Forbidden(
                    app.status.owner().unwrap_or(crate::domain::Role::Head),
                ));
            }
            if app.version != version {
                return Err(super::applications::conflict_in(tx, id));
            }
            let result = record_in(tx, &actor.login, &app, card, input, rules, "", now)?;
            tx.exec(
                "UPDATE applications SET version = version + 1 WHERE id = ?1",
                [id],
            )?;
            Ok(result)
        })
    }

    /// The current score of an application.
    pub fn latest_score(&self, id: i64) -> Result<Option<ScoreRecord>> {
        latest_in(&self.conn, id)
    }

    /// Every score the application was given, oldest first.
    pub fn scores(&self, id: i64) -> Result<Vec<ScoreRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE application_id = ?1 ORDER BY id"))?;
        let rows = stmt
            .query_map([id], record_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// `new → checked` on a card: a complete score on the active card version.
pub(super) fn require_score(
    tx: &Transaction,
    app: &ApplicationRecord,
    rules: &Rules,
) -> Option<FieldError> {
    let card = rules.scorecard.as_ref()?;
    // Only what the rule looks at: the answers and the result are not read.
    let latest: rusqlite::Result<Option<(String, u32, bool)>> = tx
        .prepare_cached(
            "SELECT card_id, card_version, complete FROM application_scores
             WHERE application_id = ?1 ORDER BY id DESC LIMIT 1",
        )
        .and_then(|mut stmt| {
            stmt.query_row([app.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        });
    match latest {
        Ok(Some((id, version, complete)))
            if id == card.card.id && version == card.card.version && complete =>
        {
            None
        }
        Ok(Some((id, version, _))) if id == card.card.id && version == card.card.version => {
            Some(FieldError::new("scoring", "err.score_incomplete"))
        }
        Ok(Some(_)) => Some(FieldError::with(
            "scoring",
            "err.score_other_card",
            format!("{} v{}", card.card.id, card.card.version),
        )),
        _ => Some(FieldError::new("scoring", "err.score_missing")),
    }
}

/// At `member → authorized`, and whenever the loan terms change after scoring: score again on
/// the current terms with the same typed answers, when that changes anything.
pub(super) fn rescore_if_changed(
    tx: &Transaction,
    actor_login: &str,
    app: &ApplicationRecord,
    rules: &Rules,
    now: NaiveDateTime,
) -> Result<()> {
    let Some(card) = rules.scorecard.as_ref() else {
        return Ok(());
    };
    // The stored result is not needed to compare: it is left unread (`null`).
    let prev = tx
        .prepare_cached(
            "SELECT id, card_id, card_version, answers, purchase_price, down_payment, 'null', total, category,
                complete, reason, at, actor FROM application_scores
             WHERE application_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([app.id], record_from)
        .optional()?;
    let Some(prev) = prev else {
        return Ok(());
    };
    let again = Evaluated::rescored(
        card,
        &app.data,
        app.created_at.date(),
        &prev.as_prior(),
        rules,
    )?;
    record_rescore(tx, actor_login, app.id, card, again.as_ref(), now)
}

/// Write what [`Evaluated::rescored`] decided (nothing when it is `None`).
pub(super) fn record_rescore(
    tx: &Transaction,
    actor_login: &str,
    app_id: i64,
    card: &LoadedCard,
    again: Option<&Evaluated>,
    now: NaiveDateTime,
) -> Result<()> {
    match again {
        Some(ev) => record_evaluated(tx, actor_login, app_id, card, ev, RESCORE_REASON, now),
        None => Ok(()),
    }
}

/// The reason recorded with a score made again because the terms changed.
const RESCORE_REASON: &str = "terms changed";
