//! Where a function built from |·|, sign, relu, roots and norms fails to be differentiable: the
//! derivative formulas hold away from these points, and callers state them.

use super::variable::postorder;
use crate::expr::{Func, Id, Node, NormKind, Number, Pool};
use crate::print::{print, PrintOptions};
use std::collections::BTreeSet;

/// Conditions under which `f` is not differentiable, e.g. `"x = 0"` for |x|, `"an entry of v = 0"`
/// for ‖v‖₁; sorted and without repetition.
pub fn non_differentiable_points(pool: &Pool, f: Id) -> Vec<String> {
    let order = postorder(pool, f, &|_, _| true);
    // ‖v‖ raised to an even power is smooth (it is a polynomial in v).
    let smooth: BTreeSet<Id> = order
        .iter()
        .filter_map(|&id| match pool.node(id) {
            Node::Pow(b, e) if is_even_power(pool, *e) => Some(*b),
            _ => None,
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    for id in order {
        if smooth.contains(&id) {
            continue;
        }
        match pool.node(id) {
            Node::Apply(Func::Abs | Func::Sign | Func::Relu | Func::Norm(NormKind::One), args) => {
                if let Some(&a) = args.first() {
                    out.push(zero_condition(pool, a, true));
                }
            }
            Node::Apply(Func::Norm(_), args) => {
                if let Some(&a) = args.first() {
                    out.push(zero_condition(pool, a, false));
                }
            }
            Node::Pow(b, e) if pool.is_scalar(id) => {
                let root = pool
                    .as_number(*e)
                    .is_some_and(|k| !k.is_integer() && k < &crate::expr::Number::one());
                if root && !is_positive(pool, *b) {
                    out.push(zero_condition(pool, *b, false));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_even_power(pool: &Pool, e: Id) -> bool {
    pool.as_number(e)
        .and_then(Number::to_i64)
        .is_some_and(|k| k > 0 && k % 2 == 0)
}

/// A sufficient test for `e > 0` everywhere: a positive constant plus squares, norms, exponentials.
fn is_positive(pool: &Pool, e: Id) -> bool {
    match pool.node(e) {
        Node::Num(n) => !n.is_negative() && !n.is_zero(),
        Node::Apply(Func::Exp | Func::Sigmoid | Func::Softplus, _) => true,
        Node::Add(ts) => {
            ts.iter().all(|&t| is_nonnegative(pool, t)) && ts.iter().any(|&t| is_positive(pool, t))
        }
        Node::Mul(fs) => fs.iter().all(|&f| is_positive(pool, f)),
        Node::Pow(b, _) => is_positive(pool, *b),
        _ => false,
    }
}

fn is_nonnegative(pool: &Pool, e: Id) -> bool {
    match pool.node(e) {
        Node::Pow(_, k) if is_even_power(pool, *k) => true,
        Node::Apply(Func::Norm(_) | Func::Abs, _) => true,
        Node::Mul(fs) => {
            // c·(nonnegative factors) with c > 0, or a Gram product vᵀv
            let gram =
                fs.len() == 2 && matches!(pool.node(fs[0]), Node::Transpose(v) if *v == fs[1]);
            gram || fs.iter().all(|&f| is_nonnegative(pool, f))
        }
        _ => is_positive(pool, e),
    }
}

fn zero_condition(pool: &Pool, a: Id, entrywise: bool) -> String {
    let text = print(pool, a, &PrintOptions::unicode());
    if entrywise && !pool.is_scalar(a) {
        format!("an entry of {text} = 0")
    } else {
        format!("{text} = 0")
    }
}
