//! Checker throughput: typical homework claims (each read, lowered, differentiated and decided),
//! reported as claims per second by criterion's throughput figure. One core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nabla::check::{check_program, CheckOptions};
use nabla::document::{Document, ReadOptions};
use std::hint::black_box;

#[path = "support/workloads.rs"]
mod workloads;
use workloads::HOMEWORK;

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
