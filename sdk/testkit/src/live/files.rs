//! The files of a node home the harness reads and edits (the layout `conclave-node` writes):
//! `config/genesis.json`, `config/config.toml`, `config/app.toml`, `keys/<name>.json`,
//! `config/priv_validator_key.json`.

use std::path::Path;

use base64::Engine as _;
use ed25519_consensus::SigningKey;
use serde_json::Value;

use conclave_core::Address;

use crate::TestAccount;

/// Edits a TOML file in place (comments kept).
pub fn edit_toml(path: &Path, edit: impl FnOnce(&mut toml_edit::DocumentMut)) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut doc: toml_edit::DocumentMut =
        text.parse().unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    edit(&mut doc);
    std::fs::write(path, doc.to_string()).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A JSON file.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A home's `config/genesis.json`.
pub fn genesis(home: &Path) -> Value {
    read_json(&home.join("config/genesis.json"))
}

/// An account key file written by `<chain> keys add` / `init` / `localnet`
/// (`{"name","algorithm","address","public_key","secret_key"}`, the secret key being the
/// ed25519 seed in hex), as a signer.
pub fn read_key(path: &Path) -> TestAccount {
    let file = read_json(path);
    let seed: [u8; 32] = file["secret_key"]
        .as_str()
        .and_then(|hex| hex::decode(hex).ok())
        .and_then(|bytes| bytes.try_into().ok())
        .unwrap_or_else(|| panic!("{}: secret_key is not 64 hex characters", path.display()));
    let key = SigningKey::from(seed);
    let public_key = key.verification_key().to_bytes();
    let address = Address::from_public_key(&public_key);
    assert_eq!(
        file["address"].as_str().and_then(|text| text.parse::<Address>().ok()),
        Some(address),
        "{}: address {} does not match the key",
        path.display(),
        file["address"]
    );
    let name = file["name"].as_str().unwrap_or_else(|| panic!("{}: no name", path.display())).to_string();
    TestAccount { name, key, public_key, address }
}

/// A node's consensus key as its `priv_validator_key.json` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusKey {
    /// CometBFT's validator address (upper-case hex), as `/validators` prints it.
    pub address: String,
    /// The ed25519 public key (32 bytes).
    pub pub_key: Vec<u8>,
}

impl ConsensusKey {
    /// Reads a `priv_validator_key.json`.
    pub fn read(path: &Path) -> ConsensusKey {
        let file = read_json(path);
        assert_eq!(file["pub_key"]["type"], "tendermint/PubKeyEd25519", "{}: not an ed25519 key", path.display());
        let pub_key = file["pub_key"]["value"]
            .as_str()
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .filter(|key| key.len() == 32)
            .unwrap_or_else(|| panic!("{}: pub_key.value is not a base64 ed25519 key", path.display()));
        let address = file["address"].as_str().unwrap_or_else(|| panic!("{}: no address", path.display()));
        ConsensusKey { address: address.to_uppercase(), pub_key }
    }

    /// The public key as 64 hex characters (what `--consensus-key` and staking's key queries
    /// take).
    pub fn hex(&self) -> String {
        hex::encode(&self.pub_key)
    }
}
