//! The demo's sales rating: monthly plans for every manager over the last year, sales of savings
//! and services recorded at the desk by the managers themselves (the loans' sales come from the
//! issued applications), the heads' monthly scores, and the managers' calls and meetings of the
//! last days. With `--sales N --managers M` also a cooperative at scale for `coopdesk bench`:
//! M more managers and N sales over the last two years.

use super::DEMO_PASSWORD;
use crate::domain::rating::{Scores, Ukp, month_start};
use crate::domain::{Money, Role};
use crate::rules::Rules;
use crate::store::rating::SaleInput;
use crate::store::staff::hash_password;
use crate::store::{Store, StoreError};
use chrono::{Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

/// A small seeded generator (splitmix64), its own stream apart from the demo's.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `minute` minutes after 08:00 of `d`.
fn at(d: NaiveDate, minute: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(8 + minute / 60, minute % 60, 0).expect("office hours"))
}

/// Plans, desk sales of savings and services, scores and contacts for the demo's managers.
pub fn populate(
    store: &mut Store,
    rules: &Rules,
    today: NaiveDate,
    seed: u64,
) -> Result<(), StoreError> {
    let mut g = Gen(seed ^ 0x5A1E_5000);
    let staff = store.staff()?;
    let managers: Vec<i64> = staff
        .iter()
        .filter(|s| s.roles.contains(&Role::Manager))
        .map(|s| s.id)
        .collect();
    let head = staff
        .iter()
        .find(|s| s.roles.contains(&Role::Head))
        .map(|s| s.id);
    let this_month = month_start(today);
    let first = this_month - Months::new(11);
    let mut plans = Vec::new();
    let mut m = first;
    while m <= this_month {
        for id in &managers {
            // 10–25 УКП, in halves.
            plans.push((m, *id, Ukp((20 + g.below(31) as i64) * 50)));
        }
        m = m + Months::new(1);
    }
    store.demo_plans(&plans, at(first, 0))?;

    // Savings and services, by each manager for members, on working days of the last year.
    let members = store.current_member_nos()?;
    let products: Vec<&crate::domain::product::Product> = rules
        .products
        .iter()
        .filter(|p| p.kind != crate::domain::product::ProductKind::Loan)
        .collect();
    if !members.is_empty() && !products.is_empty() {
        let mut d = first;
        // Up to yesterday: the demo's day has not begun.
        while d < today {
            if rules.calendar.is_working(d) {
                for id in &managers {
                    if g.below(100) < 35 {
                        let actor = store.actor(*id)?;
                        let p = products[g.below(products.len() as u64) as usize];
                        let step = Decimal::from(1000);
                        let lo = (p.min_amount.decimal() / step).ceil();
                        let hi = (p.max_amount.decimal() / step)
                            .floor()
                            .min(lo + Decimal::from(300));
                        let span = u64::try_from((hi - lo).trunc().mantissa()).unwrap_or(0) + 1;
                        let amount = (lo + Decimal::from(g.below(span))) * step;
                        let input = SaleInput {
                            manager_id: *id,
                            member_no: members[g.below(members.len() as u64) as usize].clone(),
                            product: p.code.clone(),
                            amount: amount.to_string(),
                            date: d,
                        };
                        store.record_sale(
                            &actor,
                            &input,
                            rules,
                            at(d, 60 + g.below(400) as u32),
                        )?;
                    }
                }
            }
            d += Duration::days(1);
        }
    }

    // The head's scores for the months before this one.
    if let Some(head) = head {
        let actor = store.actor(head)?;
        let mut m = first;
        while m < this_month {
            for id in &managers {
                let mut s = || 5 + g.below(6) as u8;
                let scores = Scores {
                    quality: s(),
                    activity: s(),
                    discipline: s(),
                    time: s(),
                };
                store.set_scores(&actor, *id, m, scores, at(m + Months::new(1), 30))?;
            }
            m = m + Months::new(1);
        }
    }

    // Calls and meetings of the last two weeks, up to this morning (before 09:00).
    let minute = |g: &mut Gen, d: NaiveDate| {
        if d == today {
            g.below(59) as u32
        } else {
            60 + g.below(480) as u32
        }
    };
    let mut contacts = Vec::new();
    let mut d = today - Duration::days(14);
    while d <= today {
        if rules.calendar.is_working(d) {
            for id in &managers {
                for _ in 0..g.below(9) {
                    contacts.push((*id, at(d, minute(&mut g, d)), "call"));
                }
                for _ in 0..g.below(3) {
                    contacts.push((*id, at(d, minute(&mut g, d)), "meeting"));
                }
            }
        }
        d += Duration::days(1);
    }
    store.demo_contacts(&contacts)
}

