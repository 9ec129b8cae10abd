//! The parser: source text in any of the three spellings (Unicode, ASCII, LaTeX) → syntax tree.
//!
//! Reading happens in two layers. The lexer turns the original text into tokens with byte spans
//! (small nom parsers recognise each token, so spans are offsets into the text as written); the
//! rest is a recursive-descent parser over those tokens with explicit limits on nesting depth,
//! chain length and tree size, so no input can overflow the stack or run for long. Parsing runs
//! on its own large-stack thread, so the caller's stack size does not matter. The formal grammar
//! is `grammar/nabla.ebnf`.
//!
//! `parse_program` first collects the names declared by `let` (with their dimension symbols) and
//! by definitions (function names and parameters); they decide how runs of letters like `Ax` are
//! split into products and whether `g(x)` is a call or `g·x`.
//!
//! Choices worth knowing:
//! - `^` is right-associative (`2^3^2` = 2^(3^2)); unary minus binds tighter than products
//!   (`−2x` = (−2)·x) and looser than powers (`−x²` = −(x²)).
//! - A name followed by `(` is a call only for built-ins, defined functions, and `f`, `g`, `h`
//!   when they are not declared symbols; otherwise it multiplies (`x(y + 1)`).
//! - `^T` and `⁻¹` always mean transpose and inverse (also on scalars, and even if `T` is a
//!   declared symbol); `x^-1`, `x^{-1}` and `x⁻¹` are all `Inverse`.
//! - `diff(…)` is a partial derivative; `d/dx` and `f'(x)` are ordinary ones.
//! - Matrix rows of different lengths are refused here (shape-mismatch), not left to lowering.

mod atom;
mod cursor;
mod derivative;
mod expression;
mod latex;
mod lexical;
mod name;
mod names;
mod statement;
mod types;
mod unicode;

use super::ast::{Expr, Program};
use super::diagnostic::{Diagnostic, DiagnosticKind};
use super::span::Span;
use cursor::Parser;
use names::Names;

/// The deepest nesting of brackets, norms, calls, groups and operators accepted.
pub const MAX_DEPTH: usize = 200;

/// The largest source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The most syntax nodes one statement may have.
pub const MAX_NODES: usize = 1_000_000;

/// The most levels of operator chains (`ABC…`, `xᵀᵀ…`, a sum's balanced tree) on any path of a
/// statement's tree; with [`MAX_DEPTH`] this bounds the height of every tree, so later passes
/// can recurse safely. The terms of a sum count side by side, so a sum may be long.
pub const MAX_CHAIN: usize = 1_000;

/// Stack for the parsing thread: deep nesting is refused at [`MAX_DEPTH`], but reaching that
/// depth in an unoptimised build needs more than a default 2 MiB thread stack.
const PARSER_STACK_BYTES: usize = 64 << 20;

/// Inputs with at most this many tokens on every line cannot nest deeply enough to need the
/// parsing thread (each token opens at most a few levels), so they are parsed in place, saving
/// the thread.
const IN_PLACE_TOKENS: usize = 48;

/// Parses a derivation file (or a one-liner like `let x: ℝ^n; ‖x‖²`).
pub fn parse_program(source: &str) -> Result<Program, Diagnostic> {
    parse_program_with(source, &[])
}

/// Parses a derivation file, treating `known_names` as declared symbols (for `--let`).
pub fn parse_program_with(source: &str, known_names: &[&str]) -> Result<Program, Diagnostic> {
    parse_file(source, known_names, false)
}

/// Parses a derivation file to be checked: as [`parse_program_with`], except that a claim that
/// cannot be parsed becomes a [`Statement::UnreadableClaim`](super::ast::Statement) and parsing
/// goes on at the next statement, so one malformed claim does not hide the others.
pub fn parse_checkable_program(source: &str, known_names: &[&str]) -> Result<Program, Diagnostic> {
    parse_file(source, known_names, true)
}

fn parse_file(
    source: &str,
    known_names: &[&str],
    recover_claims: bool,
) -> Result<Program, Diagnostic> {
    check_size(source)?;
    let tokens = lexical::tokenize(source)?;
    with_enough_stack(longest_line(&tokens), || {
        let mut names = statement::declared_names(source, &tokens);
        names
            .variables
            .extend(known_names.iter().map(|n| names::canonical_name(n)));
        let mut parser = Parser::new(source, tokens.clone(), &names);
        parser.recover_claims = recover_claims;
        parser.program()
    })
}

/// Parses a single expression.
pub fn parse_expression(source: &str) -> Result<Expr, Diagnostic> {
    parse_expression_with(source, &[])
}

/// Parses a single expression, treating `known_names` as declared symbols: a run of letters
/// that is one of them stays whole, and runs are split into them where possible.
pub fn parse_expression_with(source: &str, known_names: &[&str]) -> Result<Expr, Diagnostic> {
    check_size(source)?;
    let tokens = lexical::tokenize(source)?;
    let names = Names {
        variables: known_names
            .iter()
            .map(|n| names::canonical_name(n))
            .collect(),
        functions: Default::default(),
    };
    with_enough_stack(longest_line(&tokens), || {
        let mut parser = Parser::new(source, tokens.clone(), &names);
        parser.whole_expression()
    })
}

/// The most tokens on one line. The lexer ends a line only outside brackets, and the parser
/// reads across such a break only between statements or claim steps, at a fixed shallow depth,
/// so a line's tokens bound how deep parsing nests.
fn longest_line(tokens: &[lexical::Token<'_>]) -> usize {
    tokens
        .split(|t| t.kind == lexical::Kind::Newline)
        .map(<[_]>::len)
        .max()
        .unwrap_or(0)
}

/// Runs `work` in place for small inputs, else on the parsing thread.
fn with_enough_stack<T: Send>(line_tokens: usize, work: impl Fn() -> T + Sync) -> T {
    if line_tokens <= IN_PLACE_TOKENS {
        work()
    } else {
        on_parser_stack(work)
    }
}

/// Runs `work` on a thread with a stack large enough for [`MAX_DEPTH`] in any build, so the
/// caller's stack size does not matter; runs it in place if no thread can be started.
fn on_parser_stack<T: Send>(work: impl Fn() -> T + Sync) -> T {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("nabla-parser".to_string())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, &work);
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(value) => value,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => work(),
        }
    })
}

fn check_size(source: &str) -> Result<(), Diagnostic> {
    if source.len() > MAX_SOURCE_BYTES {
        let start = source
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= MAX_SOURCE_BYTES)
            .unwrap_or(MAX_SOURCE_BYTES);
        return Err(Diagnostic::new(
            DiagnosticKind::LimitExceeded,
            Span::new(start, source.len()),
            format!(
                "the input is {} bytes; at most {MAX_SOURCE_BYTES} are read",
                source.len()
            ),
        )
        .with_hint("split the input into several files"));
    }
    Ok(())
}
