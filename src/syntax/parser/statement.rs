//! Statements: `let`, definitions, `claim` chains, `descend`, `classify`, `critical` and bare
//! expressions, separated by line breaks or `;`.

use super::cursor::{PResult, Parser};
use super::lexical::{Kind, Op, Script, Token};
use super::names::{self, Names};
use crate::syntax::ast::{
    Binding, Claim, Decl, DimExpr, Ident, Method, MethodOption, Program, Relation, Statement, Step,
    TypeKind,
};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};

impl Parser<'_, '_> {
    /// A whole program.
    pub fn program(&mut self) -> PResult<Program> {
        let mut statements = Vec::new();
        loop {
            self.skip_separators();
            if self.at_end() {
                break;
            }
            self.reset_nodes();
            let start = self.start();
            let is_claim = self.at_word("claim");
            match self.statement() {
                Ok(statement) => statements.push(statement),
                Err(diagnostic) if is_claim && self.recover_claims => {
                    self.skip_claim();
                    statements.push(Statement::UnreadableClaim {
                        diagnostic,
                        span: self.span_from(start),
                    });
                    continue;
                }
                Err(diagnostic) => return Err(diagnostic),
            }
            if !self.at_end() && !self.at_separator() {
                let mut diag = self.expected("the end of the statement");
                if self.at_op(Op::Equals) || self.at_op(Op::Approx) {
                    diag = diag.with_hint("start the line with `claim` to state an equation");
                } else if self.at_op(Op::In) || self.at_op(Op::Colon) {
                    diag = diag.with_hint("declare symbols with `let`, like `let x ∈ ℝ^n`");
                }
                return Err(diag);
            }
        }
        Ok(Program { statements })
    }

    /// Skips the rest of a claim that could not be parsed: up to a line break or `;` that is
    /// not followed by a continuation line (`= …`, `≈ …`, `at …`).
    fn skip_claim(&mut self) {
        self.clear_pending();
        while !self.at_end() {
            if self.at_separator() && self.continuation_ahead().is_none() {
                return;
            }
            self.bump();
        }
    }

    /// The number of line breaks before a continuation line (`= …`, `≈ …`, `at …`) that starts
    /// here, if one does.
    fn continuation_ahead(&self) -> Option<usize> {
        let mut k = 0;
        while self.peek_at(k).is_some_and(|t| t.kind == Kind::Newline) {
            k += 1;
        }
        self.peek_at(k)
            .is_some_and(|t| t.is_op(Op::Equals) || t.is_op(Op::Approx) || t.is_word("at"))
            .then_some(k)
    }

