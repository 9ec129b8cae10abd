//! nabla's side of the peer comparison (`benches/peers/`): runs one task at one size a few times
//! and prints one JSON object — the median time, the result's size in nodes, the peak memory and a
//! numeric fingerprint of the result that `benches/peers/peers.py` compares with the peers'.
//!
//! ```sh
//! cargo run --release --example peer_tasks -- <task> <size> <repeats> [--no-check]
//! ```
//!
//! Tasks: `grad_rosenbrock N`, `hess_rosenbrock N`, `grad_composition DEPTH`, `expand K,P`,
//! `matrix_grad_quadratic symbolic`, `matrix_hess_least_squares symbolic`,
//! `eval_rosenbrock_grad N,POINTS`. Only the operation itself is timed (the input expression is
//! built beforehand; every repeat works on a fresh copy of the pool), with `std::time::Instant`.
//! Points and weights come from Weyl sequences (`frac(k·α)`), which `peers.py` computes with the
//! same floating-point operations, so every tool sees bit-identical inputs.

use nabla::diff::{gradient, hessian};
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Id, Node, Number, Pool, SymbolId};
use nabla::numeric::{compile, evaluate, Dense, Instance};
use nabla::simplify::expand;
use nabla::syntax::ast::DerivativeKind;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Instant;

#[path = "../benches/support/workloads.rs"]
mod workloads;

/// Stop repeating once the repeats so far took this long (the first repeat always runs).
const REPEAT_BUDGET_S: f64 = 10.0;
/// The evaluation task stops after this long and extrapolates to all points.
const EVAL_BUDGET_S: f64 = 20.0;
/// Points per batch of the evaluation task.
const EVAL_CHUNK: usize = 1000;
/// Weyl step of the point values (the golden ratio's fractional part).
const ALPHA_POINT: f64 = 0.618_033_988_749_894_9;
/// Weyl step of the checksum weights (√2's fractional part).
const ALPHA_WEIGHT: f64 = 0.414_213_562_373_095_1;
/// Term budget of the expansion task.
const EXPAND_BUDGET: usize = 50_000_000;

type Outcome = Result<Value, String>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = !args.iter().any(|a| a == "--no-check");
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (task, size, repeats) = match positional.as_slice() {
        [t, s, r] => (
            t.as_str(),
            s.as_str(),
            r.parse::<usize>().unwrap_or(3).max(1),
        ),
        [t, s] => (t.as_str(), s.as_str(), 3),
        _ => {
            eprintln!("usage: peer_tasks <task> <size> [<repeats>] [--no-check]");
            std::process::exit(2);
        }
    };
    let outcome = run(task, size, repeats, check);
    let mut out = match outcome {
        Ok(v) => v,
        Err(e) => json!({ "error": e }),
    };
    out["tool"] = json!("nabla");
    out["version"] = json!(env!("CARGO_PKG_VERSION"));
    out["task"] = json!(task);
    out["size"] = json!(size);
    out["vmhwm_kb"] = json!(vmhwm_kb());
    println!("{out}");
}

fn run(task: &str, size: &str, repeats: usize, check: bool) -> Outcome {
    let number = || {
        size.parse::<usize>()
            .map_err(|e| format!("size {size:?}: {e}"))
    };
    match task {
        "grad_rosenbrock" => rosenbrock_task(number()?, repeats, check, false),
        "hess_rosenbrock" => rosenbrock_task(number()?, repeats, check, true),
        "grad_composition" => composition_task(number()?, repeats, check),
        "expand" => {
            let (k, p) = pair(size)?;
            expand_task(k, p, repeats)
        }
        "matrix_grad_quadratic" => matrix_task(
            "A: ℝ^(n×n), x: ℝ^n",
            "xᵀAx",
            DerivativeKind::Gradient,
            &[("A", 4, 4), ("x", 4, 1)],
            repeats,
        ),
        "matrix_hess_least_squares" => matrix_task(
            "A: ℝ^(m×n), x: ℝ^n, b: ℝ^m",
            "½‖Ax − b‖²",
            DerivativeKind::Hessian,
            &[("A", 5, 3), ("x", 3, 1), ("b", 5, 1)],
            repeats,
        ),
        "eval_rosenbrock_grad" => {
            let (n, points) = pair(size)?;
            eval_task(n, points)
        }
        _ => Err(format!("unknown task {task:?}")),
    }
}

