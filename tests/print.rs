//! The printer, table-driven: one line per expression with its Unicode, ASCII and LaTeX text.

use nabla::expr::{
    Assumptions, DerivativeKind, Dim, Func, Id, Node, NormKind, Number, Pool, Shape, SymbolOrigin,
};
use nabla::print::{print, print_name, print_shape, Dialect, PrintOptions};

#[path = "print/build.rs"]
mod build;
#[path = "print/latex.rs"]
mod latex;
#[path = "print/random.rs"]
mod random;
#[path = "print/readers.rs"]
mod readers;
#[path = "print/values.rs"]
mod values;
use build::{declare, derivative, frac, matrix, scalar, symmetric, vector};
use latex::latex_to_unicode;
use random::{random_expr, Kind};
use readers::{AsciiReader, UnicodeReader};
use values::{agree, eval_node};

/// `A x − b` with A: ℝ^(m×n), x: ℝ^n, b: ℝ^m.
fn residual(p: &mut Pool) -> Id {
    let (a, x, b) = (
        matrix(p, "A", "m", "n"),
        vector(p, "x", "n"),
        vector(p, "b", "m"),
    );
    let ax = p.mul(&[a, x]);
    p.sub(ax, b)
}

type Case = (
    &'static str,
    fn(&mut Pool) -> Id,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    ("residual", residual,
        "Ax − b", "A*x - b", "A x - b"),
    ("normal equations", |p| { let r = residual(p); let a = matrix(p, "A", "m", "n"); let at = p.transpose(a); p.mul(&[at, r]) },
        "Aᵀ(Ax − b)", "A'*(A*x - b)", "A^\\top (A x - b)"),
    ("half squared norm", |p| { let r = residual(p); let n = p.apply(Func::Norm(NormKind::Two), &[r]); let n2 = p.powi(n, 2); p.scale(frac(1, 2), n2) },
        "½‖Ax − b‖²", "1/2*norm(A*x - b)^2", "\\frac{1}{2} \\|A x - b\\|_2^{2}"),
    ("monomial", |p| { let (x1, x2) = (scalar(p, "x_1"), scalar(p, "x_2")); let c = p.powi(x2, 3); let two = p.int(2); p.mul(&[two, x1, c]) },
        "2x₁x₂³", "2*x_1*x_2^3", "2 x_{1} x_{2}^{3}"),
    ("sum sorted", |p| { let (x1, x2) = (scalar(p, "x_1"), scalar(p, "x_2")); let four = p.int(4); let t = p.mul(&[four, x1]); let six = p.int(-6); p.add(&[six, x2, t]) },
        "4x₁ + x₂ − 6", "4*x_1 + x_2 - 6", "4 x_{1} + x_{2} - 6"),
    ("sum matrix", |p| { let a = matrix(p, "A", "n", "n"); let x = vector(p, "x", "n"); let at = p.transpose(a); let s = p.add(&[a, at]); p.mul(&[s, x]) },
        "(A + Aᵀ)x", "(A + A')*x", "(A + A^\\top) x"),
    ("quadratic form", |p| { let a = matrix(p, "A", "n", "n"); let x = vector(p, "x", "n"); let xt = p.transpose(x); p.mul(&[xt, a, x]) },
        "xᵀAx", "x'*A*x", "x^\\top A x"),
    ("sigmoid layer", |p| { let (w, x, b) = (matrix(p, "W", "m", "n"), vector(p, "x", "n"), vector(p, "b", "m")); let wx = p.mul(&[w, x]); let z = p.add(&[wx, b]); p.apply(Func::Sigmoid, &[z]) },
        "σ(Wx + b)", "sigmoid(W*x + b)", "\\sigma(W x + b)"),
    ("sin plus x cos", |p| { let x = scalar(p, "x"); let s = p.apply(Func::Sin, &[x]); let c = p.apply(Func::Cos, &[x]); let xc = p.mul(&[x, c]); p.add(&[s, xc]) },
        "sin x + x cos x", "sin(x) + x*cos(x)", "\\sin x + x \\cos x"),
    ("sin of sum", |p| { let x = scalar(p, "x"); let one = p.int(1); let s = p.add(&[x, one]); p.apply(Func::Sin, &[s]) },
        "sin(x + 1)", "sin(x + 1)", "\\sin(x + 1)"),
    ("sin times cos", |p| { let x = scalar(p, "x"); let s = p.apply(Func::Sin, &[x]); let c = p.apply(Func::Cos, &[x]); p.mul(&[s, c]) },
        "sin(x) cos x", "sin(x)*cos(x)", "\\sin(x) \\cos x"),
    ("sin squared", |p| { let x = scalar(p, "x"); let s = p.apply(Func::Sin, &[x]); p.powi(s, 2) },
        "sin(x)²", "sin(x)^2", "\\sin(x)^{2}"),
    ("sqrt atom", |p| { let x = scalar(p, "x"); p.sqrt(x) },
        "√x", "sqrt(x)", "\\sqrt{x}"),
    ("sqrt sum", |p| { let x = scalar(p, "x"); let one = p.int(1); let s = p.add(&[x, one]); p.sqrt(s) },
        "√(x + 1)", "sqrt(x + 1)", "\\sqrt{x + 1}"),
    ("sqrt times", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let r = p.sqrt(x); p.mul(&[r, y]) },
        "√x·y", "sqrt(x)*y", "\\sqrt{x} y"),
    ("inverse", |p| { let a = matrix(p, "A", "n", "n"); p.inverse(a) },
        "A⁻¹", "inv(A)", "A^{-1}"),
    ("inverse squared", |p| { let a = matrix(p, "A", "n", "n"); p.powi(a, -2) },
        "A⁻²", "inv(A)^2", "A^{-2}"),
    ("matrix square", |p| { let a = matrix(p, "A", "n", "n"); p.powi(a, 2) },
        "A²", "A^2", "A^{2}"),
    ("pinv", |p| { let a = matrix(p, "A", "m", "n"); p.apply(Func::Pinv, &[a]) },
        "A⁺", "pinv(A)", "A^+"),
    ("hadamard", |p| { let (x, y) = (vector(p, "x", "n"), vector(p, "y", "n")); p.hadamard(&[x, y]) },
        "x ⊙ y", "x .* y", "x \\odot y"),
    ("scaled hadamard", |p| { let (x, y) = (vector(p, "x", "n"), vector(p, "y", "n")); let h = p.hadamard(&[x, y]); p.scale(Number::int(-2), h) },
        "−2(x ⊙ y)", "-2*(x .* y)", "-2 (x \\odot y)"),
    ("kron", |p| { let (a, b) = (matrix(p, "A", "m", "n"), matrix(p, "B", "p", "q")); p.kron(a, b) },
        "A ⊗ B", "kron(A, B)", "A \\otimes B"),
    ("one norm", |p| { let v = vector(p, "v", "n"); p.apply(Func::Norm(NormKind::One), &[v]) },
        "‖v‖₁", "norm(v, 1)", "\\|v\\|_1"),
    ("frobenius", |p| { let x = matrix(p, "X", "m", "n"); p.apply(Func::Norm(NormKind::Frobenius), &[x]) },
        "‖X‖_F", "norm(X, F)", "\\|X\\|_F"),
    ("abs", |p| { let t = scalar(p, "t"); p.apply(Func::Abs, &[t]) },
        "|t|", "abs(t)", "\\lvert t \\rvert"),
    ("trace", |p| { let a = matrix(p, "A", "n", "n"); p.apply(Func::Trace, &[a]) },
        "tr(A)", "tr(A)", "\\operatorname{tr}(A)"),
    ("log det", |p| { let a = matrix(p, "A", "n", "n"); let d = p.apply(Func::Det, &[a]); p.apply(Func::Log, &[d]) },
        "log(det(A))", "log(det(A))", "\\log(\\det(A))"),
    ("exp", |p| { let x = scalar(p, "x"); p.apply(Func::Exp, &[x]) },
        "exp(x)", "exp(x)", "\\exp(x)"),
    ("ones", |p| p.ones(Shape::vector(Dim::symbol("n"))),
        "𝟙", "ones", "\\mathbf{1}"),
    ("sum of entries", |p| { let x = vector(p, "x", "n"); let ones = p.ones(Shape::vector(Dim::symbol("n"))); let row = p.transpose(ones); p.mul(&[row, x]) },
        "𝟙ᵀx", "ones'*x", "\\mathbf{1}^\\top x"),
    ("identity", |p| p.identity(Dim::symbol("n")),
        "I", "I", "I"),
    ("zero", |p| p.zero(Shape::vector(Dim::symbol("n"))),
        "0", "0", "0"),
    ("one minus sigma", |p| { let z = vector(p, "z", "n"); let s = p.apply(Func::Sigmoid, &[z]); let ones = p.ones(Shape::vector(Dim::symbol("n"))); let d = p.sub(ones, s); p.hadamard(&[s, d]) },
        "σ(z) ⊙ (𝟙 − σ(z))", "sigmoid(z) .* (ones - sigmoid(z))", "\\sigma(z) \\odot (\\mathbf{1} - \\sigma(z))"),
    ("ridge", |p| { let (x, w) = (matrix(p, "X", "N", "d"), vector(p, "w", "d")); let a = scalar(p, "α"); let xt = p.transpose(x); let xtx = p.mul(&[xt, x]); let i = p.identity(Dim::symbol("d")); let ai = p.mul(&[a, i]); let s = p.add(&[xtx, ai]); let two = p.int(2); p.mul(&[two, s, w]) },
        "2(XᵀX + αI)w", "2*(X'*X + alpha*I)*w", "2 (X^\\top X + \\alpha I) w"),
    ("x squared", |p| { let x = scalar(p, "x"); p.powi(x, 2) },
        "x²", "x^2", "x^{2}"),
    ("reciprocal", |p| { let x = scalar(p, "x"); p.powi(x, -1) },
        "1/x", "1/x", "\\frac{1}{x}"),
    ("x to n", |p| { let x = scalar(p, "x"); let n = p.dim_value(Dim::symbol("n")); p.pow(x, n) },
        "xⁿ", "x^n", "x^{n}"),
    ("cube root", |p| { let x = scalar(p, "x"); let e = p.num(frac(1, 3)); p.pow(x, e) },
        "x^(1/3)", "x^(1/3)", "x^{\\frac{1}{3}}"),
    ("half x", |p| { let x = scalar(p, "x"); p.scale(frac(1, 2), x) },
        "½x", "1/2*x", "\\frac{1}{2} x"),
    ("three quarters x", |p| { let x = scalar(p, "x"); p.scale(frac(3, 4), x) },
        "3x/4", "3*x/4", "\\frac{3 x}{4}"),
    ("third", |p| p.num(frac(1, 3)),
        "1/3", "1/3", "\\frac{1}{3}"),
    ("negative half", |p| p.num(frac(-1, 2)),
        "−½", "-1/2", "-\\frac{1}{2}"),
    ("one over", |p| { let x = scalar(p, "x"); let x2 = p.powi(x, 2); let one = p.int(1); let s = p.add(&[x2, one]); p.powi(s, -1) },
        "1/(x² + 1)", "1/(x^2 + 1)", "\\frac{1}{x^{2} + 1}"),
    ("two x over", |p| { let x = scalar(p, "x"); let x2 = p.powi(x, 2); let one = p.int(1); let s = p.add(&[x2, one]); let r = p.powi(s, -1); let two = p.int(2); p.mul(&[two, x, r]) },
        "2x/(x² + 1)", "2*x/(x^2 + 1)", "\\frac{2 x}{x^{2} + 1}"),
    ("x over 2y", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let r = p.powi(y, -1); let h = p.num(frac(1, 2)); p.mul(&[h, x, r]) },
        "x/(2y)", "x/(2*y)", "\\frac{x}{2 y}"),
    ("scaled gradient", |p| { let (x, w, y) = (matrix(p, "X", "N", "d"), vector(p, "w", "d"), vector(p, "y", "N")); let n = p.dim_value(Dim::symbol("N")); let xw = p.mul(&[x, w]); let r = p.sub(xw, y); let xt = p.transpose(x); let inv = p.powi(n, -1); p.mul(&[inv, xt, r]) },
        "(1/N)Xᵀ(Xw − y)", "1/N*X'*(X*w - y)", "\\frac{1}{N} X^\\top (X w - y)"),
    ("negation", |p| { let x = scalar(p, "x"); p.neg(x) },
        "−x", "-x", "-x"),
    ("all negative (a number times a sum distributes)", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let s = p.add(&[x, y]); p.neg(s) },
        "−x − y", "-x - y", "-x - y"),
    ("one minus x", |p| { let x = scalar(p, "x"); let one = p.int(1); p.sub(one, x) },
        "1 − x", "1 - x", "1 - x"),
    ("polynomial", |p| { let x = scalar(p, "x"); let x2 = p.powi(x, 2); let tx = p.scale(Number::int(2), x); let one = p.int(1); p.add(&[one, tx, x2]) },
        "x² + 2x + 1", "x^2 + 2*x + 1", "x^{2} + 2 x + 1"),
    ("greek", |p| { let (a, x) = (scalar(p, "α"), scalar(p, "x")); p.mul(&[a, x]) },
        "αx", "alpha*x", "\\alpha x"),
    ("component", |p| { let x = vector(p, "x", "n"); let i = scalar(p, "i"); p.component(x, &[i]) },
        "xᵢ", "x_i", "x_{i}"),
    ("component number", |p| { let x = vector(p, "x", "n"); let one = p.int(1); p.component(x, &[one]) },
        "x₁", "x_1", "x_{1}"),
    ("matrix entry", |p| { let a = matrix(p, "A", "m", "n"); let (i, j) = (scalar(p, "i"), scalar(p, "j")); p.component(a, &[i, j]) },
        "A_{ij}", "A_ij", "A_{ij}"),
    ("w x_i", |p| { let x = vector(p, "x", "N"); let w = scalar(p, "w"); let i = scalar(p, "i"); let xi = p.component(x, &[i]); p.mul(&[w, xi]) },
        "w xᵢ", "w*x_i", "w x_{i}"),
    ("data sum", |p| { let (x, y) = (vector(p, "x", "N"), vector(p, "y", "N")); let (w, b) = (scalar(p, "w"), scalar(p, "b")); let is = p.declare("i", Shape::scalar(), Assumptions::default(), SymbolOrigin::SumIndex).unwrap_or_else(|s| s); let i = p.symbol_expr(is); let xi = p.component(x, &[i]); let yi = p.component(y, &[i]); let wxi = p.mul(&[w, xi]); let nwxi = p.neg(wxi); let nb = p.neg(b); let r = p.add(&[yi, nwxi, nb]); let r2 = p.powi(r, 2); let one = p.int(1); let n = p.dim_value(Dim::symbol("N")); p.sum_over(is, one, n, r2) },
        "∑_{i=1}^{N} (yᵢ − w xᵢ − b)²", "sum(i = 1..N, (y_i - w*x_i - b)^2)", "\\sum_{i=1}^{N} (y_{i} - w x_{i} - b)^{2}"),
    ("matrix literal", |p| { let e: Vec<Id> = [4, 1, 1, 2].iter().map(|&k| p.int(k)).collect(); p.matrix(2, 2, e) },
        "⎡4 1⎤\n⎣1 2⎦", "[4, 1; 1, 2]", "\\begin{bmatrix} 4 & 1 \\\\ 1 & 2 \\end{bmatrix}"),
    ("matrix of sums", |p| { let (x1, x2) = (scalar(p, "x_1"), scalar(p, "x_2")); let f = p.scale(Number::int(4), x1); let m6 = p.int(-6); let r1 = p.add(&[f, x2, m6]); let t = p.scale(Number::int(2), x2); let m5 = p.int(-5); let r2 = p.add(&[x1, t, m5]); p.matrix(2, 1, vec![r1, r2]) },
        "⎡4x₁ + x₂ − 6⎤\n⎣x₁ + 2x₂ − 5⎦", "[4*x_1 + x_2 - 6; x_1 + 2*x_2 - 5]", "\\begin{bmatrix} 4 x_{1} + x_{2} - 6 \\\\ x_{1} + 2 x_{2} - 5 \\end{bmatrix}"),
    ("matrix negative entries", |p| { let e: Vec<Id> = [802, -400, -400, 200].iter().map(|&k| p.int(k)).collect(); p.matrix(2, 2, e) },
        "⎡ 802 −400⎤\n⎣−400  200⎦", "[802, -400; -400, 200]", "\\begin{bmatrix} 802 & -400 \\\\ -400 & 200 \\end{bmatrix}"),
    ("matrix inline", |p| { let a = matrix(p, "A", "n", "n"); let x = scalar(p, "x"); let c = p.apply(Func::Cos, &[x]); let xc = p.mul(&[x, c]); let one = p.int(1); let m = p.matrix(2, 2, vec![xc, one, one, x]); p.add(&[a, m]) },
        "A + [x·cos(x) 1; 1 x]", "A + [x*cos(x), 1; 1, x]", "A + \\begin{bmatrix} x \\cos x & 1 \\\\ 1 & x \\end{bmatrix}"),
    ("row vector", |p| { let e: Vec<Id> = [1, 2, 3].iter().map(|&k| p.int(k)).collect(); p.matrix(1, 3, e) },
        "[1 2 3]", "[1, 2, 3]", "\\begin{bmatrix} 1 & 2 & 3 \\end{bmatrix}"),
    ("gradient", |p| { let a = matrix(p, "A", "n", "n"); let x = vector(p, "x", "n"); let xt = p.transpose(x); let q = p.mul(&[xt, a, x]); derivative(p, DerivativeKind::Gradient, q, &[x], None) },
        "∇ₓ (xᵀAx)", "grad(x'*A*x, x)", "\\nabla_{x} (x^\\top A x)"),
    ("gradient of symbol", |p| { let f = scalar(p, "f"); let w = vector(p, "w", "n"); derivative(p, DerivativeKind::Gradient, f, &[w], None) },
        "∇_w f", "grad(f, w)", "\\nabla_{w} f"),
    ("hessian", |p| { let f = scalar(p, "f"); let x = vector(p, "x", "n"); derivative(p, DerivativeKind::Hessian, f, &[x], None) },
        "∇ₓ² f", "hess(f, x)", "\\nabla^2_{x} f"),
    ("jacobian", |p| { let (w, x, b) = (matrix(p, "W", "m", "n"), vector(p, "x", "n"), vector(p, "b", "m")); let wx = p.mul(&[w, x]); let z = p.add(&[wx, b]); let s = p.apply(Func::Sigmoid, &[z]); derivative(p, DerivativeKind::Jacobian, s, &[x], None) },
        "J(σ(Wx + b), x)", "jac(sigmoid(W*x + b), x)", "J_{x} \\sigma(W x + b)"),
    ("partial", |p| { let (x1, x2) = (scalar(p, "x_1"), scalar(p, "x_2")); let a = p.powi(x1, 2); let b = p.powi(x2, 3); let m = p.mul(&[a, b]); derivative(p, DerivativeKind::Partial, m, &[x1], None) },
        "∂/∂x₁ (x₁²x₂³)", "diff(x_1^2*x_2^3, x_1)", "\\frac{\\partial}{\\partial x_{1}} (x_{1}^{2} x_{2}^{3})"),
    ("partial of symbol", |p| { let (f, x, y) = (scalar(p, "f"), scalar(p, "x"), scalar(p, "y")); derivative(p, DerivativeKind::Partial, f, &[x, y], None) },
        "∂²f/∂x∂y", "diff(f, x, y)", "\\frac{\\partial^{2} f}{\\partial x \\partial y}"),
    ("ordinary", |p| { let x = scalar(p, "x"); let s = p.apply(Func::Sin, &[x]); let m = p.mul(&[x, s]); derivative(p, DerivativeKind::Ordinary, m, &[x], None) },
        "d/dx (x sin x)", "diff(x*sin(x), x)", "\\frac{d}{dx} (x \\sin x)"),
    ("ordinary of call", |p| { let x = scalar(p, "x"); let x2 = p.powi(x, 2); let one = p.int(1); let s = p.add(&[x2, one]); let l = p.apply(Func::Log, &[s]); derivative(p, DerivativeKind::Ordinary, l, &[x], None) },
        "d/dx log(x² + 1)", "diff(log(x^2 + 1), x)", "\\frac{d}{dx} \\log(x^{2} + 1)"),
    ("directional", |p| { let (x, u) = (vector(p, "x", "n"), vector(p, "u", "n")); let xt = p.transpose(x); let f = p.mul(&[xt, x]); derivative(p, DerivativeKind::Directional, f, &[x], Some(u)) },
        "D_u (xᵀx)", "ddir(x'*x, x, u)", "D_{u} (x^\\top x)"),
    ("directional whose variable D_u would not name", |p| { let (f, x, u) = (scalar(p, "f"), vector(p, "x", "n"), vector(p, "u", "n")); derivative(p, DerivativeKind::Directional, f, &[x], Some(u)) },
        "ddir(f, x, u)", "ddir(f, x, u)", "\\operatorname{ddir}(f, x, u)"),
    ("at point", |p| { let f = scalar(p, "f"); let x = vector(p, "x", "2"); let g = derivative(p, DerivativeKind::Gradient, f, &[x], None); let one = p.int(1); let v = p.matrix(2, 1, vec![one, one]); let xs = p.lookup("x").unwrap_or(nabla::expr::SymbolId(0)); p.at(g, vec![(xs, v)]) },
        "∇ₓ f at x = [1; 1]", "grad(f, x) at x = [1; 1]", "\\left. \\nabla_{x} f \\right|_{x = \\begin{bmatrix} 1 \\\\ 1 \\end{bmatrix}}"),
    ("dimension", |p| p.dim_value(Dim::symbol("n")),
        "n", "n", "n"),
    ("two n", |p| { let n = p.dim_value(Dim::symbol("n")); p.scale(Number::int(2), n) },
        "2n", "2*n", "2 n"),
    ("symmetric quadratic", |p| { let s = symmetric(p, "S", "n"); let x = vector(p, "x", "n"); let xt = p.transpose(x); let q = p.mul(&[xt, s, x]); p.scale(Number::int(3), q) },
        "3xᵀSx", "3*x'*S*x", "3 x^\\top S x"),
    ("scalar chain times vector", |p| { let (u, v) = (vector(p, "u", "n"), vector(p, "v", "n")); let ut = p.transpose(u); let c = p.mul(&[ut, v]); let two = p.int(2); p.mul(&[two, c, v]) },
        "2(uᵀv)v", "2*(u'*v)*v", "2 (u^\\top v) v"),
    ("three single letters", |p| { let (s, i, n) = (scalar(p, "s"), scalar(p, "i"), scalar(p, "n")); p.mul(&[s, i, n]) },
        "ins", "i*n*s", "i n s"),
    ("declared multi-letter name", |p| { let (l, r, lr) = (scalar(p, "l"), scalar(p, "r"), scalar(p, "lr")); p.mul(&[l, r, lr]) },
        "l lr r", "l*lr*r", "l \\cdot lr \\cdot r"),
    ("transpose of product", |p| { let a = matrix(p, "A", "n", "n"); let t = p.transpose(a); p.powi(t, 2) },
        "(Aᵀ)²", "(A')^2", "(A^\\top)^{2}"),
    ("abs times abs", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let a = p.apply(Func::Abs, &[x]); let b = p.apply(Func::Abs, &[y]); p.mul(&[a, b]) },
        "|x|·|y|", "abs(x)*abs(y)", "\\lvert x \\rvert \\lvert y \\rvert"),
    ("exp of negative", |p| { let x = scalar(p, "x"); let x2 = p.powi(x, 2); let h = p.scale(frac(-1, 2), x2); p.apply(Func::Exp, &[h]) },
        "exp(−½x²)", "exp(-1/2*x^2)", "\\exp(-\\frac{1}{2} x^{2})"),
    ("rosenbrock", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let one = p.int(1); let a = p.sub(one, x); let a2 = p.powi(a, 2); let x2 = p.powi(x, 2); let b = p.sub(y, x2); let b2 = p.powi(b, 2); let hb = p.scale(Number::int(100), b2); p.add(&[a2, hb]) },
        "100(y − x²)² + (1 − x)²", "100*(y - x^2)^2 + (1 - x)^2", "100 (y - x^{2})^{2} + (1 - x)^{2}"),
    ("power of sum over", |p| { let x = vector(p, "x", "N"); let is = p.declare("i", Shape::scalar(), Assumptions::default(), SymbolOrigin::SumIndex).unwrap_or_else(|s| s); let i = p.symbol_expr(is); let xi = p.component(x, &[i]); let one = p.int(1); let n = p.dim_value(Dim::symbol("N")); let s = p.sum_over(is, one, n, xi); let y = scalar(p, "y"); p.mul(&[s, y]) },
        "y∑_{i=1}^{N} xᵢ", "y*sum(i = 1..N, x_i)", "y \\sum_{i=1}^{N} x_{i}"),
    ("all negative terms", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let (nx, ny) = (p.neg(x), p.neg(y)); p.add(&[nx, ny]) },
        "−x − y", "-x - y", "-x - y"),
    ("reserved run", |p| { let (a, t) = (scalar(p, "a"), scalar(p, "t")); p.mul(&[a, t]) },
        "a t", "a*t", "a \\cdot t"),
    ("number after symbol", |p| { let x = scalar(p, "x"); let two = p.int(2); p.intern(Node::Mul(vec![x, two].into()), Shape::scalar()) },
        "x·2", "x*2", "x \\cdot 2"),
    ("number after number", |p| { let (two, three) = (p.int(2), p.int(3)); p.intern(Node::Mul(vec![two, three].into()), Shape::scalar()) },
        "2·3", "2*3", "2 \\cdot 3"),
    ("three quarters Ax", |p| { let a = matrix(p, "A", "m", "n"); let x = vector(p, "x", "n"); let ax = p.mul(&[a, x]); p.scale(frac(3, 4), ax) },
        "(3/4)Ax", "3/4*A*x", "\\frac{3}{4} A x"),
    ("half quadratic", |p| { let a = matrix(p, "A", "n", "n"); let x = vector(p, "x", "n"); let xt = p.transpose(x); let q = p.mul(&[xt, a, x]); p.scale(frac(1, 2), q) },
        "½xᵀAx", "1/2*x'*A*x", "\\frac{1}{2} x^\\top A x"),
    ("tanh", |p| { let x = scalar(p, "x"); p.apply(Func::Tanh, &[x]) },
        "tanh x", "tanh(x)", "\\tanh x"),
    ("softmax", |p| { let z = vector(p, "z", "n"); p.apply(Func::Softmax, &[z]) },
        "softmax(z)", "softmax(z)", "\\operatorname{softmax}(z)"),
    ("diag times", |p| { let (v, w) = (vector(p, "v", "n"), matrix(p, "W", "n", "m")); let d = p.apply(Func::Diag, &[v]); p.mul(&[d, w]) },
        "diag(v)W", "diag(v)*W", "\\operatorname{diag}(v) W"),
    ("relu sign softplus", |p| { let x = scalar(p, "x"); let a = p.apply(Func::Relu, &[x]); let b = p.apply(Func::Sign, &[x]); let c = p.apply(Func::Softplus, &[x]); p.add(&[a, b, c]) },
        "softplus(x) + relu(x) + sign(x)", "softplus(x) + relu(x) + sign(x)", "\\operatorname{softplus}(x) + \\operatorname{relu}(x) + \\operatorname{sign}(x)"),
    ("logsumexp and sum", |p| { let z = vector(p, "z", "n"); let a = p.apply(Func::LogSumExp, &[z]); let b = p.apply(Func::Sum, &[z]); p.sub(a, b) },
        "logsumexp(z) − sum(z)", "logsumexp(z) - sum(z)", "\\operatorname{logsumexp}(z) - \\operatorname{sum}(z)"),
    ("component of product", |p| { let a = matrix(p, "A", "m", "n"); let x = vector(p, "x", "n"); let ax = p.mul(&[a, x]); let one = p.int(1); p.component(ax, &[one]) },
        "(Ax)₁", "(A*x)_1", "(A x)_{1}"),
    ("entry by numbers", |p| { let a = matrix(p, "A", "m", "n"); let (one, two) = (p.int(1), p.int(2)); p.component(a, &[one, two]) },
        "A_{1,2}", "A_{1,2}", "A_{1,2}"),
    ("symbolic exponent sum", |p| { let x = scalar(p, "x"); let n = p.dim_value(Dim::symbol("n")); let one = p.int(1); let e = p.add(&[n, one]); p.pow(x, e) },
        "x^(n + 1)", "x^(n + 1)", "x^{n + 1}"),
    ("negative symbolic exponent", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let ny = p.neg(y); p.pow(x, ny) },
        "1/xʸ", "1/x^y", "\\frac{1}{x^{y}}"),
    ("reciprocal sqrt", |p| { let x = scalar(p, "x"); let e = p.num(frac(-1, 2)); p.pow(x, e) },
        "1/√x", "1/sqrt(x)", "\\frac{1}{\\sqrt{x}}"),
    ("sqrt of two times x", |p| { let x = scalar(p, "x"); let two = p.int(2); let r = p.sqrt(two); p.mul(&[r, x]) },
        "√2·x", "sqrt(2)*x", "\\sqrt{2} x"),
    ("greek subscripted", |p| { let (a, b) = (scalar(p, "λ_1"), vector(p, "β", "n")); p.mul(&[a, b]) },
        "λ₁β", "lambda_1*beta", "\\lambda_{1} \\beta"),
    ("norm times vector", |p| { let (u, v) = (vector(p, "u", "n"), vector(p, "v", "n")); let n = p.apply(Func::Norm(NormKind::Two), &[v]); let n2 = p.powi(n, 2); let two = p.int(2); p.mul(&[two, n2, u]) },
        "2‖v‖²u", "2*norm(v)^2*u", "2 \\|v\\|_2^{2} u"),
    ("frobenius times", |p| { let (x, y) = (matrix(p, "X", "m", "n"), scalar(p, "y")); let n = p.apply(Func::Norm(NormKind::Frobenius), &[x]); p.mul(&[n, y]) },
        "y‖X‖_F", "y*norm(X, F)", "y \\|X\\|_F"),
    ("power of negative number", |p| { let x = scalar(p, "x"); let m2 = p.int(-2); p.pow(m2, x) },
        "(−2)ˣ", "(-2)^x", "(-2)^{x}"),
    ("at two points", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let s = p.add(&[x, y]); let one = p.int(1); let two = p.int(2); let (xs, ys) = (p.lookup("x").unwrap_or(nabla::expr::SymbolId(0)), p.lookup("y").unwrap_or(nabla::expr::SymbolId(0))); let at = p.at(s, vec![(xs, one), (ys, two)]); p.mul(&[two, at]) },
        "2(x + y at x = 1, y = 2)", "2*(x + y at x = 1, y = 2)", "2 \\left. x + y \\right|_{x = 1, y = 2}"),
    ("gradient in a sum", |p| { let (f, x) = (scalar(p, "f"), vector(p, "x", "n")); let g = derivative(p, DerivativeKind::Gradient, f, &[x], None); let two = p.int(2); let tg = p.mul(&[two, g]); p.add(&[tg, x]) },
        "x + 2(∇ₓ f)", "x + 2*grad(f, x)", "x + 2 (\\nabla_{x} f)"),
    ("second ordinary", |p| { let x = scalar(p, "x"); let x3 = p.powi(x, 3); derivative(p, DerivativeKind::Ordinary, x3, &[x, x], None) },
        "d²/dx² (x³)", "diff(x^3, x, x)", "\\frac{d^{2}}{dx^{2}} (x^{3})"),
    ("second partial", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let m = p.mul(&[x, y]); derivative(p, DerivativeKind::Partial, m, &[x, x], None) },
        "∂²/∂x² (xy)", "diff(x*y, x, x)", "\\frac{\\partial^{2}}{\\partial x^{2}} (x y)"),
    ("matrix of derivatives", |p| { let (f, x, y) = (scalar(p, "f"), scalar(p, "x"), scalar(p, "y")); let a = derivative(p, DerivativeKind::Partial, f, &[x], None); let b = derivative(p, DerivativeKind::Partial, f, &[y], None); let s = p.apply(Func::Sin, &[x]); let c = p.mul(&[y, s]); let m = p.matrix(3, 1, vec![a, b, c]); let v = vector(p, "v", "3"); p.add(&[v, m]) },
        "v + [∂f/∂x; ∂f/∂y; y·sin(x)]", "v + [diff(f, x); diff(f, y); y*sin(x)]", "v +\n  \\begin{bmatrix} \\frac{\\partial f}{\\partial x} \\\\ \\frac{\\partial f}{\\partial y} \\\\ y \\sin x \\end{bmatrix}"),
    ("gradient in two variables", |p| { let (f, x, y) = (scalar(p, "f"), scalar(p, "x"), scalar(p, "y")); derivative(p, DerivativeKind::Gradient, f, &[x, y], None) },
        "grad(f, x, y)", "grad(f, x, y)", "\\operatorname{grad}(f, x, y)"),
    ("hessian in w", |p| { let w = vector(p, "w", "d"); let wt = p.transpose(w); let q = p.mul(&[wt, w]); derivative(p, DerivativeKind::Hessian, q, &[w], None) },
        "∇_w² (wᵀw)", "hess(w'*w, w)", "\\nabla^2_{w} (w^\\top w)"),
    ("sigma symbol before a parenthesis", |p| { let (s, x) = (scalar(p, "σ"), scalar(p, "x")); let one = p.int(1); let t = p.add(&[x, one]); p.mul(&[s, t]) },
        "σ·(x + 1)", "sigma*(x + 1)", "\\sigma \\cdot (x + 1)"),
    ("greek exponent", |p| { let (x, a) = (scalar(p, "x"), scalar(p, "α")); p.pow(x, a) },
        "x^α", "x^alpha", "x^{\\alpha}"),
    ("lagrangian", |p| { let x = vector(p, "x", "n"); let l = scalar(p, "λ"); let a = symmetric(p, "A", "n"); let xt = p.transpose(x); let q = p.mul(&[xt, a, x]); let xx = p.mul(&[xt, x]); let one = p.int(1); let c = p.sub(xx, one); let lc = p.mul(&[l, c]); p.add(&[q, lc]) },
        "xᵀAx + λ(xᵀx − 1)", "x'*A*x + lambda*(x'*x - 1)", "x^\\top A x + \\lambda (x^\\top x - 1)"),
    ("directional with subscripted direction", |p| { let (x, u) = (vector(p, "x", "n"), vector(p, "u_1", "n")); let xt = p.transpose(x); let f = p.mul(&[xt, x]); derivative(p, DerivativeKind::Directional, f, &[x], Some(u)) },
        "D_{u₁} (xᵀx)", "ddir(x'*x, x, u_1)", "D_{u_{1}} (x^\\top x)"),
    ("root exponent before a factor", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let e = p.num(frac(1, 3)); let r = p.pow(x, e); p.mul(&[r, y]) },
        "x^(1/3)·y", "x^(1/3)*y", "x^{\\frac{1}{3}} y"),
    ("matrix with a gradient entry", |p| { let (f, y) = (scalar(p, "f"), scalar(p, "y")); let g = derivative(p, DerivativeKind::Gradient, f, &[y], None); let d = derivative(p, DerivativeKind::Partial, f, &[y], None); let r = declare(p, "r", Shape::matrix(Dim::known(1), Dim::known(2))); let m = p.matrix(1, 2, vec![g, d]); p.add(&[r, m]) },
        "r + [(∇_y f) ∂f/∂y]", "r + [grad(f, y), diff(f, y)]", "r + \\begin{bmatrix} \\nabla_{y} f & \\frac{\\partial f}{\\partial y} \\end{bmatrix}"),
    ("run stops before a reserved word", |p| { let (d, e, t) = (scalar(p, "d"), scalar(p, "e"), scalar(p, "t")); p.mul(&[d, e, t]) },
        "de t", "d*e*t", "d e \\cdot t"),
    ("ridge gradient", |p| { let (x, w, y) = (matrix(p, "X", "N", "d"), vector(p, "w", "d"), vector(p, "y", "N")); let a = scalar(p, "α"); let xw = p.mul(&[x, w]); let r = p.sub(xw, y); let xt = p.transpose(x); let g = p.mul(&[xt, r]); let g2 = p.scale(Number::int(2), g); let aw = p.mul(&[a, w]); let aw2 = p.scale(Number::int(2), aw); p.add(&[g2, aw2]) },
        "2Xᵀ(Xw − y) + 2αw", "2*X'*(X*w - y) + 2*alpha*w", "2 X^\\top (X w - y) + 2 \\alpha w"),
    ("ridge hessian", |p| { let x = matrix(p, "X", "N", "d"); let a = scalar(p, "α"); let xt = p.transpose(x); let h = p.mul(&[xt, x]); let h2 = p.scale(Number::int(2), h); let i = p.identity(Dim::symbol("d")); let ai = p.mul(&[a, i]); let ai2 = p.scale(Number::int(2), ai); p.add(&[h2, ai2]) },
        "2XᵀX + 2αI", "2*X'*X + 2*alpha*I", "2 X^\\top X + 2 \\alpha I"),
    ("expanded normal equations", |p| { let (a, x, b) = (matrix(p, "A", "m", "n"), vector(p, "x", "n"), vector(p, "b", "m")); let at = p.transpose(a); let aax = p.mul(&[at, a, x]); let atb = p.mul(&[at, b]); p.sub(aax, atb) },
        "AᵀAx − Aᵀb", "A'*A*x - A'*b", "A^\\top A x - A^\\top b"),
    ("sigmoid jacobian", |p| { let (w, x, b) = (matrix(p, "W", "m", "n"), vector(p, "x", "n"), vector(p, "b", "m")); let wx = p.mul(&[w, x]); let z = p.add(&[wx, b]); let s = p.apply(Func::Sigmoid, &[z]); let ones = p.ones(Shape::vector(Dim::symbol("m"))); let d = p.sub(ones, s); let h = p.hadamard(&[s, d]); let dg = p.apply(Func::Diag, &[h]); p.mul(&[dg, w]) },
        "diag(σ(Wx + b) ⊙ (𝟙 − σ(Wx + b)))W", "diag(sigmoid(W*x + b) .* (ones - sigmoid(W*x + b)))*W", "\\operatorname{diag}(\\sigma(W x + b) \\odot (\\mathbf{1} - \\sigma(W x + b))) W"),
    ("least squares over N", |p| { let (x, w, y) = (matrix(p, "X", "N", "d"), vector(p, "w", "d"), vector(p, "y", "N")); let xw = p.mul(&[x, w]); let r = p.sub(xw, y); let n = p.apply(Func::Norm(NormKind::Two), &[r]); let n2 = p.powi(n, 2); let nn = p.dim_value(Dim::symbol("N")); let inv = p.powi(nn, -1); let h = p.num(frac(1, 2)); p.mul(&[h, inv, n2]) },
        "‖Xw − y‖²/(2N)", "norm(X*w - y)^2/(2*N)", "\\frac{\\|X w - y\\|_2^{2}}{2 N}"),
    ("greek matrix in a chain", |p| { let x = vector(p, "x", "n"); let s = matrix(p, "Σ", "n", "n"); let y = scalar(p, "y"); let xt = p.transpose(x); let q = p.mul(&[xt, s, x]); p.mul(&[y, q]) },
        "yxᵀΣx", "y*x'*Sigma*x", "y x^\\top \\Sigma x"),
    ("norm inside a norm", |p| { let (u, v) = (vector(p, "u", "n"), vector(p, "v", "n")); let z = scalar(p, "z"); let nv = p.apply(Func::Norm(NormKind::Two), &[v]); let w = p.mul(&[z, nv, u]); p.apply(Func::Norm(NormKind::One), &[w]) },
        "‖z(‖v‖)u‖₁", "norm(z*norm(v)*u, 1)", "\\|z (\\|v\\|_2) u\\|_1"),
    ("abs inside an abs", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let ay = p.apply(Func::Abs, &[y]); let s = p.add(&[x, ay]); p.apply(Func::Abs, &[s]) },
        "|x + (|y|)|", "abs(x + abs(y))", "\\lvert x + \\lvert y \\rvert \\rvert"),
    ("greek exponent before a factor", |p| { let (x, a, y) = (scalar(p, "x"), scalar(p, "α"), scalar(p, "y")); let e = p.pow(x, a); p.mul(&[e, y]) },
        "x^α·y", "x^alpha*y", "x^{\\alpha} y"),
    ("row with spaced entries", |p| { let (x, y) = (scalar(p, "x"), scalar(p, "y")); let r = declare(p, "r", Shape::matrix(Dim::known(1), Dim::known(4))); let c = p.apply(Func::Cos, &[x]); let xc = p.mul(&[x, c]); let ny = p.neg(y); let one = p.int(1); let xm = p.sub(x, one); let tx = p.scale(Number::int(2), x); let m = p.matrix(1, 4, vec![xc, ny, xm, tx]); p.add(&[r, m]) },
        "r + [x·cos(x) −y x − 1 2x]", "r + [x*cos(x), -y, x - 1, 2*x]", "r + \\begin{bmatrix} x \\cos x & -y & x - 1 & 2 x \\end{bmatrix}"),
];

