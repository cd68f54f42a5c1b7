//! The loan calculator in the application dialog: the monthly payment, the totals and the
//! payment-to-income ratio under the loan tab, and the full repayment schedule (F3).

use crate::domain::Money;
use crate::domain::calculator::{self, Schedule};
use crate::domain::draft::ApplicationData;
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::tui::app::{App, Overlay, centered};
use crate::tui::panes::queue::money_short;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};

/// The schedule of the loan as typed (or saved), on its product's rate and schedule kind.
pub fn schedule_for(data: &ApplicationData, rules: &Rules) -> Option<Schedule> {
    let p = rules.product(&data.loan.product)?;
    calculator::schedule(data.loan.amount, p.rate, data.loan.term_months, p.schedule).ok()
}

/// A percentage the way the language writes it: `17,5` in Russian and Ukrainian.
fn percent(cat: &Catalog, d: rust_decimal::Decimal) -> String {
    let s = d.normalize().to_string();
    if cat.lang == "en" {
        s
    } else {
        s.replace('.', ",")
    }
}

/// Three lines for the loan tab.
pub fn summary(
    data: &ApplicationData,
    rules: &Rules,
    cat: &Catalog,
    t: &Theme,
) -> Vec<Line<'static>> {
    let Some(s) = schedule_for(data, rules) else {
        return vec![Line::from(Span::styled(
            cat.t("calc.unavailable").to_string(),
            t.muted,
        ))];
    };
    let kind = cat.t(&format!("calc.kind_{}", s.kind.code())).to_string();
    let payment = s.monthly_payment();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(cat.t("calc.payment").to_string(), t.label),
            Span::styled(format!(" {} {} ", money_short(payment), t.sym.rub), t.title),
            Span::styled(
                format!("({kind}, {}%)", percent(cat, s.annual_rate)),
                t.muted,
            ),
        ]),
        Line::from(vec![
            Span::styled(cat.t("calc.interest").to_string(), t.label),
            Span::raw(format!(
                " {} {}   ",
                money_short(s.total_interest),
                t.sym.rub
            )),
            Span::styled(cat.t("calc.total").to_string(), t.label),
            Span::raw(format!(" {} {}", money_short(s.total_paid), t.sym.rub)),
        ]),
    ];
    let b = &data.borrower;
    let existing = b.payments.checked_add(b.deductions);
    let pti = calculator::payment_to_income(existing, payment, b.income)
        .map(|p| format!("{} %", percent(cat, p)))
        .unwrap_or_else(|| "—".into());
    lines.push(Line::from(vec![
        Span::styled(cat.t("calc.pti").to_string(), t.label),
        Span::raw(format!(" {pti}   ")),
        Span::styled(cat.t("calc.schedule_key").to_string(), t.muted),
    ]));
    lines
}

pub struct ScheduleView {
    pub title: String,
    pub schedule: Schedule,
    pub scroll: usize,
}

impl ScheduleView {
    pub fn draw(&self, f: &mut Frame, area: Rect, t: &Theme, cat: &Catalog) {
        let popup = centered(area, 72, area.height);
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(format!(" {} ", self.title), t.title));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let m = |x: Money| Cell::from(Line::from(x.to_string()).right_aligned());
        let header = Row::new(vec![
            Cell::from(cat.t("calc.col_no").to_string()),
            Cell::from(Line::from(cat.t("calc.col_payment").to_string()).right_aligned()),
            Cell::from(Line::from(cat.t("calc.col_principal").to_string()).right_aligned()),
            Cell::from(Line::from(cat.t("calc.col_interest").to_string()).right_aligned()),
            Cell::from(Line::from(cat.t("calc.col_balance").to_string()).right_aligned()),
        ])
        .style(t.header);
        let rows_h = inner.height.saturating_sub(2) as usize;
        let rows = self
            .schedule
            .rows
            .iter()
            .skip(self.scroll)
            .take(rows_h)
            .map(|r| {
                Row::new(vec![
                    Cell::from(r.no.to_string()),
                    m(r.payment),
                    m(r.principal),
                    m(r.interest),
                    m(r.balance),
                ])
            });
        let widths = [
            Constraint::Length(4),
            Constraint::Length(14),
            Constraint::Length(15),
            Constraint::Length(14),
            Constraint::Length(16),
        ];
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            Rect::new(
                inner.x,
                inner.y,
                inner.width,
                inner.height.saturating_sub(1),
            ),
        );
        let totals = cat.f(
            "calc.totals",
            &[
                ("interest", &self.schedule.total_interest.to_string()),
                ("total", &self.schedule.total_paid.to_string()),
            ],
        );
        f.render_widget(
            Paragraph::new(totals).style(t.title),
            Rect::new(
                inner.x,
                inner.y + inner.height.saturating_sub(1),
                inner.width,
                1,
            ),
        );
    }
}

impl App {
    pub(crate) fn open_schedule(&mut self, data: Option<ApplicationData>, number: String) {
        let Some(s) = data.as_ref().and_then(|d| schedule_for(d, &self.rules)) else {
            let m = self.cat.t("calc.unavailable").to_string();
            if let Some(d) = self.top_dialog() {
                d.message = Some((crate::tui::app::MsgKind::Error, m));
            }
            return;
        };
        let title = self.cat.f("calc.schedule_title", &[("number", &number)]);
        self.overlays.push(Overlay::Schedule(Box::new(ScheduleView {
            title,
            schedule: s,
            scroll: 0,
        })));
    }

    pub(crate) fn schedule_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Schedule(v)) = self.overlays.last_mut() else {
            return;
        };
        let last = v.schedule.rows.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::F(3) => {
                self.overlays.pop();
            }
            KeyCode::Down => v.scroll = (v.scroll + 1).min(last),
            KeyCode::Up => v.scroll = v.scroll.saturating_sub(1),
            KeyCode::PageDown => v.scroll = (v.scroll + 12).min(last),
            KeyCode::PageUp => v.scroll = v.scroll.saturating_sub(12),
            KeyCode::Home => v.scroll = 0,
            KeyCode::End => v.scroll = last,
            _ => {}
        }
    }
}
