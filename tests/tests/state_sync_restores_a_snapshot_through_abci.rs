//! State sync through the ABCI adapter, in process (the app-template chain, real stores on
//! disk): a node that takes snapshots every 5 heights serves them; a fresh node refuses the
//! snapshot under a wrong app hash and accepts it under the right one, answers a corrupted chunk
//! with RETRY (refetch that chunk, reject its sender), restores from the honest chunks, reports
//! the snapshot's height and app hash in Info (also after a restart), and executes the next
//! block to the same app hash as the node it synced from. Commit's retain height follows
//! `min-retain-blocks`, the oldest snapshot and the evidence age.

mod abci;

use std::path::Path;
use std::sync::{Arc, Mutex};

use abci::{genesis, time};
use appchain::{AppChain, Msg};
use bytes::Bytes;
use conclave_abci::dispatch::dispatch;
use conclave_abci::{AbciApp, StateSyncConfig};
use conclave_core::Coin;
use conclave_runtime::Runtime;
use conclave_store::{Store, StoreConfig};
use conclave_testkit::{TestAccount, TxOptions};
use tendermint_proto::google::protobuf::Duration as ProtoDuration;
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::abci::{request, response, Request};
use tendermint_proto::v0_38::types::{ConsensusParams, EvidenceParams};

use pb::response_apply_snapshot_chunk::Result as ChunkResult;
use pb::response_offer_snapshot::Result as OfferResult;

const CHAIN: &str = "state-sync-abci";
const INTERVAL: u64 = 5;
const MIN_RETAIN_BLOCKS: u64 = 3;
const EVIDENCE_MAX_AGE_BLOCKS: i64 = 4;

struct Node {
    app: AbciApp<AppChain>,
    fatal: Arc<Mutex<Vec<String>>>,
}

/// A node on the store in `dir`; with `snapshots`, it takes a snapshot every [`INTERVAL`]
/// heights under `dir/snapshots` (chunks of ~1 KiB, so a small state has several) and prunes.
fn node(dir: &Path, snapshots: bool) -> Node {
    let store = Store::open(&dir.join("app"), StoreConfig::default()).unwrap();
    let fatal = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&fatal);
    let mut app = AbciApp::with_fatal_handler(
        Runtime::new(AppChain::default(), store),
        "appchain",
        Arc::new(move |message: &str| recorded.lock().unwrap().push(message.to_string())),
    );
    if snapshots {
        let config = StateSyncConfig {
            snapshot_interval: INTERVAL,
            snapshot_keep_recent: 2,
            min_retain_blocks: MIN_RETAIN_BLOCKS,
            snapshot_dir: dir.join("snapshots"),
            chunk_bytes: 1024,
        };
        app = app.with_state_sync(&config).unwrap();
    }
    Node { app, fatal }
}

impl Node {
    fn call(&self, value: request::Value) -> response::Value {
        let answer = dispatch(&self.app, Request { value: Some(value) }).value.expect("an answer");
        assert!(self.fatal.lock().unwrap().is_empty(), "fatal: {:?}", self.fatal.lock().unwrap());
        answer
    }

    fn info(&self) -> (i64, Bytes) {
        let response::Value::Info(info) = self.call(request::Value::Info(pb::RequestInfo::default())) else { panic!() };
        (info.last_block_height, info.last_block_app_hash)
    }

