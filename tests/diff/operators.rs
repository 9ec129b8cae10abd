//! Index sums, components, nested operators, Taylor, directional derivatives, stated
//! non-differentiable points, errors, literal Jacobians, factoring.

use crate::support::*;

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
    // ∂‖v‖²/∂v₁ = 2v₁ even though v is used whole.
    let nv = norm_sq(&mut q, v);
    let two_v1 = q.scale(Number::int(2), v1);
    assert_eq!(derivative(&mut q, nv, v1), Ok(two_v1));
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
    let value = evaluate_derivatives(&mut p, e).expect("evaluates");
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
    let value = evaluate_derivatives(&mut p, at_one).expect("evaluates");
    let t2 = p.powi(t, 2);
    let expected = p.scale(Number::int(6), t2);
    assert_eq!(value, expected);
    // Nothing to evaluate: unchanged.
    assert_eq!(evaluate_derivatives(&mut p, body), Ok(body));
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

/// Where the function or one of the derivatives it needs has no value, there is no Taylor
/// polynomial: an error naming the order, not a polynomial with `log 0` or `1/0` in it.
#[test]
fn taylor_polynomials_need_values_at_the_point() {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let y = scalar(&mut p, "y");
    let zero = p.int(0);
    let lx = p.apply(Func::Log, &[x]);
    let y_log_x = p.mul(&[y, lx]);
    let sx = p.apply(Func::Sin, &[x]);
    let inv_x = p.powi(x, -1);
    let sinc = p.mul(&[sx, inv_x]);
    let half = p.num(Number::ratio(1, 2));
    let root = p.pow(x, half);
    for (f, order) in [
        (lx, "the function"),
        (y_log_x, "the function"),
        (sinc, "the function"),
    ] {
        let e = taylor(&mut p, f, x, zero, 2).expect_err("no value at 0");
        assert!(e.to_string().contains(order), "{e}");
    }
    // √x has a value at 0, its derivative does not.
    let e = taylor(&mut p, root, x, zero, 2).expect_err("no derivative at 0");
    assert!(e.to_string().contains("derivative of order 1"), "{e}");
    // At a symbolic point the polynomial is given (valid where the point is in the domain).
    let a = scalar(&mut p, "a");
    assert!(taylor(&mut p, lx, x, a, 2).is_ok());
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
fn textbook_form_pulls_out_common_factors() {
    use nabla::simplify::textbook_form as factor_common;
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
    assert_eq!(non_differentiable_points(&p, n), vec!["Ax − b = 0"]);
    // A squared norm is smooth; a root of something positive is smooth.
    let sq = p.powi(n, 2);
    assert!(non_differentiable_points(&p, sq).is_empty());
    let one = p.int(1);
    let v = p
        .declare(
            "v",
            Shape::vector(Dim::symbol("n")),
            Assumptions::default(),
            SymbolOrigin::Declared,
        )
        .expect("fresh");
    let v = p.symbol_expr(v);
    let vt = p.transpose(v);
    let inner = p.mul(&[vt, v]);
    let arg = p.add(&[inner, one]);
    let root = p.sqrt(arg);
    assert!(non_differentiable_points(&p, root).is_empty());
}
