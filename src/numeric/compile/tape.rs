//! The scalar form of a compiled program: when every step computes one number from numbers, the
//! steps become a straight-line tape over registers, each register holding one number per *lane*.
//! Running `L` points at once puts point `l` in lane `l`, so every instruction is a loop over lanes
//! that the compiler vectorises, and the cost of dispatching it is shared by all lanes. Registers
//! are reused once their value is dead, so the working set stays small. Every instruction does
//! exactly the floating-point operations of the step it replaces, in the same order: the results
//! are bit-for-bit those of [`Program::run`](super::Program::run).

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
    /// Per variable (in the order given to `compile`): the register its value goes to, if read.
    inputs: Vec<Option<usize>>,
    /// Per output: the first of the consecutive registers holding its entries (row-major), and
    /// their number.
    outputs: Vec<(usize, usize)>,
}

/// One instruction, the lane-wise form of a [`Step`] on numbers.
#[derive(Clone, Debug)]
enum Op {
    /// `out = Σ c·t` (a coefficient 1 is an addition only).
    Add { out: usize, terms: Vec<(f64, usize)> },
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
    fn out(&self) -> usize {
        match self {
            Op::Add { out, .. }
            | Op::Scale { out, .. }
            | Op::Product { out, .. }
            | Op::Square { out, .. }
            | Op::PowInt { out, .. }
            | Op::PowNumber { out, .. }
            | Op::Pow { out, .. }
            | Op::SumSquares { out, .. }
            | Op::Apply { out, .. } => *out,
        }
    }

    /// The registers the instruction reads, mutably (for renaming).
    fn reads_mut(&mut self) -> Vec<&mut usize> {
        match self {
            Op::Add { terms, .. } => terms.iter_mut().map(|(_, t)| t).collect(),
            Op::Scale { scalars, src, .. } => scalars.iter_mut().chain(src.as_mut()).collect(),
            Op::Product { factors, .. } => factors.iter_mut().collect(),
            Op::Pow { a, e, .. } => vec![a, e],
            Op::Square { a, .. }
            | Op::PowInt { a, .. }
            | Op::PowNumber { a, .. }
            | Op::SumSquares { a, .. }
            | Op::Apply { a, .. } => vec![a],
        }
    }

