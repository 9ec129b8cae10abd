//! Negated sums: a sum whose terms are those of an earlier sum with every coefficient negated
//! (`Px − 𝟙` beside `𝟙 − Px`, as canonical forms of gradients often have) is not computed; its
//! readers — sums and scalings, directly or through a [`view`](super::view) — read the earlier
//! sum with their coefficient negated. Negation is exact: the values do not change (only a zero
//! may change its sign).

use super::view::{source, View, Views};
use super::Step;
use std::collections::HashMap;

/// Drops from `steps` the sums that negate an earlier sum, and rewrites their readers (and the
/// views placing them) to read the earlier sum. `outputs` are always computed.
pub(super) fn fold_negations(steps: &mut Vec<Step>, views: &mut Views, outputs: &[usize]) {
    let slots = views.len();
    let negatable = negatable(steps, views, outputs);
    // Per slot: the sum it is the negation of, once dropped.
    let mut negation_of: Vec<Option<usize>> = vec![None; slots];
    // Per slot: is it a view of a dropped sum, now of the sum it negated?
    let mut flipped = vec![false; slots];
    let mut sums: HashMap<Vec<(usize, u64)>, usize> = HashMap::new();
    steps.retain_mut(|step| {
        let flip = |slot: &mut usize| match negation_of.get(*slot).copied().flatten() {
            Some(t) => {
                *slot = t;
                true
            }
            None => flipped.get(*slot).copied().unwrap_or(false),
        };
        match step {
            Step::Add { terms, .. } => {
                for (c, t) in terms.iter_mut() {
                    *c = if flip(t) { -*c } else { *c };
                }
            }
            Step::Scale {
                coeff,
                src: Some(s),
                ..
            } => *coeff = if flip(s) { -*coeff } else { *coeff },
            _ => {}
        }
        let Step::Add { out, terms } = step else {
            return true;
        };
        if terms.is_empty() {
            return true;
        }
        if negatable.get(*out) == Some(&true) {
            if let Some(&t) = sums.get(&key(terms, -1.0)) {
                negation_of[*out] = Some(t);
                for (v, view) in views.iter_mut().enumerate() {
                    if let Some(View::Placed { src, .. } | View::Stretch { src, .. }) = view {
                        if *src == *out {
                            *src = t;
                            flipped[v] = true;
                        }
                    }
                }
                return false;
            }
        }
        sums.entry(key(terms, 1.0)).or_insert(*out);
        true
    });
}

/// The terms of a sum, each coefficient times `sign`, in a comparable form (sorted by slot,
/// coefficients as bits).
fn key(terms: &[(f64, usize)], sign: f64) -> Vec<(usize, u64)> {
    let mut key: Vec<(usize, u64)> = terms
        .iter()
        .map(|&(c, t)| (t, (sign * c).to_bits()))
        .collect();
    key.sort_unstable();
    key
}

/// Per slot: does every step reading it (directly or through a view) read it as a term of a sum
/// or as the vector a scaling scales, so that it can read its negation instead? Outputs cannot.
fn negatable(steps: &[Step], views: &[Option<View>], outputs: &[usize]) -> Vec<bool> {
    let mut negatable = vec![true; views.len()];
    for &o in outputs {
        if let Some(n) = negatable.get_mut(o) {
            *n = false;
        }
    }
    for step in steps {
        let through_coefficient: Vec<usize> = match step {
            Step::Add { terms, .. } => terms.iter().map(|t| t.1).collect(),
            Step::Scale { scalars, src, .. } => src
                .iter()
                .copied()
                .filter(|s| !scalars.contains(s))
                .collect(),
            _ => Vec::new(),
        };
        for r in step.reads() {
            if !through_coefficient.contains(&r) {
                for slot in [r, source(views, r)] {
                    if let Some(n) = negatable.get_mut(slot) {
                        *n = false;
                    }
                }
            }
        }
    }
    negatable
}
