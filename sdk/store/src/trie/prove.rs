//! Proof generation: walk the key's path, collecting sibling hashes.

use conclave_proof::{path_bit, Hash, Proof, Terminal};

use super::node::Node;

/// The proof for `key_hash` in the tree `root`: an inclusion proof if the
/// path ends in that key's leaf, an exclusion proof otherwise.
pub(crate) fn prove(root: &Node, key_hash: &Hash) -> Proof {
    // Random key hashes put leaves near depth log2(n); 32 covers 4 billion keys
    // without reallocating.
    let mut siblings = Vec::with_capacity(32);
    let mut node = root;
    let mut depth = 0;
    let terminal = loop {
        match node {
            Node::Empty => break Terminal::Empty,
            Node::Leaf(leaf) => {
                break Terminal::Leaf {
                    key_hash: leaf.key_hash,
                    value_hash: leaf.value_hash,
                }
            }
            Node::Internal(internal) => {
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
    };
    Proof { siblings, terminal }
}
