//! Compiled evaluation: the shared DAG of some expressions turned once into a flat program over
//! `f64` buffers — one slot per distinct node, steps in topological order, every common
//! subexpression computed once per run, and everything that does not depend on the variables
//! (data, `AᵀA`, transposes of data) computed once at compile time. Sparse constant matrices
//! (selection matrices, identities) multiply in compressed-row form.
//!
//! ```
//! use nabla::expr::{Assumptions, Pool, Shape, SymbolOrigin};
//! use nabla::numeric::{compile, Instance};
//!
//! let mut pool = Pool::new();
//! let x = pool.declare("x", Shape::scalar(), Assumptions::default(), SymbolOrigin::Declared).unwrap();
//! let xe = pool.symbol_expr(x);
//! let x2 = pool.powi(xe, 2);
//! let mut program = compile(&pool, &[x2], &[x], &Instance::new()).unwrap();
//! program.run(&[&[3.0]]).unwrap();
//! assert_eq!(program.output(0), &[9.0]);
//! ```

use super::apply::apply;
use super::dense::Dense;
use super::error::EvalError;
use super::eval::{evaluate, Instance};
use super::free::free_symbols;
use super::scalar::Scalar;
use crate::expr::{Dim, Func, Id, Node, NormKind, Number, Pool, Shape, SymbolId};
use std::collections::HashMap;

/// Most constant entries for which a matrix is still worth storing in compressed rows (as a
/// fraction of all its entries).
const SPARSE_DENSITY: f64 = 0.25;

/// A compiled program computing some outputs from the values of some variables.
#[derive(Clone, Debug)]
pub struct Program {
    values: Vec<Vec<f64>>,
    shapes: Vec<(usize, usize)>,
    steps: Vec<Step>,
    /// Per variable (in the order given to [`compile`]): its slot, if the outputs use it.
    inputs: Vec<(SymbolId, Option<usize>)>,
    outputs: Vec<usize>,
    sparse: Vec<Csr>,
    fallback: Option<Fallback>,
}

/// What the program needs to evaluate nodes it does not compile (sums over an index, `at`).
#[derive(Clone, Debug)]
struct Fallback {
    pool: Pool,
    instance: Instance<f64>,
}

/// A constant matrix in compressed-row form.
#[derive(Clone, Debug)]
struct Csr {
    rows: usize,
    starts: Vec<usize>,
    cols: Vec<usize>,
    values: Vec<f64>,
}

/// One instruction; `out` and the operands are slot numbers.
#[derive(Clone, Debug)]
enum Step {
    Add { out: usize, terms: Vec<(f64, usize)> },
    Scale { out: usize, coeff: f64, scalars: Vec<usize>, src: Option<usize> },
    MatMul { out: usize, a: usize, b: usize },
    SparseMatMul { out: usize, a: usize, b: usize },
    Transpose { out: usize, a: usize },
    Hadamard { out: usize, factors: Vec<usize> },
    PowInt { out: usize, base: usize, k: i32 },
    PowNumber { out: usize, base: usize, k: Number },
    Pow { out: usize, base: usize, exp: usize },
    SumSquares { out: usize, v: usize, j: Number },
    Elementwise { out: usize, f: Func, a: usize },
    Apply { out: usize, f: Func, a: usize, shape: Shape },
    MatrixPow { out: usize, a: usize, k: usize },
    Literal { out: usize, entries: Vec<usize> },
    Component { out: usize, a: usize, idx: Vec<usize> },
    Fallback { out: usize, id: Id },
}

impl Step {
    /// The slots the step reads.
    fn reads(&self) -> Vec<usize> {
        match self {
            Step::Add { terms, .. } => terms.iter().map(|(_, t)| *t).collect(),
            Step::Scale { scalars, src, .. } => scalars.iter().copied().chain(*src).collect(),
            Step::MatMul { a, b, .. } => vec![*a, *b],
            Step::SparseMatMul { b, .. } => vec![*b],
            Step::Transpose { a, .. }
            | Step::Elementwise { a, .. }
            | Step::Apply { a, .. }
            | Step::PowInt { base: a, .. }
            | Step::PowNumber { base: a, .. }
            | Step::SumSquares { v: a, .. } => vec![*a],
            Step::Pow { base, exp, .. } => vec![*base, *exp],
            Step::MatrixPow { a, k, .. } => vec![*a, *k],
            Step::Hadamard { factors: xs, .. } | Step::Literal { entries: xs, .. } => xs.clone(),
            Step::Component { a, idx, .. } => std::iter::once(*a).chain(idx.iter().copied()).collect(),
            // Reads the variables through its own instance.
            Step::Fallback { .. } => Vec::new(),
        }
    }

