//! The transaction envelope, its canonical encoding and its signature.
//!
//! Wire format (borsh, see `docs/transactions.md`): `Tx = TxBody ‖ signature[64]`, where
//! `TxBody = chain_id: string, signer: [u8; 32], nonce: u64, fee: Coin, gas_limit: u64,
//! timeout_height: Option<u64>, memo: string, messages: Vec<Msg>`.
//!
//! The signature is ed25519 (ZIP-215 verification rules, via `ed25519-zebra`) over the
//! sign bytes `b"conclave/tx/v1" ‖ blake3(body bytes)`. Because the signature is the fixed-size
//! tail, the body bytes that were signed are exactly the transaction minus its last 64 bytes;
//! decoding is canonical (borsh rejects trailing bytes and non-canonical tags), so one byte
//! string has one meaning.

use borsh::{BorshDeserialize, BorshSerialize};
use ed25519_consensus::SigningKey;
use ed25519_zebra::{Signature, VerificationKey};

use crate::address::Address;
use crate::coin::Coin;

/// Domain separator of the sign bytes.
pub const SIGN_DOMAIN: &[u8] = b"conclave/tx/v1";
/// Length of the signature at the end of a transaction.
pub const SIGNATURE_LEN: usize = 64;

/// The signed part of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct TxBody<M> {
    /// Must equal the chain's id.
    pub chain_id: String,
    /// The signer's ed25519 public key; the signer's address derives from it.
    pub signer: [u8; 32],
    /// Must equal the signer account's next nonce (starts at 0).
    pub nonce: u64,
    /// Paid in full by the signer once the transaction passes the ante checks.
    pub fee: Coin,
    /// Gas the transaction may use.
    pub gas_limit: u64,
    /// The last height at which the transaction may be included.
    pub timeout_height: Option<u64>,
    /// Free text, bounded by the chain's `max_memo_bytes`.
    pub memo: String,
    /// The messages, executed in order, all or nothing.
    pub messages: Vec<M>,
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Tx<M> {
    /// The signed body.
    pub body: TxBody<M>,
    /// ed25519 signature over [`sign_bytes`] of the body.
    pub signature: [u8; SIGNATURE_LEN],
}

/// The bytes the signer signs: `SIGN_DOMAIN ‖ blake3(body_bytes)`.
pub fn sign_bytes(body_bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SIGN_DOMAIN.len() + 32);
    out.extend_from_slice(SIGN_DOMAIN);
    out.extend_from_slice(blake3::hash(body_bytes).as_bytes());
    out
}

/// The error a message decoder returns for a type tag the chain does not know; the runtime
/// reports it with its own code. Build it with [`unknown_message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown message type tag {0}")]
pub struct UnknownMessageTag(pub u8);

/// An I/O error carrying [`UnknownMessageTag`], for hand-written `BorshDeserialize` impls of
/// an app's message enum.
pub fn unknown_message(tag: u8) -> borsh::io::Error {
    borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, UnknownMessageTag(tag))
}

/// Why bytes are not a transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a canonical encoding (wrong layout, trailing bytes, invalid UTF-8, ...).
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// A message type tag is unknown.
    #[error("unknown message type tag {0}")]
    UnknownMessage(u8),
}

/// The message of borsh's derived enum decoder for a tag no variant has (borsh is pinned at
/// one version; `derived_enums_report_unknown_tags` fails if the text changes).
const BORSH_UNKNOWN_VARIANT: &str = "Unexpected variant tag: ";

/// The unknown tag an error from decoding a message reports, if that is what it reports:
/// [`UnknownMessageTag`] from a hand-written decoder, or borsh's derived-enum error (an app
/// `Msg` derived with pinned tags, `#[borsh(use_discriminant = true)]`, or a module's own
/// message enum).
pub fn unknown_tag(error: &borsh::io::Error) -> Option<u8> {
    if let Some(UnknownMessageTag(tag)) = error.get_ref().and_then(|inner| inner.downcast_ref::<UnknownMessageTag>()) {
        return Some(*tag);
    }
    error.to_string().strip_prefix(BORSH_UNKNOWN_VARIANT)?.trim().parse().ok()
}

