//! 4 validators plus 2 full nodes that have their own consensus keys (not in genesis), all
//! peered with each other under a real CometBFT, with bank transfers sent to every node:
//! - the full nodes follow the chain, and every node reports the same app hash (and block
//!   hash) after every block from 1 to the last height they all have (at least 20);
//! - CometBFT's `/validators` (every page, asked of every node) shows exactly the 4 genesis
//!   validators with their genesis powers, at the first and the last height, and neither
//!   full node's consensus key is in it; no block returned a validator update.
//!
//! This is the base the validator-rotation test (`under_cometbft_validator_rotation.rs`)
//! builds on, checked without rotation.

mod cometbft;

use std::time::{Duration, Instant};

use conclave_testkit::TestAccount;

use cometbft::load::{surprises, TransferLoad};
use cometbft::{validator_updates, wait_for};

const VALIDATORS: usize = 4;
const FULL_NODES: usize = 2;
/// Heights with an app hash on every node, at least.
const MIN_HEIGHTS: u64 = 20;
const STALL: Duration = Duration::from_secs(30);

#[test]
fn four_validators_and_two_full_nodes_agree_on_every_app_hash() {
    let started = Instant::now();
    let mut net = cometbft::localnet_with_full_nodes(VALIDATORS, FULL_NODES, "e2e-six");
    let validators = net.validator_indices();
    let full_nodes = net.full_node_indices();
    assert_eq!((validators.len(), full_nodes.len()), (VALIDATORS, FULL_NODES));
    let genesis_set = net.genesis_validators();
    assert_eq!(genesis_set.len(), VALIDATORS, "genesis validators: {genesis_set:?}");
    let full_keys: Vec<_> = full_nodes.iter().map(|&i| net.nodes[i].consensus_key()).collect();
    for &i in &validators {
        let key = net.nodes[i].consensus_key();
        assert!(
            genesis_set.iter().any(|v| v.pub_key == key.pub_key && v.address == key.address),
            "{}'s key {} is not in genesis",
            net.nodes[i].name,
            key.address
        );
    }
    for (key, &i) in full_keys.iter().zip(&full_nodes) {
        assert!(
            !genesis_set.iter().any(|v| v.pub_key == key.pub_key),
            "full node {}'s key {} is in genesis",
            net.nodes[i].name,
            key.address
        );
    }

    net.start_all();
    net.wait_all(2, Duration::from_secs(60));
    eprintln!("6 nodes at height 2 after {:?}", started.elapsed());

    // --- Load: each funded account sends to its own node, full nodes included (their
    // mempools gossip the txs to the validators).
    let mut recipients: Vec<_> = net.accounts.iter().map(|a| a.address).collect();
    recipients.extend(["fresh1", "fresh2"].iter().map(|n| TestAccount::named(n).address));
    let targets = [full_nodes[0], full_nodes[1], validators[0], validators[1]];
    let senders = net
        .accounts
        .iter()
        .enumerate()
        .map(|(k, account)| (account.clone(), net.nodes[targets[k % targets.len()]].rpc.clone()))
        .collect();
    let mut load = TransferLoad::start(&net.chain_id, senders, recipients, Duration::from_millis(40));
    let first_loaded = net.heights().into_iter().max().unwrap_or(0);
    // +1: the app hash after height H is in header H+1.
    net.wait_all(MIN_HEIGHTS.max(first_loaded + 10) + 1, STALL);
    let stats = load.stop();
    assert!(surprises(&stats).is_empty(), "unexpected CheckTx refusals: {stats:#?}");
    assert_eq!(stats.rpc_errors, 0, "CometBFT RPC errors: {stats:#?}");

    // --- The same app hash on every node at every height.
    let last = net.common_app_hash_height();
    assert!(last >= MIN_HEIGHTS, "only {last} common heights");
    let hashes = net.assert_same_app_hashes(1, last);
    assert_eq!(hashes.len() as u64, last);
    let txs: u64 = net.nodes[0].rpc.headers(1, last).unwrap().iter().map(|h| h.num_txs).sum();
    assert!(txs >= 10, "only {txs} txs in blocks 1..={last}");
    // Each full node really followed (it executed the blocks itself: its app's Info).
    for &i in &full_nodes {
        let node = &net.nodes[i];
        let info = node.rpc.abci_info().unwrap_or_else(|e| panic!("{}: abci_info: {e}", node.name));
        let (height, app_hash) = (info.last_block_height, info.last_block_app_hash);
        assert!(height >= last, "{}: app at {height}, chain at {last}", node.name);
        let expected = wait_for(&format!("node0's header {}", height + 1), STALL, || {
            net.nodes[0].rpc.app_hash_after(height).map_err(|e| e.to_string())
        });
        assert_eq!(app_hash, expected, "{}: Info's app hash at {height}", node.name);
    }
    eprintln!(
        "app hashes identical on {} nodes for heights 1..={last} ({txs} txs) after {:?}",
        net.nodes.len(),
        started.elapsed()
    );

    // --- /validators: exactly the genesis validators and powers; no full node.
    for height in [1, last] {
        let set = net.validator_set_everywhere(height);
        assert_eq!(set, genesis_set, "validators at height {height}");
        for (key, &i) in full_keys.iter().zip(&full_nodes) {
            assert!(
                !set.iter().any(|v| v.pub_key == key.pub_key || v.address == key.address),
                "full node {}'s key {} is a validator at {height}: {set:?}",
                net.nodes[i].name,
                key.address
            );
        }
    }
    for height in 1..=last {
        let updates = validator_updates(&net.nodes[0].rpc, height);
        assert!(updates.is_empty(), "block {height} returned validator updates {updates:?}");
    }

    for node in &mut net.nodes {
        node.assert_running();
    }
    eprintln!("six nodes agree on {last} heights in {:?}", started.elapsed());
}
