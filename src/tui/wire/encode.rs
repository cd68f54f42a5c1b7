//! Cells turned into the fewest bytes: the escape sequences [`super::Scrolling`] writes, and
//! what it knows of the terminal's cursor and pen between them. The sequences are plain VT100
//! (cursor position, cursor forward, carriage return, line feed, SGR) and the colours are the
//! ones crossterm writes for the same cells, so a screen looks exactly as it did; only the
//! way there is shorter: one SGR sequence per change of style instead of one per attribute, a
//! move relative to where the cursor is when that is shorter, and nothing for a cursor that
//! is already where (and as) it should be.

use ratatui::buffer::Cell;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier};
use std::fmt::{self, Write as _};

/// The colours and attributes characters are written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pen {
    pub fg: Color,
    pub bg: Color,
    pub underline: Color,
    pub modifier: Modifier,
}

impl Pen {
    /// The terminal's own colours, no attributes: what `ESC[0m` leaves.
    pub const RESET: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        underline: Color::Reset,
        modifier: Modifier::empty(),
    };

    pub fn of(c: &Cell) -> Pen {
        Pen {
            fg: c.fg,
            bg: c.bg,
            underline: c.underline_color,
            modifier: c.modifier,
        }
    }
}

/// Where the cursor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    Unknown,
    At(u16, u16),
    /// Just after a character written in the last column of row `y`: the terminal holds the
    /// cursor there with a pending wrap, so only a carriage return or an absolute position
    /// is a safe way on.
    RightMargin(u16),
}

/// What this side knows of the terminal between writes.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    pub cursor: Cursor,
    /// `None`: not known (the next SGR is written in full, from a reset).
    pub pen: Option<Pen>,
    pub visible: Option<bool>,
    pub width: u16,
    pub height: u16,
}

impl Term {
    pub fn new(width: u16, height: u16) -> Term {
        Term {
            cursor: Cursor::Unknown,
            pen: None,
            visible: None,
            width,
            height,
        }
    }

    /// Nothing known any more (a scrolling region set, another program's output).
    pub fn forget(&mut self) {
        self.cursor = Cursor::Unknown;
        self.pen = None;
    }

    /// The cursor to `(x, y)`, the shortest way.
    pub fn move_to(&mut self, out: &mut Vec<u8>, x: u16, y: u16) {
        if self.cursor != Cursor::At(x, y) {
            out.extend_from_slice(shortest_move(self.cursor, x, y, self.height).as_bytes());
            self.cursor = Cursor::At(x, y);
        }
    }

    /// Bytes of the shortest move from the cursor to `(x, y)` (0 when it is there).
    pub fn move_cost(&self, x: u16, y: u16) -> usize {
        if self.cursor == Cursor::At(x, y) {
            0
        } else {
            shortest_move(self.cursor, x, y, self.height).len()
        }
    }

    /// Write with `pen` from now on.
    pub fn pen(&mut self, out: &mut Vec<u8>, pen: Pen) {
        if self.pen != Some(pen) {
            out.extend_from_slice(sgr(self.pen, pen).as_bytes());
            self.pen = Some(pen);
        }
    }

    /// One cell at `(x, y)`.
    pub fn cell(&mut self, out: &mut Vec<u8>, x: u16, y: u16, c: &Cell) {
        self.move_to(out, x, y);
        self.pen(out, Pen::of(c));
        let symbol = c.symbol();
        out.extend_from_slice(symbol.as_bytes());
        self.cursor = if symbol.is_empty() || !super::narrow(c) {
            Cursor::Unknown
        } else if x + 1 >= self.width {
            Cursor::RightMargin(y)
        } else {
            Cursor::At(x + 1, y)
        };
    }

    /// Show or hide the cursor, unless it already is.
    pub fn show(&mut self, out: &mut Vec<u8>, visible: bool) {
        if self.visible != Some(visible) {
            out.extend_from_slice(if visible { b"\x1b[?25h" } else { b"\x1b[?25l" });
            self.visible = Some(visible);
        }
    }

    pub fn position(&self) -> Option<Position> {
        match self.cursor {
            Cursor::At(x, y) => Some(Position::new(x, y)),
            _ => None,
        }
    }
}

/// The longest sequence this module builds: an SGR with every attribute and three RGB
/// colours is under 80 bytes, a cursor move under 16.
const SEQ_MAX: usize = 128;

/// One escape sequence, built on the stack: a frame writes hundreds of moves and changes of
/// colour, and a repaint of a large screen should not allocate for each of them.
#[derive(Clone, Copy)]
struct Seq {
    buf: [u8; SEQ_MAX],
    len: usize,
}

impl Seq {
    fn new() -> Seq {
        Seq {
            buf: [0; SEQ_MAX],
            len: 0,
        }
    }

