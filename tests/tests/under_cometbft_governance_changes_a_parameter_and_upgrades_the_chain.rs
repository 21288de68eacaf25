//! Governance under a real CometBFT, four validators, the governance module account as the
//! chain's parameter authority (what `appchaind init` and `localnet` write):
//! - a proposal carrying rotation's `update_params` (max_validators 4 → 3, as JSON through
//!   `tx governance submit --messages`) is voted yes by the validators and passes; the
//!   parameter is in force from the end-block of the block that ended the vote
//!   (`end_height`), and the next epoch elects a set of 3, as CometBFT's `/validators` shows
//!   on every node;
//! - the authority's messages are refused from anyone else (alice may not change a
//!   parameter herself);
//! - a proposal scheduling software upgrade `v2` passes; at the plan's height every node's
//!   `appchaind` stops with the documented message and commits nothing of that height; every
//!   node restarted with `--allow-upgrade v2` replays the block, applies the plan there, and
//!   the chain goes on with identical block and app hashes on every node at every height.

mod cometbft;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use conclave_testkit::live::{Cli, Network};

const NODES: usize = 4;
const STALL: Duration = Duration::from_secs(30);
/// Short enough for a test (blocks are ~250 ms here), long enough for four votes to be
/// included in the validators' first two thirds of it.
const VOTING_SECONDS: u64 = 20;
const EPOCH_LENGTH: u64 = 40;
const DEPOSIT: &str = "10000000stake";

/// Submits a proposal of `messages` (JSON) from alice with the minimum deposit; returns its id.
fn submit(cli: &Cli, title: &str, messages: &Value) -> u64 {
    let result = cli.tx(&[
        "tx",
        "governance",
        "submit",
        "--title",
        title,
        "--deposit",
        DEPOSIT,
        "--messages",
        &messages.to_string(),
        "--from",
        "alice",
    ]);
    let height = result["height"].as_u64().unwrap_or_else(|| panic!("{result}"));
    let proposals = cli.json(&["query", "governance", "proposals", "--status", "voting_period"]);
    let items = proposals["proposals"].as_array().unwrap_or_else(|| panic!("{proposals}"));
    let id = items
        .iter()
        .filter(|p| p["title"] == title)
        .filter_map(|p| p["id"].as_u64())
        .next_back()
        .unwrap_or_else(|| panic!("proposal {title:?} (included at {height}) is not voting: {proposals}"));
    id
}

/// Every validator operator votes yes.
fn all_vote_yes(net: &Network, id: u64) {
    let cli = net.cli(0);
    for i in 0..NODES {
        cli.tx(&["tx", "governance", "vote", &id.to_string(), "yes", "--from", &format!("validator{i}")]);
    }
}

