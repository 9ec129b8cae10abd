//! One printer, three dialects: Unicode (`Aᵀ(Ax − b)`), ASCII (`A'*(A*x - b)`) and LaTeX
//! (`A^\top (A x - b)`), in the spellings of NOTATION.md so that printed text parses back to the
//! same expression.
//!
//! Printing first reads the expression as textbook math (`form`: term order, signs, fractions,
//! roots), then spells it in a dialect as a `pretty` document (`layout` with `product`,
//! `powers`, `functions`, `operators`, `matrix`: precedence, parentheses, juxtaposition, line
//! breaks).
//!
//! ```
//! use nabla::expr::{Assumptions, Dim, Pool, Shape, SymbolOrigin};
//! use nabla::print::{print, PrintOptions};
//!
//! let mut pool = Pool::new();
//! let declare = |pool: &mut Pool, name: &str, shape: Shape| {
//!     let s = pool
//!         .declare(name, shape, Assumptions::default(), SymbolOrigin::Declared)
//!         .unwrap_or_else(|existing| existing);
//!     pool.symbol_expr(s)
//! };
//! let (m, n) = (Dim::symbol("m"), Dim::symbol("n"));
//! let a = declare(&mut pool, "A", Shape::matrix(m.clone(), n.clone()));
//! let x = declare(&mut pool, "x", Shape::vector(n));
//! let b = declare(&mut pool, "b", Shape::vector(m));
//! let ax = pool.mul(&[a, x]);
//! let r = pool.sub(ax, b);
//! let at = pool.transpose(a);
//! let g = pool.mul(&[at, r]);
//! assert_eq!(print(&pool, g, &PrintOptions::unicode()), "Aᵀ(Ax − b)");
//! assert_eq!(print(&pool, g, &PrintOptions::ascii()), "A'*(A*x - b)");
//! assert_eq!(print(&pool, g, &PrintOptions::latex()), "A^\\top (A x - b)");
//! ```

mod form;
mod functions;
mod layout;
mod matrix;
mod names;
mod numbers;
mod operators;
mod options;
mod powers;
mod product;
mod scripts;
mod shape;

pub use names::print_name;
pub use options::{Dialect, PrintOptions};
pub use shape::print_shape;

use crate::expr::{Id, Pool};
use form::{Form, Reader};
use layout::{Ctx, Printer};

/// Prints one expression. A literal matrix that is the whole expression is laid out in two
/// dimensions in Unicode; long sums break between terms at `options.width`.
pub fn print(pool: &Pool, id: Id, options: &PrintOptions) -> String {
    let form = Reader::new(pool).form(id);
    let printer = Printer::new(pool, options.dialect);
    if let (
        Dialect::Unicode,
        Form::Matrix {
            rows,
            cols,
            entries,
        },
    ) = (options.dialect, &form)
    {
        return printer.grid(*rows, *cols, entries);
    }
    let piece = printer.piece(&form, Ctx::default());
    Printer::render(&piece.doc, options.width)
}
