//! Numeric evaluation: a table of exact values at a fixed instance, floating-point functions,
//! domain errors, finite differences against hand-built gradients, and equivalence checks.

use nabla::expr::{
    Assumptions, Dim, Func, Id, NormKind, Number, Pool, Shape, SymbolId, SymbolOrigin,
};
use nabla::numeric::{
    evaluate, finite_difference_gradient, finite_difference_jacobian, Dense, EvalError, Instance,
};

fn q(rows: usize, cols: usize, v: &[(i64, i64)]) -> Dense<Number> {
    Dense::from_vec(
        rows,
        cols,
        v.iter().map(|&(n, d)| Number::ratio(n, d)).collect(),
    )
    .expect("test sizes agree")
}

fn z(rows: usize, cols: usize, v: &[i64]) -> Dense<Number> {
    Dense::from_vec(rows, cols, v.iter().map(|&i| Number::int(i)).collect()).expect("sizes")
}

/// The fixture: n = 3, m = 2; A, B n×n, C m×n, x, v ∈ ℝⁿ, a scalar, i a sum index.
struct Fixture {
    pool: Pool,
    inst: Instance<Number>,
    a_: Id,
    b_: Id,
    c_: Id,
    x: Id,
    v: Id,
    a: Id,
    a_sym: SymbolId,
    i_sym: SymbolId,
    n: Dim,
}

fn declare(pool: &mut Pool, name: &str, shape: Shape, origin: SymbolOrigin) -> (SymbolId, Id) {
    let s = pool
        .declare(name, shape, Assumptions::default(), origin)
        .expect("fresh symbol");
    (s, pool.symbol_expr(s))
}

fn fixture() -> Fixture {
    let mut pool = Pool::new();
    let (n, m) = (Dim::symbol("n"), Dim::symbol("m"));
    let d = SymbolOrigin::Declared;
    let (sa, a_) = declare(&mut pool, "A", Shape::matrix(n.clone(), n.clone()), d);
    let (sb, b_) = declare(&mut pool, "B", Shape::matrix(n.clone(), n.clone()), d);
    let (sc, c_) = declare(&mut pool, "C", Shape::matrix(m.clone(), n.clone()), d);
    let (sx, x) = declare(&mut pool, "x", Shape::vector(n.clone()), d);
    let (sv, v) = declare(&mut pool, "v", Shape::vector(n.clone()), d);
    let (a_sym, a) = declare(&mut pool, "a", Shape::scalar(), d);
    let (i_sym, _) = declare(&mut pool, "i", Shape::scalar(), SymbolOrigin::SumIndex);
    let mut inst = Instance::new();
    inst.dims.insert("n".into(), 3);
    inst.dims.insert("m".into(), 2);
    inst.values
        .insert(sa, z(3, 3, &[2, 1, 0, 1, 3, 1, 0, 1, 4]));
    inst.values
        .insert(sb, z(3, 3, &[1, 0, 2, 0, 1, 0, 1, 1, 1]));
    inst.values.insert(sc, z(2, 3, &[1, 2, 3, 4, 5, 6]));
    inst.values.insert(sx, z(3, 1, &[1, 2, 3]));
    inst.values.insert(sv, z(3, 1, &[3, 4, 12]));
    inst.values.insert(a_sym, z(1, 1, &[2]));
    Fixture {
        pool,
        inst,
        a_,
        b_,
        c_,
        x,
        v,
        a,
        a_sym,
        i_sym,
        n,
    }
}

