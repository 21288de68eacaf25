//! State sync in the store: a version exported as a manifest and chunks, every chunk checked
//! against the manifest and the manifest against the root, restored into an empty store, gives
//! back the same root and the same pairs, also after reopening. Tampered chunks (a changed
//! value, a dropped pair, an extra pair, a pair moved to another chunk, disorder, garbage) and
//! manifests that do not match the root are refused, and a refused chunk leaves nothing behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use common::{model_root, Model};
use conclave_proof::{key_hash, path_bit};
use conclave_store::state_sync::{
    ChunkError, Export, Manifest, Offer, OfferError, Progress, Restore, SnapshotFiles, Snapshotter, SnapshotterConfig,
    FORMAT,
};
use conclave_store::{ChangeSet, Snapshot, Store, StoreConfig};
use proptest::prelude::*;

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// `model` committed at `version` (in two batches, with a key deleted in between).
fn committed(model: &Model, version: u64) -> Snapshot {
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let mut first: ChangeSet = model.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    first.insert(b"gone".to_vec(), Some(b"soon".to_vec()));
    store.commit(store.latest().stage(version - 1, first)).unwrap();
    let second: ChangeSet = [(b"gone".to_vec(), None)].into_iter().collect();
    store.commit(store.latest().stage(version, second)).unwrap();
    store.latest()
}

fn offer<'a>(metadata: &'a [u8], hash: &'a [u8], app_hash: &'a [u8], manifest: &Manifest) -> Offer<'a> {
    Offer { height: manifest.height(), format: FORMAT, chunks: manifest.chunk_count(), hash, metadata, app_hash }
}

fn accept(export: &Export, app_hash: &[u8]) -> Restore {
    let metadata = export.manifest().encode();
    let hash = blake3::hash(&metadata);
    Restore::offer(&offer(&metadata, hash.as_bytes(), app_hash, export.manifest())).unwrap()
}

fn decode(chunk: &[u8]) -> Pairs {
    borsh::from_slice(chunk).unwrap()
}

fn encode(pairs: &Pairs) -> Vec<u8> {
    borsh::to_vec(pairs).unwrap()
}

/// The slot `key` falls in at the manifest's depth.
fn slot_of(manifest: &Manifest, key: &[u8]) -> u32 {
    let hash = key_hash(key);
    (0..usize::from(manifest.depth())).fold(0, |slot, bit| (slot << 1) | u32::from(path_bit(&hash, bit)))
}

/// Applies every chunk of `export` to `restore` in `order`.
fn apply_all(restore: &mut Restore, export: &Export, order: &[u32]) {
    for (n, index) in order.iter().enumerate() {
        let progress = restore.apply(*index, &export.chunk(*index).unwrap()).unwrap();
        let left = order.len() - n - 1;
        assert_eq!(progress, if left == 0 { Progress::Complete } else { Progress::Missing(left) });
    }
}

