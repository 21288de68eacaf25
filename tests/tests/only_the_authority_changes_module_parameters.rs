//! Each module's `UpdateParams` on the app-template chain: the genesis authority changes
//! staking's, voting's, rotation's and rewards' parameters; anyone else gets the module's
//! `NotAuthority` code and changes nothing but its fee; fields fixed at genesis are refused;
//! a chain without an authority has frozen parameters; the authority survives an export.

mod common;

use appchain::{AppChain, Msg};
use conclave_runtime::GenesisState;
use conclave_testkit::{TestAccount, TestChain};
use serde_json::{json, Value};

fn chain_with_authority(authority: Option<&TestAccount>) -> TestChain<AppChain> {
    let mut genesis: GenesisState<appchain::Genesis> = common::genesis(&common::accounts());
    genesis.runtime.authority = authority.map(|a| a.address);
    let mut chain = TestChain::builder(AppChain::default(), genesis).build();
    chain.produce_empty_blocks(1); // queries read committed state
    chain
}

fn params(chain: &TestChain<AppChain>, module: &str) -> Value {
    chain.query_json(&format!("{module}/params"), &json!({})).unwrap()
}

/// Delivers `msg` from `signer` in its own block; returns (codespace, code).
fn send(chain: &mut TestChain<AppChain>, signer: &TestAccount, msg: Msg) -> (String, u32) {
    let tx = chain.sign(signer, vec![msg]);
    let result = chain.deliver(tx);
    (result.codespace, result.code)
}

fn staking(params: conclave_staking::Params) -> Msg {
    Msg::Staking(conclave_staking::Msg::UpdateParams { params })
}

fn voting(params: conclave_voting::Params) -> Msg {
    Msg::Voting(conclave_voting::Msg::UpdateParams { params })
}

fn rotation(params: conclave_rotation::Params) -> Msg {
    Msg::Rotation(conclave_rotation::Msg::UpdateParams { params })
}

fn rewards(params: conclave_rewards::Params) -> Msg {
    Msg::Rewards(conclave_rewards::Msg::UpdateParams { params })
}

#[test]
fn the_authority_updates_every_module_and_events_say_so() {
    let accounts = common::accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    let mut chain = chain_with_authority(Some(alice));

    let new_staking = conclave_staking::Params { max_completions_per_block: 77, ..Default::default() };
    assert_eq!(send(&mut chain, alice, staking(new_staking.clone())), (String::new(), 0));
    assert_eq!(params(&chain, "staking"), serde_json::to_value(&new_staking).unwrap());

    let new_voting = conclave_voting::Params { max_votes: 3, max_entries: 2 };
    assert_eq!(send(&mut chain, alice, voting(new_voting.clone())), (String::new(), 0));
    assert_eq!(params(&chain, "voting"), serde_json::to_value(&new_voting).unwrap());

    let old_rotation: conclave_rotation::Params = serde_json::from_value(params(&chain, "rotation")).unwrap();
    let new_rotation = conclave_rotation::Params { max_validators: 9, ..old_rotation };
    let tx = chain.sign(alice, vec![rotation(new_rotation.clone())]);
    let response = chain.produce_block(vec![tx]);
    assert!(response.tx_results[0].is_ok(), "{:?}", response.tx_results[0]);
    let event = response.tx_results[0].events.iter().find(|e| e.kind == "rotation.params_updated").unwrap();
    assert_eq!(event.attribute("authority"), Some(alice.address.to_string().as_str()));
    assert_eq!(params(&chain, "rotation"), serde_json::to_value(&new_rotation).unwrap());

    // The new voting limit binds at once: bob may vote for at most 3 candidates.
    let (codespace, code) = send(
        &mut chain,
        bob,
        Msg::Voting(conclave_voting::Msg::SetVotes {
            votes: (1..=4u8)
                .map(|n| conclave_voting::VoteTarget {
                    candidate: TestAccount::named(&n.to_string()).address,
                    amount: 1,
                })
                .collect(),
        }),
    );
    assert_eq!((codespace.as_str(), code), ("voting", 1), "TooManyVotes under the new max_votes");

    let new_rewards = conclave_rewards::Params { community_tax_ppb: 100_000_000, ..Default::default() };
    let tx = chain.sign(alice, vec![rewards(new_rewards.clone())]);
    let response = chain.produce_block(vec![tx]);
    assert!(response.tx_results[0].is_ok(), "{:?}", response.tx_results[0]);
    assert!(response.tx_results[0].events.iter().any(|e| e.kind == "rewards.params_updated"));
    assert_eq!(params(&chain, "rewards"), serde_json::to_value(&new_rewards).unwrap());
}

