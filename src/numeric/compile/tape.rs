//! The scalar form of a compiled program: when every step computes one number from numbers, the
//! steps become a straight-line tape over registers, each register holding one number per *lane*.
//! Running `L` points at once puts point `l` in lane `l`, so every instruction is a loop over lanes
//! that the compiler vectorises, and the cost of dispatching it is shared by all lanes. Registers
//! are reused once their value is dead, and variables are loaded right before their first use
//! and outputs stored right after they are computed, so the working set stays small and memory
//! traffic overlaps the arithmetic. Every instruction does exactly the floating-point operations
//! of the step it replaces, in the same order: the results are bit-for-bit those of running the
//! steps one by one.

use super::{Program, Step};
use crate::expr::{Func, Number};
use crate::numeric::error::EvalError;
use crate::numeric::scalar::Scalar;

/// A straight-line program over registers of `L` lanes.
#[derive(Clone, Debug)]
pub(super) struct Tape {
    ops: Vec<Op>,
    /// How many registers the tape uses.
    registers: usize,
    /// Registers holding constants: set once per run, never overwritten.
    constants: Vec<(usize, f64)>,
    /// Per output: its number of entries.
    sizes: Vec<usize>,
}

/// One instruction, the lane-wise form of a [`Step`] on numbers.
#[derive(Clone, Debug)]
enum Op {
    /// `out =` the values of the `input`-th variable (a number) at the lanes' points.
    Load { out: usize, input: usize },
    /// Row `at` of the outputs (the outputs' entries one after the other) `= a`.
    Store { a: usize, at: usize },
    /// `out = Σ c·t` (a coefficient 1 is an addition only).
    Add {
        out: usize,
        terms: Vec<(f64, usize)>,
    },
    /// `out = (coeff · Π scalars) · src`, or the product alone without `src`.
    Scale {
        out: usize,
        coeff: f64,
        scalars: Vec<usize>,
        src: Option<usize>,
    },
    /// `out = Π factors`.
    Product { out: usize, factors: Vec<usize> },
    /// `out = a²`.
    Square { out: usize, a: usize },
    /// `out = a^k`.
    PowInt { out: usize, a: usize, k: i32 },
    /// `out = a^k` for an exact exponent, with the evaluator's domain checks.
    PowNumber { out: usize, a: usize, k: Number },
    /// `out = a^e`, with the evaluator's domain checks.
    Pow { out: usize, a: usize, e: usize },
    /// `out = ‖a‖^(2j)` of a number: `(a·a)^j`.
    SumSquares { out: usize, a: usize, j: Number },
    /// `out = f(a)`.
    Apply { out: usize, f: Func, a: usize },
}

impl Op {
    /// The register written, if any.
    fn out(&self) -> Option<usize> {
        match self {
            Op::Store { .. } => None,
            Op::Load { out, .. }
            | Op::Add { out, .. }
            | Op::Scale { out, .. }
            | Op::Product { out, .. }
            | Op::Square { out, .. }
            | Op::PowInt { out, .. }
            | Op::PowNumber { out, .. }
            | Op::Pow { out, .. }
            | Op::SumSquares { out, .. }
            | Op::Apply { out, .. } => Some(*out),
        }
    }

    /// The registers the instruction reads.
    fn reads(&self) -> Vec<usize> {
        self.clone().reads_mut().into_iter().map(|r| *r).collect()
    }

    /// The registers the instruction reads, mutably (for renaming).
    fn reads_mut(&mut self) -> Vec<&mut usize> {
        match self {
            Op::Add { terms, .. } => terms.iter_mut().map(|(_, t)| t).collect(),
            Op::Scale { scalars, src, .. } => scalars.iter_mut().chain(src.as_mut()).collect(),
            Op::Product { factors, .. } => factors.iter_mut().collect(),
            Op::Pow { a, e, .. } => vec![a, e],
            Op::Load { .. } => Vec::new(),
            Op::Store { a, .. }
            | Op::Square { a, .. }
            | Op::PowInt { a, .. }
            | Op::PowNumber { a, .. }
            | Op::SumSquares { a, .. }
            | Op::Apply { a, .. } => vec![a],
        }
    }

