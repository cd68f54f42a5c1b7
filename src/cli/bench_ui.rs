//! Bench sections for what a person at the desk feels: bytes sent to the terminal per key,
//! render time per pane, start-up to the first frame, the two writes done most (a status
//! transition, a call logged) and resident memory.
//!
//! The interface is driven as in use: a real [`App`] on the measured database, key events,
//! frames drawn by [`wire::frame`] (the event loop's own drawing) into a byte counter. The
//! colour theme is measured (the most bytes), the clock is held at 12:00 so that figures do
//! not depend on the minute. Nothing here changes the database: the session only reads, and
//! the writes are timed in transactions that are rolled back ([`Store::set_rollback_writes`]).

use super::bench::{Bench, Unit};
use super::{Context, Failure};
use crate::domain::Status;
use crate::domain::member::{ContactInput, ContactKind, validate_contact};
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::store::applications::StepInput;
use crate::store::{Actor, Store};
use crate::tui::app::{App, Clock, PANES};
use crate::tui::theme::Theme;
use crate::tui::wire::{self, Probe};
use chrono::NaiveTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

/// What is typed into the member search in the `wire` and `memory` sessions: surnames, a
/// name with a surname, a phone and a passport fragment.
pub const WIRE_TYPING: [&str; 5] = [
    "Иванова",
    "кузнецова",
    "попов ан",
    "8 (913) 016-78",
    "4509 1234",
];

/// The sizes render time is measured at: the smallest the interface accepts, and a big one.
const RENDER_SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn store_failure(ctx: &Context) -> impl Fn(crate::store::StoreError) -> Failure + '_ {
    move |e| Failure::from_store(e, &ctx.catalog)
}

fn io_failure(name: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure::Setup(format!("{name}: {e}"))
}

/// Who the bench acts as (see [`wire::session_actor`]).
fn bench_actor(ctx: &Context, store: &Store) -> Result<Actor, Failure> {
    wire::session_actor(store).map_err(store_failure(ctx))
}

/// The App as `coopdesk` builds it at start, on its own connection, not logged in yet.
fn new_app(ctx: &Context, store: Store, rules: Rules, cat: Catalog) -> App {
    let clock = Clock {
        today: ctx.today,
        fixed: NaiveTime::from_hms_opt(12, 0, 0),
    };
    let mut app = App::new(
        store,
        rules,
        cat,
        Theme::new(false, false),
        clock,
        ctx.config.security.clone(),
    );
    app.members.full_access = ctx.config.privacy.roles();
    app.members.settle = ctx.config.ui.search_settle();
    app.set_demo_hint();
    app
}

fn bench_app(ctx: &Context) -> Result<(App, Actor), Failure> {
    let store = ctx.open_existing_store()?;
    let actor = bench_actor(ctx, &store)?;
    Ok((
        new_app(ctx, store, ctx.rules.clone(), ctx.catalog.clone()),
        actor,
    ))
}

/// The session must not have written anything: the bench leaves the database as it was.
fn unchanged(ctx: &Context, app: &App) -> Result<(), Failure> {
    let changes = app.store.conn().total_changes();
    if changes == 0 {
        Ok(())
    } else {
        Err(Failure::Store(ctx.catalog.f(
            "speed.session_wrote",
            &[
                ("db", &ctx.db_path.display().to_string()),
                ("n", &changes.to_string()),
            ],
        )))
    }
}

/// Bytes on the wire at 80x24: per cursor move, per typed letter, per pane switch, per full
/// repaint, and a frame with nothing changed. The target is checked against the largest step.
pub fn wire(b: &mut Bench) -> Result<(), Failure> {
    let (mut app, actor) = bench_app(b.ctx)?;
    let figures = wire::session(&mut app, actor, 80, 24, &WIRE_TYPING, &mut |_, _| {})
        .map_err(io_failure("wire"))?;
    unchanged(b.ctx, &app)?;
    for f in figures {
        let values = f.bytes.iter().map(|v| *v as f64).collect();
        b.sizes(
            &format!("wire.{}", f.name),
            Unit::Bytes,
            Some(f.budget as f64),
            values,
        );
    }
    Ok(())
}

