//! End to end: the real `coopdesk` binary in a tmux pane of 80×24, typed at with `send-keys`
//! and read with `capture-pane`, as a person at the branch would use it.
//!
//! Each test has its own tmux server (`tmux -L <unique socket>`), its own temporary directory,
//! configuration and database, and the business date 2026-11-23. The server is killed when the
//! test ends, also when it fails. The database is set up through the command line; the words
//! expected on screen come from the shipped Russian catalog, the field and check order from the
//! domain and the rules, so a test follows the application rather than a copy of it.
//!
//! Nothing is asserted after a fixed sleep: every step waits for the text it expects (polling
//! the screen every 50 ms, 5 s at most, or `COOPDESK_E2E_TIMEOUT_SECS`) and fails with the last
//! screen when it does not come. Without tmux the tests fail, unless `COOPDESK_SKIP_TMUX=1`.

mod common;

use common::tmux::{POLL, Pane, Tmux, available as tmux_available, sh_quote, timeout};

use coopdesk::domain::Status;
use coopdesk::domain::draft::BORROWER_FIELDS;
use coopdesk::i18n::Catalog;
use coopdesk::rules::Rules;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

const TODAY: &str = "2026-11-23";
const TODAY_SHOWN: &str = "23.11.2026";

const APPLICATIONS_CSV: &str = "\
external_id,last_name,first_name,patronymic,birth_date,passport,reg_address,fact_address,phone,email,income,expenses,payments,deductions,product,amount,term_months,purpose,office
web-1,Иванов,Пётр,Сергеевич,14.03.1985,4509 123456,\"г. Томск, ул. Ленина, 1\",\"г. Томск, ул. Ленина, 1\",8 (924) 811-16-71,ivanov@mail.ru,65000,20000,0,0,consumer,150000,24,ремонт,TSK
";
const EXTERNAL_ID: &str = "web-1";
const APPLICANT: &str = "Иванов";
/// 150 000 ₽ in kopecks, as the store keeps money.
const AMOUNT_KOPECKS: i64 = 15_000_000;

struct Person {
    login: &'static str,
    name: &'static str,
    role: &'static str,
    password: &'static str,
}

const MANAGER: Person = Person {
    login: "mgr",
    name: "Петрова Анна Викторовна",
    role: "manager",
    password: "manager-pw-1",
};
const INSPECTOR: Person = Person {
    login: "insp",
    name: "Сидоров Олег Иванович",
    role: "inspector",
    password: "inspector-pw-1",
};
const CASHIER: Person = Person {
    login: "cash",
    name: "Кузнецова Ирина Павловна",
    role: "cashier",
    password: "cashier-pw-1",
};

/// What a session's shell does once coopdesk has ended: say so with the exit code, show whether
/// the terminal is back in cooked mode, and keep the pane open to be read.
const AFTER_EXIT: &str = "; echo \"EXITED rc=$?\"; \
    printf 'TTY:%s\\n' \"$(stty -a | tr ' ;' '\\n\\n' | grep -E -x -e '-?icanon' -e '-?echo' | tr '\\n' ' ')\"; \
    sleep 60";

/// What these tests ask of a pane beyond the shared harness: the app's process, its exit.
trait PaneExt {
    fn app_pid(&self) -> String;
    fn wait_exit(&self) -> String;
    fn assert_terminal_restored(&self, screen: &str);
}

impl PaneExt for Pane<'_> {
    /// The process id of coopdesk, the child of the pane's shell.
    fn app_pid(&self) -> String {
        let shell = self.format("#{pane_pid}");
        let out = Command::new("pgrep")
            .args(["-P", &shell, "-x", "coopdesk"])
            .output()
            .expect("run pgrep");
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            !pid.is_empty() && !pid.contains('\n'),
            "one coopdesk process under the pane's shell {shell}, found {pid:?}"
        );
        pid
    }

    /// Wait for the shell after coopdesk: the `EXITED rc=N` line, then the terminal modes.
    fn wait_exit(&self) -> String {
        self.wait_for("EXITED rc=");
        self.wait_until("the terminal modes after exit (TTY:)", |s| {
            s.contains("TTY:")
        })
    }

    /// After coopdesk has exited: the terminal is as it was.
    fn assert_terminal_restored(&self, screen: &str) {
        assert_eq!(
            self.format("#{alternate_on}"),
            "0",
            "still on the alternate screen after exit:\n{screen}"
        );
        assert_eq!(
            self.format("#{cursor_flag}"),
            "1",
            "the cursor is still hidden after exit:\n{screen}"
        );
        assert!(
            screen.contains("TTY:icanon echo"),
            "the terminal was left in raw mode:\n{screen}"
        );
    }
}

