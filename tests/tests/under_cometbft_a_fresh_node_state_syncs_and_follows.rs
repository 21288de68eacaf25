//! State sync under a real CometBFT: 4 validators take a snapshot every 10 heights and prune
//! their block stores (`min-retain-blocks`, with genesis evidence age 20 blocks), under a
//! transfer load. A fifth node with an empty home and CometBFT's `[statesync]` on (two
//! validators' RPC as light-client servers, a recent trusted height and hash):
//! - restores a validator's snapshot instead of replaying from genesis: its `/status` reports an
//!   earliest block above 1, and its app logged the restore;
//! - then follows the chain for at least 20 heights with the validators' block and app hashes
//!   at every height it has, its app's `Info` matching the next header;
//! - and the validators did prune: their earliest block is above 1 at the end.

mod cometbft;

use std::time::{Duration, Instant};

use serde_json::json;

use conclave_testkit::live::{edit_toml, Network};
use conclave_testkit::TestAccount;

use cometbft::load::{surprises, TransferLoad};
use cometbft::wait_for;

const VALIDATORS: usize = 4;
/// The fresh node (created with the others, as a full node, but started late).
const FRESH: usize = 4;
const SNAPSHOT_INTERVAL: u64 = 10;
/// Snapshots kept: the blocks after the one the fresh node picks stay for 3 more intervals.
const SNAPSHOT_KEEP_RECENT: u32 = 4;
const MIN_RETAIN_BLOCKS: u64 = 10;
const EVIDENCE_MAX_AGE_BLOCKS: u64 = 20;
/// Heights the fresh node must follow after restoring.
const FOLLOW: u64 = 20;
const STALL: Duration = Duration::from_secs(30);

fn configure(net: &mut Network) {
    net.edit_genesis(|doc| {
        doc["consensus_params"]["evidence"]["max_age_num_blocks"] = json!(EVIDENCE_MAX_AGE_BLOCKS.to_string());
    });
    for node in &net.nodes[..VALIDATORS] {
        edit_toml(&node.home.join("config/app.toml"), |doc| {
            doc["min-retain-blocks"] = toml_edit::value(MIN_RETAIN_BLOCKS as i64);
            doc["state-sync"]["snapshot-interval"] = toml_edit::value(SNAPSHOT_INTERVAL as i64);
            doc["state-sync"]["snapshot-keep-recent"] = toml_edit::value(i64::from(SNAPSHOT_KEEP_RECENT));
        });
    }
    // The fresh node neither serves snapshots nor prunes.
    edit_toml(&net.nodes[FRESH].home.join("config/app.toml"), |doc| {
        doc["state-sync"]["snapshot-interval"] = toml_edit::value(0);
    });
}

/// Heights with a complete snapshot in `node`'s home.
fn snapshot_heights(net: &Network, node: usize) -> Vec<u64> {
    let dir = net.nodes[node].home.join("data/snapshots");
    let mut heights: Vec<u64> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default();
    heights.sort_unstable();
    heights
}

