//! A real double sign under a real CometBFT: node0's validator key is also run by a second
//! process, node4, so validator0 signs twice. CometBFT itself detects the conflicting votes
//! and commits `DuplicateVoteEvidence`; the app slashes validator0 by exactly 5 % of its stake
//! at the infraction height and tombstones it; every node's `/validators` drops it two blocks
//! after the slash; every node keeps the same app hashes; the chain goes on.
//!
//! How the equivocation is made certain, not left to timing: node4 runs with a 1 ms
//! `timeout_propose`, so in every round it prevotes (and precommits) nil before any proposal
//! can reach it, while node0, with the normal timeout, votes for the proposed block. Two votes
//! of one validator for different blocks at the same height and round are exactly what
//! CometBFT turns into evidence, within a block or two.

mod cometbft;

use std::time::Duration;

use serde_json::Value;

use conclave_testkit::live::{edit_toml, wait_for};

/// node0..3 validate; node4 is the duplicate.
const VALIDATORS: usize = 4;
const STALL: Duration = Duration::from_secs(30);
/// Every genesis validator's self-bond (`conclave_node::GENESIS_SELF_BOND`): nothing else is
/// bonded to validator0 in this test, so this is its stake at any infraction height.
const SELF_BOND: u128 = 100_000_000;

#[test]
fn a_validator_signing_twice_is_slashed_five_percent_tombstoned_and_dropped_from_the_set() {
    let mut net = cometbft::localnet_with_full_nodes(VALIDATORS, 1, "slash-double-sign");
    let duplicate = &net.nodes[VALIDATORS];
    std::fs::copy(
        net.nodes[0].home.join("config/priv_validator_key.json"),
        duplicate.home.join("config/priv_validator_key.json"),
    )
    .unwrap();
    edit_toml(&duplicate.home.join("config/config.toml"), |doc| {
        doc["consensus"]["timeout_propose"] = toml_edit::value("1ms");
    });
    let key0 = net.nodes[0].consensus_key();
    net.start_all();
    net.wait_all(2, STALL);

    // CometBFT detects it; the app records the punishment.
    let cli = net.cli(1);
    let history = wait_for("validator0's double-sign punishment", Duration::from_secs(90), || {
        let page = cli.json(&["query", "slashing", "history", "validator0"]);
        match page["items"].as_array() {
            Some(items) if !items.is_empty() => Ok(items.clone()),
            _ => Err(format!("no punishment yet at height {}", net.nodes[1].height())),
        }
    });
    assert_eq!(history.len(), 1, "punished once, however many conflicting votes: {history:?}");
    let record = &history[0];
    assert_eq!(record["reason"], "double_sign");
    let (fault, infraction, height) = (
        record["fault_height"].as_u64().unwrap(),
        record["infraction_height"].as_u64().unwrap(),
        record["height"].as_u64().unwrap(),
    );
    assert_eq!(infraction, fault.saturating_sub(2).max(1), "the stake two blocks before the fault");
    assert!(fault < height, "evidence of {fault} committed in {height}");
    // Exactly 5 % of its stake at the infraction height, rounded up.
    let amount = |v: &Value| v.as_str().unwrap().parse::<u128>().unwrap();
    assert_eq!(amount(&record["base_tokens"]), SELF_BOND);
    assert_eq!(amount(&record["from_candidate"]), SELF_BOND.div_ceil(20));
    let candidate = cli.json(&["query", "staking", "candidate", "validator0"]);
    assert_eq!(candidate["candidate"]["status"], "tombstoned");
    assert_eq!(amount(&candidate["candidate"]["tokens"]), SELF_BOND - SELF_BOND.div_ceil(20));

    // CometBFT's own view: in the set of height + 1, gone from height + 2, on every node.
    net.wait_all(height + 3, STALL);
    let has_key0 = |set: &[conclave_testkit::live::ValidatorInfo]| set.iter().any(|v| v.pub_key == key0.pub_key);
    assert!(has_key0(&net.validator_set_everywhere(height + 1)), "still signing {}", height + 1);
    let after = net.validator_set_everywhere(height + 2);
    assert!(!has_key0(&after), "dropped at {}: {after:?}", height + 2);
    assert_eq!(after.len(), VALIDATORS - 1);

    // The chain goes on, and every node, the duplicate included, agrees on every app hash.
    net.wait_all(height + 6, STALL);
    let to = net.common_app_hash_height();
    assert!(to >= height + 5);
    net.assert_same_app_hashes(1, to);
}
