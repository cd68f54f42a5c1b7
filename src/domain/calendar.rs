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
        let mut total = 0;
        let mut day = from.date();
        while day <= to.date() {
            if self.is_working(day) {
                let start = if day == from.date() {
                    from
                } else {
                    day.and_hms_opt(0, 0, 0).expect("midnight")
                };
                let end = if day == to.date() {
                    to
                } else {
                    (day + Duration::days(1))
                        .and_hms_opt(0, 0, 0)
                        .expect("midnight")
                };
                total += (end - start).num_seconds();
            }
            day += Duration::days(1);
        }
        total
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
