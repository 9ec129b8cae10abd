//! Random instances for numeric checks: dimension values and symbol values drawn from a seeded
//! generator, small exact rationals, with the structure the symbols assume (symmetric, spd).

use crate::expr::{Number, Pool, Shape, SymbolId, SymbolOrigin};
use crate::numeric::{Dense, Instance};
use rand::Rng;
use rand_pcg::Pcg64;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// How instances are drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleOptions {
    /// Seed for callers that create their own generator (`Pcg64::seed_from_u64(seed)`).
    pub seed: u64,
    /// Dimension symbols take values in `1..=max_dim`.
    pub max_dim: u64,
    /// Only integers in −3..=3; otherwise a quarter of the entries are halves (k/2, k odd).
    pub integer_entries: bool,
    /// Entries in {−1, 0, 1, 2} only (for small counterexamples).
    pub small_entries: bool,
    /// Once this has passed, a value whose drawing is expensive (a large positive definite
    /// matrix, O(n³) exact products) is abandoned and its symbol left without a value.
    pub deadline: Option<Instant>,
}

impl Default for SampleOptions {
    fn default() -> SampleOptions {
        SampleOptions {
            seed: 0,
            max_dim: 4,
            integer_entries: false,
            small_entries: false,
            deadline: None,
        }
    }
}

/// The same instance in floating point.
pub fn to_f64(instance: &Instance<Number>) -> Instance<f64> {
    Instance {
        dims: instance.dims.clone(),
        values: instance
            .values
            .iter()
            .map(|(s, v)| (*s, v.map(|a| a.to_f64())))
            .collect(),
    }
}

/// An instance for `symbols`: every dimension in their shapes gets an independent value in
/// `1..=max_dim`, then every symbol a value (sum indices are skipped). Symbols in `positive`
/// get entrywise positive values. A symbol whose value is too large, or was cut short by
/// `opts.deadline`, has none.
pub fn sample_instance(
    pool: &Pool,
    symbols: &[SymbolId],
    positive: &BTreeSet<SymbolId>,
    rng: &mut Pcg64,
    opts: &SampleOptions,
) -> Instance<Number> {
    let mut names = BTreeSet::new();
    for &s in symbols {
        let shape = &pool.symbol(s).shape;
        names.extend(shape.rows.symbols.iter().cloned());
        names.extend(shape.cols.symbols.iter().cloned());
    }
    let mut instance = Instance::new();
    instance.dims = sample_dimensions(&names, rng, opts.max_dim);
    // An incomplete instance lacks a value, which evaluating it reports.
    let _ = sample_values(pool, symbols, positive, rng, opts, &mut instance);
    instance
}

/// An independent value in `1..=max_dim` for each dimension name (sorted, so deterministic).
pub fn sample_dimensions(
    names: &BTreeSet<String>,
    rng: &mut Pcg64,
    max_dim: u64,
) -> BTreeMap<String, u64> {
    names
        .iter()
        .map(|n| (n.clone(), rng.gen_range(1..=max_dim.max(1))))
        .collect()
}

/// Adds a random value for each of `symbols` (sum indices skipped) to `instance`; dimensions
/// the instance lacks are sampled first. Returns `false` if `opts.deadline` cut the drawing
/// short (some symbols then have no value).
#[must_use = "an instance cut short by the deadline lacks values"]
pub fn sample_values(
    pool: &Pool,
    symbols: &[SymbolId],
    positive: &BTreeSet<SymbolId>,
    rng: &mut Pcg64,
    opts: &SampleOptions,
    instance: &mut Instance<Number>,
) -> bool {
    for &s in symbols {
        let sym = pool.symbol(s);
        if sym.origin == SymbolOrigin::SumIndex {
            continue;
        }
        let (rows, cols) = concrete(&sym.shape, &mut instance.dims, rng, opts.max_dim);
        // Larger than evaluation allows (a declared 10⁵×10⁵): drawing it would exhaust memory;
        // left without a value, the trial reports the missing value instead.
        if rows
            .checked_mul(cols)
            .is_none_or(|n| n > crate::numeric::MAX_ENTRIES)
        {
            continue;
        }
        let pos = positive.contains(&s);
        let value = if sym.assumptions.positive_definite && rows == cols {
            match spd(rows, rng, opts) {
                Some(v) => v,
                None => return false,
            }
        } else if sym.assumptions.symmetric && rows == cols {
            symmetric(rows, pos, rng, opts)
        } else {
            general(rows, cols, pos, rng, opts)
        };
        instance.values.insert(s, value);
    }
    true
}

