//! Descent methods on an [`Objective`]: gradient descent with a fixed step or Armijo
//! backtracking, the exact step of quadratics, heavy-ball momentum, Nesterov's accelerated
//! gradient, and a safeguarded Newton's method. Every run stops on ‖∇f‖ ≤ tol, at the iteration
//! limit, or when it diverges (a non-finite value, or growth), and says which.

use super::compile::Program;
use super::error::EvalError;
use nalgebra::{DMatrix, SymmetricEigen};

/// Armijo's sufficient-decrease constant.
const ARMIJO_C: f64 = 1e-4;
/// Most halvings of a backtracking line search.
const MAX_HALVINGS: usize = 60;
/// ‖∇f‖ this many times its starting value, with f above its start, counts as divergence.
const GROWTH: f64 = 1e3;
/// ‖∇f‖ this many times its starting value counts as divergence even while f decreases (f is
/// then probably unbounded below).
const RUNAWAY: f64 = 1e8;
/// ‖x‖ beyond this many times (1 + ‖x₀‖) counts as divergence.
const ESCAPE: f64 = 1e12;
/// Most stored coordinates of iterates (beyond it, every k-th iterate is kept).
const MAX_STORED: usize = 2_000_000;

/// A function to minimise over a flat vector of variables.
pub trait Objective {
    /// The number of variables.
    fn dimension(&self) -> usize;
    /// f(x), writing ∇f(x) into `g`.
    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError>;
    /// ∇²f(x), row-major n×n, into `h`.
    fn hessian(&mut self, x: &[f64], h: &mut [f64]) -> Result<(), EvalError>;
}

/// An objective from compiled programs: `value_gradient` computes [f, ∇f] (sharing their common
/// subexpressions), `hessian` computes ∇²f; the variables are consecutive blocks of x.
#[derive(Clone, Debug)]
pub struct CompiledObjective {
    /// Outputs f and ∇f.
    pub value_gradient: Program,
    /// Output ∇²f, when available.
    pub hessian: Option<Program>,
    /// The number of entries of each variable, in order.
    pub sizes: Vec<usize>,
}

impl CompiledObjective {
    fn split<'a>(&self, x: &'a [f64]) -> Vec<&'a [f64]> {
        let mut parts = Vec::with_capacity(self.sizes.len());
        let mut at = 0;
        for &n in &self.sizes {
            parts.push(x.get(at..at + n).unwrap_or(&[]));
            at += n;
        }
        parts
    }
}

impl Objective for CompiledObjective {
    fn dimension(&self) -> usize {
        self.sizes.iter().sum()
    }

    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError> {
        let parts = self.split(x);
        self.value_gradient.run(&parts)?;
        let grad = self.value_gradient.output(1);
        if grad.len() != g.len() {
            return Err(EvalError::shape("the gradient"));
        }
        g.copy_from_slice(grad);
        Ok(self
            .value_gradient
            .output(0)
            .first()
            .copied()
            .unwrap_or(f64::NAN))
    }

    fn hessian(&mut self, x: &[f64], h: &mut [f64]) -> Result<(), EvalError> {
        let parts = self.split(x);
        let program = self
            .hessian
            .as_mut()
            .ok_or_else(|| EvalError::Unsupported {
                what: "the Hessian of this function".to_string(),
            })?;
        program.run(&parts)?;
        let out = program.output(0);
        if out.len() != h.len() {
            return Err(EvalError::shape("the Hessian"));
        }
        h.copy_from_slice(out);
        Ok(())
    }
}

/// A descent method and its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// x ← x − ε∇f(x) with a fixed step ε.
    Gd {
        /// The step ε.
        step: f64,
    },
    /// Gradient descent with Armijo backtracking from a unit step.
    LineSearch,
    /// Gradient descent with the exact step ε* = gᵀg / gᵀHg (exact line search on quadratics).
    Exact,
    /// Heavy ball: v ← γv − ε∇f(x), x ← x + v.
    Momentum {
        /// The step ε.
        step: f64,
        /// The momentum γ.
        gamma: f64,
    },
    /// Nesterov: the gradient is taken at the look-ahead point x + γv.
    Nesterov {
        /// The step ε.
        step: f64,
        /// The momentum γ.
        gamma: f64,
    },
    /// Newton's method, damped by backtracking; an indefinite Hessian is replaced by the one
    /// with the absolute values of its eigenvalues.
    Newton,
}

