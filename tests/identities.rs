//! A table of textbook identities: each is read as a user would write it, differentiated, printed
//! (the printed result is pinned in `snapshots/identities.snap`), and the derivative is checked
//! against central finite differences on random instances (random dimensions, non-square
//! included; symmetric and spd matrices where declared).

use nabla::check::sample::{sample_instance, to_f64, SampleOptions};
use nabla::document::{Document, ReadOptions};
use nabla::expr::{Id, Node, Pool, SymbolId};
use nabla::numeric::{evaluate, finite_difference_gradient, finite_difference_jacobian, Dense};
use nabla::print::{print, PrintOptions};
use nabla::syntax::ast::DerivativeKind;
use rand::SeedableRng;
use rand_pcg::Pcg64;

const VECTORS: &str = "A: ℝ^(m×n), B: ℝ^(n×n), S: ℝ^(n×n) symmetric, P: ℝ^(n×n) spd, a: ℝ^n, b: ℝ^m, c: ℝ^n, x: ℝ^n, y: ℝ^m, α: ℝ";
const MATRICES: &str = "A: ℝ^(m×n), B: ℝ^(n×n), X: ℝ^(m×n), Z: ℝ^(n×n), a: ℝ^n, c: ℝ^n";
const SCALARS: &str = "x, y: ℝ";

use DerivativeKind::{Gradient as G, Hessian as H, Jacobian as J, Partial as D};

