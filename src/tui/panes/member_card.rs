//! The member card: personal data (masked unless the role may see it or it was revealed, each
//! reveal recorded), membership, contributions with totals, loans, applications (Enter opens
//! one), and the timeline of work, newest first. From here: log a call / meeting / comment,
//! edit the member (a stale save names who changed it and lets the clerk reload and re-apply),
//! start an application pre-filled from the member, and the cash desk's voluntary share and exit.

use crate::domain::member::{self, ContactInput, ContactKind, MemberInput, MemberStatus};
use crate::domain::validate::{FieldError, passport_display, phone_display};
use crate::domain::{Money, Role};
use crate::i18n::Catalog;
use crate::store::StoreError;
use crate::store::members::{MemberCard, MemberRecord, TimelineEntry, TimelineItem};
use crate::tui::app::{App, MsgKind, Overlay, centered};
use crate::tui::keymap::{self, Action, Ctx};
use crate::tui::panes::dialog::AppDialog;
use crate::tui::panes::queue::money_short;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form, truncate};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub struct CardView {
    pub card: MemberCard,
    /// Personal data shown in full after an explicit (recorded) reveal.
    pub revealed: bool,
    /// Selected application.
    pub app_cursor: usize,
    /// Timeline entries scrolled past.
    pub timeline_scroll: usize,
}

/// What a member form does when saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    Contact(ContactKind),
    Edit,
    Share,
    Exit,
}

pub struct MemberForm {
    pub kind: FormKind,
    pub member_id: i64,
    /// The version the form was filled from (edit, exit).
    pub version: i64,
    /// The member's data as loaded, to tell what the clerk changed (re-apply after reload).
    pub original: MemberInput,
    pub form: Form,
    pub error: Option<String>,
    /// A save was refused because someone else saved first: F5 reloads and re-applies.
    pub conflict: bool,
}

/// Label of a field: the application's `field.*` when it has one, else `member.field.*`.
pub fn field_label(cat: &Catalog, code: &str) -> String {
    let k = format!("field.{code}");
    if cat.has(&k) {
        cat.t(&k).to_string()
    } else {
        cat.t(&format!("member.field.{code}")).to_string()
    }
}

fn error_text(cat: &Catalog, e: &FieldError) -> String {
    match &e.detail {
        Some(d) => cat.f(e.reason, &[("detail", d)]),
        None => cat.t(e.reason).to_string(),
    }
}

fn member_input(m: &MemberRecord) -> MemberInput {
    MemberInput {
        last_name: m.last_name.clone(),
        first_name: m.first_name.clone(),
        patronymic: m.patronymic.clone(),
        birth_date: m.birth_date.format("%d.%m.%Y").to_string(),
        passport: passport_display(&m.passport),
        reg_address: m.reg_address.clone(),
        fact_address: m.fact_address.clone(),
        phone: if m.phone.is_empty() {
            String::new()
        } else {
            phone_display(&m.phone)
        },
        email: m.email.clone(),
        potential: m.potential.clone(),
        client_group: m.client_group.clone(),
        territory: m.territory.clone(),
        related_group: m.related_group.clone(),
    }
}

impl MemberForm {
    fn new(app: &App, kind: FormKind, m: &MemberRecord) -> MemberForm {
        let cat = &app.cat;
        let choice = |code: &str, opts: Vec<(&str, String)>| {
            Field::choice(
                code,
                field_label(cat, code),
                opts.into_iter().map(|(c, l)| (c.to_string(), l)).collect(),
                "",
            )
        };
        let text = |code: &str, v: &str| Field::text(code, field_label(cat, code), v);
        let temperature = || {
            choice(
                "contact_temperature",
                vec![
                    ("", "—".to_string()),
                    ("warm", cat.t("member.temperature.warm").to_string()),
                    ("cold", cat.t("member.temperature.cold").to_string()),
                ],
            )
        };
        let fields = match kind {
            FormKind::Contact(ContactKind::Call) => {
                let outcomes: Vec<(&str, String)> = member::OUTCOMES
                    .iter()
                    .map(|o| (*o, cat.t(&format!("member.outcome.{o}")).to_string()))
                    .collect();
                vec![
                    choice(
                        "contact_direction",
                        vec![
                            ("out", cat.t("member.direction.out").to_string()),
                            ("in", cat.t("member.direction.in").to_string()),
                        ],
                    ),
                    choice("contact_outcome", outcomes),
                    text("contact_duration", ""),
                    text("promise_date", ""),
                    text("promise_amount", ""),
                    temperature(),
                    text("contact_comment", ""),
                ]
            }
            FormKind::Contact(ContactKind::Meeting) => vec![
                text("contact_duration", ""),
                temperature(),
                text("contact_comment", ""),
            ],
            FormKind::Contact(ContactKind::Comment) => vec![text("contact_comment", "")],
            FormKind::Edit => {
                let input = member_input(m);
                member::EDIT_FIELDS
                    .iter()
                    .map(|c| text(c, input.get(c)))
                    .collect()
            }
            FormKind::Share => vec![text("share_amount", ""), text("receipt_no", "")],
            FormKind::Exit => vec![
                text("exit_date", &app.clock.today.format("%d.%m.%Y").to_string()),
                text("exit_reason", ""),
            ],
        };
        MemberForm {
            kind,
            member_id: m.id,
            version: m.version,
            original: member_input(m),
            form: Form::new(fields),
            error: None,
            conflict: false,
        }
    }

