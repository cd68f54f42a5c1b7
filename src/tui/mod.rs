//! The terminal interface.

use crate::cli::{Context, Failure};

pub fn run(_ctx: &Context) -> Result<(), Failure> {
    Err(Failure::Setup(
        "the terminal interface is being built".into(),
    ))
}
