//! The two key-file formats, and the encryption of the second.
//!
//! - `test` backend, unencrypted (the format of every key before encryption existed):
//!   `{name, algorithm, address, public_key, secret_key}`, the secret key being the ed25519
//!   seed in hex.
//! - `file` backend, version 1: the same public fields in clear, the seed encrypted with
//!   XChaCha20-Poly1305 under a key Argon2id derives from the passphrase:
//!
//! ```json
//! { "version": 1, "name": "alice", "algorithm": "ed25519",
//!   "address": "<prefix>1…", "public_key": "<64 hex>",
//!   "kdf": { "algorithm": "argon2id", "version": 19, "memory_kib": 65536,
//!            "iterations": 3, "parallelism": 1, "salt": "<32 hex>" },
//!   "cipher": { "algorithm": "xchacha20poly1305", "nonce": "<48 hex>",
//!               "ciphertext": "<96 hex: 32-byte seed + 16-byte tag>" } }
//! ```
//!
//! The associated data binds the ciphertext to the address and public key, so a file whose
//! clear fields were swapped does not decrypt. The name is not bound: `keys import` may rename.

use anyhow::{anyhow, bail, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use conclave_core::Address;

/// The encrypted format's version this binary writes and reads.
pub(crate) const VERSION: u32 = 1;

/// Argon2id cost. The default follows RFC 9106's second recommendation in memory (64 MiB)
/// and iterations (3), with one lane: a fraction of a second per signature on a laptop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// What new keys use.
    pub const DEFAULT: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };
    /// The most a key file may ask for (4 GiB, 64 passes, 16 lanes): an imported file cannot
    /// make the CLI allocate without bound.
    const MAX: KdfParams = KdfParams { memory_kib: 4 * 1024 * 1024, iterations: 64, parallelism: 16 };
}

/// An unencrypted key file (`test` backend).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlainKeyFile {
    pub(crate) name: String,
    pub(crate) algorithm: String,
    pub(crate) address: Address,
    pub(crate) public_key: String,
    pub(crate) secret_key: String,
}

impl Drop for PlainKeyFile {
    fn drop(&mut self) {
        self.secret_key.zeroize();
    }
}

/// An encrypted key file (`file` backend), version [`VERSION`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncryptedKeyFile {
    pub(crate) version: u32,
    pub(crate) name: String,
    pub(crate) algorithm: String,
    pub(crate) address: Address,
    pub(crate) public_key: String,
    pub(crate) kdf: Kdf,
    pub(crate) cipher: Cipher,
}

/// How the encryption key is derived from the passphrase.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Kdf {
    algorithm: String,
    version: u32,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
}

/// The encrypted seed.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cipher {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

/// Either format, told apart by `version` (the unencrypted one has none).
pub(crate) enum KeyFile {
    Plain(PlainKeyFile),
    Encrypted(EncryptedKeyFile),
}

#[derive(Deserialize)]
struct Probe {
    version: Option<u32>,
}

impl KeyFile {
    /// Parses a key file's text; `what` names it in errors (a path, or "the file to import").
    pub(crate) fn parse(text: &str, what: &str) -> Result<KeyFile> {
        let probe: Probe = serde_json::from_str(text).map_err(|e| anyhow!("{what} is not a key file: {e}"))?;
        match probe.version {
            None => serde_json::from_str(text)
                .map(KeyFile::Plain)
                .map_err(|e| anyhow!("{what} is not a key file: {e}")),
            Some(VERSION) => serde_json::from_str(text)
                .map(KeyFile::Encrypted)
                .map_err(|e| anyhow!("{what} is not a key file: {e}")),
            Some(other) => bail!(
                "{what} is a key file of version {other}, which this binary does not read (it reads version {VERSION}); use a newer binary"
            ),
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            KeyFile::Plain(f) => &f.name,
            KeyFile::Encrypted(f) => &f.name,
        }
    }

    pub(crate) fn address(&self) -> Address {
        match self {
            KeyFile::Plain(f) => f.address,
            KeyFile::Encrypted(f) => f.address,
        }
    }

    pub(crate) fn public_key(&self) -> &str {
        match self {
            KeyFile::Plain(f) => &f.public_key,
            KeyFile::Encrypted(f) => &f.public_key,
        }
    }

    /// The file's JSON text, one trailing newline.
    pub(crate) fn to_text(&self) -> Result<Zeroizing<String>> {
        let mut text = Zeroizing::new(match self {
            KeyFile::Plain(f) => serde_json::to_string_pretty(f)?,
            KeyFile::Encrypted(f) => serde_json::to_string_pretty(f)?,
        });
        text.push('\n');
        Ok(text)
    }
}

