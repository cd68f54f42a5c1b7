//! The application dialog: borrower, loan, checks and history tabs. Creates and edits an
//! application; what was typed stays on screen until it is saved or deliberately discarded.

use crate::domain::Status;
use crate::domain::application::may_edit;
use crate::domain::draft::{self, ApplicationInput, BORROWER_FIELDS, LOAN_FIELDS};
use crate::domain::validate::{self, FieldError};
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::store::applications::{ApplicationRecord, BureauCheck, CheckEntry, CheckOutcome, Event};
use crate::store::{StoreError, field_error_text};
use crate::tui::app::{App, MsgKind, Overlay};
use crate::tui::keymap::{self, Action, Ctx};
use crate::tui::panes::scoring::ScoringTab;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub const TABS: [&str; 5] = [
    "dialog.tab_borrower",
    "dialog.tab_loan",
    "dialog.tab_scoring",
    "dialog.tab_checks",
    "dialog.tab_history",
];
const TAB_SCORING: usize = 2;
const TAB_CHECKS: usize = 3;
const TAB_HISTORY: usize = 4;

pub struct AppDialog {
    pub record: Option<ApplicationRecord>,
    pub tab: usize,
    pub borrower: Form,
    pub loan: Form,
    pub checks: Form,
    /// The active card's questions; `None` when no card is active.
    pub scoring: Option<ScoringTab>,
    pub history: Vec<Event>,
    pub history_scroll: usize,
    pub editable: bool,
    pub checks_editable: bool,
    pub message: Option<(MsgKind, String)>,
}

fn check_options(cat: &Catalog) -> Vec<(String, String)> {
    vec![
        (String::new(), cat.t("dialog.result_none").to_string()),
        ("ok".into(), cat.t("dialog.result_ok").to_string()),
        ("failed".into(), cat.t("dialog.result_failed").to_string()),
    ]
}

