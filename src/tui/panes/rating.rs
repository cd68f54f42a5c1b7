//! The daily sales rating pane (DOMAIN §5): managers (or offices) ranked by month-to-date % of
//! plan on a chosen date, with a bar of % of plan per row, the selected row's detail (УКП by
//! product, scores, bonus), the cooperative's total and a sparkline of its daily УКП; a year
//! view with each month's best manager and the year's top three. Heads set plans and scores
//! here, and anyone selling records a sale of savings or a service. It refreshes by itself when
//! another desk commits (`PRAGMA data_version`, asked at most once a second while shown).

use crate::cli::rating::{fmt_change, fmt_coef};
use crate::domain::Role;
use crate::domain::product::ProductKind;
use crate::domain::rating::report::{self, By, MonthFigures, Row, placed};
use crate::domain::rating::{Scores, Ukp, fmt_pct, month_start, parse_score, pct_of_plan};
use crate::domain::validate::{self, FieldError};
use crate::i18n::Catalog;
use crate::store::StoreError;
use crate::store::rating::SaleInput;
use crate::tui::app::{App, Overlay, centered};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form, truncate};
use chrono::{Datelike, Duration, Months, NaiveDate};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use rust_decimal::Decimal;
use std::time::Instant;

/// The pane's index in `PANES`.
pub const PANE: usize = 2;

/// How often the open pane asks whether another desk committed.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(1000);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RatingView {
    #[default]
    Managers,
    Offices,
    Year,
}

/// The year view: each month's best manager and the year's top three.
#[derive(Clone, Debug, Default)]
pub struct YearSummary {
    /// (month 1–12, best staff id, done, plan); months without anyone planned are left out.
    pub best: Vec<(u32, i64, Ukp, Ukp)>,
    /// (rank, staff id, done, plan) for the year to date.
    pub top: Vec<(u32, i64, Ukp, Ukp)>,
}

#[derive(Default)]
pub struct RatingState {
    /// The date shown (`None` until first shown: the business date).
    pub date: Option<NaiveDate>,
    pub view: RatingView,
    /// Show the cooperative's total line.
    pub show_total: bool,
    pub selected: usize,
    pub offset: usize,
    pub figures: Option<MonthFigures>,
    pub rows: Vec<Row>,
    pub coop: Option<Row>,
    pub year: Option<YearSummary>,
    /// `PRAGMA data_version` when the figures were read.
    pub data_version: Option<i64>,
    pub last_poll: Option<Instant>,
    /// Names of everyone, by staff id (for the year view).
    pub names: Vec<(i64, String, i64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    Sale,
    Plan,
    Scores,
}

pub struct RatingForm {
    pub kind: FormKind,
    pub form: Form,
    /// Whose plan or scores (Plan, Scores).
    pub staff_id: i64,
    pub who: String,
    pub month: NaiveDate,
    pub error: Option<String>,
}

/// Label of a field a rating form or store check names.
pub fn field_label(cat: &Catalog, field: &str) -> String {
    let k = format!("rating.field.{field}");
    if cat.has(&k) {
        cat.t(&k).to_string()
    } else {
        cat.t(&format!("field.{field}")).to_string()
    }
}

/// The reason of one refused field.
pub fn field_reason(cat: &Catalog, e: &FieldError) -> String {
    match &e.detail {
        Some(d) => cat.f(e.reason, &[("detail", d)]),
        None => cat.t(e.reason).to_string(),
    }
}

fn month_name(cat: &Catalog, d: NaiveDate) -> String {
    cat.t(&format!("rating.month_{}", d.month())).to_string()
}

impl App {
    pub fn rating_date(&self) -> NaiveDate {
        self.rating.date.unwrap_or(self.clock.today)
    }

