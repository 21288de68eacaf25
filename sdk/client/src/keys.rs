//! Account keys: one JSON file per key, `DIR/NAME.json`, mode 0600, in a 0700 folder.
//!
//! ```json
//! { "name": "alice", "algorithm": "ed25519", "address": "<40 hex>",
//!   "public_key": "<64 hex>", "secret_key": "<64 hex: the ed25519 seed>" }
//! ```
//! The secret key is stored unencrypted: these keys are for development networks.

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use ed25519_consensus::SigningKey;
use serde::{Deserialize, Serialize};

use conclave_core::Address;

use crate::args::{parse_key_name, KeyringArgs};

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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    name: String,
    algorithm: String,
    address: Address,
    public_key: String,
    secret_key: String,
}

/// A folder of key files.
#[derive(Clone, Debug)]
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    /// The key folder at `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// `--keyring-dir`, else `--home`/keys.
    pub fn from_args(args: &KeyringArgs) -> Result<Self> {
        match &args.keyring_dir {
            Some(dir) => Ok(Self::new(crate::absolute(dir)?)),
            None => {
                let home = match &args.home {
                    Some(home) => crate::absolute(home)?,
                    None => crate::absolute(&crate::chain::default_home()?)?,
                };
                Ok(Self::new(home.join("keys")))
            }
        }
    }

    /// The key folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    /// Creates a new random key `name`. Fails if the name is taken.
    pub fn add(&self, name: &str) -> Result<KeyInfo> {
        parse_key_name(name).map_err(|e| anyhow!("invalid key name {name:?}: {e}"))?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow!("cannot get randomness from the OS: {e}"))?;
        self.add_seed(name, seed)
    }

    fn add_seed(&self, name: &str, seed: [u8; 32]) -> Result<KeyInfo> {
        self.ensure_dir()?;
        let key = SigningKey::from(seed);
        let public_key = key.verification_key().to_bytes();
        let info = KeyInfo {
            name: name.to_string(),
            address: Address::from_public_key(&public_key),
            public_key: hex::encode(public_key),
        };
        let file = KeyFile {
            name: name.to_string(),
            algorithm: "ed25519".into(),
            address: info.address,
            public_key: info.public_key.clone(),
            secret_key: hex::encode(key.as_bytes()),
        };
        let path = self.path(name);
        let mut out = match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                bail!("a key named {name:?} already exists in {}; choose another name", self.dir.display())
            }
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        };
        let mut text = serde_json::to_string_pretty(&file)?;
        text.push('\n');
        out.write_all(text.as_bytes())
            .and_then(|()| out.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(info)
    }

    fn ensure_dir(&self) -> Result<()> {
        if !self.dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .with_context(|| format!("cannot create key folder {}", self.dir.display()))?;
        }
        Ok(())
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

    /// Every key's public part, by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>> {
        self.names()?.iter().map(|name| self.get(name).map(|(info, _)| info)).collect()
    }

    /// The key `name`; an unknown name's error lists the known ones.
    pub fn get(&self, name: &str) -> Result<(KeyInfo, SigningKey)> {
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
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if let Ok(meta) = std::fs::metadata(&path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!("{} is readable by other users; run `chmod 600 {}`", path.display(), path.display());
            }
        }
        let file: KeyFile =
            serde_json::from_str(&text).with_context(|| format!("{} is not a key file", path.display()))?;
        let seed: [u8; 32] = hex::decode(&file.secret_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow!("{}: secret_key must be 64 hex characters", path.display()))?;
        let key = SigningKey::from(seed);
        let public_key = key.verification_key().to_bytes();
        let address = Address::from_public_key(&public_key);
        if file.algorithm != "ed25519"
            || address != file.address
            || hex::encode(public_key) != file.public_key.to_lowercase()
        {
            bail!("{}: the address or public key does not match the secret key; the file is damaged", path.display());
        }
        Ok((KeyInfo { name: name.to_string(), address, public_key: hex::encode(public_key) }, key))
    }

    /// `text` as an address, or as the name of a key here.
    pub fn resolve_address(&self, text: &str) -> Result<Address> {
        if let Ok(address) = text.parse::<Address>() {
            return Ok(address);
        }
        if parse_key_name(text).is_ok() && self.path(text).is_file() {
            return Ok(self.get(text)?.0.address);
        }
        let names = self.names().unwrap_or_default();
        let known = if names.is_empty() { "none".to_string() } else { names.join(", ") };
        bail!(
            "{text:?} is neither an address (40 hex characters) nor a key in {} (known keys: {known})",
            self.dir.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_get_list_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(dir.path().join("keys"));
        let alice = keyring.add_seed("alice", [1; 32]).unwrap();
        keyring.add("bob").unwrap();
        assert_eq!(keyring.names().unwrap(), vec!["alice", "bob"]);
        assert_eq!(keyring.get("alice").unwrap().0, alice);
        let mode = std::fs::metadata(dir.path().join("keys/alice.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(dir.path().join("keys")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(keyring.add("alice").unwrap_err().to_string().contains("already exists"));
        let err = keyring.get("carol").unwrap_err().to_string();
        assert!(err.contains("alice, bob"), "{err}");
        assert_eq!(keyring.resolve_address("alice").unwrap(), alice.address);
        assert_eq!(keyring.resolve_address(&alice.address.to_string()).unwrap(), alice.address);
        assert!(keyring.resolve_address("../x").is_err());
    }
}
