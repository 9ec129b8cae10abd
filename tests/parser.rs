//! The parser, end to end: fixtures, the shared corpus, equivalence of the three spellings,
//! precedence, error places and resource limits.

use nabla::syntax::ast::{DerivativeKind, Expr, ExprKind, Program};
use nabla::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use nabla::syntax::parser::{parse_expression_with, parse_program_with};
use nabla::syntax::{parse_expression, parse_program};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/fixtures");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Removes every span so trees can be compared across spellings.
fn strip_spans(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "span" && k != "start" && k != "end")
                .map(|(k, v)| (k, strip_spans(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_spans).collect()),
        other => other,
    }
}

fn expr_tree(source: &str) -> Value {
    match parse_expression(source) {
        Ok(e) => strip_spans(serde_json::to_value(e).unwrap_or(Value::Null)),
        Err(d) => panic!("`{source}` failed to parse: {d:?}"),
    }
}

fn program_tree(source: &str) -> Value {
    match parse_program(source) {
        Ok(p) => strip_spans(serde_json::to_value(p).unwrap_or(Value::Null)),
        Err(d) => panic!("`{source}` failed to parse: {d:?}"),
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "nabla"))
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

// ---------------------------------------------------------------- fixtures and corpus

#[test]
fn every_valid_fixture_parses() {
    let files = files_in(&Path::new(FIXTURES).join("valid"));
    assert!(files.len() >= 40, "only {} valid fixtures", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            parse_program(&read(f))
                .err()
                .map(|d| format!("{}: {:?}", f.display(), d))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "valid fixtures failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_invalid_fixture_fails_with_a_located_diagnostic() {
    let files = files_in(&Path::new(FIXTURES).join("invalid"));
    assert!(files.len() >= 15, "only {} invalid fixtures", files.len());
    for f in &files {
        let source = read(f);
        match parse_program(&source) {
            Ok(p) => panic!("{} parsed but should fail: {p:?}", f.display()),
            Err(d) => {
                let span = d.span();
                assert!(
                    (span.end as usize) <= source.len() && span.start <= span.end,
                    "{}: span {span:?} out of range",
                    f.display()
                );
                assert!(!d.message.is_empty(), "{}: empty message", f.display());
            }
        }
    }
}

/// The span of a serialised node, if it has one.
fn span_of(value: &Value) -> Option<(u64, u64)> {
    let span = value.get("span")?;
    Some((span.get("start")?.as_u64()?, span.get("end")?.as_u64()?))
}

/// Checks that every node's span lies inside its nearest spanned ancestor's span.
fn check_nesting(value: &Value, outer: (u64, u64), path: &str, problems: &mut Vec<String>) {
    let here = span_of(value);
    if let Some((start, end)) = here {
        if start > end || start < outer.0 || end > outer.1 {
            problems.push(format!(
                "{path}: {start}..{end} outside {}..{}",
                outer.0, outer.1
            ));
        }
    }
    let inner = here.unwrap_or(outer);
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                check_nesting(child, inner, &format!("{path}.{key}"), problems);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_nesting(child, inner, &format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn child_spans_nest_inside_their_parents() {
    for f in files_in(&Path::new(FIXTURES).join("valid")) {
        let source = read(&f);
        let Ok(program) = parse_program(&source) else {
            continue;
        };
        let value = serde_json::to_value(&program).unwrap_or(Value::Null);
        let mut problems = Vec::new();
        check_nesting(&value, (0, source.len() as u64), "program", &mut problems);
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            f.display(),
            problems.join("\n")
        );
    }
}

#[test]
fn the_shared_corpus_parses() {
    let dir = Path::new(CORPUS);
    if !dir.exists() {
        panic!("corpus folder {} is missing", dir.display());
    }
    let files = files_in(dir);
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());
    for f in files {
        if let Err(d) = parse_program(&read(&f)) {
            panic!("{} failed: {d:?}", f.display());
        }
    }
}

// ---------------------------------------------------------------- equivalent spellings

/// Each row: spellings of the same expression (Unicode, ASCII, LaTeX, variants).
const SAME_EXPRESSION: &[&[&str]] = &[
    &["Ax", "A*x", "A \\cdot x", "$Ax$"],
    &["2x₁x₂", "2*x1*x2", "2x_1x_2", "2 x_{1} x_{2}"],
    &["a·b", "a*b", "a \\cdot b", "a⋅b"],
    &["a × b", "a*b", "a \\times b"],
    &["x²", "x^2", "x^{2}"],
    &["x³", "x^3", "x^{3}"],
    &["xⁿ", "x^n", "x^{n}"],
    &["Aᵀ", "A'", "A^T", "A^\\top", "A^{\\top}", "A^{T}"],
    &["xᵀ", "x'", "x^T", "x^\\top"],
    &["A⁻¹", "inv(A)", "A^{-1}", "A^-1"],
    &["A⁺", "pinv(A)", "A^+", "A^{+}"],
    &["½", "1/2", "\\frac{1}{2}", "\\tfrac12", "\\dfrac{1}{2}"],
    &["a/b", "\\frac{a}{b}"],
    &[
        "‖v‖",
        "norm(v)",
        "\\|v\\|",
        "\\lVert v \\rVert",
        "||v||",
        "\\left\\| v \\right\\|",
    ],
    &["‖v‖₂", "norm(v, 2)", "\\|v\\|_2", "‖v‖_2"],
    &["‖v‖₁", "norm(v, 1)", "\\|v\\|_1"],
    &["‖X‖_F", "norm(X, F)", "\\|X\\|_F", "\\|X\\|_{F}"],
    &["|t|", "abs(t)", "\\lvert t \\rvert"],
    &["x ⊙ y", "x .* y", "x \\odot y"],
    &["A ⊗ B", "kron(A, B)", "A \\otimes B"],
    &["√x", "sqrt(x)", "\\sqrt{x}"],
    &["√(x + 1)", "sqrt(x + 1)", "\\sqrt{x+1}"],
    &["(x + 1)^(1/3)", "\\sqrt[3]{x+1}"],
    &["x^(1/n)", "\\sqrt[n]{x}", "\\sqrt[n] x"],
    &["x₁", "x_1", "x1", "x_{1}"],
    &["w_{ji}", "wⱼᵢ"],
    &["x_{i+1}", "xᵢ₊₁"],
    &[
        "∑_{i=1}^{N} (yᵢ − w xᵢ − b)²",
        "sum(i = 1..N, (y_i - w*x_i - b)^2)",
        "\\sum_{i=1}^{N} (y_i - w x_i - b)^2",
        "∑ᵢ₌₁ᴺ (yᵢ − w xᵢ − b)²",
        "Σ_{i=1}^{N} (yᵢ − w xᵢ − b)²",
    ],
    &[
        "[4 1; 1 2]",
        "[4, 1; 1, 2]",
        "\\begin{bmatrix} 4 & 1 \\\\ 1 & 2 \\end{bmatrix}",
        "\\begin{pmatrix} 4 & 1 \\\\ 1 & 2 \\end{pmatrix}",
    ],
    &["[1; 2]", "\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}"],
    &["𝟙", "ones", "\\mathbf{1}"],
    &["∇ₓ f(x)", "∇_x f(x)", "\\nabla_x f(x)", "grad(f(x), x)"],
    &["∇f(x)", "grad(f(x))", "\\nabla f(x)"],
    &[
        "∇ₓ² f(x)",
        "∇²ₓ f(x)",
        "hess(f(x), x)",
        "\\nabla^2_x f(x)",
        "\\nabla_x^2 f(x)",
    ],
    &["J_x g(x)", "jac(g(x), x)", "J(g(x), x)"],
    &[
        "∂f/∂x₁",
        "diff(f, x1)",
        "\\frac{\\partial f}{\\partial x_1}",
    ],
    &[
        "∂²f/∂x∂y",
        "diff(f, x, y)",
        "\\frac{\\partial^2 f}{\\partial x \\partial y}",
    ],
    &[
        "∂/∂x₁ (x₁²x₂³)",
        "\\frac{\\partial}{\\partial x_1} (x_1^2 x_2^3)",
    ],
    &[
        "d/dx (x sin x)",
        "\\frac{d}{dx} (x \\sin x)",
        "\\frac{d}{dx}\\left(x \\sin x\\right)",
    ],
    &["D_u f(x)", "D_{u} f(x)"],
    &["σ(z)", "sigmoid(z)", "\\sigma(z)"],
    &["ln x", "log(x)", "\\ln x", "ln(x)", "log x"],
    &["α + λ", "alpha + lambda", "\\alpha + \\lambda"],
    &[
        "½‖Ax − b‖²",
        "1/2*norm(A*x - b)^2",
        "\\frac{1}{2}\\|Ax-b\\|_2^2",
    ],
    &["xᵀAx", "x'*A*x", "x^\\top A x", "x^TAx", "x'Ax"],
    &["AᵀAx", "A'*A*x", "A^T A x", "A^TAx"],
    &["−x²", "-x^2", "-x^{2}"],
    &[
        "tr(AᵀB)",
        "tr(A'*B)",
        "\\operatorname{tr}(A^\\top B)",
        "\\mathrm{tr}(A^T B)",
    ],
    &["exp(−x)", "exp(-x)", "\\exp(-x)"],
    &["x sin x", "x*sin(x)", "x \\sin x"],
    &[
        "(1 − x)²",
        "(1 - x)^2",
        "\\left(1 - x\\right)^2",
        "\\left[1 - x\\right]^2",
    ],
    &[
        "2(XᵀX + αI)w",
        "2*(X'*X + alpha*I)*w",
        "2\\left(X^\\top X + \\alpha I\\right) w",
    ],
    &["∇f(x) at x = [1; 1]", "grad(f(x)) at x = [1; 1]"],
    &[
        "\\mathbf{x}ᵀ\\mathbf{y}",
        "x'*y",
        "\\boldsymbol{x}^T \\boldsymbol{y}",
    ],
    &["f'(x)", "f′(x)"],
];

#[test]
fn spellings_parse_to_the_same_tree() {
    let mut compared = 0;
    for row in SAME_EXPRESSION {
        let Some(first) = row.first() else { continue };
        let expected = expr_tree(first);
        for other in row.iter().skip(1) {
            assert_eq!(
                expr_tree(other),
                expected,
                "`{other}` differs from `{first}`"
            );
            compared += 1;
        }
    }
    assert!(compared >= 80, "only {compared} comparisons");
}

const SAME_PROGRAM: &[&[&str]] = &[
    &[
        "let A: ℝ^(m×n)",
        "let A ∈ ℝ^(m×n)",
        "let A: ℝ^{m×n}",
        "let A: ℝᵐˣⁿ",
        "let A: R^(m x n)",
        "let A \\in \\mathbb{R}^{m \\times n}",
        "let A: R^(m*n)",
    ],
    &["let x: ℝ^n", "let x: ℝⁿ", "let x: R^n", "let x ∈ ℝ^(n)"],
    &[
        "let a, b: ℝ, A: ℝ^(2×2)",
        "let a, b: R, A: R^(2 x 2)",
        "let a, b ∈ ℝ, A ∈ ℝ²ˣ²",
    ],
    &["let S: ℝ^(n×n) spd", "let S ∈ R^(n x n) spd"],
    &["let α: ℝ", "let alpha: R", "let \\alpha \\in \\mathbb{R}"],
    &[
        "claim D_u f(x) ≈ 2.12 at x = [1; 1], u = [0.71; 0.71]",
        "claim D_u f(x) ~= 2.12 at x = [1; 1], u = [0.71; 0.71]",
        "claim D_u f(x) \\approx 2.12 at x = [1; 1], u = [0.71; 0.71]",
    ],
    &[
        "claim ∇f(x) = Aᵀ(Ax − b)\n      = AᵀAx − Aᵀb",
        "claim ∇f(x) = Aᵀ(Ax − b) = AᵀAx − Aᵀb",
        "claim grad(f(x)) = A'*(A*x - b)\n  = A'*A*x - A'*b",
    ],
    &[
        "claim $\\nabla_w \\frac{1}{2N}\\|Xw - y\\|_2^2 = \\frac{1}{N} X^\\top (Xw - y)$",
        "claim ∇_w 1/(2N)‖Xw − y‖² = 1/N Xᵀ(Xw − y)",
    ],
    &[
        "descend f from x = 0 with A = [1 2; 3 4], b = [1; 2] using gd(step = 0.05, iters = 500)",
        "descend f from x = 0 using gd(step = 0.05, iters = 500) with A = [1 2; 3 4], b = [1; 2]",
        "descend f with A = [1 2; 3 4], b = [1; 2] from x = 0 using gd(step = 0.05, iters = 500)",
    ],
    &[
        "descend f from x = 0 using momentum(step = 0.1, γ = 0.9)",
        "descend f from x = 0 using momentum(step = 0.1, gamma = 0.9)",
    ],
];

#[test]
fn program_spellings_parse_to_the_same_tree() {
    for row in SAME_PROGRAM {
        let Some(first) = row.first() else { continue };
        let expected = program_tree(first);
        for other in row.iter().skip(1) {
            assert_eq!(
                program_tree(other),
                expected,
                "`{other}` differs from `{first}`"
            );
        }
    }
}

// ---------------------------------------------------------------- precedence

/// Each pair: an expression and the same with its structure made explicit.
const PRECEDENCE: &[(&str, &str)] = &[
    ("a − b − c", "(a − b) − c"),
    ("a + b·c", "a + (b·c)"),
    ("a/b/c", "(a/b)/c"),
    ("a/bc", "(a/b)c"),
    ("−x²", "−(x²)"),
    ("-x^2", "-(x^2)"),
    ("2^3^2", "2^(3^2)"),
    ("x^a^b", "x^(a^b)"),
    ("AᵀAx", "((Aᵀ)A)x"),
    ("xᵀAx", "((xᵀ)A)x"),
    ("½‖Ax − b‖²", "(1/2)(‖Ax − b‖^2)"),
    ("a ⊙ b + c", "(a ⊙ b) + c"),
    ("a ⊙ b c", "(a ⊙ b) c"),
    ("A ⊗ B C", "(A ⊗ B) C"),
    ("sin x²", "sin(x²)"),
    ("sin x cos x", "sin(x) cos(x)"),
    ("x sin x", "x·sin(x)"),
    ("400x(y − x²)", "(400·x)·(y − x²)"),
    ("2x₁x₂", "(2x₁)x₂"),
    ("−2x", "(−2)x"),
    ("a·−b", "a·(−b)"),
    ("x⁻¹y", "(x⁻¹)y"),
    ("Aᵀ²", "(Aᵀ)²"),
    ("∇f(x) + g", "(∇f(x)) + g"),
    ("∇ₓ ½‖Ax − b‖²", "∇ₓ (½‖Ax − b‖²)"),
    ("a + b at x = 1", "(a + b) at x = 1"),
    ("|x − |y||", "abs(x − abs(y))"),
    ("|x||y|", "abs(x)·abs(y)"),
    ("log|x|", "log(abs(x))"),
    ("|log|x||", "abs(log(abs(x)))"),
    ("x log|x| − x", "(x·log(abs(x))) − x"),
    ("‖x‖‖y‖", "norm(x)·norm(y)"),
    ("sin²x + cos²x", "(sin x)² + (cos x)²"),
    ("\\sin^2 x", "(sin(x))^2"),
    ("sin^2(x)", "sin(x)^2"),
    ("\\|x\\|^2_2", "‖x‖₂²"),
    ("\\|x\\|_2^2", "‖x‖₂²"),
    ("‖x‖²₂", "‖x‖₂²"),
    ("‖x‖₁²", "(norm(x, 1))^2"),
    ("e^{-x^2}", "e^(−(x^2))"),
];

#[test]
fn precedence_and_associativity() {
    for (written, explicit) in PRECEDENCE {
        assert_eq!(
            expr_tree(written),
            expr_tree(explicit),
            "`{written}` vs `{explicit}`"
        );
    }
}

#[test]
fn matrix_rows_follow_the_spacing_rule() {
    assert_eq!(expr_tree("[1 −2]"), expr_tree("[1, −2]"));
    assert_eq!(expr_tree("[a − b]"), expr_tree("[(a − b)]"));
    assert_eq!(expr_tree("[a -b c]"), expr_tree("[a, -b, c]"));
    assert_eq!(expr_tree("[2x y]"), expr_tree("[2*x, y]"));
    assert_eq!(expr_tree("[1 2\n3 4]"), expr_tree("[1 2; 3 4]"));
}

// ---------------------------------------------------------------- derivatives

/// The kind, variables (as written, compactly) and direction of a derivative expression.
fn derivative_shape(source: &str) -> (DerivativeKind, Vec<String>, Option<String>, String) {
    let expr = parse_expression(source).unwrap_or_else(|d| panic!("`{source}`: {d:?}"));
    let ExprKind::Derivative(d) = expr.kind else {
        panic!("`{source}` is not a derivative: {expr:?}");
    };
    let show = |e: &Expr| compact(&strip_spans(serde_json::to_value(e).unwrap_or(Value::Null)));
    (
        d.kind,
        d.wrt.iter().map(show).collect(),
        d.direction.as_ref().map(show),
        show(&d.body),
    )
}

/// A short rendering of a span-free tree: names and numbers bare, other nodes by kind.
fn compact(value: &Value) -> String {
    let kind = value.get("kind").unwrap_or(value);
    if let Some(name) = kind.get("Name").and_then(Value::as_str) {
        return name.to_string();
    }
    if let Some(n) = kind.get("Number").and_then(Value::as_str) {
        return n.to_string();
    }
    if let Some(sub) = kind.get("Subscript") {
        let base = sub.get("base").map(compact).unwrap_or_default();
        let index = sub.get("index").map(compact).unwrap_or_default();
        return format!("{base}_{index}");
    }
    if let Some(call) = kind.get("Call") {
        let name = call
            .pointer("/function/name")
            .and_then(Value::as_str)
            .unwrap_or("?");
        return format!("{name}(…)");
    }
    match kind {
        Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
        other => other.to_string(),
    }
}

/// Source, kind, variables, direction, body.
type DerivativeCase<'a> = (
    &'a str,
    DerivativeKind,
    Vec<String>,
    Option<&'a str>,
    &'a str,
);

