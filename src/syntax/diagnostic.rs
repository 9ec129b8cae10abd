//! Diagnostics are data: a kind, a message, labelled spans and a hint. Only the CLI renders them.

use super::span::Span;
use serde::Serialize;

/// What went wrong, one variant per kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// Input that does not match the grammar.
    Syntax,
    /// A delimiter (`(`, `‖`, `|`, `[`, `$`, `\begin`) that is never closed.
    Unterminated,
    /// A LaTeX command nabla does not know.
    UnknownCommand,
    /// A character that has no meaning in the language.
    UnexpectedCharacter,
    /// A run of letters that cannot be split into declared names, or splits more than one way.
    AmbiguousName,
    /// A name that is used but never defined where a definition is required (a function, a variable of differentiation).
    UnknownName,
    /// A name declared twice with different types.
    Redeclared,
    /// Shapes that cannot fit together.
    ShapeMismatch,
    /// A shape that could not be inferred.
    UnknownShape,
    /// Wrong number or kind of arguments to a built-in or defined function.
    BadArguments,
    /// A resource limit (input size, nesting depth, exponent size, expression size, time).
    LimitExceeded,
    /// A construct the grammar accepts but nabla cannot do (yet); the message says what.
    Unsupported,
    /// An expression undefined wherever it is evaluated: a division by zero, `0⁻¹`.
    Undefined,
    /// Input that is not valid UTF-8 or cannot be read.
    Input,
}

impl DiagnosticKind {
    /// A stable short code, used in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            DiagnosticKind::Syntax => "syntax",
            DiagnosticKind::Unterminated => "unterminated",
            DiagnosticKind::UnknownCommand => "unknown-command",
            DiagnosticKind::UnexpectedCharacter => "unexpected-character",
            DiagnosticKind::AmbiguousName => "ambiguous-name",
            DiagnosticKind::UnknownName => "unknown-name",
            DiagnosticKind::Redeclared => "redeclared",
            DiagnosticKind::ShapeMismatch => "shape-mismatch",
            DiagnosticKind::UnknownShape => "unknown-shape",
            DiagnosticKind::BadArguments => "bad-arguments",
            DiagnosticKind::LimitExceeded => "limit-exceeded",
            DiagnosticKind::Unsupported => "unsupported",
            DiagnosticKind::Undefined => "undefined",
            DiagnosticKind::Input => "input",
        }
    }
}

/// A labelled place in the source. The first label of a diagnostic is the primary one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong there (may be empty).
    pub message: String,
}

/// One error, with every place it involves and a hint for fixing it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The kind of failure.
    pub kind: DiagnosticKind,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The places involved, primary first.
    pub labels: Vec<Label>,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with one primary label.
    pub fn new(kind: DiagnosticKind, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            labels: vec![Label {
                span,
                message: String::new(),
            }],
            hint: None,
        }
    }

    /// Adds a labelled place.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the message of the primary label.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(first) = self.labels.first_mut() {
            first.message = message.into();
        }
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// The primary span (the first label's), or an empty span at 0.
    pub fn span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }
}
