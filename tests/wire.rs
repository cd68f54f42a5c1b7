//! Bytes on the wire at 80x24, on a database built by the demo builder and the real App driven
//! by key events, drawn as the event loop draws (synchronized updates, the scrolling backend).
//! Bytes are deterministic, so the budgets are asserted; and every frame's bytes are played
//! on a small VT100 screen model that must then show what the App drew, so that saving bytes
//! (moving rows with a scrolling region) never leaves the screen wrong.

use chrono::{NaiveDate, NaiveTime};
use coopdesk::cli::bench_ui::WIRE_TYPING;
use coopdesk::cli::demo::{DemoSpec, build};
use coopdesk::config::Security;
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use coopdesk::tui::wire::{
    self, IDLE_BUDGET, KEY_BUDGET, REPAINT_BUDGET, SETTLE_BUDGET, WireFigure,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A demo database big enough for the journal to scroll, an App on it (not logged in) and
/// who the session acts as.
fn demo_app(dir: &tempfile::TempDir) -> (App, coopdesk::store::Actor) {
    let rules = Rules::builtin();
    let path = dir.path().join("wire.db");
    let mut store = Store::open(&path).unwrap();
    build(
        &mut store,
        &rules,
        &DemoSpec::new(today(), 400, 200, 3),
        &mut |_, _| {},
    )
    .unwrap();
    let actor = wire::session_actor(&store).unwrap();
    let clock = Clock {
        today: today(),
        fixed: NaiveTime::from_hms_opt(12, 0, 0),
    };
    let mut app = App::new(
        Store::open(&path).unwrap(),
        rules,
        Catalog::builtin("ru"),
        Theme::new(false, false),
        clock,
        Security::default(),
    );
    app.set_demo_hint();
    (app, actor)
}

/// The characters of a VT100 screen fed the bytes crossterm and the scrolling backend send:
/// cursor positioning, erase, scrolling regions, line feed and reverse index. Colours and
/// modes are read and ignored; anything else is a failure (the model must know all we send).
struct Screen {
    w: usize,
    h: usize,
    cells: Vec<Vec<String>>,
    x: usize,
    y: usize,
    top: usize,
    bottom: usize,
}

impl Screen {
    fn new(w: usize, h: usize) -> Screen {
        Screen {
            w,
            h,
            cells: vec![vec![" ".to_string(); w]; h],
            x: 0,
            y: 0,
            top: 0,
            bottom: h - 1,
        }
    }

    fn scroll_up(&mut self) {
        self.cells.remove(self.top);
        self.cells
            .insert(self.bottom, vec![" ".to_string(); self.w]);
    }

    fn scroll_down(&mut self) {
        self.cells.remove(self.bottom);
        self.cells.insert(self.top, vec![" ".to_string(); self.w]);
    }

    fn feed(&mut self, bytes: &[u8]) {
        let text = std::str::from_utf8(bytes).expect("UTF-8 on the wire");
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        let fin = loop {
                            let c = chars.next().expect("a complete escape sequence");
                            if c.is_ascii_alphabetic() {
                                break c;
                            }
                            params.push(c);
                        };
                        let nums: Vec<usize> = params
                            .trim_start_matches('?')
                            .split(';')
                            .map(|n| n.parse().unwrap_or(0))
                            .collect();
                        match (fin, params.starts_with('?')) {
                            ('H', false) => {
                                self.y = nums[0].max(1) - 1;
                                self.x = nums.get(1).copied().unwrap_or(1).max(1) - 1;
                            }
                            ('C', false) => {
                                assert!(self.x < self.w, "forward from the right margin");
                                self.x = (self.x + nums[0].max(1)).min(self.w - 1);
                            }
                            ('r', false) => {
                                if params.is_empty() {
                                    (self.top, self.bottom) = (0, self.h - 1);
                                } else {
                                    (self.top, self.bottom) = (nums[0] - 1, nums[1] - 1);
                                }
                                (self.x, self.y) = (0, 0);
                            }
                            ('J', false) if nums == [2] => {
                                self.cells = vec![vec![" ".to_string(); self.w]; self.h];
                            }
                            ('K', false) if params.is_empty() => {
                                for x in self.x.min(self.w)..self.w {
                                    self.cells[self.y][x] = " ".to_string();
                                }
                            }
                            ('m', false) | ('h', true) | ('l', true) => {}
                            other => panic!("unexpected escape sequence {params}{other:?}"),
                        }
                    }
                    Some('M') => {
                        if self.y == self.top {
                            self.scroll_down();
                        } else {
                            self.y = self.y.saturating_sub(1);
                        }
                    }
                    other => panic!("unexpected escape {other:?}"),
                },
                '\n' => {
                    if self.y == self.bottom {
                        self.scroll_up();
                    } else {
                        self.y = (self.y + 1).min(self.h - 1);
                    }
                }
                '\r' => self.x = 0,
                c if c.is_control() => panic!("unexpected control {c:?}"),
                c => {
                    if self.x < self.w {
                        self.cells[self.y][self.x] = c.to_string();
                    }
                    self.x += 1;
                }
            }
        }
    }

    fn rows(&self) -> Vec<String> {
        self.cells.iter().map(|r| r.concat()).collect()
    }
}

