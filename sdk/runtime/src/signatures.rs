//! A bounded set of transactions whose signature already verified on this node.
//!
//! Each transaction is checked in CheckTx, again in every Recheck after a commit, in
//! PrepareProposal or ProcessProposal, and in FinalizeBlock. ed25519 verification dominates
//! that work, so the first successful verification records the transaction here and later
//! checks of the same bytes skip it.
//!
//! This cannot change a result: a hit means these exact bytes, signer, body and signature,
//! verified before (the stored transaction is compared byte for byte), and ZIP-215
//! verification is a pure function of those bytes, so a hit answers exactly what verifying
//! again would. Nodes with different cache contents therefore still agree on every
//! FinalizeBlock result. Only successes are recorded, so a failure is always re-verified
//! (and refused) in full.
//!
//! **Why the bytes and not a hash of them.** A lookup happens five or more times per
//! transaction per node; a BLAKE3 hash of the transaction per lookup cost more than the rest
//! of the lookup. Entries are found by the signature (the transaction's last 64 bytes, which
//! an attacker may copy onto other bodies: those compare unequal and are verified in full).
//!
//! The set is never iterated; eviction is FIFO, by count and by bytes held.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use conclave_core::tx::{signature_parts, SIGNATURE_LEN};

use crate::batch::{available_threads, verify_all, SignatureItem};

/// Most transactions kept: twenty full CometBFT mempools (5,000 each by default).
pub const CAPACITY: usize = 100_000;

/// Most transaction bytes kept (plus about 150 bytes of bookkeeping per entry).
pub const CAPACITY_BYTES: usize = 32 << 20;

/// Transactions whose signatures verified.
#[derive(Default)]
pub struct VerifiedSignatures {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Signature → the transaction that verified with it.
    members: HashMap<[u8; SIGNATURE_LEN], Box<[u8]>>,
    /// Signatures, oldest first.
    order: VecDeque<[u8; SIGNATURE_LEN]>,
    /// Σ lengths of the kept transactions.
    bytes: usize,
}

impl Inner {
    fn contains(&self, tx: &[u8]) -> bool {
        signature_of(tx).and_then(|signature| self.members.get(&signature)).is_some_and(|kept| **kept == *tx)
    }

    fn insert(&mut self, tx: &[u8]) {
        let Some(signature) = signature_of(tx) else { return };
        if tx.len() > CAPACITY_BYTES || self.members.contains_key(&signature) {
            return;
        }
        self.members.insert(signature, tx.into());
        self.order.push_back(signature);
        self.bytes = self.bytes.saturating_add(tx.len());
        while self.order.len() > CAPACITY || self.bytes > CAPACITY_BYTES {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(evicted) = self.members.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(evicted.len());
            }
        }
    }
}

/// The last 64 bytes, where an encoded transaction carries its signature.
fn signature_of(tx: &[u8]) -> Option<[u8; SIGNATURE_LEN]> {
    tx.len().checked_sub(SIGNATURE_LEN).and_then(|at| tx[at..].try_into().ok())
}

impl VerifiedSignatures {
    /// Whether `tx` (these exact bytes) verified before. A poisoned lock reads as "not known"
    /// (verify again).
    pub fn contains(&self, tx: &[u8]) -> bool {
        self.inner.lock().map(|inner| inner.contains(tx)).unwrap_or(false)
    }

    /// Records that `tx` verified.
    pub fn insert(&self, tx: &[u8]) {
        self.insert_all([tx]);
    }

