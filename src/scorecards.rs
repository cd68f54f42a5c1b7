//! Scorecard files (`assets/scorecards/*.toml`, format in `assets/scorecards/README.md`):
//! read, validated and turned into a `domain::scorecard::Card`. Every mistake is a
//! `FileError` naming the file, the line and the key, like the rules files.
//!
//! Which card is active is the `[scoring] card = "<id>"` key of the config: the file
//! `<assets_dir>/scorecards/<id>.toml` when the cooperative keeps one there, else the shipped
//! card of that id (only `default` is shipped); `card = ""` means no card is active.
//!
//! API: [`parse`] (file name + text), [`load_path`] (a file anywhere, for `scorecard check`),
//! [`load_active`] (by config), [`builtin`] (the shipped default). Each loaded card comes
//! with a [`LoadedCard::fingerprint`] of its text, so a store can notice a card whose id and
//! version it already knows but whose content changed — a card is never edited in place.

use crate::domain::scorecard::{
    Band, Card, Category, Choice, Condition, Conversion, Criterion, ForcedRule, Question,
    QuestionKind, Source, Stage, StageKind, Sufficiency, SufficiencyInput, Test, Thresholds,
};
use crate::tomlfile::{self, FileError};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

pub const DEFAULT_CARD: &str = include_str!("../assets/scorecards/default.toml");
pub const DEFAULT_CARD_FILE: &str = "assets/scorecards/default.toml";

/// A card with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedCard {
    pub card: Card,
    /// The file it was read from (`assets/scorecards/default.toml` for the shipped one).
    pub file: String,
    /// 16 hex digits of an FNV-1a hash of the text (line endings normalised). Not a
    /// cryptographic hash: it catches accidental edits, not deliberate ones.
    pub fingerprint: String,
}

/// The shipped default card.
pub fn builtin() -> Card {
    parse(DEFAULT_CARD_FILE, DEFAULT_CARD)
        .expect("the shipped card is valid (tested)")
        .card
}

/// Read and validate a card file.
pub fn load_path(path: &Path) -> Result<LoadedCard, FileError> {
    let file = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| FileError {
        file: file.clone(),
        line: 1,
        key: String::new(),
        message: e.to_string(),
    })?;
    parse(&file, &src)
}

/// The card the config names (`[scoring] card`), or `None` when it names none.
/// `config` is the config file's name and text, to point at the key when the card is unknown.
pub fn load_active(
    name: &str,
    assets_dir: Option<&Path>,
    config: Option<(&str, &str)>,
) -> Result<Option<LoadedCard>, FileError> {
    load_version(name, None, assets_dir, config)
}

/// The active card of id `name` and, when the config pins one, of that `version`: versions of
/// one card may be kept side by side as `<assets_dir>/scorecards/<id>-v<version>.toml`, so
/// the committee switches versions in the config without editing a used card.
pub fn load_version(
    name: &str,
    version: Option<u32>,
    assets_dir: Option<&Path>,
    config: Option<(&str, &str)>,
) -> Result<Option<LoadedCard>, FileError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let config_error = |message: String| {
        let (file, line) = match config {
            Some((f, src)) => (
                f.to_string(),
                src.lines()
                    .position(|l| l.trim_start().starts_with("card"))
                    .map(|i| i + 1)
                    .unwrap_or(1),
            ),
            None => ("config".to_string(), 1),
        };
        FileError {
            file,
            line,
            key: "scoring.card".into(),
            message,
        }
    };
    if !is_code(name) {
        return Err(config_error(
            "a card id is lower-case latin letters, digits or _".into(),
        ));
    }
    let versioned = version.and_then(|v| {
        assets_dir
            .map(|d| d.join("scorecards").join(format!("{name}-v{v}.toml")))
            .filter(|p| p.exists())
    });
    let own = versioned.or_else(|| {
        assets_dir
            .map(|d| d.join("scorecards").join(format!("{name}.toml")))
            .filter(|p| p.exists())
    });
    let loaded = match own {
        Some(p) => load_path(&p)?,
        None if name == "default" => parse(DEFAULT_CARD_FILE, DEFAULT_CARD)?,
        None => {
            return Err(config_error(format!(
                "no card {name:?}: put it in <assets_dir>/scorecards/{name}.toml"
            )));
        }
    };
    if loaded.card.id != name {
        let src = std::fs::read_to_string(&loaded.file).unwrap_or_default();
        let line = src
            .lines()
            .position(|l| l.trim_start().starts_with("id"))
            .map(|i| i + 1)
            .unwrap_or(1);
        return Err(FileError {
            file: loaded.file,
            line,
            key: "id".into(),
            message: format!(
                "the config names card {name:?}, the file is card {:?}",
                loaded.card.id
            ),
        });
    }
    if let Some(v) = version.filter(|v| *v != loaded.card.version) {
        let (file, src) = config.unwrap_or(("config", ""));
        let line = src
            .lines()
            .position(|l| l.trim_start().starts_with("version"))
            .map(|i| i + 1)
            .unwrap_or(1);
        return Err(FileError {
            file: file.to_string(),
            line,
            key: "scoring.version".into(),
            message: format!(
                "version {v} of card {name:?} is not to be found: {} is version {}",
                loaded.file, loaded.card.version
            ),
        });
    }
    Ok(Some(loaded))
}