    fn at_separator(&self) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Newline || t.is_op(Op::Semicolon))
    }

    fn skip_separators(&mut self) {
        while self.at_separator() {
            self.bump();
        }
    }

    fn statement(&mut self) -> PResult<Statement> {
        let start = self.start();
        if self.eat_word("let").is_some() {
            let decls = self.decls()?;
            return Ok(Statement::Let {
                decls,
                span: self.span_from(start),
            });
        }
        if self.eat_word("claim").is_some() {
            return self.claim(start).map(Statement::Claim);
        }
        if self.eat_word("descend").is_some() {
            return self.descend(start);
        }
        if self.eat_word("classify").is_some() {
            let function = self.plain_name()?;
            let (at, with) = self.at_with(true)?;
            return Ok(Statement::Classify {
                function,
                at,
                with,
                span: self.span_from(start),
            });
        }
        if self.eat_word("critical").is_some() {
            let function = self.plain_name()?;
            let (_, with) = self.at_with(false)?;
            return Ok(Statement::Critical {
                function,
                with,
                span: self.span_from(start),
            });
        }
        if self.is_definition() {
            let name = self.plain_name()?;
            let params = self.params()?;
            self.expect_op(Op::Equals, "`=`")?;
            let body = self.expr()?;
            return Ok(Statement::Define {
                name,
                params,
                body,
                span: self.span_from(start),
            });
        }
        self.expr().map(Statement::Expr)
    }

    /// Does the input read `name(a, b) =`?
    fn is_definition(&self) -> bool {
        let is_name = |t: Option<&Token<'_>>| {
            t.is_some_and(|t| t.kind == Kind::Ident && t.script == Script::Normal)
        };
        if !is_name(self.peek()) || !self.peek_at(1).is_some_and(|t| t.is_op(Op::LParen)) {
            return false;
        }
        let mut i = 2;
        loop {
            let Some(t) = self.peek_at(i) else {
                return false;
            };
            let is_param =
                (t.kind == Kind::Ident || t.kind == Kind::Command) && t.script == Script::Normal;
            if !is_param {
                return false;
            }
            i += 1;
            while self.peek_at(i).is_some_and(|t| {
                t.script == Script::Sub
                    || t.is_op(Op::Underscore)
                    || t.kind == Kind::Number && !t.space_before
            }) {
                i += if self.peek_at(i).is_some_and(|t| t.is_op(Op::Underscore)) {
                    2
                } else {
                    1
                };
            }
            match self.peek_at(i) {
                Some(t) if t.is_op(Op::Comma) => i += 1,
                Some(t) if t.is_op(Op::RParen) => break,
                _ => return false,
            }
        }
        self.peek_at(i + 1).is_some_and(|t| t.is_op(Op::Equals))
    }

    fn params(&mut self) -> PResult<Vec<Ident>> {
        self.expect_op(Op::LParen, "`(`")?;
        let mut params = vec![self.plain_name()?];
        while self.eat_op(Op::Comma).is_some() {
            params.push(self.plain_name()?);
        }
        self.expect_op(Op::RParen, "`)`")?;
        Ok(params)
    }

    /// A name in a declaration or binding: `x`, `α`, `\alpha`, `x₁`/`x_1`/`x1` (as `x_1`).
    pub fn plain_name(&mut self) -> PResult<Ident> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.expected("a name"));
        };
        let mut name = match (tok.kind, tok.script) {
            (Kind::Ident, Script::Normal) if !names::is_clause_keyword(&tok.text) => {
                names::canonical_name(&tok.text)
            }
            (Kind::Command, _) if super::unicode::greek_word(&tok.text).is_some() => {
                names::canonical_name(&tok.text)
            }
            _ => return Err(self.expected("a name")),
        };
        self.bump();
        let suffix: Option<String> =
            if self.at_script(Script::Sub) && self.peek().is_some_and(|t| !t.space_before) {
                let run = self.script_run(Script::Sub);
                Some(run.iter().map(|t| t.text.to_string()).collect())
            } else if self.at_op(Op::Underscore) {
                self.bump();
                Some(self.subscript_text()?)
            } else if self.peek().is_some_and(|t| {
                t.kind == Kind::Number && !t.space_before && t.script == Script::Normal
            }) {
                self.bump().map(|t| t.text.to_string())
            } else {
                None
            };
        if let Some(suffix) = suffix {
            name.push('_');
            name.push_str(&suffix);
        }
        Ok(Ident {
            name,
            span: self.span_from(tok.span.start as usize),
        })
    }

    /// The text of `_1`, `_{ji}`, `_search` (after the underscore).
    fn subscript_text(&mut self) -> PResult<String> {
        let braced = self.eat_op(Op::LBrace).is_some();
        let text = match self.peek() {
            Some(t) if matches!(t.kind, Kind::Ident | Kind::Number) => t.text.to_string(),
            _ => return Err(self.expected("a subscript")),
        };
        self.bump();
        if braced {
            self.expect_op(Op::RBrace, "`}`")?;
        }
        Ok(text)
    }

    /// Declaration groups: `a, b: ℝ, A ∈ ℝ^(m×n) spd`.
    fn decls(&mut self) -> PResult<Vec<Decl>> {
        let mut decls = Vec::new();
        loop {
            let start = self.start();
            let mut names = vec![self.plain_name()?];
            while self.eat_op(Op::Comma).is_some() {
                names.push(self.plain_name()?);
            }
            if self.eat_op(Op::Colon).is_none() && self.eat_op(Op::In).is_none() {
                return Err(self
                    .expected("`:` or `∈` and a type")
                    .with_hint("declare symbols like `let A: ℝ^(m×n), x: ℝ^n`"));
            }
            let ty = self.ty()?;
            decls.push(Decl {
                names,
                ty,
                span: self.span_from(start),
            });
            if self.eat_op(Op::Comma).is_none() {
                break;
            }
        }
        Ok(decls)
    }

    fn relation(&self) -> Option<Relation> {
        let t = self.peek()?;
        if t.is_op(Op::Equals) {
            Some(Relation::Equal)
        } else if t.is_op(Op::Approx) {
            Some(Relation::Approx)
        } else {
            None
        }
    }

    /// Skips line breaks when the next line continues the claim (starts with `=`, `≈` or `at`).
    fn continue_claim(&mut self) {
        if let Some(k) = self.continuation_ahead() {
            for _ in 0..k {
                self.bump();
            }
        }
    }

    fn claim(&mut self, start: usize) -> PResult<Claim> {
        let first = self.additive()?;
        let mut steps = Vec::new();
        loop {
            self.continue_claim();
            let Some(relation) = self.relation() else {
                break;
            };
            let step_start = self.start();
            self.bump();
            let expr = self.additive()?;
            steps.push(Step {
                relation,
                expr,
                span: self.span_from(step_start),
            });
        }
        if steps.is_empty() {
            return Err(self
                .expected("`=` or `≈` and the right-hand side")
                .with_hint("a claim states an equation, like `claim ∇f(x) = 2x`"));
        }
        let at = if self.eat_word("at").is_some() {
            self.bindings()?
        } else {
            Vec::new()
        };
        Ok(Claim {
            first,
            steps,
            at,
            span: self.span_from(start),
        })
    }

    /// `x = 1, y = [1; 2]`.
    pub fn bindings(&mut self) -> PResult<Vec<Binding>> {
        let mut bindings = Vec::new();
        loop {
            let start = self.start();
            let name = self.plain_name()?;
            self.expect_op(Op::Equals, "`=` and a value")?;
            let value = self.additive()?;
            bindings.push(Binding {
                name,
                value,
                span: self.span_from(start),
            });
            if self.eat_op(Op::Comma).is_none() {
                break;
            }
        }
        Ok(bindings)
    }

    /// The clauses `at …` (required when `need_at`) and `with …`, in either order.
    fn at_with(&mut self, need_at: bool) -> PResult<(Vec<Binding>, Vec<Binding>)> {
        let mut at = Vec::new();
        let mut with = Vec::new();
        loop {
            if need_at && self.at_word("at") {
                self.clause_once("at", !at.is_empty())?;
                at = self.bindings()?;
            } else if self.at_word("with") {
                self.clause_once("with", !with.is_empty())?;
                with = self.bindings()?;
            } else {
                break;
            }
        }
        if need_at && at.is_empty() {
            return Err(self.expected("`at` and a point, like `at x = [0; 0]`"));
        }
        Ok((at, with))
    }

    /// Consumes the clause keyword `word`, refusing it if the clause was already given.
    fn clause_once(&mut self, word: &str, seen: bool) -> PResult<()> {
        if seen {
            return Err(Diagnostic::new(
                DiagnosticKind::Syntax,
                self.here(),
                format!("`{word}` is given twice"),
            )
            .with_hint(format!("give each clause once; list several bindings after one `{word}`, separated by commas")));
        }
        self.bump();
        Ok(())
    }

    /// `descend f from x = … [with A = …] using method` (clauses in any order).
    fn descend(&mut self, start: usize) -> PResult<Statement> {
        let function = self.plain_name()?;
        let mut from = Vec::new();
        let mut with = Vec::new();
        let mut method = None;
        loop {
            if self.at_word("from") {
                self.clause_once("from", !from.is_empty())?;
                from = self.bindings()?;
            } else if self.at_word("with") {
                self.clause_once("with", !with.is_empty())?;
                with = self.bindings()?;
            } else if self.at_word("using") {
                self.clause_once("using", method.is_some())?;
                method = Some(self.method()?);
            } else {
                break;
            }
        }
        if from.is_empty() {
            return Err(self.expected("`from` and a starting point, like `from x = 0`"));
        }
        let Some(method) = method else {
            return Err(self
                .expected("`using` and a method")
                .with_hint("methods: `gd(step = 0.1, iters = 100)`, `gd(line_search)`, `exact`, `momentum(step = 0.1, γ = 0.9)`, `newton`"));
        };
        Ok(Statement::Descend {
            function,
            from,
            with,
            method,
            span: self.span_from(start),
        })
    }

    /// `gd(step = 0.05, iters = 500)`, `gd(line_search)`, `exact`, `newton`.
    fn method(&mut self) -> PResult<Method> {
        let start = self.start();
        let name = self.plain_name()?;
        let mut options = Vec::new();
        if let Some(open) = self.eat_op(Op::LParen) {
            loop {
                if self.at_op(Op::RParen) {
                    break;
                }
                let key = self.plain_name()?;
                if self.eat_op(Op::Equals).is_some() {
                    let value = self.additive()?;
                    options.push(MethodOption::Value(key, value));
                } else {
                    options.push(MethodOption::Flag(key));
                }
                if self.eat_op(Op::Comma).is_none() {
                    break;
                }
            }
            if self.eat_op(Op::RParen).is_none() {
                return Err(self.unterminated(")", open, "close the method's options with `)`"));
            }
        }
        Ok(Method {
            name,
            options,
            span: self.span_from(start),
        })
    }
}

