//! The template engine: the shipped templates built into the binary, each one replaced by the
//! cooperative's own copy in `<assets_dir>/templates/` when it has one; strict about undefined
//! variables; errors that name the file and the line. Text comes out at most [`WIDTH`]
//! columns wide; HTML is the same text, escaped, in a page from `_page.html`.

use crate::domain::Money;
use crate::domain::words;
use chrono::NaiveDate;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};
use std::path::{Path, PathBuf};

/// The widest line of a printed text document: fits an 80-column printer and the terminal's
/// preview.
pub const WIDTH: usize = 78;

/// Form feed: a template writes it to start a new page.
pub const PAGE_BREAK: char = '\u{c}';

/// The shipped templates, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "_cooperative.txt",
        include_str!("../../assets/templates/_cooperative.txt"),
    ),
    (
        "_page.html",
        include_str!("../../assets/templates/_page.html"),
    ),
    (
        "application.txt",
        include_str!("../../assets/templates/application.txt"),
    ),
    (
        "membership.txt",
        include_str!("../../assets/templates/membership.txt"),
    ),
    (
        "receipt_order.txt",
        include_str!("../../assets/templates/receipt_order.txt"),
    ),
    (
        "contract.txt",
        include_str!("../../assets/templates/contract.txt"),
    ),
    (
        "guarantee.txt",
        include_str!("../../assets/templates/guarantee.txt"),
    ),
    (
        "collateral.txt",
        include_str!("../../assets/templates/collateral.txt"),
    ),
    (
        "issue_order.txt",
        include_str!("../../assets/templates/issue_order.txt"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    /// A template could not be parsed or rendered: where, and why.
    #[error("{file}:{line}: {message}")]
    Template {
        file: String,
        line: usize,
        message: String,
    },
    /// A template (or one it includes) exists neither in the assets folder nor built in.
    #[error("{file}: template not found")]
    Missing { file: String },
    /// The document does not fit the application at its status (its data does not exist yet).
    #[error("{0}: not available for this application now")]
    NotOffered(&'static str),
    /// The application's data cannot make the document (an unknown product, a bad term).
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Io(String),
}

impl DocError {
    /// A sentence for a person, in the catalog's language.
    pub fn message(&self, cat: &crate::i18n::Catalog) -> String {
        match self {
            DocError::Template {
                file,
                line,
                message,
            } => cat.f(
                "doc.err_template",
                &[
                    ("file", file),
                    ("line", &line.to_string()),
                    ("detail", message),
                ],
            ),
            DocError::Missing { file } => cat.f("doc.err_missing", &[("file", file)]),
            DocError::NotOffered(code) => cat.f(
                "doc.err_not_offered",
                &[("document", cat.t(&format!("doc.kind.{code}")))],
            ),
            DocError::Data(d) => cat.f("doc.err_data", &[("detail", d)]),
            DocError::Io(d) => cat.f("err.io", &[("detail", d)]),
        }
    }
}

/// A document rendered: its text (pages separated by form feeds) and its HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub html: String,
}

/// The templates, from the cooperative's folder where it has a file, else built in.
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    /// `assets_dir` as the config gives it; its `templates/` folder holds the overrides.
    pub fn new(assets_dir: Option<&Path>) -> Templates {
        Templates {
            dir: assets_dir.map(|d| d.join("templates")),
        }
    }

    /// Where a template comes from, as error messages name it.
    pub fn origin(&self, name: &str) -> String {
        match &self.dir {
            Some(d) if d.join(name).is_file() => d.join(name).display().to_string(),
            _ => format!("assets/templates/{name}"),
        }
    }

    fn source(dir: Option<&Path>, name: &str) -> Result<Option<String>, Error> {
        if let Some(d) = dir {
            let p = d.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                    Error::new(ErrorKind::InvalidOperation, format!("{}: {e}", p.display()))
                });
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.to_string()))
    }

    fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let dir = self.dir.clone();
        env.set_loader(move |name| Templates::source(dir.as_deref(), name));
        env.add_global("page_break", PAGE_BREAK.to_string());
        env.add_filter("money", |s: String| -> Result<String, Error> {
            Ok(parse_money(&s)?.grouped())
        });
        env.add_filter("words", |s: String| -> Result<String, Error> {
            Ok(words::money_in_words(parse_money(&s)?))
        });
        env.add_filter("date", |s: String| -> Result<String, Error> {
            Ok(words::date_short(parse_date(&s)?))
        });
        env.add_filter("date_long", |s: String| -> Result<String, Error> {
            Ok(words::date_long(parse_date(&s)?))
        });
        env.add_filter("cap", |s: String| words::capitalise(&s));
        env.add_filter("lpad", |v: Value, w: usize| pad(&v.to_string(), w, true));
        env.add_filter("rpad", |v: Value, w: usize| pad(&v.to_string(), w, false));
        env.add_function(
            "plural",
            |n: u64, one: String, few: String, many: String| {
                words::plural(n, &one, &few, &many).to_string()
            },
        );
        env.add_function("in_words", |n: u64| {
            words::number_in_words(n, words::Gender::Masculine)
        });
        env
    }

    fn error(&self, name: &str, e: &Error) -> DocError {
        // The error of an included template names that template, not the document's.
        let file = e.name().unwrap_or(name).to_string();
        if e.kind() == ErrorKind::TemplateNotFound {
            let missing = e
                .detail()
                .and_then(|d| d.split('"').nth(1))
                .unwrap_or(&file)
                .to_string();
            return DocError::Missing {
                file: self.origin(&missing),
            };
        }
        let mut message = e.kind().to_string();
        if let Some(d) = e.detail() {
            message.push_str(": ");
            message.push_str(d);
        }
        DocError::Template {
            file: self.origin(&file),
            line: e.line().unwrap_or(1),
            message,
        }
    }

    /// Render one template with `ctx` to text (at most [`WIDTH`] columns) and HTML.
    pub fn render(&self, name: &str, title: &str, ctx: Value) -> Result<Rendered, DocError> {
        let env = self.environment();
        let tmpl = env.get_template(name).map_err(|e| self.error(name, &e))?;
        let raw = tmpl.render(ctx).map_err(|e| self.error(name, &e))?;
        let text = fit(&raw, WIDTH);
        let pages: Vec<&str> = text.split(PAGE_BREAK).collect();
        let page = env
            .get_template("_page.html")
            .map_err(|e| self.error("_page.html", &e))?;
        let html = page
            .render(minijinja::context! { title => title, pages => pages })
            .map_err(|e| self.error("_page.html", &e))?;
        Ok(Rendered { text, html })
    }

    /// Check that every shipped template, or the cooperative's copy of it, parses.
    pub fn check_all(&self) -> Result<(), DocError> {
        let env = self.environment();
        for (name, _) in BUILTIN {
            env.get_template(name).map_err(|e| self.error(name, &e))?;
        }
        Ok(())
    }
}