#[test]
fn derivative_forms_have_the_documented_shape() {
    use DerivativeKind::*;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let cases: &[DerivativeCase<'_>] = &[
        ("∇f(x)", Gradient, s(&[]), None, "f(…)"),
        ("∇ₓ f(x)", Gradient, s(&["x"]), None, "f(…)"),
        ("∇²f(x)", Hessian, s(&[]), None, "f(…)"),
        ("∇ₓ² f", Hessian, s(&["x"]), None, "f"),
        ("J(g, x)", Jacobian, s(&["x"]), None, "g"),
        ("J_x g(x)", Jacobian, s(&["x"]), None, "g(…)"),
        ("∂f/∂x₁", Partial, s(&["x_1"]), None, "f"),
        ("∂²f/∂x∂y", Partial, s(&["x", "y"]), None, "f"),
        ("∂²f/∂x²", Partial, s(&["x", "x"]), None, "f"),
        ("d/dx (x sin x)", Ordinary, s(&["x"]), None, "Binary"),
        ("f'(x)", Ordinary, s(&["x"]), None, "f(…)"),
        ("f''(x)", Ordinary, s(&["x", "x"]), None, "f(…)"),
        ("D_u f(x)", Directional, s(&[]), Some("u"), "f(…)"),
        (
            "ddir(f(x), x, u)",
            Directional,
            s(&["x"]),
            Some("u"),
            "f(…)",
        ),
        ("diff(f, x, y)", Partial, s(&["x", "y"]), None, "f"),
        ("hess(f(x), x)", Hessian, s(&["x"]), None, "f(…)"),
    ];
    for (source, kind, wrt, direction, body) in cases {
        let got = derivative_shape(source);
        let want = (
            *kind,
            wrt.clone(),
            direction.map(str::to_string),
            body.to_string(),
        );
        assert_eq!(got, want, "`{source}`");
    }
}

