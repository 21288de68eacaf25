//! Export the state as a genesis document, start a new chain from it: the new chain's genesis
//! app hash equals the exporting chain's app hash. Invalid genesis documents are refused with
//! a message saying what to fix.

mod common;

use appchain::AppChain;
use common::*;
use conclave_runtime::RuntimeError;
use conclave_testkit::{TestChain, TxOptions};

#[test]
fn export_then_import_reproduces_the_root() {
    let mut chain = chain();
    let accounts = accounts();
    for round in 0..5u64 {
        let txs = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                a.sign("test-chain", round, vec![send(&accounts[(i + 1) % 4], 10 + i as u128)], &TxOptions::default())
            })
            .collect();
        chain.produce_block(txs);
    }
    let exported = chain.export_genesis();
    let app_state = serde_json::to_vec(&exported).unwrap();
    let imported = TestChain::builder(AppChain::default(), Default::default()).build_with_app_state(app_state).unwrap();
    assert_eq!(imported.genesis_app_hash(), chain.app_hash());
    // Nonces survive the export: the next transaction of each account must use nonce 5.
    let mut imported = imported;
    let tx = accounts[0].sign("test-chain", 5, vec![send(&accounts[1], 1)], &TxOptions::default());
    assert!(imported.deliver(tx).is_ok());
}

fn refused(app_state: &str) -> String {
    let result =
        TestChain::builder(AppChain::default(), Default::default()).build_with_app_state(app_state.as_bytes().to_vec());
    match result {
        Err(RuntimeError::Genesis(message)) => message,
        Err(other) => panic!("expected a genesis error, got {other:?}"),
        Ok(_) => panic!("genesis {app_state} was accepted"),
    }
}

