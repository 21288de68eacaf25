//! Account addresses: the first 20 bytes of `blake3` of an ed25519 public key, or of a
//! domain-separated module name for module accounts.
//!
//! Text form: bech32 (BIP-173) with the chain's human-readable prefix, as in the Cosmos
//! world: `appchain1…` (the prefix, `1`, 32 data characters, a 6-character checksum that
//! catches any typo of up to four characters). 40 hex characters are still read, never
//! written. The wire format and state keys are the 20 raw bytes; only text changes.
//!
//! The prefix is the process's: a chain binary names it once at start-up
//! ([`set_address_prefix`], which `conclave-client`'s `set_description` calls), and every
//! `Display`, `Serialize`, `FromStr` and `Deserialize` of [`Address`] uses it. A process
//! that never names one (library code, tests, tools) writes [`DEFAULT_ADDRESS_PREFIX`] and
//! reads any prefix. Code that handles several chains' addresses at once uses the explicit
//! [`Address::to_bech32`] and [`Address::parse_with_prefix`]. Text never reaches state or
//! the app hash, so the prefix cannot make two nodes diverge.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use bech32::primitives::decode::{CheckedHrpstring, CheckedHrpstringError};
use bech32::{Bech32, Hrp};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of an address in bytes.
pub const ADDRESS_LEN: usize = 20;

/// The prefix of a process that never named its chain's.
pub const DEFAULT_ADDRESS_PREFIX: &str = "conclave";

/// Longest prefix: a bech32 string is at most 90 characters, and an address takes 1 + 32 + 6.
pub const MAX_ADDRESS_PREFIX_LEN: usize = 90 - 39;

static PREFIX: OnceLock<WrittenPrefix> = OnceLock::new();

/// A prefix addresses are written with, and the bech32 checksum state after it.
#[derive(Clone, Copy)]
struct WrittenPrefix {
    hrp: Hrp,
    checksum_state: u32,
}

impl WrittenPrefix {
    fn new(hrp: Hrp) -> Self {
        Self { hrp, checksum_state: prefix_checksum_state(hrp.as_str()) }
    }
}

const DEFAULT_PREFIX_CHECKSUM_STATE: u32 = prefix_checksum_state(DEFAULT_ADDRESS_PREFIX);

/// Why a prefix cannot be this process's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressPrefixError {
    /// Not 2 to [`MAX_ADDRESS_PREFIX_LEN`] characters of `a-z` and `0-9`.
    #[error("address prefix {0:?}: use 2 to {MAX_ADDRESS_PREFIX_LEN} characters of a-z and 0-9")]
    Invalid(String),
    /// The process already writes addresses with another prefix.
    #[error("address prefix {requested:?}: this process already uses {current:?}")]
    AlreadySet {
        /// The prefix in use.
        current: String,
        /// The prefix asked for.
        requested: String,
    },
}

/// Checks a prefix: 2 to [`MAX_ADDRESS_PREFIX_LEN`] characters of `a-z` and `0-9` (the
/// Cosmos convention; bech32 itself allows more, but upper case and punctuation only cause
/// trouble in URLs, shells and QR codes). At least 2, so that no address is 40 characters
/// long and none can be mistaken for hex (a 1-character prefix makes 40-character addresses,
/// some of them all hex digits).
pub fn validate_address_prefix(prefix: &str) -> Result<(), AddressPrefixError> {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !(2..=MAX_ADDRESS_PREFIX_LEN).contains(&prefix.len()) || !prefix.bytes().all(allowed) {
        return Err(AddressPrefixError::Invalid(prefix.chars().take(64).collect()));
    }
    Ok(())
}

/// Names this process's address prefix. The first call wins; a later call with the same
/// prefix is a no-op, with another an error (addresses already written would disagree).
pub fn set_address_prefix(prefix: &str) -> Result<(), AddressPrefixError> {
    validate_address_prefix(prefix)?;
    let hrp = Hrp::parse(prefix).map_err(|_| AddressPrefixError::Invalid(prefix.to_string()))?;
    let current = PREFIX.get_or_init(|| WrittenPrefix::new(hrp)).hrp;
    if current.as_str() == prefix {
        Ok(())
    } else {
        Err(AddressPrefixError::AlreadySet { current: current.as_str().to_string(), requested: prefix.to_string() })
    }
}

