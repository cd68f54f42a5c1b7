pub mod form;
pub mod grid;
