//! Event indexing under a real CometBFT follows each node's own `[events]` in app.toml, and
//! nodes that index differently still agree on every hash (indexing is not consensus).
//!
//! Two validators of one chain: node0 keeps the default (`index = "declared"`: the modules'
//! query keys, so `bank.transfer.recipient` but not `bank.transfer.amount`); node1 sets
//! `index = "none"` with `also-index = ["bank.transfer.amount"]`. One transfer, then
//! `/tx_search` on each node finds exactly what that node indexed, and both find the
//! transaction by hash.

mod cometbft;

use std::time::Duration;

use serde_json::Value;

use conclave_cometbft::rpc::Rpc;
use conclave_testkit::{TestAccount, TxOptions};

const STALL: Duration = Duration::from_secs(60);

/// How many transactions `query` finds on `rpc` (`/tx_search`).
fn found(rpc: &Rpc, query: &str) -> Result<u64, String> {
    let answer: Value =
        rpc.call("tx_search", &[("query", format!("{query:?}"))]).map_err(|e| format!("tx_search {query}: {e}"))?;
    let count = answer["total_count"].as_str().and_then(|n| n.parse().ok());
    count.ok_or_else(|| format!("tx_search {query}: no total_count in {answer}"))
}

#[test]
fn each_node_indexes_what_its_app_toml_says() {
    let mut net = cometbft::localnet(2, "index-modes");
    let node1_app_toml = net.nodes[1].home.join("config/app.toml");
    let text = std::fs::read_to_string(&node1_app_toml).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc["events"]["index"] = toml_edit::value("none");
    doc["events"]["also-index"] = toml_edit::value(toml_edit::Array::from_iter(["bank.transfer.amount"]));
    std::fs::write(&node1_app_toml, doc.to_string()).unwrap();
    net.start_all();
    net.wait_for_height(&[0, 1], 2, STALL);

    let sender = &net.accounts[0];
    let recipient = TestAccount::named("indexed-recipient");
    let amount: u128 = 4_321_987;
    let tx =
        sender.sign(&net.chain_id, 0, vec![cometbft::load::send(recipient.address, amount)], &TxOptions::default());
    let rpcs = [net.nodes[0].rpc.clone(), net.nodes[1].rpc.clone()];
    let committed = rpcs[0].broadcast_tx_commit(&tx).unwrap();
    assert_eq!((committed.check_tx.code, committed.tx_result.code), (0, 0), "{committed:?}");
    let hash = committed.hash.clone();

    let by_hash = format!("tx.hash='{hash}'");
    let by_recipient = format!("bank.transfer.recipient='{}'", recipient.address);
    let by_sender = format!("bank.fee.sender='{}'", sender.address);
    let by_amount = format!("bank.transfer.amount={amount}");
    let by_denom = "bank.transfer.denom='stake'".to_string();

    // Each node indexes the block once it has committed it: wait for what it must find, then
    // what it must not find is final.
    let [node0, node1] = &rpcs;
    for query in [&by_hash, &by_recipient, &by_sender] {
        cometbft::wait_for(&format!("node0 to index {query}"), STALL, || match found(node0, query)? {
            1 => Ok(()),
            n => Err(format!("{n} found")),
        });
    }
    assert_eq!(found(node0, &by_amount), Ok(0), "node0 indexes amounts only if asked");
    assert_eq!(found(node0, &by_denom), Ok(0), "node0 indexes denominations only if asked");

    for query in [&by_hash, &by_amount] {
        cometbft::wait_for(&format!("node1 to index {query}"), STALL, || match found(node1, query)? {
            1 => Ok(()),
            n => Err(format!("{n} found")),
        });
    }
    for query in [&by_recipient, &by_sender, &by_denom] {
        assert_eq!(found(node1, query), Ok(0), "node1 indexes nothing but the amount: {query}");
    }

    // Indexing is not consensus: both nodes hold the same app hash after the block.
    let height = committed.height;
    net.wait_for_height(&[0, 1], height + 1, STALL);
    let hashes: Vec<Vec<u8>> = rpcs.iter().map(|rpc| rpc.app_hash_after(height).unwrap()).collect();
    assert_eq!(hashes[0], hashes[1], "app hash after height {height}");
}
