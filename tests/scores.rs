//! Scores in the store, on a real SQLite file: the card decides, every answer is kept, a
//! card version is never changed in place, `new → checked` needs a complete score, and
//! changed terms score again with the earlier result kept.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::scorecard::{Answer, Answers, ItemKind, QuestionKind};
use coopdesk::domain::{Money, Role, Status};
use coopdesk::rules::Rules;
use coopdesk::store::applications::{CheckOutcome, StepInput};
use coopdesk::store::scores::ScoreInput;
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};
use std::collections::BTreeSet;

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

struct Desk {
    _dir: tempfile::TempDir,
    store: Store,
    rules: Rules,
    manager: Actor,
    inspector: Actor,
    cashier: Actor,
    id: i64,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let mut rules = Rules::builtin();
    rules.scorecard = coopdesk::scorecards::load_active("default", None, None).unwrap();
    let hash = hash_password("password-1").unwrap();
    store
        .add_office("t", "TSK", "Офис", "Томск", at(1, 9))
        .unwrap();
    for (login, role) in [
        ("man", Role::Manager),
        ("insp", Role::Inspector),
        ("cash", Role::Cashier),
    ] {
        store
            .add_staff("t", login, login, "TSK", &[role], &hash, at(1, 9))
            .unwrap();
    }
    let input = ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        passport_issued_by: "ОУФМС".into(),
        passport_issued_on: "20.03.2005".into(),
        reg_address: "Томск".into(),
        fact_address: "Томск".into(),
        phone: "89248111671".into(),
        income: "90000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        ..Default::default()
    };
    let data = draft::validate(&input, &rules.products, at(20, 9).date()).unwrap();
    let manager = store.actor_by_login("man").unwrap();
    let office = store.office_by_code("TSK").unwrap().unwrap().id;
    let id = store
        .create_application(&manager, &data, office, at(20, 9))
        .unwrap()
        .id;
    let checks: Vec<_> = rules
        .checks
        .iter()
        .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
        .collect();
    store
        .save_checks(&manager, id, &checks, None, &rules, at(20, 10))
        .unwrap();
    let inspector = store.actor_by_login("insp").unwrap();
    let cashier = store.actor_by_login("cash").unwrap();
    Desk {
        _dir: dir,
        store,
        rules,
        manager,
        inspector,
        cashier,
        id,
    }
}

/// An answer for every question the application does not answer itself.
fn full_answers(rules: &Rules) -> Answers {
    let card = &rules.scorecard.as_ref().unwrap().card;
    let mut a = Answers::new();
    for item in card.items() {
        if item.source().is_some() {
            continue;
        }
        let answer = match item.kind {
            ItemKind::Question(q) => match &q.kind {
                QuestionKind::YesNo { .. } => Answer::YesNo(false),
                QuestionKind::OneOf(c) => Answer::Choice(c[0].code.clone()),
                QuestionKind::SomeOf(_) => Answer::Choices(BTreeSet::new()),
                QuestionKind::Bands { .. } => Answer::Number(5.into()),
            },
            ItemKind::Input(_) => continue,
        };
        a.insert(item.key.clone(), answer);
    }
    a
}

/// Every answer, and the price and down payment the apartment questions are computed from.
fn full(rules: &Rules) -> ScoreInput {
    ScoreInput {
        answers: full_answers(rules),
        purchase_price: Some(Money::from_rubles(3_000_000)),
        down_payment: Some(Money::from_rubles(900_000)),
    }
}

fn version(d: &Desk) -> i64 {
    d.store.application(d.id).unwrap().version
}

