//! Compiled evaluation against hand-written Rust: f and ∇f of the n-dimensional Rosenbrock
//! function (n = 1000, in matrix form with the selection matrices P, Q as data:
//! `f(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²`), of least squares ½‖Ax − b‖² with a
//! 1000×100 matrix, and the gradient of the scalar Rosenbrock function ∑ 100(x_{i+1} − x_i²)² +
//! (1 − x_i)² in 1000 scalar variables at 1000 points (the peer comparison's evaluation task,
//! whose jax reference is `jax.jit(jax.vmap(jax.grad(f)))`): one `run` per point, one
//! `run_batch` for all, and by hand. The setup checks that the implementations agree before
//! timing them.

use criterion::{criterion_group, criterion_main, Criterion};
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Assumptions, Id, Number, Pool, Shape, SymbolId, SymbolOrigin};
use nabla::numeric::{compile, Dense, Instance, Program};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use std::hint::black_box;
use std::time::Duration;

#[path = "support/workloads.rs"]
mod workloads;
use workloads::{rosenbrock_by_hand, rosenbrock_gradient_by_hand};

/// Compiles f and ∇f of the function `f` of `text` with the given data (by name).
fn compiled(text: &str, dims: &[(&str, u64)], data: Vec<(&str, Dense<f64>)>) -> Program {
    let mut doc = Document::read(text, &ReadOptions::default()).expect("valid");
    let def = doc.lowered.functions.get("f").expect("f").clone();
    let pool = &mut doc.lowered.pool;
    let x = pool.symbol_expr(def.params[0]);
    let g = nabla::diff::gradient(pool, def.body, &[x]).expect("gradient");
    let mut inst = Instance::new();
    for (d, v) in dims {
        inst.dims.insert(d.to_string(), *v);
    }
    for (name, v) in data {
        inst.values.insert(pool.lookup(name).expect("declared"), v);
    }
    compile(pool, &[def.body, g], &def.params, &inst).expect("compiles")
}

/// Least squares by hand: r = Ax − b, f = ½rᵀr, ∇f = Aᵀr (A row-major m×n).
fn least_squares(a: &[f64], b: &[f64], x: &[f64], r: &mut [f64], g: &mut [f64]) -> f64 {
    let n = x.len();
    for (i, ri) in r.iter_mut().enumerate() {
        let row = &a[i * n..(i + 1) * n];
        *ri = row.iter().zip(x).map(|(p, q)| p * q).sum::<f64>() - b[i];
    }
    g.fill(0.0);
    for (i, ri) in r.iter().enumerate() {
        for (gj, aij) in g.iter_mut().zip(&a[i * n..(i + 1) * n]) {
            *gj += aij * ri;
        }
    }
    0.5 * r.iter().map(|v| v * v).sum::<f64>()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .all(|(u, v)| (u - v).abs() <= 1e-9 * (1.0 + v.abs()))
        && a.len() == b.len()
}

fn bench_rosenbrock(c: &mut Criterion) {
    let n = 1000usize;
    let k = n - 1;
    let p = Dense::from_fn(k, n, |i, j| if i == j { 1.0 } else { 0.0 }).expect("P");
    let q = Dense::from_fn(k, n, |i, j| if i + 1 == j { 1.0 } else { 0.0 }).expect("Q");
    let mut program = compiled(
        "let P: ℝ^(k×n), Q: ℝ^(k×n), x: ℝ^n\nf(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²\n",
        &[("k", k as u64), ("n", n as u64)],
        vec![("P", p), ("Q", q)],
    );
    let mut rng = Pcg64::seed_from_u64(7);
    let x: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.5..1.5)).collect();
    let mut g = vec![0.0; n];
    let f = rosenbrock_by_hand(&x, &mut g);
    program.run(&[&x]).expect("runs");
    assert!(
        close(program.output(0), &[f]) && close(program.output(1), &g),
        "disagree"
    );
    let mut group = c.benchmark_group("rosenbrock n=1000: f and ∇f");
    group.bench_function("compiled", |b| {
        b.iter(|| {
            program.run(&[black_box(&x)]).expect("runs");
            black_box(program.output(1)[0])
        })
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| black_box(rosenbrock_by_hand(black_box(&x), &mut g)))
    });
    group.finish();
}

