//! Rebuilding expressions through the canonical constructors: substitution of subexpressions,
//! and canonical re-construction of a node with new children.

use crate::expr::{Derivative, Id, Node, Pool, SymbolId};
use std::collections::HashMap;

impl Pool {
    /// Builds a node of the same kind as `node` with new `children` (in [`Node::children`]
    /// order), canonically.
    pub fn rebuild(&mut self, node: &Node, children: &[Id]) -> Id {
        match node {
            Node::Num(_)
            | Node::Sym(_)
            | Node::DimValue(_)
            | Node::Identity(_)
            | Node::Ones(_)
            | Node::Zero(_) => self.intern(node.clone(), self.leaf_shape(node)),
            Node::Add(_) => self.add(children),
            Node::Mul(_) => self.mul(children),
            Node::Hadamard(_) => self.hadamard(children),
            Node::Apply(f, _) => self.apply(*f, children),
            Node::Pow(..) => self.pow(children[0], children[1]),
            Node::HadamardPow(..) => match self.as_number(children[1]).cloned() {
                Some(k) => self.hadamard_pow(children[0], &k),
                None => {
                    let shape = self.shape(children[0]).clone();
                    self.intern(Node::HadamardPow(children[0], children[1]), shape)
                }
            },
            Node::Kron(..) => self.kron(children[0], children[1]),
            Node::Transpose(_) => self.transpose(children[0]),
            Node::Matrix { rows, cols, .. } => self.matrix(*rows, *cols, children.to_vec()),
            Node::Component(..) => self.component(children[0], &children[1..]),
            Node::Sum { index, .. } => self.sum_over(*index, children[0], children[1], children[2]),
            Node::Derivative(d) => {
                let n = d.wrt.len();
                let rebuilt = Derivative {
                    kind: d.kind,
                    expr: children[0],
                    wrt: children[1..1 + n].into(),
                    direction: d.direction.map(|_| children[1 + n]),
                };
                let shape = self.derivative_shape_of(node);
                self.derivative(rebuilt, shape)
            }
            Node::At(_, binds) => {
                let binds: Vec<(SymbolId, Id)> = binds
                    .iter()
                    .zip(&children[1..])
                    .map(|((s, _), v)| (*s, *v))
                    .collect();
                self.at(children[0], binds)
            }
        }
    }

    fn leaf_shape(&self, node: &Node) -> crate::expr::Shape {
        match self.find(node) {
            Some(id) => self.shape(id).clone(),
            None => match node {
                Node::Sym(s) => self.symbol(*s).shape.clone(),
                Node::Identity(n) => crate::expr::Shape::matrix((**n).clone(), (**n).clone()),
                Node::Ones(s) | Node::Zero(s) => (**s).clone(),
                _ => crate::expr::Shape::scalar(),
            },
        }
    }

    fn derivative_shape_of(&self, node: &Node) -> crate::expr::Shape {
        self.find(node)
            .map(|id| self.shape(id).clone())
            .unwrap_or_else(crate::expr::Shape::scalar)
    }

    /// Replaces every occurrence of the keys of `map` in `e` by their values, rebuilding
    /// canonically. Shared subexpressions are visited once.
    pub fn substitute(&mut self, e: Id, map: &HashMap<Id, Id>) -> Id {
        let mut memo: HashMap<Id, Id> = map.clone();
        self.substitute_memo(e, &mut memo)
    }

    fn substitute_memo(&mut self, e: Id, memo: &mut HashMap<Id, Id>) -> Id {
        if let Some(&r) = memo.get(&e) {
            return r;
        }
        let node = self.node(e).clone();
        let children = node.children();
        if children.is_empty() {
            memo.insert(e, e);
            return e;
        }
        let new: Vec<Id> = children
            .iter()
            .map(|&c| self.substitute_memo(c, memo))
            .collect();
        let r = if new == children {
            e
        } else {
            self.rebuild(&node, &new)
        };
        memo.insert(e, r);
        r
    }
}
