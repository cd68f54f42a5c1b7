//! `coopdesk stress` (hidden from `--help`): many desks writing one database at once, through
//! the store's real functions, and the proof afterwards that nothing acknowledged was lost.
//!
//! * `stress setup` builds the branch the workers act in: offices, one person per role, eight
//!   sales managers with their client bases (200 clients with turnover) and a pool.
//! * `stress worker --id N --log FILE` is one desk: for `--seconds` it picks actions at random —
//!   the queue's transitions from `new` to `archived` (fees, loan, cash orders and the sale
//!   come with them) or a rejection, member edits with optimistic concurrency, logged calls,
//!   client-base change requests and their approval, voluntary shares at the cash desk,
//!   reveals of personal data — and appends a line for every write the store acknowledged,
//!   with its latency, to its own log *after* the commit returned. A refusal a person would
//!   be shown (someone else saved first, a norm of the client base) is logged as such; any
//!   database error is logged as an error.
//! * `stress verify --logs DIR` checks the file (`integrity_check`, `foreign_key_check`), the
//!   invariants that hold only when every transaction was all or nothing, that every
//!   acknowledged write is there, and that the counts reconcile (exactly, or with at most
//!   `--unacked-max` commits that were not yet acknowledged when a worker was killed).
//! * `stress run --workers 24 --seconds 60` does all of it with N processes and prints the
//!   write latency percentiles.
//!
//! The crash loop in `tests/reliability.rs` kills `stress worker` with SIGKILL at random
//! moments and runs `stress verify` after each kill.

use super::{Context, Failure};
use crate::domain::application::Status;
use crate::domain::draft::{self, ApplicationInput};
use crate::domain::member::{Contact, ContactKind, MemberData};
use crate::domain::{Money, Role};
use crate::rules::Rules;
use crate::store::applications::{CheckOutcome, StepInput};
use crate::store::client_base::{By, ChangeKind, ChangeRequest, ProfileChange, TurnoverRow};
use crate::store::rating::SaleInput;
use crate::store::{Actor, Store, StoreError};
use chrono::{Local, NaiveDate, NaiveDateTime};
use clap::Subcommand;
use rusqlite::{OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Sales managers of the fixture, each with a client base.
pub const MANAGERS: usize = 8;
/// Clients held by each manager at the start.
pub const CLIENTS_EACH: usize = 25;
/// Clients in the pool at the start.
pub const POOL: usize = 40;

#[derive(Subcommand, Debug)]
pub enum StressCommand {
    /// Build the branch the workers act in (a new database).
    Setup,
    /// One desk writing for a while; every acknowledged write goes to its log.
    Worker {
        #[arg(long)]
        id: u32,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_name = "FILE")]
        log: PathBuf,
        /// A pause of up to this many milliseconds (at random) between actions: a person
        /// reads the screen between saves. 0: write back to back.
        #[arg(long, default_value_t = 1000)]
        pause_ms: u64,
    },
    /// Check the database against the workers' logs.
    Verify {
        #[arg(long, value_name = "DIR")]
        logs: PathBuf,
        /// Commits that may have happened without being acknowledged (one per killed worker).
        #[arg(long, default_value_t = 0)]
        unacked_max: u64,
    },
    /// Setup, N worker processes at once, verify, and the latency figures.
    Run {
        #[arg(long, default_value_t = 24)]
        workers: u32,
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Each desk's pause between actions, up to this many milliseconds (0: none). The
        /// default, an action every half second on average, is already several times a
        /// clerk's pace; 100 or 0 load the database to saturation.
        #[arg(long, default_value_t = 1000)]
        pause_ms: u64,
    },
}

pub fn run(ctx: &Context, cmd: &StressCommand) -> Result<(), Failure> {
    match cmd {
        StressCommand::Setup => setup(ctx).map_err(|e| Failure::from_store(e, &ctx.catalog)),
        StressCommand::Worker {
            id,
            seconds,
            seed,
            log,
            pause_ms,
        } => worker(ctx, *id, *seconds, *seed, *pause_ms, log),
        StressCommand::Verify { logs, unacked_max } => {
            let report = verify(&ctx.db_path, logs, *unacked_max)?;
            print!("{}", report.text());
            if report.failures.is_empty() {
                Ok(())
            } else {
                Err(Failure::Refused(format!(
                    "stress: {} failure(s)",
                    report.failures.len()
                )))
            }
        }
        StressCommand::Run {
            workers,
            seconds,
            seed,
            pause_ms,
        } => run_all(ctx, *workers, *seconds, *seed, *pause_ms),
    }
}

// ----- the fixture ----------------------------------------------------------------------------

fn setup(ctx: &Context) -> crate::store::Result<()> {
    fixture(&ctx.db_path, ctx.today, ctx.now())
}

