//! Numeric evaluation of expressions at concrete instances: exact rationals where possible,
//! `f64` otherwise, with domain errors instead of NaN or infinity.
//!
//! ```
//! use nabla::expr::{Assumptions, Dim, Func, NormKind, Number, Pool, Shape, SymbolOrigin};
//! use nabla::numeric::{evaluate, Dense, EvalError, Instance};
//!
//! let mut pool = Pool::new();
//! let n = Dim::symbol("n");
//! let v = pool
//!     .declare("v", Shape::vector(n), Assumptions::default(), SymbolOrigin::Declared)
//!     .expect("fresh symbol");
//! let ve = pool.symbol_expr(v);
//! let norm = pool.apply(Func::Norm(NormKind::Two), &[ve]);
//!
//! let three_four = Dense::from_vec(2, 1, vec![Number::int(3), Number::int(4)]).unwrap();
//! let mut at = Instance::new().with_dim("n", 2).with_value(v, three_four);
//! assert_eq!(evaluate(&pool, norm, &at), Ok(Dense::scalar(Number::int(5))));
//!
//! at.values.insert(v, Dense::from_vec(2, 1, vec![Number::int(1), Number::int(1)]).unwrap());
//! assert_eq!(evaluate(&pool, norm, &at), Err(EvalError::NotRational)); // √2
//! ```

pub mod analysis;
mod apply;
mod compile;
pub mod critical;
pub mod data;
mod dense;
pub mod descent;
mod error;
mod eval;
mod finite_difference;
mod free;
pub mod plot;
mod scalar;

pub use compile::{compile, Program};
pub use dense::{Dense, MAX_ENTRIES};
pub use error::EvalError;
pub use eval::{evaluate, why_undefined, Evaluation, Instance};
pub use finite_difference::{finite_difference_gradient, finite_difference_jacobian};
pub use free::{free_dimensions, free_symbols};
pub use scalar::Scalar;
