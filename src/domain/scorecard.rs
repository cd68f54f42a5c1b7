//! The scorecard (DOMAIN §3): a card the credit committee approves, and the scoring of one
//! borrower's answers against it. Pure: the card comes in already loaded and validated
//! (`crate::scorecards` reads the TOML), the answers come in as values, nothing is read or
//! written here.
//!
//! # The card
//!
//! A [`Card`] has an id and a version (a used card is never edited in place — a change is a
//! new version), stages, named criteria (groups of stages), forced-category rules and the two
//! category thresholds. A [`Stage`] is either a list of [`Question`]s — yes/no, one of several
//! options, a number in bands, several options summed — or the sufficiency-of-property formula
//! ([`Sufficiency`]); either may be capped (`max_points`). A question may be asked only when an
//! earlier answer says so (`when`), e.g. the car questions only when the purchase is a car.
//!
//! # Answers
//!
//! [`Answers`] maps `stage.question` (for the sufficiency stage `stage.input`) to an
//! [`Answer`]: yes/no, one option code, several option codes, or a number ([`Decimal`]).
//! Every key the card asks is listed by [`Card::items`]; [`Card::item`] finds one and
//! [`check_answer`] says whether an answer fits it (for a form to refuse a bad value at once).
//! Answers stored in a database round-trip through serde as `{"yes_no": true}`,
//! `{"choice": "male"}`, `{"choices": ["car"]}`, `{"number": "33"}`; the committee's
//! hand-written answers files use the plain form read by [`answers_from_json`].
//! Answers the application already holds (age, term, amount, ratios…) are computed by
//! `domain::scorecard_derive::derived_answers` and are never typed twice.
//!
//! # Scoring
//!
//! [`evaluate`]`(card, answers) -> `[`ScoreResult`]: the points of every question and stage
//! (capped), the criteria sums, the total, the category by points, the forced reasons and the
//! final category, and the questions still unanswered or answered with a value that does not
//! fit. It never fails: what is missing scores nothing and is listed, so a half-filled card
//! can be shown as it fills ([`ScoreResult::is_complete`] says when it is done).
//!
//! Points are [`Decimal`]: no floating point anywhere.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// The loan quality category of table 12 of the seed; a larger number is worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Category 1: more than the upper threshold — the application is recommended.
    Recommended = 1,
    /// Category 2: between the thresholds, both included — inadequate to the loan asked.
    Inadequate = 2,
    /// Category 3: below the lower threshold — lending not recommended.
    NotRecommended = 3,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::Recommended,
        Category::Inadequate,
        Category::NotRecommended,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.number() == n)
    }

    /// Catalog key of the category's verdict ("recommended", …).
    pub fn key(self) -> &'static str {
        match self {
            Category::Recommended => "scorecard.category_1",
            Category::Inadequate => "scorecard.category_2",
            Category::NotRecommended => "scorecard.category_3",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

/// Where a question's answer comes from when the application already knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Full years from the birth date to the application date.
    Age,
    /// The loan term in months.
    TermMonths,
    /// The loan amount asked for.
    Amount,
    /// Average monthly income.
    Income,
    /// Expenses, payments on other loans and deductions as a percentage of income.
    ExpenseRatio,
    /// Payments on other loans plus this loan's monthly payment, as a percentage of income.
    PaymentRatio,
    /// The price of what is bought: given, or the amount plus the down payment.
    PurchasePrice,
    /// The down payment as a percentage of the price.
    DownPaymentPercent,
}

impl Source {
    pub const ALL: [Source; 8] = [
        Source::Age,
        Source::TermMonths,
        Source::Amount,
        Source::Income,
        Source::ExpenseRatio,
        Source::PaymentRatio,
        Source::PurchasePrice,
        Source::DownPaymentPercent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Source::Age => "age",
            Source::TermMonths => "term_months",
            Source::Amount => "amount",
            Source::Income => "income",
            Source::ExpenseRatio => "expense_ratio",
            Source::PaymentRatio => "payment_ratio",
            Source::PurchasePrice => "purchase_price",
            Source::DownPaymentPercent => "down_payment_percent",
        }
    }

    /// Catalog key saying where the value came from ("from the birth date").
    pub fn key(self) -> &'static str {
        match self {
            Source::Age => "scorecard.source.age",
            Source::TermMonths => "scorecard.source.term_months",
            Source::Amount => "scorecard.source.amount",
            Source::Income => "scorecard.source.income",
            Source::ExpenseRatio => "scorecard.source.expense_ratio",
            Source::PaymentRatio => "scorecard.source.payment_ratio",
            Source::PurchasePrice => "scorecard.source.purchase_price",
            Source::DownPaymentPercent => "scorecard.source.down_payment_percent",
        }
    }
}

