//! Hostile input (issue 9 §7): property tests with proptest over the field validators, the
//! config, rules, scorecard and catalog loaders, and every import, driven as a user does —
//! a file on disk, the import behind `coopdesk import …` on a real database in a temp dir.
//!
//! Properties: nothing panics; an import either takes the whole file or changes nothing
//! (a digest of every table before and after), and leaves the database whole; a refusal names
//! the file, the line and the field; a loader's error names the file and the line; a value a
//! validator accepts comes back the same through its display form.
//!
//! `cargo test --test hostile` runs a short run of each target; `COOPDESK_FUZZ_CASES=1000000`
//! sets the cases of every target for the long run (use `--release`).

#[path = "common/hostile.rs"]
mod hostile;
use hostile::*;

use coopdesk::cli::{self, Context, Failure};
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::member::{self, ContactInput, ContactKind, MemberInput, MemberQuery};
use coopdesk::domain::money::Money;
use coopdesk::domain::validate as v;
use coopdesk::domain::validate::FieldError;
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::tomlfile::FileError;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn ru() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::builtin("ru"))
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(Rules::builtin)
}

/// Run `test` over `strategy` for `cases` (CI default) cases; a failure shows the shrunk input.
fn run<S: Strategy>(
    name: &str,
    ci: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut cfg = config(ci);
    cfg.source_file = Some(file!());
    let mut runner = TestRunner::new(cfg);
    let started = std::time::Instant::now();
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    let n = cases(ci);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "hostile {name}: {n} cases in {secs:.1} s ({:.0}/s)",
        f64::from(n) / secs.max(1e-9)
    );
}

/// A rejection names its field: the field has a label in the catalog and the reason is a key
/// the catalog knows.
fn names_field(e: &FieldError, known: &[&str]) -> Result<(), TestCaseError> {
    let cat = ru();
    prop_assert!(
        known.contains(&e.field),
        "refused field {:?} is not one of the form's fields",
        e.field
    );
    prop_assert!(cat_has_label(e), "no label for field {:?}", e.field);
    prop_assert!(cat.has(e.reason), "no text for reason {:?}", e.reason);
    let text = coopdesk::store::field_error_text(cat, e);
    prop_assert!(!text.contains("{detail}"), "unfilled reason: {text}");
    Ok(())
}

// ----- 1. field validators -----------------------------------------------------------------

