//! Derivatives of the built-in elementwise functions, and the inner product ⟨G, M⟩ used by the
//! product rule for scalar factors.

use crate::expr::{Func, Id, Node, Number, Pool};

/// `f′(x)` for an elementwise built-in `f`, built with the same shape as `x` (entrywise for a
/// vector or matrix `x`). `None` when `f` is not elementwise.
///
/// For |·|, sign and relu the formula is the derivative away from 0 (`sign x`, `0`,
/// `(sign x + 1)/2`); the point 0 itself is reported by `non_differentiable_points`.
pub fn elementwise_derivative(pool: &mut Pool, f: Func, x: Id) -> Option<Id> {
    if !f.is_elementwise() {
        return None;
    }
    let shape = pool.shape(x).clone();
    let one = pool.ones(shape.clone());
    let fx = pool.apply(f, &[x]);
    Some(match f {
        Func::Sin => pool.apply(Func::Cos, &[x]),
        Func::Cos => {
            let s = pool.apply(Func::Sin, &[x]);
            pool.neg(s)
        }
        // tan′ = 1 + tan²
        Func::Tan => {
            let sq = square(pool, fx);
            pool.add(&[one, sq])
        }
        Func::Exp => fx,
        Func::Log => reciprocal(pool, x),
        // tanh′ = 1 − tanh²
        Func::Tanh => {
            let sq = square(pool, fx);
            pool.sub(one, sq)
        }
        // σ′ = σ ⊙ (1 − σ)
        Func::Sigmoid => {
            let rest = pool.sub(one, fx);
            pool.hadamard(&[fx, rest])
        }
        Func::Softplus => pool.apply(Func::Sigmoid, &[x]),
        // relu′ = (sign x + 1)/2 away from 0
        Func::Relu => {
            let s = pool.apply(Func::Sign, &[x]);
            let sum = pool.add(&[s, one]);
            pool.scale(Number::ratio(1, 2), sum)
        }
        Func::Abs => pool.apply(Func::Sign, &[x]),
        // arctan′ = 1/(1 + u²)
        Func::Arctan => {
            let sq = square(pool, x);
            let sum = pool.add(&[one, sq]);
            reciprocal(pool, sum)
        }
        // arcsin′ = 1/√(1 − u²), arccos′ = −1/√(1 − u²)
        Func::Arcsin | Func::Arccos => {
            let sq = square(pool, x);
            let rest = pool.sub(one, sq);
            let slope = pool.hadamard_pow(rest, &Number::ratio(-1, 2));
            if f == Func::Arccos {
                pool.neg(slope)
            } else {
                slope
            }
        }
        Func::Sign => pool.zero(shape),
        _ => return None,
    })
}

/// `x ⊙ x` (`x²` for a scalar).
pub fn square(pool: &mut Pool, x: Id) -> Id {
    if pool.is_scalar(x) {
        pool.powi(x, 2)
    } else {
        pool.hadamard(&[x, x])
    }
}

/// The entrywise reciprocal: `x⁻¹` for a scalar, `𝟙 ⊘ x` otherwise.
pub fn reciprocal(pool: &mut Pool, x: Id) -> Id {
    pool.hadamard_pow(x, &Number::int(-1))
}

/// The entrywise derivative of `b^⊙k` with respect to `b`: `k b^⊙(k − 1)`, where `k` is the
/// number `e`.
pub fn elementwise_power_slope(pool: &mut Pool, b: Id, e: Id) -> Id {
    let k = pool.as_number(e).cloned().unwrap_or_else(Number::one);
    let lower = pool.hadamard_pow(b, &(&k - &Number::one()));
    pool.scale(k, lower)
}

/// The Frobenius inner product ⟨G, M⟩ = tr(GᵀM) of two expressions of one shape, built so the
/// canonical form reduces (for vectors it is the 1×1 chain `GᵀM`, for scalars `G·M`).
pub fn inner(pool: &mut Pool, g: Id, m: Id) -> Id {
    if pool.is_scalar(g) {
        return pool.mul(&[g, m]);
    }
    if matches!(pool.node(g), Node::Ones(_)) {
        return pool.apply(Func::Sum, &[m]);
    }
    let gt = pool.transpose(g);
    let p = pool.mul(&[gt, m]);
    pool.apply(Func::Trace, &[p])
}

/// The entry `e_{idx}` pushed through sums, scalar multiples, elementwise products and
/// functions, and transposes (`(2x)₁ = 2x₁`); otherwise a component node.
pub fn component_of(pool: &mut Pool, e: Id, idx: &[Id]) -> Id {
    match pool.node(e).clone() {
        Node::Add(ts) => {
            let parts: Vec<Id> = ts.iter().map(|&t| component_of(pool, t, idx)).collect();
            pool.add(&parts)
        }
        Node::Mul(fs) => {
            let (mut scalars, matrices): (Vec<Id>, Vec<Id>) =
                fs.iter().partition(|&&f| pool.is_scalar(f));
            match matrices.as_slice() {
                [m] => {
                    scalars.push(component_of(pool, *m, idx));
                    pool.mul(&scalars)
                }
                _ => pool.component(e, idx),
            }
        }
        Node::Hadamard(fs) => {
            let parts: Vec<Id> = fs.iter().map(|&f| component_of(pool, f, idx)).collect();
            pool.mul(&parts)
        }
        Node::Apply(f, args) if f.is_elementwise() && args.len() == 1 => {
            let c = component_of(pool, args[0], idx);
            pool.apply(f, &[c])
        }
        Node::Ones(_) => pool.int(1),
        Node::Zero(_) => pool.int(0),
        Node::Transpose(a) if idx.len() == 2 => component_of(pool, a, &[idx[1], idx[0]]),
        _ => pool.component(e, idx),
    }
}