/// The concrete size of a shape, sampling any dimension not yet assigned.
fn concrete(
    shape: &Shape,
    dims: &mut BTreeMap<String, u64>,
    rng: &mut Pcg64,
    max_dim: u64,
) -> (usize, usize) {
    let mut size = |d: &crate::expr::Dim| {
        for name in &d.symbols {
            if !dims.contains_key(name) {
                let v = rng.gen_range(1..=max_dim.max(1));
                dims.insert(name.clone(), v);
            }
        }
        d.evaluate(&|s| dims.get(s).copied())
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(1)
    };
    (size(&shape.rows), size(&shape.cols))
}

/// One random entry.
fn entry(positive: bool, rng: &mut Pcg64, opts: &SampleOptions) -> Number {
    if opts.small_entries {
        return Number::int(if positive {
            rng.gen_range(1..=2)
        } else {
            rng.gen_range(-1..=2)
        });
    }
    if !opts.integer_entries && rng.gen_range(0..4) == 0 {
        let k = 2 * rng.gen_range(0..=2) + 1;
        let k = if positive || rng.gen_bool(0.5) { k } else { -k };
        return Number::ratio(k, 2);
    }
    Number::int(if positive {
        rng.gen_range(1..=3)
    } else {
        rng.gen_range(-3..=3)
    })
}

/// A nonzero entry (for repairing an all-zero draw).
fn nonzero_entry(rng: &mut Pcg64, opts: &SampleOptions) -> Number {
    let e = entry(true, rng, opts);
    if rng.gen_bool(0.5) {
        -&e
    } else {
        e
    }
}

fn general(
    rows: usize,
    cols: usize,
    positive: bool,
    rng: &mut Pcg64,
    opts: &SampleOptions,
) -> Dense<Number> {
    let mut data: Vec<Number> = (0..rows * cols)
        .map(|_| entry(positive, rng, opts))
        .collect();
    if data.iter().all(Number::is_zero) {
        let k = rng.gen_range(0..data.len().max(1));
        if let Some(a) = data.get_mut(k) {
            *a = nonzero_entry(rng, opts);
        }
    }
    Dense { rows, cols, data }
}

fn symmetric(n: usize, positive: bool, rng: &mut Pcg64, opts: &SampleOptions) -> Dense<Number> {
    let mut data = vec![Number::zero(); n * n];
    for i in 0..n {
        for j in i..n {
            let e = entry(positive, rng, opts);
            data[i * n + j] = e.clone();
            data[j * n + i] = e;
        }
    }
    if n > 0 && data.iter().all(Number::is_zero) {
        let k = rng.gen_range(0..n);
        data[k * n + k] = nonzero_entry(rng, opts);
    }
    Dense {
        rows: n,
        cols: n,
        data,
    }
}

