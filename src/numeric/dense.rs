//! A small row-major dense matrix over any [`Scalar`], with the linear algebra evaluation needs.

use super::error::EvalError;
use super::scalar::Scalar;

/// The most entries any evaluated matrix may have.
pub const MAX_ENTRIES: usize = 1_000_000;

/// A `rows × cols` matrix stored row by row. A scalar is 1×1, a vector n×1.
///
/// Every constructor keeps `data.len() == rows · cols`; the row-major indices of the methods
/// (`i · cols + j` with `i < rows`, `j < cols`) rely on it and are in range.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T> {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// The entries, row by row (`rows · cols` of them).
    pub data: Vec<T>,
}

/// `Ok(rows · cols)` when a matrix of that size is allowed.
fn checked_size(rows: usize, cols: usize) -> Result<usize, EvalError> {
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ENTRIES => Ok(n),
        _ => Err(EvalError::TooLarge),
    }
}

impl<T: Clone> Dense<T> {
    /// A 1×1 matrix.
    pub fn scalar(value: T) -> Dense<T> {
        Dense {
            rows: 1,
            cols: 1,
            data: vec![value],
        }
    }

    /// A matrix from row-major entries; `None` when the count is not `rows · cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<T>) -> Option<Dense<T>> {
        (rows.checked_mul(cols) == Some(data.len())).then_some(Dense { rows, cols, data })
    }

    /// A matrix whose entry (i, j) (0-based) is `f(i, j)`, or `TooLarge`.
    pub fn from_fn(
        rows: usize,
        cols: usize,
        mut f: impl FnMut(usize, usize) -> T,
    ) -> Result<Dense<T>, EvalError> {
        let n = checked_size(rows, cols)?;
        let mut data = Vec::with_capacity(n);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Ok(Dense { rows, cols, data })
    }

    /// Like [`Dense::from_fn`] with a fallible entry function.
    pub fn try_from_fn(
        rows: usize,
        cols: usize,
        mut f: impl FnMut(usize, usize) -> Result<T, EvalError>,
    ) -> Result<Dense<T>, EvalError> {
        let n = checked_size(rows, cols)?;
        let mut data = Vec::with_capacity(n);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j)?);
            }
        }
        Ok(Dense { rows, cols, data })
    }

    /// Entry (i, j), 0-based, if in range.
    pub fn get(&self, i: usize, j: usize) -> Option<&T> {
        if i < self.rows && j < self.cols {
            self.data.get(i * self.cols + j)
        } else {
            None
        }
    }

    /// Row `i` (0-based) as a slice, if in range.
    pub fn row(&self, i: usize) -> Option<&[T]> {
        if i < self.rows {
            self.data.get(i * self.cols..(i + 1) * self.cols)
        } else {
            None
        }
    }

    /// The entry of a 1×1 matrix.
    pub fn as_scalar(&self) -> Option<&T> {
        (self.rows == 1 && self.cols == 1).then(|| self.data.first())?
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Does it have no entries?
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The transpose.
    pub fn transpose(&self) -> Dense<T> {
        let mut data = Vec::with_capacity(self.data.len());
        for j in 0..self.cols {
            for i in 0..self.rows {
                data.push(self.data[i * self.cols + j].clone());
            }
        }
        Dense {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }

    /// Applies `f` to every entry.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Dense<U> {
        Dense {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(f).collect(),
        }
    }

    /// Applies a fallible `f` to every entry.
    pub fn try_map<U, E>(&self, f: impl FnMut(&T) -> Result<U, E>) -> Result<Dense<U>, E> {
        Ok(Dense {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(f).collect::<Result<_, E>>()?,
        })
    }
}

impl<T: Scalar> Dense<T> {
    /// The zero matrix, or `TooLarge`.
    pub fn zeros(rows: usize, cols: usize) -> Result<Dense<T>, EvalError> {
        Dense::from_fn(rows, cols, |_, _| T::zero())
    }

    /// The all-ones matrix, or `TooLarge`.
    pub fn ones(rows: usize, cols: usize) -> Result<Dense<T>, EvalError> {
        Dense::from_fn(rows, cols, |_, _| T::one())
    }

    /// The n×n identity, or `TooLarge`.
    pub fn identity(n: usize) -> Result<Dense<T>, EvalError> {
        Dense::from_fn(n, n, |i, j| if i == j { T::one() } else { T::zero() })
    }

