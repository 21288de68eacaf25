//! Trie nodes. Each node caches its hash, computed once when it is created.

use conclave_proof::{internal_hash, leaf_hash, Hash, EMPTY_ROOT};

use super::pool::{pooled, Either, EitherRef, Shared};
use crate::snapshot::Bytes;

/// A subtree: empty, a single leaf, or an internal node above two or more
/// leaves. One word (see [`Either`]); [`Node::view`] tells which it is.
#[derive(Clone, Default)]
pub(crate) struct Node(Either<Leaf, Internal>);

/// What a [`Node`] is, borrowed.
pub(crate) enum View<'a> {
    /// No leaf below this position.
    Empty,
    /// The only leaf below this position.
    Leaf(&'a Leaf),
    /// Two or more leaves below this position.
    Internal(&'a Internal),
}

/// One key-value pair. The leaf holds the value itself, so a point read is a
/// walk down the key hash's path; the key is identified by its hash (keys
/// live in the snapshot's ordered key set).
///
/// `repr(C)` with the hash first: a parent reads a sibling's hash right
/// after bumping its reference count, which sits just before the node in its
/// pool slot, so both are usually in the same cache line.
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
    pub(crate) const EMPTY: Node = Node(Either::NOTHING);

    pub(crate) fn leaf(key_hash: Hash, value_hash: Hash, value: Bytes) -> Node {
        Node(Either::a(Shared::new(Leaf { hash: leaf_hash(&key_hash, &value_hash), key_hash, value_hash, value })))
    }

    pub(crate) fn view(&self) -> View<'_> {
        match self.0.get() {
            EitherRef::Nothing => View::Empty,
            EitherRef::A(leaf) => View::Leaf(leaf),
            EitherRef::B(internal) => View::Internal(internal),
        }
    }

    /// Joins two canonical subtrees under a new parent, keeping the result
    /// canonical: a lone leaf moves up instead of getting a parent.
    /// `original` is the internal node being replaced, if any; if neither
    /// child changed it is reused, so unchanged subtrees stay shared and are
    /// not rehashed.
    pub(crate) fn join(original: Option<&Node>, left: Node, right: Node) -> Node {
        match (left.view(), right.view()) {
            (View::Empty, View::Empty) => Node::EMPTY,
            (View::Leaf(_), View::Empty) => left,
            (View::Empty, View::Leaf(_)) => right,
            _ => {
                if let Some(original) = original {
                    if let View::Internal(internal) = original.view() {
                        if internal.left.ptr_eq(&left) && internal.right.ptr_eq(&right) {
                            return original.clone();
                        }
                    }
                }
                let hash = internal_hash(&left.hash(), &right.hash());
                Node(Either::b(Shared::new(Internal { hash, left, right })))
            }
        }
    }

    pub(crate) fn hash(&self) -> Hash {
        match self.view() {
            View::Empty => EMPTY_ROOT,
            View::Leaf(leaf) => leaf.hash,
            View::Internal(internal) => internal.hash,
        }
    }

    /// Loads the start of the node's slot (reference count and hash) into
    /// cache with a plain read, without waiting for it to be used.
    #[inline]
    pub(crate) fn touch(&self) {
        std::hint::black_box(self.0.ref_count());
    }

    /// Same node (not merely equal content).
    pub(crate) fn ptr_eq(&self, other: &Node) -> bool {
        self.0.ptr_eq(&other.0)
    }
}

pooled!(Leaf);
pooled!(Internal);
