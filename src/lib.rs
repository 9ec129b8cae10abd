//! nabla: a symbolic calculus engine and derivation checker.
#![warn(missing_docs)]

pub mod diff;
pub mod expr;
pub mod simplify;
pub mod syntax;
