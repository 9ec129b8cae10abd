//! Taylor polynomials in one scalar variable.

use super::{check_limit, derivative, describe, DiffError};
use crate::expr::{Id, Number, Pool};
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
    let mut current = f;
    for k in 0..=order {
        if k > 0 {
            factorial *= BigInt::from(k);
            current = derivative(pool, current, var)?;
        }
        let value = pool.substitute(current, &at);
        let inv = Number::from_big(BigRational::new(BigInt::from(1), factorial.clone()));
        let power = pool.powi(offset, i64::from(k));
        let scaled = pool.scale(inv, value);
        terms.push(pool.mul(&[scaled, power]));
        check_limit(pool, "the Taylor expansion")?;
    }
    Ok(pool.add(&terms))
}
