//! The benchmark's deep composition of sin, cos, exp, log and √ (`benches/support/workloads.rs`):
//! its derivative against finite differences, and the nodes the reverse sweep builds growing
//! linearly with the depth (its time is measured by `benches/differentiate.rs` and the peer
//! comparison, not here).

use crate::support::*;
use crate::workloads::composition;

/// Nodes the gradient of the depth-`depth` composition adds to the pool.
fn nodes_built(depth: usize) -> usize {
    let (mut p, f, _, x) = composition(depth);
    let before = p.len();
    gradient(&mut p, f, &[x]).expect("gradient");
    p.len() - before
}

#[test]
fn deep_composition_derivative_matches_finite_differences() {
    let (mut p, f, _, x) = composition(25);
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
