//! Every rejection the issue lists, with its (codespace, code), leaves state and events
//! untouched; and on the test chain a rejected transaction costs only its fee.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_core::{Address, MemoryState};
use conclave_staking::Msg as SMsg;
use conclave_voting::{Msg as VMsg, VoteTarget};

const VAL: u8 = 1;
const VAL2: u8 = 2;
const VAL3: u8 = 3;
const VAL4: u8 = 4;
const ALICE: u8 = 9;

fn setup() -> (TestApp, MemoryState) {
    // Tighter voting limits so the tests stay short.
    let (app, mut state) = memory_with(&[addr(VAL), addr(VAL2), addr(VAL3), addr(VAL4), addr(ALICE)], |g| {
        g.voting.params = conclave_voting::Params { max_votes: 3, max_entries: 2 }
    });
    let b = block(1, 1_000);
    for (i, v) in [VAL, VAL2, VAL3, VAL4].into_iter().enumerate() {
        register(&app, &mut state, &b, addr(v), 50 + i as u8, 10_000).unwrap();
    }
    state.events.clear();
    (app, state)
}

fn vote(app: &TestApp, state: &mut MemoryState, seconds: u64, msg: VMsg) -> Result<(), conclave_voting::VotingError> {
    vote_msg(app, state, &block(2, seconds), addr(ALICE), msg)
}

#[test]
fn unknown_candidate() {
    let (app, mut state) = setup();
    let before = state.clone();
    let r = vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(77), amount: 10 });
    assert_rejected(r, "staking", 1, &state, &before);
    let r = vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(77), amount: 10 });
    assert_rejected(r, "staking", 1, &state, &before);
}

#[test]
fn self_bond_below_minimum() {
    let (app, mut state) = setup();
    let before = state.clone();
    let r = register(&app, &mut state, &block(2, 1_000), addr(ALICE), 60, 999);
    assert_rejected(r, "staking", 3, &state, &before);
}

#[test]
fn reused_or_operator_consensus_key() {
    let (app, mut state) = setup();
    let before = state.clone();
    // Key 50 belongs to VAL.
    let r = register(&app, &mut state, &block(2, 1_000), addr(ALICE), 50, 10_000);
    assert_rejected(r, "staking", 4, &state, &before);
    // The consensus key may not be the operator's own account key.
    let r = staking_msg(
        &app,
        &mut state,
        &block(2, 1_000),
        addr(ALICE),
        cons_key(61),
        SMsg::RegisterCandidate {
            consensus_key: cons_key(61),
            commission: commission(),
            description: description("a"),
            self_bond: 10_000,
        },
    );
    assert_rejected(r, "staking", 5, &state, &before);
    // Also caught by address when the signer key is not known (genesis registrations).
    let operator = Address::from_public_key(&cons_key(62));
    let r = app.staking.register(
        &mut state,
        conclave_staking::At::GENESIS,
        &operator,
        None,
        &cons_key(62),
        &commission(),
        &description("a"),
        10_000,
    );
    assert_rejected(r, "staking", 5, &state, &before);
    // A rotated-away key stays used forever.
    let b = block(2, 1_000);
    staking_msg(&app, &mut state, &b, addr(VAL), [0xEE; 32], SMsg::RotateConsensusKey { new_key: cons_key(70) })
        .unwrap();
    app.staking.apply_pending_key(&mut state, conclave_staking::At::block(&b), &addr(VAL)).unwrap();
    let before = state.clone();
    let r = register(&app, &mut state, &b, addr(ALICE), 50, 10_000);
    assert_rejected(r, "staking", 4, &state, &before);
    let r = register(&app, &mut state, &b, addr(ALICE), 70, 10_000);
    assert_rejected(r, "staking", 4, &state, &before);
}

