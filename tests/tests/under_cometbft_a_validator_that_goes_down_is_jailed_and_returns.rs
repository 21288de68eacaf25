//! Real downtime under a real CometBFT: four validators and a fifth candidate (node4, fewer
//! votes) for four seats, a liveness window of 20 blocks of which half must be signed, a 15 s
//! jail, epochs of 20 blocks.
//! 1. node1's processes are stopped: once it has missed more than half of a full window it is
//!    jailed and slashed 1 %, leaves CometBFT's set two blocks later, and node4 takes the
//!    seat at the next election;
//! 2. while it is jailed the CLI's pre-flight refuses `tx slashing unjail`; node1 is
//!    restarted, its jail time runs out, and its operator sends the unjail;
//! 3. at the next election node1 is back and node4 out (node1 has more votes).
//!
//! Every node agrees on every app hash throughout.

mod cometbft;

use std::time::Duration;

use serde_json::{json, Value};

use conclave_testkit::live::{wait_for, Network, ValidatorInfo};

const VALIDATORS: usize = 4;
const EPOCH_LENGTH: u64 = 20;
const JAIL_SECONDS: u64 = 15;
const STALL: Duration = Duration::from_secs(30);

/// The heights of the next election: the last height of the epoch of the next block, and the
/// first height its set signs.
fn next_election(net: &Network) -> (u64, u64) {
    let epoch = net.cli(0).json(&["query", "rotation", "epoch"]);
    (epoch["end_height"].as_u64().unwrap(), epoch["next_set_from_height"].as_u64().unwrap())
}

fn holds(set: &[ValidatorInfo], net: &Network, node: usize) -> bool {
    let key = net.nodes[node].consensus_key();
    set.iter().any(|v| v.pub_key == key.pub_key)
}

fn standing(net: &Network, operator: &str) -> Value {
    net.cli(0).json(&["query", "slashing", "signing-info", operator])
}

#[test]
fn a_validator_that_goes_down_is_jailed_replaced_unjailed_and_elected_again() {
    let mut net = cometbft::localnet_with_full_nodes(VALIDATORS, 1, "slash-downtime");
    net.edit_genesis(|doc| {
        let app = &mut doc["app_state"]["app"];
        app["rotation"]["params"]["epoch_length"] = json!(EPOCH_LENGTH);
        app["rotation"]["params"]["max_validators"] = json!(VALIDATORS);
        app["slashing"]["params"] = json!({
            "signed_blocks_window": 20,
            "min_signed_per_window_ppb": 500_000_000,
            "downtime_jail_duration_nanos": JAIL_SECONDS * 1_000_000_000,
            "slash_fraction_double_sign_ppb": 50_000_000,
            "slash_fraction_downtime_ppb": 10_000_000,
        });
    });
    net.start_all();
    net.wait_all(2, STALL);

    // node4 stands as a fifth candidate with half a genesis validator's self-bond.
    let key_file = net.nodes[4].consensus_key_file();
    net.cli(0).tx(&[
        "tx",
        "staking",
        "register",
        "50000000stake",
        "--consensus-key-file",
        key_file.to_str().unwrap(),
        "--moniker",
        "node4",
        "--from",
        "validator4",
    ]);

    // 1. node1 goes down.
    let down_at = net.nodes[0].height();
    net.nodes[1].stop();
    let live = [0, 2, 3, 4];
    let jailed = wait_for("validator1 jailed for downtime", Duration::from_secs(120), || {
        let info = standing(&net, "validator1");
        if info["standing"] == "jailed" {
            Ok(info)
        } else {
            Err(format!("at height {}: {info}", net.nodes[0].height()))
        }
    });
    // While jailed, the CLI's pre-flight refuses an unjail and sends nothing (asked at once:
    // the jail lasts JAIL_SECONDS of block time, and the election below may take longer).
    let refused = net.cli(0).fails(&["tx", "slashing", "unjail", "--from", "validator1"]);
    assert!(refused.contains("pre-flight") && refused.contains("code 31"), "{refused}");
    let history = net.cli(0).json(&["query", "slashing", "history", "validator1"]);
    let record = &history["items"][0];
    assert_eq!(record["reason"], "downtime", "{history}");
    let jail_height = record["height"].as_u64().unwrap();
    assert!(jail_height > down_at && jail_height >= 21, "a full window first: jailed at {jail_height}");
    assert_eq!(jailed["jailed_until"].as_u64(), record["jailed_until"].as_u64());
    net.wait_for_height(&live, jail_height + 3, STALL);
    assert!(holds(&net.validator_set_of(&live, jail_height + 1), &net, 1));
    assert!(!holds(&net.validator_set_of(&live, jail_height + 2), &net, 1), "out two blocks later");

    // node4 takes the seat at the next election.
    let (end, from) = next_election(&net);
    net.wait_for_height(&live, from + 1, STALL);
    let set = net.validator_set_of(&live, from);
    assert!(holds(&set, &net, 4) && !holds(&set, &net, 1), "node4 in, node1 out after the election at {end}");

    // 2. node1 comes back; its operator unjails it once the jail time is over.
    net.nodes[1].start();
    let unjailed = wait_for("the unjail pre-flight to allow it", Duration::from_secs(JAIL_SECONDS + 30), || {
        let answer = net.cli(0).json(&["query", "slashing", "can-unjail", "validator1"]);
        if answer["allowed"] == true {
            Ok(answer)
        } else {
            Err(answer.to_string())
        }
    });
    assert_eq!(unjailed["code"], 0);
    net.cli(0).tx(&["tx", "slashing", "unjail", "--from", "validator1"]);
    assert_eq!(standing(&net, "validator1")["standing"], "free");

    // 3. Elected again at the next epoch's end, in place of node4.
    let all = net.all();
    let (end, from) = next_election(&net);
    net.wait_for_height(&all, from + 2, Duration::from_secs(60));
    let set = net.validator_set_everywhere(from);
    assert!(holds(&set, &net, 1) && !holds(&set, &net, 4), "node1 back, node4 out after the election at {end}");
    net.assert_same_app_hashes(1, net.common_app_hash_height());
}
