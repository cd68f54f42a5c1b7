//! Hostile input (issue 9 §7) at the desk: random key sequences — Latin and Cyrillic
//! letters, digits, F1–F12, Tab, Esc, Enter, arrows, PgUp/PgDn, Backspace, Ctrl and Alt
//! combinations — fed to the real `App` on a copy of the demo database, logged in under each
//! role (or at the login screen), drawn after every key at 80x24 and now and then at tiny or
//! large sizes. Properties: nothing panics, and afterwards the database passes
//! `integrity_check`, `foreign_key_check` and the all-or-nothing invariants of the crash loop
//! (status and history agree, fees with their cash orders, …). Whatever random keys save is
//! fine — it must be whole.
//!
//! `cargo test --test hostile_tui`; `COOPDESK_FUZZ_CASES=N` for the long run.

#[path = "common/hostile.rs"]
mod hostile;
use hostile::*;

use chrono::NaiveTime;
use coopdesk::config::Security;
use coopdesk::store::Store;
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

/// Demo logins and their roles: head, manager, analyst, director, cashier, inspector, admin.
const LOGINS: [&str; 7] = [
    "sokolova",
    "ivanova",
    "orlova",
    "grigoriev",
    "lebedeva",
    "volkov",
    "novikov",
];

fn key() -> impl Strategy<Value = KeyEvent> {
    use KeyCode as K;
    let plain = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
    let letters = prop_oneof![
        prop::char::range('a', 'z'),
        prop::char::range('а', 'я'),
        prop::char::range('0', '9'),
        prop::sample::select(vec![
            ' ', '.', ',', '-', '+', '/', ':', '?', 'ё', 'Ё', 'Д', 'Y', 'N', 'q', 'y', 'д', 'н',
        ]),
        any::<char>(),
    ]
    .prop_map(move |c| plain(K::Char(c)));
    let special = prop::sample::select(vec![
        K::Tab,
        K::BackTab,
        K::Esc,
        K::Enter,
        K::Enter,
        K::Up,
        K::Down,
        K::Left,
        K::Right,
        K::PageUp,
        K::PageDown,
        K::Home,
        K::End,
        K::Backspace,
        K::Delete,
        K::Insert,
    ])
    .prop_map(plain);
    let f = (1u8..=12).prop_map(move |n| plain(K::F(n)));
    let modded = (
        prop_oneof![prop::char::range('a', 'z'), prop::char::range('а', 'я')],
        prop::sample::select(vec![
            KeyModifiers::CONTROL,
            KeyModifiers::ALT,
            KeyModifiers::SHIFT,
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        ]),
    )
        .prop_map(|(c, m)| KeyEvent::new(KeyCode::Char(c), m));
    let shifted = (
        prop::sample::select(vec![K::Tab, K::Up, K::Down, K::Left, K::Right, K::Enter]),
        Just(KeyModifiers::SHIFT),
    )
        .prop_map(|(c, m)| KeyEvent::new(c, m));
    prop_oneof![
        8 => letters,
        6 => special,
        3 => f,
        1 => modded,
        1 => shifted,
    ]
}

#[derive(Debug, Clone)]
struct Session {
    /// Index into [`LOGINS`], or `None`: the login screen.
    login: Option<usize>,
    mono: bool,
    ascii: bool,
    /// Drawn at this size after each key (80x24 most of the time).
    size: (u16, u16),
    keys: Vec<KeyEvent>,
}

fn session() -> impl Strategy<Value = Session> {
    (
        prop_oneof![7 => (0..LOGINS.len()).prop_map(Some), 1 => Just(None)],
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop_oneof![
            6 => Just((80u16, 24u16)),
            1 => Just((20, 5)),
            1 => Just((1, 1)),
            1 => Just((132, 43)),
            1 => (1u16..100, 1u16..40),
        ],
        prop::collection::vec(key(), 1..160),
    )
        .prop_map(|(login, mono, ascii, size, keys)| Session {
            login,
            mono,
            ascii,
            size,
            keys,
        })
}

/// The rules and catalog every desk starts with, parsed once.
fn shipped() -> &'static (coopdesk::rules::Rules, coopdesk::i18n::Catalog) {
    static S: std::sync::OnceLock<(coopdesk::rules::Rules, coopdesk::i18n::Catalog)> =
        std::sync::OnceLock::new();
    S.get_or_init(|| {
        let ctx = context(Path::new("unused.db"));
        (ctx.rules, ctx.catalog)
    })
}

fn app(db: &Path, prints: &Path, s: &Session) -> App {
    let store = Store::open(db).unwrap();
    let actor = s.login.map(|i| store.actor_by_login(LOGINS[i]).unwrap());
    let (rules, catalog) = shipped().clone();
    let mut app = App::new(
        store,
        rules,
        catalog,
        Theme::new(s.mono, s.ascii),
        Clock {
            today: today(),
            fixed: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
        },
        Security::default(),
    );
    // Printing goes to a folder of the test, never to a printer.
    app.print.dir = prints.to_path_buf();
    app.print.command = String::new();
    if let Some(a) = actor {
        app.enter(a);
    }
    app
}

/// Every session on the demo database: the desk opens the file itself as it does at work; a
/// session that wrote is checked in full and the demo put back (see [`Workbench`]), one that
/// wrote nothing leaves the file as it was for the next.
#[test]
fn random_keys_never_panic_and_leave_the_database_whole() {
    let bench = std::cell::RefCell::new(Workbench::new());
    let (db, prints) = {
        let b = bench.borrow();
        (b.db.clone(), b.dir().join("prints"))
    };
    let mut cfg = config(64);
    cfg.source_file = Some(file!());
    let mut runner = TestRunner::new(cfg);
    let started = std::time::Instant::now();
    let result = runner.run(&session(), |s| {
        let mut bench = bench.borrow_mut();
        let mut app = app(&db, &prints, &s);
        let (w, h) = s.size;
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for k in &s.keys {
            app.handle_key(*k);
            app.tick();
            term.draw(|f| app.draw(f)).unwrap();
            if app.quit {
                // The desk closed: start it again where a clerk would, on the same database.
                drop(app);
                app = self::app(&db, &prints, &s);
            }
        }
        drop(app);
        if !bench.wrote() {
            prop_assert!(bench.unchanged(false));
            return Ok(());
        }
        let broken = bench.newly_broken();
        // The next session starts on the demo again, so that a failure shrinks to its keys.
        bench.restore();
        prop_assert!(broken.is_empty(), "{broken:?}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("tui keys: {e}");
    }
    let n = cases(64);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "hostile tui_keys: {n} cases in {secs:.1} s ({:.1}/s); {} of them wrote to the database",
        f64::from(n) / secs,
        bench.borrow().restored
    );
}
