//! Shape inference: gives shapes to undeclared symbols and to the size-less literals `I`, `𝟙`
//! and `0` from the contexts that force them, before any id is built.
//!
//! Bidirectional: [`Infer::peek`] computes a shape bottom-up from what is known (assigning
//! nothing), [`Infer::visit`] walks an expression once with the shape its context expects and
//! assigns a shape to an unknown the first time a context forces it:
//! - a sum, difference or elementwise product with a known-shaped sibling;
//! - a product with exactly one unknown factor, whose shape the expected result and the other
//!   factors determine (`bᵀx` in a scalar context makes `b` a vector like `x`, `xᵀMx` makes `M`
//!   square); at an end of the chain, when a scalar would fit (`αw`), the factor is left to
//!   default to a scalar;
//! - the arguments of a defined function (its parameters' shapes), a matrix entry (scalar), a
//!   sum's bounds (scalar), the body of a gradient (scalar), `xᵢ` inside `∑_{i=1}^{N}` (x ∈ ℝᴺ);
//! - the sides of a claim, which only give shapes to unknowns (conflicts are the checker's).
//!
//! Walks repeat until nothing changes; then the first unknown name met defaults to a scalar and
//! the walks resume, so `c·x + y` makes `c` a scalar and then `y` a vector. Conflicts are not
//! reported here: the lowering that follows checks every shape with both places.

use super::call::builtin_shape;
use super::derivative::result_shape;
use super::scope::{bound_length, NameKind, Scope, SubscriptRef, SumIndex};
use super::{FunctionDef, Layout, Lowerer};
use crate::expr::{DerivativeKind, Func, Pool, Shape};
use crate::syntax::ast::{BinaryOp, Binding, Expr, ExprKind, PostfixOp};
use std::collections::BTreeMap;

/// Walks of one statement before giving up on a fixed point.
const MAX_ROUNDS: usize = 256;
/// Unknowns defaulted one at a time before the rest are defaulted together.
const SINGLE_DEFAULTS: usize = 32;
/// Node visits allowed per walk (bounds the work on adversarial nesting).
const FUEL: usize = 1_000_000;

/// One part of a statement to infer shapes in.
pub(super) enum Root<'e> {
    /// An expression on its own.
    Expr(&'e Expr),
    /// Expressions that should have one shape (the sides of a claim).
    Chain(Vec<&'e Expr>),
    /// `name = value`: the value takes the name's shape only when it is `I` or `𝟙` (a scalar
    /// value, `0` included, broadcasts when the binding is lowered).
    Binding(&'e Binding),
}

impl Lowerer {
    /// Infers shapes for the unknowns of one statement, recording them in the scope.
    pub(super) fn infer(&mut self, roots: &[Root<'_>]) {
        let mut inf = Infer {
            pool: &self.pool,
            functions: &self.functions,
            scope: &mut self.scope,
            layout: self.layout,
            changed: false,
            pending: Vec::new(),
            fuel: FUEL,
        };
        let mut defaults = 0;
        for _ in 0..MAX_ROUNDS {
            inf.changed = false;
            inf.pending.clear();
            inf.fuel = FUEL;
            for root in roots {
                inf.root(root);
            }
            if inf.changed {
                continue;
            }
            let pending: Vec<String> = std::mem::take(&mut inf.pending)
                .into_iter()
                .filter(|n| inf.scope.known_shape(inf.pool, n).is_none())
                .collect();
            let Some(first) = pending.first() else { break };
            if defaults < SINGLE_DEFAULTS {
                inf.scope.infer(first, Shape::scalar());
                defaults += 1;
            } else {
                for name in pending {
                    inf.scope.infer(&name, Shape::scalar());
                }
            }
        }
    }
}

struct Infer<'a> {
    pool: &'a Pool,
    functions: &'a BTreeMap<String, FunctionDef>,
    scope: &'a mut Scope,
    layout: Layout,
    changed: bool,
    pending: Vec<String>,
    fuel: usize,
}

/// The key of a literal node in [`Scope::literals`].
pub(super) fn literal_key(e: &Expr) -> usize {
    e as *const Expr as usize
}

/// Is this a size-less literal (`I`, `𝟙`, `0`)?
pub(super) fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Identity | ExprKind::Ones => true,
        ExprKind::Number(n) => num_traits::Zero::is_zero(n),
        _ => false,
    }
}

