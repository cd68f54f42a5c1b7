//! The rating pane drawn with ratatui's TestBackend at 80x24, colour, monochrome and ASCII
//! (insta snapshots with styles), its keys (days, months, views, forms), refusals, and the
//! live refresh when another connection records a sale.

mod common;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use common::tui::*;
use coopdesk::config::Security;
use coopdesk::domain::rating::Ukp;
use coopdesk::domain::{Money, Role};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::rating::{PlanRow, SaleRow};
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
use std::path::Path;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn u(s: &str) -> Ukp {
    Ukp::parse(s).unwrap()
}

fn sale(id: &str, date: &str, m: i64, product: &str, ukp: &str) -> SaleRow {
    SaleRow {
        external_id: id.into(),
        date: day(date),
        manager_id: m,
        product: product.into(),
        member_id: None,
        amount: Money::from_rubles(100_000),
        ukp: u(ukp),
    }
}

/// Two offices, four managers (one without a plan), a head; November's sales and plans,
/// October's too (for the year view), scores for one manager, calls and meetings today.
fn cooperative(path: &Path) {
    let mut s = Store::open(path).unwrap();
    let t = at("2026-01-05 09:00");
    s.add_office("t", "TSK", "Офис на Ленина", "Томск", t)
        .unwrap();
    s.add_office("t", "NSK", "Новосибирск", "Новосибирск", t)
        .unwrap();
    let mut ids = Vec::new();
    for (login, name, office, role) in [
        ("ivanova", "Иванова Анна Сергеевна", "TSK", Role::Manager),
        (
            "petrov",
            "Петров Дмитрий Александрович",
            "TSK",
            Role::Manager,
        ),
        (
            "belova",
            "Белова Екатерина Михайловна",
            "NSK",
            Role::Manager,
        ),
        ("novak", "Новак Олег Петрович", "NSK", Role::Manager),
        ("nop", "Соколова Ирина Викторовна", "TSK", Role::Head),
    ] {
        ids.push(
            s.add_staff("t", login, name, office, &[role], hash(), t)
                .unwrap(),
        );
    }
    let (iv, pe, be, no) = (ids[0], ids[1], ids[2], ids[3]);
    let plans: Vec<PlanRow> = [(iv, "12"), (pe, "10"), (be, "8")]
        .iter()
        .flat_map(|(id, p)| {
            ["2026-10-01", "2026-11-01"].map(|m| PlanRow {
                month: day(m),
                staff_id: *id,
                ukp: u(p),
            })
        })
        .collect();
    s.import_plans("import:t", &plans, t).unwrap();
    let rows = vec![
        sale("1", "2026-10-12", iv, "housing", "2"),
        sale("2", "2026-10-20", pe, "consumer", "1"),
        sale("3", "2026-10-21", be, "business", "1.5"),
        sale("4", "2026-11-02", iv, "housing", "2"),
        sale("5", "2026-11-05", iv, "consumer", "1"),
        sale("6", "2026-11-09", pe, "business", "1.5"),
        sale("7", "2026-11-12", be, "savings", "1"),
        sale("8", "2026-11-16", pe, "housing", "2"),
        sale("9", "2026-11-18", iv, "service", "0.5"),
        sale("10", "2026-11-19", be, "housing", "2"),
        sale("11", "2026-11-20", no, "consumer", "1"),
        sale("12", "2026-11-20", pe, "consumer", "1"),
        sale("13", "2026-11-23", be, "consumer", "1"),
        sale("14", "2026-11-23", be, "savings", "1"),
    ];
    s.import_sales("import:t", &rows, at("2026-11-23 08:00"))
        .unwrap();
    let head = s.actor_by_login("nop").unwrap();
    s.set_scores(
        &head,
        iv,
        day("2026-11-01"),
        coopdesk::domain::rating::Scores {
            quality: 9,
            activity: 7,
            discipline: 10,
            time: 8,
        },
        at("2026-11-23 08:00"),
    )
    .unwrap();
    s.demo_contacts(&[
        (be, at("2026-11-23 09:10"), "call"),
        (be, at("2026-11-23 09:20"), "call"),
        (be, at("2026-11-23 10:00"), "meeting"),
        (iv, at("2026-11-23 09:30"), "call"),
    ])
    .unwrap();
}

fn app(path: &Path, mono: bool, ascii: bool) -> App {
    let clock = Clock {
        today: day("2026-11-23"),
        fixed: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
    };
    App::new(
        Store::open(path).unwrap(),
        Rules::builtin(),
        Catalog::builtin("ru"),
        Theme::new(mono, ascii),
        clock,
        Security::default(),
    )
}

