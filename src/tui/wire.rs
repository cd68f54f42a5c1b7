//! What a frame costs on the wire, and sending less of it. The event loop draws every frame
//! through [`frame`] on a [`Scrolling`] backend, which writes its own escape sequences through
//! crossterm's backend (that gives the terminal's size and carries the bytes); the bench and
//! the byte-budget test draw through the same function and the same backends into a
//! [`Probe`], whose crossterm backend writes into a byte counter instead of the terminal, so what is
//! counted is exactly what an SSH link would carry (escape sequences, the synchronized-update
//! brackets, the cursor moves), at a fixed terminal size.
//!
//! The screen model assumes one-column characters (Latin, Cyrillic, box drawing), which is
//! all the interface draws; a frame with any other character turns the economies off until
//! the screen is next cleared, so it can cost bytes but never a wrong screen.

mod encode;

use super::app::App;
use encode::{Pen, Term};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Size};
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

/// Draw one frame as the event loop does: inside a synchronized update, so the terminal shows
/// it at once, never half-drawn; a frame that changes nothing sends nothing.
pub fn frame<B>(terminal: &mut Terminal<Scrolling<B>>, app: &mut App) -> io::Result<()>
where
    B: Backend<Error = io::Error> + Write,
{
    terminal.backend_mut().begin();
    let drawn = terminal.draw(|f| app.draw(f)).map(|_| ());
    let sent = terminal.backend_mut().end();
    drawn.and(sent)
}

/// A backend that knows what the terminal shows, so that a list that scrolled is moved by the
/// terminal itself (a scrolling region and a line feed: a few bytes) instead of being sent
/// again row by row. ratatui sends only the cells that changed since the last frame; when
/// many rows changed because a band of rows moved up or down, this sends the move and then
/// only what is still different, in as few bytes as it can (see [`economise`] and
/// `encode.rs`). The inner backend gives the terminal's size and carries the bytes.
pub struct Scrolling<B> {
    inner: B,
    /// What the terminal shows; `None` when not known (before the first clear of the screen).
    shown: Option<Buffer>,
    /// The screen was just cleared: nothing on it to move.
    blank: bool,
    /// The cursor and pen as the terminal has them.
    term: Term,
    /// Bytes not yet handed to the inner backend: a frame's, sent whole when it ends.
    out: Vec<u8>,
    in_frame: bool,
}

impl<B> Scrolling<B> {
    pub fn new(inner: B) -> Scrolling<B> {
        Scrolling {
            inner,
            shown: None,
            blank: false,
            term: Term::new(0, 0),
            out: Vec::new(),
            in_frame: false,
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

impl<B: Write> Scrolling<B> {
    /// A frame begins: what it writes is kept until [`Scrolling::end`].
    pub fn begin(&mut self) {
        self.in_frame = true;
    }

    /// The frame ends: its bytes go out at once, inside a synchronized update; none at all
    /// when it changed nothing on the screen.
    pub fn end(&mut self) -> io::Result<()> {
        self.in_frame = false;
        if self.out.is_empty() {
            return Ok(());
        }
        self.inner.write_all(b"\x1b[?2026h")?;
        self.inner.write_all(&self.out)?;
        self.inner.write_all(b"\x1b[?2026l")?;
        self.out.clear();
        self.inner.flush()
    }

    /// Outside a frame, bytes go out as they are written.
    fn pass(&mut self) -> io::Result<()> {
        if !self.in_frame && !self.out.is_empty() {
            self.inner.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(())
    }
}

impl<B: Write> Write for Scrolling<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Someone else's bytes: what they did to the cursor and pen is not known.
        self.term.forget();
        self.out.extend_from_slice(buf);
        self.pass()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pass()?;
        self.inner.flush()
    }
}

impl<B> Scrolling<B>
where
    B: Backend<Error = io::Error> + Write,
{
    /// Cells written as they come, nothing known of the screen.
    fn plain<'a>(&mut self, cells: impl Iterator<Item = (u16, u16, &'a Cell)>) {
        for (x, y, c) in cells {
            self.term.cell(&mut self.out, x, y, c);
        }
    }