    /// Read the figures for the date and view again.
    pub fn reload_rating(&mut self) {
        let date = self.rating_date();
        self.rating.date = Some(date);
        self.rating.data_version = self.store.data_version().ok();
        let figs = match self.store.rating_figures(date, &self.rules) {
            Ok(f) => f,
            Err(e) => {
                self.store_error(&e);
                return;
            }
        };
        let r = &self.rules;
        let by = match self.rating.view {
            RatingView::Offices => By::Office,
            _ => By::Manager,
        };
        self.rating.rows = report::build(&r.rating, &r.calendar, &figs, by);
        self.rating.coop = report::build(&r.rating, &r.calendar, &figs, By::Coop)
            .into_iter()
            .next();
        self.rating.names = figs
            .people
            .iter()
            .map(|p| (p.person.id, p.person.name.clone(), p.person.office_id))
            .collect();
        if let Ok(all) = self.store.sellers() {
            for s in all {
                if !self.rating.names.iter().any(|(id, _, _)| *id == s.id) {
                    self.rating.names.push((s.id, s.name, 0));
                }
            }
        }
        self.rating.figures = Some(figs);
        self.rating.year = if self.rating.view == RatingView::Year {
            match self.store.rating_year(date) {
                Ok(rows) => Some(year_summary(&rows, &self.rating.names)),
                Err(e) => {
                    self.store_error(&e);
                    None
                }
            }
        } else {
            None
        };
        let n = self.rating.rows.len();
        if self.rating.selected >= n {
            self.rating.selected = n.saturating_sub(1);
        }
    }

    /// Load on first showing the pane.
    pub fn rating_shown(&mut self) {
        if self.rating.figures.is_none() {
            self.reload_rating();
        }
    }

    /// Between keys: while the pane is shown, at most once a second, reload when another
    /// connection has committed since the figures were read.
    pub fn rating_tick(&mut self) -> bool {
        if self.pane != PANE || self.actor.is_none() || !self.overlays.is_empty() {
            return false;
        }
        let now = Instant::now();
        if self
            .rating
            .last_poll
            .is_some_and(|t| now.duration_since(t) < POLL_EVERY)
        {
            return false;
        }
        self.rating.last_poll = Some(now);
        if self.rating.figures.is_none() {
            self.reload_rating();
            return true;
        }
        match self.store.data_version() {
            Ok(v) if Some(v) != self.rating.data_version => {
                self.reload_rating();
                true
            }
            _ => false,
        }
    }

    pub(crate) fn rating_action(&mut self, a: Action) {
        let n = self.rating.rows.len();
        let date = self.rating_date();
        match a {
            Action::Up => self.rating.selected = self.rating.selected.saturating_sub(1),
            Action::Down if self.rating.selected + 1 < n => self.rating.selected += 1,
            Action::PrevDay => self.rating_go(date - Duration::days(1)),
            Action::NextDay => self.rating_go(date + Duration::days(1)),
            Action::PageUp => self.rating_go(shift_month(date, -1)),
            Action::PageDown => self.rating_go(shift_month(date, 1)),
            Action::Home => self.rating_go(self.clock.today),
            Action::Refresh => self.reload_rating(),
            Action::RatingView => {
                self.rating.view = match self.rating.view {
                    RatingView::Managers => RatingView::Offices,
                    RatingView::Offices => RatingView::Year,
                    RatingView::Year => RatingView::Managers,
                };
                self.rating.selected = 0;
                self.rating.offset = 0;
                self.reload_rating();
            }
            Action::Totals => self.rating.show_total = !self.rating.show_total,
            Action::New => self.open_sale_form(),
            Action::SetPlan => self.open_head_form(FormKind::Plan),
            Action::SetScores => self.open_head_form(FormKind::Scores),
            _ => {}
        }
    }

    fn rating_go(&mut self, d: NaiveDate) {
        // Not into the future: nothing has happened there yet.
        self.rating.date = Some(d.min(self.clock.today));
        self.reload_rating();
    }

    fn selected_manager(&self) -> Option<&Row> {
        if self.rating.view != RatingView::Managers {
            return None;
        }
        self.rating.rows.get(self.rating.selected)
    }

