//! Profiling aid for compiled evaluation: runs one of the `evaluate` bench workloads many times
//! so that `perf` or `valgrind --tool=callgrind` sees mostly the evaluation.
//!
//! ```sh
//! cargo run --release --example profile_evaluate -- matrix 100000   # matrix-form Rosenbrock f, ∇f
//! cargo run --release --example profile_evaluate -- batch 10        # scalar ∇f at 1000 points
//! cargo run --release --example profile_evaluate -- points 2        # the same, one run per point
//! ```
//!
//! Under callgrind, `--toggle-collect='*Program::run*'` counts the evaluation alone.

use nabla::document::{Document, ReadOptions};
use nabla::numeric::{compile, Dense, Instance, Program};
use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/support/workloads.rs"]
mod workloads;

/// f and ∇f of the matrix-form Rosenbrock function at n = 1000, P and Q as data.
fn matrix_rosenbrock(n: usize) -> Program {
    let k = n - 1;
    let text = "let P: ℝ^(k×n), Q: ℝ^(k×n), x: ℝ^n\nf(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²\n";
    let mut doc = Document::read(text, &ReadOptions::default()).expect("valid");
    let def = doc.lowered.functions.get("f").expect("f").clone();
    let pool = &mut doc.lowered.pool;
    let x = pool.symbol_expr(def.params[0]);
    let g = nabla::diff::gradient(pool, def.body, &[x]).expect("gradient");
    let mut inst = Instance::new();
    inst.dims.insert("k".to_string(), k as u64);
    inst.dims.insert("n".to_string(), n as u64);
    let p = Dense::from_fn(k, n, |i, j| if i == j { 1.0 } else { 0.0 }).expect("P");
    let q = Dense::from_fn(k, n, |i, j| if i + 1 == j { 1.0 } else { 0.0 }).expect("Q");
    inst.values.insert(pool.lookup("P").expect("P"), p);
    inst.values.insert(pool.lookup("Q").expect("Q"), q);
    compile(pool, &[def.body, g], &def.params, &inst).expect("compiles")
}

/// The value in [0.25, 1.75) for variable `i` at point `p` (deterministic, no generator needed).
fn value(p: usize, i: usize) -> f64 {
    0.25 + ((p * 7919 + i * 104_729) % 1000) as f64 * 1.5e-3
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let which = args.first().map(String::as_str).unwrap_or("matrix");
    let reps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let n = 1000;
    let mut start = Instant::now();
    match which {
        "matrix" => {
            let mut program = matrix_rosenbrock(n);
            let x: Vec<f64> = (0..n).map(|i| value(0, i) * 2.0 - 1.5).collect();
            start = Instant::now();
            for _ in 0..reps {
                program.run(&[black_box(&x)]).expect("runs");
            }
            println!("f = {}", program.output(0)[0]);
        }
        "batch" | "points" => {
            let (mut pool, f, syms, xs) = workloads::rosenbrock(n);
            let g = nabla::diff::gradient(&mut pool, f, &xs).expect("gradient");
            let mut program = compile(&pool, &[g], &syms, &Instance::new()).expect("compiles");
            let points = 1000;
            let columns: Vec<Vec<f64>> = (0..n)
                .map(|i| (0..points).map(|p| value(p, i)).collect())
                .collect();
            let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
            let mut out = Vec::new();
            start = Instant::now();
            for _ in 0..reps {
                if which == "batch" {
                    program
                        .run_batch(points, black_box(&inputs), &mut out)
                        .expect("runs");
                } else {
                    for p in 0..points {
                        let point: Vec<&[f64]> = columns
                            .iter()
                            .map(|c| std::slice::from_ref(&c[p]))
                            .collect();
                        program.run(black_box(&point)).expect("runs");
                    }
                }
            }
            println!("steps = {}", program.len());
        }
        "hand" => {
            // The hand-written f and ∇f of the bench, for comparison.
            let x: Vec<f64> = (0..n).map(|i| value(0, i) * 2.0 - 1.5).collect();
            let mut g = vec![0.0; n];
            start = Instant::now();
            let mut f = 0.0;
            for _ in 0..reps {
                f = workloads::rosenbrock_by_hand(black_box(&x), &mut g);
            }
            println!("f = {f}");
        }
        other => eprintln!("unknown workload {other}: matrix, hand, batch or points"),
    }
    let t = start.elapsed();
    println!("{reps} runs: {t:?}, {:?} per run", t / reps.max(1) as u32);
}
