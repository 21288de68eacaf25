//! Point reads and proofs: walks down one key hash's path.

use conclave_proof::{path_bit, Hash, Proof, Terminal};

use super::node::{Leaf, Node, View};

/// The leaf at the end of `key_hash`'s path, if it holds that key.
pub(crate) fn get<'a>(root: &'a Node, key_hash: &Hash) -> Option<&'a Leaf> {
    let mut node = root;
    let mut depth = 0;
    loop {
        match node.view() {
            View::Empty => return None,
            View::Leaf(leaf) => return (leaf.key_hash == *key_hash).then_some(leaf),
            View::Internal(internal) => {
                node = if path_bit(key_hash, depth) { &internal.right } else { &internal.left };
                depth += 1;
            }
        }
    }
}

/// The proof for `key_hash` in the tree `root`: an inclusion proof if the
/// path ends in that key's leaf, an exclusion proof otherwise. Also returns
/// that leaf, if it holds the key.
pub(crate) fn prove<'a>(root: &'a Node, key_hash: &Hash) -> (Option<&'a Leaf>, Proof) {
    // Random key hashes put leaves near depth log2(n); 32 covers 4 billion keys
    // without reallocating.
    let mut siblings = Vec::with_capacity(32);
    let mut node = root;
    let mut depth = 0;
    loop {
        match node.view() {
            View::Empty => {
                let proof = Proof { siblings, terminal: Terminal::Empty };
                return (None, proof);
            }
            View::Leaf(leaf) => {
                let proof = Proof {
                    siblings,
                    terminal: Terminal::Leaf { key_hash: leaf.key_hash, value_hash: leaf.value_hash },
                };
                return ((leaf.key_hash == *key_hash).then_some(leaf), proof);
            }
            View::Internal(internal) => {
                if path_bit(key_hash, depth) {
                    siblings.push(internal.left.hash());
                    node = &internal.right;
                } else {
                    siblings.push(internal.right.hash());
                    node = &internal.left;
                }
                depth += 1;
            }
        }
    }
}
