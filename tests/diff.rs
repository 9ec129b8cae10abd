//! Differentiation: a table of scalar and matrix-calculus identities, each compared with the
//! textbook form (id equality, where that form is canonical) and ALWAYS with central finite
//! differences on random instances; Rosenbrock at n = 200; random scalar expressions.

use nabla::diff::{
    derivative, directional, evaluate_derivatives, gradient, hessian, jacobian,
    non_differentiable_points, taylor, DiffError, Layout,
};
use nabla::expr::{
    Assumptions, Derivative, DerivativeKind, Dim, Func, Id, Node, NormKind, Number, Pool, Shape,
    SymbolId, SymbolOrigin,
};
use nabla::numeric::{
    evaluate, finite_difference_gradient, finite_difference_jacobian, free_dimensions,
    free_symbols, Dense, EvalError, Instance,
};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

// ---------------------------------------------------------------------------------------------
// Building blocks

fn declare(p: &mut Pool, name: &str, shape: Shape, a: Assumptions) -> Id {
    let s = p
        .declare(name, shape, a, SymbolOrigin::Declared)
        .unwrap_or_else(|s| s);
    p.symbol_expr(s)
}

fn scalar(p: &mut Pool, name: &str) -> Id {
    declare(p, name, Shape::scalar(), Assumptions::default())
}

fn vector(p: &mut Pool, name: &str, n: &str) -> Id {
    declare(
        p,
        name,
        Shape::vector(Dim::symbol(n)),
        Assumptions::default(),
    )
}

fn matrix(p: &mut Pool, name: &str, r: &str, c: &str) -> Id {
    declare(
        p,
        name,
        Shape::matrix(Dim::symbol(r), Dim::symbol(c)),
        Assumptions::default(),
    )
}

fn symmetric(p: &mut Pool, name: &str, n: &str, spd: bool) -> Id {
    let a = Assumptions {
        symmetric: true,
        positive_definite: spd,
    };
    declare(p, name, Shape::matrix(Dim::symbol(n), Dim::symbol(n)), a)
}

fn half(p: &mut Pool) -> Id {
    p.num(Number::ratio(1, 2))
}

fn norm(p: &mut Pool, x: Id) -> Id {
    p.apply(Func::Norm(NormKind::Two), &[x])
}

fn norm_sq(p: &mut Pool, x: Id) -> Id {
    let n = norm(p, x);
    p.powi(n, 2)
}

fn frob_sq(p: &mut Pool, x: Id) -> Id {
    let n = p.apply(Func::Norm(NormKind::Frobenius), &[x]);
    p.powi(n, 2)
}

fn sym_id(p: &Pool, e: Id) -> SymbolId {
    match p.node(e) {
        Node::Sym(s) => *s,
        _ => panic!("not a symbol"),
    }
}

// ---------------------------------------------------------------------------------------------
// Random instances and finite differences

/// Random dims in 1..=4 and random values; `positive` symbols get positive entries (square
/// matrices: well-conditioned with positive determinant); spd/symmetric assumptions honoured.
fn random_instance(p: &Pool, roots: &[Id], positive: &[Id], rng: &mut Pcg64) -> Instance<f64> {
    let mut inst = Instance::new();
    for d in free_dimensions(p, roots) {
        inst.dims.insert(d, rng.gen_range(1..=4));
    }
    let pos: Vec<SymbolId> = positive.iter().map(|&e| sym_id(p, e)).collect();
    for s in free_symbols(p, roots) {
        let sym = p.symbol(s);
        let get = |d: &str| inst.dims.get(d).copied();
        let r = sym.shape.rows.evaluate(&get).expect("dim") as usize;
        let c = sym.shape.cols.evaluate(&get).expect("dim") as usize;
        let mut data: Vec<f64> = (0..r * c).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let is_pos = pos.contains(&s);
        if sym.assumptions.positive_definite || (is_pos && r == c && r > 1) {
            // BᵀB + I
            let b = data.clone();
            for i in 0..r {
                for j in 0..r {
                    let dot: f64 = (0..r).map(|k| b[k * r + i] * b[k * r + j]).sum();
                    data[i * r + j] = dot + if i == j { 1.0 } else { 0.0 };
                }
            }
        } else if sym.assumptions.symmetric {
            let b = data.clone();
            for i in 0..r {
                for j in 0..r {
                    data[i * r + j] = 0.5 * (b[i * r + j] + b[j * r + i]);
                }
            }
        } else if is_pos {
            for a in data.iter_mut() {
                *a = 0.5 + a.abs() * 1.5;
            }
        }
        inst.values
            .insert(s, Dense::from_vec(r, c, data).expect("size"));
    }
    inst
}

fn close(a: &Dense<f64>, b: &Dense<f64>) -> Result<(), String> {
    if a.shape() != b.shape() {
        return Err(format!("shapes {:?} vs {:?}", a.shape(), b.shape()));
    }
    let scale = b.data.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    for (x, y) in a.data.iter().zip(&b.data) {
        if (x - y).abs() > 1e-4 * scale {
            return Err(format!("symbolic {:?} vs numeric {:?}", a.data, b.data));
        }
    }
    Ok(())
}