/// Render time of each pane at 80x24 and 200x60: a frame (every widget drawn into the buffer
/// and compared with the screen, as after any key) and a full repaint (the screen cleared and
/// every cell turned into escape sequences, as at start or after a resize).
pub fn render(b: &mut Bench) -> Result<(), Failure> {
    let (mut app, actor) = bench_app(b.ctx)?;
    app.enter(actor);
    for (w, h) in RENDER_SIZES {
        let mut p = Probe::new(w, h).map_err(io_failure("render"))?;
        for i in 0..PANES.len() {
            app.handle_key(KeyEvent::new(
                KeyCode::Char(char::from(b'1' + i as u8)),
                KeyModifiers::NONE,
            ));
            if app.pane == 1 && app.members.search.value.is_empty() {
                for c in WIRE_TYPING[0].chars() {
                    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
                app.members_wait(Duration::from_secs(30));
            }
            let pane = wire::pane_name(app.pane);
            p.repaint(&mut app).map_err(io_failure("render"))?;
            // A frame: every widget drawn and compared with the screen (a key that changes a
            // few cells costs this and its bytes).
            b.time(&format!("render.{pane}.{w}x{h}"), Some(2.0), |_| {
                p.frame(&mut app)
            })?;
            // A full repaint: the screen cleared and every cell sent (start, resize).
            b.time(&format!("repaint.{pane}.{w}x{h}"), Some(2.0), |_| {
                p.repaint(&mut app)
            })?;
            // Out of the member search (it takes digits as typed text).
            app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        }
    }
    unchanged(b.ctx, &app)
}

/// From nothing to the login screen on the terminal: rules and texts read and checked, the
/// database opened, the App built, the first frame drawn (what `coopdesk` does before the
/// person sees anything; the day's first start also copies the database, once a day, not
/// counted here).
pub fn startup(b: &mut Bench) -> Result<(), Failure> {
    let ctx = b.ctx;
    let assets = ctx.config.assets_dir.clone();
    b.time("startup.first_frame", Some(200.0), |_| {
        let rules = Rules::load(assets.as_deref()).map_err(|e| e.to_string())?;
        let cat =
            Catalog::load(&ctx.config.language, assets.as_deref()).map_err(|e| e.to_string())?;
        crate::docs::Templates::new(assets.as_deref())
            .check_all()
            .map_err(|e| e.message(&cat))?;
        let store = Store::open(&ctx.db_path).map_err(|e| e.message(&cat))?;
        if !store.is_initialised().map_err(|e| e.message(&cat))? {
            return Err(cat.t("login.no_staff").to_string());
        }
        let mut app = new_app(ctx, store, rules, cat);
        let mut p = Probe::new(80, 24).map_err(|e| e.to_string())?;
        p.repaint(&mut app).map_err(|e| e.to_string())
    })
}

/// One status transition and one call logged, through the store's own actions (locks, role
/// checks, history, audit), each in a transaction rolled back instead of committed; and the
/// commit itself (the disk's flush) timed apart on a scratch database beside the measured one,
/// removed afterwards.
pub fn writes(b: &mut Bench) -> Result<(), Failure> {
    let ctx = b.ctx;
    let mut store = ctx.open_existing_store()?;
    store.set_rollback_writes(true);
    // Another connection sees a new data version whenever anything is committed.
    let watch = rusqlite::Connection::open_with_flags(
        &ctx.db_path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .map_err(|e| store_failure(ctx)(e.into()))?;
    let before = data_version(&watch);
    let actor = bench_actor(ctx, &store)?;
    let now = ctx
        .today
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    // Open applications of the actor's office that the head may reject.
    let apps: Vec<(i64, i64)> = {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT id, version FROM applications WHERE office_id = ?1 AND status IN ('new', 'member', 'authorized')
                 ORDER BY id DESC LIMIT 50",
            )
            .map_err(|e| store_failure(ctx)(e.into()))?;
        stmt.query_map([actor.office_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| store_failure(ctx)(e.into()))?
    };
    let rules = &ctx.rules;
    if !apps.is_empty() {
        let reason = StepInput::Reason("bench".into());
        b.time("writes.transition", Some(20.0), |i| {
            let (id, version) = apps[i % apps.len()];
            store.transition(&actor, id, version, Status::Rejected, &reason, rules, now)
        })?;
    }
    let members: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM members WHERE status = 'member' ORDER BY id LIMIT 50")
            .map_err(|e| store_failure(ctx)(e.into()))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| store_failure(ctx)(e.into()))?
    };
    if !members.is_empty() {
        let input = ContactInput {
            direction: "out".into(),
            outcome: "no_answer".into(),
            duration: "1".into(),
            comment: "bench".into(),
            ..ContactInput::default()
        };
        let call = validate_contact(ContactKind::Call, &input, ctx.today)
            .map_err(|e| Failure::Setup(format!("bench call: {e:?}")))?;
        b.time("writes.call_logged", Some(20.0), |i| {
            store.log_contact(&actor, members[i % members.len()], &call, now)
        })?;
    }
    if data_version(&watch) != before {
        return Err(Failure::Store(ctx.catalog.f(
            "speed.writes_committed",
            &[("db", &ctx.db_path.display().to_string())],
        )));
    }
    commit(b)
}

fn data_version(conn: &rusqlite::Connection) -> Option<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
        .ok()
}

/// A commit of one small transaction as the store commits (WAL, `synchronous = FULL`), on a
/// scratch database in the measured database's folder (the same disk).
fn commit(b: &mut Bench) -> Result<(), Failure> {
    let mut scratch = b.ctx.db_path.clone().into_os_string();
    scratch.push(".bench-commit");
    let scratch = std::path::PathBuf::from(scratch);
    let remove = |p: &std::path::Path| {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut f = p.to_path_buf().into_os_string();
            f.push(suffix);
            let _ = std::fs::remove_file(f);
        }
    };
    remove(&scratch);
    let result = (|| -> Result<(), Failure> {
        let fail = |e: rusqlite::Error| Failure::Store(format!("{}: {e}", scratch.display()));
        let conn = rusqlite::Connection::open(&scratch).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, at TEXT, v TEXT)")
            .map_err(fail)?;
        b.time("writes.commit", Some(20.0), |i| {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            conn.execute(
                "INSERT INTO t(at, v) VALUES (datetime('now'), ?1)",
                [format!("row {i}")],
            )?;
            conn.execute_batch("COMMIT")
        })
    })();
    remove(&scratch);
    result
}

/// Resident memory after a representative session: the App on the database, logged in,
/// every pane shown, the member search typed. The bench process holds its own connections
/// and whatever earlier sections left, so this is an upper bound on the app's own.
pub fn memory(b: &mut Bench) -> Result<(), Failure> {
    let (mut app, actor) = bench_app(b.ctx)?;
    wire::session(&mut app, actor, 80, 24, &WIRE_TYPING, &mut |_, _| {})
        .map_err(io_failure("memory"))?;
    unchanged(b.ctx, &app)?;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    };
    if let Some(rss) = kib("VmRSS:") {
        b.figure("memory.rss", Unit::Mib, rss / 1024.0, Some(64.0));
    }
    if let Some(peak) = kib("VmHWM:") {
        b.figure("memory.peak", Unit::Mib, peak / 1024.0, None);
    }
    drop(app);
    Ok(())
}
