//! Calls: built-in functions (with their arity and shape rules) and user-defined functions
//! (arity and argument shapes checked, then the arguments substituted for the parameters).

use super::expr::describe;
use super::{derived, Lowerer};
use crate::expr::{Func, Id, Shape};
use crate::syntax::ast::Expr;
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use std::collections::HashMap;

/// Names that are operators when called but are not [`Func`]s.
pub(super) const OPERATOR_NAMES: [&str; 4] = ["sqrt", "inv", "norm", "pinv"];

/// The result shape of a built-in applied to an argument of shape `s`, or what is wrong.
pub(super) fn builtin_shape(f: Func, s: &Shape) -> Result<Shape, String> {
    let name = f.name();
    match f {
        _ if f.is_elementwise() => Ok(s.clone()),
        Func::Trace | Func::Det if s.is_square() => Ok(Shape::scalar()),
        Func::Trace | Func::Det => Err(format!("{name} needs a square matrix, but this is {s}")),
        Func::Softmax if s.cols.is_one() => Ok(s.clone()),
        Func::LogSumExp if s.cols.is_one() => Ok(Shape::scalar()),
        Func::Softmax | Func::LogSumExp => Err(format!("{name} needs a vector, but this is {s}")),
        Func::Sum | Func::Norm(_) => Ok(Shape::scalar()),
        Func::Pinv => Ok(s.transposed()),
        Func::Diag if s.cols.is_one() => Ok(Shape::matrix(s.rows.clone(), s.rows.clone())),
        Func::Diag if s.rows.is_one() => Ok(Shape::matrix(s.cols.clone(), s.cols.clone())),
        Func::Diag if s.is_square() => Ok(Shape::vector(s.rows.clone())),
        Func::Diag => Err(format!(
            "diag needs a vector or a square matrix, but this is {s}"
        )),
        _ => Ok(Shape::scalar()),
    }
}

impl Lowerer {
    pub(super) fn lower_call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
    ) -> Result<Id, Diagnostic> {
        if self.functions.contains_key(name) {
            let ids = args
                .iter()
                .map(|a| self.lower(a))
                .collect::<Result<Vec<_>, _>>()?;
            return self.apply_defined(name, &ids, args, span);
        }
        if derived::is_derived_function(name) {
            let arg = single_argument(name, args, span)?;
            let a = self.lower(arg)?;
            let s = self.pool.shape(a).clone();
            if !s.is_scalar() {
                return Err(Diagnostic::new(
                    DiagnosticKind::ShapeMismatch,
                    arg.span,
                    format!("{name} applies to scalars, but this is {s}"),
                )
                .with_primary_message(describe(arg, &s))
                .with_hint(format!("apply {name} to each component")));
            }
            if let Some(value) = derived::derived_function(&mut self.pool, name, a) {
                return Ok(value);
            }
        }
        let builtin = Func::from_name(name);
        if builtin.is_some() || OPERATOR_NAMES.contains(&name) {
            let arg = single_argument(name, args, span)?;
            let a = self.lower(arg)?;
            let Some(f) = builtin else {
                return Err(Diagnostic::new(
                    DiagnosticKind::BadArguments,
                    span,
                    format!("{name} cannot be applied here"),
                ));
            };
            let s = self.pool.shape(a).clone();
            if let Err(message) = builtin_shape(f, &s) {
                return Err(
                    Diagnostic::new(DiagnosticKind::ShapeMismatch, arg.span, message)
                        .with_primary_message(describe(arg, &s)),
                );
            }
            return Ok(self.pool.apply(f, &[a]));
        }
        if self.scope.is_known_symbol(&self.pool, name) {
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                name_span,
                format!("{name} is a variable, not a function"),
            )
            .with_hint(format!("define it first, e.g. {name}(x, y) = …")));
        }
        Err(Diagnostic::new(
            DiagnosticKind::UnknownName,
            name_span,
            format!("unknown function {name}"),
        )
        .with_hint(format!(
            "define it first, e.g. {name}(x) = …; to multiply, write {name}·(…) or declare {name} with let"
        )))
    }

    /// A defined function applied to lowered arguments: arity and shapes checked, then the
    /// arguments substituted for the parameters.
    pub(super) fn apply_defined(
        &mut self,
        name: &str,
        ids: &[Id],
        args: &[Expr],
        span: Span,
    ) -> Result<Id, Diagnostic> {
        let Some(def) = self.functions.get(name).cloned() else {
            return Err(Diagnostic::new(
                DiagnosticKind::UnknownName,
                span,
                format!("{name} is not defined"),
            ));
        };
        let params: Vec<String> = def
            .params
            .iter()
            .map(|&p| self.pool.symbol(p).name.clone())
            .collect();
        if ids.len() != params.len() {
            let plural = if params.len() == 1 { "" } else { "s" };
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                span,
                format!(
                    "{name} takes {} argument{plural}, but {} were given",
                    params.len(),
                    ids.len()
                ),
            )
            .with_label(def.span, format!("{name} is defined here"))
            .with_hint(format!("call it as {name}({})", params.join(", "))));
        }
        let mut map = HashMap::new();
        for ((&p, &id), (arg, pname)) in def.params.iter().zip(ids).zip(args.iter().zip(&params)) {
            let want = self.pool.symbol(p).shape.clone();
            let got = self.pool.shape(id).clone();
            if want != got {
                return Err(Diagnostic::new(
                    DiagnosticKind::ShapeMismatch,
                    arg.span,
                    format!("{name}'s parameter {pname} is {want}, but this argument is {got}"),
                )
                .with_primary_message(describe(arg, &got))
                .with_label(def.span, format!("{pname} is {want} here")));
            }
            let param = self.pool.symbol_expr(p);
            map.insert(param, id);
        }
        Ok(self.pool.substitute(def.body, &map))
    }
}

/// The one argument of a call to `name`, or an error saying how many were given.
fn single_argument<'a>(name: &str, args: &'a [Expr], span: Span) -> Result<&'a Expr, Diagnostic> {
    match args {
        [arg] => Ok(arg),
        _ => Err(Diagnostic::new(
            DiagnosticKind::BadArguments,
            span,
            format!("{name} takes one argument, but {} were given", args.len()),
        )
        .with_hint(format!("write {name}(x)"))),
    }
}
