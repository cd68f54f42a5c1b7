//! The screens and dialogs: each owns its state, its keys and its drawing.

pub mod audit;
pub mod calculator;
pub mod client_base;
pub mod dialog;
pub mod filter;
pub mod login;
pub mod member_card;
pub mod members;
pub mod print;
pub mod queue;
pub mod rating;
pub mod scoring;
pub mod step;
