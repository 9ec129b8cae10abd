//! Numeric equivalence of two expressions.
