//! The differentiation rules as named data, and the record of one rule application. The forward
//! differential ([`super::forward_traced`]) records a [`DiffStep`] for every node it
//! differentiates, so a worked solution cites exactly the rules the computation used.

use crate::expr::{Func, Id, IdSet, Node, NormKind, Pool};
use serde::Serialize;

/// A differentiation rule, as a textbook names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffRule {
    /// `d(u + v) = du + dv`.
    Sum,
    /// `d(cu) = c du`, and `d(AuB) = A du B` for constant matrices.
    ConstantMultiple,
    /// `d(uv) = du·v + u·dv`, in order for matrix products.
    Product,
    /// `d(u/v) = (du·v − u·dv)/v²`.
    Quotient,
    /// `d(uⁿ) = n uⁿ⁻¹ du` for a constant exponent.
    Power,
    /// `d(aᵘ) = aᵘ ln a du` for a constant base.
    Exponential,
    /// `d(uᵛ) = v uᵛ⁻¹ du + uᵛ ln u dv`.
    GeneralPower,
    /// `d‖u‖² = 2uᵀdu` (`2 tr(UᵀdU)` for a matrix).
    SquaredNorm,
    /// `d f(u) = f′(u) du` for an elementwise function (entrywise `f′(u) ⊙ du` for vectors).
    Chain(Func),
    /// `d f(x) = f′(x) dx` for an elementwise function of the variable itself.
    Elementary(Func),
    /// `d(Uᵀ) = (dU)ᵀ`.
    Transpose,
    /// `d(u ⊙ v) = du ⊙ v + u ⊙ dv`.
    Hadamard,
    /// `d(A ⊗ B) = dA ⊗ B + A ⊗ dB`.
    Kronecker,
    /// `d tr U = tr dU`, `d sum(u) = sum(du)`, `d diag(u) = diag(du)`.
    Linear(Func),
    /// `d det X = det X · tr(X⁻¹ dX)` (Jacobi's formula).
    Determinant,
    /// `d(X⁻¹) = −X⁻¹ dX X⁻¹`.
    Inverse,
    /// `d(Xᵏ) = ∑ⱼ Xʲ dX Xᵏ⁻¹⁻ʲ`.
    MatrixPower,
    /// `d softmax(v) = s ⊙ dv − s sᵀdv` with `s = softmax(v)`.
    Softmax,
    /// `d logsumexp(v) = softmax(v)ᵀ dv`.
    LogSumExp,
    /// `d‖u‖ = uᵀdu / ‖u‖`, `d‖u‖₁ = sign(u)ᵀdu`.
    Norm(NormKind),
    /// A literal matrix is differentiated entry by entry.
    Entrywise,
    /// `d(uᵢ) = (du)ᵢ`.
    Component,
    /// `d ∑ᵢ uᵢ = ∑ᵢ duᵢ`.
    IndexedSum,
}

impl DiffRule {
    /// The rule's name as a textbook says it ("product rule", "derivative of sin").
    pub fn name(self) -> String {
        match self {
            DiffRule::Sum => "sum rule".into(),
            DiffRule::ConstantMultiple => "constant multiple (linearity)".into(),
            DiffRule::Product => "product rule".into(),
            DiffRule::Quotient => "quotient rule".into(),
            DiffRule::Power => "power rule".into(),
            DiffRule::Exponential => "exponential rule".into(),
            DiffRule::GeneralPower => "general power rule".into(),
            DiffRule::SquaredNorm => "differential of a squared norm".into(),
            DiffRule::Chain(f) => format!("chain rule with the derivative of {}", func_name(f)),
            DiffRule::Elementary(f) => format!("derivative of {}", func_name(f)),
            DiffRule::Transpose => "transpose rule".into(),
            DiffRule::Hadamard => "product rule (elementwise)".into(),
            DiffRule::Kronecker => "product rule (Kronecker)".into(),
            DiffRule::Linear(f) => format!("linearity of {}", func_name(f)),
            DiffRule::Determinant => "Jacobi's formula".into(),
            DiffRule::Inverse => "differential of the inverse".into(),
            DiffRule::MatrixPower => "product rule for a matrix power".into(),
            DiffRule::Softmax => "differential of softmax".into(),
            DiffRule::LogSumExp => "differential of log-sum-exp".into(),
            DiffRule::Norm(_) => "differential of a norm".into(),
            DiffRule::Entrywise => "entrywise differentiation".into(),
            DiffRule::Component => "differential of an entry".into(),
            DiffRule::IndexedSum => "linearity of the sum".into(),
        }
    }

