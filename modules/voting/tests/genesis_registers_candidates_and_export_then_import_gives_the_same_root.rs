//! Genesis: candidates and votes given at genesis are registered and bonded; after a busy
//! chain (entries, redelegations, slashes, history) export then import gives the same root.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_core::Address;
use conclave_runtime::{GenesisState, RuntimeGenesis};
use conclave_staking::query::{CandidateInfo, VoteInfo};
use conclave_staking::GenesisRegistration;
use conclave_testkit::{TestAccount, TestChain};
use conclave_voting::{GenesisVote, Msg as VMsg, VoteTarget};

#[test]
fn genesis_candidates_and_votes_then_export_import_same_root() {
    let accounts: Vec<TestAccount> = ["v1", "v2", "alice", "bob"].iter().map(|n| TestAccount::named(n)).collect();
    let addrs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
    let mut app_genesis = genesis(&addrs);
    app_genesis.staking.registrations = (0..2)
        .map(|i| GenesisRegistration {
            operator: addrs[i],
            consensus_key: cons_key(i as u8 + 1),
            commission: commission(),
            description: description("genesis"),
            self_bond: 50_000,
        })
        .collect();
    app_genesis.voting.votes = vec![GenesisVote { delegator: addrs[2], candidate: addrs[0], amount: 7_000 }];
    let g = GenesisState { runtime: RuntimeGenesis::default(), app: app_genesis };
    let mut chain = TestChain::builder(TestApp::default(), g).build();
    chain.produce_empty_blocks(1);
    let info: CandidateInfo =
        chain.query_json("staking/candidate", &serde_json::json!({ "candidate": addrs[0] })).unwrap();
    assert_eq!((info.candidate.tokens, info.self_bond), (57_000, 50_000));
    let votes: Vec<VoteInfo> =
        chain.query_json("staking/vote_set", &serde_json::json!({ "delegator": addrs[2] })).unwrap();
    assert_eq!(votes[0].tokens, 7_000);

    let (alice, bob) = (&accounts[2], &accounts[3]);
    let txs = vec![
        chain.sign(
            bob,
            vec![Msg::Voting(VMsg::SetVotes {
                votes: vec![
                    VoteTarget { candidate: addrs[0], amount: 3_000 },
                    VoteTarget { candidate: addrs[1], amount: 4_000 },
                ],
            })],
        ),
        chain.sign(
            alice,
            vec![Msg::Voting(VMsg::Redelegate { source: addrs[0], destination: addrs[1], amount: 2_000 })],
        ),
    ];
    chain.produce_block(txs);
    let tx = chain.sign(alice, vec![Msg::Voting(VMsg::Undelegate { candidate: addrs[1], amount: 500 })]);
    assert!(chain.deliver(tx).is_ok());
    let h = chain.next_height();
    let tx = chain.sign(
        &accounts[0],
        vec![Msg::Hook(Hook::Slash { candidate: addrs[0], infraction_height: h - 1, numerator: 1, denominator: 20 })],
    );
    assert!(chain.deliver(tx).is_ok());
    let tx = chain.sign(&accounts[1], vec![Msg::Hook(Hook::SetActive { candidate: addrs[1] })]);
    assert!(chain.deliver(tx).is_ok());
    let tx = chain
        .sign(&accounts[0], vec![Msg::Staking(conclave_staking::Msg::RotateConsensusKey { new_key: cons_key(9) })]);
    assert!(chain.deliver(tx).is_ok());

    let exported = chain.export_genesis();
    let app_state = serde_json::to_vec(&exported).unwrap();
    let imported = TestChain::builder(TestApp::default(), Default::default()).build_with_app_state(app_state).unwrap();
    assert_eq!(imported.genesis_app_hash(), chain.app_hash());
    // The re-imported export exports the same document.
    let mut imported = imported;
    imported.produce_empty_blocks(1);
    let again = imported.export_genesis();
    assert_eq!(again["app"]["staking"]["candidates"], exported["app"]["staking"]["candidates"]);
    assert_eq!(again["app"]["staking"]["unbondings"], exported["app"]["staking"]["unbondings"]);
}

#[test]
fn an_inconsistent_genesis_is_refused() {
    let accounts: Vec<TestAccount> = ["v1"].iter().map(|n| TestAccount::named(n)).collect();
    let mut app_genesis = genesis(&[accounts[0].address]);
    let mut registration = GenesisRegistration {
        operator: accounts[0].address,
        consensus_key: cons_key(1),
        commission: commission(),
        description: description("g"),
        self_bond: 5,
    };
    app_genesis.staking.registrations = vec![registration.clone()];
    let g = GenesisState { runtime: RuntimeGenesis::default(), app: app_genesis.clone() };
    let app_state = serde_json::to_vec(&g).unwrap();
    let err = TestChain::builder(TestApp::default(), Default::default()).build_with_app_state(app_state).err().unwrap();
    assert!(err.to_string().contains("registrations[0]"), "{err}");
    // A candidate record whose tokens no pool holds.
    registration.self_bond = 5_000;
    app_genesis.staking.registrations = vec![];
    let mut record_chain = TestChain::builder(
        TestApp::default(),
        GenesisState {
            runtime: RuntimeGenesis::default(),
            app: {
                let mut a = app_genesis.clone();
                a.staking.registrations = vec![registration];
                a
            },
        },
    )
    .build();
    record_chain.produce_empty_blocks(1);
    let mut exported = record_chain.export_genesis();
    exported["app"]["bank"]["balances"] = serde_json::json!([]);
    exported["app"]["bank"]["supply"] = serde_json::Value::Null;
    exported["app"]["bank"]["issuance"] = serde_json::json!([]);
    let err = TestChain::builder(TestApp::default(), Default::default())
        .build_with_app_state(serde_json::to_vec(&exported).unwrap())
        .err()
        .unwrap();
    assert!(err.to_string().contains("pool"), "{err}");
}
