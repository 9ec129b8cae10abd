//! Canonical construction and expansion: equal mathematics gives equal ids.

use nabla::expr::{Assumptions, Dim, Func, Id, Node, NormKind, Pool, Shape, SymbolOrigin};
use nabla::simplify::expand;

struct Fixture {
    pool: Pool,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { pool: Pool::new() }
    }

    fn var(&mut self, name: &str, shape: Shape) -> Id {
        self.var_with(name, shape, Assumptions::default())
    }

    fn var_with(&mut self, name: &str, shape: Shape, assumptions: Assumptions) -> Id {
        let s = self
            .pool
            .declare(name, shape, assumptions, SymbolOrigin::Declared)
            .expect("fresh symbol");
        self.pool.symbol_expr(s)
    }

    fn scalar(&mut self, name: &str) -> Id {
        self.var(name, Shape::scalar())
    }

    fn vector(&mut self, name: &str, n: &str) -> Id {
        self.var(name, Shape::vector(Dim::symbol(n)))
    }

    fn matrix(&mut self, name: &str, m: &str, n: &str) -> Id {
        self.var(name, Shape::matrix(Dim::symbol(m), Dim::symbol(n)))
    }
}

#[test]
fn like_terms_merge_and_cancel() {
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let y = f.scalar("y");
    let p = &mut f.pool;
    let two_x = p.scale(nabla::expr::Number::int(2), x);
    let sum = p.add(&[x, y, x]);
    let expected = p.add(&[two_x, y]);
    assert_eq!(sum, expected);
    let diff = p.sub(sum, expected);
    assert!(p.is_zero(diff));
    // x + y = y + x
    let a = p.add(&[x, y]);
    let b = p.add(&[y, x]);
    assert_eq!(a, b);
}

/// The content and primitive part of a sum, asked for once, again (remembered), and in a copy
/// of the pool, are the same and multiply back to the sum.
#[test]
fn primitive_parts_are_remembered_per_sum() {
    use nabla::expr::Number;
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let y = f.scalar("y");
    let p = &mut f.pool;
    let four_y = p.scale(Number::int(4), y);
    let two_x = p.scale(Number::int(2), x);
    let not_primitive = p.sub(two_x, four_y);
    let primitive = p.add(&[x, y]);
    let three_x = p.scale(Number::int(3), x);
    let six_y = p.scale(Number::int(6), y);
    let thrice = p.add(&[three_x, six_y]);
    for sum in [
        not_primitive,
        thrice,
        primitive,
        not_primitive,
        thrice,
        primitive,
    ] {
        let first = p.primitive_part(sum);
        assert_eq!(p.primitive_part(sum), first);
        assert_eq!(p.clone().primitive_part(sum), first);
        let (content, part) = first;
        assert_eq!(p.scale(content, part), sum);
    }
    let (content, part) = p.primitive_part(not_primitive);
    assert_eq!(content, Number::int(-2));
    let expected = {
        let two_y = p.scale(Number::int(2), y);
        p.sub(two_y, x)
    };
    assert_eq!(part, expected);
    assert_eq!(p.primitive_part(thrice).0, Number::int(3));
    assert_eq!(p.primitive_part(primitive), (Number::one(), primitive));
}

/// 1ˣ is 1 for every real x (it stayed a power).
#[test]
fn one_to_any_power_is_one() {
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let p = &mut f.pool;
    let one = p.int(1);
    let sin = p.apply(Func::Sin, &[x]);
    assert_eq!(p.pow(one, x), one);
    assert_eq!(p.pow(one, sin), one);
}