impl Method {
    /// The method's name as written in a file.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Gd { .. } | Method::LineSearch => "gd",
            Method::Exact => "exact",
            Method::Momentum { .. } => "momentum",
            Method::Nesterov { .. } => "nesterov",
            Method::Newton => "newton",
        }
    }
}

/// How long and how precisely to run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// The method.
    pub method: Method,
    /// Most iterations.
    pub iters: usize,
    /// Stop when ‖∇f‖ ≤ tol.
    pub tol: f64,
    /// Is f known to be quadratic (its Hessian constant)? Only `exact` uses it, to say when its
    /// step is not the exact line search.
    pub quadratic: bool,
}

/// One point of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Iterate {
    /// The iteration (0 is the start).
    pub k: usize,
    /// The point (empty when not stored, for long runs in many dimensions).
    pub x: Vec<f64>,
    /// f(x).
    pub f: f64,
    /// ‖∇f(x)‖.
    pub grad_norm: f64,
    /// The step length used to leave this point, if one was taken.
    pub step: Option<f64>,
}

/// Why a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// ‖∇f‖ ≤ tol.
    Converged,
    /// The iteration limit was reached first.
    MaxIterations,
    /// The iterates blew up.
    Diverged {
        /// The iteration where it was detected.
        iteration: usize,
        /// What was seen.
        reason: String,
    },
    /// No step decreased f (line search exhausted), or the method's step is undefined.
    Stalled {
        /// The iteration.
        iteration: usize,
        /// Why.
        reason: String,
    },
    /// f or its derivatives could not be evaluated at an iterate.
    Failed {
        /// The iteration.
        iteration: usize,
        /// The evaluation error.
        error: EvalError,
    },
}

/// Something the method noticed and did about it.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// `exact` on a function that is not quadratic: ε* is the step of its local quadratic model.
    NotQuadratic,
    /// Newton met a Hessian that is not positive definite (first time only).
    IndefiniteHessian {
        /// The iteration.
        iteration: usize,
        /// Its smallest eigenvalue.
        min_eigenvalue: f64,
    },
    /// Newton met a singular Hessian (first time only).
    SingularHessian {
        /// The iteration.
        iteration: usize,
    },
}

/// A finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The settings it ran with.
    pub settings: Settings,
    /// Every iterate, from the start (points of long high-dimensional runs thinned).
    pub iterates: Vec<Iterate>,
    /// The last point reached where f and ∇f were finite (always stored).
    pub last_x: Vec<f64>,
    /// Why it stopped.
    pub stop: Stop,
    /// What it noticed.
    pub notes: Vec<Note>,
}

impl Run {
    /// The number of steps taken.
    pub fn iterations(&self) -> usize {
        self.iterates.last().map_or(0, |i| i.k)
    }

    /// The last iterate.
    pub fn last(&self) -> Option<&Iterate> {
        self.iterates.last()
    }

    /// The stored points of a two-variable run, as (x, y) pairs.
    pub fn iter_points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.iterates.iter().filter_map(|i| match i.x.as_slice() {
            [x, y] => Some((*x, *y)),
            _ => None,
        })
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Runs `settings.method` from `x0`; `progress(k, iters)` is called as it goes.
pub fn descend(
    objective: &mut dyn Objective,
    x0: &[f64],
    settings: &Settings,
    progress: &mut dyn FnMut(usize, usize),
) -> Run {
    let mut d = Descent {
        objective,
        settings: *settings,
        n: x0.len(),
        stride: (x0.len().saturating_mul(settings.iters + 1) / MAX_STORED).max(1),
        x: x0.to_vec(),
        good_x: x0.to_vec(),
        g: vec![0.0; x0.len()],
        iterates: Vec::new(),
        notes: Vec::new(),
    };
    if settings.method == Method::Exact && !settings.quadratic {
        d.notes.push(Note::NotQuadratic);
    }
    let stop = d.run(progress);
    progress(settings.iters, settings.iters);
    Run {
        settings: *settings,
        iterates: d.iterates,
        last_x: d.good_x,
        stop,
        notes: d.notes,
    }
}

struct Descent<'a> {
    objective: &'a mut dyn Objective,
    settings: Settings,
    n: usize,
    stride: usize,
    x: Vec<f64>,
    /// The last recorded point.
    good_x: Vec<f64>,
    g: Vec<f64>,
    iterates: Vec<Iterate>,
    notes: Vec<Note>,
}

