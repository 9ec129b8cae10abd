//! Budgets: adversarial inputs end within their limits, with a message naming the limit that was
//! reached (never a hang or unbounded growth). No test asserts a wall-clock time: each asserts the
//! outcome and its message.

use nabla::check::compare::{compare, CompareOptions, Comparison};
use nabla::check::{check_program, CheckOptions, StatementReport, Verdict};
use nabla::diff::{gradient, DiffError};
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Id, Pool};
use nabla::simplify::{expand, expand_until, ExpansionLimit};
use std::process::Command;
use std::time::{Duration, Instant};

fn read(source: &str) -> Document {
    match Document::read(source, &ReadOptions::default()) {
        Ok(d) => d,
        Err(e) => panic!("{source:?} does not read: {:?}", e.diagnostic),
    }
}

fn expression(source: &str) -> (Document, Id) {
    let doc = read(source);
    let id = doc.last_expression().expect("an expression");
    (doc, id)
}

/// `nabla ARGS…`: (stdout, stderr, exit code).
fn nabla(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("nabla runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The verdicts of every step of every claim of a file.
fn verdicts(source: &str, options: &CheckOptions) -> Vec<Verdict> {
    let mut doc = read(source);
    let report = check_program(&mut doc.lowered, options);
    report
        .statements
        .into_iter()
        .flat_map(|s| match s {
            StatementReport::Claim(c) => c.steps.into_iter().map(|s| s.verdict).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn unknown_reason(v: &Verdict) -> &str {
    match v {
        Verdict::Unknown { reason } => reason,
        other => panic!("expected unknown, got {other:?}"),
    }
}

fn sum_of_twenty() -> String {
    (1..=20)
        .map(|i| format!("x{i}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

#[test]
fn a_large_power_of_a_sum_stops_at_the_term_limit() {
    let (mut doc, e) = expression(&format!("({})^20", sum_of_twenty()));
    let err = doc
        .expand(e, 5_000)
        .expect_err("C(39, 19) terms is over budget");
    assert!(err.contains("limit of 5000 terms"), "{err}");
    // A small power of the same sum fits: 210 terms.
    let (mut doc, e) = expression(&format!("({})^2", sum_of_twenty()));
    let ok = doc.expand(e, 5_000).expect("fits");
    assert!(matches!(doc.pool().node(ok), nabla::expr::Node::Add(ts) if ts.len() == 210));
}

#[test]
fn the_cli_names_the_term_limit_given_by_flag() {
    let (_, err, code) = nabla(&[
        "expand",
        &format!("({})^3", sum_of_twenty()),
        "--max-terms",
        "100",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("limit of 100 terms"), "{err}");
    let (out, err, code) = nabla(&[
        "expand",
        &format!("({})^3", sum_of_twenty()),
        "--max-terms",
        "10000",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("x₁³"), "{out}");
}

#[test]
fn a_power_above_the_exponent_limit_is_not_multiplied_out() {
    // The reader refuses such an exponent already; build the power in the library.
    let (mut doc, sum) = expression("let a: ℝ, b: ℝ; a + b");
    let pool = &mut doc.lowered.pool;
    let e = pool.powi(sum, 12_000);
    let err = expand(pool, e, 1_000_000).expect_err("over the exponent limit");
    assert_eq!(
        err,
        ExpansionLimit::Exponent {
            max_exponent: 10_000
        }
    );
    assert!(err.to_string().contains("exponent limit of 10000"), "{err}");
}

#[test]
fn literal_powers_beyond_the_exponent_limit_are_refused_with_the_limit() {
    for input in ["2^(2^(2^(2^(2^2))))", "[1 1; 1 0]^100000", "x^(10^100)"] {
        let (_, err, code) = nabla(&["simplify", input]);
        assert_eq!(code, 2, "{input}: {err}");
        assert!(err.contains("beyond the limit of ±10000"), "{input}: {err}");
        assert!(err.contains("[limit-exceeded]"), "{input}: {err}");
    }
}

#[test]
fn nested_squares_fold_into_one_power_and_differentiate() {
    let nested = format!("{}x{}", "(".repeat(30), ")^2".repeat(30));
    let (_, err, code) = nabla(&["diff", &nested, "--wrt", "x"]);
    assert_eq!(code, 0, "{err}");
    // A wrong claim about it is refuted at a small point, quickly and exactly.
    let v = verdicts(
        &format!("claim d/dx {nested} = 0"),
        &CheckOptions::default(),
    );
    assert!(matches!(v.as_slice(), [Verdict::Wrong { .. }]), "{v:?}");
}

#[test]
fn a_deep_composition_hits_the_parsers_depth_limit() {
    let deep = format!("{}x{}", "sin(".repeat(10_000), ")".repeat(10_000));
    let err = Document::read(&deep, &ReadOptions::default()).expect_err("too deep");
    assert!(
        err.diagnostic.message.contains("nested more than 200 deep"),
        "{}",
        err.diagnostic.message
    );
    let (_, err, code) = nabla(&["simplify", &deep]);
    assert_eq!(code, 2);
    assert!(err.contains("[limit-exceeded]"), "{err}");
}

#[test]
fn a_ten_thousand_term_written_sum_is_read_and_differentiated() {
    let long: Vec<String> = (1..=10_000).map(|i| format!("{i}x^{i}")).collect();
    let source = long.join(" + ");
    assert!(Document::read(&source, &ReadOptions::default()).is_ok());
    // d/dx ∑ i xⁱ = ∑ i² xⁱ⁻¹, which is n(n + 1)(2n + 1)/6 at x = 1.
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("long-sum.txt");
    std::fs::write(&file, &source).expect("temporary file");
    let path = file.to_str().expect("a UTF-8 path");
    let (out, err, code) = nabla(&["diff", path, "--wrt", "x", "--at", "x = 1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "333383335000");
}

#[test]
fn a_long_sum_keeps_every_sign_where_it_is_written() {
    // Balanced by the parser: the subtracted halves must not lose or flip signs.
    for n in [31, 32, 33, 100, 1001] {
        let terms: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let signs = ["+", "−", "−", "+", "−"];
        let mut source = terms[0].clone();
        let mut expected: i64 = 1;
        for (i, t) in terms.iter().enumerate().skip(1) {
            let sign = signs[i % signs.len()];
            source.push_str(&format!(" {sign} {t}"));
            expected += if sign == "+" { 1 } else { -1 } * (i as i64 + 1);
        }
        let (out, err, code) = nabla(&["simplify", &source]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.trim().replace('−', "-"),
            expected.to_string(),
            "n = {n}"
        );
    }
}

#[test]
fn a_long_product_hits_the_parsers_chain_limit() {
    let long = vec!["x"; 2_000].join("*");
    let err = Document::read(&long, &ReadOptions::default()).expect_err("too long");
    assert!(
        err.diagnostic.message.contains("more than 1000 operators"),
        "{}",
        err.diagnostic.message
    );
}

#[test]
fn a_ten_thousand_term_sum_built_in_the_library_differentiates_and_expands() {
    let (mut doc, _) = expression("let x: ℝ; x");
    let pool: &mut Pool = &mut doc.lowered.pool;
    let x = pool.lookup("x").map(|s| pool.symbol_expr(s)).expect("x");
    let terms: Vec<Id> = (1..=10_000).map(|k| pool.powi(x, k)).collect();
    let sum = pool.add(&terms);
    let g = gradient(pool, sum, &[x]).expect("the derivative of a polynomial");
    assert!(matches!(pool.node(g), nabla::expr::Node::Add(ts) if ts.len() == 10_000));
    let err = expand(pool, sum, 5_000).expect_err("10⁴ terms is over a budget of 5000");
    assert!(err.to_string().contains("limit of 5000 terms"), "{err}");
}

#[test]
fn differentiation_stops_at_the_node_limit() {
    let (mut doc, f) =
        expression("let x: ℝ^n, A: ℝ^(n×n); exp(sin(xᵀAx) cos(xᵀAᵀAx)) log(1 + ‖x‖²)");
    let pool = &mut doc.lowered.pool;
    pool.limits.max_nodes = pool.len() + 5;
    let x = pool.lookup("x").map(|s| pool.symbol_expr(s)).expect("x");
    match gradient(pool, f, &[x]) {
        Err(e @ DiffError::LimitExceeded { .. }) => {
            assert!(e.to_string().contains("expression nodes"), "{e}")
        }
        other => panic!("expected the node limit, got {other:?}"),
    }
    let (_, err, code) = nabla(&[
        "grad",
        "exp(sin(xᵀAx) cos(xᵀAᵀAx)) log(1 + ‖x‖²)",
        "--wrt",
        "x",
        "--let",
        "x: ℝ^n, A: ℝ^(n×n)",
        "--max-nodes",
        "40",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("more than 40 expression nodes"), "{err}");
}

/// The pool's deadline stops differentiation between nodes (the checker sets it from its time
/// limits, so a claim whose derivative explodes ends at its limit, not long after).
#[test]
fn differentiation_stops_at_the_pools_deadline() {
    let (mut doc, f) =
        expression("let x: ℝ^n, A: ℝ^(n×n); exp(sin(xᵀAx) cos(xᵀAᵀAx)) log(1 + ‖x‖²)");
    let pool = &mut doc.lowered.pool;
    let x = pool.lookup("x").map(|s| pool.symbol_expr(s)).expect("x");
    pool.limits.deadline = Some(Instant::now());
    match gradient(pool, f, &[x]) {
        Err(e @ DiffError::LimitExceeded { .. }) => {
            assert!(e.to_string().contains("time limit"), "{e}")
        }
        other => panic!("expected the time limit, got {other:?}"),
    }
    pool.limits.deadline = None;
    assert!(gradient(pool, f, &[x]).is_ok());
}

/// Exact evaluation refuses values above 16,384 bits (reducing such fractions costs time
/// quadratic in their size, with no clock between operations); the checker then compares in
/// floating point. Found by the `check` soak: powers like `33333.3…^333` multiplied together
/// took seconds per random point.
#[test]
fn exact_evaluation_stops_at_its_size_limit() {
    use nabla::numeric::{evaluate, Dense, EvalError, Instance};
    let (mut doc, e) = expression("let t: ℝ; t²");
    let pool = &mut doc.lowered.pool;
    let t = pool.lookup("t").expect("t");
    let big = nabla::expr::Number::int(2)
        .pow_checked(10_000, 1 << 16)
        .expect("2^10000");
    let at = |v| Instance::new().with_value(t, Dense::scalar(v));
    assert_eq!(
        evaluate(pool, e, &at(big.clone())).map(|_| ()),
        Err(EvalError::TooLarge)
    );
    let small = nabla::expr::Number::int(2)
        .pow_checked(8_000, 1 << 16)
        .expect("2^8000");
    let square = evaluate(pool, e, &at(small)).expect("within the limit");
    assert_eq!(square.data.first().map(|v| v.bits()), Some(16_001));
}

#[test]
fn expansion_stops_at_the_node_limit() {
    let (mut doc, e) = expression(&format!("({})^4", sum_of_twenty()));
    doc.lowered.pool.limits.max_nodes = doc.lowered.pool.len() + 100;
    let err = expand(&mut doc.lowered.pool, e, 1_000_000).expect_err("over the node limit");
    assert!(matches!(err, ExpansionLimit::Nodes { .. }), "{err:?}");
    assert!(err.to_string().contains("expression nodes"), "{err}");
}

#[test]
fn expansion_stops_at_its_deadline() {
    let (mut doc, e) = expression(&format!("({})^3", sum_of_twenty()));
    let past = Some(Instant::now());
    let err = expand_until(&mut doc.lowered.pool, e, 1_000_000, past).expect_err("deadline");
    assert_eq!(err, ExpansionLimit::Time);
    assert!(err.to_string().contains("time limit"), "{err}");
}

#[test]
fn comparisons_stop_at_their_deadline() {
    let (mut doc, _) = expression("let a: ℝ, b: ℝ; a");
    let pool = &mut doc.lowered.pool;
    let a = pool.lookup("a").map(|s| pool.symbol_expr(s)).expect("a");
    let b = pool.lookup("b").map(|s| pool.symbol_expr(s)).expect("b");
    let left = pool.add(&[a, b]);
    let right = pool.add(&[b, a]);
    let opts = CompareOptions {
        deadline: Some(Instant::now()),
        ..CompareOptions::default()
    };
    assert_eq!(
        compare(pool, left, right, &opts),
        Comparison::OutOfTime {
            valid: 0,
            attempted: 0
        }
    );
}

#[test]
fn a_claim_out_of_time_is_unknown_naming_the_limit() {
    let options = CheckOptions {
        time_limit: Some(Duration::ZERO),
        ..CheckOptions::default()
    };
    let v = verdicts(
        "claim (a + b)^999 = a^999 + b^999\nclaim d/dx x² = 2x\n    = x + x",
        &options,
    );
    assert_eq!(v.len(), 3);
    for verdict in &v {
        assert_eq!(
            unknown_reason(verdict),
            "time limit of 0s per claim reached"
        );
    }
}

#[test]
fn a_file_out_of_time_is_unknown_naming_the_file_limit() {
    let options = CheckOptions {
        deadline: Some(Instant::now()),
        time_limit: Some(Duration::from_secs(3600)),
        ..CheckOptions::default()
    };
    let v = verdicts("claim d/dx x² = 2x", &options);
    assert!(
        unknown_reason(&v[0]).contains("time limit for the whole file"),
        "{v:?}"
    );
}

#[test]
fn a_generous_time_limit_changes_no_verdict() {
    let options = CheckOptions {
        time_limit: Some(Duration::from_secs(3600)),
        ..CheckOptions::default()
    };
    let v = verdicts("claim d/dx x² = 2x\nclaim d/dx x³ = 2x²", &options);
    assert!(matches!(v[0], Verdict::Proved { .. }), "{v:?}");
    assert!(matches!(v[1], Verdict::Wrong { .. }), "{v:?}");
}

#[test]
fn the_check_command_takes_the_limit_flags() {
    let dir = std::env::temp_dir().join(format!("nabla-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("big.nabla");
    std::fs::write(&file, "claim (a + b)^999 = a^999 + b^999\n").expect("write");
    let path = file.to_string_lossy().into_owned();
    let (out, err, code) = nabla(&["check", &path, "--time-limit", "0"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("unknown: time limit of 0s per claim reached"),
        "{out}"
    );
    let (out, err, code) = nabla(&["check", &path, "--file-time-limit", "0"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("time limit for the whole file"), "{out}");
    let (_, err, code) = nabla(&["check", &path, "--time-limit", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a number of seconds"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn huge_literal_matrices_are_evaluated_within_the_entry_limit() {
    let n = 60;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| ((i * 7 + j) % 5).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let m = format!("[{}]", rows.join("; "));
    let (out, err, code) = nabla(&["simplify", &format!("{m} {m}")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with('['), "{}", &out[..out.len().min(100)]);
    // A product of symbols whose numeric instances would be enormous is still decided.
    let v = verdicts(
        "let A: ℝ^(n×n); claim tr(A A A A A A A A) = tr(A A A A A A A A)ᵀ",
        &CheckOptions::default(),
    );
    assert!(v[0].holds(), "{v:?}");
}

#[test]
fn a_whole_command_ends_at_its_time_limit_or_another_named_limit() {
    // Which limit comes first depends on the machine's speed; either way the command ends with
    // an error naming it.
    let (_, err, code) = nabla(&["expand", "(a + b + c + d + e)^40", "--time-limit", "1"]);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains("time limit of 1s was reached (--time-limit)")
            || err.contains("limit of 100000 terms"),
        "{err}"
    );
    let (out, err, code) = nabla(&["simplify", "x + x", "--time-limit", "60"]);
    assert_eq!((out.as_str(), code), ("2x\n", 0), "{err}");
}

/// A chain whose every step is unreadable is reported step by step (each step ill-formed on its
/// own; the recovery holds one copy of the chain's rest at a time).
#[test]
fn a_long_chain_of_unreadable_steps_is_reported_step_by_step() {
    let steps = vec!["xA"; 900].join(" = ");
    let source = format!("let x: ℝ^n, A: ℝ^(m×n)\nclaim x = {steps}\n");
    let dir = std::env::temp_dir().join(format!("nabla-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("chain.nabla");
    std::fs::write(&path, source).expect("written");
    let (out, err, code) = nabla(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.matches("ill-formed: it cannot be read").count(), 900);
    std::fs::remove_dir_all(&dir).ok();
}
