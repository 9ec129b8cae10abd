//! Reading an expression as textbook math, independent of dialect: sums become signed terms in
//! reading order, products with negative powers become fractions, `x^(1/2)` becomes `√x`.

use crate::expr::{DerivativeKind, Func, Id, Node, NormKind, Number, Pool};
use std::cmp::Reverse;

/// An expression as it will be read, before spelling.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Form {
    /// A non-negative number.
    Number(Number),
    /// A symbol, by canonical name.
    Name(String),
    /// `I`
    Identity,
    /// `𝟙`
    Ones,
    /// The zero matrix `0`.
    Zero,
    /// `xᵢ`, `A_{ij}`
    Component(Box<Form>, Vec<Form>),
    /// Terms with their signs (`true` = subtracted), in reading order.
    Sum(Vec<(bool, Form)>),
    /// `−a`
    Neg(Box<Form>),
    /// Juxtaposed factors in multiplication order.
    Product(Vec<Form>),
    /// `a/b`
    Fraction(Box<Form>, Box<Form>),
    /// `base^exp`; `matrix` when the base is a square matrix.
    Power {
        /// The base.
        base: Box<Form>,
        /// The exponent (a `Neg` for negative matrix powers).
        exp: Box<Form>,
        /// Is the base a matrix?
        matrix: bool,
    },
    /// `√a`
    Sqrt(Box<Form>),
    /// `Aᵀ`
    Transpose(Box<Form>),
    /// `A⁻¹`
    Inverse(Box<Form>),
    /// `A⁺`
    Pinv(Box<Form>),
    /// A named function applied to arguments.
    Call(Func, Vec<Form>),
    /// `|t|`
    Abs(Box<Form>),
    /// `‖v‖`, `‖v‖₁`, `‖X‖_F`
    Norm(NormKind, Box<Form>),
    /// `x ⊙ y ⊙ …`
    Hadamard(Vec<Form>),
    /// `a ⊘ b`: elementwise division.
    HadamardDiv(Box<Form>, Box<Form>),
    /// `A ⊗ B`
    Kron(Box<Form>, Box<Form>),
    /// A literal matrix, row-major.
    Matrix {
        /// Row count.
        rows: usize,
        /// Column count.
        cols: usize,
        /// Entries, row by row.
        entries: Vec<Form>,
    },
    /// `∑_{index=lower}^{upper} body`
    SumOver {
        /// The bound index's name.
        index: String,
        /// Lower bound.
        lower: Box<Form>,
        /// Upper bound.
        upper: Box<Form>,
        /// The summand.
        body: Box<Form>,
    },
    /// An unevaluated derivative.
    Derivative {
        /// Which derivative.
        kind: DerivativeKind,
        /// What is differentiated.
        body: Box<Form>,
        /// The variables.
        wrt: Vec<Form>,
        /// The direction of a directional derivative.
        direction: Option<Box<Form>>,
    },
    /// `body at x = v, …`
    At(Box<Form>, Vec<(String, Form)>),
}

/// Builds a product of factors: `1` when empty, the factor itself when alone.
fn product_of(mut factors: Vec<Form>) -> Form {
    match factors.len() {
        0 => Form::Number(Number::one()),
        1 => factors.remove(0),
        _ => Form::Product(factors),
    }
}

/// Reads expressions of one pool.
pub(crate) struct Reader<'p> {
    pool: &'p Pool,
}

impl<'p> Reader<'p> {
    /// A reader of `pool`.
    pub(crate) fn new(pool: &'p Pool) -> Self {
        Reader { pool }
    }