    /// FinalizeBlock then Commit; returns the app hash and the retain height.
    fn block(&self, height: i64, txs: &[Vec<u8>]) -> (Bytes, i64) {
        let response::Value::FinalizeBlock(block) =
            self.call(request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
                txs: txs.iter().cloned().map(Bytes::from).collect(),
                height,
                time: time(1_700_000_000 + height),
                ..Default::default()
            }))
        else {
            panic!()
        };
        for result in &block.tx_results {
            assert_eq!(result.code, 0, "block {height}: {}", result.log);
        }
        let response::Value::Commit(commit) = self.call(request::Value::Commit(pb::RequestCommit {})) else { panic!() };
        (block.app_hash, commit.retain_height)
    }

    fn offer(&self, snapshot: &pb::Snapshot, app_hash: &[u8]) -> i32 {
        let response::Value::OfferSnapshot(answer) =
            self.call(request::Value::OfferSnapshot(pb::RequestOfferSnapshot {
                snapshot: Some(snapshot.clone()),
                app_hash: Bytes::copy_from_slice(app_hash),
            }))
        else {
            panic!()
        };
        answer.result
    }

    fn apply(&self, index: u32, chunk: Bytes, sender: &str) -> pb::ResponseApplySnapshotChunk {
        let response::Value::ApplySnapshotChunk(answer) =
            self.call(request::Value::ApplySnapshotChunk(pb::RequestApplySnapshotChunk {
                index,
                chunk,
                sender: sender.into(),
            }))
        else {
            panic!()
        };
        answer
    }

    fn balance(&self, who: &TestAccount) -> Coin {
        let data = serde_json::to_vec(&serde_json::json!({ "address": who.address, "denom": "stake" })).unwrap();
        let response::Value::Query(answer) = self.call(request::Value::Query(pb::RequestQuery {
            data: data.into(),
            path: "bank/balance".into(),
            height: 0,
            prove: false,
        })) else {
            panic!()
        };
        assert_eq!(answer.code, 0, "{}", answer.log);
        serde_json::from_slice(&answer.value).unwrap()
    }
}

fn transfer(from: &TestAccount, nonce: u64, to: &TestAccount, amount: u128) -> Vec<u8> {
    let msg = Msg::Bank(conclave_bank::Msg::Send { to: to.address, amount: Coin::new("stake", amount) });
    from.sign(CHAIN, nonce, vec![msg], &TxOptions::default())
}

