//! `coopdesk demo`: the database it builds keeps the rules of DOMAIN §2 and §3 and is the same
//! for the same seed, whichever way (bulk or the store's own actions) it was written.

use chrono::{NaiveDate, NaiveDateTime};
use clap::Parser;
use coopdesk::cli::demo::{DemoSpec, build};
use coopdesk::cli::{Cli, Failure, load_context};
use coopdesk::domain::Status;
use coopdesk::domain::application::step;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::rules::Rules;
use coopdesk::scorecards;
use coopdesk::store::Store;
use coopdesk::store::applications::QueueQuery;
use rusqlite::types::Value;
use std::path::Path;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The shipped rules with the shipped scorecard active, as a default config has them.
fn rules_with_card() -> Rules {
    let mut rules = Rules::builtin();
    rules.scorecard =
        Some(scorecards::parse(scorecards::DEFAULT_CARD_FILE, scorecards::DEFAULT_CARD).unwrap());
    rules
}

fn built_with(dir: &Path, name: &str, spec: &DemoSpec, rules: &Rules) -> Store {
    let mut store = Store::open(&dir.join(name)).unwrap();
    build(&mut store, rules, spec, &mut |_, _| {}).unwrap();
    store
}

fn built(dir: &Path, name: &str, spec: &DemoSpec) -> Store {
    built_with(dir, name, spec, &rules_with_card())
}

fn small(seed: u64) -> DemoSpec {
    DemoSpec::new(today(), 200, 60, seed)
}

fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Every row of every table, in key order, as text (password hashes left out: they are salted).
fn dump(store: &Store) -> Vec<(String, Vec<String>)> {
    let tables = [
        ("offices", "*", "id"),
        (
            "staff",
            "id, login, name, office_id, active, created_at",
            "id",
        ),
        ("staff_roles", "*", "staff_id, role"),
        ("counters", "*", "name"),
        ("members", "*", "id"),
        ("applications", "*", "id"),
        ("application_events", "*", "id"),
        ("application_checks", "*", "application_id, code"),
        ("bureau_checks", "*", "application_id"),
        ("contributions", "*", "id"),
        ("loans", "*", "id"),
        ("loan_agreements", "*", "id"),
        ("cash_orders", "*", "id"),
        ("sales", "*", "id"),
        ("audit", "*", "id"),
        ("application_scores", "*", "id"),
        ("scorecard_versions", "*", "card_id, version"),
    ];
    let mut out = Vec::new();
    for (table, cols, order) in tables {
        let mut stmt = store
            .conn()
            .prepare(&format!("SELECT {cols} FROM {table} ORDER BY {order}"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, Value>(i).map(|v| format!("{v:?}")))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap();
        for row in rows {
            out.push((table.to_string(), row.unwrap()));
        }
    }
    out
}

fn applicants(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT number || ' ' || applicant || ' ' || passport FROM applications ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_small_demo_keeps_the_rules_of_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let spec = small(7);
    let store = built(dir.path(), "demo.db", &spec);
    let conn = store.conn();

    // Every status is there.
    for s in Status::ALL {
        let n = store
            .queue_count(&QueueQuery {
                statuses: vec![s],
                ..Default::default()
            })
            .unwrap();
        assert!(n > 0, "no application in {s}");
    }

    // Every history replays: created or imported as new, then one allowed step at a time, in
    // time order, to the status the application has now.
    let apps: Vec<(i64, String, String, String)> = conn
        .prepare("SELECT id, status, status_since, created_at FROM applications ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(apps.len() >= spec.applications);
    let mut events = conn
        .prepare("SELECT kind, from_status, to_status, at FROM application_events WHERE application_id = ?1 ORDER BY id")
        .unwrap();
    for (id, status, since, created) in &apps {
        let evs: Vec<(String, Option<String>, Option<String>, String)> = events
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let (kind, from, to, at) = &evs[0];
        assert!(
            kind == "created" || kind == "imported",
            "{id}: starts with {kind}"
        );
        assert_eq!((from.as_deref(), to.as_deref()), (None, Some("new")));
        assert_eq!(at, created);
        let mut current: Status = "new".parse().unwrap();
        let mut last_at = time(at);
        let mut last_status_at = time(at);
        for (kind, from, to, at) in &evs[1..] {
            assert!(time(at) >= last_at, "{id}: events out of time order");
            last_at = time(at);
            if kind == "created" || kind == "imported" {
                panic!("{id}: created twice");
            }
            if kind != "status" {
                continue;
            }
            let from: Status = from.as_deref().unwrap().parse().unwrap();
            let to: Status = to.as_deref().unwrap().parse().unwrap();
            assert_eq!(from, current, "{id}: a step from a status it was not in");
            assert!(step(from, to).is_some(), "{id}: no step {from} → {to}");
            current = to;
            last_status_at = time(at);
        }
        assert_eq!(current.code(), status, "{id}: history ends elsewhere");
        assert_eq!(time(since), last_status_at, "{id}: status_since");
        assert!(time(since) < today().and_hms_opt(9, 0, 0).unwrap());
    }

    // Admitted applicants are members with a number (or, for a loan issued long ago, former
    // members who have left since); issued loans have their loan and sale.
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications a LEFT JOIN members m ON m.id = a.member_id
             WHERE a.status IN ('member', 'authorized', 'archived')
               AND (m.id IS NULL OR m.member_no IS NULL OR m.passport <> a.passport
                    OR NOT (m.status = 'member' OR (m.status = 'left' AND a.status = 'archived'
                                                    AND a.status_since < '2026-08-25')))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "admitted applications without a member");
    let admitted: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications a JOIN members m ON m.id = a.member_id
             WHERE a.status IN ('member', 'authorized', 'archived') AND m.status = 'member'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(admitted > 0);
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications a
             WHERE a.status = 'archived' AND (
                NOT EXISTS(SELECT 1 FROM loans l WHERE l.application_id = a.id AND l.member_id = a.member_id)
                OR NOT EXISTS(SELECT 1 FROM sales s WHERE s.application_id = a.id AND s.amount = a.amount))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "archived applications without a loan or a sale");
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM loans l JOIN applications a ON a.id = l.application_id WHERE a.status <> 'archived'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "a loan on an application that was not issued");
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications WHERE status = 'rejected' AND reject_reason = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "rejected without a reason");
    // Members with a number paid their fees; passports are unique among applicants who are
    // not the same member applying again.
    let bad: i64 = conn
        .query_row(
            "SELECT count(*) FROM members m WHERE m.member_no IS NOT NULL AND
               (SELECT count(*) FROM contributions c WHERE c.member_id = m.id AND c.kind IN ('entrance_fee', 'mandatory_share')) < 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "a numbered member who never paid the fees");

    // Some applicants were members already; some applications came from the website; some are
    // with someone and some with no one; some are late and some not.
    let member_path: i64 = conn
        .query_row(
            "SELECT count(*) FROM application_events WHERE from_status = 'checked' AND to_status = 'member'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(member_path > 0, "no applicant who was a member already");
    let (imported, assigned, unassigned): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM applications WHERE external_id IS NOT NULL),
                    (SELECT count(*) FROM applications WHERE assignee_id IS NOT NULL),
                    (SELECT count(*) FROM applications WHERE assignee_id IS NULL AND status NOT IN ('archived', 'rejected'))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(imported > 0 && assigned > 0 && unassigned > 0);

    // What the generator made passes the same input rules as what a person types.
    for id in apps.iter().map(|a| a.0).rev().take(60) {
        let rec = store.application(id).unwrap();
        let input = ApplicationInput::from(&rec.data);
        let products = &Rules::builtin().products;
        if let Err(e) = draft::validate(&input, products, rec.created_at.date()) {
            panic!("{}: {e:?}", rec.number);
        }
    }
}

