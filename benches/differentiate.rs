//! Differentiation benchmarks: gradient and Hessian of the n-dimensional Rosenbrock function, the
//! gradient of a deep composition of elementary functions, and the expansion of a power of a sum
//! (the peer comparison's tasks). Each prints the result's size.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use nabla::diff::{gradient, hessian};
use nabla::expr::{Assumptions, Func, Id, Node, Number, Pool, Shape, SymbolOrigin};
use nabla::simplify::expand;
use std::hint::black_box;

/// ∑ 100(x_{i+1} − x_i²)² + (1 − x_i)² over n scalar variables.
fn rosenbrock(n: usize) -> (Pool, Id, Vec<Id>) {
    let mut pool = Pool::new();
    let xs: Vec<Id> = (1..=n)
        .map(|i| {
            let s = pool
                .declare(
                    &format!("x_{i}"),
                    Shape::scalar(),
                    Assumptions::default(),
                    SymbolOrigin::Declared,
                )
                .expect("fresh");
            pool.symbol_expr(s)
        })
        .collect();
    let one = pool.int(1);
    let mut terms = Vec::with_capacity(2 * n);
    for i in 0..n - 1 {
        let sq = pool.powi(xs[i], 2);
        let d = pool.sub(xs[i + 1], sq);
        let d2 = pool.powi(d, 2);
        terms.push(pool.scale(Number::int(100), d2));
        let e = pool.sub(one, xs[i]);
        terms.push(pool.powi(e, 2));
    }
    let f = pool.add(&terms);
    (pool, f, xs)
}

/// sin(cos(exp(log(sqrt(… x …))))) nested to `depth`, with x re-entering at each level.
fn composition(depth: usize) -> (Pool, Id, Id) {
    let mut pool = Pool::new();
    let s = pool
        .declare(
            "x",
            Shape::scalar(),
            Assumptions::default(),
            SymbolOrigin::Declared,
        )
        .expect("fresh");
    let x = pool.symbol_expr(s);
    let mut e = x;
    for level in 0..depth {
        e = match level % 5 {
            0 => pool.apply(Func::Sin, &[e]),
            1 => pool.apply(Func::Cos, &[e]),
            2 => pool.apply(Func::Exp, &[e]),
            3 => {
                let sq = pool.powi(e, 2);
                let one = pool.int(1);
                let arg = pool.add(&[sq, one]);
                pool.apply(Func::Log, &[arg])
            }
            _ => {
                let sq = pool.powi(e, 2);
                let arg = pool.add(&[sq, x]);
                pool.sqrt(arg)
            }
        };
    }
    (pool, e, x)
}

fn dag_size(pool: &Pool, root: Id) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if seen.insert(e) {
            stack.extend(pool.node(e).children());
        }
    }
    seen.len()
}

fn bench_rosenbrock_gradient(c: &mut Criterion) {
    let mut group = c.benchmark_group("rosenbrock_gradient");
    for n in [10, 100, 1000, 10_000] {
        let (pool, f, xs) = rosenbrock(n);
        let mut probe = pool.clone();
        let g = gradient(&mut probe, f, &xs).expect("differentiable");
        eprintln!(
            "rosenbrock n={n}: input {} nodes, gradient {} nodes",
            dag_size(&pool, f),
            dag_size(&probe, g)
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            // The pool is cloned outside the measurement: only differentiation is timed.
            b.iter_batched(
                || pool.clone(),
                |mut p| black_box(gradient(&mut p, f, &xs).expect("differentiable")),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_rosenbrock_hessian(c: &mut Criterion) {
    let mut group = c.benchmark_group("rosenbrock_hessian");
    group.sample_size(10);
    for n in [10, 100, 300, 1000] {
        let (pool, f, xs) = rosenbrock(n);
        let mut probe = pool.clone();
        let h = hessian(&mut probe, f, &xs).expect("differentiable");
        eprintln!("rosenbrock n={n}: Hessian {} nodes", dag_size(&probe, h));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_batched(
                || pool.clone(),
                |mut p| black_box(hessian(&mut p, f, &xs).expect("differentiable")),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn bench_composition(c: &mut Criterion) {
    let mut group = c.benchmark_group("deep_composition_gradient");
    for depth in [10, 50, 200] {
        let (pool, f, x) = composition(depth);
        let mut probe = pool.clone();
        let g = gradient(&mut probe, f, &[x]).expect("differentiable");
        eprintln!(
            "composition depth={depth}: input {} nodes, derivative {} nodes",
            dag_size(&pool, f),
            dag_size(&probe, g)
        );
        group.bench_with_input(BenchmarkId::from_parameter(depth), &depth, |b, _| {
            b.iter_batched(
                || pool.clone(),
                |mut p| black_box(gradient(&mut p, f, &[x]).expect("differentiable")),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// (x₁ + … + x_k)^p, unexpanded.
fn power_of_sum(k: usize, p: i64) -> (Pool, Id) {
    let mut pool = Pool::new();
    let xs: Vec<Id> = (1..=k)
        .map(|i| {
            let s = pool
                .declare(
                    &format!("x_{i}"),
                    Shape::scalar(),
                    Assumptions::default(),
                    SymbolOrigin::Declared,
                )
                .expect("fresh");
            pool.symbol_expr(s)
        })
        .collect();
    let sum = pool.add(&xs);
    let e = pool.powi(sum, p);
    (pool, e)
}

fn bench_expand(c: &mut Criterion) {
    let mut group = c.benchmark_group("expand_power_of_sum");
    group.sample_size(10);
    for (k, p) in [(5, 10), (10, 6)] {
        let (pool, e) = power_of_sum(k, p);
        let mut probe = pool.clone();
        let r = expand(&mut probe, e, 50_000_000).expect("within budget");
        let terms = match probe.node(r) {
            Node::Add(ts) => ts.len(),
            _ => 1,
        };
        eprintln!("expand k={k} p={p}: {terms} terms");
        let id = format!("{k},{p}");
        group.bench_with_input(BenchmarkId::from_parameter(id), &e, |b, &e| {
            b.iter_batched(
                || pool.clone(),
                |mut p| black_box(expand(&mut p, e, 50_000_000).expect("within budget")),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_rosenbrock_gradient,
    bench_rosenbrock_hessian,
    bench_composition,
    bench_expand
);
criterion_main!(benches);