/// The values of the sufficiency formula (seed table 10); each is answered as `stage.<code>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SufficiencyInput {
    /// В: deposits.
    Deposits,
    /// Цб: securities (counted at half their value).
    Securities,
    /// Кв, Кс: own apartment and its insured sum.
    Apartment,
    ApartmentInsured,
    /// Сд, Дс: own house and its insured sum.
    House,
    HouseInsured,
    /// А, Са: car and its insured sum.
    Car,
    CarInsured,
    /// Ии, Си: other property and its insured sum.
    Other,
    OtherInsured,
    /// Кр: the amount asked for. The only input that must be answered.
    Requested,
}

impl SufficiencyInput {
    pub const ALL: [SufficiencyInput; 11] = [
        SufficiencyInput::Deposits,
        SufficiencyInput::Securities,
        SufficiencyInput::Apartment,
        SufficiencyInput::ApartmentInsured,
        SufficiencyInput::House,
        SufficiencyInput::HouseInsured,
        SufficiencyInput::Car,
        SufficiencyInput::CarInsured,
        SufficiencyInput::Other,
        SufficiencyInput::OtherInsured,
        SufficiencyInput::Requested,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SufficiencyInput::Deposits => "deposits",
            SufficiencyInput::Securities => "securities",
            SufficiencyInput::Apartment => "apartment",
            SufficiencyInput::ApartmentInsured => "apartment_insured",
            SufficiencyInput::House => "house",
            SufficiencyInput::HouseInsured => "house_insured",
            SufficiencyInput::Car => "car",
            SufficiencyInput::CarInsured => "car_insured",
            SufficiencyInput::Other => "other",
            SufficiencyInput::OtherInsured => "other_insured",
            SufficiencyInput::Requested => "requested",
        }
    }

    pub fn from_code(code: &str) -> Option<SufficiencyInput> {
        SufficiencyInput::ALL.into_iter().find(|i| i.code() == code)
    }

    /// Catalog key of the input's label.
    pub fn key(self) -> &'static str {
        match self {
            SufficiencyInput::Deposits => "scorecard.input.deposits",
            SufficiencyInput::Securities => "scorecard.input.securities",
            SufficiencyInput::Apartment => "scorecard.input.apartment",
            SufficiencyInput::ApartmentInsured => "scorecard.input.apartment_insured",
            SufficiencyInput::House => "scorecard.input.house",
            SufficiencyInput::HouseInsured => "scorecard.input.house_insured",
            SufficiencyInput::Car => "scorecard.input.car",
            SufficiencyInput::CarInsured => "scorecard.input.car_insured",
            SufficiencyInput::Other => "scorecard.input.other",
            SufficiencyInput::OtherInsured => "scorecard.input.other_insured",
            SufficiencyInput::Requested => "scorecard.input.requested",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// Lower-case code; with `version` it names the card an application was scored with.
    pub id: String,
    pub version: u32,
    pub title: String,
    /// The currency of every amount in the card (ISO code, e.g. RUB).
    pub currency: String,
    /// Who approved the card and when (or that it is a draft).
    pub approval: String,
    /// The rate at which thresholds of the source methodology were converted, if they were.
    pub conversion: Option<Conversion>,
    pub stages: Vec<Stage>,
    pub criteria: Vec<Criterion>,
    pub forced: Vec<ForcedRule>,
    pub thresholds: Thresholds,
}

/// "Thresholds written in `from` were converted at `rate` units of the card's currency each."
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversion {
    pub from: String,
    pub rate: Decimal,
}

/// Category by points: more than `recommended_above` → 1; less than `not_recommended_below`
/// → 3; between, both thresholds included → 2. `not_recommended_below <= recommended_above`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub recommended_above: Decimal,
    pub not_recommended_below: Decimal,
}