    fn size_now(&mut self) {
        if let Ok(s) = self.inner.size() {
            (self.term.width, self.term.height) = (s.width, s.height);
        }
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
        self.size_now();
        let updates: Vec<(u16, u16, &Cell)> = content.collect();
        let known = self.shown.as_ref().is_some_and(|shown| {
            updates
                .iter()
                .all(|(x, y, c)| shown.area.contains(Position::new(*x, *y)) && narrow(c))
        });
        if !known {
            // Not the screen we know, or a character wider than a column: nothing clever.
            self.shown = None;
            self.plain(updates.into_iter());
        } else if let Some(shown) = &mut self.shown {
            let w = shown.area.width as usize;
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
                // places: each move closes one gap, and the next is looked for on the screen
                // as the terminal will show it after the moves so far.
                let mut moved = false;
                for _ in 0..MAX_MOVES {
                    let Some(scroll) = find_scroll(&old, shown) else {
                        break;
                    };
                    scroll.write(&mut self.out)?;
                    // The region set and reset: the cursor is somewhere, the pen reset.
                    self.term.cursor = encode::Cursor::Unknown;
                    self.term.pen = Some(Pen::RESET);
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
            economise(&mut self.out, &mut self.term, shown, &send);
        }
        // Every frame ends in the terminal's own colours (what the economies count on, and
        // what anything written after the frame expects).
        self.term.pen(&mut self.out, Pen::RESET);
        self.pass()
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.shown = None;
        self.term.forget();
        self.pass()?;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.term.show(&mut self.out, false);
        self.pass()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.term.show(&mut self.out, true);
        self.pass()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        match self.term.position() {
            Some(p) => Ok(p),
            None => self.inner.get_cursor_position(),
        }
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.size_now();
        let p = position.into();
        self.term.move_to(&mut self.out, p.x, p.y);
        self.pass()
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
        // Erased in the terminal's own colours.
        self.term.pen(&mut self.out, Pen::RESET);
        self.out.extend_from_slice(match clear_type {
            ClearType::All => b"\x1b[2J",
            ClearType::AfterCursor => b"\x1b[J",
            ClearType::BeforeCursor => b"\x1b[1J",
            ClearType::CurrentLine => b"\x1b[2K",
            ClearType::UntilNewLine => b"\x1b[K",
        });
        self.pass()
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.in_frame {
            return Ok(());
        }
        self.pass()?;
        Backend::flush(&mut self.inner)
    }
}

/// Send the cells at `send` (row by row, left to right) of `screen`, the new screen, in fewer
/// bytes: where a row ends blank, one "erase to the end of the line" instead of the blanks
/// one by one; between two changed cells of a row, the unchanged ones between them sent again
/// when that is shorter than moving the cursor over them.
fn economise(out: &mut Vec<u8>, term: &mut Term, screen: &Buffer, send: &[(u16, u16)]) {
    let w = screen.area.width as usize;
    let cell = |x: u16, y: u16| &screen.content[y as usize * w + x as usize];
    let mut i = 0;
    while i < send.len() {
        let y = send[i].1;
        let mut j = i;
        while j < send.len() && send[j].1 == y {
            j += 1;
        }
        let row = &send[i..j];
        i = j;
        // Where the row's blank tail starts.
        let mut tail = w;
        while tail > 0 && is_blank(cell(tail as u16 - 1, y)) {
            tail -= 1;
        }
        let in_tail = row.iter().filter(|(x, _)| *x as usize >= tail).count();
        let (row, erase) = if in_tail >= ERASE_MIN {
            (&row[..row.len() - in_tail], Some(tail as u16))
        } else {
            (row, None)
        };
        for (k, &(x, y)) in row.iter().enumerate() {
            if k > 0 && row[k - 1].0 + 1 < x {
                // The cells between the last one sent and this one, sent again when they are
                // in the pen already set and cost less than the move.
                let gap = row[k - 1].0 + 1..x;
                let pen = term.pen;
                let same = |c: &Cell| narrow(c) && Some(Pen::of(c)) == pen;
                let bytes: usize = gap.clone().map(|gx| cell(gx, y).symbol().len()).sum();
                if gap.clone().all(|gx| same(cell(gx, y))) && bytes <= term.move_cost(x, y) {
                    for gx in gap {
                        term.cell(out, gx, y, cell(gx, y));
                    }
                }
            }
            term.cell(out, x, y, cell(x, y));
        }
        if let Some(tail) = erase {
            term.move_to(out, tail, y);
            term.pen(out, Pen::RESET);
            out.extend_from_slice(b"\x1b[K");
        }
    }
}

/// Changed cells in a blank row end before erasing the end of the line pays.
const ERASE_MIN: usize = 4;

/// A cell exactly as "erase to the end of the line" leaves it (after an attribute reset): a
/// space in the terminal's own colours, no attributes.
fn is_blank(c: &Cell) -> bool {
    c.symbol() == " " && Pen::of(c) == Pen::RESET && c.diff_option == CellDiffOption::None
}

/// One column wide, so re-sending it keeps the columns where they are.
fn narrow(c: &Cell) -> bool {
    c.diff_option == CellDiffOption::None && (one_column(c.symbol()) || c.cell_width() == 1)
}

/// A symbol of one character known one column wide without looking it up.
fn one_column(s: &str) -> bool {
    let mut chars = s.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if super::widgets::grid::one_column(c))
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
/// Time is held still: the instants of the keys are given, nothing sleeps. The cursor is
/// then moved through the results of the first text.
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
    // The results of the first text again (the last may find a single member), to move
    // through.
    if let Some(first) = typing.first() {
        app.handle_key_at(
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            now,
        );
        for c in first.chars() {
            app.handle_key_at(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now);
        }
        if !app.members_wait(std::time::Duration::from_secs(30)) {
            return Err(silent(app));
        }
        frame(&mut p, app, watch)?;
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

#[cfg(test)]
mod tests {
    //! The economies of [`Scrolling`] checked on a model terminal that keeps colours and
    //! attributes: a frame sent after another must leave the model showing exactly what a
    //! full repaint of the new screen shows.

    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Modifier, Style};

    /// The colours and attributes a cell was written with, as the terminal holds them.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    struct Pen {
        fg: String,
        bg: String,
        attrs: Vec<u16>,
    }

