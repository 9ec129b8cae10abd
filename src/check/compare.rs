//! Numeric equivalence of two expressions: evaluate both at random instances, exactly where
//! possible, and report agreement, a (small) counterexample, a shape mismatch, or too few
//! points where both sides are defined.

use super::sample::{sample_dimensions, sample_values, to_f64, SampleOptions};
use crate::expr::{Id, Number, Pool, Shape, SymbolId};
use crate::numeric::{evaluate, free_dimensions, free_symbols, Dense, EvalError, Instance};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use std::collections::{BTreeMap, BTreeSet};

/// How hard and how strictly to compare.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareOptions {
    /// Seed of the instance generator: the same inputs and seed give the same result.
    pub seed: u64,
    /// Valid trials wanted.
    pub trials: usize,
    /// Fewest valid trials that still count as agreement.
    pub min_valid: usize,
    /// Relative tolerance of floating-point trials: `|a − b| ≤ rel_tol · max(1, |a|, |b|)`.
    pub rel_tol: f64,
    /// Most instances drawn (trials at undefined points are re-drawn and count here).
    pub max_attempts: usize,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            seed: 0,
            trials: 40,
            min_valid: 20,
            rel_tol: 1e-9,
            max_attempts: 200,
        }
    }
}

/// A value computed exactly or in floating point.
#[derive(Clone, Debug, PartialEq)]
pub enum DenseValue {
    /// Exact rationals.
    Exact(Dense<Number>),
    /// Floating point.
    Float(Dense<f64>),
}

impl DenseValue {
    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            DenseValue::Exact(d) => d.shape(),
            DenseValue::Float(d) => d.shape(),
        }
    }

    /// The value in floating point.
    pub fn to_f64(&self) -> Dense<f64> {
        match self {
            DenseValue::Exact(d) => d.map(|a| a.to_f64()),
            DenseValue::Float(d) => d.clone(),
        }
    }
}

/// An instance where the two sides differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterexample {
    /// The dimension values.
    pub dims: BTreeMap<String, u64>,
    /// The symbol values, by symbol name (sorted).
    pub values: Vec<(String, Dense<Number>)>,
    /// The left side's value there.
    pub left: DenseValue,
    /// The right side's value there.
    pub right: DenseValue,
    /// Whether both sides were evaluated exactly (so the disagreement is certain).
    pub exact: bool,
}

impl Counterexample {
    /// Smaller is better: total entry count, then largest |entry|.
    fn size(&self) -> (usize, Number) {
        let count = self.values.iter().map(|(_, v)| v.len()).sum();
        let max = self
            .values
            .iter()
            .flat_map(|(_, v)| v.data.iter().map(Number::abs))
            .max()
            .unwrap_or_else(Number::zero);
        (count, max)
    }
}

/// How a comparison ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Comparison {
    /// Every valid trial agreed; `exact` when all were evaluated in exact arithmetic.
    AllAgreed {
        /// Number of valid trials.
        trials: usize,
        /// Whether every trial was exact.
        exact: bool,
    },
    /// The sides differ at an instance.
    Disagreed {
        /// The smallest differing instance found.
        counterexample: Counterexample,
    },
    /// The symbolic shapes differ, so no instance is needed.
    ShapeMismatch {
        /// Shape of the left side.
        left: Shape,
        /// Shape of the right side.
        right: Shape,
    },
    /// Too few instances where both sides are defined (or evaluation is impossible).
    TooFewValid {
        /// Valid trials.
        valid: usize,
        /// Instances drawn.
        attempted: usize,
        /// Why, e.g. the last domain error.
        reason: String,
    },
}

/// The outcome of one instance.
enum Trial {
    Agreed { exact: bool },
    Differ(Counterexample),
    Undefined(EvalError),
    Failed(EvalError),
}

/// Compares `left` and `right` at random instances (see the module doc).
pub fn compare(pool: &Pool, left: Id, right: Id, opts: &CompareOptions) -> Comparison {
    let (ls, rs) = (pool.shape(left), pool.shape(right));
    if ls != rs {
        return Comparison::ShapeMismatch {
            left: ls.clone(),
            right: rs.clone(),
        };
    }
    let symbols: Vec<SymbolId> = free_symbols(pool, &[left, right]).into_iter().collect();
    let dims = free_dimensions(pool, &[left, right]);
    let all: BTreeSet<SymbolId> = symbols.iter().copied().collect();
    let none = BTreeSet::new();
    let mut rng = Pcg64::seed_from_u64(opts.seed);
    let sample = SampleOptions {
        seed: opts.seed,
        ..SampleOptions::default()
    };
    let (mut valid, mut undefined, mut attempted, mut exact) = (0, 0, 0, true);
    let mut reason = String::new();
    while valid < opts.trials && attempted < opts.max_attempts {
        attempted += 1;
        // After repeated undefined points, every other draw is entrywise positive.
        let positive = if undefined > valid && attempted % 2 == 0 {
            &all
        } else {
            &none
        };
        let mut inst = Instance::new();
        inst.dims = sample_dimensions(&dims, &mut rng, sample.max_dim);
        sample_values(pool, &symbols, positive, &mut rng, &sample, &mut inst);
        match trial(pool, left, right, &inst, opts.rel_tol) {
            Trial::Agreed { exact: e } => {
                valid += 1;
                exact &= e;
            }
            Trial::Differ(first) => {
                let counterexample =
                    shrink(pool, left, right, &symbols, &dims, first, &mut rng, opts);
                return Comparison::Disagreed { counterexample };
            }
            Trial::Undefined(e) => {
                undefined += 1;
                reason = e.to_string();
            }
            Trial::Failed(e) => {
                return Comparison::TooFewValid {
                    valid,
                    attempted,
                    reason: e.to_string(),
                }
            }
        }
    }
    if valid >= opts.min_valid.min(opts.trials).max(1) {
        Comparison::AllAgreed {
            trials: valid,
            exact,
        }
    } else {
        Comparison::TooFewValid {
            valid,
            attempted,
            reason,
        }
    }
}

