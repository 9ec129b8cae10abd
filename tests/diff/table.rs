//! Runs the table: every entry compared with its textbook form (where canonical) and with
//! central finite differences on random instances.

use crate::support::*;

use crate::table_gradients::GRADIENTS;
use crate::table_second_order::SECOND_ORDER_AND_SCALAR;

fn compute(p: &mut Pool, c: &Case) -> Result<Id, DiffError> {
    match c.kind {
        Kind::Gradient => gradient(p, c.f, &[c.wrt]),
        Kind::Hessian => hessian(p, c.f, &[c.wrt]),
        Kind::Jacobian(layout) => jacobian(p, c.f, &[c.wrt], layout),
        Kind::Derivative => derivative(p, c.f, c.wrt),
    }
}

fn numeric_check(p: &mut Pool, c: &Case, result: Id, seed: u64) -> Result<(), String> {
    match c.kind {
        Kind::Gradient | Kind::Derivative => {
            check_gradient(p, c.f, c.wrt, result, &c.positive, seed)
        }
        Kind::Hessian => {
            let g = gradient(p, c.f, &[c.wrt]).map_err(|e| e.to_string())?;
            check_gradient(p, c.f, c.wrt, g, &c.positive, seed)?;
            check_jacobian(p, g, c.wrt, result, &c.positive, seed)
        }
        Kind::Jacobian(Layout::Numerator) => {
            check_jacobian(p, c.f, c.wrt, result, &c.positive, seed)
        }
        Kind::Jacobian(Layout::Denominator) => {
            let t = p.transpose(result);
            check_jacobian(p, c.f, c.wrt, t, &c.positive, seed)
        }
    }
}

#[test]
fn identity_table() {
    let table: Vec<&(&str, Builder)> = GRADIENTS.iter().chain(SECOND_ORDER_AND_SCALAR).collect();
    assert!(table.len() >= 40, "the table has {} entries", table.len());
    let mut failures = Vec::new();
    for (k, (name, build)) in table.into_iter().enumerate() {
        let mut p = Pool::new();
        let c = build(&mut p);
        let result = match compute(&mut p, &c) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        eprintln!("{name}  ⟶  {}", nabla::diff::describe(&p, result));
        if let Some(expected) = c.expected {
            // Results are canonical; the textbook form is what a reader sees. The expected form,
            // built with the constructors, is canonical too, or matches the textbook form.
            let shown = nabla::simplify::textbook_form(&mut p, result);
            if shown != expected && result != expected {
                failures.push(format!(
                    "{name}: got {} expected {}",
                    nabla::diff::describe(&p, shown),
                    nabla::diff::describe(&p, expected)
                ));
            }
        }
        if let Err(e) = numeric_check(&mut p, &c, result, 1000 + k as u64) {
            failures.push(format!(
                "{name}: numeric check of {} failed: {e}",
                nabla::diff::describe(&p, result)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The numeric check itself can fail

#[test]
fn numeric_check_rejects_a_wrong_gradient() {
    let mut p = Pool::new();
    let (f, a, x, r) = least_squares(&mut p);
    // A common mistake: the transpose forgotten is a shape error, so use Aᵀ(Ax + b) instead.
    let b = vector(&mut p, "b", "m");
    let wrong_r = p.add(&[r, b, b]);
    let at = p.transpose(a);
    let wrong = p.mul(&[at, wrong_r]);
    assert!(check_gradient(&p, f, x, wrong, &[], 7).is_err());
    let right = p.mul(&[at, r]);
    assert!(check_gradient(&p, f, x, right, &[], 7).is_ok());
}