/// Poll until `ok` holds; fail after the timeout.
fn wait_until_true(what: &str, ok: impl Fn() -> bool) {
    let limit = timeout();
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() <= limit,
            "waited {:.1} s for {what}",
            start.elapsed().as_secs_f32()
        );
        std::thread::sleep(POLL);
    }
}

/// Is the process running (a zombie has ended)?
fn running(pid: &str) -> bool {
    Command::new("ps")
        .args(["-o", "stat=", "-p", pid])
        .output()
        .is_ok_and(|o| {
            let stat = String::from_utf8_lossy(&o.stdout).trim().to_string();
            !stat.is_empty() && !stat.starts_with('Z')
        })
}

/// Kills a process left behind, so that a failing test leaves nothing running.
struct Reaper(String);

impl Drop for Reaper {
    fn drop(&mut self) {
        if running(&self.0) {
            let _ = Command::new("kill").args(["-KILL", &self.0]).status();
        }
    }
}

// ----- the cooperative ------------------------------------------------------------------------

/// A cooperative set up through the command line: an office, a manager, an inspector and a
/// cashier, one application imported from the website; and a tmux server to run the desk in.
struct Desk {
    /// Declared first: dropped (server killed) before the directory is removed.
    tmux: Tmux,
    dir: tempfile::TempDir,
    db: PathBuf,
    cat: Catalog,
    /// The imported application's number.
    number: String,
    sessions: AtomicU32,
}

