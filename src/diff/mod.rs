//! Symbolic differentiation: scalar calculus and matrix calculus with symbolic dimensions, with
//! answers in textbook matrix notation.
//!
//! * Gradients of scalar functions come from one reverse sweep over the shared DAG
//!   ([`adjoint`]), so their cost is proportional to the size of the expression.
//! * Jacobians and Hessians come from forward differentials ([`differential`]) and identification
//!   of the linear map `dg = J·dx` ([`identify`]), in the Magnus–Neudecker style.
//! * Results are canonical expressions; `simplify::textbook_form` writes them as a textbook would
//!   (`Ax + Aᵀx → (A + Aᵀ)x`) for display.
//!
//! Convention: the gradient with respect to a matrix symbol declared symmetric is the
//! unconstrained one (∂f/∂S as if S had independent entries); it is not symmetrised.
//!
//! ```
//! use nabla::diff::gradient;
//! use nabla::expr::{Assumptions, Dim, Func, NormKind, Number, Pool, Shape, SymbolOrigin};
//!
//! let mut p = Pool::new();
//! let mut declare = |p: &mut Pool, name: &str, shape: Shape| {
//!     let s = p.declare(name, shape, Assumptions::default(), SymbolOrigin::Declared);
//!     p.symbol_expr(s.unwrap_or_else(|s| s))
//! };
//! let (m, n) = (Dim::symbol("m"), Dim::symbol("n"));
//! let a = declare(&mut p, "A", Shape::matrix(m.clone(), n.clone()));
//! let x = declare(&mut p, "x", Shape::vector(n));
//! let b = declare(&mut p, "b", Shape::vector(m));
//! // f = ½‖Ax − b‖²
//! let ax = p.mul(&[a, x]);
//! let r = p.sub(ax, b);
//! let norm = p.apply(Func::Norm(NormKind::Two), &[r]);
//! let sq = p.powi(norm, 2);
//! let f = p.scale(Number::ratio(1, 2), sq);
//! // ∇ₓ f = Aᵀ(Ax − b), exactly (same id)
//! let at = p.transpose(a);
//! let expected = p.mul(&[at, r]);
//! assert_eq!(gradient(&mut p, f, &[x]), Ok(expected));
//! ```

mod adjoint;
mod describe;
mod differential;
mod evaluate;
mod identify;
mod points;
mod rules;
mod step;
mod taylor;
mod variable;

pub use describe::describe;
pub use differential::Placeholder;
pub use evaluate::{differentiated, evaluate_derivatives};
pub use points::{kink_at, non_differentiable_points};
pub use step::{DiffRule, DiffStep};
pub use taylor::taylor;
pub use variable::absent_variables;

use crate::expr::{Id, Node, Pool, Shape};
use std::fmt;
use variable::Variable;

/// Which Jacobian convention to use: numerator layout (`J(Ax, x) = A`, m×n) or denominator layout
/// (`J(Ax, x) = Aᵀ`, n×m). Gradients have their variable's shape in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The Jacobian of g: ℝⁿ → ℝᵐ is m×n (rows are the gradients of the outputs, transposed).
    #[default]
    Numerator,
    /// The Jacobian of g: ℝⁿ → ℝᵐ is n×m (the transpose of the numerator layout).
    Denominator,
}

/// Why a derivative could not be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffError {
    /// Something given as a variable is not a symbol or a component of one.
    NotAVariable {
        /// The offending expression, rendered.
        what: String,
    },
    /// The derivative exists but has no matrix form (e.g. a third-order tensor).
    NoMatrixForm {
        /// What could not be written as a matrix.
        what: String,
    },
    /// The expression cannot be differentiated with respect to the variable.
    NotDifferentiable {
        /// What failed.
        what: String,
    },
    /// A construct the engine does not differentiate (yet).
    Unsupported {
        /// What is unsupported.
        what: String,
    },
    /// The pool grew past `limits.max_nodes`, or `limits.deadline` passed.
    LimitExceeded {
        /// Where the limit was reached.
        what: String,
    },
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiffError::NotAVariable { what } => write!(f, "not a variable: {what}"),
            DiffError::NoMatrixForm { what } => write!(f, "no matrix form: {what}"),
            DiffError::NotDifferentiable { what } => write!(f, "not differentiable: {what}"),
            DiffError::Unsupported { what } => write!(f, "unsupported: {what}"),
            DiffError::LimitExceeded { what } => write!(f, "limit exceeded: {what}"),
        }
    }
}

impl std::error::Error for DiffError {}

/// Fails with [`DiffError::LimitExceeded`] once the pool has grown past its node limit or its
/// deadline has passed.
pub(crate) fn check_limit(pool: &Pool, during: &str) -> Result<(), DiffError> {
    if pool.past_deadline() {
        Err(DiffError::LimitExceeded {
            what: format!("the time limit was reached during {during}"),
        })
    } else if pool.over_limit() {
        Err(DiffError::LimitExceeded {
            what: format!(
                "more than {} expression nodes during {during}",
                pool.limits.max_nodes
            ),
        })
    } else {
        Ok(())
    }
}

