//! Members (DOMAIN §4, §7, §8): how a typed search is understood and folded, what a role may see
//! of a person's data, and what a clerk may type into a member's card (edits, calls, meetings,
//! comments, cash-desk actions). Pure: no clock, no database, no terminal.

use super::Role;
use super::money::Money;
use super::validate::{self as v, FieldError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Fold a name for search: lower case, `ё`→`е`, and the Ukrainian letters onto the Russian
/// keyboard's (`і ї`→`и`, `є`→`е`, `ґ`→`г`), apostrophes dropped. The same folding is applied to
/// what is stored and to what is typed, so «ЁЛКИН», «ёлкин» and «Елкин» are one word, and a
/// clerk with a Russian keyboard finds «Їжакевич» by typing «ижакевич».
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, '\'' | 'ʼ' | '’' | '`'))
        .map(|c| match c {
            'ё' => 'е',
            'і' | 'ї' => 'и',
            'є' => 'е',
            'ґ' => 'г',
            other => other,
        })
        .collect()
}

/// Only the digits of a string (phones, passports in any formatting).
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A search as typed, understood: name words, one run of digits, an application number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberQuery {
    /// Folded words with letters, in the order typed (at most [`MAX_WORDS`]).
    pub words: Vec<String>,
    /// All digits typed outside words, joined: «8 (924) 811-16» → `892481116`.
    pub digits: String,
    /// An application number as the journal shows it: `2026-000123`.
    pub application_no: Option<String>,
}

/// More words than a full name has add nothing but work.
pub const MAX_WORDS: usize = 4;

/// Phone fragments shorter than this match too many people to be useful.
pub const MIN_PHONE_DIGITS: usize = 4;

/// A substring (not a word prefix) must be at least this long.
pub const MIN_SUBSTRING: usize = 3;

impl MemberQuery {
    pub fn parse(typed: &str) -> MemberQuery {
        let mut q = MemberQuery::default();
        for token in typed.split_whitespace() {
            let has_letter = token.chars().any(char::is_alphabetic);
            if has_letter {
                let w: String = fold(token)
                    .chars()
                    .filter(|c| c.is_alphanumeric() || *c == '-')
                    .collect();
                let w = w.trim_matches('-').to_string();
                if !w.is_empty() && q.words.len() < MAX_WORDS {
                    q.words.push(w);
                }
                continue;
            }
            if is_application_no(token) {
                q.application_no = Some(token.to_string());
            }
            q.digits.push_str(&digits(token));
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.digits.is_empty()
    }

    /// The ways the typed digits may be written in a stored phone (`+7…` kept as `7…`): a
    /// leading trunk `8` is the country code `7` as well.
    pub fn phone_variants(&self) -> Vec<String> {
        let d = &self.digits;
        if d.len() < MIN_PHONE_DIGITS {
            return vec![];
        }
        let mut out = vec![d.clone()];
        if let Some(rest) = d.strip_prefix('8')
            && d.len() >= 7
        {
            out.push(format!("7{rest}"));
        }
        out
    }

    /// A member number as stored (six digits, zero-padded) when the digits could be one.
    pub fn member_no(&self) -> Option<String> {
        let d = self.digits.trim_start_matches('0');
        (!self.digits.is_empty() && d.len() <= 6).then(|| format!("{d:0>6}"))
    }
}

fn is_application_no(token: &str) -> bool {
    let mut parts = token.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(n), None) => {
            y.len() == 4
                && y.chars().all(|c| c.is_ascii_digit())
                && !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// The smallest string greater than every string starting with `prefix` (for an index range).
pub fn prefix_end(prefix: &str) -> String {
    let mut s = prefix.to_string();
    s.push(char::MAX);
    s
}

/// Member statuses (DOMAIN §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Candidate,
    Member,
    Left,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 3] = [
        MemberStatus::Candidate,
        MemberStatus::Member,
        MemberStatus::Left,
    ];
    pub fn code(self) -> &'static str {
        match self {
            MemberStatus::Candidate => "candidate",
            MemberStatus::Member => "member",
            MemberStatus::Left => "left",
        }
    }
    pub fn parse(s: &str) -> Option<MemberStatus> {
        MemberStatus::ALL.into_iter().find(|m| m.code() == s.trim())
    }
}

// ----- what a role may see -------------------------------------------------------------------

/// Whether these roles see a member's full personal data (passport, birth date, addresses,
/// phone) without revealing it; `allowed` comes from the configuration (`[privacy]`).
pub fn sees_personal_data(roles: &[Role], allowed: &[Role]) -> bool {
    roles.iter().any(|r| allowed.contains(r))
}

