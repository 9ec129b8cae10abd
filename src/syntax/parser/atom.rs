//! Atoms: numbers, names (with subscripts), calls, parentheses, matrices, norms, absolute values,
//! square roots and sums.

use super::cursor::{describe, PResult, Parser};
use super::expression::binary;
use super::lexical::{Kind, Op, Script, Token};
use super::names;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, NormKind, PostfixOp};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// Longest number literal read exactly, in characters: room for every number an expression may
/// hold (`Pool::limits.max_number_bits`, 65,536 bits, is 19,729 decimal digits), so whatever
/// nabla prints reads back.
const MAX_NUMBER_LEN: usize = 20_000;

/// Largest |exponent| of a number literal (`1e400`).
const MAX_EXPONENT: u64 = 400;

impl<'a> Parser<'a, '_> {
    /// One atom.
    pub fn atom(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("an expression"));
        };
        if tok.script != Script::Normal {
            return Err(self.expected("an expression"));
        }
        match tok.kind {
            Kind::Number => self.number_atom(),
            Kind::Vulgar(n, d) => {
                self.bump();
                let num = self.node(
                    ExprKind::Number(BigRational::from_integer(n.into())),
                    tok.span,
                )?;
                let den = self.node(
                    ExprKind::Number(BigRational::from_integer(d.into())),
                    tok.span,
                )?;
                self.node(binary(BinaryOp::Div, num, den), tok.span)
            }
            Kind::Ident => self.name_atom(),
            Kind::Command => self.command_atom(),
            Kind::Op(op) => self.op_atom(op, &tok),
            Kind::Newline | Kind::RowSep => Err(self.expected("an expression")),
        }
    }

    fn op_atom(&mut self, op: Op, tok: &Token<'a>) -> PResult<Expr> {
        match op {
            Op::LParen => self.paren(),
            Op::LBrace => self.brace_group(),
            Op::LBracket => self.matrix(),
            Op::NormBar => self.norm(),
            Op::Bar => self.abs(),
            Op::Sqrt => {
                self.bump();
                let operand = self.power()?;
                let span = self.span_from(tok.span.start as usize);
                self.node(ExprKind::Sqrt(Box::new(operand)), span)
            }
            Op::Ones => {
                self.bump();
                self.node(ExprKind::Ones, tok.span)
            }
            Op::Sum => {
                self.bump();
                self.sum_symbol(tok.span.start as usize)
            }
            Op::Nabla => self.nabla(),
            Op::Partial => self.partial(),
            _ => {
                let mut diag = self.expected("an expression");
                if op == Op::Equals {
                    diag = diag.with_hint("a relation `=` belongs in a `claim` or a definition");
                } else if op == Op::Reals {
                    diag = diag.with_hint("`ℝ` belongs in a type, like `let x: ℝ^n`");
                }
                Err(diag)
            }
        }
    }

    /// A number literal, exact: `0.2` is 1/5, `1e-3` is 1/1000.
    pub fn number_atom(&mut self) -> PResult<Expr> {
        let Some(tok) = self.bump() else {
            return Err(self.expected("a number"));
        };
        let value = exact_number(&tok.text).ok_or_else(|| {
            Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                tok.span,
                format!("number literals are limited to {MAX_NUMBER_LEN} characters and exponents to ±{MAX_EXPONENT}"),
            )
        })?;
        self.node(ExprKind::Number(value), tok.span)
    }

    /// `( expr )`: the span includes the parentheses.
    pub fn paren(&mut self) -> PResult<Expr> {
        let open = self.expect_op(Op::LParen, "`(`")?;
        let inner = self.enclosed(|p| p.expr())?;
        if self.at_op(Op::Comma) {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                self.here(),
                "a list in parentheses needs a function in front of it",
            )
            .with_label(open, "this parenthesis is not a call")
            .with_hint(
                "define the function first (`f(x, y) = …`) or use a built-in like `norm(v, 1)`",
            ));
        }
        if self.eat_op(Op::RParen).is_none() {
            return Err(self.unterminated(")", open, "close the parenthesis with `)`"));
        }
        Ok(Expr {
            kind: inner.kind,
            span: self.span_from(open.start as usize),
        })
    }

    /// `{ expr }` (a LaTeX group).
    pub fn brace_group(&mut self) -> PResult<Expr> {
        let open = self.expect_op(Op::LBrace, "`{`")?;
        let inner = self.enclosed(|p| p.expr())?;
        if self.eat_op(Op::RBrace).is_none() {
            return Err(self.unterminated("}", open, "close the group with `}`"));
        }
        Ok(Expr {
            kind: inner.kind,
            span: self.span_from(open.start as usize),
        })
    }

    /// `[4 1; 1 2]`: entries separated by spaces or commas, rows by `;` or line breaks.
    fn matrix(&mut self) -> PResult<Expr> {
        let open = self.expect_op(Op::LBracket, "`[`")?;
        let rows = self.enclosed(|p| {
            p.matrix_row = true;
            let mut rows: Vec<(Vec<Expr>, Span)> = Vec::new();
            let mut row: Vec<Expr> = Vec::new();
            let mut row_start = p.start();
            while let Some(tok) = p.peek().cloned() {
                if tok.is_op(Op::RBracket) {
                    break;
                }
                if tok.is_op(Op::Semicolon) || tok.kind == Kind::RowSep {
                    p.bump();
                    if !row.is_empty() {
                        rows.push((std::mem::take(&mut row), p.span_from(row_start)));
                    }
                    row_start = p.start();
                    continue;
                }
                if tok.is_op(Op::Comma) && !row.is_empty() {
                    p.bump();
                    continue;
                }
                if row.is_empty() {
                    row_start = p.start();
                }
                row.push(p.additive()?);
            }
            if !row.is_empty() {
                rows.push((row, p.span_from(row_start)));
            }
            Ok(rows)
        })?;
        if self.eat_op(Op::RBracket).is_none() {
            return Err(self.unterminated("]", open, "close the matrix with `]`"));
        }
        let span = self.span_from(open.start as usize);
        if rows.is_empty() {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                span,
                "a matrix needs at least one entry",
            )
            .with_hint("write a matrix like `[1 2; 3 4]` or a column like `[1; 2]`"));
        }
        check_rows(&rows)?;
        self.node(
            ExprKind::Matrix(rows.into_iter().map(|(r, _)| r).collect()),
            span,
        )
    }

    /// `‖v‖`, `‖v‖₂`, `‖v‖₁`, `‖X‖_F`, `||v||`, `\|v\|_2`, `\lVert v \rVert`.
    pub fn norm(&mut self) -> PResult<Expr> {
        let Some(open) = self.bump() else {
            return Err(self.expected("`‖`"));
        };
        let inner = self.enclosed(|p| {
            p.norms = 1;
            p.expr()
        })?;
        let closed = self.at_op(Op::NormBar) || self.at_command("rVert");
        if !closed {
            return Err(self.unterminated("‖", open.span, "close the norm with `‖`"));
        }
        self.bump();
        // LaTeX allows the power before the index: `\|x\|^2_2`.
        let power = self.power_before_index();
        let kind = self.norm_kind()?;
        let span = self.span_from(open.span.start as usize);
        self.push_front(power);
        self.node(
            ExprKind::Norm {
                kind,
                arg: Box::new(inner),
            },
            span,
        )
    }

    /// Takes `^2`, `^{2}` or `²` when an index (`_2`, `₂`) follows it, to be put back after the
    /// index is read.
    fn power_before_index(&mut self) -> Vec<Token<'a>> {
        // `‖v‖²₂`: a superscript run, then a subscript.
        let mut k = 0;
        while self
            .peek_at(k)
            .is_some_and(|t| t.script == Script::Super && !t.space_before)
        {
            k += 1;
        }
        if k > 0 {
            let index_follows = self
                .peek_at(k)
                .is_some_and(|t| t.script == Script::Sub && !t.space_before);
            if !index_follows {
                return Vec::new();
            }
            return (0..k).filter_map(|_| self.bump()).collect();
        }
        if !self.at_op(Op::Caret) {
            return Vec::new();
        }
        let braced = self.peek_at(1).is_some_and(|t| t.is_op(Op::LBrace));
        let len = if braced { 4 } else { 2 };
        let shape_ok = !braced || self.peek_at(3).is_some_and(|t| t.is_op(Op::RBrace));
        let index_follows = self.peek_at(len).is_some_and(|t| t.is_op(Op::Underscore));
        if !shape_ok || !index_follows {
            return Vec::new();
        }
        (0..len).filter_map(|_| self.bump()).collect()
    }

    /// The subscript after a norm's closing bar, if any.
    fn norm_kind(&mut self) -> PResult<NormKind> {
        let tok = if self.at_script(Script::Sub) && self.peek().is_some_and(|t| !t.space_before) {
            self.bump()
        } else if self.at_op(Op::Underscore) {
            self.bump();
            if self.at_op(Op::LBrace) {
                self.bump();
                let t = self.bump();
                self.expect_op(Op::RBrace, "`}` after the norm's subscript")?;
                t
            } else {
                self.bump()
            }
        } else {
            return Ok(NormKind::Two);
        };
        let Some(tok) = tok else {
            return Err(self.expected("`1`, `2` or `F` after the norm"));
        };
        norm_kind_of(&tok)
    }

    /// `|t|`, `\lvert t \rvert`.
    pub fn abs(&mut self) -> PResult<Expr> {
        let Some(open) = self.bump() else {
            return Err(self.expected("`|`"));
        };
        let inner = self.enclosed(|p| {
            p.bars = 1;
            p.expr()
        })?;
        self.split_double_bar();
        let closed = self.at_op(Op::Bar) || self.at_command("rvert");
        if !closed {
            return Err(self.unterminated("|", open.span, "close the absolute value with `|`"));
        }
        self.bump();
        let span = self.span_from(open.span.start as usize);
        self.node(ExprKind::Abs(Box::new(inner)), span)
    }

    /// An ASCII `||` where an absolute value closes is two bars: `|x − |y||`.
    fn split_double_bar(&mut self) {
        let is_double = self
            .peek()
            .is_some_and(|t| t.is_op(Op::NormBar) && t.text == "||");
        if !is_double {
            return;
        }
        if let Some(tok) = self.bump() {
            let start = tok.span.start as usize;
            let bar = |s: usize, space_before: bool| Token {
                kind: Kind::Op(Op::Bar),
                text: "|".into(),
                span: Span::new(s, s + 1),
                script: Script::Normal,
                space_before,
            };
            self.push_front(vec![bar(start, tok.space_before), bar(start + 1, false)]);
        }
    }

    /// After `∑` or `\sum`: `_{i=1}^{N} body` or `ᵢ₌₁ᴺ body`.
    pub fn sum_symbol(&mut self, start: usize) -> PResult<Expr> {
        let (index, lower) = if self.at_script(Script::Sub) {
            let run = self.script_run(Script::Sub);
            let tokens = run
                .into_iter()
                .map(|mut t| {
                    t.script = Script::Normal;
                    t
                })
                .collect();
            let mut sub = self.sub(tokens);
            let result = sub.index_equals();
            self.absorb(&sub);
            result?
        } else {
            self.expect_op(Op::Underscore, "`_{i=1}` after the sum sign")?;
            let open = self.expect_op(Op::LBrace, "`{` after `∑_`")?;
            let result = self.enclosed(|p| p.index_equals())?;
            if self.eat_op(Op::RBrace).is_none() {
                return Err(self.unterminated("}", open, "close the sum's range with `}`"));
            }
            result
        };
        let upper = if self.at_script(Script::Super) {
            let run = self.script_run(Script::Super);
            self.script_expr(run)?
        } else {
            self.expect_op(Op::Caret, "`^{N}` after the sum's lower bound")?;
            if self.at_op(Op::LBrace) {
                self.brace_group()?
            } else {
                self.atom()?
            }
        };
        let body = self.product()?;
        let span = self.span_from(start);
        self.node(
            ExprKind::Sum {
                index,
                lower: Box::new(lower),
                upper: Box::new(upper),
                body: Box::new(body),
            },
            span,
        )
    }

    /// `i = 1`: a sum's index and lower bound.
    pub fn index_equals(&mut self) -> PResult<(Ident, Expr)> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("the sum's index, like `i = 1`"));
        };
        if tok.kind != Kind::Ident {
            return Err(self.expected("the sum's index, like `i = 1`"));
        }
        self.bump();
        self.expect_op(Op::Equals, "`=` after the sum's index")?;
        let lower = self.additive()?;
        let name = Ident {
            name: names::canonical_name(&tok.text),
            span: tok.span,
        };
        Ok((name, lower))
    }

    /// The arguments of a call, after the name: `( a, b, … )`.
    pub fn call_args(&mut self) -> PResult<(Vec<Expr>, Span)> {
        let open = self.expect_op(Op::LParen, "`(`")?;
        let args = self.enclosed(|p| {
            let mut args = Vec::new();
            if p.at_op(Op::RParen) {
                return Ok(args);
            }
            loop {
                args.push(p.expr()?);
                if p.eat_op(Op::Comma).is_none() {
                    break;
                }
            }
            Ok(args)
        })?;
        if self.eat_op(Op::RParen).is_none() {
            return Err(self.unterminated(")", open, "close the argument list with `)`"));
        }
        Ok((args, open))
    }

    /// `inv(A)`, `sqrt(x)`, `norm(v, 1)`, `kron(A, B)`, `sum(i = 1..N, …)`: built-ins that are
    /// not plain calls. Returns `None` for plain calls.
    pub fn special_call(&mut self, name: &str, start: usize) -> PResult<Option<Expr>> {
        if name == "sum"
            && self.peek_at(1).is_some_and(|t| t.kind == Kind::Ident)
            && self.peek_at(2).is_some_and(|t| t.is_op(Op::Equals))
        {
            return self.sum_call(start).map(Some);
        }
        let kind = match name {
            "inv" | "pinv" | "sqrt" | "abs" | "norm" | "kron" => name,
            _ => return Ok(None),
        };
        let (mut args, _) = self.call_args()?;
        let span = self.span_from(start);
        let arity = match kind {
            "norm" if args.len() == 2 => 2,
            "kron" => 2,
            _ => 1,
        };
        if args.len() != arity {
            return Err(Diagnostic::new(
                DiagnosticKind::BadArguments,
                span,
                format!("`{kind}` takes {arity} argument(s), found {}", args.len()),
            ));
        }
        let second = if args.len() == 2 { args.pop() } else { None };
        let Some(first) = args.pop() else {
            return Err(self.expected("an argument"));
        };
        let first = Box::new(first);
        let expr = match (kind, second) {
            ("inv", _) => ExprKind::Postfix {
                op: PostfixOp::Inverse,
                operand: first,
            },
            ("pinv", _) => ExprKind::Postfix {
                op: PostfixOp::PseudoInverse,
                operand: first,
            },
            ("sqrt", _) => ExprKind::Sqrt(first),
            ("abs", _) => ExprKind::Abs(first),
            ("kron", Some(second)) => binary(BinaryOp::Kron, *first, second),
            ("norm", second) => ExprKind::Norm {
                kind: match second {
                    None => NormKind::Two,
                    Some(e) => norm_kind_of_expr(&e)?,
                },
                arg: first,
            },
            _ => return Err(self.expected("an argument")),
        };
        self.node(expr, span).map(Some)
    }

    /// `sum(i = 1..N, body)`.
    fn sum_call(&mut self, start: usize) -> PResult<Expr> {
        let open = self.expect_op(Op::LParen, "`(`")?;
        let (index, lower, upper, body) = self.enclosed(|p| {
            let (index, lower) = p.index_equals()?;
            p.expect_op(Op::Range, "`..` between the sum's bounds")?;
            let upper = p.additive()?;
            p.expect_op(Op::Comma, "`,` before the summand")?;
            let body = p.expr()?;
            Ok((index, lower, upper, body))
        })?;
        if self.eat_op(Op::RParen).is_none() {
            return Err(self.unterminated(")", open, "close the sum with `)`"));
        }
        let span = self.span_from(start);
        self.node(
            ExprKind::Sum {
                index,
                lower: Box::new(lower),
                upper: Box::new(upper),
                body: Box::new(body),
            },
            span,
        )
    }
}

