//! Forward mode: the differential (tangent) of an expression given the differentials of its
//! variables. With a fresh symbol `d·x` as the seed this is the Magnus–Neudecker differential
//! `dg`, linear in `d·x`; with the seed 1 it is the derivative with respect to a scalar; with a
//! direction `u` it is the directional derivative.

use super::rules::{component_of, elementwise_derivative, elementwise_power_slope, inner};
use super::step::{classify, is_squared_norm, DiffStep};
use super::variable::{dependents, postorder, Variable};
use super::{check_limit, describe, DiffError};
use crate::expr::{Assumptions, Func, Id, IdSet, Node, NormKind, Pool, Shape, SymbolOrigin};
use rustc_hash::FxHashMap as HashMap;

/// Largest |k| for which the differential of a matrix power `Xᵏ` is expanded.
const MAX_MATRIX_POWER: i64 = 64;

/// A fresh differential symbol `d·x` of the variable's shape (the name cannot clash with user
/// symbols, which never contain `·`).
pub fn differential_symbol(pool: &mut Pool, var: Id, shape: &Shape) -> Result<Id, DiffError> {
    let base = match pool.node(var) {
        Node::Sym(s) => pool.symbol(*s).name.clone(),
        _ => describe(pool, var),
    };
    for attempt in 0..16 {
        let name = if attempt == 0 {
            format!("d·{base}")
        } else {
            format!("d·{base}·{attempt}")
        };
        let declared = pool.declare(
            &name,
            shape.clone(),
            Assumptions::default(),
            SymbolOrigin::Inferred,
        );
        if let Ok(s) = declared {
            return Ok(pool.symbol_expr(s));
        }
    }
    Err(DiffError::Unsupported {
        what: format!("no free name for the differential of {base}"),
    })
}

/// The tangent of `f` when each variable `v` has the tangent `seed` (of `v`'s shape).
pub fn forward(pool: &mut Pool, f: Id, seeds: &[(Variable, Id)]) -> Result<Id, DiffError> {
    run(pool, f, seeds, None)
}

/// Makes the placeholder that stands for the differential of an operand in a traced rule.
pub type Placeholder<'a> = &'a mut dyn FnMut(&mut Pool, Id) -> Id;

/// [`forward`], recording every rule application: for each differentiated node its rule, the
/// rule's formula with `placeholder(operand)` standing for the operands' differentials, and the
/// differential computed. The tangent is the same as [`forward`]'s.
pub fn forward_traced(
    pool: &mut Pool,
    f: Id,
    seeds: &[(Variable, Id)],
    placeholder: Placeholder<'_>,
) -> Result<(Id, Vec<DiffStep>), DiffError> {
    let mut tracer = Tracer {
        placeholder,
        placeholders: HashMap::default(),
        steps: Vec::new(),
    };
    let t = run(pool, f, seeds, Some(&mut tracer))?;
    Ok((t, tracer.steps))
}

/// What a traced run records.
struct Tracer<'a> {
    placeholder: Placeholder<'a>,
    placeholders: HashMap<Id, Id>,
    steps: Vec<DiffStep>,
}

impl Tracer<'_> {
    /// The placeholders of the dependent, non-leaf operands of `id` and of their operands (a
    /// rule may look one level deeper, as the squared-norm rule does), made on first use.
    fn placeholders_near(
        &mut self,
        pool: &mut Pool,
        id: Id,
        dep: &IdSet,
        leaves: &IdSet,
    ) -> HashMap<Id, Id> {
        let mut near = HashMap::default();
        let children = pool.node(id).children();
        let grandchildren: Vec<Id> = children
            .iter()
            .flat_map(|&c| pool.node(c).children())
            .collect();
        for c in children.into_iter().chain(grandchildren) {
            if !dep.contains(&c) || leaves.contains(&c) {
                continue;
            }
            let p = match self.placeholders.get(&c) {
                Some(&p) => p,
                None => {
                    let p = (self.placeholder)(pool, c);
                    self.placeholders.insert(c, p);
                    p
                }
            };
            near.insert(c, p);
        }
        near
    }
}

