//! Checking a whole derivation file: every claim, in order.

use super::claim::{check_claim, CheckOptions, ClaimReport};
use crate::syntax::lower::{Lowered, LoweredStatement};
use crate::syntax::span::Span;

/// What happened to one statement of a file.
#[derive(Clone, Debug)]
pub enum StatementReport {
    /// A claim and the verdicts on its steps.
    Claim(ClaimReport),
    /// A numeric statement (`descend`, `classify`, `critical`) that this version does not run.
    NotRun {
        /// The statement.
        span: Span,
        /// Which statement.
        what: &'static str,
    },
}

/// The report on a whole file.
#[derive(Clone, Debug, Default)]
pub struct ProgramReport {
    /// One entry per claim or numeric statement, in source order.
    pub statements: Vec<StatementReport>,
}

impl ProgramReport {
    /// The claims' reports.
    pub fn claims(&self) -> impl Iterator<Item = &ClaimReport> {
        self.statements.iter().filter_map(|s| match s {
            StatementReport::Claim(c) => Some(c),
            StatementReport::NotRun { .. } => None,
        })
    }

    /// Some claim is wrong or ill-formed.
    pub fn has_failure(&self) -> bool {
        self.claims().any(|c| c.first_failure().is_some())
    }
}

/// Checks every claim of a lowered file.
pub fn check_program(lowered: &mut Lowered, options: &CheckOptions) -> ProgramReport {
    let mut report = ProgramReport::default();
    for statement in &lowered.statements {
        match statement {
            LoweredStatement::Claim(claim) => {
                let r = check_claim(&mut lowered.pool, claim, options);
                report.statements.push(StatementReport::Claim(r));
            }
            LoweredStatement::Descend { span, .. } => {
                report.statements.push(StatementReport::NotRun {
                    span: *span,
                    what: "descend",
                })
            }
            LoweredStatement::Classify { span, .. } => {
                report.statements.push(StatementReport::NotRun {
                    span: *span,
                    what: "classify",
                })
            }
            LoweredStatement::Critical { span, .. } => {
                report.statements.push(StatementReport::NotRun {
                    span: *span,
                    what: "critical",
                })
            }
            _ => {}
        }
    }
    report
}