/// (declarations, expression, operator, variables)
const IDENTITIES: &[(&str, &str, DerivativeKind, &str)] = &[
    // gradients with respect to a vector
    (VECTORS, "aᵀx", G, "x"),
    (VECTORS, "xᵀa", G, "x"),
    (VECTORS, "xᵀx", G, "x"),
    (VECTORS, "‖x‖²", G, "x"),
    (VECTORS, "‖x‖", G, "x"),
    (VECTORS, "xᵀBx", G, "x"),
    (VECTORS, "xᵀSx", G, "x"),
    (VECTORS, "½xᵀPx − cᵀx", G, "x"),
    (VECTORS, "½‖Ax − b‖²", G, "x"),
    (VECTORS, "‖Ax − b‖²", G, "x"),
    (VECTORS, "‖Ax − b‖", G, "x"),
    (VECTORS, "yᵀAx", G, "x"),
    (VECTORS, "yᵀAx", G, "y"),
    (VECTORS, "(aᵀx)²", G, "x"),
    (VECTORS, "(aᵀx)(cᵀx)", G, "x"),
    (VECTORS, "exp(aᵀx)", G, "x"),
    (VECTORS, "log(1 + exp(aᵀx))", G, "x"),
    (VECTORS, "log(1 + exp(aᵀx))", H, "x"),
    (VECTORS, "log(xᵀPx)", G, "x"),
    (VECTORS, "log(1 + ‖Ax − b‖²)", G, "x"),
    (VECTORS, "aᵀx/‖x‖", G, "x"),
    (VECTORS, "xᵀSx/(xᵀx)", G, "x"),
    (VECTORS, "xᵀBx/(xᵀx)", G, "x"),
    (VECTORS, "x/‖x‖", J, "x"),
    (VECTORS, "log(1 + exp(−α aᵀx))", G, "x"),
    (VECTORS, "sum(log(𝟙 + exp(−(b ⊙ (Ax)))))", G, "x"),
    (VECTORS, "−bᵀlog(softmax(Ax))", G, "x"),
    (VECTORS, "σ(aᵀx)", G, "x"),
    (VECTORS, "logsumexp(x)", G, "x"),
    (VECTORS, "logsumexp(Ax)", G, "x"),
    (VECTORS, "sum(exp(x))", G, "x"),
    (VECTORS, "𝟙ᵀtanh(x)", G, "x"),
    (VECTORS, "xᵀ(B + Bᵀ)x", G, "x"),
    (VECTORS, "(x − c)ᵀP(x − c)", G, "x"),
    (VECTORS, "‖Ax − b‖² + α‖x‖²", G, "x"),
    (VECTORS, "xᵀx/2", G, "x"),
    (VECTORS, "sum(softplus(x))", G, "x"),
    (VECTORS, "(xᵀx)²", G, "x"),
    (VECTORS, "xᵀBx + aᵀx + α", G, "x"),
    (VECTORS, "√(xᵀx + 1)", G, "x"),
    // entrywise quotients and square roots (⊘, 1/x, √x)
    (VECTORS, "sum(log(x))", G, "x"),
    (VECTORS, "sum(log(x))", H, "x"),
    (VECTORS, "sum(log(x ⊙ x + 𝟙))", G, "x"),
    (VECTORS, "−sum(log(b − Ax))", G, "x"),
    (VECTORS, "−sum(log(b − Ax))", H, "x"),
    (VECTORS, "sum(√(x ⊙ x + 𝟙))", G, "x"),
    (VECTORS, "𝟙ᵀ(a ⊘ (x ⊙ x + 𝟙))", G, "x"),
    (VECTORS, "sum(1/(𝟙 + exp(−x)))", G, "x"),
    (VECTORS, "sum(log(σ(x)))", G, "x"),
    (VECTORS, "aᵀ√(x ⊙ x + 𝟙)", H, "x"),
    (VECTORS, "√(x ⊙ x + 𝟙)", J, "x"),
    (VECTORS, "x ⊘ (x ⊙ x + 𝟙)", J, "x"),
    // logistic regression (cross-entropy)
    (VECTORS, "−bᵀlog(σ(Ax)) − (𝟙 − b)ᵀlog(𝟙 − σ(Ax))", G, "x"),
    (VECTORS, "−bᵀlog(σ(Ax)) − (𝟙 − b)ᵀlog(𝟙 − σ(Ax))", H, "x"),
    // Hessians
    (VECTORS, "½‖Ax − b‖²", H, "x"),
    (VECTORS, "xᵀBx", H, "x"),
    (VECTORS, "xᵀSx", H, "x"),
    (VECTORS, "‖Ax − b‖² + α‖x‖²", H, "x"),
    (VECTORS, "aᵀx", H, "x"),
    (VECTORS, "(aᵀx)²", H, "x"),
    (VECTORS, "½xᵀPx − cᵀx", H, "x"),
    (VECTORS, "exp(aᵀx)", H, "x"),
    (VECTORS, "logsumexp(x)", H, "x"),
    (VECTORS, "‖x‖²", H, "x"),
    // Jacobians
    (VECTORS, "Ax", J, "x"),
    (VECTORS, "Bx + c", J, "x"),
    (VECTORS, "σ(Ax)", J, "x"),
    (VECTORS, "exp(x)", J, "x"),
    (VECTORS, "tanh(Ax + b)", J, "x"),
    (VECTORS, "x ⊙ a", J, "x"),
    (VECTORS, "softmax(x)", J, "x"),
    (VECTORS, "(aᵀx)x", J, "x"),
    (VECTORS, "Bᵀx", J, "x"),
    (VECTORS, "Aᵀy", J, "y"),
    // gradients with respect to a matrix
    (MATRICES, "tr(Z)", G, "Z"),
    (MATRICES, "tr(BZ)", G, "Z"),
    (MATRICES, "tr(ZᵀBZ)", G, "Z"),
    (MATRICES, "‖Z‖_F²", G, "Z"),
    (MATRICES, "log(det(Z))", G, "Z"),
    (MATRICES, "det(Z)", G, "Z"),
    (MATRICES, "aᵀZc", G, "Z"),
    (MATRICES, "½‖Zc − a‖²", G, "Z"),
    (MATRICES, "tr(Z⁻¹)", G, "Z"),
    (MATRICES, "aᵀZ⁻¹c", G, "Z"),
    (MATRICES, "tr(ZᵀZ)", G, "Z"),
    (MATRICES, "‖X − A‖_F²", G, "X"),
    // scalar calculus
    (SCALARS, "x sin x", D, "x"),
    (SCALARS, "ln(x² + 1)", D, "x"),
    (SCALARS, "sin(x)/x", D, "x"),
    (SCALARS, "x/(1 + x²)", D, "x"),
    (SCALARS, "exp(x)/(1 + exp(x))", D, "x"),
    (SCALARS, "exp(−x²)", D, "x"),
    (SCALARS, "√(1 + x²)", D, "x"),
    (SCALARS, "tanh(x)", D, "x"),
    (SCALARS, "σ(x)", D, "x"),
    (SCALARS, "x²y³ + sin(xy)", D, "x,y"),
    (SCALARS, "arctan(x)", D, "x"),
    (SCALARS, "arcsin(x/(1 + x²))", D, "x"),
    (SCALARS, "arccos(x/(1 + x²))", D, "x"),
    (SCALARS, "arctan(xy)", D, "x,y"),
    (SCALARS, "e^(x²) + sech(x)", D, "x"),
    (VECTORS, "sum(arctan(x))", H, "x"),
    (SCALARS, "exp(x)cos(y)", D, "y,y"),
    (SCALARS, "2x₁² + x₂² + x₁x₂ − 6x₁ − 5x₂", G, "x₁,x₂"),
    (SCALARS, "2x₁² + x₂² + x₁x₂ − 6x₁ − 5x₂", H, "x₁,x₂"),
    (SCALARS, "(1 − x)² + 100(y − x²)²", H, "x,y"),
];

