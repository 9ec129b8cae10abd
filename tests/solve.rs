//! Worked solutions (`nabla solve`): snapshots of a corpus of scalar, vector and matrix problems;
//! every equation of every generated solution read back through nabla's LaTeX reader and
//! checked (`=` must hold, `≠` must be refuted); every LaTeX document compiled with pdflatex
//! with no error and no overfull line.

use nabla::check::{check_program, CheckOptions, StatementReport};
use nabla::document::{Document, ReadOptions};
use nabla::expr::Node;
use nabla::solve::{derive, render, Format, Goal, Solution};
use nabla::syntax::ast::DerivativeKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A problem: name, expression, variables, declarations, what to derive.
struct Problem {
    name: &'static str,
    expr: &'static str,
    wrt: &'static str,
    decls: &'static str,
    goal: &'static str,
}

const fn p(
    name: &'static str,
    expr: &'static str,
    wrt: &'static str,
    decls: &'static str,
    goal: &'static str,
) -> Problem {
    Problem {
        name,
        expr,
        wrt,
        decls,
        goal,
    }
}

const PROBLEMS: &[Problem] = &[
    // scalar calculus
    p("product", "x^3 sin x", "x", "", "diff"),
    p("chain", "sin(x^2)", "x", "", "diff"),
    p("quotient", "exp(x)/(1 + x^2)", "x", "", "diff"),
    p("log_chain", "log(x^2 + 1)", "x", "", "diff"),
    p("sqrt", "√(1 + x^2)", "x", "", "diff"),
    p("exponential", "2^x + x^2", "x", "", "diff"),
    p("tanh_sigmoid", "tanh(3x) + σ(x)", "x", "", "diff"),
    p("kinks", "relu(x) + |x − 1|", "x", "", "diff"),
    p("second_derivative", "x^4 − 3x^2 + cos x", "x", "", "hess"),
    p("two_variables", "x^2 y + y^3", "x,y", "", "grad"),
    p("hessian_two_variables", "x^2 y + y^3", "x,y", "", "hess"),
    p(
        "long_polynomial",
        "(x^5 + 3x^4 − 2x^3 + x^2 − 7x + 11) exp(x) sin(x) + (x^3 − 2x + 5)^4 cos(2x)",
        "x",
        "",
        "diff",
    ),
    p(
        "deep_composition",
        "sin(cos(exp(log(√(1 + x^2 + x^4)))))^3 tanh(x^2 + 3x)^5 + (x^7 − 3x^5 + 2x^3 − x + 4)^6",
        "x",
        "",
        "diff",
    ),
    // vector calculus
    p(
        "least_squares",
        "½‖Ax − b‖²",
        "x",
        "A: ℝ^(m×n), x: ℝ^n",
        "grad",
    ),
    p(
        "least_squares_hessian",
        "½‖Ax − b‖²",
        "x",
        "A: ℝ^(m×n), x: ℝ^n",
        "hess",
    ),
    p("quadratic_form", "xᵀAx", "x", "A: ℝ^(n×n), x: ℝ^n", "grad"),
    p(
        "quadratic_form_hessian",
        "xᵀAx",
        "x",
        "A: ℝ^(n×n), x: ℝ^n",
        "hess",
    ),
    p(
        "linear_plus_norm",
        "aᵀx + ‖x‖²",
        "x",
        "a: ℝ^n, x: ℝ^n",
        "grad",
    ),
    p(
        "logistic",
        "log(1 + exp(wᵀx))",
        "w",
        "w: ℝ^n, x: ℝ^n",
        "grad",
    ),
    p("norm", "‖x‖", "x", "x: ℝ^n", "grad"),
    p("logsumexp", "logsumexp(x)", "x", "x: ℝ^n", "grad"),
    p(
        "affine_jacobian",
        "Ax + b",
        "x",
        "A: ℝ^(m×n), x: ℝ^n",
        "jac",
    ),
    p("sigmoid_layer", "σ(Wx)", "x", "W: ℝ^(m×n), x: ℝ^n", "jac"),
    p(
        "ridge",
        "‖Xw − y‖² + λ‖w‖²",
        "w",
        "X: ℝ^(N×d), w: ℝ^d, λ: ℝ",
        "hess",
    ),
    p(
        "two_layer_network",
        "‖W₂ tanh(W₁x + b₁) − y‖²",
        "x",
        "W₁: ℝ^(h×n), W₂: ℝ^(m×h), x: ℝ^n, b₁: ℝ^h, y: ℝ^m",
        "grad",
    ),
    // matrix calculus
    p(
        "log_det_trace",
        "log det X + tr(AX)",
        "X",
        "A: ℝ^(n×n), X: ℝ^(n×n)",
        "grad",
    ),
    p(
        "frobenius",
        "‖XW − Y‖_F²",
        "W",
        "X: ℝ^(N×d), W: ℝ^(d×k), Y: ℝ^(N×k)",
        "grad",
    ),
    p(
        "trace_quadratic",
        "tr(XᵀAX)",
        "X",
        "A: ℝ^(n×n), X: ℝ^(n×k)",
        "grad",
    ),
    p("determinant", "det(X)", "X", "X: ℝ^(n×n)", "grad"),
    p(
        "inverse_quadratic",
        "aᵀX⁻¹b",
        "X",
        "a: ℝ^n, b: ℝ^n, X: ℝ^(n×n)",
        "grad",
    ),
    // concrete sizes: literal results that must fit the page
    p(
        "rosenbrock_4",
        "100(x₂ − x₁²)² + (1 − x₁)² + 100(x₃ − x₂²)² + (1 − x₂)² + 100(x₄ − x₃²)² + (1 − x₃)²",
        "x₁,x₂,x₃,x₄",
        "",
        "grad",
    ),
];

