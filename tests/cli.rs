//! The command-line contract, on the real binary: setting up a database, importing
//! applications (all or nothing), exporting them, and refusing a broken config file.
//! Messages are Russian by default; these tests look for file:line, field and key names.

use chrono::NaiveDateTime;
use coopdesk::config::Security;
use coopdesk::domain::Status;
use coopdesk::rules::Rules;
use coopdesk::store::Store;
use coopdesk::store::applications::StepInput;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ADMIN_PASSWORD: &str = "адм1н-пароль";
const STAFF_PASSWORD: &str = "пароль менеджера 7";

const HEADER: &str = "external_id,last_name,first_name,patronymic,birth_date,passport,reg_address,fact_address,phone,email,income,expenses,payments,deductions,product,amount,term_months,purpose,office";

const EXPORT_COLUMNS: [&str; 11] = [
    "number",
    "external_id",
    "created_at",
    "applicant",
    "product",
    "amount",
    "term_months",
    "status",
    "status_since",
    "assignee",
    "office",
];
const HISTORY_COLUMNS: [&str; 6] = ["from", "to", "by", "at", "comment", "event"];

struct Env {
    dir: tempfile::TempDir,
    db: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("coopdesk.db");
        Env { dir, db }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Run coopdesk on this database at the business date 2026-11-23, feeding `stdin`.
    fn run(&self, args: &[&str], stdin: &str) -> Run {
        let home = self.dir.path().join("home");
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"])
            .args(args)
            // No config file of the machine running the tests may leak in.
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("USER", "tester")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().unwrap();
        Run {
            code: status.code().expect("exited, not killed"),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    #[track_caller]
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let r = self.run(args, stdin);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    }

    /// A database with an administrator, offices HQ (from init) and NSK, and staff.
    fn set_up() -> Env {
        let env = Env::new();
        env.ok(
            &["init", "--admin", "admin", "--password-stdin"],
            &format!("{ADMIN_PASSWORD}\n"),
        );
        env.ok(
            &[
                "office",
                "add",
                "NSK",
                "--name",
                "Новосибирский офис",
                "--city",
                "Новосибирск",
            ],
            "",
        );
        for (login, name, roles) in [
            ("petrova", "Петрова Анна", "manager,inspector"),
            ("nop", "Волков Павел", "head"),
        ] {
            env.ok(
                &[
                    "staff",
                    "add",
                    login,
                    "--name",
                    name,
                    "--office",
                    "HQ",
                    "--roles",
                    roles,
                    "--password-stdin",
                ],
                &format!("{STAFF_PASSWORD}\n"),
            );
        }
        env
    }

    fn export(&self, format: &str, history: bool) -> String {
        let mut args = vec!["export", "applications", "--format", format];
        if history {
            args.push("--with-history");
        }
        self.ok(&args, "")
    }

    /// Exported rows as (header, records).
    fn export_csv(&self, history: bool) -> (Vec<String>, Vec<Vec<String>>) {
        let out = self.export("csv", history);
        let mut rdr = csv::Reader::from_reader(out.as_bytes());
        let header = rdr.headers().unwrap().iter().map(String::from).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn count(&self) -> usize {
        self.export_csv(false).1.len()
    }

    fn import(&self, file: &Path) -> Run {
        self.run(&["import", "applications", file.to_str().unwrap()], "")
    }
}

/// The numbers in a sentence, in order: "Добавлено заявок: 3; уже были: 0." → [3, 0].
fn numbers(s: &str) -> Vec<u64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect()
}

fn is_iso_datetime(s: &str) -> bool {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok()
}

fn csv_file(rows: &[&str]) -> String {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

const GOOD_ROWS: [&str; 3] = [
    "w-1,Иванов,Пётр,Сергеевич,14.03.1985,4509 123456,\"г. Томск, ул. Ленина, 1\",,8 (924) 811-16-71,ivanov@example.ru,65 000,,,,consumer,\"150000,50\",24,ремонт,HQ",
    "w-2,Ёлкина,Анна,,1990-05-01,4510 222333,\"г. Новосибирск, пр. Мира, 5\",\"г. Новосибирск, пр. Мира, 5\",+79131234567,,80000,10000,5000,0,housing,2500000,120,квартира,NSK",
    // A quoted address over two lines: the next record starts on the line after it.
    "w-3,Сидоров,Олег,Ильич,1979-12-31,4511 000001,\"г. Томск,\nул. Советская, 10\",,9134567890,,120000.5,,,,business,300000,36,оборудование,HQ",
];

#[test]
fn the_import_header_is_the_documented_one() {
    assert_eq!(
        HEADER.split(',').collect::<Vec<_>>(),
        coopdesk::cli::import::COLUMNS
    );
}

#[test]
fn init_office_and_staff_set_up_a_database() {
    let env = Env::new();
    // The password comes on standard input, and only with --password-stdin.
    assert_eq!(env.run(&["init", "--admin", "admin"], "").code, 2);
    assert_eq!(
        env.run(&["init", "--admin", "admin", "--password-stdin"], "short\n")
            .code,
        1
    );
    let out = env.ok(
        &["init", "--admin", "admin", "--password-stdin"],
        &format!("{ADMIN_PASSWORD}\r\n"),
    );
    assert!(out.contains("admin"), "{out}");
    assert!(out.contains(&env.db.display().to_string()), "{out}");
    assert!(env.db.exists());
    let again = env.run(
        &["init", "--admin", "other", "--password-stdin"],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert_eq!(again.code, 1, "{}", again.stderr);

    env.ok(
        &[
            "office",
            "add",
            "NSK",
            "--name",
            "Новосибирский офис",
            "--city",
            "Новосибирск",
        ],
        "",
    );
    let dup = env.run(&["office", "add", "NSK", "--name", "x", "--city", "y"], "");
    assert_eq!(dup.code, 1, "{}", dup.stderr);
    assert!(dup.stderr.contains("NSK"), "{}", dup.stderr);
    let offices = env.ok(&["office", "list"], "");
    let codes: Vec<_> = offices
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(codes, ["HQ", "NSK"]);

    let added = env.ok(
        &[
            "staff",
            "add",
            "petrova",
            "--name",
            "Петрова Анна",
            "--office",
            "NSK",
            "--roles",
            "manager, inspector",
            "--password-stdin",
        ],
        &format!("{STAFF_PASSWORD}\nignored second line\n"),
    );
    assert!(added.contains("petrova"), "{added}");

    let bad_role = env.run(
        &[
            "staff",
            "add",
            "orlov",
            "--name",
            "Орлов Игорь",
            "--office",
            "NSK",
            "--roles",
            "manager,boss",
            "--password-stdin",
        ],
        &format!("{STAFF_PASSWORD}\n"),
    );
    assert_eq!(bad_role.code, 2, "{}", bad_role.stderr);
    assert!(bad_role.stderr.contains("boss"), "{}", bad_role.stderr);
    let unknown_office = env.run(
        &[
            "staff",
            "add",
            "orlov",
            "--name",
            "Орлов Игорь",
            "--office",
            "MSK",
            "--roles",
            "manager",
            "--password-stdin",
        ],
        &format!("{STAFF_PASSWORD}\n"),
    );
    assert_eq!(unknown_office.code, 1, "{}", unknown_office.stderr);
    assert!(
        unknown_office.stderr.contains("MSK"),
        "{}",
        unknown_office.stderr
    );

    let staff = env.ok(&["staff", "list"], "");
    let mut people: Vec<(String, String, String, Vec<String>)> = staff
        .lines()
        .map(|l| {
            let f: Vec<_> = l.split('\t').collect();
            let mut roles: Vec<String> = f[3].split(',').map(String::from).collect();
            roles.sort();
            (f[0].into(), f[1].into(), f[2].into(), roles)
        })
        .collect();
    people.sort();
    assert_eq!(
        people,
        vec![
            (
                "admin".into(),
                "admin".into(),
                "HQ".into(),
                vec!["admin".into()]
            ),
            (
                "petrova".into(),
                "Петрова Анна".into(),
                "NSK".into(),
                vec!["inspector".into(), "manager".into()]
            ),
        ]
    );

    // The passwords were stored as typed: the first line, without its line ending.
    let mut store = Store::open(&env.db).unwrap();
    let now = NaiveDateTime::parse_from_str("2026-11-23 12:00", "%Y-%m-%d %H:%M").unwrap();
    let sec = Security::default();
    let admin = store
        .authenticate("admin", ADMIN_PASSWORD, now, &sec)
        .unwrap();
    assert_eq!(admin.office_code, "HQ");
    let petrova = store
        .authenticate("petrova", STAFF_PASSWORD, now, &sec)
        .unwrap();
    assert_eq!(petrova.office_code, "NSK");
    let audit: Vec<String> = {
        let mut s = store
            .conn()
            .prepare("SELECT actor || ' ' || action FROM audit WHERE action NOT LIKE 'auth.%' ORDER BY id")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    assert_eq!(
        audit,
        [
            "cli:tester office.add",
            "cli:tester staff.add",
            "cli:tester office.add",
            "cli:tester staff.add"
        ]
    );
}

#[test]
fn a_good_import_is_counted_and_a_repeat_adds_nothing() {
    let env = Env::set_up();
    let file = env.write("site.csv", &csv_file(&GOOD_ROWS));
    let r = env.import(&file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(numbers(&r.stdout), [3, 0], "{}", r.stdout);
    let r = env.import(&file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(numbers(&r.stdout), [0, 3], "{}", r.stdout);
    assert_eq!(env.count(), 3);

    // A JSON array: numbers may come as numbers; one row is already known.
    let json = r#"[
  {
    "external_id": "j-1", "last_name": "Кузнецова", "first_name": "Мария", "patronymic": "Ивановна",
    "birth_date": "1988-07-15", "passport": "4512 345678", "reg_address": "г. Томск, ул. Фрунзе, 3",
    "fact_address": null, "phone": "+7 (913) 111-22-33", "email": "", "income": 70000,
    "expenses": 15000.5, "payments": 0, "deductions": 0, "product": "consumer", "amount": 95000.75,
    "term_months": 18, "purpose": "лечение", "office": "NSK"
  },
  {
    "external_id": "w-1", "last_name": "Иванов", "first_name": "Пётр", "birth_date": "14.03.1985",
    "passport": "4509123456", "reg_address": "г. Томск", "phone": "89248111671", "income": "65000",
    "product": "consumer", "amount": "150000", "term_months": "24", "office": "HQ"
  }
]"#;
    let jfile = env.write("site.json", json);
    let r = env.import(&jfile);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(numbers(&r.stdout), [1, 1], "{}", r.stdout);
    let (_, rows) = env.export_csv(false);
    assert_eq!(rows.len(), 4);
    let j = rows.iter().find(|r| r[1] == "j-1").unwrap();
    assert_eq!(j[3], "Кузнецова Мария Ивановна");
    assert_eq!(j[5], "95000.75");
    assert_eq!(j[6], "18");
    assert_eq!(j[10], "NSK");
}

#[test]
fn a_bad_file_names_every_problem_and_writes_nothing() {
    let env = Env::set_up();
    let good = env.write("first.csv", &csv_file(&GOOD_ROWS[..1]));
    assert_eq!(env.import(&good).code, 0);
    let before = env.export("csv", true);

    let bad = csv_file(&[
        // line 2: a good row, which must not be written either
        "b-1,Петров,Иван,,1980-01-01,4600 111111,г. Томск,,89130000001,,50000,,,,consumer,100000,12,,HQ",
        // line 3: passport too short
        "b-2,Петров,Иван,,1980-01-01,4600 11111,г. Томск,,89130000002,,50000,,,,consumer,100000,12,,HQ",
        // line 4: no such product
        "b-3,Петров,Иван,,1980-01-01,4600 111113,г. Томск,,89130000003,,50000,,,,yacht,100000,12,,HQ",
        // line 5: negative amount
        "b-4,Петров,Иван,,1980-01-01,4600 111114,г. Томск,,89130000004,,50000,,,,consumer,-100000,12,,HQ",
        // line 6: no 31 February
        "b-5,Петров,Иван,,31.02.1980,4600 111115,г. Томск,,89130000005,,50000,,,,consumer,100000,12,,HQ",
        // line 7: no such office
        "b-6,Петров,Иван,,1980-01-01,4600 111116,г. Томск,,89130000006,,50000,,,,consumer,100000,12,,MSK",
    ]);
    let file = env.write("bad.csv", &bad);
    let r = env.import(&file);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let name = file.display().to_string();
    let expected = [
        (3, "passport", "4 цифры"),
        (4, "product", "yacht"),
        (5, "amount", "отрицательн"),
        (6, "birth_date", "ДД.ММ.ГГГГ"),
        (7, "office", "MSK"),
    ];
    for (line, field, reason) in expected {
        let prefix = format!("{name}:{line}: {field}: ");
        let found = r.stderr.lines().find(|l| l.starts_with(&prefix));
        let Some(found) = found else {
            panic!("no line starting {prefix:?} in:\n{}", r.stderr)
        };
        assert!(found.contains(reason), "{found}");
    }
    // One line per problem, then the closing "nothing written" line naming the file.
    let problems = r
        .stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{name}:")))
        .count();
    assert_eq!(problems, expected.len(), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), expected.len() + 1, "{}", r.stderr);
    assert!(r.stderr.lines().last().unwrap().contains(&name));
    assert!(!r.stdout.contains("b-1"));
    assert_eq!(
        env.export("csv", true),
        before,
        "the refused file changed the database"
    );

    // A JSON file: the line is where the refused object starts.
    let json = "[\n  {\"external_id\": \"jb-1\", \"last_name\": \"Петров\", \"first_name\": \"Иван\", \"birth_date\": \"1980-01-01\",\n   \"passport\": \"4600 222221\", \"reg_address\": \"г. Томск\", \"phone\": \"89130000011\", \"income\": \"50000\",\n   \"product\": \"consumer\", \"amount\": \"100000\", \"term_months\": \"12\", \"office\": \"HQ\"},\n  {\"external_id\": \"jb-2\", \"last_name\": \"Петров\", \"first_name\": \"Иван\", \"birth_date\": \"1980-01-01\",\n   \"passport\": \"46OO 222222\", \"reg_address\": \"г. Томск\", \"phone\": \"89130000012\", \"income\": \"50000\",\n   \"product\": \"consumer\", \"amount\": \"100000\", \"term_months\": \"12\", \"office\": \"HQ\"}\n]\n";
    let jfile = env.write("bad.json", json);
    let r = env.import(&jfile);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let jname = jfile.display().to_string();
    assert!(
        r.stderr.contains(&format!("{jname}:5: passport: ")),
        "{}",
        r.stderr
    );
    assert_eq!(env.export("csv", true), before);

    // A missing required column is named, and nothing is written.
    let no_passport = HEADER.replace(",passport,", ",pasport,");
    let cfile = env.write("cols.csv", &format!("{no_passport}\n{}\n", GOOD_ROWS[1]));
    let r = env.import(&cfile);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("passport"), "{}", r.stderr);
    // A row with a column too few.
    let short_row = GOOD_ROWS[1].rsplit_once(',').unwrap().0;
    let sfile = env.write("short.csv", &csv_file(&[GOOD_ROWS[0], short_row]));
    let r = env.import(&sfile);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("short.csv") && r.stderr.contains("line: 3"),
        "{}",
        r.stderr
    );
    // An external id twice in one file.
    let twice = env.write("twice.csv", &csv_file(&[GOOD_ROWS[1], GOOD_ROWS[1]]));
    let r = env.import(&twice);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let tname = twice.display().to_string();
    assert!(
        r.stderr.contains(&format!("{tname}:3: external_id: ")),
        "{}",
        r.stderr
    );
    assert_eq!(env.export("csv", true), before);
}

/// Three imported applications; the first taken into work, the second rejected.
fn worked_database() -> Env {
    let env = Env::set_up();
    let file = env.write("site.csv", &csv_file(&GOOD_ROWS));
    assert_eq!(env.import(&file).code, 0);
    let mut store = Store::open(&env.db).unwrap();
    let rules = Rules::builtin();
    let petrova = store.actor_by_login("petrova").unwrap();
    let nop = store.actor_by_login("nop").unwrap();
    let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let first = store.application_by_number("2026-000001").unwrap();
    store
        .take_application(&petrova, first.id, t("2026-11-23 23:58:00"))
        .unwrap();
    let second = store.application_by_number("2026-000002").unwrap();
    store
        .transition(
            &nop,
            second.id,
            second.version,
            Status::Rejected,
            &StepInput::Reason("доход, \"не подтверждён\"".into()),
            &rules,
            t("2026-11-23 23:59:00"),
        )
        .unwrap();
    env
}

#[test]
fn export_csv_has_the_documented_columns_codes_and_iso_dates() {
    let env = worked_database();
    let (header, rows) = env.export_csv(false);
    assert_eq!(header, EXPORT_COLUMNS);
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(r.len(), EXPORT_COLUMNS.len());
        assert!(
            is_iso_datetime(&r[2]) && r[2].starts_with("2026-11-23T"),
            "{r:?}"
        );
        assert!(is_iso_datetime(&r[8]), "{r:?}");
    }
    let by_ext = |e: &str| rows.iter().find(|r| r[1] == e).unwrap().clone();
    let w1 = by_ext("w-1");
    assert_eq!(
        (
            &w1[0][..],
            &w1[3][..],
            &w1[4][..],
            &w1[5][..],
            &w1[6][..],
            &w1[7][..],
            &w1[9][..],
            &w1[10][..]
        ),
        (
            "2026-000001",
            "Иванов Пётр Сергеевич",
            "consumer",
            "150000.50",
            "24",
            "new",
            "petrova",
            "HQ"
        )
    );
    let w2 = by_ext("w-2");
    assert_eq!(
        (
            &w2[3][..],
            &w2[4][..],
            &w2[5][..],
            &w2[6][..],
            &w2[7][..],
            &w2[8][..],
            &w2[9][..],
            &w2[10][..]
        ),
        (
            "Ёлкина Анна",
            "housing",
            "2500000.00",
            "120",
            "rejected",
            "2026-11-23T23:59:00",
            "",
            "NSK"
        )
    );
    let w3 = by_ext("w-3");
    assert_eq!((&w3[5][..], &w3[7][..]), ("300000.00", "new"));

    let (header, rows) = env.export_csv(true);
    let mut expected_header: Vec<&str> = EXPORT_COLUMNS.to_vec();
    expected_header.extend(HISTORY_COLUMNS);
    assert_eq!(header, expected_header);
    // One line per event: imported ×3, assigned, the rejection.
    assert_eq!(rows.len(), 5);
    let events: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            assert!(is_iso_datetime(&r[14]), "{r:?}");
            vec![
                &r[1][..],
                &r[11][..],
                &r[12][..],
                &r[13][..],
                &r[15][..],
                &r[16][..],
            ]
        })
        .collect();
    assert_eq!(
        events,
        vec![
            vec!["w-1", "", "new", "import:cli:tester", "w-1", "imported"],
            vec!["w-1", "", "", "petrova", "Петрова Анна", "assigned"],
            vec!["w-2", "", "new", "import:cli:tester", "w-2", "imported"],
            vec![
                "w-2",
                "new",
                "rejected",
                "nop",
                "доход, \"не подтверждён\"",
                "status"
            ],
            vec!["w-3", "", "new", "import:cli:tester", "w-3", "imported"],
        ]
    );
    assert_eq!(rows[3][14], "2026-11-23T23:59:00");
}

