//! Running a compiled [`Program`](super::Program): the steps over `f64` buffers, and the kernels (dense and
//! compressed-row matrix products, pipelined inner products).

use super::fuse::{Group, CHUNK};
use super::view::View;
use super::{Csr, Program, Selection, Step, SPARSE_DENSITY};
use crate::numeric::apply::apply;
use crate::numeric::dense::Dense;
use crate::numeric::error::EvalError;
use crate::numeric::eval::evaluate;
use crate::numeric::scalar::Scalar;
use std::ops::Range;

impl Csr {
    /// The compressed form when few entries are nonzero (and the matrix is not tiny).
    pub(super) fn from_dense(data: &[f64], (rows, cols): (usize, usize)) -> Option<Csr> {
        let nonzero = data.iter().filter(|a| **a != 0.0).count();
        if rows * cols < 64 || nonzero as f64 > SPARSE_DENSITY * (rows * cols) as f64 {
            return None;
        }
        let mut csr = Csr {
            single: None,
            rows,
            starts: Vec::with_capacity(rows + 1),
            cols: Vec::with_capacity(nonzero),
            values: Vec::with_capacity(nonzero),
        };
        for row in data.chunks(cols.max(1)).take(rows) {
            csr.starts.push(csr.values.len());
            for (j, a) in row.iter().enumerate() {
                if *a != 0.0 {
                    csr.cols.push(j);
                    csr.values.push(*a);
                }
            }
        }
        csr.starts.push(csr.values.len());
        if cols > 0 && csr.starts.windows(2).all(|w| w[1] - w[0] <= 1) {
            let (mut sel_cols, mut sel_values) =
                (Vec::with_capacity(rows), Vec::with_capacity(rows));
            for w in csr.starts.windows(2) {
                let (c, v) = if w[1] > w[0] {
                    (csr.cols[w[0]], csr.values[w[0]])
                } else {
                    (0, 0.0)
                };
                sel_cols.push(c);
                sel_values.push(v);
            }
            let filled: Vec<usize> = (0..rows).filter(|&i| sel_values[i] != 0.0).collect();
            let block = match (filled.first(), filled.last()) {
                (Some(&r0), Some(&r1))
                    if filled.len() == r1 - r0 + 1
                        && filled.iter().all(|&i| {
                            sel_values[i] == 1.0 && sel_cols[i] + r0 == sel_cols[r0] + i
                        }) =>
                {
                    Some((r0, sel_cols[r0], filled.len()))
                }
                _ => None,
            };
            csr.single = Some(Selection {
                block,
                ones: sel_values.iter().all(|v| *v == 1.0),
                cols: sel_cols,
                values: sel_values,
            });
        }
        Some(csr)
    }
}

impl Program {
    /// Evaluates the outputs with the variables (in the order given to [`compile`](super::compile)) set to
    /// `inputs`, each row-major. Buffers are reused across calls.
    pub fn run(&mut self, inputs: &[&[f64]]) -> Result<(), EvalError> {
        if inputs.len() != self.inputs.len() {
            return Err(EvalError::shape("the number of variables"));
        }
        for (input, value) in self.inputs.iter().zip(inputs) {
            if input.shape.0 * input.shape.1 != value.len() {
                return Err(EvalError::shape("the value of a variable"));
            }
        }
        if let Some(tape) = &self.tape {
            let mut stage = std::mem::take(&mut self.stage);
            stage.resize(tape.entries(), [0.0]);
            let result = tape.run(&mut self.registers, inputs, (0, 1), &mut stage);
            let mut at = 0;
            for (&o, &size) in self.outputs.iter().zip(tape.sizes()) {
                if let (Some(v), Some(rows)) = (self.values.get_mut(o), stage.get(at..at + size)) {
                    for (x, r) in v.iter_mut().zip(rows) {
                        *x = r[0];
                    }
                }
                at += size;
            }
            self.stage = stage;
            result?;
            return self.check_outputs();
        }
        for (input, value) in self.inputs.iter().zip(inputs) {
            if let Some(slot) = input.slot {
                self.values[slot].copy_from_slice(value);
            }
        }
        if let Some(fb) = self.fallback.as_mut() {
            for (input, value) in self.inputs.iter().zip(inputs) {
                let (r, c) = input.shape;
                let v = Dense::from_vec(r, c, value.to_vec())
                    .ok_or_else(|| EvalError::shape("a variable"))?;
                fb.instance.values.insert(input.symbol, v);
            }
        }
        let steps = std::mem::take(&mut self.steps);
        let result = self.exec_all(&steps);
        self.steps = steps;
        result?;
        self.check_outputs()
    }

