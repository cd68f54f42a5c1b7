//! Where a rendered document goes: a text file and its HTML twin in the print folder, named by
//! application number and document (a reprint gets `-2`, `-3`… so the file of an earlier,
//! signed print is never overwritten), then the print command when one is configured — run
//! without a shell, the file's path appended, given a time limit, its failure reported.

use super::render::Rendered;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `2026-000012_contract.txt`, `2026-000012_contract-2.txt` for the second print.
pub fn file_stem(number: &str, document: &str, copy: u32) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if copy <= 1 {
        format!("{safe}_{document}")
    } else {
        format!("{safe}_{document}-{copy}")
    }
}

/// Write the text to `<dir>/<stem>.txt` and the HTML to `<dir>/<stem>.html`; returns the
/// text file's path.
pub fn write_files(dir: &Path, stem: &str, doc: &Rendered) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let txt = dir.join(format!("{stem}.txt"));
    std::fs::write(&txt, doc.text.as_bytes())?;
    std::fs::write(dir.join(format!("{stem}.html")), doc.html.as_bytes())?;
    Ok(txt)
}

/// What the print command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandOutcome {
    /// No command configured: the file is the result.
    NotConfigured,
    Sent,
    /// The command could not start, exited with an error, or ran out of time: why.
    Failed(String),
}

/// Split a configured command into program and arguments: words separated by spaces, with
/// `"…"` or `'…'` keeping spaces inside one word. No shell is involved.
pub fn split_command(cmd: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in cmd.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Run `command` with `file` appended, waiting at most `limit`. A command that is still
/// running then is killed and reported as failed: the desk never hangs on a printer.
pub fn run_print_command(command: &str, file: &Path, limit: Duration) -> CommandOutcome {
    let words = match split_command(command) {
        Ok(w) if w.is_empty() => return CommandOutcome::NotConfigured,
        Ok(w) => w,
        Err(e) => return CommandOutcome::Failed(e),
    };
    let mut child = match Command::new(&words[0])
        .args(&words[1..])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return CommandOutcome::Failed(format!("{}: {e}", words[0])),
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                if status.success() {
                    return CommandOutcome::Sent;
                }
                let mut err = String::new();
                if let Some(mut s) = child.stderr.take() {
                    let _ = s.read_to_string(&mut err);
                }
                let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                let code = status
                    .code()
                    .map(|c| format!("exit {c}"))
                    .unwrap_or_else(|| "killed".into());
                return CommandOutcome::Failed(if first.is_empty() {
                    code
                } else {
                    format!("{code}: {}", first.trim())
                });
            }
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return CommandOutcome::Failed(format!("no answer in {} s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return CommandOutcome::Failed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_without_a_shell() {
        assert_eq!(split_command("lp -d DESK1").unwrap(), ["lp", "-d", "DESK1"]);
        assert_eq!(
            split_command("lpr -P 'Desk 1'  -o \"media=A4\"").unwrap(),
            ["lpr", "-P", "Desk 1", "-o", "media=A4"]
        );
        assert_eq!(split_command("echo ''").unwrap(), ["echo", ""]);
        assert!(split_command("").unwrap().is_empty());
        assert!(split_command("lp 'x").is_err());
        assert_eq!(
            split_command("lp; rm -rf /").unwrap(),
            ["lp;", "rm", "-rf", "/"],
            "a semicolon is just a character"
        );
    }

    #[test]
    fn file_names_by_number_document_and_copy() {
        assert_eq!(
            file_stem("2026-000012", "contract", 1),
            "2026-000012_contract"
        );
        assert_eq!(
            file_stem("2026-000012", "contract", 3),
            "2026-000012_contract-3"
        );
        assert_eq!(file_stem("../x y", "application", 1), "___x_y_application");
    }

    #[test]
    fn the_print_command_gets_the_file_and_its_failure_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("printed.txt");
        std::fs::write(&f, "x").unwrap();
        let limit = Duration::from_secs(5);
        assert_eq!(run_print_command("true", &f, limit), CommandOutcome::Sent);
        assert_eq!(
            run_print_command("", &f, limit),
            CommandOutcome::NotConfigured
        );
        // The path is the last argument: `test -f PATH` succeeds only when it is the file.
        assert_eq!(
            run_print_command("test -f", &f, limit),
            CommandOutcome::Sent
        );
        match run_print_command("ls --no-such-option", &f, limit) {
            CommandOutcome::Failed(why) => assert!(why.starts_with("exit "), "{why}"),
            other => panic!("{other:?}"),
        }
        match run_print_command("/nonexistent/lp", &f, limit) {
            CommandOutcome::Failed(why) => assert!(why.contains("/nonexistent/lp"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_command_that_hangs_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("printed.txt");
        std::fs::write(&f, "x").unwrap();
        // `tail -f PATH` never ends on its own; it is killed at the limit.
        match run_print_command("tail -f", &f, Duration::from_millis(300)) {
            CommandOutcome::Failed(why) => assert!(why.starts_with("no answer"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
