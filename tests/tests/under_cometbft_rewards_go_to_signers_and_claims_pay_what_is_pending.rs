//! Rewards under a real CometBFT: four validators, inflation epochs of 10 blocks.
//! 1. `validator0` votes for `validator3` through the CLI; both earn while all four sign;
//! 2. node3's processes are stopped: from then on validator3 is missing from every last
//!    commit, and its commission stops growing while validator2's keeps growing;
//! 3. `query rewards pending` for validator0's vote no longer grows either, and
//!    `tx rewards claim validator3` pays exactly what it reported (the `rewards.claimed`
//!    event of `query tx`); nothing is pending afterwards;
//! 4. `query rewards inflation` reports the minter, and the supply grew by what was minted;
//! 5. node3 restarts and catches up.
//!
//! Every node agrees on every app hash.

mod cometbft;

use std::time::Duration;

use serde_json::{json, Value};

const VALIDATORS: usize = 4;
const STALL: Duration = Duration::from_secs(30);

fn amount(value: &Value) -> u128 {
    value.as_str().unwrap_or_else(|| panic!("{value} is not an amount string")).parse().unwrap()
}

#[test]
fn a_stopped_validator_earns_nothing_and_a_claim_pays_what_was_pending() {
    let mut net = cometbft::localnet(VALIDATORS, "rewards-live");
    net.edit_genesis(|doc| {
        doc["app_state"]["app"]["rewards"]["params"]["epoch_length"] = json!(10);
    });
    net.start_all();
    net.wait_all(2, STALL);
    let cli = net.cli(0);
    let commission = |who: &str| amount(&cli.json(&["query", "rewards", "validator", who])["commission"]);
    let pending =
        || amount(&cli.json(&["query", "rewards", "pending", "validator0", "--candidate", "validator3"])["total"]);

    // 1. validator0 votes for validator3; everyone signs for a few blocks.
    let voted_at = cli.tx_height(&["tx", "voting", "vote", "validator3", "50000000stake", "--from", "validator0"]);
    net.wait_all(voted_at + 5, STALL);
    assert!(commission("validator3") > 0 && pending() > 0, "validator3 signed, so it and its voters earned");

    // 2. node3 stops. Two blocks later it is in no last commit any more.
    let stopped_at = net.nodes[0].height();
    net.nodes[3].stop();
    let live = [0, 1, 2];
    net.wait_for_height(&live, stopped_at + 3, STALL);
    let (before3, before2, owed) = (commission("validator3"), commission("validator2"), pending());
    net.wait_for_height(&live, net.nodes[0].height() + 5, STALL);
    assert_eq!(commission("validator3"), before3, "a validator that does not sign earns nothing");
    assert!(commission("validator2") > before2, "the signers keep earning");
    assert!(commission("validator3") < commission("validator2"), "the stopped validator earned less overall");

    // 3. What is pending stays put, and a claim pays exactly that.
    assert_eq!(pending(), owed);
    let result = cli.tx(&["tx", "rewards", "claim", "validator3", "--from", "validator0"]);
    let hash = result["hash"].as_str().unwrap();
    let included = cli.json(&["query", "tx", hash]);
    let claimed: Vec<u128> = included["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "rewards.claimed")
        .map(|e| {
            let attribute = e["attributes"].as_array().unwrap().iter().find(|a| a["key"] == "amount").unwrap();
            attribute["value"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(claimed, vec![owed], "{included}");
    assert_eq!(pending(), 0);

    // 4. The minter, and the supply, which grew between two heights by what was minted.
    let minter = cli.json(&["query", "rewards", "inflation"]);
    let inflation = minter["inflation_ppb"].as_u64().unwrap();
    assert!((50_000_000..=100_000_000).contains(&inflation), "{minter}");
    let rpc = net.nodes[0].rpc.clone();
    let at = |path: &str, request: Value, height: u64| rpc.query_json(path, &request, height).unwrap().0;
    let supply = |height| amount(&at("bank/supply", json!({ "denom": "stake" }), height)["amount"]);
    let minted = |height| amount(&at("rewards/totals", json!({}), height)["minted"]);
    let (early, late) = (stopped_at, net.nodes[0].height() - 1);
    assert!(minted(late) > minted(early));
    assert_eq!(supply(late) - supply(early), minted(late) - minted(early), "nothing else changes the supply");

    // node3 comes back and catches up; every node agrees on every app hash.
    net.nodes[3].start();
    let height = net.nodes[0].height();
    net.wait_all(height + 2, Duration::from_secs(60));
    net.assert_same_app_hashes(1, net.common_app_hash_height());
}
