//! `coopdesk demo`: a demonstration database with realistic data.
//!
//! Three offices and their staff; members who joined over the last six years, with their fees,
//! voluntary shares and loans; and a journal of applications over the last two months in every
//! status. Nothing is written behind the rules' back: every application lives through the steps
//! of DOMAIN §2, acted by a person holding the role for the step, and every loan has the archived
//! application it was issued on. When a scorecard is active, every application that went past
//! `new` was scored on it by the manager before they checked it (DOMAIN §3), and some new ones
//! are being scored; the answers fit the applicant (`demo/score.rs`).
//!
//! How it is built. Everything that happens is planned first, as timed steps, from a seeded
//! generator (same seed and date, same database) and the calendar of working days. The steps
//! are then played in time order, so that application, member, contract and cash-order numbers
//! follow the dates. The past — earlier members and their loans, and all but the last
//! [`API_APPLICATIONS`] applications — is played through the store's bulk writer in one
//! transaction; from there on every step goes through the store's own actions, one transaction
//! each, exactly as the desk would take it. The bulk writer calls the same side-effect code, and a
//! test checks that both ways give the same database.

mod client_base;
pub mod sales_rating;
mod score;

use super::{Context, Failure};
use crate::domain::calendar::Calendar;
use crate::domain::draft::{ApplicationData, Borrower, LoanTerms};
use crate::domain::validate::age_on;
use crate::domain::{Money, Role, Status};
use crate::rules::Rules;
use crate::store::applications::{BureauCheck, CheckOutcome, ImportRow, QueueQuery, StepInput};
use crate::store::demo::{
    BUILD_CACHE_KIB, BulkWriter, DemoCounts, EarlierMember, LoanBalance, LoanForServicing,
    as_stored,
};
use crate::store::scores::Evaluated;
use crate::store::staff::hash_password;
use crate::store::{Actor, Store, StoreError};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The one password every demo login has.
pub const DEMO_PASSWORD: &str = "demo-pass-2026";

/// How many of the newest applications are driven through the store's own actions, one
/// transaction per step; older ones are written by the bulk writer.
pub const API_APPLICATIONS: usize = 2000;

/// Secondary indexes built after the bulk fill rather than kept up to date row by row: the
/// journal's sort keys and a history index, which no statement of the fill reads. The member
/// search's own indexes wait until the search table is filled at the end.
const DEFERRED_INDEXES: [&str; 18] = [
    "members_manager",
    "members_office",
    "members_related_group",
    "contributions_member",
    "cash_orders_member",
    "loans_member",
    "audit_member",
    "audit_application",
    "applications_status",
    "applications_created",
    "applications_applicant",
    "applications_amount",
    "applications_since",
    "applications_product",
    "applications_assignee",
    "applications_office",
    "applications_assignee_sort",
    "application_events_at",
];
const DEFERRED_SEARCH_INDEXES: [&str; 3] = [
    "member_search_last",
    "member_search_first",
    "member_search_patr",
];

/// The page cache while the newest applications go through the store's own actions, KiB.
const API_CACHE_KIB: u32 = 16_384;

/// How many batches of plans the drawing thread may have ready before the writer takes them,
/// and how many plans a batch holds.
const PREPARED_AHEAD: usize = 16;
const PREPARED_BATCH: u32 = 256;

/// Who `import_applications` records as the author of applications from the website.
const IMPORT_LABEL: &str = "import:site";

/// Why demo members left, as the clerk types it on the exit form (data, like the names).
const LEAVE_REASON: &str = "заявление пайщика о выходе";

/// Who offices and staff are recorded as created by.
const DEMO_ACTOR: &str = "demo";

/// What to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSpec {
    /// The business date: everything happens before 09:00 of this day.
    pub today: NaiveDate,
    /// Members who joined before the last three months.
    pub members: usize,
    /// Applications of the last two months.
    pub applications: usize,
    pub seed: u64,
    /// How many of the newest applications go through the store's own actions
    /// ([`API_APPLICATIONS`] by default; 0 writes everything in bulk).
    pub api_applications: usize,
}

impl DemoSpec {
    pub fn new(today: NaiveDate, members: usize, applications: usize, seed: u64) -> DemoSpec {
        DemoSpec {
            today,
            members,
            applications,
            seed,
            api_applications: API_APPLICATIONS,
        }
    }
}

/// What was built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoReport {
    pub counts: DemoCounts,
    /// Applications per status, in the order of the process.
    pub by_status: Vec<(Status, u64)>,
    /// Applications whose every step went through the store's own actions.
    pub through_store_actions: usize,
}

// ----- the command ---------------------------------------------------------------------------

pub fn run(ctx: &Context, members: usize, applications: usize, seed: u64) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    let fail = |e: StoreError| Failure::from_store(e, cat);
    let db = ctx.db_path.display().to_string();
    let mut build_in_place = false;
    if ctx.db_path.exists() {
        let store = ctx.open_store()?;
        if store.is_initialised().map_err(fail)? {
            if !store.is_demo().map_err(fail)? {
                return Err(Failure::Refused(cat.f("cli.demo_not_demo", &[("db", &db)])));
            }
            say(cat.f("cli.demo_exists", &[("db", &db)]));
            print_logins(ctx, &store)?;
            return Ok(());
        }
        // An empty database (created, never set up): build in it.
        build_in_place = true;
    }

    // Build beside the target and move it into place when done, so that an interrupted build
    // never leaves a half-made database behind.
    let target = ctx.db_path.clone();
    let path = if build_in_place {
        target.clone()
    } else {
        building_path(&target)
    };
    if !build_in_place {
        remove_database_files(&path);
    }
    let spec = DemoSpec::new(ctx.today, members, applications, seed);
    let tty = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: u64, total: u64| {
        if !tty || total < 5_000 {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let style =
                indicatif::ProgressStyle::with_template("{msg} [{wide_bar}] {percent}% {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            indicatif::ProgressBar::new(total)
                .with_style(style)
                .with_message(cat.t("cli.demo_progress").to_string())
        });
        b.set_position(done.min(total));
    };
    let built = Store::open(&path)
        .and_then(|mut store| build(&mut store, &ctx.rules, &spec, &mut progress))
        .map_err(fail);
    let report = match built {
        Ok(r) => r,
        Err(f) => {
            if !build_in_place {
                remove_database_files(&path);
            }
            return Err(f);
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !build_in_place {
        // The target does not exist: any WAL beside it is stale and must not be replayed
        // into the new file. The build's own WAL was written into it when the store closed.
        remove_database_files(&target);
        std::fs::rename(&path, &target)
            .map_err(|e| Failure::Store(format!("{} → {}: {e}", path.display(), db)))?;
        // What is left beside the old name (the writers' queue file).
        remove_database_files(&path);
    }

    say(cat.f("cli.demo_built", &[("db", &db)]));
    let c = &report.counts;
    say(cat.f(
        "cli.demo_summary",
        &[
            ("members", &c.members.to_string()),
            ("candidates", &c.candidates.to_string()),
            ("left", &c.left.to_string()),
            ("applications", &c.applications.to_string()),
            ("loans", &c.loans.to_string()),
        ],
    ));
    let statuses = report
        .by_status
        .iter()
        .map(|(s, n)| format!("{} {n}", cat.t(&format!("status.{}", s.code()))))
        .collect::<Vec<_>>()
        .join("; ");
    say(cat.f("cli.demo_by_status", &[("list", &statuses)]));
    let store = Store::open(&target).map_err(fail)?;
    print_logins(ctx, &store)
}

/// A line on standard output; a closed pipe (`| head`) is no reason to fail.
fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn building_path(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "demo.db".into());
    name.push(".building");
    target.with_file_name(name)
}

/// Remove a database file and its WAL companions, if there.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal", "-turns"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn print_logins(ctx: &Context, store: &Store) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    say(cat.f("cli.demo_logins", &[("password", DEMO_PASSWORD)]));
    let mut staff = store.staff().map_err(|e| Failure::from_store(e, cat))?;
    let office_rank = |code: &str| {
        OFFICES
            .iter()
            .position(|o| o.code == code)
            .unwrap_or(OFFICES.len())
    };
    staff.sort_by(|a, b| {
        (office_rank(&a.office_code), &a.login).cmp(&(office_rank(&b.office_code), &b.login))
    });
    let width = staff.iter().map(|s| s.login.len()).max().unwrap_or(0);
    for s in staff {
        let mut roles = s.roles.clone();
        roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
        let roles = roles
            .iter()
            .map(|r| cat.t(&format!("role.{}", r.code())).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        say(cat.f(
            "cli.demo_login_line",
            &[
                ("login", &format!("{:<width$}", s.login)),
                ("name", &s.name),
                ("office", &s.office_code),
                ("roles", &roles),
            ],
        ));
    }
    Ok(())
}

// ----- building ------------------------------------------------------------------------------