type Case = (&'static str, fn(&mut Fixture) -> Id, Dense<Number>);

#[test]
fn exact_values_at_a_fixed_instance() {
    let s = |v: i64| z(1, 1, &[v]);
    let cases: Vec<Case> = vec![
        (
            "A + B",
            |f| f.pool.add(&[f.a_, f.b_]),
            z(3, 3, &[3, 1, 2, 1, 4, 1, 1, 2, 5]),
        ),
        (
            "AB",
            |f| f.pool.mul(&[f.a_, f.b_]),
            z(3, 3, &[2, 1, 4, 2, 4, 3, 4, 5, 4]),
        ),
        (
            "Bᵀ",
            |f| f.pool.transpose(f.b_),
            z(3, 3, &[1, 0, 1, 0, 1, 1, 2, 0, 1]),
        ),
        (
            "B⁻¹",
            |f| f.pool.inverse(f.b_),
            z(3, 3, &[-1, -2, 2, 0, 1, 0, 1, 1, -1]),
        ),
        ("det A", |f| f.pool.apply(Func::Det, &[f.a_]), s(18)),
        (
            "tr(AB)",
            |f| {
                let ab = f.pool.mul(&[f.a_, f.b_]);
                f.pool.apply(Func::Trace, &[ab])
            },
            s(10),
        ),
        (
            "A²",
            |f| f.pool.powi(f.a_, 2),
            z(3, 3, &[5, 5, 1, 5, 11, 7, 1, 7, 17]),
        ),
        (
            "B⁻²",
            |f| f.pool.powi(f.b_, -2),
            z(3, 3, &[3, 2, -4, 0, 1, 0, -2, -2, 3]),
        ),
        (
            "A ⊙ B",
            |f| f.pool.hadamard(&[f.a_, f.b_]),
            z(3, 3, &[2, 0, 0, 0, 3, 0, 0, 1, 4]),
        ),
        (
            "C ⊗ x",
            |f| f.pool.kron(f.c_, f.x),
            z(
                6,
                3,
                &[1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 5, 6, 8, 10, 12, 12, 15, 18],
            ),
        ),
        (
            "‖v‖",
            |f| f.pool.apply(Func::Norm(NormKind::Two), &[f.v]),
            s(13),
        ),
        (
            "‖v‖²",
            |f| {
                let nv = f.pool.apply(Func::Norm(NormKind::Two), &[f.v]);
                f.pool.powi(nv, 2)
            },
            s(169),
        ),
        (
            "‖C‖_F²",
            |f| {
                let nc = f.pool.apply(Func::Norm(NormKind::Frobenius), &[f.c_]);
                f.pool.powi(nc, 2)
            },
            s(91),
        ),
        (
            "‖x‖₁",
            |f| f.pool.apply(Func::Norm(NormKind::One), &[f.x]),
            s(6),
        ),
        (
            "xᵀAx",
            |f| {
                let xt = f.pool.transpose(f.x);
                f.pool.mul(&[xt, f.a_, f.x])
            },
            s(66),
        ),
        ("Cx", |f| f.pool.mul(&[f.c_, f.x]), z(2, 1, &[14, 32])),
        ("sum C", |f| f.pool.apply(Func::Sum, &[f.c_]), s(21)),
        (
            "diag x",
            |f| f.pool.apply(Func::Diag, &[f.x]),
            z(3, 3, &[1, 0, 0, 0, 2, 0, 0, 0, 3]),
        ),
        (
            "diag A",
            |f| f.pool.apply(Func::Diag, &[f.a_]),
            z(3, 1, &[2, 3, 4]),
        ),
        (
            "x₂",
            |f| {
                let two = f.pool.int(2);
                f.pool.component(f.x, &[two])
            },
            s(2),
        ),
        (
            "C₂₃",
            |f| {
                let (two, three) = (f.pool.int(2), f.pool.int(3));
                f.pool.component(f.c_, &[two, three])
            },
            s(6),
        ),
        (
            "∑_{i=1}^{n} xᵢ",
            |f| {
                let i = f.pool.symbol_expr(f.i_sym);
                let xi = f.pool.component(f.x, &[i]);
                let (one, n) = (f.pool.int(1), f.pool.dim_value(f.n.clone()));
                f.pool.sum_over(f.i_sym, one, n, xi)
            },
            s(6),
        ),
        (
            "∑_{i=1}^{3} a i²",
            |f| {
                let i = f.pool.symbol_expr(f.i_sym);
                let i2 = f.pool.powi(i, 2);
                let body = f.pool.mul(&[f.a, i2]);
                let (one, three) = (f.pool.int(1), f.pool.int(3));
                f.pool.sum_over(f.i_sym, one, three, body)
            },
            s(28),
        ),
        (
            "(a x) at a = 3",
            |f| {
                let ax = f.pool.mul(&[f.a, f.x]);
                let three = f.pool.int(3);
                f.pool.at(ax, vec![(f.a_sym, three)])
            },
            z(3, 1, &[3, 6, 9]),
        ),
        ("a⁻²", |f| f.pool.powi(f.a, -2), q(1, 1, &[(1, 4)])),
        (
            "√(a² + 5)",
            |f| {
                let a2 = f.pool.powi(f.a, 2);
                let five = f.pool.int(5);
                let s = f.pool.add(&[a2, five]);
                f.pool.sqrt(s)
            },
            s(3),
        ),
        (
            "Iₙ + A",
            |f| {
                let i = f.pool.identity(f.n.clone());
                f.pool.add(&[i, f.a_])
            },
            z(3, 3, &[3, 1, 0, 1, 4, 1, 0, 1, 5]),
        ),
        (
            "𝟙ᵀx",
            |f| {
                let ones = f.pool.ones(Shape::vector(f.n.clone()));
                let ot = f.pool.transpose(ones);
                f.pool.mul(&[ot, f.x])
            },
            s(6),
        ),
        (
            "relu(x − 2·𝟙)",
            |f| {
                let ones = f.pool.ones(Shape::vector(f.n.clone()));
                let two = f.pool.scale(Number::int(-2), ones);
                let d = f.pool.add(&[f.x, two]);
                f.pool.apply(Func::Relu, &[d])
            },
            z(3, 1, &[0, 0, 1]),
        ),
        (
            "tr Iₙ",
            |f| {
                let i = f.pool.identity(f.n.clone());
                f.pool.apply(Func::Trace, &[i])
            },
            s(3),
        ),
        (
            "pinv C",
            |f| f.pool.apply(Func::Pinv, &[f.c_]),
            q(
                3,
                2,
                &[(-17, 18), (4, 9), (-1, 9), (1, 9), (13, 18), (-2, 9)],
            ),
        ),
        (
            "[1 a; a 1] x₁",
            |f| {
                let one = f.pool.int(1);
                let m = f.pool.matrix(2, 2, vec![one, f.a, f.a, one]);
                let x1 = f.pool.component(f.x, &[one]);
                f.pool.mul(&[x1, m])
            },
            z(2, 2, &[1, 2, 2, 1]),
        ),
        (
            "sign(−a) |−a| + sigmoid(0)",
            |f| {
                let na = f.pool.neg(f.a);
                let s = f.pool.apply(Func::Sign, &[na]);
                let ab = f.pool.apply(Func::Abs, &[na]);
                let prod = f.pool.mul(&[s, ab]);
                let zero = f.pool.int(0);
                let sig = f.pool.intern(
                    nabla::expr::Node::Apply(Func::Sigmoid, vec![zero].into()),
                    Shape::scalar(),
                );
                f.pool.add(&[prod, sig])
            },
            q(1, 1, &[(-3, 2)]),
        ),
    ];
    assert!(cases.len() >= 25);
    let mut f = fixture();
    for (name, build, expected) in cases {
        let e = build(&mut f);
        let got = evaluate(&f.pool, e, &f.inst);
        assert_eq!(got.as_ref(), Ok(&expected), "case {name}");
        // The same expression in floating point agrees.
        let fl = evaluate(&f.pool, e, &nabla::check::sample::to_f64(&f.inst)).expect(name);
        for (a, b) in fl.data.iter().zip(&expected.data) {
            assert!((a - b.to_f64()).abs() < 1e-9, "case {name} in f64");
        }
    }
}

#[test]
fn inverse_times_matrix_is_identity() {
    let mut f = fixture();
    let inv = f.pool.inverse(f.a_);
    let a = evaluate(&f.pool, f.a_, &f.inst).expect("A");
    let ai = evaluate(&f.pool, inv, &f.inst).expect("A⁻¹");
    assert_eq!(a.matmul(&ai), Dense::identity(3));
}

#[test]
fn transcendental_values_need_floating_point() {
    let mut f = fixture();
    let e = f.pool.apply(Func::Exp, &[f.a]);
    assert_eq!(evaluate(&f.pool, e, &f.inst), Err(EvalError::NotRational));
    let fl = nabla::check::sample::to_f64(&f.inst);
    let v = evaluate(&f.pool, e, &fl).expect("finite");
    assert!((v.data[0] - 2f64.exp()).abs() < 1e-12);

    let sm = f.pool.apply(Func::Softmax, &[f.x]);
    let s = evaluate(&f.pool, sm, &fl).expect("softmax");
    let denom: f64 = [1.0f64, 2.0, 3.0].iter().map(|t| t.exp()).sum();
    for (k, t) in [1.0f64, 2.0, 3.0].iter().enumerate() {
        assert!((s.data[k] - t.exp() / denom).abs() < 1e-12);
    }
    let lse = f.pool.apply(Func::LogSumExp, &[f.x]);
    let l = evaluate(&f.pool, lse, &fl).expect("logsumexp");
    assert!((l.data[0] - denom.ln()).abs() < 1e-12);
    let nc = f.pool.apply(Func::Norm(NormKind::Frobenius), &[f.c_]);
    assert_eq!(evaluate(&f.pool, nc, &f.inst), Err(EvalError::NotRational));
    let v = evaluate(&f.pool, nc, &fl).expect("norm");
    assert!((v.data[0] - 91f64.sqrt()).abs() < 1e-12);
}

#[test]
fn undefined_points_are_domain_errors() {
    let mut f = fixture();
    let fl = nabla::check::sample::to_f64(&f.inst);
    let na = f.pool.neg(f.a);
    let log_neg = f.pool.apply(Func::Log, &[na]);
    let two = f.pool.int(-2);
    let a_minus_2 = f.pool.add(&[f.a, two]);
    let recip = f.pool.powi(a_minus_2, -1);
    let sqrt_neg = f.pool.sqrt(na);
    let ones = f.pool.ones(Shape::matrix(f.n.clone(), f.n.clone()));
    let singular = f.pool.inverse(ones);
    let four = f.pool.int(4);
    let out_of_range = f.pool.component(f.x, &[four]);
    let big = f.pool.int(1000);
    let big_a = f.pool.mul(&[big, f.a]);
    let overflow = f.pool.apply(Func::Exp, &[big_a]);
    for (name, e) in [
        ("log(−a)", log_neg),
        ("1/(a − 2)", recip),
        ("√(−a)", sqrt_neg),
        ("(𝟙𝟙ᵀ)⁻¹", singular),
        ("x₄", out_of_range),
    ] {
        assert!(
            matches!(evaluate(&f.pool, e, &f.inst), Err(EvalError::Domain { .. })),
            "{name}"
        );
        assert!(
            matches!(evaluate(&f.pool, e, &fl), Err(EvalError::Domain { .. })),
            "{name} f64"
        );
    }
    assert!(matches!(
        evaluate(&f.pool, overflow, &fl),
        Err(EvalError::Domain { .. })
    ));
}

#[test]
fn missing_inputs_and_limits_are_reported() {
    let mut f = fixture();
    let mut inst = f.inst.clone();
    inst.values.remove(&f.a_sym);
    assert_eq!(
        evaluate(&f.pool, f.a, &inst),
        Err(EvalError::MissingValue { symbol: "a".into() })
    );
    inst.dims.remove("n");
    assert_eq!(
        evaluate(&f.pool, f.x, &inst),
        Err(EvalError::MissingDimension { name: "n".into() })
    );
    let big = f.pool.identity(Dim::known(2000));
    assert_eq!(evaluate(&f.pool, big, &f.inst), Err(EvalError::TooLarge));
    let i = f.pool.symbol_expr(f.i_sym);
    let (one, huge) = (f.pool.int(1), f.pool.int(10_000_000));
    let s = f.pool.sum_over(f.i_sym, one, huge, i);
    assert_eq!(evaluate(&f.pool, s, &f.inst), Err(EvalError::TooLarge));
    let d = f.pool.derivative(
        nabla::expr::Derivative {
            kind: nabla::expr::DerivativeKind::Gradient,
            expr: f.a,
            wrt: vec![f.a].into(),
            direction: None,
        },
        Shape::scalar(),
    );
    assert!(matches!(
        evaluate(&f.pool, d, &f.inst),
        Err(EvalError::Unsupported { .. })
    ));
}

/// Nested sums rebinding the same shared summand evaluate each binding separately.
#[test]
fn nested_sums_and_shared_subexpressions() {
    let mut f = fixture();
    let (j_sym, j) = declare(&mut f.pool, "j", Shape::scalar(), SymbolOrigin::SumIndex);
    let i = f.pool.symbol_expr(f.i_sym);
    let ij = f.pool.mul(&[i, j]);
    let (one, two, three) = (f.pool.int(1), f.pool.int(2), f.pool.int(3));
    let inner = f.pool.sum_over(j_sym, one, three, ij);
    let outer = f.pool.sum_over(f.i_sym, one, two, inner);
    // ∑ᵢ₌₁² ∑ⱼ₌₁³ i j = 3 · 6 = 18; plus the shared inner sum evaluated at i = a = 2 via `at`.
    let at = f.pool.at(inner, vec![(f.i_sym, f.a)]);
    let total = f.pool.add(&[outer, at]);
    assert_eq!(evaluate(&f.pool, total, &f.inst), Ok(z(1, 1, &[30])));
}

#[test]
fn finite_differences_match_hand_built_gradients() {
    let mut f = fixture();
    let fl = nabla::check::sample::to_f64(&f.inst);
    let sx = f.pool.lookup("x").expect("declared");
    // f = xᵀAx, ∇f = (A + Aᵀ)x.
    let xt = f.pool.transpose(f.x);
    let quad = f.pool.mul(&[xt, f.a_, f.x]);
    let at = f.pool.transpose(f.a_);
    let sum = f.pool.add(&[f.a_, at]);
    let grad = f.pool.mul(&[sum, f.x]);
    let fd = finite_difference_gradient(&f.pool, quad, sx, &fl, 1e-5).expect("fd");
    let exact = evaluate(&f.pool, grad, &fl).expect("grad");
    assert_eq!(fd.shape(), (3, 1));
    for (a, b) in fd.data.iter().zip(&exact.data) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    // f = log ∑ exp(x): ∇f = softmax(x).
    let lse = f.pool.apply(Func::LogSumExp, &[f.x]);
    let sm = f.pool.apply(Func::Softmax, &[f.x]);
    let fd = finite_difference_gradient(&f.pool, lse, sx, &fl, 1e-5).expect("fd");
    let exact = evaluate(&f.pool, sm, &fl).expect("softmax");
    for (a, b) in fd.data.iter().zip(&exact.data) {
        assert!((a - b).abs() < 1e-8, "{a} vs {b}");
    }
    // f = tr(AB) w.r.t. the matrix A: ∇f = Bᵀ.
    let sa = f.pool.lookup("A").expect("declared");
    let ab = f.pool.mul(&[f.a_, f.b_]);
    let tr = f.pool.apply(Func::Trace, &[ab]);
    let fd = finite_difference_gradient(&f.pool, tr, sa, &fl, 1e-5).expect("fd");
    let bt = f.pool.transpose(f.b_);
    let exact = evaluate(&f.pool, bt, &fl).expect("Bᵀ");
    for (a, b) in fd.data.iter().zip(&exact.data) {
        assert!((a - b).abs() < 1e-8);
    }
    // g = sin(Cx) w.r.t. x: J = diag(cos(Cx)) C.
    let cx = f.pool.mul(&[f.c_, f.x]);
    let g = f.pool.apply(Func::Sin, &[cx]);
    let cos = f.pool.apply(Func::Cos, &[cx]);
    let dc = f.pool.apply(Func::Diag, &[cos]);
    let jac = f.pool.mul(&[dc, f.c_]);
    let fd = finite_difference_jacobian(&f.pool, g, sx, &fl, 1e-5).expect("fd");
    let exact = evaluate(&f.pool, jac, &fl).expect("J");
    assert_eq!(fd.shape(), (2, 3));
    for (a, b) in fd.data.iter().zip(&exact.data) {
        assert!((a - b).abs() < 1e-7, "{a} vs {b}");
    }
}

/// A 20 000-deep composition evaluates without exhausting the (2 MB) test-thread stack.
#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let mut pool = Pool::new();
    let (s, x) = declare(&mut pool, "x", Shape::scalar(), SymbolOrigin::Declared);
    let mut e = x;
    let mut expected = 0.5f64;
    for _ in 0..20_000 {
        let sin = pool.apply(Func::Sin, &[e]);
        let half = pool.num(Number::ratio(1, 2));
        e = pool.add(&[sin, half]);
        expected = expected.sin() + 0.5;
    }
    let inst = Instance::new().with_value(s, Dense::scalar(0.5f64));
    let v = evaluate(&pool, e, &inst).expect("finite");
    assert!((v.data[0] - expected).abs() < 1e-12);
}