    /// Runs `steps` in order, with the widest vector instructions the processor has (AVX2 where
    /// available): the same operations, so the same results.
    fn exec_all(&mut self, steps: &[Step]) -> Result<(), EvalError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            return unsafe { self.exec_all_avx2(steps) };
        }
        self.exec_groups(steps)
    }

    /// [`Program::exec_all`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn exec_all_avx2(&mut self, steps: &[Step]) -> Result<(), EvalError> {
        self.exec_groups(steps)
    }

    /// Runs `steps` group by group.
    #[inline(always)]
    fn exec_groups(&mut self, steps: &[Step]) -> Result<(), EvalError> {
        let groups = std::mem::take(&mut self.groups);
        // Plain loops rather than iterator adapters: the steps are compiled inline, with the
        // caller's vector instructions.
        let mut result = Ok(());
        for g in &groups {
            result = self.exec_group(steps, g);
            if result.is_err() {
                break;
            }
        }
        self.groups = groups;
        result
    }

    /// Fails unless every output of the last run is finite.
    fn check_outputs(&self) -> Result<(), EvalError> {
        for &o in &self.outputs {
            if !all_finite(&self.values[o]) {
                return Err(EvalError::domain("a non-finite value"));
            }
        }
        Ok(())
    }

    /// The `k`-th output of the last run, row-major.
    pub fn output(&self, k: usize) -> &[f64] {
        self.outputs
            .get(k)
            .and_then(|&s| self.values.get(s))
            .map_or(&[], |v| v.as_slice())
    }

    /// The `(rows, cols)` of the `k`-th output.
    pub fn output_shape(&self, k: usize) -> (usize, usize) {
        self.outputs
            .get(k)
            .and_then(|&s| self.shapes.get(s))
            .copied()
            .unwrap_or((0, 0))
    }

    /// The number of steps run per evaluation (constants excluded).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Is nothing left to compute per run (all outputs constant or inputs)?
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn dense(&self, slot: usize) -> Dense<f64> {
        let (rows, cols) = self.shapes[slot];
        Dense {
            rows,
            cols,
            data: self.values[slot].clone(),
        }
    }

    fn scalar(&self, slot: usize) -> f64 {
        self.values[slot].first().copied().unwrap_or(0.0)
    }

    /// Runs one group of steps: one after the other, or chunk by chunk (see [`super::fuse`]).
    #[inline(always)]
    fn exec_group(&mut self, steps: &[Step], group: &Group) -> Result<(), EvalError> {
        let part = steps
            .get(group.steps.clone())
            .ok_or_else(|| EvalError::shape("a group of steps"))?;
        let Some(entries) = group.entries else {
            for s in part {
                self.exec(s)?;
            }
            return Ok(());
        };
        let mut partials = std::mem::take(&mut self.partials);
        partials.clear();
        partials.resize(part.len(), Dot::default());
        let result = self.exec_chunks(part, entries, &mut partials);
        self.partials = partials;
        result
    }

    /// Runs `part` chunk by chunk over `entries` entries; `partials` (one per step) accumulate
    /// the sums of squares.
    #[inline(always)]
    fn exec_chunks(
        &mut self,
        part: &[Step],
        entries: usize,
        partials: &mut [Dot],
    ) -> Result<(), EvalError> {
        for lo in (0..entries).step_by(CHUNK) {
            let range = lo..(lo + CHUNK).min(entries);
            for (step, partial) in part.iter().zip(partials.iter_mut()) {
                if let Step::SumSquares { v, .. } = step {
                    partial.feed(self.part(*v, range.clone())?);
                    continue;
                }
                let out = step.out();
                let mut buf = std::mem::take(&mut self.values[out]);
                let r = match buf.get_mut(range.clone()) {
                    Some(chunk) => self.exec_entries(step, range.start, chunk),
                    None => Err(EvalError::shape("a chunk of a value")),
                };
                self.values[out] = buf;
                r?;
            }
        }
        // Only whole multiples of 8 entries were fed: the rest is the sums' tail.
        let tail = entries / 8 * 8..entries;
        for (step, partial) in part.iter().zip(partials.iter()) {
            if let Step::SumSquares { out, v, j } = step {
                let rest = self.part(*v, tail.clone())?;
                let s = partial.finish(rest, rest);
                let value = if j.is_one() { s } else { s.pow_number(j)? };
                if let Some(o) = self.values[*out].first_mut() {
                    *o = value;
                }
            }
        }
        Ok(())
    }

    /// The entries `range` of slot `slot` (read in place when the slot is a view).
    #[inline(always)]
    fn part(&self, slot: usize, range: Range<usize>) -> Result<&[f64], EvalError> {
        let (slot, range) = match self.views.get(slot) {
            Some(&Some(View::Stretch { src, at })) => (src, range.start + at..range.end + at),
            Some(&Some(View::Placed { src, at, len })) => {
                if range.end <= at || range.start >= at + len {
                    return self
                        .zeros
                        .get(..range.len())
                        .ok_or_else(|| EvalError::shape("zeros around a placed vector"));
                }
                if range.start < at || range.end > at + len {
                    return Err(EvalError::shape("entries across a placed vector's end"));
                }
                (src, range.start - at..range.end - at)
            }
            _ => (slot, range),
        };
        self.values
            .get(slot)
            .and_then(|v| v.get(range))
            .ok_or_else(|| EvalError::shape("a part of a value"))
    }

    #[inline(always)]
    pub(super) fn exec(&mut self, step: &Step) -> Result<(), EvalError> {
        let out = step.out();
        let mut buf = std::mem::take(&mut self.values[out]);
        let r = self.exec_into(step, &mut buf);
        self.values[out] = buf;
        r
    }

    #[inline(always)]
    fn exec_into(&mut self, step: &Step, buf: &mut [f64]) -> Result<(), EvalError> {
        let v = &self.values;
        match step {
            Step::Add { .. }
            | Step::Scale { .. }
            | Step::Hadamard { .. }
            | Step::Elementwise { .. } => return self.exec_entries(step, 0, buf),
            Step::MatMul { a, b, .. } => {
                let (r, k) = self.shapes[*a];
                let c = self.shapes[*b].1;
                matmul(&v[*a], &v[*b], buf, r, k, c);
            }
            Step::SparseMatMul { a, b, .. } => {
                let m = &self.sparse[*a];
                let c = self.shapes[*b].1;
                let bv = &v[*b];
                if let (1, Some(_)) = (c, &m.single) {
                    return self.exec_entries(step, 0, buf);
                }
                if c == 1 {
                    for (i, o) in buf.iter_mut().enumerate().take(m.rows) {
                        let (lo, hi) = (m.starts[i], m.starts[i + 1]);
                        *o = m.values[lo..hi]
                            .iter()
                            .zip(&m.cols[lo..hi])
                            .map(|(x, &l)| x * bv[l])
                            .sum();
                    }
                    return Ok(());
                }
                buf.fill(0.0);
                for i in 0..m.rows {
                    let row = &mut buf[i * c..(i + 1) * c];
                    for p in m.starts[i]..m.starts[i + 1] {
                        let (l, x) = (m.cols[p], m.values[p]);
                        for (o, y) in row.iter_mut().zip(&bv[l * c..(l + 1) * c]) {
                            *o += x * y;
                        }
                    }
                }
            }
            Step::Transpose { a, .. } => {
                let (r, c) = self.shapes[*a];
                for i in 0..r {
                    for j in 0..c {
                        buf[j * r + i] = v[*a][i * c + j];
                    }
                }
            }
            Step::PowInt { base, k, .. } => {
                buf[0] = self.scalar(*base).powi(*k);
            }
            Step::PowNumber { base, k, .. } => {
                buf[0] = self.scalar(*base).pow_number(k)?;
            }
            Step::Pow { base, exp, .. } => {
                buf[0] = Scalar::pow(&self.scalar(*base), &self.scalar(*exp))?;
            }
            Step::SumSquares { v: x, j, .. } => {
                let x = self.part(*x, 0..v[*x].len())?;
                let s = dot(x, x);
                buf[0] = if j.is_one() { s } else { s.pow_number(j)? };
            }
            Step::Apply { f, a, shape, .. } => {
                let r = apply(*f, &self.dense(*a), shape)?;
                copy_checked(buf, &r.data)?;
            }
            Step::MatrixPow { a, k, .. } => {
                let k = self
                    .scalar(*k)
                    .to_integer()
                    .ok_or_else(|| EvalError::Unsupported {
                        what: "a non-integer power of a matrix".to_string(),
                    })?;
                let r = self.dense(*a).powi(k)?;
                copy_checked(buf, &r.data)?;
            }
            Step::Literal { entries, .. } => {
                for (o, &e) in buf.iter_mut().zip(entries) {
                    *o = self.scalar(e);
                }
            }
            Step::Component { a, idx, .. } => {
                let (r, c) = self.shapes[*a];
                let ix: Vec<i64> = idx
                    .iter()
                    .map(|&i| self.scalar(i).to_integer().unwrap_or(0))
                    .collect();
                let (i, j) = match ix.as_slice() {
                    [i] if c == 1 => (*i, 1),
                    [j] if r == 1 => (1, *j),
                    [i, j] => (*i, *j),
                    _ => return Err(EvalError::shape("a component")),
                };
                let entry = usize::try_from(i - 1)
                    .ok()
                    .zip(usize::try_from(j - 1).ok())
                    .filter(|&(i, j)| i < r && j < c)
                    .map(|(i, j)| v[*a][i * c + j]);
                buf[0] = entry.ok_or_else(|| {
                    EvalError::domain(&format!("index ({i}, {j}) outside a {r}×{c} value"))
                })?;
            }
            Step::Fallback { id, .. } => {
                let fb = self
                    .fallback
                    .as_ref()
                    .ok_or_else(|| EvalError::shape("a fallback without its pool"))?;
                let r = evaluate(&fb.pool, *id, &fb.instance)?;
                copy_checked(buf, &r.data)?;
            }
        }
        Ok(())
    }
}

