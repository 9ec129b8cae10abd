//! Canonical application of built-in functions: exact values at special points, inverse pairs,
//! and the linear-algebra identities of trace and determinant.

use super::rules::Rule;
use crate::expr::{structural_cmp, Func, Id, Node, NormKind, Number, Pool, Shape};
use std::cmp::Ordering;

/// The longest product whose powers [`Pool::written_out_powers`] writes out for a trace's rotation.
const MAX_WRITTEN_OUT_FACTORS: usize = 32;

impl Pool {
    /// A built-in function applied canonically.
    pub fn apply(&mut self, f: Func, args: &[Id]) -> Id {
        let Some(&x) = args.first() else {
            return self.intern(Node::Apply(f, args.into()), Shape::scalar());
        };
        if let Some(v) = self.special_value(f, x) {
            self.note(Rule::SpecialValue);
            return v;
        }
        match f {
            Func::Trace => return self.trace(x),
            Func::Det => return self.det(x),
            Func::Sum | Func::Diag if self.is_scalar(x) => return x,
            // diag is linear: the size of its argument's numeric content goes outside
            // (`diag(−2v) = 2 diag(−v)`); the sign stays, where the sum reads best, and sums of
            // diagonals merge (`Pool::add`), so `diag(−v) − (−diag(v))` is still 0.
            Func::Diag if self.shape(x).cols.is_one() => {
                if self.is_zero(x) {
                    let n = self.shape(x).rows.clone();
                    return self.zero(Shape::matrix(n.clone(), n));
                }
                // diag(𝟙) = I
                if matches!(self.node(x), Node::Ones(_)) {
                    let n = self.shape(x).rows.clone();
                    return self.identity(n);
                }
                let (c, rest) = match self.node(x) {
                    Node::Add(_) => self.primitive_part(x),
                    _ => match self.split_coefficient(x) {
                        (c, Some(rest)) => (c, rest),
                        (_, None) => (Number::one(), x),
                    },
                };
                if c.is_negative() && !c.is_minus_one() {
                    let signed = self.neg(rest);
                    let d = self.apply(Func::Diag, &[signed]);
                    return self.scale(c.abs(), d);
                }
                if !c.is_one() && !c.is_minus_one() {
                    let d = self.apply(Func::Diag, &[rest]);
                    return self.scale(c, d);
                }
            }
            Func::Norm(_) if self.is_scalar(x) => return self.apply(Func::Abs, &[x]),
            Func::Norm(NormKind::Two)
                if !self.shape(x).cols.is_one() && !self.shape(x).rows.is_one() =>
            {
                return self.apply(Func::Norm(NormKind::Frobenius), &[x]);
            }
            Func::Log => {
                if let Node::Apply(Func::Exp, inner) = self.node(x) {
                    let inner = inner[0];
                    self.note(Rule::InverseFunctions);
                    return inner;
                }
            }
            Func::Exp => {
                if let Node::Apply(Func::Log, inner) = self.node(x) {
                    let inner = inner[0];
                    self.note(Rule::InverseFunctions);
                    return inner;
                }
            }
            Func::Abs => {
                if matches!(self.node(x), Node::Apply(Func::Abs, _)) {
                    return x;
                }
            }
            _ => {}
        }
        let shape = self.result_shape(f, x);
        self.intern(Node::Apply(f, args.into()), shape)
    }

    fn result_shape(&self, f: Func, x: Id) -> Shape {
        let s = self.shape(x);
        match f {
            _ if f.is_elementwise() => s.clone(),
            Func::Softmax => s.clone(),
            Func::Pinv => s.transposed(),
            Func::Diag if s.cols.is_one() => Shape::matrix(s.rows.clone(), s.rows.clone()),
            Func::Diag if s.rows.is_one() => Shape::matrix(s.cols.clone(), s.cols.clone()),
            Func::Diag => Shape::vector(s.rows.clone()),
            _ => Shape::scalar(),
        }
    }

    /// Exact values: sin 0 = 0, cos 0 = 1, exp 0 = 1, log 1 = 0, σ(0) = ½, |−3| = 3, …
    fn special_value(&mut self, f: Func, x: Id) -> Option<Id> {
        let n = self.as_number(x)?.clone();
        let v = match f {
            Func::Sin | Func::Tan | Func::Tanh | Func::Arcsin | Func::Arctan if n.is_zero() => {
                Number::zero()
            }
            Func::Cos | Func::Exp if n.is_zero() => Number::one(),
            Func::Log if n.is_one() => Number::zero(),
            Func::Sigmoid if n.is_zero() => Number::ratio(1, 2),
            Func::Abs | Func::Norm(_) => n.abs(),
            Func::Relu => {
                if n.is_negative() {
                    Number::zero()
                } else {
                    n
                }
            }
            Func::Sign => Number::int(if n.is_zero() {
                0
            } else if n.is_negative() {
                -1
            } else {
                1
            }),
            Func::Trace | Func::Det | Func::Sum | Func::Diag => n,
            _ => return None,
        };
        Some(self.num(v))
    }

