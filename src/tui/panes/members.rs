//! The member-lookup pane: a search box that is always typed into, results refreshed on every
//! keystroke by a worker thread with its own read-only connection (the newest query replaces
//! any waiting one; replies to older queries are dropped), and the member card (see
//! `member_card.rs`) opened with Enter.

use super::member_card::CardView;
use crate::domain::Role;
use crate::domain::member::{self, MemberStatus};
use crate::store::StoreError;
use crate::store::members::{MemberHit, open_reader, search};
use crate::tui::app::App;
use crate::tui::keymap::{self, Action, Ctx};
use crate::tui::widgets::form::{Field, truncate};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// Results asked for at a time; more are asked for when the cursor reaches the end.
const BATCH: usize = 50;

/// How often an open card is read again for what other desks logged.
const CARD_REFRESH: Duration = Duration::from_secs(15);

struct Request {
    id: u64,
    text: String,
    limit: usize,
}

struct Reply {
    id: u64,
    text: String,
    result: Result<Vec<MemberHit>, StoreError>,
}

/// The search thread: owns a read-only connection; always works on the newest request.
struct SearchWorker {
    tx: Sender<Request>,
    rx: Receiver<Reply>,
}

impl SearchWorker {
    fn spawn(path: PathBuf) -> SearchWorker {
        let (req_tx, req_rx) = mpsc::channel::<Request>();
        let (rep_tx, rep_rx) = mpsc::channel::<Reply>();
        std::thread::spawn(move || {
            let conn = open_reader(&path);
            while let Ok(mut req) = req_rx.recv() {
                // Only the latest query matters: the clerk has typed on.
                while let Ok(newer) = req_rx.try_recv() {
                    req = newer;
                }
                let result = match &conn {
                    Ok(c) => search(c, &req.text, req.limit),
                    Err(e) => Err(StoreError::Io(e.to_string())),
                };
                let reply = Reply {
                    id: req.id,
                    text: req.text,
                    result,
                };
                if rep_tx.send(reply).is_err() {
                    break;
                }
            }
        });
        SearchWorker {
            tx: req_tx,
            rx: rep_rx,
        }
    }
}

pub struct MembersState {
    pub search: Field,
    pub hits: Vec<MemberHit>,
    pub cursor: usize,
    /// First result shown (the list scrolls with the cursor).
    pub offset: usize,
    pub limit: usize,
    /// The query the hits are for.
    pub searched: String,
    sent: u64,
    pub pending: bool,
    worker: Option<SearchWorker>,
    pub card: Option<Box<CardView>>,
    /// When the open card was read: it is read again now and then, so that what other desks
    /// log shows up, and when a dialog opened from it closes.
    pub card_read: Option<std::time::Instant>,
    pub cursor_pos: Option<Position>,
    /// Roles that see personal data in full (`[privacy]`).
    pub full_access: Vec<Role>,
}

impl Default for MembersState {
    fn default() -> Self {
        MembersState {
            search: Field::text("member_search", "", ""),
            hits: Vec::new(),
            cursor: 0,
            offset: 0,
            limit: BATCH,
            searched: String::new(),
            sent: 0,
            pending: false,
            worker: None,
            card: None,
            card_read: None,
            cursor_pos: None,
            full_access: crate::config::Privacy::default().roles(),
        }
    }
}

impl MembersState {
    pub fn selected(&self) -> Option<&MemberHit> {
        self.hits.get(self.cursor)
    }
}

impl App {
    /// Whether this person sees full personal data without revealing it.
    pub(crate) fn sees_personal_data(&self) -> bool {
        member::sees_personal_data(self.roles(), &self.members.full_access)
    }

    /// Send the search box's text to the worker (never waits for the answer).
    pub(crate) fn members_search(&mut self) {
        let text = self.members.search.value.clone();
        if member::MemberQuery::parse(&text).is_empty() {
            self.members.hits.clear();
            self.members.searched = text;
            self.members.pending = false;
            self.members.sent += 1;
            self.members.cursor = 0;
            self.members.offset = 0;
            return;
        }
        if self.members.worker.is_none() {
            self.members.worker = Some(SearchWorker::spawn(self.store.path().to_path_buf()));
        }
        self.members.sent += 1;
        let req = Request {
            id: self.members.sent,
            text,
            limit: self.members.limit,
        };
        if let Some(w) = &self.members.worker
            && w.tx.send(req).is_ok()
        {
            self.members.pending = true;
        }
    }