/// A check at one instance: `Err` when evaluation failed, `Ok(Err)` when values disagree.
type InstanceCheck<'a> = dyn Fn(&Instance<f64>) -> Result<Result<(), String>, EvalError> + 'a;

/// Runs `check` on several random instances; instances where something is undefined
/// (a domain error) are re-drawn.
fn on_instances(
    p: &Pool,
    roots: &[Id],
    positive: &[Id],
    seed: u64,
    check: &InstanceCheck,
) -> Result<(), String> {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut passed = 0;
    for _ in 0..60 {
        let inst = random_instance(p, roots, positive, &mut rng);
        match check(&inst) {
            Ok(Ok(())) => passed += 1,
            Ok(Err(e)) => return Err(format!("{e} at {inst:?}")),
            Err(EvalError::Domain { .. }) => continue,
            Err(e) => return Err(format!("evaluation failed: {e:?}")),
        }
        if passed == 4 {
            return Ok(());
        }
    }
    Err("no instance in the domain".to_string())
}

const H: f64 = 1e-5;

/// `grad` (of `x`'s shape) against central differences of the scalar `f`.
fn check_gradient(
    p: &Pool,
    f: Id,
    x: Id,
    grad: Id,
    positive: &[Id],
    seed: u64,
) -> Result<(), String> {
    let s = sym_id(p, x);
    on_instances(p, &[f, grad, x], positive, seed, &|inst| {
        let fd = finite_difference_gradient(p, f, s, inst, H)?;
        let g = evaluate(p, grad, inst)?;
        Ok(close(&g, &fd))
    })
}

/// A numerator-layout Jacobian `jac` of the column `g` against central differences.
fn check_jacobian(
    p: &Pool,
    g: Id,
    x: Id,
    jac: Id,
    positive: &[Id],
    seed: u64,
) -> Result<(), String> {
    let s = sym_id(p, x);
    on_instances(p, &[g, jac, x], positive, seed, &|inst| {
        let fd = finite_difference_jacobian(p, g, s, inst, H)?;
        let j = evaluate(p, jac, inst)?;
        Ok(close(&j, &fd))
    })
}

// ---------------------------------------------------------------------------------------------
// The table

enum Kind {
    Gradient,
    Hessian,
    Jacobian(Layout),
    Derivative,
}

struct Case {
    f: Id,
    wrt: Id,
    kind: Kind,
    expected: Option<Id>,
    positive: Vec<Id>,
}

fn case(f: Id, wrt: Id, kind: Kind, expected: Option<Id>) -> Case {
    Case {
        f,
        wrt,
        kind,
        expected,
        positive: Vec::new(),
    }
}

type Builder = fn(&mut Pool) -> Case;

fn least_squares(p: &mut Pool) -> (Id, Id, Id, Id) {
    let a = matrix(p, "A", "m", "n");
    let x = vector(p, "x", "n");
    let b = vector(p, "b", "m");
    let ax = p.mul(&[a, x]);
    let r = p.sub(ax, b);
    let ns = norm_sq(p, r);
    let h = half(p);
    let f = p.mul(&[h, ns]);
    (f, a, x, r)
}

fn ridge(p: &mut Pool) -> (Id, Id, Id, Id, Id) {
    let xm = matrix(p, "X", "N", "d");
    let w = vector(p, "w", "d");
    let y = vector(p, "y", "N");
    let alpha = scalar(p, "α");
    let xw = p.mul(&[xm, w]);
    let r = p.sub(xw, y);
    let n1 = norm_sq(p, r);
    let n2 = norm_sq(p, w);
    let reg = p.mul(&[alpha, n2]);
    let f = p.add(&[n1, reg]);
    (f, xm, w, r, alpha)
}

