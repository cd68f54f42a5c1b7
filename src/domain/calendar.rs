//! Working time: Monday to Friday minus listed holidays, plus listed working Saturdays.
//! Time limits on the queue are counted in working days, so a weekend never makes an
//! application "late".

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days declared working (transferred days).
    pub working_weekends: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working(&self, d: NaiveDate) -> bool {
        if self.working_weekends.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// Seconds of working days between two moments (whole calendar days that are working days
    /// count 24 hours). Zero when `to` is not after `from`.
    pub fn working_seconds(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (from.date(), to.date());
        let part = |day: NaiveDate, secs: i64| if self.is_working(day) { secs } else { 0 };
        if first == last {
            return part(first, (to - from).num_seconds());
        }
        let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
        // The rest of the first day, the start of the last, whole days between: worked out
        // by week and by listed day, not day by day (the queue counts this for every row it
        // draws, and an application may have waited for years).
        part(
            first,
            (midnight(first + Duration::days(1)) - from).num_seconds(),
        ) + part(last, (to - midnight(last)).num_seconds())
            + 86_400
                * self.working_days_between(first + Duration::days(1), last - Duration::days(1))
    }

    /// Working days from `first` to `last`, both included (zero when `last` is before
    /// `first`): the weekdays, less the holidays on weekdays, plus the weekend days declared
    /// working. A day both a holiday and declared working counts, as [`Calendar::is_working`]
    /// has it.
    pub fn working_days_between(&self, first: NaiveDate, last: NaiveDate) -> i64 {
        if last < first {
            return 0;
        }
        let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let days = (last - first).num_days() + 1;
        let start = i64::from(first.weekday().num_days_from_monday());
        // Monday to Friday in whole weeks, then in the days left over from `first`'s weekday.
        let weekdays = days / 7 * 5 + (0..days % 7).filter(|k| (start + k) % 7 < 5).count() as i64;
        let off = self
            .holidays
            .range(first..=last)
            .filter(|d| !weekend(d) && !self.working_weekends.contains(d))
            .count() as i64;
        let on = self
            .working_weekends
            .range(first..=last)
            .filter(|d| weekend(d))
            .count() as i64;
        weekdays - off + on
    }

    /// Working days in a month and how many of them have passed up to and including `on`.
    pub fn working_days_in_month(&self, on: NaiveDate) -> (u32, u32) {
        let first = on.with_day(1).expect("first of month");
        let mut d = first;
        let (mut all, mut elapsed) = (0, 0);
        while d.month() == first.month() {
            if self.is_working(d) {
                all += 1;
                if d <= on {
                    elapsed += 1;
                }
            }
            d += Duration::days(1);
        }
        (all, elapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekends_do_not_count() {
        let c = Calendar::default();
        // Friday 18:00 → Monday 09:00: 6 h of Friday + 9 h of Monday.
        assert_eq!(
            c.working_seconds(dt("2026-11-20 18:00"), dt("2026-11-23 09:00")),
            15 * 3600
        );
    }

    #[test]
    fn holidays_do_not_count_and_transferred_days_do() {
        let mut c = Calendar::default();
        c.holidays
            .insert(NaiveDate::from_ymd_opt(2026, 11, 4).unwrap());
        assert_eq!(
            c.working_seconds(dt("2026-11-03 12:00"), dt("2026-11-05 12:00")),
            24 * 3600
        );
        c.working_weekends
            .insert(NaiveDate::from_ymd_opt(2026, 11, 7).unwrap());
        assert!(c.is_working(NaiveDate::from_ymd_opt(2026, 11, 7).unwrap()));
    }

    /// The definition, day by day: what the arithmetic must agree with.
    fn working_seconds_day_by_day(c: &Calendar, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        let mut total = 0;
        let mut day = from.date();
        while from < to && day <= to.date() {
            if c.is_working(day) {
                let start = from.max(day.and_time(chrono::NaiveTime::MIN));
                let end = to.min((day + Duration::days(1)).and_time(chrono::NaiveTime::MIN));
                total += (end - start).num_seconds();
            }
            day += Duration::days(1);
        }
        total
    }

    proptest::proptest! {
        #[test]
        fn working_time_by_week_is_working_time_by_day(
            start in 0i64..3_000,
            from_secs in 0i64..86_400,
            length in 0i64..(800 * 86_400),
            holidays in proptest::collection::vec(0i64..900, 0..40),
            working in proptest::collection::vec(0i64..900, 0..15),
        ) {
            let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let day = |n: i64| base + Duration::days(n);
            let c = Calendar {
                holidays: holidays.iter().map(|n| day(start + n)).collect(),
                working_weekends: working.iter().map(|n| day(start + n)).collect(),
            };
            let from = day(start).and_time(chrono::NaiveTime::MIN) + Duration::seconds(from_secs);
            let to = from + Duration::seconds(length);
            proptest::prop_assert_eq!(
                c.working_seconds(from, to),
                working_seconds_day_by_day(&c, from, to)
            );
            proptest::prop_assert_eq!(c.working_seconds(to, from), 0);
        }
    }

    #[test]
    fn backwards_is_zero() {
        let c = Calendar::default();
        assert_eq!(
            c.working_seconds(dt("2026-11-23 10:00"), dt("2026-11-23 09:00")),
            0
        );
    }

    #[test]
    fn month_days() {
        let c = Calendar::default();
        // November 2026: 21 weekdays; on the 23rd (a Monday) 16 have begun.
        assert_eq!(
            c.working_days_in_month(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            (21, 16)
        );
    }
}
