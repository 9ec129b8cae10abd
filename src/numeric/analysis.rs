//! Second-order analysis at a point: the symmetric eigen-decomposition of the Hessian
//! (nalgebra), the kind of critical point, the condition number, the largest stable gradient
//! step 2/λmax and the optimal step gᵀg / gᵀHg along the current gradient.

use nalgebra::{DMatrix, SymmetricEigen};

/// Relative size under which an eigenvalue counts as zero.
const ZERO_EIGENVALUE: f64 = 1e-10;
/// Relative size under which a gradient counts as zero.
const ZERO_GRADIENT: f64 = 1e-8;

/// What kind of point it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    /// ∇f = 0 and H positive definite: a strict local minimum.
    Minimum,
    /// ∇f = 0 and H negative definite: a strict local maximum.
    Maximum,
    /// ∇f = 0 and H has eigenvalues of both signs.
    Saddle,
    /// ∇f = 0 but H is singular and semidefinite: second order cannot tell.
    Inconclusive,
    /// ∇f ≠ 0: not a critical point (the curvature is still reported).
    NotCritical,
}

impl PointKind {
    /// A stable name: `minimum`, `maximum`, `saddle`, `inconclusive`, `not-critical`.
    pub fn name(self) -> &'static str {
        match self {
            PointKind::Minimum => "minimum",
            PointKind::Maximum => "maximum",
            PointKind::Saddle => "saddle",
            PointKind::Inconclusive => "inconclusive",
            PointKind::NotCritical => "not-critical",
        }
    }
}

/// The second-order picture at a point.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The kind of point.
    pub kind: PointKind,
    /// ‖∇f‖ at the point.
    pub grad_norm: f64,
    /// The Hessian's eigenvalues, ascending.
    pub eigenvalues: Vec<f64>,
    /// The unit eigenvectors, in the order of the eigenvalues (first nonzero entry positive).
    pub eigenvectors: Vec<Vec<f64>>,
    /// Is H singular (some eigenvalue zero relative to the largest)?
    pub singular: bool,
    /// |λ|max / |λ|min, when no eigenvalue is zero.
    pub condition: Option<f64>,
    /// 2/λmax: gradient descent with a fixed step is stable below it (when λmax > 0).
    pub stable_step: Option<f64>,
    /// gᵀg / gᵀHg for the gradient at the point (when g ≠ 0 and gᵀHg > 0).
    pub optimal_step: Option<f64>,
}

/// Analyses the n×n Hessian `h` (row-major, symmetrised first) with the gradient `g`.
pub fn classify(h: &[f64], g: &[f64]) -> Analysis {
    let n = g.len();
    let m = DMatrix::from_fn(n, n, |i, j| {
        let a = h.get(i * n + j).copied().unwrap_or(0.0);
        let b = h.get(j * n + i).copied().unwrap_or(0.0);
        0.5 * (a + b)
    });
    let eig = SymmetricEigen::new(m.clone());
    let mut pairs: Vec<(f64, Vec<f64>)> = eig
        .eigenvalues
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let mut v: Vec<f64> = eig.eigenvectors.column(i).iter().copied().collect();
            if v.iter().find(|a| a.abs() > 1e-12).is_some_and(|a| *a < 0.0) {
                v.iter_mut().for_each(|a| *a = -*a);
            }
            (l, v)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let scale = pairs.iter().fold(0.0f64, |m, (l, _)| m.max(l.abs()));
    let tiny = ZERO_EIGENVALUE * scale.max(1.0);
    let zero = |l: f64| l.abs() <= tiny;
    let singular = pairs.iter().any(|(l, _)| zero(*l));
    let positive = pairs.iter().all(|(l, _)| *l > tiny);
    let negative = pairs.iter().all(|(l, _)| *l < -tiny);
    let mixed = pairs.iter().any(|(l, _)| *l > tiny) && pairs.iter().any(|(l, _)| *l < -tiny);
    let grad_norm = g.iter().map(|a| a * a).sum::<f64>().sqrt();
    let critical = grad_norm <= ZERO_GRADIENT * (1.0 + scale);
    let kind = if !critical {
        PointKind::NotCritical
    } else if positive {
        PointKind::Minimum
    } else if negative {
        PointKind::Maximum
    } else if mixed {
        PointKind::Saddle
    } else {
        PointKind::Inconclusive
    };
    let smallest = pairs.iter().fold(f64::INFINITY, |m, (l, _)| m.min(l.abs()));
    let largest = pairs.last().map(|(l, _)| *l);
    let gv = nalgebra::DVector::from_column_slice(g);
    let curvature = gv.dot(&(&m * &gv));
    Analysis {
        kind,
        grad_norm,
        condition: (!singular && n > 0).then(|| scale / smallest),
        stable_step: largest.filter(|l| *l > tiny).map(|l| 2.0 / l),
        optimal_step: (grad_norm > 0.0 && curvature > 0.0).then(|| gv.dot(&gv) / curvature),
        singular,
        eigenvalues: pairs.iter().map(|(l, _)| *l).collect(),
        eigenvectors: pairs.into_iter().map(|(_, v)| v).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saddle_of_x1_squared_minus_x2_squared() {
        let a = classify(&[2.0, 0.0, 0.0, -2.0], &[0.0, 0.0]);
        assert_eq!(a.kind, PointKind::Saddle);
        assert_eq!(a.eigenvalues, vec![-2.0, 2.0]);
        assert_eq!(a.eigenvectors, vec![vec![0.0, 1.0], vec![1.0, 0.0]]);
        assert_eq!(a.condition, Some(1.0));
    }

    #[test]
    fn singular_semidefinite_is_inconclusive() {
        let a = classify(&[2.0, 0.0, 0.0, 0.0], &[0.0, 0.0]);
        assert_eq!(a.kind, PointKind::Inconclusive);
        assert!(a.singular);
        assert_eq!(a.condition, None);
        assert_eq!(a.stable_step, Some(1.0));
    }

    #[test]
    fn steps_of_a_quadratic() {
        let a = classify(&[2.0, 0.0, 0.0, 8.0], &[-2.0, 16.0]);
        assert_eq!(a.kind, PointKind::NotCritical);
        assert_eq!(a.stable_step, Some(0.25));
        let expected = (4.0 + 256.0) / (8.0 + 8.0 * 256.0);
        assert!((a.optimal_step.unwrap_or(0.0) - expected).abs() < 1e-15);
        assert_eq!(a.condition, Some(4.0));
    }
}
