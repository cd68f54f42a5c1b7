//! The scoring tab of the application dialog: the active card's questions, one stage per
//! screen, answers the application already knows shown as computed (never typed twice), the
//! running total, each stage's points and the category — with why, when it was forced.

use crate::domain::Money;
use crate::domain::draft::ApplicationData;
use crate::domain::scorecard::{self, Answer, Answers, ItemKind, QuestionKind, ScoreResult};
use crate::domain::scorecard_derive::{DeriveExtra, derived_answers};
use crate::domain::validate;
use crate::domain::validate::FieldError;
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::scorecards::LoadedCard;
use crate::store::scores::{ScoreInput, ScoreRecord};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form, truncate};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

pub const PURCHASE_PRICE: &str = "extra.purchase_price";
pub const DOWN_PAYMENT: &str = "extra.down_payment";

pub struct ScoringTab {
    pub card: LoadedCard,
    pub form: Form,
    /// The stage (index into the card's stages) each field belongs to.
    stage_of: Vec<usize>,
    pub result: ScoreResult,
    /// The score recorded last, if any.
    pub recorded: Option<ScoreRecord>,
}

fn yes_no(cat: &Catalog) -> Vec<(String, String)> {
    vec![
        (String::new(), "—".into()),
        ("yes".into(), cat.t("scoring.yes").to_string()),
        ("no".into(), cat.t("scoring.no").to_string()),
    ]
}

fn number_text(d: &Decimal) -> String {
    d.normalize().to_string()
}

impl ScoringTab {
    pub fn new(
        card: &LoadedCard,
        recorded: Option<ScoreRecord>,
        editable: bool,
        cat: &Catalog,
    ) -> ScoringTab {
        let answers = recorded
            .as_ref()
            .map(|r| r.answers.clone())
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut stage_of = Vec::new();
        let items = card.card.items();
        let needs_extra = |src: scorecard::Source| {
            matches!(
                src,
                scorecard::Source::PurchasePrice | scorecard::Source::DownPaymentPercent
            )
        };
        let mut extra_done = false;
        for item in &items {
            let stage_idx = card
                .card
                .stages
                .iter()
                .position(|s| s.code == item.stage.code)
                .unwrap_or(0);
            if !extra_done && item.source().is_some_and(needs_extra) {
                extra_done = true;
                let money = |m: Option<Money>| m.map(|m| m.plain()).unwrap_or_default();
                fields.push(
                    Field::text(
                        PURCHASE_PRICE,
                        cat.t("scoring.purchase_price"),
                        money(recorded.as_ref().and_then(|r| r.purchase_price)),
                    )
                    .readonly(!editable),
                );
                stage_of.push(stage_idx);
                fields.push(
                    Field::text(
                        DOWN_PAYMENT,
                        cat.t("scoring.down_payment"),
                        money(recorded.as_ref().and_then(|r| r.down_payment)),
                    )
                    .readonly(!editable),
                );
                stage_of.push(stage_idx);
            }
            let label = match item.kind {
                ItemKind::Question(q) => q.title.clone(),
                ItemKind::Input(i) => cat.t(i.key()).to_string(),
            };
            if item.source().is_some() {
                // Filled in by `recompute` from the application.
                fields.push(Field::text(item.key.clone(), label, "").readonly(true));
                stage_of.push(stage_idx);
                continue;
            }
            let given = answers.get(&item.key);
            match item.kind {
                ItemKind::Question(q) => match &q.kind {
                    QuestionKind::YesNo { .. } => {
                        let v = match given {
                            Some(Answer::YesNo(true)) => "yes",
                            Some(Answer::YesNo(false)) => "no",
                            _ => "",
                        };
                        fields.push(
                            Field::choice(item.key.clone(), label, yes_no(cat), v)
                                .readonly(!editable),
                        );
                        stage_of.push(stage_idx);
                    }
                    QuestionKind::OneOf(choices) => {
                        let mut opts = vec![(String::new(), "—".to_string())];
                        opts.extend(choices.iter().map(|c| (c.code.clone(), c.title.clone())));
                        let v = match given {
                            Some(Answer::Choice(c)) => c.clone(),
                            _ => String::new(),
                        };
                        fields.push(
                            Field::choice(item.key.clone(), label, opts, v).readonly(!editable),
                        );
                        stage_of.push(stage_idx);
                    }
                    QuestionKind::SomeOf(choices) => {
                        let chosen: BTreeSet<String> = match given {
                            Some(Answer::Choices(s)) => s.clone(),
                            _ => BTreeSet::new(),
                        };
                        for c in choices {
                            let v = if chosen.contains(&c.code) {
                                "yes"
                            } else {
                                "no"
                            };
                            let opts = vec![
                                ("no".to_string(), cat.t("scoring.no").to_string()),
                                ("yes".to_string(), cat.t("scoring.yes").to_string()),
                            ];
                            fields.push(
                                Field::choice(
                                    format!("{}#{}", item.key, c.code),
                                    format!("{label}: {}", c.title),
                                    opts,
                                    v,
                                )
                                .readonly(!editable),
                            );
                            stage_of.push(stage_idx);
                        }
                    }
                    QuestionKind::Bands { .. } => {
                        let v = match given {
                            Some(Answer::Number(n)) => number_text(n),
                            _ => String::new(),
                        };
                        fields.push(Field::text(item.key.clone(), label, v).readonly(!editable));
                        stage_of.push(stage_idx);
                    }
                },
                ItemKind::Input(_) => {
                    let v = match given {
                        Some(Answer::Number(n)) => number_text(n),
                        _ => String::new(),
                    };
                    fields.push(Field::text(item.key.clone(), label, v).readonly(!editable));
                    stage_of.push(stage_idx);
                }
            }
        }
        let result = scorecard::evaluate(&card.card, &answers);
        ScoringTab {
            card: card.clone(),
            form: Form::new(fields),
            stage_of,
            result,
            recorded,
        }
    }

