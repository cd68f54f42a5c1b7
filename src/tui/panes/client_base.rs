//! The client-base pane (DOMAIN §6): every sales manager's base against the norms for their
//! specialisation and tenure, each breach explained in words; a manager's clients with their
//! flags; the pool of unassigned clients; and the change requests the sales director approves.
//! Changes are asked for here on a memo and judged by the store, which refuses what breaks a
//! rule with the rule's words.

use crate::domain::client_base::{self as cb, Fit, Place, Potential, ReassignReason, Violation};
use crate::domain::money::Money;
use crate::store::client_base::{
    By, ChangeKind, ChangeRequest, ClientRow, HistoryRow, ManagerReport, RequestRow,
};
use crate::tui::app::{App, centered};
use crate::tui::keymap::{self, Action, Ctx};
use crate::tui::panes::queue::money_short;
use crate::tui::widgets::form::{Field, Form, truncate};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, Wrap};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CbView {
    #[default]
    Managers,
    Base,
    Pool,
    Requests,
}

/// A change asked for on a memo.
pub struct CbForm {
    pub kind: ChangeKind,
    pub member_id: i64,
    pub client: String,
    pub form: Form,
    pub error: Option<String>,
}

/// What a confirmation leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CbPending {
    Approve { id: i64, override_: bool },
    Reject { id: i64 },
    UnassignIdle,
}

pub enum CbOverlay {
    Form(Box<CbForm>),
    /// A head edits a sales manager's profile.
    Profile {
        login: String,
        name: String,
        form: Form,
        error: Option<String>,
    },
    History(String, Vec<HistoryRow>),
    Confirm(String, CbPending),
}

#[derive(Default)]
pub struct CbState {
    pub view: CbView,
    pub loaded: bool,
    pub reports: Vec<ManagerReport>,
    pub cursor: usize,
    pub base_cursor: usize,
    pub pool: Vec<ClientRow>,
    /// The first member id of each pool page visited, to page back.
    pub pool_pages: Vec<Option<i64>>,
    pub pool_cursor: usize,
    /// 0: every group; i: the i-th client group of the rules.
    pub pool_group: usize,
    /// 0: every potential; i: `Potential::ALL[i - 1]`.
    pub pool_potential: usize,
    pub requests: Vec<RequestRow>,
    pub req_cursor: usize,
    pub overlay: Option<CbOverlay>,
}

const POOL_PAGE: usize = 200;

fn fmt_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

impl App {
    /// Read again what the pane shows (after a change, or on entering it).
    pub fn cb_reload(&mut self) {
        let date = self.clock.today;
        let rules = self.rules.client_base.clone();
        match self.store.client_base_report(&rules, date) {
            Ok(r) => self.cb.reports = r,
            Err(e) => return self.store_error(&e),
        }
        self.cb.cursor = self.cb.cursor.min(self.cb.reports.len().saturating_sub(1));
        let after = self.cb.pool_pages.last().copied().flatten();
        self.cb_load_pool(after);
        match self.store.change_requests(&rules, date, false, 200) {
            Ok(r) => self.cb.requests = r,
            Err(e) => return self.store_error(&e),
        }
        self.cb.req_cursor = self
            .cb
            .req_cursor
            .min(self.cb.requests.len().saturating_sub(1));
        self.cb.loaded = true;
    }

    fn cb_load_pool(&mut self, after: Option<i64>) {
        let group = (self.cb.pool_group > 0)
            .then(|| self.rules.client_base.groups.get(self.cb.pool_group - 1))
            .flatten()
            .map(|g| g.code.clone());
        let potential = (self.cb.pool_potential > 0)
            .then(|| Potential::ALL.get(self.cb.pool_potential - 1).copied())
            .flatten();
        let rules = self.rules.client_base.clone();
        match self.store.pool_page(
            &rules,
            self.clock.today,
            group.as_deref(),
            potential,
            after,
            POOL_PAGE,
        ) {
            Ok(rows) => {
                self.cb.pool = rows;
                self.cb.pool_cursor = self
                    .cb
                    .pool_cursor
                    .min(self.cb.pool.len().saturating_sub(1));
            }
            Err(e) => self.store_error(&e),
        }
    }

    fn cb_selected_report(&self) -> Option<&ManagerReport> {
        self.cb.reports.get(self.cb.cursor)
    }

    fn cb_selected_client(&self) -> Option<&ClientRow> {
        match self.cb.view {
            CbView::Base => self
                .cb_selected_report()
                .and_then(|r| r.clients.get(self.cb.base_cursor)),
            CbView::Pool => self.cb.pool.get(self.cb.pool_cursor),
            _ => None,
        }
    }

    /// A key on the client-base pane. Returns whether the pane used it.
    pub fn client_base_key(&mut self, key: KeyEvent) -> bool {
        if !self.cb.loaded {
            self.cb_reload();
        }
        if self.cb.overlay.is_some() {
            self.cb_overlay_key(key);
            return true;
        }
        if let Some(a) = keymap::lookup(Ctx::ClientBase, &key) {
            self.message = None;
            self.cb_action(a);
            return true;
        }
        false
    }

    fn cb_rows(&self) -> usize {
        match self.cb.view {
            CbView::Managers => self.cb.reports.len(),
            CbView::Base => self.cb_selected_report().map_or(0, |r| r.clients.len()),
            CbView::Pool => self.cb.pool.len(),
            CbView::Requests => self.cb.requests.len(),
        }
    }

