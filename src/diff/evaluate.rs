//! Evaluation of unevaluated derivative operators ([`Node::Derivative`]) and `at` substitutions
//! ([`Node::At`]) inside an expression, innermost first.

use super::variable::postorder;
use super::{derivative, directional, gradient, hessian, jacobian, DiffError, Layout};
use crate::expr::{DerivativeKind, Id, Node, Pool};
use std::collections::HashMap;

/// The expressions that derivative operators in `e` differentiate (`f` in `d/dx f`), in id
/// order.
pub fn differentiated(pool: &Pool, e: Id) -> Vec<Id> {
    pool.subexpressions(e)
        .into_iter()
        .filter_map(|x| match pool.node(x) {
            Node::Derivative(d) => Some(d.expr),
            _ => None,
        })
        .collect()
}

/// `e` with every derivative operator replaced by its value (per its kind and variables; a
/// partial or ordinary derivative with several variables is the repeated derivative, in order)
/// and every `at` replaced by the substitution of its bindings. A derivative node always means
/// numerator layout: the lowering writes a denominator-layout Jacobian as the transpose of one.
/// Expressions without such nodes are returned unchanged.
pub fn evaluate_derivatives(pool: &mut Pool, e: Id) -> Result<Id, DiffError> {
    if !pool.has_operators(e) {
        return Ok(e);
    }
    let order = postorder(pool, e, &|_, _| true);
    let mut memo: HashMap<Id, Id> = HashMap::with_capacity(order.len());
    for id in order {
        let node = pool.node(id).clone();
        let children = node.children();
        let new: Vec<Id> = children
            .iter()
            .map(|c| memo.get(c).copied().unwrap_or(*c))
            .collect();
        let value = match &node {
            Node::Derivative(d) => {
                let n = d.wrt.len();
                let expr = new[0];
                let wrt = &new[1..1 + n];
                let direction = d.direction.map(|_| new[1 + n]);
                evaluate_one(pool, d.kind, expr, wrt, direction)?
            }
            Node::At(_, binds) => {
                let map: HashMap<Id, Id> = binds
                    .iter()
                    .zip(&new[1..])
                    .map(|((s, _), v)| (pool.symbol_expr(*s), *v))
                    .collect();
                pool.substitute(new[0], &map)
            }
            _ if new == children => id,
            _ => pool.rebuild(&node, &new),
        };
        memo.insert(id, value);
        super::check_limit(pool, "the evaluation of derivatives")?;
    }
    Ok(memo.get(&e).copied().unwrap_or(e))
}

fn evaluate_one(
    pool: &mut Pool,
    kind: DerivativeKind,
    expr: Id,
    wrt: &[Id],
    direction: Option<Id>,
) -> Result<Id, DiffError> {
    match kind {
        DerivativeKind::Gradient => gradient(pool, expr, wrt),
        DerivativeKind::Hessian => hessian(pool, expr, wrt),
        DerivativeKind::Jacobian => jacobian(pool, expr, wrt, Layout::Numerator),
        DerivativeKind::Partial | DerivativeKind::Ordinary => {
            if wrt.is_empty() {
                return Err(DiffError::NotAVariable {
                    what: "a derivative without a variable".to_string(),
                });
            }
            let mut cur = expr;
            for &w in wrt {
                cur = if pool.is_scalar(w) {
                    derivative(pool, cur, w)?
                } else if pool.is_scalar(cur) {
                    gradient(pool, cur, &[w])?
                } else {
                    jacobian(pool, cur, &[w], Layout::Numerator)?
                };
            }
            Ok(cur)
        }
        DerivativeKind::Directional => match (wrt, direction) {
            ([w], Some(u)) => directional(pool, expr, *w, u),
            _ => Err(DiffError::NotAVariable {
                what: "a directional derivative needs one variable and a direction".to_string(),
            }),
        },
    }
}
