//! Declared types in `let`: `ℝ`, `R`, `\mathbb{R}`, with dimensions `^n`, `ⁿ`, `^(m×n)`,
//! `^{m×n}`, `ᵐˣⁿ`, `^(m x n)`, and the assumptions `symmetric` and `spd`.

use super::cursor::{PResult, Parser};
use super::lexical::{Kind, Op, Script, Token};
use super::names;
use crate::syntax::ast::{DimExpr, Ident, Type, TypeKind};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;

const TYPE_HINT: &str =
    "a type is `ℝ`, `ℝ^n` (a vector) or `ℝ^(m×n)` (a matrix), in ASCII `R`, `R^n`, `R^(m x n)`";

impl Parser<'_, '_> {
    /// A declared type.
    pub fn ty(&mut self) -> PResult<Type> {
        let start = self.start();
        if self.eat_op(Op::Reals).is_none() && self.eat_word("R").is_none() && !self.mathbb_r()? {
            return Err(self
                .expected("a type such as `ℝ`, `ℝ^n` or `ℝ^(m×n)`")
                .with_hint(TYPE_HINT));
        }
        let kind = if self.at_script(Script::Super) {
            let run = self.script_run(Script::Super);
            dims_from_tokens(&run, self.span_from(start))?
        } else if self.eat_op(Op::Caret).is_some() {
            self.caret_dims()?
        } else {
            TypeKind::Scalar
        };
        let mut symmetric = false;
        let mut spd = false;
        loop {
            if self.eat_word("symmetric").is_some() {
                symmetric = true;
            } else if self.eat_word("spd").is_some() {
                spd = true;
                symmetric = true;
            } else {
                break;
            }
        }
        Ok(Type {
            kind,
            symmetric,
            spd,
            span: self.span_from(start),
        })
    }

    /// `\mathbb{R}`.
    fn mathbb_r(&mut self) -> PResult<bool> {
        if !self.at_command("mathbb") {
            return Ok(false);
        }
        let is_r = self.peek_at(1).is_some_and(|t| t.is_op(Op::LBrace))
            && self.peek_at(2).is_some_and(|t| t.is_word("R"))
            && self.peek_at(3).is_some_and(|t| t.is_op(Op::RBrace));
        if !is_r {
            return Err(self.expected("`\\mathbb{R}`").with_hint(TYPE_HINT));
        }
        for _ in 0..4 {
            self.bump();
        }
        Ok(true)
    }

    /// After `^`: `n`, `3`, `(m×n)`, `{m×n}`, `(m x n)`.
    fn caret_dims(&mut self) -> PResult<TypeKind> {
        let start = self.start();
        let close = if self.eat_op(Op::LParen).is_some() {
            Some(Op::RParen)
        } else if self.eat_op(Op::LBrace).is_some() {
            Some(Op::RBrace)
        } else {
            None
        };
        let mut tokens = Vec::new();
        match close {
            None => match self.bump() {
                Some(t) => tokens.push(t),
                None => return Err(self.expected("a dimension")),
            },
            Some(close) => {
                while let Some(t) = self.peek() {
                    if t.is_op(close) || t.kind == Kind::Newline {
                        break;
                    }
                    if let Some(t) = self.bump() {
                        tokens.push(t);
                    }
                }
                if self.eat_op(close).is_none() {
                    return Err(self
                        .expected("the end of the dimensions")
                        .with_hint(TYPE_HINT));
                }
            }
        }
        dims_from_tokens(&tokens, self.span_from(start))
    }
}

/// `n` → a vector; `m × n` (or `m x n`, `mxn`) → a matrix.
fn dims_from_tokens(tokens: &[Token<'_>], span: Span) -> PResult<TypeKind> {
    let is_times =
        |t: &Token<'_>| t.kind == Kind::Op(Op::Times) || (t.kind == Kind::Ident && t.text == "x");
    let parts: Vec<&[Token<'_>]> = tokens.split(|t| is_times(t)).collect();
    match parts.as_slice() {
        [[one]] => {
            if let Some((m, n)) = glued_dims(one) {
                return Ok(TypeKind::Matrix(m, n));
            }
            Ok(TypeKind::Vector(dim(one)?))
        }
        [[m], [n]] => Ok(TypeKind::Matrix(dim(m)?, dim(n)?)),
        _ => Err(Diagnostic::new(
            DiagnosticKind::Syntax,
            span,
            "expected dimensions `n` or `m×n`",
        )
        .with_hint(TYPE_HINT)),
    }
}

/// `mxn` written as one run of letters.
fn glued_dims(tok: &Token<'_>) -> Option<(DimExpr, DimExpr)> {
    if tok.kind != Kind::Ident {
        return None;
    }
    let mut chars = tok.text.char_indices();
    let (_, m) = chars.next()?;
    let (_, x) = chars.next()?;
    let (i, n) = chars.next()?;
    if x != 'x' || chars.next().is_some() {
        return None;
    }
    let start = tok.span.start as usize;
    let m = DimExpr::Symbol(Ident {
        name: m.to_string(),
        span: Span::new(start, start + m.len_utf8()),
    });
    let n = DimExpr::Symbol(Ident {
        name: n.to_string(),
        span: Span::new(start + i, tok.span.end as usize),
    });
    Some((m, n))
}

fn dim(tok: &Token<'_>) -> PResult<DimExpr> {
    match tok.kind {
        Kind::Number => tok
            .text
            .parse::<u64>()
            .map(|n| DimExpr::Known(n, tok.span))
            .map_err(|_| {
                Diagnostic::new(
                    DiagnosticKind::Syntax,
                    tok.span,
                    "a dimension must be a whole number or a symbol",
                )
            }),
        Kind::Ident => Ok(DimExpr::Symbol(Ident {
            name: names::canonical_name(&tok.text),
            span: tok.span,
        })),
        _ => Err(Diagnostic::new(
            DiagnosticKind::Syntax,
            tok.span,
            "expected a dimension (a number or a symbol like `n`)",
        )
        .with_hint(TYPE_HINT)),
    }
}
