//! The manifest: what a snapshot commits to, carried in ABCI's `Snapshot.metadata`.
//!
//! Layout (all integers little-endian; the same bytes borsh would write for the fields in this
//! order):
//!
//! ```text
//! u32            format (FORMAT = 1)
//! u64            height: the version the snapshot holds
//! [u8; 32]       root: the state root (app hash) at that height
//! u8             depth k of the slots, 0..=MAX_DEPTH
//! u32            number of slots, exactly 2^k
//! per slot       u8 tag (0 empty, 1 leaf, 2 internal), then its 32-byte hash for tags 1 and 2
//! u32            number of chunks c, 1..=2^k
//! u32 × c        the first slot of each chunk: 0, then strictly increasing, below 2^k
//! ```
//!
//! Chunk `i` holds slots `starts[i] .. starts[i+1]` (the last one up to `2^k`). The snapshot's
//! ABCI hash is `blake3(manifest bytes)`.

use std::ops::Range;

use conclave_proof::Hash;

use super::error::OfferError;
use super::slot::{root_of, Slot};
use super::wire::Reader;
use super::{FORMAT, MAX_DEPTH};

/// Largest manifest accepted: 2^MAX_DEPTH slots of 33 bytes and as many chunk starts, with
/// room to spare, and well below CometBFT's 4 MB snapshot message.
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// A snapshot's manifest (see the module docs for its encoding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub(crate) height: u64,
    pub(crate) root: Hash,
    pub(crate) depth: u8,
    pub(crate) slots: Vec<Slot>,
    pub(crate) chunk_starts: Vec<u32>,
}

impl Manifest {
    /// The height (store version) of the snapshot.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The state root it claims.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The slot depth `k`.
    pub fn depth(&self) -> u8 {
        self.depth
    }

    /// The slot commitments, in path order.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The number of chunks.
    pub fn chunk_count(&self) -> u32 {
        u32::try_from(self.chunk_starts.len()).unwrap_or(u32::MAX)
    }

    /// The slots chunk `index` holds, if it exists.
    pub fn chunk_slots(&self, index: u32) -> Option<Range<u32>> {
        let index = usize::try_from(index).ok()?;
        let start = *self.chunk_starts.get(index)?;
        let end = match self.chunk_starts.get(index.checked_add(1)?) {
            Some(next) => *next,
            None => u32::try_from(self.slots.len()).ok()?,
        };
        Some(start..end)
    }

    /// The encoded manifest (ABCI `Snapshot.metadata`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.slots.len() * 33 + self.chunk_starts.len() * 4);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&self.height.to_le_bytes());
        out.extend_from_slice(&self.root);
        out.push(self.depth);
        out.extend_from_slice(&len_u32(self.slots.len()).to_le_bytes());
        for slot in &self.slots {
            match slot {
                Slot::Empty => out.push(0),
                Slot::Leaf(hash) => {
                    out.push(1);
                    out.extend_from_slice(hash);
                }
                Slot::Internal(hash) => {
                    out.push(2);
                    out.extend_from_slice(hash);
                }
            }
        }
        out.extend_from_slice(&len_u32(self.chunk_starts.len()).to_le_bytes());
        for start in &self.chunk_starts {
            out.extend_from_slice(&start.to_le_bytes());
        }
        out
    }

    /// Decodes and checks the structure of a manifest from a peer: the format, the depth, the
    /// slot count, every slot's tag matching its hash's kind, and the chunk layout. Does not
    /// check the root: see [`Manifest::verify_root`].
    pub fn decode(bytes: &[u8]) -> Result<Manifest, OfferError> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(OfferError::Manifest(format!("{} bytes, more than {MAX_MANIFEST_BYTES}", bytes.len())));
        }
        let bad = |what: &str| OfferError::Manifest(what.to_string());
        let mut reader = Reader::new(bytes);
        let truncated = |t: super::wire::Truncated| OfferError::Manifest(format!("truncated at {}", t.0));
        let format = reader.u32("format").map_err(truncated)?;
        if format != FORMAT {
            return Err(OfferError::Format(format));
        }
        let height = reader.u64("height").map_err(truncated)?;
        let root = reader.hash("root").map_err(truncated)?;
        let depth = reader.u8("depth").map_err(truncated)?;
        if depth > MAX_DEPTH {
            return Err(OfferError::Manifest(format!("slot depth {depth} above {MAX_DEPTH}")));
        }
        let slot_count = 1u32 << depth;
        if reader.u32("slot count").map_err(truncated)? != slot_count {
            return Err(bad("the slot count is not 2^depth"));
        }
        let mut slots = Vec::with_capacity(slot_count as usize);
        for _ in 0..slot_count {
            let slot = match reader.u8("slot tag").map_err(truncated)? {
                0 => Slot::Empty,
                1 => Slot::Leaf(reader.hash("slot hash").map_err(truncated)?),
                2 => Slot::Internal(reader.hash("slot hash").map_err(truncated)?),
                _ => return Err(bad("unknown slot tag")),
            };
            if !slot.is_well_formed() {
                return Err(bad("a slot's hash does not carry its kind's tag"));
            }
            slots.push(slot);
        }
        let chunks = reader.u32("chunk count").map_err(truncated)?;
        if chunks == 0 || chunks > slot_count {
            return Err(OfferError::Manifest(format!("{chunks} chunks for {slot_count} slots")));
        }
        let mut chunk_starts = Vec::with_capacity(chunks as usize);
        for _ in 0..chunks {
            chunk_starts.push(reader.u32("chunk start").map_err(truncated)?);
        }
        let ordered = chunk_starts.first() == Some(&0)
            && chunk_starts.windows(2).all(|pair| pair[0] < pair[1])
            && chunk_starts.last().is_some_and(|last| *last < slot_count);
        if !ordered {
            return Err(bad("chunk starts are not 0 then strictly increasing below the slot count"));
        }
        if !reader.is_empty() {
            return Err(bad("trailing bytes"));
        }
        Ok(Manifest { height, root, depth, slots, chunk_starts })
    }

    /// Checks the slots against the trusted `app_hash`: the root the slots fold to by the
    /// compaction rule, and the root the manifest states, must both equal it.
    pub fn verify_root(&self, app_hash: &[u8]) -> Result<(), OfferError> {
        let found = root_of(&self.slots);
        if app_hash != found.as_slice() || app_hash != self.root.as_slice() {
            return Err(OfferError::RootMismatch { app_hash: app_hash.to_vec(), slots_root: found });
        }
        Ok(())
    }
}

fn len_u32(len: usize) -> u32 {
    // At most 2^MAX_DEPTH slots and chunks.
    u32::try_from(len).unwrap_or(u32::MAX)
}
