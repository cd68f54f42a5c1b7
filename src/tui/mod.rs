//! The terminal interface: set the terminal up, run the event loop, and put the terminal back
//! exactly as it was — on quit, on an error, on a panic, and on SIGTERM/SIGHUP.

pub mod app;
pub mod drafts;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod widgets;
pub mod wire;

use crate::cli::{Context, Failure};
use app::{App, Clock};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::terminal::{
    self, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Undo every terminal mode we turned on. Safe to call more than once, and when only some
/// of the modes were turned on.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped, whichever way the interface ends.
struct TerminalGuard;

impl TerminalGuard {
    fn new() -> io::Result<TerminalGuard> {
        // The guard exists before the first mode is switched on, so a failure half-way still
        // restores what was done.
        let guard = TerminalGuard;
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

pub fn run(ctx: &Context) -> Result<(), Failure> {
    // Everything that can fail without a terminal is done before touching it.
    let store = ctx.open_store()?;
    if !store
        .is_initialised()
        .map_err(|e| Failure::from_store(e, &ctx.catalog))?
    {
        return Err(Failure::Setup(ctx.catalog.t("login.no_staff").to_string()));
    }
    // The day's first start keeps a copy of the database, quietly (the clerk has work to do);
    // a failure is said on screen, never fatal.
    let backup_note = match crate::cli::backup::daily(ctx, &store) {
        Ok(_) => None,
        Err(e) => Some(ctx.catalog.f("backup.daily_failed", &[("detail", &e)])),
    };
    let theme = theme::Theme::new(ctx.mono, ctx.ascii);
    let clock = Clock {
        today: ctx.today,
        fixed: None,
    };
    let mut app = App::new(
        store,
        ctx.rules.clone(),
        ctx.catalog.clone(),
        theme,
        clock,
        ctx.config.security.clone(),
    );
    app.drafts_dir = Some(drafts::dir_for(&ctx.db_path));
    app.print = crate::cli::print::settings(ctx);
    app.members.full_access = ctx.config.privacy.roles();
    app.members.settle = ctx.config.ui.search_settle();
    app.set_demo_hint();
    if let Some(m) = backup_note {
        app.error(m);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let latest = Arc::new(Mutex::new(Vec::new()));
    app.draft_snapshot = Some(Arc::clone(&latest));
    watchdog(
        Arc::clone(&stop),
        Arc::clone(&finished),
        latest,
        app.drafts_dir.clone(),
    )?;
    install_panic_hook();
    let _guard = TerminalGuard::new().map_err(|e| Failure::Setup(e.to_string()))?;
    let mut terminal = Terminal::new(wire::Scrolling::new(CrosstermBackend::new(io::stdout())))
        .map_err(|e| Failure::Setup(e.to_string()))?;
    terminal
        .clear()
        .map_err(|e| Failure::Setup(e.to_string()))?;
    let result = event_loop(&mut terminal, &mut app, &stop);
    if !app.quit {
        // A signal, or the terminal went away (an SSH link dropped): keep what was typed.
        app.save_drafts();
    }
    finished.store(true, Ordering::SeqCst);
    result.map_err(|e| Failure::Setup(e.to_string()))
}

/// Watches for SIGTERM/SIGHUP/SIGINT and for the terminal hanging up. The event loop is asked
/// to stop; if it cannot (a hung-up terminal can keep the input reader spinning), this thread
/// writes the last snapshot of unsaved dialogs, restores the terminal and ends the process.
fn watchdog(
    stop: Arc<AtomicBool>,
    finished: Arc<AtomicBool>,
    latest: Arc<Mutex<Vec<drafts::Draft>>>,
    dir: Option<std::path::PathBuf>,
) -> Result<(), Failure> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])
        .map_err(|e| Failure::Setup(e.to_string()))?;
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            loop {
                let signal = signals.pending().next();
                if signal.is_some() || tty_hung_up() {
                    stop.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(700));
                    if finished.load(Ordering::SeqCst) {
                        return;
                    }
                    if let (Some(dir), Ok(drafts)) = (&dir, latest.lock()) {
                        for d in drafts.iter() {
                            let _ = drafts::save(dir, d);
                        }
                    }
                    restore_terminal();
                    std::process::exit(128 + signal.unwrap_or(SIGHUP));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        })
        .map_err(|e| Failure::Setup(e.to_string()))?;
    Ok(())
}

/// True when the terminal on standard input has hung up (the SSH link or the terminal
/// emulator went away).
fn tty_hung_up() -> bool {
    let mut fds = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout; poll only writes `revents`.
    let n = unsafe { libc::poll(&mut fds, 1, 0) };
    n > 0 && fds.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

fn terminal_alive() -> bool {
    terminal::size().is_ok_and(|(w, h)| w > 0 && h > 0)
}

/// Draw only when something changed: a key, a resize, or the minute on the clock.
fn event_loop<B: ratatui::backend::Backend<Error = io::Error> + Write>(
    terminal: &mut Terminal<wire::Scrolling<B>>,
    app: &mut App,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut dirty = true;
    let mut minute = app.clock.now().format("%H:%M").to_string();
    loop {
        if stop.load(Ordering::Relaxed) || app.quit {
            return Ok(());
        }
        if dirty {
            wire::frame(terminal, app)?;
            dirty = false;
        }
        if event::poll(app.poll_interval())? {
            // Take what is already typed (a burst of keys, a paste) before drawing again,
            // but never loop on input without looking at the stop flag.
            for _ in 0..256 {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => app.handle_key(k),
                    Event::Resize(_, _) => {}
                    _ => {}
                }
                dirty = true;
                if app.quit || stop.load(Ordering::Relaxed) || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            // A terminal that went away (the SSH link dropped without a SIGHUP reaching us)
            // reads as endless end-of-file; its size can no longer be asked.
            if !terminal_alive() {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the terminal is gone",
                ));
            }
            let now = app.clock.now().format("%H:%M").to_string();
            if now != minute {
                minute = now;
                dirty = true;
            }
        }
        if app.tick() {
            dirty = true;
        }
    }
}