    fn from(s: &str) -> Seq {
        let mut q = Seq::new();
        q.push(s);
        q
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Every sequence here is ASCII.
    #[cfg(test)]
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    fn push(&mut self, s: &str) {
        self.push_bytes(s.as_bytes());
    }

    fn push_bytes(&mut self, b: &[u8]) {
        // Only this module writes here, and nothing it writes is near the bound; past it the
        // text is cut, which the tests of the longest sequences would show.
        let n = b.len().min(SEQ_MAX - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
    }
}

impl fmt::Write for Seq {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s);
        Ok(())
    }
}

/// `ESC[nC`: `n` columns to the right.
fn forward(s: &mut Seq, n: u16) {
    match n {
        0 => {}
        1 => s.push("\x1b[C"),
        n => {
            let _ = write!(s, "\x1b[{n}C");
        }
    }
}

/// The shortest of: an absolute position; forward on the same row; a carriage return (and
/// forward); a line feed to the same column of the next row; a carriage return and line feed
/// (and forward). A line feed is used only above the last row, where it cannot scroll.
fn shortest_move(from: Cursor, x: u16, y: u16, height: u16) -> Seq {
    let mut best = Seq::new();
    let _ = write!(best, "\x1b[{};{}H", y + 1, x + 1);
    let mut consider = |s: Seq| {
        if s.len() < best.len() {
            best = s;
        }
    };
    let next_row = |cy: u16| y == cy + 1 && y < height;
    let from_start = |prefix: &str| {
        let mut s = Seq::from(prefix);
        forward(&mut s, x);
        s
    };
    match from {
        Cursor::At(cx, cy) => {
            if cy == y && x > cx {
                let mut s = Seq::new();
                forward(&mut s, x - cx);
                consider(s);
            }
            if cy == y && x < cx {
                consider(from_start("\r"));
            }
            if next_row(cy) {
                if x == cx {
                    consider(Seq::from("\n"));
                }
                consider(from_start("\r\n"));
            }
        }
        Cursor::RightMargin(cy) => {
            if cy == y {
                consider(from_start("\r"));
            }
            if next_row(cy) {
                consider(from_start("\r\n"));
            }
        }
        Cursor::Unknown => {}
    }
    best
}

/// The 256-colour index crossterm writes for a named colour.
fn index(c: Color) -> Option<u8> {
    Some(match c {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        Color::Indexed(i) => i,
        _ => return None,
    })
}

/// SGR parameters for colour `c` as foreground (`base` 30), background (40) or underline
/// (50): `39`, `38;5;6`, `48;2;r;g;b`…, after a `;` unless they are the first.
fn colour(params: &mut Seq, base: u8, c: Color) {
    param(params);
    let _ = match (c, index(c)) {
        (Color::Reset, _) => write!(params, "{}", base + 9),
        (_, Some(i)) => write!(params, "{};5;{i}", base + 8),
        (Color::Rgb(r, g, b), _) => write!(params, "{};2;{r};{g};{b}", base + 8),
        _ => write!(params, "{}", base + 9),
    };
}

/// The separator before a parameter that is not the first.
fn param(params: &mut Seq) {
    if params.len() > 0 {
        params.push(";");
    }
}

const ON: [(Modifier, &str); 9] = [
    (Modifier::BOLD, "1"),
    (Modifier::DIM, "2"),
    (Modifier::ITALIC, "3"),
    (Modifier::UNDERLINED, "4"),
    (Modifier::SLOW_BLINK, "5"),
    (Modifier::RAPID_BLINK, "6"),
    (Modifier::REVERSED, "7"),
    (Modifier::HIDDEN, "8"),
    (Modifier::CROSSED_OUT, "9"),
];

