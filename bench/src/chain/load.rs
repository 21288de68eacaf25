//! The load generator and its accounting.
//!
//! - **Senders**: `connections` threads, each with its own HTTP keep-alive connection to one
//!   node (thread i → node i mod N) and its own transaction source: for the chain one funded
//!   account signing bank transfers with consecutive nonces (tracked here, client-side; a
//!   sender sticks to one node so its pending nonces are all in that node's mempool view); for
//!   kvstore unique `key=value` transactions of the same length. Each sends with
//!   `broadcast_tx_sync` (returns after CheckTx) as fast as the limits allow: at most `window`
//!   transactions sent and not yet seen in a block, and optionally a total `rate`.
//! - **Poller**: one thread polls node0's `/status` every 10 ms; for each new height it reads
//!   `/block` and `/block_results`, matches the block's transactions with the ones sent, and
//!   records, per transaction, the latency from just before its `broadcast_tx_sync` to the
//!   moment the poller first saw a height that includes it, and its result code.
//! - **Window**: after `warmup`, the blocks committed during `duration` are measured: committed
//!   tx/s = transactions with code 0 in those blocks / (header time of the last one − header
//!   time of the one before the first), so block time, not the poller, sets the clock.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use conclave_core::Address;
use conclave_testkit::{TestAccount, TxOptions};

use super::network::{AppKind, Network};
use super::procs;
use super::rpc::{Broadcast, Rpc};
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

/// Transactions a sender produces.
enum Source {
    Chain { chain_id: String, account: Box<TestAccount>, to: Address, nonce: u64, options: TxOptions },
    Kvstore { prefix: String, seq: u64, length: usize },
}

impl Source {
    fn next(&mut self) -> Vec<u8> {
        match self {
            Source::Chain { chain_id, account, to, nonce, options } => {
                let tx = workload::transfer(chain_id, account, *nonce, *to, 1, options);
                *nonce += 1;
                tx
            }
            Source::Kvstore { prefix, seq, length } => {
                // `<prefix><seq>=vvv…`: one '=', not first nor last, unique per sender and seq.
                let mut tx = format!("{prefix}{seq:010}=").into_bytes();
                tx.resize((*length).max(tx.len() + 1), b'v');
                *seq += 1;
                tx
            }
        }
    }
}

/// The length of the chain's transfers, which kvstore transactions copy.
pub(crate) fn transfer_length(chain_id: &str, senders: &[TestAccount]) -> usize {
    let options = workload::tx_options();
    workload::transfer(chain_id, &senders[0], 0, senders[1 % senders.len()].address, 1, &options).len()
}

#[derive(Default)]
struct Shared {
    /// Sent and not yet seen in a block: tx bytes → send time.
    pending: Mutex<HashMap<Vec<u8>, Instant>>,
    accepted: AtomicU64,
    /// Our transactions seen in a block.
    done: AtomicU64,
    refused: AtomicU64,
    rpc_errors: AtomicU64,
    errors: Mutex<Vec<String>>,
    /// `broadcast_tx_sync` round trips, recorded while `measuring`.
    broadcast: Mutex<Vec<Duration>>,
    measuring: AtomicBool,
    stop_senders: AtomicBool,
    stop_poller: AtomicBool,
    /// Highest height the poller has fully processed.
    processed: AtomicU64,
    /// A fatal poller error.
    poller_error: Mutex<Option<String>>,
}

impl Shared {
    fn note_error(&self, text: String) {
        let mut errors = self.errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let short: String = text.chars().take(160).collect();
        if errors.len() < 5 && !errors.contains(&short) {
            errors.push(short);
        }
    }
}

/// One block as the poller saw it.
struct BlockRecord {
    height: u64,
    time_ns: i128,
    txs: u64,
    ours_ok: u64,
    ours_failed: u64,
    latencies: Vec<Duration>,
}

