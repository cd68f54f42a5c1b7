//! The audit overlay (issue 9 §5): a head opens the trail of a member from the card and of an
//! application from its dialog, pages through it, and sees the full value of the selected
//! line; anyone else is refused by the store. 80x24 in colour, monochrome and ASCII.

mod common;
use common::tui::*;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use coopdesk::config::Security;
use coopdesk::domain::Role;
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::member::{
    Contact, ContactKind, MemberData, MemberInput, MemberStatus, validate_member,
};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::members::MemberImport;
use coopdesk::tui::app::{App, Clock, Overlay};
use coopdesk::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::time::Duration;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

/// A member whose phone and address a manager changed, with `calls` calls logged after, and
/// an application the manager made and edited. The App is on this database.
fn app(dir: &tempfile::TempDir, mono: bool, ascii: bool, calls: u32) -> App {
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at(1, 9, 0))
        .unwrap();
    for (login, name, role) in [
        ("man", "Сидорова Ольга", Role::Manager),
        ("boss", "Волков Павел", Role::Head),
    ] {
        store
            .add_staff("test", login, name, "TSK", &[role], hash(), at(1, 9, 0))
            .unwrap();
    }
    let office = store.office_by_code("TSK").unwrap().unwrap().id;
    let data = validate_member(
        &MemberInput {
            last_name: "Журавлёв".into(),
            first_name: "Аркадий".into(),
            patronymic: "Семёнович".into(),
            birth_date: "14.03.1975".into(),
            passport: "4509 123456".into(),
            phone: "8 (924) 811-16-71".into(),
            reg_address: "г. Томск, ул. Ленина, 1".into(),
            potential: "A".into(),
            client_group: "installers".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    store
        .import_members(
            "import:test",
            &[MemberImport {
                member_no: "000777".into(),
                data,
                status: MemberStatus::Member,
                joined_on: Some(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
                office_id: office,
                manager_id: None,
            }],
            at(20, 10, 0),
        )
        .unwrap();
    let man = store.actor_by_login("man").unwrap();
    let id = store.member_id_by_no("000777").unwrap().unwrap();
    let m = store.member(id).unwrap();
    let changed = MemberData {
        last_name: m.last_name,
        first_name: m.first_name,
        patronymic: m.patronymic,
        birth_date: m.birth_date,
        passport: m.passport,
        reg_address: "г. Томск, проспект Фрунзе, дом 120, квартира 45".into(),
        fact_address: m.fact_address,
        phone: "+79131112233".into(),
        email: m.email,
        potential: m.potential,
        client_group: m.client_group,
        territory: m.territory,
        related_group: m.related_group,
    };
    store
        .update_member(&man, id, m.version, &changed, at(21, 9, 30))
        .unwrap();
    for i in 0..calls {
        let call = Contact {
            kind: ContactKind::Call,
            direction: "out".into(),
            outcome: "successful".into(),
            temperature: "warm".into(),
            duration_sec: 60,
            promise_date: None,
            promise_amount: None,
            comment: format!("звонок {}", i + 1),
        };
        store
            .log_contact(
                &man,
                id,
                &call,
                at(22, 9, 0) + chrono::Duration::minutes(i.into()),
            )
            .unwrap();
    }
    let rules = Rules::builtin();
    let input = ApplicationInput {
        last_name: "Журавлёв".into(),
        first_name: "Аркадий".into(),
        birth_date: "14.03.1975".into(),
        passport: "4509 123456".into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        fact_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 (924) 811-16-71".into(),
        income: "65000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        ..Default::default()
    };
    let data = draft::validate(&input, &rules.products, today()).unwrap();
    let app = store
        .create_application(&man, &data, office, at(23, 10, 0))
        .unwrap();
    let mut changed = app.data.clone();
    changed.loan.term_months = 36;
    changed.borrower.phone = "+79998887766".into();
    store
        .update_application(&man, app.id, app.version, &changed, office, at(23, 10, 5))
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

fn open_card(a: &mut App) {
    press(a, KeyCode::Char('2'));
    typ(a, "журавл");
    assert!(
        a.members_wait(Duration::from_secs(10)),
        "the search answers"
    );
    press(a, KeyCode::Enter);
    assert!(a.members.card.is_some(), "the card is open");
}

fn audit_open(a: &App) -> bool {
    matches!(a.overlays.last(), Some(Overlay::Audit(_)))
}

#[test]
fn a_head_browses_a_members_trail_in_colour_mono_and_ascii() {
    for (name, mono, ascii) in [
        ("color", false, false),
        ("mono", true, false),
        ("ascii", true, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, mono, ascii, 2);
        login(&mut a, "boss");
        open_card(&mut a);
        press(&mut a, KeyCode::Char('a'));
        assert!(audit_open(&a), "{}", text(&mut a));
        // Down to the edit: the oldest line, after two calls.
        press(&mut a, KeyCode::End);
        let s = screen(&mut a);
        if ascii {
            assert!(
                !s.contains('│') && !s.contains('…') && !s.contains('→'),
                "ASCII only"
            );
        }
        insta::assert_snapshot!(format!("audit_member_{name}"), s);
        press(&mut a, KeyCode::Esc);
        assert!(!audit_open(&a) && a.members.card.is_some(), "Esc closes");
    }
}

#[test]
fn the_selected_line_is_shown_in_full_and_long_values_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false, 0);
    login(&mut a, "boss");
    open_card(&mut a);
    press(&mut a, KeyCode::F(9));
    assert!(audit_open(&a));
    let t = text(&mut a);
    // The newest first: the manager's edit, with who and when.
    let row = t
        .lines()
        .find(|l| l.contains("21.11.26 09:30"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(row.contains("man") && row.contains("members.edit"), "{row}");
    assert!(row.contains('…'), "a long change is cut in its line: {row}");
    // The whole change below, before → after, for a head (full access by default).
    assert!(t.contains("квартира 45"), "{t}");
    assert!(t.contains("+79131112233"), "{t}");
}

#[test]
fn paging_reads_the_trail_from_the_store_a_window_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false, 60);
    login(&mut a, "boss");
    open_card(&mut a);
    press(&mut a, KeyCode::Char('a'));
    let loaded = |a: &App| match a.overlays.last() {
        Some(Overlay::Audit(v)) => (v.cursor, v.page.offset, v.page.entries.len(), v.page.total),
        _ => panic!("the overlay is open"),
    };
    let (cursor, offset, len, total) = loaded(&a);
    assert_eq!((cursor, offset, total), (0, 0, 61));
    assert!(len < total, "not the whole trail at once: {len}");
    assert!(text(&mut a).contains("звонок 60"));
    press(&mut a, KeyCode::End);
    let (cursor, offset, len, _) = loaded(&a);
    assert_eq!(cursor, 60);
    assert!(offset > 0 && offset + len == 61, "{offset} {len}");
    let t = text(&mut a);
    assert!(t.contains("members.edit") && t.contains("61/61"), "{t}");
    press(&mut a, KeyCode::Home);
    let t = text(&mut a);
    assert!(t.contains("звонок 60") && t.contains("1/61"), "{t}");
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::PageDown);
    let (cursor, ..) = loaded(&a);
    let t = text(&mut a);
    let shown = format!("звонок {}", 60 - cursor);
    assert!(cursor >= 20 && t.contains(&shown), "{cursor}: {t}");
    press(&mut a, KeyCode::PageUp);
    let (back, ..) = loaded(&a);
    assert!(back < cursor);
}