/// `+7 924 ***-**-71`: the operator code and the last two digits, enough to confirm a caller.
pub fn mask_phone(e164: &str) -> String {
    if e164.is_empty() {
        return String::new();
    }
    if e164.len() == 12 && e164.starts_with("+7") {
        let d = &e164[2..];
        return format!("+7 {} ***-**-{}", &d[..3], &d[8..]);
    }
    let n = e164.chars().count();
    e164.chars()
        .enumerate()
        .map(|(i, c)| if i >= 3 && i + 2 < n { '*' } else { c })
        .collect()
}

/// `**** ***456`: the last three digits only.
pub fn mask_passport(digits: &str) -> String {
    if digits.len() == 10 {
        format!("**** ***{}", &digits[7..])
    } else {
        "*".repeat(digits.len())
    }
}

/// `**.**.1975`: the year only.
pub fn mask_birth_date(d: NaiveDate) -> String {
    format!("**.**.{}", d.format("%Y"))
}

/// `г. Томск, ***`: the locality only (up to the first comma).
pub fn mask_address(a: &str) -> String {
    if a.trim().is_empty() {
        return String::new();
    }
    match a.split_once(',') {
        Some((place, _)) => format!("{place}, ***"),
        None => "***".to_string(),
    }
}

// ----- what a clerk types --------------------------------------------------------------------

/// The kinds of work with a member the timeline records (DOMAIN §4, `contacts.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactKind {
    Call,
    Meeting,
    Comment,
}

impl ContactKind {
    pub fn code(self) -> &'static str {
        match self {
            ContactKind::Call => "call",
            ContactKind::Meeting => "meeting",
            ContactKind::Comment => "comment",
        }
    }
}

/// Outcomes of a call (seed 000, seed 004).
pub const OUTCOMES: [&str; 5] = [
    "successful",
    "declined",
    "no_answer",
    "promise",
    "restructuring",
];

/// A call, meeting or comment as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// `in` / `out` (calls only).
    pub direction: String,
    /// One of [`OUTCOMES`] (calls only), or empty for meetings.
    pub outcome: String,
    /// `warm` / `cold` or empty.
    pub temperature: String,
    /// Minutes, or `m:ss`.
    pub duration: String,
    pub promise_date: String,
    pub promise_amount: String,
    pub comment: String,
}

/// A contact ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub kind: ContactKind,
    pub direction: String,
    pub outcome: String,
    pub temperature: String,
    pub duration_sec: u32,
    pub promise_date: Option<NaiveDate>,
    pub promise_amount: Option<Money>,
    pub comment: String,
}

fn duration(input: &str) -> Result<u32, &'static str> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(0);
    }
    let parse = |s: &str| s.trim().parse::<u32>().map_err(|_| "member.err_duration");
    match t.split_once(':') {
        Some((m, s)) => {
            let (m, s) = (parse(m)?, parse(s)?);
            if s >= 60 || m > 600 {
                return Err("member.err_duration");
            }
            Ok(m * 60 + s)
        }
        None => {
            let m = parse(t)?;
            if m > 600 {
                return Err("member.err_duration");
            }
            Ok(m * 60)
        }
    }
}

/// Validate a call, meeting or comment logged on `today`.
pub fn validate_contact(
    kind: ContactKind,
    input: &ContactInput,
    today: NaiveDate,
) -> Result<Contact, Vec<FieldError>> {
    let mut e = Vec::new();
    let comment = match v::text(&input.comment, kind == ContactKind::Comment, 1000) {
        Ok(c) => c,
        Err(r) => {
            e.push(FieldError::new("contact_comment", r));
            String::new()
        }
    };
    let (mut direction, mut outcome, mut promise_date, mut promise_amount) =
        (String::new(), String::new(), None, None);
    let mut duration_sec = 0;
    if kind == ContactKind::Call {
        direction = input.direction.trim().to_string();
        if !matches!(direction.as_str(), "in" | "out") {
            e.push(FieldError::new(
                "contact_direction",
                "member.err_choose_one",
            ));
        }
        outcome = input.outcome.trim().to_string();
        if !OUTCOMES.contains(&outcome.as_str()) {
            e.push(FieldError::new("contact_outcome", "member.err_choose_one"));
        }
        match duration(&input.duration) {
            Ok(d) => duration_sec = d,
            Err(r) => e.push(FieldError::new("contact_duration", r)),
        }
        if outcome == "promise" {
            match v::date(&input.promise_date) {
                Ok(d) if d < today => {
                    e.push(FieldError::new("promise_date", "member.err_date_past"))
                }
                Ok(d) => promise_date = Some(d),
                Err(r) => e.push(FieldError::new("promise_date", r)),
            }
            match v::money(&input.promise_amount, true) {
                Ok(m) if m == Money::ZERO => {
                    e.push(FieldError::new("promise_amount", "err.amount_zero"))
                }
                Ok(m) => promise_amount = Some(m),
                Err(r) => e.push(FieldError::new("promise_amount", r)),
            }
        }
    } else if kind == ContactKind::Meeting {
        match duration(&input.duration) {
            Ok(d) => duration_sec = d,
            Err(r) => e.push(FieldError::new("contact_duration", r)),
        }
    }
    let temperature = input.temperature.trim().to_string();
    if !matches!(temperature.as_str(), "" | "warm" | "cold") {
        e.push(FieldError::new(
            "contact_temperature",
            "member.err_choose_one",
        ));
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Contact {
        kind,
        direction,
        outcome,
        temperature,
        duration_sec,
        promise_date,
        promise_amount,
        comment,
    })
}

