//! State sync and block pruning: ABCI's snapshot methods and Commit's `retain_height`.
//!
//! - **Serving** (when `snapshot_interval > 0`): after every Commit of a height that is a
//!   multiple of the interval, the committed version is written as a snapshot on a background
//!   thread ([`conclave_store::state_sync::Snapshotter`]; Commit never waits for it), and the
//!   oldest beyond `snapshot_keep_recent` are deleted. ListSnapshots lists the snapshots on disk;
//!   LoadSnapshotChunk reads a chunk file. A snapshot that cannot be written is logged at
//!   `ERROR` and the node goes on: snapshots are a service to other nodes, not state.
//! - **Restoring** (always available, on an empty store): OfferSnapshot accepts a snapshot only
//!   if its manifest folds to the app hash CometBFT's light client verified; ApplySnapshotChunk
//!   keeps a chunk only if it matches the manifest, and otherwise answers `RETRY` with the chunk
//!   to refetch and its sender to reject (a peer's bad chunk never aborts the sync). When the
//!   last chunk is in, the application restores the runtime from it.
//! - **Pruning**: [`retain_height`] from app.toml's `min-retain-blocks`, never below the oldest
//!   snapshot kept (so a node restoring it can fetch the blocks after it) nor below the evidence
//!   age limit (so evidence can still be verified).

use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use tendermint_proto::v0_38::abci::{self as pb, response_apply_snapshot_chunk, response_offer_snapshot};

pub use conclave_store::state_sync::DEFAULT_CHUNK_BYTES;
use conclave_store::state_sync::{
    ChunkError, Offer, OfferError, Progress, Restore, RestoredState, Snapshotter, SnapshotterConfig,
};
use conclave_store::Snapshot;

/// The node's state-sync and pruning settings (app.toml).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateSyncConfig {
    /// Take a snapshot of every height that is a multiple of this; 0 takes none.
    pub snapshot_interval: u64,
    /// Snapshots kept on disk (the newest); 0 keeps all.
    pub snapshot_keep_recent: u32,
    /// Blocks CometBFT keeps at least (see [`retain_height`]); 0 keeps every block.
    pub min_retain_blocks: u64,
    /// Where snapshots are written (`HOME/data/snapshots`).
    pub snapshot_dir: PathBuf,
    /// Target size of a snapshot chunk (a node uses [`DEFAULT_CHUNK_BYTES`]; tests lower it to
    /// get several chunks from a small state).
    pub chunk_bytes: usize,
}

/// What the adapter keeps for state sync.
pub(crate) struct StateSync {
    snapshotter: Option<Snapshotter>,
    min_retain_blocks: u64,
    /// The snapshot being restored, between OfferSnapshot and its last chunk.
    restore: Mutex<Option<Restore>>,
}

/// The answer to ApplySnapshotChunk, or the state its last chunk completed.
pub(crate) enum Applied {
    /// Answer CometBFT with this.
    Answer(pb::ResponseApplySnapshotChunk),
    /// Every chunk is in and verified: restore the runtime from it, then accept.
    Complete(RestoredState),
}

impl StateSync {
    /// No snapshots and no pruning; restoring still works.
    pub(crate) fn off() -> Self {
        Self { snapshotter: None, min_retain_blocks: 0, restore: Mutex::new(None) }
    }

    /// Starts the snapshot writer if `config` takes snapshots.
    pub(crate) fn start(config: &StateSyncConfig) -> io::Result<Self> {
        let snapshotter = if config.snapshot_interval > 0 {
            let settings = SnapshotterConfig {
                interval: config.snapshot_interval,
                keep_recent: config.snapshot_keep_recent,
                chunk_bytes: config.chunk_bytes,
            };
            Some(Snapshotter::start(&config.snapshot_dir, settings)?)
        } else {
            None
        };
        Ok(Self { snapshotter, min_retain_blocks: config.min_retain_blocks, restore: Mutex::new(None) })
    }

    /// The snapshot writer, if snapshots are on.
    pub(crate) fn snapshotter(&self) -> Option<&Snapshotter> {
        self.snapshotter.as_ref()
    }