impl AppDialog {
    fn build(
        app: &App,
        record: Option<ApplicationRecord>,
        office_id: i64,
    ) -> Result<AppDialog, StoreError> {
        let cat = &app.cat;
        let input = record
            .as_ref()
            .map(|r| ApplicationInput::from(&r.data))
            .unwrap_or_default();
        let editable = record
            .as_ref()
            .is_none_or(|r| may_edit(r.status, app.roles()));
        let checks_editable = editable
            && record
                .as_ref()
                .is_none_or(|r| matches!(r.status, Status::New | Status::Checked));
        let label = |f: &str| cat.t(&format!("field.{f}")).to_string();
        let borrower = Form::new(
            BORROWER_FIELDS
                .iter()
                .map(|f| Field::text(*f, label(f), input.get(f)).readonly(!editable))
                .collect(),
        );
        let products: Vec<(String, String)> = app
            .rules
            .loan_products()
            .map(|p| (p.code.clone(), p.name(&cat.lang).to_string()))
            .collect();
        let offices: Vec<(String, String)> = app
            .offices
            .iter()
            .map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name)))
            .collect();
        let mut loan_fields = Vec::new();
        for f in LOAN_FIELDS {
            let field = if f == "product" {
                Field::choice(f, label(f), products.clone(), input.get(f))
            } else {
                Field::text(f, label(f), input.get(f))
            };
            loan_fields.push(field.readonly(!editable));
        }
        let office = record.as_ref().map(|r| r.office_id).unwrap_or(office_id);
        loan_fields.push(
            Field::choice("office", label("office"), offices, office.to_string())
                .readonly(!editable),
        );
        let loan = Form::new(loan_fields);

        let (done, bureau) = match &record {
            Some(r) => app.store.checks(r.id)?,
            None => (vec![], None),
        };
        let mut check_fields = Vec::new();
        for item in &app.rules.checks {
            let d = done.iter().find(|c| c.code == item.code);
            let v = d.map(|c| c.outcome.code()).unwrap_or("");
            check_fields.push(
                Field::choice(
                    format!("check:{}", item.code),
                    item.name(&cat.lang),
                    check_options(cat),
                    v,
                )
                .readonly(!checks_editable),
            );
            check_fields.push(
                Field::text(
                    format!("check_comment:{}", item.code),
                    format!("  {}", cat.t("field.check_comment")),
                    d.map(|c| c.comment.clone()).unwrap_or_default(),
                )
                .readonly(!checks_editable),
            );
        }
        let mut outcomes = vec![(String::new(), cat.t("dialog.result_none").to_string())];
        outcomes.extend(
            app.rules
                .bureau_outcomes
                .iter()
                .map(|o| (o.clone(), cat.t(&format!("bureau.{o}")).to_string())),
        );
        check_fields.push(
            Field::text(
                "bureau",
                label("bureau"),
                bureau
                    .as_ref()
                    .map(|b| b.bureau.clone())
                    .unwrap_or_default(),
            )
            .readonly(!checks_editable),
        );
        check_fields.push(
            Field::text(
                "bureau_date",
                label("bureau_date"),
                bureau
                    .as_ref()
                    .map(|b| b.report_date.format("%d.%m.%Y").to_string())
                    .unwrap_or_default(),
            )
            .readonly(!checks_editable),
        );
        check_fields.push(
            Field::choice(
                "bureau_outcome",
                label("bureau_outcome"),
                outcomes,
                bureau
                    .as_ref()
                    .map(|b| b.outcome.clone())
                    .unwrap_or_default(),
            )
            .readonly(!checks_editable),
        );
        check_fields.push(
            Field::text(
                "bureau_comment",
                label("bureau_comment"),
                bureau
                    .as_ref()
                    .map(|b| b.comment.clone())
                    .unwrap_or_default(),
            )
            .readonly(!checks_editable),
        );
        let checks = Form::new(check_fields);
        let history = match &record {
            Some(r) => app.store.history_with_prints(r.id)?,
            None => vec![],
        };
        let scoring = match &app.rules.scorecard {
            Some(card) => {
                let recorded = match &record {
                    Some(r) => app.store.latest_score(r.id)?,
                    None => None,
                };
                let open = record.as_ref().is_none_or(|r| !r.status.is_final());
                Some(ScoringTab::new(card, recorded, editable && open, cat))
            }
            None => None,
        };
        let mut d = AppDialog {
            record,
            tab: 0,
            borrower,
            loan,
            checks,
            scoring,
            history,
            history_scroll: 0,
            editable,
            checks_editable,
            message: None,
        };
        d.rescore(&app.rules, app.clock.today);
        Ok(d)
    }

    pub fn new_application(app: &App, office_id: i64) -> AppDialog {
        AppDialog::build(app, None, office_id)
            .unwrap_or_else(|_| unreachable!("a new application reads nothing"))
    }

    pub fn open(app: &App, id: i64) -> Result<AppDialog, StoreError> {
        let record = app.store.application(id)?;
        AppDialog::build(app, Some(record), 0)
    }

    /// Everything typed, for a draft file.
    pub fn draft(&self, login: &str) -> crate::tui::drafts::Draft {
        let fields = [&self.borrower, &self.loan, &self.checks]
            .iter()
            .flat_map(|f| f.fields.iter())
            .map(|f| (f.code.clone(), f.value.clone()))
            .collect();
        crate::tui::drafts::Draft {
            login: login.to_string(),
            application: self.record.as_ref().map(|r| r.id),
            fields,
        }
    }

    /// Put a draft's values back into the forms; they count as unsaved changes.
    pub fn restore(&mut self, d: &crate::tui::drafts::Draft) {
        for form in [&mut self.borrower, &mut self.loan, &mut self.checks] {
            for f in form.fields.iter_mut().filter(|f| !f.readonly) {
                if let Some(v) = d.fields.get(&f.code)
                    && *v != f.value
                {
                    f.value = v.clone();
                    f.cursor = v.chars().count();
                    form.dirty = true;
                }
            }
        }
    }

    pub fn dirty(&self) -> bool {
        self.borrower.dirty
            || self.loan.dirty
            || self.checks.dirty
            || self.scoring.as_ref().is_some_and(|s| s.dirty())
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self.tab {
            0 => Some(&mut self.borrower),
            1 => Some(&mut self.loan),
            TAB_SCORING => self.scoring.as_mut().map(|s| &mut s.form),
            TAB_CHECKS => Some(&mut self.checks),
            _ => None,
        }
    }

    /// Score again on what is on screen (after any key).
    pub fn rescore(&mut self, rules: &Rules, products_on: chrono::NaiveDate) {
        let on = self
            .record
            .as_ref()
            .map(|r| r.created_at.date())
            .unwrap_or(products_on);
        let typed = draft::validate(&self.input(), &rules.products, on).ok();
        let data = typed.as_ref().or(self.record.as_ref().map(|r| &r.data));
        if let Some(s) = self.scoring.as_mut() {
            s.recompute(data, on, rules);
        }
    }

    fn input(&self) -> ApplicationInput {
        let mut i = ApplicationInput::default();
        for f in BORROWER_FIELDS {
            i.set(f, self.borrower.get(f).to_string());
        }
        for f in LOAN_FIELDS {
            i.set(f, self.loan.get(f).to_string());
        }
        i
    }

    /// Put each error on its field; the ones no field shows are returned as text.
    fn show_errors(&mut self, cat: &Catalog, errors: &[FieldError]) -> Vec<String> {
        let mut loose = Vec::new();
        for e in errors {
            let reason = match &e.detail {
                Some(d) => cat.f(e.reason, &[("detail", d)]),
                None => cat.t(e.reason).to_string(),
            };
            let placed = self.borrower.set_error(e.field, reason.clone())
                || self.loan.set_error(e.field, reason.clone())
                || self.checks.set_error(e.field, reason.clone())
                || self
                    .scoring
                    .as_mut()
                    .is_some_and(|s| s.form.set_error(e.field, reason));
            if !placed {
                loose.push(field_error_text(cat, e));
            }
        }
        // Go to the first tab with an error.
        let counts = [
            self.borrower.error_count(),
            self.loan.error_count(),
            self.scoring
                .as_ref()
                .map(|s| s.form.error_count())
                .unwrap_or(0),
            self.checks.error_count(),
        ];
        if let Some(tab) = counts.iter().position(|n| *n > 0) {
            self.tab = tab;
            if let Some(f) = self.form_mut() {
                f.focus_first_error();
            }
        }
        loose
    }

    #[allow(clippy::type_complexity)]
    fn check_values(
        &self,
        cat: &Catalog,
        rules: &Rules,
        today: chrono::NaiveDate,
    ) -> Result<(Vec<CheckEntry>, Option<BureauCheck>), Vec<FieldError>> {
        let _ = cat;
        if !self.checks_editable {
            return Ok((vec![], None));
        }
        let checks = rules
            .checks
            .iter()
            .map(|c| {
                let outcome = match self.checks.get(&format!("check:{}", c.code)) {
                    "ok" => Some(CheckOutcome::Ok),
                    "failed" => Some(CheckOutcome::Failed),
                    _ => None,
                };
                (
                    c.code.clone(),
                    outcome,
                    self.checks
                        .get(&format!("check_comment:{}", c.code))
                        .to_string(),
                )
            })
            .collect();
        let (name, date, outcome, comment) = (
            self.checks.get("bureau"),
            self.checks.get("bureau_date"),
            self.checks.get("bureau_outcome"),
            self.checks.get("bureau_comment"),
        );
        if name.trim().is_empty()
            && date.trim().is_empty()
            && outcome.is_empty()
            && comment.trim().is_empty()
        {
            return Ok((checks, None));
        }
        let mut errs = Vec::new();
        if name.trim().is_empty() {
            errs.push(FieldError::new("bureau", "err.required"));
        }
        if outcome.is_empty() {
            errs.push(FieldError::new("bureau_outcome", "err.required"));
        }
        let report_date = match validate::date(date) {
            Ok(d) if d > today => {
                errs.push(FieldError::new("bureau_date", "err.date_future"));
                None
            }
            Ok(d) => Some(d),
            Err(r) => {
                errs.push(FieldError::new("bureau_date", r));
                None
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let bureau = BureauCheck {
            bureau: name.to_string(),
            report_date: report_date.unwrap_or(today),
            outcome: outcome.to_string(),
            comment: comment.to_string(),
        };
        Ok((checks, Some(bureau)))
    }

    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
        rules: &Rules,
    ) -> Option<Position> {
        let w = area.width.min(100);
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y, w, area.height);
        f.render_widget(Clear, popup);
        let title = match &self.record {
            Some(r) => cat.f(
                "dialog.edit_title",
                &[
                    ("number", &r.number),
                    ("status", cat.t(&format!("status.{}", r.status.code()))),
                ],
            ),
            None => cat.t("dialog.new_title").to_string(),
        };
        let dirty = if self.dirty() { " *" } else { "" };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(format!(" {title}{dirty} "), t.title));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        if inner.height < 4 {
            return None;
        }
        // Tabs.
        let mut spans = Vec::new();
        for (i, key) in TABS.iter().enumerate() {
            let errors = match i {
                0 => self.borrower.error_count(),
                1 => self.loan.error_count(),
                TAB_SCORING => self
                    .scoring
                    .as_ref()
                    .map(|s| s.form.error_count())
                    .unwrap_or(0),
                TAB_CHECKS => self.checks.error_count(),
                _ => 0,
            };
            let mark = if errors > 0 { t.sym.error } else { "" };
            let style = if i == self.tab {
                t.tab_active
            } else {
                t.tab_inactive
            };
            spans.push(Span::styled(format!(" {}{mark} ", cat.t(key)), style));
            spans.push(Span::raw(" "));
        }
        f.render_widget(
            Paragraph::new(Line::from(spans)),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
        // A line of context.
        let info = match &self.record {
            Some(r) => {
                let mut parts = vec![format!("{} {}", cat.t("ui.office"), r.office_code)];
                if let Some(rec) = self.scoring.as_ref().and_then(|s| s.recorded.as_ref()) {
                    parts.push(cat.f(
                        "dialog.score_info",
                        &[
                            ("total", &rec.total.normalize().to_string()),
                            ("n", &rec.category.number().to_string()),
                        ],
                    ));
                }
                if let Some(no) = &r.member_no {
                    parts.push(cat.f("dialog.member_no", &[("no", no)]));
                }
                if r.status == Status::Rejected && !r.reject_reason.is_empty() {
                    parts.push(cat.f("dialog.reject_reason", &[("reason", &r.reject_reason)]));
                }
                if !self.editable {
                    parts.push(cat.t("dialog.readonly").to_string());
                }
                parts.join(" · ")
            }
            None => String::new(),
        };
        f.render_widget(
            Paragraph::new(info).style(t.muted),
            Rect::new(inner.x, inner.y + 1, inner.width, 1),
        );
        let body = Rect::new(
            inner.x,
            inner.y + 2,
            inner.width,
            inner.height.saturating_sub(3),
        );
        let msg_area = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        let mut cursor = None;
        match self.tab {
            0 => cursor = self.borrower.render(body, f.buffer_mut(), t, 26, true),
            1 => {
                let n = self.loan.fields.len() as u16;
                cursor = self.loan.render(
                    Rect::new(body.x, body.y, body.width, n.min(body.height)),
                    f.buffer_mut(),
                    t,
                    26,
                    true,
                );
                let on = self
                    .record
                    .as_ref()
                    .map(|r| r.created_at.date())
                    .unwrap_or_default();
                let typed = draft::validate(&self.input(), &rules.products, on).ok();
                if let Some(data) = typed.as_ref().or(self.record.as_ref().map(|r| &r.data))
                    && body.height > n + 4
                {
                    let lines = crate::tui::panes::calculator::summary(data, rules, cat, t);
                    f.render_widget(
                        Paragraph::new(lines),
                        Rect::new(body.x + 1, body.y + n + 1, body.width.saturating_sub(1), 3),
                    );
                }
            }
            TAB_SCORING => match self.scoring.as_mut() {
                Some(sc) => cursor = sc.draw(f, body, t, cat),
                None => f.render_widget(
                    Paragraph::new(cat.t("dialog.scoring_off"))
                        .style(t.muted)
                        .wrap(Wrap { trim: true }),
                    body,
                ),
            },
            TAB_CHECKS => cursor = self.checks.render(body, f.buffer_mut(), t, 34, true),
            _ => self.draw_history(f, body, t, cat),
        }
        // The focused field's error, else the dialog's message.
        let focused_error = self
            .current_form()
            .and_then(|fm| fm.focused())
            .and_then(|fl| {
                fl.error
                    .clone()
                    .map(|e| format!("{}: {e}", fl.label.trim()))
            });
        let (style, text) = match (&focused_error, &self.message) {
            (Some(e), _) => (t.error, e.clone()),
            (None, Some((MsgKind::Error, m))) => (t.error, m.clone()),
            (None, Some((MsgKind::Info, m))) => (t.info, m.clone()),
            (None, None) => (t.muted, String::new()),
        };
        f.render_widget(
            Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
            msg_area,
        );
        let _ = rules;
        cursor
    }

    fn current_form(&self) -> Option<&Form> {
        match self.tab {
            0 => Some(&self.borrower),
            1 => Some(&self.loan),
            TAB_SCORING => self.scoring.as_ref().map(|s| &s.form),
            TAB_CHECKS => Some(&self.checks),
            _ => None,
        }
    }

    fn draw_history(&self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        if self.history.is_empty() {
            f.render_widget(
                Paragraph::new(cat.t("dialog.history_empty")).style(t.muted),
                area,
            );
            return;
        }
        let lines: Vec<Line> = self
            .history
            .iter()
            .skip(self.history_scroll)
            .map(|e| {
                let what = match (e.from, e.to) {
                    (Some(a), Some(b)) => format!(
                        "{} → {}",
                        cat.t(&format!("status_short.{}", a.code())),
                        cat.t(&format!("status_short.{}", b.code()))
                    ),
                    (None, Some(b)) => {
                        format!("→ {}", cat.t(&format!("status_short.{}", b.code())))
                    }
                    _ if e.kind == "printed" => {
                        crate::docs::print::history_label(cat, &e.comment).0
                    }
                    _ => cat.t(&format!("event.{}", e.kind)).to_string(),
                };
                let comment = if e.kind == "printed" {
                    crate::docs::print::history_label(cat, &e.comment).1
                } else {
                    e.comment.clone()
                };
                let mut spans = vec![
                    Span::styled(e.at.format("%d.%m.%Y %H:%M ").to_string(), t.muted),
                    Span::styled(format!("{:<10} ", e.actor), t.label),
                    Span::styled(what, t.title),
                ];
                if !comment.is_empty() {
                    spans.push(Span::raw(format!(" — {comment}")));
                }
                Line::from(spans)
            })
            .collect();
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
    }
}