    fn title_key(&self) -> &'static str {
        match self.kind {
            FormKind::Contact(ContactKind::Call) => "member.form_call",
            FormKind::Contact(ContactKind::Meeting) => "member.form_meeting",
            FormKind::Contact(ContactKind::Comment) => "member.form_comment",
            FormKind::Edit => "member.form_edit",
            FormKind::Share => "member.form_share",
            FormKind::Exit => "member.form_exit",
        }
    }

    pub fn dirty(&self) -> bool {
        self.form.dirty
    }

    fn typed_member(&self) -> MemberInput {
        let mut i = MemberInput::default();
        for f in member::EDIT_FIELDS {
            i.set(f, self.form.get(f).to_string());
        }
        i
    }

    fn show_errors(&mut self, cat: &Catalog, errs: &[FieldError]) {
        let mut stray = Vec::new();
        for e in errs {
            if !self.form.set_error(e.field, error_text(cat, e)) {
                stray.push(format!(
                    "{}: {}",
                    field_label(cat, e.field),
                    error_text(cat, e)
                ));
            }
        }
        self.form.focus_first_error();
        self.error = (!stray.is_empty()).then(|| stray.join("; "));
    }

    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
    ) -> Option<Position> {
        let rows = self.form.fields.len() as u16;
        let popup = centered(area, 70, rows + 6);
        f.render_widget(Clear, popup);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(t.border_set)
            .border_style(t.border)
            .title(Span::styled(
                format!(" {} ", cat.t(self.title_key())),
                t.title,
            ));
        let inner = block.inner(popup);
        f.render_widget(block, popup);
        let form_h = inner.height.saturating_sub(3).min(rows);
        let cursor = self.form.render(
            Rect::new(inner.x, inner.y, inner.width, form_h),
            f.buffer_mut(),
            t,
            22,
            true,
        );
        let err = self
            .form
            .focused()
            .and_then(|fl| fl.error.clone())
            .or_else(|| self.error.clone());
        let y = inner.y + form_h + 1;
        if y < inner.y + inner.height {
            let (text, style) = match err {
                Some(e) => (e, t.error),
                None => (cat.t("member.form_hint").to_string(), t.muted),
            };
            let h = (inner.y + inner.height - y).min(2);
            f.render_widget(
                Paragraph::new(text)
                    .style(style)
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                Rect::new(inner.x, y, inner.width, h),
            );
        }
        cursor
    }
}

impl App {
    pub(crate) fn open_card(&mut self, id: i64) {
        match self.store.member_card(id, self.clock.today) {
            Ok(card) => {
                self.members.card = Some(Box::new(CardView {
                    card,
                    revealed: false,
                    app_cursor: 0,
                    timeline_scroll: 0,
                }));
                self.members.card_read = Some(std::time::Instant::now());
            }
            Err(e) => self.store_error(&e),
        }
    }

    /// Read the open card again (after an action here or elsewhere).
    pub(crate) fn refresh_card(&mut self) {
        let Some(id) = self.members.card.as_ref().map(|c| c.card.member.id) else {
            return;
        };
        match self.store.member_card(id, self.clock.today) {
            Ok(card) => {
                if let Some(c) = self.members.card.as_mut() {
                    c.app_cursor = c.app_cursor.min(card.applications.len().saturating_sub(1));
                    c.card = card;
                }
                self.members.card_read = Some(std::time::Instant::now());
            }
            Err(e) => {
                self.members.card_read = Some(std::time::Instant::now());
                self.store_error(&e);
            }
        }
    }

