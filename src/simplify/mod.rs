//! Canonical construction of expressions and named rewrite rules.