/// FNV-1a, 64 bits, over the text with `\r\n` read as `\n`.
pub fn fingerprint(src: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in src.replace("\r\n", "\n").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_option_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

// ----- the file as written -----------------------------------------------------------------

type Num = Spanned<toml::Value>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    id: Spanned<String>,
    version: Spanned<i64>,
    title: String,
    currency: Spanned<String>,
    approval: String,
    conversion: Option<RawConversion>,
    categories: RawCategories,
    #[serde(default)]
    stage: Vec<Spanned<RawStage>>,
    #[serde(default)]
    criterion: Vec<Spanned<RawCriterion>>,
    #[serde(default)]
    forced: Vec<Spanned<RawForced>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConversion {
    from: Spanned<String>,
    rate: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategories {
    recommended_above: Num,
    not_recommended_below: Num,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawStageKind {
    Questions,
    Sufficiency,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    code: Spanned<String>,
    title: String,
    kind: Option<Spanned<RawStageKind>>,
    max_points: Option<Num>,
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
    factor: Option<Num>,
    sources: Option<Spanned<BTreeMap<String, Spanned<Source>>>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawQuestionKind {
    YesNo,
    OneOf,
    SomeOf,
    Bands,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    code: Spanned<String>,
    title: String,
    kind: Spanned<RawQuestionKind>,
    source: Option<Spanned<Source>>,
    when: Option<Spanned<RawCondition>>,
    yes: Option<Num>,
    no: Option<Num>,
    options: Option<Spanned<Vec<Spanned<RawChoice>>>>,
    bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    over: Option<Num>,
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    code: Spanned<String>,
    title: String,
    points: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    upto: Option<Num>,
    below: Option<Num>,
    points: Num,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    answer: Option<Spanned<String>>,
    criterion: Option<Spanned<String>>,
    is: Option<Spanned<toml::Value>>,
    includes: Option<Spanned<String>>,
    empty: Option<Spanned<bool>>,
    below: Option<Num>,
    at_most: Option<Num>,
    at_least: Option<Num>,
    above: Option<Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    code: Spanned<String>,
    title: String,
    stages: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForced {
    code: Spanned<String>,
    title: String,
    when: Spanned<RawCondition>,
    no_better_than: Spanned<i64>,
}

// ----- validation --------------------------------------------------------------------------

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, key: &str, msg: impl Into<String>) -> FileError {
        tomlfile::error_at(self.file, self.src, Some(span), key, msg)
    }

    /// An integer, or a decimal in quotes; never a float.
    fn num(&self, v: &Num, key: &str) -> Result<Decimal, FileError> {
        let bad = |m: &str| self.err(v.span(), key, m);
        match v.get_ref() {
            toml::Value::Integer(i) => Ok(Decimal::from(*i)),
            toml::Value::String(s) => Decimal::from_str(s.trim())
                .map(|d| d.normalize())
                .map_err(|_| bad("not a number")),
            toml::Value::Float(_) => Err(bad(
                "fractional numbers are written in quotes (\"0.5\"): no floating point",
            )),
            _ => Err(bad("expects a number")),
        }
    }

    fn code(&self, v: &Spanned<String>, key: &str) -> Result<String, FileError> {
        if is_code(v.get_ref()) {
            Ok(v.get_ref().clone())
        } else {
            Err(self.err(
                v.span(),
                key,
                "a code is lower-case latin letters, digits or _",
            ))
        }
    }
}

/// Everything known about the questions so far, for `when` and the forced rules.
enum Asked {
    Question(QuestionKind),
    Input,
}

/// Parse and validate a card.
pub fn parse(file: &str, src: &str) -> Result<LoadedCard, FileError> {
    let raw: RawCard = tomlfile::parse(file, src)?;
    let cx = Ctx { file, src };
    let id = cx.code(&raw.id, "id")?;
    let version = u32::try_from(*raw.version.get_ref())
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| cx.err(raw.version.span(), "version", "a whole number from 1"))?;
    let currency_code = |v: &Spanned<String>, key: &str| -> Result<String, FileError> {
        let s = v.get_ref();
        if s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(s.clone())
        } else {
            Err(cx.err(
                v.span(),
                key,
                "a currency is three capital letters: RUB, USD",
            ))
        }
    };
    let currency = currency_code(&raw.currency, "currency")?;
    let conversion = match &raw.conversion {
        None => None,
        Some(c) => {
            let rate = cx.num(&c.rate, "conversion.rate")?;
            if rate <= Decimal::ZERO {
                return Err(cx.err(c.rate.span(), "conversion.rate", "must be more than 0"));
            }
            Some(Conversion {
                from: currency_code(&c.from, "conversion.from")?,
                rate,
            })
        }
    };
    let above = cx.num(
        &raw.categories.recommended_above,
        "categories.recommended_above",
    )?;
    let below = cx.num(
        &raw.categories.not_recommended_below,
        "categories.not_recommended_below",
    )?;
    if below > above {
        return Err(cx.err(
            raw.categories.not_recommended_below.span(),
            "categories.not_recommended_below",
            "out of order: must not be more than recommended_above",
        ));
    }

    if raw.stage.is_empty() {
        return Err(tomlfile::error_at(
            file,
            src,
            None,
            "stage",
            "a card needs at least one stage",
        ));
    }
    let mut stages: Vec<Stage> = Vec::new();
    for sp in &raw.stage {
        let stage = parse_stage(&cx, sp, &stages)?;
        stages.push(stage);
    }

    let mut criteria: Vec<Criterion> = Vec::new();
    for sp in &raw.criterion {
        let r = sp.get_ref();
        let code = cx.code(&r.code, "criterion.code")?;
        let key = format!("criterion.{code}");
        if criteria.iter().any(|c| c.code == code) {
            return Err(cx.err(r.code.span(), &key, "duplicate criterion"));
        }
        if r.stages.is_empty() {
            return Err(cx.err(r.code.span(), &format!("{key}.stages"), "names no stage"));
        }
        let mut names = Vec::new();
        for s in &r.stages {
            if !stages.iter().any(|st| &st.code == s.get_ref()) {
                return Err(cx.err(
                    s.span(),
                    &format!("{key}.stages"),
                    format!("no stage {:?} in this card", s.get_ref()),
                ));
            }
            if names.contains(s.get_ref()) {
                return Err(cx.err(s.span(), &format!("{key}.stages"), "stage named twice"));
            }
            names.push(s.get_ref().clone());
        }
        criteria.push(Criterion {
            code,
            title: r.title.clone(),
            stages: names,
        });
    }

    let all = asked_map(&stages);
    let mut forced: Vec<ForcedRule> = Vec::new();
    for sp in &raw.forced {
        let r = sp.get_ref();
        let code = cx.code(&r.code, "forced.code")?;
        let key = format!("forced.{code}");
        if forced.iter().any(|f| f.code == code) {
            return Err(cx.err(r.code.span(), &key, "duplicate rule"));
        }
        let when = parse_condition(&cx, &r.when, &format!("{key}.when"), &all, Some(&criteria))?;
        let no_better_than = match *r.no_better_than.get_ref() {
            2 => Category::Inadequate,
            3 => Category::NotRecommended,
            _ => {
                return Err(cx.err(
                    r.no_better_than.span(),
                    &format!("{key}.no_better_than"),
                    "2 (never category 1) or 3 (always category 3)",
                ));
            }
        };
        forced.push(ForcedRule {
            code,
            title: r.title.clone(),
            when,
            no_better_than,
        });
    }

    Ok(LoadedCard {
        card: Card {
            id,
            version,
            title: raw.title.clone(),
            currency,
            approval: raw.approval.clone(),
            conversion,
            stages,
            criteria,
            forced,
            thresholds: Thresholds {
                recommended_above: above,
                not_recommended_below: below,
            },
        },
        file: file.to_string(),
        fingerprint: fingerprint(src),
    })
}

fn asked_map(stages: &[Stage]) -> BTreeMap<String, Asked> {
    let mut m = BTreeMap::new();
    for s in stages {
        match &s.kind {
            StageKind::Questions(qs) => {
                for q in qs {
                    m.insert(
                        format!("{}.{}", s.code, q.code),
                        Asked::Question(q.kind.clone()),
                    );
                }
            }
            StageKind::Sufficiency(_) => {
                for i in SufficiencyInput::ALL {
                    m.insert(format!("{}.{}", s.code, i.code()), Asked::Input);
                }
            }
        }
    }
    m
}

fn parse_stage(
    cx: &Ctx<'_>,
    sp: &Spanned<RawStage>,
    earlier: &[Stage],
) -> Result<Stage, FileError> {
    let r = sp.get_ref();
    let code = cx.code(&r.code, "stage.code")?;
    if earlier.iter().any(|s| s.code == code) {
        return Err(cx.err(r.code.span(), &format!("stage.{code}"), "duplicate stage"));
    }
    let max_points = match &r.max_points {
        None => None,
        Some(v) => {
            let m = cx.num(v, &format!("{code}.max_points"))?;
            if m < Decimal::ZERO {
                return Err(cx.err(
                    v.span(),
                    &format!("{code}.max_points"),
                    "must not be negative",
                ));
            }
            Some(m)
        }
    };
    let kind = r
        .kind
        .as_ref()
        .map(|k| *k.get_ref())
        .unwrap_or(RawStageKind::Questions);
    let kind = match kind {
        RawStageKind::Questions => {
            if let Some(f) = &r.factor {
                return Err(cx.err(
                    f.span(),
                    &format!("{code}.factor"),
                    "only a sufficiency stage has a factor",
                ));
            }
            if let Some(s) = &r.sources {
                return Err(cx.err(
                    s.span(),
                    &format!("{code}.sources"),
                    "only a sufficiency stage has sources; a question has `source`",
                ));
            }
            if r.question.is_empty() {
                return Err(cx.err(
                    r.code.span(),
                    &format!("{code}.question"),
                    "a stage of questions needs at least one",
                ));
            }
            let mut known = asked_map(earlier);
            let mut qs: Vec<Question> = Vec::new();
            for q in &r.question {
                let question = parse_question(cx, &code, q, &known)?;
                if qs.iter().any(|x| x.code == question.code) {
                    return Err(cx.err(
                        q.get_ref().code.span(),
                        &format!("{code}.{}", question.code),
                        "duplicate question",
                    ));
                }
                // Later questions of this stage may depend on it.
                known.insert(
                    format!("{code}.{}", question.code),
                    Asked::Question(question.kind.clone()),
                );
                qs.push(question);
            }
            StageKind::Questions(qs)
        }
        RawStageKind::Sufficiency => {
            if let Some(q) = r.question.first() {
                return Err(cx.err(
                    q.get_ref().code.span(),
                    &format!("{code}.question"),
                    "a sufficiency stage has no questions: its inputs are fixed",
                ));
            }
            let Some(f) = &r.factor else {
                return Err(cx.err(
                    r.code.span(),
                    &format!("{code}.factor"),
                    "a sufficiency stage needs a factor",
                ));
            };
            let factor = cx.num(f, &format!("{code}.factor"))?;
            if factor <= Decimal::ZERO {
                return Err(cx.err(f.span(), &format!("{code}.factor"), "must be more than 0"));
            }
            if max_points.is_none() {
                return Err(cx.err(
                    r.code.span(),
                    &format!("{code}.max_points"),
                    "a sufficiency stage needs max_points",
                ));
            }
            let mut sources = BTreeMap::new();
            if let Some(s) = &r.sources {
                for (k, v) in s.get_ref() {
                    let input = SufficiencyInput::from_code(k).ok_or_else(|| {
                        let all: Vec<_> = SufficiencyInput::ALL.iter().map(|i| i.code()).collect();
                        cx.err(
                            v.span(),
                            &format!("{code}.sources.{k}"),
                            format!("no such input; inputs: {}", all.join(", ")),
                        )
                    })?;
                    sources.insert(input, *v.get_ref());
                }
            }
            StageKind::Sufficiency(Sufficiency { factor, sources })
        }
    };
    Ok(Stage {
        code,
        title: r.title.clone(),
        max_points,
        kind,
    })
}

fn parse_question(
    cx: &Ctx<'_>,
    stage: &str,
    sp: &Spanned<RawQuestion>,
    known: &BTreeMap<String, Asked>,
) -> Result<Question, FileError> {
    let r = sp.get_ref();
    let code = cx.code(&r.code, &format!("{stage}.question.code"))?;
    let key = format!("{stage}.{code}");
    let kind_name = match r.kind.get_ref() {
        RawQuestionKind::YesNo => "yes_no",
        RawQuestionKind::OneOf => "one_of",
        RawQuestionKind::SomeOf => "some_of",
        RawQuestionKind::Bands => "bands",
    };
    // Keys that belong to another kind are a mistake, not something to ignore.
    let unused = |field: &str, span: Option<Range<usize>>| -> Result<(), FileError> {
        match span {
            Some(s) => Err(cx.err(
                s,
                &format!("{key}.{field}"),
                format!("not used by a {kind_name} question"),
            )),
            None => Ok(()),
        }
    };
    let kind = match r.kind.get_ref() {
        RawQuestionKind::YesNo => {
            unused("options", r.options.as_ref().map(|v| v.span()))?;
            unused("bands", r.bands.as_ref().map(|v| v.span()))?;
            unused("over", r.over.as_ref().map(|v| v.span()))?;
            let need = |v: &Option<Num>, f: &str| -> Result<Decimal, FileError> {
                match v {
                    Some(v) => cx.num(v, &format!("{key}.{f}")),
                    None => Err(cx.err(
                        r.code.span(),
                        &format!("{key}.{f}"),
                        "a yes_no question gives points for both yes and no",
                    )),
                }
            };
            QuestionKind::YesNo {
                yes: need(&r.yes, "yes")?,
                no: need(&r.no, "no")?,
            }
        }
        RawQuestionKind::OneOf | RawQuestionKind::SomeOf => {
            unused("yes", r.yes.as_ref().map(|v| v.span()))?;
            unused("no", r.no.as_ref().map(|v| v.span()))?;
            unused("bands", r.bands.as_ref().map(|v| v.span()))?;
            unused("over", r.over.as_ref().map(|v| v.span()))?;
            let Some(opts) = &r.options else {
                return Err(cx.err(r.code.span(), &format!("{key}.options"), "needs options"));
            };
            if opts.get_ref().is_empty() {
                return Err(cx.err(
                    opts.span(),
                    &format!("{key}.options"),
                    "needs at least one option",
                ));
            }
            let mut choices: Vec<Choice> = Vec::new();
            for o in opts.get_ref() {
                let o = o.get_ref();
                let c = o.code.get_ref();
                if !is_option_code(c) {
                    return Err(cx.err(
                        o.code.span(),
                        &format!("{key}.options"),
                        "an option code is latin letters, digits or _",
                    ));
                }
                if choices.iter().any(|x| &x.code == c) {
                    return Err(cx.err(
                        o.code.span(),
                        &format!("{key}.options"),
                        format!("option {c:?} twice"),
                    ));
                }
                choices.push(Choice {
                    code: c.clone(),
                    title: o.title.clone(),
                    points: cx.num(&o.points, &format!("{key}.options.{c}.points"))?,
                });
            }
            if *r.kind.get_ref() == RawQuestionKind::OneOf {
                QuestionKind::OneOf(choices)
            } else {
                QuestionKind::SomeOf(choices)
            }
        }
        RawQuestionKind::Bands => {
            unused("yes", r.yes.as_ref().map(|v| v.span()))?;
            unused("no", r.no.as_ref().map(|v| v.span()))?;
            unused("options", r.options.as_ref().map(|v| v.span()))?;
            let bkey = format!("{key}.bands");
            let Some(raw_bands) = &r.bands else {
                return Err(cx.err(r.code.span(), &bkey, "needs bands"));
            };
            if raw_bands.get_ref().is_empty() {
                return Err(cx.err(raw_bands.span(), &bkey, "needs at least one band"));
            }
            let Some(over) = &r.over else {
                return Err(cx.err(
                    r.code.span(),
                    &format!("{key}.over"),
                    "needs the points for a value over the last band",
                ));
            };
            let mut bands: Vec<Band> = Vec::new();
            for b in raw_bands.get_ref() {
                let rb = b.get_ref();
                let (bound, inclusive) = match (&rb.upto, &rb.below) {
                    (Some(u), None) => (cx.num(u, &bkey)?, true),
                    (None, Some(l)) => (cx.num(l, &bkey)?, false),
                    _ => {
                        return Err(cx.err(
                            b.span(),
                            &bkey,
                            "a band has either `upto` (inclusive) or `below` (exclusive)",
                        ));
                    }
                };
                if let Some(prev) = bands.last() {
                    // Ascending by bound; at one bound `below` comes before `upto`.
                    if (bound, inclusive) <= (prev.bound, prev.inclusive) {
                        return Err(cx.err(b.span(), &bkey, "bands overlap or are out of order: each must end above the previous one"));
                    }
                }
                bands.push(Band {
                    bound,
                    inclusive,
                    points: cx.num(&rb.points, &format!("{bkey}.points"))?,
                });
            }
            QuestionKind::Bands {
                bands,
                over: cx.num(over, &format!("{key}.over"))?,
                unit: r.unit.clone().unwrap_or_default(),
            }
        }
    };
    if let Some(s) = &r.source
        && !matches!(kind, QuestionKind::Bands { .. })
    {
        return Err(cx.err(
            s.span(),
            &format!("{key}.source"),
            "only a bands question takes its answer from the application",
        ));
    }
    let when = match &r.when {
        None => None,
        Some(w) => {
            let c = parse_condition(cx, w, &format!("{key}.when"), known, None)?;
            Some(c)
        }
    };
    Ok(Question {
        code,
        title: r.title.clone(),
        kind,
        source: r.source.as_ref().map(|s| *s.get_ref()),
        when,
    })
}

/// A condition. `criteria` is `None` where only answers may be tested (a question's `when`);
/// `known` holds the questions it may name (for `when`, only earlier ones).
fn parse_condition(
    cx: &Ctx<'_>,
    sp: &Spanned<RawCondition>,
    key: &str,
    known: &BTreeMap<String, Asked>,
    criteria: Option<&[Criterion]>,
) -> Result<Condition, FileError> {
    let r = sp.get_ref();
    let at = |span: Range<usize>, msg: &str| cx.err(span, key, msg);
    let mut tests: Vec<(Range<usize>, Test)> = Vec::new();
    if let Some(v) = &r.is {
        let t = match v.get_ref() {
            toml::Value::Boolean(b) => Test::Is(*b),
            toml::Value::String(s) => Test::IsOption(s.clone()),
            _ => return Err(at(v.span(), "`is` takes true, false or an option code")),
        };
        tests.push((v.span(), t));
    }
    if let Some(v) = &r.includes {
        tests.push((v.span(), Test::Includes(v.get_ref().clone())));
    }
    if let Some(v) = &r.empty {
        tests.push((v.span(), Test::Empty(*v.get_ref())));
    }
    for (v, make) in [
        (&r.below, Test::Below as fn(Decimal) -> Test),
        (&r.at_most, Test::AtMost),
        (&r.at_least, Test::AtLeast),
        (&r.above, Test::Above),
    ] {
        if let Some(v) = v {
            tests.push((v.span(), make(cx.num(v, key)?)));
        }
    }
    let test = match tests.len() {
        1 => tests.pop().expect("one").1,
        0 => {
            return Err(at(
                sp.span(),
                "needs one test: is, includes, empty, below, at_most, at_least or above",
            ));
        }
        _ => return Err(at(tests[1].0.clone(), "one test per condition")),
    };
    match (&r.answer, &r.criterion) {
        (Some(a), None) => {
            let name = a.get_ref();
            let Some(asked) = known.get(name) else {
                let msg = if criteria.is_some() {
                    format!("no question {name:?} in this card")
                } else {
                    format!("no earlier question {name:?}: `when` names a question above it")
                };
                return Err(cx.err(a.span(), key, msg));
            };
            let fits = match (asked, &test) {
                (Asked::Question(QuestionKind::YesNo { .. }), Test::Is(_)) => Ok(()),
                (Asked::Question(QuestionKind::OneOf(opts)), Test::IsOption(c))
                | (Asked::Question(QuestionKind::SomeOf(opts)), Test::Includes(c)) => {
                    if opts.iter().any(|o| &o.code == c) {
                        Ok(())
                    } else {
                        Err(format!("{name} has no option {c:?}"))
                    }
                }
                (Asked::Question(QuestionKind::SomeOf(_)), Test::Empty(_)) => Ok(()),
                (
                    Asked::Question(QuestionKind::Bands { .. }) | Asked::Input,
                    Test::Below(_) | Test::AtMost(_) | Test::AtLeast(_) | Test::Above(_),
                ) => Ok(()),
                _ => Err(format!("this test does not fit the answer to {name}")),
            };
            fits.map_err(|m| cx.err(sp.span(), key, m))?;
            Ok(Condition::Answer {
                key: name.clone(),
                test,
            })
        }
        (None, Some(c)) => {
            let Some(criteria) = criteria else {
                return Err(cx.err(
                    c.span(),
                    key,
                    "a question's `when` tests an answer, not a criterion",
                ));
            };
            if !criteria.iter().any(|x| &x.code == c.get_ref()) {
                return Err(cx.err(
                    c.span(),
                    key,
                    format!("no criterion {:?} in this card", c.get_ref()),
                ));
            }
            if !matches!(
                test,
                Test::Below(_) | Test::AtMost(_) | Test::AtLeast(_) | Test::Above(_)
            ) {
                return Err(cx.err(
                    sp.span(),
                    key,
                    "a criterion is tested with below, at_most, at_least or above",
                ));
            }
            Ok(Condition::Criterion {
                code: c.get_ref().clone(),
                test,
            })
        }
        _ => Err(at(sp.span(), "names either `answer` or `criterion`")),
    }
}

#[cfg(test)]
pub(crate) mod tests;
