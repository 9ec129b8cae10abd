//! Line breaking of long LaTeX equations: an expression becomes pieces that may be set on
//! separate rows (the terms of a sum, the factors of a product), each with its estimated width.

use crate::expr::{Id, Node, Pool};
use crate::print::{print, PrintOptions};

/// A piece of an expression's LaTeX and its width in Unicode characters (a stand-in for its
/// typeset width).
#[derive(Clone, Debug)]
pub struct Piece {
    pub latex: String,
    pub width: usize,
}

/// The LaTeX of `e` on rows of at most about `limit` characters; the first row has
/// `first_used` characters taken already. Rows after the first start with `\quad`.
pub fn rows(pool: &Pool, e: Id, limit: usize, first_used: usize) -> Vec<Piece> {
    let whole = piece(pool, e);
    if whole.width + first_used <= limit {
        return vec![whole];
    }
    let pieces = split(pool, e, limit, true);
    let mut out: Vec<Piece> = Vec::new();
    let mut current = Piece {
        latex: String::new(),
        width: first_used,
    };
    for p in pieces {
        if current.width + p.width > limit && !current.latex.is_empty() {
            out.push(std::mem::replace(
                &mut current,
                Piece {
                    latex: String::new(),
                    width: 4,
                },
            ));
        }
        current.latex.push_str(&p.latex);
        current.width += p.width;
    }
    if !current.latex.is_empty() {
        out.push(current);
    }
    out
}

fn piece(pool: &Pool, e: Id) -> Piece {
    Piece {
        latex: print(pool, e, &PrintOptions::latex()),
        width: print(pool, e, &PrintOptions::unicode()).chars().count(),
    }
}

/// Break opportunities of `e`, whose concatenation is `e`'s LaTeX: the terms of a sum (with
/// their signs) and the factors of a product (joined by `\cdot`), recursively while a piece is
/// longer than `limit`.
fn split(pool: &Pool, e: Id, limit: usize, force: bool) -> Vec<Piece> {
    let whole = piece(pool, e);
    if whole.width <= limit && !force {
        return vec![whole];
    }
    match pool.node(e) {
        Node::Add(terms) => {
            let mut out = Vec::new();
            for (i, &t) in terms.iter().enumerate() {
                let mut parts = split(pool, t, limit, false);
                let negative = parts.first().is_some_and(|p| p.latex.starts_with('-'));
                if let Some(first) = parts.first_mut() {
                    let sign = match (i, negative) {
                        (0, _) => "",
                        (_, true) => " - ",
                        (_, false) => " + ",
                    };
                    if negative && i > 0 {
                        first.latex.remove(0);
                    }
                    first.latex.insert_str(0, sign);
                    first.width += sign.len();
                }
                out.extend(parts);
            }
            out
        }
        Node::Mul(factors) => {
            let mut out: Vec<Piece> = Vec::new();
            for (i, &f) in factors.iter().enumerate() {
                // Operands that bind more loosely than a product keep their parentheses.
                let loose = matches!(
                    pool.node(f),
                    Node::Add(_) | Node::Hadamard(_) | Node::Kron(..)
                );
                let mut parts = if loose {
                    let mut inner = split(pool, f, limit, false);
                    if let Some(first) = inner.first_mut() {
                        first.latex.insert(0, '(');
                        first.width += 1;
                    }
                    if let Some(last) = inner.last_mut() {
                        last.latex.push(')');
                        last.width += 1;
                    }
                    inner
                } else {
                    split(pool, f, limit, false)
                };
                // A leading −1 coefficient prints as a sign.
                if i == 0 && parts.len() == 1 && parts.first().is_some_and(|p| p.latex == "-1") {
                    out.push(Piece {
                        latex: "-".into(),
                        width: 1,
                    });
                    continue;
                }
                let after_sign =
                    i == 1 && out.len() == 1 && out.first().is_some_and(|p| p.latex == "-");
                if i > 0 && !after_sign {
                    if let Some(first) = parts.first_mut() {
                        first.latex.insert_str(0, " \\cdot ");
                        first.width += 3;
                    }
                }
                out.extend(parts);
            }
            out
        }
        _ => vec![whole],
    }
}
