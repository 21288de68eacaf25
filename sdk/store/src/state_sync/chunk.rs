//! Chunks: the `(key, value)` pairs of consecutive slots, in ascending key order, encoded as
//! borsh `Vec<(Vec<u8>, Vec<u8>)>` (a u32 count, then per pair a u32 length and the key bytes,
//! a u32 length and the value bytes).
//!
//! A chunk from a peer is checked against the manifest before anything of it is kept: every
//! key's hash must fall in the chunk's slots, keys must be strictly ascending (so none is
//! repeated), and each slot's pairs must hash, by the specification's compaction rule, to the
//! slot's commitment in the manifest. A chunk that passes holds exactly the pairs of its slots:
//! a changed, missing or extra pair changes some slot's hash (blake3 collision resistance).

use std::ops::Range;
use std::sync::Arc;

use conclave_proof::{key_hash, value_hash, Hash};

use super::error::ChunkError;
use super::manifest::Manifest;
use super::slot::{slot_index, Slot};
use super::wire::{put_vec, Reader};
use crate::snapshot::Bytes;

/// Largest chunk produced or accepted: CometBFT carries chunks in messages of at most 16 MB
/// (`statesync/messages.go`, `chunkMsgSize`), which leaves room for the message's own fields.
pub const MAX_CHUNK_BYTES: usize = 15 << 20;

/// Encoded size of one pair.
pub(crate) fn pair_len(key: &[u8], value: &[u8]) -> usize {
    8usize.saturating_add(key.len()).saturating_add(value.len())
}

/// Encodes `pairs` (in ascending key order).
pub(crate) fn encode<'a>(pairs: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(pairs.len()).unwrap_or(u32::MAX).to_le_bytes());
    for (key, value) in pairs {
        put_vec(&mut out, key);
        put_vec(&mut out, value);
    }
    out
}

/// Decodes chunk `index` of the snapshot `manifest` describes and checks it against the
/// manifest (see the module docs); returns its pairs in key order.
pub(crate) fn verify(manifest: &Manifest, index: u32, bytes: &[u8]) -> Result<Vec<(Bytes, Bytes)>, ChunkError> {
    let slots = manifest.chunk_slots(index).ok_or(ChunkError::Index { index, chunks: manifest.chunk_count() })?;
    let pairs = decode(bytes)?;
    let depth = manifest.depth();
    // (slot, key hash, value hash) of every pair, then sorted by key hash: slots follow.
    let mut leaves = Vec::with_capacity(pairs.len());
    for (position, (key, value)) in pairs.iter().enumerate() {
        let key_hash = key_hash(key);
        let slot = slot_index(&key_hash, depth);
        if !slots.contains(&slot) {
            return Err(ChunkError::OutsideSlots { pair: position, slot });
        }
        leaves.push((slot, key_hash, value_hash(value)));
    }
    leaves.sort_unstable_by_key(|(_, key_hash, _)| *key_hash);
    check_slots(manifest, slots, &leaves)?;
    Ok(pairs.into_iter().map(|(key, value)| (Arc::from(key), Arc::from(value))).collect())
}

/// Each slot of `slots` against the manifest, from `leaves` sorted by key hash.
fn check_slots(manifest: &Manifest, slots: Range<u32>, leaves: &[(u32, Hash, Hash)]) -> Result<(), ChunkError> {
    let mut rest = leaves;
    let mut run: Vec<(Hash, Hash)> = Vec::new();
    for slot in slots {
        let in_slot = rest.partition_point(|(of, _, _)| *of == slot);
        let (mine, after) = rest.split_at(in_slot);
        rest = after;
        run.clear();
        run.extend(mine.iter().map(|(_, key_hash, value_hash)| (*key_hash, *value_hash)));
        let expected = manifest.slots().get(slot as usize).copied().unwrap_or(Slot::Empty);
        if Slot::of_leaves(&run, manifest.depth()) != expected {
            return Err(ChunkError::SlotMismatch(slot));
        }
    }
    Ok(())
}

/// A key and its value, borrowed from a chunk's bytes.
type BorrowedPair<'a> = (&'a [u8], &'a [u8]);

/// The pairs of a chunk, in strictly ascending key order; never allocates more than a small
/// multiple of the input's size.
fn decode(bytes: &[u8]) -> Result<Vec<BorrowedPair<'_>>, ChunkError> {
    if bytes.len() > MAX_CHUNK_BYTES {
        return Err(ChunkError::TooLarge { bytes: bytes.len(), max: MAX_CHUNK_BYTES });
    }
    let undecodable = |t: super::wire::Truncated| ChunkError::Undecodable(format!("truncated at {}", t.0));
    let mut reader = Reader::new(bytes);
    let count = reader.u32("pair count").map_err(undecodable)?;
    // Each pair takes at least 8 bytes, so the count is bounded by the input.
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count > reader.remaining() / 8 {
        return Err(ChunkError::Undecodable(format!("{count} pairs cannot fit in {} bytes", bytes.len())));
    }
    let mut pairs: Vec<BorrowedPair<'_>> = Vec::with_capacity(count);
    for position in 0..count {
        let key = reader.vec("key").map_err(undecodable)?;
        let value = reader.vec("value").map_err(undecodable)?;
        if pairs.last().is_some_and(|(previous, _)| *previous >= key) {
            return Err(ChunkError::Order(position));
        }
        pairs.push((key, value));
    }
    if !reader.is_empty() {
        return Err(ChunkError::Undecodable("trailing bytes after the pairs".into()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_borsh_vectors_of_pairs() {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = vec![(b"a".to_vec(), b"1".to_vec()), (b"bc".to_vec(), Vec::new())];
        let encoded = encode(pairs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
        assert_eq!(encoded, borsh::to_vec(&pairs).unwrap());
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded, vec![(&b"a"[..], &b"1"[..]), (&b"bc"[..], &b""[..])]);
        assert_eq!(encoded.len(), 4 + pairs.iter().map(|(k, v)| pair_len(k, v)).sum::<usize>());
    }

    #[test]
    fn hostile_counts_and_lengths_are_refused_before_allocating() {
        // Four billion pairs announced in 8 bytes.
        assert!(matches!(decode(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Err(ChunkError::Undecodable(_))));
        // One pair whose key claims 4 GiB.
        assert!(matches!(decode(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), Err(ChunkError::Undecodable(_))));
        assert!(matches!(decode(&vec![0u8; MAX_CHUNK_BYTES + 1]), Err(ChunkError::TooLarge { .. })));
        // Repeated and descending keys.
        let twice = borsh::to_vec(&vec![(b"a".to_vec(), b"1".to_vec()), (b"a".to_vec(), b"2".to_vec())]).unwrap();
        assert!(matches!(decode(&twice), Err(ChunkError::Order(1))));
        let mut trailing = borsh::to_vec(&vec![(b"a".to_vec(), b"1".to_vec())]).unwrap();
        trailing.push(0);
        assert!(matches!(decode(&trailing), Err(ChunkError::Undecodable(_))));
    }
}
