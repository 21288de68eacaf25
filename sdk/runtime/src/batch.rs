//! Batched ed25519 verification, split across the cores: what a block's (or a proposal's, or a
//! burst of CheckTx's) signatures cost before the transactions run one by one.
//!
//! **Same answers as one by one.** `ed25519-zebra` implements ZIP-215, whose batch equation
//! is the cofactored single equation summed with random coefficients, so a batch verifies
//! exactly when every member verifies alone
//! (`tests/zip215_single_and_batch_agree.rs` checks the 196 ZIP-215 edge cases). A batch that
//! fails says only that some member is bad: every member of it is then checked alone, so each
//! bad signature is found and the good ones around it still count.
//!
//! **Coefficients an attacker cannot predict.** With known coefficients, invalid signatures
//! could be crafted to cancel out in the sum and pass the batch (and, cached as verified, run
//! on this node while every other node refuses them). Each batch draws its coefficients from
//! a BLAKE3 XOF keyed with 32 bytes of OS randomness (`getrandom`); if the OS gives none, the
//! members are checked alone.
//!
//! **Threads.** Up to `available_parallelism()` scoped threads, each with at least
//! [`MIN_PER_THREAD`] signatures (a thread costs about as much as one verification); fewer
//! signatures stay on the calling thread. Results come back in input order, and nothing here
//! touches state: the caller records successes in its cache, and execution stays serial.

use ed25519_zebra::batch;
use ed25519_zebra::{Signature, VerificationKey, VerificationKeyBytes};

/// Below this many signatures per thread, a thread costs more than it saves.
pub const MIN_PER_THREAD: usize = 32;

/// One signature to check: the signer's public key, the signature and the message it signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureItem {
    /// ed25519 public key bytes.
    pub key: [u8; 32],
    /// The signature.
    pub signature: [u8; 64],
    /// The signed message.
    pub message: Vec<u8>,
}

impl SignatureItem {
    /// Verifies this one alone (ZIP-215), as a transaction's own check does
    /// (`conclave_core::tx::verify_signature`).
    pub fn verify_alone(&self) -> bool {
        VerificationKey::try_from(self.key)
            .and_then(|key| key.verify(&Signature::from(self.signature), &self.message))
            .is_ok()
    }
}

/// Whether each item verifies, in input order: batches across up to `threads` threads (at
/// least [`MIN_PER_THREAD`] items each), a failed batch rechecked item by item. The answers are
/// those of [`SignatureItem::verify_alone`].
pub fn verify_all(items: &[SignatureItem], threads: usize) -> Vec<bool> {
    let threads = threads.clamp(1, (items.len() / MIN_PER_THREAD).max(1));
    if threads == 1 {
        return verify_chunk(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| scope.spawn(move || verify_chunk(part))).collect();
        let mut out = Vec::with_capacity(items.len());
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk)) {
            // A panicking verifier thread (none is known) costs only speed: check alone.
            out.extend(handle.join().unwrap_or_else(|_| part.iter().map(SignatureItem::verify_alone).collect()));
        }
        out
    })
}

/// The threads [`verify_all`] may use on this machine.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn verify_chunk(items: &[SignatureItem]) -> Vec<bool> {
    if items.len() >= 2 {
        if let Some(rng) = coefficient_rng() {
            let mut verifier = batch::Verifier::new();
            for item in items {
                let key = VerificationKeyBytes::from(item.key);
                verifier.queue((key, Signature::from(item.signature), &item.message));
            }
            if verifier.verify(rng).is_ok() {
                return vec![true; items.len()];
            }
        }
    }
    items.iter().map(SignatureItem::verify_alone).collect()
}

/// A source for a batch's random coefficients: BLAKE3's XOF keyed with 32 bytes of OS
/// randomness, behind the `rand_core` 0.6 traits ed25519 batch verifiers take; `None` if the OS
/// gives no randomness.
pub fn coefficient_rng() -> Option<impl rand_core::RngCore + rand_core::CryptoRng> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).ok()?;
    Some(BatchRng(blake3::Hasher::new_keyed(&key).finalize_xof()))
}

struct BatchRng(blake3::OutputReader);

impl rand_core::RngCore for BatchRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.0.fill(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.0.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for BatchRng {}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_consensus::SigningKey;

    fn signed(i: u8) -> SignatureItem {
        let key = SigningKey::from([i; 32]);
        let message = vec![i; 40];
        SignatureItem { key: key.verification_key().to_bytes(), signature: key.sign(&message).to_bytes(), message }
    }

    #[test]
    fn a_bad_signature_in_a_batch_is_found_and_the_others_still_verify() {
        for (count, threads) in [(1, 1), (2, 1), (100, 1), (100, 2), (257, 4)] {
            let mut items: Vec<SignatureItem> = (0..count).map(|i| signed(i as u8)).collect();
            assert_eq!(verify_all(&items, threads), vec![true; count], "{count} good on {threads} threads");
            let bad = count / 2;
            items[bad].message.push(0);
            let mut expected = vec![true; count];
            expected[bad] = false;
            assert_eq!(verify_all(&items, threads), expected, "one bad of {count} on {threads} threads");
        }
        assert!(verify_all(&[], 2).is_empty());
    }

    #[test]
    fn an_invalid_key_fails_alone_and_in_a_batch() {
        let mut items: Vec<SignatureItem> = (0..40).map(signed).collect();
        // About half of all 32-byte strings are no curve point: take the first one found.
        let invalid = (0u8..=255)
            .map(|b| [b; 32])
            .find(|bytes| VerificationKey::try_from(*bytes).is_err())
            .expect("some repeated byte is no curve point");
        items[7].key = invalid;
        let results = verify_all(&items, 1);
        assert!(!results[7] && results.iter().filter(|ok| **ok).count() == 39, "{results:?}");
    }
}
