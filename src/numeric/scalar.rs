//! The number types evaluation works over: exact rationals ([`Number`]) and `f64`.

use super::dense::Dense;
use super::error::EvalError;
use crate::expr::{Func, Number};
use num_traits::{Signed, ToPrimitive};
use std::fmt::Debug;

/// Largest bit size of an exact number evaluation produces (numerator or denominator, about
/// 4,900 decimal digits); a larger value is [`EvalError::TooLarge`] (the checker then compares in
/// floating point). Exact arithmetic on larger numbers costs time quadratic in their size
/// (reducing a fraction) with no clock between two operations.
const MAX_BITS: u64 = 1 << 14;

/// Relative size under which a floating-point pivot counts as zero.
const PIVOT_EPS: f64 = 1e-12;

/// A field of scalars to evaluate in. Operations that leave the field (√2, e¹) return
/// `Err(NotRational)` for exact numbers; undefined operations return `Err(Domain)`.
pub trait Scalar: Clone + Debug + PartialEq + PartialOrd {
    /// Whether arithmetic is exact (rationals) rather than floating point.
    const EXACT: bool;
    /// The value of an exact constant (rounded for `f64`).
    fn from_number(n: &Number) -> Self;
    /// An integer.
    fn from_i64(i: i64) -> Self;
    /// Zero.
    fn zero() -> Self {
        Self::from_i64(0)
    }
    /// One.
    fn one() -> Self {
        Self::from_i64(1)
    }
    /// `self + other`.
    fn add(&self, other: &Self) -> Self;
    /// `self − other`.
    fn sub(&self, other: &Self) -> Self;
    /// `self · other`.
    fn mul(&self, other: &Self) -> Self;
    /// `−self`.
    fn neg(&self) -> Self;
    /// `self / other`; division by zero is a domain error.
    fn div(&self, other: &Self) -> Result<Self, EvalError>;
    /// Is this exactly zero?
    fn is_zero(&self) -> bool;
    /// Is this negative?
    fn is_negative(&self) -> bool;
    /// |self| as an `f64`, for choosing pivots.
    fn magnitude(&self) -> f64;
    /// Does this count as a zero pivot in a matrix whose largest |entry| is `scale`?
    fn is_negligible(&self, scale: f64) -> bool;
    /// Is the value finite (always for rationals)?
    fn is_finite(&self) -> bool;
    /// The value as an integer, if it is one.
    fn to_integer(&self) -> Option<i64>;
    /// The nearest `f64`.
    fn to_f64(&self) -> f64;
    /// `self^k` for an exact exponent `k` (integer, or p/q with a real q-th root).
    fn pow_number(&self, k: &Number) -> Result<Self, EvalError>;
    /// `self^e` for an exponent that is itself a value of this type.
    fn pow(&self, e: &Self) -> Result<Self, EvalError>;
    /// A scalar built-in applied to one entry (sin, exp, log, relu, …).
    fn apply(&self, f: Func) -> Result<Self, EvalError>;
    /// The Moore–Penrose pseudo-inverse of a matrix.
    fn pinv(a: &Dense<Self>) -> Result<Dense<Self>, EvalError>;

    /// Is this an exact number larger than evaluation allows (never for `f64`)?
    fn exceeds_exact_size(&self) -> bool {
        false
    }

    /// `√self`.
    fn sqrt(&self) -> Result<Self, EvalError> {
        self.pow_number(&Number::ratio(1, 2))
    }
}

fn nonpositive_log() -> EvalError {
    EvalError::domain("log of a non-positive number")
}

fn zero_negative_power() -> EvalError {
    EvalError::domain("0 to a negative power")
}

impl Scalar for Number {
    const EXACT: bool = true;

