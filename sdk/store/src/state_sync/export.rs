//! Export: one version cut into a manifest and chunks.
//!
//! The slot depth `k` is the smallest (up to [`MAX_DEPTH`]) at which an average slot holds at
//! most an eighth of the target chunk size, so chunks (whole slots, packed greedily up to the
//! target) come out close to it. The slot commitments are read off the trie (the node at depth
//! `k` on each slot's path, or the leaf that moved above it), so exporting hashes only the keys.

use std::ops::Range;
use std::sync::Arc;

use conclave_proof::{key_hash, Hash};

use super::chunk::{self, pair_len, MAX_CHUNK_BYTES};
use super::error::ExportError;
use super::manifest::Manifest;
use super::slot::{root_of, slot_index, Slot};
use super::MAX_DEPTH;
use crate::snapshot::{Bytes, Snapshot};
use crate::trie::{self, Node, View};

/// Default target size of a chunk: CometBFT fetches chunks from several peers at once
/// (`chunk_fetchers`, 4) and carries at most 16 MB in one.
pub const DEFAULT_CHUNK_BYTES: usize = 4 << 20;

/// A version as a manifest and chunks, ready to be written out.
pub struct Export {
    manifest: Manifest,
    /// Every pair, sorted by key hash (so by slot).
    entries: Vec<Entry>,
    /// The entries of each chunk.
    chunks: Vec<Range<usize>>,
}

struct Entry {
    key_hash: Hash,
    key: Bytes,
    value: Bytes,
}

impl Export {
    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Chunk `index`, encoded; `None` past the last.
    pub fn chunk(&self, index: u32) -> Option<Vec<u8>> {
        let range = self.chunks.get(usize::try_from(index).ok()?)?.clone();
        let mut pairs: Vec<&Entry> = self.entries.get(range)?.iter().collect();
        pairs.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Some(chunk::encode(pairs.into_iter().map(|entry| (&entry.key[..], &entry.value[..]))))
    }
}

impl Snapshot {
    /// Cuts this version into a state-sync snapshot whose chunks aim at `chunk_bytes` (clamped
    /// to [`MAX_CHUNK_BYTES`]). Pure: reads the snapshot only; meant for a background thread.
    pub fn export(&self, chunk_bytes: usize) -> Result<Export, ExportError> {
        let chunk_bytes = chunk_bytes.clamp(1, MAX_CHUNK_BYTES - 4);
        let mut entries = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
        let mut total = 0usize;
        for key in self.keys().iter() {
            let key_hash = key_hash(key);
            // The key set and the trie hold the same keys.
            let Some(leaf) = trie::get(self.trie(), &key_hash) else { continue };
            total = total.saturating_add(pair_len(key, &leaf.value));
            entries.push(Entry { key_hash, key: Arc::from(&key[..]), value: Arc::clone(&leaf.value) });
        }
        entries.sort_unstable_by_key(|entry| entry.key_hash);

        let depth = slot_depth(total, chunk_bytes);
        let slot_count = 1usize << depth;
        let mut slots = vec![Slot::Empty; slot_count];
        collect_slots(self.trie(), 0, depth, 0, &mut slots);
        if root_of(&slots) != self.root_hash() {
            return Err(ExportError::Inconsistent(self.version()));
        }

        // Bytes and first entry of every slot.
        let mut slot_bytes = vec![0usize; slot_count];
        let mut slot_first = vec![entries.len(); slot_count + 1];
        for (position, entry) in entries.iter().enumerate().rev() {
            let slot = slot_index(&entry.key_hash, depth) as usize;
            if let (Some(bytes), Some(first)) = (slot_bytes.get_mut(slot), slot_first.get_mut(slot)) {
                *bytes = bytes.saturating_add(pair_len(&entry.key, &entry.value));
                *first = position;
            }
        }
        // An empty slot starts where the next one does.
        for slot in (0..slot_count).rev() {
            slot_first[slot] = slot_first[slot].min(slot_first[slot + 1]);
        }

        let mut chunk_starts = vec![0u32];
        let mut filled = 0usize;
        for (slot, bytes) in slot_bytes.iter().enumerate() {
            if bytes.saturating_add(4) > MAX_CHUNK_BYTES {
                return Err(ExportError::SlotTooLarge { slot: slot as u32, bytes: *bytes, max: MAX_CHUNK_BYTES });
            }
            let started = chunk_starts.last().is_some_and(|start| (*start as usize) < slot);
            if started && filled.saturating_add(*bytes) > chunk_bytes {
                chunk_starts.push(slot as u32);
                filled = 0;
            }
            filled = filled.saturating_add(*bytes);
        }
        let chunks = chunk_starts
            .iter()
            .enumerate()
            .map(|(i, start)| {
                let end = chunk_starts.get(i + 1).map_or(slot_count, |next| *next as usize);
                slot_first[*start as usize]..slot_first[end]
            })
            .collect();
        let manifest = Manifest { height: self.version(), root: self.root_hash(), depth, slots, chunk_starts };
        Ok(Export { manifest, entries, chunks })
    }
}

/// The smallest depth at which `total` bytes spread over the slots average at most an eighth of
/// a chunk, capped at [`MAX_DEPTH`].
fn slot_depth(total: usize, chunk_bytes: usize) -> u8 {
    let per_slot = (chunk_bytes / 8).max(1);
    let mut depth = 0u8;
    while depth < MAX_DEPTH && (total >> depth) > per_slot {
        depth += 1;
    }
    depth
}

/// Fills `slots` with the subtrees at depth `k` under `node` (at `depth`, on path `prefix`).
fn collect_slots(node: &Node, depth: u8, k: u8, prefix: usize, slots: &mut [Slot]) {
    match node.view() {
        View::Empty => {}
        // A leaf above depth k is alone in its subtree: it is its own slot's commitment.
        View::Leaf(leaf) => {
            if let Some(slot) = slots.get_mut(slot_index(&leaf.key_hash, k) as usize) {
                *slot = Slot::Leaf(leaf.hash);
            }
        }
        View::Internal(internal) if depth == k => {
            if let Some(slot) = slots.get_mut(prefix) {
                *slot = Slot::Internal(internal.hash);
            }
        }
        View::Internal(internal) => {
            collect_slots(&internal.left, depth + 1, k, prefix << 1, slots);
            collect_slots(&internal.right, depth + 1, k, (prefix << 1) | 1, slots);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_grows_with_the_state() {
        assert_eq!(slot_depth(0, DEFAULT_CHUNK_BYTES), 0);
        assert_eq!(slot_depth(DEFAULT_CHUNK_BYTES / 8, DEFAULT_CHUNK_BYTES), 0);
        assert_eq!(slot_depth(DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_BYTES), 3);
        assert_eq!(slot_depth(1 << 40, DEFAULT_CHUNK_BYTES), MAX_DEPTH);
    }
}
