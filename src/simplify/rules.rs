//! The rewrite rules of canonical construction and expansion, as named data. Constructors note
//! each rule when they apply it (if the pool is recording, see [`Pool::start_trace`]), so a
//! result can say which rules produced it — `nabla simplify --explain` lists them, and worked
//! solutions can cite them.

use crate::expr::Pool;
use serde::Serialize;

/// A named rewrite rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Exact arithmetic on numbers.
    NumberArithmetic,
    /// `a + 0 = a`.
    AddZero,
    /// `2x + 3x = 5x`.
    CollectLikeTerms,
    /// `0·a = 0`.
    MultiplyByZero,
    /// `I·A = A`.
    IdentityFactor,
    /// `x·x² = x³`.
    ProductOfPowers,
    /// `2(x + y) = 2x + 2y`.
    DistributeNumber,
    /// `Aᵀ(2Ax − 2b) = 2Aᵀ(Ax − b)`.
    CommonNumericFactor,
    /// `2vᵀuv = 2(vᵀu)v`: a 1×1 product is a scalar and commutes.
    ScalarProductCommutes,
    /// `xᵀAᵀx = xᵀAx`: a 1×1 product equals its transpose.
    ScalarEqualsTranspose,
    /// `A·A⁻¹ = I`.
    InverseCancels,
    /// Products and sums of literal matrices are computed.
    LiteralMatrixArithmetic,
    /// `x⁰ = 1`, `A⁰ = I`.
    ZeroPower,
    /// `x¹ = x`.
    FirstPower,
    /// `(xᵃ)ᵏ = xᵃᵏ` for an integer `k`.
    PowerOfPower,
    /// `(xy)ᵏ = xᵏyᵏ` for an integer `k`.
    PowerOfProduct,
    /// `(AB)⁻¹ = B⁻¹A⁻¹`.
    InverseOfProduct,
    /// `diag(a) + diag(b) = diag(a + b)`.
    DiagonalOfSum,
    /// `exp(a) exp(b) = exp(a + b)`.
    ExponentialsMultiply,
    /// `aᵀ(c ⊘ a) = sum(c)`.
    InnerProductCancels,
    /// `1/(1 + e⁻ᵗ) = σ(t)`, `eᵗ/(1 + eᵗ) = σ(t)`.
    Logistic,
    /// Elementwise powers of one base merge: `x ⊙ x ⊙ x = x^⊙3`, `x ⊘ x = 𝟙`, `√x ⊙ √x = x`.
    ElementwisePowers,
    /// `(Aᵀ)ᵀ = A`.
    TransposeOfTranspose,
    /// `(A + B)ᵀ = Aᵀ + Bᵀ`.
    TransposeOfSum,
    /// `(AB)ᵀ = BᵀAᵀ`.
    TransposeOfProduct,
    /// `Sᵀ = S` for a symmetric `S`; `Iᵀ = I`.
    SymmetricTranspose,
    /// `sin 0 = 0`, `cos 0 = 1`, `exp 0 = 1`, `log 1 = 0`, `σ(0) = ½`, …
    SpecialValue,
    /// `log(exp x) = x`, `exp(log x) = x`.
    InverseFunctions,
    /// `sign(u)·|u| = u`, `sign(u)/|u| = 1/u`, `sign(u)·u = |u|`.
    SignTimesAbs,
    /// `tr(A + B) = tr A + tr B`, `tr(cA) = c tr A`.
    TraceIsLinear,
    /// `tr(ABC) = tr(CAB)`, `tr(xyᵀ) = yᵀx`.
    TraceIsCyclic,
    /// `tr(Iₙ) = n`, `tr(Aᵀ) = tr A`.
    TraceOfIdentityOrTranspose,
    /// `det(AB) = det A det B`, `det(Aᵀ) = det A`, `det(A⁻¹) = 1/det A`, `det(cA) = cⁿ det A`.
    DeterminantRules,
    /// `A(B + C) = AB + AC` (expansion).
    DistributeProduct,
    /// `(a + b)² = a² + 2ab + b²` (expansion).
    ExpandPower,
    /// `‖v‖² = vᵀv`, `‖X‖_F² = tr(XᵀX)` (expansion).
    SquaredNormAsInnerProduct,
}