    fn out(&self) -> usize {
        match self {
            Step::Add { out, .. }
            | Step::Scale { out, .. }
            | Step::MatMul { out, .. }
            | Step::SparseMatMul { out, .. }
            | Step::Transpose { out, .. }
            | Step::Hadamard { out, .. }
            | Step::PowInt { out, .. }
            | Step::PowNumber { out, .. }
            | Step::Pow { out, .. }
            | Step::SumSquares { out, .. }
            | Step::Elementwise { out, .. }
            | Step::Apply { out, .. }
            | Step::MatrixPow { out, .. }
            | Step::Literal { out, .. }
            | Step::Component { out, .. }
            | Step::Fallback { out, .. } => *out,
        }
    }
}

/// Compiles `outputs` as functions of `variables`; every other symbol and every dimension takes
/// its value from `data` (once, now). Fails on a missing value, a size that disagrees, or an
/// unevaluated derivative.
pub fn compile(
    pool: &Pool,
    outputs: &[Id],
    variables: &[SymbolId],
    data: &Instance<f64>,
) -> Result<Program, EvalError> {
    let mut c = Compiler {
        pool,
        variables,
        data,
        slot_of: HashMap::new(),
        constant: Vec::new(),
        scaled: HashMap::new(),
        products: HashMap::new(),
        program: Program {
            values: Vec::new(),
            shapes: Vec::new(),
            steps: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            sparse: Vec::new(),
            fallback: None,
        },
    };
    for id in topological(pool, outputs) {
        c.node(id)?;
    }
    for &o in outputs {
        let slot = c.slot(o)?;
        c.program.outputs.push(slot);
    }
    c.finish()
}

/// The nodes a program evaluates, children before parents (bodies of `∑` and `at` excluded:
/// those are evaluated whole).
fn topological(pool: &Pool, roots: &[Id]) -> Vec<Id> {
    let mut order = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(Id, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            order.push(n);
            continue;
        }
        if !seen.insert(n) {
            continue;
        }
        stack.push((n, true));
        stack.extend(operands(pool, n).into_iter().rev().map(|c| (c, false)));
    }
    order
}

/// The operands a compiled step reads.
fn operands(pool: &Pool, id: Id) -> Vec<Id> {
    match pool.node(id) {
        Node::Sum { .. } | Node::At(..) | Node::Kron(..) => Vec::new(),
        Node::Pow(b, e) => match even_norm_power(pool, *b, *e) {
            Some((v, _)) => vec![v],
            None => vec![*b, *e],
        },
        node => node.children(),
    }
}

/// `Some((v, j))` when `b^e` is `‖v‖^(2j)` for the 2-norm or Frobenius norm.
fn even_norm_power(pool: &Pool, b: Id, e: Id) -> Option<(Id, Number)> {
    let (Node::Num(k), Node::Apply(Func::Norm(NormKind::Two | NormKind::Frobenius), args)) =
        (pool.node(e), pool.node(b))
    else {
        return None;
    };
    let j = k * &Number::ratio(1, 2);
    match (&args[..], j.is_integer()) {
        (&[v], true) => Some((v, j)),
        _ => None,
    }
}

struct Compiler<'a> {
    pool: &'a Pool,
    variables: &'a [SymbolId],
    data: &'a Instance<f64>,
    slot_of: HashMap<Id, usize>,
    /// Per slot: does its value not depend on the variables?
    constant: Vec<bool>,
    /// Slots computed as `c·X` by a plain scaling: slot → (c, X).
    scaled: HashMap<usize, (f64, usize)>,
    /// Matrix products already emitted: (left, right) → slot.
    products: HashMap<(usize, usize), usize>,
    program: Program,
}