    fn cb_cursor_mut(&mut self) -> &mut usize {
        match self.cb.view {
            CbView::Managers => &mut self.cb.cursor,
            CbView::Base => &mut self.cb.base_cursor,
            CbView::Pool => &mut self.cb.pool_cursor,
            CbView::Requests => &mut self.cb.req_cursor,
        }
    }

    fn cb_move(&mut self, by: isize) {
        let n = self.cb_rows();
        let c = self.cb_cursor_mut();
        *c = (*c as isize + by).clamp(0, n.saturating_sub(1) as isize) as usize;
    }

    fn cb_action(&mut self, a: Action) {
        match a {
            Action::Up => self.cb_move(-1),
            Action::Down => self.cb_move(1),
            Action::PageUp if self.cb.view == CbView::Pool => {
                if self.cb.pool_pages.pop().is_some() {
                    let after = self.cb.pool_pages.last().copied().flatten();
                    self.cb.pool_cursor = 0;
                    self.cb_load_pool(after);
                } else {
                    self.cb.pool_cursor = 0;
                }
            }
            Action::PageDown if self.cb.view == CbView::Pool => {
                if self.cb.pool.len() == POOL_PAGE {
                    let last = self.cb.pool.last().map(|c| c.member_id);
                    self.cb.pool_pages.push(last);
                    self.cb.pool_cursor = 0;
                    self.cb_load_pool(last);
                } else {
                    self.cb.pool_cursor = self.cb.pool.len().saturating_sub(1);
                }
            }
            Action::PageUp => self.cb_move(-10),
            Action::PageDown => self.cb_move(10),
            Action::Open
                if self.cb.view == CbView::Managers && self.cb_selected_report().is_some() =>
            {
                self.cb.view = CbView::Base;
                self.cb.base_cursor = 0;
            }
            Action::CbBack => self.cb.view = CbView::Managers,
            Action::CbPool => self.cb.view = CbView::Pool,
            Action::CbRequests => self.cb.view = CbView::Requests,
            Action::Refresh => {
                self.cb_reload();
                self.info(self.cat.t("cb.refreshed").to_string());
            }
            Action::CbGroupFilter if self.cb.view == CbView::Pool => {
                self.cb.pool_group =
                    (self.cb.pool_group + 1) % (self.rules.client_base.groups.len() + 1);
                self.cb.pool_pages.clear();
                self.cb.pool_cursor = 0;
                self.cb_load_pool(None);
            }
            Action::CbPotentialFilter if self.cb.view == CbView::Pool => {
                self.cb.pool_potential = (self.cb.pool_potential + 1) % (Potential::ALL.len() + 1);
                self.cb.pool_pages.clear();
                self.cb.pool_cursor = 0;
                self.cb_load_pool(None);
            }
            Action::CbAttach if self.cb.view == CbView::Pool => {
                self.cb_open_form(ChangeKind::Attach)
            }
            Action::CbDetach if self.cb.view == CbView::Base => {
                self.cb_open_form(ChangeKind::Detach)
            }
            Action::CbTransfer if self.cb.view == CbView::Base => {
                self.cb_open_form(ChangeKind::Transfer)
            }
            Action::CbCoAssign if self.cb.view == CbView::Base => {
                self.cb_open_form(ChangeKind::CoAssign)
            }
            Action::CbProfile if self.cb.view == CbView::Managers => self.cb_open_profile(),
            Action::CbHistory => {
                if let Some(c) = self.cb_selected_client().cloned() {
                    match self.store.assignment_history(c.member_id) {
                        Ok(h) => self.cb.overlay = Some(CbOverlay::History(c.name, h)),
                        Err(e) => self.store_error(&e),
                    }
                }
            }
            Action::CbApprove | Action::CbOverride | Action::CbRejectRequest
                if self.cb.view == CbView::Requests =>
            {
                let Some(r) = self.cb.requests.get(self.cb.req_cursor) else {
                    return;
                };
                if r.status != "pending" {
                    self.error(self.cat.t("cb.not_pending").to_string());
                    return;
                }
                let (key, pending) = match a {
                    Action::CbApprove => (
                        "cb.confirm_approve",
                        CbPending::Approve {
                            id: r.id,
                            override_: false,
                        },
                    ),
                    Action::CbOverride => (
                        "cb.confirm_override",
                        CbPending::Approve {
                            id: r.id,
                            override_: true,
                        },
                    ),
                    _ => ("cb.confirm_reject", CbPending::Reject { id: r.id }),
                };
                let text = self.cat.f(
                    key,
                    &[("id", &r.id.to_string()), ("client", &r.member_name)],
                );
                self.cb.overlay = Some(CbOverlay::Confirm(text, pending));
            }
            Action::CbUnassignIdle => {
                let rules = self.rules.client_base.clone();
                match self.store.idle_due(&rules, self.clock.today) {
                    Ok(due) => {
                        let n: usize = due.iter().map(|(_, c)| c.len()).sum();
                        if n == 0 {
                            self.info(self.cat.t("cb.nothing_due").to_string());
                        } else {
                            let text = self.cat.f("cb.confirm_unassign", &[("n", &n.to_string())]);
                            self.cb.overlay =
                                Some(CbOverlay::Confirm(text, CbPending::UnassignIdle));
                        }
                    }
                    Err(e) => self.store_error(&e),
                }
            }
            _ => {}
        }
    }

