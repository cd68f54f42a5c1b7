//! What a frame costs on the wire, and sending less of it. The event loop draws every frame
//! through [`frame`] on a [`Scrolling`] backend over crossterm's; the bench and the
//! byte-budget test draw through the same function and the same backends into a [`Probe`],
//! whose crossterm backend writes into a byte counter instead of the terminal, so what is
//! counted is exactly what an SSH link would carry (escape sequences, the synchronized-update
//! brackets, the cursor moves), at a fixed terminal size.
//!
//! The screen model assumes one-column characters (Latin, Cyrillic, box drawing), which is
//! all the interface draws; a frame with any other character turns the economies off until
//! the screen is next cleared, so it can cost bytes but never a wrong screen.

use super::app::App;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::layout::{Position, Size};
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// Draw one frame as the event loop does: inside a synchronized update, so the terminal shows
/// it at once, never half-drawn.
pub fn frame<B>(terminal: &mut Terminal<B>, app: &mut App) -> io::Result<()>
where
    B: Backend<Error = io::Error> + Write,
{
    execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| app.draw(f))?;
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

/// A backend that knows what the terminal shows, so that a list that scrolled is moved by the
/// terminal itself (a scrolling region and a line feed: a few bytes) instead of being sent
/// again row by row. ratatui sends only the cells that changed since the last frame; when
/// many rows changed because a band of rows moved up or down, this sends the move and then
/// only what is still different.
pub struct Scrolling<B> {
    inner: B,
    /// What the terminal shows; `None` when not known (before the first clear of the screen).
    shown: Option<Buffer>,
    /// The screen was just cleared: nothing on it to move.
    blank: bool,
}

impl<B> Scrolling<B> {
    pub fn new(inner: B) -> Scrolling<B> {
        Scrolling {
            inner,
            shown: None,
            blank: false,
        }
    }

    pub fn inner_mut(&mut self) -> &mut B {
        &mut self.inner
    }

    /// What the terminal shows, as far as this backend knows.
    pub fn shown(&self) -> Option<&Buffer> {
        self.shown.as_ref()
    }
}

