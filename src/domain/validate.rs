//! Input rules of DOMAIN §8: what a person may type into a field, and the normal form we keep.
//! Every refusal names the field and a catalog key for the reason.

use super::money::Money;
use chrono::{Datelike, NaiveDate};

/// One field refused, with the reason as a catalog key and optional words to put into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: &'static str,
    pub detail: Option<String>,
}

impl FieldError {
    pub fn new(field: &'static str, reason: &'static str) -> Self {
        FieldError {
            field,
            reason,
            detail: None,
        }
    }
    pub fn with(field: &'static str, reason: &'static str, detail: impl Into<String>) -> Self {
        FieldError {
            field,
            reason,
            detail: Some(detail.into()),
        }
    }
}

/// Russian passport: series of 4 digits and number of 6 digits; spaces allowed on entry.
/// Kept as the 10 digits.
pub fn passport(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-' || c == '№')
    {
        return Err("err.passport_format");
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() != 10 {
        return Err("err.passport_format");
    }
    Ok(digits)
}

/// `4509 123456` for showing a stored passport.
pub fn passport_display(digits: &str) -> String {
    if digits.len() == 10 {
        format!("{} {}", &digits[..4], &digits[4..])
    } else {
        digits.to_string()
    }
}

/// Phone in any common formatting → E.164. Russian numbers by default (`8…`, `7…`, ten digits
/// starting with 9); others must come with `+` and a country code.
pub fn phone(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return Err("err.phone_format");
    }
    let plus = t.starts_with('+');
    if t.matches('+').count() > usize::from(plus) {
        return Err("err.phone_format");
    }
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let e164 = match (plus, digits.len()) {
        (false, 11) if digits.starts_with('8') || digits.starts_with('7') => {
            format!("+7{}", &digits[1..])
        }
        (false, 10) => format!("+7{digits}"),
        (true, 11) if digits.starts_with('7') => format!("+{digits}"),
        (true, 11..=15) if !digits.starts_with('7') => format!("+{digits}"),
        _ => return Err("err.phone_format"),
    };
    Ok(e164)
}

/// `+7 924 811-16-71` for showing a stored Russian phone; others as stored.
pub fn phone_display(e164: &str) -> String {
    if e164.len() == 12 && e164.starts_with("+7") {
        let d = &e164[2..];
        format!("+7 {} {}-{}-{}", &d[..3], &d[3..6], &d[6..8], &d[8..])
    } else {
        e164.to_string()
    }
}

/// Names: letters (Cyrillic or Latin), hyphen, apostrophe (also ʼ and ’), inner spaces.
pub fn name(input: &str, required: bool) -> Result<String, &'static str> {
    let t = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return if required { Err("err.required") } else { Ok(t) };
    }
    if t.chars().count() > 60 {
        return Err("err.too_long");
    }
    let ok_char =
        |c: char| c.is_alphabetic() || c == '-' || c == '\'' || c == 'ʼ' || c == '’' || c == ' ';
    if !t.chars().all(ok_char) {
        return Err("err.name_chars");
    }
    let first = t.chars().next().unwrap_or(' ');
    let last = t.chars().last().unwrap_or(' ');
    if !first.is_alphabetic() || !last.is_alphabetic() {
        return Err("err.name_chars");
    }
    Ok(t)
}

/// A date as ISO `2026-11-23` or as Russians write it, `23.11.2026`.
pub fn date(input: &str) -> Result<NaiveDate, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .map_err(|_| "err.date_format")
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// Birth date of an applicant: aged 18 to 100 on the application date.
pub fn birth_date(input: &str, on: NaiveDate) -> Result<NaiveDate, &'static str> {
    let d = date(input)?;
    if d > on {
        return Err("err.date_future");
    }
    let age = age_on(d, on);
    if !(18..=100).contains(&age) {
        return Err("err.age_range");
    }
    Ok(d)
}

/// Money typed into a field; empty means zero when the field is optional.
pub fn money(input: &str, required: bool) -> Result<Money, &'static str> {
    if input.trim().is_empty() && !required {
        return Ok(Money::ZERO);
    }
    Money::parse(input).map_err(|e| e.key())
}

