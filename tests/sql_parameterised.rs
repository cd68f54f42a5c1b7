//! Every SQL statement is parameterised (issue 9 §6): no value is ever formatted into SQL
//! text. This test reads every `src/**/*.rs`, finds each `format!`-family macro whose format
//! string is SQL, and requires every `{…}` hole in it to be on the allow-list below: holes
//! that insert fixed SQL text — column lists, a WHERE built of fixed clauses with `?N`
//! placeholders, an ORDER BY chosen from an enum — each with the reason it cannot carry a
//! value. Anything else (a login, a number, a name) formatted into SQL fails the test.
//! The scanner is tested on planted examples (`the_scanner_*`).

use std::path::{Path, PathBuf};

/// (file, hole, why it is fixed text). A hole is the name in `{name}` or, for `{}`, the
/// argument's expression as written; `+` is an SQL literal glued to something with `+`.
const ALLOW: &[(&str, &str, &str)] = &[
    // The queue (journal) query, built from its filters and sort key.
    (
        "src/store/applications.rs",
        "SELECT_RECORD",
        "a const: the column list and joins of an application record",
    ),
    (
        "src/store/applications.rs",
        "list",
        "status ranks: integers from Status::rank() of the chosen statuses, never typed text",
    ),
    (
        "src/store/applications.rs",
        "expr",
        "SortKey::expr(): a column name chosen from the SortKey enum",
    ),
    (
        "src/store/applications.rs",
        "op",
        "one of > < >= <= chosen by a match on the paging direction",
    ),
    (
        "src/store/applications.rs",
        "where_",
        "filters(): fixed clauses joined by AND, every value bound as ?N",
    ),
    (
        "src/store/applications.rs",
        "dir",
        "ASC or DESC, chosen by an if",
    ),
    (
        "src/store/applications.rs",
        "join",
        "a fixed LEFT JOIN text or nothing, chosen by the sort key",
    ),
    // The client base.
    (
        "src/store/client_base.rs",
        "MANAGER_COLS",
        "a const: the column list of a manager row",
    ),
    (
        "src/store/client_base.rs",
        "CLIENT_COLS",
        "a const: the column list of a client row",
    ),
    (
        "src/store/client_base.rs",
        "where_",
        "clients_where/clients_ordered: every caller passes a string literal with ?N",
    ),
    (
        "src/store/client_base.rs",
        "order",
        "clients_ordered: every caller passes a literal column list",
    ),
    // The member search.
    (
        "src/store/members.rs",
        "column",
        "a column name from the fixed list last_fold / first_fold / patr_fold",
    ),
    (
        "src/store/members.rs",
        "order",
        "an ORDER BY from the fixed list beside the column",
    ),
    (
        "src/store/members.rs",
        "digit_filter",
        "a fixed clause binding the digits as ?9, or nothing",
    ),
    (
        "src/store/members.rs",
        "short_filter",
        "fixed clauses binding each short word as ?N",
    ),
    (
        "src/store/members.rs",
        "name",
        "DROP TRIGGER: a trigger name read from sqlite_master (LIKE 'members_search_%'); \
         identifiers cannot be bound",
    ),
    // The demo build.
    (
        "src/store/demo.rs",
        "name",
        "DROP INDEX: an index name from the demo's fixed list, checked against sqlite_master \
         first; identifiers cannot be bound",
    ),
    // Scores.
    (
        "src/store/scores.rs",
        "SELECT",
        "a const: the column list of a score row",
    ),
];

/// The macros whose first string argument (second for `write!`) is a format string.
const MACROS: &[(&str, usize)] = &[
    ("format!(", 0),
    ("format_args!(", 0),
    ("write!(", 1),
    ("writeln!(", 1),
];

/// Words that make a format string SQL.
const SQL: &[&str] = &[
    "SELECT ",
    "INSERT INTO",
    "INSERT OR",
    "UPDATE ",
    "DELETE FROM",
    "WHERE ",
    "ORDER BY",
    "PRAGMA ",
    "CREATE ",
    "DROP ",
    "ALTER TABLE",
    "REPLACE INTO",
    " VALUES",
    " LIMIT ",
    // Fragments of a WHERE built piece by piece.
    " AND ",
    " OR ",
    " IN (",
    " = ?",
    " MATCH ",
];

/// One hole in an SQL format string.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hole {
    line: usize,
    hole: String,
    sql: String,
}

