//! Worked solutions: a derivative written out step by step, each step naming its rule, as data
//! that renders to a LaTeX document, a KaTeX-safe fragment, Markdown or Unicode text.
//!
//! The steps are the trace of the real computation: the forward differential records every
//! rule it applies ([`crate::diff::traced_differential`]), the substitutions back record the
//! simplifier's named rules ([`crate::simplify::Rule`]), and the boxed result is exactly what
//! `nabla grad`/`hess`/`jac`/`diff` return (in textbook form); where the trace's form differs
//! from it, the solution shows the equality as a further step, checked before it is written.
//!
//! ```
//! use nabla::document::{Document, ReadOptions};
//! use nabla::solve::{derive, render, Format, Goal};
//!
//! let options = ReadOptions {
//!     declarations: Some("A: ℝ^(m×n), x: ℝ^n".into()),
//!     ..ReadOptions::default()
//! };
//! let mut doc = Document::read("½‖Ax − b‖²", &options).unwrap();
//! let f = doc.last_expression().unwrap();
//! let x = doc.lowered.pool.lookup("x").unwrap();
//! let x = doc.lowered.pool.symbol_expr(x);
//! let solution = derive(&mut doc.lowered.pool, f, &[x], Goal::Gradient).unwrap();
//! let text = render(&solution, &doc.lowered.pool, Format::Unicode);
//! assert!(text.contains("∇ₓ (½‖Ax − b‖²) = ▸ Aᵀ(Ax − b) ◂"));
//! assert!(text.contains("by differential of a squared norm"));
//! ```

mod derive;
mod render;

pub use derive::{derive, Goal};
pub use render::{render, Format};

use crate::expr::{Id, SymbolId};

/// A worked solution: a title and a sequence of blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// What is solved.
    pub title: Vec<Inline>,
    /// The declarations the equations need (`A: ℝ^(m×n), x: ℝ^n`), Unicode, without `let`.
    pub declarations: String,
    /// The symbols those declarations declare (shown as "where A ∈ ℝ^(m×n), …").
    pub symbols: Vec<SymbolId>,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a worked solution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A section heading.
    Heading(Vec<Inline>),
    /// A paragraph.
    Text(Vec<Inline>),
    /// A displayed equation or chain of equations.
    Equation(Equation),
    /// A table of numbers (a descent's iterates, say).
    Table(Table),
}

/// A run of prose or an expression inside a heading or paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    /// Words (Unicode; renderers translate the math characters they contain).
    Text(String),
    /// An expression, printed in the output's dialect.
    Math(Id),
}

/// `lhs = a = b …`, with the rule that justifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    /// The left-hand side.
    pub lhs: Id,
    /// Each following expression and how it relates to the one before.
    pub chain: Vec<(Relation, Id)>,
    /// Why the equation holds: a rule's name and its statement.
    pub reason: Option<Reason>,
    /// The result of the solution (rendered boxed).
    pub boxed: bool,
    /// A point the equation is stated at (`at x = 1`): names and values.
    pub at: Vec<(String, Id)>,
}

/// The relation between consecutive expressions of an [`Equation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `=`: holds.
    Equals,
    /// `≈` to the decimals written: holds.
    Approx,
    /// `≠`: a step found wrong.
    NotEqual,
    /// `=?`: a step claimed equal that could not be decided.
    Undecided,
}

/// The rule behind a step: its name, and its statement (a formula in Unicode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The rule's name ("product rule").
    pub name: String,
    /// The rule as a formula ("d(uv) = du v + u dv"), or further detail.
    pub statement: String,
}

/// A table: a header row and rows of cells (plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The column headings.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

impl Equation {
    /// `lhs = rhs` with a reason.
    pub fn new(lhs: Id, rhs: Id, reason: Option<Reason>) -> Equation {
        Equation {
            lhs,
            chain: vec![(Relation::Equals, rhs)],
            reason,
            boxed: false,
            at: Vec::new(),
        }
    }
}

impl Reason {
    /// A reason with a name and a statement.
    pub fn new(name: impl Into<String>, statement: impl Into<String>) -> Reason {
        Reason {
            name: name.into(),
            statement: statement.into(),
        }
    }
}

/// Shorthands for building inline content.
pub(crate) fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}
