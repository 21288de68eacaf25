//! Transfer load and its accounting.
//!
//! A [`TransferLoad`] is the toolkit's load generator (`conclave_cometbft::load`) with one
//! sender per funded account, each sending bank transfers to its own node. Every signed tx is
//! written into a [`Ledger`] *before* it is sent, so whatever ends up in a block (even a tx
//! whose broadcast timed out while a node died) is known. [`replay_blocks`] then recomputes
//! every balance from genesis and the blocks' transactions, and [`check_balances`] compares
//! it with what the chain reports.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conclave_cometbft::load::{Load, LoadStats};
use conclave_cometbft::rpc::Rpc;
use conclave_core::{Address, Coin, TxCode};
use conclave_testkit::{TestAccount, TxOptions};

use super::AppchainQueries;

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

/// A nonce race: the load's expected friction after a node restart or a lost mempool.
fn is_nonce_race(codespace: &str, code: u32) -> bool {
    codespace == "tx" && (code == TxCode::NonceTooLow as u32 || code == TxCode::NonceTooHigh as u32)
}

/// CheckTx refusals other than nonce races, for a failure message.
pub fn surprises(stats: &LoadStats) -> Vec<String> {
    stats
        .refused
        .iter()
        .filter(|((codespace, code), _)| !is_nonce_race(codespace, *code))
        .map(|((codespace, code), r)| format!("{}x CheckTx {codespace}/{code}: {}", r.count, r.first_log))
        .collect()
}

/// A background transfer load; [`TransferLoad::stop`] (or drop) ends it.
pub struct TransferLoad {
    load: Load,
    /// Every tx signed.
    pub ledger: Arc<Ledger>,
}

impl TransferLoad {
    /// Starts one sender per `(account, node)`; each sends a transfer to one of `recipients`
    /// every `interval`, with its nonce read from the chain at start and after a nonce race.
    pub fn start(
        chain_id: &str,
        senders: Vec<(TestAccount, Rpc)>,
        recipients: Vec<Address>,
        interval: Duration,
    ) -> TransferLoad {
        let ledger = Arc::new(Ledger::default());
        let endpoints: Vec<String> = senders.iter().map(|(_, rpc)| rpc.url().to_string()).collect();
        let accounts: Vec<TestAccount> = senders.into_iter().map(|(account, _)| account).collect();
        let addresses: Vec<String> = accounts.iter().map(|a| a.address.to_string()).collect();
        // Per sender, a count of the txs it signed: it picks the recipient and the amount.
        let signed: Vec<AtomicU64> = (0..accounts.len() as u64).map(AtomicU64::new).collect();
        let (chain_id, book) = (chain_id.to_string(), Arc::clone(&ledger));
        let make_tx = move |i: usize, nonce: u64| {
            let from = &accounts[i];
            let n = signed[i].fetch_add(1, Ordering::Relaxed) + 1;
            let candidates: Vec<Address> = recipients.iter().copied().filter(|a| *a != from.address).collect();
            let to = candidates[(n as usize) % candidates.len()];
            let amount = 1 + u128::from(n % 1000);
            let tx = transfer(&chain_id, from, nonce, to, amount);
            book.record(&tx, Transfer { from: from.address, to, amount, fee: fee(), nonce });
            tx
        };
        let load = Load::builder(endpoints, make_tx)
            .nonces_from(move |i, rpc| rpc.nonce(&addresses[i]).ok())
            .nonce_errors(|answer| is_nonce_race(&answer.codespace, answer.code))
            .pause(interval)
            .retry_pause(Duration::from_millis(200))
            .timeout(Duration::from_secs(10))
            .start()
            .expect("start the transfer load");
        TransferLoad { load, ledger }
    }

    /// Number of txs accepted so far.
    pub fn accepted_count(&self) -> usize {
        usize::try_from(self.load.accepted()).unwrap_or(usize::MAX)
    }

    /// Hashes (upper-case hex) of the txs CheckTx accepted, in order.
    pub fn accepted_hashes(&self) -> Vec<String> {
        self.load.accepted_hashes()
    }

    /// Stops the senders; returns the final counters.
    pub fn stop(&mut self) -> LoadStats {
        self.load.stop()
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
    /// The last block replayed.
    pub height: u64,
}

/// Recomputes balances after block `height` from `genesis` and every block's transactions,
/// read from `rpc`. Fails if a block holds a tx the test did not sign, or a tx failed.
pub fn replay_blocks(rpc: &Rpc, genesis: &BTreeMap<Address, u128>, ledger: &Ledger, height: u64) -> Replayed {
    let mut replayed = Replayed { balances: genesis.clone(), txs: 0, committed: Vec::new(), height: 0 };
    replayed.extend(rpc, ledger, height);
    replayed
}

impl Replayed {
    /// Replays the blocks after the last one replayed, up to `height`.
    pub fn extend(&mut self, rpc: &Rpc, ledger: &Ledger, height: u64) {
        for h in self.height + 1..=height {
            let txs = rpc.block(h).unwrap_or_else(|e| panic!("{}: block {h}: {e}", rpc.url())).block.data.txs;
            if txs.is_empty() {
                continue;
            }
            let results =
                rpc.block_results(h).unwrap_or_else(|e| panic!("{}: block_results {h}: {e}", rpc.url())).txs_results;
            assert_eq!(results.len(), txs.len(), "block {h}: {} txs but {} results", txs.len(), results.len());
            for (tx, result) in txs.into_iter().zip(results) {
                let t = ledger.get(&tx).unwrap_or_else(|| panic!("block {h} holds a tx the test never signed"));
                assert_eq!(
                    (result.code, result.codespace.as_str()),
                    (0, ""),
                    "block {h}: a transfer ({t:?}) failed with {}/{}",
                    result.codespace,
                    result.code
                );
                let balances = &mut self.balances;
                let from = balances.entry(t.from).or_insert(0);
                *from =
                    from.checked_sub(t.amount + t.fee).unwrap_or_else(|| panic!("block {h}: {:?} overspent", t.from));
                *balances.entry(t.to).or_insert(0) += t.amount;
                self.committed.push((h, tx));
            }
        }
        self.height = self.height.max(height);
        self.txs = self.committed.len();
    }
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
