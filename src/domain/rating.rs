//! The daily sales rating (DOMAIN §5): УКП, percentage of plan, КП and score coefficients,
//! the month-end forecast on the working calendar, ranking with ties, and the bonus.
//!
//! Pure: the date comes in as a parameter, figures come in from the store. УКП are kept as
//! integer hundredths ([`Ukp`]); percentages, coefficients and money are `Decimal`. Bands are
//! decided on the exact ratio (cross-multiplied), never on a rounded percentage; a percentage
//! is shown truncated to hundredths, so a figure on screen never reaches a band the exact
//! figure has not reached.

use super::Role;
use super::calendar::Calendar;
use super::money::Money;
use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;
use std::fmt;

/// УКП in hundredths of a unit (exact to the hundredth, summed as integers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ukp(pub i64);

impl Ukp {
    pub const ZERO: Ukp = Ukp(0);

    pub fn centi(self) -> i64 {
        self.0
    }

    pub fn decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// From a decimal with at most two places; `None` otherwise or when negative.
    pub fn from_decimal(d: Decimal) -> Option<Ukp> {
        if d.is_sign_negative() && !d.is_zero() {
            return None;
        }
        let c = d.checked_mul(Decimal::ONE_HUNDRED)?;
        if c != c.trunc() || c > Decimal::from(1_000_000_000_000i64) {
            return None;
        }
        Some(Ukp(i64::try_from(c.trunc()).ok()?))
    }

    /// What a person typed: `40`, `12,5`, `7.25`.
    pub fn parse(s: &str) -> Result<Ukp, &'static str> {
        let t: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if t.is_empty() {
            return Err("err.required");
        }
        if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.len() > 16 {
            return Err("rating.err.ukp_format");
        }
        let d: Decimal = t.parse().map_err(|_| "rating.err.ukp_format")?;
        Ukp::from_decimal(d).ok_or("rating.err.ukp_format")
    }
}

impl std::ops::Add for Ukp {
    type Output = Ukp;
    fn add(self, o: Ukp) -> Ukp {
        Ukp(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Ukp {
    fn add_assign(&mut self, o: Ukp) {
        self.0 += o.0;
    }
}

impl std::iter::Sum for Ukp {
    fn sum<I: Iterator<Item = Ukp>>(it: I) -> Ukp {
        Ukp(it.map(|u| u.0).sum())
    }
}

impl fmt::Display for Ukp {
    /// `12.50`: always two places.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        f.pad(&format!("{sign}{}.{:02}", a / 100, a % 100))
    }
}

/// A КП band: from this percentage of plan (inclusive) up to the next band's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanBand {
    pub from_pct: Decimal,
    pub coefficient: Decimal,
}

/// A band of the head's 1–10 score (КК, КА, КД, КВ), both ends inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreBand {
    pub from: u8,
    pub to: u8,
    pub coefficient: Decimal,
}

/// The base bonus of a position (a staff role).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BonusBase {
    pub role: Role,
    pub amount: Money,
}

/// `assets/rules/rating.toml`, validated (see `rules/rating.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatingRules {
    /// Highest `from_pct` first; the last band starts at 0.
    pub plan_bands: Vec<PlanBand>,
    /// Cover 1..=10, each score once.
    pub score_bands: Vec<ScoreBand>,
    /// In order: the first role a person holds gives their base.
    pub bonus_base: Vec<BonusBase>,
}

/// The four monthly scores a head gives a manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scores {
    /// КК: quality.
    pub quality: u8,
    /// КА: activity.
    pub activity: u8,
    /// КД: discipline.
    pub discipline: u8,
    /// КВ: time.
    pub time: u8,
}

impl Scores {
    pub fn all(self) -> [u8; 4] {
        [self.quality, self.activity, self.discipline, self.time]
    }
}

/// A score as typed: a whole number 1–10.
pub fn parse_score(s: &str) -> Result<u8, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    match t.parse::<u8>() {
        Ok(n) if (1..=10).contains(&n) => Ok(n),
        _ => Err("rating.err.score_range"),
    }
}