impl Program {
    /// The entries `lo..lo + buf.len()` of an entrywise step (a sum, product, scaling, function
    /// applied entry by entry, or gather or scatter of a vector) into `buf`.
    #[inline(always)]
    fn exec_entries(&self, step: &Step, lo: usize, buf: &mut [f64]) -> Result<(), EvalError> {
        if self.zeros.is_empty() {
            return self.exec_stretch(step, lo, buf);
        }
        // Operands placed in a longer vector are read in place up to their ends: the entries
        // are computed stretch by stretch between those ends.
        let hi = lo + buf.len();
        let mut start = lo;
        while start < hi {
            let mut end = hi;
            step.each_entry_operand(|slot| {
                if let Some(&Some(View::Placed { at, len, .. })) = self.views.get(slot) {
                    for edge in [at, at + len] {
                        if edge > start && edge < end {
                            end = edge;
                        }
                    }
                }
            });
            let part = buf
                .get_mut(start - lo..end - lo)
                .ok_or_else(|| EvalError::shape("a stretch of a value"))?;
            self.exec_stretch(step, start, part)?;
            start = end;
        }
        Ok(())
    }

    /// [`Program::exec_entries`] where no operand's placement ends inside `lo..lo + buf.len()`.
    #[inline(always)]
    fn exec_stretch(&self, step: &Step, lo: usize, buf: &mut [f64]) -> Result<(), EvalError> {
        let range = lo..lo + buf.len();
        match step {
            Step::Add { terms, .. } => add(buf, terms, |t| self.part(t, range.clone()))?,
            Step::Scale {
                coeff,
                scalars,
                src,
                ..
            } => {
                let c = scalars.iter().fold(*coeff, |acc, &s| acc * self.scalar(s));
                match src {
                    Some(s) => {
                        for (o, a) in buf.iter_mut().zip(self.part(*s, range)?) {
                            *o = c * a;
                        }
                    }
                    None => buf.fill(c),
                }
            }
            Step::Hadamard { factors, .. } => match factors.as_slice() {
                [] => buf.fill(1.0),
                [f] => buf.copy_from_slice(self.part(*f, range)?),
                [f, g, rest @ ..] => {
                    let (a, b) = (self.part(*f, range.clone())?, self.part(*g, range.clone())?);
                    for ((o, a), b) in buf.iter_mut().zip(a).zip(b) {
                        *o = a * b;
                    }
                    for &h in rest {
                        for (o, a) in buf.iter_mut().zip(self.part(h, range.clone())?) {
                            *o *= a;
                        }
                    }
                }
            },
            Step::Elementwise { f, a, .. } => {
                for (o, x) in buf.iter_mut().zip(self.part(*a, range)?) {
                    *o = x.apply(*f)?;
                }
            }
            Step::SparseMatMul { a, b, .. } => {
                let sel = self
                    .sparse
                    .get(*a)
                    .and_then(|m| m.single.as_ref())
                    .ok_or_else(|| EvalError::shape("a selection"))?;
                let bv = self.part(*b, 0..self.values[*b].len())?;
                let missing = || EvalError::shape("a selected entry");
                if let Some((r, col, len)) = sel.block {
                    // Rows r..r + len of the result are entries col..col + len of the operand.
                    let (first, last) = (range.start.max(r), range.end.min(r + len));
                    if first >= last {
                        buf.fill(0.0);
                    } else {
                        let src = bv
                            .get(first - r + col..last - r + col)
                            .ok_or_else(missing)?;
                        let (head, rest) = buf.split_at_mut(first - lo);
                        let (mid, tail) = rest.split_at_mut(last - first);
                        head.fill(0.0);
                        mid.copy_from_slice(src);
                        tail.fill(0.0);
                    }
                } else {
                    let cols = sel.cols.get(range.clone()).ok_or_else(missing)?;
                    let values = sel.values.get(range).ok_or_else(missing)?;
                    if sel.ones {
                        for (o, &l) in buf.iter_mut().zip(cols) {
                            *o = *bv.get(l).ok_or_else(missing)?;
                        }
                    } else {
                        for ((o, &l), x) in buf.iter_mut().zip(cols).zip(values) {
                            *o = x * bv.get(l).ok_or_else(missing)?;
                        }
                    }
                }
            }
            _ => return Err(EvalError::shape("a step run entry by entry")),
        }
        Ok(())
    }
}

