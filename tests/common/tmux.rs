//! Driving the real binary in tmux at 80×24: one server per test on its own socket (killed
//! when dropped, also when the test fails), sessions typed at with `send-keys` and read with
//! `capture-pane`. Nothing is asserted after a fixed sleep: every wait polls the screen every
//! 50 ms for what it expects (5 s at most, or `COOPDESK_E2E_TIMEOUT_SECS`) and fails showing
//! the last screen. Without tmux a test fails, unless `COOPDESK_SKIP_TMUX=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const POLL: Duration = Duration::from_millis(50);

pub fn timeout() -> Duration {
    let secs = std::env::var("COOPDESK_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(secs)
}

/// Is tmux there? Missing tmux fails the test, unless the person running the tests said to skip.
pub fn available() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    if std::env::var("COOPDESK_SKIP_TMUX").as_deref() == Ok("1") {
        eprintln!("tmux not found: end-to-end test skipped (COOPDESK_SKIP_TMUX=1)");
        return false;
    }
    panic!(
        "tmux not found: the end-to-end tests need it (install tmux, \
         or set COOPDESK_SKIP_TMUX=1 to skip them)"
    );
}

/// A desk's environment under `home`: its own home folder and XDG config and data folders, so
/// that nothing of the machine's user is read or written.
pub fn desk_env(home: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HOME", home.to_path_buf()),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_DATA_HOME", home.join("data")),
    ]
}

/// Quote for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The first line of `screen` holding every part.
pub fn line_with<'s>(screen: &'s str, parts: &[&str]) -> Option<&'s str> {
    screen.lines().find(|l| parts.iter().all(|p| l.contains(p)))
}

/// One tmux server on its own socket; killed when dropped, whichever way the test ends.
pub struct Tmux {
    socket: String,
    /// Where tmux put the socket file, once the server runs; tmux leaves it behind.
    socket_path: OnceLock<String>,
}

impl Tmux {
    pub fn new(test: &str) -> Tmux {
        static N: AtomicU32 = AtomicU32::new(0);
        Tmux {
            socket: format!(
                "coopdesk-e2e-{}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed),
                test
            ),
            socket_path: OnceLock::new(),
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .env_remove("TMUX")
            .stdin(Stdio::null());
        c
    }

    /// Run a tmux command; its standard output.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"));
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Start a detached session `name` running `command` (through `sh`) at 80×24.
    pub fn new_session(&self, name: &str, command: &str) -> Pane<'_> {
        self.new_session_with_env(name, command, &[])
    }

    /// [`Tmux::new_session`] with these variables set in the session (a desk's own home and
    /// XDG folders, see [`desk_env`]).
    pub fn new_session_with_env(
        &self,
        name: &str,
        command: &str,
        env: &[(&str, PathBuf)],
    ) -> Pane<'_> {
        let vars: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}={}", v.display()))
            .collect();
        let mut args = vec!["new-session", "-d", "-s", name, "-x", "80", "-y", "24"];
        for v in &vars {
            args.push("-e");
            args.push(v);
        }
        args.push(command);
        self.run(&args);
        if self.socket_path.get().is_none() {
            let path = self.run(&["display-message", "-p", "#{socket_path}"]);
            let path = path.trim();
            if path.ends_with(&self.socket) {
                let _ = self.socket_path.set(path.to_string());
            }
        }
        self.pane(name)
    }

    /// A session already started.
    pub fn pane(&self, name: &str) -> Pane<'_> {
        Pane {
            tmux: self,
            target: format!("={name}:"),
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .command()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(p) = self.socket_path.get() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The login screen's title in the desks' language (Russian, the default).
fn login_title() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        coopdesk::i18n::Catalog::builtin("ru")
            .t("login.title")
            .to_string()
    })
}

/// One tmux session.
pub struct Pane<'a> {
    pub tmux: &'a Tmux,
    /// `=name:`, exactly that session.
    pub target: String,
}

impl Pane<'_> {
    pub fn screen(&self) -> String {
        self.tmux.run(&["capture-pane", "-p", "-t", &self.target])
    }

    /// The screen with its SGR attributes.
    pub fn screen_with_attributes(&self) -> String {
        self.tmux
            .run(&["capture-pane", "-p", "-e", "-t", &self.target])
    }

    /// A tmux format for this pane, e.g. `#{alternate_on}`.
    pub fn format(&self, f: &str) -> String {
        self.tmux
            .run(&["display-message", "-p", "-t", &self.target, f])
            .trim()
            .to_string()
    }

    /// Keys by tmux name: `Enter`, `Tab`, `Right`, `PageDown`, `F2`, `s`…
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.target];
        args.extend_from_slice(keys);
        self.tmux.run(&args);
    }

    /// Text typed as it is.
    pub fn type_text(&self, text: &str) {
        self.tmux
            .run(&["send-keys", "-t", &self.target, "-l", text]);
    }

    /// Poll the screen until `ok` holds; the screen then. On timeout, fail showing the screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let limit = timeout();
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > limit {
                panic!(
                    "waited {:.1} s for {what}; the screen was:\n{}\n{screen}{}",
                    start.elapsed().as_secs_f32(),
                    "-".repeat(80),
                    "-".repeat(80)
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Log in on the login screen: wait for it, type the login, Tab, the password, Enter.
    /// What comes next (the journal, a refusal) is the caller's to wait for.
    pub fn log_in(&self, login: &str, password: &str) {
        self.wait_for(login_title());
        self.type_text(login);
        self.keys(&["Tab"]);
        self.type_text(password);
        self.keys(&["Enter"]);
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("«{text}»"), |s| s.contains(text))
    }

    /// Wait for `text` to leave the screen.
    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("«{text}» to go"), |s| !s.contains(text))
    }

    /// Wait for one line holding every part.
    pub fn wait_line(&self, parts: &[&str]) -> String {
        self.wait_until(&format!("a line with {parts:?}"), |s| {
            line_with(s, parts).is_some()
        })
    }
}
