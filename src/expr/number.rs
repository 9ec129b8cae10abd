//! Exact rational numbers of arbitrary precision.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::fmt;

/// An exact rational number. `0.2` is 1/5; there is no overflow.
#[derive(Clone, Debug, Eq)]
pub struct Number(pub BigRational);

impl PartialEq for Number {
    /// Equal reduced numerators and denominators (`Ratio`'s own equality cross-multiplies).
    fn eq(&self, other: &Number) -> bool {
        self.0.numer() == other.0.numer() && self.0.denom() == other.0.denom()
    }
}

impl Ord for Number {
    /// Numeric order (small ratios compared by cross-multiplying in machine integers).
    fn cmp(&self, other: &Number) -> std::cmp::Ordering {
        match (self.small_parts(), other.small_parts()) {
            // Denominators are positive, so a/b < c/d ⇔ ad < cb.
            (Some((a, b)), Some((c, d))) => (a * d).cmp(&(c * b)),
            _ => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for Number {
    /// Hashes the reduced numerator and denominator (cheaper than `Ratio`'s own hash, which
    /// expands a continued fraction; equal numbers have equal reduced forms).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match (self.0.numer().to_i64(), self.0.denom().to_i64()) {
            (Some(n), Some(d)) => {
                state.write_i64(n);
                state.write_i64(d);
            }
            _ => {
                self.0.numer().hash(state);
                self.0.denom().hash(state);
            }
        }
    }
}

impl Number {
    /// The integer `i`.
    pub fn int(i: i64) -> Number {
        Number(BigRational::from_integer(BigInt::from(i)))
    }

    /// `n / d`; `d` must not be zero.
    pub fn ratio(n: i64, d: i64) -> Number {
        match d {
            0 => Number(BigRational::new(BigInt::from(n), BigInt::from(d))),
            d if d < 0 => Number::reduced(-i128::from(n), -i128::from(d)),
            d => Number::reduced(i128::from(n), i128::from(d)),
        }
    }

    /// Zero.
    pub fn zero() -> Number {
        Number(BigRational::zero())
    }

    /// One.
    pub fn one() -> Number {
        Number(BigRational::one())
    }

    /// Is this 0?
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Is this 1?
    pub fn is_one(&self) -> bool {
        self.0.is_one()
    }

    /// Is this −1?
    pub fn is_minus_one(&self) -> bool {
        self.0.is_integer() && self.0.numer().is_negative() && self.0.numer().magnitude().is_one()
    }

    /// The integer value if it lies in −16..=16 (the constants built most often).
    pub(crate) fn small_int(&self) -> Option<i64> {
        if !self.0.is_integer() || self.0.numer().bits() > 5 {
            return None;
        }
        self.0.numer().to_i64().filter(|i| (-16..=16).contains(i))
    }

    /// Writes the `Display` form (`3`, `-1/2`) without allocating when the parts fit in `i64`.
    pub(crate) fn write_decimal(&self, w: &mut impl std::fmt::Write) {
        // (Writing into an infallible sink.)
        let _ = match (self.0.numer().to_i64(), self.0.denom().to_i64()) {
            (Some(n), Some(1)) => write_i64(w, n),
            (Some(n), Some(d)) => write_i64(w, n)
                .and_then(|()| w.write_str("/"))
                .and_then(|()| write_i64(w, d)),
            _ => write!(w, "{}", self.0),
        };
    }

    /// Is this an integer?
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    /// Is this negative?
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// The value as an `i64` if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.0.is_integer() {
            self.0.numer().to_i64()
        } else {
            None
        }
    }

    /// The nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        self.0.to_f64().unwrap_or(f64::NAN)
    }

    /// An exact value of a finite `f64` (every finite float is a dyadic rational).
    pub fn from_f64(x: f64) -> Option<Number> {
        BigRational::from_float(x).map(Number)
    }

    /// The numerator.
    pub fn numer(&self) -> &BigInt {
        self.0.numer()
    }

    /// The denominator (always positive).
    pub fn denom(&self) -> &BigInt {
        self.0.denom()
    }

    /// Absolute value.
    pub fn abs(&self) -> Number {
        Number(self.0.abs())
    }

    /// The reciprocal, or `None` for zero.
    pub fn recip(&self) -> Option<Number> {
        if self.is_zero() {
            None
        } else {
            Some(Number(self.0.recip()))
        }
    }

    /// `self^exp` for an integer exponent, or `None` when it is undefined (0 to a negative power)
    /// or its size would exceed `max_bits` bits.
    pub fn pow_checked(&self, exp: i64, max_bits: u64) -> Option<Number> {
        if self.is_zero() {
            return if exp > 0 {
                Some(Number::zero())
            } else if exp == 0 {
                Some(Number::one())
            } else {
                None
            };
        }
        let bits = self.numer().bits().max(self.denom().bits()).max(1);
        if bits.saturating_mul(exp.unsigned_abs()) > max_bits {
            return None;
        }
        let exp32 = i32::try_from(exp).ok()?;
        Some(Number(num_traits::Pow::pow(&self.0, exp32)))
    }

    /// The exact `q`-th root of a non-negative rational when it is rational, e.g. √(9/4) = 3/2.
    pub fn exact_root(&self, q: u32) -> Option<Number> {
        if self.is_negative() || q == 0 {
            return None;
        }
        let n = self.numer().nth_root(q);
        let d = self.denom().nth_root(q);
        if num_traits::Pow::pow(&n, q) == *self.numer()
            && num_traits::Pow::pow(&d, q) == *self.denom()
        {
            Some(Number(BigRational::new(n, d)))
        } else {
            None
        }
    }
}

