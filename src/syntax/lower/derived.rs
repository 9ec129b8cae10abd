//! Functions written through the built-in ones: `sec`, `csc`, `cot`, `sinh` and `cosh` are read
//! as 1/cos u, 1/sin u, cos u/sin u, (eᵘ − e⁻ᵘ)/2 and (eᵘ + e⁻ᵘ)/2; `sech`, `csch` and `coth` as
//! their reciprocals; `arsinh`, `arcosh` and `artanh` as log(u + √(u² + 1)),
//! log(u + √(u² − 1)) and ½ log((1 + u)/(1 − u)). Differentiation, checking and evaluation need
//! no rules of their own; results print in those terms.

use crate::expr::{Func, Id, Number, Pool};

/// The functions [`derived_function`] writes through the built-in ones, with their alternative
/// spellings (the parser reads them, like the built-ins, also without parentheses: `sinh x`).
pub(crate) const DERIVED_FUNCTIONS: [&str; 17] = [
    "sec", "csc", "cot", "sinh", "cosh", "sech", "csch", "coth", "arsinh", "arcsinh", "asinh",
    "arcosh", "arccosh", "acosh", "artanh", "arctanh", "atanh",
];

/// Is `name` a function that [`derived_function`] writes through the built-in ones?
pub(super) fn is_derived_function(name: &str) -> bool {
    DERIVED_FUNCTIONS.contains(&name)
}

/// `name(u)` for a scalar `u`, written through the built-in functions; `None` when `name` is not
/// one of them.
pub(super) fn derived_function(pool: &mut Pool, name: &str, u: Id) -> Option<Id> {
    let reciprocal = |pool: &mut Pool, f: Func| {
        let v = pool.apply(f, &[u]);
        pool.powi(v, -1)
    };
    let exponentials = |pool: &mut Pool, sign: i64| {
        let e = pool.apply(Func::Exp, &[u]);
        let minus_u = pool.neg(u);
        let e_minus = pool.apply(Func::Exp, &[minus_u]);
        let e_minus = pool.scale(Number::int(sign), e_minus);
        let sum = pool.add(&[e, e_minus]);
        pool.scale(Number::ratio(1, 2), sum)
    };
    Some(match name {
        "sec" => reciprocal(pool, Func::Cos),
        "csc" => reciprocal(pool, Func::Sin),
        "cot" => {
            let c = pool.apply(Func::Cos, &[u]);
            let s = reciprocal(pool, Func::Sin);
            pool.mul(&[c, s])
        }
        "sinh" => exponentials(pool, -1),
        "cosh" => exponentials(pool, 1),
        "sech" => {
            let c = exponentials(pool, 1);
            pool.powi(c, -1)
        }
        "csch" => {
            let s = exponentials(pool, -1);
            pool.powi(s, -1)
        }
        "coth" => {
            let c = exponentials(pool, 1);
            let s = exponentials(pool, -1);
            let inv = pool.powi(s, -1);
            pool.mul(&[c, inv])
        }
        "arsinh" | "arcsinh" | "asinh" | "arcosh" | "arccosh" | "acosh" => {
            let sign = if name.contains("sinh") { 1 } else { -1 };
            let square = pool.powi(u, 2);
            let shift = pool.int(sign);
            let inner = pool.add(&[square, shift]);
            let root = pool.sqrt(inner);
            let sum = pool.add(&[u, root]);
            pool.apply(Func::Log, &[sum])
        }
        "artanh" | "arctanh" | "atanh" => {
            let one = pool.int(1);
            let plus = pool.add(&[one, u]);
            let minus = pool.sub(one, u);
            let inv = pool.powi(minus, -1);
            let ratio = pool.mul(&[plus, inv]);
            let log = pool.apply(Func::Log, &[ratio]);
            pool.scale(Number::ratio(1, 2), log)
        }
        _ => return None,
    })
}
