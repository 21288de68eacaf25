//! The chain's state machine in process (no CometBFT, no network): a genesis made the way
//! `init` and `localnet` make it, then a transfer and a vote, with every module's invariants
//! checked after each block by the test chain. Start here when you add a module: give it a
//! test like these.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use appchain::{AppChain, Genesis, GenesisValidator, Msg, DENOM};
use conclave_core::Coin;
use conclave_runtime::{GenesisState, RuntimeGenesis, RuntimeParams};
use conclave_testkit::{TestAccount, TestChain, TxOptions};
use serde_json::json;

const FUNDS: u128 = 1_000_000_000_000;
const SELF_BOND: u128 = 100_000_000;

struct Fixture {
    chain: TestChain<AppChain>,
    alice: TestAccount,
    bob: TestAccount,
    validator: TestAccount,
}

/// One validator, alice and bob funded in the chain's denomination.
fn fixture() -> Fixture {
    let (alice, bob, validator) =
        (TestAccount::named("alice"), TestAccount::named("bob"), TestAccount::named("validator"));
    let consensus_key = ed25519_consensus::SigningKey::from([7u8; 32]).verification_key().to_bytes();
    let balances: Vec<_> = [&alice, &bob, &validator].iter().map(|a| (a.address, FUNDS)).collect();
    let app = Genesis::for_network(DENOM, &balances).with_validators(
        &[GenesisValidator { operator: validator.address, consensus_key, moniker: "v".into(), self_bond: SELF_BOND }],
        10,
    );
    let runtime = RuntimeGenesis {
        params: RuntimeParams { fee_denom: DENOM.into(), ..RuntimeParams::default() },
        ..RuntimeGenesis::default()
    };
    let mut chain = TestChain::builder(AppChain::default(), GenesisState { runtime, app }).build();
    chain.produce_empty_blocks(1);
    Fixture { chain, alice, bob, validator }
}

fn sign(chain: &TestChain<AppChain>, from: &TestAccount, msg: Msg) -> Vec<u8> {
    let options = TxOptions { fee: Coin::new(DENOM, 400), gas_limit: 400_000, ..TxOptions::default() };
    from.sign(chain.chain_id(), chain.nonce(from), vec![msg], &options)
}

fn balance(chain: &TestChain<AppChain>, who: &TestAccount) -> u128 {
    let coin: Coin = chain.query_json("bank/balance", &json!({ "address": who.address, "denom": DENOM })).unwrap();
    coin.amount
}

#[test]
fn a_transfer_moves_funds_and_charges_the_fee() {
    let Fixture { mut chain, alice, bob, .. } = fixture();
    let send = Msg::Bank(conclave_bank::Msg::Send { to: bob.address, amount: Coin::new(DENOM, 1_000) });
    let result = chain.deliver(sign(&chain, &alice, send));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(balance(&chain, &alice), FUNDS - 1_000 - 400);
    assert_eq!(balance(&chain, &bob), FUNDS + 1_000);
}

#[test]
fn a_vote_bonds_stake_to_the_validator() {
    let Fixture { mut chain, bob, validator, .. } = fixture();
    let vote = Msg::Voting(conclave_voting::Msg::Vote { candidate: validator.address, amount: 5_000_000 });
    let result = chain.deliver(sign(&chain, &bob, vote));
    assert!(result.is_ok(), "{result:?}");
    let candidate: serde_json::Value =
        chain.query_json("staking/candidate", &json!({ "candidate": validator.address })).unwrap();
    assert_eq!(candidate["candidate"]["tokens"], (SELF_BOND + 5_000_000).to_string());
}

#[test]
fn an_unknown_message_tag_is_refused_with_its_code() {
    let Fixture { mut chain, alice, .. } = fixture();
    // A transaction whose one message has tag 200, which no module has.
    let options = TxOptions { fee: Coin::new(DENOM, 400), gas_limit: 400_000, ..TxOptions::default() };
    let tx = alice.sign(chain.chain_id(), chain.nonce(&alice), vec![(200u8, 0u8)], &options);
    let result = chain.deliver(tx);
    assert_eq!((result.codespace.as_str(), result.code), ("tx", 3), "{result:?}");
}
