//! Every answer recorded from CometBFT 0.38.25 (`tests/fixtures/`, see its README) decodes
//! through the client's methods, served by a loopback stub, with the values CometBFT printed;
//! and the requests carry the parameters CometBFT's URI handlers expect.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod stub;

use std::time::{Duration, SystemTime};

use conclave_cometbft::rpc::{CommitSig, KeyAlgorithm, Rpc, RpcError};
use stub::{fixture, Stub};

/// Serves each fixture under its method; `block_results` at height 73 and `tx` of hash 0…0
/// give the validator-update and not-found recordings, the second `broadcast_tx_sync` the
/// "already in cache" one.
fn cometbft_stub() -> (Stub, Rpc) {
    let broadcasts = std::sync::atomic::AtomicUsize::new(0);
    let stub = Stub::start(move |method, query| match method {
        "block_results" if query.contains("height=73") => fixture("block_results_validator_update"),
        "tx" if query.contains(&"0".repeat(64)) => fixture("tx_not_found"),
        "broadcast_tx_sync" if broadcasts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 => {
            fixture("broadcast_tx_sync_cached")
        }
        other => fixture(other),
    });
    let rpc = Rpc::new(&stub.url).unwrap();
    (stub, rpc)
}

fn at(secs: u64, nanos: u32) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
}

const VALIDATOR: &str = "0AF9019550E90573640F65B54D0D1535AE2AD38C";