    fn open_sale_form(&mut self) {
        let cat = &self.cat;
        let Some(actor) = &self.actor else { return };
        let is_head = actor.roles.contains(&Role::Head);
        let mut managers: Vec<(String, String)> = self
            .staff
            .iter()
            .filter(|s| s.id == actor.staff_id || (is_head && s.roles.contains(&Role::Manager)))
            .map(|s| (s.id.to_string(), format!("{} ({})", s.name, s.login)))
            .collect();
        if managers.is_empty() {
            managers.push((actor.staff_id.to_string(), actor.name.clone()));
        }
        let default = self
            .selected_manager()
            .filter(|_| is_head)
            .map(|r| r.id)
            .unwrap_or(actor.staff_id);
        let products: Vec<(String, String)> = self
            .rules
            .products
            .iter()
            .filter(|p| p.kind != ProductKind::Loan)
            .map(|p| (p.code.clone(), p.name(&cat.lang).to_string()))
            .collect();
        let form = Form::new(vec![
            Field::choice(
                "manager",
                field_label(cat, "manager"),
                managers,
                default.to_string(),
            ),
            Field::text("member_no", field_label(cat, "member_no"), ""),
            Field::choice("product", field_label(cat, "product"), products, ""),
            Field::text("amount", field_label(cat, "amount"), ""),
            Field::text(
                "sale_date",
                field_label(cat, "sale_date"),
                self.rating_date().format("%d.%m.%Y").to_string(),
            ),
        ]);
        self.overlays.push(Overlay::RatingForm(Box::new(RatingForm {
            kind: FormKind::Sale,
            form,
            staff_id: default,
            who: String::new(),
            month: month_start(self.rating_date()),
            error: None,
        })));
    }

    fn open_head_form(&mut self, kind: FormKind) {
        if !self.roles().contains(&Role::Head) {
            let role = self.cat.t("role.head").to_string();
            self.error(self.cat.f("refuse.role_required", &[("role", &role)]));
            return;
        }
        let Some(row) = self.selected_manager() else {
            self.error(self.cat.t("rating.choose_manager").to_string());
            return;
        };
        let (id, who, plan, scores) = (row.id, row.who.clone(), row.plan, row.scores);
        let cat = &self.cat;
        let fields = match kind {
            FormKind::Plan => vec![Field::text(
                "plan",
                field_label(cat, "plan"),
                plan.map(|p| p.to_string()).unwrap_or_default(),
            )],
            _ => {
                let s = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
                vec![
                    Field::text(
                        "quality",
                        field_label(cat, "quality"),
                        s(scores.map(|x| x.quality)),
                    ),
                    Field::text(
                        "activity",
                        field_label(cat, "activity"),
                        s(scores.map(|x| x.activity)),
                    ),
                    Field::text(
                        "discipline",
                        field_label(cat, "discipline"),
                        s(scores.map(|x| x.discipline)),
                    ),
                    Field::text("time", field_label(cat, "time"), s(scores.map(|x| x.time))),
                ]
            }
        };
        self.overlays.push(Overlay::RatingForm(Box::new(RatingForm {
            kind,
            form: Form::new(fields),
            staff_id: id,
            who,
            month: month_start(self.rating_date()),
            error: None,
        })));
    }

    pub(crate) fn rating_form_key(&mut self, key: KeyEvent) {
        let Some(Overlay::RatingForm(rf)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                if rf.form.dirty {
                    self.overlays.push(Overlay::ConfirmDiscard);
                } else {
                    self.overlays.pop();
                }
            }
            KeyCode::F(2) => self.save_rating_form(),
            KeyCode::Char('s')
                if key
                    .modifiers
                    .contains(ratatui::crossterm::event::KeyModifiers::CONTROL) =>
            {
                self.save_rating_form()
            }
            KeyCode::Enter if rf.form.focus + 1 >= rf.form.fields.len() => self.save_rating_form(),
            _ => {
                rf.form.handle_key(&key);
            }
        }
    }

