//! Printing from the desk, drawn with ratatui's TestBackend at 80x24 in colour, monochrome and
//! ASCII: the menu of documents that fit the selected application, the preview, the print
//! (file written, path in the message line) and the print in the dialog's history.

mod common;
use common::tui::*;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use coopdesk::config::Security;
use coopdesk::docs::print::PrintSettings;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::{Role, Status};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::applications::{CheckOutcome, StepInput};
use coopdesk::store::staff::hash_password;
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::time::Duration;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(day: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn input() -> ApplicationInput {
    ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        patronymic: "Петрович".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        passport_issued_by: "ОУФМС России по Томской обл.".into(),
        passport_issued_on: "20.04.2005".into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        fact_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 924 811-16-71".into(),
        income: "65000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "12".into(),
        purpose: "ремонт".into(),
        guarantor: "Сидорова Анна Петровна".into(),
        ..Default::default()
    }
}

/// One application taken to `to` by the right people, and an App on its database that
/// prints into `dir/documents` with `command`.
fn app(dir: &tempfile::TempDir, to: Status, mono: bool, ascii: bool, command: &str) -> App {
    let rules = Rules::builtin();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at(1, 9))
        .unwrap();
    let hash = hash_password("password1").unwrap();
    for (login, name, role) in [
        ("man", "Сидорова Ольга", Role::Manager),
        ("insp", "Кузнецов Игорь", Role::Inspector),
        ("cash", "Орлова Нина", Role::Cashier),
    ] {
        store
            .add_staff("test", login, name, "TSK", &[role], &hash, at(1, 9))
            .unwrap();
    }
    let (m, i, c) = (
        store.actor_by_login("man").unwrap(),
        store.actor_by_login("insp").unwrap(),
        store.actor_by_login("cash").unwrap(),
    );
    let data = draft::validate(&input(), &rules.products, today()).unwrap();
    let id = store
        .create_application(&m, &data, m.office_id, at(20, 10))
        .unwrap()
        .id;
    let checks: Vec<_> = rules
        .checks
        .iter()
        .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
        .collect();
    store
        .save_checks(&m, id, &checks, None, &rules, at(20, 11))
        .unwrap();
    let steps = [
        (&m, Status::Checked, StepInput::None, at(20, 12)),
        (&i, Status::Candidate, StepInput::None, at(20, 15)),
        (
            &c,
            Status::Member,
            StepInput::Fees {
                entrance_receipt: "КВ-17".into(),
                share_receipt: "КВ-18".into(),
            },
            at(23, 9),
        ),
        (&m, Status::Authorized, StepInput::None, at(23, 10)),
        (
            &m,
            Status::Archived,
            StepInput::Contract {
                contract_no: String::new(),
                issue_date: today(),
            },
            at(23, 11),
        ),
    ];
    for (by, st, inp, t) in steps {
        if store.application(id).unwrap().status >= to {
            break;
        }
        let v = store.application(id).unwrap().version;
        store.transition(by, id, v, st, &inp, &rules, t).unwrap();
    }
    let clock = Clock {
        today: today(),
        fixed: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
    };
    let mut app = App::new(
        store,
        rules,
        Catalog::builtin("ru"),
        Theme::new(mono, ascii),
        clock,
        Security::default(),
    );
    app.print = PrintSettings {
        dir: dir.path().join("documents"),
        command: command.into(),
        timeout: Duration::from_secs(5),
        assets_dir: None,
    };
    login(&mut app, "man");
    // The journal shows open applications; `v` shows all, an archived one among them.
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Char('/'));
    typ(&mut app, "2026-000001");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.queue.selected().map(|r| r.status), Some(to));
    app
}

