//! The parser's state: a cursor over the tokens, lookahead, error helpers and the limits.

use super::lexical::{Kind, Op, Script, Token};
use super::names::Names;
use super::{MAX_CHAIN, MAX_DEPTH, MAX_NODES};
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;

/// Result of a parsing step.
pub(super) type PResult<T> = Result<T, Diagnostic>;

/// Recursive-descent parser over tokens.
pub(super) struct Parser<'a, 'n> {
    pub source_len: usize,
    tokens: Vec<Token<'a>>,
    pos: usize,
    /// Tokens to read before `tokens[pos]` (the last is next): pieces of a split letter run.
    pending: Vec<Token<'a>>,
    pub names: &'n Names,
    depth: usize,
    nodes: usize,
    /// Height the operator chains on the current path add to the tree (they make it taller
    /// without nesting the input); the terms of a sum are counted side by side, not in turn.
    pub links: usize,
    /// End of the last token consumed.
    pub last_end: usize,
    /// Is a claim that cannot be parsed kept as unreadable (and parsing resumed)?
    pub recover_claims: bool,
    /// Inside a `[…]` row, at the top level of an entry: whitespace separates entries.
    pub matrix_row: bool,
    /// Number of open `|…|` around the current position (a `|` then closes).
    pub bars: usize,
    /// Number of open `‖…‖` around the current position (a `‖` then closes).
    pub norms: usize,
}

impl<'a, 'n> Parser<'a, 'n> {
    /// A parser over `tokens` of `source`.
    pub fn new(source: &str, tokens: Vec<Token<'a>>, names: &'n Names) -> Self {
        Parser {
            source_len: source.len(),
            tokens,
            pos: 0,
            pending: Vec::new(),
            names,
            depth: 0,
            nodes: 0,
            links: 0,
            recover_claims: false,
            last_end: 0,
            matrix_row: false,
            bars: 0,
            norms: 0,
        }
    }

    /// A parser over a run of script tokens, sharing this one's names and limits.
    pub fn sub(&self, tokens: Vec<Token<'a>>) -> Parser<'a, 'n> {
        let end = tokens.last().map(|t| t.span.end as usize).unwrap_or(0);
        Parser {
            source_len: end,
            tokens,
            pos: 0,
            pending: Vec::new(),
            names: self.names,
            depth: self.depth,
            nodes: self.nodes,
            links: self.links,
            recover_claims: false,
            last_end: self.last_end,
            matrix_row: false,
            bars: 0,
            norms: 0,
        }
    }

    /// Takes over the node count of a finished sub-parser.
    pub fn absorb(&mut self, sub: &Parser<'_, '_>) {
        self.nodes = self.nodes.max(sub.nodes);
        self.links = self.links.max(sub.links);
    }

