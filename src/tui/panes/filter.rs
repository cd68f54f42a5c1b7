//! The journal's filter: status, office, assignee, product, date range, "mine".

use crate::domain::Status;
use crate::domain::validate;
use crate::i18n::Catalog;
use crate::tui::app::{App, Overlay, centered};
use crate::tui::panes::queue::StatusView;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub struct FilterForm {
    pub form: Form,
    pub error: Option<String>,
}

impl FilterForm {
    pub fn new(app: &App) -> FilterForm {
        let cat = &app.cat;
        let all = || (String::new(), cat.t("queue.all").to_string());
        let mut statuses = vec![
            ("open".to_string(), cat.t("queue.open").to_string()),
            ("all".to_string(), cat.t("queue.all").to_string()),
        ];
        statuses.extend(Status::ALL.iter().map(|s| {
            (
                s.code().to_string(),
                cat.t(&format!("status.{}", s.code())).to_string(),
            )
        }));
        let mut offices = vec![all()];
        offices.extend(
            app.offices
                .iter()
                .map(|o| (o.id.to_string(), format!("{} — {}", o.code, o.name))),
        );
        let mut staff = vec![all()];
        staff.extend(
            app.staff
                .iter()
                .map(|s| (s.id.to_string(), format!("{} ({})", s.name, s.login))),
        );
        let mut products = vec![all()];
        products.extend(
            app.rules
                .loan_products()
                .map(|p| (p.code.clone(), p.name(&cat.lang).to_string())),
        );
        let q = &app.queue.query;
        let date = |d: Option<chrono::NaiveDate>| {
            d.map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default()
        };
        let yes_no = vec![
            ("no".to_string(), "—".to_string()),
            ("yes".to_string(), cat.t("queue.filter_mine").to_string()),
        ];
        let form = Form::new(vec![
            Field::choice(
                "status",
                cat.t("queue.filter_status"),
                statuses,
                app.queue.view.code(),
            ),
            Field::choice(
                "office",
                cat.t("queue.filter_office"),
                offices,
                q.office_id.map(|i| i.to_string()).unwrap_or_default(),
            ),
            Field::choice(
                "assignee",
                cat.t("queue.filter_assignee"),
                staff,
                q.assignee_id.map(|i| i.to_string()).unwrap_or_default(),
            ),
            Field::choice(
                "product",
                cat.t("queue.filter_product"),
                products,
                q.product.clone().unwrap_or_default(),
            ),
            Field::text("from", cat.t("queue.filter_from"), date(q.from)),
            Field::text("to", cat.t("queue.filter_to"), date(q.to)),
            Field::choice(
                "mine",
                cat.t("queue.filter_mine"),
                yes_no,
                if app.queue.mine { "yes" } else { "no" },
            ),
        ]);
        FilterForm { form, error: None }
    }

    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
    ) -> Option<Position> {
        let popup = centered(area, 64, 12);
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(" {} ", cat.t("queue.filter_title")),
                t.title,
            ));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let cursor = self.form.render(
            Rect::new(inner.x, inner.y, inner.width, 7),
            f.buffer_mut(),
            t,
            18,
            true,
        );
        let err = self
            .form
            .focused()
            .and_then(|fl| fl.error.clone())
            .or_else(|| self.error.clone());
        if let Some(e) = err {
            f.render_widget(
                Paragraph::new(e).style(t.error),
                Rect::new(inner.x, inner.y + 8, inner.width, 1),
            );
        }
        cursor
    }
}

impl App {
    pub(crate) fn filter_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Filter(ff)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::F(2) => self.apply_filter(),
            KeyCode::Enter if ff.form.focus + 1 >= ff.form.fields.len() => self.apply_filter(),
            _ => {
                ff.form.handle_key(&key);
            }
        }
    }

    fn apply_filter(&mut self) {
        let cat = self.cat.clone();
        let Some(Overlay::Filter(ff)) = self.overlays.last_mut() else {
            return;
        };
        ff.form.clear_errors();
        let date = |s: &str| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                validate::date(s).map(Some)
            }
        };
        let from = date(ff.form.get("from"));
        let to = date(ff.form.get("to"));
        let (from, to) = match (from, to) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(r), _) => {
                ff.form.set_error("from", cat.t(r).to_string());
                ff.form.focus_first_error();
                return;
            }
            (_, Err(r)) => {
                ff.form.set_error("to", cat.t(r).to_string());
                ff.form.focus_first_error();
                return;
            }
        };
        let view = StatusView::from_code(ff.form.get("status"));
        let office = ff.form.get("office").parse().ok();
        let assignee = ff.form.get("assignee").parse().ok();
        let product = Some(ff.form.get("product").to_string()).filter(|p| !p.is_empty());
        let mine = ff.form.get("mine") == "yes";
        self.overlays.pop();
        self.queue.view = view;
        self.queue.query.office_id = office;
        self.queue.query.assignee_id = assignee;
        self.queue.query.product = product;
        self.queue.query.from = from;
        self.queue.query.to = to;
        self.queue.mine = mine;
        self.reload_queue();
    }
}