#[test]
fn table() {
    let dump = std::env::var("PRINT_DUMP").is_ok();
    let mut failures = Vec::new();
    for (name, build, unicode, ascii, latex) in CASES {
        let mut pool = Pool::new();
        let id = build(&mut pool);
        let got = [
            print(&pool, id, &PrintOptions::unicode()),
            print(&pool, id, &PrintOptions::ascii()),
            print(&pool, id, &PrintOptions::latex()),
        ];
        if dump {
            println!("{name}: {:?} | {:?} | {:?}", got[0], got[1], got[2]);
        }
        for (g, want) in got.iter().zip([unicode, ascii, latex]) {
            if g != want {
                failures.push(format!("{name}: got {g:?}, want {want:?}"));
            }
        }
        if !(got[1].is_ascii() && got[2].is_ascii()) {
            failures.push(format!("{name}: ASCII and LaTeX must be pure ASCII"));
        }
        if got[1].contains('−') || got[0].contains(" - ") {
            failures.push(format!("{name}: minus signs of the wrong dialect"));
        }
    }
    assert!(CASES.len() >= 50);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `∑ₖ k·xₖ²` over many scalar symbols, long enough to break.
fn long_sum(pool: &mut Pool, terms: i64) -> Id {
    let parts: Vec<Id> = (1..=terms)
        .map(|k| {
            let x = scalar(pool, &format!("x_{k}"));
            let x2 = pool.powi(x, 2);
            pool.scale(Number::int(k), x2)
        })
        .collect();
    pool.add(&parts)
}

#[test]
fn long_sums_break_after_a_sign_within_the_width() {
    let mut pool = Pool::new();
    let id = long_sum(&mut pool, 30);
    for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
        let options = PrintOptions { dialect, width: 40 };
        let text = print(&pool, id, &options);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 3, "{dialect:?} did not break:\n{text}");
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.chars().count() <= 40,
                "{dialect:?} line too long: {line:?}"
            );
            assert_eq!(line.trim_end(), *line, "trailing space in {line:?}");
            if i + 1 < lines.len() {
                assert!(
                    line.ends_with(" +"),
                    "{dialect:?} breaks after a sign: {line:?}"
                );
            }
            if i > 0 {
                assert!(
                    line.starts_with("  ") && !line.starts_with("   "),
                    "indent: {line:?}"
                );
            }
        }
        // Joined back on one line it is the unbroken text.
        let wide = print(
            &pool,
            id,
            &PrintOptions {
                dialect,
                width: 10_000,
            },
        );
        let rejoined: Vec<&str> = lines.iter().map(|l| l.trim_start()).collect();
        assert_eq!(rejoined.join(" "), wide);
    }
}

