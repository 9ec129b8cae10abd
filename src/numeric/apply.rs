//! Built-in functions on evaluated values: elementwise scalar functions, trace, determinant,
//! pseudo-inverse, diag, sum, softmax, log-sum-exp and norms.

use super::dense::Dense;
use super::error::EvalError;
use super::scalar::Scalar;
use crate::expr::{Func, NormKind, Shape};

/// `f(x)` where `x` has symbolic shape `shape` (needed to tell `diag(v)` from `diag(A)`).
pub(crate) fn apply<T: Scalar>(
    f: Func,
    x: &Dense<T>,
    shape: &Shape,
) -> Result<Dense<T>, EvalError> {
    if f.is_elementwise() {
        return x.try_map(|a| a.apply(f));
    }
    match f {
        Func::Trace => Ok(Dense::scalar(x.trace()?)),
        Func::Det => Ok(Dense::scalar(x.det()?)),
        Func::Pinv => T::pinv(x),
        Func::Diag => diag(x, shape),
        Func::Sum => Ok(Dense::scalar(x.sum())),
        Func::Softmax => softmax(x),
        Func::LogSumExp => log_sum_exp(x).map(Dense::scalar),
        Func::Norm(NormKind::One) => Ok(Dense::scalar(
            x.data.iter().fold(T::zero(), |acc, a| acc.add(&abs(a))),
        )),
        Func::Norm(NormKind::Two | NormKind::Frobenius) => {
            sum_of_squares(x).sqrt().map(Dense::scalar)
        }
        _ => Err(EvalError::Unsupported {
            what: format!("the function {}", f.name()),
        }),
    }
}

/// |a|.
fn abs<T: Scalar>(a: &T) -> T {
    if a.is_negative() {
        a.neg()
    } else {
        a.clone()
    }
}

/// ∑ aᵢⱼ², i.e. ‖x‖₂² for a vector and ‖X‖_F² for a matrix; exact for rationals.
pub(crate) fn sum_of_squares<T: Scalar>(x: &Dense<T>) -> T {
    x.data.iter().fold(T::zero(), |acc, a| acc.add(&a.mul(a)))
}

/// `diag(v)` (a vector, row or column, to a diagonal matrix) or `diag(A)` (the diagonal of a
/// matrix as a column vector, of A's row count).
fn diag<T: Scalar>(x: &Dense<T>, shape: &Shape) -> Result<Dense<T>, EvalError> {
    if shape.cols.is_one() || shape.rows.is_one() {
        let n = x.len();
        return Dense::from_fn(
            n,
            n,
            |i, j| {
                if i == j {
                    x.data[i].clone()
                } else {
                    T::zero()
                }
            },
        );
    }
    Dense::try_from_fn(x.rows, 1, |i, _| {
        x.get(i, i)
            .cloned()
            .ok_or_else(|| EvalError::domain("diag of a matrix with more rows than columns"))
    })
}

/// The largest entry (the shift that keeps exp from overflowing).
fn max_entry<T: Scalar>(x: &Dense<T>) -> Result<T, EvalError> {
    let mut it = x.data.iter();
    let first = it
        .next()
        .ok_or_else(|| EvalError::domain("softmax of an empty vector"))?;
    Ok(it.fold(first.clone(), |m, a| if *a > m { a.clone() } else { m }))
}

/// softmax(x)ᵢ = exp(xᵢ − m) / ∑ⱼ exp(xⱼ − m) with m = max x (exact when all entries are equal).
fn softmax<T: Scalar>(x: &Dense<T>) -> Result<Dense<T>, EvalError> {
    let m = max_entry(x)?;
    let e = x.try_map(|a| a.sub(&m).apply(Func::Exp))?;
    let s = e.sum();
    e.try_map(|a| a.div(&s))
}

/// log ∑ exp(xᵢ) = m + log ∑ exp(xᵢ − m).
fn log_sum_exp<T: Scalar>(x: &Dense<T>) -> Result<T, EvalError> {
    let m = max_entry(x)?;
    let e = x.try_map(|a| a.sub(&m).apply(Func::Exp))?;
    Ok(m.add(&e.sum().apply(Func::Log)?))
}
