//! Reading the language: spans, the syntax tree, the parser for all three spellings, diagnostics,
//! and lowering to span-free expressions.

pub mod ast;
pub mod diagnostic;
pub mod parser;
pub mod span;

pub use parser::{parse_expression, parse_program};
