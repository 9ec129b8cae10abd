//! The expression core: exact numbers, shapes with symbolic dimensions, symbols, nodes and the
//! hash-consed pool they live in.

mod arity;
mod id_set;
mod ids;
mod node;
mod number;
mod order;
mod pool;
mod shape;
mod symbol;

pub use arity::InvalidNode;
pub use id_set::{IdIndex, IdSet};
pub use node::{Derivative, DerivativeKind, Func, Id, Ids, Node, NormKind};
pub use number::Number;
pub use order::structural_cmp;
pub use pool::{Limits, Pool};
pub use shape::{Dim, Shape};
pub use symbol::{Assumptions, Symbol, SymbolId, SymbolOrigin};
