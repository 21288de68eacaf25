//! Building a trie from scratch (restart).

use super::node::Node;
use super::update::apply;
use crate::snapshot::{sorted_updates, Change};

/// The trie holding exactly `entries` (all inserts, any order).
///
/// A build is an all-insert batch applied to the empty tree, so it shares the
/// update code, its two-thread hashing and its two-thread split; that path
/// never meets a deletion or an existing leaf.
pub(crate) fn build(entries: &[Change]) -> Node {
    apply(&Node::EMPTY, &sorted_updates(entries)).0
}
