//! Random scalar, vector and matrix expressions built through the canonical constructors.

use super::build::{matrix, scalar, symmetric, vector};
use nabla::expr::{Func, Id, NormKind, Number, Pool};

/// Which kind of value a random expression has.
#[derive(Clone, Copy)]
pub enum Kind {
    /// ℝ
    Scalar,
    /// ℝⁿ
    Vector,
    /// ℝ^(n×n)
    Matrix,
}

/// A random expression of a kind over scalars x, y, z, α, x₁, x₂, vectors u, v ∈ ℝⁿ and
/// matrices A, B, S (symmetric) ∈ ℝⁿˣⁿ, built through the canonical constructors.
pub fn random_expr(pool: &mut Pool, rng: &mut rand_pcg::Pcg64, kind: Kind, depth: u32) -> Id {
    use rand::Rng;
    let leaf = depth == 0 || rng.gen_range(0..4) == 0;
    let sub =
        |pool: &mut Pool, rng: &mut rand_pcg::Pcg64, kind| random_expr(pool, rng, kind, depth - 1);
    match kind {
        Kind::Scalar if leaf => match rng.gen_range(0..4) {
            0 => pool.int(rng.gen_range(-3..=5)),
            1 => pool.num(Number::ratio(rng.gen_range(-3..=3), rng.gen_range(1..=4))),
            _ => {
                let name = ["x", "y", "z", "α", "x_1", "x_2"][rng.gen_range(0..6)];
                scalar(pool, name)
            }
        },
        Kind::Vector if leaf => match rng.gen_range(0..4) {
            0 if depth > 0 => literal(pool, rng, 3, 1, depth),
            _ => {
                let name = ["u", "v"][rng.gen_range(0..2)];
                vector(pool, name, "n")
            }
        },
        Kind::Matrix if leaf => match rng.gen_range(0..5) {
            0 if depth > 0 => literal(pool, rng, 3, 3, depth),
            0 | 1 => matrix(pool, "A", "n", "n"),
            2 => matrix(pool, "B", "n", "n"),
            _ => symmetric(pool, "S", "n"),
        },
        Kind::Scalar => match rng.gen_range(0..12) {
            0 | 1 => {
                let ts: Vec<Id> = (0..rng.gen_range(2..=3))
                    .map(|_| sub(pool, rng, Kind::Scalar))
                    .collect();
                pool.add(&ts)
            }
            2 | 3 => {
                let fs: Vec<Id> = (0..rng.gen_range(2..=3))
                    .map(|_| sub(pool, rng, Kind::Scalar))
                    .collect();
                pool.mul(&fs)
            }
            4 => {
                let (a, b) = (sub(pool, rng, Kind::Scalar), sub(pool, rng, Kind::Scalar));
                if pool.is_zero(b) {
                    a
                } else {
                    pool.div(a, b)
                }
            }
            5 => {
                let a = sub(pool, rng, Kind::Scalar);
                let k = rng.gen_range(-3..=3);
                if pool.is_zero(a) && k < 0 {
                    a
                } else {
                    pool.powi(a, k)
                }
            }
            6 => {
                let a = sub(pool, rng, Kind::Scalar);
                pool.sqrt(a)
            }
            7 => {
                let f = [
                    Func::Sin,
                    Func::Cos,
                    Func::Exp,
                    Func::Tanh,
                    Func::Sigmoid,
                    Func::Abs,
                    Func::Log,
                ][rng.gen_range(0..7)];
                let a = sub(pool, rng, Kind::Scalar);
                pool.apply(f, &[a])
            }
            8 => {
                let (u, v) = (sub(pool, rng, Kind::Vector), sub(pool, rng, Kind::Vector));
                let m = sub(pool, rng, Kind::Matrix);
                let ut = pool.transpose(u);
                pool.mul(&[ut, m, v])
            }
            9 => {
                let m = sub(pool, rng, Kind::Matrix);
                let f = [Func::Trace, Func::Det][rng.gen_range(0..2)];
                pool.apply(f, &[m])
            }
            10 => {
                let v = sub(pool, rng, Kind::Vector);
                let k = [NormKind::Two, NormKind::One][rng.gen_range(0..2)];
                pool.apply(Func::Norm(k), &[v])
            }
            _ => {
                let a = sub(pool, rng, Kind::Scalar);
                pool.neg(a)
            }
        },
        Kind::Vector => match rng.gen_range(0..6) {
            0 => {
                let (a, b) = (sub(pool, rng, Kind::Vector), sub(pool, rng, Kind::Vector));
                let nb = pool.neg(b);
                pool.add(&[a, nb])
            }
            1 | 2 => {
                let (m, v) = (sub(pool, rng, Kind::Matrix), sub(pool, rng, Kind::Vector));
                pool.mul(&[m, v])
            }
            3 => {
                let (c, v) = (sub(pool, rng, Kind::Scalar), sub(pool, rng, Kind::Vector));
                pool.mul(&[c, v])
            }
            4 => {
                let (a, b) = (sub(pool, rng, Kind::Vector), sub(pool, rng, Kind::Vector));
                pool.hadamard(&[a, b])
            }
            _ => {
                let v = sub(pool, rng, Kind::Vector);
                pool.apply(Func::Sigmoid, &[v])
            }
        },
        Kind::Matrix => match rng.gen_range(0..7) {
            0 => {
                let (a, b) = (sub(pool, rng, Kind::Matrix), sub(pool, rng, Kind::Matrix));
                pool.add(&[a, b])
            }
            1 | 2 => {
                let (a, b) = (sub(pool, rng, Kind::Matrix), sub(pool, rng, Kind::Matrix));
                pool.mul(&[a, b])
            }
            3 => {
                let a = sub(pool, rng, Kind::Matrix);
                pool.transpose(a)
            }
            4 => {
                let a = sub(pool, rng, Kind::Matrix);
                let k = [-1, -2, 2, 3][rng.gen_range(0..4)];
                pool.powi(a, k)
            }
            5 => {
                let (c, a) = (sub(pool, rng, Kind::Scalar), sub(pool, rng, Kind::Matrix));
                pool.mul(&[c, a])
            }
            _ => {
                let (u, v) = (sub(pool, rng, Kind::Vector), sub(pool, rng, Kind::Vector));
                let vt = pool.transpose(v);
                pool.mul(&[u, vt])
            }
        },
    }
}

/// A literal matrix of random scalar entries (n is 3 when values are checked).
fn literal(pool: &mut Pool, rng: &mut rand_pcg::Pcg64, rows: u32, cols: u32, depth: u32) -> Id {
    let entries: Vec<Id> = (0..rows * cols)
        .map(|_| random_expr(pool, rng, Kind::Scalar, depth.min(2) - 1))
        .collect();
    pool.matrix(rows, cols, entries)
}
