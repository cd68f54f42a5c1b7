//! Client-base norms (DOMAIN §6): a manager's tenure, the size and make-up their base must keep,
//! which clients are black-listed or due for unassignment, and whether a change may be made.
//! Pure: the rules come from `assets/rules/client_base.toml`, the facts from the store, the
//! business date is a parameter.

use crate::domain::money::Money;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Potential {
    S,
    A,
    B,
    C,
}

impl Potential {
    pub const ALL: [Potential; 4] = [Potential::S, Potential::A, Potential::B, Potential::C];

    pub fn code(self) -> &'static str {
        match self {
            Potential::S => "S",
            Potential::A => "A",
            Potential::B => "B",
            Potential::C => "C",
        }
    }

    pub fn parse(s: &str) -> Option<Potential> {
        Potential::ALL.into_iter().find(|p| p.code() == s.trim())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tenure {
    Trainee,
    Novice,
    Experienced,
    Veteran,
}

impl Tenure {
    pub const ALL: [Tenure; 4] = [
        Tenure::Trainee,
        Tenure::Novice,
        Tenure::Experienced,
        Tenure::Veteran,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Tenure::Trainee => "trainee",
            Tenure::Novice => "novice",
            Tenure::Experienced => "experienced",
            Tenure::Veteran => "veteran",
        }
    }
}