/// `"a,b"` as two numbers.
fn pair(size: &str) -> Result<(usize, usize), String> {
    let mut it = size.split(',').map(|s| s.trim().parse::<usize>());
    match (it.next(), it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b)), None) => Ok((a, b)),
        _ => Err(format!("size {size:?}: expected two numbers `a,b`")),
    }
}

/// `frac(k·alpha)` — the same operations in numpy give the same bits.
fn weyl(k: u64, alpha: f64) -> f64 {
    let x = k as f64 * alpha;
    x - x.floor()
}

/// The value of the `i`-th (0-based) coordinate of the check point: in (0.25, 1.75).
fn point_value(i: u64) -> f64 {
    0.25 + 1.5 * weyl(i + 1, ALPHA_POINT)
}

/// Times `op` on fresh clones of `pool` up to `repeats` times (stopping once the budget is spent)
/// and returns the result of the last run, the pool it lives in and the times.
fn timed<T>(
    pool: &Pool,
    repeats: usize,
    mut op: impl FnMut(&mut Pool) -> Result<T, String>,
) -> Result<(T, Pool, Vec<f64>), String> {
    let mut times = Vec::new();
    let mut total = 0.0;
    loop {
        let mut p = pool.clone();
        let start = Instant::now();
        let r = op(&mut p)?;
        let t = start.elapsed().as_secs_f64();
        times.push(t);
        total += t;
        if times.len() >= repeats || total > REPEAT_BUDGET_S {
            return Ok((r, p, times));
        }
    }
}

fn median(times: &[f64]) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    let m = t.len() / 2;
    if t.len() % 2 == 1 {
        t[m]
    } else {
        (t[m - 1] + t[m]) / 2.0
    }
}

/// Distinct nodes reachable from `roots`.
fn dag_size(pool: &Pool, roots: &[Id]) -> usize {
    let mut seen = BTreeSet::new();
    let mut stack = roots.to_vec();
    while let Some(e) = stack.pop() {
        if seen.insert(e) {
            stack.extend(pool.node(e).children());
        }
    }
    seen.len()
}

/// Checksums of a row-major list of values: weighted sum, weighted sum of absolute values, the
/// number of non-zero entries and the first few values.
fn fingerprint(values: &[f64]) -> Value {
    let mut sum = 0.0;
    let mut abs = 0.0;
    for (i, v) in values.iter().enumerate() {
        let w = 0.5 + weyl(i as u64 + 1, ALPHA_WEIGHT);
        sum += w * v;
        abs += w * v.abs();
    }
    json!({
        "entries": values.len(),
        "nnz": values.iter().filter(|v| **v != 0.0).count(),
        "checksum": sum,
        "abs_checksum": abs,
        "head": values.iter().take(4).collect::<Vec<_>>(),
    })
}

fn report(
    times: &[f64],
    nodes: usize,
    input_nodes: Option<usize>,
    fp: Value,
    notes: Vec<String>,
) -> Value {
    json!({
        "repeats": times.len(),
        "times_s": if times.len() <= 10 { json!(times) } else { Value::Null },
        "median_s": median(times),
        "nodes": nodes,
        "input_nodes": input_nodes,
        "fingerprint": fp,
        "notes": notes,
    })
}

/// The instance giving the `i`-th symbol the value `value(i)`.
fn point(syms: &[SymbolId], value: impl Fn(u64) -> f64) -> Instance<f64> {
    let mut at = Instance::new();
    for (i, &s) in syms.iter().enumerate() {
        at.values.insert(s, Dense::scalar(value(i as u64)));
    }
    at
}

/// The values of `e` at the check point, or a note saying why there are none.
fn check_values(pool: &Pool, e: Id, syms: &[SymbolId]) -> Result<Vec<f64>, String> {
    evaluate(pool, e, &point(syms, point_value))
        .map(|d| d.data)
        .map_err(|err| format!("numeric check skipped: {err}"))
}

fn rosenbrock_task(n: usize, repeats: usize, check: bool, second: bool) -> Outcome {
    if n < 2 {
        return Err("Rosenbrock needs n ≥ 2".into());
    }
    let (mut pool, f, syms, xs) = workloads::rosenbrock(n);
    // The scaling table goes past the default node limit (20 M nodes, a guard against hostile
    // input): the gradient at n = 2·10⁶ builds 38 M.
    pool.limits.max_nodes = usize::MAX;
    let (r, p, times) = timed(&pool, repeats, |p| {
        let r = if second {
            hessian(p, f, &xs)
        } else {
            gradient(p, f, &xs)
        };
        r.map_err(|e| e.to_string())
    })?;
    Ok(differentiated(
        &pool,
        f,
        &p,
        r,
        &times,
        check.then_some(&syms[..]),
    ))
}

