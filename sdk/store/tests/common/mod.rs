//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use conclave_proof::{key_hash, root_from_leaves, value_hash, Hash};
use conclave_store::ChangeSet;

/// The plain model of one version: an ordered map.
pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// The root of `model` straight from the definition in `conclave-proof`,
/// independent of the store's trie code.
pub fn model_root(model: &Model) -> Hash {
    let leaves: Vec<(Hash, Hash)> = model.iter().map(|(key, value)| (key_hash(key), value_hash(value))).collect();
    root_from_leaves(&leaves)
}

/// Applies a change set to a model.
pub fn apply(model: &mut Model, changes: &ChangeSet) {
    for (key, value) in changes {
        match value {
            Some(value) => model.insert(key.clone(), value.clone()),
            None => model.remove(key),
        };
    }
}
