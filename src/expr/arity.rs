//! The structural invariants every stored node satisfies, checked as it enters the pool: its
//! children are ids of the same pool, and n-ary nodes have the arity the rest of the crate relies
//! on (simplification and differentiation index `factors[0]`, `args[0]` without checking).

use super::node::{Id, Node};

/// Why a node cannot be stored in a pool (see [`Pool::try_intern`](super::Pool::try_intern)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidNode {
    /// What is wrong with it.
    pub reason: &'static str,
}

impl std::fmt::Display for InvalidNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for InvalidNode {}

/// Checks `node` for a pool of `len` nodes and `symbols` symbols. Allocation-free: it runs on
/// every node stored.
pub(super) fn validate(node: &Node, len: usize, symbols: usize) -> Result<(), InvalidNode> {
    let foreign = |ids: &[Id]| ids.iter().any(|id| id.index() >= len);
    let invalid = |reason| Err(InvalidNode { reason });
    let bad = match node {
        Node::Num(_) | Node::DimValue(_) | Node::Identity(_) | Node::Ones(_) | Node::Zero(_) => {
            false
        }
        Node::Sym(s) => s.0 as usize >= symbols,
        Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) => {
            if xs.len() < 2 {
                return invalid("a sum or product of fewer than two operands");
            }
            foreign(xs)
        }
        Node::Apply(_, args) => {
            if args.is_empty() {
                return invalid("a function applied to no argument");
            }
            foreign(args)
        }
        Node::Matrix {
            rows,
            cols,
            entries,
        } => {
            if u64::from(*rows) * u64::from(*cols) != entries.len() as u64 {
                return invalid("a literal matrix whose entry count is not rows × cols");
            }
            foreign(entries)
        }
        Node::Component(v, idx) => {
            if !(1..=2).contains(&idx.len()) {
                return invalid("a component with other than one or two indices");
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
    if bad {
        invalid("an id or symbol from another pool")
    } else {
        Ok(())
    }
}