// ---------------------------------------------------------------- names

#[test]
fn letter_runs_split_into_declared_names() {
    let split = expr_tree("a*b");
    assert_eq!(expr_tree("ab"), split);
    let whole = parse_expression_with("ab", &["ab"]).map(|e| e.kind);
    assert!(matches!(whole, Ok(nabla::syntax::ast::ExprKind::Name(ref n)) if n == "ab"));
    let program = program_tree("let xy, z: ℝ\nxyz");
    let explicit = program_tree("let xy, z: ℝ\nxy*z");
    assert_eq!(program, explicit);
}

#[test]
fn an_ambiguous_run_is_an_error_with_a_hint() {
    let err = parse_program("let a, ab, bc, c: ℝ\nabc").err();
    let err = err.unwrap_or_else(|| panic!("should be ambiguous"));
    assert_eq!(err.kind, DiagnosticKind::AmbiguousName);
    assert_eq!(err.span().range(), 22..25);
    assert!(err
        .hint
        .is_some_and(|h| h.contains("a·bc") && h.contains("ab·c")));
}

#[test]
fn defined_function_names_are_calls_and_others_multiply() {
    let call = program_tree("J(w) = ‖w‖²\n∇J(w)");
    let jacobian_like = program_tree("J(w) = ‖w‖²\n∇(J(w))");
    assert_eq!(call, jacobian_like);
    assert_eq!(expr_tree("x(y + 1)"), expr_tree("x*(y + 1)"));
    let with_names = parse_expression_with("x(y+1)", &["x", "y"]).is_ok();
    assert!(with_names);
}

