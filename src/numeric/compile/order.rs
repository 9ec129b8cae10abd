//! The order of a compiled program: nodes in topological order (what each step reads), and the
//! cheapest order of a matrix chain.

use crate::expr::{Func, Id, Node, NormKind, Number, Pool};

/// The nodes a program evaluates, children before parents (bodies of `∑` and `at` excluded:
/// those are evaluated whole).
pub(super) fn topological(pool: &Pool, roots: &[Id]) -> Vec<Id> {
    let mut order = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(Id, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            order.push(n);
            continue;
        }
        if !seen.insert(n) {
            continue;
        }
        stack.push((n, true));
        stack.extend(operands(pool, n).into_iter().rev().map(|c| (c, false)));
    }
    order
}

/// The operands a compiled step reads.
pub(super) fn operands(pool: &Pool, id: Id) -> Vec<Id> {
    match pool.node(id) {
        Node::Sum { .. } | Node::At(..) | Node::Kron(..) => Vec::new(),
        Node::Pow(b, e) => match even_norm_power(pool, *b, *e) {
            Some((v, _)) => vec![v],
            None => vec![*b, *e],
        },
        node => node.children(),
    }
}

/// `Some((v, j))` when `b^e` is `‖v‖^(2j)` for the 2-norm or Frobenius norm.
pub(super) fn even_norm_power(pool: &Pool, b: Id, e: Id) -> Option<(Id, Number)> {
    let (Node::Num(k), Node::Apply(Func::Norm(NormKind::Two | NormKind::Frobenius), args)) =
        (pool.node(e), pool.node(b))
    else {
        return None;
    };
    let j = k * &Number::ratio(1, 2);
    match (&args[..], j.is_integer()) {
        (&[v], true) => Some((v, j)),
        _ => None,
    }
}

/// `split[i][j]`: where the cheapest evaluation of `chain[i..=j]` splits (matrix-chain order,
/// constant sub-chains free).
pub(super) fn chain_order(
    chain: &[usize],
    shapes: &[(usize, usize)],
    constant: &[bool],
) -> Vec<Vec<usize>> {
    let n = chain.len();
    let mut cost = vec![vec![0f64; n]; n];
    let mut split = vec![vec![0usize; n]; n];
    for len in 2..=n {
        for i in 0..=n - len {
            let j = i + len - 1;
            let all_constant = chain[i..=j].iter().all(|&s| constant[s]);
            let mut best = f64::INFINITY;
            for k in i..j {
                let (r, m, c) = (
                    shapes[chain[i]].0 as f64,
                    shapes[chain[k]].1 as f64,
                    shapes[chain[j]].1 as f64,
                );
                let here = if all_constant { 0.0 } else { r * m * c };
                let total = cost[i][k] + cost[k + 1][j] + here;
                if total < best {
                    best = total;
                    split[i][j] = k;
                }
            }
            cost[i][j] = best;
        }
    }
    split
}
