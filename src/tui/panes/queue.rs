//! The application journal: a keyset-paged table, search as you type, filters, sorting,
//! and the actions on the selected application.

use crate::domain::application::{Refusal, may_transition, offered_steps};
use crate::domain::{Money, Role, Status};
use crate::store::applications::{PageFrom, QueueQuery, QueueRow, SortKey};
use crate::tui::app::{App, Overlay, short_duration};
use crate::tui::keymap::Action;
use crate::tui::panes::dialog::AppDialog;
use crate::tui::panes::filter::FilterForm;
use crate::tui::panes::step::{StepForm, StepMenu};
use crate::tui::widgets::form::{Field, truncate};
use crate::tui::widgets::grid::{self, GridCell};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;

/// Which statuses the journal shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusView {
    /// Everything not yet archived or rejected.
    #[default]
    Open,
    All,
    One(Status),
}

impl StatusView {
    pub fn statuses(self) -> Vec<Status> {
        match self {
            StatusView::Open => Status::ALL.into_iter().filter(|s| !s.is_final()).collect(),
            StatusView::All => vec![],
            StatusView::One(s) => vec![s],
        }
    }

    fn next(self) -> StatusView {
        match self {
            StatusView::Open => StatusView::All,
            StatusView::All => StatusView::One(Status::New),
            StatusView::One(Status::Rejected) => StatusView::Open,
            StatusView::One(s) => StatusView::One(Status::ALL[s.rank() as usize + 1]),
        }
    }

    pub fn code(self) -> String {
        match self {
            StatusView::Open => "open".into(),
            StatusView::All => "all".into(),
            StatusView::One(s) => s.code().into(),
        }
    }

    pub fn from_code(c: &str) -> StatusView {
        match c {
            "all" => StatusView::All,
            "open" => StatusView::Open,
            other => other.parse().map(StatusView::One).unwrap_or_default(),
        }
    }
}

#[derive(Default)]
pub struct QueueState {
    pub query: QueueQuery,
    pub view: StatusView,
    pub mine: bool,
    pub rows: Vec<QueueRow>,
    pub cursor: usize,
    /// 1-based position of `rows[0]` among all matching rows.
    pub first_pos: u64,
    pub total: u64,
    pub page_size: usize,
    pub search: Option<Field>,
    pub search_focus: bool,
    pub search_cursor: Option<Position>,
}

impl QueueState {
    pub fn selected(&self) -> Option<&QueueRow> {
        self.rows.get(self.cursor)
    }
}

impl App {
    fn effective_query(&self) -> QueueQuery {
        let mut q = self.queue.query.clone();
        q.statuses = self.queue.view.statuses();
        q.assignee_id = if self.queue.mine {
            self.actor.as_ref().map(|a| a.staff_id)
        } else {
            q.assignee_id
        };
        q.search = self
            .queue
            .search
            .as_ref()
            .map(|f| f.value.clone())
            .unwrap_or_default();
        q
    }

    fn page_size(&self) -> usize {
        self.queue.page_size.max(1)
    }

    /// Load the page from the top.
    pub fn reload_queue(&mut self) {
        self.load_page(PageFrom::Start, 1, 0);
    }

    /// Redraw the current page in place (after a change), keeping the cursor where it was.
    pub fn refresh_queue(&mut self) {
        match self.queue.rows.first().map(|r| r.page_key()) {
            Some(k) => {
                let (pos, cur) = (self.queue.first_pos, self.queue.cursor);
                self.load_page(PageFrom::At(k), pos, cur);
                if self.queue.rows.is_empty() {
                    self.reload_queue();
                }
            }
            None => self.reload_queue(),
        }
    }