fn count(d: &Desk, sql: &str) -> i64 {
    d.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn checking_needs_a_complete_score_on_the_active_card() {
    let mut d = desk();
    let e = d
        .store
        .transition(
            &d.manager,
            d.id,
            version(&d),
            Status::Checked,
            &StepInput::None,
            &d.rules,
            at(20, 11),
        )
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f.iter().any(|x| x.field == "scoring" && x.reason == "err.score_missing")),
        "{e:?}"
    );

    // Half an answer sheet: recorded, but not enough to check.
    let mut half = full_answers(&d.rules);
    let first = half.keys().next().unwrap().clone();
    half.remove(&first);
    let input = ScoreInput {
        answers: half,
        purchase_price: None,
        down_payment: None,
    };
    let r = d
        .store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 11))
        .unwrap();
    assert!(!r.is_complete());
    let e = d
        .store
        .transition(
            &d.manager,
            d.id,
            version(&d),
            Status::Checked,
            &StepInput::None,
            &d.rules,
            at(20, 11),
        )
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f.iter().any(|x| x.reason == "err.score_incomplete")),
        "{e:?}"
    );

    let input = full(&d.rules);
    let r = d
        .store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 12))
        .unwrap();
    assert!(
        r.is_complete(),
        "missing {:?} invalid {:?}",
        r.missing,
        r.invalid
    );
    let rec = d.store.latest_score(d.id).unwrap().unwrap();
    assert_eq!(
        (rec.total, rec.category, rec.complete),
        (r.total, r.category, true)
    );
    // Computed answers are recorded with the typed ones: the age from the birth date.
    assert!(
        rec.answers
            .values()
            .any(|a| *a == Answer::Number(41.into())),
        "{:?}",
        rec.answers
    );
    d.store
        .transition(
            &d.manager,
            d.id,
            version(&d),
            Status::Checked,
            &StepInput::None,
            &d.rules,
            at(20, 13),
        )
        .unwrap();
    assert_eq!(
        count(
            &d,
            "SELECT count(*) FROM application_events WHERE kind = 'scored'"
        ),
        2
    );
}

#[test]
fn only_the_stage_owner_scores_and_a_closed_application_is_not_scored() {
    let mut d = desk();
    let input = full(&d.rules);
    let e = d
        .store
        .score_application(&d.cashier, d.id, version(&d), &input, &d.rules, at(20, 11))
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(Role::Manager)), "{e:?}");
    assert_eq!(count(&d, "SELECT count(*) FROM application_scores"), 0);
    let stale = version(&d) - 1;
    let e = d
        .store
        .score_application(&d.manager, d.id, stale, &input, &d.rules, at(20, 11))
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
}

#[test]
fn a_card_version_is_never_changed_in_place() {
    let mut d = desk();
    let input = full(&d.rules);
    d.store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 11))
        .unwrap();
    // The same id and version with other text.
    let card = d.rules.scorecard.as_mut().unwrap();
    card.fingerprint = "0000000000000000".into();
    let e = d
        .store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 12))
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(f) if f[0].reason == "err.card_changed_in_place"),
        "{e:?}"
    );
    assert_eq!(count(&d, "SELECT count(*) FROM application_scores"), 1);
    // A new version is fine.
    let card = d.rules.scorecard.as_mut().unwrap();
    card.card.version += 1;
    d.store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 12))
        .unwrap();
    assert_eq!(count(&d, "SELECT count(*) FROM scorecard_versions"), 2);
}

#[test]
fn changed_terms_score_again_and_keep_the_earlier_score() {
    let mut d = desk();
    let input = full(&d.rules);
    d.store
        .score_application(&d.manager, d.id, version(&d), &input, &d.rules, at(20, 11))
        .unwrap();
    let (m, i, c) = (d.manager.clone(), d.inspector.clone(), d.cashier.clone());
    d.store
        .transition(
            &m,
            d.id,
            version(&d),
            Status::Checked,
            &StepInput::None,
            &d.rules,
            at(20, 12),
        )
        .unwrap();
    d.store
        .transition(
            &i,
            d.id,
            version(&d),
            Status::Candidate,
            &StepInput::None,
            &d.rules,
            at(20, 13),
        )
        .unwrap();
    let fees = StepInput::Fees {
        entrance_receipt: "1".into(),
        share_receipt: "2".into(),
    };
    d.store
        .transition(
            &c,
            d.id,
            version(&d),
            Status::Member,
            &fees,
            &d.rules,
            at(20, 14),
        )
        .unwrap();
    // At the member stage the terms change: longer term, smaller amount.
    let mut data = d.store.application(d.id).unwrap().data;
    data.loan.amount = Money::from_rubles(120_000);
    data.loan.term_months = 36;
    let office = d.store.application(d.id).unwrap().office_id;
    d.store
        .update_application(&m, d.id, version(&d), &data, office, at(21, 9))
        .unwrap();
    d.store
        .transition(
            &m,
            d.id,
            version(&d),
            Status::Authorized,
            &StepInput::None,
            &d.rules,
            at(21, 10),
        )
        .unwrap();
    let scores = d.store.scores(d.id).unwrap();
    assert_eq!(scores.len(), 2, "the earlier score is kept");
    assert_eq!(scores[1].reason, "terms changed");
    let term_key = scores[1]
        .answers
        .iter()
        .find(|(_, a)| **a == Answer::Number(36.into()))
        .map(|(k, _)| k.clone());
    assert!(
        term_key.is_some(),
        "the new score stands on the new term: {:?}",
        scores[1].answers
    );
}