fn opened(dir: &tempfile::TempDir, who: &str, mono: bool, ascii: bool) -> App {
    let path = dir.path().join("r.db");
    if !path.exists() {
        cooperative(&path);
    }
    let mut a = app(&path, mono, ascii);
    login(&mut a, who);
    typ(&mut a, "3");
    a
}

#[test]
fn the_rating_in_colour_mono_and_ascii() {
    let dir = tempfile::tempdir().unwrap();
    for (name, mono, ascii) in [
        ("rating_color", false, false),
        ("rating_mono", true, false),
        ("rating_ascii", false, true),
    ] {
        let mut a = opened(&dir, "nop", mono, ascii);
        let s = screen(&mut a);
        if ascii {
            let t = text(&mut a);
            assert!(
                t.chars()
                    .all(|c| c.is_ascii() || ('А'..='я').contains(&c) || "Ёё\n".contains(c)),
                "non-ASCII symbol in ASCII mode:\n{t}"
            );
        }
        insta::assert_snapshot!(name, s);
    }
}

#[test]
fn ranks_bars_detail_total_and_sparkline() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = opened(&dir, "nop", false, false);
    let t = text(&mut a);
    // Белова 5 of 8 = 62.5 %; Петров 4.5 of 10 = 45 %; Иванова 3.5 of 12 = 29.16 %; Новак no plan.
    let line = |needle: &str| {
        t.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} in\n{t}"))
            .to_string()
    };
    assert!(line("Белова").contains("  1  +1 "), "{t}");
    assert!(line("Белова").contains("62.5"), "{t}");
    assert!(
        line("Белова").contains("2/1"),
        "calls and meetings today:\n{t}"
    );
    assert!(line("Петров").contains("  2  -1 "), "{t}");
    assert!(line("Новак").contains("нет плана"), "{t}");
    assert!(t.contains("УКП по дням:"), "{t}");
    // The detail of the first row: УКП by product.
    assert!(t.contains("Сбер 2/2.00"), "{t}");
    // Down twice: Иванова, whose scores give a bonus: 20 000 × 0.6 × 1 × 0.95 × 1 × 0.95.
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    let t = text(&mut a);
    assert!(t.contains("премия 20 000,00 → 10 830,00"), "{t}");
    // The cooperative's total on `t`: 14 of 30 = 46.66 %.
    typ(&mut a, "t");
    let t = text(&mut a);
    assert!(
        t.contains("Кооператив: УКП 14.00 из 30.00 = 46.66 %"),
        "{t}"
    );
}

#[test]
fn days_months_and_views() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = opened(&dir, "nop", false, false);
    // Tomorrow is not there yet: → stays on the business date.
    press(&mut a, KeyCode::Right);
    assert!(text(&mut a).contains("пн 23.11.2026"));
    // ← to Sunday the 22nd: the 23rd's sales are gone, Петров leads.
    press(&mut a, KeyCode::Left);
    let t = text(&mut a);
    assert!(t.contains("вс 22.11.2026"), "{t}");
    assert!(
        t.lines()
            .find(|l| l.contains("Петров"))
            .unwrap()
            .contains("  1 "),
        "{t}"
    );
    // PgUp: October, the 22nd; PgUp again: September — no plans at all.
    press(&mut a, KeyCode::PageUp);
    assert!(text(&mut a).contains("чт 22.10.2026 · октябрь"));
    press(&mut a, KeyCode::PageUp);
    let t = text(&mut a);
    assert!(t.contains("сентябрь"), "{t}");
    assert!(
        t.contains("Нет ни менеджеров, ни продаж") || t.contains("нет плана"),
        "{t}"
    );
    press(&mut a, KeyCode::Home);
    assert!(text(&mut a).contains("пн 23.11.2026"));

    typ(&mut a, "v");
    let t = text(&mut a);
    assert!(t.contains("офисы"), "{t}");
    // NSK 6 of 8 (75 %: Новак has no plan but his sale counts) before TSK 8 of 22.
    assert!(
        t.lines()
            .find(|l| l.contains("Новосибирск"))
            .unwrap()
            .contains("  1 "),
        "{t}"
    );
    insta::assert_snapshot!("rating_offices", screen(&mut a));

    typ(&mut a, "v");
    let t = text(&mut a);
    assert!(t.contains("год"), "{t}");
    insta::assert_snapshot!("rating_year_mono", {
        let mut m = opened(&dir, "nop", true, false);
        typ(&mut m, "vv");
        screen(&mut m)
    });
    // October: Белова 1.5 of 8 = 18.75 % beats Иванова 2 of 12 and Петров 1 of 10.
    let oct = t.lines().find(|l| l.contains("\"октябрь")).unwrap();
    assert!(oct.contains("Белова"), "{t}");
    let nov = t.lines().find(|l| l.contains("\"ноябрь")).unwrap();
    assert!(nov.contains("Белова"), "{t}");
    // The year so far: Белова 6.5 of 16 = 40.62 %; Петров 5.5 of 20; Иванова 5.5 of 24.
    let top: Vec<&str> = t
        .lines()
        .filter(|l| {
            l.trim_start_matches(['"', ' '])
                .starts_with(['1', '2', '3'])
                && l.contains(". ")
        })
        .collect();
    assert!(
        top[0].contains("Белова") && top[1].contains("Петров") && top[2].contains("Иванова"),
        "{t}"
    );
}