/// Build the demo into an empty database. `progress(done, total)` is told about steps played.
pub fn build(
    store: &mut Store,
    rules: &Rules,
    spec: &DemoSpec,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoReport, StoreError> {
    // A demo database is throwaway while it is being made: do not wait for the disk.
    store.set_build_mode(true)?;
    let out = build_inner(store, rules, spec, progress);
    let restored = store.set_build_mode(false);
    let report = out?;
    restored?;
    Ok(report)
}

fn build_inner(
    store: &mut Store,
    rules: &Rules,
    spec: &DemoSpec,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoReport, StoreError> {
    let planner = Planner::new(rules, spec);
    // `COOPDESK_DEMO_PHASES=1`: when each phase ended (a developer's measure, not a message).
    let phases = std::env::var_os("COOPDESK_DEMO_PHASES").is_some();
    let t0 = std::time::Instant::now();
    let lap = |name: &str| {
        if phases {
            eprintln!("phase {name} {:.2} s", t0.elapsed().as_secs_f64());
        }
    };

    // Offices and staff, through the store's own actions, before anything else happened.
    let founded = planner.history_start - Duration::days(30);
    let founded = at_minute(founded.date(), OPEN);
    let hash = hash_password(DEMO_PASSWORD)?;
    let mut office_ids = Vec::new();
    for o in OFFICES {
        office_ids.push(store.add_office(DEMO_ACTOR, o.code, o.name, o.city, founded)?);
    }
    let mut actors = Vec::new();
    for s in STAFF {
        let id = store.add_staff(
            DEMO_ACTOR,
            s.login,
            s.name,
            OFFICES[s.office].code,
            s.roles,
            &hash,
            founded,
        )?;
        actors.push(store.actor(id)?);
    }

    lap("staff");
    let schedule = Schedule::new(planner.plan());
    lap("plan");
    let search_triggers = store.suspend_member_search()?;
    let deferred = store.defer_indexes(&DEFERRED_INDEXES)?;
    let deferred_search = store.defer_indexes(&DEFERRED_SEARCH_INDEXES)?;

    // Two cores: one thread draws what each plan will do (people, scripts, scorecard answers:
    // pure, in plan order), this one writes it. The database gets the same rows in the same
    // order as when one thread did both.
    let through_store_actions = std::thread::scope(|scope| -> Result<usize, StoreError> {
        let (ahead, feed) = std::sync::mpsc::sync_channel(PREPARED_AHEAD);
        let (planner, schedule) = (&planner, &schedule);
        scope.spawn(move || {
            // Handed over in batches: a hand-over per plan costs the two threads more in
            // waking each other than the drawing itself.
            let count = schedule.plans.len() as u32;
            let mut next = 0;
            while next < count {
                let end = count.min(next + PREPARED_BATCH);
                let batch: Vec<Prepared> =
                    (next..end).map(|p| prepare(planner, schedule, p)).collect();
                next = end;
                // The engine stopped (done, or failed): nothing more to draw.
                if ahead.send(batch).is_err() {
                    break;
                }
            }
        });
        let mut engine = Engine::new(planner, schedule, feed, actors, office_ids);

        // The past in one transaction; the newest applications step by step through the store.
        let switch = engine.set_switch(spec.api_applications);
        store.bulk(|w| {
            let mut sink = BulkSink { w, rules };
            engine.play(Some(switch), &mut sink, progress)
        })?;
        lap("fill");
        store.restore_indexes(&deferred)?;
        lap("bulk");
        // One transaction per step from here, and SQLite walks the whole page cache at every
        // commit: a fresh connection with a small cache, not the bulk fill's 256 MB.
        let path = store.path().to_path_buf();
        *store = Store::open(&path)?;
        store.set_build_mode(true)?;
        store.set_build_cache(API_CACHE_KIB)?;
        let mut sink = ApiSink {
            store: &mut *store,
            rules,
        };
        engine.play(None, &mut sink, progress)?;
        sink.store.set_build_cache(BUILD_CACHE_KIB)?;
        progress(engine.total, engine.total);
        Ok(engine.through_store_actions)
    })?;
    lap("api");

    // Loans as they stand today.
    let balances: Vec<LoanBalance> = store
        .loans_for_servicing()?
        .iter()
        .map(|l| balance_on(spec.seed, l, spec.today))
        .collect();
    store.set_loan_balances(&balances)?;
    lap("balances");
    store.rebuild_member_search(&search_triggers)?;
    store.restore_indexes(&deferred_search)?;
    lap("search");
    store.enrich_demo_members(spec.seed, spec.today, FULL_HISTORY_MEMBERS)?;

    // Sales specialisations, client groups, turnover and bases for the client-base pane.
    lap("enrich");
    client_base::fill(store, rules, spec.seed, spec.today, DEMO_ACTOR)?;
    lap("client_base");

    // The sales rating: plans, desk sales of savings and services, scores, calls and meetings.
    sales_rating::populate(store, rules, spec.today, spec.seed)?;
    lap("rating");

    store.mark_demo(
        &format!(
            "seed={} members={} applications={} today={}",
            spec.seed, spec.members, spec.applications, spec.today
        ),
        planner.end,
    )?;

    let mut by_status = Vec::new();
    for s in Status::ALL {
        let n = store.queue_count(&QueueQuery {
            statuses: vec![s],
            ..Default::default()
        })?;
        by_status.push((s, n));
    }
    Ok(DemoReport {
        counts: store.demo_counts()?,
        by_status,
        through_store_actions,
    })
}

// ----- a small deterministic generator ---------------------------------------------------------

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64. Every person, member history and application draws from its own stream, so
/// what one draws never shifts another.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn derive(seed: u64, stream: u64, index: u64) -> Rng {
        Rng(mix(mix(seed.wrapping_add(stream.wrapping_mul(GOLDEN)))
            ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut x = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const S_PERSON: u64 = 1;
const S_MEMBER: u64 = 2;
const S_RECENT: u64 = 3;
const S_SCRIPT: u64 = 4;
const S_LOAN: u64 = 5;
const S_SERVICE: u64 = 6;
const S_SCORE: u64 = 7;

/// Members whose loans are played through applications; later ones get theirs as the
/// accounting system reports them (`Store::enrich_demo_members`).
pub const FULL_HISTORY_MEMBERS: u32 = 50_000;

// ----- offices, staff and the people of the region ----------------------------------------------

struct OfficeDef {
    code: &'static str,
    name: &'static str,
    city: &'static str,
    /// Index into [`REGIONS`].
    region: usize,
    /// Share of the members.
    weight: u64,
    /// Incomes here, percent of Tomsk's.
    income_pct: i64,
    streets: &'static [&'static str],
    /// Places around the city, for registrations elsewhere in the region.
    places: &'static [&'static str],
    /// Passport offices of 2007–2018 (the migration service) and before (the police).
    fms_units: &'static [&'static str],
    ovd_units: &'static [&'static str],
}

const OFFICES: [OfficeDef; 3] = [
    OfficeDef {
        code: "TSK",
        name: "Головной офис",
        city: "Томск",
        region: 0,
        weight: 55,
        income_pct: 100,
        streets: &[
            "пр. Ленина",
            "ул. Красноармейская",
            "пр. Фрунзе",
            "ул. Иркутский тракт",
            "пр. Комсомольский",
            "ул. Учебная",
            "ул. Киевская",
            "ул. Пушкина",
            "ул. Нахимова",
            "ул. Елизаровых",
            "ул. Белинского",
            "ул. Герцена",
            "пр. Кирова",
            "ул. Советская",
            "ул. Никитина",
            "ул. Сибирская",
            "ул. Клюева",
            "ул. Мичурина",
            "ул. 79-й Гвардейской дивизии",
            "ул. Говорова",
        ],
        places: &[
            "Томская обл., Томский р-н, с. Корнилово, ул. Центральная",
            "Томская обл., г. Асино, ул. Ленина",
            "Томская обл., г. Колпашево, ул. Кирова",
            "Томская обл., Томский р-н, пос. Зональная Станция, ул. Королёва",
            "Томская обл., Шегарский р-н, с. Мельниково, ул. Московская",
        ],
        fms_units: &[
            "Отделом УФМС России по Томской области в Кировском районе г. Томска",
            "Отделом УФМС России по Томской области в Ленинском районе г. Томска",
            "Отделом УФМС России по Томской области в Октябрьском районе г. Томска",
            "Отделом УФМС России по Томской области в Советском районе г. Томска",
        ],
        ovd_units: &[
            "Кировским РОВД г. Томска",
            "Ленинским РОВД г. Томска",
            "Октябрьским РОВД г. Томска",
            "Советским РОВД г. Томска",
        ],
    },
    OfficeDef {
        code: "SEV",
        name: "Дополнительный офис «Северский»",
        city: "Северск",
        region: 0,
        weight: 15,
        income_pct: 105,
        streets: &[
            "пр. Коммунистический",
            "ул. Курчатова",
            "ул. Калинина",
            "ул. Победы",
            "ул. Парковая",
            "ул. Ленина",
            "ул. Славского",
            "ул. Крупской",
            "ул. Солнечная",
            "ул. Свердлова",
            "ул. Северная",
        ],
        places: &[
            "Томская обл., ЗАТО Северск, пос. Самусь, ул. Пушкина",
            "Томская обл., Томский р-н, с. Наумовка, ул. Советская",
        ],
        fms_units: &["Отделом УФМС России по Томской области в ЗАТО Северск"],
        ovd_units: &["УВД ЗАТО Северск"],
    },
    OfficeDef {
        code: "KRS",
        name: "Красноярский филиал",
        city: "Красноярск",
        region: 1,
        weight: 30,
        income_pct: 115,
        streets: &[
            "пр. Мира",
            "ул. Карла Маркса",
            "ул. Ленина",
            "пр. Свободный",
            "ул. Взлётная",
            "ул. 78 Добровольческой бригады",
            "ул. Молокова",
            "пр. им. газеты «Красноярский рабочий»",
            "ул. Партизана Железняка",
            "ул. Весны",
            "ул. Алексеева",
            "ул. Копылова",
            "ул. Маерчака",
            "ул. Судостроительная",
        ],
        places: &[
            "Красноярский край, г. Ачинск, ул. Кирова",
            "Красноярский край, г. Канск, ул. Ленина",
            "Красноярский край, Емельяновский р-н, пгт Емельяново, ул. Московская",
            "Красноярский край, г. Дивногорск, ул. Бочкина",
            "Красноярский край, Берёзовский р-н, пгт Берёзовка, ул. Дружбы",
        ],
        fms_units: &[
            "Отделом УФМС России по Красноярскому краю в Центральном районе г. Красноярска",
            "Отделом УФМС России по Красноярскому краю в Советском районе г. Красноярска",
            "Отделом УФМС России по Красноярскому краю в Октябрьском районе г. Красноярска",
            "Отделом УФМС России по Красноярскому краю в Железнодорожном районе г. Красноярска",
            "Отделом УФМС России по Красноярскому краю в Свердловском районе г. Красноярска",
        ],
        ovd_units: &[
            "ОВД Центрального района г. Красноярска",
            "ОВД Советского района г. Красноярска",
            "ОВД Октябрьского района г. Красноярска",
            "ОВД Свердловского района г. Красноярска",
        ],
    },
];

struct StaffDef {
    login: &'static str,
    name: &'static str,
    office: usize,
    roles: &'static [Role],
}

const STAFF: &[StaffDef] = &[
    StaffDef {
        login: "sokolova",
        name: "Соколова Ирина Викторовна",
        office: 0,
        roles: &[Role::Head],
    },
    StaffDef {
        login: "ivanova",
        name: "Иванова Анна Сергеевна",
        office: 0,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "petrov",
        name: "Петров Дмитрий Александрович",
        office: 0,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "kuznetsova",
        name: "Кузнецова Елена Игоревна",
        office: 0,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "smirnov",
        name: "Смирнов Алексей Викторович",
        office: 0,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "volkov",
        name: "Волков Сергей Николаевич",
        office: 0,
        roles: &[Role::Inspector],
    },
    StaffDef {
        login: "morozova",
        name: "Морозова Татьяна Павловна",
        office: 0,
        roles: &[Role::Inspector],
    },
    StaffDef {
        login: "lebedeva",
        name: "Лебедева Ольга Юрьевна",
        office: 0,
        roles: &[Role::Cashier],
    },
    StaffDef {
        login: "orlova",
        name: "Орлова Светлана Игоревна",
        office: 0,
        roles: &[Role::Analyst],
    },
    StaffDef {
        login: "grigoriev",
        name: "Григорьев Виктор Степанович",
        office: 0,
        roles: &[Role::Director],
    },
    StaffDef {
        login: "novikov",
        name: "Новиков Павел Андреевич",
        office: 0,
        roles: &[Role::Admin],
    },
    StaffDef {
        login: "kozlov",
        name: "Козлов Андрей Петрович",
        office: 1,
        roles: &[Role::Head, Role::Manager],
    },
    StaffDef {
        login: "belova",
        name: "Белова Екатерина Михайловна",
        office: 1,
        roles: &[Role::Manager, Role::Inspector, Role::Cashier],
    },
    StaffDef {
        login: "zaitseva",
        name: "Зайцева Марина Владимировна",
        office: 2,
        roles: &[Role::Head],
    },
    StaffDef {
        login: "popov",
        name: "Попов Артём Евгеньевич",
        office: 2,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "fedorova",
        name: "Фёдорова Наталья Олеговна",
        office: 2,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "egorov",
        name: "Егоров Максим Игоревич",
        office: 2,
        roles: &[Role::Manager],
    },
    StaffDef {
        login: "pavlova",
        name: "Павлова Светлана Андреевна",
        office: 2,
        roles: &[Role::Inspector],
    },
    StaffDef {
        login: "semenova",
        name: "Семёнова Юлия Викторовна",
        office: 2,
        roles: &[Role::Cashier],
    },
];

/// Who in each office holds each working role (indexes into [`STAFF`]).
struct Crew {
    managers: Vec<Vec<u8>>,
    inspectors: Vec<Vec<u8>>,
    cashiers: Vec<Vec<u8>>,
    heads: Vec<Vec<u8>>,
}

