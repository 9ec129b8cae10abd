//! Views: a selection of a contiguous stretch of a vector (`[I 0] x`, `[0 I] x`, …) and the
//! placement of a whole vector inside a longer one (`[I 0]ᵀ v`, `[0 I]ᵀ v`) need no copy when
//! every step reading them reads entries through [`Program::part`](super::Program): the step is
//! dropped and its readers read the operand in place (and zeros outside a placed vector). The
//! values read are the same: the results do not change.

use super::{Csr, Step};

/// How a slot's entries are read from another slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum View {
    /// Entry `i` is entry `at + i` of `src`.
    Stretch { src: usize, at: usize },
    /// Entry `i` is entry `i − at` of `src` for `at ≤ i < at + len` (`len` is the length of
    /// `src`), and 0 elsewhere.
    Placed { src: usize, at: usize, len: usize },
}

impl View {
    /// The slot read in place.
    pub(super) fn source(self) -> usize {
        match self {
            View::Stretch { src, .. } | View::Placed { src, .. } => src,
        }
    }
}

/// Per slot: how it is read from another slot, if it is a view.
pub(super) type Views = Vec<Option<View>>;

/// The slot whose entries `slot` reads (itself unless it is a view).
pub(super) fn source(views: &[Option<View>], slot: usize) -> usize {
    views
        .get(slot)
        .copied()
        .flatten()
        .map_or(slot, View::source)
}

/// Drops from `steps` the selections and placements that can be read in place, and returns the
/// views replacing them. A stretch is viewed only in an operand no step computes (variables and
/// constants); a placement is viewed only when its readers split their entries at its ends
/// (sums, products, scalings and functions applied entry by entry). `outputs` are never views.
pub(super) fn views(
    steps: &mut Vec<Step>,
    shapes: &[(usize, usize)],
    sparse: &[Csr],
    outputs: &[usize],
) -> Views {
    let slots = shapes.len();
    let mut computed = vec![false; slots];
    // Per slot: do all its readers read it entry by entry through `part`, and do they split
    // their entries where a placement begins and ends?
    let mut in_place = vec![true; slots];
    let mut split = vec![true; slots];
    for step in steps.iter() {
        if let Some(c) = computed.get_mut(step.out()) {
            *c = true;
        }
        let through_part = step.entry_operands();
        let splits = !matches!(step, Step::SumSquares { .. });
        for r in step.reads() {
            let (p, s) = (in_place.get_mut(r), split.get_mut(r));
            if let (Some(p), Some(s)) = (p, s) {
                *p &= through_part.contains(&r);
                *s &= *p && splits;
            }
        }
    }
    for &o in outputs {
        if let (Some(p), Some(s)) = (in_place.get_mut(o), split.get_mut(o)) {
            (*p, *s) = (false, false);
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
        let view = match block {
            Some((rows, (0, at, n)))
                if rows == len && n == len && at + n <= from && in_place[out] && !computed[b] =>
            {
                View::Stretch { src: b, at }
            }
            Some((rows, (at, 0, n))) if rows == len && n == from && at + n <= len && split[out] => {
                View::Placed { src: b, at, len: n }
            }
            _ => return true,
        };
        views[out] = Some(view);
        false
    });
    views
}
