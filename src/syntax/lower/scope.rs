//! What names mean: declarations (`let`), the parameters of the function being defined, bound sum
//! indices, dimension names, and subscripts (`x_1` as a symbol or as an entry of `x`).

use super::FunctionDef;
use crate::expr::{Assumptions, Dim, Pool, Shape, SymbolId, SymbolOrigin};
use crate::syntax::ast::{BinaryOp, Decl, DimExpr, Expr, ExprKind, Type, TypeKind};
use crate::syntax::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::span::Span;
use num_traits::Signed;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Name-resolution state that outlives a single expression.
#[derive(Debug, Default)]
pub(super) struct Scope {
    /// Where each symbol was declared (or, for an inferred one, first used).
    pub declared_at: HashMap<String, Span>,
    /// The parameters of the function being defined (empty outside a definition).
    pub params: Vec<String>,
    /// Bound sum indices, innermost last.
    pub sums: Vec<SumIndex>,
    /// Shapes inferred in this statement for names not yet in the pool.
    pub inferred: BTreeMap<String, Shape>,
    /// Every name that a shape in `inferred` uses as a dimension.
    pub inferred_dimensions: BTreeSet<String>,
    /// Shapes given by their context to the literals `I`, `𝟙` and `0`, keyed by node address.
    pub literals: HashMap<usize, Shape>,
}

/// A bound sum index and the length its range implies (`N` in `∑_{i=1}^{N}`).
#[derive(Clone, Debug)]
pub(super) struct SumIndex {
    /// The index's name.
    pub name: String,
    /// The upper bound as a dimension, when it is a number or a name (times a number).
    pub length: Option<Dim>,
}

/// What a plain name refers to (the name itself is the symbol, dimension or function meant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NameKind {
    /// A symbol (existing, or to be created as an inferred one).
    Symbol,
    /// A dimension used as a value (`N` in `1/N`).
    Dim,
    /// A user-defined function written without arguments.
    Function,
}

/// The 1×1 shape, for borrowing.
static SCALAR: Shape = Shape {
    rows: Dim {
        coeff: 1,
        symbols: Vec::new(),
    },
    cols: Dim {
        coeff: 1,
        symbols: Vec::new(),
    },
};

/// What a subscripted name refers to.
#[derive(Clone, Debug)]
pub(super) enum SubscriptRef<'e> {
    /// A symbol of its own (`x_1` declared, or a scalar named `x_1`).
    Symbol(String),
    /// An entry of a vector or matrix symbol.
    Component {
        /// The container's name.
        base: String,
        /// The indices (one for a vector, two for a matrix).
        indices: Vec<Index<'e>>,
    },
    /// `x_i` inside a sum over `i` with `x` not yet known: `x` is a vector of the sum's length.
    SumVector {
        /// The container's name.
        base: String,
        /// Its length, if the bound says it.
        length: Option<Dim>,
    },
    /// `x_{i+1}` where `x` is not a vector and the subscript is no name.
    Unresolved,
    /// `x₁` where `x` is an undeclared parameter of the function being defined: its entries
    /// need its length.
    UndeclaredParameter(String),
}

/// One index of a component.
#[derive(Clone, Debug)]
pub(super) enum Index<'e> {
    /// An index expression as written.
    Expr(&'e Expr),
    /// One letter of a two-letter subscript (`i` of `ij`).
    Name(String, Span),
    /// One digit of a two-digit subscript (`1` of `12`).
    Number(u64, Span),
}

impl Scope {
    /// Forgets the inference results of the previous statement.
    pub fn start_statement(&mut self) {
        self.inferred.clear();
        self.inferred_dimensions.clear();
        self.literals.clear();
        self.sums.clear();
    }

    /// Is `name` a symbol already (in the pool, a parameter, a bound index or inferred)?
    pub fn is_known_symbol(&self, pool: &Pool, name: &str) -> bool {
        pool.lookup(name).is_some()
            || self.params.iter().any(|p| p == name)
            || self.sums.iter().any(|s| s.name == name)
            || self.inferred.contains_key(name)
    }

    /// What a plain name refers to: parameter, symbol, sum index, dimension, function, or else a
    /// (new or inferred-in-this-statement) symbol. A dimension wins over a symbol only inferred
    /// in this statement, so `N` in `∑_{i=1}^{N} yᵢ` is the length of `y`.
    pub fn name_kind(
        &self,
        pool: &Pool,
        functions: &BTreeMap<String, FunctionDef>,
        name: &str,
    ) -> NameKind {
        let bound = pool.lookup(name).is_some()
            || self.params.iter().any(|p| p == name)
            || self.sums.iter().any(|s| s.name == name);
        if bound {
            NameKind::Symbol
        } else if self.is_dimension(pool, name) {
            NameKind::Dim
        } else if functions.contains_key(name) {
            NameKind::Function
        } else {
            NameKind::Symbol
        }
    }

