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
    fixture_with(false, None)
}

/// [`fixture`] with alice as the parameter authority if `authority`, on disk in `dir` if
/// given (so the chain can restart under another binary).
fn fixture_with(authority: bool, dir: Option<&std::path::Path>) -> Fixture {
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
        authority: authority.then_some(alice.address),
        ..RuntimeGenesis::default()
    };
    let mut builder = TestChain::builder(AppChain::default(), GenesisState { runtime, app });
    if let Some(dir) = dir {
        builder = builder.on_disk(dir);
    }
    let mut chain = builder.build();
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

#[test]
fn an_upgrade_stops_the_old_binary_and_the_new_one_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let Fixture { mut chain, alice, .. } = fixture_with(true, Some(dir.path()));
    let height = chain.height() + 3;
    let plan = conclave_upgrade::Plan { name: "v2".into(), height, info: "see the release notes".into() };
    let schedule = Msg::Upgrade(conclave_upgrade::Msg::ScheduleUpgrade { plan: plan.clone() });
    let result = chain.deliver(sign(&chain, &alice, schedule));
    assert!(result.is_ok(), "{result:?}");
    let pending: serde_json::Value = chain.query_json("upgrade/plan", &json!({})).unwrap();
    assert_eq!(pending["plan"]["height"], height);
    while chain.next_height() < height {
        chain.produce_empty_blocks(1);
    }

    // The old binary stops at the plan's height, committing nothing; so does a restart of it.
    for _ in 0..2 {
        let err = chain.try_produce_block(Vec::new()).unwrap_err().to_string();
        let expected = format!(
            "UPGRADE \"v2\" NEEDED at height {height} (info: see the release notes): stop this binary and start the \
             version that implements \"v2\" (or, for an upgrade without a state migration, restart with \
             --allow-upgrade v2)"
        );
        assert!(err.contains(&expected), "{err}");
        assert_eq!(chain.info().last_block_height, height - 1);
        chain = chain.reopen();
    }

    // The new binary registers the upgrade: it replays the block, applies the plan, goes on.
    let new_version =
        AppChain { upgrade: appchain::upgrades().with_handler("v2", |_, _| Ok(())), ..AppChain::default() };
    let mut chain = chain.reopen_with(new_version);
    let block = chain.produce_block(Vec::new());
    let applied = block.events.iter().find(|e| e.kind == "upgrade.applied").expect("upgrade.applied");
    assert_eq!(applied.attribute("height"), Some(height.to_string().as_str()));
    assert_eq!(applied.attribute("migrated"), Some("true"));
    chain.produce_empty_blocks(2);
    let answer: serde_json::Value = chain.query_json("upgrade/applied", &json!({ "name": "v2" })).unwrap();
    assert_eq!(answer["height"], height);
    let pending: serde_json::Value = chain.query_json("upgrade/plan", &json!({})).unwrap();
    assert_eq!(pending["plan"], serde_json::Value::Null);
}

#[test]
fn the_authority_spends_from_the_community_pool() {
    let Fixture { mut chain, alice, bob, .. } = fixture_with(true, None);
    chain.produce_empty_blocks(3);
    let pool = |chain: &TestChain<AppChain>| -> u128 {
        let answer: serde_json::Value = chain.query_json("rewards/community_pool", &json!({})).unwrap();
        answer["amount"].as_str().unwrap().parse().unwrap()
    };
    let before = pool(&chain);
    assert!(before > 10, "the community tax filled the pool: {before}");
    let spend = |amount| Msg::Rewards(conclave_rewards::Msg::CommunityPoolSpend { recipient: bob.address, amount });

    let refused = chain.deliver(sign(&chain, &bob, spend(10)));
    assert_eq!((refused.codespace.as_str(), refused.code), ("rewards", 5), "{refused:?}");
    let too_much = chain.deliver(sign(&chain, &alice, spend(u128::from(u64::MAX))));
    assert_eq!((too_much.codespace.as_str(), too_much.code), ("rewards", 11), "{too_much:?}");

    let bob_before = balance(&chain, &bob);
    let paid = chain.deliver(sign(&chain, &alice, spend(10)));
    assert!(paid.is_ok(), "{paid:?}");
    assert!(paid.events.iter().any(|e| e.kind == "rewards.community_pool_spent"), "{paid:?}");
    assert_eq!(balance(&chain, &bob), bob_before + 10);
}
