//! nabla: a symbolic calculus engine and derivation checker.
#![warn(missing_docs)]

pub mod expr;
pub mod print;
pub mod simplify;
pub mod syntax;
