//! The hash-consed arena of expressions: equal nodes are stored once, so equality is an id compare
//! and shared subexpressions cost nothing.

use super::node::{Id, Node};
use super::shape::Shape;
use super::symbol::{Assumptions, Symbol, SymbolId, SymbolOrigin};
use std::collections::HashMap;

/// Size limits that keep every operation bounded; exceeding one yields an error or an
/// *unknown (limit reached)* verdict, never a hang.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most nodes a pool may hold.
    pub max_nodes: usize,
    /// Largest |exponent| folded exactly, and largest integer exponent accepted in input.
    pub max_exponent: u64,
    /// Largest bit size of an exact number produced by folding.
    pub max_number_bits: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nodes: 20_000_000,
            max_exponent: 10_000,
            max_number_bits: 1 << 16,
        }
    }
}

/// The arena: nodes, their shapes, and the symbol table.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    nodes: Vec<Node>,
    shapes: Vec<Shape>,
    index: HashMap<Node, Id>,
    symbols: Vec<Symbol>,
    symbol_index: HashMap<String, SymbolId>,
    /// The limits in force for this pool.
    pub limits: Limits,
}

impl Pool {
    /// An empty pool with default limits.
    pub fn new() -> Pool {
        Pool::default()
    }

    /// The node behind an id.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id.index()]
    }

    /// The shape of an expression.
    pub fn shape(&self, id: Id) -> &Shape {
        &self.shapes[id.index()]
    }

    /// Is the expression 1×1?
    pub fn is_scalar(&self, id: Id) -> bool {
        self.shapes[id.index()].is_scalar()
    }

    /// How many distinct nodes the pool holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Is the pool empty?
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Stores a node exactly as given (no canonicalisation) and returns its id; an equal node
    /// already present is reused. Canonical constructors live in the `simplify` module.
    pub fn intern(&mut self, node: Node, shape: Shape) -> Id {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        let id = Id(self.nodes.len() as u32);
        self.nodes.push(node.clone());
        self.shapes.push(shape);
        self.index.insert(node, id);
        id
    }

    /// The id of a node if it is already stored.
    pub fn find(&self, node: &Node) -> Option<Id> {
        self.index.get(node).copied()
    }

    /// The symbol behind an id.
    pub fn symbol(&self, s: SymbolId) -> &Symbol {
        &self.symbols[s.0 as usize]
    }

    /// All symbols, in declaration order.
    pub fn symbols(&self) -> impl Iterator<Item = (SymbolId, &Symbol)> {
        self.symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (SymbolId(i as u32), s))
    }

    /// The symbol with this canonical name, if declared.
    pub fn lookup(&self, name: &str) -> Option<SymbolId> {
        self.symbol_index.get(name).copied()
    }

    /// Declares a symbol, or returns the existing one of the same name. A redeclaration with a
    /// different shape or assumptions replaces nothing and returns `Err` with the existing id.
    pub fn declare(
        &mut self,
        name: &str,
        shape: Shape,
        assumptions: Assumptions,
        origin: SymbolOrigin,
    ) -> Result<SymbolId, SymbolId> {
        if let Some(&s) = self.symbol_index.get(name) {
            let existing = &self.symbols[s.0 as usize];
            return if existing.shape == shape && existing.assumptions == assumptions {
                Ok(s)
            } else {
                Err(s)
            };
        }
        let s = SymbolId(self.symbols.len() as u32);
        self.symbols.push(Symbol {
            name: name.to_string(),
            shape,
            assumptions,
            origin,
        });
        self.symbol_index.insert(name.to_string(), s);
        Ok(s)
    }

    /// Has the pool grown past its node limit?
    pub fn over_limit(&self) -> bool {
        self.nodes.len() > self.limits.max_nodes
    }
}