impl Thresholds {
    pub fn category(&self, total: Decimal) -> Category {
        if total > self.recommended_above {
            Category::Recommended
        } else if total < self.not_recommended_below {
            Category::NotRecommended
        } else {
            Category::Inadequate
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub code: String,
    pub title: String,
    /// The most points the stage may give; more is cut to this.
    pub max_points: Option<Decimal>,
    pub kind: StageKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageKind {
    Questions(Vec<Question>),
    Sufficiency(Sufficiency),
}

/// Sufficiency of unpledged property (seed table 10, DOMAIN §3):
/// Им = В + Цб/2 + min(Кв, Кс) + min(Сд, Дс) + min(А, Са) + min(Ии, Си); Ди = Им / Кр;
/// points = floor(factor × Ди), at most the stage's `max_points` (which it must have).
/// A property input left unanswered counts as none; uninsured property counts for nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sufficiency {
    pub factor: Decimal,
    /// Inputs the application answers (the requested amount from the loan amount).
    pub sources: BTreeMap<SufficiencyInput, Source>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub code: String,
    pub title: String,
    pub kind: QuestionKind,
    /// The answer is computed from the application, not typed.
    pub source: Option<Source>,
    /// Asked only when this holds (a condition on an earlier answer).
    pub when: Option<Condition>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    YesNo {
        yes: Decimal,
        no: Decimal,
    },
    /// Exactly one option.
    OneOf(Vec<Choice>),
    /// Any number of options (none too); their points are summed.
    SomeOf(Vec<Choice>),
    /// A number in ascending bands; a value over the last bound scores `over`.
    Bands {
        bands: Vec<Band>,
        over: Decimal,
        /// How the number is shown ("₽", "%", "лет"); words only.
        unit: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub code: String,
    pub title: String,
    pub points: Decimal,
}

/// A band takes values up to `bound`: `upto` (inclusive, `x <= bound`) or `below`
/// (exclusive, `x < bound`), and above the previous band's bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub bound: Decimal,
    pub inclusive: bool,
    pub points: Decimal,
}

impl Band {
    pub fn contains_below(&self, x: Decimal) -> bool {
        if self.inclusive {
            x <= self.bound
        } else {
            x < self.bound
        }
    }
}

/// A named group of stages whose points are summed (character, financial capacity, collateral).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criterion {
    pub code: String,
    pub title: String,
    pub stages: Vec<String>,
}

/// "When this holds, the category is no better than N" — N = 3 forces category 3, N = 2
/// forbids category 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForcedRule {
    pub code: String,
    pub title: String,
    pub when: Condition,
    pub no_better_than: Category,
}

impl ForcedRule {
    /// Catalog key for the reason; shipped codes have one, a card's own codes show `title`.
    pub fn key(&self) -> String {
        format!("scorecard.forced.{}", self.code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// On an answer (`stage.question`); never holds while the answer is missing.
    Answer { key: String, test: Test },
    /// On a criterion's points.
    Criterion { code: String, test: Test },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// Yes/no answer is this.
    Is(bool),
    /// One-of answer is this option.
    IsOption(String),
    /// Some-of answer includes this option.
    Includes(String),
    /// Some-of answer has no option (true) or some (false).
    Empty(bool),
    Below(Decimal),
    AtMost(Decimal),
    AtLeast(Decimal),
    Above(Decimal),
}

impl Test {
    fn number(&self, x: Decimal) -> Option<bool> {
        match self {
            Test::Below(b) => Some(x < *b),
            Test::AtMost(b) => Some(x <= *b),
            Test::AtLeast(b) => Some(x >= *b),
            Test::Above(b) => Some(x > *b),
            _ => None,
        }
    }

    fn holds(&self, a: &Answer) -> bool {
        match (self, a) {
            (Test::Is(v), Answer::YesNo(b)) => v == b,
            (Test::IsOption(c), Answer::Choice(x)) => c == x,
            (Test::Includes(c), Answer::Choices(s)) => s.contains(c),
            (Test::Empty(e), Answer::Choices(s)) => s.is_empty() == *e,
            (t, Answer::Number(x)) => t.number(*x).unwrap_or(false),
            _ => false,
        }
    }
}

/// One answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    YesNo(bool),
    Choice(String),
    Choices(BTreeSet<String>),
    Number(Decimal),
}

/// Answers by `stage.question`.
pub type Answers = BTreeMap<String, Answer>;

/// What one answer key asks for.
#[derive(Clone, Copy, Debug)]
pub enum ItemKind<'a> {
    Question(&'a Question),
    Input(SufficiencyInput),
}

/// One thing the card asks, in card order.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// `stage.question` / `stage.input`.
    pub key: String,
    pub stage: &'a Stage,
    pub kind: ItemKind<'a>,
}

