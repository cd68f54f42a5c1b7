//! Screens drawn with ratatui's TestBackend and compared with insta snapshots at 80x24 in
//! colour, monochrome and ASCII. The snapshots include styles, so a lost highlight shows.

mod common;
use common::tui::*;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use coopdesk::config::Security;
use coopdesk::domain::Role;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::applications::ImportRow;
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(day: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn input(last: &str, first: &str, passport: &str, product: &str, amount: &str) -> ApplicationInput {
    ApplicationInput {
        last_name: last.into(),
        first_name: first.into(),
        patronymic: "Петрович".into(),
        birth_date: "14.03.1985".into(),
        passport: passport.into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 924 811-16-71".into(),
        income: "65000".into(),
        product: product.into(),
        amount: amount.into(),
        term_months: "24".into(),
        ..Default::default()
    }
}

/// A database with one office, four people and a few applications, and an App on it.
fn app(dir: &tempfile::TempDir, mono: bool, ascii: bool) -> App {
    let rules = Rules::builtin();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at(1, 9))
        .unwrap();
    for (login, name, role) in [
        ("man", "Сидорова Ольга", Role::Manager),
        ("insp", "Кузнецов Игорь", Role::Inspector),
        ("cash", "Орлова Нина", Role::Cashier),
    ] {
        store
            .add_staff("test", login, name, "TSK", &[role], hash(), at(1, 9))
            .unwrap();
    }
    let office = store.office_by_code("TSK").unwrap().unwrap().id;
    let rows: Vec<ImportRow> = [
        (
            "w1",
            input("Иванов", "Пётр", "4509 123456", "consumer", "150000"),
            20,
        ),
        (
            "w2",
            input("Смирнова", "Анна", "4510 654321", "housing", "1200000"),
            22,
        ),
        (
            "w3",
            input("Ёлкин", "Семён", "4511 111111", "business", "300000.50"),
            23,
        ),
    ]
    .into_iter()
    .map(|(id, i, _)| ImportRow {
        external_id: id.into(),
        office_id: office,
        data: draft::validate(&i, &rules.products, today()).unwrap(),
    })
    .collect();
    store
        .import_applications("import:test", &rows[..1], at(18, 10), |_| {})
        .unwrap();
    store
        .import_applications("import:test", &rows[1..], at(23, 9), |_| {})
        .unwrap();
    let clock = Clock {
        today: today(),
        fixed: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
    };
    App::new(
        store,
        rules,
        Catalog::builtin("ru"),
        Theme::new(mono, ascii),
        clock,
        Security::default(),
    )
}

#[test]
fn login_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    insta::assert_snapshot!("login_color", screen_at(&mut a, 80, 24));
    typ(&mut a, "man");
    press(&mut a, KeyCode::Enter);
    typ(&mut a, "wrong");
    press(&mut a, KeyCode::Enter);
    assert!(a.actor.is_none());
    insta::assert_snapshot!("login_wrong_password_mono", screen_at(&mut { a }, 80, 24));
}

#[test]
fn journal_in_colour_mono_and_ascii() {
    for (name, mono, ascii) in [
        ("journal_color", false, false),
        ("journal_mono", true, false),
        ("journal_ascii", true, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, mono, ascii);
        login(&mut a, "man");
        let s = screen_at(&mut a, 80, 24);
        if ascii {
            assert!(
                !s.contains('│') && !s.contains('─'),
                "ASCII mode draws no line characters"
            );
        }
        insta::assert_snapshot!(name, s);
    }
}

#[test]
fn journal_marks_late_applications() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    let t = text(&mut a);
    // Imported on Wednesday 18th at 10:00, still new on Monday 23rd: over its 1 working day.
    let line = t.lines().find(|l| l.contains("Иванов")).unwrap();
    assert!(line.contains('!'), "late row is marked: {line}");
    let line = t.lines().find(|l| l.contains("Смирнова")).unwrap();
    assert!(!line.contains('!'), "today's row is not late: {line}");
}

#[test]
fn dialog_tabs_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    press(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("dialog_borrower", screen_at(&mut a, 80, 24));
    // Break the passport and save: the field is marked, the typed text stays.
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "9");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("4509 1234569"), "what was typed stays:\n{t}");
    assert!(t.contains("серия — 4 цифры"), "the reason is shown:\n{t}");
    insta::assert_snapshot!("dialog_error", screen_at(&mut a, 80, 24));
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::PageDown);
    insta::assert_snapshot!("dialog_checks", screen_at(&mut a, 80, 24));
}

