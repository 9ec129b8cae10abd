//! Printing round-trips and the simplifier's soundness, on random well-shaped expressions from
//! the fuzz crate's recipe generator (`fuzz/src/lib.rs`, shared with `tests/regressions.rs`):
//! parse(print(e, dialect)) == e in all three dialects, and the canonical, expanded and textbook
//! forms equal the raw, unsimplified expression.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use fuzz::Recipe;
use nabla::document::Document;
use nabla::expr::{Id, Number, Pool};
use nabla::print::{print, PrintOptions};
use proptest::prelude::*;

/// The recipe as raw nodes, without any canonicalisation: the reference for the simplifier.
fn build_raw(pool: &mut Pool, r: &Recipe) -> Id {
    use nabla::expr::{Node, Shape};
    let binary = |pool: &mut Pool, a: &Recipe, b: &Recipe| (build_raw(pool, a), build_raw(pool, b));
    match r {
        Recipe::Sym(_) | Recipe::Num(..) => fuzz::build(pool, r).expect("declared symbol"),
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
        Recipe::Hadamard(a, b) => {
            let (a, b) = binary(pool, a, b);
            let shape = pool.shape(a).clone();
            pool.intern(Node::Hadamard(vec![a, b].into()), shape)
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
            let shape = if *f == nabla::expr::Func::Diag {
                let n = pool.shape(a).rows.clone();
                Shape::matrix(n.clone(), n)
            } else if f.is_elementwise() || *f == nabla::expr::Func::Softmax {
                pool.shape(a).clone()
            } else {
                Shape::scalar()
            };
            pool.intern(Node::Apply(*f, vec![a].into()), shape)
        }
        Recipe::Sqrt(a) => {
            let a = build_raw(pool, a);
            let half = pool.num(Number::ratio(1, 2));
            pool.intern(Node::Pow(a, half), Shape::scalar())
        }
        Recipe::HadamardPow(a, halves) => {
            let a = build_raw(pool, a);
            let k = pool.num(Number::ratio(*halves, 2));
            let shape = pool.shape(a).clone();
            pool.intern(Node::HadamardPow(a, k), shape)
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

    /// Printing then reading back gives the same expression in every dialect (expressions whose
    /// size only context gives, like a bare `I` or `0`, are skipped by the shared check).
    #[test]
    fn printing_round_trips_in_every_dialect(data in proptest::collection::vec(any::<u8>(), 1..200)) {
        if let Err(message) = fuzz::roundtrip_target(&data) {
            prop_assert!(false, "{}", message);
        }
    }

    /// The canonical, expanded and textbook forms all equal the raw expression on random
    /// instances (exact arithmetic where possible), and simplification is idempotent.
    #[test]
    fn simplified_forms_equal_the_original(data in proptest::collection::vec(any::<u8>(), 1..200)) {
        use nabla::check::compare::{compare, CompareOptions, Comparison};
        use nabla::simplify::{expand, textbook_form};
        let mut bytes = fuzz::Bytes::new(&data);
        let shape = fuzz::shape(&mut bytes);
        let recipe = fuzz::gen(shape, 3, &mut bytes);
        let seed = data.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut doc = Document::read("0", &fuzz::options()).expect("declarations");
        let pool = &mut doc.lowered.pool;
        let raw = build_raw(pool, &recipe);
        let canonical = fuzz::build(pool, &recipe).expect("declared symbols");
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
