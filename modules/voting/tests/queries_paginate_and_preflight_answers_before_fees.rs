//! Queries: pagination of candidates and delegations, and pre-flight answers (with the
//! earliest time) for undelegate, redelegate, cancel and edit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use conclave_core::Address;
use conclave_staking::query::{CandidateInfo, DelegationInfo, Page, Preflight};
use conclave_testkit::TestAccount;
use conclave_voting::Msg as VMsg;

#[test]
fn pagination_and_preflight() {
    let names = ["v1", "v2", "v3", "d1", "d2", "d3", "d4", "d5"];
    let (mut chain, acc) = chain(&names);
    for (i, v) in acc[..3].iter().enumerate() {
        let tx = chain.sign(
            v,
            vec![Msg::Staking(conclave_staking::Msg::RegisterCandidate {
                consensus_key: cons_key(i as u8 + 1),
                commission: commission(),
                description: description("v"),
                self_bond: 10_000 * (i as u128 + 1),
            })],
        );
        assert!(chain.deliver(tx).is_ok());
    }
    let v1 = acc[0].address;
    let delegators: Vec<&TestAccount> = acc[3..].iter().collect();
    let txs = delegators
        .iter()
        .map(|d| chain.sign(d, vec![Msg::Voting(VMsg::Vote { candidate: v1, amount: 1_000 })]))
        .collect();
    chain.produce_block(txs);

    // Delegations to v1: 6 (operator + 5), in pages of 4.
    let page: Page<DelegationInfo, Address> =
        chain.query_json("staking/delegations", &serde_json::json!({ "candidate": v1, "limit": 4 })).unwrap();
    assert_eq!(page.items.len(), 4);
    let rest: Page<DelegationInfo, Address> = chain
        .query_json(
            "staking/delegations",
            &serde_json::json!({ "candidate": v1, "limit": 4, "start_after": page.next.unwrap() }),
        )
        .unwrap();
    assert_eq!(rest.items.len(), 2);
    assert!(rest.next.is_none());
    let mut all: Vec<Address> = page.items.iter().chain(&rest.items).map(|d| d.delegator).collect();
    all.dedup();
    assert_eq!(all.len(), 6);

    // Candidates by status and by power (v1 has 15 000, v3 30 000, v2 20 000).
    let by_status: Page<CandidateInfo, Address> =
        chain.query_json("staking/candidates_by_status", &serde_json::json!({ "status": "candidate" })).unwrap();
    assert_eq!(by_status.items.len(), 3);
    let by_power: Page<CandidateInfo, serde_json::Value> =
        chain.query_json("staking/candidates_by_power", &serde_json::json!({})).unwrap();
    let order: Vec<Address> = by_power.items.iter().map(|c| c.candidate.operator).collect();
    assert_eq!(order, vec![acc[2].address, acc[1].address, v1]);

    // Pre-flight: undelegate more than staked; then an allowed one.
    let d1 = delegators[0].address;
    let pre: Preflight = chain
        .query_json("voting/can_undelegate", &serde_json::json!({ "delegator": d1, "candidate": v1, "amount": "1001" }))
        .unwrap();
    assert_eq!((pre.allowed, pre.codespace.as_str(), pre.code), (false, "staking", 11));
    let pre: Preflight = chain
        .query_json("voting/can_undelegate", &serde_json::json!({ "delegator": d1, "candidate": v1, "amount": "1000" }))
        .unwrap();
    assert!(pre.allowed);
    // The pre-flight wrote nothing.
    let pre_again: Preflight = chain
        .query_json("voting/can_undelegate", &serde_json::json!({ "delegator": d1, "candidate": v1, "amount": "1000" }))
        .unwrap();
    assert_eq!(pre, pre_again);

    // Cancel: unknown entry, then a real one.
    let pre: Preflight = chain
        .query_json("voting/can_cancel", &serde_json::json!({ "delegator": d1, "id": 42, "amount": "1" }))
        .unwrap();
    assert_eq!((pre.codespace.as_str(), pre.code), ("staking", 17));
    let tx = chain.sign(delegators[0], vec![Msg::Voting(VMsg::Undelegate { candidate: v1, amount: 400 })]);
    assert!(chain.deliver(tx).is_ok());
    let unb: Vec<conclave_staking::UnbondingEntry> =
        chain.query_json("staking/unbondings", &serde_json::json!({ "delegator": d1 })).unwrap();
    let pre: Preflight = chain
        .query_json("voting/can_cancel", &serde_json::json!({ "delegator": d1, "id": unb[0].id, "amount": "400" }))
        .unwrap();
    assert!(pre.allowed, "{pre:?}");

    // Edit: a commission change right after registration is too soon, with the earliest time.
    let pre: Preflight = chain
        .query_json("staking/can_edit", &serde_json::json!({ "candidate": v1, "commission_rate_ppb": 110_000_000u64 }))
        .unwrap();
    assert_eq!((pre.codespace.as_str(), pre.code), ("staking", 8));
    let registered: CandidateInfo =
        chain.query_json("staking/candidate", &serde_json::json!({ "candidate": v1 })).unwrap();
    assert_eq!(pre.earliest_time, Some(registered.candidate.commission.last_change.0 + 86_400 * 1_000_000_000));

    // Generic preflight with a full message.
    let pre: Preflight = chain
        .query_json(
            "voting/preflight",
            &serde_json::json!({ "delegator": d1, "msg": { "redelegate": { "source": v1, "destination": acc[1].address, "amount": 100 } } }),
        )
        .unwrap();
    assert!(pre.allowed, "{pre:?}");

    // Unjail: refused while jailed, with the jail end; keys are looked up by hex.
    let tx = chain.sign(&acc[0], vec![Msg::Hook(Hook::Jail { candidate: v1, seconds: 30 })]);
    assert!(chain.deliver(tx).is_ok());
    let pre: Preflight = chain.query_json("staking/can_unjail", &serde_json::json!({ "candidate": v1 })).unwrap();
    let jailed: CandidateInfo = chain.query_json("staking/candidate", &serde_json::json!({ "candidate": v1 })).unwrap();
    assert_eq!((pre.code, pre.earliest_time), (31, Some(jailed.candidate.jailed_until.0)));
    chain.advance_time(31 * 1_000_000_000);
    chain.produce_empty_blocks(1);
    let pre: Preflight = chain.query_json("staking/can_unjail", &serde_json::json!({ "candidate": v1 })).unwrap();
    assert!(pre.allowed, "{pre:?}");
    let key_hex = conclave_core::state::hex(&cons_key(1));
    let owner: Option<Address> = chain.query_json("staking/key_owner", &serde_json::json!({ "key": key_hex })).unwrap();
    assert_eq!(owner, Some(v1));
    let as_json = serde_json::to_value(&jailed.candidate).unwrap();
    assert_eq!(as_json["consensus_key"], serde_json::json!(key_hex));
}
