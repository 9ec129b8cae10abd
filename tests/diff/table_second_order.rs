//! The table, part 2: Hessians, Jacobians and scalar calculus.

use crate::support::*;

pub const SECOND_ORDER_AND_SCALAR: &[(&str, Builder)] = &[
    // Hessians
    ("hess (xᵀAx)(bᵀx)", |p| {
        let a = matrix(p, "A", "n", "n");
        let x = vector(p, "x", "n");
        let b = vector(p, "b", "n");
        let xt = p.transpose(x);
        let q = p.mul(&[xt, a, x]);
        let bt = p.transpose(b);
        let l = p.mul(&[bt, x]);
        let f = p.mul(&[q, l]);
        case(f, x, Kind::Hessian, None)
    }),
    ("hess ‖Ax − b‖ (not squared)", |p| {
        let (_, a, x, r) = least_squares(p);
        let _ = a;
        let f = norm(p, r);
        case(f, x, Kind::Hessian, None)
    }),
    ("hess ½‖Ax − b‖² = AᵀA", |p| {
        let (f, a, x, _) = least_squares(p);
        let at = p.transpose(a);
        let e = p.mul(&[at, a]);
        case(f, x, Kind::Hessian, Some(e))
    }),
    ("hess xᵀAx = A + Aᵀ", |p| {
        let a = matrix(p, "A", "n", "n");
        let x = vector(p, "x", "n");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, a, x]);
        let at = p.transpose(a);
        let e = p.add(&[a, at]);
        case(f, x, Kind::Hessian, Some(e))
    }),
    ("hess ridge = 2XᵀX + 2αI", |p| {
        let (f, xm, w, _, alpha) = ridge(p);
        let two = p.int(2);
        let xt = p.transpose(xm);
        let t1 = p.mul(&[two, xt, xm]);
        let i = p.identity(Dim::symbol("d"));
        let t2 = p.mul(&[two, alpha, i]);
        let e = p.add(&[t1, t2]);
        case(f, w, Kind::Hessian, Some(e))
    }),
    ("hess ‖x‖² = 2I", |p| {
        let x = vector(p, "x", "n");
        let f = norm_sq(p, x);
        let i = p.identity(Dim::symbol("n"));
        let e = p.scale(Number::int(2), i);
        case(f, x, Kind::Hessian, Some(e))
    }),
    ("hess logsumexp(x) = diag(s) − ssᵀ", |p| {
        let x = vector(p, "x", "n");
        let f = p.apply(Func::LogSumExp, &[x]);
        case(f, x, Kind::Hessian, None)
    }),
    ("hess ‖x‖ (norm)", |p| {
        let x = vector(p, "x", "n");
        let f = norm(p, x);
        case(f, x, Kind::Hessian, None)
    }),
    ("hess σ(wᵀx) w.r.t. x", |p| {
        let w = vector(p, "w", "n");
        let x = vector(p, "x", "n");
        let wt = p.transpose(w);
        let z = p.mul(&[wt, x]);
        let f = p.apply(Func::Sigmoid, &[z]);
        case(f, x, Kind::Hessian, None)
    }),
    // Jacobians
    ("jac σ(Wx + b) = diag(σ ⊙ (𝟙 − σ))W", |p| {
        let w = matrix(p, "W", "m", "n");
        let x = vector(p, "x", "n");
        let b = vector(p, "b", "m");
        let wx = p.mul(&[w, x]);
        let u = p.add(&[wx, b]);
        let s = p.apply(Func::Sigmoid, &[u]);
        let ones = p.ones(Shape::vector(Dim::symbol("m")));
        let om = p.sub(ones, s);
        let h = p.hadamard(&[s, om]);
        let d = p.apply(Func::Diag, &[h]);
        let e = p.mul(&[d, w]);
        case(s, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    ("jac Ax = A", |p| {
        let a = matrix(p, "A", "m", "n");
        let x = vector(p, "x", "n");
        let g = p.mul(&[a, x]);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(a))
    }),
    ("jac Ax = Aᵀ (denominator layout)", |p| {
        let a = matrix(p, "A", "m", "n");
        let x = vector(p, "x", "n");
        let g = p.mul(&[a, x]);
        let at = p.transpose(a);
        case(g, x, Kind::Jacobian(Layout::Denominator), Some(at))
    }),
    ("jac x ⊙ x = 2diag(x)", |p| {
        let x = vector(p, "x", "n");
        let g = p.hadamard(&[x, x]);
        let d = p.apply(Func::Diag, &[x]);
        let e = p.scale(Number::int(2), d);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    ("jac exp(Ax) = diag(exp(Ax))A", |p| {
        let a = matrix(p, "A", "m", "n");
        let x = vector(p, "x", "n");
        let ax = p.mul(&[a, x]);
        let g = p.apply(Func::Exp, &[ax]);
        let d = p.apply(Func::Diag, &[g]);
        let e = p.mul(&[d, a]);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    ("jac softmax(x) = diag(s) − ssᵀ", |p| {
        let x = vector(p, "x", "n");
        let g = p.apply(Func::Softmax, &[x]);
        let d = p.apply(Func::Diag, &[g]);
        let st = p.transpose(g);
        let outer = p.mul(&[g, st]);
        let e = p.sub(d, outer);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    ("jac (xᵀx)a = 2axᵀ", |p| {
        let x = vector(p, "x", "n");
        let a = vector(p, "a", "m");
        let xt = p.transpose(x);
        let q = p.mul(&[xt, x]);
        let g = p.mul(&[q, a]);
        let two = p.int(2);
        let e = p.mul(&[two, a, xt]);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    ("jac tanh(Wx) ", |p| {
        let w = matrix(p, "W", "m", "n");
        let x = vector(p, "x", "n");
        let wx = p.mul(&[w, x]);
        let g = p.apply(Func::Tanh, &[wx]);
        case(g, x, Kind::Jacobian(Layout::Numerator), None)
    }),
    ("jac A⁻¹x w.r.t. x = A⁻¹", |p| {
        let a = matrix(p, "A", "n", "n");
        let x = vector(p, "x", "n");
        let inv = p.inverse(a);
        let g = p.mul(&[inv, x]);
        let mut c = case(g, x, Kind::Jacobian(Layout::Numerator), Some(inv));
        c.positive = vec![a];
        c
    }),
    ("jac diag(x)Ay = diag(Ay)", |p| {
        let x = vector(p, "x", "n");
        let a = matrix(p, "A", "n", "m");
        let y = vector(p, "y", "m");
        let d = p.apply(Func::Diag, &[x]);
        let g = p.mul(&[d, a, y]);
        let ay = p.mul(&[a, y]);
        let e = p.apply(Func::Diag, &[ay]);
        case(g, x, Kind::Jacobian(Layout::Numerator), Some(e))
    }),
    // Scalar calculus
    ("d/dx x sin x = sin x + x cos x", |p| {
        let x = scalar(p, "x");
        let s = p.apply(Func::Sin, &[x]);
        let f = p.mul(&[x, s]);
        let c = p.apply(Func::Cos, &[x]);
        let xc = p.mul(&[x, c]);
        let e = p.add(&[s, xc]);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx ln(x² + 1) = 2x/(x² + 1)", |p| {
        let x = scalar(p, "x");
        let x2 = p.powi(x, 2);
        let one = p.int(1);
        let u = p.add(&[x2, one]);
        let f = p.apply(Func::Log, &[u]);
        let tx = p.scale(Number::int(2), x);
        let e = p.div(tx, u);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx xˣ = xˣ + xˣ log x", |p| {
        let x = scalar(p, "x");
        let f = p.pow(x, x);
        let l = p.apply(Func::Log, &[x]);
        let fl = p.mul(&[f, l]);
        let e = p.add(&[f, fl]);
        let mut c = case(f, x, Kind::Derivative, Some(e));
        c.positive = vec![x];
        c
    }),
    ("d/dx tan x = 1 + tan² x", |p| {
        let x = scalar(p, "x");
        let f = p.apply(Func::Tan, &[x]);
        let sq = p.powi(f, 2);
        let one = p.int(1);
        let e = p.add(&[one, sq]);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx tanh x = 1 − tanh² x", |p| {
        let x = scalar(p, "x");
        let f = p.apply(Func::Tanh, &[x]);
        let sq = p.powi(f, 2);
        let one = p.int(1);
        let e = p.sub(one, sq);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx softplus x = σ(x)", |p| {
        let x = scalar(p, "x");
        let f = p.apply(Func::Softplus, &[x]);
        let e = p.apply(Func::Sigmoid, &[x]);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx √x = 1/(2√x)", |p| {
        let x = scalar(p, "x");
        let f = p.sqrt(x);
        let mh = p.num(Number::ratio(-1, 2));
        let pw = p.pow(x, mh);
        let e = p.scale(Number::ratio(1, 2), pw);
        let mut c = case(f, x, Kind::Derivative, Some(e));
        c.positive = vec![x];
        c
    }),
    ("d/dx 1/x = −1/x²", |p| {
        let x = scalar(p, "x");
        let f = p.powi(x, -1);
        let m2 = p.powi(x, -2);
        let e = p.neg(m2);
        let mut c = case(f, x, Kind::Derivative, Some(e));
        c.positive = vec![x];
        c
    }),
    ("d/dx cos(x²) = −2x sin(x²)", |p| {
        let x = scalar(p, "x");
        let x2 = p.powi(x, 2);
        let f = p.apply(Func::Cos, &[x2]);
        let s = p.apply(Func::Sin, &[x2]);
        let m2 = p.int(-2);
        let e = p.mul(&[m2, x, s]);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx exp(2x) = 2exp(2x)", |p| {
        let x = scalar(p, "x");
        let tx = p.scale(Number::int(2), x);
        let f = p.apply(Func::Exp, &[tx]);
        let e = p.scale(Number::int(2), f);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx |x| = sign x", |p| {
        let x = scalar(p, "x");
        let f = p.apply(Func::Abs, &[x]);
        let e = p.apply(Func::Sign, &[x]);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx relu x = (sign x + 1)/2", |p| {
        let x = scalar(p, "x");
        let f = p.apply(Func::Relu, &[x]);
        let s = p.apply(Func::Sign, &[x]);
        let one = p.int(1);
        let sum = p.add(&[s, one]);
        let e = p.scale(Number::ratio(1, 2), sum);
        case(f, x, Kind::Derivative, Some(e))
    }),
    ("d/dx sin(x)/x", |p| {
        let x = scalar(p, "x");
        let s = p.apply(Func::Sin, &[x]);
        let f = p.div(s, x);
        let mut c = case(f, x, Kind::Derivative, None);
        c.positive = vec![x];
        c
    }),
    ("d/dx σ(3x) ", |p| {
        let x = scalar(p, "x");
        let t = p.scale(Number::int(3), x);
        let f = p.apply(Func::Sigmoid, &[t]);
        case(f, x, Kind::Derivative, None)
    }),
    ("d/dx 2ˣ = 2ˣ log 2", |p| {
        let x = scalar(p, "x");
        let two = p.int(2);
        let f = p.pow(two, x);
        let l = p.apply(Func::Log, &[two]);
        let e = p.mul(&[f, l]);
        case(f, x, Kind::Derivative, Some(e))
    }),
];
