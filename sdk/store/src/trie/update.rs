//! Applying a batch of changes to a trie, copy-on-write.
//!
//! The batch is sorted by key hash, so the changes below any node form one
//! contiguous run and the split between its children is a binary search.
//! Each node on a changed path is created (and hashed) exactly once, bottom-up;
//! untouched subtrees are shared with the parent version.

use std::sync::Arc;

use conclave_proof::{path_bit, Hash, MAX_DEPTH};

use super::node::{Internal, Node};

/// Batches at least this large are split across two threads at the root.
/// Below it, spawning costs more than it saves.
pub(crate) const PARALLEL_MIN_UPDATES: usize = 1024;

/// One change, by hashes. `value_hash == None` deletes the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Update {
    pub(crate) key_hash: Hash,
    pub(crate) value_hash: Option<Hash>,
}

/// Applies `updates` to the tree `root` and returns the new root, leaving
/// `root` untouched.
///
/// `updates` must be sorted by key hash, without duplicate key hashes.
pub(crate) fn apply(root: &Node, updates: &[Update]) -> Node {
    if updates.len() < PARALLEL_MIN_UPDATES {
        return apply_at(root, 0, updates);
    }
    let empty = Node::Empty;
    let (left, right, original) = children(root, 0, &empty);
    let (left_updates, right_updates) = split(updates, 0);
    let (left, right) = std::thread::scope(|scope| {
        let left_side = scope.spawn(|| apply_at(left, 1, left_updates));
        let right = apply_at(right, 1, right_updates);
        match left_side.join() {
            Ok(left) => (left, right),
            // A panic here is a bug in this module; let it surface unchanged.
            Err(payload) => std::panic::resume_unwind(payload),
        }
    });
    Node::join(original, left, right)
}

pub(crate) fn apply_serial(root: &Node, updates: &[Update]) -> Node { apply_at(root, 0, updates) }
fn apply_at(node: &Node, depth: usize, updates: &[Update]) -> Node {
    match (node, updates) {
        (_, []) => node.clone(),
        (Node::Empty, [only]) => match only.value_hash {
            Some(value_hash) => Node::leaf(only.key_hash, value_hash),
            None => Node::Empty,
        },
        (Node::Leaf(leaf), [only]) if only.key_hash == leaf.key_hash => match only.value_hash {
            Some(value_hash) if value_hash == leaf.value_hash => node.clone(),
            Some(value_hash) => Node::leaf(only.key_hash, value_hash),
            None => Node::Empty,
        },
        // Distinct key hashes always differ above this depth; only a blake3
        // collision could get here. Keep the tree as it is rather than recurse.
        _ if depth >= MAX_DEPTH => node.clone(),
        _ => {
            let empty = Node::Empty;
            let (left, right, original) = children(node, depth, &empty);
            let (left_updates, right_updates) = split(updates, depth);
            let left = apply_at(left, depth + 1, left_updates);
            let right = apply_at(right, depth + 1, right_updates);
            Node::join(original, left, right)
        }
    }
}

/// The two subtrees of the position `node` occupies at `depth`. A leaf or an
/// empty subtree is expanded on the fly: a leaf goes to the side its key hash
/// points to, the other side is empty.
fn children<'a>(
    node: &'a Node,
    depth: usize,
    empty: &'a Node,
) -> (&'a Node, &'a Node, Option<&'a Arc<Internal>>) {
    match node {
        Node::Empty => (empty, empty, None),
        Node::Leaf(leaf) if path_bit(&leaf.key_hash, depth) => (empty, node, None),
        Node::Leaf(_) => (node, empty, None),
        Node::Internal(internal) => (&internal.left, &internal.right, Some(internal)),
    }
}

fn split(updates: &[Update], depth: usize) -> (&[Update], &[Update]) {
    let at = updates.partition_point(|update| !path_bit(&update.key_hash, depth));
    updates.split_at(at)
}