    /// Take the worker's replies; true when the results changed.
    pub(crate) fn members_tick(&mut self) -> bool {
        let card_due = self.members.card.is_some()
            && self.overlays.is_empty()
            && self
                .members
                .card_read
                .is_none_or(|t| t.elapsed() >= CARD_REFRESH);
        if card_due {
            self.refresh_card();
            return true;
        }
        let Some(w) = &self.members.worker else {
            return false;
        };
        let mut latest = None;
        while let Ok(reply) = w.rx.try_recv() {
            if reply.id == self.members.sent {
                latest = Some(reply);
            }
        }
        let Some(reply) = latest else {
            return false;
        };
        self.members.pending = false;
        match reply.result {
            Ok(hits) => {
                let same = reply.text == self.members.searched;
                let keep = self.members.selected().map(|h| h.id);
                self.members.hits = hits;
                self.members.searched = reply.text;
                if !same {
                    self.members.cursor = 0;
                    self.members.offset = 0;
                } else if let Some(id) = keep {
                    self.members.cursor = self
                        .members
                        .hits
                        .iter()
                        .position(|h| h.id == id)
                        .unwrap_or(0);
                }
            }
            Err(e) => self.store_error(&e),
        }
        true
    }

    /// Wait (up to `timeout`) for the search in flight; for tests and scripts.
    pub fn members_wait(&mut self, timeout: Duration) -> bool {
        let end = std::time::Instant::now() + timeout;
        while self.members.pending && std::time::Instant::now() < end {
            if self.members_tick() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        !self.members.pending
    }

    /// A key on the members pane (no overlay open). True when it was used here.
    pub(crate) fn members_key(&mut self, key: KeyEvent) -> bool {
        if self.members.card.is_some() {
            return self.card_key(key);
        }
        let typing = matches!(
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
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if typing {
            self.message = None;
            if self.members.search.edit(&key) {
                self.members.limit = BATCH;
                self.members_search();
            }
            return true;
        }
        if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.members.search = Field::text("member_search", "", "");
            self.members_search();
            return true;
        }
        let Some(action) = keymap::lookup(Ctx::Members, &key) else {
            return false;
        };
        self.message = None;
        let n = self.members.hits.len();
        match action {
            Action::Down => {
                if self.members.cursor + 1 < n {
                    self.members.cursor += 1;
                }
                self.maybe_more();
            }
            Action::Up => self.members.cursor = self.members.cursor.saturating_sub(1),
            Action::PageDown => {
                self.members.cursor = (self.members.cursor + 10).min(n.saturating_sub(1));
                self.maybe_more();
            }
            Action::PageUp => self.members.cursor = self.members.cursor.saturating_sub(10),
            Action::Open => {
                if let Some(id) = self.members.selected().map(|h| h.id) {
                    self.open_card(id);
                }
            }
            Action::Close => {
                self.members.search = Field::text("member_search", "", "");
                self.members_search();
            }
            Action::Refresh => self.members_search(),
            _ => return false,
        }
        true
    }

    /// At the end of what was found and there may be more: ask for the next batch.
    fn maybe_more(&mut self) {
        let m = &self.members;
        if m.cursor + 1 >= m.hits.len()
            && m.hits.len() >= m.limit
            && m.limit < crate::store::members::MAX_RESULTS
            && !m.pending
        {
            self.members.limit += BATCH;
            self.members_search();
        }
    }

    // ----- drawing -------------------------------------------------------------------------

    pub(crate) fn draw_members(&mut self, f: &mut Frame, area: Rect) {
        if self.members.card.is_some() {
            self.members.cursor_pos = None;
            self.draw_card(f, area);
            return;
        }
        let [line, table, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_member_search_line(f, line);
        self.draw_member_table(f, table);
        self.draw_member_footer(f, footer);
    }

    fn draw_member_search_line(&mut self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let label = format!("{}: ", self.cat.t("member.search"));
        let label_w = label.chars().count() as u16;
        let w = area.width.saturating_sub(label_w) as usize;
        let value = &self.members.search.value;
        let cur = self.members.search.cursor;
        let start = (cur + 1).saturating_sub(w);
        let shown: String = value.chars().skip(start).take(w).collect();
        let mut spans = vec![Span::styled(label, t.label)];
        if value.is_empty() {
            spans.push(Span::styled(
                format!(
                    "{:<w$}",
                    truncate(self.cat.t("member.search_hint"), w, t.sym.ellipsis)
                ),
                t.field_focus,
            ));
        } else {
            spans.push(Span::styled(format!("{shown:<w$}"), t.field_focus));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
        self.members.cursor_pos = Some(Position::new(
            area.x + label_w + (cur - start) as u16,
            area.y,
        ));
    }

    fn draw_member_table(&mut self, f: &mut Frame, area: Rect) {
        let t = self.theme.clone();
        let cat = &self.cat;
        let full = self.sees_personal_data();
        let rows_h = area.height.saturating_sub(1) as usize;
        let m = &mut self.members;
        if m.cursor < m.offset {
            m.offset = m.cursor;
        } else if rows_h > 0 && m.cursor >= m.offset + rows_h {
            m.offset = m.cursor + 1 - rows_h;
        }
        let header = Row::new(vec![
            Cell::from(cat.t("member.col_no")),
            Cell::from(cat.t("member.col_name")),
            Cell::from(cat.t("member.col_birth")),
            Cell::from(cat.t("member.col_status")),
            Cell::from(cat.t("member.col_office")),
            Cell::from(cat.t("member.col_phone")),
        ])
        .style(t.header);
        let widths = [
            Constraint::Length(6),
            Constraint::Min(20),
            Constraint::Length(10),
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(16),
        ];
        let rows: Vec<Row> = m
            .hits
            .iter()
            .enumerate()
            .skip(m.offset)
            .take(rows_h)
            .map(|(i, h)| {
                let style = if i == m.cursor {
                    t.selected
                } else if h.status == MemberStatus::Left {
                    t.closed
                } else {
                    Style::default()
                };
                let (birth, phone) = if full {
                    (
                        h.birth_date.format("%d.%m.%Y").to_string(),
                        crate::domain::validate::phone_display(&h.phone),
                    )
                } else {
                    (
                        member::mask_birth_date(h.birth_date),
                        member::mask_phone(&h.phone),
                    )
                };
                Row::new(vec![
                    Cell::from(h.member_no.clone().unwrap_or_default()),
                    Cell::from(h.full_name.clone()),
                    Cell::from(birth),
                    Cell::from(
                        cat.t(&format!("member.status.{}", h.status.code()))
                            .to_string(),
                    ),
                    Cell::from(h.office_code.clone()),
                    Cell::from(phone),
                ])
                .style(style)
            })
            .collect();
        let empty = rows.is_empty();
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            area,
        );
        if empty && area.height > 2 {
            let text = if m.searched.trim().is_empty() {
                cat.t("member.type_to_search")
            } else if m.pending {
                cat.t("member.searching")
            } else {
                cat.t("member.nothing_found")
            };
            f.render_widget(
                Paragraph::new(text).style(t.muted),
                Rect::new(area.x, area.y + 2, area.width, 1),
            );
        }
    }

    fn draw_member_footer(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let m = &self.members;
        let count = if m.hits.len() >= m.limit {
            format!("{}+", m.hits.len())
        } else {
            m.hits.len().to_string()
        };
        let mut spans = vec![Span::styled(
            self.cat.f("member.found", &[("n", &count)]),
            t.title,
        )];
        if m.pending {
            spans.push(Span::styled(
                format!("  {}", self.cat.t("member.searching")),
                t.muted,
            ));
        }
        if !self.sees_personal_data() {
            spans.push(Span::styled(format!("  {}  ", t.sym.sep), t.muted));
            spans.push(Span::styled(self.cat.t("member.masked_note"), t.muted));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }
}