/// Partial sums of an inner product: eight independent sums (so the additions pipeline), fed
/// eight entries at a time, and the entries left over added at the end.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Dot {
    acc: [f64; 8],
}

impl Dot {
    /// Adds the products of whole groups of eight entries (the rest of `a` is ignored: it is the
    /// tail given to [`Dot::finish`]).
    #[inline(always)]
    fn feed(&mut self, a: &[f64]) {
        self.feed2(a, a);
    }

    #[inline(always)]
    fn feed2(&mut self, a: &[f64], b: &[f64]) {
        for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
            for l in 0..8 {
                self.acc[l] += x[l] * y[l];
            }
        }
    }

    /// The inner product: the partial sums, then the tail `a·b`.
    #[inline(always)]
    fn finish(&self, a: &[f64], b: &[f64]) -> f64 {
        let tail: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        self.acc.iter().sum::<f64>() + tail
    }
}

fn copy_checked(buf: &mut [f64], data: &[f64]) -> Result<(), EvalError> {
    if buf.len() != data.len() {
        return Err(EvalError::shape("a computed value"));
    }
    buf.copy_from_slice(data);
    Ok(())
}

/// Are all entries of `v` finite? `0·x` is 0 for a finite `x` and NaN otherwise, so the sum of
/// the products is 0 exactly when all are: a branch-free loop that vectorises.
fn all_finite(v: &[f64]) -> bool {
    let mut acc = [0.0; 8];
    let mut blocks = v.chunks_exact(8);
    for block in &mut blocks {
        for l in 0..8 {
            acc[l] += block[l] * 0.0;
        }
    }
    let rest = blocks.remainder().iter().fold(0.0, |s, x| s + x * 0.0);
    acc.iter().sum::<f64>() + rest == 0.0
}

