//! State sync: a committed version exported as a snapshot (a manifest and chunks), and a
//! snapshot from peers verified against the trusted app hash and restored.
//!
//! The key-hash space is split at a depth `k` into `2^k` slots (the subtrees at depth `k`). The
//! [`Manifest`] records each slot's commitment (empty, a leaf's hash, or an internal node's
//! hash) and which consecutive slots each chunk holds; a chunk holds the `(key, value)` pairs of
//! its slots in key order.
//!
//! Verification, before anything is applied (`docs/state-tree.md`, "State sync"):
//! 1. the offer: the slots, folded by the tree's compaction rule, must give the app hash
//!    CometBFT's light client verified for the snapshot's height ([`Restore::offer`]);
//! 2. each chunk: its pairs must lie in its slots, in strictly ascending key order, and hash
//!    slot by slot to the manifest's commitments ([`Restore::apply`]). A bad chunk is refused
//!    whole and nothing of it is kept;
//! 3. the store rebuilds the trie from every pair and checks its root again
//!    ([`crate::Store::restore`]), then commits it as one durable version.
//!
//! Serving side: [`Snapshotter`] writes snapshots of committed versions on a background thread
//! ([`SnapshotFiles`] for the layout on disk).

mod chunk;
mod error;
mod export;
mod files;
mod manifest;
mod restore;
mod slot;
mod wire;
mod writer;

pub use chunk::MAX_CHUNK_BYTES;
pub use error::{ChunkError, ExportError, OfferError};
pub use export::{Export, DEFAULT_CHUNK_BYTES};
pub use files::{SnapshotFiles, SnapshotInfo};
pub use manifest::{Manifest, MAX_MANIFEST_BYTES};
pub use restore::{Offer, Progress, Restore, RestoredState};
pub use slot::Slot;
pub use writer::{Snapshotter, SnapshotterConfig};

/// The snapshot format this build writes and reads (ABCI `Snapshot.format`). Bump it when the
/// manifest or chunk encoding changes.
pub const FORMAT: u32 = 1;

/// Deepest slot split: `2^14` slots keep the manifest under 600 KB (CometBFT carries snapshot
/// metadata in messages of at most 4 MB) and chunks near their target up to about 8 GB of state.
pub const MAX_DEPTH: u8 = 14;
