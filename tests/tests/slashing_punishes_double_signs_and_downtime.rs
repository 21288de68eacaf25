//! The slashing module on the app-template chain, in process: the test chain keeps
//! CometBFT's view of the validator set, so its blocks carry real last commits, and evidence
//! is made against real members. One test per rule of `docs/modules/slashing.md`.
//!
//! The network: five validators `v0`..`v4` (self-bond 10,000,000: power 10 each) and one
//! candidate outside the set, `v5` (max_validators 5); epochs of 10 blocks; a liveness window
//! of 10 blocks of which half must be signed; a 60 s downtime jail; double sign 5 %, downtime
//! 1 %.

mod common;

use appchain::{AppChain, Genesis, GenesisValidator, Msg};
use conclave_core::{BlockIdFlag, EvidenceParams};
use conclave_runtime::{FinalizeBlockResponse, GenesisState, RuntimeGenesis, TxResult, ValidatorUpdate};
use conclave_testkit::{TestAccount, TestChain, TestChainBuilder, TxOptions};
use serde_json::{json, Value};

const SELF_BOND: u128 = 10_000_000;
const FUNDS: u128 = 1_000_000_000;
const JAIL_SECONDS: u64 = 60;

struct Net {
    chain: TestChain<AppChain>,
    ops: Vec<TestAccount>,
    keys: Vec<[u8; 32]>,
    alice: TestAccount,
    bob: TestAccount,
}

fn consensus_key(i: usize) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([10 + i as u8; 32]).verification_key().to_bytes()
}

fn genesis(min_self_bond: u128) -> (GenesisState<Genesis>, Vec<TestAccount>) {
    let ops: Vec<TestAccount> = (0..6).map(|i| TestAccount::named(&format!("v{i}"))).collect();
    let mut balances: Vec<_> = ops.iter().map(|o| (o.address, FUNDS)).collect();
    balances.push((TestAccount::named("alice").address, FUNDS));
    balances.push((TestAccount::named("bob").address, FUNDS));
    let validators: Vec<GenesisValidator> = ops
        .iter()
        .enumerate()
        .map(|(i, o)| GenesisValidator {
            operator: o.address,
            consensus_key: consensus_key(i),
            moniker: format!("v{i}"),
            // v5 ranks last: the set is v0..v4.
            self_bond: if i == 5 { (SELF_BOND / 2).max(min_self_bond) } else { SELF_BOND },
        })
        .collect();
    let mut app = Genesis::for_network("stake", &balances).with_validators(&validators, 10);
    app.rotation.params.max_validators = 5;
    app.staking.params.min_self_bond = min_self_bond;
    app.slashing.params = conclave_slashing::Params {
        signed_blocks_window: 10,
        min_signed_per_window_ppb: 500_000_000,
        downtime_jail_duration_nanos: JAIL_SECONDS * 1_000_000_000,
        slash_fraction_double_sign_ppb: 50_000_000,
        slash_fraction_downtime_ppb: 10_000_000,
    };
    (GenesisState { runtime: RuntimeGenesis::default(), app }, ops)
}

fn builder(min_self_bond: u128) -> (TestChainBuilder<AppChain>, Vec<TestAccount>) {
    let (genesis, ops) = genesis(min_self_bond);
    (TestChain::builder(AppChain::default(), genesis), ops)
}

fn net_from(builder: TestChainBuilder<AppChain>, ops: Vec<TestAccount>) -> Net {
    let chain = builder.build();
    Net {
        chain,
        ops,
        keys: (0..6).map(consensus_key).collect(),
        alice: TestAccount::named("alice"),
        bob: TestAccount::named("bob"),
    }
}

fn net() -> Net {
    let (builder, ops) = builder(1_000_000);
    net_from(builder, ops)
}

impl Net {
    fn candidate(&self, i: usize) -> Value {
        self.chain.query_json("staking/candidate", &json!({ "candidate": self.ops[i].address })).unwrap()
    }