/// Skip a string literal starting at `i` (at `"`, `r"`, `r#"`, `b"`…); the index after it and
/// its contents.
fn string_at(s: &[char], i: usize) -> Option<(usize, String)> {
    let mut j = i;
    if s.get(j) == Some(&'b') {
        j += 1;
    }
    if s.get(j) == Some(&'r') {
        j += 1;
        let mut hashes = 0;
        while s.get(j) == Some(&'#') {
            hashes += 1;
            j += 1;
        }
        if s.get(j) != Some(&'"') {
            return None;
        }
        j += 1;
        let start = j;
        while j < s.len() {
            if s[j] == '"' && (0..hashes).all(|k| s.get(j + 1 + k) == Some(&'#')) {
                return Some((j + 1 + hashes, s[start..j].iter().collect()));
            }
            j += 1;
        }
        return None;
    }
    if s.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    let mut out = String::new();
    while j < s.len() {
        match s[j] {
            '\\' => {
                // `\` + newline continues the line; other escapes keep their character.
                if s.get(j + 1) == Some(&'\n') {
                    j += 2;
                    while j < s.len() && s[j].is_whitespace() {
                        j += 1;
                    }
                    continue;
                }
                if let Some(c) = s.get(j + 1) {
                    out.push(match c {
                        'n' => '\n',
                        't' => '\t',
                        c => *c,
                    });
                }
                j += 2;
            }
            '"' => return Some((j + 1, out)),
            c => {
                out.push(c);
                j += 1;
            }
        }
    }
    None
}

/// The top-level arguments of a macro call whose `(` is at `open`, as written.
fn arguments(s: &[char], open: usize) -> Vec<String> {
    let (mut depth, mut j) = (0i32, open);
    let mut args = vec![String::new()];
    while j < s.len() {
        let c = s[j];
        if (c == '"' || (matches!(c, 'r' | 'b') && matches!(s.get(j + 1), Some('"' | '#'))))
            && let Some((end, _)) = string_at(s, j)
        {
            args.last_mut().unwrap().extend(&s[j..end]);
            j = end;
            continue;
        }
        if c == '\'' {
            // A char literal ('x', '\n'); a lifetime has no closing quote close by.
            let close = (j + 2..(j + 5).min(s.len())).find(|&k| s[k] == '\'');
            if let Some(k) = close {
                args.last_mut().unwrap().extend(&s[j..=k]);
                j = k + 1;
                continue;
            }
        }
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > 1 {
                    args.last_mut().unwrap().push(c);
                }
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                args.last_mut().unwrap().push(c);
            }
            ',' if depth == 1 => args.push(String::new()),
            c => args.last_mut().unwrap().push(c),
        }
        j += 1;
    }
    args.into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The holes of a format string: the name, or the positional index. A hole right after `?`