/// Field codes of the member edit form, in form order; each has a label `field.<code>`.
pub const EDIT_FIELDS: [&str; 13] = [
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "passport",
    "reg_address",
    "fact_address",
    "phone",
    "email",
    "potential",
    "client_group",
    "territory",
    "related_group",
];

/// A member's own data as typed in the edit form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberInput {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: String,
    pub passport: String,
    pub reg_address: String,
    pub fact_address: String,
    pub phone: String,
    pub email: String,
    pub potential: String,
    pub client_group: String,
    pub territory: String,
    pub related_group: String,
}

impl MemberInput {
    pub fn get(&self, f: &str) -> &str {
        match f {
            "last_name" => &self.last_name,
            "first_name" => &self.first_name,
            "patronymic" => &self.patronymic,
            "birth_date" => &self.birth_date,
            "passport" => &self.passport,
            "reg_address" => &self.reg_address,
            "fact_address" => &self.fact_address,
            "phone" => &self.phone,
            "email" => &self.email,
            "potential" => &self.potential,
            "client_group" => &self.client_group,
            "territory" => &self.territory,
            "related_group" => &self.related_group,
            _ => "",
        }
    }

    pub fn set(&mut self, f: &str, value: String) {
        let slot = match f {
            "last_name" => &mut self.last_name,
            "first_name" => &mut self.first_name,
            "patronymic" => &mut self.patronymic,
            "birth_date" => &mut self.birth_date,
            "passport" => &mut self.passport,
            "reg_address" => &mut self.reg_address,
            "fact_address" => &mut self.fact_address,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            "potential" => &mut self.potential,
            "client_group" => &mut self.client_group,
            "territory" => &mut self.territory,
            "related_group" => &mut self.related_group,
            _ => return,
        };
        *slot = value;
    }
}

/// A member's own data, validated (DOMAIN §8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberData {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: NaiveDate,
    pub passport: String,
    pub reg_address: String,
    pub fact_address: String,
    /// E.164, or empty when the accounting system has none.
    pub phone: String,
    pub email: String,
    pub potential: String,
    pub client_group: String,
    pub territory: String,
    pub related_group: String,
}

/// Validate a member's data on `today`. The phone may be empty for a member (the accounting
/// system does not always have one); everything else follows the application's rules.
pub fn validate_member(
    input: &MemberInput,
    today: NaiveDate,
) -> Result<MemberData, Vec<FieldError>> {
    let mut e = Vec::new();
    let mut take = |field: &'static str, r: Result<String, &'static str>| match r {
        Ok(s) => s,
        Err(reason) => {
            e.push(FieldError::new(field, reason));
            String::new()
        }
    };
    let last_name = take("last_name", v::name(&input.last_name, true));
    let first_name = take("first_name", v::name(&input.first_name, true));
    let patronymic = take("patronymic", v::name(&input.patronymic, false));
    let passport = take("passport", v::passport(&input.passport));
    let reg_address = take("reg_address", v::text(&input.reg_address, false, 300));
    let fact_address = take("fact_address", v::text(&input.fact_address, false, 300));
    let phone = if input.phone.trim().is_empty() {
        String::new()
    } else {
        take("phone", v::phone(&input.phone))
    };
    let email = take("email", v::email(&input.email));
    let potential = input.potential.trim().to_uppercase();
    let potential = take(
        "potential",
        if matches!(potential.as_str(), "" | "S" | "A" | "B" | "C") {
            Ok(potential)
        } else {
            Err("member.err_potential")
        },
    );
    let client_group = take("client_group", v::text(&input.client_group, false, 60));
    let territory = take("territory", v::text(&input.territory, false, 60));
    let related_group = take("related_group", v::text(&input.related_group, false, 60));
    let birth_date = match v::birth_date(&input.birth_date, today) {
        Ok(d) => Some(d),
        Err(r) => {
            e.push(FieldError::new("birth_date", r));
            None
        }
    };
    match birth_date {
        Some(birth_date) if e.is_empty() => Ok(MemberData {
            last_name,
            first_name,
            patronymic,
            birth_date,
            passport,
            reg_address,
            fact_address,
            phone,
            email,
            potential,
            client_group,
            territory,
            related_group,
        }),
        _ => Err(e),
    }
}

