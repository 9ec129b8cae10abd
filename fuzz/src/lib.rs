//! Shared by the fuzz targets: random well-shaped expressions read from the fuzzer's bytes (a
//! recipe, so the same expression can be built in two pools), and the declarations they use.

use nabla::diff::Layout;
use nabla::document::ReadOptions;
use nabla::expr::{Func, Id, NormKind, Number, Pool};

/// The symbols every recipe may use.
pub const DECLS: &str = "A: ℝ^(m×n), B: ℝ^(n×n), S: ℝ^(n×n) symmetric, x: ℝ^n, y: ℝ^m, s: ℝ, t: ℝ";

/// Read options declaring [`DECLS`].
pub fn options() -> ReadOptions {
    ReadOptions {
        declarations: Some(DECLS.into()),
        layout: Layout::Numerator,
    }
}

/// The bytes, read one at a time; zeros once they run out.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    /// Reads `data` from its start.
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, pos: 0 }
    }

    /// The next byte (0 past the end).
    pub fn next(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// The next byte reduced to `0..n`.
    pub fn below(&mut self, n: u8) -> u8 {
        self.next() % n.max(1)
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

/// The shapes a recipe's values have.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sh {
    /// scalar
    S,
    /// ℝⁿ
    N,
    /// ℝᵐ
    M,
    /// ℝ^(m×n)
    Mn,
    /// ℝ^(n×n)
    Nn,
    /// ℝ^(n×m)
    Nm,
}

/// How to build an expression.
#[derive(Clone, Debug)]
pub enum Recipe {
    /// a declared symbol
    Sym(&'static str),
    /// a rational p/q
    Num(i64, i64),
    /// a + b
    Add(Box<Recipe>, Box<Recipe>),
    /// a − b
    Sub(Box<Recipe>, Box<Recipe>),
    /// a b
    Mul(Box<Recipe>, Box<Recipe>),
    /// a ⊙ b
    Hadamard(Box<Recipe>, Box<Recipe>),
    /// −a
    Neg(Box<Recipe>),
    /// a^k
    Pow(Box<Recipe>, i64),
    /// aᵀ
    Transpose(Box<Recipe>),
    /// f(a)
    Apply(Func, Box<Recipe>),
    /// √a
    Sqrt(Box<Recipe>),
    /// a⁻¹
    Inverse(Box<Recipe>),
}

fn leaf(shape: Sh, b: &mut Bytes<'_>) -> Recipe {
    match shape {
        Sh::S => match b.below(4) {
            0 => Recipe::Sym("s"),
            1 => Recipe::Sym("t"),
            2 => Recipe::Num(i64::from(b.below(10)), 1),
            _ => Recipe::Num(i64::from(b.below(6)) - 2, i64::from(b.below(4)) + 1),
        },
        Sh::N => Recipe::Sym("x"),
        Sh::M => Recipe::Sym("y"),
        Sh::Mn => Recipe::Sym("A"),
        Sh::Nn => {
            if b.below(2) == 0 {
                Recipe::Sym("B")
            } else {
                Recipe::Sym("S")
            }
        }
        Sh::Nm => Recipe::Transpose(Box::new(Recipe::Sym("A"))),
    }
}

fn dims(shape: Sh) -> (char, char) {
    match shape {
        Sh::S => ('1', '1'),
        Sh::N => ('n', '1'),
        Sh::M => ('m', '1'),
        Sh::Mn => ('m', 'n'),
        Sh::Nn => ('n', 'n'),
        Sh::Nm => ('n', 'm'),
    }
}

fn shape_of(r: char, c: char) -> Option<Sh> {
    Some(match (r, c) {
        ('1', '1') => Sh::S,
        ('n', '1') => Sh::N,
        ('m', '1') => Sh::M,
        ('m', 'n') => Sh::Mn,
        ('n', 'n') => Sh::Nn,
        ('n', 'm') => Sh::Nm,
        _ => return None,
    })
}

/// The shape a recipe is drawn for, from one byte.
pub fn shape(b: &mut Bytes<'_>) -> Sh {
    [Sh::S, Sh::N, Sh::M, Sh::Mn, Sh::Nn, Sh::Nm][usize::from(b.below(6))]
}

/// A recipe of the given shape and at most `depth` levels, driven by the bytes.
pub fn gen(shape: Sh, depth: u32, b: &mut Bytes<'_>) -> Recipe {
    if depth == 0 || b.below(4) == 0 {
        return leaf(shape, b);
    }
    let d = depth - 1;
    let bx = |r: Recipe| Box::new(r);
    match b.below(10) {
        0 => Recipe::Add(bx(gen(shape, d, b)), bx(gen(shape, d, b))),
        1 => Recipe::Sub(bx(gen(shape, d, b)), bx(gen(shape, d, b))),
        2 => Recipe::Mul(bx(gen(Sh::S, d, b)), bx(gen(shape, d, b))),
        3 => {
            let (r, c) = dims(shape);
            let k = ['n', 'm', '1'][usize::from(b.below(3))];
            match (shape_of(r, k), shape_of(k, c)) {
                (Some(left), Some(right)) if !(k == '1' && shape == Sh::S) => {
                    Recipe::Mul(bx(gen(left, d, b)), bx(gen(right, d, b)))
                }
                _ => Recipe::Neg(bx(gen(shape, d, b))),
            }
        }
        4 => {
            let (r, c) = dims(shape);
            match shape_of(c, r) {
                Some(t) => Recipe::Transpose(bx(gen(t, d, b))),
                None => leaf(shape, b),
            }
        }
        5 if shape == Sh::S => {
            let f = [
                Func::Sin,
                Func::Cos,
                Func::Exp,
                Func::Log,
                Func::Tanh,
                Func::Sigmoid,
                Func::Softplus,
                Func::Abs,
            ][usize::from(b.below(8))];
            Recipe::Apply(f, bx(gen(Sh::S, d, b)))
        }
        5 if shape == Sh::N => {
            let f = [Func::Exp, Func::Sin, Func::Tanh, Func::Sigmoid, Func::Softmax]
                [usize::from(b.below(5))];
            Recipe::Apply(f, bx(gen(Sh::N, d, b)))
        }
        6 if shape == Sh::S => match b.below(7) {
            0 => Recipe::Pow(bx(gen(Sh::S, d, b)), i64::from(b.below(9)) - 3),
            1 => Recipe::Sqrt(bx(gen(Sh::S, d, b))),
            2 => Recipe::Apply(Func::Norm(NormKind::Two), bx(gen(Sh::N, d, b))),
            3 => Recipe::Apply(Func::Trace, bx(gen(Sh::Nn, d, b))),
            4 => Recipe::Apply(Func::Det, bx(gen(Sh::Nn, d, b))),
            5 => Recipe::Apply(Func::LogSumExp, bx(gen(Sh::N, d, b))),
            _ => Recipe::Apply(Func::Sum, bx(gen(Sh::N, d, b))),
        },
        7 if shape == Sh::Nn => Recipe::Inverse(bx(gen(Sh::Nn, d, b))),
        8 => Recipe::Hadamard(bx(gen(shape, d, b)), bx(gen(shape, d, b))),
        _ => Recipe::Neg(bx(gen(shape, d, b))),
    }
}

/// Builds a recipe in `pool` (which must declare [`DECLS`]) with the canonical constructors.
pub fn build(pool: &mut Pool, r: &Recipe) -> Option<Id> {
    Some(match r {
        Recipe::Sym(name) => {
            let s = pool.lookup(name)?;
            pool.symbol_expr(s)
        }
        Recipe::Num(p, q) => pool.num(Number::ratio(*p, *q)),
        Recipe::Add(a, b) => {
            let (a, b) = (build(pool, a)?, build(pool, b)?);
            pool.add(&[a, b])
        }
        Recipe::Sub(a, b) => {
            let (a, b) = (build(pool, a)?, build(pool, b)?);
            pool.sub(a, b)
        }
        Recipe::Mul(a, b) => {
            let (a, b) = (build(pool, a)?, build(pool, b)?);
            pool.mul(&[a, b])
        }
        Recipe::Hadamard(a, b) => {
            let (a, b) = (build(pool, a)?, build(pool, b)?);
            pool.hadamard(&[a, b])
        }
        Recipe::Neg(a) => {
            let a = build(pool, a)?;
            pool.neg(a)
        }
        Recipe::Pow(a, k) => {
            let a = build(pool, a)?;
            pool.powi(a, *k)
        }
        Recipe::Transpose(a) => {
            let a = build(pool, a)?;
            pool.transpose(a)
        }
        Recipe::Apply(f, a) => {
            let a = build(pool, a)?;
            pool.apply(*f, &[a])
        }
        Recipe::Sqrt(a) => {
            let a = build(pool, a)?;
            pool.sqrt(a)
        }
        Recipe::Inverse(a) => {
            let a = build(pool, a)?;
            pool.inverse(a)
        }
    })
}