#[test]
fn known_names_are_accepted_by_program_with() {
    let p: Result<Program, Diagnostic> = parse_program_with("claim ∇(xᵀAx) = 2Ax", &["A", "x"]);
    assert!(p.is_ok(), "{p:?}");
}

// ---------------------------------------------------------------- errors

fn error_of(source: &str) -> Diagnostic {
    match parse_program(source) {
        Ok(p) => panic!("`{source}` should fail, parsed as {p:?}"),
        Err(d) => d,
    }
}

#[test]
fn an_unterminated_norm_points_at_both_ends() {
    let d = error_of("claim ‖Ax − b = 0");
    assert_eq!(d.kind, DiagnosticKind::Unterminated);
    assert_eq!(d.labels.len(), 2);
    assert_eq!(d.labels.get(1).map(|l| l.span.range()), Some(6..9));
    assert!(d.hint.is_some_and(|h| h.contains('‖')));
}

#[test]
fn an_unknown_command_is_named_with_a_suggestion() {
    let d = error_of("claim $\\frc{1}{2} = 0.5$");
    assert_eq!(d.kind, DiagnosticKind::UnknownCommand);
    assert_eq!(d.span().range(), 7..11);
    assert!(d.hint.is_some_and(|h| h.contains("\\frac")));
}

