//! The chain benchmark's load and its accounting, on `conclave_cometbft::load`.
//!
//! - **Senders** (the toolkit's [`Load`]): `connections` threads, each with its own HTTP
//!   keep-alive connection to one node (thread i → node i mod N) and its own transactions:
//!   for the chain one funded account's bank transfers with consecutive nonces (tracked
//!   client-side, signed before the load starts; a sender sticks to one node so its pending
//!   nonces are all in that node's mempool view); for kvstore unique `key=value` transactions
//!   of the same length. Each sends with `broadcast_tx_sync` (returns after CheckTx) as fast
//!   as the limits allow: at most `window` transactions sent and not yet seen in a block, and
//!   optionally a total `rate`. A refused or failed send is retried with the same nonce, hence
//!   the same bytes.
//! - **Poller**: one thread polls node0's `/abci_info` every 10 ms; for each height the app
//!   has committed it reads `/block`, matches the block's transactions with the ones sent, and
//!   records, per transaction, the latency from just before its `broadcast_tx_sync` (seen by
//!   this module's [`Observer`]) to the moment the poller first saw the app commit it.
//! - **Result codes** are read from `/block_results` once the load has stopped, for the
//!   measured blocks only. During the window that call would cost node0's CometBFT in
//!   proportion to the app's events (it renders them as JSON, by reflection): with the chain's
//!   transfers, 4.7 % of the four nodes' CometBFT CPU. The instrument must not load the apps
//!   according to what they emit.
//! - **Window**: after `warmup`, the blocks committed during `duration` are measured: committed
//!   tx/s = transactions with code 0 in those blocks / (header time of the last one − header
//!   time of the one before the first), so block time, not the poller, sets the clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use conclave_cometbft::load::{Confirmer, Load, Observer, Outcome};
use conclave_cometbft::Rpc;
use conclave_testkit::TestAccount;

use super::network::{AppKind, Network};
use super::procs;
use super::signals;
use crate::abci::stats::Summary;
use crate::abci::workload;

/// How hard and how long to push.
#[derive(Clone, Debug)]
pub(crate) struct LoadSettings {
    /// Concurrent senders (threads, HTTP connections; one funded account each for the chain).
    pub(crate) connections: usize,
    /// Most transactions sent and not yet seen in a block.
    pub(crate) window: usize,
    /// Total send rate cap, tx/s (none: as fast as the window allows).
    pub(crate) rate: Option<f64>,
    /// Load before the measured window.
    pub(crate) warmup: Duration,
    /// The measured window.
    pub(crate) duration: Duration,
}

/// What one network did during the measured window.
#[derive(Clone, Debug, Default)]
pub(crate) struct LoadResult {
    /// Transactions with code 0 in the measured blocks, per second of block time.
    pub(crate) committed_tps: f64,
    /// Those transactions.
    pub(crate) committed_ok: u64,
    /// Our transactions in the measured blocks with a non-zero code.
    pub(crate) committed_failed: u64,
    /// Blocks measured.
    pub(crate) blocks: u64,
    /// Header time from the block before the first measured one to the last, s.
    pub(crate) span_secs: f64,
    /// Largest number of transactions in one measured block.
    pub(crate) max_block_txs: u64,
    /// Send → first seen committed, for our transactions in the measured blocks.
    pub(crate) latency: Summary,
    /// `broadcast_tx_sync` round trips during the window (CheckTx included).
    pub(crate) broadcast: Summary,
    /// Transactions CheckTx accepted during the window, per second of wall time.
    pub(crate) accepted_per_sec: f64,
    /// CheckTx refusals over the whole run (retried).
    pub(crate) refused: u64,
    /// JSON-RPC errors over the whole run (retried).
    pub(crate) rpc_errors: u64,
    /// A few distinct refusal or error messages.
    pub(crate) sample_errors: Vec<String>,
    /// CPU seconds per program during the window (`bench` = this process: senders and poller).
    pub(crate) cpu: BTreeMap<String, f64>,
    /// Wall seconds of the window (for CPU shares).
    pub(crate) wall_secs: f64,
    /// CPU seconds the whole machine was busy during the window (all processes, all CPUs).
    pub(crate) machine_busy_secs: f64,
    /// CPU seconds available during the window (all CPUs).
    pub(crate) machine_total_secs: f64,
}

/// How long one RPC call of the senders or the poller may take.
const RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// The length of the chain's transfers, which kvstore transactions copy.
pub(crate) fn transfer_length(chain_id: &str, senders: &[TestAccount]) -> usize {
    let options = workload::tx_options();
    workload::transfer(chain_id, &senders[0], 0, senders[1 % senders.len()].address, 1, &options).len()
}