impl Item<'_> {
    /// Where the answer comes from when the application knows it.
    pub fn source(&self) -> Option<Source> {
        match self.kind {
            ItemKind::Question(q) => q.source,
            ItemKind::Input(i) => match &self.stage.kind {
                StageKind::Sufficiency(s) => s.sources.get(&i).copied(),
                StageKind::Questions(_) => None,
            },
        }
    }
}

impl Card {
    pub fn stage(&self, code: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.code == code)
    }

    /// Everything the card asks, stage by stage.
    pub fn items(&self) -> Vec<Item<'_>> {
        let mut out = Vec::new();
        for stage in &self.stages {
            match &stage.kind {
                StageKind::Questions(qs) => {
                    for q in qs {
                        out.push(Item {
                            key: format!("{}.{}", stage.code, q.code),
                            stage,
                            kind: ItemKind::Question(q),
                        });
                    }
                }
                StageKind::Sufficiency(_) => {
                    for i in SufficiencyInput::ALL {
                        out.push(Item {
                            key: format!("{}.{}", stage.code, i.code()),
                            stage,
                            kind: ItemKind::Input(i),
                        });
                    }
                }
            }
        }
        out
    }

    pub fn item(&self, key: &str) -> Option<Item<'_>> {
        let (stage_code, rest) = key.split_once('.')?;
        let stage = self.stage(stage_code)?;
        let kind = match &stage.kind {
            StageKind::Questions(qs) => ItemKind::Question(qs.iter().find(|q| q.code == rest)?),
            StageKind::Sufficiency(_) => ItemKind::Input(SufficiencyInput::from_code(rest)?),
        };
        Some(Item {
            key: key.to_string(),
            stage,
            kind,
        })
    }

    /// The most the card can give: the sum of every stage's maximum.
    pub fn max_points(&self) -> Decimal {
        self.stages.iter().map(Stage::max_points).sum()
    }
}

impl Stage {
    /// The most this stage can give, its cap applied. Questions asked only for one value of
    /// an earlier yes/no or one-of question of the stage are counted as alternatives (the
    /// apartment questions or the car questions, not both); other conditions are ignored, so
    /// the figure is an upper bound.
    pub fn max_points(&self) -> Decimal {
        let raw = match &self.kind {
            StageKind::Sufficiency(_) => self.max_points.unwrap_or(Decimal::ZERO),
            StageKind::Questions(qs) => {
                let in_stage = |q: &Question| -> Option<usize> {
                    let Some(Condition::Answer { key, .. }) = &q.when else {
                        return None;
                    };
                    let (s, code) = key.split_once('.')?;
                    (s == self.code)
                        .then(|| qs.iter().position(|p| p.code == code))
                        .flatten()
                };
                (0..qs.len())
                    .filter(|&i| in_stage(&qs[i]).is_none())
                    .map(|i| best(qs, i, &in_stage))
                    .sum()
            }
        };
        match self.max_points {
            Some(cap) => raw.min(cap),
            None => raw,
        }
    }
}

/// The most question `i` and the questions hanging off it can give.
fn best(qs: &[Question], i: usize, parent: &dyn Fn(&Question) -> Option<usize>) -> Decimal {
    let children: Vec<usize> = (0..qs.len())
        .filter(|&j| parent(&qs[j]) == Some(i))
        .collect();
    let test_of = |j: usize| match &qs[j].when {
        Some(Condition::Answer { test, .. }) => Some(test),
        _ => None,
    };
    // For a value of question i: its points plus the children asked for that value; children
    // whose test is not about one value are counted whatever the value.
    let with_value = |own: Decimal, matches: &dyn Fn(&Test) -> Option<bool>| -> Decimal {
        own + children
            .iter()
            .filter(|&&j| test_of(j).and_then(matches).unwrap_or(true))
            .map(|&j| best(qs, j, parent))
            .sum::<Decimal>()
    };
    match &qs[i].kind {
        QuestionKind::YesNo { yes, no } => {
            let y = with_value(*yes, &|t| match t {
                Test::Is(v) => Some(*v),
                _ => None,
            });
            let n = with_value(*no, &|t| match t {
                Test::Is(v) => Some(!*v),
                _ => None,
            });
            y.max(n)
        }
        QuestionKind::OneOf(opts) => opts
            .iter()
            .map(|o| {
                with_value(o.points, &|t| match t {
                    Test::IsOption(c) => Some(*c == o.code),
                    _ => None,
                })
            })
            .max()
            .unwrap_or(Decimal::ZERO),
        kind => with_value(kind.max_points(), &|_| None),
    }
}

