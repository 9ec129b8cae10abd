//! Canonical constructors: every expression is built through these, so sums and products are
//! flattened and ordered, coefficients merged exactly, identities of 0, 1 and `I` applied and
//! transposes pushed onto atoms as the expression is made.

use super::rules::Rule;
use crate::expr::{
    structural_cmp, Derivative, Dim, Func, Id, Ids, Node, Number, Pool, Shape, SymbolId,
};
use std::cmp::Ordering;

/// Products with at least this many scalar factors are merged into rather than re-sorted.
const SORTED_RUN: usize = 8;

impl Pool {
    /// An exact scalar constant.
    pub fn num(&mut self, n: Number) -> Id {
        if let Some(id) = n.small_int().and_then(|i| self.small_int(i)) {
            return id;
        }
        let int = if n.is_integer() { n.to_i64() } else { None };
        if let Some(id) = int.and_then(|i| self.cached_int(i)) {
            return id;
        }
        let id = self.intern(Node::Num(n), Shape::scalar());
        if let Some(i) = int {
            self.remember_int(i, id);
        }
        id
    }

    /// An integer constant (small ones are cached: they are built constantly).
    pub fn int(&mut self, i: i64) -> Id {
        if let Some(id) = self.small_int(i) {
            return id;
        }
        let id = self.num(Number::int(i));
        self.remember_small_int(i, id);
        id
    }

    /// The constant value of a `Num` node.
    pub fn as_number(&self, id: Id) -> Option<&Number> {
        match self.node(id) {
            Node::Num(n) => Some(n),
            _ => None,
        }
    }

    /// Is this the zero of its shape?
    pub fn is_zero(&self, id: Id) -> bool {
        match self.node(id) {
            Node::Num(n) => n.is_zero(),
            Node::Zero(_) => true,
            _ => false,
        }
    }

    /// Is this the number 1?
    pub fn is_one(&self, id: Id) -> bool {
        matches!(self.node(id), Node::Num(n) if n.is_one())
    }

    /// The expression for a symbol.
    pub fn symbol_expr(&mut self, s: SymbolId) -> Id {
        let shape = self.symbol(s).shape.clone();
        self.intern(Node::Sym(s), shape)
    }

    /// A dimension as a scalar value (`n`); a concrete dimension is a number.
    pub fn dim_value(&mut self, d: Dim) -> Id {
        match d.as_known() {
            Some(k) => self.num(Number::int(k as i64)),
            None => self.intern(Node::DimValue(Box::new(d)), Shape::scalar()),
        }
    }

    /// The zero of a shape: `0` for scalars, the zero matrix otherwise.
    pub fn zero(&mut self, shape: Shape) -> Id {
        if shape.is_scalar() {
            self.int(0)
        } else {
            self.intern(Node::Zero(Box::new(shape.clone())), shape)
        }
    }

    /// The identity matrix of size `n` (the number 1 when `n` is 1).
    pub fn identity(&mut self, n: Dim) -> Id {
        if n.is_one() {
            self.int(1)
        } else {
            self.intern(
                Node::Identity(Box::new(n.clone())),
                Shape::matrix(n.clone(), n),
            )
        }
    }

    /// The all-ones vector or matrix of a shape (the number 1 for scalars).
    pub fn ones(&mut self, shape: Shape) -> Id {
        if shape.is_scalar() {
            self.int(1)
        } else {
            self.intern(Node::Ones(Box::new(shape.clone())), shape)
        }
    }

