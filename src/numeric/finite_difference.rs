//! Central finite differences: the numeric reference every symbolic derivative is checked
//! against.

use super::dense::Dense;
use super::error::EvalError;
use super::eval::{evaluate, Instance};
use crate::expr::{Id, Pool, SymbolId};

/// The value of `wrt` in `instance`, or `MissingValue`.
fn point(pool: &Pool, wrt: SymbolId, instance: &Instance<f64>) -> Result<Dense<f64>, EvalError> {
    instance
        .values
        .get(&wrt)
        .cloned()
        .ok_or_else(|| EvalError::MissingValue {
            symbol: pool.symbol(wrt).name.clone(),
        })
}

/// `(g(x + h eₖ) − g(x − h eₖ)) / 2h` for entry `k` of `wrt`.
fn central(
    pool: &Pool,
    g: Id,
    wrt: SymbolId,
    instance: &Instance<f64>,
    h: f64,
    k: usize,
) -> Result<Dense<f64>, EvalError> {
    let x0 = point(pool, wrt, instance)?
        .data
        .get(k)
        .copied()
        .ok_or_else(|| EvalError::shape("a finite difference"))?;
    let mut shifted = instance.clone();
    let mut at = |delta: f64| -> Result<Dense<f64>, EvalError> {
        if let Some(a) = shifted.values.get_mut(&wrt).and_then(|v| v.data.get_mut(k)) {
            *a = x0 + delta;
        }
        evaluate(pool, g, &shifted)
    };
    let plus = at(h)?;
    let minus = at(-h)?;
    let diff = plus.sub(&minus)?;
    Ok(diff.scale(&(0.5 / h)))
}

/// Central differences of a scalar `f` with respect to every entry of the symbol `wrt` (each
/// entry perturbed independently); the result has the symbol's shape.
pub fn finite_difference_gradient(
    pool: &Pool,
    f: Id,
    wrt: SymbolId,
    instance: &Instance<f64>,
    h: f64,
) -> Result<Dense<f64>, EvalError> {
    let x = point(pool, wrt, instance)?;
    let mut grad = x.clone();
    for k in 0..x.len() {
        let d = central(pool, f, wrt, instance, h, k)?;
        grad.data[k] = *d
            .as_scalar()
            .ok_or_else(|| EvalError::shape("a gradient of a non-scalar"))?;
    }
    Ok(grad)
}

/// Central differences of a vector `g` (m×1) with respect to a vector `wrt` (n×1): the m×n
/// Jacobian in numerator layout.
pub fn finite_difference_jacobian(
    pool: &Pool,
    g: Id,
    wrt: SymbolId,
    instance: &Instance<f64>,
    h: f64,
) -> Result<Dense<f64>, EvalError> {
    let x = point(pool, wrt, instance)?;
    let g0 = evaluate(pool, g, instance)?;
    if g0.cols != 1 || x.cols != 1 {
        return Err(EvalError::shape("a Jacobian of non-vectors"));
    }
    let mut jac = Dense::zeros(g0.rows, x.rows)?;
    for k in 0..x.rows {
        let col = central(pool, g, wrt, instance, h, k)?;
        for i in 0..g0.rows {
            jac.data[i * x.rows + k] = col.data[i];
        }
    }
    Ok(jac)
}