    /// The form of an expression.
    pub(crate) fn form(&self, id: Id) -> Form {
        let pool = self.pool;
        match pool.node(id) {
            Node::Num(n) if n.is_negative() => Form::Neg(Box::new(Form::Number(n.abs()))),
            Node::Num(n) => Form::Number(n.clone()),
            Node::Sym(s) => Form::Name(pool.symbol(*s).name.clone()),
            Node::DimValue(d) => {
                let mut factors = Vec::new();
                if d.coeff != 1 || d.symbols.is_empty() {
                    factors.push(Form::Number(Number::int(d.coeff as i64)));
                }
                factors.extend(d.symbols.iter().map(|s| Form::Name(s.clone())));
                product_of(factors)
            }
            Node::Identity(_) => Form::Identity,
            // A row of ones is the transpose of the column `𝟙` (`𝟙ᵀx`), as it is written.
            Node::Ones(shape) if shape.rows.as_known() == Some(1) && !shape.is_scalar() => {
                Form::Transpose(Box::new(Form::Ones))
            }
            Node::Ones(_) => Form::Ones,
            // A zero of small concrete size shows its size: `[0; 0]` (it reads back the same).
            Node::Zero(shape) => match (shape.rows.as_known(), shape.cols.as_known()) {
                (Some(r), Some(c)) if r.saturating_mul(c) <= 16 => Form::Matrix {
                    rows: r as usize,
                    cols: c as usize,
                    entries: vec![Form::Number(Number::zero()); (r * c) as usize],
                },
                _ => Form::Zero,
            },
            Node::Add(terms) => Form::Sum(self.terms(terms)),
            Node::Mul(_) => {
                let (c, factors) = self.split(id);
                self.product(&c, &factors)
            }
            Node::Pow(b, e) => self.power(*b, *e, pool.is_scalar(*b)),
            Node::Transpose(a) => Form::Transpose(Box::new(self.form(*a))),
            Node::Hadamard(xs) => self.elementwise_product(xs),
            Node::HadamardPow(..) => self.elementwise_product(&[id]),
            Node::Kron(a, b) => Form::Kron(Box::new(self.form(*a)), Box::new(self.form(*b))),
            Node::Apply(f, args) => self.apply(*f, args),
            Node::Matrix {
                rows,
                cols,
                entries,
            } => Form::Matrix {
                rows: *rows as usize,
                cols: *cols as usize,
                entries: entries.iter().map(|&e| self.form(e)).collect(),
            },
            Node::Component(v, idx) => Form::Component(
                Box::new(self.form(*v)),
                idx.iter().map(|&i| self.form(i)).collect(),
            ),
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => Form::SumOver {
                index: pool.symbol(*index).name.clone(),
                lower: Box::new(self.form(*lower)),
                upper: Box::new(self.form(*upper)),
                body: Box::new(self.form(*body)),
            },
            Node::Derivative(d) => {
                let mut wrt: Vec<Form> = d.wrt.iter().map(|&w| self.form(w)).collect();
                let mut direction = d.direction.map(|u| Box::new(self.form(u)));
                if let (Some(u), [var]) = (d.direction, &*d.wrt) {
                    if !variable_is_implied(pool, d.expr, *var, u) {
                        // `D_u (…)` would not say which variable: the call spelling, with
                        // the variable and the direction as arguments.
                        wrt.extend(direction.take().map(|b| *b));
                    }
                }
                Form::Derivative {
                    kind: d.kind,
                    body: Box::new(self.form(d.expr)),
                    wrt,
                    direction,
                }
            }
            Node::At(body, binds) => Form::At(
                Box::new(self.form(*body)),
                binds
                    .iter()
                    .map(|(s, v)| (pool.symbol(*s).name.clone(), self.form(*v)))
                    .collect(),
            ),
        }
    }

    /// An elementwise product as it is written: powers spelled out (`x ⊙ x`, `√x`), factors with
    /// negative exponents after `⊘` (`a ⊘ (b ⊙ b)`, `𝟙 ⊘ x`).
    fn elementwise_product(&self, factors: &[Id]) -> Form {
        let (mut numerator, mut denominator) = (Vec::new(), Vec::new());
        for &f in factors {
            match self.pool.node(f) {
                Node::HadamardPow(b, e) => match self.pool.as_number(*e) {
                    Some(k) if k.is_negative() => {
                        self.spelled_power(*b, &k.abs(), &mut denominator)
                    }
                    Some(k) => self.spelled_power(*b, k, &mut numerator),
                    None => numerator.push(self.form(f)),
                },
                _ => numerator.push(self.form(f)),
            }
        }
        let hadamard = |mut xs: Vec<Form>| match xs.len() {
            0 => Form::Ones,
            1 => xs.remove(0),
            _ => Form::Hadamard(xs),
        };
        if denominator.is_empty() {
            return hadamard(numerator);
        }
        Form::HadamardDiv(
            Box::new(hadamard(numerator)),
            Box::new(hadamard(std::mem::take(&mut denominator))),
        )
    }

