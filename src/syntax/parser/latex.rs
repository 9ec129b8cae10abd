//! LaTeX commands inside expressions: `\frac`, `\sqrt`, `\mathbf`, `\operatorname`, `\sum`,
//! `\lVert…\rVert`, `\lvert…\rvert`, `\begin{bmatrix}…\end{bmatrix}`, Greek letters and named
//! functions. Spacing commands and `\left`/`\right` are dropped by the lexer; operator commands
//! (`\cdot`, `\nabla`, `\top`, …) become ordinary operator tokens there.

use super::cursor::{PResult, Parser};
use super::expression::binary;
use super::lexical::{Kind, Op, Token};
use super::names;
use super::unicode;
use crate::syntax::ast::{BinaryOp, DerivativeKind, Expr, ExprKind};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use std::borrow::Cow;

/// Commands nabla knows in expressions (for suggestions), besides Greek letters.
const KNOWN_COMMANDS: &[&str] = &[
    "frac",
    "tfrac",
    "dfrac",
    "sqrt",
    "mathbf",
    "boldsymbol",
    "mathrm",
    "operatorname",
    "sum",
    "lVert",
    "rVert",
    "lvert",
    "rvert",
    "begin",
    "end",
    "nabla",
    "partial",
    "cdot",
    "times",
    "odot",
    "otimes",
    "top",
    "approx",
    "left",
    "right",
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "ln",
    "tanh",
    "det",
    "quad",
    "mathbb",
];

const FUNCTION_COMMANDS: &[&str] = &[
    "sin", "cos", "tan", "sec", "csc", "cot", "exp", "log", "ln", "tanh", "sinh", "cosh", "det",
    "tr", "coth", "arcsin", "arccos", "arctan",
];