impl App {
    pub(crate) fn dialog_key(&mut self, key: KeyEvent) {
        let action = keymap::lookup(Ctx::Dialog, &key);
        let Some(d) = self.top_dialog() else { return };
        d.message = None;
        match action {
            Some(Action::Close) => {
                if d.dirty() {
                    self.overlays.push(Overlay::ConfirmDiscard);
                } else {
                    self.overlays.pop();
                    self.refresh_queue();
                }
            }
            Some(Action::NextTab) => d.tab = (d.tab + 1) % TABS.len(),
            Some(Action::PrevTab) => d.tab = (d.tab + TABS.len() - 1) % TABS.len(),
            Some(Action::Save) => {
                self.save_dialog();
            }
            Some(Action::Refresh) => self.reload_dialog(),
            Some(Action::Audit) => {
                if let Some(r) = d.record.as_ref() {
                    let (id, number) = (r.id, r.number.clone());
                    self.open_audit(
                        crate::store::audit_trail::Subject::Application(id),
                        self.cat
                            .f("audit_view.of_application", &[("number", &number)]),
                    );
                }
            }
            Some(Action::Help) => self.overlays.push(Overlay::Help),
            Some(Action::Quit) => self.ask_quit(),
            Some(Action::Schedule) => {
                let (input, record) = (d.input(), d.record.clone());
                let on = record
                    .as_ref()
                    .map(|r| r.created_at.date())
                    .unwrap_or(self.clock.today);
                let typed = draft::validate(&input, &self.rules.products, on).ok();
                let data = typed.or_else(|| record.as_ref().map(|r| r.data.clone()));
                let number = record.map(|r| r.number).unwrap_or_default();
                self.open_schedule(data, number);
            }
            Some(Action::Print) => {
                // What is printed is what is saved: typed changes are saved first.
                if (d.record.is_none() || d.dirty()) && !self.save_dialog() {
                    return;
                }
                if let Some(id) = self
                    .top_dialog()
                    .and_then(|d| d.record.as_ref().map(|r| r.id))
                {
                    self.open_print_menu(id);
                }
            }
            Some(Action::Step) | Some(Action::Reject) => {
                let Some(id) = d.record.as_ref().map(|r| r.id) else {
                    // A new application is saved first; its steps come after.
                    self.save_dialog();
                    return;
                };
                if d.dirty() && !self.save_dialog() {
                    return;
                }
                if action == Some(Action::Step) {
                    self.open_steps(id)
                } else {
                    self.open_reject(id)
                }
                // A refusal is said in the dialog, where the person is looking.
                if let Some((MsgKind::Error, m)) = self.message.take()
                    && let Some(d) = self.top_dialog()
                {
                    d.message = Some((MsgKind::Error, m));
                }
            }
            _ => {
                if d.tab == TAB_HISTORY {
                    match key.code {
                        KeyCode::Down => {
                            d.history_scroll =
                                (d.history_scroll + 1).min(d.history.len().saturating_sub(1))
                        }
                        KeyCode::Up => d.history_scroll = d.history_scroll.saturating_sub(1),
                        _ => {}
                    }
                } else if let Some(form) = d.form_mut() {
                    form.handle_key(&key);
                    let rules = self.rules.clone();
                    let today = self.clock.today;
                    if let Some(d) = self.top_dialog() {
                        d.rescore(&rules, today);
                    }
                }
            }
        }
    }

