//! Every proof the store produces verifies against its version's root, and
//! every altered proof, value or key is rejected — unless the alteration
//! happens to produce exactly the honest proof for the query (proofs are
//! canonical, so that is the only way to pass).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;

use borsh::BorshDeserialize;
use conclave_proof::{key_hash, value_hash, Proof, ProofError, Terminal, EMPTY_ROOT};
use conclave_store::{ChangeSet, Snapshot, Store, StoreConfig};
use proptest::prelude::*;

/// `verify` must accept exactly the honest (proof, value) pair for `key`.
fn check_query(snapshot: &Snapshot, proof: &Proof, key: &[u8], value: Option<&[u8]>) {
    let (honest_value, honest_proof) = snapshot.prove(key);
    let verdict = proof.verify(&snapshot.root_hash(), key, value);
    let honest = *proof == honest_proof && value == honest_value.as_deref();
    assert_eq!(verdict.is_ok(), honest, "key {key:?} value {value:?}: verdict {verdict:?} for proof {proof:?}");
}

/// Systematic alterations of one proof.
fn tampered(proof: &Proof) -> Vec<Proof> {
    let mut out = Vec::new();
    for i in 0..proof.siblings.len() {
        for byte in 0..32 {
            for bit in [0x01u8, 0x80] {
                let mut p = proof.clone();
                p.siblings[i][byte] ^= bit;
                out.push(p);
            }
        }
        let mut removed = proof.clone();
        removed.siblings.remove(i);
        out.push(removed);
        let mut zeroed = proof.clone();
        zeroed.siblings[i] = EMPTY_ROOT;
        out.push(zeroed);
    }
    for extra in [EMPTY_ROOT, [0x80; 32], [0x11; 32]] {
        let mut appended = proof.clone();
        appended.siblings.push(extra);
        out.push(appended);
        let mut prepended = proof.clone();
        prepended.siblings.insert(0, extra);
        out.push(prepended);
    }
    match &proof.terminal {
        Terminal::Empty => {
            let mut p = proof.clone();
            p.terminal = Terminal::Leaf { key_hash: [0; 32], value_hash: [0; 32] };
            out.push(p);
        }
        Terminal::Leaf { key_hash, value_hash } => {
            for byte in 0..32 {
                let mut k = *key_hash;
                k[byte] ^= 1;
                out.push(Proof {
                    siblings: proof.siblings.clone(),
                    terminal: Terminal::Leaf { key_hash: k, value_hash: *value_hash },
                });
                let mut v = *value_hash;
                v[byte] ^= 1;
                out.push(Proof {
                    siblings: proof.siblings.clone(),
                    terminal: Terminal::Leaf { key_hash: *key_hash, value_hash: v },
                });
            }
            let mut p = proof.clone();
            p.terminal = Terminal::Empty;
            out.push(p);
        }
    }
    out
}

fn snapshot_of(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> Snapshot {
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let changes: ChangeSet = entries.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    let staged = store.latest().stage(1, changes);
    store.commit(staged).unwrap();
    store.latest()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn proofs_verify_and_tampering_fails(
        entries in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 0..6),
            proptest::collection::vec(any::<u8>(), 0..6),
            0..40,
        ),
        absent in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 6..8), 1..8),
    ) {
        let snapshot = snapshot_of(&entries);
        let root = snapshot.root_hash();
        let mut queries: Vec<Vec<u8>> = entries.keys().cloned().collect();
        queries.extend(absent);
        for key in &queries {
            let (value, proof) = snapshot.prove(key);
            prop_assert_eq!(value.as_ref(), entries.get(key));
            prop_assert_eq!(proof.verify(&root, key, value.as_deref()), Ok(()));

            // Wire format round trip.
            let bytes = borsh::to_vec(&proof).unwrap();
            prop_assert_eq!(bytes.len(), proof.encoded_len());
            prop_assert_eq!(&Proof::try_from_slice(&bytes).unwrap(), &proof);

            // Wrong values and wrong presence claims.
            check_query(&snapshot, &proof, key, None);
            check_query(&snapshot, &proof, key, Some(b"not the value"));
            if let Some(value) = &value {
                let mut other = value.clone();
                other.push(0);
                check_query(&snapshot, &proof, key, Some(&other));
            }
            // The same proof for other keys.
            for other in queries.iter().take(12) {
                let other_value = snapshot.get(other);
                check_query(&snapshot, &proof, other, other_value.as_deref());
            }
            // Altered proofs, with the honest value.
            for altered in tampered(&proof) {
                check_query(&snapshot, &altered, key, value.as_deref());
            }
            // An exclusion proof whose terminal leaf claims the queried key.
            if value.is_none() {
                let claim = Proof {
                    siblings: proof.siblings.clone(),
                    terminal: Terminal::Leaf { key_hash: key_hash(key), value_hash: value_hash(b"x") },
                };
                prop_assert!(claim.verify(&root, key, None).is_err());
            }
        }
    }
}

#[test]
fn empty_tree_proves_every_key_absent() {
    let store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let snapshot = store.latest();
    assert_eq!(snapshot.root_hash(), EMPTY_ROOT);
    let (value, proof) = snapshot.prove(b"anything");
    assert_eq!(value, None);
    assert_eq!(proof, Proof { siblings: vec![], terminal: Terminal::Empty });
    assert_eq!(proof.verify(&EMPTY_ROOT, b"anything", None), Ok(()));
    assert_eq!(proof.verify(&EMPTY_ROOT, b"anything", Some(b"v")), Err(ProofError::NotIncluded));
}

#[test]
fn single_key_tree() {
    let entries = BTreeMap::from([(b"k".to_vec(), b"v".to_vec())]);
    let snapshot = snapshot_of(&entries);
    assert_eq!(snapshot.root_hash(), conclave_proof::leaf_hash(&key_hash(b"k"), &value_hash(b"v")));
    let (value, proof) = snapshot.prove(b"k");
    assert_eq!(value.as_deref(), Some(&b"v"[..]));
    assert!(proof.siblings.is_empty());
    assert_eq!(proof.verify(&snapshot.root_hash(), b"k", Some(b"v")), Ok(()));
    // Another key's absence is proven by the same lone leaf.
    let (value, other) = snapshot.prove(b"other");
    assert_eq!(value, None);
    assert_eq!(other, proof);
    assert_eq!(other.verify(&snapshot.root_hash(), b"other", None), Ok(()));
}

/// Proofs stay available for every retained version, not just the latest.
#[test]
fn proofs_at_old_retained_versions() {
    let mut store = Store::open_in_memory(StoreConfig { keep_versions: 3, checkpoint_interval: 1 }).unwrap();
    for version in 1..=5u64 {
        let changes: ChangeSet = BTreeMap::from([(b"k".to_vec(), Some(version.to_be_bytes().to_vec()))]);
        let staged = store.latest().stage(version, changes);
        store.commit(staged).unwrap();
    }
    assert_eq!(store.oldest_retained_version(), 3);
    assert!(store.snapshot(2).is_none());
    for version in 3..=5u64 {
        let snapshot = store.snapshot(version).unwrap();
        let (value, proof) = snapshot.prove(b"k");
        assert_eq!(value, Some(version.to_be_bytes().to_vec()));
        assert_eq!(proof.verify(&snapshot.root_hash(), b"k", value.as_deref()), Ok(()));
        let newer = store.snapshot(5).unwrap().root_hash();
        if version != 5 {
            assert!(proof.verify(&newer, b"k", value.as_deref()).is_err());
        }
    }
}
