//! Account addresses: the first 20 bytes of `blake3` of an ed25519 public key, or of a
//! domain-separated module name for module accounts.

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of an address in bytes.
pub const ADDRESS_LEN: usize = 20;

/// A 20-byte account address, shown as 40 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Default)]
pub struct Address(pub [u8; ADDRESS_LEN]);

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
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One `write_str` of 40 characters from the stack (events format many addresses per
        // block).
        let mut out = [0u8; ADDRESS_LEN * 2];
        hex::encode_to_slice(self.0, &mut out).map_err(|_| fmt::Error)?;
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {input:?}: expected 40 hex characters")]
pub struct ParseAddressError {
    /// The rejected input (truncated to 64 characters).
    pub input: String,
}

impl FromStr for Address {
    type Err = ParseAddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Exactly 40 hex digits of either case (a wrong length is refused by the crate).
        let mut out = [0u8; ADDRESS_LEN];
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseAddressError { input: s.chars().take(64).collect() })?;
        Ok(Self(out))
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
mod tests {
    use super::*;

    #[test]
    fn display_parse_round_trip() {
        let a = Address::from_public_key(&[7u8; 32]);
        let text = a.to_string();
        assert_eq!(text.len(), 40);
        assert_eq!(text.parse::<Address>(), Ok(a));
        assert_eq!(text.to_uppercase().parse::<Address>(), Ok(a));
    }

    #[test]
    fn rejects_bad_text() {
        assert!("xyz".parse::<Address>().is_err());
        assert!("g".repeat(40).parse::<Address>().is_err());
        assert!("0".repeat(42).parse::<Address>().is_err());
    }

    #[test]
    fn module_and_key_addresses_differ() {
        assert_ne!(Address::module("bank"), Address::module("staking"));
        assert_ne!(Address::module("x"), Address::from_public_key(&[0; 32]));
    }
}
