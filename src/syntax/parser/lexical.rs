//! The token level: whitespace, comments, numbers, names, operators, LaTeX commands and Unicode
//! super/subscripts. Small nom parsers recognise each token; a loop drives them over the source
//! so that every token keeps byte offsets into the original text.

use super::unicode::{self, ScriptChar};
use super::MAX_DEPTH;
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{opt, recognize};
use nom::{IResult, Parser};
use std::borrow::Cow;

/// Operators and punctuation, each covering all of its spellings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Plus,
    Minus,
    /// `*`, `·`, `⋅`, `×`, `\cdot`, `\times`
    Times,
    Slash,
    Caret,
    Underscore,
    Prime,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semicolon,
    Colon,
    Equals,
    /// `≈`, `~=`, `\approx`
    Approx,
    /// `⊙`, `.*`, `\odot`, `\circ`
    Hadamard,
    /// `⊘`, `./`, `\oslash`
    HadamardDiv,
    /// `⊗`, `\otimes`
    Kron,
    /// `‖`, `∥`, `||`, `\|`
    NormBar,
    /// `|`
    Bar,
    /// `√`
    Sqrt,
    /// `∑`
    Sum,
    /// `∇`
    Nabla,
    /// `∂`
    Partial,
    /// `𝟙`
    Ones,
    /// `ℝ`
    Reals,
    /// `∈`, `\in`
    In,
    /// `ᵀ`, `⊤`, `\top`
    Transpose,
    /// `..`
    Range,
    /// `&` (LaTeX column separator)
    Ampersand,
    /// `\\` (LaTeX row separator)
    RowBreak,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A run of letters (the text is the run).
    Ident,
    /// Decimal digits with optional fraction and exponent.
    Number,
    /// `½` and friends.
    Vulgar(u8, u8),
    /// `\name` (the text is the name without the backslash).
    Command,
    /// An operator or punctuation.
    Op(Op),
    /// A statement-ending line break.
    Newline,
    /// A line break inside `[…]`: a row separator.
    RowSep,
}

/// Whether a token was written as a superscript or a subscript character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Script {
    Normal,
    Super,
    Sub,
}

/// One token with its place.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token<'a> {
    pub kind: Kind,
    pub text: Cow<'a, str>,
    pub span: Span,
    pub script: Script,
    /// Whitespace (or a comment) came right before it.
    pub space_before: bool,
}

impl Token<'_> {
    /// Is this the (normal-script) operator `op`?
    pub fn is_op(&self, op: Op) -> bool {
        self.kind == Kind::Op(op) && self.script == Script::Normal
    }

    /// Is this a normal-script name spelled exactly `word`?
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Ident && self.script == Script::Normal && self.text == word
    }
}

