//! The printer, table-driven: one line per expression with its Unicode, ASCII and LaTeX text.

use nabla::expr::{
    Assumptions, Derivative, DerivativeKind, Dim, Func, Id, NormKind, Number, Pool, Shape,
    SymbolOrigin,
};
use nabla::print::{print, print_name, print_shape, Dialect, PrintOptions};

/// Declares a symbol of a shape and returns its expression.
fn declare(pool: &mut Pool, name: &str, shape: Shape) -> Id {
    let s = match pool.declare(name, shape, Assumptions::default(), SymbolOrigin::Declared) {
        Ok(s) | Err(s) => s,
    };
    pool.symbol_expr(s)
}

fn scalar(pool: &mut Pool, name: &str) -> Id {
    declare(pool, name, Shape::scalar())
}

fn vector(pool: &mut Pool, name: &str, n: &str) -> Id {
    declare(pool, name, Shape::vector(Dim::symbol(n)))
}

fn matrix(pool: &mut Pool, name: &str, m: &str, n: &str) -> Id {
    declare(pool, name, Shape::matrix(Dim::symbol(m), Dim::symbol(n)))
}

fn symmetric(pool: &mut Pool, name: &str, n: &str) -> Id {
    let shape = Shape::matrix(Dim::symbol(n), Dim::symbol(n));
    let a = Assumptions {
        symmetric: true,
        positive_definite: false,
    };
    let s = match pool.declare(name, shape, a, SymbolOrigin::Declared) {
        Ok(s) | Err(s) => s,
    };
    pool.symbol_expr(s)
}

fn frac(n: i64, d: i64) -> Number {
    Number::ratio(n, d)
}

fn derivative(pool: &mut Pool, kind: DerivativeKind, expr: Id, wrt: &[Id], dir: Option<Id>) -> Id {
    let shape = pool.shape(expr).clone();
    pool.derivative(
        Derivative {
            kind,
            expr,
            wrt: wrt.into(),
            direction: dir,
        },
        shape,
    )
}

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

const CASES: &[Case] = &[
    ("residual", residual, "Ax − b", "A*x - b", "A x - b"),
    (
        "normal equations",
        |p| {
            let r = residual(p);
            let a = matrix(p, "A", "m", "n");
            let at = p.transpose(a);
            p.mul(&[at, r])
        },
        "Aᵀ(Ax − b)",
        "A'*(A*x - b)",
        "A^\\top (A x - b)",
    ),
    (
        "half squared norm",
        |p| {
            let r = residual(p);
            let n = p.apply(Func::Norm(NormKind::Two), &[r]);
            let n2 = p.powi(n, 2);
            p.scale(frac(1, 2), n2)
        },
        "½‖Ax − b‖²",
        "1/2*norm(A*x - b)^2",
        "\\frac{1}{2} \\|A x - b\\|_2^{2}",
    ),
    (
        "monomial",
        |p| {
            let (x1, x2) = (scalar(p, "x_1"), scalar(p, "x_2"));
            let c = p.powi(x2, 3);
            let two = p.int(2);
            p.mul(&[two, x1, c])
        },
        "2x₁x₂³",
        "2*x_1*x_2^3",
        "2 x_{1} x_{2}^{3}",
    ),
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
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