impl<'a> Parser<'a, '_> {
    /// An atom that starts with a LaTeX command.
    pub fn command_atom(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("a LaTeX command"));
        };
        let start = tok.span.start as usize;
        let name: &str = &tok.text;
        match name {
            "lVert" => return self.norm(),
            "lvert" => return self.abs(),
            _ => {}
        }
        self.bump();
        match name {
            "frac" | "tfrac" | "dfrac" | "cfrac" => self.frac(start),
            "sqrt" => self.latex_root(start),
            "mathbf" | "boldsymbol" | "bm" | "vec" => self.bold(start),
            "mathrm" | "operatorname" | "text" => {
                let (word, span) = self.braced_word()?;
                self.word_atom(&word, span)
            }
            "sum" => self.sum_symbol(start),
            "begin" => self.environment(start),
            "mathbb" => Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                tok.span,
                "`\\mathbb` belongs in a `let` type, not in an expression",
            )),
            _ => {
                if let Some(letter) = unicode::greek_word(name) {
                    return self.word_atom(letter, tok.span);
                }
                if FUNCTION_COMMANDS.contains(&name) {
                    return self.word_atom(name, tok.span);
                }
                Err(unknown_command(name, tok.span))
            }
        }
    }

    /// Re-reads `word` as if it had been written as a plain name at `span`.
    fn word_atom(&mut self, word: &str, span: Span) -> PResult<Expr> {
        self.push_front(vec![Token {
            kind: Kind::Ident,
            text: Cow::Owned(word.to_string()),
            span,
            script: super::lexical::Script::Normal,
            space_before: false,
        }]);
        self.name_atom()
    }

    /// `{word}` as in `\operatorname{tr}`.
    fn braced_word(&mut self) -> PResult<(String, Span)> {
        let open = self.expect_op(Op::LBrace, "`{`")?;
        let word = match self.peek() {
            Some(t) if t.kind == Kind::Ident => t.text.to_string(),
            _ => return Err(self.expected("a name")),
        };
        self.bump();
        if self.eat_op(Op::RBrace).is_none() {
            return Err(self.unterminated("}", open, "close the group with `}`"));
        }
        Ok((word, self.span_from(open.start as usize)))
    }

    /// `\mathbf{1}` is the ones vector; `\mathbf{x}` is `x`.
    fn bold(&mut self, start: usize) -> PResult<Expr> {
        let is_one = self
            .peek_at(1)
            .is_some_and(|t| t.kind == Kind::Number && t.text == "1")
            && self.peek_at(2).is_some_and(|t| t.is_op(Op::RBrace));
        if is_one && self.at_op(Op::LBrace) {
            self.bump();
            self.bump();
            self.bump();
            let span = self.span_from(start);
            return self.node(ExprKind::Ones, span);
        }
        let inner = self.latex_argument()?;
        let inner = Expr {
            kind: inner.kind,
            span: self.span_from(start),
        };
        if matches!(inner.kind, ExprKind::Name(_)) {
            return self.subscripted(inner);
        }
        Ok(inner)
    }

    /// `\sqrt{x}` = √x, and `\sqrt[n]{x}` = x^(1/n).
    fn latex_root(&mut self, start: usize) -> PResult<Expr> {
        let index = match self.eat_op(Op::LBracket) {
            Some(open) => {
                let n = self.enclosed(|p| p.expr())?;
                if self.eat_op(Op::RBracket).is_none() {
                    return Err(self.unterminated("]", open, "close the root's index with `]`"));
                }
                Some(n)
            }
            None => None,
        };
        let arg = self.latex_argument()?;
        let span = self.span_from(start);
        let Some(n) = index else {
            return self.node(ExprKind::Sqrt(Box::new(arg)), span);
        };
        let one = self.node(
            ExprKind::Number(num_rational::BigRational::from_integer(1.into())),
            n.span,
        )?;
        let n_span = n.span;
        let exponent = self.node(binary(BinaryOp::Div, one, n), n_span)?;
        self.node(binary(BinaryOp::Pow, arg, exponent), span)
    }

    /// A LaTeX argument: `{…}` or a single token (`\tfrac12` reads `1` then `2`).
    fn latex_argument(&mut self) -> PResult<Expr> {
        if self.at_op(Op::LBrace) {
            return self.brace_group();
        }
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("an argument `{…}`"));
        };
        if tok.kind == Kind::Number && tok.text.chars().all(|c| c.is_ascii_digit()) {
            let mut chars = tok.text.char_indices();
            if let (Some((_, _)), Some((cut, _))) = (chars.next(), chars.next()) {
                self.bump();
                let start = tok.span.start as usize;
                let head = Token {
                    text: Cow::Owned(tok.text.get(..cut).unwrap_or("").to_string()),
                    span: Span::new(start, start + cut),
                    ..tok.clone()
                };
                let tail = Token {
                    text: Cow::Owned(tok.text.get(cut..).unwrap_or("").to_string()),
                    span: Span::new(start + cut, tok.span.end as usize),
                    space_before: false,
                    ..tok
                };
                self.push_front(vec![head, tail]);
            }
            return self.number_atom();
        }
        self.atom()
    }

    /// `\frac{a}{b}`, and the derivative forms `\frac{\partial f}{\partial x}`, `\frac{d}{dx}`.
    fn frac(&mut self, start: usize) -> PResult<Expr> {
        let partial =
            self.at_op(Op::LBrace) && self.peek_at(1).is_some_and(|t| t.is_op(Op::Partial));
        let ordinary = self.at_op(Op::LBrace)
            && self.peek_at(1).is_some_and(|t| t.is_word("d"))
            && self.peek_at(2).is_some_and(|t| t.is_op(Op::RBrace));
        if partial {
            return self.partial_frac(start);
        }
        if ordinary {
            return self.ordinary_frac(start);
        }
        let hint = |d: Diagnostic| {
            if d.hint.is_some() {
                d
            } else {
                d.with_hint("did you mean `\\frac{a}{b}`?")
            }
        };
        let numerator = self.latex_argument().map_err(hint)?;
        let denominator = self.latex_argument().map_err(hint)?;
        let span = self.span_from(start);
        self.node(binary(BinaryOp::Div, numerator, denominator), span)
    }

    /// `\frac{\partial f}{\partial x_1}`, `\frac{\partial^2 f}{\partial x \partial y}`,
    /// `\frac{\partial}{\partial x} (…)`.
    fn partial_frac(&mut self, start: usize) -> PResult<Expr> {
        let open = self.expect_op(Op::LBrace, "`{`")?;
        self.bump();
        let order = if self.at_op(Op::Caret) {
            Some(self.latex_order()?)
        } else {
            None
        };
        let body = if self.at_op(Op::RBrace) {
            None
        } else {
            Some(self.enclosed(|p| p.expr())?)
        };
        if self.eat_op(Op::RBrace).is_none() {
            return Err(self.unterminated("}", open, "close the numerator with `}`"));
        }
        let open = self.expect_op(Op::LBrace, "`{\\partial x}`")?;
        let wrt = self.enclosed(|p| p.partial_variables(order))?;
        if self.eat_op(Op::RBrace).is_none() {
            return Err(self.unterminated("}", open, "close the denominator with `}`"));
        }
        let body = match body {
            Some(body) => body,
            None => self.nested(|p| p.product())?,
        };
        let span = self.span_from(start);
        self.derivative(DerivativeKind::Partial, body, wrt, None, span)
    }

    fn latex_order(&mut self) -> PResult<usize> {
        self.expect_op(Op::Caret, "`^`")?;
        let braced = self.eat_op(Op::LBrace).is_some();
        let order = match self.peek() {
            Some(t) if t.kind == Kind::Number => t.text.parse::<usize>().ok(),
            _ => None,
        };
        let Some(order) = order.filter(|n| (1..=4).contains(n)) else {
            return Err(self.expected("a derivative order from 1 to 4"));
        };
        self.bump();
        if braced {
            self.expect_op(Op::RBrace, "`}`")?;
        }
        Ok(order)
    }

    /// `\frac{d}{dx} (…)`.
    fn ordinary_frac(&mut self, start: usize) -> PResult<Expr> {
        self.bump();
        self.bump();
        self.bump();
        let open = self.expect_op(Op::LBrace, "`{dx}`")?;
        let Some(tok) = self.peek().cloned().filter(|t| t.kind == Kind::Ident) else {
            return Err(self.expected("`dx`"));
        };
        self.bump();
        let var = if tok.text == "d" {
            let Some(next) = self.peek().cloned().filter(|t| t.kind == Kind::Ident) else {
                return Err(self.expected("the variable after `d`"));
            };
            self.bump();
            self.node(ExprKind::Name(names::canonical_name(&next.text)), next.span)?
        } else {
            let text = tok.text.strip_prefix('d').unwrap_or(&tok.text);
            let span = Span::new(tok.span.start as usize + 1, tok.span.end as usize);
            self.node(ExprKind::Name(names::canonical_name(text)), span)?
        };
        let var = self.subscripted(var)?;
        if self.eat_op(Op::RBrace).is_none() {
            return Err(self.unterminated("}", open, "close the denominator with `}`"));
        }
        let body = self.nested(|p| p.product())?;
        let span = self.span_from(start);
        self.derivative(DerivativeKind::Ordinary, body, vec![var], None, span)
    }

    /// `\begin{bmatrix} 4 & 1 \\ 1 & 2 \end{bmatrix}` (also `pmatrix`, `matrix`).
    fn environment(&mut self, start: usize) -> PResult<Expr> {
        let begin = self.span_from(start);
        let (env, env_span) = self.braced_word()?;
        if !matches!(env.as_str(), "bmatrix" | "pmatrix" | "matrix" | "Bmatrix") {
            return Err(Diagnostic::new(
                DiagnosticKind::Unsupported,
                env_span,
                format!("the environment `{env}` is not supported"),
            )
            .with_hint("matrices are written `\\begin{bmatrix} … \\end{bmatrix}`"));
        }
        let rows = self.enclosed(|p| {
            let mut rows: Vec<Vec<Expr>> = Vec::new();
            let mut row: Vec<Expr> = Vec::new();
            loop {
                // Outside `$…$` a LaTeX matrix may still span lines.
                while p
                    .peek()
                    .is_some_and(|t| matches!(t.kind, Kind::Newline | Kind::RowSep))
                {
                    p.bump();
                }
                if p.at_command("end") || p.at_end() {
                    break;
                }
                row.push(p.expr()?);
                if p.eat_op(Op::Ampersand).is_some() {
                    continue;
                }
                if p.eat_op(Op::RowBreak).is_some() {
                    rows.push(std::mem::take(&mut row));
                    continue;
                }
                while p
                    .peek()
                    .is_some_and(|t| matches!(t.kind, Kind::Newline | Kind::RowSep))
                {
                    p.bump();
                }
                if !p.at_command("end") && !p.at_end() {
                    return Err(p.expected("`&`, `\\\\` or `\\end{…}`"));
                }
            }
            if !row.is_empty() {
                rows.push(row);
            }
            Ok(rows)
        })?;
        if !self.at_command("end") {
            return Err(self.unterminated("\\end", begin, "close the matrix with `\\end{…}`"));
        }
        self.bump();
        let (end_env, end_span) = self.braced_word()?;
        if end_env != env {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                end_span,
                format!("`\\begin{{{env}}}` is closed by `\\end{{{end_env}}}`"),
            )
            .with_label(begin, "opened here"));
        }
        if let Some(first) = rows.first() {
            if let Some(bad) = rows.iter().find(|r| r.len() != first.len()) {
                let span = bad.iter().map(|e| e.span).reduce(Span::to).unwrap_or(begin);
                return Err(Diagnostic::new(
                    DiagnosticKind::ShapeMismatch,
                    span,
                    "the rows of this matrix have different numbers of entries",
                ));
            }
        }
        let span = self.span_from(start);
        self.node(ExprKind::Matrix(rows), span)
    }
}

fn unknown_command(name: &str, span: Span) -> Diagnostic {
    let suggestion = KNOWN_COMMANDS
        .iter()
        .copied()
        .filter(|k| edit_distance(k, name) <= 2)
        .min_by_key(|k| edit_distance(k, name));
    let hint = match (name, suggestion) {
        ("over" | "fraction", _) => "did you mean `\\frac{a}{b}`?".to_string(),
        ("T" | "transpose", _) => "write a transpose as `^\\top` or `^T`".to_string(),
        (_, Some(k)) => format!("did you mean `\\{k}`?"),
        _ => "nabla knows \\frac, \\sqrt, \\nabla, \\partial, \\sum, \\cdot, \\top, Greek letters and common functions".to_string(),
    };
    Diagnostic::new(
        DiagnosticKind::UnknownCommand,
        span,
        format!("unknown LaTeX command `\\{name}`"),
    )
    .with_primary_message("not a command nabla knows")
    .with_hint(hint)
}

/// Levenshtein distance between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (prev + usize::from(ca != *cb)).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}
