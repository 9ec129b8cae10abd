//! The benchmark workloads, built once here and shared by `benches/differentiate.rs`,
//! `benches/evaluate.rs`, `benches/check.rs`, `examples/profile_rosenbrock.rs`,
//! `examples/profile_check.rs`, `examples/profile_evaluate.rs`, `examples/peer_tasks.rs` and
//! `tests/diff.rs` (each includes this file with `#[path]`; not every one uses all of it).
#![allow(dead_code)]

use nabla::expr::{Assumptions, Func, Id, Number, Pool, Shape, SymbolId, SymbolOrigin};

/// Declares fresh scalar symbols with the given names.
pub fn scalar_symbols(pool: &mut Pool, names: impl Iterator<Item = String>) -> Vec<SymbolId> {
    names
        .map(|name| {
            pool.declare(
                &name,
                Shape::scalar(),
                Assumptions::default(),
                SymbolOrigin::Declared,
            )
            .unwrap_or_else(|_| unreachable!("fresh names"))
        })
        .collect()
}

/// ∑ 100(x_{i+1} − x_i²)² + (1 − x_i)² over n scalar variables `x_1 … x_n`: the pool, f, the
/// symbols and their expressions.
pub fn rosenbrock(n: usize) -> (Pool, Id, Vec<SymbolId>, Vec<Id>) {
    let mut pool = Pool::new();
    let syms = scalar_symbols(&mut pool, (1..=n).map(|i| format!("x_{i}")));
    let xs: Vec<Id> = syms.iter().map(|&s| pool.symbol_expr(s)).collect();
    let one = pool.int(1);
    let mut terms = Vec::with_capacity(2 * n);
    for pair in xs.windows(2) {
        let (xi, next) = (pair[0], pair[1]);
        let sq = pool.powi(xi, 2);
        let d = pool.sub(next, sq);
        let d2 = pool.powi(d, 2);
        terms.push(pool.scale(Number::int(100), d2));
        let e = pool.sub(one, xi);
        terms.push(pool.powi(e, 2));
    }
    let f = pool.add(&terms);
    (pool, f, syms, xs)
}

/// sin(cos(exp(log(sqrt(… x …))))) nested to `depth`: level ℓ applies sin, cos, exp,
/// e ↦ log(e² + 1), e ↦ √(e² + x) for ℓ mod 5 = 0, 1, 2, 3, 4. The pool, f, x's symbol and x.
pub fn composition(depth: usize) -> (Pool, Id, SymbolId, Id) {
    let mut pool = Pool::new();
    let syms = scalar_symbols(&mut pool, std::iter::once("x".to_string()));
    let s = syms[0];
    let x = pool.symbol_expr(s);
    let mut e = x;
    for level in 0..depth {
        e = match level % 5 {
            0 => pool.apply(Func::Sin, &[e]),
            1 => pool.apply(Func::Cos, &[e]),
            2 => pool.apply(Func::Exp, &[e]),
            3 => {
                let sq = pool.powi(e, 2);
                let one = pool.int(1);
                let arg = pool.add(&[sq, one]);
                pool.apply(Func::Log, &[arg])
            }
            _ => {
                let sq = pool.powi(e, 2);
                let arg = pool.add(&[sq, x]);
                pool.sqrt(arg)
            }
        };
    }
    (pool, e, s, x)
}

/// (x₁ + … + x_k)^p, unexpanded: the pool, the power and the symbols.
pub fn power_of_sum(k: usize, p: i64) -> (Pool, Id, Vec<SymbolId>) {
    let mut pool = Pool::new();
    let syms = scalar_symbols(&mut pool, (1..=k).map(|i| format!("x_{i}")));
    let xs: Vec<Id> = syms.iter().map(|&s| pool.symbol_expr(s)).collect();
    let sum = pool.add(&xs);
    let e = pool.powi(sum, p);
    (pool, e, syms)
}

/// A homework sheet: correct and wrong claims, matrix and scalar, as students write them.
pub const HOMEWORK: &[&str] = &[
    "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇f(x) = Aᵀ(Ax − b)",
    "let A: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nf(x) = ½‖Ax − b‖²\nclaim ∇²f(x) = AᵀA",
    "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx) = (A + Aᵀ)x",
    "let A: ℝ^(n×n), x: ℝ^n\nclaim ∇ₓ(xᵀAx) = 2Ax",
    "let B: ℝ^(m×n), c: ℝ^m, x: ℝ^n\ng(x) = ‖Bx − c‖²\nclaim ∇g(x) = Bᵀ(Bx − c)",
    "claim d/dx ln(x² + 1) = 2x/(x² + 1)",
    "claim d/dx (x sin x) = sin x + x cos x",
    "claim d/dx cos x = sin x",
    "let W: ℝ^(m×n), b: ℝ^m, x: ℝ^n\nclaim J(σ(Wx + b), x) = diag(σ(Wx + b) ⊙ (𝟙 − σ(Wx + b)))W",
    "let X: ℝ^(N×d), y: ℝ^N, w: ℝ^d, α: ℝ\nJ(w) = ‖Xw − y‖² + α‖w‖²\nclaim ∇J(w) = 2Xᵀ(Xw − y) + 2αw",
];

/// Rosenbrock by hand: ∇f alone.
pub fn rosenbrock_gradient_by_hand(x: &[f64], g: &mut [f64]) {
    g.fill(0.0);
    for i in 0..x.len() - 1 {
        let d = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * d - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * d;
    }
}

/// Rosenbrock by hand: f and ∇f in one pass.
pub fn rosenbrock_by_hand(x: &[f64], g: &mut [f64]) -> f64 {
    g.fill(0.0);
    let mut f = 0.0;
    for i in 0..x.len() - 1 {
        let d = x[i + 1] - x[i] * x[i];
        let e = 1.0 - x[i];
        f += 100.0 * d * d + e * e;
        g[i] += -400.0 * x[i] * d - 2.0 * e;
        g[i + 1] += 200.0 * d;
    }
    f
}
