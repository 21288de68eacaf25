//! The store against a `BTreeMap` model: random writes, commits, reads at old
//! versions, pruning, checkpoints and reopening, compared after every step.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::ops::Bound;

use common::{apply, model_root, Model};
use conclave_store::{ChangeSet, Store, StoreConfig};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Stage and commit a batch at `latest + gap`.
    Commit { gap: u64, changes: Vec<(u8, Option<Vec<u8>>)> },
    /// Stage a batch, read through the staged view, then drop it uncommitted.
    StageOnly { changes: Vec<(u8, Option<Vec<u8>>)> },
    /// Range reads with these bounds at every retained version.
    Range { lower: Bound<u8>, upper: Bound<u8> },
    /// Let the checkpoint in flight finish.
    WaitForCheckpoint,
    /// Drop the store and open it again from disk.
    Reopen,
}

/// Keys of one to three bytes from a small domain, so that writes often hit
/// existing keys and ranges see prefixes.
fn key(k: u8) -> Vec<u8> {
    match k % 3 {
        0 => vec![k],
        1 => vec![k, 0],
        _ => vec![k, 1, k],
    }
}

fn changes() -> impl Strategy<Value = Vec<(u8, Option<Vec<u8>>)>> {
    let value = proptest::option::weighted(0.75, proptest::collection::vec(any::<u8>(), 0..6));
    proptest::collection::vec((0u8..40, value), 0..12)
}

fn bound() -> impl Strategy<Value = Bound<u8>> {
    prop_oneof![Just(Bound::Unbounded), (0u8..42).prop_map(Bound::Included), (0u8..42).prop_map(Bound::Excluded),]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (prop_oneof![4 => Just(1u64), 1 => 2u64..4], changes())
            .prop_map(|(gap, changes)| Op::Commit { gap, changes }),
        1 => changes().prop_map(|changes| Op::StageOnly { changes }),
        1 => (bound(), bound()).prop_map(|(lower, upper)| Op::Range { lower, upper }),
        1 => Just(Op::WaitForCheckpoint),
        1 => Just(Op::Reopen),
    ]
}

fn change_set(changes: &[(u8, Option<Vec<u8>>)]) -> ChangeSet {
    changes.iter().map(|(k, value)| (key(*k), value.clone())).collect()
}

