//! Shared fixtures: the app-template chain with funded accounts.
#![allow(unreachable_pub)]
#![allow(dead_code)]

use appchain::{AppChain, Genesis, GenesisValidator, Msg};
use conclave_bank::genesis::GenesisBalance;
use conclave_core::{Address, Coin};
use conclave_runtime::{GenesisState, RuntimeGenesis};
use conclave_testkit::{TestAccount, TestChain, TestChainBuilder};

/// Initial balance of each funded account, in `stake`.
pub const FUNDS: u128 = 1_000_000_000;

/// The accounts funded at genesis.
pub fn accounts() -> Vec<TestAccount> {
    ["alice", "bob", "carol", "dave"].iter().map(|n| TestAccount::named(n)).collect()
}

/// Self-bond of the genesis validator: staking's `min_self_bond`.
pub const VALIDATOR_SELF_BOND: u128 = 1_000_000;

/// The genesis validator every test chain needs (the app refuses a genesis that elects no
/// set): operator `validator`, funded with exactly its self-bond, so its liquid balance is 0
/// and the funded accounts are only [`accounts`].
pub fn genesis_validator() -> GenesisValidator {
    let consensus = ed25519_consensus::SigningKey::from([42u8; 32]);
    GenesisValidator {
        operator: TestAccount::named("validator").address,
        consensus_key: consensus.verification_key().to_bytes(),
        moniker: "validator".into(),
        self_bond: VALIDATOR_SELF_BOND,
    }
}

/// A genesis funding `accounts` with [`FUNDS`] stake and 1000 `atom` each, with
/// [`genesis_validator`] as the only validator.
pub fn genesis(accounts: &[TestAccount]) -> GenesisState<Genesis> {
    let validator = genesis_validator();
    let mut balances: Vec<GenesisBalance> = accounts
        .iter()
        .map(|a| GenesisBalance {
            address: a.address,
            coins: vec![Coin::new("atom", 1_000), Coin::new("stake", FUNDS)],
        })
        .collect();
    balances.push(GenesisBalance { address: validator.operator, coins: vec![Coin::new("stake", validator.self_bond)] });
    let app = Genesis { bank: conclave_bank::Genesis { balances, ..Default::default() }, ..Genesis::default() }
        .with_validators(&[validator], conclave_rotation::Params::default().epoch_length);
    GenesisState { runtime: RuntimeGenesis::default(), app }
}

/// A builder for the app-template chain with the default accounts funded.
pub fn builder() -> TestChainBuilder<AppChain> {
    TestChain::builder(AppChain::default(), genesis(&accounts()))
}

/// A started chain (InitChain done, no block yet).
pub fn chain() -> TestChain<AppChain> {
    builder().build()
}

/// A bank send message.
pub fn send(to: &TestAccount, amount: u128) -> Msg {
    Msg::Bank(conclave_bank::Msg::Send { to: to.address, amount: Coin::new("stake", amount) })
}

/// A bank balance via the query path, as a client sees it.
pub fn balance(chain: &TestChain<AppChain>, address: &Address, denom: &str) -> u128 {
    let coin: Coin = chain
        .query_json("bank/balance", &serde_json::json!({ "address": address, "denom": denom }))
        .expect("balance query succeeds");
    coin.amount
}

/// The fee collector's address.
pub fn fee_collector() -> Address {
    AppChain::default().bank.fee_collector_address()
}

/// A valid ed25519 consensus key derived from `n`.
pub fn cons_key(n: u8) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([n; 32]).verification_key().to_bytes()
}

/// A registration message: 10 % commission (max 20 %, max change 1 %), moniker `name`.
pub fn register(n: u8, name: &str, self_bond: u128) -> Msg {
    Msg::Staking(conclave_staking::Msg::RegisterCandidate {
        consensus_key: cons_key(n),
        commission: conclave_staking::CommissionRates {
            rate_ppb: 100_000_000,
            max_rate_ppb: 200_000_000,
            max_change_rate_ppb: 10_000_000,
        },
        description: conclave_staking::Description { moniker: name.into(), ..Default::default() },
        self_bond,
    })
}

/// A voting message.
pub fn voting(msg: conclave_voting::Msg) -> Msg {
    Msg::Voting(msg)
}
