//! The proof type and its wire format.
//!
//! Borsh encoding (all integers little-endian), as sent over ABCI Query:
//!
//! ```text
//! u32            n = number of siblings (0..=256)
//! [u8; 32] × n   siblings, from the root downwards: siblings[d] is the hash of the
//!                subtree next to the path at depth d+1
//! u8             terminal tag: 0 = Empty, 1 = Leaf
//! [u8; 32]       (Leaf only) key_hash of the leaf that ends the path
//! [u8; 32]       (Leaf only) value_hash of that leaf
//! ```
//!
//! The terminal sits at depth `n`; the path to it is the first `n` bits of
//! `blake3(key)` (MSB of byte 0 first, 0 = left).

use borsh::{BorshDeserialize, BorshSerialize};

use crate::hash::{internal_hash, leaf_hash, path_bit, Hash, EMPTY_ROOT};

/// A Merkle proof that a key maps to a value, or is absent, under a root.
///
/// Produced by the store for any key at any retained version; checked with
/// [`Proof::verify`]. One proof shape serves both cases: the path of the
/// queried key ends either in its own leaf (inclusion), in an empty subtree,
/// or in the one other leaf that occupies its path prefix (exclusion).
#[derive(Clone, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Proof {
    /// Sibling hashes along the path, from the root downwards.
    pub siblings: Vec<Hash>,
    /// The node at the end of the path, at depth `siblings.len()`.
    pub terminal: Terminal,
}

/// The node that ends a proof path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Terminal {
    /// An empty subtree: the queried key is absent.
    Empty,
    /// A leaf: the queried key's own (inclusion) or another key whose hash
    /// shares the path prefix (exclusion).
    Leaf {
        /// `blake3(key)` of the key stored in the leaf.
        key_hash: Hash,
        /// `blake3(value)` of the value stored in the leaf.
        value_hash: Hash,
    },
}

impl Terminal {
    /// The node hash of the terminal.
    pub fn hash(&self) -> Hash {
        match self {
            Terminal::Empty => EMPTY_ROOT,
            Terminal::Leaf { key_hash, value_hash } => leaf_hash(key_hash, value_hash),
        }
    }
}

impl Proof {
    /// Length in bytes of the borsh encoding (see the module docs).
    pub fn encoded_len(&self) -> usize {
        let terminal = match self.terminal {
            Terminal::Empty => 1,
            Terminal::Leaf { .. } => 1 + 64,
        };
        4 + 32 * self.siblings.len() + terminal
    }

    /// The root implied by this proof when its path is `key_hash`. This does
    /// no validity checks beyond the hashing; use [`Proof::verify`].
    pub fn implied_root(&self, key_hash: &Hash) -> Hash {
        let mut acc = self.terminal.hash();
        for (depth, sibling) in self.siblings.iter().enumerate().rev() {
            acc = if path_bit(key_hash, depth) { internal_hash(sibling, &acc) } else { internal_hash(&acc, sibling) };
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_matches_encoded_len() {
        let proofs = [
            Proof { siblings: vec![], terminal: Terminal::Empty },
            Proof {
                siblings: vec![[1; 32], [2; 32], [3; 32]],
                terminal: Terminal::Leaf { key_hash: [4; 32], value_hash: [5; 32] },
            },
        ];
        for proof in proofs {
            let bytes = borsh::to_vec(&proof).unwrap();
            assert_eq!(bytes.len(), proof.encoded_len());
            assert_eq!(Proof::try_from_slice(&bytes).unwrap(), proof);
        }
    }

    #[test]
    fn encoding_is_the_documented_layout() {
        let proof = Proof {
            siblings: vec![[0xaa; 32]],
            terminal: Terminal::Leaf { key_hash: [0xbb; 32], value_hash: [0xcc; 32] },
        };
        let bytes = borsh::to_vec(&proof).unwrap();
        let mut expected = vec![1, 0, 0, 0];
        expected.extend([0xaa; 32]);
        expected.push(1);
        expected.extend([0xbb; 32]);
        expected.extend([0xcc; 32]);
        assert_eq!(bytes, expected);

        let empty = borsh::to_vec(&Proof { siblings: vec![], terminal: Terminal::Empty }).unwrap();
        assert_eq!(empty, vec![0, 0, 0, 0, 0]);
    }

    #[test]
    fn truncated_or_padded_encodings_are_rejected() {
        let proof = Proof { siblings: vec![[1; 32]; 2], terminal: Terminal::Empty };
        let bytes = borsh::to_vec(&proof).unwrap();
        for cut in 0..bytes.len() {
            assert!(Proof::try_from_slice(&bytes[..cut]).is_err());
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(Proof::try_from_slice(&padded).is_err());
        let mut bad_tag = bytes;
        let last = bad_tag.len() - 1;
        bad_tag[last] = 2;
        assert!(Proof::try_from_slice(&bad_tag).is_err());
    }
}