    /// tr: linear, tr(Aᵀ) = tr(A), tr(I) = n, and cyclic: the product inside is rotated to a
    /// canonical order (a 1×1 rotation first, so tr(xyᵀ) = yᵀx).
    fn trace(&mut self, x: Id) -> Id {
        if self.is_scalar(x) {
            return x;
        }
        match self.node(x).clone() {
            Node::Identity(n) => {
                self.note(Rule::TraceOfIdentityOrTranspose);
                return self.dim_value(*n);
            }
            Node::Zero(_) => return self.int(0),
            Node::Add(ts) => {
                self.note(Rule::TraceIsLinear);
                let ts: Vec<Id> = ts.iter().map(|&t| self.trace(t)).collect();
                return self.add(&ts);
            }
            Node::Transpose(inner) => {
                self.note(Rule::TraceOfIdentityOrTranspose);
                return self.trace(inner);
            }
            Node::Matrix { rows, entries, .. } => {
                let n = rows as usize;
                let diag: Vec<Id> = (0..n)
                    .filter_map(|i| entries.get(i * n + i).copied())
                    .collect();
                return self.add(&diag);
            }
            Node::Mul(fs) => {
                let (scalars, matrices): (Vec<Id>, Vec<Id>) =
                    fs.iter().partition(|&&f| self.is_scalar(f));
                if !scalars.is_empty() {
                    self.note(Rule::TraceIsLinear);
                    let inner = self.mul(&matrices);
                    let t = self.trace(inner);
                    let mut all = scalars;
                    all.push(t);
                    return self.mul(&all);
                }
                if let Some(rotated) = self.canonical_rotation(&matrices) {
                    if rotated != matrices {
                        self.note(Rule::TraceIsCyclic);
                    }
                    let product = self.mul(&rotated);
                    if self.is_scalar(product) {
                        return product;
                    }
                    // Factors that met across the ends cancelled or merged (tr(S⁻¹XS) = tr X):
                    // the shorter product is a trace to simplify in its own right.
                    if self.matrix_factor_count(product) < rotated.len() {
                        return self.trace(product);
                    }
                    // The rotated product may have gained a number (a sign taken out of a sum):
                    // it comes out of the trace too, as for any scalar factor.
                    if let Node::Mul(ps) = self.node(product).clone() {
                        let (numbers, rest): (Vec<Id>, Vec<Id>) =
                            ps.iter().partition(|&&f| self.is_scalar(f));
                        if !numbers.is_empty() {
                            self.note(Rule::TraceIsLinear);
                            let inner = self.mul(&rest);
                            let t = self.intern(
                                Node::Apply(Func::Trace, vec![inner].into()),
                                Shape::scalar(),
                            );
                            let mut all = numbers;
                            all.push(t);
                            return self.mul(&all);
                        }
                    }
                    let shape = Shape::scalar();
                    return self.intern(Node::Apply(Func::Trace, vec![product].into()), shape);
                }
            }
            _ => {}
        }
        self.intern(Node::Apply(Func::Trace, vec![x].into()), Shape::scalar())
    }

    /// Among the shape-valid rotations of a matrix product, one whose product has the fewest
    /// matrix factors once adjacent ones merge or cancel (S⁻¹XS → X); among those, one giving a
    /// 1×1 product if any, then one whose powers stay together (S²X rather than SXS), then the
    /// structurally smallest canonical product. The transposed product
    /// competes too (tr Aᵀ = tr A). Integer powers are written out first (B²Bᵀ as B·B·Bᵀ), so
    /// the choice does not depend on how the factors happened to be grouped: tr(B²Bᵀ) and
    /// tr(BBᵀB) get the same rotation.
    fn canonical_rotation(&mut self, fs: &[Id]) -> Option<Vec<Id>> {
        let fs = self.written_out_powers(fs);
        let n = fs.len();
        // The rules of the rotations tried and not kept are not part of the derivation.
        let rules = self.trace.take();
        let mut best: Option<(usize, bool, Vec<Id>, Vec<Id>)> = None;
        let transposed: Vec<Id> = fs.iter().rev().map(|&f| self.transpose(f)).collect();
        let mut from_transposed = false;
        for (flipped, candidate) in [(false, fs.clone()), (true, transposed)] {
            for r in 0..n {
                let rot: Vec<Id> = (0..n).map(|i| candidate[(i + r) % n]).collect();
                let valid = rot
                    .windows(2)
                    .all(|w| self.shape(w[0]).cols == self.shape(w[1]).rows);
                if !valid {
                    continue;
                }
                let scalar =
                    self.shape(rot[0]).rows.is_one() && self.shape(rot[n - 1]).cols.is_one();
                let product = self.mul(&rot);
                let length = self.matrix_factor_count(product);
                // Candidates compare by the factors of their canonical product, not by `rot`:
                // a factor's form depends on the side it came from (transposing Bᵀ − S gives
                // B − S, which a product holds as −(S − B)), and the choice must not.
                let key = self.matrix_factors(product);
                let better = match &best {
                    None => true,
                    Some((bl, bs, bk, _)) => match length.cmp(bl) {
                        Ordering::Less => true,
                        Ordering::Greater => false,
                        Ordering::Equal => {
                            (scalar && !bs)
                                || (scalar == *bs
                                    && key
                                        .len()
                                        .cmp(&bk.len())
                                        .then_with(|| self.cmp_lists(&key, bk))
                                        == Ordering::Less)
                        }
                    },
                };
                if better {
                    best = Some((length, scalar, key, rot));
                    from_transposed = flipped;
                }
            }
        }
        self.trace = rules;
        if from_transposed {
            // Transposing the product is a step of the derivation: note its rules.
            for &f in fs.iter().rev() {
                self.transpose(f);
            }
        }
        best.map(|(_, _, _, rot)| rot)
    }

