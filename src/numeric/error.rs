//! Why an evaluation failed.

use std::fmt;

/// The ways evaluating an expression at an instance can fail. `Domain` means the expression is
/// undefined there (a checker re-samples); the others are limits or missing inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The exact value is not rational (e.g. `exp 1`, `√2`); retry in floating point.
    NotRational,
    /// The expression is undefined at this point (log of a non-positive number, division by
    /// zero, a singular inverse, a non-finite floating-point result, an index out of range).
    Domain {
        /// What went wrong, e.g. `log of a non-positive number`.
        what: String,
    },
    /// A free symbol has no value in the instance.
    MissingValue {
        /// The symbol's name.
        symbol: String,
    },
    /// A dimension symbol has no value in the instance.
    MissingDimension {
        /// The dimension's name.
        name: String,
    },
    /// The operation cannot be evaluated numerically (an unevaluated derivative, a non-integer
    /// matrix power).
    Unsupported {
        /// What cannot be evaluated.
        what: String,
    },
    /// Operand sizes disagree at this instance (e.g. a value of the wrong shape was supplied).
    ShapeMismatch {
        /// Which operation or symbol.
        what: String,
    },
    /// A matrix would exceed [`MAX_ENTRIES`](super::MAX_ENTRIES) entries, a number would grow
    /// too large, or a sum would take too many iterations.
    TooLarge,
}

impl EvalError {
    /// A domain error with the given description.
    pub(crate) fn domain(what: &str) -> EvalError {
        EvalError::Domain {
            what: what.to_string(),
        }
    }

    /// A shape-mismatch error with the given description.
    pub(crate) fn shape(what: &str) -> EvalError {
        EvalError::ShapeMismatch {
            what: what.to_string(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::NotRational => write!(f, "the exact value is not rational"),
            EvalError::Domain { what } => write!(f, "undefined: {what}"),
            EvalError::MissingValue { symbol } => write!(f, "no value for `{symbol}`"),
            EvalError::MissingDimension { name } => write!(f, "no value for dimension `{name}`"),
            EvalError::Unsupported { what } => write!(f, "cannot evaluate {what}"),
            EvalError::ShapeMismatch { what } => write!(f, "sizes disagree in {what}"),
            EvalError::TooLarge => write!(f, "the computation exceeds the size limits"),
        }
    }
}

impl std::error::Error for EvalError {}
