//! Soundness sweep: random scalar functions of a vector, their correct gradients and Hessians,
//! and random mutations of those (scaling, negation, transposition, a dropped or added term, a
//! dropped symmetry). Whether a mutation really changes the value is decided independently (plain
//! floating-point evaluation at fresh random points); every real change must be reported as not
//! holding. The checker's false-accept count must be zero.
//!
//! Cases: 150 by default (CI); `NABLA_SOUNDNESS_CASES=5000 cargo test --release --test soundness`
//! for a longer sweep; `NABLA_SOUNDNESS_SEED` changes the seed.

use nabla::check::sample::{sample_instance, to_f64, SampleOptions};
use nabla::check::{check_claim, CheckOptions};
use nabla::diff::{gradient, hessian};
use nabla::expr::{
    Assumptions, Derivative, DerivativeKind, Dim, Func, Id, Node, NormKind, Number, Pool, Shape,
    SymbolId, SymbolOrigin,
};
use nabla::numeric::evaluate;
use nabla::simplify::expand;
use nabla::syntax::lower::{LoweredClaim, LoweredStep, StepRelation};
use nabla::syntax::span::Span;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

struct Vars {
    a_mat: Id,
    b_mat: Id,
    a: Id,
    b: Id,
    x: Id,
    alpha: Id,
    syms: Vec<SymbolId>,
}

fn declare(pool: &mut Pool, name: &str, shape: Shape) -> (Id, SymbolId) {
    let s = pool
        .declare(name, shape, Assumptions::default(), SymbolOrigin::Declared)
        .expect("fresh");
    (pool.symbol_expr(s), s)
}

fn vars(pool: &mut Pool) -> Vars {
    let (m, n) = (Dim::symbol("m"), Dim::symbol("n"));
    let (a_mat, s1) = declare(pool, "A", Shape::matrix(m.clone(), n.clone()));
    let (b_mat, s2) = declare(pool, "B", Shape::matrix(n.clone(), n.clone()));
    let (a, s3) = declare(pool, "a", Shape::vector(n.clone()));
    let (b, s4) = declare(pool, "b", Shape::vector(m));
    let (x, s5) = declare(pool, "x", Shape::vector(n));
    let (alpha, s6) = declare(pool, "α", Shape::scalar());
    Vars {
        a_mat,
        b_mat,
        a,
        b,
        x,
        alpha,
        syms: vec![s1, s2, s3, s4, s5, s6],
    }
}