    fn cb_open_form(&mut self, kind: ChangeKind) {
        let Some(client) = self.cb_selected_client().cloned() else {
            return;
        };
        let mut fields = Vec::new();
        if kind != ChangeKind::Detach {
            let current = client.manager_id;
            let lang = self.cat.lang.clone();
            let options: Vec<(String, String)> = self
                .cb
                .reports
                .iter()
                .filter(|r| {
                    r.manager.profile.specialization.is_some()
                        && Some(r.manager.staff_id) != current
                })
                .filter(|r| {
                    r.manager
                        .profile
                        .dismissed_on
                        .is_none_or(|d| d > self.clock.today)
                })
                .map(|r| {
                    let spec = r
                        .manager
                        .profile
                        .specialization
                        .as_deref()
                        .and_then(|s| self.rules.client_base.specialization(s))
                        .map(|s| s.short(&lang).to_string())
                        .unwrap_or_default();
                    let size = r.report.as_ref().map_or(0, |b| b.size);
                    (
                        r.manager.staff_id.to_string(),
                        format!(
                            "{} ({}, {spec}, {size})",
                            r.manager.name, r.manager.office_code
                        ),
                    )
                })
                .collect();
            fields.push(Field::choice(
                "manager",
                self.cat.t("cb.field_manager"),
                options,
                "",
            ));
        }
        fields.push(Field::text("memo", self.cat.t("field.memo"), ""));
        self.cb.overlay = Some(CbOverlay::Form(Box::new(CbForm {
            kind,
            member_id: client.member_id,
            client: client.name,
            form: Form::new(fields),
            error: None,
        })));
    }

    fn cb_open_profile(&mut self) {
        let Some(r) = self.cb_selected_report() else {
            return;
        };
        let p = r.manager.profile.clone();
        let (login, name) = (r.manager.login.clone(), r.manager.name.clone());
        let lang = self.cat.lang.clone();
        let mut specs = vec![(String::new(), self.cat.t("cb.no_spec_short").to_string())];
        specs.extend(
            self.rules
                .client_base
                .specializations
                .iter()
                .map(|s| (s.code.clone(), s.name(&lang).to_string())),
        );
        let yes_no = vec![
            ("false".to_string(), self.cat.t("key.no").to_string()),
            ("true".to_string(), self.cat.t("key.yes").to_string()),
        ];
        let date = |d: Option<NaiveDate>| d.map(fmt_date).unwrap_or_default();
        let form = Form::new(vec![
            Field::choice(
                "specialization",
                self.cat.t("field.specialization"),
                specs,
                p.specialization.clone().unwrap_or_default(),
            ),
            Field::choice(
                "trainee",
                self.cat.t("cb.field_trainee"),
                yes_no,
                p.trainee.to_string(),
            ),
            Field::text(
                "novice_since",
                self.cat.t("cb.field_novice_since"),
                date(p.novice_since),
            ),
            Field::text(
                "dismissed_on",
                self.cat.t("cb.field_dismissed_on"),
                date(p.dismissed_on),
            ),
            Field::text(
                "territories",
                self.cat.t("cb.field_territories"),
                p.territories.join(", "),
            ),
        ]);
        self.cb.overlay = Some(CbOverlay::Profile {
            login,
            name,
            form,
            error: None,
        });
    }