/// BᵀB + I for a random B: symmetric positive definite, exactly. O(n³) exact products (n is at
/// most 1,000 here): `None` once `opts.deadline` has passed (checked before each row).
fn spd(n: usize, rng: &mut Pcg64, opts: &SampleOptions) -> Option<Dense<Number>> {
    let b = general(n, n, false, rng, opts);
    let mut m = Dense {
        rows: n,
        cols: n,
        data: vec![Number::zero(); n * n],
    };
    for i in 0..n {
        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        // Symmetric: the entries below the diagonal are copies of those above.
        for j in i..n {
            let mut acc = if i == j {
                Number::one()
            } else {
                Number::zero()
            };
            for k in 0..n {
                acc = &acc + &(&b.data[k * n + i] * &b.data[k * n + j]);
            }
            m.data[j * n + i] = acc.clone();
            m.data[i * n + j] = acc;
        }
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{Assumptions, Dim};
    use rand::SeedableRng;

    fn pool_with(assumptions: Assumptions) -> (Pool, Vec<SymbolId>) {
        let mut pool = Pool::new();
        let n = Dim::symbol("n");
        let m = Dim::symbol("m");
        let s = pool
            .declare(
                "S",
                Shape::matrix(n.clone(), n.clone()),
                assumptions,
                SymbolOrigin::Declared,
            )
            .expect("fresh");
        let a = pool
            .declare(
                "A",
                Shape::matrix(m, n),
                Assumptions::default(),
                SymbolOrigin::Declared,
            )
            .expect("fresh");
        let i = pool
            .declare(
                "i",
                Shape::scalar(),
                Assumptions::default(),
                SymbolOrigin::SumIndex,
            )
            .expect("fresh");
        (pool, vec![s, a, i])
    }

    #[test]
    fn symmetric_spd_and_nonzero() {
        let spd_assume = Assumptions {
            symmetric: true,
            positive_definite: true,
        };
        let (pool, syms) = pool_with(spd_assume);
        let mut rng = Pcg64::seed_from_u64(7);
        let opts = SampleOptions::default();
        let mut saw_non_square = false;
        let mut saw_one = false;
        for _ in 0..50 {
            let inst = sample_instance(&pool, &syms, &BTreeSet::new(), &mut rng, &opts);
            assert!(!inst.values.contains_key(&syms[2]), "sum index skipped");
            let s = &inst.values[&syms[0]];
            assert_eq!(s, &s.transpose());
            // Positive definite: every leading minor is positive (Sylvester).
            for k in 1..=s.rows {
                let minor =
                    Dense::from_fn(k, k, |i, j| s.data[i * s.cols + j].clone()).expect("small");
                assert!(!minor.det().expect("square").is_negative());
                assert!(!minor.det().expect("square").is_zero());
            }
            let a = &inst.values[&syms[1]];
            assert!(a.data.iter().any(|e| !e.is_zero()));
            saw_non_square |= inst.dims["m"] != inst.dims["n"];
            saw_one |= inst.dims.values().any(|&d| d == 1);
        }
        assert!(saw_non_square && saw_one);
    }

    #[test]
    fn a_passed_deadline_leaves_a_positive_definite_value_undrawn() {
        let (pool, syms) = pool_with(Assumptions {
            symmetric: true,
            positive_definite: true,
        });
        let mut rng = Pcg64::seed_from_u64(1);
        let opts = SampleOptions {
            deadline: Some(Instant::now()),
            ..SampleOptions::default()
        };
        let mut inst = Instance::new();
        let complete = sample_values(&pool, &syms, &BTreeSet::new(), &mut rng, &opts, &mut inst);
        assert!(!complete);
        assert!(!inst.values.contains_key(&syms[0]));
        let opts = SampleOptions::default();
        assert!(sample_values(
            &pool,
            &syms,
            &BTreeSet::new(),
            &mut rng,
            &opts,
            &mut inst
        ));
        assert!(inst.values.contains_key(&syms[0]));
    }

    #[test]
    fn positive_symbols_and_determinism() {
        let (pool, syms) = pool_with(Assumptions {
            symmetric: true,
            positive_definite: false,
        });
        let positive: BTreeSet<SymbolId> = syms.iter().copied().collect();
        let opts = SampleOptions::default();
        let draw = |seed| {
            let mut rng = Pcg64::seed_from_u64(seed);
            sample_instance(&pool, &syms, &positive, &mut rng, &opts)
        };
        let inst = draw(3);
        assert_eq!(inst, draw(3));
        for v in inst.values.values() {
            assert!(v.data.iter().all(|e| !e.is_negative() && !e.is_zero()));
        }
        let s = &inst.values[&syms[0]];
        assert_eq!(s, &s.transpose());
    }
}