    /// The shape of a symbol if it is known yet.
    pub fn symbol_shape(&self, pool: &Pool, name: &str) -> Option<Shape> {
        self.known_shape(pool, name).cloned()
    }

    /// The shape of a symbol if it is known yet, borrowed.
    pub fn known_shape<'s>(&'s self, pool: &'s Pool, name: &str) -> Option<&'s Shape> {
        if let Some(s) = pool.lookup(name) {
            return Some(&pool.symbol(s).shape);
        }
        if self.sums.iter().any(|s| s.name == name) {
            return Some(&SCALAR);
        }
        self.inferred.get(name)
    }

    /// Is `name` a dimension of some known shape (so that `N` in `1/N` is the dimension)?
    fn is_dimension(&self, pool: &Pool, name: &str) -> bool {
        pool.is_dimension_name(name)
            || self.inferred_dimensions.contains(name)
            || self.sums.iter().any(|s| {
                s.length
                    .as_ref()
                    .is_some_and(|d| d.symbols.iter().any(|x| x == name))
            })
    }

    /// Records a shape inferred in this statement for `name`.
    pub fn infer(&mut self, name: &str, shape: Shape) {
        for d in shape.rows.symbols.iter().chain(&shape.cols.symbols) {
            self.inferred_dimensions.insert(d.clone());
        }
        self.inferred.insert(name.to_string(), shape);
    }

    /// Is a sum index bound here, and does `e` mention one?
    pub fn mentions_sum_index(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => self.sums.iter().any(|s| &s.name == n),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.mentions_sum_index(lhs) || self.mentions_sum_index(rhs)
            }
            ExprKind::Unary { operand, .. } => self.mentions_sum_index(operand),
            _ => false,
        }
    }

    /// The length of the sum whose index `e` mentions (innermost first).
    fn sum_length(&self, e: &Expr) -> Option<Dim> {
        self.sums
            .iter()
            .rev()
            .find(|s| mentions_name(e, &s.name))
            .and_then(|s| s.length.clone())
    }

    /// What `base_index` refers to: a symbol `base_index`, an entry of `base`, or `base` as a
    /// vector over a sum.
    pub fn classify_subscript<'e>(
        &self,
        pool: &Pool,
        functions: &BTreeMap<String, FunctionDef>,
        base: &str,
        index: &'e Expr,
    ) -> SubscriptRef<'e> {
        let text = subscript_text(index);
        if let Some(t) = &text {
            let full = format!("{base}_{t}");
            if self.is_known_symbol(pool, &full) {
                return SubscriptRef::Symbol(full);
            }
        }
        let base_is_symbol = self.name_kind(pool, functions, base) == NameKind::Symbol;
        let base_shape = self.symbol_shape(pool, base).filter(|_| base_is_symbol);
        match base_shape {
            Some(shape) if !shape.is_scalar() => {
                let indices = if shape.cols.is_one() {
                    vec![Index::Expr(index)]
                } else {
                    split_pair(index).unwrap_or_else(|| vec![Index::Expr(index)])
                };
                SubscriptRef::Component {
                    base: base.to_string(),
                    indices,
                }
            }
            None if base_is_symbol && self.mentions_sum_index(index) => SubscriptRef::SumVector {
                base: base.to_string(),
                length: self.sum_length(index),
            },
            _ if self.params.iter().any(|p| p == base)
                && pool
                    .lookup(base)
                    .is_none_or(|s| pool.symbol(s).origin == SymbolOrigin::Inferred) =>
            {
                SubscriptRef::UndeclaredParameter(base.to_string())
            }
            _ => match text {
                Some(t) => SubscriptRef::Symbol(format!("{base}_{t}")),
                None => SubscriptRef::Unresolved,
            },
        }
    }

    /// Declares the groups of a `let`, recording where each name was declared.
    pub fn declare_decls(
        &mut self,
        pool: &mut Pool,
        decls: &[Decl],
    ) -> Result<Vec<SymbolId>, Diagnostic> {
        let mut out = Vec::new();
        for decl in decls {
            let shape = type_shape(&decl.ty)?;
            let assumptions = Assumptions {
                symmetric: decl.ty.symmetric || decl.ty.spd,
                positive_definite: decl.ty.spd,
            };
            for ident in &decl.names {
                match pool.declare(
                    &ident.name,
                    shape.clone(),
                    assumptions,
                    SymbolOrigin::Declared,
                ) {
                    Ok(s) => {
                        self.declared_at
                            .entry(ident.name.clone())
                            .or_insert(ident.span);
                        out.push(s);
                    }
                    Err(existing) => {
                        return Err(self.redeclared(pool, existing, ident.span, &decl.ty, &shape))
                    }
                }
            }
        }
        Ok(out)
    }

    fn redeclared(
        &self,
        pool: &Pool,
        existing: SymbolId,
        span: Span,
        ty: &Type,
        shape: &Shape,
    ) -> Diagnostic {
        let old = pool.symbol(existing);
        let describe = |shape: &Shape, a: &Assumptions| {
            let extra = if a.positive_definite {
                " spd"
            } else if a.symmetric {
                " symmetric"
            } else {
                ""
            };
            format!("{shape}{extra}")
        };
        let new_assumptions = Assumptions {
            symmetric: ty.symmetric || ty.spd,
            positive_definite: ty.spd,
        };
        let verb = match old.origin {
            SymbolOrigin::Declared => "declared",
            _ => "used",
        };
        let mut d = Diagnostic::new(
            DiagnosticKind::Redeclared,
            span,
            format!(
                "{} is {verb} as {} and declared again as {}",
                old.name,
                describe(&old.shape, &old.assumptions),
                describe(shape, &new_assumptions)
            ),
        )
        .with_primary_message(format!(
            "declared again as {}",
            describe(shape, &new_assumptions)
        ))
        .with_hint(format!(
            "give {} one type, or use a different name",
            old.name
        ));
        if let Some(&first) = self.declared_at.get(&old.name) {
            d = d.with_label(
                first,
                format!(
                    "first {verb} here as {}",
                    describe(&old.shape, &old.assumptions)
                ),
            );
        }
        d
    }
}