#[test]
fn substitution_and_sum_scoping() {
    let mut f = fixture();
    // (a²) at a = a + 1: the binding is evaluated outside, so 3² = 9.
    let a2 = f.pool.powi(f.a, 2);
    let one = f.pool.int(1);
    let a1 = f.pool.add(&[f.a, one]);
    let at = f.pool.at(a2, vec![(f.a_sym, a1)]);
    assert_eq!(evaluate(&f.pool, at, &f.inst), Ok(z(1, 1, &[9])));
    // A summand without the index: ∑_{i=1}^{n} a x = n a x.
    let ax = f.pool.mul(&[f.a, f.x]);
    let n = f.pool.dim_value(f.n.clone());
    let s = f.pool.sum_over(f.i_sym, one, n, ax);
    assert_eq!(evaluate(&f.pool, s, &f.inst), Ok(z(3, 1, &[6, 12, 18])));
    // An empty range sums to zero of the summand's shape.
    let zero = f.pool.int(0);
    let empty = f.pool.sum_over(f.i_sym, one, zero, ax);
    assert_eq!(evaluate(&f.pool, empty, &f.inst), Ok(z(3, 1, &[0, 0, 0])));
    // A non-integer bound is undefined.
    let half = f.pool.num(Number::ratio(1, 2));
    let bad = f.pool.sum_over(f.i_sym, one, half, ax);
    assert!(matches!(
        evaluate(&f.pool, bad, &f.inst),
        Err(EvalError::Domain { .. })
    ));
}

