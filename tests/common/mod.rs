//! Helpers shared by the test files (each file is its own crate: `mod common;`).
#![allow(dead_code)]

pub mod tmux;
pub mod tui;