    fn out_mut(&mut self) -> Option<&mut usize> {
        match self {
            Op::Store { .. } => None,
            Op::Load { out, .. }
            | Op::Add { out, .. }
            | Op::Scale { out, .. }
            | Op::Product { out, .. }
            | Op::Square { out, .. }
            | Op::PowInt { out, .. }
            | Op::PowNumber { out, .. }
            | Op::Pow { out, .. }
            | Op::SumSquares { out, .. }
            | Op::Apply { out, .. } => Some(out),
        }
    }
}

/// Does a slot of shape `s` hold one number?
fn is_number(s: (usize, usize)) -> bool {
    s == (1, 1)
}

/// Folds scalings `c·a` read as a plain term of a sum into the sum (the term `1·(c·a)` becomes
/// `c·a`: the same multiplication, so the same bits) and drops the instructions nothing reads any
/// more. `slots` bounds the slot numbers.
fn fold_scalings(mut ops: Vec<Op>, outputs: &[Vec<usize>], slots: usize) -> Vec<Op> {
    // Per slot: the `(c, a)` of the scaling computing it.
    let mut scaling: Vec<Option<(f64, usize)>> = vec![None; slots];
    for op in &mut ops {
        match op {
            Op::Scale {
                out,
                coeff,
                scalars,
                src,
            } => {
                let single = match (scalars.as_slice(), *src) {
                    (&[a], None) | (&[], Some(a)) => Some((*coeff, a)),
                    _ => None,
                };
                if let Some(s) = scaling.get_mut(*out) {
                    *s = single;
                }
            }
            Op::Add { terms, .. } => {
                for (c, t) in terms.iter_mut() {
                    if let (1.0, Some(&Some((k, a)))) = (*c, scaling.get(*t)) {
                        (*c, *t) = (k, a);
                    }
                }
            }
            _ => {}
        }
    }
    let mut live = vec![false; slots];
    for &e in outputs.iter().flatten() {
        if let Some(l) = live.get_mut(e) {
            *l = true;
        }
    }
    let mut kept = Vec::with_capacity(ops.len());
    for mut op in ops.into_iter().rev() {
        if op.out().and_then(|o| live.get(o).copied()).unwrap_or(false) {
            for r in op.reads_mut() {
                if let Some(l) = live.get_mut(*r) {
                    *l = true;
                }
            }
            kept.push(op);
        }
    }
    kept.reverse();
    kept
}

/// Adds the loads of variables (right before their first reader) and the stores of output
/// entries (right after they are computed; constants and unread variables first). `slots`
/// bounds the slot numbers; `None` if an output reads a variable that is not a number.
fn place_io(
    ops: Vec<Op>,
    program: &Program,
    outputs: &[Vec<usize>],
    slots: usize,
) -> Option<Vec<Op>> {
    let mut input_of = vec![None; slots];
    for (k, input) in program.inputs.iter().enumerate() {
        if let Some(s) = input.slot {
            if is_number(*program.shapes.get(s)?) {
                *input_of.get_mut(s)? = Some(k);
            }
        }
    }
    let mut stores: Vec<Vec<usize>> = vec![Vec::new(); slots];
    for (at, &s) in outputs.iter().flatten().enumerate() {
        stores.get_mut(s)?.push(at);
    }
    let mut computed = vec![false; slots];
    let mut read = vec![false; slots];
    for op in &ops {
        if let Some(o) = op.out() {
            *computed.get_mut(o)? = true;
        }
        for r in op.reads() {
            *read.get_mut(r)? = true;
        }
    }
    let mut placed = Vec::with_capacity(ops.len() + outputs.iter().map(Vec::len).sum::<usize>());
    let store = |placed: &mut Vec<Op>, s: usize| {
        for &at in &stores[s] {
            placed.push(Op::Store { a: s, at });
        }
    };
    let mut loaded = vec![false; slots];
    for s in 0..slots {
        // Computed entries and variables read anyway are stored where they are computed or
        // loaded.
        if stores[s].is_empty() || computed[s] || (read[s] && input_of[s].is_some()) {
            continue;
        }
        if let Some(input) = input_of[s] {
            placed.push(Op::Load { out: s, input });
            loaded[s] = true;
        } else if program.inputs.iter().any(|i| i.slot == Some(s)) {
            return None;
        }
        store(&mut placed, s);
    }
    for op in ops {
        for s in op.reads() {
            if let (Some(input), false) = (input_of[s], loaded[s]) {
                placed.push(Op::Load { out: s, input });
                loaded[s] = true;
                store(&mut placed, s);
            }
        }
        let out = op.out();
        placed.push(op);
        if let Some(o) = out {
            store(&mut placed, o);
        }
    }
    Some(placed)
}

