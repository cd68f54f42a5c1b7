//! Amounts and dates the way Russian paperwork writes them: «сто одна тысяча рублей 00 копеек»,
//! «20» ноября 2026 г. Pure functions: the documents' templates call them as filters.
//!
//! The rules, stated once:
//! - a number is said in groups of three digits, largest first; a group of zeros is silent;
//! - the word after a group takes its case from the group's last two digits: 1 (but not 11) →
//!   singular (рубль, тысяча, миллион), 2–4 (but not 12–14) → genitive singular (рубля,
//!   тысячи, миллиона), everything else → genitive plural (рублей, тысяч, миллионов);
//! - тысяча and копейка are feminine (одна тысяча, две тысячи, одна копейка), the rest
//!   masculine (один рубль, два миллиона);
//! - kopecks are written in figures, two digits, with the word in its case (00 копеек,
//!   01 копейка, 21 копейка) — as cash orders and contracts write them.

use super::money::Money;
use chrono::{Datelike, NaiveDate};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gender {
    Masculine,
    Feminine,
}

/// The form of a word that goes with `n`: `plural(n, "рубль", "рубля", "рублей")`.
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (last2, last) = (n % 100, n % 10);
    if (11..=14).contains(&last2) {
        many
    } else if last == 1 {
        one
    } else if (2..=4).contains(&last) {
        few
    } else {
        many
    }
}

