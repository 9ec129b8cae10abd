//! Naming the mistake in a wrong step: each candidate explanation is tested (symbolically or by
//! randomised comparison) and reported only when it holds.

use super::compare::{compare, CompareOptions, Comparison};
use super::sample::{sample_instance, to_f64, SampleOptions};
use crate::diff::evaluate_derivatives;
use crate::expr::{Derivative, Id, Node, Number, Pool, SymbolId};
use crate::numeric::{Evaluation, Instance};
use crate::simplify::expand_until;
use rand::SeedableRng;
use rand_pcg::Pcg64;
use std::collections::{BTreeSet, HashMap};

/// A named mistake, with what is needed to explain it.
#[derive(Clone, Debug, PartialEq)]
pub enum Mistake {
    /// The claim is `factor` times the correct result (`factor` ≠ 1, −1).
    Factor {
        /// claimed / correct.
        factor: Number,
    },
    /// The claim is the negative of the correct result.
    Sign,
    /// The correct result is the claim times this factor (a scalar expression): a chain-rule
    /// factor left out, say.
    MissingFactor {
        /// correct / claimed.
        factor: Id,
    },
    /// The claim is the correct result times this factor.
    ExtraFactor {
        /// claimed / correct.
        factor: Id,
    },
    /// The claim is the transpose of the correct result; `layout` when it is the other layout
    /// convention of a Jacobian or gradient.
    Transposed {
        /// The transpose is the other layout convention.
        layout: bool,
    },
    /// The claim holds only when this matrix is symmetric.
    AssumedSymmetric {
        /// The matrix's name.
        symbol: String,
    },
    /// The claim holds only when this scalar quantity of the correct result is 1 (`sum(y) = 1`
    /// for a probability vector y, say).
    AssumedOne {
        /// The quantity (in the correct result, absent from the claim).
        quantity: Id,
    },
    /// The correct result has this term, which the claim lacks.
    MissingTerm {
        /// The missing term.
        term: Id,
    },
    /// The claim has this term, which the correct result lacks.
    ExtraTerm {
        /// The extra term.
        term: Id,
    },
    /// Some entries of a literal matrix are wrong.
    WrongEntries {
        /// (row, column) 1-based, the correct entry, the claimed entry.
        entries: Vec<(usize, usize, Id, Id)>,
    },
    /// The claim is the derivative with respect to another variable.
    WrongVariable {
        /// The variable the claim differentiates by.
        used: String,
        /// The variable asked for.
        intended: String,
    },
    /// The claim is the derivative of a different expression: one term of the definition with
    /// its sign flipped.
    DifferentFunction {
        /// The term whose sign differs.
        term: Id,
    },
}

/// What the checker knows about a step: both sides' values and, when the left side is a
/// derivative, the operator.
pub struct StepContext<'a> {
    /// The correct value (the previous step, evaluated).
    pub correct: Id,
    /// The claimed value.
    pub claimed: Id,
    /// The derivative operator of the left side, when it is one.
    pub derivative: Option<&'a Derivative>,
    /// Comparison settings.
    pub compare: &'a CompareOptions,
    /// Expansion budget (terms).
    pub max_terms: usize,
}

