//! Where a function built from |·|, sign, relu, roots and norms fails to be differentiable: the
//! derivative formulas hold away from these points, and callers state them.

use super::variable::postorder;
use crate::expr::{Func, Id, Node, NormKind, Number, Pool};
use crate::numeric::{evaluate, Instance};
use crate::print::{print, PrintOptions};
use std::collections::BTreeSet;

/// Conditions under which `f` is not differentiable, e.g. `"x = 0"` for |x|, `"an entry of v = 0"`
/// for ‖v‖₁; sorted and without repetition.
pub fn non_differentiable_points(pool: &Pool, f: Id) -> Vec<String> {
    let mut out: Vec<String> = kinks(pool, f)
        .into_iter()
        .map(|k| zero_condition(pool, k.argument, k.entrywise))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Where `f` may fail to be differentiable: an argument of |·|, sign, relu or a 1-norm (at a
/// zero entry), of another norm or of a root (where it is zero).
struct Kink {
    argument: Id,
    entrywise: bool,
}

/// Why `f` is not differentiable at `point` — a kink of `f` sits there (`"x = 0"`) and `f`
/// (sign x) or `df`, the formula of its derivative (|x|), takes different values on either side
/// (so `x|x|` at 0 is differentiable) — or `None`. Evaluated in floating point; the sides are the
/// point moved by ±10⁻⁶ along a fixed direction that changes every bound entry differently.
pub fn kink_at(pool: &Pool, f: Id, df: Id, point: &Instance<f64>) -> Option<String> {
    let at = kinks(pool, f).into_iter().find(|k| {
        evaluate(pool, k.argument, point).is_ok_and(|v| {
            let zero = |x: &f64| x.abs() <= 1e-12;
            if k.entrywise {
                v.data.iter().any(zero)
            } else {
                v.data.iter().all(zero)
            }
        })
    })?;
    let side = |e: Id, sign: f64| {
        let mut moved = point.clone();
        let mut k = 0u32;
        for value in moved.values.values_mut() {
            for x in value.data.iter_mut() {
                k += 1;
                // Distinct, irrational-looking steps: no kink argument stays put by accident.
                let step = 0.5 + (f64::from(k) * 0.618_033_988_749_895).fract();
                *x += sign * 1e-6 * step * (1.0 + x.abs());
            }
        }
        evaluate(pool, e, &moved).ok()
    };
    // A jump of the function itself (sign x) or of its derivative (|x|).
    let jumps = |e: Id| {
        let (plus, minus) = (side(e, 1.0)?, side(e, -1.0)?);
        Some(
            plus.data
                .iter()
                .zip(&minus.data)
                .any(|(a, b)| (a - b).abs() > 1e-3 * (1.0 + a.abs().max(b.abs()))),
        )
    };
    (jumps(f)? || jumps(df)?).then(|| zero_condition(pool, at.argument, at.entrywise))
}

fn kinks(pool: &Pool, f: Id) -> Vec<Kink> {
    let order = postorder(pool, f, &|_, _| true);
    // ‖v‖ raised to an even power is smooth (it is a polynomial in v).
    let smooth: BTreeSet<Id> = order
        .iter()
        .filter_map(|&id| match pool.node(id) {
            Node::Pow(b, e) if is_even_power(pool, *e) => Some(*b),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for id in order {
        if smooth.contains(&id) {
            continue;
        }
        match pool.node(id) {
            Node::Apply(Func::Abs | Func::Sign | Func::Relu | Func::Norm(NormKind::One), args) => {
                if let Some(&a) = args.first() {
                    out.push(Kink {
                        argument: a,
                        entrywise: true,
                    });
                }
            }
            Node::Apply(Func::Norm(_), args) => {
                if let Some(&a) = args.first() {
                    out.push(Kink {
                        argument: a,
                        entrywise: false,
                    });
                }
            }
            Node::Pow(b, e) if pool.is_scalar(id) => {
                let root = pool
                    .as_number(*e)
                    .is_some_and(|k| !k.is_integer() && k < &crate::expr::Number::one());
                if root && !is_positive(pool, *b) {
                    out.push(Kink {
                        argument: *b,
                        entrywise: false,
                    });
                }
            }
            _ => {}
        }
    }
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
