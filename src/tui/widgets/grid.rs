//! A table of one-line rows written straight into the buffer. It lays out and draws exactly
//! as ratatui's `Table` does for plain text (the same column widths and spacing, the row's
//! style over the whole row, text left- or right-aligned and cut at the column's edge), but
//! without a `Text`, a `Line` and a `Span` built for every cell and every character looked
//! up for its width: the application queue on a large screen draws thousands of cells, and
//! every key redraws them.
//!
//! Text made only of characters known to be one column wide (see [`one_column`]) is written
//! character by character; anything else is drawn through ratatui's own `Line`, so a rare
//! character is drawn right, only slower.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use std::borrow::Cow;

/// One column wide without looking it up: printable ASCII, the first half of the Cyrillic
/// block (U+0400–U+047F, no combining marks there), the box-drawing lines (U+2500–U+257F).
pub fn one_column(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{400}'..='\u{47f}' | '\u{2500}'..='\u{257f}')
}

/// The text of one cell and which side it keeps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridCell<'a> {
    pub text: Cow<'a, str>,
    pub right: bool,
}

impl<'a> GridCell<'a> {
    pub fn left(text: impl Into<Cow<'a, str>>) -> GridCell<'a> {
        GridCell {
            text: text.into(),
            right: false,
        }
    }

    pub fn right(text: impl Into<Cow<'a, str>>) -> GridCell<'a> {
        GridCell {
            text: text.into(),
            right: true,
        }
    }
}

/// Columns laid out over `area` as ratatui's `Table` lays them out (from the left, one
/// blank column between two): each column's left edge and width.
pub fn columns(area: Rect, widths: &[Constraint]) -> Vec<(u16, u16)> {
    Layout::horizontal(widths.iter().copied())
        .spacing(1)
        .split(Rect::new(area.x, area.y, area.width, 1))
        .iter()
        .map(|r| (r.x, r.width))
        .collect()
}

/// One row at line `y` of `area`: `style` over the whole row, then each cell's text in its
/// column.
pub fn row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    columns: &[(u16, u16)],
    cells: &[GridCell],
    style: Style,
) {
    let area = area.intersection(buf.area);
    if y < area.top() || y >= area.bottom() || area.is_empty() {
        return;
    }
    let start = buf.index_of(area.x, y);
    for cell in &mut buf.content[start..start + area.width as usize] {
        cell.set_style(style);
    }
    for (&(x, width), cell) in columns.iter().zip(cells) {
        // A column cut by the edge of the area keeps what is inside it.
        let right_edge = (x.saturating_add(width)).min(area.right());
        if x >= right_edge {
            continue;
        }
        text(buf, x, y, right_edge - x, cell);
    }
}

/// The text of `cell` in the `width` columns from `(x, y)`.
fn text(buf: &mut Buffer, x: u16, y: u16, width: u16, cell: &GridCell) {
    let s = cell.text.as_ref();
    if !s.chars().all(one_column) {
        let line = Line::raw(s);
        let line = if cell.right {
            line.right_aligned()
        } else {
            line.alignment(Alignment::Left)
        };
        line.render(Rect::new(x, y, width, 1), buf);
        return;
    }
    let n = s.chars().count();
    let width = width as usize;
    // Right-aligned text too long for its column loses its start, as ratatui's `Line` does;
    // any other loses its end.
    let (skip, indent) = match (cell.right, n > width) {
        (true, true) => (n - width, 0),
        (true, false) => (0, width - n),
        (false, _) => (0, 0),
    };
    let start = buf.index_of(x, y) + indent;
    let cells = &mut buf.content[start..start + (width - indent)];
    for (c, ch) in cells.iter_mut().zip(s.chars().skip(skip)) {
        c.set_char(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::widgets::{Cell, Row, Table};

    /// The same rows drawn by ratatui's `Table` and by the grid.
    fn both(
        area: Rect,
        widths: &[Constraint],
        rows: &[(Vec<GridCell>, Style)],
    ) -> (Buffer, Buffer) {
        let full = Rect::new(0, 0, area.right() + 2, area.bottom() + 1);
        let mut by_table = Buffer::empty(full);
        let table_rows = rows.iter().map(|(cells, style)| {
            Row::new(cells.iter().map(|c| {
                let line = Line::from(c.text.to_string());
                Cell::from(if c.right { line.right_aligned() } else { line })
            }))
            .style(*style)
        });
        Table::new(table_rows, widths.to_vec())
            .column_spacing(1)
            .render(area, &mut by_table);
        let mut by_grid = Buffer::empty(full);
        let cols = columns(area, widths);
        for (i, (cells, style)) in rows.iter().enumerate() {
            row(&mut by_grid, area, area.y + i as u16, &cols, cells, *style);
        }
        (by_table, by_grid)
    }

    #[test]
    fn draws_what_the_table_draws() {
        let widths = [
            Constraint::Length(4),
            Constraint::Min(6),
            Constraint::Length(7),
            Constraint::Length(3),
        ];
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let red = Style::default().fg(Color::Red).bg(Color::Black);
        let rows = vec![
            (
                vec![
                    GridCell::left("№1"),
                    GridCell::left("Иванова Мария"),
                    GridCell::right("1 500"),
                    GridCell::right("3 д"),
                ],
                Style::default(),
            ),
            (
                // Longer than the columns: the end cut, or the start when right-aligned.
                vec![
                    GridCell::left("12345"),
                    GridCell::left("Константинопольская-Закревская"),
                    GridCell::right("1 234 567 890"),
                    GridCell::right("120 д"),
                ],
                bold,
            ),
            (
                // Not all one column: drawn through ratatui's Line.
                vec![
                    GridCell::left("漢字"),
                    GridCell::left("e\u{301}te\u{301}"),
                    GridCell::right("漢字漢字漢"),
                    GridCell::left(""),
                ],
                red,
            ),
            (vec![GridCell::left("only")], red),
        ];
        for area in [
            Rect::new(0, 0, 30, 4),
            Rect::new(3, 1, 22, 4),
            Rect::new(1, 0, 12, 3),
            Rect::new(0, 0, 80, 4),
        ] {
            let (table, grid) = both(area, &widths, &rows);
            assert_eq!(table, grid, "area {area:?}");
        }
    }

    #[test]
    fn only_listed_characters_are_taken_as_one_column() {
        use ratatui::buffer::CellWidth;
        let mut taken = 0;
        // Every character of the first three planes, control and combining ones included.
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            if one_column(c) {
                taken += 1;
                assert_eq!(c.to_string().as_str().cell_width(), 1, "U+{:04X}", c as u32);
            }
        }
        // ASCII's printable 95, Cyrillic's first 128, the 128 box-drawing lines.
        assert_eq!(taken, 95 + 128 + 128);
        for c in ['\u{7f}', '\u{0483}', '\u{0300}', '\u{2580}', '漢', '\n'] {
            assert!(!one_column(c), "{c:?}");
        }
    }
}