fn run(
    pool: &mut Pool,
    f: Id,
    seeds: &[(Variable, Id)],
    mut tracer: Option<&mut Tracer<'_>>,
) -> Result<Id, DiffError> {
    let mut tangents: HashMap<Id, Id> = HashMap::default();
    let mut leaves = IdSet::default();
    for (v, seed) in seeds {
        tangents.insert(v.id, *seed);
        leaves.insert(v.id);
    }
    // Containers of component variables: their tangent is a unit literal when sizes are known.
    let mut containers = IdSet::default();
    for (v, seed) in seeds {
        if let Some((c, idx)) = &v.component_of {
            if leaves.contains(c) {
                continue;
            }
            containers.insert(*c);
            if let Some(unit) = unit_literal(pool, *c, idx, *seed) {
                let t = match tangents.get(c) {
                    Some(&prev) => pool.add(&[prev, unit]),
                    None => unit,
                };
                tangents.insert(*c, t);
            }
        }
    }
    leaves.extend(containers.iter());
    let dep = dependents(pool, f, &leaves);
    if !dep.contains(&f) {
        let shape = pool.shape(f).clone();
        return Ok(pool.zero(shape));
    }
    let order = postorder(pool, f, &|parent, child| {
        dep.contains(&child) && !leaves.contains(&parent)
    });
    let mut fw = Forward {
        pool,
        dep,
        tangents,
        containers,
        leaves,
        symbolic: None,
    };
    for (step, &id) in order.iter().enumerate() {
        if fw.leaves.contains(&id) {
            continue;
        }
        if let Some(tracer) = tracer.as_deref_mut() {
            fw.symbolic = Some(tracer.placeholders_near(fw.pool, id, &fw.dep, &fw.leaves));
            let formula = fw.rule(id);
            fw.symbolic = None;
            let formula = formula?;
            let result = fw.rule(id)?;
            let rule = classify(fw.pool, id, &fw.dep, &fw.leaves);
            tracer.steps.push(DiffStep {
                node: id,
                rule,
                formula,
                result,
            });
            fw.tangents.insert(id, result);
        } else {
            let t = fw.rule(id)?;
            fw.tangents.insert(id, t);
        }
        if step % 256 == 0 {
            check_limit(fw.pool, "the forward differential")?;
        }
    }
    check_limit(fw.pool, "the forward differential")?;
    match fw.tangent(f)? {
        Some(t) => Ok(t),
        None => {
            let shape = fw.pool.shape(f).clone();
            Ok(fw.pool.zero(shape))
        }
    }
}

/// The literal with `seed` at the (1-based) position `idx` of the container `c`, when its size is
/// concrete.
fn unit_literal(pool: &mut Pool, c: Id, idx: &[u64], seed: Id) -> Option<Id> {
    let shape = pool.shape(c).clone();
    let (rows, cols) = (shape.rows.as_known()?, shape.cols.as_known()?);
    let (i, j) = match idx {
        [i] => (*i, 1),
        [i, j] => (*i, *j),
        _ => return None,
    };
    if i < 1 || j < 1 || i > rows || j > cols || rows.saturating_mul(cols) > 1 << 20 {
        return None;
    }
    let zero = pool.int(0);
    let mut entries = vec![zero; (rows * cols) as usize];
    entries[((i - 1) * cols + (j - 1)) as usize] = seed;
    Some(pool.matrix(rows as u32, cols as u32, entries))
}

struct Forward<'p> {
    pool: &'p mut Pool,
    dep: IdSet,
    tangents: HashMap<Id, Id>,
    containers: IdSet,
    leaves: IdSet,
    /// While a traced rule's formula is built: the placeholders of the operands' differentials
    /// (the tangents of non-leaf operands read as placeholders instead).
    symbolic: Option<HashMap<Id, Id>>,
}

