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

use super::dense::Dense;
use super::error::EvalError;
use super::eval::Instance;
use super::free::free_symbols;
use crate::expr::{Dim, Func, Id, Node, Number, Pool, Shape, SymbolId};
use std::collections::HashMap;

mod batch;
mod exec;
mod fuse;
mod negation;
mod order;
mod tape;
mod view;

use order::{chain_order, even_norm_power, operands, topological};
use tape::Tape;

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
    inputs: Vec<Input>,
    outputs: Vec<usize>,
    sparse: Vec<Csr>,
    fallback: Option<Fallback>,
    /// The straight-line form over numbers, when every step computes a number.
    tape: Option<Tape>,
    /// The tape's registers for one point.
    registers: Vec<[f64; 1]>,
    /// The tape's outputs for one point, entry after entry.
    stage: Vec<[f64; 1]>,
    /// Slots read in place from another slot (see [`view`]).
    views: view::Views,
    /// Zeros, as many as the longest view placing a vector in a longer one has entries (read
    /// outside the placed vector).
    zeros: Vec<f64>,
    /// The steps in groups run together (see [`fuse`]).
    groups: Vec<fuse::Group>,
    /// Per step of a fused group: its partial sums.
    partials: Vec<exec::Dot>,
}

/// A variable of the program.
#[derive(Clone, Debug)]
struct Input {
    symbol: SymbolId,
    /// Its slot, if a compiled step reads it.
    slot: Option<usize>,
    /// Its `(rows, cols)`.
    shape: (usize, usize),
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
    /// When every row has at most one entry (selection and permutation matrices).
    single: Option<Selection>,
    rows: usize,
    starts: Vec<usize>,
    cols: Vec<usize>,
    values: Vec<f64>,
}

/// A matrix with at most one entry per row: row i is `values[i]` at column `cols[i]` (an empty
/// row has value 0 at column 0).
#[derive(Clone, Debug)]
struct Selection {
    cols: Vec<usize>,
    values: Vec<f64>,
    /// Every row has exactly one entry, equal to 1 (a pure gather).
    ones: bool,
    /// A block of the identity: rows `r..r + len` are the unit rows of columns `c..c + len`,
    /// the other rows empty (`[I 0]`, `[0 I]` and their transposes): `(r, c, len)`.
    block: Option<(usize, usize, usize)>,
}

/// One instruction; `out` and the operands are slot numbers.
#[derive(Clone, Debug)]
enum Step {
    Add {
        out: usize,
        terms: Vec<(f64, usize)>,
    },
    Scale {
        out: usize,
        coeff: f64,
        scalars: Vec<usize>,
        src: Option<usize>,
    },
    MatMul {
        out: usize,
        a: usize,
        b: usize,
    },
    SparseMatMul {
        out: usize,
        a: usize,
        b: usize,
    },
    Transpose {
        out: usize,
        a: usize,
    },
    Hadamard {
        out: usize,
        factors: Vec<usize>,
    },
    PowInt {
        out: usize,
        base: usize,
        k: i32,
    },
    PowNumber {
        out: usize,
        base: usize,
        k: Number,
    },
    Pow {
        out: usize,
        base: usize,
        exp: usize,
    },
    SumSquares {
        out: usize,
        v: usize,
        j: Number,
    },
    Elementwise {
        out: usize,
        f: Func,
        a: usize,
    },
    Apply {
        out: usize,
        f: Func,
        a: usize,
        shape: Shape,
    },
    MatrixPow {
        out: usize,
        a: usize,
        k: usize,
    },
    Literal {
        out: usize,
        entries: Vec<usize>,
    },
    Component {
        out: usize,
        a: usize,
        idx: Vec<usize>,
    },
    Fallback {
        out: usize,
        id: Id,
    },
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
            Step::Component { a, idx, .. } => {
                std::iter::once(*a).chain(idx.iter().copied()).collect()
            }
            // Reads the variables through its own instance.
            Step::Fallback { .. } => Vec::new(),
        }
    }

    /// The operands the step reads entry by entry, at the entries it computes (through
    /// [`Program::part`], so they may be [`view`]s).
    fn entry_operands(&self) -> Vec<usize> {
        let mut operands = Vec::new();
        self.each_entry_operand(|a| operands.push(a));
        operands
    }

    /// Calls `f` on each of [`Step::entry_operands`] (without allocating).
    #[inline(always)]
    fn each_entry_operand(&self, mut f: impl FnMut(usize)) {
        match self {
            Step::Add { terms, .. } => terms.iter().for_each(|t| f(t.1)),
            Step::Hadamard { factors, .. } => factors.iter().for_each(|&a| f(a)),
            Step::Elementwise { a, .. } | Step::SumSquares { v: a, .. } => f(*a),
            Step::Scale { src, .. } => src.iter().for_each(|&a| f(a)),
            _ => {}
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
            tape: None,
            registers: Vec::new(),
            stage: Vec::new(),
            views: Vec::new(),
            zeros: Vec::new(),
            groups: Vec::new(),
            partials: Vec::new(),
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
        let exotic = matches!(
            pool.node(id),
            Node::Sum { .. } | Node::At(..) | Node::Kron(..)
        );
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
            // Elementwise powers are rare in compiled work (barrier terms): the interpreter
            // evaluates them.
            Node::Sum { .. } | Node::At(..) | Node::Kron(..) | Node::HadamardPow(..) => {
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
        if self.program.shapes[a].1 != self.program.shapes[b].0 {
            return Err(EvalError::shape("a matrix product"));
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
        let mut inputs = Vec::with_capacity(self.variables.len());
        for &symbol in self.variables {
            inputs.push(Input {
                symbol,
                slot: pool
                    .find(&Node::Sym(symbol))
                    .and_then(|id| self.slot_of.get(&id).copied()),
                shape: self.shape(&pool.symbol(symbol).shape)?,
            });
        }
        self.program.inputs = inputs;
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
                    if let Some(csr) =
                        Csr::from_dense(&self.program.values[a], self.program.shapes[a])
                    {
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
        self.program.tape = Tape::of(&self.program);
        self.program.views = view::views(
            &mut self.program.steps,
            &self.program.shapes,
            &self.program.sparse,
            &self.program.outputs,
        );
        negation::fold_negations(
            &mut self.program.steps,
            &mut self.program.views,
            &self.program.outputs,
        );
        self.program.groups = fuse::fuse(
            &mut self.program.steps,
            &self.program.shapes,
            &self.program.sparse,
            &self.program.views,
        );
        let placed = self.program.views.iter().zip(&self.program.shapes);
        let longest = placed
            .filter(|(v, _)| matches!(v, Some(view::View::Placed { .. })))
            .map(|(_, (r, c))| r * c)
            .max()
            .unwrap_or(0);
        self.program.zeros = vec![0.0; longest];
        if let Some(tape) = &self.program.tape {
            self.program.registers = tape.registers();
        }
        Ok(self.program)
    }
}
