//! The store: retained versions in memory, durable commits, background
//! checkpoints and pruning.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

use conclave_proof::Hash;
use redb::{Database, StorageBackend};

use crate::checkpoint::Checkpointer;
use crate::config::StoreConfig;
use crate::dropper::Dropper;
use crate::error::StoreError;
use crate::persist;
use crate::recovery::{self, oldest_retained};
use crate::snapshot::{Snapshot, StagedVersion};
use crate::state_sync::RestoredState;

/// The versioned, authenticated key-value state of a chain.
///
/// Commit sequence for version `v` (one call to [`Store::commit`]):
/// 1. one durable log.redb transaction appends `v`'s changes and root (and
///    deletes log rows a finished checkpoint made redundant);
/// 2. `v` becomes the latest in-memory version; versions that fall out of the
///    retention window go to the dropper thread;
/// 3. every `checkpoint_interval` commits, the checkpoint thread is asked to
///    bring flat.redb up to the oldest retained version.
pub struct Store {
    config: StoreConfig,
    log: Arc<Database>,
    /// Retained versions, ascending by version; never empty.
    versions: VecDeque<Snapshot>,
    /// flat.redb is known to be durable at this version.
    flat_version: u64,
    /// Log rows at or below this version are known to be deleted.
    log_pruned_through: u64,
    commits_since_checkpoint: u64,
    checkpointer: Checkpointer,
    dropper: Dropper,
}