#[test]
fn invalid_genesis_documents_are_refused_with_a_reason() {
    assert!(refused("{").contains("app_state"));
    assert!(refused(r#"{"unknown": 1}"#).contains("unknown field"));
    // A partial params object is refused (every field is required, so nothing is silently defaulted).
    assert!(refused(r#"{"runtime": {"params": {"fee_denom": "stake"}}}"#).contains("missing field"));
    let bad_denom = r#"{"runtime": {"params": {"max_tx_bytes": 65536, "max_messages": 32, "max_memo_bytes": 256,
        "max_tx_gas": 10000000, "max_block_gas": 100000000, "fee_denom": "X",
        "min_gas_price": {"numerator": "1", "denominator": "1000"},
        "gas": {"tx_base": 1, "tx_byte": 1, "signature": 1, "read": 1, "read_byte": 1, "write": 1, "write_byte": 1, "event": 1}}}}"#;
    assert!(refused(bad_denom).contains("fee_denom"));
    let zero_balance = r#"{"app": {"bank": {"balances": [{"address": "0000000000000000000000000000000000000001", "coins": [{"denom": "stake", "amount": "0"}]}]}}}"#;
    let message = refused(zero_balance);
    // Named as this process writes addresses (bech32), whatever form the file used.
    let one = conclave_core::Address(std::array::from_fn(|i| u8::from(i == 19)));
    assert!(message.contains(&one.to_string()), "{message}");
}

/// Candidates registered at genesis and by transactions, votes from genesis and from
/// transactions, an undelegation and a redelegation in flight: the export lists them, and
/// importing it reproduces the root.
#[test]
fn export_then_import_reproduces_candidates_and_votes() {
    let accounts = accounts();
    let mut genesis = genesis(&accounts);
    genesis.app.staking.registrations.push(conclave_staking::GenesisRegistration {
        operator: accounts[0].address,
        consensus_key: cons_key(100),
        commission: conclave_staking::CommissionRates {
            rate_ppb: 100_000_000,
            max_rate_ppb: 200_000_000,
            max_change_rate_ppb: 10_000_000,
        },
        description: conclave_staking::Description { moniker: "alice".into(), ..Default::default() },
        self_bond: 5_000_000,
    });
    genesis.app.voting.votes.push(conclave_voting::GenesisVote {
        delegator: accounts[2].address,
        candidate: accounts[0].address,
        amount: 3_000_000,
    });
    let mut chain = TestChain::builder(AppChain::default(), genesis).build();
    let (alice, bob, carol, dave) = (&accounts[0], &accounts[1], &accounts[2], &accounts[3]);
    let ok = |r: conclave_runtime::TxResult| assert_eq!(r.code, 0, "{}/{}: {}", r.codespace, r.code, r.log);
    let tx = chain.sign(bob, vec![register(101, "bob", 2_000_000)]);
    ok(chain.deliver(tx));
    let tx = chain.sign(dave, vec![voting(conclave_voting::Msg::Vote { candidate: bob.address, amount: 4_000_000 })]);
    ok(chain.deliver(tx));
    let undelegate = conclave_voting::Msg::Undelegate { candidate: alice.address, amount: 1_000_000 };
    let redelegate =
        conclave_voting::Msg::Redelegate { source: alice.address, destination: bob.address, amount: 500_000 };
    // Two stake moves, each settling rewards first: more than the default 200,000 gas.
    let options = TxOptions { gas_limit: 400_000, fee: conclave_core::Coin::new("stake", 400), ..TxOptions::default() };
    let tx = carol.sign("test-chain", chain.nonce(carol), vec![voting(undelegate), voting(redelegate)], &options);
    ok(chain.deliver(tx));
    chain.produce_block(vec![chain.sign(alice, vec![send(bob, 7)])]);

    let exported = chain.export_genesis();
    let staking = &exported["app"]["staking"];
    // alice and bob, and the fixtures' genesis validator; their self-bonds, carol and dave.
    assert_eq!(staking["candidates"].as_array().map(Vec::len), Some(3), "{staking}");
    assert_eq!(staking["vote_sets"].as_array().map(Vec::len), Some(5), "{staking}");
    assert_eq!(staking["unbondings"].as_array().map(Vec::len), Some(1), "{staking}");
    assert_eq!(staking["redelegations"].as_array().map(Vec::len), Some(1), "{staking}");
    let mut imported = TestChain::builder(AppChain::default(), Default::default())
        .build_with_app_state(serde_json::to_vec(&exported).unwrap())
        .unwrap();
    assert_eq!(imported.genesis_app_hash(), chain.app_hash());
    // The imported chain answers the same stake.
    imported.produce_empty_blocks(1);
    let votes: serde_json::Value =
        imported.query_json("staking/vote_set", &serde_json::json!({ "delegator": carol.address })).unwrap();
    assert_eq!(votes.as_array().map(Vec::len), Some(2), "{votes}");
}

/// An export taken right after the end-block that brought a new key into the validator set
/// (its updates sign from two heights later) runs on after import, both at the next height
/// and restarted at height 1: the imported chain's first block is signed by InitChain's set,
/// and slashing judges its commit against that set (before the fix, the commit of the first
/// imported block named a key rotation's history did not hold there, and the node stopped
/// with slashing code 9).
#[test]
fn an_export_with_a_new_validator_key_in_flight_runs_on_after_import() {
    let accounts = accounts();
    let mut chain = chain();
    let bob = &accounts[1];
    let tx = chain.sign(bob, vec![register(101, "bob", 2_000_000)]);
    assert_eq!(chain.deliver(tx).code, 0);
    let mut joined = false;
    for _ in 0..2 * conclave_rotation::Params::default().epoch_length {
        let response = chain.produce_block(Vec::new());
        if response.validator_updates.iter().any(|u| u.pub_key == cons_key(101) && u.power > 0) {
            joined = true;
            break;
        }
    }
    assert!(joined, "bob's key never joined the set");
    let height = chain.height();
    let app_state = serde_json::to_vec(&chain.export_genesis()).unwrap();
    for initial_height in [height + 1, 1] {
        let mut imported = TestChain::builder(AppChain::default(), Default::default())
            .chain_id(chain.chain_id())
            .initial_height(initial_height)
            .genesis_time(chain.time())
            .check_invariants(true)
            .build_with_app_state(app_state.clone())
            .unwrap();
        assert_eq!(imported.genesis_app_hash(), chain.app_hash());
        for _ in 0..3 {
            let request = imported.next_block();
            let at = request.height;
            let signers = request.last_commit.votes.len();
            imported.try_produce_block_with(request).unwrap_or_else(|e| {
                panic!("imported at {initial_height} (export of {height}), block {at} ({signers} signers) fails: {e}")
            });
        }
        let set: serde_json::Value =
            imported.query_json("rotation/validators_at", &serde_json::json!({ "height": initial_height })).unwrap();
        assert!(set.to_string().contains(&conclave_core::state::hex(&cons_key(101))), "{set}");
    }
}

/// A genesis vote for a candidate nobody registered is refused, naming the vote.
#[test]
fn genesis_votes_need_registered_candidates() {
    let accounts = accounts();
    let mut genesis = genesis(&accounts);
    genesis.app.voting.votes.push(conclave_voting::GenesisVote {
        delegator: accounts[1].address,
        candidate: accounts[0].address,
        amount: 1_000_000,
    });
    let app_state = serde_json::to_vec(&genesis).unwrap();
    let result = TestChain::builder(AppChain::default(), Default::default()).build_with_app_state(app_state);
    match result {
        Err(RuntimeError::Genesis(message)) => assert!(message.contains("votes[0]"), "{message}"),
        Err(other) => panic!("expected a genesis error, got {other:?}"),
        Ok(_) => panic!("a vote for an unregistered candidate was accepted"),
    }
}
