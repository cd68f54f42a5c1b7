//! The demo's client base (DOMAIN §6): each credit manager gets a sales specialisation and a
//! tenure, clients get a client group, potential, territory and eight months of turnover,
//! bases are cut to about their norm (the rest goes to the pool), a few related groups, and
//! this month's meetings and cold calls — with enough breaches that the pane has something
//! to explain. Deterministic for a seed. Client groups are the codes of
//! `rules/client_base.toml` and territories are towns, whatever the member enrichment wrote.

use crate::domain::Role;
use crate::domain::client_base::{Tenure, months_back};
use crate::rules::Rules;
use crate::store::client_base::{By, ProfileChange};
use crate::store::{Store, StoreError, fmt_time};
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::params;

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Specialisations handed out in turn, and the tenure each manager is given.
const SPECS: [&str; 8] = [
    "universal",
    "territorial",
    "industrial",
    "universal",
    "panel_builders",
    "dealers",
    "universal",
    "chains",
];

/// Towns around the offices, for clients outside the city.
const OUTSIDE: [&str; 4] = ["Северск", "Бердск", "Ачинск", "Кожевниково"];

pub fn fill(
    store: &mut Store,
    rules: &Rules,
    seed: u64,
    today: NaiveDate,
    actor: &str,
) -> Result<(), StoreError> {
    let mut rng = Rng(seed ^ 0x00C1_1E47_BA5E);
    let cbr = &rules.client_base;
    let managers: Vec<(i64, String, String)> = {
        let mut stmt = store.conn().prepare(
            "SELECT s.id, s.login, o.city FROM staff s JOIN offices o ON o.id = s.office_id
             WHERE EXISTS (SELECT 1 FROM staff_roles r WHERE r.staff_id = s.id AND r.role = ?1)
             ORDER BY s.id",
        )?;
        stmt.query_map([Role::Manager.code()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let now = today.and_hms_opt(8, 0, 0).expect("8:00");
    let mut profiles = Vec::new();
    for (i, (id, login, city)) in managers.iter().enumerate() {
        let spec = SPECS[i % SPECS.len()];
        // Veterans mostly; a novice, an experienced manager and a trainee among them.
        let tenure = match i % 6 {
            1 => Tenure::Novice,
            3 => Tenure::Experienced,
            5 if i > 6 => Tenure::Trainee,
            _ => Tenure::Veteran,
        };
        let novice_since = match tenure {
            Tenure::Novice => today - Duration::days(100 + rng.below(60) as i64),
            Tenure::Experienced => today - Duration::days(240 + rng.below(90) as i64),
            _ => today - Duration::days(500 + rng.below(1500) as i64),
        };
        let territories = if spec == "territorial" {
            vec![city.clone(), OUTSIDE[i % OUTSIDE.len()].to_string()]
        } else {
            Vec::new()
        };
        store.set_staff_profile(
            By::Operator(actor),
            login,
            &ProfileChange {
                specialization: Some(Some(spec.to_string())),
                trainee: Some(tenure == Tenure::Trainee),
                novice_since: Some(Some(novice_since)),
                dismissed_on: None,
                territories: Some(territories),
            },
            cbr,
            today,
            now,
        )?;
        profiles.push((*id, spec, tenure, city.clone()));
    }
    // One manager left three weeks ago: the base waits for re-assignment (a month).
    if let Some((_, login, _)) = managers.get(4) {
        store.set_staff_profile(
            By::Operator(actor),
            login,
            &ProfileChange {
                dismissed_on: Some(Some(today - Duration::days(21))),
                ..Default::default()
            },
            cbr,
            today,
            now,
        )?;
    }

    let first_month = months_back(today, 8);
    store.write(|tx| {
        let members: Vec<(i64, Option<i64>, String, String)> = {
            let mut stmt = tx.prepare(
                "SELECT m.id, m.manager_id, o.city, m.status FROM members m JOIN offices o ON o.id = m.office_id
                 ORDER BY m.id",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut kept: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
        let mut group_no = 0;
        let mut update = tx.prepare_cached(
            "UPDATE members SET client_group = ?2,
                 potential = CASE WHEN potential = '' THEN ?3 ELSE potential END,
                 territory = ?4,
                 related_group = ?5, manager_id = ?6, assigned_since = ?7
             WHERE id = ?1",
        )?;
        let mut turnover = tx.prepare_cached(
            "INSERT OR REPLACE INTO turnover(member_id, month, amount) VALUES (?1, ?2, ?3)",
        )?;
        let mut pending_group: Option<(String, u32)> = None;
        for (id, manager, city, status) in &members {
            let was = *manager;
            // A member who left is nobody's client any more.
            let manager = manager.filter(|_| status != "left");
            let profile = manager.and_then(|m| profiles.iter().find(|p| p.0 == m));
            // Cut each base to about its norm (some over, some under); the rest to the pool.
            let keep = profile.and_then(|(m, spec, tenure, _)| {
                let s = cbr.specialization(spec)?;
                let norm = match tenure {
                    Tenure::Veteran => s.veteran,
                    Tenure::Experienced => s.experienced,
                    _ => crate::domain::client_base::SizeRange { min: s.novice.ramp.last().map(|r| r.min), max: s.novice.max },
                };
                let target = match (norm.min, norm.max) {
                    (Some(a), Some(b)) => a + (b - a) * 2 / 3,
                    (None, Some(b)) => b * 2 / 3,
                    (Some(a), None) => a,
                    (None, None) => 10,
                };
                // Every third manager is a little over or under.
                let target = match m % 3 {
                    0 => target + target / 4 + 2,
                    1 => target.saturating_sub(target / 3 + 1),
                    _ => target,
                };
                let n = kept.entry(*m).or_default();
                (*n < target).then(|| {
                    *n += 1;
                    (*m, *spec)
                })
            });
            let spec = keep.map(|(_, s)| s).unwrap_or(SPECS[rng.below(SPECS.len() as u64) as usize]);
            let s = cbr.specialization(spec);
            // Mostly a group the specialisation works with; now and then one it should not.
            let group = match s {
                Some(s) if !rng.chance(8) && !s.groups.is_empty() => {
                    s.groups[rng.below(s.groups.len() as u64) as usize].clone()
                }
                _ => cbr.groups[rng.below(cbr.groups.len() as u64) as usize].code.clone(),
            };
            let potential = match rng.below(100) {
                0..=9 => "S",
                10..=39 => "A",
                40..=79 => "B",
                _ => "C",
            };
            let territory = if rng.chance(10) {
                OUTSIDE[rng.below(OUTSIDE.len() as u64) as usize].to_string()
            } else {
                city.clone()
            };
            // A few related groups of two or three payer entities of one organisation.
            let related = match &mut pending_group {
                Some((name, left)) if *left > 0 && keep.is_some() => {
                    *left -= 1;
                    let n = name.clone();
                    if *left == 0 {
                        pending_group = None;
                    }
                    n
                }
                _ if keep.is_some() && rng.chance(4) => {
                    group_no += 1;
                    let name = format!("ГК-{group_no:03}");
                    pending_group = Some((name.clone(), 1 + rng.below(2) as u32));
                    name
                }
                _ => String::new(),
            };
            let since = keep.map(|_| {
                crate::store::fmt_date(today - Duration::days(60 + rng.below(900) as i64))
            });
            update.execute(params![
                id,
                group,
                potential,
                territory,
                related,
                keep.map(|(m, _)| m),
                since
            ])?;
            // A client cut from a base (or who left) goes back to the pool, and the
            // assignment history says so, as it does for a members file from accounting.
            let kept_by = keep.map(|(m, _)| m);
            if was != kept_by {
                crate::store::client_base::history(
                    tx, *id, was, kept_by, actor, today, now, "import", None, false, "",
                )?;
            }
            // Turnover by potential; about one client in eight has bought nothing for months.
            let idle = rng.chance(12);
            let base: i64 = match potential {
                "S" => 350_000,
                "A" => 160_000,
                "B" => 40_000,
                _ => 12_000,
            };
            let mut month = first_month;
            while month <= today {
                let quiet = idle || rng.chance(15);
                if !quiet {
                    let amount = base / 2 + rng.below(base as u64) as i64;
                    turnover.execute(params![id, crate::store::fmt_date(month), amount * 100])?;
                }
                month = months_back(month, 0)
                    .checked_add_months(chrono::Months::new(1))
                    .expect("a month later");
            }
        }
        // This month's meetings and cold calls (managers' activity counts in the rating too).
        let mut contact = tx.prepare_cached(
            "INSERT INTO contacts(member_id, staff_id, at, on_date, kind, direction, temperature,
                 outcome, duration_sec, comment, actor)
             VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9)",
        )?;
        let start = today.with_day(1).expect("day 1");
        for (m, _, tenure, _) in &profiles {
            let size = kept.get(m).copied().unwrap_or(0);
            let meetings = match m % 4 {
                0 => size / 3,
                _ => size / 2 + 3,
            }
            .max(if *tenure == Tenure::Novice { 14 + (*m as u32 % 10) } else { 0 });
            let cold = if *tenure == Tenure::Novice { 70 + rng.below(50) as u32 } else { rng.below(30) as u32 };
            let days = (today - start).num_days().max(0) + 1;
            for k in 0..(meetings + cold) {
                let day = start + Duration::days(rng.below(days as u64) as i64);
                let at = day.and_hms_opt(9 + (k % 8), k * 7 % 60, 0).expect("a time");
                let (kind, dir, temp, outcome, dur) = if k < meetings {
                    ("meeting", "", "", "", 0)
                } else {
                    ("call", "out", "cold", "successful", 60 + rng.below(400) as i64)
                };
                contact.execute(params![m, fmt_time(at), crate::store::fmt_date(day), kind, dir, temp, outcome, dur, actor])?;
            }
        }
        Ok(())
    })
}