impl Crew {
    fn new() -> Crew {
        let holders = |role: Role| {
            (0..OFFICES.len())
                .map(|o| {
                    STAFF
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.office == o && s.roles.contains(&role))
                        .map(|(i, _)| i as u8)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        Crew {
            managers: holders(Role::Manager),
            inspectors: holders(Role::Inspector),
            cashiers: holders(Role::Cashier),
            heads: holders(Role::Head),
        }
    }
}

/// A passport office of a region, by era.
struct Region {
    code: &'static str,
    mvd: &'static str,
    fms: &'static str,
    ovd: &'static str,
}

/// The offices' own regions first, then neighbours people move from.
const REGIONS: &[Region] = &[
    Region {
        code: "69",
        mvd: "УМВД России по Томской области",
        fms: "УФМС России по Томской области",
        ovd: "УВД Томской области",
    },
    Region {
        code: "04",
        mvd: "ГУ МВД России по Красноярскому краю",
        fms: "УФМС России по Красноярскому краю",
        ovd: "УВД Красноярского края",
    },
    Region {
        code: "50",
        mvd: "ГУ МВД России по Новосибирской области",
        fms: "УФМС России по Новосибирской области",
        ovd: "УВД Новосибирской области",
    },
    Region {
        code: "32",
        mvd: "ГУ МВД России по Кемеровской области",
        fms: "УФМС России по Кемеровской области",
        ovd: "УВД Кемеровской области",
    },
    Region {
        code: "01",
        mvd: "ГУ МВД России по Алтайскому краю",
        fms: "УФМС России по Алтайскому краю",
        ovd: "УВД Алтайского края",
    },
    Region {
        code: "52",
        mvd: "УМВД России по Омской области",
        fms: "УФМС России по Омской области",
        ovd: "УВД Омской области",
    },
    Region {
        code: "25",
        mvd: "ГУ МВД России по Иркутской области",
        fms: "УФМС России по Иркутской области",
        ovd: "УВД Иркутской области",
    },
    Region {
        code: "95",
        mvd: "МВД по Республике Хакасия",
        fms: "УФМС России по Республике Хакасия",
        ovd: "МВД Республики Хакасия",
    },
];

/// Surnames in the masculine form; [`feminine`] gives the feminine one.
const SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Галкин",
    "Лукьянов",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Цветков",
    "Левин",
    "Мальцев",
    "Логинов",
    "Краснов",
    "Демидов",
    "Елисеев",
    "Плотников",
    "Жданов",
    "Островский",
    "Покровский",
    "Вишневский",
    "Высоцкий",
    "Заречный",
    "Толстой",
    "Шевченко",
    "Бондаренко",
    "Савченко",
    "Ковальчук",
    "Мельник",
    "Черных",
    "Седых",
];

/// The feminine form of a Russian surname: Иванов → Иванова, Островский → Островская,
/// Толстой → Толстая; Шевченко, Черных, Мельник do not change.
pub fn feminine(surname: &str) -> String {
    if let Some(stem) = surname
        .strip_suffix("ий")
        .or_else(|| surname.strip_suffix("ый"))
        .or_else(|| surname.strip_suffix("ой"))
    {
        return format!("{stem}ая");
    }
    if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|e| surname.ends_with(e))
    {
        return format!("{surname}а");
    }
    surname.to_string()
}

const MALE_NAMES: &[&str] = &[
    "Александр",
    "Алексей",
    "Андрей",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Михаил",
    "Павел",
    "Роман",
    "Сергей",
    "Денис",
    "Олег",
    "Константин",
    "Антон",
    "Вадим",
    "Владислав",
    "Станислав",
    "Вячеслав",
    "Руслан",
];
const MALE_OLDER: &[&str] = &[
    "Анатолий",
    "Геннадий",
    "Валерий",
    "Владимир",
    "Юрий",
    "Борис",
    "Леонид",
    "Василий",
    "Николай",
    "Виктор",
];
const MALE_YOUNGER: &[&str] = &[
    "Артём",
    "Никита",
    "Кирилл",
    "Егор",
    "Даниил",
    "Матвей",
    "Тимофей",
    "Илья",
    "Максим",
];
const FEMALE_NAMES: &[&str] = &[
    "Анна",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Мария",
    "Юлия",
    "Марина",
    "Евгения",
    "Оксана",
    "Виктория",
    "Надежда",
];
const FEMALE_OLDER: &[&str] = &[
    "Галина",
    "Людмила",
    "Валентина",
    "Нина",
    "Зинаида",
    "Раиса",
    "Тамара",
    "Любовь",
    "Вера",
    "Лариса",
];
const FEMALE_YOUNGER: &[&str] = &[
    "Анастасия",
    "Дарья",
    "Полина",
    "Софья",
    "Алина",
    "Ксения",
    "Кристина",
    "Алёна",
    "Валерия",
    "Вероника",
];

/// Patronymics from the father's name: (masculine, feminine).
const PATRONYMICS: &[(&str, &str)] = &[
    ("Александрович", "Александровна"),
    ("Алексеевич", "Алексеевна"),
    ("Андреевич", "Андреевна"),
    ("Анатольевич", "Анатольевна"),
    ("Борисович", "Борисовна"),
    ("Валерьевич", "Валерьевна"),
    ("Васильевич", "Васильевна"),
    ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"),
    ("Вячеславович", "Вячеславовна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Григорьевич", "Григорьевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"),
    ("Иванович", "Ивановна"),
    ("Игоревич", "Игоревна"),
    ("Константинович", "Константиновна"),
    ("Леонидович", "Леонидовна"),
    ("Максимович", "Максимовна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"),
    ("Петрович", "Петровна"),
    ("Романович", "Романовна"),
    ("Сергеевич", "Сергеевна"),
    ("Станиславович", "Станиславовна"),
    ("Степанович", "Степановна"),
    ("Фёдорович", "Фёдоровна"),
    ("Юрьевич", "Юрьевна"),
    ("Денисович", "Денисовна"),
    ("Вадимович", "Вадимовна"),
    ("Антонович", "Антоновна"),
];

/// Mobile codes of the Siberian operators (after +7).
const MOBILE_CODES: &[&str] = &[
    "913", "923", "983", "960", "952", "903", "905", "999", "906", "962", "929", "950", "908",
    "902", "904",
];

const MAIL_DOMAINS: &[(&str, u64)] = &[
    ("mail.ru", 40),
    ("yandex.ru", 30),
    ("gmail.com", 15),
    ("bk.ru", 5),
    ("inbox.ru", 5),
    ("rambler.ru", 5),
];

/// Latin letters for an e-mail address.
fn translit(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        out.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        });
    }
    out
}

/// Members are adults who joined at least a couple of years ago; applicants may be younger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    Member,
    Applicant,
}

/// What a person's passport depends on, drawn first from their stream.
struct Core {
    office: usize,
    male: bool,
    birth: NaiveDate,
    region: usize,
    issued_on: NaiveDate,
    number: u32,
}

impl Core {
    fn passport_key(&self) -> u64 {
        let region: u64 = REGIONS[self.region].code.parse().unwrap_or(0);
        region * 100_000_000
            + u64::from(self.issued_on.year() as u32 % 100) * 1_000_000
            + u64::from(self.number)
    }
}

fn core(seed: u64, person: u32, profile: Profile, today: NaiveDate) -> (Core, Rng) {
    let mut rng = Rng::derive(seed, S_PERSON, u64::from(person));
    let weights: Vec<u64> = OFFICES.iter().map(|o| o.weight).collect();
    let office = rng.weighted(&weights);
    let male = rng.percent(46);
    let bands: [(i64, i64, u64); 6] = [
        (19, 24, 8),
        (25, 34, 24),
        (35, 44, 25),
        (45, 54, 20),
        (55, 64, 15),
        (65, 79, 8),
    ];
    let (lo, hi, _) = bands[rng.weighted(&bands.map(|b| b.2))];
    let lo = if profile == Profile::Member {
        lo.max(21)
    } else {
        lo
    };
    let age = rng.range(lo, hi.max(lo)) as u32;
    let birth = sub_years(today, age) - Duration::days(rng.range(0, 364));
    let region = if rng.percent(85) {
        OFFICES[office].region
    } else {
        rng.range(2, REGIONS.len() as i64 - 1) as usize
    };
    // A Russian passport is issued at 14 and replaced at 20 and 45.
    let cutoff = today - Duration::days(100);
    let age_issued = [45, 20, 14]
        .into_iter()
        .find(|a| add_years(birth, *a) + Duration::days(30) <= cutoff)
        .unwrap_or(14);
    let issued_on = (add_years(birth, age_issued) + Duration::days(rng.range(0, 60))).min(cutoff);
    let number = rng.below(1_000_000) as u32;
    (
        Core {
            office,
            male,
            birth,
            region,
            issued_on,
            number,
        },
        rng,
    )
}

/// A street address in the office's city.
fn city_address(rng: &mut Rng, o: &OfficeDef) -> String {
    let street = rng.pick(o.streets);
    let house = rng.range(1, 120);
    let block = if rng.percent(12) {
        format!(", корп. {}", rng.range(1, 4))
    } else {
        String::new()
    };
    let flat = if rng.percent(90) {
        format!(", кв. {}", rng.range(1, 280))
    } else {
        String::new()
    };
    format!("г. {}, {street}, д. {house}{block}{flat}", o.city)
}

fn round_to(x: i64, step: i64) -> i64 {
    x / step * step
}

/// A person: the borrower as a desk would record them, and the office they come to.
struct Person {
    office: usize,
    borrower: Borrower,
}

fn person(seed: u64, idx: u32, profile: Profile, today: NaiveDate, passport: u64) -> Person {
    let (c, mut rng) = core(seed, idx, profile, today);
    let o = &OFFICES[c.office];
    let surname = *rng.pick(SURNAMES);
    let last_name = if c.male {
        surname.to_string()
    } else {
        feminine(surname)
    };
    let era = if c.birth.year() < 1972 && rng.percent(45) {
        1
    } else if c.birth.year() > 1990 && rng.percent(45) {
        2
    } else {
        0
    };
    let names = match (c.male, era) {
        (true, 1) => MALE_OLDER,
        (true, 2) => MALE_YOUNGER,
        (true, _) => MALE_NAMES,
        (false, 1) => FEMALE_OLDER,
        (false, 2) => FEMALE_YOUNGER,
        (false, _) => FEMALE_NAMES,
    };
    let first_name = rng.pick(names).to_string();
    let (pm, pf) = *rng.pick(PATRONYMICS);
    let patronymic = if c.male { pm } else { pf }.to_string();
    let region = &REGIONS[c.region];
    let home = c.region == o.region;
    let year = c.issued_on.year();
    let issued_by = if year >= 2019 {
        region.mvd.to_string()
    } else if year >= 2007 {
        if home {
            rng.pick(o.fms_units).to_string()
        } else {
            format!("Отделом {}", region.fms)
        }
    } else if home {
        rng.pick(o.ovd_units).to_string()
    } else {
        region.ovd.to_string()
    };
    let fact_address = city_address(&mut rng, o);
    let reg_address = if rng.percent(80) {
        fact_address.clone()
    } else if rng.percent(50) {
        city_address(&mut rng, o)
    } else {
        format!("{}, д. {}", rng.pick(o.places), rng.range(1, 60))
    };
    let phone = format!("+7{}{:07}", rng.pick(MOBILE_CODES), rng.below(10_000_000));
    let email = if rng.percent(45) {
        let domains: Vec<u64> = MAIL_DOMAINS.iter().map(|d| d.1).collect();
        let domain = MAIL_DOMAINS[rng.weighted(&domains)].0;
        let suffix = if rng.percent(50) {
            format!("{:02}", c.birth.year() % 100)
        } else {
            rng.range(1, 999).to_string()
        };
        format!(
            "{}.{}{suffix}@{domain}",
            translit(&last_name),
            translit(&first_name)
        )
    } else {
        String::new()
    };
    let age = age_on(c.birth, today);
    let mut income = match rng.weighted(&[30, 40, 20, 10]) {
        0 => rng.range(18_000, 35_000),
        1 => rng.range(35_000, 60_000),
        2 => rng.range(60_000, 100_000),
        _ => rng.range(100_000, 250_000),
    };
    if age >= 62 {
        // A pension, and for some a job besides.
        income = rng.range(16_000, 32_000)
            + if rng.percent(30) {
                rng.range(10_000, 40_000)
            } else {
                0
            };
    }
    let income = round_to(income * o.income_pct / 100, 100);
    let expenses = round_to(income * rng.range(25, 55) / 100, 100);
    let payments = if rng.percent(40) {
        round_to(income * rng.range(5, 35) / 100, 100)
    } else {
        0
    };
    let deductions = if rng.percent(4) {
        round_to(income / 4, 100)
    } else {
        0
    };
    Person {
        office: c.office,
        borrower: Borrower {
            last_name,
            first_name,
            patronymic,
            birth_date: c.birth,
            passport: format!("{passport:010}"),
            passport_issued_by: issued_by,
            passport_issued_on: Some(c.issued_on),
            reg_address,
            fact_address,
            phone,
            email,
            income: Money::from_rubles(income),
            expenses: Money::from_rubles(expenses),
            payments: Money::from_rubles(payments),
            deductions: Money::from_rubles(deductions),
        },
    }
}

