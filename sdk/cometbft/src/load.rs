//! A signed-transaction load generator over `broadcast_tx_sync`, generic over the chain: it
//! knows no module and no transaction format.
//!
//! The caller supplies `make_tx(sender, nonce) -> bytes` and one RPC endpoint per sender. Each
//! sender is a thread with its own keep-alive connection that sends to its one endpoint (so
//! its pending nonces are all in that node's mempool view) and tracks its next nonce:
//! - accepted by CheckTx (or already in CometBFT's mempool cache): the nonce advances;
//! - refused, an RPC error, no answer: the same nonce is sent again after a pause
//!   (`make_tx` may build other bytes for it), so a sender's nonces stay gap-free;
//! - refused with what the caller's [`LoadBuilder::nonce_errors`] calls a nonce error (a
//!   restarted node forgot its mempool, a transaction thought lost was committed): the nonce
//!   is read again from the chain through [`LoadBuilder::nonces_from`]. Without it senders
//!   start at 0 and never resync.
//!
//! Limits: at most `window` transactions accepted and not yet [`Load::confirm`]ed (the
//! caller confirms what it sees committed), a total `rate`, a `pause` after every send.
//! [`LoadStats`] counts accepted transactions (with the hashes CometBFT returned), refusals
//! by `(codespace, code)`, RPC errors and unanswered sends. What a caller measures (latency,
//! balances) it records through an [`Observer`] or in `make_tx`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::rpc::{BroadcastTxSync, Rpc, RpcError, DEFAULT_TIMEOUT};

/// Builds sender `.0`'s transaction with nonce `.1`.
pub type MakeTx = dyn Fn(usize, u64) -> Vec<u8> + Send + Sync;
/// Sender `.0`'s next nonce in the latest committed state, asked through its own endpoint.
pub type CommittedNonce = dyn Fn(usize, &Rpc) -> Option<u64> + Send + Sync;
/// Whether a refusal means the sender's nonce is off.
pub type IsNonceError = dyn Fn(&BroadcastTxSync) -> bool + Send + Sync;

/// At most this many distinct error messages are kept.
const MAX_SAMPLES: usize = 20;

/// What one `broadcast_tx_sync` came to.
#[derive(Debug)]
pub enum Outcome {
    /// CheckTx accepted it into the mempool.
    Accepted(BroadcastTxSync),
    /// CometBFT's mempool cache already holds these bytes (sent before): counted as accepted.
    InCache,
    /// CheckTx refused it.
    Refused(BroadcastTxSync),
    /// No verdict: an RPC error answer, no answer, or an undecodable one.
    Failed(RpcError),
}

/// Sees every send, from the sender threads (so it must be quick and thread-safe).
pub trait Observer: Send + Sync {
    /// Just before sender `sender` broadcasts `tx`.
    fn sending(&self, _sender: usize, _tx: &[u8]) {}
    /// After the broadcast of `tx` returned `outcome`, `elapsed` after it started.
    fn sent(&self, _sender: usize, _tx: &[u8], _outcome: &Outcome, _elapsed: Duration) {}
}

/// Why the load could not start.
#[derive(Debug, Error)]
pub enum LoadError {
    /// No sender.
    #[error("a load needs at least one sender (one RPC endpoint per sender)")]
    NoSenders,
    /// An endpoint is not an RPC address.
    #[error("sender {sender}: {source}")]
    Endpoint {
        /// The sender.
        sender: usize,
        /// Why.
        source: RpcError,
    },
    /// A sender thread could not be started.
    #[error("cannot start a sender thread: {0}")]
    Spawn(#[from] std::io::Error),
}

/// How many of one `(codespace, code)` CheckTx refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refusals {
    /// How many.
    pub count: u64,
    /// The log of the first one.
    pub first_log: String,
}

/// The counters of a load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Accepted by CheckTx, plus those already in the mempool cache.
    pub accepted: u64,
    /// Of `accepted`, those CometBFT's cache already held.
    pub in_cache: u64,
    /// Hashes CometBFT returned for the accepted transactions, in order of acceptance.
    pub accepted_hashes: Vec<String>,
    /// CheckTx refusals by `(codespace, code)`.
    pub refused: BTreeMap<(String, u32), Refusals>,
    /// JSON-RPC error answers and undecodable answers (mempool full, app connection lost, …).
    pub rpc_errors: u64,
    /// Sends that got no answer (the node was down or too slow).
    pub unreachable: u64,
    /// Nonces read again from the chain.
    pub resyncs: u64,
    /// The first distinct refusal and error messages, prefixed by the sender.
    pub samples: Vec<String>,
}

impl LoadStats {
    /// All CheckTx refusals.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().map(|r| r.count).sum()
    }
}