impl Descent<'_> {
    fn record(&mut self, k: usize, f: f64, step: Option<f64>) {
        if let Some(last) = self.iterates.last_mut() {
            if last.step.is_none() {
                last.step = step;
            }
        }
        self.good_x.clone_from(&self.x);
        let keep = k % self.stride == 0 || k == self.settings.iters;
        self.iterates.push(Iterate {
            k,
            x: if keep { self.x.clone() } else { Vec::new() },
            f,
            grad_norm: norm(&self.g),
            step: None,
        });
    }

    fn eval(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError> {
        let f = self.objective.value_gradient(x, g)?;
        if f.is_finite() && g.iter().all(|a| a.is_finite()) {
            Ok(f)
        } else {
            Err(EvalError::domain("a non-finite value"))
        }
    }

    fn run(&mut self, progress: &mut dyn FnMut(usize, usize)) -> Stop {
        let x0 = self.x.clone();
        let mut g = vec![0.0; self.n];
        let f0 = match self.eval(&x0, &mut g) {
            Ok(f) => f,
            Err(error) => {
                return Stop::Failed {
                    iteration: 0,
                    error,
                }
            }
        };
        self.g = g;
        self.record(0, f0, None);
        let g0 = norm(&self.g);
        let x0_norm = norm(&x0);
        let mut velocity = vec![0.0; self.n];
        let mut f = f0;
        for k in 0..self.settings.iters {
            progress(k, self.settings.iters);
            if norm(&self.g) <= self.settings.tol {
                return Stop::Converged;
            }
            let step = match self.step(k, f, &mut velocity) {
                Ok(s) => s,
                Err(stop) => return stop,
            };
            let mut g = vec![0.0; self.n];
            let x = self.x.clone();
            f = match self.eval(&x, &mut g) {
                Ok(f) => f,
                Err(EvalError::Domain { .. }) if !self.x.iter().all(|a| a.is_finite()) => {
                    return self.diverged(k + 1, "the iterate is no longer finite")
                }
                Err(EvalError::Domain { what }) if what.contains("non-finite") => {
                    return self.diverged(k + 1, "f or ∇f is no longer finite")
                }
                Err(error) => {
                    return Stop::Failed {
                        iteration: k + 1,
                        error,
                    }
                }
            };
            self.g = g;
            self.record(k + 1, f, Some(step));
            let (gk, g0) = (norm(&self.g), g0.max(f64::MIN_POSITIVE));
            if f > f0 && gk > GROWTH * g0 {
                return self.diverged(
                    k + 1,
                    &format!("‖∇f‖ grew to more than {GROWTH} times its starting value"),
                );
            }
            if gk > RUNAWAY * g0 {
                return self.diverged(
                    k + 1,
                    &format!("‖∇f‖ grew to more than {RUNAWAY:e} times its starting value while f decreased: f is probably unbounded below"),
                );
            }
            if norm(&self.x) > ESCAPE * (1.0 + x0_norm) {
                return self.diverged(
                    k + 1,
                    "the iterates grow without bound: f is probably unbounded below",
                );
            }
        }
        if norm(&self.g) <= self.settings.tol {
            Stop::Converged
        } else {
            Stop::MaxIterations
        }
    }

    fn diverged(&self, iteration: usize, reason: &str) -> Stop {
        Stop::Diverged {
            iteration,
            reason: reason.to_string(),
        }
    }

    /// Takes one step from `self.x` (with gradient `self.g` and value `f`); returns its length.
    fn step(&mut self, k: usize, f: f64, velocity: &mut [f64]) -> Result<f64, Stop> {
        match self.settings.method {
            Method::Gd { step } => {
                let g = self.g.clone();
                axpy(&mut self.x, -step, &g);
                Ok(step)
            }
            Method::LineSearch => {
                let direction: Vec<f64> = self.g.iter().map(|a| -a).collect();
                self.backtrack(k, f, &direction, 1.0)
            }
            Method::Exact => {
                let h = self.hessian(k)?;
                let hg = symmetric_times(&h, &self.g);
                let curvature = dot(&self.g, &hg);
                if curvature <= 0.0 {
                    return Err(Stop::Stalled {
                        iteration: k,
                        reason: format!(
                            "gᵀHg = {curvature:e} ≤ 0: f is not convex along −∇f, so the exact step is undefined"
                        ),
                    });
                }
                let step = dot(&self.g, &self.g) / curvature;
                let g = self.g.clone();
                axpy(&mut self.x, -step, &g);
                Ok(step)
            }
            Method::Momentum { step, gamma } => {
                for (v, g) in velocity.iter_mut().zip(&self.g) {
                    *v = gamma * *v - step * g;
                }
                axpy(&mut self.x, 1.0, velocity);
                Ok(step)
            }
            Method::Nesterov { step, gamma } => {
                let ahead: Vec<f64> = self
                    .x
                    .iter()
                    .zip(velocity.iter())
                    .map(|(x, v)| x + gamma * v)
                    .collect();
                let mut ga = vec![0.0; self.n];
                if let Err(error) = self.eval(&ahead, &mut ga) {
                    return Err(match error {
                        EvalError::Domain { .. } => {
                            self.diverged(k, "f or ∇f at the look-ahead point is no longer finite")
                        }
                        error => Stop::Failed {
                            iteration: k,
                            error,
                        },
                    });
                }
                for (v, g) in velocity.iter_mut().zip(&ga) {
                    *v = gamma * *v - step * g;
                }
                axpy(&mut self.x, 1.0, velocity);
                Ok(step)
            }
            Method::Newton => {
                let h = self.hessian(k)?;
                let direction = self.newton_direction(k, &h)?;
                self.backtrack(k, f, &direction, 1.0)
            }
        }
    }

    fn hessian(&mut self, k: usize) -> Result<Vec<f64>, Stop> {
        let Some(size) = self
            .n
            .checked_mul(self.n)
            .filter(|&s| s <= super::MAX_ENTRIES)
        else {
            return Err(Stop::Failed {
                iteration: k,
                error: EvalError::TooLarge,
            });
        };
        let mut h = vec![0.0; size];
        let x = self.x.clone();
        match self.objective.hessian(&x, &mut h) {
            Ok(()) if h.iter().all(|a| a.is_finite()) => Ok(h),
            Ok(()) => Err(self.diverged(k, "the Hessian is no longer finite")),
            Err(error) => Err(Stop::Failed {
                iteration: k,
                error,
            }),
        }
    }

    /// −H⁻¹g, with H's eigenvalues replaced by max(|λ|, δ) when H is not positive definite.
    fn newton_direction(&mut self, k: usize, h: &[f64]) -> Result<Vec<f64>, Stop> {
        // `h` comes from `hessian`, which makes it n·n long (`from_row_slice` needs that).
        let eig = SymmetricEigen::new(DMatrix::from_row_slice(self.n, self.n, h));
        let scale = eig.eigenvalues.iter().fold(1.0f64, |m, l| m.max(l.abs()));
        let delta = 1e-8 * scale;
        let min = eig
            .eigenvalues
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        if min.abs() <= delta
            && !self
                .notes
                .iter()
                .any(|n| matches!(n, Note::SingularHessian { .. }))
        {
            self.notes.push(Note::SingularHessian { iteration: k });
        } else if min < -delta
            && !self
                .notes
                .iter()
                .any(|n| matches!(n, Note::IndefiniteHessian { .. }))
        {
            self.notes.push(Note::IndefiniteHessian {
                iteration: k,
                min_eigenvalue: min,
            });
        }
        let mut direction = vec![0.0; self.n];
        for (i, lambda) in eig.eigenvalues.iter().enumerate() {
            let v = eig.eigenvectors.column(i);
            let coef =
                v.iter().zip(&self.g).map(|(a, b)| a * b).sum::<f64>() / lambda.abs().max(delta);
            for (d, a) in direction.iter_mut().zip(v.iter()) {
                *d -= coef * a;
            }
        }
        Ok(direction)
    }

    /// Armijo backtracking along `direction` from step `t`; moves x and returns the step.
    fn backtrack(&mut self, k: usize, f: f64, direction: &[f64], mut t: f64) -> Result<f64, Stop> {
        let slope = dot(&self.g, direction);
        if slope >= 0.0 {
            return Err(Stop::Stalled {
                iteration: k,
                reason: "the direction is not a descent direction".to_string(),
            });
        }
        let mut trial_g = vec![0.0; self.n];
        for _ in 0..MAX_HALVINGS {
            let trial: Vec<f64> = self
                .x
                .iter()
                .zip(direction)
                .map(|(x, d)| x + t * d)
                .collect();
            if let Ok(ft) = self.eval(&trial, &mut trial_g) {
                if ft <= f + ARMIJO_C * t * slope {
                    self.x = trial;
                    return Ok(t);
                }
            }
            t *= 0.5;
        }
        Err(Stop::Stalled {
            iteration: k,
            reason: format!("no step down to 2^−{MAX_HALVINGS} decreased f enough (Armijo)"),
        })
    }
}

