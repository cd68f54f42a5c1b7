//! The rating as it is shown and printed: rows for managers, offices or the cooperative, built
//! from the month's figures (read by the store) with the rules. Office figures are the sums of
//! their managers' (the office plan is the sum of its managers' plans); the cooperative's are
//! the sums of the offices'.

use super::{Entry, RatingRules, Scores, Standing, Ukp, standings};
use crate::domain::Role;
use crate::domain::calendar::Calendar;
use crate::domain::money::Money;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Someone whose sales count: a manager (or anyone who sold or has a plan this month).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub office_id: i64,
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Office {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Items sold of one product and the УКП they brought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub items: i64,
    pub ukp: Ukp,
}

/// One person's month-to-date figures on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonFigures {
    pub person: Person,
    /// By product code.
    pub by_product: BTreeMap<String, Tally>,
    /// УКП month-to-date through the date.
    pub done: Ukp,
    /// УКП month-to-date through the comparison day (the previous working day of the month).
    pub before: Ukp,
    /// `Ukp::ZERO`: no plan.
    pub plan: Ukp,
    /// Calls and meetings on the date itself.
    pub calls: u32,
    pub meetings: u32,
    pub scores: Option<Scores>,
}

/// What the store reads for a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthFigures {
    pub on: NaiveDate,
    /// The day the change of rank is measured against (`None`: the month's first working day).
    pub before_day: Option<NaiveDate>,
    pub people: Vec<PersonFigures>,
    pub offices: Vec<Office>,
    /// The cooperative's УКП on each day of the month up to the date (days without sales: 0).
    pub daily: Vec<(NaiveDate, Ukp)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum By {
    #[default]
    Manager,
    Office,
    Coop,
}

/// One row of the rating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Staff id, office id, or 0 for the cooperative.
    pub id: i64,
    /// The manager's name or the office's name (empty for the cooperative: the caller names it).
    pub who: String,
    /// The manager's login or the office's code.
    pub code: String,
    /// The office's code (managers and offices).
    pub office: String,
    pub by_product: BTreeMap<String, Tally>,
    pub done: Ukp,
    pub plan: Option<Ukp>,
    pub standing: Standing,
    pub calls: u32,
    pub meetings: u32,
    /// Managers only.
    pub scores: Option<Scores>,
    pub base: Option<Money>,
    pub bonus: Option<Money>,
}

impl Row {
    pub fn items(&self, product: &str) -> i64 {
        self.by_product.get(product).map_or(0, |t| t.items)
    }

    pub fn ukp_of(&self, product: &str) -> Ukp {
        self.by_product.get(product).map_or(Ukp::ZERO, |t| t.ukp)
    }
}

struct Acc {
    id: i64,
    who: String,
    code: String,
    office: String,
    by_product: BTreeMap<String, Tally>,
    done: Ukp,
    before: Ukp,
    plan: Ukp,
    calls: u32,
    meetings: u32,
    scores: Option<Scores>,
    roles: Vec<Role>,
}

impl Acc {
    fn add(&mut self, p: &PersonFigures) {
        for (k, t) in &p.by_product {
            let e = self.by_product.entry(k.clone()).or_default();
            e.items += t.items;
            e.ukp += t.ukp;
        }
        self.done += p.done;
        self.before += p.before;
        self.plan += p.plan;
        self.calls += p.calls;
        self.meetings += p.meetings;
    }

    fn empty(id: i64, who: String, code: String, office: String) -> Acc {
        Acc {
            id,
            who,
            code,
            office,
            by_product: BTreeMap::new(),
            done: Ukp::ZERO,
            before: Ukp::ZERO,
            plan: Ukp::ZERO,
            calls: 0,
            meetings: 0,
            scores: None,
            roles: vec![],
        }
    }
}

/// The rows of the rating in the order to show them.
pub fn build(rules: &RatingRules, cal: &Calendar, f: &MonthFigures, by: By) -> Vec<Row> {
    let office_code = |id: i64| {
        f.offices
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.code.clone())
            .unwrap_or_default()
    };
    let accs: Vec<Acc> = match by {
        By::Manager => f
            .people
            .iter()
            .map(|p| {
                let mut a = Acc::empty(
                    p.person.id,
                    p.person.name.clone(),
                    p.person.login.clone(),
                    office_code(p.person.office_id),
                );
                a.add(p);
                a.scores = p.scores;
                a.roles = p.person.roles.clone();
                a
            })
            .collect(),
        By::Office => f
            .offices
            .iter()
            // An office with nobody in the rating (no managers, sales or plans) is left out.
            .filter(|o| f.people.iter().any(|p| p.person.office_id == o.id))
            .map(|o| {
                let mut a = Acc::empty(o.id, o.name.clone(), o.code.clone(), o.code.clone());
                for p in f.people.iter().filter(|p| p.person.office_id == o.id) {
                    a.add(p);
                }
                a
            })
            .collect(),
        By::Coop => {
            let mut a = Acc::empty(0, String::new(), String::new(), String::new());
            for p in &f.people {
                a.add(p);
            }
            vec![a]
        }
    };
    let now: Vec<Entry> = accs
        .iter()
        .map(|a| Entry {
            done: a.done,
            plan: a.plan,
        })
        .collect();
    let before: Option<Vec<Entry>> = f.before_day.map(|_| {
        accs.iter()
            .map(|a| Entry {
                done: a.before,
                plan: a.plan,
            })
            .collect()
    });
    let (st, order) = standings(rules, cal, f.on, &now, before.as_deref(), |i| {
        (accs[i].who.clone(), accs[i].id)
    });
    let mut st: Vec<Option<Standing>> = st.into_iter().map(Some).collect();
    let mut accs: Vec<Option<Acc>> = accs.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| {
            let a = accs[i].take().expect("each row once");
            let mut standing = st[i].take().expect("each row once");
            if by == By::Coop {
                // One row: nothing to rank it against.
                standing.rank = None;
                standing.prev_rank = None;
            }
            let base = (by == By::Manager)
                .then(|| rules.base_for(&a.roles))
                .flatten();
            let bonus = match (base, standing.kp, a.scores) {
                (Some(b), Some(kp), Some(s)) => rules.bonus(b, kp, s),
                _ => None,
            };
            Row {
                id: a.id,
                who: a.who,
                code: a.code,
                office: a.office,
                by_product: a.by_product,
                done: a.done,
                plan: (a.plan.0 > 0).then_some(a.plan),
                standing,
                calls: a.calls,
                meetings: a.meetings,
                scores: a.scores,
                base,
                bonus,
            }
        })
        .collect()
}

/// A month's or a year's standings by total: (person index, done, plan) ranked. Used for the
/// month's best manager and the year's top three.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub rank: u32,
    pub staff_id: i64,
    pub done: Ukp,
    pub plan: Ukp,
}

/// The ranked (planned) people of a period, best first; `totals` is (staff id, name, done, plan).
pub fn placed(totals: &[(i64, String, Ukp, Ukp)]) -> Vec<Placed> {
    let entries: Vec<Entry> = totals
        .iter()
        .map(|t| Entry {
            done: t.2,
            plan: t.3,
        })
        .collect();
    let (ranks, order) = super::rank(&entries, |i| (totals[i].1.clone(), totals[i].0));
    order
        .into_iter()
        .filter_map(|i| {
            ranks[i].map(|rank| Placed {
                rank,
                staff_id: totals[i].0,
                done: totals[i].2,
                plan: totals[i].3,
            })
        })
        .collect()
}