    fn cb_save_profile(&mut self) {
        let cat = &self.cat;
        let Some(CbOverlay::Profile {
            login, form, error, ..
        }) = self.cb.overlay.as_mut()
        else {
            return;
        };
        form.clear_errors();
        *error = None;
        let mut bad = false;
        let mut date = |code: &str| -> Option<NaiveDate> {
            let v = form.get(code).trim().to_string();
            if v.is_empty() {
                return None;
            }
            match crate::domain::validate::date(&v) {
                Ok(d) => Some(d),
                Err(key) => {
                    form.set_error(code, cat.t(key).to_string());
                    bad = true;
                    None
                }
            }
        };
        let novice_since = date("novice_since");
        let dismissed_on = date("dismissed_on");
        if bad {
            form.focus_first_error();
            return;
        }
        let spec = form.get("specialization").to_string();
        let change = crate::store::client_base::ProfileChange {
            specialization: Some((!spec.is_empty()).then_some(spec)),
            trainee: Some(form.get("trainee") == "true"),
            novice_since: Some(novice_since),
            dismissed_on: Some(dismissed_on),
            territories: Some(
                form.get("territories")
                    .split([',', ';'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        };
        let login = login.clone();
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let rules = self.rules.client_base.clone();
        match self.store.set_staff_profile(
            By::Desk(&actor),
            &login,
            &change,
            &rules,
            self.clock.today,
            self.clock.now(),
        ) {
            Ok(()) => {
                self.cb.overlay = None;
                self.cb_reload();
                self.info(self.cat.f("cb.staff_updated", &[("login", &login)]));
            }
            Err(e) => {
                let text = e.message(&self.cat);
                if let Some(CbOverlay::Profile { error, .. }) = self.cb.overlay.as_mut() {
                    *error = Some(text);
                }
            }
        }
    }

    fn cb_overlay_key(&mut self, key: KeyEvent) {
        let Some(overlay) = self.cb.overlay.as_mut() else {
            return;
        };
        match overlay {
            CbOverlay::History(..) => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    self.cb.overlay = None;
                }
            }
            CbOverlay::Confirm(_, pending) => {
                let pending = *pending;
                let yes = matches!(key.code, KeyCode::Enter)
                    || matches!(key.code, KeyCode::Char(c) if self.cat.t("ui.yes_keys").contains(c));
                self.cb.overlay = None;
                if yes {
                    self.cb_confirmed(pending);
                }
            }
            CbOverlay::Profile { form, .. } => match key.code {
                KeyCode::Esc => self.cb.overlay = None,
                KeyCode::Enter => self.cb_save_profile(),
                KeyCode::Tab | KeyCode::Down => form.next(),
                KeyCode::BackTab | KeyCode::Up => form.prev(),
                _ => {
                    form.handle_key(&key);
                }
            },
            CbOverlay::Form(form) => match key.code {
                KeyCode::Esc => self.cb.overlay = None,
                KeyCode::Enter => self.cb_submit(),
                KeyCode::Tab | KeyCode::Down => form.form.next(),
                KeyCode::BackTab | KeyCode::Up => form.form.prev(),
                _ => {
                    form.form.handle_key(&key);
                }
            },
        }
    }

    fn cb_submit(&mut self) {
        let Some(CbOverlay::Form(form)) = self.cb.overlay.as_mut() else {
            return;
        };
        form.form.clear_errors();
        form.error = None;
        let to = form.form.get("manager").parse::<i64>().ok();
        let req = ChangeRequest {
            kind: form.kind,
            member_id: form.member_id,
            to_staff_id: to,
            memo: form.form.get("memo").to_string(),
        };
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let rules = self.rules.client_base.clone();
        let result = self.store.request_change(
            By::Desk(&actor),
            &req,
            &rules,
            self.clock.today,
            self.clock.now(),
        );
        match result {
            Ok(id) => {
                self.cb.overlay = None;
                self.cb_reload();
                self.info(self.cat.f("cb.requested", &[("id", &id.to_string())]));
            }
            Err(e) => {
                let text = e.message(&self.cat);
                if let Some(CbOverlay::Form(form)) = self.cb.overlay.as_mut() {
                    if let crate::store::StoreError::Invalid(errs) = &e {
                        for fe in errs {
                            let reason = crate::store::field_error_text(&self.cat, fe);
                            form.form.set_error(fe.field, reason);
                        }
                        form.form.focus_first_error();
                    }
                    form.error = Some(text);
                }
            }
        }
    }

    fn cb_confirmed(&mut self, pending: CbPending) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let rules = self.rules.client_base.clone();
        let (today, now) = (self.clock.today, self.clock.now());
        let result = match pending {
            CbPending::Approve { id, override_ } => self
                .store
                .decide_request(&actor, id, true, override_, "", &rules, today, now)
                .map(|()| self.cat.f("cb.approved", &[("id", &id.to_string())])),
            CbPending::Reject { id } => self
                .store
                .decide_request(&actor, id, false, false, "", &rules, today, now)
                .map(|()| self.cat.f("cb.rejected", &[("id", &id.to_string())])),
            CbPending::UnassignIdle => self
                .store
                .unassign_idle(By::Desk(&actor), &rules, today, now)
                .map(|n| self.cat.f("cb.unassigned", &[("n", &n.to_string())])),
        };
        match result {
            Ok(text) => {
                self.cb_reload();
                self.info(text);
            }
            Err(e) => self.store_error(&e),
        }
    }

    // ----- drawing -------------------------------------------------------------------------

