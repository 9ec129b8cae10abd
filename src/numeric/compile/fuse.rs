//! Fusing entrywise steps: the steps of a program are reordered (any order in which every step
//! comes after the steps it reads is as good) so that runs of steps over vectors of the same
//! length follow each other, and such a run is executed [`CHUNK`] entries at a time — every step
//! of the run on the first chunk, then on the next — instead of one whole pass per step. The
//! entries a chunk touches stay in the fastest cache while the run's steps pass over them. Each
//! entry is computed by exactly the same operations as in a whole pass: the results do not
//! change.

use super::view::{source, View};
use super::{Csr, Step};
use std::collections::BTreeSet;
use std::ops::Range;

/// Entries per chunk of a fused run (a multiple of 8, see [`super::exec`]'s partial sums).
pub(super) const CHUNK: usize = 256;

/// How many ready steps the scheduler looks at for one that extends the current run.
const LOOKAHEAD: usize = 64;

/// Consecutive steps executed together.
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// The steps, as positions in the program's step list.
    pub(super) steps: Range<usize>,
    /// The number of entries the steps pass over when they run chunk by chunk; `None` for steps
    /// run whole one after the other.
    pub(super) entries: Option<usize>,
}

/// How a step can run over a part of its entries.
struct Entrywise {
    /// The number of entries it passes over.
    entries: usize,
    /// Operands it reads entry by entry at the entries it computes (the others it reads whole).
    aligned: Vec<usize>,
    /// Is its result computed chunk by chunk (not a reduction)?
    chunked_out: bool,
}

/// The entrywise form of `step`, if it has one.
fn entrywise(step: &Step, shapes: &[(usize, usize)], sparse: &[Csr]) -> Option<Entrywise> {
    let size = |s: usize| shapes.get(s).map(|(r, c)| r * c);
    let out_size = size(step.out())?;
    let (entries, aligned, chunked_out) = match step {
        Step::Add { terms, .. } => (out_size, terms.iter().map(|t| t.1).collect(), true),
        Step::Hadamard { factors, .. } => (out_size, factors.clone(), true),
        Step::Scale { src, .. } => (out_size, src.iter().copied().collect(), true),
        Step::Elementwise { a, .. } => (out_size, vec![*a], true),
        Step::SparseMatMul { a, b, .. } => {
            // A gather or scatter of a vector: reads its operand anywhere.
            let m = sparse.get(*a)?;
            if m.single.is_none() || m.rows != out_size || shapes.get(*b)?.1 != 1 {
                return None;
            }
            (out_size, Vec::new(), true)
        }
        Step::SumSquares { v, .. } => (size(*v)?, vec![*v], false),
        _ => return None,
    };
    Some(Entrywise {
        entries,
        aligned,
        chunked_out,
    })
}

/// Reorders `steps` into runs of fusable steps and returns the groups covering them in order.
/// `shapes` are the slots' shapes; a step reading a view reads its source.
pub(super) fn fuse(
    steps: &mut Vec<Step>,
    shapes: &[(usize, usize)],
    sparse: &[Csr],
    views: &[Option<View>],
) -> Vec<Group> {
    let n = steps.len();
    let forms: Vec<Option<Entrywise>> = steps
        .iter()
        .map(|s| entrywise(s, shapes, sparse).filter(|e| e.entries > CHUNK))
        .collect();
    // Which step computes each slot, and who reads it.
    let mut producer = vec![usize::MAX; shapes.len()];
    for (i, s) in steps.iter().enumerate() {
        if let Some(p) = producer.get_mut(s.out()) {
            *p = i;
        }
    }
    let mut waiting = vec![0usize; n];
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in steps.iter().enumerate() {
        let mut reads: Vec<usize> = s.reads().into_iter().map(|r| source(views, r)).collect();
        reads.sort_unstable();
        reads.dedup();
        for r in reads {
            if let Some(&p) = producer.get(r).filter(|&&p| p < n) {
                waiting[i] += 1;
                readers[p].push(i);
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut groups: Vec<Group> = Vec::new();
    // The current run: its number of entries and which steps are in it.
    let mut run: Option<usize> = None;
    let mut in_run = vec![false; n];
    let joins = |i: usize, entries: usize, in_run: &[bool]| {
        let Some(form) = &forms[i] else {
            return false;
        };
        form.entries == entries
            && steps[i].reads().iter().all(|&r| {
                let p = producer
                    .get(source(views, r))
                    .copied()
                    .unwrap_or(usize::MAX);
                p >= n
                    || !in_run[p]
                    || (form.aligned.contains(&r)
                        && source(views, r) == r
                        && forms[p].as_ref().is_some_and(|f| f.chunked_out))
            })
    };
    while let Some(&first) = ready.first() {
        let next = run
            .and_then(|entries| {
                ready
                    .iter()
                    .take(LOOKAHEAD)
                    .copied()
                    .find(|&i| joins(i, entries, &in_run))
            })
            .unwrap_or(first);
        ready.remove(&next);
        let extends = run.is_some_and(|entries| joins(next, entries, &in_run));
        if !extends {
            for i in order.iter().skip(groups.last().map_or(0, |g| g.steps.end)) {
                in_run[*i] = false;
            }
            close(&mut groups, order.len(), run);
            run = forms[next].as_ref().map(|f| f.entries);
        }
        if run.is_some() {
            in_run[next] = true;
        }
        order.push(next);
        for &r in &readers[next] {
            waiting[r] -= 1;
            if waiting[r] == 0 {
                ready.insert(r);
            }
        }
    }
    close(&mut groups, order.len(), run);
    let mut taken: Vec<Option<Step>> = std::mem::take(steps).into_iter().map(Some).collect();
    steps.extend(order.iter().filter_map(|&i| taken[i].take()));
    groups
}

/// Ends the group running up to step `end` (a chunked run of `entries`, or single steps), if it
/// has steps.
fn close(groups: &mut Vec<Group>, end: usize, entries: Option<usize>) {
    let start = groups.last().map_or(0, |g| g.steps.end);
    if end <= start {
        return;
    }
    // A run of one step gains nothing from chunks.
    let entries = entries.filter(|_| end - start > 1);
    match groups.last_mut() {
        Some(last) if last.entries.is_none() && entries.is_none() => last.steps.end = end,
        _ => groups.push(Group {
            steps: start..end,
            entries,
        }),
    }
}
