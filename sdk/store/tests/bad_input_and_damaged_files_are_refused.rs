//! Misuse of the API and damaged files end in a `StoreError`, never in a
//! silently wrong state.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

use conclave_store::{ChangeSet, Store, StoreConfig, StoreError};
use redb::{Database, ReadableTable, TableDefinition};

// The on-disk tables, as documented in docs/state-tree.md.
const ROOTS: TableDefinition<u64, &[u8; 32]> = TableDefinition::new("roots");
const CHANGES: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("changes");
const KV: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

fn changes(version: u64) -> ChangeSet {
    (0..10u64).map(|i| (format!("k{i}").into_bytes(), Some((version * 100 + i).to_be_bytes().to_vec()))).collect()
}

fn store_with_versions(dir: &Path, config: StoreConfig, versions: u64) -> Store {
    let mut store = Store::open(dir, config).unwrap();
    for version in 1..=versions {
        let staged = store.latest().stage(version, changes(version));
        store.commit(staged).unwrap();
    }
    store
}

fn no_checkpoints() -> StoreConfig {
    StoreConfig { keep_versions: 10, checkpoint_interval: 1000 }
}

#[test]
fn a_wrong_recorded_root_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with_versions(dir.path(), no_checkpoints(), 5));
    {
        let db = Database::open(dir.path().join("log.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(ROOTS).unwrap().insert(3, &[7u8; 32]).unwrap();
        txn.commit().unwrap();
    }
    match Store::open(dir.path(), no_checkpoints()) {
        Err(StoreError::Corrupt { version: 3, expected, .. }) => assert_eq!(expected, [7; 32]),
        other => panic!("expected Corrupt at version 3, got {other:?}"),
    }
}

#[test]
fn an_altered_change_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with_versions(dir.path(), no_checkpoints(), 5));
    {
        let db = Database::open(dir.path().join("log.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(CHANGES).unwrap();
            let mut row = table.get((4, 0)).unwrap().unwrap().value().to_vec();
            let last = row.len() - 1;
            row[last] ^= 1; // one value byte
            table.insert((4, 0), row.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    assert!(matches!(Store::open(dir.path(), no_checkpoints()), Err(StoreError::Corrupt { version: 4, .. })));

    {
        let db = Database::open(dir.path().join("log.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CHANGES).unwrap().insert((4, 0), &b"\xff\xff"[..]).unwrap();
        txn.commit().unwrap();
    }
    assert!(matches!(Store::open(dir.path(), no_checkpoints()), Err(StoreError::Inconsistent(_))));
}

#[test]
fn an_altered_flat_table_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig { keep_versions: 2, checkpoint_interval: 1 };
    let mut store = store_with_versions(dir.path(), config.clone(), 6);
    store.wait_for_checkpoint().unwrap();
    let flat_version = store.checkpoint_version();
    assert!(flat_version > 0);
    drop(store);
    {
        let db = Database::open(dir.path().join("flat.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(KV).unwrap().insert(&b"k1"[..], &b"forged"[..]).unwrap();
        txn.commit().unwrap();
    }
    match Store::open(dir.path(), config) {
        Err(StoreError::Corrupt { version, .. }) => assert_eq!(version, flat_version),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn commits_must_follow_the_latest_version() {
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let base = store.latest();
    let first = base.stage(1, changes(1));
    let sibling = base.stage(1, changes(2));
    store.commit(first).unwrap();
    // Staged on version 0, but the latest is now 1.
    assert!(matches!(store.commit(sibling), Err(StoreError::VersionOrder { version: 1, parent: 0, latest: 1 })));
    // Not above its parent.
    let stale = store.latest().stage(1, changes(3));
    assert!(matches!(store.commit(stale), Err(StoreError::VersionOrder { .. })));
    // Same parent version, different parent state (another store).
    let mut other = Store::open_in_memory(StoreConfig::default()).unwrap();
    let staged = other.latest().stage(1, BTreeMap::from([(b"x".to_vec(), Some(b"y".to_vec()))]));
    other.commit(staged).unwrap();
    let foreign = other.latest().stage(2, changes(2));
    assert!(matches!(store.commit(foreign), Err(StoreError::ParentMismatch { version: 2 })));
    // The store is unaffected by the refused commits.
    assert_eq!(store.latest_version(), 1);
    let ok = store.latest().stage(5, changes(5));
    store.commit(ok).unwrap();
    assert_eq!(store.latest_version(), 5);
    assert!(store.snapshot(3).is_none());
}

#[test]
fn invalid_configuration_is_refused() {
    for config in [
        StoreConfig { keep_versions: 0, checkpoint_interval: 1 },
        StoreConfig { keep_versions: 1, checkpoint_interval: 0 },
    ] {
        assert!(matches!(Store::open_in_memory(config), Err(StoreError::Config(_))));
    }
}

#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _store = Store::open(dir.path(), StoreConfig::default()).unwrap();
    assert!(matches!(Store::open(dir.path(), StoreConfig::default()), Err(StoreError::Db(_))));
}

#[test]
fn snapshots_outlive_pruning() {
    let mut store = Store::open_in_memory(StoreConfig { keep_versions: 1, checkpoint_interval: 1 }).unwrap();
    let staged = store.latest().stage(1, changes(1));
    store.commit(staged).unwrap();
    let old = store.latest();
    for version in 2..6 {
        let staged = store.latest().stage(version, changes(version));
        store.commit(staged).unwrap();
    }
    assert!(store.snapshot(1).is_none());
    assert_eq!(old.get(b"k1"), Some(101u64.to_be_bytes().to_vec()));
    assert_eq!(old.len(), 10);
}
