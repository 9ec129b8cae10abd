//! Rosenbrock: n = 200 gradient and Hessian against finite differences, n = 1000 speed, and
//! the 2-D Hessian at the minimum (corpus p07).

use crate::support::*;

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
    let value = evaluate_derivatives(&mut p, at).expect("evaluates");
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
