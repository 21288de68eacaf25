//! Restore: a snapshot offered by peers, checked against the trusted app hash, then filled chunk
//! by chunk with verified pairs only, and finally handed to [`crate::Store::restore`].

use conclave_proof::Hash;

use super::chunk;
use super::error::{ChunkError, OfferError};
use super::manifest::Manifest;
use super::FORMAT;
use crate::snapshot::{Bytes, Change};

/// A snapshot as CometBFT offers it (ABCI `OfferSnapshot`).
#[derive(Clone, Copy, Debug)]
pub struct Offer<'a> {
    /// Its height.
    pub height: u64,
    /// Its format.
    pub format: u32,
    /// Its number of chunks.
    pub chunks: u32,
    /// Its hash (ours: `blake3(metadata)`).
    pub hash: &'a [u8],
    /// Its metadata: the manifest.
    pub metadata: &'a [u8],
    /// The app hash of `height`, verified by CometBFT's light client: the only trusted input.
    pub app_hash: &'a [u8],
}

/// A snapshot being restored: its manifest (verified against the app hash) and the chunks
/// applied so far (each verified against the manifest).
pub struct Restore {
    manifest: Manifest,
    chunks: Vec<Option<Vec<(Bytes, Bytes)>>>,
    missing: usize,
}

/// Where a restore stands after a chunk was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// This many chunks are still missing.
    Missing(usize),
    /// Every chunk is in: [`Restore::finish`].
    Complete,
}

impl Restore {
    /// Accepts `offer` if its manifest is well formed, agrees with the offer, and its slots
    /// fold to the trusted app hash.
    pub fn offer(offer: &Offer<'_>) -> Result<Restore, OfferError> {
        if offer.format != FORMAT {
            return Err(OfferError::Format(offer.format));
        }
        if offer.hash != blake3::hash(offer.metadata).as_bytes() {
            return Err(OfferError::Mismatch("its hash is not blake3 of its metadata".into()));
        }
        let manifest = Manifest::decode(offer.metadata)?;
        if manifest.height() != offer.height || offer.height == 0 {
            return Err(OfferError::Mismatch(format!(
                "offered at height {}, the manifest says {}",
                offer.height,
                manifest.height()
            )));
        }
        if manifest.chunk_count() != offer.chunks {
            return Err(OfferError::Mismatch(format!(
                "offered with {} chunks, the manifest has {}",
                offer.chunks,
                manifest.chunk_count()
            )));
        }
        manifest.verify_root(offer.app_hash)?;
        let count = manifest.chunk_count() as usize;
        Ok(Restore { manifest, chunks: vec![None; count], missing: count })
    }

    /// The manifest being restored.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Verifies chunk `index` against the manifest and keeps its pairs; a chunk already applied
    /// is accepted again without being re-read. On error nothing is kept.
    pub fn apply(&mut self, index: u32, bytes: &[u8]) -> Result<Progress, ChunkError> {
        let chunks = self.manifest.chunk_count();
        let slot = self.chunks.get_mut(index as usize).ok_or(ChunkError::Index { index, chunks })?;
        if slot.is_none() {
            *slot = Some(chunk::verify(&self.manifest, index, bytes)?);
            self.missing = self.missing.saturating_sub(1);
        }
        Ok(if self.missing == 0 { Progress::Complete } else { Progress::Missing(self.missing) })
    }

    /// The verified state, once every chunk is in; `None` before.
    pub fn finish(self) -> Option<RestoredState> {
        if self.missing != 0 {
            return None;
        }
        let mut pairs: Vec<(Bytes, Bytes)> = self.chunks.into_iter().flatten().flatten().collect();
        // Chunks split by key hash, each sorted by key; distinct slots hold distinct keys.
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(RestoredState { version: self.manifest.height(), root: self.manifest.root(), pairs })
    }
}

/// A whole state that passed state sync's checks, for [`crate::Store::restore`]. Only
/// [`Restore::finish`] makes one.
pub struct RestoredState {
    version: u64,
    root: Hash,
    /// In strictly ascending key order.
    pairs: Vec<(Bytes, Bytes)>,
}

impl RestoredState {
    /// The version (height) it is the state of.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Its root: the trusted app hash.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// Its number of keys.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub(crate) fn into_changes(self) -> Vec<Change> {
        self.pairs.into_iter().map(|(key, value)| Change { key, value: Some(value) }).collect()
    }
}

impl std::fmt::Debug for RestoredState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestoredState")
            .field("version", &self.version)
            .field("root", &hex::encode(self.root))
            .field("keys", &self.pairs.len())
            .finish()
    }
}