/// One SGR sequence from `from` to `to`: the changes alone, or a reset and `to` in full,
/// whichever is shorter.
fn sgr(from: Option<Pen>, to: Pen) -> Seq {
    let on = |params: &mut Seq, m: Modifier| {
        for (flag, code) in ON {
            if m.contains(flag) {
                param(params);
                params.push(code);
            }
        }
    };
    let mut full = Seq::from("0");
    on(&mut full, to.modifier);
    for (base, c) in [(30, to.fg), (40, to.bg), (50, to.underline)] {
        if c != Color::Reset {
            colour(&mut full, base, c);
        }
    }
    let mut params = full;
    if let Some(from) = from {
        let mut diff = Seq::new();
        let removed = from.modifier - to.modifier;
        let mut add = to.modifier - from.modifier;
        // One code turns off two attributes: put back the one that stays.
        for (pair, off) in [
            (Modifier::BOLD | Modifier::DIM, "22"),
            (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK, "25"),
        ] {
            if removed.intersects(pair) {
                param(&mut diff);
                diff.push(off);
                add |= to.modifier & pair;
            }
        }
        for (flag, off) in [
            (Modifier::ITALIC, "23"),
            (Modifier::UNDERLINED, "24"),
            (Modifier::REVERSED, "27"),
            (Modifier::HIDDEN, "28"),
            (Modifier::CROSSED_OUT, "29"),
        ] {
            if removed.contains(flag) {
                param(&mut diff);
                diff.push(off);
            }
        }
        on(&mut diff, add);
        for (base, a, b) in [
            (30, from.fg, to.fg),
            (40, from.bg, to.bg),
            (50, from.underline, to.underline),
        ] {
            if a != b {
                colour(&mut diff, base, b);
            }
        }
        if diff.len() <= params.len() {
            params = diff;
        }
    }
    let mut s = Seq::from("\x1b[");
    s.push_bytes(params.as_bytes());
    s.push("m");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    // The sequences as text, to compare with what they should be.
    fn shortest_move(from: Cursor, x: u16, y: u16, height: u16) -> String {
        super::shortest_move(from, x, y, height)
            .as_str()
            .to_string()
    }

    fn sgr(from: Option<Pen>, to: Pen) -> String {
        super::sgr(from, to).as_str().to_string()
    }

    #[test]
    fn moves_take_the_shortest_way() {
        let h = 24;
        assert_eq!(shortest_move(Cursor::Unknown, 0, 0, h), "\x1b[1;1H");
        assert_eq!(shortest_move(Cursor::At(3, 5), 4, 5, h), "\x1b[C");
        assert_eq!(shortest_move(Cursor::At(3, 5), 40, 5, h), "\x1b[37C");
        assert_eq!(shortest_move(Cursor::At(30, 5), 0, 5, h), "\r");
        assert_eq!(shortest_move(Cursor::At(30, 5), 30, 6, h), "\n");
        assert_eq!(shortest_move(Cursor::RightMargin(5), 0, 6, h), "\r\n");
        assert_eq!(
            shortest_move(Cursor::RightMargin(10), 2, 11, h),
            "\r\n\x1b[2C"
        );
        // Never a line feed on the last row (it would scroll the screen).
        assert_eq!(shortest_move(Cursor::RightMargin(22), 0, 23, h), "\r\n");
        assert_eq!(
            shortest_move(Cursor::RightMargin(23), 0, 24, h),
            "\x1b[25;1H"
        );
        // Backwards on a row: to its start and forward.
        assert_eq!(shortest_move(Cursor::At(70, 2), 60, 2, h), "\r\x1b[60C");
        // Two rows down: an absolute position.
        assert_eq!(shortest_move(Cursor::At(7, 2), 7, 4, h), "\x1b[5;8H");
    }

    #[test]
    fn one_sgr_per_change_the_shorter_of_a_diff_and_a_reset() {
        let bold_red = Pen {
            fg: Color::LightRed,
            modifier: Modifier::BOLD,
            ..Pen::RESET
        };
        assert_eq!(sgr(None, Pen::RESET), "\x1b[0m");
        assert_eq!(sgr(None, bold_red), "\x1b[0;1;38;5;9m");
        assert_eq!(sgr(Some(Pen::RESET), bold_red), "\x1b[1;38;5;9m");
        assert_eq!(sgr(Some(bold_red), Pen::RESET), "\x1b[0m");
        let dim_red = Pen {
            modifier: Modifier::DIM,
            ..bold_red
        };
        // 22 ends both bold and dim: dim is put back.
        assert_eq!(sgr(Some(bold_red), dim_red), "\x1b[22;2m");
        let selected = Pen {
            fg: Color::Black,
            bg: Color::White,
            modifier: Modifier::REVERSED,
            ..Pen::RESET
        };
        // Ending bold costs more than starting afresh.
        assert_eq!(sgr(Some(bold_red), selected), "\x1b[0;7;38;5;0;48;5;15m");
        assert_eq!(sgr(Some(Pen::RESET), selected), "\x1b[7;38;5;0;48;5;15m");
        let rgb = Pen {
            bg: Color::Rgb(1, 2, 3),
            ..Pen::RESET
        };
        assert_eq!(sgr(Some(Pen::RESET), rgb), "\x1b[48;2;1;2;3m");
        // The longest there can be, whole.
        let every = Pen {
            fg: Color::Rgb(255, 255, 255),
            bg: Color::Rgb(255, 255, 255),
            underline: Color::Rgb(255, 255, 255),
            modifier: Modifier::all(),
        };
        assert_eq!(
            sgr(None, every),
            "\x1b[0;1;2;3;4;5;6;7;8;9;38;2;255;255;255;48;2;255;255;255;58;2;255;255;255m"
        );
        // Every attribute ended and three colours changed: starting afresh is shorter.
        let other = Pen {
            fg: Color::Rgb(100, 100, 100),
            bg: Color::Rgb(100, 100, 100),
            underline: Color::Rgb(100, 100, 100),
            modifier: Modifier::empty(),
        };
        assert_eq!(
            sgr(Some(every), other),
            "\x1b[0;38;2;100;100;100;48;2;100;100;100;58;2;100;100;100m"
        );
    }
}