#[test]
fn a_short_sum_stays_on_one_line() {
    let mut pool = Pool::new();
    let id = long_sum(&mut pool, 3);
    let text = print(&pool, id, &PrintOptions::unicode());
    assert_eq!(text, "x₁² + 2x₂² + 3x₃²");
}

#[test]
fn output_is_deterministic_across_pools_and_build_orders() {
    // The same polynomial, declared and summed in opposite orders in two pools.
    let terms = [
        ("x_1", 3, 2),
        ("x_2", -1, 1),
        ("α", 2, 3),
        ("b", -5, 1),
        ("y", 1, 2),
    ];
    let build = |reverse: bool| {
        let mut pool = Pool::new();
        let mut order: Vec<usize> = (0..terms.len()).collect();
        if reverse {
            order.reverse();
        }
        let ids: Vec<Id> = order
            .iter()
            .map(|&i| {
                let (name, k, p) = terms[i];
                let x = scalar(&mut pool, name);
                let xp = pool.powi(x, p);
                pool.scale(Number::int(k), xp)
            })
            .collect();
        let sum = pool.add(&ids);
        [Dialect::Unicode, Dialect::Ascii, Dialect::Latex].map(|dialect| {
            print(
                &pool,
                sum,
                &PrintOptions {
                    dialect,
                    width: 100,
                },
            )
        })
    };
    let forward = build(false);
    assert_eq!(forward, build(true));
    assert_eq!(forward[0], "2α³ + 3x₁² + y² − 5b − x₂");
}