#[test]
fn errors_point_at_the_offending_place_not_the_whole_input() {
    let source = "let x: ℝ\nclaim x + = 2";
    let d = error_of(source);
    assert_eq!(d.kind, DiagnosticKind::Syntax);
    let span = d.span();
    assert!(span.end - span.start <= 2, "{span:?}");
    assert_eq!(span.line_col(source).0, 2);
}

#[test]
fn a_stray_character_is_reported_where_it_is() {
    let d = error_of("x + @");
    assert_eq!(d.kind, DiagnosticKind::UnexpectedCharacter);
    assert_eq!(d.span().range(), 4..5);
}

/// A built-in's name without its argument is an error at the name, never a symbol that
/// multiplies (`sum(sqrt x)` read as sum(sqrt·x) gave a wrong gradient); declared, it is a symbol.
#[test]
fn a_bare_builtin_name_is_an_error_not_a_symbol() {
    for (source, name, hint) in [
        ("claim sum(sqrt x) = 0", "sqrt", "sqrt(x)"),
        ("claim sin + 1 = 0", "sin", "sin(x) or sin x"),
        ("claim inv A = 0", "inv", "inv(A)"),
        ("claim exp = 1", "exp", "exp(x) or exp x"),
        ("claim 2 sum = 0", "sum", "sum(x)"),
    ] {
        let d = error_of(source);
        assert_eq!(d.kind, DiagnosticKind::BadArguments, "{source}");
        let at = source.find(name).expect("name in source");
        assert_eq!(d.span().range(), at..at + name.len(), "{source}");
        assert!(d.message.contains(name), "{source}: {}", d.message);
        assert!(
            d.hint.as_ref().is_some_and(|h| h.contains(hint)),
            "{source}: {:?}",
            d.hint
        );
    }
    assert!(parse_program("let σ: ℝ\nclaim σ + 1 = 1 + σ").is_ok());
}

