//! Evaluation of an expression DAG at an instance (concrete dimensions and symbol values).

use super::apply::{apply, sum_of_squares};
use super::dense::Dense;
use super::error::EvalError;
use super::free::FreeSymbols;
use super::scalar::Scalar;
use crate::expr::{Dim, Func, Id, Node, NormKind, Number, Pool, Shape, SymbolId};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Most summand evaluations one call may perform (over all sums, nested ones multiply).
const MAX_SUM_ITERATIONS: u64 = 1_000_000;

/// An entrywise operation on two same-shape values.
type BinaryOp<T> = fn(&Dense<T>, &Dense<T>) -> Result<Dense<T>, EvalError>;

/// A point to evaluate at: a value for every dimension symbol and every free symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance<T> {
    /// Dimension symbol → its value (≥ 1).
    pub dims: BTreeMap<String, u64>,
    /// Symbol → its value (scalars are 1×1, vectors n×1).
    pub values: BTreeMap<SymbolId, Dense<T>>,
}

impl<T> Default for Instance<T> {
    fn default() -> Instance<T> {
        Instance {
            dims: BTreeMap::new(),
            values: BTreeMap::new(),
        }
    }
}

impl<T> Instance<T> {
    /// An empty instance.
    pub fn new() -> Instance<T> {
        Instance::default()
    }

    /// The instance with dimension `name` set to `value` (builder style, for tests and callers).
    pub fn with_dim(mut self, name: &str, value: u64) -> Instance<T> {
        self.dims.insert(name.to_string(), value);
        self
    }

    /// The instance with symbol `s` set to `value`.
    pub fn with_value(mut self, s: SymbolId, value: Dense<T>) -> Instance<T> {
        self.values.insert(s, value);
        self
    }
}

/// Why `id` has no value at `instance` (a domain error such as a logarithm of a non-positive
/// number, or "a division by zero" for a non-finite result), evaluated in floating point; `None`
/// when it has one or cannot be evaluated for another reason (a symbol without a value).
pub fn why_undefined(pool: &Pool, id: Id, instance: &Instance<f64>) -> Option<String> {
    match evaluate(pool, id, instance) {
        Ok(v) if v.data.iter().all(|x| x.is_finite()) => None,
        Ok(_) => Some("a division by zero".to_string()),
        Err(EvalError::Domain { what }) => Some(what),
        Err(_) => None,
    }
}

/// The value of `id` at `instance`, exactly for `Number` (or `Err(NotRational)`), in floating
/// point for `f64`. Shared subexpressions are evaluated once per call.
pub fn evaluate<T: Scalar>(
    pool: &Pool,
    id: Id,
    instance: &Instance<T>,
) -> Result<Dense<T>, EvalError> {
    let mut ev = Evaluator::new(pool, instance);
    let v = ev.eval(id);
    // Dropping the memo first lets the result be moved out rather than copied.
    drop(ev);
    let v = v?;
    Ok(Rc::try_unwrap(v).unwrap_or_else(|rc| (*rc).clone()))
}

/// Several expressions evaluated at one instance, each as [`evaluate`] would, sharing the values
/// of their common subexpressions (both sides of an equation, say).
pub struct Evaluation<'a, T> {
    ev: Evaluator<'a, T>,
}

impl<'a, T: Scalar> Evaluation<'a, T> {
    /// Nothing evaluated yet.
    pub fn new(pool: &'a Pool, instance: &'a Instance<T>) -> Evaluation<'a, T> {
        Evaluation {
            ev: Evaluator::new(pool, instance),
        }
    }

    /// The value of `id`, reusing every subexpression value computed so far (an error leaves
    /// the values computed before it usable).
    pub fn value(&mut self, id: Id) -> Result<Dense<T>, EvalError> {
        self.ev.iterations = 0;
        let v = self.ev.eval(id)?;
        Ok((*v).clone())
    }
}

/// Symbols bound by an enclosing `∑` or `at`, and the values computed under those bindings.
struct Scope<T> {
    bound: BTreeMap<SymbolId, Rc<Dense<T>>>,
    memo: FxHashMap<Id, Rc<Dense<T>>>,
}

impl<T> Default for Scope<T> {
    fn default() -> Scope<T> {
        Scope {
            bound: BTreeMap::new(),
            memo: FxHashMap::default(),
        }
    }
}