    fn tokens(&self, i: usize) -> u128 {
        self.candidate(i)["candidate"]["tokens"].as_str().unwrap().parse().unwrap()
    }

    fn status(&self, i: usize) -> String {
        self.candidate(i)["candidate"]["status"].as_str().unwrap().to_string()
    }

    fn signing_info(&self, i: usize) -> Value {
        self.chain.query_json("slashing/signing_info", &json!({ "operator": self.ops[i].address })).unwrap()
    }

    fn history(&self, i: usize) -> Vec<Value> {
        let page: Value =
            self.chain.query_json("slashing/history", &json!({ "operator": self.ops[i].address })).unwrap();
        page["items"].as_array().unwrap().clone()
    }

    /// A block carrying `evidence` (validator index, fault height) pairs.
    fn block_with_evidence(&mut self, evidence: &[(usize, u64)]) -> FinalizeBlockResponse {
        let mut request = self.chain.next_block();
        request.misbehavior = evidence.iter().map(|(i, h)| self.chain.duplicate_vote(&self.keys[*i], *h)).collect();
        self.chain.produce_block_with(request)
    }

    fn send(&mut self, from: &TestAccount, msg: Msg) -> TxResult {
        let options =
            TxOptions { gas_limit: 400_000, fee: conclave_core::Coin::new("stake", 400), ..TxOptions::default() };
        let tx = from.sign(self.chain.chain_id(), self.chain.nonce(from), vec![msg], &options);
        self.chain.deliver(tx)
    }

    fn in_set(&self, i: usize, height: u64) -> bool {
        self.chain.consensus().set_at(height).contains_key(&self.keys[i])
    }
}

fn event<'a>(response: &'a FinalizeBlockResponse, kind: &str) -> Option<&'a conclave_core::Event> {
    response.events.iter().find(|e| e.kind == kind)
}

fn removal(key: [u8; 32]) -> ValidatorUpdate {
    ValidatorUpdate { pub_key: key, power: 0 }
}

#[test]
fn a_double_sign_slashes_five_percent_of_the_stake_two_blocks_before_it_and_tombstones() {
    let mut n = net();
    n.chain.produce_empty_blocks(4);
    let response = n.block_with_evidence(&[(0, 3)]);
    let height = n.chain.height();
    // Fault at 3: the stake of height 1 (the genesis self-bond) pays 5 %, rounded up.
    assert_eq!(n.tokens(0), SELF_BOND - SELF_BOND / 20);
    assert_eq!(n.status(0), "tombstoned");
    let slashed = event(&response, "slashing.slashed").expect("slashing.slashed");
    assert_eq!(slashed.attribute("reason"), Some("double_sign"));
    assert_eq!(slashed.attribute("infraction_height"), Some("1"));
    assert_eq!(slashed.attribute("burned"), Some("500000"));
    assert!(event(&response, "staking.slash_candidate").is_some(), "staking describes the slash entry by entry");
    // It leaves the set at once: one power-0 update, in the set of height + 1, gone at + 2.
    assert_eq!(response.validator_updates, vec![removal(n.keys[0])]);
    assert!(n.in_set(0, height + 1) && !n.in_set(0, height + 2));
    n.chain.produce_empty_blocks(3);
    let history = n.history(0);
    assert_eq!(history.len(), 1);
    assert_eq!((history[0]["reason"].as_str(), history[0]["fault_height"].as_u64()), (Some("double_sign"), Some(3)));
    assert_eq!(history[0]["jailed_until"], Value::Null, "tombstoned, not jailed for a time");
    assert_eq!(n.signing_info(0)["standing"], "tombstoned");
    assert_eq!(n.signing_info(0)["info"]["tombstoned"], true);
}

