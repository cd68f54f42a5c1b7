//! A small form: labelled one-line fields, typed text or a choice among values, each with its
//! own error shown beside it. What was typed stays until the form is dropped.

use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Shown as stars.
    Secret,
    /// (code, label) pairs; the value is a code.
    Choice(Vec<(String, String)>),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub code: String,
    pub label: String,
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    pub kind: FieldKind,
    pub error: Option<String>,
    pub readonly: bool,
}

impl Field {
    pub fn text(
        code: impl Into<String>,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> Field {
        let value = value.into();
        Field {
            code: code.into(),
            label: label.into(),
            cursor: value.chars().count(),
            value,
            kind: FieldKind::Text,
            error: None,
            readonly: false,
        }
    }

    pub fn secret(code: impl Into<String>, label: impl Into<String>) -> Field {
        Field {
            kind: FieldKind::Secret,
            ..Field::text(code, label, "")
        }
    }

    pub fn choice(
        code: impl Into<String>,
        label: impl Into<String>,
        options: Vec<(String, String)>,
        value: impl Into<String>,
    ) -> Field {
        let mut value = value.into();
        if !options.iter().any(|(c, _)| *c == value) {
            value = options.first().map(|(c, _)| c.clone()).unwrap_or_default();
        }
        Field {
            kind: FieldKind::Choice(options),
            ..Field::text(code, label, value)
        }
    }

    pub fn readonly(mut self, ro: bool) -> Field {
        self.readonly = ro;
        self
    }

    /// What the field shows.
    pub fn display(&self) -> String {
        match &self.kind {
            FieldKind::Text => self.value.clone(),
            FieldKind::Secret => "*".repeat(self.value.chars().count()),
            FieldKind::Choice(opts) => opts
                .iter()
                .find(|(c, _)| *c == self.value)
                .map(|(_, l)| l.clone())
                .unwrap_or_default(),
        }
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_idx)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    /// Apply an editing key; true when the value changed.
    pub fn edit(&mut self, key: &KeyEvent) -> bool {
        if self.readonly {
            return false;
        }
        if let FieldKind::Choice(opts) = &self.kind {
            if opts.is_empty() {
                return false;
            }
            let i = opts.iter().position(|(c, _)| *c == self.value).unwrap_or(0);
            let n = opts.len();
            let next = match key.code {
                KeyCode::Right | KeyCode::Char(' ') => (i + 1) % n,
                KeyCode::Left => (i + n - 1) % n,
                _ => return false,
            };
            self.value = opts[next].0.clone();
            self.error = None;
            return next != i;
        }
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                if self.value.chars().count() >= 300 {
                    return false;
                }
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.value.is_empty() {
                    return false;
                }
                self.value.clear();
                self.cursor = 0;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.value.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                return false;
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                return false;
            }
            KeyCode::Home => {
                self.cursor = 0;
                return false;
            }
            KeyCode::End => {
                self.cursor = len;
                return false;
            }
            _ => return false,
        }
        self.error = None;
        true
    }
}