/// Build the branch the workers act in, in a new database at `db`: an office, one person per
/// role (logins `mgr0`…`mgr7`, `insp`, `cash`, `head`, `mka`, `dir`), eight universal sales
/// managers holding [`CLIENTS_EACH`] clients each with turnover, and [`POOL`] clients in the
/// pool. The clients' member numbers start with `С-`.
pub fn fixture(db: &Path, today: NaiveDate, now: NaiveDateTime) -> crate::store::Result<()> {
    let mut store = Store::open(db)?;
    store.add_office("stress", "TOM", "Томский офис", "Томск", now)?;
    // One hash for everyone: argon2 is slow by design and nobody logs in here.
    let hash = crate::store::staff::hash_password("stress-pass-2026")?;
    let mut people: Vec<(String, Role)> = (0..MANAGERS)
        .map(|i| (format!("mgr{i}"), Role::Manager))
        .collect();
    for (login, role) in [
        ("insp", Role::Inspector),
        ("cash", Role::Cashier),
        ("head", Role::Head),
        ("mka", Role::Analyst),
        ("dir", Role::Director),
    ] {
        people.push((login.to_string(), role));
    }
    for (login, role) in &people {
        store.add_staff(
            "stress",
            login,
            &format!("Сотрудник {login}"),
            "TOM",
            &[*role],
            &hash,
            now,
        )?;
    }
    let rules = Rules::builtin();
    let novice = today - chrono::Duration::days(800);
    let mut ids = Vec::new();
    for i in 0..MANAGERS {
        let login = format!("mgr{i}");
        store.set_staff_profile(
            By::Operator("stress"),
            &login,
            &ProfileChange {
                specialization: Some(Some("universal".into())),
                novice_since: Some(Some(novice)),
                ..Default::default()
            },
            &rules.client_base,
            today,
            now,
        )?;
        ids.push(store.actor_by_login(&login)?.staff_id);
    }
    let office = store.office_by_code("TOM")?.map(|o| o.id).unwrap_or(1);
    let mut turnover = Vec::new();
    store.write(|tx| {
        for n in 0..MANAGERS * CLIENTS_EACH + POOL {
            let manager = ids.get(n / CLIENTS_EACH).copied();
            tx.execute(
                "INSERT INTO members(member_no, status, last_name, first_name, birth_date, passport,
                     office_id, manager_id, created_at, potential, client_group, territory,
                     assigned_since, join_date, phone)
                 VALUES (?1, 'member', ?2, 'Клиент', '1980-01-01', ?3, ?4, ?5, ?6, 'A',
                     'installers', 'Томск', ?7, '2024-01-01', ?8)",
                params![
                    format!("С-{n:05}"),
                    format!("Клиентов{n}"),
                    format!("6900 {n:06}"),
                    office,
                    manager,
                    crate::store::fmt_time(now),
                    manager.map(|_| "2024-01-01"),
                    format!("+7900{n:07}"),
                ],
            )?;
            let id = tx.last_insert_rowid();
            for k in 1..=8 {
                turnover.push(TurnoverRow {
                    member_id: id,
                    month: crate::domain::client_base::months_back(today, k),
                    amount: Money::from_rubles(20_000),
                });
            }
        }
        Ok(())
    })?;
    store.import_turnover("stress", &turnover, now)?;
    Ok(())
}

// ----- one desk -------------------------------------------------------------------------------

/// SplitMix64: a worker's own stream of choices.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
}

struct Desk {
    store: Store,
    rules: Rules,
    log: std::fs::File,
    rng: Rng,
    manager: Actor,
    inspector: Actor,
    cashier: Actor,
    head: Actor,
    analyst: Actor,
    director: Actor,
    managers: Vec<i64>,
    clients: Vec<i64>,
    /// This desk's applications still open: (id, version, status).
    open: Vec<(i64, i64, Status)>,
    today: NaiveDate,
    /// Database errors met (each also logged).
    errors: u64,
}

fn worker(
    ctx: &Context,
    id: u32,
    seconds: f64,
    seed: u64,
    pause_ms: u64,
    log: &Path,
) -> Result<(), Failure> {
    let fail = |e: StoreError| Failure::from_store(e, &ctx.catalog);
    let store = Store::open(&ctx.db_path).map_err(fail)?;
    let a = |login: &str| store.actor_by_login(login).map_err(fail);
    let manager = a(&format!("mgr{}", id as usize % MANAGERS))?;
    let (inspector, cashier, head, analyst, director) =
        (a("insp")?, a("cash")?, a("head")?, a("mka")?, a("dir")?);
    let managers = (0..MANAGERS)
        .map(|i| a(&format!("mgr{i}")).map(|x| x.staff_id))
        .collect::<Result<Vec<_>, _>>()?;
    let clients: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM members WHERE member_no LIKE 'С-%' ORDER BY id")
            .map_err(|e| fail(e.into()))?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| fail(e.into()))?
    };
    // Work already in the queue (a desk restarted after a crash carries on with it).
    let open: Vec<(i64, i64, Status)> = {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT id, version, status FROM applications
                 WHERE status NOT IN ('archived', 'rejected') ORDER BY random() LIMIT 3",
            )
            .map_err(|e| fail(e.into()))?;
        stmt.query_map([], |r| {
            let status: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, status.parse().unwrap_or(Status::New)))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| fail(e.into()))?
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Failure::Setup(format!("{}: {e}", log.display())))?;
    // A restarted worker (the crash loop) must not repeat an earlier run's choices.
    let nonce = u64::from(std::process::id())
        ^ (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0));
    let mut desk = Desk {
        store,
        rules: Rules::builtin(),
        log: file,
        rng: Rng(seed ^ (u64::from(id) << 32) ^ nonce),
        manager,
        inspector,
        cashier,
        head,
        analyst,
        director,
        managers,
        clients,
        open,
        today: ctx.today,
        errors: 0,
    };
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < until {
        desk.one_action();
        if pause_ms > 0 {
            let pause = desk.rng.below(pause_ms + 1);
            std::thread::sleep(Duration::from_millis(pause));
        }
    }
    if desk.errors > 0 {
        return Err(Failure::Store(format!(
            "stress worker {id}: {} database error(s)",
            desk.errors
        )));
    }
    Ok(())
}

