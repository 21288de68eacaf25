//! The snapshot writer: every `interval` heights, a committed version is exported and written
//! on a background thread, and old snapshots are pruned.
//!
//! Taking a snapshot costs the commit path one reference count (a [`Snapshot`] clone) and a
//! channel send; the export and the files are written at the store's background priority. If
//! the previous snapshot is still being written, the new height is skipped (logged). A write
//! that fails is logged at `ERROR` and the node goes on: snapshots are a service to other nodes,
//! not state, and the block that triggered one is already durable.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use super::files::{SnapshotFiles, SnapshotInfo};
use crate::snapshot::Snapshot;

/// When and how snapshots are taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotterConfig {
    /// A snapshot of every height that is a multiple of this (0: none).
    pub interval: u64,
    /// Snapshots kept on disk, the newest (0: all).
    pub keep_recent: u32,
    /// Target chunk size ([`super::DEFAULT_CHUNK_BYTES`]).
    pub chunk_bytes: usize,
}

#[derive(Default)]
struct Tracker {
    /// Heights of the complete snapshots on disk.
    kept: BTreeSet<u64>,
    /// The height being written.
    in_flight: Option<u64>,
}

struct Shared {
    tracker: Mutex<Tracker>,
    idle: Condvar,
}

impl Shared {
    fn tracker(&self) -> MutexGuard<'_, Tracker> {
        // The tracker holds no invariant a panic could break halfway.
        self.tracker.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Takes snapshots in the background and serves the ones on disk.
pub struct Snapshotter {
    config: SnapshotterConfig,
    files: Arc<SnapshotFiles>,
    shared: Arc<Shared>,
    cancel: Arc<AtomicBool>,
    requests: Option<SyncSender<Snapshot>>,
    thread: Option<JoinHandle<()>>,
}

impl Snapshotter {
    /// Opens the snapshot directory `dir` (removing half-written snapshots) and starts the
    /// writer thread.
    pub fn start(dir: &Path, config: SnapshotterConfig) -> io::Result<Snapshotter> {
        let files = Arc::new(SnapshotFiles::open(dir)?);
        let kept = files.heights()?.into_iter().collect();
        let shared = Arc::new(Shared { tracker: Mutex::new(Tracker { kept, in_flight: None }), idle: Condvar::new() });
        let cancel = Arc::new(AtomicBool::new(false));
        let (requests, inbox) = mpsc::sync_channel::<Snapshot>(1);
        let thread = {
            let (files, shared, cancel, config) =
                (Arc::clone(&files), Arc::clone(&shared), Arc::clone(&cancel), config.clone());
            std::thread::Builder::new().name("state-snapshots".into()).spawn(move || {
                crate::background::lower_current_thread_priority();
                for snapshot in inbox {
                    take(&files, &shared, &cancel, &config, &snapshot);
                }
            })?
        };
        Ok(Snapshotter { config, files, shared, cancel, requests: Some(requests), thread: Some(thread) })
    }

    /// The configuration.
    pub fn config(&self) -> &SnapshotterConfig {
        &self.config
    }

    /// After the commit of `latest`: starts writing its snapshot if its height is due and no
    /// other is being written. Never blocks. Returns whether it started one.
    pub fn after_commit(&self, latest: &Snapshot) -> bool {
        let height = latest.version();
        if self.config.interval == 0 || height == 0 || !height.is_multiple_of(self.config.interval) {
            return false;
        }
        let mut tracker = self.shared.tracker();
        if let Some(busy) = tracker.in_flight {
            tracing::warn!(
                height,
                busy,
                "skipping the state-sync snapshot of this height: the previous one is still being written"
            );
            return false;
        }
        let Some(requests) = &self.requests else { return false };
        match requests.try_send(latest.clone()) {
            Ok(()) => {
                tracker.in_flight = Some(height);
                true
            }
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                tracing::error!(height, "the state-sync snapshot thread is not taking requests; no snapshot taken");
                false
            }
        }
    }

    /// The oldest height whose snapshot is kept or being written: blocks from there on must stay
    /// available to nodes that restore it.
    pub fn oldest_protected(&self) -> Option<u64> {
        let tracker = self.shared.tracker();
        match (tracker.kept.first().copied(), tracker.in_flight) {
            (Some(kept), Some(writing)) => Some(kept.min(writing)),
            (kept, writing) => kept.or(writing),
        }
    }

    /// The complete snapshots, ascending by height.
    pub fn list(&self) -> io::Result<Vec<SnapshotInfo>> {
        self.files.list()
    }

    /// A chunk of a snapshot on disk (see [`SnapshotFiles::chunk`]).
    pub fn chunk(&self, height: u64, format: u32, index: u32) -> io::Result<Option<Vec<u8>>> {
        self.files.chunk(height, format, index)
    }

    /// Blocks until no snapshot is being written (tests and orderly shutdown).
    pub fn wait_idle(&self) {
        let mut tracker = self.shared.tracker();
        while tracker.in_flight.is_some() {
            tracker = self.shared.idle.wait(tracker).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

impl Drop for Snapshotter {
    /// Abandons a snapshot being written (between two chunks) and waits for the thread.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the state-sync snapshot thread panicked");
            }
        }
    }
}

impl std::fmt::Debug for Snapshotter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshotter").field("config", &self.config).field("dir", &self.files.dir()).finish()
    }
}

/// Exports and writes `snapshot`, prunes, and records the outcome.
fn take(files: &SnapshotFiles, shared: &Shared, cancel: &AtomicBool, config: &SnapshotterConfig, snapshot: &Snapshot) {
    let started = Instant::now();
    let height = snapshot.version();
    let written = snapshot
        .export(config.chunk_bytes)
        .map_err(|error| error.to_string())
        .and_then(|export| files.write(&export, cancel).map_err(|error| error.to_string()));
    match &written {
        Ok(Some(info)) => tracing::info!(
            height,
            chunks = info.chunks,
            keys = snapshot.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "state-sync snapshot written"
        ),
        Ok(None) => tracing::debug!(height, "state-sync snapshot not written (already there, or shutting down)"),
        Err(error) => tracing::error!(
            height,
            dir = %files.dir().display(),
            "cannot write the state-sync snapshot: {error}; the node goes on and serves its older snapshots"
        ),
    }
    if let Err(error) = files.prune(config.keep_recent) {
        tracing::error!(dir = %files.dir().display(), "cannot prune old state-sync snapshots: {error}");
    }
    let kept = files.heights();
    let mut tracker = shared.tracker();
    match kept {
        Ok(heights) => tracker.kept = heights.into_iter().collect(),
        Err(error) => tracing::error!(dir = %files.dir().display(), "cannot list state-sync snapshots: {error}"),
    }
    tracker.in_flight = None;
    shared.idle.notify_all();
}
