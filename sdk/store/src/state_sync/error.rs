//! Why a snapshot offer, a chunk or an export was refused. Offers and chunks come from peers:
//! these errors are answers to them (ABCI results), never reasons to stop the node.

use conclave_proof::Hash;

/// Why an offered snapshot was refused (ABCI `OfferSnapshot`).
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    /// A snapshot format this build does not read (answer `REJECT_FORMAT`).
    #[error("snapshot format {0} is not supported (this build reads format {format})", format = super::FORMAT)]
    Format(u32),
    /// The manifest (ABCI metadata) is malformed.
    #[error("malformed snapshot manifest: {0}")]
    Manifest(String),
    /// The snapshot's fields disagree with its manifest or with its hash.
    #[error("snapshot does not match its manifest: {0}")]
    Mismatch(String),
    /// The manifest's slots do not fold to the trusted app hash.
    #[error(
        "snapshot manifest does not match the app hash: trusted {}, the slots give {}",
        hex::encode(app_hash),
        hex::encode(slots_root)
    )]
    RootMismatch {
        /// The light-client-verified app hash of the snapshot's height.
        app_hash: Vec<u8>,
        /// The root the manifest's slots fold to.
        slots_root: Hash,
    },
}

/// Why a chunk was refused (ABCI `ApplySnapshotChunk`): it is not applied, and is fetched again
/// from another peer.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// The snapshot has no chunk with this index.
    #[error("chunk {index} does not exist: the snapshot has {chunks}")]
    Index {
        /// The index asked for.
        index: u32,
        /// The number of chunks.
        chunks: u32,
    },
    /// Larger than any chunk a node produces.
    #[error("chunk of {bytes} bytes, more than {max}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The largest accepted.
        max: usize,
    },
    /// Not a list of `(key, value)` pairs.
    #[error("undecodable chunk: {0}")]
    Undecodable(String),
    /// Keys out of order or repeated.
    #[error("keys are not in strictly ascending order at pair {0}")]
    Order(usize),
    /// A key whose hash lies in a slot the chunk does not hold.
    #[error("pair {pair} belongs to slot {slot}, outside the chunk's slots")]
    OutsideSlots {
        /// Its position in the chunk.
        pair: usize,
        /// The slot its key hash falls in.
        slot: u32,
    },
    /// The pairs of a slot do not hash to the manifest's commitment.
    #[error("slot {0} does not match the manifest")]
    SlotMismatch(u32),
}

/// Why a version could not be exported as a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// One slot's pairs exceed the largest chunk CometBFT carries (16 MB).
    #[error("slot {slot} holds {bytes} bytes, more than a chunk may ({max}); this state cannot be snapshotted in format {format}", format = super::FORMAT)]
    SlotTooLarge {
        /// The slot.
        slot: u32,
        /// Its encoded size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// The slots read off the trie do not fold to its root: a bug, never served.
    #[error("the snapshot of version {0} does not fold to its own root")]
    Inconsistent(u64),
}
