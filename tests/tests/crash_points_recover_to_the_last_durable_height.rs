//! The crash-point matrix, in process: at each of 20 heights the node "crashes" at every fail
//! point around a commit, restarts from its files, and must agree with a run that never
//! crashed.
//!
//! Fail points, at each height H (the runtime's store sits on [`crash::FaultyBackend`]s):
//! - **between FinalizeBlock and Commit**: FinalizeBlock(H) ran, Commit never came;
//! - **before the redb commit**: the first write of Commit's redb transaction fails;
//! - **inside the redb commit**: its k-th write fails, for every k up to the transaction's last
//!   write (its fsync included), found by trying k = 1, 2, … until the commit gets through;
//! - **after the redb commit**: Commit returned, the response never reached CometBFT;
//! - **storage I/O errors in the background checkpoint**: the k-th write to `flat.redb` after
//!   Commit(H) fails, which surfaces at a later commit as a fatal store error.
//!
//! After every crash the store is reopened from disk and checked as CometBFT's handshake
//! would see it:
//! - Info reports the last durable height: H−1 when nothing of H's transaction landed, H once
//!   Commit returned, one of the two in between; and its app hash is the reference hash there;
//! - the app is never ahead of CometBFT: CometBFT stores block H before it calls
//!   FinalizeBlock(H), so Info ≤ H;
//! - replaying the recorded blocks from Info's height to the tip gives byte-identical hashes.
//!
//! Small `keep_versions` and `checkpoint_interval` make checkpoints and log pruning part of
//! most commits, so the crashes also land on their writes. Store files live on tmpfs when the
//! machine has one: an fsync there costs nothing, and the matrix runs hundreds of commits.

mod common;
mod crash;

use std::path::Path;
use std::sync::Arc;

use appchain::{AppChain, Msg};
use common::*;
use conclave_core::{BlockTime, Coin};
use conclave_runtime::{FinalizeBlockRequest, InitChainRequest, Runtime, RuntimeError};
use conclave_store::{Hash, Store, StoreConfig};
use conclave_testkit::TxOptions;
use crash::{open_faulty, Faults, File};

/// Heights covered by the matrix.
const HEIGHTS: u64 = 20;

fn config() -> StoreConfig {
    StoreConfig { keep_versions: 3, checkpoint_interval: 2 }
}

/// What a node is handed: InitChain's request and one FinalizeBlock request per height, with
/// the hashes a run that never crashed computed (`hashes[h]` for height h; `hashes[0]` unused).
struct Recorded {
    init: InitChainRequest,
    blocks: Vec<FinalizeBlockRequest>,
    hashes: Vec<Hash>,
}

/// Transfers, multi-sends and failing transfers from every account, blocks produced by the
/// test chain so they carry realistic last commits; then a clean run on disk for the hashes.
fn record() -> Recorded {
    let mut chain = chain();
    let accounts = accounts();
    let mut blocks = Vec::new();
    for height in 1..=HEIGHTS {
        let mut txs = Vec::new();
        for (i, from) in accounts.iter().enumerate() {
            let to = &accounts[(i + 1) % accounts.len()];
            let msg = match (height as usize + i) % 3 {
                0 => Msg::Bank(conclave_bank::Msg::MultiSend {
                    outputs: vec![conclave_bank::Output { to: to.address, amount: Coin::new("atom", 1) }],
                }),
                1 => send(from, 5), // to self: refused, but fee and nonce still change state
                _ => send(to, u128::from(height) + i as u128),
            };
            txs.push(from.sign("test-chain", height - 1, vec![msg], &TxOptions::default()));
        }
        let mut request = chain.next_block();
        request.txs = txs;
        blocks.push(request.clone());
        chain.produce_block_with(request);
    }
    let genesis_time = BlockTime(blocks[0].time.0.saturating_sub(BlockTime::NANOS_PER_SECOND));
    let app_state = serde_json::to_vec(&genesis(&accounts)).unwrap();
    let init = InitChainRequest::new("test-chain", genesis_time, 1, app_state);

    let dir = scratch_dir();
    let mut runtime = Runtime::new(AppChain::default(), Store::open(dir.path(), config()).unwrap());
    runtime.init_chain(init.clone()).unwrap();
    let mut hashes = vec![[0u8; 32]];
    for block in &blocks {
        let response = runtime.finalize_block(block.clone()).unwrap();
        assert!(response.tx_results.iter().filter(|r| r.is_ok()).count() >= 2, "the blocks change state");
        runtime.commit().unwrap();
        hashes.push(response.app_hash);
    }
    let distinct: std::collections::BTreeSet<_> = hashes.iter().collect();
    assert_eq!(distinct.len() as u64, HEIGHTS + 1, "every height has its own hash");
    Recorded { init, blocks, hashes }
}

fn scratch_dir() -> tempfile::TempDir {
    match Path::new("/dev/shm").is_dir() {
        true => tempfile::tempdir_in("/dev/shm").unwrap(),
        false => tempfile::tempdir().unwrap(),
    }
}

/// Where the node crashes at height H.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FailPoint {
    BetweenFinalizeAndCommit,
    /// The k-th write of Commit's redb transaction fails (k = 0: before anything is written).
    RedbCommitWrite(u64),
    AfterRedbCommit,
    /// The k-th write to flat.redb after Commit(H) fails.
    CheckpointWrite(u64),
}

/// Where a crashed node stood: the last height whose Commit returned, and the last height
/// handed to FinalizeBlock (which CometBFT had stored before handing it over).
#[derive(Clone, Copy, Debug)]
struct Crashed {
    committed: u64,
    finalized: u64,
}

