//! The textbook form used for printing results: in sums of matrix products, the factor shared by
//! the most terms is pulled out (left before right), with the common numeric content, so
//! `AᵀAx − Aᵀb` reads `Aᵀ(Ax − b)` and `Ax + Aᵀx` reads `(A + Aᵀ)x`. The result is equal to the
//! input; it is simply not expanded. Scalar factors every term shares go in front (`(A + Aᵀ)x/(xᵀAx)`),
//! and a scalar sum whose terms divide by the same base becomes one fraction.

use super::construct::content_of;
use super::expand::expand;
use crate::expr::{structural_cmp, Func, Id, Node, Number, Pool};
use std::collections::HashMap;

/// Rewrites `e` into textbook form (see module docs).
pub fn textbook_form(pool: &mut Pool, e: Id) -> Id {
    let mut memo = HashMap::new();
    rewrite(pool, e, &mut memo)
}

fn rewrite(pool: &mut Pool, e: Id, memo: &mut HashMap<Id, Id>) -> Id {
    if let Some(&r) = memo.get(&e) {
        return r;
    }
    let node = pool.node(e).clone();
    let children = node.children();
    let new: Vec<Id> = children.iter().map(|&c| rewrite(pool, c, memo)).collect();
    let rebuilt = if new == children {
        e
    } else {
        pool.rebuild(&node, &new)
    };
    let r = sum_form(pool, rebuilt, memo);
    let r = match pool.node(r).clone() {
        Node::Mul(factors) => fold_sign_into_sum(pool, &factors, r, memo),
        _ => r,
    };
    memo.insert(e, r);
    r
}

/// A sum in textbook form: a sum of arrays factored (or expanded, where that is smaller), a
/// scalar sum over a common denominator; anything else as it is.
fn sum_form(pool: &mut Pool, sum: Id, memo: &mut HashMap<Id, Id>) -> Id {
    match pool.node(sum).clone() {
        Node::Add(terms) if !pool.is_scalar(sum) => {
            let smaller = smaller_expanded(pool, sum);
            match pool.node(smaller).clone() {
                Node::Add(terms) => array_sum(pool, &terms, memo),
                _ if smaller != sum => rewrite(pool, smaller, memo),
                _ => factor_sum(pool, &terms, memo),
            }
        }
        Node::Add(terms) => common_denominator(pool, sum, &terms),
        _ => sum,
    }
}

/// `−σ(σ − 1)a` reads better as `σ(1 − σ)a`: a negative coefficient is absorbed by negating a
/// sum factor, which is then put in textbook form too (so that the rewrite is idempotent). The
/// product is built without re-canonicalising, which would undo it.
fn fold_sign_into_sum(
    pool: &mut Pool,
    factors: &[Id],
    product: Id,
    memo: &mut HashMap<Id, Id>,
) -> Id {
    let Some(c) = factors.first().and_then(|&f| pool.as_number(f)).cloned() else {
        return product;
    };
    if !c.is_negative() {
        return product;
    }
    let Some((k, negated)) = factors
        .iter()
        .enumerate()
        .find_map(|(k, &f)| negated_readably(pool, f).map(|n| (k, n)))
    else {
        return product;
    };
    let negated = rewritten_sum(pool, negated, memo);
    let mut out: Vec<Id> = factors.to_vec();
    out[k] = negated;
    let shape = pool.shape(product).clone();
    if c.is_minus_one() {
        out.remove(0);
    } else {
        out[0] = pool.num(c.abs());
    }
    if out.len() == 1 {
        return out[0];
    }
    pool.intern(Node::Mul(out.into()), shape)
}

/// A sum negated by [`fold_sign_into_sum`], in textbook form: its terms rewritten (each smaller
/// than the product the sum came from, so this cannot cycle) and the sum formed from them.
fn rewritten_sum(pool: &mut Pool, sum: Id, memo: &mut HashMap<Id, Id>) -> Id {
    let Node::Add(terms) = pool.node(sum).clone() else {
        return sum;
    };
    let rewritten: Vec<Id> = terms.iter().map(|&t| rewrite(pool, t, memo)).collect();
    let sum = if rewritten[..] == terms[..] {
        sum
    } else {
        pool.add(&rewritten)
    };
    sum_form(pool, sum, memo)
}