    /// Re-read the open application, discarding what was typed.
    pub(crate) fn reload_dialog(&mut self) {
        let Some(id) = self
            .top_dialog()
            .and_then(|d| d.record.as_ref().map(|r| r.id))
        else {
            return;
        };
        let tab = self.top_dialog().map(|d| d.tab).unwrap_or(0);
        match AppDialog::open(self, id) {
            Ok(mut fresh) => {
                fresh.tab = tab;
                if let Some(d) = self.top_dialog() {
                    *d = fresh;
                }
            }
            Err(e) => {
                let m = e.message(&self.cat);
                if let Some(d) = self.top_dialog() {
                    d.message = Some((MsgKind::Error, m));
                }
            }
        }
    }

    /// Validate everything, then save it in one transaction. True when saved.
    pub(crate) fn save_dialog(&mut self) -> bool {
        let Some(actor) = self.actor.clone() else {
            return false;
        };
        let now = self.clock.now();
        let today = self.clock.today;
        let cat = self.cat.clone();
        let rules = self.rules.clone();
        let Some(d) = self.top_dialog() else {
            return false;
        };
        if !d.editable {
            d.message = Some((MsgKind::Error, cat.t("dialog.readonly").to_string()));
            return false;
        }
        d.borrower.clear_errors();
        d.loan.clear_errors();
        d.checks.clear_errors();
        if let Some(sc) = d.scoring.as_mut() {
            sc.form.clear_errors();
        }
        let on = d
            .record
            .as_ref()
            .map(|r| r.created_at.date())
            .unwrap_or(today);
        let input = d.input();
        let office_id: i64 = d.loan.get("office").parse().unwrap_or(actor.office_id);
        let data = draft::validate(&input, &rules.products, on);
        let checks = d.check_values(&cat, &rules, today);
        // A score is recorded when the answers changed, or when there is none yet and
        // something was answered; the store evaluates the card itself.
        let score = match d.scoring.as_ref() {
            Some(sc)
                if !sc.form.fields.iter().all(|f| f.readonly)
                    && (sc.dirty() || (sc.recorded.is_none() && d.record.is_none())) =>
            {
                Some(sc.input())
            }
            _ => None,
        };
        let mut errors = Vec::new();
        if let Some(Err(e)) = &score {
            errors.extend(e.iter().cloned());
        }
        if let Err(e) = &data {
            errors.extend(e.iter().cloned());
        }
        if let Err(e) = &checks {
            errors.extend(e.iter().cloned());
        }
        if !errors.is_empty() {
            let loose = d.show_errors(&cat, &errors);
            let mut msg = cat.f("dialog.fix_errors", &[("n", &errors.len().to_string())]);
            if !loose.is_empty() {
                msg = format!("{msg} {}", loose.join("; "));
            }
            d.message = Some((MsgKind::Error, msg));
            return false;
        }
        let (Ok(data), Ok((checks, bureau))) = (data, checks) else {
            return false;
        };
        let score = score.and_then(Result::ok);
        let record = d.record.clone();
        let result = match &record {
            Some(r) => self.store.save_application_scored(
                &actor,
                r.id,
                r.version,
                &data,
                office_id,
                &checks,
                bureau.as_ref(),
                score.as_ref(),
                &rules,
                now,
            ),
            None => self.store.create_application_with_checks(
                &actor,
                &data,
                office_id,
                &checks,
                bureau.as_ref(),
                score.as_ref(),
                &rules,
                now,
            ),
        };
        match result {
            Ok(saved) => {
                let tab = self.top_dialog().map(|d| d.tab).unwrap_or(0);
                match AppDialog::open(self, saved.id) {
                    Ok(mut fresh) => {
                        fresh.tab = tab;
                        fresh.message = Some((MsgKind::Info, cat.t("ui.saved").to_string()));
                        if let Some(d) = self.top_dialog() {
                            *d = fresh;
                        }
                    }
                    Err(e) => self.store_error(&e),
                }
                if record.is_none() {
                    self.reload_queue();
                } else {
                    self.refresh_queue();
                }
                true
            }
            Err(StoreError::Invalid(errs)) => {
                if let Some(d) = self.top_dialog() {
                    let loose = d.show_errors(&cat, &errs);
                    let mut msg = cat.f("dialog.fix_errors", &[("n", &errs.len().to_string())]);
                    if !loose.is_empty() {
                        msg = format!("{msg} {}", loose.join("; "));
                    }
                    d.message = Some((MsgKind::Error, msg));
                }
                false
            }
            Err(e @ StoreError::Conflict { .. }) => {
                let detail = e.message(&cat);
                if let Some(d) = self.top_dialog() {
                    d.message = Some((
                        MsgKind::Error,
                        cat.f("dialog.conflict_reload", &[("detail", &detail)]),
                    ));
                }
                false
            }
            Err(e) => {
                let m = e.message(&cat);
                if let Some(d) = self.top_dialog() {
                    d.message = Some((MsgKind::Error, m));
                }
                false
            }
        }
    }
}