/// What became of one write: acknowledged (the log line's fields), refused as a person would
/// be told, or a database error.
enum Outcome {
    Ack(String),
    Refused(&'static str),
    Error(String),
}

fn classify<T>(r: crate::store::Result<T>, ack: impl FnOnce(T) -> String) -> Outcome {
    match r {
        Ok(v) => Outcome::Ack(ack(v)),
        Err(StoreError::Conflict { .. }) => Outcome::Refused("conflict"),
        Err(StoreError::Base(_)) => Outcome::Refused("norms"),
        Err(StoreError::Invalid(_)) => Outcome::Refused("invalid"),
        Err(StoreError::Duplicate(_)) => Outcome::Refused("duplicate"),
        Err(StoreError::Refused(_)) => Outcome::Refused("refused"),
        Err(StoreError::Forbidden(_)) => Outcome::Refused("forbidden"),
        Err(e) => Outcome::Error(e.to_string()),
    }
}

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

impl Desk {
    fn now(&self) -> NaiveDateTime {
        self.today.and_time(now().time())
    }

    /// Time one store call and log what became of it.
    fn write<T>(
        &mut self,
        tag: &str,
        f: impl FnOnce(&mut Self) -> crate::store::Result<T>,
        ack: impl FnOnce(&T) -> String,
    ) -> Option<T> {
        let started = Instant::now();
        let r = f(self);
        let us = started.elapsed().as_micros();
        let mut value = None;
        let outcome = classify(r, |v| {
            let line = ack(&v);
            value = Some(v);
            line
        });
        let line = match outcome {
            Outcome::Ack(fields) => format!("{tag}\t{us}\t{fields}\n"),
            Outcome::Refused(why) => format!("X\t{us}\t{tag}\t{why}\n"),
            Outcome::Error(e) => {
                self.errors += 1;
                eprintln!("stress: {tag}: {e}");
                format!("!\t{us}\t{tag}\t{}\n", e.replace(['\t', '\n'], " "))
            }
        };
        // One write(2) per line, after the commit returned: what is in the log was
        // acknowledged; a kill can only lose the line of a commit, never invent one.
        let _ = self.log.write_all(line.as_bytes());
        value
    }

    fn one_action(&mut self) {
        match self.rng.below(100) {
            0..=29 => self.application_step(),
            30..=51 => self.member_edit(),
            52..=71 => self.log_call(),
            72..=81 => self.client_base_change(),
            82..=89 => self.sale(),
            90..=94 => self.voluntary_share(),
            _ => self.reveal(),
        }
    }

    /// A sale of savings or a service, as the rating pane records it (loans are sold by
    /// issuing them in the queue).
    fn sale(&mut self) {
        let n = self.rng.below(self.clients.len() as u64);
        let (product, amount) = if self.rng.below(2) == 0 {
            ("savings", 1000 + self.rng.below(200_000))
        } else {
            ("service", self.rng.below(5000))
        };
        let input = SaleInput {
            manager_id: self.manager.staff_id,
            member_no: format!("С-{n:05}"),
            product: product.into(),
            amount: amount.to_string(),
            date: self.today,
        };
        let m = self.manager.clone();
        let now = self.now();
        self.write(
            "S",
            |d| d.store.record_sale(&m, &input, &d.rules, now),
            |id| format!("{id}\t{product}\t{amount}"),
        );
    }

    fn client(&mut self) -> i64 {
        let n = self.rng.below(self.clients.len() as u64) as usize;
        self.clients[n]
    }

    fn application_step(&mut self) {
        if self.open.len() < 3 || self.rng.below(4) == 0 {
            let r = self.rng.next_u64();
            let input = ApplicationInput {
                last_name: "Нагрузкин".into(),
                first_name: "Тест".into(),
                patronymic: "Воркерович".into(),
                birth_date: "14.03.1985".into(),
                // Random, so a restarted worker never meets an earlier run's applicant.
                passport: format!("{:04} {:06}", 1000 + r % 9000, (r >> 16) % 1_000_000),
                passport_issued_by: "ОУФМС России по Томской обл.".into(),
                passport_issued_on: "20.04.2005".into(),
                reg_address: "г. Томск, ул. Ленина, 1".into(),
                fact_address: "г. Томск, ул. Ленина, 1".into(),
                phone: "8 (924) 811-16-71".into(),
                email: String::new(),
                income: "65000".into(),
                expenses: "20000".into(),
                payments: String::new(),
                deductions: String::new(),
                product: "consumer".into(),
                amount: "150000".into(),
                term_months: "24".into(),
                purpose: "ремонт".into(),
                guarantor: if r.is_multiple_of(2) {
                    "Поручителев П. П.".into()
                } else {
                    String::new()
                },
                collateral: String::new(),
            };
            let Ok(data) = draft::validate(&input, &self.rules.products, self.today) else {
                return;
            };
            let m = self.manager.clone();
            let office = m.office_id;
            let now = self.now();
            if let Some(rec) = self.write(
                "A",
                |d| d.store.create_application(&m, &data, office, now),
                |r| format!("{}", r.id),
            ) {
                self.open.push((rec.id, rec.version, rec.status));
            }
            return;
        }
        let k = self.rng.below(self.open.len() as u64) as usize;
        let (id, version, status) = self.open[k];
        let now = self.now();
        if self.rng.below(20) == 0 {
            let head = self.head.clone();
            let res = self.write(
                "T",
                |d| {
                    d.store.transition(
                        &head,
                        id,
                        version,
                        Status::Rejected,
                        &StepInput::Reason("отказ по итогам проверки".into()),
                        &d.rules,
                        now,
                    )
                },
                |r| format!("{id}\t{}\t{}", r.status.code(), r.version),
            );
            if res.is_some() {
                self.open.swap_remove(k);
            }
            return;
        }
        let (by, to, input) = match status {
            Status::New => {
                let checks_done: bool = self
                    .store
                    .conn()
                    .query_row(
                        "SELECT EXISTS(SELECT 1 FROM application_checks WHERE application_id = ?1)",
                        [id],
                        |r| r.get(0),
                    )
                    .unwrap_or(false);
                if !checks_done {
                    let m = self.manager.clone();
                    let checks: Vec<_> = self
                        .rules
                        .checks
                        .iter()
                        .map(|c| (c.code.clone(), Some(CheckOutcome::Ok), String::new()))
                        .collect();
                    let saved = self.write(
                        "K",
                        |d| d.store.save_checks(&m, id, &checks, None, &d.rules, now),
                        |_| format!("{id}"),
                    );
                    if saved.is_some() {
                        // The checks move the version: read it again.
                        if let Ok(app) = self.store.application(id) {
                            self.open[k].1 = app.version;
                        }
                    }
                    return;
                }
                (self.manager.clone(), Status::Checked, StepInput::None)
            }
            Status::Checked => (self.inspector.clone(), Status::Candidate, StepInput::None),
            Status::Candidate => (
                self.cashier.clone(),
                Status::Member,
                StepInput::Fees {
                    entrance_receipt: format!("ПКО-{id}-1"),
                    share_receipt: format!("ПКО-{id}-2"),
                },
            ),
            Status::Member => (self.manager.clone(), Status::Authorized, StepInput::None),
            Status::Authorized => (
                self.manager.clone(),
                Status::Archived,
                StepInput::Contract {
                    contract_no: String::new(),
                    issue_date: self.today,
                },
            ),
            Status::Archived | Status::Rejected => {
                self.open.swap_remove(k);
                return;
            }
        };
        let res = self.write(
            "T",
            |d| {
                d.store
                    .transition(&by, id, version, to, &input, &d.rules, now)
            },
            |r| format!("{id}\t{}\t{}", r.status.code(), r.version),
        );
        match res {
            Some(rec) if rec.status.is_final() => {
                self.open.swap_remove(k);
            }
            Some(rec) => self.open[k] = (id, rec.version, rec.status),
            None => {
                // Refused: read it again and carry on from where it really is.
                if let Ok(app) = self.store.application(id) {
                    self.open[k] = (id, app.version, app.status);
                }
            }
        }
    }

