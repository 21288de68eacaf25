//! Store operations against a `BTreeMap` model (redb's fuzzer does the same): after every
//! commit the store's latest version has exactly the model's entries (point reads and range
//! iteration), its root is the root the proof crate's specification computes from the
//! model, and a proof of any touched key verifies against that root.
//!
//! Input: an `arbitrary` sequence of operations on a small key space (so keys collide), on an
//! in-memory store with a small retention window (so pruning happens).

use std::collections::BTreeMap;
use std::ops::Bound;

use arbitrary::{Arbitrary, Unstructured};
use conclave_proof::{key_hash, root_from_leaves, value_hash};
use conclave_store::{ChangeSet, Store, StoreConfig};

/// One operation.
#[derive(Arbitrary, Debug)]
enum Op {
    /// Stage a write (applied at the next commit).
    Put { key: u8, value: Vec<u8> },
    /// Stage a delete.
    Delete { key: u8 },
    /// Commit the staged changes as the next version.
    Commit,
    /// Read a key from the latest committed version, against the model.
    Get { key: u8 },
}

/// Keys of one or a few bytes from a byte, so the fuzzer's choices collide.
fn key(k: u8) -> Vec<u8> {
    vec![b'k'; usize::from(k % 4) + 1].into_iter().chain([k]).collect()
}

/// Fuzz body.
pub fn run(data: &[u8]) {
    let Ok(ops) = Vec::<Op>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let config = StoreConfig { keep_versions: 2, checkpoint_interval: 1 };
    let mut store = Store::open_in_memory(config).expect("an in-memory store opens");
    let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut staged = ChangeSet::new();
    for op in ops.into_iter().take(256) {
        match op {
            Op::Put { key: k, value } => {
                staged.insert(key(k), Some(value));
            }
            Op::Delete { key: k } => {
                staged.insert(key(k), None);
            }
            Op::Get { key: k } => {
                assert_eq!(store.latest().get(&key(k)), model.get(&key(k)).cloned(), "read of {:?}", key(k));
            }
            Op::Commit => {
                let changes = std::mem::take(&mut staged);
                for (k, v) in &changes {
                    match v {
                        Some(v) => model.insert(k.clone(), v.clone()),
                        None => model.remove(k),
                    };
                }
                let version = store.latest_version() + 1;
                let touched: Vec<Vec<u8>> = changes.keys().cloned().collect();
                let staged_version = store.latest().stage(version, changes);
                store.commit(staged_version).expect("commit");
                check(&store, &model, &touched);
            }
        }
    }
}

fn check(store: &Store, model: &BTreeMap<Vec<u8>, Vec<u8>>, touched: &[Vec<u8>]) {
    let latest = store.latest();
    let entries: Vec<(Vec<u8>, Vec<u8>)> = latest.range(Bound::Unbounded, Bound::Unbounded).collect();
    let expected: Vec<(Vec<u8>, Vec<u8>)> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(entries, expected, "the store's entries differ from the model's");
    let leaves: Vec<_> = model.iter().map(|(k, v)| (key_hash(k), value_hash(v))).collect();
    let root = latest.root_hash();
    assert_eq!(root, root_from_leaves(&leaves), "the root is not the specification's");
    for key in touched {
        let (value, proof) = latest.prove(key);
        assert_eq!(value.as_ref(), model.get(key), "the proven value of {key:?}");
        proof.verify(&root, key, model.get(key).map(Vec::as_slice)).expect("a proof of a touched key verifies");
    }
}
