//! Random well-shaped scalar expressions: derivatives against finite differences.

use crate::support::*;

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
