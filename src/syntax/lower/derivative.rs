//! Derivative operators: the body and the variables of differentiation are resolved and the
//! result shape is computed, but the derivative itself stays unevaluated.
//!
//! Result shapes (numerator layout): a gradient has its variable's shape (k×1 for k scalar
//! variables); a Hessian w.r.t. an n-vector is n×n (k×k for k scalars); a Jacobian of an m-vector
//! w.r.t. an n-vector is m×n (m×k for k scalars; a scalar body is m = 1); partial, ordinary and
//! directional derivatives have the body's shape, except that `∂f/∂x` for a non-scalar `x` is the
//! gradient. In denominator layout the Jacobian node is wrapped in a transpose.

use super::expr::describe;
use super::{Layout, Lowerer};
use crate::expr::{Derivative, DerivativeKind, Id, Node, Shape, SymbolId, SymbolOrigin};
use crate::syntax::ast::{self, Expr, ExprKind};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use std::collections::{BTreeSet, HashSet};

/// The node to build for a derivative: its kind (a partial w.r.t. a vector becomes a gradient),
/// the node's own shape, and whether it is wrapped in a transpose (denominator layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DerivativeShape {
    pub kind: DerivativeKind,
    pub node_shape: Shape,
    pub transpose: bool,
    /// The shape of the result as the user sees it.
    pub shape: Shape,
}

/// Why a derivative has no shape, and which part to point at.
#[derive(Clone, Debug)]
pub(super) struct ShapeProblem {
    kind: DiagnosticKind,
    message: String,
    hint: Option<&'static str>,
    at: Culprit,
}

#[derive(Clone, Copy, Debug)]
enum Culprit {
    Body,
    Variable(usize),
    Whole,
}

fn problem(kind: DiagnosticKind, at: Culprit, message: String) -> ShapeProblem {
    ShapeProblem {
        kind,
        message,
        hint: None,
        at,
    }
}

const TENSOR: &str = "nabla answers in matrix notation only";

/// The shape of a derivative of a `body`-shaped expression with respect to variables of shapes
/// `wrt` (at least one).
pub(super) fn result_shape(
    kind: DerivativeKind,
    body: &Shape,
    wrt: &[Shape],
    layout: Layout,
) -> Result<DerivativeShape, ShapeProblem> {
    use DerivativeKind::*;
    let all_scalar = wrt.iter().all(Shape::is_scalar);
    let k = crate::expr::Dim::known(wrt.len() as u64);
    let plain = |kind, shape: Shape| DerivativeShape {
        kind,
        node_shape: shape.clone(),
        transpose: false,
        shape,
    };
    if wrt.is_empty() {
        return Err(problem(
            DiagnosticKind::UnknownName,
            Culprit::Whole,
            "the variable of differentiation is missing".into(),
        ));
    }
    let scalar_body = |what: &str| {
        if body.is_scalar() {
            Ok(())
        } else {
            Err(ShapeProblem {
                kind: DiagnosticKind::ShapeMismatch,
                message: format!("the {what} needs a scalar function, but this is {body}"),
                hint: Some("use J(…) for a vector function"),
                at: Culprit::Body,
            })
        }
    };
    match kind {
        Gradient => {
            scalar_body("gradient")?;
            match wrt {
                [v] => Ok(plain(Gradient, v.clone())),
                _ if all_scalar => Ok(plain(Gradient, Shape::vector(k))),
                _ => Err(ShapeProblem {
                    hint: Some("take the gradient with respect to each variable separately"),
                    ..problem(
                        DiagnosticKind::Unsupported,
                        Culprit::Whole,
                        "a gradient with respect to several variables needs them all scalar"
                            .into(),
                    )
                }),
            }
        }
        Hessian => {
            scalar_body("Hessian")?;
            match wrt {
                [v] if v.is_scalar() => Ok(plain(Hessian, Shape::scalar())),
                [v] if v.cols.is_one() => Ok(plain(Hessian, Shape::matrix(v.rows.clone(), v.rows.clone()))),
                [_] => Err(problem(
                    DiagnosticKind::Unsupported,
                    Culprit::Variable(0),
                    format!("the Hessian with respect to a matrix is a 4th-order tensor; {TENSOR}"),
                )),
                _ if all_scalar => Ok(plain(Hessian, Shape::matrix(k.clone(), k))),
                _ => Err(problem(
                    DiagnosticKind::Unsupported,
                    Culprit::Whole,
                    "a Hessian with respect to several variables needs them all scalar".into(),
                )),
            }
        }
        Jacobian => {
            if !body.cols.is_one() {
                return Err(problem(
                    DiagnosticKind::Unsupported,
                    Culprit::Body,
                    format!("the Jacobian of a matrix-valued function ({body}) is a tensor; {TENSOR}"),
                ));
            }
            let m = body.rows.clone();
            let n = match wrt {
                [v] if v.cols.is_one() => v.rows.clone(),
                [_] => {
                    return Err(problem(
                        DiagnosticKind::Unsupported,
                        Culprit::Variable(0),
                        format!("the Jacobian with respect to a matrix is a tensor; {TENSOR}"),
                    ))
                }
                _ if all_scalar => k,
                _ => {
                    return Err(problem(
                        DiagnosticKind::Unsupported,
                        Culprit::Whole,
                        "a Jacobian with respect to several variables needs them all scalar"
                            .into(),
                    ))
                }
            };
            let node_shape = Shape::matrix(m, n);
            let transpose = layout == Layout::Denominator;
            let shape = if transpose {
                node_shape.transposed()
            } else {
                node_shape.clone()
            };
            Ok(DerivativeShape {
                kind,
                node_shape,
                transpose,
                shape,
            })
        }
        Partial | Ordinary => match wrt {
            _ if all_scalar => Ok(plain(kind, body.clone())),
            [v] if body.is_scalar() => Ok(plain(Gradient, v.clone())),
            _ => Err(problem(
                DiagnosticKind::Unsupported,
                Culprit::Whole,
                format!(
                    "a derivative of {body} with respect to a non-scalar variable is a tensor; use J(…) or ∇"
                ),
            )),
        },
        Directional => match wrt {
            [_] => Ok(plain(Directional, body.clone())),
            _ => Err(ShapeProblem {
                hint: Some("write the variable: ddir(f(x, y), x, u)"),
                ..problem(
                    DiagnosticKind::BadArguments,
                    Culprit::Whole,
                    "a directional derivative takes one variable".into(),
                )
            }),
        },
    }
}