/// `−f` when it reads better than `f` with a sign in front: a sum with mostly negative terms
/// (`σ − 1` → `1 − σ`, not `s + 2` → `−s − 2`), or an elementwise product or a `diag` with such a
/// sum inside (`diag(σ ⊙ (σ − 𝟙))` → `diag(σ ⊙ (𝟙 − σ))`). Built without re-canonicalising.
fn negated_readably(pool: &mut Pool, f: Id) -> Option<Id> {
    match pool.node(f).clone() {
        Node::Add(ts) => {
            let negative = ts
                .iter()
                .filter(|&&t| pool.leading_coefficient(t).is_some_and(Number::is_negative))
                .count();
            (2 * negative >= ts.len()).then(|| pool.neg(f))
        }
        Node::Hadamard(fs) => {
            let (k, negated) = fs
                .iter()
                .enumerate()
                .find_map(|(k, &x)| match pool.node(x) {
                    Node::Add(_) => negated_readably(pool, x).map(|n| (k, n)),
                    _ => None,
                })?;
            let mut out = fs.to_vec();
            out[k] = negated;
            let shape = pool.shape(f).clone();
            Some(pool.intern(Node::Hadamard(out.into()), shape))
        }
        Node::Apply(Func::Diag, args) => {
            let inner = negated_readably(pool, args[0])?;
            let shape = pool.shape(f).clone();
            Some(pool.intern(Node::Apply(Func::Diag, [inner].into()), shape))
        }
        _ => None,
    }
}

/// A term split into its numeric coefficient, scalar factors and matrix factors.
struct Term {
    coeff: Number,
    scalars: Vec<Id>,
    matrices: Vec<Id>,
}

