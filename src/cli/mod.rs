//! Rendering for the command line: reading input, showing diagnostics, results and reports.

pub mod batch;
pub mod check;
pub mod commands;
pub mod diagnostics;
pub mod exit;
pub mod input;
pub mod numeric;
pub mod solve;
pub mod taylor;
pub mod values;