#[derive(Clone, Debug, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// First field shown when the form is taller than its area.
    scroll: usize,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        let mut f = Form {
            fields,
            focus: 0,
            dirty: false,
            scroll: 0,
        };
        f.focus = f.fields.iter().position(|x| !x.readonly).unwrap_or(0);
        f
    }

    pub fn get(&self, code: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.value.as_str())
            .unwrap_or("")
    }

    pub fn field_mut(&mut self, code: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.code == code)
    }

    pub fn has(&self, code: &str) -> bool {
        self.fields.iter().any(|f| f.code == code)
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Put an error on a field; false if the form has no such field.
    pub fn set_error(&mut self, code: &str, text: String) -> bool {
        match self.field_mut(code) {
            Some(f) => {
                f.error = Some(text);
                true
            }
            None => false,
        }
    }

    pub fn error_count(&self) -> usize {
        self.fields.iter().filter(|f| f.error.is_some()).count()
    }

    /// Focus the first field with an error.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn next(&mut self) {
        self.step(1);
    }

    pub fn prev(&mut self) {
        self.step(self.fields.len().saturating_sub(1));
    }

    fn step(&mut self, by: usize) {
        let n = self.fields.len();
        if n == 0 {
            return;
        }
        for _ in 0..n {
            self.focus = (self.focus + by) % n;
            if !self.fields[self.focus].readonly {
                break;
            }
        }
    }

    /// Movement and editing keys; true when the key was used.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.next(),
            KeyCode::BackTab | KeyCode::Up => self.prev(),
            KeyCode::Enter => self.next(),
            _ => {
                let Some(f) = self.fields.get_mut(self.focus) else {
                    return false;
                };
                let before = (f.value.clone(), f.cursor);
                let changed = f.edit(key);
                if changed {
                    self.dirty = true;
                }
                return changed || before.1 != self.fields[self.focus].cursor || is_edit_key(key);
            }
        }
        true
    }

    /// The first of `indices` shown when `rows` lines are available: keeps the focus in view.
    pub fn first_visible(&self, indices: &[usize], rows: usize) -> usize {
        let pos = indices.iter().position(|i| *i == self.focus).unwrap_or(0);
        if rows == 0 {
            0
        } else {
            (pos + 1).saturating_sub(rows)
        }
    }

    /// Draw only the fields at `indices` (e.g. one stage of a long form), keeping the focused
    /// one in view. Returns where the cursor goes.
    pub fn render_rows(
        &mut self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        label_width: u16,
        active: bool,
        indices: &[usize],
    ) -> Option<Position> {
        let first = self.first_visible(indices, area.height as usize);
        let mut cursor = None;
        for (row, idx) in indices
            .iter()
            .skip(first)
            .take(area.height as usize)
            .enumerate()
        {
            let saved = std::mem::take(&mut self.fields);
            let one = vec![saved[*idx].clone()];
            let mut sub = Form {
                fields: one,
                focus: 0,
                dirty: false,
                scroll: 0,
            };
            let c = sub.render(
                Rect::new(area.x, area.y + row as u16, area.width, 1),
                buf,
                theme,
                label_width,
                active && *idx == self.focus,
            );
            self.fields = saved;
            if c.is_some() {
                cursor = c;
            }
        }
        cursor
    }

    /// Draw the fields one per line: label, value, error. Returns where the cursor goes.
    pub fn render(
        &mut self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        label_width: u16,
        active: bool,
    ) -> Option<Position> {
        let rows = area.height as usize;
        if rows == 0 {
            return None;
        }
        if self.focus < self.scroll {
            self.scroll = self.focus;
        } else if self.focus >= self.scroll + rows {
            self.scroll = self.focus + 1 - rows;
        }
        let value_x = area.x + label_width.min(area.width);
        let value_w = area.width.saturating_sub(label_width + 2) as usize;
        let mut cursor = None;
        for (row, (i, f)) in self
            .fields
            .iter()
            .enumerate()
            .skip(self.scroll)
            .take(rows)
            .enumerate()
        {
            let y = area.y + row as u16;
            let focused = active && i == self.focus;
            let marker = if f.error.is_some() {
                theme.sym.error
            } else {
                " "
            };
            let label = truncate(
                &f.label,
                label_width.saturating_sub(2) as usize,
                theme.sym.ellipsis,
            );
            let label_style = if f.error.is_some() {
                theme.error
            } else {
                theme.label
            };
            Paragraph::new(Line::from(vec![
                Span::styled(marker, theme.error),
                Span::styled(label, label_style),
            ]))
            .render(Rect::new(area.x, y, label_width.min(area.width), 1), buf);
            let shown = f.display();
            let style = if focused {
                theme.field_focus
            } else if f.readonly {
                theme.field_readonly
            } else {
                theme.field
            };
            let (text, cursor_col) = if matches!(f.kind, FieldKind::Choice(_)) {
                let t = if f.readonly {
                    shown
                } else {
                    format!("< {shown} >")
                };
                (truncate(&t, value_w, theme.sym.ellipsis), None)
            } else {
                visible_window(&shown, f.cursor, value_w)
            };
            Paragraph::new(text)
                .style(style)
                .render(Rect::new(value_x, y, value_w as u16, 1), buf);
            if focused && let Some(c) = cursor_col {
                cursor = Some(Position::new(value_x + c as u16, y));
            }
        }
        cursor
    }
}

fn is_edit_key(key: &KeyEvent) -> bool {
    matches!(
        key.code,
        KeyCode::Char(_)
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Home
            | KeyCode::End
    ) && !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// The part of `s` that fits in `width` columns with the cursor visible, and the cursor's column.
fn visible_window(s: &str, cursor: usize, width: usize) -> (String, Option<usize>) {
    if width == 0 {
        return (String::new(), None);
    }
    let chars: Vec<char> = s.chars().collect();
    let start = (cursor + 1).saturating_sub(width);
    let text: String = chars.iter().skip(start).take(width).collect();
    (text, Some(cursor - start))
}

/// Cut `s` to `width` characters, marking the cut with an ellipsis.
pub fn truncate(s: &str, width: usize, ellipsis: &str) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push_str(ellipsis);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn typing_edits_at_the_cursor_in_cyrillic() {
        let mut f = Field::text("x", "X", "Иванв");
        f.edit(&key(KeyCode::Left));
        f.edit(&key(KeyCode::Char('о')));
        assert_eq!(f.value, "Иванов");
        f.edit(&key(KeyCode::Home));
        f.edit(&key(KeyCode::Delete));
        assert_eq!(f.value, "ванов");
        f.edit(&key(KeyCode::End));
        f.edit(&key(KeyCode::Backspace));
        assert_eq!(f.value, "вано");
    }

    #[test]
    fn choices_cycle() {
        let mut f = Field::choice(
            "p",
            "P",
            vec![("a".into(), "A".into()), ("b".into(), "B".into())],
            "a",
        );
        f.edit(&key(KeyCode::Right));
        assert_eq!(f.value, "b");
        f.edit(&key(KeyCode::Right));
        assert_eq!(f.value, "a");
        f.edit(&key(KeyCode::Left));
        assert_eq!(f.value, "b");
        assert_eq!(f.display(), "B");
    }

    #[test]
    fn focus_skips_readonly_fields() {
        let mut form = Form::new(vec![
            Field::text("a", "A", "").readonly(true),
            Field::text("b", "B", ""),
            Field::text("c", "C", ""),
        ]);
        assert_eq!(form.focus, 1);
        form.next();
        assert_eq!(form.focus, 2);
        form.next();
        assert_eq!(form.focus, 1);
    }

    #[test]
    fn window_keeps_cursor_visible() {
        assert_eq!(visible_window("abcdef", 6, 4), ("def".to_string(), Some(3)));
        assert_eq!(visible_window("abc", 1, 10), ("abc".to_string(), Some(1)));
        assert_eq!(truncate("Константинопольский", 6, "…"), "Конст…");
    }
}