impl QuestionKind {
    /// The most this question alone can give.
    pub fn max_points(&self) -> Decimal {
        match self {
            QuestionKind::YesNo { yes, no } => (*yes).max(*no),
            QuestionKind::OneOf(opts) => {
                opts.iter().map(|o| o.points).max().unwrap_or(Decimal::ZERO)
            }
            QuestionKind::SomeOf(opts) => opts.iter().map(|o| o.points.max(Decimal::ZERO)).sum(),
            QuestionKind::Bands { bands, over, .. } => {
                bands.iter().map(|b| b.points).fold(*over, Decimal::max)
            }
        }
    }

    /// Points for an answer that [`check_answer`] accepted.
    pub fn points(&self, a: &Answer) -> Decimal {
        match (self, a) {
            (QuestionKind::YesNo { yes, no }, Answer::YesNo(v)) => {
                if *v {
                    *yes
                } else {
                    *no
                }
            }
            (QuestionKind::OneOf(opts), Answer::Choice(c)) => opts
                .iter()
                .find(|o| &o.code == c)
                .map(|o| o.points)
                .unwrap_or_default(),
            (QuestionKind::SomeOf(opts), Answer::Choices(cs)) => opts
                .iter()
                .filter(|o| cs.contains(&o.code))
                .map(|o| o.points)
                .sum(),
            (QuestionKind::Bands { bands, over, .. }, Answer::Number(x)) => bands
                .iter()
                .find(|b| b.contains_below(*x))
                .map(|b| b.points)
                .unwrap_or(*over),
            _ => Decimal::ZERO,
        }
    }
}

/// Why an answer does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the card asks no such question")]
    UnknownQuestion,
    #[error("expects yes or no")]
    ExpectsYesNo,
    #[error("expects one option")]
    ExpectsOption,
    #[error("expects a list of options")]
    ExpectsOptions,
    #[error("expects a number")]
    ExpectsNumber,
    #[error("no option {0}")]
    UnknownOption(String),
    #[error("must not be negative")]
    Negative,
    #[error("a fractional number is written in quotes")]
    FractionInQuotes,
    #[error("answers are a JSON object keyed stage.question")]
    NotAnObject,
}

impl AnswerError {
    /// Catalog key of the reason.
    pub fn key(&self) -> &'static str {
        match self {
            AnswerError::UnknownQuestion => "scorecard.err.unknown_question",
            AnswerError::ExpectsYesNo => "scorecard.err.expects_yes_no",
            AnswerError::ExpectsOption => "scorecard.err.expects_option",
            AnswerError::ExpectsOptions => "scorecard.err.expects_options",
            AnswerError::ExpectsNumber => "scorecard.err.expects_number",
            AnswerError::UnknownOption(_) => "scorecard.err.unknown_option",
            AnswerError::Negative => "scorecard.err.negative",
            AnswerError::FractionInQuotes => "scorecard.err.fraction_in_quotes",
            AnswerError::NotAnObject => "scorecard.err.not_an_object",
        }
    }

    /// Words to put into the reason's `{detail}`.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AnswerError::UnknownOption(c) => Some(c),
            _ => None,
        }
    }
}

