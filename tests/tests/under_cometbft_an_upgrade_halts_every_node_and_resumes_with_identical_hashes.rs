//! A software upgrade under a real CometBFT, four validators:
//! - genesis names alice the parameter authority; she schedules upgrade `v2` a few blocks
//!   ahead with `appchaind tx upgrade schedule` (governance will carry the same message);
//! - at the plan's height every node's `appchaind` exits non-zero, its log has the documented
//!   message at ERROR level, its CometBFT stops by itself, and no node committed that height
//!   (each reopens its store at the height before); a node that missed the block's last
//!   precommits before the others stopped waits below it and is stopped by the test;
//! - every node restarted with `--allow-upgrade v2` replays the block, applies the plan
//!   there (`query upgrade applied v2`) and the chain goes on, with identical block and app
//!   hashes on every node at every height.

mod cometbft;

use std::time::{Duration, Instant};

use serde_json::Value;

const NODES: usize = 4;
const STALL: Duration = Duration::from_secs(30);
/// Blocks between the schedule transaction's submission and the plan's height: room for the
/// transaction to be included (a block is ~250 ms here).
const LEAD: u64 = 12;
const INFO: &str = "e2e: no state migration";

/// The lines of `text` after the first `skip` bytes (a log that restarts append to).
fn tail_from(path: &std::path::Path, skip: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.get(skip..).unwrap_or_default().to_string()
}

#[test]
fn an_upgrade_halts_every_node_at_its_height_and_the_upgraded_nodes_resume_with_identical_hashes() {
    let started = Instant::now();
    let mut net = cometbft::localnet(NODES, "e2e-upgrade");
    let alice = net.account("alice").address;
    net.edit_genesis(|doc| doc["app_state"]["runtime"]["authority"] = Value::String(alice.to_string()));
    net.start_all();
    net.wait_all(2, Duration::from_secs(60));
    let cli = net.cli(0);

    // --- Alice, the authority, schedules v2 a few blocks ahead; anyone else is refused.
    let refused = cli.fails(&["tx", "upgrade", "schedule", "v2", "--height", "1000", "--from", "bob"]);
    assert!(refused.contains("only the parameter authority"), "{refused}");
    // Every node must be at node0's height before the plan is set: a node that started late
    // and is still behind when the others halt at the plan's height has no peer left to
    // fetch the blocks before it from (seen once on a machine busy compiling).
    let now = net.nodes[0].height();
    net.wait_all(now, Duration::from_secs(60));
    let height = now + LEAD;
    let included = cli.tx_height(&[
        "tx",
        "upgrade",
        "schedule",
        "v2",
        "--height",
        &height.to_string(),
        "--info",
        INFO,
        "--from",
        "alice",
    ]);
    assert!(included < height, "scheduled at {included}, after the plan's height {height}");
    let plan = cli.json(&["query", "upgrade", "plan"]);
    assert_eq!((plan["plan"]["name"].as_str(), plan["plan"]["height"].as_u64()), (Some("v2"), Some(height)), "{plan}");
    eprintln!("v2 scheduled at {included} for height {height} ({:?})", started.elapsed());

    // --- At the plan's height every node that commits it stops: appchaind with the message,
    // then CometBFT (a node that missed the block's last precommits waits before it: see
    // `wait_for_upgrade_halt`).
    let expected = format!(
        "UPGRADE \"v2\" NEEDED at height {height} (info: {INFO}): stop this binary and start the version that \
         implements \"v2\" (or, for an upgrade without a state migration, restart with --allow-upgrade v2)"
    );
    let log_lengths = cometbft::wait_for_upgrade_halt(&mut net, height, &expected, Duration::from_secs(60));
    eprintln!("every node stopped at {height} ({:?})", started.elapsed());

    // --- Restarted with --allow-upgrade v2: each store is at height − 1 (nothing of the
    // plan's block was committed), the handshake replays it, and the chain goes on.
    for node in &mut net.nodes {
        node.start_app_with(&["--allow-upgrade", "v2"]);
    }
    for (node, &skip) in net.nodes.iter().zip(&log_lengths) {
        let restart = tail_from(&node.app_log(), skip);
        let opened = restart.lines().find(|l| l.contains("opened the state store")).unwrap_or_default().to_string();
        assert!(
            opened.contains(&format!("height={}", height - 1)),
            "{}: the store should reopen at {} (the plan's block uncommitted): {opened:?}",
            node.name,
            height - 1
        );
    }
    for node in &mut net.nodes {
        node.start_cometbft();
    }
    net.wait_all(height + 5, STALL);

    for i in net.all() {
        let cli = net.cli(i);
        let applied = cli.json(&["query", "upgrade", "applied", "v2"]);
        assert_eq!(applied["height"].as_u64(), Some(height), "{}: {applied}", net.nodes[i].name);
        let plan = cli.json(&["query", "upgrade", "plan"]);
        assert_eq!(plan["plan"], Value::Null, "{}: {plan}", net.nodes[i].name);
    }
    let common = net.common_app_hash_height();
    assert!(common > height, "hashes after the upgrade block are known everywhere: {common} ≤ {height}");
    net.assert_same_app_hashes(1, common);
    // The name cannot be scheduled again.
    let again = cli.fails(&["tx", "upgrade", "schedule", "v2", "--height", "100000", "--from", "alice"]);
    assert!(again.contains("already applied"), "{again}");
    eprintln!("upgraded chain at {common}, identical hashes on {NODES} nodes ({:?})", started.elapsed());
}