/// Configures a [`Load`]; [`LoadBuilder::start`] starts it.
pub struct LoadBuilder {
    endpoints: Vec<String>,
    make_tx: Arc<MakeTx>,
    committed_nonce: Option<Arc<CommittedNonce>>,
    nonce_errors: Option<Arc<IsNonceError>>,
    observer: Option<Arc<dyn Observer>>,
    window: Option<u64>,
    rate: Option<f64>,
    pause: Duration,
    retry_pause: Duration,
    timeout: Duration,
}

impl LoadBuilder {
    /// Reads a sender's next nonce from the chain: at start and after a nonce error.
    pub fn nonces_from(mut self, committed: impl Fn(usize, &Rpc) -> Option<u64> + Send + Sync + 'static) -> Self {
        self.committed_nonce = Some(Arc::new(committed));
        self
    }

    /// Which refusals mean the sender's nonce is off (then it is read again).
    pub fn nonce_errors(mut self, is_nonce_error: impl Fn(&BroadcastTxSync) -> bool + Send + Sync + 'static) -> Self {
        self.nonce_errors = Some(Arc::new(is_nonce_error));
        self
    }

    /// Sees every send.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// At most `window` transactions accepted and not yet [`Load::confirm`]ed.
    pub fn window(mut self, window: u64) -> Self {
        self.window = Some(window);
        self
    }

    /// At most `tx_per_sec` sends per second in total (spread evenly over the senders).
    pub fn rate(mut self, tx_per_sec: f64) -> Self {
        self.rate = Some(tx_per_sec).filter(|r| *r > 0.0);
        self
    }

