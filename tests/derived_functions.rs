//! `sec`, `csc`, `cot`, `sinh`, `cosh`, `sech`, `csch`, `coth` and the inverse hyperbolic
//! functions, read through the built-in functions, and the built-in `arcsin`, `arccos`, `arctan`:
//! their values and textbook derivatives hold (and wrong ones are refuted) by the checker, in every
//! spelling; common functions nabla lacks are reported by name with a hint instead of being read
//! as products of letters (`arcsec` is not a·r·c·s·e·c); `e` is Euler's number unless declared.

use nabla::check::{check_program, CheckOptions, StatementReport, Verdict};
use nabla::document::{Document, ReadOptions};
use nabla::syntax::diagnostic::DiagnosticKind;

/// The verdict on every step of every claim of `source`.
fn verdicts(source: &str) -> Vec<Verdict> {
    let mut doc = match Document::read(source, &ReadOptions::default()) {
        Ok(d) => d,
        Err(e) => panic!("{source:?} does not read: {:?}", e.diagnostic),
    };
    check_program(&mut doc.lowered, &CheckOptions::default())
        .statements
        .into_iter()
        .flat_map(|s| match s {
            StatementReport::Claim(c) => c.steps.into_iter().map(|s| s.verdict).collect(),
            StatementReport::Numeric(_) | StatementReport::Unreadable { .. } => Vec::new(),
        })
        .collect()
}

fn assert_all(claims: &[&str], holds: bool) {
    for claim in claims {
        let source = format!("let x: ℝ\nclaim {claim}\n");
        let v = verdicts(&source);
        assert!(!v.is_empty(), "{claim}: no verdict");
        for verdict in v {
            let ok = if holds {
                verdict.holds()
            } else {
                verdict.fails()
            };
            assert!(ok, "{claim}: {verdict:?}");
        }
    }
}

#[test]
fn values_agree_with_the_textbook_to_the_digits_written() {
    assert_all(
        &[
            "sec(0.5) ≈ 1.1395",
            "csc(1) ≈ 1.1884",
            "cot(1) ≈ 0.6421",
            "sinh(1) ≈ 1.1752",
            "cosh(1) ≈ 1.5431",
            "cosh(2)² − sinh(2)² ≈ 1.0000",
        ],
        true,
    );
    assert_all(&["sec(0.5) ≈ 0.8776", "sinh(1) ≈ 1.5431"], false);
}

#[test]
fn textbook_derivatives_hold_in_every_spelling() {
    assert_all(
        &[
            "d/dx sec(x) = sec(x) tan(x)",
            "d/dx sec x = sin x / cos² x",
            "d/dx csc(x) = −csc(x) cot(x)",
            "d/dx cot(x) = −csc(x)²",
            "d/dx cot(x) = −1 − cot(x)²",
            "d/dx sinh(x) = cosh(x)",
            "d/dx cosh x = sinh x",
            "diff(sinh(x^2), x) = 2*x*cosh(x^2)",
            "\\frac{d}{dx} \\sec x = \\sec x \\tan x",
            "\\frac{d}{dx} \\cosh(3x) = 3\\sinh(3x)",
            "cosh(x)² − sinh(x)² = 1",
            "d/dx arcsin(x) = 1/√(1 − x²)",
            "d/dx arccos x = −1/√(1 − x²)",
            "d/dx arctan(x) = 1/(1 + x²)",
            "d/dx atan(2x) = 2/(1 + 4x²)",
            "\\frac{d}{dx} \\arctan(x^2) = \\frac{2x}{1 + x^4}",
            "d/dx tanh(x) = sech(x)²",
            "d/dx sech(x) = −sech(x) tanh(x)",
            "d/dx coth(x) = −csch(x)²",
            "d/dx arsinh(x) = 1/√(x² + 1)",
            "d/dx artanh(x) = 1/(1 − x²)",
            "d/dx e^(3x) = 3e^(3x)",
            "d/dx e^x = e^x",
            "e^(2x) e^(−x) = e^x",
            "arctan(1) ≈ 0.7854",
            "arcsin(0.5) ≈ 0.5236",
        ],
        true,
    );
    assert_all(
        &[
            "d/dx arcsin(x) = 1/√(1 + x²)",
            "d/dx arccos(x) = 1/√(1 − x²)",
            "d/dx arctan(x) = 1/(1 − x²)",
            "d/dx sech(x) = sech(x) tanh(x)",
            "d/dx e^(3x) = e^(3x)",
        ],
        false,
    );
}