#[test]
fn status_and_abci_info() {
    let (_stub, rpc) = cometbft_stub();
    let status = rpc.status().unwrap();
    assert_eq!(status.node_info.id, "088a16a19119ee9bb5718667a56b13589bc54bbc");
    assert_eq!(
        (status.node_info.network.as_str(), status.node_info.version.as_str()),
        ("test-chain-cykq2R", "0.38.25")
    );
    assert_eq!(status.sync_info.latest_block_height, 83);
    assert_eq!(status.sync_info.latest_app_hash, [4, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(status.sync_info.latest_block_time, Some(at(1_796_423_573, 97_432_068)));
    assert_eq!(status.sync_info.earliest_block_height, 1);
    assert!(!status.sync_info.catching_up);
    assert_eq!(status.validator_info.address, VALIDATOR);
    assert_eq!(status.validator_info.pub_key.algorithm, KeyAlgorithm::Ed25519);
    assert_eq!(status.validator_info.pub_key.bytes.len(), 32);
    assert_eq!(status.validator_info.voting_power, 10);
    assert_eq!(rpc.height().unwrap(), 83);

    let info = rpc.abci_info().unwrap();
    assert_eq!((info.data.as_str(), info.version.as_str(), info.app_version), ("{\"size\":2}", "2.0.0", 1));
    assert_eq!(info.last_block_height, 83);
    assert_eq!(info.last_block_app_hash, [4, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn abci_query_sends_a_quoted_path_and_hex_data() {
    let (stub, rpc) = cometbft_stub();
    let answer = rpc.abci_query("store/key", b"name", 83, true).unwrap();
    assert_eq!((answer.code, answer.log.as_str(), answer.index), (0, "exists", -1));
    assert_eq!((answer.key.as_slice(), answer.value.as_slice()), (&b"name"[..], &b"satoshi"[..]));
    assert_eq!(answer.height, 83);
    assert!(answer.proof_ops.is_empty(), "proofOps is null in the recording");
    assert_eq!(
        stub.requests().last().unwrap(),
        "/abci_query?path=%22store%2Fkey%22&data=0x6e616d65&height=83&prove=true"
    );
}

#[test]
fn block_header_txs_and_last_commit() {
    let (stub, rpc) = cometbft_stub();
    let block = rpc.block(34).unwrap();
    assert_eq!(block.block_id.hash, "0490B4064B800843AFE9D43EB9DB592DA2C44FFEBEA477C0CE9C2D6E4E62692B");
    let header = &block.block.header;
    assert_eq!((header.chain_id.as_str(), header.height), ("test-chain-cykq2R", 34));
    assert_eq!(header.time, at(1_796_423_557, 334_858_453));
    assert_eq!(header.app_hash, [0; 8]);
    assert_eq!(header.last_block_id.hash, "122746E8FA546D0C013B1305ADFB132DF5788F1B6B7C4CB491AC3AEDC963B661");
    assert_eq!(header.proposer_address, VALIDATOR);
    assert_eq!(block.block.data.txs, [b"name=satoshi".to_vec()]);
    let last_commit = block.block.last_commit.as_ref().unwrap();
    assert_eq!((last_commit.height, last_commit.round), (33, 0));
    assert_eq!(last_commit.signatures[0].block_id_flag, CommitSig::COMMIT);
    assert_eq!(last_commit.signatures[0].signature.len(), 64);
    assert_eq!(stub.requests().last().unwrap(), "/block?height=34");
    rpc.block(0).unwrap();
    assert_eq!(stub.requests().last().unwrap(), "/block", "height 0 asks for the latest");
}

#[test]
fn block_results_with_events_and_validator_updates() {
    let (_stub, rpc) = cometbft_stub();
    let results = rpc.block_results(34).unwrap();
    assert_eq!(results.height, 34);
    assert_eq!(results.txs_results.len(), 1);
    let events = &results.txs_results[0].events;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, "app");
    assert_eq!((events[0].attributes[1].key.as_str(), events[0].attributes[1].value.as_str()), ("key", "name"));
    assert!(!events[0].attributes[3].index);
    assert!(results.validator_updates.is_empty() && results.finalize_block_events.is_empty());
    assert_eq!(results.app_hash, [2, 0, 0, 0, 0, 0, 0, 0]);
    let codes = rpc.block_tx_codes(34).unwrap().unwrap();
    assert_eq!((codes.len(), codes[0].code, codes[0].codespace.as_str()), (1, 0, ""));

    // 0.38.25 prints an update's key as {"Sum":{..,"value":{"ed25519":..}}}, and the same key
    // as {"type","value"} in /validators: both decode to the same key.
    let results = rpc.block_results(73).unwrap();
    assert_eq!(results.validator_updates.len(), 1);
    let update = &results.validator_updates[0];
    assert_eq!((update.pub_key.algorithm.clone(), update.power), (KeyAlgorithm::Ed25519, 1));
    let validators = rpc.validators(75, 1, 100).unwrap();
    assert_eq!(update.pub_key, validators.validators[1].pub_key);
}

#[test]
fn blockchain_headers_come_in_ascending_order_and_must_be_complete() {
    let (stub, rpc) = cometbft_stub();
    let chain = rpc.blockchain(33, 35).unwrap();
    assert_eq!(chain.last_height, 84);
    let metas = rpc.headers(33, 35).unwrap();
    let heights: Vec<u64> = metas.iter().map(|m| m.header.height).collect();
    assert_eq!(heights, [33, 34, 35]);
    assert_eq!(metas.iter().map(|m| m.num_txs).collect::<Vec<_>>(), [0, 1, 0]);
    assert_eq!(metas[1].block_id.hash, "0490B4064B800843AFE9D43EB9DB592DA2C44FFEBEA477C0CE9C2D6E4E62692B");
    assert_eq!(metas[2].header.app_hash, [2, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(metas[1].block_size, 591);
    assert_eq!(stub.requests().last().unwrap(), "/blockchain?minHeight=33&maxHeight=35");
    // Asking for 33..=36 gets the same three: an error, not a silent gap.
    assert!(matches!(rpc.headers(33, 36), Err(RpcError::Undecodable { .. })));
    assert_eq!(rpc.app_hash_after(34).unwrap(), [0; 8], "the fixture serves header 34 for any height");
}

#[test]
fn broadcast_check_tx_and_the_mempool_cache() {
    let (stub, rpc) = cometbft_stub();
    let accepted = rpc.broadcast_tx_sync(b"name=satoshi").unwrap();
    assert_eq!((accepted.code, accepted.log.as_str()), (0, ""));
    assert_eq!(accepted.hash, "57D835FBBA0DBF922D8A2EDA56922C9B24E7760927F245A7684A736C4769DB8A");
    assert_eq!(stub.requests().last().unwrap(), "/broadcast_tx_sync?tx=0x6e616d653d7361746f736869");
    let cached = rpc.broadcast_tx_sync(b"name=satoshi").unwrap_err();
    assert!(cached.is_tx_in_cache() && !cached.is_not_found(), "{cached:?}");
    match cached {
        RpcError::Rpc { code, message, .. } => assert_eq!((code, message.as_str()), (-32603, "Internal error")),
        other => panic!("{other:?}"),
    }
    let checked = rpc.check_tx(b"name=satoshi").unwrap();
    assert_eq!((checked.code, checked.gas_wanted, checked.gas_used), (0, 1, 0));
    assert!(checked.events.is_empty());
}

#[test]
fn tx_by_hash_and_not_found() {
    let (stub, rpc) = cometbft_stub();
    let hash = "57D835FBBA0DBF922D8A2EDA56922C9B24E7760927F245A7684A736C4769DB8A";
    let tx = rpc.tx(hash).unwrap().unwrap();
    assert_eq!((tx.hash.as_str(), tx.height, tx.index), (hash, 34, 0));
    assert_eq!(tx.tx, b"name=satoshi");
    assert_eq!((tx.tx_result.code, tx.tx_result.events.len()), (0, 2));
    assert_eq!(stub.requests().last().unwrap(), &format!("/tx?hash=0x{hash}"));
    assert_eq!(rpc.tx(&format!("0x{}", "0".repeat(64))).unwrap(), None);
}

#[test]
fn validators_commit_and_net_info() {
    let (stub, rpc) = cometbft_stub();
    let page = rpc.validators(75, 1, 100).unwrap();
    assert_eq!((page.block_height, page.count, page.total), (75, 2, 2));
    assert_eq!(page.validators[0].address, VALIDATOR);
    assert_eq!((page.validators[0].voting_power, page.validators[0].proposer_priority), (10, 5));
    assert_eq!(page.validators[1].voting_power, 1);
    assert_eq!(stub.requests().last().unwrap(), "/validators?height=75&page=1&per_page=100");
    let (height, set) = rpc.validator_set(75).unwrap();
    assert_eq!(height, 75);
    let addresses: Vec<&str> = set.iter().map(|v| v.address.as_str()).collect();
    assert_eq!(addresses, [VALIDATOR, "E68D9FEBA06799475BD3824D97BEA8FE2E63D01C"], "sorted by address");

    let commit = rpc.commit(34).unwrap();
    assert!(commit.canonical);
    assert_eq!(commit.signed_header.header.height, 34);
    assert_eq!(
        commit.signed_header.commit.block_id.hash,
        "0490B4064B800843AFE9D43EB9DB592DA2C44FFEBEA477C0CE9C2D6E4E62692B"
    );
    assert_eq!(commit.signed_header.commit.signatures[0].timestamp, Some(at(1_796_423_557, 648_005_005)));
    assert_eq!(rpc.commit_signers(34).unwrap(), [VALIDATOR]);

    let net = rpc.net_info().unwrap();
    assert!(net.listening);
    assert_eq!((net.n_peers, net.peers.len()), (0, 0));
    assert_eq!(net.listeners, ["Listener(@)"]);
}
