//! Random voting and staking transactions (and slashing / lifecycle hooks) on the in-process
//! test chain. The test chain checks the bank and staking invariants after every block (bonded
//! pool = Σ bonded tokens, unbonding pool = Σ entries, shares = Σ delegators' shares, ...);
//! this test also checks that the supply changes only by what slashes burn.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_testkit::TestAccount;
use conclave_voting::{Msg as VMsg, VoteTarget};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Vote(usize, usize, u128),
    Undelegate(usize, usize, u128),
    Redelegate(usize, usize, usize, u128),
    SetVotes(usize, Vec<(usize, u128)>),
    Cancel(usize, u64, u128),
    Slash(usize, u64, u128),
    Activate(usize),
    Jail(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let acc = || 0usize..4;
    let val = || 0usize..2;
    let amount = || prop_oneof![1u128..5_000, Just(0u128)];
    prop_oneof![
        3 => (acc(), val(), amount()).prop_map(|(a, v, x)| Op::Vote(a, v, x)),
        2 => (acc(), val(), amount()).prop_map(|(a, v, x)| Op::Undelegate(a, v, x)),
        2 => (acc(), val(), val(), amount()).prop_map(|(a, s, d, x)| Op::Redelegate(a, s, d, x)),
        2 => (acc(), prop::collection::vec((val(), 1u128..5_000), 0..3)).prop_map(|(a, t)| Op::SetVotes(a, t)),
        1 => (acc(), 1u64..12, amount()).prop_map(|(a, id, x)| Op::Cancel(a, id, x)),
        1 => (val(), 0u64..3, 1u128..50).prop_map(|(v, back, p)| Op::Slash(v, back, p)),
        1 => val().prop_map(Op::Activate),
        1 => val().prop_map(Op::Jail),
    ]
}

fn msg(op: &Op, acc: &[TestAccount], next_height: u64) -> (usize, Msg) {
    let v = |i: usize| acc[i].address;
    match op {
        Op::Vote(a, c, x) => (*a, Msg::Voting(VMsg::Vote { candidate: v(*c), amount: *x })),
        Op::Undelegate(a, c, x) => (*a, Msg::Voting(VMsg::Undelegate { candidate: v(*c), amount: *x })),
        Op::Redelegate(a, s, d, x) => {
            (*a, Msg::Voting(VMsg::Redelegate { source: v(*s), destination: v(*d), amount: *x }))
        }
        Op::SetVotes(a, t) => (
            *a,
            Msg::Voting(VMsg::SetVotes {
                votes: t.iter().map(|(c, x)| VoteTarget { candidate: v(*c), amount: *x }).collect(),
            }),
        ),
        Op::Cancel(a, id, x) => (*a, Msg::Voting(VMsg::CancelUnbonding { id: *id, amount: *x })),
        Op::Slash(c, back, p) => (
            0,
            Msg::Hook(Hook::Slash {
                candidate: v(*c),
                infraction_height: next_height.saturating_sub(*back).max(2),
                numerator: *p,
                denominator: 100,
            }),
        ),
        Op::Activate(c) => (0, Msg::Hook(Hook::SetActive { candidate: v(*c) })),
        Op::Jail(c) => (0, Msg::Hook(Hook::Jail { candidate: v(*c), seconds: 5 })),
    }
}

fn burned(events: &[conclave_core::Event]) -> u128 {
    events
        .iter()
        .filter(|e| e.kind == "bank.burn")
        .map(|e| e.attribute("amount").unwrap().parse::<u128>().unwrap())
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "tests/proptest-regressions/the_chain_keeps_its_invariants_under_random_transactions.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_after_every_block(blocks in prop::collection::vec((prop::collection::vec(op(), 1..4), 0u64..60), 1..10)) {
        let (mut chain, acc) = chain(&["v1", "v2", "alice", "bob"]);
        for (i, v) in acc[..2].iter().enumerate() {
            let tx = chain.sign(v, vec![Msg::Staking(conclave_staking::Msg::RegisterCandidate {
                consensus_key: cons_key(i as u8 + 1),
                commission: commission(),
                description: description("v"),
                self_bond: 20_000,
            })]);
            prop_assert!(chain.deliver(tx).is_ok());
        }
        let supply_of = |chain: &conclave_testkit::TestChain<TestApp>| {
            let coin: conclave_core::Coin = chain.query_json("bank/supply", &serde_json::json!({ "denom": "stake" })).unwrap();
            coin.amount
        };
        let mut expected = supply_of(&chain);
        for (ops, pause) in blocks {
            // One transaction per signer per block, so nonces stay simple.
            let mut used = [false; 4];
            let mut txs = Vec::new();
            for op in &ops {
                let (signer, m) = msg(op, &acc, chain.next_height());
                if used[signer] {
                    continue;
                }
                used[signer] = true;
                txs.push(chain.sign(&acc[signer], vec![m]));
            }
            chain.advance_time(pause * 1_000_000_000);
            let response = chain.produce_block(txs);
            let mut gone = burned(&response.events);
            for r in &response.tx_results {
                gone += burned(&r.events);
            }
            expected -= gone;
            prop_assert_eq!(supply_of(&chain), expected);
        }
    }
}
