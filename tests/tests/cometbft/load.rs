//! Transfer load and its accounting.
//!
//! A [`Load`] runs one thread per sender: each signs bank transfers with consecutive nonces
//! and sends them with `broadcast_tx_sync` to its own node (a sender sticks to one node, so
//! its pending nonces are in that node's mempool view). Every signed tx is written into a
//! [`Ledger`] *before* it is sent, so whatever ends up in a block (even a tx whose broadcast
//! timed out while a node died) is known. [`check_balances`] then recomputes every balance
//! from genesis and the blocks' transactions, and compares it with what the chain reports.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use conclave_core::{Address, Coin};
use conclave_testkit::{TestAccount, TxOptions};

use super::rpc::{Rpc, RpcError};

/// A bank `Send` of `amount` stake to `to`.
pub fn send(to: Address, amount: u128) -> appchain::Msg {
    appchain::Msg::Bank(conclave_bank::Msg::Send { to, amount: Coin::new("stake", amount) })
}

/// The fee every load transaction pays (the default `TxOptions`: 200 stake for 200k gas).
pub fn fee() -> u128 {
    TxOptions::default().fee.amount
}

/// A signed transfer.
pub fn transfer(chain_id: &str, from: &TestAccount, nonce: u64, to: Address, amount: u128) -> Vec<u8> {
    from.sign(chain_id, nonce, vec![send(to, amount)], &TxOptions::default())
}

/// What a transaction the test signed does when it succeeds.
#[derive(Clone, Debug)]
pub struct Transfer {
    pub from: Address,
    pub to: Address,
    pub amount: u128,
    pub fee: u128,
    pub nonce: u64,
}

/// Every transaction the test signed, by its bytes.
#[derive(Default)]
pub struct Ledger {
    txs: Mutex<HashMap<Vec<u8>, Transfer>>,
}

impl Ledger {
    /// Records `tx` (before it is sent).
    pub fn record(&self, tx: &[u8], transfer: Transfer) {
        self.txs.lock().expect("ledger lock").insert(tx.to_vec(), transfer);
    }

    /// The transfer `tx` encodes, if the test signed it.
    pub fn get(&self, tx: &[u8]) -> Option<Transfer> {
        self.txs.lock().expect("ledger lock").get(tx).cloned()
    }

    /// How many txs were signed.
    pub fn len(&self) -> usize {
        self.txs.lock().expect("ledger lock").len()
    }
}

/// Counters of a running load.
#[derive(Default)]
pub struct Counters {
    /// Accepted by CheckTx.
    pub accepted: AtomicU64,
    /// Refused by CheckTx (nonce races after a crash, a full mempool, ...).
    pub refused: AtomicU64,
    /// No answer (the node was down).
    pub unreachable: AtomicU64,
    /// A JSON-RPC error from CometBFT instead of a CheckTx verdict.
    pub rpc_errors: AtomicU64,
}

/// A background transfer load; [`Load::stop`] (or drop) ends it.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Vec<String>>>,
    /// Every tx signed.
    pub ledger: Arc<Ledger>,
    /// Hashes (upper-case hex) of the txs CheckTx accepted, in order.
    pub accepted: Arc<Mutex<Vec<String>>>,
    /// Counters.
    pub counters: Arc<Counters>,
    /// The first JSON-RPC errors CometBFT answered with.
    pub rpc_errors: Arc<Mutex<Vec<String>>>,
}

impl Load {
    /// Starts one thread per `(sender, node)`; each sends a transfer to one of `recipients`
    /// every `interval`.
    pub fn start(
        chain_id: &str,
        senders: Vec<(TestAccount, Rpc)>,
        recipients: Vec<Address>,
        interval: Duration,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ledger = Arc::new(Ledger::default());
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let counters = Arc::new(Counters::default());
        let rpc_errors = Arc::new(Mutex::new(Vec::new()));
        let threads = senders
            .into_iter()
            .enumerate()
            .map(|(i, (sender, rpc))| {
                let worker = Worker {
                    chain_id: chain_id.to_string(),
                    sender,
                    rpc,
                    recipients: recipients.clone(),
                    interval,
                    seq: i as u64,
                    stop: Arc::clone(&stop),
                    ledger: Arc::clone(&ledger),
                    accepted: Arc::clone(&accepted),
                    counters: Arc::clone(&counters),
                    rpc_errors: Arc::clone(&rpc_errors),
                };
                std::thread::Builder::new()
                    .name(format!("load-{i}"))
                    .spawn(move || worker.run())
                    .expect("spawn a load thread")
            })
            .collect();
        Load { stop, threads, ledger, accepted, counters, rpc_errors }
    }

    /// Number of txs CheckTx accepted so far.
    pub fn accepted_count(&self) -> usize {
        self.accepted.lock().expect("accepted lock").len()
    }

