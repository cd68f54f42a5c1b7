//! `coopdesk rating` and `coopdesk import sales|plans` on the real binary, against a small
//! cooperative whose figures are computed by hand below: the table (80 columns), CSV and JSON;
//! imports refused by line and field, idempotent, all or nothing.

use std::path::PathBuf;
use std::process::{Command, Stdio};

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
    fn run(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let home = self.dir.path().join("home");
        let mut child = Command::new(env!("CARGO_BIN_EXE_coopdesk"))
            .arg("--db")
            .arg(&self.db)
            .args(["--today", "2026-11-23"])
            .args(args)
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
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args, "");
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

const PLANS: &str = "month,manager,ukp\n2026-11,anna,8\n2026-11,oleg,4\n2026-11,nina,2\n";

/// By hand, on Monday 23 November 2026 (20 working days, 15 begun; comparison day the 20th):
///   Олег: 2 consumer + 1 housing today = 4 of 4 = 100 %, forecast 4 ÷ 15 × 20 = 5.33 → 133.33 %,
///         КП 1; on the 20th 0 of 4: third → first (+2).
///   Анна: housing 2 + business 1.5 + service 0.5 = 4 of 8 = 50 %, forecast 66.66 %, КП 0.8;
///         first on the 20th (tied with Нина) → second (-1).
///   Нина: savings 1 of 2 = 50 %, forecast 66.66 %, КП 0.8; first on the 20th → second (-1).
///   Ties share the rank; Анна is shown before Нина for having more УКП.
///   Offices: TOM 8 of 12 = 66.66 %, forecast 88.88 %, КП 0.8; NSK 1 of 2 = 50 %.
///   Cooperative: 9 of 14 = 64.28 %, forecast 12 of 14 = 85.71 %.
const SALES: &str = "\
external_id,date,manager,product,member_no,amount
o-1,2026-10-30,anna,housing,,900000
n-1,2026-11-02,anna,housing,,900000
n-2,19.11.2026,anna,business,,500000
n-3,2026-11-20,anna,service,,300
n-4,2026-11-23,oleg,consumer,,100000
n-5,2026-11-23,oleg,consumer,,100000
n-6,2026-11-23,oleg,housing,,1000000
n-7,2026-11-10,nina,savings,,10000.50
";

