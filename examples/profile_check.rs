//! Profiling aid: checks each claim of a small homework sheet (the one `benches/check.rs` uses)
//! `N` times and prints the time per claim and its verdict (`cargo run --release --example
//! profile_check -- 20`); `-- N K` checks only claim `K` (0-based), for callgrind.

use nabla::check::{check_program, CheckOptions, StatementReport};
use nabla::document::{Document, ReadOptions};

#[path = "../benches/support/workloads.rs"]
mod workloads;
use workloads::HOMEWORK;

/// Checks `source` once; returns the verdict names of its claims' steps.
fn check(source: &str) -> Vec<&'static str> {
    let mut doc = Document::read(source, &ReadOptions::default()).expect("readable");
    let report = check_program(&mut doc.lowered, &CheckOptions::default());
    report
        .statements
        .iter()
        .flat_map(|s| match s {
            StatementReport::Claim(c) => c.steps.iter().map(|st| st.verdict.name()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let only: Option<usize> = args.next().and_then(|s| s.parse().ok());
    let mut total = 0.0;
    for (k, source) in HOMEWORK.iter().enumerate() {
        if only.is_some_and(|o| o != k) {
            continue;
        }
        let start = std::time::Instant::now();
        let mut verdicts = Vec::new();
        for _ in 0..rounds {
            verdicts = check(source);
        }
        let t = start.elapsed().as_secs_f64() / rounds as f64;
        total += t;
        let claim = source.lines().last().unwrap_or_default();
        println!("{k}: {:8.3} ms  {:?}  {claim}", 1e3 * t, verdicts);
    }
    println!(
        "mean: {:.3} ms per claim",
        1e3 * total / HOMEWORK.len() as f64
    );
}
