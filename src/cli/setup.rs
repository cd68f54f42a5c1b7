//! `init`, `office`, `staff`: setting up a cooperative's database from the command line.
//!
//! These commands (like `import …` and every other subcommand) act as the OS account that
//! owns the database file, recorded as `cli:$USER`, without a login or a role check: anyone
//! who may write the file can change any row of it anyway (the `sqlite3` shell, a row in
//! `staff_roles`), so the boundary is the file's permissions (0600, or 0660 with
//! `[security] group`), and `init` creates the first administrator before any role exists.
//! Desks reach the database only through the login screen, whose every action the store
//! checks against the login's roles; their accounts have coopdesk as the SSH forced command
//! and no shell (README, «The command line acts as the file's owner»).

use super::{Context, Failure, OfficeCommand, StaffCommand, read_password_stdin};
use crate::domain::Role;
use crate::store::staff::hash_password;

fn parse_roles(ctx: &Context, s: &str) -> Result<Vec<Role>, Failure> {
    let mut roles = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let role: Role = part
            .parse()
            .map_err(|()| Failure::Setup(ctx.catalog.f("cli.unknown_role", &[("role", part)])))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(Failure::Setup(
            ctx.catalog.f("cli.unknown_role", &[("role", s)]),
        ));
    }
    Ok(roles)
}

fn need_stdin(ctx: &Context, flag: bool) -> Result<String, Failure> {
    if !flag {
        return Err(Failure::Setup(
            ctx.catalog.t("cli.password_stdin_required").to_string(),
        ));
    }
    read_password_stdin(&ctx.catalog)
}

pub fn init(
    ctx: &Context,
    admin: &str,
    password_stdin: bool,
    office: &str,
    office_name: &str,
    city: &str,
) -> Result<(), Failure> {
    let password = need_stdin(ctx, password_stdin)?;
    let mut store = ctx.open_store()?;
    let cat = &ctx.catalog;
    if store
        .is_initialised()
        .map_err(|e| Failure::from_store(e, cat))?
    {
        return Err(Failure::Refused(cat.f(
            "cli.already_initialised",
            &[("db", &ctx.db_path.display().to_string())],
        )));
    }
    let hash = hash_password(&password).map_err(|e| Failure::from_store(e, cat))?;
    let actor = ctx.cli_actor();
    let now = ctx.now();
    if store
        .office_by_code(office)
        .map_err(|e| Failure::from_store(e, cat))?
        .is_none()
    {
        store
            .add_office(&actor, office, office_name, city, now)
            .map_err(|e| Failure::from_store(e, cat))?;
    }
    store
        .add_staff(&actor, admin, admin, office, &[Role::Admin], &hash, now)
        .map_err(|e| Failure::from_store(e, cat))?;
    println!(
        "{}",
        cat.f(
            "cli.initialised",
            &[("db", &ctx.db_path.display().to_string()), ("login", admin)]
        )
    );
    Ok(())
}

pub fn office(ctx: &Context, cmd: &OfficeCommand) -> Result<(), Failure> {
    let mut store = ctx.open_existing_store()?;
    let cat = &ctx.catalog;
    match cmd {
        OfficeCommand::Add { code, name, city } => {
            store
                .add_office(&ctx.cli_actor(), code, name, city, ctx.now())
                .map_err(|e| Failure::from_store(e, cat))?;
            println!("{}", cat.f("cli.office_added", &[("code", code)]));
        }
        OfficeCommand::List => {
            for o in store.offices().map_err(|e| Failure::from_store(e, cat))? {
                println!("{}\t{}\t{}", o.code, o.name, o.city);
            }
        }
    }
    Ok(())
}

pub fn staff(ctx: &Context, cmd: &StaffCommand) -> Result<(), Failure> {
    let cat = &ctx.catalog;
    match cmd {
        StaffCommand::Add {
            login,
            name,
            office,
            roles,
            password_stdin,
        } => {
            let roles = parse_roles(ctx, roles)?;
            let password = need_stdin(ctx, *password_stdin)?;
            let mut store = ctx.open_existing_store()?;
            let hash = hash_password(&password).map_err(|e| Failure::from_store(e, cat))?;
            store
                .add_staff(
                    &ctx.cli_actor(),
                    login,
                    name,
                    office,
                    &roles,
                    &hash,
                    ctx.now(),
                )
                .map_err(|e| Failure::from_store(e, cat))?;
            println!("{}", cat.f("cli.staff_added", &[("login", login)]));
        }
        StaffCommand::List => {
            let store = ctx.open_existing_store()?;
            for s in store.staff().map_err(|e| Failure::from_store(e, cat))? {
                let roles = s
                    .roles
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(",");
                println!("{}\t{}\t{}\t{}", s.login, s.name, s.office_code, roles);
            }
        }
        StaffCommand::Set {
            login,
            specialization,
            trainee,
            novice_since,
            dismissed_on,
            territories,
        } => super::client_base::staff_set(
            ctx,
            login,
            &super::client_base::ProfileArgs {
                specialization: specialization.as_deref(),
                trainee: *trainee,
                novice_since: novice_since.as_deref(),
                dismissed_on: dismissed_on.as_deref(),
                territories: territories.as_deref(),
            },
        )?,
    }
    Ok(())
}