fn key_bound(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(key) => Bound::Included(key.as_slice()),
        Bound::Excluded(key) => Bound::Excluded(key.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn model_range(model: &Model, lower: &Bound<Vec<u8>>, upper: &Bound<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    model
        .iter()
        .filter(|(key, _)| {
            let above = match lower {
                Bound::Included(low) => *key >= low,
                Bound::Excluded(low) => *key > low,
                Bound::Unbounded => true,
            };
            let below = match upper {
                Bound::Included(high) => *key <= high,
                Bound::Excluded(high) => *key < high,
                Bound::Unbounded => true,
            };
            above && below
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Compares one snapshot with its model version: root, length, full
/// iteration, point reads of the whole key domain, and one range.
fn check_version(store: &Store, version: u64, model: &Model, range: &(Bound<Vec<u8>>, Bound<Vec<u8>>)) {
    let snapshot = store.snapshot(version).unwrap_or_else(|| panic!("version {version} should be retained"));
    assert_eq!(snapshot.version(), version);
    assert_eq!(snapshot.root_hash(), model_root(model), "root of version {version}");
    assert_eq!(snapshot.len(), model.len() as u64);
    let all: Vec<_> = snapshot.range(Bound::Unbounded, Bound::Unbounded).collect();
    let expected: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(all, expected, "contents of version {version}");
    for k in 0..42u8 {
        assert_eq!(snapshot.get(&key(k)), model.get(&key(k)).cloned());
    }
    let (lower, upper) = (key_bound(&range.0), key_bound(&range.1));
    let expected = model_range(model, &range.0, &range.1);
    let got: Vec<_> = snapshot.range(lower, upper).collect();
    assert_eq!(got, expected, "range {range:?} at version {version}");
    let reversed: Vec<_> = snapshot.range(lower, upper).rev().collect();
    assert_eq!(reversed, expected.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(snapshot.next_entry(lower, upper), expected.first().cloned());
    assert_eq!(snapshot.prev_entry(lower, upper), expected.last().cloned());
}

struct Harness {
    dir: tempfile::TempDir,
    config: StoreConfig,
    store: Option<Store>,
    /// Every committed version still expected to be readable, plus older ones.
    versions: BTreeMap<u64, Model>,
    /// Highest checkpoint version seen, to show checkpoints really happened.
    max_checkpoint: u64,
}

impl Harness {
    fn store(&mut self) -> &mut Store {
        self.store.as_mut().unwrap()
    }

    fn latest(&self) -> (u64, &Model) {
        let (version, model) = self.versions.last_key_value().unwrap();
        (*version, model)
    }

    fn expected_oldest(&self) -> u64 {
        let (latest, _) = self.latest();
        let horizon = latest.saturating_sub(self.config.keep_versions - 1);
        *self.versions.range(horizon..).next().unwrap().0
    }

    fn check_all(&mut self, range: &(Bound<Vec<u8>>, Bound<Vec<u8>>)) {
        let (latest, _) = self.latest();
        let oldest = self.expected_oldest();
        let store = self.store.as_ref().unwrap();
        assert_eq!(store.latest_version(), latest);
        assert_eq!(store.latest().version(), latest);
        assert_eq!(store.oldest_retained_version(), oldest);
        assert!(store.checkpoint_version() <= oldest);
        self.max_checkpoint = self.max_checkpoint.max(store.checkpoint_version());
        for (version, model) in self.versions.range(oldest..) {
            check_version(store, *version, model, range);
        }
        // Pruned versions and versions never committed are not served.
        if oldest > 0 {
            assert!(store.snapshot(oldest - 1).is_none());
        }
        for version in oldest..=latest {
            if !self.versions.contains_key(&version) {
                assert!(store.snapshot(version).is_none(), "gap version {version}");
            }
        }
        assert!(store.snapshot(latest + 1).is_none());
    }
}

/// Runs `ops` and returns the highest checkpoint version observed.
fn run(config: StoreConfig, ops: Vec<Op>) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), config.clone()).unwrap();
    let mut harness =
        Harness { dir, config, store: Some(store), versions: BTreeMap::from([(0, Model::new())]), max_checkpoint: 0 };
    let mut range = (Bound::Unbounded, Bound::Unbounded);
    for op in ops {
        match op {
            Op::Commit { gap, changes } => {
                let changes = change_set(&changes);
                let (latest, model) = harness.latest();
                let mut next = model.clone();
                apply(&mut next, &changes);
                let version = latest + gap;
                let staged = harness.store().latest().stage(version, changes);
                assert_eq!(staged.version(), version);
                assert_eq!(staged.parent_version(), latest);
                assert_eq!(staged.root_hash(), model_root(&next));
                let root = harness.store().commit(staged).unwrap();
                assert_eq!(root, model_root(&next));
                harness.versions.insert(version, next);
            }
            Op::StageOnly { changes } => {
                let changes = change_set(&changes);
                let (latest, model) = harness.latest();
                let mut next = model.clone();
                apply(&mut next, &changes);
                let before = harness.store().latest().root_hash();
                let staged = harness.store().latest().stage(latest + 1, changes);
                let view = staged.snapshot();
                assert_eq!(view.root_hash(), model_root(&next));
                let all: Vec<_> = view.range(Bound::Unbounded, Bound::Unbounded).collect();
                assert_eq!(all, next.into_iter().collect::<Vec<_>>());
                drop(staged);
                assert_eq!(harness.store().latest().root_hash(), before, "staging must be pure");
            }
            Op::Range { lower, upper } => {
                let to_key = |bound: Bound<u8>| match bound {
                    Bound::Included(k) => Bound::Included(key(k)),
                    Bound::Excluded(k) => Bound::Excluded(key(k)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                range = (to_key(lower), to_key(upper));
            }
            Op::WaitForCheckpoint => harness.store().wait_for_checkpoint().unwrap(),
            Op::Reopen => {
                drop(harness.store.take());
                let store = Store::open(harness.dir.path(), harness.config.clone()).unwrap();
                harness.store = Some(store);
            }
        }
        harness.check_all(&range);
    }
    // A last reopen after the checkpoint thread settled, then keep committing.
    harness.store().wait_for_checkpoint().unwrap();
    drop(harness.store.take());
    harness.store = Some(Store::open(harness.dir.path(), harness.config.clone()).unwrap());
    harness.check_all(&range);
    let (latest, model) = harness.latest();
    let mut next = model.clone();
    let changes = change_set(&[(1, Some(vec![1])), (2, None)]);
    apply(&mut next, &changes);
    let staged = harness.store().latest().stage(latest + 1, changes);
    assert_eq!(harness.store().commit(staged).unwrap(), model_root(&next));
    harness.max_checkpoint
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn store_matches_model(
        keep_versions in 1u64..5,
        checkpoint_interval in 1u64..4,
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let _ = run(StoreConfig { keep_versions, checkpoint_interval }, ops);
    }
}

/// A fixed long run with checkpoints every commit and reopen in the middle,
/// so the checkpoint/prune cycle runs many times regardless of sampling.
#[test]
fn long_run_with_frequent_checkpoints() {
    let mut ops = Vec::new();
    for i in 0u8..120 {
        let changes = (0..6u8)
            .map(|j| {
                let k = i.wrapping_mul(7).wrapping_add(j * 5) % 40;
                (k, (j % 4 != 3).then(|| vec![i, j]))
            })
            .collect();
        ops.push(Op::Commit { gap: 1, changes });
        if i % 25 == 24 {
            ops.push(Op::Reopen);
        }
        if i % 40 == 39 {
            ops.push(Op::WaitForCheckpoint);
            ops.push(Op::Reopen);
        }
    }
    let checkpointed = run(StoreConfig { keep_versions: 3, checkpoint_interval: 1 }, ops);
    // The last wait + reopen guarantees flat.redb caught up to near the end.
    assert!(checkpointed >= 100, "checkpoints lagged: {checkpointed}");
}

/// The range iterator borrows the snapshot, not the bounds.
#[test]
fn range_iterator_outlives_its_bounds() {
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let changes = change_set(&[(1, Some(vec![1])), (2, Some(vec![2])), (3, Some(vec![3]))]);
    let staged = store.latest().stage(1, changes);
    store.commit(staged).unwrap();
    let snapshot = store.latest();
    let iter = {
        let lower = key(2);
        snapshot.range(Bound::Included(lower.as_slice()), Bound::Unbounded)
    };
    let keys: Vec<Vec<u8>> = iter.map(|(k, _)| k).collect();
    assert_eq!(keys, vec![key(2), key(3)]);
}
