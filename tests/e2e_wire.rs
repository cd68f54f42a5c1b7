//! End to end, the drawing that saves bytes: the real binary on a demo database in a tmux pane
//! of 80×24. The journal is scrolled row by row (the terminal moves the rows, the app sends
//! only the new one) and the member results are typed and moved through; after each, the
//! screen must be exactly what a full repaint draws (forced by a resize), colours included.
//! Helpers follow `e2e_tmux.rs` (own tmux server per test, every step waits for its text, 5 s
//! at most or `COOPDESK_E2E_TIMEOUT_SECS`; `COOPDESK_SKIP_TMUX=1` skips when tmux is missing).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-23";

fn timeout() -> Duration {
    let secs = std::env::var("COOPDESK_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(secs)
}

fn tmux_available() -> bool {
    if Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    if std::env::var("COOPDESK_SKIP_TMUX").as_deref() == Ok("1") {
        eprintln!("tmux not found: end-to-end test skipped (COOPDESK_SKIP_TMUX=1)");
        return false;
    }
    panic!("tmux not found: install tmux, or set COOPDESK_SKIP_TMUX=1 to skip");
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen with its colours and attributes.
    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-e", "-t", "=desk:"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "=desk:"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > timeout() {
                panic!("waited for {what}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The screen once it holds `text` and has stopped changing.
    fn settled(&self, text: &str) -> String {
        let mut last = self.wait_until(&format!("«{text}»"), |s| s.contains(text));
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.screen();
            if now == last {
                return now;
            }
            last = now;
        }
    }

    /// What a full repaint draws: the window resized and back (the app clears the screen and
    /// draws every cell on a resize).
    fn repainted(&self, text: &str) -> String {
        let before = self.screen();
        self.run(&["resize-window", "-t", "=desk:", "-x", "81", "-y", "24"]);
        self.wait_until("the wider window drawn", |s| s != before);
        std::thread::sleep(Duration::from_millis(300));
        self.run(&["resize-window", "-t", "=desk:", "-x", "80", "-y", "24"]);
        self.settled(text)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn coopdesk(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
        .args(args)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .output()
        .expect("run coopdesk");
    assert!(out.status.success(), "coopdesk {args:?}: {out:?}");
}

/// What a `capture-pane -e` screen looks like, cell by cell: the character, its background,
/// its colour (not for spaces, where it cannot be seen) and its attributes. tmux writes the
/// attribute changes where it likes (after the last character of a line or before the first
/// of the next, depending on which cells were written), so the text itself is not compared.
fn cells(capture: &str) -> Vec<Vec<String>> {
    let (mut fg, mut bg, mut attrs) = (String::new(), String::new(), Vec::<u32>::new());
    let mut rows = Vec::new();
    for line in capture.lines() {
        let mut row = Vec::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' && chars.peek() == Some(&'[') {
                chars.next();
                let mut params = String::new();
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                    params.push(c);
                }
                let nums: Vec<u32> = params.split(';').map(|n| n.parse().unwrap_or(0)).collect();
                let mut i = 0;
                while i < nums.len() {
                    match nums[i] {
                        0 => (fg, bg, attrs) = (String::new(), String::new(), vec![]),
                        38 | 48 => {
                            let colour = nums[i..(i + 3).min(nums.len())]
                                .iter()
                                .map(|n| n.to_string())
                                .collect::<Vec<_>>()
                                .join(":");
                            if nums[i] == 38 {
                                fg = colour;
                            } else {
                                bg = colour;
                            }
                            i += 2;
                        }
                        39 => fg.clear(),
                        49 => bg.clear(),
                        22 => attrs.retain(|a| *a != 1 && *a != 2),
                        n @ 23..=29 => attrs.retain(|a| *a != n - 20),
                        n => {
                            if !attrs.contains(&n) {
                                attrs.push(n);
                                attrs.sort();
                            }
                        }
                    }
                    i += 1;
                }
                continue;
            }
            let seen_fg = if c == ' ' { "" } else { fg.as_str() };
            row.push(format!("{c}|{seen_fg}|{bg}|{attrs:?}"));
        }
        // Spaces at the end of a line in the terminal's own colours are not there to see.
        while row.last().is_some_and(|c| c == " |||[]") {
            row.pop();
        }
        rows.push(row);
    }
    rows
}

fn assert_same(what: &str, moved: &str, repainted: &str) {
    let (a, b) = (cells(moved), cells(repainted));
    if a == b {
        return;
    }
    let differ: Vec<String> = moved
        .lines()
        .zip(repainted.lines())
        .enumerate()
        .filter(|(i, _)| a.get(*i) != b.get(*i))
        .map(|(i, (a, b))| format!("row {i}:\n  sent:      {a:?}\n  repainted: {b:?}"))
        .collect();
    panic!(
        "{what}: the screen differs from a full repaint\n{}\n--- as sent ---\n{moved}",
        differ.join("\n")
    );
}

#[test]
fn scrolled_lists_show_what_a_full_repaint_shows() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    let db_s = db.to_str().unwrap();
    coopdesk(
        dir.path(),
        &[
            "--db",
            db_s,
            "--today",
            TODAY,
            "demo",
            "--no-tui",
            "--members",
            "400",
            "--applications",
            "200",
        ],
    );
    let login = {
        let store = coopdesk::store::Store::open(&db).unwrap();
        coopdesk::tui::wire::session_actor(&store).unwrap().login
    };
    let tmux = Tmux {
        socket: format!("coopdesk-e2e-wire-{}", std::process::id()),
    };
    let cmd = format!(
        "HOME={home} XDG_CONFIG_HOME={home}/config XDG_DATA_HOME={home}/data {bin} --db {db_s} --today {TODAY}; sleep 60",
        home = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_coopdesk"),
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "desk",
        "-x",
        "80",
        "-y",
        "24",
        "-e",
        "TERM=xterm-256color",
        &cmd,
    ]);
    tmux.wait_until("the login screen", |s| s.contains("coopdesk"));
    tmux.run(&["send-keys", "-t", "=desk:", "-l", &login]);
    tmux.keys(&["Tab"]);
    tmux.run(&[
        "send-keys",
        "-t",
        "=desk:",
        "-l",
        coopdesk::cli::demo::DEMO_PASSWORD,
    ]);
    tmux.keys(&["Enter"]);
    tmux.wait_until("the journal", |s| s.contains(&login));

    // Past the last row of the page, row by row, and back up past the first.
    let cat = coopdesk::i18n::Catalog::builtin("ru");
    let page_of = cat.t("ui.page_of");
    let of = page_of
        .split("{total}")
        .next()
        .unwrap()
        .rsplit('}')
        .next()
        .unwrap()
        .trim();
    for (key, n) in [("Down", 30), ("Up", 26)] {
        for _ in 0..n {
            tmux.keys(&[key]);
        }
        let moved = tmux.settled(of);
        assert_same(key, &moved, &tmux.repainted(of));
    }

    // The member search: a surname typed, the results moved through.
    tmux.keys(&["2"]);
    tmux.run(&["send-keys", "-t", "=desk:", "-l", "Ива"]);
    let found = cat.t("member.found");
    let found = found.split('{').next().unwrap_or(found).trim();
    for _ in 0..25 {
        tmux.keys(&["Down"]);
    }
    let moved = tmux.settled(found);
    assert_same("member results", &moved, &tmux.repainted(found));
}