#[test]
fn a_slash_is_computed_from_the_stake_at_the_infraction_and_reaches_stake_that_left_after_it() {
    let mut n = net();
    let (alice, bob) = (n.alice.clone(), n.bob.clone());
    let candidate = n.ops[0].address;
    n.chain.produce_empty_blocks(1);
    // Height 2: alice votes 4,000,000 for v0.
    let vote = Msg::Voting(conclave_voting::Msg::Vote { candidate, amount: 4_000_000 });
    assert!(n.send(&alice, vote).is_ok());
    n.chain.produce_empty_blocks(3); // heights 3..5
                                     // Height 6: alice undelegates 2,000,000 (after the infraction height 3, so it pays).
    assert!(n.send(&alice, Msg::Voting(conclave_voting::Msg::Undelegate { candidate, amount: 2_000_000 })).is_ok());
    // Height 7: bob votes 1,000,000 (joins after the fault).
    assert!(n.send(&bob, Msg::Voting(conclave_voting::Msg::Vote { candidate, amount: 1_000_000 })).is_ok());
    // Height 8: evidence of a double sign at height 5: the stake of height 3 is 14,000,000,
    // so 700,000 is taken: 100,000 (5 % of its 2,000,000) from alice's unbonding, the rest,
    // 600,000, from the candidate's tokens (13,000,000 now).
    let response = n.block_with_evidence(&[(0, 5)]);
    let slashed = event(&response, "slashing.slashed").unwrap();
    assert_eq!(slashed.attribute("base_tokens"), Some("14000000"));
    assert_eq!(slashed.attribute("from_unbondings"), Some("100000"));
    assert_eq!(slashed.attribute("from_candidate"), Some("600000"));
    assert_eq!(n.tokens(0), 13_000_000 - 600_000);
    let unbondings: Value = n.chain.query_json("staking/unbondings", &json!({ "delegator": alice.address })).unwrap();
    assert_eq!(unbondings[0]["balance"], "1900000");
}

fn expiry_chain(evidence: EvidenceParams) -> Net {
    let (builder, ops) = builder(1_000_000);
    net_from(builder.evidence_params(evidence), ops)
}

#[test]
fn evidence_older_than_both_limits_is_dropped_but_older_than_only_one_is_not() {
    // Blocks are one second apart. Evidence of height 2, judged in block 9: 7 blocks and 7 s old.
    let seconds = 1_000_000_000;
    let cases = [
        (
            "older in both: dropped",
            EvidenceParams { max_age_num_blocks: 5, max_age_duration_nanos: 5 * seconds },
            "active",
        ),
        (
            "older in blocks only",
            EvidenceParams { max_age_num_blocks: 5, max_age_duration_nanos: 100 * seconds },
            "tombstoned",
        ),
        (
            "older in time only",
            EvidenceParams { max_age_num_blocks: 100, max_age_duration_nanos: 5 * seconds },
            "tombstoned",
        ),
        ("at both limits", EvidenceParams { max_age_num_blocks: 7, max_age_duration_nanos: 7 * seconds }, "tombstoned"),
    ];
    for (case, limits, expected) in cases {
        let mut n = expiry_chain(limits);
        n.chain.produce_empty_blocks(8);
        let response = n.block_with_evidence(&[(0, 2)]);
        assert_eq!(n.status(0), expected, "{case}");
        let ignored = event(&response, "slashing.evidence_ignored").and_then(|e| e.attribute("reason"));
        assert_eq!(ignored, (expected == "active").then_some("expired"), "{case}");
    }
}

#[test]
fn the_same_fault_reported_twice_is_punished_once() {
    let mut n = net();
    n.chain.produce_empty_blocks(4);
    // Two pieces of evidence against v0 in one block, and one more later.
    let response = n.block_with_evidence(&[(0, 3), (0, 4)]);
    assert_eq!(response.events.iter().filter(|e| e.kind == "slashing.slashed").count(), 1);
    assert_eq!(event(&response, "slashing.evidence_ignored").and_then(|e| e.attribute("reason")), Some("tombstoned"));
    assert_eq!(response.validator_updates, vec![removal(n.keys[0])], "one removal, not two");
    let tokens = n.tokens(0);
    let response = n.block_with_evidence(&[(0, 4)]);
    assert!(event(&response, "slashing.slashed").is_none());
    assert_eq!(n.tokens(0), tokens);
    assert_eq!(n.history(0).len(), 1);
}

