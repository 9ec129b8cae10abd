//! Checking claims: random instances, numeric equivalence, verdicts on every step of a chain, and
//! the diagnosis of wrong steps by name.

mod claim;
pub mod compare;
mod diagnosis;
pub mod numeric_statements;
mod program;
pub mod sample;
mod verdict;

pub use claim::{check_claim, describe_duration, CheckOptions, ClaimReport, StepReport};
pub use diagnosis::{dag_size, free_symbols, Mistake};
pub use numeric_statements::NumericOptions;
pub use program::{check_program, check_program_with, ProgramReport, StatementReport};
pub use verdict::Verdict;