fn parse_money(s: &str) -> Result<Money, Error> {
    Money::parse(s).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("not an amount of money: {s:?} ({e})"),
        )
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("not a date (YYYY-MM-DD): {s:?}"),
        )
    })
}

fn pad(s: &str, w: usize, left: bool) -> String {
    let n = s.chars().count();
    if n >= w {
        return s.to_string();
    }
    let fill = " ".repeat(w - n);
    if left {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Where the continuation of a wrapped line starts: under the text of a numbered clause
/// (`1.2. `, `- `), under the value of a `Label:   value` line, else at the line's own indent.
fn hanging_indent(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    let rest = &chars[lead..];
    // A clause number: digits and dots, then a space; or a dash and a space.
    let marker = rest
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == '.')
        .count();
    if marker > 0 && rest[marker - 1] == '.' && rest.get(marker) == Some(&' ') {
        return lead + marker + 1;
    }
    if rest.starts_with(&['-', ' ']) {
        return lead + 2;
    }
    // A label, a colon, two or more spaces, the value.
    if let Some(colon) = rest.iter().position(|c| *c == ':')
        && rest[colon + 1..].starts_with(&[' ', ' '])
    {
        let gap = rest[colon + 1..].iter().take_while(|c| **c == ' ').count();
        return lead + colon + 1 + gap;
    }
    lead
}

/// Wrap every line longer than `width` at spaces, continuing under the line's text (see
/// [`hanging_indent`]); a word longer than the line is cut. Short lines are left alone.
pub fn fit(text: &str, width: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        if line.chars().count() <= width {
            out.push(line.to_string());
            continue;
        }
        let lead = line.len() - line.trim_start_matches(' ').len();
        let hang = hanging_indent(line).min(width / 2);
        let mut cur = " ".repeat(lead.min(width / 2));
        let mut len = cur.len();
        // Nothing but the indent on the current line yet.
        let mut fresh = true;
        for word in line[lead..].split(' ') {
            if word.is_empty() && fresh {
                continue;
            }
            let wlen = word.chars().count();
            if !fresh && len + 1 + wlen > width {
                out.push(cur.trim_end().to_string());
                cur = " ".repeat(hang);
                len = hang;
                fresh = true;
                if word.is_empty() {
                    continue;
                }
            }
            if !fresh {
                cur.push(' ');
                len += 1;
            }
            let mut rest: Vec<char> = word.chars().collect();
            while len + rest.len() > width {
                let take = width - len;
                cur.extend(rest.drain(..take));
                out.push(std::mem::replace(&mut cur, " ".repeat(hang)));
                len = hang;
            }
            len += rest.len();
            cur.extend(rest);
            fresh = false;
        }
        out.push(cur.trim_end().to_string());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_text() {
        let clause = format!("3.1. Поручительство: {}", "слово ".repeat(20));
        let out = fit(&clause, 40);
        assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
        assert!(
            out.lines()
                .skip(1)
                .all(|l| l.starts_with("     ") && !l.starts_with("      "))
        );
        let label = format!("   Адрес:    {}", "д. 1, кв. 5, ".repeat(8));
        let out = fit(&label, 40);
        assert!(
            out.lines().skip(1).all(|l| l.starts_with(&" ".repeat(13))),
            "{out}"
        );
        assert!(out.starts_with("   Адрес:    д. 1"), "{out}");
        let plain = format!("  {}", "a ".repeat(30));
        let out = fit(&plain, 20);
        assert!(out.lines().all(|l| l.starts_with("  a")), "{out}");
        // Every word is kept, in order.
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(words(&fit(&label, 40)), words(&label));
        assert_eq!(words(&fit(&clause, 40)), words(&clause));
        // A word longer than the line is cut; short lines and page breaks stay.
        assert_eq!(fit(&"x".repeat(25), 10), "xxxxxxxxxx\nxxxxxxxxxx\nxxxxx");
        assert_eq!(fit("a\u{c}\nb", 10), "a\u{c}\nb");
    }
}
