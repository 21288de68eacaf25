//! Building a trie from scratch (restart, tests).

use super::node::Node;
use super::update::{apply, Update};

/// The trie holding exactly the all-insert `leaves`. Sorts `leaves` in place
/// (and drops any duplicate key hash).
///
/// A build is an all-insert batch applied to the empty tree, so it shares the
/// update code and its two-thread split; that path never meets a deletion or
/// an existing leaf.
pub(crate) fn build(leaves: &mut Vec<Update>) -> Node {
    leaves.sort_unstable_by_key(|leaf| leaf.key_hash);
    leaves.dedup_by(|later, earlier| later.key_hash == earlier.key_hash);
    apply(&Node::Empty, leaves).0
}