    /// The factors of `b^⊙k` for `k > 0`: `b` repeated for the integer part, `√b` for a half,
    /// a square root of the factors of `b^⊙2k` for a quarter, an eighth, … (`x^⊙¾` is
    /// `√(x ⊙ √x)`); another fraction (only the library builds one) as a power.
    fn spelled_power(&self, b: Id, k: &Number, out: &mut Vec<Form>) {
        let twice = k * &Number::int(2);
        let dyadic = k
            .to_i64_parts()
            .is_some_and(|(_, d)| d > 0 && (d & (d - 1)) == 0);
        if !twice.is_integer() && dyadic {
            let mut inner = Vec::new();
            self.spelled_power(b, &twice, &mut inner);
            let inner = match inner.len() {
                1 => inner.remove(0),
                _ => Form::Hadamard(inner),
            };
            out.push(Form::Sqrt(Box::new(inner)));
            return;
        }
        match twice.to_i64().filter(|_| twice.is_integer()) {
            Some(halves) => {
                let base = self.form(b);
                for _ in 0..halves / 2 {
                    out.push(base.clone());
                }
                if halves % 2 == 1 {
                    out.push(Form::Sqrt(Box::new(base)));
                }
            }
            None => out.push(Form::Power {
                base: Box::new(self.form(b)),
                exp: Box::new(Form::Number(k.clone())),
                matrix: false,
            }),
        }
    }

    /// A built-in function: absolute values, norms and pseudo-inverses have their own notation.
    fn apply(&self, f: Func, args: &[Id]) -> Form {
        match (f, args) {
            (Func::Abs, [x]) => Form::Abs(Box::new(self.form(*x))),
            (Func::Norm(kind), [x]) => Form::Norm(kind, Box::new(self.form(*x))),
            (Func::Pinv, [x]) => Form::Pinv(Box::new(self.form(*x))),
            _ => Form::Call(f, args.iter().map(|&a| self.form(a)).collect()),
        }
    }

    /// The rational coefficient of a term and its remaining factors (`−2xy` → `(−2, [x, y])`).
    fn split(&self, id: Id) -> (Number, Vec<Id>) {
        match self.pool.node(id) {
            Node::Num(n) => (n.clone(), Vec::new()),
            Node::Mul(fs) => match fs.split_first() {
                Some((&first, rest)) => match self.pool.node(first) {
                    Node::Num(c) => (c.clone(), rest.to_vec()),
                    _ => (Number::one(), fs.to_vec()),
                },
                None => (Number::one(), Vec::new()),
            },
            _ => (Number::one(), vec![id]),
        }
    }

    /// The signed terms of a sum in reading order: a stable sort of the canonical order by
    /// polynomial degree (highest first) with constants last; for a sum in one symbol whose
    /// highest degree has only negative terms, lowest degree (constants) first instead, as a
    /// Taylor polynomial is written (`1 − ½x² + x⁴/24`, not `x⁴/24 − ½x² + 1`). Then a leading
    /// negative term is moved behind the first positive one (`−b + Ax` reads `Ax − b`).
    fn terms(&self, terms: &[Id]) -> Vec<(bool, Form)> {
        let mut keyed: Vec<(bool, u64, Id)> = terms
            .iter()
            .map(|&t| {
                let constant = matches!(self.pool.node(t), Node::Num(_));
                (constant, self.degree(t).unwrap_or(0), t)
            })
            .collect();
        keyed.sort_by_key(|&(constant, degree, _)| (constant, Reverse(degree)));
        let negative = |t: Id| self.split(t).0.is_negative();
        if let Some(&(_, top, lead)) = keyed.first() {
            let first_positive = keyed.iter().find(|&&(_, _, t)| !negative(t));
            if negative(lead)
                && first_positive.is_some_and(|&(constant, degree, _)| constant || degree < top)
                && crate::numeric::free_symbols(self.pool, terms).len() <= 1
            {
                keyed.sort_by_key(|&(constant, degree, _)| (!constant, degree));
            }
        }
        let mut out: Vec<(bool, Form)> = keyed
            .into_iter()
            .map(|(_, _, t)| {
                let (c, factors) = self.split(t);
                if c.is_negative() {
                    (true, self.product(&c.abs(), &factors))
                } else {
                    (false, self.form(t))
                }
            })
            .collect();
        if out.first().is_some_and(|(negative, _)| *negative) {
            if let Some(k) = out.iter().position(|(negative, _)| !negative) {
                let positive = out.remove(k);
                out.insert(0, positive);
            }
        }
        out
    }