    fn member_edit(&mut self) {
        let id = self.client();
        let Ok(m) = self.store.member(id) else { return };
        let phone = format!("+7913{:07}", self.rng.below(10_000_000));
        let data = MemberData {
            last_name: m.last_name,
            first_name: m.first_name,
            patronymic: m.patronymic,
            birth_date: m.birth_date,
            passport: m.passport,
            reg_address: m.reg_address,
            fact_address: m.fact_address,
            phone: phone.clone(),
            email: m.email,
            potential: m.potential,
            client_group: m.client_group,
            territory: m.territory,
            related_group: m.related_group,
        };
        // Half the time the clerk takes a while over the card, so another desk saves first.
        if self.rng.below(2) == 0 {
            std::thread::sleep(Duration::from_millis(self.rng.below(20)));
        }
        let by = if self.rng.below(5) == 0 {
            self.head.clone()
        } else {
            self.manager.clone()
        };
        let now = self.now();
        self.write(
            "E",
            |d| d.store.update_member(&by, id, m.version, &data, now),
            |v| format!("{id}\t{v}\t{phone}"),
        );
    }

    fn log_call(&mut self) {
        let id = self.client();
        let cold = self.rng.below(3) == 0;
        let token = format!("звонок {:016x}", self.rng.next_u64());
        let c = Contact {
            kind: if self.rng.below(4) == 0 {
                ContactKind::Meeting
            } else {
                ContactKind::Call
            },
            direction: "out".into(),
            outcome: "successful".into(),
            temperature: if cold { "cold" } else { "warm" }.into(),
            duration_sec: self.rng.below(600) as u32,
            promise_date: None,
            promise_amount: None,
            comment: token.clone(),
        };
        let c = if c.kind == ContactKind::Meeting {
            Contact {
                direction: String::new(),
                outcome: String::new(),
                ..c
            }
        } else {
            c
        };
        let m = self.manager.clone();
        let now = self.now();
        self.write(
            "C",
            |d| d.store.log_contact(&m, id, &c, now),
            |cid| format!("{cid}\t{id}\t{token}"),
        );
    }

    fn client_base_change(&mut self) {
        let id = self.client();
        let current: Option<i64> = self
            .store
            .conn()
            .query_row("SELECT manager_id FROM members WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .ok()
            .flatten()
            .flatten();
        let to = self.managers[self.rng.below(self.managers.len() as u64) as usize];
        let req = ChangeRequest {
            kind: if current.is_some() {
                ChangeKind::Transfer
            } else {
                ChangeKind::Attach
            },
            member_id: id,
            to_staff_id: Some(to),
            memo: format!("Служебная записка {:x}", self.rng.next_u64() % 0xffff),
        };
        let (analyst, director) = (self.analyst.clone(), self.director.clone());
        let (today, now) = (self.today, self.now());
        let Some(req_id) = self.write(
            "R",
            |d| {
                d.store
                    .request_change(By::Desk(&analyst), &req, &d.rules.client_base, today, now)
            },
            |r| format!("{r}"),
        ) else {
            return;
        };
        let approve = self.rng.below(5) != 0;
        self.write(
            "D",
            |d| {
                d.store.decide_request(
                    &director,
                    req_id,
                    approve,
                    true,
                    "",
                    &d.rules.client_base,
                    today,
                    now,
                )
            },
            |_| {
                format!(
                    "{req_id}\t{}",
                    if approve { "approved" } else { "rejected" }
                )
            },
        );
    }

    fn voluntary_share(&mut self) {
        let id = self.client();
        let cashier = self.cashier.clone();
        let amount = Money::from_rubles(100 + self.rng.below(5000) as i64);
        let receipt = format!("ПКО-Д-{:08x}", self.rng.next_u64() as u32);
        let now = self.now();
        self.write(
            "V",
            |d| {
                d.store
                    .add_voluntary_share(&cashier, id, amount, &receipt, now)
            },
            |order| format!("{order}\t{id}"),
        );
    }

    fn reveal(&mut self) {
        let id = self.client();
        let m = self.manager.clone();
        let now = self.now();
        self.write(
            "P",
            |d| d.store.reveal_personal_data(&m, id, now),
            |_| format!("{id}"),
        );
    }
}

// ----- checking -------------------------------------------------------------------------------

/// What `verify` found: every failure in words, the counts and the latencies.
#[derive(Debug, Default)]
pub struct Report {
    pub failures: Vec<String>,
    /// Acknowledged writes by kind (log tag).
    pub acked: BTreeMap<String, u64>,
    /// Refusals a person would be shown, by kind.
    pub refused: BTreeMap<String, u64>,
    /// Database errors that reached a caller.
    pub errors: u64,
    /// Every write's latency, microseconds, sorted.
    pub latencies_us: Vec<u64>,
}

impl Report {
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies_us.len()) - 1;
        self.latencies_us[i] as f64 / 1000.0
    }