    pub(crate) fn card_key(&mut self, key: KeyEvent) -> bool {
        let Some(action) = keymap::lookup(Ctx::MemberCard, &key) else {
            return false;
        };
        self.message = None;
        let Some(view) = self.members.card.as_mut() else {
            return false;
        };
        let member = view.card.member.clone();
        match action {
            Action::Close => self.members.card = None,
            Action::Up => view.app_cursor = view.app_cursor.saturating_sub(1),
            Action::Down => {
                if view.app_cursor + 1 < view.card.applications.len() {
                    view.app_cursor += 1;
                }
            }
            Action::PageDown => {
                if view.timeline_scroll + 1 < view.card.timeline.len() {
                    view.timeline_scroll +=
                        5.min(view.card.timeline.len() - 1 - view.timeline_scroll);
                }
            }
            Action::PageUp => view.timeline_scroll = view.timeline_scroll.saturating_sub(5),
            Action::Open => {
                if let Some(id) = view.card.applications.get(view.app_cursor).map(|a| a.id) {
                    self.open_application(id);
                    // Read the card again when the dialog closes.
                    self.members.card_read = None;
                }
            }
            Action::Refresh => self.refresh_card(),
            Action::LogCall => self.open_member_form(FormKind::Contact(ContactKind::Call), &member),
            Action::LogMeeting => {
                self.open_member_form(FormKind::Contact(ContactKind::Meeting), &member)
            }
            Action::LogComment => {
                self.open_member_form(FormKind::Contact(ContactKind::Comment), &member)
            }
            Action::Edit => self.open_member_form(FormKind::Edit, &member),
            Action::Share => {
                if self.require_role(Role::Cashier) {
                    self.open_member_form(FormKind::Share, &member)
                }
            }
            Action::MemberExit => {
                if self.require_role(Role::Cashier) {
                    self.open_member_form(FormKind::Exit, &member)
                }
            }
            Action::Reveal => self.reveal(member.id),
            Action::Audit => {
                let title = self.cat.f(
                    "audit_view.of_member",
                    &[
                        ("no", member.member_no.as_deref().unwrap_or("—")),
                        (
                            "name",
                            &format!("{} {}", member.last_name, member.first_name),
                        ),
                    ],
                );
                self.open_audit(crate::store::audit_trail::Subject::Member(member.id), title);
            }
            // Savings and services are sold from the card too (DOMAIN §5): the rating's form.
            Action::Sale => {
                let no = member.member_no.clone().unwrap_or_default();
                self.open_sale_form_for(Some(&no));
                self.members.card_read = None;
            }
            Action::New => {
                self.new_application_from(&member);
                self.members.card_read = None;
            }
            _ => return false,
        }
        true
    }

    fn require_role(&mut self, role: Role) -> bool {
        if self.roles().contains(&role) {
            return true;
        }
        let r = self.cat.t(&format!("role.{}", role.code())).to_string();
        self.error(self.cat.f("refuse.role_required", &[("role", &r)]));
        false
    }

    fn open_member_form(&mut self, kind: FormKind, m: &MemberRecord) {
        let form = MemberForm::new(self, kind, m);
        self.overlays.push(Overlay::Member(Box::new(form)));
    }

    fn reveal(&mut self, member_id: i64) {
        if self.sees_personal_data() {
            self.info(self.cat.t("member.already_visible").to_string());
            return;
        }
        let Some(actor) = self.actor.clone() else {
            return;
        };
        match self
            .store
            .reveal_personal_data(&actor, member_id, self.clock.now())
        {
            Ok(()) => {
                if let Some(c) = self.members.card.as_mut() {
                    c.revealed = true;
                }
                self.info(self.cat.t("member.revealed").to_string());
            }
            Err(e) => self.store_error(&e),
        }
    }