/// `out = Σ c·t` over `terms` (coefficient, slot) in one pass: entry by entry the same operations
/// as adding the terms one after the other (a coefficient 1 multiplies nothing).
/// `part` gives the operands' entries.
#[inline(always)]
fn add<'a>(
    buf: &mut [f64],
    terms: &[(f64, usize)],
    part: impl Fn(usize) -> Result<&'a [f64], EvalError>,
) -> Result<(), EvalError> {
    match terms {
        [] => buf.fill(0.0),
        [(c, t)] => scaled(buf, *c, part(*t)?),
        [(c, t), (d, u)] => {
            for ((o, a), b) in buf.iter_mut().zip(part(*t)?).zip(part(*u)?) {
                *o = c * a + d * b;
            }
        }
        [(c, t), (d, u), (e, w), rest @ ..] => {
            let (a, b, x) = (part(*t)?, part(*u)?, part(*w)?);
            for (((o, a), b), x) in buf.iter_mut().zip(a).zip(b).zip(x) {
                *o = c * a + d * b + e * x;
            }
            for &(c, t) in rest {
                for (o, a) in buf.iter_mut().zip(part(t)?) {
                    *o += c * a;
                }
            }
        }
    }
    Ok(())
}

/// `out = c·a` (a copy when `c` is 1).
#[inline(always)]
fn scaled(buf: &mut [f64], c: f64, a: &[f64]) {
    if c == 1.0 {
        buf.copy_from_slice(a);
    } else {
        for (o, x) in buf.iter_mut().zip(a) {
            *o = c * x;
        }
    }
}

/// `out = a · b` for row-major `a` (r×k) and `b` (k×c).
#[inline(always)]
fn matmul(a: &[f64], b: &[f64], out: &mut [f64], r: usize, k: usize, c: usize) {
    if c == 1 {
        for (o, row) in out.iter_mut().zip(a.chunks_exact(k.max(1))) {
            *o = dot(row, b);
        }
        return;
    }
    out.fill(0.0);
    for i in 0..r {
        let orow = &mut out[i * c..(i + 1) * c];
        for l in 0..k {
            let x = a[i * k + l];
            if x != 0.0 {
                for (o, y) in orow.iter_mut().zip(&b[l * c..(l + 1) * c]) {
                    *o += x * y;
                }
            }
        }
    }
}

/// The inner product, with independent partial sums so the additions pipeline.
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut d = Dot::default();
    d.feed2(a, b);
    let (ta, tb) = (a.chunks_exact(8).remainder(), b.chunks_exact(8).remainder());
    d.finish(ta, tb)
}
