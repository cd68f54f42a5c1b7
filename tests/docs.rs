//! Documents: which fit an application at each status, every template rendered for a complete
//! application with nothing left unfilled, template errors that name the file and line, the
//! files written, the print command, and the print in the application's history.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::docs::print::{self, PrintSettings, Recorder};
use coopdesk::docs::{DocError, DocKind, Templates, offered};
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::{Role, Status};
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use coopdesk::store::applications::{CheckOutcome, StepInput};
use coopdesk::store::prints::PrintOutcome;
use coopdesk::store::staff::hash_password;
use coopdesk::store::{Actor, Store, StoreError};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password("верный-пароль-1").unwrap())
}

struct Desk {
    dir: tempfile::TempDir,
    store: Store,
    rules: Rules,
    cat: Catalog,
    manager: Actor,
    inspector: Actor,
    cashier: Actor,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("coopdesk.db")).unwrap();
    let t = at("2026-11-01 09:00");
    store
        .add_office("test", "TOM", "Томский офис", "Томск", t)
        .unwrap();
    for (login, name, role) in [
        ("petrova", "Петрова Анна", Role::Manager),
        ("sidorov", "Сидоров Олег", Role::Inspector),
        ("kassa", "Кузнецова Мария", Role::Cashier),
    ] {
        store
            .add_staff("test", login, name, "TOM", &[role], password_hash(), t)
            .unwrap();
    }
    let a = |l: &str| store.actor_by_login(l).unwrap();
    let (manager, inspector, cashier) = (a("petrova"), a("sidorov"), a("kassa"));
    Desk {
        dir,
        store,
        rules: Rules::builtin(),
        cat: Catalog::builtin("ru"),
        manager,
        inspector,
        cashier,
    }
}

fn complete_input() -> ApplicationInput {
    ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        patronymic: "Сергеевич".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        passport_issued_by: "ОУФМС России по Томской обл. в Ленинском районе г. Томска".into(),
        passport_issued_on: "20.04.2005".into(),
        reg_address: "г. Томск, ул. Ленина, д. 1, кв. 5".into(),
        fact_address: "г. Томск, пр. Фрунзе, д. 120, кв. 44".into(),
        phone: "8 (924) 811-16-71".into(),
        email: "ivanov@example.ru".into(),
        income: "65 000".into(),
        expenses: "20000".into(),
        payments: "3500,50".into(),
        deductions: "".into(),
        product: "business".into(),
        amount: "300000.50".into(),
        term_months: "12".into(),
        purpose: "закупка товара <для магазина> & склада".into(),
        guarantor: "Сидорова Анна Петровна, паспорт 4510 654321".into(),
        collateral: "Автомобиль Lada Vesta, 2021 г. в., VIN XTA000000000".into(),
    }
}

impl Desk {
    fn step(&mut self, by: &Actor, id: i64, to: Status, input: StepInput, now: NaiveDateTime) {
        let v = self.store.application(id).unwrap().version;
        self.store
            .transition(by, id, v, to, &input, &self.rules, now)
            .unwrap();
    }

    /// A complete application taken up to `to`; the statuses on the way are given to `seen`.
    fn advance(
        &mut self,
        input: &ApplicationInput,
        to: Status,
        mut seen: impl FnMut(&Desk, i64),
    ) -> i64 {
        let (m, i, c) = (
            self.manager.clone(),
            self.inspector.clone(),
            self.cashier.clone(),
        );
        let data = draft::validate(input, &self.rules.products, day("2026-11-20")).unwrap();
        let id = self
            .store
            .create_application(&m, &data, m.office_id, at("2026-11-20 09:30"))
            .unwrap()
            .id;
        seen(self, id);
        let checks: Vec<_> = self
            .rules
            .checks
            .iter()
            .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
            .collect();
        self.store
            .save_checks(&m, id, &checks, None, &self.rules, at("2026-11-20 10:00"))
            .unwrap();
        let steps = [
            (
                m.clone(),
                Status::Checked,
                StepInput::None,
                "2026-11-20 11:00",
            ),
            (i, Status::Candidate, StepInput::None, "2026-11-20 15:00"),
            (
                c,
                Status::Member,
                StepInput::Fees {
                    entrance_receipt: "КВ-0017".into(),
                    share_receipt: "КВ-0018".into(),
                },
                "2026-11-23 10:00",
            ),
            (
                m.clone(),
                Status::Authorized,
                StepInput::None,
                "2026-11-23 11:00",
            ),
            (
                m,
                Status::Archived,
                StepInput::Contract {
                    contract_no: String::new(),
                    issue_date: day("2026-11-23"),
                },
                "2026-11-23 12:00",
            ),
        ];
        for (by, mut st, inp, t) in steps {
            let now = self.store.application(id).unwrap().status;
            if now >= to {
                break;
            }
            if now >= st {
                continue;
            }
            let passport = &data.borrower.passport;
            if st == Status::Candidate && self.store.applicant_is_member(passport).unwrap() {
                // A member applying again skips the candidate stage.
                st = Status::Member;
            }
            self.step(&by, id, st, inp, at(t));
            seen(self, id);
        }
        id
    }

