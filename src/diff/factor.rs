//! Factoring a common left or right matrix factor out of a sum of products, so derivatives read
//! like a textbook: `Ax + Aᵀx → (A + Aᵀ)x`, `AᵀAx − Aᵀb → Aᵀ(Ax − b)`. Numeric coefficients stay
//! with their terms.

use super::variable::postorder;
use crate::expr::{Id, Node, Pool};
use std::collections::HashMap;

/// `id` with every non-scalar sum whose terms all share a first (or last) matrix factor written
/// as that factor times the sum of the rest, innermost sums first.
pub fn factor_common(pool: &mut Pool, id: Id) -> Id {
    let order = postorder(pool, id, &|_, _| true);
    let mut memo: HashMap<Id, Id> = HashMap::with_capacity(order.len());
    for e in order {
        let node = pool.node(e).clone();
        let children = node.children();
        let new: Vec<Id> = children
            .iter()
            .map(|c| memo.get(c).copied().unwrap_or(*c))
            .collect();
        let rebuilt = if new == children {
            e
        } else {
            pool.rebuild(&node, &new)
        };
        let factored = factor_sum(pool, rebuilt);
        memo.insert(e, factored);
    }
    memo.get(&id).copied().unwrap_or(id)
}

/// A term split into its scalar factors (with the coefficient) and its matrix factors in order.
fn split(pool: &Pool, t: Id) -> (Vec<Id>, Vec<Id>) {
    match pool.node(t) {
        Node::Mul(fs) => fs.iter().partition(|&&f| pool.is_scalar(f)),
        _ => (Vec::new(), vec![t]),
    }
}

/// Factors one sum, if all its terms share a left or a right matrix factor.
fn factor_sum(pool: &mut Pool, e: Id) -> Id {
    if pool.is_scalar(e) {
        return e;
    }
    let Node::Add(terms) = pool.node(e).clone() else {
        return e;
    };
    let parts: Vec<(Vec<Id>, Vec<Id>)> = terms.iter().map(|&t| split(pool, t)).collect();
    if parts.iter().any(|(_, m)| m.is_empty()) {
        return e;
    }
    let first = parts[0].1[0];
    if parts.iter().all(|(_, m)| m.len() == 1 && m[0] == first) {
        // Scalar multiples of one matrix: (s₁ + s₂)F.
        let scalars: Vec<Id> = parts.iter().map(|(s, _)| pool.mul(s)).collect();
        let sum = pool.add(&scalars);
        return pool.mul(&[sum, first]);
    }
    let is_identity = |pool: &Pool, f: Id| matches!(pool.node(f), Node::Identity(_));
    if !is_identity(pool, first) && parts.iter().all(|(_, m)| m[0] == first) {
        let cols = pool.shape(first).cols.clone();
        let mut rest = Vec::with_capacity(parts.len());
        for (s, m) in &parts {
            let mut fs = s.clone();
            if m.len() == 1 {
                fs.push(pool.identity(cols.clone()));
            } else {
                fs.extend_from_slice(&m[1..]);
            }
            rest.push(pool.mul(&fs));
        }
        let sum = pool.add(&rest);
        let sum = factor_sum(pool, sum);
        return pool.mul(&[first, sum]);
    }
    let last = parts[0].1[parts[0].1.len() - 1];
    if !is_identity(pool, last) && parts.iter().all(|(_, m)| m[m.len() - 1] == last) {
        let rows = pool.shape(last).rows.clone();
        let mut rest = Vec::with_capacity(parts.len());
        for (s, m) in &parts {
            let mut fs = s.clone();
            if m.len() == 1 {
                fs.push(pool.identity(rows.clone()));
            } else {
                fs.extend_from_slice(&m[..m.len() - 1]);
            }
            rest.push(pool.mul(&fs));
        }
        let sum = pool.add(&rest);
        let sum = factor_sum(pool, sum);
        return pool.mul(&[sum, last]);
    }
    e
}
