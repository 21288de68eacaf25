//! Trie nodes. Each node caches its hash, computed once when it is created.

use std::sync::Arc;

use conclave_proof::{internal_hash, leaf_hash, Hash, EMPTY_ROOT};

use crate::snapshot::Bytes;

/// A subtree: empty, a single leaf, or an internal node above two or more leaves.
#[derive(Clone, Default)]
pub(crate) enum Node {
    /// No leaf below this position.
    #[default]
    Empty,
    /// The only leaf below this position.
    Leaf(Arc<Leaf>),
    /// Two or more leaves below this position.
    Internal(Arc<Internal>),
}

/// One key-value pair. The leaf holds the value itself, so a point read is a
/// walk down the key hash's path; the key is identified by its hash (keys
/// live in the snapshot's ordered key set).
///
/// `repr(C)` with the hash first: a parent reads a sibling's hash right
/// after bumping its reference count, and this keeps both in the same
/// cache line as often as the allocator's alignment allows.
#[repr(C)]
pub(crate) struct Leaf {
    pub(crate) hash: Hash,
    pub(crate) key_hash: Hash,
    pub(crate) value_hash: Hash,
    pub(crate) value: Bytes,
}

#[repr(C)]
pub(crate) struct Internal {
    pub(crate) hash: Hash,
    pub(crate) left: Node,
    pub(crate) right: Node,
}

impl Node {
    pub(crate) fn leaf(key_hash: Hash, value_hash: Hash, value: Bytes) -> Node {
        Node::Leaf(Arc::new(Leaf { hash: leaf_hash(&key_hash, &value_hash), key_hash, value_hash, value }))
    }

    /// Joins two canonical subtrees under a new parent, keeping the result
    /// canonical: a lone leaf moves up instead of getting a parent.
    /// `original` is the node being replaced; if neither child changed it is
    /// reused, so unchanged subtrees stay shared and are not rehashed.
    pub(crate) fn join(original: Option<&Arc<Internal>>, left: Node, right: Node) -> Node {
        match (&left, &right) {
            (Node::Empty, Node::Empty) => Node::Empty,
            (Node::Leaf(_), Node::Empty) => left,
            (Node::Empty, Node::Leaf(_)) => right,
            _ => {
                if let Some(original) = original {
                    if original.left.ptr_eq(&left) && original.right.ptr_eq(&right) {
                        return Node::Internal(Arc::clone(original));
                    }
                }
                let hash = internal_hash(&left.hash(), &right.hash());
                Node::Internal(Arc::new(Internal { hash, left, right }))
            }
        }
    }

    pub(crate) fn hash(&self) -> Hash {
        match self {
            Node::Empty => EMPTY_ROOT,
            Node::Leaf(leaf) => leaf.hash,
            Node::Internal(internal) => internal.hash,
        }
    }

    /// Loads the start of the node (reference counts and hash) into cache
    /// with a plain read, without waiting for it to be used.
    #[inline]
    pub(crate) fn touch(&self) {
        let count = match self {
            Node::Empty => 0,
            Node::Leaf(leaf) => Arc::strong_count(leaf),
            Node::Internal(internal) => Arc::strong_count(internal),
        };
        std::hint::black_box(count);
    }

    /// Same node (not merely equal content).
    pub(crate) fn ptr_eq(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Empty, Node::Empty) => true,
            (Node::Leaf(a), Node::Leaf(b)) => Arc::ptr_eq(a, b),
            (Node::Internal(a), Node::Internal(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}
