//! nabla: a symbolic calculus engine and derivation checker.
#![warn(missing_docs)]

pub mod check;
pub mod diff;
pub mod expr;
pub mod numeric;
pub mod simplify;
pub mod syntax;