    /// The application dialog for a new application, its borrower tab filled from the member.
    fn new_application_from(&mut self, m: &MemberRecord) {
        if !self
            .roles()
            .iter()
            .any(|r| matches!(r, Role::Manager | Role::Head))
        {
            let role = self.cat.t("role.manager").to_string();
            self.error(self.cat.f("refuse.role_required", &[("role", &role)]));
            return;
        }
        let office = self
            .actor
            .as_ref()
            .map(|a| a.office_id)
            .unwrap_or(m.office_id);
        let mut d = AppDialog::new_application(self, office);
        let input = member_input(m);
        let mut fields = std::collections::BTreeMap::new();
        // The member's own fields the borrower tab also has.
        for f in member::EDIT_FIELDS
            .iter()
            .filter(|f| crate::domain::draft::BORROWER_FIELDS.contains(f))
        {
            fields.insert(f.to_string(), input.get(f).to_string());
        }
        fields.insert("passport_issued_by".into(), m.passport_issued_by.clone());
        if let Some(d) = m.passport_issued_on {
            fields.insert(
                "passport_issued_on".into(),
                d.format("%d.%m.%Y").to_string(),
            );
        }
        d.restore(&crate::tui::drafts::Draft {
            login: String::new(),
            application: None,
            fields,
        });
        d.message = Some((
            MsgKind::Info,
            self.cat.f("member.prefilled", &[("name", &m.full_name())]),
        ));
        self.overlays.push(Overlay::Dialog(Box::new(d)));
    }