impl Compiler<'_> {
    fn slot(&self, id: Id) -> Result<usize, EvalError> {
        self.slot_of
            .get(&id)
            .copied()
            .ok_or_else(|| EvalError::shape("an operand compiled out of order"))
    }

    fn dim(&self, d: &Dim) -> Result<usize, EvalError> {
        let dims = &self.data.dims;
        if let Some(missing) = d.symbols.iter().find(|s| !dims.contains_key(*s)) {
            return Err(EvalError::MissingDimension {
                name: missing.clone(),
            });
        }
        let v = d
            .evaluate(&|s| dims.get(s).copied())
            .ok_or(EvalError::TooLarge)?;
        usize::try_from(v).map_err(|_| EvalError::TooLarge)
    }

    fn shape(&self, s: &Shape) -> Result<(usize, usize), EvalError> {
        Ok((self.dim(&s.rows)?, self.dim(&s.cols)?))
    }

    fn new_slot(&mut self, shape: (usize, usize), constant: bool) -> Result<usize, EvalError> {
        let n = shape
            .0
            .checked_mul(shape.1)
            .filter(|&n| n <= super::MAX_ENTRIES)
            .ok_or(EvalError::TooLarge)?;
        self.program.values.push(vec![0.0; n]);
        self.program.shapes.push(shape);
        self.constant.push(constant);
        Ok(self.program.values.len() - 1)
    }

    fn set(&mut self, slot: usize, value: Dense<f64>) -> Result<(), EvalError> {
        if value.shape() != self.program.shapes[slot] {
            return Err(EvalError::shape("a constant of the wrong size"));
        }
        self.program.values[slot] = value.data;
        Ok(())
    }

    /// Compiles one node whose operands are compiled.
    fn node(&mut self, id: Id) -> Result<(), EvalError> {
        let pool = self.pool;
        let shape = self.shape(pool.shape(id))?;
        let ops = operands(pool, id);
        let mut constant = true;
        for o in &ops {
            constant &= self.constant[self.slot(*o)?];
        }
        let exotic = matches!(pool.node(id), Node::Sum { .. } | Node::At(..) | Node::Kron(..));
        if exotic {
            constant = free_symbols(pool, &[id])
                .iter()
                .all(|s| !self.variables.contains(s));
        }
        if let Node::Sym(s) = pool.node(id) {
            constant = !self.variables.contains(s);
        }
        let out = self.new_slot(shape, constant)?;
        self.slot_of.insert(id, out);
        let step = match pool.node(id) {
            Node::Num(n) => return self.set(out, Dense::scalar(n.to_f64())),
            Node::DimValue(d) => {
                let v = self.dim(d)? as f64;
                return self.set(out, Dense::scalar(v));
            }
            Node::Identity(_) => return self.set(out, Dense::identity(shape.0)?),
            Node::Ones(_) => return self.set(out, Dense::ones(shape.0, shape.1)?),
            Node::Zero(_) => return Ok(()),
            Node::Sym(s) => {
                if self.variables.contains(s) {
                    return Ok(());
                }
                let name = &pool.symbol(*s).name;
                let v = self
                    .data
                    .values
                    .get(s)
                    .ok_or_else(|| EvalError::MissingValue {
                        symbol: name.clone(),
                    })?
                    .clone();
                if v.shape() != shape {
                    return Err(EvalError::shape(&format!("the value of {name}")));
                }
                return self.set(out, v);
            }
            Node::Add(ts) => {
                let mut terms = Vec::with_capacity(ts.len());
                for t in ts.iter() {
                    let slot = self.slot(*t)?;
                    // A term c·X is folded into the sum (the scaling step then goes unused).
                    terms.push(self.scaled.get(&slot).copied().unwrap_or((1.0, slot)));
                }
                Step::Add { out, terms }
            }
            Node::Mul(fs) => {
                if let Some(alias) = self.product(out, fs)? {
                    self.slot_of.insert(id, alias);
                }
                return Ok(());
            }
            Node::Pow(b, e) => self.power(out, *b, *e)?,
            Node::Transpose(a) => Step::Transpose {
                out,
                a: self.slot(*a)?,
            },
            Node::Hadamard(fs) => Step::Hadamard {
                out,
                factors: self.slots(fs)?,
            },
            Node::Apply(f, args) => {
                let &[x] = &args[..] else {
                    return Err(EvalError::Unsupported {
                        what: format!("{} with {} arguments", f.name(), args.len()),
                    });
                };
                let a = self.slot(x)?;
                if f.is_elementwise() {
                    Step::Elementwise { out, f: *f, a }
                } else {
                    Step::Apply {
                        out,
                        f: *f,
                        a,
                        shape: pool.shape(x).clone(),
                    }
                }
            }
            Node::Matrix { entries, .. } => Step::Literal {
                out,
                entries: self.slots(entries)?,
            },
            Node::Component(v, idx) => Step::Component {
                out,
                a: self.slot(*v)?,
                idx: self.slots(idx)?,
            },
            Node::Derivative(_) => {
                return Err(EvalError::Unsupported {
                    what: "an unevaluated derivative".to_string(),
                })
            }
            Node::Sum { .. } | Node::At(..) | Node::Kron(..) => {
                if self.program.fallback.is_none() {
                    self.program.fallback = Some(Fallback {
                        pool: pool.clone(),
                        instance: self.data.clone(),
                    });
                }
                Step::Fallback { out, id }
            }
        };
        self.program.steps.push(step);
        Ok(())
    }

    fn slots(&self, ids: &[Id]) -> Result<Vec<usize>, EvalError> {
        ids.iter().map(|&i| self.slot(i)).collect()
    }

    fn power(&mut self, out: usize, b: Id, e: Id) -> Result<Step, EvalError> {
        let pool = self.pool;
        if let Some((v, j)) = even_norm_power(pool, b, e) {
            let v = self.slot(v)?;
            return Ok(Step::SumSquares { out, v, j });
        }
        let base = self.slot(b)?;
        if !pool.is_scalar(b) {
            return Ok(Step::MatrixPow {
                out,
                a: base,
                k: self.slot(e)?,
            });
        }
        Ok(match pool.node(e) {
            Node::Num(k) => match k.to_i64().and_then(|k| i32::try_from(k).ok()) {
                Some(k) if k >= 0 => Step::PowInt { out, base, k },
                _ => Step::PowNumber {
                    out,
                    base,
                    k: k.clone(),
                },
            },
            _ => Step::Pow {
                out,
                base,
                exp: self.slot(e)?,
            },
        })
    }

    /// A product: scalar factors multiply a matrix chain evaluated in the cheapest order, where
    /// sub-chains of constants cost nothing (they are computed once). Returns the slot holding
    /// the value when it is not `out` (the same matrix product was computed before).
    fn product(&mut self, out: usize, fs: &[Id]) -> Result<Option<usize>, EvalError> {
        let mut coeff = 1.0;
        let mut scalars = Vec::new();
        let mut chain = Vec::new();
        for &f in fs {
            let s = self.slot(f)?;
            if !self.pool.is_scalar(f) {
                chain.push(s);
            } else if let Node::Num(n) = self.pool.node(f) {
                coeff *= n.to_f64();
            } else {
                scalars.push(s);
            }
        }
        if chain.is_empty() {
            self.program.steps.push(Step::Scale {
                out,
                coeff,
                scalars,
                src: None,
            });
            return Ok(None);
        }
        let plain = coeff == 1.0 && scalars.is_empty();
        if plain && chain.len() == 1 {
            self.program.steps.push(Step::Scale {
                out,
                coeff,
                scalars,
                src: chain.first().copied(),
            });
            return Ok(None);
        }
        let order = chain_order(&chain, &self.program.shapes, &self.constant);
        let target = if plain { Some(out) } else { None };
        let src = self.emit_chain(&chain, &order, 0, chain.len() - 1, target)?;
        if plain {
            return Ok((src != out).then_some(src));
        }
        {
            if scalars.is_empty() {
                self.scaled.insert(out, (coeff, src));
            }
            self.program.steps.push(Step::Scale {
                out,
                coeff,
                scalars,
                src: Some(src),
            });
        }
        Ok(None)
    }

    /// Emits the product of `chain[i..=j]` split as `order` says; returns its slot (`target`
    /// when given).
    fn emit_chain(
        &mut self,
        chain: &[usize],
        order: &[Vec<usize>],
        i: usize,
        j: usize,
        target: Option<usize>,
    ) -> Result<usize, EvalError> {
        if i == j {
            return Ok(chain[i]);
        }
        let k = order[i][j];
        let a = self.emit_chain(chain, order, i, k, None)?;
        let b = self.emit_chain(chain, order, k + 1, j, None)?;
        if let Some(&done) = self.products.get(&(a, b)) {
            return Ok(done);
        }
        let shape = (self.program.shapes[a].0, self.program.shapes[b].1);
        let out = match target {
            Some(t) => t,
            None => {
                let constant = self.constant[a] && self.constant[b];
                self.new_slot(shape, constant)?
            }
        };
        self.program.steps.push(Step::MatMul { out, a, b });
        self.products.insert((a, b), out);
        Ok(out)
    }

    /// Runs the constant steps once, drops them, and stores sparse constant left factors in
    /// compressed rows.
    fn finish(mut self) -> Result<Program, EvalError> {
        let pool = self.pool;
        self.program.inputs = self
            .variables
            .iter()
            .map(|&s| (s, pool.find(&Node::Sym(s)).and_then(|id| self.slot_of.get(&id).copied())))
            .collect();
        let steps = std::mem::take(&mut self.program.steps);
        let mut kept = Vec::with_capacity(steps.len());
        for step in steps {
            if self.constant[step.out()] {
                self.program.exec(&step)?;
            } else {
                kept.push(step);
            }
        }
        for step in kept.iter_mut() {
            if let Step::MatMul { out, a, b } = *step {
                if self.constant[a] {
                    if let Some(csr) = Csr::from_dense(&self.program.values[a], self.program.shapes[a]) {
                        self.program.sparse.push(csr);
                        let a = self.program.sparse.len() - 1;
                        *step = Step::SparseMatMul { out, a, b };
                    }
                }
            }
        }
        // Steps whose result nothing reads (scalings folded into sums) are dropped.
        let mut live = vec![false; self.program.values.len()];
        for &o in &self.program.outputs {
            live[o] = true;
        }
        let mut needed = Vec::with_capacity(kept.len());
        for step in kept.into_iter().rev() {
            if live[step.out()] {
                for r in step.reads() {
                    live[r] = true;
                }
                needed.push(step);
            }
        }
        needed.reverse();
        self.program.steps = needed;
        Ok(self.program)
    }
}

