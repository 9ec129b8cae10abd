//! Variables of differentiation: a symbol, or a component `x₁`/`A₁₂` of a symbol with concrete
//! indices; and the dependency analysis shared by the reverse and forward sweeps.

use super::{describe, DiffError};
use crate::expr::{Id, IdSet, Node, Pool};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A validated variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The variable's expression (`x` or `Component(x, [1])`).
    pub id: Id,
    /// For a component: the container symbol and the concrete 1-based indices.
    pub component_of: Option<(Id, Vec<u64>)>,
}

/// Validates the variables of a derivative: symbols, or components of symbols with concrete
/// positive indices. Repeated variables are an error.
pub fn variables(pool: &Pool, wrt: &[Id]) -> Result<Vec<Variable>, DiffError> {
    let mut out: Vec<Variable> = Vec::with_capacity(wrt.len());
    let mut given: HashSet<Id> = HashSet::default();
    for &w in wrt {
        let v = match pool.node(w) {
            Node::Sym(_) => Variable {
                id: w,
                component_of: None,
            },
            Node::Component(c, idx) if matches!(pool.node(*c), Node::Sym(_)) => {
                let concrete: Option<Vec<u64>> = idx
                    .iter()
                    .map(|&i| {
                        pool.as_number(i)
                            .and_then(|n| n.to_i64())
                            .and_then(|k| u64::try_from(k).ok())
                            .filter(|&k| k >= 1)
                    })
                    .collect();
                match concrete {
                    Some(ix) => Variable {
                        id: w,
                        component_of: Some((*c, ix)),
                    },
                    None => {
                        return Err(DiffError::NotAVariable {
                            what: format!(
                                "{} (a component with a symbolic index)",
                                describe(pool, w)
                            ),
                        })
                    }
                }
            }
            _ => {
                return Err(DiffError::NotAVariable {
                    what: describe(pool, w),
                })
            }
        };
        if !given.insert(v.id) {
            return Err(DiffError::NotAVariable {
                what: format!("{} is given twice", describe(pool, w)),
            });
        }
        out.push(v);
    }
    Ok(out)
}

/// The nodes of `root`'s DAG in topological order (children before parents), visiting only
/// children for which `descend(parent, child)` holds. Iterative, so deep expressions cannot
/// overflow the stack.
pub fn postorder(pool: &Pool, root: Id, descend: &dyn Fn(Id, Id) -> bool) -> Vec<Id> {
    postorder_seen(pool, root, descend).0
}

/// All nodes of `root`'s DAG in topological order, and the set of them.
pub fn postorder_all(pool: &Pool, root: Id) -> (Vec<Id>, IdSet) {
    postorder_seen(pool, root, &|_, _| true)
}

/// The nodes reached from `root`, in increasing id order: a pool stores a node after its
/// children, so that order has children before parents. Sweeps that follow it walk the pool's
/// arrays forwards (or backwards) instead of jumping about in the canonical order of sums,
/// which keeps large DAGs cache-friendly.
fn postorder_seen(pool: &Pool, root: Id, descend: &dyn Fn(Id, Id) -> bool) -> (Vec<Id>, IdSet) {
    let mut seen = IdSet::with_capacity(root.index() + 1);
    let mut reached = Vec::new();
    let mut stack = vec![root];
    seen.insert(root);
    while let Some(id) = stack.pop() {
        reached.push(id);
        pool.node(id).for_each_child(|c| {
            if !seen.contains(&c) && descend(id, c) {
                seen.insert(c);
                stack.push(c);
            }
        });
    }
    // A few nodes spread over a large range of ids are sorted; otherwise the set, already in
    // increasing order, is cheaper to read than to sort.
    if reached.len().saturating_mul(64) < root.index() {
        reached.sort_unstable();
    } else {
        reached = seen.iter().collect();
    }
    (reached, seen)
}

/// The set of nodes of `root`'s DAG that depend on one of `leaves` (the leaves included).
pub fn dependents(pool: &Pool, root: Id, leaves: &IdSet) -> IdSet {
    let order = postorder(pool, root, &|parent, _| !leaves.contains(&parent));
    dependents_in(pool, &order, leaves)
}

/// The nodes of `order` (children before parents) that depend on one of `leaves`.
pub fn dependents_in(pool: &Pool, order: &[Id], leaves: &IdSet) -> IdSet {
    let mut dep = IdSet::with_capacity(order.iter().map(|id| id.index() + 1).max().unwrap_or(0));
    for &id in order {
        let mut depends = leaves.contains(&id);
        if !depends {
            pool.node(id)
                .for_each_child(|c| depends |= dep.contains(&c));
        }
        if depends {
            dep.insert(id);
        }
    }
    dep
}

/// Does `e` contain `needle`? Memoised over shared subexpressions, iterative.
pub fn contains(pool: &Pool, e: Id, needle: Id, memo: &mut HashMap<Id, bool>) -> bool {
    if let Some(&b) = memo.get(&e) {
        return b;
    }
    let order = postorder(pool, e, &|_, c| !memo.contains_key(&c));
    for id in order {
        let mut r = id == needle;
        if !r {
            pool.node(id)
                .for_each_child(|c| r |= memo.get(&c).copied().unwrap_or(false));
        }
        memo.insert(id, r);
    }
    memo.get(&e).copied().unwrap_or(false)
}

/// The variables among `wrt` that `f` does not contain (nor, for a component `x₁`, its container
/// `x`): derivatives with respect to them are zero, which callers state rather than leave silent.
pub fn absent_variables(pool: &Pool, f: Id, wrt: &[Id]) -> Vec<Id> {
    let (_, present) = postorder_all(pool, f);
    wrt.iter()
        .copied()
        .filter(|&w| {
            let container = match pool.node(w) {
                Node::Component(c, _) => Some(*c),
                _ => None,
            };
            !present.contains(&w) && container.is_none_or(|c| !present.contains(&c))
        })
        .collect()
}