/// A random scalar building block in x.
fn block(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Id {
    let xt = pool.transpose(v.x);
    let at = pool.transpose(v.a);
    let atx = pool.mul(&[at, v.x]);
    match rng.gen_range(0..9) {
        0 => atx,
        1 => pool.mul(&[xt, v.b_mat, v.x]),
        2 => {
            let ax = pool.mul(&[v.a_mat, v.x]);
            let r = pool.sub(ax, v.b);
            let norm = pool.apply(Func::Norm(NormKind::Two), &[r]);
            pool.powi(norm, 2)
        }
        3 => pool.mul(&[xt, v.x]),
        4 => pool.powi(atx, 2),
        5 => pool.apply(Func::Exp, &[atx]),
        6 => pool.apply(Func::Sin, &[atx]),
        7 => {
            let bt = pool.transpose(v.b);
            pool.mul(&[bt, v.a_mat, v.x])
        }
        _ => {
            let xx = pool.mul(&[xt, v.x]);
            pool.mul(&[v.alpha, xx])
        }
    }
}

/// A random scalar function: a small combination of blocks.
fn function(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Id {
    let terms = rng.gen_range(1..=3);
    let mut parts = Vec::new();
    for _ in 0..terms {
        let b = block(pool, v, rng);
        let b = match rng.gen_range(0..5) {
            0 => {
                let other = block(pool, v, rng);
                pool.mul(&[b, other])
            }
            1 => {
                let sq = pool.powi(b, 2);
                let one = pool.int(1);
                let arg = pool.add(&[sq, one]);
                pool.apply(Func::Log, &[arg])
            }
            _ => b,
        };
        let k = rng.gen_range(1..=3) * if rng.gen_bool(0.3) { -1 } else { 1 };
        parts.push(pool.scale(Number::int(k), b));
    }
    pool.add(&parts)
}

/// A mutation of the correct result `g`, described.
fn mutate(pool: &mut Pool, v: &Vars, g: Id, rng: &mut Pcg64) -> (Id, &'static str) {
    match rng.gen_range(0..6) {
        0 => {
            let k = [2, -1, 3][rng.gen_range(0..3)];
            (pool.scale(Number::int(k), g), "scaled")
        }
        1 => (pool.scale(Number::ratio(1, 2), g), "halved"),
        2 => (pool.transpose(g), "transposed"),
        3 => {
            let e = expand(pool, g, 10_000).unwrap_or(g);
            match pool.node(e).clone() {
                Node::Add(ts) => {
                    let drop = rng.gen_range(0..ts.len());
                    let kept: Vec<Id> = ts
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != drop)
                        .map(|(_, t)| *t)
                        .collect();
                    (pool.add(&kept), "dropped a term")
                }
                _ => (pool.scale(Number::int(2), g), "scaled"),
            }
        }
        4 => {
            let extra = if pool.is_scalar(g) || pool.shape(g).cols.is_one() {
                if pool.shape(g).cols.is_one() && !pool.is_scalar(g) {
                    v.a
                } else {
                    v.alpha
                }
            } else {
                v.b_mat
            };
            if pool.shape(extra) == pool.shape(g) {
                (pool.add(&[g, extra]), "added a term")
            } else {
                (pool.neg(g), "negated")
            }
        }
        _ => {
            let bt = pool.transpose(v.b_mat);
            let map = std::collections::HashMap::from([(v.b_mat, bt)]);
            (
                pool.substitute(g, &map),
                "B replaced by Bᵀ (a dropped symmetry)",
            )
        }
    }
}

/// Independent ground truth: do the two differ at some random floating-point instance?
fn really_differ(pool: &Pool, v: &Vars, p: Id, q: Id, seed: u64) -> bool {
    if pool.shape(p) != pool.shape(q) {
        return true;
    }
    let mut rng = Pcg64::seed_from_u64(seed ^ 0xdead_beef);
    let opts = SampleOptions {
        seed,
        max_dim: 4,
        integer_entries: false,
        ..SampleOptions::default()
    };
    for _ in 0..20 {
        let inst = to_f64(&sample_instance(
            pool,
            &v.syms,
            &std::collections::BTreeSet::new(),
            &mut rng,
            &opts,
        ));
        if let (Ok(a), Ok(b)) = (evaluate(pool, p, &inst), evaluate(pool, q, &inst)) {
            let differ = a.rows != b.rows
                || a.cols != b.cols
                || a.data
                    .iter()
                    .zip(&b.data)
                    .any(|(x, y)| (x - y).abs() > 1e-6 * (1.0 + x.abs().max(y.abs())));
            if differ {
                return true;
            }
        }
    }
    false
}

#[test]
fn mutated_derivatives_are_never_accepted() {
    let cases: usize = std::env::var("NABLA_SOUNDNESS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let seed: u64 = std::env::var("NABLA_SOUNDNESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut real, mut false_accepts) = (0usize, Vec::new());
    for case in 0..cases {
        let mut pool = Pool::new();
        let v = vars(&mut pool);
        let f = function(&mut pool, &v, &mut rng);
        let hessian_case = rng.gen_bool(0.3);
        let kind = if hessian_case {
            DerivativeKind::Hessian
        } else {
            DerivativeKind::Gradient
        };
        let correct = if hessian_case {
            hessian(&mut pool, f, &[v.x])
        } else {
            gradient(&mut pool, f, &[v.x])
        };
        let Ok(g) = correct else { continue };
        let (m, what) = mutate(&mut pool, &v, g, &mut rng);
        if !really_differ(&pool, &v, g, m, case as u64) {
            continue;
        }
        real += 1;
        let shape = pool.shape(g).clone();
        let first = pool.derivative(
            Derivative {
                kind,
                expr: f,
                wrt: vec![v.x].into(),
                direction: None,
            },
            shape,
        );
        let claim = LoweredClaim {
            first,
            first_span: Span::default(),
            steps: vec![LoweredStep {
                relation: StepRelation::Equal,
                expr: m,
                span: Span::default(),
            }],
            at: Vec::new(),
            span: Span::default(),
        };
        let mut options = CheckOptions::default();
        options.compare.seed = case as u64;
        let report = check_claim(&mut pool, &claim, &options);
        if report.steps.iter().any(|s| s.verdict.holds()) {
            false_accepts.push(format!("case {case}: {what} ({kind:?})"));
        }
    }
    assert!(
        real >= cases / 2,
        "too few real mutations: {real} of {cases}"
    );
    assert!(
        false_accepts.is_empty(),
        "wrong claims accepted: {false_accepts:#?}"
    );
}