#[test]
fn the_application_dialog_opens_its_trail_and_a_manager_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false, 0);
    login(&mut a, "boss");
    press(&mut a, KeyCode::Enter);
    assert!(
        matches!(a.overlays.last(), Some(Overlay::Dialog(_))),
        "{}",
        text(&mut a)
    );
    press(&mut a, KeyCode::F(9));
    assert!(audit_open(&a), "{}", text(&mut a));
    let t = text(&mut a);
    assert!(t.contains("заявка") && t.contains("edited"), "{t}");
    assert!(t.contains("term_months: 24 → 36"), "{t}");
    insta::assert_snapshot!("audit_application_mono", text(&mut a));
    press(&mut a, KeyCode::Esc);
    assert!(matches!(a.overlays.last(), Some(Overlay::Dialog(_))));

    // A manager: the same keys, and the store says no, in the dialog and on the card.
    let cat = Catalog::builtin("ru");
    let refused = cat.f("refuse.role_required", &[("role", cat.t("role.head"))]);
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false, 0);
    login(&mut a, "man");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::F(9));
    assert!(!audit_open(&a));
    let t = text(&mut a);
    assert!(t.contains(&refused), "{t}");
    press(&mut a, KeyCode::Esc);
    open_card(&mut a);
    press(&mut a, KeyCode::Char('a'));
    assert!(!audit_open(&a));
    let t = text(&mut a);
    assert!(t.contains(&refused), "{t}");
    key(&mut a, KeyCode::Char('c'), KeyModifiers::CONTROL);
}

#[test]
fn without_full_access_personal_values_are_masked_as_on_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false, 0);
    a.members.full_access = vec![Role::Inspector];
    login(&mut a, "boss");
    open_card(&mut a);
    press(&mut a, KeyCode::Char('a'));
    let t = text(&mut a);
    assert!(
        t.contains("+7 913 ***-**-33") && t.contains("г. Томск, *** → г. Томск, ***"),
        "{t}"
    );
    assert!(!t.contains("1112233") && !t.contains("Фрунзе"), "{t}");
}
