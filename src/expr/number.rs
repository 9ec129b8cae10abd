//! Exact rational numbers of arbitrary precision, stored inline while they fit in machine words.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use std::borrow::Cow;
use std::fmt;

/// An exact rational number. `0.2` is 1/5; there is no overflow.
#[derive(Clone, PartialEq, Eq)]
pub struct Number(Repr);

/// The canonical representation: a value whose reduced numerator and denominator both fit in
/// `i64` is always `Small`, so structural equality and hashing are numeric.
#[derive(Clone)]
enum Repr {
    /// `n / d` with `d > 0` and `gcd(n, d) = 1`.
    Small { n: i64, d: i64 },
    /// Any other value (its numerator or denominator needs more than 64 bits).
    Big(Box<BigRational>),
}

impl PartialEq for Repr {
    /// Equal reduced numerators and denominators (`Ratio`'s own equality cross-multiplies).
    fn eq(&self, other: &Repr) -> bool {
        match (self, other) {
            (Repr::Small { n: a, d: b }, Repr::Small { n: c, d: e }) => a == c && b == e,
            (Repr::Big(x), Repr::Big(y)) => x.numer() == y.numer() && x.denom() == y.denom(),
            _ => false,
        }
    }
}

impl Eq for Repr {}

impl fmt::Debug for Number {
    /// As the big rational it stands for: `Number(Ratio { numer: 1, denom: 2 })`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Number").field(&self.big()).finish()
    }
}

impl Ord for Number {
    /// Numeric order (small ratios compared by cross-multiplying in machine integers).
    fn cmp(&self, other: &Number) -> std::cmp::Ordering {
        match (&self.0, &other.0) {
            // Denominators are positive, so a/b < c/d ⇔ ad < cb.
            (Repr::Small { n: a, d: b }, Repr::Small { n: c, d }) => {
                (i128::from(*a) * i128::from(*d)).cmp(&(i128::from(*c) * i128::from(*b)))
            }
            _ => self.big().cmp(&other.big()),
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
        match &self.0 {
            Repr::Small { n, d } => {
                state.write_i64(*n);
                state.write_i64(*d);
            }
            Repr::Big(r) => {
                r.numer().hash(state);
                r.denom().hash(state);
            }
        }
    }
}

impl Number {
    /// The integer `i`.
    pub fn int(i: i64) -> Number {
        Number(Repr::Small { n: i, d: 1 })
    }

    /// `n / d`; `d` must not be zero.
    pub fn ratio(n: i64, d: i64) -> Number {
        match d {
            0 => Number::from_big(BigRational::new(BigInt::from(n), BigInt::from(d))),
            d if d < 0 => Number::reduced(-i128::from(n), -i128::from(d)),
            d => Number::reduced(i128::from(n), i128::from(d)),
        }
    }

    /// The number equal to a big rational.
    pub fn from_big(r: BigRational) -> Number {
        match (r.numer().to_i64(), r.denom().to_i64()) {
            (Some(n), Some(d)) => Number(Repr::Small { n, d }),
            _ => Number(Repr::Big(Box::new(r))),
        }
    }

    /// The value as a big rational.
    pub fn to_big(&self) -> BigRational {
        self.big().into_owned()
    }

    /// The value as a big rational, borrowed when it is stored as one.
    fn big(&self) -> Cow<'_, BigRational> {
        match &self.0 {
            Repr::Small { n, d } => {
                Cow::Owned(BigRational::new_raw(BigInt::from(*n), BigInt::from(*d)))
            }
            Repr::Big(r) => Cow::Borrowed(&**r),
        }
    }

    /// Zero.
    pub fn zero() -> Number {
        Number::int(0)
    }

    /// One.
    pub fn one() -> Number {
        Number::int(1)
    }