#[test]
fn names_and_shapes_through_the_public_api() {
    assert_eq!(print_name("x_1", Dialect::Unicode), "x₁");
    assert_eq!(print_name("w_ji", Dialect::Unicode), "w_{ji}");
    assert_eq!(print_name("w_ji", Dialect::Latex), "w_{ji}");
    assert_eq!(print_name("α", Dialect::Ascii), "alpha");
    assert_eq!(print_name("α", Dialect::Latex), "\\alpha");
    let a = Shape::matrix(Dim::symbol("m"), Dim::symbol("n"));
    assert_eq!(print_shape(&a, Dialect::Unicode), "ℝ^(m×n)");
    assert_eq!(print_shape(&a, Dialect::Ascii), "R^(m x n)");
    assert_eq!(print_shape(&a, Dialect::Latex), "\\mathbb{R}^{m \\times n}");
    let v = Shape::vector(Dim::symbol("n"));
    assert_eq!(print_shape(&v, Dialect::Unicode), "ℝ^n");
    assert_eq!(print_shape(&v, Dialect::Latex), "\\mathbb{R}^{n}");
}

#[test]
fn default_options_are_unicode_at_width_100() {
    let o = PrintOptions::default();
    assert_eq!((o.dialect, o.width), (Dialect::Unicode, 100));
    assert_eq!(PrintOptions::ascii().dialect, Dialect::Ascii);
    assert_eq!(PrintOptions::latex().width, 100);
}

