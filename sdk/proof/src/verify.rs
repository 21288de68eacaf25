//! The standalone verifier.
//!
//! Besides recomputing the root, the verifier insists that the proof is the
//! one an honest tree produces, so every key has exactly one valid proof per
//! root:
//! - the path is at most [`MAX_DEPTH`] long;
//! - an inclusion proof ends in the queried key's leaf with the given value;
//! - an exclusion proof ends in an empty subtree, or in a leaf of another key
//!   whose hash shares the first `depth` bits with the queried key's hash;
//! - compaction holds at the end of the path: a leaf below the root never has
//!   an empty sibling (it would have moved up), and an empty subtree below the
//!   root always has an internal sibling (otherwise its parent would hold at
//!   most one leaf and would have been compacted away).

use std::fmt;

use crate::hash::{is_internal_hash, key_hash, value_hash, Hash, EMPTY_ROOT, MAX_DEPTH};
use crate::proof::{Proof, Terminal};

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// The proof has more than [`MAX_DEPTH`] siblings.
    TooDeep {
        /// Number of siblings in the proof.
        depth: usize,
    },
    /// Inclusion was claimed but the path ends in an empty subtree.
    NotIncluded,
    /// Inclusion was claimed but the path ends in another key's leaf.
    KeyMismatch,
    /// The leaf holds the queried key but a different value.
    ValueMismatch,
    /// Exclusion was claimed but the path ends in the queried key's own leaf.
    KeyPresent,
    /// The terminal leaf's key hash does not share the path prefix with the
    /// queried key, so it cannot occupy that position.
    WrongPath,
    /// The proof shape cannot come from a compacted tree.
    NonCanonical,
    /// The recomputed root differs from the trusted root.
    RootMismatch {
        /// The root the proof leads to.
        computed: Hash,
    },
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofError::TooDeep { depth } => {
                write!(f, "proof has {depth} siblings, more than {MAX_DEPTH}")
            }
            ProofError::NotIncluded => f.write_str("key is absent but a value was expected"),
            ProofError::KeyMismatch => f.write_str("proof ends in the leaf of a different key"),
            ProofError::ValueMismatch => f.write_str("leaf holds a different value"),
            ProofError::KeyPresent => f.write_str("key is present but absence was expected"),
            ProofError::WrongPath => f.write_str("terminal leaf does not lie on the key's path"),
            ProofError::NonCanonical => f.write_str("proof is not in canonical compacted form"),
            ProofError::RootMismatch { .. } => f.write_str("proof does not lead to the trusted root"),
        }
    }
}

impl std::error::Error for ProofError {}

impl Proof {
    /// Checks that `key` maps to `value` (`Some`) or is absent (`None`) in the
    /// tree whose root is `root`.
    pub fn verify(&self, root: &Hash, key: &[u8], value: Option<&[u8]>) -> Result<(), ProofError> {
        let depth = self.siblings.len();
        if depth > MAX_DEPTH {
            return Err(ProofError::TooDeep { depth });
        }
        let queried = key_hash(key);
        match (&self.terminal, value) {
            (Terminal::Empty, Some(_)) => return Err(ProofError::NotIncluded),
            (Terminal::Empty, None) => {}
            (Terminal::Leaf { key_hash: leaf_key, value_hash: leaf_value }, Some(value)) => {
                if *leaf_key != queried {
                    return Err(ProofError::KeyMismatch);
                }
                if *leaf_value != value_hash(value) {
                    return Err(ProofError::ValueMismatch);
                }
            }
            (Terminal::Leaf { key_hash: leaf_key, .. }, None) => {
                if *leaf_key == queried {
                    return Err(ProofError::KeyPresent);
                }
                if !shares_prefix(leaf_key, &queried, depth) {
                    return Err(ProofError::WrongPath);
                }
            }
        }
        if let Some(last) = self.siblings.last() {
            let canonical = match self.terminal {
                Terminal::Empty => is_internal_hash(last),
                Terminal::Leaf { .. } => *last != EMPTY_ROOT,
            };
            if !canonical {
                return Err(ProofError::NonCanonical);
            }
        }
        let computed = self.implied_root(&queried);
        if computed != *root {
            return Err(ProofError::RootMismatch { computed });
        }
        Ok(())
    }
}

/// Whether the first `bits` bits of `a` and `b` are equal.
fn shares_prefix(a: &Hash, b: &Hash, bits: usize) -> bool {
    let whole = bits / 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (a[whole] ^ b[whole]) & mask == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{internal_hash, leaf_hash, path_bit};

    #[test]
    fn shares_prefix_counts_bits() {
        let a = [0b1010_0000u8; 32];
        let mut b = a;
        b[0] = 0b1011_0000;
        assert!(shares_prefix(&a, &b, 0));
        assert!(shares_prefix(&a, &b, 3));
        assert!(!shares_prefix(&a, &b, 4));
        assert!(shares_prefix(&a, &a, 256));
        b = a;
        b[31] ^= 1;
        assert!(shares_prefix(&a, &b, 255));
        assert!(!shares_prefix(&a, &b, 256));
    }

    #[test]
    fn empty_tree_proves_absence_only() {
        let proof = Proof { siblings: vec![], terminal: Terminal::Empty };
        assert_eq!(proof.verify(&EMPTY_ROOT, b"k", None), Ok(()));
        assert_eq!(proof.verify(&EMPTY_ROOT, b"k", Some(b"v")), Err(ProofError::NotIncluded));
        assert!(matches!(proof.verify(&[1; 32], b"k", None), Err(ProofError::RootMismatch { .. })));
    }

    #[test]
    fn single_leaf_tree() {
        let kh = key_hash(b"k");
        let vh = value_hash(b"v");
        let root = leaf_hash(&kh, &vh);
        let proof = Proof { siblings: vec![], terminal: Terminal::Leaf { key_hash: kh, value_hash: vh } };
        assert_eq!(proof.verify(&root, b"k", Some(b"v")), Ok(()));
        assert_eq!(proof.verify(&root, b"k", Some(b"w")), Err(ProofError::ValueMismatch));
        assert_eq!(proof.verify(&root, b"k", None), Err(ProofError::KeyPresent));
        // Any other key is absent: the single leaf occupies the whole tree.
        assert_eq!(proof.verify(&root, b"other", None), Ok(()));
        assert_eq!(proof.verify(&root, b"other", Some(b"v")), Err(ProofError::KeyMismatch));
    }

    #[test]
    fn leaf_with_empty_sibling_is_non_canonical() {
        let kh = key_hash(b"k");
        let vh = value_hash(b"v");
        let leaf = leaf_hash(&kh, &vh);
        let root = if path_bit(&kh, 0) { internal_hash(&EMPTY_ROOT, &leaf) } else { internal_hash(&leaf, &EMPTY_ROOT) };
        let proof = Proof { siblings: vec![EMPTY_ROOT], terminal: Terminal::Leaf { key_hash: kh, value_hash: vh } };
        assert_eq!(proof.verify(&root, b"k", Some(b"v")), Err(ProofError::NonCanonical));
    }

    #[test]
    fn too_deep_is_rejected_before_hashing() {
        let proof = Proof { siblings: vec![[0x80; 32]; MAX_DEPTH + 1], terminal: Terminal::Empty };
        assert_eq!(proof.verify(&EMPTY_ROOT, b"k", None), Err(ProofError::TooDeep { depth: MAX_DEPTH + 1 }));
    }
}