    /// Stops the senders; returns the CheckTx refusals they saw other than nonce races
    /// (for the failure message).
    pub fn stop(&mut self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        self.threads
            .drain(..)
            .flat_map(|t| t.join().unwrap_or_else(|_| vec!["a load thread panicked".into()]))
            .collect()
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Worker {
    chain_id: String,
    sender: TestAccount,
    rpc: Rpc,
    recipients: Vec<Address>,
    interval: Duration,
    seq: u64,
    stop: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
    accepted: Arc<Mutex<Vec<String>>>,
    counters: Arc<Counters>,
    rpc_errors: Arc<Mutex<Vec<String>>>,
}

impl Worker {
    fn committed_nonce(&self) -> Option<u64> {
        self.rpc.nonce(&self.sender.address.to_string()).ok()
    }

    fn run(self) -> Vec<String> {
        let mut surprises = Vec::new();
        let mut nonce = None;
        let mut n = self.seq;
        while !self.stop.load(Ordering::SeqCst) {
            let Some(next) = nonce.or_else(|| self.committed_nonce()) else {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            };
            n += 1;
            let candidates: Vec<Address> =
                self.recipients.iter().copied().filter(|a| *a != self.sender.address).collect();
            let to = candidates[(n as usize) % candidates.len()];
            let amount = 1 + u128::from(n % 1000);
            let tx = transfer(&self.chain_id, &self.sender, next, to, amount);
            self.ledger.record(&tx, Transfer { from: self.sender.address, to, amount, fee: fee(), nonce: next });
            match self.rpc.broadcast_tx_sync(&tx) {
                Ok(outcome) if outcome.code == 0 => {
                    nonce = Some(next + 1);
                    self.accepted.lock().expect("accepted lock").push(outcome.hash);
                    self.counters.accepted.fetch_add(1, Ordering::Relaxed);
                }
                Ok(outcome) => {
                    self.counters.refused.fetch_add(1, Ordering::Relaxed);
                    let nonce_race = outcome.codespace == "tx" && (outcome.code == 6 || outcome.code == 7);
                    if !nonce_race && surprises.len() < 5 {
                        surprises.push(format!(
                            "{}: CheckTx {}/{}: {}",
                            self.sender.name, outcome.codespace, outcome.code, outcome.log
                        ));
                    }
                    // NonceTooLow: a tx we thought lost was committed. NonceTooHigh: a tx we
                    // thought pending was lost (a restarted node forgets its mempool).
                    // Either way start again from the committed nonce.
                    nonce = None;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(RpcError::Transport(_)) => {
                    self.counters.unreachable.fetch_add(1, Ordering::Relaxed);
                    nonce = None;
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e @ RpcError::Rpc { .. }) => {
                    // CometBFT itself refused (its app connection is gone, the mempool is
                    // full, ...): counted, and judged by the test, not here.
                    self.counters.rpc_errors.fetch_add(1, Ordering::Relaxed);
                    let mut errors = self.rpc_errors.lock().expect("errors lock");
                    if errors.len() < 20 {
                        errors.push(format!("{}: {e}", self.sender.name));
                    }
                    drop(errors);
                    nonce = None;
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
            std::thread::sleep(self.interval);
        }
        surprises
    }
}

/// The outcome of replaying the blocks `1..=height` over genesis.
pub struct Replayed {
    /// Expected `stake` balance of every account the blocks or genesis touch.
    pub balances: BTreeMap<Address, u128>,
    /// Transactions in the blocks.
    pub txs: usize,
    /// `(height, tx bytes)` of each committed tx.
    pub committed: Vec<(u64, Vec<u8>)>,
}

/// Recomputes balances after block `height` from `genesis` and every block's transactions,
/// read from `rpc`. Fails if a block holds a tx the test did not sign, or a tx failed.
pub fn replay_blocks(rpc: &Rpc, genesis: &BTreeMap<Address, u128>, ledger: &Ledger, height: u64) -> Replayed {
    let mut balances = genesis.clone();
    let mut committed = Vec::new();
    for h in 1..=height {
        let txs = rpc.block_txs(h).unwrap_or_else(|e| panic!("{}: block {h}: {e}", rpc.url()));
        if txs.is_empty() {
            continue;
        }
        let results = rpc.block_results(h).unwrap_or_else(|e| panic!("{}: block_results {h}: {e}", rpc.url()));
        assert_eq!(results.len(), txs.len(), "block {h}: {} txs but {} results", txs.len(), results.len());
        for (tx, (code, codespace)) in txs.into_iter().zip(results) {
            let t = ledger.get(&tx).unwrap_or_else(|| panic!("block {h} holds a tx the test never signed"));
            assert_eq!(
                (code, codespace.as_str()),
                (0, ""),
                "block {h}: a transfer ({t:?}) failed with {codespace}/{code}"
            );
            let from = balances.entry(t.from).or_insert(0);
            *from = from.checked_sub(t.amount + t.fee).unwrap_or_else(|| panic!("block {h}: {:?} overspent", t.from));
            *balances.entry(t.to).or_insert(0) += t.amount;
            committed.push((h, tx));
        }
    }
    let txs = committed.len();
    Replayed { balances, txs, committed }
}

/// Checks that `rpc` reports, at `height`, the balance of every account in `expected`
/// (skipping the fee collector, which genesis does not list and the tests do not model).
pub fn check_balances(rpc: &Rpc, expected: &BTreeMap<Address, u128>, height: u64, who: &str) {
    for (address, amount) in expected {
        let actual = rpc
            .balance(&address.to_string(), "stake", height)
            .unwrap_or_else(|e| panic!("{who}: balance of {address} at {height}: {e}"));
        assert_eq!(
            actual, *amount,
            "{who}: balance of {address} at height {height}: chain says {actual}, blocks say {amount}"
        );
    }
}
