//! One print, as the desk and the command line make it: prepare (read the application, build
//! the context, render) — what the preview shows — then deliver (write the files, run the
//! print command, record the print in the application's history).

use super::output::{self, CommandOutcome};
use super::render::{DocError, Rendered, Templates};
use super::{DocKind, Occasion};
use crate::i18n::Catalog;
use crate::rules::Rules;
use crate::store::applications::ApplicationRecord;
use crate::store::prints::PrintOutcome;
use crate::store::{Actor, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use std::path::{Path, PathBuf};
use std::time::Duration;

impl Default for PrintSettings {
    /// The config's defaults: the platform's documents folder, no print command.
    fn default() -> Self {
        let cfg = crate::config::PrintConfig::default();
        PrintSettings {
            dir: cfg.folder(),
            command: cfg.command,
            timeout: Duration::from_secs(cfg.timeout_secs),
            assets_dir: None,
        }
    }
}

/// Where prints go: the `[print]` section of the config.
#[derive(Clone, Debug)]
pub struct PrintSettings {
    pub dir: PathBuf,
    /// Program and arguments, the file's path appended; empty: files only.
    pub command: String,
    pub timeout: Duration,
    /// The config's `assets_dir`, whose `templates/` overrides the shipped templates.
    pub assets_dir: Option<PathBuf>,
}

#[derive(Debug)]
pub enum PrintError {
    Store(StoreError),
    Doc(DocError),
}

impl PrintError {
    pub fn message(&self, cat: &Catalog) -> String {
        match self {
            PrintError::Store(e) => e.message(cat),
            PrintError::Doc(e) => e.message(cat),
        }
    }
}

impl From<StoreError> for PrintError {
    fn from(e: StoreError) -> Self {
        PrintError::Store(e)
    }
}

impl From<DocError> for PrintError {
    fn from(e: DocError) -> Self {
        PrintError::Doc(e)
    }
}

/// A document rendered for one application, ready to preview and print.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub kind: DocKind,
    pub application_id: i64,
    pub number: String,
    /// Which print of this document this will be (1 = first).
    pub copy: u32,
    pub title: String,
    pub rendered: Rendered,
}

/// Who a print is recorded under.
pub enum Recorder<'a> {
    Desk(&'a Actor),
    /// The command line's label, `cli:<user>`.
    Label(&'a str),
}

/// What a print came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub file: PathBuf,
    pub outcome: PrintOutcome,
    /// Why the print command failed; empty otherwise.
    pub detail: String,
}

/// The documents that fit the application now.
pub fn offered_for(store: &Store, app: &ApplicationRecord) -> Result<Vec<DocKind>, StoreError> {
    let facts = store.document_facts(app)?;
    Ok(super::offered(app.status, &facts))
}

/// Render `kind` for `app` as `clerk` (login, name) would print it on `today`.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    store: &Store,
    templates: &Templates,
    rules: &Rules,
    cat: &Catalog,
    app: &ApplicationRecord,
    kind: DocKind,
    clerk: (&str, &str),
    today: NaiveDate,
) -> Result<Prepared, PrintError> {
    let facts = store.document_facts(app)?;
    let copy = store.print_count(app.id, kind.code())? + 1;
    let ctx = super::context(
        kind,
        app,
        &facts,
        rules,
        cat,
        &Occasion { clerk, today, copy },
    )?;
    let title = format!("{} — {}", cat.t(&kind.title_key()), app.number);
    let rendered = templates.render(kind.template(), &title, ctx)?;
    Ok(Prepared {
        kind,
        application_id: app.id,
        number: app.number.clone(),
        copy,
        title,
        rendered,
    })
}

