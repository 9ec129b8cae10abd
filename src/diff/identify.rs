//! Identification of a linear map (Magnus–Neudecker): from a differential `dg` linear in the
//! column vector `d·x`, the matrix `J` with `dg = J·d·x`.
//!
//! Rules: `d·x → I`; `L·(…) → L·J(…)`; a scalar `c·d·x → c·I`; `u ⊙ (L·d·x) → diag(u)·L`;
//! `v·(wᵀd·x) → v·wᵀ`; a 1×1 chain ending in `d·xᵀ` is read transposed; sums give sums.

use super::variable::contains;
use super::{describe, DiffError};
use crate::expr::{Dim, Func, Id, Node, Pool, Shape};
use rustc_hash::FxHashMap as HashMap;

/// `J` with `dg = J·dx`, for a column-vector differential symbol `dx` and a scalar or column
/// `dg`; [`DiffError::NoMatrixForm`] when `dg` is not visibly linear in `dx`.
pub fn identify(pool: &mut Pool, dg: Id, dx: Id) -> Result<Id, DiffError> {
    let n = pool.shape(dx).rows.clone();
    let mut id = Identify {
        pool,
        dx,
        n,
        memo: HashMap::default(),
        done: HashMap::default(),
    };
    id.ident(dg)
}

struct Identify<'p> {
    pool: &'p mut Pool,
    dx: Id,
    n: Dim,
    /// Memo of `contains(·, dx)`.
    memo: HashMap<Id, bool>,
    /// Memo of identified terms (shared subexpressions are identified once).
    done: HashMap<Id, Id>,
}

