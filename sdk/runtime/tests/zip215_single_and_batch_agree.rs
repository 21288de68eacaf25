//! ZIP-215's edge cases: single and batched verification must give the same answer for every
//! one, or nodes that verify a block in batches and nodes that verify one by one (or the same
//! node, with and without a cached result) could disagree on a transaction.
//!
//! The vectors are ZIP-215's: the public key `A` and the signature's `R` range over the 14
//! low-order encodings (the 8 canonical encodings of the 8-torsion points and 6 non-canonical
//! ones), `s = 0`, message `"Zcash"`: 196 signatures that ZIP-215 accepts (cofactored
//! equation, non-canonical encodings of `A` and `R` allowed). Each is also made invalid by
//! `s = 1` ([8][1]B is not the identity), to check that rejections agree too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use conclave_runtime::batch::{verify_all, SignatureItem};

/// The 14 low-order point encodings of ZIP-215.
const LOW_ORDER: [&str; 14] = [
    // The 8-torsion points, canonically encoded.
    "0100000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    // Non-canonical encodings of low-order points (y ≥ p, or the sign bit set on x = 0).
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
];

fn point(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex")).collect();
    bytes.try_into().expect("32 bytes")
}

/// The 196 vectors, `s = 0` (valid) or `s = 1` (invalid).
fn vectors(s: u8) -> Vec<SignatureItem> {
    let mut out = Vec::new();
    for a in LOW_ORDER {
        for r in LOW_ORDER {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&point(r));
            signature[32] = s;
            out.push(SignatureItem { key: point(a), signature, message: b"Zcash".to_vec() });
        }
    }
    out
}

#[test]
fn all_196_verify_alone_in_one_batch_in_pairs_and_across_threads() {
    let valid = vectors(0);
    assert_eq!(valid.len(), 196);
    for (i, item) in valid.iter().enumerate() {
        assert!(item.verify_alone(), "vector {i} (A {}, R {}) is refused alone", i / 14, i % 14);
    }
    assert_eq!(verify_all(&valid, 1), vec![true; 196], "one batch of 196");
    assert_eq!(verify_all(&valid, 4), vec![true; 196], "batches on 4 threads");
    for pair in valid.chunks(2) {
        assert_eq!(verify_all(pair, 1), vec![true; 2]);
    }
}

#[test]
fn rejections_agree_too_wherever_the_bad_ones_sit() {
    let (valid, invalid) = (vectors(0), vectors(1));
    assert!(invalid.iter().all(|item| !item.verify_alone()), "s = 1 must be refused alone");
    // Every 5th vector made invalid: the batch fails, and the per-item fallback must give
    // each vector its own single answer.
    let mixed: Vec<SignatureItem> = valid
        .iter()
        .zip(&invalid)
        .enumerate()
        .map(|(i, (v, b))| if i % 5 == 0 { b.clone() } else { v.clone() })
        .collect();
    let alone: Vec<bool> = mixed.iter().map(SignatureItem::verify_alone).collect();
    assert_eq!(alone.iter().filter(|ok| !**ok).count(), 40);
    assert_eq!(verify_all(&mixed, 1), alone);
    assert_eq!(verify_all(&mixed, 3), alone);
}

/// What `ed25519-consensus` (which signs, and which releases before 2026-12-07 verified
/// with) answers for one signature.
fn consensus_verifies(item: &SignatureItem) -> bool {
    ed25519_consensus::VerificationKey::try_from(item.key)
        .and_then(|key| key.verify(&ed25519_consensus::Signature::from(item.signature), &item.message))
        .is_ok()
}

#[test]
fn ed25519_consensus_gives_the_same_answers() {
    // Nodes of the releases before and after the switch to ed25519-zebra must agree on every
    // transaction, so the two ZIP-215 implementations must agree on every edge case...
    for (i, item) in vectors(0).iter().chain(&vectors(1)).enumerate() {
        assert_eq!(consensus_verifies(item), item.verify_alone(), "vector {i}");
    }
    // ...and on ordinary signatures, good and with one bit flipped anywhere.
    for seed in 0..64u8 {
        let key = ed25519_consensus::SigningKey::from([seed; 32]);
        let message = vec![seed; usize::from(seed) + 1];
        let good =
            SignatureItem { key: key.verification_key().to_bytes(), signature: key.sign(&message).to_bytes(), message };
        assert!(good.verify_alone() && consensus_verifies(&good), "seed {seed}");
        for bit in (0..8 * 64).step_by(7) {
            let mut bad = good.clone();
            bad.signature[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(consensus_verifies(&bad), bad.verify_alone(), "seed {seed}, signature bit {bit}");
            assert!(!bad.verify_alone(), "seed {seed}, signature bit {bit} flipped still verifies");
        }
        for bit in (0..8 * 32).step_by(5) {
            let mut bad = good.clone();
            bad.key[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(consensus_verifies(&bad), bad.verify_alone(), "seed {seed}, key bit {bit}");
        }
    }
}
