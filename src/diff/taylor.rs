//! Taylor polynomials in one scalar variable.

use super::{check_limit, derivative, describe, DiffError};
use crate::expr::{Id, Node, Number, Pool};
use crate::numeric::{self, Dense, Instance};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::collections::HashMap;

/// `∑_{k=0}^{order} f⁽ᵏ⁾(a)/k! · (v − a)ᵏ` for a scalar variable `v` and a point `a`.
pub fn taylor(pool: &mut Pool, f: Id, var: Id, point: Id, order: u32) -> Result<Id, DiffError> {
    if !pool.is_scalar(var) || !pool.is_scalar(point) {
        return Err(DiffError::NotAVariable {
            what: format!(
                "a Taylor expansion needs a scalar variable and point, not {} at {}",
                describe(pool, var),
                describe(pool, point)
            ),
        });
    }
    if u64::from(order) > pool.limits.max_exponent {
        return Err(DiffError::LimitExceeded {
            what: format!("a Taylor polynomial of order {order}"),
        });
    }
    let f = super::prepare(pool, f)?;
    let at: HashMap<Id, Id> = std::iter::once((var, point)).collect();
    let offset = pool.sub(var, point);
    let mut factorial = BigInt::from(1);
    let mut terms = Vec::with_capacity(order as usize + 1);
    let here = point_instance(pool, f, var, point);
    let at_point = |pool: &Pool, what: String| DiffError::NotDifferentiable {
        what: format!(
            "{} at {} = {}: {what}",
            describe(pool, f),
            describe(pool, var),
            describe(pool, point)
        ),
    };
    let mut current = f;
    for k in 0..=order {
        if k > 0 {
            factorial *= BigInt::from(k);
            let next = derivative(pool, current, var)?;
            // At a kink (|x| at 0) the formula of the derivative has a value, the derivative not.
            if let Some(at) = here
                .as_ref()
                .and_then(|h| super::kink_at(pool, current, next, h))
            {
                let which = match k {
                    1 => "the function".to_string(),
                    k => format!("its derivative of order {}", k - 1),
                };
                return Err(at_point(
                    pool,
                    format!("{which} is not differentiable there, where {at}"),
                ));
            }
            current = next;
        }
        let value = pool.substitute(current, &at);
        if let Some(why) = here
            .as_ref()
            .and_then(|h| numeric::why_undefined(pool, current, h))
        {
            let which = match k {
                0 => "the function".to_string(),
                k => format!("its derivative of order {k}"),
            };
            return Err(at_point(
                pool,
                format!("{which} has no value there ({why})"),
            ));
        }
        let inv = Number::from_big(BigRational::new(BigInt::from(1), factorial.clone()));
        let power = pool.powi(offset, i64::from(k));
        let scaled = pool.scale(inv, value);
        terms.push(pool.mul(&[scaled, power]));
        check_limit(pool, "the Taylor expansion")?;
    }
    Ok(pool.add(&terms))
}

/// The point `var = point` in floating point, with every other scalar symbol of `f` and `point`
/// at a generic value (so `y·log x` has no value at x = 0, and `log x` has one at a symbolic
/// point `a`); `None` when it cannot be evaluated (a variable that is not a symbol, symbols that
/// are not scalars).
fn point_instance(pool: &Pool, f: Id, var: Id, point: Id) -> Option<Instance<f64>> {
    /// A value no textbook example is singular at (the fixed point of cos).
    const GENERIC: f64 = 0.739_085_133_215_160_6;
    let Node::Sym(v) = *pool.node(var) else {
        return None;
    };
    let mut at = Instance::<f64>::default();
    for s in numeric::free_symbols(pool, &[f, point]) {
        if !pool.symbol(s).shape.is_scalar() {
            return None;
        }
        at.values.insert(s, Dense::scalar(GENERIC));
    }
    let p = numeric::evaluate(pool, point, &at).ok()?;
    at.values.insert(v, p);
    Some(at)
}