/// The process's address prefix ([`DEFAULT_ADDRESS_PREFIX`] until one is set).
pub fn address_prefix() -> &'static str {
    PREFIX.get().map_or(DEFAULT_ADDRESS_PREFIX, |prefix| prefix.hrp.as_str())
}

/// The written prefix's text and checksum state.
fn written_prefix() -> (&'static str, u32) {
    PREFIX.get().map_or((DEFAULT_ADDRESS_PREFIX, DEFAULT_PREFIX_CHECKSUM_STATE), |p| (p.hrp.as_str(), p.checksum_state))
}

/// bech32's alphabet: the character of each 5-bit value.
const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// One step of BIP-173's checksum (`bech32_polymod`), folding in the 5-bit `value`.
const fn polymod_step(state: u32, value: u32) -> u32 {
    const GENERATOR: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let top = state >> 25;
    let mut next = ((state & 0x01ff_ffff) << 5) ^ value;
    let mut i = 0;
    while i < 5 {
        if (top >> i) & 1 == 1 {
            next ^= GENERATOR[i];
        }
        i += 1;
    }
    next
}

/// The checksum state after a lowercase prefix (BIP-173's `bech32_hrp_expand`: each
/// character's high bits, a zero, each character's low bits).
const fn prefix_checksum_state(prefix: &str) -> u32 {
    let bytes = prefix.as_bytes();
    let mut state = 1;
    let mut i = 0;
    while i < bytes.len() {
        state = polymod_step(state, (bytes[i] >> 5) as u32);
        i += 1;
    }
    state = polymod_step(state, 0);
    i = 0;
    while i < bytes.len() {
        state = polymod_step(state, (bytes[i] & 31) as u32);
        i += 1;
    }
    state
}

/// Characters after the prefix: the separator, 32 data characters and 6 of checksum.
const TAIL_LEN: usize = 1 + DATA_CHARACTERS + 6;

/// The bech32 text after a prefix whose checksum state is `state`: `1`, the address's 160
/// bits five at a time (most significant first), and the checksum. Events write several
/// addresses per transaction, so this skips the generic encoder's per-character iterators;
/// tests check it against that encoder.
fn bech32_tail(bytes: &[u8; ADDRESS_LEN], mut state: u32) -> [u8; TAIL_LEN] {
    let mut out = [0u8; TAIL_LEN];
    out[0] = b'1';
    let mut written = 1;
    let (mut pending, mut pending_bits) = (0u32, 0u32);
    for &byte in bytes {
        pending = (pending << 8 | u32::from(byte)) & 0xfff;
        pending_bits += 8;
        while pending_bits >= 5 {
            pending_bits -= 5;
            let value = (pending >> pending_bits) & 31;
            state = polymod_step(state, value);
            out[written] = CHARSET[value as usize];
            written += 1;
        }
    }
    for _ in 0..6 {
        state = polymod_step(state, 0);
    }
    let checksum = state ^ 1;
    for (i, slot) in out[written..].iter_mut().enumerate() {
        *slot = CHARSET[((checksum >> (5 * (5 - i))) & 31) as usize];
    }
    out
}

/// `prefix` followed by the address's bech32 tail.
fn write_bech32(out: &mut impl fmt::Write, prefix: &str, state: u32, bytes: &[u8; ADDRESS_LEN]) -> fmt::Result {
    let tail = bech32_tail(bytes, state);
    out.write_str(prefix)?;
    // The tail is ASCII from `CHARSET`.
    out.write_str(std::str::from_utf8(&tail).map_err(|_| fmt::Error)?)
}

/// A 20-byte account address, written as bech32 with the process's prefix.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Default)]
pub struct Address(pub [u8; ADDRESS_LEN]);

/// The form an address was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressForm {
    /// bech32: `prefix1…` with a checksum.
    Bech32,
    /// 40 hex characters: no checksum, accepted for compatibility (CLIs say so).
    Hex,
}