fn solve(problem: &Problem) -> (Solution, Document) {
    let kind = match problem.goal {
        "hess" => DerivativeKind::Hessian,
        "jac" => DerivativeKind::Jacobian,
        _ => DerivativeKind::Gradient,
    };
    let options = ReadOptions {
        declarations: (!problem.decls.is_empty()).then(|| problem.decls.to_string()),
        ..ReadOptions::default()
    };
    let (mut doc, id) = Document::read_derivative(problem.expr, kind, problem.wrt, None, &options)
        .unwrap_or_else(|e| panic!("{}: {:?}", problem.name, e.diagnostic));
    let pool = &mut doc.lowered.pool;
    let Node::Derivative(d) = pool.node(id).clone() else {
        panic!("{}: not a derivative", problem.name);
    };
    let goal = match problem.goal {
        "hess" => Goal::Hessian,
        "jac" => Goal::Jacobian(nabla::diff::Layout::Numerator),
        "diff" => Goal::Derivative,
        _ => Goal::Gradient,
    };
    let solution =
        derive(pool, d.expr, &d.wrt, goal).unwrap_or_else(|e| panic!("{}: {e}", problem.name));
    (solution, doc)
}

#[test]
fn worked_solutions_match_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for problem in PROBLEMS {
        let (solution, doc) = solve(problem);
        let text = render(&solution, doc.pool(), Format::Unicode);
        settings.bind(|| insta::assert_snapshot!(format!("solve_{}", problem.name), text));
    }
}

/// A derivation file with a wrong claim and a descent: verdicts, the correction, the iterates
/// as a table.
#[test]
fn a_checked_file_with_a_descent_is_pinned() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/numeric/bowl-wrong.nabla");
    let (text, err, code) = nabla(&["solve", &path.to_string_lossy()]);
    assert_eq!(code, 1, "{err}");
    assert!(text.contains("✗ Step 1 is wrong"), "{text}");
    assert!(text.contains("  ──  "), "the iterates as a table: {text}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("solve_file_bowl_wrong", text));
}

