//! The rating's rules at every edge: КП bands, score bands, the forecast on the working
//! calendar (holidays, month ends), ranking with ties, no plan, the bonus.

use super::*;
use crate::rules::Rules;
use std::str::FromStr;

fn rules() -> RatingRules {
    Rules::builtin().rating
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn u(s: &str) -> Ukp {
    Ukp::parse(s).unwrap()
}

/// КП for `pct` % of a plan of 100 УКП (done has hundredths, so 49.99 % is 49.99 УКП).
fn kp_at(pct: &str) -> Decimal {
    rules().kp(u(pct), u("100")).unwrap()
}

#[test]
fn kp_bands_at_every_edge() {
    for (pct, kp) in [
        ("0", "0.6"),
        ("49.99", "0.6"),
        ("50", "0.8"),
        ("50.01", "0.8"),
        ("69.99", "0.8"),
        ("70", "0.9"),
        ("89.99", "0.9"),
        ("90", "0.95"),
        ("99.99", "0.95"),
        ("100", "1"),
        ("130", "1"),
        ("1000", "1"),
    ] {
        assert_eq!(kp_at(pct), d(kp), "{pct} %");
    }
}

#[test]
fn kp_is_decided_on_the_exact_ratio_not_a_rounded_one() {
    let r = rules();
    // 29.99 of 30 is 99.9666… %: shown as 99.96, КП 0.95.
    let pct = pct_of_plan(u("29.99"), u("30")).unwrap();
    assert_eq!(fmt_pct(pct), "99.96");
    assert_eq!(r.kp(u("29.99"), u("30")), Some(d("0.95")));
    // 2 of 3 is 66.66…% (0.8); 2.1 of 3 is exactly 70 % (0.9).
    assert_eq!(r.kp(u("2"), u("3")), Some(d("0.8")));
    assert_eq!(r.kp(u("2.1"), u("3")), Some(d("0.9")));
    // 99.995 % would round to 100.00 but is shown truncated: never "100.00" at КП 0.95.
    let pct = pct_of_plan(u("199.99"), u("200")).unwrap();
    assert_eq!(fmt_pct(pct), "99.99");
    assert_eq!(r.kp(u("199.99"), u("200")), Some(d("0.95")));
}

#[test]
fn no_plan_has_no_percentage_and_no_kp() {
    let r = rules();
    assert_eq!(r.kp(u("12"), Ukp::ZERO), None);
    assert_eq!(pct_of_plan(u("12"), Ukp::ZERO), None);
    assert_eq!(
        forecast_pct(&Calendar::default(), u("12"), Ukp::ZERO, day(2026, 11, 23)),
        None
    );
}

#[test]
fn score_bands_for_every_score() {
    let r = rules();
    let want = [
        (1, "0.8"),
        (2, "0.8"),
        (3, "0.85"),
        (4, "0.85"),
        (5, "0.9"),
        (6, "0.9"),
        (7, "0.95"),
        (8, "0.95"),
        (9, "1"),
        (10, "1"),
    ];
    for (s, c) in want {
        assert_eq!(r.score_coefficient(s), Some(d(c)), "score {s}");
    }
    assert_eq!(r.score_coefficient(0), None);
    assert_eq!(r.score_coefficient(11), None);
}

#[test]
fn scores_are_typed_as_whole_numbers_one_to_ten() {
    assert_eq!(parse_score(" 7 "), Ok(7));
    assert_eq!(parse_score("10"), Ok(10));
    assert_eq!(parse_score(""), Err("err.required"));
    for bad in ["0", "11", "7.5", "-1", "x"] {
        assert_eq!(parse_score(bad), Err("rating.err.score_range"), "{bad}");
    }
}

#[test]
fn ukp_is_exact_to_the_hundredth() {
    assert_eq!(u("40").centi(), 4000);
    assert_eq!(u("12,5").centi(), 1250);
    assert_eq!(u("0.05").to_string(), "0.05");
    assert_eq!(Ukp(123456).to_string(), "1234.56");
    assert_eq!(Ukp::parse("1.005"), Err("rating.err.ukp_format"));
    assert_eq!(Ukp::parse("-1"), Err("rating.err.ukp_format"));
    assert_eq!(Ukp::parse("1e3"), Err("rating.err.ukp_format"));
    assert_eq!(Ukp::parse(" "), Err("err.required"));
    assert_eq!(Ukp::from_decimal(d("1.5")), Some(Ukp(150)));
}

#[test]
fn bonus_is_base_times_all_coefficients_rounded_to_kopecks() {
    let r = rules();
    let base = Money::from_rubles(20000);
    let s = |q, a, dd, t| Scores {
        quality: q,
        activity: a,
        discipline: dd,
        time: t,
    };
    // 20000 × 1 × 1 × 1 × 1 × 1
    assert_eq!(r.bonus(base, d("1"), s(10, 9, 10, 9)), Some(base));
    // 20000 × КП 0.95 × 0.95 × 0.95 × 0.9 × 0.85 = 13 117.8375 → 13 117.84
    assert_eq!(
        r.bonus(base, d("0.95"), s(8, 7, 6, 3)).unwrap().plain(),
        "13117.84"
    );
    // 15 000.01 × 0.6 × 0.8⁴ = 3 686.4024… → 3 686.40
    assert_eq!(
        r.bonus(Money::from_kopecks(1_500_001), d("0.6"), s(1, 2, 1, 2))
            .unwrap()
            .plain(),
        "3686.40"
    );
    // 1 234.57 × 0.95 × 0.95 = 1114.199425 → 1114.20; half a kopeck (0.005) goes up.
    assert_eq!(
        r.bonus(Money::from_kopecks(123_457), d("0.95"), s(7, 10, 10, 10))
            .unwrap()
            .plain(),
        "1114.20"
    );
    assert_eq!(
        r.bonus(Money::from_kopecks(1), d("0.5"), s(10, 10, 10, 10))
            .unwrap()
            .plain(),
        "0.01"
    );
    assert_eq!(r.bonus(base, d("1"), s(0, 10, 10, 10)), None);
}

#[test]
fn forecast_counts_working_days_only() {
    let cal = Rules::builtin().calendar;
    // November 2026: 21 working days minus the 4th (a holiday) = 20; on Monday the 23rd,
    // 15 of them have begun (2,3,5,6,9–13,16–20,23).
    assert_eq!(cal.working_days_in_month(day(2026, 11, 23)), (20, 15));
    let f = forecast(&cal, u("30"), day(2026, 11, 23)).unwrap();
    assert_eq!(f, d("40"));
    assert_eq!(
        forecast_pct(&cal, u("30"), u("50"), day(2026, 11, 23)),
        Some(d("80"))
    );
    // On Saturday the 21st the week's five days have begun, no more: 14 of 20.
    assert_eq!(
        fmt_pct(forecast_pct(&cal, u("30"), u("40"), day(2026, 11, 21)).unwrap()),
        "107.14"
    );
    // On the holiday (the 4th) the elapsed days are the 2nd and 3rd.
    assert_eq!(forecast(&cal, u("3"), day(2026, 11, 4)), Some(d("30")));
}

#[test]
fn forecast_on_month_ends_and_holiday_starts() {
    let cal = Rules::builtin().calendar;
    // The last day: the forecast is what was done.
    assert_eq!(
        forecast(&cal, u("41.5"), day(2026, 11, 30)),
        Some(d("41.5"))
    );
    // 31 December 2026 is a holiday, the 30th the last working day: the same.
    assert_eq!(cal.working_days_in_month(day(2026, 12, 31)).0, 22);
    assert_eq!(forecast(&cal, u("10"), day(2026, 12, 31)), Some(d("10")));
    // 1–11 January 2027: holidays and a weekend; nothing to extrapolate from yet.
    for dd in [1, 2, 3, 8, 10] {
        assert_eq!(forecast(&cal, u("2"), day(2027, 1, dd)), None, "{dd}");
        assert_eq!(forecast_pct(&cal, u("2"), u("40"), day(2027, 1, dd)), None);
    }
    // The 11th is the first working day: one of 15 (January 2027: 21 weekdays − 6 holidays).
    assert_eq!(cal.working_days_in_month(day(2027, 1, 11)), (15, 1));
    assert_eq!(forecast(&cal, u("2"), day(2027, 1, 11)), Some(d("30")));
    // February 2027 ends on a Sunday; the 23rd is a holiday: 19 working days.
    assert_eq!(cal.working_days_in_month(day(2027, 2, 28)), (19, 19));
    assert_eq!(forecast(&cal, u("19"), day(2027, 2, 28)), Some(d("19")));
    // Thirds are not rounded before the percentage: 1 of 3 days, 1 УКП, plan 3 → 100 %.
    let mut c = Calendar::default();
    c.holidays.extend((4..=30).map(|dd| day(2026, 6, dd)));
    assert_eq!(c.working_days_in_month(day(2026, 6, 1)), (3, 1));
    assert_eq!(
        forecast_pct(&c, u("1"), u("3"), day(2026, 6, 1)),
        Some(d("100"))
    );
}

#[test]
fn previous_working_day_skips_weekends_and_holidays() {
    let cal = Rules::builtin().calendar;
    assert_eq!(
        previous_working_day(&cal, day(2026, 11, 23)),
        Some(day(2026, 11, 20))
    );
    assert_eq!(
        previous_working_day(&cal, day(2026, 11, 5)),
        Some(day(2026, 11, 3))
    );
    assert_eq!(
        previous_working_day(&cal, day(2027, 1, 11)),
        Some(day(2026, 12, 30))
    );
    // The month's first working day has nothing in the month to compare with.
    assert_eq!(comparison_day(&cal, day(2027, 1, 11)), None);
    assert_eq!(comparison_day(&cal, day(2026, 11, 2)), None);
    assert_eq!(
        comparison_day(&cal, day(2026, 11, 23)),
        Some(day(2026, 11, 20))
    );
}

#[test]
fn months_are_parsed_and_bounded() {
    assert_eq!(parse_month("2026-11"), Ok(day(2026, 11, 1)));
    assert_eq!(parse_month("11.2026"), Ok(day(2026, 11, 1)));
    assert_eq!(parse_month("2026-13"), Err("rating.err.month_format"));
    assert_eq!(parse_month(""), Err("err.required"));
    assert_eq!(month_end(day(2028, 2, 10)), day(2028, 2, 29));
    assert_eq!(month_end(day(2026, 12, 31)), day(2026, 12, 31));
    assert_eq!(month_key(day(2026, 1, 5)), "2026-01");
}

fn e(done: &str, plan: &str) -> Entry {
    Entry {
        done: u(done),
        plan: if plan.is_empty() { Ukp::ZERO } else { u(plan) },
    }
}

#[test]
fn ties_share_a_rank_and_the_next_is_skipped() {
    let names = ["Д", "Г", "В", "Б", "А", "Е"];
    let rows = [
        e("20", "40"), // 50 %
        e("30", "30"), // 100 %
        e("15", "30"), // 50 %, fewer УКП than Д
        e("45", "45"), // 100 %, more УКП
        e("10", "5"),  // 200 %
        e("99", ""),   // no plan
    ];
    let (ranks, order) = rank(&rows, |i| names[i]);
    assert_eq!(
        ranks,
        vec![Some(4), Some(2), Some(4), Some(2), Some(1), None]
    );
    // Shown: 200 %; the two at 100 % (more УКП first); the two at 50 % (more УКП first); no plan.
    assert_eq!(order, vec![4, 3, 1, 0, 2, 5]);
}

#[test]
fn equal_percentages_and_equal_ukp_are_shown_by_name() {
    let names = ["Яковлев", "Абрамов", "Мухина"];
    let rows = [e("10", "20"), e("10", "20"), e("5", "10")];
    let (ranks, order) = rank(&rows, |i| names[i]);
    assert_eq!(ranks, vec![Some(1), Some(1), Some(1)]);
    assert_eq!(order, vec![1, 0, 2]);
}

#[test]
fn a_month_with_no_plan_at_all_ranks_nobody_and_divides_by_nothing() {
    let rows = [e("3", ""), e("5", ""), e("0", "")];
    let (ranks, order) = rank(&rows, |i| i);
    assert_eq!(ranks, vec![None, None, None]);
    assert_eq!(order, vec![1, 0, 2]);
    let cal = Rules::builtin().calendar;
    let (st, _) = standings(&rules(), &cal, day(2026, 11, 23), &rows, None, |i| i);
    for s in st {
        assert_eq!(
            (s.pct, s.kp, s.forecast_pct, s.rank),
            (None, None, None, None)
        );
        assert!(s.forecast.is_some(), "the УКП forecast needs no plan");
    }
}

#[test]
fn standings_carry_the_change_of_rank() {
    let cal = Rules::builtin().calendar;
    let now = [e("30", "40"), e("20", "40"), e("35", "40")];
    let before = [e("30", "40"), e("10", "40"), e("20", "40")];
    let (st, order) = standings(
        &rules(),
        &cal,
        day(2026, 11, 23),
        &now,
        Some(&before),
        |i| i,
    );
    assert_eq!(order, vec![2, 0, 1]);
    assert_eq!(st[2].rank, Some(1));
    assert_eq!(st[2].prev_rank, Some(2));
    assert_eq!(st[2].change(), Some(1));
    assert_eq!(st[0].change(), Some(-1));
    assert_eq!(st[1].change(), Some(0));
    assert_eq!(st[2].pct, Some(d("87.5")));
    assert_eq!(st[2].kp, Some(d("0.9")));
    // 35 ÷ 15 × 20 = 46.66… of 40 → 116.66… %
    assert_eq!(fmt_pct(st[2].forecast_pct.unwrap()), "116.66");
    let (st, _) = standings(&rules(), &cal, day(2026, 11, 23), &now, None, |i| i);
    assert_eq!(st[2].change(), None);
}
