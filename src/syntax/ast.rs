//! The spanned syntax tree: what the parser produces, before names and shapes are resolved.
//!
//! All three spellings (Unicode, ASCII, LaTeX) parse to the same tree: `½`, `1/2` and
//! `\frac{1}{2}` are all `Binary { op: Div, .. }` of two numbers, `Aᵀ`, `A'` and `A^\top` are all
//! `Postfix { op: Transpose, .. }`, and so on. Names are canonical: Greek letters as Unicode
//! (`\alpha`, `alpha` → `α`), bold/mathbf stripped (`\mathbf{x}` → `x`).

use super::span::Span;
use num_rational::BigRational;
use serde::Serialize;

/// A whole derivation file (or a single expression, as one `Statement::Expr`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Program {
    /// The statements in source order.
    pub statements: Vec<Statement>,
}

/// A name as written, canonicalised (`x`, `α`, `x_1`, `w_ji`), with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ident {
    /// Canonical name: Greek letters as Unicode; a subscript written `x₁`, `x_1`, `x_{1}` or `x1`
    /// on a *declared name or parameter* is kept as `x_1` only by the lowering — the parser keeps
    /// subscripts as [`ExprKind::Subscript`] inside expressions. In `let` and in bindings a
    /// subscripted name is spelled with `_` (`x_1`).
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// One top-level statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Statement {
    /// `let a, b: ℝ, A: ℝ^(m×n) symmetric`
    Let {
        /// The declaration groups.
        decls: Vec<Decl>,
        /// The whole statement.
        span: Span,
    },
    /// `f(x) = …`, `L(w, b) = …`
    Define {
        /// The function's name.
        name: Ident,
        /// Its parameters.
        params: Vec<Ident>,
        /// The right-hand side.
        body: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `claim LHS = RHS` with continuation steps `= …` and an optional `at …` (which applies to
    /// every step).
    Claim(Claim),
    /// A claim that could not be parsed (only when reading a file to be checked, see
    /// `parse_checkable_program`): its error, and the lines it covers.
    UnreadableClaim {
        /// Why it cannot be read.
        diagnostic: crate::syntax::diagnostic::Diagnostic,
        /// The claim's lines, from `claim` to the end of its last continuation line.
        span: Span,
    },
    /// `descend f from x = … with A = … using gd(step = 0.1, iters = 10)`
    Descend {
        /// The function descended.
        function: Ident,
        /// Starting point.
        from: Vec<Binding>,
        /// Data for declared symbols.
        with: Vec<Binding>,
        /// The method and its options.
        method: Method,
        /// The whole statement.
        span: Span,
    },
    /// `classify f at x = [0; 0] with A = …`
    Classify {
        /// The function classified.
        function: Ident,
        /// The point.
        at: Vec<Binding>,
        /// Data for declared symbols.
        with: Vec<Binding>,
        /// The whole statement.
        span: Span,
    },
    /// `critical f with A = …`
    Critical {
        /// The function whose critical points are wanted.
        function: Ident,
        /// Data for declared symbols.
        with: Vec<Binding>,
        /// The whole statement.
        span: Span,
    },
    /// A bare expression (the `nabla parse EXPR` case, or a line that is only an expression).
    Expr(Expr),
}

/// One declaration group in a `let`: `a, b: ℝ` or `A ∈ ℝ^(m×n) spd`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decl {
    /// The names declared.
    pub names: Vec<Ident>,
    /// Their common type.
    pub ty: Type,
    /// The whole group.
    pub span: Span,
}

/// A declared type: `ℝ`, `ℝ^n`, `ℝⁿ`, `ℝ^(m×n)`, `ℝᵐˣⁿ`, `R^(m x n)`, with assumptions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Type {
    /// Scalar, vector or matrix.
    pub kind: TypeKind,
    /// `symmetric` was written.
    pub symmetric: bool,
    /// `spd` was written (implies symmetric).
    pub spd: bool,
    /// The whole type.
    pub span: Span,
}

