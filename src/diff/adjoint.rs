//! Reverse mode: one sweep over the shared DAG of a scalar function, accumulating the adjoint
//! (an expression of the node's shape) of every node that depends on a variable.

use super::rules::{component_of, elementwise_derivative, elementwise_power_slope, inner};
use super::variable::{dependents_in, postorder, postorder_all, Variable};
use super::{check_limit, describe, DiffError};
use crate::expr::{Func, Id, IdIndex, IdSet, Node, NormKind, Number, Pool, Shape};
use crate::simplify::Rule;
use rustc_hash::FxHashMap as HashMap;

/// Up to this many symbols and components in `f`, variables are looked up by a scan.
const FEW_ATOMS: usize = 16;

/// Largest |k| for which the adjoint of a matrix power `Xᵏ` is expanded by the product rule.
const MAX_MATRIX_POWER: i64 = 64;

/// The adjoints of `vars` in `f` when `f`'s adjoint is `seed`: for `seed = 1` the gradient of a
/// scalar `f` with respect to each variable (zero where `f` does not depend on it).
pub fn adjoints(pool: &mut Pool, f: Id, seed: Id, vars: &[Variable]) -> Result<Vec<Id>, DiffError> {
    // Only the variables that occur in `f` take part in the sweep, so many variables (a Hessian
    // row by row) do not cost a set of all of them per sweep.
    let (order, present) = postorder_all(pool, f);
    // A sweep builds about as many nodes as the DAG has.
    pool.reserve(order.len());
    // The symbols and components of `f`: usually few, so a scan beats a set lookup.
    let atoms: Vec<Id> = order
        .iter()
        .copied()
        .filter(|&id| matches!(pool.node(id), Node::Sym(_) | Node::Component(..)))
        .collect();
    let occurs = |id: &Id| {
        if atoms.len() <= FEW_ATOMS {
            atoms.contains(id)
        } else {
            present.contains(id)
        }
    };
    let occurring: Vec<usize> = (0..vars.len())
        .filter(|&i| {
            let v = &vars[i];
            occurs(&v.id) || v.component_of.as_ref().is_some_and(|(c, _)| occurs(c))
        })
        .collect();
    let leaves: Vec<Variable> = occurring.iter().map(|&i| vars[i].clone()).collect();
    let mut sweep = Sweep::new(pool, &order, &leaves);
    sweep.run(f, seed, Some(&order))?;
    let mut wholes: HashMap<Id, Id> = HashMap::default();
    let containers: Vec<Id> = sweep.containers.iter().collect();
    for c in containers {
        let whole = sweep.take(c);
        wholes.insert(c, whole);
    }
    // Zero where `f` does not depend on the variable; then the occurring ones.
    let scalar_zero = sweep.pool.int(0);
    let mut out = Vec::with_capacity(vars.len());
    for v in vars {
        out.push(if sweep.pool.is_scalar(v.id) {
            scalar_zero
        } else {
            let shape = sweep.pool.shape(v.id).clone();
            sweep.pool.zero(shape)
        });
    }
    for i in occurring {
        let v = &vars[i];
        let mut adj = sweep.take(v.id);
        if let Some((container, idx)) = &v.component_of {
            if let Some(&whole) = wholes.get(container) {
                if !sweep.pool.is_zero(whole) {
                    let idx: Vec<Id> = idx.iter().map(|&i| sweep.pool.int(i as i64)).collect();
                    let c = component_of(sweep.pool, whole, &idx);
                    adj = sweep.pool.add(&[adj, c]);
                }
            }
        }
        if let Some(slot) = out.get_mut(i) {
            *slot = adj;
        }
    }
    Ok(out)
}

