//! Applying a batch of changes to a trie, copy-on-write.
//!
//! The batch is sorted by key hash, so the changes below any node form one
//! contiguous run and the split between its children is a binary search.
//! Each node on a changed path is created (and hashed) exactly once, bottom-up;
//! untouched subtrees are shared with the parent version.

use std::sync::Arc;

use conclave_proof::{path_bit, Hash, MAX_DEPTH};

use super::node::{Node, View};
use crate::snapshot::Bytes;

/// Batches at least this large are split across two threads at the root.
/// Below it, spawning costs more than it saves.
pub(crate) const PARALLEL_MIN_UPDATES: usize = 1024;

/// One change, by key hash. `value == None` deletes the key.
#[derive(Clone, Debug)]
pub(crate) struct Update {
    pub(crate) key_hash: Hash,
    pub(crate) value: Option<NewValue>,
    /// Position of the change in the caller's batch, reported back in [`KeySetEdits`].
    pub(crate) index: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct NewValue {
    pub(crate) hash: Hash,
    pub(crate) bytes: Bytes,
}

/// Which updates changed the set of keys (as opposed to a value, or nothing).
#[derive(Debug, Default)]
pub(crate) struct KeySetEdits {
    /// Indices of updates that added a key.
    pub(crate) inserted: Vec<u32>,
    /// Indices of updates that removed a key.
    pub(crate) removed: Vec<u32>,
}

/// Applies `updates` to the tree `root` and returns the new root, leaving
/// `root` untouched.
///
/// `updates` must be sorted by key hash, without duplicate key hashes.
pub(crate) fn apply(root: &Node, updates: &[Update]) -> (Node, KeySetEdits) {
    let mut edits = KeySetEdits::default();
    if updates.len() < PARALLEL_MIN_UPDATES {
        let root = apply_at(root, 0, updates, &mut edits);
        return (root, edits);
    }
    let empty = Node::EMPTY;
    let (left, right, original) = children(root, 0, &empty);
    let (left_updates, right_updates) = split(updates, 0);
    let (left, right, left_edits) = std::thread::scope(|scope| {
        let left_side = scope.spawn(|| {
            let mut edits = KeySetEdits::default();
            let left = apply_at(left, 1, left_updates, &mut edits);
            (left, edits)
        });
        let right = apply_at(right, 1, right_updates, &mut edits);
        match left_side.join() {
            Ok((left, left_edits)) => (left, right, left_edits),
            // A panic here is a bug in this module; let it surface unchanged.
            Err(payload) => std::panic::resume_unwind(payload),
        }
    });
    edits.inserted.extend(left_edits.inserted);
    edits.removed.extend(left_edits.removed);
    (Node::join(original, left, right), edits)
}

fn apply_at(node: &Node, depth: usize, updates: &[Update], edits: &mut KeySetEdits) -> Node {
    let [only] = updates else {
        if updates.is_empty() {
            return node.clone();
        }
        return descend(node, depth, updates, edits);
    };
    match node.view() {
        View::Empty => match &only.value {
            Some(value) => {
                edits.inserted.push(only.index);
                Node::leaf(only.key_hash, value.hash, Arc::clone(&value.bytes))
            }
            None => Node::EMPTY,
        },
        View::Leaf(leaf) if only.key_hash == leaf.key_hash => match &only.value {
            Some(value) if value.hash == leaf.value_hash => node.clone(),
            Some(value) => Node::leaf(only.key_hash, value.hash, Arc::clone(&value.bytes)),
            None => {
                edits.removed.push(only.index);
                Node::EMPTY
            }
        },
        _ => descend(node, depth, updates, edits),
    }
}

/// Applies two or more updates, or one that meets a different leaf, below `node`.
fn descend(node: &Node, depth: usize, updates: &[Update], edits: &mut KeySetEdits) -> Node {
    // Distinct key hashes always differ above this depth; only a blake3
    // collision could get here. Keep the tree as it is rather than recurse.
    if depth >= MAX_DEPTH {
        return node.clone();
    }
    let empty = Node::EMPTY;
    let (left, right, original) = children(node, depth, &empty);
    // Start both cache misses now so they overlap: the child we descend
    // into is read next, and the other child's reference count is bumped
    // when the new parent takes it over. That bump is a locked
    // instruction, which would otherwise wait for its miss alone.
    left.touch();
    right.touch();
    let (left_updates, right_updates) = split(updates, depth);
    let left = apply_at(left, depth + 1, left_updates, edits);
    let right = apply_at(right, depth + 1, right_updates, edits);
    Node::join(original, left, right)
}

/// The two subtrees of the position `node` occupies at `depth`. A leaf or an
/// empty subtree is expanded on the fly: a leaf goes to the side its key hash
/// points to, the other side is empty.
/// The third element is `node` itself if it is an internal node (the one the
/// new parent may reuse).
fn children<'a>(node: &'a Node, depth: usize, empty: &'a Node) -> (&'a Node, &'a Node, Option<&'a Node>) {
    match node.view() {
        View::Empty => (empty, empty, None),
        View::Leaf(leaf) if path_bit(&leaf.key_hash, depth) => (empty, node, None),
        View::Leaf(_) => (node, empty, None),
        View::Internal(internal) => (&internal.left, &internal.right, Some(node)),
    }
}

fn split(updates: &[Update], depth: usize) -> (&[Update], &[Update]) {
    let at = updates.partition_point(|update| !path_bit(&update.key_hash, depth));
    updates.split_at(at)
}