impl<M: BorshDeserialize> Tx<M> {
    /// Decodes a transaction canonically: every byte must be consumed. A message whose type
    /// tag the chain does not know is [`DecodeError::UnknownMessage`], not malformed.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        borsh::from_slice(bytes).map_err(|e| match unknown_tag(&e) {
            Some(tag) => DecodeError::UnknownMessage(tag),
            None => DecodeError::Malformed(e.to_string()),
        })
    }
}

impl<M: BorshSerialize> Tx<M> {
    /// The canonical encoding. Fails only if a message's serializer fails (borsh also refuses
    /// collections of zero-sized types).
    pub fn encode(&self) -> Result<Vec<u8>, borsh::io::Error> {
        borsh::to_vec(self)
    }
}

impl<M> Tx<M> {
    /// The signer's account address.
    pub fn signer_address(&self) -> Address {
        Address::from_public_key(&self.body.signer)
    }
}

/// What a signature check of an encoded transaction needs, read from the envelope's fixed
/// layout (`chain_id` then `signer` at the start of the body, the signature at the end)
/// without decoding the messages: `(signer key, signature, sign bytes)`. `None` when the bytes
/// are too short for that layout. Whether the whole transaction decodes is checked where it
/// runs; this only lets a batch verifier start early.
pub fn signature_parts(tx_bytes: &[u8]) -> Option<([u8; 32], [u8; SIGNATURE_LEN], Vec<u8>)> {
    let body_len = tx_bytes.len().checked_sub(SIGNATURE_LEN)?;
    let (body, signature) = tx_bytes.split_at(body_len);
    let chain_id_len = usize::try_from(u32::from_le_bytes(body.get(..4)?.try_into().ok()?)).ok()?;
    let signer_at = chain_id_len.checked_add(4)?;
    let signer: [u8; 32] = body.get(signer_at..signer_at.checked_add(32)?)?.try_into().ok()?;
    Some((signer, signature.try_into().ok()?, sign_bytes(body)))
}

/// Verifies the signature of an encoded transaction whose body is `tx_bytes[..len-64]`.
/// Returns false for any invalid key, signature or length.
///
/// ZIP-215 rules, by `ed25519-zebra` (curve25519-dalek 4, whose vector backends it picks at
/// run time): the same rules as `ed25519-consensus`, which signs and which older releases
/// verified with (`sdk/runtime/tests/zip215_single_and_batch_agree.rs` checks both agree), at
/// about two thirds of its cost per signature (docs/benchmarks.md).
pub fn verify_signature(tx_bytes: &[u8], signer: &[u8; 32], signature: &[u8; SIGNATURE_LEN]) -> bool {
    let Some(body_len) = tx_bytes.len().checked_sub(SIGNATURE_LEN) else {
        return false;
    };
    let Ok(key) = VerificationKey::try_from(*signer) else {
        return false;
    };
    let message = sign_bytes(&tx_bytes[..body_len]);
    key.verify(&Signature::from(*signature), &message).is_ok()
}