#[test]
fn a_fresh_node_state_syncs_into_a_running_network_and_follows_it() {
    let started = Instant::now();
    let mut net = cometbft::localnet_with_full_nodes(VALIDATORS, 1, "e2e-state-sync");
    assert_eq!(net.full_node_indices(), vec![FRESH]);
    configure(&mut net);
    let validators = net.validator_indices();
    for &i in &validators {
        net.nodes[i].start_app();
    }
    for &i in &validators {
        net.nodes[i].start_cometbft();
    }
    net.wait_for_height(&validators, 2, Duration::from_secs(60));

    let recipients: Vec<_> =
        net.accounts.iter().map(|a| a.address).chain([TestAccount::named("fresh").address]).collect();
    let senders = net
        .accounts
        .iter()
        .enumerate()
        .map(|(k, account)| (account.clone(), net.nodes[validators[k % VALIDATORS]].rpc.clone()))
        .collect();
    let mut load = TransferLoad::start(&net.chain_id, senders, recipients, Duration::from_millis(50));

    // --- Snapshots exist and the validators prune.
    net.wait_for_height(&validators, 3 * SNAPSHOT_INTERVAL + 2, STALL);
    let snapshots = wait_for("node0's snapshots of heights 10, 20, 30", STALL, || {
        let heights = snapshot_heights(&net, 0);
        if heights.len() >= 3 {
            Ok(heights)
        } else {
            Err(format!("{heights:?}"))
        }
    });
    assert!(snapshots.iter().all(|h| h % SNAPSHOT_INTERVAL == 0), "{snapshots:?}");
    eprintln!("validators at {:?}, node0's snapshots {snapshots:?} after {:?}", net.heights(), started.elapsed());

    // --- The fresh node: state sync from a recent trusted block.
    let trust_height = net.nodes[0].height() - 1;
    let trust_hash = net.nodes[0].rpc.block(trust_height).expect("the trusted block").block_id.hash;
    let servers = format!("{},{}", net.nodes[0].rpc.url(), net.nodes[1].rpc.url());
    edit_toml(&net.nodes[FRESH].home.join("config/config.toml"), |doc| {
        doc["statesync"]["enable"] = toml_edit::value(true);
        doc["statesync"]["rpc_servers"] = toml_edit::value(servers.as_str());
        doc["statesync"]["trust_height"] = toml_edit::value(trust_height as i64);
        doc["statesync"]["trust_hash"] = toml_edit::value(trust_hash.as_str());
        doc["statesync"]["trust_period"] = toml_edit::value("168h0m0s");
        // The shortest discovery CometBFT allows.
        doc["statesync"]["discovery_time"] = toml_edit::value("5s");
    });
    net.nodes[FRESH].start();
    let synced = Instant::now();
    let status = wait_for("the fresh node to state-sync and reach a block", Duration::from_secs(120), || {
        net.nodes[FRESH].assert_running();
        let status = net.nodes[FRESH].rpc.status().map_err(|e| e.to_string())?;
        let sync = &status.sync_info;
        if sync.latest_block_height > 0 && sync.earliest_block_height > 0 {
            Ok(status)
        } else {
            Err(format!("earliest {}, latest {}", sync.earliest_block_height, sync.latest_block_height))
        }
    });
    let earliest = status.sync_info.earliest_block_height;
    assert!(earliest > 1, "the fresh node's earliest block is {earliest}: it replayed from genesis");
    let restored = earliest - 1;
    assert_eq!(restored % SNAPSHOT_INTERVAL, 0, "the fresh node starts after height {restored}, not a snapshot's");
    let app_log = std::fs::read_to_string(net.nodes[FRESH].app_log()).unwrap_or_default();
    assert!(
        app_log.contains("state sync restored the state of this height"),
        "the fresh node's app did not log a restore:\n{}",
        net.nodes[FRESH].log_tails(30)
    );
    eprintln!("the fresh node restored height {restored} in {:?} (trusted height {trust_height})", synced.elapsed());

    // --- It follows: at least FOLLOW heights after the snapshot, every header identical.
    let all = net.all();
    let target = restored + FOLLOW + 2;
    net.wait_for_height(&all, target, STALL);
    let last = net.heights().into_iter().min().unwrap_or(0) - 1;
    let theirs = net.nodes[0].rpc.headers(earliest, last + 1).expect("node0's headers");
    let mine = net.nodes[FRESH].rpc.headers(earliest, last + 1).expect("the fresh node's headers");
    assert_eq!(mine.len(), theirs.len(), "headers {earliest}..={}", last + 1);
    assert!(mine.len() as u64 > FOLLOW, "only {} heights followed", mine.len());
    for (m, t) in mine.iter().zip(&theirs) {
        assert_eq!(
            (m.header.height, &m.block_id.hash, &m.header.app_hash),
            (t.header.height, &t.block_id.hash, &t.header.app_hash),
            "the fresh node and node0 disagree on header {}",
            t.header.height
        );
    }
    // Its own app computed those app hashes: Info at its height matches the next header.
    let info = net.nodes[FRESH].rpc.abci_info().expect("the fresh node's abci_info");
    assert!(info.last_block_height >= restored + FOLLOW, "the fresh node's app is at {}", info.last_block_height);
    let expected = wait_for("node0's next header", STALL, || {
        net.nodes[0].rpc.app_hash_after(info.last_block_height).map_err(|e| e.to_string())
    });
    assert_eq!(info.last_block_app_hash, expected, "the fresh node's app hash at {}", info.last_block_height);

    // --- The load went through, and the validators pruned their block stores.
    let stats = load.stop();
    assert!(surprises(&stats).is_empty(), "unexpected CheckTx refusals: {stats:#?}");
    let txs: u64 = theirs.iter().map(|h| h.num_txs).sum();
    assert!(txs > 0, "no transfer in blocks {earliest}..={}", last + 1);
    for &i in &validators {
        let node = &net.nodes[i];
        let sync = node.rpc.status().unwrap_or_else(|e| panic!("{}: status: {e}", node.name)).sync_info;
        assert!(
            sync.earliest_block_height > 1,
            "{} kept every block (earliest {}, latest {})",
            node.name,
            sync.earliest_block_height,
            sync.latest_block_height
        );
        // Never past what min-retain-blocks keeps.
        assert!(sync.latest_block_height + 1 - sync.earliest_block_height >= MIN_RETAIN_BLOCKS);
    }
    for node in &mut net.nodes {
        node.assert_running();
    }
    eprintln!(
        "state sync: restored {restored}, followed to {last} ({txs} txs), validators pruned, in {:?}",
        started.elapsed()
    );
}
