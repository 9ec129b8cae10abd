//! The command line as the issues show it: each example session, run exactly, with its output
//! and exit code.

use std::process::Command;

fn nabla(args: &[&str]) -> (String, String, i32) {
    nabla_with_input(args, "")
}

/// Runs nabla with `input` on standard input.
fn nabla_with_input(args: &[&str], input: &str) -> (String, String, i32) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nabla runs");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).ok();
    }
    let out = child.wait_with_output().expect("nabla finishes");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn stdout_of(args: &[&str]) -> String {
    let (out, err, code) = nabla(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

#[test]
fn parse_shows_shapes_and_inferred_symbols() {
    assert_eq!(
        stdout_of(&["parse", "let A: ℝ^(m×n), x: ℝ^n; ½‖Ax − b‖²"]),
        "½‖Ax − b‖²   : ℝ\n  A: ℝ^(m×n)   x: ℝ^n   b: ℝ^m (inferred)\n"
    );
}

#[test]
fn print_converts_latex_to_ascii() {
    assert_eq!(
        stdout_of(&[
            "print",
            "$\\frac{1}{2}\\|Ax-b\\|_2^2$",
            "--let",
            "A: ℝ^(m×n), x: ℝ^n",
            "--to",
            "ascii"
        ]),
        "1/2*norm(A*x - b)^2\n"
    );
    assert_eq!(
        stdout_of(&[
            "print",
            "½‖Ax − b‖²",
            "--let",
            "A: ℝ^(m×n), x: ℝ^n",
            "--to",
            "latex"
        ])
        .trim(),
        "\\frac{1}{2} \\|A x - b\\|_2^{2}"
    );
}

#[test]
fn a_shape_conflict_exits_2_and_points_at_both_operands() {
    let (_, err, code) = nabla(&["parse", "let A: ℝ^(m×n), x: ℝ^m; Ax"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the inner dimensions n and m of this product differ"),
        "{err}"
    );
    assert!(
        err.contains("A is ℝ^(m×n)") && err.contains("x is ℝ^m"),
        "{err}"
    );
    assert!(err.contains("declare x: ℝ^n"), "{err}");
}

#[test]
fn derivatives_in_textbook_notation() {
    let ls = "A: ℝ^(m×n), x: ℝ^n";
    assert_eq!(
        stdout_of(&["grad", "½‖Ax − b‖²", "--wrt", "x", "--let", ls]),
        "Aᵀ(Ax − b)\n"
    );
    assert_eq!(
        stdout_of(&["hess", "½‖Ax − b‖²", "--wrt", "x", "--let", ls]),
        "AᵀA\n"
    );
    let q = "A: ℝ^(n×n), x: ℝ^n";
    assert_eq!(
        stdout_of(&["grad", "xᵀAx", "--wrt", "x", "--let", q]),
        "(A + Aᵀ)x\n"
    );
    let s = "A: ℝ^(n×n) symmetric, x: ℝ^n";
    assert_eq!(
        stdout_of(&["grad", "xᵀAx", "--wrt", "x", "--let", s]),
        "2Ax\n"
    );
    assert_eq!(stdout_of(&["jac", "Ax", "--wrt", "x", "--let", ls]), "A\n");
    assert_eq!(
        stdout_of(&[
            "jac",
            "Ax",
            "--wrt",
            "x",
            "--let",
            ls,
            "--layout",
            "denominator"
        ]),
        "Aᵀ\n"
    );
    assert_eq!(
        stdout_of(&["grad", "2x₁² + x₂² + x₁x₂ − 6x₁ − 5x₂", "--wrt", "x₁,x₂"]),
        "⎡4x₁ + x₂ − 6⎤\n⎣x₁ + 2x₂ − 5⎦\n"
    );
    assert_eq!(
        stdout_of(&["diff", "x sin x", "--wrt", "x"]),
        "sin x + x cos x\n"
    );
}

#[test]
fn derivatives_at_a_point_and_in_other_dialects() {
    assert_eq!(
        stdout_of(&[
            "grad",
            "(1 − x)² + 100(y − x²)²",
            "--wrt",
            "x,y",
            "--at",
            "x = 1, y = 1"
        ]),
        "⎡0⎤\n⎣0⎦\n"
    );
    assert_eq!(
        stdout_of(&[
            "grad",
            "½‖Ax − b‖²",
            "--wrt",
            "x",
            "--let",
            "A: ℝ^(m×n), x: ℝ^n",
            "--to",
            "ascii"
        ]),
        "A'*(A*x - b)\n"
    );
    let json = stdout_of(&[
        "hess",
        "xᵀAx",
        "--wrt",
        "x",
        "--let",
        "A: ℝ^(n×n), x: ℝ^n",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["result"]["unicode"], "A + Aᵀ");
    assert_eq!(v["result"]["shape"], "ℝ^(n×n)");
}

#[test]
fn non_differentiable_points_are_stated() {
    let (out, err, code) = nabla(&["diff", "|x|", "--wrt", "x"]);
    assert_eq!(code, 0);
    assert_eq!(out, "sign(x)\n");
    assert!(err.contains("not differentiable where x = 0"), "{err}");
    // At the kink itself there is no derivative (exit 3), though the formula has a value there;
    // where the derivative is continuous across the kink (x|x|) there is one.
    for (expr, point) in [("|x|", "x = 0"), ("relu(x)", "x = 0"), ("sign(x)", "x = 0")] {
        let (out, err, code) = nabla(&["diff", expr, "--wrt", "x", "--at", point]);
        assert_eq!((out.as_str(), code), ("", 3), "{expr}");
        assert!(err.contains("not differentiable at this point"), "{err}");
    }
    let (out, _, code) = nabla(&["diff", "x|x|", "--wrt", "x", "--at", "x = 0"]);
    assert_eq!((out.as_str(), code), ("0\n", 0));
    let (_, err, code) = nabla(&[
        "grad",
        "‖x‖₁",
        "--wrt",
        "x",
        "--let",
        "x: ℝ^n",
        "--at",
        "x = [0; 1]",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("an entry of x = 0"), "{err}");
    // A Taylor polynomial needs every derivative up to its order at the point.
    let (_, err, code) = nabla(&["taylor", "relu(x)", "--wrt", "x"]);
    assert_eq!(code, 3);
    assert!(err.contains("not differentiable there"), "{err}");
    assert_eq!(
        stdout_of(&["taylor", "x|x|", "--wrt", "x", "--order", "1"]),
        "0\n"
    );
    let (_, _, code) = nabla(&["taylor", "x|x|", "--wrt", "x", "--order", "2"]);
    assert_eq!(code, 3);
}

#[test]
fn a_variable_the_expression_lacks_is_stated_not_a_silent_zero() {
    let (out, err, code) = nabla(&["grad", "x^2", "--wrt", "y"]);
    assert_eq!((out.as_str(), code), ("0\n", 0));
    assert!(err.contains("does not depend on y"), "{err}");
    let (json, _, code) = nabla(&["grad", "x^2 + y", "--wrt", "x,y,z", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["independent_of"], serde_json::json!(["z"]));
    let (_, err, _) = nabla(&["grad", "x^2 + y", "--wrt", "x,y"]);
    assert!(!err.contains("does not depend"), "{err}");
}

/// A file with nothing to check says so (exit 0), rather than print nothing.
#[test]
fn a_file_with_nothing_to_check_says_so() {
    let (out, err, code) = nabla_with_input(&["check", "-"], "# only a comment\nlet x: ℝ\n");
    assert_eq!((out.as_str(), code), ("", 0));
    assert!(err.contains("nothing to check"), "{err}");
}

/// A missing power of the variable alone is named an exponent slip, not a chain-rule factor.
#[test]
fn missing_factors_are_named_by_what_they_look_like() {
    let (out, _, code) = nabla_with_input(
        &["check", "-"],
        "claim d/dt t³ = 3t³\nclaim d/dt sin(t²) = cos(t²)\n",
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("missing factor 1/t (an exponent slip?)"),
        "{out}"
    );
    assert!(
        out.contains("missing factor 2t (a chain-rule factor?)"),
        "{out}"
    );
}

#[test]
fn taylor_polynomials_about_a_point() {
    assert_eq!(
        stdout_of(&["taylor", "eˣ sin x", "--wrt", "x", "--order", "3"]),
        "x³/3 + x² + x\n"
    );
    assert_eq!(
        stdout_of(&["taylor", "1/(1 - x)", "--wrt", "x", "--order", "4"]),
        "x⁴ + x³ + x² + x + 1\n"
    );
    let (out, err, code) = nabla(&[
        "taylor", "log x", "--wrt", "x", "--at", "x = 1", "--order", "2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "x − 1 − ½(x − 1)²\n");
    assert!(err.contains("order 2 about x = 1"), "{err}");
    let (json, _, code) = nabla(&["taylor", "sin x", "--wrt", "x", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["result"]["ascii"], "x - x^3/6");
    assert_eq!(v["order"], 3);
    let (out, err, code) = nabla(&["taylor", "sin x", "--wrt", "y"]);
    assert_eq!((out.as_str(), code), ("sin x\n", 0));
    assert!(err.contains("does not depend on y"), "{err}");
    // No value at the point: exit 3 and why, not a polynomial with log 0 in it.
    let (out, err, code) = nabla(&["taylor", "log x", "--wrt", "x"]);
    assert_eq!((out.as_str(), code), ("", 3));
    assert!(err.contains("no value there"), "{err}");
    // One variable, and a point for that variable.
    let (_, err, code) = nabla(&["taylor", "x y", "--wrt", "x,y"]);
    assert_eq!(code, 2);
    assert!(err.contains("one variable"), "{err}");
    let (_, err, code) = nabla(&["taylor", "x y", "--wrt", "x", "--at", "y = 1"]);
    assert_eq!(code, 2);
    assert!(err.contains("'x = a'"), "{err}");
}

#[test]
fn a_claim_that_cannot_be_read_is_ill_formed_and_the_others_are_still_checked() {
    let file = "let W: ℝ^(m×n), X: ℝ^(n×p)\n\
                claim ∇_W ‖WX‖_F² = 2XXᵀW\n\
                claim ∇_W ‖WX‖_F² = 2WXXᵀ\n\
                claim ∇_W ‖WX‖_F² = WXXᵀ\n";
    let (out, _, code) = nabla_with_input(&["check", "-"], file);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("<stdin>")).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].contains("ill-formed: it cannot be read"), "{out}");
    assert!(out.contains("inner dimensions n and m"), "{out}");
    assert!(lines[1].contains("proved"), "{out}");
    assert!(lines[2].contains("wrong"), "{out}");
    let (json, _, _) = nabla_with_input(&["check", "-", "--format", "json"], file);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["statements"][0]["verdict"], "ill-formed");
    assert_eq!(v["statements"][0]["error"]["kind"], "shape-mismatch");
    assert_eq!(v["statements"][1]["holds"], true);
    // Reading a file for anything but checking still stops at the error.
    let (_, err, code) = nabla_with_input(&["parse", "-"], file);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn requests_without_a_matrix_form_exit_3() {
    let (_, err, code) = nabla(&["hess", "tr(X)", "--wrt", "X", "--let", "X: ℝ^(n×n)"]);
    assert!(code == 2 || code == 3, "{code}: {err}");
    assert!(err.contains("tensor"), "{err}");
}

#[test]
fn check_reports_the_issue_example() {
    let dir = std::env::temp_dir().join(format!("nabla-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let hw = dir.join("hw.nabla");
    std::fs::write(
        &hw,
        "let B: ℝ^(m×n), c: ℝ^m, x: ℝ^n\ng(x) = ‖Bx − c‖²\nclaim ∇g(x) = BᵀBx − Bᵀc\n",
    )
    .expect("write");
    let (out, _, code) = nabla(&["check", hw.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(out.contains(":3:13  ✗ ∇g(x) = BᵀBx − Bᵀc"), "{out}");
    assert!(
        out.contains("missing factor 2: ∇g(x) = 2Bᵀ(Bx − c)"),
        "{out}"
    );
    assert!(out.contains("counterexample: m = "), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_demo_runs() {
    let (out, err, code) = nabla(&["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("✓ ∇f(x) = Aᵀ(Ax − b)    proved"), "{out}");
    assert!(out.contains("missing factor 2"), "{out}");
}

#[test]
fn hostile_input_gets_a_clear_error_never_a_panic() {
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    let random: String = (0..200_000u32)
        .map(|i| char::from_u32(0x20 + (i.wrapping_mul(2_654_435_761) % 0x2000)).unwrap_or('x'))
        .collect();
    for input in [
        deep.as_str(),
        "x^999999999",
        "$\\foo{x}$",
        "‖x",
        random.as_str(),
        "let",
        "claim",
    ] {
        let (_, err, code) = nabla_with_input(&["parse", "-"], input);
        assert_eq!(code, 2, "{:?}: {err}", &input[..input.len().min(40)]);
        assert!(err.contains("error"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_claim_that_does_not_parse_is_ill_formed_and_the_others_are_checked() {
    let file = "let x: ℝ\n\
                claim d/dx (x² sin x) = 2x sin x + x² cos x\n\
                claim d/dx ‖x = 1\n\
                      = 2\n\
                claim d/dx e^(3x) = 3e^(3x)\n\
                claim d/dx (sin x)² = 2 sin x\n";
    let (out, err, code) = nabla_with_input(&["check", "-"], file);
    assert_eq!(code, 1, "{out}{err}");
    let verdicts: Vec<&str> = out
        .lines()
        .filter(|l| l.contains('✓') || l.contains('✗'))
        .collect();
    assert_eq!(verdicts.len(), 4, "{out}");
    assert!(
        verdicts[0].contains("✓") && verdicts[0].contains(":2:"),
        "{out}"
    );
    assert!(
        verdicts[1].contains("✗") && verdicts[1].contains(":3:"),
        "{out}"
    );
    assert!(out.contains("ill-formed: it cannot be read"), "{out}");
    assert!(
        verdicts[2].contains("✓") && verdicts[2].contains(":5:"),
        "{out}"
    );
    assert!(
        verdicts[3].contains("wrong") && verdicts[3].contains(":6:"),
        "{out}"
    );
    // A file whose only claim does not parse is an input error.
    let (_, err, code) = nabla_with_input(&["check", "-"], "claim d/dx ‖x = 1\n");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_derivative_at_a_point_is_a_number_or_says_it_is_undefined_there() {
    // Exact values at a point are folded: ∇‖x‖ at [3; 4] is [3/5; 4/5].
    let (out, err, code) = nabla(&[
        "grad",
        "‖x‖",
        "--wrt",
        "x",
        "--let",
        "x: ℝ^n",
        "--at",
        "x = [3; 4]",
        "--to",
        "ascii",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "[3/5; 4/5]");
    // Where the derivative has no value, it says so instead of printing 0 or −1/0².
    for (expr, point) in [("‖x‖", "x = [0; 0]"), ("1/t", "t = 0"), ("√t", "t = −1")] {
        let wrt = if expr.contains('x') { "x" } else { "t" };
        let (out, err, code) =
            nabla(&["grad", expr, "--wrt", wrt, "--let", "x: ℝ^n", "--at", point]);
        assert_eq!(code, 3, "{expr} at {point}: {out}{err}");
        assert!(err.contains("undefined at this point"), "{expr}: {err}");
    }
    // Nor where the function itself is undefined, though the derivative's formula has a value
    // (d/dt log t = 1/t is −1 at t = −1).
    let (out, err, code) = nabla(&["diff", "log t", "--wrt", "t", "--at", "t = −1"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("the function is undefined at this point (log of a non-positive number)"),
        "{err}"
    );
    let (out, _, code) = nabla(&["diff", "log t", "--wrt", "t", "--at", "t = 2"]);
    assert_eq!((out.trim(), code), ("½", 0));
}

#[test]
fn a_division_by_zero_is_an_error_not_a_value() {
    for (expr, column) in [
        ("1/0", 3),
        ("0/0", 3),
        ("x/(x − x)", 3),
        ("0^(−1)", 1),
        ("inv(0)", 5),
    ] {
        let (out, err, code) = nabla(&["simplify", expr]);
        assert_eq!(code, 2, "{expr}: {out}{err}");
        assert!(
            err.contains("division by zero") && err.contains("[undefined]"),
            "{expr}: {err}"
        );
        assert!(
            err.contains(&format!("<expression>:1:{column}")),
            "{expr}: {err}"
        );
    }
    // 0/0 = 0 was "proved": the claim is now ill-formed, and the others in the file are checked.
    let (out, _, code) = nabla_with_input(
        &["check", "-"],
        "let x: ℝ\nclaim 0/0 = 0\nclaim (x − x)/(x − x) = 1\nclaim x/x = 1\n",
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("ill-formed").count(), 2, "{out}");
    assert!(out.contains("✓ x/x = 1    proved"), "{out}");
}

#[test]
fn the_steps_around_an_unreadable_step_of_a_chain_are_checked() {
    let source = "let A: ℝ^(m×n), x: ℝ^n, b: ℝ^m, λ: ℝ\n\
                  f(x) = ½‖Ax − b‖² + ½λ‖x‖²\n\
                  claim ∇f(x) = Aᵀ(Ax − b) + λx\n\
                  \x20     = AᵀAx − Aᵀb + λx\n\
                  \x20     = (AᵀA + λ)x − Aᵀb\n\
                  \x20     = (AᵀA + λI)x − Aᵀb\n";
    let (out, _, code) = nabla_with_input(&["check", "-"], source);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("✓ ∇f(x) = Aᵀ(Ax − b) + λx    proved"),
        "{out}"
    );
    assert!(
        lines[1].contains("✓ Aᵀ(Ax − b) + λx = AᵀAx − Aᵀb + λx    proved"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("<stdin>:5:7  ✗ = (AᵀA + λ)x − Aᵀb"),
        "{out}"
    );
    assert!(
        out.contains("ill-formed") && out.contains("cannot add ℝ^(n×n) and ℝ"),
        "{out}"
    );
    // The step after it is checked against the last readable one.
    assert!(
        out.contains("<stdin>:6:7  ✓ AᵀAx − Aᵀb + λx = (AᵀA + λI)x − Aᵀb    proved"),
        "{out}"
    );
}

#[test]
fn the_machine_learning_example_reads_as_the_readme_shows() {
    let (out, err, code) = nabla(&["check", "examples/ml-losses.nabla"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("✓ ∇ℓ(w) = −y σ(−y wᵀx) x    proved"), "{out}");
    assert!(
        out.contains("true only if sum(t) = 1, which nabla does not assume; in general: ∇L(z) = sum(t) softmax(z) − t"),
        "{out}"
    );
}