/// Tests each candidate explanation of a wrong step; returns those that hold, most likely first.
pub fn diagnose(pool: &mut Pool, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let mut found = Vec::new();
    let (c, g) = (ctx.claimed, ctx.correct);
    if pool.shape(c) == pool.shape(g) {
        if let Some((k, consistent)) = estimate_ratio(pool, c, g, ctx.compare) {
            // A zero ratio is a claim of 0, not a factor.
            if consistent && !k.is_one() && !k.is_zero() {
                let kg = pool.scale(k.clone(), g);
                if agrees(pool, c, kg, ctx) {
                    found.push(if k.is_minus_one() {
                        Mistake::Sign
                    } else {
                        Mistake::Factor { factor: k }
                    });
                }
            }
        }
    }
    if found.is_empty() && pool.is_scalar(c) && pool.is_scalar(g) {
        found.extend(scalar_factor(pool, c, g, ctx));
    }
    let gt = pool.transpose(g);
    if gt != g && pool.shape(c) == pool.shape(gt) && agrees(pool, c, gt, ctx) {
        // Only a Jacobian has a layout convention; a gradient has its variable's shape.
        let layout = ctx
            .derivative
            .is_some_and(|d| d.kind == crate::expr::DerivativeKind::Jacobian);
        found.push(Mistake::Transposed { layout });
    }
    if pool.shape(c) != pool.shape(g) {
        return found;
    }
    if found.is_empty() {
        found.extend(symmetry(pool, c, g, ctx));
    }
    if found.is_empty() && !pool.is_scalar(g) {
        found.extend(array_factor(pool, c, g));
    }
    if found.is_empty() {
        found.extend(assumed_one(pool, c, g, ctx));
    }
    if found.is_empty() {
        found.extend(term_difference(pool, c, g, ctx));
    }
    if found.is_empty() {
        found.extend(wrong_entries(pool, c, g, ctx));
    }
    if let Some(d) = ctx.derivative {
        if found.is_empty() {
            found.extend(wrong_variable(pool, c, d, ctx));
        }
        if found.is_empty() {
            found.extend(different_function(pool, c, d, ctx));
        }
    }
    found
}

/// Trials that confirm an explanation of a step already found wrong (the verdict itself used the
/// full count).
const EXPLANATION_TRIALS: usize = 12;

/// Trials that must agree before an explanation is tried symbolically: most wrong explanations
/// are refuted by the first one, and a proof makes the remaining trials unnecessary.
const REFUTATION_TRIALS: usize = 2;

/// Do two expressions agree? Used to confirm an explanation, so no counterexample is shrunk.
/// A few random instances come first (they refute most candidates cheaply); then the
/// difference is expanded, and agreement is proved when it vanishes; otherwise agreement needs
/// fewer trials than a verdict. The random instances are the first ones of the full comparison
/// (same seed), so a candidate the first trials refute is one the full comparison refutes too.
pub fn agrees(pool: &mut Pool, a: Id, b: Id, ctx: &StepContext<'_>) -> bool {
    if a == b {
        return true;
    }
    let opts = ctx.compare;
    let full = CompareOptions {
        shrink: false,
        trials: opts.trials.min(EXPLANATION_TRIALS),
        min_valid: opts.min_valid.min(EXPLANATION_TRIALS / 2),
        ..opts.clone()
    };
    let quick = CompareOptions {
        trials: full.trials.min(REFUTATION_TRIALS),
        min_valid: full.min_valid.min(REFUTATION_TRIALS),
        ..full.clone()
    };
    if !matches!(compare(pool, a, b, &quick), Comparison::AllAgreed { .. }) {
        return false;
    }
    let difference = pool.sub(a, b);
    if let Ok(d) = expand_until(pool, difference, ctx.max_terms, opts.deadline) {
        if pool.is_zero(d) {
            return true;
        }
    }
    matches!(compare(pool, a, b, &full), Comparison::AllAgreed { .. })
}

/// claimed / correct at the entry of largest magnitude of a random instance: exact when both
/// sides are rational there, otherwise in floating point and rounded to a simple fraction (the
/// caller verifies the factor). Also whether claimed = ratio · correct at every entry there
/// (when exact; a floating-point estimate is not checked): if not, the factor is refuted.
fn estimate_ratio(pool: &Pool, c: Id, g: Id, compare: &CompareOptions) -> Option<(Number, bool)> {
    let symbols: Vec<SymbolId> = free_symbols(pool, &[c, g]).into_iter().collect();
    let seed = compare.seed;
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x5eed);
    let opts = SampleOptions {
        seed,
        max_dim: 3,
        integer_entries: true,
        deadline: compare.deadline,
        ..SampleOptions::default()
    };
    for _ in 0..8 {
        let inst: Instance<Number> =
            sample_instance(pool, &symbols, &BTreeSet::new(), &mut rng, &opts);
        let mut exact = Evaluation::new(pool, &inst);
        if let (Ok(cv), Ok(gv)) = (exact.value(c), exact.value(g)) {
            let best = gv
                .data
                .iter()
                .zip(&cv.data)
                .filter(|(x, _)| !x.is_zero())
                .max_by(|a, b| a.0.abs().cmp(&b.0.abs()));
            if let Some((x, y)) = best {
                let k = x.recip().map(|r| y * &r)?;
                let consistent = cv.data.iter().zip(&gv.data).all(|(y, x)| *y == x * &k);
                return Some((k, consistent));
            }
            continue;
        }
        let inst = to_f64(&inst);
        let mut float = Evaluation::new(pool, &inst);
        let (Ok(cv), Ok(gv)) = (float.value(c), float.value(g)) else {
            continue;
        };
        let best = gv
            .data
            .iter()
            .zip(&cv.data)
            .filter(|(x, _)| x.abs() > 1e-6)
            .max_by(|a, b| a.0.abs().total_cmp(&b.0.abs()));
        if let Some((x, y)) = best {
            return simple_fraction(y / x).map(|k| (k, true));
        }
    }
    None
}