impl Store {
    /// Opens the store in `dir`, creating the directory and files if missing,
    /// and recovers the retained versions (see the crate docs).
    pub fn open(dir: &Path, config: StoreConfig) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)?;
        Store::open_with(Some(dir), config)
    }

    /// A store whose files live in memory (redb's in-memory backend): the same
    /// code paths as [`Store::open`], for tests.
    pub fn open_in_memory(config: StoreConfig) -> Result<Store, StoreError> {
        Store::open_with(None, config)
    }

    /// A store on caller-supplied redb storage backends for `log.redb` and `flat.redb`: the
    /// seam for fault injection. The crash-point tests wrap redb's [`FileBackend`] to fail
    /// the n-th write, or every operation after a simulated crash (`tests/tests/crash_*.rs`).
    /// Production code uses [`Store::open`]; fail points therefore cost nothing there (no
    /// check, no branch, no feature): they live entirely in the test's backend.
    ///
    /// [`FileBackend`]: redb::backends::FileBackend
    pub fn open_with_backends(
        log: impl StorageBackend,
        flat: impl StorageBackend,
        config: StoreConfig,
    ) -> Result<Store, StoreError> {
        config.validate()?;
        Store::recover(persist::open_backends(log, flat)?, config)
    }

    fn open_with(dir: Option<&Path>, config: StoreConfig) -> Result<Store, StoreError> {
        config.validate()?;
        Store::recover(persist::open_databases(dir)?, config)
    }

    fn recover((log, flat): (Database, Database), config: StoreConfig) -> Result<Store, StoreError> {
        let recovered = recovery::recover(&log, &flat, config.keep_versions)?;
        let log = Arc::new(log);
        Ok(Store {
            config,
            checkpointer: Checkpointer::spawn(Arc::clone(&log), flat)?,
            dropper: Dropper::spawn()?,
            log,
            versions: recovered.versions,
            flat_version: recovered.flat_version,
            // Unknown: the first commit deletes whatever lingers at or below flat_version.
            log_pruned_through: 0,
            commits_since_checkpoint: recovered.replayed,
        })
    }

    /// The latest committed version; 0 before the first commit.
    pub fn latest_version(&self) -> u64 {
        self.latest().version()
    }

    /// A view of the latest committed version (the empty state at version 0
    /// before the first commit).
    pub fn latest(&self) -> Snapshot {
        match self.versions.back() {
            Some(latest) => latest.clone(),
            None => Snapshot::empty(0),
        }
    }

    /// A view of `version`, if it was committed and is still retained.
    pub fn snapshot(&self, version: u64) -> Option<Snapshot> {
        let index = self.versions.binary_search_by_key(&version, Snapshot::version).ok()?;
        self.versions.get(index).cloned()
    }

    /// The oldest version [`Store::snapshot`] can return.
    pub fn oldest_retained_version(&self) -> u64 {
        self.versions.front().map_or(0, Snapshot::version)
    }

    /// The version flat.redb is known to be durable at (0 before the first
    /// checkpoint). A restart replays the log from there.
    pub fn checkpoint_version(&self) -> u64 {
        self.flat_version
    }

    /// Persists a staged version durably, in one redb write transaction, and
    /// makes it the latest. Fails if it was not staged on the latest version.
    pub fn commit(&mut self, staged: StagedVersion) -> Result<Hash, StoreError> {
        let latest = self.latest();
        let version = staged.version();
        if staged.parent_version() != latest.version() || version <= latest.version() {
            return Err(StoreError::VersionOrder {
                version,
                parent: staged.parent_version(),
                latest: latest.version(),
            });
        }
        if staged.parent_root() != latest.root_hash() {
            return Err(StoreError::ParentMismatch { version });
        }
        if let Some(flat_version) = self.checkpointer.poll()? {
            self.flat_version = flat_version;
        }

        let root = staged.root_hash();
        let prune_through = (self.flat_version > self.log_pruned_through).then_some(self.flat_version);
        persist::write_version(&self.log, version, &root, staged.changes(), prune_through)?;
        if let Some(through) = prune_through {
            self.log_pruned_through = through;
        }

        self.versions.push_back(staged.into_snapshot());
        let oldest = oldest_retained(version, self.config.keep_versions);
        while let Some(front) = self.versions.front() {
            if front.version() >= oldest {
                break;
            }
            if let Some(pruned) = self.versions.pop_front() {
                self.dropper.release(pruned);
            }
        }
        self.commits_since_checkpoint = self.commits_since_checkpoint.saturating_add(1);
        self.maybe_start_checkpoint()?;
        Ok(root)
    }

    /// Restores a state-sync snapshot into this store, which must be empty (no version
    /// committed): rebuilds the trie from `state`'s pairs, checks its root against the
    /// snapshot's (the trusted app hash), and commits it as version `state.version()` in one
    /// durable transaction, like any commit. A crash afterwards reopens at that version.
    pub fn restore(&mut self, state: RestoredState) -> Result<Hash, StoreError> {
        let latest = self.latest();
        if latest.version() != 0 || self.flat_version != 0 {
            return Err(StoreError::Restore(format!(
                "the store already holds version {}; state sync needs an empty store",
                latest.version().max(self.flat_version)
            )));
        }
        let (version, expected) = (state.version(), state.root());
        let staged = latest.stage_changes(version, state.into_changes());
        if staged.root_hash() != expected {
            return Err(StoreError::Restore(format!(
                "the restored state's root {} is not the snapshot's {}",
                hex::encode(staged.root_hash()),
                hex::encode(expected)
            )));
        }
        self.commit(staged)
    }

    /// Blocks until the checkpoint in flight (if any) is durable. Commits never
    /// need this; it is for orderly shutdown and tests.
    pub fn wait_for_checkpoint(&mut self) -> Result<(), StoreError> {
        if let Some(flat_version) = self.checkpointer.wait()? {
            self.flat_version = flat_version;
        }
        Ok(())
    }

    /// Checkpoints to the oldest retained version, so that after a restart
    /// the log still holds every version the store promised to keep.
    fn maybe_start_checkpoint(&mut self) -> Result<(), StoreError> {
        if self.commits_since_checkpoint < self.config.checkpoint_interval || self.checkpointer.is_busy() {
            return Ok(());
        }
        let Some(target) = self.versions.front() else {
            return Ok(());
        };
        if target.version() <= self.flat_version {
            return Ok(());
        }
        self.checkpointer.start(self.flat_version, target.version(), target.root_hash())?;
        self.commits_since_checkpoint = 0;
        Ok(())
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("latest", &self.latest_version())
            .field("oldest_retained", &self.oldest_retained_version())
            .field("checkpoint_version", &self.flat_version)
            .field("config", &self.config)
            .finish()
    }
}
