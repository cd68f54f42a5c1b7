//! The daily sales rating's data: sales of savings and services recorded at the desk, plans per
//! manager per month, the head's monthly scores, imports of sales and plans, and the month's
//! figures for a date read from the `sales_daily` aggregate (kept by triggers, migration 005).

use super::staff::require_any;
use super::{Actor, Result, Store, StoreError, audit, current_roles, fmt_date, fmt_time};
use crate::domain::Role;
use crate::domain::money::Money;
use crate::domain::product::ProductKind;
use crate::domain::rating::report::{MonthFigures, Office, Person, PersonFigures, Tally};
use crate::domain::rating::{Scores, Ukp, comparison_day, month_end, month_key, month_start};
use crate::domain::validate::FieldError;
use crate::rules::Rules;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::{BTreeMap, HashMap};

/// Month-to-date by (manager, product): (items, УКП through the date, УКП through the
/// comparison day).
type MonthToDate = HashMap<(i64, String), (i64, Ukp, Ukp)>;

/// A sale typed at the desk (savings or an additional service).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleInput {
    /// Whose sale it is.
    pub manager_id: i64,
    pub member_no: String,
    pub product: String,
    pub amount: String,
    pub date: NaiveDate,
}

/// One sale of an import file, already checked by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleRow {
    pub external_id: String,
    pub date: NaiveDate,
    pub manager_id: i64,
    pub product: String,
    pub member_id: Option<i64>,
    pub amount: Money,
    pub ukp: Ukp,
}

/// A sale as recorded, for comparing an import with what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSale {
    pub date: NaiveDate,
    pub manager_id: i64,
    pub product: String,
    pub member_id: Option<i64>,
    pub amount: Money,
}

impl SaleRow {
    pub fn same_as(&self, s: &StoredSale) -> bool {
        self.date == s.date
            && self.manager_id == s.manager_id
            && self.product == s.product
            && self.member_id == s.member_id
            && self.amount == s.amount
    }
}

/// One plan of an import file: a manager's plan for a month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    /// The first day of the month.
    pub month: NaiveDate,
    pub staff_id: i64,
    pub ukp: Ukp,
}

/// A person in the rating's pickers and imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seller {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub active: bool,
}

fn invalid(field: &'static str, reason: &'static str) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, reason)])
}

/// Heads set plans and scores; a manager records their own sales, a head anyone's.
fn may_sell_for(tx: &Transaction, actor: &Actor, manager_id: i64) -> Result<()> {
    let roles = current_roles(tx, actor)?;
    let own = manager_id == actor.staff_id && roles.contains(&Role::Manager);
    if own || roles.contains(&Role::Head) {
        Ok(())
    } else if manager_id == actor.staff_id {
        Err(StoreError::Forbidden(Role::Manager))
    } else {
        Err(StoreError::Forbidden(Role::Head))
    }
}

fn active_staff(tx: &Transaction, id: i64) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM staff WHERE id = ?1 AND active = 1)")?
        .query_row([id], |r| r.get(0))?)
}