#[test]
fn a_head_sets_a_plan_and_scores_and_a_manager_may_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = opened(&dir, "nop", false, false);
    // Новак, last (no plan).
    for _ in 0..3 {
        press(&mut a, KeyCode::Down);
    }
    typ(&mut a, "p");
    let t = text(&mut a);
    assert!(t.contains("План, УКП: Новак Олег Петрович, 11.2026"), "{t}");
    typ(&mut a, "1,005");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("не больше двух знаков"), "{t}");
    insta::assert_snapshot!("rating_plan_error", screen(&mut a));
    for _ in 0..5 {
        press(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "4");
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(t.contains("План сохранён."), "{t}");
    // 1 of 4 = 25 %.
    assert!(
        t.lines()
            .find(|l| l.contains("Новак"))
            .unwrap()
            .contains("25.0"),
        "{t}"
    );

    typ(&mut a, "c");
    for v in ["9", "9", "11", "9"] {
        typ(&mut a, v);
        press(&mut a, KeyCode::Tab);
    }
    press(&mut a, KeyCode::F(2));
    assert!(text(&mut a).contains("целое число от 1 до 10"));
    press(&mut a, KeyCode::Esc);
    // Typed data: Esc asks first.
    assert!(text(&mut a).contains("Закрыть без сохранения?"));
    press(&mut a, KeyCode::Enter);
    assert!(!text(&mut a).contains("Оценки 1–10"));

    let mut m = opened(&dir, "petrov", false, false);
    typ(&mut m, "p");
    assert!(text(&mut m).contains("руководитель"), "{}", text(&mut m));
}

#[test]
fn a_manager_records_a_sale_from_the_pane() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    cooperative(&path);
    Store::open(&path)
        .unwrap()
        .conn()
        .execute(
            "INSERT INTO members(member_no, status, last_name, first_name, birth_date, passport, office_id, created_at)
             VALUES ('000042', 'member', 'Иванов', 'Пётр', '1980-01-01', '4500000042', 1, '2026-10-01 09:00:00')",
            [],
        )
        .unwrap();
    let mut a = app(&path, false, false);
    login(&mut a, "ivanova");
    typ(&mut a, "3");
    typ(&mut a, "n");
    let t = text(&mut a);
    assert!(t.contains("Продажа: сбережения или доп. услуга"), "{t}");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "000099");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right); // the service
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "500");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("нет пайщика № 000099"), "{t}");
    // The focus is on the refused field, what was typed still there.
    assert!(t.contains("000099"), "{t}");
    for _ in 0..6 {
        press(&mut a, KeyCode::Backspace);
    }
    typ(&mut a, "000042");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("Продажа записана."), "{t}");
    // Иванова: 3.5 + 0.5 = 4.00.
    assert!(
        t.lines()
            .find(|l| l.contains("Иванова"))
            .unwrap()
            .contains("4.00"),
        "{t}"
    );
}

#[test]
fn the_open_pane_refreshes_when_another_desk_records_a_sale() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = opened(&dir, "nop", false, false);
    // The first poll only notes the database's version.
    a.tick();
    let before = text(&mut a);
    assert!(
        before
            .lines()
            .find(|l| l.contains("Новак"))
            .unwrap()
            .contains("1.00")
    );
    // Nothing changed: the poll finds nothing to redraw.
    a.rating.last_poll = None;
    assert!(!a.tick());
    // Another process records a sale for Новак.
    let mut other = Store::open(&dir.path().join("r.db")).unwrap();
    let novak = other.actor_by_login("novak").unwrap().staff_id;
    other
        .import_sales(
            "import:other",
            &[sale("x", "2026-11-23", novak, "housing", "2")],
            at("2026-11-23 12:00"),
        )
        .unwrap();
    // Within a second of the last poll nothing is asked; then the change is seen.
    assert!(!a.tick());
    a.rating.last_poll = None;
    assert!(a.tick(), "the pane notices the other connection's commit");
    let after = text(&mut a);
    assert!(
        after
            .lines()
            .find(|l| l.contains("Новак"))
            .unwrap()
            .contains("3.00"),
        "{after}"
    );
    // Not shown: no polling at all.
    typ(&mut a, "1");
    a.rating.last_poll = None;
    assert!(!a.tick());
}