    /// A VT100 screen model: cursor positioning, erase in line and display, scrolling
    /// regions, line feed, reverse index and SGR; anything else fails the test.
    struct Model {
        w: usize,
        h: usize,
        cells: Vec<Vec<(String, Pen)>>,
        pen: Pen,
        x: usize,
        y: usize,
        top: usize,
        bottom: usize,
    }

    impl Model {
        fn new(w: usize, h: usize) -> Model {
            Model {
                w,
                h,
                cells: vec![vec![(" ".into(), Pen::default()); w]; h],
                pen: Pen::default(),
                x: 0,
                y: 0,
                top: 0,
                bottom: h - 1,
            }
        }

        /// What an erase leaves: a blank in the current background.
        fn blank(&self) -> (String, Pen) {
            let pen = Pen {
                bg: self.pen.bg.clone(),
                ..Pen::default()
            };
            (" ".into(), pen)
        }

        fn sgr(&mut self, params: &str) {
            let nums: Vec<u16> = params.split(';').map(|n| n.parse().unwrap_or(0)).collect();
            let mut i = 0;
            while i < nums.len() {
                match nums[i] {
                    0 => self.pen = Pen::default(),
                    n @ (38 | 48) => {
                        let len = if nums[i + 1] == 5 { 3 } else { 5 };
                        let c = format!("{:?}", &nums[i..i + len]);
                        if n == 38 {
                            self.pen.fg = c;
                        } else {
                            self.pen.bg = c;
                        }
                        i += len - 1;
                    }
                    39 => self.pen.fg.clear(),
                    49 => self.pen.bg.clear(),
                    // The underline colour: not drawn by the interface.
                    59 => {}
                    22 => self.pen.attrs.retain(|a| *a != 1 && *a != 2),
                    n @ 23..=29 => self.pen.attrs.retain(|a| *a != n - 20),
                    n @ 1..=9 => {
                        if !self.pen.attrs.contains(&n) {
                            self.pen.attrs.push(n);
                            self.pen.attrs.sort();
                        }
                    }
                    n => panic!("unexpected SGR {n} in {params}"),
                }
                i += 1;
            }
        }

        fn scroll(&mut self, up: bool) {
            let blank = vec![self.blank(); self.w];
            if up {
                self.cells.remove(self.top);
                self.cells.insert(self.bottom, blank);
            } else {
                self.cells.remove(self.bottom);
                self.cells.insert(self.top, blank);
            }
        }

