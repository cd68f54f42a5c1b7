//! Printing from the desk: the menu of the documents that fit the selected application now,
//! the document's preview (scrollable, exactly the text that will be printed), and the print
//! itself — files written, the print command run, the print recorded, the path told.

use crate::docs::DocKind;
use crate::docs::print::{self, Prepared, Recorder};
use crate::docs::render::PAGE_BREAK;
use crate::i18n::Catalog;
use crate::store::prints::PrintOutcome;
use crate::tui::app::{App, Overlay, centered};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub struct PrintMenu {
    pub app_id: i64,
    pub number: String,
    pub options: Vec<DocKind>,
    pub cursor: usize,
}

impl PrintMenu {
    pub fn draw(&self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        let popup = centered(area, 60, self.options.len() as u16 + 2);
        f.render_widget(Clear, popup);
        let title = format!(" {} ", cat.f("doc.menu_title", &[("number", &self.number)]));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(title, t.title));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let lines: Vec<Line> = self
            .options
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let (style, pointer) = if i == self.cursor {
                    (t.selected, t.sym.pointer)
                } else {
                    (t.base, " ")
                };
                Line::from(Span::styled(
                    format!("{pointer} {}", cat.t(&k.title_key())),
                    style,
                ))
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}

pub struct PrintPreview {
    pub doc: Prepared,
    /// The text as shown: page breaks drawn as a dashed line.
    pub lines: Vec<String>,
    pub scroll: usize,
    /// Rows visible at the last draw, for paging.
    pub rows: usize,
}

impl PrintPreview {
    pub fn new(doc: Prepared) -> PrintPreview {
        let lines = doc
            .rendered
            .text
            .lines()
            .flat_map(|l| {
                l.split(PAGE_BREAK)
                    .enumerate()
                    .flat_map(|(i, part)| {
                        let mut v = Vec::new();
                        if i > 0 {
                            v.push("- ".repeat(39));
                        }
                        if !(i > 0 && part.is_empty()) {
                            v.push(part.to_string());
                        }
                        v
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        PrintPreview {
            doc,
            lines,
            scroll: 0,
            rows: 18,
        }
    }

    fn last_top(&self) -> usize {
        self.lines.len().saturating_sub(self.rows)
    }

    pub fn draw(&mut self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        let popup = area;
        f.render_widget(Clear, popup);
        let mut title = self.doc.title.clone();
        if self.doc.copy > 1 {
            title.push_str(&format!(
                " ({})",
                cat.f("doc.copy", &[("n", &self.doc.copy.to_string())])
            ));
        }
        // No side borders: an 80-column terminal shows the whole width of a document.
        let block = Block::default()
            .borders(Borders::TOP | Borders::BOTTOM)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(format!(" {title} "), t.title))
            .title_bottom(Line::from(vec![
                Span::styled(format!(" {} ", cat.t("doc.preview_hint")), t.hint_text),
                Span::styled(
                    format!(
                        " {}-{}/{} ",
                        (self.scroll + 1).min(self.lines.len()),
                        (self.scroll + self.rows).min(self.lines.len()),
                        self.lines.len()
                    ),
                    t.muted,
                ),
            ]));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        self.rows = inner.height.max(1) as usize;
        self.scroll = self.scroll.min(self.last_top());
        let lines: Vec<Line> = self
            .lines
            .iter()
            .skip(self.scroll)
            .take(self.rows)
            .map(|l| Line::from(l.as_str()))
            .collect();
        f.render_widget(Paragraph::new(lines).style(t.base), inner);
    }
}

impl App {
    /// The documents that fit application `id` now, as a menu.
    pub(crate) fn open_print_menu(&mut self, id: i64) {
        let app = match self.store.application(id) {
            Ok(a) => a,
            Err(e) => return self.store_error(&e),
        };
        let options = match print::offered_for(&self.store, &app) {
            Ok(o) => o,
            Err(e) => return self.store_error(&e),
        };
        if options.is_empty() {
            let m = self.cat.f("doc.menu_none", &[("number", &app.number)]);
            return self.error(m);
        }
        let cursor = crate::docs::suggested(app.status, &options);
        self.overlays.push(Overlay::PrintMenu(PrintMenu {
            app_id: app.id,
            number: app.number,
            options,
            cursor,
        }));
    }

    pub(crate) fn print_menu_key(&mut self, key: KeyEvent) {
        let Some(Overlay::PrintMenu(m)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::Up => m.cursor = m.cursor.saturating_sub(1),
            KeyCode::Down => m.cursor = (m.cursor + 1).min(m.options.len().saturating_sub(1)),
            KeyCode::Home => m.cursor = 0,
            KeyCode::End => m.cursor = m.options.len().saturating_sub(1),
            KeyCode::Enter => {
                let (id, kind) = (m.app_id, m.options[m.cursor]);
                self.open_preview(id, kind);
            }
            _ => {}
        }
    }

    fn open_preview(&mut self, id: i64, kind: DocKind) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let app = match self.store.application(id) {
            Ok(a) => a,
            Err(e) => return self.store_error(&e),
        };
        let templates = crate::docs::Templates::new(self.print.assets_dir.as_deref());
        match print::prepare(
            &self.store,
            &templates,
            &self.rules,
            &self.cat,
            &app,
            kind,
            (&actor.login, &actor.name),
            self.clock.today,
        ) {
            Ok(doc) => self
                .overlays
                .push(Overlay::PrintPreview(Box::new(PrintPreview::new(doc)))),
            Err(e) => {
                let m = e.message(&self.cat);
                self.error(m);
            }
        }
    }

    pub(crate) fn print_preview_key(&mut self, key: KeyEvent) {
        let Some(Overlay::PrintPreview(p)) = self.overlays.last_mut() else {
            return;
        };
        let page = p.rows.saturating_sub(1).max(1);
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::Down => p.scroll = (p.scroll + 1).min(p.last_top()),
            KeyCode::Up => p.scroll = p.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => {
                p.scroll = (p.scroll + page).min(p.last_top())
            }
            KeyCode::PageUp => p.scroll = p.scroll.saturating_sub(page),
            KeyCode::Home => p.scroll = 0,
            KeyCode::End => p.scroll = p.last_top(),
            KeyCode::Enter => self.print_previewed(),
            _ => {}
        }
    }

    /// Print what the preview shows; close the preview and the menu; say where the file is.
    fn print_previewed(&mut self) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let Some(Overlay::PrintPreview(p)) = self.overlays.last() else {
            return;
        };
        let doc = p.doc.clone();
        let settings = self.print.clone();
        let result = print::deliver(
            &mut self.store,
            &settings,
            &doc,
            Recorder::Desk(&actor),
            None,
            self.clock.now(),
        );
        // The preview and the menu under it close either way.
        self.overlays.pop();
        if matches!(self.overlays.last(), Some(Overlay::PrintMenu(_))) {
            self.overlays.pop();
        }
        match result {
            Ok(done) => {
                // The message line is as wide as the smallest terminal the desk runs in.
                let said = print::summary(&self.cat, &done, &settings.command, Some(80));
                if done.outcome == PrintOutcome::Failed {
                    self.error(said);
                } else {
                    self.info(said);
                }
                // The dialog under it shows the print in its history.
                if matches!(self.overlays.last(), Some(Overlay::Dialog(_))) {
                    self.reload_dialog();
                }
            }
            Err(e) => {
                let m = e.message(&self.cat);
                self.error(m);
            }
        }
    }
}
