//! Rendering a [`Solution`] as a LaTeX document, a KaTeX-safe LaTeX fragment, Markdown, or
//! Unicode text. Long equations are broken between the terms of sums and the factors of
//! products so that every row fits the page.

mod breaking;
mod latex;
mod plain;

use super::{Relation, Solution};
use crate::expr::Pool;
use crate::print::{print_name, print_shape, Dialect};

/// The output format of a worked solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Terminal text in textbook Unicode.
    Unicode,
    /// Markdown with `$$` display math (notes, Jupyter).
    Markdown,
    /// A standalone LaTeX document (article, amsmath) for pdflatex.
    LatexDocument,
    /// Only the math, as one `aligned` block that KaTeX renders.
    LatexFragment,
}

/// Renders a solution whose expressions live in `pool`.
pub fn render(solution: &Solution, pool: &Pool, format: Format) -> String {
    match format {
        Format::Unicode => plain::unicode(solution, pool),
        Format::Markdown => plain::markdown(solution, pool),
        Format::LatexDocument => latex::document(solution, pool),
        Format::LatexFragment => latex::fragment(solution, pool),
    }
}

/// The relation sign in each dialect: (Unicode, LaTeX).
fn relation_sign(r: Relation) -> (&'static str, &'static str) {
    match r {
        Relation::Equals => ("=", "="),
        Relation::Approx => ("≈", "\\approx"),
        Relation::NotEqual => ("≠", "\\neq"),
        Relation::Undecided => ("=?", "\\stackrel{?}{=}"),
    }
}

/// The solution's symbols as `A ∈ ℝ^(m×n), …` (LaTeX: `$A \\in \\mathbb{R}^{m \\times n}$, …`), with
/// their assumptions.
pub(super) fn declarations(s: &Solution, pool: &Pool, dialect: Dialect) -> String {
    let parts: Vec<String> = s
        .symbols
        .iter()
        .map(|&id| {
            let sym = pool.symbol(id);
            let name = print_name(&sym.name, dialect);
            let shape = print_shape(&sym.shape, dialect);
            let mut d = match dialect {
                Dialect::Latex => format!("${name} \\in {shape}$"),
                _ => format!("{name} ∈ {shape}"),
            };
            if sym.assumptions.positive_definite {
                d.push_str(" (symmetric positive definite)");
            } else if sym.assumptions.symmetric {
                d.push_str(" (symmetric)");
            }
            d
        })
        .collect();
    parts.join(", ")
}