#[test]
fn a_fresh_node_restores_a_snapshot_and_executes_the_next_block_identically() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let source = node(dirs[0].path(), true);
    let (alice, bob) = (TestAccount::named("alice"), TestAccount::named("bob"));
    // Many small accounts, so the state spreads over several chunks.
    let others: Vec<TestAccount> = (0..40).map(|i| TestAccount::named(&format!("account{i}"))).collect();

    let response::Value::InitChain(_) = source.call(request::Value::InitChain(pb::RequestInitChain {
        time: time(1_700_000_000),
        chain_id: CHAIN.into(),
        app_state_bytes: Bytes::from(genesis(&[&alice, &bob])),
        initial_height: 1,
        consensus_params: Some(ConsensusParams {
            evidence: Some(EvidenceParams {
                max_age_num_blocks: EVIDENCE_MAX_AGE_BLOCKS,
                max_age_duration: Some(ProtoDuration { seconds: 3600, nanos: 0 }),
                max_bytes: 1 << 20,
            }),
            ..Default::default()
        }),
        ..Default::default()
    })) else {
        panic!()
    };

    // Heights 1..=10, a few transfers each; the retain height at each Commit is
    // min(h - 3 + 1, oldest snapshot kept or being written, h - 4), at least 0.
    let mut hashes = vec![Bytes::new()];
    let mut nonce = 0;
    let mut retained = Vec::new();
    for height in 1..=10i64 {
        let txs: Vec<Vec<u8>> = (0..4)
            .map(|k| {
                let to = &others[(height as usize * 4 + k) % others.len()];
                nonce += 1;
                transfer(&alice, nonce - 1, to, 100 + k as u128)
            })
            .collect();
        let (app_hash, retain) = source.block(height, &txs);
        hashes.push(app_hash);
        retained.push(retain);
        // So that no snapshot is skipped for its predecessor still being written.
        source.app.wait_for_snapshots();
    }
    assert_eq!(retained, vec![0, 0, 0, 0, 1, 2, 3, 4, 5, 5]);

    let response::Value::ListSnapshots(list) = source.call(request::Value::ListSnapshots(pb::RequestListSnapshots {}))
    else {
        panic!()
    };
    let heights: Vec<u64> = list.snapshots.iter().map(|s| s.height).collect();
    assert_eq!(heights, vec![5, 10]);
    let snapshot = list.snapshots[1].clone();
    assert!(snapshot.chunks >= 3, "only {} chunks", snapshot.chunks);
    assert_eq!(snapshot.format, 1);
    assert_eq!(snapshot.hash.as_ref(), blake3::hash(&snapshot.metadata).as_bytes());
    let chunks: Vec<Bytes> = (0..snapshot.chunks)
        .map(|index| {
            let response::Value::LoadSnapshotChunk(chunk) =
                source.call(request::Value::LoadSnapshotChunk(pb::RequestLoadSnapshotChunk {
                    height: 10,
                    format: 1,
                    chunk: index,
                }))
            else {
                panic!()
            };
            assert!(!chunk.chunk.is_empty(), "chunk {index}");
            chunk.chunk
        })
        .collect();
    // A chunk it does not have is empty (CometBFT reports it missing).
    let response::Value::LoadSnapshotChunk(missing) =
        source.call(request::Value::LoadSnapshotChunk(pb::RequestLoadSnapshotChunk { height: 7, format: 1, chunk: 0 }))
    else {
        panic!()
    };
    assert!(missing.chunk.is_empty());

    // --- The fresh node.
    let fresh = node(dirs[1].path(), false);
    assert_eq!(fresh.info(), (0, Bytes::new()));
    // Without an accepted snapshot there is nothing to apply a chunk to.
    assert_eq!(fresh.apply(0, chunks[0].clone(), "peer-a").result, ChunkResult::Abort as i32);
    // The app hash of another height: refused.
    assert_eq!(fresh.offer(&snapshot, &hashes[9]), OfferResult::Reject as i32);
    // An unknown format: refused as a format.
    assert_eq!(
        fresh.offer(&pb::Snapshot { format: 2, ..snapshot.clone() }, &hashes[10]),
        OfferResult::RejectFormat as i32
    );
    assert_eq!(fresh.offer(&snapshot, &hashes[10]), OfferResult::Accept as i32);

    // Chunk 0 as it should be; chunk 1 corrupted (one byte of a value flipped) by peer-b.
    assert_eq!(fresh.apply(0, chunks[0].clone(), "peer-a").result, ChunkResult::Accept as i32);
    let mut corrupted = chunks[1].to_vec();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0x01;
    let answer = fresh.apply(1, Bytes::from(corrupted), "peer-b");
    assert_eq!(answer.result, ChunkResult::Retry as i32);
    assert_eq!(answer.refetch_chunks, vec![1]);
    assert_eq!(answer.reject_senders, vec!["peer-b".to_string()]);
    // Nothing of it was applied: the node is still empty.
    assert_eq!(fresh.info(), (0, Bytes::new()));
    // The honest chunks, the last one restoring the state.
    for (index, chunk) in chunks.iter().enumerate().skip(1) {
        let answer = fresh.apply(index as u32, chunk.clone(), "peer-c");
        assert_eq!(answer.result, ChunkResult::Accept as i32, "chunk {index}");
        assert!(answer.refetch_chunks.is_empty() && answer.reject_senders.is_empty());
    }
    assert_eq!(fresh.info(), (10, hashes[10].clone()));
    assert_eq!(fresh.balance(&alice), source.balance(&alice));
    assert_eq!(fresh.balance(&others[7]), source.balance(&others[7]));
    // The mempool view is the restored state: alice's next nonce passes, a used one does not.
    for (tx_nonce, code) in [(nonce, 0), (nonce - 1, conclave_core::TxCode::NonceTooLow.code())] {
        let tx = transfer(&alice, tx_nonce, &bob, 1);
        let response::Value::CheckTx(check) =
            fresh.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from(tx), r#type: 0 }))
        else {
            panic!()
        };
        assert_eq!(check.code, code, "nonce {tx_nonce}: {}", check.log);
    }
    // A second offer finds the store in use: state sync stops rather than overwrite it.
    assert_eq!(fresh.offer(&snapshot, &hashes[10]), OfferResult::Abort as i32);

    // Restarted right after the restore, the node is at the snapshot's height.
    drop(fresh);
    let fresh = node(dirs[1].path(), false);
    assert_eq!(fresh.info(), (10, hashes[10].clone()));

    // Block 11 on both: the same app hash; the synced node runs the ante checks on the restored
    // nonces (alice's next transfer has nonce 40) and the mempool sees the restored state.
    let txs = vec![transfer(&alice, nonce, &bob, 7), transfer(&bob, 0, &alice, 3)];
    let (expected, _) = source.block(11, &txs);
    let (app_hash, retain) = fresh.block(11, &txs);
    assert_eq!(app_hash, expected);
    assert_eq!(retain, 0, "a node without min-retain-blocks keeps every block");
    assert_eq!(fresh.info(), (11, expected));
    let response::Value::CheckTx(replay) =
        fresh.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from(txs[0].clone()), r#type: 0 }))
    else {
        panic!()
    };
    assert_eq!(replay.code, conclave_core::TxCode::NonceTooLow.code());
}