#[test]
fn latex_documents_are_pinned_for_two_problems() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for name in ["least_squares", "product"] {
        let problem = PROBLEMS
            .iter()
            .find(|p| p.name == name)
            .expect("in the corpus");
        let (solution, doc) = solve(problem);
        let tex = render(&solution, doc.pool(), Format::LatexDocument);
        settings.bind(|| insta::assert_snapshot!(format!("solve_{name}_latex"), tex));
        let fragment = render(&solution, doc.pool(), Format::LatexFragment);
        settings.bind(|| insta::assert_snapshot!(format!("solve_{name}_fragment"), fragment));
    }
}

/// The final result is what the differentiation commands compute.
#[test]
fn every_boxed_result_is_the_computed_derivative() {
    for problem in PROBLEMS {
        let (solution, mut doc) = solve(problem);
        let boxed: Vec<&nabla::solve::Equation> = solution
            .blocks
            .iter()
            .filter_map(|b| match b {
                nabla::solve::Block::Equation(e) if e.boxed => Some(e),
                _ => None,
            })
            .collect();
        let last = boxed
            .last()
            .unwrap_or_else(|| panic!("{}: no result", problem.name));
        let shown = last.chain.last().map(|c| c.1).expect("a result");
        // Evaluate the boxed equation's left side (the derivative operator) as nabla does.
        let computed = doc.evaluate(last.lhs).expect("evaluates");
        assert_eq!(
            shown, computed,
            "{}: the boxed result differs from the computed derivative",
            problem.name
        );
    }
}

/// One equation of a generated LaTeX text: expressions and the relations between them.
#[derive(Debug)]
struct Chain {
    first: String,
    rest: Vec<(&'static str, String)>,
    at: Option<String>,
}

/// Reads the `align*` (document) or `aligned` (fragment, Markdown) blocks of a LaTeX text back
/// into chains: rows `lhs &= a`, `&= b`, `&\neq c`, continuations `&\quad …`.
fn chains(tex: &str) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut rest = tex;
    while let Some(start) = rest.find("\\begin{align") {
        let body_start = start + rest[start..].find('\n').expect("a newline") + 1;
        let end = rest[body_start..].find("\\end{align").expect("an end") + body_start;
        let body = &rest[body_start..end];
        let after = &rest[end..];
        let at = after
            .lines()
            .nth(1)
            .and_then(|l| l.strip_prefix("at $"))
            .and_then(|l| l.strip_suffix("$."))
            .map(str::to_string);
        // A fragment holds many equations separated by `\\[4pt]`.
        for equation in body.split("\\\\[4pt]") {
            if let Some(c) = chain(equation, at.clone()) {
                out.push(c);
            }
        }
        rest = after;
    }
    out
}

