//! Free symbols and dimension names of expressions: what an instance must give values for.

use crate::expr::{Dim, Id, Node, Pool, SymbolId};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// Per-node free-symbol sets, computed once per node (shared subexpressions are visited once).
#[derive(Default)]
pub(crate) struct FreeSymbols {
    cache: HashMap<Id, Rc<BTreeSet<SymbolId>>>,
}

impl FreeSymbols {
    /// The symbols occurring free in `root`: sum indices are bound in their summand and `at`
    /// bindings in their body.
    pub(crate) fn of(&mut self, pool: &Pool, root: Id) -> Rc<BTreeSet<SymbolId>> {
        let mut stack = vec![(root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if self.cache.contains_key(&id) {
                continue;
            }
            let node = pool.node(id);
            if !expanded {
                stack.push((id, true));
                for c in node.children() {
                    if !self.cache.contains_key(&c) {
                        stack.push((c, false));
                    }
                }
                continue;
            }
            let set = self.combine(node);
            self.cache.insert(id, Rc::new(set));
        }
        self.cache.get(&root).cloned().unwrap_or_default()
    }

    /// The free set of a node whose children are all cached.
    fn combine(&self, node: &Node) -> BTreeSet<SymbolId> {
        let get = |c: &Id| self.cache.get(c).cloned().unwrap_or_default();
        match node {
            Node::Sym(s) => BTreeSet::from([*s]),
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => {
                let mut set: BTreeSet<SymbolId> = get(body).iter().copied().collect();
                set.remove(index);
                set.extend(get(lower).iter().copied());
                set.extend(get(upper).iter().copied());
                set
            }
            Node::At(body, binds) => {
                let mut set: BTreeSet<SymbolId> = get(body).iter().copied().collect();
                for (s, _) in binds.iter() {
                    set.remove(s);
                }
                for (_, v) in binds.iter() {
                    set.extend(get(v).iter().copied());
                }
                set
            }
            _ => {
                let mut set = BTreeSet::new();
                for c in node.children() {
                    set.extend(get(&c).iter().copied());
                }
                set
            }
        }
    }
}

/// The free symbols of some expressions (sum indices and `at`-bound symbols excluded), sorted.
pub fn free_symbols(pool: &Pool, roots: &[Id]) -> BTreeSet<SymbolId> {
    let mut free = FreeSymbols::default();
    let mut out = BTreeSet::new();
    for &r in roots {
        out.extend(free.of(pool, r).iter().copied());
    }
    out
}

/// Every dimension name the expressions mention: in the shape of any subexpression or symbol,
/// and in `DimValue`, `Identity`, `Ones` and `Zero` nodes.
pub fn free_dimensions(pool: &Pool, roots: &[Id]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<Id> = roots.to_vec();
    let add = |d: &Dim, names: &mut BTreeSet<String>| names.extend(d.symbols.iter().cloned());
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let shape = pool.shape(id);
        add(&shape.rows, &mut names);
        add(&shape.cols, &mut names);
        let node = pool.node(id);
        match node {
            Node::DimValue(d) | Node::Identity(d) => add(d, &mut names),
            Node::Sym(s) => {
                let shape = &pool.symbol(*s).shape;
                add(&shape.rows, &mut names);
                add(&shape.cols, &mut names);
            }
            Node::Sum { index, .. } => {
                let shape = &pool.symbol(*index).shape;
                add(&shape.rows, &mut names);
                add(&shape.cols, &mut names);
            }
            _ => {}
        }
        stack.extend(node.children());
    }
    names
}