/// Waits until proposal `id` has ended; returns it.
fn wait_until_ended(net: &mut Network, id: u64) -> Value {
    let cli = net.cli(0);
    let deadline = Instant::now() + Duration::from_secs(VOTING_SECONDS * 4);
    loop {
        let proposal = cli.json(&["query", "governance", "proposal", &id.to_string()]);
        if proposal["end_height"].as_u64().is_some() {
            return proposal;
        }
        assert!(Instant::now() < deadline, "proposal {id} did not end: {proposal}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_parameter_change_and_an_upgrade_pass_through_governance() {
    let started = Instant::now();
    let mut net = cometbft::localnet(NODES, "e2e-governance");
    net.edit_genesis(|doc| {
        let app = &mut doc["app_state"]["app"];
        app["governance"]["params"]["voting_period_seconds"] = json!(VOTING_SECONDS);
        let rotation = &mut app["rotation"]["params"];
        rotation["epoch_length"] = json!(EPOCH_LENGTH);
        // Three validators may carry the chain (a third each, under a 34 % cap), so the
        // proposal below can lower max_validators to 3.
        rotation["min_validators"] = json!(3);
        rotation["max_validators"] = json!(4);
        rotation["max_power_share_ppb"] = json!(340_000_000u64);
    });
    let authority = net.genesis()["app_state"]["runtime"]["authority"].clone();
    net.start_all();
    net.wait_all(2, STALL);
    let cli = net.cli(0);
    let governance = cli.json(&["query", "governance", "params"]);
    assert_eq!(governance["voting_period_seconds"], json!(VOTING_SECONDS), "{governance}");

    // --- The authority is governance's module account: alice may not change a parameter.
    let mut params = cli.json(&["query", "rotation", "params"]);
    let params_before = params.clone();
    assert_eq!(params["max_validators"], json!(4), "{params}");
    params["max_validators"] = json!(3);
    let refused = cli.fails(&["tx", "rotation", "update-params", &params.to_string(), "--from", "alice"]);
    assert!(
        refused.contains("only the parameter authority") && refused.contains(authority.as_str().unwrap()),
        "{refused}"
    );

    // --- Proposal 1: max_validators 4 → 3, voted yes by every validator.
    let change = json!([{ "rotation": { "update_params": { "params": params } } }]);
    let id = submit(&cli, "Three validators", &change);
    all_vote_yes(&net, id);
    // The validators hold all the stake: the running tally is all yes.
    let tally = cli.json(&["query", "governance", "tally", &id.to_string()]);
    assert_eq!(tally["final"], json!(false), "{tally}");
    assert_eq!(tally["tally"]["yes"], tally["tally"]["total_stake"], "{tally}");
    assert_eq!(tally["tally"]["no"], "0", "{tally}");
    let vote = cli.json(&["query", "governance", "vote", &id.to_string(), "validator0"]);
    assert!(vote.to_string().contains("yes"), "{vote}");
    let ended = wait_until_ended(&mut net, id);
    assert_eq!(ended["status"], "passed", "{ended}");
    let end_height = ended["end_height"].as_u64().unwrap();
    assert_eq!(ended["descriptions"], json!(["rotation.update_params"]), "{ended}");
    // In force from that block: the state after it has the new value, the one before not.
    let before = cli.json(&["query", "rotation", "params", "--height", &(end_height - 1).to_string()]);
    assert_eq!(before, params_before, "before the vote ended");
    let after = cli.json(&["query", "rotation", "params", "--height", &end_height.to_string()]);
    assert_eq!(after["max_validators"], json!(3), "{after}");
    eprintln!("proposal {id} passed at {end_height} ({:?})", started.elapsed());

    // The next election (the first epoch end after the change) elects 3; CometBFT applies
    // updates returned at E from E+2.
    let election = end_height.div_ceil(EPOCH_LENGTH) * EPOCH_LENGTH;
    net.wait_all(election + 3, STALL);
    let genesis_set = net.validator_set_everywhere(1);
    let old = net.validator_set_everywhere(election + 1);
    let new = net.validator_set_everywhere(election + 2);
    assert_eq!(old.len(), 4, "the set before the election");
    assert_eq!(new.len(), 3, "the election after the change elects max_validators = 3: {new:?}");
    assert!(new.iter().all(|v| genesis_set.iter().any(|g| g.pub_key == v.pub_key)), "{new:?}");
    eprintln!("the election at {election} elected 3 ({:?})", started.elapsed());

    // --- Proposal 2: upgrade v2, far enough ahead for the vote to end first.
    // Enough blocks for the vote at up to 4 blocks/s (blocks take 250–500 ms here), and a
    // margin for the submission and the votes.
    let plan_height = net.nodes[0].height() + VOTING_SECONDS * 4 + 20;
    let info = "e2e: through governance";
    let upgrade = json!([{ "upgrade": { "schedule_upgrade": { "plan": { "name": "v2", "height": plan_height, "info": info } } } }]);
    let id = submit(&cli, "Upgrade to v2", &upgrade);
    all_vote_yes(&net, id);
    let ended = wait_until_ended(&mut net, id);
    assert_eq!(ended["status"], "passed", "{ended}");
    let scheduled_at = ended["end_height"].as_u64().unwrap();
    assert!(scheduled_at < plan_height, "the vote ended at {scheduled_at}, after the plan's height {plan_height}");
    let plan = cli.json(&["query", "upgrade", "plan"]);
    assert_eq!(plan["plan"]["height"].as_u64(), Some(plan_height), "{plan}");
    eprintln!("upgrade v2 for {plan_height} passed at {scheduled_at} ({:?})", started.elapsed());

    // --- Every node stops at the plan's height with the documented message.
    let expected = format!(
        "UPGRADE \"v2\" NEEDED at height {plan_height} (info: {info}): stop this binary and start the version \
         that implements \"v2\" (or, for an upgrade without a state migration, restart with --allow-upgrade v2)"
    );
    cometbft::wait_for_upgrade_halt(&mut net, plan_height, &expected, Duration::from_secs(120));

    // --- Restarted with --allow-upgrade v2, every node applies it at the plan's height.
    for node in &mut net.nodes {
        node.start_app_with(&["--allow-upgrade", "v2"]);
    }
    for node in &mut net.nodes {
        node.start_cometbft();
    }
    net.wait_all(plan_height + 5, STALL);
    for i in net.all() {
        let applied = net.cli(i).json(&["query", "upgrade", "applied", "v2"]);
        assert_eq!(applied["height"].as_u64(), Some(plan_height), "{}: {applied}", net.nodes[i].name);
    }
    let common = net.common_app_hash_height();
    assert!(common > plan_height, "hashes after the upgrade block are known everywhere: {common}");
    net.assert_same_app_hashes(1, common);
    eprintln!("upgraded through governance; identical hashes up to {common} ({:?})", started.elapsed());
}