impl Forward<'_> {
    /// The tangent of a node: `None` when it does not depend on the variables (zero).
    fn tangent(&mut self, id: Id) -> Result<Option<Id>, DiffError> {
        if !self.dep.contains(&id) {
            return Ok(None);
        }
        if let Some(&p) = self.symbolic.as_ref().and_then(|ps| ps.get(&id)) {
            return Ok(Some(p));
        }
        match self.tangents.get(&id) {
            Some(&t) => Ok(Some(t)),
            None => Err(DiffError::Unsupported {
                what: format!(
                    "{} of symbolic size used whole while differentiating by one of its \
                     components",
                    describe(self.pool, id)
                ),
            }),
        }
    }

    fn rule(&mut self, id: Id) -> Result<Id, DiffError> {
        let node = self.pool.node(id).clone();
        let shape = self.pool.shape(id).clone();
        let t = match node {
            Node::Add(ts) => {
                let mut parts = Vec::with_capacity(ts.len());
                for &x in ts.iter() {
                    parts.extend(self.tangent(x)?);
                }
                self.pool.add(&parts)
            }
            Node::Mul(fs) => {
                let mut parts = Vec::new();
                for (i, &x) in fs.iter().enumerate() {
                    if let Some(tx) = self.tangent(x)? {
                        let mut factors = fs.to_vec();
                        factors[i] = tx;
                        parts.push(self.pool.mul(&factors));
                    }
                }
                self.sum(parts, &shape)
            }
            Node::Pow(b, e) => self.power(id, b, e)?,
            Node::Transpose(a) => match self.tangent(a)? {
                Some(ta) => self.pool.transpose(ta),
                None => self.pool.zero(shape.clone()),
            },
            Node::Hadamard(fs) => {
                let mut parts = Vec::new();
                for (i, &x) in fs.iter().enumerate() {
                    if let Some(tx) = self.tangent(x)? {
                        let mut ops = fs.to_vec();
                        ops[i] = tx;
                        parts.push(self.pool.hadamard(&ops));
                    }
                }
                self.sum(parts, &shape)
            }
            Node::HadamardPow(b, e) => match self.tangent(b)? {
                Some(tb) => {
                    let slope = elementwise_power_slope(self.pool, b, e);
                    self.pool.hadamard(&[slope, tb])
                }
                None => self.pool.zero(shape.clone()),
            },
            Node::Kron(a, b) => {
                let mut parts = Vec::new();
                if let Some(ta) = self.tangent(a)? {
                    parts.push(self.pool.kron(ta, b));
                }
                if let Some(tb) = self.tangent(b)? {
                    parts.push(self.pool.kron(a, tb));
                }
                self.sum(parts, &shape)
            }
            Node::Apply(f, args) => self.function(id, f, &args)?,
            Node::Matrix {
                rows,
                cols,
                entries,
            } => {
                let mut ts = Vec::with_capacity(entries.len());
                for &e in entries.iter() {
                    ts.push(match self.tangent(e)? {
                        Some(te) => te,
                        None => self.pool.int(0),
                    });
                }
                self.pool.matrix(rows, cols, ts)
            }
            Node::Component(c, idx) => {
                if self.containers.contains(&c) && !self.tangents.contains_key(&c) {
                    let concrete = idx.iter().all(|&i| self.pool.as_number(i).is_some());
                    if concrete {
                        self.pool.int(0)
                    } else {
                        return Err(DiffError::Unsupported {
                            what: format!(
                                "{} with a symbolic index, differentiated by a single component",
                                describe(self.pool, id)
                            ),
                        });
                    }
                } else {
                    match self.tangent(c)? {
                        Some(tc) => component_of(self.pool, tc, &idx),
                        None => self.pool.int(0),
                    }
                }
            }
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => match self.tangent(body)? {
                Some(tb) => self.pool.sum_over(index, lower, upper, tb),
                None => self.pool.zero(shape.clone()),
            },
            Node::Derivative(_) | Node::At(..) => {
                return Err(DiffError::Unsupported {
                    what: format!("an unevaluated {}", describe(self.pool, id)),
                })
            }
            Node::Num(_)
            | Node::Sym(_)
            | Node::DimValue(_)
            | Node::Identity(_)
            | Node::Ones(_)
            | Node::Zero(_) => self.pool.zero(shape.clone()),
        };
        Ok(t)
    }

    fn sum(&mut self, parts: Vec<Id>, shape: &Shape) -> Id {
        if parts.is_empty() {
            self.pool.zero(shape.clone())
        } else {
            self.pool.add(&parts)
        }
    }

    fn power(&mut self, id: Id, b: Id, e: Id) -> Result<Id, DiffError> {
        let shape = self.pool.shape(id).clone();
        if shape.is_scalar() {
            if is_squared_norm(self.pool, b, e) {
                if let Node::Apply(_, args) = self.pool.node(b) {
                    if let [u] = **args {
                        return Ok(match self.tangent(u)? {
                            // d‖u‖² = 2⟨u, du⟩
                            Some(tu) => {
                                let ip = inner(self.pool, u, tu);
                                let two = self.pool.int(2);
                                self.pool.mul(&[two, ip])
                            }
                            None => self.pool.zero(shape),
                        });
                    }
                }
            }
            let mut parts = Vec::new();
            if let Some(tb) = self.tangent(b)? {
                let one = self.pool.int(1);
                let em1 = self.pool.sub(e, one);
                let p = self.pool.pow(b, em1);
                parts.push(self.pool.mul(&[e, p, tb]));
            }
            if let Some(te) = self.tangent(e)? {
                let l = self.pool.apply(Func::Log, &[b]);
                parts.push(self.pool.mul(&[l, id, te]));
            }
            return Ok(self.sum(parts, &shape));
        }
        let k = self
            .pool
            .as_number(e)
            .and_then(|n| n.to_i64())
            .filter(|k| k.abs() <= MAX_MATRIX_POWER);
        let (Some(k), None) = (k, self.tangent(e)?) else {
            return Err(DiffError::Unsupported {
                what: format!(
                    "the matrix power {} (only integer exponents up to {MAX_MATRIX_POWER})",
                    describe(self.pool, id)
                ),
            });
        };
        let Some(tb) = self.tangent(b)? else {
            return Ok(self.pool.zero(shape));
        };
        if k > 0 {
            return Ok(power_differential(self.pool, b, k, tb));
        }
        // Y = X⁻¹: dY = −Y dX Y, then d(Yᵐ).
        let y = self.pool.inverse(b);
        let p = self.pool.mul(&[y, tb, y]);
        let dy = self.pool.neg(p);
        Ok(power_differential(self.pool, y, -k, dy))
    }

    fn function(&mut self, id: Id, f: Func, args: &[Id]) -> Result<Id, DiffError> {
        let shape = self.pool.shape(id).clone();
        let Some(&x) = args.first() else {
            return Ok(self.pool.zero(shape));
        };
        let Some(tx) = self.tangent(x)? else {
            return Ok(self.pool.zero(shape));
        };
        if let Some(d) = elementwise_derivative(self.pool, f, x) {
            return Ok(if self.pool.is_scalar(x) {
                self.pool.mul(&[d, tx])
            } else {
                self.pool.hadamard(&[d, tx])
            });
        }
        let t = match f {
            Func::Trace | Func::Sum | Func::Diag => self.pool.apply(f, &[tx]),
            // d det X = det X · tr(X⁻¹ dX)
            Func::Det => {
                let inv = self.pool.inverse(x);
                let p = self.pool.mul(&[inv, tx]);
                let tr = self.pool.apply(Func::Trace, &[p]);
                self.pool.mul(&[id, tr])
            }
            // d softmax(v) = s ⊙ dv − s (sᵀ dv)
            Func::Softmax => {
                let sd = self.pool.hadamard(&[id, tx]);
                let st = self.pool.transpose(id);
                let std = self.pool.mul(&[st, tx]);
                let p = self.pool.mul(&[std, id]);
                self.pool.sub(sd, p)
            }
            Func::LogSumExp => {
                let s = self.pool.apply(Func::Softmax, &[x]);
                inner(self.pool, s, tx)
            }
            Func::Norm(NormKind::Two) | Func::Norm(NormKind::Frobenius) => {
                let ip = inner(self.pool, x, tx);
                let inv = self.pool.powi(id, -1);
                self.pool.mul(&[ip, inv])
            }
            Func::Norm(NormKind::One) => {
                let s = self.pool.apply(Func::Sign, &[x]);
                inner(self.pool, s, tx)
            }
            _ => {
                return Err(DiffError::Unsupported {
                    what: format!("the derivative of {}", describe(self.pool, id)),
                })
            }
        };
        Ok(t)
    }
}

/// `d(Xᵏ) = ∑ⱼ Xʲ dX Xᵏ⁻¹⁻ʲ` for k ≥ 1.
fn power_differential(pool: &mut Pool, x: Id, k: i64, dx: Id) -> Id {
    let mut terms = Vec::with_capacity(k as usize);
    for j in 0..k {
        let a = pool.powi(x, j);
        let b = pool.powi(x, k - 1 - j);
        terms.push(pool.mul(&[a, dx, b]));
    }
    pool.add(&terms)
}
