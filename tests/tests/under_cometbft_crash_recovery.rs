//! `kill -9` of the chain process under a stream of transfers, three times: twice aimed
//! inside block execution (when CometBFT logs that it is handing a decided block to the app,
//! and when it logs that the app executed it, before Commit), once at an arbitrary moment.
//! After each kill CometBFT stops (it treats a lost ABCI connection as fatal; killed
//! mid-block it can hang instead, and is then killed too); both are restarted, CometBFT's
//! handshake replays what the app is missing, and then:
//! - the app's `Info` (via `/abci_info`) reports a height at least the one reached before the
//!   kill, and its app hash equals the app hash in the next block's header;
//! - every transfer `/tx` reported committed before the kill is still committed at the same
//!   height with code 0;
//! - the chain goes on producing blocks and accepting transfers.
//!
//! At least one kill must have left the app a block behind CometBFT's block store, so that
//! the handshake really replayed a block. At the end every balance equals genesis plus the
//! effect of every transaction in every block, as the chain reports it.
//!
//! The store keeps 2 versions and checkpoints its flat table every 3 commits here (defaults
//! 100 and 100), so recovery loads a checkpoint and replays the logged commits after it.

mod cometbft;

use std::time::{Duration, Instant};

use conclave_testkit::TestAccount;

use conclave_cometbft::{tail, Rpc};

use cometbft::load::{check_balances, replay_blocks, surprises, TransferLoad};
use cometbft::{genesis_balances, wait_for};

const KILLS: usize = 3;

fn abci_info_matches_header(rpc: &Rpc, when: &str) -> u64 {
    let info = rpc.abci_info().unwrap_or_else(|e| panic!("{when}: abci_info: {e}"));
    let (height, app_hash) = (info.last_block_height, info.last_block_app_hash);
    let header = wait_for(
        &format!("{when}: block {} after the app's height {height}", height + 1),
        Duration::from_secs(30),
        || rpc.block(height + 1).map(|b| b.block.header).map_err(|e| e.to_string()),
    );
    assert_eq!(
        header.app_hash,
        app_hash,
        "{when}: the app reports app hash {app_hash:02x?} at height {height}, but header {} says {:02x?}",
        height + 1,
        header.app_hash
    );
    height
}

/// `(appHeight, storeHeight)` from the last "ABCI Replay Blocks" line of CometBFT's log.
fn handshake_heights(log: &std::path::Path) -> (u64, u64) {
    let tail = tail(log, 400);
    let line = tail
        .lines()
        .rev()
        .find(|l| l.contains("ABCI Replay Blocks"))
        .unwrap_or_else(|| panic!("no handshake in {}:\n{tail}", log.display()));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    (field("appHeight="), field("storeHeight="))
}

