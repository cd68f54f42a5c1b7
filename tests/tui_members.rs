//! The member-lookup pane drawn with ratatui's TestBackend: search results and the card at
//! 80x24 in colour, monochrome and ASCII (insta snapshots with styles), masking per role, the
//! recorded reveal, logging a call, and a stale edit that is reloaded and re-applied.

mod common;
use common::tui::*;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use coopdesk::config::Security;
use coopdesk::domain::Role;
use coopdesk::domain::member::{MemberInput, MemberStatus, validate_member};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::members::MemberImport;
use coopdesk::tui::app::{App, Clock};
use coopdesk::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
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

const PEOPLE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "000101",
        "Иванов",
        "Пётр",
        "Сергеевич",
        "4509 123456",
        "8 (924) 811-16-71",
    ),
    (
        "000102",
        "Иванова",
        "Анна",
        "Петровна",
        "4510 654321",
        "+7 913 016-78-92",
    ),
    (
        "000103",
        "Иваненко",
        "Олег",
        "Ильич",
        "4511 111111",
        "89131112233",
    ),
    (
        "000104",
        "Смирнов",
        "Ильдар",
        "Ринатович",
        "4511 222222",
        "",
    ),
];

/// A database with an office, four people and four members, and an App on it.
fn app(dir: &tempfile::TempDir, mono: bool, ascii: bool) -> App {
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    store
        .add_office("test", "TSK", "Офис на Ленина", "Томск", at(1, 9))
        .unwrap();
    let mut ids = Vec::new();
    for (login, name, role) in [
        ("man", "Сидорова Ольга", Role::Manager),
        ("man2", "Орлов Игорь", Role::Manager),
        ("cash", "Орлова Нина", Role::Cashier),
        ("nop", "Волков Павел", Role::Head),
    ] {
        ids.push(
            store
                .add_staff("test", login, name, "TSK", &[role], hash(), at(1, 9))
                .unwrap(),
        );
    }
    let office = store.office_by_code("TSK").unwrap().unwrap().id;
    let rows: Vec<MemberImport> = PEOPLE
        .iter()
        .map(|p| MemberImport {
            member_no: p.0.into(),
            data: validate_member(
                &MemberInput {
                    last_name: p.1.into(),
                    first_name: p.2.into(),
                    patronymic: p.3.into(),
                    birth_date: "14.03.1975".into(),
                    passport: p.4.into(),
                    phone: p.5.into(),
                    reg_address: "г. Томск, ул. Ленина, 1".into(),
                    potential: "A".into(),
                    client_group: "installers".into(),
                    ..Default::default()
                },
                today(),
            )
            .unwrap(),
            status: MemberStatus::Member,
            joined_on: Some(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
            office_id: office,
            manager_id: Some(ids[0]),
        })
        .collect();
    store
        .import_members("import:test", &rows, at(20, 10))
        .unwrap();
    let clock = Clock {
        today: today(),
        fixed: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
    };
    App::new(
        store,
        Rules::builtin(),
        Catalog::builtin("ru"),
        Theme::new(mono, ascii),
        clock,
        Security::default(),
    )
}

/// To the members pane and type a search; wait for the worker's answer.
fn search(app: &mut App, q: &str) {
    press(app, KeyCode::Char('2'));
    typ(app, q);
    assert!(
        app.members_wait(Duration::from_secs(10)),
        "the search answers"
    );
}

#[test]
fn results_and_card_in_colour_mono_and_ascii() {
    for (name, mono, ascii) in [
        ("color", false, false),
        ("mono", true, false),
        ("ascii", true, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, mono, ascii);
        login(&mut a, "man");
        search(&mut a, "ИВАН");
        let s = screen(&mut a);
        if ascii {
            assert!(!s.contains('│') && !s.contains('…'), "ASCII only");
        }
        insta::assert_snapshot!(format!("members_results_{name}"), s);
        press(&mut a, KeyCode::Down);
        press(&mut a, KeyCode::Enter);
        insta::assert_snapshot!(format!("members_card_{name}"), screen(&mut a));
    }
}

#[test]
fn typing_never_waits_and_stale_answers_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    press(&mut a, KeyCode::Char('2'));
    // Type quickly without waiting: only the answer to the last query is shown.
    typ(&mut a, "смир");
    assert!(a.members_wait(Duration::from_secs(10)));
    // Answers to the earlier letters may still be queued; let them arrive and be ignored.
    std::thread::sleep(Duration::from_millis(50));
    a.tick();
    assert_eq!(a.members.searched, "смир");
    let names: Vec<_> = a.members.hits.iter().map(|h| h.full_name.clone()).collect();
    assert_eq!(names, vec!["Смирнов Ильдар Ринатович"]);
    // Digits are typed into the search, not taken as pane numbers.
    press(&mut a, KeyCode::Esc);
    typ(&mut a, "1671");
    assert!(a.members_wait(Duration::from_secs(10)));
    assert_eq!(a.pane, 1);
    assert_eq!(a.members.hits[0].member_no.as_deref(), Some("000101"));
    typ(&mut a, "9");
    assert!(a.members_wait(Duration::from_secs(10)));
    assert!(text(&mut a).contains("никого не нашлось"));
}