/// Runs the load against `network` and measures the window.
pub(crate) fn run(
    network: &mut Network,
    senders: &[TestAccount],
    tx_length: usize,
    settings: &LoadSettings,
) -> Result<LoadResult> {
    let node0 = Rpc::new(&network.rpcs[0]);
    let start_height = node0.height().context("node0 status")?;
    let shared = Arc::new(Shared::default());
    shared.processed.store(start_height.saturating_sub(1), Ordering::SeqCst);
    let options = workload::tx_options();

    let poller = {
        let shared = Arc::clone(&shared);
        let url = network.rpcs[0].clone();
        std::thread::Builder::new().name("poller".into()).spawn(move || poll(&url, start_height, &shared))?
    };
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    let run_tag: u32 = std::process::id() % 10_000;
    for i in 0..settings.connections {
        let source = match network.kind {
            AppKind::Chain => Source::Chain {
                chain_id: network.chain_id.clone(),
                account: Box::new(senders[i].clone()),
                to: senders[(i + 1) % senders.len()].address,
                nonce: 0,
                options: options.clone(),
            },
            AppKind::Kvstore => Source::Kvstore { prefix: format!("b{run_tag:04}s{i:03}n"), seq: 0, length: tx_length },
        };
        let url = network.rpcs[i % network.rpcs.len()].clone();
        let shared = Arc::clone(&shared);
        let per_thread_rate = settings.rate.map(|r| r / settings.connections as f64);
        let window = settings.window as u64;
        threads.push(
            std::thread::Builder::new()
                .name(format!("sender-{i}"))
                .spawn(move || send_loop(&url, source, &shared, window, per_thread_rate))?,
        );
    }

    // Warm-up, then the measured window.
    type Window = (u64, u64, u64, u64, f64, BTreeMap<String, f64>, (f64, f64));
    let outcome = (|| -> Result<Window> {
        wait(network, &shared, settings.warmup)?;
        let h0 = shared.processed.load(Ordering::SeqCst);
        let accepted0 = shared.accepted.load(Ordering::SeqCst);
        let cpu0 = procs::descendants_cpu();
        let own0 = crate::sys::cpu_secs().unwrap_or(0.0);
        let machine0 = procs::machine_cpu();
        let t0 = Instant::now();
        shared.measuring.store(true, Ordering::SeqCst);
        wait(network, &shared, settings.duration)?;
        shared.measuring.store(false, Ordering::SeqCst);
        let h1 = shared.processed.load(Ordering::SeqCst);
        let accepted1 = shared.accepted.load(Ordering::SeqCst);
        let wall = t0.elapsed().as_secs_f64();
        let mut cpu = procs::delta(&cpu0, &procs::descendants_cpu());
        cpu.insert("bench".into(), crate::sys::cpu_secs().unwrap_or(0.0) - own0);
        let machine1 = procs::machine_cpu();
        Ok((h0, h1, accepted0, accepted1, wall, cpu, (machine1.0 - machine0.0, machine1.1 - machine0.1)))
    })();

    shared.stop_senders.store(true, Ordering::SeqCst);
    for thread in threads {
        let _ = thread.join();
    }
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
    let span_secs = (last.time_ns - first.time_ns) as f64 / 1e9;
    let committed_ok: u64 = measured.iter().map(|r| r.ours_ok).sum();
    let latencies: Vec<Duration> = measured.iter().flat_map(|r| r.latencies.iter().copied()).collect();
    let broadcast = std::mem::take(&mut *lock(&shared.broadcast));
    let sample_errors = lock(&shared.errors).clone();
    Ok(LoadResult {
        committed_tps: if span_secs > 0.0 { committed_ok as f64 / span_secs } else { 0.0 },
        committed_ok,
        committed_failed: measured.iter().map(|r| r.ours_failed).sum(),
        blocks: h1 - h0,
        span_secs,
        max_block_txs: measured.iter().map(|r| r.txs).max().unwrap_or(0),
        latency: Summary::of(&latencies),
        broadcast: Summary::of(&broadcast),
        accepted_per_sec: (accepted1 - accepted0) as f64 / wall,
        refused: shared.refused.load(Ordering::SeqCst),
        rpc_errors: shared.rpc_errors.load(Ordering::SeqCst),
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

fn send_loop(url: &str, mut source: Source, shared: &Shared, window: u64, rate: Option<f64>) {
    let rpc = Rpc::new(url);
    let interval = rate.filter(|r| *r > 0.0).map(|r| Duration::from_secs_f64(1.0 / r));
    let mut next_send = Instant::now();
    let mut retry: Option<Vec<u8>> = None;
    while !shared.stop_senders.load(Ordering::Relaxed) && !signals::stopped() {
        if shared.accepted.load(Ordering::Relaxed).saturating_sub(shared.done.load(Ordering::Relaxed)) >= window {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        if let Some(interval) = interval {
            let now = Instant::now();
            if now < next_send {
                std::thread::sleep(next_send - now);
            }
            next_send = next_send.max(now - interval) + interval;
        }
        let tx = retry.take().unwrap_or_else(|| source.next());
        let sent = Instant::now();
        lock(&shared.pending).insert(tx.clone(), sent);
        let outcome = rpc.broadcast_tx_sync(&tx);
        let elapsed = sent.elapsed();
        if shared.measuring.load(Ordering::Relaxed) {
            lock(&shared.broadcast).push(elapsed);
        }
        match outcome {
            Ok(Broadcast::Accepted) => {
                shared.accepted.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Broadcast::RpcError(e)) if e.contains("already exists in cache") => {
                shared.accepted.fetch_add(1, Ordering::Relaxed);
            }
            other => {
                // Not in the mempool: forget it and send the same bytes again shortly, so this
                // sender's nonces stay gap-free.
                lock(&shared.pending).remove(&tx);
                let text = match other {
                    Ok(Broadcast::Refused(code, codespace, log)) => {
                        shared.refused.fetch_add(1, Ordering::Relaxed);
                        format!("CheckTx {codespace}/{code}: {log}")
                    }
                    Ok(Broadcast::RpcError(e)) => {
                        shared.rpc_errors.fetch_add(1, Ordering::Relaxed);
                        format!("RPC error: {e}")
                    }
                    Err(e) => {
                        shared.rpc_errors.fetch_add(1, Ordering::Relaxed);
                        format!("transport: {e:#}")
                    }
                    Ok(Broadcast::Accepted) => String::new(),
                };
                shared.note_error(text);
                retry = Some(tx);
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn poll(url: &str, start_height: u64, shared: &Shared) -> Vec<BlockRecord> {
    let rpc = Rpc::new(url);
    let mut records = Vec::new();
    let mut next = start_height;
    let result = (|| -> Result<()> {
        while !shared.stop_poller.load(Ordering::SeqCst) && !signals::stopped() {
            let latest = match rpc.height() {
                Ok(h) => h,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            while next <= latest {
                // `/status` counts a block once it is stored, which is before it is executed:
                // the block is committed (for us) once its results exist.
                let Some(codes) = rpc.result_codes(next)? else { break };
                let seen = Instant::now();
                let block = rpc.block(next)?;
                if codes.len() != block.txs.len() {
                    bail!("height {next}: {} results for {} txs", codes.len(), block.txs.len());
                }
                let mut record = BlockRecord {
                    height: next,
                    time_ns: block.time_ns,
                    txs: block.txs.len() as u64,
                    ours_ok: 0,
                    ours_failed: 0,
                    latencies: Vec::new(),
                };
                {
                    let mut pending = lock(&shared.pending);
                    for (tx, code) in block.txs.iter().zip(&codes) {
                        if let Some(sent) = pending.remove(tx) {
                            record.latencies.push(seen.saturating_duration_since(sent));
                            if *code == 0 {
                                record.ours_ok += 1;
                            } else {
                                record.ours_failed += 1;
                            }
                        }
                    }
                }
                shared.done.fetch_add(record.ours_ok + record.ours_failed, Ordering::SeqCst);
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
