//! Account keys: one JSON file per key, `DIR/NAME.json`, mode 0600, in a 0700 folder.
//!
//! Two backends ([`Backend`]), told apart per file by its format ([`file`]):
//! - `file` (the default): the ed25519 seed encrypted with XChaCha20-Poly1305 under an
//!   Argon2id key from a passphrase ([`Passphrase`]); name, address and public key in
//!   clear, so listing and showing keys needs no passphrase;
//! - `test`: the seed in clear, for local networks and tests only; using it prints a warning.
//!
//! New keys come from a 24-word BIP39 mnemonic ([`hd`]), shown once by `keys add`; the same
//! words give the same key with `keys add --recover`. A folder remembers the backend its
//! first key was written with (`keyring.config.json`), so `localnet`'s folders stay `test`
//! without a flag.

pub mod file;
pub mod hd;
pub mod passphrase;

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use ed25519_consensus::SigningKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use conclave_core::address::{Address, AddressForm};

use crate::args::{parse_key_name, KeyringArgs};
use file::{DecryptError, EncryptedKeyFile, KdfParams, KeyFile, PlainKeyFile};
pub use passphrase::{Passphrase, PASSPHRASE_ENV};

/// What `keys show` prints: the public part of a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// The key's name.
    pub name: String,
    /// Its account address.
    pub address: Address,
    /// Its ed25519 public key, hex.
    pub public_key: String,
}

/// How new keys are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Encrypted under a passphrase.
    File,
    /// Unencrypted: local networks and tests only.
    Test,
}

impl Backend {
    /// `file` or `test`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::File => "file",
            Backend::Test => "test",
        }
    }
}

/// A key just created, with the words that restore it.
pub struct NewKey {
    /// Its public part.
    pub info: KeyInfo,
    /// The 24-word mnemonic (shown once; not stored).
    pub mnemonic: Zeroizing<String>,
}

/// A key folder's settings file.
const CONFIG_FILE: &str = "keyring.config.json";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FolderConfig {
    backend: Backend,
}

/// A folder of key files.
#[derive(Clone, Debug)]
pub struct Keyring {
    dir: PathBuf,
    backend: Backend,
    passphrase: Passphrase,
    kdf: KdfParams,
}

/// One test-backend warning per process is enough.
static WARNED: AtomicBool = AtomicBool::new(false);

/// The warning `test` keys print on stderr.
pub fn test_backend_warning(dir: &Path) -> String {
    format!(
        "warning: keyring backend \"test\": the keys in {} are stored unencrypted; use it for local networks and tests only",
        dir.display()
    )
}

impl Keyring {
    /// The key folder at `dir`: `backend` if given, else the folder's own (from its first
    /// key), else [`Backend::File`].
    pub fn open(dir: PathBuf, backend: Option<Backend>, passphrase: Passphrase) -> Result<Self> {
        let backend = match backend {
            Some(backend) => backend,
            None => folder_backend(&dir)?.unwrap_or(Backend::File),
        };
        Ok(Self { dir, backend, passphrase, kdf: KdfParams::DEFAULT })
    }

    /// A `test` keyring at `dir` (local networks, tests): unencrypted keys.
    pub fn test(dir: PathBuf) -> Self {
        Self { dir, backend: Backend::Test, passphrase: Passphrase::Ask, kdf: KdfParams::DEFAULT }
    }

    /// `--keyring-dir`, else `--home`/keys; `--keyring-backend`, `--keyring-passphrase-file`.
    pub fn from_args(args: &KeyringArgs) -> Result<Self> {
        let dir = match &args.keyring_dir {
            Some(dir) => crate::absolute(dir)?,
            None => {
                let home = match &args.home {
                    Some(home) => crate::absolute(home)?,
                    None => crate::absolute(&crate::chain::default_home()?)?,
                };
                home.join("keys")
            }
        };
        let passphrase = Passphrase::from_file_arg(args.protection.keyring_passphrase_file.as_ref());
        Self::open(dir, args.protection.keyring_backend, passphrase)
    }

    /// The same keyring with other Argon2id costs for new keys (tests use cheap ones).
    pub fn with_kdf(mut self, kdf: KdfParams) -> Self {
        self.kdf = kdf;
        self
    }

    /// The key folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How new keys are written.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The file of key `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// Creates key `name` from a new 24-word mnemonic. Fails if the name is taken.
    pub fn add(&self, name: &str) -> Result<NewKey> {
        self.check_new_name(name)?;
        let mnemonic = hd::generate_mnemonic()?;
        let info = self.write_seed(name, &hd::mnemonic_key(&mnemonic))?;
        Ok(NewKey { info, mnemonic: Zeroizing::new(mnemonic.to_string()) })
    }

    /// Creates key `name` from an existing mnemonic (12 to 24 English words).
    pub fn recover(&self, name: &str, mnemonic: &str) -> Result<KeyInfo> {
        self.check_new_name(name)?;
        let mnemonic = hd::parse_mnemonic(mnemonic)?;
        self.write_seed(name, &hd::mnemonic_key(&mnemonic))
    }