impl<M: BorshSerialize> TxBody<M> {
    /// Signs the body with `key` (whose public key should be `self.signer`).
    pub fn sign(self, key: &SigningKey) -> Result<Tx<M>, borsh::io::Error> {
        let body_bytes = borsh::to_vec(&self)?;
        let signature = key.sign(&sign_bytes(&body_bytes)).to_bytes();
        Ok(Tx { body: self, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &SigningKey) -> TxBody<u8> {
        TxBody {
            chain_id: "test-1".into(),
            signer: key.verification_key().to_bytes(),
            nonce: 3,
            fee: Coin::new("stake", 10),
            gas_limit: 100_000,
            timeout_height: Some(9),
            memo: "hi".into(),
            messages: vec![1, 2],
        }
    }

    #[test]
    fn sign_encode_decode_verify() {
        let key = SigningKey::from([5u8; 32]);
        let tx = body(&key).sign(&key).unwrap();
        let bytes = tx.encode().unwrap();
        assert_eq!(Tx::<u8>::decode(&bytes), Ok(tx.clone()));
        assert!(verify_signature(&bytes, &tx.body.signer, &tx.signature));
        let mut tampered = bytes.clone();
        tampered[10] ^= 1;
        assert!(!verify_signature(&tampered, &tx.body.signer, &tx.signature));
    }

    #[test]
    fn signature_parts_are_what_the_decoded_transaction_says() {
        let key = SigningKey::from([5u8; 32]);
        let tx = body(&key).sign(&key).unwrap();
        let bytes = tx.encode().unwrap();
        let (signer, signature, message) = signature_parts(&bytes).unwrap();
        assert_eq!((signer, signature), (tx.body.signer, tx.signature));
        assert_eq!(message, sign_bytes(&borsh::to_vec(&tx.body).unwrap()));
        // Too short for the layout: a chain id longer than the body, or no room for a signer.
        assert_eq!(signature_parts(&bytes[..SIGNATURE_LEN + 3]), None);
        let mut long_chain_id = bytes.clone();
        long_chain_id[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(signature_parts(&long_chain_id), None);
    }

    #[test]
    fn trailing_bytes_are_malformed() {
        let key = SigningKey::from([5u8; 32]);
        let mut bytes = body(&key).sign(&key).unwrap().encode().unwrap();
        bytes.push(0);
        assert!(matches!(Tx::<u8>::decode(&bytes), Err(DecodeError::Malformed(_))));
    }

    /// An app message enum as the template derives it: explicit tags, pinned on the wire.
    #[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
    #[borsh(use_discriminant = true)]
    #[repr(u8)]
    enum AppMsg {
        First(u8) = 0,
        Fifth { value: u16 } = 5,
    }

    fn tx_with<M: BorshSerialize>(messages: Vec<M>) -> Vec<u8> {
        let key = SigningKey::from([6u8; 32]);
        let body = TxBody {
            chain_id: "test-1".into(),
            signer: key.verification_key().to_bytes(),
            nonce: 0,
            fee: Coin::new("stake", 1),
            gas_limit: 1,
            timeout_height: None,
            memo: String::new(),
            messages,
        };
        body.sign(&key).unwrap().encode().unwrap()
    }

    #[test]
    fn derived_enums_keep_their_pinned_tags_and_report_unknown_tags() {
        assert_eq!(borsh::to_vec(&AppMsg::Fifth { value: 7 }).unwrap(), [5, 7, 0]);
        let bytes = tx_with(vec![AppMsg::First(1), AppMsg::Fifth { value: 2 }]);
        assert_eq!(Tx::<AppMsg>::decode(&bytes).unwrap().body.messages, [AppMsg::First(1), AppMsg::Fifth { value: 2 }]);
        // Tag 5 decoded as the app's enum is fine; tag 3 is no variant: unknown, not malformed.
        let unknown = tx_with(vec![(3u8, 9u8)]);
        assert_eq!(Tx::<AppMsg>::decode(&unknown), Err(DecodeError::UnknownMessage(3)));
        // A known tag with a truncated payload stays malformed.
        let truncated = tx_with(vec![5u8]);
        assert!(matches!(Tx::<AppMsg>::decode(&truncated), Err(DecodeError::Malformed(_))));
    }

    #[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
    #[borsh(use_discriminant = true)]
    #[repr(u8)]
    enum WithQuietModule {
        Loud(u8) = 0,
        Quiet(crate::NoMessages) = 1,
    }

    #[test]
    fn a_module_without_messages_decodes_none() {
        // The quiet module's tag is known, but no message of it exists: its first byte (here
        // 7) is reported as the unknown tag.
        let bytes = tx_with(vec![(1u8, 7u8)]);
        assert_eq!(Tx::<WithQuietModule>::decode(&bytes), Err(DecodeError::UnknownMessage(7)));
        assert!(Tx::<WithQuietModule>::decode(&tx_with(vec![(0u8, 7u8)])).is_ok());
        let hand_written = borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, UnknownMessageTag(4));
        assert_eq!(unknown_tag(&hand_written), Some(4));
        let other = borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, "Unexpected length of input");
        assert_eq!(unknown_tag(&other), None);
    }
}
