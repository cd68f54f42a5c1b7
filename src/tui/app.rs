//! The application state, the key → action → update path, and the frame around the panes.
//! Data flows one way: a key becomes an `Action`, `update` changes state (asking the store),
//! and `draw` renders from the state.

use super::keymap::{self, Action, Ctx};
use super::panes::dialog::AppDialog;
use super::panes::filter::FilterForm;
use super::panes::login::LoginState;
use super::panes::queue::QueueState;
use super::panes::rating::{RatingForm, RatingState};
use super::panes::step::{StepForm, StepMenu};
use super::theme::Theme;
use crate::config::Security;
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::store::staff::{Office, StaffMember};
use crate::store::{Actor, Store, StoreError};
use chrono::{Local, NaiveDate, NaiveDateTime, NaiveTime};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The business date, and the time of day (fixed in tests and snapshots).
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub today: NaiveDate,
    pub fixed: Option<NaiveTime>,
}

impl Clock {
    pub fn now(&self) -> NaiveDateTime {
        self.today
            .and_time(self.fixed.unwrap_or_else(|| Local::now().time()))
    }
}

pub const PANES: [&str; 4] = [
    "pane.queue",
    "pane.members",
    "pane.rating",
    "pane.client_base",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgKind {
    Info,
    Error,
}

pub enum Overlay {
    Help,
    Dialog(Box<AppDialog>),
    Steps(StepMenu),
    StepForm(Box<StepForm>),
    Filter(Box<FilterForm>),
    Schedule(Box<super::panes::calculator::ScheduleView>),
    PrintMenu(super::panes::print::PrintMenu),
    PrintPreview(Box<super::panes::print::PrintPreview>),
    /// A form on the member card (call, meeting, comment, edit, cash desk).
    Member(Box<super::panes::member_card::MemberForm>),
    RatingForm(Box<RatingForm>),
    /// The audit trail of an application or a member (heads).
    Audit(Box<super::panes::audit::AuditView>),
    ConfirmQuit,
    ConfirmDiscard,
}

pub struct App {
    pub store: Store,
    pub rules: Rules,
    pub cat: Catalog,
    pub theme: Theme,
    pub clock: Clock,
    pub security: Security,
    pub actor: Option<Actor>,
    pub login: LoginState,
    pub pane: usize,
    pub queue: QueueState,
    pub rating: RatingState,
    /// The client-base pane.
    pub cb: super::panes::client_base::CbState,
    pub members: super::panes::members::MembersState,
    pub overlays: Vec<Overlay>,
    pub message: Option<(MsgKind, String)>,
    pub quit: bool,
    pub offices: Vec<Office>,
    pub staff: Vec<StaffMember>,
    /// Where unsaved dialogs are kept when the session is cut off.
    pub drafts_dir: Option<std::path::PathBuf>,
    /// The latest unsaved dialogs, for the watchdog thread to write if the loop is stuck.
    pub draft_snapshot: Option<std::sync::Arc<std::sync::Mutex<Vec<super::drafts::Draft>>>>,
    /// Where documents are printed (`[print]` in the config).
    pub print: crate::docs::print::PrintSettings,
    /// When the key being handled arrived (see [`App::handle_key_at`]).
    pub(crate) key_at: std::time::Instant,
}

impl App {
    pub fn new(
        store: Store,
        rules: Rules,
        cat: Catalog,
        theme: Theme,
        clock: Clock,
        security: Security,
    ) -> App {
        let login = LoginState::new(&cat);
        App {
            store,
            rules,
            cat,
            theme,
            clock,
            security,
            actor: None,
            login,
            pane: 0,
            queue: QueueState::default(),
            rating: RatingState::default(),
            cb: Default::default(),
            members: Default::default(),
            overlays: Vec::new(),
            message: None,
            quit: false,
            offices: Vec::new(),
            staff: Vec::new(),
            drafts_dir: None,
            draft_snapshot: None,
            print: crate::docs::print::PrintSettings::default(),
            key_at: std::time::Instant::now(),
        }
    }

    pub fn info(&mut self, s: impl Into<String>) {
        self.message = Some((MsgKind::Info, s.into()));
    }

    pub fn error(&mut self, s: impl Into<String>) {
        self.message = Some((MsgKind::Error, s.into()));
    }

    pub fn store_error(&mut self, e: &StoreError) {
        let m = e.message(&self.cat);
        self.error(m);
    }

    /// Called once a person has logged in.
    pub fn enter(&mut self, actor: Actor) {
        self.actor = Some(actor);
        match (self.store.offices(), self.store.staff()) {
            (Ok(o), Ok(s)) => {
                self.offices = o;
                self.staff = s;
            }
            (Err(e), _) | (_, Err(e)) => self.store_error(&e),
        }
        self.reload_queue();
        self.announce_drafts();
    }

    /// Say which unsaved applications were kept from an earlier, cut-off session.
    fn announce_drafts(&mut self) {
        let (Some(dir), Some(a)) = (&self.drafts_dir, &self.actor) else {
            return;
        };
        let pending = super::drafts::pending(dir, &a.login);
        if pending.is_empty() {
            return;
        }
        let names: Vec<String> = pending
            .iter()
            .map(|p| match p {
                Some(id) => self
                    .store
                    .application(*id)
                    .map(|r| r.number)
                    .unwrap_or_else(|_| id.to_string()),
                None => self.cat.t("dialog.new_title").to_string(),
            })
            .collect();
        self.info(
            self.cat
                .f("ui.drafts_found", &[("list", &names.join(", "))]),
        );
    }

    /// Every changed dialog as a draft.
    pub fn drafts(&self) -> Vec<super::drafts::Draft> {
        let Some(a) = &self.actor else { return vec![] };
        self.overlays
            .iter()
            .filter_map(|o| match o {
                Overlay::Dialog(d) if d.dirty() => Some(d.draft(&a.login)),
                _ => None,
            })
            .collect()
    }

    /// Write every changed dialog to a draft file (on SIGHUP/SIGTERM).
    pub fn save_drafts(&mut self) {
        let Some(dir) = self.drafts_dir.clone() else {
            return;
        };
        for d in self.drafts() {
            let _ = super::drafts::save(&dir, &d);
        }
    }

    /// Keep the watchdog's copy of the unsaved dialogs current.
    fn snapshot_drafts(&self) {
        if let Some(shared) = &self.draft_snapshot
            && let Ok(mut v) = shared.lock()
        {
            *v = self.drafts();
        }
    }

    pub fn roles(&self) -> &[crate::domain::Role] {
        self.actor
            .as_ref()
            .map(|a| a.roles.as_slice())
            .unwrap_or(&[])
    }

    /// Background work between keys: results from worker threads, data changed by other
    /// desks. Called after every batch of keys and at least every [`App::poll_interval`];
    /// returns whether the screen must be redrawn. Each pane adds its own part here.
    pub fn tick(&mut self) -> bool {
        self.tick_at(std::time::Instant::now())
    }

    /// [`App::tick`] at the instant `now` (a test or the bench holds time still): also shows
    /// the member results that waited for typing to pause, once the pause is long enough.
    pub fn tick_at(&mut self, now: std::time::Instant) -> bool {
        // All, every time: each pane knows whether it is shown.
        let members = self.members_tick();
        let settled = self.members_settle_due(now);
        let rating = self.rating_tick();
        members || settled || rating
    }

    /// How long the event loop may sleep waiting for a key: short while background work is
    /// pending (a search running in a worker), until the member results are due when typing
    /// paused, long when idle, so an idle desk costs no CPU.
    pub fn poll_interval(&self) -> std::time::Duration {
        let base = if self.members.pending {
            std::time::Duration::from_millis(10)
        } else {
            std::time::Duration::from_millis(500)
        };
        match self.members.settle_deadline() {
            // A millisecond late rather than early: waking before the deadline would only
            // wake again at once.
            Some(due) => base.min(
                due.saturating_duration_since(std::time::Instant::now())
                    + std::time::Duration::from_millis(1),
            ),
            None => base,
        }
    }

    /// One key pressed, now.
    pub fn handle_key(&mut self, key: KeyEvent) {
        self.handle_key_at(key, std::time::Instant::now());
    }

    /// One key pressed at the instant `at` (the bench and tests type at a typist's pace
    /// without waiting for real).
    pub fn handle_key_at(&mut self, key: KeyEvent, at: std::time::Instant) {
        self.key_at = at;
        self.handle_key_inner(key);
        self.snapshot_drafts();
    }

    fn handle_key_inner(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.ask_quit();
            return;
        }
        if self.actor.is_none() {
            self.login_key(key);
            return;
        }
        if !self.overlays.is_empty() {
            self.overlay_key(key);
            return;
        }
        if self.pane == 0 && self.queue.search_focus {
            self.search_key(key);
            return;
        }
        if self.pane == 1 && self.members_key(key) {
            return;
        }
        // A form or confirmation open on the client-base pane takes every key.
        if self.pane == 3 && self.cb.overlay.is_some() {
            self.client_base_key(key);
            return;
        }
        let action = keymap::lookup(Ctx::Global, &key).or_else(|| match self.pane {
            0 => keymap::lookup(Ctx::Queue, &key),
            super::panes::rating::PANE => keymap::lookup(Ctx::Rating, &key),
            _ => None,
        });
        if let Some(a) = action {
            self.message = None;
            self.update(a);
        } else if self.pane == 3 && self.client_base_key(key) {
        } else if key.code == KeyCode::Esc {
            self.message = None;
        }
    }

    /// Apply an action on the main screen.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.ask_quit(),
            Action::Help => self.overlays.push(Overlay::Help),
            Action::NextPane => self.show_pane((self.pane + 1) % PANES.len()),
            Action::PrevPane => self.show_pane((self.pane + PANES.len() - 1) % PANES.len()),
            Action::Pane(i) => self.show_pane(i.min(PANES.len() - 1)),
            other if self.pane == 0 => self.queue_action(other),
            other if self.pane == super::panes::rating::PANE => self.rating_action(other),
            _ => {}
        }
        if self.pane == super::panes::rating::PANE {
            self.rating_shown();
        }
    }

    /// Switch panes; a pane shown again reads its data afresh.
    fn show_pane(&mut self, i: usize) {
        if i == 3 && self.pane != 3 {
            self.cb.loaded = false;
        }
        self.pane = i;
    }

    pub(crate) fn ask_quit(&mut self) {
        let dirty = self.overlays.iter().any(|o| match o {
            Overlay::Dialog(d) => d.dirty(),
            Overlay::Member(m) => m.dirty(),
            _ => false,
        });
        if dirty {
            self.overlays.push(Overlay::ConfirmQuit);
        } else {
            self.quit = true;
        }
    }

    fn is_yes(&self, key: &KeyEvent) -> bool {
        matches!(key.code, KeyCode::Char(c) if self.cat.t("ui.yes_keys").contains(c))
            || key.code == KeyCode::Enter
    }

    fn overlay_key(&mut self, key: KeyEvent) {
        let Some(top) = self.overlays.last_mut() else {
            return;
        };
        match top {
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc
                        | KeyCode::Enter
                        | KeyCode::F(1)
                        | KeyCode::Char('?')
                        | KeyCode::Char('q')
                ) {
                    self.overlays.pop();
                }
            }
            Overlay::ConfirmQuit => {
                if self.is_yes(&key) {
                    self.quit = true;
                } else {
                    self.overlays.pop();
                }
            }
            Overlay::ConfirmDiscard => {
                let yes = self.is_yes(&key);
                self.overlays.pop();
                if yes {
                    self.overlays.pop();
                }
            }
            Overlay::Dialog(_) => self.dialog_key(key),
            Overlay::Steps(_) => self.steps_key(key),
            Overlay::StepForm(_) => self.step_form_key(key),
            Overlay::Filter(_) => self.filter_key(key),
            Overlay::Schedule(_) => self.schedule_key(key),
            Overlay::PrintMenu(_) => self.print_menu_key(key),
            Overlay::PrintPreview(_) => self.print_preview_key(key),
            Overlay::Member(_) => self.member_form_key(key),
            Overlay::RatingForm(_) => self.rating_form_key(key),
            Overlay::Audit(_) => self.audit_key(key),
        }
    }

    /// The dialog on top of the overlay stack, if that is what is on top.
    pub fn top_dialog(&mut self) -> Option<&mut AppDialog> {
        match self.overlays.last_mut() {
            Some(Overlay::Dialog(d)) => Some(d),
            _ => None,
        }
    }

    /// The dialog anywhere in the stack (a step form opened from it sits above it).
    pub fn any_dialog(&mut self) -> Option<&mut AppDialog> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Dialog(d) => Some(d.as_mut()),
            _ => None,
        })
    }

    // ----- drawing -------------------------------------------------------------------------

    pub fn draw(&mut self, f: &mut Frame) {
        let area = f.area();
        if area.width < 80 || area.height < 24 {
            let msg = self.cat.f(
                "ui.too_small",
                &[
                    ("w", &area.width.to_string()),
                    ("h", &area.height.to_string()),
                ],
            );
            f.render_widget(
                Paragraph::new(msg)
                    .style(self.theme.error)
                    .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        if self.actor.is_none() {
            self.draw_login(f, area);
            return;
        }
        let [top, body, msg, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_tabs(f, top);
        let mut pane_cursor = None;
        match self.pane {
            0 => self.draw_queue(f, body),
            1 => self.draw_members(f, body),
            super::panes::rating::PANE => self.draw_rating(f, body),
            3 => pane_cursor = self.draw_client_base(f, body),
            _ => self.draw_unavailable(f, body),
        }
        self.draw_message(f, msg);
        self.draw_hints(f, hints);
        let mut cursor = pane_cursor;
        for i in 0..self.overlays.len() {
            cursor = self.draw_overlay(f, body, i);
        }
        if self.overlays.is_empty() && self.pane == 0 && self.queue.search_focus {
            cursor = self.queue.search_cursor;
        }
        if self.overlays.is_empty() && self.pane == 1 {
            cursor = self.members.cursor_pos;
        }
        if let Some(c) = cursor {
            f.set_cursor_position(c);
        }
        if self.theme.ascii {
            asciify(f);
        }
    }

    fn draw_overlay(
        &mut self,
        f: &mut Frame,
        body: Rect,
        i: usize,
    ) -> Option<ratatui::layout::Position> {
        let theme = self.theme.clone();
        match &mut self.overlays[i] {
            Overlay::Help => {
                self.draw_help(f, body);
                None
            }
            Overlay::ConfirmQuit => {
                let t = self.cat.t("ui.quit_confirm").to_string();
                self.draw_confirm(f, body, &t);
                None
            }
            Overlay::ConfirmDiscard => {
                let t = self.cat.t("ui.discard_confirm").to_string();
                self.draw_confirm(f, body, &t);
                None
            }
            Overlay::Dialog(d) => d.draw(f, body, &theme, &self.cat, &self.rules),
            Overlay::Steps(m) => {
                m.draw(f, body, &theme, &self.cat);
                None
            }
            Overlay::StepForm(s) => s.draw(f, body, &theme, &self.cat),
            Overlay::Filter(ff) => ff.draw(f, body, &theme, &self.cat),
            Overlay::Schedule(v) => {
                v.draw(f, body, &theme, &self.cat);
                None
            }
            Overlay::PrintMenu(m) => {
                m.draw(f, body, &theme, &self.cat);
                None
            }
            Overlay::PrintPreview(p) => {
                p.draw(f, body, &theme, &self.cat);
                None
            }
            Overlay::Member(m) => m.draw(f, body, &theme, &self.cat),
            Overlay::RatingForm(r) => r.draw(f, body, &theme, &self.cat),
            Overlay::Audit(a) => {
                a.draw(f, body, &theme, &self.cat);
                None
            }
        }
    }

    fn draw_tabs(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let mut spans = Vec::new();
        for (i, key) in PANES.iter().enumerate() {
            let style = if i == self.pane {
                t.tab_active
            } else {
                t.tab_inactive
            };
            spans.push(Span::styled(
                format!(" {} {} ", i + 1, self.cat.t(key)),
                style,
            ));
            spans.push(Span::styled(t.sym.sep, t.muted));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
        let now = self.clock.now().format("%d.%m.%Y %H:%M").to_string();
        let w = now.chars().count() as u16 + 1;
        if area.width > w {
            f.render_widget(
                Paragraph::new(now).style(t.title),
                Rect::new(area.x + area.width - w, area.y, w, 1),
            );
        }
    }

    fn draw_message(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let who = self
            .actor
            .as_ref()
            .map(|a| {
                let roles = a
                    .roles
                    .iter()
                    .map(|r| self.cat.t(&format!("role_short.{}", r.code())).to_string())
                    .collect::<Vec<_>>()
                    .join(",");
                format!(" {} · {} · {} ", a.login, a.office_code, roles)
            })
            .unwrap_or_default();
        let mut who_w = (who.chars().count() as u16).min(area.width / 2);
        // A long message (a printed file's path) takes the whole line: it matters more.
        if let Some((_, text)) = &self.message
            && text.chars().count() as u16 > area.width.saturating_sub(who_w)
        {
            who_w = 0;
        }
        let [left, right] =
            Layout::horizontal([Constraint::Min(1), Constraint::Length(who_w)]).areas(area);
        if let Some((kind, text)) = &self.message {
            let style = if *kind == MsgKind::Error {
                t.error
            } else {
                t.info
            };
            f.render_widget(Paragraph::new(text.as_str()).style(style), left);
        }
        f.render_widget(Paragraph::new(who).style(t.status_bar), right);
    }

    fn draw_hints(&self, f: &mut Frame, area: Rect) {
        let ctx = match self.overlays.last() {
            Some(Overlay::Dialog(_)) => Some(Ctx::Dialog),
            Some(_) => None,
            None if self.pane == 0 => Some(Ctx::Queue),
            None if self.pane == super::panes::rating::PANE => Some(Ctx::Rating),
            None if self.pane == 1 && self.members.card.is_some() => Some(Ctx::MemberCard),
            None if self.pane == 1 => Some(Ctx::Members),
            None => None,
        };
        let mut spans = Vec::new();
        let mut push = |label: &str, hint: &str| {
            spans.push(Span::styled(label.to_string(), self.theme.hint_key));
            spans.push(Span::styled(format!(" {} ", hint), self.theme.hint_text));
        };
        if self.overlays.is_empty() && self.pane == 3 {
            for (label, hint) in self.cb_hints() {
                push(label, self.cat.t(hint));
            }
            if self.cb.overlay.is_none() {
                for b in keymap::shown(Ctx::Global, true) {
                    push(b.bar_label(), self.cat.t(b.hint));
                }
            }
            f.render_widget(Paragraph::new(Line::from(spans)), area);
            return;
        }
        match (ctx, self.overlays.last()) {
            (Some(c), _) => {
                for b in keymap::shown(c, true) {
                    push(b.bar_label(), self.cat.t(b.hint));
                }
                if c != Ctx::Dialog {
                    for b in keymap::shown(Ctx::Global, true) {
                        push(b.bar_label(), self.cat.t(b.hint));
                    }
                }
            }
            (None, Some(Overlay::Help)) => push("Esc", self.cat.t("key.close")),
            (None, Some(Overlay::Schedule(_))) => {
                push(
                    if self.theme.ascii { "Up/Dn" } else { "↑↓" },
                    self.cat.t("key.up_down"),
                );
                push("PgUp PgDn", self.cat.t("key.page"));
                push("Esc", self.cat.t("key.close"));
            }
            (None, Some(Overlay::Audit(_))) => {
                push(
                    if self.theme.ascii { "Up/Dn" } else { "↑↓" },
                    self.cat.t("key.up_down"),
                );
                push("PgUp PgDn", self.cat.t("key.page"));
                push("Home End", self.cat.t("key.home_end"));
                push("Esc", self.cat.t("key.close"));
            }
            (None, Some(Overlay::PrintPreview(_))) => {
                push(
                    if self.theme.ascii { "Up/Dn" } else { "↑↓" },
                    self.cat.t("key.up_down"),
                );
                push("PgUp PgDn", self.cat.t("key.page"));
                push("Enter", self.cat.t("doc.key_print"));
                push("Esc", self.cat.t("key.close"));
            }
            (None, Some(Overlay::Steps(_) | Overlay::PrintMenu(_))) => {
                push(
                    if self.theme.ascii { "Up/Dn" } else { "↑↓" },
                    self.cat.t("key.up_down"),
                );
                push("Enter", self.cat.t("key.choose"));
                push("Esc", self.cat.t("key.close"));
            }
            (None, Some(Overlay::ConfirmQuit | Overlay::ConfirmDiscard)) => {
                push("Enter", self.cat.t("key.yes"));
                push("Esc", self.cat.t("key.no"));
            }
            (None, Some(_)) => {
                push("Enter", self.cat.t("key.save"));
                push("Tab", self.cat.t("key.field"));
                push("Esc", self.cat.t("key.close"));
            }
            (None, None) => {
                for b in keymap::shown(Ctx::Global, true) {
                    push(b.bar_label(), self.cat.t(b.hint));
                }
            }
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn draw_unavailable(&self, f: &mut Frame, area: Rect) {
        let title = self.cat.t(PANES[self.pane]);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(self.theme.border_set)
            .border_style(self.theme.border)
            .title(Span::styled(format!(" {title} "), self.theme.title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(self.cat.t("ui.not_yet_available"))
                .style(self.theme.muted)
                .wrap(Wrap { trim: true }),
            inner,
        );
    }

    fn draw_help(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let pane = self.cat.t(PANES[self.pane]).to_string();
        let popup = centered(area, 78, area.height.saturating_sub(1));
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(" {} ", self.cat.f("help.title", &[("pane", &pane)])),
                t.title,
            ));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let in_dialog = self
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Dialog(_)));
        let sections: Vec<(&str, Ctx)> = if in_dialog {
            vec![("help.dialog", Ctx::Dialog)]
        } else if self.pane == 0 {
            vec![("help.pane", Ctx::Queue), ("help.global", Ctx::Global)]
        } else if self.pane == super::panes::rating::PANE {
            vec![("help.pane", Ctx::Rating), ("help.global", Ctx::Global)]
        } else if self.pane == 3 {
            vec![("help.pane", Ctx::ClientBase), ("help.global", Ctx::Global)]
        } else if self.pane == 1 && self.members.card.is_some() {
            vec![("help.pane", Ctx::MemberCard), ("help.global", Ctx::Global)]
        } else if self.pane == 1 {
            vec![("help.pane", Ctx::Members), ("help.global", Ctx::Global)]
        } else {
            vec![("help.global", Ctx::Global)]
        };
        let section = |title: &str, ctx: Ctx| {
            let mut lines = vec![Line::from(Span::styled(
                self.cat.t(title).to_string(),
                t.header,
            ))];
            for b in keymap::shown(ctx, false) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<10}", b.label), t.hint_key),
                    Span::raw(format!(" {}", self.cat.t(b.hint))),
                ]));
            }
            if ctx == Ctx::Dialog {
                for (k, hint) in [("Tab S-Tab", "key.field"), ("← →", "key.cycle")] {
                    lines.push(Line::from(vec![
                        Span::styled(format!("{k:<10}"), t.hint_key),
                        Span::raw(format!(" {}", self.cat.t(hint))),
                    ]));
                }
            }
            lines
        };
        let columns = Layout::horizontal(vec![
            Constraint::Ratio(1, sections.len() as u32);
            sections.len()
        ])
        .spacing(1)
        .split(inner);
        for ((title, ctx), col) in sections.into_iter().zip(columns.iter()) {
            f.render_widget(Paragraph::new(section(title, ctx)), *col);
        }
    }

    fn draw_confirm(&self, f: &mut Frame, area: Rect, text: &str) {
        let popup = centered(area, 60, 5);
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(self.theme.border_set)
            .border_style(self.theme.border);
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        f.render_widget(
            Paragraph::new(text)
                .style(self.theme.title)
                .wrap(Wrap { trim: true }),
            inner,
        );
    }
}

/// Replace every drawing symbol left in the frame (arrows in key names, dashes and signs in
/// the catalog's texts) by its ASCII stand-in, so `--ascii` is plain ASCII throughout.
fn asciify(f: &mut Frame) {
    let buf = f.buffer_mut();
    for cell in buf.content.iter_mut() {
        if let Some(a) = super::theme::ascii_symbol(cell.symbol()) {
            cell.set_symbol(a);
        }
    }
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// `3д`, `5ч`, `45м`: how long, in the catalog's units.
pub fn short_duration(cat: &Catalog, secs: i64) -> String {
    let m = secs.max(0) / 60;
    if m < 60 {
        cat.f("unit.minutes", &[("n", &m.to_string())])
    } else if m < 24 * 60 {
        cat.f("unit.hours", &[("n", &(m / 60).to_string())])
    } else {
        cat.f("unit.days", &[("n", &(m / 1440).to_string())])
    }
}