/// Does `answer` fit what `item` asks?
pub fn check_answer(item: &Item<'_>, answer: &Answer) -> Result<(), AnswerError> {
    match (item.kind, answer) {
        (ItemKind::Question(q), a) => match (&q.kind, a) {
            (QuestionKind::YesNo { .. }, Answer::YesNo(_)) => Ok(()),
            (QuestionKind::YesNo { .. }, _) => Err(AnswerError::ExpectsYesNo),
            (QuestionKind::OneOf(opts), Answer::Choice(c)) => {
                if opts.iter().any(|o| &o.code == c) {
                    Ok(())
                } else {
                    Err(AnswerError::UnknownOption(c.clone()))
                }
            }
            (QuestionKind::OneOf(_), _) => Err(AnswerError::ExpectsOption),
            (QuestionKind::SomeOf(opts), Answer::Choices(cs)) => {
                match cs.iter().find(|c| !opts.iter().any(|o| &o.code == *c)) {
                    Some(c) => Err(AnswerError::UnknownOption(c.clone())),
                    None => Ok(()),
                }
            }
            (QuestionKind::SomeOf(_), _) => Err(AnswerError::ExpectsOptions),
            (QuestionKind::Bands { .. }, Answer::Number(_)) => Ok(()),
            (QuestionKind::Bands { .. }, _) => Err(AnswerError::ExpectsNumber),
        },
        (ItemKind::Input(_), Answer::Number(x)) if x.is_sign_negative() && !x.is_zero() => {
            Err(AnswerError::Negative)
        }
        (ItemKind::Input(_), Answer::Number(_)) => Ok(()),
        (ItemKind::Input(_), _) => Err(AnswerError::ExpectsNumber),
    }
}

/// A number as people write it: `225000`, `225 000,50`, `40.5`.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    Decimal::from_str(&cleaned).ok()
}

/// Read the committee's plain answers object: `{"general.sex": "male", "general.age": 33,
/// "property.owned": ["car", "dacha"], "credit_history.borrowed_before": true,
/// "sufficiency.requested": "3000000.00"}`. Keys must be the card's; `null` means unanswered;
/// whole numbers may be JSON numbers, fractions go in quotes (no floating point).
/// Every problem is returned, not just the first (anything but an object is one problem
/// with an empty key).
pub fn answers_from_json(
    card: &Card,
    value: &serde_json::Value,
) -> Result<Answers, Vec<InvalidAnswer>> {
    let Some(obj) = value.as_object() else {
        return Err(vec![InvalidAnswer::new("", AnswerError::NotAnObject)]);
    };
    let mut answers = Answers::new();
    let mut problems = Vec::new();
    for (key, v) in obj {
        let Some(item) = card.item(key) else {
            problems.push(InvalidAnswer::new(key, AnswerError::UnknownQuestion));
            continue;
        };
        if v.is_null() {
            continue;
        }
        match plain_answer(&item, v).and_then(|a| check_answer(&item, &a).map(|()| a)) {
            Ok(a) => {
                answers.insert(key.clone(), a);
            }
            Err(e) => problems.push(InvalidAnswer::new(key, e)),
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

fn plain_answer(item: &Item<'_>, v: &serde_json::Value) -> Result<Answer, AnswerError> {
    use serde_json::Value as J;
    let wants_number = match item.kind {
        ItemKind::Input(_) => true,
        ItemKind::Question(q) => matches!(q.kind, QuestionKind::Bands { .. }),
    };
    if wants_number {
        return match v {
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Ok(Answer::Number(Decimal::from(i))),
                (None, Some(u)) => Ok(Answer::Number(Decimal::from(u))),
                _ => Err(AnswerError::FractionInQuotes),
            },
            J::String(s) => parse_number(s)
                .map(Answer::Number)
                .ok_or(AnswerError::ExpectsNumber),
            _ => Err(AnswerError::ExpectsNumber),
        };
    }
    match v {
        J::Bool(b) => Ok(Answer::YesNo(*b)),
        J::String(s) => Ok(Answer::Choice(s.clone())),
        J::Array(xs) => xs
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or(AnswerError::ExpectsOptions)
            })
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Answer::Choices),
        _ => Err(AnswerError::ExpectsOption),
    }
}

/// The plain form of answers (the inverse of [`answers_from_json`]); numbers as strings.
pub fn answers_to_json(answers: &Answers) -> serde_json::Value {
    use serde_json::Value as J;
    let map = answers
        .iter()
        .map(|(k, a)| {
            let v = match a {
                Answer::YesNo(b) => J::Bool(*b),
                Answer::Choice(c) => J::String(c.clone()),
                Answer::Choices(cs) => J::Array(cs.iter().cloned().map(J::String).collect()),
                Answer::Number(x) => J::String(x.normalize().to_string()),
            };
            (k.clone(), v)
        })
        .collect();
    J::Object(map)
}

