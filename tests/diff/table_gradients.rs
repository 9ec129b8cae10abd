//! The table, part 1: gradients of scalar functions of vectors and matrices.

use crate::support::*;

pub const GRADIENTS: &[(&str, Builder)] = &[
    ("grad ½‖Ax − b‖² = Aᵀ(Ax − b)", |p| {
        let (f, a, x, r) = least_squares(p);
        let at = p.transpose(a);
        let e = p.mul(&[at, r]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad xᵀAx = (A + Aᵀ)x", |p| {
        let a = matrix(p, "A", "n", "n");
        let x = vector(p, "x", "n");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, a, x]);
        let at = p.transpose(a);
        let s = p.add(&[a, at]);
        let e = p.mul(&[s, x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad xᵀSx = 2Sx (S symmetric)", |p| {
        let s = symmetric(p, "S", "n", false);
        let x = vector(p, "x", "n");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, s, x]);
        let two = p.int(2);
        let e = p.mul(&[two, s, x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X tr(AX) = Aᵀ", |p| {
        let a = matrix(p, "A", "n", "m");
        let x = matrix(p, "X", "m", "n");
        let ax = p.mul(&[a, x]);
        let f = p.apply(Func::Trace, &[ax]);
        let e = p.transpose(a);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X tr(XᵀAX) = (A + Aᵀ)X", |p| {
        let a = matrix(p, "A", "n", "n");
        let x = matrix(p, "X", "n", "k");
        let xt = p.transpose(x);
        let prod = p.mul(&[xt, a, x]);
        let f = p.apply(Func::Trace, &[prod]);
        let at = p.transpose(a);
        let s = p.add(&[a, at]);
        let e = p.mul(&[s, x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X log det X = X⁻ᵀ", |p| {
        let x = matrix(p, "X", "n", "n");
        let d = p.apply(Func::Det, &[x]);
        let f = p.apply(Func::Log, &[d]);
        let inv = p.inverse(x);
        let e = p.transpose(inv);
        let mut c = case(f, x, Kind::Gradient, Some(e));
        c.positive = vec![x];
        c
    }),
    ("grad_X ‖X‖_F² = 2X", |p| {
        let x = matrix(p, "X", "m", "n");
        let f = frob_sq(p, x);
        let e = p.scale(Number::int(2), x);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X ‖AXB − C‖_F² = 2Aᵀ(AXB − C)Bᵀ", |p| {
        let a = matrix(p, "A", "m", "n");
        let x = matrix(p, "X", "n", "k");
        let b = matrix(p, "B", "k", "l");
        let c = matrix(p, "C", "m", "l");
        let axb = p.mul(&[a, x, b]);
        let r = p.sub(axb, c);
        let f = frob_sq(p, r);
        let two = p.int(2);
        let at = p.transpose(a);
        let bt = p.transpose(b);
        let e = p.mul(&[two, at, r, bt]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad aᵀx = a", |p| {
        let a = vector(p, "a", "n");
        let x = vector(p, "x", "n");
        let at = p.transpose(a);
        let f = p.mul(&[at, x]);
        case(f, x, Kind::Gradient, Some(a))
    }),
    ("grad ‖x‖² = 2x", |p| {
        let x = vector(p, "x", "n");
        let f = norm_sq(p, x);
        let e = p.scale(Number::int(2), x);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad ‖x‖ = x/‖x‖", |p| {
        let x = vector(p, "x", "n");
        let f = norm(p, x);
        let inv = p.powi(f, -1);
        let e = p.mul(&[inv, x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad ridge = 2Xᵀ(Xw − y) + 2αw", |p| {
        let (f, xm, w, r, alpha) = ridge(p);
        let two = p.int(2);
        let xt = p.transpose(xm);
        let t1 = p.mul(&[two, xt, r]);
        let t2 = p.mul(&[two, alpha, w]);
        let e = p.add(&[t1, t2]);
        case(f, w, Kind::Gradient, Some(e))
    }),
    ("grad logsumexp(x) = softmax(x)", |p| {
        let x = vector(p, "x", "n");
        let f = p.apply(Func::LogSumExp, &[x]);
        let e = p.apply(Func::Softmax, &[x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad sum(exp(x)) = exp(x)", |p| {
        let x = vector(p, "x", "n");
        let ex = p.apply(Func::Exp, &[x]);
        let f = p.apply(Func::Sum, &[ex]);
        case(f, x, Kind::Gradient, Some(ex))
    }),
    ("grad sum(log(x)) = 1/x (entrywise)", |p| {
        let x = vector(p, "x", "n");
        let lx = p.apply(Func::Log, &[x]);
        let f = p.apply(Func::Sum, &[lx]);
        let mut c = case(f, x, Kind::Gradient, None);
        c.positive = vec![x];
        c
    }),
    ("grad_X det X = det(X) X⁻ᵀ", |p| {
        let x = matrix(p, "X", "n", "n");
        let f = p.apply(Func::Det, &[x]);
        let inv = p.inverse(x);
        let it = p.transpose(inv);
        let e = p.mul(&[f, it]);
        let mut c = case(f, x, Kind::Gradient, Some(e));
        c.positive = vec![x];
        c
    }),
    ("grad_X tr(X⁻¹) = −X⁻ᵀX⁻ᵀ", |p| {
        let x = matrix(p, "X", "n", "n");
        let inv = p.inverse(x);
        let f = p.apply(Func::Trace, &[inv]);
        let it = p.transpose(inv);
        let prod = p.mul(&[it, it]);
        let e = p.neg(prod);
        let mut c = case(f, x, Kind::Gradient, Some(e));
        c.positive = vec![x];
        c
    }),
    ("grad_x xᵀAy = Ay", |p| {
        let a = matrix(p, "A", "n", "m");
        let x = vector(p, "x", "n");
        let y = vector(p, "y", "m");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, a, y]);
        let e = p.mul(&[a, y]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_y xᵀAy = Aᵀx", |p| {
        let a = matrix(p, "A", "n", "m");
        let x = vector(p, "x", "n");
        let y = vector(p, "y", "m");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, a, y]);
        let at = p.transpose(a);
        let e = p.mul(&[at, x]);
        case(f, y, Kind::Gradient, Some(e))
    }),
    ("grad_A xᵀAy = xyᵀ", |p| {
        let a = matrix(p, "A", "n", "m");
        let x = vector(p, "x", "n");
        let y = vector(p, "y", "m");
        let xt = p.transpose(x);
        let f = p.mul(&[xt, a, y]);
        let yt = p.transpose(y);
        let e = p.mul(&[x, yt]);
        case(f, a, Kind::Gradient, Some(e))
    }),
    ("grad_X tr(XᵀX) = 2X", |p| {
        let x = matrix(p, "X", "m", "n");
        let xt = p.transpose(x);
        let prod = p.mul(&[xt, x]);
        let f = p.apply(Func::Trace, &[prod]);
        let e = p.scale(Number::int(2), x);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X tr(X²) = 2Xᵀ", |p| {
        let x = matrix(p, "X", "n", "n");
        let sq = p.powi(x, 2);
        let f = p.apply(Func::Trace, &[sq]);
        let xt = p.transpose(x);
        let e = p.scale(Number::int(2), xt);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X tr(AXB) = AᵀBᵀ", |p| {
        let a = matrix(p, "A", "k", "m");
        let x = matrix(p, "X", "m", "n");
        let b = matrix(p, "B", "n", "k");
        let prod = p.mul(&[a, x, b]);
        let f = p.apply(Func::Trace, &[prod]);
        let at = p.transpose(a);
        let bt = p.transpose(b);
        let e = p.mul(&[at, bt]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad (aᵀx)² = 2(aᵀx)a", |p| {
        let a = vector(p, "a", "n");
        let x = vector(p, "x", "n");
        let at = p.transpose(a);
        let ax = p.mul(&[at, x]);
        let f = p.powi(ax, 2);
        let two = p.int(2);
        let e = p.mul(&[two, ax, a]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad σ(wᵀx) = σ(wᵀx)(1 − σ(wᵀx))w", |p| {
        let w = vector(p, "w", "n");
        let x = vector(p, "x", "n");
        let wt = p.transpose(w);
        let z = p.mul(&[wt, x]);
        let f = p.apply(Func::Sigmoid, &[z]);
        let one = p.int(1);
        let om = p.sub(one, f);
        let e = p.mul(&[f, om, w]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_w softplus(−y wᵀx) (logistic loss)", |p| {
        let w = vector(p, "w", "n");
        let x = vector(p, "x", "n");
        let y = scalar(p, "y");
        let wt = p.transpose(w);
        let z = p.mul(&[wt, x, y]);
        let nz = p.neg(z);
        let f = p.apply(Func::Softplus, &[nz]);
        let s = p.apply(Func::Sigmoid, &[nz]);
        let e0 = p.mul(&[s, y, x]);
        let e = p.neg(e0);
        case(f, w, Kind::Gradient, Some(e))
    }),
    ("grad ‖x‖₁ = sign(x)", |p| {
        let x = vector(p, "x", "n");
        let f = p.apply(Func::Norm(NormKind::One), &[x]);
        let e = p.apply(Func::Sign, &[x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad sum(x ⊙ x) = 2x", |p| {
        let x = vector(p, "x", "n");
        let h = p.hadamard(&[x, x]);
        let f = p.apply(Func::Sum, &[h]);
        let e = p.scale(Number::int(2), x);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad ½xᵀx = x", |p| {
        let x = vector(p, "x", "n");
        let xt = p.transpose(x);
        let q = p.mul(&[xt, x]);
        let h = half(p);
        let f = p.mul(&[h, q]);
        case(f, x, Kind::Gradient, Some(x))
    }),
    ("grad tr(diag(x)A) = diag(A)", |p| {
        let x = vector(p, "x", "n");
        let a = matrix(p, "A", "n", "n");
        let d = p.apply(Func::Diag, &[x]);
        let prod = p.mul(&[d, a]);
        let f = p.apply(Func::Trace, &[prod]);
        case(f, x, Kind::Gradient, None)
    }),
    ("grad_X tr(X³) = 3(X²)ᵀ", |p| {
        let x = matrix(p, "X", "n", "n");
        let c = p.powi(x, 3);
        let f = p.apply(Func::Trace, &[c]);
        let xt = p.transpose(x);
        let sq = p.powi(xt, 2);
        let e = p.scale(Number::int(3), sq);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_x bᵀA⁻¹x = A⁻ᵀb", |p| {
        let a = matrix(p, "A", "n", "n");
        let b = vector(p, "b", "n");
        let x = vector(p, "x", "n");
        let bt = p.transpose(b);
        let inv = p.inverse(a);
        let f = p.mul(&[bt, inv, x]);
        let it = p.transpose(inv);
        let e = p.mul(&[it, b]);
        let mut c = case(f, x, Kind::Gradient, Some(e));
        c.positive = vec![a];
        c
    }),
    ("grad_A bᵀA⁻¹x = −A⁻ᵀbxᵀA⁻ᵀ", |p| {
        let a = matrix(p, "A", "n", "n");
        let b = vector(p, "b", "n");
        let x = vector(p, "x", "n");
        let bt = p.transpose(b);
        let inv = p.inverse(a);
        let f = p.mul(&[bt, inv, x]);
        let mut c = case(f, a, Kind::Gradient, None);
        c.positive = vec![a];
        c
    }),
    ("grad_x tanh(x)ᵀ tanh(x)", |p| {
        let x = vector(p, "x", "n");
        let t = p.apply(Func::Tanh, &[x]);
        let tt = p.transpose(t);
        let f = p.mul(&[tt, t]);
        case(f, x, Kind::Gradient, None)
    }),
    ("grad_x aᵀsoftmax(x)", |p| {
        let a = vector(p, "a", "n");
        let x = vector(p, "x", "n");
        let s = p.apply(Func::Softmax, &[x]);
        let at = p.transpose(a);
        let f = p.mul(&[at, s]);
        case(f, x, Kind::Gradient, None)
    }),
    ("grad_X aᵀdiag(X) = diag(a)", |p| {
        let a = vector(p, "a", "n");
        let x = matrix(p, "X", "n", "n");
        let d = p.apply(Func::Diag, &[x]);
        let at = p.transpose(a);
        let f = p.mul(&[at, d]);
        let e = p.apply(Func::Diag, &[a]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_X ‖X‖_F = X/‖X‖_F", |p| {
        let x = matrix(p, "X", "m", "n");
        let f = p.apply(Func::Norm(NormKind::Frobenius), &[x]);
        let inv = p.powi(f, -1);
        let e = p.mul(&[inv, x]);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_W ½‖σ(Wx) − y‖² (one layer)", |p| {
        let w = matrix(p, "W", "m", "n");
        let x = vector(p, "x", "n");
        let y = vector(p, "y", "m");
        let wx = p.mul(&[w, x]);
        let s = p.apply(Func::Sigmoid, &[wx]);
        let r = p.sub(s, y);
        let ns = norm_sq(p, r);
        let h = half(p);
        let f = p.mul(&[h, ns]);
        case(f, w, Kind::Gradient, None)
    }),
    ("grad_X sum(A ⊙ X ⊙ X) = 2A ⊙ X", |p| {
        let a = matrix(p, "A", "m", "n");
        let x = matrix(p, "X", "m", "n");
        let h = p.hadamard(&[a, x, x]);
        let f = p.apply(Func::Sum, &[h]);
        let ax = p.hadamard(&[a, x]);
        let e = p.scale(Number::int(2), ax);
        case(f, x, Kind::Gradient, Some(e))
    }),
    ("grad_x relu(x)ᵀa", |p| {
        let a = vector(p, "a", "n");
        let x = vector(p, "x", "n");
        let r = p.apply(Func::Relu, &[x]);
        let at = p.transpose(a);
        let f = p.mul(&[at, r]);
        case(f, x, Kind::Gradient, None)
    }),
    (
        "grad_S xᵀSx = xxᵀ (S symmetric, unconstrained convention)",
        |p| {
            let s = symmetric(p, "S", "n", false);
            let x = vector(p, "x", "n");
            let xt = p.transpose(x);
            let f = p.mul(&[xt, s, x]);
            let e = p.mul(&[x, xt]);
            // The finite differences perturb entries independently, like the convention.
            case(f, s, Kind::Gradient, Some(e))
        },
    ),
];