/// The shape of a declared type; `symmetric`/`spd` need a square type.
fn type_shape(ty: &Type) -> Result<Shape, Diagnostic> {
    let shape = match &ty.kind {
        TypeKind::Scalar => Shape::scalar(),
        TypeKind::Vector(n) => Shape::vector(dim(n)?),
        TypeKind::Matrix(m, n) => Shape::matrix(dim(m)?, dim(n)?),
    };
    if (ty.symmetric || ty.spd) && !shape.is_square() {
        let word = if ty.spd { "spd" } else { "symmetric" };
        return Err(Diagnostic::new(
            DiagnosticKind::ShapeMismatch,
            ty.span,
            format!("`{word}` needs a square type, but {shape} is not square"),
        )
        .with_primary_message(format!("{shape} is not square"))
        .with_hint("only a square matrix type such as ℝ^(n×n) can be symmetric"));
    }
    Ok(shape)
}

fn dim(d: &DimExpr) -> Result<Dim, Diagnostic> {
    match d {
        DimExpr::Known(0, span) => Err(Diagnostic::new(
            DiagnosticKind::ShapeMismatch,
            *span,
            "a dimension must be at least 1",
        )),
        DimExpr::Known(k, _) => Ok(Dim::known(*k)),
        DimExpr::Symbol(ident) => Ok(Dim::symbol(ident.name.clone())),
    }
}

/// The text of a subscript that names a symbol: `1` in `x_1`, `ji` in `w_ji`.
pub(super) fn subscript_text(index: &Expr) -> Option<String> {
    match &index.kind {
        ExprKind::Number(n) if n.is_integer() && !n.is_negative() => Some(n.numer().to_string()),
        ExprKind::Name(n) => Some(n.clone()),
        _ => None,
    }
}

/// `ij` → `[i, j]`, `12` → `[1, 2]`: a two-character subscript as two matrix indices.
fn split_pair(index: &Expr) -> Option<Vec<Index<'_>>> {
    let text = subscript_text(index)?;
    let chars: Vec<char> = text.chars().collect();
    let [a, b] = chars.as_slice() else {
        return None;
    };
    let span = index.span;
    Some(match (a.to_digit(10), b.to_digit(10)) {
        (Some(x), Some(y)) => vec![Index::Number(x.into(), span), Index::Number(y.into(), span)],
        (None, None) => vec![
            Index::Name(a.to_string(), span),
            Index::Name(b.to_string(), span),
        ],
        _ => return None,
    })
}

fn mentions_name(e: &Expr, name: &str) -> bool {
    match &e.kind {
        ExprKind::Name(n) => n == name,
        ExprKind::Binary { lhs, rhs, .. } => mentions_name(lhs, name) || mentions_name(rhs, name),
        ExprKind::Unary { operand, .. } => mentions_name(operand, name),
        _ => false,
    }
}

/// The length a sum's upper bound gives: `N`, `3`, `2N`.
pub(super) fn bound_length(upper: &Expr) -> Option<Dim> {
    match &upper.kind {
        ExprKind::Number(n) if n.is_integer() => {
            let k = num_traits::ToPrimitive::to_u64(n.numer())?;
            (k >= 1).then(|| Dim::known(k))
        }
        ExprKind::Name(n) => Some(Dim::symbol(n.clone())),
        ExprKind::Binary {
            op: BinaryOp::Mul,
            lhs,
            rhs,
        } => bound_length(lhs)?.times(&bound_length(rhs)?),
        _ => None,
    }
}