/// Every application that went `new → checked` has a complete score on the active card,
/// recorded before the step by the manager who took it; some new ones are scored, some of them
/// part-way; answers fit their questions; categories come out mixed, mostly 2.
#[test]
fn applications_past_new_were_scored_before_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_with_card();
    let card = &rules.scorecard.as_ref().unwrap().card;
    let store = built_with(
        dir.path(),
        "scored.db",
        &DemoSpec::new(today(), 200, 150, 7),
        &rules,
    );
    let conn = store.conn();
    let checked: Vec<(i64, String, String)> = conn
        .prepare(
            "SELECT application_id, at, actor FROM application_events
             WHERE kind = 'status' AND from_status = 'new' AND to_status = 'checked' ORDER BY application_id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let past_new: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications a WHERE a.status NOT IN ('new', 'rejected')
                OR (a.status = 'rejected' AND EXISTS(SELECT 1 FROM application_events e
                    WHERE e.application_id = a.id AND e.kind = 'status' AND e.to_status = 'checked'))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(checked.len() as i64, past_new);
    assert!(past_new > 100, "{past_new}");
    for (id, at, actor) in &checked {
        let scores = store.scores(*id).unwrap();
        let before: Vec<_> = scores.iter().filter(|s| s.at < time(at)).collect();
        let s = before
            .last()
            .unwrap_or_else(|| panic!("{id}: checked at {at} with no score before"));
        assert!(
            s.complete,
            "{id}: the score before the check is not complete"
        );
        assert_eq!(
            (s.card_id.as_str(), s.card_version),
            (card.id.as_str(), card.version)
        );
        assert_eq!(
            &s.actor, actor,
            "{id}: scored by someone else than who checked it"
        );
        let scored: i64 = conn
            .query_row(
                "SELECT count(*) FROM application_events WHERE application_id = ?1 AND kind = 'scored' AND at = ?2",
                rusqlite::params![id, s.at.format("%Y-%m-%d %H:%M:%S").to_string()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(scored, 1, "{id}: no history row for the score");
    }

    // Every score on the card, its answers fitting their questions; what was recorded is what
    // the card gives for the answers recorded.
    let mut by_category = [0u32; 4];
    let (mut new_scored, mut new_partial) = (0, 0);
    let ids: Vec<(i64, String)> = conn
        .prepare("SELECT id, status FROM applications ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, status) in &ids {
        let scores = store.scores(*id).unwrap();
        for s in &scores {
            assert!(
                s.result["invalid"].as_array().unwrap().is_empty(),
                "{id}: {:?}",
                s.result["invalid"]
            );
            let again = coopdesk::domain::scorecard::evaluate(card, &s.answers);
            assert_eq!(again.total, s.total, "{id}");
            assert_eq!(again.category, s.category, "{id}");
            assert_eq!(again.is_complete(), s.complete, "{id}");
            // Only questions asked are answered (the store records the computed answers
            // whether asked or not).
            for st in &again.stages {
                for item in &st.items {
                    let typed = card.item(&item.key).unwrap().source().is_none();
                    if typed && !item.asked {
                        assert!(
                            !s.answers.contains_key(&item.key),
                            "{id}: {} answered, not asked",
                            item.key
                        );
                    }
                }
            }
        }
        if let Some(s) = scores.last() {
            if s.complete {
                by_category[s.category.number() as usize] += 1;
            }
            if status == "new" {
                new_scored += 1;
                if !s.complete {
                    new_partial += 1;
                }
            }
        }
    }
    assert!(new_scored > 0, "no new application was scored");
    assert!(new_partial > 0, "no new application was scored part-way");
    let new_total: i64 = conn
        .query_row(
            "SELECT count(*) FROM applications WHERE status = 'new'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        (new_scored as i64) < new_total,
        "every new application was scored"
    );
    // Category 1 (more than 65 of the card's points) is rare: a loan that buys neither a flat
    // nor a car cannot reach it on the shipped card, so a small demo may have none.
    let [_, c1, c2, c3] = by_category;
    assert!(c3 > 0, "categories {by_category:?}");
    assert!(c2 > c1 && c2 > c3, "categories {by_category:?}");

    // A housing purchase gives the card its price and down payment.
    let housing: i64 = conn
        .query_row(
            "SELECT count(*) FROM application_scores s JOIN applications a ON a.id = s.application_id
             WHERE s.complete AND json_extract(s.answers, '$.\"object.purchase\".choice') = 'apartment'
               AND (s.purchase_price IS NULL OR s.down_payment IS NULL
                    OR json_extract(s.answers, '$.\"object.down_payment\".number') IS NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        housing, 0,
        "an apartment purchase scored without its down payment"
    );
}

/// Without an active card nothing is scored, and the demo is built all the same.
#[test]
fn without_a_card_nothing_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let rules = Rules::builtin();
    assert!(rules.scorecard.is_none());
    let mut through_store = small(7);
    through_store.api_applications = usize::MAX;
    let mut in_bulk = small(7);
    in_bulk.api_applications = 0;
    let a = built_with(dir.path(), "a.db", &through_store, &rules);
    let b = built_with(dir.path(), "b.db", &in_bulk, &rules);
    for store in [&a, &b] {
        let scored: i64 = store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM application_scores) + (SELECT count(*) FROM application_events WHERE kind = 'scored')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(scored, 0);
        for s in Status::ALL {
            let n = store
                .queue_count(&QueueQuery {
                    statuses: vec![s],
                    ..Default::default()
                })
                .unwrap();
            assert!(n > 0, "no application in {s}");
        }
    }
    assert!(
        dump(&a) == dump(&b),
        "bulk and store actions differ without a card"
    );
}

#[test]
fn the_same_seed_builds_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let a = built(dir.path(), "a.db", &small(7));
    let b = built(dir.path(), "b.db", &small(7));
    assert_eq!(applicants(&a), applicants(&b));
    assert!(dump(&a) == dump(&b), "same seed, different rows");
    let c = built(dir.path(), "c.db", &small(8));
    assert_ne!(applicants(&a), applicants(&c));
}