    /// Is this 0?
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small { n: 0, .. })
    }

    /// Is this 1?
    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small { n: 1, d: 1 })
    }

    /// Is this −1?
    pub fn is_minus_one(&self) -> bool {
        matches!(self.0, Repr::Small { n: -1, d: 1 })
    }

    /// The integer value if it lies in −16..=16 (the constants built most often).
    pub(crate) fn small_int(&self) -> Option<i64> {
        match self.0 {
            Repr::Small { n, d: 1 } if (-16..=16).contains(&n) => Some(n),
            _ => None,
        }
    }

    /// Writes the `Display` form (`3`, `-1/2`) without allocating when the parts fit in `i64`.
    pub(crate) fn write_decimal(&self, w: &mut impl std::fmt::Write) {
        // (Writing into an infallible sink.)
        let _ = match &self.0 {
            Repr::Small { n, d: 1 } => write_i64(w, *n),
            Repr::Small { n, d } => write_i64(w, *n)
                .and_then(|()| w.write_str("/"))
                .and_then(|()| write_i64(w, *d)),
            Repr::Big(r) => write!(w, "{r}"),
        };
    }

    /// Is this an integer?
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { d, .. } => *d == 1,
            Repr::Big(r) => r.is_integer(),
        }
    }

    /// Is this negative?
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { n, .. } => *n < 0,
            Repr::Big(r) => r.is_negative(),
        }
    }

    /// The value as an `i64` if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Small { n, d: 1 } => Some(n),
            _ => None,
        }
    }

    /// The numerator and denominator as machine integers, when both fit.
    pub fn to_i64_parts(&self) -> Option<(i64, i64)> {
        match self.0 {
            Repr::Small { n, d } => Some((n, d)),
            Repr::Big(_) => None,
        }
    }

    /// The nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        // Both parts exact in an `f64`: one correctly rounded division.
        const EXACT: i64 = 1 << f64::MANTISSA_DIGITS;
        match self.0 {
            Repr::Small { n, d } if (-EXACT..=EXACT).contains(&n) && d <= EXACT => {
                n as f64 / d as f64
            }
            _ => self.big().to_f64().unwrap_or(f64::NAN),
        }
    }

    /// An exact value of a finite `f64` (every finite float is a dyadic rational).
    pub fn from_f64(x: f64) -> Option<Number> {
        BigRational::from_float(x).map(Number::from_big)
    }

    /// The numerator.
    pub fn numer(&self) -> BigInt {
        match &self.0 {
            Repr::Small { n, .. } => BigInt::from(*n),
            Repr::Big(r) => r.numer().clone(),
        }
    }

    /// The denominator (always positive).
    pub fn denom(&self) -> BigInt {
        match &self.0 {
            Repr::Small { d, .. } => BigInt::from(*d),
            Repr::Big(r) => r.denom().clone(),
        }
    }

    /// Absolute value.
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            -self
        } else {
            self.clone()
        }
    }

    /// The reciprocal, or `None` for zero.
    pub fn recip(&self) -> Option<Number> {
        match &self.0 {
            Repr::Small { n: 0, .. } => None,
            Repr::Small { n, d } if *n > 0 => Some(Number(Repr::Small { n: *d, d: *n })),
            Repr::Small { n, d } => Some(match n.checked_neg() {
                Some(m) => Number(Repr::Small { n: -d, d: m }),
                None => Number::from_coprime(-i128::from(*d), -i128::from(*n)),
            }),
            Repr::Big(r) => Some(Number::from_big(r.recip())),
        }
    }

    /// The bit size of the larger of numerator and denominator (0 for zero).
    pub fn bits(&self) -> u64 {
        match &self.0 {
            Repr::Small { n, d } => u64::from(64 - n.unsigned_abs().leading_zeros())
                .max(u64::from(64 - d.unsigned_abs().leading_zeros())),
            Repr::Big(r) => r.numer().bits().max(r.denom().bits()),
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
        let bits = self.bits().max(1);
        if bits.saturating_mul(exp.unsigned_abs()) > max_bits {
            return None;
        }
        let exp32 = i32::try_from(exp).ok()?;
        if let Repr::Small { n, d } = self.0 {
            // Powers of coprime parts stay coprime.
            let e = exp32.unsigned_abs();
            if let (Some(p), Some(q)) = (n.checked_pow(e), d.checked_pow(e)) {
                let power = Number(Repr::Small { n: p, d: q });
                return if exp32 < 0 {
                    power.recip()
                } else {
                    Some(power)
                };
            }
        }
        Some(Number::from_big(num_traits::Pow::pow(
            self.big().as_ref(),
            exp32,
        )))
    }

    /// The exact `q`-th root of a non-negative rational when it is rational, e.g. √(9/4) = 3/2.
    pub fn exact_root(&self, q: u32) -> Option<Number> {
        if self.is_negative() || q == 0 {
            return None;
        }
        let (numer, denom) = (self.numer(), self.denom());
        let n = numer.nth_root(q);
        let d = denom.nth_root(q);
        if num_traits::Pow::pow(&n, q) == numer && num_traits::Pow::pow(&d, q) == denom {
            Some(Number::from_big(BigRational::new(n, d)))
        } else {
            None
        }
    }
}

/// Writes an integer in decimal without the formatting machinery.
fn write_i64(w: &mut impl std::fmt::Write, n: i64) -> fmt::Result {
    if n < 0 {
        w.write_str("-")?;
    }
    write_u64(w, n.unsigned_abs())
}

/// Writes a non-negative integer in decimal without the formatting machinery.
fn write_u64(w: &mut impl std::fmt::Write, mut m: u64) -> fmt::Result {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    w.write_str(std::str::from_utf8(&buf[at..]).unwrap_or_default())
}

/// A fixed buffer holding the digits of a small ratio (`u64`, `/`, `u64`).
struct Digits {
    buf: [u8; 41],
    len: usize,
}

