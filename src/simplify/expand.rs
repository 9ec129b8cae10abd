//! Expansion: products distributed over sums, integer powers of sums multiplied out, squared norms
//! written as inner products — under a budget on the number of terms.

use super::rules::Rule;
use crate::expr::{Func, Id, Node, NormKind, Number, Pool};
use std::collections::HashMap;
use std::time::Instant;

/// Powers of scalar sums of up to this many terms expand by the multinomial theorem (which
/// recurses once per term); longer ones by repeated multiplication.
const MULTINOMIAL_TERMS: usize = 256;

/// Expansion stopped at a limit; the message names the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpansionLimit {
    /// A sum would have more terms than the budget.
    Terms {
        /// The budget (number of terms).
        max_terms: usize,
    },
    /// A power of a sum has a larger exponent than the pool allows (`Limits::max_exponent`).
    Exponent {
        /// The largest exponent multiplied out.
        max_exponent: u64,
    },
    /// The pool grew past its node limit (`Limits::max_nodes`).
    Nodes {
        /// The node limit.
        max_nodes: usize,
    },
    /// The deadline passed.
    Time,
}

impl std::fmt::Display for ExpansionLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpansionLimit::Terms { max_terms } => {
                write!(f, "expansion would exceed the limit of {max_terms} terms")
            }
            ExpansionLimit::Exponent { max_exponent } => write!(
                f,
                "expansion of a power above the exponent limit of {max_exponent}"
            ),
            ExpansionLimit::Nodes { max_nodes } => write!(
                f,
                "expansion would exceed the limit of {max_nodes} expression nodes"
            ),
            ExpansionLimit::Time => write!(f, "expansion reached the time limit"),
        }
    }
}

/// Expands `e` fully (see module docs); fails when a sum would exceed `max_terms` terms.
pub fn expand(pool: &mut Pool, e: Id, max_terms: usize) -> Result<Id, ExpansionLimit> {
    expand_until(pool, e, max_terms, None)
}

/// [`expand`], also stopping with [`ExpansionLimit::Time`] once `deadline` has passed (checked
/// at every node, so a deadline bounds the work done after it).
pub fn expand_until(
    pool: &mut Pool,
    e: Id,
    max_terms: usize,
    deadline: Option<Instant>,
) -> Result<Id, ExpansionLimit> {
    let mut expander = Expander {
        memo: HashMap::new(),
        max_terms,
        deadline,
    };
    expander.expand(pool, e)
}

struct Expander {
    memo: HashMap<Id, Id>,
    max_terms: usize,
    deadline: Option<Instant>,
}

impl Expander {
    fn expand(&mut self, pool: &mut Pool, e: Id) -> Result<Id, ExpansionLimit> {
        if let Some(&r) = self.memo.get(&e) {
            return Ok(r);
        }
        let node = pool.node(e).clone();
        let children = node.children();
        let r = if children.is_empty() {
            e
        } else {
            let new = children
                .iter()
                .map(|&c| self.expand(pool, c))
                .collect::<Result<Vec<_>, _>>()?;
            match &node {
                Node::Mul(_) => self.distribute(pool, &new, Distribute::Product)?,
                Node::Hadamard(_) => self.distribute(pool, &new, Distribute::Hadamard)?,
                Node::Kron(..) => self.distribute(pool, &new, Distribute::Kron)?,
                Node::Pow(..) => self.power(pool, new[0], new[1])?,
                _ => pool.rebuild(&node, &new),
            }
        };
        self.check(pool, r)?;
        self.memo.insert(e, r);
        Ok(r)
    }

    fn check(&self, pool: &Pool, e: Id) -> Result<(), ExpansionLimit> {
        if pool.over_limit() {
            return Err(ExpansionLimit::Nodes {
                max_nodes: pool.limits.max_nodes,
            });
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(ExpansionLimit::Time);
        }
        match pool.node(e) {
            Node::Add(ts) if ts.len() > self.max_terms => Err(ExpansionLimit::Terms {
                max_terms: self.max_terms,
            }),
            _ => Ok(()),
        }
    }

    fn terms(pool: &Pool, e: Id) -> Vec<Id> {
        match pool.node(e) {
            Node::Add(ts) => ts.to_vec(),
            _ => vec![e],
        }
    }

    /// Multiplies out a product (or elementwise/Kronecker product) of expanded factors.
    fn distribute(
        &mut self,
        pool: &mut Pool,
        factors: &[Id],
        how: Distribute,
    ) -> Result<Id, ExpansionLimit> {
        if factors
            .iter()
            .any(|&f| matches!(pool.node(f), Node::Add(_)))
        {
            pool.note(Rule::DistributeProduct);
        }
        let mut partial: Vec<Vec<Id>> = vec![Vec::new()];
        for &f in factors {
            let ts = Self::terms(pool, f);
            if partial.len().saturating_mul(ts.len()) > self.max_terms {
                return Err(ExpansionLimit::Terms {
                    max_terms: self.max_terms,
                });
            }
            let mut next = Vec::with_capacity(partial.len() * ts.len());
            for p in &partial {
                for &t in &ts {
                    let mut q = p.clone();
                    q.push(t);
                    next.push(q);
                }
            }
            partial = next;
        }
        let products: Vec<Id> = partial
            .into_iter()
            .map(|fs| match how {
                Distribute::Product => pool.mul(&fs),
                Distribute::Hadamard => pool.hadamard(&fs),
                Distribute::Kron => fs[1..].iter().fold(fs[0], |acc, &f| pool.kron(acc, f)),
            })
            .collect();
        // Products of expanded terms may themselves contain sums (e.g. a squared norm factor).
        let sum = pool.add(&products);
        Ok(sum)
    }