#[test]
fn evidence_against_a_key_rotated_away_since_finds_its_validator() {
    let mut n = net();
    let v1 = n.ops[1].clone();
    let new_key = ed25519_consensus::SigningKey::from([99u8; 32]).verification_key().to_bytes();
    n.chain.produce_empty_blocks(3);
    assert!(n.send(&v1, Msg::Staking(conclave_staking::Msg::RotateConsensusKey { new_key })).is_ok());
    n.chain.produce_empty_blocks(12); // the epoch ends at 10; the new key signs from 12
    assert!(!n.in_set(1, 13) && n.chain.consensus().set_at(13).contains_key(&new_key));
    // The old key double-signed at height 5, while it was v1's.
    let response = n.block_with_evidence(&[(1, 5)]);
    assert_eq!(n.status(1), "tombstoned");
    assert_eq!(response.validator_updates, vec![removal(new_key)], "its current key leaves the set");
}

#[test]
fn downtime_jails_after_a_full_window_slashes_one_percent_and_removes_it_at_once() {
    let mut n = net();
    // v1 stops signing from the first commit on (about height 1).
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Absent);
    // Blocks 2..10 carry its misses at 1..9: more than the 5 allowed, but not a full window yet.
    n.chain.produce_empty_blocks(10);
    assert_eq!(n.status(1), "active");
    assert_eq!(n.signing_info(1)["info"]["missed"], 9);
    // Block 11 counts height 10: a full window from 1, 10 misses: jailed.
    let response = n.chain.produce_block(Vec::new());
    assert_eq!(n.status(1), "jailed");
    let jailed = event(&response, "slashing.jailed").unwrap();
    assert_eq!((jailed.attribute("missed"), jailed.attribute("max_missed")), (Some("10"), Some("5")));
    assert_eq!(jailed.attribute("until"), Some((n.chain.time().0 + JAIL_SECONDS * 1_000_000_000).to_string().as_str()));
    // 1 % of the stake at height 8, rounded up.
    assert_eq!(n.tokens(1), SELF_BOND - SELF_BOND / 100);
    assert_eq!(response.validator_updates, vec![removal(n.keys[1])]);
    let info = n.signing_info(1);
    assert_eq!((info["info"]["missed"].as_u64(), info["standing"].as_str()), (Some(0), Some("jailed")));
}

#[test]
fn misses_while_jailed_are_not_counted() {
    let mut n = net();
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Absent);
    n.chain.produce_empty_blocks(11);
    assert_eq!(n.status(1), "jailed");
    let counted = n.signing_info(1)["info"]["last_height"].clone();
    // The two commits that still list it (the set changes at H + 2) are not counted.
    n.chain.produce_empty_blocks(4);
    let info = n.signing_info(1);
    assert_eq!(info["info"]["last_height"], counted);
    assert_eq!(info["info"]["missed"], 0);
    assert_eq!(n.history(1).len(), 1);
}