    fn load_page(&mut self, from: PageFrom, first_pos: u64, cursor: usize) {
        let q = self.effective_query();
        let n = self.page_size();
        match self
            .store
            .queue_page(&q, &from, n)
            .and_then(|rows| Ok((rows, self.store.queue_count(&q)?)))
        {
            Ok((rows, total)) => {
                self.queue.total = total;
                self.queue.first_pos = if matches!(from, PageFrom::End) {
                    total.saturating_sub(rows.len() as u64) + 1
                } else {
                    first_pos
                };
                self.queue.cursor = cursor.min(rows.len().saturating_sub(1));
                self.queue.rows = rows;
            }
            Err(e) => self.store_error(&e),
        }
    }

    fn move_down(&mut self) {
        let q = &mut self.queue;
        if q.cursor + 1 < q.rows.len() {
            q.cursor += 1;
            return;
        }
        let Some(last) = q.rows.last().map(|r| r.page_key()) else {
            return;
        };
        let query = self.effective_query();
        match self.store.queue_page(&query, &PageFrom::After(last), 1) {
            Ok(mut more) if !more.is_empty() => {
                let size = self.page_size();
                let q = &mut self.queue;
                if q.rows.len() >= size {
                    q.rows.remove(0);
                    q.first_pos += 1;
                }
                q.rows.append(&mut more);
                q.cursor = q.rows.len() - 1;
            }
            Ok(_) => {}
            Err(e) => self.store_error(&e),
        }
    }

    fn move_up(&mut self) {
        if self.queue.cursor > 0 {
            self.queue.cursor -= 1;
            return;
        }
        let Some(first) = self.queue.rows.first().map(|r| r.page_key()) else {
            return;
        };
        let query = self.effective_query();
        match self.store.queue_page(&query, &PageFrom::Before(first), 1) {
            Ok(more) if !more.is_empty() => {
                let size = self.page_size();
                let q = &mut self.queue;
                q.rows.insert(0, more[0].clone());
                q.rows.truncate(size);
                q.first_pos = q.first_pos.saturating_sub(1).max(1);
                q.cursor = 0;
            }
            Ok(_) => {}
            Err(e) => self.store_error(&e),
        }
    }

    fn page_down(&mut self) {
        let Some(last) = self.queue.rows.last().map(|r| r.page_key()) else {
            return;
        };
        let query = self.effective_query();
        match self
            .store
            .queue_page(&query, &PageFrom::After(last), self.page_size())
        {
            Ok(rows) if !rows.is_empty() => {
                self.queue.first_pos += self.queue.rows.len() as u64;
                self.queue.cursor = self.queue.cursor.min(rows.len() - 1);
                self.queue.rows = rows;
            }
            Ok(_) => self.queue.cursor = self.queue.rows.len().saturating_sub(1),
            Err(e) => self.store_error(&e),
        }
    }

    fn page_up(&mut self) {
        let Some(first) = self.queue.rows.first().map(|r| r.page_key()) else {
            return;
        };
        let query = self.effective_query();
        match self
            .store
            .queue_page(&query, &PageFrom::Before(first), self.page_size())
        {
            Ok(rows) if rows.len() == self.page_size() => {
                self.queue.first_pos = self
                    .queue
                    .first_pos
                    .saturating_sub(rows.len() as u64)
                    .max(1);
                self.queue.rows = rows;
            }
            Ok(_) => {
                let cur = self.queue.cursor;
                self.load_page(
                    PageFrom::Start,
                    1,
                    if self.queue.first_pos == 1 { 0 } else { cur },
                );
            }
            Err(e) => self.store_error(&e),
        }
    }