fn edit(app: &TestApp, state: &mut MemoryState, seconds: u64, rate: u64) -> Result<(), conclave_staking::StakingError> {
    staking_msg(
        app,
        state,
        &block(3, seconds),
        addr(VAL),
        [0xEE; 32],
        SMsg::EditCandidate { description: None, commission_rate_ppb: Some(rate) },
    )
}

#[test]
fn commission_out_of_bounds_or_too_soon() {
    let (app, mut state) = setup();
    let day = 86_400;
    let before = state.clone();
    // Registered at t = 1 000 s: a change before t + 24 h is too soon.
    assert_rejected(edit(&app, &mut state, 1_000 + day - 1, 110_000_000), "staking", 8, &state, &before);
    let later = 1_000 + day;
    // Above max rate (50 %), below the minimum (5 %), or a step above max change (2 %).
    assert_rejected(edit(&app, &mut state, later, 600_000_000), "staking", 7, &state, &before);
    assert_rejected(edit(&app, &mut state, later, 40_000_000), "staking", 7, &state, &before);
    assert_rejected(edit(&app, &mut state, later, 130_000_000), "staking", 7, &state, &before);
    edit(&app, &mut state, later, 120_000_000).unwrap();
    let before = state.clone();
    assert_rejected(edit(&app, &mut state, later + 10, 100_000_000), "staking", 8, &state, &before);
    // Registration with rate above max rate.
    let r = staking_msg(
        &app,
        &mut state,
        &block(3, later),
        addr(ALICE),
        [0xEE; 32],
        SMsg::RegisterCandidate {
            consensus_key: cons_key(66),
            commission: conclave_staking::CommissionRates {
                rate_ppb: 600_000_000,
                max_rate_ppb: 500_000_000,
                max_change_rate_ppb: 1,
            },
            description: description("a"),
            self_bond: 10_000,
        },
    );
    assert_rejected(r, "staking", 7, &state, &before);
}

#[test]
fn more_than_max_votes() {
    let (app, mut state) = setup();
    for v in [VAL, VAL2, VAL3] {
        vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(v), amount: 100 }).unwrap();
    }
    let before = state.clone();
    let r = vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL4), amount: 100 });
    assert_rejected(r, "voting", 1, &state, &before);
    let r = vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL4), amount: 10 });
    assert_rejected(r, "voting", 1, &state, &before);
    let all: Vec<VoteTarget> =
        [VAL, VAL2, VAL3, VAL4].iter().map(|v| VoteTarget { candidate: addr(*v), amount: 100 }).collect();
    let r = vote(&app, &mut state, 1_000, VMsg::SetVotes { votes: all });
    assert_rejected(r, "voting", 1, &state, &before);
    // Moving all of one vote to the fourth keeps the count at three: allowed.
    vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL4), amount: 100 })
        .unwrap();
    check(&app, &state);
}

#[test]
fn more_than_max_entries() {
    let (app, mut state) = setup();
    vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL), amount: 1_000 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(VAL), amount: 10 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(VAL), amount: 10 }).unwrap();
    let before = state.clone();
    let r = vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(VAL), amount: 10 });
    assert_rejected(r, "voting", 2, &state, &before);
    vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 10 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 10 }).unwrap();
    let before = state.clone();
    let r = vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 10 });
    assert_rejected(r, "voting", 2, &state, &before);
    // Once an entry matures (unbonding is 100 s), there is room again.
    vote(&app, &mut state, 1_101, VMsg::Undelegate { candidate: addr(VAL), amount: 10 }).unwrap();
    check(&app, &state);
}