/// Draws small instances (dimensions ≤ 2, entries in {−1, 0, 1, 2}) and keeps the smallest
/// counterexample found, starting from `first`.
#[allow(clippy::too_many_arguments)]
fn shrink(
    pool: &Pool,
    left: Id,
    right: Id,
    symbols: &[SymbolId],
    dims: &BTreeSet<String>,
    first: Counterexample,
    rng: &mut Pcg64,
    opts: &CompareOptions,
) -> Counterexample {
    const SHRINK_ATTEMPTS: u64 = 48;
    let mut best = first;
    let none = BTreeSet::new();
    let all: BTreeSet<SymbolId> = symbols.iter().copied().collect();
    for k in 0..SHRINK_ATTEMPTS {
        // Every third draw is entrywise positive, for sides defined only there (log, √).
        let positive = if k % 3 == 2 { &all } else { &none };
        let small = SampleOptions {
            seed: opts.seed,
            max_dim: 1 + k % 2,
            integer_entries: true,
            small_entries: true,
        };
        let mut inst = Instance::new();
        inst.dims = sample_dimensions(dims, rng, small.max_dim);
        sample_values(pool, symbols, positive, rng, &small, &mut inst);
        if let Trial::Differ(c) = trial(pool, left, right, &inst, opts.rel_tol) {
            // An exact counterexample beats a floating-point one of any size.
            let better =
                (c.exact && !best.exact) || (c.exact == best.exact && c.size() < best.size());
            if better {
                best = c;
            }
        }
    }
    best
}

/// Evaluates both sides at one instance: exactly, or in `f64` when a side is not rational.
fn trial(pool: &Pool, left: Id, right: Id, inst: &Instance<Number>, rel_tol: f64) -> Trial {
    let l = evaluate(pool, left, inst);
    let r = evaluate(pool, right, inst);
    let counterexample = |left: DenseValue, right: DenseValue, exact: bool| Counterexample {
        dims: inst.dims.clone(),
        values: named_values(pool, inst),
        left,
        right,
        exact,
    };
    match (l, r) {
        (Ok(a), Ok(b)) => {
            if a == b {
                Trial::Agreed { exact: true }
            } else {
                Trial::Differ(counterexample(
                    DenseValue::Exact(a),
                    DenseValue::Exact(b),
                    true,
                ))
            }
        }
        (Err(e @ EvalError::Domain { .. }), _) | (_, Err(e @ EvalError::Domain { .. })) => {
            Trial::Undefined(e)
        }
        (l, r) => {
            if let Some(e) = [l, r]
                .into_iter()
                .find_map(|x| x.err().filter(|e| !falls_back(e)))
            {
                return Trial::Failed(e);
            }
            let fl = to_f64(inst);
            match (evaluate(pool, left, &fl), evaluate(pool, right, &fl)) {
                (Ok(a), Ok(b)) => {
                    if close(&a, &b, rel_tol) {
                        Trial::Agreed { exact: false }
                    } else {
                        Trial::Differ(counterexample(
                            DenseValue::Float(a),
                            DenseValue::Float(b),
                            false,
                        ))
                    }
                }
                (Err(e @ EvalError::Domain { .. }), _) | (_, Err(e @ EvalError::Domain { .. })) => {
                    Trial::Undefined(e)
                }
                (Err(e), _) | (_, Err(e)) => Trial::Failed(e),
            }
        }
    }
}

/// Can a failed exact evaluation be retried in floating point?
fn falls_back(e: &EvalError) -> bool {
    matches!(e, EvalError::NotRational | EvalError::TooLarge)
}

/// Entrywise `|a − b| ≤ rel_tol · max(1, |a|, |b|)`, and equal sizes.
fn close(a: &Dense<f64>, b: &Dense<f64>, rel_tol: f64) -> bool {
    a.shape() == b.shape()
        && a.data
            .iter()
            .zip(&b.data)
            .all(|(x, y)| (x - y).abs() <= rel_tol * 1f64.max(x.abs()).max(y.abs()))
}

/// The instance's symbol values by name, sorted by name.
fn named_values(pool: &Pool, inst: &Instance<Number>) -> Vec<(String, Dense<Number>)> {
    let mut v: Vec<(String, Dense<Number>)> = inst
        .values
        .iter()
        .map(|(s, d)| (pool.symbol(*s).name.clone(), d.clone()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}
