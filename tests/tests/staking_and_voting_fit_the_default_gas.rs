//! Every staking, voting, rotation and rewards message, delivered through the app-template chain,
//! succeeds and uses less gas than `appchaind`'s default `--gas` (so the CLI's defaults work
//! for them);
//! queries are routed by module name; invariants hold after every block (the test chain
//! checks them).

mod common;

use common::*;
use conclave_testkit::TxOptions;
use conclave_voting::{Msg as V, VoteTarget};

/// `appchaind`'s default `--gas` for staking and voting transactions.
const CLI_DEFAULT_GAS: u64 = conclave_staking::cli::MODULE_GAS;

/// The default `--gas` of every `update-params` command.
const UPDATE_PARAMS_GAS: u64 = conclave_client::args::UPDATE_PARAMS_GAS;

/// `appchaind`'s default `--gas` for `tx voting set-votes` with `targets` targets.
fn set_votes_default_gas(targets: u64) -> u64 {
    200_000 + 50_000 * targets
}

#[test]
fn every_message_fits_the_cli_default_gas() {
    let accounts = accounts();
    let mut genesis = genesis(&accounts);
    genesis.runtime.authority = Some(accounts[0].address);
    let mut chain = conclave_testkit::TestChain::builder(appchain::AppChain::default(), genesis).build();
    let (alice, bob, carol, dave) = (&accounts[0], &accounts[1], &accounts[2], &accounts[3]);
    let options =
        TxOptions { gas_limit: 5_000_000, fee: conclave_core::Coin::new("stake", 5_000), ..Default::default() };
    let mut worst = Vec::new();
    let mut run = |chain: &mut conclave_testkit::TestChain<appchain::AppChain>,
                   who: &conclave_testkit::TestAccount,
                   what: &str,
                   msg: appchain::Msg| {
        let tx = who.sign("test-chain", chain.nonce(who), vec![msg], &options);
        let r = chain.deliver(tx);
        assert_eq!(r.code, 0, "{what}: {}/{}: {}", r.codespace, r.code, r.log);
        worst.push((what.to_string(), r.gas_used));
    };
    run(&mut chain, alice, "register", register(1, "alice", 10_000_000));
    run(&mut chain, bob, "register", register(2, "bob", 10_000_000));
    let edit = conclave_staking::Msg::EditCandidate {
        description: Some(conclave_staking::Description { moniker: "alice2".into(), ..Default::default() }),
        commission_rate_ppb: None,
    };
    run(&mut chain, alice, "edit", appchain::Msg::Staking(edit));
    run(
        &mut chain,
        bob,
        "rotate-key",
        appchain::Msg::Staking(conclave_staking::Msg::RotateConsensusKey { new_key: cons_key(3) }),
    );
    run(&mut chain, carol, "vote", voting(V::Vote { candidate: alice.address, amount: 5_000_000 }));
    let targets = vec![
        VoteTarget { candidate: alice.address, amount: 3_000_000 },
        VoteTarget { candidate: bob.address, amount: 4_000_000 },
    ];
    run(&mut chain, carol, "set-votes", voting(V::SetVotes { votes: targets }));
    run(
        &mut chain,
        carol,
        "redelegate",
        voting(V::Redelegate { source: bob.address, destination: alice.address, amount: 1_000_000 }),
    );
    run(&mut chain, carol, "undelegate", voting(V::Undelegate { candidate: alice.address, amount: 1_000_000 }));
    let unbondings: serde_json::Value =
        chain.query_json("staking/unbondings", &serde_json::json!({ "delegator": carol.address })).unwrap();
    let id = unbondings[0]["id"].as_u64().unwrap_or_else(|| panic!("no unbonding: {unbondings}"));
    run(&mut chain, carol, "cancel-unbonding", voting(V::CancelUnbonding { id, amount: 500_000 }));
    run(&mut chain, carol, "unvote", voting(V::Unvote { candidate: bob.address }));
    let staking_params = conclave_staking::Params { max_completions_per_block: 9, ..Default::default() };
    let update = appchain::Msg::Staking(conclave_staking::Msg::UpdateParams { params: staking_params });
    run(&mut chain, alice, "update-params staking", update);
    let update = voting(V::UpdateParams { params: conclave_voting::Params { max_votes: 8, max_entries: 7 } });
    run(&mut chain, alice, "update-params voting", update);
    let rotation_params = appchain::rotation_params(1, conclave_rotation::Params::default().epoch_length);
    let update = appchain::Msg::Rotation(conclave_rotation::Msg::UpdateParams { params: rotation_params });
    run(&mut chain, alice, "update-params rotation", update);
    // Rewards: a voter of the genesis validator claims from it, then from all (one candidate);
    // the validator's operator (given the fee) withdraws its commission.
    let validator = conclave_testkit::TestAccount::named("validator");
    run(&mut chain, dave, "vote", voting(V::Vote { candidate: validator.address, amount: 5_000_000 }));
    let fee_money = chain.sign(bob, vec![send(&validator, 100_000)]);
    assert!(chain.deliver(fee_money).is_ok());
    chain.produce_empty_blocks(3);
    let claim = |candidate| appchain::Msg::Rewards(conclave_rewards::Msg::Claim { candidate });
    run(&mut chain, dave, "claim", claim(Some(validator.address)));
    chain.produce_empty_blocks(3);
    run(&mut chain, dave, "claim all", claim(None));
    run(
        &mut chain,
        &validator,
        "withdraw-commission",
        appchain::Msg::Rewards(conclave_rewards::Msg::WithdrawCommission),
    );
    let update = appchain::Msg::Rewards(conclave_rewards::Msg::UpdateParams { params: Default::default() });
    run(&mut chain, alice, "update-params rewards", update);
    for (what, gas) in &worst {
        eprintln!("{what}: {gas} gas");
        let default = match what.as_str() {
            "set-votes" => set_votes_default_gas(2),
            "claim" | "withdraw-commission" => conclave_rewards::cli::CLAIM_GAS,
            "claim all" => conclave_rewards::cli::CLAIM_GAS + conclave_rewards::cli::CLAIM_GAS_PER_CANDIDATE,
            w if w.starts_with("update-params") => UPDATE_PARAMS_GAS,
            _ => CLI_DEFAULT_GAS,
        };
        // Half the default: room for bigger state (more entries, longer vote sets).
        assert!(*gas <= default / 2, "{what} used {gas} gas: more than half of the CLI default {default}");
    }
    // Queries route by module name.
    let params: serde_json::Value = chain.query_json("voting/params", &serde_json::json!({})).unwrap();
    assert_eq!(params["max_votes"], 8);
    let pools: serde_json::Value = chain.query_json("staking/pools", &serde_json::json!({})).unwrap();
    assert!(pools["unbonded"].as_str().is_some(), "{pools}");
}