/// Replaces nested derivative operators and `at` substitutions before differentiating.
fn prepare(pool: &mut Pool, f: Id) -> Result<Id, DiffError> {
    evaluate_derivatives(pool, f)
}

fn require_scalar(pool: &Pool, f: Id, what: &str) -> Result<(), DiffError> {
    if pool.is_scalar(f) {
        Ok(())
    } else {
        Err(DiffError::NoMatrixForm {
            what: format!(
                "the {what} of {} which is not a scalar but of shape {} (use a Jacobian)",
                describe(pool, f),
                pool.shape(f)
            ),
        })
    }
}

/// The gradient of a scalar `f`: with one variable, an expression of that variable's shape; with
/// k scalar variables, the k×1 literal vector of partials. One reverse sweep in both cases.
pub fn gradient(pool: &mut Pool, f: Id, wrt: &[Id]) -> Result<Id, DiffError> {
    let f = prepare(pool, f)?;
    require_scalar(pool, f, "gradient")?;
    let vars = variable::variables(pool, wrt)?;
    match vars.as_slice() {
        [] => Err(DiffError::NotAVariable {
            what: "no variable given".to_string(),
        }),
        [_] => {
            let one = pool.int(1);
            let g = adjoint::adjoints(pool, f, one, &vars)?[0];
            Ok(g)
        }
        _ => {
            let partials = scalar_partials(pool, f, &vars)?;
            Ok(pool.matrix(partials.len() as u32, 1, partials))
        }
    }
}

/// Partials of a scalar `f` with respect to several scalar variables, from one reverse sweep.
fn scalar_partials(pool: &mut Pool, f: Id, vars: &[Variable]) -> Result<Vec<Id>, DiffError> {
    if let Some(v) = vars.iter().find(|v| !pool.is_scalar(v.id)) {
        return Err(DiffError::Unsupported {
            what: format!(
                "differentiating with respect to several variables when {} is not a scalar",
                describe(pool, v.id)
            ),
        });
    }
    let one = pool.int(1);
    adjoint::adjoints(pool, f, one, vars)
}

/// The Hessian of a scalar `f`: n×n with respect to a vector, k×k (a literal) with respect to k
/// scalars, the second derivative for one scalar; a matrix variable has no matrix form.
pub fn hessian(pool: &mut Pool, f: Id, wrt: &[Id]) -> Result<Id, DiffError> {
    let f = prepare(pool, f)?;
    require_scalar(pool, f, "Hessian")?;
    let vars = variable::variables(pool, wrt)?;
    match vars.as_slice() {
        [] => Err(DiffError::NotAVariable {
            what: "no variable given".to_string(),
        }),
        [v] => {
            let shape = pool.shape(v.id).clone();
            if shape.is_scalar() {
                let d = derivative(pool, f, v.id)?;
                derivative(pool, d, v.id)
            } else if shape.cols.is_one() {
                let g = gradient(pool, f, wrt)?;
                jacobian(pool, g, wrt, Layout::Numerator)
            } else {
                Err(DiffError::NoMatrixForm {
                    what: format!(
                        "the Hessian with respect to the matrix {} is a fourth-order tensor",
                        describe(pool, v.id)
                    ),
                })
            }
        }
        _ => {
            let k = vars.len();
            let grad = scalar_partials(pool, f, &vars)?;
            let mut entries = Vec::with_capacity(k * k);
            for g in grad {
                entries.extend(scalar_partials(pool, g, &vars)?);
                check_limit(pool, "the Hessian")?;
            }
            Ok(pool.matrix(k as u32, k as u32, entries))
        }
    }
}

/// The Jacobian of `g` (scalar or column vector) with respect to one vector or scalar variable,
/// or k scalar variables (a literal matrix), in the given layout.
pub fn jacobian(pool: &mut Pool, g: Id, wrt: &[Id], layout: Layout) -> Result<Id, DiffError> {
    let g = prepare(pool, g)?;
    let gshape = pool.shape(g).clone();
    if !gshape.cols.is_one() {
        return Err(DiffError::NoMatrixForm {
            what: format!(
                "the Jacobian of the matrix-valued {} of shape {gshape}",
                describe(pool, g)
            ),
        });
    }
    let vars = variable::variables(pool, wrt)?;
    let numerator = match vars.as_slice() {
        [] => {
            return Err(DiffError::NotAVariable {
                what: "no variable given".to_string(),
            })
        }
        [v] => {
            let vshape = pool.shape(v.id).clone();
            if vshape.is_scalar() {
                derivative(pool, g, v.id)?
            } else if !vshape.cols.is_one() {
                return Err(DiffError::NoMatrixForm {
                    what: format!(
                        "the Jacobian with respect to the matrix {} (vectorise it first)",
                        describe(pool, v.id)
                    ),
                });
            } else if gshape.is_scalar() {
                let grad = gradient(pool, g, wrt)?;
                pool.transpose(grad)
            } else {
                vector_jacobian(pool, g, v, &vshape)?
            }
        }
        _ => literal_jacobian(pool, g, &vars)?,
    };
    Ok(match layout {
        Layout::Numerator => numerator,
        Layout::Denominator => pool.transpose(numerator),
    })
}