    /// `a − b`.
    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        let nb = self.neg(b);
        self.add(&[a, nb])
    }

    /// `−a`.
    pub fn neg(&mut self, a: Id) -> Id {
        self.scale(Number::int(-1), a)
    }

    /// `c · a` for an exact constant `c`.
    pub fn scale(&mut self, c: Number, a: Id) -> Id {
        let c = self.num(c);
        self.mul(&[c, a])
    }

    /// The rational coefficient of a term, without building anything (`None` means 1).
    pub fn leading_coefficient(&self, id: Id) -> Option<&Number> {
        match self.node(id) {
            Node::Num(n) => Some(n),
            Node::Mul(fs) => self.as_number(fs[0]),
            _ => None,
        }
    }

    /// Splits a term into its rational coefficient and the rest (`None` for a pure number).
    pub fn split_coefficient(&mut self, id: Id) -> (Number, Option<Id>) {
        let (c, rest_len) = match self.node(id) {
            Node::Num(n) => return (n.clone(), None),
            Node::Mul(fs) => match self.node(fs[0]) {
                Node::Num(c) => (c.clone(), fs.len() - 1),
                _ => return (Number::one(), Some(id)),
            },
            _ => return (Number::one(), Some(id)),
        };
        (c, Some(self.mul_rest(id, rest_len)))
    }

    /// The factors of the product `id` after its leading coefficient (`rest_len` of them), as one
    /// expression.
    fn mul_rest(&mut self, id: Id, rest_len: usize) -> Id {
        let rest: Ids = match self.node(id) {
            Node::Mul(fs) if rest_len == 1 => return fs[1],
            Node::Mul(fs) => fs[1..].into(),
            _ => return id,
        };
        let shape = self.shape(id).clone();
        self.intern(Node::Mul(rest), shape)
    }

    /// A canonical sum. All terms must have one shape; zeros vanish, like terms merge.
    pub fn add(&mut self, terms: &[Id]) -> Id {
        let Some(&first) = terms.first() else {
            return self.int(0);
        };
        if let [t] = terms {
            // A single canonical term is its own sum.
            if !self.is_zero(*t) && self.is_canonical_atom(*t) {
                return *t;
            }
        }
        let shape = self.shape(first).clone();
        let mut flat = Vec::with_capacity(terms.len());
        for &t in terms {
            match self.node(t) {
                Node::Add(inner) => flat.extend_from_slice(inner),
                _ => flat.push(t),
            }
        }
        if !shape.is_scalar() {
            self.merge_diagonals(&mut flat);
        }
        let mut constant: Option<Number> = None;
        // (the term without its coefficient, the coefficient (`None` for 1), the term itself)
        let mut parts: Vec<(Id, Option<Number>, Id)> = Vec::with_capacity(flat.len());
        let mut literals: Vec<Id> = Vec::new();
        let mut numbers = 0;
        for t in flat {
            let coefficient = match self.node(t) {
                Node::Num(n) if n.is_zero() => {
                    self.note(Rule::AddZero);
                    continue;
                }
                Node::Zero(_) => {
                    self.note(Rule::AddZero);
                    continue;
                }
                Node::Num(n) => {
                    numbers += 1;
                    constant = Some(match constant {
                        Some(c) => &c + n,
                        None => n.clone(),
                    });
                    continue;
                }
                Node::Matrix { .. } => {
                    literals.push(t);
                    continue;
                }
                Node::Mul(fs) => match self.node(fs[0]) {
                    Node::Num(c) => Some((c.clone(), fs.len() - 1)),
                    _ => None,
                },
                _ => None,
            };
            match coefficient {
                Some((c, rest_len)) => {
                    let rest = self.mul_rest(t, rest_len);
                    parts.push((rest, Some(c), t));
                }
                None => parts.push((t, None, t)),
            }
        }
        if numbers > 1 {
            self.note(Rule::NumberArithmetic);
        }
        if literals.len() > 1 {
            self.note(Rule::LiteralMatrixArithmetic);
            literals = vec![self.add_literals(&literals)];
        }
        parts.extend(literals.into_iter().map(|l| (l, None, l)));
        parts.sort_by(|a, b| structural_cmp(self, a.0, b.0));
        // Like terms merge; a term nothing merged into is kept as it is (no rebuilding).
        // (an id, and the coefficient to scale it by when terms merged into it)
        let mut out: Vec<(Id, Option<Number>)> = Vec::with_capacity(parts.len());
        let mut i = 0;
        while i < parts.len() {
            let rest = parts[i].0;
            let mut j = i + 1;
            while parts.get(j).is_some_and(|p| p.0 == rest) {
                j += 1;
            }
            if j == i + 1 {
                out.push((parts[i].2, None));
            } else {
                let one = Number::one();
                let mut acc = parts[i].1.clone().unwrap_or_else(Number::one);
                for p in &parts[i + 1..j] {
                    acc = &acc + p.1.as_ref().unwrap_or(&one);
                    self.note(Rule::CollectLikeTerms);
                }
                if !acc.is_zero() {
                    out.push((rest, Some(acc)));
                }
            }
            i = j;
        }
        let mut ids = Vec::with_capacity(out.len() + 1);
        if let Some(c) = constant.filter(|c| !c.is_zero()) {
            ids.push(self.num(c));
        }
        for (id, c) in out {
            match c {
                None => ids.push(id),
                Some(c) => ids.push(self.scale(c, id)),
            }
        }
        match ids.len() {
            0 => self.zero(shape),
            1 => ids[0],
            _ => self.intern(Node::Add(ids.into()), shape),
        }
    }

    /// Is this a symbol, power, function application or number: a node that the canonical sum
    /// and product of it alone return unchanged?
    fn is_canonical_atom(&self, id: Id) -> bool {
        matches!(
            self.node(id),
            Node::Sym(_) | Node::Num(_) | Node::Pow(..) | Node::Apply(..)
        )
    }

    /// Entrywise sum of literal matrices of one size.
    fn add_literals(&mut self, literals: &[Id]) -> Id {
        let (rows, cols, mut acc) = match self.node(literals[0]) {
            Node::Matrix {
                rows,
                cols,
                entries,
            } => (*rows, *cols, entries.to_vec()),
            _ => unreachable!("add_literals is given literal matrices"),
        };
        for &l in &literals[1..] {
            if let Node::Matrix { entries, .. } = self.node(l).clone() {
                for (a, b) in acc.iter_mut().zip(entries.iter()) {
                    *a = self.add(&[*a, *b]);
                }
            }
        }
        self.matrix(rows, cols, acc)
    }

    /// Splits a sum into its numeric content and primitive part: `2x − 4y` is `−2·(2y − x)`,
    /// `−x − y` is `−1·(x + y)`. The content is the rational gcd of the coefficients, signed so
    /// that the primitive part's last term (in canonical order) is positive.
    pub fn primitive_part(&mut self, sum: Id) -> (Number, Id) {
        // Memoised, except while recording rules (a repeat must record them again).
        let memo = self.trace.is_none();
        if memo {
            if let Some(known) = self.remembered_primitive_part(sum) {
                return known;
            }
        }
        let (content, primitive) = self.primitive_part_uncached(sum);
        if memo && matches!(self.node(sum), Node::Add(_)) {
            self.remember_primitive_part(sum, &content, primitive);
        }
        (content, primitive)
    }

    fn primitive_part_uncached(&mut self, sum: Id) -> (Number, Id) {
        let Node::Add(terms) = self.node(sum).clone() else {
            return (Number::one(), sum);
        };
        let one = Number::one();
        let coefficients: Vec<&Number> = terms
            .iter()
            .map(|&t| self.leading_coefficient(t).unwrap_or(&one))
            .collect();
        let content = content_of(&coefficients);
        if content.is_one() {
            return (content, sum);
        }
        let split: Vec<(Number, Option<Id>)> =
            terms.iter().map(|&t| self.split_coefficient(t)).collect();
        let Some(inverse) = content.recip() else {
            return (Number::one(), sum);
        };
        if let Some(scaled) = self.rescaled_sum(sum, &inverse) {
            return (content, scaled);
        }
        let scaled: Vec<Id> = split
            .into_iter()
            .map(|(c, rest)| {
                let c = &c * &inverse;
                match rest {
                    Some(r) => self.scale(c, r),
                    None => self.num(c),
                }
            })
            .collect();
        (content, self.add(&scaled))
    }

    /// `factor · sum` (`factor` ≠ 0, 1) for a canonical sum of plain scalar terms, built directly:
    /// the terms keep their rests and so their order. `None` when a term is not plain.
    fn rescaled_sum(&mut self, sum: Id, factor: &Number) -> Option<Id> {
        let n = match self.node(sum) {
            Node::Add(terms) => terms.len(),
            _ => return None,
        };
        let mut scaled = Vec::with_capacity(n);
        for k in 0..n {
            let t = match self.node(sum) {
                Node::Add(terms) => terms[k],
                _ => return None,
            };
            scaled.push(self.rescaled(t, factor)?);
        }
        let shape = self.shape(sum).clone();
        Some(self.intern(Node::Add(scaled.into()), shape))
    }

    /// `factor · t` for a plain scalar term `t` of a canonical sum (a number, an atom, or a
    /// product of scalar non-product factors), built directly as the canonical product would be;
    /// `None` for other terms. `factor` is not 1.
    fn rescaled(&mut self, t: Id, factor: &Number) -> Option<Id> {
        if !self.is_scalar(t) {
            return None;
        }
        let (c, from) = match self.node(t) {
            Node::Num(n) => {
                let v = n * factor;
                return Some(self.num(v));
            }
            Node::Sym(_) | Node::Pow(..) | Node::Apply(..) => (factor.clone(), None),
            Node::Mul(fs) => {
                let plain = fs.iter().all(|&f| {
                    self.is_scalar(f) && !matches!(self.node(f), Node::Mul(_) | Node::Add(_))
                });
                if !plain {
                    return None;
                }
                match self.node(fs[0]) {
                    Node::Num(c) => (c * factor, Some(1)),
                    _ => (factor.clone(), Some(0)),
                }
            }
            _ => return None,
        };
        if c.is_zero() {
            return None;
        }
        let Some(skip) = from else {
            let c = self.num(c);
            return Some(self.intern(Node::Mul([c, t].into()), Shape::scalar()));
        };
        if c.is_one() {
            return Some(self.mul_rest(t, self.mul_len(t) - 1));
        }
        let c = self.num(c);
        let factors: Ids = match self.node(t) {
            Node::Mul(fs) => std::iter::once(c)
                .chain(fs[skip..].iter().copied())
                .collect(),
            _ => return None,
        };
        Some(self.intern(Node::Mul(factors), Shape::scalar()))
    }

    /// The number of factors of a product (1 for anything else).
    fn mul_len(&self, id: Id) -> usize {
        match self.node(id) {
            Node::Mul(fs) => fs.len(),
            _ => 1,
        }
    }

    /// A canonical product. Scalar factors commute and are merged (`x·x = x²`); non-scalar factors
    /// keep their order, with `I` dropped, `A·A⁻¹ = I` and `AᵏAʲ = Aᵏ⁺ʲ`.
    pub fn mul(&mut self, factors: &[Id]) -> Id {
        if let [f] = factors {
            // A single canonical factor is its own product.
            if !self.is_zero(*f) && self.is_canonical_atom(*f) {
                return *f;
            }
        }
        if let Some(n) = self.number_product(factors) {
            return n;
        }
        let mut coeff = Number::one();
        let mut scalars: Vec<Id> = Vec::new();
        let mut matrices: Vec<Id> = Vec::new();
        let mut shape = Shape::scalar();
        // The longest range of `scalars` that came from one plain canonical product: already
        // sorted, with primitive sums (long chain-rule products are extended one factor at a time).
        let mut run: Option<std::ops::Range<usize>> = None;
        for &f in factors {
            // (A scalar factor leaves the product's shape as it is.)
            if !self.is_scalar(f) {
                if let Some(s) = shape.product(self.shape(f)) {
                    shape = s;
                }
            }
            let before = scalars.len();
            self.collect_factor(f, &mut coeff, &mut scalars, &mut matrices);
            if scalars.len() - before >= SORTED_RUN
                && self.is_plain_product(f)
                && run
                    .as_ref()
                    .is_none_or(|r| r.len() < scalars.len() - before)
            {
                run = Some(before..scalars.len());
            }
        }
        if coeff.is_zero() || scalars.iter().chain(&matrices).any(|&f| self.is_zero(f)) {
            self.note(Rule::MultiplyByZero);
            return self.zero(shape);
        }
        // A sum among other factors gives its numeric content to the coefficient:
        // Aᵀ(2Ax − 2b) = 2Aᵀ(Ax − b).
        if scalars.len() + matrices.len() > 1 {
            let in_run = |k: usize| run.as_ref().is_some_and(|r| r.contains(&k));
            let (scalars_len, mut k) = (scalars.len(), 0);
            for f in scalars.iter_mut().chain(matrices.iter_mut()) {
                k += 1;
                if k <= scalars_len && in_run(k - 1) {
                    continue;
                }
                if matches!(self.node(*f), Node::Add(_)) {
                    let (content, primitive) = self.primitive_part(*f);
                    if !content.is_one() {
                        self.note(Rule::CommonNumericFactor);
                    }
                    coeff = &coeff * &content;
                    *f = primitive;
                }
            }
        }
        let mut extracted = Vec::new();
        let matrices = self.extract_scalar_chains(matrices, &mut extracted);
        scalars.extend(extracted);
        if scalars.iter().any(|&f| self.divides_entrywise(f).is_some()) {
            let mut factors: Vec<Id> = scalars
                .iter()
                .map(|&f| self.cancelled_inner_product(f).unwrap_or(f))
                .collect();
            factors.push(self.num(coeff));
            factors.extend(matrices);
            return self.mul(&factors);
        }
        let mut scalars = self.merge_scalar_powers(scalars, &mut coeff, run);
        self.merge_exponentials(&mut scalars, &mut coeff);
        self.merge_logistic(&mut scalars);
        if let Some(merged) = self.merge_sign_abs(&scalars) {
            let mut all = Vec::with_capacity(merged.len() + matrices.len() + 1);
            all.push(self.num(coeff));
            all.extend(merged);
            all.extend(matrices);
            return self.mul(&all);
        }
        let matrices = self.merge_matrix_factors(matrices);
        let matrices = self.orient_scalar_chain(matrices);
        // A literal matrix absorbs a numeric coefficient; two adjacent literals multiply out.
        let mut matrices = self.fold_literal_products(matrices);
        // A 1×1 chain among other factors is one scalar factor, as `collect_factor` makes it
        // when the product is itself a factor: `y·wᵀx` is `y·(wᵀx)` however it was built.
        if shape.is_scalar() && matrices.len() > 1 && (!scalars.is_empty() || !coeff.is_one()) {
            // The factors are final here (merged, oriented, contents taken out); building the
            // chain through `mul` again could move a sign back and forth between its ends.
            let chain = self.intern(Node::Mul(matrices.into()), Shape::scalar());
            scalars.push(self.cancelled_inner_product(chain).unwrap_or(chain));
            if !coeff.is_one() {
                scalars.push(self.num(coeff));
            }
            return self.mul(&scalars);
        }
        if matrices.len() == 1 && scalars.is_empty() && !coeff.is_one() {
            if let Node::Matrix {
                rows,
                cols,
                entries,
            } = self.node(matrices[0]).clone()
            {
                let c = coeff.clone();
                let scaled: Vec<Id> = entries.iter().map(|&e| self.scale(c.clone(), e)).collect();
                matrices[0] = self.matrix(rows, cols, scaled);
                coeff = Number::one();
            }
        }
        if coeff.is_zero() {
            return self.zero(shape);
        }
        // A number times a sum distributes: 2(x + y) = 2x + 2y, so −(a + b) cancels a + b.
        if scalars.is_empty() && matrices.len() == 1 && !coeff.is_one() {
            if let Node::Add(terms) = self.node(matrices[0]).clone() {
                self.note(Rule::DistributeNumber);
                let scaled: Vec<Id> = terms
                    .iter()
                    .map(|&t| self.scale(coeff.clone(), t))
                    .collect();
                return self.add(&scaled);
            }
        }
        if scalars.len() == 1 && matrices.is_empty() && !coeff.is_one() {
            if self.trace.is_none() && matches!(self.node(scalars[0]), Node::Add(_)) {
                // (Recording rules takes the general path, which notes the arithmetic it does.)
                if let Some(sum) = self.rescaled_sum(scalars[0], &coeff) {
                    self.note(Rule::DistributeNumber);
                    return sum;
                }
            }
            if let Node::Add(terms) = self.node(scalars[0]).clone() {
                self.note(Rule::DistributeNumber);
                let scaled: Vec<Id> = terms
                    .iter()
                    .map(|&t| self.scale(coeff.clone(), t))
                    .collect();
                return self.add(&scaled);
            }
        }
        let mut out = Vec::with_capacity(1 + scalars.len() + matrices.len());
        if !coeff.is_one() {
            out.push(self.num(coeff));
        }
        out.append(&mut scalars);
        out.extend(matrices);
        match out.len() {
            0 => self.int(1),
            1 => out[0],
            _ => {
                let product = self.intern(Node::Mul(out.into()), shape);
                self.cancelled_inner_product(product).unwrap_or(product)
            }
        }
    }

    /// For an inner product `aᵀb` where one side divides entrywise by the other (`b = c ⊘ a`):
    /// the two vectors.
    fn divides_entrywise(&self, chain: Id) -> Option<(Id, Id)> {
        let Node::Mul(factors) = self.node(chain) else {
            return None;
        };
        let &[first, b] = &factors[..] else {
            return None;
        };
        let Node::Transpose(a) = *self.node(first) else {
            return None;
        };
        if !self.is_scalar(chain) || self.is_scalar(a) || !self.shape(a).cols.is_one() {
            return None;
        }
        let reciprocal_of = |v: Id, by: Id| {
            let power_of_by = |f: Id| {
                matches!(self.node(f), Node::HadamardPow(base, k)
                    if *base == by && self.as_number(*k).is_some_and(Number::is_negative))
            };
            match self.node(v) {
                Node::Hadamard(fs) => fs.iter().any(|&f| power_of_by(f)),
                _ => power_of_by(v),
            }
        };
        (reciprocal_of(b, a) || reciprocal_of(a, b)).then_some((a, b))
    }

    /// `aᵀ(c ⊘ a) = sum(c)`: an inner product whose entrywise product cancels is the sum of it.
    fn cancelled_inner_product(&mut self, chain: Id) -> Option<Id> {
        let (a, b) = self.divides_entrywise(chain)?;
        self.note(Rule::InnerProductCancels);
        let product = self.hadamard(&[a, b]);
        Some(self.apply(Func::Sum, &[product]))
    }

    /// Scalar exponentials multiply into one: `exp(a) exp(b) = exp(a + b)` (so `eˣe⁻ˣ = 1`).
    fn merge_exponentials(&mut self, scalars: &mut Vec<Id>, coeff: &mut Number) {
        let is_exp = |pool: &Pool, f: Id| matches!(pool.node(f), Node::Apply(Func::Exp, _));
        if scalars.iter().filter(|&&f| is_exp(self, f)).count() < 2 {
            return;
        }
        self.note(Rule::ExponentialsMultiply);
        let mut exponents = Vec::new();
        scalars.retain(|&f| match self.node(f) {
            Node::Apply(Func::Exp, args) => {
                exponents.push(args[0]);
                false
            }
            _ => true,
        });
        let sum = self.add(&exponents);
        let merged = self.apply(Func::Exp, &[sum]);
        match self.as_number(merged) {
            Some(n) => *coeff = &*coeff * n,
            None => {
                scalars.push(merged);
                scalars.sort_by(|a, b| structural_cmp(self, *a, *b));
            }
        }
    }

    /// `eᵗ/(1 + eᵗ) = eᵗ·σ(−t) = σ(t)`: the factors `exp(t)` and `1/(exp(t) + 1)` (or `σ(−t)`)
    /// of a product, or operands of an elementwise one, become `σ(t)`, in order among sorted
    /// factors.
    /// `sign(u)·|u|ᵏ = u·|u|ᵏ⁻¹` for an integer k > 0, `= |u|ᵏ⁺¹/u` for k < 0 (so
    /// `sign(u)·|u| = u`, `sign(u)/|u| = 1/u` where u ≠ 0, the only place the latter has a
    /// value) and `sign(u)·u = |u|`, for the first
    /// such pair among scalar factors: the factors with the pair replaced, or `None` when there
    /// is none (`d/dx log|x|` is 1/x, not sign(x)/|x|; `d/dx |x|³` is 3x|x|).
    fn merge_sign_abs(&mut self, factors: &[Id]) -> Option<Vec<Id>> {
        let sign_of = |pool: &Pool, f: Id| match pool.node(f) {
            Node::Apply(Func::Sign, args) if args.len() == 1 => Some(args[0]),
            _ => None,
        };
        let (i, u) = factors
            .iter()
            .enumerate()
            .find_map(|(i, &f)| sign_of(self, f).map(|u| (i, u)))?;
        let abs_of_u = |pool: &Pool, f: Id| matches!(pool.node(f), Node::Apply(Func::Abs, args) if args[..] == [u]);
        // (which factor, the power of |u| it is; 0 for u itself)
        let (j, k) = factors.iter().enumerate().find_map(|(j, &f)| {
            if j == i {
                return None;
            }
            if f == u {
                return Some((j, 0));
            }
            if abs_of_u(self, f) {
                return Some((j, 1));
            }
            match self.node(f) {
                Node::Pow(b, e) if abs_of_u(self, *b) => {
                    let k = self.as_number(*e)?.to_i64()?;
                    (k != 0).then_some((j, k))
                }
                _ => None,
            }
        })?;
        self.note(Rule::SignTimesAbs);
        // sign(u) = u/|u| = |u|/u: one |u| traded for u, upward for k > 0, downward for k < 0.
        let replacement = if k == 0 {
            self.apply(Func::Abs, &[u])
        } else {
            let abs = self.apply(Func::Abs, &[u]);
            let (side, rest) = if k > 0 { (1, k - 1) } else { (-1, k + 1) };
            let u_side = self.powi(u, side);
            let rest = self.powi(abs, rest);
            self.mul(&[u_side, rest])
        };
        let mut out: Vec<Id> = factors
            .iter()
            .enumerate()
            .filter(|&(m, _)| m != i && m != j)
            .map(|(_, &f)| f)
            .collect();
        out.push(replacement);
        Some(out)
    }

    fn merge_logistic(&mut self, factors: &mut Vec<Id>) {
        let exponent = factors.iter().find_map(|&f| match self.node(f) {
            Node::Apply(Func::Exp, args) => Some((f, args[0])),
            _ => None,
        });
        let Some((exp, t)) = exponent else {
            return;
        };
        // −t is built once, and only if there is a σ to compare it with: a product can hold
        // many σ factors (a deep composition's derivative does), and negating each of them
        // made such products cost quadratic time.
        let minus_t = factors
            .iter()
            .any(|&f| matches!(self.node(f), Node::Apply(Func::Sigmoid, _)))
            .then(|| self.neg(t));
        let partner = |pool: &Pool, f: Id| match *pool.node(f) {
            Node::Apply(Func::Sigmoid, ref args) => Some(args[0]) == minus_t,
            Node::Pow(sum, k) | Node::HadamardPow(sum, k) => {
                pool.as_number(k).is_some_and(|k| k == &Number::int(-1))
                    && pool.exp_plus_one(sum) == Some(t)
            }
            _ => false,
        };
        let Some(at) = factors.iter().position(|&f| partner(self, f)) else {
            return;
        };
        self.note(Rule::Logistic);
        factors.remove(at);
        factors.retain(|&f| f != exp);
        let sigma = self.apply(Func::Sigmoid, &[t]);
        // Inserted in order rather than sorting the product anew (a long product sorts slowly).
        let at = factors.partition_point(|&f| structural_cmp(self, f, sigma).is_lt());
        factors.insert(at, sigma);
    }

    /// `v` when `sum` is exactly `exp(v) + 1` (or, entrywise, `exp(v) + 𝟙`).
    fn exp_plus_one(&self, sum: Id) -> Option<Id> {
        let Node::Add(terms) = self.node(sum) else {
            return None;
        };
        let &[a, b] = &terms[..] else {
            return None;
        };
        let is_one = |one: Id| {
            matches!(self.node(one), Node::Ones(_))
                || self.as_number(one).is_some_and(|n| n.is_one())
        };
        [(a, b), (b, a)]
            .into_iter()
            .find_map(|(e, one)| match self.node(e) {
                Node::Apply(Func::Exp, args) if is_one(one) => Some(args[0]),
                _ => None,
            })
    }

    /// `(1 + e⁻ᵗ)ᵏ = σ(t)⁻ᵏ` for a negative integer `k` (entrywise too), when `sum` is exactly
    /// `exp(−t) + 1` with `−t` a negated product; `1/(1 + eᵗ)` is left as written.
    fn logistic_power(&mut self, sum: Id, k: i64) -> Option<Id> {
        if k >= 0 {
            return None;
        }
        let v = self.exp_plus_one(sum)?;
        if !matches!(self.node(v), Node::Mul(_)) || !self.split_coefficient(v).0.is_negative() {
            return None;
        }
        self.note(Rule::Logistic);
        let t = self.neg(v);
        let sigma = self.apply(Func::Sigmoid, &[t]);
        Some(if self.is_scalar(sigma) {
            let power = self.int(-k);
            self.pow(sigma, power)
        } else {
            self.hadamard_pow(sigma, &Number::int(-k))
        })
    }

    /// The product of factors that are all numbers, folded (`None` otherwise).
    fn number_product(&mut self, factors: &[Id]) -> Option<Id> {
        if factors.len() < 2 || !factors.iter().all(|&f| self.as_number(f).is_some()) {
            return None;
        }
        let mut coeff = Number::one();
        let mut arithmetic = false;
        for &f in factors {
            let n = self.as_number(f)?;
            arithmetic |= !coeff.is_one() && !n.is_one();
            if !n.is_one() {
                coeff = &coeff * n;
            }
        }
        if arithmetic {
            self.note(Rule::NumberArithmetic);
        }
        if coeff.is_zero() {
            self.note(Rule::MultiplyByZero);
        }
        Some(self.num(coeff))
    }

    fn collect_factor(
        &mut self,
        f: Id,
        coeff: &mut Number,
        scalars: &mut Vec<Id>,
        matrices: &mut Vec<Id>,
    ) {
        match self.node(f) {
            Node::Num(n) => {
                let arithmetic = !coeff.is_one() && !n.is_one();
                if !n.is_one() {
                    *coeff = &*coeff * n;
                }
                if arithmetic {
                    self.note(Rule::NumberArithmetic);
                }
            }
            Node::Mul(inner) => {
                let scalar_chain = self.is_scalar(f) && inner.iter().any(|&g| !self.is_scalar(g));
                if scalar_chain {
                    // A 1×1 matrix product such as xᵀAx is one scalar factor; its coefficient
                    // and scalar factors still come out.
                    let inner = inner.to_vec();
                    let (mut c2, mut s2, mut m2) = (Number::one(), Vec::new(), Vec::new());
                    for g in inner {
                        self.collect_factor(g, &mut c2, &mut s2, &mut m2);
                    }
                    *coeff = &*coeff * &c2;
                    scalars.extend(s2);
                    let chain = self.intern(Node::Mul(m2.into()), Shape::scalar());
                    scalars.push(chain);
                } else {
                    let len = inner.len();
                    scalars.reserve(len);
                    for k in 0..len {
                        let g = match self.node(f) {
                            Node::Mul(inner) => inner[k],
                            _ => continue,
                        };
                        // Plain scalar factors (most of a canonical product) go straight in.
                        match self.node(g) {
                            Node::Num(_) | Node::Mul(_) | Node::Identity(_) => {}
                            _ if self.is_scalar(g) => {
                                scalars.push(g);
                                continue;
                            }
                            _ => {}
                        }
                        self.collect_factor(g, coeff, scalars, matrices);
                    }
                }
            }
            Node::Identity(_) if !matrices.is_empty() => self.note(Rule::IdentityFactor),
            _ if self.is_scalar(f) => scalars.push(f),
            _ => {
                if let Some(&last) = matrices.last() {
                    if matches!(self.node(last), Node::Identity(_)) {
                        matrices.pop();
                    }
                }
                matrices.push(f);
            }
        }
    }

    /// Sorts scalar factors and merges equal bases by adding exponents. A merged power that
    /// turns into another base (`√(−t)·√(−t) = −t`, `(√6)¹ = √6`) may meet a factor already
    /// there (`t`, `√6`): the merge runs again until no base repeats (a few rounds at most).
    fn merge_scalar_powers(
        &mut self,
        scalars: Vec<Id>,
        coeff: &mut Number,
        sorted: Option<std::ops::Range<usize>>,
    ) -> Vec<Id> {
        const MAX_ROUNDS: usize = 8;
        let (mut scalars, mut rebased) = self.merge_scalar_powers_once(scalars, coeff, sorted);
        for _ in 1..MAX_ROUNDS {
            if !rebased {
                break;
            }
            (scalars, rebased) = self.merge_scalar_powers_once(scalars, coeff, None);
        }
        scalars
    }

    /// One round of [`Pool::merge_scalar_powers`]; also says whether a merged power changed
    /// its base (so equal bases may repeat again).
    fn merge_scalar_powers_once(
        &mut self,
        scalars: Vec<Id>,
        coeff: &mut Number,
        sorted: Option<std::ops::Range<usize>>,
    ) -> (Vec<Id>, bool) {
        let scalars = self.sort_factors(scalars, sorted);
        let base_of = |pool: &Pool, id: Id| match pool.node(id) {
            Node::Pow(b, _) if pool.is_scalar(id) => *b,
            _ => id,
        };
        // Equal bases sort next to each other; when none repeat there is nothing to merge.
        if scalars
            .windows(2)
            .all(|w| base_of(self, w[0]) != base_of(self, w[1]))
        {
            return (scalars, false);
        }
        self.note(Rule::ProductOfPowers);
        // (base, exponent, the factor itself while nothing merged into it)
        let mut out: Vec<(Id, Id, Option<Id>)> = Vec::with_capacity(scalars.len());
        for s in scalars {
            let (base, exp) = self.base_exponent(s);
            match out.last_mut() {
                Some((b, e, single)) if *b == base => {
                    let sum = self.add(&[*e, exp]);
                    *e = sum;
                    *single = None;
                }
                _ => out.push((base, exp, Some(s))),
            }
        }
        let mut result = Vec::with_capacity(out.len());
        // The factors are in order of their bases, which are now distinct; the order holds
        // unless a merged power is a product or has another base.
        let mut in_order = true;
        for (b, e, single) in out {
            // A canonical factor nothing merged into is its own power (rebuilt only while rules
            // are recorded, as rebuilding notes them).
            let p = match single {
                Some(s) if self.trace.is_none() => s,
                _ => self.pow(b, e),
            };
            match self.node(p) {
                Node::Num(n) => *coeff = &*coeff * n,
                Node::Mul(_) => {
                    let mut ms = Vec::new();
                    self.collect_factor(p, coeff, &mut result, &mut ms);
                    in_order = false;
                }
                // A power that became a sum (√(s + ¼)·√(s + ¼) = s + ¼) gives its numeric
                // content to the coefficient, as every sum among factors does.
                Node::Add(_) if single.is_none() => {
                    let (content, primitive) = self.primitive_part(p);
                    *coeff = &*coeff * &content;
                    in_order &= primitive == p && base_of(self, p) == b;
                    result.push(primitive);
                }
                _ => {
                    in_order &= base_of(self, p) == b;
                    result.push(p);
                }
            }
        }
        if !in_order {
            result.sort_by(|a, b| structural_cmp(self, *a, *b));
        }
        (result, !in_order)
    }

    /// Sorts scalar factors canonically; those in the range `sorted` are in order already, and
    /// the others are merged into them by binary search.
    fn sort_factors(
        &self,
        mut scalars: Vec<Id>,
        sorted: Option<std::ops::Range<usize>>,
    ) -> Vec<Id> {
        let Some(run) = sorted.filter(|r| r.end <= scalars.len()) else {
            scalars.sort_by(|a, b| structural_cmp(self, *a, *b));
            return scalars;
        };
        let mut others: Vec<Id> = scalars[..run.start]
            .iter()
            .chain(&scalars[run.end..])
            .copied()
            .collect();
        others.sort_by(|a, b| structural_cmp(self, *a, *b));
        let ordered = &scalars[run];
        let mut out = Vec::with_capacity(scalars.len());
        let mut from = 0;
        for o in others {
            let at = from
                + ordered[from..]
                    .partition_point(|&x| structural_cmp(self, x, o) == Ordering::Less);
            out.extend_from_slice(&ordered[from..at]);
            out.push(o);
            from = at;
        }
        out.extend_from_slice(&ordered[from..]);
        out
    }

    /// Is this a canonical product of scalar factors none of which is a product (its factors
    /// after the coefficient are sorted and its sums primitive)?
    fn is_plain_product(&self, id: Id) -> bool {
        match self.node(id) {
            Node::Mul(fs) => {
                self.is_scalar(id)
                    && fs
                        .iter()
                        .all(|&f| self.is_scalar(f) && !matches!(self.node(f), Node::Mul(_)))
            }
            _ => false,
        }
    }

    /// `(base, exponent)` of a scalar factor (`x` is `(x, 1)`).
    pub fn base_exponent(&mut self, id: Id) -> (Id, Id) {
        match self.node(id) {
            Node::Pow(b, e) if self.is_scalar(id) => (*b, *e),
            _ => (id, self.int(1)),
        }
    }

    /// Merges adjacent equal square factors into powers and drops identities.
    fn merge_matrix_factors(&mut self, matrices: Vec<Id>) -> Vec<Id> {
        let mut out: Vec<Id> = Vec::with_capacity(matrices.len());
        for m in matrices {
            if matches!(self.node(m), Node::Identity(_)) && !out.is_empty() {
                continue;
            }
            let (base, exp) = self.matrix_base_exponent(m);
            let merged = out.last().copied().and_then(|last| {
                let (lb, le) = self.matrix_base_exponent(last);
                let literal = matches!(self.node(base), Node::Matrix { .. });
                (lb == base && self.shape(base).is_square() && !literal).then_some(le)
            });
            match merged {
                Some(le) => {
                    out.pop();
                    let e = self.add(&[le, exp]);
                    let p = self.pow(base, e);
                    self.note(if matches!(self.node(p), Node::Identity(_)) {
                        Rule::InverseCancels
                    } else {
                        Rule::ProductOfPowers
                    });
                    if !matches!(self.node(p), Node::Identity(_)) || out.is_empty() {
                        out.push(p);
                    }
                }
                None => out.push(m),
            }
        }
        if out.len() > 1 {
            out.retain(|&m| !matches!(self.node(m), Node::Identity(_)));
        }
        out
    }

    fn matrix_base_exponent(&mut self, id: Id) -> (Id, Id) {
        match self.node(id) {
            Node::Pow(b, e) if !self.is_scalar(*b) => (*b, *e),
            _ => (id, self.int(1)),
        }
    }

    /// Pulls every 1×1 sub-chain (a row vector through a column vector, as in `2vᵀuv`) out of a
    /// longer matrix product as one scalar factor, so `2vᵀuv` and `2(uᵀv)v` are one expression.
    fn extract_scalar_chains(&mut self, mut matrices: Vec<Id>, scalars: &mut Vec<Id>) -> Vec<Id> {
        let mut start = 0;
        while start < matrices.len() {
            if !self.shape(matrices[start]).rows.is_one() {
                start += 1;
                continue;
            }
            let mut found = None;
            for end in start + 1..matrices.len() {
                if self.shape(matrices[end - 1]).cols != self.shape(matrices[end]).rows {
                    break;
                }
                if self.shape(matrices[end]).cols.is_one() {
                    found = Some(end);
                    break;
                }
            }
            match found {
                Some(end) if start > 0 || end + 1 < matrices.len() => {
                    self.note(Rule::ScalarProductCommutes);
                    let chain: Vec<Id> = matrices.drain(start..=end).collect();
                    let chain = self.orient_scalar_chain(chain);
                    scalars.push(self.intern(Node::Mul(chain.into()), Shape::scalar()));
                }
                _ => start += 1,
            }
        }
        matrices
    }

    /// A 1×1 chain equals its transpose: keep the structurally smaller of the two orientations.
    fn orient_scalar_chain(&mut self, matrices: Vec<Id>) -> Vec<Id> {
        if matrices.len() < 2 {
            return matrices;
        }
        let first_rows = self.shape(matrices[0]).rows.clone();
        let last_cols = self.shape(matrices[matrices.len() - 1]).cols.clone();
        if !(first_rows.is_one() && last_cols.is_one()) {
            return matrices;
        }
        let flipped: Vec<Id> = matrices.iter().rev().map(|&m| self.transpose(m)).collect();
        for (a, b) in matrices.iter().zip(&flipped) {
            match structural_cmp(self, *a, *b) {
                Ordering::Less => return matrices,
                Ordering::Greater => {
                    self.note(Rule::ScalarEqualsTranspose);
                    return flipped;
                }
                Ordering::Equal => {}
            }
        }
        matrices
    }

    /// Multiplies adjacent literal matrices.
    fn fold_literal_products(&mut self, matrices: Vec<Id>) -> Vec<Id> {
        let mut out: Vec<Id> = Vec::with_capacity(matrices.len());
        for m in matrices {
            let product = out
                .last()
                .copied()
                .and_then(|last| self.literal_product(last, m));
            match product {
                Some(p) => {
                    self.note(Rule::LiteralMatrixArithmetic);
                    out.pop();
                    out.push(p);
                }
                None => out.push(m),
            }
        }
        out
    }

    fn literal_product(&mut self, a: Id, b: Id) -> Option<Id> {
        let (
            Node::Matrix {
                rows: r,
                cols: k,
                entries: ea,
            },
            Node::Matrix {
                rows: k2,
                cols: c,
                entries: eb,
            },
        ) = (self.node(a).clone(), self.node(b).clone())
        else {
            return None;
        };
        if k != k2 || (r as u64) * (c as u64) * (k as u64) > 1 << 16 {
            return None;
        }
        let (r, k, c) = (r as usize, k as usize, c as usize);
        let mut entries = Vec::with_capacity(r * c);
        for i in 0..r {
            for j in 0..c {
                let terms: Vec<Id> = (0..k)
                    .map(|l| self.mul(&[ea[i * k + l], eb[l * c + j]]))
                    .collect();
                entries.push(self.add(&terms));
            }
        }
        Some(self.matrix(r as u32, c as u32, entries))
    }

    /// `a / b` for a scalar `b`.
    pub fn div(&mut self, a: Id, b: Id) -> Id {
        let inv = self.powi(b, -1);
        self.mul(&[a, inv])
    }

    /// `base^k` for an integer `k`.
    pub fn powi(&mut self, base: Id, k: i64) -> Id {
        let e = self.int(k);
        self.pow(base, e)
    }

    /// `√a` (as `a^(1/2)`).
    pub fn sqrt(&mut self, a: Id) -> Id {
        let half = self.num(Number::ratio(1, 2));
        self.pow(a, half)
    }

    /// The inverse of a square matrix, or the reciprocal of a scalar.
    pub fn inverse(&mut self, a: Id) -> Id {
        self.powi(a, -1)
    }

    /// A canonical power. Scalars: `x⁰ = 1`, `x¹ = x`, exact folding of rational powers within
    /// limits, `(xᵃ)ᵏ = xᵃᵏ` and `(xy)ᵏ = xᵏyᵏ` for integer `k` (and `(cᵃ)ᵏ = cᵃᵏ` for any `k` when
    /// `c` is a positive number). Square matrices: integer powers,
    /// `A⁰ = I`, `(AB)⁻¹ = B⁻¹A⁻¹`, `(cA)⁻¹ = c⁻¹A⁻¹`.
    pub fn pow(&mut self, base: Id, exp: Id) -> Id {
        let k = self.as_number(exp).cloned();
        if let Some(k) = &k {
            if k.is_zero() {
                self.note(Rule::ZeroPower);
                return if self.is_scalar(base) {
                    self.int(1)
                } else {
                    let n = self.shape(base).rows.clone();
                    self.identity(n)
                };
            }
            if k.is_one() {
                self.note(Rule::FirstPower);
                return base;
            }
        }
        if !self.is_scalar(base) {
            return self.matrix_pow(base, exp, k);
        }
        let integer_k = k.as_ref().and_then(|k| k.to_i64());
        match self.node(base).clone() {
            // (eᵃ)ᵇ = eᵃᵇ for real a and b: `e^(3x)` is exp(3x).
            Node::Apply(Func::Exp, args) => {
                self.note(Rule::PowerOfPower);
                let product = self.mul(&[args[0], exp]);
                return self.apply(Func::Exp, &[product]);
            }
            Node::Num(b) => {
                // 1ˣ = 1 for every real x.
                if b.is_one() {
                    self.note(Rule::NumberArithmetic);
                    return base;
                }
                if let Some(k) = &k {
                    if let Some(v) = self.fold_number_pow(&b, k) {
                        self.note(Rule::NumberArithmetic);
                        return self.num(v);
                    }
                }
            }
            Node::Pow(b, e) => {
                if let Some(k) = integer_k {
                    self.note(Rule::PowerOfPower);
                    let ke = self.scale(Number::int(k), e);
                    return self.pow(b, ke);
                }
                // A positive number's powers multiply for any exponent: √(√6) = 6^(1/4), so a
                // product meets it as a power of 6 (√6·√(√6)·√(√6) = 6).
                let positive_number =
                    matches!(self.node(b), Node::Num(n) if !n.is_negative() && !n.is_zero());
                if let (Some(k), true) = (&k, positive_number) {
                    self.note(Rule::PowerOfPower);
                    let ke = self.scale(k.clone(), e);
                    return self.pow(b, ke);
                }
            }
            Node::Add(_) if integer_k.is_some() => {
                if let Some(sigma) = integer_k.and_then(|k| self.logistic_power(base, k)) {
                    return sigma;
                }
                // (c·S)ᵏ = cᵏ·Sᵏ, so (4t − 4s)⁻¹ and ¼(t − s)⁻¹ are one expression. An even power
                // keeps the sum's orientation: (1 − x)² stays as written.
                let (mut content, mut primitive) = self.primitive_part(base);
                if integer_k.is_some_and(|k| k % 2 == 0) && content.is_negative() {
                    content = content.abs();
                    primitive = self.neg(primitive);
                }
                if !content.is_one() {
                    self.note(Rule::PowerOfProduct);
                    let c = self.num(content);
                    let (ck, sk) = (self.pow(c, exp), self.pow(primitive, exp));
                    return self.mul(&[ck, sk]);
                }
            }
            Node::Mul(fs) if integer_k.is_some() && fs.iter().all(|&f| self.is_scalar(f)) => {
                self.note(Rule::PowerOfProduct);
                let powered: Vec<Id> = fs.iter().map(|&f| self.pow(f, exp)).collect();
                return self.mul(&powered);
            }
            _ => {}
        }
        self.intern(Node::Pow(base, exp), Shape::scalar())
    }

    fn fold_number_pow(&self, b: &Number, k: &Number) -> Option<Number> {
        if let Some(ki) = k.to_i64() {
            if ki.unsigned_abs() > self.limits.max_exponent {
                return None;
            }
            return b.pow_checked(ki, self.limits.max_number_bits);
        }
        // b^(p/q) with an exact q-th root.
        let (p, q) = k.to_i64_parts()?;
        let q = u32::try_from(q).ok()?;
        if q > 64 || p.unsigned_abs() > self.limits.max_exponent {
            return None;
        }
        b.exact_root(q)?.pow_checked(p, self.limits.max_number_bits)
    }

    fn matrix_pow(&mut self, base: Id, exp: Id, k: Option<Number>) -> Id {
        let shape = self.shape(base).clone();
        let integer_k = k.as_ref().and_then(|k| k.to_i64());
        match self.node(base).clone() {
            Node::Identity(_) => return base,
            Node::Pow(b, e) if integer_k.is_some() => {
                let ke = self.mul(&[exp, e]);
                return self.pow(b, ke);
            }
            Node::Mul(fs) if integer_k == Some(-1) => {
                let square = fs
                    .iter()
                    .all(|&f| self.is_scalar(f) || self.shape(f).is_square());
                if square {
                    self.note(Rule::InverseOfProduct);
                    let inverted: Vec<Id> = fs.iter().rev().map(|&f| self.pow(f, exp)).collect();
                    return self.mul(&inverted);
                }
            }
            _ => {}
        }
        self.intern(Node::Pow(base, exp), shape)
    }

    /// A canonical transpose: pushed through sums, products, powers and elementwise functions onto
    /// symbols; `(Aᵀ)ᵀ = A`; symmetric symbols, `I` and scalars are their own transpose.
    pub fn transpose(&mut self, a: Id) -> Id {
        if self.is_scalar(a) {
            return a;
        }
        let shape = self.shape(a).transposed();
        match self.node(a).clone() {
            Node::Transpose(inner) => {
                self.note(Rule::TransposeOfTranspose);
                inner
            }
            Node::Sym(s) if self.symbol(s).assumptions.symmetric => {
                self.note(Rule::SymmetricTranspose);
                a
            }
            Node::Identity(_) => a,
            Node::Ones(_) => self.ones(shape),
            Node::Zero(_) => self.zero(shape),
            Node::Add(ts) => {
                self.note(Rule::TransposeOfSum);
                let ts: Vec<Id> = ts.iter().map(|&t| self.transpose(t)).collect();
                self.add(&ts)
            }
            Node::Mul(fs) => {
                self.note(Rule::TransposeOfProduct);
                let fs: Vec<Id> = fs.iter().rev().map(|&f| self.transpose(f)).collect();
                self.mul(&fs)
            }
            Node::Pow(b, e) => {
                let bt = self.transpose(b);
                self.pow(bt, e)
            }
            Node::Hadamard(fs) => {
                let fs: Vec<Id> = fs.iter().map(|&f| self.transpose(f)).collect();
                self.hadamard(&fs)
            }
            Node::Kron(x, y) => {
                let (xt, yt) = (self.transpose(x), self.transpose(y));
                self.kron(xt, yt)
            }
            Node::Apply(f, args) if f.is_elementwise() || f == Func::Pinv => {
                let t = self.transpose(args[0]);
                self.apply(f, &[t])
            }
            Node::Apply(Func::Diag, args)
                if !self.is_scalar(args[0]) && self.shape(args[0]).cols.is_one() =>
            {
                a
            }
            Node::Matrix {
                rows,
                cols,
                entries,
            } => {
                let (r, c) = (rows as usize, cols as usize);
                let t: Vec<Id> = (0..c)
                    .flat_map(|j| (0..r).map(move |i| (i, j)))
                    .map(|(i, j)| entries[i * c + j])
                    .collect();
                self.matrix(cols, rows, t)
            }
            _ => self.intern(Node::Transpose(a), shape),
        }
    }

    /// A canonical elementwise product: flattened, sorted, scalar factors (`(s𝟙) ⊙ x = sx`) and
    /// coefficients pulled out, `𝟙` dropped.
    pub fn hadamard(&mut self, operands: &[Id]) -> Id {
        let Some(&first) = operands.first() else {
            return self.int(1);
        };
        let shape = self.shape(first).clone();
        if shape.is_scalar() {
            return self.mul(operands);
        }
        let mut coeff = Number::one();
        let mut scalars: Vec<Id> = Vec::new();
        let mut flat: Vec<Id> = Vec::new();
        for &o in operands {
            let (c, rest) = self.split_coefficient(o);
            coeff = &coeff * &c;
            let Some(rest) = rest else { continue };
            let rest = self.pull_scalar_factors(rest, &mut scalars);
            match self.node(rest) {
                Node::Hadamard(inner) => flat.extend_from_slice(inner),
                Node::Ones(_) => {}
                _ => flat.push(rest),
            }
        }
        if coeff.is_zero() || flat.iter().any(|&f| self.is_zero(f)) {
            return self.zero(shape);
        }
        let mut flat = self.merge_elementwise_powers(flat, &mut scalars);
        self.merge_logistic(&mut flat);
        if flat.iter().any(|&f| self.is_zero(f)) {
            return self.zero(shape);
        }
        flat.sort_by(|a, b| structural_cmp(self, *a, *b));
        let core = match flat.len() {
            0 => self.ones(shape),
            1 => flat[0],
            _ => self.intern(Node::Hadamard(flat.into()), shape),
        };
        scalars.push(self.num(coeff));
        scalars.push(core);
        self.mul(&scalars)
    }

    /// Terms that differ only in the vector of one `diag` factor become one, as `diag` is
    /// linear: `α diag(a) − diag(b) = diag(αa − b)`, `Lᵀdiag(a)R + Lᵀdiag(b)R = Lᵀdiag(a + b)R`,
    /// so the vectors' terms can merge and cancel.
    fn merge_diagonals(&mut self, terms: &mut Vec<Id>) {
        // (term index, matrices before the diag, matrices after it, the scaled vector)
        let mut found: Vec<(usize, Vec<Id>, Vec<Id>, Id)> = Vec::new();
        for (i, &t) in terms.iter().enumerate() {
            let factors: Vec<Id> = match self.node(t) {
                Node::Mul(fs) => fs.to_vec(),
                Node::Apply(Func::Diag, _) => vec![t],
                _ => continue,
            };
            let is_diag = |pool: &Pool, f: Id| matches!(pool.node(f), Node::Apply(Func::Diag, args) if pool.shape(args[0]).cols.is_one() && !pool.is_scalar(args[0]));
            let diags: Vec<usize> = (0..factors.len())
                .filter(|&k| is_diag(self, factors[k]))
                .collect();
            let [k] = diags[..] else { continue };
            let split = factors
                .iter()
                .position(|&f| !self.is_scalar(f))
                .unwrap_or(k);
            let Node::Apply(_, args) = self.node(factors[k]) else {
                continue;
            };
            let mut vector_factors = factors[..split].to_vec();
            vector_factors.push(args[0]);
            let vector = self.mul(&vector_factors);
            found.push((
                i,
                factors[split..k].to_vec(),
                factors[k + 1..].to_vec(),
                vector,
            ));
        }
        if found.len() < 2 {
            return;
        }
        let mut merged_away: Vec<usize> = Vec::new();
        let mut merged: Vec<Id> = Vec::new();
        let mut used = vec![false; found.len()];
        for a in 0..found.len() {
            if used[a] {
                continue;
            }
            let group: Vec<usize> = (a..found.len())
                .filter(|&b| !used[b] && found[b].1 == found[a].1 && found[b].2 == found[a].2)
                .collect();
            if group.len() < 2 {
                continue;
            }
            self.note(Rule::DiagonalOfSum);
            let vectors: Vec<Id> = group.iter().map(|&g| found[g].3).collect();
            let sum = self.add(&vectors);
            for &g in &group {
                used[g] = true;
                merged_away.push(found[g].0);
            }
            if self.is_zero(sum) {
                continue;
            }
            let mut factors = found[a].1.clone();
            factors.push(self.apply(Func::Diag, &[sum]));
            factors.extend_from_slice(&found[a].2);
            merged.push(self.mul(&factors));
        }
        if merged_away.is_empty() {
            return;
        }
        let mut k = 0;
        terms.retain(|_| {
            k += 1;
            !merged_away.contains(&(k - 1))
        });
        terms.extend(merged);
    }

    /// The factors of an elementwise product with the powers of each base merged (`x ⊙ x` is
    /// `x^⊙2`, `x ⊘ x` is `𝟙` and drops out), in first-seen order of their bases.
    fn merge_elementwise_powers(&mut self, factors: Vec<Id>, scalars: &mut Vec<Id>) -> Vec<Id> {
        // A power that is itself the base of another factor's power stays whole, so
        // `(x ⊙ x) ⊙ √(x ⊙ x)` is (x^⊙2)^⊙(3/2), as that prints (not x^⊙2 ⊙ (x^⊙2)^⊙½).
        let powered_powers: Vec<Id> = factors
            .iter()
            .filter_map(|&f| match self.node(f) {
                Node::HadamardPow(b, _) if matches!(self.node(*b), Node::HadamardPow(..)) => {
                    Some(*b)
                }
                _ => None,
            })
            .collect();
        // Likewise a product that is the base of a power: `(a ⊙ b) ⊙ √(a ⊙ b)` is
        // (a ⊙ b)^⊙(3/2), the factors a and b joining the power of their product.
        let mut factors = factors;
        let powered_products: Vec<(Id, Vec<Id>)> = factors
            .iter()
            .filter_map(|&f| match self.node(f) {
                Node::HadamardPow(b, _) => match self.node(*b) {
                    Node::Hadamard(parts) => Some((*b, parts.to_vec())),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for (product, parts) in powered_products {
            let mut rest = factors.clone();
            let all_there = parts
                .iter()
                .all(|p| match rest.iter().position(|f| f == p) {
                    Some(k) => {
                        rest.remove(k);
                        true
                    }
                    None => false,
                });
            if all_there {
                rest.push(product);
                factors = rest;
            }
        }
        let mut bases: Vec<(Id, Number)> = Vec::with_capacity(factors.len());
        for f in factors {
            let (base, k) = match self.node(f) {
                _ if powered_powers.contains(&f) => (f, Number::one()),
                Node::HadamardPow(b, e) => match self.as_number(*e) {
                    Some(k) => (*b, k.clone()),
                    None => (f, Number::one()),
                },
                _ => (f, Number::one()),
            };
            match bases.iter_mut().find(|(b, _)| *b == base) {
                Some((_, total)) => {
                    self.note(Rule::ElementwisePowers);
                    *total = &*total + &k;
                }
                None => bases.push((base, k)),
            }
        }
        // An integer power of `x` joins a power of a scalar multiple `cx` (as `(cx)^⊙k / cᵏ`),
        // so `x ⊙ √(−x)` is `−(−x)^⊙(3/2)`, as `(−x) ⊙ √(−x)` is built.
        let mut i = 0;
        while i < bases.len() {
            let (base, k) = (bases[i].0, bases[i].1.clone());
            // `x^⊙k` as `m` powers of the multiple's core: the core is `x` (m = k) or `x^⊙j`
            // with j dividing k (m = k/j).
            let times = |pool: &Pool, core: Id| -> Option<i64> {
                let ki = k.to_i64().filter(|_| k.is_integer())?;
                if core == base {
                    return Some(ki);
                }
                match pool.node(core) {
                    Node::HadamardPow(b, e) if *b == base => {
                        let j = pool.as_number(*e)?.to_i64()?;
                        (j != 0 && ki % j == 0).then(|| ki / j)
                    }
                    _ => None,
                }
            };
            let multiple = bases.iter().enumerate().find_map(|(j, &(other, _))| {
                let Node::Mul(fs) = self.node(other) else {
                    return None;
                };
                let (&core, rest) = fs.split_last()?;
                if !rest.iter().all(|&f| self.is_scalar(f)) {
                    return None;
                }
                times(self, core).map(|m| (j, m))
            });
            let Some((j, m)) = multiple else {
                i += 1;
                continue;
            };
            let Node::Mul(fs) = self.node(bases[j].0).clone() else {
                i += 1;
                continue;
            };
            self.note(Rule::ElementwisePowers);
            let c = self.mul(&fs[..fs.len() - 1]);
            scalars.push(self.powi(c, -m));
            bases[j].1 = &bases[j].1 + &Number::int(m);
            bases.remove(i);
        }
        let mut merged = Vec::with_capacity(bases.len());
        for (base, k) in bases {
            let p = self.hadamard_pow(base, &k);
            match self.node(p) {
                Node::Ones(_) => {}
                Node::Hadamard(inner) => merged.extend_from_slice(inner),
                _ => merged.push(p),
            }
        }
        merged
    }

    /// A canonical elementwise power `a^⊙k` of a vector or matrix by a rational `k` (an ordinary
    /// power for a scalar): `a^⊙0 = 𝟙`, `a^⊙1 = a`, `𝟙^⊙k = 𝟙`, `(a^⊙j)^⊙k = a^⊙jk` for integer
    /// `k` or fractional `j` (which already needs `a ≥ 0`: `√(√x) = x^⊙¼`, but `√(x ⊙ x)` stays)
    /// and `(a ⊙ b)^⊙k = a^⊙k ⊙ b^⊙k` for integer `k`, numeric factors taken out exactly when
    /// they can be (`(2x)^⊙2 = 4 x^⊙2`).
    pub fn hadamard_pow(&mut self, base: Id, k: &Number) -> Id {
        if self.is_scalar(base) {
            let e = self.num(k.clone());
            return self.pow(base, e);
        }
        let shape = self.shape(base).clone();
        if k.is_zero() || matches!(self.node(base), Node::Ones(_)) {
            return self.ones(shape);
        }
        if k.is_one() {
            return base;
        }
        if self.is_zero(base) && !k.is_negative() {
            return base;
        }
        if let Some(sigma) = k.to_i64().and_then(|i| self.logistic_power(base, i)) {
            return sigma;
        }
        let integer = k.is_integer();
        match self.node(base).clone() {
            Node::HadamardPow(b, e)
                if integer || self.as_number(e).is_some_and(|j| !j.is_integer()) =>
            {
                if let Some(j) = self.as_number(e).cloned() {
                    self.note(Rule::PowerOfPower);
                    return self.hadamard_pow(b, &(&j * k));
                }
            }
            Node::Hadamard(factors) if integer => {
                self.note(Rule::PowerOfProduct);
                let powers: Vec<Id> = factors.iter().map(|&f| self.hadamard_pow(f, k)).collect();
                return self.hadamard(&powers);
            }
            // (s·v)^⊙k = sᵏ·v^⊙k for scalar factors s (coefficient included), as `hadamard`
            // takes them out of its operands.
            Node::Mul(_) => {
                if let Some(i) = k.to_i64() {
                    let mut scalars = Vec::new();
                    let rest = self.pull_scalar_factors(base, &mut scalars);
                    if rest != base {
                        let power = self.hadamard_pow(rest, k);
                        let scalar = self.mul(&scalars);
                        let exponent = self.int(i);
                        let scalar = self.pow(scalar, exponent);
                        return self.mul(&[scalar, power]);
                    }
                }
            }
            _ => {}
        }
        let e = self.num(k.clone());
        self.intern(Node::HadamardPow(base, e), shape)
    }

    /// A product's scalar factors moved to `scalars`; what remains is its non-scalar part (the
    /// product itself when it has no scalar factor or no non-scalar one).
    fn pull_scalar_factors(&mut self, id: Id, scalars: &mut Vec<Id>) -> Id {
        let Node::Mul(factors) = self.node(id) else {
            return id;
        };
        let split = factors.iter().position(|&f| !self.is_scalar(f));
        let Some(split @ 1..) = split else {
            return id;
        };
        let factors = factors.clone();
        scalars.extend_from_slice(&factors[..split]);
        self.mul(&factors[split..])
    }

    /// A Kronecker product (an ordinary product when either side is scalar).
    pub fn kron(&mut self, a: Id, b: Id) -> Id {
        if self.is_scalar(a) || self.is_scalar(b) {
            return self.mul(&[a, b]);
        }
        let (sa, sb) = (self.shape(a).clone(), self.shape(b).clone());
        let rows = sa.rows.times(&sb.rows).unwrap_or(sa.rows);
        let cols = sa.cols.times(&sb.cols).unwrap_or(sa.cols);
        self.intern(Node::Kron(a, b), Shape::matrix(rows, cols))
    }

    /// A literal matrix of scalar entries, row-major (a 1×1 literal is its entry).
    pub fn matrix(&mut self, rows: u32, cols: u32, entries: Vec<Id>) -> Id {
        if rows == 1 && cols == 1 && entries.len() == 1 {
            return entries[0];
        }
        let shape = Shape::matrix(Dim::known(rows as u64), Dim::known(cols as u64));
        if entries.iter().all(|&e| self.is_zero(e)) {
            return self.zero(shape);
        }
        self.intern(
            Node::Matrix {
                rows,
                cols,
                entries: entries.into(),
            },
            shape,
        )
    }

    /// An entry of a vector or matrix, 1-based; folded when the container is a literal and the
    /// indices are numbers.
    pub fn component(&mut self, container: Id, indices: &[Id]) -> Id {
        let idx: Option<Vec<i64>> = indices
            .iter()
            .map(|&i| self.as_number(i).and_then(|n| n.to_i64()))
            .collect();
        if let (Some(idx), Node::Matrix { cols, entries, .. }) = (&idx, self.node(container)) {
            let (i, j) = match idx.as_slice() {
                [i] => (*i, 1),
                [i, j] => (*i, *j),
                _ => (0, 0),
            };
            let pos = (i - 1)
                .checked_mul(*cols as i64)
                .and_then(|p| p.checked_add(j - 1));
            if i >= 1 && j >= 1 && j <= *cols as i64 {
                if let Some(&e) = pos
                    .and_then(|p| usize::try_from(p).ok())
                    .and_then(|p| entries.get(p))
                {
                    return e;
                }
            }
        }
        self.intern(Node::Component(container, indices.into()), Shape::scalar())
    }

    /// `∑_{index = lower}^{upper} body`.
    pub fn sum_over(&mut self, index: SymbolId, lower: Id, upper: Id, body: Id) -> Id {
        if self.is_zero(body) {
            return body;
        }
        let shape = self.shape(body).clone();
        self.intern(
            Node::Sum {
                index,
                lower,
                upper,
                body,
            },
            shape,
        )
    }

    /// An unevaluated derivative operator of the given result shape.
    pub fn derivative(&mut self, d: Derivative, shape: Shape) -> Id {
        self.intern(Node::Derivative(Box::new(d)), shape)
    }

    /// `body at x = v, …` (unevaluated; see `substitute` for evaluation).
    pub fn at(&mut self, body: Id, bindings: Vec<(SymbolId, Id)>) -> Id {
        if bindings.is_empty() {
            return body;
        }
        let shape = self.shape(body).clone();
        self.intern(Node::At(body, bindings.into()), shape)
    }
}

/// The rational gcd of coefficients (gcd of numerators over lcm of denominators), with the sign of
/// the last one, so that exactly one of a sum and its negative has a positive last term (`Ax − b`,
/// never `b − Ax`, is the primitive form); 1 for an empty list.
pub fn content_of(coefficients: &[&Number]) -> Number {
    use num_integer::Integer;
    if let Some(c) = small_content_of(coefficients) {
        return c;
    }
    let mut num = num_bigint::BigInt::from(0);
    let mut den = num_bigint::BigInt::from(1);
    for c in coefficients {
        num = num.gcd(&c.numer());
        den = den.lcm(&c.denom());
    }
    if num == num_bigint::BigInt::from(0) {
        return Number::one();
    }
    let g = Number::from_big(num_rational::BigRational::new(num, den));
    if coefficients.last().is_some_and(|c| c.is_negative()) {
        -&g
    } else {
        g
    }
}

/// [`content_of`] in machine integers, when every numerator, denominator and the lcm fit.
fn small_content_of(coefficients: &[&Number]) -> Option<Number> {
    use num_integer::Integer;
    let (mut num, mut den) = (0i64, 1i64);
    for c in coefficients {
        let (p, q) = c.to_i64_parts()?;
        num = num.gcd(&p.checked_abs()?);
        let g = den.gcd(&q);
        den = (den / g).checked_mul(q)?;
    }
    if num == 0 {
        return Some(Number::one());
    }
    let negative = coefficients.last().is_some_and(|c| c.is_negative());
    Some(Number::ratio(if negative { -num } else { num }, den))
}