struct Sweep<'p> {
    pool: &'p mut Pool,
    /// Leaves whose adjoints are collected: the variables and the containers of components.
    leaves: IdSet,
    /// Containers of component variables; their other components are independent.
    containers: IdSet,
    /// The nodes that depend on a leaf, numbered.
    dep: IdIndex,
    /// Per node of `dep` (by its number): the adjoint contributions received so far.
    acc: Vec<Option<Parts>>,
    /// The factors of the unevaluated chain-rule products (`Adjoint::Chain`).
    links: Vec<Link>,
    /// Whether chain-rule products may stay unevaluated (not while rules are recorded, whose
    /// record follows the order in which products are built).
    lazy: bool,
    /// Scratch space for a product's factors while its adjoints are built.
    operands: Vec<Id>,
}

/// An adjoint: an expression, or a scalar chain-rule product `g·f′(u₁)·f′(u₂)⋯` kept as a
/// chain of factors, built as one canonical product only where its value is needed. Down a
/// deep composition, extending a canonical product one factor at a time would rebuild a
/// product whose length grows with the depth at every level. (Eight bytes: a sweep keeps
/// about one per node it visits.)
#[derive(Clone, Copy)]
enum Adjoint {
    Expr(Id),
    /// The index of the chain's last `Link`.
    Chain(u32),
}

/// One factor of an unevaluated product: `rest · factor`.
struct Link {
    rest: Adjoint,
    factor: Id,
    /// The product's value once built: chains that extend it start from there.
    value: Option<Id>,
}

/// The adjoint contributions collected for one node (almost always exactly one, so several
/// are boxed: a slot is sixteen bytes).
enum Parts {
    One(Adjoint),
    // (Boxed so that the rare case does not double the size of every slot.)
    #[allow(clippy::box_collection)]
    Many(Box<Vec<Adjoint>>),
}

impl Parts {
    fn push(&mut self, a: Adjoint) {
        match self {
            Parts::One(first) => *self = Parts::Many(Box::new(vec![*first, a])),
            Parts::Many(all) => all.push(a),
        }
    }
}

