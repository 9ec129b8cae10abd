//! Numeric statements on checked derivations: textbook numbers for gradient descent, Newton,
//! momentum, exact critical points and classification, claimed gradients (verified and wrong),
//! and bad input, through the library and the `nabla` binary.

use nabla::check::numeric_statements::{
    ClaimedOutcome, DescendReport, GradientSource, NumericError, NumericReport, Outcome,
};
use nabla::check::{check_program_with, CheckOptions, NumericOptions, StatementReport};
use nabla::document::{Document, ReadOptions};
use nabla::expr::Number;
use nabla::numeric::analysis::PointKind;
use nabla::numeric::critical::Critical;
use nabla::numeric::descent::{Method, Stop};
use nabla::numeric::{compile, evaluate, Dense, Instance};
use std::process::Command;

fn reports(text: &str, options: &NumericOptions) -> Vec<NumericReport> {
    let mut doc = Document::read(text, &ReadOptions::default()).expect("valid file");
    let report = check_program_with(
        &mut doc.lowered,
        &CheckOptions::default(),
        options,
        &mut |_, _| {},
    );
    report
        .statements
        .into_iter()
        .filter_map(|s| match s {
            StatementReport::Numeric(n) => Some(*n),
            StatementReport::Claim(_) | StatementReport::Unreadable { .. } => None,
        })
        .collect()
}

fn descent(text: &str) -> DescendReport {
    let r = reports(text, &NumericOptions::default());
    match r.into_iter().next().map(|r| r.outcome) {
        Some(Ok(Outcome::Descend(d))) => *d,
        other => panic!("expected a descent, got {other:?}"),
    }
}

fn nabla(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .output()
        .expect("the binary runs");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (text, out.status.code().unwrap_or(-1))
}

const BOWL: &str = "let x: ℝ^2
f(x) = (x₁ − 1)² + 4(x₂ + 2)²
claim ∇f(x) = [2x₁ − 2; 8x₂ + 16]
descend f from x = [0; 0] using gd(step = 0.1, iters = 10)
";

#[test]
fn bowl_matches_the_closed_form_of_gradient_descent() {
    let d = descent(BOWL);
    // x₁ − 1 shrinks by 1 − 0.1·2 = 0.8 per step, x₂ + 2 by 1 − 0.1·8 = 0.2.
    let x1 = 1.0 - 0.8f64.powi(10);
    let x2 = -2.0 + 2.0 * 0.2f64.powi(10);
    assert!((d.run.last_x[0] - x1).abs() < 1e-12, "{:?}", d.run.last_x);
    assert!((d.run.last_x[1] - x2).abs() < 1e-12, "{:?}", d.run.last_x);
    assert!((x1 - 0.8926258176).abs() < 1e-11 && (x2 + 1.9999997952).abs() < 1e-11);
    assert_eq!(d.run.iterations(), 10);
    assert_eq!(d.run.stop, Stop::MaxIterations);
    assert!(matches!(d.gradient, GradientSource::Verified(_)));
    let last = d.run.last().expect("iterates");
    let f = (x1 - 1.0).powi(2) + 4.0 * (x2 + 2.0).powi(2);
    assert!((last.f - f).abs() < 1e-15);
    let g = ((2.0 * x1 - 2.0).powi(2) + (8.0 * x2 + 16.0).powi(2)).sqrt();
    assert!((last.grad_norm - g).abs() < 1e-12);
    let end = d.end.expect("Hessian at the end");
    assert_eq!(end.eigenvalues, vec![2.0, 8.0]);
    assert_eq!(end.stable_step, Some(0.25));
}

