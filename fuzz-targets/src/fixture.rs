//! The small chain the runtime targets run on: the app template's chain with two funded
//! accounts (alice, bob) and one validator, on an in-memory store, invariants checked after
//! every block.

use appchain::{AppChain, Genesis, GenesisValidator};
use borsh::BorshSerialize;
use conclave_bank::genesis::GenesisBalance;
use conclave_core::Coin;
use conclave_runtime::{GenesisState, RuntimeGenesis};
use conclave_testkit::{TestAccount, TestChain, TxOptions};

/// The chain id of [`chain`].
pub const CHAIN_ID: &str = "test-chain";

/// The accounts funded at genesis: alice (who signs the fuzzed messages) and bob.
pub fn accounts() -> [TestAccount; 2] {
    [TestAccount::named("alice"), TestAccount::named("bob")]
}

/// A started chain (InitChain done, no block yet).
pub fn chain() -> TestChain<AppChain> {
    TestChain::builder(AppChain::default(), genesis()).check_invariants(true).build()
}

/// The genesis of [`chain`].
pub fn genesis() -> GenesisState<Genesis> {
    let validator = GenesisValidator {
        operator: TestAccount::named("validator").address,
        consensus_key: ed25519_consensus::SigningKey::from([7u8; 32]).verification_key().to_bytes(),
        moniker: "validator".into(),
        self_bond: 1_000_000,
    };
    let mut balances: Vec<GenesisBalance> = accounts()
        .iter()
        .map(|a| GenesisBalance {
            address: a.address,
            coins: vec![Coin::new("atom", 1_000), Coin::new("stake", 1_000_000_000)],
        })
        .collect();
    balances.push(GenesisBalance { address: validator.operator, coins: vec![Coin::new("stake", validator.self_bond)] });
    let app = Genesis { bank: conclave_bank::Genesis { balances, ..Default::default() }, ..Genesis::default() }
        .with_validators(&[validator], conclave_rotation::Params::default().epoch_length);
    GenesisState { runtime: RuntimeGenesis::default(), app }
}

/// Message bytes taken as they are: borsh-serializes to exactly `self.0`, so a fuzzer's bytes
/// can sit where a message goes in an otherwise valid, signed transaction.
pub struct RawMessage(pub Vec<u8>);

impl BorshSerialize for RawMessage {
    fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(&self.0)
    }
}

/// `message` (already encoded) in a transaction signed by `signer` at `nonce`.
pub fn signed(signer: &TestAccount, nonce: u64, message: Vec<u8>) -> Vec<u8> {
    signer.sign(CHAIN_ID, nonce, vec![RawMessage(message)], &TxOptions::default())
}
