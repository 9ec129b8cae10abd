//! What a wrong claimed gradient does, compared with the correct one's run.

use super::ClaimedOutcome;
use crate::numeric::descent::{CompiledObjective, Objective, Run, Stop};

/// Compares the run with a wrong gradient to the correct one.
pub(super) fn claimed_outcome(
    wrong: &Run,
    right: &Run,
    correct: &mut CompiledObjective,
    tol: f64,
) -> ClaimedOutcome {
    match &wrong.stop {
        Stop::Diverged { iteration, .. } => {
            return ClaimedOutcome::Diverges {
                iteration: *iteration,
            }
        }
        Stop::Failed { error, .. } => {
            return ClaimedOutcome::Fails {
                reason: error.to_string(),
            }
        }
        Stop::Stalled { reason, .. } => {
            return ClaimedOutcome::Fails {
                reason: reason.clone(),
            }
        }
        Stop::Converged | Stop::MaxIterations => {}
    }
    let x = &wrong.last_x;
    let mut g = vec![0.0; x.len()];
    let Ok(f) = correct.value_gradient(x, &mut g) else {
        return ClaimedOutcome::Fails {
            reason: "f is undefined at its final point".to_string(),
        };
    };
    let grad_norm = g.iter().map(|a| a * a).sum::<f64>().sqrt();
    let distance = x
        .iter()
        .zip(&right.last_x)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt();
    let scale = 1.0 + right.last_x.iter().map(|a| a * a).sum::<f64>().sqrt();
    let right_g = right.last().map_or(f64::INFINITY, |i| i.grad_norm);
    let near = distance <= 1e-6 * scale || grad_norm <= tol.max(right_g);
    if near && distance <= 1e-4 * scale {
        return ClaimedOutcome::SamePoint {
            iterations: wrong.iterations(),
        };
    }
    if wrong.stop == Stop::Converged {
        ClaimedOutcome::DifferentPoint {
            distance,
            grad_norm,
        }
    } else {
        ClaimedOutcome::Stalls {
            distance,
            f,
            grad_norm,
        }
    }
}