impl Tape {
    /// The tape of `program`, if every step computes a number from numbers (matrix literals of
    /// numbers are allowed as outputs) and every output is a number, such a literal or a
    /// constant.
    pub(super) fn of(program: &Program) -> Option<Tape> {
        let shapes = &program.shapes;
        let slots = shapes.len();
        let mut ops = Vec::with_capacity(program.steps.len());
        // Slots an instruction computes, and literals of numbers (their entries).
        let mut computed = vec![false; slots];
        let mut literals: Vec<Option<&[usize]>> = vec![None; slots];
        for step in &program.steps {
            let out = step.out();
            if let Step::Literal { entries, .. } = step {
                if entries.iter().all(|&e| is_number(shapes[e])) {
                    literals[out] = Some(entries);
                    continue;
                }
                return None;
            }
            let reads = step.reads();
            if !is_number(shapes[out])
                || reads
                    .iter()
                    .any(|&r| !is_number(shapes[r]) || literals[r].is_some())
            {
                return None;
            }
            computed[out] = true;
            ops.push(match step {
                Step::Add { terms, .. } => Op::Add {
                    out,
                    terms: terms.clone(),
                },
                Step::Scale {
                    coeff,
                    scalars,
                    src,
                    ..
                } => Op::Scale {
                    out,
                    coeff: *coeff,
                    scalars: scalars.clone(),
                    src: *src,
                },
                Step::Hadamard { factors, .. } => Op::Product {
                    out,
                    factors: factors.clone(),
                },
                // `powi(2)` is exactly `a·a`.
                Step::PowInt { base, k: 2, .. } => Op::Square { out, a: *base },
                Step::PowInt { base, k, .. } => Op::PowInt {
                    out,
                    a: *base,
                    k: *k,
                },
                Step::PowNumber { base, k, .. } => Op::PowNumber {
                    out,
                    a: *base,
                    k: k.clone(),
                },
                Step::Pow { base, exp, .. } => Op::Pow {
                    out,
                    a: *base,
                    e: *exp,
                },
                Step::SumSquares { v, j, .. } => Op::SumSquares {
                    out,
                    a: *v,
                    j: j.clone(),
                },
                Step::Elementwise { f, a, .. } => Op::Apply { out, f: *f, a: *a },
                Step::MatMul { .. }
                | Step::SparseMatMul { .. }
                | Step::Transpose { .. }
                | Step::Apply { .. }
                | Step::MatrixPow { .. }
                | Step::Literal { .. }
                | Step::Component { .. }
                | Step::Fallback { .. } => return None,
            });
        }
        let is_input = |s: usize| program.inputs.iter().any(|i| i.slot == Some(s));
        // Constant matrix outputs: one constant register per entry, numbered after the slots.
        let mut extra = Vec::new();
        let mut outputs = Vec::with_capacity(program.outputs.len());
        for &o in &program.outputs {
            let entries = match literals[o] {
                Some(entries) => entries.to_vec(),
                None if is_number(shapes[o]) => vec![o],
                None if !is_input(o) && !computed[o] => {
                    let first = slots + extra.len();
                    extra.extend(program.values.get(o)?.iter().copied());
                    (first..slots + extra.len()).collect()
                }
                None => return None,
            };
            outputs.push(entries);
        }
        let total = slots + extra.len();
        let ops = fold_scalings(ops, &outputs, total);
        let ops = place_io(ops, program, &outputs, total)?;
        let mut tape = Tape::allocate(program, ops, extra)?;
        tape.sizes = outputs.iter().map(Vec::len).collect();
        Some(tape)
    }