/// Move the menu's cursor to the document named `title`.
fn choose(app: &mut App, title: &str) {
    press(app, KeyCode::Home);
    for _ in 0..12 {
        let t = text(app);
        if t.lines()
            .any(|l| l.contains(title) && (l.contains('▶') || l.contains('>')))
        {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("no «{title}» in the menu:\n{}", text(app));
}

#[test]
fn the_print_menu_offers_what_fits_the_status() {
    for (name, mono, ascii) in [
        ("menu_colour", false, false),
        ("menu_mono", true, false),
        ("menu_ascii", false, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, Status::Authorized, mono, ascii, "");
        press(&mut a, KeyCode::Char('p'));
        insta::assert_snapshot!(name, screen(&mut a));
    }
    // After the issue the contract, its agreement and the cash order come; the draft goes.
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, Status::Archived, false, false, "");
    press(&mut a, KeyCode::Char('p'));
    let t = text(&mut a);
    for title in [
        "Договор займа с графиком платежей",
        "Договор поручительства",
        "РКО: выдача займа",
    ] {
        assert!(t.contains(title), "{title}:\n{t}");
    }
    assert!(!t.contains("Проект договора"), "{t}");
    assert!(
        !t.contains("Договор залога"),
        "no collateral was given:\n{t}"
    );
    press(&mut a, KeyCode::Esc);
    assert!(!text(&mut a).contains("Документы 2026-000001"));
}

#[test]
fn the_preview_shows_the_document_and_scrolls() {
    for (name, mono, ascii) in [
        ("preview_colour", false, false),
        ("preview_mono", true, false),
        ("preview_ascii", false, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, Status::Authorized, mono, ascii, "");
        press(&mut a, KeyCode::Char('p'));
        choose(&mut a, "Проект договора займа");
        press(&mut a, KeyCode::Enter);
        insta::assert_snapshot!(name, screen(&mut a));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, Status::Authorized, false, false, "");
    press(&mut a, KeyCode::Char('p'));
    choose(&mut a, "Проект договора займа");
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("ПРОЕКТ"));
    // The schedule is at the end.
    press(&mut a, KeyCode::End);
    let t = text(&mut a);
    assert!(t.contains("ГРАФИК ПЛАТЕЖЕЙ") || t.contains("Итого"), "{t}");
    assert!(t.contains("23.11.2027"), "the last payment:\n{t}");
    press(&mut a, KeyCode::Home);
    assert!(text(&mut a).contains("ПРОЕКТ"));
    // Esc closes the preview and goes back to the menu; nothing was printed.
    press(&mut a, KeyCode::Esc);
    assert!(text(&mut a).contains("Документы 2026-000001"));
    assert!(!dir.path().join("documents").exists());
}

#[test]
fn enter_prints_tells_the_path_and_the_history_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, Status::Archived, false, false, "true");
    // From the dialog, with Ctrl-P.
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("Заявка 2026-000001"));
    key(&mut a, KeyCode::Char('p'), KeyModifiers::CONTROL);
    choose(&mut a, "Договор займа с графиком платежей");
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("ДОГОВОР ЗАЙМА № 2026/000001"));
    press(&mut a, KeyCode::Enter);
    let file = dir.path().join("documents/2026-000001_contract.txt");
    assert!(file.exists());
    assert!(file.with_extension("html").exists());
    let (_, msg) = a.message.clone().expect("a message");
    assert_eq!(
        msg,
        format!("Напечатано: {} (true)", file.display()),
        "the path is told"
    );
    // The dialog is back, its history shows the print.
    let t = text(&mut a);
    assert!(t.contains("Заявка 2026-000001"), "{t}");
    for _ in 0..4 {
        press(&mut a, KeyCode::PageDown);
    }
    let t = text(&mut a);
    assert!(
        t.contains("печать — Договор займа с графиком платежей:"),
        "{t}"
    );
    let prints = a.store.prints(1).unwrap();
    assert_eq!(prints.len(), 1);
    assert_eq!(prints[0].actor, "man");

    // A reprint from the journal: a new file, the first one kept.
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('p'));
    choose(&mut a, "Договор займа с графиком платежей");
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("повторная печать № 2"));
    press(&mut a, KeyCode::Enter);
    assert!(
        dir.path()
            .join("documents/2026-000001_contract-2.txt")
            .exists()
    );
    assert!(file.exists());
    assert_eq!(a.store.prints(1).unwrap().len(), 2);
}

#[test]
fn a_printer_that_fails_is_told_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, Status::Authorized, false, false, "false");
    // The menu starts on the draft contract, the paper of the step just taken.
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("ПРОЕКТ"));
    press(&mut a, KeyCode::Enter);
    let (kind, msg) = a.message.clone().expect("a message");
    assert_eq!(kind, coopdesk::tui::app::MsgKind::Error);
    assert!(msg.ends_with("печать не удалась: exit 1"), "{msg}");
    assert!(msg.contains("2026-000001_contract_draft.txt"), "{msg}");
    let t = text(&mut a);
    assert!(
        t.contains("Файл сохранён:"),
        "shown on the message line:\n{t}"
    );
    let prints = a.store.prints(1).unwrap();
    assert_eq!(prints[0].detail, "exit 1");
}
