//! Internal invariants of the trie and the key set, checked after random
//! batches. The public behaviour is tested in `tests/`.

use std::collections::BTreeMap;

use conclave_proof::{internal_hash, key_hash, leaf_hash, path_bit, root_from_leaves, value_hash, Hash, EMPTY_ROOT};
use proptest::prelude::*;

use crate::snapshot::Snapshot;
use crate::trie::{Node, View};
use crate::ChangeSet;

/// Checks that the subtree at `depth` below the path `prefix` (a key hash whose
/// first `depth` bits are the path) is canonical, that every cached hash is
/// right, and returns its leaf key hashes.
fn check_subtree(node: &Node, depth: usize, prefix: &Hash, leaves: &mut Vec<Hash>) -> usize {
    let on_path = |key_hash: &Hash| (0..depth).all(|bit| path_bit(key_hash, bit) == path_bit(prefix, bit));
    match node.view() {
        View::Empty => 0,
        View::Leaf(leaf) => {
            assert!(on_path(&leaf.key_hash), "leaf off its path at depth {depth}");
            assert_eq!(leaf.hash, leaf_hash(&leaf.key_hash, &leaf.value_hash));
            assert_eq!(leaf.value_hash, value_hash(&leaf.value));
            leaves.push(leaf.key_hash);
            1
        }
        View::Internal(internal) => {
            let mut right_prefix = *prefix;
            right_prefix[depth / 8] |= 0x80 >> (depth % 8);
            let mut left_prefix = *prefix;
            left_prefix[depth / 8] &= !(0x80 >> (depth % 8));
            let left = check_subtree(&internal.left, depth + 1, &left_prefix, leaves);
            let right = check_subtree(&internal.right, depth + 1, &right_prefix, leaves);
            assert!(left + right >= 2, "internal node above {} leaves at depth {depth}", left + right);
            assert_eq!(internal.hash, internal_hash(&internal.left.hash(), &internal.right.hash()));
            left + right
        }
    }
}

fn check_snapshot(snapshot: &Snapshot, model: &BTreeMap<Vec<u8>, Vec<u8>>) {
    let mut leaves = Vec::new();
    check_subtree(&snapshot.state_root(), 0, &[0; 32], &mut leaves);
    let mut expected: Vec<Hash> = model.keys().map(|key| key_hash(key)).collect();
    expected.sort_unstable();
    leaves.sort_unstable();
    assert_eq!(leaves, expected, "trie keys differ from the model");
    let set: Vec<Vec<u8>> = snapshot.keys().iter().map(|key| key.to_vec()).collect();
    let model_keys: Vec<Vec<u8>> = model.keys().cloned().collect();
    assert_eq!(set, model_keys, "key set differs from the model");
    let pairs: Vec<(Hash, Hash)> = model.iter().map(|(key, value)| (key_hash(key), value_hash(value))).collect();
    assert_eq!(snapshot.root_hash(), root_from_leaves(&pairs));
}

fn batches() -> impl Strategy<Value = Vec<Vec<(u8, Option<Vec<u8>>)>>> {
    let change = (0u8..48, proptest::option::weighted(0.7, proptest::collection::vec(any::<u8>(), 0..4)));
    proptest::collection::vec(proptest::collection::vec(change, 0..24), 1..12)
}

proptest! {
    #[test]
    fn trie_stays_canonical_and_matches_the_key_set(batches in batches()) {
        let mut snapshot = Snapshot::empty(0);
        let mut model = BTreeMap::new();
        for (version, batch) in batches.into_iter().enumerate() {
            let mut changes = ChangeSet::new();
            for (key, value) in batch {
                changes.insert(vec![key; 1 + key as usize % 3], value);
            }
            for (key, value) in &changes {
                match value {
                    Some(value) => model.insert(key.clone(), value.clone()),
                    None => model.remove(key),
                };
            }
            snapshot = snapshot.stage(version as u64 + 1, changes).snapshot();
            check_snapshot(&snapshot, &model);
        }
    }
}

/// Large batches take the two-thread path in staging and in the trie update.
#[test]
fn large_batches_match_the_definition() {
    let mut model = BTreeMap::new();
    let mut snapshot = Snapshot::empty(0);
    for round in 0u32..3 {
        let mut changes = ChangeSet::new();
        for i in 0u32..3000 {
            let key = (i * 7 + round).to_be_bytes().to_vec();
            let value = (round % 2 == 1 && i % 5 == 0).then(|| vec![round as u8; 3]);
            changes.insert(key, value);
        }
        for (key, value) in &changes {
            match value {
                Some(value) => model.insert(key.clone(), value.clone()),
                None => model.remove(key),
            };
        }
        snapshot = snapshot.stage(u64::from(round) + 1, changes).snapshot();
        check_snapshot(&snapshot, &model);
    }
}

#[test]
fn deleting_everything_returns_to_the_empty_root() {
    let mut changes = ChangeSet::new();
    for i in 0u8..50 {
        changes.insert(vec![i], Some(vec![i]));
    }
    let full = Snapshot::empty(0).stage(1, changes.clone()).snapshot();
    assert_ne!(full.root_hash(), EMPTY_ROOT);
    let deletes = changes.keys().map(|key| (key.clone(), None)).collect();
    let empty = full.stage(2, deletes).snapshot();
    assert_eq!(empty.root_hash(), EMPTY_ROOT);
    assert!(empty.is_empty());
    check_snapshot(&empty, &BTreeMap::new());
}

#[test]
fn unchanged_values_share_the_parent_tree() {
    let mut changes = ChangeSet::new();
    for i in 0u8..20 {
        changes.insert(vec![i], Some(vec![i]));
    }
    let parent = Snapshot::empty(0).stage(1, changes.clone()).snapshot();
    // Rewriting the same values and deleting absent keys changes nothing.
    changes.insert(vec![200], None);
    let child = parent.stage(2, changes).snapshot();
    assert!(child.state_root().ptr_eq(&parent.state_root()));
}