    /// The rule as a formula, in Unicode.
    pub fn statement(self) -> String {
        match self {
            DiffRule::Sum => "d(u + v) = du + dv".into(),
            DiffRule::ConstantMultiple => "d(cu) = c du, d(AuB) = A du B".into(),
            DiffRule::Product => "d(uv) = du v + u dv".into(),
            DiffRule::Quotient => "d(u/v) = du/v + u d(1/v) = (du v − u dv)/v²".into(),
            DiffRule::Power => "d(uⁿ) = n uⁿ⁻¹ du".into(),
            DiffRule::Exponential => "d(aᵘ) = aᵘ ln a du".into(),
            DiffRule::GeneralPower => "d(uᵛ) = v uᵛ⁻¹ du + uᵛ ln u dv".into(),
            DiffRule::SquaredNorm => "d‖u‖² = 2uᵀdu".into(),
            DiffRule::Chain(f) => format!("d {0}(u) = {0}′(u) du, {1}", func_name(f), {
                derivative_statement(f)
            }),
            DiffRule::Elementary(f) => derivative_statement(f).into(),
            DiffRule::Transpose => "d(Uᵀ) = (dU)ᵀ".into(),
            DiffRule::Hadamard => "d(u ⊙ v) = du ⊙ v + u ⊙ dv".into(),
            DiffRule::Kronecker => "d(A ⊗ B) = dA ⊗ B + A ⊗ dB".into(),
            DiffRule::Linear(f) => format!("d {0}(U) = {0}(dU)", func_name(f)),
            DiffRule::Determinant => "d det X = det X tr(X⁻¹dX)".into(),
            DiffRule::Inverse => "d(X⁻¹) = −X⁻¹ dX X⁻¹".into(),
            DiffRule::MatrixPower => "d(Xᵏ) = ∑ⱼ Xʲ dX Xᵏ⁻¹⁻ʲ".into(),
            DiffRule::Softmax => "d softmax(v) = s ⊙ dv − s sᵀdv, s = softmax(v)".into(),
            DiffRule::LogSumExp => "d logsumexp(v) = softmax(v)ᵀdv".into(),
            DiffRule::Norm(NormKind::One) => "d‖u‖₁ = sign(u)ᵀdu".into(),
            DiffRule::Norm(_) => "d‖u‖ = uᵀdu/‖u‖".into(),
            DiffRule::Entrywise => "d[uᵢⱼ] = [duᵢⱼ]".into(),
            DiffRule::Component => "d(uᵢ) = (du)ᵢ".into(),
            DiffRule::IndexedSum => "d ∑ᵢ uᵢ = ∑ᵢ duᵢ".into(),
        }
    }
}

/// A function's name in the rules' wording: Unicode where a textbook writes a symbol.
fn func_name(f: Func) -> &'static str {
    match f {
        Func::Sigmoid => "σ",
        Func::Abs => "|·|",
        Func::Trace => "the trace",
        f => f.name(),
    }
}