impl Desk {
    /// None when tmux is missing and skipping was asked for.
    fn new(test: &str) -> Option<Desk> {
        if !tmux_available() {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("coopdesk-e2e-")
            .tempdir()
            .expect("temp dir");
        let db = dir.path().join("coop.db");
        let mut desk = Desk {
            tmux: Tmux::new(test),
            dir,
            db,
            cat: Catalog::builtin("ru"),
            number: String::new(),
            sessions: AtomicU32::new(0),
        };
        desk.cli(
            &["init", "--admin", "admin", "--password-stdin"],
            Some("admin-pw-1"),
        );
        desk.cli(
            &[
                "office",
                "add",
                "TSK",
                "--name",
                "Томск, центральный офис",
                "--city",
                "Томск",
            ],
            None,
        );
        for p in [&MANAGER, &INSPECTOR, &CASHIER] {
            desk.cli(
                &[
                    "staff",
                    "add",
                    p.login,
                    "--name",
                    p.name,
                    "--office",
                    "TSK",
                    "--roles",
                    p.role,
                    "--password-stdin",
                ],
                Some(p.password),
            );
        }
        let csv = desk.dir.path().join("applications.csv");
        std::fs::write(&csv, APPLICATIONS_CSV).expect("write csv");
        desk.cli(
            &["import", "applications", csv.to_str().expect("utf-8 path")],
            None,
        );
        let (number, status) = desk.exported();
        assert_eq!(status, "new", "an imported application starts as new");
        desk.number = number;
        Some(desk)
    }

    fn t(&self, key: &str) -> String {
        self.cat.t(key).to_string()
    }

    fn status(&self, s: Status) -> String {
        self.t(&format!("status.{}", s.code()))
    }

    fn status_short(&self, s: Status) -> String {
        self.t(&format!("status_short.{}", s.code()))
    }

    /// Environment that keeps coopdesk away from the real configuration and data directories.
    fn isolated_env(&self) -> Vec<(&'static str, PathBuf)> {
        let d = self.dir.path();
        vec![
            ("HOME", d.to_path_buf()),
            ("XDG_CONFIG_HOME", d.join("config")),
            ("XDG_DATA_HOME", d.join("data")),
        ]
    }

    fn global_args(&self) -> Vec<String> {
        vec![
            "--db".into(),
            self.db.display().to_string(),
            "--today".into(),
            TODAY.into(),
        ]
    }

    /// Run a command-line subcommand that must succeed; its standard output.
    fn cli(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coopdesk"));
        cmd.args(self.global_args())
            .args(args)
            .envs(self.isolated_env())
            .env_remove("NO_COLOR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run coopdesk");
        {
            let mut input = child.stdin.take().expect("stdin");
            if let Some(s) = stdin {
                writeln!(input, "{s}").expect("write stdin");
            }
        }
        let out = child.wait_with_output().expect("wait for coopdesk");
        assert!(
            out.status.success(),
            "coopdesk {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// The imported application's number and status, from `export applications --format csv`.
    fn exported(&self) -> (String, String) {
        let csv = self.cli(&["export", "applications", "--format", "csv"], None);
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        let headers = rdr.headers().expect("csv header").clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name} in the export:\n{csv}"))
        };
        let (number, external, status) = (col("number"), col("external_id"), col("status"));
        for rec in rdr.records() {
            let rec = rec.expect("csv record");
            if &rec[external] == EXTERNAL_ID {
                return (rec[number].to_string(), rec[status].to_string());
            }
        }
        panic!("{EXTERNAL_ID} is not in the export:\n{csv}");
    }

    fn exported_status(&self) -> String {
        self.exported().1
    }

    /// Start coopdesk in a new 80×24 session and wait for the login screen.
    fn start(&self, env: &[(&str, &str)], args: &[&str]) -> Pane<'_> {
        let name = format!("s{}", self.sessions.fetch_add(1, Ordering::Relaxed));
        let mut cmd = String::from("env -u NO_COLOR");
        for (k, v) in self.isolated_env() {
            cmd.push_str(&format!(" {k}={}", sh_quote(&v.display().to_string())));
        }
        for (k, v) in env {
            cmd.push_str(&format!(" {k}={}", sh_quote(v)));
        }
        cmd.push(' ');
        cmd.push_str(&sh_quote(env!("CARGO_BIN_EXE_coopdesk")));
        for a in self
            .global_args()
            .iter()
            .map(String::as_str)
            .chain(args.iter().copied())
        {
            cmd.push(' ');
            cmd.push_str(&sh_quote(a));
        }
        cmd.push_str(AFTER_EXIT);
        self.tmux.new_session(&name, &cmd);
        let pane = Pane {
            tmux: &self.tmux,
            target: format!("={name}:"),
        };
        pane.wait_for(&self.t("login.title"));
        pane
    }

    /// Type a login and password on the login screen.
    fn type_credentials(&self, pane: &Pane, login: &str, password: &str) {
        pane.type_text(login);
        pane.keys(&["Enter"]);
        pane.type_text(password);
        pane.keys(&["Enter"]);
    }

    /// Log in and wait for the journal with the application on it; the screen then.
    fn log_in(&self, pane: &Pane, who: &Person) -> String {
        self.type_credentials(pane, who.login, who.password);
        self.wait_journal(pane)
    }

    /// The journal: its header and the application's row.
    fn wait_journal(&self, pane: &Pane) -> String {
        pane.wait_line(&[&self.number, APPLICANT]);
        // The hint bar is the last line drawn: the whole frame is there.
        let screen = pane.wait_line(&["F10", &self.t("key.quit")]);
        assert!(
            screen.contains(&self.t("queue.col_number")),
            "the journal has no header:\n{screen}"
        );
        screen
    }

