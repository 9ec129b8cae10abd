//! Numeric evaluation of expressions at concrete instances: exact rationals where possible,
//! `f64` otherwise, with domain errors instead of NaN or infinity.

mod apply;
mod dense;
mod error;
mod eval;
mod finite_difference;
mod free;
mod scalar;

pub use dense::{Dense, MAX_ENTRIES};
pub use error::EvalError;
pub use eval::{evaluate, Instance};
pub use finite_difference::{finite_difference_gradient, finite_difference_jacobian};
pub use free::{free_dimensions, free_symbols};
pub use scalar::Scalar;