struct Evaluator<'a, T> {
    pool: &'a Pool,
    instance: &'a Instance<T>,
    /// `scopes[0]` binds nothing; a node's value is memoised in the innermost scope binding one
    /// of its free symbols, so it is reused exactly as long as those bindings hold.
    scopes: Vec<Scope<T>>,
    free: FreeSymbols,
    iterations: u64,
}

/// Initial capacity of the memo of the outermost scope (typical claims have tens of nodes).
const MEMO_CAPACITY: usize = 64;

impl<'a, T: Scalar> Evaluator<'a, T> {
    fn new(pool: &'a Pool, instance: &'a Instance<T>) -> Evaluator<'a, T> {
        Evaluator {
            pool,
            instance,
            scopes: vec![Scope {
                bound: BTreeMap::new(),
                memo: FxHashMap::with_capacity_and_hasher(MEMO_CAPACITY, Default::default()),
            }],
            free: FreeSymbols::default(),
            iterations: 0,
        }
    }

    /// The value of `id` in the current scopes, memoised.
    fn eval(&mut self, id: Id) -> Result<Rc<Dense<T>>, EvalError> {
        if let Some(v) = self.memoised(id) {
            return Ok(v);
        }
        // Children first, in an explicit post-order, so deep expressions do not recurse deeply;
        // only the summand of a `∑` and the body of an `at` (evaluated under new bindings) are
        // left to `compute`.
        let mut stack = vec![(id, false)];
        let mut seen = FxHashSet::default();
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                self.compute_and_store(n)?;
                continue;
            }
            if !seen.insert(n) || self.memoised(n).is_some() {
                continue;
            }
            stack.push((n, true));
            self.push_operands(n, &mut stack);
        }
        self.memoised(id)
            .ok_or_else(|| EvalError::shape("an expression that evaluated to nothing"))
    }

    /// Pushes (last first, so they are computed in order) the subexpressions `compute`
    /// evaluates in the current scopes: all children, except the bodies of `∑` and `at`
    /// (evaluated under new bindings) and the norm inside an even power of a norm (evaluated as
    /// a sum of squares).
    fn push_operands(&self, id: Id, stack: &mut Vec<(Id, bool)>) {
        let mut push = |ids: &[Id]| stack.extend(ids.iter().rev().map(|&c| (c, false)));
        match self.pool.node(id) {
            Node::Sum { lower, upper, .. } => push(&[*lower, *upper]),
            Node::At(_, binds) => push(&binds.iter().map(|(_, v)| *v).collect::<Vec<_>>()),
            Node::Pow(b, e) => match self.even_norm_power(*b, *e) {
                Some((v, _)) => push(&[v]),
                None => push(&[*b, *e]),
            },
            Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) | Node::Apply(_, xs) => push(xs),
            Node::Transpose(a) => push(&[*a]),
            Node::Kron(a, b) => push(&[*a, *b]),
            node => push(&node.children()),
        }
    }

    /// `Some((v, j))` when `b^e` is `‖v‖^(2j)` (2-norm or Frobenius, `e` an even integer).
    fn even_norm_power(&self, b: Id, e: Id) -> Option<(Id, Number)> {
        let (Node::Num(k), Node::Apply(Func::Norm(NormKind::Two | NormKind::Frobenius), args)) =
            (self.pool.node(e), self.pool.node(b))
        else {
            return None;
        };
        let j = k * &Number::ratio(1, 2);
        match (&args[..], j.is_integer()) {
            (&[v], true) => Some((v, j)),
            _ => None,
        }
    }

    fn memoised(&mut self, id: Id) -> Option<Rc<Dense<T>>> {
        let level = self.scope_level(id);
        self.scopes[level].memo.get(&id).cloned()
    }

    /// Computes `id` (its children already memoised), checks its size and finiteness, stores it.
    fn compute_and_store(&mut self, id: Id) -> Result<(), EvalError> {
        let v = self.compute(id)?;
        let expected = self.concrete_shape(self.pool.shape(id))?;
        if v.shape() != expected {
            return Err(EvalError::shape(&format!(
                "a {} node (got {}×{}, expected {}×{})",
                node_kind(self.pool.node(id)),
                v.rows,
                v.cols,
                expected.0,
                expected.1
            )));
        }
        if !T::EXACT && !v.data.iter().all(|a| a.is_finite()) {
            return Err(EvalError::domain("a non-finite intermediate value"));
        }
        if T::EXACT && v.data.iter().any(Scalar::exceeds_exact_size) {
            return Err(EvalError::TooLarge);
        }
        let level = self.scope_level(id);
        self.scopes[level].memo.insert(id, Rc::new(v));
        Ok(())
    }

    /// The innermost scope binding a free symbol of `id` (0 when none).
    fn scope_level(&mut self, id: Id) -> usize {
        if self.scopes.len() == 1 {
            return 0;
        }
        let free = self.free.of(self.pool, id);
        free.iter()
            .filter_map(|s| self.scopes.iter().rposition(|sc| sc.bound.contains_key(s)))
            .max()
            .unwrap_or(0)
    }

    fn dim(&self, d: &Dim) -> Result<usize, EvalError> {
        let dims = &self.instance.dims;
        // One pass; a missing dimension is reported even after an overflow.
        let mut v = Some(d.coeff);
        for s in &d.symbols {
            let value = dims
                .get(s)
                .ok_or_else(|| EvalError::MissingDimension { name: s.clone() })?;
            v = v.and_then(|v| v.checked_mul(*value));
        }
        v.and_then(|v| usize::try_from(v).ok())
            .ok_or(EvalError::TooLarge)
    }

    fn concrete_shape(&self, s: &Shape) -> Result<(usize, usize), EvalError> {
        Ok((self.dim(&s.rows)?, self.dim(&s.cols)?))
    }

    fn scalar(&mut self, id: Id) -> Result<T, EvalError> {
        let v = self.eval(id)?;
        v.as_scalar()
            .cloned()
            .ok_or_else(|| EvalError::shape("a scalar operand"))
    }

    fn integer(&mut self, id: Id, what: &str) -> Result<i64, EvalError> {
        self.scalar(id)?
            .to_integer()
            .ok_or_else(|| EvalError::domain(&format!("a non-integer {what}")))
    }

    fn compute(&mut self, id: Id) -> Result<Dense<T>, EvalError> {
        let pool = self.pool;
        match pool.node(id) {
            Node::Num(n) => Ok(Dense::scalar(T::from_number(n))),
            Node::Sym(s) => self.symbol(*s),
            Node::DimValue(d) => {
                let v = i64::try_from(self.dim(d)?).map_err(|_| EvalError::TooLarge)?;
                Ok(Dense::scalar(T::from_i64(v)))
            }
            Node::Identity(d) => Dense::identity(self.dim(d)?),
            Node::Ones(s) => {
                let (r, c) = self.concrete_shape(s)?;
                Dense::ones(r, c)
            }
            Node::Zero(s) => {
                let (r, c) = self.concrete_shape(s)?;
                Dense::zeros(r, c)
            }
            Node::Add(ts) => self.entrywise(id, ts, Dense::add, Dense::zeros),
            Node::Mul(fs) => self.product(fs),
            Node::Pow(b, e) => self.power(*b, *e),
            Node::Transpose(a) => Ok(self.eval(*a)?.transpose()),
            Node::Hadamard(fs) => self.entrywise(id, fs, Dense::hadamard, Dense::ones),
            Node::HadamardPow(b, e) => self.elementwise_power(*b, *e),
            Node::Kron(a, b) => {
                let (a, b) = (self.eval(*a)?, self.eval(*b)?);
                a.kron(&b)
            }
            Node::Apply(f, args) => {
                let &[x] = &args[..] else {
                    return Err(EvalError::Unsupported {
                        what: format!("{} with {} arguments", f.name(), args.len()),
                    });
                };
                let v = self.eval(x)?;
                apply(*f, &v, pool.shape(x))
            }
            Node::Matrix {
                rows,
                cols,
                entries,
            } => {
                let cols_us = *cols as usize;
                Dense::try_from_fn(*rows as usize, cols_us, |i, j| {
                    let e = *entries
                        .get(i * cols_us + j)
                        .ok_or_else(|| EvalError::shape("a matrix literal"))?;
                    self.scalar(e)
                })
            }
            Node::Component(c, idx) => self.component(*c, idx),
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => self.sum(*index, *lower, *upper, *body),
            Node::Derivative(_) => Err(EvalError::Unsupported {
                what: "an unevaluated derivative".to_string(),
            }),
            Node::At(body, binds) => {
                let mut bound = BTreeMap::new();
                for (s, v) in binds.iter() {
                    bound.insert(*s, self.eval(*v)?);
                }
                self.scopes.push(Scope {
                    bound,
                    memo: FxHashMap::default(),
                });
                let r = self.eval(*body);
                self.scopes.pop();
                r.map(|v| (*v).clone())
            }
        }
    }

    /// Folds same-shape operands with an entrywise operation (`empty` for no operands).
    fn entrywise(
        &mut self,
        id: Id,
        operands: &[Id],
        op: BinaryOp<T>,
        empty: fn(usize, usize) -> Result<Dense<T>, EvalError>,
    ) -> Result<Dense<T>, EvalError> {
        let Some((&first, rest)) = operands.split_first() else {
            let (r, c) = self.concrete_shape(self.pool.shape(id))?;
            return empty(r, c);
        };
        let mut acc = (*self.eval(first)?).clone();
        for &t in rest {
            acc = op(&acc, &*self.eval(t)?)?;
        }
        Ok(acc)
    }

    fn symbol(&self, s: SymbolId) -> Result<Dense<T>, EvalError> {
        let sym = self.pool.symbol(s);
        let bound = self.scopes.iter().rev().find_map(|sc| sc.bound.get(&s));
        let value =
            match bound {
                Some(v) => (**v).clone(),
                None => self.instance.values.get(&s).cloned().ok_or_else(|| {
                    EvalError::MissingValue {
                        symbol: sym.name.clone(),
                    }
                })?,
            };
        if value.shape() != self.concrete_shape(&sym.shape)? {
            return Err(EvalError::shape(&format!("the value of {}", sym.name)));
        }
        Ok(value)
    }

    /// An ordered product: scalar factors scale, the others multiply as a matrix chain.
    fn product(&mut self, fs: &[Id]) -> Result<Dense<T>, EvalError> {
        let mut coeff = T::one();
        let mut chain: Option<Dense<T>> = None;
        for &f in fs {
            if self.pool.is_scalar(f) {
                coeff = coeff.mul(&self.scalar(f)?);
            } else {
                let v = self.eval(f)?;
                chain = Some(match chain {
                    None => (*v).clone(),
                    Some(c) => c.matmul(&v)?,
                });
            }
        }
        Ok(match chain {
            None => Dense::scalar(coeff),
            Some(c) => c.scale(&coeff),
        })
    }

    fn power(&mut self, b: Id, e: Id) -> Result<Dense<T>, EvalError> {
        let pool = self.pool;
        let k: Option<&Number> = match pool.node(e) {
            Node::Num(k) => Some(k),
            _ => None,
        };
        if !pool.is_scalar(b) {
            let k = match k {
                Some(k) if k.is_integer() => Some(k.to_i64().ok_or(EvalError::TooLarge)?),
                Some(_) => None,
                None => self.scalar(e)?.to_integer(),
            }
            .ok_or_else(|| EvalError::Unsupported {
                what: "a non-integer power of a matrix".to_string(),
            })?;
            // Exact entries grow with the exponent; beyond the pool's limit use floating point.
            if T::EXACT && k.unsigned_abs() > pool.limits.max_exponent {
                return Err(EvalError::TooLarge);
            }
            return self.eval(b)?.powi(k);
        }
        // ‖v‖^(2j) = (vᵀv)^j keeps exactness where ‖v‖ itself is irrational.
        if let Some((v, j)) = self.even_norm_power(b, e) {
            let v = self.eval(v)?;
            return sum_of_squares(&v).pow_number(&j).map(Dense::scalar);
        }
        let base = self.scalar(b)?;
        let v = match k {
            Some(k) => base.pow_number(k)?,
            None => base.pow(&self.scalar(e)?)?,
        };
        Ok(Dense::scalar(v))
    }

    /// `b^⊙k`: every entry to the constant power `k`.
    fn elementwise_power(&mut self, b: Id, e: Id) -> Result<Dense<T>, EvalError> {
        let Node::Num(k) = self.pool.node(e) else {
            return Err(EvalError::Unsupported {
                what: "an elementwise power with a non-constant exponent".to_string(),
            });
        };
        let v = self.eval(b)?;
        let mut failure = None;
        let powered = v.map(|x| match x.pow_number(k) {
            Ok(y) => y,
            Err(err) => {
                failure.get_or_insert(err);
                x.clone()
            }
        });
        match failure {
            Some(err) => Err(err),
            None => Ok(powered),
        }
    }

    /// `xᵢ` or `A_{ij}`, 1-based; out of range is a domain error.
    fn component(&mut self, c: Id, idx: &[Id]) -> Result<Dense<T>, EvalError> {
        let v = self.eval(c)?;
        let (i, j) = match idx {
            [i] => {
                let i = self.integer(*i, "index")?;
                if v.cols == 1 {
                    (i, 1)
                } else if v.rows == 1 {
                    (1, i)
                } else {
                    return Err(EvalError::shape("a single index into a matrix"));
                }
            }
            [i, j] => (self.integer(*i, "index")?, self.integer(*j, "index")?),
            _ => return Err(EvalError::shape("a component with more than two indices")),
        };
        let entry = usize::try_from(i - 1)
            .ok()
            .zip(usize::try_from(j - 1).ok())
            .and_then(|(i, j)| v.get(i, j));
        match entry {
            Some(a) => Ok(Dense::scalar(a.clone())),
            None => Err(EvalError::domain(&format!(
                "index ({i}, {j}) outside a {}×{} value",
                v.rows, v.cols
            ))),
        }
    }

    /// `∑_{index=lower}^{upper} body`, the index bound to each integer in turn.
    fn sum(
        &mut self,
        index: SymbolId,
        lower: Id,
        upper: Id,
        body: Id,
    ) -> Result<Dense<T>, EvalError> {
        let lo = self.integer(lower, "summation bound")?;
        let hi = self.integer(upper, "summation bound")?;
        let (r, c) = self.concrete_shape(self.pool.shape(body))?;
        let mut acc = Dense::zeros(r, c)?;
        if hi < lo {
            return Ok(acc);
        }
        let count = (hi as i128 - lo as i128 + 1) as u128;
        if count > u128::from(MAX_SUM_ITERATIONS - self.iterations.min(MAX_SUM_ITERATIONS)) {
            return Err(EvalError::TooLarge);
        }
        self.iterations += count as u64;
        self.scopes.push(Scope::default());
        let result = (|| {
            for i in lo..=hi {
                let scope = self.scopes.last_mut().ok_or(EvalError::TooLarge)?;
                scope.memo.clear();
                scope.bound.clear();
                scope
                    .bound
                    .insert(index, Rc::new(Dense::scalar(T::from_i64(i))));
                let v = self.eval(body)?;
                acc = acc.add(&v)?;
            }
            Ok(acc)
        })();
        self.scopes.pop();
        result
    }
}