const UNITS_M: [&str; 10] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
];
const UNITS_F: [&str; 3] = ["", "одна", "две"];
const TEENS: [&str; 10] = [
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const TENS: [&str; 10] = [
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
];
const HUNDREDS: [&str; 10] = [
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
];

/// Words of 1..=999 (nothing for 0).
fn group(n: u64, gender: Gender, out: &mut Vec<&'static str>) {
    let (h, rest) = (n / 100, n % 100);
    if h > 0 {
        out.push(HUNDREDS[h as usize]);
    }
    if (10..20).contains(&rest) {
        out.push(TEENS[(rest - 10) as usize]);
        return;
    }
    let (t, u) = (rest / 10, rest % 10);
    if t > 0 {
        out.push(TENS[t as usize]);
    }
    if u > 0 {
        out.push(match (gender, u) {
            (Gender::Feminine, 1 | 2) => UNITS_F[u as usize],
            _ => UNITS_M[u as usize],
        });
    }
}

/// Scales above units: (size, gender, one, few, many).
const SCALES: [(u64, Gender, &str, &str, &str); 4] = [
    (
        1_000_000_000_000,
        Gender::Masculine,
        "триллион",
        "триллиона",
        "триллионов",
    ),
    (
        1_000_000_000,
        Gender::Masculine,
        "миллиард",
        "миллиарда",
        "миллиардов",
    ),
    (
        1_000_000,
        Gender::Masculine,
        "миллион",
        "миллиона",
        "миллионов",
    ),
    (1_000, Gender::Feminine, "тысяча", "тысячи", "тысяч"),
];

/// A whole number in words, lower case, the units in `gender`: `101000` → «сто одна тысяча».
pub fn number_in_words(n: u64, gender: Gender) -> String {
    if n == 0 {
        return "ноль".into();
    }
    let mut out: Vec<String> = Vec::new();
    let mut rest = n;
    for (size, g, one, few, many) in SCALES {
        let count = rest / size;
        rest %= size;
        if count == 0 {
            continue;
        }
        // More than 999 trillion is not money anyone lends; said as a number of trillions.
        if count > 999 {
            out.push(number_in_words(count, g));
        } else {
            let mut words = Vec::new();
            group(count, g, &mut words);
            out.push(words.join(" "));
        }
        out.push(plural(count, one, few, many).to_string());
    }
    let mut words = Vec::new();
    group(rest, gender, &mut words);
    if !words.is_empty() {
        out.push(words.join(" "));
    }
    out.join(" ")
}

/// An amount of money in words: «сто одна тысяча рублей 00 копеек».
pub fn money_in_words(m: Money) -> String {
    let k = m.kopecks().unsigned_abs();
    let (rub, kop) = (k / 100, k % 100);
    format!(
        "{} {} {kop:02} {}",
        number_in_words(rub, Gender::Masculine),
        plural(rub, "рубль", "рубля", "рублей"),
        plural(kop, "копейка", "копейки", "копеек")
    )
}

/// The first letter in upper case, as a sentence begins.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// «20» ноября 2026 г.
pub fn date_long(d: NaiveDate) -> String {
    format!(
        "«{:02}» {} {} г.",
        d.day(),
        MONTHS_GENITIVE[d.month0() as usize],
        d.year()
    )
}

/// 20.11.2026
pub fn date_short(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rub(r: i64) -> String {
        money_in_words(Money::from_rubles(r))
    }

    #[test]
    fn roubles_take_their_case_from_the_last_two_digits() {
        let cases = [
            (0, "ноль рублей 00 копеек"),
            (1, "один рубль 00 копеек"),
            (2, "два рубля 00 копеек"),
            (3, "три рубля 00 копеек"),
            (4, "четыре рубля 00 копеек"),
            (5, "пять рублей 00 копеек"),
            (10, "десять рублей 00 копеек"),
            (11, "одиннадцать рублей 00 копеек"),
            (12, "двенадцать рублей 00 копеек"),
            (13, "тринадцать рублей 00 копеек"),
            (14, "четырнадцать рублей 00 копеек"),
            (15, "пятнадцать рублей 00 копеек"),
            (20, "двадцать рублей 00 копеек"),
            (21, "двадцать один рубль 00 копеек"),
            (22, "двадцать два рубля 00 копеек"),
            (25, "двадцать пять рублей 00 копеек"),
            (100, "сто рублей 00 копеек"),
            (101, "сто один рубль 00 копеек"),
            (111, "сто одиннадцать рублей 00 копеек"),
            (112, "сто двенадцать рублей 00 копеек"),
            (999, "девятьсот девяносто девять рублей 00 копеек"),
        ];
        for (n, words) in cases {
            assert_eq!(rub(n), words, "{n}");
        }
    }

    #[test]
    fn thousands_are_feminine() {
        let cases = [
            (1_000, "одна тысяча рублей 00 копеек"),
            (2_000, "две тысячи рублей 00 копеек"),
            (4_000, "четыре тысячи рублей 00 копеек"),
            (5_000, "пять тысяч рублей 00 копеек"),
            (11_000, "одиннадцать тысяч рублей 00 копеек"),
            (12_000, "двенадцать тысяч рублей 00 копеек"),
            (21_000, "двадцать одна тысяча рублей 00 копеек"),
            (22_000, "двадцать две тысячи рублей 00 копеек"),
            (101_000, "сто одна тысяча рублей 00 копеек"),
            (101_001, "сто одна тысяча один рубль 00 копеек"),
            (150_000, "сто пятьдесят тысяч рублей 00 копеек"),
            (
                312_502,
                "триста двенадцать тысяч пятьсот два рубля 00 копеек",
            ),
        ];
        for (n, words) in cases {
            assert_eq!(rub(n), words, "{n}");
        }
    }

    #[test]
    fn millions_and_milliards_are_masculine() {
        let cases = [
            (1_000_000, "один миллион рублей 00 копеек"),
            (2_000_000, "два миллиона рублей 00 копеек"),
            (5_000_000, "пять миллионов рублей 00 копеек"),
            (1_001_000, "один миллион одна тысяча рублей 00 копеек"),
            (
                21_000_021,
                "двадцать один миллион двадцать один рубль 00 копеек",
            ),
            (1_000_000_000, "один миллиард рублей 00 копеек"),
            (1_000_000_000_000, "один триллион рублей 00 копеек"),
            (2_000_000_000, "два миллиарда рублей 00 копеек"),
            (
                12_345_678_901,
                "двенадцать миллиардов триста сорок пять миллионов шестьсот семьдесят восемь тысяч девятьсот один рубль 00 копеек",
            ),
        ];
        for (n, words) in cases {
            assert_eq!(rub(n), words, "{n}");
        }
    }

    #[test]
    fn kopecks_are_figures_with_the_word_in_its_case() {
        let cases = [
            (0, "ноль рублей 00 копеек"),
            (1, "ноль рублей 01 копейка"),
            (2, "ноль рублей 02 копейки"),
            (5, "ноль рублей 05 копеек"),
            (11, "ноль рублей 11 копеек"),
            (12, "ноль рублей 12 копеек"),
            (21, "ноль рублей 21 копейка"),
            (22, "ноль рублей 22 копейки"),
            (99, "ноль рублей 99 копеек"),
            (150_050, "одна тысяча пятьсот рублей 50 копеек"),
            (100_101, "одна тысяча один рубль 01 копейка"),
        ];
        for (k, words) in cases {
            assert_eq!(money_in_words(Money::from_kopecks(k)), words, "{k}");
        }
    }

    #[test]
    fn plural_forms_for_other_words() {
        let m = |n| plural(n, "месяц", "месяца", "месяцев");
        assert_eq!(
            [0, 1, 2, 5, 11, 12, 14, 21, 24, 36, 111, 121].map(m),
            [
                "месяцев",
                "месяц",
                "месяца",
                "месяцев",
                "месяцев",
                "месяцев",
                "месяцев",
                "месяц",
                "месяца",
                "месяцев",
                "месяцев",
                "месяц"
            ]
        );
        assert_eq!(number_in_words(12, Gender::Masculine), "двенадцать");
        assert_eq!(number_in_words(1, Gender::Feminine), "одна");
        assert_eq!(number_in_words(2, Gender::Feminine), "две");
    }

    #[test]
    fn dates_as_paperwork_writes_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(date_long(d), "«20» ноября 2026 г.");
        assert_eq!(
            date_long(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()),
            "«05» января 2027 г."
        );
        assert_eq!(date_short(d), "20.11.2026");
        assert_eq!(capitalise("сто рублей"), "Сто рублей");
        assert_eq!(capitalise(""), "");
    }
}