impl fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::int(i)
    }
}

impl From<BigRational> for Number {
    fn from(r: BigRational) -> Number {
        Number::from_big(r)
    }
}

/// `gcd(|a|, b)` for `b > 0`, in unsigned machine integers.
fn gcd_u64(a: i64, b: i64) -> i64 {
    // The gcd divides `b`, so it fits in `i64`.
    a.unsigned_abs().gcd(&b.unsigned_abs()) as i64
}

impl Number {
    /// `n / d` for `d > 0` computed in machine integers, reduced here (not by a big gcd).
    fn reduced(n: i128, d: i128) -> Number {
        if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
            let g = gcd_u64(n, d);
            return Number(Repr::Small { n: n / g, d: d / g });
        }
        let g = n.unsigned_abs().gcd(&d.unsigned_abs()).max(1) as i128;
        Number::from_coprime(n / g, d / g)
    }

    /// `n / d` for coprime `n`, `d` with `d > 0`, in its canonical representation.
    fn from_coprime(n: i128, d: i128) -> Number {
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(n), Ok(d)) => Number(Repr::Small { n, d }),
            _ => Number(Repr::Big(Box::new(BigRational::new_raw(
                BigInt::from(n),
                BigInt::from(d),
            )))),
        }
    }
}

// Machine-integer fast paths: the products of 64-bit parts fit in 127 bits, so small operands
// never allocate unless the result itself needs more than 64 bits.
impl std::ops::Add for &Number {
    type Output = Number;
    fn add(self, rhs: &Number) -> Number {
        match (&self.0, &rhs.0) {
            (&Repr::Small { n: a, d: 1 }, &Repr::Small { n: c, d: 1 }) => match a.checked_add(c) {
                Some(s) => Number::int(s),
                None => Number::from_coprime(i128::from(a) + i128::from(c), 1),
            },
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                let (a, b, c, d) = (i128::from(a), i128::from(b), i128::from(c), i128::from(d));
                Number::reduced(a * d + c * b, b * d)
            }
            _ => Number::from_big(self.big().as_ref() + rhs.big().as_ref()),
        }
    }
}

impl std::ops::Sub for &Number {
    type Output = Number;
    fn sub(self, rhs: &Number) -> Number {
        match (&self.0, &rhs.0) {
            (&Repr::Small { n: a, d: 1 }, &Repr::Small { n: c, d: 1 }) => match a.checked_sub(c) {
                Some(s) => Number::int(s),
                None => Number::from_coprime(i128::from(a) - i128::from(c), 1),
            },
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                let (a, b, c, d) = (i128::from(a), i128::from(b), i128::from(c), i128::from(d));
                Number::reduced(a * d - c * b, b * d)
            }
            _ => Number::from_big(self.big().as_ref() - rhs.big().as_ref()),
        }
    }
}

impl std::ops::Mul for &Number {
    type Output = Number;
    fn mul(self, rhs: &Number) -> Number {
        match (&self.0, &rhs.0) {
            (&Repr::Small { n: a, d: 1 }, &Repr::Small { n: c, d: 1 }) => match a.checked_mul(c) {
                Some(p) => Number::int(p),
                None => Number::from_coprime(i128::from(a) * i128::from(c), 1),
            },
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                // Cancelling across first leaves coprime products.
                let (g1, g2) = (gcd_u64(a, d), gcd_u64(c, b));
                let (a, d, c, b) = (a / g1, d / g1, c / g2, b / g2);
                match (a.checked_mul(c), b.checked_mul(d)) {
                    (Some(n), Some(d)) => Number(Repr::Small { n, d }),
                    _ => Number::from_coprime(
                        i128::from(a) * i128::from(c),
                        i128::from(b) * i128::from(d),
                    ),
                }
            }
            _ if rhs.is_one() => self.clone(),
            _ if self.is_one() => rhs.clone(),
            _ => Number::from_big(self.big().as_ref() * rhs.big().as_ref()),
        }
    }
}

impl std::ops::Neg for &Number {
    type Output = Number;
    fn neg(self) -> Number {
        match &self.0 {
            &Repr::Small { n, d } => match n.checked_neg() {
                Some(m) => Number(Repr::Small { n: m, d }),
                None => Number::from_coprime(-i128::from(n), i128::from(d)),
            },
            Repr::Big(r) => Number::from_big(-&**r),
        }
    }
}

