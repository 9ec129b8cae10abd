//! Rewrites calls whose meaning the parser cannot know: `A(x)` of a variable `A` is the product
//! `A·x`, and `sqrt`, `inv`, `pinv`, `norm`, `abs` written as calls become their operators.
//! Also walks the syntax tree generically (children of a node).

use super::scope::NameKind;
use super::Lowerer;
use crate::syntax::ast::{BinaryOp, Binding, Derivative, Expr, ExprKind, NormKind, PostfixOp};

impl Lowerer {
    /// A copy of `e` with every call resolved as a defined function, a built-in, or a product.
    pub(super) fn desugar(&self, e: &Expr) -> Expr {
        let kind = match &e.kind {
            ExprKind::Call { function, args } => {
                let mut args: Vec<Expr> = args.iter().map(|a| self.desugar(a)).collect();
                let name = function.name.as_str();
                let single = args.len() == 1;
                // Only called when `single`: the one argument is there to take.
                let unary = |args: &mut Vec<Expr>| Box::new(args.remove(0));
                if self.functions.contains_key(name) {
                    ExprKind::Call {
                        function: function.clone(),
                        args,
                    }
                } else if single && name == "sqrt" {
                    ExprKind::Sqrt(unary(&mut args))
                } else if single && name == "abs" {
                    ExprKind::Abs(unary(&mut args))
                } else if single && name == "norm" {
                    ExprKind::Norm {
                        kind: NormKind::Two,
                        arg: unary(&mut args),
                    }
                } else if single && (name == "inv" || name == "pinv") {
                    let op = if name == "inv" {
                        PostfixOp::Inverse
                    } else {
                        PostfixOp::PseudoInverse
                    };
                    ExprKind::Postfix {
                        op,
                        operand: unary(&mut args),
                    }
                } else if single && self.names_variable(name) {
                    ExprKind::Binary {
                        op: BinaryOp::Mul,
                        lhs: Box::new(Expr {
                            kind: ExprKind::Name(name.to_string()),
                            span: function.span,
                        }),
                        rhs: unary(&mut args),
                    }
                } else {
                    ExprKind::Call {
                        function: function.clone(),
                        args,
                    }
                }
            }
            other => map_children(other, &mut |c| self.desugar(c)),
        };
        Expr { kind, span: e.span }
    }

    /// Desugared copies of bindings.
    pub(super) fn desugar_bindings(&self, bindings: &[Binding]) -> Vec<Binding> {
        bindings
            .iter()
            .map(|b| Binding {
                name: b.name.clone(),
                value: self.desugar(&b.value),
                span: b.span,
            })
            .collect()
    }

    /// Is `name` a variable (so `name(…)` multiplies) rather than a function?
    fn names_variable(&self, name: &str) -> bool {
        if crate::expr::Func::from_name(name).is_some() {
            return false;
        }
        match self.scope.name_kind(&self.pool, &self.functions, name) {
            NameKind::Symbol => self.scope.is_known_symbol(&self.pool, name),
            NameKind::Dim => true,
            NameKind::Function => false,
        }
    }
}

/// The node with each child replaced by `f(child)`.
fn map_children(kind: &ExprKind, f: &mut dyn FnMut(&Expr) -> Expr) -> ExprKind {
    let mut b = |e: &Expr| Box::new(f(e));
    match kind {
        ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Identity | ExprKind::Ones => {
            kind.clone()
        }
        ExprKind::Subscript { base, index } => ExprKind::Subscript {
            base: b(base),
            index: b(index),
        },
        ExprKind::Unary { op, operand } => ExprKind::Unary {
            op: *op,
            operand: b(operand),
        },
        ExprKind::Binary { op, lhs, rhs } => ExprKind::Binary {
            op: *op,
            lhs: b(lhs),
            rhs: b(rhs),
        },
        ExprKind::Postfix { op, operand } => ExprKind::Postfix {
            op: *op,
            operand: b(operand),
        },
        ExprKind::Call { function, args } => ExprKind::Call {
            function: function.clone(),
            args: args.iter().map(&mut *f).collect(),
        },
        ExprKind::Norm { kind, arg } => ExprKind::Norm {
            kind: *kind,
            arg: b(arg),
        },
        ExprKind::Abs(a) => ExprKind::Abs(b(a)),
        ExprKind::Sqrt(a) => ExprKind::Sqrt(b(a)),
        ExprKind::Matrix(rows) => ExprKind::Matrix(
            rows.iter()
                .map(|row| row.iter().map(&mut *f).collect())
                .collect(),
        ),
        ExprKind::Sum {
            index,
            lower,
            upper,
            body,
        } => ExprKind::Sum {
            index: index.clone(),
            lower: b(lower),
            upper: b(upper),
            body: b(body),
        },
        ExprKind::Derivative(d) => {
            let body = f(&d.body);
            let wrt = d.wrt.iter().map(&mut *f).collect();
            let direction = d.direction.as_ref().map(&mut *f);
            ExprKind::Derivative(Box::new(Derivative {
                kind: d.kind,
                body,
                wrt,
                direction,
            }))
        }
        ExprKind::At { body, bindings } => ExprKind::At {
            body: b(body),
            bindings: bindings
                .iter()
                .map(|bd| Binding {
                    name: bd.name.clone(),
                    value: f(&bd.value),
                    span: bd.span,
                })
                .collect(),
        },
    }
}

/// The direct children of a node, in order.
pub(super) fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Identity | ExprKind::Ones => vec![],
        ExprKind::Subscript { base, index } => vec![base, index],
        ExprKind::Unary { operand, .. } | ExprKind::Postfix { operand, .. } => vec![operand],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Norm { arg, .. } => vec![arg],
        ExprKind::Abs(a) | ExprKind::Sqrt(a) => vec![a],
        ExprKind::Matrix(rows) => rows.iter().flatten().collect(),
        ExprKind::Sum {
            lower, upper, body, ..
        } => vec![lower, upper, body],
        ExprKind::Derivative(d) => std::iter::once(&d.body)
            .chain(d.wrt.iter())
            .chain(d.direction.iter())
            .collect(),
        ExprKind::At { body, bindings } => std::iter::once(&**body)
            .chain(bindings.iter().map(|b| &b.value))
            .collect(),
    }
}