fn composition_task(depth: usize, repeats: usize, check: bool) -> Outcome {
    let (pool, f, s, x) = workloads::composition(depth);
    let (r, p, times) = timed(&pool, repeats, |p| {
        gradient(p, f, &[x]).map_err(|e| e.to_string())
    })?;
    Ok(differentiated(
        &pool,
        f,
        &p,
        r,
        &times,
        check.then_some(&[s][..]),
    ))
}

/// The report of a differentiation task: times, result and input sizes, and (when `check` has
/// the symbols) the result's values at the check point, or why they could not be computed.
fn differentiated(
    pool: &Pool,
    f: Id,
    p: &Pool,
    r: Id,
    times: &[f64],
    check: Option<&[SymbolId]>,
) -> Value {
    let mut notes = Vec::new();
    let fp = match check.map(|syms| check_values(p, r, syms)) {
        Some(Ok(v)) => fingerprint(&v),
        Some(Err(e)) => {
            notes.push(e);
            Value::Null
        }
        None => Value::Null,
    };
    report(
        times,
        dag_size(p, &[r]),
        Some(dag_size(pool, &[f])),
        fp,
        notes,
    )
}

/// splitmix64: the rational check point of the expansion task (same in `peers.py`).
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The i-th coordinate of the rational point: (r mod 19 − 9) / (2 + (r ≫ 32) mod 7).
fn rational_point(k: usize) -> Vec<(i64, i64)> {
    let mut state = 8u64;
    (0..k)
        .map(|_| {
            let r = splitmix(&mut state);
            ((r % 19) as i64 - 9, 2 + ((r >> 32) % 7) as i64)
        })
        .collect()
}

fn expand_task(k: usize, p: usize, repeats: usize) -> Outcome {
    if k == 0 || p == 0 {
        return Err("expansion needs k, p ≥ 1".into());
    }
    let (pool, e, syms) = workloads::power_of_sum(k, p as i64);
    let (r, p_out, times) = timed(&pool, repeats, |pl| {
        expand(pl, e, EXPAND_BUDGET).map_err(|err| err.to_string())
    })?;
    let terms = match p_out.node(r) {
        Node::Add(children) => children.len(),
        _ => 1,
    };
    let mut at = Instance::new();
    for (&s, (num, den)) in syms.iter().zip(rational_point(k)) {
        at.values.insert(s, Dense::scalar(Number::ratio(num, den)));
    }
    let mut notes = Vec::new();
    let value = match evaluate::<Number>(&p_out, r, &at) {
        Ok(v) => match v.data.first() {
            Some(n) => json!({"exact": format!("{}/{}", n.numer(), n.denom()), "f64": n.to_f64()}),
            None => Value::Null,
        },
        Err(err) => {
            notes.push(format!("numeric check skipped: {err}"));
            Value::Null
        }
    };
    let mut out = report(
        &times,
        dag_size(&p_out, &[r]),
        Some(dag_size(&pool, &[e])),
        json!({ "terms": terms, "value": value }),
        notes,
    );
    out["terms"] = json!(terms);
    Ok(out)
}