impl fmt::Display for Number {
    /// `3`, `-1/2` (padded like `Ratio`'s own `Display`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            &Repr::Small { n, d } => {
                let mut digits = Digits {
                    buf: [0; 41],
                    len: 0,
                };
                write_u64(&mut digits, n.unsigned_abs())?;
                if d != 1 {
                    fmt::Write::write_str(&mut digits, "/")?;
                    write_u64(&mut digits, d.unsigned_abs())?;
                }
                let body = digits.buf.get(..digits.len).unwrap_or_default();
                f.pad_integral(n >= 0, "", std::str::from_utf8(body).unwrap_or_default())
            }
            Repr::Big(r) => fmt::Display::fmt(r, f),
        }
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
    use num_traits::{One, Zero};

    /// Is the representation canonical (small exactly when both reduced parts fit in `i64`)?
    fn canonical(x: &Number) -> bool {
        match &x.0 {
            Repr::Small { n, d } => *d > 0 && gcd_u64(*n, *d) == 1,
            Repr::Big(r) => r.numer().to_i64().is_none() || r.denom().to_i64().is_none(),
        }
    }

    /// Checks `got` against the big-rational result `want`, value and representation.
    fn agrees(got: &Number, want: &BigRational) {
        assert_eq!(&got.to_big(), want);
        assert!(canonical(got), "{got:?}");
        assert_eq!(got, &Number::from_big(want.clone()));
        assert_eq!(got.to_string(), want.to_string());
        let mut s = String::new();
        got.write_decimal(&mut s);
        assert_eq!(s, want.to_string());
    }

    /// Values near the overflow edges, small ratios and pseudo-random ones.
    fn sample() -> Vec<Number> {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            i64::MIN / 2,
            -(1 << 32),
            -3,
            -1,
            0,
            1,
            2,
            3,
            (1 << 31) + 1,
            1 << 32,
            i64::MAX / 2,
            i64::MAX - 1,
            i64::MAX,
        ];
        let mut values = Vec::new();
        for &n in &edges {
            for &d in &edges {
                if d != 0 {
                    values.push(Number::ratio(n, d));
                }
            }
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..60 {
            let bits = next() % 64;
            let n = (next() >> bits) as i64;
            let d = ((next() >> (next() % 64)) as i64).max(1);
            values.push(Number::ratio(n, d));
        }
        let huge = BigRational::new(BigInt::from(i64::MAX) * 7, BigInt::from(i64::MIN) * 3);
        values.push(Number::from_big(huge.clone()));
        values.push(Number::from_big(huge.recip()));
        values.push(Number::from_big(BigRational::from_integer(
            BigInt::from(u64::MAX) * 5,
        )));
        values
    }

    /// Every operation agrees with big rational arithmetic, and results stay canonical.
    #[test]
    fn arithmetic_agrees_with_big_rationals() {
        let values = sample();
        for x in &values {
            let bx = x.to_big();
            agrees(x, &bx);
            agrees(&-x, &-&bx);
            agrees(&x.abs(), &bx.abs());
            match x.recip() {
                Some(r) => agrees(&r, &bx.recip()),
                None => assert!(bx.is_zero()),
            }
            assert_eq!(x.numer(), *bx.numer());
            assert_eq!(x.denom(), *bx.denom());
            assert_eq!(x.is_integer(), bx.is_integer());
            assert_eq!(x.is_negative(), bx.is_negative());
            assert_eq!(x.is_zero(), bx.is_zero());
            assert_eq!(x.is_one(), bx.is_one());
            let integer = bx.is_integer().then(|| bx.numer().to_i64()).flatten();
            assert_eq!(x.to_i64(), integer);
            assert_eq!(
                x.to_f64().to_bits(),
                bx.to_f64().unwrap_or(f64::NAN).to_bits()
            );
            for exp in [-3, -1, 0, 1, 2, 5] {
                let want = (!bx.is_zero() || exp >= 0).then(|| num_traits::Pow::pow(&bx, exp));
                match x.pow_checked(i64::from(exp), 1 << 12) {
                    Some(p) => agrees(&p, want.as_ref().unwrap_or(&BigRational::zero())),
                    None => assert!(want.is_none()),
                }
            }
            for y in &values {
                let by = y.to_big();
                agrees(&(x * y), &(&bx * &by));
                agrees(&(x + y), &(&bx + &by));
                agrees(&(x - y), &(&bx - &by));
                assert_eq!(x.cmp(y), bx.cmp(&by));
                assert_eq!(x == y, bx == by);
            }
        }
    }

    /// Padding and signs in `Display` follow `Ratio`'s.
    #[test]
    fn display_matches_big_rationals() {
        for x in [Number::ratio(-1, 2), Number::int(7), Number::int(i64::MIN)] {
            let b = x.to_big();
            assert_eq!(
                format!("{x:>8}|{x:<8}|{x:+}"),
                format!("{b:>8}|{b:<8}|{b:+}")
            );
        }
        assert_eq!(Number::from_f64(0.75), Some(Number::ratio(3, 4)));
        assert_eq!(Number::int(9).exact_root(2), Some(Number::int(3)));
        assert_eq!(Number::ratio(9, 8).exact_root(2), None);
    }
}