/// A random full name, for guarantors.
fn some_full_name(rng: &mut Rng) -> String {
    let male = rng.percent(50);
    let surname = *rng.pick(SURNAMES);
    let (pm, pf) = *rng.pick(PATRONYMICS);
    if male {
        format!("{surname} {} {pm}", rng.pick(MALE_NAMES))
    } else {
        format!("{} {} {pf}", feminine(surname), rng.pick(FEMALE_NAMES))
    }
}

/// The loan asked for.
fn loan_terms(rng: &mut Rng, rules: &Rules, office: usize) -> LoanTerms {
    let products: Vec<_> = rules.loan_products().collect();
    let weights: Vec<u64> = products
        .iter()
        .map(|p| match p.code.as_str() {
            "consumer" => 60,
            "business" => 20,
            "housing" => 20,
            _ => 10,
        })
        .collect();
    let p = products[rng.weighted(&weights)];
    let (lo, hi, step, terms): (i64, i64, i64, &[u32]) = match p.code.as_str() {
        "consumer" => (30_000, 500_000, 5_000, &[6, 9, 12, 18, 24, 36]),
        "housing" => (300_000, 3_000_000, 10_000, &[36, 60, 84, 120]),
        "business" => (100_000, 1_500_000, 10_000, &[12, 18, 24, 36, 48]),
        _ => (0, i64::MAX, 1_000, &[12]),
    };
    let min = (p.min_amount.kopecks() + 99) / 100;
    let max = p.max_amount.kopecks() / 100;
    let (lo, hi) = (lo.clamp(min, max), hi.clamp(min, max));
    // Small loans are the common ones.
    let x = rng.below(1001).min(rng.below(1001)) as i64;
    let amount = round_to(lo + (hi - lo) / 1000 * x, step).clamp(min, max);
    let amount = if amount > 0 { amount } else { max.max(1) };
    let term = (*rng.pick(terms)).clamp(p.min_term_months, p.max_term_months);
    let purposes: &[&str] = match p.code.as_str() {
        "consumer" => &[
            "Ремонт квартиры",
            "Покупка автомобиля",
            "Лечение",
            "Обучение",
            "Покупка бытовой техники",
            "Рефинансирование кредитов",
            "Покупка мебели",
            "Свадьба",
        ],
        "housing" => &[
            "Покупка квартиры",
            "Покупка жилья с использованием материнского капитала",
            "Строительство дома",
            "Покупка комнаты",
            "Долевое участие в строительстве",
        ],
        "business" => &[
            "Пополнение оборотных средств",
            "Покупка оборудования",
            "Покупка грузового автомобиля",
            "Ремонт торгового помещения",
            "Закупка товара",
        ],
        _ => &["На личные нужды"],
    };
    let purpose = rng.pick(purposes).to_string();
    let guarantor_pct = match p.code.as_str() {
        "housing" | "business" => 35,
        _ => 10,
    };
    let guarantor = if rng.percent(guarantor_pct) {
        some_full_name(rng)
    } else {
        String::new()
    };
    let collateral = match p.code.as_str() {
        "housing" if rng.percent(60) => format!(
            "Залог приобретаемого жилья: {}",
            city_address(rng, &OFFICES[office])
        ),
        "business" if rng.percent(40) => rng
            .pick(&[
                "Залог автомобиля ГАЗель NEXT, 2021 г. в.",
                "Залог торгового оборудования",
                "Залог автомобиля Hyundai Solaris, 2019 г. в.",
                "Залог грузового автомобиля КАМАЗ 65115, 2018 г. в.",
            ])
            .to_string(),
        "consumer" if rng.percent(5) => "Залог автомобиля Lada Vesta, 2020 г. в.".to_string(),
        _ => String::new(),
    };
    LoanTerms {
        product: p.code.clone(),
        amount: Money::from_rubles(amount),
        term_months: term,
        purpose,
        guarantor,
        collateral,
    }
}

// ----- working time ------------------------------------------------------------------------------

/// Office hours, minutes after midnight.
const OPEN: i64 = 9 * 60;
const CLOSE: i64 = 18 * 60;

fn at_minute(d: NaiveDate, minute: i64) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN) + Duration::minutes(minute)
}

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(12 * years)).unwrap_or(d)
}

fn sub_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(12 * years)).unwrap_or(d)
}

fn prev_working(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    let mut x = d - Duration::days(1);
    while !cal.is_working(x) {
        x -= Duration::days(1);
    }
    x
}

fn next_working(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    let mut x = d + Duration::days(1);
    while !cal.is_working(x) {
        x += Duration::days(1);
    }
    x
}

/// `minutes` of office time before `t` (which is within office hours).
fn back(cal: &Calendar, mut t: NaiveDateTime, mut minutes: i64) -> NaiveDateTime {
    loop {
        let avail = (t - at_minute(t.date(), OPEN)).num_minutes();
        if minutes <= avail {
            return t - Duration::minutes(minutes);
        }
        minutes -= avail;
        t = at_minute(prev_working(cal, t.date()), CLOSE);
    }
}

/// `minutes` of office time after `t` (which is within office hours).
fn fwd(cal: &Calendar, mut t: NaiveDateTime, mut minutes: i64) -> NaiveDateTime {
    loop {
        let avail = (at_minute(t.date(), CLOSE) - t).num_minutes();
        if minutes <= avail {
            return t + Duration::minutes(minutes);
        }
        minutes -= avail;
        t = at_minute(next_working(cal, t.date()), OPEN);
    }
}

/// A moment in office hours on a working day between `from` and `to`; `late` favours later days.
fn moment(
    rng: &mut Rng,
    cal: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    late: bool,
) -> NaiveDateTime {
    let span = (to - from).num_days().max(0) as u64 + 1;
    let mut off = rng.below(span);
    if late {
        off = off.max(rng.below(span));
    }
    let mut d = from + Duration::days(off as i64);
    if !cal.is_working(d) {
        d = prev_working(cal, d);
    }
    if d < from {
        d = next_working(cal, from - Duration::days(1));
    }
    at_minute(d, OPEN + rng.range(0, CLOSE - OPEN - 1))
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let m = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    if to.day() < from.day() { m - 1 } else { m }
}

// ----- plans -------------------------------------------------------------------------------------

/// One thing that happens, by whom (indexes into [`STAFF`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    /// A manager types the application in.
    Create {
        by: u8,
    },
    /// It arrives from the website.
    Import,
    Take {
        by: u8,
    },
    /// The manager adds what the website form lacks (passport issue data).
    Complete {
        by: u8,
    },
    /// The manager changes the amount, to this percent of what was asked.
    Amend {
        by: u8,
        pct: u8,
    },
    Checks {
        by: u8,
        scope: Scope,
        bureau: u8,
    },
    /// The manager fills in the scorecard: every question it asks, or (`complete` false) the
    /// first part of it. Nothing happens when no card is active.
    Score {
        by: u8,
        complete: bool,
    },
    Move {
        by: u8,
        to: Status,
    },
    /// `candidate → member`: the fees at the cash desk.
    Pay {
        by: u8,
    },
    /// `authorized → archived`: the contract signed and the money paid out.
    Issue {
        by: u8,
    },
    Reject {
        by: u8,
        reason: &'static str,
    },
    /// A member who joined before the desk recorded applications.
    Join {
        cashier: u8,
        manager: Option<u8>,
    },
    Voluntary {
        cashier: u8,
        rubles: u32,
    },
    Leave,
}

/// How much of the verification is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// The first two checks so far.
    Partial,
    /// Checks in order until this one failed.
    Failed(u8),
    /// Every check passed; the bureau's outcome (index into [`OUTCOMES`]).
    Full(u8),
}

const OUTCOMES: [&str; 4] = ["positive", "neutral", "no_history", "negative"];
const BUREAUS: [&str; 3] = ["НБКИ", "ОКБ", "Скоринг Бюро"];

#[derive(Clone, Copy, Debug)]
struct Step {
    at: NaiveDateTime,
    act: Act,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Join,
    Voluntary,
    Leave,
    /// The loan the member joined with (ends with the fees at `anchor`, then the loan).
    FirstLoan,
    /// A member's later loan (created at `anchor`).
    RepeatLoan,
    /// An application of the last two months, ending in `last` (rejected there, if `rejected`).
    Recent {
        /// Its place among the recent applications (for the website's external id).
        index: u32,
        last: Status,
        rejected: bool,
        member: bool,
    },
}

#[derive(Clone, Copy, Debug)]
struct Plan {
    start: NaiveDateTime,
    anchor: NaiveDateTime,
    ordinal: u32,
    person: u32,
    /// How many steps its script has.
    steps: u16,
    kind: Kind,
}

/// Acts with the office time before each, fixed to the clock around one anchored act.
struct Chain {
    acts: Vec<(i64, i64, Act)>,
    anchor: usize,
}

impl Chain {
    fn new(first: Act) -> Chain {
        Chain {
            acts: vec![(0, 0, first)],
            anchor: 0,
        }
    }

    /// `act` between `lo` and `hi` minutes of office time after the previous one.
    fn then(&mut self, lo: i64, hi: i64, act: Act) {
        self.acts.push((lo.max(1), hi.max(1), act));
    }

    fn anchor_here(&mut self) {
        self.anchor = self.acts.len() - 1;
    }

    fn place(self, rng: &mut Rng, cal: &Calendar, anchor: NaiveDateTime) -> Vec<Step> {
        let delays: Vec<i64> = self
            .acts
            .iter()
            .map(|(lo, hi, _)| rng.range(*lo, *hi))
            .collect();
        let n = self.acts.len();
        let mut times = vec![anchor; n];
        for i in (0..self.anchor).rev() {
            times[i] = back(cal, times[i + 1], delays[i + 1]);
        }
        for i in self.anchor + 1..n {
            times[i] = fwd(cal, times[i - 1], delays[i]);
        }
        // Seconds, so that no two acts share a moment; acts are at least a minute apart.
        self.acts
            .iter()
            .zip(times)
            .map(|((_, _, act), t)| Step {
                at: t + Duration::seconds(rng.below(60) as i64),
                act: *act,
            })
            .collect()
    }
}