    /// Stores the key file `text` (as `keys export` prints it, or an unencrypted one) as key
    /// `name`. An encrypted file must open with its passphrase and keeps it (`file`
    /// backend); an unencrypted one is encrypted under a new passphrase (`file`) or kept
    /// as it is (`test`).
    pub fn import(&self, name: &str, text: &str) -> Result<KeyInfo> {
        self.check_new_name(name)?;
        let what = "the file to import";
        match KeyFile::parse(text, what)? {
            KeyFile::Plain(plain) => {
                let (_, key) = open_plain(&plain, what)?;
                self.write_seed(name, key.as_bytes())
            }
            KeyFile::Encrypted(mut encrypted) => {
                let passphrase = self.passphrase.existing(name)?;
                let key = open_encrypted(&encrypted, &passphrase, name, what)?;
                match self.backend {
                    Backend::Test => self.write_seed(name, key.as_bytes()),
                    Backend::File => {
                        encrypted.name = name.to_string();
                        let info = info_of(name, &key);
                        self.write_file(name, &KeyFile::Encrypted(encrypted))?;
                        Ok(info)
                    }
                }
            }
        }
    }

    /// The key file's text, as it is on disk (encrypted for the `file` backend; no mnemonic).
    pub fn export(&self, name: &str) -> Result<Zeroizing<String>> {
        let (file, _) = self.read(name)?;
        if let KeyFile::Plain(_) = file {
            self.warn_test();
        }
        file.to_text()
    }

    /// Deletes key `name`; returns what it was.
    pub fn delete(&self, name: &str) -> Result<KeyInfo> {
        let info = self.info(name)?;
        let path = self.path(name);
        std::fs::remove_file(&path).with_context(|| format!("cannot delete {}", path.display()))?;
        Ok(info)
    }

    fn check_new_name(&self, name: &str) -> Result<()> {
        parse_key_name(name).map_err(|e| anyhow!("invalid key name {name:?}: {e}"))?;
        if self.path(name).exists() {
            bail!("a key named {name:?} already exists in {}; choose another name", self.dir.display());
        }
        Ok(())
    }

    /// Writes `seed` as key `name` with this keyring's backend.
    fn write_seed(&self, name: &str, seed: &[u8; 32]) -> Result<KeyInfo> {
        let info = info_of(name, &SigningKey::from(*seed));
        let file = match self.backend {
            Backend::Test => {
                self.warn_test();
                KeyFile::Plain(PlainKeyFile {
                    name: name.to_string(),
                    algorithm: "ed25519".into(),
                    address: info.address,
                    public_key: info.public_key.clone(),
                    secret_key: hex::encode(seed),
                })
            }
            Backend::File => {
                let passphrase = self.passphrase.new_key(name)?;
                KeyFile::Encrypted(file::encrypt(name, info.address, &info.public_key, seed, &passphrase, self.kdf)?)
            }
        };
        self.write_file(name, &file)?;
        Ok(info)
    }