fn symbols(pool: &Pool, e: Id) -> Vec<SymbolId> {
    let mut out = std::collections::BTreeSet::new();
    let mut stack = vec![e];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        match pool.node(x) {
            Node::Sym(s) => {
                out.insert(*s);
            }
            n => stack.extend(n.children()),
        }
    }
    out.into_iter().collect()
}

fn close(a: &Dense<f64>, b: &Dense<f64>) -> bool {
    a.rows == b.rows
        && a.cols == b.cols
        && a.data
            .iter()
            .zip(&b.data)
            .all(|(x, y)| (x - y).abs() <= 1e-4 * (1.0 + x.abs().max(y.abs())))
}

/// Finite-difference value of the derivative operator `d` at an instance.
fn numeric_derivative(
    pool: &Pool,
    kind: DerivativeKind,
    body: Id,
    gradient: Option<Id>,
    wrt: &[SymbolId],
    inst: &nabla::numeric::Instance<f64>,
) -> Option<Dense<f64>> {
    let h = 1e-5;
    match (kind, wrt) {
        (DerivativeKind::Gradient, [v]) => finite_difference_gradient(pool, body, *v, inst, h).ok(),
        (DerivativeKind::Jacobian, [v]) => finite_difference_jacobian(pool, body, *v, inst, h).ok(),
        (DerivativeKind::Hessian, [v]) => {
            finite_difference_jacobian(pool, gradient?, *v, inst, h).ok()
        }
        (DerivativeKind::Gradient, vs) => {
            let parts: Option<Vec<f64>> = vs
                .iter()
                .map(|v| {
                    Some(
                        finite_difference_gradient(pool, body, *v, inst, h)
                            .ok()?
                            .data[0],
                    )
                })
                .collect();
            let parts = parts?;
            Some(Dense {
                rows: parts.len(),
                cols: 1,
                data: parts,
            })
        }
        (DerivativeKind::Hessian, vs) => {
            // The gradient with respect to k scalars is a literal k-vector of partials.
            let Node::Matrix { entries, .. } = pool.node(gradient?) else {
                return None;
            };
            let k = vs.len();
            let mut data = vec![0.0; k * k];
            for (i, &entry) in entries.iter().enumerate() {
                for (j, v) in vs.iter().enumerate() {
                    data[i * k + j] = finite_difference_gradient(pool, entry, *v, inst, h)
                        .ok()?
                        .data[0];
                }
            }
            Some(Dense {
                rows: k,
                cols: k,
                data,
            })
        }
        _ => None,
    }
}