    pub(crate) fn member_form_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Member(mf)) = self.overlays.last_mut() else {
            return;
        };
        let save = key.code == KeyCode::F(2)
            || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL))
            || (key.code == KeyCode::Enter && mf.form.focus + 1 >= mf.form.fields.len());
        match key.code {
            _ if save => self.save_member_form(),
            KeyCode::Esc => {
                if mf.dirty() {
                    self.overlays.push(Overlay::ConfirmDiscard);
                } else {
                    self.overlays.pop();
                }
            }
            KeyCode::F(5) if mf.kind == FormKind::Edit => self.reload_member_form(),
            _ => {
                mf.form.handle_key(&key);
            }
        }
    }

    /// After a conflict: take the saved record, keep what the clerk changed on top of it.
    fn reload_member_form(&mut self) {
        let Some(Overlay::Member(mf)) = self.overlays.last() else {
            return;
        };
        let id = mf.member_id;
        let fresh = match self.store.member(id) {
            Ok(m) => m,
            Err(e) => return self.store_error(&e),
        };
        let cat = self.cat.clone();
        let Some(Overlay::Member(mf)) = self.overlays.last_mut() else {
            return;
        };
        let typed = mf.typed_member();
        let new = member_input(&fresh);
        let mut kept = Vec::new();
        for f in member::EDIT_FIELDS {
            let mine = typed.get(f);
            let value = if mine != mf.original.get(f) {
                kept.push(field_label(&cat, f));
                mine.to_string()
            } else {
                new.get(f).to_string()
            };
            if let Some(field) = mf.form.field_mut(f) {
                field.cursor = value.chars().count();
                field.value = value;
                field.error = None;
            }
        }
        mf.original = new;
        mf.version = fresh.version;
        mf.conflict = false;
        mf.error = Some(cat.f("member.reloaded", &[("fields", &kept.join(", "))]));
    }

    fn save_member_form(&mut self) {
        let Some(actor) = self.actor.clone() else {
            return;
        };
        let now = self.clock.now();
        let today = self.clock.today;
        let cat = self.cat.clone();
        let Some(Overlay::Member(mf)) = self.overlays.last_mut() else {
            return;
        };
        mf.form.clear_errors();
        mf.error = None;
        let (kind, id, version) = (mf.kind, mf.member_id, mf.version);
        let result: Result<String, Result<Vec<FieldError>, StoreError>> = match kind {
            FormKind::Contact(k) => {
                let input = ContactInput {
                    direction: mf.form.get("contact_direction").to_string(),
                    outcome: mf.form.get("contact_outcome").to_string(),
                    temperature: mf.form.get("contact_temperature").to_string(),
                    duration: mf.form.get("contact_duration").to_string(),
                    promise_date: mf.form.get("promise_date").to_string(),
                    promise_amount: mf.form.get("promise_amount").to_string(),
                    comment: mf.form.get("contact_comment").to_string(),
                };
                match member::validate_contact(k, &input, today) {
                    Ok(c) => self
                        .store
                        .log_contact(&actor, id, &c, now)
                        .map(|_| cat.t("member.logged").to_string())
                        .map_err(Err),
                    Err(e) => Err(Ok(e)),
                }
            }
            FormKind::Edit => {
                match member::validate_member(&mf.typed_member(), today).and_then(|d| {
                    self.rules
                        .client_base
                        .check_group(&d.client_group)
                        .map(|()| d)
                        .map_err(|_| {
                            vec![crate::domain::validate::FieldError::new(
                                "client_group",
                                "member.err_client_group_short",
                            )]
                        })
                }) {
                    Ok(d) => self
                        .store
                        .update_member(&actor, id, version, &d, now)
                        .map(|_| cat.t("member.saved").to_string())
                        .map_err(Err),
                    Err(e) => Err(Ok(e)),
                }
            }
            FormKind::Share => {
                match member::validate_voluntary_share(
                    mf.form.get("share_amount"),
                    mf.form.get("receipt_no"),
                ) {
                    Ok((amount, receipt)) => self
                        .store
                        .add_voluntary_share(&actor, id, amount, &receipt, now)
                        .map(|order| {
                            cat.f(
                                "member.share_done",
                                &[("amount", &money_short(amount)), ("order", &order)],
                            )
                        })
                        .map_err(Err),
                    Err(e) => Err(Ok(e)),
                }
            }
            FormKind::Exit => {
                match member::validate_exit(
                    mf.form.get("exit_date"),
                    mf.form.get("exit_reason"),
                    today,
                ) {
                    Ok((on, reason)) => self
                        .store
                        .member_exit(&actor, id, version, on, &reason, now)
                        .map(|_| cat.t("member.exit_done").to_string())
                        .map_err(Err),
                    Err(e) => Err(Ok(e)),
                }
            }
        };
        let Some(Overlay::Member(mf)) = self.overlays.last_mut() else {
            return;
        };
        match result {
            Ok(msg) => {
                self.overlays.pop();
                self.info(msg);
                self.refresh_card();
            }
            Err(Ok(errs)) => mf.show_errors(&cat, &errs),
            Err(Err(StoreError::Invalid(errs))) => mf.show_errors(&cat, &errs),
            Err(Err(e @ StoreError::Conflict { .. })) => {
                mf.conflict = true;
                mf.error = Some(format!(
                    "{}. {}",
                    e.message(&cat),
                    cat.t("member.conflict_hint")
                ));
            }
            Err(Err(e)) => mf.error = Some(e.message(&cat)),
        }
    }

    // ----- drawing the card ----------------------------------------------------------------

    pub(crate) fn draw_card(&mut self, f: &mut Frame, area: Rect) {
        let t = self.theme.clone();
        let cat = &self.cat;
        let full = self.sees_personal_data();
        let Some(view) = self.members.card.as_mut() else {
            return;
        };
        let show = full || view.revealed;
        let c = &view.card;
        let m = &c.member;
        // Savings (and services) the rating recorded for the member.
        let savings: Vec<String> = c
            .sales
            .iter()
            .filter(|(p, ..)| {
                self.rules
                    .product(p)
                    .is_some_and(|p| p.kind == crate::domain::product::ProductKind::Savings)
            })
            .map(|(p, sum, _)| {
                let name = self
                    .rules
                    .product(p)
                    .map(|p| p.short(&cat.lang))
                    .unwrap_or(p);
                format!("{name} {}", money_short(*sum))
            })
            .collect();
        let loans_h = c.loans.len().clamp(1, 2) as u16 + 1 + u16::from(c.loans.len() > 2);
        let apps_h = c.applications.len().clamp(1, 3) as u16 + 1;
        let [head, info, loans_a, apps_a, timeline_a] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(6 + u16::from(!savings.is_empty())),
            Constraint::Length(loans_h),
            Constraint::Length(apps_h),
            Constraint::Min(2),
        ])
        .areas(area);
        // Header: name, number, status.
        let status = cat
            .t(&format!("member.status.{}", m.status.code()))
            .to_string();
        let mut head_spans = vec![
            Span::styled(m.full_name(), t.title),
            Span::styled(format!("  {}  ", t.sym.sep), t.muted),
            Span::raw(format!(
                "№ {}  {status}",
                m.member_no.clone().unwrap_or_else(|| "—".into())
            )),
        ];
        if m.status == MemberStatus::Left
            && let Some(d) = m.left_on
        {
            head_spans.push(Span::styled(
                format!(" {} ({})", d.format("%d.%m.%Y"), m.left_reason),
                t.muted,
            ));
        }
        if !show {
            head_spans.push(Span::styled(
                format!("  {}", cat.t("member.masked_short")),
                t.muted,
            ));
        }
        f.render_widget(Paragraph::new(Line::from(head_spans)), head);

        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .spacing(1)
                .areas(info);
        let kv = |k: &str, v: String| {
            Line::from(vec![
                Span::styled(
                    format!("{:<10}", truncate(cat.t(k), 10, t.sym.ellipsis)),
                    t.label,
                ),
                Span::raw(v),
            ])
        };
        let (birth, passport, reg, fact, phone) = if show {
            (
                m.birth_date.format("%d.%m.%Y").to_string(),
                passport_display(&m.passport),
                m.reg_address.clone(),
                m.fact_address.clone(),
                phone_display(&m.phone),
            )
        } else {
            (
                member::mask_birth_date(m.birth_date),
                member::mask_passport(&m.passport),
                member::mask_address(&m.reg_address),
                member::mask_address(&m.fact_address),
                member::mask_phone(&m.phone),
            )
        };
        let left_lines = vec![
            kv("member.card_birth", birth),
            kv("member.card_passport", passport),
            kv("member.card_reg", reg),
            kv("member.card_fact", fact),
            kv("member.card_phone", format!("{phone}  {}", m.email)),
            kv(
                "member.card_manager",
                m.manager
                    .clone()
                    .unwrap_or_else(|| cat.t("member.no_manager").to_string()),
            ),
        ];
        f.render_widget(Paragraph::new(left_lines), left);
        let mut right_lines = vec![
            kv(
                "member.card_joined",
                format!(
                    "{}  {}",
                    m.join_date
                        .map(|d| d.format("%d.%m.%Y").to_string())
                        .unwrap_or_default(),
                    m.office_code
                ),
            ),
            kv(
                "member.card_segment",
                [
                    m.potential.as_str(),
                    // The client group's name from rules/client_base.toml, its code otherwise.
                    self.rules
                        .client_base
                        .group(&m.client_group)
                        .map(|g| {
                            if self.cat.lang == "en" && !g.name_en.is_empty() {
                                g.name_en.as_str()
                            } else {
                                g.name_ru.as_str()
                            }
                        })
                        .unwrap_or(m.client_group.as_str()),
                    m.territory.as_str(),
                ]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · "),
            ),
        ];
        let mut total = Money::ZERO;
        for (kind, sum, n) in &c.contributions {
            // The member's share capital: the entrance fee is not returned, not a share.
            if kind != "entrance_fee" {
                total = total.checked_add(*sum);
            }
            right_lines.push(kv(
                &format!("member.contribution.{kind}"),
                format!("{} ({n})", money_short(*sum)),
            ));
        }
        right_lines.push(Line::from(vec![
            Span::styled(format!("{:<10}", cat.t("member.card_total")), t.header),
            Span::styled(money_short(total), t.header),
        ]));
        if !savings.is_empty() {
            right_lines.push(kv("member.card_savings", savings.join(", ")));
        }
        f.render_widget(Paragraph::new(right_lines), right);

        // Loans.
        let mut lines = vec![Line::from(Span::styled(
            cat.t("member.card_loans"),
            t.header,
        ))];
        if c.loans.is_empty() {
            lines.push(Line::from(Span::styled(cat.t("member.none"), t.muted)));
        }
        for l in c.loans.iter().take(2) {
            let overdue = l.overdue_amount > Money::ZERO;
            let mut spans = vec![Span::raw(format!(
                "{:<12} {:<9} {:>10} {} {:>10}",
                truncate(&l.contract_no, 12, t.sym.ellipsis),
                truncate(
                    self.rules
                        .product(&l.product)
                        .map(|p| p.short(&cat.lang))
                        .unwrap_or(&l.product),
                    9,
                    t.sym.ellipsis
                ),
                money_short(l.amount),
                cat.t("member.balance"),
                money_short(l.balance),
            ))];
            if overdue {
                spans.push(Span::styled(
                    format!(
                        "  {}",
                        cat.f(
                            "member.overdue",
                            &[
                                ("amount", &money_short(l.overdue_amount)),
                                ("days", &l.overdue_days.to_string())
                            ]
                        )
                    ),
                    t.late,
                ));
            }
            lines.push(Line::from(spans));
        }
        if c.loans.len() > 2 {
            lines.push(Line::from(Span::styled(
                cat.f("member.more", &[("n", &(c.loans.len() - 2).to_string())]),
                t.muted,
            )));
        }
        f.render_widget(Paragraph::new(lines), loans_a);

        // Applications.
        let mut lines = vec![Line::from(Span::styled(
            cat.t("member.card_applications"),
            t.header,
        ))];
        if c.applications.is_empty() {
            lines.push(Line::from(Span::styled(cat.t("member.none"), t.muted)));
        }
        let first = view.app_cursor.saturating_sub(2);
        for (i, a) in c.applications.iter().enumerate().skip(first).take(3) {
            let style = if i == view.app_cursor {
                t.selected
            } else if a.status.is_final() {
                t.closed
            } else {
                Style::default()
            };
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<11} {} {:<9} {:>10}  {}",
                    a.number,
                    a.created_at.format("%d.%m.%Y"),
                    truncate(
                        self.rules
                            .product(&a.product)
                            .map(|p| p.short(&cat.lang))
                            .unwrap_or(&a.product),
                        9,
                        t.sym.ellipsis
                    ),
                    money_short(a.amount),
                    cat.t(&format!("status.{}", a.status.code())),
                ),
                style,
            )));
        }
        f.render_widget(Paragraph::new(lines), apps_a);

        // Timeline.
        let mut lines = vec![Line::from(Span::styled(
            cat.f(
                "member.card_timeline",
                &[("n", &c.timeline.len().to_string())],
            ),
            t.header,
        ))];
        if c.timeline.is_empty() {
            lines.push(Line::from(Span::styled(cat.t("member.none"), t.muted)));
        }
        let rows = timeline_a.height.saturating_sub(1) as usize;
        for e in c.timeline.iter().skip(view.timeline_scroll).take(rows) {
            lines.push(timeline_line(cat, &t, e));
        }
        f.render_widget(Paragraph::new(lines), timeline_a);
    }
}