/// Why an encrypted file did not open.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecryptError {
    /// The tag did not verify: a wrong passphrase, or an altered file (indistinguishable).
    WrongPassphrase,
    /// A field is malformed (bad hex, unknown algorithm, out-of-bounds parameters).
    Malformed(String),
}

fn aad(address: &Address, public_key: &str) -> Vec<u8> {
    format!("conclave-key-v{VERSION} {address} {}", public_key.to_lowercase()).into_bytes()
}

fn cipher_key(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<Zeroizing<[u8; 32]>, DecryptError> {
    let max = KdfParams::MAX;
    if params.memory_kib > max.memory_kib || params.iterations > max.iterations || params.parallelism > max.parallelism
    {
        return Err(DecryptError::Malformed(format!("kdf parameters {params:?} exceed {max:?}")));
    }
    let argon_params = Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32))
        .map_err(|e| DecryptError::Malformed(format!("kdf parameters {params:?}: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut *key)
        .map_err(|e| DecryptError::Malformed(format!("argon2id: {e}")))?;
    Ok(key)
}

/// Encrypts `seed` (whose public half is `public_key`) under `passphrase`, fresh salt and nonce.
pub(crate) fn encrypt(
    name: &str,
    address: Address,
    public_key: &str,
    seed: &[u8; 32],
    passphrase: &str,
    params: KdfParams,
) -> Result<EncryptedKeyFile> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("cannot get randomness from the OS: {e}"))?;
    getrandom::fill(&mut nonce).map_err(|e| anyhow!("cannot get randomness from the OS: {e}"))?;
    let key = cipher_key(passphrase, &salt, params).map_err(|e| anyhow!("cannot derive the encryption key: {e:?}"))?;
    let aad = aad(&address, public_key);
    let ciphertext = XChaCha20Poly1305::new((&*key).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: seed, aad: &aad })
        .map_err(|_| anyhow!("cannot encrypt the key"))?;
    Ok(EncryptedKeyFile {
        version: VERSION,
        name: name.to_string(),
        algorithm: "ed25519".into(),
        address,
        public_key: public_key.to_string(),
        kdf: Kdf { algorithm: "argon2id".into(), version: 0x13, params, salt: hex::encode(salt) },
        cipher: Cipher {
            algorithm: "xchacha20poly1305".into(),
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
        },
    })
}