const REJECT_NEW: &[&str] = &[
    "Заявитель отказался от займа",
    "Заявитель не выходит на связь",
    "Заявитель получил кредит в банке, заявка больше не нужна",
];
const REJECT_CHECKED: &[&str] = &[
    "Высокая долговая нагрузка: платежи по кредитам превышают 50% дохода",
    "Недостаточный доход для запрашиваемой суммы",
    "Действующая просроченная задолженность в других организациях",
    "Недостоверные сведения о доходе",
];
const REJECT_BUREAU: &str = "Отрицательная кредитная история по данным бюро кредитных историй";
const REJECT_CANDIDATE: &[&str] = &[
    "Вступительный взнос не оплачен в течение 10 дней",
    "Заявитель отказался вступать в кооператив",
];
const REJECT_MEMBER: &[&str] = &[
    "Заявитель отказался от займа",
    "Не предоставлена справка о доходах",
    "Заявитель не согласен с условиями займа",
];
const REJECT_AUTHORIZED: &[&str] = &[
    "Заявитель не явился на подписание договора",
    "Поручитель отказался подписывать договор поручительства",
    "Заявитель отказался от займа",
];

/// What the call-centre says for each check: (passed, failed, reason to reject).
fn check_words(code: &str) -> (&'static str, &'static str, &'static str) {
    match code {
        "phone" => (
            "Дозвонились, заявитель подтвердил заявку",
            "Номер принадлежит другому человеку",
            "Телефон не принадлежит заявителю",
        ),
        "passport" => (
            "Паспорт действителен",
            "Паспорт числится недействительным",
            "Паспорт недействителен",
        ),
        "employer" => (
            "Подтверждено в отделе кадров",
            "Работодатель не подтвердил трудоустройство",
            "Не подтверждено место работы",
        ),
        "address" => (
            "Подтверждён по месту проживания",
            "Заявитель не проживает по указанному адресу",
            "Не подтверждён адрес проживания",
        ),
        _ => (
            "Подтверждено",
            "Не подтверждено",
            "Не пройдена проверка службы безопасности",
        ),
    }
}

struct Planner<'a> {
    seed: u64,
    rules: &'a Rules,
    cal: &'a Calendar,
    crew: Crew,
    today: NaiveDate,
    /// Everything happens before this moment: 09:00 of the business date.
    end: NaiveDateTime,
    /// Earlier history ends here; the journal of the last two months begins after it.
    recent_start: NaiveDateTime,
    history_start: NaiveDateTime,
    members: u32,
    applications: u32,
}

