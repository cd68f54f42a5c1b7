//! `coopdesk demo`: a demo database with realistic data.

use super::{Context, Failure};

pub fn run(
    _ctx: &Context,
    _members: usize,
    _applications: usize,
    _seed: u64,
) -> Result<(), Failure> {
    Err(Failure::Setup("demo data is being built".into()))
}