/// Least and most units a base may hold; `None`: not set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SizeRange {
    pub min: Option<u32>,
    pub max: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RampStep {
    pub after_months: u32,
    pub min: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoviceNorm {
    pub max: Option<u32>,
    /// In order of `after_months`.
    pub ramp: Vec<RampStep>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlackList {
    /// Turnover under `amount` in each of the last `months` complete months.
    EachMonthBelow { months: u32, amount: Money },
    /// Turnover in the previous month under the amount for the client's potential.
    PreviousMonthByPotential(BTreeMap<Potential, Money>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonCorePhase {
    pub from: NaiveDate,
    /// Whether non-core clients may still be attached.
    pub attach: bool,
    /// How many non-core units the base may hold; `None`: no cap in this phase.
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NonCore {
    Max(u32),
    /// In date order; before the first phase there is no limit.
    Phases(Vec<NonCorePhase>),
}

/// The non-core limit in force on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonCoreLimit {
    pub attach: bool,
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outside {
    /// Allowed when the head judges the potential fully realised: a notice, never a breach.
    Judged,
    /// Allowed only for these client groups.
    Groups(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Territory {
    City(Outside),
    Assigned,
    Any,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Specialization {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub short_ru: String,
    pub short_en: String,
    pub veteran: SizeRange,
    pub experienced: SizeRange,
    pub novice: NoviceNorm,
    /// Percent.
    pub paying_share: Decimal,
    pub cold_calls_novice: Option<u32>,
    pub black_list: BlackList,
    pub groups: Vec<String>,
    pub groups_allowed: Vec<String>,
    pub limited: Vec<(String, u32)>,
    pub groups_forbidden: Vec<String>,
    pub non_core: NonCore,
    pub territory: Territory,
    pub potential: Vec<Potential>,
}

impl Specialization {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name_ru
        }
    }

    pub fn short(&self, lang: &str) -> &str {
        if lang == "en" && !self.short_en.is_empty() {
            &self.short_en
        } else {
            &self.short_ru
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientGroup {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HeadNorms {
    pub office_head_meetings: u32,
    pub department_head_meetings: u32,
    /// Percent of the group lead's own base.
    pub group_lead_own_base_share: Decimal,
    pub group_lead_team_meetings: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClientBaseRules {
    pub paying_threshold: Money,
    pub novice_months: u32,
    pub experienced_months: u32,
    pub idle_months: u32,
    pub respecialised_months: u32,
    pub departed_months: u32,
    /// Percent of the base (veterans and experienced).
    pub meetings_base_share: Decimal,
    pub meetings_novice_min: u32,
    pub heads: HeadNorms,
    pub groups: Vec<ClientGroup>,
    pub specializations: Vec<Specialization>,
}

impl ClientBaseRules {
    /// A client group as typed for a member: empty, or one of the codes of the rules file.
    pub fn check_group(&self, code: &str) -> Result<(), String> {
        let code = code.trim();
        if code.is_empty() || self.group(code).is_some() {
            Ok(())
        } else {
            Err(self
                .groups
                .iter()
                .map(|g| g.code.as_str())
                .collect::<Vec<_>>()
                .join(", "))
        }
    }

    pub fn specialization(&self, code: &str) -> Option<&Specialization> {
        self.specializations.iter().find(|s| s.code == code)
    }

    pub fn group(&self, code: &str) -> Option<&ClientGroup> {
        self.groups.iter().find(|g| g.code == code)
    }
}

/// `date` plus `n` calendar months (the 31st becomes the month's last day when needed).
pub fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day of the month `date` is in.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

/// The first day of the month `n` months before the month of `date`.
pub fn months_back(date: NaiveDate, n: u32) -> NaiveDate {
    month_of(date)
        .checked_sub_months(Months::new(n))
        .unwrap_or(NaiveDate::MIN)
}

/// Tenure on `date`. A trainee is a flag; otherwise counted from the day the person became a
/// novice (rules file, `[tenure]`). [decision] A manager with no novice date recorded is taken
/// as established (veteran): bases imported from the accounting system often lack it; a date
/// in the future means not yet a novice (trainee).
pub fn tenure(
    rules: &ClientBaseRules,
    trainee: bool,
    novice_since: Option<NaiveDate>,
    date: NaiveDate,
) -> Tenure {
    if trainee {
        return Tenure::Trainee;
    }
    let Some(since) = novice_since else {
        return Tenure::Veteran;
    };
    if date < since {
        Tenure::Trainee
    } else if date <= add_months(since, rules.novice_months) {
        Tenure::Novice
    } else if date <= add_months(since, rules.experienced_months) {
        Tenure::Experienced
    } else {
        Tenure::Veteran
    }
}

/// The size a base must keep on `date`.
pub fn size_norm(
    spec: &Specialization,
    tenure: Tenure,
    novice_since: Option<NaiveDate>,
    date: NaiveDate,
) -> SizeRange {
    match tenure {
        Tenure::Veteran => spec.veteran,
        Tenure::Experienced => spec.experienced,
        Tenure::Trainee => SizeRange {
            min: None,
            max: spec.novice.max,
        },
        Tenure::Novice => {
            let min = novice_since.and_then(|since| {
                spec.novice
                    .ramp
                    .iter()
                    .filter(|s| date >= add_months(since, s.after_months))
                    .map(|s| s.min)
                    .next_back()
            });
            SizeRange {
                min,
                max: spec.novice.max,
            }
        }
    }
}

/// The non-core limit in force on `date`.
pub fn non_core_limit(spec: &Specialization, date: NaiveDate) -> NonCoreLimit {
    match &spec.non_core {
        NonCore::Max(m) => NonCoreLimit {
            attach: *m > 0,
            max: Some(*m),
        },
        NonCore::Phases(phases) => phases
            .iter()
            .filter(|p| p.from <= date)
            .map(|p| NonCoreLimit {
                attach: p.attach && p.max != Some(0),
                max: p.max,
            })
            .next_back()
            .unwrap_or(NonCoreLimit {
                attach: true,
                max: None,
            }),
    }
}

/// How a client group fits a specialisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    Core,
    /// Held up to `max` units of this group.
    Limited {
        max: u32,
    },
    NonCore,
    Forbidden,
    /// The client has no group recorded.
    Unknown,
}

pub fn fit(spec: &Specialization, group: &str) -> Fit {
    let has = |list: &[String]| list.iter().any(|g| g == group);
    if group.is_empty() {
        Fit::Unknown
    } else if has(&spec.groups_forbidden) {
        Fit::Forbidden
    } else if has(&spec.groups) || has(&spec.groups_allowed) {
        Fit::Core
    } else if let Some((_, max)) = spec.limited.iter().find(|(g, _)| g == group) {
        Fit::Limited { max: *max }
    } else {
        Fit::NonCore
    }
}

/// What the store knows about one client of a base.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientFacts {
    pub id: i64,
    /// The related group (rule 2); empty: the client is a unit by itself.
    pub related_group: String,
    pub potential: Option<Potential>,
    pub group: String,
    pub territory: String,
    /// Turnover by month (first day of the month), any months; missing months are zero.
    pub turnover: BTreeMap<NaiveDate, Money>,
    pub overdue: Money,
    /// When the client was attached to its current manager; `None`: long before any rule.
    pub assigned_since: Option<NaiveDate>,
}

impl ClientFacts {
    /// The key by which the base counts units.
    pub fn unit(&self) -> String {
        if self.related_group.is_empty() {
            format!("#{}", self.id)
        } else {
            format!("g:{}", self.related_group)
        }
    }

    pub fn turnover_in(&self, month: NaiveDate) -> Money {
        self.turnover.get(&month).copied().unwrap_or(Money::ZERO)
    }
}

/// What the store knows about a manager on the business date.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerFacts {
    pub specialization: String,
    pub trainee: bool,
    pub novice_since: Option<NaiveDate>,
    pub dismissed_on: Option<NaiveDate>,
    pub specialization_changed_on: Option<NaiveDate>,
    /// The office's city (territory rule `city`).
    pub city: String,
    /// The manager's own territories (territory rule `assigned`).
    pub territories: Vec<String>,
    /// Meetings outside the office and cold calls this month.
    pub meetings: u32,
    pub cold_calls: u32,
}

/// Where a client stands against the territory rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Inside,
    /// Outside, allowed when the head judges it so.
    OutsideJudged,
    /// Outside, and the rule does not allow it.
    OutsideBreach,
}

/// A client's flags in a manager's base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFlags {
    pub fit: Fit,
    pub black_list: bool,
    pub due_unassign: bool,
    pub place: Place,
    pub off_target_potential: bool,
    pub paying: bool,
}

/// A unit's turnover in a month: the sum over its members.
fn unit_turnover(members: &[&ClientFacts], month: NaiveDate) -> Decimal {
    members.iter().map(|c| c.turnover_in(month).decimal()).sum()
}

fn same_place(a: &str, b: &str) -> bool {
    a.trim().to_lowercase().replace('ё', "е") == b.trim().to_lowercase().replace('ё', "е")
}

pub fn place(spec: &Specialization, manager: &ManagerFacts, client: &ClientFacts) -> Place {
    if client.territory.trim().is_empty() {
        return Place::Inside;
    }
    match &spec.territory {
        Territory::Any => Place::Inside,
        Territory::Assigned => {
            if manager
                .territories
                .iter()
                .any(|t| same_place(t, &client.territory))
            {
                Place::Inside
            } else {
                Place::OutsideBreach
            }
        }
        Territory::City(outside) => {
            if same_place(&manager.city, &client.territory) {
                Place::Inside
            } else {
                match outside {
                    Outside::Judged => Place::OutsideJudged,
                    Outside::Groups(g) if g.contains(&client.group) => Place::OutsideJudged,
                    Outside::Groups(_) => Place::OutsideBreach,
                }
            }
        }
    }
}

/// Whether a unit (all its members) is black-listed on `date` (complete months only).
pub fn black_listed(
    spec: &Specialization,
    members: &[&ClientFacts],
    potential: Option<Potential>,
    date: NaiveDate,
) -> bool {
    match &spec.black_list {
        BlackList::EachMonthBelow { months, amount } => {
            *months > 0
                && (1..=*months)
                    .all(|n| unit_turnover(members, months_back(date, n)) < amount.decimal())
        }
        BlackList::PreviousMonthByPotential(limits) => potential
            .and_then(|p| limits.get(&p))
            .is_some_and(|limit| unit_turnover(members, months_back(date, 1)) < limit.decimal()),
    }
}

/// Whether a unit is due for automatic unassignment on `date` (rule 4).
pub fn due_unassign(rules: &ClientBaseRules, members: &[&ClientFacts], date: NaiveDate) -> bool {
    let n = rules.idle_months;
    let idle = (0..=n).all(|k| unit_turnover(members, months_back(date, k)) <= Decimal::ZERO);
    let no_debt = members.iter().all(|c| c.overdue <= Money::ZERO);
    let held_long = members
        .iter()
        .all(|c| c.assigned_since.is_none_or(|d| add_months(d, n) <= date));
    n > 0 && idle && no_debt && held_long
}

/// The highest potential in a unit (a group is as valuable as its best payer).
fn unit_potential(members: &[&ClientFacts]) -> Option<Potential> {
    members.iter().filter_map(|c| c.potential).min()
}

/// One broken norm of a base.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    SizeBelowMin {
        size: u32,
        min: u32,
    },
    SizeAboveMax {
        size: u32,
        max: u32,
    },
    /// Shares in percent, rounded to a tenth.
    PayingShareLow {
        share: Decimal,
        min: Decimal,
    },
    NonCoreOver {
        count: u32,
        max: u32,
    },
    Forbidden {
        count: u32,
    },
    LimitedOver {
        group: String,
        count: u32,
        max: u32,
    },
    MeetingsLow {
        count: u32,
        min: u32,
    },
    ColdCallsLow {
        count: u32,
        min: u32,
    },
    OutsideTerritory {
        count: u32,
    },
    /// The base of a dismissed or re-specialised manager was not moved by its deadline.
    ReassignOverdue {
        deadline: NaiveDate,
    },
}

impl Violation {
    /// A stable code for reports and the message catalog (`cb_violation.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            Violation::SizeBelowMin { .. } => "size_below_min",
            Violation::SizeAboveMax { .. } => "size_above_max",
            Violation::PayingShareLow { .. } => "paying_share_low",
            Violation::NonCoreOver { .. } => "non_core_over",
            Violation::Forbidden { .. } => "forbidden_group",
            Violation::LimitedOver { .. } => "limited_over",
            Violation::MeetingsLow { .. } => "meetings_low",
            Violation::ColdCallsLow { .. } => "cold_calls_low",
            Violation::OutsideTerritory { .. } => "outside_territory",
            Violation::ReassignOverdue { .. } => "reassign_overdue",
        }
    }

    /// The values the words of the violation name, for the catalog.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Violation::SizeBelowMin { size, min } => {
                vec![("size", size.to_string()), ("min", min.to_string())]
            }
            Violation::SizeAboveMax { size, max } => {
                vec![("size", size.to_string()), ("max", max.to_string())]
            }
            Violation::PayingShareLow { share, min } => {
                vec![("share", share.to_string()), ("min", min.to_string())]
            }
            Violation::NonCoreOver { count, max } => {
                vec![("count", count.to_string()), ("max", max.to_string())]
            }
            Violation::Forbidden { count } | Violation::OutsideTerritory { count } => {
                vec![("count", count.to_string())]
            }
            Violation::LimitedOver { group, count, max } => vec![
                ("group", group.clone()),
                ("count", count.to_string()),
                ("max", max.to_string()),
            ],
            Violation::MeetingsLow { count, min } | Violation::ColdCallsLow { count, min } => {
                vec![("count", count.to_string()), ("min", min.to_string())]
            }
            Violation::ReassignOverdue { deadline } => {
                vec![("deadline", deadline.format("%d.%m.%Y").to_string())]
            }
        }
    }
}

