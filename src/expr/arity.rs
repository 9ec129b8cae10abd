//! The structural invariants every stored node satisfies, checked as it enters the pool: its
//! children are ids of the same pool, and n-ary nodes have the arity the rest of the crate relies
//! on (simplification and differentiation index `factors[0]`, `args[0]` without checking).

use super::node::{Id, Node};

/// Why `node` cannot be stored in a pool of `len` nodes and `symbols` symbols, or `None` if it
/// can. Allocation-free: it runs on every node stored.
pub(super) fn violation(node: &Node, len: usize, symbols: usize) -> Option<&'static str> {
    let foreign = |ids: &[Id]| ids.iter().any(|id| id.index() >= len);
    let bad = match node {
        Node::Num(_) | Node::DimValue(_) | Node::Identity(_) | Node::Ones(_) | Node::Zero(_) => {
            false
        }
        Node::Sym(s) => s.0 as usize >= symbols,
        Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) => {
            if xs.len() < 2 {
                return Some("a sum or product of fewer than two operands");
            }
            foreign(xs)
        }
        Node::Apply(_, args) => {
            if args.is_empty() {
                return Some("a function applied to no argument");
            }
            foreign(args)
        }
        Node::Matrix {
            rows,
            cols,
            entries,
        } => {
            if u64::from(*rows) * u64::from(*cols) != entries.len() as u64 {
                return Some("a literal matrix whose entry count is not rows × cols");
            }
            foreign(entries)
        }
        Node::Component(v, idx) => {
            if !(1..=2).contains(&idx.len()) {
                return Some("a component with other than one or two indices");
            }
            foreign(&[*v]) || foreign(idx)
        }
        Node::Pow(a, b) | Node::Kron(a, b) => foreign(&[*a, *b]),
        Node::Transpose(a) => foreign(&[*a]),
        Node::Sum {
            lower, upper, body, ..
        } => foreign(&[*lower, *upper, *body]),
        Node::Derivative(d) => {
            foreign(&[d.expr]) || foreign(&d.wrt) || d.direction.is_some_and(|x| foreign(&[x]))
        }
        Node::At(body, binds) => {
            foreign(&[*body])
                || binds
                    .iter()
                    .any(|(s, v)| s.0 as usize >= symbols || foreign(&[*v]))
        }
    };
    bad.then_some("an id or symbol from another pool")
}