/// The factors of a product chain, left to right.
fn factors<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::Mul,
            lhs,
            rhs,
        } => {
            factors(lhs, out);
            factors(rhs, out);
        }
        _ => out.push(e),
    }
}

/// The product of known shapes (`None` if one is unknown or they do not fit); empty is scalar.
fn product_of(shapes: &[Option<Shape>]) -> Option<Shape> {
    shapes
        .iter()
        .try_fold(Shape::scalar(), |acc, s| acc.product(s.as_ref()?))
}

/// The shape of the one unknown factor `u` of `L·u·R` whose product must be `expected`; `None`
/// when it is not determined or a scalar would do.
fn derive_factor(
    left: &[Option<Shape>],
    right: &[Option<Shape>],
    expected: &Shape,
) -> Option<Shape> {
    let l = product_of(left)?;
    let r = product_of(right)?;
    // At an end of the chain a scalar fits when the other factors already give the result
    // (`αw`); between two non-scalars the factor is a matrix (`xᵀMx`).
    if (l.is_scalar() || r.is_scalar()) && l.product(&r).as_ref() == Some(expected) {
        return None;
    }
    let rows = if l.is_scalar() {
        expected.rows.clone()
    } else {
        l.cols.clone()
    };
    let cols = if r.is_scalar() {
        expected.cols.clone()
    } else {
        r.rows.clone()
    };
    let u = Shape::matrix(rows, cols);
    let full = l.product(&u)?.product(&r)?;
    (full == *expected).then_some(u)
}

fn is_integer_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number(n) => n.is_integer(),
        ExprKind::Unary { operand, .. } => is_integer_literal(operand),
        _ => false,
    }
}

