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
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if !inner.members.insert(key) {
            return;
        }
        inner.order.push_back(key);
        if inner.order.len() > CAPACITY {
            if let Some(oldest) = inner.order.pop_front() {
                inner.members.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
