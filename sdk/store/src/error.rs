//! The store's error type. Every variant is fatal for a node: the runtime
//! stops on it, and a restart recovers to the last durable version.

use conclave_proof::Hash;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// redb failed (I/O, corruption detected by redb, a full disk...).
    #[error("storage engine: {0}")]
    Db(#[from] redb::Error),
    /// The store directory could not be created or read.
    #[error("store directory: {0}")]
    Io(#[from] std::io::Error),
    /// A recomputed root differs from the one recorded on disk. The files are
    /// damaged or were written by incompatible code; do not continue.
    #[error("state root mismatch at version {version}: recorded {}, recomputed {}", hex(expected), hex(found))]
    Corrupt {
        /// Version whose root did not match.
        version: u64,
        /// Root recorded on disk.
        expected: Hash,
        /// Root recomputed from the stored data.
        found: Hash,
    },
    /// A record on disk cannot be decoded, or the files contradict each other.
    #[error("store files are inconsistent: {0}")]
    Inconsistent(String),
    /// A staged version does not follow the latest committed version.
    #[error("cannot commit version {version} staged on version {parent}: latest is {latest}")]
    VersionOrder {
        /// Version of the staged state.
        version: u64,
        /// Version it was staged on.
        parent: u64,
        /// Latest committed version of the store.
        latest: u64,
    },
    /// The staged version was computed from a different state than the latest
    /// committed one (same version number, different root).
    #[error("staged version {version} was built on a different parent state")]
    ParentMismatch {
        /// Version of the staged state.
        version: u64,
    },
    /// A state-sync snapshot cannot be restored: the store is not empty, or the state does not
    /// rebuild to the snapshot's root. Nothing was written.
    #[error("cannot restore the snapshot: {0}")]
    Restore(String),
    /// The configuration is unusable.
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// The background checkpoint failed; flat.redb was left at its previous version.
    #[error("background checkpoint failed: {0}")]
    Checkpoint(Box<StoreError>),
    /// A background thread of the store is gone (it panicked or could not start).
    #[error("store background thread: {0}")]
    Thread(String),
}

macro_rules! from_redb {
    ($($error:ty),*) => {$(
        impl From<$error> for StoreError {
            fn from(error: $error) -> Self {
                StoreError::Db(error.into())
            }
        }
    )*};
}

from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

fn hex(hash: &Hash) -> String {
    hex::encode(hash)
}
