//! Profiling aid: checks each claim of a small homework sheet `N` times (`cargo run --release
//! --example profile_check -- 20`) and prints the time per claim, correct and wrong separately.

use nabla::check::{check_program, CheckOptions};
use nabla::document::{Document, ReadOptions};

const CORRECT: &[&str] = &[
    "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇f(x) = Aᵀ(Ax − b)",
    "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx) = (A + Aᵀ)x",
    "claim d/dx ln(x² + 1) = 2x/(x² + 1)",
];
const WRONG: &[&str] = &[
    "let B: ℝ^(m×n), c: ℝ^m, x: ℝ^n\ng(x) = ‖Bx − c‖²\nclaim ∇g(x) = Bᵀ(Bx − c)",
    "claim d/dx cos x = sin x",
];

fn time(sources: &[&str], rounds: usize) -> f64 {
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for s in sources {
            let mut doc = Document::read(s, &ReadOptions::default()).expect("readable");
            let report = check_program(&mut doc.lowered, &CheckOptions::default());
            std::hint::black_box(report.has_failure());
        }
    }
    start.elapsed().as_secs_f64() / (rounds * sources.len()) as f64
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    println!("correct claim: {:.3} ms", 1e3 * time(CORRECT, rounds));
    println!("wrong claim:   {:.3} ms", 1e3 * time(WRONG, rounds));
}