#[test]
fn validators_never_panic_and_round_trip() {
    let today = today();
    run(
        "validators",
        2048,
        (hostile_text(), hostile_text()),
        |(s, t)| {
            if let Ok(d) = v::passport(&s) {
                prop_assert!(d.len() == 10 && d.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(v::passport(&v::passport_display(&d)), Ok(d.clone()));
                let _ = member::mask_passport(&d);
            }
            if let Ok(p) = v::phone(&s) {
                prop_assert_eq!(v::phone(&v::phone_display(&p)), Ok(p.clone()));
                prop_assert_eq!(v::phone(&p), Ok(p.clone()));
                let _ = member::mask_phone(&p);
            }
            if let Ok(n) = v::name(&s, true) {
                prop_assert_eq!(v::name(&n, true), Ok(n.clone()));
            }
            if let Ok(d) = v::date(&s) {
                prop_assert_eq!(v::date(&d.format("%Y-%m-%d").to_string()), Ok(d));
                let _ = member::mask_birth_date(d);
                if let Ok(b) = v::birth_date(&s, today) {
                    prop_assert!(b <= today);
                    prop_assert!((18..=100).contains(&v::age_on(b, today)));
                }
            }
            for required in [true, false] {
                if let Ok(m) = v::money(&s, required) {
                    prop_assert_eq!(Money::parse(&m.plain()), Ok(m));
                    prop_assert_eq!(Money::parse(&m.grouped()), Ok(m));
                    prop_assert_eq!(Money::from_kopecks(m.kopecks()), m);
                }
            }
            if let Ok(e) = v::email(&s) {
                prop_assert_eq!(v::email(&e), Ok(e.clone()));
            }
            if let Ok(x) = v::text(&s, false, 200) {
                prop_assert_eq!(v::text(&x, false, 200), Ok(x.clone()));
                let _ = member::mask_address(&x);
            }
            if let Ok(n) = v::whole_number(&s) {
                prop_assert_eq!(v::whole_number(&n.to_string()), Ok(n));
            }
            let _ = v::fold(&s);
            let q = MemberQuery::parse(&s);
            let _ = (q.is_empty(), q.phone_variants(), q.member_no());
            let _ = member::prefix_end(&member::fold(&s));
            if let Ok(u) = coopdesk::domain::rating::Ukp::parse(&s) {
                prop_assert_eq!(
                    coopdesk::domain::rating::Ukp::parse(&u.decimal().to_string()),
                    Ok(u)
                );
            }
            let _ = coopdesk::domain::rating::parse_month(&s);
            let _ = coopdesk::domain::rating::parse_score(&s);
            let _ = member::MemberStatus::parse(&s);

            for r in [
                member::validate_voluntary_share(&s, &t),
                member::validate_voluntary_share(&t, &s),
            ] {
                for e in r.err().unwrap_or_default() {
                    names_field(&e, &["share_amount", "receipt_no"])?;
                }
            }
            if let Err(es) = member::validate_exit(&s, &t, today) {
                for e in es {
                    names_field(&e, &["exit_date", "exit_reason"])?;
                }
            }
            Ok(())
        },
    );
}

/// Every field of the application form, in the form's order: the borrower's, then the
/// loan's — taken from the form's own lists, so a new field is fuzzed without a change here.
const APPLICATION_FIELDS: [&str; draft::BORROWER_FIELDS.len() + draft::LOAN_FIELDS.len()] = {
    let mut out = [""; draft::BORROWER_FIELDS.len() + draft::LOAN_FIELDS.len()];
    let mut i = 0;
    while i < draft::BORROWER_FIELDS.len() {
        out[i] = draft::BORROWER_FIELDS[i];
        i += 1;
    }
    let mut j = 0;
    while j < draft::LOAN_FIELDS.len() {
        out[i + j] = draft::LOAN_FIELDS[j];
        j += 1;
    }
    out
};

/// A value for `field` that is mostly right, so that whole forms pass now and then.
fn plausible(field: &'static str) -> BoxedStrategy<String> {
    let s = |v: &[&'static str]| prop::sample::select(v.to_vec()).prop_map(str::to_string);
    match field {
        "last_name" | "first_name" | "patronymic" | "guarantor" => {
            s(&["Иванов", "Пётр", "Ёлкина-Щукина", "O'Neil", "Анна Мария"]).boxed()
        }
        "birth_date" => s(&["14.03.1985", "1970-01-01", "23.11.2008", "2006-11-24"]).boxed(),
        "passport" => re("[0-9]{4} [0-9]{6}"),
        "phone" => s(&["8 924 811-16-71", "+7 (913) 016-78-90", "+380441234567"]).boxed(),
        "email" => s(&["", "a@b.ru", "ivanov@mail.ru"]).boxed(),
        "income" | "expenses" | "payments" | "deductions" | "amount" => {
            re("[0-9]{1,7}([.,][0-9]{1,2})?")
        }
        "product" => s(&["consumer", "housing", "business"]).boxed(),
        "term_months" => re("[0-9]{1,2}"),
        "passport_issued_on" => s(&["", "01.02.2010"]).boxed(),
        "client_group" => s(&["", "distributors", "dealers", "chains"]).boxed(),
        _ => s(&["", "г. Томск, ул. Ленина, 1", "ремонт"]).boxed(),
    }
}

/// Each field plausible or hostile.
fn form(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<(&'static str, String)>> {
    fields
        .iter()
        .map(|f| {
            prop_oneof![3 => plausible(f), 1 => hostile_text()]
                .prop_map(move |v| (*f, v))
                .boxed()
        })
        .collect::<Vec<_>>()
}

#[test]
fn application_form_never_panics_and_names_the_field() {
    let today = today();
    run(
        "application_form",
        1024,
        form(&APPLICATION_FIELDS),
        |fields| {
            let mut input = ApplicationInput::default();
            for (f, val) in &fields {
                input.set(f, val.clone());
            }
            match draft::validate(&input, &rules().products, today) {
                Ok(data) => {
                    // What was accepted is accepted again as shown.
                    prop_assert_eq!(
                        v::passport(&v::passport_display(&data.borrower.passport)),
                        Ok(data.borrower.passport.clone())
                    );
                    let _ = draft::missing_for_check(&data.borrower);
                }
                Err(es) => {
                    prop_assert!(!es.is_empty());
                    for e in &es {
                        names_field(e, &APPLICATION_FIELDS)?;
                    }
                }
            }
            Ok(())
        },
    );
}

#[test]
fn member_edit_and_contacts_never_panic_and_name_the_field() {
    let today = today();
    run(
        "member_forms",
        1024,
        (
            form(&member::EDIT_FIELDS),
            prop::collection::vec(hostile_text(), 7),
        ),
        |(fields, c)| {
            let mut input = MemberInput::default();
            for (f, val) in &fields {
                input.set(f, val.clone());
            }
            if let Err(es) = member::validate_member(&input, today) {
                for e in &es {
                    names_field(e, &member::EDIT_FIELDS)?;
                }
            }
            let ci = ContactInput {
                direction: c[0].clone(),
                outcome: c[1].clone(),
                temperature: c[2].clone(),
                duration: c[3].clone(),
                promise_date: c[4].clone(),
                promise_amount: c[5].clone(),
                comment: c[6].clone(),
            };
            for kind in [
                ContactKind::Call,
                ContactKind::Meeting,
                ContactKind::Comment,
            ] {
                if let Err(es) = member::validate_contact(kind, &ci, today) {
                    for e in &es {
                        prop_assert!(cat_has_label(e), "no label for {:?}", e.field);
                        prop_assert!(ru().has(e.reason), "no text for {:?}", e.reason);
                    }
                }
            }
            Ok(())
        },
    );
}

fn cat_has_label(e: &FieldError) -> bool {
    let cat = ru();
    ["field", "member.field", "rating.field"]
        .iter()
        .any(|p| cat.has(&format!("{p}.{}", e.field)))
}

// ----- 2. config, rules, scorecard and catalog loaders -------------------------------------

/// A shipped TOML file changed the way a hurried editor changes it.
#[derive(Clone, Debug)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Replace the n-th number in the file.
    Number(usize, String),
    /// Replace the n-th quoted string's contents.
    Quoted(usize, String),
    InsertLine(usize, String),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let idx = 0usize..400;
    let number = prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("-0".to_string()),
        Just("1.5".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("\"12\"".to_string()),
        Just("\"-5\"".to_string()),
        Just("99999999999999999999".to_string()),
        Just("9223372036854775807".to_string()),
        Just("4294967296".to_string()),
        Just("\"79228162514264337593543950335\"".to_string()),
        Just("\"0.001\"".to_string()),
        Just("\"1e3\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("true".to_string()),
        Just("1979-05-27".to_string()),
        re("-?[0-9]{1,25}(\\.[0-9]{1,5})?"),
    ];
    let line = prop_oneof![
        hostile_text(),
        re("[a-z_]{1,12} = (-?[0-9]{1,6}|\"[^\"\n]{0,12}\"|true|\\[\\])"),
        re("\\[\\[?[a-z_.]{1,12}\\]\\]?"),
    ];
    prop_oneof![
        idx.clone().prop_map(Edit::DeleteLine),
        idx.clone().prop_map(Edit::DuplicateLine),
        (idx.clone(), idx.clone()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        (idx.clone(), number).prop_map(|(i, n)| Edit::Number(i, n)),
        (idx.clone(), hostile_text()).prop_map(|(i, s)| Edit::Quoted(i, s)),
        (idx.clone(), line).prop_map(|(i, l)| Edit::InsertLine(i, l)),
        (0usize..60_000).prop_map(Edit::Truncate),
    ]
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match e {
            Edit::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Edit::DuplicateLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            Edit::Number(k, with) => {
                let text = lines.join("\n");
                let spans: Vec<(usize, usize)> = number_spans(&text);
                if !spans.is_empty() {
                    let (s, t) = spans[k % spans.len()];
                    let text = format!("{}{}{}", &text[..s], with, &text[t..]);
                    lines = text.lines().map(str::to_string).collect();
                }
            }
            Edit::Quoted(k, with) => {
                let text = lines.join("\n");
                let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
                if quotes.len() >= 2 {
                    let pairs = quotes.len() / 2;
                    let p = k % pairs;
                    let (s, t) = (quotes[2 * p] + 1, quotes[2 * p + 1]);
                    let text = format!("{}{}{}", &text[..s], with, &text[t..]);
                    lines = text.lines().map(str::to_string).collect();
                }
            }
            Edit::InsertLine(i, l) => lines.insert(i % (lines.len() + 1), l.clone()),
            Edit::Truncate(at) => {
                let text = lines.join("\n");
                let mut cut = at % (text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines = text[..cut].lines().map(str::to_string).collect();
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// Byte ranges of the runs of digits (with a sign and a point) in `text`.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let s = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let mut t = i;
            while t < b.len() && (b[t].is_ascii_digit() || b[t] == b'.' || b[t] == b'_') {
                t += 1;
            }
            out.push((s, t));
            i = t;
        } else {
            i += 1;
        }
    }
    out
}

/// The text of a file to load: the shipped one edited, or something else altogether.
fn toml_text(shipped: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::collection::vec(edit(), 1..5).prop_map(move |es| apply(shipped, &es)),
        1 => any::<String>(),
        1 => prop::collection::vec(
            prop_oneof![
                re("[a-z_]{1,10} = [^\n]{0,20}"),
                re("\\[[a-z_.]{0,10}\\]"),
                re("\\[\\[[a-z_.]{0,10}\\]\\]"),
                hostile_text(),
            ],
            0..12
        )
        .prop_map(|ls| ls.join("\n")),
    ]
}

/// A loader's error names the file, and a line inside it.
fn names_file_and_line(
    e: &FileError,
    file: &str,
    src: &str,
    shipped_ok: bool,
) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(!e.file.is_empty(), "no file in {shown:?}");
    prop_assert!(e.line >= 1, "no line in {shown:?}");
    prop_assert!(
        shown.starts_with(&format!("{}:{}:", e.file, e.line)),
        "{shown:?}"
    );
    if e.file == file {
        prop_assert!(
            e.line <= src.lines().count() + 1,
            "line {} past the end of {file} ({} lines): {shown}",
            e.line,
            src.lines().count()
        );
    } else {
        // Another file of the set: only a shipped one, refusing what the edit took away.
        prop_assert!(
            shipped_ok && e.file.starts_with("assets/"),
            "the error names {:?}, not {file:?}: {shown}",
            e.file
        );
    }
    Ok(())
}

const RULE_FILES: [(&str, &str); 5] = [
    ("products.toml", coopdesk::rules::PRODUCTS_TOML),
    ("queue.toml", coopdesk::rules::QUEUE_TOML),
    ("calendar.toml", coopdesk::rules::CALENDAR_TOML),
    (
        "client_base.toml",
        coopdesk::client_base_rules::CLIENT_BASE_TOML,
    ),
    ("rating.toml", coopdesk::rules::rating::RATING_TOML),
];

/// Rules that load are usable at their extremes: a loan issued (its sale's УКП), the rating's
/// КП and bonus at the largest plan, base and scores, a schedule at each product's limits.
fn usable(rules: &Rules) {
    use coopdesk::domain::rating::{Scores, Ukp};
    use rust_decimal::Decimal;
    for p in &rules.products {
        let _ = Ukp::from_decimal(p.ukp).unwrap_or_default();
        let _ = (p.ukp * Decimal::ONE_HUNDRED).round();
        for amount in [p.min_amount, p.max_amount] {
            for term in [p.min_term_months, p.max_term_months] {
                let _ = coopdesk::domain::calculator::schedule(amount, p.rate, term, p.schedule);
            }
        }
    }
    let r = &rules.rating;
    let big = Ukp(1_000_000_000_000);
    for (done, plan) in [(big, Ukp(1)), (Ukp(1), big), (big, big), (Ukp(0), Ukp(0))] {
        let kp = r.kp(done, plan).unwrap_or_default();
        for s in [1, 5, 10] {
            let scores = Scores {
                quality: s,
                activity: s,
                discipline: s,
                time: s,
            };
            let _ = r.bonus(Money::from_rubles(1_000_000_000_000), kp, scores);
            for b in &r.bonus_base {
                let _ = r.bonus(b.amount, kp, scores);
            }
        }
    }
}

/// Found by `rules_files_edited_badly_are_refused_with_file_and_line`: a rating.toml with an
/// enormous УКП, КП band or coefficient loaded, then overflowed Decimal (a panic) when a loan
/// was issued or a bonus computed. Now each is refused by file, line and key.
#[test]
fn enormous_rating_numbers_are_refused_by_line() {
    let huge = "\"79228162514264337593543950335\"";
    for (key, from, to) in [
        ("ukp.housing", "housing = \"", format!("housing = {huge} #")),
        ("plan_band.from", "from = \"100\"", format!("from = {huge}")),
        (
            "plan_band.coefficient",
            "coefficient = \"1\"",
            format!("coefficient = {huge}"),
        ),
    ] {
        let src = coopdesk::rules::rating::RATING_TOML.replacen(from, &to, 1);
        assert_ne!(src, coopdesk::rules::rating::RATING_TOML, "{key}");
        let mut products = rules().products.clone();
        let e = coopdesk::rules::rating::parse("rating.toml", &src, &mut products)
            .err()
            .unwrap_or_else(|| panic!("{key}: accepted"));
        let line = src.lines().position(|l| l.contains(huge)).unwrap() + 1;
        assert_eq!((e.key.as_str(), e.line), (key, line), "{e}");
    }
    // And a УКП that does get through never overflows the conversion.
    assert_eq!(
        coopdesk::domain::rating::Ukp::from_decimal(rust_decimal::Decimal::MAX),
        None
    );
}

#[test]
fn rules_files_edited_badly_are_refused_with_file_and_line() {
    let dir = scratch_dir();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    let strategy = (0..RULE_FILES.len()).prop_flat_map(|i| (Just(i), toml_text(RULE_FILES[i].1)));
    run("rules", 512, strategy, |(i, src)| {
        let rules_dir = dir.path().join("rules");
        for (name, _) in RULE_FILES {
            let _ = std::fs::remove_file(rules_dir.join(name));
        }
        let path = rules_dir.join(RULE_FILES[i].0);
        std::fs::write(&path, &src).unwrap();
        match Rules::load(Some(dir.path())) {
            Ok(rules) => usable(&rules),
            Err(e) => names_file_and_line(&e, &path.display().to_string(), &src, true)?,
        }
        // The parsers the loader calls, on the text alone.
        match i {
            3 => {
                if let Err(e) = coopdesk::client_base_rules::parse("cb.toml", &src) {
                    names_file_and_line(&e, "cb.toml", &src, false)?;
                }
            }
            4 => {
                let mut products = rules().products.clone();
                if let Err(e) = coopdesk::rules::rating::parse("r.toml", &src, &mut products) {
                    names_file_and_line(&e, "r.toml", &src, false)?;
                }
            }
            _ => {}
        }
        Ok(())
    });
}

#[test]
fn config_edited_badly_is_refused_with_file_and_line() {
    static EXAMPLE: &str = include_str!("../config.example.toml");
    let dir = scratch_dir();
    let path = dir.path().join("config.toml");
    run("config", 512, toml_text(EXAMPLE), |src| {
        std::fs::write(&path, &src).unwrap();
        let file = path.display().to_string();
        match coopdesk::config::Config::load(Some(&path)) {
            Ok((cfg, _)) => {
                // What load_context does next with the config's own text.
                if !cfg.queue.time_limits.is_empty()
                    && let Err(e) =
                        coopdesk::rules::parse_time_limits(&file, &src, &cfg.queue.time_limits)
                {
                    names_file_and_line(&e, &file, &src, false)?;
                }
                if let Err(e) = coopdesk::scorecards::load_version(
                    &cfg.scoring.card,
                    Some(cfg.scoring.version).filter(|v| *v > 0),
                    None,
                    Some((&file, &src)),
                ) {
                    names_file_and_line(&e, &file, &src, true)?;
                }
            }
            Err(e) => names_file_and_line(&e, &file, &src, false)?,
        }
        Ok(())
    });
}

#[test]
fn scorecards_edited_badly_are_refused_with_file_and_line() {
    static CARD: &str = include_str!("../assets/scorecards/default.toml");
    run("scorecard", 512, toml_text(CARD), |src| {
        if let Err(e) = coopdesk::scorecards::parse("card.toml", &src) {
            names_file_and_line(&e, "card.toml", &src, false)?;
        }
        Ok(())
    });
}

#[test]
fn catalogs_edited_badly_are_refused_with_file_and_line() {
    static EN: &str = include_str!("../assets/i18n/en.toml");
    let dir = scratch_dir();
    std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
    let path = dir.path().join("i18n").join("en.toml");
    run("catalog", 256, toml_text(EN), |src| {
        std::fs::write(&path, &src).unwrap();
        match Catalog::load("en", Some(dir.path())) {
            Ok(cat) => {
                // Every text is usable, however it was edited.
                let _ = cat.f(
                    "cli.import_bad_row",
                    &[
                        ("file", "f"),
                        ("line", "1"),
                        ("field", "x"),
                        ("reason", "y"),
                    ],
                );
                let _ = cat.t("ui.yes_keys");
            }
            Err(e) => names_file_and_line(&e, &path.display().to_string(), &src, false)?,
        }
        Ok(())
    });
}

// ----- 3. imports -----------------------------------------------------------------------------

/// One import command: its columns, a mostly-valid value for each, and the function behind
/// `coopdesk import KIND FILE`.
struct Import {
    kind: &'static str,
    columns: Vec<&'static str>,
    run: fn(&Context, &Path) -> Result<(), Failure>,
    /// The key column and the query that finds an imported row by it.
    key: Option<(&'static str, &'static str)>,
}

fn imports() -> Vec<Import> {
    vec![
        Import {
            kind: "applications",
            columns: cli::import::COLUMNS.to_vec(),
            run: cli::import::applications,
            key: Some((
                "external_id",
                "SELECT count(*) FROM applications WHERE external_id = ?1",
            )),
        },
        Import {
            kind: "members",
            columns: cli::members::MEMBER_COLUMNS.to_vec(),
            run: cli::members::import_members,
            key: Some((
                "member_no",
                "SELECT count(*) FROM members WHERE member_no = ?1",
            )),
        },
        Import {
            kind: "loans",
            columns: cli::members::LOAN_COLUMNS.to_vec(),
            run: cli::members::import_loans,
            key: Some((
                "contract_no",
                "SELECT count(*) FROM loans WHERE contract_no = ?1",
            )),
        },
        Import {
            kind: "sales",
            columns: vec![
                "external_id",
                "date",
                "manager",
                "product",
                "member_no",
                "amount",
            ],
            run: cli::rating::import_sales,
            key: Some((
                "external_id",
                "SELECT count(*) FROM sales WHERE external_id = ?1",
            )),
        },
        Import {
            kind: "plans",
            columns: vec!["month", "manager", "ukp"],
            run: cli::rating::import_plans,
            key: None,
        },
        Import {
            kind: "turnover",
            columns: vec!["client", "month", "amount"],
            run: cli::client_base::import_turnover,
            key: None,
        },
        Import {
            kind: "assignments",
            columns: vec!["client", "manager", "since"],
            run: cli::client_base::import_assignments,
            key: None,
        },
    ]
}

/// What the demo database holds that an import file may name.
struct Known {
    members: Vec<String>,
    managers: Vec<String>,
}

fn known() -> &'static Known {
    static K: OnceLock<Known> = OnceLock::new();
    K.get_or_init(|| {
        let conn = rusqlite::Connection::open(demo_template()).unwrap();
        let col = |sql: &str| -> Vec<String> {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        Known {
            members: col("SELECT member_no FROM members WHERE member_no IS NOT NULL LIMIT 30"),
            managers: col(
                "SELECT DISTINCT s.login FROM staff s JOIN staff_roles r ON r.staff_id = s.id
                 WHERE r.role IN ('manager','cashier') ORDER BY s.login",
            ),
        }
    })
}

/// A value for `column` of a `kind` file that is mostly right.
fn column_value(kind: &'static str, column: &'static str) -> BoxedStrategy<String> {
    let k = known();
    let pick = |v: Vec<String>| prop::sample::select(v).boxed();
    let s = |v: &[&'static str]| prop::sample::select(v.to_vec()).prop_map(str::to_string);
    match (kind, column) {
        (_, "external_id") | (_, "contract_no") => re("[a-z]{0,2}[0-9]{1,3}"),
        ("members", "member_no") => prop_oneof![pick(k.members.clone()), re("[0-9]{6}")].boxed(),
        (_, "member_no") | (_, "client") => pick(k.members.clone()),
        (_, "manager") => {
            prop_oneof![5 => pick(k.managers.clone()), 1 => Just(String::new())].boxed()
        }
        (_, "office") => s(&["TSK", "SEV", "KRS"]).boxed(),
        ("members", "status") => s(&["member", "candidate", "left"]).boxed(),
        (_, "joined_on") | (_, "issued_on") | (_, "date") | (_, "since") => {
            s(&["2026-11-02", "01.03.2024", "2025-12-31", "2026-11-23"]).boxed()
        }
        (_, "overdue_since") => s(&["", "2026-10-01"]).boxed(),
        (_, "month") => s(&["2026-11", "2026-10", "11.2026", "2026-09-15"]).boxed(),
        (_, "ukp") => re("[0-9]{1,3}([.,][0-9]{1,2})?"),
        ("sales", "product") => s(&["consumer", "savings", "service", "housing"]).boxed(),
        (_, "rate") => s(&["18", "21.5", "0"]).boxed(),
        (_, "balance") | (_, "overdue_amount") => re("[0-9]{1,6}"),
        (_, "term_months") => s(&["12", "24", "36"]).boxed(),
        (_, "amount") => re("[0-9]{3,6}([.,][0-9]{2})?"),
        (_, "territory") | (_, "related_group") | (_, "potential") => {
            s(&["", "Томск", "группа 1"]).boxed()
        }
        _ => plausible(column),
    }
}

/// How a file is spoilt on top of its rows.
#[derive(Clone, Debug)]
enum Spoil {
    None,
    Bom,
    Crlf,
    DropColumn(usize),
    RenameColumn(usize, String),
    ExtraColumn(String),
    DuplicateRow(usize),
    ShortRow(usize),
    LongRow(usize),
    Truncate(usize),
    /// A byte that is not UTF-8.
    Byte(usize, u8),
    StrayQuote(usize),
    /// The same key twice in one JSON object.
    DuplicateKey(usize),
    NumbersUnquoted,
}

fn spoil() -> impl Strategy<Value = Spoil> {
    let i = 0usize..64;
    prop_oneof![
        6 => Just(Spoil::None),
        1 => Just(Spoil::Bom),
        1 => Just(Spoil::Crlf),
        1 => i.clone().prop_map(Spoil::DropColumn),
        1 => (i.clone(), hostile_text()).prop_map(|(i, s)| Spoil::RenameColumn(i, s)),
        1 => hostile_text().prop_map(Spoil::ExtraColumn),
        2 => i.clone().prop_map(Spoil::DuplicateRow),
        1 => i.clone().prop_map(Spoil::ShortRow),
        1 => i.clone().prop_map(Spoil::LongRow),
        1 => (0usize..4000).prop_map(Spoil::Truncate),
        1 => (0usize..4000, prop_oneof![Just(0xFFu8), Just(0xC3), Just(0x80), Just(0)])
            .prop_map(|(i, b)| Spoil::Byte(i, b)),
        1 => (0usize..4000).prop_map(Spoil::StrayQuote),
        1 => i.clone().prop_map(Spoil::DuplicateKey),
        1 => Just(Spoil::NumbersUnquoted),
    ]
}

#[derive(Clone, Debug)]
struct HostileFile {
    name: &'static str,
    bytes: Vec<u8>,
}

/// A whole file for `imp`: rows mostly valid, some fields hostile, then spoilt.
fn file(imp: &Import) -> BoxedStrategy<HostileFile> {
    let kind = imp.kind;
    let cols = imp.columns.clone();
    let ncols = cols.len();
    let row = (
        cols.iter()
            .map(|c| column_value(kind, c))
            .collect::<Vec<_>>(),
        prop_oneof![
            3 => Just(vec![]),
            2 => prop::collection::vec((0..ncols, hostile_text()), 1..3),
        ],
    )
        .prop_map(|(mut vals, hostile)| {
            for (i, h) in hostile {
                vals[i] = h;
            }
            vals
        });
    let shaped = (
        prop::collection::vec(row, 0..8),
        spoil(),
        spoil(),
        prop_oneof![3 => Just("csv"), 2 => Just("json"), 1 => Just("txt")],
    )
        .prop_map(move |(rows, a, b, fmt)| {
            let bytes = render(&cols, rows, fmt == "json", &[a, b]);
            HostileFile {
                name: match fmt {
                    "csv" => "in.csv",
                    "json" => "in.json",
                    _ => "in.txt",
                },
                bytes,
            }
        });
    prop_oneof![
        12 => shaped,
        1 => any::<Vec<u8>>().prop_map(|bytes| HostileFile { name: "in.csv", bytes }),
        1 => any::<String>().prop_map(|s| HostileFile { name: "in.json", bytes: format!("[{s}").into_bytes() }),
    ]
    .boxed()
}

fn render(cols: &[&str], mut rows: Vec<Vec<String>>, json: bool, spoils: &[Spoil]) -> Vec<u8> {
    let mut header: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    let mut unquoted = false;
    let mut dup_key = None;
    for s in spoils {
        match s {
            Spoil::DropColumn(i) if !header.is_empty() => {
                let i = i % header.len();
                header.remove(i);
                for r in &mut rows {
                    if i < r.len() {
                        r.remove(i);
                    }
                }
            }
            Spoil::RenameColumn(i, to) if !header.is_empty() => {
                let i = i % header.len();
                header[i] = to.clone();
            }
            Spoil::ExtraColumn(name) => {
                header.push(name.clone());
                for r in &mut rows {
                    r.push("x".into());
                }
            }
            Spoil::DuplicateRow(i) if !rows.is_empty() => {
                let r = rows[i % rows.len()].clone();
                rows.push(r);
            }
            Spoil::ShortRow(i) if !rows.is_empty() => {
                let n = rows.len();
                rows[i % n].pop();
            }
            Spoil::LongRow(i) if !rows.is_empty() => {
                let n = rows.len();
                rows[i % n].push("лишнее".into());
            }
            Spoil::NumbersUnquoted => unquoted = true,
            Spoil::DuplicateKey(i) => dup_key = Some(*i),
            _ => {}
        }
    }
    let mut text = if json {
        let mut out = String::from("[\n");
        for (ri, r) in rows.iter().enumerate() {
            let mut fields = Vec::new();
            for (h, val) in header.iter().zip(r) {
                let v = if unquoted && val.parse::<f64>().is_ok() && !val.contains(['\n', ' ']) {
                    val.clone()
                } else if val == "null" {
                    "null".to_string()
                } else {
                    serde_json::to_string(val).unwrap()
                };
                fields.push(format!("{}: {v}", serde_json::to_string(h).unwrap()));
            }
            if let Some(k) = dup_key
                && k % rows.len() == ri
                && !fields.is_empty()
            {
                let f = fields[k % fields.len()].clone();
                fields.push(f);
            }
            out.push_str(&format!("  {{{}}}", fields.join(", ")));
            out.push_str(if ri + 1 < rows.len() { ",\n" } else { "\n" });
        }
        out.push(']');
        out
    } else {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        w.write_record(&header).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    let mut bytes;
    for s in spoils {
        match s {
            Spoil::Bom => text.insert(0, '\u{feff}'),
            Spoil::Crlf => text = text.replace('\n', "\r\n"),
            Spoil::StrayQuote(at) => {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert(at, '"');
            }
            _ => {}
        }
    }
    bytes = text.into_bytes();
    for s in spoils {
        match s {
            Spoil::Truncate(at) => bytes.truncate(at % (bytes.len() + 1)),
            Spoil::Byte(at, b) => {
                let at = at % (bytes.len() + 1);
                bytes.insert(at, *b);
            }
            _ => {}
        }
    }
    bytes
}

/// The whole import property for one kind of file. Each case is the real import — its own
/// `Store::open` on the file, its own transaction — on the demo database; a case that wrote
/// is checked in full and the demo put back (see [`Workbench`]).
fn import_target(kind: &'static str, ci: u32) {
    let imp = imports().into_iter().find(|i| i.kind == kind).unwrap();
    let bench = std::cell::RefCell::new(Workbench::new());
    let (db, dir) = {
        let b = bench.borrow();
        (b.db.clone(), b.dir().to_path_buf())
    };
    let ctx = context(&db);
    let outcomes = std::cell::Cell::new((0u32, 0u32));
    let strategy = file(&imp);
    run(&format!("import_{kind}"), ci, strategy, |f| {
        let mut bench = bench.borrow_mut();
        let path: PathBuf = dir.join(f.name);
        std::fs::write(&path, &f.bytes).unwrap();
        let result = (imp.run)(&ctx, &path);
        let wrote = bench.wrote();
        outcomes.set(match &result {
            Ok(()) => (outcomes.get().0 + 1, outcomes.get().1),
            Err(_) => (outcomes.get().0, outcomes.get().1 + 1),
        });
        let checked = (|| {
            match &result {
                Ok(()) => {
                    // The whole file went in: every row's key is there.
                    if let (Some((col, sql)), Ok(src)) = (imp.key, std::str::from_utf8(&f.bytes)) {
                        let recs = cli::import::read_records(&path, src).unwrap();
                        for r in &recs {
                            let key = r.fields.get(col).map(|s| s.trim()).unwrap_or("");
                            let n: i64 = bench.conn().query_row(sql, [key], |x| x.get(0)).unwrap();
                            prop_assert!(
                                n == 1,
                                "{kind}: accepted, but {col} {key:?} is not there"
                            );
                        }
                    }
                }
                Err(Failure::Store(m)) => {
                    prop_assert!(false, "{kind}: a database error reached the user: {m}");
                }
                Err(Failure::Refused(_) | Failure::Setup(_)) => {
                    prop_assert!(
                        bench.unchanged(wrote),
                        "{kind}: refused, but the database changed"
                    );
                }
            }
            if wrote {
                let broken = bench.newly_broken();
                prop_assert!(broken.is_empty(), "{kind}: {broken:?}");
            }
            Ok(())
        })();
        // Every case starts on the demo, so that a failure shrinks to its own file.
        if wrote {
            bench.restore();
        }
        checked
    });
    let (taken, refused) = outcomes.get();
    let restored = bench.borrow().restored;
    eprintln!(
        "hostile import_{kind}: {taken} files taken, {refused} refused; {restored} wrote to the database"
    );
}

#[test]
fn import_applications_all_or_nothing() {
    import_target("applications", 64);
}

#[test]
fn import_members_all_or_nothing() {
    import_target("members", 64);
}

#[test]
fn import_loans_all_or_nothing() {
    import_target("loans", 64);
}

#[test]
fn import_sales_all_or_nothing() {
    import_target("sales", 64);
}

#[test]
fn import_plans_all_or_nothing() {
    import_target("plans", 64);
}

#[test]
fn import_turnover_all_or_nothing() {
    import_target("turnover", 64);
}

#[test]
fn import_assignments_all_or_nothing() {
    import_target("assignments", 64);
}

/// The real binary, as a clerk runs it: a refused file is named with the line and the field
/// of each problem (or the line of a broken CSV/JSON), the exit code says refused, and
/// nothing panics. Fewer cases: each one starts a process.
#[test]
fn import_refusals_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let home = dir.path().join("home");
    let all = imports();
    let strategy = (0..all.len()).prop_flat_map(|i| (Just(i), file(&all[i])));
    run("import_messages", 24, strategy, |(i, f)| {
        let imp = &all[i];
        let path = dir.path().join(f.name);
        std::fs::write(&path, &f.bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&db)
            .args(["--today", "2026-11-23", "import", imp.kind])
            .arg(&path)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("USER", "tester")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        prop_assert!(
            matches!(code, Some(0..=2)),
            "{}: exit {code:?}: {stderr}",
            imp.kind
        );
        if code == Some(0) {
            return Ok(());
        }
        let name = path.display().to_string();
        prop_assert!(
            stderr.contains(&name),
            "{}: file not named: {stderr}",
            imp.kind
        );
        let named_row = imp
            .columns
            .iter()
            .chain(&["client_group", "status"])
            .any(|c| {
                stderr.split(&format!("{name}:")).skip(1).any(|rest| {
                    let digits = rest.chars().take_while(char::is_ascii_digit).count();
                    digits > 0 && rest[digits..].starts_with(&format!(": {c}: "))
                })
            });
        let missing_column = stderr.contains("нет столбца");
        // A file that is not CSV/JSON, or not UTF-8: the line where it breaks.
        let named_line = stderr.split(&format!("{name}:")).skip(1).any(|rest| {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with(": ")
        });
        let parse_line = stderr.contains("line");
        prop_assert!(
            named_row || missing_column || named_line || parse_line,
            "{}: no line and field named: {stderr}",
            imp.kind
        );
        Ok(())
    });
}

/// Found by `import_members_all_or_nothing`: a members file could turn a member admitted
/// through an application back into a candidate (or drop the join date), breaking the
/// application's chain. Such a row is now refused by line and field, and nothing is written.
#[test]
fn a_members_file_cannot_undo_an_admission() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let ctx = context(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (no, last, first, birth, passport, office): (String, String, String, String, String, String) = conn
        .query_row(
            "SELECT m.member_no, m.last_name, m.first_name, m.birth_date, m.passport, o.code
             FROM applications a JOIN members m ON m.id = a.member_id JOIN offices o ON o.id = m.office_id
             WHERE a.status IN ('member','authorized','archived') LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    drop(conn);
    let before = content_hash(&db);
    for (status, joined) in [("candidate", ""), ("left", "")] {
        let path = dir.path().join("m.csv");
        std::fs::write(
            &path,
            format!(
                "member_no,last_name,first_name,birth_date,passport,status,joined_on,office\n\
                 {no},{last},{first},{birth},{passport},{status},{joined},{office}\n"
            ),
        )
        .unwrap();
        let r = cli::members::import_members(&ctx, &path);
        assert!(matches!(r, Err(Failure::Refused(_))), "{status}: {r:?}");
        assert_eq!(content_hash(&db), before, "{status}: nothing written");
    }
}

/// Found by `import_refusals_name_file_line_and_field`: a file in cp1251 (an old accounting
/// system's export) was refused as a setup error (exit 2) with only "stream did not contain
/// valid UTF-8". Now it is a refused file (exit 1) naming the line of the first foreign byte.
#[test]
fn a_file_not_in_utf8_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let ctx = context(&db);
    let path = dir.path().join("sales.csv");
    // "Иванов" in cp1251 on the third line.
    let mut bytes =
        b"external_id,date,manager,product,amount\ns1,2026-11-02,ivanova,consumer,100\n".to_vec();
    bytes.extend_from_slice(b"s2,2026-11-02,ivanova,consumer,100,\xc8\xe2\xe0\xed\xee\xe2\n");
    std::fs::write(&path, &bytes).unwrap();
    let before = content_hash(&db);
    match cli::rating::import_sales(&ctx, &path) {
        Err(Failure::Refused(m)) => {
            assert!(m.starts_with(&format!("{}:3: ", path.display())), "{m}");
            assert!(m.contains("UTF-8"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(content_hash(&db), before);
}

/// The long runs trust `PRAGMA data_version` to tell whether a case wrote (see
/// [`Workbench`]): a commit from another connection is noticed, a rolled-back write is not a
/// change, and putting the demo back restores the digest.
#[test]
fn the_workbench_notices_every_commit_and_puts_the_demo_back() {
    let mut bench = Workbench::new();
    assert!(!bench.wrote());
    let other = rusqlite::Connection::open(&bench.db).unwrap();
    other
        .execute_batch("BEGIN; UPDATE offices SET city = 'X'; ROLLBACK;")
        .unwrap();
    assert!(!bench.wrote(), "a rollback is no change");
    other
        .execute("UPDATE offices SET city = city || 'X'", [])
        .unwrap();
    assert!(bench.wrote(), "a commit from another connection");
    assert!(!bench.unchanged(true));
    bench.restore();
    assert!(!bench.wrote());
    assert_eq!(bench.hash(), bench.template_hash);
    let n: i64 = other
        .query_row(
            "SELECT count(*) FROM offices WHERE city LIKE '%X'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "the other connection sees the demo again");
}

/// Found by `import_members_all_or_nothing` (the first long run): a members file could give a
/// client another manager without a change of assignment in the history, so the client's
/// manager and its history disagreed. The change is now in the history, reason `import`.
#[test]
fn a_members_file_that_changes_the_manager_records_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(dir.path());
    let ctx = context(&db);
    let baseline = broken(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (id, no, last, first, birth, passport, office): (
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
    ) = conn
        .query_row(
            "SELECT m.id, m.member_no, m.last_name, m.first_name, m.birth_date, m.passport, o.code
             FROM members m JOIN offices o ON o.id = m.office_id
             WHERE m.member_no IS NOT NULL AND m.status = 'member'
               AND EXISTS (SELECT 1 FROM assignment_history h WHERE h.member_id = m.id)
             ORDER BY m.id LIMIT 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .unwrap();
    let (to_id, to_login): (i64, String) = conn
        .query_row(
            "SELECT s.id, s.login FROM staff s JOIN staff_roles r ON r.staff_id = s.id
             WHERE r.role = 'manager' AND s.id IS NOT (SELECT manager_id FROM members WHERE id = ?1)
             ORDER BY s.id LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(
        &path,
        format!(
            "member_no,last_name,first_name,birth_date,passport,status,joined_on,office,manager\n\
             {no},{last},{first},{birth},{passport},member,2024-01-10,{office},{to_login}\n"
        ),
    )
    .unwrap();
    cli::members::import_members(&ctx, &path).unwrap();
    let (to, reason): (i64, String) = conn
        .query_row(
            "SELECT to_staff_id, reason FROM assignment_history WHERE member_id = ?1
             ORDER BY id DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((to, reason.as_str()), (to_id, "import"));
    assert_eq!(newly_broken(&db, &baseline), vec![]);
}