/// One timeline entry on one line: when, what, who, and the details.
pub fn timeline_line<'a>(cat: &Catalog, t: &Theme, e: &TimelineEntry) -> Line<'a> {
    let when = e.at.format("%d.%m.%y %H:%M").to_string();
    let (what, detail, style) = match &e.item {
        TimelineItem::Contact {
            kind,
            direction,
            outcome,
            duration_sec,
            promise_date,
            promise_amount,
            comment,
        } => {
            let mut what = cat.t(&format!("member.kind.{kind}")).to_string();
            if !direction.is_empty() {
                what = format!(
                    "{what} {}",
                    cat.t(&format!("member.direction_short.{direction}"))
                );
            }
            let mut parts = Vec::new();
            if !outcome.is_empty() {
                parts.push(cat.t(&format!("member.outcome.{outcome}")).to_string());
            }
            if let (Some(d), Some(a)) = (promise_date, promise_amount) {
                let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_else(|_| d.clone());
                parts.push(format!("{} {d}", money_short(*a)));
            }
            if *duration_sec > 0 {
                parts.push(format!("{}:{:02}", duration_sec / 60, duration_sec % 60));
            }
            if !comment.is_empty() {
                parts.push(comment.clone());
            }
            let style = if outcome == "successful" || outcome == "promise" {
                t.info
            } else if outcome == "declined" || outcome == "no_answer" {
                t.late
            } else {
                Style::default()
            };
            (what, parts.join(" · "), style)
        }
        TimelineItem::Status {
            number,
            to,
            comment,
        } => {
            let st = if to.is_empty() {
                String::new()
            } else {
                cat.t(&format!("status.{to}")).to_string()
            };
            let mut d = format!("{number} → {st}");
            if !comment.is_empty() {
                d.push_str(&format!(" · {comment}"));
            }
            (cat.t("member.kind.application").to_string(), d, t.muted)
        }
        TimelineItem::Cash {
            kind,
            amount,
            number,
        } => (
            cat.t("member.kind.cash").to_string(),
            format!(
                "{} {} · № {number}",
                cat.t(&format!("member.contribution.{kind}")),
                money_short(*amount)
            ),
            Style::default(),
        ),
    };
    Line::from(vec![
        Span::styled(format!("{when} "), t.muted),
        Span::styled(format!("{what:<10} "), style),
        Span::raw(format!("{detail} ")),
        Span::styled(format!("({})", e.actor), t.muted),
    ])
}