fn everything(snapshot: &Snapshot) -> Pairs {
    snapshot.range(std::ops::Bound::Unbounded, std::ops::Bound::Unbounded).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn export_verify_restore_gives_the_same_state(
        model in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 1..10),
            proptest::collection::vec(any::<u8>(), 0..24),
            0..300,
        ),
        version in 2u64..10_000,
        chunk_bytes in 16usize..4096,
        rotate in 0usize..64,
    ) {
        let snapshot = committed(&model, version);
        let root = snapshot.root_hash();
        prop_assert_eq!(root, model_root(&model));
        let export = snapshot.export(chunk_bytes).unwrap();
        let manifest = export.manifest();
        prop_assert_eq!((manifest.height(), manifest.root()), (version, root));
        prop_assert_eq!(manifest.slots().len(), 1usize << manifest.depth());
        // The manifest's bytes decode to the same manifest.
        prop_assert_eq!(&Manifest::decode(&manifest.encode()).unwrap(), manifest);

        // Chunks in any order (CometBFT applies them in order; a retried one comes back later).
        let mut order: Vec<u32> = (0..manifest.chunk_count()).collect();
        let len = order.len();
        order.rotate_left(rotate % len);
        let mut restore = accept(&export, &root);
        apply_all(&mut restore, &export, &order);
        // Applying a chunk twice changes nothing.
        prop_assert_eq!(restore.apply(0, &export.chunk(0).unwrap()).unwrap(), Progress::Complete);
        let state = restore.finish().unwrap();
        prop_assert_eq!((state.version(), state.root(), state.len()), (version, root, model.len()));

        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig { keep_versions: 3, checkpoint_interval: 1 };
        {
            let mut store = Store::open(dir.path(), config.clone()).unwrap();
            prop_assert_eq!(store.restore(state).unwrap(), root);
            prop_assert_eq!((store.latest_version(), store.latest().root_hash()), (version, root));
            let pairs: Model = everything(&store.latest()).into_iter().collect();
            prop_assert_eq!(&pairs, &model);
        }
        // Durable: a reopened store is at the restored version with the same pairs.
        let store = Store::open(dir.path(), config).unwrap();
        prop_assert_eq!((store.latest_version(), store.latest().root_hash()), (version, root));
        let pairs: Model = everything(&store.latest()).into_iter().collect();
        prop_assert_eq!(&pairs, &model);
    }
}

/// A state big enough for several chunks of several slots each.
fn sample() -> (Snapshot, Export) {
    let model: Model =
        (0u32..400).map(|i| (format!("key/{i}").into_bytes(), format!("value {i}").into_bytes())).collect();
    let snapshot = committed(&model, 50);
    let export = snapshot.export(600).unwrap();
    assert!(export.manifest().chunk_count() >= 8, "{} chunks", export.manifest().chunk_count());
    assert!(export.manifest().depth() >= 4);
    (snapshot, export)
}

/// Applies `bad` as chunk `index`: refused with an error `check` accepts, nothing kept (the
/// honest chunk is then still needed and accepted).
fn refused(export: &Export, index: u32, bad: &[u8], check: impl Fn(&ChunkError) -> bool) {
    let root = export.manifest().root();
    let mut restore = accept(export, &root);
    let error = restore.apply(index, bad).unwrap_err();
    assert!(check(&error), "chunk {index}: unexpected error {error}");
    let chunks = export.manifest().chunk_count() as usize;
    assert_eq!(restore.apply(index, &export.chunk(index).unwrap()).unwrap(), Progress::Missing(chunks - 1));
}

#[test]
fn tampered_chunks_are_refused_and_leave_nothing_behind() {
    let (_, export) = sample();
    let manifest = export.manifest();
    let honest: Vec<Pairs> = (0..manifest.chunk_count()).map(|i| decode(&export.chunk(i).unwrap())).collect();
    let slot_mismatch = |e: &ChunkError| matches!(e, ChunkError::SlotMismatch(_));
    let outside = |e: &ChunkError| matches!(e, ChunkError::OutsideSlots { .. });

    // A changed value.
    let mut changed = honest[1].clone();
    changed[0].1.push(b'!');
    refused(&export, 1, &encode(&changed), slot_mismatch);

    // A dropped pair.
    let mut dropped = honest[2].clone();
    dropped.remove(dropped.len() / 2);
    refused(&export, 2, &encode(&dropped), slot_mismatch);

    // An extra pair in one of the chunk's slots, and one outside them.
    let slots = manifest.chunk_slots(3).unwrap();
    let mut extra_in = honest[3].clone();
    let inside =
        (0u32..).map(|i| format!("extra/{i}").into_bytes()).find(|k| slots.contains(&slot_of(manifest, k))).unwrap();
    extra_in.push((inside, b"x".to_vec()));
    extra_in.sort();
    refused(&export, 3, &encode(&extra_in), slot_mismatch);
    let mut extra_out = honest[3].clone();
    let outside_key =
        (0u32..).map(|i| format!("extra/{i}").into_bytes()).find(|k| !slots.contains(&slot_of(manifest, k))).unwrap();
    extra_out.push((outside_key, b"x".to_vec()));
    extra_out.sort();
    refused(&export, 3, &encode(&extra_out), outside);

    // A pair moved from chunk 5 to chunk 4: chunk 4 then holds a pair outside its slots, and
    // chunk 5 misses one.
    let mut to = honest[4].clone();
    let mut from = honest[5].clone();
    to.push(from.remove(0));
    to.sort();
    refused(&export, 4, &encode(&to), outside);
    refused(&export, 5, &encode(&from), slot_mismatch);

    // Order and encoding.
    let mut swapped = honest[6].clone();
    swapped.swap(0, 1);
    refused(&export, 6, &encode(&swapped), |e| matches!(e, ChunkError::Order(1)));
    let mut repeated = honest[6].clone();
    repeated.insert(1, repeated[0].clone());
    refused(&export, 6, &encode(&repeated), |e| matches!(e, ChunkError::Order(1)));
    refused(&export, 7, b"not a chunk", |e| matches!(e, ChunkError::Undecodable(_)));
    refused(&export, 7, &[], |e| matches!(e, ChunkError::Undecodable(_)));
    // Another chunk's bytes under this index.
    refused(&export, 7, &export.chunk(6).unwrap(), outside);
    // An index the snapshot does not have.
    let mut restore = accept(&export, &manifest.root());
    assert!(matches!(restore.apply(manifest.chunk_count(), &[0, 0, 0, 0]), Err(ChunkError::Index { .. })));
}