#[test]
fn nested_sums_fill_lines_and_indent_deeper() {
    let mut pool = Pool::new();
    let id = long_sum(&mut pool, 14);
    let x = scalar(&mut pool, "x_1");
    let ax = pool.mul(&[x, id]);
    let s = pool.apply(Func::Sin, &[ax]);
    let big = pool.add(&[s, id]);
    let text = print(
        &pool,
        big,
        &PrintOptions {
            dialect: Dialect::Unicode,
            width: 50,
        },
    );
    let expected = "\
x₁² + 10x₁₀² + 11x₁₁² + 12x₁₂² + 13x₁₃² + 14x₁₄² +
  2x₂² + 3x₃² + 4x₄² + 5x₅² + 6x₆² + 7x₇² + 8x₈² +
  9x₉² + sin(x₁(x₁² + 10x₁₀² + 11x₁₁² + 12x₁₂² +
    13x₁₃² + 14x₁₄² + 2x₂² + 3x₃² + 4x₄² + 5x₅² +
    6x₆² + 7x₇² + 8x₈² + 9x₉²))";
    assert_eq!(text, expected);
    for dialect in [Dialect::Ascii, Dialect::Latex] {
        let text = print(&pool, big, &PrintOptions { dialect, width: 50 });
        assert!(text.lines().count() > 4);
        assert!(text
            .lines()
            .all(|l| l.chars().count() <= 50 && l.trim_end() == l));
    }
}

