//! A cooperative with one application taken as far as a test needs, built through the store as
//! the desk builds it: shared by the printing tests that drive the binary.

use chrono::{NaiveDate, NaiveDateTime};
use coopdesk::domain::draft::{self, ApplicationInput};
use coopdesk::domain::{Role, Status};
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::applications::{CheckOutcome, StepInput};
use coopdesk::store::staff::hash_password;
use std::path::Path;

pub const PASSWORD: &str = "manager-pw-1";

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A database at `db` with an office in Томск, a manager `mgr`, an inspector and a cashier
/// (password [`PASSWORD`]), and one application with a guarantor taken up to `to`; its number.
pub fn application(db: &Path, to: Status) -> String {
    let rules = Rules::builtin();
    let mut store = Store::open(db).unwrap();
    let t = at("2026-11-01 09:00");
    store
        .add_office("setup", "TSK", "Томск, центральный офис", "Томск", t)
        .unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    for (login, name, role) in [
        ("mgr", "Петрова Анна Викторовна", Role::Manager),
        ("insp", "Сидоров Олег Иванович", Role::Inspector),
        ("cash", "Кузнецова Ирина Павловна", Role::Cashier),
    ] {
        store
            .add_staff("setup", login, name, "TSK", &[role], &hash, t)
            .unwrap();
    }
    let who = |l: &str| store.actor_by_login(l).unwrap();
    let (m, i, c) = (who("mgr"), who("insp"), who("cash"));
    let input = ApplicationInput {
        last_name: "Иванов".into(),
        first_name: "Пётр".into(),
        patronymic: "Сергеевич".into(),
        birth_date: "14.03.1985".into(),
        passport: "4509 123456".into(),
        passport_issued_by: "ОУФМС России по Томской обл.".into(),
        passport_issued_on: "20.04.2005".into(),
        reg_address: "г. Томск, ул. Ленина, 1".into(),
        fact_address: "г. Томск, ул. Ленина, 1".into(),
        phone: "8 (924) 811-16-71".into(),
        income: "65000".into(),
        product: "consumer".into(),
        amount: "150000".into(),
        term_months: "24".into(),
        guarantor: "Сидорова Анна Петровна, паспорт 4510 654321".into(),
        ..Default::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let data = draft::validate(&input, &rules.products, today).unwrap();
    let app = store
        .create_application(&m, &data, m.office_id, at("2026-11-20 10:00"))
        .unwrap();
    let checks: Vec<_> = rules
        .checks
        .iter()
        .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
        .collect();
    store
        .save_checks(&m, app.id, &checks, None, &rules, at("2026-11-20 10:30"))
        .unwrap();
    for (by, step, input, when) in [
        (&m, Status::Checked, StepInput::None, "2026-11-20 11:00"),
        (&i, Status::Candidate, StepInput::None, "2026-11-20 15:00"),
        (
            &c,
            Status::Member,
            StepInput::Fees {
                entrance_receipt: "КВ-1".into(),
                share_receipt: "КВ-2".into(),
            },
            "2026-11-23 09:00",
        ),
        (&m, Status::Authorized, StepInput::None, "2026-11-23 10:00"),
        (
            &m,
            Status::Archived,
            StepInput::Contract {
                contract_no: String::new(),
                issue_date: today,
            },
            "2026-11-23 11:00",
        ),
    ] {
        let now = store.application(app.id).unwrap();
        if now.status >= to {
            break;
        }
        store
            .transition(by, app.id, now.version, step, &input, &rules, at(when))
            .unwrap();
    }
    app.number
}