/// Why a base is waiting to be moved, and by when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReassignReason {
    Departed,
    Respecialised,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reassign {
    pub reason: ReassignReason,
    pub since: NaiveDate,
    pub deadline: NaiveDate,
    pub overdue: bool,
}

/// A manager's base against the norms on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseReport {
    pub tenure: Tenure,
    /// Units (related groups counted once).
    pub size: u32,
    pub norm: SizeRange,
    /// Paying units in the last complete month, and their share of the base in percent.
    pub paying: u32,
    pub paying_share: Decimal,
    pub non_core: u32,
    pub non_core_limit: NonCoreLimit,
    pub meetings_min: Option<u32>,
    pub cold_calls_min: Option<u32>,
    pub reassign: Option<Reassign>,
    /// Flags for each client, in the order given.
    pub clients: Vec<(i64, ClientFlags)>,
    pub violations: Vec<Violation>,
}

/// When a manager's base must be moved by: dismissal (rule 6) or the latest change of
/// specialisation (rule 5), whichever is on record by `date`. Whether anything still waits
/// depends on the base (see [`evaluate`]).
pub fn reassign(
    rules: &ClientBaseRules,
    manager: &ManagerFacts,
    date: NaiveDate,
) -> Option<Reassign> {
    let make = |reason, since: NaiveDate, months| {
        let deadline = add_months(since, months);
        Reassign {
            reason,
            since,
            deadline,
            overdue: date > deadline,
        }
    };
    if let Some(d) = manager.dismissed_on.filter(|d| *d <= date) {
        return Some(make(ReassignReason::Departed, d, rules.departed_months));
    }
    manager
        .specialization_changed_on
        .filter(|d| *d <= date)
        .map(|d| make(ReassignReason::Respecialised, d, rules.respecialised_months))
}

