//! Checking claims: random instances and numeric equivalence of expressions.

pub mod compare;
pub mod sample;