/// A short name of a node's kind, for error messages.
fn node_kind(node: &Node) -> &'static str {
    match node {
        Node::Num(_) => "number",
        Node::Sym(_) => "symbol",
        Node::DimValue(_) => "dimension",
        Node::Identity(_) => "identity",
        Node::Ones(_) => "ones",
        Node::Zero(_) => "zero",
        Node::Add(_) => "sum",
        Node::Mul(_) => "product",
        Node::Pow(..) => "power",
        Node::Transpose(_) => "transpose",
        Node::Hadamard(_) => "elementwise product",
        Node::HadamardPow(..) => "elementwise power",
        Node::Kron(..) => "Kronecker product",
        Node::Apply(f, _) => f.name(),
        Node::Matrix { .. } => "matrix literal",
        Node::Component(..) => "component",
        Node::Sum { .. } => "index sum",
        Node::Derivative(_) => "derivative",
        Node::At(..) => "substitution",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Assumptions, SymbolOrigin};

    #[test]
    fn a_shared_evaluation_gives_each_value_as_evaluate_does() {
        let mut pool = Pool::new();
        let n = Dim::symbol("n");
        let v = pool
            .declare(
                "v",
                Shape::vector(n),
                Assumptions::default(),
                SymbolOrigin::Declared,
            )
            .expect("fresh symbol");
        let ve = pool.symbol_expr(v);
        let vt = pool.transpose(ve);
        let inner = pool.mul(&[vt, ve]);
        let twice = pool.scale(Number::int(2), inner);
        let norm = pool.apply(Func::Norm(NormKind::Two), &[ve]);
        let value = Dense::from_vec(2, 1, vec![Number::int(1), Number::int(1)]).expect("2×1");
        let at = Instance::new().with_dim("n", 2).with_value(v, value);
        let mut shared = Evaluation::new(&pool, &at);
        // √2 is not rational; the values computed before the error stay usable.
        assert_eq!(shared.value(norm), Err(EvalError::NotRational));
        assert_eq!(shared.value(inner), evaluate(&pool, inner, &at));
        assert_eq!(shared.value(twice), Ok(Dense::scalar(Number::int(4))));
        assert_eq!(shared.value(twice), evaluate(&pool, twice, &at));
    }
}