/// Writes an integer in decimal without the formatting machinery.
fn write_i64(w: &mut impl std::fmt::Write, n: i64) -> fmt::Result {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        w.write_str("-")?;
    }
    w.write_str(std::str::from_utf8(&buf[at..]).unwrap_or_default())
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::int(i)
    }
}

impl From<BigRational> for Number {
    fn from(r: BigRational) -> Number {
        Number(r)
    }
}

// Integer fast paths: most coefficients are integers, and rational arithmetic would reduce by a
// gcd every time.
impl std::ops::Add for &Number {
    type Output = Number;
    fn add(self, rhs: &Number) -> Number {
        if self.0.is_integer() && rhs.0.is_integer() {
            return Number(BigRational::from_integer(self.0.numer() + rhs.0.numer()));
        }
        if let (Some((a, b)), Some((c, d))) = (self.small_parts(), rhs.small_parts()) {
            return Number::reduced(a * d + c * b, b * d);
        }
        Number(&self.0 + &rhs.0)
    }
}

impl std::ops::Sub for &Number {
    type Output = Number;
    fn sub(self, rhs: &Number) -> Number {
        if self.0.is_integer() && rhs.0.is_integer() {
            return Number(BigRational::from_integer(self.0.numer() - rhs.0.numer()));
        }
        if let (Some((a, b)), Some((c, d))) = (self.small_parts(), rhs.small_parts()) {
            return Number::reduced(a * d - c * b, b * d);
        }
        Number(&self.0 - &rhs.0)
    }
}

impl Number {
    /// Numerator and denominator as machine integers, when both fit.
    fn small_parts(&self) -> Option<(i128, i128)> {
        Some((
            i128::from(self.0.numer().to_i64()?),
            i128::from(self.0.denom().to_i64()?),
        ))
    }

    /// `n / d` for `d > 0` computed in machine integers, reduced here (not by a big gcd).
    fn reduced(n: i128, d: i128) -> Number {
        use num_integer::Integer;
        let g = n.gcd(&d).max(1);
        Number(BigRational::new_raw(
            BigInt::from(n / g),
            BigInt::from(d / g),
        ))
    }
}

impl std::ops::Mul for &Number {
    type Output = Number;
    fn mul(self, rhs: &Number) -> Number {
        if rhs.is_one() {
            return self.clone();
        }
        if self.is_one() {
            return rhs.clone();
        }
        if self.0.is_integer() && rhs.0.is_integer() {
            return Number(BigRational::from_integer(self.0.numer() * rhs.0.numer()));
        }
        // Small ratios: the products of 63-bit parts fit in 127 bits.
        if let (Some((a, b)), Some((c, d))) = (self.small_parts(), rhs.small_parts()) {
            return Number::reduced(a * c, b * d);
        }
        Number(&self.0 * &rhs.0)
    }
}

impl std::ops::Neg for &Number {
    type Output = Number;
    fn neg(self) -> Number {
        Number(-&self.0)
    }
}

impl fmt::Display for Number {
    /// `3`, `-1/2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for Number {
    /// As a string: `"3"`, `"-1/2"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine-integer paths agree with big rational arithmetic.
    #[test]
    fn small_ratio_arithmetic_is_exact() {
        let mut values = vec![
            Number::int(i64::MAX),
            Number::int(i64::MIN),
            Number::ratio(1, i64::MAX),
        ];
        for n in -7..=7 {
            for d in 1..=6 {
                values.push(Number::ratio(n, d));
            }
        }
        values.push(Number::ratio(i64::MIN + 1, i64::MAX));
        values.push(Number::ratio(i64::MIN, -6));
        values.push(Number::ratio(4, -6));
        for v in &values {
            let mut s = String::new();
            v.write_decimal(&mut s);
            assert_eq!(s, v.to_string());
        }
        for x in &values {
            for y in &values {
                assert_eq!((x * y).0, &x.0 * &y.0);
                assert_eq!((x + y).0, &x.0 + &y.0);
                assert_eq!((x - y).0, &x.0 - &y.0);
                assert_eq!(x.cmp(y), x.0.cmp(&y.0));
                assert_eq!(x == y, x.0 == y.0);
            }
        }
    }
}
