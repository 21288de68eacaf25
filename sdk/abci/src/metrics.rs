//! [`Metrics`]: what a node tells Prometheus about the blocks it executes (node-local, never
//! part of consensus; floats here are seconds for histograms, not state).
//!
//! The ABCI adapter records, from the answers it gives CometBFT:
//! - `conclave_finalize_block_seconds`, `conclave_commit_seconds`: how long each took;
//! - `conclave_block_height`: the last finalized height;
//! - `conclave_txs_total{codespace, code}`: executed transactions by result (`code="0"`: ok);
//! - `conclave_check_txs_total{kind, result}`: CheckTx calls (`new`/`recheck`,
//!   `accepted`/`refused`), whose rate is the mempool's intake;
//! - `conclave_events_total{kind}`: every event of every block and transaction by kind, so
//!   jailings and slashes are `kind="slashing.jailed"`, `kind="slashing.slashed"`;
//! - `conclave_validator_power{pub_key}` and `conclave_validators`: the validator set as the
//!   app set it (InitChain, then every update; a node restarted since genesis knows only
//!   the updates since its start, so CometBFT's own `cometbft_consensus_validators` metrics
//!   remain the reference for the whole set).
//!
//! The node adds the store's size and retained versions at each scrape
//! ([`Metrics::set_store`]) and serves [`Metrics::encode`] over HTTP.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use conclave_core::state::hex;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::crypto::public_key;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TxLabels {
    codespace: String,
    code: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckTxLabels {
    kind: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ValidatorLabels {
    pub_key: String,
}

/// A node's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    finalize_seconds: Histogram,
    commit_seconds: Histogram,
    height: Gauge,
    txs: Family<TxLabels, Counter>,
    check_txs: Family<CheckTxLabels, Counter>,
    events: Family<EventLabels, Counter>,
    validator_power: Family<ValidatorLabels, Gauge>,
    validators: Gauge,
    /// The set as last updated (hex key → power), to count it.
    set: Mutex<BTreeMap<String, i64>>,
    store_bytes: Gauge,
    store_latest_version: Gauge,
    store_keep_versions: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under the `conclave` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("conclave");
        // 0.5 ms to ~16 s: an empty block to a very large one.
        let finalize_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let commit_seconds = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let metrics = Self {
            finalize_seconds: finalize_seconds.clone(),
            commit_seconds: commit_seconds.clone(),
            height: Gauge::default(),
            txs: Family::default(),
            check_txs: Family::default(),
            events: Family::default(),
            validator_power: Family::default(),
            validators: Gauge::default(),
            set: Mutex::new(BTreeMap::new()),
            store_bytes: Gauge::default(),
            store_latest_version: Gauge::default(),
            store_keep_versions: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("finalize_block_seconds", "FinalizeBlock execution time", finalize_seconds);
        registry.register("commit_seconds", "Commit time (the block's state made durable)", commit_seconds);
        registry.register("block_height", "The last finalized height", metrics.height.clone());
        registry.register("txs", "Executed transactions by result code", metrics.txs.clone());
        registry.register("check_txs", "CheckTx calls by kind and result", metrics.check_txs.clone());
        registry.register("events", "Events of blocks and transactions by kind", metrics.events.clone());
        registry.register(
            "validator_power",
            "Voting power the app gave each validator",
            metrics.validator_power.clone(),
        );
        registry.register("validators", "Validators in the set the app last sent", metrics.validators.clone());
        registry.register("store_bytes", "Size of the state store's file", metrics.store_bytes.clone());
        registry.register(
            "store_latest_version",
            "Latest committed version of the state",
            metrics.store_latest_version.clone(),
        );
        registry.register(
            "store_keep_versions",
            "Recent versions kept for queries",
            metrics.store_keep_versions.clone(),
        );
        Self { registry, ..metrics }
    }

    /// Records a CheckTx answer.
    pub fn check_tx(&self, kind: i32, response: &pb::ResponseCheckTx) {
        let kind = if kind == pb::CheckTxType::Recheck as i32 { "recheck" } else { "new" };
        let result = if response.code == 0 { "accepted" } else { "refused" };
        self.check_txs.get_or_create(&CheckTxLabels { kind, result }).inc();
    }

    /// Records a FinalizeBlock answer for `height` and how long it took.
    pub fn finalize_block(&self, height: i64, took: Duration, response: &pb::ResponseFinalizeBlock) {
        self.finalize_seconds.observe(took.as_secs_f64());
        self.height.set(height);
        for tx in &response.tx_results {
            self.txs.get_or_create(&TxLabels { codespace: tx.codespace.clone(), code: tx.code }).inc();
            self.count_events(&tx.events);
        }
        self.count_events(&response.events);
        self.validator_updates(&response.validator_updates);
    }

    /// Records the validator set InitChain (or an update) sets.
    pub fn validator_updates(&self, updates: &[pb::ValidatorUpdate]) {
        if updates.is_empty() {
            return;
        }
        let Ok(mut set) = self.set.lock() else { return };
        for update in updates {
            let Some(public_key::Sum::Ed25519(key)) = update.pub_key.as_ref().and_then(|k| k.sum.as_ref()) else {
                continue;
            };
            let labels = ValidatorLabels { pub_key: hex(key) };
            if update.power == 0 {
                self.validator_power.remove(&labels);
                set.remove(&labels.pub_key);
            } else {
                self.validator_power.get_or_create(&labels).set(update.power);
                set.insert(labels.pub_key, update.power);
            }
        }
        self.validators.set(i64::try_from(set.len()).unwrap_or(i64::MAX));
    }

    /// Records how long a Commit took.
    pub fn commit(&self, took: Duration) {
        self.commit_seconds.observe(took.as_secs_f64());
    }

    /// The last finalized height recorded.
    pub fn height(&self) -> u64 {
        u64::try_from(self.height.get()).unwrap_or(0)
    }

    /// Sets the store's figures (the node reads them at each scrape).
    pub fn set_store(&self, bytes: u64, latest_version: u64, keep_versions: u64) {
        let gauge = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.store_bytes.set(gauge(bytes));
        self.store_latest_version.set(gauge(latest_version));
        self.store_keep_versions.set(gauge(keep_versions));
    }

    /// The metrics in Prometheus's text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    fn count_events(&self, events: &[pb::Event]) {
        for event in events {
            self.events.get_or_create(&EventLabels { kind: event.r#type.clone() }).inc();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tendermint_proto::v0_38::crypto::PublicKey;

    fn update(key: u8, power: i64) -> pb::ValidatorUpdate {
        pb::ValidatorUpdate { pub_key: Some(PublicKey { sum: Some(public_key::Sum::Ed25519(vec![key; 32])) }), power }
    }

    fn event(kind: &str) -> pb::Event {
        pb::Event { r#type: kind.into(), attributes: Vec::new() }
    }

    #[test]
    fn blocks_transactions_and_the_set_are_counted() {
        let metrics = Metrics::new();
        metrics.validator_updates(&[update(1, 10), update(2, 20)]);
        let ok = pb::ExecTxResult { code: 0, events: vec![event("bank.transfer")], ..Default::default() };
        let failed = pb::ExecTxResult { code: 7, codespace: "bank".into(), ..Default::default() };
        let block = pb::ResponseFinalizeBlock {
            tx_results: vec![ok.clone(), ok, failed],
            events: vec![event("slashing.jailed")],
            validator_updates: vec![update(1, 0)],
            ..Default::default()
        };
        metrics.finalize_block(42, Duration::from_millis(3), &block);
        metrics.check_tx(pb::CheckTxType::New as i32, &pb::ResponseCheckTx::default());
        metrics.check_tx(pb::CheckTxType::Recheck as i32, &pb::ResponseCheckTx { code: 6, ..Default::default() });
        metrics.commit(Duration::from_millis(1));
        metrics.set_store(4096, 42, 100);
        let text = metrics.encode();
        for line in [
            "conclave_block_height 42",
            "conclave_txs_total{codespace=\"\",code=\"0\"} 2",
            "conclave_txs_total{codespace=\"bank\",code=\"7\"} 1",
            "conclave_events_total{kind=\"bank.transfer\"} 2",
            "conclave_events_total{kind=\"slashing.jailed\"} 1",
            "conclave_check_txs_total{kind=\"new\",result=\"accepted\"} 1",
            "conclave_check_txs_total{kind=\"recheck\",result=\"refused\"} 1",
            "conclave_validators 1",
            "conclave_finalize_block_seconds_count 1",
            "conclave_commit_seconds_count 1",
            "conclave_store_bytes 4096",
            "conclave_store_keep_versions 100",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} missing from\n{text}");
        }
        let two = hex(&[2; 32]);
        assert!(text.contains(&format!("conclave_validator_power{{pub_key=\"{two}\"}} 20")), "{text}");
        assert!(!text.contains(&hex(&[1; 32])), "a validator removed with power 0 is dropped:\n{text}");
    }
}
