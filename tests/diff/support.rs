//! Shared helpers: declaring symbols, random instances, finite-difference checks, the
//! table's case type, and functions several tests build (least squares, ridge, Rosenbrock).

pub use nabla::diff::{
    derivative, directional, evaluate_derivatives, gradient, hessian, jacobian,
    non_differentiable_points, taylor, DiffError, Layout,
};
pub use nabla::expr::{
    Assumptions, Derivative, DerivativeKind, Dim, Func, Id, Node, NormKind, Number, Pool, Shape,
    SymbolId, SymbolOrigin,
};
pub use nabla::numeric::{
    evaluate, finite_difference_gradient, finite_difference_jacobian, free_dimensions,
    free_symbols, Dense, EvalError, Instance,
};
pub use rand::{Rng, SeedableRng};
pub use rand_pcg::Pcg64;

// ---------------------------------------------------------------------------------------------
// Building blocks

pub fn declare(p: &mut Pool, name: &str, shape: Shape, a: Assumptions) -> Id {
    let s = p
        .declare(name, shape, a, SymbolOrigin::Declared)
        .unwrap_or_else(|s| s);
    p.symbol_expr(s)
}

pub fn scalar(p: &mut Pool, name: &str) -> Id {
    declare(p, name, Shape::scalar(), Assumptions::default())
}

pub fn vector(p: &mut Pool, name: &str, n: &str) -> Id {
    declare(
        p,
        name,
        Shape::vector(Dim::symbol(n)),
        Assumptions::default(),
    )
}

pub fn matrix(p: &mut Pool, name: &str, r: &str, c: &str) -> Id {
    declare(
        p,
        name,
        Shape::matrix(Dim::symbol(r), Dim::symbol(c)),
        Assumptions::default(),
    )
}

pub fn symmetric(p: &mut Pool, name: &str, n: &str, spd: bool) -> Id {
    let a = Assumptions {
        symmetric: true,
        positive_definite: spd,
    };
    declare(p, name, Shape::matrix(Dim::symbol(n), Dim::symbol(n)), a)
}

pub fn half(p: &mut Pool) -> Id {
    p.num(Number::ratio(1, 2))
}

pub fn norm(p: &mut Pool, x: Id) -> Id {
    p.apply(Func::Norm(NormKind::Two), &[x])
}

pub fn norm_sq(p: &mut Pool, x: Id) -> Id {
    let n = norm(p, x);
    p.powi(n, 2)
}

pub fn frob_sq(p: &mut Pool, x: Id) -> Id {
    let n = p.apply(Func::Norm(NormKind::Frobenius), &[x]);
    p.powi(n, 2)
}

pub fn sym_id(p: &Pool, e: Id) -> SymbolId {
    match p.node(e) {
        Node::Sym(s) => *s,
        _ => panic!("not a symbol"),
    }
}

// ---------------------------------------------------------------------------------------------
// Random instances and finite differences

/// Random dims in 1..=4 and random values; `positive` symbols get positive entries (square
/// matrices: well-conditioned with positive determinant); spd/symmetric assumptions honoured.
pub fn random_instance(p: &Pool, roots: &[Id], positive: &[Id], rng: &mut Pcg64) -> Instance<f64> {
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

pub fn close(a: &Dense<f64>, b: &Dense<f64>) -> Result<(), String> {
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
pub type InstanceCheck<'a> = dyn Fn(&Instance<f64>) -> Result<Result<(), String>, EvalError> + 'a;

/// Runs `check` on several random instances; instances where something is undefined
/// (a domain error) are re-drawn.
pub fn on_instances(
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

pub const H: f64 = 1e-5;

/// `grad` (of `x`'s shape) against central differences of the scalar `f`.
pub fn check_gradient(
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
pub fn check_jacobian(
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
// Table entries

pub enum Kind {
    Gradient,
    Hessian,
    Jacobian(Layout),
    Derivative,
}

pub struct Case {
    pub f: Id,
    pub wrt: Id,
    pub kind: Kind,
    pub expected: Option<Id>,
    pub positive: Vec<Id>,
}

pub fn case(f: Id, wrt: Id, kind: Kind, expected: Option<Id>) -> Case {
    Case {
        f,
        wrt,
        kind,
        expected,
        positive: Vec::new(),
    }
}

pub type Builder = fn(&mut Pool) -> Case;

pub fn least_squares(p: &mut Pool) -> (Id, Id, Id, Id) {
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

pub fn ridge(p: &mut Pool) -> (Id, Id, Id, Id, Id) {
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

pub fn rosenbrock(p: &mut Pool, n: usize) -> (Id, Vec<Id>) {
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

pub fn random_point(p: &Pool, xs: &[Id], rng: &mut Pcg64) -> Instance<f64> {
    let mut inst = Instance::new();
    for &x in xs {
        let v = rng.gen_range(-1.5..1.5);
        inst.values.insert(sym_id(p, x), Dense::scalar(v));
    }
    inst
}

pub fn scalar_value(p: &Pool, e: Id, inst: &Instance<f64>) -> f64 {
    *evaluate(p, e, inst)
        .expect("evaluates")
        .as_scalar()
        .expect("scalar")
}

pub fn fd_scalar(p: &Pool, e: Id, x: Id, inst: &Instance<f64>) -> f64 {
    let g = finite_difference_gradient(p, e, sym_id(p, x), inst, H).expect("fd");
    *g.as_scalar().expect("scalar")
}

pub fn entries(p: &Pool, m: Id) -> Vec<Id> {
    match p.node(m) {
        Node::Matrix { entries, .. } => entries.to_vec(),
        other => panic!("not a literal: {other:?}"),
    }
}