/// `f′` of an elementwise function, as a textbook table states it.
fn derivative_statement(f: Func) -> &'static str {
    match f {
        Func::Sin => "sin′ = cos",
        Func::Cos => "cos′ = −sin",
        Func::Tan => "tan′ = 1 + tan²",
        Func::Exp => "exp′ = exp",
        Func::Log => "log′(u) = 1/u",
        Func::Tanh => "tanh′ = 1 − tanh²",
        Func::Sigmoid => "σ′ = σ(1 − σ)",
        Func::Softplus => "softplus′ = σ",
        Func::Relu => "relu′(u) = (sign u + 1)/2 for u ≠ 0",
        Func::Abs => "|u|′ = sign u for u ≠ 0",
        Func::Sign => "sign′ = 0 for u ≠ 0",
        Func::Arctan => "arctan′(u) = 1/(1 + u²)",
        Func::Arcsin => "arcsin′(u) = 1/√(1 − u²)",
        Func::Arccos => "arccos′(u) = −1/√(1 − u²)",
        _ => "f′",
    }
}

/// One rule application: the differential of `node` is `formula`, written with placeholders
/// for the differentials of its operands, and is `result` once they are substituted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffStep {
    /// The expression differentiated.
    pub node: Id,
    /// The rule used.
    pub rule: DiffRule,
    /// The rule's right-hand side with the operands' differentials left as placeholders.
    pub formula: Id,
    /// The differential itself, as computed.
    pub result: Id,
}

/// The rule the forward differential applies at `id` (whose operands in `dep` depend on the
/// variables; `leaves` are the variables). Mirrors the branches of the forward rules.
pub(crate) fn classify(pool: &Pool, id: Id, dep: &IdSet, leaves: &IdSet) -> DiffRule {
    let depends = |c: &Id| dep.contains(c);
    match pool.node(id) {
        Node::Add(_) => DiffRule::Sum,
        Node::Mul(fs) => {
            let dependent: Vec<Id> = fs.iter().copied().filter(depends).collect();
            if dependent.len() <= 1 {
                DiffRule::ConstantMultiple
            } else if pool.is_scalar(id)
                && dependent.iter().any(|&f| match pool.node(f) {
                    Node::Pow(_, e) => pool.as_number(*e).is_some_and(|n| n.is_negative()),
                    _ => false,
                })
            {
                DiffRule::Quotient
            } else {
                DiffRule::Product
            }
        }
        Node::Pow(b, e) => {
            let (b, e) = (*b, *e);
            if !pool.is_scalar(id) {
                return if pool.as_number(e).is_some_and(|n| n.is_negative()) {
                    DiffRule::Inverse
                } else {
                    DiffRule::MatrixPower
                };
            }
            match (depends(&b), depends(&e)) {
                (true, false) if is_squared_norm(pool, b, e) => DiffRule::SquaredNorm,
                (true, false) => DiffRule::Power,
                (false, _) => DiffRule::Exponential,
                (true, true) => DiffRule::GeneralPower,
            }
        }
        Node::Transpose(_) => DiffRule::Transpose,
        Node::Hadamard(_) => DiffRule::Hadamard,
        Node::Kron(..) => DiffRule::Kronecker,
        Node::Apply(f, args) => match f {
            f if f.is_elementwise() && args.iter().all(|a| leaves.contains(a)) => {
                DiffRule::Elementary(*f)
            }
            f if f.is_elementwise() => DiffRule::Chain(*f),
            Func::Trace | Func::Sum | Func::Diag => DiffRule::Linear(*f),
            Func::Det => DiffRule::Determinant,
            Func::Softmax => DiffRule::Softmax,
            Func::LogSumExp => DiffRule::LogSumExp,
            Func::Norm(k) => DiffRule::Norm(*k),
            f => DiffRule::Chain(*f),
        },
        Node::Matrix { .. } => DiffRule::Entrywise,
        Node::Component(..) => DiffRule::Component,
        Node::Sum { .. } => DiffRule::IndexedSum,
        _ => DiffRule::ConstantMultiple,
    }
}

/// `‖u‖²` (2-norm or Frobenius): differentiated as `2⟨u, du⟩`.
pub(crate) fn is_squared_norm(pool: &Pool, b: Id, e: Id) -> bool {
    matches!(
        pool.node(b),
        Node::Apply(Func::Norm(NormKind::Two | NormKind::Frobenius), _)
    ) && pool.as_number(e).is_some_and(|n| n.to_i64() == Some(2))
}
