//! Derivative operators: `∇`, `∇²`, `∂…/∂…`, `d/dx`, `J_x`, `D_u`, `f'(x)`, and the ASCII
//! calls `grad`, `hess`, `jac`, `diff`, `ddir`.

use super::cursor::{PResult, Parser};
use super::lexical::{Kind, Op, Script};
use super::names;
use crate::syntax::ast::{Derivative, DerivativeKind, Expr, ExprKind, Ident};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;

impl Parser<'_, '_> {
    /// Builds a derivative node.
    pub fn derivative(
        &mut self,
        kind: DerivativeKind,
        body: Expr,
        wrt: Vec<Expr>,
        direction: Option<Expr>,
        span: Span,
    ) -> PResult<Expr> {
        let derivative = Derivative {
            kind,
            body,
            wrt,
            direction,
        };
        self.node(ExprKind::Derivative(Box::new(derivative)), span)
    }

    /// The operand of a prefix derivative operator: the following product-level term.
    fn operand(&mut self, what: &str) -> PResult<Expr> {
        if self
            .peek()
            .is_none_or(|t| t.kind == Kind::Newline || t.is_op(Op::Equals) || t.is_op(Op::Approx))
        {
            return Err(self.expected(&format!("the expression {what} applies to")));
        }
        self.nested(|p| p.product())
    }

    /// `∇f(x)`, `∇ₓ f`, `∇_x (…)`, `∇²f`, `∇ₓ² f`, `\nabla^2_x f`.
    pub fn nabla(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.bump();
        let mut hessian = false;
        let mut wrt = Vec::new();
        while let Some(tok) = self.peek().cloned() {
            if tok.space_before && tok.script != Script::Normal {
                break;
            }
            if tok.script == Script::Sub {
                let run = self.script_run(Script::Sub);
                wrt.push(self.script_variable(run)?);
            } else if tok.is_op(Op::Underscore) {
                self.bump();
                wrt.push(self.underscore_index()?);
            } else if tok.script == Script::Super || tok.is_op(Op::Caret) {
                self.order_two()?;
                hessian = true;
            } else {
                break;
            }
        }
        let body = self.operand("`∇`")?;
        let kind = if hessian {
            DerivativeKind::Hessian
        } else {
            DerivativeKind::Gradient
        };
        let span = self.span_from(start);
        self.derivative(kind, body, wrt, None, span)
    }