fn split(pool: &mut Pool, t: Id) -> Term {
    let (coeff, rest) = pool.split_coefficient(t);
    let mut term = Term {
        coeff,
        scalars: Vec::new(),
        matrices: Vec::new(),
    };
    let Some(rest) = rest else { return term };
    let factors = match pool.node(rest) {
        Node::Mul(fs) if !pool.is_scalar(rest) => fs.to_vec(),
        _ => vec![rest],
    };
    for f in factors {
        if pool.is_scalar(f) {
            term.scalars.push(f);
        } else {
            term.matrices.push(f);
        }
    }
    term
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// A vector or matrix sum in textbook form: a shared elementwise factor taken out, else shared
/// matrix factors (see [`factor_sum`]).
fn array_sum(pool: &mut Pool, terms: &[Id], memo: &mut HashMap<Id, Id>) -> Id {
    match elementwise_factored(pool, terms, memo) {
        Some(factored) => factored,
        None => factor_sum(pool, terms, memo),
    }
}

fn factor_sum(pool: &mut Pool, terms: &[Id], memo: &mut HashMap<Id, Id>) -> Id {
    let mut split_terms: Vec<Term> = terms.iter().map(|&t| split(pool, t)).collect();
    // Scalar factors of every term go in front: `x/‖x‖ + y/‖x‖` reads `(x + y)/‖x‖`.
    let shared = common_scalars(pool, &mut split_terms);
    if !shared.is_empty() {
        let rest: Vec<Id> = split_terms.into_iter().map(|t| term(pool, t)).collect();
        let inner = pool.add(&rest);
        let inner = match pool.node(inner).clone() {
            Node::Add(ts) if !pool.is_scalar(inner) => array_sum(pool, &ts, memo),
            _ => inner,
        };
        let mut factors = shared;
        factors.push(inner);
        return pool.mul(&factors);
    }
    let Some((side, factor)) = best_factor(pool, &split_terms) else {
        return pool.add(terms);
    };
    let mut grouped = Vec::new();
    let mut rest = Vec::new();
    for (term, &id) in split_terms.into_iter().zip(terms) {
        let shared = match side {
            Side::Left => term.matrices.first() == Some(&factor),
            Side::Right => term.matrices.last() == Some(&factor),
        };
        if shared {
            grouped.push(term);
        } else {
            rest.push(id);
        }
    }
    let content = common_content(&grouped);
    let shared = common_scalars(pool, &mut grouped);
    let remainders: Vec<Id> = grouped
        .into_iter()
        .map(|mut t| {
            match side {
                Side::Left => {
                    t.matrices.remove(0);
                }
                Side::Right => {
                    t.matrices.pop();
                }
            }
            remainder(pool, t, factor, side, &content)
        })
        .collect();
    let inner = pool.add(&remainders);
    let inner = scalar_if_identity_multiple(pool, inner);
    let inner = rewrite(pool, inner, memo);
    let mut factors = vec![pool.num(content)];
    factors.extend(shared);
    match side {
        Side::Left => factors.extend([factor, inner]),
        Side::Right => factors.extend([inner, factor]),
    }
    let factored = pool.mul(&factors);
    let factored = match pool.node(factored).clone() {
        Node::Mul(factors) => fold_sign_into_sum(pool, &factors, factored, memo),
        _ => factored,
    };
    if rest.is_empty() {
        return factored;
    }
    let rest_sum = pool.add(&rest);
    let rest_sum = match pool.node(rest_sum).clone() {
        Node::Add(ts) => array_sum(pool, &ts, memo),
        _ => rest_sum,
    };
    pool.add(&[factored, rest_sum])
}

/// `αI + βI` (the remainders of single-factor terms) is the scalar `α + β`.
fn scalar_if_identity_multiple(pool: &mut Pool, sum: Id) -> Id {
    let Node::Add(terms) = pool.node(sum).clone() else {
        return sum;
    };
    let mut scalars = Vec::with_capacity(terms.len());
    for t in terms.iter() {
        let parts = split(pool, *t);
        if !matches!(parts.matrices.as_slice(), [i] if matches!(pool.node(*i), Node::Identity(_))) {
            return sum;
        }
        let mut factors = vec![pool.num(parts.coeff)];
        factors.extend(parts.scalars);
        scalars.push(pool.mul(&factors));
    }
    pool.add(&scalars)
}

/// What is left of a term once `factor` is taken off one side, divided by the common content.
fn remainder(pool: &mut Pool, t: Term, factor: Id, side: Side, content: &Number) -> Id {
    let coeff = Number::from_big(t.coeff.to_big() / content.to_big());
    let mut factors = vec![pool.num(coeff)];
    factors.extend(t.scalars);
    if t.matrices.is_empty() {
        let s = pool.shape(factor).clone();
        let n = match side {
            Side::Left => s.cols,
            Side::Right => s.rows,
        };
        factors.push(pool.identity(n));
    } else {
        factors.extend(t.matrices);
    }
    pool.mul(&factors)
}

/// The matrix factor at one end of the most terms (at least two); left before right on ties.
fn best_factor(pool: &Pool, terms: &[Term]) -> Option<(Side, Id)> {
    let mut best: Option<(usize, Side, Id)> = None;
    for side in [Side::Left, Side::Right] {
        let ends: Vec<Id> = terms
            .iter()
            .filter_map(|t| match side {
                Side::Left => t.matrices.first().copied(),
                Side::Right => t.matrices.last().copied(),
            })
            .collect();
        let mut candidates = ends.clone();
        candidates.sort_by(|a, b| structural_cmp(pool, *a, *b));
        candidates.dedup();
        for f in candidates {
            if matches!(pool.node(f), Node::Identity(_)) {
                continue;
            }
            let count = ends.iter().filter(|&&e| e == f).count();
            let shares = |t: &&Term| match side {
                Side::Left => t.matrices.first() == Some(&f),
                Side::Right => t.matrices.last() == Some(&f),
            };
            // Worth it when a longer product shares the factor (Aᵀ(Ax − b)), or when the factor
            // stands alone with different scalar parts ((α + β)x); not for identities alone.
            let useful = terms.iter().filter(shares).any(|t| t.matrices.len() > 1)
                || (side == Side::Right
                    && terms.iter().filter(shares).all(|t| t.matrices.len() == 1));
            if count >= 2 && useful && best.as_ref().is_none_or(|(c, _, _)| count > *c) {
                best = Some((count, side, f));
            }
        }
    }
    best.map(|(_, side, f)| (side, f))
}

/// The common content of the terms' coefficients.
fn common_content(terms: &[Term]) -> Number {
    let coefficients: Vec<&Number> = terms.iter().map(|t| &t.coeff).collect();
    content_of(&coefficients)
}

/// The scalar factors every term shares, taken out of the terms: a factor itself, or the lowest
/// power of a base every term has with exponents of one sign (`A/(xᵀx) − cI/(xᵀx)²` shares
/// `1/(xᵀx)`).
fn common_scalars(pool: &mut Pool, terms: &mut [Term]) -> Vec<Id> {
    if terms.len() < 2 {
        return Vec::new();
    }
    let power = |pool: &Pool, f: Id| -> (Id, i64) {
        match pool.node(f) {
            Node::Pow(b, k) => match pool.as_number(*k).and_then(Number::to_i64) {
                Some(k) => (*b, k),
                None => (f, 1),
            },
            _ => (f, 1),
        }
    };
    let mut shared = Vec::new();
    let first: Vec<(Id, i64)> = terms[0].scalars.iter().map(|&f| power(pool, f)).collect();
    for (base, k0) in first {
        let mut k = k0;
        let all = terms[1..].iter().all(|t| {
            t.scalars.iter().any(|&f| {
                let (b, j) = power(pool, f);
                let same_sign = (j > 0) == (k0 > 0);
                if b == base && same_sign {
                    k = if k0 > 0 { k.min(j) } else { k.max(j) };
                }
                b == base && same_sign
            })
        });
        if !all || shared.iter().any(|&(b, _)| b == base) {
            continue;
        }
        shared.push((base, k));
    }
    let mut out = Vec::with_capacity(shared.len());
    for (base, k) in shared {
        let exponent = pool.int(k);
        for t in terms.iter_mut() {
            let Some(at) = t.scalars.iter().position(|&f| power(pool, f).0 == base) else {
                continue;
            };
            let (_, j) = power(pool, t.scalars[at]);
            if j == k {
                t.scalars.remove(at);
            } else {
                let rest = pool.int(j - k);
                t.scalars[at] = pool.pow(base, rest);
            }
        }
        out.push(pool.pow(base, exponent));
    }
    out
}

/// A term rebuilt from its parts.
fn term(pool: &mut Pool, t: Term) -> Id {
    let mut factors = vec![pool.num(t.coeff)];
    factors.extend(t.scalars);
    factors.extend(t.matrices);
    pool.mul(&factors)
}

/// A scalar sum whose every term divides by the same base reads as one fraction over the base's
/// highest power: `1/x² − log(x)/x²` is `(1 − log x)/x²`, `1/(x² + 1) − 2x²/(x² + 1)²` is
/// `(1 − x²)/(x² + 1)²`. Only numeric exponents count; other sums are returned as they are.
fn common_denominator(pool: &mut Pool, sum: Id, terms: &[Id]) -> Id {
    let per_term: Vec<Vec<(Id, Number)>> = terms.iter().map(|&t| denominators(pool, t)).collect();
    let Some((first, others)) = per_term.split_first() else {
        return sum;
    };
    let mut common: Vec<(Id, Number)> = Vec::new();
    'bases: for (base, k) in first {
        let mut highest = k.clone();
        for other in others {
            match other.iter().find(|(b, _)| b == base) {
                Some((_, j)) if *j > highest => highest = j.clone(),
                Some(_) => {}
                None => continue 'bases,
            }
        }
        common.push((*base, highest));
    }
    if common.is_empty() || others.is_empty() {
        return sum;
    }
    let mut raised = Vec::with_capacity(common.len());
    let mut lowered = Vec::with_capacity(common.len());
    for (base, k) in common {
        let up = pool.num(k.clone());
        raised.push(pool.pow(base, up));
        let down = pool.num(Number::from_big(-k.to_big()));
        lowered.push(pool.pow(base, down));
    }
    let numerators: Vec<Id> = terms
        .iter()
        .map(|&t| {
            let mut factors = vec![t];
            factors.extend(&raised);
            pool.mul(&factors)
        })
        .collect();
    let numerator = pool.add(&numerators);
    let mut factors = vec![fewer_terms_expanded(pool, numerator)];
    factors.extend(lowered);
    pool.mul(&factors)
}