#[test]
fn anyone_else_is_refused_with_the_module_code_and_pays_only_the_fee() {
    let accounts = common::accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    let mut chain = chain_with_authority(Some(alice));
    let modules = ["staking", "voting", "rotation", "rewards"];
    let before = modules.map(|m| params(&chain, m));
    let balance = common::balance(&chain, &bob.address, "stake");

    let rotation_params: conclave_rotation::Params = serde_json::from_value(before[2].clone()).unwrap();
    let cases = [
        (staking(Default::default()), "staking", 33),
        (voting(Default::default()), "voting", 9),
        (rotation(rotation_params), "rotation", 6),
        (rewards(Default::default()), "rewards", 5),
    ];
    for (msg, codespace, code) in cases {
        assert_eq!(send(&mut chain, bob, msg), (codespace.to_string(), code));
    }
    assert_eq!(modules.map(|m| params(&chain, m)), before);
    let fees = balance - common::balance(&chain, &bob.address, "stake");
    assert!(fees > 0 && fees < 1_000, "bob paid only fees: {fees}");
}

#[test]
fn fields_fixed_at_genesis_and_invalid_values_are_refused() {
    let accounts = common::accounts();
    let alice = &accounts[0];
    let mut chain = chain_with_authority(Some(alice));
    let rotation_params: conclave_rotation::Params = serde_json::from_value(params(&chain, "rotation")).unwrap();

    let cases = [
        (staking(conclave_staking::Params { bond_denom: "atom".into(), ..Default::default() }), "staking", 34),
        (staking(conclave_staking::Params { power_reduction: 7, ..Default::default() }), "staking", 34),
        (staking(conclave_staking::Params { min_self_bond: 0, ..Default::default() }), "staking", 34),
        (voting(conclave_voting::Params { max_votes: 0, max_entries: 7 }), "voting", 10),
        (
            rotation(conclave_rotation::Params { epoch_length: rotation_params.epoch_length + 1, ..rotation_params }),
            "rotation",
            7,
        ),
        (rotation(conclave_rotation::Params { min_validators: 0, ..rotation_params }), "rotation", 7),
        (rewards(conclave_rewards::Params { inflation_min_ppb: 200_000_000, ..Default::default() }), "rewards", 6),
        (rewards(conclave_rewards::Params { epoch_length: 0, ..Default::default() }), "rewards", 6),
    ];
    for (msg, codespace, code) in cases {
        let label = format!("{msg:?}");
        let (got_space, got_code) = send(&mut chain, alice, msg);
        assert_eq!((got_space.as_str(), got_code), (codespace, code), "{label}");
    }
    assert_eq!(params(&chain, "staking"), serde_json::to_value(conclave_staking::Params::default()).unwrap());
}

#[test]
fn without_an_authority_parameters_are_frozen() {
    let accounts = common::accounts();
    let alice = &accounts[0];
    let mut chain = chain_with_authority(None);
    let (codespace, code) = send(&mut chain, alice, voting(conclave_voting::Params { max_votes: 2, max_entries: 2 }));
    assert_eq!((codespace.as_str(), code), ("voting", 9));
}

#[test]
fn the_authority_is_exported_and_imported() {
    let accounts = common::accounts();
    let chain = chain_with_authority(Some(&accounts[2]));
    let exported = chain.export_genesis();
    assert_eq!(exported["runtime"]["authority"], json!(accounts[2].address));
    let mut again = TestChain::builder(AppChain::default(), serde_json::from_value(exported).unwrap()).build();
    again.produce_empty_blocks(1);
    assert_eq!(again.export_genesis()["runtime"]["authority"], json!(accounts[2].address));
}
