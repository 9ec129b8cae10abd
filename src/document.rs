//! The top-level library API: read a derivation or expression (with optional declarations) into a
//! lowered document, and ask for derivatives, simplified and expanded forms.

use crate::diff::{self, DiffError, Layout};
use crate::expr::{Id, Node, Number, Pool, SymbolId};
use crate::numeric::{self, Instance};
use crate::simplify::{expand, textbook_form};
use crate::syntax::ast::{self, DerivativeKind, ExprKind, Statement};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::lower::{
    declare, lower_checkable_program, lower_program, LowerOptions, Lowered, LoweredStatement,
};
use crate::syntax::span::Span;
use crate::syntax::{parse_checkable_program, parse_expression_with, parse_program_with};

/// Where the text of a diagnostic's spans comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    /// The error.
    pub diagnostic: Diagnostic,
    /// The text its spans index into (the input, or the declarations, or a composed request).
    pub source: String,
}

impl SourceError {
    fn new(diagnostic: Diagnostic, source: &str) -> SourceError {
        SourceError {
            diagnostic,
            source: source.to_string(),
        }
    }
}

/// Options for reading input.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Declarations given apart from the input (`--let 'A: ℝ^(m×n), x: ℝ^n'`), without `let`.
    pub declarations: Option<String>,
    /// Jacobian layout convention.
    pub layout: Layout,
    /// Record the rewrite rules applied (see [`Document::rules_applied`]).
    pub trace_rules: bool,
}

/// A read and lowered input: the expression pool, the statements, and the source text.
#[derive(Debug)]
pub struct Document {
    /// The input text (spans index into it).
    pub source: String,
    /// The lowered statements and the pool they live in.
    pub lowered: Lowered,
}

impl Document {
    /// Parses and lowers `source` (a derivation file or a single expression, optionally with
    /// `let …;` in front).
    pub fn read(source: &str, options: &ReadOptions) -> Result<Document, SourceError> {
        Document::read_with(source, options, false)
    }

    /// Reads a derivation file to be checked: as [`Document::read`], except that a claim that
    /// cannot be read (a shape error, an unknown function) is kept as
    /// [`LoweredStatement::Unreadable`] — reported as ill-formed — and the rest is still read.
    pub fn read_checkable(source: &str, options: &ReadOptions) -> Result<Document, SourceError> {
        Document::read_with(source, options, true)
    }