#[test]
fn masking_follows_the_role_and_a_reveal_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    search(&mut a, "иванов петр");
    let t = text(&mut a);
    assert!(
        t.contains("+7 924 ***-**-71") && t.contains("**.**.1975"),
        "{t}"
    );
    press(&mut a, KeyCode::Enter);
    let t = text(&mut a);
    assert!(
        t.contains("**** ***456") && !t.contains("4509 123456"),
        "{t}"
    );
    assert!(t.contains("г. Томск, ***"), "{t}");
    press(&mut a, KeyCode::Char('v'));
    let t = text(&mut a);
    assert!(t.contains("4509 123456") && t.contains("14.03.1975"), "{t}");
    assert!(t.contains("ул. Ленина"), "{t}");
    assert!(t.contains("просмотр записан"), "{t}");
    let id = a.members.card.as_ref().unwrap().card.member.id;
    let views = a.store.personal_data_views(id).unwrap();
    assert_eq!(
        views,
        vec![("2026-11-23 12:00:00".to_string(), "man".to_string())]
    );

    // The head of office sees everything without revealing; nothing is recorded.
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(&dir, true, false);
    login(&mut h, "nop");
    search(&mut h, "иванов петр");
    assert!(text(&mut h).contains("+7 924 811-16-71"));
    press(&mut h, KeyCode::Enter);
    assert!(text(&mut h).contains("4509 123456"));
    let id = h.members.card.as_ref().unwrap().card.member.id;
    assert!(h.store.personal_data_views(id).unwrap().is_empty());
}

#[test]
fn a_call_logged_on_the_card_shows_on_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    search(&mut a, "смирнов");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('c'));
    insta::assert_snapshot!("members_call_form", screen(&mut a));
    // Direction: outgoing; outcome: no answer (two to the right); a comment.
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    for _ in 0..5 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "не берет трубку");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("Записано в историю"), "{t}");
    let line = t
        .lines()
        .find(|l| l.contains("Звонок"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(
        line.contains("нет ответа") && line.contains("не берет трубку") && line.contains("(man)"),
        "{line}"
    );
    // A bad duration is refused on its field and what was typed stays.
    press(&mut a, KeyCode::Char('m'));
    typ(&mut a, "полчаса");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(
        t.contains("полчаса") && t.contains("длительность — минуты или мм:сс"),
        "{t}"
    );
}

#[test]
fn a_stale_edit_names_who_saved_and_is_reapplied_after_reload() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    search(&mut a, "смирнов");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('e'));
    // The clerk changes the e-mail (9th field)...
    for _ in 0..8 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "smirnov@example.ru");
    // ...while another desk saves the territory.
    let mut other = Store::open(&dir.path().join("t.db")).unwrap();
    let man2 = other.actor_by_login("man2").unwrap();
    let id = a.members.card.as_ref().unwrap().card.member.id;
    let m = other.member(id).unwrap();
    let mut data = validate_member(
        &MemberInput {
            last_name: m.last_name.clone(),
            first_name: m.first_name.clone(),
            patronymic: m.patronymic.clone(),
            birth_date: "14.03.1975".into(),
            passport: m.passport.clone(),
            reg_address: m.reg_address.clone(),
            potential: m.potential.clone(),
            client_group: m.client_group.clone(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    data.territory = "Томск, север".into();
    other
        .update_member(&man2, id, m.version, &data, at(23, 11))
        .unwrap();
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(
        t.contains("man2") && t.contains("2026-11-23 11:00:00"),
        "{t}"
    );
    assert!(
        t.contains("smirnov@example.ru"),
        "what was typed stays:\n{t}"
    );
    insta::assert_snapshot!("members_edit_conflict", screen(&mut a));
    press(&mut a, KeyCode::F(5));
    press(&mut a, KeyCode::F(2));
    let saved = a.store.member(id).unwrap();
    assert_eq!(saved.email, "smirnov@example.ru");
    assert_eq!(
        saved.territory, "Томск, север",
        "the other desk's change is kept"
    );
    assert_eq!(saved.updated_by.as_deref(), Some("man"));
}

#[test]
fn a_new_application_starts_from_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    search(&mut a, "иванова");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('n'));
    let t = text(&mut a);
    assert!(
        t.contains("Иванова") && t.contains("Анна") && t.contains("4510 654321"),
        "{t}"
    );
    assert!(t.contains("+7 913 016-78-92"), "{t}");
}