    fn start_as(&self, who: &Person) -> Pane<'_> {
        let pane = self.start(&[], &[]);
        self.log_in(&pane, who);
        pane
    }

    /// The journal row shows the application in `status`.
    fn wait_row_status(&self, pane: &Pane, status: Status) -> String {
        pane.wait_line(&[&self.number, APPLICANT, &self.status_short(status)])
    }

    /// F10 on the journal, then the shell: coopdesk ended normally and put the terminal back.
    fn quit(&self, pane: &Pane) {
        pane.keys(&["F10"]);
        let screen = pane.wait_exit();
        assert!(screen.contains("EXITED rc=0"), "exit code:\n{screen}");
        pane.assert_terminal_restored(&screen);
    }

    /// `s`, the first step offered (forward), its confirmation; waits for the new status.
    fn step_with_confirmation(&self, pane: &Pane, to: Status) {
        pane.keys(&["s"]);
        pane.wait_for(&self.step_option(to));
        pane.keys(&["Enter"]);
        pane.wait_for(&self.confirm_start(to));
        pane.keys(&["Enter"]);
        self.wait_step_done(pane, to);
    }

    /// `→ Status` in the step menu.
    fn step_option(&self, to: Status) -> String {
        self.cat.f("step.to", &[("status", &self.status(to))])
    }

    /// The first words of the step confirmation (the rest is wrapped in the box).
    fn confirm_start(&self, to: Status) -> String {
        let text = self.cat.f(
            "step.confirm",
            &[("number", &self.number), ("status", &self.status(to))],
        );
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The message line says the step was taken, and the row shows the new status.
    fn wait_step_done(&self, pane: &Pane, to: Status) {
        let done = self.cat.f(
            "step.done",
            &[("number", &self.number), ("status", &self.status(to))],
        );
        pane.wait_for(&done);
        self.wait_row_status(pane, to);
    }
}