/// A voluntary share contribution as typed at the cash desk: a positive amount and the receipt.
pub fn validate_voluntary_share(
    amount: &str,
    receipt: &str,
) -> Result<(Money, String), Vec<FieldError>> {
    let mut e = Vec::new();
    let amount = match v::money(amount, true) {
        Ok(m) if m == Money::ZERO => {
            e.push(FieldError::new("share_amount", "err.amount_zero"));
            None
        }
        Ok(m) => Some(m),
        Err(r) => {
            e.push(FieldError::new("share_amount", r));
            None
        }
    };
    let receipt = match v::text(receipt, true, 40) {
        Ok(r) => r,
        Err(r) => {
            e.push(FieldError::new("receipt_no", r));
            String::new()
        }
    };
    match amount {
        Some(a) if e.is_empty() => Ok((a, receipt)),
        _ => Err(e),
    }
}

/// A member's exit as typed: the date (not in the future) and the reason.
pub fn validate_exit(
    date: &str,
    reason: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, String), Vec<FieldError>> {
    let mut e = Vec::new();
    let d = match v::date(date) {
        Ok(d) if d > today => {
            e.push(FieldError::new("exit_date", "err.date_future"));
            None
        }
        Ok(d) => Some(d),
        Err(r) => {
            e.push(FieldError::new("exit_date", r));
            None
        }
    };
    let reason = match v::text(reason, true, 300) {
        Ok(r) => r,
        Err(r) => {
            e.push(FieldError::new("exit_reason", r));
            String::new()
        }
    };
    match d {
        Some(d) if e.is_empty() => Ok((d, reason)),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn folding_cases_yo_and_ukrainian_letters() {
        for (typed, folded) in [
            ("ИВАНОВ", "иванов"),
            ("иванов", "иванов"),
            ("Ёлкин", "елкин"),
            ("ЁЛКИН", "елкин"),
            ("Іванченко", "иванченко"),
            ("Їжакевич", "ижакевич"),
            ("Єременко", "еременко"),
            ("Ґалаґан", "галаган"),
            ("Мар'яна", "маряна"),
            ("Марʼяна", "маряна"),
            ("Smith", "smith"),
        ] {
            assert_eq!(fold(typed), folded, "{typed}");
        }
    }

    #[test]
    fn queries_are_understood() {
        let q = MemberQuery::parse("  ИВАНОВ  пётр ");
        assert_eq!(q.words, vec!["иванов", "петр"]);
        assert!(q.digits.is_empty());
        let q = MemberQuery::parse("8 (924) 811-16-71");
        assert!(q.words.is_empty());
        assert_eq!(q.digits, "89248111671");
        assert_eq!(q.phone_variants(), vec!["89248111671", "79248111671"]);
        assert_eq!(
            MemberQuery::parse("+79248111671").phone_variants(),
            vec!["79248111671"]
        );
        assert_eq!(MemberQuery::parse("8111").phone_variants(), vec!["8111"]);
        assert!(MemberQuery::parse("811").phone_variants().is_empty());
        assert_eq!(MemberQuery::parse("4509 123456").digits, "4509123456");
        assert_eq!(
            MemberQuery::parse("123").member_no().as_deref(),
            Some("000123")
        );
        assert_eq!(
            MemberQuery::parse("000123").member_no().as_deref(),
            Some("000123")
        );
        assert_eq!(MemberQuery::parse("4509123456").member_no(), None);
        let q = MemberQuery::parse("2026-000123");
        assert_eq!(q.application_no.as_deref(), Some("2026-000123"));
        assert!(MemberQuery::parse("811-16-71").application_no.is_none());
        assert!(MemberQuery::parse("   ").is_empty());
        assert_eq!(MemberQuery::parse("a b c d e f").words.len(), MAX_WORDS);
        assert_eq!(
            MemberQuery::parse("Петров-Водкин").words,
            vec!["петров-водкин"]
        );
    }

    #[test]
    fn prefix_ranges_cover_the_prefix() {
        let end = prefix_end("ив");
        assert!("ив" < end.as_str());
        assert!("ивановский" < end.as_str());
        assert!("иж" > end.as_str());
    }

    #[test]
    fn masks_keep_only_what_confirms_a_person() {
        assert_eq!(mask_phone("+79248111671"), "+7 924 ***-**-71");
        assert_eq!(mask_phone(""), "");
        assert_eq!(mask_phone("+380441234567"), "+38********67");
        assert_eq!(mask_passport("4509123456"), "**** ***456");
        assert_eq!(mask_birth_date(d("1975-03-14")), "**.**.1975");
        assert_eq!(mask_address("г. Томск, ул. Ленина, 1"), "г. Томск, ***");
        assert_eq!(mask_address("Томск"), "***");
        assert_eq!(mask_address(""), "");
        assert!(sees_personal_data(
            &[Role::Head],
            &[Role::Head, Role::Inspector]
        ));
        assert!(!sees_personal_data(&[Role::Manager], &[Role::Head]));
        assert!(!sees_personal_data(&[], &[Role::Head]));
    }

    #[test]
    fn calls_meetings_comments() {
        let today = d("2026-11-23");
        let call = ContactInput {
            direction: "out".into(),
            outcome: "successful".into(),
            duration: "1:21".into(),
            comment: "договорились о встрече".into(),
            ..Default::default()
        };
        let c = validate_contact(ContactKind::Call, &call, today).unwrap();
        assert_eq!(c.duration_sec, 81);
        let mut bad = call.clone();
        bad.outcome = "maybe".into();
        bad.duration = "1:99".into();
        let e = validate_contact(ContactKind::Call, &bad, today).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["contact_outcome", "contact_duration"]);
        let mut promise = call.clone();
        promise.outcome = "promise".into();
        let e = validate_contact(ContactKind::Call, &promise, today).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        promise.promise_date = "30.11.2026".into();
        promise.promise_amount = "5000".into();
        let c = validate_contact(ContactKind::Call, &promise, today).unwrap();
        assert_eq!(c.promise_date, Some(d("2026-11-30")));
        promise.promise_date = "01.11.2026".into();
        assert_eq!(
            validate_contact(ContactKind::Call, &promise, today).unwrap_err()[0].reason,
            "member.err_date_past"
        );
        let e =
            validate_contact(ContactKind::Comment, &ContactInput::default(), today).unwrap_err();
        assert_eq!(e[0].field, "contact_comment");
        let m = validate_contact(
            ContactKind::Meeting,
            &ContactInput {
                duration: "45".into(),
                ..Default::default()
            },
            today,
        )
        .unwrap();
        assert_eq!(m.duration_sec, 45 * 60);
        assert!(m.direction.is_empty() && m.outcome.is_empty());
    }

    fn member_input() -> MemberInput {
        MemberInput {
            last_name: "Иванов".into(),
            first_name: "Пётр".into(),
            patronymic: "Сергеевич".into(),
            birth_date: "14.03.1975".into(),
            passport: "4509 123456".into(),
            reg_address: "г. Томск, ул. Ленина, 1".into(),
            phone: "8 (924) 811-16-71".into(),
            potential: "a".into(),
            ..Default::default()
        }
    }

    #[test]
    fn member_edits_follow_the_input_rules() {
        let today = d("2026-11-23");
        let m = validate_member(&member_input(), today).unwrap();
        assert_eq!(m.passport, "4509123456");
        assert_eq!(m.phone, "+79248111671");
        assert_eq!(m.potential, "A");
        let mut i = member_input();
        i.phone.clear();
        assert_eq!(validate_member(&i, today).unwrap().phone, "");
        let mut i = member_input();
        i.last_name = "Иванов2".into();
        i.passport = "4509 12345".into();
        i.birth_date = "14.03.2015".into();
        i.potential = "Z".into();
        let e = validate_member(&i, today).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["last_name", "passport", "potential", "birth_date"]
        );
    }

    #[test]
    fn cash_desk_inputs() {
        let today = d("2026-11-23");
        assert!(validate_voluntary_share("10000", "К-1").is_ok());
        assert_eq!(
            validate_voluntary_share("0", "").unwrap_err().len(),
            2,
            "zero and no receipt"
        );
        assert_eq!(
            validate_voluntary_share("-5", "К-1").unwrap_err()[0].field,
            "share_amount"
        );
        assert!(validate_exit("23.11.2026", "по заявлению", today).is_ok());
        let e = validate_exit("24.11.2026", "", today).unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