/// At many random instances, exact and floating-point evaluation agree, and the exact
/// identities det(A)·det(A⁻¹) = 1 and A⁻¹A = I hold.
#[test]
fn exact_and_float_evaluation_agree_at_random_instances() {
    use nabla::check::sample::{sample_instance, to_f64, SampleOptions};
    use rand::SeedableRng;
    let mut f = fixture();
    let syms: Vec<SymbolId> = f.inst.values.keys().copied().collect();
    let inv = f.pool.inverse(f.a_);
    let det = f.pool.apply(Func::Det, &[f.a_]);
    let det_inv = f.pool.intern(
        nabla::expr::Node::Apply(Func::Det, vec![inv].into()),
        Shape::scalar(),
    );
    let check = f.pool.mul(&[det, det_inv]);
    let ct = f.pool.transpose(f.c_);
    let cx = f.pool.mul(&[f.c_, f.x]);
    let big = f.pool.mul(&[ct, cx]);
    let kron = f.pool.kron(f.a_, f.c_);
    let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
    let opts = SampleOptions::default();
    let mut invertible = 0;
    for _ in 0..60 {
        let inst = sample_instance(&f.pool, &syms, &Default::default(), &mut rng, &opts);
        let fl = to_f64(&inst);
        for e in [big, kron, det] {
            let exact = evaluate(&f.pool, e, &inst).expect("polynomial");
            let float = evaluate(&f.pool, e, &fl).expect("polynomial");
            for (a, b) in exact.data.iter().zip(&float.data) {
                assert!((a.to_f64() - b).abs() <= 1e-9 * b.abs().max(1.0));
            }
        }
        match evaluate(&f.pool, check, &inst) {
            Ok(v) => {
                invertible += 1;
                assert_eq!(v, z(1, 1, &[1]));
                let a = &inst.values[&syms[0]];
                let ai = evaluate(&f.pool, inv, &inst).expect("invertible");
                assert_eq!(ai.matmul(a), Dense::identity(a.rows));
            }
            Err(e) => {
                assert!(matches!(e, EvalError::Domain { .. }));
                let d = evaluate(&f.pool, det, &inst).expect("det");
                assert_eq!(d, z(1, 1, &[0]));
            }
        }
    }
    assert!(invertible > 30);
}
