//! Keys from a BIP39 mnemonic: 24 English words → BIP39 seed (no BIP39 passphrase) →
//! SLIP-0010 ed25519 derivation along [`DERIVATION_PATH`], all levels hardened (SLIP-0010
//! defines only hardened derivation for ed25519).
//!
//! SLIP-0010 is a dozen lines of HMAC-SHA512, written here rather than taken from a crate:
//! the crates that offer it are small, rarely released, or pull another ed25519
//! implementation; the spec's test vector 1 checks this one.

use anyhow::{anyhow, Result};
use bip39::{Language, Mnemonic};
use hmac::{Hmac, Mac};
use sha2::Sha512;
use zeroize::Zeroizing;

/// SLIP-0044 coin type of the derivation path: 118, the Cosmos coin type (see docs/cli.md,
/// "Keys").
pub const COIN_TYPE: u32 = 118;

/// The path every key is derived at, printed as it is written in wallets.
pub const DERIVATION_PATH: &str = "m/44'/118'/0'/0'/0'";

/// [`DERIVATION_PATH`]'s indices, each hardened by [`derive_ed25519`].
const PATH: [u32; 5] = [44, COIN_TYPE, 0, 0, 0];

/// Words of a new mnemonic (256 bits of entropy).
pub const WORDS: usize = 24;

const HARDENED: u32 = 0x8000_0000;

/// A new 24-word mnemonic from the OS's randomness.
pub fn generate_mnemonic() -> Result<Mnemonic> {
    let mut entropy = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *entropy).map_err(|e| anyhow!("cannot get randomness from the OS: {e}"))?;
    Mnemonic::from_entropy_in(Language::English, &*entropy).map_err(|e| anyhow!("cannot make a mnemonic: {e}"))
}

/// Parses an English mnemonic of 12 to 24 words; case and spacing are free. The error never
/// repeats the words.
pub fn parse_mnemonic(text: &str) -> Result<Mnemonic> {
    let words: Zeroizing<Vec<String>> = Zeroizing::new(text.split_whitespace().map(str::to_lowercase).collect());
    let joined = Zeroizing::new(words.join(" "));
    Mnemonic::parse_in_normalized(Language::English, &joined).map_err(|e| anyhow!("invalid mnemonic: {e}"))
}

/// The ed25519 seed (secret key) of `mnemonic` at [`DERIVATION_PATH`].
pub fn mnemonic_key(mnemonic: &Mnemonic) -> Zeroizing<[u8; 32]> {
    let seed = Zeroizing::new(mnemonic.to_seed_normalized(""));
    derive_ed25519(&*seed, &PATH).0
}

/// SLIP-0010 ed25519: the key and chain code at `path` (every index hardened) from `seed`.
pub(crate) fn derive_ed25519(seed: &[u8], path: &[u32]) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let (mut key, mut chain_code) = split(hmac_sha512(b"ed25519 seed", &[seed]));
    for index in path {
        let hardened = (index | HARDENED).to_be_bytes();
        (key, chain_code) = split(hmac_sha512(&*chain_code, &[&[0u8], &*key, &hardened]));
    }
    (key, chain_code)
}

fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> Zeroizing<[u8; 64]> {
    // HMAC takes keys of any length: new_from_slice cannot fail.
    let mut mac = match Hmac::<Sha512>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    for part in parts {
        mac.update(part);
    }
    let mut out = Zeroizing::new([0u8; 64]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

fn split(bytes: Zeroizing<[u8; 64]>) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>) {
    let (mut left, mut right) = (Zeroizing::new([0u8; 32]), Zeroizing::new([0u8; 32]));
    left.copy_from_slice(&bytes[..32]);
    right.copy_from_slice(&bytes[32..]);
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SLIP-0010, "Test vector 1 for ed25519" (seed 000102…0f): every level's chain code and
    /// private key, and the last level's public key.
    #[test]
    fn slip10_test_vector_1_for_ed25519() {
        let seed = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let levels: [(&[u32], &str, &str); 6] = [
            (
                &[],
                "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
                "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
            ),
            (
                &[0],
                "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
                "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
            ),
            (
                &[0, 1],
                "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
                "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
            ),
            (
                &[0, 1, 2],
                "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c",
                "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
            ),
            (
                &[0, 1, 2, 2],
                "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
                "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
            ),
            (
                &[0, 1, 2, 2, 1_000_000_000],
                "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230",
                "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
            ),
        ];
        for (path, chain_code, private_key) in levels {
            let (key, code) = derive_ed25519(&seed, path);
            assert_eq!(hex::encode(*code), chain_code, "chain code at {path:?}");
            assert_eq!(hex::encode(*key), private_key, "private key at {path:?}");
        }
        let (key, _) = derive_ed25519(&seed, &[0, 1, 2, 2, 1_000_000_000]);
        let public = ed25519_consensus::SigningKey::from(*key).verification_key().to_bytes();
        // The spec prints ed25519 public keys with a leading 00 byte.
        assert_eq!(hex::encode(public), "3c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a");
    }

    #[test]
    fn mnemonics_are_24_words_and_parse_back_to_the_same_key() {
        let mnemonic = generate_mnemonic().unwrap();
        assert_eq!(mnemonic.word_count(), WORDS);
        let text = mnemonic.to_string();
        let shouted = format!("  {}\n", text.to_uppercase().replace(' ', "   "));
        assert_eq!(*mnemonic_key(&parse_mnemonic(&shouted).unwrap()), *mnemonic_key(&mnemonic));
        assert_ne!(*mnemonic_key(&generate_mnemonic().unwrap()), *mnemonic_key(&mnemonic));
    }

    #[test]
    fn a_known_mnemonic_gives_a_fixed_key() {
        // BIP39's all-zero 256-bit mnemonic, with no BIP39 passphrase. The key was computed
        // independently (PBKDF2 and HMAC-SHA512 from Python's standard library): a change of
        // path, coin type or seed step would change every user's recovered key.
        let words = ["abandon"; 23].join(" ") + " art";
        let mnemonic = parse_mnemonic(&words).unwrap();
        assert_eq!(hex::encode(&mnemonic.to_seed_normalized("")[..16]), "408b285c123836004f4b8842c89324c1");
        assert_eq!(
            hex::encode(*mnemonic_key(&mnemonic)),
            "3bc1e4ddfeaa9e1279e07664c003088ad9576bf39e6386911c8e7017865ce8b4"
        );
    }

    #[test]
    fn bad_mnemonics_are_refused_without_echoing_them() {
        let words = ["abandon"; 24].join(" ");
        let err = parse_mnemonic(&words).unwrap_err().to_string();
        assert!(err.starts_with("invalid mnemonic"), "{err}");
        assert!(!err.contains("abandon"), "{err}");
        assert!(parse_mnemonic("abandon zebra-ish").is_err());
    }
}