/// A matrix-calculus derivation read from text: only the differentiation (`Document::evaluate`,
/// which also puts the result in textbook form) is the timed figure; reading (parse, lower,
/// shape inference) is timed separately and reported in `parse_median_s`. The result is
/// evaluated at concrete sizes with Weyl values assigned to `values` in order (row-major).
fn matrix_task(
    decls: &str,
    source: &str,
    kind: DerivativeKind,
    values: &[(&str, usize, usize)],
    repeats: usize,
) -> Outcome {
    let options = ReadOptions {
        declarations: Some(decls.to_string()),
        ..ReadOptions::default()
    };
    let mut parse_times = Vec::new();
    let mut times = Vec::new();
    let mut last = None;
    let mut total = 0.0;
    // Sub-millisecond work: many repeats give a stable median.
    let repeats = repeats.max(1) * 100;
    for _ in 0..repeats {
        let start = Instant::now();
        let (mut doc, id) = Document::read_derivative(source, kind, "x", None, &options)
            .map_err(|e| e.diagnostic.message.clone())?;
        let read = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let r = doc.evaluate(id).map_err(|e| e.to_string())?;
        let t = start.elapsed().as_secs_f64();
        parse_times.push(read);
        times.push(t);
        total += read + t;
        last = Some((doc, r));
        if total > REPEAT_BUDGET_S {
            break;
        }
    }
    let (doc, r) = last.ok_or("no repeat ran")?;
    let pool = doc.pool();
    let text = nabla::print::print(pool, r, &nabla::print::PrintOptions::unicode());
    let mut at = Instance::new();
    let mut k = 0u64;
    for &(name, rows, cols) in values {
        let s = pool.lookup(name).ok_or(format!("no symbol {name}"))?;
        let data: Vec<f64> = (0..rows * cols)
            .map(|_| {
                k += 1;
                point_value(k - 1)
            })
            .collect();
        let d = Dense::from_vec(rows, cols, data).ok_or("bad shape")?;
        at.values.insert(s, d);
        if name == "A" {
            at.dims.insert("m".into(), rows as u64);
            at.dims.insert("n".into(), cols as u64);
        }
    }
    let mut notes = vec![format!("result: {text}")];
    let fp = match evaluate(pool, r, &at) {
        Ok(v) => fingerprint(&v.data),
        Err(e) => {
            notes.push(format!("numeric check skipped: {e}"));
            Value::Null
        }
    };
    let mut out = report(&times, dag_size(pool, &[r]), None, fp, notes);
    out["parse_median_s"] = json!(median(&parse_times));
    out["result"] = json!(text);
    Ok(out)
}

/// The Rosenbrock gradient (built once, not timed) compiled once (timed separately, reported in
/// the notes) and evaluated at `points` points with [`Program::run_batch`](nabla::numeric::Program::run_batch),
/// in chunks of [`EVAL_CHUNK`] points whose coordinates are generated outside the timed region
/// (as jax's array is). Stops after [`EVAL_BUDGET_S`] and extrapolates linearly.
fn eval_task(n: usize, points: usize) -> Outcome {
    if n < 2 || points == 0 {
        return Err("needs n ≥ 2 and at least one point".into());
    }
    let (pool, f, syms, xs) = workloads::rosenbrock(n);
    let mut p = pool.clone();
    let g = gradient(&mut p, f, &xs).map_err(|e| e.to_string())?;
    let compile_start = Instant::now();
    let mut program = compile(&p, &[g], &syms, &Instance::new()).map_err(|e| e.to_string())?;
    let compile_s = compile_start.elapsed().as_secs_f64();
    let mut first = Vec::new();
    let mut total_sum = 0.0;
    let mut total_abs = 0.0;
    let mut done = 0usize;
    let mut elapsed = 0.0;
    // Coordinate i of all points of the chunk, point after point.
    let mut columns = vec![Vec::new(); n];
    let mut outputs = Vec::new();
    while done < points && elapsed <= EVAL_BUDGET_S {
        let chunk = EVAL_CHUNK.min(points - done);
        for (i, column) in columns.iter_mut().enumerate() {
            column.clear();
            column.extend(
                (done..done + chunk)
                    .map(|q| 0.25 + 1.5 * weyl((q * n + i) as u64 + 1, ALPHA_POINT)),
            );
        }
        let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let start = Instant::now();
        program
            .run_batch(chunk, &inputs, &mut outputs)
            .map_err(|e| e.to_string())?;
        elapsed += start.elapsed().as_secs_f64();
        let out = outputs.first().map_or(&[][..], Vec::as_slice);
        for x in out {
            total_sum += x;
            total_abs += x.abs();
        }
        if done == 0 {
            first = out.get(..n).unwrap_or(&[]).to_vec();
        }
        done += chunk;
    }
    let mut notes = vec![format!(
        "compiled: nabla::numeric::compile once ({compile_s:.3} s, not timed), then \
         Program::run_batch on {EVAL_CHUNK}-point chunks"
    )];
    let time = if done < points {
        notes.push(format!(
            "stopped after {done} of {points} points ({elapsed:.1} s); time extrapolated linearly"
        ));
        elapsed * points as f64 / done as f64
    } else {
        elapsed
    };
    let mut fp = fingerprint(&first);
    fp["points_evaluated"] = json!(done);
    fp["total_sum"] = json!(total_sum);
    fp["total_abs_sum"] = json!(total_abs);
    Ok(report(
        &[time],
        dag_size(&p, &[g]),
        Some(dag_size(&pool, &[f])),
        fp,
        notes,
    ))
}

/// Peak resident memory of this process in kB (`VmHWM` of `/proc/self/status`), if readable.
fn vmhwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
