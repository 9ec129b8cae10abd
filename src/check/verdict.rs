//! Verdicts: every check says how it ended and how it was decided.

use super::compare::Counterexample;
use super::diagnosis::Mistake;
use crate::expr::Shape;

/// How a step or claim was decided.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The two sides have the same canonical form (`expanded`: after expanding both).
    Proved {
        /// Equal only after expansion (distributing products, squared norms as inner products).
        expanded: bool,
    },
    /// Randomised testing on `trials` random instances found no difference.
    ConfirmedNumerically {
        /// Number of valid trials.
        trials: usize,
        /// Every trial was evaluated in exact rational arithmetic.
        exact: bool,
    },
    /// A concrete instance where the sides differ, and what the mistake probably is.
    Wrong {
        /// The instance and both sides' values.
        counterexample: Counterexample,
        /// Named mistakes, most likely first, each backed by a check.
        mistakes: Vec<Mistake>,
    },
    /// The sides cannot be equal: their shapes differ.
    IllFormed {
        /// Shape of the left side.
        left: Shape,
        /// Shape of the right side.
        right: Shape,
        /// Named mistakes (e.g. the other layout).
        mistakes: Vec<Mistake>,
    },
    /// Undecided, with the reason (a limit reached, too few valid points, …).
    Unknown {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// Proved or confirmed numerically.
    pub fn holds(&self) -> bool {
        matches!(
            self,
            Verdict::Proved { .. } | Verdict::ConfirmedNumerically { .. }
        )
    }

    /// Wrong or ill-formed.
    pub fn fails(&self) -> bool {
        matches!(self, Verdict::Wrong { .. } | Verdict::IllFormed { .. })
    }

    /// A stable one-word name: `proved`, `confirmed`, `wrong`, `ill-formed`, `unknown`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Proved { .. } => "proved",
            Verdict::ConfirmedNumerically { .. } => "confirmed",
            Verdict::Wrong { .. } => "wrong",
            Verdict::IllFormed { .. } => "ill-formed",
            Verdict::Unknown { .. } => "unknown",
        }
    }
}