impl<B: Write> Write for Scrolling<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<B> Backend for Scrolling<B>
where
    B: Backend<Error = io::Error> + Write,
{
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let Some(shown) = &mut self.shown else {
            return self.inner.draw(content);
        };
        let updates: Vec<(u16, u16, &Cell)> = content.collect();
        let area = shown.area;
        if updates
            .iter()
            .any(|(x, y, c)| !area.contains(Position::new(*x, *y)) || !narrow(c))
        {
            // Not the screen we know, or a character wider than a column: nothing clever.
            self.shown = None;
            return self.inner.draw(updates.into_iter());
        }
        let w = area.width as usize;
        // Enough rows changed for a move of rows to pay: keep the screen as it was.
        let old = (updates.len() >= MIN_GAIN * w && !self.blank).then(|| shown.clone());
        self.blank = false;
        for (x, y, c) in &updates {
            shown.content[*y as usize * w + *x as usize] = (*c).clone();
        }
        let mut send: Vec<(u16, u16)> = updates.iter().map(|(x, y, _)| (*x, *y)).collect();
        drop(updates);
        if let Some(mut old) = old {
            // A list that narrowed (a letter typed into a search) lost rows in several
            // places: each move closes one gap, and the next is looked for on the screen as
            // the terminal will show it after the moves so far.
            let mut moved = false;
            for _ in 0..MAX_MOVES {
                let Some(scroll) = find_scroll(&old, shown) else {
                    break;
                };
                scroll.write(&mut self.inner)?;
                old = scroll.apply(&old);
                moved = true;
            }
            if moved {
                send = old
                    .diff(shown)
                    .into_iter()
                    .map(|(x, y, _)| (x, y))
                    .collect();
            }
        }
        let send = economise(&mut self.inner, shown, send)?;
        self.inner
            .draw(send.into_iter().map(|(x, y)| (x, y, &shown[(x, y)])))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.shown = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        let size = self.inner.size().ok();
        match (clear_type, size, &mut self.shown) {
            // The whole screen blank, at the size it has now.
            (ClearType::All, Some(s), Some(shown))
                if shown.area == ratatui::layout::Rect::new(0, 0, s.width, s.height) =>
            {
                shown.reset();
            }
            (ClearType::All, Some(s), _) => {
                self.shown = Some(Buffer::empty(ratatui::layout::Rect::new(
                    0, 0, s.width, s.height,
                )));
            }
            _ => self.shown = None,
        }
        self.blank = self.shown.is_some();
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// Fewer bytes for the same cells: where a row ends blank, one "erase to the end of the line"
/// instead of the blanks one by one; between two changed cells of a row, the unchanged ones
/// between them sent again when that is shorter than moving the cursor over them. `screen` is
/// the new screen, `send` the cells that differ from what the terminal shows (row by row, left
/// to right); returns the cells still to send. The attributes are reset when this runs (every
/// frame ends with a reset).
fn economise(
    out: &mut impl Write,
    screen: &Buffer,
    send: Vec<(u16, u16)>,
) -> io::Result<Vec<(u16, u16)>> {
    let w = screen.area.width as usize;
    let cell = |x: u16, y: u16| &screen.content[y as usize * w + x as usize];
    let mut kept = Vec::with_capacity(send.len());
    let mut i = 0;
    while i < send.len() {
        let y = send[i].1;
        let mut j = i;
        while j < send.len() && send[j].1 == y {
            j += 1;
        }
        let row = &send[i..j];
        // Where the row's blank tail starts.
        let mut tail = w;
        while tail > 0 && is_blank(cell(tail as u16 - 1, y)) {
            tail -= 1;
        }
        let in_tail = row.iter().filter(|(x, _)| *x as usize >= tail).count();
        let row: &[(u16, u16)] = if in_tail >= ERASE_MIN {
            write!(out, "\x1b[0m\x1b[{};{}H\x1b[K", y + 1, tail + 1)?;
            &row[..row.len() - in_tail]
        } else {
            row
        };
        for (k, &(x, y)) in row.iter().enumerate() {
            if k > 0 && row[k - 1].0 + 1 < x {
                let (px, _) = row[k - 1];
                let gap = px + 1..x;
                // `ESC [ row ; col H`
                let jump = 4 + digits(y + 1) + digits(x + 1);
                let before = cell(px, y);
                let same = |c: &Cell| {
                    narrow(c)
                        && c.fg == before.fg
                        && c.bg == before.bg
                        && c.modifier == before.modifier
                        && c.underline_color == before.underline_color
                };
                if narrow(before)
                    && gap.clone().all(|gx| same(cell(gx, y)))
                    && gap
                        .clone()
                        .map(|gx| cell(gx, y).symbol().len())
                        .sum::<usize>()
                        <= jump
                {
                    kept.extend(gap.map(|gx| (gx, y)));
                }
            }
            kept.push((x, y));
        }
        i = j;
    }
    Ok(kept)
}

fn digits(n: u16) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

/// Changed cells in a blank row end before erasing the end of the line pays.
const ERASE_MIN: usize = 4;

/// A cell exactly as "erase to the end of the line" leaves it (after an attribute reset): a
/// space in the terminal's own colours, no attributes.
fn is_blank(c: &Cell) -> bool {
    use ratatui::style::{Color, Modifier};
    c.symbol() == " "
        && c.fg == Color::Reset
        && c.bg == Color::Reset
        && c.underline_color == Color::Reset
        && c.modifier == Modifier::empty()
        && c.diff_option == CellDiffOption::None
}

/// One column wide, so re-sending it keeps the columns where they are.
fn narrow(c: &Cell) -> bool {
    c.diff_option == CellDiffOption::None && c.cell_width() == 1
}

/// Rows `top..=bottom` of the screen moved up (or down) by `by` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scroll {
    top: usize,
    bottom: usize,
    by: usize,
    up: bool,
}

/// The longest a list is expected to move at once (a cursor move, a few rows of a page).
const MAX_SHIFT: usize = 3;

/// The most moves of rows in one frame (each costs about 20 bytes; a row sent costs up to a
/// hundred).
const MAX_MOVES: usize = 6;
/// Rows a scroll must save before it is worth its own escape sequences.
const MIN_GAIN: usize = 2;

