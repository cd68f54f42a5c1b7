//! Offices, staff, roles and logging in.

use super::{Actor, CachedSql, Result, Store, StoreError, audit, fmt_time, parse_time};
use crate::config::Security;
use crate::domain::Role;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{Duration, NaiveDateTime};
use rusqlite::{OptionalExtension, Transaction, params};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Office {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub city: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub office_code: String,
    pub roles: Vec<Role>,
}

pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hash(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&Argon2::default(), password.as_bytes(), hash).is_ok()
}

/// Logins: lower-case latin letters, digits, `.`, `_`, `-`; 2 to 32 characters.
pub fn valid_login(login: &str) -> bool {
    (2..=32).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

impl Store {
    pub fn is_initialised(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS(SELECT 1 FROM staff)", [], |r| r.get(0))?)
    }

    pub fn add_office(
        &mut self,
        actor: &str,
        code: &str,
        name: &str,
        city: &str,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let code = code.trim();
        if code.is_empty() || name.trim().is_empty() || city.trim().is_empty() {
            return Err(StoreError::Invalid(vec![
                crate::domain::validate::FieldError::new(
                    if code.is_empty() {
                        "office"
                    } else if name.trim().is_empty() {
                        "office_name"
                    } else {
                        "city"
                    },
                    "err.required",
                ),
            ]));
        }
        self.write(|tx| {
            let exists: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM offices WHERE code = ?1)",
                [code],
                |r| r.get(0),
            )?;
            if exists {
                return Err(StoreError::Duplicate(code.to_string()));
            }
            tx.execute(
                "INSERT INTO offices(code, name, city) VALUES (?1, ?2, ?3)",
                (code, name.trim(), city.trim()),
            )?;
            let id = tx.last_insert_rowid();
            audit(
                tx,
                now,
                actor,
                "office.add",
                &format!("{code} {name} {city}"),
            )?;
            Ok(id)
        })
    }

    pub fn offices(&self) -> Result<Vec<Office>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, code, name, city FROM offices ORDER BY code")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Office {
                    id: r.get(0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                    city: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn office_by_code(&self, code: &str) -> Result<Option<Office>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, code, name, city FROM offices WHERE code = ?1",
                [code],
                |r| {
                    Ok(Office {
                        id: r.get(0)?,
                        code: r.get(1)?,
                        name: r.get(2)?,
                        city: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Add a person. `password_hash` comes from [`hash_password`] (hashing is slow; callers
    /// may hash outside the transaction).
    #[allow(clippy::too_many_arguments)]
    pub fn add_staff(
        &mut self,
        actor: &str,
        login: &str,
        name: &str,
        office_code: &str,
        roles: &[Role],
        password_hash: &str,
        now: NaiveDateTime,
    ) -> Result<i64> {
        use crate::domain::validate::FieldError;
        if !valid_login(login) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "login",
                "err.login_format",
            )]));
        }
        if name.trim().is_empty() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "staff_name",
                "err.required",
            )]));
        }
        if roles.is_empty() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "roles",
                "err.required",
            )]));
        }
        self.write(|tx| {
            let office_id: i64 = tx
                .one("SELECT id FROM offices WHERE code = ?1", [office_code], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::Invalid(vec![FieldError::with("office", "err.office_unknown", office_code)]))?;
            let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM staff WHERE login = ?1)", [login], |r| r.get(0))?;
            if exists {
                return Err(StoreError::Duplicate(login.to_string()));
            }
            tx.execute(
                "INSERT INTO staff(login, name, office_id, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![login, name.trim(), office_id, password_hash, fmt_time(now)],
            )?;
            let id = tx.last_insert_rowid();
            for role in roles {
                tx.execute("INSERT OR IGNORE INTO staff_roles(staff_id, role) VALUES (?1, ?2)", params![id, role.code()])?;
            }
            let role_list = roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
            audit(tx, now, actor, "staff.add", &format!("{login} office={office_code} roles={role_list}"))?;
            Ok(id)
        })
    }

    pub fn staff(&self) -> Result<Vec<StaffMember>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.login, s.name, o.code, (SELECT group_concat(role) FROM staff_roles r WHERE r.staff_id = s.id)
             FROM staff s JOIN offices o ON o.id = s.office_id WHERE s.active = 1 ORDER BY s.name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let roles: Option<String> = r.get(4)?;
                Ok(StaffMember {
                    id: r.get(0)?,
                    login: r.get(1)?,
                    name: r.get(2)?,
                    office_code: r.get(3)?,
                    roles: roles
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(|s| s.parse().ok())
                        .collect(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Check a login and password. Wrong passwords are counted; after `max_failed_logins` in a
    /// row the login is locked for `lockout_minutes`. Every attempt is audited.
    pub fn authenticate(
        &mut self,
        login: &str,
        password: &str,
        now: NaiveDateTime,
        security: &Security,
    ) -> Result<Actor> {
        let login = login.trim();
        let row = self
            .conn
            .query_row(
                "SELECT s.id, s.password_hash, s.locked_until FROM staff s WHERE s.login = ?1 AND s.active = 1",
                [login],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)),
            )
            .optional()?;
        let Some((id, hash, locked_until)) = row else {
            // Spend the same effort as a real check, so timing does not tell which logins exist.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000",
            );
            return Err(StoreError::BadCredentials);
        };
        if let Some(until) = locked_until.map(|s| parse_time(&s)).filter(|u| *u > now) {
            self.write(|tx| audit(tx, now, login, "auth.locked_out", &fmt_time(until)))?;
            return Err(StoreError::Locked(until.format("%H:%M").to_string()));
        }
        let ok = verify_password(password, &hash);
        let max = security.max_failed_logins;
        let lock = Duration::minutes(security.lockout_minutes as i64);
        let locked = self.write(|tx| {
            if ok {
                tx.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?1", [id])?;
                audit(tx, now, login, "auth.login", "")?;
                return Ok(None);
            }
            let failed: u32 = tx.query_row(
                "UPDATE staff SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins",
                [id],
                |r| r.get(0),
            )?;
            audit(tx, now, login, "auth.failed", &format!("attempt {failed}"))?;
            if failed >= max {
                let until = now + lock;
                tx.execute("UPDATE staff SET failed_logins = 0, locked_until = ?2 WHERE id = ?1", params![id, fmt_time(until)])?;
                audit(tx, now, login, "auth.locked", &fmt_time(until))?;
                return Ok(Some(until));
            }
            Ok(None)
        })?;
        if let Some(until) = locked {
            return Err(StoreError::Locked(until.format("%H:%M").to_string()));
        }
        if !ok {
            return Err(StoreError::BadCredentials);
        }
        self.actor(id)
    }

    /// Who a staff member is, with their office and current roles.
    pub fn actor(&self, staff_id: i64) -> Result<Actor> {
        let (login, name, office_id, office_code) = self.conn.query_row(
            "SELECT s.login, s.name, s.office_id, o.code FROM staff s JOIN offices o ON o.id = s.office_id WHERE s.id = ?1",
            [staff_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?)),
        )?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT role FROM staff_roles WHERE staff_id = ?1 ORDER BY role")?;
        let roles = stmt
            .query_map([staff_id], |r| r.get::<_, String>(0))?
            .filter_map(|r| r.ok().and_then(|s| s.parse().ok()))
            .collect();
        Ok(Actor {
            staff_id,
            login,
            name,
            office_id,
            office_code,
            roles,
        })
    }

    pub fn actor_by_login(&self, login: &str) -> Result<Actor> {
        let id: i64 = self
            .conn
            .query_row("SELECT id FROM staff WHERE login = ?1", [login], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound)?;
        self.actor(id)
    }
}

/// Used by the application store: the acting login must exist and hold `role`.
pub(crate) fn require_any(tx: &Transaction, actor: &Actor, any_of: &[Role]) -> Result<Vec<Role>> {
    let roles = super::current_roles(tx, actor)?;
    if any_of.iter().any(|r| roles.contains(r)) {
        Ok(roles)
    } else {
        Err(StoreError::Forbidden(any_of[0]))
    }
}
