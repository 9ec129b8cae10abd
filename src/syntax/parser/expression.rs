//! Operator precedence, loosest to tightest: `at` < `+ −` < products (juxtaposition, `*`, `·`,
//! `×`, `/`, `⊙`, `⊗`, all left-associative) < unary `−`/`+` < power and postfix (`^`,
//! superscripts, `ᵀ`, `'`, `⁻¹`, `⁺`; `^` is right-associative) < atoms.

use super::cursor::{PResult, Parser};
use super::lexical::{Kind, Op, Script, Token};
use super::names;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, PostfixOp, UnaryOp};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};

/// Sums of fewer terms than this fold to the left exactly as written; longer ones are balanced.
const LINEAR_TERMS: usize = 32;

impl<'a> Parser<'a, '_> {
    /// A whole input that must be exactly one expression.
    pub fn whole_expression(&mut self) -> PResult<Expr> {
        self.skip_newlines();
        let expr = self.expr()?;
        self.skip_newlines();
        if !self.at_end() {
            return Err(self.expected("an operator or the end of the expression"));
        }
        Ok(expr)
    }

    /// An expression with an optional trailing `at x = …`.
    pub fn expr(&mut self) -> PResult<Expr> {
        let body = self.additive()?;
        if self.at_word("at") {
            self.bump();
            let bindings = self.bindings()?;
            let span = self.span_from(body.span.start as usize);
            return self.node(
                ExprKind::At {
                    body: Box::new(body),
                    bindings,
                },
                span,
            );
        }
        Ok(body)
    }

    /// Sums and differences. The terms do not add up against the chain limit: each is parsed
    /// from the chain's own count, and the chain is then charged its height above its tallest
    /// term; a long chain is built as a balanced tree (see [`Parser::fold_terms`]), so a sum of
    /// thousands of terms stays shallow.
    pub fn additive(&mut self) -> PResult<Expr> {
        let base = self.links;
        let first = self.product()?;
        let mut tallest = self.links - base;
        let mut rest = Vec::new();
        while let Some(tok) = self.peek().cloned() {
            let op = if tok.is_op(Op::Plus) {
                BinaryOp::Add
            } else if tok.is_op(Op::Minus) {
                BinaryOp::Sub
            } else {
                break;
            };
            // In a matrix row, `[1 −2]` is two entries: a sign after a space and glued to its
            // operand starts a new entry.
            if self.matrix_row
                && tok.space_before
                && self.peek_at(1).is_some_and(|next| !next.space_before)
            {
                break;
            }
            self.bump();
            self.links = base;
            let term = self.product()?;
            tallest = tallest.max(self.links - base);
            rest.push((op, term));
        }
        self.links = base + tallest;
        let (sum, height) = self.fold_terms(first, rest)?;
        self.charge(height)?;
        Ok(sum)
    }

    /// Builds `first op₁ t₁ op₂ t₂ …` (each `op` a `+` or `−`) and returns it with its height
    /// above its terms. Up to [`LINEAR_TERMS`] terms fold to the left as written; longer
    /// chains split in the middle, `left ± (right)`, the right part's later signs flipped when
    /// it is subtracted — the same value, at logarithmic height.
    fn fold_terms(&mut self, first: Expr, rest: Vec<(BinaryOp, Expr)>) -> PResult<(Expr, usize)> {
        if rest.len() < LINEAR_TERMS {
            let height = rest.len();
            let mut sum = first;
            for (op, term) in rest {
                let span = sum.span.to(term.span);
                sum = self.node(binary(op, sum, term), span)?;
            }
            return Ok((sum, height));
        }
        let mut rest = rest;
        let mut right = rest.split_off(rest.len() / 2);
        let (op, right_first) = right.remove(0);
        if op == BinaryOp::Sub {
            for (later, _) in &mut right {
                *later = match later {
                    BinaryOp::Add => BinaryOp::Sub,
                    _ => BinaryOp::Add,
                };
            }
        }
        let (left, left_height) = self.fold_terms(first, rest)?;
        let (right, right_height) = self.fold_terms(right_first, right)?;
        let span = left.span.to(right.span);
        let sum = self.node(binary(op, left, right), span)?;
        Ok((sum, 1 + left_height.max(right_height)))
    }

    /// Products, quotients, `⊙` and `⊗`, explicit or by juxtaposition.
    pub fn product(&mut self) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some(tok) = self.peek().cloned() {
            let op = match tok.kind {
                Kind::Op(Op::Times) if tok.script == Script::Normal => Some(BinaryOp::Mul),
                Kind::Op(Op::Slash) if tok.script == Script::Normal => Some(BinaryOp::Div),
                Kind::Op(Op::Hadamard) => Some(BinaryOp::Hadamard),
                Kind::Op(Op::HadamardDiv) => Some(BinaryOp::HadamardDiv),
                Kind::Op(Op::Kron) => Some(BinaryOp::Kron),
                _ => None,
            };
            if op.is_some() || self.starts_factor(&tok) {
                self.link()?;
            }
            let rhs = match op {
                Some(op) => {
                    self.bump();
                    (op, self.unary()?)
                }
                None if self.starts_factor(&tok) => (BinaryOp::Mul, self.power()?),
                None => break,
            };
            let span = lhs.span.to(rhs.1.span);
            lhs = self.node(binary(rhs.0, lhs, rhs.1), span)?;
        }
        Ok(lhs)
    }

    /// Can `tok` begin a factor multiplied by juxtaposition?
    fn starts_factor(&self, tok: &Token<'_>) -> bool {
        if tok.script != Script::Normal || (self.matrix_row && tok.space_before) {
            return false;
        }
        match tok.kind {
            Kind::Ident => !names::is_clause_keyword(&tok.text),
            Kind::Number | Kind::Vulgar(..) => true,
            Kind::Command => !matches!(&*tok.text, "end" | "rVert" | "rvert"),
            Kind::Op(op) => match op {
                Op::LParen
                | Op::LBracket
                | Op::LBrace
                | Op::Sqrt
                | Op::Sum
                | Op::Nabla
                | Op::Partial
                | Op::Ones => true,
                Op::Bar => self.bars == 0,
                // Inside `|…|` an ASCII `||` closes (`|x − |y||`).
                Op::NormBar => self.norms == 0 && (self.bars == 0 || tok.text != "||"),
                _ => false,
            },
            Kind::Newline | Kind::RowSep => false,
        }
    }

    /// Unary minus and plus: `−x²` is `−(x²)`.
    pub fn unary(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek() else {
            return Err(self.expected("an expression"));
        };
        let op = if tok.is_op(Op::Minus) {
            UnaryOp::Neg
        } else if tok.is_op(Op::Plus) {
            UnaryOp::Plus
        } else {
            return self.power();
        };
        let start = tok.span.start as usize;
        self.bump();
        self.nested(|p| {
            let operand = p.unary()?;
            let span = p.span_from(start);
            p.node(
                ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
                span,
            )
        })
    }

    /// An atom followed by any powers and postfix operators.
    pub fn power(&mut self) -> PResult<Expr> {
        self.nested(|p| {
            let atom = p.atom()?;
            p.postfix(atom)
        })
    }

    /// Applies the postfix operators that follow `base`.
    pub fn postfix(&mut self, mut base: Expr) -> PResult<Expr> {
        while let Some(tok) = self.peek().cloned() {
            let start = base.span.start as usize;
            let is_postfix = tok.is_op(Op::Transpose)
                || tok.is_op(Op::Prime) && !tok.space_before
                || tok.script == Script::Super && !tok.space_before
                || tok.is_op(Op::Caret);
            if is_postfix {
                self.link()?;
            }
            let transpose = tok.is_op(Op::Transpose);
            if transpose || tok.is_op(Op::Prime) && !tok.space_before {
                self.bump();
                base = self.postfix_op(PostfixOp::Transpose, base, start)?;
            } else if tok.script == Script::Super && !tok.space_before {
                base = self.superscript(base)?;
            } else if tok.is_op(Op::Caret) {
                self.bump();
                base = self.caret(base)?;
            } else {
                break;
            }
        }
        Ok(base)
    }

    pub(super) fn postfix_op(&mut self, op: PostfixOp, base: Expr, start: usize) -> PResult<Expr> {
        let span = self.span_from(start);
        self.node(
            ExprKind::Postfix {
                op,
                operand: Box::new(base),
            },
            span,
        )
    }

    fn power_of(&mut self, base: Expr, exponent: Expr) -> PResult<Expr> {
        let span = base
            .span
            .to(exponent.span)
            .to(self.span_from(base.span.start as usize));
        self.node(binary(BinaryOp::Pow, base, exponent), span)
    }

    /// A run of superscript characters after `base`: `x²`, `xⁿ⁻¹`, `A⁻¹`, `A⁺`.
    fn superscript(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span.start as usize;
        let run = self.script_run(Script::Super);
        let texts: Vec<&str> = run.iter().map(|t| &*t.text).collect();
        match texts.as_slice() {
            ["-", "1"] => return self.postfix_op(PostfixOp::Inverse, base, start),
            ["+"] => return self.postfix_op(PostfixOp::PseudoInverse, base, start),
            _ => {}
        }
        // `X⁻ᵀ`: the inverse transposed.
        let transpose_follows = self
            .peek()
            .is_some_and(|t| t.is_op(Op::Transpose) && !t.space_before);
        if texts.as_slice() == ["-"] && transpose_follows {
            self.bump();
            let inverse = self.postfix_op(PostfixOp::Inverse, base, start)?;
            return self.postfix_op(PostfixOp::Transpose, inverse, start);
        }
        let exponent = self.script_expr(run)?;
        self.power_of(base, exponent)
    }

    /// What follows `^`: `T`, `\top`, `{-1}`, `-1`, `+`, `{…}`, `(…)` or a single factor.
    fn caret(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span.start as usize;
        if let Some((ops, len)) = self.caret_marker() {
            for _ in 0..len {
                self.bump();
            }
            let mut applied = base;
            for &op in ops {
                applied = self.postfix_op(op, applied, start)?;
            }
            return Ok(applied);
        }
        if self.split_transpose_run() {
            return self.postfix_op(PostfixOp::Transpose, base, start);
        }
        let exponent = if self.at_op(Op::LBrace) {
            self.brace_group()?
        } else if self.at_op(Op::Minus) {
            self.unary()?
        } else if self.peek().is_some_and(|t| t.kind == Kind::Number) {
            // `2^3^2` is `2^(3^2)`: the exponent takes its own powers.
            self.nested(|p| {
                let number = p.number_atom()?;
                p.postfix(number)
            })?
        } else {
            self.power()?
        };
        self.power_of(base, exponent)
    }

    /// `x^Tx`, `A^TA`: a run starting with `T` right after `^` is a transpose followed by the
    /// rest of the run (unless the whole run is a declared name).
    fn split_transpose_run(&mut self) -> bool {
        let Some(tok) = self.peek().cloned() else {
            return false;
        };
        let splits = tok.kind == Kind::Ident
            && tok.script == Script::Normal
            && tok.text.starts_with('T')
            && tok.text.len() > 1
            && !self.names.is_variable(&tok.text)
            && !self.names.is_function(&tok.text);
        if !splits {
            return false;
        }
        self.bump();
        let start = tok.span.start as usize + 1;
        self.last_end = start;
        self.push_front(vec![Token {
            text: tok.text.get(1..).unwrap_or("").to_string().into(),
            span: crate::syntax::span::Span::new(start, tok.span.end as usize),
            space_before: false,
            ..tok
        }]);
        true
    }

    /// Recognises `^T`, `^\top`, `^{T}`, `^{\top}`, `^-1`, `^{-1}`, `^-T`, `^{-T}`, `^+`, `^{+}`,
    /// returning the operators (applied in order) and how many tokens they span.
    fn caret_marker(&self) -> Option<(&'static [PostfixOp], usize)> {
        let texts: Vec<(Kind, &str)> = (0..4)
            .filter_map(|i| self.peek_at(i).map(|t| (t.kind, &*t.text)))
            .collect();
        let is_t =
            |k: &(Kind, &str)| matches!(k, (Kind::Ident, "T") | (Kind::Op(Op::Transpose), _));
        let first = texts.first()?;
        if is_t(first) {
            return Some((&[PostfixOp::Transpose], 1));
        }
        let braced = first.0 == Kind::Op(Op::LBrace);
        let inner = if braced { texts.get(1..)? } else { &texts[..] };
        let (op, len): (&'static [PostfixOp], usize) = match inner {
            [t, ..] if is_t(t) => (&[PostfixOp::Transpose], 1),
            [(Kind::Op(Op::Minus), _), (Kind::Number, "1"), ..] => (&[PostfixOp::Inverse], 2),
            // `X^{-T}`, `X^-T`: the inverse transposed.
            [(Kind::Op(Op::Minus), _), t, ..] if is_t(t) => {
                (&[PostfixOp::Inverse, PostfixOp::Transpose], 2)
            }
            [(Kind::Op(Op::Plus), _), ..] => (&[PostfixOp::PseudoInverse], 1),
            [(Kind::Command, "dagger"), ..] => (&[PostfixOp::PseudoInverse], 1),
            _ => return None,
        };
        if braced {
            let close = inner.get(len)?;
            (close.0 == Kind::Op(Op::RBrace)).then_some((op, len + 2))
        } else {
            // `x^-12` is a power, not an inverse.
            let next_is_digit = texts.get(len).is_some_and(|t| {
                t.0 == Kind::Number && self.peek_at(len).is_some_and(|n| !n.space_before)
            });
            (!next_is_digit).then_some((op, len))
        }
    }

    /// Consumes the adjacent run of `script` tokens, merging neighbouring digits.
    pub fn script_run(&mut self, script: Script) -> Vec<Token<'a>> {
        let mut run: Vec<Token<'a>> = Vec::new();
        while self
            .peek()
            .is_some_and(|t| t.script == script && !t.space_before)
        {
            let Some(tok) = self.bump() else { break };
            match run.last_mut() {
                Some(prev) if prev.kind == Kind::Number && tok.kind == Kind::Number => {
                    let mut text = prev.text.to_string();
                    text.push_str(&tok.text);
                    prev.text = text.into();
                    prev.span = prev.span.to(tok.span);
                }
                _ => run.push(tok),
            }
        }
        run
    }

    /// Parses a run of script tokens as an ordinary expression.
    pub fn script_expr(&mut self, run: Vec<Token<'a>>) -> PResult<Expr> {
        let tokens: Vec<Token<'a>> = run
            .into_iter()
            .map(|mut t| {
                t.script = Script::Normal;
                t.space_before = false;
                t
            })
            .collect();
        let first = tokens.first().map(|t| t.span);
        let mut sub = self.sub(tokens);
        let result = sub.nested(|p| p.additive());
        self.absorb(&sub);
        let expr = result?;
        if !sub.at_end() {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                sub.here(),
                "this superscript or subscript is not an expression",
            )
            .with_label(first.unwrap_or_else(|| sub.here()), "it starts here"));
        }
        Ok(expr)
    }
}

/// A binary node's kind.
pub(super) fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> ExprKind {
    ExprKind::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}