    fn from_number(n: &Number) -> Number {
        n.clone()
    }
    fn from_i64(i: i64) -> Number {
        Number::int(i)
    }
    fn add(&self, other: &Number) -> Number {
        self + other
    }
    fn sub(&self, other: &Number) -> Number {
        self - other
    }
    fn mul(&self, other: &Number) -> Number {
        self * other
    }
    fn neg(&self) -> Number {
        -self
    }
    fn div(&self, other: &Number) -> Result<Number, EvalError> {
        let r = other
            .recip()
            .ok_or_else(|| EvalError::domain("division by zero"))?;
        Ok(self * &r)
    }
    fn is_zero(&self) -> bool {
        Number::is_zero(self)
    }
    fn is_negative(&self) -> bool {
        Number::is_negative(self)
    }
    fn magnitude(&self) -> f64 {
        Number::to_f64(self).abs()
    }
    fn is_negligible(&self, _scale: f64) -> bool {
        Number::is_zero(self)
    }
    fn is_finite(&self) -> bool {
        true
    }
    fn to_integer(&self) -> Option<i64> {
        self.to_i64()
    }
    fn to_f64(&self) -> f64 {
        Number::to_f64(self)
    }

    fn pow_number(&self, k: &Number) -> Result<Number, EvalError> {
        if Number::is_zero(self) && k.is_negative() {
            return Err(zero_negative_power());
        }
        if let Some(ki) = k.to_i64() {
            return self.pow_checked(ki, MAX_BITS).ok_or(EvalError::TooLarge);
        }
        let p = k.numer().to_i64().ok_or(EvalError::TooLarge)?;
        let q = k.denom().to_u32().ok_or(EvalError::NotRational)?;
        let root = if Number::is_negative(self) {
            if q % 2 == 0 {
                return Err(EvalError::domain("an even root of a negative number"));
            }
            -&self.abs().exact_root(q).ok_or(EvalError::NotRational)?
        } else {
            self.exact_root(q).ok_or(EvalError::NotRational)?
        };
        root.pow_checked(p, MAX_BITS).ok_or(EvalError::TooLarge)
    }

    fn pow(&self, e: &Number) -> Result<Number, EvalError> {
        self.pow_number(e)
    }

    fn exceeds_exact_size(&self) -> bool {
        self.bits() > MAX_BITS
    }

    fn apply(&self, f: Func) -> Result<Number, EvalError> {
        let zero = Number::is_zero(self);
        match f {
            Func::Sin | Func::Tan | Func::Tanh | Func::Arcsin | Func::Arctan if zero => {
                Ok(Number::zero())
            }
            Func::Cos | Func::Exp if zero => Ok(Number::one()),
            Func::Sigmoid if zero => Ok(Number::ratio(1, 2)),
            Func::Log if !Number::is_negative(self) && !zero => {
                if self.is_one() {
                    Ok(Number::zero())
                } else {
                    Err(EvalError::NotRational)
                }
            }
            Func::Log => Err(nonpositive_log()),
            Func::Relu => Ok(if Number::is_negative(self) {
                Number::zero()
            } else {
                self.clone()
            }),
            Func::Abs => Ok(self.abs()),
            Func::Sign => Ok(Number::int(if zero {
                0
            } else if Number::is_negative(self) {
                -1
            } else {
                1
            })),
            Func::Sin
            | Func::Cos
            | Func::Tan
            | Func::Exp
            | Func::Tanh
            | Func::Sigmoid
            | Func::Softplus
            | Func::Arcsin
            | Func::Arccos
            | Func::Arctan => Err(EvalError::NotRational),
            _ => Err(EvalError::Unsupported {
                what: format!("{} of a scalar entry", f.name()),
            }),
        }
    }

