//! The terminal interface: set the terminal up, run the event loop, and put the terminal back
//! exactly as it was — on quit, on an error, on a panic, and on SIGTERM/SIGHUP.

pub mod app;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod widgets;

use crate::cli::{Context, Failure};
use app::{App, Clock};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// SIGTERM, SIGHUP and SIGINT ask the event loop to stop; it looks at least every half second
/// and restores the terminal on the way out. But once the terminal is gone (a closed window, a
/// dropped SSH session: SIGHUP) crossterm 0.29 never returns from `event::poll`: it re-reads the
/// dead tty forever at full CPU (crossterm-rs/crossterm#793). So if the loop has not ended two
/// seconds after the signal, leave without it. The database is safe: every change is one
/// transaction.
fn watch_signals(stop: Arc<AtomicBool>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            stop.store(true, Ordering::Relaxed);
            std::thread::sleep(Duration::from_secs(2));
            restore_terminal();
            std::process::exit(128 + sig);
        }
    });
    Ok(())
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

    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(Arc::clone(&stop)).map_err(|e| Failure::Setup(e.to_string()))?;
    install_panic_hook();
    let _guard = TerminalGuard::new().map_err(|e| Failure::Setup(e.to_string()))?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
        .map_err(|e| Failure::Setup(e.to_string()))?;
    terminal
        .clear()
        .map_err(|e| Failure::Setup(e.to_string()))?;
    event_loop(&mut terminal, &mut app, &stop).map_err(|e| Failure::Setup(e.to_string()))
}

/// Draw only when something changed: a key, a resize, or the minute on the clock.
fn event_loop<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
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
            execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
            terminal.draw(|f| app.draw(f))?;
            execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
            dirty = false;
        }
        if event::poll(Duration::from_millis(500))? {
            // Take everything already typed before drawing again.
            loop {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => app.handle_key(k),
                    Event::Resize(_, _) => {}
                    _ => {}
                }
                dirty = true;
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else {
            let now = app.clock.now().format("%H:%M").to_string();
            if now != minute {
                minute = now;
                dirty = true;
            }
        }
    }
}
