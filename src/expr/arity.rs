//! The arity every stored node has, checked as it enters the pool: simplification and
//! differentiation index `factors[0]`, `args[0]` and the like without checking.

use super::node::Node;

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

/// Checks the arity of `node`, and that the symbols it names are among the pool's `symbols`.
/// Constant time (it runs on every node stored): the children's ids are not scanned here, but
/// one from another pool past this pool's size is refused when the node's key is computed.
pub(super) fn validate(node: &Node, symbols: usize) -> Result<(), InvalidNode> {
    let reason = match node {
        Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) if xs.len() < 2 => {
            "a sum or product of fewer than two operands"
        }
        Node::Apply(_, args) if args.is_empty() => "a function applied to no argument",
        Node::Matrix {
            rows,
            cols,
            entries,
        } if u64::from(*rows) * u64::from(*cols) != entries.len() as u64 => {
            "a literal matrix whose entry count is not rows × cols"
        }
        Node::Component(_, idx) if !(1..=2).contains(&idx.len()) => {
            "a component with other than one or two indices"
        }
        Node::Sym(s) | Node::Sum { index: s, .. } if s.0 as usize >= symbols => {
            "a symbol from another pool"
        }
        Node::At(_, binds) if binds.iter().any(|(s, _)| s.0 as usize >= symbols) => {
            "a symbol from another pool"
        }
        _ => return Ok(()),
    };
    Err(InvalidNode { reason })
}