/// Whether `new` shows a band of `shown` moved up or down by a few rows, and which move
/// saves the most rows.
fn find_scroll(shown: &Buffer, new: &Buffer) -> Option<Scroll> {
    let w = shown.area.width as usize;
    let h = shown.area.height as usize;
    if w == 0 || h == 0 || shown.content.len() != w * h || new.content.len() != w * h {
        return None;
    }
    fn row(b: &Buffer, w: usize, y: usize) -> &[Cell] {
        &b.content[y * w..(y + 1) * w]
    }
    let row = |b, y| row(b, w, y);
    let same: Vec<bool> = (0..h).map(|y| row(shown, y) == row(new, y)).collect();
    if same.iter().filter(|s| !**s).count() < MIN_GAIN {
        return None;
    }
    let blank = |y: usize| row(new, y).iter().all(|c| *c == Cell::EMPTY);
    let mut best: Option<(usize, Scroll)> = None;
    for by in 1..=MAX_SHIFT.min(h - 1) {
        for up in [true, false] {
            // Row y of the new screen is row y ± by of the shown one.
            let matches = |y: usize| {
                if up {
                    y + by < h && row(new, y) == row(shown, y + by)
                } else {
                    y >= by && row(new, y) == row(shown, y - by)
                }
            };
            let mut y = 0;
            while y < h {
                if !matches(y) {
                    y += 1;
                    continue;
                }
                let start = y;
                while y < h && matches(y) {
                    y += 1;
                }
                let end = y - 1;
                let (scroll, vacated) = if up {
                    let s = Scroll {
                        top: start,
                        bottom: end + by,
                        by,
                        up,
                    };
                    (s, end + 1..=end + by)
                } else {
                    let s = Scroll {
                        top: start - by,
                        bottom: end,
                        by,
                        up,
                    };
                    (s, start - by..=start - 1)
                };
                let gain = (start..=end).filter(|y| !same[*y]).count();
                let loss = vacated.filter(|y| same[*y] && !blank(*y)).count();
                let score = gain.saturating_sub(loss);
                if score >= MIN_GAIN && best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, scroll));
                }
            }
        }
    }
    best.map(|(_, s)| s)
}

impl Scroll {
    /// The screen after the terminal moved the rows: the band shifted, the rows it left
    /// blank.
    fn apply(&self, shown: &Buffer) -> Buffer {
        let w = shown.area.width as usize;
        let mut out = shown.clone();
        let rows = self.top..=self.bottom;
        for y in rows {
            let from = if self.up {
                Some(y + self.by).filter(|f| *f <= self.bottom)
            } else {
                y.checked_sub(self.by).filter(|f| *f >= self.top)
            };
            for x in 0..w {
                out.content[y * w + x] = match from {
                    Some(f) => shown.content[f * w + x].clone(),
                    None => Cell::EMPTY,
                };
            }
        }
        out
    }

    /// Tell the terminal: a scrolling region over the band, line feeds at its bottom (or
    /// reverse line feeds at its top), the region reset. Plain VT100, understood everywhere.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let (top, bottom) = (self.top + 1, self.bottom + 1);
        write!(out, "\x1b[0m\x1b[{top};{bottom}r")?;
        if self.up {
            write!(out, "\x1b[{bottom};1H")?;
            for _ in 0..self.by {
                out.write_all(b"\n")?;
            }
        } else {
            write!(out, "\x1b[{top};1H")?;
            for _ in 0..self.by {
                out.write_all(b"\x1bM")?;
            }
        }
        out.write_all(b"\x1b[r")
    }
}

/// A writer that counts the bytes written to it and keeps those since the last
/// [`Counter::mark`] (for a look at what a frame sent). Clones share the same tally, so the
/// probe reads it while the terminal owns the writer.
#[derive(Clone, Default)]
pub struct Counter(Rc<RefCell<Tally>>);

#[derive(Default)]
struct Tally {
    total: u64,
    kept: Vec<u8>,
}

impl Counter {
    /// Every byte written so far.
    pub fn total(&self) -> u64 {
        self.0.borrow().total
    }

    /// Forget the kept bytes; returns the total so far.
    pub fn mark(&self) -> u64 {
        let mut t = self.0.borrow_mut();
        t.kept.clear();
        t.total
    }