    pub fn text(&self) -> String {
        let total: u64 = self.acked.values().sum();
        let refused: u64 = self.refused.values().sum();
        let mut s = String::new();
        s.push_str(&format!("acknowledged writes: {total}\n"));
        for (k, n) in &self.acked {
            s.push_str(&format!("  {:<22} {n}\n", tag_name(k)));
        }
        s.push_str(&format!("refused (shown to the person): {refused}\n"));
        for (k, n) in &self.refused {
            s.push_str(&format!("  {k:<22} {n}\n"));
        }
        s.push_str(&format!("database errors: {}\n", self.errors));
        s.push_str(&format!(
            "write latency ms: p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}  (n = {})\n",
            self.percentile_ms(50.0),
            self.percentile_ms(95.0),
            self.percentile_ms(99.0),
            self.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0,
            self.latencies_us.len()
        ));
        s.push_str(&format!("failures: {}\n", self.failures.len()));
        for f in self.failures.iter().take(50) {
            s.push_str(&format!("  FAIL {f}\n"));
        }
        s
    }
}

fn tag_name(tag: &str) -> &str {
    match tag {
        "A" => "applications created",
        "K" => "checks saved",
        "T" => "transitions",
        "E" => "member edits",
        "C" => "calls and meetings",
        "R" => "change requests",
        "D" => "decisions",
        "V" => "voluntary shares",
        "S" => "sales (savings, services)",
        "P" => "personal-data reveals",
        other => other,
    }
}