    /// The polynomial degree of a term in its symbols, or `None` when it is not a polynomial.
    fn degree(&self, id: Id) -> Option<u64> {
        let pool = self.pool;
        match pool.node(id) {
            Node::Num(_) | Node::Identity(_) | Node::Ones(_) | Node::Zero(_) => Some(0),
            Node::Sym(_) | Node::Component(..) | Node::DimValue(_) => Some(1),
            Node::Transpose(a) => self.degree(*a),
            Node::Pow(b, e) => {
                let k = pool.as_number(*e)?.to_i64()?;
                let k = u64::try_from(k).ok()?;
                self.degree(*b)?.checked_mul(k)
            }
            Node::Mul(fs) => fs
                .iter()
                .try_fold(0u64, |acc, &f| acc.checked_add(self.degree(f)?)),
            Node::Add(ts) => ts
                .iter()
                .try_fold(0u64, |acc, &t| Some(acc.max(self.degree(t)?))),
            _ => None,
        }
    }

    /// A scalar factor with a negative exponent, read as its reciprocal (`x⁻²` → `x²`).
    fn reciprocal(&self, id: Id) -> Option<Form> {
        match self.pool.node(id) {
            Node::Pow(b, e) if self.pool.is_scalar(*b) => {
                let (c, rest) = self.split(*e);
                c.is_negative()
                    .then(|| self.positive_power(self.form(*b), &c.abs(), &rest))
            }
            _ => None,
        }
    }

    /// `base^(c·rest)` for a positive `c`: the base itself, `√base`, or a power.
    fn positive_power(&self, base: Form, c: &Number, rest: &[Id]) -> Form {
        if rest.is_empty() {
            if c.is_one() {
                return base;
            }
            if *c == Number::ratio(1, 2) {
                return Form::Sqrt(Box::new(base));
            }
        }
        let exp = if rest.is_empty() {
            Form::Number(c.clone())
        } else {
            self.product(c, rest)
        };
        Form::Power {
            base: Box::new(base),
            exp: Box::new(exp),
            matrix: false,
        }
    }

    /// A power: scalar negative powers read as fractions, `x^(1/2)` as `√x`, `A^(−1)` as `A⁻¹`.
    fn power(&self, b: Id, e: Id, scalar: bool) -> Form {
        let base = self.form(b);
        let (c, rest) = self.split(e);
        if !scalar {
            if c.is_minus_one() && rest.is_empty() {
                return Form::Inverse(Box::new(base));
            }
            return Form::Power {
                base: Box::new(base),
                exp: Box::new(self.form(e)),
                matrix: true,
            };
        }
        if c.is_negative() {
            let denominator = self.positive_power(base, &c.abs(), &rest);
            return Form::Fraction(Box::new(Form::Number(Number::one())), Box::new(denominator));
        }
        if rest.is_empty() && c == Number::ratio(1, 2) {
            return Form::Sqrt(Box::new(base));
        }
        Form::Power {
            base: Box::new(base),
            exp: Box::new(self.form(e)),
            matrix: false,
        }
    }

    /// Is this a Greek-letter symbol or a power of one?
    fn is_greek(form: &Form) -> bool {
        match form {
            Form::Name(n) => n
                .chars()
                .next()
                .is_some_and(|c| ('\u{0391}'..='\u{03C9}').contains(&c)),
            Form::Power { base, .. } => Reader::is_greek(base),
            _ => false,
        }
    }

