//! Profiling aid: the Rosenbrock gradient and Hessian at a given size, timed with
//! `std::time::Instant` (median of a few runs, each on a fresh copy of the pool; copying and
//! dropping the pool are not timed). On Linux it also reports the CPU time the thread was
//! scheduled (`/proc/thread-self/schedstat`), which stays meaningful on a loaded machine.
//!
//! ```sh
//! cargo run --release --example profile_rosenbrock -- 1000            # both, 5 runs each
//! cargo run --release --example profile_rosenbrock -- 1000 gradient 9  # one of them, 9 runs
//! ```
//!
//! Under `valgrind --tool=callgrind`, `--toggle-collect='nabla::diff::gradient'` (or `hessian`)
//! counts the instructions of the operation alone.

use nabla::diff::{gradient, hessian};
use nabla::expr::{Id, Pool};
use std::time::{Duration, Instant};

#[path = "../benches/support/workloads.rs"]
mod workloads;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000)
        .max(2);
    let which = args.get(1).map(String::as_str).unwrap_or("both");
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5).max(1);
    let (pool, f, _, xs) = workloads::rosenbrock(n);
    if which != "hessian" {
        let (t, cpu, g) = median_time(&pool, runs, |p| gradient(p, f, &xs).expect("gradient"));
        println!("gradient n={n}: {t:?} wall, {cpu:?} on CPU (medians of {runs}; {g:?})");
    }
    if which != "gradient" {
        let (t, cpu, h) = median_time(&pool, runs, |p| hessian(p, f, &xs).expect("hessian"));
        println!("hessian n={n}: {t:?} wall, {cpu:?} on CPU (medians of {runs}; {h:?})");
    }
}

/// The median wall and on-CPU times of `op` over `runs` fresh copies of `pool`, and its last
/// result.
fn median_time(pool: &Pool, runs: usize, op: impl Fn(&mut Pool) -> Id) -> (Duration, Duration, Id) {
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let mut p = pool.clone();
        let (start, start_cpu) = (Instant::now(), on_cpu());
        let r = op(&mut p);
        times.push(start.elapsed());
        cpu.push(on_cpu().saturating_sub(start_cpu));
        last = Some(r);
        drop(p);
    }
    times.sort();
    cpu.sort();
    (
        times[times.len() / 2],
        cpu[cpu.len() / 2],
        last.expect("at least one run"),
    )
}

/// Time this thread has run on a CPU (zero where `/proc/thread-self/schedstat` is missing).
fn on_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}
