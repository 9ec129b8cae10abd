//! Building test expressions: symbols of each shape, rationals, derivative nodes.

use nabla::expr::{
    Assumptions, Derivative, DerivativeKind, Dim, Id, Number, Pool, Shape, SymbolOrigin,
};

/// Declares a symbol of a shape and returns its expression.
pub fn declare(pool: &mut Pool, name: &str, shape: Shape) -> Id {
    let s = match pool.declare(name, shape, Assumptions::default(), SymbolOrigin::Declared) {
        Ok(s) | Err(s) => s,
    };
    pool.symbol_expr(s)
}

/// A scalar symbol.
pub fn scalar(pool: &mut Pool, name: &str) -> Id {
    declare(pool, name, Shape::scalar())
}

/// A vector symbol of ℝⁿ.
pub fn vector(pool: &mut Pool, name: &str, n: &str) -> Id {
    declare(pool, name, Shape::vector(Dim::symbol(n)))
}

/// A matrix symbol of ℝ^(m×n).
pub fn matrix(pool: &mut Pool, name: &str, m: &str, n: &str) -> Id {
    declare(pool, name, Shape::matrix(Dim::symbol(m), Dim::symbol(n)))
}

/// A symmetric matrix symbol of ℝ^(n×n).
pub fn symmetric(pool: &mut Pool, name: &str, n: &str) -> Id {
    let shape = Shape::matrix(Dim::symbol(n), Dim::symbol(n));
    let a = Assumptions {
        symmetric: true,
        positive_definite: false,
    };
    let s = match pool.declare(name, shape, a, SymbolOrigin::Declared) {
        Ok(s) | Err(s) => s,
    };
    pool.symbol_expr(s)
}

/// The rational n/d.
pub fn frac(n: i64, d: i64) -> Number {
    Number::ratio(n, d)
}

/// An unevaluated derivative with the shape of its body.
pub fn derivative(
    pool: &mut Pool,
    kind: DerivativeKind,
    expr: Id,
    wrt: &[Id],
    dir: Option<Id>,
) -> Id {
    let shape = pool.shape(expr).clone();
    pool.derivative(
        Derivative {
            kind,
            expr,
            wrt: wrt.into(),
            direction: dir,
        },
        shape,
    )
}
