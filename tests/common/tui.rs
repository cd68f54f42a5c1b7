//! Driving the `App` as a person at the desk would, and drawing it with ratatui's TestBackend.

use coopdesk::store::staff::hash_password;
use coopdesk::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::OnceLock;

/// Every person in the screen tests has this password.
pub const PASSWORD: &str = "password1";

/// argon2 is slow on purpose: one hash of [`PASSWORD`] for every person in every test.
pub fn hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password(PASSWORD).unwrap())
}

pub fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, mods));
}

pub fn press(app: &mut App, code: KeyCode) {
    key(app, code, KeyModifiers::NONE);
}

pub fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Log in on the login screen; fails the test if it did not work.
pub fn login(app: &mut App, who: &str) {
    typ(app, who);
    press(app, KeyCode::Enter);
    typ(app, PASSWORD);
    press(app, KeyCode::Enter);
    assert!(app.actor.is_some(), "logged in as {who}");
}

/// The frame at `w`×`h` with its styles, for snapshots.
pub fn screen_at(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    format!("{:?}", t.backend().buffer())
}

/// The frame at 80×24 with its styles.
pub fn screen(app: &mut App) -> String {
    screen_at(app, 80, 24)
}

/// The text of the frame at 80×24.
pub fn text(app: &mut App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    t.backend().to_string()
}