/// The shape part of a declared type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum TypeKind {
    /// `ℝ`
    Scalar,
    /// `ℝ^n`: a column vector.
    Vector(DimExpr),
    /// `ℝ^(m×n)`
    Matrix(DimExpr, DimExpr),
}

/// A dimension as written: a number or a dimension symbol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum DimExpr {
    /// `3`
    Known(u64, Span),
    /// `n`, `N`, `d`
    Symbol(Ident),
}

/// `claim first = steps[0] = steps[1] … at bindings`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Claim {
    /// The left-hand side.
    pub first: Expr,
    /// Each `= rhs` (or `≈ rhs`), in order; the first is on the claim's own line.
    pub steps: Vec<Step>,
    /// `at x = 1, y = 1` (empty if absent).
    pub at: Vec<Binding>,
    /// The whole claim including continuation lines.
    pub span: Span,
}

/// One `= expr` or `≈ expr` of a claim chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// `=` or `≈`.
    pub relation: Relation,
    /// The expression after the relation.
    pub expr: Expr,
    /// The relation sign and the expression.
    pub span: Span,
}

/// The relation of a claim step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Relation {
    /// `=`
    Equal,
    /// `≈`, `~=`, `\approx`: agrees to the digits written.
    Approx,
}

/// `name = value` in `at`, `from`, `with`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Binding {
    /// The bound name (canonical, `x_1` for `x₁`).
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole binding.
    pub span: Span,
}

/// `gd(step = 0.05, iters = 500)`, `gd(line_search)`, `exact`, `newton`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Method {
    /// The method's name.
    pub name: Ident,
    /// Its options, in order.
    pub options: Vec<MethodOption>,
    /// The whole method.
    pub span: Span,
}

/// One option of a method: a bare flag or `key = value`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum MethodOption {
    /// `line_search`
    Flag(Ident),
    /// `step = 0.1`, `γ = 0.9`
    Value(Ident, Expr),
}

/// A spanned expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written (parentheses included when present).
    pub span: Span,
}

/// Binary operators. Every spelling of multiplication (juxtaposition, `*`, `·`, `×`, `\cdot`,
/// `\times`) is `Mul`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `−`, `-`
    Sub,
    /// Any multiplication.
    Mul,
    /// `/`, `\frac`, `½` (as 1/2)
    Div,
    /// `^`, superscripts
    Pow,
    /// `⊙`, `.*`, `\odot`
    Hadamard,
    /// `⊘`, `./`, `\oslash`: entrywise division
    HadamardDiv,
    /// `⊗`, `kron(A, B)`, `\otimes`
    Kron,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    /// `−x`
    Neg,
    /// `+x`
    Plus,
}

/// Postfix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PostfixOp {
    /// `Aᵀ`, `A'`, `A^T`, `A^\top`
    Transpose,
    /// `A⁻¹`, `A^{-1}`, `inv(A)`
    Inverse,
    /// `A⁺`, `A^+`, `pinv(A)`
    PseudoInverse,
}

/// Which norm: `‖v‖`/`‖v‖₂` (2), `‖v‖₁` (1), `‖X‖_F` (Frobenius).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NormKind {
    /// Euclidean norm of a vector; for a matrix written `‖X‖` also the Frobenius norm.
    Two,
    /// Sum of absolute values.
    One,
    /// Frobenius norm.
    Frobenius,
}