impl RatingRules {
    /// КП for what was done against the plan; `None` without a plan (plan 0 is no plan).
    pub fn kp(&self, done: Ukp, plan: Ukp) -> Option<Decimal> {
        if plan.0 <= 0 {
            return None;
        }
        // done / plan × 100 ≥ from  ⇔  done × 100 ≥ from × plan  (exact, no division)
        let lhs = Decimal::from(done.0) * Decimal::ONE_HUNDRED;
        self.plan_bands
            .iter()
            .find(|b| lhs >= b.from_pct * Decimal::from(plan.0))
            .map(|b| b.coefficient)
    }

    /// The coefficient of a 1–10 score; `None` outside 1–10.
    pub fn score_coefficient(&self, score: u8) -> Option<Decimal> {
        self.score_bands
            .iter()
            .find(|b| (b.from..=b.to).contains(&score))
            .map(|b| b.coefficient)
    }

    /// The base bonus of someone holding `roles`: the first listed role they hold.
    pub fn base_for(&self, roles: &[Role]) -> Option<Money> {
        self.bonus_base
            .iter()
            .find(|b| roles.contains(&b.role))
            .map(|b| b.amount)
    }

    /// bonus = base × КП × КК × КА × КД × КВ, exact in Decimal, rounded once at the end to
    /// kopecks, half away from zero.
    pub fn bonus(&self, base: Money, kp: Decimal, scores: Scores) -> Option<Money> {
        let mut x = base.decimal() * kp;
        for s in scores.all() {
            x *= self.score_coefficient(s)?;
        }
        Money::try_from_decimal(x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
            .ok()
    }
}

/// Percentage of plan, exact as far as Decimal goes; `None` without a plan.
pub fn pct_of_plan(done: Ukp, plan: Ukp) -> Option<Decimal> {
    (plan.0 > 0).then(|| Decimal::from(done.0) * Decimal::ONE_HUNDRED / Decimal::from(plan.0))
}

/// A percentage (or any figure) as shown: truncated toward zero to `dp` places.
pub fn shown(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::ToZero)
}

/// `87.50`: a percentage to two places, truncated.
pub fn fmt_pct(d: Decimal) -> String {
    format!("{:.2}", shown(d, 2))
}

/// The month-end forecast (DOMAIN §5 [decision]): УКП so far ÷ working days elapsed × working
/// days in the month, where "elapsed" counts the working days of the month up to and including
/// `on`. `None` while no working day of the month has begun (nothing to extrapolate from).
/// Returned as (numerator, denominator) over hundredths of a УКП, to be divided once.
fn forecast_parts(cal: &Calendar, done: Ukp, on: NaiveDate) -> Option<(Decimal, Decimal)> {
    let (all, elapsed) = cal.working_days_in_month(on);
    (elapsed > 0).then(|| {
        (
            Decimal::from(done.0) * Decimal::from(all),
            Decimal::from(elapsed),
        )
    })
}

/// The forecast of УКP at month end, in УКП (not rounded).
pub fn forecast(cal: &Calendar, done: Ukp, on: NaiveDate) -> Option<Decimal> {
    forecast_parts(cal, done, on).map(|(n, d)| n / d / Decimal::ONE_HUNDRED)
}

/// The forecast as a percentage of plan; `None` without a plan or before the first working day.
pub fn forecast_pct(cal: &Calendar, done: Ukp, plan: Ukp, on: NaiveDate) -> Option<Decimal> {
    if plan.0 <= 0 {
        return None;
    }
    forecast_parts(cal, done, on)
        .map(|(n, d)| n * Decimal::ONE_HUNDRED / (d * Decimal::from(plan.0)))
}

/// The working day before `on` (holidays and weekends skipped), looking back at most a year.
pub fn previous_working_day(cal: &Calendar, on: NaiveDate) -> Option<NaiveDate> {
    let mut d = on;
    for _ in 0..366 {
        d -= Duration::days(1);
        if cal.is_working(d) {
            return Some(d);
        }
    }
    None
}

/// The first day of `on`'s month.
pub fn month_start(on: NaiveDate) -> NaiveDate {
    on.with_day(1).expect("day 1 exists")
}

/// The last day of `on`'s month.
pub fn month_end(on: NaiveDate) -> NaiveDate {
    let first = month_start(on);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("dates far from the end of time");
    next - Duration::days(1)
}

/// `2026-11`: how months are written in files and the database.
pub fn month_key(on: NaiveDate) -> String {
    on.format("%Y-%m").to_string()
}