impl Rule {
    /// A short stable name (`transpose-of-product`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::NumberArithmetic => "number-arithmetic",
            Rule::AddZero => "add-zero",
            Rule::CollectLikeTerms => "collect-like-terms",
            Rule::MultiplyByZero => "multiply-by-zero",
            Rule::IdentityFactor => "identity-factor",
            Rule::ProductOfPowers => "product-of-powers",
            Rule::DistributeNumber => "distribute-number",
            Rule::CommonNumericFactor => "common-numeric-factor",
            Rule::ScalarProductCommutes => "scalar-product-commutes",
            Rule::ScalarEqualsTranspose => "scalar-equals-transpose",
            Rule::InverseCancels => "inverse-cancels",
            Rule::LiteralMatrixArithmetic => "literal-matrix-arithmetic",
            Rule::ZeroPower => "zero-power",
            Rule::FirstPower => "first-power",
            Rule::PowerOfPower => "power-of-power",
            Rule::PowerOfProduct => "power-of-product",
            Rule::InverseOfProduct => "inverse-of-product",
            Rule::ElementwisePowers => "elementwise-powers",
            Rule::DiagonalOfSum => "diagonal-of-sum",
            Rule::ExponentialsMultiply => "exponentials-multiply",
            Rule::Logistic => "logistic",
            Rule::InnerProductCancels => "inner-product-cancels",
            Rule::TransposeOfTranspose => "transpose-of-transpose",
            Rule::TransposeOfSum => "transpose-of-sum",
            Rule::TransposeOfProduct => "transpose-of-product",
            Rule::SymmetricTranspose => "symmetric-transpose",
            Rule::SpecialValue => "special-value",
            Rule::InverseFunctions => "inverse-functions",
            Rule::SignTimesAbs => "sign-times-abs",
            Rule::TraceIsLinear => "trace-is-linear",
            Rule::TraceIsCyclic => "trace-is-cyclic",
            Rule::TraceOfIdentityOrTranspose => "trace-of-identity-or-transpose",
            Rule::DeterminantRules => "determinant-rules",
            Rule::DistributeProduct => "distribute-product",
            Rule::ExpandPower => "expand-power",
            Rule::SquaredNormAsInnerProduct => "squared-norm-as-inner-product",
        }
    }

    /// The rule as a textbook states it.
    pub fn statement(self) -> &'static str {
        match self {
            Rule::NumberArithmetic => "exact arithmetic on rational numbers",
            Rule::AddZero => "a + 0 = a",
            Rule::CollectLikeTerms => "2x + 3x = 5x",
            Rule::MultiplyByZero => "0·a = 0",
            Rule::IdentityFactor => "IA = AI = A",
            Rule::ProductOfPowers => "xᵃxᵇ = xᵃ⁺ᵇ",
            Rule::DistributeNumber => "c(a + b) = ca + cb",
            Rule::CommonNumericFactor => "A(ca + cb) = cA(a + b)",
            Rule::ScalarProductCommutes => "a 1×1 product (uᵀv) is a scalar and commutes",
            Rule::ScalarEqualsTranspose => "a 1×1 product equals its transpose: xᵀAᵀy = yᵀAx",
            Rule::InverseCancels => "AA⁻¹ = A⁻¹A = I",
            Rule::LiteralMatrixArithmetic => "sums and products of explicit matrices",
            Rule::ZeroPower => "x⁰ = 1, A⁰ = I",
            Rule::FirstPower => "x¹ = x",
            Rule::PowerOfPower => "(xᵃ)ᵏ = xᵃᵏ for integer k",
            Rule::PowerOfProduct => "(xy)ᵏ = xᵏyᵏ for integer k",
            Rule::InverseOfProduct => "(AB)⁻¹ = B⁻¹A⁻¹",
            Rule::ElementwisePowers => "x ⊙ x = x^⊙2, x ⊘ x = 𝟙, √x ⊙ √x = x",
            Rule::DiagonalOfSum => "diag(a) + diag(b) = diag(a + b)",
            Rule::ExponentialsMultiply => "exp(a) exp(b) = exp(a + b)",
            Rule::Logistic => "1/(1 + exp(−t)) = σ(t), exp(t)/(1 + exp(t)) = σ(t)",
            Rule::InnerProductCancels => "aᵀ(c ⊘ a) = sum(c)",
            Rule::TransposeOfTranspose => "(Aᵀ)ᵀ = A",
            Rule::TransposeOfSum => "(A + B)ᵀ = Aᵀ + Bᵀ",
            Rule::TransposeOfProduct => "(AB)ᵀ = BᵀAᵀ",
            Rule::SymmetricTranspose => "Sᵀ = S for symmetric S, Iᵀ = I",
            Rule::SpecialValue => "sin 0 = 0, cos 0 = 1, exp 0 = 1, log 1 = 0, σ(0) = ½",
            Rule::InverseFunctions => "log(exp x) = x, exp(log x) = x",
            Rule::SignTimesAbs => "sign(u)·|u| = u, sign(u)/|u| = 1/u, sign(u)·u = |u|",
            Rule::TraceIsLinear => "tr(A + B) = tr A + tr B, tr(cA) = c tr A",
            Rule::TraceIsCyclic => "tr(ABC) = tr(CAB) = tr(BCA)",
            Rule::TraceOfIdentityOrTranspose => "tr(Iₙ) = n, tr(Aᵀ) = tr A",
            Rule::DeterminantRules => "det(AB) = det A det B, det Aᵀ = det A, det(cA) = cⁿ det A",
            Rule::DistributeProduct => "A(B + C) = AB + AC",
            Rule::ExpandPower => "(a + b)² = a² + 2ab + b²",
            Rule::SquaredNormAsInnerProduct => "‖v‖² = vᵀv, ‖X‖_F² = tr(XᵀX)",
        }
    }
}

impl Pool {
    /// Starts recording the rules constructors apply (see [`Pool::take_trace`]).
    pub fn start_trace(&mut self) {
        self.trace = Some(Vec::new());
    }

    /// The rules applied since [`Pool::start_trace`], each once, in the order first applied;
    /// recording goes on.
    pub fn rules_applied(&self) -> Vec<Rule> {
        let mut seen = Vec::new();
        for r in self.trace.iter().flatten() {
            if !seen.contains(r) {
                seen.push(*r);
            }
        }
        seen
    }

    /// Notes that a rule was applied (nothing when not recording).
    pub(crate) fn note(&mut self, rule: Rule) {
        if let Some(t) = &mut self.trace {
            if t.last() != Some(&rule) && t.len() < 100_000 {
                t.push(rule);
            }
        }
    }
}