    /// A pause after every send (default none).
    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// The pause after a refusal or a failed send before sending again (default 100 ms).
    pub fn retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// The bound on one RPC call (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts one thread per sender.
    pub fn start(self) -> Result<Load, LoadError> {
        if self.endpoints.is_empty() {
            return Err(LoadError::NoSenders);
        }
        let clients = self
            .endpoints
            .iter()
            .enumerate()
            .map(|(sender, url)| {
                Rpc::with_timeout(url, self.timeout).map_err(|source| LoadError::Endpoint { sender, source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let senders = clients.len();
        let shared = Arc::new(Shared::default());
        // Each sender gets an equal share of the rate: one send per `senders / rate` seconds.
        let senders_u32 = u32::try_from(senders).unwrap_or(u32::MAX);
        let interval = self
            .rate
            .and_then(|rate| Duration::try_from_secs_f64(rate.recip()).ok())
            .map(|per_tx| per_tx.saturating_mul(senders_u32));
        let mut load = Load { shared: Arc::clone(&shared), threads: Vec::new() };
        for (index, rpc) in clients.into_iter().enumerate() {
            let sender = SenderLoop {
                index,
                rpc,
                shared: Arc::clone(&shared),
                make_tx: Arc::clone(&self.make_tx),
                committed_nonce: self.committed_nonce.clone(),
                nonce_errors: self.nonce_errors.clone(),
                observer: self.observer.clone(),
                window: self.window,
                interval,
                pause: self.pause,
                retry_pause: self.retry_pause,
            };
            // On an error here, dropping `load` stops the threads already started.
            load.threads.push(std::thread::Builder::new().name(format!("load-{index}")).spawn(move || sender.run())?);
        }
        Ok(load)
    }
}

/// A running load; [`Load::stop`] (or dropping it) stops the senders.
pub struct Load {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Load {
    /// A load whose sender `i` sends `make_tx(i, nonce)` to `endpoints[i]`.
    pub fn builder(
        endpoints: Vec<String>,
        make_tx: impl Fn(usize, u64) -> Vec<u8> + Send + Sync + 'static,
    ) -> LoadBuilder {
        LoadBuilder {
            endpoints,
            make_tx: Arc::new(make_tx),
            committed_nonce: None,
            nonce_errors: None,
            observer: None,
            window: None,
            rate: None,
            pause: Duration::ZERO,
            retry_pause: Duration::from_millis(100),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Transactions accepted so far (see [`LoadStats::accepted`]).
    pub fn accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// The hashes of the transactions accepted so far, in order.
    pub fn accepted_hashes(&self) -> Vec<String> {
        lock(&self.shared.stats).accepted_hashes.clone()
    }

    /// The counters so far.
    pub fn stats(&self) -> LoadStats {
        let mut stats = lock(&self.shared.stats).clone();
        stats.accepted = self.accepted();
        stats
    }

    /// `n` accepted transactions were seen committed: they leave the window.
    pub fn confirm(&self, n: u64) {
        self.shared.confirmed.fetch_add(n, Ordering::SeqCst);
    }

    /// A handle another thread (a block poller) can [`Confirmer::confirm`] through.
    pub fn confirmer(&self) -> Confirmer {
        Confirmer(Arc::clone(&self.shared))
    }

    /// Stops the senders (each finishes its current send) and returns the final counters.
    pub fn stop(&mut self) -> LoadStats {
        self.shared.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                lock(&self.shared.stats).samples.push("a sender thread panicked (in make_tx or the observer?)".into());
            }
        }
        self.stats()
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Confirms committed transactions of a [`Load`] from another thread.
#[derive(Clone)]
pub struct Confirmer(Arc<Shared>);

impl Confirmer {
    /// See [`Load::confirm`].
    pub fn confirm(&self, n: u64) {
        self.0.confirmed.fetch_add(n, Ordering::SeqCst);
    }
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    accepted: AtomicU64,
    confirmed: AtomicU64,
    stats: Mutex<LoadStats>,
}

impl Shared {
    fn note(&self, sample: impl FnOnce() -> String, record: impl FnOnce(&mut LoadStats)) {
        let mut stats = lock(&self.stats);
        record(&mut stats);
        if stats.samples.len() < MAX_SAMPLES {
            let text: String = sample().chars().take(300).collect();
            if !stats.samples.contains(&text) {
                stats.samples.push(text);
            }
        }
    }
}

struct SenderLoop {
    index: usize,
    rpc: Rpc,
    shared: Arc<Shared>,
    make_tx: Arc<MakeTx>,
    committed_nonce: Option<Arc<CommittedNonce>>,
    nonce_errors: Option<Arc<IsNonceError>>,
    observer: Option<Arc<dyn Observer>>,
    window: Option<u64>,
    interval: Option<Duration>,
    pause: Duration,
    retry_pause: Duration,
}

impl SenderLoop {
    fn run(self) {
        let shared = &*self.shared;
        // `None`: read it from the chain before the next send.
        let mut nonce = if self.committed_nonce.is_some() { None } else { Some(0) };
        let mut next_send = Instant::now();
        while !shared.stop.load(Ordering::Relaxed) {
            if let Some(window) = self.window {
                let in_flight =
                    shared.accepted.load(Ordering::Relaxed).saturating_sub(shared.confirmed.load(Ordering::Relaxed));
                if in_flight >= window {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
            }
            let current = match (nonce, &self.committed_nonce) {
                (Some(n), _) => n,
                (None, Some(committed)) => match committed(self.index, &self.rpc) {
                    Some(n) => {
                        lock(&shared.stats).resyncs += 1;
                        n
                    }
                    None => {
                        std::thread::sleep(self.retry_pause);
                        continue;
                    }
                },
                (None, None) => 0,
            };
            if let Some(interval) = self.interval {
                let now = Instant::now();
                if now < next_send {
                    std::thread::sleep(next_send - now);
                }
                next_send = next_send.max(now.checked_sub(interval).unwrap_or(now)) + interval;
            }
            let tx = (self.make_tx)(self.index, current);
            if let Some(observer) = &self.observer {
                observer.sending(self.index, &tx);
            }
            let started = Instant::now();
            let outcome = match self.rpc.broadcast_tx_sync(&tx) {
                Ok(answer) if answer.code == 0 => Outcome::Accepted(answer),
                Ok(answer) => Outcome::Refused(answer),
                Err(e) if e.is_tx_in_cache() => Outcome::InCache,
                Err(e) => Outcome::Failed(e),
            };
            if let Some(observer) = &self.observer {
                observer.sent(self.index, &tx, &outcome, started.elapsed());
            }
            let sender = self.index;
            match outcome {
                Outcome::Accepted(answer) => {
                    nonce = Some(current + 1);
                    lock(&shared.stats).accepted_hashes.push(answer.hash);
                    shared.accepted.fetch_add(1, Ordering::SeqCst);
                }
                Outcome::InCache => {
                    nonce = Some(current + 1);
                    lock(&shared.stats).in_cache += 1;
                    shared.accepted.fetch_add(1, Ordering::SeqCst);
                }
                Outcome::Refused(answer) => {
                    let off = self.nonce_errors.as_ref().is_some_and(|is_nonce_error| is_nonce_error(&answer));
                    if off && self.committed_nonce.is_some() {
                        nonce = None;
                    }
                    let key = (answer.codespace.clone(), answer.code);
                    shared.note(
                        || format!("sender {sender}: CheckTx {}/{}: {}", answer.codespace, answer.code, answer.log),
                        |stats| {
                            let entry = stats.refused.entry(key).or_default();
                            if entry.count == 0 {
                                entry.first_log = answer.log.clone();
                            }
                            entry.count += 1;
                        },
                    );
                    std::thread::sleep(self.retry_pause);
                }
                Outcome::Failed(error) => {
                    let unreachable = error.is_unreachable();
                    shared.note(
                        || format!("sender {sender}: {error}"),
                        |stats| {
                            if unreachable {
                                stats.unreachable += 1;
                            } else {
                                stats.rpc_errors += 1;
                            }
                        },
                    );
                    std::thread::sleep(self.retry_pause);
                }
            }
            if !self.pause.is_zero() {
                std::thread::sleep(self.pause);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
