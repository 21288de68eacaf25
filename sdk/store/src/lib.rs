//! The authenticated, versioned state store of a Conclave chain.
//!
//! This crate owns the chain state: every key-value pair, its commitment (a
//! binary sparse Merkle trie over `blake3(key)`, hash scheme and proofs in
//! `conclave-proof`), the last `keep_versions` versions for queries and
//! proofs, and their persistence in two redb files.
//!
//! Where to start: [`Store::open`], then [`Store::latest`] →
//! [`Snapshot::stage`] → [`Store::commit`] once per block. `docs/state-tree.md`
//! describes the formats and the crash-safety argument in full. [`state_sync`] exports a
//! version as a snapshot for other nodes and restores one, verified, into an empty store
//! ([`Store::restore`]).
//!
//! Invariants:
//! - The whole state lives in memory. Each retained version is an immutable
//!   [`Snapshot`] (trie + ordered map) sharing unchanged nodes with its
//!   neighbours; reads and proofs never touch disk.
//! - A snapshot's root depends only on its set of pairs, never on the order
//!   or batching of the writes that produced it.
//! - [`Snapshot::stage`] is pure; only [`Store::commit`] writes, with one
//!   durable redb transaction per version, so a crash at any point reopens at
//!   exactly the last commit that returned `Ok` (or a later one whose
//!   transaction reached the disk).
//! - Opening rebuilds every retained version and checks each root against
//!   the recorded one; a mismatch is [`StoreError::Corrupt`], never ignored.
//! - Commits never wait for checkpoints, pruning or freeing memory; those run
//!   on background threads.
//! - Nothing here iterates a hash map or uses floating point: the same inputs
//!   give the same roots on every machine.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod background;
mod checkpoint;
mod config;
mod dropper;
mod error;
mod key_set;
mod persist;
mod recovery;
mod snapshot;
pub mod state_sync;
mod store;
mod trie;

pub use conclave_proof::{Hash, Proof, ProofError, Terminal, EMPTY_ROOT};
pub use config::StoreConfig;
pub use error::StoreError;
/// redb's storage seam, for [`Store::open_with_backends`] (fault injection in tests), so a
/// backend is written against the exact redb version the store uses.
pub use redb::{backends::FileBackend, BackendError, StorageBackend};
pub use snapshot::{Snapshot, StagedVersion};
pub use store::Store;

/// A batch of writes: `Some(value)` sets the key, `None` deletes it.
pub type ChangeSet = std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>;

#[cfg(test)]
mod tests;