/// `split[i][j]`: where the cheapest evaluation of `chain[i..=j]` splits (matrix-chain order,
/// constant sub-chains free).
fn chain_order(chain: &[usize], shapes: &[(usize, usize)], constant: &[bool]) -> Vec<Vec<usize>> {
    let n = chain.len();
    let mut cost = vec![vec![0f64; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 2..=n {
        for i in 0..=n - len {
            let j = i + len - 1;
            let all_constant = chain[i..=j].iter().all(|&s| constant[s]);
            let mut best = f64::INFINITY;
            for k in i..j {
                let (r, m, c) = (
                    shapes[chain[i]].0 as f64,
                    shapes[chain[k]].1 as f64,
                    shapes[chain[j]].1 as f64,
                );
                let here = if all_constant { 0.0 } else { r * m * c };
                let total = cost[i][k] + cost[k + 1][j] + here;
                if total < best {
                    best = total;
                    split[i][j] = k;
                }
            }
            cost[i][j] = best;
        }
    }
    split
}

impl Csr {
    /// The compressed form when few entries are nonzero (and the matrix is not tiny).
    fn from_dense(data: &[f64], (rows, cols): (usize, usize)) -> Option<Csr> {
        let nonzero = data.iter().filter(|a| **a != 0.0).count();
        if rows * cols < 64 || nonzero as f64 > SPARSE_DENSITY * (rows * cols) as f64 {
            return None;
        }
        let mut csr = Csr {
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
        Some(csr)
    }
}

impl Program {
    /// Evaluates the outputs with the variables (in the order given to [`compile`]) set to
    /// `inputs`, each row-major. Buffers are reused across calls.
    pub fn run(&mut self, inputs: &[&[f64]]) -> Result<(), EvalError> {
        if inputs.len() != self.inputs.len() {
            return Err(EvalError::shape("the number of variables"));
        }
        for (k, value) in inputs.iter().enumerate() {
            let Some(slot) = self.inputs[k].1 else {
                continue;
            };
            let buffer = &mut self.values[slot];
            if buffer.len() != value.len() {
                return Err(EvalError::shape("the value of a variable"));
            }
            buffer.copy_from_slice(value);
        }
        if let Some(fb) = self.fallback.as_mut() {
            for &(s, slot) in &self.inputs {
                let Some(slot) = slot else { continue };
                let (r, c) = self.shapes[slot];
                let v = Dense::from_vec(r, c, self.values[slot].clone())
                    .ok_or_else(|| EvalError::shape("a variable"))?;
                fb.instance.values.insert(s, v);
            }
        }
        let steps = std::mem::take(&mut self.steps);
        let result = steps.iter().try_for_each(|s| self.exec(s));
        self.steps = steps;
        result?;
        for &o in &self.outputs {
            if !self.values[o].iter().all(|a| a.is_finite()) {
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

    fn exec(&mut self, step: &Step) -> Result<(), EvalError> {
        let out = step.out();
        let mut buf = std::mem::take(&mut self.values[out]);
        let r = self.exec_into(step, &mut buf);
        self.values[out] = buf;
        r
    }

    fn exec_into(&mut self, step: &Step, buf: &mut Vec<f64>) -> Result<(), EvalError> {
        let v = &self.values;
        match step {
            Step::Add { terms, .. } => {
                let mut terms = terms.iter();
                match terms.next() {
                    Some(&(c, t)) if c == 1.0 => buf.copy_from_slice(&v[t]),
                    Some(&(c, t)) => {
                        for (o, a) in buf.iter_mut().zip(&v[t]) {
                            *o = c * a;
                        }
                    }
                    None => buf.fill(0.0),
                }
                for &(c, t) in terms {
                    if c == 1.0 {
                        for (o, a) in buf.iter_mut().zip(&v[t]) {
                            *o += a;
                        }
                    } else {
                        for (o, a) in buf.iter_mut().zip(&v[t]) {
                            *o += c * a;
                        }
                    }
                }
            }
            Step::Scale {
                coeff,
                scalars,
                src,
                ..
            } => {
                let c = scalars.iter().fold(*coeff, |acc, &s| acc * self.scalar(s));
                match src {
                    Some(s) => {
                        for (o, a) in buf.iter_mut().zip(&v[*s]) {
                            *o = c * a;
                        }
                    }
                    None => buf.fill(c),
                }
            }
            Step::MatMul { a, b, .. } => {
                let (r, k) = self.shapes[*a];
                let c = self.shapes[*b].1;
                matmul(&v[*a], &v[*b], buf, r, k, c);
            }
            Step::SparseMatMul { a, b, .. } => {
                let m = &self.sparse[*a];
                let c = self.shapes[*b].1;
                let bv = &v[*b];
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
            Step::Hadamard { factors, .. } => {
                buf.fill(1.0);
                for &f in factors {
                    for (o, a) in buf.iter_mut().zip(&v[f]) {
                        *o *= a;
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
                let s: f64 = v[*x].iter().map(|a| a * a).sum();
                buf[0] = if j.is_one() { s } else { s.pow_number(j)? };
            }
            Step::Elementwise { f, a, .. } => {
                for (o, x) in buf.iter_mut().zip(&v[*a]) {
                    *o = x.apply(*f)?;
                }
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

fn copy_checked(buf: &mut [f64], data: &[f64]) -> Result<(), EvalError> {
    if buf.len() != data.len() {
        return Err(EvalError::shape("a computed value"));
    }
    buf.copy_from_slice(data);
    Ok(())
}

/// `out = a · b` for row-major `a` (r×k) and `b` (k×c).
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
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}