/// sign(u)·|u|ᵏ trades one |u| for u (`d/dx log|x|` is 1/x, `d/dx |x|³` is 3x|x|), and
/// sign(u)·u is |u|: checked against the definition at points on both sides of 0.
#[test]
fn sign_times_powers_of_abs_merge() {
    use nabla::numeric::{evaluate, Dense, Instance};
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let p = &mut f.pool;
    let sign = p.apply(Func::Sign, &[x]);
    let abs = p.apply(Func::Abs, &[x]);
    assert_eq!(p.mul(&[sign, abs]), x);
    let inv = p.powi(x, -1);
    let abs_inv = p.powi(abs, -1);
    assert_eq!(p.mul(&[sign, abs_inv]), inv);
    assert_eq!(p.mul(&[sign, x]), abs);
    let Node::Sym(s) = *p.node(x) else {
        panic!("x is a symbol")
    };
    for k in -3..=3i32 {
        let power = p.powi(abs, i64::from(k));
        let product = p.mul(&[sign, power]);
        assert!(
            k == 0 || !p.subexpressions(product).iter().any(|&e| e == sign),
            "sign(x)·|x|^{k} keeps sign(x)"
        );
        for v in [-2.5, -0.5, 0.7, 3.0] {
            let mut at = Instance::<f64>::default();
            at.values.insert(s, Dense::scalar(v));
            let got = evaluate(p, product, &at).expect("a value").data[0];
            let want = f64::signum(v) * f64::abs(v).powi(k);
            assert!(
                (got - want).abs() < 1e-12,
                "k = {k}, x = {v}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn powers_merge_in_products() {
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let p = &mut f.pool;
    let xx = p.mul(&[x, x]);
    let x2 = p.powi(x, 2);
    assert_eq!(xx, x2);
    let inv = p.powi(x, -1);
    let one = p.mul(&[x, inv]);
    assert!(p.is_one(one));
    let x3 = p.mul(&[x2, x]);
    let cube = p.powi(x, 3);
    assert_eq!(x3, cube);
    // (2x)² = 4x²
    let two = p.int(2);
    let twox = p.mul(&[two, x]);
    let sq = p.powi(twox, 2);
    let four_x2 = p.scale(nabla::expr::Number::int(4), x2);
    assert_eq!(sq, four_x2);
}

#[test]
fn exact_rational_folding() {
    let mut p = Pool::new();
    let a = p.num(nabla::expr::Number::ratio(1, 2));
    let b = p.num(nabla::expr::Number::ratio(1, 3));
    let s = p.add(&[a, b]);
    assert_eq!(p.as_number(s), Some(&nabla::expr::Number::ratio(5, 6)));
    let nine_quarters = p.num(nabla::expr::Number::ratio(9, 4));
    let root = p.sqrt(nine_quarters);
    assert_eq!(p.as_number(root), Some(&nabla::expr::Number::ratio(3, 2)));
    let two = p.int(2);
    let root2 = p.sqrt(two);
    assert!(matches!(p.node(root2), Node::Pow(..)));
    // a huge exponent is not folded
    let big = p.int(1_000_000_000);
    let huge = p.pow(two, big);
    assert!(matches!(p.node(huge), Node::Pow(..)));
}

#[test]
fn transposes_push_onto_symbols() {
    let mut f = Fixture::new();
    let a = f.matrix("A", "m", "n");
    let b = f.matrix("B", "n", "k");
    let p = &mut f.pool;
    let ab = p.mul(&[a, b]);
    let abt = p.transpose(ab);
    let at = p.transpose(a);
    let bt = p.transpose(b);
    let btat = p.mul(&[bt, at]);
    assert_eq!(abt, btat);
    let att = p.transpose(at);
    assert_eq!(att, a);
}

#[test]
fn symmetric_symbols_are_their_own_transpose() {
    let mut f = Fixture::new();
    let sym = Assumptions {
        symmetric: true,
        positive_definite: false,
    };
    let s = f.var_with("S", Shape::matrix(Dim::symbol("n"), Dim::symbol("n")), sym);
    assert_eq!(f.pool.transpose(s), s);
}

#[test]
fn scalar_chains_equal_their_transpose_and_commute() {
    let mut f = Fixture::new();
    let x = f.vector("x", "n");
    let a = f.matrix("A", "n", "n");
    let u = f.vector("u", "n");
    let v = f.vector("v", "n");
    let p = &mut f.pool;
    let xt = p.transpose(x);
    let at = p.transpose(a);
    let q1 = p.mul(&[xt, a, x]);
    let q2 = p.mul(&[xt, at, x]);
    assert_eq!(q1, q2);
    // 2vᵀuv = 2(uᵀv)v
    let two = p.int(2);
    let vt = p.transpose(v);
    let ut = p.transpose(u);
    let lhs = p.mul(&[two, vt, u, v]);
    let utv = p.mul(&[ut, v]);
    let rhs = p.mul(&[two, utv, v]);
    assert_eq!(lhs, rhs);
    // 2uvᵀv = 2(vᵀv)u, and it is a different expression
    let other = p.mul(&[two, u, vt, v]);
    let vtv = p.mul(&[vt, v]);
    let expected = p.mul(&[two, vtv, u]);
    assert_eq!(other, expected);
    assert_ne!(other, lhs);
}

#[test]
fn identities_and_inverses_cancel() {
    let mut f = Fixture::new();
    let a = f.matrix("A", "n", "n");
    let x = f.vector("x", "n");
    let p = &mut f.pool;
    let i = p.identity(Dim::symbol("n"));
    let ix = p.mul(&[i, x]);
    assert_eq!(ix, x);
    let ainv = p.inverse(a);
    let prod = p.mul(&[a, ainv, x]);
    assert_eq!(prod, x);
    let trace_i = p.apply(Func::Trace, &[i]);
    assert!(matches!(p.node(trace_i), Node::DimValue(_)));
}

#[test]
fn trace_is_cyclic() {
    let mut f = Fixture::new();
    let a = f.matrix("A", "m", "n");
    let b = f.matrix("B", "n", "m");
    let c = f.matrix("C", "m", "m");
    let p = &mut f.pool;
    let abc = p.mul(&[a, b, c]);
    let cab = p.mul(&[c, a, b]);
    let t1 = p.apply(Func::Trace, &[abc]);
    let t2 = p.apply(Func::Trace, &[cab]);
    assert_eq!(t1, t2);
}

#[test]
fn trace_of_outer_product_is_inner_product() {
    let mut f = Fixture::new();
    let x = f.vector("x", "n");
    let y = f.vector("y", "n");
    let p = &mut f.pool;
    let yt = p.transpose(y);
    let outer = p.mul(&[x, yt]);
    let t = p.apply(Func::Trace, &[outer]);
    let xt = p.transpose(x);
    let inner = p.mul(&[xt, y]);
    assert_eq!(t, inner);
}

#[test]
fn literal_matrices_fold() {
    let mut p = Pool::new();
    let e: Vec<Id> = [1, 2, 3, 4].iter().map(|&k| p.int(k)).collect();
    let m = p.matrix(2, 2, e.clone());
    let sum = p.add(&[m, m]);
    let twice = p.scale(nabla::expr::Number::int(2), m);
    assert_eq!(sum, twice);
    let sq = p.mul(&[m, m]);
    let expected: Vec<Id> = [7, 10, 15, 22].iter().map(|&k| p.int(k)).collect();
    let expected = p.matrix(2, 2, expected);
    assert_eq!(sq, expected);
}

#[test]
fn expansion_proves_least_squares_forms() {
    let mut f = Fixture::new();
    let a = f.matrix("A", "m", "n");
    let x = f.vector("x", "n");
    let b = f.vector("b", "m");
    let p = &mut f.pool;
    let ax = p.mul(&[a, x]);
    let r = p.sub(ax, b);
    let at = p.transpose(a);
    let factored = p.mul(&[at, r]);
    let atax = p.mul(&[at, a, x]);
    let atb = p.mul(&[at, b]);
    let expanded_form = p.sub(atax, atb);
    assert_ne!(factored, expanded_form);
    let e1 = expand(p, factored, 1000).unwrap();
    let e2 = expand(p, expanded_form, 1000).unwrap();
    assert_eq!(e1, e2);
    // ‖r‖² expands to rᵀr
    let norm = p.apply(Func::Norm(NormKind::Two), &[r]);
    let sq = p.powi(norm, 2);
    let rt = p.transpose(r);
    let inner = p.mul(&[rt, r]);
    assert_eq!(
        expand(p, sq, 1000).unwrap(),
        expand(p, inner, 1000).unwrap()
    );
}

#[test]
fn expansion_respects_its_budget() {
    let mut p = Pool::new();
    let xs: Vec<Id> = (0..10)
        .map(|i| {
            let s = p
                .declare(
                    &format!("x_{i}"),
                    Shape::scalar(),
                    Assumptions::default(),
                    SymbolOrigin::Declared,
                )
                .unwrap();
            p.symbol_expr(s)
        })
        .collect();
    let sum = p.add(&xs);
    let big = p.powi(sum, 8);
    assert!(expand(&mut p, big, 1000).is_err());
    let small = p.powi(sum, 2);
    let e = expand(&mut p, small, 1000).unwrap();
    match p.node(e) {
        Node::Add(ts) => assert_eq!(ts.len(), 55),
        other => panic!("expected a sum, got {other:?}"),
    }
}

#[test]
fn textbook_form_factors_shared_matrix_factors() {
    use nabla::simplify::textbook_form;
    let mut f = Fixture::new();
    let a = f.matrix("A", "m", "n");
    let x = f.vector("x", "n");
    let b = f.vector("b", "m");
    let sq = f.matrix("S", "n", "n");
    let p = &mut f.pool;
    let at = p.transpose(a);
    let atax = p.mul(&[at, a, x]);
    let atb = p.mul(&[at, b]);
    let expanded_form = p.sub(atax, atb);
    let ax = p.mul(&[a, x]);
    let r = p.sub(ax, b);
    let factored = p.mul(&[at, r]);
    assert_eq!(textbook_form(p, expanded_form), factored);
    // Sx + Sᵀx → (S + Sᵀ)x
    let st = p.transpose(sq);
    let sx = p.mul(&[sq, x]);
    let stx = p.mul(&[st, x]);
    let sum = p.add(&[sx, stx]);
    let s_plus = p.add(&[sq, st]);
    let expected = p.mul(&[s_plus, x]);
    assert_eq!(textbook_form(p, sum), expected);
}

#[test]
fn textbook_form_pulls_out_numeric_content_and_keeps_other_terms() {
    use nabla::simplify::textbook_form;
    let mut f = Fixture::new();
    let xm = f.matrix("X", "N", "d");
    let w = f.vector("w", "d");
    let y = f.vector("y", "N");
    let alpha = f.scalar("α");
    let p = &mut f.pool;
    let two = p.int(2);
    let xt = p.transpose(xm);
    let t1 = p.mul(&[two, xt, xm, w]);
    let t2 = p.mul(&[two, xt, y]);
    let t2 = p.neg(t2);
    let t3 = p.mul(&[two, alpha, w]);
    let grad = p.add(&[t1, t2, t3]);
    let xw = p.mul(&[xm, w]);
    let r = p.sub(xw, y);
    let first = p.mul(&[two, xt, r]);
    let expected = p.add(&[first, t3]);
    assert_eq!(textbook_form(p, grad), expected);
}

#[test]
fn textbook_form_pulls_out_shared_scalar_factors() {
    use nabla::simplify::textbook_form;
    let mut f = Fixture::new();
    let a = f.matrix("A", "n", "n");
    let x = f.vector("x", "n");
    let p = &mut f.pool;
    // (1/(xᵀAx))Ax + (1/(xᵀAx))Aᵀx → (1/(xᵀAx))(A + Aᵀ)x
    let xt = p.transpose(x);
    let q = p.mul(&[xt, a, x]);
    let inv_q = p.powi(q, -1);
    let at = p.transpose(a);
    let t1 = p.mul(&[inv_q, a, x]);
    let t2 = p.mul(&[inv_q, at, x]);
    let sum = p.add(&[t1, t2]);
    let a_plus = p.add(&[a, at]);
    let expected = p.mul(&[inv_q, a_plus, x]);
    assert_eq!(textbook_form(p, sum), expected);
}

#[test]
fn textbook_form_writes_a_shared_denominator_once() {
    use nabla::simplify::textbook_form;
    let mut f = Fixture::new();
    let x = f.scalar("x");
    let p = &mut f.pool;
    // 1/(x² + 1) − 2x²/(x² + 1)² → (1 − x²)/(x² + 1)²
    let one = p.int(1);
    let x2 = p.powi(x, 2);
    let d = p.add(&[x2, one]);
    let inv = p.powi(d, -1);
    let inv2 = p.powi(d, -2);
    let two = p.int(2);
    let t2 = p.mul(&[two, x2, inv2]);
    let t2 = p.neg(t2);
    let sum = p.add(&[inv, t2]);
    let shown = textbook_form(p, sum);
    let unicode = nabla::print::PrintOptions::unicode();
    assert_eq!(
        nabla::print::print(p, shown, &unicode),
        "(1 − x²)/(x² + 1)²"
    );
    // A sum without a denominator in every term is left alone.
    let partial = p.add(&[inv, x2]);
    assert_eq!(textbook_form(p, partial), partial);
}

#[test]
fn rules_are_recorded_by_name_when_asked() {
    use nabla::simplify::Rule;
    let mut f = Fixture::new();
    let a = f.matrix("A", "m", "n");
    let b = f.matrix("B", "n", "k");
    let p = &mut f.pool;
    let ab = p.mul(&[a, b]);
    p.start_trace();
    let _ = p.transpose(ab);
    let x = p.int(3);
    let y = p.int(4);
    let _ = p.add(&[x, y]);
    let rules = p.rules_applied();
    assert_eq!(
        rules,
        vec![Rule::TransposeOfProduct, Rule::NumberArithmetic]
    );
    assert_eq!(Rule::TransposeOfProduct.name(), "transpose-of-product");
    assert_eq!(Rule::TransposeOfProduct.statement(), "(AB)ᵀ = BᵀAᵀ");
    // Without recording, nothing is kept.
    let mut quiet = Pool::new();
    let s = quiet
        .declare(
            "x",
            Shape::scalar(),
            Assumptions::default(),
            SymbolOrigin::Declared,
        )
        .expect("fresh");
    let xs = quiet.symbol_expr(s);
    let _ = quiet.add(&[xs, xs]);
    assert!(quiet.rules_applied().is_empty());
}

#[test]
fn scalar_factors_leave_elementwise_products() {
    let mut f = Fixture::new();
    let (x, y) = (f.vector("x", "n"), f.vector("y", "n"));
    let (s, t) = (f.scalar("s"), f.scalar("t"));
    let p = &mut f.pool;
    let ones = p.ones(Shape::vector(Dim::symbol("n")));
    let s_ones = p.mul(&[s, ones]);
    let sx = p.mul(&[s, x]);
    assert_eq!(p.hadamard(&[x, s_ones]), sx);
    let two = p.int(2);
    let two_t_y = p.mul(&[two, t, y]);
    let xy = p.hadamard(&[x, y]);
    let expected = p.mul(&[two, s, t, xy]);
    assert_eq!(p.hadamard(&[sx, two_t_y]), expected);
}

#[test]
fn elementwise_powers_of_one_base_merge() {
    use nabla::expr::Number;
    let mut f = Fixture::new();
    let x = f.vector("x", "n");
    let y = f.vector("y", "n");
    let s = f.scalar("s");
    let p = &mut f.pool;
    let inv = p.hadamard_pow(x, &Number::int(-1));
    // x ⊙ y ⊘ x = y; x ⊙ x ⊘ x = x; √x ⊙ √x = x
    assert_eq!(p.hadamard(&[x, y, inv]), y);
    assert_eq!(p.hadamard(&[x, x, inv]), x);
    let root = p.hadamard_pow(x, &Number::ratio(1, 2));
    assert_eq!(p.hadamard(&[root, root]), x);
    // (x ⊙ x)^⊙(−1) = x^⊙(−2), built either way
    let sq = p.hadamard(&[x, x]);
    let a = p.hadamard_pow(sq, &Number::int(-1));
    let b = p.hadamard(&[inv, inv]);
    assert_eq!(a, b);
    // (2x)^⊙2 = 4 x^⊙2
    let two_x = p.scale(Number::int(2), x);
    let lhs = p.hadamard_pow(two_x, &Number::int(2));
    let rhs = p.scale(Number::int(4), sq);
    assert_eq!(lhs, rhs);
    // (s·x)^⊙2 = s²·x^⊙2 and (−s·x)^⊙(−1) = −s⁻¹·x^⊙(−1), as `hadamard` builds them (found by
    // the round-trip fuzzing: `(sx) ⊙ (sx)` read back as `s²(x ⊙ x)`)
    let sx = p.mul(&[s, x]);
    let lhs = p.hadamard_pow(sx, &Number::int(2));
    assert_eq!(lhs, p.hadamard(&[sx, sx]));
    let s2 = p.powi(s, 2);
    assert_eq!(lhs, p.mul(&[s2, sq]));
    let minus_sx = p.scale(Number::int(-1), sx);
    let lhs = p.hadamard_pow(minus_sx, &Number::int(-1));
    let s_inv = p.powi(s, -1);
    let rhs = p.mul(&[s_inv, inv]);
    assert_eq!(lhs, p.scale(Number::int(-1), rhs));
}

#[test]
fn diagonals_of_vectors_merge_in_sums() {
    use nabla::expr::Number;
    let mut f = Fixture::new();
    let a = f.vector("a", "n");
    let b = f.vector("b", "n");
    let l = f.matrix("L", "n", "m");
    let p = &mut f.pool;
    let da = p.apply(Func::Diag, &[a]);
    let db = p.apply(Func::Diag, &[b]);
    // diag(a) − diag(b) = diag(a − b)
    let lhs = p.sub(da, db);
    let a_minus_b = p.sub(a, b);
    let rhs = p.apply(Func::Diag, &[a_minus_b]);
    assert_eq!(lhs, rhs);
    // Lᵀdiag(a)L + Lᵀdiag(b)L = Lᵀdiag(a + b)L, and Lᵀdiag(a)L − Lᵀdiag(a)L = 0
    let lt = p.transpose(l);
    let ta = p.mul(&[lt, da, l]);
    let tb = p.mul(&[lt, db, l]);
    let sum = p.add(&[ta, tb]);
    let a_plus_b = p.add(&[a, b]);
    let dab = p.apply(Func::Diag, &[a_plus_b]);
    assert_eq!(sum, p.mul(&[lt, dab, l]));
    let zero = p.sub(ta, ta);
    assert!(p.is_zero(zero));
    // 2 diag(a) = diag(2a); diag(−2a) = 2 diag(−a)
    let two_a = p.scale(Number::int(2), a);
    let d2a = p.apply(Func::Diag, &[two_a]);
    assert_eq!(d2a, p.scale(Number::int(2), da));
    let minus_two_a = p.scale(Number::int(-2), a);
    let dm2a = p.apply(Func::Diag, &[minus_two_a]);
    let minus_a = p.neg(a);
    let dma = p.apply(Func::Diag, &[minus_a]);
    assert_eq!(dm2a, p.scale(Number::int(2), dma));
}

#[test]
fn logistic_quotients_are_sigmoids() {
    use nabla::expr::Number;
    let mut f = Fixture::new();
    let t = f.scalar("t");
    let v = f.vector("v", "n");
    let p = &mut f.pool;
    let one = p.int(1);
    let minus_one = p.int(-1);
    let sigma_t = p.apply(Func::Sigmoid, &[t]);
    // 1/(1 + e⁻ᵗ) = σ(t)
    let minus_t = p.neg(t);
    let e_minus_t = p.apply(Func::Exp, &[minus_t]);
    let denominator = p.add(&[one, e_minus_t]);
    assert_eq!(p.pow(denominator, minus_one), sigma_t);
    // eᵗ/(1 + eᵗ) = σ(t), and e⁻ᵗ/(1 + e⁻ᵗ) = σ(−t)
    let e_t = p.apply(Func::Exp, &[t]);
    let sum = p.add(&[e_t, one]);
    let reciprocal = p.pow(sum, minus_one);
    assert_eq!(p.mul(&[e_t, reciprocal]), sigma_t);
    let sigma_minus_t = p.apply(Func::Sigmoid, &[minus_t]);
    let reciprocal = p.pow(denominator, minus_one);
    assert_eq!(p.mul(&[e_minus_t, reciprocal]), sigma_minus_t);
    // 1/(1 + eᵗ) stays as written (σ(−t) would hide the quotient rule's denominator)
    let kept = p.pow(sum, minus_one);
    assert!(matches!(p.node(kept), Node::Pow(..)));
    // (1 + e⁻ᵗ)⁻² = σ(t)²
    let minus_two = p.int(-2);
    let two = p.int(2);
    assert_eq!(p.pow(denominator, minus_two), p.pow(sigma_t, two));
    // entrywise: 𝟙 ⊘ (𝟙 + exp(−v)) = σ(v), exp(v) ⊘ (𝟙 + exp(v)) = σ(v)
    let ones = p.ones(Shape::vector(Dim::symbol("n")));
    let sigma_v = p.apply(Func::Sigmoid, &[v]);
    let minus_v = p.neg(v);
    let e_minus_v = p.apply(Func::Exp, &[minus_v]);
    let sum = p.add(&[ones, e_minus_v]);
    assert_eq!(p.hadamard_pow(sum, &Number::int(-1)), sigma_v);
    let e_v = p.apply(Func::Exp, &[v]);
    let sum = p.add(&[e_v, ones]);
    let reciprocal = p.hadamard_pow(sum, &Number::int(-1));
    assert_eq!(p.hadamard(&[e_v, reciprocal]), sigma_v);
}

#[test]
fn a_scalar_chain_among_other_factors_has_one_form() {
    let mut f = Fixture::new();
    let y = f.scalar("y");
    let w = f.vector("w", "n");
    let x = f.vector("x", "n");
    let p = &mut f.pool;
    let wt = p.transpose(w);
    // y·wᵀ·x, y·(wᵀx) and −(−y·wᵀx) are one expression
    let inline = p.mul(&[y, wt, x]);
    let chain = p.mul(&[wt, x]);
    let nested = p.mul(&[y, chain]);
    assert_eq!(inline, nested);
    let minus = p.int(-1);
    let negated = p.mul(&[minus, y, wt, x]);
    assert_eq!(p.neg(inline), negated);
    assert_eq!(p.neg(negated), inline);
}

#[test]
fn an_inner_product_whose_entrywise_product_cancels_is_a_sum() {
    use nabla::expr::Number;
    let mut f = Fixture::new();
    let a = f.vector("a", "n");
    let y = f.vector("y", "n");
    let p = &mut f.pool;
    let at = p.transpose(a);
    let inv = p.hadamard_pow(a, &Number::int(-1));
    let y_over_a = p.hadamard(&[y, inv]);
    let sum_y = p.apply(Func::Sum, &[y]);
    // aᵀ(y ⊘ a) = (y ⊘ a)ᵀa = sum(y)
    assert_eq!(p.mul(&[at, y_over_a]), sum_y);
    let t = p.transpose(y_over_a);
    assert_eq!(p.mul(&[t, a]), sum_y);
    // inside a product: 2·aᵀ(y ⊘ a)·a = 2 sum(y) a
    let two = p.int(2);
    let lhs = p.mul(&[two, at, y_over_a, a]);
    let rhs = p.mul(&[two, sum_y, a]);
    assert_eq!(lhs, rhs);
    // aᵀ(a ⊙ y) does not cancel and stays an inner product
    let ay = p.hadamard(&[a, y]);
    let inner = p.mul(&[at, ay]);
    assert!(matches!(p.node(inner), Node::Mul(_)));
}
