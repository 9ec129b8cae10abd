//! The expression nodes. Children are [`Id`]s into a [`Pool`](super::Pool); nodes carry no spans.

pub use super::ids::Ids;
use super::number::Number;
use super::shape::{Dim, Shape};
use super::symbol::SymbolId;
use serde::Serialize;

/// Index of a node in its pool. Equal ids mean equal (canonical) expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Id(pub u32);

impl Id {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Which norm a [`Func::Norm`] is.
pub use crate::syntax::ast::NormKind;

/// The built-in functions. Scalar functions applied to a vector or matrix act elementwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Func {
    /// sine
    Sin,
    /// cosine
    Cos,
    /// tangent
    Tan,
    /// exponential
    Exp,
    /// natural logarithm (`log`, `ln`)
    Log,
    /// hyperbolic tangent
    Tanh,
    /// logistic sigmoid σ(t) = 1 / (1 + e⁻ᵗ)
    Sigmoid,
    /// softplus log(1 + eᵗ)
    Softplus,
    /// max(t, 0)
    Relu,
    /// |t|
    Abs,
    /// sign(t) ∈ {−1, 0, 1}
    Sign,
    /// trace of a square matrix
    Trace,
    /// determinant of a square matrix
    Det,
    /// Moore–Penrose pseudo-inverse
    Pinv,
    /// `diag(v)`: the square matrix with v on its diagonal; `diag(A)`: the diagonal of A as a vector
    Diag,
    /// sum of all entries
    Sum,
    /// softmax of a vector
    Softmax,
    /// log ∑ exp of the entries
    LogSumExp,
    /// a norm of a vector or matrix
    Norm(NormKind),
    /// inverse sine, on [−1, 1]
    Arcsin,
    /// inverse cosine, on [−1, 1]
    Arccos,
    /// inverse tangent
    Arctan,
}

impl Func {
    /// The canonical (ASCII) name, as used by the ASCII printer and accepted by the parser.
    pub fn name(self) -> &'static str {
        match self {
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Tanh => "tanh",
            Func::Sigmoid => "sigmoid",
            Func::Softplus => "softplus",
            Func::Relu => "relu",
            Func::Abs => "abs",
            Func::Sign => "sign",
            Func::Trace => "tr",
            Func::Det => "det",
            Func::Pinv => "pinv",
            Func::Diag => "diag",
            Func::Sum => "sum",
            Func::Softmax => "softmax",
            Func::LogSumExp => "logsumexp",
            Func::Norm(_) => "norm",
            Func::Arcsin => "arcsin",
            Func::Arccos => "arccos",
            Func::Arctan => "arctan",
        }
    }

    /// Does it act entry by entry on a vector or matrix argument?
    pub fn is_elementwise(self) -> bool {
        matches!(
            self,
            Func::Sin
                | Func::Cos
                | Func::Tan
                | Func::Exp
                | Func::Log
                | Func::Tanh
                | Func::Sigmoid
                | Func::Softplus
                | Func::Relu
                | Func::Abs
                | Func::Sign
                | Func::Arcsin
                | Func::Arccos
                | Func::Arctan
        )
    }

    /// The built-in with this (canonical or alternative) name, if any. `sqrt` and `inv` are not
    /// functions here: they lower to powers.
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "sin" => Func::Sin,
            "cos" => Func::Cos,
            "tan" => Func::Tan,
            "exp" => Func::Exp,
            "log" | "ln" => Func::Log,
            "tanh" => Func::Tanh,
            "σ" | "sigmoid" => Func::Sigmoid,
            "softplus" => Func::Softplus,
            "relu" => Func::Relu,
            "abs" => Func::Abs,
            "sign" => Func::Sign,
            "tr" | "trace" => Func::Trace,
            "det" => Func::Det,
            "pinv" => Func::Pinv,
            "diag" => Func::Diag,
            "sum" => Func::Sum,
            "softmax" => Func::Softmax,
            "logsumexp" => Func::LogSumExp,
            "arcsin" | "asin" => Func::Arcsin,
            "arccos" | "acos" => Func::Arccos,
            "arctan" | "atan" => Func::Arctan,
            _ => return None,
        })
    }
}

/// Which derivative an unevaluated [`Node::Derivative`] is.
pub use crate::syntax::ast::DerivativeKind;

/// An unevaluated derivative operator applied to an expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Derivative {
    /// Gradient, Hessian, Jacobian, partial, ordinary or directional.
    pub kind: DerivativeKind,
    /// What is differentiated.
    pub expr: Id,
    /// The variables (symbols or components), in order.
    pub wrt: Box<[Id]>,
    /// The direction of a directional derivative.
    pub direction: Option<Id>,
}