#[test]
fn export_json_has_the_same_columns_in_the_same_order() {
    let env = worked_database();
    let text = env.export("json", false);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let apps = v.as_array().unwrap();
    assert_eq!(apps.len(), 3);
    for a in apps {
        let keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
        // serde_json keeps the document's key order (feature preserve_order).
        assert_eq!(keys, EXPORT_COLUMNS.to_vec());
        assert!(is_iso_datetime(a["created_at"].as_str().unwrap()));
        assert!(is_iso_datetime(a["status_since"].as_str().unwrap()));
    }
    // The order on the page is the documented one, as in CSV.
    let first_line = text.lines().nth(1).unwrap();
    let positions: Vec<usize> = EXPORT_COLUMNS
        .iter()
        .map(|c| first_line.find(&format!("\"{c}\":")).unwrap())
        .collect();
    assert!(positions.is_sorted(), "{first_line}");
    let w1 = &apps[0];
    assert_eq!(w1["number"], "2026-000001");
    assert_eq!(w1["external_id"], "w-1");
    // Money is a decimal string, never a float.
    assert_eq!(w1["amount"], "150000.50");
    assert_eq!(w1["term_months"], 24);
    assert_eq!(w1["status"], "new");
    assert_eq!(w1["assignee"], "petrova");
    assert_eq!(apps[1]["status"], "rejected");
    assert_eq!(apps[1]["assignee"], "");

    let text = env.export("json", true);
    let second_line = text.lines().nth(2).unwrap();
    let mut keys: Vec<&str> = EXPORT_COLUMNS.to_vec();
    keys.push("history");
    keys.extend(HISTORY_COLUMNS);
    let mut from = 0;
    for k in keys {
        let at = second_line[from..].find(&format!("\"{k}\":"));
        from += at.unwrap_or_else(|| panic!("{k} out of order in {second_line}"));
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let w2 = &v[1];
    assert_eq!(w2["number"], "2026-000002");
    let history = w2["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    for e in history {
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        let mut expected = HISTORY_COLUMNS.to_vec();
        expected.sort();
        assert_eq!(keys, expected);
    }
    assert_eq!(history[1]["from"], "new");
    assert_eq!(history[1]["to"], "rejected");
    assert_eq!(history[1]["by"], "nop");
    assert_eq!(history[1]["at"], "2026-11-23T23:59:00");
    assert_eq!(history[1]["comment"], "доход, \"не подтверждён\"");
    assert_eq!(history[1]["event"], "status");
}

#[test]
fn an_empty_database_exports_a_header_or_an_empty_array() {
    let env = Env::set_up();
    let (header, rows) = env.export_csv(false);
    assert_eq!(header, EXPORT_COLUMNS);
    assert!(rows.is_empty());
    let v: serde_json::Value = serde_json::from_str(&env.export("json", true)).unwrap();
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn a_broken_config_file_names_file_line_and_key() {
    let env = Env::set_up();
    for (name, text, line, key) in [
        (
            "top.toml",
            "language = \"ru\"\ntheme = \"mono\"\ncolour = \"red\"\n",
            3,
            "colour",
        ),
        (
            "nested.toml",
            "language = \"ru\"\n\n[security]\nmax_failed_logins = 5\nlockout_minuts = 10\n",
            5,
            "lockout_minuts",
        ),
        ("lang.toml", "# ours\nlanguage = \"fr\"\n", 2, "language"),
    ] {
        let cfg = env.write(name, text);
        let r = env.run(
            &["--config", cfg.to_str().unwrap(), "export", "applications"],
            "",
        );
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        let at = format!("{}:{line}: ", cfg.display());
        assert!(r.stderr.contains(&at), "{name}: {}", r.stderr);
        assert!(r.stderr.contains(key), "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let missing = env.path("nowhere.toml");
    let r = env.run(
        &["--config", missing.to_str().unwrap(), "office", "list"],
        "",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nowhere.toml"), "{}", r.stderr);
    // A good config file is read and used.
    let good = env.write(
        "good.toml",
        "language = \"ru\"\n[security]\nlockout_minutes = 10\n",
    );
    let r = env.run(&["--config", good.to_str().unwrap(), "office", "list"], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("NSK"));
}
