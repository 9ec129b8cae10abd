//! Canonical construction of expressions (on the [`Pool`](crate::expr::Pool)), substitution, and
//! named rewrite rules.

mod construct;
mod expand;
mod functions;
mod rebuild;
mod rules;

pub use expand::{expand, expand_until, ExpansionLimit};
pub use rules::Rule;
mod textbook;

pub use textbook::textbook_form;