    fn offered(&self, id: i64) -> Vec<DocKind> {
        let app = self.store.application(id).unwrap();
        print::offered_for(&self.store, &app).unwrap()
    }

    fn prepare(&self, templates: &Templates, id: i64, kind: DocKind) -> print::Prepared {
        let app = self.store.application(id).unwrap();
        print::prepare(
            &self.store,
            templates,
            &self.rules,
            &self.cat,
            &app,
            kind,
            ("kassa", "Кузнецова Мария"),
            day("2026-11-23"),
        )
        .unwrap_or_else(|e| panic!("{kind:?}: {}", e.message(&self.cat)))
    }
}

fn settings(dir: &Path, command: &str) -> PrintSettings {
    PrintSettings {
        dir: dir.join("documents"),
        command: command.into(),
        timeout: Duration::from_secs(5),
        assets_dir: None,
    }
}

/// Nothing of the template language is left in what a person reads.
fn assert_filled(kind: DocKind, text: &str) {
    for marker in ["{{", "}}", "{%", "%}", "{#", "#}"] {
        assert!(!text.contains(marker), "{kind:?} has {marker:?}:\n{text}");
    }
    assert!(!text.contains("none"), "{kind:?} prints a missing value");
}

#[test]
fn documents_fit_the_status_and_appear_only_once_their_data_exists() {
    let mut d = desk();
    let mut by_status = Vec::new();
    d.advance(&complete_input(), Status::Archived, |d, id| {
        let app = d.store.application(id).unwrap();
        by_status.push((app.status, d.offered(id)));
    });
    use DocKind::*;
    assert_eq!(
        by_status,
        vec![
            (Status::New, vec![Application]),
            (Status::Checked, vec![Application, Membership]),
            (Status::Candidate, vec![Application, Membership]),
            (
                Status::Member,
                vec![Application, Membership, EntranceFee, Share]
            ),
            (
                Status::Authorized,
                vec![Application, Membership, EntranceFee, Share, ContractDraft]
            ),
            (
                Status::Archived,
                vec![
                    Application,
                    Membership,
                    EntranceFee,
                    Share,
                    Contract,
                    Guarantee,
                    Collateral,
                    IssueOrder
                ]
            ),
        ]
    );

    // Without a guarantor or collateral there are no such agreements.
    let mut plain = complete_input();
    plain.passport = "4510 222333".into();
    plain.guarantor.clear();
    plain.collateral.clear();
    let id = d.advance(&plain, Status::Archived, |_, _| {});
    assert_eq!(
        d.offered(id),
        vec![
            Application,
            Membership,
            EntranceFee,
            Share,
            Contract,
            IssueOrder
        ]
    );

    // A member applying again joins nothing and pays nothing: no membership papers.
    let mut again = complete_input();
    again.amount = "50000".into();
    let mut seen = Vec::new();
    d.advance(&again, Status::Authorized, |d, id| {
        let app = d.store.application(id).unwrap();
        seen.push((app.status, d.offered(id)));
    });
    assert_eq!(
        seen,
        vec![
            (Status::New, vec![Application]),
            (Status::Checked, vec![Application]),
            (Status::Member, vec![Application]),
            (Status::Authorized, vec![Application, ContractDraft]),
        ]
    );
}

