//! Slots: the subtrees at depth `k` that a snapshot splits the tree into, and their
//! commitments.
//!
//! Slot `i` (of `2^k`) holds the keys whose hash starts with the `k` bits of `i` (most
//! significant bit first, as paths are read). Its commitment is the hash of that subtree by
//! the tree's compaction rule, tagged with its kind, because the kind decides how it combines
//! with its neighbour: a lone leaf moves up past empty siblings, an internal node never does.

use conclave_proof::{internal_hash, is_internal_hash, path_bit, subtree_root, Hash, EMPTY_ROOT};

/// The commitment to one slot's subtree (encoded in a manifest as a tag byte, 0, 1 or 2 in
/// the order below, then the 32-byte hash for the last two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// No key falls in the slot.
    Empty,
    /// Exactly one key: the subtree is that leaf (its leaf hash).
    Leaf(Hash),
    /// Two or more keys: the hash of the internal node at the slot's depth.
    Internal(Hash),
}

impl Slot {
    /// The subtree hash ([`EMPTY_ROOT`] for an empty slot).
    pub fn hash(&self) -> Hash {
        match self {
            Slot::Empty => EMPTY_ROOT,
            Slot::Leaf(hash) | Slot::Internal(hash) => *hash,
        }
    }

    /// Whether the hash carries the tag of its kind: a leaf hash has the internal tag clear and
    /// is not the empty hash, an internal hash has the tag set. A manifest whose slots break
    /// this is refused, so a kind cannot be passed off as another.
    pub(crate) fn is_well_formed(&self) -> bool {
        match self {
            Slot::Empty => true,
            Slot::Leaf(hash) => !is_internal_hash(hash) && *hash != EMPTY_ROOT,
            Slot::Internal(hash) => is_internal_hash(hash),
        }
    }

    /// The slot of `leaves` at `depth`: `(key_hash, value_hash)` pairs sorted by key hash,
    /// distinct, all in that slot. Computed by the specification (`conclave_proof::subtree_root`).
    pub(crate) fn of_leaves(leaves: &[(Hash, Hash)], depth: u8) -> Slot {
        match leaves.len() {
            0 => Slot::Empty,
            1 => Slot::Leaf(subtree_root(leaves, usize::from(depth))),
            _ => Slot::Internal(subtree_root(leaves, usize::from(depth))),
        }
    }

    /// The parent of two sibling subtrees, by the compaction rule (as the trie joins nodes):
    /// two empty children are empty, a leaf beside an empty subtree moves up, anything else is
    /// an internal node.
    fn join(left: Slot, right: Slot) -> Slot {
        match (left, right) {
            (Slot::Empty, Slot::Empty) => Slot::Empty,
            (Slot::Leaf(_), Slot::Empty) => left,
            (Slot::Empty, Slot::Leaf(_)) => right,
            _ => Slot::Internal(internal_hash(&left.hash(), &right.hash())),
        }
    }
}

/// The root of the tree whose subtrees at depth `log2(slots.len())` are `slots`, in path
/// order; `slots.len()` must be a power of two.
pub(crate) fn root_of(slots: &[Slot]) -> Hash {
    let mut level: Vec<Slot> = slots.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|pair| Slot::join(pair[0], pair.get(1).copied().unwrap_or(Slot::Empty))).collect();
    }
    level.first().map_or(EMPTY_ROOT, Slot::hash)
}

/// The slot of `key_hash` at `depth`: its first `depth` bits as a number.
pub(crate) fn slot_index(key_hash: &Hash, depth: u8) -> u32 {
    (0..usize::from(depth)).fold(0u32, |index, bit| (index << 1) | u32::from(path_bit(key_hash, bit)))
}

#[cfg(test)]
mod tests {
    use conclave_proof::{key_hash, root_from_leaves, value_hash};

    use super::*;

    fn leaves(n: u32) -> Vec<(Hash, Hash)> {
        let mut leaves: Vec<(Hash, Hash)> =
            (0..n).map(|i| (key_hash(&i.to_le_bytes()), value_hash(&[i as u8]))).collect();
        leaves.sort_unstable();
        leaves
    }

    /// The slots of `leaves` at `depth`, each computed from its own leaves.
    fn slots(leaves: &[(Hash, Hash)], depth: u8) -> Vec<Slot> {
        (0..1u32 << depth)
            .map(|slot| {
                let mine: Vec<_> = leaves.iter().copied().filter(|(kh, _)| slot_index(kh, depth) == slot).collect();
                Slot::of_leaves(&mine, depth)
            })
            .collect()
    }

    #[test]
    fn slots_fold_to_the_root_at_every_depth() {
        for n in [0, 1, 2, 3, 5, 17, 200] {
            let leaves = leaves(n);
            let root = root_from_leaves(&leaves);
            for depth in 0..=8 {
                assert_eq!(root_of(&slots(&leaves, depth)), root, "{n} leaves, depth {depth}");
            }
        }
    }

    #[test]
    fn slot_index_reads_the_first_bits() {
        let mut hash = [0u8; 32];
        hash[0] = 0b1010_0000;
        hash[1] = 0b1000_0000;
        assert_eq!(slot_index(&hash, 0), 0);
        assert_eq!(slot_index(&hash, 1), 1);
        assert_eq!(slot_index(&hash, 4), 0b1010);
        assert_eq!(slot_index(&hash, 9), 0b1_0100_0001);
    }

    #[test]
    fn a_leaf_moves_up_and_an_internal_node_does_not() {
        let leaf = Slot::Leaf([1; 32]);
        let internal = Slot::Internal(internal_hash(&[1; 32], &[2; 32]));
        assert_eq!(root_of(&[Slot::Empty, leaf, Slot::Empty, Slot::Empty]), leaf.hash());
        assert_eq!(
            root_of(&[internal, Slot::Empty]),
            internal_hash(&internal.hash(), &EMPTY_ROOT),
            "an internal slot stays below its parent"
        );
        assert!(leaf.is_well_formed() && internal.is_well_formed());
        assert!(!Slot::Leaf(internal.hash()).is_well_formed());
        assert!(!Slot::Internal([1; 32]).is_well_formed());
        assert!(!Slot::Leaf(EMPTY_ROOT).is_well_formed());
    }
}
