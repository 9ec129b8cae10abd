//! Compiled evaluation against the interpreter: random well-shaped expressions (the fuzz crate's
//! recipe generator) and their gradients compiled, run at random points and compared with
//! `numeric::evaluate`; and batch evaluation bit-for-bit equal to running point by point.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use nabla::document::Document;
use nabla::expr::{Assumptions, Id, Number, Pool, Shape, SymbolId, SymbolOrigin};
use nabla::numeric::{compile, evaluate, Dense, Instance, Program};
use proptest::prelude::*;

/// splitmix64: a deterministic stream of values from a seed.
fn next(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 3.0 - 1.5
}

fn random(rows: usize, cols: usize, state: &mut u64) -> Dense<f64> {
    Dense::from_fn(rows, cols, |_, _| next(state)).expect("small")
}

/// Runs `program` at every point (one value per variable each) and in one batch; checks each
/// run against the interpreter and the batch against the runs, bit for bit.
fn agree(
    pool: &Pool,
    program: &mut Program,
    outputs: &[Id],
    data: &Instance<f64>,
    variables: &[SymbolId],
    points: &[Vec<Dense<f64>>],
) -> Result<(), TestCaseError> {
    let mut runs = Vec::new();
    for point in points {
        let values: Vec<&[f64]> = point.iter().map(|v| v.data.as_slice()).collect();
        let mut at = data.clone();
        for (&s, v) in variables.iter().zip(point) {
            at.values.insert(s, v.clone());
        }
        let run = program.run(&values);
        if run.is_ok() {
            for (k, &id) in outputs.iter().enumerate() {
                let Ok(want) = evaluate(pool, id, &at) else {
                    continue;
                };
                prop_assert_eq!(program.output_shape(k), want.shape());
                for (u, v) in program.output(k).iter().zip(&want.data) {
                    prop_assert!(
                        (u - v).abs() <= 1e-9 * (1.0 + v.abs()),
                        "output {}: compiled {} vs interpreted {}",
                        k,
                        u,
                        v
                    );
                }
            }
            runs.push(
                (0..outputs.len())
                    .map(|k| program.output(k).to_vec())
                    .collect::<Vec<_>>(),
            );
        } else {
            runs.clear();
            break;
        }
    }
    // The batch: variable k's values at all points, one point after the other.
    let columns: Vec<Vec<f64>> = (0..variables.len())
        .map(|k| {
            points
                .iter()
                .flat_map(|p| p[k].data.iter().copied())
                .collect()
        })
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut batch = Vec::new();
    let result = program.run_batch(points.len(), &inputs, &mut batch);
    if runs.len() < points.len() {
        prop_assert!(result.is_err(), "the batch succeeds where a run fails");
        return Ok(());
    }
    prop_assert!(
        result.is_ok(),
        "the batch fails where every run succeeds: {:?}",
        result
    );
    for (p, run) in runs.iter().enumerate() {
        for (k, want) in run.iter().enumerate() {
            let got = &batch[k][p * want.len()..(p + 1) * want.len()];
            let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(got), bits(want), "output {} at point {}", k, p);
        }
    }
    Ok(())
}