fn number(i: &str) -> IResult<&str, &str> {
    recognize((
        digit1,
        opt((char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(i)
}

fn ident(i: &str) -> IResult<&str, &str> {
    take_while1(unicode::is_name_letter).parse(i)
}

fn command(i: &str) -> IResult<&str, &str> {
    let (rest, _) = char('\\').parse(i)?;
    alt((
        take_while1(|c: char| c.is_ascii_alphabetic()),
        recognize(one_of("|\\,;:! {}")),
    ))
    .parse(rest)
}

fn comment(i: &str) -> IResult<&str, &str> {
    recognize((char('#'), take_while(|c| c != '\n'))).parse(i)
}

fn blank(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| {
        matches!(
            c,
            ' ' | '\t' | '\r' | '\u{a0}' | '\u{feff}' | '\u{202f}' | '\u{2000}'..='\u{200b}'
        )
    })
    .parse(i)
}

fn multi_char_op(i: &str) -> IResult<&str, Op> {
    alt((
        tag("~=").map(|_| Op::Approx),
        tag(".*").map(|_| Op::Hadamard),
        tag("./").map(|_| Op::HadamardDiv),
        tag("..").map(|_| Op::Range),
        tag("||").map(|_| Op::NormBar),
    ))
    .parse(i)
}

fn single_char_op(c: char) -> Option<Op> {
    let op = match c {
        '+' => Op::Plus,
        '-' | '−' => Op::Minus,
        '*' | '·' | '⋅' | '×' | '∙' => Op::Times,
        '/' => Op::Slash,
        '^' => Op::Caret,
        '_' => Op::Underscore,
        '\'' | '′' => Op::Prime,
        '(' => Op::LParen,
        ')' => Op::RParen,
        '[' => Op::LBracket,
        ']' => Op::RBracket,
        '{' => Op::LBrace,
        '}' => Op::RBrace,
        ',' => Op::Comma,
        ';' => Op::Semicolon,
        ':' => Op::Colon,
        '=' => Op::Equals,
        '≈' => Op::Approx,
        '⊙' => Op::Hadamard,
        '⊘' => Op::HadamardDiv,
        '⊗' => Op::Kron,
        '‖' | '∥' => Op::NormBar,
        '|' => Op::Bar,
        '√' => Op::Sqrt,
        '∑' => Op::Sum,
        '∇' => Op::Nabla,
        '∂' => Op::Partial,
        '𝟙' => Op::Ones,
        'ℝ' => Op::Reals,
        '∈' => Op::In,
        'ᵀ' | '⊤' => Op::Transpose,
        '&' => Op::Ampersand,
        _ => return None,
    };
    Some(op)
}

/// LaTeX spacing commands, read as whitespace.
fn is_spacing_command(name: &str) -> bool {
    matches!(
        name,
        "," | ";" | ":" | "!" | " " | "quad" | "qquad" | "big" | "Big"
    )
}

/// LaTeX commands that are plain operators.
fn command_op(name: &str) -> Option<Op> {
    let op = match name {
        "|" => Op::NormBar,
        "\\" => Op::RowBreak,
        "cdot" | "times" | "ast" => Op::Times,
        "odot" | "circ" => Op::Hadamard,
        "oslash" => Op::HadamardDiv,
        "otimes" => Op::Kron,
        "approx" => Op::Approx,
        "top" | "intercal" => Op::Transpose,
        "nabla" => Op::Nabla,
        "partial" => Op::Partial,
        "in" => Op::In,
        _ => return None,
    };
    Some(op)
}

struct Lexer<'a> {
    source: &'a str,
    tokens: Vec<Token<'a>>,
    /// Open `(`, `[`, `{` and where they are.
    brackets: Vec<(char, Span)>,
    /// The opening `$` while inside math mode.
    dollar: Option<Span>,
    space_before: bool,
}

impl<'a> Lexer<'a> {
    fn offset(&self, rest: &str) -> usize {
        self.source.len() - rest.len()
    }

    fn push(&mut self, kind: Kind, text: Cow<'a, str>, span: Span, script: Script) {
        self.tokens.push(Token {
            kind,
            text,
            span,
            script,
            space_before: self.space_before,
        });
        self.space_before = false;
    }

    fn open(&mut self, c: char, span: Span) -> Result<(), Diagnostic> {
        if self.brackets.len() >= MAX_DEPTH {
            return Err(Diagnostic::new(
                DiagnosticKind::LimitExceeded,
                span,
                format!("brackets nested more than {MAX_DEPTH} deep"),
            )
            .with_hint("split the expression into smaller definitions"));
        }
        self.brackets.push((c, span));
        Ok(())
    }

    fn close(&mut self, opener: char) {
        if self.brackets.last().map(|(c, _)| *c) == Some(opener) {
            self.brackets.pop();
        }
    }

    fn newline(&mut self, span: Span) {
        if self.dollar.is_some() {
            self.space_before = true;
            return;
        }
        match self.brackets.last() {
            None => self.push(Kind::Newline, Cow::Borrowed("\n"), span, Script::Normal),
            Some(('[', _)) => self.push(Kind::RowSep, Cow::Borrowed("\n"), span, Script::Normal),
            Some(_) => self.space_before = true,
        }
    }

    fn op(&mut self, op: Op, text: &'a str, span: Span) -> Result<(), Diagnostic> {
        match op {
            Op::LParen => self.open('(', span)?,
            Op::LBracket => self.open('[', span)?,
            Op::LBrace => self.open('{', span)?,
            Op::RParen => self.close('('),
            Op::RBracket => self.close('['),
            Op::RBrace => self.close('{'),
            _ => {}
        }
        self.push(Kind::Op(op), Cow::Borrowed(text), span, Script::Normal);
        Ok(())
    }

    fn script(&mut self, meaning: ScriptChar, script: Script, span: Span) {
        let (kind, text) = match meaning {
            ScriptChar::Digit(d) => (Kind::Number, d),
            ScriptChar::Letter(l) => (Kind::Ident, l),
            ScriptChar::Plus => (Kind::Op(Op::Plus), "+"),
            ScriptChar::Minus => (Kind::Op(Op::Minus), "-"),
            ScriptChar::Equals => (Kind::Op(Op::Equals), "="),
            ScriptChar::LParen => (Kind::Op(Op::LParen), "("),
            ScriptChar::RParen => (Kind::Op(Op::RParen), ")"),
        };
        self.push(kind, Cow::Borrowed(text), span, script);
    }

    /// One step: consumes a token (or blank) at `rest` and returns what follows.
    fn step(&mut self, rest: &'a str) -> Result<&'a str, Diagnostic> {
        let start = self.offset(rest);
        let span_of = |after: &str| Span::new(start, start + (rest.len() - after.len()));
        if let Ok((after, _)) = blank(rest) {
            self.space_before = true;
            return Ok(after);
        }
        if let Ok((after, _)) = comment(rest) {
            self.space_before = true;
            return Ok(after);
        }
        if let Ok((after, text)) = number(rest) {
            self.push(
                Kind::Number,
                Cow::Borrowed(text),
                span_of(after),
                Script::Normal,
            );
            return Ok(after);
        }
        if let Ok((after, text)) = ident(rest) {
            self.push(
                Kind::Ident,
                Cow::Borrowed(text),
                span_of(after),
                Script::Normal,
            );
            return Ok(after);
        }
        if let Ok((after, name)) = command(rest) {
            if matches!(name, "left" | "right") {
                return self.sized_delimiter(name, after, start);
            }
            let span = span_of(after);
            if is_spacing_command(name) {
                self.space_before = true;
            } else if let Some(op) = command_op(name) {
                self.push(Kind::Op(op), Cow::Borrowed(name), span, Script::Normal);
            } else {
                self.push(Kind::Command, Cow::Borrowed(name), span, Script::Normal);
            }
            return Ok(after);
        }
        if let Ok((after, op)) = multi_char_op(rest) {
            let text = rest.get(..rest.len() - after.len()).unwrap_or("");
            self.op(op, text, span_of(after))?;
            return Ok(after);
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else {
            return Ok(rest);
        };
        let after = chars.as_str();
        let span = span_of(after);
        let text = rest.get(..c.len_utf8()).unwrap_or("");
        if c == '\n' {
            self.newline(span);
        } else if c == '$' {
            self.dollar = match self.dollar {
                Some(_) => None,
                None => Some(span),
            };
            self.space_before = true;
        } else if let Some(op) = single_char_op(c) {
            self.op(op, text, span)?;
        } else if let Some((n, d)) = unicode::vulgar_fraction(c) {
            self.push(
                Kind::Vulgar(n, d),
                Cow::Borrowed(text),
                span,
                Script::Normal,
            );
        } else if let Some(meaning) = unicode::superscript(c) {
            self.script(meaning, Script::Super, span);
        } else if let Some(meaning) = unicode::subscript(c) {
            self.script(meaning, Script::Sub, span);
        } else {
            return Err(unexpected_character(c, span));
        }
        Ok(after)
    }
}

impl<'a> Lexer<'a> {
    /// After `\left` or `\right`: `[`/`]` group like parentheses (`\left[ x \right]` is not a
    /// matrix), `.` is invisible, anything else is read normally (`\left(`, `\left\|`).
    fn sized_delimiter(
        &mut self,
        name: &str,
        after: &'a str,
        start: usize,
    ) -> Result<&'a str, Diagnostic> {
        let bracket = if name == "left" { '[' } else { ']' };
        if let Some(rest) = after.strip_prefix(bracket) {
            let end = self.offset(rest);
            let text = self.source.get(start..end).unwrap_or("");
            let op = if name == "left" {
                Op::LParen
            } else {
                Op::RParen
            };
            self.op(op, text, Span::new(start, end))?;
            return Ok(rest);
        }
        self.space_before = true;
        Ok(after.strip_prefix('.').unwrap_or(after))
    }
}

fn unexpected_character(c: char, span: Span) -> Diagnostic {
    let hint = match c {
        '\\' => "a LaTeX command is a backslash followed by letters, like `\\frac`",
        '.' => "write a number as `0.5`; elementwise product is `.*` or `⊙`",
        '~' => "approximately equal is `≈` or `~=`",
        '"' | '`' => "nabla has no strings",
        _ => "nabla's symbols are listed in NOTATION.md",
    };
    Diagnostic::new(
        DiagnosticKind::UnexpectedCharacter,
        span,
        format!(
            "unexpected character `{}` (U+{:04X})",
            c.escape_debug(),
            c as u32
        ),
    )
    .with_primary_message("not part of the language")
    .with_hint(hint)
}

/// Splits `source` into tokens. Fails on a character with no meaning, on brackets nested too
/// deep, and on an unclosed `$` or bracket.
pub(super) fn tokenize(source: &str) -> Result<Vec<Token<'_>>, Diagnostic> {
    let mut lexer = Lexer {
        source,
        tokens: Vec::new(),
        brackets: Vec::new(),
        dollar: None,
        space_before: true,
    };
    let mut rest = source;
    while !rest.is_empty() {
        rest = lexer.step(rest)?;
    }
    let end = Span::new(source.len(), source.len());
    if let Some(open) = lexer.dollar {
        return Err(Diagnostic::new(
            DiagnosticKind::Unterminated,
            end,
            "expected `$` to close the LaTeX math started here",
        )
        .with_primary_message("input ends inside `$…$`")
        .with_label(open, "math mode opened here")
        .with_hint("close the LaTeX part with `$`"));
    }
    if let Some((c, open)) = lexer.brackets.last().copied() {
        let close = match c {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        return Err(Diagnostic::new(
            DiagnosticKind::Unterminated,
            end,
            format!("expected `{close}` to close the `{c}`"),
        )
        .with_primary_message("input ends here")
        .with_label(open, "opened here")
        .with_hint(format!("add the missing `{close}`")));
    }
    Ok(lexer.tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, String, Script)> {
        tokenize(s)
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.kind, t.text.into_owned(), t.script))
            .collect()
    }

    #[test]
    fn scripts_decode() {
        let k = kinds("x²ᵢ");
        assert_eq!(k.len(), 3);
        assert_eq!(k[1], (Kind::Number, "2".into(), Script::Super));
        assert_eq!(k[2], (Kind::Ident, "i".into(), Script::Sub));
    }

    #[test]
    fn newline_inside_parens_is_blank() {
        let k = kinds("(a\nb)\nc");
        assert_eq!(k.iter().filter(|t| t.0 == Kind::Newline).count(), 1);
    }

    #[test]
    fn numbers_and_ranges() {
        let k = kinds("1..N 0.25 1e-3");
        assert_eq!(k[0].1, "1");
        assert_eq!(k[1].0, Kind::Op(Op::Range));
        assert_eq!(k[3].1, "0.25");
        assert_eq!(k[4].1, "1e-3");
    }

    #[test]
    fn unclosed_paren_points_at_opener() {
        let err = tokenize("f(x = (1").err();
        assert_eq!(err.map(|e| e.labels.len()), Some(2));
    }
}