    pub(crate) fn queue_action(&mut self, action: Action) {
        match action {
            Action::Down => self.move_down(),
            Action::Up => self.move_up(),
            Action::PageDown => self.page_down(),
            Action::PageUp => self.page_up(),
            Action::Home => self.load_page(PageFrom::Start, 1, 0),
            Action::End => {
                let n = self.page_size();
                self.load_page(PageFrom::End, 1, n - 1);
            }
            Action::Refresh => self.refresh_queue(),
            Action::Search => {
                if self.queue.search.is_none() {
                    self.queue.search = Some(Field::text("search", self.cat.t("queue.search"), ""));
                }
                self.queue.search_focus = true;
            }
            Action::Mine => {
                self.queue.mine = !self.queue.mine;
                self.reload_queue();
            }
            Action::StatusFilter => {
                self.queue.view = self.queue.view.next();
                self.reload_queue();
            }
            Action::Sort => {
                let i = SortKey::ALL
                    .iter()
                    .position(|k| *k == self.queue.query.sort)
                    .unwrap_or(0);
                self.queue.query.sort = SortKey::ALL[(i + 1) % SortKey::ALL.len()];
                self.reload_queue();
            }
            Action::Reverse => {
                self.queue.query.descending = !self.queue.query.descending;
                self.reload_queue();
            }
            Action::ClearFilter => {
                let (sort, desc) = (self.queue.query.sort, self.queue.query.descending);
                self.queue.query = QueueQuery {
                    sort,
                    descending: desc,
                    ..Default::default()
                };
                self.queue.view = StatusView::Open;
                self.queue.mine = false;
                self.queue.search = None;
                self.reload_queue();
            }
            Action::Filter => {
                let ff = FilterForm::new(self);
                self.overlays.push(Overlay::Filter(Box::new(ff)));
            }
            Action::New => {
                if !self
                    .roles()
                    .iter()
                    .any(|r| matches!(r, Role::Manager | Role::Head))
                {
                    let role = self.cat.t("role.manager").to_string();
                    self.error(self.cat.f("refuse.role_required", &[("role", &role)]));
                    return;
                }
                let office = self.actor.as_ref().map(|a| a.office_id).unwrap_or_default();
                let mut d = AppDialog::new_application(self, office);
                self.restore_draft(&mut d, None);
                self.overlays.push(Overlay::Dialog(Box::new(d)));
            }
            Action::Open => {
                if let Some(id) = self.queue.selected().map(|r| r.id) {
                    self.open_application(id);
                }
            }
            Action::Step => {
                if let Some(id) = self.queue.selected().map(|r| r.id) {
                    self.open_steps(id);
                }
            }
            Action::Reject => {
                if let Some(id) = self.queue.selected().map(|r| r.id) {
                    self.open_reject(id);
                }
            }
            Action::Print => {
                if let Some(id) = self.queue.selected().map(|r| r.id) {
                    self.open_print_menu(id);
                }
            }
            Action::Take => {
                let Some((id, number)) = self.queue.selected().map(|r| (r.id, r.number.clone()))
                else {
                    return;
                };
                let Some(actor) = self.actor.clone() else {
                    return;
                };
                match self.store.take_application(&actor, id, self.clock.now()) {
                    Ok(_) => {
                        self.info(self.cat.f("queue.taken", &[("number", &number)]));
                        self.refresh_queue();
                    }
                    Err(e) => self.store_error(&e),
                }
            }
            _ => {}
        }
    }

    pub(crate) fn open_application(&mut self, id: i64) {
        match AppDialog::open(self, id) {
            Ok(mut d) => {
                self.restore_draft(&mut d, Some(id));
                self.overlays.push(Overlay::Dialog(Box::new(d)));
            }
            Err(e) => self.store_error(&e),
        }
    }

    /// Bring back what this person typed here before their session was cut off.
    fn restore_draft(&self, d: &mut AppDialog, id: Option<i64>) {
        let (Some(dir), Some(a)) = (&self.drafts_dir, &self.actor) else {
            return;
        };
        if let Some(draft) = crate::tui::drafts::take(dir, &a.login, id) {
            d.restore(&draft);
            d.message = Some((
                crate::tui::app::MsgKind::Info,
                self.cat.t("dialog.draft_restored").to_string(),
            ));
        }
    }

