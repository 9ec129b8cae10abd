//! Soundness sweep: random scalar functions of a vector, their correct gradients and Hessians,
//! and random mutations of those (scaling, negation, transposition, a dropped or added term, a
//! dropped symmetry). Whether a mutation really changes the value is decided independently (plain
//! floating-point evaluation at fresh random points); every real change must be reported as not
//! holding. The checker's false-accept count must be zero.
//!
//! A second sweep does the same for gradients with respect to a matrix X (tr(CX), ‖X‖_F², aᵀXb,
//! log det X, tr(XᵀCX)) and for Jacobians of vector functions of x.
//!
//! Cases: 1,000 per sweep by default (CI, fixed seed);
//! `NABLA_SOUNDNESS_CASES=20000 cargo test --release --test soundness` for a longer sweep;
//! `NABLA_SOUNDNESS_SEED` changes the seed.

use nabla::check::sample::{sample_instance, to_f64, SampleOptions};
use nabla::check::{check_claim, CheckOptions};
use nabla::diff::{gradient, hessian, jacobian, Layout};
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
    /// ℝ^(n×n): the matrix variable of the second sweep.
    x_mat: Id,
    /// ℝ^(n×n): a constant matrix of the second sweep.
    c_mat: Id,
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
    let (x, s5) = declare(pool, "x", Shape::vector(n.clone()));
    let (alpha, s6) = declare(pool, "α", Shape::scalar());
    let (x_mat, s7) = declare(pool, "X", Shape::matrix(n.clone(), n.clone()));
    let (c_mat, s8) = declare(pool, "C", Shape::matrix(n.clone(), n));
    Vars {
        a_mat,
        b_mat,
        a,
        b,
        x,
        alpha,
        x_mat,
        c_mat,
        syms: vec![s1, s2, s3, s4, s5, s6, s7, s8],
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
            let candidates = [v.alpha, v.a, v.b, v.b_mat, v.c_mat, v.a_mat];
            let extra = candidates
                .into_iter()
                .find(|&c| pool.shape(c) == pool.shape(g))
                .unwrap_or(v.alpha);
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

/// What a sweep differentiates: a function, the derivative kind and variable, and its value.
struct Case {
    f: Id,
    kind: DerivativeKind,
    wrt: Id,
    correct: Id,
}

/// A random scalar function of the matrix X: a small combination of matrix-calculus blocks.
fn matrix_function(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Id {
    let terms = rng.gen_range(1..=2);
    let mut parts = Vec::new();
    for _ in 0..terms {
        let b = match rng.gen_range(0..6) {
            0 => {
                let cx = pool.mul(&[v.c_mat, v.x_mat]);
                pool.apply(Func::Trace, &[cx])
            }
            1 => {
                let norm = pool.apply(Func::Norm(NormKind::Frobenius), &[v.x_mat]);
                pool.powi(norm, 2)
            }
            2 => {
                let at = pool.transpose(v.a);
                let bt = pool.transpose(v.x);
                pool.mul(&[at, v.x_mat, bt])
            }
            3 => {
                let det = pool.apply(Func::Det, &[v.x_mat]);
                pool.apply(Func::Log, &[det])
            }
            4 => {
                let xt = pool.transpose(v.x_mat);
                let p = pool.mul(&[xt, v.c_mat, v.x_mat]);
                pool.apply(Func::Trace, &[p])
            }
            _ => {
                let x2 = pool.mul(&[v.x_mat, v.x_mat]);
                pool.apply(Func::Trace, &[x2])
            }
        };
        let k = rng.gen_range(1..=3) * if rng.gen_bool(0.3) { -1 } else { 1 };
        parts.push(pool.scale(Number::int(k), b));
    }
    pool.add(&parts)
}

/// A random vector function of x (for Jacobians).
fn vector_function(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Id {
    let ax = pool.mul(&[v.a_mat, v.x]);
    let bx = pool.mul(&[v.b_mat, v.x]);
    match rng.gen_range(0..7) {
        0 => ax,
        1 => pool.add(&[bx, v.a]),
        2 => pool.apply(Func::Sin, &[ax]),
        3 => pool.hadamard(&[v.x, v.x]),
        4 => pool.apply(Func::Exp, &[bx]),
        5 => {
            let xt = pool.transpose(v.x);
            let q = pool.mul(&[xt, v.x]);
            pool.mul(&[q, v.a])
        }
        _ => pool.scale(Number::int(3), bx),
    }
}

fn scalar_case(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Option<Case> {
    let f = function(pool, v, rng);
    let hessian_case = rng.gen_bool(0.3);
    let (kind, correct) = if hessian_case {
        (DerivativeKind::Hessian, hessian(pool, f, &[v.x]))
    } else {
        (DerivativeKind::Gradient, gradient(pool, f, &[v.x]))
    };
    Some(Case {
        f,
        kind,
        wrt: v.x,
        correct: correct.ok()?,
    })
}

fn matrix_case(pool: &mut Pool, v: &Vars, rng: &mut Pcg64) -> Option<Case> {
    if rng.gen_bool(0.6) {
        let f = matrix_function(pool, v, rng);
        let correct = gradient(pool, f, &[v.x_mat]).ok()?;
        Some(Case {
            f,
            kind: DerivativeKind::Gradient,
            wrt: v.x_mat,
            correct,
        })
    } else {
        let f = vector_function(pool, v, rng);
        let correct = jacobian(pool, f, &[v.x], Layout::Numerator).ok()?;
        Some(Case {
            f,
            kind: DerivativeKind::Jacobian,
            wrt: v.x,
            correct,
        })
    }
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Runs a sweep: each case's correct derivative is mutated, and the checker must refuse every
/// mutation that really changes the value.
fn sweep(seed_offset: u64, make: fn(&mut Pool, &Vars, &mut Pcg64) -> Option<Case>) {
    let cases = setting("NABLA_SOUNDNESS_CASES", 1_000) as usize;
    let seed = setting("NABLA_SOUNDNESS_SEED", 2026) + seed_offset;
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut real, mut false_accepts) = (0usize, Vec::new());
    for case in 0..cases {
        let mut pool = Pool::new();
        let v = vars(&mut pool);
        let Some(c) = make(&mut pool, &v, &mut rng) else {
            continue;
        };
        let (m, what) = mutate(&mut pool, &v, c.correct, &mut rng);
        if !really_differ(&pool, &v, c.correct, m, case as u64) {
            continue;
        }
        real += 1;
        let shape = pool.shape(c.correct).clone();
        let first = pool.derivative(
            Derivative {
                kind: c.kind,
                expr: c.f,
                wrt: vec![c.wrt].into(),
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
            false_accepts.push(format!("case {case}: {what} ({:?})", c.kind));
        }
    }
    eprintln!("seed {seed}: {real} real mutations in {cases} cases, none accepted");
    assert!(
        real >= cases / 2,
        "too few real mutations: {real} of {cases}"
    );
    assert!(
        false_accepts.is_empty(),
        "wrong claims accepted: {false_accepts:#?}"
    );
}

#[test]
fn mutated_derivatives_are_never_accepted() {
    sweep(0, scalar_case);
}

#[test]
fn mutated_matrix_gradients_and_jacobians_are_never_accepted() {
    sweep(1, matrix_case);
}
