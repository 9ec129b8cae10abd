//! Profiling aid: checks each claim of a small homework sheet (the one `benches/check.rs` uses)
//! `N` times and prints the time per claim and its verdict (`cargo run --release --example
//! profile_check -- 20`); `-- N K` checks only claim `K` (0-based), for callgrind.

use nabla::check::{check_program, CheckOptions, StatementReport};
use nabla::document::{Document, ReadOptions};

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
