//! The member-lookup pane: a search box that is always typed into, a search on every
//! keystroke by a worker thread with its own read-only connection (the newest query replaces
//! any waiting one; replies to older queries are dropped), and the member card (see
//! `member_card.rs`) opened with Enter.
//!
//! Each letter shows in the box at once, but the list of results is replaced only once the
//! typing pauses (`[ui] search_settle_ms`): over a slow link a new list per letter is most of
//! what the terminal is sent. Until then the list shown is for the earlier text, and the
//! count line under it says so; Enter on such a list first shows the list for what is typed
//! (it never opens a member the clerk could not see in the list), and the arrows show it too.

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
use std::time::{Duration, Instant};

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
    /// How long typing must pause before the list is replaced (`[ui] search_settle_ms`).
    pub settle: Duration,
    /// When the last letter came, while the list waits for typing to pause.
    typed_at: Option<Instant>,
    /// Results that came while typing, for the text they answer: shown once typing pauses.
    held: Option<(String, Vec<MemberHit>)>,
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
            settle: crate::config::UiConfig::default().search_settle(),
            typed_at: None,
            held: None,
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

    /// The list shown is for other text than the search box holds (typing has not paused,
    /// or the search has not answered yet).
    pub fn stale(&self) -> bool {
        self.searched != self.search.value
    }

    /// When the list waiting for a pause in typing is due to be shown.
    pub fn settle_deadline(&self) -> Option<Instant> {
        self.typed_at.map(|t| t + self.settle)
    }

    /// Results in hand that wait for typing to pause.
    pub fn held(&self) -> bool {
        self.held.is_some()
    }

    /// Show `hits` as the results for `text`; the cursor stays on the same member when the
    /// text is the same (more results, a refresh), else goes to the first.
    fn show(&mut self, text: String, hits: Vec<MemberHit>) {
        let same = text == self.searched;
        let keep = self.selected().map(|h| h.id);
        self.hits = hits;
        self.searched = text;
        if !same {
            self.cursor = 0;
            self.offset = 0;
        } else if let Some(id) = keep {
            self.cursor = self.hits.iter().position(|h| h.id == id).unwrap_or(0);
        }
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
        self.members.held = None;
        if member::MemberQuery::parse(&text).is_empty() {
            self.members.typed_at = None;
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
            // Typing goes on: the list waits for a pause (a new list per letter is most of
            // what a slow link would carry).
            Ok(hits) if self.members.typed_at.is_some() && reply.text != self.members.searched => {
                self.members.held = Some((reply.text, hits));
            }
            Ok(hits) => self.members.show(reply.text, hits),
            Err(e) => self.store_error(&e),
        }
        true
    }

    /// Typing has paused for the settle interval by `now`: show the results it waited for.
    /// The event loop calls this (through [`App::tick_at`]) when the deadline passes; true
    /// when the screen changed.
    pub fn members_settle_due(&mut self, now: Instant) -> bool {
        match self.members.settle_deadline() {
            Some(due) if now >= due => self.members_settle_now(),
            _ => false,
        }
    }

    /// Stop waiting for a pause: the results in hand are shown now, and any still to come
    /// are shown as they come. True when the list changed.
    pub fn members_settle_now(&mut self) -> bool {
        self.members.typed_at = None;
        match self.members.held.take() {
            Some((text, hits)) => {
                self.members.show(text, hits);
                true
            }
            None => false,
        }
    }

    /// Wait (up to `timeout`) for the search in flight, and show its results without waiting
    /// for a pause in typing; for tests and scripts.
    pub fn members_wait(&mut self, timeout: Duration) -> bool {
        let answered = self.members_wait_reply(timeout);
        self.members_settle_now();
        answered
    }

    /// Wait (up to `timeout`) for the worker to answer the search in flight, as the event
    /// loop would take it: results that come while typing are held, not shown.
    pub fn members_wait_reply(&mut self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.members.pending && Instant::now() < end {
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
                if !self.members.settle.is_zero() {
                    self.members.typed_at = Some(self.key_at);
                }
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
        // Any key but a letter ends the typing: the list for what is typed is shown first.
        // Enter on a list for other text shows the right list and opens nothing: the clerk
        // opens a member seen in the list for what they typed, never one they could not see.
        let stale = self.members.stale();
        self.members_settle_now();
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
            Action::Open if stale => {}
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
            let text = if m.search.value.trim().is_empty() {
                cat.t("member.type_to_search")
            } else if m.pending || m.stale() {
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
        // A list for earlier text says which text it is for.
        let for_text = m.searched.trim();
        let mut spans = vec![if m.stale() && !for_text.is_empty() {
            let quoted = truncate(for_text, 24, t.sym.ellipsis);
            Span::styled(
                self.cat
                    .f("member.found_for", &[("n", &count), ("text", &quoted)]),
                t.muted,
            )
        } else {
            Span::styled(self.cat.f("member.found", &[("n", &count)]), t.title)
        }];
        // Not while typing: the list waits for a pause anyway, and the note would come and
        // go with every letter.
        if m.pending && m.typed_at.is_none() {
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