impl Address {
    /// The address of an ed25519 public key: `blake3(b"conclave/account/ed25519" ‖ key)[..20]`.
    pub fn from_public_key(public_key: &[u8; 32]) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"conclave/account/ed25519");
        hasher.update(public_key);
        Self::truncate(hasher.finalize())
    }

    /// The address of a module account: `blake3(b"conclave/module/" ‖ name)[..20]`.
    /// No private key exists for it; only the owning module moves its funds.
    pub fn module(name: &str) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"conclave/module/");
        hasher.update(name.as_bytes());
        Self::truncate(hasher.finalize())
    }

    fn truncate(hash: blake3::Hash) -> Self {
        let mut out = [0u8; ADDRESS_LEN];
        out.copy_from_slice(&hash.as_bytes()[..ADDRESS_LEN]);
        Self(out)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }

    /// The bech32 text with `prefix` rather than the process's.
    pub fn to_bech32(&self, prefix: &str) -> Result<String, AddressPrefixError> {
        validate_address_prefix(prefix)?;
        let mut out = String::with_capacity(prefix.len() + TAIL_LEN);
        write_bech32(&mut out, prefix, prefix_checksum_state(prefix), &self.0)
            .map_err(|_| AddressPrefixError::Invalid(prefix.to_string()))?;
        Ok(out)
    }

    /// The 40 lowercase hex characters (the form of older releases).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads bech32 with exactly `prefix`, or 40 hex characters.
    pub fn parse_with_prefix(text: &str, prefix: &str) -> Result<(Self, AddressForm), ParseAddressError> {
        parse(text, Some(prefix))
    }

    /// Reads an address as [`FromStr`] does and says which form it was in, so a CLI can
    /// note hex input (which has no checksum).
    pub fn parse_with_form(text: &str) -> Result<(Self, AddressForm), ParseAddressError> {
        parse(text, PREFIX.get().map(|prefix| prefix.hrp.as_str()))
    }
}

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {input:?}: {reason}")]
pub struct ParseAddressError {
    /// The rejected input (truncated to 64 characters).
    pub input: String,
    /// What is wrong with it.
    pub reason: AddressError,
}

/// What is wrong with a string that is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Neither bech32 nor 40 hex characters.
    #[error("expected {expected}1… (bech32) or 40 hex characters")]
    Malformed {
        /// The prefix expected (the process's).
        expected: String,
    },
    /// bech32 whose checksum fails: a typo.
    #[error("its checksum does not match, so a character is mistyped, missing or swapped; copy the address again")]
    Checksum,
    /// bech32 of another chain (or another kind of key).
    #[error("it has prefix {found:?}, but this chain's addresses start with {expected}1")]
    WrongPrefix {
        /// The prefix read.
        found: String,
        /// The prefix expected.
        expected: String,
    },
    /// bech32 holding something other than 20 bytes.
    #[error("its data is {characters} characters, an address's is 32 (20 bytes)")]
    WrongLength {
        /// Data characters read (checksum excluded).
        characters: usize,
    },
}

/// bech32 data characters of 20 bytes: 160 bits, 5 per character, no padding.
const DATA_CHARACTERS: usize = 32;

/// `expected`: the prefix required, or `None` to accept any (a process with no prefix).
fn parse(text: &str, expected: Option<&str>) -> Result<(Address, AddressForm), ParseAddressError> {
    let fail = |reason| ParseAddressError { input: text.chars().take(64).collect(), reason };
    if text.len() == ADDRESS_LEN * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut out = [0u8; ADDRESS_LEN];
        hex::decode_to_slice(text, &mut out)
            .map_err(|_| fail(AddressError::Malformed { expected: address_prefix().to_string() }))?;
        return Ok((Address(out), AddressForm::Hex));
    }
    let checked = CheckedHrpstring::new::<Bech32>(text).map_err(|e| {
        fail(match e {
            CheckedHrpstringError::Checksum(_) => AddressError::Checksum,
            _ => AddressError::Malformed { expected: expected.unwrap_or(address_prefix()).to_string() },
        })
    })?;
    let found = checked.hrp().as_str().to_ascii_lowercase();
    if let Some(expected) = expected {
        if found != expected {
            return Err(fail(AddressError::WrongPrefix { found, expected: expected.to_string() }));
        }
    }
    let characters = checked.data_part_ascii_no_checksum().len();
    if characters != DATA_CHARACTERS {
        return Err(fail(AddressError::WrongLength { characters }));
    }
    let mut out = [0u8; ADDRESS_LEN];
    for (slot, byte) in out.iter_mut().zip(checked.byte_iter()) {
        *slot = byte;
    }
    Ok((Address(out), AddressForm::Bech32))
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, state) = written_prefix();
        write_bech32(f, prefix, state, &self.0)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl FromStr for Address {
    type Err = ParseAddressError;

    /// bech32 with the process's prefix (any prefix if it has none), or 40 hex characters.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::parse_with_form(s).map(|(address, _)| address)
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <String as Deserialize>::deserialize(deserializer)?;
        s.parse::<Address>().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
