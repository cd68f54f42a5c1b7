//! coopdesk: a terminal desk application for the branch staff of a credit cooperative.

pub mod cli;
pub mod client_base_rules;
pub mod config;
pub mod docs;
pub mod domain;
pub mod i18n;
pub mod rules;
pub mod scorecards;
pub mod store;
pub mod tomlfile;
pub mod tui;