    /// Integer powers of sums multiply out; squared norms become inner products.
    fn power(&mut self, pool: &mut Pool, base: Id, exp: Id) -> Result<Id, ExpansionLimit> {
        let k = pool.as_number(exp).and_then(|n| n.to_i64());
        if let (Some(k), Node::Apply(Func::Norm(kind), args)) = (k, pool.node(base).clone()) {
            if k > 0 && k % 2 == 0 && kind != NormKind::One {
                pool.note(Rule::SquaredNormAsInnerProduct);
                let v = args[0];
                let inner = if pool.shape(v).cols.is_one() {
                    let vt = pool.transpose(v);
                    pool.mul(&[vt, v])
                } else if pool.shape(v).rows.is_one() {
                    let vt = pool.transpose(v);
                    pool.mul(&[v, vt])
                } else {
                    let vt = pool.transpose(v);
                    let p = pool.mul(&[vt, v]);
                    pool.apply(Func::Trace, &[p])
                };
                let inner = self.expand(pool, inner)?;
                let half = pool.int(k / 2);
                return self.power(pool, inner, half);
            }
        }
        match (k, pool.node(base)) {
            (Some(k), Node::Add(_)) if k > 1 => {
                if (k as u64) > pool.limits.max_exponent {
                    return Err(ExpansionLimit::Exponent {
                        max_exponent: pool.limits.max_exponent,
                    });
                }
                pool.note(Rule::ExpandPower);
                let terms = Self::terms(pool, base);
                if pool.is_scalar(base) && terms.len() <= MULTINOMIAL_TERMS {
                    // Scalar terms commute: the multinomial theorem, one product per term.
                    return self.multinomial(pool, &terms, k as u64);
                }
                let mut acc = base;
                for _ in 1..k {
                    acc = self.distribute(pool, &[acc, base], Distribute::Product)?;
                    self.check(pool, acc)?;
                }
                Ok(acc)
            }
            _ => Ok(pool.pow(base, exp)),
        }
    }
}

impl Expander {
    /// `(t₁ + … + tₘ)ᵏ = ∑ k!/(α₁!⋯αₘ!) t₁^α₁⋯tₘ^αₘ` over the exponent vectors with |α| = k, for
    /// commuting (scalar) terms; fails before building anything when the number of products,
    /// C(m + k − 1, k), exceeds the term budget.
    fn multinomial(&mut self, pool: &mut Pool, terms: &[Id], k: u64) -> Result<Id, ExpansionLimit> {
        let m = terms.len() as u64;
        if m == 0 || binomial_at_most(m + k - 1, k, self.max_terms as u64).is_none() {
            return Err(ExpansionLimit::Terms {
                max_terms: self.max_terms,
            });
        }
        pool.note(Rule::DistributeProduct);
        let mut products = Vec::new();
        let mut factors = Vec::with_capacity(terms.len() + 1);
        factors.push(pool.int(1));
        self.products(pool, terms, k, Number::one(), &mut factors, &mut products)?;
        Ok(pool.add(&products))
    }

    /// The products for the terms `terms` sharing the exponent `k` left, each with `factors` and
    /// the multinomial coefficient `c` so far (which `factors[0]` holds when the product is built).
    fn products(
        &mut self,
        pool: &mut Pool,
        terms: &[Id],
        k: u64,
        c: Number,
        factors: &mut Vec<Id>,
        out: &mut Vec<Id>,
    ) -> Result<(), ExpansionLimit> {
        let Some((&t, rest)) = terms.split_first() else {
            return Ok(());
        };
        if rest.is_empty() {
            let p = if k == 0 {
                None
            } else {
                Some(pool.powi(t, k as i64))
            };
            factors.extend(p);
            factors[0] = pool.num(c);
            out.push(pool.mul(factors));
            if p.is_some() {
                factors.pop();
            }
            if out.len() % 256 == 0 {
                self.check(pool, t)?;
            }
            return Ok(());
        }
        // C(k, a) for a = 0, 1, …: the ways to give `a` of the k factors to `t`.
        let mut ways = Number::one();
        for a in 0..=k {
            if a > 0 {
                ways = &(&ways * &Number::from((k - a + 1) as i64)) * &Number::ratio(1, a as i64);
                factors.push(pool.powi(t, a as i64));
            }
            self.products(pool, rest, k - a, &c * &ways, factors, out)?;
            if a > 0 {
                factors.pop();
            }
        }
        Ok(())
    }
}

/// C(n, k) when it is at most `limit`, else `None`.
fn binomial_at_most(n: u64, k: u64, limit: u64) -> Option<u64> {
    let k = k.min(n.saturating_sub(k));
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc · (n − i) / (i + 1) stays an integer: it is C(n, i + 1).
        acc = acc.checked_mul(u128::from(n - i))? / u128::from(i + 1);
        if acc > u128::from(limit) {
            return None;
        }
    }
    u64::try_from(acc).ok()
}

#[derive(Clone, Copy)]
enum Distribute {
    Product,
    Hadamard,
    Kron,
}