impl Lowerer {
    /// Lowers a derivative operator to an unevaluated derivative node of the right shape.
    pub(super) fn lower_derivative(
        &mut self,
        d: &ast::Derivative,
        span: Span,
    ) -> Result<Id, Diagnostic> {
        let mut at = Vec::new();
        let mut implicit: Option<Vec<(Id, Span)>> = None;
        let called = match &d.body.kind {
            ExprKind::Call { function, args } => self
                .functions
                .get(&function.name)
                .cloned()
                .map(|def| (def, function, args)),
            _ => None,
        };
        let named = match &d.body.kind {
            ExprKind::Name(n) if self.is_function_name(n) => self.functions.get(n).cloned(),
            _ => None,
        };
        let body = if let Some((def, function, args)) = called {
            let ids = args
                .iter()
                .map(|a| self.lower(a))
                .collect::<Result<Vec<_>, _>>()?;
            let body = self.apply_defined(&function.name, &ids, args, d.body.span)?;
            self.spans.entry(body).or_insert(d.body.span);
            if ids.iter().all(|&i| self.is_variable(i)) {
                implicit = Some(ids.iter().zip(args).map(|(&i, a)| (i, a.span)).collect());
                body
            } else if d.wrt.is_empty() {
                // ∇f(1, 2): the derivative of f in its parameters, at the arguments.
                implicit = Some(
                    def.params
                        .iter()
                        .map(|&p| (self.pool.symbol_expr(p), d.body.span))
                        .collect(),
                );
                at = def.params.iter().copied().zip(ids).collect();
                def.body
            } else {
                body
            }
        } else if let Some(def) = named {
            implicit = Some(
                def.params
                    .iter()
                    .map(|&p| (self.pool.symbol_expr(p), d.body.span))
                    .collect(),
            );
            self.spans.entry(def.body).or_insert(d.body.span);
            def.body
        } else {
            self.lower(&d.body)?
        };
        if d.kind == DerivativeKind::Directional && d.direction.is_none() {
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                span,
                "a directional derivative needs a direction",
            )
            .with_hint("write D_u f(x) or ddir(f(x), x, u)"));
        }
        let wrt = self.variables(d, body, implicit, span)?;
        let body_shape = self.pool.shape(body).clone();
        let wrt_shapes: Vec<Shape> = wrt
            .iter()
            .map(|&(v, _)| self.pool.shape(v).clone())
            .collect();
        let shape = result_shape(d.kind, &body_shape, &wrt_shapes, self.layout).map_err(|p| {
            let at = match p.at {
                Culprit::Body => d.body.span,
                Culprit::Variable(i) => wrt.get(i).map_or(span, |w| w.1),
                Culprit::Whole => span,
            };
            let diag = Diagnostic::new(p.kind, at, p.message);
            match p.hint {
                Some(h) => diag.with_hint(h),
                None => diag,
            }
        })?;
        let direction = match &d.direction {
            Some(u) => {
                let id = self.lower(u)?;
                let (var, var_span) = wrt.first().copied().unwrap_or((id, u.span));
                let (su, sv) = (self.pool.shape(id).clone(), self.pool.shape(var).clone());
                if su != sv {
                    return Err(Diagnostic::new(
                        DiagnosticKind::ShapeMismatch,
                        u.span,
                        format!("the direction is {su}, but the variable is {sv}"),
                    )
                    .with_primary_message(describe(u, &su))
                    .with_label(var_span, format!("the variable is {sv}"))
                    .with_hint("a direction has the shape of the variable"));
                }
                Some(id)
            }
            None => None,
        };
        let node = Derivative {
            kind: shape.kind,
            expr: body,
            wrt: wrt.iter().map(|w| w.0).collect(),
            direction,
        };
        let mut id = self.pool.derivative(node, shape.node_shape);
        if shape.transpose {
            id = self.pool.transpose(id);
        }
        Ok(self.pool.at(id, at))
    }

    fn is_function_name(&self, name: &str) -> bool {
        self.scope.name_kind(&self.pool, &self.functions, name) == super::scope::NameKind::Function
    }

    /// The variables of differentiation: as written, else the function's arguments or
    /// parameters, else the body's only free symbol.
    fn variables(
        &mut self,
        d: &ast::Derivative,
        body: Id,
        implicit: Option<Vec<(Id, Span)>>,
        span: Span,
    ) -> Result<Vec<(Id, Span)>, Diagnostic> {
        if !d.wrt.is_empty() {
            let mut out = Vec::with_capacity(d.wrt.len());
            for w in &d.wrt {
                out.push((self.variable(w)?, w.span));
            }
            return Ok(out);
        }
        if let Some(v) = implicit {
            return Ok(v);
        }
        let mut free = free_symbols(&self.pool, body);
        if let (DerivativeKind::Directional, Some(u), true) = (d.kind, &d.direction, free.len() > 1)
        {
            // D_u (…): the variable is the only free symbol of the direction's shape.
            let direction = self.lower(u)?;
            let own = free_symbols(&self.pool, direction);
            let shape = self.pool.shape(direction).clone();
            free.retain(|s| !own.contains(s) && self.pool.symbol(*s).shape == shape);
        }
        match free.as_slice() {
            [s] => Ok(vec![(self.pool.symbol_expr(*s), d.body.span)]),
            _ => Err(Diagnostic::new(
                DiagnosticKind::UnknownName,
                span,
                "the variable of differentiation is not written",
            )
            .with_primary_message(format!("{} variables could be meant here", free.len()))
            .with_hint("write it: ∇ₓ(…), d/dx (…), grad(…, x)")),
        }
    }

    fn variable(&mut self, w: &Expr) -> Result<Id, Diagnostic> {
        let id = self.lower(w)?;
        if self.is_variable(id) {
            return Ok(id);
        }
        Err(Diagnostic::new(
            DiagnosticKind::BadArguments,
            w.span,
            "can only differentiate with respect to a variable",
        )
        .with_primary_message("not a variable")
        .with_hint("differentiate with respect to a symbol (x) or an entry of one (x₁)"))
    }
}

/// The symbols an expression depends on (sum indices excluded), in symbol order.
fn free_symbols(pool: &crate::expr::Pool, root: Id) -> Vec<SymbolId> {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    let mut out = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let node = pool.node(id);
        if let Node::Sym(s) = node {
            if pool.symbol(*s).origin != SymbolOrigin::SumIndex {
                out.insert(*s);
            }
        }
        stack.extend(node.children());
    }
    out.into_iter().collect()
}