/// Typed answers with the computed ones laid over them: what the application knows wins.
pub fn with_derived(typed: &Answers, derived: &Answers) -> Answers {
    let mut all = typed.clone();
    all.extend(derived.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// An answer that was not taken, and why (a catalog key with optional detail).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvalidAnswer {
    pub key: String,
    pub reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl InvalidAnswer {
    pub fn new(key: &str, e: AnswerError) -> InvalidAnswer {
        InvalidAnswer {
            key: key.to_string(),
            reason: e.key(),
            detail: e.detail().map(str::to_string),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScoreResult {
    pub card_id: String,
    pub card_version: u32,
    /// The sum of the stages' points (each after its cap).
    pub total: Decimal,
    /// The category the points alone give.
    pub category_by_points: Category,
    /// The category after the forced rules.
    pub category: Category,
    pub stages: Vec<StageScore>,
    pub criteria: Vec<CriterionScore>,
    /// The forced rules that hold, in card order.
    pub forced: Vec<ForcedReason>,
    /// Keys asked but not answered, in card order.
    pub missing: Vec<String>,
    /// Answers that do not fit their question; they score nothing.
    pub invalid: Vec<InvalidAnswer>,
}

impl ScoreResult {
    /// Every question asked has a fitting answer.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.invalid.is_empty()
    }

    pub fn stage(&self, code: &str) -> Option<&StageScore> {
        self.stages.iter().find(|s| s.code == code)
    }

    /// The points one answer key gave (`None` when not asked or not answered).
    pub fn points_of(&self, key: &str) -> Option<Decimal> {
        self.stages
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.key == key)
            .and_then(|i| i.points)
    }

    pub fn criterion(&self, code: &str) -> Option<Decimal> {
        self.criteria
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.points)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageScore {
    pub code: String,
    /// After the cap.
    pub points: Decimal,
    /// Before the cap.
    pub raw_points: Decimal,
    pub max_points: Decimal,
    pub items: Vec<ItemScore>,
    /// The sufficiency stage's Им and Ди, when Кр is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sufficiency: Option<SufficiencyScore>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemScore {
    pub key: String,
    /// False when the question's `when` does not hold (it scores nothing and is not missing).
    pub asked: bool,
    /// Points of a fitting answer; sufficiency inputs carry none (the stage scores as a whole).
    pub points: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SufficiencyScore {
    /// Им: unpledged property counted.
    pub property: Decimal,
    /// Ди = Им / Кр, to 4 decimal places (points come from the exact value).
    pub ratio: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CriterionScore {
    pub code: String,
    pub points: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForcedReason {
    pub code: String,
    /// Catalog key `scorecard.forced.<code>`; when the catalog lacks it, show `title`.
    pub key: String,
    pub title: String,
    pub no_better_than: Category,
}

/// Score `answers` against `card`. Never fails: see the module comment.
pub fn evaluate(card: &Card, answers: &Answers) -> ScoreResult {
    let mut missing = Vec::new();
    let mut invalid = Vec::new();
    // Answers of questions that were asked and fit, for `when` and the forced rules.
    let mut taken: BTreeMap<String, &Answer> = BTreeMap::new();
    let mut stages = Vec::new();
    for stage in &card.stages {
        let mut items = Vec::new();
        let mut raw = Decimal::ZERO;
        let mut sufficiency = None;
        match &stage.kind {
            StageKind::Questions(qs) => {
                for q in qs {
                    let key = format!("{}.{}", stage.code, q.code);
                    let asked = match &q.when {
                        None => true,
                        Some(c) => holds(c, &taken, &BTreeMap::new()),
                    };
                    let mut points = None;
                    if asked {
                        match answers.get(&key) {
                            None => missing.push(key.clone()),
                            Some(a) => {
                                let item = Item {
                                    key: key.clone(),
                                    stage,
                                    kind: ItemKind::Question(q),
                                };
                                match check_answer(&item, a) {
                                    Ok(()) => {
                                        let p = q.kind.points(a);
                                        raw += p;
                                        points = Some(p);
                                        taken.insert(key.clone(), a);
                                    }
                                    Err(e) => invalid.push(InvalidAnswer::new(&key, e)),
                                }
                            }
                        }
                    }
                    items.push(ItemScore { key, asked, points });
                }
            }
            StageKind::Sufficiency(s) => {
                let mut values = BTreeMap::new();
                for input in SufficiencyInput::ALL {
                    let key = format!("{}.{}", stage.code, input.code());
                    match answers.get(&key) {
                        None if input == SufficiencyInput::Requested => missing.push(key.clone()),
                        None => {}
                        Some(a) => {
                            let item = Item {
                                key: key.clone(),
                                stage,
                                kind: ItemKind::Input(input),
                            };
                            match (check_answer(&item, a), a) {
                                (Ok(()), Answer::Number(x)) => {
                                    values.insert(input, *x);
                                    taken.insert(key.clone(), a);
                                }
                                (Err(e), _) => invalid.push(InvalidAnswer::new(&key, e)),
                                (Ok(()), _) => {}
                            }
                        }
                    }
                    items.push(ItemScore {
                        key,
                        asked: true,
                        points: None,
                    });
                }
                if let Some((points, score)) = sufficiency_points(s, &values) {
                    raw = points;
                    sufficiency = Some(score);
                }
            }
        }
        let points = match stage.max_points {
            Some(cap) => raw.min(cap),
            None => raw,
        };
        stages.push(StageScore {
            code: stage.code.clone(),
            points,
            raw_points: raw,
            max_points: stage.max_points(),
            items,
            sufficiency,
        });
    }
    let stage_points: BTreeMap<&str, Decimal> =
        stages.iter().map(|s| (s.code.as_str(), s.points)).collect();
    let criteria: Vec<CriterionScore> = card
        .criteria
        .iter()
        .map(|c| CriterionScore {
            code: c.code.clone(),
            points: c
                .stages
                .iter()
                .filter_map(|s| stage_points.get(s.as_str()))
                .sum(),
        })
        .collect();
    let criterion_points: BTreeMap<String, Decimal> = criteria
        .iter()
        .map(|c| (c.code.clone(), c.points))
        .collect();
    let forced: Vec<ForcedReason> = card
        .forced
        .iter()
        .filter(|r| holds(&r.when, &taken, &criterion_points))
        .map(|r| ForcedReason {
            code: r.code.clone(),
            key: r.key(),
            title: r.title.clone(),
            no_better_than: r.no_better_than,
        })
        .collect();
    let total: Decimal = stages.iter().map(|s| s.points).sum();
    let category_by_points = card.thresholds.category(total);
    let category = forced
        .iter()
        .map(|f| f.no_better_than)
        .fold(category_by_points, Category::max);
    ScoreResult {
        card_id: card.id.clone(),
        card_version: card.version,
        total,
        category_by_points,
        category,
        stages,
        criteria,
        forced,
        missing,
        invalid,
    }
}

fn holds(
    c: &Condition,
    answers: &BTreeMap<String, &Answer>,
    criteria: &BTreeMap<String, Decimal>,
) -> bool {
    match c {
        Condition::Answer { key, test } => answers.get(key).is_some_and(|a| test.holds(a)),
        Condition::Criterion { code, test } => criteria
            .get(code)
            .and_then(|x| test.number(*x))
            .unwrap_or(false),
    }
}

/// Points (before the stage's cap) and details of the sufficiency formula; `None` while Кр
/// is unknown or zero.
fn sufficiency_points(
    s: &Sufficiency,
    v: &BTreeMap<SufficiencyInput, Decimal>,
) -> Option<(Decimal, SufficiencyScore)> {
    use SufficiencyInput as I;
    let get = |i: I| v.get(&i).copied().unwrap_or(Decimal::ZERO);
    let requested = get(I::Requested);
    if requested <= Decimal::ZERO {
        return None;
    }
    let property = get(I::Deposits)
        + get(I::Securities) / Decimal::TWO
        + get(I::Apartment).min(get(I::ApartmentInsured))
        + get(I::House).min(get(I::HouseInsured))
        + get(I::Car).min(get(I::CarInsured))
        + get(I::Other).min(get(I::OtherInsured));
    // floor(factor × Им / Кр), made exact: the largest whole q with q × Кр <= factor × Им.
    let scaled = s.factor * property;
    let mut q = (scaled / requested).floor();
    while q * requested > scaled {
        q -= Decimal::ONE;
    }
    while (q + Decimal::ONE) * requested <= scaled {
        q += Decimal::ONE;
    }
    let ratio = (property / requested)
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    Some((q, SufficiencyScore { property, ratio }))
}

#[cfg(test)]
mod tests;
