//! Literal matrices: inline (`[4 1; 1 2]`, `[4, 1; 1, 2]`, `\begin{bmatrix}…`) and, for a whole
//! Unicode expression, in two dimensions with aligned columns.

use super::form::Form;
use super::layout::{Ctx, Doc, Edge, Piece, Printer, AT};
use super::options::Dialect;
use pretty::RcDoc;

impl Printer {
    /// A matrix on one line. Unicode separates entries by spaces, so its entries are printed
    /// without loose spaces; ASCII separates them by commas.
    pub(crate) fn inline_matrix(&self, rows: usize, cols: usize, entries: &[Form]) -> Piece {
        let entry_ctx = Ctx {
            matrix: self.dialect == Dialect::Unicode,
            flat: true,
            ..Ctx::default()
        };
        let (open, col_sep, row_sep, close) = match self.dialect {
            Dialect::Unicode => ("[", " ", "; ", "]"),
            Dialect::Ascii => ("[", ", ", "; ", "]"),
            Dialect::Latex => ("\\begin{bmatrix} ", " & ", " \\\\ ", " \\end{bmatrix}"),
        };
        let mut doc: Doc = RcDoc::text(open);
        for r in 0..rows {
            if r > 0 {
                doc = doc.append(RcDoc::text(row_sep));
            }
            for c in 0..cols {
                if c > 0 {
                    doc = doc.append(RcDoc::text(col_sep));
                }
                if let Some(e) = entries.get(r * cols + c) {
                    doc = doc.append(self.child(e, entry_ctx, AT).doc);
                }
            }
        }
        Piece {
            doc: doc.append(RcDoc::text(close)),
            left: Edge::Open,
            right: Edge::Close,
        }
    }

    /// A Unicode matrix in two dimensions: `⎡ ⎤`, `⎢ ⎥`, `⎣ ⎦` (or `[ ]` for one row), columns
    /// of numbers aligned right and other columns aligned left.
    pub(crate) fn grid(&self, rows: usize, cols: usize, entries: &[Form]) -> String {
        let texts: Vec<String> = entries.iter().map(|e| self.flat_text(e)).collect();
        let width = |s: &str| s.chars().count();
        let sep = if texts.iter().any(|t| t.contains(' ')) {
            "  "
        } else {
            " "
        };
        let numeric = |f: &Form| match f {
            Form::Number(_) => true,
            Form::Neg(inner) => matches!(**inner, Form::Number(_)),
            _ => false,
        };
        let columns: Vec<(usize, bool)> = (0..cols)
            .map(|c| {
                let cells = (0..rows).filter_map(|r| {
                    let i = r * cols + c;
                    Some((texts.get(i)?, entries.get(i)?))
                });
                cells.fold((0, true), |(w, num), (t, e)| {
                    (w.max(width(t)), num && numeric(e))
                })
            })
            .collect();
        let mut lines = Vec::with_capacity(rows);
        for r in 0..rows {
            let (open, close) = match (rows, r) {
                (1, _) => ("[", "]"),
                (_, 0) => ("⎡", "⎤"),
                (n, r) if r + 1 == n => ("⎣", "⎦"),
                _ => ("⎢", "⎥"),
            };
            let cells: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(c, &(w, right))| {
                    let t = texts.get(r * cols + c).map_or("", String::as_str);
                    let pad = " ".repeat(w.saturating_sub(width(t)));
                    if right {
                        format!("{pad}{t}")
                    } else {
                        format!("{t}{pad}")
                    }
                })
                .collect();
            lines.push(format!("{open}{}{close}", cells.join(sep)));
        }
        lines.join("\n")
    }
}