/// Checks that the ASCII, LaTeX and (unless laid out in two dimensions) Unicode texts of an
/// expression read back to its value.
fn check_reads_back(pool: &Pool, id: Id, context: &str) -> bool {
    let env = values::env(pool);
    // Infinities and NaNs depend on evaluation order (√(−∞) vs (−∞)^½): not about printing.
    let Some(want) = eval_node(pool, id, &env).filter(values::finite) else {
        return false;
    };
    let wide = |dialect| {
        print(
            pool,
            id,
            &PrintOptions {
                dialect,
                width: 10_000,
            },
        )
    };
    let ascii = wide(Dialect::Ascii);
    let got = AsciiReader::read(&ascii, &env);
    assert!(
        got.as_ref().is_some_and(|g| agree(g, &want)),
        "{context}: {ascii} reads {got:?}, the expression is {want}"
    );
    let latex = wide(Dialect::Latex);
    let read = latex_to_unicode(&latex);
    let got = read.as_deref().and_then(|u| UnicodeReader::read(u, &env));
    assert!(
        got.as_ref().is_some_and(|g| agree(g, &want)),
        "{context}: {latex} (read as {read:?}) reads {got:?}, the expression is {want}"
    );
    let unicode = wide(Dialect::Unicode);
    if !unicode.contains('⎡') {
        let got = UnicodeReader::read(&unicode, &env);
        assert!(
            got.as_ref().is_some_and(|g| agree(g, &want)),
            "{context}: {unicode} reads {got:?}, the expression is {want}"
        );
    }
    true
}

