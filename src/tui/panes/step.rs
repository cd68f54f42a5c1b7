//! Changing an application's status: the menu of steps this person may take, and the small
//! form each step needs (a reason, receipt numbers, contract data, or just a confirmation).

use crate::domain::Status;
use crate::domain::application::Requirement;
use crate::domain::validate;
use crate::i18n::Catalog;
use crate::store::StoreError;
use crate::store::applications::{ApplicationRecord, StepInput};
use crate::tui::app::{App, MsgKind, Overlay, centered};
use crate::tui::panes::queue::money_short;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub struct StepMenu {
    pub app_id: i64,
    pub number: String,
    pub from: Status,
    pub options: Vec<Status>,
    pub cursor: usize,
}

impl StepMenu {
    pub fn new(app: &ApplicationRecord, options: Vec<Status>) -> StepMenu {
        StepMenu {
            app_id: app.id,
            number: app.number.clone(),
            from: app.status,
            options,
            cursor: 0,
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        let popup = centered(area, 56, self.options.len() as u16 + 4);
        f.render_widget(Clear, popup);
        let title = format!(" {} {} ", cat.t("step.title"), self.number);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(title, t.title));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let from = cat.t(&format!("status.{}", self.from.code())).to_string();
        let mut lines = vec![Line::from(Span::styled(from, t.muted))];
        for (i, s) in self.options.iter().enumerate() {
            let text = cat.f(
                "step.to",
                &[("status", cat.t(&format!("status.{}", s.code())))],
            );
            let style = if i == self.cursor { t.selected } else { t.base };
            let pointer = if i == self.cursor { t.sym.pointer } else { " " };
            lines.push(Line::from(Span::styled(format!("{pointer} {text}"), style)));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

pub struct StepForm {
    pub app_id: i64,
    pub version: i64,
    pub number: String,
    pub to: Status,
    pub req: Requirement,
    pub form: Form,
    pub note: String,
    pub error: Option<String>,
}

impl StepForm {
    pub fn new(app: &App, rec: &ApplicationRecord, to: Status, req: Requirement) -> StepForm {
        let cat = &app.cat;
        let label = |f: &str| cat.t(&format!("field.{f}")).to_string();
        let (fields, note) = match req {
            Requirement::Reason => (
                vec![Field::text("reason", label("reason"), "")],
                String::new(),
            ),
            Requirement::Fees => (
                vec![
                    Field::text("entrance_receipt", label("entrance_receipt"), ""),
                    Field::text("share_receipt", label("share_receipt"), ""),
                ],
                cat.f(
                    "step.fees_note",
                    &[
                        ("entrance", &money_short(app.rules.fees.entrance_fee)),
                        ("share", &money_short(app.rules.fees.mandatory_share)),
                    ],
                ),
            ),
            Requirement::Contract => {
                let rate = app
                    .rules
                    .product(&rec.data.loan.product)
                    .map(|p| p.rate.to_string())
                    .unwrap_or_default();
                let product = app
                    .rules
                    .product(&rec.data.loan.product)
                    .map(|p| p.name(&cat.lang).to_string())
                    .unwrap_or_default();
                (
                    vec![
                        Field::text("contract_no", label("contract_no"), ""),
                        Field::text(
                            "issue_date",
                            label("issue_date"),
                            app.clock.today.format("%d.%m.%Y").to_string(),
                        ),
                    ],
                    format!(
                        "{} ({})",
                        cat.f(
                            "step.contract_note",
                            &[
                                ("product", &product),
                                ("amount", &money_short(rec.data.loan.amount)),
                                ("term", &rec.data.loan.term_months.to_string()),
                                ("rate", &rate),
                            ]
                        ),
                        cat.t("step.contract_auto")
                    ),
                )
            }
            Requirement::Verified | Requirement::Decision | Requirement::FinalTerms => (
                vec![],
                cat.f(
                    "step.confirm",
                    &[
                        ("number", &rec.number),
                        ("status", cat.t(&format!("status.{}", to.code()))),
                    ],
                ),
            ),
        };
        StepForm {
            app_id: rec.id,
            version: rec.version,
            number: rec.number.clone(),
            to,
            req,
            form: Form::new(fields),
            note,
            error: None,
        }
    }

    fn input(&self) -> Result<StepInput, (&'static str, &'static str)> {
        Ok(match self.req {
            Requirement::Reason => StepInput::Reason(self.form.get("reason").to_string()),
            Requirement::Fees => StepInput::Fees {
                entrance_receipt: self.form.get("entrance_receipt").to_string(),
                share_receipt: self.form.get("share_receipt").to_string(),
            },
            Requirement::Contract => StepInput::Contract {
                contract_no: self.form.get("contract_no").to_string(),
                issue_date: validate::date(self.form.get("issue_date"))
                    .map_err(|r| ("issue_date", r))?,
            },
            _ => StepInput::None,
        })
    }

    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
    ) -> Option<Position> {
        // Grow to show every reason a step was refused for.
        let error_lines = self
            .error
            .as_ref()
            .map(|e| e.chars().count() as u16 / 64 + 1)
            .unwrap_or(0);
        let h = if self.form.fields.is_empty() {
            5 + error_lines.max(1)
        } else {
            self.form.fields.len() as u16 + 7 + error_lines.max(1)
        };
        let popup = centered(area, 70, h);
        f.render_widget(Clear, popup);
        let title = match self.req {
            Requirement::Reason => cat.f("step.reject_title", &[("number", &self.number)]),
            Requirement::Fees => cat.f("step.fees_title", &[("number", &self.number)]),
            Requirement::Contract => cat.f("step.contract_title", &[("number", &self.number)]),
            _ => format!("{} {}", cat.t("step.title"), self.number),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(format!(" {title} "), t.title));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let note_h = 2;
        f.render_widget(
            Paragraph::new(self.note.as_str()).wrap(Wrap { trim: true }),
            Rect::new(inner.x, inner.y, inner.width, note_h),
        );
        let form_area = Rect::new(
            inner.x,
            inner.y + note_h + 1,
            inner.width,
            self.form.fields.len() as u16,
        );
        let cursor = self.form.render(form_area, f.buffer_mut(), t, 34, true);
        let err_y = form_area.y + form_area.height;
        let focused_error = self
            .form
            .focused()
            .and_then(|fl| fl.error.clone().map(|e| format!("{}: {e}", fl.label)));
        if let Some(e) = focused_error.or_else(|| self.error.clone()) {
            let h = inner.y + inner.height - err_y;
            f.render_widget(
                Paragraph::new(e).style(t.error).wrap(Wrap { trim: true }),
                Rect::new(inner.x, err_y, inner.width, h),
            );
        }
        cursor
    }
}

impl App {
    pub(crate) fn steps_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Steps(m)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::Up => m.cursor = m.cursor.saturating_sub(1),
            KeyCode::Down => m.cursor = (m.cursor + 1).min(m.options.len().saturating_sub(1)),
            KeyCode::Enter | KeyCode::F(6) => {
                let (id, to) = (m.app_id, m.options[m.cursor]);
                self.overlays.pop();
                let rec = match self.store.application(id) {
                    Ok(r) => r,
                    Err(e) => return self.store_error(&e),
                };
                let member = self
                    .store
                    .applicant_is_member(&rec.data.borrower.passport)
                    .unwrap_or(false);
                match crate::domain::application::may_transition(
                    rec.status,
                    to,
                    self.roles(),
                    member,
                ) {
                    Ok(req) => {
                        let form = StepForm::new(self, &rec, to, req);
                        self.overlays.push(Overlay::StepForm(Box::new(form)));
                    }
                    Err(r) => {
                        let m = StoreError::Refused(r).message(&self.cat);
                        self.error(m);
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn step_form_key(&mut self, key: KeyEvent) {
        let Some(Overlay::StepForm(s)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::F(2) => self.submit_step(),
            KeyCode::Enter
                if s.form.fields.is_empty() || s.form.focus + 1 >= s.form.fields.len() =>
            {
                self.submit_step()
            }
            _ => {
                s.error = None;
                s.form.handle_key(&key);
            }
        }
    }

    fn submit_step(&mut self) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let now = self.clock.now();
        let cat = self.cat.clone();
        let rules = self.rules.clone();
        let Some(Overlay::StepForm(s)) = self.overlays.last_mut() else {
            return;
        };
        s.form.clear_errors();
        s.error = None;
        let input = match s.input() {
            Ok(i) => i,
            Err((field, reason)) => {
                s.form.set_error(field, cat.t(reason).to_string());
                s.form.focus_first_error();
                return;
            }
        };
        let (id, version, to, number) = (s.app_id, s.version, s.to, s.number.clone());
        match self
            .store
            .transition(&actor, id, version, to, &input, &rules, now)
        {
            Ok(rec) => {
                self.overlays.pop();
                let status = cat.t(&format!("status.{}", rec.status.code())).to_string();
                self.info(cat.f("step.done", &[("number", &number), ("status", &status)]));
                if self.any_dialog().is_some() {
                    self.reload_dialog_under();
                }
                self.refresh_queue();
            }
            Err(StoreError::Invalid(errs)) => {
                let mut loose = Vec::new();
                for e in &errs {
                    let reason = match &e.detail {
                        Some(d) => cat.f(e.reason, &[("detail", d)]),
                        None => cat.t(e.reason).to_string(),
                    };
                    if !s.form.set_error(e.field, reason) {
                        loose.push(crate::store::field_error_text(&cat, e));
                    }
                }
                s.form.focus_first_error();
                if !loose.is_empty() {
                    s.error = Some(loose.join("; "));
                }
            }
            Err(e) => s.error = Some(e.message(&cat)),
        }
    }

    /// After a step taken from the dialog, show the dialog's new state.
    fn reload_dialog_under(&mut self) {
        let Some(id) = self
            .any_dialog()
            .and_then(|d| d.record.as_ref().map(|r| r.id))
        else {
            return;
        };
        match crate::tui::panes::dialog::AppDialog::open(self, id) {
            Ok(mut fresh) => {
                let msg = self.message.clone();
                if let Some(d) = self.any_dialog() {
                    fresh.tab = d.tab;
                    fresh.message = msg.filter(|m| m.0 == MsgKind::Info);
                    *d = fresh;
                }
            }
            Err(e) => self.store_error(&e),
        }
    }
}