    /// Records that each of `txs` verified, under one lock.
    pub fn insert_all<'a>(&self, txs: impl IntoIterator<Item = &'a [u8]>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        for tx in txs {
            inner.insert(tx);
        }
    }

    /// Verifies, ahead of their one-by-one checks, the signatures of the transactions in
    /// `txs` not recorded yet: in batches across the cores ([`crate::batch`]), recording the
    /// ones that verify. Changes no result: a failure is not recorded, so its transaction's
    /// own check verifies it again and refuses it with its code; a success records what that
    /// check would have found. Bytes too short to hold a signer and a signature are left to
    /// that check too. Returns how many were verified here.
    pub fn verify_ahead<T: AsRef<[u8]>>(&self, txs: &[T]) -> usize {
        let mut pending = Vec::new();
        let mut items = Vec::new();
        {
            let Ok(inner) = self.inner.lock() else { return 0 };
            for tx in txs {
                let tx = tx.as_ref();
                if inner.contains(tx) {
                    continue;
                }
                if let Some((signer, signature, message)) = signature_parts(tx) {
                    pending.push(tx);
                    items.push(SignatureItem { key: signer, signature, message });
                }
            }
        }
        // One signature gains nothing from a batch: its own check verifies it.
        if items.len() < 2 {
            return 0;
        }
        let verified = verify_all(&items, available_threads());
        self.insert_all(pending.into_iter().zip(verified).filter_map(|(tx, ok)| ok.then_some(tx)));
        items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(seed: u8, nonce: u64) -> Vec<u8> {
        let key = ed25519_consensus::SigningKey::from([seed; 32]);
        let body = conclave_core::tx::TxBody {
            chain_id: "test".to_string(),
            signer: key.verification_key().to_bytes(),
            nonce,
            fee: conclave_core::Coin::new("stake", 1),
            gas_limit: 1,
            timeout_height: None,
            memo: String::new(),
            messages: vec![seed],
        };
        body.sign(&key).and_then(|tx| tx.encode()).unwrap_or_default()
    }

    #[test]
    fn verifying_ahead_records_the_good_and_leaves_the_bad_to_their_own_check() {
        let cache = VerifiedSignatures::default();
        let mut txs: Vec<Vec<u8>> = (0..80).map(|i| tx(i, u64::from(i))).collect();
        let last = txs.len() - 1;
        txs[last][10] ^= 1; // the body changed under its signature
        txs.push(vec![1, 2, 3]); // not even an envelope
        assert_eq!(cache.verify_ahead(&txs), 80);
        for (i, bytes) in txs.iter().enumerate() {
            assert_eq!(cache.contains(bytes), i < last, "tx {i}");
        }
        // Recorded ones are skipped next time; the bad one is tried again.
        assert_eq!(cache.verify_ahead(&txs), 0, "one left: its own check verifies it");
    }

    /// A stand-in "transaction" whose last 64 bytes (its signature) are unique to `i`.
    fn entry(i: u64, len: usize) -> Vec<u8> {
        let mut bytes = vec![0xAB; len.max(SIGNATURE_LEN)];
        let at = bytes.len() - SIGNATURE_LEN;
        bytes[at..at + 8].copy_from_slice(&i.to_le_bytes());
        bytes
    }

    #[test]
    fn evicts_oldest_beyond_capacity() {
        let cache = VerifiedSignatures::default();
        for i in 0..(CAPACITY as u64 + 10) {
            cache.insert(&entry(i, 100));
        }
        assert!(!cache.contains(&entry(0, 100)));
        assert!(!cache.contains(&entry(9, 100)));
        assert!(cache.contains(&entry(10, 100)));
        assert!(cache.contains(&entry(CAPACITY as u64 + 9, 100)));
    }

    #[test]
    fn evicts_oldest_beyond_the_byte_budget() {
        let cache = VerifiedSignatures::default();
        let len = CAPACITY_BYTES / 4;
        for i in 0..6 {
            cache.insert(&entry(i, len));
        }
        // Four fit: the first two went.
        assert!(!cache.contains(&entry(1, len)));
        assert!((2..6).all(|i| cache.contains(&entry(i, len))));
        // One larger than the whole budget is not kept, and evicts nothing.
        cache.insert(&entry(99, CAPACITY_BYTES + 1));
        assert!(!cache.contains(&entry(99, CAPACITY_BYTES + 1)));
        assert!(cache.contains(&entry(2, len)));
    }

    #[test]
    fn a_copied_signature_on_other_bytes_is_not_a_hit() {
        let cache = VerifiedSignatures::default();
        let good = tx(7, 1);
        cache.insert(&good);
        let mut forged = tx(7, 2);
        let at = forged.len() - SIGNATURE_LEN;
        forged[at..].copy_from_slice(&good[good.len() - SIGNATURE_LEN..]);
        assert!(cache.contains(&good));
        assert!(!cache.contains(&forged), "same signature, other body");
        assert!(!cache.contains(&good[1..]), "a suffix of a kept transaction");
        // Recording the forgery (were it ever to verify) keeps the first holder of the signature.
        cache.insert(&forged);
        assert!(cache.contains(&good) && !cache.contains(&forged));
    }
}
