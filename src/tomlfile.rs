//! Reading our TOML files (config, rules, catalogs) with errors that name the file, the line
//! and the key, so whoever edited the file can find the mistake.

use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, self.key, self.message
            )
        }
    }
}

impl std::error::Error for FileError {}

/// 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

pub fn error_at(
    file: &str,
    src: &str,
    span: Option<Range<usize>>,
    key: &str,
    message: impl Into<String>,
) -> FileError {
    FileError {
        file: file.to_string(),
        line: span.map(|s| line_of(src, s.start)).unwrap_or(1),
        key: key.to_string(),
        message: message.into(),
    }
}

/// Parse a whole file; on failure name the line and, where toml tells it, the key.
pub fn parse<T: DeserializeOwned>(file: &str, src: &str) -> Result<T, FileError> {
    toml::from_str(src).map_err(|e| {
        let message = e.message().trim().to_string();
        let key = key_in_message(&message).unwrap_or_default();
        error_at(file, src, e.span(), &key, message)
    })
}

/// toml's messages put the offending key in backticks: "unknown field `colour`".
fn key_in_message(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(msg[start..start + len].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn names_line_and_key() {
        let e = parse::<T>("x.toml", "a = 1\ncolour = 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.key, "colour");
        assert!(e.to_string().starts_with("x.toml:2: colour: "));
        let e = parse::<T>("x.toml", "\n\na = \"z\"\n").unwrap_err();
        assert_eq!(e.line, 3);
    }
}
