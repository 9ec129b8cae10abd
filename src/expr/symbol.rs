//! Symbols: declared (or inferred) variables with their shape and assumptions.

use super::shape::Shape;
use serde::Serialize;

/// Index of a symbol in its pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SymbolId(pub u32);

/// What is assumed of a matrix symbol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Assumptions {
    /// A = Aᵀ.
    pub symmetric: bool,
    /// Symmetric positive definite (implies `symmetric`).
    pub positive_definite: bool,
}

/// How a symbol came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SymbolOrigin {
    /// Declared with `let` (or `--let`).
    Declared,
    /// Not declared; its shape was inferred from use (scalar by default).
    Inferred,
    /// The bound index of a sum (`i` in `∑_{i=1}^{N}`).
    SumIndex,
}

/// A named variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Symbol {
    /// Canonical name: `x`, `α`, `x_1`, `w_ji`.
    pub name: String,
    /// Its shape.
    pub shape: Shape,
    /// Assumptions on its values.
    pub assumptions: Assumptions,
    /// Declared, inferred, or a sum index.
    pub origin: SymbolOrigin,
}
