//! The node hash scheme.
//!
//! Every node hash is one blake3 call over exactly 64 bytes (a single
//! compression). Leaves and internal nodes are told apart by the most
//! significant bit of byte 0 of their hash, not by a prefix byte, so a
//! prefix byte never pushes an input past 64 bytes:
//!
//! | node     | hash                                           | MSB of byte 0 |
//! |----------|------------------------------------------------|---------------|
//! | empty    | 32 zero bytes ([`EMPTY_ROOT`])                 | 0             |
//! | leaf     | `blake3(key_hash ‖ value_hash)`, MSB cleared   | 0             |
//! | internal | `blake3(left ‖ right)`, MSB set                | 1             |
//!
//! Clearing or setting one bit leaves 255 bits of collision resistance.

/// A 32-byte blake3 digest, or a node hash derived from one.
pub type Hash = [u8; 32];

/// Hash of the empty subtree: the root of the empty tree and the terminator
/// at the end of an exclusion path.
pub const EMPTY_ROOT: Hash = [0; 32];

/// Maximum depth of a node below the root. Two distinct key hashes differ in
/// one of their 256 bits, so no leaf is ever deeper than this.
pub const MAX_DEPTH: usize = 256;

const TAG_BIT: u8 = 0x80;

/// The path of `key` through the tree: `blake3(key)`.
pub fn key_hash(key: &[u8]) -> Hash {
    *blake3::hash(key).as_bytes()
}

/// The commitment to a value stored in a leaf: `blake3(value)`.
pub fn value_hash(value: &[u8]) -> Hash {
    *blake3::hash(value).as_bytes()
}

/// Hash of a leaf: `blake3(key_hash ‖ value_hash)` with the MSB of byte 0 cleared.
pub fn leaf_hash(key_hash: &Hash, value_hash: &Hash) -> Hash {
    let mut hash = hash_pair(key_hash, value_hash);
    hash[0] &= !TAG_BIT;
    hash
}

/// Hash of an internal node: `blake3(left ‖ right)` with the MSB of byte 0 set.
pub fn internal_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hash = hash_pair(left, right);
    hash[0] |= TAG_BIT;
    hash
}

/// Whether `hash` carries the internal-node tag. Leaf and empty hashes never do.
pub fn is_internal_hash(hash: &Hash) -> bool {
    hash[0] & TAG_BIT != 0
}

/// Bit `depth` of `key_hash`, most significant bit of byte 0 first.
/// `false` means the key lies in the left subtree at that depth.
///
/// Depths past [`MAX_DEPTH`] read as `false`; callers never go that deep.
pub fn path_bit(key_hash: &Hash, depth: usize) -> bool {
    match key_hash.get(depth >> 3) {
        Some(byte) => (byte >> (7 - (depth & 7))) & 1 == 1,
        None => false,
    }
}

fn hash_pair(a: &Hash, b: &Hash) -> Hash {
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(a);
    input[32..].copy_from_slice(b);
    *blake3::hash(&input).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_separate_leaf_and_internal() {
        let a = key_hash(b"a");
        let b = key_hash(b"b");
        assert!(!is_internal_hash(&leaf_hash(&a, &b)));
        assert!(is_internal_hash(&internal_hash(&a, &b)));
        assert!(!is_internal_hash(&EMPTY_ROOT));
    }

    #[test]
    fn node_hash_is_blake3_of_the_64_byte_concatenation() {
        let a = [7u8; 32];
        let b = [9u8; 32];
        let mut input = a.to_vec();
        input.extend_from_slice(&b);
        let plain = *blake3::hash(&input).as_bytes();
        let leaf = leaf_hash(&a, &b);
        let internal = internal_hash(&a, &b);
        assert_eq!(leaf[1..], plain[1..]);
        assert_eq!(internal[1..], plain[1..]);
        assert_eq!(leaf[0], plain[0] & 0x7f);
        assert_eq!(internal[0], plain[0] | 0x80);
    }

    #[test]
    fn path_bits_are_msb_first() {
        let mut h = [0u8; 32];
        h[0] = 0b1000_0001;
        h[31] = 0b0000_0001;
        assert!(path_bit(&h, 0));
        assert!(!path_bit(&h, 1));
        assert!(path_bit(&h, 7));
        assert!(path_bit(&h, 255));
        assert!(!path_bit(&h, 256));
    }
}