#[test]
fn a_killed_chain_process_restarts_with_every_committed_transfer() {
    let started = Instant::now();
    let mut net = cometbft::single("e2e-crash");
    net.set_store(2, 3);
    net.start_all();
    net.wait_for_height(&[0], 2, Duration::from_secs(30));
    let rpc = net.nodes[0].rpc.clone();
    let sender = net.accounts[0].clone();
    let recipients: Vec<_> = ["r1", "r2", "r3"].iter().map(|n| TestAccount::named(n).address).collect();
    let mut load =
        TransferLoad::start(&net.chain_id, vec![(sender, rpc.clone())], recipients, Duration::from_millis(15));

    let mut last_restart_height = 0;
    let mut replays = 0;
    for kill in 1..=KILLS {
        // Let transfers flow for a few blocks.
        let target = rpc.height().unwrap() + 4;
        net.wait_for_height(&[0], target, Duration::from_secs(30));
        let want = 15 * kill;
        wait_for(&format!("{want} transfers accepted before kill {kill}"), Duration::from_secs(30), || {
            let n = load.accepted_count();
            if n >= want {
                Ok(())
            } else {
                Err(format!("{n} accepted"))
            }
        });

        // What is committed right now, then the kill (the load keeps sending).
        let hashes = load.accepted_hashes();
        let committed_before: Vec<(String, u64)> = hashes
            .iter()
            .filter_map(|h| rpc.tx(h).unwrap_or_else(|e| panic!("/tx {h}: {e}")).map(|tx| (h.clone(), tx.height)))
            .collect();
        assert!(!committed_before.is_empty(), "kill {kill}: no transfer committed yet out of {}", hashes.len());
        let height_before = rpc.height().unwrap();
        // Kill 1 and 2 are aimed inside block execution (CometBFT has decided a block and is
        // handing it to the app, or has just had it executed and is about to commit); the
        // last lands wherever it lands.
        let moment = match kill {
            1 => net.nodes[0].kill_app_on_cometbft_log("finalizing commit of block", Duration::from_secs(30)),
            2 => net.nodes[0].kill_app_on_cometbft_log("executed block", Duration::from_secs(30)),
            _ => {
                net.nodes[0].kill_app();
                "an arbitrary moment".to_string()
            }
        };
        eprintln!("kill {kill} at: {moment}");

        // CometBFT loses its ABCI connection and normally stops by itself. Killed in the
        // middle of a block it can hang instead (and ignore SIGTERM): then it is killed too,
        // as an operator would have to.
        match net.nodes[0].wait_cometbft_exit(Duration::from_secs(5)) {
            Some(status) => eprintln!("kill {kill} at height ~{height_before}: cometbft exited by itself ({status})"),
            None => {
                let tail = tail(&net.nodes[0].cometbft_log(), 12);
                eprintln!("kill {kill}: cometbft still running 5 s after losing the app; its last lines:\n{tail}");
                let status = net.nodes[0].stop_cometbft(Duration::from_secs(2));
                eprintln!("kill {kill}: cometbft stopped ({status:?})");
            }
        }

        // Restart both: the handshake replays, and the chain goes on.
        net.nodes[0].start();
        net.wait_for_height(&[0], height_before + 3, Duration::from_secs(60));
        let app_height = abci_info_matches_header(&rpc, &format!("after kill {kill}"));
        assert!(
            app_height >= height_before,
            "after kill {kill}: the app is at {app_height}, below {height_before} reached before"
        );
        for (hash, height) in &committed_before {
            let tx = rpc.tx(hash).unwrap_or_else(|e| panic!("/tx {hash}: {e}"));
            let tx = tx.unwrap_or_else(|| {
                panic!("after kill {kill}: tx {hash}, committed at {height} before the kill, is gone")
            });
            assert_eq!((tx.height, tx.tx_result.code), (*height, 0), "after kill {kill}: tx {hash} moved or failed");
        }
        last_restart_height = height_before;
        // What the handshake saw: the app's height against CometBFT's block store.
        let (app, store) = handshake_heights(&net.nodes[0].cometbft_log());
        eprintln!("  kill {kill}: handshake found the app at {app}, the block store at {store}");
        let app_log = tail(&net.nodes[0].app_log(), 200);
        if let Some(line) = app_log.lines().rev().find(|l| l.contains("state store recovered")) {
            eprintln!("  kill {kill}: {}", line.trim());
        }
        if app < store {
            replays += 1;
        }
    }
    // The kills aimed inside block execution leave the app a block behind CometBFT's store,
    // so the handshake replays that block on the restarted app. (Both aimed kills missing
    // their few-millisecond window would mean block execution got much faster, or this
    // machine much slower: look at the kill lines above.)
    assert!(replays >= 1, "no kill left the app behind CometBFT's block store: the handshake never replayed a block");

    // The chain keeps accepting and committing transfers after the last restart.
    let accepted_at_restart = load.accepted_count();
    wait_for("transfers committed after the last restart", Duration::from_secs(60), || {
        let hashes = load.accepted_hashes();
        let fresh = hashes[accepted_at_restart.min(hashes.len())..]
            .iter()
            .filter(|h| matches!(rpc.tx(h), Ok(Some(tx)) if tx.height > last_restart_height))
            .count();
        if fresh >= 10 {
            Ok(())
        } else {
            Err(format!("{fresh} new transfers committed"))
        }
    });
    let stats = load.stop();
    assert!(surprises(&stats).is_empty(), "unexpected refusals: {stats:#?}");

    // Every balance = genesis + every block's transfers, at the app's latest height.
    let height = abci_info_matches_header(&rpc, "at the end");
    let replayed = replay_blocks(&rpc, &genesis_balances(&net), &load.ledger, height);
    check_balances(&rpc, &replayed.balances, height, "node0");
    assert!(replayed.txs >= 30, "only {} transfers committed in {height} blocks", replayed.txs);
    net.nodes[0].assert_running();
    eprintln!(
        "{KILLS} kills survived; {} transfers in {height} blocks ({} signed, {} refused, {} unanswered) in {:?}",
        replayed.txs,
        load.ledger.len(),
        stats.refused_total(),
        stats.unreachable,
        started.elapsed()
    );
}
