//! A bounded set of transactions whose signature already verified on this node.
//!
//! Each transaction is checked in CheckTx, again in every Recheck after a commit, in
//! PrepareProposal and in FinalizeBlock. ed25519 verification dominates that work (about
//! 40 µs of the ~55 µs a transfer costs), so the first successful verification records
//! `blake3(tx bytes)` here and later checks of the same bytes skip it.
//!
//! This cannot change a result: the key covers the whole transaction, signature included,
//! and ZIP-215 verification is a pure function of those bytes, so a hit answers exactly
//! what verifying again would. Nodes with different cache contents therefore still agree
//! on every FinalizeBlock result. Only successes are recorded, so a failure is always
//! re-verified (and refused) in full. The set is never iterated; eviction is FIFO.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use conclave_core::tx::signature_parts;

use crate::batch::{available_threads, verify_all, SignatureItem};

/// Entries kept: about 13 MB at most, several full mempools' worth.
pub const CAPACITY: usize = 200_000;

/// Transactions whose signatures verified.
#[derive(Default)]
pub struct VerifiedSignatures {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    members: HashSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

impl VerifiedSignatures {
    /// The key of `tx_bytes`.
    pub fn key(tx_bytes: &[u8]) -> [u8; 32] {
        *blake3::hash(tx_bytes).as_bytes()
    }

    /// Whether `key` verified before. A poisoned lock reads as "not known" (verify again).
    pub fn contains(&self, key: &[u8; 32]) -> bool {
        self.inner.lock().map(|inner| inner.members.contains(key)).unwrap_or(false)
    }

    /// Records a successful verification.
    pub fn insert(&self, key: [u8; 32]) {
        self.insert_all([key]);
    }

    /// Records successful verifications, under one lock.
    pub fn insert_all(&self, keys: impl IntoIterator<Item = [u8; 32]>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        for key in keys {
            if !inner.members.insert(key) {
                continue;
            }
            inner.order.push_back(key);
            if inner.order.len() > CAPACITY {
                if let Some(oldest) = inner.order.pop_front() {
                    inner.members.remove(&oldest);
                }
            }
        }
    }

    /// Verifies, ahead of their one-by-one checks, the signatures of the transactions in
    /// `txs` not recorded yet: in batches across the cores ([`crate::batch`]), recording the
    /// ones that verify. Changes no result: a failure is not recorded, so its transaction's
    /// own check verifies it again and refuses it with its code; a success records what that
    /// check would have found. Bytes too short to hold a signer and a signature are left to
    /// that check too. Returns how many were verified here.
    pub fn verify_ahead<T: AsRef<[u8]>>(&self, txs: &[T]) -> usize {
        let mut keys = Vec::new();
        let mut items = Vec::new();
        for tx in txs {
            let tx = tx.as_ref();
            let key = Self::key(tx);
            if self.contains(&key) {
                continue;
            }
            if let Some((signer, signature, message)) = signature_parts(tx) {
                keys.push(key);
                items.push(SignatureItem { key: signer, signature, message });
            }
        }
        // One signature gains nothing from a batch: its own check verifies it.
        if items.len() < 2 {
            return 0;
        }
        let verified = verify_all(&items, available_threads());
        self.insert_all(keys.into_iter().zip(verified).filter_map(|(key, ok)| ok.then_some(key)));
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
            assert_eq!(cache.contains(&VerifiedSignatures::key(bytes)), i < last, "tx {i}");
        }
        // Recorded ones are skipped next time; the bad one is tried again.
        assert_eq!(cache.verify_ahead(&txs), 0, "one left: its own check verifies it");
    }

    #[test]
    fn evicts_oldest_beyond_capacity() {
        let cache = VerifiedSignatures::default();
        for i in 0..(CAPACITY as u64 + 10) {
            cache.insert(VerifiedSignatures::key(&i.to_le_bytes()));
        }
        assert!(!cache.contains(&VerifiedSignatures::key(&0u64.to_le_bytes())));
        assert!(cache.contains(&VerifiedSignatures::key(&(CAPACITY as u64 + 9).to_le_bytes())));
    }
}