    /// The next token.
    pub fn peek(&self) -> Option<&Token<'a>> {
        self.peek_at(0)
    }

    /// The token `n` places ahead.
    pub fn peek_at(&self, n: usize) -> Option<&Token<'a>> {
        let len = self.pending.len();
        if n < len {
            self.pending.get(len - 1 - n)
        } else {
            self.tokens.get(self.pos + (n - len))
        }
    }

    /// Consumes the next token.
    pub fn bump(&mut self) -> Option<Token<'a>> {
        let token = match self.pending.pop() {
            Some(t) => Some(t),
            None => {
                let t = self.tokens.get(self.pos).cloned();
                if t.is_some() {
                    self.pos += 1;
                }
                t
            }
        };
        if let Some(t) = &token {
            self.last_end = t.span.end as usize;
        }
        token
    }

    /// Puts tokens back in front, to be read in the given order.
    pub fn push_front(&mut self, tokens: Vec<Token<'a>>) {
        self.pending.extend(tokens.into_iter().rev());
    }

    /// Is the next token the normal-script operator `op`?
    pub fn at_op(&self, op: Op) -> bool {
        self.peek().is_some_and(|t| t.is_op(op))
    }

    /// Forgets the pieces of a split letter run not read yet (when skipping a bad statement).
    pub fn clear_pending(&mut self) {
        self.pending.clear();
    }

    /// Is the next token the word `word`?
    pub fn at_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(word))
    }

    /// Is the next token the command `\name`?
    pub fn at_command(&self, name: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == Kind::Command && t.text == name)
    }

    /// Consumes the operator `op` if it is next.
    pub fn eat_op(&mut self, op: Op) -> Option<Span> {
        if self.at_op(op) {
            self.bump().map(|t| t.span)
        } else {
            None
        }
    }

    /// Consumes the word `word` if it is next.
    pub fn eat_word(&mut self, word: &str) -> Option<Span> {
        if self.at_word(word) {
            self.bump().map(|t| t.span)
        } else {
            None
        }
    }

    /// Consumes `op` or fails saying `what` was expected.
    pub fn expect_op(&mut self, op: Op, what: &str) -> PResult<Span> {
        self.eat_op(op).ok_or_else(|| self.expected(what))
    }

    /// Skips line breaks (around a lone expression).
    pub fn skip_newlines(&mut self) {
        while self.peek().is_some_and(|t| t.kind == Kind::Newline) {
            self.bump();
        }
    }

    /// Is there no token left?
    pub fn at_end(&self) -> bool {
        self.peek().is_none()
    }

    /// Where the next token is (an empty span at the end when there is none).
    pub fn here(&self) -> Span {
        match self.peek() {
            Some(t) => t.span,
            None => Span::new(self.source_len, self.source_len),
        }
    }

    /// Start offset of the next token.
    pub fn start(&self) -> usize {
        self.here().start as usize
    }

    /// The span from `start` to the end of the last consumed token.
    pub fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.last_end.max(start))
    }

    /// A syntax error at the next token: "expected …, found …".
    pub fn expected(&self, what: &str) -> Diagnostic {
        let found = match self.peek() {
            None => "the end of the input".to_string(),
            Some(t) => describe(t),
        };
        Diagnostic::new(
            DiagnosticKind::Syntax,
            self.here(),
            format!("expected {what}, found {found}"),
        )
        .with_primary_message(format!("expected {what}"))
    }

    /// An unterminated-delimiter error: `close` was expected here, `open` is where it began.
    pub fn unterminated(&self, close: &str, open: Span, hint: &str) -> Diagnostic {
        let found = match self.peek() {
            None => "the end of the input".to_string(),
            Some(t) => describe(t),
        };
        Diagnostic::new(
            DiagnosticKind::Unterminated,
            self.here(),
            format!("expected `{close}`, found {found}"),
        )
        .with_primary_message(format!("expected `{close}` here"))
        .with_label(open, "opened here")
        .with_hint(hint.to_string())
    }

    /// Runs `f` one nesting level deeper, failing past [`MAX_DEPTH`]. A bracket costs two
    /// levels of recursion (the bracket and the atom inside), so the budget is doubled.
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= 2 * MAX_DEPTH {
            return Err(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                self.here(),
                format!("expression nested more than {MAX_DEPTH} deep"),
            )
            .with_primary_message("too deep here")
            .with_hint("split the expression into smaller definitions"));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// Builds a node, counting it against [`MAX_NODES`].
    pub fn node(&mut self, kind: ExprKind, span: Span) -> PResult<Expr> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            let end = span.end as usize;
            return Err(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                Span::new(end, end),
                format!("the statement has more than {MAX_NODES} parts"),
            )
            .with_primary_message("the limit is reached here")
            .with_hint("split it into smaller definitions"));
        }
        Ok(Expr { kind, span })
    }

    /// Counts one operator of a left-associative chain (`ABC…`, `xᵀᵀ…`) against [`MAX_CHAIN`],
    /// which bounds the height of the tree.
    pub fn link(&mut self) -> PResult<()> {
        self.charge(1)
    }

    /// Counts `height` levels of tree against [`MAX_CHAIN`].
    pub fn charge(&mut self, height: usize) -> PResult<()> {
        self.links += height;
        if self.links > MAX_CHAIN {
            return Err(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                self.here(),
                format!("the statement chains more than {MAX_CHAIN} operators on one path"),
            )
            .with_primary_message("the limit is reached here")
            .with_hint("split it into smaller definitions"));
        }
        Ok(())
    }

    /// Starts counting nodes afresh (at each statement).
    pub fn reset_nodes(&mut self) {
        self.links = 0;
        self.nodes = 0;
    }

    /// Runs `f` with fresh delimiter context (inside brackets, calls, norms, groups).
    pub fn enclosed<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let (row, bars, norms) = (self.matrix_row, self.bars, self.norms);
        self.matrix_row = false;
        self.bars = 0;
        self.norms = 0;
        let result = self.nested(f);
        self.matrix_row = row;
        self.bars = bars;
        self.norms = norms;
        result
    }

    /// Is the next token a script token of kind `script` written right after the last one?
    pub fn at_script(&self, script: Script) -> bool {
        self.peek().is_some_and(|t| t.script == script)
    }
}

/// How a token is named in an error message.
pub(super) fn describe(t: &Token<'_>) -> String {
    match (t.kind, t.script) {
        (Kind::Newline, _) => "the end of the line".to_string(),
        (Kind::RowSep, _) => "a line break".to_string(),
        (_, Script::Super) => format!("superscript `{}`", t.text),
        (_, Script::Sub) => format!("subscript `{}`", t.text),
        (Kind::Command, _) => format!("`\\{}`", t.text),
        (Kind::Op(Op::RowBreak), _) => "`\\\\`".to_string(),
        _ => format!("`{}`", t.text),
    }
}