    /// Assigns registers: constants their own, every other value a register that is reused once
    /// nothing reads the value any more. `extra` are constants numbered after the slots.
    fn allocate(program: &Program, mut ops: Vec<Op>, extra: Vec<f64>) -> Option<Tape> {
        let slots = program.shapes.len();
        let total = slots + extra.len();
        let mut computed = vec![false; total];
        let mut last = vec![None::<usize>; total];
        for (i, op) in ops.iter_mut().enumerate() {
            for r in op.reads_mut() {
                *last.get_mut(*r)? = Some(i);
            }
            if let Some(out) = op.out() {
                *computed.get_mut(out)? = true;
            }
        }
        let mut register = vec![usize::MAX; total];
        let mut constants = Vec::new();
        for s in 0..total {
            if last[s].is_some() && !computed[s] {
                let value = match s.checked_sub(slots) {
                    None => program.values.get(s)?.first().copied().unwrap_or(0.0),
                    Some(x) => *extra.get(x)?,
                };
                register[s] = constants.len();
                constants.push((register[s], value));
            }
        }
        let mut registers = constants.len();
        let mut free: Vec<usize> = Vec::new();
        for (i, op) in ops.iter_mut().enumerate() {
            let mut dying = Vec::new();
            for r in op.reads_mut() {
                let s = *r;
                *r = register[s];
                if computed[s] && last[s] == Some(i) && !dying.contains(&s) {
                    dying.push(s);
                }
            }
            // The result never takes the register of an operand, so instructions write their
            // result while reading their operands.
            if let Some(out) = op.out_mut() {
                let reg = free.pop().unwrap_or_else(|| {
                    registers += 1;
                    registers - 1
                });
                register[*out] = reg;
                *out = reg;
            }
            for s in dying {
                free.push(register[s]);
            }
        }
        Some(Tape {
            ops,
            registers,
            constants,
            sizes: Vec::new(),
        })
    }

    /// The number of entries of each output.
    pub(super) fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The number of entries of all outputs together.
    pub(super) fn entries(&self) -> usize {
        self.sizes.iter().sum()
    }

    /// Registers for `L` lanes with the constants set.
    pub(super) fn registers<const L: usize>(&self) -> Vec<[f64; L]> {
        let mut regs = vec![[0.0; L]; self.registers];
        for &(r, v) in &self.constants {
            if let Some(reg) = regs.get_mut(r) {
                *reg = [v; L];
            }
        }
        regs
    }

