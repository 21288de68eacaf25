//! Deterministic test accounts and transaction signing.

use borsh::BorshSerialize;
use ed25519_consensus::SigningKey;

use conclave_core::tx::TxBody;
use conclave_core::{Address, Coin};

/// A named account with a key derived from its name, so tests are reproducible.
#[derive(Clone)]
pub struct TestAccount {
    /// The name it was created with.
    pub name: String,
    /// Its signing key.
    pub key: SigningKey,
    /// Its ed25519 public key.
    pub public_key: [u8; 32],
    /// Its address.
    pub address: Address,
}

impl std::fmt::Debug for TestAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestAccount({}, {})", self.name, self.address)
    }
}

impl TestAccount {
    /// The account named `name`: its key is `blake3("conclave-testkit/" ‖ name)`.
    pub fn named(name: &str) -> Self {
        let seed = blake3::hash(format!("conclave-testkit/{name}").as_bytes());
        let key = SigningKey::from(*seed.as_bytes());
        let public_key = key.verification_key().to_bytes();
        Self { name: name.to_string(), key, public_key, address: Address::from_public_key(&public_key) }
    }

    /// Signs `messages` with `options` and returns the encoded transaction.
    pub fn sign<M: BorshSerialize>(
        &self,
        chain_id: &str,
        nonce: u64,
        messages: Vec<M>,
        options: &TxOptions,
    ) -> Vec<u8> {
        let tx = self.body(chain_id, nonce, messages, options).sign(&self.key).expect("messages serialize");
        tx.encode().expect("transaction serializes")
    }

    /// The unsigned body, for tests that tamper with it before signing.
    pub fn body<M>(&self, chain_id: &str, nonce: u64, messages: Vec<M>, options: &TxOptions) -> TxBody<M> {
        TxBody {
            chain_id: options.chain_id.clone().unwrap_or_else(|| chain_id.to_string()),
            signer: self.public_key,
            nonce,
            fee: options.fee.clone(),
            gas_limit: options.gas_limit,
            timeout_height: options.timeout_height,
            memo: options.memo.clone(),
            messages,
        }
    }
}

/// Transaction fields other than the messages and nonce.
#[derive(Clone, Debug)]
pub struct TxOptions {
    /// The fee.
    pub fee: Coin,
    /// The gas limit.
    pub gas_limit: u64,
    /// Optional timeout height.
    pub timeout_height: Option<u64>,
    /// Memo.
    pub memo: String,
    /// A chain id other than the chain's (for rejection tests).
    pub chain_id: Option<String>,
}

impl Default for TxOptions {
    /// 200k gas and a fee of 200 `stake`, enough at the default minimum gas price.
    fn default() -> Self {
        Self {
            fee: Coin::new("stake", 200),
            gas_limit: 200_000,
            timeout_height: None,
            memo: String::new(),
            chain_id: None,
        }
    }
}