    /// The bytes written since the last mark.
    pub fn kept(&self) -> Vec<u8> {
        self.0.borrow().kept.clone()
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut t = self.0.borrow_mut();
        t.total += buf.len() as u64;
        t.kept.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The crossterm backend of the real loop, with the terminal's size given instead of asked.
pub struct FixedSize<W: Write> {
    inner: CrosstermBackend<W>,
    size: Size,
    cursor: Position,
}

impl<W: Write> FixedSize<W> {
    pub fn new(writer: W, width: u16, height: u16) -> FixedSize<W> {
        FixedSize {
            inner: CrosstermBackend::new(writer),
            size: Size { width, height },
            cursor: Position::ORIGIN,
        }
    }

    /// A new terminal size, as a resize event brings.
    pub fn set_size(&mut self, width: u16, height: u16) {
        self.size = Size { width, height };
    }
}

impl<W: Write> Write for FixedSize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for FixedSize<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.cursor = position.into();
        self.inner.set_cursor_position(self.cursor)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// A terminal of a fixed size whose output is counted, driving a real [`App`].
pub struct Probe {
    pub terminal: Terminal<Scrolling<FixedSize<Counter>>>,
    counter: Counter,
}

impl Probe {
    pub fn new(width: u16, height: u16) -> io::Result<Probe> {
        let counter = Counter::default();
        Ok(Probe {
            terminal: Terminal::new(Scrolling::new(FixedSize::new(
                counter.clone(),
                width,
                height,
            )))?,
            counter,
        })
    }

    /// Bytes of one frame drawn as the event loop draws it (only what changed is sent).
    pub fn frame(&mut self, app: &mut App) -> io::Result<u64> {
        let start = self.counter.mark();
        frame(&mut self.terminal, app)?;
        Ok(self.counter.total() - start)
    }

    /// Bytes of a full repaint: the screen cleared and every cell drawn, as at start-up, after
    /// a resize, or when the terminal is asked to redraw everything.
    pub fn repaint(&mut self, app: &mut App) -> io::Result<u64> {
        let start = self.counter.mark();
        self.terminal.clear()?;
        frame(&mut self.terminal, app)?;
        Ok(self.counter.total() - start)
    }

    /// A new terminal size; the next frame repaints everything, as after a resize event.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal
            .backend_mut()
            .inner_mut()
            .set_size(width, height);
    }

    /// What the terminal shows after the last frame, as the backend knows it.
    pub fn shown(&self) -> Option<&Buffer> {
        self.terminal.backend().shown()
    }

    /// Every byte sent since the last frame or repaint began.
    pub fn sent(&self) -> Vec<u8> {
        self.counter.kept()
    }

    /// What the last frame or repaint sent, as text (escape sequences shown as `\x1b`).
    pub fn last_sent(&self) -> String {
        String::from_utf8_lossy(&self.counter.kept()).replace('\x1b', "\\x1b")
    }
}

/// At most this many bytes for a cursor move or a typed letter (issue 8).
pub const KEY_BUDGET: u64 = 1024;
/// At most this many bytes for a full repaint at 80x24, and for a switch of panes.
pub const REPAINT_BUDGET: u64 = 8 * 1024;
/// At most this many bytes for the member results shown when typing pauses (and for one
/// letter typed and then a pause): a new list of 18 rows is about 18 × 110 bytes at 80
/// columns in Cyrillic (two bytes a letter), which cannot fit the key budget; this holds it
/// to the list itself with some room for colours, under half the repaint budget.
pub const SETTLE_BUDGET: u64 = 3 * 1024;
/// A frame in which nothing changed: the synchronized-update brackets, the attribute reset
/// and the cursor, nothing else.
pub const IDLE_BUDGET: u64 = 64;

/// Bytes measured for one kind of step of a session, with its budget.
#[derive(Clone, Debug)]
pub struct WireFigure {
    pub name: String,
    /// One value per step (each cursor move, each typed letter…).
    pub bytes: Vec<u64>,
    pub budget: u64,
}

impl WireFigure {
    pub fn max(&self) -> u64 {
        self.bytes.iter().copied().max().unwrap_or(0)
    }
}

/// The short name of pane `i` (`queue`, `members`…).
pub fn pane_name(i: usize) -> &'static str {
    let key = super::app::PANES[i];
    key.strip_prefix("pane.").unwrap_or(key)
}