impl Infer<'_> {
    fn root(&mut self, root: &Root<'_>) {
        match root {
            Root::Expr(e) => self.visit(e, None),
            Root::Chain(parts) => {
                let shapes: Vec<Option<Shape>> = parts.iter().map(|p| self.peek(p)).collect();
                let common = shapes.iter().flatten().next().cloned();
                for (p, s) in parts.iter().zip(shapes) {
                    self.visit(p, s.or_else(|| common.clone()));
                }
            }
            Root::Binding(b) => self.binding(b),
        }
    }

    fn binding(&mut self, b: &Binding) {
        let sized = matches!(b.value.kind, ExprKind::Identity | ExprKind::Ones);
        let expected = if sized {
            self.scope.symbol_shape(self.pool, &b.name.name)
        } else {
            None
        };
        self.visit(&b.value, expected);
    }

    fn assign_name(&mut self, name: &str, shape: Shape) {
        if self.scope.known_shape(self.pool, name).is_none() {
            self.scope.infer(name, shape);
            self.changed = true;
        }
    }

    fn assign_literal(&mut self, e: &Expr, shape: Shape) {
        let key = literal_key(e);
        if let std::collections::hash_map::Entry::Vacant(slot) = self.scope.literals.entry(key) {
            slot.insert(shape);
            self.changed = true;
        }
    }

    /// A symbol met with an expected shape (assign it) or without one (remember it).
    fn symbol(&mut self, name: &str, expected: Option<Shape>) {
        if self.scope.known_shape(self.pool, name).is_some() {
            return;
        }
        match expected {
            Some(s) => self.assign_name(name, s),
            None => self.pending.push(name.to_string()),
        }
    }

    /// The shape of `e` from what is known now; assigns nothing.
    fn peek(&mut self, e: &Expr) -> Option<Shape> {
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Identity | ExprKind::Ones if is_literal(e) => {
                self.scope.literals.get(&literal_key(e)).cloned()
            }
            ExprKind::Number(_) | ExprKind::Identity | ExprKind::Ones => Some(Shape::scalar()),
            ExprKind::Name(n) => match self.scope.name_kind(self.pool, self.functions, n) {
                NameKind::Symbol => self.scope.symbol_shape(self.pool, n),
                NameKind::Dim => Some(Shape::scalar()),
                NameKind::Function => self.function_shape(n),
            },
            ExprKind::Subscript { base, index } => {
                let ExprKind::Name(b) = &base.kind else {
                    return None;
                };
                match self
                    .scope
                    .classify_subscript(self.pool, self.functions, b, index)
                {
                    SubscriptRef::Symbol(s) => self.scope.symbol_shape(self.pool, &s),
                    _ => Some(Shape::scalar()),
                }
            }
            ExprKind::Unary { operand, .. } => self.peek(operand),
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Hadamard => {
                    self.peek(lhs).or_else(|| self.peek(rhs))
                }
                // The quotient has the divisor's shape when that is an array (`1/x`, `𝟙 ⊘ x`).
                BinaryOp::HadamardDiv => self.peek(rhs).or_else(|| self.peek(lhs)),
                BinaryOp::Mul => self.peek_product(e, Shape::scalar()),
                BinaryOp::Div => match self.peek(rhs) {
                    Some(r) if !r.is_scalar() => Some(r),
                    _ => self.peek(lhs),
                },
                BinaryOp::Pow => self.peek(lhs),
                BinaryOp::Kron => {
                    let (a, b) = (self.peek(lhs)?, self.peek(rhs)?);
                    if a.is_scalar() || b.is_scalar() {
                        return a.product(&b);
                    }
                    Some(Shape::matrix(
                        a.rows.times(&b.rows)?,
                        a.cols.times(&b.cols)?,
                    ))
                }
            },
            ExprKind::Postfix { op, operand } => {
                let s = self.peek(operand)?;
                Some(match op {
                    PostfixOp::Inverse => s,
                    PostfixOp::Transpose | PostfixOp::PseudoInverse => s.transposed(),
                })
            }
            ExprKind::Call { function, args } => {
                if let Some(f) = self.functions.get(&function.name) {
                    return Some(self.pool.shape(f.body).clone());
                }
                let f = Func::from_name(&function.name)?;
                let [arg] = args.as_slice() else { return None };
                let s = self.peek(arg)?;
                builtin_shape(f, &s).ok()
            }
            ExprKind::Norm { .. } => Some(Shape::scalar()),
            ExprKind::Abs(a) | ExprKind::Sqrt(a) => self.peek(a),
            ExprKind::Matrix(rows) => {
                let cols = rows.first()?.len();
                if rows.iter().any(|r| r.len() != cols) {
                    return None;
                }
                Some(Shape::matrix(
                    crate::expr::Dim::known(rows.len() as u64),
                    crate::expr::Dim::known(cols as u64),
                ))
            }
            ExprKind::Sum {
                index, upper, body, ..
            } => {
                self.scope.sums.push(SumIndex {
                    name: index.name.clone(),
                    length: bound_length(upper),
                });
                let s = self.peek(body);
                self.scope.sums.pop();
                s
            }
            ExprKind::Derivative(d) => {
                let body = self.derivative_body_shape(&d.body)?;
                let wrt: Vec<Shape> = if d.wrt.is_empty() {
                    self.implicit_wrt_shapes(&d.body)?
                } else {
                    d.wrt.iter().map(|w| self.peek(w)).collect::<Option<_>>()?
                };
                result_shape(d.kind, &body, &wrt, self.layout)
                    .ok()
                    .map(|r| r.shape)
            }
            ExprKind::At { body, .. } => self.peek(body),
        }
    }

    /// `acc` times the factors of the product chain `e`, left to right, as [`product_of`] their
    /// peeked shapes (`None` once one is unknown or they do not fit).
    fn peek_product(&mut self, e: &Expr, acc: Shape) -> Option<Shape> {
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::Mul,
                lhs,
                rhs,
            } => {
                let acc = self.peek_product(lhs, acc)?;
                self.peek_product(rhs, acc)
            }
            _ => acc.product(&self.peek(e)?),
        }
    }

    fn function_shape(&self, name: &str) -> Option<Shape> {
        self.functions
            .get(name)
            .map(|f| self.pool.shape(f.body).clone())
    }

    fn derivative_body_shape(&mut self, body: &Expr) -> Option<Shape> {
        match &body.kind {
            ExprKind::Name(n) if self.functions.contains_key(n) => self.function_shape(n),
            _ => self.peek(body),
        }
    }

    /// The shapes of the variables a derivative takes when none is written.
    fn implicit_wrt_shapes(&mut self, body: &Expr) -> Option<Vec<Shape>> {
        match &body.kind {
            ExprKind::Call { function, args } if self.functions.contains_key(&function.name) => {
                args.iter().map(|a| self.peek(a)).collect()
            }
            ExprKind::Name(n) => {
                let f = self.functions.get(n)?;
                Some(
                    f.params
                        .iter()
                        .map(|&p| self.pool.symbol(p).shape.clone())
                        .collect(),
                )
            }
            _ => None,
        }
    }

    /// Walks `e` once, assigning shapes to unknowns its context forces.
    fn visit(&mut self, e: &Expr, expected: Option<Shape>) {
        if self.fuel == 0 {
            return;
        }
        self.fuel -= 1;
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Identity | ExprKind::Ones => {
                if let (true, Some(s)) = (is_literal(e), expected) {
                    self.assign_literal(e, s);
                }
            }
            ExprKind::Name(n) => {
                if self.scope.name_kind(self.pool, self.functions, n) == NameKind::Symbol {
                    self.symbol(n, expected);
                }
            }
            ExprKind::Subscript { base, index } => self.visit_subscript(base, index, expected),
            ExprKind::Unary { operand, .. } => self.visit(operand, expected),
            ExprKind::Binary { op, lhs, rhs } => self.visit_binary(e, *op, lhs, rhs, expected),
            ExprKind::Postfix { op, operand } => {
                let expected = match op {
                    PostfixOp::Inverse => expected,
                    PostfixOp::Transpose | PostfixOp::PseudoInverse => {
                        expected.map(|s| s.transposed())
                    }
                };
                self.visit(operand, expected);
            }
            ExprKind::Call { function, args } => self.visit_call(&function.name, args, expected),
            ExprKind::Norm { arg, .. } => self.visit(arg, None),
            ExprKind::Abs(a) | ExprKind::Sqrt(a) => self.visit(a, expected),
            ExprKind::Matrix(rows) => {
                for entry in rows.iter().flatten() {
                    self.visit(entry, Some(Shape::scalar()));
                }
            }
            ExprKind::Sum {
                index,
                lower,
                upper,
                body,
            } => {
                self.visit(lower, Some(Shape::scalar()));
                self.visit(upper, Some(Shape::scalar()));
                self.scope.sums.push(SumIndex {
                    name: index.name.clone(),
                    length: bound_length(upper),
                });
                self.visit(body, expected);
                self.scope.sums.pop();
            }
            ExprKind::Derivative(d) => {
                let wrt_shapes: Vec<Option<Shape>> = d.wrt.iter().map(|w| self.peek(w)).collect();
                let all_scalar = wrt_shapes
                    .iter()
                    .all(|s| s.as_ref().is_some_and(Shape::is_scalar));
                let body_expected = match d.kind {
                    DerivativeKind::Gradient | DerivativeKind::Hessian => Some(Shape::scalar()),
                    DerivativeKind::Directional => expected,
                    DerivativeKind::Partial | DerivativeKind::Ordinary if all_scalar => expected,
                    _ => None,
                };
                self.visit(&d.body, body_expected);
                for w in &d.wrt {
                    self.visit(w, None);
                }
                if let Some(u) = &d.direction {
                    let var = match wrt_shapes.first() {
                        Some(s) => s.clone(),
                        None => self
                            .implicit_wrt_shapes(&d.body)
                            .and_then(|v| v.first().cloned()),
                    };
                    self.visit(u, var);
                }
            }
            ExprKind::At { body, bindings } => {
                self.visit(body, expected);
                for b in bindings {
                    self.binding(b);
                }
            }
        }
    }

    fn visit_subscript(&mut self, base: &Expr, index: &Expr, expected: Option<Shape>) {
        let ExprKind::Name(b) = &base.kind else {
            return;
        };
        match self
            .scope
            .classify_subscript(self.pool, self.functions, b, index)
        {
            SubscriptRef::Symbol(s) => self.symbol(&s, expected),
            SubscriptRef::SumVector {
                base,
                length: Some(n),
            } => self.assign_name(&base, Shape::vector(n)),
            SubscriptRef::Component { .. } => self.visit(index, Some(Shape::scalar())),
            SubscriptRef::SumVector { .. }
            | SubscriptRef::Unresolved
            | SubscriptRef::UndeclaredParameter(_) => {}
        }
    }

    fn visit_binary(
        &mut self,
        e: &Expr,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
        expected: Option<Shape>,
    ) {
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Hadamard | BinaryOp::HadamardDiv => {
                // Each side takes its own shape, else its sibling's, else the expected one.
                let (l, r) = match (self.peek(lhs), self.peek(rhs)) {
                    (Some(l), Some(r)) => (Some(l), Some(r)),
                    (Some(s), None) | (None, Some(s)) => (Some(s.clone()), Some(s)),
                    (None, None) => (expected.clone(), expected),
                };
                self.visit(lhs, l);
                self.visit(rhs, r);
            }
            BinaryOp::Mul => self.visit_product(e, expected),
            BinaryOp::Div => match self.peek(rhs) {
                // Entrywise by a vector: the dividend is a scalar or of the same shape.
                Some(r) if !r.is_scalar() => {
                    self.visit(lhs, None);
                    self.visit(rhs, Some(r));
                }
                _ => {
                    self.visit(lhs, expected);
                    self.visit(rhs, Some(Shape::scalar()));
                }
            },
            BinaryOp::Pow => {
                let base_expected = expected.filter(|s| s.is_scalar() || is_integer_literal(rhs));
                self.visit(lhs, base_expected);
                self.visit(rhs, Some(Shape::scalar()));
            }
            BinaryOp::Kron => {
                self.visit(lhs, None);
                self.visit(rhs, None);
            }
        }
    }

    fn visit_product(&mut self, e: &Expr, expected: Option<Shape>) {
        let mut fs = Vec::new();
        factors(e, &mut fs);
        let shapes: Vec<Option<Shape>> = fs.iter().map(|f| self.peek(f)).collect();
        let mut targets = shapes.clone();
        let unknown: Vec<usize> = (0..fs.len()).filter(|&i| shapes[i].is_none()).collect();
        if let ([u], Some(exp)) = (unknown.as_slice(), &expected) {
            targets[*u] = derive_factor(&shapes[..*u], &shapes[*u + 1..], exp);
        }
        // `I` next to a matrix is square of the adjacent size; `𝟙ᵀ` before one is a row of it.
        for (i, f) in fs.iter().enumerate() {
            if targets[i].is_some() {
                continue;
            }
            let left = i
                .checked_sub(1)
                .and_then(|j| shapes[j].clone())
                .filter(|s| !s.is_scalar())
                .map(|s| s.cols);
            let right = shapes
                .get(i + 1)
                .cloned()
                .flatten()
                .filter(|s| !s.is_scalar())
                .map(|s| s.rows);
            match &f.kind {
                ExprKind::Identity => {
                    targets[i] = left.or(right).map(|n| Shape::matrix(n.clone(), n));
                }
                ExprKind::Postfix {
                    op: PostfixOp::Transpose,
                    operand,
                } if matches!(operand.kind, ExprKind::Ones) => {
                    targets[i] = right.map(|n| Shape::matrix(crate::expr::Dim::one(), n));
                }
                _ => {}
            }
        }
        for (f, t) in fs.into_iter().zip(targets) {
            self.visit(f, t);
        }
    }

    fn visit_call(&mut self, name: &str, args: &[Expr], expected: Option<Shape>) {
        if let Some(f) = self.functions.get(name) {
            let params: Vec<Shape> = f
                .params
                .iter()
                .map(|&p| self.pool.symbol(p).shape.clone())
                .collect();
            for (i, a) in args.iter().enumerate() {
                self.visit(a, params.get(i).cloned());
            }
            return;
        }
        let arg_expected = match Func::from_name(name) {
            Some(f) if f.is_elementwise() || f == Func::Softmax => expected,
            Some(Func::Pinv) => expected.map(|s| s.transposed()),
            _ => None,
        };
        for a in args {
            self.visit(a, arg_expected.clone());
        }
    }
}