/// `--sales N --managers M`: a cooperative at scale for `coopdesk bench --only rating`.
/// Returns false when it was built before (the managers are there).
pub fn scale(
    store: &mut Store,
    rules: &Rules,
    today: NaiveDate,
    sales: usize,
    managers: usize,
    seed: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<bool, StoreError> {
    if managers == 0 && sales == 0 {
        return Ok(true);
    }
    let offices = store.offices()?;
    if offices.is_empty() {
        return Ok(false);
    }
    let mut ids: Vec<i64> = store
        .staff()?
        .iter()
        .filter(|s| s.roles.contains(&Role::Manager))
        .map(|s| s.id)
        .collect();
    if store.sellers()?.iter().any(|s| s.login == "m0001") {
        return Ok(false);
    }
    store.set_build_mode(true)?;
    let hash = hash_password(DEMO_PASSWORD)?;
    let founded = at(today - Duration::days(800), 0);
    for i in 1..=managers {
        let o = &offices[i % offices.len()];
        let id = store.add_staff(
            "demo",
            &format!("m{i:04}"),
            &format!("Менеджер {i:04}"),
            &o.code,
            &[Role::Manager],
            &hash,
            founded,
        )?;
        ids.push(id);
        progress(i as u64, (managers + sales) as u64);
    }
    let mut g = Gen(seed ^ 0xB16_5A1E5);
    // Two years of working days, up to today.
    let start = month_start(today) - Months::new(23);
    let days: Vec<NaiveDate> = start
        .iter_days()
        .take_while(|d| *d <= today)
        .filter(|d| rules.calendar.is_working(*d))
        .collect();
    // Plans near what a manager sells in a month (about 1.2 УКП an item), 80–130 % of it.
    let months = 24;
    let per_month = (sales as u64 * 120 / 100 / months / ids.len().max(1) as u64).max(10);
    let mut plans = Vec::new();
    let mut m = start;
    while m <= today {
        for id in &ids {
            let p = per_month * (80 + g.below(51)) / 100;
            plans.push((m, *id, Ukp(p as i64 * 100)));
        }
        m = m + Months::new(1);
    }
    store.demo_plans(&plans, founded)?;
    let products: Vec<(String, Ukp, Money)> = rules
        .products
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                Ukp::from_decimal(p.ukp).unwrap_or_default(),
                p.min_amount.max(Money::from_rubles(1000)),
            )
        })
        .collect();
    // Sales in chunks of 100 000 per transaction, dates in order.
    let chunk = 100_000;
    let mut done = 0;
    while done < sales {
        let n = chunk.min(sales - done);
        let rows: Vec<_> = (0..n)
            .map(|k| {
                let i = done + k;
                let d = days[i * days.len() / sales.max(1)];
                let m = ids[g.below(ids.len() as u64) as usize];
                let (code, ukp, amount) = &products[g.below(products.len() as u64) as usize];
                (d, m, code.clone(), None, *amount, *ukp)
            })
            .collect();
        store.demo_sales(rows.into_iter(), "demo", at(today, 0))?;
        done += n;
        progress((managers + done) as u64, (managers + sales) as u64);
    }
    store.set_build_mode(false)?;
    Ok(true)
}

/// The command's part: build the scale data into the demo database just made (or found).
pub fn run_scale(
    ctx: &crate::cli::Context,
    sales: usize,
    managers: usize,
    seed: u64,
) -> Result<(), crate::cli::Failure> {
    if sales == 0 && managers == 0 {
        return Ok(());
    }
    let cat = &ctx.catalog;
    let fail = |e: StoreError| crate::cli::Failure::from_store(e, cat);
    let mut store = ctx.open_existing_store()?;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: u64, total: u64| {
        if tty {
            bar.get_or_insert_with(|| indicatif::ProgressBar::new(total))
                .set_position(done);
        }
    };
    let built = scale(
        &mut store,
        &ctx.rules,
        ctx.today,
        sales,
        managers,
        seed,
        &mut progress,
    )
    .map_err(fail)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let key = if built {
        "rating.demo_scale_built"
    } else {
        "rating.demo_scale_exists"
    };
    println!(
        "{}",
        cat.f(
            key,
            &[
                ("sales", &sales.to_string()),
                ("managers", &managers.to_string())
            ]
        )
    );
    Ok(())
}