/// The offsets of the slots' hashes in an encoded manifest (after the 49-byte header and the
/// slot count): `(tag, offset of the hash)` for the non-empty ones.
fn slot_hash_offsets(metadata: &[u8]) -> Vec<(u8, usize)> {
    let slots = u32::from_le_bytes(metadata[45..49].try_into().unwrap());
    let mut at = 49;
    let mut found = Vec::new();
    for _ in 0..slots {
        let tag = metadata[at];
        at += 1;
        if tag != 0 {
            found.push((tag, at));
            at += 32;
        }
    }
    found
}

#[test]
fn manifests_that_do_not_match_the_root_or_the_offer_are_refused() {
    let (snapshot, export) = sample();
    let manifest = export.manifest();
    let root = snapshot.root_hash();
    let metadata = manifest.encode();
    let hash = *blake3::hash(&metadata).as_bytes();
    let good = offer(&metadata, &hash, &root, manifest);
    assert!(Restore::offer(&good).is_ok());

    // A wrong app hash (another height's, say).
    let mut other = root;
    other[5] ^= 1;
    assert!(matches!(Restore::offer(&Offer { app_hash: &other, ..good }), Err(OfferError::RootMismatch { .. })));

    // One slot's hash changed (the snapshot hash recomputed to match): the slots no longer fold
    // to the root.
    let (_, at) = slot_hash_offsets(&metadata)[0];
    let mut forged = metadata.clone();
    forged[at + 7] ^= 0x10;
    let forged_hash = *blake3::hash(&forged).as_bytes();
    let forged_offer = Offer { metadata: &forged, hash: &forged_hash, ..good };
    assert!(matches!(Restore::offer(&forged_offer), Err(OfferError::RootMismatch { .. })));
    // The stated root alone agreeing is not enough; nor the slots alone.
    let mut root_field = metadata.clone();
    root_field[12 + 3] ^= 1;
    let root_field_hash = *blake3::hash(&root_field).as_bytes();
    let stated = Offer { metadata: &root_field, hash: &root_field_hash, ..good };
    assert!(matches!(Restore::offer(&stated), Err(OfferError::RootMismatch { .. })));

    // A leaf passed off as an internal node (or the reverse) is malformed.
    let (tag, at) = slot_hash_offsets(&metadata)[0];
    let mut retagged = metadata.clone();
    retagged[at - 1] = if tag == 1 { 2 } else { 1 };
    let retagged_hash = *blake3::hash(&retagged).as_bytes();
    assert!(matches!(
        Restore::offer(&Offer { metadata: &retagged, hash: &retagged_hash, ..good }),
        Err(OfferError::Manifest(_))
    ));

    // The offer must agree with its manifest and its hash.
    assert!(matches!(Restore::offer(&Offer { hash: &[0; 32], ..good }), Err(OfferError::Mismatch(_))));
    assert!(matches!(Restore::offer(&Offer { height: 51, ..good }), Err(OfferError::Mismatch(_))));
    assert!(matches!(Restore::offer(&Offer { chunks: good.chunks + 1, ..good }), Err(OfferError::Mismatch(_))));
    assert!(matches!(Restore::offer(&Offer { format: FORMAT + 1, ..good }), Err(OfferError::Format(_))));
    let truncated = &metadata[..metadata.len() - 1];
    let truncated_hash = *blake3::hash(truncated).as_bytes();
    assert!(matches!(
        Restore::offer(&Offer { metadata: truncated, hash: &truncated_hash, ..good }),
        Err(OfferError::Manifest(_))
    ));
}