/// The expression forms. Derivative operators stay unevaluated here.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    /// An exact number: `2`, `0.2` (= 1/5), `½` is a `Div` of numbers.
    Number(#[serde(serialize_with = "serialize_rational")] BigRational),
    /// A name: a symbol, a defined function's name, `I`, `𝟙`/`ones` are separate kinds.
    Name(String),
    /// `x₁`, `x_1`, `x1`, `w_{ji}`, `x_{i+1}`: a base name with a subscript expression (a
    /// number, a name, or an index expression like `i+1`). Multi-letter subscripts like `ji`
    /// are a `Name("ji")`; the lowering decides whether `w_ji` is a symbol or an entry.
    Subscript {
        /// The base (always a `Name`).
        base: Box<Expr>,
        /// The subscript.
        index: Box<Expr>,
    },
    /// `−x`, `+x`.
    Unary {
        /// Which.
        op: UnaryOp,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `a + b`, `Ax`, `x^2`, …
    Binary {
        /// Which.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `Aᵀ`, `A⁻¹`, `A⁺`.
    Postfix {
        /// Which.
        op: PostfixOp,
        /// Operand.
        operand: Box<Expr>,
    },
    /// `sin x`, `sin(x)`, `f(x, y)`, `norm(v, 1)` is *not* this (see `Norm`), `tr(A)`, `σ(Wx+b)`.
    /// Built-ins and user-defined functions alike; the lowering resolves the name.
    Call {
        /// Function name (canonical: `ln` → `log`, `sigmoid` → `σ`, `sqrt` is `Sqrt`).
        function: Ident,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `‖v‖`, `‖v‖₂`, `‖v‖₁`, `‖X‖_F`, `norm(v)`, `norm(v, 1)`, `norm(X, F)`, `||v||`,
    /// `\|v\|_2`, `\lVert v \rVert`.
    Norm {
        /// Which norm.
        kind: NormKind,
        /// The argument.
        arg: Box<Expr>,
    },
    /// `|t|`, `abs(t)`, `\lvert t \rvert`.
    Abs(Box<Expr>),
    /// `√x`, `√(x + 1)`, `sqrt(x + 1)`, `\sqrt{x+1}`.
    Sqrt(Box<Expr>),
    /// `[4 1; 1 2]`, `[1; 2]`, `\begin{bmatrix} 4 & 1 \\ 1 & 2 \end{bmatrix}`: rows of entries.
    Matrix(Vec<Vec<Expr>>),
    /// `I` (size inferred).
    Identity,
    /// `𝟙`, `ones`, `\mathbf{1}` (size inferred).
    Ones,
    /// `∑_{i=1}^{N} body`, `sum(i = 1..N, body)`, `\sum_{i=1}^{N} body`.
    Sum {
        /// The bound index.
        index: Ident,
        /// Lower bound.
        lower: Box<Expr>,
        /// Upper bound.
        upper: Box<Expr>,
        /// The summand.
        body: Box<Expr>,
    },
    /// A derivative operator, unevaluated.
    Derivative(Box<Derivative>),
    /// `expr at x = [1; 1]`.
    At {
        /// What is evaluated.
        body: Box<Expr>,
        /// The point.
        bindings: Vec<Binding>,
    },
}

/// Which derivative operator was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DerivativeKind {
    /// `∇f(x)`, `∇ₓ f`, `grad(f(x), x)`, `\nabla_x`
    Gradient,
    /// `∇²f(x)`, `∇ₓ² f`, `hess(f(x), x)`, `\nabla^2_x`
    Hessian,
    /// `J(g, x)`, `J_x g(x)`, `jac(g(x), x)`
    Jacobian,
    /// `∂f/∂x₁`, `∂/∂x₁ (…)`, `∂²f/∂x∂y`, `diff(f, x, y)`, `\frac{\partial f}{\partial x}`
    Partial,
    /// `d/dx (…)`, `f'(x)`, `f''(x)`, `\frac{d}{dx}`
    Ordinary,
    /// `D_u f(x)`, `ddir(f(x), x, u)`
    Directional,
}

/// A derivative operator applied to an expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Derivative {
    /// Which operator.
    pub kind: DerivativeKind,
    /// What is differentiated. For `J(g, x)` and `∂f/∂x` with a bare function name this is the
    /// `Name` of the function; for `f'(x)` it is the `Call` `f(x)`.
    pub body: Expr,
    /// The variables, in order: `∂²f/∂x∂y` → `[x, y]`; `f''(x)` → `[x, x]`; `∇ₓ² f` → `[x]`.
    /// Empty when not written (`∇f(x)`: the lowering takes the function's parameters).
    pub wrt: Vec<Expr>,
    /// The direction of a directional derivative (`u` in `D_u`).
    pub direction: Option<Expr>,
}

fn serialize_rational<S: serde::Serializer>(r: &BigRational, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&r.to_string())
}