/// Percent, rounded half away from zero to a tenth; zero of zero is zero.
pub fn percent(part: u32, whole: u32) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Evaluate a manager's base on `date`. `None` when the manager has no known specialisation.
pub fn evaluate(
    rules: &ClientBaseRules,
    manager: &ManagerFacts,
    clients: &[ClientFacts],
    date: NaiveDate,
) -> Option<BaseReport> {
    let spec = rules.specialization(&manager.specialization)?;
    let tenure = tenure(rules, manager.trainee, manager.novice_since, date);
    let norm = size_norm(spec, tenure, manager.novice_since, date);
    let limit = non_core_limit(spec, date);

    // Units: related groups counted once.
    let mut units: BTreeMap<String, Vec<&ClientFacts>> = BTreeMap::new();
    for c in clients {
        units.entry(c.unit()).or_default().push(c);
    }
    let size = units.len() as u32;
    let last_month = months_back(date, 1);

    let mut unit_flags: BTreeMap<String, (bool, bool, bool)> = BTreeMap::new();
    let mut paying = 0;
    for (key, members) in &units {
        let is_paying = unit_turnover(members, last_month) > rules.paying_threshold.decimal();
        paying += u32::from(is_paying);
        let black = black_listed(spec, members, unit_potential(members), date);
        let due = due_unassign(rules, members, date);
        unit_flags.insert(key.clone(), (black, due, is_paying));
    }

    // Group fit is counted per unit: a unit is non-core (or forbidden) when any member is.
    let mut non_core_units = BTreeMap::<String, ()>::new();
    let mut forbidden_units = BTreeMap::<String, ()>::new();
    let mut limited_units: BTreeMap<String, BTreeMap<String, ()>> = BTreeMap::new();
    let mut outside_units = BTreeMap::<String, ()>::new();
    let mut flags = Vec::with_capacity(clients.len());
    for c in clients {
        let f = fit(spec, &c.group);
        let key = c.unit();
        match &f {
            Fit::NonCore => {
                non_core_units.insert(key.clone(), ());
            }
            Fit::Forbidden => {
                forbidden_units.insert(key.clone(), ());
            }
            Fit::Limited { .. } => {
                limited_units
                    .entry(c.group.clone())
                    .or_default()
                    .insert(key.clone(), ());
            }
            Fit::Core | Fit::Unknown => {}
        }
        let pl = place(spec, manager, c);
        if pl == Place::OutsideBreach {
            outside_units.insert(key.clone(), ());
        }
        let (black, due, is_paying) = unit_flags[&key];
        flags.push((
            c.id,
            ClientFlags {
                fit: f,
                black_list: black,
                due_unassign: due,
                place: pl,
                off_target_potential: c.potential.is_some_and(|p| !spec.potential.contains(&p)),
                paying: is_paying,
            },
        ));
    }

    let mut violations = Vec::new();
    if let Some(min) = norm.min.filter(|m| size < *m) {
        violations.push(Violation::SizeBelowMin { size, min });
    }
    if let Some(max) = norm.max.filter(|m| size > *m) {
        violations.push(Violation::SizeAboveMax { size, max });
    }
    let share = percent(paying, size);
    if size > 0 && share < spec.paying_share {
        violations.push(Violation::PayingShareLow {
            share,
            min: spec.paying_share,
        });
    }
    let non_core = non_core_units.len() as u32;
    if let Some(max) = limit.max.filter(|m| non_core > *m) {
        violations.push(Violation::NonCoreOver {
            count: non_core,
            max,
        });
    }
    if !forbidden_units.is_empty() {
        violations.push(Violation::Forbidden {
            count: forbidden_units.len() as u32,
        });
    }
    for (group, max) in &spec.limited {
        let count = limited_units.get(group).map_or(0, |u| u.len() as u32);
        if count > *max {
            violations.push(Violation::LimitedOver {
                group: group.clone(),
                count,
                max: *max,
            });
        }
    }
    let meetings_min = match tenure {
        Tenure::Veteran | Tenure::Experienced => Some(
            (Decimal::from(size) * rules.meetings_base_share / Decimal::ONE_HUNDRED)
                .ceil()
                .try_into()
                .unwrap_or(u32::MAX),
        ),
        Tenure::Novice => Some(rules.meetings_novice_min),
        Tenure::Trainee => None,
    };
    if let Some(min) = meetings_min.filter(|m| manager.meetings < *m) {
        violations.push(Violation::MeetingsLow {
            count: manager.meetings,
            min,
        });
    }
    let cold_calls_min = match tenure {
        Tenure::Novice => spec.cold_calls_novice,
        _ => None,
    };
    if let Some(min) = cold_calls_min.filter(|m| manager.cold_calls < *m) {
        violations.push(Violation::ColdCallsLow {
            count: manager.cold_calls,
            min,
        });
    }
    if !outside_units.is_empty() {
        violations.push(Violation::OutsideTerritory {
            count: outside_units.len() as u32,
        });
    }
    // A departed manager's whole base waits; after a change of specialisation only the clients
    // that no longer fit it (non-core or forbidden) do.
    let misfits = non_core_units.len() + forbidden_units.len();
    let reassign = reassign(rules, manager, date).filter(|r| match r.reason {
        ReassignReason::Departed => size > 0,
        ReassignReason::Respecialised => misfits > 0,
    });
    if let Some(r) = reassign.filter(|r| r.overdue) {
        violations.push(Violation::ReassignOverdue {
            deadline: r.deadline,
        });
    }
    Some(BaseReport {
        tenure,
        size,
        norm,
        paying,
        paying_share: share,
        non_core,
        non_core_limit: limit,
        meetings_min,
        cold_calls_min,
        reassign,
        clients: flags,
        violations,
    })
}