    /// The steps this person may take now, or why there is none.
    pub(crate) fn open_steps(&mut self, id: i64) {
        let app = match self.store.application(id) {
            Ok(a) => a,
            Err(e) => return self.store_error(&e),
        };
        let member = self
            .store
            .applicant_is_member(&app.data.borrower.passport)
            .unwrap_or(false);
        let options = offered_steps(app.status, self.roles(), member);
        if options.is_empty() {
            let why = match app.status {
                s if s.is_final() => Refusal::Closed,
                s => {
                    let next = next_step(s, member);
                    may_transition(s, next, self.roles(), member)
                        .err()
                        .unwrap_or(Refusal::NoSuchStep)
                }
            };
            let text = crate::store::StoreError::Refused(why).message(&self.cat);
            self.error(format!("{}: {text}", app.number));
            return;
        }
        self.overlays
            .push(Overlay::Steps(StepMenu::new(&app, options)));
    }

    pub(crate) fn open_reject(&mut self, id: i64) {
        let app = match self.store.application(id) {
            Ok(a) => a,
            Err(e) => return self.store_error(&e),
        };
        match may_transition(app.status, Status::Rejected, self.roles(), false) {
            Ok(req) => {
                let form = StepForm::new(self, &app, Status::Rejected, req);
                self.overlays.push(Overlay::StepForm(Box::new(form)));
            }
            Err(r) => {
                let text = crate::store::StoreError::Refused(r).message(&self.cat);
                self.error(format!("{}: {text}", app.number));
            }
        }
    }

