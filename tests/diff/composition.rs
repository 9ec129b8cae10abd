//! A deep composition of sin, cos, exp, log and √ (the benchmark's): its derivative against
//! finite differences, and the nodes the reverse sweep builds growing linearly with the depth
//! (its time is measured by `benches/differentiate.rs` and the peer comparison, not here).

use crate::support::*;

/// The benchmark's composition: level ℓ applies sin, cos, exp, e ↦ log(e² + 1),
/// e ↦ √(e² + x) for ℓ mod 5 = 0, 1, 2, 3, 4.
fn composition(p: &mut Pool, x: Id, depth: usize) -> Id {
    let mut e = x;
    for level in 0..depth {
        e = match level % 5 {
            0 => p.apply(Func::Sin, &[e]),
            1 => p.apply(Func::Cos, &[e]),
            2 => p.apply(Func::Exp, &[e]),
            3 => {
                let sq = p.powi(e, 2);
                let one = p.int(1);
                let arg = p.add(&[sq, one]);
                p.apply(Func::Log, &[arg])
            }
            _ => {
                let sq = p.powi(e, 2);
                let arg = p.add(&[sq, x]);
                p.sqrt(arg)
            }
        };
    }
    e
}

/// Nodes the gradient of the depth-`depth` composition adds to the pool.
fn nodes_built(depth: usize) -> usize {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let f = composition(&mut p, x, depth);
    let before = p.len();
    gradient(&mut p, f, &[x]).expect("gradient");
    p.len() - before
}

#[test]
fn deep_composition_derivative_matches_finite_differences() {
    let mut p = Pool::new();
    let x = scalar(&mut p, "x");
    let f = composition(&mut p, x, 25);
    let d = derivative(&mut p, f, x).expect("derivative");
    let mut rng = Pcg64::seed_from_u64(25);
    for _ in 0..5 {
        let inst = random_point(&p, &[x], &mut rng);
        let (sym, fd) = (scalar_value(&p, d, &inst), fd_scalar(&p, f, x, &inst));
        assert!((sym - fd).abs() <= 1e-4 * (1.0 + fd.abs()), "{sym} vs {fd}");
    }
}

/// One reverse sweep over the shared DAG: twice the depth, about twice the nodes.
#[test]
fn deep_composition_gradient_builds_linearly_many_nodes() {
    let (half, full) = (nodes_built(100), nodes_built(200));
    eprintln!("nodes built: depth 100 → {half}, depth 200 → {full}");
    assert!(full <= 2 * half + half / 5, "{half} → {full}");
}