    /// Runs the instructions on all lanes of `regs` (from [`Tape::registers`]) for the points
    /// `start..start + n` (`n ≤ L`; spare lanes repeat the first point): variable `k` at point
    /// `p` is `inputs[k][p]`, and the outputs' entries, one after the other (see
    /// [`Tape::entries`]), go to the rows of `stage`, lane by lane.
    ///
    /// With the widest vector instructions the processor has (AVX2 where available): the same
    /// operations, so the same results.
    pub(super) fn run<const L: usize>(
        &self,
        regs: &mut [[f64; L]],
        inputs: &[&[f64]],
        span: (usize, usize),
        stage: &mut [[f64; L]],
    ) -> Result<(), EvalError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            return unsafe { self.run_avx2(regs, inputs, span, stage) };
        }
        self.run_lanes(regs, inputs, span, stage)
    }

    /// [`Tape::run`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2<const L: usize>(
        &self,
        regs: &mut [[f64; L]],
        inputs: &[&[f64]],
        span: (usize, usize),
        stage: &mut [[f64; L]],
    ) -> Result<(), EvalError> {
        self.run_lanes(regs, inputs, span, stage)
    }

    /// [`Tape::run`] for the instructions the compiler targets.
    #[inline(always)]
    fn run_lanes<const L: usize>(
        &self,
        regs: &mut [[f64; L]],
        inputs: &[&[f64]],
        (start, n): (usize, usize),
        stage: &mut [[f64; L]],
    ) -> Result<(), EvalError> {
        for op in &self.ops {
            match op {
                Op::Load { out, input } => {
                    let column = inputs.get(*input).copied().unwrap_or(&[]);
                    if let Some(next) = column.get(start + L..) {
                        for line in next.chunks(8).take(L.div_ceil(8)) {
                            prefetch(line);
                        }
                    }
                    let src = column.get(start..start + n).unwrap_or(&[]);
                    let o = regs.get_mut(*out).ok_or_else(misplaced)?;
                    match <&[f64; L]>::try_from(src) {
                        Ok(full) => *o = *full,
                        Err(_) => {
                            let first = src.first().copied().unwrap_or(0.0);
                            for (l, x) in o.iter_mut().enumerate() {
                                *x = src.get(l).copied().unwrap_or(first);
                            }
                        }
                    }
                }
                Op::Store { a, at } => {
                    let lanes = regs.get(*a).ok_or_else(misplaced)?;
                    *stage.get_mut(*at).ok_or_else(misplaced)? = *lanes;
                }
                Op::Add { out, terms } => {
                    // The sum builds up in vector registers, written once.
                    let mut acc = [0.0; L];
                    for (i, &(c, t)) in terms.iter().enumerate() {
                        let a = regs.get(t).ok_or_else(misplaced)?;
                        match (i, c == 1.0) {
                            (0, true) => acc = *a,
                            (0, false) => {
                                for (x, y) in acc.iter_mut().zip(a) {
                                    *x = c * y;
                                }
                            }
                            (_, true) => {
                                for (x, y) in acc.iter_mut().zip(a) {
                                    *x += y;
                                }
                            }
                            (_, false) => {
                                for (x, y) in acc.iter_mut().zip(a) {
                                    *x += c * y;
                                }
                            }
                        }
                    }
                    *regs.get_mut(*out).ok_or_else(misplaced)? = acc;
                }
                Op::Scale {
                    out,
                    coeff,
                    scalars,
                    src,
                } => {
                    let mut acc = [*coeff; L];
                    for &s in scalars.iter().chain(src) {
                        for (x, y) in acc.iter_mut().zip(regs.get(s).ok_or_else(misplaced)?) {
                            *x *= y;
                        }
                    }
                    *regs.get_mut(*out).ok_or_else(misplaced)? = acc;
                }
                Op::Product { out, factors } => {
                    let mut acc = [1.0; L];
                    for (i, &f) in factors.iter().enumerate() {
                        let a = regs.get(f).ok_or_else(misplaced)?;
                        if i == 0 {
                            acc = *a;
                        } else {
                            for (x, y) in acc.iter_mut().zip(a) {
                                *x *= y;
                            }
                        }
                    }
                    *regs.get_mut(*out).ok_or_else(misplaced)? = acc;
                }
                Op::Square { out, a } => {
                    let (o, a) = pair(regs, *out, *a)?;
                    for l in 0..L {
                        o[l] = a[l] * a[l];
                    }
                }
                Op::PowInt { out, a, k } => {
                    let (o, a) = pair(regs, *out, *a)?;
                    for l in 0..L {
                        o[l] = a[l].powi(*k);
                    }
                }
                Op::PowNumber { out, a, k } => {
                    let (o, a) = pair(regs, *out, *a)?;
                    for (x, y) in o.iter_mut().zip(a) {
                        *x = y.pow_number(k)?;
                    }
                }
                Op::Pow { out, a, e } => {
                    let e = *regs.get(*e).ok_or_else(misplaced)?;
                    let (o, a) = pair(regs, *out, *a)?;
                    for ((x, y), z) in o.iter_mut().zip(a).zip(&e) {
                        *x = Scalar::pow(y, z)?;
                    }
                }
                Op::SumSquares { out, a, j } => {
                    let (o, a) = pair(regs, *out, *a)?;
                    for (x, y) in o.iter_mut().zip(a) {
                        let s = y * y;
                        *x = if j.is_one() { s } else { s.pow_number(j)? };
                    }
                }
                Op::Apply { out, f, a } => {
                    let (o, a) = pair(regs, *out, *a)?;
                    for (x, y) in o.iter_mut().zip(a) {
                        *x = y.apply(*f)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The error of a register out of place (a bug in the allocation, reported rather than
/// panicking).
fn misplaced() -> EvalError {
    EvalError::shape("a register of the compiled program")
}

/// The result register `out` and an operand register `a` (never the same).
#[inline(always)]
fn pair<const L: usize>(
    regs: &mut [[f64; L]],
    out: usize,
    a: usize,
) -> Result<(&mut [f64; L], &[f64; L]), EvalError> {
    let split = if out < a {
        let (lo, hi) = regs.split_at_mut(a);
        lo.get_mut(out).zip(hi.first())
    } else if a < out {
        let (lo, hi) = regs.split_at_mut(out);
        hi.first_mut().zip(lo.get(a))
    } else {
        None
    };
    split.ok_or_else(misplaced)
}

/// Asks the processor to bring the cache line holding `data`'s first value into cache (a hint
/// without effect on results).
#[inline(always)]
fn prefetch(data: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and never faults; the address is that of a live slice.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(data.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}
