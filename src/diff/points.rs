//! Where a function built from |·|, sign, relu, roots and norms fails to be differentiable: the
//! derivative formulas hold away from these points, and callers state them.

use super::describe;
use super::variable::postorder;
use crate::expr::Id;
use crate::expr::{Func, Node, NormKind, Pool};

/// Conditions under which `f` is not differentiable, e.g. `"x = 0"` for |x|, `"an entry of v = 0"`
/// for ‖v‖₁; sorted and without repetition.
pub fn non_differentiable_points(pool: &Pool, f: Id) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in postorder(pool, f, &|_, _| true) {
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
                if root {
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

fn zero_condition(pool: &Pool, a: Id, entrywise: bool) -> String {
    if entrywise && !pool.is_scalar(a) {
        format!("an entry of {} = 0", describe(pool, a))
    } else {
        format!("{} = 0", describe(pool, a))
    }
}