/// Who a measured session acts as: an office head (the widest journal and client base of one
/// office), else whoever holds the most roles.
pub fn session_actor(store: &crate::store::Store) -> crate::store::Result<crate::store::Actor> {
    let id: i64 = store.conn().query_row(
        "SELECT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id WHERE s.active = 1
         GROUP BY s.id ORDER BY MAX(r.role = 'head') DESC, COUNT(*) DESC, s.id LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    store.actor(id)
}

/// A session at `width`×`height` on a real [`App`] that is not logged in yet, driven by key
/// events and drawn as the event loop draws: the login screen, then logged in as `actor`:
/// cursor moves in the journal, every pane switched to and repainted, `typing` typed into the
/// member search, cursor moves in the results and in the client base. Reads only: nothing is
/// written to the database. `watch` is shown every frame's bytes, with the App that drew it.
///
/// Each text of `typing` is typed twice. First as a typist types: the letters closer together
/// than the settle interval (`app.members.settle`), each costing the frame that echoes it and
/// the frame drawn when its results come (and wait); then a pause, and the frame that shows
/// the results (`members.results_settled`). Then one letter at a time with a pause after each
/// (`members.letter_then_pause`: the echo and the new list), the worst case of a letter.
/// Time is held still: the instants of the keys are given, nothing sleeps.
pub fn session(
    app: &mut App,
    actor: crate::store::Actor,
    width: u16,
    height: u16,
    typing: &[&str],
    watch: &mut dyn FnMut(&mut App, &[u8]),
) -> io::Result<Vec<WireFigure>> {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key =
        |app: &mut App, code: KeyCode| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut out: Vec<WireFigure> = Vec::new();
    let mut add =
        |name: &str, bytes: u64, budget: u64| match out.iter_mut().find(|f| f.name == name) {
            Some(f) => f.bytes.push(bytes),
            None => out.push(WireFigure {
                name: name.to_string(),
                bytes: vec![bytes],
                budget,
            }),
        };
    let mut p = Probe::new(width, height)?;
    fn frame(
        p: &mut Probe,
        app: &mut App,
        watch: &mut dyn FnMut(&mut App, &[u8]),
    ) -> io::Result<u64> {
        let n = p.frame(app)?;
        watch(app, &p.sent());
        Ok(n)
    }
    fn repaint(
        p: &mut Probe,
        app: &mut App,
        watch: &mut dyn FnMut(&mut App, &[u8]),
    ) -> io::Result<u64> {
        let n = p.repaint(app)?;
        watch(app, &p.sent());
        Ok(n)
    }
    add(
        "repaint.login",
        repaint(&mut p, app, watch)?,
        REPAINT_BUDGET,
    );
    app.enter(actor);
    frame(&mut p, app, watch)?;
    add(
        "repaint.queue",
        repaint(&mut p, app, watch)?,
        REPAINT_BUDGET,
    );
    add("idle_frame", frame(&mut p, app, watch)?, IDLE_BUDGET);
    for _ in 0..30 {
        key(app, KeyCode::Down);
        add(
            "journal.cursor_down",
            frame(&mut p, app, watch)?,
            KEY_BUDGET,
        );
    }
    for _ in 0..30 {
        key(app, KeyCode::Up);
        add("journal.cursor_up", frame(&mut p, app, watch)?, KEY_BUDGET);
    }
    // Every pane in turn, and a repaint of each as it first shows.
    for _ in 1..super::app::PANES.len() {
        key(app, KeyCode::Tab);
        add("switch_pane", frame(&mut p, app, watch)?, REPAINT_BUDGET);
        let name = format!("repaint.{}", pane_name(app.pane));
        add(&name, repaint(&mut p, app, watch)?, REPAINT_BUDGET);
        if app.pane == 3 {
            for _ in 0..10 {
                key(app, KeyCode::Down);
                add(
                    "client_base.cursor_down",
                    frame(&mut p, app, watch)?,
                    KEY_BUDGET,
                );
            }
        }
    }
    key(app, KeyCode::Tab);
    add("switch_pane", frame(&mut p, app, watch)?, REPAINT_BUDGET);
    // The member search, typed.
    key(app, KeyCode::Tab);
    add("switch_pane", frame(&mut p, app, watch)?, REPAINT_BUDGET);
    let settle = app.members.settle;
    // A typist's pace: well inside the settle interval.
    let pace = settle / 2;
    let mut now = std::time::Instant::now();
    let silent = |app: &App| io::Error::other(app.cat.t("speed.search_silent").to_string());
    let answered = |app: &mut App| app.members_wait_reply(std::time::Duration::from_secs(30));
    for (typist, typed) in typing
        .iter()
        .map(|t| (true, t))
        .chain(typing.iter().map(|t| (false, t)))
    {
        app.handle_key_at(
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            now,
        );
        app.members_wait(std::time::Duration::from_secs(30));
        frame(&mut p, app, watch)?;
        for c in typed.chars() {
            now += pace;
            app.handle_key_at(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now);
            let mut sent = frame(&mut p, app, watch)?;
            if typist {
                add("members.letter_echo", sent, KEY_BUDGET);
            }
            if !answered(app) {
                return Err(silent(app));
            }
            app.tick_at(now);
            sent += frame(&mut p, app, watch)?;
            if typist {
                add("members.typed_letter", sent, KEY_BUDGET);
            } else {
                now += settle;
                app.tick_at(now);
                sent += frame(&mut p, app, watch)?;
                add("members.letter_then_pause", sent, SETTLE_BUDGET);
            }
        }
        if typist {
            now += settle;
            app.tick_at(now);
            let sent = frame(&mut p, app, watch)?;
            add("members.results_settled", sent, SETTLE_BUDGET);
        }
    }
    add(
        "repaint.members_found",
        repaint(&mut p, app, watch)?,
        REPAINT_BUDGET,
    );
    for _ in 0..10 {
        key(app, KeyCode::Down);
        add(
            "members.cursor_down",
            frame(&mut p, app, watch)?,
            KEY_BUDGET,
        );
    }
    Ok(out)
}