    pub(crate) fn search_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter | KeyCode::Down | KeyCode::Tab => self.queue.search_focus = false,
            KeyCode::Esc => {
                self.queue.search_focus = false;
                self.queue.search = None;
                self.reload_queue();
            }
            _ => {
                let changed = self.queue.search.as_mut().is_some_and(|f| f.edit(&key));
                if changed {
                    self.reload_queue();
                }
            }
        }
    }

    // ----- drawing -------------------------------------------------------------------------

    pub(crate) fn draw_queue(&mut self, f: &mut Frame, area: Rect) {
        let [filters, table, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
        ])
        .areas(area);
        let size = table.height.saturating_sub(1) as usize;
        if size != self.queue.page_size {
            self.queue.page_size = size;
            self.refresh_queue();
        }
        self.draw_filter_line(f, filters);
        self.draw_table(f, table);
        self.draw_footer(f, footer);
    }

    fn draw_filter_line(&mut self, f: &mut Frame, area: Rect) {
        let t = self.theme.clone();
        let cat = &self.cat;
        let mut spans = vec![Span::styled(
            format!("{}: ", cat.t("queue.search")),
            t.label,
        )];
        let search = self
            .queue
            .search
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_default();
        let shown = if search.is_empty() && !self.queue.search_focus {
            cat.t("queue.search_hint").to_string()
        } else {
            search.clone()
        };
        let search_w = 26usize;
        let style = if self.queue.search_focus {
            t.field_focus
        } else if search.is_empty() {
            t.muted
        } else {
            t.field
        };
        spans.push(Span::styled(
            format!("{:<search_w$}", truncate(&shown, search_w, t.sym.ellipsis)),
            style,
        ));
        self.queue.search_cursor = self
            .queue
            .search
            .as_ref()
            .filter(|_| self.queue.search_focus)
            .map(|s| {
                let label_w = cat.t("queue.search").chars().count() as u16 + 2;
                Position::new(
                    area.x + label_w + (s.cursor.min(search_w - 1)) as u16,
                    area.y,
                )
            });
        let mut parts = vec![format!(
            "{}: {}",
            cat.t("queue.filter_status"),
            self.view_label()
        )];
        if self.queue.mine {
            parts.push(cat.t("queue.filter_mine").to_string());
        }
        if let Some(o) = self
            .queue
            .query
            .office_id
            .and_then(|id| self.offices.iter().find(|o| o.id == id))
        {
            parts.push(format!("{}: {}", cat.t("queue.filter_office"), o.code));
        }
        if let Some(p) = &self.queue.query.product {
            parts.push(p.clone());
        }
        if let Some(s) = self
            .queue
            .query
            .assignee_id
            .filter(|_| !self.queue.mine)
            .and_then(|id| self.staff.iter().find(|s| s.id == id))
        {
            parts.push(s.login.clone());
        }
        if self.queue.query.from.is_some() || self.queue.query.to.is_some() {
            let d = |d: Option<chrono::NaiveDate>| {
                d.map(|d| d.format("%d.%m").to_string()).unwrap_or_default()
            };
            parts.push(format!(
                "{}–{}",
                d(self.queue.query.from),
                d(self.queue.query.to)
            ));
        }
        spans.push(Span::styled(format!(" {} ", t.sym.sep), t.muted));
        spans.push(Span::styled(parts.join(" · "), t.title));
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    pub(crate) fn view_label(&self) -> String {
        match self.queue.view {
            StatusView::Open => self.cat.t("queue.open").to_string(),
            StatusView::All => self.cat.t("queue.all").to_string(),
            StatusView::One(s) => self
                .cat
                .t(&format!("status_short.{}", s.code()))
                .to_string(),
        }
    }

    fn draw_table(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let now = self.clock.now();
        let sort = self.queue.query.sort;
        let arrow = if self.queue.query.descending {
            t.sym.desc
        } else {
            t.sym.asc
        };
        let wide = area.width >= 100;
        let head = |key: &str, k: SortKey| {
            let label = if wide {
                cat.t(key).to_string()
            } else {
                cat.t(&key.replace("col_", "short_")).to_string()
            };
            if k == sort {
                format!("{label}{arrow}")
            } else {
                label
            }
        };
        let header = [
            ("queue.col_number", SortKey::Number),
            ("queue.col_date", SortKey::Date),
            ("queue.col_applicant", SortKey::Applicant),
            ("queue.col_product", SortKey::Product),
            ("queue.col_amount", SortKey::Amount),
            ("queue.col_status", SortKey::Status),
            ("queue.col_assignee", SortKey::Assignee),
            ("queue.col_in_status", SortKey::InStatus),
            ("queue.col_age", SortKey::Age),
        ]
        .map(|(key, k)| GridCell::left(head(key, k)));
        let rows = self.queue.rows.iter().enumerate().map(|(i, r)| {
            let in_status = self.rules.calendar.working_seconds(r.status_since, now);
            let late =
                !r.status.is_final()
                    && self.rules.time_limits.get(&r.status).is_some_and(|days| {
                        Decimal::from(in_status) > *days * Decimal::from(86_400)
                    });
            let style = if i == self.queue.cursor {
                t.selected
            } else if late {
                t.late
            } else if r.status.is_final() {
                t.closed
            } else {
                Style::default()
            };
            let assignee = match (&r.assignee, r.status.owner()) {
                (Some(name), _) => name.split_whitespace().next().unwrap_or(name).to_string(),
                (None, Some(role)) if !r.status.is_final() => {
                    format!("({})", cat.t(&format!("role_short.{}", role.code())))
                }
                _ => String::new(),
            };
            let in_status_text = if r.status.is_final() {
                String::new()
            } else {
                let d = short_duration(cat, (now - r.status_since).num_seconds());
                if late {
                    format!("{}{d}", t.sym.late)
                } else {
                    d
                }
            };
            let product = self
                .rules
                .product(&r.product)
                .map(|p| {
                    if wide {
                        p.name(&cat.lang).to_string()
                    } else {
                        p.short(&cat.lang).to_string()
                    }
                })
                .unwrap_or_else(|| r.product.clone());
            let date = if wide {
                r.created_at.format("%d.%m.%Y").to_string()
            } else {
                r.created_at.format("%d.%m").to_string()
            };
            let cells = [
                GridCell::left(r.number.as_str()),
                GridCell::left(date),
                GridCell::left(r.applicant.as_str()),
                GridCell::left(product),
                GridCell::right(money_short(r.amount)),
                GridCell::left(
                    cat.t(&format!("status_short.{}", r.status.code()))
                        .to_string(),
                ),
                GridCell::left(assignee),
                GridCell::right(in_status_text),
                GridCell::right(short_duration(cat, (now - r.created_at).num_seconds())),
            ];
            (cells, style)
        });
        let widths = if wide {
            vec![
                Constraint::Length(11),
                Constraint::Length(10),
                Constraint::Min(20),
                Constraint::Length(24),
                Constraint::Length(12),
                Constraint::Length(10),
                Constraint::Length(12),
                Constraint::Length(6),
                Constraint::Length(5),
            ]
        } else {
            vec![
                Constraint::Length(11),
                Constraint::Length(5),
                Constraint::Min(13),
                Constraint::Length(5),
                Constraint::Length(10),
                Constraint::Length(9),
                Constraint::Length(8),
                Constraint::Length(5),
                Constraint::Length(4),
            ]
        };
        // Drawn cell by cell, not as a ratatui Table: this is the largest thing on the
        // busiest screen, redrawn on every key (see `grid`).
        let columns = grid::columns(area, &widths);
        let buf = f.buffer_mut();
        grid::row(buf, area, area.y, &columns, &header, t.header);
        for (i, (cells, style)) in rows
            .take(area.height.saturating_sub(1) as usize)
            .enumerate()
        {
            grid::row(buf, area, area.y + 1 + i as u16, &columns, &cells, style);
        }
        if self.queue.rows.is_empty() && area.height > 2 {
            f.render_widget(
                Paragraph::new(cat.t("ui.empty")).style(t.muted),
                Rect::new(area.x, area.y + 2, area.width, 1),
            );
        }
    }

    fn draw_footer(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let q = &self.queue;
        let (from, to) = if q.rows.is_empty() {
            (0, 0)
        } else {
            (q.first_pos, q.first_pos + q.rows.len() as u64 - 1)
        };
        let pages = self.cat.f(
            "ui.page_of",
            &[
                ("from", &from.to_string()),
                ("to", &to.to_string()),
                ("total", &q.total.to_string()),
            ],
        );
        let sort_key = match q.query.sort {
            SortKey::Number => "queue.col_number",
            SortKey::Date => "queue.col_date",
            SortKey::Applicant => "queue.col_applicant",
            SortKey::Product => "queue.col_product",
            SortKey::Amount => "queue.col_amount",
            SortKey::Status => "queue.col_status",
            SortKey::Assignee => "queue.col_assignee",
            SortKey::InStatus => "queue.col_in_status",
            SortKey::Age => "queue.col_age",
        };
        let dir = if q.query.descending {
            t.sym.desc
        } else {
            t.sym.asc
        };
        let sort = self.cat.f(
            "queue.sort",
            &[("column", self.cat.t(sort_key)), ("dir", dir)],
        );
        let line = Line::from(vec![
            Span::styled(pages, t.title),
            Span::styled(format!("  {}  ", t.sym.sep), t.muted),
            Span::styled(sort, t.muted),
        ]);
        f.render_widget(Paragraph::new(line), area);
    }
}

/// The natural next step from a status, for saying why it is not offered.
fn next_step(s: Status, member: bool) -> Status {
    match s {
        Status::New => Status::Checked,
        Status::Checked if member => Status::Member,
        Status::Checked => Status::Candidate,
        Status::Candidate => Status::Member,
        Status::Member => Status::Authorized,
        Status::Authorized => Status::Archived,
        other => other,
    }
}

/// Whole roubles without kopecks when there are none: `150 000`, else `150 000,50`.
pub fn money_short(m: Money) -> String {
    let g = m.grouped();
    g.strip_suffix(",00").map(str::to_string).unwrap_or(g)
}
