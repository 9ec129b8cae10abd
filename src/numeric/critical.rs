//! Critical points found exactly: when ∇f is affine in the variables (the Hessian does not
//! depend on them), ∇f(x) = H x + ∇f(0), and ∇f = 0 is solved by Gaussian elimination over
//! exact rationals.

use super::dense::Dense;
use super::error::EvalError;
use super::eval::{evaluate, Instance};
use super::free::free_symbols;
use super::scalar::Scalar;
use crate::expr::{Id, Number, Pool, SymbolId};

/// The outcome of solving ∇f = 0.
#[derive(Clone, Debug, PartialEq)]
pub enum Critical {
    /// The unique critical point (the variables' entries, concatenated), and the constant
    /// Hessian.
    Point {
        /// The point.
        x: Vec<Number>,
        /// The Hessian, exactly.
        hessian: Dense<Number>,
    },
    /// H is singular: a whole affine set of critical points (`consistent`) or none.
    Singular {
        /// The rank of H.
        rank: usize,
        /// Does ∇f = 0 have solutions at all?
        consistent: bool,
        /// The Hessian, exactly.
        hessian: Dense<Number>,
    },
    /// The Hessian depends on these variables, so ∇f is not affine.
    NotAffine {
        /// The variables it depends on.
        depends_on: Vec<SymbolId>,
    },
}

/// Solves ∇f = 0 for the variables (`gradient` and `hessian` are ∇f and ∇²f, the variables'
/// sizes and the data are in `instance`; the variables' own values there are ignored).
pub fn critical(
    pool: &Pool,
    gradient: Id,
    hessian: Id,
    variables: &[SymbolId],
    instance: &Instance<Number>,
) -> Result<Critical, EvalError> {
    let free = free_symbols(pool, &[hessian]);
    let depends_on: Vec<SymbolId> = variables
        .iter()
        .copied()
        .filter(|v| free.contains(v))
        .collect();
    if !depends_on.is_empty() {
        return Ok(Critical::NotAffine { depends_on });
    }
    let mut at_zero = instance.clone();
    for &v in variables {
        let shape = &pool.symbol(v).shape;
        let dims = &instance.dims;
        let size = |d: &crate::expr::Dim| -> Result<usize, EvalError> {
            if let Some(missing) = d.symbols.iter().find(|s| !dims.contains_key(*s)) {
                return Err(EvalError::MissingDimension {
                    name: missing.clone(),
                });
            }
            d.evaluate(&|s| dims.get(s).copied())
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(EvalError::TooLarge)
        };
        at_zero
            .values
            .insert(v, Dense::zeros(size(&shape.rows)?, size(&shape.cols)?)?);
    }
    let h = evaluate(pool, hessian, &at_zero)?;
    let g0 = evaluate(pool, gradient, &at_zero)?;
    if h.rows != h.cols || h.rows != g0.len() {
        return Err(EvalError::shape("the Hessian and the gradient"));
    }
    let rhs: Vec<Number> = g0.data.iter().map(|a| a.neg()).collect();
    Ok(match solve(&h, &rhs)? {
        Solved::Unique(x) => Critical::Point { x, hessian: h },
        Solved::Singular { rank, consistent } => Critical::Singular {
            rank,
            consistent,
            hessian: h,
        },
    })
}

/// The result of an exact linear solve.
enum Solved {
    Unique(Vec<Number>),
    Singular { rank: usize, consistent: bool },
}

/// Solves `a x = b` exactly by Gauss–Jordan elimination with row pivoting.
fn solve(a: &Dense<Number>, b: &[Number]) -> Result<Solved, EvalError> {
    let n = a.rows;
    let mut m: Vec<Vec<Number>> = (0..n)
        .map(|i| {
            // Every row is n + 1 wide (a non-square `a` padded or cut), so the indices below
            // (`col < n`, `n`, rows `< n`) are all in range.
            let mut row = a.row(i).map(|r| r.to_vec()).unwrap_or_default();
            row.resize(n, Number::zero());
            row.push(b.get(i).cloned().unwrap_or_else(Number::zero));
            row
        })
        .collect();
    let mut rank = 0;
    for col in 0..n {
        let Some(p) = (rank..n).find(|&r| !m[r][col].is_zero()) else {
            continue;
        };
        m.swap(rank, p);
        let pivot = m[rank][col].clone();
        for a in m[rank][col..].iter_mut() {
            *a = a.div(&pivot)?;
        }
        let pivot_row = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank && !row[col].is_zero() {
                let factor = row[col].clone();
                for (a, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *a = a.sub(&factor.mul(p));
                }
            }
        }
        rank += 1;
    }
    if rank < n {
        let consistent = m[rank..].iter().all(|row| row[n].is_zero());
        return Ok(Solved::Singular { rank, consistent });
    }
    Ok(Solved::Unique(
        m.into_iter().map(|row| row[n].clone()).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(rows: usize, cols: usize, v: &[i64]) -> Dense<Number> {
        Dense::from_vec(rows, cols, v.iter().map(|&i| Number::int(i)).collect()).expect("sizes")
    }

    #[test]
    fn exact_solution_of_a_two_by_two_system() {
        // ∇(2x₁² + x₂² + x₁x₂ − 6x₁ − 5x₂) = [4 1; 1 2]x − [6; 5].
        let Ok(Solved::Unique(x)) =
            solve(&q(2, 2, &[4, 1, 1, 2]), &[Number::int(6), Number::int(5)])
        else {
            panic!("unique solution expected");
        };
        assert_eq!(x, vec![Number::int(1), Number::int(2)]);
    }

    #[test]
    fn singular_systems_say_whether_they_are_consistent() {
        let a = q(2, 2, &[1, 2, 2, 4]);
        assert!(matches!(
            solve(&a, &[Number::int(1), Number::int(2)]),
            Ok(Solved::Singular {
                rank: 1,
                consistent: true
            })
        ));
        assert!(matches!(
            solve(&a, &[Number::int(1), Number::int(3)]),
            Ok(Solved::Singular {
                rank: 1,
                consistent: false
            })
        ));
    }
}
