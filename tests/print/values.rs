//! Numeric values for checking printed text: every value is a matrix (a scalar is 1×1), every
//! dimension symbol is 3, and every symbol has a fixed value derived from its name.

use nabla::expr::{Dim, Func, Id, Node, NormKind, Pool};
use nabla::print::{print_name, Dialect};
use nalgebra::DMatrix;
use std::collections::BTreeMap;

/// A numeric value.
pub type Value = DMatrix<f64>;

/// Symbol values by name (canonical and ASCII spellings).
pub type Env = BTreeMap<String, Value>;

/// The value every dimension symbol takes.
const DIM: usize = 3;

/// A 1×1 value.
pub fn scalar(v: f64) -> Value {
    DMatrix::from_element(1, 1, v)
}

/// The number inside a 1×1 value.
pub fn as_scalar(v: &Value) -> Option<f64> {
    (v.nrows() == 1 && v.ncols() == 1).then(|| v[(0, 0)])
}

fn dim(d: &Dim) -> usize {
    d.coeff as usize * DIM.pow(d.symbols.len() as u32)
}

/// A deterministic number in [0.5, 2.5) for a name and a position.
fn entry(name: &str, i: usize, j: usize) -> f64 {
    let h = name.bytes().chain([i as u8, j as u8]).fold(7u64, |h, b| {
        h.wrapping_mul(1_000_003).wrapping_add(u64::from(b))
    });
    0.5 + ((h >> 7) % 1000) as f64 / 500.0
}

/// Values for every symbol of a pool: square matrices are diagonally dominant (invertible),
/// symmetric ones symmetric.
pub fn env(pool: &Pool) -> Env {
    // Dimensions used as values (`n`, `tr(I) = n`), unless a symbol has the name.
    let mut env: Env = ["m", "n", "N", "d", "p", "q"]
        .iter()
        .map(|d| (d.to_string(), scalar(DIM as f64)))
        .collect();
    for (_, s) in pool.symbols() {
        let (r, c) = (dim(&s.shape.rows), dim(&s.shape.cols));
        let mut v = DMatrix::from_fn(r, c, |i, j| entry(&s.name, i, j));
        if s.assumptions.symmetric {
            v = (&v + v.transpose()) / 2.0;
        }
        if r == c && r > 1 {
            v += DMatrix::identity(r, r) * (3.0 * r as f64);
        }
        env.insert(print_name(&s.name, Dialect::Ascii), v.clone());
        env.insert(s.name.clone(), v);
    }
    env
}

/// `a + b` for equal shapes.
pub fn add(a: &Value, b: &Value) -> Option<Value> {
    (a.shape() == b.shape()).then(|| a + b)
}

/// `a·b`: scaling when either side is 1×1, else a matrix product.
pub fn mul(a: &Value, b: &Value) -> Option<Value> {
    if let Some(s) = as_scalar(a) {
        Some(b * s)
    } else if let Some(s) = as_scalar(b) {
        Some(a * s)
    } else {
        (a.ncols() == b.nrows()).then(|| a * b)
    }
}

/// `a / b` for a 1×1 `b`.
pub fn div(a: &Value, b: &Value) -> Option<Value> {
    Some(a / as_scalar(b)?)
}

/// `a ⊙ b`.
pub fn hadamard(a: &Value, b: &Value) -> Option<Value> {
    (a.shape() == b.shape()).then(|| a.component_mul(b))
}

/// `a^e`: a real power of a scalar (roots as `√` reads them), an integer power of a square
/// matrix.
pub fn pow(a: &Value, e: &Value) -> Option<Value> {
    let e = as_scalar(e)?;
    if let Some(b) = as_scalar(a) {
        return Some(scalar(if e == 0.5 {
            b.sqrt()
        } else if e == -0.5 {
            1.0 / b.sqrt()
        } else {
            b.powf(e)
        }));
    }
    if a.nrows() != a.ncols() || e.fract() != 0.0 {
        return None;
    }
    let base = if e < 0.0 {
        a.clone().try_inverse()?
    } else {
        a.clone()
    };
    let k = e.abs() as usize;
    Some(
        (0..k).fold(DMatrix::identity(a.nrows(), a.nrows()), |acc, _| {
            acc * &base
        }),
    )
}