/// Why a change of assignment is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No named manager (rule 1), or the person is not a sales manager.
    Impersonal,
    /// The manager has left.
    Dismissed,
    /// The base would exceed its maximum (rule 3); a director may approve it explicitly.
    OverMax {
        after: u32,
        max: u32,
    },
    Forbidden {
        group: String,
    },
    /// Non-core clients may no longer be attached.
    NonCoreClosed,
    NonCoreOver {
        after: u32,
        max: u32,
    },
    LimitedOver {
        group: String,
        after: u32,
        max: u32,
    },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Impersonal => "impersonal",
            Refusal::Dismissed => "dismissed",
            Refusal::OverMax { .. } => "over_max",
            Refusal::Forbidden { .. } => "forbidden_group",
            Refusal::NonCoreClosed => "non_core_closed",
            Refusal::NonCoreOver { .. } => "non_core_over",
            Refusal::LimitedOver { .. } => "limited_over",
        }
    }

    /// Whether the sales director may approve the change anyway (recorded as such).
    pub fn overridable(&self) -> bool {
        matches!(self, Refusal::OverMax { .. })
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Refusal::Impersonal | Refusal::Dismissed | Refusal::NonCoreClosed => vec![],
            Refusal::OverMax { after, max } | Refusal::NonCoreOver { after, max } => {
                vec![("after", after.to_string()), ("max", max.to_string())]
            }
            Refusal::Forbidden { group } => vec![("group", group.clone())],
            Refusal::LimitedOver { group, after, max } => vec![
                ("group", group.clone()),
                ("after", after.to_string()),
                ("max", max.to_string()),
            ],
        }
    }
}