fn check_rows(rows: &[(Vec<Expr>, Span)]) -> PResult<()> {
    let Some((first, first_span)) = rows.first() else {
        return Ok(());
    };
    for (row, span) in rows.iter().skip(1) {
        if row.len() != first.len() {
            return Err(Diagnostic::new(
                DiagnosticKind::ShapeMismatch,
                *span,
                format!(
                    "this row has {} entr{} but the first row has {}",
                    row.len(),
                    if row.len() == 1 { "y" } else { "ies" },
                    first.len()
                ),
            )
            .with_label(*first_span, "first row")
            .with_hint("every row of a matrix needs the same number of entries"));
        }
    }
    Ok(())
}

fn norm_kind_of(tok: &Token<'_>) -> PResult<NormKind> {
    match &*tok.text {
        "2" => Ok(NormKind::Two),
        "1" => Ok(NormKind::One),
        "F" | "fro" => Ok(NormKind::Frobenius),
        _ => Err(Diagnostic::new(
            DiagnosticKind::Syntax,
            tok.span,
            format!("unknown norm {}", describe(tok)),
        )
        .with_hint("nabla knows the norms 1, 2 and F (Frobenius)")),
    }
}

fn norm_kind_of_expr(e: &Expr) -> PResult<NormKind> {
    match &e.kind {
        ExprKind::Number(n) if *n == BigRational::from_integer(2.into()) => Ok(NormKind::Two),
        ExprKind::Number(n) if n.is_one() => Ok(NormKind::One),
        ExprKind::Name(s) if s == "F" || s == "fro" => Ok(NormKind::Frobenius),
        _ => Err(Diagnostic::new(
            DiagnosticKind::BadArguments,
            e.span,
            "the second argument of `norm` must be 1, 2 or F",
        )),
    }
}

