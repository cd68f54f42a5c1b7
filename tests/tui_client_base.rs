//! The client-base pane drawn with TestBackend at 80×24, compared with insta snapshots (styles
//! included, so a lost highlight of a breached norm shows) in colour, monochrome and ASCII.

mod common;
use common::tui::*;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use coopdesk::config::Security;
use coopdesk::domain::client_base::months_back;
use coopdesk::domain::{Money, Role};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::client_base::{By, ProfileChange, TurnoverRow};
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
use rusqlite::params;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at() -> NaiveDateTime {
    today().and_hms_opt(9, 0, 0).unwrap()
}

/// Two universal managers (one over the maximum, one fine), a dealers' manager under the
/// minimum, an analyst and a director; clients with turnover, one idle, one non-core.
fn app(dir: &tempfile::TempDir, mono: bool, ascii: bool) -> App {
    let rules = Rules::builtin();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let office = store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at())
        .unwrap();
    for (login, name, role) in [
        ("ivanova", "Иванова Анна", Role::Manager),
        ("petrov", "Петров Олег", Role::Manager),
        ("sidorov", "Сидоров Пётр", Role::Manager),
        ("mka", "Орлова Светлана", Role::Analyst),
        ("dp", "Григорьев Виктор", Role::Director),
    ] {
        store
            .add_staff("test", login, name, "TSK", &[role], hash(), at())
            .unwrap();
    }
    for (login, spec) in [
        ("ivanova", "universal"),
        ("petrov", "universal"),
        ("sidorov", "dealers"),
    ] {
        store
            .set_staff_profile(
                By::Operator("test"),
                login,
                &ProfileChange {
                    specialization: Some(Some(spec.into())),
                    novice_since: Some(Some(NaiveDate::from_ymd_opt(2022, 3, 1).unwrap())),
                    ..Default::default()
                },
                &rules.client_base,
                today(),
                at(),
            )
            .unwrap();
    }
    let staff = |login: &str| store.actor_by_login(login).unwrap().staff_id;
    let (iv, pe, si) = (staff("ivanova"), staff("petrov"), staff("sidorov"));
    let surnames = [
        "Абрамов",
        "Белов",
        "Власов",
        "Гусев",
        "Данилов",
        "Егоров",
        "Жуков",
        "Зуев",
        "Исаев",
        "Котов",
        "Лапин",
        "Мухин",
        "Носов",
        "Орлов",
        "Попов",
        "Рыбин",
        "Сомов",
        "Титов",
        "Уткин",
        "Фомин",
        "Хомов",
        "Цветков",
        "Чернов",
        "Шубин",
        "Щукин",
        "Юдин",
        "Яковлев",
    ];
    let mut n = 0;
    let mut turnover = Vec::new();
    let mut add = |manager: Option<i64>, group: &str, monthly: i64, store: &Store| {
        n += 1;
        store
            .conn()
            .execute(
                "INSERT INTO members(member_no, status, last_name, first_name, birth_date, passport,
                     office_id, manager_id, created_at, potential, client_group, territory, assigned_since)
                 VALUES (?1, 'member', ?2, 'Иван', '1980-01-01', ?1, ?3, ?4, '2024-01-01 10:00:00',
                     ?5, ?6, 'Томск', '2024-01-01')",
                params![
                    format!("{n:06}"),
                    format!("{} {}", surnames[n % surnames.len()], n),
                    office,
                    manager,
                    ["S", "A", "B", "C"][n % 4],
                    group
                ],
            )
            .unwrap();
        let id = store.conn().last_insert_rowid();
        for k in 0..8 {
            turnover.push(TurnoverRow {
                member_id: id,
                month: months_back(today(), k),
                amount: Money::from_rubles(monthly),
            });
        }
    };
    for i in 0..42 {
        add(
            Some(iv),
            "installers",
            if i % 3 == 0 { 10_000 } else { 40_000 },
            &store,
        );
    }
    for i in 0..25 {
        let group = if i == 0 { "dealers" } else { "distributors" };
        add(Some(pe), group, if i == 1 { 0 } else { 60_000 }, &store);
    }
    for _ in 0..8 {
        add(Some(si), "dealers", 400_000, &store);
    }
    for _ in 0..5 {
        add(None, "infrastructure", 25_000, &store);
    }
    store.import_turnover("test", &turnover, at()).unwrap();
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
fn managers_against_their_norms_in_colour_mono_and_ascii() {
    for (name, mono, ascii) in [
        ("cb_managers_color", false, false),
        ("cb_managers_mono", true, false),
        ("cb_managers_ascii", true, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, mono, ascii);
        login(&mut a, "mka");
        press(&mut a, KeyCode::Char('4'));
        let s = screen(&mut a);
        if ascii {
            assert!(
                !s.contains('│') && !s.contains('─'),
                "ASCII draws no line characters"
            );
        }
        insta::assert_snapshot!(name, s);
    }
}

