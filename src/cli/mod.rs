//! The command line: global options, one file per subcommand, exit codes.
//!
//! Exit codes: 0 done; 1 the input was refused (a bad import row, a wrong password);
//! 2 a configuration, rules or usage error; 3 the database could not be used.

pub mod audit;
pub mod backup;
pub mod bench;
pub mod bench_ui;
pub mod client_base;
pub mod demo;
pub mod export;
pub mod import;
pub mod members;
pub mod print;
pub mod rating;
pub mod scorecard;
pub mod setup;
pub mod stress;

use crate::config::Config;
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::scorecards::LoadedCard;
use crate::store::{Store, StoreError};
use chrono::{Local, NaiveDate, NaiveDateTime};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "coopdesk",
    version,
    about = "Desk application for the branch staff of a credit cooperative"
)]
pub struct Cli {
    /// The database file (default: from the config, else the platform data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The configuration file (default: the platform config directory, if it has one).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The business date, YYYY-MM-DD (default: today).
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
    /// Draw with plain ASCII characters.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// No colours: bold and reverse only (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub mono: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database and its first administrator (password on standard input).
    Init {
        #[arg(long)]
        admin: String,
        #[arg(long)]
        password_stdin: bool,
        /// Code of the head office created with the administrator.
        #[arg(long, default_value = "HQ")]
        office: String,
        #[arg(long, default_value = "Головной офис")]
        office_name: String,
        #[arg(long, default_value = "Томск")]
        city: String,
    },
    /// Offices.
    Office {
        #[command(subcommand)]
        command: OfficeCommand,
    },
    /// Staff.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Build a demo database with realistic data, then open it.
    Demo {
        #[arg(long, default_value_t = 2000)]
        members: usize,
        #[arg(long, default_value_t = 300)]
        applications: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Sales to add for measuring the rating (`coopdesk bench --only rating`).
        #[arg(long, default_value_t = 0)]
        sales: usize,
        /// Managers to add with them.
        #[arg(long, default_value_t = 0)]
        managers: usize,
        /// Only build the database and print the logins.
        #[arg(long)]
        no_tui: bool,
    },
    /// Bring data in from other systems.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Members: find one as the member-lookup pane does.
    Members {
        #[command(subcommand)]
        command: MembersCommand,
    },
    /// Write data out.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Scorecards for the credit committee: validate a card, try it on sample answers.
    Scorecard {
        #[command(subcommand)]
        command: scorecard::ScorecardCommand,
    },
    /// Print a document of an application: to the print folder and the print command, or to
    /// --out PATH (plain text; HTML when PATH ends in .html). Without DOCUMENT, or with
    /// `list`, name the documents that fit the application now.
    Print {
        /// The application's number, e.g. 2026-000012.
        application: String,
        /// application, membership, entrance_fee, share, contract_draft, contract,
        /// guarantee, collateral, issue_order — or `list`.
        document: Option<String>,
        /// Write the document here instead (not sent to the printer).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// The daily sales rating: month-to-date % of plan, forecast and КП on a date.
    Rating {
        /// The date (default: the business date).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "manager")]
        by: rating::RatingBy,
        #[arg(long, value_enum, default_value = "table")]
        format: rating::RatingFormat,
    },
    /// The client base: each manager's base against the norms, idle clients.
    ClientBase {
        #[command(subcommand)]
        command: client_base::ClientBaseCommand,
    },
    /// Copy the database now, online (desks keep working), with SQLite's backup API.
    Backup {
        /// The file to write (default: the backup folder, a dated name; the oldest pruned).
        #[arg(long, value_name = "PATH")]
        to: Option<PathBuf>,
    },
    /// Check the database file: integrity and foreign keys.
    Check,
    /// Measure the app's own operations on a database (p50/p95/p99 beside their targets).
    Bench {
        #[arg(long, value_enum, default_value = "table")]
        format: bench::BenchFormat,
        /// Run only these sections (repeatable): open, queue, …
        #[arg(long, value_name = "SECTION")]
        only: Vec<String>,
        /// Repetitions of each timed operation.
        #[arg(long, default_value_t = 50)]
        reps: usize,
    },
    /// The trail of an application or a member: every change (who, when, before → after),
    /// print and reveal of personal data, oldest first.
    Audit {
        /// The application's number, e.g. 2026-000012.
        #[arg(
            long,
            value_name = "NUMBER",
            conflicts_with = "member",
            required_unless_present = "member"
        )]
        application: Option<String>,
        /// The member's number.
        #[arg(long, value_name = "MEMBER_NO")]
        member: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: audit::AuditFormat,
    },
    /// Many desks writing one database at once, and the proof nothing was lost (for testing).
    #[command(hide = true)]
    Stress {
        #[command(subcommand)]
        command: stress::StressCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum OfficeCommand {
    /// Add an office.
    Add {
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        city: String,
    },
    /// List offices.
    List,
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add a person (password on standard input).
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        office: String,
        /// Comma-separated: manager, inspector, cashier, head, admin.
        #[arg(long)]
        roles: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff.
    List,
    /// Set a sales manager's client-base profile (`none` clears a value).
    Set {
        login: String,
        /// universal, territorial, industrial, panel_builders, dealers, chains (or none).
        #[arg(long)]
        specialization: Option<String>,
        #[arg(long)]
        trainee: Option<bool>,
        /// The day the person became a novice (tenure counts from it), YYYY-MM-DD or none.
        #[arg(long, value_name = "DATE")]
        novice_since: Option<String>,
        #[arg(long, value_name = "DATE")]
        dismissed_on: Option<String>,
        /// The manager's own territories, comma-separated.
        #[arg(long)]
        territories: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Loan applications from CSV (with a header row) or a JSON array.
    Applications { file: PathBuf },
    /// Monthly turnover of clients: client (member number), month (YYYY-MM), amount.
    Turnover { file: PathBuf },
    /// Who holds which client: client (member number), manager (login; empty: the pool), since.
    Assignments { file: PathBuf },
    /// Members from the accounting system (CSV or JSON), keyed by member number.
    Members { file: PathBuf },
    /// Loans from the accounting system (CSV or JSON), keyed by contract number.
    Loans { file: PathBuf },
    /// Sales from CSV or JSON: external_id, date, manager (login), product, member_no, amount.
    Sales { file: PathBuf },
    /// Monthly plans from CSV or JSON: month (YYYY-MM), manager (login), ukp.
    Plans { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum MembersCommand {
    /// Search members as the pane does (surname, phone, passport, member or application number).
    Search {
        query: String,
        #[arg(long, value_enum, default_value = "table")]
        format: members::SearchFormat,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Who was shown a member's full personal data, and when (newest first).
    Views { member_no: String },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Every application.
    Applications {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[arg(long)]
        with_history: bool,
    },
}

/// What every command needs: configuration, rules, catalog, the business date.
pub struct Context {
    pub config: Config,
    pub rules: Rules,
    pub catalog: Catalog,
    /// The active scorecard (`[scoring] card`), validated at start; `None` when scoring is off.
    pub scorecard: Option<LoadedCard>,
    pub db_path: PathBuf,
    pub today: NaiveDate,
    pub ascii: bool,
    pub mono: bool,
}

impl Context {
    /// The moment an action happens: the business date with the real time of day.
    pub fn now(&self) -> NaiveDateTime {
        self.today.and_time(Local::now().time())
    }

    pub fn open_store(&self) -> Result<Store, Failure> {
        let access = self.config.security.file_access().map_err(|group| {
            Failure::Setup(self.catalog.f("files.unknown_group", &[("group", &group)]))
        })?;
        Store::open_with(&self.db_path, access)
            .map_err(|e| Failure::Store(e.message(&self.catalog)))
    }

    /// Open a database that must already exist (every command but `init` and `demo`), so a
    /// mistyped `--db` is an error rather than a new empty database.
    pub fn open_existing_store(&self) -> Result<Store, Failure> {
        if !self.db_path.exists() {
            let db = self.db_path.display().to_string();
            return Err(Failure::Setup(
                self.catalog.f("cli.no_database", &[("db", &db)]),
            ));
        }
        self.open_store()
    }

    /// Who a command-line action is recorded under: `cli:<OS user>`.
    pub fn cli_actor(&self) -> String {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        format!("cli:{user}")
    }
}

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The input was refused: exit 1.
    Refused(String),
    /// Configuration, rules or usage: exit 2.
    Setup(String),
    /// The database: exit 3.
    Store(String),
}

impl Failure {
    pub fn from_store(e: StoreError, cat: &Catalog) -> Failure {
        match e {
            StoreError::Sqlite(_) | StoreError::NewerSchema { .. } | StoreError::Io(_) => {
                Failure::Store(e.message(cat))
            }
            other => Failure::Refused(other.message(cat)),
        }
    }
}

pub fn load_context(cli: &Cli) -> Result<Context, Failure> {
    let (config, cfg_src) =
        Config::load(cli.config.as_deref()).map_err(|e| Failure::Setup(e.to_string()))?;
    let assets = config.assets_dir.as_deref();
    let mut rules = Rules::load(assets).map_err(|e| Failure::Setup(e.to_string()))?;
    if !config.queue.time_limits.is_empty() {
        let (file, src) = cfg_src.clone().unwrap_or_default();
        let over = crate::rules::parse_time_limits(&file, &src, &config.queue.time_limits)
            .map_err(|e| Failure::Setup(e.to_string()))?;
        rules.time_limits.extend(over);
    }
    let catalog =
        Catalog::load(&config.language, assets).map_err(|e| Failure::Setup(e.to_string()))?;
    // The cooperative's own document templates are checked at start, as the rules are.
    crate::docs::Templates::new(assets)
        .check_all()
        .map_err(|e| Failure::Setup(e.message(&catalog)))?;
    let scorecard = crate::scorecards::load_version(
        &config.scoring.card,
        Some(config.scoring.version).filter(|v| *v > 0),
        assets,
        cfg_src.as_ref().map(|(f, s)| (f.as_str(), s.as_str())),
    )
    .map_err(|e| Failure::Setup(e.to_string()))?;
    let db_path = cli
        .db
        .clone()
        .or_else(|| config.database.clone())
        .unwrap_or_else(crate::config::default_db_path);
    let today = cli.today.unwrap_or_else(|| Local::now().date_naive());
    let ascii = cli.ascii || config.ascii;
    let mono = cli.mono
        || config.theme == crate::config::ThemeChoice::Mono
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    rules.scorecard = scorecard.clone();
    Ok(Context {
        config,
        rules,
        catalog,
        scorecard,
        db_path,
        today,
        ascii,
        mono,
    })
}

/// Read a password from standard input: the first line, without its line ending.
pub fn read_password_stdin(cat: &Catalog) -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Failure::Setup(e.to_string()))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.chars().count() < 8 {
        return Err(Failure::Refused(
            cat.t("cli.password_too_short").to_string(),
        ));
    }
    Ok(pw)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut ctx = match load_context(&cli) {
        Ok(c) => c,
        Err(f) => return report(f),
    };
    let result = match &cli.command {
        None => crate::tui::run(&ctx),
        Some(Command::Init {
            admin,
            password_stdin,
            office,
            office_name,
            city,
        }) => setup::init(&ctx, admin, *password_stdin, office, office_name, city),
        Some(Command::Office { command }) => setup::office(&ctx, command),
        Some(Command::Staff { command }) => setup::staff(&ctx, command),
        Some(Command::Demo {
            members,
            applications,
            seed,
            sales,
            managers,
            no_tui,
        }) => {
            if cli.db.is_none() && ctx.config.database.is_none() {
                ctx.db_path = crate::config::default_db_path().with_file_name("demo.db");
            }
            demo::run(&ctx, *members, *applications, *seed)
                .and_then(|()| demo::sales_rating::run_scale(&ctx, *sales, *managers, *seed))
                .and_then(|()| {
                    if *no_tui {
                        Ok(())
                    } else {
                        crate::tui::run(&ctx)
                    }
                })
        }
        Some(Command::Import {
            command: ImportCommand::Applications { file },
        }) => import::applications(&ctx, file),
        Some(Command::Import {
            command: ImportCommand::Members { file },
        }) => members::import_members(&ctx, file),
        Some(Command::Import {
            command: ImportCommand::Loans { file },
        }) => members::import_loans(&ctx, file),
        Some(Command::Members {
            command:
                MembersCommand::Search {
                    query,
                    format,
                    limit,
                },
        }) => members::search_command(&ctx, query, *format, *limit),
        Some(Command::Members {
            command: MembersCommand::Views { member_no },
        }) => members::views_command(&ctx, member_no),
        Some(Command::Export {
            command:
                ExportCommand::Applications {
                    format,
                    with_history,
                },
        }) => export::applications(&ctx, *format, *with_history),
        Some(Command::Scorecard { command }) => scorecard::run(&ctx, command),
        Some(Command::Print {
            application,
            document,
            out,
        }) => print::run(&ctx, application, document.as_deref(), out.as_deref()),
        Some(Command::Bench { format, only, reps }) => bench::run(&ctx, *format, only, *reps),
        Some(Command::ClientBase { command }) => client_base::run(&ctx, command),
        Some(Command::Backup { to }) => backup::backup(&ctx, to.as_deref()),
        Some(Command::Check) => backup::check(&ctx),
        Some(Command::Stress { command }) => stress::run(&ctx, command),
        Some(Command::Audit {
            application,
            member,
            format,
        }) => audit::run(&ctx, application.as_deref(), member.as_deref(), *format),
        Some(Command::Import {
            command: ImportCommand::Turnover { file },
        }) => client_base::import_turnover(&ctx, file),
        Some(Command::Import {
            command: ImportCommand::Assignments { file },
        }) => client_base::import_assignments(&ctx, file),
        Some(Command::Import {
            command: ImportCommand::Sales { file },
        }) => rating::import_sales(&ctx, file),
        Some(Command::Import {
            command: ImportCommand::Plans { file },
        }) => rating::import_plans(&ctx, file),
        Some(Command::Rating { date, by, format }) => rating::run(&ctx, *date, *by, *format),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(f),
    }
}

fn report(f: Failure) -> ExitCode {
    let (msg, code) = match f {
        Failure::Refused(m) => (m, 1),
        Failure::Setup(m) => (m, 2),
        Failure::Store(m) => (m, 3),
    };
    eprintln!("coopdesk: {msg}");
    ExitCode::from(code)
}