/// Invariants that hold only if every transaction was all or nothing: each query counts the
/// rows that break it.
pub const INVARIANTS: &[(&str, &str)] = &[
    (
        "an application past `candidate` has its member",
        "SELECT count(*) FROM applications
         WHERE status IN ('candidate','member','authorized','archived') AND member_id IS NULL",
    ),
    (
        "an application at `member` or later has a member with a number and a join date",
        "SELECT count(*) FROM applications a JOIN members m ON m.id = a.member_id
         WHERE a.status IN ('member','authorized','archived')
           AND (m.member_no IS NULL OR m.join_date IS NULL
             -- A former member applying again is a candidate once more, number kept.
             OR (m.status = 'candidate' AND NOT EXISTS (
                   SELECT 1 FROM applications b WHERE b.member_id = m.id AND b.status = 'candidate')))",
    ),
    (
        "a member admitted through an application has paid the entrance fee and the share, each with its cash order",
        "SELECT count(*) FROM applications a
         WHERE a.status IN ('member','authorized','archived')
           AND (NOT EXISTS (SELECT 1 FROM contributions c WHERE c.member_id = a.member_id AND c.kind = 'entrance_fee')
             OR NOT EXISTS (SELECT 1 FROM contributions c WHERE c.member_id = a.member_id AND c.kind = 'mandatory_share')
             OR NOT EXISTS (SELECT 1 FROM cash_orders o WHERE o.member_id = a.member_id AND o.kind = 'entrance_fee')
             OR NOT EXISTS (SELECT 1 FROM cash_orders o WHERE o.member_id = a.member_id AND o.kind = 'mandatory_share'))",
    ),
    (
        "fees paid for an application: as many cash orders as contributions",
        "SELECT count(*) FROM (
            SELECT c.member_id, c.kind, count(*) AS n FROM contributions c
            WHERE c.application_id IS NOT NULL GROUP BY c.member_id, c.kind) x
         WHERE x.n > (SELECT count(*) FROM cash_orders o WHERE o.member_id = x.member_id AND o.kind = x.kind)",
    ),
    (
        "a fee is never paid for an application that did not reach `member`",
        "SELECT count(*) FROM contributions c JOIN applications a ON a.id = c.application_id
         WHERE a.status NOT IN ('member','authorized','archived')
           AND NOT (a.status = 'rejected' AND EXISTS (SELECT 1 FROM application_events e
                WHERE e.application_id = a.id AND e.kind = 'status' AND e.to_status = 'member'))",
    ),
    (
        "an archived application has exactly one loan, its issue cash order and its sale",
        // Counted once per table and joined (neither loans nor sales is indexed by
        // application): a correlated count per archived application scanned them each time.
        "SELECT count(*) FROM applications a
         LEFT JOIN (SELECT application_id, count(*) AS n FROM loans GROUP BY application_id) l
                ON l.application_id = a.id
         LEFT JOIN (SELECT l.application_id, count(*) AS n FROM cash_orders o
                    JOIN loans l ON l.id = o.loan_id
                    WHERE o.kind = 'loan_issue' GROUP BY l.application_id) o
                ON o.application_id = a.id
         LEFT JOIN (SELECT application_id, count(*) AS n FROM sales GROUP BY application_id) s
                ON s.application_id = a.id
         WHERE a.status = 'archived'
           AND (COALESCE(l.n, 0) <> 1 OR COALESCE(o.n, 0) <> 1 OR COALESCE(s.n, 0) <> 1)",
    ),
    (
        "nothing is issued for an application that is not archived",
        "SELECT (SELECT count(*) FROM loans l JOIN applications a ON a.id = l.application_id
                 WHERE a.status <> 'archived')
              + (SELECT count(*) FROM sales s JOIN applications a ON a.id = s.application_id
                 WHERE a.status <> 'archived')",
    ),
    (
        "a loan's agreements are there for its guarantor",
        "SELECT count(*) FROM loans l JOIN applications a ON a.id = l.application_id
         WHERE a.guarantor <> ''
           AND NOT EXISTS (SELECT 1 FROM loan_agreements g WHERE g.loan_id = l.id AND g.kind = 'guarantee')",
    ),
    (
        "every application has its creation in the history",
        "SELECT count(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM application_events e
            WHERE e.application_id = a.id AND e.kind IN ('created','imported'))",
    ),
    (
        "the last status change in the history is the application's status",
        "SELECT count(*) FROM applications a
         WHERE a.status <> COALESCE((SELECT e.to_status FROM application_events e
                WHERE e.application_id = a.id AND e.kind = 'status' ORDER BY e.id DESC LIMIT 1), 'new')",
    ),
    (
        "each status change starts where the one before it ended",
        "SELECT count(*) FROM application_events e
         WHERE e.kind = 'status' AND e.from_status IS NOT COALESCE((SELECT p.to_status FROM application_events p
                WHERE p.application_id = e.application_id AND p.kind = 'status' AND p.id < e.id
                ORDER BY p.id DESC LIMIT 1), 'new')",
    ),
    (
        "a rejected application has its reason",
        "SELECT count(*) FROM applications WHERE status = 'rejected' AND reject_reason = ''",
    ),
    (
        "a client's manager is the one its last change of assignment gave it",
        "SELECT count(*) FROM members m
         WHERE EXISTS (SELECT 1 FROM assignment_history h WHERE h.member_id = m.id AND h.reason <> 'co_assign')
           AND m.manager_id IS NOT (SELECT h.to_staff_id FROM assignment_history h
                WHERE h.member_id = m.id AND h.reason <> 'co_assign' ORDER BY h.id DESC LIMIT 1)",
    ),
    (
        "an approved request is in the assignment history; a pending or rejected one is not",
        "SELECT (SELECT count(*) FROM assignment_requests q WHERE q.status = 'approved'
                 AND NOT EXISTS (SELECT 1 FROM assignment_history h WHERE h.request_id = q.id))
              + (SELECT count(*) FROM assignment_requests q WHERE q.status <> 'approved'
                 AND EXISTS (SELECT 1 FROM assignment_history h WHERE h.request_id = q.id))",
    ),
    (
        "a decided request names who decided and when",
        "SELECT count(*) FROM assignment_requests WHERE status IN ('approved','rejected')
            AND (decided_by IS NULL OR decided_at IS NULL)",
    ),
    (
        "a voluntary share has its cash order",
        "SELECT count(*) FROM contributions c WHERE c.kind = 'voluntary_share'
           AND NOT EXISTS (SELECT 1 FROM cash_orders o WHERE o.kind = 'voluntary_share'
                AND o.member_id = c.member_id AND o.receipt_no = c.receipt_no AND o.amount = c.amount)",
    ),
    (
        "cash orders of voluntary shares are no more than the shares",
        "SELECT abs((SELECT count(*) FROM cash_orders WHERE kind = 'voluntary_share')
                  - (SELECT count(*) FROM contributions WHERE kind = 'voluntary_share'))",
    ),
    (
        "cash-order numbers are unique and the counter is past them",
        "SELECT count(*) FROM cash_orders
         WHERE CAST(number AS INTEGER) > COALESCE((SELECT value FROM counters WHERE name = 'cash_order'), 0)",
    ),
    (
        "a member's latest edit is in the audit, with its version",
        "SELECT count(*) FROM members m WHERE m.updated_by IS NOT NULL AND m.version > 1
           AND NOT EXISTS (SELECT 1 FROM audit x WHERE x.action = 'members.edit'
                AND x.member_id = m.id AND x.detail LIKE 'member ' || m.id || ' v' || m.version || ':%')
           AND m.member_no LIKE 'С-%'",
    ),
];

/// One acknowledged write from a log.
struct Line {
    tag: String,
    us: u64,
    fields: Vec<String>,
}

fn read_logs(dir: &Path) -> std::io::Result<Vec<Line>> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        for l in text.lines() {
            let mut parts = l.split('\t');
            let (Some(tag), Some(us)) = (parts.next(), parts.next()) else {
                continue;
            };
            out.push(Line {
                tag: tag.to_string(),
                us: us.parse().unwrap_or(0),
                fields: parts.map(str::to_string).collect(),
            });
        }
    }
    Ok(out)
}