    fn zip_with(
        &self,
        other: &Dense<T>,
        what: &str,
        f: impl Fn(&T, &T) -> T,
    ) -> Result<Dense<T>, EvalError> {
        if self.shape() != other.shape() {
            return Err(EvalError::shape(what));
        }
        Ok(Dense {
            rows: self.rows,
            cols: self.cols,
            data: self
                .data
                .iter()
                .zip(&other.data)
                .map(|(a, b)| f(a, b))
                .collect(),
        })
    }

    /// Entrywise sum.
    pub fn add(&self, other: &Dense<T>) -> Result<Dense<T>, EvalError> {
        self.zip_with(other, "a sum", |a, b| a.add(b))
    }

    /// Entrywise difference.
    pub fn sub(&self, other: &Dense<T>) -> Result<Dense<T>, EvalError> {
        self.zip_with(other, "a difference", |a, b| a.sub(b))
    }

    /// Entrywise (Hadamard) product.
    pub fn hadamard(&self, other: &Dense<T>) -> Result<Dense<T>, EvalError> {
        self.zip_with(other, "an elementwise product", |a, b| a.mul(b))
    }

    /// Every entry times `c`.
    pub fn scale(&self, c: &T) -> Dense<T> {
        self.map(|a| c.mul(a))
    }

    /// The matrix product.
    pub fn matmul(&self, other: &Dense<T>) -> Result<Dense<T>, EvalError> {
        if self.cols != other.rows {
            return Err(EvalError::shape("a matrix product"));
        }
        let k = self.cols;
        Dense::from_fn(self.rows, other.cols, |i, j| {
            let mut acc = T::zero();
            for l in 0..k {
                let a = &self.data[i * k + l];
                if !a.is_zero() {
                    acc = acc.add(&a.mul(&other.data[l * other.cols + j]));
                }
            }
            acc
        })
    }

    /// The Kronecker product.
    pub fn kron(&self, other: &Dense<T>) -> Result<Dense<T>, EvalError> {
        let rows = self
            .rows
            .checked_mul(other.rows)
            .ok_or(EvalError::TooLarge)?;
        let cols = self
            .cols
            .checked_mul(other.cols)
            .ok_or(EvalError::TooLarge)?;
        Dense::from_fn(rows, cols, |i, j| {
            let a = &self.data[(i / other.rows) * self.cols + j / other.cols];
            a.mul(&other.data[(i % other.rows) * other.cols + j % other.cols])
        })
    }

    /// The sum of all entries.
    pub fn sum(&self) -> T {
        self.data.iter().fold(T::zero(), |acc, a| acc.add(a))
    }

    /// The trace of a square matrix.
    pub fn trace(&self) -> Result<T, EvalError> {
        if self.rows != self.cols {
            return Err(EvalError::shape("a trace of a non-square matrix"));
        }
        Ok((0..self.rows).fold(T::zero(), |acc, i| acc.add(&self.data[i * self.cols + i])))
    }

    /// The largest |entry| as `f64`, the scale for deciding that a floating pivot is zero.
    fn magnitude_scale(&self) -> f64 {
        self.data.iter().map(|a| a.magnitude()).fold(0.0, f64::max)
    }

