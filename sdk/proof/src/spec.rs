//! The root of a set of leaves, computed straight from the definition.
//!
//! This is the executable specification of the tree shape: slow (it sorts and
//! recurses over slices) but short enough to check by eye. The store builds
//! the same root incrementally; its tests compare the two.

use crate::hash::{internal_hash, leaf_hash, path_bit, Hash, EMPTY_ROOT, MAX_DEPTH};

/// Root of the tree holding exactly `leaves` (`(key_hash, value_hash)` pairs
/// with distinct key hashes, in any order).
///
/// The tree is the binary trie over the key-hash bits, compacted: a subtree
/// with no leaf is empty, a subtree with one leaf is that leaf, and only a
/// subtree with two or more leaves is an internal node.
pub fn root_from_leaves(leaves: &[(Hash, Hash)]) -> Hash {
    let mut sorted = leaves.to_vec();
    sorted.sort_unstable();
    subtree_root(&sorted, 0)
}

/// Hash of the subtree at `depth` holding exactly `leaves`: `(key_hash, value_hash)` pairs
/// sorted by key hash, with distinct key hashes that all share their first `depth` bits (the
/// path of the subtree). `subtree_root(sorted, 0)` is [`root_from_leaves`]. State sync checks
/// each slot of a snapshot with it (`conclave-store`, `docs/state-tree.md`).
pub fn subtree_root(leaves: &[(Hash, Hash)], depth: usize) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [(key_hash, value_hash)] => leaf_hash(key_hash, value_hash),
        // Only equal key hashes could get this deep; callers promise distinct ones.
        [(key_hash, value_hash), ..] if depth >= MAX_DEPTH => leaf_hash(key_hash, value_hash),
        _ => {
            let split = leaves.partition_point(|(key_hash, _)| !path_bit(key_hash, depth));
            let (left, right) = leaves.split_at(split);
            internal_hash(&subtree_root(left, depth + 1), &subtree_root(right, depth + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{key_hash, value_hash};

    #[test]
    fn empty_and_single() {
        assert_eq!(root_from_leaves(&[]), EMPTY_ROOT);
        let leaf = (key_hash(b"a"), value_hash(b"1"));
        assert_eq!(root_from_leaves(&[leaf]), leaf_hash(&leaf.0, &leaf.1));
    }

    #[test]
    fn two_leaves_split_at_their_first_differing_bit() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        a[0] = 0b0010_0000;
        b[0] = 0b0011_0000;
        let (va, vb) = ([1; 32], [2; 32]);
        // Shared prefix 001: internal nodes at depths 0..=3, the split at depth 3.
        let mut expected = internal_hash(&leaf_hash(&a, &va), &leaf_hash(&b, &vb));
        expected = internal_hash(&EMPTY_ROOT, &expected); // bit 2 = 1
        expected = internal_hash(&expected, &EMPTY_ROOT); // bit 1 = 0
        expected = internal_hash(&expected, &EMPTY_ROOT); // bit 0 = 0
        assert_eq!(root_from_leaves(&[(b, vb), (a, va)]), expected);
    }
}
