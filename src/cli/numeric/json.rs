//! The JSON form of numeric reports (fields documented in docs/descent.md).

use super::{line, note_text};
use nabla::check::numeric_statements::{
    ClaimedOutcome, GradientSource, NumericError, NumericReport, Outcome, Variables,
};
use nabla::numeric::analysis::Analysis;
use nabla::numeric::critical::Critical;
use nabla::numeric::descent::{Method, Run, Stop};
use serde_json::{json, Value};

fn analysis_json(a: &Analysis) -> Value {
    json!({
        "kind": a.kind.name(), "grad_norm": a.grad_norm, "eigenvalues": a.eigenvalues,
        "eigenvectors": a.eigenvectors, "singular": a.singular, "condition_number": a.condition,
        "stable_step": a.stable_step, "optimal_step": a.optimal_step,
    })
}

fn variables_json(v: &Variables) -> Value {
    v.names
        .iter()
        .zip(&v.shapes)
        .map(|(n, (r, c))| json!({ "name": n, "rows": r, "cols": c }))
        .collect()
}

fn run_json(run: &Run) -> Value {
    let s = &run.settings;
    let (step, gamma) = match s.method {
        Method::Gd { step } => (Some(step), None),
        Method::Momentum { step, gamma } | Method::Nesterov { step, gamma } => {
            (Some(step), Some(gamma))
        }
        _ => (None, None),
    };
    let stop = match &run.stop {
        Stop::Converged => json!({ "reason": "converged" }),
        Stop::MaxIterations => json!({ "reason": "max-iterations" }),
        Stop::Diverged { iteration, reason } => {
            json!({ "reason": "diverged", "iteration": iteration, "message": reason })
        }
        Stop::Stalled { iteration, reason } => {
            json!({ "reason": "stalled", "iteration": iteration, "message": reason })
        }
        Stop::Failed { iteration, error } => {
            json!({ "reason": "failed", "iteration": iteration, "message": error.to_string() })
        }
    };
    let iterates: Vec<Value> = run
        .iterates
        .iter()
        .map(|i| json!({ "k": i.k, "f": i.f, "grad_norm": i.grad_norm, "step": i.step, "x": if i.x.is_empty() { Value::Null } else { json!(i.x) } }))
        .collect();
    let notes: Vec<String> = run.notes.iter().map(note_text).collect();
    json!({
        "method": s.method.name(), "line_search": s.method == Method::LineSearch, "step": step, "gamma": gamma,
        "max_iterations": s.iters, "tol": s.tol, "iterations": run.iterations(), "stop": stop,
        "x": run.last_x, "f": run.last().map(|i| i.f), "grad_norm": run.last().map(|i| i.grad_norm),
        "notes": notes, "iterates": iterates,
    })
}

/// The JSON report of a numeric statement.
pub fn to_json(r: &NumericReport, source: &str) -> Value {
    let mut v =
        json!({ "statement": r.statement, "line": line(source, r.span), "function": r.function });
    match &r.outcome {
        Err(NumericError::BadInput(e)) => {
            v["status"] = json!("bad-input");
            v["error"] = json!({ "message": e.message, "symbol": e.symbol });
        }
        Err(NumericError::CannotAnswer(m)) => {
            v["status"] = json!("cannot-answer");
            v["error"] = json!({ "message": m });
        }
        Ok(Outcome::Descend(d)) => {
            v["status"] = json!("ok");
            v["variables"] = variables_json(&d.variables);
            v["gradient"] = match d.gradient {
                GradientSource::Verified(s) => {
                    json!({ "source": "claim", "line": line(source, s), "verified": true })
                }
                GradientSource::Wrong(s) => {
                    json!({ "source": "nabla", "claim_line": line(source, s), "claim": "wrong" })
                }
                GradientSource::Unverified(s) => {
                    json!({ "source": "nabla", "claim_line": line(source, s), "claim": "unknown" })
                }
                GradientSource::Own => json!({ "source": "nabla" }),
            };
            v["run"] = run_json(&d.run);
            v["hessian_start"] = d.start.as_ref().map_or(Value::Null, analysis_json);
            v["hessian_end"] = d.end.as_ref().map_or(Value::Null, analysis_json);
            if let Some(c) = &d.claimed {
                let outcome = match &c.outcome {
                    ClaimedOutcome::Diverges { iteration } => {
                        json!({ "kind": "diverges", "iteration": iteration })
                    }
                    ClaimedOutcome::Fails { reason } => {
                        json!({ "kind": "fails", "message": reason })
                    }
                    ClaimedOutcome::SamePoint { iterations } => {
                        json!({ "kind": "same-point", "iterations": iterations })
                    }
                    ClaimedOutcome::DifferentPoint {
                        distance,
                        grad_norm,
                    } => {
                        json!({ "kind": "different-point", "distance": distance, "grad_norm": grad_norm })
                    }
                    ClaimedOutcome::Stalls {
                        distance,
                        f,
                        grad_norm,
                    } => {
                        json!({ "kind": "stalls", "distance": distance, "f": f, "grad_norm": grad_norm })
                    }
                };
                v["claimed"] = json!({ "outcome": outcome, "run": run_json(&c.run) });
            }
        }
        Ok(Outcome::Classify(c)) => {
            v["status"] = json!("ok");
            v["variables"] = variables_json(&c.variables);
            v["x"] = json!(c.x);
            v["f"] = json!(c.f);
            v["gradient"] = json!(c.gradient);
            v["analysis"] = analysis_json(&c.analysis);
        }
        Ok(Outcome::Critical(c)) => {
            v["status"] = json!("ok");
            v["variables"] = variables_json(&c.variables);
            match &c.result {
                Critical::Point { x, .. } => {
                    v["result"] = json!("point");
                    v["x"] = json!(x.iter().map(ToString::to_string).collect::<Vec<_>>());
                    v["f"] = json!(c.f.as_ref().map(ToString::to_string));
                }
                Critical::Singular {
                    rank, consistent, ..
                } => {
                    v["result"] = json!(if *consistent {
                        "infinitely-many"
                    } else {
                        "none"
                    });
                    v["rank"] = json!(rank);
                }
                Critical::NotAffine { .. } => v["result"] = json!("not-affine"),
            }
            v["analysis"] = c.analysis.as_ref().map_or(Value::Null, analysis_json);
        }
    }
    v
}