    fn read_with(
        source: &str,
        options: &ReadOptions,
        checkable: bool,
    ) -> Result<Document, SourceError> {
        let (pool, known) = declarations_pool(options)?;
        let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
        let parse = if checkable {
            parse_checkable_program
        } else {
            parse_program_with
        };
        let lower = if checkable {
            lower_checkable_program
        } else {
            lower_program
        };
        let program = parse(source, &known_refs).map_err(|d| SourceError::new(d, source))?;
        // With no claim that parses, the file is bad input (as a parse error), not a check.
        if !program
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Claim(_)))
        {
            if let Some(Statement::UnreadableClaim { diagnostic, .. }) = program
                .statements
                .iter()
                .find(|s| matches!(s, Statement::UnreadableClaim { .. }))
            {
                return Err(SourceError::new(diagnostic.clone(), source));
            }
        }
        let lowered = lower(&program, pool, &lower_options(options))
            .map_err(|d| SourceError::new(d, source))?;
        Ok(Document {
            source: source.to_string(),
            lowered,
        })
    }

    /// Reads an expression and applies a derivative operator to it with respect to the
    /// comma-separated variables `wrt` (`"x"`, `"x₁,x₂"`), optionally at a point
    /// (`"x = [1; 2]"`). Returns the document and the id of the unevaluated operator.
    pub fn read_derivative(
        source: &str,
        kind: DerivativeKind,
        wrt: &str,
        at: Option<&str>,
        options: &ReadOptions,
    ) -> Result<(Document, Id), SourceError> {
        let (pool, known) = declarations_pool(options)?;
        let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
        let mut program =
            parse_program_with(source, &known_refs).map_err(|d| SourceError::new(d, source))?;
        let body = take_last_expression(&mut program)
            .ok_or_else(|| SourceError::new(no_expression(source), source))?;
        // Compose one text so every span (expression, variables, point) can be shown.
        let mut composed = format!("{source}\n--wrt {wrt}");
        let wrt_offset = source.len() + "\n--wrt ".len();
        let mut wrt_exprs = Vec::new();
        let mut offset = wrt_offset;
        for piece in wrt.split(',') {
            let lead = piece.len() - piece.trim_start().len();
            let mut e = parse_expression_with(piece.trim(), &known_refs)
                .map_err(|d| SourceError::new(shift_diagnostic(d, offset + lead), &composed))?;
            shift_expr(&mut e, offset + lead);
            wrt_exprs.push(e);
            offset += piece.len() + 1;
        }
        let span = body.span;
        let mut expr = ast::Expr {
            kind: ExprKind::Derivative(Box::new(ast::Derivative {
                kind,
                body,
                wrt: wrt_exprs,
                direction: None,
            })),
            span,
        };
        if let Some(at) = at {
            let at_offset = composed.len() + "\n--at ".len();
            composed.push_str("\n--at ");
            composed.push_str(at);
            let probe = format!("0 at {at}");
            let parsed = parse_expression_with(&probe, &known_refs).map_err(|d| {
                SourceError::new(shift_diagnostic(d, at_offset.saturating_sub(5)), &composed)
            })?;
            let ExprKind::At { mut bindings, .. } = parsed.kind else {
                let d = Diagnostic::new(
                    DiagnosticKind::Syntax,
                    Span::new(at_offset, composed.len()),
                    "expected a point such as `x = [1; 2]`",
                );
                return Err(SourceError::new(d, &composed));
            };
            for b in &mut bindings {
                shift_binding(b, at_offset.saturating_sub(5));
            }
            expr = ast::Expr {
                kind: ExprKind::At {
                    body: Box::new(expr),
                    bindings,
                },
                span,
            };
        }
        program.statements.push(Statement::Expr(expr));
        let lowered = lower_program(&program, pool, &lower_options(options))
            .map_err(|d| SourceError::new(d, &composed))?;
        let document = Document {
            source: composed,
            lowered,
        };
        let id = document
            .last_expression()
            .ok_or_else(|| SourceError::new(no_expression(source), source))?;
        Ok((document, id))
    }

    /// The last bare expression of the input.
    pub fn last_expression(&self) -> Option<Id> {
        self.lowered.statements.iter().rev().find_map(|s| match s {
            LoweredStatement::Expr { id, .. } => Some(*id),
            _ => None,
        })
    }

    /// The rewrite rules applied so far, each once, in order (when read with `trace_rules`).
    pub fn rules_applied(&self) -> Vec<crate::simplify::Rule> {
        self.lowered.pool.rules_applied()
    }

    /// The pool of expressions.
    pub fn pool(&self) -> &Pool {
        &self.lowered.pool
    }

    /// Evaluates every derivative operator in `e` and returns the result in textbook form.
    pub fn evaluate(&mut self, e: Id) -> Result<Id, DiffError> {
        let at_a_point = matches!(self.lowered.pool.node(e), Node::At(..));
        if let Node::At(body, binds) = self.lowered.pool.node(e).clone() {
            // A function not defined at the point (log x at x = −1) has no derivative there,
            // even where the derivative's formula (1/x) has a value.
            for f in diff::differentiated(&self.lowered.pool, body) {
                if let Some(why) = undefined_at(&self.lowered.pool, f, &binds) {
                    return Err(DiffError::NotDifferentiable {
                        what: why.replace("the derivative is", "the function is"),
                    });
                }
            }
            let general = diff::evaluate_derivatives(&mut self.lowered.pool, body)?;
            if let Some(why) = undefined_at(&self.lowered.pool, general, &binds) {
                return Err(DiffError::NotDifferentiable { what: why });
            }
            // At a kink (|x| at 0) the formula has a value, but the derivative does not.
            let pool = &self.lowered.pool;
            if let Some(point) = point_of(pool, &binds) {
                for f in diff::differentiated(pool, body) {
                    if let Some(at) = diff::kink_at(pool, f, general, &point) {
                        return Err(DiffError::NotDifferentiable {
                            what: format!(
                                "the function is not differentiable at this point, where {at} \
                                 (it or its derivative jumps there)"
                            ),
                        });
                    }
                }
            }
        }
        let v = diff::evaluate_derivatives(&mut self.lowered.pool, e)?;
        // At a point, an exact value is written as a number or a literal matrix (‖[3; 4]‖ = 5).
        let pool = &mut self.lowered.pool;
        if at_a_point && numeric::free_symbols(pool, &[v]).is_empty() {
            if let Ok(exact) = numeric::evaluate(pool, v, &Instance::<Number>::default()) {
                let entries: Vec<Id> = exact.data.iter().map(|n| pool.num(n.clone())).collect();
                return Ok(match (exact.rows, exact.cols) {
                    (1, 1) => entries[0],
                    (r, c) => pool.matrix(r as u32, c as u32, entries),
                });
            }
        }
        Ok(textbook_form(&mut self.lowered.pool, v))
    }

    /// The fully expanded form of `e` (derivatives evaluated first).
    pub fn expand(&mut self, e: Id, max_terms: usize) -> Result<Id, String> {
        let v =
            diff::evaluate_derivatives(&mut self.lowered.pool, e).map_err(|err| err.to_string())?;
        expand(&mut self.lowered.pool, v, max_terms).map_err(|err| err.to_string())
    }
}