proptest! {
    // 300 cases by default; PROPTEST_CASES=… for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    /// A random expression and its gradient in the scalars s, t, compiled with s, t (and x when
    /// `with_vector`) as variables, agree with the interpreter at 20 random points.
    #[test]
    fn compiled_random_expressions_agree_with_the_interpreter(
        data in proptest::collection::vec(any::<u8>(), 1..200),
        with_vector in any::<bool>(),
    ) {
        let mut bytes = fuzz::Bytes::new(&data);
        let shape = fuzz::shape(&mut bytes);
        let recipe = fuzz::gen(shape, 4, &mut bytes);
        let mut doc = Document::read("0", &fuzz::options()).expect("declarations");
        let pool = &mut doc.lowered.pool;
        let e = fuzz::build(pool, &recipe).expect("declared symbols");
        let sym = |pool: &Pool, name: &str| pool.lookup(name).expect("declared");
        let (s, t, x) = (sym(pool, "s"), sym(pool, "t"), sym(pool, "x"));
        let mut outputs = vec![e];
        if pool.is_scalar(e) {
            let vars = [pool.symbol_expr(s), pool.symbol_expr(t)];
            if let Ok(g) = nabla::diff::gradient(pool, e, &vars) {
                outputs.push(g);
            }
        }
        let (m, n) = (2usize, 3usize);
        let mut state = data.iter().fold(7u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut inst = Instance::<f64>::new().with_dim("m", m as u64).with_dim("n", n as u64);
        for (name, r, c) in [("A", m, n), ("B", n, n), ("y", m, 1)] {
            inst.values.insert(sym(pool, name), random(r, c, &mut state));
        }
        let half = random(n, n, &mut state);
        let sym_s = Dense::from_fn(n, n, |i, j| half.data[i * n + j] + half.data[j * n + i]).expect("S");
        inst.values.insert(sym(pool, "S"), sym_s);
        let mut variables = vec![s, t];
        if with_vector {
            variables.push(x);
        } else {
            inst.values.insert(x, random(n, 1, &mut state));
        }
        let Ok(mut program) = compile(pool, &outputs, &variables, &inst) else {
            return Ok(());
        };
        let points: Vec<Vec<Dense<f64>>> = (0..20)
            .map(|_| {
                let mut p = vec![Dense::scalar(next(&mut state)), Dense::scalar(next(&mut state))];
                if with_vector {
                    p.push(random(n, 1, &mut state));
                }
                p
            })
            .collect();
        let printed: Vec<String> = outputs
            .iter()
            .map(|&o| nabla::print::print(pool, o, &nabla::print::PrintOptions::unicode()))
            .collect();
        agree(pool, &mut program, &outputs, &inst, &variables, &points)
            .map_err(|e| TestCaseError::fail(format!("{e} in {printed:?}")))?;
    }
}

/// ∑ 100(x_{i+1} − x_i²)² + (1 − x_i)² over n scalar variables.
fn rosenbrock(pool: &mut Pool, n: usize) -> (Id, Vec<SymbolId>, Vec<Id>) {
    let syms: Vec<SymbolId> = (1..=n)
        .map(|i| {
            pool.declare(
                &format!("x_{i}"),
                Shape::scalar(),
                Assumptions::default(),
                SymbolOrigin::Declared,
            )
            .expect("fresh")
        })
        .collect();
    let xs: Vec<Id> = syms.iter().map(|&s| pool.symbol_expr(s)).collect();
    let one = pool.int(1);
    let mut terms = Vec::new();
    for i in 0..n - 1 {
        let sq = pool.powi(xs[i], 2);
        let d = pool.sub(xs[i + 1], sq);
        let d2 = pool.powi(d, 2);
        terms.push(pool.scale(Number::int(100), d2));
        let e = pool.sub(one, xs[i]);
        terms.push(pool.powi(e, 2));
    }
    (pool.add(&terms), syms, xs)
}

#[test]
fn batch_rosenbrock_gradient_matches_the_hand_written_one() {
    let (n, points) = (30usize, 37usize);
    let mut pool = Pool::new();
    let (f, syms, xs) = rosenbrock(&mut pool, n);
    let g = nabla::diff::gradient(&mut pool, f, &xs).expect("gradient");
    let mut program = compile(&pool, &[f, g], &syms, &Instance::new()).expect("compiles");
    let mut state = 3u64;
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..points).map(|_| next(&mut state)).collect())
        .collect();
    let inputs: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    program.run_batch(points, &inputs, &mut out).expect("runs");
    assert_eq!(out.len(), 2);
    assert_eq!((out[0].len(), out[1].len()), (points, points * n));
    for p in 0..points {
        let x: Vec<f64> = columns.iter().map(|c| c[p]).collect();
        let (mut f, mut grad) = (0.0, vec![0.0; n]);
        for i in 0..n - 1 {
            let (d, e) = (x[i + 1] - x[i] * x[i], 1.0 - x[i]);
            f += 100.0 * d * d + e * e;
            grad[i] += -400.0 * x[i] * d - 2.0 * e;
            grad[i + 1] += 200.0 * d;
        }
        assert!((out[0][p] - f).abs() <= 1e-10 * (1.0 + f.abs()), "f at {p}");
        for (a, b) in out[1][p * n..(p + 1) * n].iter().zip(&grad) {
            assert!(
                (a - b).abs() <= 1e-10 * (1.0 + b.abs()),
                "{a} vs {b} at {p}"
            );
        }
    }
}

