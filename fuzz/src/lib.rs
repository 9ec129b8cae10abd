//! The fuzz targets' bodies (one function per target, so `tests/regressions.rs` can replay the
//! committed corpora without libFuzzer), and random well-shaped expressions read from the
//! fuzzer's bytes (a recipe, so the same expression can be built in two pools).

use nabla::check::compare::CompareOptions;
use nabla::check::{check_program, CheckOptions};
use nabla::diff::{derivative, gradient, hessian, jacobian, Layout};
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Func, Id, Node, NormKind, Number, Pool};
use nabla::print::{print, Dialect, PrintOptions};
use nabla::simplify::{expand, textbook_form};
use nabla::syntax::lower::LoweredStatement;
use nabla::syntax::{parse_expression, parse_program};
use std::time::{Duration, Instant};

/// `parse`: the parser on any text, as a program, as one expression, and as LaTeX inside `$…$`.
pub fn parse_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = parse_program(&text);
    let _ = parse_expression(&text);
    let _ = parse_program(&format!("${text}$"));
    let _ = parse_program(&format!("claim ${text}$ = 0"));
}

/// `lower`: parsing, lowering and shape inference on any text, with and without declarations.
/// Every claim that reads is printed in the three dialects, as `nabla parse` prints it.
pub fn lower_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for options in [ReadOptions::default(), options()] {
        let Ok(doc) = Document::read(&text, &options) else {
            continue;
        };
        for statement in &doc.lowered.statements {
            if let LoweredStatement::Claim(claim) = statement {
                let sides = std::iter::once(claim.first).chain(claim.steps.iter().map(|s| s.expr));
                for id in sides {
                    for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
                        let _ = print(&doc.lowered.pool, id, &PrintOptions::for_dialect(dialect));
                    }
                }
            }
        }
    }
}

/// A fresh document declaring [`DECLS`] and the recipe the bytes describe.
fn recipe_in_document(data: &[u8], depth: u32) -> Option<(Document, Sh, Recipe, Bytes<'_>)> {
    let doc = Document::read("0", &options()).ok()?;
    let mut b = Bytes::new(data);
    let sh = shape(&mut b);
    let recipe = gen(sh, depth, &mut b);
    Some((doc, sh, recipe, b))
}

/// `simplify`: canonical construction, expansion (under a term budget) and the display form.
pub fn simplify_target(data: &[u8]) {
    let Some((mut doc, _, recipe, _)) = recipe_in_document(data, 5) else {
        return;
    };
    let pool = &mut doc.lowered.pool;
    let Some(e) = build(pool, &recipe) else {
        return;
    };
    let _ = textbook_form(pool, e);
    if let Ok(x) = expand(pool, e, 2_000) {
        let _ = textbook_form(pool, x);
    }
}

/// `diff`: gradients, Hessians, Jacobians and derivatives of random expressions.
pub fn diff_target(data: &[u8]) {
    let Some((mut doc, sh, recipe, mut b)) = recipe_in_document(data, 4) else {
        return;
    };
    let wrt_name = ["x", "s", "t", "A", "B", "y"][usize::from(b.below(6))];
    let pool = &mut doc.lowered.pool;
    let (Some(f), Some(sym)) = (build(pool, &recipe), pool.lookup(wrt_name)) else {
        return;
    };
    let v = pool.symbol_expr(sym);
    let results = if sh == Sh::S {
        vec![
            gradient(pool, f, &[v]),
            hessian(pool, f, &[v]),
            derivative(pool, f, v),
        ]
    } else {
        vec![
            jacobian(pool, f, &[v], Layout::Numerator),
            jacobian(pool, f, &[v], Layout::Denominator),
        ]
    };
    for r in results.into_iter().flatten() {
        let _ = textbook_form(pool, r);
    }
}

/// `check`: the checker on any text read as a derivation file, with few trials and short time
/// limits (¼ s per claim, 1 s per file) for speed: crashes, not long computations, are the aim.
pub fn check_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let check = CheckOptions {
        compare: CompareOptions {
            trials: 3,
            min_valid: 1,
            max_attempts: 8,
            ..CompareOptions::default()
        },
        max_terms: 500,
        time_limit: Some(Duration::from_millis(250)),
        ..CheckOptions::default()
    };
    for read in [ReadOptions::default(), options()] {
        if let Ok(mut doc) = Document::read(&text, &read) {
            let check = CheckOptions {
                deadline: Instant::now().checked_add(Duration::from_secs(1)),
                ..check.clone()
            };
            let _ = check_program(&mut doc.lowered, &check);
        }
    }
}