/// The parameter lists of the SGR sequences (`ESC [ … m`) in a `capture-pane -e` screen.
fn sgr_params(screen: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = screen;
    while let Some(i) = rest.find("\x1b[") {
        rest = &rest[i + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('m') {
            out.push(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out
}

/// SGR sequences that set a colour (foreground or background, 8, 16, 256 or true colour).
fn colour_codes(screen: &str) -> Vec<String> {
    sgr_params(screen)
        .into_iter()
        .filter(|params| {
            params.split(';').any(|p| {
                p.parse::<u16>()
                    .is_ok_and(|n| matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107))
            })
        })
        .map(|params| format!("\\e[{params}m"))
        .collect()
}

fn has_attribute(screen: &str, code: &str) -> bool {
    sgr_params(screen)
        .into_iter()
        .any(|params| params.split(';').any(|p| p == code))
}

const BOX_DRAWING: [char; 6] = ['─', '│', '┌', '┐', '└', '┘'];

// ----- the tests --------------------------------------------------------------------------------

/// The whole way of an application, each step by the role that owns it, in four logins:
/// the manager completes and checks it, the inspector admits a candidate, the cashier takes the
/// fees, the manager authorises and issues the loan. Then the journal, the export and the
/// database agree that it is archived with a loan and a sale.
/// Answer every question of the shipped card in the scoring tab, in form order, and wait
/// for the tab to say the card is complete and show a category.
fn answer_the_card(pane: &Pane, desk: &Desk) {
    use coopdesk::domain::scorecard::{ItemKind, QuestionKind, Source};
    let card = coopdesk::scorecards::builtin();
    pane.wait_for(&card.stages[0].title);
    let mut extra_done = false;
    for item in card.items() {
        let source = item.source();
        if !extra_done
            && matches!(
                source,
                Some(Source::PurchasePrice | Source::DownPaymentPercent)
            )
        {
            extra_done = true;
            pane.type_text("2000000");
            pane.keys(&["Tab"]);
            pane.type_text("600000");
            pane.keys(&["Tab"]);
        }
        if source.is_some() {
            continue;
        }
        match item.kind {
            ItemKind::Question(q) => match &q.kind {
                // «no» is two steps right of «—».
                QuestionKind::YesNo { .. } => pane.keys(&["Right", "Right", "Tab"]),
                QuestionKind::OneOf(_) => pane.keys(&["Right", "Tab"]),
                QuestionKind::SomeOf(choices) => pane.keys(&vec!["Tab"; choices.len()]),
                QuestionKind::Bands { .. } => {
                    pane.type_text("5");
                    pane.keys(&["Tab"]);
                }
            },
            ItemKind::Input(_) => pane.keys(&["Tab"]),
        }
    }
    // Every question answered: the tab no longer counts unanswered ones; a category shows.
    let missing = desk.t("scoring.missing");
    let missing = missing.split('{').next().unwrap_or("").trim();
    pane.wait_gone(missing);
    let category = desk.t("scoring.category");
    pane.wait_for(category.split('{').next().unwrap_or("").trim());
}

#[test]
fn an_application_goes_from_new_to_archived() {
    let Some(desk) = Desk::new("path") else {
        return;
    };
    let n = desk.number.clone();
    let ok_choice = format!("< {} >", desk.t("dialog.result_ok"));

    // The manager: complete the passport data, record the call-centre checks, save, step.
    let pane = desk.start_as(&MANAGER);
    pane.keys(&["Enter"]);
    pane.wait_for(&desk.cat.f(
        "dialog.edit_title",
        &[("number", &n), ("status", &desk.status(Status::New))],
    ));
    let issued_by_at = BORROWER_FIELDS
        .iter()
        .position(|f| *f == "passport_issued_by")
        .expect("the borrower tab has «issued by»");
    assert_eq!(BORROWER_FIELDS[issued_by_at + 1], "passport_issued_on");
    pane.keys(&vec!["Tab"; issued_by_at]);
    let issued_by = "ОУФМС России по Томской обл.";
    pane.type_text(issued_by);
    pane.wait_line(&[&desk.t("field.passport_issued_by"), issued_by]);
    pane.keys(&["Tab"]);
    let issued_on = "20.03.2005";
    pane.type_text(issued_on);
    pane.wait_line(&[&desk.t("field.passport_issued_on"), issued_on]);

    // The scoring tab: answer every question of the active (shipped) card; what the
    // application knows (age, term, amount…) is filled in by itself and skipped by Tab.
    pane.keys(&["PageDown", "PageDown"]);
    answer_the_card(&pane, &desk);
    pane.keys(&["PageDown"]);
    let checks = Rules::builtin().checks;
    assert!(
        !checks.is_empty(),
        "the shipped rules have call-centre checks"
    );
    pane.wait_for(checks[0].name("ru"));
    for check in &checks {
        // The focus is on the check's result: one step right is «confirmed».
        pane.keys(&["Right"]);
        pane.wait_line(&[check.name("ru"), &ok_choice]);
        // Past its comment to the next check.
        pane.keys(&["Tab", "Tab"]);
    }
    pane.keys(&["F2"]);
    pane.wait_for(&desk.t("ui.saved"));

    pane.keys(&["F6"]);
    pane.wait_for(&desk.step_option(Status::Checked));
    pane.keys(&["Enter"]);
    pane.wait_for(&desk.confirm_start(Status::Checked));
    pane.keys(&["Enter"]);
    pane.wait_for(&desk.cat.f(
        "step.done",
        &[("number", &n), ("status", &desk.status(Status::Checked))],
    ));
    pane.wait_for(&desk.cat.f(
        "dialog.edit_title",
        &[("number", &n), ("status", &desk.status(Status::Checked))],
    ));
    // Close the dialog (a lone Esc, then wait: Esc and the next key must not merge).
    pane.keys(&["Escape"]);
    pane.wait_gone(&desk.t("dialog.tab_checks"));
    desk.wait_row_status(&pane, Status::Checked);
    desk.quit(&pane);

    // The inspector: the decision; a candidate member.
    let pane = desk.start_as(&INSPECTOR);
    desk.wait_row_status(&pane, Status::Checked);
    desk.step_with_confirmation(&pane, Status::Candidate);
    desk.quit(&pane);

    // The cashier: the entrance fee and the mandatory share, by receipt numbers.
    let pane = desk.start_as(&CASHIER);
    pane.keys(&["s"]);
    pane.wait_for(&desk.step_option(Status::Member));
    pane.keys(&["Enter"]);
    pane.wait_for(&desk.cat.f("step.fees_title", &[("number", &n)]));
    pane.type_text("КВ-101");
    pane.keys(&["Enter"]);
    pane.type_text("КВ-102");
    pane.wait_line(&[&desk.t("field.entrance_receipt"), "КВ-101"]);
    pane.wait_line(&[&desk.t("field.share_receipt"), "КВ-102"]);
    pane.keys(&["Enter"]);
    desk.wait_step_done(&pane, Status::Member);
    desk.quit(&pane);

    // The manager: final terms, then the contract (number left to be assigned).
    let pane = desk.start_as(&MANAGER);
    desk.step_with_confirmation(&pane, Status::Authorized);
    pane.keys(&["s"]);
    pane.wait_for(&desk.step_option(Status::Archived));
    pane.keys(&["Enter"]);
    pane.wait_for(&desk.cat.f("step.contract_title", &[("number", &n)]));
    pane.wait_line(&[&desk.t("field.issue_date"), TODAY_SHOWN]);
    pane.keys(&["F2"]);
    pane.wait_for(&desk.cat.f(
        "step.done",
        &[("number", &n), ("status", &desk.status(Status::Archived))],
    ));
    // Archived is closed: gone from the open applications…
    pane.wait_for(&desk.t("ui.empty"));
    // …and there under «all» and under its own status, as the `v` cycle reaches them.
    let filter = |label: &str| format!("{}: {label}", desk.t("queue.filter_status"));
    pane.keys(&["v"]);
    pane.wait_for(&filter(&desk.t("queue.all")));
    desk.wait_row_status(&pane, Status::Archived);
    for s in Status::ALL {
        pane.keys(&["v"]);
        pane.wait_for(&filter(&desk.status_short(s)));
        if s == Status::Archived {
            break;
        }
    }
    desk.wait_row_status(&pane, Status::Archived);
    desk.quit(&pane);

    assert_eq!(desk.exported_status(), "archived");
    let db =
        rusqlite::Connection::open_with_flags(&desk.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    let app_id: i64 = db
        .query_row("SELECT id FROM applications WHERE number = ?1", [&n], |r| {
            r.get(0)
        })
        .expect("the application");
    let (issued_by_saved, issued_on_saved): (String, String) = db
        .query_row(
            "SELECT passport_issued_by, passport_issued_on FROM applications WHERE id = ?1",
            [app_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the passport data");
    assert_eq!(
        issued_by_saved, issued_by,
        "the typed «issued by» was saved"
    );
    assert_eq!(
        issued_on_saved, "2005-03-20",
        "the typed issue date was saved"
    );
    let (loans, amount, term): (i64, i64, i64) = db
        .query_row(
            "SELECT count(*), coalesce(sum(amount), 0), coalesce(max(term_months), 0)
             FROM loans WHERE application_id = ?1",
            [app_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("loans");
    assert_eq!(loans, 1, "one loan issued for the application");
    assert_eq!(
        amount, AMOUNT_KOPECKS,
        "the loan is for the amount applied for"
    );
    assert_eq!(term, 24);
    let sales: i64 = db
        .query_row(
            "SELECT count(*) FROM sales WHERE application_id = ?1",
            [app_id],
            |r| r.get(0),
        )
        .expect("sales");
    assert_eq!(sales, 1, "the loan is recorded as a sale for the rating");
}

/// A step the person may not take is refused with the reason, and nothing changes: the cashier
/// cannot check a new application; the manager cannot reject one without a reason.
#[test]
fn a_refused_action_says_why_and_changes_nothing() {
    let Some(desk) = Desk::new("refused") else {
        return;
    };
    let pane = desk.start_as(&CASHIER);
    desk.wait_row_status(&pane, Status::New);
    pane.keys(&["s"]);
    let why = desk
        .cat
        .f("refuse.role_required", &[("role", &desk.t("role.manager"))]);
    pane.wait_for(&format!("{}: {why}", desk.number));
    desk.wait_row_status(&pane, Status::New);
    desk.quit(&pane);
    assert_eq!(desk.exported_status(), "new");

    let pane = desk.start_as(&MANAGER);
    pane.keys(&["r"]);
    pane.wait_for(&desk.cat.f("step.reject_title", &[("number", &desk.number)]));
    // Enter on the (only, empty) reason field submits it.
    pane.keys(&["Enter"]);
    pane.wait_for(&format!(
        "{}: {}",
        desk.t("field.reason"),
        desk.t("err.required")
    ));
    assert_eq!(desk.exported_status(), "new", "rejected without a reason");
    pane.keys(&["Escape"]);
    pane.wait_gone(&desk.cat.f("step.reject_title", &[("number", &desk.number)]));
    desk.wait_row_status(&pane, Status::New);
    desk.quit(&pane);
    assert_eq!(desk.exported_status(), "new");
}

/// A wrong password is refused on the login screen; quitting from there gives the terminal
/// back as it was: the shell's screen, the cursor, cooked mode.
#[test]
fn a_wrong_password_is_refused_and_quit_restores_the_terminal() {
    let Some(desk) = Desk::new("password") else {
        return;
    };
    let pane = desk.start(&[], &[]);
    assert_eq!(
        pane.format("#{alternate_on}"),
        "1",
        "coopdesk draws on the alternate screen"
    );
    desk.type_credentials(&pane, MANAGER.login, "not-the-password");
    let screen = pane.wait_for(&desk.t("login.bad_credentials"));
    assert!(
        screen.contains(&desk.t("login.title")),
        "still on the login screen:\n{screen}"
    );
    assert!(
        !screen.contains(&desk.number),
        "no journal after a wrong password:\n{screen}"
    );
    pane.keys(&["F10"]);
    let screen = pane.wait_exit();
    assert!(screen.contains("EXITED rc=0"), "exit code:\n{screen}");
    assert!(
        !screen.contains(&desk.t("login.title")),
        "the login screen is gone, the shell's screen is back:\n{screen}"
    );
    pane.assert_terminal_restored(&screen);
}

/// SIGTERM ends the application cleanly: a normal exit, the terminal restored.
#[test]
fn sigterm_ends_the_application_and_restores_the_terminal() {
    let Some(desk) = Desk::new("sigterm") else {
        return;
    };
    let pane = desk.start_as(&MANAGER);
    assert_eq!(pane.format("#{alternate_on}"), "1");
    let pid = pane.app_pid();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {pid}");
    let screen = pane.wait_exit();
    // rc=143 would mean it was killed by the signal instead of ending on it.
    assert!(
        screen.contains("EXITED rc=0"),
        "coopdesk did not end cleanly on SIGTERM:\n{screen}"
    );
    pane.assert_terminal_restored(&screen);
}

/// Closing the terminal (the pane goes, its pty hangs up: SIGHUP) ends the application rather
/// than leaving it running without a terminal.
#[test]
fn a_closed_terminal_ends_the_application() {
    let Some(desk) = Desk::new("hangup") else {
        return;
    };
    let pane = desk.start_as(&MANAGER);
    let pid = pane.app_pid();
    let _reaper = Reaper(pid.clone());
    desk.tmux.run(&["kill-pane", "-t", &pane.target]);
    wait_until_true(
        &format!("coopdesk (pid {pid}) to end once its terminal was closed"),
        || !running(&pid),
    );
}

/// The journal under TERM=linux, NO_COLOR=1 and --ascii: each logs in and sees the journal.
#[test]
fn the_journal_renders_on_a_linux_console() {
    let Some(desk) = Desk::new("term-linux") else {
        return;
    };
    let pane = desk.start(&[("TERM", "linux")], &[]);
    desk.log_in(&pane, &MANAGER);
    desk.quit(&pane);
}

/// Under NO_COLOR no colour reaches the terminal (crossterm drops colour sequences by itself),
/// so what matters is that the monochrome theme still marks the selection with reverse video.
#[test]
fn the_journal_renders_without_colour_under_no_color() {
    let Some(desk) = Desk::new("no-color") else {
        return;
    };
    let pane = desk.start(&[("NO_COLOR", "1")], &[]);
    desk.log_in(&pane, &MANAGER);
    let journal = pane.screen_with_attributes();
    let colours = colour_codes(&journal);
    assert!(
        colours.is_empty(),
        "NO_COLOR, yet colours were drawn: {colours:?}"
    );
    assert!(
        has_attribute(&journal, "7"),
        "no reverse video: without colour the selected row cannot be seen"
    );
    desk.quit(&pane);
}

#[test]
fn the_journal_renders_in_ascii() {
    let Some(desk) = Desk::new("ascii") else {
        return;
    };
    let no_box_drawing = |what: &str, screen: &str| {
        let mut found: Vec<char> = screen.chars().filter(|c| BOX_DRAWING.contains(c)).collect();
        found.sort_unstable();
        found.dedup();
        assert!(
            found.is_empty(),
            "--ascii, yet the {what} has box drawing {found:?}:\n{screen}"
        );
    };
    let pane = desk.start(&[], &["--ascii"]);
    // The box's bottom edge is the last thing drawn on the login screen.
    let login = pane.wait_until("the login box drawn with + - |", |s| {
        s.contains("+--") && s.contains('|')
    });
    no_box_drawing("login screen", &login);
    let journal = desk.log_in(&pane, &MANAGER);
    no_box_drawing("journal", &journal);
    desk.quit(&pane);
}