/// Check the database at `db` against the logs in `logs`.
pub fn verify(db: &Path, logs: &Path, unacked_max: u64) -> Result<Report, Failure> {
    let lines = read_logs(logs).map_err(|e| Failure::Setup(format!("{}: {e}", logs.display())))?;
    let conn = crate::store::backup::open_read_only(db)
        .map_err(|e| Failure::Store(format!("{}: {e}", db.display())))?;
    let mut r = Report::default();
    let q = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |x| x.get(0)) };
    let db_fail = |e: rusqlite::Error| Failure::Store(e.to_string());

    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |x| x.get(0))
        .map_err(db_fail)?;
    if integrity != "ok" {
        r.failures.push(format!("integrity_check: {integrity}"));
    }
    let fk: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |x| x.get(0))
        .optional()
        .map_err(db_fail)?;
    if let Some(t) = fk {
        r.failures
            .push(format!("foreign_key_check: a broken key in {t}"));
    }
    for (name, sql) in INVARIANTS {
        let n = q(sql).map_err(db_fail)?;
        if n != 0 {
            r.failures.push(format!("{name}: {n} row(s)"));
        }
    }

    for l in &lines {
        r.latencies_us.push(l.us);
        match l.tag.as_str() {
            "X" => {
                *r.refused
                    .entry(
                        l.fields.first().cloned().unwrap_or_default()
                            + " "
                            + l.fields.get(1).map_or("", |s| s.as_str()),
                    )
                    .or_default() += 1
            }
            "!" => {
                r.errors += 1;
                r.failures.push(format!(
                    "a database error reached the desk: {}",
                    l.fields.join(" ")
                ));
            }
            t => *r.acked.entry(t.to_string()).or_default() += 1,
        }
    }
    r.latencies_us.sort_unstable();

    // Every acknowledged write is there.
    let f = |l: &Line, i: usize| l.fields.get(i).cloned().unwrap_or_default();
    let exists = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> bool {
        conn.query_row(sql, p, |x| x.get::<_, bool>(0))
            .unwrap_or(false)
    };
    let mut edits: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for l in &lines {
        let ok = match l.tag.as_str() {
            "A" | "K" => exists(
                "SELECT EXISTS(SELECT 1 FROM application_events WHERE application_id = ?1 AND kind = ?2)",
                &[&f(l, 0), &if l.tag == "A" { "created" } else { "checks" }],
            ),
            "T" => exists(
                "SELECT EXISTS(SELECT 1 FROM application_events e JOIN applications a ON a.id = e.application_id
                 WHERE e.application_id = ?1 AND e.kind = 'status' AND e.to_status = ?2 AND a.version >= ?3)",
                &[&f(l, 0), &f(l, 1), &f(l, 2).parse::<i64>().unwrap_or(0)],
            ),
            "E" => {
                let (id, v) = (
                    f(l, 0).parse::<i64>().unwrap_or(0),
                    f(l, 1).parse::<i64>().unwrap_or(0),
                );
                edits.entry(id).or_default().push((v, f(l, 2)));
                true
            }
            "C" => exists(
                "SELECT EXISTS(SELECT 1 FROM contacts WHERE id = ?1 AND member_id = ?2 AND comment = ?3)",
                &[&f(l, 0), &f(l, 1), &f(l, 2)],
            ),
            "R" => exists(
                "SELECT EXISTS(SELECT 1 FROM assignment_requests WHERE id = ?1)",
                &[&f(l, 0)],
            ),
            "D" => exists(
                "SELECT EXISTS(SELECT 1 FROM assignment_requests WHERE id = ?1 AND status = ?2)",
                &[&f(l, 0), &f(l, 1)],
            ),
            "V" => exists(
                "SELECT EXISTS(SELECT 1 FROM cash_orders WHERE number = ?1 AND member_id = ?2 AND kind = 'voluntary_share')",
                &[&f(l, 0), &f(l, 1)],
            ),
            "S" => exists(
                "SELECT EXISTS(SELECT 1 FROM sales WHERE id = ?1 AND product = ?2 AND amount = ?3 * 100
                    AND application_id IS NULL)",
                &[&f(l, 0), &f(l, 1), &f(l, 2).parse::<i64>().unwrap_or(-1)],
            ),
            "P" => true,
            _ => true,
        };
        if !ok {
            r.failures.push(format!(
                "acknowledged but missing: {} {}",
                tag_name(&l.tag),
                l.fields.join(" ")
            ));
        }
    }

    // Member edits: no version acknowledged twice (a lost update), the record at least as new
    // as the newest acknowledged save and, when it is that save, holding what it wrote.
    for (id, mut saves) in edits {
        saves.sort();
        if saves.windows(2).any(|w| w[0].0 == w[1].0) {
            r.failures.push(format!(
                "member {id}: two saves acknowledged as one version"
            ));
        }
        let (version, phone): (i64, String) = conn
            .query_row(
                "SELECT version, phone FROM members WHERE id = ?1",
                [id],
                |x| Ok((x.get(0)?, x.get(1)?)),
            )
            .map_err(db_fail)?;
        let (last_v, last_phone) = saves.last().cloned().unwrap_or_default();
        if version < last_v {
            r.failures.push(format!(
                "member {id}: version {version} older than the acknowledged {last_v}"
            ));
        } else if version == last_v && phone != last_phone {
            r.failures.push(format!(
                "member {id}: holds {phone}, the last acknowledged save wrote {last_phone}"
            ));
        }
    }

    // Counts reconcile: what the tables hold is what was acknowledged, give or take the
    // commits a killed worker could not acknowledge.
    let counts: [(&str, &str); 9] = [
        (
            "S",
            "SELECT count(*) FROM sales WHERE application_id IS NULL",
        ),
        ("A", "SELECT count(*) FROM applications"),
        (
            "E",
            "SELECT count(*) FROM audit WHERE action = 'members.edit'",
        ),
        (
            "K",
            "SELECT count(DISTINCT application_id) FROM application_events WHERE kind = 'checks'",
        ),
        (
            "T",
            "SELECT count(*) FROM application_events WHERE kind = 'status'",
        ),
        ("C", "SELECT count(*) FROM contacts"),
        ("R", "SELECT count(*) FROM assignment_requests"),
        (
            "D",
            "SELECT count(*) FROM assignment_requests WHERE status <> 'pending'",
        ),
        (
            "V",
            "SELECT count(*) FROM cash_orders WHERE kind = 'voluntary_share'",
        ),
    ];
    let mut extra = 0;
    for (tag, sql) in counts {
        let have = q(sql).map_err(db_fail)? as u64;
        let acked = if tag == "K" {
            // Two desks saving the same checks at once: the second save changes nothing and
            // writes no history row, yet is rightly acknowledged. Count applications.
            lines
                .iter()
                .filter(|l| l.tag == "K")
                .map(|l| f(l, 0))
                .collect::<std::collections::HashSet<_>>()
                .len() as u64
        } else {
            *r.acked.get(tag).unwrap_or(&0)
        };
        if have < acked {
            r.failures.push(format!(
                "{}: {have} in the database, {acked} acknowledged",
                tag_name(tag)
            ));
        }
        extra += have.saturating_sub(acked);
    }
    let views = q("SELECT count(*) FROM personal_data_views").map_err(db_fail)? as u64;
    let acked_views = *r.acked.get("P").unwrap_or(&0);
    if views < acked_views {
        r.failures.push(format!(
            "personal-data reveals: {views} recorded, {acked_views} acknowledged"
        ));
    }
    extra += views.saturating_sub(acked_views);
    // The rating's aggregates, kept by triggers, agree with the sales.
    let store = Store::open(db).map_err(|e| Failure::Store(e.to_string()))?;
    let off = store
        .sales_aggregate_mismatches()
        .map_err(|e| Failure::Store(e.to_string()))?;
    if !off.is_empty() {
        r.failures.push(format!(
            "the rating's aggregates differ from the sales: {off:?}"
        ));
    }
    if extra > unacked_max {
        r.failures.push(format!(
            "{extra} write(s) in the database that nobody acknowledged (at most {unacked_max} expected)"
        ));
    }
    Ok(r)
}