/// The App's screen drawn on its own, cell by cell.
fn drawn(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

fn report(figures: &[WireFigure]) -> String {
    figures
        .iter()
        .map(|f| {
            format!(
                "{:<28} max {:>5} ≤ {:>5}  {:?}",
                f.name,
                f.max(),
                f.budget,
                f.bytes
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_key_and_repaint_keeps_its_byte_budget_and_the_screen_right() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, actor) = demo_app(&dir);
    let mut screen = Screen::new(80, 24);
    let mut frames = 0;
    let mut scrolled = 0;
    let figures = wire::session(&mut app, actor, 80, 24, &WIRE_TYPING, &mut |app, bytes| {
        frames += 1;
        // A scrolling region set and reset: rows moved by the terminal.
        if bytes.windows(3).any(|w| w == b"\x1b[r") {
            scrolled += 1;
        }
        screen.feed(bytes);
        let want = drawn(app, 80, 24);
        assert_eq!(
            screen.rows(),
            want,
            "frame {frames}: the terminal would not show what was drawn; sent: {}",
            String::from_utf8_lossy(bytes).replace('\x1b', "\\x1b")
        );
    })
    .unwrap();
    let table = report(&figures);
    println!("{table}");
    // Every kind of step was measured, as many times as the session takes it.
    let count = |name: &str| {
        figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.bytes.len())
            .unwrap_or(0)
    };
    for (name, n) in [
        ("repaint.login", 1),
        ("repaint.queue", 1),
        ("idle_frame", 1),
        ("journal.cursor_down", 30),
        ("journal.cursor_up", 30),
        ("switch_pane", 5),
        ("repaint.members", 1),
        ("repaint.client_base", 1),
        ("client_base.cursor_down", 10),
        ("repaint.members_found", 1),
        ("members.cursor_down", 10),
    ] {
        assert_eq!(count(name), n, "{name}\n{table}");
    }
    let letters: usize = WIRE_TYPING.iter().map(|t| t.chars().count()).sum();
    assert_eq!(count("members.typed_letter"), letters, "{table}");
    assert_eq!(count("members.letter_echo"), letters, "{table}");
    assert_eq!(count("members.letter_then_pause"), letters, "{table}");
    // One list per pause in typing, not one per letter.
    assert_eq!(
        count("members.results_settled"),
        WIRE_TYPING.len(),
        "{table}"
    );
    // The journal is longer than the screen: moving through it scrolled, by the terminal.
    assert!(scrolled >= 2, "no frame moved rows\n{table}");
    let figure = |name: &str| figures.iter().find(|f| f.name == name).unwrap();
    // Typed at a typist's pace, every letter keeps the key budget (a list sent with a letter
    // would not: debounce broken); the lists come when typing pauses, each a real list.
    assert!(
        figure("members.results_settled").max() > figure("members.typed_letter").max(),
        "the list comes with the pause, not with the letters\n{table}"
    );
    // One letter then a pause shows what a letter can cost at worst: its list.
    assert!(
        figure("members.letter_then_pause").max() > KEY_BUDGET,
        "{table}"
    );
    for f in &figures {
        let budget = match f.name.as_str() {
            "idle_frame" => IDLE_BUDGET,
            n if n.starts_with("repaint.") || n == "switch_pane" => REPAINT_BUDGET,
            "members.results_settled" | "members.letter_then_pause" => SETTLE_BUDGET,
            _ => KEY_BUDGET,
        };
        assert_eq!(f.budget, budget, "{}", f.name);
        assert!(
            f.max() <= f.budget,
            "{} sends {} bytes, over its budget of {}\n{table}",
            f.name,
            f.max(),
            f.budget
        );
    }
}

#[test]
fn the_budget_catches_a_list_sent_with_every_letter() {
    // Without the settle interval (`search_settle_ms = 0`) every letter brings its list: the
    // per-letter figure must then break the key budget, or the test above proves nothing.
    let dir = tempfile::tempdir().unwrap();
    let (mut app, actor) = demo_app(&dir);
    app.members.settle = std::time::Duration::ZERO;
    let figures = wire::session(&mut app, actor, 80, 24, &WIRE_TYPING, &mut |_, _| {}).unwrap();
    let typed = figures
        .iter()
        .find(|f| f.name == "members.typed_letter")
        .unwrap();
    assert!(typed.max() > KEY_BUDGET, "{}", report(&figures));
}