/// Write the files (into the print folder, or to `out` — `.html` there means HTML, anything
/// else plain text — without sending it to the printer), run the print command, and record
/// the print. A failed print command is recorded and returned as the outcome, not an error:
/// the file is there and the clerk is told.
pub fn deliver(
    store: &mut Store,
    settings: &PrintSettings,
    doc: &Prepared,
    who: Recorder,
    out: Option<&Path>,
    now: NaiveDateTime,
) -> Result<Delivered, PrintError> {
    let io = |e: std::io::Error, p: &Path| DocError::Io(format!("{}: {e}", p.display()));
    let (file, command) = match out {
        Some(p) => {
            let html = p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
            let body = if html {
                &doc.rendered.html
            } else {
                &doc.rendered.text
            };
            if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| io(e, parent))?;
            }
            std::fs::write(p, body.as_bytes()).map_err(|e| io(e, p))?;
            (p.to_path_buf(), String::new())
        }
        None => {
            let stem = output::file_stem(&doc.number, doc.kind.code(), doc.copy);
            let file = output::write_files(&settings.dir, &stem, &doc.rendered)
                .map_err(|e| io(e, &settings.dir))?;
            (file, settings.command.trim().to_string())
        }
    };
    let (outcome, detail) = match output::run_print_command(&command, &file, settings.timeout) {
        CommandOutcome::NotConfigured => (PrintOutcome::Saved, String::new()),
        CommandOutcome::Sent => (PrintOutcome::Sent, String::new()),
        CommandOutcome::Failed(why) => (PrintOutcome::Failed, why),
    };
    let shown = file.display().to_string();
    match who {
        Recorder::Desk(actor) => store.record_print(
            actor,
            doc.application_id,
            doc.kind.code(),
            &shown,
            &command,
            outcome,
            &detail,
            now,
        )?,
        Recorder::Label(label) => store.record_print_as(
            label,
            doc.application_id,
            doc.kind.code(),
            &shown,
            &command,
            outcome,
            &detail,
            now,
        )?,
    }
    Ok(Delivered {
        file,
        outcome,
        detail,
    })
}

/// The line the clerk reads after a print: where the file is and what the printer did. With
/// `width`, a line too long is shortened: `~` for the home folder, `…/` for the folders above
/// the print folder, then without the command; the file's own name is always there whole.
pub fn summary(cat: &Catalog, d: &Delivered, command_text: &str, width: Option<usize>) -> String {
    let say_with = |file: &str, command: bool| match d.outcome {
        PrintOutcome::Saved => cat.f("doc.saved", &[("file", file)]),
        PrintOutcome::Sent if command => {
            cat.f("doc.sent", &[("file", file), ("command", command_text)])
        }
        PrintOutcome::Sent => cat.f("doc.sent_short", &[("file", file)]),
        PrintOutcome::Failed => cat.f("doc.failed", &[("file", file), ("detail", &d.detail)]),
    };
    let say = |file: &str| say_with(file, true);
    let full = d.file.display().to_string();
    let Some(width) = width else {
        return say(&full);
    };
    let name = d
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = d
        .file
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let home = std::env::var("HOME").ok().filter(|h| h.len() > 1);
    let mut tries = vec![full.clone()];
    if let Some(h) = home
        .as_deref()
        .filter(|h| full.starts_with(&format!("{h}/")))
    {
        tries.push(format!("~{}", &full[h.len()..]));
    }
    tries.push(format!("…/{folder}/{name}"));
    tries.push(format!("…/{name}"));
    // The file matters more than the printer's command: that goes before the folders do.
    let lines = tries
        .iter()
        .map(|t| say(t))
        .chain(tries.iter().skip(1).map(|t| say_with(t, false)));
    let mut last = String::new();
    for line in lines {
        if line.chars().count() <= width {
            return line;
        }
        last = line;
    }
    last
}

/// A print in the history: (what happened, the words after it) — «печать», «Договор займа
/// с графиком платежей: отправлено на принтер, /path/file.txt». The store writes the comment
/// as `<document> <outcome> <file> (<detail>)`.
pub fn history_label(cat: &Catalog, comment: &str) -> (String, String) {
    let mut parts = comment.splitn(3, ' ');
    let (doc, outcome, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let name = DocKind::from_code(doc)
        .map(|k| cat.t(&k.title_key()).to_string())
        .unwrap_or_else(|| doc.to_string());
    let outcome = match outcome {
        "saved" | "sent" | "failed" => cat.t(&format!("doc.outcome.{outcome}")).to_string(),
        other => other.to_string(),
    };
    (
        cat.t("doc.event_printed").to_string(),
        format!("{name}: {outcome}, {rest}"),
    )
}
