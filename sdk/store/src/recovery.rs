//! Open: rebuild the in-memory versions from the two files.
//!
//! 1. Load flat.redb (the state at `flat_version`), build the map and the trie
//!    from it, and check the trie root against `flat_root`.
//! 2. Replay each version recorded in the log after `flat_version`, checking
//!    every recomputed root against the recorded one.
//!
//! Any mismatch is [`StoreError::Corrupt`]: the store refuses to open rather
//! than serve state it cannot vouch for.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use conclave_proof::Hash;
use redb::Database;

use crate::error::StoreError;
use crate::key_set::{KeySet, SetKey};
use crate::persist;
use crate::snapshot::{Bytes, Change, Snapshot};
use crate::trie;

pub(crate) struct Recovered {
    /// Retained versions, ascending; never empty.
    pub(crate) versions: VecDeque<Snapshot>,
    pub(crate) flat_version: u64,
    /// Versions replayed from the log, i.e. commits not yet checkpointed.
    pub(crate) replayed: u64,
}

pub(crate) fn recover(log: &Database, flat: &Database, keep_versions: u64) -> Result<Recovered, StoreError> {
    let started = Instant::now();
    let (flat_version, flat_root) = persist::read_flat_meta(flat)?;
    let base = load_flat(flat_version, persist::read_flat(flat)?);
    check_root(flat_version, flat_root, base.root_hash())?;
    let loaded_ms = started.elapsed().as_millis() as u64;

    let mut roots = persist::read_roots(log, flat_version)?;
    // Commits never prune the root of the version flat.redb is at.
    match roots.first() {
        Some((version, recorded)) if *version == flat_version => {
            check_root(flat_version, *recorded, flat_root)?;
            roots.remove(0);
        }
        _ if flat_version > 0 => {
            return Err(StoreError::Inconsistent(format!(
                "flat.redb is at version {flat_version}, which log.redb does not record"
            )));
        }
        _ => {}
    }
    let latest = roots.last().map_or(flat_version, |(version, _)| *version);
    if let Some(last_change) = persist::last_change_version(log)? {
        if last_change > latest {
            return Err(StoreError::Inconsistent(format!(
                "log.redb has changes for version {last_change} but no root after {latest}"
            )));
        }
    }

    let oldest = oldest_retained(latest, keep_versions);
    let mut versions = VecDeque::new();
    let mut current = base;
    if current.version() >= oldest {
        versions.push_back(current.clone());
    }
    for (version, recorded) in &roots {
        let staged = current.stage_changes(*version, persist::read_changes(log, *version)?);
        check_root(*version, *recorded, staged.root_hash())?;
        current = staged.into_snapshot();
        if *version >= oldest {
            versions.push_back(current.clone());
        }
    }
    if versions.is_empty() {
        versions.push_back(current);
    }
    tracing::info!(
        flat_version,
        latest,
        keys = versions.back().map_or(0, Snapshot::len),
        replayed = roots.len(),
        load_ms = loaded_ms,
        total_ms = started.elapsed().as_millis() as u64,
        "state store recovered"
    );
    Ok(Recovered { versions, flat_version, replayed: roots.len() as u64 })
}

/// First version kept when `latest` is the newest.
pub(crate) fn oldest_retained(latest: u64, keep_versions: u64) -> u64 {
    latest.saturating_sub(keep_versions.saturating_sub(1))
}

fn check_root(version: u64, expected: Hash, found: Hash) -> Result<(), StoreError> {
    if expected == found {
        return Ok(());
    }
    tracing::error!(version, "state root mismatch while opening the store");
    Err(StoreError::Corrupt { version, expected, found })
}

/// Builds the snapshot of `entries` (in ascending key order): the key set on
/// one thread while the others hash and build the trie.
pub(crate) fn load_flat(version: u64, entries: Vec<(Bytes, Bytes)>) -> Snapshot {
    let (root, keys) = std::thread::scope(|scope| {
        let keys_side = scope.spawn(|| {
            let mut keys = KeySet::new();
            for (key, _) in &entries {
                keys.insert(SetKey::new(key));
            }
            keys
        });
        let changes: Vec<Change> = entries
            .iter()
            .map(|(key, value)| Change { key: Arc::clone(key), value: Some(Arc::clone(value)) })
            .collect();
        let root = trie::build(&changes);
        match keys_side.join() {
            Ok(keys) => (root, keys),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    });
    Snapshot::from_parts(version, root, keys)
}