    fn save_rating_form(&mut self) {
        let cat = self.cat.clone();
        let now = self.clock.now();
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let Some(Overlay::RatingForm(rf)) = self.overlays.last_mut() else {
            return;
        };
        rf.form.clear_errors();
        rf.error = None;
        let mut local: Vec<(&str, String)> = Vec::new();
        let result: Result<String, StoreError> = match rf.kind {
            FormKind::Sale => {
                let date = validate::date(rf.form.get("sale_date"));
                match date {
                    Err(r) => {
                        local.push(("sale_date", cat.t(r).to_string()));
                        Err(StoreError::Invalid(vec![]))
                    }
                    Ok(date) => {
                        let input = SaleInput {
                            manager_id: rf.form.get("manager").parse().unwrap_or(0),
                            member_no: rf.form.get("member_no").to_string(),
                            product: rf.form.get("product").to_string(),
                            amount: rf.form.get("amount").to_string(),
                            date,
                        };
                        self.store
                            .record_sale(&actor, &input, &self.rules, now)
                            .map(|_| cat.t("rating.sale_saved").to_string())
                    }
                }
            }
            FormKind::Plan => {
                let typed = rf.form.get("plan").trim().to_string();
                let plan = if typed.is_empty() {
                    Ok(None)
                } else {
                    Ukp::parse(&typed).map(Some)
                };
                match plan {
                    Err(r) => {
                        local.push(("plan", cat.t(r).to_string()));
                        Err(StoreError::Invalid(vec![]))
                    }
                    Ok(p) => {
                        let (id, month) = (rf.staff_id, rf.month);
                        self.store
                            .set_plan(&actor, id, month, p, now)
                            .map(|_| cat.t("rating.plan_saved").to_string())
                    }
                }
            }
            FormKind::Scores => {
                let mut vals = [0u8; 4];
                for (i, f) in ["quality", "activity", "discipline", "time"]
                    .into_iter()
                    .enumerate()
                {
                    match parse_score(rf.form.get(f)) {
                        Ok(v) => vals[i] = v,
                        Err(r) => local.push((f, cat.t(r).to_string())),
                    }
                }
                if local.is_empty() {
                    let s = Scores {
                        quality: vals[0],
                        activity: vals[1],
                        discipline: vals[2],
                        time: vals[3],
                    };
                    let (id, month) = (rf.staff_id, rf.month);
                    self.store
                        .set_scores(&actor, id, month, s, now)
                        .map(|_| cat.t("rating.scores_saved").to_string())
                } else {
                    Err(StoreError::Invalid(vec![]))
                }
            }
        };
        let Some(Overlay::RatingForm(rf)) = self.overlays.last_mut() else {
            return;
        };
        match result {
            Ok(msg) => {
                self.overlays.pop();
                self.info(msg);
                self.reload_rating();
            }
            Err(StoreError::Invalid(errs)) => {
                for (f, text) in local {
                    rf.form.set_error(f, text);
                }
                for e in errs {
                    let text = field_reason(&cat, &e);
                    if !rf.form.set_error(e.field, text.clone()) {
                        rf.error = Some(format!("{}: {text}", field_label(&cat, e.field)));
                    }
                }
                rf.form.focus_first_error();
            }
            Err(e) => rf.error = Some(e.message(&cat)),
        }
    }

    // ----- drawing -------------------------------------------------------------------------