/// The exact value of a number literal, or `None` if it is too long.
fn exact_number(text: &str) -> Option<BigRational> {
    if text.len() > MAX_NUMBER_LEN {
        return None;
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?.parse::<i64>().ok()?),
        None => (text, 0),
    };
    if exponent.unsigned_abs() > MAX_EXPONENT {
        return None;
    }
    let (whole, frac) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let digits: BigInt = format!("{whole}{frac}").parse().ok()?;
    let scale = exponent - frac.len() as i64;
    let ten = BigInt::from(10);
    let power = num_traits::pow(ten, scale.unsigned_abs() as usize);
    let value = if scale >= 0 {
        BigRational::from_integer(digits * power)
    } else if power.is_zero() {
        return None;
    } else {
        BigRational::new(digits, power)
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::{exact_number, MAX_NUMBER_LEN};
    use num_rational::BigRational;

    #[test]
    fn decimals_are_exact() {
        let fifth = BigRational::new(1.into(), 5.into());
        assert_eq!(exact_number("0.2"), Some(fifth));
        let milli = BigRational::new(1.into(), 1000.into());
        assert_eq!(exact_number("1e-3"), Some(milli));
        assert_eq!(exact_number("1e999999"), None);
        let long = "9".repeat(MAX_NUMBER_LEN);
        assert!(exact_number(&long).is_some());
        assert_eq!(exact_number(&format!("{long}9")), None);
    }
}