    /// Exact when the matrix has full column rank ((AᵀA)⁻¹Aᵀ) or full row rank (Aᵀ(AAᵀ)⁻¹);
    /// otherwise the exact pseudo-inverse needs more machinery: `NotRational` sends the caller
    /// to floating point.
    fn pinv(a: &Dense<Number>) -> Result<Dense<Number>, EvalError> {
        let at = a.transpose();
        if a.rows >= a.cols {
            match at.matmul(a)?.inverse() {
                Ok(g) => return g.matmul(&at),
                Err(EvalError::Domain { .. }) => {}
                Err(e) => return Err(e),
            }
        } else {
            match a.matmul(&at)?.inverse() {
                Ok(g) => return at.matmul(&g),
                Err(EvalError::Domain { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Err(EvalError::NotRational)
    }
}

/// `Ok(x)` when finite, else a domain error.
fn finite(x: f64, what: &str) -> Result<f64, EvalError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(EvalError::domain(what))
    }
}

impl Scalar for f64 {
    const EXACT: bool = false;

    fn from_number(n: &Number) -> f64 {
        n.to_f64()
    }
    fn from_i64(i: i64) -> f64 {
        i as f64
    }
    fn add(&self, other: &f64) -> f64 {
        self + other
    }
    fn sub(&self, other: &f64) -> f64 {
        self - other
    }
    fn mul(&self, other: &f64) -> f64 {
        self * other
    }
    fn neg(&self) -> f64 {
        -self
    }
    fn div(&self, other: &f64) -> Result<f64, EvalError> {
        if *other == 0.0 {
            return Err(EvalError::domain("division by zero"));
        }
        finite(self / other, "a non-finite quotient")
    }
    fn is_zero(&self) -> bool {
        *self == 0.0
    }
    fn is_negative(&self) -> bool {
        *self < 0.0
    }
    fn magnitude(&self) -> f64 {
        self.abs()
    }
    fn is_negligible(&self, scale: f64) -> bool {
        self.abs() <= PIVOT_EPS * scale
    }
    fn is_finite(&self) -> bool {
        f64::is_finite(*self)
    }
    fn to_integer(&self) -> Option<i64> {
        (self.fract() == 0.0 && self.abs() < 9.0e15).then_some(*self as i64)
    }
    fn to_f64(&self) -> f64 {
        *self
    }

    fn pow_number(&self, k: &Number) -> Result<f64, EvalError> {
        let x = *self;
        if x == 0.0 && k.is_negative() {
            return Err(zero_negative_power());
        }
        if let Some(ki) = k.to_i64().and_then(|k| i32::try_from(k).ok()) {
            return finite(x.powi(ki), "a non-finite power");
        }
        if x < 0.0 {
            // A real odd root: (−a)^(p/q) = (−1)^p a^(p/q) for odd q.
            let q_odd = k.denom().bit(0);
            if !q_odd {
                return Err(EvalError::domain("an even root of a negative number"));
            }
            let p_odd = k.numer().bit(0);
            let m = (-x).powf(k.to_f64());
            return finite(if p_odd { -m } else { m }, "a non-finite power");
        }
        finite(x.powf(k.to_f64()), "a non-finite power")
    }

    fn pow(&self, e: &f64) -> Result<f64, EvalError> {
        let x = *self;
        if x == 0.0 && *e < 0.0 {
            return Err(zero_negative_power());
        }
        if let Some(k) = e.to_integer().and_then(|k| i32::try_from(k).ok()) {
            return finite(x.powi(k), "a non-finite power");
        }
        if x < 0.0 {
            return Err(EvalError::domain("a negative number to a fractional power"));
        }
        finite(x.powf(*e), "a non-finite power")
    }

    fn apply(&self, f: Func) -> Result<f64, EvalError> {
        let x = *self;
        let v = match f {
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Exp => x.exp(),
            Func::Log if x > 0.0 => x.ln(),
            Func::Log => return Err(nonpositive_log()),
            Func::Tanh => x.tanh(),
            Func::Arctan => x.atan(),
            Func::Arcsin | Func::Arccos if !(-1.0..=1.0).contains(&x) => {
                return Err(EvalError::domain(&format!(
                    "{} of {x}, outside [−1, 1]",
                    f.name()
                )))
            }
            Func::Arcsin => x.asin(),
            Func::Arccos => x.acos(),
            Func::Sigmoid if x >= 0.0 => 1.0 / (1.0 + (-x).exp()),
            Func::Sigmoid => {
                let e = x.exp();
                e / (1.0 + e)
            }
            Func::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
            Func::Relu => x.max(0.0),
            Func::Abs => x.abs(),
            Func::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            _ => {
                return Err(EvalError::Unsupported {
                    what: format!("{} of a scalar entry", f.name()),
                })
            }
        };
        finite(v, "a non-finite function value")
    }

    /// Via nalgebra's SVD, with singular values below `1e-12 · σ_max` treated as zero.
    fn pinv(a: &Dense<f64>) -> Result<Dense<f64>, EvalError> {
        if a.is_empty() {
            return Ok(a.transpose());
        }
        let m = nalgebra::DMatrix::from_row_slice(a.rows, a.cols, &a.data);
        let svd = m.svd(true, true);
        let max = svd.singular_values.iter().copied().fold(0.0, f64::max);
        let p = svd
            .pseudo_inverse(PIVOT_EPS * max.max(f64::MIN_POSITIVE))
            .map_err(|e| EvalError::Unsupported {
                what: format!("pinv ({e})"),
            })?;
        Dense::from_fn(p.nrows(), p.ncols(), |i, j| p[(i, j)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_roots_and_powers() {
        let nine_quarters = Number::ratio(9, 4);
        assert_eq!(nine_quarters.sqrt(), Ok(Number::ratio(3, 2)));
        assert_eq!(Number::int(2).sqrt(), Err(EvalError::NotRational));
        assert_eq!(
            Number::int(-8).pow_number(&Number::ratio(2, 3)),
            Ok(Number::int(4))
        );
        assert!(matches!(
            Number::int(-4).sqrt(),
            Err(EvalError::Domain { .. })
        ));
        assert!(matches!(
            Number::zero().pow_number(&Number::int(-1)),
            Err(EvalError::Domain { .. })
        ));
        assert_eq!(
            Number::ratio(2, 3).pow_number(&Number::int(-2)),
            Ok(Number::ratio(9, 4))
        );
    }

    #[test]
    fn float_powers_and_domains() {
        assert!(
            ((-8.0f64)
                .pow_number(&Number::ratio(1, 3))
                .expect("odd root")
                + 2.0)
                .abs()
                < 1e-12
        );
        assert!(matches!(
            Scalar::sqrt(&-1.0f64),
            Err(EvalError::Domain { .. })
        ));
        assert!(matches!(
            0.0f64.apply(Func::Log),
            Err(EvalError::Domain { .. })
        ));
        assert!(matches!(
            1000.0f64.apply(Func::Exp),
            Err(EvalError::Domain { .. })
        ));
        assert!((0.0f64.apply(Func::Sigmoid).expect("finite") - 0.5).abs() < 1e-15);
    }

    #[test]
    fn exact_special_values() {
        assert_eq!(Number::zero().apply(Func::Exp), Ok(Number::one()));
        assert_eq!(Number::one().apply(Func::Log), Ok(Number::zero()));
        assert_eq!(Number::int(2).apply(Func::Exp), Err(EvalError::NotRational));
        assert_eq!(Number::int(-3).apply(Func::Relu), Ok(Number::zero()));
    }

    #[test]
    fn pinv_exact_and_float_agree() {
        let a = Dense::from_vec(3, 2, [1, 0, 0, 1, 1, 1].map(Number::int).to_vec()).expect("sizes");
        let exact = Number::pinv(&a).expect("full column rank");
        let float = f64::pinv(&a.map(|x| x.to_f64())).expect("svd");
        for (e, f) in exact.data.iter().zip(&float.data) {
            assert!((e.to_f64() - f).abs() < 1e-12);
        }
    }
}
