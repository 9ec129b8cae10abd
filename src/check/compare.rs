//! Numeric equivalence of two expressions: evaluate both at random instances, exactly where
//! possible, and report agreement, a (small) counterexample, a shape mismatch, or too few
//! points where both sides are defined.
//!
//! Symbolic shapes are compared first. Each trial then draws fresh dimension values and symbol
//! values (seeded, so the same call gives the same answer) and evaluates both sides in exact
//! rationals; a side that is not rational there (`exp 1`, `√2`) sends the trial to `f64` with a
//! relative tolerance. A trial where a side is undefined (log of a negative, a singular
//! inverse) is re-drawn; a draw equal to one already tried is counted with its earlier outcome
//! instead of being evaluated again. Both sides of a trial share one evaluation (common
//! subexpressions are computed once). An exact disagreement is certain; once one is found, small
//! instances (dimensions ≤ 2, entries in {−1, 0, 1, 2}) are tried and the smallest disagreement
//! kept: an instance that could not be smaller than the best one is not evaluated, and the
//! search stops when no instance can be smaller.

use super::sample::{sample_dimensions, sample_values, to_f64, SampleOptions};
use crate::expr::{Id, Number, Pool, Shape, SymbolId, SymbolOrigin};
use crate::numeric::{free_dimensions, free_symbols, Dense, EvalError, Evaluation, Instance};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use rustc_hash::FxHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::time::Instant;

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
    /// On a disagreement, search for a smaller counterexample (a user sees it; a caller that
    /// only asks "do they agree?" need not pay for it).
    pub shrink: bool,
    /// No instance is drawn once this instant has passed: the comparison ends
    /// [`Comparison::OutOfTime`]. The checker sets it from `CheckOptions::time_limit`; `None`
    /// means no time limit.
    pub deadline: Option<Instant>,
    /// Expressions that must have a value at a random point for it to count: the functions a
    /// claim differentiates. A derivative's formula can have values outside its function's
    /// domain (`d/dt log t = 1/t` at t = −1), where the claim says nothing.
    pub defined: Vec<Id>,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            seed: 0,
            trials: 40,
            min_valid: 20,
            rel_tol: 1e-9,
            max_attempts: 200,
            shrink: true,
            deadline: None,
            defined: Vec::new(),
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

    /// Was it computed exactly?
    pub fn is_exact(&self) -> bool {
        matches!(self, DenseValue::Exact(_))
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
    /// Two values that differ at a point given by the claim itself (no free symbols).
    pub fn at_point(left: Dense<f64>, right: Dense<f64>) -> Counterexample {
        Counterexample {
            dims: BTreeMap::new(),
            values: Vec::new(),
            left: DenseValue::Float(left),
            right: DenseValue::Float(right),
            exact: false,
        }
    }

    /// Smaller is better: total entry count, then largest |entry| (as `instance_size`).
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
    /// The deadline passed before enough valid instances were tried.
    OutOfTime {
        /// Valid trials done (all agreed).
        valid: usize,
        /// Instances drawn.
        attempted: usize,
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

/// The outcome of an instance tried before that did not end the comparison.
enum Repeat {
    Agreed { exact: bool },
    Undefined(EvalError),
}

/// The outcome of one instance.
enum Trial {
    Agreed { exact: bool },
    Differ(Counterexample),
    Undefined(EvalError),
    Failed(EvalError),
}

/// Compares `left` and `right` at random instances (the procedure is in the module doc).
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
        deadline: opts.deadline,
        ..SampleOptions::default()
    };
    let (mut valid, mut undefined, mut attempted, mut exact) = (0, 0, 0, true);
    let mut reason = String::new();
    // Instances already tried that agreed or were undefined: a repeated draw (likely when there
    // are few symbols) has the same outcome, so it is counted again without evaluating.
    let mut seen: Vec<(u64, Instance<Number>, Repeat)> = Vec::new();
    while valid < opts.trials && attempted < opts.max_attempts {
        if out_of_time(opts) {
            return Comparison::OutOfTime { valid, attempted };
        }
        attempted += 1;
        // After repeated undefined points, every other draw is entrywise positive.
        let positive = if undefined > valid && attempted % 2 == 0 {
            &all
        } else {
            &none
        };
        let mut inst = Instance::new();
        inst.dims = sample_dimensions(&dims, &mut rng, sample.max_dim);
        if !sample_values(pool, &symbols, positive, &mut rng, &sample, &mut inst) {
            return Comparison::OutOfTime { valid, attempted };
        }
        let key = fingerprint(&inst);
        let outcome = match seen.iter().find(|(k, i, _)| *k == key && *i == inst) {
            Some((_, _, Repeat::Agreed { exact })) => Trial::Agreed { exact: *exact },
            Some((_, _, Repeat::Undefined(e))) => Trial::Undefined(e.clone()),
            None => {
                let t = trial(pool, (left, right), &inst, opts, Precision::ExactOrFloat);
                let repeat = match &t {
                    Trial::Agreed { exact } => Some(Repeat::Agreed { exact: *exact }),
                    Trial::Undefined(e) => Some(Repeat::Undefined(e.clone())),
                    Trial::Differ(_) | Trial::Failed(_) => None,
                };
                if let Some(r) = repeat {
                    seen.push((key, inst, r));
                }
                t
            }
        };
        match outcome {
            Trial::Agreed { exact: e } => {
                valid += 1;
                exact &= e;
            }
            Trial::Differ(first) => {
                let counterexample = if opts.shrink {
                    shrink(pool, left, right, &symbols, &dims, first, &mut rng, opts)
                } else {
                    first
                };
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
        let reason = if reason.is_empty() {
            format!("only {attempted} draws allowed")
        } else {
            format!("{undefined} of {attempted} draws were undefined (last: {reason})")
        };
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
    let mut best_size = best.size();
    let none = BTreeSet::new();
    let all: BTreeSet<SymbolId> = symbols.iter().copied().collect();
    // No instance has fewer entries than with every dimension 1, and every drawn value has an
    // entry of magnitude ≥ 1: an exact counterexample that small cannot be beaten.
    let fewest = fewest_entries(pool, symbols);
    // Small instances repeat often; one already evaluated cannot win the second time.
    let mut tried: Vec<(u64, Instance<Number>)> = Vec::new();
    for k in 0..SHRINK_ATTEMPTS {
        if out_of_time(opts)
            || (best.exact && best_size.0 <= fewest && best_size.1 <= Number::one())
        {
            break;
        }
        // Every third draw is entrywise positive, for sides defined only there (log, √).
        let positive = if k % 3 == 2 { &all } else { &none };
        let small = SampleOptions {
            seed: opts.seed,
            max_dim: 1 + k % 2,
            integer_entries: true,
            small_entries: true,
            deadline: opts.deadline,
        };
        let mut inst = Instance::new();
        inst.dims = sample_dimensions(dims, rng, small.max_dim);
        if !sample_values(pool, symbols, positive, rng, &small, &mut inst) {
            break;
        }
        // The instance's size is known before evaluating: one no smaller than the best can
        // only win by being exact where the best is not, so it is evaluated exactly or not
        // at all (the draws, and so the result, are the same as evaluating every instance).
        let smaller = is_smaller(&inst, &best_size);
        if !smaller && best.exact {
            continue;
        }
        let key = fingerprint(&inst);
        if tried.iter().any(|(k, i)| *k == key && *i == inst) {
            continue;
        }
        let mode = if smaller {
            Precision::ExactOrFloat
        } else {
            Precision::ExactOnly
        };
        let outcome = trial(pool, (left, right), &inst, opts, mode);
        tried.push((key, inst));
        if let Trial::Differ(c) = outcome {
            // An exact counterexample beats a floating-point one of any size.
            let better = (c.exact && !best.exact) || (c.exact == best.exact && smaller);
            if better {
                best = c;
                best_size = best.size();
            }
        }
    }
    best
}

/// Total entries of the symbols' values when every dimension is 1 (sum indices have none).
fn fewest_entries(pool: &Pool, symbols: &[SymbolId]) -> usize {
    symbols
        .iter()
        .map(|&s| pool.symbol(s))
        .filter(|sym| sym.origin != SymbolOrigin::SumIndex)
        .map(|sym| {
            let one = |d: &crate::expr::Dim| usize::try_from(d.coeff).unwrap_or(usize::MAX);
            one(&sym.shape.rows).saturating_mul(one(&sym.shape.cols))
        })
        .fold(0, usize::saturating_add)
}

/// Is the instance smaller than `size` (entry count first, the largest |entry| on a tie)?
fn is_smaller(inst: &Instance<Number>, size: &(usize, Number)) -> bool {
    let count: usize = inst.values.values().map(Dense::len).sum();
    match count.cmp(&size.0) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => instance_size(inst).1 < size.1,
    }
}

/// A hash of an instance, to find repeats quickly (equal instances have equal fingerprints).
fn fingerprint(inst: &Instance<Number>) -> u64 {
    let mut h = FxHasher::default();
    for (name, v) in &inst.dims {
        name.hash(&mut h);
        v.hash(&mut h);
    }
    for (s, v) in &inst.values {
        s.hash(&mut h);
        (v.rows, v.cols).hash(&mut h);
        v.data.hash(&mut h);
    }
    h.finish()
}

/// Smaller is better: total entry count, then largest |entry| (as [`Counterexample::size`]).
fn instance_size(inst: &Instance<Number>) -> (usize, Number) {
    let count = inst.values.values().map(Dense::len).sum();
    let max = inst
        .values
        .values()
        .flat_map(|v| v.data.iter().map(Number::abs))
        .max()
        .unwrap_or_else(Number::zero);
    (count, max)
}

/// Which arithmetic a trial may use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Precision {
    /// Exact rationals, or `f64` where a side is not rational.
    ExactOrFloat,
    /// Exact rationals only: a side that is not rational makes the trial undefined.
    ExactOnly,
}

/// Why one of `defined` has no value at the instance (evaluated in `f64`), if one has none; an
/// expression that cannot be evaluated there for another reason (a symbol the sides do not
/// have) does not count.
fn outside_domain(pool: &Pool, defined: &[Id], inst: &Instance<Number>) -> Option<EvalError> {
    if defined.is_empty() {
        return None;
    }
    let point = to_f64(inst);
    defined
        .iter()
        .find_map(|&f| crate::numeric::why_undefined(pool, f, &point))
        .map(|why| EvalError::domain(&why))
}

/// Has the comparison's deadline passed?
fn out_of_time(opts: &CompareOptions) -> bool {
    opts.deadline.is_some_and(|d| Instant::now() >= d)
}

/// Evaluates both sides at one instance: exactly, or in `f64` when a side is not rational (and
/// `mode` allows it). An instance where an expression of `opts.defined` has no value is
/// undefined.
fn trial(
    pool: &Pool,
    (left, right): (Id, Id),
    inst: &Instance<Number>,
    opts: &CompareOptions,
    mode: Precision,
) -> Trial {
    let rel_tol = opts.rel_tol;
    if let Some(e) = outside_domain(pool, &opts.defined, inst) {
        return Trial::Undefined(e);
    }
    let counterexample = |left: DenseValue, right: DenseValue, exact: bool| Counterexample {
        dims: inst.dims.clone(),
        values: named_values(pool, inst),
        left,
        right,
        exact,
    };
    // Both sides share one evaluation (and so their common subexpressions).
    let mut exact = Evaluation::new(pool, inst);
    let (l, r) = (exact.value(left), exact.value(right));
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
            if mode == Precision::ExactOnly {
                return Trial::Undefined(EvalError::NotRational);
            }
            let fl = to_f64(inst);
            let mut float = Evaluation::new(pool, &fl);
            match (float.value(left), float.value(right)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Assumptions, Dim, Func, Node, NormKind, SymbolOrigin};

    fn declare(pool: &mut Pool, name: &str, shape: Shape, origin: SymbolOrigin) -> (SymbolId, Id) {
        let s = pool
            .declare(name, shape, Assumptions::default(), origin)
            .expect("fresh symbol");
        (s, pool.symbol_expr(s))
    }

    fn matrices(pool: &mut Pool, r: &str, c: &str, names: &[&str]) -> Vec<Id> {
        let shape = Shape::matrix(Dim::symbol(r), Dim::symbol(c));
        names
            .iter()
            .map(|n| declare(pool, n, shape.clone(), SymbolOrigin::Declared).1)
            .collect()
    }

    fn agreed(c: &Comparison) -> Option<bool> {
        match c {
            Comparison::AllAgreed { trials, exact } if *trials >= 20 => Some(*exact),
            _ => None,
        }
    }

    #[test]
    fn transpose_of_a_sum_built_two_ways() {
        let mut pool = Pool::new();
        let ab = matrices(&mut pool, "m", "n", &["A", "B"]);
        let sum = pool.add(&ab);
        // The raw transpose node, not pushed inward by the constructor.
        let shape = pool.shape(sum).transposed();
        let left = pool.intern(Node::Transpose(sum), shape);
        let (at, bt) = (pool.transpose(ab[0]), pool.transpose(ab[1]));
        let right = pool.add(&[at, bt]);
        assert_ne!(left, right);
        let c = compare(&pool, left, right, &CompareOptions::default());
        assert_eq!(agreed(&c), Some(true), "{c:?}");
    }

    #[test]
    fn quadratic_form_with_transposed_matrix() {
        let mut pool = Pool::new();
        let a = matrices(&mut pool, "n", "n", &["A"])[0];
        let (_, x) = declare(
            &mut pool,
            "x",
            Shape::vector(Dim::symbol("n")),
            SymbolOrigin::Declared,
        );
        let xt = pool.transpose(x);
        let left = pool.mul(&[xt, a, x]);
        let at = pool.transpose(a);
        let right = pool.intern(Node::Mul(vec![xt, at, x].into()), Shape::scalar());
        assert_ne!(left, right);
        assert_eq!(
            agreed(&compare(&pool, left, right, &CompareOptions::default())),
            Some(true)
        );
    }

    #[test]
    fn squared_norm_is_exact() {
        let mut pool = Pool::new();
        let (_, v) = declare(
            &mut pool,
            "v",
            Shape::vector(Dim::symbol("n")),
            SymbolOrigin::Declared,
        );
        let norm = pool.apply(Func::Norm(NormKind::Two), &[v]);
        let left = pool.powi(norm, 2);
        let vt = pool.transpose(v);
        let right = pool.mul(&[vt, v]);
        assert_eq!(
            agreed(&compare(&pool, left, right, &CompareOptions::default())),
            Some(true)
        );
        // ‖v‖⁴ = (vᵀv)², still exact.
        let left4 = pool.powi(norm, 4);
        let right4 = pool.powi(right, 2);
        assert_eq!(
            agreed(&compare(&pool, left4, right4, &CompareOptions::default())),
            Some(true)
        );
    }

    #[test]
    fn trace_is_cyclic() {
        let mut pool = Pool::new();
        let a = matrices(&mut pool, "m", "n", &["A"])[0];
        let b = matrices(&mut pool, "n", "m", &["B"])[0];
        let ab = pool.mul(&[a, b]);
        let left = pool.intern(Node::Apply(Func::Trace, vec![ab].into()), Shape::scalar());
        let ba = pool.mul(&[b, a]);
        let right = pool.intern(Node::Apply(Func::Trace, vec![ba].into()), Shape::scalar());
        assert_ne!(left, right);
        assert_eq!(
            agreed(&compare(&pool, left, right, &CompareOptions::default())),
            Some(true)
        );
    }

    #[test]
    fn transcendental_identities_agree_in_floating_point() {
        let mut pool = Pool::new();
        let (_, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
        let (_, y) = declare(&mut pool, "y", Shape::scalar(), SymbolOrigin::Declared);
        let (ex, ey) = (pool.apply(Func::Exp, &[x]), pool.apply(Func::Exp, &[y]));
        let left = pool.mul(&[ex, ey]);
        let xy = pool.add(&[x, y]);
        let right = pool.apply(Func::Exp, &[xy]);
        assert_eq!(
            agreed(&compare(&pool, left, right, &CompareOptions::default())),
            Some(false)
        );
        // log(xy) = log x + log y needs x, y > 0: undefined draws are re-drawn.
        let prod = pool.mul(&[x, y]);
        let left = pool.apply(Func::Log, &[prod]);
        let (lx, ly) = (pool.apply(Func::Log, &[x]), pool.apply(Func::Log, &[y]));
        let right = pool.add(&[lx, ly]);
        assert_eq!(
            agreed(&compare(&pool, left, right, &CompareOptions::default())),
            Some(false)
        );
    }

    #[test]
    fn matrix_products_do_not_commute() {
        let mut pool = Pool::new();
        let ab = matrices(&mut pool, "n", "n", &["A", "B"]);
        let left = pool.mul(&[ab[0], ab[1]]);
        let right = pool.mul(&[ab[1], ab[0]]);
        let Comparison::Disagreed { counterexample: c } =
            compare(&pool, left, right, &CompareOptions::default())
        else {
            panic!("AB = BA claimed");
        };
        assert!(c.exact);
        assert_eq!(c.dims["n"], 2, "the smallest size where they differ");
        assert_eq!(c.values.len(), 2);
        assert_eq!(c.values[0].0, "A");
        assert!(c
            .values
            .iter()
            .all(|(_, v)| v.data.iter().all(|e| e.abs() <= Number::int(2))));
        assert_ne!(c.left, c.right);
        // The counterexample really is one.
        let DenseValue::Exact(l) = &c.left else {
            panic!("exact")
        };
        let a = &c.values[0].1;
        let b = &c.values[1].1;
        assert_eq!(&a.matmul(b).expect("square"), l);
    }

    #[test]
    fn repeated_draws_count_as_trials() {
        // One scalar symbol takes few distinct values: the repeats still count, unevaluated.
        let mut pool = Pool::new();
        let (_, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
        // The raw sum x + x, not folded by the constructor.
        let left = pool.intern(Node::Add(vec![x, x].into()), Shape::scalar());
        let right = pool.scale(Number::int(2), x);
        assert_ne!(left, right);
        let c = compare(&pool, left, right, &CompareOptions::default());
        assert_eq!(
            c,
            Comparison::AllAgreed {
                trials: 40,
                exact: true
            }
        );
    }

    #[test]
    fn doubling_is_not_identity() {
        let mut pool = Pool::new();
        let (_, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
        let two_x = pool.scale(Number::int(2), x);
        let Comparison::Disagreed { counterexample: c } =
            compare(&pool, two_x, x, &CompareOptions::default())
        else {
            panic!("2x = x claimed");
        };
        assert!(c.exact);
        assert_eq!(c.values.len(), 1);
        assert!(c.values[0].1.data[0].abs() == Number::one(), "{c:?}");
    }

    #[test]
    fn floating_point_disagreement_is_found_and_small() {
        let mut pool = Pool::new();
        let (_, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
        let left = pool.apply(Func::Exp, &[x]);
        let one = pool.int(1);
        let right = pool.add(&[one, x]);
        let Comparison::Disagreed { counterexample: c } =
            compare(&pool, left, right, &CompareOptions::default())
        else {
            panic!("exp x = 1 + x claimed");
        };
        assert!(!c.exact);
        assert!(!c.left.is_exact() && !c.right.is_exact());
        assert!(c.values[0].1.data[0].abs() <= Number::int(2));
    }

    #[test]
    fn transposed_shapes_mismatch_before_sampling() {
        let mut pool = Pool::new();
        let a = matrices(&mut pool, "m", "n", &["A"])[0];
        let at = pool.transpose(a);
        match compare(&pool, a, at, &CompareOptions::default()) {
            Comparison::ShapeMismatch { left, right } => {
                assert_eq!(left, Shape::matrix(Dim::symbol("m"), Dim::symbol("n")));
                assert_eq!(right, left.transposed());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nowhere_defined_side_gives_too_few_valid() {
        let mut pool = Pool::new();
        let (_, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
        let x2 = pool.powi(x, 2);
        let m1 = pool.int(-1);
        let neg = pool.scale(Number::int(-1), x2);
        let arg = pool.add(&[neg, m1]);
        let left = pool.apply(Func::Log, &[arg]);
        let zero = pool.int(0);
        match compare(&pool, left, zero, &CompareOptions::default()) {
            Comparison::TooFewValid {
                valid,
                attempted,
                reason,
            } => {
                assert_eq!(valid, 0);
                assert_eq!(attempted, 200);
                assert!(reason.contains("log"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn same_seed_same_counterexample() {
        let mut pool = Pool::new();
        let ab = matrices(&mut pool, "n", "n", &["A", "B"]);
        let left = pool.mul(&[ab[0], ab[1]]);
        let right = pool.mul(&[ab[1], ab[0]]);
        let opts = CompareOptions {
            seed: 42,
            ..CompareOptions::default()
        };
        let first = compare(&pool, left, right, &opts);
        assert!(matches!(first, Comparison::Disagreed { .. }));
        assert_eq!(first, compare(&pool, left, right, &opts));
    }
}