/// A zero matrix prints as `0` and a matrix whose size no matrix symbol fixes (`2I`, `sum(x)I`:
/// the `x` inside a scalar says nothing about the size of `I`) has its size only from context:
/// neither can be read back alone. A power of zero (`0⁻³`, `1/0³`) has no value, so no canonical
/// form either: reading `1/0³` back gives `1/0`.
fn not_round_trip_material(pool: &Pool, e: Id) -> bool {
    // (node, whether every node above it is a matrix, whether its parent sizes it: a sum or an
    // elementwise product, whose other operands have its shape)
    let mut stack = vec![(e, true, false)];
    let mut size_fixed_by_symbol = false;
    while let Some((x, matrix_path, sized_by_parent)) = stack.pop() {
        let matrix_path = matrix_path && !pool.is_scalar(x);
        match pool.node(x) {
            Node::Zero(_) => return true,
            Node::Pow(base, _) if pool.is_zero(*base) => return true,
            // `A𝟙`, `‖𝟙‖`: only a sum or an elementwise product fixes the size of 𝟙 when read.
            Node::Ones(_) if !sized_by_parent => return true,
            Node::Sym(_) if matrix_path => size_fixed_by_symbol = true,
            node => {
                let sizes = matches!(node, Node::Add(_) | Node::Hadamard(_));
                stack.extend(node.children().iter().map(|&c| (c, matrix_path, sizes)));
            }
        }
    }
    !pool.is_scalar(e) && !size_fixed_by_symbol
}

/// `roundtrip`: printing then reading back gives the same expression, in every dialect.
/// `Err` describes the first dialect where it does not.
pub fn roundtrip_target(data: &[u8]) -> Result<(), String> {
    let Some((mut base, _, recipe, _)) = recipe_in_document(data, 4) else {
        return Ok(());
    };
    let Some(e) = build(&mut base.lowered.pool, &recipe) else {
        return Ok(());
    };
    if not_round_trip_material(base.pool(), e) {
        return Ok(());
    }
    for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
        // On one line: a long sum printed at the default width is broken after an operator,
        // which is display only (a line break ends a statement, so it does not read back).
        let one_line = PrintOptions {
            width: 1 << 20,
            ..PrintOptions::for_dialect(dialect)
        };
        let text = print(base.pool(), e, &one_line);
        let input = match dialect {
            Dialect::Latex => format!("${text}$"),
            _ => text.clone(),
        };
        let mut doc = Document::read(&input, &options()).map_err(|err| {
            format!(
                "{dialect:?} text {input:?} does not read back: {:?}",
                err.diagnostic
            )
        })?;
        let parsed = doc.last_expression();
        let rebuilt = build(&mut doc.lowered.pool, &recipe);
        if parsed != rebuilt {
            let unicode = PrintOptions::for_dialect(Dialect::Unicode);
            let back = parsed.map(|p| print(doc.pool(), p, &unicode));
            return Err(format!(
                "{dialect:?}: printed {input:?}, read back as {back:?}\nrecipe: {recipe:?}"
            ));
        }
    }
    Ok(())
}

/// The symbols every recipe may use.
pub const DECLS: &str = "A: ℝ^(m×n), B: ℝ^(n×n), S: ℝ^(n×n) symmetric, x: ℝ^n, y: ℝ^m, s: ℝ, t: ℝ";

/// Read options declaring [`DECLS`].
pub fn options() -> ReadOptions {
    ReadOptions {
        declarations: Some(DECLS.into()),
        ..ReadOptions::default()
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
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// The next byte reduced to `0..n`.
    pub fn below(&mut self, n: u8) -> u8 {
        self.byte() % n.max(1)
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
    /// a^⊙(k/2), entrywise (written `𝟙 ⊘ a`, `√a`, `a ⊙ a`, …)
    HadamardPow(Box<Recipe>, i64),
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
                Func::Arctan,
            ][usize::from(b.below(9))];
            Recipe::Apply(f, bx(gen(Sh::S, d, b)))
        }
        5 if shape == Sh::N => {
            let f = [
                Func::Exp,
                Func::Sin,
                Func::Tanh,
                Func::Sigmoid,
                Func::Softmax,
                Func::Arctan,
            ][usize::from(b.below(6))];
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
        // Entrywise powers: integer exponents of any vector; ½ only of the symbol (a fractional
        // power of a signed or compound base has two canonical arrangements, see the README).
        6 if shape == Sh::N => match b.below(4) {
            0 => Recipe::HadamardPow(bx(Recipe::Sym("x")), 1),
            k => Recipe::HadamardPow(bx(gen(Sh::N, d, b)), [-2, 4, 6][usize::from(k - 1)]),
        },
        7 if shape == Sh::Nn => match b.below(2) {
            0 => Recipe::Inverse(bx(gen(Sh::Nn, d, b))),
            _ => Recipe::Apply(Func::Diag, bx(gen(Sh::N, d, b))),
        },
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
        Recipe::HadamardPow(a, halves) => {
            let a = build(pool, a)?;
            pool.hadamard_pow(a, &Number::ratio(*halves, 2))
        }
    })
}