/// Why `value` has no value at the point `binds` (a division by zero, `0/0`, a logarithm of a
/// non-positive number), found by evaluating it there in floating point; `None` when it has one,
/// or when the point does not fix every symbol and size it needs.
fn undefined_at(pool: &Pool, value: Id, binds: &[(SymbolId, Id)]) -> Option<String> {
    let point = point_of(pool, binds)?;
    numeric::why_undefined(pool, value, &point)
        .map(|why| format!("the derivative is undefined at this point ({why})"))
}

/// The point `binds` gives, in floating point (the sizes of its dimensions included); `None`
/// when a value is not a constant.
fn point_of(pool: &Pool, binds: &[(SymbolId, Id)]) -> Option<Instance<f64>> {
    let mut point = Instance::<f64>::default();
    for &(s, v) in binds {
        let v = numeric::evaluate(pool, v, &Instance::<f64>::default()).ok()?;
        let shape = &pool.symbol(s).shape;
        for (dim, size) in [(&shape.rows, v.rows), (&shape.cols, v.cols)] {
            if let [name] = dim.symbols.as_slice() {
                if dim.coeff == 1 {
                    point.dims.insert(name.clone(), size as u64);
                }
            }
        }
        point.values.insert(s, v);
    }
    Some(point)
}

fn lower_options(options: &ReadOptions) -> LowerOptions {
    LowerOptions {
        layout: options.layout,
    }
}