/// `J` with `dg = J·dx` for a vector variable, by a forward differential and identification.
fn vector_jacobian(pool: &mut Pool, g: Id, v: &Variable, vshape: &Shape) -> Result<Id, DiffError> {
    let dx = differential::differential_symbol(pool, v.id, vshape)?;
    let dg = differential::forward(pool, g, &[(v.clone(), dx)])?;
    identify::identify(pool, dg, dx)
}

/// The literal matrix of partials of the entries of `g` with respect to k scalar variables; one
/// reverse sweep per entry of `g`, sharing subexpressions.
fn literal_jacobian(pool: &mut Pool, g: Id, vars: &[Variable]) -> Result<Id, DiffError> {
    let rows: Vec<Id> = match pool.node(g) {
        Node::Matrix { entries, .. } => entries.to_vec(),
        _ if pool.is_scalar(g) => vec![g],
        _ => {
            return Err(DiffError::Unsupported {
                what: format!(
                    "the Jacobian of {} (not a literal vector) with respect to several scalars",
                    describe(pool, g)
                ),
            })
        }
    };
    let (m, k) = (rows.len(), vars.len());
    let mut entries = Vec::with_capacity(m * k);
    for r in rows {
        entries.extend(scalar_partials(pool, r, vars)?);
        check_limit(pool, "the Jacobian")?;
    }
    Ok(pool.matrix(m as u32, k as u32, entries))
}

/// ∂f/∂v for a scalar variable `v` (a scalar symbol or a component `x₁` of a vector); `f` may
/// have any shape (entrywise derivative).
pub fn derivative(pool: &mut Pool, f: Id, wrt: Id) -> Result<Id, DiffError> {
    let f = prepare(pool, f)?;
    let vars = variable::variables(pool, &[wrt])?;
    let Some(v) = vars.first() else {
        return Err(DiffError::NotAVariable {
            what: describe(pool, wrt),
        });
    };
    if !pool.is_scalar(v.id) {
        return Err(DiffError::NotAVariable {
            what: format!(
                "{} is not a scalar variable (use a gradient or Jacobian)",
                describe(pool, wrt)
            ),
        });
    }
    let d = if pool.is_scalar(f) {
        let one = pool.int(1);
        adjoint::adjoints(pool, f, one, &vars)?[0]
    } else {
        let one = pool.int(1);
        differential::forward(pool, f, &[(v.clone(), one)])?
    };
    Ok(d)
}

/// The directional derivative `D_u f = ⟨∇f, u⟩` (for a matrix variable `tr(∇fᵀU)`); for a
/// non-scalar `f` the forward derivative `J·u`.
pub fn directional(pool: &mut Pool, f: Id, wrt: Id, direction: Id) -> Result<Id, DiffError> {
    let f = prepare(pool, f)?;
    let vars = variable::variables(pool, &[wrt])?;
    let Some(v) = vars.first() else {
        return Err(DiffError::NotAVariable {
            what: describe(pool, wrt),
        });
    };
    if pool.shape(direction) != pool.shape(v.id) {
        return Err(DiffError::NotDifferentiable {
            what: format!(
                "the direction {} has shape {} but {} has shape {}",
                describe(pool, direction),
                pool.shape(direction),
                describe(pool, wrt),
                pool.shape(v.id)
            ),
        });
    }
    if pool.is_scalar(f) {
        let g = gradient(pool, f, &[wrt])?;
        Ok(rules::inner(pool, g, direction))
    } else {
        let d = differential::forward(pool, f, &[(v.clone(), direction)])?;
        Ok(d)
    }
}

/// The differential of `f` when the variable `wrt` has the differential `seed` (`1` for a
/// derivative with respect to a scalar, a direction such as `dx` otherwise), with the record of
/// every rule applied (see [`DiffStep`]): `placeholder(u)` stands for the differential of an
/// operand `u` in the recorded formulas. This is the computation `hess` and `jac` use.
pub fn traced_differential(
    pool: &mut Pool,
    f: Id,
    wrt: Id,
    seed: Id,
    placeholder: Placeholder<'_>,
) -> Result<(Id, Vec<DiffStep>), DiffError> {
    let f = prepare(pool, f)?;
    let vars = variable::variables(pool, &[wrt])?;
    let Some(v) = vars.first() else {
        return Err(DiffError::NotAVariable {
            what: describe(pool, wrt),
        });
    };
    differential::forward_traced(pool, f, &[(v.clone(), seed)], placeholder)
}

/// `J` with `dg = J·dx`, for a differential `dg` (scalar or column) linear in the column-vector
/// direction `dx`: the identification step of the differential method.
pub fn identify_linear_map(pool: &mut Pool, dg: Id, dx: Id) -> Result<Id, DiffError> {
    identify::identify(pool, dg, dx)
}