    pub fn dirty(&self) -> bool {
        self.form.dirty
    }

    /// The typed answers, or the fields that do not hold a fitting value.
    pub fn input(&self) -> Result<ScoreInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut answers = Answers::new();
        let money = |code: &str, errors: &mut Vec<FieldError>| -> Option<Money> {
            let v = self.form.get(code);
            if v.trim().is_empty() {
                return None;
            }
            match validate::money(v, true) {
                Ok(m) => Some(m),
                Err(r) => {
                    errors.push(FieldError::new(static_code(code), r));
                    None
                }
            }
        };
        let purchase_price = money(PURCHASE_PRICE, &mut errors);
        let down_payment = money(DOWN_PAYMENT, &mut errors);
        for item in self.card.card.items() {
            if item.source().is_some() {
                continue;
            }
            let answer = match item.kind {
                ItemKind::Question(q) => match &q.kind {
                    QuestionKind::YesNo { .. } => match self.form.get(&item.key) {
                        "yes" => Some(Answer::YesNo(true)),
                        "no" => Some(Answer::YesNo(false)),
                        _ => None,
                    },
                    QuestionKind::OneOf(_) => Some(self.form.get(&item.key))
                        .filter(|v| !v.is_empty())
                        .map(|v| Answer::Choice(v.to_string())),
                    QuestionKind::SomeOf(choices) => {
                        let set: BTreeSet<String> = choices
                            .iter()
                            .filter(|c| self.form.get(&format!("{}#{}", item.key, c.code)) == "yes")
                            .map(|c| c.code.clone())
                            .collect();
                        Some(Answer::Choices(set))
                    }
                    QuestionKind::Bands { .. } => self.number(&item.key, &mut errors),
                },
                ItemKind::Input(_) => self.number(&item.key, &mut errors),
            };
            if let Some(a) = answer {
                if let Err(e) = scorecard::check_answer(&item, &a) {
                    errors.push(FieldError {
                        field: "scoring",
                        reason: e.key(),
                        detail: e.detail().map(str::to_string),
                    });
                    continue;
                }
                answers.insert(item.key.clone(), a);
            }
        }
        if errors.is_empty() {
            Ok(ScoreInput {
                answers,
                purchase_price,
                down_payment,
            })
        } else {
            Err(errors)
        }
    }

    fn number(&self, key: &str, errors: &mut Vec<FieldError>) -> Option<Answer> {
        let v = self.form.get(key).trim().replace(' ', "").replace(',', ".");
        if v.is_empty() {
            return None;
        }
        match scorecard::parse_number(&v) {
            Some(n) => Some(Answer::Number(n)),
            None => {
                errors.push(FieldError::with(
                    "scoring",
                    "err.money_not_number",
                    key.to_string(),
                ));
                None
            }
        }
    }

    /// Score again on what is on screen: the application's data as typed (when valid) and the
    /// answers; the computed fields show their values.
    pub fn recompute(&mut self, data: Option<&ApplicationData>, on: NaiveDate, rules: &Rules) {
        let input = self.input().unwrap_or_else(|_| ScoreInput {
            answers: self
                .recorded
                .as_ref()
                .map(|r| r.answers.clone())
                .unwrap_or_default(),
            ..Default::default()
        });
        let derived = match data {
            Some(d) => {
                let extra = DeriveExtra {
                    product: rules.product(&d.loan.product),
                    down_payment: input.down_payment,
                    purchase_price: input.purchase_price,
                };
                derived_answers(&self.card.card, d, on, &extra)
            }
            None => Answers::new(),
        };
        for (key, a) in &derived {
            if let Some(f) = self.form.field_mut(key) {
                f.value = match a {
                    Answer::Number(n) => number_text(n),
                    Answer::YesNo(b) => b.to_string(),
                    Answer::Choice(c) => c.clone(),
                    Answer::Choices(s) => s.iter().cloned().collect::<Vec<_>>().join(", "),
                };
            }
        }
        self.result = scorecard::evaluate(
            &self.card.card,
            &scorecard::with_derived(&input.answers, &derived),
        );
    }

    fn current_stage(&self) -> usize {
        self.stage_of.get(self.form.focus).copied().unwrap_or(0)
    }

    pub fn draw(
        &mut self,
        f: &mut Frame,
        area: Rect,
        t: &Theme,
        cat: &Catalog,
    ) -> Option<Position> {
        if area.height < 4 {
            return None;
        }
        let editable = self.form.fields.iter().any(|f| !f.readonly);
        if self.recorded.is_none() && !editable {
            // Never scored (closed before scoring, or before the card): say so, score nothing.
            f.render_widget(
                Paragraph::new(cat.t("scoring.not_scored")).style(t.muted),
                Rect::new(area.x, area.y, area.width, 1),
            );
            return None;
        }
        let r = &self.result;
        let c = &self.card.card;
        // The verdict, always visible.
        let cat_style = match r.category.number() {
            1 => t.info,
            2 => t.title,
            _ => t.error,
        };
        let summary = Line::from(vec![
            Span::styled(format!("{} v{} ", c.id, c.version), t.muted),
            Span::styled(
                cat.f(
                    "scoring.total",
                    &[
                        ("total", &number_text(&r.total)),
                        ("max", &number_text(&c.max_points())),
                    ],
                ),
                t.title,
            ),
            Span::raw("  "),
            Span::styled(
                cat.f(
                    "scoring.category",
                    &[
                        ("n", &r.category.number().to_string()),
                        ("verdict", cat.t(r.category.key())),
                    ],
                ),
                cat_style,
            ),
        ]);
        f.render_widget(
            Paragraph::new(summary),
            Rect::new(area.x, area.y, area.width, 1),
        );
        let why = if !r.forced.is_empty() {
            let reasons: Vec<String> = r
                .forced
                .iter()
                .map(|fr| {
                    if cat.has(&fr.key) {
                        cat.t(&fr.key).to_string()
                    } else {
                        fr.title.clone()
                    }
                })
                .collect();
            (
                t.error,
                cat.f(
                    "scoring.forced",
                    &[
                        ("n", &r.category.number().to_string()),
                        ("reasons", &reasons.join("; ")),
                    ],
                ),
            )
        } else if !r.is_complete() {
            (
                t.muted,
                cat.f(
                    "scoring.missing",
                    &[("n", &(r.missing.len() + r.invalid.len()).to_string())],
                ),
            )
        } else {
            (t.info, cat.t("scoring.complete").to_string())
        };
        f.render_widget(
            Paragraph::new(truncate(&why.1, area.width as usize, t.sym.ellipsis)).style(why.0),
            Rect::new(area.x, area.y + 1, area.width, 1),
        );
        // Stages with their points, the current one marked.
        let list_w = 28u16.min(area.width / 3);
        let current = self.current_stage();
        let body_y = area.y + 2;
        let body_h = area.height.saturating_sub(2);
        for (i, s) in c.stages.iter().enumerate().take(body_h as usize) {
            let pts = r
                .stage(&s.code)
                .map(|x| format!("{}/{}", number_text(&x.points), number_text(&x.max_points)))
                .unwrap_or_default();
            let name_w = (list_w as usize).saturating_sub(pts.chars().count() + 2);
            let text = format!(
                "{}{:<name_w$} {pts}",
                if i == current { t.sym.pointer } else { " " },
                truncate(&s.title, name_w, t.sym.ellipsis)
            );
            let style = if i == current { t.selected } else { t.base };
            f.render_widget(
                Paragraph::new(text).style(style),
                Rect::new(area.x, body_y + i as u16, list_w, 1),
            );
        }
        // The current stage's questions.
        let fx = area.x + list_w + 1;
        let fw = area.width.saturating_sub(list_w + 1);
        let indices: Vec<usize> = (0..self.form.fields.len())
            .filter(|i| self.stage_of[*i] == current)
            .collect();
        let label_w = (fw / 2).min(34);
        let cursor = self.form.render_rows(
            Rect::new(fx, body_y, fw.saturating_sub(5), body_h),
            f.buffer_mut(),
            t,
            label_w,
            true,
            &indices,
        );
        // Points of each answer beside it.
        let first = self.form.first_visible(&indices, body_h as usize);
        for (row, idx) in indices.iter().skip(first).take(body_h as usize).enumerate() {
            let key = self.form.fields[*idx]
                .code
                .split('#')
                .next()
                .unwrap_or("")
                .to_string();
            if let Some(p) = r
                .points_of(&key)
                .filter(|_| !self.form.fields[*idx].code.contains('#'))
            {
                let s = if p > Decimal::ZERO {
                    format!("+{}", number_text(&p))
                } else {
                    number_text(&p)
                };
                f.render_widget(
                    Paragraph::new(format!("{s:>4}")).style(t.muted),
                    Rect::new(fx + fw.saturating_sub(4), body_y + row as u16, 4, 1),
                );
            }
        }
        cursor
    }
}

/// Field codes are dynamic; errors need a `'static` code for the two fixed extra fields.
fn static_code(code: &str) -> &'static str {
    match code {
        PURCHASE_PRICE => PURCHASE_PRICE,
        _ => DOWN_PAYMENT,
    }
}