#[test]
fn the_cash_desk_takes_a_voluntary_share_on_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "cash");
    search(&mut a, "иваненко");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('p'));
    typ(&mut a, "10000");
    press(&mut a, KeyCode::Tab);
    typ(&mut a, "К-77");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    assert!(t.contains("Добр. пай") && t.contains("10 000"), "{t}");
    assert!(t.contains("ПКО № 000001"), "{t}");
    assert!(t.contains("Паи всего 10 000"), "{t}");
    // A manager is told the cash desk does it.
    let dir = tempfile::tempdir().unwrap();
    let mut m = app(&dir, true, false);
    login(&mut m, "man");
    search(&mut m, "иваненко");
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Char('p'));
    assert!(text(&mut m).contains("кассир"));
}

#[test]
fn what_another_desk_logs_shows_up_on_an_open_card() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    search(&mut a, "смирнов");
    press(&mut a, KeyCode::Enter);
    assert!(text(&mut a).contains("История работы (0)"));
    let mut other = Store::open(&dir.path().join("t.db")).unwrap();
    let man2 = other.actor_by_login("man2").unwrap();
    let id = a.members.card.as_ref().unwrap().card.member.id;
    let c = coopdesk::domain::member::validate_contact(
        coopdesk::domain::member::ContactKind::Comment,
        &coopdesk::domain::member::ContactInput {
            comment: "просил перезвонить вечером".into(),
            ..Default::default()
        },
        today(),
    )
    .unwrap();
    other.log_contact(&man2, id, &c, at(23, 11)).unwrap();
    // Not before the card is due to be read again...
    a.tick();
    assert!(text(&mut a).contains("История работы (0)"));
    // ...then without a key.
    a.members.card_read = None;
    assert!(a.tick(), "the screen is redrawn");
    let t = text(&mut a);
    assert!(
        t.contains("просил перезвонить вечером") && t.contains("(man2)"),
        "{t}"
    );
}

#[test]
fn scrolling_to_the_end_of_the_results_asks_for_more() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    // Sixty more members named Петров…
    let office = a.store.office_by_code("TSK").unwrap().unwrap().id;
    let rows: Vec<MemberImport> = (0..60)
        .map(|i| MemberImport {
            member_no: format!("{:06}", 200 + i),
            data: validate_member(
                &MemberInput {
                    last_name: format!("Петров{}", ["а", "ский", "ых"][i % 3]),
                    first_name: "Иван".into(),
                    birth_date: "14.03.1975".into(),
                    passport: format!("4600 {:06}", i),
                    ..Default::default()
                },
                today(),
            )
            .unwrap(),
            status: MemberStatus::Member,
            joined_on: Some(today()),
            office_id: office,
            manager_id: None,
        })
        .collect();
    a.store.import_members("t", &rows, at(20, 10)).unwrap();
    login(&mut a, "man");
    search(&mut a, "петров");
    assert_eq!(a.members.hits.len(), 50);
    assert!(text(&mut a).contains("найдено: 50+"));
    for _ in 0..49 {
        press(&mut a, KeyCode::Down);
    }
    assert!(a.members_wait(Duration::from_secs(10)));
    // The sixty, and Иванова Анна Петровна (a patronymic match, after the surnames).
    assert_eq!(a.members.hits.len(), 61, "the next batch came");
    assert_eq!(a.members.cursor, 49, "the cursor stays where it was");
    assert_eq!(a.members.hits[60].full_name, "Иванова Анна Петровна");
    assert!(text(&mut a).contains("найдено: 61"));
}

#[test]
fn savings_are_sold_from_the_card_for_the_rating() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, false, false);
    login(&mut a, "man");
    search(&mut a, "смирнов");
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('s'));
    let t = text(&mut a);
    // The rating's sale form, the member already filled in.
    let member_no = PEOPLE
        .iter()
        .find(|p| p.1 == "Смирнов")
        .map(|p| p.0)
        .unwrap();
    assert!(t.contains(member_no), "{t}");
    // Product: the first non-loan product; the amount.
    for _ in 0..3 {
        press(&mut a, KeyCode::Tab);
    }
    typ(&mut a, "50000");
    press(&mut a, KeyCode::F(2));
    let t = text(&mut a);
    let sales: i64 = a
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM sales s JOIN members m ON m.id = s.member_id
             WHERE m.member_no = ?1 AND s.amount = 5000000",
            [member_no],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sales, 1, "{t}");
}