/// The seed in `file`, if `passphrase` opens it.
pub(crate) fn decrypt(file: &EncryptedKeyFile, passphrase: &str) -> Result<Zeroizing<[u8; 32]>, DecryptError> {
    let malformed = |what: &str| DecryptError::Malformed(what.to_string());
    if file.kdf.algorithm != "argon2id" || file.kdf.version != 0x13 {
        return Err(malformed("the kdf must be argon2id version 19"));
    }
    if file.cipher.algorithm != "xchacha20poly1305" {
        return Err(malformed("the cipher must be xchacha20poly1305"));
    }
    let salt = hex::decode(&file.kdf.salt).map_err(|_| malformed("kdf.salt is not hex"))?;
    let nonce: [u8; 24] = hex::decode(&file.cipher.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| malformed("cipher.nonce must be 48 hex characters"))?;
    let ciphertext = hex::decode(&file.cipher.ciphertext).map_err(|_| malformed("cipher.ciphertext is not hex"))?;
    let key = cipher_key(passphrase, &salt, file.kdf.params)?;
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new((&*key).into())
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload { msg: &ciphertext, aad: &aad(&file.address, &file.public_key) },
            )
            .map_err(|_| DecryptError::WrongPassphrase)?,
    );
    let mut seed = Zeroizing::new([0u8; 32]);
    if plain.len() != seed.len() {
        return Err(malformed("the decrypted key is not 32 bytes"));
    }
    seed.copy_from_slice(&plain);
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: the format and the cipher are what these tests check.
    const FAST: KdfParams = KdfParams { memory_kib: 64, iterations: 1, parallelism: 1 };

    fn sample() -> (Address, String, [u8; 32]) {
        let seed = [7u8; 32];
        let public = ed25519_consensus::SigningKey::from(seed).verification_key().to_bytes();
        (Address::from_public_key(&public), hex::encode(public), seed)
    }

    #[test]
    fn encrypt_then_decrypt_gives_the_seed_back() {
        let (address, public_key, seed) = sample();
        let file = encrypt("alice", address, &public_key, &seed, "correct horse", FAST).unwrap();
        assert_eq!(*decrypt(&file, "correct horse").unwrap(), seed);
        // Fresh salt and nonce each time.
        let again = encrypt("alice", address, &public_key, &seed, "correct horse", FAST).unwrap();
        assert_ne!(again.kdf.salt, file.kdf.salt);
        assert_ne!(again.cipher.nonce, file.cipher.nonce);
        assert_ne!(again.cipher.ciphertext, file.cipher.ciphertext);
        // The text parses back.
        let text = KeyFile::Encrypted(file).to_text().unwrap();
        let KeyFile::Encrypted(parsed) = KeyFile::parse(&text, "it").unwrap() else { panic!("not encrypted") };
        assert_eq!(*decrypt(&parsed, "correct horse").unwrap(), seed);
    }

    #[test]
    fn a_wrong_passphrase_does_not_decrypt() {
        let (address, public_key, seed) = sample();
        let file = encrypt("alice", address, &public_key, &seed, "correct horse", FAST).unwrap();
        assert_eq!(decrypt(&file, "correct horsE").unwrap_err(), DecryptError::WrongPassphrase);
        assert_eq!(decrypt(&file, "").unwrap_err(), DecryptError::WrongPassphrase);
    }

    #[test]
    fn tampering_is_detected() {
        let (address, public_key, seed) = sample();
        let file = encrypt("alice", address, &public_key, &seed, "pw-pw-pw-pw", FAST).unwrap();
        // One flipped bit in the ciphertext, the tag, or the nonce.
        let flip = |hex_text: &str, at: usize| {
            let mut bytes = hex::decode(hex_text).unwrap();
            bytes[at] ^= 1;
            hex::encode(bytes)
        };
        for at in [0, 31, 32, 47] {
            let mut bad = file.clone();
            bad.cipher.ciphertext = flip(&file.cipher.ciphertext, at);
            assert_eq!(decrypt(&bad, "pw-pw-pw-pw").unwrap_err(), DecryptError::WrongPassphrase, "byte {at}");
        }
        let mut bad = file.clone();
        bad.cipher.nonce = flip(&file.cipher.nonce, 3);
        assert_eq!(decrypt(&bad, "pw-pw-pw-pw").unwrap_err(), DecryptError::WrongPassphrase);
        // The clear fields are bound too: another key's address or public key.
        let other = ed25519_consensus::SigningKey::from([8u8; 32]).verification_key().to_bytes();
        let mut bad = file.clone();
        bad.address = Address::from_public_key(&other);
        assert_eq!(decrypt(&bad, "pw-pw-pw-pw").unwrap_err(), DecryptError::WrongPassphrase);
        let mut bad = file.clone();
        bad.public_key = hex::encode(other);
        assert_eq!(decrypt(&bad, "pw-pw-pw-pw").unwrap_err(), DecryptError::WrongPassphrase);
        // Cheaper kdf parameters give another key.
        let mut bad = file.clone();
        bad.kdf.params.iterations = 2;
        assert_eq!(decrypt(&bad, "pw-pw-pw-pw").unwrap_err(), DecryptError::WrongPassphrase);
        // A renamed file still opens.
        let mut renamed = file.clone();
        renamed.name = "bob".into();
        assert_eq!(*decrypt(&renamed, "pw-pw-pw-pw").unwrap(), seed);
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        let (address, public_key, seed) = sample();
        let file = encrypt("alice", address, &public_key, &seed, "pw-pw-pw-pw", FAST).unwrap();
        let mut bad = file.clone();
        bad.kdf.params.memory_kib = u32::MAX;
        assert!(matches!(decrypt(&bad, "pw-pw-pw-pw"), Err(DecryptError::Malformed(_))));
        let mut bad = file.clone();
        bad.cipher.algorithm = "aes-256-gcm".into();
        assert!(matches!(decrypt(&bad, "pw-pw-pw-pw"), Err(DecryptError::Malformed(_))));
        let text = KeyFile::Encrypted(file).to_text().unwrap().replace("\"version\": 1", "\"version\": 2");
        let err = KeyFile::parse(&text, "k.json").err().unwrap().to_string();
        assert!(err.contains("version 2") && err.contains("newer binary"), "{err}");
        assert!(KeyFile::parse("{}", "k.json").is_err());
        assert!(KeyFile::parse("[1]", "k.json").is_err());
    }
}