/// A built-in function by its ASCII name.
pub fn apply(name: &str, v: &Value) -> Option<Value> {
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    Some(match name {
        "sin" => v.map(f64::sin),
        "cos" => v.map(f64::cos),
        "tan" => v.map(f64::tan),
        "exp" => v.map(f64::exp),
        "log" => v.map(f64::ln),
        "tanh" => v.map(f64::tanh),
        "sqrt" => v.map(f64::sqrt),
        "sigmoid" | "σ" => v.map(sigmoid),
        "softplus" => v.map(|x| x.exp().ln_1p()),
        "relu" => v.map(|x| x.max(0.0)),
        "sign" => v.map(|x| x.signum() * f64::from(u8::from(x != 0.0))),
        "abs" => v.map(f64::abs),
        "tr" if v.is_square() => scalar(v.trace()),
        "det" if v.is_square() => scalar(v.determinant()),
        "inv" => v.clone().try_inverse()?,
        "sum" => scalar(v.sum()),
        _ => return None,
    })
}

/// A norm: Euclidean/Frobenius or the sum of absolute values.
pub fn norm(kind: NormKind, v: &Value) -> Value {
    scalar(match kind {
        NormKind::One => v.iter().map(|x| x.abs()).sum(),
        NormKind::Two | NormKind::Frobenius => v.norm(),
    })
}

/// The value of an expression, or `None` for nodes these checks do not cover (derivatives,
/// sums over an index, `at`, entries, and `I`, `𝟙`, `0` of a size the text does not say).
pub fn eval_node(pool: &Pool, id: Id, env: &Env) -> Option<Value> {
    let ev = |i: Id| eval_node(pool, i, env);
    let fold = |xs: &[Id], f: fn(&Value, &Value) -> Option<Value>| {
        let (first, rest) = xs.split_first()?;
        rest.iter()
            .try_fold(ev(*first)?, |acc, &x| f(&acc, &ev(x)?))
    };
    match pool.node(id) {
        Node::Num(n) => Some(scalar(n.to_f64())),
        Node::Sym(s) => env.get(&pool.symbol(*s).name).cloned(),
        Node::DimValue(d) => Some(scalar(dim(d) as f64)),
        Node::Add(ts) => fold(ts, add),
        Node::Mul(fs) => fold(fs, mul),
        Node::Hadamard(fs) => fold(fs, hadamard),
        Node::Pow(b, e) => pow(&ev(*b)?, &ev(*e)?),
        Node::Transpose(a) => Some(ev(*a)?.transpose()),
        Node::Kron(a, b) => Some(ev(*a)?.kronecker(&ev(*b)?)),
        Node::Apply(Func::Norm(kind), args) => Some(norm(*kind, &ev(*args.first()?)?)),
        Node::Apply(Func::Sigmoid, args) => apply("sigmoid", &ev(*args.first()?)?),
        Node::Apply(f, args) => apply(f.name(), &ev(*args.first()?)?),
        Node::Matrix {
            rows,
            cols,
            entries,
        } => {
            let values: Option<Vec<f64>> = entries.iter().map(|&e| as_scalar(&ev(e)?)).collect();
            Some(DMatrix::from_row_slice(
                *rows as usize,
                *cols as usize,
                &values?,
            ))
        }
        _ => None,
    }
}

/// Do two values agree (same shape; entries both NaN, equal infinities, or close)?
pub fn agree(a: &Value, b: &Value) -> bool {
    a.shape() == b.shape()
        && a.iter().zip(b.iter()).all(|(&x, &y)| {
            if x.is_nan() || y.is_nan() {
                x.is_nan() && y.is_nan()
            } else if x.is_infinite() || y.is_infinite() {
                x == y
            } else {
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
            }
        })
}

/// Is every entry finite?
pub fn finite(v: &Value) -> bool {
    v.iter().all(|x| x.is_finite())
}
