//! Reading the language: spans, the syntax tree, the parser for all three spellings, diagnostics,
//! and lowering to span-free expressions.

pub mod ast;
pub mod diagnostic;
pub mod lower;
pub mod parser;
pub mod span;

pub use lower::{
    declare, lower_checkable_program, lower_program, FunctionDef, Layout, LowerOptions, Lowered,
    LoweredClaim, LoweredMethod, LoweredStatement, LoweredStep, StepRelation,
};
pub use parser::{
    parse_checkable_program, parse_expression, parse_expression_with, parse_program,
    parse_program_with,
};