impl<'a> Planner<'a> {
    fn new(rules: &'a Rules, spec: &DemoSpec) -> Planner<'a> {
        let end = at_minute(spec.today, OPEN);
        Planner {
            seed: spec.seed,
            rules,
            cal: &rules.calendar,
            crew: Crew::new(),
            today: spec.today,
            end,
            recent_start: end - Duration::days(90),
            history_start: at_minute(sub_years(spec.today, 6), OPEN),
            members: spec.members.min(u32::MAX as usize / 2) as u32,
            applications: spec.applications.min(u32::MAX as usize / 2) as u32,
        }
    }

    fn profile(&self, person: u32) -> Profile {
        if person < self.members {
            Profile::Member
        } else {
            Profile::Applicant
        }
    }

    fn office_of(&self, person: u32) -> usize {
        core(self.seed, person, self.profile(person), self.today)
            .0
            .office
    }

    fn person(&self, idx: u32, passport: u64) -> Person {
        person(self.seed, idx, self.profile(idx), self.today, passport)
    }

    /// Everything that will happen, in no particular order, and the passports of everyone.
    fn plan(&self) -> (Vec<Plan>, Vec<u64>) {
        let mut plans = Vec::new();
        let mut ordinal = 0u32;
        let mut push = |plans: &mut Vec<Plan>, anchor, person, kind| -> Vec<Step> {
            let mut p = Plan {
                start: anchor,
                anchor,
                ordinal,
                person,
                steps: 0,
                kind,
            };
            ordinal += 1;
            let steps = self.script(&p);
            p.start = steps[0].at;
            p.steps = steps.len() as u16;
            plans.push(p);
            steps
        };

        // Members who joined before the last three months.
        let mut left = vec![false; self.members as usize];
        let last_day = self.recent_start.date();
        for m in 0..self.members {
            let mut rng = Rng::derive(self.seed, S_MEMBER, u64::from(m));
            let c = core(self.seed, m, Profile::Member, self.today).0;
            let earliest = self
                .history_start
                .date()
                .max(add_years(c.birth, 18) + Duration::days(30));
            let join = moment(
                &mut rng,
                self.cal,
                earliest,
                last_day - Duration::days(45),
                true,
            );
            // Beyond the first members the history is what the accounting system holds
            // (fees and shares here; their loans are added afterwards without applications),
            // so that a database of a million members builds in minutes.
            let detailed = m < FULL_HISTORY_MEMBERS;
            let via_application = rng.percent(30) && detailed;
            let mut until = if via_application {
                let steps = push(&mut plans, join, m, Kind::FirstLoan);
                steps[steps.len() - 1].at
            } else {
                push(&mut plans, join, m, Kind::Join);
                join
            };
            let more = if via_application {
                rng.weighted(&[65, 25, 10])
            } else {
                rng.weighted(&[82, 13, 5])
            };
            let more = if detailed { more } else { 0 };
            for _ in 0..more {
                let from = until.date() + Duration::days(60);
                let to = until.date() + Duration::days(500);
                let at = moment(&mut rng, self.cal, from, to, false);
                if at.date() > last_day - Duration::days(30) {
                    break;
                }
                let steps = push(&mut plans, at, m, Kind::RepeatLoan);
                until = steps[steps.len() - 1].at;
            }
            let leaves = rng.percent(8) && until.date() + Duration::days(40) < last_day;
            let leave_at = leaves.then(|| {
                moment(
                    &mut rng,
                    self.cal,
                    until.date() + Duration::days(30),
                    last_day - Duration::days(10),
                    false,
                )
            });
            let shares = rng.weighted(&[70, 18, 8, 4]);
            let share_until = leave_at.map_or(last_day - Duration::days(10), |l| {
                l.date() - Duration::days(1)
            });
            for _ in 0..shares {
                let at = moment(
                    &mut rng,
                    self.cal,
                    join.date() + Duration::days(1),
                    share_until,
                    false,
                );
                if at > join && at.date() <= share_until {
                    push(&mut plans, at, m, Kind::Voluntary);
                }
            }
            if let Some(at) = leave_at {
                push(&mut plans, at, m, Kind::Leave);
                left[m as usize] = true;
            }
        }

        // Applications of the last two months.
        let mut former: Vec<u32> = (0..self.members).filter(|m| left[*m as usize]).collect();
        let mut next_person = self.members;
        for i in 0..self.applications {
            let mut rng = Rng::derive(self.seed, S_RECENT, u64::from(i));
            // The first seven cover every status; then the usual shares.
            let target = if i < 7 {
                Status::ALL[i as usize]
            } else {
                Status::ALL[rng.weighted(&[12, 8, 6, 7, 5, 37, 25])]
            };
            let (last, rejected) = if target == Status::Rejected {
                let stages = [
                    Status::New,
                    Status::Checked,
                    Status::Candidate,
                    Status::Member,
                    Status::Authorized,
                ];
                (stages[rng.weighted(&[35, 35, 10, 12, 8])], true)
            } else {
                (target, false)
            };
            let roll = rng.below(100);
            let mut member = false;
            let mut who = None;
            if roll < 20 && self.members > 0 && last != Status::Candidate {
                let m = rng.below(u64::from(self.members)) as u32;
                if !left[m as usize] {
                    who = Some(m);
                    member = true;
                }
            } else if roll < 24 && !former.is_empty() {
                let k = rng.below(former.len() as u64) as usize;
                who = Some(former.swap_remove(k));
            }
            let who = who.unwrap_or_else(|| {
                next_person += 1;
                next_person - 1
            });
            let anchor = self.recent_anchor(&mut rng, last, rejected);
            push(
                &mut plans,
                anchor,
                who,
                Kind::Recent {
                    index: i,
                    last,
                    rejected,
                    member,
                },
            );
        }

        // Passports, unique: on a clash the number moves on.
        let mut seen = HashSet::with_capacity(next_person as usize);
        let mut passports = Vec::with_capacity(next_person as usize);
        for p in 0..next_person {
            let c = core(self.seed, p, self.profile(p), self.today).0;
            let mut key = c.passport_key();
            while !seen.insert(key) {
                key = key - key % 1_000_000 + (key % 1_000_000 + 1) % 1_000_000;
            }
            passports.push(key);
        }
        (plans, passports)
    }

    /// When the last act of a recent application happens. Open ones sit in their status for
    /// a number of working days, over the time limit for about a third of them.
    fn recent_anchor(&self, rng: &mut Rng, last: Status, rejected: bool) -> NaiveDateTime {
        if rejected || last == Status::Archived {
            return moment(
                rng,
                self.cal,
                self.end.date() - Duration::days(60),
                self.end.date() - Duration::days(1),
                false,
            );
        }
        let limit = self
            .rules
            .time_limits
            .get(&last)
            .and_then(|d| d.floor().to_i64())
            .unwrap_or(1)
            .max(0);
        let days_back = if rng.percent(35) {
            rng.range(limit + 1, limit + 5)
        } else {
            rng.range(1, limit.max(1))
        };
        let mut d = self.end.date();
        for _ in 0..days_back {
            d = prev_working(self.cal, d);
        }
        at_minute(d, OPEN + rng.range(0, CLOSE - OPEN - 1))
    }

    /// The timed steps of a plan. Drawn from the plan's own stream: the same every time.
    fn script(&self, plan: &Plan) -> Vec<Step> {
        let mut rng = Rng::derive(self.seed, S_SCRIPT, u64::from(plan.ordinal));
        let office = self.office_of(plan.person);
        let crew = &self.crew;
        let manager = *rng.pick(&crew.managers[office]);
        let inspector = *rng.pick(&crew.inspectors[office]);
        let cashier = *rng.pick(&crew.cashiers[office]);
        let head = crew.heads[office].first().copied();
        let single = |act| {
            vec![Step {
                at: plan.anchor,
                act,
            }]
        };
        match plan.kind {
            Kind::Join => {
                let manager = rng.percent(40).then_some(manager);
                single(Act::Join { cashier, manager })
            }
            Kind::Voluntary => {
                let amounts = [
                    5_000, 10_000, 20_000, 30_000, 50_000, 100_000, 150_000, 200_000, 300_000,
                    500_000,
                ];
                let rubles = amounts[rng.weighted(&[10, 20, 15, 12, 15, 12, 6, 5, 3, 2])];
                single(Act::Voluntary { cashier, rubles })
            }
            Kind::Leave => single(Act::Leave),
            Kind::FirstLoan | Kind::RepeatLoan => {
                let first = plan.kind == Kind::FirstLoan;
                let mut c = Chain::new(Act::Create { by: manager });
                c.then(
                    20,
                    480,
                    Act::Checks {
                        by: manager,
                        scope: Scope::Full(rng.weighted(&[70, 20, 10, 0]) as u8),
                        bureau: rng.below(BUREAUS.len() as u64) as u8,
                    },
                );
                c.then(
                    5,
                    90,
                    Act::Score {
                        by: manager,
                        complete: true,
                    },
                );
                c.then(
                    1,
                    20,
                    Act::Move {
                        by: manager,
                        to: Status::Checked,
                    },
                );
                c.then(
                    30,
                    900,
                    Act::Move {
                        by: inspector,
                        to: if first {
                            Status::Candidate
                        } else {
                            Status::Member
                        },
                    },
                );
                if first {
                    c.then(60, 2000, Act::Pay { by: cashier });
                    c.anchor_here();
                }
                c.then(
                    30,
                    900,
                    Act::Move {
                        by: manager,
                        to: Status::Authorized,
                    },
                );
                c.then(20, 540, Act::Issue { by: manager });
                c.place(&mut rng, self.cal, plan.anchor)
            }
            Kind::Recent {
                last,
                rejected,
                member,
                ..
            } => {
                let mut reject_by = |rng: &mut Rng, owner: u8| match head {
                    Some(h) if rng.percent(20) => h,
                    _ => owner,
                };
                let c = self.recent_chain(
                    &mut rng,
                    &mut reject_by,
                    [manager, inspector, cashier],
                    last,
                    rejected,
                    member,
                );
                c.place(&mut rng, self.cal, plan.anchor)
            }
        }
    }

    fn recent_chain(
        &self,
        rng: &mut Rng,
        reject_by: &mut dyn FnMut(&mut Rng, u8) -> u8,
        [manager, inspector, cashier]: [u8; 3],
        last: Status,
        rejected: bool,
        member: bool,
    ) -> Chain {
        let open = !rejected;
        let imported = rng.percent(30);
        let mut c = Chain::new(if imported {
            Act::Import
        } else {
            Act::Create { by: manager }
        });
        let stays_new = last == Status::New && open;
        // Whoever holds a new application may have started on its scorecard.
        let mut holder = true;
        if imported {
            let touch = if stays_new {
                rng.weighted(&[40, 35, 25])
            } else {
                2
            };
            if touch >= 1 {
                c.then(10, 300, Act::Take { by: manager });
            }
            if touch == 2 {
                c.then(2, 25, Act::Complete { by: manager });
            }
            holder = touch >= 1;
        } else if rng.percent(10) {
            let pct = *rng.pick(&[70, 80, 90, 110, 120]);
            c.then(5, 240, Act::Amend { by: manager, pct });
        }
        let bureau = rng.below(BUREAUS.len() as u64) as u8;
        let checks = self.rules.checks.len().max(1) as u64;
        if last == Status::New {
            if rejected && holder && rng.percent(25) {
                let complete = rng.percent(50);
                c.then(
                    10,
                    240,
                    Act::Score {
                        by: manager,
                        complete,
                    },
                );
            }
            if rejected {
                if rng.percent(60) {
                    let f = rng.below(checks) as usize;
                    let code = self.rules.checks.get(f).map_or("", |c| c.code.as_str());
                    c.then(
                        20,
                        480,
                        Act::Checks {
                            by: manager,
                            scope: Scope::Failed(f as u8),
                            bureau,
                        },
                    );
                    let by = reject_by(rng, manager);
                    c.then(
                        1,
                        60,
                        Act::Reject {
                            by,
                            reason: check_words(code).2,
                        },
                    );
                } else {
                    let by = reject_by(rng, manager);
                    let reason = rng.pick(REJECT_NEW);
                    c.then(30, 1200, Act::Reject { by, reason });
                }
            } else {
                if rng.percent(35) {
                    c.then(
                        20,
                        300,
                        Act::Checks {
                            by: manager,
                            scope: Scope::Partial,
                            bureau,
                        },
                    );
                }
                if holder && rng.percent(45) {
                    let complete = rng.percent(40);
                    c.then(
                        10,
                        240,
                        Act::Score {
                            by: manager,
                            complete,
                        },
                    );
                }
            }
            c.anchor = c.acts.len() - 1;
            return c;
        }
        let negative = last == Status::Checked && rejected && rng.percent(50);
        let outcome = if negative {
            3
        } else {
            rng.weighted(&[70, 20, 10]) as u8
        };
        c.then(
            20,
            480,
            Act::Checks {
                by: manager,
                scope: Scope::Full(outcome),
                bureau,
            },
        );
        c.then(
            5,
            90,
            Act::Score {
                by: manager,
                complete: true,
            },
        );
        c.then(
            1,
            20,
            Act::Move {
                by: manager,
                to: Status::Checked,
            },
        );
        let take_pct = |stage: Status| if last == stage && open { 55 } else { 30 };

        // With the inspector.
        if rng.percent(take_pct(Status::Checked)) {
            c.then(5, 240, Act::Take { by: inspector });
        }
        if last == Status::Checked {
            if rejected {
                let by = reject_by(rng, inspector);
                let reason = if negative {
                    REJECT_BUREAU
                } else {
                    rng.pick(REJECT_CHECKED)
                };
                c.then(30, 900, Act::Reject { by, reason });
            }
            c.anchor = c.acts.len() - 1;
            return c;
        }
        c.then(
            30,
            900,
            Act::Move {
                by: inspector,
                to: if member {
                    Status::Member
                } else {
                    Status::Candidate
                },
            },
        );

        // At the cash desk.
        if !member {
            if rng.percent(take_pct(Status::Candidate)) {
                c.then(5, 240, Act::Take { by: cashier });
            }
            if last == Status::Candidate {
                if rejected {
                    let by = reject_by(rng, cashier);
                    let reason = rng.pick(REJECT_CANDIDATE);
                    c.then(900, 2700, Act::Reject { by, reason });
                }
                c.anchor = c.acts.len() - 1;
                return c;
            }
            c.then(60, 2000, Act::Pay { by: cashier });
        }

        // Final terms with the manager.
        if rng.percent(take_pct(Status::Member)) {
            c.then(5, 240, Act::Take { by: manager });
        }
        if last == Status::Member {
            if rejected {
                let by = reject_by(rng, manager);
                let reason = rng.pick(REJECT_MEMBER);
                c.then(30, 1500, Act::Reject { by, reason });
            }
            c.anchor = c.acts.len() - 1;
            return c;
        }
        if rng.percent(15) {
            let pct = *rng.pick(&[70, 80, 90, 110]);
            c.then(10, 600, Act::Amend { by: manager, pct });
        }
        c.then(
            30,
            900,
            Act::Move {
                by: manager,
                to: Status::Authorized,
            },
        );

        // The contract.
        if rng.percent(take_pct(Status::Authorized)) {
            c.then(5, 120, Act::Take { by: manager });
        }
        if last == Status::Authorized {
            if rejected {
                let by = reject_by(rng, manager);
                let reason = rng.pick(REJECT_AUTHORIZED);
                c.then(30, 900, Act::Reject { by, reason });
            }
            c.anchor = c.acts.len() - 1;
            return c;
        }
        c.then(20, 540, Act::Issue { by: manager });
        c.anchor = c.acts.len() - 1;
        c
    }
}

// ----- playing the plans -------------------------------------------------------------------------

/// Where the acts are written: the bulk writer, or the store's own actions.
trait Sink {
    fn create(
        &mut self,
        by: &Actor,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError>;
    fn import(
        &mut self,
        external_id: &str,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError>;
    fn take(&mut self, by: &Actor, id: i64, at: NaiveDateTime) -> Result<(), StoreError>;
    fn edit(
        &mut self,
        by: &Actor,
        id: i64,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    fn checks(
        &mut self,
        by: &Actor,
        id: i64,
        checks: &[(String, Option<CheckOutcome>, String)],
        bureau: Option<&BureauCheck>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    /// A score: the typed input, and the card evaluated on it ahead of time (the bulk
    /// writer writes that; the store's own action evaluates again from what it saved).
    fn score(
        &mut self,
        by: &Actor,
        id: i64,
        scored: &Evaluated,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    /// A step; at `member → authorized`, `rescored` is the score again on the final terms as
    /// worked out ahead (`None`: it changes nothing), for the bulk writer.
    fn transition(
        &mut self,
        by: &Actor,
        id: i64,
        to: Status,
        input: &StepInput,
        rescored: Option<&Evaluated>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError>;
    /// The acts with no desk action (earlier members); only ever before the switch moment.
    fn member_act(&mut self, act: MemberAct<'_>, at: NaiveDateTime) -> Result<(), StoreError>;
}

enum MemberAct<'a> {
    Join {
        cashier: &'a Actor,
        member: EarlierMember<'a>,
        receipts: (String, String),
    },
    Voluntary {
        cashier: &'a Actor,
        passport: &'a str,
        amount: Money,
        receipt: String,
    },
    Leave {
        passport: &'a str,
    },
}

struct BulkSink<'a, 'w> {
    w: &'a mut BulkWriter<'w>,
    rules: &'a Rules,
}

impl Sink for BulkSink<'_, '_> {
    fn create(
        &mut self,
        by: &Actor,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        self.w.create_application(by, data, office_id, at)
    }

    fn import(
        &mut self,
        external_id: &str,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        self.w
            .import_application(IMPORT_LABEL, external_id, data, office_id, at)
    }

    fn take(&mut self, by: &Actor, id: i64, at: NaiveDateTime) -> Result<(), StoreError> {
        self.w.take_application(by, id, at)
    }

    fn edit(
        &mut self,
        by: &Actor,
        id: i64,
        data: &ApplicationData,
        _office_id: i64,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.w.update_application(by, id, data, at)
    }

    fn checks(
        &mut self,
        by: &Actor,
        id: i64,
        checks: &[(String, Option<CheckOutcome>, String)],
        bureau: Option<&BureauCheck>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.w.save_checks(by, id, checks, bureau, self.rules, at)
    }

    fn score(
        &mut self,
        by: &Actor,
        id: i64,
        scored: &Evaluated,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.w.score_application(by, id, scored, self.rules, at)
    }

    fn transition(
        &mut self,
        by: &Actor,
        id: i64,
        to: Status,
        input: &StepInput,
        rescored: Option<&Evaluated>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.w
            .transition(by, id, to, input, rescored, self.rules, at)
    }

    fn member_act(&mut self, act: MemberAct<'_>, at: NaiveDateTime) -> Result<(), StoreError> {
        match act {
            MemberAct::Join {
                cashier,
                member,
                receipts,
            } => self
                .w
                .add_earlier_member(cashier, &member, &receipts.0, &receipts.1, self.rules, at)
                .map(|_| ()),
            MemberAct::Voluntary {
                cashier,
                passport,
                amount,
                receipt,
            } => {
                let id = self
                    .w
                    .member_by_passport(passport)?
                    .ok_or(StoreError::NotFound)?;
                self.w
                    .add_voluntary_share(cashier, id, amount, &receipt, at)
            }
            MemberAct::Leave { passport } => {
                let id = self
                    .w
                    .member_by_passport(passport)?
                    .ok_or(StoreError::NotFound)?;
                self.w.member_leaves(id, at.date(), LEAVE_REASON)
            }
        }
    }
}

struct ApiSink<'a> {
    store: &'a mut Store,
    rules: &'a Rules,
}

impl Sink for ApiSink<'_> {
    fn create(
        &mut self,
        by: &Actor,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        Ok(self.store.create_application(by, data, office_id, at)?.id)
    }

    fn import(
        &mut self,
        external_id: &str,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<i64, StoreError> {
        let row = ImportRow {
            external_id: external_id.to_string(),
            office_id,
            data: data.clone(),
        };
        self.store
            .import_applications(IMPORT_LABEL, &[row], at, |_| {})?;
        self.store
            .application_id_by_external(external_id)?
            .ok_or(StoreError::NotFound)
    }

    fn take(&mut self, by: &Actor, id: i64, at: NaiveDateTime) -> Result<(), StoreError> {
        self.store.take_application(by, id, at).map(|_| ())
    }

    fn edit(
        &mut self,
        by: &Actor,
        id: i64,
        data: &ApplicationData,
        office_id: i64,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let version = self.store.application(id)?.version;
        self.store
            .update_application(by, id, version, data, office_id, at)
            .map(|_| ())
    }

    fn checks(
        &mut self,
        by: &Actor,
        id: i64,
        checks: &[(String, Option<CheckOutcome>, String)],
        bureau: Option<&BureauCheck>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        self.store
            .save_checks(by, id, checks, bureau, self.rules, at)
    }

    fn score(
        &mut self,
        by: &Actor,
        id: i64,
        scored: &Evaluated,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let version = self.store.application(id)?.version;
        self.store
            .score_application(by, id, version, &scored.input, self.rules, at)
            .map(|_| ())
    }

    fn transition(
        &mut self,
        by: &Actor,
        id: i64,
        to: Status,
        input: &StepInput,
        _rescored: Option<&Evaluated>,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let version = self.store.application(id)?.version;
        self.store
            .transition(by, id, version, to, input, self.rules, at)
            .map(|_| ())
    }

    fn member_act(&mut self, _act: MemberAct<'_>, _at: NaiveDateTime) -> Result<(), StoreError> {
        // Member acts all lie before `recent_start`, and the switch is never earlier.
        unreachable!("member acts are written in bulk")
    }
}

/// A plan being played: its steps, its person, and what its application has become.
struct Active {
    steps: Vec<Step>,
    office: usize,
    passport: String,
    /// The person as they would give their data (not drawn for shares and leaving).
    borrower: Option<Borrower>,
    app: Option<i64>,
    /// What each step sends.
    payloads: Vec<Payload>,
}

/// Every plan in the order they begin, and everyone's passport.
struct Schedule {
    plans: Vec<Plan>,
    passports: Vec<u64>,
}

impl Schedule {
    fn new((mut plans, passports): (Vec<Plan>, Vec<u64>)) -> Schedule {
        plans.sort_by_key(|p| (p.start, p.ordinal));
        Schedule { plans, passports }
    }
}

/// What a plan will do, drawn before it begins: its steps, and what each step sends (the
/// application as it stands at that step, the scorecard answers).
struct Prepared {
    plan: u32,
    steps: Vec<Step>,
    office: usize,
    passport: String,
    borrower: Option<Borrower>,
    /// One per step.
    payloads: Vec<Payload>,
}

enum Payload {
    None,
    /// The application as the step sends it (typed in, imported, completed, amended).
    Data(Box<ApplicationData>),
    /// A score, worked out on the application as it stands at that step.
    Score(Box<Evaluated>),
    /// `member → authorized`: the score again on the final terms, when that changes it.
    Rescore(Option<Box<Evaluated>>),
}

/// Draw plan `plan` (an index into the schedule): pure, so it can run ahead on another thread.
fn prepare(planner: &Planner<'_>, schedule: &Schedule, plan: u32) -> Prepared {
    let p = schedule.plans[plan as usize];
    let rules = planner.rules;
    let steps = planner.script(&p);
    let passport = schedule.passports[p.person as usize];
    let (office, borrower, mut data) = match p.kind {
        Kind::Voluntary | Kind::Leave => (planner.office_of(p.person), None, None),
        Kind::Join => {
            let person = planner.person(p.person, passport);
            (person.office, Some(person.borrower), None)
        }
        _ => {
            let person = planner.person(p.person, passport);
            let mut rng = Rng::derive(planner.seed, S_LOAN, u64::from(p.ordinal));
            let loan = loan_terms(&mut rng, rules, person.office);
            let data = ApplicationData {
                borrower: person.borrower.clone(),
                loan,
            };
            (person.office, Some(person.borrower), Some(data))
        }
    };
    let mut created = None;
    // The score recorded last, which a rescore compares with.
    let mut scored: Option<Box<Evaluated>> = None;
    let mut payloads = Vec::with_capacity(steps.len());
    for step in &steps {
        let payload = match step.act {
            Act::Create { .. } => {
                created = Some(step.at);
                data.clone().map(|d| Payload::Data(Box::new(d)))
            }
            Act::Import => {
                created = Some(step.at);
                if let Some(d) = data.as_mut() {
                    d.borrower.passport_issued_by.clear();
                    d.borrower.passport_issued_on = None;
                }
                data.clone().map(|d| Payload::Data(Box::new(d)))
            }
            Act::Complete { .. } => match (data.as_mut(), borrower.as_ref()) {
                (Some(d), Some(full)) => {
                    d.borrower.passport_issued_by = full.passport_issued_by.clone();
                    d.borrower.passport_issued_on = full.passport_issued_on;
                    Some(Payload::Data(Box::new(d.clone())))
                }
                _ => None,
            },
            Act::Amend { pct, .. } => data.as_mut().map(|d| {
                if let Some(product) = rules.product(&d.loan.product) {
                    let rubles = d.loan.amount.kopecks() / 100 * i64::from(pct) / 100;
                    let amount = Money::from_rubles(round_to(rubles, 1_000).max(1))
                        .clamp(product.min_amount, product.max_amount);
                    d.loan.amount = amount;
                }
                Payload::Data(Box::new(d.clone()))
            }),
            Act::Score { complete, .. } => match (rules.scorecard.as_ref(), &data, created) {
                (Some(card), Some(d), Some(created)) => {
                    let (member, lean) = match p.kind {
                        Kind::RepeatLoan => (true, 1),
                        Kind::Recent {
                            last,
                            rejected,
                            member,
                            ..
                        } => (member, score::lean(last, rejected)),
                        _ => (false, 1),
                    };
                    let applicant = score::Applicant {
                        data: d,
                        created: created.date(),
                        member,
                        lean,
                    };
                    let mut rng = Rng::derive(planner.seed, S_SCORE, u64::from(p.ordinal));
                    let input = score::input(&card.card, rules, &mut rng, &applicant, complete);
                    // Evaluated here, on the drawing thread, on the data as the store keeps it.
                    Evaluated::new(card, &as_stored(d), created.date(), &input, rules)
                        .ok()
                        .map(|ev| {
                            let ev = Box::new(ev);
                            scored = Some(ev.clone());
                            Payload::Score(ev)
                        })
                }
                _ => None,
            },
            Act::Move {
                to: Status::Authorized,
                ..
            } => match (rules.scorecard.as_ref(), &data, created, &scored) {
                (Some(card), Some(d), Some(created), Some(prev)) => Evaluated::rescored(
                    card,
                    &as_stored(d),
                    created.date(),
                    &prev.as_prior(card),
                    rules,
                )
                .ok()
                .map(|again| {
                    let again = again.map(Box::new);
                    if let Some(ev) = &again {
                        scored = Some(ev.clone());
                    }
                    Payload::Rescore(again)
                }),
                _ => None,
            },
            _ => None,
        };
        payloads.push(payload.unwrap_or(Payload::None));
    }
    Prepared {
        plan,
        steps,
        office,
        passport: format!("{passport:010}"),
        borrower,
        payloads,
    }
}

struct Engine<'a> {
    planner: &'a Planner<'a>,
    plans: &'a [Plan],
    /// Plans drawn ahead, in the order they begin, in batches.
    feed: std::sync::mpsc::Receiver<Vec<Prepared>>,
    /// What is left of the batch taken last, in order.
    drawn: std::collections::VecDeque<Prepared>,
    actors: Vec<Actor>,
    office_ids: Vec<i64>,
    next_plan: usize,
    queue: BinaryHeap<Reverse<(NaiveDateTime, u32, u16)>>,
    active: HashMap<u32, Active>,
    receipts: Vec<u32>,
    done: u64,
    total: u64,
    switch: NaiveDateTime,
    through_store_actions: usize,
}

impl<'a> Engine<'a> {
    fn new(
        planner: &'a Planner<'a>,
        schedule: &'a Schedule,
        feed: std::sync::mpsc::Receiver<Vec<Prepared>>,
        actors: Vec<Actor>,
        office_ids: Vec<i64>,
    ) -> Engine<'a> {
        let plans = &schedule.plans[..];
        let total = plans.iter().map(|p| u64::from(p.steps)).sum();
        Engine {
            planner,
            plans,
            feed,
            drawn: std::collections::VecDeque::new(),
            actors,
            office_ids,
            next_plan: 0,
            queue: BinaryHeap::new(),
            active: HashMap::new(),
            receipts: vec![0; OFFICES.len()],
            done: 0,
            total,
            switch: NaiveDateTime::MAX,
            through_store_actions: 0,
        }
    }

    /// Decide from when on steps go through the store's own actions: the creation of the
    /// `api_applications`-th newest recent application (never before the recent period).
    fn set_switch(&mut self, api_applications: usize) -> NaiveDateTime {
        self.switch = self.switch_moment(api_applications);
        self.switch
    }

    fn switch_moment(&self, api_applications: usize) -> NaiveDateTime {
        if api_applications == 0 {
            return NaiveDateTime::MAX;
        }
        let recent: Vec<NaiveDateTime> = self
            .plans
            .iter()
            .filter(|p| matches!(p.kind, Kind::Recent { .. }))
            .map(|p| p.start)
            .collect();
        let first = recent.len().saturating_sub(api_applications);
        recent
            .get(first)
            .copied()
            .unwrap_or(self.planner.end)
            .max(self.planner.recent_start)
    }

    /// Play every step before `until` (all of them when `None`).
    fn play(
        &mut self,
        until: Option<NaiveDateTime>,
        sink: &mut dyn Sink,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(), StoreError> {
        let until = until.unwrap_or(NaiveDateTime::MAX);
        loop {
            // Begin every plan whose first step is due before the next queued one.
            if let Some(p) = self.plans.get(self.next_plan) {
                let due = self.queue.peek().map(|Reverse(k)| k.0);
                if p.start < until && due.is_none_or(|d| p.start <= d) {
                    self.begin(self.next_plan as u32)?;
                    self.next_plan += 1;
                    continue;
                }
            }
            let Some(&Reverse((at, plan, step))) = self.queue.peek() else {
                return Ok(());
            };
            if at >= until {
                return Ok(());
            }
            self.queue.pop();
            self.act(plan, step as usize, sink)?;
            self.done += 1;
            if self.done.is_multiple_of(256) {
                progress(self.done, self.total);
            }
            let active = self.active.get(&plan).ok_or(StoreError::NotFound)?;
            if let Some(next) = active.steps.get(step as usize + 1) {
                self.queue.push(Reverse((next.at, plan, step + 1)));
            } else {
                self.active.remove(&plan);
            }
        }
    }

    fn begin(&mut self, plan: u32) -> Result<(), StoreError> {
        // The drawing thread sends the plans in the order they begin; it stops only when
        // the engine is gone or it panicked.
        if self.drawn.is_empty() {
            let batch = self
                .feed
                .recv()
                .map_err(|_| StoreError::Io("demo: the drawing thread stopped".to_string()))?;
            self.drawn.extend(batch);
        }
        let prep = self
            .drawn
            .pop_front()
            .ok_or_else(|| StoreError::Io("demo: an empty batch of plans".to_string()))?;
        if prep.plan != plan {
            return Err(StoreError::Io(format!(
                "demo: plan {} drawn where {plan} was due",
                prep.plan
            )));
        }
        self.queue.push(Reverse((prep.steps[0].at, plan, 0)));
        self.active.insert(
            plan,
            Active {
                steps: prep.steps,
                office: prep.office,
                passport: prep.passport,
                borrower: prep.borrower,
                app: None,
                payloads: prep.payloads,
            },
        );
        Ok(())
    }

    fn receipt(&mut self, office: usize) -> String {
        self.receipts[office] += 1;
        format!("{}-{:06}", OFFICES[office].code, self.receipts[office])
    }

    fn act(&mut self, plan: u32, step: usize, sink: &mut dyn Sink) -> Result<(), StoreError> {
        let p = self.plans[plan as usize];
        let rules = self.planner.rules;
        // What this step sends is used once: taken, so that a plan active for weeks does not
        // hold every score it sent until it ends.
        let payload = self
            .active
            .get_mut(&plan)
            .and_then(|a| a.payloads.get_mut(step))
            .map(|p| std::mem::replace(p, Payload::None));
        let a = self.active.get(&plan).ok_or(StoreError::NotFound)?;
        let Step { at, act } = a.steps[step];
        let office = a.office;
        let office_id = self.office_ids[office];
        let actor = |i: u8| &self.actors[i as usize];
        let app = a.app;
        let need_app = || app.ok_or(StoreError::NotFound);
        // The application as this step sends it, drawn by `prepare`.
        let data = || match &payload {
            Some(Payload::Data(d)) => Ok(d),
            _ => Err(StoreError::NotFound),
        };
        match act {
            Act::Create { by } => {
                let id = sink.create(actor(by), data()?, office_id, at)?;
                self.on_created(plan, id, at);
            }
            Act::Import => {
                let number = match p.kind {
                    Kind::Recent { index, .. } => index,
                    _ => p.ordinal,
                };
                let id = sink.import(&format!("site-{:06}", number + 1), data()?, office_id, at)?;
                self.on_created(plan, id, at);
            }
            Act::Take { by } => sink.take(actor(by), need_app()?, at)?,
            Act::Complete { by } | Act::Amend { by, .. } => {
                sink.edit(actor(by), need_app()?, data()?, office_id, at)?;
            }
            Act::Checks { by, scope, bureau } => {
                let mut checks = Vec::new();
                for (i, item) in rules.checks.iter().enumerate() {
                    let (ok, failed, _) = check_words(&item.code);
                    match scope {
                        Scope::Partial if i >= 2 => break,
                        Scope::Failed(f) if i == f as usize => {
                            checks.push((
                                item.code.clone(),
                                Some(CheckOutcome::Failed),
                                failed.to_string(),
                            ));
                            break;
                        }
                        _ => {
                            checks.push((item.code.clone(), Some(CheckOutcome::Ok), ok.to_string()))
                        }
                    }
                }
                let report = match scope {
                    Scope::Full(o) => {
                        let wanted = OUTCOMES[o as usize];
                        rules
                            .bureau_outcomes
                            .iter()
                            .find(|x| *x == wanted)
                            .or(rules.bureau_outcomes.first())
                            .map(|outcome| BureauCheck {
                                bureau: BUREAUS[bureau as usize].to_string(),
                                report_date: at.date(),
                                outcome: outcome.clone(),
                                comment: String::new(),
                            })
                    }
                    _ => None,
                };
                sink.checks(actor(by), need_app()?, &checks, report.as_ref(), at)?;
            }
            Act::Score { by, .. } => {
                if rules.scorecard.is_none() {
                    return Ok(());
                }
                let Some(Payload::Score(scored)) = &payload else {
                    return Err(StoreError::NotFound);
                };
                sink.score(actor(by), need_app()?, scored, at)?;
            }
            Act::Move { by, to } => {
                let rescored = match &payload {
                    Some(Payload::Rescore(r)) => r.as_deref(),
                    _ => None,
                };
                sink.transition(actor(by), need_app()?, to, &StepInput::None, rescored, at)?;
            }
            Act::Pay { by } => {
                let id = need_app()?;
                let input = StepInput::Fees {
                    entrance_receipt: self.receipt(office),
                    share_receipt: self.receipt(office),
                };
                sink.transition(
                    &self.actors[by as usize],
                    id,
                    Status::Member,
                    &input,
                    None,
                    at,
                )?;
            }
            Act::Issue { by } => {
                let input = StepInput::Contract {
                    contract_no: String::new(),
                    issue_date: at.date(),
                };
                sink.transition(actor(by), need_app()?, Status::Archived, &input, None, at)?;
            }
            Act::Reject { by, reason } => {
                let input = StepInput::Reason(reason.to_string());
                sink.transition(actor(by), need_app()?, Status::Rejected, &input, None, at)?;
            }
            Act::Join { cashier, manager } => {
                let receipts = (self.receipt(office), self.receipt(office));
                let a = self.active.get(&plan).ok_or(StoreError::NotFound)?;
                let member = EarlierMember {
                    borrower: a.borrower.as_ref().ok_or(StoreError::NotFound)?,
                    office_id,
                    manager_id: manager.map(|m| self.actors[m as usize].staff_id),
                };
                let cashier = &self.actors[cashier as usize];
                sink.member_act(
                    MemberAct::Join {
                        cashier,
                        member,
                        receipts,
                    },
                    at,
                )?;
            }
            Act::Voluntary { cashier, rubles } => {
                let receipt = self.receipt(office);
                let a = self.active.get(&plan).ok_or(StoreError::NotFound)?;
                sink.member_act(
                    MemberAct::Voluntary {
                        cashier: &self.actors[cashier as usize],
                        passport: &a.passport,
                        amount: Money::from_rubles(i64::from(rubles)),
                        receipt,
                    },
                    at,
                )?;
            }
            Act::Leave => {
                sink.member_act(
                    MemberAct::Leave {
                        passport: &a.passport,
                    },
                    at,
                )?;
            }
        }
        Ok(())
    }

    fn on_created(&mut self, plan: u32, id: i64, at: NaiveDateTime) {
        if let Some(a) = self.active.get_mut(&plan) {
            a.app = Some(id);
        }
        if at >= self.switch {
            self.through_store_actions += 1;
        }
    }
}

// ----- loans as they stand -----------------------------------------------------------------------

/// A loan's balance on `today`: equal monthly repayments of the principal (as cooperatives
/// usually lend), some repaid early, a few with payments missed.
fn balance_on(seed: u64, l: &LoanForServicing, today: NaiveDate) -> LoanBalance {
    let mut rng = Rng::derive(seed, S_SERVICE, l.id as u64);
    let n = i64::from(l.term_months.max(1));
    let k = months_between(l.issue_date, today).clamp(0, n);
    let amount = l.amount.kopecks();
    let principal = amount / n;
    let repaid = LoanBalance {
        id: l.id,
        balance: Money::ZERO,
        overdue_amount: Money::ZERO,
        overdue_days: 0,
    };
    if l.member_left || k >= n || (k >= 3 && rng.percent(8)) {
        return repaid;
    }
    if k >= 1 && rng.percent(7) {
        let missed = (1 + rng.below(3) as i64).min(k);
        let balance = amount - principal * (k - missed);
        let rate = Decimal::from_str(&l.rate).unwrap_or_default();
        let interest = (Decimal::from(balance) * rate / Decimal::from(1200)
            * Decimal::from(missed))
        .round()
        .to_i64()
        .unwrap_or(0);
        let first_missed = l
            .issue_date
            .checked_add_months(Months::new((k - missed + 1) as u32))
            .unwrap_or(today);
        return LoanBalance {
            id: l.id,
            balance: Money::from_kopecks(balance),
            overdue_amount: Money::from_kopecks(principal * missed + interest),
            overdue_days: (today - first_missed).num_days().max(1) as u32,
        };
    }
    LoanBalance {
        id: l.id,
        balance: Money::from_kopecks(amount - principal * k),
        ..repaid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate;

    #[test]
    fn surnames_and_patronymics_agree_with_sex() {
        assert_eq!(feminine("Иванов"), "Иванова");
        assert_eq!(feminine("Соловьёв"), "Соловьёва");
        assert_eq!(feminine("Ильин"), "Ильина");
        assert_eq!(feminine("Островский"), "Островская");
        assert_eq!(feminine("Высоцкий"), "Высоцкая");
        assert_eq!(feminine("Толстой"), "Толстая");
        assert_eq!(feminine("Заречный"), "Заречная");
        assert_eq!(feminine("Шевченко"), "Шевченко");
        assert_eq!(feminine("Черных"), "Черных");
        for (m, f) in PATRONYMICS {
            assert!(m.ends_with("ович") || m.ends_with("евич"), "{m}");
            assert!(f.ends_with("овна") || f.ends_with("евна"), "{f}");
        }
    }

    #[test]
    fn people_pass_the_input_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for i in 0..300u32 {
            let profile = if i % 2 == 0 {
                Profile::Member
            } else {
                Profile::Applicant
            };
            let c = core(7, i, profile, today).0;
            let p = person(7, i, profile, today, c.passport_key());
            let b = &p.borrower;
            assert_eq!(
                validate::name(&b.last_name, true).as_deref(),
                Ok(b.last_name.as_str())
            );
            assert_eq!(validate::phone(&b.phone).as_deref(), Ok(b.phone.as_str()));
            assert_eq!(validate::email(&b.email).as_deref(), Ok(b.email.as_str()));
            assert_eq!(
                validate::passport(&b.passport).as_deref(),
                Ok(b.passport.as_str())
            );
            let age = age_on(b.birth_date, today);
            assert!((19..=80).contains(&age), "{age}");
            if profile == Profile::Member {
                assert!(age >= 21);
            }
            let issued = b.passport_issued_on.unwrap();
            assert!(issued > b.birth_date + Duration::days(14 * 365));
            assert!(issued < today);
            // Series: the region, then the two digits of the issue year.
            assert_eq!(&b.passport[2..4], &format!("{:02}", issued.year() % 100));
            let female = b.patronymic.ends_with("вна");
            let male = b.patronymic.ends_with("вич");
            assert!(female != male, "{}", b.patronymic);
            if male {
                assert!(SURNAMES.contains(&b.last_name.as_str()), "{}", b.last_name);
            }
        }
    }

    #[test]
    fn the_generator_is_stable() {
        let mut a = Rng::derive(1, 2, 3);
        let mut b = Rng::derive(1, 2, 3);
        let xs: Vec<u64> = (0..5).map(|_| a.below(1000)).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.below(1000)).collect();
        assert_eq!(xs, ys);
        assert_ne!(
            Rng::derive(1, 2, 3).next_u64(),
            Rng::derive(1, 2, 4).next_u64()
        );
        let mut r = Rng::derive(9, 9, 9);
        for _ in 0..1000 {
            let x = r.range(3, 5);
            assert!((3..=5).contains(&x));
        }
    }

    #[test]
    fn office_time_skips_nights_and_weekends() {
        let cal = Calendar::default();
        // Friday 17:30 plus an hour of office time is Monday 09:30.
        let fri = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            fwd(&cal, at_minute(fri, 17 * 60 + 30), 60),
            at_minute(mon, 9 * 60 + 30)
        );
        assert_eq!(
            back(&cal, at_minute(mon, 9 * 60 + 30), 60),
            at_minute(fri, 17 * 60 + 30)
        );
        assert_eq!(months_between(fri, mon), 0);
        assert_eq!(
            months_between(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(), mon),
            9
        );
    }
}
