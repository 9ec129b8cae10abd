//! Shapes with symbolic dimensions: every expression is a rows × cols matrix; a scalar is 1×1 and
//! a vector of ℝⁿ is n×1.

use serde::Serialize;
use std::fmt;

/// A dimension: a positive integer times a product of dimension symbols (`3`, `n`, `m·p`).
/// Products arise from Kronecker products; sums of dimensions never occur.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Dim {
    /// The integer factor (≥ 1).
    pub coeff: u64,
    /// The symbols, sorted, with repetition.
    pub symbols: Vec<String>,
}

impl Dim {
    /// The dimension 1.
    pub fn one() -> Dim {
        Dim::known(1)
    }

    /// A concrete dimension.
    pub fn known(n: u64) -> Dim {
        Dim {
            coeff: n,
            symbols: Vec::new(),
        }
    }

    /// A symbolic dimension such as `n`.
    pub fn symbol(name: impl Into<String>) -> Dim {
        Dim {
            coeff: 1,
            symbols: vec![name.into()],
        }
    }

    /// Is this the dimension 1?
    pub fn is_one(&self) -> bool {
        self.coeff == 1 && self.symbols.is_empty()
    }

    /// The value when it is concrete.
    pub fn as_known(&self) -> Option<u64> {
        self.symbols.is_empty().then_some(self.coeff)
    }

    /// The product of two dimensions (Kronecker products), or `None` on overflow.
    pub fn times(&self, other: &Dim) -> Option<Dim> {
        let mut symbols = self.symbols.clone();
        symbols.extend(other.symbols.iter().cloned());
        symbols.sort();
        Some(Dim {
            coeff: self.coeff.checked_mul(other.coeff)?,
            symbols,
        })
    }

    /// The value under an assignment of the dimension symbols, or `None` if one is missing or the
    /// value overflows.
    pub fn evaluate(&self, value_of: &dyn Fn(&str) -> Option<u64>) -> Option<u64> {
        self.symbols
            .iter()
            .try_fold(self.coeff, |acc, s| acc.checked_mul(value_of(s)?))
    }
}

impl fmt::Display for Dim {
    /// `3`, `n`, `2m·p`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.symbols.is_empty() {
            return write!(f, "{}", self.coeff);
        }
        if self.coeff != 1 {
            write!(f, "{}", self.coeff)?;
        }
        write!(f, "{}", self.symbols.join("·"))
    }
}

/// The shape of a value: rows × cols.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Shape {
    /// Number of rows.
    pub rows: Dim,
    /// Number of columns.
    pub cols: Dim,
}

impl Shape {
    /// 1×1.
    pub fn scalar() -> Shape {
        Shape {
            rows: Dim::one(),
            cols: Dim::one(),
        }
    }

    /// A column vector with `n` entries.
    pub fn vector(n: Dim) -> Shape {
        Shape {
            rows: n,
            cols: Dim::one(),
        }
    }

    /// A `rows × cols` matrix.
    pub fn matrix(rows: Dim, cols: Dim) -> Shape {
        Shape { rows, cols }
    }

    /// Is this 1×1?
    pub fn is_scalar(&self) -> bool {
        self.rows.is_one() && self.cols.is_one()
    }

    /// Is this a column vector (n×1, n ≠ 1)?
    pub fn is_column(&self) -> bool {
        self.cols.is_one() && !self.rows.is_one()
    }

    /// Is this a row vector (1×n, n ≠ 1)?
    pub fn is_row(&self) -> bool {
        self.rows.is_one() && !self.cols.is_one()
    }

    /// Is this square (rows and cols are the same dimension)?
    pub fn is_square(&self) -> bool {
        self.rows == self.cols
    }

    /// The transposed shape.
    pub fn transposed(&self) -> Shape {
        Shape {
            rows: self.cols.clone(),
            cols: self.rows.clone(),
        }
    }

    /// The shape of the product `self · other`: scalars scale, otherwise the inner dimensions
    /// must agree. `None` when they do not.
    pub fn product(&self, other: &Shape) -> Option<Shape> {
        if self.is_scalar() {
            Some(other.clone())
        } else if other.is_scalar() {
            Some(self.clone())
        } else if self.cols == other.rows {
            Some(Shape::matrix(self.rows.clone(), other.cols.clone()))
        } else {
            None
        }
    }
}

impl fmt::Display for Shape {
    /// `ℝ`, `ℝ^n`, `ℝ^(m×n)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_scalar() {
            write!(f, "ℝ")
        } else if self.cols.is_one() {
            write!(f, "ℝ^{}", self.rows)
        } else {
            write!(f, "ℝ^({}×{})", self.rows, self.cols)
        }
    }
}