#[test]
fn a_bare_equation_suggests_claim() {
    let d = error_of("x + 1 = 2");
    assert!(d.hint.is_some_and(|h| h.contains("claim")));
}

// ---------------------------------------------------------------- limits

fn in_small_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap_or_else(|e| panic!("cannot spawn: {e}"));
    handle.join().unwrap_or_else(|_| panic!("parser panicked"))
}

fn assert_limit(source: String) {
    let started = Instant::now();
    let result = in_small_thread(move || parse_program(&source).err().map(|d| d.kind));
    assert_eq!(result, Some(DiagnosticKind::LimitExceeded));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn ten_thousand_nested_parentheses_are_refused_quickly() {
    assert_limit(format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000)));
}

#[test]
fn deep_prefix_and_postfix_chains_are_refused() {
    assert_limit(format!("{}x", "−".repeat(10_000)));
    assert_limit(format!("{}x", "√".repeat(10_000)));
    assert_limit(format!("{}x", "∇".repeat(10_000)));
    assert_limit(format!("x{}", "^2".repeat(10_000)));
    assert_limit(format!("{}x{}", "‖".repeat(5_000), "‖".repeat(5_000)));
    assert_limit(format!("{}x{}", "\\sqrt{".repeat(5_000), "}".repeat(5_000)));
    assert_limit(format!("{}x", "sin ".repeat(10_000)));
}