    /// A product with rational coefficient `coeff` (any sign) and the given factors, read with
    /// negative powers in a denominator: `2x/(x² + 1)`, `½‖Ax − b‖²`, `(1/N)Xᵀ(Xw − y)`,
    /// `x/‖x‖`.
    fn product(&self, coeff: &Number, factors: &[Id]) -> Form {
        let c = coeff.abs();
        let mut numerator: Vec<Form> = Vec::new();
        let mut denominator: Vec<Form> = Vec::new();
        let mut matrices: Vec<Form> = Vec::new();
        for &f in factors {
            if !self.pool.is_scalar(f) {
                matrices.push(self.form(f));
            } else if let Some(d) = self.reciprocal(f) {
                denominator.push(d);
            } else {
                numerator.push(self.form(f));
            }
        }
        // Parameters written in Greek read first, as in textbooks: `αx`, `2λy`.
        numerator.sort_by_key(|f| !Reader::is_greek(f));
        // A 1×1 chain such as xᵀAx that ends the product reads without parentheses.
        if matrices.is_empty() {
            if let Some(Form::Product(chain)) = numerator.last() {
                let chain = chain.clone();
                numerator.pop();
                numerator.extend(chain);
            }
        }
        let p = Number::from(num_rational::BigRational::from_integer(c.numer()));
        let q = Number::from(num_rational::BigRational::from_integer(c.denom()));
        let form = if !denominator.is_empty() {
            // A scalar fraction leads as a coefficient when its denominator is names
            // (`(1/N)Xᵀ(Xw − y)`) or it has a numerator (`(eᵗ/(eᵗ + 1))a`); a bare reciprocal of
            // anything else ends the product (`x/‖x‖`, `(A + Aᵀ)x/(xᵀAx)`).
            let leads =
                !numerator.is_empty() || denominator.iter().all(|d| matches!(d, Form::Name(_)));
            let mut top = Vec::new();
            if !p.is_one() {
                top.push(Form::Number(p));
            }
            top.extend(numerator);
            let mut bottom = Vec::new();
            if !q.is_one() {
                bottom.push(Form::Number(q));
            }
            bottom.extend(denominator);
            if matrices.is_empty() || !leads {
                top.extend(matrices);
                Form::Fraction(Box::new(product_of(top)), Box::new(product_of(bottom)))
            } else {
                let fraction =
                    Form::Fraction(Box::new(product_of(top)), Box::new(product_of(bottom)));
                product_of(std::iter::once(fraction).chain(matrices).collect())
            }
        } else if c.is_integer()
            || *coeff == Number::ratio(1, 2)
            || *coeff == Number::ratio(-1, 2)
            || !matrices.is_empty()
        {
            let mut all = Vec::new();
            if !c.is_one() {
                all.push(Form::Number(c.clone()));
            }
            all.extend(numerator);
            all.extend(matrices);
            product_of(all)
        } else {
            let mut top = Vec::new();
            if !p.is_one() {
                top.push(Form::Number(p));
            }
            top.extend(numerator);
            Form::Fraction(Box::new(product_of(top)), Box::new(Form::Number(q)))
        };
        if coeff.is_negative() {
            Form::Neg(Box::new(form))
        } else {
            form
        }
    }
}

