//! The settings of a `descend` from its method: `gd(step = 0.1, iters = 10)`, `gd(line_search)`,
//! `exact`, `momentum(step = ε, γ = 0.9)`, `nesterov(…)`, `newton`.

use super::{bad, NumericError};
use crate::expr::Pool;
use crate::numeric::descent::{Method, Settings};
use crate::numeric::{evaluate, Instance};
use crate::syntax::lower::LoweredMethod;
use std::collections::BTreeMap;

/// The method and its settings from `gd(step = 0.1, iters = 10)` and the like.
pub(super) fn settings(
    pool: &Pool,
    m: &LoweredMethod,
    data: &Instance<f64>,
    quadratic: bool,
) -> Result<Settings, NumericError> {
    let mut values: BTreeMap<&str, f64> = BTreeMap::new();
    let mut flags: Vec<&str> = Vec::new();
    for (name, value) in &m.options {
        let key = match name.as_str() {
            "γ" | "gamma" | "β" | "beta" | "momentum" => "gamma",
            "step" | "ε" | "epsilon" | "η" | "eta" | "lr" | "α" | "alpha" => "step",
            "iters" | "iterations" | "maxiter" => "iters",
            "tol" | "tolerance" => "tol",
            "line_search" | "linesearch" | "armijo" => "line_search",
            other => {
                return Err(bad(
                    None,
                    format!(
                        "{} has no option {other} (options: step, iters, tol, γ, line_search)",
                        m.name
                    ),
                ))
            }
        };
        match value {
            None => flags.push(key),
            Some(id) => {
                let v = evaluate(pool, *id, data)
                    .ok()
                    .and_then(|v| v.as_scalar().copied())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        bad(
                            None,
                            format!("the option {name} of {} is not a number", m.name),
                        )
                    })?;
                values.insert(key, v);
            }
        }
    }
    let positive = |key: &str, default: f64| -> Result<f64, NumericError> {
        let v = values.get(key).copied().unwrap_or(default);
        if v > 0.0 {
            Ok(v)
        } else {
            Err(bad(
                None,
                format!("the option {key} of {} must be positive, not {v}", m.name),
            ))
        }
    };
    let step = positive("step", 0.1)?;
    let gamma = values.get("gamma").copied().unwrap_or(0.9);
    if !(0.0..1.0).contains(&gamma) {
        return Err(bad(
            None,
            format!("the momentum γ must be in [0, 1), not {gamma}"),
        ));
    }
    let method = match m.name.as_str() {
        "gd" if flags.contains(&"line_search")
            || !values.contains_key("step") && m.options.is_empty() =>
        {
            Method::LineSearch
        }
        "gd" => Method::Gd { step },
        "exact" => Method::Exact,
        "momentum" | "heavy_ball" => Method::Momentum { step, gamma },
        "nesterov" => Method::Nesterov { step, gamma },
        "newton" => Method::Newton,
        other => {
            return Err(bad(
                None,
                format!("unknown method {other} (methods: gd, exact, momentum, nesterov, newton)"),
            ))
        }
    };
    let default_iters = match method {
        Method::Newton | Method::Exact => 100.0,
        _ => 1000.0,
    };
    let iters = positive("iters", default_iters)?;
    if iters.fract() != 0.0 || iters > 1e7 {
        return Err(bad(
            None,
            format!("iters must be a whole number up to 10⁷, not {iters}"),
        ));
    }
    Ok(Settings {
        method,
        iters: iters as usize,
        tol: positive("tol", 1e-8)?,
        quadratic,
    })
}