fn chain(body: &str, at: Option<String>) -> Option<Chain> {
    let mut first: Option<String> = None;
    let mut items: Vec<(&'static str, String)> = Vec::new();
    for row in body.split("\\\\\n") {
        let row = row.trim();
        if row.is_empty() {
            continue;
        }
        // The fragment's rule name beside the row.
        let row = match row.find(" && \\text{") {
            Some(i) => &row[..i],
            None => row,
        };
        let row = unwrap(row);
        if let Some(cont) = row.strip_prefix("&\\quad ") {
            if let Some(fragment_at) = cont.strip_prefix("\\text{at }") {
                let _ = fragment_at;
                continue;
            }
            match items.last_mut() {
                Some(last) => {
                    last.1.push(' ');
                    last.1.push_str(cont);
                }
                None => {
                    let f = first.as_mut()?;
                    f.push(' ');
                    f.push_str(cont);
                }
            }
            continue;
        }
        let (lhs, relation_and_rhs) = row.split_once('&')?;
        if !lhs.trim().is_empty() {
            first = Some(lhs.trim().to_string());
        }
        let r = relation_and_rhs.trim();
        let relation = [
            ("=", "="),
            ("\\neq", "≠"),
            ("\\approx", "≈"),
            ("\\stackrel{?}{=}", "?"),
        ]
        .into_iter()
        .find_map(|(sign, name)| r.strip_prefix(sign).map(|e| (name, e.trim().to_string())));
        match relation {
            Some(item) => items.push(item),
            // `& lhs`: a long left side on a row of its own.
            None => first = Some(r.to_string()),
        }
    }
    Some(Chain {
        first: first?,
        rest: items,
        at,
    })
}

/// Removes `\boxed{…}` and `\resizebox{…}{!}{$\displaystyle …$}` around a row's expression.
fn unwrap(row: &str) -> String {
    let mut s = row.to_string();
    if let Some(i) = s.find("\\resizebox{") {
        let inner_start = s[i..].find("{$\\displaystyle ").expect("a box") + i;
        let content_start = inner_start + "{$\\displaystyle ".len();
        let content_end = s.rfind("$}").expect("box end");
        s = format!("{}{}", &s[..i], &s[content_start..content_end]);
    }
    while let Some(i) = s.find("\\boxed{") {
        let open = i + "\\boxed".len();
        let close = matching_brace(&s, open).expect("balanced");
        s = format!("{}{}{}", &s[..i], &s[open + 1..close], &s[close + 1..]);
    }
    s
}

fn matching_brace(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A derivation file claiming each consecutive pair of every chain; returns it and, per claim,
/// the relation shown: `=`, `≈` must hold, `≠` must be refuted, `?` must not be refuted.
fn claims_file(declarations: &str, chains: &[Chain]) -> (String, Vec<(&'static str, String)>) {
    let mut text = String::new();
    if !declarations.is_empty() {
        text.push_str(&format!("let {declarations}\n"));
    }
    let mut expectations = Vec::new();
    for c in chains {
        let mut previous = c.first.clone();
        for (relation, e) in &c.rest {
            let at =
                c.at.as_ref()
                    .map(|a| format!(" at ${a}$"))
                    .unwrap_or_default();
            let sign = if *relation == "≈" { "\\approx" } else { "=" };
            let line = format!("claim ${previous} {sign} {e}${at}\n");
            text.push_str(&line);
            expectations.push((*relation, line));
            previous = e.clone();
        }
    }
    (text, expectations)
}

fn assert_all_check(name: &str, declarations: &str, tex: &str) -> usize {
    let chains = chains(tex);
    assert!(!chains.is_empty(), "{name}: no equations found");
    let (file, expectations) = claims_file(declarations, &chains);
    let mut doc = Document::read(&file, &ReadOptions::default()).unwrap_or_else(|e| {
        panic!(
            "{name}: the LaTeX does not read back: {:?}\n{file}",
            e.diagnostic
        )
    });
    let report = check_program(&mut doc.lowered, &CheckOptions::default());
    let claims: Vec<_> = report
        .statements
        .iter()
        .filter_map(|s| match s {
            StatementReport::Claim(c) => Some(c),
            StatementReport::Numeric(_) | StatementReport::Unreadable { .. } => None,
        })
        .collect();
    assert_eq!(claims.len(), expectations.len(), "{name}");
    check_with_the_cli(name, &file, &expectations);
    for (c, (relation, line)) in claims.iter().zip(&expectations) {
        let verdict = &c.steps[0].verdict;
        match *relation {
            "≠" => assert!(
                verdict.fails(),
                "{name}: {line} should be wrong, is {verdict:?}"
            ),
            "?" => assert!(
                !verdict.fails(),
                "{name}: {line} shown undecided, is {verdict:?}"
            ),
            _ => assert!(verdict.holds(), "{name}: {line} is {verdict:?}"),
        }
    }
    expectations.len()
}

/// The same file through `nabla check`: exit 1 exactly when a step is shown as `≠`, else 0
/// (or 3 when a step is shown undecided).
fn check_with_the_cli(name: &str, file: &str, expectations: &[(&str, String)]) {
    let dir = scratch("cli-check");
    let path = dir.join(format!("{}.nabla", name.replace(['/', '.'], "_")));
    std::fs::write(&path, file).expect("write");
    let (_, err, code) = nabla(&["check", &path.to_string_lossy()]);
    let wrong = expectations.iter().any(|(r, _)| *r == "≠");
    let undecided = expectations.iter().any(|(r, _)| *r == "?");
    let expected: &[i32] = match (wrong, undecided) {
        (true, _) => &[1],
        (false, true) => &[0, 3],
        (false, false) => &[0],
    };
    assert!(
        expected.contains(&code),
        "{name}: nabla check exits {code}: {err}"
    );
}

#[test]
fn every_equation_of_every_solution_reads_back_and_checks() {
    let mut total = 0;
    for problem in PROBLEMS {
        let (solution, doc) = solve(problem);
        for format in [
            Format::LatexDocument,
            Format::LatexFragment,
            Format::Markdown,
        ] {
            let tex = render(&solution, doc.pool(), format);
            let tex = tex.replace("$$\n\\begin{aligned}", "\\begin{aligned}");
            total += assert_all_check(problem.name, &solution.declarations, &tex);
        }
    }
    assert!(total > 300, "only {total} equations checked");
}

fn nabla(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_nabla"))
        .args(args)
        .output()
        .expect("nabla runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-solve-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The derivation files of the test corpus as worked solutions: `=` steps hold, `≠` steps (the
/// wrong ones, marked so) are refuted, and the corrections check.
#[test]
fn derivation_files_as_worked_solutions_read_back_and_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/derivations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/derivations")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "nabla"))
        .collect();
    files.sort();
    let mut checked = 0;
    for path in &files {
        let path = path.to_string_lossy().into_owned();
        let (tex, err, code) = nabla(&["solve", &path, "--to", "latex"]);
        if code == 2 {
            // An unreadable file has no worked solution; the error says why.
            assert!(!err.is_empty(), "{path}: exit {code} without a message");
            continue;
        }
        assert!(matches!(code, 0 | 1 | 3), "{path}: exit {code}: {err}");
        let declarations = declarations_of(&tex);
        checked += assert_all_check(&path, &declarations, &tex);
    }
    assert!(checked > 40, "only {checked} equations checked");
}

/// The declarations a generated document states ("Throughout, $A \in \mathbb{R}^{m \times n}$,
/// …"), as a `let` list in LaTeX spelling.
fn declarations_of(tex: &str) -> String {
    let Some(line) = tex.lines().find(|l| l.starts_with("Throughout, ")) else {
        return String::new();
    };
    let mut out: Vec<String> = Vec::new();
    for (i, piece) in line.split('$').enumerate().skip(1) {
        if i % 2 == 0 {
            // Text after a declaration: its assumption.
            if let Some(last) = out.last_mut() {
                if piece.contains("(symmetric positive definite)") {
                    last.push_str(" spd");
                } else if piece.contains("(symmetric)") {
                    last.push_str(" symmetric");
                }
            }
            continue;
        }
        if let Some((name, shape)) = piece.split_once(" \\in ") {
            let shape = shape
                .replace("\\mathbb{R}", "ℝ")
                .replace(" \\times ", "×")
                .replace('{', "(")
                .replace('}', ")");
            out.push(format!("{}: {shape}", name.replace("\\", "")));
        }
    }
    out.join(", ")
}

#[test]
fn the_issue_sessions_work() {
    let dir = scratch("sessions");
    let tex = dir.join("ls.tex");
    let tex = tex.to_string_lossy();
    let (_, err, code) = nabla(&[
        "solve",
        "½‖Ax − b‖²",
        "--wrt",
        "x",
        "--let",
        "A: ℝ^(m×n), x: ℝ^n",
        "--latex",
        &tex,
    ]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&*tex).expect("written");
    assert!(written.starts_with("\\documentclass"));
    assert!(written.contains("\\boxed{A^\\top (A x - b)}"), "{written}");
    let hw = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/homework-mistakes.nabla");
    let (md, _, code) = nabla(&["solve", &hw.to_string_lossy(), "--to", "markdown"]);
    assert_eq!(code, 1, "a file with wrong claims exits 1, as check does");
    assert!(md.contains("$$") && md.contains("missing factor 2"), "{md}");
    assert!(md.contains("\\neq"), "a wrong step is shown as ≠");
    let (out, err, code) = nabla(&["solve", "x^3 sin x"]);
    assert_eq!((out.as_str(), code), ("", 2));
    assert!(err.contains("--wrt"), "{err}");
    let (fragment, _, code) = nabla(&["solve", "sin(x^2)", "--wrt", "x", "--fragment"]);
    assert_eq!(code, 0);
    assert!(fragment.starts_with("\\begin{aligned}") && !fragment.contains("\\documentclass"));
}

/// Compiles every generated document with pdflatex: no error, no overfull line. Without a LaTeX
/// engine the test says so and passes locally; in CI (`CI` set) it fails instead.
#[test]
fn every_document_compiles_with_pdflatex() {
    let engine = Command::new("pdflatex").arg("--version").output();
    if engine.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdflatex is not installed, but CI must compile the documents (.ci/run installs \
             texlive-latex-base)"
        );
        eprintln!(
            "NOTE: pdflatex not found — the LaTeX documents were NOT compiled. Install TeX Live \
             (apt-get install texlive-latex-base) to run this test."
        );
        return;
    }
    let dir = scratch("pdflatex");
    let mut documents: Vec<(String, String)> = PROBLEMS
        .iter()
        .map(|problem| {
            let (solution, doc) = solve(problem);
            (
                problem.name.to_string(),
                render(&solution, doc.pool(), Format::LatexDocument),
            )
        })
        .collect();
    for (name, file) in [
        ("homework", "examples/homework-mistakes.nabla"),
        ("descent", "tests/numeric/bowl-wrong.nabla"),
        ("classify", "tests/numeric/saddle.nabla"),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let (tex, _, _) = nabla(&["solve", &path.to_string_lossy(), "--to", "latex"]);
        documents.push((name.into(), tex));
    }
    for (name, tex) in documents {
        let file = dir.join(format!("{name}.tex"));
        std::fs::write(&file, tex).expect("write");
        let out = Command::new("pdflatex")
            .args(["-interaction=nonstopmode", "-halt-on-error"])
            .arg(&file)
            .current_dir(&dir)
            .output()
            .expect("pdflatex runs");
        let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
        assert!(
            out.status.success(),
            "{name}.tex does not compile:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let overfull: Vec<&str> = log.lines().filter(|l| l.contains("Overfull")).collect();
        assert!(
            overfull.is_empty(),
            "{name}.tex has overfull lines: {overfull:?}"
        );
    }
}

/// Every fragment and every `$$` block of the Markdown renders in KaTeX (strict mode, errors
/// thrown). Needs `node` and KaTeX: `NABLA_KATEX` names the katex module directory (`.ci/run`
/// installs it with npm). Without it the test says so and passes locally; in CI it fails.
#[test]
fn every_fragment_renders_in_katex() {
    let Some(katex) = std::env::var_os("NABLA_KATEX") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "NABLA_KATEX is not set, but CI must render the fragments with KaTeX"
        );
        eprintln!(
            "NOTE: NABLA_KATEX not set — the fragments were NOT rendered with KaTeX. Run \
             `npm install --prefix target/katex katex@0.16` and set \
             NABLA_KATEX=target/katex/node_modules/katex to run this test."
        );
        return;
    };
    let dir = scratch("katex");
    let mut files = Vec::new();
    for problem in PROBLEMS {
        let (solution, doc) = solve(problem);
        let fragment = render(&solution, doc.pool(), Format::LatexFragment);
        let path = dir.join(format!("{}-fragment.tex", problem.name));
        std::fs::write(&path, fragment).expect("write");
        files.push(path);
        let markdown = render(&solution, doc.pool(), Format::Markdown);
        for (k, block) in markdown.split("$$").skip(1).step_by(2).enumerate() {
            let path = dir.join(format!("{}-markdown-{k}.tex", problem.name));
            std::fs::write(&path, block).expect("write");
            files.push(path);
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/katex-render.js");
    let out = Command::new("node")
        .arg(script)
        .arg(katex)
        .args(&files)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "KaTeX rejects some output:\n{report}");
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len()
    );
}