fn axpy(x: &mut [f64], a: f64, y: &[f64]) {
    for (xi, yi) in x.iter_mut().zip(y) {
        *xi += a * yi;
    }
}

/// `H v` for row-major square H.
fn symmetric_times(h: &[f64], v: &[f64]) -> Vec<f64> {
    let n = v.len();
    (0..n)
        .map(|i| dot(h.get(i * n..(i + 1) * n).unwrap_or(&[]), v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x) = ½ Σ dᵢ xᵢ².
    struct Diagonal(Vec<f64>);

    impl Objective for Diagonal {
        fn dimension(&self) -> usize {
            self.0.len()
        }
        fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, EvalError> {
            for ((gi, d), xi) in g.iter_mut().zip(&self.0).zip(x) {
                *gi = d * xi;
            }
            Ok(0.5 * self.0.iter().zip(x).map(|(d, x)| d * x * x).sum::<f64>())
        }
        fn hessian(&mut self, _x: &[f64], h: &mut [f64]) -> Result<(), EvalError> {
            let n = self.0.len();
            h.fill(0.0);
            for (i, d) in self.0.iter().enumerate() {
                h[i * n + i] = *d;
            }
            Ok(())
        }
    }

    fn run(method: Method, iters: usize, x0: &[f64], d: &[f64]) -> Run {
        let settings = Settings {
            method,
            iters,
            tol: 1e-300,
            quadratic: true,
        };
        descend(&mut Diagonal(d.to_vec()), x0, &settings, &mut |_, _| {})
    }

    #[test]
    fn momentum_and_nesterov_follow_their_recurrences() {
        let (eps, gamma) = (0.1, 0.5);
        let r = run(Method::Momentum { step: eps, gamma }, 3, &[1.0], &[2.0]);
        // Heavy ball on f = x²: v ← γv − 2εx, x ← x + v.
        let (mut x, mut v) = (1.0f64, 0.0f64);
        for it in &r.iterates[1..] {
            v = gamma * v - eps * 2.0 * x;
            x += v;
            assert!((it.x[0] - x).abs() < 1e-15);
        }
        let r = run(Method::Nesterov { step: eps, gamma }, 3, &[1.0], &[2.0]);
        let (mut x, mut v) = (1.0f64, 0.0f64);
        for it in &r.iterates[1..] {
            v = gamma * v - eps * 2.0 * (x + gamma * v);
            x += v;
            assert!((it.x[0] - x).abs() < 1e-15);
        }
    }

    #[test]
    fn exact_step_on_a_quadratic_and_armijo_halving() {
        // From [1; 1] on ½(x² + 9y²): g = [1; 9], ε* = 82/730.
        let r = run(Method::Exact, 1, &[1.0, 1.0], &[1.0, 9.0]);
        assert!((r.iterates[0].step.unwrap_or(0.0) - 82.0 / 730.0).abs() < 1e-15);
        // Armijo from a unit step on 4x²/2: t = 1 overshoots (f(−3) > f(1)), t = ½ gives x = −1
        // (no decrease), t = ¼ gives x = 0.
        let r = run(Method::LineSearch, 1, &[1.0], &[4.0]);
        assert_eq!(r.iterates[0].step, Some(0.25));
        assert_eq!(r.last_x, vec![0.0]);
    }

    #[test]
    fn a_step_beyond_two_over_lambda_diverges_with_its_iteration() {
        let r = run(Method::Gd { step: 1.1 }, 1000, &[1.0], &[2.0]);
        // |1 − 2.2| = 1.2 per step: ‖∇f‖ passes 1000× its start after ⌈log 1000 / log 1.2⌉ = 38.
        assert_eq!(
            r.stop,
            Stop::Diverged {
                iteration: 38,
                reason: "‖∇f‖ grew to more than 1000 times its starting value".to_string()
            }
        );
        assert!(r.iterates.iter().all(|i| i.f.is_finite()));
    }
}