#[test]
fn only_an_empty_store_is_restored() {
    let (snapshot, export) = sample();
    let mut restore = accept(&export, &snapshot.root_hash());
    let order: Vec<u32> = (0..export.manifest().chunk_count()).collect();
    apply_all(&mut restore, &export, &order);
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    store.commit(store.latest().stage(1, [(b"a".to_vec(), Some(b"1".to_vec()))].into_iter().collect())).unwrap();
    let error = store.restore(restore.finish().unwrap()).unwrap_err();
    assert!(error.to_string().contains("already holds version 1"), "{error}");
    assert_eq!(store.latest_version(), 1);
}

#[test]
fn the_snapshotter_writes_lists_serves_and_prunes() {
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("snapshots");
    // A snapshot a crash left half written is removed on start.
    std::fs::create_dir_all(snapshots.join("tmp-3")).unwrap();
    let config = SnapshotterConfig { interval: 2, keep_recent: 2, chunk_bytes: 300 };
    let snapshotter = Snapshotter::start(&snapshots, config).unwrap();
    assert!(!snapshots.join("tmp-3").exists());
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let mut exports = BTreeMap::new();
    for version in 1..=7u64 {
        let changes: ChangeSet =
            (0..40u32).map(|i| (format!("k{version}/{i}").into_bytes(), Some(vec![version as u8; 9]))).collect();
        store.commit(store.latest().stage(version, changes)).unwrap();
        let latest = store.latest();
        assert_eq!(snapshotter.after_commit(&latest), version % 2 == 0, "version {version}");
        snapshotter.wait_idle();
        exports.insert(version, latest.export(300).unwrap());
    }
    let listed = snapshotter.list().unwrap();
    assert_eq!(listed.iter().map(|s| s.height).collect::<Vec<_>>(), vec![4, 6]);
    assert_eq!(snapshotter.oldest_protected(), Some(4));
    for info in &listed {
        let export = &exports[&info.height];
        assert_eq!(info.metadata, export.manifest().encode());
        assert_eq!(info.hash, *blake3::hash(&info.metadata).as_bytes());
        assert_eq!((info.format, info.chunks), (FORMAT, export.manifest().chunk_count()));
        assert!(info.chunks > 1);
        for index in 0..info.chunks {
            assert_eq!(snapshotter.chunk(info.height, FORMAT, index).unwrap(), export.chunk(index));
        }
        assert_eq!(snapshotter.chunk(info.height, FORMAT, info.chunks).unwrap(), None);
        assert_eq!(snapshotter.chunk(info.height, FORMAT + 1, 0).unwrap(), None);
    }
    assert_eq!(snapshotter.chunk(2, FORMAT, 0).unwrap(), None, "pruned");
    drop(snapshotter);

    // Files written once are not rewritten, and a cancelled write leaves nothing listed.
    let files = SnapshotFiles::open(&snapshots).unwrap();
    assert_eq!(files.write(&exports[&6], &AtomicBool::new(false)).unwrap(), None);
    assert_eq!(files.write(&exports[&7], &AtomicBool::new(true)).unwrap(), None);
    assert_eq!(files.heights().unwrap(), vec![4, 6]);
}