/// A letter typed at the instant `at`, as the event loop hands it over.
fn letter_at(app: &mut App, c: char, at: std::time::Instant) {
    app.handle_key_at(
        ratatui::crossterm::event::KeyEvent::new(
            KeyCode::Char(c),
            ratatui::crossterm::event::KeyModifiers::NONE,
        ),
        at,
    );
}

#[test]
fn the_list_waits_for_typing_to_pause_and_says_which_text_it_is_for() {
    for (name, mono, ascii) in [
        ("color", false, false),
        ("mono", true, false),
        ("ascii", true, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = app(&dir, mono, ascii);
        let settle = Duration::from_millis(150);
        a.members.settle = settle;
        login(&mut a, "man");
        search(&mut a, "иван");
        assert_eq!(a.members.hits.len(), 3);
        // One letter more, quickly: its results come from the worker but wait.
        let t0 = std::time::Instant::now();
        letter_at(&mut a, 'о', t0);
        assert!(a.members.settle_deadline() == Some(t0 + settle));
        assert!(a.members_wait_reply(Duration::from_secs(10)));
        a.tick_at(t0 + settle - Duration::from_millis(1));
        assert!(
            a.members.held(),
            "not shown before the pause is long enough"
        );
        assert_eq!(a.members.searched, "иван");
        assert_eq!(a.members.hits.len(), 3);
        let s = screen(&mut a);
        let quoted = if ascii {
            "\"иван\""
        } else {
            "«иван»"
        };
        assert!(s.contains(&format!("найдено по {quoted}: 3")), "{s}");
        insta::assert_snapshot!(format!("members_results_stale_{name}"), s);
        // The pause: the list for «ивано».
        assert!(a.tick_at(t0 + settle), "the screen is redrawn");
        assert_eq!(a.members.searched, "ивано");
        assert_eq!(a.members.hits.len(), 2);
        let t = text(&mut a);
        assert!(t.contains("найдено: 2") && !t.contains("найдено по"), "{t}");
        assert_eq!(a.members.settle_deadline(), None);
    }
}

#[test]
fn enter_on_a_list_for_earlier_text_shows_the_list_for_what_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    login(&mut a, "man");
    search(&mut a, "иван");
    // Иваненко is highlighted; «иванова» is typed and Enter pressed before the pause.
    let t0 = std::time::Instant::now();
    letter_at(&mut a, 'о', t0);
    letter_at(&mut a, 'в', t0 + Duration::from_millis(60));
    letter_at(&mut a, 'а', t0 + Duration::from_millis(120));
    assert!(a.members_wait_reply(Duration::from_secs(10)));
    assert_eq!(
        a.members.selected().unwrap().full_name,
        "Иваненко Олег Ильич"
    );
    press(&mut a, KeyCode::Enter);
    // No card: the list for «иванова» instead, its first row highlighted.
    assert!(a.members.card.is_none(), "nothing opened from a stale list");
    assert_eq!(a.members.searched, "иванова");
    assert_eq!(
        a.members.selected().unwrap().full_name,
        "Иванова Анна Петровна"
    );
    assert!(!a.members.held() && a.members.settle_deadline().is_none());
    // The clerk sees it; Enter opens it.
    press(&mut a, KeyCode::Enter);
    let card = a.members.card.as_ref().expect("the card opens");
    assert_eq!(card.card.member.full_name(), "Иванова Анна Петровна");
}

#[test]
fn no_settle_interval_shows_each_letters_list_and_idle_sleeps_long() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(&dir, true, false);
    a.members.settle = Duration::ZERO;
    login(&mut a, "man");
    search(&mut a, "иван");
    let t0 = std::time::Instant::now();
    letter_at(&mut a, 'о', t0);
    assert_eq!(a.members.settle_deadline(), None);
    assert!(a.members_wait_reply(Duration::from_secs(10)));
    // Shown as it came, without a pause.
    assert_eq!(a.members.searched, "ивано");
    assert!(!a.members.held());
    // Nothing waiting: the event loop sleeps its long interval (no busy loop).
    assert_eq!(a.poll_interval(), Duration::from_millis(500));
    // With a settle interval, it wakes for the deadline, and only until then.
    a.members.settle = Duration::from_millis(150);
    letter_at(&mut a, 'в', std::time::Instant::now());
    assert!(a.members_wait_reply(Duration::from_secs(10)));
    let wait = a.poll_interval();
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_millis(151),
        "{wait:?}"
    );
    std::thread::sleep(wait);
    assert!(a.tick(), "the pause shows the list");
    assert_eq!(a.members.searched, "иванов");
    assert_eq!(a.poll_interval(), Duration::from_millis(500));
}
