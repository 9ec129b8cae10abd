//! Names in expressions: splitting letter runs, subscripts, `I`/`ones`, and calls of built-in and
//! defined functions (with or without parentheses).

use super::cursor::{PResult, Parser};
use super::expression::binary;
use super::lexical::{Kind, Op, Script, Token};
use super::names;
use super::unicode;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use std::borrow::Cow;

/// Built-ins that may be applied without parentheses: `sin x`, `tr A`.
fn applies_without_parens(word: &str) -> bool {
    names::is_prefix_function(word)
        || matches!(
            word,
            "tr" | "det" | "diag" | "sign" | "relu" | "softplus" | "softmax" | "logsumexp"
        )
}

impl<'a> Parser<'a, '_> {
    /// A name atom: a split letter run's first piece, with what follows it.
    pub fn name_atom(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("a name"));
        };
        if names::is_clause_keyword(&tok.text) {
            return Err(self.expected("an expression"));
        }
        if self.is_leibniz() {
            return self.leibniz();
        }
        self.bump();
        let called = self.at_op(Op::LParen);
        if let Some(d) = self.names.unreadable_run(&tok.text, tok.span, called) {
            return Err(d);
        }
        let mut pieces = self.names.split(&tok.text, tok.span)?.into_iter();
        let Some((first, span)) = pieces.next() else {
            return Err(self.expected("a name"));
        };
        let rest: Vec<Token<'a>> = pieces
            .map(|(text, span)| Token {
                kind: Kind::Ident,
                text: Cow::Owned(text),
                span,
                script: Script::Normal,
                space_before: false,
            })
            .collect();
        self.push_front(rest);
        self.word(&first, span)
    }

    /// Is the input at Leibniz's notation: `d/dx`, or with a numerator or an order `df/dt`,
    /// `d²f/dt²`, `d²/dt²`, `d^2 f/dt^2` (glued but for the name after an order)?
    fn is_leibniz(&self) -> bool {
        let is_d_var = |t: Option<&Token<'_>>| {
            t.is_some_and(|t| {
                t.kind == Kind::Ident
                    && t.script == Script::Normal
                    && !t.space_before
                    && t.text.starts_with('d')
                    && t.text.chars().nth(1).is_some()
            })
        };
        let glued_slash =
            |t: Option<&Token<'_>>| t.is_some_and(|t| t.is_op(Op::Slash) && !t.space_before);
        let Some(first) = self.peek() else {
            return false;
        };
        if first.kind != Kind::Ident
            || first.script != Script::Normal
            || !first.text.starts_with('d')
        {
            return false;
        }
        // `df/dt`
        if first.text.chars().nth(1).is_some() {
            return glued_slash(self.peek_at(1)) && is_d_var(self.peek_at(2));
        }
        // `d/dx`
        if glued_slash(self.peek_at(1)) {
            return is_d_var(self.peek_at(2));
        }
        // `d` with an order (`²`, `^2`), then an optional name, then `/d…`.
        let mut k = 1;
        match self.peek_at(k) {
            Some(t) if t.script == Script::Super && !t.space_before => {
                while self.peek_at(k).is_some_and(|t| t.script == Script::Super) {
                    k += 1;
                }
            }
            Some(t) if t.is_op(Op::Caret) && !t.space_before => {
                let braced = self.peek_at(k + 1).is_some_and(|t| t.is_op(Op::LBrace));
                k += if braced { 4 } else { 2 };
            }
            _ => return false,
        }
        if self
            .peek_at(k)
            .is_some_and(|t| t.kind == Kind::Ident && t.script == Script::Normal)
        {
            k += 1;
        }
        glued_slash(self.peek_at(k)) && is_d_var(self.peek_at(k + 1))
    }

    /// What a single (already split) word means here.
    fn word(&mut self, word: &str, span: Span) -> PResult<Expr> {
        let start = span.start as usize;
        let next_is_paren = self.at_op(Op::LParen);
        let defined = self.names.is_function(word);
        let declared = self.names.is_variable(word);
        match word {
            "I" if !defined && !declared => return self.node(ExprKind::Identity, span),
            "ones" if !defined && !declared => return self.node(ExprKind::Ones, span),
            "J" if !defined && !declared => {
                if self.at_op(Op::Underscore) {
                    return self.jacobian_subscript(start);
                }
                if next_is_paren {
                    return self.jacobian_call(span);
                }
            }
            "D" if !defined && !declared && self.at_op(Op::Underscore) => {
                return self.directional(start);
            }
            // A capital sigma written for `∑`.
            "Σ" if !defined
                && !declared
                && (self.at_op(Op::Underscore) || self.at_script(Script::Sub)) =>
            {
                return self.sum_symbol(start);
            }
            _ => {}
        }
        if names::is_builtin_function(word) && !defined && !declared {
            return self.builtin(word, span);
        }
        // `sigma(x)` is `σ(x)`, the sigmoid, as in Unicode and LaTeX (`\sigma(x)`).
        if word == "sigma" && next_is_paren && !defined && !declared && !self.names.is_variable("σ")
        {
            return self.builtin("σ", span);
        }
        if let Some(hint) = names::missing_function_hint(word).filter(|_| !defined && !declared) {
            return Err(Diagnostic::new(
                DiagnosticKind::UnknownName,
                span,
                format!("unknown function {word}"),
            )
            .with_hint(hint));
        }
        let callable =
            defined || (matches!(word, "f" | "g" | "h") && !self.names.is_variable(word));
        if callable && self.at_op(Op::Prime) {
            return self.prime_derivative(word, span);
        }
        if callable && next_is_paren {
            let (args, _) = self.call_args()?;
            let function = Ident {
                name: names::canonical_name(word),
                span,
            };
            let span = self.span_from(start);
            return self.node(ExprKind::Call { function, args }, span);
        }
        let name = self.node(ExprKind::Name(names::canonical_name(word)), span)?;
        self.subscripted(name)
    }

    /// A built-in function name and its argument(s).
    fn builtin(&mut self, word: &str, span: Span) -> PResult<Expr> {
        let start = span.start as usize;
        // `log10(x)`, `log₂ x`, `log_2 x`: a logarithm to another base, which nabla lacks (it
        // would otherwise read as log(10)·x or as a name `log₂`).
        let base_follows = self.at_op(Op::Underscore)
            || self.peek().is_some_and(|t| {
                !t.space_before
                    && (t.script == Script::Sub
                        || (t.kind == Kind::Number && t.script == Script::Normal))
            });
        if matches!(word, "log" | "ln") && base_follows {
            return Err(Diagnostic::new(
                DiagnosticKind::UnknownName,
                span,
                "unknown function: a logarithm to another base".to_string(),
            )
            .with_hint(
                "nabla's log is the natural logarithm; write log(x)/log(2) or log(x)/log(10)",
            ));
        }
        if matches!(word, "grad" | "hess" | "jac" | "diff" | "ddir") && self.at_op(Op::LParen) {
            return self.derivative_call(word, start);
        }
        // `sin² x`, `\sin^2 x`, `sin^2(x)` are `(sin x)²`.
        let exponent = if applies_without_parens(word) {
            self.function_power()?
        } else {
            None
        };
        let applied = self.builtin_applied(word, span)?;
        match exponent {
            Some(exponent) => {
                let whole = applied.span.to(exponent.span);
                self.node(binary(BinaryOp::Pow, applied, exponent), whole)
            }
            None => Ok(applied),
        }
    }

    /// A power written between a function's name and its argument: `²`, `^2`, `^{2}`.
    fn function_power(&mut self) -> PResult<Option<Expr>> {
        let digits_run = self.peek().is_some_and(|t| {
            t.script == Script::Super && !t.space_before && t.kind == Kind::Number
        });
        if digits_run {
            let run = self.script_run(Script::Super);
            return self.script_expr(run).map(Some);
        }
        if !self.at_op(Op::Caret) {
            return Ok(None);
        }
        let is_number = |t: Option<&Token<'_>>| t.is_some_and(|t| t.kind == Kind::Number);
        if is_number(self.peek_at(1)) {
            self.bump();
            return self.number_atom().map(Some);
        }
        let braced = self.peek_at(1).is_some_and(|t| t.is_op(Op::LBrace))
            && is_number(self.peek_at(2))
            && self.peek_at(3).is_some_and(|t| t.is_op(Op::RBrace));
        if braced {
            self.bump();
            return self.brace_group().map(Some);
        }
        Ok(None)
    }

    /// A built-in applied to its argument(s); its bare name is an error.
    fn builtin_applied(&mut self, word: &str, span: Span) -> PResult<Expr> {
        let start = span.start as usize;
        if self.at_op(Op::LParen) {
            if let Some(expr) = self.special_call(word, start)? {
                return Ok(expr);
            }
            let (args, _) = self.call_args()?;
            return self.call(word, span, args);
        }
        let can_apply = applies_without_parens(word)
            && self.peek().is_some_and(|t| {
                t.script == Script::Normal
                    && matches!(
                        t.kind,
                        Kind::Ident | Kind::Number | Kind::Command | Kind::Vulgar(..)
                    )
                    && !names::is_clause_keyword(&t.text)
                    || t.is_op(Op::Minus)
                    || t.is_op(Op::Nabla)
                    || t.is_op(Op::Sqrt)
                    || t.is_op(Op::NormBar)
                    || t.is_op(Op::Bar)
                    || t.is_op(Op::LBracket)
            });
        if can_apply {
            let arg = if self.at_op(Op::Minus) {
                self.unary()?
            } else {
                self.glued_argument()?
            };
            return self.call(word, span, vec![arg]);
        }
        Err(self.bare_builtin(word, span))
    }

    /// The argument of a built-in applied without parentheses: a power, with the names glued to
    /// it (no space between), which continue one textbook argument — `sin 2x` is sin(2x),
    /// `sin xy` sin(xy), `tr AB` tr(AB), `\sin 2\theta` sin(2θ). A space, an operator or a
    /// function name ends it: `sin x cos x`, `sin x y`, `sin x/2` = (sin x)/2.
    fn glued_argument(&mut self) -> PResult<Expr> {
        let mut arg = self.power()?;
        while let Some(tok) = self.peek().cloned() {
            let name = match tok.kind {
                Kind::Ident => Some(&*tok.text),
                Kind::Command => unicode::greek_word(&tok.text),
                _ => None,
            };
            let glued = !tok.space_before
                && tok.script == Script::Normal
                && name.is_some_and(|n| {
                    let function = names::is_builtin_function(n)
                        && !self.names.is_variable(n)
                        && !self.names.is_function(n);
                    !function && !names::is_clause_keyword(n)
                });
            if !glued {
                break;
            }
            self.link()?;
            let next = self.power()?;
            let span = arg.span.to(next.span);
            arg = self.node(binary(BinaryOp::Mul, arg, next), span)?;
        }
        Ok(arg)
    }

    /// A built-in function's name with no argument (`sqrt x`, `sin + 1`): an error, not a symbol
    /// named `sqrt` (which would silently multiply).
    fn bare_builtin(&self, word: &str, span: Span) -> Diagnostic {
        let arg = self
            .peek()
            .filter(|t| t.script == Script::Normal && matches!(t.kind, Kind::Ident | Kind::Number))
            .map_or(Cow::Borrowed("x"), |t| t.text.clone());
        let hint = if applies_without_parens(word) {
            format!("apply it to its argument: {word}({arg}) or {word} {arg}")
        } else {
            format!("{word} takes its argument in parentheses: {word}({arg})")
        };
        Diagnostic::new(
            DiagnosticKind::BadArguments,
            span,
            format!("the function {word} needs an argument"),
        )
        .with_hint(hint + "; to use the name for a symbol, declare it with let")
    }

    fn call(&mut self, word: &str, span: Span, args: Vec<Expr>) -> PResult<Expr> {
        let function = Ident {
            name: names::canonical_function(word),
            span,
        };
        let whole = self.span_from(span.start as usize);
        self.node(ExprKind::Call { function, args }, whole)
    }

    /// Attaches a subscript written right after a name: `x₁`, `x_1`, `x_{i+1}`, `w_{ji}`, `x1`.
    pub fn subscripted(&mut self, base: Expr) -> PResult<Expr> {
        let start = base.span.start as usize;
        let Some(tok) = self.peek() else {
            return Ok(base);
        };
        let index = if tok.script == Script::Sub && !tok.space_before {
            let run = self.script_run(Script::Sub);
            self.script_index(run)?
        } else if tok.is_op(Op::Underscore) && !tok.space_before {
            self.bump();
            self.underscore_index()?
        } else if tok.kind == Kind::Number
            && tok.script == Script::Normal
            && !tok.space_before
            && tok.text.chars().all(|c| c.is_ascii_digit())
        {
            self.number_atom()?
        } else {
            return Ok(base);
        };
        let span = self.span_from(start);
        self.node(
            ExprKind::Subscript {
                base: Box::new(base),
                index: Box::new(index),
            },
            span,
        )
    }

    /// What follows `_`: a group `{…}` (a lone letter run stays one name), a number or a name.
    pub fn underscore_index(&mut self) -> PResult<Expr> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("a subscript after `_`"));
        };
        if tok.is_op(Op::LBrace) {
            let run = self.peek_at(1).cloned();
            let close = self.peek_at(2).is_some_and(|t| t.is_op(Op::RBrace));
            if let Some(run) = run.filter(|r| r.kind == Kind::Ident && close) {
                self.bump();
                self.bump();
                self.bump();
                let span = self.span_from(tok.span.start as usize);
                return self.node(ExprKind::Name(names::canonical_name(&run.text)), span);
            }
            return self.brace_group();
        }
        match tok.kind {
            Kind::Number => self.number_atom(),
            Kind::Ident if tok.script == Script::Normal => {
                self.bump();
                self.node(ExprKind::Name(names::canonical_name(&tok.text)), tok.span)
            }
            Kind::Command => self.command_atom(),
            _ => Err(self.expected("a subscript after `_`")),
        }
    }

    /// A subscript run as an index: digits → a number, letters → one name, else an expression.
    pub fn script_index(&mut self, run: Vec<Token<'a>>) -> PResult<Expr> {
        let span = run
            .iter()
            .map(|t| t.span)
            .reduce(Span::to)
            .unwrap_or_else(|| self.here());
        if run.len() > 1 && run.iter().all(|t| t.kind == Kind::Ident) {
            let name: String = run.iter().map(|t| &*t.text).collect();
            return self.node(ExprKind::Name(name), span);
        }
        self.script_expr(run)
    }

    /// A variable of differentiation written as a subscript run: `ₓ`, `ᵤ`, `ₓ₁`.
    pub fn script_variable(&mut self, run: Vec<Token<'a>>) -> PResult<Expr> {
        let letters = run.iter().take_while(|t| t.kind == Kind::Ident).count();
        let digits = run.iter().skip(letters).all(|t| t.kind == Kind::Number);
        if letters > 0 && letters < run.len() && digits {
            let (names_part, number_part): (Vec<_>, Vec<_>) =
                run.into_iter().enumerate().partition(|(i, _)| *i < letters);
            let base = self.script_index(names_part.into_iter().map(|(_, t)| t).collect())?;
            let index = self.script_expr(number_part.into_iter().map(|(_, t)| t).collect())?;
            let span = base.span.to(index.span);
            return self.node(
                ExprKind::Subscript {
                    base: Box::new(base),
                    index: Box::new(index),
                },
                span,
            );
        }
        self.script_index(run)
    }

    /// `J(g, x)` (two arguments) is a Jacobian; `J(x)` with `J` undefined is `J·x`.
    fn jacobian_call(&mut self, span: Span) -> PResult<Expr> {
        let start = span.start as usize;
        let (mut args, _) = self.call_args()?;
        let whole = self.span_from(start);
        if args.len() == 2 {
            let wrt = args.pop();
            if let (Some(body), Some(wrt)) = (args.pop(), wrt) {
                return self.derivative(
                    crate::syntax::ast::DerivativeKind::Jacobian,
                    body,
                    vec![wrt],
                    None,
                    whole,
                );
            }
        }
        let name = self.node(ExprKind::Name("J".to_string()), span)?;
        let mut product = name;
        for arg in args {
            let s = product.span.to(arg.span);
            product = self.node(binary(BinaryOp::Mul, product, arg), s)?;
        }
        Ok(product)
    }
}