/// `2026-11` (or `11.2026`) as the first day of that month.
pub fn parse_month(s: &str) -> Result<NaiveDate, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("err.required");
    }
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("01.{t}"), "%d.%m.%Y"))
        .map_err(|_| "rating.err.month_format")
}

/// One row to rank: what was done and the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub done: Ukp,
    pub plan: Ukp,
}

/// Compare two rows by percentage of plan, exactly (`a.done/a.plan` vs `b.done/b.plan`).
fn cmp_pct(a: Entry, b: Entry) -> Ordering {
    (i128::from(a.done.0) * i128::from(b.plan.0))
        .cmp(&(i128::from(b.done.0) * i128::from(a.plan.0)))
}

/// The tie rule (README): rows are ranked by percentage of plan, highest first; rows with
/// exactly the same percentage share a rank and the next rank is skipped ("1, 2, 2, 4").
/// Rows without a plan are not ranked. Returns each row's rank (1-based) in input order, and
/// the order to show them: ranked rows by rank, then more УКП first, then by `name`; unranked
/// rows last, more УКП first, then by `name`.
pub fn rank<N: Ord>(rows: &[Entry], name: impl Fn(usize) -> N) -> (Vec<Option<u32>>, Vec<usize>) {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (rows[i], rows[j]);
        let (pa, pb) = (a.plan.0 > 0, b.plan.0 > 0);
        pb.cmp(&pa)
            .then_with(|| {
                if pa && pb {
                    cmp_pct(b, a)
                } else {
                    Ordering::Equal
                }
            })
            .then_with(|| b.done.cmp(&a.done))
            .then_with(|| name(i).cmp(&name(j)))
    });
    let mut ranks = vec![None; rows.len()];
    let mut prev: Option<(Entry, u32)> = None;
    for (pos, &i) in order.iter().enumerate() {
        let e = rows[i];
        if e.plan.0 <= 0 {
            continue;
        }
        let r = match prev {
            Some((p, r)) if cmp_pct(p, e) == Ordering::Equal => r,
            _ => pos as u32 + 1,
        };
        ranks[i] = Some(r);
        prev = Some((e, r));
    }
    (ranks, order)
}

/// Everything shown about one row on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub rank: Option<u32>,
    /// Rank on the previous working day of the same month (`None` on the month's first
    /// working day, or when the row had no rank then).
    pub prev_rank: Option<u32>,
    pub pct: Option<Decimal>,
    pub forecast: Option<Decimal>,
    pub forecast_pct: Option<Decimal>,
    pub kp: Option<Decimal>,
}

impl Standing {
    /// Places gained since the previous working day (positive: moved up).
    pub fn change(&self) -> Option<i64> {
        Some(i64::from(self.prev_rank?) - i64::from(self.rank?))
    }
}

/// Standings of rows on `on`: `now` is month-to-date through `on`, `before` month-to-date
/// through the previous working day (when that is in the same month). Returns the standings
/// in input order and the display order.
pub fn standings<N: Ord>(
    rules: &RatingRules,
    cal: &Calendar,
    on: NaiveDate,
    now: &[Entry],
    before: Option<&[Entry]>,
    name: impl Fn(usize) -> N + Copy,
) -> (Vec<Standing>, Vec<usize>) {
    let (ranks, order) = rank(now, name);
    let prev = before.map(|b| rank(b, name).0);
    let out = now
        .iter()
        .enumerate()
        .map(|(i, e)| Standing {
            rank: ranks[i],
            prev_rank: prev.as_ref().and_then(|p| p[i]),
            pct: pct_of_plan(e.done, e.plan),
            forecast: forecast(cal, e.done, on),
            forecast_pct: forecast_pct(cal, e.done, e.plan, on),
            kp: rules.kp(e.done, e.plan),
        })
        .collect();
    (out, order)
}

/// The previous working day if it is in the same month as `on` (then the change of rank is
/// meaningful: both are month-to-date of one month).
pub fn comparison_day(cal: &Calendar, on: NaiveDate) -> Option<NaiveDate> {
    previous_working_day(cal, on).filter(|d| d.year() == on.year() && d.month() == on.month())
}

pub mod report;

#[cfg(test)]
mod tests;