/// A pool with the `--let` declarations in it, and the declared names (for splitting letter runs).
fn declarations_pool(options: &ReadOptions) -> Result<(Pool, Vec<String>), SourceError> {
    let mut pool = Pool::new();
    if options.trace_rules {
        pool.start_trace();
    }
    let Some(decls) = &options.declarations else {
        return Ok((pool, Vec::new()));
    };
    let text = format!("let {decls}");
    let program = parse_program_with(&text, &[]).map_err(|d| SourceError::new(d, &text))?;
    let mut names = Vec::new();
    for statement in &program.statements {
        match statement {
            Statement::Let { decls, .. } => {
                declare(&mut pool, decls).map_err(|d| SourceError::new(d, &text))?;
                names.extend(
                    decls
                        .iter()
                        .flat_map(|d| d.names.iter().map(|n| n.name.clone())),
                );
            }
            other => {
                let span = statement_span(other);
                let d = Diagnostic::new(
                    DiagnosticKind::Syntax,
                    span,
                    "--let takes declarations only",
                )
                .with_hint("write e.g. --let 'A: ℝ^(m×n), x: ℝ^n'");
                return Err(SourceError::new(d, &text));
            }
        }
    }
    Ok((pool, names))
}

fn statement_span(s: &Statement) -> Span {
    match s {
        Statement::Let { span, .. }
        | Statement::Define { span, .. }
        | Statement::Descend { span, .. }
        | Statement::Classify { span, .. }
        | Statement::Critical { span, .. } => *span,
        Statement::Claim(c) => c.span,
        Statement::UnreadableClaim { span, .. } => *span,
        Statement::Expr(e) => e.span,
    }
}

fn take_last_expression(program: &mut ast::Program) -> Option<ast::Expr> {
    let pos = program
        .statements
        .iter()
        .rposition(|s| matches!(s, Statement::Expr(_)))?;
    match program.statements.remove(pos) {
        Statement::Expr(e) => Some(e),
        _ => None,
    }
}

fn no_expression(source: &str) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::Syntax,
        Span::new(0, source.len()),
        "expected an expression",
    )
    .with_hint("give an expression such as '½‖Ax − b‖²'")
}

fn shift_diagnostic(mut d: Diagnostic, by: usize) -> Diagnostic {
    for l in &mut d.labels {
        l.span = shift_span(l.span, by);
    }
    d
}

fn shift_span(s: Span, by: usize) -> Span {
    Span::new(s.start as usize + by, s.end as usize + by)
}

fn shift_binding(b: &mut ast::Binding, by: usize) {
    b.span = shift_span(b.span, by);
    b.name.span = shift_span(b.name.span, by);
    shift_expr(&mut b.value, by);
}

/// Moves every span of an expression by `by` bytes (for pieces parsed from composed text).
fn shift_expr(e: &mut ast::Expr, by: usize) {
    e.span = shift_span(e.span, by);
    match &mut e.kind {
        ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Identity | ExprKind::Ones => {}
        ExprKind::Subscript { base, index } => {
            shift_expr(base, by);
            shift_expr(index, by);
        }
        ExprKind::Unary { operand, .. } | ExprKind::Postfix { operand, .. } => {
            shift_expr(operand, by)
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            shift_expr(lhs, by);
            shift_expr(rhs, by);
        }
        ExprKind::Call { function, args } => {
            function.span = shift_span(function.span, by);
            args.iter_mut().for_each(|a| shift_expr(a, by));
        }
        ExprKind::Norm { arg, .. } => shift_expr(arg, by),
        ExprKind::Abs(a) | ExprKind::Sqrt(a) => shift_expr(a, by),
        ExprKind::Matrix(rows) => rows.iter_mut().flatten().for_each(|a| shift_expr(a, by)),
        ExprKind::Sum {
            index,
            lower,
            upper,
            body,
        } => {
            index.span = shift_span(index.span, by);
            shift_expr(lower, by);
            shift_expr(upper, by);
            shift_expr(body, by);
        }
        ExprKind::Derivative(d) => {
            shift_expr(&mut d.body, by);
            d.wrt.iter_mut().for_each(|w| shift_expr(w, by));
            if let Some(u) = &mut d.direction {
                shift_expr(u, by);
            }
        }
        ExprKind::At { body, bindings } => {
            shift_expr(body, by);
            bindings.iter_mut().for_each(|b| shift_binding(b, by));
        }
    }
}
