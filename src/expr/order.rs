//! A total structural order on expressions, independent of construction order, used to sort the
//! terms of sums and the scalar factors of products so canonical forms are the same in every pool.

use super::node::{Id, Node};
use super::pool::Pool;
use std::cmp::Ordering;

/// Expressions up to this height are compared by content, deeper ones by structural hash.
const SHALLOW: u32 = 4;

/// Orders node kinds: numbers first, then atoms, then compound forms.
fn rank(node: &Node) -> u8 {
    match node {
        Node::Num(_) => 0,
        Node::DimValue(_) => 1,
        Node::Sym(_) => 2,
        Node::Component(..) => 3,
        Node::Identity(_) => 4,
        Node::Ones(_) => 5,
        Node::Zero(_) => 6,
        Node::Transpose(_) => 7,
        Node::Pow(..) => 8,
        Node::Apply(..) => 9,
        Node::Mul(_) => 10,
        Node::Add(_) => 11,
        Node::Hadamard(_) => 12,
        Node::HadamardPow(..) => 12,
        Node::Kron(..) => 13,
        Node::Matrix { .. } => 14,
        Node::Sum { .. } => 15,
        Node::Derivative(_) => 16,
        Node::At(..) => 17,
    }
}

/// Splits a scalar power into base and exponent so `x`, `x²` and `y` sort as `x, x², y`.
fn base_and_exponent(pool: &Pool, id: Id) -> (Id, Option<Id>) {
    match pool.node(id) {
        Node::Pow(b, e) if pool.is_scalar(id) => (*b, Some(*e)),
        Node::HadamardPow(b, e) => (*b, Some(*e)),
        _ => (id, None),
    }
}

/// Compares two expressions structurally: by kind, then (for compound expressions) by height and
/// structural hash, recursing only when those agree. Deterministic across pools and machines; two
/// ids compare `Equal` only when they are the same expression.
pub fn structural_cmp(pool: &Pool, a: Id, b: Id) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (base_a, exp_a) = base_and_exponent(pool, a);
    let (base_b, exp_b) = base_and_exponent(pool, b);
    if exp_a.is_some() || exp_b.is_some() {
        let by_base = structural_cmp(pool, base_a, base_b);
        if by_base != Ordering::Equal {
            return by_base;
        }
        return match (exp_a, exp_b) {
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => structural_cmp(pool, x, y),
            (None, None) => Ordering::Equal,
        };
    }
    let (na, nb) = (pool.node(a), pool.node(b));
    let by_rank = rank(na).cmp(&rank(nb));
    if by_rank != Ordering::Equal {
        return by_rank;
    }
    if !na.is_leaf() {
        // Shallow expressions compare by content (so `aᵀx` precedes `xᵀa`); deep ones by height
        // and hash first, which keeps sorting long products of deep factors cheap.
        let (ka, kb) = (pool.key(a), pool.key(b));
        if ka.0 != kb.0 {
            return ka.0.cmp(&kb.0);
        }
        if ka.0 > SHALLOW && ka.1 != kb.1 {
            return ka.1.cmp(&kb.1);
        }
    }
    let ids = |xs: &[Id], ys: &[Id]| cmp_slices(pool, xs, ys);
    match (na, nb) {
        (Node::Num(x), Node::Num(y)) => x.cmp(y),
        (Node::Sym(x), Node::Sym(y)) => pool
            .symbol(*x)
            .name
            .cmp(&pool.symbol(*y).name)
            .then(x.cmp(y)),
        (Node::DimValue(x), Node::DimValue(y)) | (Node::Identity(x), Node::Identity(y)) => x.cmp(y),
        (Node::Ones(x), Node::Ones(y)) | (Node::Zero(x), Node::Zero(y)) => x.cmp(y),
        (Node::Add(xs), Node::Add(ys))
        | (Node::Mul(xs), Node::Mul(ys))
        | (Node::Hadamard(xs), Node::Hadamard(ys)) => ids(xs, ys),
        (Node::Pow(a1, b1), Node::Pow(a2, b2))
        | (Node::Kron(a1, b1), Node::Kron(a2, b2))
        | (Node::HadamardPow(a1, b1), Node::HadamardPow(a2, b2)) => ids(&[*a1, *b1], &[*a2, *b2]),
        (Node::Transpose(x), Node::Transpose(y)) => structural_cmp(pool, *x, *y),
        (Node::Apply(f, xs), Node::Apply(g, ys)) => f.cmp(g).then_with(|| ids(xs, ys)),
        (
            Node::Matrix {
                rows: r1,
                cols: c1,
                entries: e1,
            },
            Node::Matrix {
                rows: r2,
                cols: c2,
                entries: e2,
            },
        ) => r1.cmp(r2).then(c1.cmp(c2)).then_with(|| ids(e1, e2)),
        (Node::Component(v1, i1), Node::Component(v2, i2)) => {
            structural_cmp(pool, *v1, *v2).then_with(|| ids(i1, i2))
        }
        (
            Node::Sum {
                index: i1,
                lower: l1,
                upper: u1,
                body: b1,
            },
            Node::Sum {
                index: i2,
                lower: l2,
                upper: u2,
                body: b2,
            },
        ) => pool
            .symbol(*i1)
            .name
            .cmp(&pool.symbol(*i2).name)
            .then_with(|| ids(&[*l1, *u1, *b1], &[*l2, *u2, *b2])),
        (Node::Derivative(d1), Node::Derivative(d2)) => d1
            .kind
            .cmp(&d2.kind)
            .then_with(|| structural_cmp(pool, d1.expr, d2.expr))
            .then_with(|| ids(&d1.wrt, &d2.wrt))
            .then_with(|| match (d1.direction, d2.direction) {
                (Some(x), Some(y)) => structural_cmp(pool, x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            }),
        (Node::At(b1, s1), Node::At(b2, s2)) => structural_cmp(pool, *b1, *b2).then_with(|| {
            let v1: Vec<Id> = s1.iter().map(|(_, v)| *v).collect();
            let v2: Vec<Id> = s2.iter().map(|(_, v)| *v).collect();
            let names1: Vec<&str> = s1
                .iter()
                .map(|(s, _)| pool.symbol(*s).name.as_str())
                .collect();
            let names2: Vec<&str> = s2
                .iter()
                .map(|(s, _)| pool.symbol(*s).name.as_str())
                .collect();
            names1.cmp(&names2).then_with(|| ids(&v1, &v2))
        }),
        _ => a.cmp(&b),
    }
}

fn cmp_slices(pool: &Pool, xs: &[Id], ys: &[Id]) -> Ordering {
    for (x, y) in xs.iter().zip(ys) {
        let c = structural_cmp(pool, *x, *y);
        if c != Ordering::Equal {
            return c;
        }
    }
    xs.len().cmp(&ys.len())
}