const TABLE: &[(&str, Builder)] = &[
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

fn compute(p: &mut Pool, c: &Case) -> Result<Id, DiffError> {
    match c.kind {
        Kind::Gradient => gradient(p, c.f, &[c.wrt]),
        Kind::Hessian => hessian(p, c.f, &[c.wrt]),
        Kind::Jacobian(layout) => jacobian(p, c.f, &[c.wrt], layout),
        Kind::Derivative => derivative(p, c.f, c.wrt),
    }
}

fn numeric_check(p: &mut Pool, c: &Case, result: Id, seed: u64) -> Result<(), String> {
    match c.kind {
        Kind::Gradient | Kind::Derivative => {
            check_gradient(p, c.f, c.wrt, result, &c.positive, seed)
        }
        Kind::Hessian => {
            let g = gradient(p, c.f, &[c.wrt]).map_err(|e| e.to_string())?;
            check_gradient(p, c.f, c.wrt, g, &c.positive, seed)?;
            check_jacobian(p, g, c.wrt, result, &c.positive, seed)
        }
        Kind::Jacobian(Layout::Numerator) => {
            check_jacobian(p, c.f, c.wrt, result, &c.positive, seed)
        }
        Kind::Jacobian(Layout::Denominator) => {
            let t = p.transpose(result);
            check_jacobian(p, c.f, c.wrt, t, &c.positive, seed)
        }
    }
}

#[test]
fn identity_table() {
    assert!(TABLE.len() >= 40, "the table has {} entries", TABLE.len());
    let mut failures = Vec::new();
    for (k, (name, build)) in TABLE.iter().enumerate() {
        let mut p = Pool::new();
        let c = build(&mut p);
        let result = match compute(&mut p, &c) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        eprintln!("{name}  ⟶  {}", nabla::diff::describe(&p, result));
        if let Some(expected) = c.expected {
            if result != expected {
                failures.push(format!(
                    "{name}: got {} expected {}",
                    nabla::diff::describe(&p, result),
                    nabla::diff::describe(&p, expected)
                ));
            }
        }
        if let Err(e) = numeric_check(&mut p, &c, result, 1000 + k as u64) {
            failures.push(format!(
                "{name}: numeric check of {} failed: {e}",
                nabla::diff::describe(&p, result)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The numeric check itself can fail

#[test]
fn numeric_check_rejects_a_wrong_gradient() {
    let mut p = Pool::new();
    let (f, a, x, r) = least_squares(&mut p);
    // A common mistake: the transpose forgotten is a shape error, so use Aᵀ(Ax + b) instead.
    let b = vector(&mut p, "b", "m");
    let wrong_r = p.add(&[r, b, b]);
    let at = p.transpose(a);
    let wrong = p.mul(&[at, wrong_r]);
    assert!(check_gradient(&p, f, x, wrong, &[], 7).is_err());
    let right = p.mul(&[at, r]);
    assert!(check_gradient(&p, f, x, right, &[], 7).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Rosenbrock with n scalar symbols

fn rosenbrock(p: &mut Pool, n: usize) -> (Id, Vec<Id>) {
    let xs: Vec<Id> = (1..=n).map(|i| scalar(p, &format!("x_{i}"))).collect();
    let one = p.int(1);
    let mut terms = Vec::with_capacity(2 * n);
    for i in 0..n - 1 {
        let sq = p.powi(xs[i], 2);
        let d = p.sub(xs[i + 1], sq);
        let d2 = p.powi(d, 2);
        terms.push(p.scale(Number::int(100), d2));
        let e = p.sub(one, xs[i]);
        terms.push(p.powi(e, 2));
    }
    (p.add(&terms), xs)
}

fn random_point(p: &Pool, xs: &[Id], rng: &mut Pcg64) -> Instance<f64> {
    let mut inst = Instance::new();
    for &x in xs {
        let v = rng.gen_range(-1.5..1.5);
        inst.values.insert(sym_id(p, x), Dense::scalar(v));
    }
    inst
}

fn scalar_value(p: &Pool, e: Id, inst: &Instance<f64>) -> f64 {
    *evaluate(p, e, inst)
        .expect("evaluates")
        .as_scalar()
        .expect("scalar")
}

fn fd_scalar(p: &Pool, e: Id, x: Id, inst: &Instance<f64>) -> f64 {
    let g = finite_difference_gradient(p, e, sym_id(p, x), inst, H).expect("fd");
    *g.as_scalar().expect("scalar")
}

fn entries(p: &Pool, m: Id) -> Vec<Id> {
    match p.node(m) {
        Node::Matrix { entries, .. } => entries.to_vec(),
        other => panic!("not a literal: {other:?}"),
    }
}

#[test]
fn rosenbrock_gradient_and_hessian_n200() {
    let n = 200;
    let mut p = Pool::new();
    let (f, xs) = rosenbrock(&mut p, n);
    let g = gradient(&mut p, f, &xs).expect("gradient");
    let grad = entries(&p, g);
    assert_eq!(grad.len(), n);
    let mut rng = Pcg64::seed_from_u64(200);
    let inst = random_point(&p, &xs, &mut rng);
    for (i, &gi) in grad.iter().enumerate() {
        let fd = fd_scalar(&p, f, xs[i], &inst);
        let sym = scalar_value(&p, gi, &inst);
        assert!(
            (sym - fd).abs() <= 1e-4 * (1.0 + fd.abs()),
            "∂f/∂x_{} = {sym} vs {fd}",
            i + 1
        );
    }
    let before = p.len();
    let h = hessian(&mut p, f, &xs).expect("hessian");
    // Shared subexpressions: the Hessian costs O(n) new nodes besides its n² literal entries.
    eprintln!("Hessian n = {n}: {} new nodes", p.len() - before);
    assert!(p.len() - before < 20 * n, "{} new nodes", p.len() - before);
    let hess = entries(&p, h);
    assert_eq!(hess.len(), n * n);
    // Tridiagonal, symmetric, and agrees with differences of the gradient.
    for i in 0..n {
        for j in 0..n {
            let hij = hess[i * n + j];
            if i.abs_diff(j) > 1 {
                assert!(p.is_zero(hij), "H[{i}][{j}] should vanish");
            } else {
                assert_eq!(hij, hess[j * n + i], "H symmetric at {i},{j}");
            }
        }
    }
    for &i in &[0, 1, 57, n - 2, n - 1] {
        for j in i.saturating_sub(1)..(i + 2).min(n) {
            let fd = fd_scalar(&p, grad[i], xs[j], &inst);
            let sym = scalar_value(&p, hess[i * n + j], &inst);
            assert!(
                (sym - fd).abs() <= 1e-4 * (1.0 + fd.abs()),
                "H[{i}][{j}] = {sym} vs {fd}"
            );
        }
    }
}

#[test]
fn rosenbrock_gradient_n1000_is_fast() {
    let mut p = Pool::new();
    let (f, xs) = rosenbrock(&mut p, 1000);
    let before = p.len();
    let start = std::time::Instant::now();
    let g = gradient(&mut p, f, &xs).expect("gradient");
    let elapsed = start.elapsed();
    assert_eq!(entries(&p, g).len(), 1000);
    // One sweep: the new nodes are proportional to the expression, not to n².
    assert!(
        p.len() - before < 40 * before.max(1),
        "{} new nodes",
        p.len() - before
    );
    eprintln!(
        "n = 1000 gradient: {elapsed:?}, {} new nodes of {before}",
        p.len() - before
    );
    assert!(elapsed.as_millis() < 1000, "took {elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Index sums, components, nested derivative operators, Taylor, directional derivatives

#[test]
fn gradient_through_an_index_sum() {
    // ∑_{i=1}^{N} (yᵢ − w xᵢ − b)² with respect to w and b.
    let mut p = Pool::new();
    let x = vector(&mut p, "x", "N");
    let y = vector(&mut p, "y", "N");
    let w = scalar(&mut p, "w");
    let b = scalar(&mut p, "b");
    let i_sym = p
        .declare(
            "i",
            Shape::scalar(),
            Assumptions::default(),
            SymbolOrigin::SumIndex,
        )
        .expect("fresh");
    let i = p.symbol_expr(i_sym);
    let xi = p.component(x, &[i]);
    let yi = p.component(y, &[i]);
    let wxi = p.mul(&[w, xi]);
    let r0 = p.sub(yi, wxi);
    let r = p.sub(r0, b);
    let body = p.powi(r, 2);
    let one = p.int(1);
    let upper = p.dim_value(Dim::symbol("N"));
    let f = p.sum_over(i_sym, one, upper, body);
    let g = gradient(&mut p, f, &[w, b]).expect("gradient");
    let parts = entries(&p, g);
    // ∂/∂b = ∑ −2(yᵢ − w xᵢ − b)
    let m2 = p.int(-2);
    let db_body = p.mul(&[m2, r]);
    let db = p.sum_over(i_sym, one, upper, db_body);
    assert_eq!(parts[1], db);
    for (k, &v) in [w, b].iter().enumerate() {
        let part = parts[k];
        check_gradient(&p, f, v, part, &[], 31 + k as u64).expect("matches differences");
    }
}

#[test]
fn components_as_variables() {
    let mut p = Pool::new();
    let x = declare(
        &mut p,
        "x",
        Shape::vector(Dim::known(3)),
        Assumptions::default(),
    );
    let one = p.int(1);
    let two = p.int(2);
    let three = p.int(3);
    let x1 = p.component(x, &[one]);
    let x2 = p.component(x, &[two]);
    let x3 = p.component(x, &[three]);
    // f = x₁² x₂ + ‖x‖² + sin x₃ — uses x whole as well as its components.
    let x1sq = p.powi(x1, 2);
    let t1 = p.mul(&[x1sq, x2]);
    let t2 = norm_sq(&mut p, x);
    let t3 = p.apply(Func::Sin, &[x3]);
    let f = p.add(&[t1, t2, t3]);
    let by_components = gradient(&mut p, f, &[x1, x2, x3]).expect("partials");
    let by_vector = gradient(&mut p, f, &[x]).expect("gradient");
    let d1 = derivative(&mut p, f, x1).expect("partial");
    let rows = entries(&p, by_components);
    check_gradient(&p, f, x, by_components, &[], 41).expect("partials match");
    check_gradient(&p, f, x, by_vector, &[], 42).expect("gradient matches");
    let mut rng = Pcg64::seed_from_u64(43);
    let inst = random_instance(&p, &[f], &[], &mut rng);
    let a = scalar_value(&p, d1, &inst);
    let b = scalar_value(&p, rows[0], &inst);
    assert!((a - b).abs() < 1e-9);
    // Symbolic size: ∂(x₁x₂)/∂x₁ = x₂.
    let mut q = Pool::new();
    let v = vector(&mut q, "v", "n");
    let one = q.int(1);
    let two = q.int(2);
    let v1 = q.component(v, &[one]);
    let v2 = q.component(v, &[two]);
    let prod = q.mul(&[v1, v2]);
    assert_eq!(derivative(&mut q, prod, v1), Ok(v2));
}

#[test]
fn nested_derivative_operators_are_evaluated() {
    let mut p = Pool::new();
    let (f, a, x, r) = least_squares(&mut p);
    let shape = p.shape(x).clone();
    let grad_node = p.derivative(
        Derivative {
            kind: DerivativeKind::Gradient,
            expr: f,
            wrt: vec![x].into(),
            direction: None,
        },
        shape,
    );
    let xt = p.transpose(x);
    let e = p.mul(&[xt, grad_node]);
    let value = evaluate_derivatives(&mut p, e, Layout::Numerator).expect("evaluates");
    let at = p.transpose(a);
    let g = p.mul(&[at, r]);
    let expected = p.mul(&[xt, g]);
    assert_eq!(value, expected);
    // ∂²(x²y³)/∂x∂y = 6xy², then `at x = 1`.
    let s = scalar(&mut p, "s");
    let t = scalar(&mut p, "t");
    let s2 = p.powi(s, 2);
    let t3 = p.powi(t, 3);
    let body = p.mul(&[s2, t3]);
    let mixed = p.derivative(
        Derivative {
            kind: DerivativeKind::Partial,
            expr: body,
            wrt: vec![s, t].into(),
            direction: None,
        },
        Shape::scalar(),
    );
    let one = p.int(1);
    let s_sym = sym_id(&p, s);
    let at_one = p.at(mixed, vec![(s_sym, one)]);
    let value = evaluate_derivatives(&mut p, at_one, Layout::Numerator).expect("evaluates");
    let t2 = p.powi(t, 2);
    let expected = p.scale(Number::int(6), t2);
    assert_eq!(value, expected);
    // Nothing to evaluate: unchanged.
    assert_eq!(
        evaluate_derivatives(&mut p, body, Layout::Numerator),
        Ok(body)
    );
}

#[test]
fn taylor_polynomials() {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let ex = p.apply(Func::Exp, &[x]);
    let zero = p.int(0);
    let t = taylor(&mut p, ex, x, zero, 3).expect("taylor");
    let one = p.int(1);
    let x2 = p.powi(x, 2);
    let x3 = p.powi(x, 3);
    let h2 = p.scale(Number::ratio(1, 2), x2);
    let h3 = p.scale(Number::ratio(1, 6), x3);
    let expected = p.add(&[one, x, h2, h3]);
    assert_eq!(t, expected);
    // log x at 1, order 2: (x − 1) − (x − 1)²/2, checked numerically near 1.
    let lx = p.apply(Func::Log, &[x]);
    let t = taylor(&mut p, lx, x, one, 2).expect("taylor");
    let mut inst = Instance::new();
    inst.values.insert(sym_id(&p, x), Dense::scalar(1.1));
    let v = scalar_value(&p, t, &inst);
    assert!((v - (0.1 - 0.005)).abs() < 1e-12, "{v}");
}

#[test]
fn directional_derivatives() {
    let mut p = Pool::new();
    let (f, _, x, _) = least_squares(&mut p);
    let u = vector(&mut p, "u", "n");
    let d = directional(&mut p, f, x, u).expect("directional");
    assert!(p.is_scalar(d));
    let (sx, su) = (sym_id(&p, x), sym_id(&p, u));
    on_instances(&p, &[f, d, u], &[], 51, &|inst| {
        let fd = finite_difference_gradient(&p, f, sx, inst, H)?;
        let uv = inst
            .values
            .get(&su)
            .cloned()
            .unwrap_or_else(|| Dense::scalar(0.0));
        let dot: f64 = fd.data.iter().zip(&uv.data).map(|(a, b)| a * b).sum();
        let sym = evaluate(&p, d, inst)?;
        Ok(close(&sym, &Dense::scalar(dot)))
    })
    .expect("matches ∇f·u");
    // Matrix variable: ⟨∇f, U⟩ = tr(∇fᵀU); for tr(AX) that is tr(AU).
    let a = matrix(&mut p, "A", "n", "m");
    let xm = matrix(&mut p, "X", "m", "n");
    let um = matrix(&mut p, "U", "m", "n");
    let ax = p.mul(&[a, xm]);
    let tr = p.apply(Func::Trace, &[ax]);
    let d = directional(&mut p, tr, xm, um).expect("directional");
    let au = p.mul(&[a, um]);
    assert_eq!(d, p.apply(Func::Trace, &[au]));
}

#[test]
fn non_differentiable_points_are_stated() {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let y = scalar(&mut p, "y");
    let z = scalar(&mut p, "z");
    let v = vector(&mut p, "v", "n");
    let ax = p.apply(Func::Abs, &[x]);
    let ry = p.apply(Func::Relu, &[y]);
    let sz = p.sqrt(z);
    let nv = norm(&mut p, v);
    let l1 = p.apply(Func::Norm(NormKind::One), &[v]);
    let f = p.add(&[ax, ry, sz, nv, l1]);
    assert_eq!(
        non_differentiable_points(&p, f),
        vec!["an entry of v = 0", "v = 0", "x = 0", "y = 0", "z = 0"]
    );
    let smooth = p.apply(Func::Sin, &[x]);
    assert!(non_differentiable_points(&p, smooth).is_empty());
}

#[test]
fn errors_are_reported() {
    let mut p = Pool::new();
    let a = matrix(&mut p, "A", "m", "n");
    let x = vector(&mut p, "x", "n");
    let xm = matrix(&mut p, "X", "n", "n");
    // Kronecker products have no matrix-form derivative here.
    let k = p.kron(xm, xm);
    let tk = p.apply(Func::Trace, &[k]);
    assert!(matches!(
        gradient(&mut p, tk, &[xm]),
        Err(DiffError::NoMatrixForm { .. })
    ));
    // Hessian with respect to a matrix is a 4-tensor.
    let fx = frob_sq(&mut p, xm);
    assert!(matches!(
        hessian(&mut p, fx, &[xm]),
        Err(DiffError::NoMatrixForm { .. })
    ));
    // Gradient of a vector, Jacobian of a matrix.
    let ax = p.mul(&[a, x]);
    assert!(matches!(
        gradient(&mut p, ax, &[x]),
        Err(DiffError::NoMatrixForm { .. })
    ));
    assert!(matches!(
        jacobian(&mut p, xm, &[x], Layout::Numerator),
        Err(DiffError::NoMatrixForm { .. })
    ));
    // Not a variable.
    let one = p.int(1);
    let x1 = p.add(&[x, x]);
    let n = norm(&mut p, x);
    assert!(matches!(
        gradient(&mut p, n, &[x1]),
        Err(DiffError::NotAVariable { .. })
    ));
    assert!(matches!(
        derivative(&mut p, n, one),
        Err(DiffError::NotAVariable { .. })
    ));
    assert!(matches!(
        derivative(&mut p, n, x),
        Err(DiffError::NotAVariable { .. })
    ));
    // The node budget is enforced.
    let mut q = Pool::new();
    let (f, xs) = rosenbrock(&mut q, 50);
    q.limits.max_nodes = q.len() + 20;
    assert!(matches!(
        hessian(&mut q, f, &xs),
        Err(DiffError::LimitExceeded { .. })
    ));
}

#[test]
fn scalar_higher_and_mixed_partials() {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let y = scalar(&mut p, "y");
    let s = p.apply(Func::Sin, &[x]);
    let d2 = hessian(&mut p, s, &[x]).expect("second derivative");
    assert_eq!(d2, p.neg(s));
    // Hessian of x²y³ w.r.t. (x, y) = [2y³ 6xy²; 6xy² 6x²y].
    let x2 = p.powi(x, 2);
    let y3 = p.powi(y, 3);
    let f = p.mul(&[x2, y3]);
    let h = hessian(&mut p, f, &[x, y]).expect("hessian");
    let y2 = p.powi(y, 2);
    let e00 = p.scale(Number::int(2), y3);
    let six = p.int(6);
    let e01 = p.mul(&[six, x, y2]);
    let e11 = p.mul(&[six, x2, y]);
    let expected = p.matrix(2, 2, vec![e00, e01, e01, e11]);
    assert_eq!(h, expected);
    // Jacobian of a literal vector function w.r.t. scalars.
    let sx = p.apply(Func::Sin, &[x]);
    let xy = p.mul(&[x, y]);
    let g = p.matrix(2, 1, vec![sx, xy]);
    let j = jacobian(&mut p, g, &[x, y], Layout::Numerator).expect("jacobian");
    let cx = p.apply(Func::Cos, &[x]);
    let zero = p.int(0);
    let expected = p.matrix(2, 2, vec![cx, zero, y, x]);
    assert_eq!(j, expected);
}

// ---------------------------------------------------------------------------------------------
// Random scalar expressions

use proptest::prelude::*;

/// A random scalar expression in x and y; logs and roots only of positive arguments.
#[derive(Clone, Debug)]
enum Tree {
    X,
    Y,
    Const(i8),
    Add(Box<Tree>, Box<Tree>),
    Mul(Box<Tree>, Box<Tree>),
    /// a / (1 + b²)
    Div(Box<Tree>, Box<Tree>),
    Pow(Box<Tree>, u8),
    Sin(Box<Tree>),
    Cos(Box<Tree>),
    Exp(Box<Tree>),
    /// log(1 + a²)
    Log(Box<Tree>),
    /// √(1 + a²)
    Sqrt(Box<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        Just(Tree::X),
        Just(Tree::Y),
        (-3i8..=3).prop_map(Tree::Const)
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Add(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Mul(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Div(Box::new(a), Box::new(b))),
            (inner.clone(), 0u8..=3).prop_map(|(a, k)| Tree::Pow(Box::new(a), k)),
            inner.clone().prop_map(|a| Tree::Sin(Box::new(a))),
            inner.clone().prop_map(|a| Tree::Cos(Box::new(a))),
            inner.clone().prop_map(|a| Tree::Exp(Box::new(a))),
            inner.clone().prop_map(|a| Tree::Log(Box::new(a))),
            inner.prop_map(|a| Tree::Sqrt(Box::new(a))),
        ]
    })
}

fn build(p: &mut Pool, t: &Tree, x: Id, y: Id) -> Id {
    let one_plus_sq = |p: &mut Pool, a: Id| {
        let sq = p.powi(a, 2);
        let one = p.int(1);
        p.add(&[one, sq])
    };
    match t {
        Tree::X => x,
        Tree::Y => y,
        Tree::Const(c) => p.int(i64::from(*c)),
        Tree::Add(a, b) => {
            let (a, b) = (build(p, a, x, y), build(p, b, x, y));
            p.add(&[a, b])
        }
        Tree::Mul(a, b) => {
            let (a, b) = (build(p, a, x, y), build(p, b, x, y));
            p.mul(&[a, b])
        }
        Tree::Div(a, b) => {
            let (a, b) = (build(p, a, x, y), build(p, b, x, y));
            let d = one_plus_sq(p, b);
            p.div(a, d)
        }
        Tree::Pow(a, k) => {
            let a = build(p, a, x, y);
            p.powi(a, i64::from(*k))
        }
        Tree::Sin(a) => {
            let a = build(p, a, x, y);
            p.apply(Func::Sin, &[a])
        }
        Tree::Cos(a) => {
            let a = build(p, a, x, y);
            p.apply(Func::Cos, &[a])
        }
        Tree::Exp(a) => {
            let a = build(p, a, x, y);
            p.apply(Func::Exp, &[a])
        }
        Tree::Log(a) => {
            let a = build(p, a, x, y);
            let d = one_plus_sq(p, a);
            p.apply(Func::Log, &[d])
        }
        Tree::Sqrt(a) => {
            let a = build(p, a, x, y);
            let d = one_plus_sq(p, a);
            p.sqrt(d)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_scalar_derivatives_match_differences(
        t in tree(),
        xv in -1.0f64..1.0,
        yv in -1.0f64..1.0,
    ) {
        let mut p = Pool::new();
        let x = scalar(&mut p, "x");
        let y = scalar(&mut p, "y");
        let f = build(&mut p, &t, x, y);
        let dx = derivative(&mut p, f, x).expect("d/dx");
        let g = gradient(&mut p, f, &[x, y]).expect("gradient");
        let mut inst = Instance::new();
        inst.values.insert(sym_id(&p, x), Dense::scalar(xv));
        inst.values.insert(sym_id(&p, y), Dense::scalar(yv));
        let Ok(value) = evaluate(&p, f, &inst) else { return Ok(()) };
        let fv = value.as_scalar().copied().unwrap_or(0.0);
        prop_assume!(fv.abs() < 1e6);
        let fd = finite_difference_gradient(&p, f, sym_id(&p, x), &inst, 1e-6).expect("fd");
        let fd = fd.as_scalar().copied().unwrap_or(f64::NAN);
        let sym = evaluate(&p, dx, &inst).expect("derivative evaluates");
        let sym = sym.as_scalar().copied().unwrap_or(f64::NAN);
        prop_assert!((sym - fd).abs() <= 1e-4 * (1.0 + fd.abs()), "d/dx: {} vs {}", sym, fd);
        // The gradient's first entry is the same derivative; its second matches ∂/∂y.
        let gv = evaluate(&p, g, &inst).expect("gradient evaluates");
        prop_assert!((gv.data[0] - sym).abs() <= 1e-9 * (1.0 + sym.abs()));
        let fdy = finite_difference_gradient(&p, f, sym_id(&p, y), &inst, 1e-6).expect("fd");
        let fdy = fdy.as_scalar().copied().unwrap_or(f64::NAN);
        prop_assert!((gv.data[1] - fdy).abs() <= 1e-4 * (1.0 + fdy.abs()), "d/dy: {} vs {}", gv.data[1], fdy);
    }
}

#[test]
fn concrete_vectors_give_literal_jacobians_and_hessians() {
    let mut p = Pool::new();
    let x = declare(
        &mut p,
        "x",
        Shape::vector(Dim::known(2)),
        Assumptions::default(),
    );
    let one = p.int(1);
    let two = p.int(2);
    let x1 = p.component(x, &[one]);
    let x2 = p.component(x, &[two]);
    // f = x₁² + x₁x₂: ∇f = [2x₁ + x₂; x₁], ∇²f = [2 1; 1 0].
    let x1sq = p.powi(x1, 2);
    let x1x2 = p.mul(&[x1, x2]);
    let f = p.add(&[x1sq, x1x2]);
    let g = gradient(&mut p, f, &[x]).expect("gradient");
    let tx1 = p.scale(Number::int(2), x1);
    let g1 = p.add(&[tx1, x2]);
    assert_eq!(g, p.matrix(2, 1, vec![g1, x1]));
    let h = hessian(&mut p, f, &[x]).expect("hessian");
    let zero = p.int(0);
    assert_eq!(h, p.matrix(2, 2, vec![two, one, one, zero]));
    // A literal vector function of x: J = [2x₁ 0; x₂ x₁].
    let v = p.matrix(2, 1, vec![x1sq, x1x2]);
    let j = jacobian(&mut p, v, &[x], Layout::Numerator).expect("jacobian");
    assert_eq!(j, p.matrix(2, 2, vec![tx1, zero, x2, x1]));
    check_jacobian(&p, v, x, j, &[], 61).expect("matches differences");
    // With a symbolic size there is no literal unit vector.
    let mut q = Pool::new();
    let y = vector(&mut q, "y", "n");
    let one = q.int(1);
    let y1 = q.component(y, &[one]);
    let s = q.apply(Func::Sin, &[y1]);
    assert!(matches!(
        gradient(&mut q, s, &[y]),
        Err(DiffError::Unsupported { .. })
    ));
    let c = q.apply(Func::Cos, &[y1]);
    assert_eq!(derivative(&mut q, s, y1), Ok(c));
}

#[test]
fn rosenbrock_2d_hessian_at_the_minimum() {
    // corpus p07: ∇²f(x, y) = [802 −400; −400 200] at x = 1, y = 1.
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let y = scalar(&mut p, "y");
    let one = p.int(1);
    let a = p.sub(one, x);
    let a2 = p.powi(a, 2);
    let x2 = p.powi(x, 2);
    let b = p.sub(y, x2);
    let b2 = p.powi(b, 2);
    let hb = p.scale(Number::int(100), b2);
    let f = p.add(&[a2, hb]);
    let node = p.derivative(
        Derivative {
            kind: DerivativeKind::Hessian,
            expr: f,
            wrt: vec![x, y].into(),
            direction: None,
        },
        Shape::matrix(Dim::known(2), Dim::known(2)),
    );
    let (sx, sy) = (sym_id(&p, x), sym_id(&p, y));
    let at = p.at(node, vec![(sx, one), (sy, one)]);
    let value = evaluate_derivatives(&mut p, at, Layout::Numerator).expect("evaluates");
    let (e1, e2, e3) = (p.int(802), p.int(-400), p.int(200));
    assert_eq!(value, p.matrix(2, 2, vec![e1, e2, e2, e3]));
    // The gradient as the corpus writes it: [−2(1 − x) − 400x(y − x²); 200(y − x²)].
    let g = gradient(&mut p, f, &[x, y]).expect("gradient");
    let m2 = p.scale(Number::int(-2), a);
    let m400 = p.int(-400);
    let t = p.mul(&[m400, x, b]);
    let g1 = p.add(&[m2, t]);
    let g2 = p.scale(Number::int(200), b);
    assert_eq!(g, p.matrix(2, 1, vec![g1, g2]));
}

#[test]
fn derivative_of_a_matrix_valued_function() {
    // d/dt (tA + t²B) = A + 2tB, entrywise.
    let mut p = Pool::new();
    let t = scalar(&mut p, "t");
    let a = matrix(&mut p, "A", "m", "n");
    let b = matrix(&mut p, "B", "m", "n");
    let ta = p.mul(&[t, a]);
    let t2 = p.powi(t, 2);
    let t2b = p.mul(&[t2, b]);
    let f = p.add(&[ta, t2b]);
    let d = derivative(&mut p, f, t).expect("derivative");
    let two = p.int(2);
    let tb = p.mul(&[two, t, b]);
    assert_eq!(d, p.add(&[a, tb]));
    let st = sym_id(&p, t);
    on_instances(&p, &[f, d, t], &[], 71, &|inst| {
        let mut plus = inst.clone();
        let mut minus = inst.clone();
        let t0 = inst.values.get(&st).map(|v| v.data[0]).unwrap_or(0.0);
        plus.values.insert(st, Dense::scalar(t0 + H));
        minus.values.insert(st, Dense::scalar(t0 - H));
        let fd = evaluate(&p, f, &plus)?
            .sub(&evaluate(&p, f, &minus)?)?
            .scale(&(0.5 / H));
        Ok(close(&evaluate(&p, d, inst)?, &fd))
    })
    .expect("matches differences");
}

#[test]
fn common_factors_are_pulled_out() {
    use nabla::diff::factor_common;
    let mut p = Pool::new();
    let a = matrix(&mut p, "A", "m", "n");
    let x = vector(&mut p, "x", "n");
    let b = vector(&mut p, "b", "m");
    let at = p.transpose(a);
    // AᵀAx − Aᵀb → Aᵀ(Ax − b)
    let atax = p.mul(&[at, a, x]);
    let atb = p.mul(&[at, b]);
    let e = p.sub(atax, atb);
    let ax = p.mul(&[a, x]);
    let r = p.sub(ax, b);
    let expected = p.mul(&[at, r]);
    assert_eq!(factor_common(&mut p, e), expected);
    // Bx + Bᵀx → (B + Bᵀ)x, with numeric coefficients kept on their terms.
    let sq = matrix(&mut p, "B", "n", "n");
    let bt = p.transpose(sq);
    let bx = p.mul(&[sq, x]);
    let btx = p.mul(&[bt, x]);
    let two_btx = p.scale(Number::int(2), btx);
    let e = p.add(&[bx, two_btx]);
    let two_bt = p.scale(Number::int(2), bt);
    let s = p.add(&[sq, two_bt]);
    assert_eq!(factor_common(&mut p, e), p.mul(&[s, x]));
    // Scalar multiples of one vector: αx + βx → (α + β)x.
    let al = scalar(&mut p, "α");
    let be = scalar(&mut p, "β");
    let ax2 = p.mul(&[al, x]);
    let bx2 = p.mul(&[be, x]);
    let e = p.add(&[ax2, bx2]);
    let sum = p.add(&[al, be]);
    assert_eq!(factor_common(&mut p, e), p.mul(&[sum, x]));
    // Nothing in common: unchanged.
    let e = p.add(&[ax, b]);
    assert_eq!(factor_common(&mut p, e), e);
}

#[test]
fn conditions_read_naturally() {
    let mut p = Pool::new();
    let (_, _, _, r) = least_squares(&mut p);
    let n = norm(&mut p, r);
    assert_eq!(non_differentiable_points(&p, n), vec!["A·x − b = 0"]);
}