    /// The row index of the best pivot in column `col` among rows `from..`, if any is nonzero.
    fn pivot_row(&self, col: usize, from: usize, scale: f64) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for r in from..self.rows {
            let a = &self.data[r * self.cols + col];
            if a.is_negligible(scale) {
                continue;
            }
            let m = a.magnitude();
            match best {
                Some((_, bm)) if m <= bm => {}
                _ => best = Some((r, m)),
            }
        }
        best.map(|(r, _)| r)
    }

    fn swap_rows(&mut self, a: usize, b: usize) {
        if a != b {
            for j in 0..self.cols {
                self.data.swap(a * self.cols + j, b * self.cols + j);
            }
        }
    }

    /// The determinant of a square matrix by Gaussian elimination (exact for rationals).
    pub fn det(&self) -> Result<T, EvalError> {
        if self.rows != self.cols {
            return Err(EvalError::shape("a determinant of a non-square matrix"));
        }
        let n = self.rows;
        let scale = self.magnitude_scale();
        let mut m = self.clone();
        let mut det = T::one();
        for c in 0..n {
            let Some(p) = m.pivot_row(c, c, scale) else {
                return Ok(T::zero());
            };
            if p != c {
                m.swap_rows(p, c);
                det = det.neg();
            }
            let pivot = m.data[c * n + c].clone();
            det = det.mul(&pivot);
            for r in c + 1..n {
                let factor = m.data[r * n + c].div(&pivot)?;
                if factor.is_zero() {
                    continue;
                }
                for j in c..n {
                    let v = m.data[r * n + j].sub(&factor.mul(&m.data[c * n + j]));
                    m.data[r * n + j] = v;
                }
            }
        }
        Ok(det)
    }

    /// The inverse of a square matrix by Gauss–Jordan elimination; singular → `Domain`.
    pub fn inverse(&self) -> Result<Dense<T>, EvalError> {
        if self.rows != self.cols {
            return Err(EvalError::shape("an inverse of a non-square matrix"));
        }
        let n = self.rows;
        let scale = self.magnitude_scale();
        let mut m = self.clone();
        let mut inv = Dense::<T>::identity(n)?;
        for c in 0..n {
            let p = m
                .pivot_row(c, c, scale)
                .ok_or_else(|| EvalError::domain("the inverse of a singular matrix"))?;
            m.swap_rows(p, c);
            inv.swap_rows(p, c);
            let pivot = m.data[c * n + c].clone();
            for j in 0..n {
                m.data[c * n + j] = m.data[c * n + j].div(&pivot)?;
                inv.data[c * n + j] = inv.data[c * n + j].div(&pivot)?;
            }
            for r in 0..n {
                if r == c {
                    continue;
                }
                let factor = m.data[r * n + c].clone();
                if factor.is_zero() {
                    continue;
                }
                for j in 0..n {
                    let v = m.data[r * n + j].sub(&factor.mul(&m.data[c * n + j]));
                    m.data[r * n + j] = v;
                    let w = inv.data[r * n + j].sub(&factor.mul(&inv.data[c * n + j]));
                    inv.data[r * n + j] = w;
                }
            }
        }
        Ok(inv)
    }

    /// `self^k` for a square matrix and an integer `k` (negative powers invert first).
    pub fn powi(&self, k: i64) -> Result<Dense<T>, EvalError> {
        if self.rows != self.cols {
            return Err(EvalError::shape("a power of a non-square matrix"));
        }
        let mut base = if k < 0 { self.inverse()? } else { self.clone() };
        let mut e = k.unsigned_abs();
        let mut acc = Dense::<T>::identity(self.rows)?;
        while e > 0 {
            if e & 1 == 1 {
                acc = acc.matmul(&base)?;
            }
            e >>= 1;
            if e > 0 {
                base = base.matmul(&base)?;
            }
        }
        Ok(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Number;

    fn q(rows: usize, cols: usize, v: &[i64]) -> Dense<Number> {
        Dense::from_vec(rows, cols, v.iter().map(|&i| Number::int(i)).collect())
            .expect("test sizes agree")
    }

    #[test]
    fn inverse_times_matrix_is_identity_exactly() {
        let a = q(3, 3, &[0, 2, 1, 1, 1, 0, 3, 0, 1]);
        let inv = a.inverse().expect("invertible");
        assert_eq!(
            a.matmul(&inv).expect("sizes"),
            Dense::identity(3).expect("small")
        );
        assert_eq!(a.det().expect("square"), Number::int(-5));
    }

    #[test]
    fn singular_inverse_is_a_domain_error() {
        let a = q(2, 2, &[1, 2, 2, 4]);
        assert!(matches!(a.inverse(), Err(EvalError::Domain { .. })));
        assert_eq!(a.det().expect("square"), Number::zero());
        let f = Dense::from_vec(2, 2, vec![1.0, 2.0, 2.0, 4.0]).expect("sizes");
        assert!(matches!(f.inverse(), Err(EvalError::Domain { .. })));
    }

    #[test]
    fn kron_and_powers() {
        let a = q(1, 2, &[1, 2]);
        let b = q(2, 1, &[3, 4]);
        let k = a.kron(&b).expect("small");
        assert_eq!(k, q(2, 2, &[3, 6, 4, 8]));
        assert_eq!(k.row(1), Some(&[Number::int(4), Number::int(8)][..]));
        assert_eq!(k.row(2), None);
        let m = q(2, 2, &[1, 1, 0, 1]);
        assert_eq!(m.powi(3).expect("square"), q(2, 2, &[1, 3, 0, 1]));
        assert_eq!(m.powi(-2).expect("square"), q(2, 2, &[1, -2, 0, 1]));
    }

    #[test]
    fn size_cap_is_enforced() {
        assert_eq!(Dense::<f64>::zeros(1001, 1000), Err(EvalError::TooLarge));
    }
}
