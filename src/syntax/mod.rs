//! Reading the language: spans, the syntax tree, the parser for all three spellings, diagnostics,
//! and lowering to span-free expressions.

pub mod ast;
pub mod diagnostic;
pub mod lower;
pub mod span;

pub use lower::{
    declare, lower_program, FunctionDef, Layout, LowerOptions, Lowered, LoweredClaim,
    LoweredMethod, LoweredStatement, LoweredStep, StepRelation,
};
