//! The message catalog: every word a person reads comes from `assets/i18n/<lang>.toml`.
//! Russian is the default and the fallback for keys another language lacks.

use crate::tomlfile::{self, FileError};
use std::collections::HashMap;
use std::path::Path;

pub const RU: &str = include_str!("../assets/i18n/ru.toml");
pub const EN: &str = include_str!("../assets/i18n/en.toml");
pub const UK: &str = include_str!("../assets/i18n/uk.toml");

#[derive(Clone, Debug)]
pub struct Catalog {
    pub lang: String,
    map: HashMap<String, String>,
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn parse_catalog(file: &str, src: &str) -> Result<HashMap<String, String>, FileError> {
    let table: toml::Table = tomlfile::parse(file, src)?;
    let mut map = HashMap::new();
    flatten("", &table, &mut map);
    Ok(map)
}

fn builtin(lang: &str) -> Option<&'static str> {
    match lang {
        "ru" => Some(RU),
        "en" => Some(EN),
        "uk" => Some(UK),
        _ => None,
    }
}

impl Catalog {
    /// The catalog for `lang`, read from `assets_dir/i18n/` when present there, else shipped.
    /// Keys missing from it fall back to Russian.
    pub fn load(lang: &str, assets_dir: Option<&Path>) -> Result<Catalog, FileError> {
        let mut map = parse_catalog("assets/i18n/ru.toml", RU)?;
        let own = assets_dir
            .map(|d| d.join("i18n").join(format!("{lang}.toml")))
            .filter(|p| p.exists());
        let overlay = match own {
            Some(p) => {
                let src = std::fs::read_to_string(&p).map_err(|e| FileError {
                    file: p.display().to_string(),
                    line: 1,
                    key: String::new(),
                    message: e.to_string(),
                })?;
                Some(parse_catalog(&p.display().to_string(), &src)?)
            }
            None => match builtin(lang) {
                Some(src) if lang != "ru" => {
                    Some(parse_catalog(&format!("assets/i18n/{lang}.toml"), src)?)
                }
                Some(_) => None,
                None => {
                    return Err(FileError {
                        file: "config".into(),
                        line: 1,
                        key: "language".into(),
                        message: format!("no catalog for language {lang:?} (ru, en, uk)"),
                    });
                }
            },
        };
        if let Some(o) = overlay {
            map.extend(o);
        }
        Ok(Catalog {
            lang: lang.to_string(),
            map,
        })
    }

    /// The shipped catalog for a language (tests, and before config is read).
    pub fn builtin(lang: &str) -> Catalog {
        Catalog::load(lang, None).expect("shipped catalogs are valid (tested)")
    }

    /// The text for `key`; the key itself when missing, so a gap is visible, never a crash.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn own_keys(src: &str) -> BTreeSet<String> {
        parse_catalog("x", src).unwrap().into_keys().collect()
    }

    #[test]
    fn english_and_ukrainian_have_every_russian_key() {
        let ru = own_keys(RU);
        for (lang, src) in [("en", EN), ("uk", UK)] {
            let other = own_keys(src);
            let missing: Vec<_> = ru.difference(&other).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            let extra: Vec<_> = other.difference(&ru).collect();
            assert!(extra.is_empty(), "{lang} has keys Russian lacks: {extra:?}");
        }
    }

    /// Every catalog key the code names literally exists in the Russian catalog.
    #[test]
    fn every_key_used_in_code_exists() {
        let ru = own_keys(RU);
        let mut missing = BTreeSet::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                for (i, _) in src.match_indices('"') {
                    let rest = &src[i + 1..];
                    let Some(end) = rest.find('"') else { continue };
                    let lit = &rest[..end];
                    let prefixes = [
                        "err.",
                        "refuse.",
                        "ui.",
                        "queue.",
                        "dialog.",
                        "field.",
                        "status.",
                        "role.",
                        "cli.",
                        "login.",
                        "help.",
                        "key.",
                        "step.",
                        "check.",
                        "bureau.",
                        "product_kind.",
                        "pane.",
                        "unit.",
                        "scorecard.",
                        "bench.",
                        "doc.",
                        "cb.",
                        "backup.",
                        "cb_refuse.",
                        "cb_violation.",
                        "rating.",
                        "member.",
                        "speed.",
                        "audit.",
                        "audit_view.",
                        "files.",
                        "import_file.",
                    ];
                    if prefixes.iter().any(|p| lit.starts_with(p))
                        && lit.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                        })
                        && !lit.ends_with('.')
                        && !lit.ends_with(".toml")
                        && !ru.contains(lit)
                    {
                        missing.insert(format!("{lit} ({})", p.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from ru.toml: {missing:#?}"
        );
    }

    #[test]
    fn placeholders_fill() {
        let c = Catalog::builtin("ru");
        assert!(c.has("ui.app_title"));
        assert_eq!(c.t("no.such.key"), "no.such.key");
    }
}