#[test]
fn every_template_renders_for_a_complete_application_with_nothing_unfilled() {
    let mut d = desk();
    let templates = Templates::new(None);
    templates.check_all().unwrap();
    let mut rendered = std::collections::BTreeMap::new();
    let id = d.advance(&complete_input(), Status::Archived, |d, id| {
        for kind in d.offered(id) {
            let p = d.prepare(&templates, id, kind);
            rendered.insert(kind.code(), p.rendered);
        }
    });
    assert_eq!(
        rendered.len(),
        DocKind::ALL.len(),
        "every document was made"
    );
    for (code, r) in &rendered {
        let kind = DocKind::from_code(code).unwrap();
        assert_filled(kind, &r.text);
        assert_filled(kind, &r.html);
        for line in r.text.lines() {
            assert!(line.chars().count() <= 78, "{code}: too wide: {line:?}");
        }
        assert!(r.text.contains("Иванов Пётр Сергеевич"), "{code}");
        assert!(r.html.starts_with("<!DOCTYPE html>"), "{code}");
    }
    let app = d.store.application(id).unwrap();
    let contract = &rendered["contract"].text;
    assert!(
        contract.contains("ДОГОВОР ЗАЙМА № 2026/000001"),
        "{contract}"
    );
    assert!(contract.contains("300 000,50 руб."));
    assert!(contract.contains("триста тысяч рублей 50 копеек"));
    assert!(contract.contains("«23» ноября 2026 г."));
    assert!(contract.contains("12 (двенадцать) месяцев"));
    assert!(
        contract.contains("поручительства № 2026/000001-ДП"),
        "{contract}"
    );
    assert!(contract.contains(PAGE), "the schedule starts a page");
    // The schedule: twelve rows, dated a month apart from the issue, the last on 23.11.2027.
    let rows: Vec<&str> = contract
        .lines()
        .filter(|l| {
            l.trim_start()
                .split(' ')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter(|l| l.contains(".202"))
        .collect();
    assert_eq!(rows.len(), 12, "{contract}");
    assert!(rows[0].contains("23.12.2026"));
    assert!(rows[11].contains("23.11.2027"));
    assert!(!contract.contains("ПРОЕКТ"));

    let draft = &rendered["contract_draft"].text;
    assert!(draft.contains("ПРОЕКТ"));
    assert!(!draft.contains("№ 2026/"), "a draft has no number: {draft}");

    let fee = &rendered["entrance_fee"].text;
    assert!(fee.contains("ПРИХОДНЫЙ КАССОВЫЙ ОРДЕР № 000001"), "{fee}");
    assert!(fee.contains("Вступительный взнос"));
    assert!(fee.contains("КВ-0017"));
    assert!(fee.contains("Кузнецова Мария"));
    let share = &rendered["share"].text;
    assert!(share.contains("Обязательный паевой взнос"));
    assert!(share.contains("КВ-0018"));

    let issue = &rendered["issue_order"].text;
    assert!(
        issue.contains("РАСХОДНЫЙ КАССОВЫЙ ОРДЕР № 000003"),
        "{issue}"
    );
    assert!(issue.contains("Триста тысяч рублей 50 копеек"));
    assert!(
        rendered["guarantee"]
            .text
            .contains("Сидорова Анна Петровна")
    );
    assert!(rendered["collateral"].text.contains("Lada Vesta"));
    assert!(
        rendered["membership"]
            .text
            .contains(&format!("номер пайщика {}", app.member_no.clone().unwrap()))
    );

    // The HTML escapes what people typed.
    let html = &rendered["application"].html;
    assert!(html.contains("&lt;для магазина&gt; &amp; склада"), "{html}");
    assert!(!html.contains("<для магазина>"));
}

const PAGE: &str = "\u{c}";

#[test]
fn an_application_form_with_blank_optional_fields_says_so() {
    let mut d = desk();
    let mut input = complete_input();
    input.email.clear();
    input.fact_address.clear();
    input.passport_issued_by.clear();
    input.passport_issued_on.clear();
    input.purpose.clear();
    input.guarantor.clear();
    input.collateral.clear();
    let id = d.advance(&input, Status::New, |_, _| {});
    let p = d.prepare(&Templates::new(None), id, DocKind::Application);
    assert_filled(DocKind::Application, &p.rendered.text);
    assert!(p.rendered.text.contains("совпадает с адресом регистрации"));
    assert!(p.rendered.text.contains("не указана"));
    assert!(!p.rendered.text.contains("Поручитель"));
    assert!(!p.rendered.text.contains("выдан"));
}

#[test]
fn a_document_not_offered_is_refused() {
    let mut d = desk();
    let id = d.advance(&complete_input(), Status::Checked, |_, _| {});
    let app = d.store.application(id).unwrap();
    let e = print::prepare(
        &d.store,
        &Templates::new(None),
        &d.rules,
        &d.cat,
        &app,
        DocKind::Contract,
        ("petrova", "Петрова Анна"),
        day("2026-11-23"),
    )
    .unwrap_err();
    assert!(
        matches!(&e, print::PrintError::Doc(DocError::NotOffered("contract"))),
        "{e:?}"
    );
    assert!(e.message(&d.cat).contains("Договор займа"));
}

fn override_template(d: &Desk, name: &str, src: &str) -> std::path::PathBuf {
    let assets = d.dir.path().join("assets");
    std::fs::create_dir_all(assets.join("templates")).unwrap();
    std::fs::write(assets.join("templates").join(name), src).unwrap();
    assets
}

fn render_err(d: &Desk, assets: &Path, id: i64, kind: DocKind) -> DocError {
    let app = d.store.application(id).unwrap();
    match print::prepare(
        &d.store,
        &Templates::new(Some(assets)),
        &d.rules,
        &d.cat,
        &app,
        kind,
        ("petrova", "Петрова Анна"),
        day("2026-11-23"),
    ) {
        Err(print::PrintError::Doc(e)) => e,
        other => panic!("{:?}", other.map(|p| p.rendered.text)),
    }
}

#[test]
fn template_errors_name_the_file_and_the_line() {
    let mut d = desk();
    let id = d.advance(&complete_input(), Status::New, |_, _| {});

    // The cooperative's own copy is used instead of the shipped one.
    let assets = override_template(&d, "application.txt", "Заявка {{ app.number }}\n");
    let p = {
        let app = d.store.application(id).unwrap();
        print::prepare(
            &d.store,
            &Templates::new(Some(&assets)),
            &d.rules,
            &d.cat,
            &app,
            DocKind::Application,
            ("petrova", "Петрова Анна"),
            day("2026-11-23"),
        )
        .unwrap()
    };
    assert_eq!(p.rendered.text, format!("Заявка {}\n", p.number));

    // A syntax error.
    let assets = override_template(
        &d,
        "application.txt",
        "line one\n{% if app.number %}\nno end\n",
    );
    let file = assets
        .join("templates/application.txt")
        .display()
        .to_string();
    match render_err(&d, &assets, id, DocKind::Application) {
        DocError::Template { file: f, line, .. } => {
            assert_eq!(f, file);
            assert!(line >= 2, "{line}");
        }
        e => panic!("{e:?}"),
    }

    // A variable the document does not have is an error, never an empty gap.
    let assets = override_template(&d, "application.txt", "ok\n\nЗаём {{ loan.contract_no }}\n");
    let e = render_err(&d, &assets, id, DocKind::Application);
    match &e {
        DocError::Template {
            file: f,
            line,
            message,
        } => {
            assert_eq!(f, &file);
            assert_eq!(*line, 3);
            assert!(message.contains("undefined"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    let said = e.message(&d.cat);
    assert!(said.contains(&file) && said.contains("строка 3"), "{said}");

    // A missing included template is named.
    let assets = override_template(&d, "application.txt", "{% include \"_shapka.txt\" %}\n");
    match render_err(&d, &assets, id, DocKind::Application) {
        DocError::Missing { file } => assert!(file.ends_with("_shapka.txt"), "{file}"),
        e => panic!("{e:?}"),
    }
    let said = DocError::Missing {
        file: "assets/templates/_shapka.txt".into(),
    }
    .message(&d.cat);
    assert_eq!(said, "Нет шаблона assets/templates/_shapka.txt");

    // A bad value handed to a filter names the template too.
    let assets = override_template(&d, "application.txt", "{{ app.number|money }}\n");
    match render_err(&d, &assets, id, DocKind::Application) {
        DocError::Template {
            file: f,
            line: 1,
            message,
        } => {
            assert_eq!(f, file);
            assert!(message.contains("not an amount"), "{message}");
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn every_print_is_recorded_and_a_reprint_keeps_the_earlier_file() {
    let mut d = desk();
    let templates = Templates::new(None);
    let id = d.advance(&complete_input(), Status::Archived, |_, _| {});
    let manager = d.manager.clone();
    let now = at("2026-11-23 12:30");

    let doc = d.prepare(&templates, id, DocKind::Contract);
    assert_eq!(doc.copy, 1);
    let first = print::deliver(
        &mut d.store,
        &settings(d.dir.path(), ""),
        &doc,
        Recorder::Desk(&manager),
        None,
        now,
    )
    .unwrap();
    assert_eq!(first.outcome, PrintOutcome::Saved);
    assert!(
        first.file.ends_with("2026-000001_contract.txt"),
        "{first:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&first.file).unwrap(),
        doc.rendered.text
    );
    let html = first.file.with_extension("html");
    assert_eq!(std::fs::read_to_string(html).unwrap(), doc.rendered.html);

    // The reprint: a new file, the earlier one untouched; sent to a "printer" that works.
    let doc2 = d.prepare(&templates, id, DocKind::Contract);
    assert_eq!(doc2.copy, 2);
    let second = print::deliver(
        &mut d.store,
        &settings(d.dir.path(), "test -s"),
        &doc2,
        Recorder::Desk(&manager),
        None,
        at("2026-11-23 12:31"),
    )
    .unwrap();
    assert_eq!(second.outcome, PrintOutcome::Sent);
    assert!(second.file.ends_with("2026-000001_contract-2.txt"));
    assert!(first.file.exists());

    // A printer that refuses: the failure is recorded with why, the file is still written.
    let doc3 = d.prepare(&templates, id, DocKind::IssueOrder);
    let third = print::deliver(
        &mut d.store,
        &settings(d.dir.path(), "ls --no-such-option"),
        &doc3,
        Recorder::Label("cli:tester"),
        None,
        at("2026-11-23 12:32"),
    )
    .unwrap();
    assert_eq!(third.outcome, PrintOutcome::Failed);
    assert!(third.detail.starts_with("exit "), "{}", third.detail);
    assert!(third.file.exists());
    let said = print::summary(&d.cat, &third, "ls", None);
    assert!(said.contains("печать не удалась") && said.contains(&third.file.display().to_string()));

    let prints = d.store.prints(id).unwrap();
    let rows: Vec<_> = prints
        .iter()
        .map(|p| {
            (
                p.document.as_str(),
                p.actor.as_str(),
                p.outcome,
                p.command.as_str(),
                p.at,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("contract", "petrova", PrintOutcome::Saved, "", now),
            (
                "contract",
                "petrova",
                PrintOutcome::Sent,
                "test -s",
                at("2026-11-23 12:31")
            ),
            (
                "issue_order",
                "cli:tester",
                PrintOutcome::Failed,
                "ls --no-such-option",
                at("2026-11-23 12:32")
            ),
        ]
    );
    assert_eq!(prints[0].file, first.file.display().to_string());
    assert_eq!(prints[2].detail, third.detail);
    assert_eq!(d.store.print_count(id, "contract").unwrap(), 2);

    // The history shows the prints among the status changes, in time order.
    let history = d.store.history_with_prints(id).unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "printed").count(), 3);
    assert_eq!(kinds.last(), Some(&"printed"));
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
    let last_status = history.iter().rposition(|e| e.kind == "status").unwrap();
    let first_print = history.iter().position(|e| e.kind == "printed").unwrap();
    assert!(last_status < first_print);

    // Someone who is not (or no longer) staff cannot print under that name.
    let mut forged = manager.clone();
    forged.login = "nobody".into();
    let e = print::deliver(
        &mut d.store,
        &settings(d.dir.path(), ""),
        &doc,
        Recorder::Desk(&forged),
        None,
        now,
    )
    .unwrap_err();
    assert!(
        matches!(e, print::PrintError::Store(StoreError::Forbidden(_))),
        "{e:?}"
    );
    assert_eq!(d.store.prints(id).unwrap().len(), 3);
}

#[test]
fn a_file_asked_for_is_written_there_as_text_or_html() {
    let mut d = desk();
    let templates = Templates::new(None);
    let id = d.advance(&complete_input(), Status::Member, |_, _| {});
    let doc = d.prepare(&templates, id, DocKind::EntranceFee);
    let manager = d.manager.clone();
    let out = d.dir.path().join("out/pko.html");
    let r = print::deliver(
        &mut d.store,
        &settings(d.dir.path(), "false"),
        &doc,
        Recorder::Desk(&manager),
        Some(&out),
        at("2026-11-23 12:30"),
    )
    .unwrap();
    // A file asked for is not sent to the printer.
    assert_eq!(r.outcome, PrintOutcome::Saved);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), doc.rendered.html);
    assert!(
        offered(
            Status::Member,
            &d.store
                .document_facts(&d.store.application(id).unwrap())
                .unwrap()
        )
        .contains(&DocKind::EntranceFee)
    );
}

#[test]
fn the_message_after_a_print_fits_the_line_and_keeps_the_file_name() {
    let cat = Catalog::builtin("ru");
    let long = std::path::PathBuf::from(
        "/srv/coopdesk/branches/krasnoyarsk/desk-3/documents/2026-000187_contract_draft.txt",
    );
    let done = print::Delivered {
        file: long.clone(),
        outcome: PrintOutcome::Sent,
        detail: String::new(),
    };
    let full = print::summary(&cat, &done, "lp -d DESK1", None);
    assert!(full.contains(&long.display().to_string()));
    let short = print::summary(&cat, &done, "lp -d DESK1", Some(80));
    assert!(short.chars().count() <= 80, "{short}");
    assert_eq!(
        short,
        "Напечатано: …/documents/2026-000187_contract_draft.txt (lp -d DESK1)"
    );
    let fits = print::summary(&cat, &done, "lp", Some(200));
    assert_eq!(fits, print::summary(&cat, &done, "lp", None));
}