#[test]
fn redelegating_stake_that_arrived_by_a_pending_redelegation() {
    let (app, mut state) = setup();
    vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL), amount: 1_000 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL2), amount: 300 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 500 })
        .unwrap();
    let before = state.clone();
    // 300 at VAL2 was bonded directly and may move on; the 500 that arrived may not.
    let r =
        vote(&app, &mut state, 1_050, VMsg::Redelegate { source: addr(VAL2), destination: addr(VAL3), amount: 301 });
    let err = r.clone().unwrap_err();
    assert_eq!(err.earliest_time(), Some(1_100 * 1_000_000_000));
    assert_rejected(r, "staking", 16, &state, &before);
    vote(&app, &mut state, 1_050, VMsg::Redelegate { source: addr(VAL2), destination: addr(VAL3), amount: 300 })
        .unwrap();
    // Undelegating it is allowed (it stays slashable in the unbonding queue).
    vote(&app, &mut state, 1_050, VMsg::Undelegate { candidate: addr(VAL2), amount: 100 }).unwrap();
    // After the redelegation matured, the rest moves on.
    let rest = stake(&state, &addr(ALICE), &addr(VAL2));
    vote(&app, &mut state, 1_100, VMsg::Redelegate { source: addr(VAL2), destination: addr(VAL3), amount: rest })
        .unwrap();
    check(&app, &state);
}

#[test]
fn zero_amounts_and_amounts_above_the_balance() {
    let (app, mut state) = setup();
    vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL), amount: 1_000 }).unwrap();
    vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(VAL), amount: 100 }).unwrap();
    let before = state.clone();
    for msg in [
        VMsg::Vote { candidate: addr(VAL), amount: 0 },
        VMsg::Undelegate { candidate: addr(VAL), amount: 0 },
        VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 0 },
        VMsg::CancelUnbonding { id: 1, amount: 0 },
        VMsg::SetVotes { votes: vec![VoteTarget { candidate: addr(VAL), amount: 0 }] },
    ] {
        assert_rejected(vote(&app, &mut state, 1_000, msg), "voting", 4, &state, &before);
    }
    let r = vote(&app, &mut state, 1_000, VMsg::Vote { candidate: addr(VAL), amount: FUNDS });
    assert_rejected(r, "staking", 12, &state, &before);
    let r = vote(&app, &mut state, 1_000, VMsg::Undelegate { candidate: addr(VAL), amount: 901 });
    assert_rejected(r, "staking", 11, &state, &before);
    let r = vote(&app, &mut state, 1_000, VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 901 });
    assert_rejected(r, "staking", 11, &state, &before);
    let ids: Vec<u64> = conclave_staking::schema::UNBONDINGS.iter(&state).map(|r| r.unwrap().0).collect();
    let r = vote(&app, &mut state, 1_000, VMsg::CancelUnbonding { id: ids[0], amount: 101 });
    assert_rejected(r, "staking", 11, &state, &before);
    let r = register(&app, &mut state, &block(2, 1_000), addr(ALICE), 90, FUNDS);
    assert_rejected(r, "staking", 12, &state, &before);
    let r = register(&app, &mut state, &block(2, 1_000), addr(ALICE), 90, 0);
    assert_rejected(r, "staking", 10, &state, &before);
}

#[test]
fn a_rejected_transaction_on_the_chain_costs_only_its_fee() {
    let (mut chain, acc) = chain(&["val", "alice"]);
    chain.produce_empty_blocks(1);
    let alice = &acc[1];
    let staking_before = chain.export_genesis()["app"]["staking"].clone();
    let balance_before = bal(&chain, &alice.address);
    let tx = chain.sign(alice, vec![Msg::Voting(VMsg::Vote { candidate: acc[0].address, amount: 5 })]);
    let result = chain.deliver(tx);
    assert_eq!((result.codespace.as_str(), result.code), ("staking", 1));
    assert_eq!(bal(&chain, &alice.address), balance_before - 200);
    let mut staking_after = chain.export_genesis()["app"]["staking"].clone();
    // Only the last-block marker moved.
    staking_after["last_block"] = staking_before["last_block"].clone();
    assert_eq!(staking_after, staking_before);
}

fn bal(chain: &conclave_testkit::TestChain<TestApp>, a: &Address) -> u128 {
    let coin: conclave_core::Coin =
        chain.query_json("bank/balance", &serde_json::json!({ "address": a, "denom": "stake" })).unwrap();
    coin.amount
}
