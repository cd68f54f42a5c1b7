//! Pure rules: no I/O, no clock, no SQL, no terminal. Dates come in as parameters.

pub mod application;
pub mod calculator;
pub mod calendar;
pub mod client_base;
pub mod draft;
pub mod member;
pub mod money;
pub mod product;
pub mod rating;
pub mod scorecard;
pub mod scorecard_derive;
pub mod validate;
pub mod words;

pub use application::{Role, Status};
pub use money::Money;