/// What the senders and the poller share: the sent transactions not yet seen in a block.
#[derive(Default)]
struct Shared {
    /// Sent and not yet seen in a block: tx bytes → send time.
    pending: Mutex<HashMap<Vec<u8>, Instant>>,
    /// `broadcast_tx_sync` round trips, recorded while `measuring`.
    broadcast: Mutex<Vec<Duration>>,
    measuring: AtomicBool,
    stop_poller: AtomicBool,
    /// Highest height the poller has fully processed.
    processed: AtomicU64,
    /// A fatal poller error.
    poller_error: Mutex<Option<String>>,
}

impl Observer for Shared {
    fn sending(&self, _sender: usize, tx: &[u8]) {
        lock(&self.pending).insert(tx.to_vec(), Instant::now());
    }

    fn sent(&self, _sender: usize, tx: &[u8], outcome: &Outcome, elapsed: Duration) {
        if self.measuring.load(Ordering::Relaxed) {
            lock(&self.broadcast).push(elapsed);
        }
        if !matches!(outcome, Outcome::Accepted(_) | Outcome::InCache) {
            // Not in the mempool: it will be sent again.
            lock(&self.pending).remove(tx);
        }
    }
}

/// One block as the poller saw it.
struct BlockRecord {
    height: u64,
    time: SystemTime,
    txs: u64,
    /// Positions of our transactions in the block.
    ours: Vec<usize>,
    latencies: Vec<Duration>,
}

/// Runs the load against `network` and measures the window.
pub(crate) fn run(
    network: &mut Network,
    senders: &[TestAccount],
    tx_length: usize,
    settings: &LoadSettings,
) -> Result<LoadResult> {
    let node0 = Rpc::with_timeout(&network.rpcs[0], RPC_TIMEOUT)?;
    let start_height = node0.height().context("node0 status")?;
    let shared = Arc::new(Shared::default());
    shared.processed.store(start_height.saturating_sub(1), Ordering::SeqCst);

    let make_tx = make_tx(network, senders, tx_length, settings);
    let endpoints: Vec<String> =
        (0..settings.connections).map(|i| network.rpcs[i % network.rpcs.len()].clone()).collect();
    let mut builder = Load::builder(endpoints, make_tx)
        .observer(Arc::clone(&shared) as Arc<dyn Observer>)
        .window(settings.window as u64)
        .retry_pause(Duration::from_millis(50))
        .timeout(RPC_TIMEOUT);
    if let Some(rate) = settings.rate {
        builder = builder.rate(rate);
    }
    let mut load = builder.start()?;
    let poller = {
        let shared = Arc::clone(&shared);
        let url = network.rpcs[0].clone();
        let confirmer = load.confirmer();
        std::thread::Builder::new()
            .name("poller".into())
            .spawn(move || poll(&url, start_height, &shared, &confirmer))?
    };

    // Warm-up, then the measured window.
    type Window = (u64, u64, u64, u64, f64, BTreeMap<String, f64>, (f64, f64));
    let outcome = (|| -> Result<Window> {
        wait(network, &shared, settings.warmup)?;
        let h0 = shared.processed.load(Ordering::SeqCst);
        let accepted0 = load.accepted();
        let cpu0 = procs::descendants_cpu();
        let own0 = crate::sys::cpu_secs().unwrap_or(0.0);
        let machine0 = procs::machine_cpu();
        let t0 = Instant::now();
        shared.measuring.store(true, Ordering::SeqCst);
        wait(network, &shared, settings.duration)?;
        shared.measuring.store(false, Ordering::SeqCst);
        let h1 = shared.processed.load(Ordering::SeqCst);
        let accepted1 = load.accepted();
        let wall = t0.elapsed().as_secs_f64();
        let mut cpu = procs::delta(&cpu0, &procs::descendants_cpu());
        cpu.insert("bench".into(), crate::sys::cpu_secs().unwrap_or(0.0) - own0);
        let machine1 = procs::machine_cpu();
        Ok((h0, h1, accepted0, accepted1, wall, cpu, (machine1.0 - machine0.0, machine1.1 - machine0.1)))
    })();

    let stats = load.stop();
    shared.stop_poller.store(true, Ordering::SeqCst);
    let records = poller.join().map_err(|_| anyhow::anyhow!("the poller panicked"))?;
    let (h0, h1, accepted0, accepted1, wall, cpu, (machine_busy_secs, machine_total_secs)) = outcome?;
    if let Some(error) = shared.poller_error.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
        bail!("reading blocks from node0: {error}");
    }
    if h1 <= h0 {
        bail!(
            "no block was committed during the measured window (heights {h0}..{h1}); see the node logs (--keep-dirs)"
        );
    }

    let by_height: HashMap<u64, &BlockRecord> = records.iter().map(|r| (r.height, r)).collect();
    let first = by_height.get(&h0).context("the poller missed the block before the window")?;
    let last = by_height.get(&h1).context("the poller missed the last block of the window")?;
    let measured: Vec<&BlockRecord> = (h0 + 1..=h1).filter_map(|h| by_height.get(&h).copied()).collect();
    let span_secs = last.time.duration_since(first.time).map_or(0.0, |d| d.as_secs_f64());
    let (committed_ok, committed_failed) = our_outcomes(&node0, &measured)?;
    let latencies: Vec<Duration> = measured.iter().flat_map(|r| r.latencies.iter().copied()).collect();
    let broadcast = std::mem::take(&mut *lock(&shared.broadcast));
    let sample_errors: Vec<String> = stats.samples.iter().take(5).map(|e| e.chars().take(160).collect()).collect();
    Ok(LoadResult {
        committed_tps: if span_secs > 0.0 { committed_ok as f64 / span_secs } else { 0.0 },
        committed_ok,
        committed_failed,
        blocks: h1 - h0,
        span_secs,
        max_block_txs: measured.iter().map(|r| r.txs).max().unwrap_or(0),
        latency: Summary::of(&latencies),
        broadcast: Summary::of(&broadcast),
        accepted_per_sec: (accepted1 - accepted0) as f64 / wall,
        refused: stats.refused_total(),
        rpc_errors: stats.rpc_errors + stats.unreachable,
        sample_errors,
        cpu,
        wall_secs: wall,
        machine_busy_secs,
        machine_total_secs,
    })
}