/// The expansion of a numerator when it has fewer terms (`eᵗ(eᵗ + 1) − e²ᵗ` is `eᵗ`), else the
/// numerator as it is (`eˣ(x² + 1) − 2x eˣ` stays).
fn fewer_terms_expanded(pool: &mut Pool, numerator: Id) -> Id {
    let terms = |pool: &Pool, e: Id| match pool.node(e) {
        Node::Add(ts) => ts.len(),
        _ => 1,
    };
    match expand(pool, numerator, NUMERATOR_TERMS) {
        Ok(expanded) if terms(pool, expanded) < terms(pool, numerator) => expanded,
        _ => numerator,
    }
}

/// A sum whose every term has the same elementwise factor, with that factor taken out:
/// `σ ⊙ σ − σ` reads `σ ⊙ (σ − 𝟙)`, `eˣ ⊘ x + eˣ ⊙ log x` reads `eˣ ⊙ (𝟙 ⊘ x + log x)`.
/// Only positive powers are taken out, each to the lowest power all terms have.
fn elementwise_factored(pool: &mut Pool, terms: &[Id], memo: &mut HashMap<Id, Id>) -> Option<Id> {
    // Each term as its coefficient and its elementwise factors as (base, exponent).
    let mut split: Vec<(Number, Vec<(Id, Number)>)> = Vec::with_capacity(terms.len());
    for &t in terms {
        let (c, rest) = pool.split_coefficient(t);
        let rest = rest?;
        if matches!(pool.node(rest), Node::Mul(fs) if fs.iter().any(|&f| pool.is_scalar(f))) {
            return None;
        }
        let factors: Vec<Id> = match pool.node(rest) {
            Node::Hadamard(fs) => fs.to_vec(),
            _ => vec![rest],
        };
        let powers = factors
            .into_iter()
            .map(|f| match pool.node(f) {
                Node::HadamardPow(b, e) => match pool.as_number(*e) {
                    Some(k) => (*b, k.clone()),
                    None => (f, Number::one()),
                },
                _ => (f, Number::one()),
            })
            .collect();
        split.push((c, powers));
    }
    let (first, others) = split.split_first()?;
    if others.is_empty() {
        return None;
    }
    let mut common: Vec<(Id, Number)> = Vec::new();
    for (base, k) in &first.1 {
        if k.is_negative() || matches!(pool.node(*base), Node::Ones(_)) {
            continue;
        }
        let mut lowest = k.clone();
        for (_, powers) in others {
            match powers.iter().find(|(b, j)| b == base && !j.is_negative()) {
                Some((_, j)) if *j < lowest => lowest = j.clone(),
                Some(_) => {}
                None => {
                    lowest = Number::zero();
                    break;
                }
            }
        }
        if !lowest.is_zero() {
            common.push((*base, lowest));
        }
    }
    if common.is_empty() {
        return None;
    }
    let inner_terms: Vec<Id> = split
        .into_iter()
        .map(|(c, powers)| {
            let factors: Vec<Id> = powers
                .into_iter()
                .map(|(b, k)| match common.iter().find(|(cb, _)| *cb == b) {
                    Some((_, j)) => pool.hadamard_pow(b, &(&k - j)),
                    None => pool.hadamard_pow(b, &k),
                })
                .collect();
            let product = pool.hadamard(&factors);
            pool.scale(c, product)
        })
        .collect();
    let inner = pool.add(&inner_terms);
    let inner = rewrite(pool, inner, memo);
    let mut factors: Vec<Id> = common
        .iter()
        .map(|(b, k)| pool.hadamard_pow(*b, k))
        .collect();
    factors.push(inner);
    let shape = pool.shape(inner).clone();
    // Kept as written (the canonical product would spread nothing, but would sort the sum in).
    Some(match factors.len() {
        1 => inner,
        _ => pool.intern(Node::Hadamard(factors.into()), shape),
    })
}