/// A printed entrywise quotient, in each dialect, reads back (with the same declarations) as
/// the same expression: it prints the same in Unicode.
fn reads_back(pool: &Pool, result: Id, decls: &str, unicode: &str) {
    // The entrywise forms (⊘, √ of an array); other rows' textbook forms may re-read in
    // another (equal) arrangement, which `tests/print.rs` covers by value.
    if !unicode.contains('⊘') {
        return;
    }
    let dialects = [
        PrintOptions {
            dialect: nabla::print::Dialect::Unicode,
            width: 10_000,
        },
        PrintOptions {
            dialect: nabla::print::Dialect::Ascii,
            width: 10_000,
        },
        PrintOptions {
            dialect: nabla::print::Dialect::Latex,
            width: 10_000,
        },
    ];
    for options in dialects {
        let written = print(pool, result, &options);
        let source = match options.dialect {
            nabla::print::Dialect::Latex => format!("${written}$"),
            _ => written.clone(),
        };
        let read_options = ReadOptions {
            declarations: Some(decls.to_string()),
            ..ReadOptions::default()
        };
        let doc = Document::read(&source, &read_options)
            .unwrap_or_else(|e| panic!("{written} does not read back: {:?}", e.diagnostic));
        let id = doc.last_expression().expect("an expression");
        assert_eq!(
            print(doc.pool(), id, &PrintOptions::unicode()),
            unicode,
            "{written} reads back as another expression"
        );
    }
}

#[test]
fn textbook_identities() {
    let mut printed = String::new();
    for (k, (decls, expr, kind, wrt)) in IDENTITIES.iter().enumerate() {
        let options = ReadOptions {
            declarations: Some(decls.to_string()),
            ..ReadOptions::default()
        };
        let (mut doc, id) = Document::read_derivative(expr, *kind, wrt, None, &options)
            .unwrap_or_else(|e| panic!("{expr}: {:?}", e.diagnostic));
        let Node::Derivative(d) = doc.pool().node(id).clone() else {
            panic!("{expr}: not a derivative node");
        };
        let result = doc
            .evaluate(id)
            .unwrap_or_else(|e| panic!("{expr} w.r.t. {wrt}: {e}"));
        let text = print(doc.pool(), result, &PrintOptions::unicode());
        printed.push_str(&format!("{kind:?} {wrt} of {expr} = {text}\n"));
        reads_back(doc.pool(), result, decls, &text);

        // Numeric cross-check, on several random instances.
        let pool_for_gradient = &mut doc.lowered.pool;
        let gradient = match kind {
            DerivativeKind::Hessian => {
                Some(nabla::diff::gradient(pool_for_gradient, d.expr, &d.wrt).expect("gradient"))
            }
            _ => None,
        };
        let pool = &doc.lowered.pool;
        let wrt_syms: Vec<SymbolId> = d
            .wrt
            .iter()
            .map(|&w| match pool.node(w) {
                Node::Sym(s) => *s,
                other => panic!("{expr}: variable is {other:?}"),
            })
            .collect();
        let kind = match kind {
            DerivativeKind::Partial if wrt_syms.len() == 1 => DerivativeKind::Gradient,
            other => *other,
        };
        let mut all = symbols(pool, d.expr);
        all.extend(symbols(pool, result));
        all.sort();
        all.dedup();
        let mut rng = Pcg64::seed_from_u64(k as u64 + 17);
        let opts = SampleOptions {
            seed: k as u64,
            max_dim: 4,
            integer_entries: false,
            ..SampleOptions::default()
        };
        let mut checked = 0;
        for _ in 0..60 {
            if checked == 5 {
                break;
            }
            let inst = to_f64(&sample_instance(
                pool,
                &all,
                &std::collections::BTreeSet::new(),
                &mut rng,
                &opts,
            ));
            let Ok(symbolic) = evaluate(pool, result, &inst) else {
                continue;
            };
            let numeric = if kind == DerivativeKind::Partial {
                // Mixed partials: finite differences of the first partial.
                let mut p2 = pool.clone();
                let first = nabla::diff::derivative(&mut p2, d.expr, d.wrt[0]).expect("partial");
                let Ok(fd) = finite_difference_gradient(&p2, first, wrt_syms[1], &inst, 1e-5)
                else {
                    continue;
                };
                fd
            } else {
                let Some(fd) = numeric_derivative(pool, kind, d.expr, gradient, &wrt_syms, &inst)
                else {
                    continue;
                };
                fd
            };
            assert!(
                close(&symbolic, &numeric),
                "{expr} w.r.t. {wrt}: symbolic {symbolic:?} vs finite differences {numeric:?}"
            );
            checked += 1;
        }
        assert!(
            checked >= 3,
            "{expr} w.r.t. {wrt}: only {checked} valid instances"
        );
    }
    assert!(IDENTITIES.len() >= 60);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("identities", printed));
}