/// Sleeps `duration`, failing early on Ctrl-C, a dead node, a poller error or a stalled chain.
fn wait(network: &mut Network, shared: &Shared, duration: Duration) -> Result<()> {
    let deadline = Instant::now() + duration;
    let mut last_height = shared.processed.load(Ordering::SeqCst);
    let mut last_progress = Instant::now();
    while Instant::now() < deadline {
        signals::sleep(Duration::from_millis(200).min(deadline.saturating_duration_since(Instant::now())))?;
        network.check_alive()?;
        if let Some(error) = shared.poller_error.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            bail!("reading blocks from node0: {error}");
        }
        let height = shared.processed.load(Ordering::SeqCst);
        if height > last_height {
            (last_height, last_progress) = (height, Instant::now());
        } else if last_progress.elapsed() > Duration::from_secs(30) {
            bail!("the chain made no progress for 30 s (stuck at height {height}); see the node logs (--keep-dirs)");
        }
    }
    Ok(())
}

/// Transfers each chain sender signs before the load starts: enough for
/// [`PRESIGN_RATE_TX_PER_S`] over the warm-up and the window (more are signed as they are sent).
fn presigned_per_sender(settings: &LoadSettings) -> usize {
    let seconds = (settings.warmup + settings.duration).as_secs_f64();
    let total = settings.rate.unwrap_or(PRESIGN_RATE_TX_PER_S).min(PRESIGN_RATE_TX_PER_S) * seconds;
    ((total / settings.connections.max(1) as f64).ceil() as usize).max(100)
}

/// The highest rate pre-signing provides for: above this machine's 4-validator figures.
const PRESIGN_RATE_TX_PER_S: f64 = 4_000.0;

