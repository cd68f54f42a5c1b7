//! The audit trail of one application or one member, browsed by a head (issue 9 §5): when,
//! who, what, before → after, newest first, read from the store a page at a time. Opened
//! from the application dialog and from the member card; the store refuses anyone but a head
//! and masks personal values for roles without full access.

use crate::i18n::Catalog;
use crate::store::audit_trail::{Subject, TrailEntry, TrailPage};
use crate::tui::app::{App, MsgKind, Overlay};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::truncate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Lines shown when the overlay has not been drawn yet (80x24 shows this many).
const DEFAULT_ROWS: usize = 12;

pub struct AuditView {
    pub subject: Subject,
    /// What the trail is about, for the title: an application's number, a member's number
    /// and name.
    pub title: String,
    /// The loaded window of the trail (newest first) and the trail's length.
    pub page: TrailPage,
    /// The selected entry's position in the whole trail (0 = the newest).
    pub cursor: usize,
    /// The first entry shown.
    pub top: usize,
    /// How many entries the last frame had room for.
    pub rows: usize,
}

impl AuditView {
    fn visible(&self) -> usize {
        self.rows.max(1)
    }

    fn loaded(&self, from: usize, to: usize) -> bool {
        let end = self.page.offset + self.page.entries.len();
        let to = to.min(self.page.total);
        from >= self.page.offset && to <= end
    }

    fn selected(&self) -> Option<&TrailEntry> {
        self.cursor
            .checked_sub(self.page.offset)
            .and_then(|i| self.page.entries.get(i))
    }

    /// The window to read so that the shown lines are loaded: a screen above and below.
    fn window(&self) -> (usize, usize) {
        let v = self.visible();
        (self.top.saturating_sub(v), v * 3)
    }

    pub fn draw(&mut self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        f.render_widget(Clear, area);
        let position = if self.page.total == 0 {
            String::new()
        } else {
            format!(" {}/{} ", self.cursor + 1, self.page.total)
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(
                    " {} ",
                    cat.f("audit_view.title", &[("what", self.title.as_str())])
                ),
                t.title,
            ))
            .title_bottom(Line::from(Span::styled(position, t.muted)).right_aligned());
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [head, list, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(5),
        ])
        .areas(inner);
        self.rows = list.height as usize;
        // Keep the selection on screen if the frame changed size.
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + self.visible() {
            self.top = self.cursor + 1 - self.visible();
        }
        let w = inner.width as usize;
        let (w_at, w_who, w_what) = (14, 10, 20);
        let w_detail = w.saturating_sub(w_at + w_who + w_what + 3);
        let ell = t.sym.ellipsis;
        let cols = |at: &str, who: &str, what: &str, detail: &str| {
            format!(
                "{:<w_at$} {:<w_who$} {:<w_what$} {}",
                truncate(at, w_at, ell),
                truncate(who, w_who, ell),
                truncate(what, w_what, ell),
                truncate(detail, w_detail, ell),
            )
        };
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                cols(
                    cat.t("audit.col_at"),
                    cat.t("audit.col_actor"),
                    cat.t("audit.col_action"),
                    cat.t("audit.col_detail"),
                ),
                t.header,
            ))),
            head,
        );
        if self.page.total == 0 {
            f.render_widget(Paragraph::new(cat.t("audit.empty")).style(t.muted), list);
            return;
        }
        let mut lines = Vec::new();
        for pos in self.top..(self.top + self.visible()).min(self.page.total) {
            let Some(e) = pos
                .checked_sub(self.page.offset)
                .and_then(|i| self.page.entries.get(i))
            else {
                break;
            };
            let text = cols(&short_time(&e.at), &e.actor, &what(cat, e), &e.detail);
            let style = if pos == self.cursor {
                t.selected
            } else {
                t.base
            };
            lines.push(Line::from(Span::styled(format!("{text:<w$}"), style)));
        }
        f.render_widget(Paragraph::new(lines), list);
        if let Some(e) = self.selected() {
            let block = Block::default()
                .borders(Borders::TOP)
                .border_set(t.border_set)
                .border_style(t.border);
            let body = block.inner(detail);
            f.render_widget(block, detail);
            let mut text = vec![Line::from(vec![
                Span::styled(format!("{}  {}  ", e.at, e.actor), t.label),
                Span::styled(what(cat, e), t.title),
            ])];
            let full = if e.detail.is_empty() {
                "—".to_string()
            } else {
                e.detail.clone()
            };
            text.push(Line::from(full));
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
    }
}

/// `23.11.26 10:05` from `2026-11-23 10:05:00`.
fn short_time(at: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(at, crate::store::TIME_FMT)
        .map(|t| t.format("%d.%m.%y %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}

/// Where it was written and what was done: `печать application`, `аудит members.edit`.
fn what(cat: &Catalog, e: &TrailEntry) -> String {
    format!(
        "{} {}",
        cat.t(&format!("audit.source_{}", e.source)),
        e.action
    )
}

impl App {
    /// Open the trail of an application or a member. The store decides who may: a refusal
    /// is said where the person is looking (the dialog's own line, or the message line).
    pub(crate) fn open_audit(&mut self, subject: Subject, title: String) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let page = self.store.trail_page(
            &actor,
            subject,
            &self.members.full_access,
            0,
            DEFAULT_ROWS * 3,
        );
        match page {
            Ok(page) => self.overlays.push(Overlay::Audit(Box::new(AuditView {
                subject,
                title,
                page,
                cursor: 0,
                top: 0,
                rows: DEFAULT_ROWS,
            }))),
            Err(e) => {
                let m = e.message(&self.cat);
                match self.top_dialog() {
                    Some(d) => d.message = Some((MsgKind::Error, m)),
                    None => self.error(m),
                }
            }
        }
    }

    pub(crate) fn audit_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Audit(v)) = self.overlays.last_mut() else {
            return;
        };
        let last = v.page.total.saturating_sub(1);
        let page = v.visible();
        match key.code {
            KeyCode::Esc | KeyCode::F(10) => {
                self.overlays.pop();
                return;
            }
            KeyCode::Up => v.cursor = v.cursor.saturating_sub(1),
            KeyCode::Down => v.cursor = (v.cursor + 1).min(last),
            KeyCode::PageUp => {
                v.cursor = v.cursor.saturating_sub(page);
                v.top = v.top.saturating_sub(page);
            }
            KeyCode::PageDown => {
                v.cursor = (v.cursor + page).min(last);
                v.top = (v.top + page).min(v.page.total.saturating_sub(page));
            }
            KeyCode::Home => v.cursor = 0,
            KeyCode::End => v.cursor = last,
            _ => return,
        }
        if v.cursor < v.top {
            v.top = v.cursor;
        } else if v.cursor >= v.top + page {
            v.top = v.cursor + 1 - page;
        }
        if v.loaded(v.top, v.top + page) {
            return;
        }
        let (offset, limit) = v.window();
        let subject = v.subject;
        let Some(actor) = self.actor.clone() else {
            return;
        };
        match self
            .store
            .trail_page(&actor, subject, &self.members.full_access, offset, limit)
        {
            Ok(p) => {
                if let Some(Overlay::Audit(v)) = self.overlays.last_mut() {
                    v.page = p;
                    let last = v.page.total.saturating_sub(1);
                    v.cursor = v.cursor.min(last);
                    v.top = v.top.min(v.cursor);
                }
            }
            Err(e) => {
                self.overlays.pop();
                self.store_error(&e);
            }
        }
    }
}
