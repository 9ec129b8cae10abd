//! Checker throughput: typical homework claims (each read, lowered, differentiated and decided),
//! reported as claims per second by criterion's throughput figure. One core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nabla::check::{check_program, CheckOptions};
use nabla::document::{Document, ReadOptions};
use std::hint::black_box;

/// A homework sheet: correct and wrong claims, matrix and scalar, as students write them.
const HOMEWORK: &[&str] = &[
    "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇f(x) = Aᵀ(Ax − b)",
    "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇²f(x) = AᵀA",
    "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx) = (A + Aᵀ)x",
    "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx) = 2Ax",
    "let B: ℝ^(m×n), c: ℝ^m, x: ℝ^n\ng(x) = ‖Bx − c‖²\nclaim ∇g(x) = Bᵀ(Bx − c)",
    "claim d/dx ln(x² + 1) = 2x/(x² + 1)",
    "claim d/dx (x sin x) = sin x + x cos x",
    "claim d/dx cos x = sin x",
    "let W: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nclaim J(σ(Wx + b), x) = diag(σ(Wx + b) ⊙ (𝟙 − σ(Wx + b)))W",
    "let X: ℝ^(N×d), y: ℝ^N, w: ℝ^d, α: ℝ\nJ(w) = ‖Xw − y‖² + α‖w‖²\nclaim ∇J(w) = 2Xᵀ(Xw − y) + 2αw",
];

fn bench_claims(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(HOMEWORK.len() as u64));
    group.bench_function("homework_claims", |b| {
        b.iter(|| {
            for source in HOMEWORK {
                let mut doc = Document::read(source, &ReadOptions::default()).expect("readable");
                let report = check_program(&mut doc.lowered, &CheckOptions::default());
                black_box(report.has_failure());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_claims);
criterion_main!(benches);
