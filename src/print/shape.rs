//! Shapes as types: `ℝ`, `ℝ^n`, `ℝ^(m×n)` / `R^(m x n)` / `\mathbb{R}^{m \times n}`.

use super::names::print_name;
use super::options::Dialect;
use crate::expr::{Dim, Shape};

/// Prints a shape as the type a `let` declares: scalar, column vector or matrix.
pub fn print_shape(shape: &Shape, dialect: Dialect) -> String {
    let reals = match dialect {
        Dialect::Unicode => "ℝ",
        Dialect::Ascii => "R",
        Dialect::Latex => "\\mathbb{R}",
    };
    if shape.is_scalar() {
        return reals.to_string();
    }
    let rows = dim_text(&shape.rows, dialect);
    if shape.cols.is_one() {
        return match dialect {
            Dialect::Latex => format!("{reals}^{{{rows}}}"),
            _ if is_simple(&shape.rows) => format!("{reals}^{rows}"),
            _ => format!("{reals}^({rows})"),
        };
    }
    let cols = dim_text(&shape.cols, dialect);
    match dialect {
        Dialect::Unicode => format!("{reals}^({rows}×{cols})"),
        Dialect::Ascii => format!("{reals}^({rows} x {cols})"),
        Dialect::Latex => format!("{reals}^{{{rows} \\times {cols}}}"),
    }
}

/// A dimension that is one number or one symbol.
fn is_simple(d: &Dim) -> bool {
    d.symbols.is_empty() || (d.coeff == 1 && d.symbols.len() == 1)
}

/// A dimension: `3`, `n`, `2m·p` / `2*m*p` / `2 m p`.
fn dim_text(d: &Dim, dialect: Dialect) -> String {
    let mut parts: Vec<String> = Vec::new();
    if d.coeff != 1 || d.symbols.is_empty() {
        parts.push(d.coeff.to_string());
    }
    parts.extend(d.symbols.iter().map(|s| print_name(s, dialect)));
    let sep = match dialect {
        Dialect::Unicode => "·",
        Dialect::Ascii => "*",
        Dialect::Latex => " ",
    };
    parts.join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_in_three_dialects() {
        let m = Dim::symbol("m");
        let n = Dim::symbol("n");
        let cases = [
            (Shape::scalar(), "ℝ", "R", "\\mathbb{R}"),
            (Shape::vector(n.clone()), "ℝ^n", "R^n", "\\mathbb{R}^{n}"),
            (
                Shape::vector(Dim::known(3)),
                "ℝ^3",
                "R^3",
                "\\mathbb{R}^{3}",
            ),
            (
                Shape::matrix(m.clone(), n.clone()),
                "ℝ^(m×n)",
                "R^(m x n)",
                "\\mathbb{R}^{m \\times n}",
            ),
            (
                Shape::matrix(Dim::known(1), n.clone()),
                "ℝ^(1×n)",
                "R^(1 x n)",
                "\\mathbb{R}^{1 \\times n}",
            ),
            (
                Shape::vector(m.times(&n).unwrap_or(Dim::one())),
                "ℝ^(m·n)",
                "R^(m*n)",
                "\\mathbb{R}^{m n}",
            ),
            (
                Shape::matrix(Dim::symbol("α"), Dim::known(2)),
                "ℝ^(α×2)",
                "R^(alpha x 2)",
                "\\mathbb{R}^{\\alpha \\times 2}",
            ),
        ];
        for (shape, u, a, l) in cases {
            assert_eq!(print_shape(&shape, Dialect::Unicode), u);
            assert_eq!(print_shape(&shape, Dialect::Ascii), a);
            assert_eq!(print_shape(&shape, Dialect::Latex), l);
        }
    }
}