    fn restore(&self) -> MutexGuard<'_, Option<Restore>> {
        // A panic while applying a chunk leaves at worst a restore that is refused or redone.
        self.restore.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// After the Commit of `latest`: starts its snapshot if due, and returns the retain height.
    pub(crate) fn after_commit(&self, latest: &Snapshot, evidence_max_age_blocks: u64) -> u64 {
        let oldest_snapshot = self.snapshotter.as_ref().and_then(|snapshotter| {
            snapshotter.after_commit(latest);
            snapshotter.oldest_protected()
        });
        retain_height(latest.version(), self.min_retain_blocks, oldest_snapshot, evidence_max_age_blocks)
    }

    pub(crate) fn list_snapshots(&self) -> pb::ResponseListSnapshots {
        let Some(snapshotter) = &self.snapshotter else { return pb::ResponseListSnapshots::default() };
        match snapshotter.list() {
            Ok(snapshots) => pb::ResponseListSnapshots {
                snapshots: snapshots
                    .into_iter()
                    .map(|s| pb::Snapshot {
                        height: s.height,
                        format: s.format,
                        chunks: s.chunks,
                        hash: Bytes::copy_from_slice(&s.hash),
                        metadata: Bytes::from(s.metadata),
                    })
                    .collect(),
            },
            Err(error) => {
                tracing::error!(target: "conclave::abci", "cannot list state-sync snapshots: {error}");
                pb::ResponseListSnapshots::default()
            }
        }
    }

    pub(crate) fn load_chunk(&self, request: &pb::RequestLoadSnapshotChunk) -> pb::ResponseLoadSnapshotChunk {
        let Some(snapshotter) = &self.snapshotter else { return pb::ResponseLoadSnapshotChunk::default() };
        match snapshotter.chunk(request.height, request.format, request.chunk) {
            Ok(Some(chunk)) => pb::ResponseLoadSnapshotChunk { chunk: Bytes::from(chunk) },
            // Empty: CometBFT tells the peer the chunk is missing.
            Ok(None) => pb::ResponseLoadSnapshotChunk::default(),
            Err(error) => {
                tracing::error!(
                    target: "conclave::abci",
                    height = request.height,
                    chunk = request.chunk,
                    "cannot read a state-sync chunk: {error}"
                );
                pb::ResponseLoadSnapshotChunk::default()
            }
        }
    }

    /// OfferSnapshot, for a node whose store is at `store_height`.
    pub(crate) fn offer(&self, request: &pb::RequestOfferSnapshot, store_height: u64) -> pb::ResponseOfferSnapshot {
        use response_offer_snapshot::Result as Answer;
        let answer = |result: Answer| pb::ResponseOfferSnapshot { result: result as i32 };
        let Some(snapshot) = &request.snapshot else { return answer(Answer::Reject) };
        if store_height != 0 {
            tracing::error!(
                target: "conclave::abci",
                store_height,
                "state sync offered a snapshot, but this node's state store already holds a height; state sync \
                 needs an empty store: stop the node and wipe its data (`cometbft unsafe-reset-all --home HOME`), \
                 or turn [statesync] off in config.toml"
            );
            return answer(Answer::Abort);
        }
        let offer = Offer {
            height: snapshot.height,
            format: snapshot.format,
            chunks: snapshot.chunks,
            hash: &snapshot.hash,
            metadata: &snapshot.metadata,
            app_hash: &request.app_hash,
        };
        match Restore::offer(&offer) {
            Ok(restore) => {
                tracing::info!(
                    target: "conclave::abci",
                    height = snapshot.height,
                    chunks = snapshot.chunks,
                    app_hash = %hex(&request.app_hash),
                    "accepted a state-sync snapshot: its manifest matches the app hash"
                );
                *self.restore() = Some(restore);
                answer(Answer::Accept)
            }
            Err(error) => {
                tracing::warn!(target: "conclave::abci", height = snapshot.height, "refused a state-sync snapshot: {error}");
                match error {
                    OfferError::Format(_) => answer(Answer::RejectFormat),
                    _ => answer(Answer::Reject),
                }
            }
        }
    }