/// A node on faulty backends, driven until it crashes at `point` of height `at`; `None` if the
/// fail point was never reached (k past the transaction's last write, or no checkpoint wrote
/// that much before the tip).
fn run_until_crash(recorded: &Recorded, dir: &Path, at: u64, point: FailPoint) -> Option<Crashed> {
    let faults = Arc::new(Faults::default());
    let mut runtime = Runtime::new(AppChain::default(), open_faulty(dir, config(), &faults).unwrap());
    runtime.init_chain(recorded.init.clone()).unwrap();
    let mut stood = Crashed { committed: 0, finalized: 0 };
    for block in &recorded.blocks {
        let height = block.height;
        let response = match runtime.finalize_block(block.clone()) {
            Ok(response) => response,
            Err(error) => return Some(crashed(&faults, error, stood)),
        };
        stood.finalized = height;
        assert_eq!(response.app_hash, recorded.hashes[height as usize], "height {height} before any crash");
        if height == at {
            match point {
                FailPoint::BetweenFinalizeAndCommit => return Some(stood),
                FailPoint::RedbCommitWrite(k) => faults.fail_write_from_now(File::Log, k),
                FailPoint::CheckpointWrite(k) => faults.fail_write_from_now(File::Flat, k),
                FailPoint::AfterRedbCommit => {}
            }
        }
        match runtime.commit() {
            Ok(_) => stood.committed = height,
            Err(error) => return Some(crashed(&faults, error, stood)),
        }
        if height == at {
            match point {
                FailPoint::AfterRedbCommit => return Some(stood),
                // The whole transaction got through before its k-th write.
                FailPoint::RedbCommitWrite(_) => return None,
                _ => {}
            }
        }
    }
    // Dropping the runtime joins the checkpoint thread: a checkpoint write that fails does
    // so before `crashed()` is read.
    drop(runtime);
    faults.crashed().then_some(stood)
}

/// A fatal error must come from the injected fault, never from anything else.
fn crashed(faults: &Faults, error: RuntimeError, stood: Crashed) -> Crashed {
    assert!(faults.crashed(), "a fatal error without an injected fault: {error}");
    stood
}

/// Restarts from `dir` as CometBFT's handshake would, checks Info, replays to the tip.
/// Returns the height Info reported.
fn restart_and_replay(recorded: &Recorded, dir: &Path, stood: Crashed) -> u64 {
    let mut runtime = Runtime::new(AppChain::default(), Store::open(dir, config()).unwrap());
    let info = runtime.info();
    let height = info.last_block_height;
    assert!(height <= stood.finalized, "the app is ahead of CometBFT: Info {height}, {stood:?}");
    assert!(height >= stood.committed, "a commit that returned was lost: Info {height}, {stood:?}");
    if height == 0 {
        assert!(info.last_block_app_hash.is_empty());
        runtime.init_chain(recorded.init.clone()).unwrap();
    } else {
        assert_eq!(info.last_block_app_hash, recorded.hashes[height as usize], "Info's app hash at {height}");
    }
    for block in &recorded.blocks[height as usize..] {
        let response = runtime.finalize_block(block.clone()).unwrap();
        assert_eq!(response.app_hash, recorded.hashes[block.height as usize], "replayed height {}", block.height);
        runtime.commit().unwrap();
    }
    height
}

/// Runs one case: the height Info reported after the restart, or `None` if the fail point
/// was not reached.
fn case(recorded: &Recorded, at: u64, point: FailPoint) -> Option<u64> {
    let dir = scratch_dir();
    let stood = run_until_crash(recorded, dir.path(), at, point)?;
    Some(restart_and_replay(recorded, dir.path(), stood))
}

#[test]
fn every_fail_point_around_commit_recovers_at_every_height() {
    let recorded = record();
    let mut cases = 0u64;
    let mut landed_inside = 0u64;
    for at in 1..=HEIGHTS {
        assert_eq!(case(&recorded, at, FailPoint::BetweenFinalizeAndCommit), Some(at - 1), "height {at}");
        assert_eq!(case(&recorded, at, FailPoint::RedbCommitWrite(0)), Some(at - 1), "height {at}, before");
        assert_eq!(case(&recorded, at, FailPoint::AfterRedbCommit), Some(at), "height {at}, after");
        cases += 3;
        let mut k = 1;
        while let Some(info) = case(&recorded, at, FailPoint::RedbCommitWrite(k)) {
            landed_inside += u64::from(info == at);
            cases += 1;
            k += 1;
            assert!(k < 1_000, "a commit of a few changes should not take 1,000 writes");
        }
        // Every commit has more than one write (pages, header, fsync): inside is not empty.
        assert!(k > 2, "height {at}: only {} write(s) inside the commit", k - 1);
    }
    // A crash after the header reached the file, before its fsync returned, keeps the commit:
    // the matrix must have seen both outcomes of a crash inside the transaction.
    assert!(landed_inside > 0, "no crash inside a commit kept the new height");
    eprintln!("crash matrix: {cases} crash points over {HEIGHTS} heights, all recovered");
}

#[test]
fn storage_errors_in_background_checkpoints_recover_at_every_height() {
    let recorded = record();
    let mut fired = 0u64;
    for at in 1..=HEIGHTS {
        for k in 0..3 {
            if case(&recorded, at, FailPoint::CheckpointWrite(k)).is_some() {
                fired += 1;
            }
        }
    }
    // A checkpoint starts every two commits unless one is still running, so how many of these
    // points are reached depends on the threads' timing; that some are is certain.
    assert!(fired > 0, "no checkpoint fault fired");
    eprintln!("checkpoint I/O errors: {fired} fired over {HEIGHTS} heights, all recovered");
}