#[test]
fn batch_checks_sizes_and_domain() {
    let mut pool = Pool::new();
    let (f, syms, _) = rosenbrock(&mut pool, 3);
    let mut program = compile(&pool, &[f], &syms, &Instance::new()).expect("compiles");
    let mut out = Vec::new();
    let short: &[f64] = &[1.0];
    assert!(program
        .run_batch(2, &[short, &[1.0, 2.0], &[1.0, 2.0]], &mut out)
        .is_err());
    assert!(program.run_batch(2, &[&[1.0, 2.0]], &mut out).is_err());
    let x = pool.symbol_expr(syms[0]);
    let log = pool.apply(nabla::expr::Func::Log, &[x]);
    let mut program = compile(&pool, &[log], &syms[..1], &Instance::new()).expect("compiles");
    assert!(program.run_batch(20, &[&[1.0; 20]], &mut out).is_ok());
    let mut values = [1.0; 20];
    values[18] = -1.0;
    assert!(program.run_batch(20, &[&values], &mut out).is_err());
    assert!(program.run_batch(0, &[&[]], &mut out).is_ok());
    assert_eq!(out, vec![Vec::<f64>::new()]);
}

/// Selections of stretches (`Px`, `Sᵀx`), vectors placed in longer ones (`Pᵀv`, `Sv`: read in
/// place, zeros around them, their ends inside the chunks fused steps run over) and sums that
/// negate other sums (`Qx − 𝟙` beside `𝟙 − Qx`): compiled at sizes where all of these apply, the
/// results agree with the interpreter.
#[test]
fn selections_placements_and_negated_sums_agree_with_the_interpreter() {
    let text = "let P: ℝ^(k×n), Q: ℝ^(k×n), S: ℝ^(n×m), x: ℝ^n
f(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²
g(x) = Pᵀ(Qx − 𝟙) − Qᵀ(𝟙 − Qx) + 3Pᵀ((Px) ⊙ (Qx)) + S sin(Sᵀx) − 2S(Sᵀx − 𝟙)
h(x) = x ⊙ (S(Sᵀx)) + exp(S(Sᵀx)) + (xᵀx)S(𝟙 − Sᵀx) + ‖S(Sᵀx) − x‖²x
";
    let (n, m) = (700usize, 300usize);
    let k = n - 1;
    let mut doc = Document::read(text, &Default::default()).expect("valid");
    let pool = &mut doc.lowered.pool;
    let body = |name: &str| doc.lowered.functions[name].body;
    let (f, g, h) = (body("f"), body("g"), body("h"));
    let x = pool.lookup("x").expect("declared");
    let xe = pool.symbol_expr(x);
    let grad = nabla::diff::gradient(pool, f, &[xe]).expect("gradient");
    let outputs = [f, grad, g, h];
    let mut data = Instance::<f64>::new()
        .with_dim("n", n as u64)
        .with_dim("k", k as u64)
        .with_dim("m", m as u64);
    let unit = |rows, cols, at: fn(usize, usize) -> bool| {
        Dense::from_fn(rows, cols, |i, j| if at(i, j) { 1.0 } else { 0.0 }).expect("matrix")
    };
    for (name, value) in [
        ("P", unit(k, n, |i, j| i == j)),
        ("Q", unit(k, n, |i, j| i + 1 == j)),
        ("S", unit(n, m, |i, j| i == j + 100)),
    ] {
        data.values
            .insert(pool.lookup(name).expect("declared"), value);
    }
    let mut program = compile(pool, &outputs, &[x], &data).expect("compiles");
    let mut state = 11u64;
    let points: Vec<Vec<Dense<f64>>> = (0..3).map(|_| vec![random(n, 1, &mut state)]).collect();
    agree(pool, &mut program, &outputs, &data, &[x], &points).expect("agree");
}
