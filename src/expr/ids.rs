//! The child list of an n-ary node.

use super::node::Id;
use serde::Serialize;
use smallvec::SmallVec;
use std::ops::Deref;

/// The children of an n-ary node (a sum, product, application, literal matrix or component):
/// up to four are kept in the node itself — most nodes have two or three — and more on the
/// heap, sized exactly. A pool holds millions of these; a separate allocation for each short
/// list would cost more memory than the node.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Ids(SmallVec<[Id; 4]>);

impl Deref for Ids {
    type Target = [Id];

    fn deref(&self) -> &[Id] {
        &self.0
    }
}

impl From<&[Id]> for Ids {
    fn from(ids: &[Id]) -> Ids {
        Ids(SmallVec::from_slice(ids))
    }
}

impl<const N: usize> From<[Id; N]> for Ids {
    fn from(ids: [Id; N]) -> Ids {
        Ids::from(&ids[..])
    }
}

impl From<Vec<Id>> for Ids {
    /// Short lists move into the node; longer ones keep the vector's buffer, shrunk to fit.
    fn from(mut ids: Vec<Id>) -> Ids {
        if ids.len() <= 4 {
            Ids::from(&ids[..])
        } else {
            ids.shrink_to_fit();
            Ids(SmallVec::from_vec(ids))
        }
    }
}

impl FromIterator<Id> for Ids {
    fn from_iter<I: IntoIterator<Item = Id>>(iter: I) -> Ids {
        let mut ids: SmallVec<[Id; 4]> = iter.into_iter().collect();
        ids.shrink_to_fit();
        Ids(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Up to four children live in the node, more on the heap without spare room.
    #[test]
    fn short_lists_are_inline_and_long_ones_exact() {
        let four: Ids = (0..4).map(Id).collect::<Vec<_>>().into();
        assert!(!four.0.spilled());
        let mut roomy = Vec::with_capacity(64);
        roomy.extend((0..3).map(Id));
        assert!(!Ids::from(roomy).0.spilled());
        let mut long = Vec::with_capacity(64);
        long.extend((0..9).map(Id));
        let long = Ids::from(long);
        assert!(long.0.spilled());
        assert_eq!(long.0.capacity(), 9);
        assert_eq!(&long[..], &(0..9).map(Id).collect::<Vec<_>>()[..]);
        let collected: Ids = (0..5).map(Id).collect();
        assert_eq!(collected.0.capacity(), 5);
        assert_eq!(std::mem::size_of::<Ids>(), 24);
    }
}