fn bench_least_squares(c: &mut Criterion) {
    let (m, n) = (1000usize, 100usize);
    let mut rng = Pcg64::seed_from_u64(11);
    let a: Vec<f64> = (0..m * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let b: Vec<f64> = (0..m).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let x: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut program = compiled(
        "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\n",
        &[("m", m as u64), ("n", n as u64)],
        vec![
            ("A", Dense::from_vec(m, n, a.clone()).expect("A")),
            ("b", Dense::from_vec(m, 1, b.clone()).expect("b")),
        ],
    );
    let (mut r, mut g) = (vec![0.0; m], vec![0.0; n]);
    let f = least_squares(&a, &b, &x, &mut r, &mut g);
    program.run(&[&x]).expect("runs");
    assert!(
        close(program.output(0), &[f]) && close(program.output(1), &g),
        "disagree"
    );
    let mut group = c.benchmark_group("least squares 1000×100: f and ∇f");
    group.bench_function("compiled", |bch| {
        bch.iter(|| {
            program.run(&[black_box(&x)]).expect("runs");
            black_box(program.output(1)[0])
        })
    });
    group.bench_function("hand-written", |bch| {
        bch.iter(|| black_box(least_squares(&a, &b, black_box(&x), &mut r, &mut g)))
    });
    group.finish();
}

/// The scalar Rosenbrock function of `n` variables and its symbolic gradient.
fn scalar_rosenbrock(n: usize) -> (Pool, Id, Vec<SymbolId>) {
    let mut pool = Pool::new();
    let syms: Vec<SymbolId> = (1..=n)
        .map(|i| {
            let name = format!("x_{i}");
            let s = pool.declare(
                &name,
                Shape::scalar(),
                Assumptions::default(),
                SymbolOrigin::Declared,
            );
            s.expect("fresh")
        })
        .collect();
    let xs: Vec<Id> = syms.iter().map(|&s| pool.symbol_expr(s)).collect();
    let one = pool.int(1);
    let mut terms = Vec::new();
    for i in 0..n - 1 {
        let sq = pool.powi(xs[i], 2);
        let d = pool.sub(xs[i + 1], sq);
        let d2 = pool.powi(d, 2);
        terms.push(pool.scale(Number::int(100), d2));
        let e = pool.sub(one, xs[i]);
        terms.push(pool.powi(e, 2));
    }
    let f = pool.add(&terms);
    let g = nabla::diff::gradient(&mut pool, f, &xs).expect("gradient");
    (pool, g, syms)
}

fn bench_rosenbrock_points(c: &mut Criterion) {
    let (n, points) = (1000usize, 1000usize);
    let (pool, g, syms) = scalar_rosenbrock(n);
    let mut program = compile(&pool, &[g], &syms, &Instance::new()).expect("compiles");
    let mut rng = Pcg64::seed_from_u64(5);
    // Point-major (for `run` and by hand) and variable-major (for `run_batch`).
    let rows: Vec<Vec<f64>> = (0..points)
        .map(|_| (0..n).map(|_| rng.gen_range(0.25..1.75)).collect())
        .collect();
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|i| rows.iter().map(|r| r[i]).collect())
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    program.run_batch(points, &inputs, &mut out).expect("runs");
    let mut grad = vec![0.0; n];
    for (p, x) in rows.iter().enumerate() {
        rosenbrock_gradient_by_hand(x, &mut grad);
        assert!(close(&out[0][p * n..(p + 1) * n], &grad), "disagree");
    }
    let mut group = c.benchmark_group("rosenbrock gradient n=1000 at 1000 points");
    group.bench_function("compiled run_batch", |b| {
        b.iter(|| {
            program
                .run_batch(points, black_box(&inputs), &mut out)
                .expect("runs");
            black_box(out[0][0])
        })
    });
    group.bench_function("compiled run per point", |b| {
        b.iter(|| {
            for x in &rows {
                let point: Vec<&[f64]> = x.iter().map(std::slice::from_ref).collect();
                program.run(black_box(&point)).expect("runs");
            }
            black_box(program.output(0)[0])
        })
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| {
            for x in &rows {
                rosenbrock_gradient_by_hand(black_box(x), &mut grad);
            }
            black_box(grad[0])
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench_rosenbrock, bench_least_squares, bench_rosenbrock_points
}
criterion_main!(benches);