#[test]
fn unjail_is_refused_while_jail_time_remains_then_the_validator_returns_at_the_next_election() {
    let mut n = net();
    let v1 = n.ops[1].clone();
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Absent);
    n.chain.produce_empty_blocks(11);
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Commit);
    let until = n.signing_info(1)["jailed_until"].as_u64().unwrap();
    // The pre-flight says no, and from when, before any fee is spent.
    let preflight: Value = n.chain.query_json("slashing/can_unjail", &json!({ "operator": v1.address })).unwrap();
    assert_eq!((preflight["allowed"].as_bool(), preflight["code"].as_u64()), (Some(false), Some(31)));
    assert_eq!(preflight["earliest_time"].as_u64(), Some(until));
    let result = n.send(&v1, Msg::Slashing(conclave_slashing::Msg::Unjail));
    assert_eq!((result.codespace.as_str(), result.code), ("staking", 31), "{}", result.log);
    assert_eq!(n.status(1), "jailed");
    // Once the time is over (a block at or after it), it unjails; the election at the
    // epoch's end (20) brings it back.
    n.chain.advance_time(JAIL_SECONDS * 1_000_000_000);
    n.chain.produce_empty_blocks(1);
    let preflight: Value = n.chain.query_json("slashing/can_unjail", &json!({ "operator": v1.address })).unwrap();
    assert_eq!(preflight["allowed"], true);
    let response_height = n.chain.next_height();
    let result = n.send(&v1, Msg::Slashing(conclave_slashing::Msg::Unjail));
    assert!(result.is_ok(), "{}", result.log);
    assert_eq!(n.status(1), "candidate");
    assert!(!n.in_set(1, response_height + 2), "not before the next election");
    while n.chain.next_height() <= 20 {
        n.chain.produce_empty_blocks(1);
    }
    assert!(n.in_set(1, 22), "elected again at 20, signing from 22");
    assert_eq!(n.status(1), "active");
}

#[test]
fn unjail_is_refused_when_tombstoned_not_jailed_or_under_the_minimum_self_bond() {
    // The minimum self-bond is just under the self-bond: a downtime slash takes v1 under it.
    let (builder, ops) = builder(SELF_BOND - 1);
    let mut n = net_from(builder, ops);
    let (v0, v1, v2) = (n.ops[0].clone(), n.ops[1].clone(), n.ops[2].clone());
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Absent);
    n.chain.produce_empty_blocks(4);
    n.block_with_evidence(&[(0, 3)]);
    n.chain.produce_empty_blocks(7);
    assert_eq!((n.status(0), n.status(1)), ("tombstoned".to_string(), "jailed".to_string()));
    n.chain.advance_time(JAIL_SECONDS * 1_000_000_000);
    let unjail = || Msg::Slashing(conclave_slashing::Msg::Unjail);
    let cases = [(&v0, "slashing", 7), (&v2, "slashing", 8), (&v1, "staking", 3)];
    for (who, codespace, code) in cases {
        let before = n.candidate(n.ops.iter().position(|o| o.address == who.address).unwrap());
        let result = n.send(who, unjail());
        assert_eq!((result.codespace.as_str(), result.code), (codespace, code), "{}", result.log);
        let after = n.candidate(n.ops.iter().position(|o| o.address == who.address).unwrap());
        assert_eq!(before, after, "a refused unjail changes nothing");
    }
}

#[test]
fn slashing_state_survives_an_export_and_import() {
    let mut n = net();
    n.chain.set_vote(&n.keys[1], BlockIdFlag::Absent);
    n.chain.set_vote(&n.keys[2], BlockIdFlag::Nil);
    n.chain.produce_empty_blocks(4);
    n.block_with_evidence(&[(0, 3)]);
    n.chain.set_vote(&n.keys[2], BlockIdFlag::Commit);
    n.chain.produce_empty_blocks(8);
    let exported = n.chain.export_genesis();
    assert!(!exported["app"]["slashing"]["missed"].as_array().unwrap().is_empty());
    assert_eq!(exported["app"]["slashing"]["history"].as_array().unwrap().len(), 2);
    let imported = TestChain::builder(AppChain::default(), Default::default())
        .build_with_app_state(serde_json::to_vec(&exported).unwrap())
        .unwrap();
    assert_eq!(imported.genesis_app_hash(), n.chain.app_hash());
}

#[test]
fn a_block_without_a_set_member_in_its_commit_stops_the_node() {
    let mut n = net();
    n.chain.produce_empty_blocks(2);
    let mut request = n.chain.next_block();
    request.last_commit.votes[0].validator = [0xAB; 20];
    let error = n.chain.try_produce_block_with(request).unwrap_err().to_string();
    assert!(error.contains("our validator set of that height does not hold"), "{error}");
}