/// One expression node. Sums and products are n-ary and canonically ordered (see the
/// `simplify` module); matrix products keep the order of their non-scalar factors.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Node {
    /// An exact scalar constant.
    Num(Number),
    /// A variable.
    Sym(SymbolId),
    /// A dimension used as a scalar value (`tr(Iₙ) = n`).
    DimValue(Box<Dim>),
    /// The identity matrix of the given size.
    Identity(Box<Dim>),
    /// The all-ones vector or matrix.
    Ones(Box<Shape>),
    /// The zero vector or matrix (the scalar zero is `Num(0)`).
    Zero(Box<Shape>),
    /// A sum of terms of one shape.
    Add(Ids),
    /// A product: a rational coefficient first (omitted when 1), then scalar factors in canonical
    /// order, then non-scalar factors in multiplication order.
    Mul(Ids),
    /// A power: scalar base with scalar exponent (√x is x^(1/2)), or a square matrix to an integer
    /// power (A⁻¹ is A^(−1)).
    Pow(Id, Id),
    /// A transpose; canonical forms keep it only on symbols and atoms.
    Transpose(Id),
    /// An elementwise product of operands of one shape.
    Hadamard(Ids),
    /// A Kronecker product.
    Kron(Id, Id),
    /// A built-in function applied to its arguments.
    Apply(Func, Ids),
    /// A literal matrix of scalar entries, row-major.
    Matrix {
        /// Number of rows.
        rows: u32,
        /// Number of columns.
        cols: u32,
        /// The entries, row by row.
        entries: Ids,
    },
    /// An entry of a vector (`xᵢ`, one index) or matrix (`A_{ij}`, two indices); indices are
    /// 1-based scalar expressions.
    Component(Id, Ids),
    /// `∑_{index = lower}^{upper} body`.
    Sum {
        /// The bound index symbol.
        index: SymbolId,
        /// Lower bound.
        lower: Id,
        /// Upper bound.
        upper: Id,
        /// The summand.
        body: Id,
    },
    /// An unevaluated derivative operator.
    Derivative(Box<Derivative>),
    /// `body at x = v, …`: substitution of values for symbols.
    At(Id, Box<[(SymbolId, Id)]>),
    /// An elementwise power of a vector or matrix by a constant rational exponent (the second
    /// child, a number): `x ⊙ x`, `√x`, `𝟙 ⊘ x` for exponents 2, ½ and −1.
    HadamardPow(Id, Id),
}

impl Node {
    /// Has the node no children?
    pub fn is_leaf(&self) -> bool {
        matches!(
            self,
            Node::Num(_)
                | Node::Sym(_)
                | Node::DimValue(_)
                | Node::Identity(_)
                | Node::Ones(_)
                | Node::Zero(_)
        )
    }

    /// Calls `f` on each child, in order, without allocating.
    #[inline]
    pub fn for_each_child(&self, mut f: impl FnMut(Id)) {
        match self {
            Node::Num(_)
            | Node::Sym(_)
            | Node::DimValue(_)
            | Node::Identity(_)
            | Node::Ones(_)
            | Node::Zero(_) => {}
            Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) | Node::Apply(_, xs) => {
                xs.iter().for_each(|&x| f(x))
            }
            Node::Pow(a, b) | Node::Kron(a, b) | Node::HadamardPow(a, b) => {
                f(*a);
                f(*b);
            }
            Node::Transpose(a) => f(*a),
            Node::Matrix { entries, .. } => entries.iter().for_each(|&x| f(x)),
            Node::Component(v, idx) => {
                f(*v);
                idx.iter().for_each(|&x| f(x));
            }
            Node::Sum {
                lower, upper, body, ..
            } => {
                f(*lower);
                f(*upper);
                f(*body);
            }
            Node::Derivative(d) => {
                f(d.expr);
                d.wrt.iter().for_each(|&x| f(x));
                if let Some(x) = d.direction {
                    f(x);
                }
            }
            Node::At(body, binds) => {
                f(*body);
                binds.iter().for_each(|(_, v)| f(*v));
            }
        }
    }

    /// The node's children, in order.
    pub fn children(&self) -> Vec<Id> {
        match self {
            Node::Num(_)
            | Node::Sym(_)
            | Node::DimValue(_)
            | Node::Identity(_)
            | Node::Ones(_)
            | Node::Zero(_) => Vec::new(),
            Node::Add(xs) | Node::Mul(xs) | Node::Hadamard(xs) | Node::Apply(_, xs) => xs.to_vec(),
            Node::Pow(a, b) | Node::Kron(a, b) | Node::HadamardPow(a, b) => vec![*a, *b],
            Node::Transpose(a) => vec![*a],
            Node::Matrix { entries, .. } => entries.to_vec(),
            Node::Component(v, idx) => std::iter::once(*v).chain(idx.iter().copied()).collect(),
            Node::Sum {
                lower, upper, body, ..
            } => vec![*lower, *upper, *body],
            Node::Derivative(d) => std::iter::once(d.expr)
                .chain(d.wrt.iter().copied())
                .chain(d.direction)
                .collect(),
            Node::At(body, binds) => std::iter::once(*body)
                .chain(binds.iter().map(|(_, v)| *v))
                .collect(),
        }
    }
}