/// The bulk writer must leave the database exactly as the store's own actions would.
#[test]
fn bulk_writing_matches_the_store_actions() {
    let dir = tempfile::tempdir().unwrap();
    let mut through_store = small(11);
    through_store.api_applications = usize::MAX;
    let mut in_bulk = small(11);
    in_bulk.api_applications = 0;
    let mut mixed = small(11);
    mixed.api_applications = 25;
    let a = built(dir.path(), "store.db", &through_store);
    let b = built(dir.path(), "bulk.db", &in_bulk);
    let c = built(dir.path(), "mixed.db", &mixed);
    let (da, db, dc) = (dump(&a), dump(&b), dump(&c));
    assert_eq!(da.len(), db.len());
    for (x, y) in da.iter().zip(&db) {
        assert_eq!(x, y);
    }
    assert!(da == dc, "mixed build differs");
}

#[test]
fn the_command_builds_once_then_reuses_and_refuses_other_databases() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let db = dir.path().join("demo.db");
    let args = |db: &Path| {
        Cli::try_parse_from([
            "coopdesk",
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--today",
            "2026-11-23",
            "demo",
            "--no-tui",
        ])
        .unwrap()
    };
    let ctx = load_context(&args(&db)).unwrap();
    coopdesk::cli::demo::run(&ctx, 30, 12, 3).unwrap();
    assert!(db.exists());
    let mut building = db.as_os_str().to_os_string();
    building.push(".building");
    assert!(!Path::new(&building).exists());
    let before = dump(&Store::open(&db).unwrap());
    // A second time it is opened as it is.
    coopdesk::cli::demo::run(&ctx, 30, 12, 3).unwrap();
    assert!(before == dump(&Store::open(&db).unwrap()));

    // A database that was not built by the demo is left alone.
    let other = dir.path().join("real.db");
    {
        let mut store = Store::open(&other).unwrap();
        let t = today().and_hms_opt(10, 0, 0).unwrap();
        store.add_office("test", "HQ", "Офис", "Томск", t).unwrap();
        store
            .add_staff(
                "test",
                "admin",
                "Админ",
                "HQ",
                &[coopdesk::domain::Role::Admin],
                "x",
                t,
            )
            .unwrap();
    }
    let ctx = load_context(&args(&other)).unwrap();
    match coopdesk::cli::demo::run(&ctx, 30, 12, 3) {
        Err(Failure::Refused(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    let members: i64 = Store::open(&other)
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM members", [], |r| r.get(0))
        .unwrap();
    assert_eq!(members, 0);
}

/// A former member who applies again goes through candidate → member and keeps the number
/// they had: no number is taken from the counter and left unused.
#[test]
fn a_former_member_coming_back_keeps_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = built(dir.path(), "back.db", &DemoSpec::new(today(), 200, 150, 7));
    let conn = store.conn();
    let back: i64 = conn
        .query_row(
            "SELECT count(*) FROM members WHERE status = 'member' AND created_at < '2026-08-01' AND join_date >= '2026-09-01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(back > 0, "no former member came back in this demo");
    let (highest, numbered, counter): (String, i64, i64) = conn
        .query_row(
            "SELECT max(member_no), count(member_no), (SELECT value FROM counters WHERE name = 'member') FROM members",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        highest.parse::<i64>().unwrap(),
        numbered,
        "gaps in member numbers"
    );
    assert_eq!(counter, numbered, "member numbers taken and not used");
}

/// The build writes with foreign keys unchecked (a lookup per row saved); the finished
/// database must hold every reference all the same, pass `integrity_check`, and keep the
/// all-or-nothing invariants the crash loop checks — whether the applications went in bulk
/// or through the store's own actions.
#[test]
fn a_built_demo_keeps_every_reference_and_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let mut mixed = DemoSpec::new(today(), 600, 200, 3);
    mixed.api_applications = 40;
    let store = built(dir.path(), "whole.db", &mixed);
    let fk: bool = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(
        fk,
        "the builder's connection checks references again once built"
    );
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("whole.db")).unwrap();
    let ic: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ic, "ok");
    let broken: Vec<String> = conn
        .prepare(
            "SELECT \"table\" || ' row ' || rowid || ' → ' || parent FROM pragma_foreign_key_check",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(broken.is_empty(), "references to nothing: {broken:?}");
    for (name, sql) in coopdesk::cli::stress::INVARIANTS {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "invariant {name} broken {n} times");
    }
}
