//! A 4-validator local network (`appchaind localnet --validators 4 --no-start`, then the
//! 8 processes started by the test) under a transfer load:
//! - for at least 50 blocks every node reports the same block and app hash at every height,
//!   and each app's `Info` matches the header that follows its height;
//! - one validator is stopped (both its processes): the other three go on producing blocks;
//! - it is restarted: it catches up with the others within a bounded time and reports the
//!   same hashes for every height, including those it fetched while catching up;
//! - at the end every node reports, at the same height, the balances obtained by replaying
//!   every block's transfers over genesis.

mod cometbft;

use std::time::{Duration, Instant};

use conclave_testkit::TestAccount;

use conclave_cometbft::rpc::BlockMeta;
use conclave_testkit::live::Network;

use cometbft::load::{check_balances, replay_blocks, surprises, TransferLoad};
use cometbft::{genesis_balances, wait_for};

const NODES: usize = 4;
/// The node that is stopped and restarted (no load is sent to it).
const STOPPED: usize = 3;
const LOADED_BLOCKS: u64 = 50;
const STALL: Duration = Duration::from_secs(30);

/// Every node's headers `1..=height` are identical (block hash and app hash) to node0's.
fn assert_same_history(net: &Network, nodes: &[usize], height: u64) -> Vec<BlockMeta> {
    let reference = net.nodes[nodes[0]]
        .rpc
        .headers(1, height)
        .unwrap_or_else(|e| panic!("{}: headers 1..={height}: {e}", net.nodes[nodes[0]].name));
    for &i in &nodes[1..] {
        let node = &net.nodes[i];
        let headers =
            node.rpc.headers(1, height).unwrap_or_else(|e| panic!("{}: headers 1..={height}: {e}", node.name));
        for (mine, theirs) in headers.iter().zip(&reference) {
            assert_eq!(
                (&mine.header.app_hash, &mine.block_id.hash),
                (&theirs.header.app_hash, &theirs.block_id.hash),
                "height {}: {} reports app hash {:02x?} / block {}, {} reports {:02x?} / block {}",
                mine.header.height,
                node.name,
                mine.header.app_hash,
                mine.block_id.hash,
                net.nodes[nodes[0]].name,
                theirs.header.app_hash,
                theirs.block_id.hash
            );
        }
    }
    reference
}

/// Each node's app reports, through `Info`, the app hash that the next header carries.
fn assert_infos_match_headers(net: &Network, nodes: &[usize]) {
    for &i in nodes {
        let node = &net.nodes[i];
        let info = node.rpc.abci_info().unwrap_or_else(|e| panic!("{}: abci_info: {e}", node.name));
        let (height, app_hash) = (info.last_block_height, info.last_block_app_hash);
        let header = wait_for(&format!("{}: block {}", node.name, height + 1), STALL, || {
            net.nodes[0].rpc.block(height + 1).map(|b| b.block.header).map_err(|e| e.to_string())
        });
        assert_eq!(
            header.app_hash,
            app_hash,
            "{}: Info says app hash {app_hash:02x?} at height {height}, header {} says {:02x?}",
            node.name,
            height + 1,
            header.app_hash
        );
    }
}

fn heights(net: &Network, nodes: &[usize]) -> Vec<u64> {
    nodes.iter().map(|&i| net.nodes[i].rpc.height().unwrap_or(0)).collect()
}