#[test]
fn nesting_just_under_the_limit_parses_in_a_small_stack() {
    let depth = 150;
    let source = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
    let ok = in_small_thread(move || parse_program(&source).is_ok());
    assert!(ok);
    let source = format!("{}x{}", "‖".repeat(60), "‖".repeat(60));
    let ok = in_small_thread(move || parse_program(&source).map(|_| ()));
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn every_nesting_construct_up_to_the_limit_parses_and_beyond_it_is_refused() {
    let nestings = |n: usize| {
        vec![
            format!("{}x{}", "(".repeat(n), ")".repeat(n)),
            format!("{}x{}", "[".repeat(n), "]".repeat(n)),
            format!("{}x{}", "sin(".repeat(n), ")".repeat(n)),
            format!("{}x{}", "f(".repeat(n), ")".repeat(n)),
            format!("{}x{}", "\\frac{".repeat(n), "}{2}".repeat(n)),
            format!("{}x{}", "\\sqrt{".repeat(n), "}".repeat(n)),
            format!("{}x{}", "‖".repeat(n), "‖".repeat(n)),
            format!("{}x{}", "| ".repeat(n), " |".repeat(n)),
            format!("{}x{}", "\\left(".repeat(n), "\\right)".repeat(n)),
            format!("{}x", "∇".repeat(n)),
            format!("{}x", "−".repeat(n)),
            format!("{}x", "√".repeat(n)),
            format!("{}x", "d/dx ".repeat(n)),
            format!("x{}", "^x".repeat(n)),
            format!("{}x", "sin ".repeat(n)),
        ]
    };
    for source in nestings(199) {
        let shown: String = source.chars().take(12).collect();
        let outcome = in_small_thread(move || parse_program(&source).err());
        assert!(outcome.is_none(), "`{shown}…` at depth 199: {outcome:?}");
    }
    for source in nestings(401) {
        let shown: String = source.chars().take(12).collect();
        let outcome = in_small_thread(move || parse_program(&source).err().map(|d| d.kind));
        assert_eq!(
            outcome,
            Some(DiagnosticKind::LimitExceeded),
            "`{shown}…` at depth 401"
        );
    }
    let sums = format!("{}x", "∑_{i=1}^N ".repeat(199));
    assert!(in_small_thread(move || parse_program(&sums).is_ok()));
}

#[test]
fn long_flat_chains_are_bounded_and_drop_safely() {
    let ok = in_small_thread(|| {
        let source = format!("{}a", "a + ".repeat(900));
        let parsed = parse_program(&source);
        let copy = parsed.clone();
        drop(parsed);
        copy.is_ok()
    });
    assert!(ok);
    // A long sum is built as a balanced tree: it parses, clones and drops in a small stack.
    let ok = in_small_thread(|| {
        let parsed = parse_program(&format!("{}a", "a − ".repeat(150_000)));
        let copy = parsed.clone();
        drop(parsed);
        copy.is_ok()
    });
    assert!(ok);
    assert_limit(format!("{}a", "a*".repeat(5_000)));
    assert_limit(format!("{}a", "a".repeat(5_000)));
    assert_limit(format!("x{}", "ᵀ".repeat(5_000)));
    // A big data matrix is wide, not tall: it is not limited by the chain bound.
    let row = "1 ".repeat(100);
    let data = format!("[{}]", vec![row; 100].join("; "));
    assert!(parse_program(&data).is_ok());
}

#[test]
fn a_megabyte_of_valid_input_parses_quickly() {
    let header = "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\n";
    let claim = "claim ∇f(x) = Aᵀ(Ax − b)\n      = AᵀAx − Aᵀb\n";
    let count = (1_000_000 - header.len()) / claim.len();
    let source = format!("{header}{}", claim.repeat(count));
    let started = Instant::now();
    let parsed = parse_program(&source).map(|p| p.statements.len());
    assert_eq!(parsed.ok(), Some(count + 2));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_fraction_without_its_denominator_gets_a_hint() {
    let d = error_of("$\\frac{a}$");
    assert!(
        d.hint.as_ref().is_some_and(|h| h.contains("\\frac{a}{b}")),
        "{d:?}"
    );
}

#[test]
fn huge_input_is_refused() {
    let source = "x + ".repeat(300_000);
    let d = parse_program(&source).err().map(|d| d.kind);
    assert_eq!(d, Some(DiagnosticKind::LimitExceeded));
}

/// A deterministic stream of pseudo-random numbers.
fn lcg(seed: u64) -> impl Iterator<Item = u64> {
    let mut state = seed;
    std::iter::from_fn(move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Some(state >> 33)
    })
}

#[test]
fn random_bytes_fail_fast_without_panicking() {
    for seed in 0..4u64 {
        let bytes: Vec<u8> = lcg(seed).take(1_000_000).map(|n| n as u8).collect();
        let source = String::from_utf8_lossy(&bytes).into_owned();
        let started = Instant::now();
        let result = in_small_thread(move || parse_program(&source).is_err());
        assert!(result);
        assert!(started.elapsed() < Duration::from_secs(1), "seed {seed}");
    }
}

#[test]
fn a_megabyte_line_of_random_language_characters_is_handled_quickly() {
    const CHARS: &[char] = &[
        'x', 'y', 'A', 'b', 'α', '2', '+', '−', '·', '/', '²', 'ᵀ', '₁', ' ', '(', ')', '[', ']',
        '‖', ';', ',', '∇', '√', '½', '=', '^', '_',
    ];
    for seed in 0..3u64 {
        let source: String = lcg(seed)
            .take(400_000)
            .filter_map(|n| CHARS.get(n as usize % CHARS.len()))
            .collect();
        assert!(source.len() > 500_000);
        let started = Instant::now();
        let _ = in_small_thread(move || parse_program(&source).map(|p| p.statements.len()));
        assert!(started.elapsed() < Duration::from_secs(1), "seed {seed}");
    }
}

#[test]
fn random_language_soup_never_panics() {
    const PIECES: &[&str] = &[
        "x",
        "A",
        "2",
        "0.5",
        "+",
        "−",
        "*",
        "/",
        "^",
        "²",
        "ᵀ",
        "⁻¹",
        "₁",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "‖",
        "|",
        ";",
        ",",
        " ",
        "\n",
        "=",
        "≈",
        "∇",
        "∂",
        "√",
        "∑",
        "_",
        "'",
        "\\frac",
        "\\|",
        "\\left(",
        "\\right)",
        "sin",
        "claim ",
        "let ",
        "at ",
        "$",
        "½",
        "ℝ",
        ":",
        "∈",
        "f(x)",
        "d/dx",
        "J(",
        "&",
        "\\\\",
        "\\begin{bmatrix}",
        "\\end{bmatrix}",
    ];
    let started = Instant::now();
    in_small_thread(|| {
        let mut rng = lcg(7);
        for len in [3usize, 10, 30, 100, 1_000, 20_000] {
            for _ in 0..50 {
                let source: String = (0..len)
                    .filter_map(|_| {
                        rng.next()
                            .and_then(|n| PIECES.get(n as usize % PIECES.len()))
                    })
                    .copied()
                    .collect();
                let _ = parse_program(&source);
                let _ = parse_expression(&source);
            }
        }
    });
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn spans_are_offsets_into_the_original_text() {
    let source = "½‖Ax − b‖²";
    let e: Expr = parse_expression(source).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(e.span.range(), 0..source.len());
    let text = source.get(e.span.range());
    assert_eq!(text, Some(source));
}
