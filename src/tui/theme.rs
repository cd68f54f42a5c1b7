//! Every colour and symbol the interface draws comes from here. Styles are named by meaning
//! ("selected", "late", "error"); the monochrome theme expresses them with bold, reverse and
//! underline only, so they survive NO_COLOR and 1-colour terminals.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// Borders drawn with `+ - |` for terminals without line drawing.
pub const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[derive(Clone, Debug)]
pub struct Symbols {
    pub sep: &'static str,
    pub ellipsis: &'static str,
    pub asc: &'static str,
    pub desc: &'static str,
    pub pointer: &'static str,
    pub late: &'static str,
    pub error: &'static str,
    pub rub: &'static str,
}

#[derive(Clone, Debug)]
pub struct Theme {
    pub base: Style,
    pub title: Style,
    pub tab_active: Style,
    pub tab_inactive: Style,
    pub status_bar: Style,
    pub header: Style,
    pub selected: Style,
    pub late: Style,
    pub closed: Style,
    pub error: Style,
    pub info: Style,
    pub hint_key: Style,
    pub hint_text: Style,
    pub label: Style,
    pub field: Style,
    pub field_focus: Style,
    pub field_readonly: Style,
    pub border: Style,
    pub muted: Style,
    pub border_set: border::Set<'static>,
    pub sym: Symbols,
    /// Everything drawn is plain ASCII (letters of the language excepted).
    pub ascii: bool,
}

const UNICODE_SYMBOLS: Symbols = Symbols {
    sep: "│",
    ellipsis: "…",
    asc: "↑",
    desc: "↓",
    pointer: "▶",
    late: "!",
    error: "✗",
    rub: "₽",
};
const ASCII_SYMBOLS: Symbols = Symbols {
    sep: "|",
    ellipsis: "~",
    asc: "^",
    desc: "v",
    pointer: ">",
    late: "!",
    error: "x",
    rub: "r",
};

impl Theme {
    pub fn new(mono: bool, ascii: bool) -> Theme {
        let mut t = if mono { Theme::mono() } else { Theme::color() };
        if ascii {
            t.border_set = ASCII_BORDER;
            t.sym = ASCII_SYMBOLS;
            t.ascii = true;
        }
        t
    }

    fn color() -> Theme {
        let s = Style::default;
        Theme {
            base: s(),
            title: s().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            tab_active: s()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            tab_inactive: s().fg(Color::Gray),
            status_bar: s().fg(Color::White).bg(Color::Blue),
            header: s().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: s()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::REVERSED),
            late: s().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            closed: s().fg(Color::DarkGray),
            error: s().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            info: s().fg(Color::LightGreen),
            hint_key: s().fg(Color::Black).bg(Color::Cyan),
            hint_text: s(),
            label: s().fg(Color::Gray),
            field: s().fg(Color::White).add_modifier(Modifier::UNDERLINED),
            field_focus: s().fg(Color::Black).bg(Color::Yellow),
            field_readonly: s().fg(Color::Gray),
            border: s().fg(Color::Blue),
            muted: s().fg(Color::DarkGray),
            border_set: border::PLAIN,
            sym: UNICODE_SYMBOLS,
            ascii: false,
        }
    }

    fn mono() -> Theme {
        let s = Style::default;
        let bold = Modifier::BOLD;
        Theme {
            base: s(),
            title: s().add_modifier(bold),
            tab_active: s().add_modifier(Modifier::REVERSED | bold),
            tab_inactive: s(),
            status_bar: s().add_modifier(Modifier::REVERSED),
            header: s().add_modifier(bold | Modifier::UNDERLINED),
            selected: s().add_modifier(Modifier::REVERSED),
            late: s().add_modifier(bold),
            closed: s().add_modifier(Modifier::DIM),
            error: s().add_modifier(bold),
            info: s(),
            hint_key: s().add_modifier(Modifier::REVERSED),
            hint_text: s(),
            label: s(),
            field: s().add_modifier(Modifier::UNDERLINED),
            field_focus: s().add_modifier(Modifier::REVERSED),
            field_readonly: s(),
            border: s(),
            muted: s(),
            border_set: border::PLAIN,
            sym: UNICODE_SYMBOLS,
            ascii: false,
        }
    }
}

/// The ASCII stand-in for a drawing symbol, for terminals without line drawing or arrows.
/// Letters (Cyrillic included) are left alone: only symbols are replaced.
pub fn ascii_symbol(s: &str) -> Option<&'static str> {
    Some(match s {
        "─" | "━" | "═" => "-",
        "│" | "┃" | "║" => "|",
        "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" => "+",
        "↑" => "^",
        "↓" => "v",
        "←" => "<",
        "→" => ">",
        "▶" => ">",
        "·" | "•" => ".",
        "–" | "—" => "-",
        "…" => "~",
        "✗" => "x",
        "×" => "x",
        "₽" => "р.",
        "«" => "\"",
        "»" => "\"",
        "№" => "N",
        // Bars and sparklines (the sales rating).
        "█" | "▇" => "#",
        "▆" | "▅" => "=",
        "▄" | "▃" => "-",
        "▂" | "▁" => "_",
        "▌" => "|",
        "±" => "+",
        _ => return None,
    })
}
