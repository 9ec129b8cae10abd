#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod check;
pub mod diff;
pub mod document;
pub mod expr;
pub mod numeric;
pub mod print;
pub mod simplify;
pub mod solve;
pub mod syntax;