#[test]
fn bowl_prints_the_issue_line() {
    let (out, code) = nabla(&["check", "tests/numeric/bowl.nabla"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("using the gradient claimed on line 4, which is verified"),
        "{out}"
    );
    assert!(
        out.contains(
            "gd  step 0.1  10 iterations   x = [0.8926258176; −1.9999997952]   f = 0.01152"
        ),
        "{out}"
    );
    assert!(out.contains("‖∇f‖ = 0.2147483648"), "{out}");
    assert!(out.contains("eigenvalues 2, 8; condition number 4; largest stable step 2/λmax = 0.25"));
}

#[test]
fn critical_point_is_found_exactly_and_classified() {
    let text =
        "let x: ℝ^2\nf(x) = 2x₁² + x₂² + x₁x₂ − 6x₁ − 5x₂\ncritical f\nclassify f at x = [1; 2]\n";
    let r = reports(text, &NumericOptions::default());
    let Some(Ok(Outcome::Critical(c))) = r.first().map(|r| r.outcome.clone()) else {
        panic!("critical report expected: {r:?}");
    };
    let Critical::Point { x, hessian } = &c.result else {
        panic!("a unique point expected: {:?}", c.result);
    };
    assert_eq!(x, &vec![Number::int(1), Number::int(2)]);
    // ∇ = [4x₁ + x₂ − 6; x₁ + 2x₂ − 5] vanishes there, and H = [4 1; 1 2].
    assert_eq!(hessian.data, [4, 1, 1, 2].map(Number::int).to_vec());
    assert_eq!(c.f, Some(Number::int(-8)));
    assert_eq!(
        c.analysis.as_ref().map(|a| a.kind),
        Some(PointKind::Minimum)
    );
    let Some(Ok(Outcome::Classify(k))) = r.get(1).map(|r| r.outcome.clone()) else {
        panic!("classify report expected");
    };
    assert_eq!(k.analysis.kind, PointKind::Minimum);
    // Eigenvalues of [4 1; 1 2]: 3 ∓ √2.
    let s2 = 2f64.sqrt();
    assert!((k.analysis.eigenvalues[0] - (3.0 - s2)).abs() < 1e-12);
    assert!((k.analysis.eigenvalues[1] - (3.0 + s2)).abs() < 1e-12);
    assert!((k.f + 8.0).abs() < 1e-12);
}

#[test]
fn origin_of_x1_squared_minus_x2_squared_is_a_saddle() {
    let (out, code) = nabla(&["check", "tests/numeric/saddle.nabla"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("x = [0; 0] is a saddle"), "{out}");
    assert!(out.contains("eigenvalues −2, 2"), "{out}");
    let text = std::fs::read_to_string("tests/numeric/saddle.nabla").expect("file");
    let r = reports(&text, &NumericOptions::default());
    let Some(Ok(Outcome::Classify(c))) = r.first().map(|r| r.outcome.clone()) else {
        panic!("classify expected");
    };
    assert_eq!(c.analysis.kind, PointKind::Saddle);
    assert_eq!(c.analysis.eigenvalues, vec![-2.0, 2.0]);
    assert_eq!(
        c.analysis.eigenvectors,
        vec![vec![0.0, 1.0], vec![1.0, 0.0]]
    );
}

#[test]
fn newton_reaches_the_minimum_of_a_positive_definite_quadratic_in_one_step() {
    let d = descent(&std::fs::read_to_string("tests/numeric/newton.nabla").expect("file"));
    assert_eq!(d.run.stop, Stop::Converged);
    assert_eq!(d.run.iterations(), 1);
    // ∇ = [6x₁ + 2x₂ − 4; 2x₁ + 2x₂ + 1] = 0 at x = [5/4; −7/4].
    assert!((d.run.last_x[0] - 1.25).abs() < 1e-12 && (d.run.last_x[1] + 1.75).abs() < 1e-12);
    assert!(d.run.notes.is_empty());
}

fn quadratic(kappa: u32, method: &str) -> DescendReport {
    descent(&format!(
        "let x: ℝ^2\nf(x) = ½(x₁² + {kappa}x₂²)\ndescend f from x = [1; 1] using {method}\n"
    ))
}

#[test]
fn gradient_descent_needs_about_kappa_log_one_over_epsilon_iterations_and_newton_one() {
    for kappa in [10u32, 100, 1000] {
        let k = f64::from(kappa);
        let gd = quadratic(
            kappa,
            &format!("gd(step = {}, iters = 1000000, tol = 0.000001)", 1.0 / k),
        );
        assert_eq!(gd.run.stop, Stop::Converged);
        // With step 1/L the slow direction shrinks by 1 − 1/κ per step.
        let predicted = k * (1.0 / 1e-6f64).ln();
        let ratio = gd.run.iterations() as f64 / predicted;
        assert!(
            (0.5..1.5).contains(&ratio),
            "κ = {kappa}: {} iterations",
            gd.run.iterations()
        );
        let newton = quadratic(kappa, "newton(tol = 0.000001)");
        assert_eq!(newton.run.iterations(), 1, "κ = {kappa}");
        assert_eq!(newton.run.stop, Stop::Converged);
    }
}

#[test]
fn momentum_beats_plain_gradient_descent_on_an_ill_conditioned_quadratic() {
    let gd = quadratic(100, "gd(step = 0.01, iters = 100000, tol = 0.000001)");
    // Heavy ball with its textbook parameters: ε = 4/(√L + √μ)², γ = ((√κ − 1)/(√κ + 1))².
    let momentum = quadratic(
        100,
        "momentum(step = 0.03305785124, γ = 0.6694214876, iters = 100000, tol = 0.000001)",
    );
    let nesterov = quadratic(
        100,
        "nesterov(step = 0.01, γ = 0.8181818182, iters = 100000, tol = 0.000001)",
    );
    for r in [&gd, &momentum, &nesterov] {
        assert_eq!(r.run.stop, Stop::Converged);
        assert!(r.run.last_x.iter().all(|v| v.abs() < 1e-5));
    }
    assert!(
        momentum.run.iterations() * 5 < gd.run.iterations(),
        "{} vs {}",
        momentum.run.iterations(),
        gd.run.iterations()
    );
    assert!(nesterov.run.iterations() * 3 < gd.run.iterations());
    assert!(matches!(
        momentum.run.settings.method,
        Method::Momentum { .. }
    ));
}

#[test]
fn exact_steps_solve_quadratics_and_say_when_f_is_not_one() {
    let d = quadratic(20, "exact");
    assert_eq!(d.run.stop, Stop::Converged);
    assert!(d.run.notes.is_empty());
    let r =
        descent("let x, y: ℝ\nf(x, y) = x⁴ + y² + x²\ndescend f from x = 1, y = 1 using exact\n");
    assert_eq!(
        r.run.notes,
        vec![nabla::numeric::descent::Note::NotQuadratic]
    );
}

#[test]
fn rosenbrock_with_line_search_makes_progress_and_reports_honestly() {
    // A copy of the corpus file p07-rosenbrock-2d.nabla.
    let text = std::fs::read_to_string("tests/numeric/rosenbrock.nabla").expect("the file");
    let r = reports(&text, &NumericOptions::default());
    let Some(Ok(Outcome::Classify(c))) = r.first().map(|r| r.outcome.clone()) else {
        panic!("classify first");
    };
    assert_eq!(c.analysis.kind, PointKind::Minimum);
    // H = [802 −400; −400 200]: λ = 501 ∓ √(301² + 400²).
    let root = (301.0f64 * 301.0 + 400.0 * 400.0).sqrt();
    assert!((c.analysis.eigenvalues[0] - (501.0 - root)).abs() < 1e-9);
    let Some(Ok(Outcome::Descend(d))) = r.get(1).map(|r| r.outcome.clone()) else {
        panic!("descend second");
    };
    assert!(matches!(d.gradient, GradientSource::Verified(_)));
    assert_eq!(d.run.settings.method, Method::LineSearch);
    let f0 = d.run.iterates[0].f;
    assert!((f0 - 24.2).abs() < 1e-12);
    let last = d.run.last().expect("iterates");
    assert!(last.f < 0.01 * f0, "f = {}", last.f);
    assert!(matches!(d.run.stop, Stop::Converged | Stop::MaxIterations));
    let (out, code) = nabla(&["check", "tests/numeric/rosenbrock.nabla"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("stopped at the iteration limit 1000"), "{out}");
    assert!(out.contains("x = 1, y = 1 is a minimum"), "{out}");
}

/// (AᵀA)⁻¹Aᵀb by nalgebra.
fn normal_equations(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let m = b.len();
    let a = nalgebra::DMatrix::from_row_slice(m, n, a);
    let b = nalgebra::DVector::from_column_slice(b);
    let ata = a.transpose() * &a;
    let x = ata
        .cholesky()
        .expect("full rank")
        .solve(&(a.transpose() * b));
    x.iter().copied().collect()
}

#[test]
fn least_squares_reaches_the_normal_equations_solution() {
    for b in ["[1; 2; 3]", "[1; 0; 2]"] {
        let d = descent(&format!(
            "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇f(x) = Aᵀ(Ax − b)\n\
             descend f from x = 0 with A = [1 2; 3 4; 5 6], b = {b} using gd(step = 0.02, iters = 20000)\n"
        ));
        let bv: Vec<f64> = b
            .trim_matches(['[', ']'])
            .split(';')
            .map(|t| t.trim().parse().expect("number"))
            .collect();
        let x = normal_equations(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &bv, 2);
        assert_eq!(d.run.stop, Stop::Converged, "{b}");
        assert!(matches!(d.gradient, GradientSource::Verified(_)));
        for (got, want) in d.run.last_x.iter().zip(&x) {
            assert!(
                (got - want).abs() < 1e-7,
                "{b}: {:?} vs {x:?}",
                d.run.last_x
            );
        }
    }
}

#[test]
fn the_notation_example_step_is_beyond_two_over_lambda_max_and_diverges_clearly() {
    // λmax(AᵀA) ≈ 90.74 for A = [1 2; 3 4; 5 6], so step 0.05 > 2/λmax ≈ 0.022.
    let (out, code) = nabla(&["check", "tests/numeric/least-squares.nabla"]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("warning: the step 0.05 exceeds 2/λmax = 0.02204209061"),
        "{out}"
    );
    assert!(out.contains("DIVERGED at iteration"), "{out}");
    assert!(out.contains("∇f = 0 exactly at x = [0; 1/2]"), "{out}");
    assert!(!out.to_lowercase().contains("nan"), "{out}");
}

#[test]
fn a_wrong_claimed_gradient_is_run_and_its_behaviour_reported() {
    let (out, code) = nabla(&["check", "tests/numeric/bowl-wrong.nabla"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is WRONG"), "{out}");
    assert!(out.contains("x = [0.8926258176; −1.9999997952]"), "{out}");
    assert!(
        out.contains("with the claimed gradient, gd  step 0.1 stalls"),
        "{out}"
    );
    let base = "let x: ℝ^2\nf(x) = (x₁ − 1)² + 4(x₂ + 2)²\n";
    let half = descent(&format!("{base}claim ∇f(x) = [x₁ − 1; 4x₂ + 8]\ndescend f from x = [0; 0] using gd(step = 0.1, iters = 10)\n"));
    let Some(ClaimedOutcome::Stalls { distance, f, .. }) =
        half.claimed.as_ref().map(|c| c.outcome.clone())
    else {
        panic!("stalls expected: {:?}", half.claimed);
    };
    // Half the gradient: x₁ − 1 shrinks by 0.9, x₂ + 2 by 0.6 per step.
    let (x1, x2) = (1.0 - 0.9f64.powi(10), -2.0 + 2.0 * 0.6f64.powi(10));
    assert!((f - ((x1 - 1.0).powi(2) + 4.0 * (x2 + 2.0).powi(2))).abs() < 1e-12);
    let right = (1.0 - 0.8f64.powi(10), -2.0 + 2.0 * 0.2f64.powi(10));
    assert!((distance - ((x1 - right.0).powi(2) + (x2 - right.1).powi(2)).sqrt()).abs() < 1e-12);
    let steep = descent(&format!("{base}claim ∇f(x) = [2x₁ − 2; 80x₂ + 160]\ndescend f from x = [0; 0] using gd(step = 0.1, iters = 100)\n"));
    assert!(matches!(
        steep.claimed.map(|c| c.outcome),
        Some(ClaimedOutcome::Diverges { .. })
    ));
    let shifted = descent(&format!("{base}claim ∇f(x) = [2x₁; 8x₂ + 16]\ndescend f from x = [0; 0] using gd(step = 0.1, iters = 500)\n"));
    let Some(ClaimedOutcome::DifferentPoint {
        distance,
        grad_norm,
    }) = shifted.claimed.map(|c| c.outcome)
    else {
        panic!("a different point expected");
    };
    assert!((distance - 1.0).abs() < 1e-6 && (grad_norm - 2.0).abs() < 1e-6);
}

#[test]
fn a_claim_at_a_point_is_not_taken_for_the_gradient() {
    let d = descent(
        "let x: ℝ^2\nf(x) = (x₁ − 1)² + 4(x₂ + 2)²\nclaim ∇f(x) = [−2; 16] at x = [0; 0]\n\
         descend f from x = [0; 0] using gd(step = 0.1, iters = 10)\n",
    );
    assert_eq!(d.gradient, GradientSource::Own);
    assert!((d.run.last_x[0] - (1.0 - 0.8f64.powi(10))).abs() < 1e-12);
}

#[test]
fn functions_unbounded_below_are_reported_as_divergent() {
    let d = descent(
        "let a, b: ℝ\nk(a, b) = a² − b² + a⁴\ndescend k from a = 1, b = 0.5 using newton\n",
    );
    assert!(matches!(
        d.run.notes.first(),
        Some(nabla::numeric::descent::Note::IndefiniteHessian { .. })
    ));
    let Stop::Diverged { reason, .. } = &d.run.stop else {
        panic!("divergence expected: {:?}", d.run.stop);
    };
    assert!(reason.contains("unbounded below"), "{reason}");
    let failed = descent("let a, b: ℝ\nh(a, b) = log(a) + b²\ndescend h from a = 1, b = 1 using gd(step = 2, iters = 50)\n");
    assert!(matches!(failed.run.stop, Stop::Failed { iteration: 1, .. }));
    // The reported point is the last one where f was defined.
    assert_eq!(failed.run.last_x, vec![1.0, 1.0]);
}

#[test]
fn bad_input_is_named_and_never_printed_as_nan() {
    let (out, code) = nabla(&["check", "tests/numeric/missing-data.nabla"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no data for A (ℝ^(m×n))"), "{out}");
    let (out, code) = nabla(&["check", "tests/numeric/bad-step.nabla"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("DIVERGED at iteration 21"), "{out}");
    let (out, code) = nabla(&["check", "tests/numeric/singular.nabla"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the Hessian is singular (rank 1)"), "{out}");
    assert!(out.contains("inconclusive"), "{out}");
    assert!(
        out.contains("note: the Hessian is singular at iteration 0"),
        "{out}"
    );
    for f in [
        "missing-data",
        "bad-step",
        "singular",
        "least-squares",
        "bowl-wrong",
    ] {
        let (out, _) = nabla(&[
            "check",
            &format!("tests/numeric/{f}.nabla"),
            "--format",
            "json",
        ]);
        assert!(!out.contains("NaN") && !out.contains("nan"), "{f}: {out}");
        serde_json::from_str::<serde_json::Value>(out.trim()).expect("one JSON document");
    }
    let r = reports(
        "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\ndescend f from x = 0 with A = [1 2; 3 4; 5 6] using gd\n",
        &NumericOptions::default(),
    );
    let Some(Err(NumericError::BadInput(e))) = r.first().map(|r| r.outcome.clone()) else {
        panic!("bad input expected");
    };
    assert_eq!(e.symbol.as_deref(), Some("b"));
}

#[test]
fn data_files_fix_dimensions_and_wrong_shapes_name_the_symbol() {
    let dir = std::env::temp_dir().join(format!("nabla-descent-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("lsq.nabla");
    std::fs::write(
        &file,
        "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\ndescend f from x = 0 using exact\n",
    )
    .expect("write");
    std::fs::write(dir.join("A.csv"), "1,2\n3,4\n5,6\n").expect("write");
    std::fs::write(dir.join("A2.csv"), "1,2\n3,4\n").expect("write");
    // b = [1; 0; 2] as a float64 .npy file.
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    let mut h = header.to_string();
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((h.len() as u16).to_le_bytes());
    bytes.extend(h.as_bytes());
    for v in [1.0f64, 0.0, 2.0] {
        bytes.extend(v.to_le_bytes());
    }
    std::fs::write(dir.join("b.npy"), bytes).expect("write");
    let path = |n: &str| dir.join(n).to_string_lossy().to_string();
    let (out, code) = nabla(&[
        "check",
        &path("lsq.nabla"),
        "--data",
        &format!("A={}", path("A.csv")),
        "--data",
        &format!("b={}", path("b.npy")),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    let x: Vec<f64> = serde_json::from_value(v["statements"][0]["run"]["x"].clone()).expect("x");
    let want = normal_equations(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0, 0.0, 2.0], 2);
    assert!(
        (x[0] - want[0]).abs() < 1e-7 && (x[1] - want[1]).abs() < 1e-7,
        "{x:?} vs {want:?}"
    );
    assert_eq!(v["statements"][0]["run"]["stop"]["reason"], "converged");
    let (out, code) = nabla(&[
        "check",
        &path("lsq.nabla"),
        "--data",
        &format!("A={}", path("A2.csv")),
        "--data",
        &format!("b={}", path("b.npy")),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("the data for b is 3×1, but b is ℝ^m (with m = 2 from other data)"),
        "{out}"
    );
    let (out, code) = nabla(&["check", &path("lsq.nabla"), "--data", "A=/nonexistent.csv"]);
    assert_eq!(code, 2, "{out}");
    let plot = path("path.svg");
    let (out, code) = nabla(&["check", "tests/numeric/bowl.nabla", "--plot", &plot]);
    assert_eq!(code, 0, "{out}");
    let svg = std::fs::read_to_string(&plot).expect("the contour plot");
    assert!(svg.starts_with("<svg") && svg.contains("<polyline") && svg.contains("<path"));
    let conv = std::fs::read_to_string(path("path-convergence.svg")).expect("the convergence plot");
    assert!(conv.contains("log₁₀ ‖∇f‖"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compiled_programs_agree_with_evaluate() {
    let text = "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖² + sum(exp(x)) + (xᵀx)²\n";
    let mut doc = Document::read(text, &ReadOptions::default()).expect("valid");
    let def = doc.lowered.functions.get("f").expect("f").clone();
    let pool = &mut doc.lowered.pool;
    let x = def.params[0];
    let xe = pool.symbol_expr(x);
    let g = nabla::diff::gradient(pool, def.body, &[xe]).expect("gradient");
    let h = nabla::diff::hessian(pool, def.body, &[xe]).expect("Hessian");
    let (a, b) = (pool.lookup("A").expect("A"), pool.lookup("b").expect("b"));
    let mut inst = Instance::<f64>::new().with_dim("m", 3).with_dim("n", 2);
    inst.values.insert(
        a,
        Dense::from_vec(3, 2, vec![1.0, -2.0, 0.5, 4.0, 3.0, -1.0]).expect("A"),
    );
    inst.values
        .insert(b, Dense::from_vec(3, 1, vec![0.25, -1.0, 2.0]).expect("b"));
    let mut program = compile(pool, &[def.body, g, h], &[x], &inst).expect("compiles");
    for point in [[0.0, 0.0], [0.3, -0.7], [1.5, 2.0]] {
        program.run(&[&point]).expect("runs");
        let mut at = inst.clone();
        at.values
            .insert(x, Dense::from_vec(2, 1, point.to_vec()).expect("x"));
        for (k, id) in [def.body, g, h].into_iter().enumerate() {
            let want = evaluate(pool, id, &at).expect("evaluates");
            for (u, v) in program.output(k).iter().zip(&want.data) {
                assert!(
                    (u - v).abs() <= 1e-12 * (1.0 + v.abs()),
                    "output {k} at {point:?}: {u} vs {v}"
                );
            }
            assert_eq!(program.output_shape(k), want.shape());
        }
    }
}

#[test]
fn index_sums_and_kronecker_products_compile_through_the_evaluator() {
    let text = "let x: ℝ^3, A: ℝ^(2×2)\nf(x) = ∑_{i=1}^{3} i x_i² + sum(x ⊗ x) + sum(A ⊗ A)\n";
    let doc = Document::read(text, &ReadOptions::default()).expect("valid");
    let def = doc.lowered.functions.get("f").expect("f").clone();
    let pool = &doc.lowered.pool;
    let a = pool.lookup("A").expect("A");
    let x = def.params[0];
    let inst = Instance::<f64>::new().with_value(
        a,
        Dense::from_vec(2, 2, vec![1.0, 2.0, 3.0, 4.0]).expect("A"),
    );
    let mut program = compile(pool, &[def.body], &[x], &inst).expect("compiles");
    for point in [[1.0, 2.0, 3.0], [-0.5, 0.0, 2.0]] {
        program.run(&[&point]).expect("runs");
        let s: f64 = point.iter().sum();
        let want = point
            .iter()
            .enumerate()
            .map(|(i, v)| (i + 1) as f64 * v * v)
            .sum::<f64>()
            + s * s
            + 100.0;
        assert!((program.output(0)[0] - want).abs() < 1e-12, "{point:?}");
    }
}

#[test]
fn selection_matrices_compile_to_slices_and_agree_with_the_scalar_rosenbrock() {
    let n = 50usize;
    let k = n - 1;
    let text = "let P: ℝ^(k×n), Q: ℝ^(k×n), x: ℝ^n\nf(x) = 100‖Qx − (Px)⊙(Px)‖² + ‖𝟙 − Px‖²\n";
    let mut doc = Document::read(text, &ReadOptions::default()).expect("valid");
    let def = doc.lowered.functions.get("f").expect("f").clone();
    let pool = &mut doc.lowered.pool;
    let xe = pool.symbol_expr(def.params[0]);
    let g = nabla::diff::gradient(pool, def.body, &[xe]).expect("gradient");
    let mut inst = Instance::<f64>::new()
        .with_dim("k", k as u64)
        .with_dim("n", n as u64);
    let p = Dense::from_fn(k, n, |i, j| if i == j { 1.0 } else { 0.0 }).expect("P");
    let q = Dense::from_fn(k, n, |i, j| if i + 1 == j { 1.0 } else { 0.0 }).expect("Q");
    inst.values.insert(pool.lookup("P").expect("P"), p);
    inst.values.insert(pool.lookup("Q").expect("Q"), q);
    let mut program = compile(pool, &[def.body, g], &def.params, &inst).expect("compiles");
    let x: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64 / 5.0 - 1.0).collect();
    program.run(&[&x]).expect("runs");
    let (mut f, mut grad) = (0.0, vec![0.0; n]);
    for i in 0..k {
        let (d, e) = (x[i + 1] - x[i] * x[i], 1.0 - x[i]);
        f += 100.0 * d * d + e * e;
        grad[i] += -400.0 * x[i] * d - 2.0 * e;
        grad[i + 1] += 200.0 * d;
    }
    assert!((program.output(0)[0] - f).abs() <= 1e-10 * f.abs());
    for (a, b) in program.output(1).iter().zip(&grad) {
        assert!((a - b).abs() <= 1e-10 * (1.0 + b.abs()), "{a} vs {b}");
    }
}
