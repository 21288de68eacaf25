//! One scenario on the in-process test chain: register, vote, set votes, redelegate,
//! undelegate, cancel, slash, activate, and let the queue pay out. The test chain checks bank
//! and staking invariants after every block; this test also checks supply and stakes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_core::{Address, Event};
use conclave_staking::query::{CandidateInfo, Page, Pools, Preflight, VoteInfo};
use conclave_testkit::{TestAccount, TestChain};
use conclave_voting::VoteTarget;

fn send(chain: &mut TestChain<TestApp>, who: &TestAccount, msg: Msg) -> conclave_runtime::TxResult {
    let tx = chain.sign(who, vec![msg]);
    chain.deliver(tx)
}

fn ok(result: conclave_runtime::TxResult) -> Vec<Event> {
    assert!(result.is_ok(), "tx failed: {} {} {}", result.codespace, result.code, result.log);
    result.events
}

fn kinds(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

fn vote_set(chain: &TestChain<TestApp>, who: &Address) -> Vec<VoteInfo> {
    chain.query_json("staking/vote_set", &serde_json::json!({ "delegator": who })).unwrap()
}

#[test]
fn full_lifecycle() {
    let (mut chain, acc) = chain(&["val1", "val2", "alice", "bob"]);
    let (v1, v2, alice, bob) = (&acc[0], &acc[1], &acc[2], &acc[3]);
    chain.produce_empty_blocks(1);
    let supply0 = supply_of(&chain);

    let register = |key: u8, bond: u128| {
        Msg::Staking(conclave_staking::Msg::RegisterCandidate {
            consensus_key: cons_key(key),
            commission: commission(),
            description: description("v"),
            self_bond: bond,
        })
    };
    let events = ok(send(&mut chain, v1, register(1, 10_000)));
    assert_eq!(kinds(&events)[1..], ["staking.candidate_registered", "bank.transfer", "staking.bond"]);
    ok(send(&mut chain, v2, register(2, 20_000)));
    // The same consensus key again: refused (code 4), fee kept.
    let r = send(&mut chain, alice, register(2, 20_000));
    assert_eq!((r.codespace.as_str(), r.code), ("staking", 4));

    // Alice votes for both, then rebalances with set_votes.
    ok(send(&mut chain, alice, Msg::Voting(conclave_voting::Msg::Vote { candidate: v1.address, amount: 5_000 })));
    ok(send(
        &mut chain,
        alice,
        Msg::Voting(conclave_voting::Msg::SetVotes {
            votes: vec![
                VoteTarget { candidate: v1.address, amount: 2_000 },
                VoteTarget { candidate: v2.address, amount: 4_000 },
            ],
        }),
    ));
    let set = vote_set(&chain, &alice.address);
    let amounts: Vec<u128> = set.iter().map(|v| v.tokens).collect();
    let mut expected = [(v1.address, 2_000), (v2.address, 4_000)];
    expected.sort();
    assert_eq!(set.iter().map(|v| v.candidate).collect::<Vec<_>>(), expected.iter().map(|e| e.0).collect::<Vec<_>>());
    assert_eq!(amounts, expected.iter().map(|e| e.1).collect::<Vec<_>>());

    // The 3 000 that moved v1 → v2 arrived by a pending redelegation: it cannot move on.
    let pre: Preflight = chain
        .query_json(
            "voting/can_redelegate",
            &serde_json::json!({ "delegator": alice.address, "source": v2.address, "destination": v1.address, "amount": "4000" }),
        )
        .unwrap();
    assert!(!pre.allowed);
    assert_eq!((pre.codespace.as_str(), pre.code), ("staking", 16));
    assert!(pre.earliest_time.is_some());
    // ... but 1 000 (bonded fresh) can.
    ok(send(
        &mut chain,
        alice,
        Msg::Voting(conclave_voting::Msg::Redelegate { source: v2.address, destination: v1.address, amount: 1_000 }),
    ));

    // Bob delegates and undelegates; then cancels half.
    ok(send(&mut chain, bob, Msg::Voting(conclave_voting::Msg::Vote { candidate: v2.address, amount: 8_000 })));
    ok(send(&mut chain, bob, Msg::Voting(conclave_voting::Msg::Undelegate { candidate: v2.address, amount: 6_000 })));
    let unb: Vec<conclave_staking::UnbondingEntry> =
        chain.query_json("staking/unbondings", &serde_json::json!({ "delegator": bob.address })).unwrap();
    assert_eq!(unb.len(), 1);
    ok(send(&mut chain, bob, Msg::Voting(conclave_voting::Msg::CancelUnbonding { id: unb[0].id, amount: 3_000 })));

    // Activate v2, then slash it 10 % for an infraction at the current height.
    ok(send(&mut chain, v1, Msg::Hook(Hook::SetActive { candidate: v2.address })));
    let pools: Pools = chain.query_json("staking/pools", &serde_json::json!({})).unwrap();
    let v2_info: CandidateInfo =
        chain.query_json("staking/candidate", &serde_json::json!({ "candidate": v2.address })).unwrap();
    assert_eq!(pools.bonded, v2_info.candidate.tokens);
    let height = chain.next_height();
    let before = supply_of(&chain);
    let events = ok(send(
        &mut chain,
        v1,
        Msg::Hook(Hook::Slash { candidate: v2.address, infraction_height: height, numerator: 1, denominator: 10 }),
    ));
    let burned: u128 = events
        .iter()
        .filter(|e| e.kind == "bank.burn")
        .map(|e| e.attribute("amount").unwrap().parse::<u128>().unwrap())
        .sum();
    assert!(burned > 0);
    assert_eq!(supply_of(&chain), before - burned);

    // By power, v2 (bonded, larger) comes first.
    let page: Page<CandidateInfo, serde_json::Value> =
        chain.query_json("staking/candidates_by_power", &serde_json::json!({ "limit": 1 })).unwrap();
    assert_eq!(page.items[0].candidate.operator, v2.address);
    assert!(page.next.is_some());

    // Past the unbonding period the queue pays Bob his remaining 3 000 (less the slash).
    let bob_before = balance(&chain.runtime_state(), &bob.address);
    chain.advance_time(200 * 1_000_000_000);
    chain.produce_empty_blocks(2);
    assert!(balance(&chain.runtime_state(), &bob.address) > bob_before);
    let unb: Vec<conclave_staking::UnbondingEntry> =
        chain.query_json("staking/unbondings", &serde_json::json!({ "delegator": bob.address })).unwrap();
    assert!(unb.is_empty());
    // Nothing but fees and the slash changed the supply.
    assert_eq!(supply_of(&chain), supply0 - burned);
}

fn supply_of(chain: &TestChain<TestApp>) -> u128 {
    let coin: conclave_core::Coin = chain.query_json("bank/supply", &serde_json::json!({ "denom": "stake" })).unwrap();
    coin.amount
}

trait RuntimeState {
    fn runtime_state(&self) -> conclave_runtime::layer::Committed;
}

impl RuntimeState for TestChain<TestApp> {
    fn runtime_state(&self) -> conclave_runtime::layer::Committed {
        conclave_runtime::layer::Committed(self.runtime().store().latest())
    }
}