    /// A `²`, `^2` or `^{2}` after `∇`.
    fn order_two(&mut self) -> PResult<()> {
        let order = self.order()?;
        if order != 2 {
            return Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                self.span_from(self.last_end.saturating_sub(1)),
                "only first (`∇`) and second (`∇²`) derivatives are written with ∇",
            ));
        }
        Ok(())
    }

    /// A derivative order: a superscript number, `^n` or `^{n}`.
    fn order(&mut self) -> PResult<usize> {
        let text = if self.at_script(Script::Super) {
            let run = self.script_run(Script::Super);
            run.iter().map(|t| t.text.to_string()).collect::<String>()
        } else {
            self.expect_op(Op::Caret, "`^`")?;
            let braced = self.eat_op(Op::LBrace).is_some();
            let text = match self.peek() {
                Some(t) if t.kind == Kind::Number => t.text.to_string(),
                _ => return Err(self.expected("the order of the derivative")),
            };
            self.bump();
            if braced {
                self.expect_op(Op::RBrace, "`}`")?;
            }
            text
        };
        match text.parse::<usize>() {
            Ok(n) if (1..=4).contains(&n) => Ok(n),
            _ => Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                self.span_from(self.last_end.saturating_sub(text.len().max(1))),
                format!("derivative order `{text}` is not supported (1 to 4)"),
            )),
        }
    }

    /// `∂f/∂x₁`, `∂/∂x₁ (…)`, `∂²f/∂x∂y`.
    pub fn partial(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.bump();
        let order = if self.at_script(Script::Super) || self.at_op(Op::Caret) {
            Some(self.order()?)
        } else {
            None
        };
        let body = if self.at_op(Op::Slash) {
            None
        } else {
            Some(self.nested(|p| p.power())?)
        };
        self.expect_op(Op::Slash, "`/∂x` after `∂f`")?;
        let wrt = self.partial_variables(order)?;
        let body = match body {
            Some(body) => body,
            None => self.operand("`∂/∂x`")?,
        };
        let span = self.span_from(start);
        self.derivative(DerivativeKind::Partial, body, wrt, None, span)
    }

    /// `∂x₁`, `∂x∂y`, `∂x²`: the denominators of a partial derivative.
    pub fn partial_variables(&mut self, order: Option<usize>) -> PResult<Vec<Expr>> {
        let mut wrt = Vec::new();
        while self.at_op(Op::Partial) {
            self.bump();
            let var = self.variable()?;
            let times = if self.at_script(Script::Super) || self.at_op(Op::Caret) {
                self.order()?
            } else {
                1
            };
            for _ in 1..times {
                wrt.push(var.clone());
            }
            wrt.push(var);
        }
        if wrt.is_empty() {
            return Err(self.expected("`∂x`"));
        }
        if let (Some(n), [only]) = (order, wrt.as_slice()) {
            let only = only.clone();
            while wrt.len() < n {
                wrt.push(only.clone());
            }
        }
        Ok(wrt)
    }

    /// A variable of differentiation: a name with an optional subscript.
    fn variable(&mut self) -> PResult<Expr> {
        match self.peek() {
            Some(t) if t.kind == Kind::Ident && t.script == Script::Normal => {}
            Some(t) if t.kind == Kind::Command => {
                let expr = self.command_atom()?;
                return self.subscripted(expr);
            }
            _ => return Err(self.expected("a variable")),
        }
        let Some(tok) = self.bump() else {
            return Err(self.expected("a variable"));
        };
        let name = self.node(ExprKind::Name(names::canonical_name(&tok.text)), tok.span)?;
        self.subscripted(name)
    }

    /// Leibniz's notation: `d/dx (x sin x)`, `d/dx ln(x² + 1)`, and with a numerator or an
    /// order `df/dt` (f defined), `d²f/dt²`, `d²/dt² (…)`, `d^2 f/dt^2`. The current token is
    /// `d` or `d` glued to the name.
    pub fn leibniz(&mut self) -> PResult<Expr> {
        let start = self.start();
        let Some(first) = self.bump() else {
            return Err(self.expected("`d`"));
        };
        let mut name = first.text.get(1..).map(str::to_string).unwrap_or_default();
        let mut name_span = Span::new(first.span.start as usize + 1, first.span.end as usize);
        let order = if self.at_script(Script::Super) || self.at_op(Op::Caret) {
            self.order()?
        } else {
            1
        };
        if name.is_empty() {
            if let Some(t) = self
                .peek()
                .filter(|t| t.kind == Kind::Ident && t.script == Script::Normal)
                .cloned()
            {
                self.bump();
                name = t.text.to_string();
                name_span = t.span;
            }
        }
        self.expect_op(Op::Slash, "`/dx`")?;
        let Some(denominator) = self.bump() else {
            return Err(self.expected("`dx`"));
        };
        let var_text = denominator.text.get(1..).unwrap_or("");
        let var_span = Span::new(
            denominator.span.start as usize + 1,
            denominator.span.end as usize,
        );
        let var = self.node(ExprKind::Name(names::canonical_name(var_text)), var_span)?;
        let var = self.subscripted(var)?;
        let below = if self.at_script(Script::Super) || self.at_op(Op::Caret) {
            self.order()?
        } else {
            1
        };
        if below != order {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                self.span_from(start),
                format!("the orders above and below differ ({order} and {below})"),
            )
            .with_hint(format!("write d{}/d{var_text}{} …", sup(order), sup(order))));
        }
        let body = if name.is_empty() {
            self.operand("`d/dx`")?
        } else if self.names.is_function(&name) {
            self.node(ExprKind::Name(names::canonical_name(&name)), name_span)?
        } else {
            return Err(Diagnostic::new(
                DiagnosticKind::UnknownName,
                name_span,
                format!("d{name}/d{var_text}: {name} is not a function defined here"),
            )
            .with_hint(format!(
                "define it first ({name}({var_text}) = …), or write d/d{var_text} (…) with the expression"
            )));
        };
        let span = self.span_from(start);
        self.derivative(DerivativeKind::Ordinary, body, vec![var; order], None, span)
    }

    /// `J_x g(x)`.
    pub fn jacobian_subscript(&mut self, start: usize) -> PResult<Expr> {
        self.bump();
        let var = self.underscore_index()?;
        let body = self.operand("`J_x`")?;
        let span = self.span_from(start);
        self.derivative(DerivativeKind::Jacobian, body, vec![var], None, span)
    }

    /// `D_u f(x)`.
    pub fn directional(&mut self, start: usize) -> PResult<Expr> {
        self.bump();
        let direction = self.underscore_index()?;
        let body = self.operand("`D_u`")?;
        let span = self.span_from(start);
        self.derivative(
            DerivativeKind::Directional,
            body,
            Vec::new(),
            Some(direction),
            span,
        )
    }

    /// `f'(x)`, `f''(x)`.
    pub fn prime_derivative(&mut self, word: &str, span: Span) -> PResult<Expr> {
        let start = span.start as usize;
        let mut primes = 0;
        while self.at_op(Op::Prime) {
            self.bump();
            primes += 1;
        }
        let (args, _) = self.call_args()?;
        let Some(first) = args.first().cloned() else {
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                self.span_from(start),
                format!("`{word}'` needs an argument, like `{word}'(x)`"),
            ));
        };
        let function = Ident {
            name: names::canonical_name(word),
            span,
        };
        let call_span = self.span_from(start);
        let body = self.node(ExprKind::Call { function, args }, call_span)?;
        let wrt = vec![first; primes];
        self.derivative(DerivativeKind::Ordinary, body, wrt, None, call_span)
    }

    /// `grad(f(x), x)`, `hess(f(x), x)`, `jac(g(x), x)`, `diff(f, x, y)`, `ddir(f(x), x, u)`.
    pub fn derivative_call(&mut self, word: &str, start: usize) -> PResult<Expr> {
        let (args, _) = self.call_args()?;
        let span = self.span_from(start);
        let mut args = args.into_iter();
        let Some(body) = args.next() else {
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                span,
                format!("`{word}` needs the expression to differentiate"),
            ));
        };
        let mut wrt: Vec<Expr> = args.collect();
        let kind = match word {
            "grad" => DerivativeKind::Gradient,
            "hess" => DerivativeKind::Hessian,
            "jac" => DerivativeKind::Jacobian,
            "diff" => DerivativeKind::Partial,
            _ => DerivativeKind::Directional,
        };
        // grad and hess take the variables written (none: the function's parameters).
        let needs = match word {
            "ddir" => Some(2),
            "diff" | "jac" => None,
            _ => Some(wrt.len()),
        };
        let ok = match needs {
            Some(n) => wrt.len() == n,
            None => !wrt.is_empty(),
        };
        if !ok {
            let hint = match word {
                "ddir" => "write `ddir(f(x), x, u)`",
                "diff" => "write `diff(f, x)` or `diff(f, x, y)`",
                "jac" => "write `jac(g(x), x)`",
                _ => "write it like `grad(f(x), x)` or `grad(f, x, y)`",
            };
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                span,
                format!("wrong number of arguments to `{word}`"),
            )
            .with_hint(hint));
        }
        let direction = if kind == DerivativeKind::Directional {
            wrt.pop()
        } else {
            None
        };
        self.derivative(kind, body, wrt, direction, span)
    }
}

/// A derivative order as a superscript (`²`), empty for 1.
fn sup(order: usize) -> &'static str {
    match order {
        2 => "²",
        3 => "³",
        4 => "⁴",
        _ => "",
    }
}