// ----- the whole run --------------------------------------------------------------------------

fn run_all(
    ctx: &Context,
    workers: u32,
    seconds: f64,
    seed: u64,
    pause_ms: u64,
) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    if ctx.db_path.exists() {
        let db = ctx.db_path.display().to_string();
        return Err(Failure::Setup(
            cat.f("cli.stress_db_exists", &[("db", &db)]),
        ));
    }
    let logs = logs_dir(&ctx.db_path);
    clear_stale_logs(&logs, cat)?;
    setup(ctx).map_err(|e| Failure::from_store(e, cat))?;
    std::fs::create_dir_all(&logs).map_err(|e| Failure::Setup(e.to_string()))?;
    let exe = std::env::current_exe().map_err(|e| Failure::Setup(e.to_string()))?;
    let started = Instant::now();
    let mut children = Vec::new();
    for id in 0..workers {
        let child = std::process::Command::new(&exe)
            .arg("--db")
            .arg(&ctx.db_path)
            .arg("--today")
            .arg(ctx.today.to_string())
            .args(["stress", "worker", "--id", &id.to_string()])
            .args(["--seconds", &seconds.to_string()])
            .args(["--seed", &seed.to_string()])
            .args(["--pause-ms", &pause_ms.to_string()])
            .arg("--log")
            .arg(logs.join(format!("worker-{id:03}.log")))
            .spawn()
            .map_err(|e| Failure::Setup(e.to_string()))?;
        children.push(child);
    }
    let mut exits = Vec::new();
    for mut c in children {
        exits.push(c.wait().map(|s| s.success()).unwrap_or(false));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let report = verify(&ctx.db_path, &logs, 0)?;
    print!("{}", report.text());
    let total: u64 = report.acked.values().sum();
    println!(
        "workers: {workers}, {seconds} s, pauses up to {pause_ms} ms, {elapsed:.1} s wall, {:.0} acknowledged writes/s",
        total as f64 / elapsed.max(0.001)
    );
    let failed = exits.iter().filter(|ok| !**ok).count();
    if failed > 0 {
        return Err(Failure::Store(format!(
            "stress: {failed} worker(s) did not finish cleanly"
        )));
    }
    if !report.failures.is_empty() {
        return Err(Failure::Store(format!(
            "stress: {} failure(s)",
            report.failures.len()
        )));
    }
    Ok(())
}

/// The logs of an earlier run on the same path (its database since removed) would be
/// verified against the new database and reported as acknowledged writes gone missing: remove
/// them. A folder holding anything but workers' logs is not ours to empty — refuse.
fn clear_stale_logs(logs: &Path, cat: &crate::i18n::Catalog) -> Result<(), Failure> {
    let entries = match std::fs::read_dir(logs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Failure::Setup(format!("{}: {e}", logs.display()))),
    };
    let mut stale = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Failure::Setup(format!("{}: {e}", logs.display())))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_log = name.starts_with("worker-") && name.ends_with(".log");
        if !is_log || !entry.file_type().is_ok_and(|t| t.is_file()) {
            let dir = logs.display().to_string();
            return Err(Failure::Setup(
                cat.f("cli.stress_logs_foreign", &[("dir", &dir), ("file", &name)]),
            ));
        }
        stale.push(entry.path());
    }
    for path in stale {
        std::fs::remove_file(&path)
            .map_err(|e| Failure::Setup(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// Where `stress run` keeps the workers' logs: beside the database.
pub fn logs_dir(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".stress");
    db.with_file_name(name)
}