/// Checks the layout of an expression in every dialect: brackets balance, a narrow width only
/// turns spaces between terms into line breaks, and no line ends in a space.
fn check_layout(pool: &Pool, id: Id, context: &str) {
    for dialect in [Dialect::Unicode, Dialect::Ascii, Dialect::Latex] {
        let wide = print(
            pool,
            id,
            &PrintOptions {
                dialect,
                width: 10_000,
            },
        );
        let narrow = print(pool, id, &PrintOptions { dialect, width: 20 });
        let count = |c: char| wide.matches(c).count();
        for (open, close) in [('(', ')'), ('{', '}')] {
            assert_eq!(
                count(open),
                count(close),
                "{context}: unbalanced {open}{close} in {wide}"
            );
        }
        if dialect != Dialect::Unicode || !wide.contains('⎡') {
            assert_eq!(count('['), count(']'), "{context}: unbalanced [] in {wide}");
        }
        assert_eq!(
            wide.matches("\\left").count(),
            wide.matches("\\right").count()
        );
        assert!(
            narrow.lines().all(|l| l.trim_end() == l),
            "{context}: trailing space"
        );
        if !wide.contains('\n') {
            let rejoined: Vec<&str> = narrow.lines().map(str::trim_start).collect();
            assert_eq!(
                rejoined.join(" "),
                wide,
                "{context}: breaks changed the text"
            );
        }
    }
}

#[test]
fn every_case_reads_back_to_its_value() {
    let mut checked = 0;
    for (name, build, _, _, _) in CASES {
        let mut pool = Pool::new();
        let id = build(&mut pool);
        check_layout(&pool, id, name);
        checked += usize::from(check_reads_back(&pool, id, name));
    }
    assert!(checked >= 70, "only {checked} cases checked");
}

#[test]
fn random_expressions_read_back_to_their_values() {
    use rand::SeedableRng;
    let mut rng = rand_pcg::Pcg64::seed_from_u64(20261122);
    let mut checked = 0;
    for i in 0..1500 {
        let kind = [Kind::Scalar, Kind::Vector, Kind::Matrix][i % 3];
        let mut pool = Pool::new();
        let id = random_expr(&mut pool, &mut rng, kind, 4);
        check_layout(&pool, id, "random");
        checked += usize::from(check_reads_back(&pool, id, "random"));
    }
    assert!(checked >= 1000, "only {checked} random expressions checked");
}