    pub fn draw_client_base(&mut self, f: &mut Frame, area: Rect) -> Option<Position> {
        if !self.cb.loaded {
            self.cb_reload();
        }
        let t = self.theme.clone();
        let view = match self.cb.view {
            CbView::Managers => self.cat.t("cb.view_managers").to_string(),
            CbView::Base => self
                .cb_selected_report()
                .map(|r| self.cat.f("cb.view_base", &[("name", &r.manager.name)]))
                .unwrap_or_default(),
            CbView::Pool => self.cb_pool_title(),
            CbView::Requests => self.cat.t("cb.view_requests").to_string(),
        };
        let title = self.cat.f(
            "cb.title",
            &[("date", &fmt_date(self.clock.today)), ("view", &view)],
        );
        let inner = framed(f, area, &t, Some(&title));
        let detail_h = 6.min(inner.height / 3);
        let [table, detail] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(detail_h)]).areas(inner);
        match self.cb.view {
            CbView::Managers => {
                self.cb_draw_managers(f, table);
                self.cb_draw_manager_detail(f, detail);
            }
            CbView::Base => {
                let clients = self
                    .cb_selected_report()
                    .map(|r| r.clients.clone())
                    .unwrap_or_default();
                self.cb_draw_clients(f, table, &clients, self.cb.base_cursor, true);
                self.cb_draw_legend(f, detail);
            }
            CbView::Pool => {
                let pool = self.cb.pool.clone();
                self.cb_draw_clients(f, table, &pool, self.cb.pool_cursor, false);
                self.cb_draw_legend(f, detail);
            }
            CbView::Requests => {
                self.cb_draw_requests(f, table);
                self.cb_draw_request_detail(f, detail);
            }
        }
        self.cb_draw_overlay(f, area)
    }

    fn cb_pool_title(&self) -> String {
        let all = self.cat.t("cb.all").to_string();
        let group = (self.cb.pool_group > 0)
            .then(|| self.rules.client_base.groups.get(self.cb.pool_group - 1))
            .flatten()
            .map(|g| g.code.clone())
            .unwrap_or_else(|| all.clone());
        let potential = (self.cb.pool_potential > 0)
            .then(|| Potential::ALL.get(self.cb.pool_potential - 1))
            .flatten()
            .map(|p| p.code().to_string())
            .unwrap_or(all);
        self.cat.f(
            "cb.view_pool",
            &[("group", &group), ("potential", &potential)],
        )
    }

    /// Rows `[first, first + height)` that keep the cursor visible.
    fn window(cursor: usize, len: usize, height: usize) -> (usize, usize) {
        let h = height.max(1);
        let first = cursor.saturating_sub(h - 1).min(len.saturating_sub(h));
        (first, (first + h).min(len))
    }

    fn cb_draw_managers(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let lang = cat.lang.clone();
        if self.cb.reports.is_empty() {
            return note(f, area, t, cat.t("cb.no_managers"));
        }
        let header = Row::new(vec![
            cat.t("cb.col_manager"),
            cat.t("cb.col_office"),
            cat.t("cb.col_spec"),
            cat.t("cb.col_status"),
            cat.t("cb.col_size"),
            cat.t("cb.col_norm"),
            cat.t("cb.col_paying"),
            cat.t("cb.col_noncore"),
            cat.t("cb.col_meetings"),
            "!",
        ])
        .style(t.header);
        let (first, last) = Self::window(
            self.cb.cursor,
            self.cb.reports.len(),
            area.height as usize - 1,
        );
        let rows = self.cb.reports[first..last]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let selected = first + i == self.cb.cursor;
                let row_style = if selected {
                    t.selected
                } else {
                    Style::default()
                };
                let breach = |hit: bool| if hit && !selected { t.late } else { row_style };
                let name = truncate(&r.manager.name, 18, t.sym.ellipsis);
                let Some(base) = &r.report else {
                    return Row::new(vec![
                        Cell::from(name),
                        Cell::from(r.manager.office_code.clone()),
                        Cell::from(cat.t("cb.no_spec_short").to_string()).style(t.muted),
                        Cell::from(""),
                        Cell::from(r.clients.len().to_string()),
                    ])
                    .style(row_style);
                };
                let has = |f: &dyn Fn(&Violation) -> bool| base.violations.iter().any(f);
                let spec = r
                    .manager
                    .profile
                    .specialization
                    .as_deref()
                    .and_then(|s| self.rules.client_base.specialization(s))
                    .map(|s| s.short(&lang).to_string())
                    .unwrap_or_default();
                let norm = match (base.norm.min, base.norm.max) {
                    (Some(a), Some(b)) => format!("{a}-{b}"),
                    (None, Some(b)) => format!("<={b}"),
                    (Some(a), None) => format!(">={a}"),
                    (None, None) => String::new(),
                };
                let meetings = match base.meetings_min {
                    Some(m) => format!("{}/{m}", r.meetings),
                    None => r.meetings.to_string(),
                };
                let mut marks = String::new();
                if !base.violations.is_empty() {
                    marks.push_str(t.sym.late);
                }
                if base.reassign.is_some() {
                    marks.push('*');
                }
                Row::new(vec![
                    Cell::from(name),
                    Cell::from(r.manager.office_code.clone()),
                    Cell::from(spec),
                    Cell::from(
                        cat.t(&format!("cb.tenure_{}", base.tenure.code()))
                            .to_string(),
                    ),
                    Cell::from(base.size.to_string()).style(breach(has(&|v| {
                        matches!(
                            v,
                            Violation::SizeBelowMin { .. } | Violation::SizeAboveMax { .. }
                        )
                    }))),
                    Cell::from(norm),
                    Cell::from(format!("{:.1}%", base.paying_share)).style(breach(has(&|v| {
                        matches!(v, Violation::PayingShareLow { .. })
                    }))),
                    Cell::from(base.non_core.to_string()).style(breach(has(&|v| {
                        matches!(
                            v,
                            Violation::NonCoreOver { .. }
                                | Violation::Forbidden { .. }
                                | Violation::LimitedOver { .. }
                        )
                    }))),
                    Cell::from(meetings).style(breach(has(&|v| {
                        matches!(
                            v,
                            Violation::MeetingsLow { .. } | Violation::ColdCallsLow { .. }
                        )
                    }))),
                    Cell::from(marks).style(breach(!base.violations.is_empty())),
                ])
                .style(row_style)
            });
        let widths = [
            Constraint::Length(18),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(7),
            Constraint::Length(2),
        ];
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            area,
        );
    }

    fn cb_draw_manager_detail(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let Some(r) = self.cb_selected_report() else {
            return;
        };
        let mut lines = Vec::new();
        let Some(base) = &r.report else {
            lines.push(Line::from(Span::styled(
                cat.t("cb.no_spec_detail").to_string(),
                t.muted,
            )));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
            return;
        };
        if let Some(w) = base.reassign {
            let reason = match w.reason {
                ReassignReason::Departed => cat.t("cb.reassign_departed"),
                ReassignReason::Respecialised => cat.t("cb.reassign_respecialised"),
            };
            let text = cat.f(
                "cb.reassign_line",
                &[("reason", reason), ("deadline", &fmt_date(w.deadline))],
            );
            lines.push(Line::from(Span::styled(
                format!("* {text}"),
                if w.overdue { t.error } else { t.info },
            )));
        }
        for v in &base.violations {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}",
                    t.sym.late,
                    crate::cli::client_base::violation_text(cat, v)
                ),
                t.late,
            )));
        }
        if base.violations.is_empty() {
            lines.push(Line::from(Span::styled(
                cat.t("cb.all_norms_met").to_string(),
                t.info,
            )));
        }
        let count = |f: &dyn Fn(&cb::ClientFlags) -> bool| {
            base.clients.iter().filter(|(_, fl)| f(fl)).count()
        };
        lines.push(Line::from(cat.f(
            "cb.flags_summary",
            &[
                ("black", &count(&|f| f.black_list).to_string()),
                ("due", &count(&|f| f.due_unassign).to_string()),
                ("cold", &r.cold_calls.to_string()),
            ],
        )));
        let inner = rule_above(f, area, t);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    }

    fn cb_flags(&self, client: &ClientRow) -> String {
        let Some(r) = self.cb_selected_report() else {
            return String::new();
        };
        let Some(base) = &r.report else {
            return String::new();
        };
        let Some((_, fl)) = base.clients.iter().find(|(id, _)| *id == client.member_id) else {
            return String::new();
        };
        let mut s = String::new();
        let mut add = |on: bool, key: &str| {
            if on {
                s.push_str(self.cat.t(key));
            }
        };
        add(fl.black_list, "cb.flag_black");
        add(fl.due_unassign, "cb.flag_due");
        add(fl.fit == Fit::NonCore, "cb.flag_non_core");
        add(fl.fit == Fit::Forbidden, "cb.flag_forbidden");
        add(fl.place == Place::OutsideBreach, "cb.flag_outside");
        add(fl.off_target_potential, "cb.flag_potential");
        s
    }

    fn cb_draw_clients(
        &self,
        f: &mut Frame,
        area: Rect,
        clients: &[ClientRow],
        cursor: usize,
        flags: bool,
    ) {
        let t = &self.theme;
        let cat = &self.cat;
        if clients.is_empty() {
            return note(f, area, t, cat.t("cb.no_clients"));
        }
        let today = self.clock.today;
        let months: Vec<NaiveDate> = (1..=3).rev().map(|k| cb::months_back(today, k)).collect();
        let mut head = vec![
            cat.t("cb.col_no").to_string(),
            cat.t("cb.col_client").to_string(),
            cat.t("cb.col_potential").to_string(),
            cat.t("cb.col_group").to_string(),
        ];
        head.extend(months.iter().map(|m| m.format("%m.%y").to_string()));
        head.push(cat.t("cb.col_overdue").to_string());
        if flags {
            head.push(cat.t("cb.col_flags").to_string());
        }
        let (first, last) = Self::window(cursor, clients.len(), area.height as usize - 1);
        let rows = clients[first..last].iter().enumerate().map(|(i, c)| {
            let selected = first + i == cursor;
            let style = if selected {
                t.selected
            } else {
                Style::default()
            };
            let thousands = |m: Money| -> String {
                if m == Money::ZERO {
                    "0".into()
                } else {
                    let k = (m.decimal() / rust_decimal::Decimal::from(1000))
                        .round_dp_with_strategy(
                            0,
                            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                        );
                    cat.f("cb.thousands", &[("n", &k.to_string())])
                }
            };
            let mut cells = vec![
                Cell::from(c.member_no.clone()),
                Cell::from(truncate(&c.name, 20, t.sym.ellipsis)),
                Cell::from(c.facts.potential.map(|p| p.code()).unwrap_or("")),
                Cell::from(truncate(
                    self.rules
                        .client_base
                        .group(&c.facts.group)
                        .map(|g| {
                            if cat.lang == "en" {
                                &g.name_en
                            } else {
                                &g.name_ru
                            }
                        })
                        .unwrap_or(&c.facts.group),
                    9,
                    t.sym.ellipsis,
                )),
            ];
            cells.extend(
                months
                    .iter()
                    .map(|m| Cell::from(thousands(c.facts.turnover_in(*m)))),
            );
            let overdue = if c.facts.overdue > Money::ZERO {
                Cell::from(money_short(c.facts.overdue)).style(if selected {
                    style
                } else {
                    t.late
                })
            } else {
                Cell::from("")
            };
            cells.push(overdue);
            if flags {
                let fl = self.cb_flags(c);
                cells.push(Cell::from(fl.clone()).style(if fl.is_empty() || selected {
                    style
                } else {
                    t.late
                }));
            }
            Row::new(cells).style(style)
        });
        let mut widths = vec![
            Constraint::Length(7),
            Constraint::Length(20),
            Constraint::Length(3),
            Constraint::Length(9),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(9),
        ];
        if flags {
            widths.push(Constraint::Length(6));
        }
        f.render_widget(
            Table::new(rows, widths)
                .header(Row::new(head).style(t.header))
                .column_spacing(1),
            area,
        );
    }

    /// Under a list of clients: the selected one's territory, related group and since when it
    /// is held (what the table has no room for), then the legend of the flags.
    fn cb_draw_legend(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let inner = rule_above(f, area, t);
        let mut lines = Vec::new();
        if let Some(c) = self.cb_selected_client() {
            let none = cat.t("ui.none");
            let or_none = |s: &str| {
                if s.is_empty() {
                    none.to_string()
                } else {
                    s.to_string()
                }
            };
            lines.push(Line::from(
                cat.f(
                    "cb.client_line",
                    &[
                        ("name", &c.name),
                        ("territory", &or_none(&c.facts.territory)),
                        ("group", &or_none(&c.facts.related_group)),
                        (
                            "since",
                            &c.facts
                                .assigned_since
                                .map(fmt_date)
                                .unwrap_or_else(|| none.to_string()),
                        ),
                    ],
                ),
            ));
        }
        let legend = if self.cb.view == CbView::Pool {
            cat.t("cb.pool_legend")
        } else {
            cat.t("cb.legend")
        };
        lines.push(Line::from(Span::styled(legend.to_string(), t.muted)));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    }

    fn cb_draw_requests(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        if self.cb.requests.is_empty() {
            return note(f, area, t, cat.t("cb.no_requests"));
        }
        let header = Row::new(vec![
            cat.t("cb.col_req"),
            cat.t("cb.col_kind"),
            cat.t("cb.col_client"),
            cat.t("cb.col_from"),
            cat.t("cb.col_to"),
            cat.t("cb.col_req_status"),
        ])
        .style(t.header);
        let short = |s: &Option<String>| {
            s.as_deref()
                .map(|n| n.split_whitespace().next().unwrap_or(n).to_string())
                .unwrap_or_else(|| cat.t("cb.pool_word").to_string())
        };
        let (first, last) = Self::window(
            self.cb.req_cursor,
            self.cb.requests.len(),
            area.height as usize - 1,
        );
        let rows = self.cb.requests[first..last]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let selected = first + i == self.cb.req_cursor;
                let style = if selected {
                    t.selected
                } else if r.status == "pending" && !r.refusals.is_empty() {
                    t.late
                } else if r.status != "pending" {
                    t.closed
                } else {
                    Style::default()
                };
                Row::new(vec![
                    Cell::from(r.id.to_string()),
                    Cell::from(cat.t(&format!("cb.kind_{}", r.kind.code())).to_string()),
                    Cell::from(truncate(&r.member_name, 18, t.sym.ellipsis)),
                    Cell::from(short(&r.from)),
                    Cell::from(short(&r.to)),
                    Cell::from(cat.t(&format!("cb.req_{}", r.status)).to_string()),
                ])
                .style(style)
            });
        let widths = [
            Constraint::Length(5),
            Constraint::Length(12),
            Constraint::Length(18),
            Constraint::Length(12),
            Constraint::Length(12),
            Constraint::Length(14),
        ];
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            area,
        );
    }

    fn cb_draw_request_detail(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let inner = rule_above(f, area, t);
        let Some(r) = self.cb.requests.get(self.cb.req_cursor) else {
            return;
        };
        let mut lines = vec![Line::from(cat.f(
            "cb.request_line",
            &[
                ("by", &r.requested_by),
                ("at", &r.requested_at.format("%d.%m.%Y %H:%M").to_string()),
                ("memo", &r.memo),
            ],
        ))];
        if let Some(d) = &r.decided_by {
            let key = if r.override_ {
                "cb.decided_override"
            } else {
                "cb.decided_line"
            };
            lines.push(Line::from(Span::styled(cat.f(key, &[("by", d)]), t.info)));
        }
        if !r.refusals.is_empty() {
            let text = crate::store::StoreError::Base(r.refusals.clone()).message(cat);
            lines.push(Line::from(Span::styled(
                format!("{} {text}", t.sym.late),
                t.late,
            )));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    }

    fn cb_draw_overlay(&mut self, f: &mut Frame, area: Rect) -> Option<Position> {
        let t = self.theme.clone();
        let cat = &self.cat;
        match self.cb.overlay.as_mut()? {
            CbOverlay::Confirm(text, _) => {
                let popup = centered(area, 64, 6);
                f.render_widget(Clear, popup);
                let inner = framed(f, popup, &t, None);
                f.render_widget(
                    Paragraph::new(format!("{text} {}", cat.t("cb.yes_no")))
                        .style(t.title)
                        .wrap(Wrap { trim: true }),
                    inner,
                );
                None
            }
            CbOverlay::History(name, rows) => {
                let popup = centered(area, 78, area.height.saturating_sub(2));
                f.render_widget(Clear, popup);
                let title = cat.f("cb.history_title", &[("name", name)]);
                let inner = framed(f, popup, &t, Some(&title));
                let pool = cat.t("cb.pool_word").to_string();
                let mut lines: Vec<Line> = rows
                    .iter()
                    .rev()
                    .map(|h| {
                        let mut s = format!(
                            "{}  {} -> {}  ({}, {})",
                            h.at.format("%d.%m.%Y %H:%M"),
                            h.from.clone().unwrap_or_else(|| pool.clone()),
                            h.to.clone().unwrap_or_else(|| pool.clone()),
                            cat.t(&format!("cb.reason_{}", h.reason)),
                            h.actor
                        );
                        if h.override_ {
                            s.push_str(&format!(" {}", cat.t("cb.override_mark")));
                        }
                        if !h.memo.is_empty() {
                            s.push_str(&format!(": {}", h.memo));
                        }
                        Line::from(s)
                    })
                    .collect();
                if lines.is_empty() {
                    lines.push(Line::from(Span::styled(
                        cat.t("cb.no_history").to_string(),
                        t.muted,
                    )));
                }
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
                None
            }
            CbOverlay::Profile {
                name, form, error, ..
            } => {
                let h = form.fields.len() as u16 + 6;
                let popup = centered(area, 72, h);
                f.render_widget(Clear, popup);
                let title = cat.f("cb.profile_title", &[("name", name)]);
                let inner = framed(f, popup, &t, Some(&title));
                let form_area = Rect::new(inner.x, inner.y, inner.width, form.fields.len() as u16);
                let cursor = form.render(form_area, f.buffer_mut(), &t, 24, true);
                let focused = form
                    .focused()
                    .and_then(|fl| fl.error.clone().map(|e| format!("{}: {e}", fl.label)));
                if let Some(e) = focused.or_else(|| error.clone()) {
                    let y = form_area.y + form_area.height + 1;
                    f.render_widget(
                        Paragraph::new(e).style(t.error).wrap(Wrap { trim: true }),
                        Rect::new(
                            inner.x,
                            y,
                            inner.width,
                            (inner.y + inner.height).saturating_sub(y),
                        ),
                    );
                }
                cursor
            }
            CbOverlay::Form(form) => {
                let h = form.form.fields.len() as u16 + 8;
                let popup = centered(area, 72, h);
                f.render_widget(Clear, popup);
                let title = cat.f(
                    &format!("cb.form_{}", form.kind.code()),
                    &[("client", &form.client)],
                );
                let inner = framed(f, popup, &t, Some(&title));
                f.render_widget(
                    Paragraph::new(cat.t("cb.form_note"))
                        .style(t.muted)
                        .wrap(Wrap { trim: true }),
                    Rect::new(inner.x, inner.y, inner.width, 2),
                );
                let form_area = Rect::new(
                    inner.x,
                    inner.y + 2,
                    inner.width,
                    form.form.fields.len() as u16,
                );
                let cursor = form.form.render(form_area, f.buffer_mut(), &t, 20, true);
                if let Some(e) = &form.error {
                    let y = form_area.y + form_area.height + 1;
                    f.render_widget(
                        Paragraph::new(e.as_str())
                            .style(t.error)
                            .wrap(Wrap { trim: true }),
                        Rect::new(
                            inner.x,
                            y,
                            inner.width,
                            (inner.y + inner.height).saturating_sub(y),
                        ),
                    );
                }
                cursor
            }
        }
    }

    /// The keys the hint bar shows on this pane, by view.
    pub fn cb_hints(&self) -> Vec<(&'static str, &'static str)> {
        if let Some(o) = &self.cb.overlay {
            return match o {
                CbOverlay::Form(_) => vec![
                    ("Enter", "key.cb_send"),
                    ("Tab", "key.field"),
                    ("Esc", "key.close"),
                ],
                CbOverlay::Profile { .. } => {
                    vec![
                        ("Enter", "key.save"),
                        ("Tab", "key.field"),
                        ("Esc", "key.close"),
                    ]
                }
                CbOverlay::History(..) => vec![("Esc", "key.close")],
                CbOverlay::Confirm(..) => vec![("Enter", "key.yes"), ("Esc", "key.no")],
            };
        }
        let mut v = Vec::new();
        match self.cb.view {
            CbView::Managers => v.extend([
                ("Enter", "key.cb_open"),
                ("p", "key.cb_pool"),
                ("z", "key.cb_requests"),
                ("u", "key.cb_unassign"),
            ]),
            CbView::Base => v.extend([
                ("t", "key.cb_transfer"),
                ("d", "key.cb_detach"),
                ("m", "key.cb_co_assign"),
                ("h", "key.cb_history"),
                ("Esc", "key.cb_back"),
            ]),
            CbView::Pool => v.extend([
                ("a", "key.cb_attach"),
                ("g", "key.cb_group"),
                ("f", "key.cb_potential"),
                ("h", "key.cb_history"),
                ("Esc", "key.cb_back"),
            ]),
            CbView::Requests => v.extend([
                ("y", "key.cb_approve"),
                ("o", "key.cb_override"),
                ("x", "key.cb_reject"),
                ("Esc", "key.cb_back"),
            ]),
        }
        v
    }
}

/// A box around `area` with an optional title; the inside.
fn framed(f: &mut Frame, area: Rect, t: &crate::tui::theme::Theme, title: Option<&str>) -> Rect {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_set(t.border_set)
        .border_style(t.border);
    if let Some(title) = title {
        block = block.title(Span::styled(format!(" {title} "), t.title));
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A rule above `area` (the detail under a table); the space below it.
fn rule_above(f: &mut Frame, area: Rect, t: &crate::tui::theme::Theme) -> Rect {
    let block = Block::default()
        .borders(Borders::TOP)
        .border_set(t.border_set)
        .border_style(t.border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A quiet line where a list is empty.
fn note(f: &mut Frame, area: Rect, t: &crate::tui::theme::Theme, text: &str) {
    f.render_widget(
        Paragraph::new(text.to_string())
            .style(t.muted)
            .wrap(Wrap { trim: true }),
        area,
    );
}