/// The fraction p/q with q ≤ 12 nearest to `r`, if it is within 1e-9 relative.
fn simple_fraction(r: f64) -> Option<Number> {
    if !r.is_finite() || r.abs() > 1e6 {
        return None;
    }
    (1..=12i64).find_map(|q| {
        let p = (r * q as f64).round();
        ((p / q as f64 - r).abs() <= 1e-9 * r.abs().max(1.0)).then(|| Number::ratio(p as i64, q))
    })
}

/// The symbols an expression depends on (sum indices excluded).
pub fn free_symbols(pool: &Pool, roots: &[Id]) -> BTreeSet<SymbolId> {
    let mut seen = BTreeSet::new();
    let mut out = BTreeSet::new();
    let mut stack: Vec<Id> = roots.to_vec();
    while let Some(e) = stack.pop() {
        if !seen.insert(e) {
            continue;
        }
        match pool.node(e) {
            Node::Sym(s) => {
                if pool.symbol(*s).origin != crate::expr::SymbolOrigin::SumIndex {
                    out.insert(*s);
                }
            }
            node => stack.extend(node.children()),
        }
    }
    out
}

/// The ratio of the two sides is a simple expression (simpler than the correct result).
fn scalar_factor(pool: &mut Pool, c: Id, g: Id, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let size_g = dag_size(pool, g);
    let ci = pool.inverse(c);
    let missing = pool.mul(&[g, ci]);
    if pool.as_number(missing).is_none() && dag_size(pool, missing) < size_g {
        let check = pool.mul(&[c, missing]);
        if agrees(pool, check, g, ctx) {
            return vec![Mistake::MissingFactor { factor: missing }];
        }
    }
    let gi = pool.inverse(g);
    let extra = pool.mul(&[c, gi]);
    if pool.as_number(extra).is_none() && dag_size(pool, extra) < size_g {
        let check = pool.mul(&[g, extra]);
        if agrees(pool, check, c, ctx) {
            return vec![Mistake::ExtraFactor { factor: extra }];
        }
    }
    Vec::new()
}

/// Number of distinct nodes reachable from `e`.
pub fn dag_size(pool: &Pool, e: Id) -> usize {
    pool.subexpressions(e).len()
}

/// Holds only for symmetric A: compare with A replaced by ½(A + Aᵀ).
fn symmetry(pool: &mut Pool, c: Id, g: Id, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let mut out = Vec::new();
    for s in free_symbols(pool, &[c, g]) {
        let sym = pool.symbol(s).clone();
        if sym.assumptions.symmetric || !sym.shape.is_square() || sym.shape.is_scalar() {
            continue;
        }
        let a = pool.symbol_expr(s);
        let at = pool.transpose(a);
        let sum = pool.add(&[a, at]);
        let half = pool.scale(Number::ratio(1, 2), sum);
        let map = HashMap::from([(a, half)]);
        let (c2, g2) = (pool.substitute(c, &map), pool.substitute(g, &map));
        if agrees(pool, c2, g2, ctx) {
            out.push(Mistake::AssumedSymmetric { symbol: sym.name });
        }
    }
    out
}