/// is the number of a bound parameter (`= ?{n}`), not a value, and is not returned (though
/// it still takes its positional argument).
fn holes(fmt: &str) -> Vec<Result<String, usize>> {
    let c: Vec<char> = fmt.chars().collect();
    let (mut out, mut i, mut next) = (Vec::new(), 0, 0);
    while i < c.len() {
        if c[i] == '{' && c.get(i + 1) == Some(&'{') {
            i += 2;
            continue;
        }
        if c[i] == '{' {
            let end = (i..c.len()).find(|&k| c[k] == '}').unwrap_or(c.len());
            let inner: String = c[i + 1..end].iter().collect();
            let name = inner.split(':').next().unwrap_or("").trim().to_string();
            let placeholder = i > 0 && c[i - 1] == '?';
            let hole = if name.is_empty() {
                next += 1;
                Err(next - 1)
            } else if let Ok(n) = name.parse::<usize>() {
                Err(n)
            } else {
                Ok(name)
            };
            if !placeholder {
                out.push(hole);
            }
            i = end + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// Every hole of every SQL format string in `src`, skipping comments.
fn scan(src: &str) -> Vec<Hole> {
    let s: Vec<char> = src.chars().collect();
    let line_of = |i: usize| s[..i].iter().filter(|c| **c == '\n').count() + 1;
    let mut found = Vec::new();
    let mut i = 0;
    while i < s.len() {
        // Comments and strings outside a macro call are skipped whole.
        if s[i] == '/' && s.get(i + 1) == Some(&'/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if s[i] == '/' && s.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < s.len() && !(s[i] == '*' && s[i + 1] == '/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if s[i] == '"' || (s[i] == 'r' && matches!(s.get(i + 1), Some('"' | '#'))) {
            let word_before = i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_');
            if !(s[i] == 'r' && word_before)
                && let Some((end, text)) = string_at(&s, i)
            {
                // SQL glued to something with `+` (`"… WHERE id = ".to_string() + &id`).
                if SQL.iter().any(|k| text.contains(k)) {
                    let before: String = s[..i].iter().rev().take(40).collect::<String>();
                    let before = before.trim_start();
                    let after: String = s[end..].iter().take(40).collect();
                    let after = after
                        .trim_start()
                        .trim_start_matches(".to_string()")
                        .trim_start_matches(".to_owned()")
                        .trim_start_matches(".into()")
                        .trim_start();
                    if before.starts_with('+') || after.starts_with('+') {
                        found.push(Hole {
                            line: line_of(i),
                            hole: "+".into(),
                            sql: text.split_whitespace().collect::<Vec<_>>().join(" "),
                        });
                    }
                }
                i = end;
                continue;
            }
        }
        let starts_word = i == 0 || !(s[i - 1].is_alphanumeric() || s[i - 1] == '_');
        let hit = MACROS
            .iter()
            .find(|(m, _)| starts_word && s[i..].iter().take(m.len()).copied().eq(m.chars()));
        let Some((m, fmt_arg)) = hit else {
            i += 1;
            continue;
        };
        let open = i + m.len() - 1;
        let args = arguments(&s, open);
        let fmt = args.get(*fmt_arg).and_then(|a| {
            let a: Vec<char> = a.chars().collect();
            string_at(&a, 0).map(|(_, text)| text)
        });
        if let Some(fmt) = fmt
            && SQL.iter().any(|k| fmt.contains(k))
        {
            let rest = &args[fmt_arg + 1..];
            for h in holes(&fmt) {
                let hole = match h {
                    Ok(name) => rest
                        .iter()
                        .find_map(|a| {
                            a.split_once('=')
                                .filter(|(n, _)| n.trim() == name)
                                .map(|(_, e)| e.trim().to_string())
                        })
                        .unwrap_or(name),
                    Err(n) => rest.get(n).cloned().unwrap_or_else(|| format!("#{n}")),
                };
                found.push(Hole {
                    line: line_of(i),
                    hole,
                    sql: fmt.split_whitespace().collect::<Vec<_>>().join(" "),
                });
            }
        }
        i = open + 1;
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_sql_statement_in_src_is_parameterised() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() > 50, "the sources are there: {}", files.len());
    let mut bad = Vec::new();
    let mut used = vec![false; ALLOW.len()];
    let mut sql_sites = 0;
    for f in &files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let src = std::fs::read_to_string(f).unwrap();
        for h in scan(&src) {
            sql_sites += 1;
            match ALLOW
                .iter()
                .position(|(file, hole, _)| *file == rel && *hole == h.hole)
            {
                Some(k) => used[k] = true,
                None => bad.push(format!("{rel}:{}: {{{}}} in «{}»", h.line, h.hole, h.sql)),
            }
        }
    }
    assert!(
        bad.is_empty(),
        "SQL built with a value formatted in (bind it as ?N instead, or, if the hole is \
         fixed SQL text, add it to ALLOW with the reason):\n{}",
        bad.join("\n")
    );
    let stale: Vec<_> = ALLOW
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|((f, h, _), _)| format!("{f}: {h}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allow-list entries no longer used: {stale:?}"
    );
    assert!(
        sql_sites > 0,
        "the scanner found the allowed SQL format strings"
    );
}

#[test]
fn the_scanner_finds_a_value_formatted_into_sql() {
    let planted = r##"
        fn find(conn: &Connection, login: &str, id: i64) {
            // format!("SELECT {login}") in a comment is not code.
            let ui = format!("Hello {login}");
            let a = format!("SELECT id FROM staff WHERE login = '{login}'");
            let b = format!(
                "UPDATE staff SET active = 0 \
                 WHERE id = {}",
                id
            );
            let c = format!(r#"DELETE FROM staff WHERE id = {n}"#, n = id + 1);
            let d = format!("SELECT {COLS} FROM staff WHERE id = ?1");
            let e = format!("SELECT 1 WHERE x = '{{literal}}'");
            write!(out, "INSERT INTO t VALUES ({})", name.len());
            let f = format!("a.office_id = ?{}", params.len());
            let g = format!("m.id IN ({list})");
            let h = "SELECT id FROM staff WHERE login = '".to_string() + login + "'";
            let fixed = "SELECT 1"; let sum = 1 + 2;
        }
    "##;
    let found: Vec<(usize, String)> = scan(planted)
        .into_iter()
        .map(|h| (h.line, h.hole))
        .collect();
    assert_eq!(
        found,
        vec![
            (5, "login".to_string()),
            (6, "id".to_string()),
            (11, "id + 1".to_string()),
            (12, "COLS".to_string()),
            (14, "name.len()".to_string()),
            (16, "list".to_string()),
            (17, "+".to_string()),
        ]
    );
    let b = scan(planted).into_iter().find(|h| h.line == 6).unwrap();
    assert_eq!(b.sql, "UPDATE staff SET active = 0 WHERE id = {}");
}

#[test]
fn the_scanner_reads_holes_and_arguments() {
    assert_eq!(
        holes("a {x} {} {{y}} {0:>5} {z:?}"),
        vec![Ok("x".into()), Err(0), Err(0), Ok("z".into())]
    );
    // Parameter numbers are not values; the positional count still moves past them.
    assert_eq!(holes("a = ?{} AND b = {} AND c = ?{n}"), vec![Err(1)]);
    let s: Vec<char> = r#"("a, b", f(x, y), 'c', [1, 2])"#.chars().collect();
    assert_eq!(
        arguments(&s, 0),
        vec!["\"a, b\"", "f(x, y)", "'c'", "[1, 2]"]
    );
}