#[test]
fn four_validators_agree_on_every_app_hash_and_survive_a_stopped_validator() {
    let started = Instant::now();
    let all: Vec<usize> = (0..NODES).collect();
    let others: Vec<usize> = all.iter().copied().filter(|&i| i != STOPPED).collect();
    let mut net = cometbft::localnet(NODES, "e2e-four");
    net.start_all();
    net.wait_for_height(&all, 2, Duration::from_secs(60));
    let (_, validators) = net.nodes[0].rpc.validator_set(0).unwrap();
    assert_eq!(validators.len(), NODES, "validator set: {validators:?}");

    // --- Load: alice, bob, carol, dave each send to their own node (never the one that will
    // be stopped), to each other and to two fresh accounts.
    let mut recipients: Vec<_> = net.accounts.iter().map(|a| a.address).collect();
    recipients.extend(["fresh1", "fresh2"].iter().map(|n| TestAccount::named(n).address));
    let senders = net
        .accounts
        .iter()
        .enumerate()
        .map(|(k, account)| (account.clone(), net.nodes[others[k % others.len()]].rpc.clone()))
        .collect();
    let mut load = TransferLoad::start(&net.chain_id, senders, recipients, Duration::from_millis(40));

    // --- At least 50 blocks under load; identical hashes everywhere.
    let first_loaded = heights(&net, &all).into_iter().max().unwrap_or(0);
    net.wait_for_height(&all, first_loaded + LOADED_BLOCKS, STALL);
    let h1 = heights(&net, &all).into_iter().min().unwrap_or(0);
    let history = assert_same_history(&net, &all, h1);
    let loaded_txs: u64 = history.iter().filter(|m| m.header.height > first_loaded).map(|m| m.num_txs).sum();
    assert!(loaded_txs >= LOADED_BLOCKS, "only {loaded_txs} txs in the {} loaded blocks", h1 - first_loaded);
    assert_infos_match_headers(&net, &all);
    eprintln!("{h1} blocks identical on {NODES} nodes ({loaded_txs} txs) after {:?}", started.elapsed());

    // --- Stop one validator: the other three keep producing blocks.
    let (comet, app) = net.nodes[STOPPED].stop();
    eprintln!("stopped {}: cometbft {comet:?}, appchaind {app:?}", net.nodes[STOPPED].name);
    assert!(app.is_some_and(|s| s.success()), "{}: appchaind did not stop cleanly: {app:?}", net.nodes[STOPPED].name);
    let at_stop = heights(&net, &others).into_iter().max().unwrap_or(0);
    net.wait_for_height(&others, at_stop + 10, STALL);
    let without = heights(&net, &others).into_iter().min().unwrap_or(0);
    assert_same_history(&net, &others, without);
    eprintln!("3 validators went from {at_stop} to {without} without {}", net.nodes[STOPPED].name);

    // --- Restart it: it catches up with the others within a bounded time.
    let restart = Instant::now();
    net.nodes[STOPPED].start();
    let target = heights(&net, &others).into_iter().max().unwrap_or(0);
    net.wait_for_height(&[STOPPED], target, STALL);
    wait_for(&format!("{} to finish catching up", net.nodes[STOPPED].name), Duration::from_secs(60), || {
        let sync = net.nodes[STOPPED].rpc.status().map_err(|e| e.to_string())?.sync_info;
        let (height, catching_up) = (sync.latest_block_height, sync.catching_up);
        let tip = heights(&net, &others).into_iter().max().unwrap_or(0);
        if !catching_up && height + 2 >= tip {
            Ok(())
        } else {
            Err(format!("at {height} (catching_up={catching_up}), others at {tip}"))
        }
    });
    eprintln!("{} caught up to {target} in {:?}", net.nodes[STOPPED].name, restart.elapsed());
    // It keeps up afterwards: it is part of consensus again.
    let now = heights(&net, &all).into_iter().max().unwrap_or(0);
    net.wait_for_height(&all, now + 3, STALL);

    // --- Stop the load; identical history on all four nodes, and balances that match the blocks.
    let stats = load.stop();
    assert!(surprises(&stats).is_empty(), "unexpected CheckTx refusals: {stats:#?}");
    assert_eq!(stats.rpc_errors, 0, "CometBFT RPC errors while every loaded node was up: {stats:#?}");
    let end = heights(&net, &all).into_iter().min().unwrap_or(0);
    assert_same_history(&net, &all, end);
    assert_infos_match_headers(&net, &all);
    let replayed = replay_blocks(&net.nodes[0].rpc, &genesis_balances(&net), &load.ledger, end);
    for &i in &all {
        check_balances(&net.nodes[i].rpc, &replayed.balances, end, &net.nodes[i].name);
    }
    for node in &mut net.nodes {
        node.assert_running();
    }
    eprintln!(
        "{end} identical blocks, {} transfers ({} signed) on {NODES} nodes in {:?}",
        replayed.txs,
        load.ledger.len(),
        started.elapsed()
    );
}
