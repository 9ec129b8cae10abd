//! One test per row of NOTATION.md's tables: every spelling of a row (Unicode, ASCII, LaTeX) is
//! read in one document and must give the same expression (derivative rows: the same value).

use nabla::diff::evaluate_derivatives;
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Id, Shape};
use nabla::syntax::lower::LoweredStatement;

/// Reads `decls` then each spelling on its own line; returns the document and the ids.
fn read(decls: &str, spellings: &[&str]) -> (Document, Vec<Id>) {
    let source = format!("{decls}\n{}", spellings.join("\n"));
    let doc = Document::read(&source, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{spellings:?} do not read: {:?}", e.diagnostic));
    let ids: Vec<Id> = doc
        .lowered
        .statements
        .iter()
        .filter_map(|s| match s {
            LoweredStatement::Expr { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), spellings.len(), "{spellings:?}");
    (doc, ids)
}

/// Every spelling lowers to one expression.
fn same(decls: &str, spellings: &[&str]) {
    let (_, ids) = read(decls, spellings);
    for (s, id) in spellings.iter().zip(&ids) {
        assert_eq!(*id, ids[0], "`{s}` differs from `{}`", spellings[0]);
    }
}

/// Every spelling has the same value once derivatives are evaluated.
fn same_value(decls: &str, spellings: &[&str]) {
    let (mut doc, ids) = read(decls, spellings);
    let values: Vec<Id> = ids
        .iter()
        .map(|&id| evaluate_derivatives(&mut doc.lowered.pool, id).expect("evaluates"))
        .collect();
    for (s, v) in spellings.iter().zip(&values) {
        assert_eq!(*v, values[0], "`{s}` differs from `{}`", spellings[0]);
    }
}

const M: &str =
    "let A: ℝ^(n×n), B: ℝ^(n×n), X: ℝ^(m×n), x: ℝ^n, y: ℝ^n, v: ℝ^n, u: ℝ^n, a, b, t: ℝ";

// ---- Types and assumptions ----

#[test]
fn types() {
    let (doc, _) = read(
        "let s: ℝ, p: R, v: ℝ^n, w: ℝⁿ, z: R^n, A: ℝ^(m×n), B: ℝ^{m×n}, C: ℝᵐˣⁿ, D: R^(m x n), E: ℝ^(2×2), e: ℝ^3, S: ℝ^(n×n) symmetric, P ∈ ℝ^(n×n) spd",
        &["s"],
    );
    let shape = |name: &str| {
        let s = doc
            .pool()
            .lookup(name)
            .unwrap_or_else(|| panic!("{name} declared"));
        doc.pool().symbol(s).clone()
    };
    for name in ["s", "p"] {
        assert!(shape(name).shape.is_scalar(), "{name}");
    }
    for name in ["v", "w", "z"] {
        assert_eq!(shape(name).shape, shape("v").shape, "{name}");
        assert!(shape(name).shape.is_column());
    }
    for name in ["A", "B", "C", "D"] {
        assert_eq!(shape(name).shape, shape("A").shape, "{name}");
    }
    assert_eq!(shape("E").shape.to_string(), "ℝ^(2×2)");
    assert_eq!(shape("e").shape.to_string(), "ℝ^3");
    assert!(shape("S").assumptions.symmetric && !shape("S").assumptions.positive_definite);
    assert!(shape("P").assumptions.symmetric && shape("P").assumptions.positive_definite);
}

#[test]
fn undeclared_symbols_take_the_shape_the_expression_forces() {
    let (doc, ids) = read("let A: ℝ^(m×n), x: ℝ^n", &["Ax − b", "c"]);
    let b = doc.pool().lookup("b").expect("b inferred");
    assert_eq!(doc.pool().symbol(b).shape.to_string(), "ℝ^m");
    assert_eq!(*doc.pool().shape(ids[1]), Shape::scalar());
}

// ---- Expressions ----

#[test]
fn product() {
    same(M, &["Ax", "A*x", "A·x", "$A \\cdot x$", "$Ax$"]);
    same(M, &["2x₁x₂", "2*x1*x2", "2*x_1*x_2", "$2x_1x_2$"]);
    same(M, &["a·b", "a × b", "a*b", "ab", "$a \\times b$"]);
}

#[test]
fn power() {
    same(M, &["t²", "t^2", "$t^2$", "t*t"]);
    same(M, &["t³", "t^3", "$t^{3}$"]);
    same("let t, n: ℝ", &["tⁿ", "t^n", "$t^{n}$"]);
}

#[test]
fn transpose() {
    same(M, &["Xᵀ", "X'", "X^T", "$X^\\top$", "$X^T$"]);
}

#[test]
fn inverse_and_pseudo_inverse() {
    same(M, &["A⁻¹", "inv(A)", "$A^{-1}$"]);
    same(M, &["X⁺", "pinv(X)", "$X^+$"]);
}

#[test]
fn fraction() {
    same(M, &["½", "1/2", "$\\frac{1}{2}$", "$\\tfrac12$", "0.5"]);
    same(M, &["a/b", "$\\frac{a}{b}$"]);
}

#[test]
fn norm() {
    same(
        M,
        &[
            "‖v‖",
            "‖v‖₂",
            "norm(v)",
            "||v||",
            "$\\|v\\|_2$",
            "$\\lVert v \\rVert$",
        ],
    );
    same(M, &["‖v‖₁", "norm(v, 1)", "$\\|v\\|_1$"]);
    same(M, &["‖X‖_F", "norm(X, F)", "$\\|X\\|_F$"]);
}

#[test]
fn absolute_value() {
    same(M, &["|t|", "abs(t)", "$\\lvert t \\rvert$"]);
}

#[test]
fn elementwise_and_kronecker_products() {
    same(M, &["x ⊙ y", "x .* y", "$x \\odot y$"]);
    same(M, &["A ⊗ B", "kron(A, B)", "$A \\otimes B$"]);
}

#[test]
fn square_root() {
    same(M, &["√t", "sqrt(t)", "$\\sqrt{t}$", "t^(1/2)"]);
    same(M, &["√(t + 1)", "sqrt(t + 1)", "$\\sqrt{t+1}$"]);
}

#[test]
fn subscripts() {
    same(M, &["x₁", "x_1", "x1", "$x_1$", "x_{1}"]);
    same("let w: ℝ^(n×n), i, j: ℝ", &["w_{ji}", "wⱼᵢ", "$w_{ji}$"]);
}

#[test]
fn sums_over_data() {
    same(
        "let w, b: ℝ",
        &[
            "∑_{i=1}^{N} (yᵢ − w xᵢ − b)²",
            "sum(i = 1..N, (y_i - w*x_i - b)^2)",
            "$\\sum_{i=1}^{N} (y_i - w x_i - b)^2$",
        ],
    );
}

#[test]
fn matrices_and_vectors() {
    same(
        M,
        &[
            "[4 1; 1 2]",
            "[4, 1; 1, 2]",
            "$\\begin{bmatrix} 4 & 1 \\\\ 1 & 2 \\end{bmatrix}$",
            "$\\begin{pmatrix} 4 & 1 \\\\ 1 & 2 \\end{pmatrix}$",
        ],
    );
    same(M, &["[1; 2]", "$\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}$"]);
}

#[test]
fn identity_ones_zero() {
    same(M, &["A + I", "A + I"]);
    same(M, &["x + 𝟙", "x + ones", "$x + \\mathbf{1}$"]);
    same(M, &["x + 0", "x"]);
}

#[test]
fn functions() {
    for f in [
        "sin", "cos", "tan", "exp", "log", "tanh", "softplus", "relu", "abs", "sign",
    ] {
        same(M, &[&format!("{f}(t)"), &format!("{f}(t)")]);
    }
    same(M, &["ln(t)", "log(t)", "$\\ln t$", "$\\log t$"]);
    same(M, &["σ(t)", "sigmoid(t)", "$\\sigma(t)$"]);
    same(M, &["sin t", "sin(t)", "$\\sin t$"]);
    same(M, &["tr(A)", "$\\operatorname{tr}(A)$"]);
    same(M, &["det(A)", "$\\det(A)$"]);
    same(M, &["diag(x)", "diag(x)"]);
    same(M, &["sum(x)", "sum(x)"]);
    same(M, &["softmax(x)", "softmax(x)"]);
    same(M, &["logsumexp(x)", "logsumexp(x)"]);
    // scalar functions act elementwise on vectors
    let (doc, ids) = read(M, &["exp(x)"]);
    assert_eq!(doc.pool().shape(ids[0]).to_string(), "ℝ^n");
}

// ---- Derivatives ----

const F: &str = "let A: ℝ^(n×n), x: ℝ^n, u: ℝ^n, W: ℝ^(m×n)\nf(x) = ½xᵀAx\ng(x) = σ(Wx)";

#[test]
fn gradient() {
    same_value(
        F,
        &[
            "∇f(x)",
            "∇ₓ f(x)",
            "grad(f(x), x)",
            "$\\nabla_x f(x)$",
            "∇_x (½xᵀAx)",
        ],
    );
}

#[test]
fn hessian() {
    same_value(
        F,
        &["∇²f(x)", "∇ₓ² f(x)", "hess(f(x), x)", "$\\nabla^2_x f(x)$"],
    );
}

#[test]
fn jacobian() {
    same_value(F, &["J(g, x)", "J_x g(x)", "jac(g(x), x)", "$J_x g(x)$"]);
}

#[test]
fn partial() {
    let decls = "let x, y: ℝ, x₁, x₂: ℝ\nf(x, y) = x²y³\nh(x₁, x₂) = x₁²x₂³";
    same_value(
        decls,
        &[
            "∂h/∂x₁",
            "diff(h, x1)",
            "$\\frac{\\partial h}{\\partial x_1}$",
            "∂/∂x₁ (x₁²x₂³)",
        ],
    );
    same_value(decls, &["∂²f/∂x∂y", "diff(f, x, y)"]);
}

#[test]
fn ordinary() {
    let decls = "let x: ℝ\nf(x) = x sin x";
    same_value(
        decls,
        &[
            "d/dx (x sin x)",
            "diff(x*sin(x), x)",
            "$\\frac{d}{dx} (x \\sin x)$",
            "f'(x)",
        ],
    );
    same_value(decls, &["f''(x)", "d/dx (d/dx (x sin x))"]);
}

#[test]
fn directional() {
    same_value(
        F,
        &["D_u f(x)", "ddir(f(x), x, u)", "$D_u f(x)$", "(∇f(x))ᵀu"],
    );
}

#[test]
fn evaluate_at_a_point() {
    same_value("let x: ℝ^2\nf(x) = xᵀx", &["∇f(x) at x = [1; 1]", "[2; 2]"]);
}

#[test]
fn claims_at_a_point_and_approximately() {
    let source = "let x, y: ℝ\nf(x, y) = (1 − x)² + 100(y − x²)²\nclaim ∇²f(x, y) = [802 −400; −400 200] at x = 1, y = 1\nclaim f(x, y) ≈ 0.02 at x = 1.1, y = 1.2\nclaim f(x, y) ~= 0.02 at x = 1.1, y = 1.2\nclaim $f(x, y) \\approx 0.02$ at x = 1.1, y = 1.2";
    let mut doc = Document::read(source, &ReadOptions::default()).expect("reads");
    let report =
        nabla::check::check_program(&mut doc.lowered, &nabla::check::CheckOptions::default());
    assert!(!report.has_failure(), "{report:?}");
    assert_eq!(report.claims().count(), 4);
}

// ---- Numeric statements ----

#[test]
fn numeric_statements_read() {
    let source = "let x: ℝ^2, A: ℝ^(3×2), b: ℝ^3\nf(x) = ½‖Ax − b‖²\ndescend f from x = [0; 0] using gd(step = 0.2, iters = 25)\ndescend f from x = 0 using gd(line_search)\ndescend f from x = 0 using exact\ndescend f from x = 0 using momentum(step = 0.1, γ = 0.9)\ndescend f from x = [1; 1] using newton\nclassify f at x = [0; 0]\ncritical f\ndescend f from x = 0 with A = [1 2; 3 4; 5 6], b = [1; 2; 3] using gd(step = 0.05, iters = 500)";
    let doc = Document::read(source, &ReadOptions::default()).expect("reads");
    let numeric = doc
        .lowered
        .statements
        .iter()
        .filter(|s| {
            matches!(
                s,
                LoweredStatement::Descend { .. }
                    | LoweredStatement::Classify { .. }
                    | LoweredStatement::Critical { .. }
            )
        })
        .count();
    assert_eq!(numeric, 8);
}
