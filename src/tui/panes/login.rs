//! The login screen.

use crate::i18n::Catalog;
use crate::tui::app::{App, centered};
use crate::tui::widgets::form::{Field, Form};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub struct LoginState {
    pub form: Form,
    pub error: Option<String>,
    /// On a demo database: which logins to try, and the password.
    pub demo_hint: Option<String>,
}

impl LoginState {
    pub fn new(cat: &Catalog) -> LoginState {
        LoginState {
            form: Form::new(vec![
                Field::text("login", cat.t("login.login"), ""),
                Field::secret("password", cat.t("login.password")),
            ]),
            error: None,
            demo_hint: None,
        }
    }
}

impl App {
    /// On a database built by `coopdesk demo`, say on the login screen how to get in:
    /// one login for each role, and the shared password.
    pub fn set_demo_hint(&mut self) {
        if !self.store.is_demo().unwrap_or(false) {
            return;
        }
        let Ok(staff) = self.store.staff() else {
            return;
        };
        let mut shown = Vec::new();
        for role in crate::domain::Role::ALL {
            if let Some(s) = staff.iter().find(|s| s.roles == [role]) {
                shown.push(format!(
                    "{} ({})",
                    s.login,
                    self.cat.t(&format!("role_short.{}", role.code()))
                ));
            }
        }
        self.login.demo_hint = Some(self.cat.f(
            "login.demo_hint",
            &[
                ("logins", &shown.join(", ")),
                ("password", crate::cli::demo::DEMO_PASSWORD),
            ],
        ));
    }
}

impl App {
    pub(crate) fn login_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc | KeyCode::F(10) => self.quit = true,
            KeyCode::Enter if self.login.form.focus == 0 => self.login.form.next(),
            KeyCode::Enter => self.try_login(),
            _ => {
                self.login.form.handle_key(&key);
            }
        }
    }

    fn try_login(&mut self) {
        let login = self.login.form.get("login").trim().to_string();
        let password = self.login.form.get("password").to_string();
        if login.is_empty() || password.is_empty() {
            self.login.error = Some(self.cat.t("login.empty").to_string());
            return;
        }
        match self
            .store
            .authenticate(&login, &password, self.clock.now(), &self.security)
        {
            Ok(actor) => {
                let hint = self.login.demo_hint.take();
                self.login = LoginState::new(&self.cat);
                self.login.demo_hint = hint;
                self.enter(actor);
            }
            Err(e) => {
                self.login.error = Some(e.message(&self.cat));
                if let Some(p) = self.login.form.field_mut("password") {
                    p.value.clear();
                    p.cursor = 0;
                }
                self.login.form.focus = 1;
            }
        }
    }

    pub(crate) fn draw_login(&mut self, f: &mut Frame, area: Rect) {
        let t = self.theme.clone();
        let popup = centered(area, 56, 10);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(" {} ", self.cat.t("login.title")),
                t.title,
            ));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let form_area = Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 2);
        let cursor = self
            .login
            .form
            .render(form_area, f.buffer_mut(), &t, 12, true);
        if let Some(h) = &self.login.demo_hint {
            let y = popup.y + popup.height + 1;
            if y + 3 <= area.y + area.height {
                f.render_widget(
                    Paragraph::new(h.as_str())
                        .style(t.muted)
                        .wrap(Wrap { trim: true }),
                    Rect::new(popup.x, y, popup.width, 3),
                );
            }
        }
        if let Some(e) = &self.login.error {
            f.render_widget(
                Paragraph::new(e.as_str())
                    .style(t.error)
                    .wrap(Wrap { trim: true }),
                Rect::new(inner.x + 1, inner.y + 4, inner.width.saturating_sub(2), 2),
            );
        }
        f.render_widget(
            Paragraph::new(self.cat.t("login.hint"))
                .style(t.muted)
                .wrap(Wrap { trim: true }),
            Rect::new(
                inner.x + 1,
                inner.y + inner.height.saturating_sub(2),
                inner.width.saturating_sub(2),
                2,
            ),
        );
        if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
    }
}
