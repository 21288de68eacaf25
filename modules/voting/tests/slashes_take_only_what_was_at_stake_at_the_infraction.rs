//! The slashing primitive: which stake pays, rounding up, never creating tokens; and the
//! unbonding queue's bounded, ordered completions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_core::{MemoryState, Ratio};
use conclave_staking::schema::{REDELEGATIONS, UNBONDINGS};
use conclave_staking::{At, StakingError};
use conclave_voting::Msg as VMsg;

const VAL: u8 = 1;
const VAL2: u8 = 2;
const ALICE: u8 = 9;
const BOB: u8 = 8;

fn setup() -> (TestApp, MemoryState) {
    let (app, mut state) = memory(&[addr(VAL), addr(VAL2), addr(ALICE), addr(BOB)]);
    register(&app, &mut state, &block(1, 1_000), addr(VAL), 1, 10_000).unwrap();
    register(&app, &mut state, &block(1, 1_000), addr(VAL2), 2, 10_000).unwrap();
    (app, state)
}

fn at(height: u64, seconds: u64) -> At {
    At::block(&block(height, seconds))
}

fn tenth() -> Ratio {
    Ratio { numerator: 1, denominator: 10 }
}

#[test]
fn entries_started_before_the_infraction_or_matured_are_not_slashed() {
    let (app, mut state) = setup();
    vote_msg(&app, &mut state, &block(2, 1_010), addr(ALICE), VMsg::Vote { candidate: addr(VAL), amount: 10_000 })
        .unwrap();
    // Height 3: an unbonding that started before the infraction at height 5.
    vote_msg(&app, &mut state, &block(3, 1_020), addr(ALICE), VMsg::Undelegate { candidate: addr(VAL), amount: 1_000 })
        .unwrap();
    // Height 6: after the infraction: an unbonding and a redelegation.
    vote_msg(&app, &mut state, &block(6, 1_050), addr(ALICE), VMsg::Undelegate { candidate: addr(VAL), amount: 2_000 })
        .unwrap();
    vote_msg(
        &app,
        &mut state,
        &block(6, 1_050),
        addr(ALICE),
        VMsg::Redelegate { source: addr(VAL), destination: addr(VAL2), amount: 3_000 },
    )
    .unwrap();
    let supply_before = supply(&state);
    // Tokens at the start of height 5: 10 000 + 10 000 − 1 000 = 19 000.
    let out = app.staking.slash(&mut state, at(7, 1_060), &addr(VAL), 5, tenth()).unwrap();
    assert_eq!(out.base_tokens, 19_000);
    assert_eq!(out.target, 1_900);
    assert_eq!(out.from_unbondings, 200);
    assert_eq!(out.from_redelegations, 300);
    assert_eq!(out.from_candidate, 1_400);
    assert_eq!(supply(&state), supply_before - 1_900);
    let unb: Vec<_> = UNBONDINGS.iter(&state).map(|r| r.unwrap().1).collect();
    assert_eq!(unb.iter().map(|u| u.balance).collect::<Vec<_>>(), vec![1_000, 1_800]);
    // The redelegated stake lost 300 at the destination; VAL2's own delegators did not pay.
    assert_eq!(stake(&state, &addr(ALICE), &addr(VAL2)), 2_700);
    assert_eq!(stake(&state, &addr(VAL2), &addr(VAL2)), 10_000);
    let red: Vec<_> = REDELEGATIONS.iter(&state).map(|r| r.unwrap().1).collect();
    assert_eq!(red[0].shares_dst, 2_700);
    check(&app, &state);
    // Matured entries are not slashed: past the 100 s unbonding period nothing but VAL pays.
    let out = app.staking.slash(&mut state, at(8, 1_200), &addr(VAL), 5, tenth()).unwrap();
    assert_eq!((out.from_unbondings, out.from_redelegations), (0, 0));
    check(&app, &state);
}