    pub(crate) fn draw_rating(&mut self, f: &mut Frame, area: Rect) {
        self.rating_shown();
        let t = self.theme.clone();
        let cat = &self.cat;
        let date = self.rating_date();
        let (all, elapsed) = self.rules.calendar.working_days_in_month(date);
        let view = match self.rating.view {
            RatingView::Managers => cat.t("rating.view_managers"),
            RatingView::Offices => cat.t("rating.view_offices"),
            RatingView::Year => cat.t("rating.view_year"),
        };
        let title = cat.f(
            "rating.title",
            &[
                ("date", &date.format("%d.%m.%Y").to_string()),
                (
                    "weekday",
                    cat.t(&format!(
                        "rating.weekday_{}",
                        date.weekday().number_from_monday()
                    )),
                ),
                ("month", &month_name(cat, date)),
                ("elapsed", &elapsed.to_string()),
                ("all", &all.to_string()),
                ("view", view),
            ],
        );
        let block = Block::default()
            .borders(Borders::TOP)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(format!(" {title} "), t.title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height < 6 {
            return;
        }
        if self.rating.view == RatingView::Year {
            self.draw_rating_year(f, inner);
            return;
        }
        let footer = 2 + u16::from(self.rating.show_total) + 1;
        let table_h = inner.height.saturating_sub(footer);
        let table = Rect::new(inner.x, inner.y, inner.width, table_h);
        self.draw_rating_table(f, table);
        let mut y = inner.y + table_h;
        let line = |y: u16| Rect::new(inner.x, y, inner.width, 1);
        let (d1, d2) = self.rating_detail();
        f.render_widget(Paragraph::new(d1), line(y));
        f.render_widget(Paragraph::new(d2), line(y + 1));
        y += 2;
        if self.rating.show_total {
            f.render_widget(Paragraph::new(self.rating_total_line()), line(y));
            y += 1;
        }
        f.render_widget(Paragraph::new(self.rating_sparkline()), line(y));
    }

    fn draw_rating_table(&mut self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let offices = self.rating.view == RatingView::Offices;
        let head = format!(
            "{:>3} {:>3} {:<13} {:<4} {:>8} {:>8} {:>6} {:>6} {:>4} {:>5} {}",
            "#",
            "±",
            truncate(
                cat.t(if offices {
                    "rating.col_office_name"
                } else {
                    "rating.col_manager"
                }),
                13,
                t.sym.ellipsis
            ),
            cat.t("rating.col_office"),
            cat.t("rating.col_ukp"),
            cat.t("rating.col_plan"),
            "%",
            cat.t("rating.col_forecast"),
            cat.t("rating.col_kp"),
            cat.t("rating.col_activity"),
            cat.t("rating.col_bar"),
        );
        f.render_widget(
            Paragraph::new(head).style(t.header),
            Rect::new(area.x, area.y, area.width, 1),
        );
        let rows_h = area.height.saturating_sub(1) as usize;
        let sel = self.rating.selected;
        if sel < self.rating.offset {
            self.rating.offset = sel;
        } else if rows_h > 0 && sel >= self.rating.offset + rows_h {
            self.rating.offset = sel + 1 - rows_h;
        }
        let rows = &self.rating.rows;
        if rows.is_empty() {
            f.render_widget(
                Paragraph::new(cat.t("rating.empty")).style(t.muted),
                Rect::new(area.x, area.y + 1, area.width, 1),
            );
            return;
        }
        let no_plan = cat.t("rating.no_plan");
        for (i, r) in rows
            .iter()
            .enumerate()
            .skip(self.rating.offset)
            .take(rows_h)
        {
            let y = area.y + 1 + (i - self.rating.offset) as u16;
            let text = format!(
                "{:>3} {:>3} {:<13} {:<4} {:>8} {:>8} {:>6} {:>6} {:>4} {:>5} ",
                r.standing.rank.map(|x| x.to_string()).unwrap_or_default(),
                fmt_change(r.standing.change()),
                truncate(
                    &if offices {
                        r.who.clone()
                    } else {
                        short_name(&r.who)
                    },
                    13,
                    t.sym.ellipsis
                ),
                truncate(&r.office, 4, t.sym.ellipsis),
                r.done.to_string(),
                r.plan.map(|p| p.to_string()).unwrap_or_else(|| "—".into()),
                r.standing
                    .pct
                    .map(|p| format!("{:.1}", crate::domain::rating::shown(p, 1)))
                    .unwrap_or_default(),
                r.standing
                    .forecast_pct
                    .map(|p| format!("{:.1}", crate::domain::rating::shown(p, 1)))
                    .unwrap_or_default(),
                r.standing.kp.map(fmt_coef).unwrap_or_default(),
                format!("{}/{}", r.calls, r.meetings),
            );
            let (bar, bar_style) = match r.standing.pct {
                Some(p) => (bar(p, 10), pct_style(t, p)),
                None => (no_plan.to_string(), t.muted),
            };
            let selected = i == sel;
            let base = if selected { t.selected } else { t.base };
            let line = Line::from(vec![
                Span::styled(text, base),
                Span::styled(bar, if selected { t.selected } else { bar_style }),
            ]);
            f.render_widget(
                Paragraph::new(line).style(base),
                Rect::new(area.x, y, area.width, 1),
            );
        }
    }

    /// Two lines about the selected row: УКП by product; scores and bonus (or the office plan).
    fn rating_detail(&self) -> (Line<'static>, Line<'static>) {
        let t = &self.theme;
        let cat = &self.cat;
        let Some(r) = self.rating.rows.get(self.rating.selected) else {
            return (Line::default(), Line::default());
        };
        // Items/УКП by product; only the УКП when that is too wide for 80 columns.
        let parts = |with_items: bool| {
            self.rules
                .products
                .iter()
                .map(|p| {
                    if with_items {
                        format!(
                            "{} {}/{}",
                            p.short(&cat.lang),
                            r.items(&p.code),
                            r.ukp_of(&p.code)
                        )
                    } else {
                        format!("{} {}", p.short(&cat.lang), r.ukp_of(&p.code))
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut detail = parts(true);
        if detail.chars().count() > 60 {
            detail = parts(false);
        }
        let l1 = Line::from(vec![
            Span::styled(truncate(&r.who, 17, t.sym.ellipsis), t.title),
            Span::raw(": "),
            Span::raw(detail),
        ]);
        let l2 = if self.rating.view == RatingView::Offices {
            Line::from(Span::styled(
                cat.f(
                    "rating.office_plan",
                    &[(
                        "plan",
                        &r.plan
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| cat.t("rating.no_plan").into()),
                    )],
                ),
                t.muted,
            ))
        } else {
            match (r.scores, r.standing.kp) {
                (_, None) => Line::from(Span::styled(
                    cat.t("rating.detail_no_plan").to_string(),
                    t.muted,
                )),
                (None, Some(kp)) => Line::from(Span::styled(
                    cat.f("rating.detail_no_scores", &[("kp", &fmt_coef(kp))]),
                    t.muted,
                )),
                (Some(s), Some(kp)) => {
                    let c = |v: u8| {
                        self.rules
                            .rating
                            .score_coefficient(v)
                            .map(fmt_coef)
                            .unwrap_or_default()
                    };
                    let text = cat.f(
                        "rating.detail_bonus",
                        &[
                            ("kp", &fmt_coef(kp)),
                            ("kk", &format!("{}={}", s.quality, c(s.quality))),
                            ("ka", &format!("{}={}", s.activity, c(s.activity))),
                            ("kd", &format!("{}={}", s.discipline, c(s.discipline))),
                            ("kv", &format!("{}={}", s.time, c(s.time))),
                            (
                                "base",
                                &r.base.map(|b| b.to_string()).unwrap_or_else(|| "—".into()),
                            ),
                            (
                                "bonus",
                                &r.bonus.map(|b| b.to_string()).unwrap_or_else(|| "—".into()),
                            ),
                        ],
                    );
                    Line::from(Span::raw(text))
                }
            }
        };
        (l1, l2)
    }

    fn rating_total_line(&self) -> Line<'static> {
        let t = &self.theme;
        let cat = &self.cat;
        let Some(c) = &self.rating.coop else {
            return Line::default();
        };
        let text = match c.plan {
            Some(plan) => cat.f(
                "rating.total",
                &[
                    ("ukp", &c.done.to_string()),
                    ("plan", &plan.to_string()),
                    ("pct", &c.standing.pct.map(fmt_pct).unwrap_or_default()),
                    (
                        "forecast",
                        &c.standing.forecast_pct.map(fmt_pct).unwrap_or_default(),
                    ),
                ],
            ),
            None => cat.f("rating.total_no_plan", &[("ukp", &c.done.to_string())]),
        };
        Line::from(Span::styled(text, t.header))
    }

    /// The cooperative's УКП per day this month, one character a day; `·` for days off.
    fn rating_sparkline(&self) -> Line<'static> {
        const LEVELS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
        let t = &self.theme;
        let cat = &self.cat;
        let Some(figs) = &self.rating.figures else {
            return Line::default();
        };
        let max = figs.daily.iter().map(|(_, u)| u.0).max().unwrap_or(0);
        let mut s = String::new();
        for (d, u) in &figs.daily {
            let ch = if u.0 == 0 {
                if self.rules.calendar.is_working(*d) {
                    " "
                } else {
                    "·"
                }
            } else {
                // 1..=8 eighths of the best day, in integers.
                let lvl = ((u.0 * 8 + max - 1) / max).clamp(1, 8) as usize;
                LEVELS[lvl - 1]
            };
            s.push_str(ch);
        }
        Line::from(vec![
            Span::styled(cat.t("rating.spark_label").to_string(), t.label),
            Span::raw(" "),
            Span::styled(s, t.info),
            Span::raw(" "),
            Span::styled(
                cat.f("rating.spark_max", &[("max", &Ukp(max).to_string())]),
                t.muted,
            ),
        ])
    }

    fn draw_rating_year(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let cat = &self.cat;
        let date = self.rating_date();
        let mut lines = vec![Line::from(Span::styled(
            cat.f(
                "rating.year_best_title",
                &[("year", &date.year().to_string())],
            ),
            t.header,
        ))];
        let name = |id: i64| {
            self.rating
                .names
                .iter()
                .find(|(i, _, _)| *i == id)
                .map(|(_, n, _)| n.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let pct = |d: Ukp, p: Ukp| pct_of_plan(d, p).map(fmt_pct).unwrap_or_default();
        let y = self.rating.year.clone().unwrap_or_default();
        for m in 1..=date.month() {
            let md = NaiveDate::from_ymd_opt(date.year(), m, 1).expect("a month");
            let text = match y.best.iter().find(|b| b.0 == m) {
                Some((_, id, d, p)) => format!(
                    "{:<9} {:<30} {:>8} / {:>8}  {:>7} %",
                    truncate(&month_name(cat, md), 9, t.sym.ellipsis),
                    truncate(&name(*id), 30, t.sym.ellipsis),
                    d.to_string(),
                    p.to_string(),
                    pct(*d, *p)
                ),
                None => format!(
                    "{:<9} {}",
                    truncate(&month_name(cat, md), 9, t.sym.ellipsis),
                    cat.t("rating.no_plan")
                ),
            };
            lines.push(Line::from(text));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            cat.f(
                "rating.year_top_title",
                &[("year", &date.year().to_string())],
            ),
            t.header,
        )));
        if y.top.is_empty() {
            lines.push(Line::from(Span::styled(
                cat.t("rating.no_plan").to_string(),
                t.muted,
            )));
        }
        for (rank, id, d, p) in y.top.iter().take(3) {
            lines.push(Line::from(format!(
                "{:>2}. {:<40} {:>8} / {:>8}  {:>7} %",
                rank,
                truncate(&name(*id), 40, t.sym.ellipsis),
                d.to_string(),
                p.to_string(),
                pct(*d, *p)
            )));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

impl RatingForm {
    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
    ) -> Option<Position> {
        let rows = self.form.fields.len() as u16;
        let popup = centered(area, 66, rows + 5);
        f.render_widget(Clear, popup);
        let title = match self.kind {
            FormKind::Sale => cat.t("rating.sale_title").to_string(),
            FormKind::Plan => cat.f(
                "rating.plan_title",
                &[
                    ("who", &self.who),
                    ("month", &self.month.format("%m.%Y").to_string()),
                ],
            ),
            FormKind::Scores => cat.f(
                "rating.scores_title",
                &[
                    ("who", &self.who),
                    ("month", &self.month.format("%m.%Y").to_string()),
                ],
            ),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(" {} ", truncate(&title, 60, t.sym.ellipsis)),
                t.title,
            ));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let cursor = self.form.render(
            Rect::new(inner.x, inner.y, inner.width, rows),
            f.buffer_mut(),
            t,
            20,
            true,
        );
        let hint = match self.kind {
            FormKind::Plan => cat.t("rating.plan_hint"),
            FormKind::Scores => cat.t("rating.scores_hint"),
            FormKind::Sale => cat.t("rating.sale_hint"),
        };
        let err = self
            .form
            .focused()
            .and_then(|fl| fl.error.clone())
            .or_else(|| self.error.clone());
        let (text, style) = match err {
            Some(e) => (e, t.error),
            None => (hint.to_string(), t.muted),
        };
        f.render_widget(
            Paragraph::new(text).style(style),
            Rect::new(inner.x, inner.y + rows + 1, inner.width, 1),
        );
        cursor
    }
}

/// «Белова Екатерина Михайловна» → «Белова Е.М.», as Russian tables write people.
pub fn short_name(full: &str) -> String {
    let mut words = full.split_whitespace();
    let Some(surname) = words.next() else {
        return String::new();
    };
    let rest: Vec<&str> = words.collect();
    // Not a person's name (a number, a code): as it is.
    if rest
        .iter()
        .any(|w| !w.chars().next().is_some_and(char::is_alphabetic))
    {
        return full.to_string();
    }
    let initials: String = rest
        .iter()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}."))
        .collect();
    if initials.is_empty() {
        surname.to_string()
    } else {
        format!("{surname} {initials}")
    }
}

/// `date` moved by whole months, the day kept where the month has it (31 → 30).
fn shift_month(date: NaiveDate, by: i32) -> NaiveDate {
    if by < 0 {
        date.checked_sub_months(Months::new(by.unsigned_abs()))
    } else {
        date.checked_add_months(Months::new(by as u32))
    }
    .unwrap_or(date)
}

/// A bar of `width` cells for a percentage: a cell is 10 % of plan at width 10, half cells
/// drawn; beyond 100 % the last cell is `+`.
fn bar(pct: Decimal, width: usize) -> String {
    let halves = (pct * Decimal::from(width as u64 * 2) / Decimal::ONE_HUNDRED)
        .trunc()
        .try_into()
        .unwrap_or(0i64)
        .clamp(0, width as i64 * 2) as usize;
    let mut s = "█".repeat(halves / 2);
    if halves % 2 == 1 {
        s.push('▌');
    }
    if pct > Decimal::ONE_HUNDRED {
        s.pop();
        s.push('+');
    }
    s
}

fn pct_style(t: &Theme, pct: Decimal) -> Style {
    if pct >= Decimal::ONE_HUNDRED {
        t.info
    } else if pct < Decimal::from(50) {
        t.late
    } else {
        t.base
    }
}

/// Each month's best (ranked first by % of plan; ties: more УКП, then name) and the year's top
/// three by year-to-date % of plan (the plans of the months so far summed).
pub fn year_summary(rows: &[(u32, i64, Ukp, Ukp)], names: &[(i64, String, i64)]) -> YearSummary {
    let name = |id: i64| {
        names
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_default()
    };
    let mut best = Vec::new();
    for m in 1..=12 {
        let totals: Vec<(i64, String, Ukp, Ukp)> = rows
            .iter()
            .filter(|r| r.0 == m)
            .map(|r| (r.1, name(r.1), r.2, r.3))
            .collect();
        if let Some(p) = placed(&totals).first() {
            best.push((m, p.staff_id, p.done, p.plan));
        }
    }
    let mut year: std::collections::BTreeMap<i64, (Ukp, Ukp)> = Default::default();
    for r in rows {
        let e = year.entry(r.1).or_default();
        e.0 += r.2;
        e.1 += r.3;
    }
    let totals: Vec<(i64, String, Ukp, Ukp)> = year
        .into_iter()
        .map(|(id, (d, p))| (id, name(id), d, p))
        .collect();
    let top = placed(&totals)
        .into_iter()
        .filter(|p| p.rank <= 3)
        .map(|p| (p.rank, p.staff_id, p.done, p.plan))
        .collect();
    YearSummary { best, top }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn names_are_shortened_to_initials() {
        assert_eq!(short_name("Белова Екатерина Михайловна"), "Белова Е.М.");
        assert_eq!(short_name("Новак Олег"), "Новак О.");
        assert_eq!(short_name("Менеджер 0246"), "Менеджер 0246");
        assert_eq!(short_name("Cher"), "Cher");
    }

    #[test]
    fn bars_fill_by_tenths_with_halves() {
        let b = |s: &str| bar(Decimal::from_str(s).unwrap(), 10);
        assert_eq!(b("0"), "");
        assert_eq!(b("4.99"), "");
        assert_eq!(b("5"), "▌");
        assert_eq!(b("55"), "█████▌");
        assert_eq!(b("100"), "██████████");
        assert_eq!(b("130"), "█████████+");
    }

    #[test]
    fn months_shift_keeping_the_day_where_it_exists() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(shift_month(d(2026, 3, 31), -1), d(2026, 2, 28));
        assert_eq!(shift_month(d(2026, 12, 15), 1), d(2027, 1, 15));
    }

    #[test]
    fn the_year_names_each_months_best_and_the_top_three() {
        let u = |s: &str| Ukp::parse(s).unwrap();
        let names = vec![
            (1, "Анна".to_string(), 1),
            (2, "Борис".to_string(), 1),
            (3, "Вера".to_string(), 1),
            (4, "Глеб".to_string(), 1),
        ];
        let rows = vec![
            (1, 1, u("30"), u("40")),
            (1, 2, u("45"), u("40")),
            (1, 3, u("10"), Ukp::ZERO),
            (2, 1, u("50"), u("40")),
            (2, 2, u("20"), u("40")),
            (2, 4, u("41"), u("40")),
        ];
        let y = year_summary(&rows, &names);
        assert_eq!(
            y.best,
            vec![(1, 2, u("45"), u("40")), (2, 1, u("50"), u("40"))]
        );
        // Year: Анна 80/80 = 100 %, Борис 65/80, Глеб 41/40; Вера has no plan.
        assert_eq!(
            y.top.iter().map(|t| (t.0, t.1)).collect::<Vec<_>>(),
            vec![(1, 4), (2, 1), (3, 2)]
        );
    }
}