    /// ApplySnapshotChunk.
    pub(crate) fn apply_chunk(&self, request: &pb::RequestApplySnapshotChunk) -> Applied {
        use response_apply_snapshot_chunk::Result as Answer;
        let answer = |result: Answer| pb::ResponseApplySnapshotChunk { result: result as i32, ..Default::default() };
        let mut pending = self.restore();
        let Some(restore) = pending.as_mut() else {
            tracing::error!(target: "conclave::abci", "ApplySnapshotChunk without an accepted snapshot; aborting state sync");
            return Applied::Answer(answer(Answer::Abort));
        };
        let height = restore.manifest().height();
        match restore.apply(request.index, &request.chunk) {
            Ok(Progress::Missing(missing)) => {
                tracing::debug!(target: "conclave::abci", height, chunk = request.index, missing, "applied a state-sync chunk");
                Applied::Answer(answer(Answer::Accept))
            }
            Ok(Progress::Complete) => match pending.take().and_then(Restore::finish) {
                Some(state) => Applied::Complete(state),
                None => Applied::Answer(answer(Answer::Abort)),
            },
            Err(error @ ChunkError::Index { .. }) => {
                tracing::warn!(target: "conclave::abci", height, "state-sync chunk refused: {error}; rejecting the snapshot");
                *pending = None;
                Applied::Answer(answer(Answer::RejectSnapshot))
            }
            Err(error) => {
                tracing::warn!(
                    target: "conclave::abci",
                    height,
                    chunk = request.index,
                    sender = %request.sender,
                    "refused a state-sync chunk: {error}; fetching it again from another peer"
                );
                Applied::Answer(pb::ResponseApplySnapshotChunk {
                    result: Answer::Retry as i32,
                    refetch_chunks: vec![request.index],
                    reject_senders: if request.sender.is_empty() { Vec::new() } else { vec![request.sender.clone()] },
                })
            }
        }
    }
}

/// The height below which CometBFT may prune blocks after committing `height` (0: prune
/// nothing):
/// - 0 if `min_retain_blocks` is 0 (the default: keep every block);
/// - else the lowest of `height - min_retain_blocks + 1` (the last `min_retain_blocks` blocks
///   stay), the oldest snapshot kept or being written (a node restoring it fetches the blocks
///   from its height on), and `height - evidence_max_age_blocks` (CometBFT's
///   `evidence.max_age_num_blocks`: evidence that old can still be verified), never below 0.
pub fn retain_height(
    height: u64,
    min_retain_blocks: u64,
    oldest_snapshot: Option<u64>,
    evidence_max_age_blocks: u64,
) -> u64 {
    if min_retain_blocks == 0 {
        return 0;
    }
    let mut retain = height.saturating_add(1).saturating_sub(min_retain_blocks);
    if let Some(snapshot) = oldest_snapshot {
        retain = retain.min(snapshot);
    }
    retain.min(height.saturating_sub(evidence_max_age_blocks))
}

fn hex(bytes: &[u8]) -> String {
    conclave_core::state::hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retain_height_keeps_what_each_need_asks() {
        // Off by default, whatever else holds.
        assert_eq!(retain_height(1_000, 0, Some(900), 10), 0);
        // The last min_retain_blocks blocks: 1000 - 100 + 1 = 901 keeps 901..=1000.
        assert_eq!(retain_height(1_000, 100, None, 0), 901);
        assert_eq!(retain_height(1_000, 1, None, 0), 1_000);
        // An older snapshot keeps the blocks from its height.
        assert_eq!(retain_height(1_000, 100, Some(850), 0), 850);
        assert_eq!(retain_height(1_000, 100, Some(950), 0), 901);
        // Evidence up to max_age_num_blocks old stays verifiable.
        assert_eq!(retain_height(1_000, 100, None, 200), 800);
        assert_eq!(retain_height(1_000, 100, Some(850), 200), 800);
        // Early heights prune nothing.
        assert_eq!(retain_height(50, 100, None, 0), 0);
        assert_eq!(retain_height(1_000, 100, None, 100_000), 0);
        assert_eq!(retain_height(0, 5, None, 0), 0);
    }
}
