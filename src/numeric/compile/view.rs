//! Views: a selection of a contiguous stretch of a vector (`[I 0] x`, `[0 I] x`, …) needs no
//! copy when every step reading it reads entries through [`Program::part`](super::Program):
//! the step is dropped and its readers read the stretch of the operand in place. The values
//! read are the same: the results do not change.

use super::{Csr, Step};

/// Per slot: `Some((src, at))` when its entry `i` is entry `at + i` of slot `src`.
pub(super) type Views = Vec<Option<(usize, usize)>>;

/// Drops from `steps` the selections of a stretch of a vector that can be read in place, and
/// returns the views replacing them. Only operands no step computes (variables and constants)
/// are viewed, so reordering the remaining steps stays free; `outputs` are never views.
pub(super) fn views(
    steps: &mut Vec<Step>,
    shapes: &[(usize, usize)],
    sparse: &[Csr],
    outputs: &[usize],
) -> Views {
    let slots = shapes.len();
    let mut computed = vec![false; slots];
    // Per slot: do all its readers read it entry by entry through `part`?
    let mut in_place = vec![true; slots];
    for step in steps.iter() {
        if let Some(c) = computed.get_mut(step.out()) {
            *c = true;
        }
        let through_part: Vec<usize> = match step {
            Step::Add { terms, .. } => terms.iter().map(|t| t.1).collect(),
            Step::Hadamard { factors, .. } => factors.clone(),
            Step::Elementwise { a, .. } => vec![*a],
            Step::SumSquares { v, .. } => vec![*v],
            Step::Scale { src, .. } => src.iter().copied().collect(),
            _ => Vec::new(),
        };
        for r in step.reads() {
            if !through_part.contains(&r) {
                if let Some(p) = in_place.get_mut(r) {
                    *p = false;
                }
            }
        }
    }
    for &o in outputs {
        if let Some(p) = in_place.get_mut(o) {
            *p = false;
        }
    }
    let mut views = vec![None; slots];
    steps.retain(|step| {
        let Step::SparseMatMul { out, a, b } = *step else {
            return true;
        };
        let block = sparse
            .get(a)
            .and_then(|m| Some((m.rows, m.single.as_ref()?.block?)));
        let (Some(&(len, 1)), Some(&(from, 1))) = (shapes.get(out), shapes.get(b)) else {
            return true;
        };
        match block {
            Some((rows, (0, at, n)))
                if rows == len
                    && n == len
                    && at + n <= from
                    && in_place.get(out) == Some(&true)
                    && computed.get(b) == Some(&false) =>
            {
                if let Some(v) = views.get_mut(out) {
                    *v = Some((b, at));
                }
                false
            }
            _ => true,
        }
    });
    views
}
