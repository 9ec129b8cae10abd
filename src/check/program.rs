//! Checking a whole derivation file: every claim, in order.

use super::claim::{check_claim, CheckOptions, ClaimReport};
use super::numeric_statements::{numeric_statement, NumericOptions, NumericReport};
use crate::syntax::diagnostic::Diagnostic;
use crate::syntax::lower::{Lowered, LoweredStatement};
use crate::syntax::span::Span;

/// What happened to one statement of a file.
#[derive(Clone, Debug)]
pub enum StatementReport {
    /// A claim and the verdicts on its steps.
    Claim(ClaimReport),
    /// A numeric statement (`descend`, `classify`, `critical`) and what it found.
    Numeric(Box<NumericReport>),
    /// A claim that could not be read (ill-formed: a shape error, an unknown name, …).
    Unreadable {
        /// Why.
        diagnostic: Diagnostic,
        /// The whole claim.
        span: Span,
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
            StatementReport::Numeric(_) | StatementReport::Unreadable { .. } => None,
        })
    }

    /// Some claim is wrong or ill-formed (or could not be read).
    pub fn has_failure(&self) -> bool {
        self.claims().any(|c| c.first_failure().is_some())
            || self
                .statements
                .iter()
                .any(|s| matches!(s, StatementReport::Unreadable { .. }))
    }
}

/// Checks every claim of a lowered file and runs its numeric statements with default options.
pub fn check_program(lowered: &mut Lowered, options: &CheckOptions) -> ProgramReport {
    check_program_with(lowered, options, &NumericOptions::default(), &mut |_, _| {})
}

/// Checks every claim of a lowered file and runs its numeric statements (`descend` uses the
/// gradient claimed before it once verified); `progress(k, iters)` follows long descents.
pub fn check_program_with(
    lowered: &mut Lowered,
    options: &CheckOptions,
    numeric: &NumericOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> ProgramReport {
    let mut report = ProgramReport::default();
    let mut claims = Vec::new();
    for statement in &lowered.statements {
        match statement {
            LoweredStatement::Claim(claim) => {
                let r = check_claim(&mut lowered.pool, claim, options);
                claims.push((claim, r.clone()));
                report.statements.push(StatementReport::Claim(r));
            }
            LoweredStatement::Unreadable { diagnostic, span } => {
                report.statements.push(StatementReport::Unreadable {
                    diagnostic: diagnostic.clone(),
                    span: *span,
                });
            }
            other => {
                let checked: Vec<_> = claims.iter().map(|(c, r)| (*c, r)).collect();
                if let Some(r) = numeric_statement(
                    &mut lowered.pool,
                    &lowered.functions,
                    other,
                    &checked,
                    numeric,
                    progress,
                ) {
                    report
                        .statements
                        .push(StatementReport::Numeric(Box::new(r)));
                }
            }
        }
    }
    report
}
