//! Printing round-trips: for random well-shaped expressions e, parse(print(e, dialect)) == e in
//! all three dialects. The expression is described by a recipe, built in the pool that parsing
//! produced (same declarations, so same symbols) and compared by id.

use nabla::document::{Document, ReadOptions};
use nabla::expr::{Func, Id, Number, Pool};
use nabla::print::{print, Dialect, PrintOptions};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

const DECLS: &str = "A: ℝ^(m×n), B: ℝ^(n×n), x: ℝ^n, y: ℝ^m, s: ℝ, t: ℝ";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sh {
    S,
    N,
    M,
    Mn,
    Nn,
    Nm,
}

#[derive(Clone, Debug)]
enum Recipe {
    Sym(&'static str),
    Num(i64, i64),
    Add(Box<Recipe>, Box<Recipe>),
    Sub(Box<Recipe>, Box<Recipe>),
    Mul(Box<Recipe>, Box<Recipe>),
    Neg(Box<Recipe>),
    Pow(Box<Recipe>, i64),
    Transpose(Box<Recipe>),
    Apply(Func, Box<Recipe>),
    Sqrt(Box<Recipe>),
    Inverse(Box<Recipe>),
}

fn leaf(shape: Sh, rng: &mut Pcg64) -> Recipe {
    match shape {
        Sh::S => match rng.gen_range(0..4) {
            0 => Recipe::Sym("s"),
            1 => Recipe::Sym("t"),
            2 => Recipe::Num(rng.gen_range(1..=9), 1),
            _ => Recipe::Num(rng.gen_range(1..=5), rng.gen_range(2..=4)),
        },
        Sh::N => Recipe::Sym("x"),
        Sh::M => Recipe::Sym("y"),
        Sh::Mn => Recipe::Sym("A"),
        Sh::Nn => Recipe::Sym("B"),
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

fn gen(shape: Sh, depth: u32, rng: &mut Pcg64) -> Recipe {
    if depth == 0 || (depth < 3 && rng.gen_bool(0.3)) {
        return leaf(shape, rng);
    }
    let d = depth - 1;
    let b = |r: Recipe| Box::new(r);
    match rng.gen_range(0..8) {
        0 => Recipe::Add(b(gen(shape, d, rng)), b(gen(shape, d, rng))),
        1 => Recipe::Sub(b(gen(shape, d, rng)), b(gen(shape, d, rng))),
        2 => Recipe::Mul(b(gen(Sh::S, d, rng)), b(gen(shape, d, rng))),
        3 => {
            let (r, c) = dims(shape);
            let k = ['n', 'm', '1'][rng.gen_range(0..3)];
            match (shape_of(r, k), shape_of(k, c)) {
                (Some(left), Some(right)) if !(k == '1' && shape == Sh::S) => {
                    Recipe::Mul(b(gen(left, d, rng)), b(gen(right, d, rng)))
                }
                _ => Recipe::Neg(b(gen(shape, d, rng))),
            }
        }
        4 => {
            let (r, c) = dims(shape);
            match shape_of(c, r) {
                Some(t) => Recipe::Transpose(b(gen(t, d, rng))),
                None => leaf(shape, rng),
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
            ][rng.gen_range(0..6)];
            Recipe::Apply(f, b(gen(Sh::S, d, rng)))
        }
        6 if shape == Sh::S => match rng.gen_range(0..4) {
            0 => Recipe::Pow(b(gen(Sh::S, d, rng)), rng.gen_range(2..=4)),
            1 => Recipe::Sqrt(b(gen(Sh::S, d, rng))),
            2 => Recipe::Apply(
                Func::Norm(nabla::expr::NormKind::Two),
                b(gen(Sh::N, d, rng)),
            ),
            _ => Recipe::Apply(Func::Trace, b(gen(Sh::Nn, d, rng))),
        },
        7 if shape == Sh::Nn => Recipe::Inverse(b(gen(Sh::Nn, d, rng))),
        _ => Recipe::Neg(b(gen(shape, d, rng))),
    }
}

fn build(pool: &mut Pool, r: &Recipe) -> Id {
    match r {
        Recipe::Sym(name) => {
            let s = pool.lookup(name).expect("declared");
            pool.symbol_expr(s)
        }
        Recipe::Num(p, q) => pool.num(Number::ratio(*p, *q)),
        Recipe::Add(a, b) => {
            let (a, b) = (build(pool, a), build(pool, b));
            pool.add(&[a, b])
        }
        Recipe::Sub(a, b) => {
            let (a, b) = (build(pool, a), build(pool, b));
            pool.sub(a, b)
        }
        Recipe::Mul(a, b) => {
            let (a, b) = (build(pool, a), build(pool, b));
            pool.mul(&[a, b])
        }
        Recipe::Neg(a) => {
            let a = build(pool, a);
            pool.neg(a)
        }
        Recipe::Pow(a, k) => {
            let a = build(pool, a);
            pool.powi(a, *k)
        }
        Recipe::Transpose(a) => {
            let a = build(pool, a);
            pool.transpose(a)
        }
        Recipe::Apply(f, a) => {
            let a = build(pool, a);
            pool.apply(*f, &[a])
        }
        Recipe::Sqrt(a) => {
            let a = build(pool, a);
            pool.sqrt(a)
        }
        Recipe::Inverse(a) => {
            let a = build(pool, a);
            pool.inverse(a)
        }
    }
}

fn contains_zero_matrix(pool: &Pool, e: Id) -> bool {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match pool.node(x) {
            nabla::expr::Node::Zero(_) => return true,
            node => stack.extend(node.children()),
        }
    }
    false
}

/// A matrix-valued expression with no matrix or vector symbol in it (`I`, `2I`): its size comes
/// only from context, so it cannot be read back alone.
fn sized_only_by_context(pool: &Pool, e: Id) -> bool {
    if pool.is_scalar(e) {
        return false;
    }
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        match pool.node(x) {
            nabla::expr::Node::Sym(_) if !pool.is_scalar(x) => return false,
            node => stack.extend(node.children()),
        }
    }
    true
}

fn options() -> ReadOptions {
    ReadOptions {
        declarations: Some(DECLS.into()),
        ..ReadOptions::default()
    }
}

fn round_trip(recipe: &Recipe, dialect: Dialect) -> Result<(), String> {
    let mut base = Document::read("0", &options()).map_err(|e| format!("{:?}", e.diagnostic))?;
    let e = build(&mut base.lowered.pool, recipe);
    // A zero vector or matrix prints as `0`, whose size only context can give (and a recipe like
    // (B − B)⁻¹ has no meaning): such cases are not round-trip material.
    if contains_zero_matrix(base.pool(), e) || sized_only_by_context(base.pool(), e) {
        return Ok(());
    }
    let text = print(base.pool(), e, &PrintOptions::for_dialect(dialect));
    let input = match dialect {
        Dialect::Latex => format!("${text}$"),
        _ => text.clone(),
    };
    let mut doc = Document::read(&input, &options()).map_err(|err| {
        format!(
            "{dialect:?} text {input:?} does not parse: {:?}",
            err.diagnostic
        )
    })?;
    let parsed = doc.last_expression().ok_or("no expression")?;
    let rebuilt = build(&mut doc.lowered.pool, recipe);
    if parsed == rebuilt {
        Ok(())
    } else {
        let back = print(
            doc.pool(),
            parsed,
            &PrintOptions::for_dialect(Dialect::Unicode),
        );
        Err(format!(
            "{dialect:?}: printed {input:?}, read back as {back:?}"
        ))
    }
}

/// The recipe as raw nodes, without any canonicalisation: the reference for the simplifier.
fn build_raw(pool: &mut Pool, r: &Recipe) -> Id {
    use nabla::expr::{Node, Shape};
    let binary = |pool: &mut Pool, a: &Recipe, b: &Recipe| (build_raw(pool, a), build_raw(pool, b));
    match r {
        Recipe::Sym(_) | Recipe::Num(..) => build(pool, r),
        Recipe::Add(a, b) => {
            let (a, b) = binary(pool, a, b);
            let shape = pool.shape(a).clone();
            pool.intern(Node::Add(vec![a, b].into()), shape)
        }
        Recipe::Sub(a, b) => {
            let (a, b) = binary(pool, a, b);
            let minus = pool.int(-1);
            let shape = pool.shape(b).clone();
            let nb = pool.intern(Node::Mul(vec![minus, b].into()), shape.clone());
            pool.intern(Node::Add(vec![a, nb].into()), shape)
        }
        Recipe::Mul(a, b) => {
            let (a, b) = binary(pool, a, b);
            let shape = pool
                .shape(a)
                .product(pool.shape(b))
                .expect("well-shaped recipe");
            pool.intern(Node::Mul(vec![a, b].into()), shape)
        }
        Recipe::Neg(a) => {
            let a = build_raw(pool, a);
            let minus = pool.int(-1);
            let shape = pool.shape(a).clone();
            pool.intern(Node::Mul(vec![minus, a].into()), shape)
        }
        Recipe::Pow(a, k) => {
            let a = build_raw(pool, a);
            let k = pool.int(*k);
            pool.intern(Node::Pow(a, k), Shape::scalar())
        }
        Recipe::Transpose(a) => {
            let a = build_raw(pool, a);
            let shape = pool.shape(a).transposed();
            pool.intern(Node::Transpose(a), shape)
        }
        Recipe::Apply(f, a) => {
            let a = build_raw(pool, a);
            pool.intern(Node::Apply(*f, vec![a].into()), Shape::scalar())
        }
        Recipe::Sqrt(a) => {
            let a = build_raw(pool, a);
            let half = pool.num(Number::ratio(1, 2));
            pool.intern(Node::Pow(a, half), Shape::scalar())
        }
        Recipe::Inverse(a) => {
            let a = build_raw(pool, a);
            let minus = pool.int(-1);
            let shape = pool.shape(a).clone();
            pool.intern(Node::Pow(a, minus), shape)
        }
    }
}

proptest! {
    // 300 cases by default; PROPTEST_CASES=… for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn printing_round_trips_in_every_dialect(seed in any::<u64>(), which in 0usize..6) {
        let mut rng = Pcg64::seed_from_u64(seed);
        let shape = [Sh::S, Sh::N, Sh::M, Sh::Mn, Sh::Nn, Sh::Nm][which];
        let recipe = gen(shape, 4, &mut rng);
        for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
            if let Err(message) = round_trip(&recipe, dialect) {
                prop_assert!(false, "{message}\nrecipe: {recipe:?}");
            }
        }
    }

    /// The canonical, expanded and textbook forms all equal the raw expression on random
    /// instances (exact arithmetic where possible), and simplification is idempotent.
    #[test]
    fn simplified_forms_equal_the_original(seed in any::<u64>(), which in 0usize..6) {
        use nabla::check::compare::{compare, CompareOptions, Comparison};
        use nabla::simplify::{expand, textbook_form};
        let mut rng = Pcg64::seed_from_u64(seed);
        let shape = [Sh::S, Sh::N, Sh::M, Sh::Mn, Sh::Nn, Sh::Nm][which];
        let recipe = gen(shape, 3, &mut rng);
        let mut doc = Document::read("0", &options()).expect("declarations");
        let pool = &mut doc.lowered.pool;
        let raw = build_raw(pool, &recipe);
        let canonical = build(pool, &recipe);
        let expanded = expand(pool, canonical, 20_000).unwrap_or(canonical);
        let textbook = textbook_form(pool, canonical);
        let again = textbook_form(pool, textbook);
        if again != textbook {
            let show = |p: &Pool, e| print(p, e, &PrintOptions::unicode());
            prop_assert!(false, "textbook form is not idempotent: {} then {} (canonical {})", show(pool, textbook), show(pool, again), show(pool, canonical));
        }
        prop_assert_eq!(expand(pool, expanded, 20_000).unwrap_or(expanded), expanded, "expansion is idempotent");
        let opts = CompareOptions { seed, trials: 8, min_valid: 1, ..CompareOptions::default() };
        for (what, form) in [("canonical", canonical), ("expanded", expanded), ("textbook", textbook)] {
            match compare(pool, raw, form, &opts) {
                Comparison::Disagreed { counterexample } => prop_assert!(
                    false,
                    "the {} form differs from the original: {:?}\nrecipe: {:?}", what, counterexample, recipe
                ),
                Comparison::ShapeMismatch { left, right } => prop_assert!(false, "{} shape {} vs {}", what, left, right),
                _ => {}
            }
        }
    }
}