    /// The matrix (non-scalar) factors of a product, or the matrix itself.
    fn matrix_factors(&self, product: Id) -> Vec<Id> {
        match self.node(product) {
            Node::Mul(fs) => fs.iter().copied().filter(|&f| !self.is_scalar(f)).collect(),
            _ => vec![product],
        }
    }

    /// The number of matrix factors of a product, powers written out (1 for a matrix that is
    /// not a product, 0 for a scalar).
    fn matrix_factor_count(&mut self, product: Id) -> usize {
        let matrices = self.matrix_factors(product);
        self.written_out_powers(&matrices).len()
    }

    /// The factors with every integer power of a matrix written out as repeated factors
    /// (B⁻² as B⁻¹·B⁻¹), unless that would make more than [`MAX_WRITTEN_OUT_FACTORS`].
    fn written_out_powers(&mut self, fs: &[Id]) -> Vec<Id> {
        let mut out = Vec::with_capacity(fs.len());
        for &f in fs {
            let repeat = match self.node(f) {
                Node::Pow(b, e) if !self.is_scalar(*b) => match self.node(*e) {
                    Node::Num(k) => k.to_i64().map(|k| (*b, k)),
                    _ => None,
                },
                _ => None,
            };
            match repeat {
                Some((b, k))
                    if k.unsigned_abs() as usize + out.len() <= MAX_WRITTEN_OUT_FACTORS =>
                {
                    let factor = if k < 0 {
                        let minus_one = self.int(-1);
                        self.pow(b, minus_one)
                    } else {
                        b
                    };
                    out.extend(std::iter::repeat_n(factor, k.unsigned_abs() as usize));
                }
                Some(_) => return fs.to_vec(),
                None => out.push(f),
            }
        }
        out
    }

    fn cmp_lists(&self, a: &[Id], b: &[Id]) -> Ordering {
        for (x, y) in a.iter().zip(b) {
            let c = structural_cmp(self, *x, *y);
            if c != Ordering::Equal {
                return c;
            }
        }
        a.len().cmp(&b.len())
    }

    /// det: det I = 1, det Aᵀ = det A, det A⁻¹ = 1/det A, det(AB) = det A det B for square
    /// factors, det(cA) = cⁿ det A.
    fn det(&mut self, x: Id) -> Id {
        if self.is_scalar(x) {
            return x;
        }
        let n = self.shape(x).rows.clone();
        if matches!(
            self.node(x),
            Node::Identity(_) | Node::Transpose(_) | Node::Pow(..) | Node::Mul(_)
        ) {
            self.note(Rule::DeterminantRules);
        }
        match self.node(x).clone() {
            Node::Identity(_) => return self.int(1),
            Node::Zero(_) => return self.int(0),
            Node::Transpose(inner) => return self.det(inner),
            Node::Pow(b, e) => {
                let d = self.det(b);
                return self.pow(d, e);
            }
            Node::Mul(fs) => {
                let square = fs
                    .iter()
                    .all(|&f| self.is_scalar(f) || self.shape(f).is_square());
                if square {
                    let mut parts = Vec::with_capacity(fs.len());
                    for &f in fs.iter() {
                        if self.is_scalar(f) {
                            let nv = self.dim_value(n.clone());
                            parts.push(self.pow(f, nv));
                        } else {
                            parts.push(self.det(f));
                        }
                    }
                    return self.mul(&parts);
                }
            }
            _ => {}
        }
        self.intern(Node::Apply(Func::Det, vec![x].into()), Shape::scalar())
    }
}
