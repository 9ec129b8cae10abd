//! Expression lowering: builds canonical ids bottom-up, checking every operator's shape rule and
//! reporting a conflict with the places and shapes of both operands.

use super::infer::literal_key;
use super::scope::{bound_length, Index, NameKind, SubscriptRef, SumIndex};
use super::Lowerer;
use crate::expr::{Assumptions, Dim, Func, Id, Node, Number, Shape, SymbolId, SymbolOrigin};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, PostfixOp, UnaryOp};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;

/// The name an operand is written as, when it is a plain (possibly subscripted) name.
pub(super) fn written_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Subscript { base, index } => {
            let b = written_name(base)?;
            Some(format!("{b}_{}", super::scope::subscript_text(index)?))
        }
        _ => None,
    }
}

/// `A is ℝ^(m×n)` for a name, `this is ℝ^n` otherwise.
pub(super) fn describe(e: &Expr, shape: &Shape) -> String {
    match written_name(e) {
        Some(n) => format!("{n} is {shape}"),
        None => format!("this is {shape}"),
    }
}

/// A shape mismatch between two operands, labelled at both.
pub(super) fn mismatch(
    message: String,
    (a, sa): (&Expr, &Shape),
    (b, sb): (&Expr, &Shape),
    hint: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::new(DiagnosticKind::ShapeMismatch, a.span, message)
        .with_primary_message(describe(a, sa))
        .with_label(b.span, describe(b, sb));
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

impl Lowerer {
    /// Lowers an expression (after desugaring and inference), recording its span.
    pub(super) fn lower(&mut self, e: &Expr) -> Result<Id, Diagnostic> {
        let id = self.lower_node(e)?;
        self.spans.entry(id).or_insert(e.span);
        Ok(id)
    }

    fn lower_node(&mut self, e: &Expr) -> Result<Id, Diagnostic> {
        match &e.kind {
            ExprKind::Number(n) if num_traits::Zero::is_zero(n) => {
                let shape = self.literal_shape(e).unwrap_or_else(Shape::scalar);
                Ok(self.pool.zero(shape))
            }
            ExprKind::Number(n) => Ok(self.pool.num(Number::from_big(n.clone()))),
            ExprKind::Identity => {
                let shape = self.sized_literal(e, "I")?;
                if !shape.is_square() {
                    return Err(Diagnostic::new(
                        DiagnosticKind::ShapeMismatch,
                        e.span,
                        format!("I is square, but this place needs {shape}"),
                    ));
                }
                Ok(self.pool.identity(shape.rows))
            }
            ExprKind::Ones => {
                let shape = self.sized_literal(e, "𝟙")?;
                Ok(self.pool.ones(shape))
            }
            ExprKind::Name(n) => self.lower_name(n, e.span),
            ExprKind::Subscript { base, index } => self.lower_subscript(base, index, e.span),
            ExprKind::Unary { op, operand } => {
                let a = self.lower(operand)?;
                Ok(match op {
                    UnaryOp::Neg => self.pool.neg(a),
                    UnaryOp::Plus => a,
                })
            }
            ExprKind::Binary { op, lhs, rhs } => self.lower_binary(*op, lhs, rhs),
            ExprKind::Postfix { op, operand } => self.lower_postfix(*op, operand),
            ExprKind::Call { function, args } => {
                self.lower_call(&function.name, function.span, args, e.span)
            }
            ExprKind::Norm { kind, arg } => {
                let a = self.lower(arg)?;
                Ok(self.pool.apply(Func::Norm(*kind), &[a]))
            }
            ExprKind::Abs(arg) => {
                let a = self.lower(arg)?;
                Ok(self.pool.apply(Func::Abs, &[a]))
            }
            // Of a vector or matrix, entrywise (like every scalar function).
            ExprKind::Sqrt(arg) => {
                let a = self.lower(arg)?;
                Ok(self.pool.hadamard_pow(a, &Number::ratio(1, 2)))
            }
            ExprKind::Matrix(rows) => self.lower_matrix(rows, e.span),
            ExprKind::Sum {
                index,
                lower,
                upper,
                body,
            } => {
                let lo = self.lower_scalar(lower, "a sum's lower bound")?;
                let hi = self.lower_scalar(upper, "a sum's upper bound")?;
                let idx = self.sum_index(&index.name, index.span)?;
                self.scope.sums.push(SumIndex {
                    name: index.name.clone(),
                    length: bound_length(upper),
                });
                let body = self.lower(body);
                self.scope.sums.pop();
                Ok(self.pool.sum_over(idx, lo, hi, body?))
            }
            ExprKind::Derivative(d) => self.lower_derivative(d, e.span),
            ExprKind::At { body, bindings } => {
                let body = self.lower(body)?;
                let mut groups = self.lower_binding_groups(&[bindings])?;
                Ok(self.pool.at(body, groups.pop().unwrap_or_default()))
            }
        }
    }

    fn literal_shape(&self, e: &Expr) -> Option<Shape> {
        self.scope.literals.get(&literal_key(e)).cloned()
    }

    fn sized_literal(&self, e: &Expr, name: &str) -> Result<Shape, Diagnostic> {
        self.literal_shape(e).ok_or_else(|| {
            Diagnostic::new(
                DiagnosticKind::UnknownShape,
                e.span,
                format!("the size of {name} cannot be inferred here"),
            )
            .with_hint(format!(
                "use {name} next to something of known shape, e.g. XᵀX + αI or x − 𝟙"
            ))
        })
    }

    /// Lowers an expression that must be a scalar.
    pub(super) fn lower_scalar(&mut self, e: &Expr, what: &str) -> Result<Id, Diagnostic> {
        let id = self.lower(e)?;
        let s = self.pool.shape(id);
        if !s.is_scalar() {
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                e.span,
                format!("{what} must be a scalar, but {}", describe(e, s)),
            ));
        }
        Ok(id)
    }

    /// The symbol named `name`, creating an inferred one (with its inferred shape) if needed.
    pub(super) fn symbol_for(&mut self, name: &str, span: Span) -> Result<SymbolId, Diagnostic> {
        if let Some(s) = self.pool.lookup(name) {
            return Ok(s);
        }
        let shape = self
            .scope
            .inferred
            .get(name)
            .cloned()
            .unwrap_or_else(Shape::scalar);
        let origin = SymbolOrigin::Inferred;
        match self
            .pool
            .declare(name, shape, Assumptions::default(), origin)
        {
            Ok(s) => {
                self.scope
                    .declared_at
                    .entry(name.to_string())
                    .or_insert(span);
                Ok(s)
            }
            Err(_) => Err(Diagnostic::new(
                DiagnosticKind::Redeclared,
                span,
                format!("{name} is used with two different shapes"),
            )),
        }
    }

    fn sum_index(&mut self, name: &str, span: Span) -> Result<SymbolId, Diagnostic> {
        let declared = self.pool.declare(
            name,
            Shape::scalar(),
            Assumptions::default(),
            SymbolOrigin::SumIndex,
        );
        match declared {
            Ok(s) => {
                self.scope
                    .declared_at
                    .entry(name.to_string())
                    .or_insert(span);
                Ok(s)
            }
            Err(existing) => {
                let shape = self.pool.symbol(existing).shape.clone();
                let mut d = Diagnostic::new(
                    DiagnosticKind::Redeclared,
                    span,
                    format!("the sum index {name} is already a symbol of shape {shape}"),
                )
                .with_hint("use another letter for the index");
                if let Some(&at) = self.scope.declared_at.get(name) {
                    d = d.with_label(at, format!("{name} is {shape} here"));
                }
                Err(d)
            }
        }
    }

    fn lower_name(&mut self, name: &str, span: Span) -> Result<Id, Diagnostic> {
        if self.is_euler_number(name) {
            let one = self.pool.int(1);
            return Ok(self.pool.apply(Func::Exp, &[one]));
        }
        match self.scope.name_kind(&self.pool, &self.functions, name) {
            NameKind::Symbol => {
                let s = self.symbol_for(name, span)?;
                Ok(self.pool.symbol_expr(s))
            }
            NameKind::Dim => Ok(self.pool.dim_value(Dim::symbol(name))),
            NameKind::Function => match self.functions.get(name) {
                Some(def) => Ok(def.body),
                None => Err(Diagnostic::new(
                    DiagnosticKind::UnknownName,
                    span,
                    format!("{name} is not defined"),
                )),
            },
        }
    }

    /// Is `name` Euler's number: `e` not declared, not a parameter or an index, and not used as a
    /// vector or matrix (`e^(3x)`, `2e`; but `let e: ℝ` or `‖e‖²` make it a symbol)?
    fn is_euler_number(&self, name: &str) -> bool {
        name == "e"
            && self.pool.lookup(name).is_none()
            && !self.scope.params.iter().any(|p| p == name)
            && !self.scope.sums.iter().any(|s| s.name == name)
            && self.scope.inferred.get(name).is_none_or(|s| s.is_scalar())
    }

    fn lower_subscript(&mut self, base: &Expr, index: &Expr, span: Span) -> Result<Id, Diagnostic> {
        let ExprKind::Name(b) = &base.kind else {
            return Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                base.span,
                "only a name can carry a subscript",
            ));
        };
        match self
            .scope
            .classify_subscript(&self.pool, &self.functions, b, index)
        {
            SubscriptRef::Symbol(s) => {
                let s = self.symbol_for(&s, span)?;
                Ok(self.pool.symbol_expr(s))
            }
            SubscriptRef::Component {
                base: name,
                indices,
            } => self.lower_component(&name, base.span, &indices, index.span),
            SubscriptRef::SumVector { base: name, .. } => Err(Diagnostic::new(
                DiagnosticKind::UnknownShape,
                span,
                format!("the length of the vector {name} cannot be told from the sum's bounds"),
            )
            .with_hint(format!("declare {name}: ℝ^N"))),
            SubscriptRef::UndeclaredParameter(name) => Err(Diagnostic::new(
                DiagnosticKind::UnknownShape,
                span,
                format!("{name} is used with subscripts, but its length is not known"),
            )
            .with_hint(format!(
                "declare it, e.g. let {name}: ℝ^2, or name the parameters {name}_1, {name}_2, …"
            ))),
            SubscriptRef::Unresolved => Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                index.span,
                format!("this subscript needs {b} to be a vector"),
            )
            .with_hint(format!("declare {b}: ℝ^n"))),
        }
    }

    fn lower_component(
        &mut self,
        name: &str,
        base_span: Span,
        indices: &[Index<'_>],
        index_span: Span,
    ) -> Result<Id, Diagnostic> {
        let s = self.symbol_for(name, base_span)?;
        let container = self.pool.symbol_expr(s);
        let shape = self.pool.shape(container).clone();
        let is_vector = shape.cols.is_one();
        let needed = if is_vector { 1 } else { 2 };
        if indices.len() != needed {
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                index_span,
                format!("{name} is {shape}: an entry of it needs {needed} indices"),
            )
            .with_hint(format!("write {name}_{{ij}}, e.g. {name}_{{12}}")));
        }
        // `k < indices.len() == needed ≤ 2` below, so `dims[k]` is in range.
        let dims = [shape.rows.clone(), shape.cols.clone()];
        let mut ids = Vec::with_capacity(needed);
        for (k, idx) in indices.iter().enumerate() {
            let (id, span) = match idx {
                Index::Expr(x) => (self.lower_scalar(x, "an index")?, x.span),
                Index::Name(n, sp) => (self.lower_name(n, *sp)?, *sp),
                Index::Number(v, sp) => (self.pool.num(Number::int(*v as i64)), *sp),
            };
            if let Some(n) = self.pool.as_number(id) {
                let ok = n.is_integer()
                    && !n.is_negative()
                    && !n.is_zero()
                    && match (dims[k].as_known(), n.to_i64()) {
                        (Some(d), Some(v)) => u64::try_from(v).is_ok_and(|v| v <= d),
                        (Some(_), None) => false,
                        (None, _) => true,
                    };
                if !ok {
                    let what = if is_vector {
                        "entries"
                    } else if k == 0 {
                        "rows"
                    } else {
                        "columns"
                    };
                    return Err(Diagnostic::new(
                        DiagnosticKind::ShapeMismatch,
                        span,
                        format!(
                            "the index {} is out of range: {name} has {} {what}",
                            n, dims[k]
                        ),
                    )
                    .with_hint("indices count from 1"));
                }
            }
            ids.push(id);
        }
        Ok(self.pool.component(container, &ids))
    }

    fn lower_binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<Id, Diagnostic> {
        let a = self.lower(lhs)?;
        let b = self.lower(rhs)?;
        let (sa, sb) = (self.pool.shape(a).clone(), self.pool.shape(b).clone());
        if matches!(op, BinaryOp::Div | BinaryOp::HadamardDiv) && self.pool.is_zero(b) {
            return Err(zero_denominator(rhs, "this denominator"));
        }
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Hadamard => {
                if sa != sb {
                    let message = match op {
                        BinaryOp::Add => format!("cannot add {sa} and {sb}"),
                        BinaryOp::Sub => format!("cannot subtract {sb} from {sa}"),
                        _ => format!("an elementwise product needs one shape, not {sa} and {sb}"),
                    };
                    let hint = self
                        .declare_hint(lhs, rhs, sb.clone(), sa.clone(), true)
                        .or_else(|| scalar_with_array_hint(op, &sa, &sb));
                    return Err(mismatch(message, (lhs, &sa), (rhs, &sb), hint));
                }
                Ok(match op {
                    BinaryOp::Add => self.pool.add(&[a, b]),
                    BinaryOp::Sub => self.pool.sub(a, b),
                    _ => self.pool.hadamard(&[a, b]),
                })
            }
            BinaryOp::Mul => {
                if sa.product(&sb).is_none() {
                    let message = format!(
                        "the inner dimensions {} and {} of this product differ",
                        sa.cols, sb.rows
                    );
                    let hint = if sa.is_column() && sb.is_column() && sa.rows == sb.rows {
                        let (l, r) = (
                            written_name(lhs).unwrap_or_else(|| "x".into()),
                            written_name(rhs).unwrap_or_else(|| "y".into()),
                        );
                        Some(format!(
                            "for the inner product write {l}ᵀ{r}, for the outer product {l}{r}ᵀ"
                        ))
                    } else {
                        self.declare_hint(
                            lhs,
                            rhs,
                            Shape::matrix(sa.rows.clone(), sb.rows.clone()),
                            Shape::matrix(sa.cols.clone(), sb.cols.clone()),
                            false,
                        )
                    };
                    return Err(mismatch(message, (lhs, &sa), (rhs, &sb), hint));
                }
                Ok(self.pool.mul(&[a, b]))
            }
            BinaryOp::Div if sb.is_scalar() => Ok(self.pool.div(a, b)),
            // By a vector: entrywise, as `⊘` (`1/x`, `y/x`).
            BinaryOp::Div if sb.is_column() && (sa.is_scalar() || sa == sb) => {
                Ok(self.elementwise_quotient(a, b))
            }
            BinaryOp::Div => Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                rhs.span,
                format!("can only divide by a scalar or entrywise by a vector of the same shape, but {}", describe(rhs, &sb)),
            )
            .with_hint("for an inverse write A⁻¹b; for entrywise division write A ⊘ B")),
            BinaryOp::HadamardDiv if sb.is_scalar() => Ok(self.pool.div(a, b)),
            BinaryOp::HadamardDiv => {
                if !(sa.is_scalar() || sa == sb) {
                    let message =
                        format!("an elementwise quotient needs one shape, not {sa} and {sb}");
                    let hint = self.declare_hint(lhs, rhs, sb.clone(), sa.clone(), true);
                    return Err(mismatch(message, (lhs, &sa), (rhs, &sb), hint));
                }
                Ok(self.elementwise_quotient(a, b))
            }
            BinaryOp::Pow => self.lower_pow((lhs, a, &sa), (rhs, b, &sb)),
            BinaryOp::Kron => Ok(self.pool.kron(a, b)),
        }
    }

    /// `a ⊘ b`: `a` (of `b`'s shape, or a scalar) times `b`'s entrywise reciprocal.
    fn elementwise_quotient(&mut self, a: Id, b: Id) -> Id {
        let reciprocal = self.pool.hadamard_pow(b, &Number::int(-1));
        if self.pool.is_scalar(a) {
            self.pool.mul(&[a, reciprocal])
        } else {
            self.pool.hadamard(&[a, reciprocal])
        }
    }

    /// "declare x: …" naming the operand whose declaration would fix a conflict: an undeclared
    /// one first, else (unless `only_undeclared`) the right operand, else the left.
    fn declare_hint(
        &self,
        lhs: &Expr,
        rhs: &Expr,
        lhs_fix: Shape,
        rhs_fix: Shape,
        only_undeclared: bool,
    ) -> Option<String> {
        let inferred = |e: &Expr| {
            let name = written_name(e)?;
            let s = self.pool.lookup(&name)?;
            (self.pool.symbol(s).origin == SymbolOrigin::Inferred).then_some(name)
        };
        let (name, fix) = if let Some(n) = inferred(rhs) {
            (n, rhs_fix)
        } else if let Some(n) = inferred(lhs) {
            (n, lhs_fix)
        } else if only_undeclared {
            return None;
        } else if let Some(n) = written_name(rhs) {
            (n, rhs_fix)
        } else {
            (written_name(lhs)?, lhs_fix)
        };
        Some(format!("declare {name}: {fix}"))
    }

    fn lower_pow(
        &mut self,
        (base, b, sb): (&Expr, Id, &Shape),
        (exp, k, sk): (&Expr, Id, &Shape),
    ) -> Result<Id, Diagnostic> {
        if !sk.is_scalar() {
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                exp.span,
                format!("an exponent must be a scalar, but {}", describe(exp, sk)),
            ));
        }
        let number = self.pool.as_number(k).cloned();
        if let Some(n) = number.as_ref().filter(|n| n.is_integer()) {
            let max = self.pool.limits.max_exponent;
            if n.to_i64().is_none_or(|v| v.unsigned_abs() > max) {
                return Err(Diagnostic::new(
                    DiagnosticKind::LimitExceeded,
                    exp.span,
                    format!("the exponent {} is beyond the limit of ±{max}", n),
                )
                .with_hint("exact powers are computed only for exponents up to the limit"));
            }
        }
        if self.pool.is_zero(b) && number.as_ref().is_some_and(Number::is_negative) {
            return Err(zero_denominator(base, "this base of a negative power"));
        }
        if sb.is_scalar() {
            return Ok(self.pool.pow(b, k));
        }
        if sb.is_square() {
            if number.as_ref().is_some_and(Number::is_integer) {
                return Ok(self.pool.pow(b, k));
            }
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                exp.span,
                format!(
                    "a power of a matrix needs an integer exponent ({})",
                    describe(base, sb)
                ),
            ));
        }
        let x = written_name(base).unwrap_or_else(|| "x".into());
        Err(Diagnostic::new(
            DiagnosticKind::ShapeMismatch,
            base.span,
            format!(
                "only scalars and square matrices have powers, but {}",
                describe(base, sb)
            ),
        )
        .with_primary_message(describe(base, sb))
        .with_label(exp.span, "the exponent")
        .with_hint(format!(
            "for a vector use {x}ᵀ{x} or ‖{x}‖², for elementwise use {x} ⊙ {x}"
        )))
    }

    fn lower_postfix(&mut self, op: PostfixOp, operand: &Expr) -> Result<Id, Diagnostic> {
        let a = self.lower(operand)?;
        match op {
            PostfixOp::Transpose => Ok(self.pool.transpose(a)),
            PostfixOp::PseudoInverse => Ok(self.pool.apply(Func::Pinv, &[a])),
            PostfixOp::Inverse => {
                let s = self.pool.shape(a);
                if !s.is_square() {
                    return Err(Diagnostic::new(
                        DiagnosticKind::ShapeMismatch,
                        operand.span,
                        format!(
                            "only a square matrix has an inverse, but {}",
                            describe(operand, s)
                        ),
                    )
                    .with_hint("for a non-square matrix use the pseudo-inverse A⁺"));
                }
                if self.pool.is_zero(a) {
                    return Err(zero_denominator(operand, "this inverse's argument"));
                }
                Ok(self.pool.inverse(a))
            }
        }
    }

    fn lower_matrix(&mut self, rows: &[Vec<Expr>], span: Span) -> Result<Id, Diagnostic> {
        let row_span = |row: &[Expr]| match (row.first(), row.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => span,
        };
        let Some(first) = rows.first().filter(|r| !r.is_empty()) else {
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                span,
                "a matrix needs at least one entry",
            ));
        };
        let cols = first.len();
        for (i, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(Diagnostic::new(
                    DiagnosticKind::ShapeMismatch,
                    row_span(row),
                    format!(
                        "row {} has {} entries, but row 1 has {cols}",
                        i + 1,
                        row.len()
                    ),
                )
                .with_primary_message(format!("{} entries", row.len()))
                .with_label(row_span(first), format!("{cols} entries"))
                .with_hint("every row of a matrix needs the same number of entries"));
            }
        }
        let too_big = || {
            Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                span,
                "this matrix is too large",
            )
        };
        let r = u32::try_from(rows.len()).map_err(|_| too_big())?;
        let c = u32::try_from(cols).map_err(|_| too_big())?;
        let mut entries = Vec::with_capacity(rows.len() * cols);
        for entry in rows.iter().flatten() {
            let id = self.lower(entry)?;
            let s = self.pool.shape(id);
            if !s.is_scalar() {
                return Err(Diagnostic::new(
                    DiagnosticKind::Unsupported,
                    entry.span,
                    "block matrices are not supported yet",
                )
                .with_primary_message(describe(entry, s))
                .with_hint("write every entry of a matrix as a scalar"));
            }
            entries.push(id);
        }
        Ok(self.pool.matrix(r, c, entries))
    }

    /// Is this id a variable one can differentiate with respect to (a symbol or an entry)?
    pub(super) fn is_variable(&self, id: Id) -> bool {
        match self.pool.node(id) {
            Node::Sym(s) => self.pool.symbol(*s).origin != SymbolOrigin::SumIndex,
            Node::Component(c, _) => matches!(self.pool.node(*c), Node::Sym(_)),
            _ => false,
        }
    }
}

/// The hint for a scalar added to (or multiplied entrywise with) a vector or matrix.
fn scalar_with_array_hint(op: BinaryOp, sa: &Shape, sb: &Shape) -> Option<String> {
    if sa.is_scalar() == sb.is_scalar() {
        return None;
    }
    let array = if sa.is_scalar() { sb } else { sa };
    Some(match op {
        BinaryOp::Hadamard => "a scalar multiplies every entry without ⊙: write 2x, not 2 ⊙ x".into(),
        _ if array.is_column() => {
            "to add a scalar to every entry, multiply it by the ones vector: 1 + x becomes 𝟙 + x, c + x becomes c𝟙 + x".into()
        }
        _ => "a scalar is not added to a matrix: write cI to add c to its diagonal".into(),
    })
}

/// A division by zero (`1/0`, `x/(x − x)`, `0⁻¹`): undefined wherever it is evaluated.
fn zero_denominator(at: &Expr, what: &str) -> Diagnostic {
    Diagnostic::new(
        DiagnosticKind::Undefined,
        at.span,
        format!("division by zero: {what} is 0"),
    )
    .with_hint("the expression is undefined at every point; check the denominator")
}