    fn write_file(&self, name: &str, file: &KeyFile) -> Result<()> {
        self.ensure_dir()?;
        let path = self.path(name);
        let mut out = match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!("a key named {name:?} already exists in {}; choose another name", self.dir.display())
            }
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        };
        out.write_all(file.to_text()?.as_bytes())
            .and_then(|()| out.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Creates the folder (0700) and, on its first key, records the backend.
    fn ensure_dir(&self) -> Result<()> {
        if !self.dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .with_context(|| format!("cannot create key folder {}", self.dir.display()))?;
        }
        let config = self.dir.join(CONFIG_FILE);
        if !config.exists() {
            let text = serde_json::to_string(&FolderConfig { backend: self.backend })? + "\n";
            std::fs::write(&config, text).with_context(|| format!("cannot write {}", config.display()))?;
        }
        Ok(())
    }

    fn warn_test(&self) {
        if !WARNED.swap(true, Ordering::Relaxed) {
            crate::say!("{}", test_backend_warning(&self.dir));
        }
    }

    /// The names of the keys, sorted.
    pub fn names(&self) -> Result<Vec<String>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("cannot read key folder {}", self.dir.display())),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read key folder {}", self.dir.display()))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".json")) else { continue };
            if parse_key_name(name).is_ok() {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Every key's public part, by name (no passphrase needed).
    pub fn list(&self) -> Result<Vec<KeyInfo>> {
        self.names()?.iter().map(|name| self.info(name)).collect()
    }

    /// The public part of key `name`, from the file's clear fields (no passphrase needed).
    pub fn info(&self, name: &str) -> Result<KeyInfo> {
        let (file, _) = self.read(name)?;
        Ok(KeyInfo { name: name.to_string(), address: file.address(), public_key: file.public_key().to_lowercase() })
    }

    /// The key `name`, decrypted (asking for its passphrase if it is encrypted).
    pub fn get(&self, name: &str) -> Result<(KeyInfo, Zeroizing<SigningKey>)> {
        let (file, path) = self.read(name)?;
        let what = path.display().to_string();
        let key = match &file {
            KeyFile::Plain(plain) => {
                self.warn_test();
                open_plain(plain, &what)?.1
            }
            KeyFile::Encrypted(encrypted) => {
                let passphrase = self.passphrase.existing(name)?;
                open_encrypted(encrypted, &passphrase, name, &what)?
            }
        };
        Ok((info_of(name, &key), key))
    }

    /// The parsed file of key `name`; an unknown name's error lists the known ones.
    fn read(&self, name: &str) -> Result<(KeyFile, PathBuf)> {
        let path = self.path(name);
        if parse_key_name(name).is_err() || !path.is_file() {
            let names = self.names().unwrap_or_default();
            let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
            bail!(
                "no key named {name:?} in {} (known keys: {known}); create it with `{} keys add {name} --keyring-dir {}` or pick a known one",
                self.dir.display(),
                crate::chain::description().binary,
                self.dir.display()
            );
        }
        let text =
            Zeroizing::new(std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?);
        if let Ok(meta) = std::fs::metadata(&path) {
            if meta.permissions().mode() & 0o077 != 0 {
                crate::say!(
                    "warning: {} is readable by other users; run `chmod 600 {}`",
                    path.display(),
                    path.display()
                );
            }
        }
        let file = KeyFile::parse(&text, &path.display().to_string())?;
        if file.name() != name {
            tracing::debug!(file = file.name(), name, "key file renamed by hand");
        }
        Ok((file, path))
    }

    /// `text` as an address, or as the name of a key here (no passphrase needed). A hex
    /// address is accepted with a note (it has no checksum); bech32 that fails its checksum
    /// or names another chain's prefix is refused with that reason, not taken for a key name.
    pub fn resolve_address(&self, text: &str) -> Result<Address> {
        let parsed = Address::parse_with_form(text);
        match &parsed {
            Ok((address, AddressForm::Bech32)) => return Ok(*address),
            Ok((address, AddressForm::Hex)) => {
                crate::say!("note: {text} is a hex address (no checksum); this chain writes it as {address}");
                return Ok(*address);
            }
            Err(e) if looks_like_bech32(text) => bail!("{e}"),
            Err(_) => {}
        }
        if parse_key_name(text).is_ok() && self.path(text).is_file() {
            return Ok(self.info(text)?.address);
        }
        let names = self.names().unwrap_or_default();
        let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        bail!(
            "{text:?} is neither an address ({}1…) nor a key in {} (known keys: {known})",
            conclave_core::address::address_prefix(),
            self.dir.display()
        )
    }
}

/// Whether `text` is meant as bech32: the process's prefix and the separator, or (in any
/// case) longer than a key name could sensibly be with a `1` separator after a prefix.
fn looks_like_bech32(text: &str) -> bool {
    let prefix = conclave_core::address::address_prefix();
    let lower = text.to_ascii_lowercase();
    lower.starts_with(&format!("{prefix}1")) || (lower.len() >= 39 && lower.rfind('1').is_some_and(|i| i > 0))
}

/// The backend a folder recorded, if it did.
fn folder_backend(dir: &Path) -> Result<Option<Backend>> {
    let path = dir.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str::<FolderConfig>(&text).map(|c| Some(c.backend)).with_context(|| {
            format!("{} is not a keyring config ({{\"backend\": \"file\"|\"test\"}})", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn info_of(name: &str, key: &SigningKey) -> KeyInfo {
    let public_key = key.verification_key().to_bytes();
    KeyInfo {
        name: name.to_string(),
        address: Address::from_public_key(&public_key),
        public_key: hex::encode(public_key),
    }
}

/// The clear fields must be the key's: a file edited by hand is refused.
fn check_matches(key: &SigningKey, algorithm: &str, address: Address, public_key: &str, what: &str) -> Result<()> {
    let info = info_of("", key);
    if algorithm != "ed25519" || info.address != address || info.public_key != public_key.to_lowercase() {
        bail!("{what}: the address or public key does not match the secret key; the file is damaged");
    }
    Ok(())
}

fn open_plain(file: &PlainKeyFile, what: &str) -> Result<(KeyInfo, Zeroizing<SigningKey>)> {
    let bytes = Zeroizing::new(hex::decode(&file.secret_key).unwrap_or_default());
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        bytes.as_slice().try_into().map_err(|_| anyhow!("{what}: secret_key must be 64 hex characters"))?,
    );
    let key = Zeroizing::new(SigningKey::from(*seed));
    check_matches(&key, &file.algorithm, file.address, &file.public_key, what)?;
    Ok((info_of(&file.name, &key), key))
}

fn open_encrypted(file: &EncryptedKeyFile, passphrase: &str, name: &str, what: &str) -> Result<Zeroizing<SigningKey>> {
    let seed = match file::decrypt(file, passphrase) {
        Ok(seed) => seed,
        Err(DecryptError::WrongPassphrase) => bail!("wrong passphrase for key {name:?}"),
        Err(DecryptError::Malformed(why)) => bail!("{what}: {why}; the file is damaged"),
    };
    let key = Zeroizing::new(SigningKey::from(*seed));
    check_matches(&key, &file.algorithm, file.address, &file.public_key, what)?;
    Ok(key)
}

#[cfg(test)]
mod tests;