impl Store {
    /// Record a sale of savings or an additional service for a member (DOMAIN §5), in one
    /// transaction with its audit row; the rating's aggregate follows by trigger. Loans are not
    /// sold here: issuing one in the queue records its sale.
    pub fn record_sale(
        &mut self,
        actor: &Actor,
        input: &SaleInput,
        rules: &Rules,
        now: NaiveDateTime,
    ) -> Result<i64> {
        self.write(|tx| {
            may_sell_for(tx, actor, input.manager_id)?;
            let mut errs = Vec::new();
            if !active_staff(tx, input.manager_id)? {
                errs.push(FieldError::new("manager", "rating.err.manager_unknown"));
            }
            let product = rules.product(input.product.trim());
            match product {
                None => errs.push(FieldError::with(
                    "product",
                    "err.product_unknown",
                    input.product.clone(),
                )),
                Some(p) if p.kind == ProductKind::Loan => {
                    errs.push(FieldError::new("product", "rating.err.loan_in_queue"))
                }
                Some(_) => {}
            }
            let member_no = input.member_no.trim();
            let member: Option<i64> = if member_no.is_empty() {
                errs.push(FieldError::new("member_no", "err.required"));
                None
            } else {
                let m = tx
                    .prepare_cached(
                        "SELECT id FROM members WHERE member_no = ?1 AND status = 'member'",
                    )?
                    .query_row([member_no], |r| r.get(0))
                    .optional()?;
                if m.is_none() {
                    errs.push(FieldError::with(
                        "member_no",
                        "rating.err.member_unknown",
                        member_no,
                    ));
                }
                m
            };
            let amount = match Money::parse(&input.amount) {
                Ok(a) => {
                    if let Some(p) = product
                        && (a < p.min_amount || a > p.max_amount)
                    {
                        errs.push(FieldError::with(
                            "amount",
                            "rating.err.amount_limits",
                            format!("{} – {}", p.min_amount, p.max_amount),
                        ));
                    }
                    Some(a)
                }
                Err(e) => {
                    errs.push(FieldError::new("amount", e.key()));
                    None
                }
            };
            if input.date > now.date() {
                errs.push(FieldError::new("sale_date", "err.date_future"));
            }
            if !errs.is_empty() {
                return Err(StoreError::Invalid(errs));
            }
            let (product, amount, member) = (
                product.expect("checked"),
                amount.expect("checked"),
                member.expect("checked"),
            );
            let ukp = Ukp::from_decimal(product.ukp).unwrap_or_default();
            tx.prepare_cached(
                "INSERT INTO sales(sale_date, manager_id, product, member_id, amount, ukp_centi, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                fmt_date(input.date),
                input.manager_id,
                product.code,
                member,
                amount,
                ukp.centi(),
                actor.login,
                fmt_time(now)
            ])?;
            let id = tx.last_insert_rowid();
            audit(
                tx,
                now,
                &actor.login,
                "sale.record",
                &format!(
                    "sale {id}: {} {} member {member_no} manager {} on {}",
                    product.code,
                    amount.plain(),
                    input.manager_id,
                    input.date
                ),
            )?;
            Ok(id)
        })
    }

    /// Set (or with `None` remove) a manager's plan for the month of `month`. Heads only.
    pub fn set_plan(
        &mut self,
        actor: &Actor,
        staff_id: i64,
        month: NaiveDate,
        plan: Option<Ukp>,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Head])?;
            if !active_staff(tx, staff_id)? {
                return Err(invalid("manager", "rating.err.manager_unknown"));
            }
            let m = month_key(month);
            match plan {
                Some(p) if p.centi() > 0 => {
                    tx.prepare_cached(
                        "INSERT INTO sales_plans(month, staff_id, ukp_centi, set_by, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT(month, staff_id) DO UPDATE SET ukp_centi = excluded.ukp_centi, set_by = excluded.set_by, set_at = excluded.set_at",
                    )?
                    .execute(params![m, staff_id, p.centi(), actor.login, fmt_time(now)])?;
                }
                Some(_) => return Err(invalid("plan", "rating.err.plan_zero")),
                None => {
                    tx.prepare_cached("DELETE FROM sales_plans WHERE month = ?1 AND staff_id = ?2")?
                        .execute(params![m, staff_id])?;
                }
            }
            let shown = plan.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
            audit(
                tx,
                now,
                &actor.login,
                "plan.set",
                &format!("staff {staff_id} {m}: {shown}"),
            )?;
            Ok(())
        })
    }

    /// Set a manager's four scores for the month of `month` (each 1–10). Heads only.
    pub fn set_scores(
        &mut self,
        actor: &Actor,
        staff_id: i64,
        month: NaiveDate,
        scores: Scores,
        now: NaiveDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            require_any(tx, actor, &[Role::Head])?;
            if !active_staff(tx, staff_id)? {
                return Err(invalid("manager", "rating.err.manager_unknown"));
            }
            let fields = ["quality", "activity", "discipline", "time"];
            let errs: Vec<FieldError> = scores
                .all()
                .iter()
                .zip(fields)
                .filter(|(s, _)| !(1..=10).contains(*s))
                .map(|(_, f)| FieldError::new(f, "rating.err.score_range"))
                .collect();
            if !errs.is_empty() {
                return Err(StoreError::Invalid(errs));
            }
            let m = month_key(month);
            tx.prepare_cached(
                "INSERT INTO manager_scores(month, staff_id, quality, activity, discipline, time, set_by, set_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(month, staff_id) DO UPDATE SET quality = excluded.quality, activity = excluded.activity,
                   discipline = excluded.discipline, time = excluded.time, set_by = excluded.set_by, set_at = excluded.set_at",
            )?
            .execute(params![
                m,
                staff_id,
                scores.quality,
                scores.activity,
                scores.discipline,
                scores.time,
                actor.login,
                fmt_time(now)
            ])?;
            audit(
                tx,
                now,
                &actor.login,
                "scores.set",
                &format!("staff {staff_id} {m}: {:?}", scores.all()),
            )?;
            Ok(())
        })
    }

    /// Everyone a sale or a plan may name, by login (inactive people too: old sales name them).
    pub fn sellers(&self) -> Result<Vec<Seller>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, login, name, active FROM staff ORDER BY name, id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Seller {
                    id: r.get(0)?,
                    login: r.get(1)?,
                    name: r.get(2)?,
                    active: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Member ids by member number (for imports).
    pub fn member_ids(&self) -> Result<HashMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT member_no, id FROM members WHERE member_no IS NOT NULL")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(rows)
    }

    /// Numbers of the current members (not candidates, not those who left), in order.
    pub fn current_member_nos(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT member_no FROM members WHERE status = 'member' AND member_no IS NOT NULL ORDER BY member_no",
        )?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// The sales already recorded under these external ids.
    pub fn sales_by_external(&self, ids: &[&str]) -> Result<HashMap<String, StoredSale>> {
        let mut out = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT sale_date, manager_id, product, member_id, amount FROM sales WHERE external_id = ?1",
        )?;
        for id in ids {
            if let Some(s) = stmt
                .query_row([id], |r| {
                    Ok(StoredSale {
                        date: NaiveDate::parse_from_str(&r.get::<_, String>(0)?, super::DATE_FMT)
                            .unwrap_or_default(),
                        manager_id: r.get(1)?,
                        product: r.get(2)?,
                        member_id: r.get(3)?,
                        amount: r.get(4)?,
                    })
                })
                .optional()?
            {
                out.insert(id.to_string(), s);
            }
        }
        Ok(out)
    }

    /// Import sales in one transaction: new external ids are added, ones already there with the
    /// same content are skipped (a file imported twice changes nothing); one already there with
    /// different content refuses the whole import. Returns (added, already there).
    pub fn import_sales(
        &mut self,
        label: &str,
        rows: &[SaleRow],
        now: NaiveDateTime,
    ) -> Result<(usize, usize)> {
        self.write(|tx| {
            let (mut added, mut existing) = (0, 0);
            let mut find = tx.prepare_cached(
                "SELECT sale_date, manager_id, product, member_id, amount FROM sales WHERE external_id = ?1",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO sales(external_id, sale_date, manager_id, product, member_id, amount, ukp_centi, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for r in rows {
                let found = find
                    .query_row([&r.external_id], |x| {
                        Ok(StoredSale {
                            date: NaiveDate::parse_from_str(
                                &x.get::<_, String>(0)?,
                                super::DATE_FMT,
                            )
                            .unwrap_or_default(),
                            manager_id: x.get(1)?,
                            product: x.get(2)?,
                            member_id: x.get(3)?,
                            amount: x.get(4)?,
                        })
                    })
                    .optional()?;
                match found {
                    Some(s) if r.same_as(&s) => existing += 1,
                    Some(_) => return Err(StoreError::Duplicate(r.external_id.clone())),
                    None => {
                        insert.execute(params![
                            r.external_id,
                            fmt_date(r.date),
                            r.manager_id,
                            r.product,
                            r.member_id,
                            r.amount,
                            r.ukp.centi(),
                            label,
                            fmt_time(now)
                        ])?;
                        added += 1;
                    }
                }
            }
            audit(
                tx,
                now,
                label,
                "sale.import",
                &format!("{added} added, {existing} already there"),
            )?;
            Ok((added, existing))
        })
    }

    /// Import plans in one transaction (a plan for a month replaces the one there). Returns
    /// (new, changed, unchanged).
    pub fn import_plans(
        &mut self,
        label: &str,
        rows: &[PlanRow],
        now: NaiveDateTime,
    ) -> Result<(usize, usize, usize)> {
        self.write(|tx| {
            let (mut new, mut changed, mut same) = (0, 0, 0);
            for r in rows {
                let m = month_key(r.month);
                let was: Option<i64> = tx
                    .prepare_cached(
                        "SELECT ukp_centi FROM sales_plans WHERE month = ?1 AND staff_id = ?2",
                    )?
                    .query_row(params![m, r.staff_id], |x| x.get(0))
                    .optional()?;
                match was {
                    Some(c) if c == r.ukp.centi() => {
                        same += 1;
                        continue;
                    }
                    Some(_) => changed += 1,
                    None => new += 1,
                }
                tx.prepare_cached(
                    "INSERT INTO sales_plans(month, staff_id, ukp_centi, set_by, set_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(month, staff_id) DO UPDATE SET ukp_centi = excluded.ukp_centi, set_by = excluded.set_by, set_at = excluded.set_at",
                )?
                .execute(params![m, r.staff_id, r.ukp.centi(), label, fmt_time(now)])?;
            }
            audit(
                tx,
                now,
                label,
                "plan.import",
                &format!("{new} new, {changed} changed, {same} unchanged"),
            )?;
            Ok((new, changed, same))
        })
    }

    /// A counter that moves when another connection commits (`PRAGMA data_version`): cheap to
    /// ask, so an open rating can notice a sale recorded elsewhere.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// The month-to-date figures on `on` for everyone who counts: active managers, and anyone
    /// who sold or has a plan in the month. The comparison day is the previous working day of
    /// the same month (`rules.calendar`).
    pub fn rating_figures(&self, on: NaiveDate, rules: &Rules) -> Result<MonthFigures> {
        let first = month_start(on);
        let before_day = comparison_day(&rules.calendar, on);
        // Through the comparison day; before the month when there is none.
        let cut = before_day.unwrap_or(first - Duration::days(1));
        let month = month_key(on);

        let mut offices = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, code, name FROM offices ORDER BY code")?;
            for o in stmt.query_map([], |r| {
                Ok(Office {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                })
            })? {
                offices.push(o?);
            }
        }

        struct Who {
            person: Person,
            active: bool,
        }
        let mut people: Vec<Who> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT s.id, s.login, s.name, s.office_id, s.active,
                        (SELECT group_concat(role) FROM staff_roles r WHERE r.staff_id = s.id)
                 FROM staff s ORDER BY s.id",
            )?;
            let rows = stmt.query_map([], |r| {
                let roles: Option<String> = r.get(5)?;
                Ok(Who {
                    person: Person {
                        id: r.get(0)?,
                        login: r.get(1)?,
                        name: r.get(2)?,
                        office_id: r.get(3)?,
                        roles: roles
                            .unwrap_or_default()
                            .split(',')
                            .filter_map(|s| s.parse().ok())
                            .collect(),
                    },
                    active: r.get(4)?,
                })
            })?;
            for w in rows {
                let w = w?;
                index.insert(w.person.id, people.len());
                people.push(w);
            }
        }
        let mut figs: Vec<Option<PersonFigures>> = people.iter().map(|_| None).collect();
        let blank = |w: &Who| PersonFigures {
            person: w.person.clone(),
            by_product: BTreeMap::new(),
            done: Ukp::ZERO,
            before: Ukp::ZERO,
            plan: Ukp::ZERO,
            calls: 0,
            meetings: 0,
            scores: None,
        };
        for (i, w) in people.iter().enumerate() {
            if w.active && w.person.roles.contains(&Role::Manager) {
                figs[i] = Some(blank(w));
            }
        }
        macro_rules! fig {
            ($id:expr) => {{
                match index.get(&$id) {
                    Some(&i) => Some(figs[i].get_or_insert_with(|| blank(&people[i]))),
                    None => None,
                }
            }};
        }

        for ((id, product), (items, ukp, before)) in self.month_to_date(on, cut)? {
            if let Some(f) = fig!(id) {
                f.by_product.insert(product, Tally { items, ukp });
                f.done += ukp;
                f.before += before;
            }
        }
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT staff_id, ukp_centi FROM sales_plans WHERE month = ?1")?;
            let mut rows = stmt.query([&month])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if let Some(f) = fig!(id) {
                    f.plan = Ukp(r.get(1)?);
                }
            }
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT staff_id, quality, activity, discipline, time FROM manager_scores WHERE month = ?1",
            )?;
            let mut rows = stmt.query([&month])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let s = Scores {
                    quality: r.get(1)?,
                    activity: r.get(2)?,
                    discipline: r.get(3)?,
                    time: r.get(4)?,
                };
                if let Some(i) = index.get(&id)
                    && let Some(f) = figs[*i].as_mut()
                {
                    f.scores = Some(s);
                }
            }
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT staff_id, kind, COUNT(*) FROM contacts
                 WHERE on_date = ?1 AND kind IN ('call', 'meeting') GROUP BY staff_id, kind",
            )?;
            let mut rows = stmt.query([fmt_date(on)])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let kind: String = r.get(1)?;
                let n: u32 = r.get(2)?;
                if let Some(i) = index.get(&id)
                    && let Some(f) = figs[*i].as_mut()
                {
                    if kind == "call" {
                        f.calls = n;
                    } else {
                        f.meetings = n;
                    }
                }
            }
        }
        let mut daily_map: BTreeMap<String, i64> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT sale_date, ukp_centi FROM sales_day_total WHERE sale_date BETWEEN ?1 AND ?2",
            )?;
            let mut rows = stmt.query(params![fmt_date(first), fmt_date(on)])?;
            while let Some(r) = rows.next()? {
                daily_map.insert(r.get(0)?, r.get(1)?);
            }
        }
        let mut daily = Vec::new();
        let mut d = first;
        while d <= on {
            daily.push((d, Ukp(daily_map.get(&fmt_date(d)).copied().unwrap_or(0))));
            d += Duration::days(1);
        }
        Ok(MonthFigures {
            on,
            before_day,
            people: figs.into_iter().flatten().collect(),
            offices,
            daily,
        })
    }

    /// Month-to-date through `on` by (manager, product): (items, УКП, УКП through `cut`).
    /// Read from the month's totals less the days after (when the date is late in its month)
    /// or from the days up to it, whichever touches fewer days of the aggregate.
    fn month_to_date(&self, on: NaiveDate, cut: NaiveDate) -> Result<MonthToDate> {
        let first = month_start(on);
        let end = month_end(on);
        let mut out = MonthToDate::new();
        if (on - first).num_days() <= (end - cut).num_days() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT manager_id, product, SUM(items), SUM(ukp_centi),
                        SUM(CASE WHEN sale_date <= ?3 THEN ukp_centi ELSE 0 END)
                 FROM sales_daily WHERE sale_date BETWEEN ?1 AND ?2
                 GROUP BY manager_id, product",
            )?;
            let mut rows = stmt.query(params![fmt_date(first), fmt_date(on), fmt_date(cut)])?;
            while let Some(r) = rows.next()? {
                out.insert(
                    (r.get(0)?, r.get(1)?),
                    (r.get(2)?, Ukp(r.get(3)?), Ukp(r.get(4)?)),
                );
            }
            return Ok(out);
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT manager_id, product, items, ukp_centi FROM sales_monthly WHERE month = ?1",
            )?;
            let mut rows = stmt.query([month_key(on)])?;
            while let Some(r) = rows.next()? {
                let u = Ukp(r.get(3)?);
                out.insert((r.get(0)?, r.get(1)?), (r.get(2)?, u, u));
            }
        }
        // Less what was sold after the date (and after the comparison day).
        let mut stmt = self.conn.prepare_cached(
            "SELECT manager_id, product,
                    SUM(CASE WHEN sale_date > ?2 THEN items ELSE 0 END),
                    SUM(CASE WHEN sale_date > ?2 THEN ukp_centi ELSE 0 END),
                    SUM(ukp_centi)
             FROM sales_daily WHERE sale_date > ?1 AND sale_date <= ?3
             GROUP BY manager_id, product",
        )?;
        let mut rows = stmt.query(params![fmt_date(cut), fmt_date(on), fmt_date(end)])?;
        while let Some(r) = rows.next()? {
            let key: (i64, String) = (r.get(0)?, r.get(1)?);
            if let Some(e) = out.get_mut(&key) {
                e.0 -= r.get::<_, i64>(2)?;
                e.1 = Ukp(e.1.0 - r.get::<_, i64>(3)?);
                e.2 = Ukp(e.2.0 - r.get::<_, i64>(4)?);
            }
        }
        out.retain(|_, e| e.0 != 0 || e.1.0 != 0);
        Ok(out)
    }

    /// Each person's УКП and plan per month of `on`'s year, through `on`:
    /// (month 1–12, staff id, done, plan). For the month's best and the year's top three.
    pub fn rating_year(&self, on: NaiveDate) -> Result<Vec<(u32, i64, Ukp, Ukp)>> {
        let mut map: BTreeMap<(u32, i64), (Ukp, Ukp)> = BTreeMap::new();
        {
            // The months before `on`'s, whole.
            let mut stmt = self.conn.prepare_cached(
                "SELECT substr(month, 6, 2), manager_id, SUM(ukp_centi) FROM sales_monthly
                 WHERE month >= ?1 AND month < ?2 GROUP BY 1, 2",
            )?;
            let mut rows = stmt.query(params![format!("{}-01", on.year()), month_key(on)])?;
            while let Some(r) = rows.next()? {
                let m: String = r.get(0)?;
                let m: u32 = m.parse().unwrap_or(0);
                map.entry((m, r.get(1)?)).or_default().0 = Ukp(r.get(2)?);
            }
        }
        // `on`'s month through `on`.
        for ((id, _), (_, ukp, _)) in self.month_to_date(on, on)? {
            map.entry((on.month(), id)).or_default().0 += ukp;
        }
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT substr(month, 6, 2), staff_id, ukp_centi FROM sales_plans
                 WHERE month BETWEEN ?1 AND ?2",
            )?;
            let mut rows = stmt.query(params![
                format!("{}-01", on.year()),
                month_key(month_end(on))
            ])?;
            while let Some(r) = rows.next()? {
                let m: String = r.get(0)?;
                let m: u32 = m.parse().unwrap_or(0);
                map.entry((m, r.get(1)?)).or_default().1 = Ukp(r.get(2)?);
            }
        }
        Ok(map
            .into_iter()
            .map(|((m, id), (done, plan))| (m, id, done, plan))
            .collect())
    }

    /// Check that the aggregate equals the sales (tests and `coopdesk bench`): the rows that
    /// differ, as (date, manager, product).
    pub fn sales_aggregate_mismatches(&self) -> Result<Vec<(String, i64, String)>> {
        let mut out = self.daily_mismatches()?;
        let mut stmt = self.conn.prepare(
            "WITH raw AS (SELECT substr(sale_date, 1, 7) AS month, manager_id, product,
                                 COUNT(*) AS items, SUM(ukp_centi) AS ukp, SUM(amount) AS amount
                          FROM sales GROUP BY 1, 2, 3)
             SELECT 'month ' || r.month, r.manager_id, r.product FROM raw r
               LEFT JOIN sales_monthly m USING (month, manager_id, product)
               WHERE m.items IS NOT r.items OR m.ukp_centi IS NOT r.ukp OR m.amount IS NOT r.amount
             UNION ALL
             SELECT 'month ' || m.month, m.manager_id, m.product FROM sales_monthly m
               LEFT JOIN raw r USING (month, manager_id, product) WHERE r.items IS NULL
             UNION ALL
             SELECT 'day ' || t.sale_date, 0, '' FROM sales_day_total t
               LEFT JOIN (SELECT sale_date, COUNT(*) AS items, SUM(ukp_centi) AS ukp
                          FROM sales GROUP BY sale_date) r USING (sale_date)
               WHERE r.items IS NOT t.items OR r.ukp IS NOT t.ukp_centi
             UNION ALL
             SELECT 'day ' || r.sale_date, 0, '' FROM (SELECT DISTINCT sale_date FROM sales) r
               LEFT JOIN sales_day_total t USING (sale_date) WHERE t.items IS NULL",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.extend(rows);
        Ok(out)
    }

    fn daily_mismatches(&self) -> Result<Vec<(String, i64, String)>> {
        let mut stmt = self.conn.prepare(
            "WITH raw AS (SELECT sale_date, manager_id, product, COUNT(*) AS items,
                                 SUM(ukp_centi) AS ukp, SUM(amount) AS amount
                          FROM sales GROUP BY 1, 2, 3)
             SELECT r.sale_date, r.manager_id, r.product FROM raw r
               LEFT JOIN sales_daily d USING (sale_date, manager_id, product)
               WHERE d.items IS NOT r.items OR d.ukp_centi IS NOT r.ukp OR d.amount IS NOT r.amount
             UNION ALL
             SELECT d.sale_date, d.manager_id, d.product FROM sales_daily d
               LEFT JOIN raw r USING (sale_date, manager_id, product)
               WHERE r.items IS NULL",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// What `sales_daily_insert` (migration 005) adds for each sale, for every sale from id `?1`
/// on at once.
const BATCH_AGGREGATES: [&str; 3] = [
    "INSERT INTO sales_daily(sale_date, manager_id, product, items, ukp_centi, amount)
     SELECT sale_date, manager_id, product, COUNT(*), SUM(ukp_centi), SUM(amount)
     FROM sales WHERE id >= ?1 GROUP BY sale_date, manager_id, product
     ON CONFLICT(sale_date, manager_id, product) DO UPDATE SET
         items = items + excluded.items,
         ukp_centi = ukp_centi + excluded.ukp_centi,
         amount = amount + excluded.amount",
    "INSERT INTO sales_monthly(month, manager_id, product, items, ukp_centi, amount)
     SELECT substr(sale_date, 1, 7), manager_id, product, COUNT(*), SUM(ukp_centi), SUM(amount)
     FROM sales WHERE id >= ?1 GROUP BY substr(sale_date, 1, 7), manager_id, product
     ON CONFLICT(month, manager_id, product) DO UPDATE SET
         items = items + excluded.items,
         ukp_centi = ukp_centi + excluded.ukp_centi,
         amount = amount + excluded.amount",
    "INSERT INTO sales_day_total(sale_date, items, ukp_centi)
     SELECT sale_date, COUNT(*), SUM(ukp_centi)
     FROM sales WHERE id >= ?1 GROUP BY sale_date
     ON CONFLICT(sale_date) DO UPDATE SET
         items = items + excluded.items,
         ukp_centi = ukp_centi + excluded.ukp_centi",
];

/// Bulk writers for `coopdesk demo` (the rating's part): many rows in one transaction.
impl Store {
    /// Calls and meetings of managers (what the member card records one by one).
    pub fn demo_contacts(&mut self, rows: &[(i64, NaiveDateTime, &str)]) -> Result<()> {
        self.write(|tx| {
            let mut ins = tx.prepare_cached(
                "INSERT INTO contacts(staff_id, at, on_date, kind, direction, actor)
                 VALUES (?1, ?2, ?3, ?4, 'out', 'demo')",
            )?;
            for (staff, at, kind) in rows {
                ins.execute(params![staff, fmt_time(*at), fmt_date(at.date()), kind])?;
            }
            Ok(())
        })
    }

    /// Sales written straight into `sales`: (date, manager, product, member, amount, УКП).
    ///
    /// The aggregates the insert trigger keeps a row at a time (three upserts a sale) are
    /// added once for all the rows instead, in the same transaction, with the trigger back in
    /// place before it commits: two million sales in a third of the time.
    pub fn demo_sales(
        &mut self,
        rows: impl Iterator<Item = (NaiveDate, i64, String, Option<i64>, Money, Ukp)>,
        label: &str,
        now: NaiveDateTime,
    ) -> Result<usize> {
        self.write(|tx| {
            let trigger: String = tx.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'sales_daily_insert'",
                [],
                |r| r.get(0),
            )?;
            tx.execute_batch("DROP TRIGGER sales_daily_insert")?;
            // New rows take ids after the largest: everything from `first` on is this batch.
            let first: i64 =
                tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM sales", [], |r| r.get(0))?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO sales(sale_date, manager_id, product, member_id, amount, ukp_centi, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let at = fmt_time(now);
            let mut n = 0;
            for (d, m, p, member, amount, ukp) in rows {
                ins.execute(params![fmt_date(d), m, p, member, amount, ukp.centi(), label, at])?;
                n += 1;
            }
            for sql in BATCH_AGGREGATES {
                tx.execute(sql, [first])?;
            }
            tx.execute_batch(&trigger)?;
            Ok(n)
        })
    }

    /// Plans written in bulk: (month, staff, УКП).
    pub fn demo_plans(&mut self, rows: &[(NaiveDate, i64, Ukp)], now: NaiveDateTime) -> Result<()> {
        self.write(|tx| {
            let mut ins = tx.prepare_cached(
                "INSERT OR REPLACE INTO sales_plans(month, staff_id, ukp_centi, set_by, set_at) VALUES (?1, ?2, ?3, 'demo', ?4)",
            )?;
            for (m, s, u) in rows {
                ins.execute(params![month_key(*m), s, u.centi(), fmt_time(now)])?;
            }
            Ok(())
        })
    }
}
