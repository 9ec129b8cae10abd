//! Differentiation benchmarks: gradient and Hessian of the n-dimensional Rosenbrock function, the
//! gradient of a deep composition of elementary functions, and the expansion of a power of a sum
//! (the peer comparison's tasks). Each prints the result's size.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use nabla::diff::{gradient, hessian};
use nabla::expr::{Id, Node, Pool};
use nabla::simplify::expand;
use std::hint::black_box;

#[path = "support/workloads.rs"]
mod workloads;

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
        let (pool, f, _, xs) = workloads::rosenbrock(n);
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
        let (pool, f, _, xs) = workloads::rosenbrock(n);
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
        let (pool, f, _, x) = workloads::composition(depth);
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

fn bench_expand(c: &mut Criterion) {
    let mut group = c.benchmark_group("expand_power_of_sum");
    group.sample_size(10);
    for (k, p) in [(5, 10), (10, 6)] {
        let (pool, e, _) = workloads::power_of_sum(k, p);
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