#[test]
fn wrong_derivatives_are_refuted() {
    assert_all(
        &[
            "d/dx sec(x) = sec(x)²",
            "d/dx csc(x) = csc(x) cot(x)",
            "d/dx cot(x) = csc(x)²",
            "d/dx cosh(x) = −sinh(x)",
            "d/dx sinh(2x) = cosh(2x)",
        ],
        false,
    );
}

/// The diagnostic of a source that does not read.
fn error_of(source: &str) -> nabla::syntax::diagnostic::Diagnostic {
    match Document::read(source, &ReadOptions::default()) {
        Ok(_) => panic!("{source:?} read"),
        Err(e) => e.diagnostic,
    }
}

#[test]
fn missing_functions_are_named_with_a_hint_not_split_into_letters() {
    for (source, hint) in [
        (
            "let x: ℝ\nclaim d/dx arcsec(x) = 1",
            "inverse trigonometric",
        ),
        ("let x: ℝ\nclaim d/dx arccot x = 1", "inverse trigonometric"),
        ("let x: ℝ\nclaim max(x, 1) = x", "relu"),
        ("let x: ℝ\nclaim floor(x) = x", "not built in"),
        ("let x: ℝ\nclaim log10(x) = 1", "log(x)/log(10)"),
        ("let x: ℝ\nclaim log₂ x = 1", "log(x)/log(2)"),
        ("let x: ℝ\nclaim log_2(x) = 1", "log(x)/log(2)"),
        ("let x: ℝ\nclaim erf(x) = 1", "not built in"),
    ] {
        let d = error_of(source);
        assert_eq!(d.kind, DiagnosticKind::UnknownName, "{source}");
        assert!(
            d.message.starts_with("unknown function"),
            "{source}: {}",
            d.message
        );
        assert!(
            d.hint.as_deref().is_some_and(|h| h.contains(hint)),
            "{source}: {:?}",
            d.hint
        );
    }
}

#[test]
fn declared_letters_still_spell_products() {
    // With e, r, f declared, `erf` is the product e·r·f, as NOTATION's splitting rule says (and
    // `e` is then a symbol, not Euler's number).
    let v = verdicts("let e: ℝ, r: ℝ, f: ℝ, x: ℝ\nclaim d/dx (erf x) = efr\n");
    assert!(!v.is_empty() && v.iter().all(Verdict::holds), "{v:?}");
}

#[test]
fn a_vector_argument_is_a_shape_error() {
    let d = error_of("let v: ℝ^n\nclaim sec(v) = v");
    assert_eq!(d.kind, DiagnosticKind::ShapeMismatch);
    assert!(d.message.contains("scalars"), "{}", d.message);
}

/// Found by a newcomer's session: `sinx` read as s·i·n·x, `foo(x)` as f·o²·x, `sigma(x)` as
/// σ·x. A letter run that runs a function name into other letters is ambiguous (sin x or
/// s·i·n·x?), a called run of three letters or more that nothing declares is an unknown
/// function, and `sigma(x)` is the sigmoid as `σ(x)` is; products of letters still read.
#[test]
fn letter_runs_that_look_like_functions_are_not_silent_products() {
    for (source, kind, hint) in [
        ("sinx", DiagnosticKind::AmbiguousName, "write sin x"),
        ("2xcosx", DiagnosticKind::AmbiguousName, "write x cos x"),
        ("lnx + 1", DiagnosticKind::AmbiguousName, "write ln x"),
        (
            "foo(x)",
            DiagnosticKind::UnknownName,
            "nabla's functions are",
        ),
        (
            "sgn(x)",
            DiagnosticKind::UnknownName,
            "nabla's functions are",
        ),
    ] {
        let d = error_of(source);
        assert_eq!(d.kind, kind, "{source}");
        assert!(
            d.hint.as_deref().is_some_and(|h| h.contains(hint)),
            "{source}: {:?}",
            d.hint
        );
    }
    let printed = |source: &str| {
        let doc = Document::read(source, &ReadOptions::default()).expect("reads");
        let e = doc.last_expression().expect("an expression");
        nabla::print::print(doc.pool(), e, &nabla::print::PrintOptions::unicode())
    };
    assert_eq!(printed("sigma(x)"), printed("σ(x)"));
    assert_eq!(printed("xy(x + 1)"), "xy(x + 1)");
    // Declared letters spell the run: no ambiguity.
    assert_eq!(printed("let c, o, s, t: ℝ\ncost"), printed("c o s t"));
}