/// One side is the other times scalar factors (`a/(aᵀx)` against `a`): the factors missing
/// from the claim, or extra in it. Decided on the canonical forms.
fn array_factor(pool: &mut Pool, c: Id, g: Id) -> Vec<Mistake> {
    let split = |pool: &mut Pool, e: Id| -> Option<(Id, Id)> {
        let Node::Mul(fs) = pool.node(e).clone() else {
            return None;
        };
        let k = fs.iter().position(|&f| !pool.is_scalar(f))?;
        if k == 0 || pool.as_number(fs[0]).is_some_and(|_| k == 1) {
            return None;
        }
        let scalars = pool.mul(&fs[..k]);
        let rest = pool.mul(&fs[k..]);
        Some((scalars, rest))
    };
    if let Some((factor, rest)) = split(pool, g) {
        if rest == c {
            return vec![Mistake::MissingFactor { factor }];
        }
    }
    if let Some((factor, rest)) = split(pool, c) {
        if rest == g {
            return vec![Mistake::ExtraFactor { factor }];
        }
    }
    Vec::new()
}

/// Most quantities [`assumed_one`] tries.
const MAX_ASSUMED_QUANTITIES: usize = 8;

/// Holds only when a scalar quantity of the correct result (a sum of entries, a norm, a trace,
/// a determinant, an inner product) that the claim lacks equals 1: compare with it replaced by 1.
fn assumed_one(pool: &mut Pool, c: Id, g: Id, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let in_claim = pool.subexpressions(c);
    let mut candidates: Vec<Id> = pool
        .subexpressions(g)
        .into_iter()
        .filter(|&q| {
            pool.is_scalar(q)
                && !in_claim.contains(&q)
                && match pool.node(q) {
                    Node::Apply(f, args) => {
                        matches!(
                            f,
                            crate::expr::Func::Sum
                                | crate::expr::Func::Norm(_)
                                | crate::expr::Func::Trace
                                | crate::expr::Func::Det
                        ) && !pool.is_scalar(args[0])
                    }
                    Node::Mul(fs) => fs.iter().all(|&f| !pool.is_scalar(f)),
                    _ => false,
                }
        })
        .collect();
    candidates.sort_by_key(|&q| dag_size(pool, q));
    candidates.truncate(MAX_ASSUMED_QUANTITIES);
    let one = pool.int(1);
    for q in candidates {
        let g1 = pool.substitute(g, &HashMap::from([(q, one)]));
        if g1 != g && agrees(pool, c, g1, ctx) {
            return vec![Mistake::AssumedOne { quantity: q }];
        }
    }
    Vec::new()
}

/// The difference is a single term of one side's expansion.
fn term_difference(pool: &mut Pool, c: Id, g: Id, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let (max_terms, deadline) = (ctx.max_terms, ctx.compare.deadline);
    let Ok(diff) = pool_expand_sub(pool, g, c, max_terms, deadline) else {
        return Vec::new();
    };
    if pool.is_zero(diff) || matches!(pool.node(diff), Node::Add(_)) {
        return Vec::new();
    }
    let terms_of = |pool: &mut Pool, e: Id| -> Vec<Id> {
        match expand_until(pool, e, max_terms, deadline) {
            Ok(x) => match pool.node(x) {
                Node::Add(ts) => ts.to_vec(),
                _ => vec![x],
            },
            Err(_) => Vec::new(),
        }
    };
    let neg = pool.neg(diff);
    // One term of several: a claim missing the whole result has no term to name.
    let (g_terms, c_terms) = (terms_of(pool, g), terms_of(pool, c));
    if g_terms.len() > 1 && g_terms.contains(&diff) {
        vec![Mistake::MissingTerm { term: diff }]
    } else if c_terms.len() > 1 && c_terms.contains(&neg) {
        vec![Mistake::ExtraTerm { term: neg }]
    } else {
        Vec::new()
    }
}