#[test]
fn the_breaches_of_the_selected_manager_are_explained_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "mka");
    press(&mut a, KeyCode::Char('4'));
    let t = text(&mut a);
    // Иванова: 42 units against at most 40.
    assert!(t.contains("в базе 42 при норме не более 40"), "{t}");
    press(&mut a, KeyCode::Down);
    let t = text(&mut a);
    // Петров: one dealer — non-core for a universal manager.
    assert!(t.contains("непрофильных 1 при норме не более 0"), "{t}");
    press(&mut a, KeyCode::Down);
    let t = text(&mut a);
    // Сидоров: 8 dealers against at least 15.
    assert!(t.contains("в базе 8 при норме не менее 15"), "{t}");
}

#[test]
fn a_base_with_its_flags_and_the_transfer_form() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "mka");
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("cb_base_mono", screen(&mut a));
    press(&mut a, KeyCode::Char('t'));
    // No memo: refused, the field named, the form stays.
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(
        t.contains("Служебная записка: обязательное поле") || t.contains("Служебная записка"),
        "{t}"
    );
    insta::assert_snapshot!("cb_transfer_form_mono", screen(&mut a));
}

#[test]
fn a_forbidden_change_is_refused_in_the_rules_words_and_the_typing_stays() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "mka");
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Char('a'));
    // The first manager offered is Иванова, already at 42 of 40: over the maximum is
    // recorded for the director; choose Сидоров (dealers), who must not take infrastructure.
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    let t = text(&mut a);
    assert!(t.contains("Сидоров Пётр"), "{t}");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "СЗ 7");
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(
        t.contains("непрофильных клиентов станет 1 при норме не более 0"),
        "{t}"
    );
    assert!(t.contains("СЗ 7"), "what was typed stays: {t}");
    insta::assert_snapshot!("cb_refused_color", screen(&mut a));
}

#[test]
fn the_director_sees_the_requests_with_what_the_norms_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, true);
    login(&mut a, "mka");
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Char('a'));
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "СЗ 12 от 20.11");
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(t.contains("отправлен директору"), "{t}");
    press(&mut a, KeyCode::Char('z'));
    insta::assert_snapshot!("cb_requests_ascii", screen(&mut a));
}

#[test]
fn a_head_sets_a_managers_profile_in_the_pane() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "mka");
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('e'));
    // The analyst may look but not save: refused by the store, the form stays.
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(t.contains("Профиль менеджера: Иванова Анна"), "{t}");
    assert!(
        t.contains("руководитель офиса"),
        "the refusal names who may: {t}"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "dp");
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Char('e'));
    for _ in 0..2 {
        press(&mut a, KeyCode::Tab);
    }
    for _ in 0..10 {
        press(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "31.02.2026");
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(
        t.contains("Новичок с (дата): дата в виде ДД.ММ.ГГГГ"),
        "{t}"
    );
    insta::assert_snapshot!("cb_profile_error_mono", screen(&mut a));
    for _ in 0..10 {
        press(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "01.09.2026");
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(t.contains("Профиль сотрудника ivanova обновлён"), "{t}");
    // A novice since September: 42 units against at most 40, and the novices' cold calls.
    assert!(t.contains("новичок"), "{t}");
    assert!(
        t.contains("холодных звонков 0 при норме не менее 100"),
        "{t}"
    );
}