/// The names declared by `let` (with their dimension symbols) and by definitions (functions and
/// their parameters), found before the real parse so that letter runs split correctly.
pub(super) fn declared_names(source: &str, tokens: &[Token<'_>]) -> Names {
    let empty = Names::default();
    let mut scan = Parser::new(source, tokens.to_vec(), &empty);
    let mut found = Names::default();
    while !scan.at_end() {
        scan.skip_separators();
        if scan.eat_word("let").is_some() {
            if let Ok(decls) = scan.decls() {
                for decl in decls {
                    for name in decl.names {
                        add_variable(&mut found, &name.name);
                    }
                    let dims = match decl.ty.kind {
                        TypeKind::Scalar => vec![],
                        TypeKind::Vector(d) => vec![d],
                        TypeKind::Matrix(m, n) => vec![m, n],
                    };
                    for d in dims {
                        if let DimExpr::Symbol(ident) = d {
                            add_variable(&mut found, &ident.name);
                        }
                    }
                }
            }
        } else if scan.is_definition() {
            if let Ok(name) = scan.plain_name() {
                found.functions.insert(name.name);
            }
            if let Ok(params) = scan.params() {
                for p in params {
                    add_variable(&mut found, &p.name);
                }
            }
        }
        skip_statement(&mut scan);
    }
    found
}

fn add_variable(names: &mut Names, name: &str) {
    if let Some((base, _)) = name.split_once('_') {
        names.variables.insert(base.to_string());
    }
    names.variables.insert(name.to_string());
}

/// Skips to the next top-level statement separator.
fn skip_statement(scan: &mut Parser<'_, '_>) {
    let mut depth = 0usize;
    while let Some(t) = scan.peek() {
        if depth == 0 && (t.kind == Kind::Newline || t.is_op(Op::Semicolon)) {
            break;
        }
        match t.kind {
            Kind::Op(Op::LParen | Op::LBracket | Op::LBrace) => depth += 1,
            Kind::Op(Op::RParen | Op::RBracket | Op::RBrace) => depth = depth.saturating_sub(1),
            _ => {}
        }
        scan.bump();
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexical::tokenize;
    use super::*;

    #[test]
    fn collects_lets_and_definitions() {
        let src = "let A: ℝ^(m×n), x: ℝ^n\nf(x) = ‖Ax‖²";
        let tokens = tokenize(src).unwrap_or_default();
        let names = declared_names(src, &tokens);
        assert!(names.variables.contains("A"));
        assert!(names.variables.contains("m"));
        assert!(names.functions.contains("f"));
    }
}