fn pool_expand_sub(
    pool: &mut Pool,
    a: Id,
    b: Id,
    max_terms: usize,
    deadline: Option<std::time::Instant>,
) -> Result<Id, ()> {
    let d = pool.sub(a, b);
    expand_until(pool, d, max_terms, deadline).map_err(|_| ())
}

/// Entry-by-entry comparison of two literal matrices.
fn wrong_entries(pool: &mut Pool, c: Id, g: Id, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let (
        Node::Matrix {
            cols, entries: ce, ..
        },
        Node::Matrix { entries: ge, .. },
    ) = (pool.node(c), pool.node(g))
    else {
        return Vec::new();
    };
    let cols = *cols as usize;
    let pairs: Vec<(Id, Id)> = ge.iter().copied().zip(ce.iter().copied()).collect();
    let mut wrong = Vec::new();
    for (k, (x, y)) in pairs.into_iter().enumerate() {
        if x != y && !agrees(pool, x, y, ctx) {
            wrong.push((k / cols + 1, k % cols + 1, x, y));
        }
    }
    if wrong.is_empty() {
        Vec::new()
    } else {
        vec![Mistake::WrongEntries { entries: wrong }]
    }
}

/// The claim equals the derivative with respect to another variable of the same shape.
fn wrong_variable(pool: &mut Pool, c: Id, d: &Derivative, ctx: &StepContext<'_>) -> Vec<Mistake> {
    let [intended] = d.wrt.as_ref() else {
        return Vec::new();
    };
    let Node::Sym(intended_sym) = pool.node(*intended).clone() else {
        return Vec::new();
    };
    let shape = pool.shape(*intended).clone();
    for s in free_symbols(pool, &[d.expr]) {
        if s == intended_sym || pool.symbol(s).shape != shape {
            continue;
        }
        let other = pool.symbol_expr(s);
        let alt = Derivative {
            kind: d.kind,
            expr: d.expr,
            wrt: vec![other].into(),
            direction: d.direction,
        };
        let node_shape = shape_of_derivative(pool, d);
        let alt = pool.derivative(alt, node_shape);
        let Ok(value) = evaluate_derivatives(pool, alt) else {
            continue;
        };
        if pool.shape(value) == pool.shape(c) && agrees(pool, c, value, ctx) {
            return vec![Mistake::WrongVariable {
                used: pool.symbol(s).name.clone(),
                intended: pool.symbol(intended_sym).name.clone(),
            }];
        }
    }
    Vec::new()
}

fn shape_of_derivative(pool: &Pool, d: &Derivative) -> crate::expr::Shape {
    let node = Node::Derivative(Box::new(d.clone()));
    pool.find(&node)
        .map(|id| pool.shape(id).clone())
        .unwrap_or_else(crate::expr::Shape::scalar)
}

/// The claim is the derivative of the definition with one term's sign flipped.
fn different_function(
    pool: &mut Pool,
    c: Id,
    d: &Derivative,
    ctx: &StepContext<'_>,
) -> Vec<Mistake> {
    let mut sums = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![d.expr];
    while let Some(e) = stack.pop() {
        if !seen.insert(e) {
            continue;
        }
        if let Node::Add(ts) = pool.node(e) {
            sums.push((e, ts.to_vec()));
        }
        stack.extend(pool.node(e).children());
    }
    let node_shape = shape_of_derivative(pool, d);
    for (sum, terms) in sums.into_iter().take(8) {
        for (k, &t) in terms.iter().enumerate().take(8) {
            let mut flipped = terms.clone();
            flipped[k] = pool.neg(t);
            let variant = pool.add(&flipped);
            let body = pool.substitute(d.expr, &HashMap::from([(sum, variant)]));
            let alt = Derivative {
                kind: d.kind,
                expr: body,
                wrt: d.wrt.clone(),
                direction: d.direction,
            };
            let alt = pool.derivative(alt, node_shape.clone());
            let Ok(value) = evaluate_derivatives(pool, alt) else {
                continue;
            };
            if pool.shape(value) == pool.shape(c) && agrees(pool, c, value, ctx) {
                return vec![Mistake::DifferentFunction { term: t }];
            }
        }
    }
    Vec::new()
}