/// Does `D_u body` name its variable `var` without writing it: `var` is the body's only free
/// symbol, or its only free symbol of the direction's shape (as the reader infers it)?
fn variable_is_implied(pool: &Pool, body: Id, var: Id, direction: Id) -> bool {
    let symbols = |root: Id| -> Vec<Id> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            if !seen.insert(e) {
                continue;
            }
            match pool.node(e) {
                Node::Sym(s) if pool.symbol(*s).origin != crate::expr::SymbolOrigin::SumIndex => {
                    out.push(e)
                }
                n => stack.extend(n.children()),
            }
        }
        out
    };
    let free = symbols(body);
    if free == [var] {
        return true;
    }
    let own = symbols(direction);
    let shape = pool.shape(direction);
    let candidates: Vec<Id> = free
        .into_iter()
        .filter(|s| !own.contains(s) && pool.shape(*s) == shape)
        .collect();
    candidates == [var]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Assumptions, Dim, Shape, SymbolOrigin};

    fn scalar(pool: &mut Pool, name: &str) -> Id {
        let s = match pool.declare(
            name,
            Shape::scalar(),
            Assumptions::default(),
            SymbolOrigin::Declared,
        ) {
            Ok(s) | Err(s) => s,
        };
        pool.symbol_expr(s)
    }

    fn name(n: &str) -> Form {
        Form::Name(n.to_string())
    }

    fn int(k: i64) -> Form {
        Form::Number(Number::int(k))
    }

    #[test]
    fn constants_go_last_and_a_negative_lead_moves_behind() {
        let mut pool = Pool::new();
        let (x, y) = (scalar(&mut pool, "x"), scalar(&mut pool, "y"));
        let three = pool.int(3);
        let nx = pool.neg(x);
        let sum = pool.add(&[three, nx, y]);
        let form = Reader::new(&pool).form(sum);
        assert_eq!(
            form,
            Form::Sum(vec![(false, name("y")), (true, name("x")), (false, int(3))])
        );
    }

    /// A sum in one symbol whose highest degree is negative reads from its constant up, as a
    /// Taylor polynomial; with two symbols the highest degree still comes first.
    #[test]
    fn a_negative_top_degree_in_one_symbol_reads_from_the_constant_up() {
        let mut pool = Pool::new();
        let (x, y) = (scalar(&mut pool, "x"), scalar(&mut pool, "y"));
        let one = pool.int(1);
        let x2 = pool.powi(x, 2);
        let x4 = pool.powi(x, 4);
        let minus_x4 = pool.neg(x4);
        let taylor_like = pool.add(&[one, x2, minus_x4]);
        let shown = |pool: &Pool, e: Id| {
            crate::print::print(pool, e, &crate::print::PrintOptions::unicode())
        };
        assert_eq!(shown(&pool, taylor_like), "1 + x² − x⁴");
        let two_symbols = pool.add(&[y, x2, minus_x4]);
        assert_eq!(shown(&pool, two_symbols), "x² − x⁴ + y");
    }

    #[test]
    fn higher_degree_first_stably() {
        let mut pool = Pool::new();
        let (x, y) = (scalar(&mut pool, "x"), scalar(&mut pool, "y"));
        let y3 = pool.powi(y, 3);
        let xy = pool.mul(&[x, y]);
        let sum = pool.add(&[x, y, y3, xy]);
        let Form::Sum(terms) = Reader::new(&pool).form(sum) else {
            panic!("a sum reads as a sum");
        };
        let shown: Vec<Form> = terms.into_iter().map(|(_, t)| t).collect();
        let cube = Form::Power {
            base: Box::new(name("y")),
            exp: Box::new(int(3)),
            matrix: false,
        };
        assert_eq!(
            shown,
            vec![
                cube,
                Form::Product(vec![name("x"), name("y")]),
                name("x"),
                name("y")
            ]
        );
    }

    #[test]
    fn negative_powers_form_a_denominator() {
        let mut pool = Pool::new();
        let (x, y) = (scalar(&mut pool, "x"), scalar(&mut pool, "y"));
        let y2 = pool.powi(y, -2);
        let p = pool.mul(&[x, y2]);
        let p = pool.scale(Number::int(-3), p);
        let expected = Form::Neg(Box::new(Form::Fraction(
            Box::new(Form::Product(vec![int(3), name("x")])),
            Box::new(Form::Power {
                base: Box::new(name("y")),
                exp: Box::new(int(2)),
                matrix: false,
            }),
        )));
        assert_eq!(Reader::new(&pool).form(p), expected);
    }

    #[test]
    fn roots_and_matrix_inverses() {
        let mut pool = Pool::new();
        let x = scalar(&mut pool, "x");
        let r = pool.sqrt(x);
        assert_eq!(Reader::new(&pool).form(r), Form::Sqrt(Box::new(name("x"))));
        let n = Dim::symbol("n");
        let a = match pool.declare(
            "A",
            Shape::matrix(n.clone(), n),
            Assumptions::default(),
            SymbolOrigin::Declared,
        ) {
            Ok(s) | Err(s) => s,
        };
        let a = pool.symbol_expr(a);
        let inv = pool.inverse(a);
        assert_eq!(
            Reader::new(&pool).form(inv),
            Form::Inverse(Box::new(name("A")))
        );
    }
}