#[test]
fn slashes_round_up_and_never_exceed_what_exists() {
    let (app, mut state) = setup();
    let third = Ratio { numerator: 1, denominator: 3 };
    // 10 000 × 1/3 = 3 333.3 → 3 334.
    let out = app.staking.slash(&mut state, at(2, 1_010), &addr(VAL), 2, third).unwrap();
    assert_eq!(out.from_candidate, 3_334);
    // A full slash takes everything left; another takes nothing and creates nothing.
    let all = Ratio { numerator: 1, denominator: 1 };
    app.staking.slash(&mut state, at(3, 1_020), &addr(VAL), 3, all).unwrap();
    assert_eq!(conclave_staking::ledger::candidate(&state, &addr(VAL)).unwrap().tokens, 0);
    let out = app.staking.slash(&mut state, at(4, 1_030), &addr(VAL), 4, all).unwrap();
    assert_eq!(out.burned(), 0);
    check(&app, &state);
    // A candidate with shares but no tokens takes no new stake.
    let r = vote_msg(&app, &mut state, &block(4, 1_030), addr(ALICE), VMsg::Vote { candidate: addr(VAL), amount: 10 });
    assert_eq!(r.unwrap_err().to_string(), StakingError::CandidateWorthless { candidate: addr(VAL) }.to_string());
    // The worthless shares can be forfeited to free the vote slot.
    vote_msg(&app, &mut state, &block(4, 1_030), addr(VAL), VMsg::Unvote { candidate: addr(VAL) }).unwrap();
    assert!(conclave_staking::ledger::vote_set(&state, &addr(VAL)).unwrap().votes.is_empty());
    let again = vote_msg(&app, &mut state, &block(4, 1_030), addr(VAL), VMsg::Unvote { candidate: addr(VAL) });
    assert!(again.is_err());
    check(&app, &state);
}

#[test]
fn bad_fractions_and_heights_are_refused() {
    let (app, mut state) = setup();
    let before = state.clone();
    let r = app.staking.slash(&mut state, at(2, 1_010), &addr(VAL), 2, Ratio { numerator: 2, denominator: 1 });
    assert_eq!(r.unwrap_err(), StakingError::InvalidFraction);
    let r = app.staking.slash(&mut state, at(2, 1_010), &addr(VAL), 3, tenth());
    assert!(matches!(r, Err(StakingError::InvalidInfractionHeight { .. })));
    // Token history older than the unbonding period is pruned; slashing there is refused.
    for (h, t) in [(3, 1_500), (4, 2_000)] {
        vote_msg(&app, &mut state, &block(h, t), addr(ALICE), VMsg::Vote { candidate: addr(VAL), amount: 10 }).unwrap();
    }
    let r = app.staking.slash(&mut state, at(5, 2_001), &addr(VAL), 2, tenth());
    assert!(matches!(r, Err(StakingError::InvalidInfractionHeight { .. })), "{r:?}");
    assert_ne!(state, before);
}

#[test]
fn the_queue_completes_at_most_the_limit_per_block_in_order() {
    let (app, mut state) = setup();
    vote_msg(&app, &mut state, &block(2, 1_010), addr(ALICE), VMsg::Vote { candidate: addr(VAL), amount: 10_000 })
        .unwrap();
    vote_msg(&app, &mut state, &block(2, 1_010), addr(BOB), VMsg::Vote { candidate: addr(VAL), amount: 10_000 })
        .unwrap();
    // Five unbondings (two per delegator... and one more), limit 3 per block (test params).
    for (who, t) in [(ALICE, 1_011), (BOB, 1_012), (ALICE, 1_013), (BOB, 1_014), (BOB, 1_015)] {
        let _ =
            vote_msg(&app, &mut state, &block(3, t), addr(who), VMsg::Undelegate { candidate: addr(VAL), amount: 100 });
    }
    let pending = UNBONDINGS.iter(&state).count();
    assert_eq!(pending, 5);
    let report = app.staking.process_queues(&mut state, at(10, 2_000)).unwrap();
    assert_eq!(report.completed_unbondings, 3);
    let left: Vec<u64> = UNBONDINGS.iter(&state).map(|r| r.unwrap().1.completion_time.0).collect();
    assert_eq!(left, vec![1_114 * 1_000_000_000, 1_115 * 1_000_000_000]);
    check(&app, &state);
    let report = app.staking.process_queues(&mut state, at(11, 2_001)).unwrap();
    assert_eq!(report.completed_unbondings, 2);
    assert_eq!(balance(&state, &addr(BOB)), FUNDS - 10_000 + 300);
    check(&app, &state);
}

#[test]
fn an_operator_below_the_minimum_exits_and_comes_back() {
    let (app, mut state) = setup();
    vote_msg(&app, &mut state, &block(2, 1_010), addr(VAL), VMsg::Undelegate { candidate: addr(VAL), amount: 9_500 })
        .unwrap();
    let c = conclave_staking::ledger::candidate(&state, &addr(VAL)).unwrap();
    assert_eq!(c.status, conclave_staking::Status::Exited);
    // Others cannot stake to an exited candidate; the operator can, and it comes back.
    let r = vote_msg(&app, &mut state, &block(2, 1_010), addr(ALICE), VMsg::Vote { candidate: addr(VAL), amount: 10 });
    assert!(r.is_err());
    vote_msg(&app, &mut state, &block(2, 1_010), addr(VAL), VMsg::Vote { candidate: addr(VAL), amount: 600 }).unwrap();
    let c = conclave_staking::ledger::candidate(&state, &addr(VAL)).unwrap();
    assert_eq!(c.status, conclave_staking::Status::Candidate);
    check(&app, &state);
}