impl Identify<'_> {
    fn has(&mut self, e: Id) -> bool {
        contains(self.pool, e, self.dx, &mut self.memo)
    }

    fn no_form(&self, e: Id, why: &str) -> DiffError {
        DiffError::NoMatrixForm {
            what: format!(
                "cannot identify a matrix J with d = J·{} in the term {} ({why})",
                describe(self.pool, self.dx),
                describe(self.pool, e)
            ),
        }
    }

    fn ident(&mut self, e: Id) -> Result<Id, DiffError> {
        if let Some(&j) = self.done.get(&e) {
            return Ok(j);
        }
        let j = self.ident_uncached(e)?;
        self.done.insert(e, j);
        Ok(j)
    }

    fn ident_uncached(&mut self, e: Id) -> Result<Id, DiffError> {
        if e == self.dx {
            return Ok(self.pool.identity(self.n.clone()));
        }
        if !self.has(e) {
            let rows = self.pool.shape(e).rows.clone();
            return Ok(self.pool.zero(Shape::matrix(rows, self.n.clone())));
        }
        if !self.pool.shape(e).cols.is_one() {
            return Err(self.no_form(e, "the term is not a column"));
        }
        match self.pool.node(e).clone() {
            Node::Add(ts) => {
                let mut parts = Vec::with_capacity(ts.len());
                for &t in ts.iter() {
                    parts.push(self.ident(t)?);
                }
                Ok(self.pool.add(&parts))
            }
            Node::Mul(fs) => self.product(e, &fs),
            Node::Hadamard(fs) => {
                let hits: Vec<usize> = (0..fs.len()).filter(|&i| self.has(fs[i])).collect();
                let [j] = hits.as_slice() else {
                    return Err(self.no_form(e, "not linear"));
                };
                let others: Vec<Id> = (0..fs.len()).filter(|i| i != j).map(|i| fs[i]).collect();
                let u = self.pool.hadamard(&others);
                let d = self.pool.apply(Func::Diag, &[u]);
                let inner = self.ident(fs[*j])?;
                Ok(self.pool.mul(&[d, inner]))
            }
            Node::Apply(Func::Sum, args) if args.len() == 1 => {
                let a = args[0];
                if !self.pool.shape(a).cols.is_one() {
                    return Err(self.no_form(e, "a sum over a matrix"));
                }
                let shape = self.pool.shape(a).transposed();
                let ones_t = self.pool.ones(shape);
                let inner = self.ident(a)?;
                Ok(self.pool.mul(&[ones_t, inner]))
            }
            Node::Component(c, idx) => {
                let shape = self.pool.shape(c).clone();
                let i = idx
                    .first()
                    .and_then(|&i| self.pool.as_number(i))
                    .and_then(|k| k.to_i64())
                    .and_then(|k| u64::try_from(k).ok());
                let (Some(i), Some(p), 1) = (i, shape.rows.as_known(), idx.len()) else {
                    return Err(self.no_form(e, "a component of symbolic size or index"));
                };
                if !shape.cols.is_one() || i < 1 || i > p || p > 1 << 20 {
                    return Err(self.no_form(e, "a component of a matrix"));
                }
                let zero = self.pool.int(0);
                let one = self.pool.int(1);
                let mut entries = vec![zero; p as usize];
                entries[(i - 1) as usize] = one;
                let unit_row = self.pool.matrix(1, p as u32, entries);
                let inner = self.ident(c)?;
                Ok(self.pool.mul(&[unit_row, inner]))
            }
            Node::Matrix { rows, entries, .. } => self.literal(e, rows, &entries),
            Node::Sum {
                index,
                lower,
                upper,
                body,
            } => {
                let inner = self.ident(body)?;
                Ok(self.pool.sum_over(index, lower, upper, inner))
            }
            _ => Err(self.no_form(e, "not a linear form the identification knows")),
        }
    }

    /// A product with exactly one factor containing `dx`.
    fn product(&mut self, e: Id, fs: &[Id]) -> Result<Id, DiffError> {
        let hits: Vec<usize> = (0..fs.len()).filter(|&i| self.has(fs[i])).collect();
        let [j] = hits.as_slice() else {
            return Err(self.no_form(e, "not linear"));
        };
        let j = *j;
        let fj = fs[j];
        if self.pool.is_scalar(fj) {
            // v · (wᵀ dx): the rest is a column or a scalar.
            let rest: Vec<Id> = (0..fs.len()).filter(|&i| i != j).map(|i| fs[i]).collect();
            let r = self.pool.mul(&rest);
            let inner = self.ident(fj)?;
            return Ok(self.pool.mul(&[r, inner]));
        }
        if j + 1 == fs.len() {
            let l = self.pool.mul(&fs[..j]);
            let inner = self.ident(fj)?;
            return Ok(self.pool.mul(&[l, inner]));
        }
        let diag_arg = match self.pool.node(fj) {
            Node::Apply(Func::Diag, args) => args.first().copied(),
            _ => None,
        };
        if let Some(d) = diag_arg {
            // diag(d)·R = diag(R)·d for columns d and R.
            let r = self.pool.mul(&fs[j + 1..]);
            let columns = self.pool.shape(d).cols.is_one() && self.pool.shape(r).cols.is_one();
            if columns {
                let l = self.pool.mul(&fs[..j]);
                let dr = self.pool.apply(Func::Diag, &[r]);
                let inner = self.ident(d)?;
                return Ok(self.pool.mul(&[l, dr, inner]));
            }
        }
        let first_matrix = fs.iter().position(|&f| !self.pool.is_scalar(f));
        if self.pool.is_scalar(e) && first_matrix == Some(j) {
            // A 1×1 chain equals its transpose: (dxᵀ…)ᵀ ends in dx.
            let mut left: Vec<Id> = fs[..j].to_vec();
            for &f in fs[j + 1..].iter().rev() {
                left.push(self.pool.transpose(f));
            }
            let l = self.pool.mul(&left);
            let last = self.pool.transpose(fj);
            let inner = self.ident(last)?;
            return Ok(self.pool.mul(&[l, inner]));
        }
        Err(self.no_form(e, "the differential sits inside a matrix product"))
    }

    /// A literal column whose entries identify to literal rows: the rows stacked.
    fn literal(&mut self, e: Id, rows: u32, entries: &[Id]) -> Result<Id, DiffError> {
        let Some(n) = self.n.as_known().filter(|&n| n <= 1 << 16) else {
            return Err(self.no_form(
                e,
                "a literal vector differentiated by a vector of symbolic size",
            ));
        };
        let mut out = Vec::with_capacity(entries.len() * n as usize);
        for &entry in entries {
            let row = self.ident(entry)?;
            match literal_row(self.pool, row, n as usize) {
                Some(r) => out.extend(r),
                None => return Err(self.no_form(entry, "an entry whose row is not literal")),
            }
        }
        Ok(self.pool.matrix(rows, n as u32, out))
    }
}

/// The entries of a 1×n row built from literals: a literal, a zero, scalars times a literal, or
/// a sum of such rows.
fn literal_row(pool: &mut Pool, row: Id, n: usize) -> Option<Vec<Id>> {
    if pool.is_zero(row) {
        let zero = pool.int(0);
        return Some(vec![zero; n]);
    }
    if n == 1 && pool.is_scalar(row) && !matches!(pool.node(row), Node::Add(_)) {
        return Some(vec![row]);
    }
    match pool.node(row).clone() {
        Node::Matrix { entries, .. } if entries.len() == n => Some(entries.to_vec()),
        Node::Mul(fs) => {
            let (last, scalars) = fs.split_last()?;
            if !scalars.iter().all(|&f| pool.is_scalar(f)) {
                return None;
            }
            let inner = literal_row(pool, *last, n)?;
            Some(
                inner
                    .into_iter()
                    .map(|e| {
                        let mut factors = scalars.to_vec();
                        factors.push(e);
                        pool.mul(&factors)
                    })
                    .collect(),
            )
        }
        Node::Add(ts) => {
            let mut acc: Vec<Vec<Id>> = vec![Vec::new(); n];
            for t in ts.iter() {
                let r = literal_row(pool, *t, n)?;
                for (slot, e) in acc.iter_mut().zip(r) {
                    slot.push(e);
                }
            }
            Some(acc.into_iter().map(|terms| pool.add(&terms)).collect())
        }
        _ => None,
    }
}