fn cooperative() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("coop.db");
    let env = Env { dir, db };
    let r = env.run(
        &["init", "--admin", "admin", "--password-stdin"],
        "админ-пароль-1\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&[
        "office",
        "add",
        "TOM",
        "--name",
        "Томский офис",
        "--city",
        "Томск",
    ]);
    env.ok(&[
        "office",
        "add",
        "NSK",
        "--name",
        "Новосибирский офис",
        "--city",
        "Новосибирск",
    ]);
    for (login, name, office) in [
        ("anna", "Петрова Анна", "TOM"),
        ("oleg", "Орлов Олег", "TOM"),
        ("nina", "Белова Нина", "NSK"),
    ] {
        let r = env.run(
            &[
                "staff",
                "add",
                login,
                "--name",
                name,
                "--office",
                office,
                "--roles",
                "manager",
                "--password-stdin",
            ],
            "пароль-менеджера\n",
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let plans = env.file("plans.csv", PLANS);
    assert!(env.ok(&["import", "plans", &plans]).contains("3"));
    let sales = env.file("sales.csv", SALES);
    let out = env.ok(&["import", "sales", &sales]);
    assert_eq!(out.trim(), "Продаж добавлено: 8; уже были: 0.");
    env
}

#[test]
fn the_table_by_manager_office_and_cooperative() {
    let env = cooperative();
    let table = env.ok(&["rating"]);
    let want = "\
Рейтинг продаж на 23.11.2026: прошло 15 из 20 рабочих дней месяца
  #   ± Менеджер          Офис      УКП      План      %  Прогн   КП Зв/Вс
  1  +2 Орлов Олег        TOM      4.00      4.00 100.00 133.33    1   0/0
  2  -1 Петрова Анна      TOM      4.00      8.00  50.00  66.66  0.8   0/0
  2  -1 Белова Нина       NSK      1.00      2.00  50.00  66.66  0.8   0/0
------------------------------------------------------------------------------
        Кооператив                 9.00     14.00  64.28  85.71  0.8   0/0
";
    assert_eq!(table, want);
    assert!(table.lines().all(|l| l.chars().count() <= 80));

    let offices = env.ok(&["rating", "--by", "office"]);
    // TOM 8 of 12 (66.66 %) above NSK 1 of 2 (50 %); on the 20th TOM had 4 of 12, below NSK.
    let want = "\
Рейтинг продаж на 23.11.2026: прошло 15 из 20 рабочих дней месяца
  #   ± Офис              Офис      УКП      План      %  Прогн   КП Зв/Вс
  1  +1 Томский офис      TOM      8.00     12.00  66.66  88.88  0.8   0/0
  2  -1 Новосибирский оф~ NSK      1.00      2.00  50.00  66.66  0.8   0/0
------------------------------------------------------------------------------
        Кооператив                 9.00     14.00  64.28  85.71  0.8   0/0
";
    assert_eq!(offices, want);

    let coop = env.ok(&["rating", "--by", "coop"]);
    assert_eq!(coop.lines().count(), 3, "{coop}");
    assert!(coop.contains("Кооператив                 9.00     14.00  64.28  85.71  0.8"));
}

#[test]
fn json_carries_every_figure_as_a_decimal_string() {
    let env = cooperative();
    let out = env.ok(&["rating", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["date"], "2026-11-23");
    assert_eq!(v["working_days"], 20);
    assert_eq!(v["working_days_elapsed"], 15);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let oleg = &rows[0];
    assert_eq!(oleg["rank"], 1);
    assert_eq!(oleg["change"], 2);
    assert_eq!(oleg["who"], "Орлов Олег");
    assert_eq!(oleg["office"], "TOM");
    assert_eq!(oleg["ukp"], "4.00");
    assert_eq!(oleg["plan"], "4.00");
    assert_eq!(oleg["pct"], "100.00");
    assert_eq!(oleg["forecast_pct"], "133.33");
    assert_eq!(oleg["forecast_ukp"], "5.33");
    assert_eq!(oleg["kp"], "1");
    assert_eq!(oleg["counts"]["consumer"], 2);
    assert_eq!(oleg["counts"]["housing"], 1);
    assert_eq!(oleg["counts"]["savings"], 0);
    assert_eq!(oleg["ukp_by_product"]["housing"], "2.00");
    let anna = &rows[1];
    assert_eq!(
        (anna["rank"].clone(), anna["change"].clone()),
        (2.into(), (-1).into())
    );
    assert_eq!(anna["ukp_by_product"]["business"], "1.50");
    assert_eq!(anna["ukp_by_product"]["service"], "0.50");
    assert_eq!(rows[2]["who"], "Белова Нина");
    assert_eq!(rows[2]["rank"], 2);

    // A date in October: no plans at all — "no plan", never a division by zero.
    let out = env.ok(&["rating", "--date", "2026-10-30", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let anna = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "anna")
        .unwrap()
        .clone();
    assert_eq!(anna["ukp"], "2.00");
    assert!(anna["plan"].is_null() && anna["pct"].is_null() && anna["kp"].is_null());
    assert!(anna["rank"].is_null());
    let table = env.ok(&["rating", "--date", "2026-10-30"]);
    assert!(table.contains("нет плана"), "{table}");
}

#[test]
fn csv_has_a_column_per_product() {
    let env = cooperative();
    let out = env.ok(&["rating", "--format", "csv", "--by", "office"]);
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "rank,change,who,code,office,ukp,plan,pct,forecast_pct,kp,housing_count,housing_ukp,consumer_count,consumer_ukp,business_count,business_ukp,savings_count,savings_ukp,service_count,service_ukp,calls,meetings,bonus"
    );
    assert_eq!(
        lines.next().unwrap(),
        "1,+1,Томский офис,TOM,TOM,8.00,12.00,66.66,88.88,0.8,2,4.00,2,2.00,1,1.50,0,0.00,1,0.50,0,0,"
    );
    assert_eq!(
        lines.next().unwrap(),
        "2,-1,Новосибирский офис,NSK,NSK,1.00,2.00,50.00,66.66,0.8,0,0.00,0,0.00,0,0.00,1,1.00,0,0.00,0,0,"
    );
}

#[test]
fn importing_the_same_sales_again_adds_nothing() {
    let env = cooperative();
    let sales = env.file(
        "again.json",
        r#"[
  {"external_id": "n-7", "date": "2026-11-10", "manager": "nina", "product": "savings", "member_no": "", "amount": "10000.50"},
  {"external_id": "n-9", "date": "2026-11-11", "manager": "nina", "product": "service", "member_no": null, "amount": 100}
]
"#,
    );
    assert_eq!(
        env.ok(&["import", "sales", &sales]).trim(),
        "Продаж добавлено: 1; уже были: 1."
    );
    assert_eq!(
        env.ok(&["import", "sales", &sales]).trim(),
        "Продаж добавлено: 0; уже были: 2."
    );
}

#[test]
fn a_bad_file_is_refused_by_line_and_field_and_nothing_is_written() {
    let env = cooperative();
    let before = env.ok(&["rating", "--format", "csv"]);
    let bad = env.file(
        "bad.csv",
        "external_id,date,manager,product,member_no,amount\n\
         x-1,2026-11-21,anna,savings,,1000\n\
         x-2,2026-11-24,anna,savings,,1000\n\
         x-3,2026-11-21,ghost,deposit,777,-5\n\
         x-1,2026-11-21,anna,savings,,1000\n\
         n-3,2026-11-20,anna,service,,301\n",
    );
    let r = env.run(&["import", "sales", &bad], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    for line in [
        ":3: date: ",
        ":4: manager: нет сотрудника с логином «ghost»",
        ":4: product: ",
        ":4: member_no: нет пайщика № 777",
        ":4: amount: ",
        ":5: external_id: повторяется в файле",
        ":6: external_id: эта продажа уже загружена с другими данными",
    ] {
        assert!(r.stderr.contains(line), "{line} in\n{}", r.stderr);
    }
    assert!(r.stderr.contains("ничего не записано"));
    assert_eq!(env.ok(&["rating", "--format", "csv"]), before);

    let bad = env.file(
        "plans.csv",
        "month,manager,ukp\n2026-13,anna,5\n2026-11,anna,0\n2026-11,oleg,1.234\n",
    );
    let r = env.run(&["import", "plans", &bad], "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(":2: month: месяц в виде ГГГГ-ММ"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(":3: ukp: план должен быть больше нуля"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(":4: ukp: "), "{}", r.stderr);
    let r = env.run(
        &[
            "import",
            "plans",
            &env.file("cols.csv", "month,who,ukp\n2026-11,anna,5\n"),
        ],
        "",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("нет столбца manager"), "{}", r.stderr);
    assert_eq!(env.ok(&["rating", "--format", "csv"]), before);
}