#[test]
fn help_lists_the_keys_of_the_pane() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, true);
    login(&mut a, "man");
    typ(&mut a, "?");
    insta::assert_snapshot!("help_ascii", screen_at(&mut a, 80, 24));
}

#[test]
fn refused_step_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "cash");
    typ(&mut a, "s");
    let t = text(&mut a);
    assert!(t.contains("этот шаг выполняет кредитный менеджер"), "{t}");
}

#[test]
fn search_as_you_type_folds_yo() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    typ(&mut a, "/");
    typ(&mut a, "елк");
    let t = text(&mut a);
    assert!(t.contains("Ёлкин"), "{t}");
    assert!(!t.contains("Иванов"), "{t}");
    insta::assert_snapshot!("search", screen_at(&mut a, 80, 24));
}

#[test]
fn small_and_large_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    let small = {
        let mut t = Terminal::new(TestBackend::new(60, 20)).unwrap();
        t.draw(|f| a.draw(f)).unwrap();
        t.backend().to_string()
    };
    assert!(small.contains("80×24"), "{small}");
    let big = {
        let mut t = Terminal::new(TestBackend::new(160, 50)).unwrap();
        t.draw(|f| a.draw(f)).unwrap();
        t.backend().to_string()
    };
    assert!(
        big.contains("Потребительский заём"),
        "wide tables show full product names"
    );
}

#[test]
fn every_pane_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    for pane in ["1", "2", "3", "4"] {
        typ(&mut a, pane);
        assert!(!text(&mut a).contains("ещё не готова"), "pane {pane}");
    }
}

/// The same App with the shipped scorecard active.
fn scored_app(dir: &tempfile::TempDir, mono: bool) -> App {
    let mut a = app(dir, mono, false);
    a.rules.scorecard = coopdesk::scorecards::load_active("default", None, None).unwrap();
    a
}

#[test]
fn scoring_tab_shows_total_category_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = scored_app(&dir, false);
    login(&mut a, "man");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::PageDown);
    let t = text(&mut a);
    // Age comes from the birth date (14.03.1985, applied 18.11.2026): 41, never typed.
    assert!(t.contains("41"), "{t}");
    assert!(
        t.contains("Категория 3"),
        "an unanswered card is category 3:\n{t}"
    );
    assert!(t.contains("принудительно"), "and says why:\n{t}");
    insta::assert_snapshot!("scoring_color", screen_at(&mut a, 80, 24));
    // Answer the first question; the total moves with it.
    let before = t.lines().find(|l| l.contains("Итого")).unwrap().to_string();
    for _ in 0..3 {
        press(&mut a, KeyCode::Right);
        press(&mut a, KeyCode::Tab);
    }
    let after = text(&mut a);
    assert!(a.top_dialog().unwrap().dirty());
    insta::assert_snapshot!("scoring_answered_mono", {
        let mut b = scored_app(&tempfile::tempdir().unwrap(), true);
        login(&mut b, "man");
        press(&mut b, KeyCode::Enter);
        press(&mut b, KeyCode::PageDown);
        press(&mut b, KeyCode::PageDown);
        screen_at(&mut b, 80, 24)
    });
    let _ = (before, after);
}

#[test]
fn checking_needs_a_score_when_a_card_is_active() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = scored_app(&dir, false);
    login(&mut a, "man");
    typ(&mut a, "s");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(t.contains("не оценена по скоринговой карте"), "{t}");
}

#[test]
fn loan_tab_calculates_and_shows_the_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::PageDown);
    let t = text(&mut a);
    // 150 000 at 24 % for 24 months, annuity: 150000 × 0.02 / (1 − 1.02^−24) = 7 930,66.
    assert!(t.contains("Платёж в месяц: 7 930,66"), "{t}");
    insta::assert_snapshot!("loan_calculator", screen_at(&mut a, 80, 24));
    press(&mut a, KeyCode::F(3));
    press(&mut a, KeyCode::End);
    let t = text(&mut a);
    assert!(t.contains("24 "), "the last month is listed:\n{t}");
    assert!(t.contains("0,00"), "the balance ends at zero:\n{t}");
    press(&mut a, KeyCode::Esc);
    assert!(!text(&mut a).contains("График платежей"));
}
