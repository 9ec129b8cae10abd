//! A set of a pool's ids as one bit per id: membership and insertion without hashing, for the
//! sweeps that mark every node of a large DAG.

use super::node::Id;

/// A set of [`Id`]s, one bit per id up to the largest inserted. Iteration is in increasing id
/// order, so it is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdSet {
    words: Vec<u64>,
    len: usize,
}

impl IdSet {
    /// An empty set with room for the ids below `ids` without growing.
    pub fn with_capacity(ids: usize) -> IdSet {
        IdSet {
            words: Vec::with_capacity(ids.div_ceil(64)),
            len: 0,
        }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &Id) -> bool {
        let i = id.index();
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// Adds `id`; whether it was absent.
    pub fn insert(&mut self, id: Id) -> bool {
        let i = id.index();
        if i / 64 >= self.words.len() {
            self.words.resize(i / 64 + 1, 0);
        }
        let (word, bit) = (&mut self.words[i / 64], 1u64 << (i % 64));
        let absent = *word & bit == 0;
        *word |= bit;
        self.len += usize::from(absent);
        absent
    }

    /// How many ids the set holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The ids in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = Id> + '_ {
        self.words.iter().enumerate().flat_map(|(k, &w)| {
            let mut rest = w;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    Id(k as u32 * 64 + bit)
                })
            })
        })
    }
}

/// A finished [`IdSet`] with its ids numbered `0..len` in increasing order, so per-id data can
/// live in a dense vector instead of a hash map.
#[derive(Clone, Debug)]
pub struct IdIndex {
    set: IdSet,
    /// Per word of the set: how many ids the words before it hold.
    before: Vec<u32>,
}

impl IdIndex {
    /// Numbers the ids of `set`.
    pub fn new(set: IdSet) -> IdIndex {
        let mut count = 0u32;
        let before = set
            .words
            .iter()
            .map(|w| {
                let here = count;
                count += w.count_ones();
                here
            })
            .collect();
        IdIndex { set, before }
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &Id) -> bool {
        self.set.contains(id)
    }

    /// The number of `id` (its position among the set's ids in increasing order), if present.
    pub fn position(&self, id: Id) -> Option<usize> {
        let i = id.index();
        let (word, before) = (*self.set.words.get(i / 64)?, *self.before.get(i / 64)?);
        let bit = 1u64 << (i % 64);
        (word & bit != 0).then(|| before as usize + (word & (bit - 1)).count_ones() as usize)
    }

    /// How many ids are numbered.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no id is numbered.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The ids in increasing order (their numbers are 0, 1, …).
    pub fn iter(&self) -> impl Iterator<Item = Id> + '_ {
        self.set.iter()
    }
}

impl Extend<Id> for IdSet {
    fn extend<I: IntoIterator<Item = Id>>(&mut self, ids: I) {
        for id in ids {
            self.insert(id);
        }
    }
}

impl FromIterator<Id> for IdSet {
    fn from_iter<I: IntoIterator<Item = Id>>(ids: I) -> IdSet {
        let mut set = IdSet::default();
        set.extend(ids);
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_counts_and_iterates_in_order() {
        let mut s = IdSet::with_capacity(10);
        assert!(s.insert(Id(130)));
        assert!(s.insert(Id(3)));
        assert!(!s.insert(Id(3)));
        assert!(s.insert(Id(64)));
        assert_eq!(s.len(), 3);
        assert!(s.contains(&Id(64)) && !s.contains(&Id(65)) && !s.contains(&Id(100_000)));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![Id(3), Id(64), Id(130)]);
    }

    #[test]
    fn numbers_ids_in_order() {
        let ids = [Id(5), Id(63), Id(64), Id(200), Id(1)];
        let index = IdIndex::new(ids.into_iter().collect());
        let numbered: Vec<Option<usize>> = [1, 5, 63, 64, 200, 2, 65, 9999]
            .iter()
            .map(|&i| index.position(Id(i)))
            .collect();
        assert_eq!(
            numbered,
            vec![
                Some(0),
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                None,
                None,
                None
            ]
        );
        assert_eq!(index.len(), 5);
    }
}