    fn out_mut(&mut self) -> &mut usize {
        match self {
            Op::Add { out, .. }
            | Op::Scale { out, .. }
            | Op::Product { out, .. }
            | Op::Square { out, .. }
            | Op::PowInt { out, .. }
            | Op::PowNumber { out, .. }
            | Op::Pow { out, .. }
            | Op::SumSquares { out, .. }
            | Op::Apply { out, .. } => out,
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
        if live.get(op.out()).copied().unwrap_or(false) {
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
        let ops = fold_scalings(ops, &outputs, slots + extra.len());
        Tape::allocate(program, ops, outputs, extra)
    }

    /// Assigns registers: each output a block of consecutive registers (its entries, row-major,
    /// computed in place or copied there), variables and constants their own, other computed
    /// values a register that is reused once nothing reads the value any more. `extra` are
    /// constants numbered after the slots.
    fn allocate(
        program: &Program,
        mut ops: Vec<Op>,
        outputs: Vec<Vec<usize>>,
        extra: Vec<f64>,
    ) -> Option<Tape> {
        let slots = program.shapes.len();
        let mut total = slots + extra.len();
        let mut computed = vec![false; total];
        for op in &ops {
            *computed.get_mut(op.out())? = true;
        }
        let mut register = vec![usize::MAX; total];
        let mut registers = 0usize;
        let fresh = |registers: &mut usize| {
            *registers += 1;
            *registers - 1
        };
        // Output blocks. An entry computed by an instruction (the first time it appears) is
        // computed in its block; any other entry is copied there by an instruction at the end.
        let mut blocks = Vec::with_capacity(outputs.len());
        let mut copies = Vec::new();
        for entries in &outputs {
            let base = registers;
            for &e in entries {
                let reg = fresh(&mut registers);
                if *computed.get(e)? && register[e] == usize::MAX {
                    register[e] = reg;
                } else {
                    copies.push((e, reg));
                }
            }
            blocks.push((base, entries.len()));
        }
        for &(e, reg) in &copies {
            ops.push(Op::Product {
                out: total,
                factors: vec![e],
            });
            computed.push(true);
            register.push(reg);
            total += 1;
        }
        // Last instruction reading each slot (outputs are read after the last instruction).
        let mut last = vec![None::<usize>; total];
        for (i, op) in ops.iter_mut().enumerate() {
            for r in op.reads_mut() {
                *last.get_mut(*r)? = Some(i);
            }
        }
        // Variables, then constants: fixed registers.
        let mut inputs = Vec::with_capacity(program.inputs.len());
        for input in &program.inputs {
            let reg = match input.slot {
                Some(s) if last[s].is_some() => {
                    if register[s] == usize::MAX {
                        register[s] = fresh(&mut registers);
                    }
                    Some(register[s])
                }
                _ => None,
            };
            inputs.push(reg);
        }
        let mut constants = Vec::new();
        for s in 0..slots + extra.len() {
            if last[s].is_some() && !computed[s] && register[s] == usize::MAX {
                let value = if s < slots {
                    program.values.get(s)?.first().copied().unwrap_or(0.0)
                } else {
                    *extra.get(s - slots)?
                };
                register[s] = fresh(&mut registers);
                constants.push((register[s], value));
            }
        }
        // Other computed values: a register freed after its last reader.
        let fixed: Vec<bool> = register.iter().map(|&r| r != usize::MAX).collect();
        let mut free: Vec<usize> = Vec::new();
        for (i, op) in ops.iter_mut().enumerate() {
            let mut dying = Vec::new();
            for r in op.reads_mut() {
                let s = *r;
                *r = register[s];
                if !fixed[s] && last[s] == Some(i) && !dying.contains(&s) {
                    dying.push(s);
                }
            }
            // Operands are read before the result is written, so the result may take the
            // register of an operand that dies here.
            for s in dying {
                free.push(register[s]);
            }
            let out = *op.out_mut();
            if !fixed[out] {
                register[out] = free.pop().unwrap_or_else(|| fresh(&mut registers));
            }
            *op.out_mut() = register[out];
        }
        Some(Tape {
            ops,
            registers,
            constants,
            inputs,
            outputs: blocks,
        })
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

    /// The per-variable input registers.
    pub(super) fn inputs(&self) -> &[Option<usize>] {
        &self.inputs
    }

    /// Per output: its registers, one per entry (row-major), in `regs`.
    pub(super) fn output<'r, const L: usize>(
        &self,
        k: usize,
        regs: &'r [[f64; L]],
    ) -> &'r [[f64; L]] {
        self.outputs
            .get(k)
            .and_then(|&(base, size)| regs.get(base..base + size))
            .unwrap_or(&[])
    }

    /// Runs the instructions on all lanes of `regs` (from [`Tape::registers`], variables
    /// loaded).
    pub(super) fn run<const L: usize>(&self, regs: &mut [[f64; L]]) -> Result<(), EvalError> {
        for op in &self.ops {
            match op {
                Op::Add { out, terms } => {
                    let mut acc = [0.0; L];
                    let mut it = terms.iter();
                    if let Some(&(c, t)) = it.next() {
                        acc = regs[t];
                        if c != 1.0 {
                            acc = acc.map(|a| c * a);
                        }
                    }
                    for &(c, t) in it {
                        let a = &regs[t];
                        if c == 1.0 {
                            for l in 0..L {
                                acc[l] += a[l];
                            }
                        } else {
                            for l in 0..L {
                                acc[l] += c * a[l];
                            }
                        }
                    }
                    regs[*out] = acc;
                }
                Op::Scale {
                    out,
                    coeff,
                    scalars,
                    src,
                } => {
                    let mut c = [*coeff; L];
                    for &s in scalars {
                        let a = &regs[s];
                        for l in 0..L {
                            c[l] *= a[l];
                        }
                    }
                    if let Some(s) = *src {
                        let a = &regs[s];
                        for l in 0..L {
                            c[l] *= a[l];
                        }
                    }
                    regs[*out] = c;
                }
                Op::Product { out, factors } => {
                    let mut acc = [1.0; L];
                    let mut it = factors.iter();
                    if let Some(&f) = it.next() {
                        acc = regs[f];
                    }
                    for &f in it {
                        let a = &regs[f];
                        for l in 0..L {
                            acc[l] *= a[l];
                        }
                    }
                    regs[*out] = acc;
                }
                Op::Square { out, a } => {
                    regs[*out] = regs[*a].map(|x| x * x);
                }
                Op::PowInt { out, a, k } => {
                    regs[*out] = regs[*a].map(|x| x.powi(*k));
                }
                Op::PowNumber { out, a, k } => {
                    let mut r = regs[*a];
                    for x in r.iter_mut() {
                        *x = x.pow_number(k)?;
                    }
                    regs[*out] = r;
                }
                Op::Pow { out, a, e } => {
                    let (mut r, e) = (regs[*a], regs[*e]);
                    for (x, y) in r.iter_mut().zip(e) {
                        *x = Scalar::pow(x, &y)?;
                    }
                    regs[*out] = r;
                }
                Op::SumSquares { out, a, j } => {
                    let mut r = regs[*a];
                    for x in r.iter_mut() {
                        let s = *x * *x;
                        *x = if j.is_one() { s } else { s.pow_number(j)? };
                    }
                    regs[*out] = r;
                }
                Op::Apply { out, f, a } => {
                    let mut r = regs[*a];
                    for x in r.iter_mut() {
                        *x = x.apply(*f)?;
                    }
                    regs[*out] = r;
                }
            }
        }
        Ok(())
    }
}