/// Sender i's transaction with nonce n: for the chain a transfer of 1 from sender i to sender
/// i+1; for kvstore `<prefix><n>=vvv…` (one '=', neither first nor last, unique per run,
/// sender and nonce) of `tx_length` bytes.
///
/// The chain's transfers are signed before the load starts (on every core, while the network
/// idles), so that the load generator, which shares the machine with the nodes, does not
/// take ed25519 signing time from them during the window: a client's signing is not the
/// chain's work, and kvstore's transactions need none. Nonces past the pre-signed ones are
/// signed when sent.
fn make_tx(
    network: &Network,
    senders: &[TestAccount],
    tx_length: usize,
    settings: &LoadSettings,
) -> impl Fn(usize, u64) -> Vec<u8> + Send + Sync {
    let kind = network.kind;
    let chain_id = network.chain_id.clone();
    let senders = senders.to_vec();
    let options = workload::tx_options();
    let run_tag: u32 = std::process::id() % 10_000;
    let sign = {
        let (chain_id, senders, options) = (chain_id.clone(), senders.clone(), options.clone());
        move |i: usize, nonce: u64| {
            let to = senders[(i + 1) % senders.len()].address;
            workload::transfer(&chain_id, &senders[i], nonce, to, 1, &options)
        }
    };
    let presigned: Vec<Vec<Vec<u8>>> = match kind {
        AppKind::Chain => {
            let per_sender = presigned_per_sender(settings) as u64;
            let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            let chunk = senders.len().div_ceil(threads).max(1);
            let indices: Vec<usize> = (0..senders.len()).collect();
            std::thread::scope(|scope| {
                let sign = &sign;
                let parts: Vec<_> = indices
                    .chunks(chunk)
                    .map(|part| {
                        let signed = scope.spawn(move || {
                            part.iter().map(|&i| (0..per_sender).map(|n| sign(i, n)).collect()).collect::<Vec<_>>()
                        });
                        (part.len(), signed)
                    })
                    .collect();
                // A signing thread that panicked (none is known) leaves its senders to sign on send.
                parts
                    .into_iter()
                    .flat_map(|(len, part)| part.join().unwrap_or_else(|_| vec![Vec::new(); len]))
                    .collect()
            })
        }
        _ => Vec::new(),
    };
    move |i, nonce| match kind {
        AppKind::Chain => {
            let ready = presigned.get(i).and_then(|txs| usize::try_from(nonce).ok().and_then(|n| txs.get(n)));
            ready.cloned().unwrap_or_else(|| sign(i, nonce))
        }
        _ => {
            let mut tx = format!("b{run_tag:04}s{i:03}n{nonce:010}=").into_bytes();
            tx.resize(tx_length.max(tx.len() + 1), b'v');
            tx
        }
    }
}

/// How many of our transactions in `blocks` succeeded (code 0) and failed, from node0's
/// `/block_results` (read after the load, see the module docs).
fn our_outcomes(node0: &Rpc, blocks: &[&BlockRecord]) -> Result<(u64, u64)> {
    let (mut ok, mut failed) = (0u64, 0u64);
    for block in blocks {
        let codes = node0
            .block_tx_codes(block.height)
            .with_context(|| format!("reading node0's results of height {}", block.height))?
            .with_context(|| format!("node0 has no results for height {}, which its app committed", block.height))?;
        if codes.len() as u64 != block.txs {
            bail!("height {}: {} results for {} txs", block.height, codes.len(), block.txs);
        }
        for &position in &block.ours {
            if codes[position].code == 0 {
                ok += 1;
            } else {
                failed += 1;
            }
        }
    }
    Ok((ok, failed))
}

fn poll(url: &str, start_height: u64, shared: &Shared, confirmer: &Confirmer) -> Vec<BlockRecord> {
    let Ok(rpc) = Rpc::with_timeout(url, RPC_TIMEOUT) else {
        *lock(&shared.poller_error) = Some(format!("{url} is not an RPC address"));
        return Vec::new();
    };
    let mut records = Vec::new();
    let mut next = start_height;
    let result = (|| -> Result<()> {
        while !shared.stop_poller.load(Ordering::SeqCst) && !signals::stopped() {
            // A block is committed (for us) once the app has committed it: `/status` counts a
            // block once it is stored, before it is executed.
            let latest = match rpc.abci_info() {
                Ok(info) => info.last_block_height,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            while next <= latest {
                let seen = Instant::now();
                let block = rpc.block(next)?.block;
                let txs = &block.data.txs;
                let mut record = BlockRecord {
                    height: next,
                    time: block.header.time,
                    txs: txs.len() as u64,
                    ours: Vec::new(),
                    latencies: Vec::new(),
                };
                {
                    let mut pending = lock(&shared.pending);
                    for (position, tx) in txs.iter().enumerate() {
                        if let Some(sent) = pending.remove(tx) {
                            record.latencies.push(seen.saturating_duration_since(sent));
                            record.ours.push(position);
                        }
                    }
                }
                confirmer.confirm(record.ours.len() as u64);
                records.push(record);
                shared.processed.store(next, Ordering::SeqCst);
                next += 1;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    })();
    if let Err(e) = result {
        *lock(&shared.poller_error) = Some(format!("{e:#}"));
    }
    records
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