/// The expansion of a vector or matrix sum with an elementwise product of a sum in it, when the
/// expansion is a smaller expression: the products spread over the sums cancel
/// (`σ ⊙ (y − 𝟙) + y ⊙ (𝟙 − σ)` is `y − σ`); else the sum as it is. (Matrix products are
/// left to [`factor_sum`], which factors what expansion would undo.)
fn smaller_expanded(pool: &mut Pool, sum: Id) -> Id {
    let Node::Add(terms) = pool.node(sum) else {
        return sum;
    };
    let spread_over_sum = |pool: &Pool, t: Id| {
        let factors: &[Id] = match pool.node(t) {
            Node::Mul(fs) => fs,
            _ => std::slice::from_ref(&t),
        };
        factors.iter().any(|&f| match pool.node(f) {
            Node::Hadamard(hs) => hs.iter().any(|&h| matches!(pool.node(h), Node::Add(_))),
            _ => false,
        })
    };
    if !terms.iter().any(|&t| spread_over_sum(pool, t)) {
        return sum;
    }
    match expand(pool, sum, NUMERATOR_TERMS) {
        Ok(expanded) if dag_size(pool, expanded) < dag_size(pool, sum) => expanded,
        _ => sum,
    }
}

/// The number of distinct nodes of an expression, counted up to a bound.
fn dag_size(pool: &Pool, e: Id) -> usize {
    const BOUND: usize = 4096;
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        if seen.len() >= BOUND {
            break;
        }
        if seen.insert(x) {
            pool.node(x).for_each_child(|c| stack.push(c));
        }
    }
    seen.len()
}

/// The most terms the expansion of a numerator may reach before it is kept as it is.
const NUMERATOR_TERMS: usize = 64;

/// The bases a scalar term divides by, with the size of their (numeric, negative) exponents.
fn denominators(pool: &Pool, t: Id) -> Vec<(Id, Number)> {
    let factors: &[Id] = match pool.node(t) {
        Node::Mul(fs) => fs,
        _ => std::slice::from_ref(&t),
    };
    factors
        .iter()
        .filter_map(|&f| match pool.node(f) {
            Node::Pow(b, e) if pool.as_number(*b).is_none() => pool
                .as_number(*e)
                .filter(|n| n.is_negative())
                .map(|n| (*b, n.abs())),
            _ => None,
        })
        .collect()
}