        fn feed(&mut self, bytes: &[u8]) {
            let text = std::str::from_utf8(bytes).expect("UTF-8 on the wire");
            let mut chars = text.chars();
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
                            let n = |i: usize| -> usize {
                                params
                                    .split(';')
                                    .nth(i)
                                    .and_then(|n| n.parse().ok())
                                    .unwrap_or(1)
                            };
                            match fin {
                                _ if params.starts_with('?') => {}
                                'H' => (self.y, self.x) = (n(0) - 1, n(1) - 1),
                                'C' => {
                                    assert!(self.x < self.w, "forward from the right margin");
                                    self.x = (self.x + n(0)).min(self.w - 1);
                                }
                                'r' if params.is_empty() => {
                                    (self.top, self.bottom, self.x, self.y) = (0, self.h - 1, 0, 0)
                                }
                                'r' => {
                                    (self.top, self.bottom, self.x, self.y) =
                                        (n(0) - 1, n(1) - 1, 0, 0)
                                }
                                'J' if params == "2" => {
                                    self.cells = vec![vec![self.blank(); self.w]; self.h];
                                }
                                'K' if params.is_empty() || params == "0" => {
                                    for x in self.x.min(self.w)..self.w {
                                        self.cells[self.y][x] = self.blank();
                                    }
                                }
                                'm' => self.sgr(&params),
                                other => panic!("unexpected escape sequence {params}{other}"),
                            }
                        }
                        Some('M') if self.y == self.top => self.scroll(false),
                        Some('M') => self.y = self.y.saturating_sub(1),
                        other => panic!("unexpected escape {other:?}"),
                    },
                    '\n' if self.y == self.bottom => self.scroll(true),
                    '\n' => self.y = (self.y + 1).min(self.h - 1),
                    '\r' => self.x = 0,
                    c if c.is_control() => panic!("unexpected control {c:?}"),
                    c => {
                        if self.x < self.w {
                            self.cells[self.y][self.x] = (c.to_string(), self.pen.clone());
                        }
                        self.x += 1;
                    }
                }
            }
        }
    }

    /// A screen of `rows` (padded with blanks), `style` on every cell, then `paint` applied.
    fn screen(rows: &[&str], style: Style, paint: impl Fn(&mut Buffer)) -> Buffer {
        let area = Rect::new(0, 0, 40, 4);
        let mut b = Buffer::empty(area);
        b.set_style(area, style);
        for (y, r) in rows.iter().enumerate() {
            b.set_string(0, y as u16, r, style);
        }
        paint(&mut b);
        b
    }

    fn draw(t: &mut Terminal<impl Backend<Error = io::Error>>, b: &Buffer) {
        t.draw(|f| f.buffer_mut().content.clone_from_slice(&b.content))
            .unwrap();
    }

    /// The bytes `new` costs when `old` is on the screen, checked: played after `old`'s own
    /// bytes, they leave the model terminal exactly as a full repaint of `new` does.
    fn sent(old: &Buffer, new: &Buffer) -> String {
        let (w, h) = (old.area.width, old.area.height);
        let counter = Counter::default();
        let mut t = Terminal::new(Scrolling::new(FixedSize::new(counter.clone(), w, h))).unwrap();
        t.clear().unwrap();
        draw(&mut t, old);
        let mut model = Model::new(w as usize, h as usize);
        model.feed(&counter.kept());
        counter.mark();
        draw(&mut t, new);
        let frame = counter.kept();
        model.feed(&frame);
        let plain = Counter::default();
        let mut r = Terminal::new(FixedSize::new(plain.clone(), w, h)).unwrap();
        r.clear().unwrap();
        draw(&mut r, new);
        let mut repainted = Model::new(w as usize, h as usize);
        repainted.feed(&plain.kept());
        let text = String::from_utf8(frame).unwrap();
        for y in 0..h as usize {
            assert_eq!(
                model.cells[y], repainted.cells[y],
                "row {y} differs from a full repaint; sent {text:?}"
            );
        }
        assert_eq!(
            t.backend().shown(),
            Some(new),
            "the backend's model is exact"
        );
        text
    }

    #[test]
    fn a_row_that_ends_blank_is_erased_to_its_end() {
        let plain = Style::default();
        let old = screen(&["Иванова Анна Петровна 4509 123456"], plain, |_| {});
        let new = screen(&["Ким Ан"], plain, |_| {});
        let s = sent(&old, &new);
        assert!(s.contains("\x1b[K"), "{s:?}");
        // The 27 blanks are not sent one by one.
        assert!(!s.contains("    "), "{s:?}");
        assert!(s.len() < 60, "{} bytes: {s:?}", s.len());
    }

    #[test]
    fn blanks_in_a_colour_are_sent_not_erased() {
        // Erasing would leave the terminal's own background, not the blue one.
        let blue = Style::default().bg(Color::Blue);
        let old = screen(&["Иванова Анна Петровна 4509 123456"], blue, |_| {});
        let new = screen(&["Ким Ан"], blue, |_| {});
        let s = sent(&old, &new);
        assert!(!s.contains("\x1b[K"), "{s:?}");
        // Bold blanks too: erasing drops the attribute.
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let old = screen(&["Иванова Анна Петровна 4509 123456"], bold, |_| {});
        let new = screen(&["Ким Ан"], bold, |_| {});
        assert!(!sent(&old, &new).contains("\x1b[K"));
    }

    #[test]
    fn a_short_gap_is_sent_again_a_long_one_is_jumped() {
        let plain = Style::default();
        // Two changes two Latin cells apart: «bc» is two bytes, `ESC[2C` four.
        let old = screen(&["abcd"], plain, |_| {});
        let new = screen(&["XbcY"], plain, |_| {});
        let s = sent(&old, &new);
        assert!(s.contains("XbcY"), "the gap sent again: {s:?}");
        // Three Cyrillic letters are six bytes: the move is shorter.
        let old = screen(&["aжжжf"], plain, |_| {});
        let new = screen(&["AжжжF"], plain, |_| {});
        let s = sent(&old, &new);
        assert!(s.contains("A\x1b[3CF"), "{s:?}");
        // Two are four, as many as the move: sent again.
        let old = screen(&["aжжf"], plain, |_| {});
        let new = screen(&["AжжF"], plain, |_| {});
        assert!(sent(&old, &new).contains("AжжF"));
        // Far apart: a move.
        let old = screen(&["a                            f"], plain, |_| {});
        let new = screen(&["A                            F"], plain, |_| {});
        assert!(sent(&old, &new).contains("A\x1b[28CF"));
    }

    #[test]
    fn a_gap_in_another_style_is_jumped() {
        // Sending the gap again would need its colours set and set back: a move is cheaper,
        // and the cells keep their colours.
        let plain = Style::default();
        let red = |b: &mut Buffer| {
            for x in 1..3 {
                b[(x, 0)].set_fg(Color::Red);
            }
        };
        let old = screen(&["abcd"], plain, red);
        let new = screen(&["XbcY"], plain, red);
        let s = sent(&old, &new);
        assert!(s.contains("X\x1b[2CY"), "{s:?}");
    }

    #[test]
    fn a_frame_that_changes_nothing_sends_nothing() {
        let plain = Style::default();
        let old = screen(&["Иванова Анна"], plain, |_| {});
        assert_eq!(sent(&old, &old), "");
    }

    #[test]
    fn economies_keep_every_row_exact() {
        // Rows of a member list replaced by others, some selected, some muted.
        let plain = Style::default();
        let rows_a = [
            "000101 Иванов Пётр Сергеевич  пайщик",
            "000102 Иванова Анна Петровна  пайщик",
            "000103 Иваненко Олег Ильич    выбыл",
            "",
        ];
        let rows_b = [
            "000102 Иванова Анна Петровна  пайщик",
            "000777 Ким Ан                 пайщик",
            "",
            "000103 Иваненко Олег Ильич",
        ];
        let mark = |b: &mut Buffer| {
            b.set_style(
                Rect::new(0, 0, 40, 1),
                Style::default().add_modifier(Modifier::REVERSED),
            );
            b.set_style(Rect::new(0, 2, 20, 1), Style::default().fg(Color::DarkGray));
        };
        let old = screen(&rows_a, plain, mark);
        let new = screen(&rows_b, plain, |_| {});
        sent(&old, &new);
        sent(&new, &old);
        let new = screen(&rows_b, plain, mark);
        sent(&old, &new);
        sent(&new, &old);
    }
}