/// Whether the clients `moving` may be attached to a manager whose base is `current` on `date`.
/// `target` is `None` for the pool (detaching is always allowed). Every refusal is returned, so
/// the words can name them all; an empty list means the change may be made.
pub fn check_attach(
    rules: &ClientBaseRules,
    target: Option<&ManagerFacts>,
    current: &[ClientFacts],
    moving: &[ClientFacts],
    date: NaiveDate,
) -> Vec<Refusal> {
    let Some(manager) = target else {
        return Vec::new();
    };
    let Some(spec) = rules.specialization(&manager.specialization) else {
        return vec![Refusal::Impersonal];
    };
    if manager.dismissed_on.is_some_and(|d| d <= date) {
        return vec![Refusal::Dismissed];
    }
    let mut refusals = Vec::new();
    let units = |list: &mut dyn Iterator<Item = &ClientFacts>| -> BTreeMap<String, ()> {
        list.map(|c| (c.unit(), ())).collect()
    };
    let before = units(&mut current.iter());
    let after = units(&mut current.iter().chain(moving.iter()));
    let tenure = tenure(rules, manager.trainee, manager.novice_since, date);
    let norm = size_norm(spec, tenure, manager.novice_since, date);
    let after_size = after.len() as u32;
    if let Some(max) = norm
        .max
        .filter(|m| after_size > *m && after.len() > before.len())
    {
        refusals.push(Refusal::OverMax {
            after: after_size,
            max,
        });
    }
    for c in moving {
        if fit(spec, &c.group) == Fit::Forbidden {
            let r = Refusal::Forbidden {
                group: c.group.clone(),
            };
            if !refusals.contains(&r) {
                refusals.push(r);
            }
        }
    }
    let non_core_units = |list: &mut dyn Iterator<Item = &ClientFacts>| -> u32 {
        list.filter(|c| fit(spec, &c.group) == Fit::NonCore)
            .map(|c| (c.unit(), ()))
            .collect::<BTreeMap<_, _>>()
            .len() as u32
    };
    let adds_non_core = non_core_units(&mut moving.iter()) > 0;
    if adds_non_core {
        let limit = non_core_limit(spec, date);
        let after_nc = non_core_units(&mut current.iter().chain(moving.iter()));
        if let Some(max) = limit.max.filter(|m| after_nc > *m) {
            refusals.push(Refusal::NonCoreOver {
                after: after_nc,
                max,
            });
        } else if !limit.attach {
            refusals.push(Refusal::NonCoreClosed);
        }
    }
    for (group, max) in &spec.limited {
        if moving.iter().any(|c| c.group == *group) {
            let count = current
                .iter()
                .chain(moving.iter())
                .filter(|c| c.group == *group)
                .map(|c| (c.unit(), ()))
                .collect::<BTreeMap<_, _>>()
                .len() as u32;
            if count > *max {
                refusals.push(Refusal::LimitedOver {
                    group: group.clone(),
                    after: count,
                    max: *max,
                });
            }
        }
    }
    refusals
}

#[cfg(test)]
mod tests;