pub fn email(input: &str) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let mut parts = t.split('@');
    let (user, host) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if parts.next().is_some()
        || user.is_empty()
        || !host.contains('.')
        || host.starts_with('.')
        || host.ends_with('.')
        || t.contains(' ')
    {
        return Err("err.email_format");
    }
    Ok(t.to_string())
}

/// Free text: trimmed, at most `max` characters.
pub fn text(input: &str, required: bool, max: usize) -> Result<String, &'static str> {
    let t = input.trim();
    if t.is_empty() && required {
        return Err("err.required");
    }
    if t.chars().count() > max {
        return Err("err.too_long");
    }
    Ok(t.to_string())
}

pub fn whole_number(input: &str) -> Result<u32, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    t.parse::<u32>().map_err(|_| "err.whole_number")
}

/// Lower-case, ё→е, for search: the same folding on both sides of every comparison.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn passports() {
        assert_eq!(passport("4509 123456"), Ok("4509123456".into()));
        assert_eq!(passport("45 09 123456"), Ok("4509123456".into()));
        assert_eq!(passport("4509 12345"), Err("err.passport_format"));
        assert_eq!(passport("45O9 123456"), Err("err.passport_format"));
        assert_eq!(passport(""), Err("err.required"));
        assert_eq!(passport_display("4509123456"), "4509 123456");
    }

    #[test]
    fn phones_in_any_formatting() {
        for p in [
            "8 (924) 811-16-71",
            "+79248111671",
            "89248111671",
            "9248111671",
            "+7 924 811 16 71",
        ] {
            assert_eq!(phone(p), Ok("+79248111671".into()), "{p}");
        }
        assert_eq!(phone("+380 44 123 45 67"), Ok("+380441234567".into()));
        assert_eq!(phone("12345"), Err("err.phone_format"));
        assert_eq!(phone("8-924-811-16-7x"), Err("err.phone_format"));
        assert_eq!(phone("++79248111671"), Err("err.phone_format"));
        assert_eq!(phone_display("+79248111671"), "+7 924 811-16-71");
    }

    #[test]
    fn names() {
        assert_eq!(name("  Иванов-Петров ", true), Ok("Иванов-Петров".into()));
        assert_eq!(name("Д'Артаньян", true), Ok("Д'Артаньян".into()));
        assert_eq!(name("Григорʼєв", true), Ok("Григорʼєв".into()));
        assert_eq!(name("Anna  Maria", true), Ok("Anna Maria".into()));
        assert_eq!(name("Иванов1", true), Err("err.name_chars"));
        assert_eq!(name("-Иванов", true), Err("err.name_chars"));
        assert_eq!(name("", true), Err("err.required"));
        assert_eq!(name("", false), Ok(String::new()));
    }

    #[test]
    fn birth_dates_bound_the_age() {
        let on = d("2026-11-23");
        assert_eq!(birth_date("23.11.2008", on), Ok(d("2008-11-23")));
        assert_eq!(birth_date("24.11.2008", on), Err("err.age_range"));
        assert_eq!(birth_date("1926-11-23", on), Ok(d("1926-11-23")));
        assert_eq!(birth_date("1925-11-22", on), Err("err.age_range"));
        assert_eq!(birth_date("2027-01-01", on), Err("err.date_future"));
        assert_eq!(birth_date("31.02.1990", on), Err("err.date_format"));
    }

    #[test]
    fn emails_and_numbers() {
        assert_eq!(email(""), Ok(String::new()));
        assert_eq!(email("a@b.ru"), Ok("a@b.ru".into()));
        assert_eq!(email("a@b"), Err("err.email_format"));
        assert_eq!(whole_number("12"), Ok(12));
        assert_eq!(whole_number("-1"), Err("err.whole_number"));
    }

    #[test]
    fn folding_for_search() {
        assert_eq!(fold("Ёлкин СЕМЁН"), "елкин семен");
    }
}