impl<'p> Sweep<'p> {
    /// A sweep over the DAG whose nodes `order` lists (children before parents).
    fn new(pool: &'p mut Pool, order: &[Id], vars: &[Variable]) -> Sweep<'p> {
        let mut leaves: IdSet = vars.iter().map(|v| v.id).collect();
        let containers: IdSet = vars
            .iter()
            .filter_map(|v| v.component_of.as_ref().map(|(c, _)| *c))
            .filter(|c| !leaves.contains(c))
            .collect();
        leaves.extend(containers.iter());
        // (Nodes below a leaf count as dependent when they are; no sweep descends there.)
        let dep = IdIndex::new(dependents_in(pool, order, &leaves));
        let acc = empty_slots(dep.len());
        let lazy = pool.trace.is_none();
        Sweep {
            pool,
            leaves,
            containers,
            dep,
            acc,
            links: Vec::new(),
            lazy,
            operands: Vec::new(),
        }
    }

    /// The value of an adjoint: an unevaluated product becomes one canonical product of its
    /// factors since the last value built on its chain (the same expression as multiplying them
    /// in one at a time).
    fn value(&mut self, a: Adjoint) -> Id {
        let top = match a {
            Adjoint::Expr(id) => return id,
            Adjoint::Chain(i) => i,
        };
        let mut factors = Vec::new();
        let mut at = a;
        let base = loop {
            match at {
                Adjoint::Expr(id) => break id,
                Adjoint::Chain(i) => match self.links.get(i as usize) {
                    Some(Link { value: Some(v), .. }) => break *v,
                    Some(link) => {
                        factors.push(link.factor);
                        at = link.rest;
                    }
                    None => break self.pool.int(1),
                },
            }
        };
        if factors.is_empty() {
            return base;
        }
        factors.push(base);
        factors.reverse();
        let v = self.pool.mul(&factors);
        if let Some(link) = self.links.get_mut(top as usize) {
            link.value = Some(v);
        }
        v
    }

    /// The scalar product `g·f₁⋯fₖ`, left unevaluated when that is allowed.
    fn times(&mut self, g: Adjoint, factors: &[Id]) -> Adjoint {
        // (Links are numbered in 32 bits; past that, which memory would not reach, products
        // are built at once.)
        let room = u32::try_from(self.links.len() + factors.len()).is_ok();
        if !self.lazy || !room || factors.iter().any(|&f| self.pool.is_zero(f)) {
            let mut all = vec![self.value(g)];
            all.extend_from_slice(factors);
            return Adjoint::Expr(self.pool.mul(&all));
        }
        factors.iter().fold(g, |rest, &factor| {
            let last = self.links.len() as u32;
            self.links.push(Link {
                rest,
                factor,
                value: None,
            });
            Adjoint::Chain(last)
        })
    }

    /// The sum of a node's contributions. A single one is its own sum.
    fn total(&mut self, parts: Parts) -> Adjoint {
        match parts {
            Parts::One(a) => a,
            Parts::Many(all) => {
                let ids: Vec<Id> = all.into_iter().map(|a| self.value(a)).collect();
                Adjoint::Expr(self.pool.add(&ids))
            }
        }
    }

    /// The accumulated adjoint of a leaf (zero of its shape if none).
    fn take(&mut self, id: Id) -> Id {
        match self.remove(id) {
            Some(parts) => {
                let a = self.total(parts);
                self.value(a)
            }
            None => {
                let shape = self.pool.shape(id).clone();
                self.pool.zero(shape)
            }
        }
    }

    fn push(&mut self, to: Id, adjoint: Adjoint) {
        let zero = matches!(adjoint, Adjoint::Expr(id) if self.pool.is_zero(id));
        let slot = self.dep.position(to).and_then(|k| self.acc.get_mut(k));
        match slot {
            Some(Some(parts)) if !zero => parts.push(adjoint),
            Some(slot @ None) if !zero => *slot = Some(Parts::One(adjoint)),
            _ => {}
        }
    }

    /// The contributions received by `id`, taken out.
    fn remove(&mut self, id: Id) -> Option<Parts> {
        let k = self.dep.position(id)?;
        self.acc.get_mut(k)?.take()
    }

    /// Propagates `seed` from `root` down to the leaves, in reverse topological order. `all`, when
    /// given, lists every node of `root`'s DAG (children before parents); nodes that receive no
    /// adjoint are skipped, so it serves as the order without another traversal.
    fn run(&mut self, root: Id, seed: Id, all: Option<&[Id]>) -> Result<(), DiffError> {
        if !self.dep.contains(&root) {
            return Ok(());
        }
        let own;
        let order = match all {
            Some(order) => order,
            None => {
                let (dep, leaves, pool) = (&self.dep, &self.leaves, &*self.pool);
                own = postorder(pool, root, &|parent, child| {
                    dep.contains(&child)
                        && !leaves.contains(&parent)
                        && !matches!(pool.node(parent), Node::Sum { .. })
                });
                &own[..]
            }
        };
        self.push(root, Adjoint::Expr(seed));
        for (step, &id) in order.iter().rev().enumerate() {
            if self.leaves.contains(&id) {
                continue;
            }
            let Some(parts) = self.remove(id) else {
                continue;
            };
            let g = self.total(parts);
            self.propagate(id, g)?;
            if step % 256 == 0 {
                check_limit(self.pool, "the reverse sweep")?;
            }
        }
        check_limit(self.pool, "the reverse sweep")
    }

    fn propagate(&mut self, id: Id, g: Adjoint) -> Result<(), DiffError> {
        // These keep a scalar chain-rule product unevaluated; the others need its value. The
        // common ones read their operands in place instead of cloning the node.
        match self.pool.node(id) {
            Node::Add(ts) => {
                for k in 0..ts.len() {
                    if let Node::Add(ts) = self.pool.node(id) {
                        let t = ts[k];
                        self.push(t, g);
                    }
                }
                return Ok(());
            }
            Node::Mul(fs) => {
                let mut operands = std::mem::take(&mut self.operands);
                operands.clear();
                operands.extend_from_slice(fs);
                self.product(id, &operands, g);
                self.operands = operands;
                return Ok(());
            }
            &Node::Pow(b, e) => return self.power(id, b, e, g),
            &Node::Apply(f, ref args) if args.len() == 1 => {
                let x = args[0];
                return self.function(id, f, &[x], g);
            }
            _ => {}
        }
        let node = self.pool.node(id).clone();
        if let Node::Apply(f, args) = node {
            return self.function(id, f, &args, g);
        }
        let g = self.value(g);
        match node {
            Node::Add(_) | Node::Mul(_) | Node::Pow(..) | Node::Apply(..) => {}
            Node::Transpose(a) => {
                let gt = self.pool.transpose(g);
                self.push(a, Adjoint::Expr(gt));
            }
            Node::Hadamard(fs) => {
                for (i, &f) in fs.iter().enumerate() {
                    if self.dep.contains(&f) {
                        let mut ops = vec![g];
                        ops.extend(
                            fs.iter()
                                .enumerate()
                                .filter(|(j, _)| *j != i)
                                .map(|(_, &o)| o),
                        );
                        let c = self.pool.hadamard(&ops);
                        self.push(f, Adjoint::Expr(c));
                    }
                }
            }
            Node::HadamardPow(b, e) => {
                if self.dep.contains(&b) {
                    let slope = elementwise_power_slope(self.pool, b, e);
                    let c = self.pool.hadamard(&[g, slope]);
                    self.push(b, Adjoint::Expr(c));
                }
            }
            Node::Matrix { cols, entries, .. } => {
                for (k, &e) in entries.iter().enumerate() {
                    if self.dep.contains(&e) {
                        let (i, j) = (k / cols as usize + 1, k % cols as usize + 1);
                        let idx: Vec<Id> = if cols == 1 {
                            vec![self.pool.int(i as i64)]
                        } else {
                            vec![self.pool.int(i as i64), self.pool.int(j as i64)]
                        };
                        let c = component_of(self.pool, g, &idx);
                        self.push(e, Adjoint::Expr(c));
                    }
                }
            }
            Node::Component(c, idx) => self.component(id, c, &idx, g)?,
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => {
                // Differentiate under the sum: a sub-sweep of the body with the same leaves.
                let mut inner_sweep = Sweep {
                    pool: &mut *self.pool,
                    leaves: self.leaves.clone(),
                    containers: self.containers.clone(),
                    dep: self.dep.clone(),
                    acc: empty_slots(self.dep.len()),
                    links: Vec::new(),
                    lazy: self.lazy,
                    operands: Vec::new(),
                };
                inner_sweep.run(body, g, None)?;
                let found: Vec<Id> = inner_sweep
                    .dep
                    .iter()
                    .zip(&inner_sweep.acc)
                    .filter(|(leaf, parts)| parts.is_some() && self.leaves.contains(leaf))
                    .map(|(leaf, _)| leaf)
                    .collect();
                let sums: Vec<(Id, Id)> = found
                    .into_iter()
                    .map(|leaf| (leaf, inner_sweep.take(leaf)))
                    .collect();
                for (leaf, a) in sums {
                    let s = self.pool.sum_over(index, lower, upper, a);
                    self.push(leaf, Adjoint::Expr(s));
                }
            }
            Node::Kron(..) => {
                return Err(DiffError::NoMatrixForm {
                    what: format!(
                        "the derivative through the Kronecker product {} (it needs a \
                         commutation matrix)",
                        describe(self.pool, id)
                    ),
                })
            }
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
            | Node::Zero(_) => {}
        }
        Ok(())
    }

    /// `P = c·s₁⋯sₖ·M₁⋯Mₗ`: a scalar factor gets ⟨Ḡ, P/s⟩, a matrix factor `Mⱼ` gets `LᵀḠRᵀ`.
    fn product(&mut self, id: Id, fs: &[Id], g: Adjoint) {
        let node_scalar = self.pool.is_scalar(id);
        let g = if node_scalar {
            g
        } else {
            Adjoint::Expr(self.value(g))
        };
        for (i, &f) in fs.iter().enumerate() {
            if !self.dep.contains(&f) {
                continue;
            }
            let c = if self.pool.is_scalar(f) {
                let rest: Vec<Id> = fs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, &o)| o)
                    .collect();
                let r = self.pool.mul(&rest);
                if node_scalar {
                    self.times(g, &[r])
                } else {
                    let g = self.value(g);
                    Adjoint::Expr(inner(self.pool, g, r))
                }
            } else {
                let g = self.value(g);
                let l = self.pool.mul(&fs[..i]);
                let r = self.pool.mul(&fs[i + 1..]);
                let lt = self.pool.transpose(l);
                let rt = self.pool.transpose(r);
                Adjoint::Expr(self.pool.mul(&[lt, g, rt]))
            };
            self.push(f, c);
        }
    }

    fn power(&mut self, id: Id, b: Id, e: Id, g: Adjoint) -> Result<(), DiffError> {
        if self.pool.is_scalar(id) {
            if self.dep.contains(&b) {
                let em1 = match self.pool.as_number(e) {
                    // A number exponent: e − 1 directly.
                    Some(k) if !k.is_zero() => {
                        let k1 = k - &Number::one();
                        self.pool.note(Rule::NumberArithmetic);
                        self.pool.num(k1)
                    }
                    _ => {
                        let one = self.pool.int(1);
                        self.pool.sub(e, one)
                    }
                };
                let p = self.pool.pow(b, em1);
                let c = self.times(g, &[e, p]);
                self.push(b, c);
            }
            if self.dep.contains(&e) {
                let l = self.pool.apply(Func::Log, &[b]);
                let c = self.times(g, &[l, id]);
                self.push(e, c);
            }
            return Ok(());
        }
        let g = self.value(g);
        let k = self
            .pool
            .as_number(e)
            .and_then(|n| n.to_i64())
            .filter(|k| k.abs() <= MAX_MATRIX_POWER);
        let (Some(k), false) = (k, self.dep.contains(&e)) else {
            return Err(DiffError::Unsupported {
                what: format!(
                    "the matrix power {} (only integer exponents up to {MAX_MATRIX_POWER})",
                    describe(self.pool, id)
                ),
            });
        };
        let c = if k > 0 {
            power_adjoint(self.pool, b, k, g)
        } else {
            let inv = self.pool.inverse(b);
            let ybar = power_adjoint(self.pool, inv, -k, g);
            let inv_t = self.pool.transpose(inv);
            let p = self.pool.mul(&[inv_t, ybar, inv_t]);
            self.pool.neg(p)
        };
        self.push(b, Adjoint::Expr(c));
        Ok(())
    }

    fn function(&mut self, id: Id, f: Func, args: &[Id], g: Adjoint) -> Result<(), DiffError> {
        let Some(&x) = args.first() else {
            return Ok(());
        };
        let shape = self.pool.shape(x).clone();
        if let Some(d) = elementwise_derivative(self.pool, f, x) {
            let c = if shape.is_scalar() {
                self.times(g, &[d])
            } else {
                let g = self.value(g);
                Adjoint::Expr(self.pool.hadamard(&[g, d]))
            };
            self.push(x, c);
            return Ok(());
        }
        let g = self.value(g);
        let c = match f {
            Func::Trace => {
                let i = self.pool.identity(shape.rows.clone());
                self.pool.mul(&[g, i])
            }
            Func::Det => {
                let inv = self.pool.inverse(x);
                let inv_t = self.pool.transpose(inv);
                self.pool.mul(&[g, id, inv_t])
            }
            Func::Sum => {
                let ones = self.pool.ones(shape);
                self.pool.mul(&[g, ones])
            }
            Func::Diag => {
                let d = self.pool.apply(Func::Diag, &[g]);
                if shape.is_row() {
                    self.pool.transpose(d)
                } else {
                    d
                }
            }
            Func::Softmax => {
                let sg = self.pool.hadamard(&[id, g]);
                let st = self.pool.transpose(id);
                let stg = self.pool.mul(&[st, g]);
                let p = self.pool.mul(&[stg, id]);
                self.pool.sub(sg, p)
            }
            Func::LogSumExp => {
                let s = self.pool.apply(Func::Softmax, &[x]);
                self.pool.mul(&[g, s])
            }
            Func::Norm(NormKind::Two) | Func::Norm(NormKind::Frobenius) => {
                let inv = self.pool.powi(id, -1);
                self.pool.mul(&[g, x, inv])
            }
            Func::Norm(NormKind::One) => {
                let s = self.pool.apply(Func::Sign, &[x]);
                self.pool.mul(&[g, s])
            }
            Func::Pinv => {
                return Err(DiffError::Unsupported {
                    what: format!(
                        "the derivative of the pseudo-inverse {}",
                        describe(self.pool, id)
                    ),
                })
            }
            _ => {
                return Err(DiffError::Unsupported {
                    what: format!("the derivative of {}", describe(self.pool, id)),
                })
            }
        };
        self.push(x, Adjoint::Expr(c));
        Ok(())
    }

    fn component(&mut self, id: Id, c: Id, idx: &[Id], g: Id) -> Result<(), DiffError> {
        let concrete: Option<Vec<u64>> = idx
            .iter()
            .map(|&i| {
                self.pool
                    .as_number(i)
                    .and_then(|n| n.to_i64())
                    .and_then(|k| u64::try_from(k).ok())
            })
            .collect();
        if self.containers.contains(&c) {
            // Another component of a vector whose component is the variable: independent.
            return match concrete {
                Some(_) => Ok(()),
                None => Err(DiffError::Unsupported {
                    what: format!(
                        "{} with a symbolic index, differentiated by a single component",
                        describe(self.pool, id)
                    ),
                }),
            };
        }
        let shape: Shape = self.pool.shape(c).clone();
        let (Some(ix), Some(rows), Some(cols)) =
            (concrete, shape.rows.as_known(), shape.cols.as_known())
        else {
            return Err(DiffError::Unsupported {
                what: format!(
                    "the derivative of the component {} of a container of symbolic size {} \
                     (differentiate with respect to the component, or use concrete sizes)",
                    describe(self.pool, id),
                    shape
                ),
            });
        };
        let (i, j) = match ix.as_slice() {
            [i] => (*i, 1),
            [i, j] => (*i, *j),
            _ => (0, 0),
        };
        if i < 1 || j < 1 || i > rows || j > cols || rows.saturating_mul(cols) > 1 << 20 {
            return Err(DiffError::NotDifferentiable {
                what: format!("the component {} is out of range", describe(self.pool, id)),
            });
        }
        let zero = self.pool.int(0);
        let mut entries = vec![zero; (rows * cols) as usize];
        entries[((i - 1) * cols + (j - 1)) as usize] = g;
        let unit = self.pool.matrix(rows as u32, cols as u32, entries);
        self.push(c, Adjoint::Expr(unit));
        Ok(())
    }
}

/// `n` empty accumulator slots.
fn empty_slots(n: usize) -> Vec<Option<Parts>> {
    std::iter::repeat_with(|| None).take(n).collect()
}

/// The adjoint of `X` in `Xᵏ` (k ≥ 1): `∑ⱼ (Xʲ)ᵀ Ḡ (Xᵏ⁻¹⁻ʲ)ᵀ`.
fn power_adjoint(pool: &mut Pool, x: Id, k: i64, g: Id) -> Id {
    let mut terms = Vec::with_capacity(k as usize);
    for j in 0..k {
        let a = pool.powi(x, j);
        let b = pool.powi(x, k - 1 - j);
        let at = pool.transpose(a);
        let bt = pool.transpose(b);
        terms.push(pool.mul(&[at, g, bt]));
    }
    pool.add(&terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweep keeps a slot per node it visits and a link per chain-rule factor: both stay
    /// small (millions of them at large n).
    #[test]
    fn sweep_records_stay_small() {
        assert_eq!(std::mem::size_of::<Adjoint>(), 8);
        assert_eq!(std::mem::size_of::<Option<Parts>>(), 16);
        assert_eq!(std::mem::size_of::<Link>(), 20);
    }
}
