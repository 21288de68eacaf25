//! What the non-consensus connections share with the executor: the mempool view and the
//! retained committed versions. CometBFT drives consensus, mempool and query connections
//! concurrently; [`RuntimeHandle`] serves CheckTx, Query and Info without waiting for a block
//! to finish executing, because the executor only touches this shared state at Commit.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use conclave_store::{Snapshot, Store};

use crate::app::App;
use crate::error::RuntimeError;
use crate::layer::Committed;
use crate::mempool::Mempool;
use crate::params::PARAMS;
use crate::signatures::VerifiedSignatures;
use crate::types::{CheckTxKind, InfoResponse, QueryRequest, QueryResponse, TxResult};

/// The committed versions queries may read: the store's retained range, published at Commit.
#[derive(Clone, Default)]
pub struct Versions {
    by_height: BTreeMap<u64, Snapshot>,
}

impl Versions {
    /// Every retained version of `store`.
    pub(crate) fn of(store: &Store) -> Self {
        let latest = store.latest_version();
        let oldest = store.oldest_retained_version().max(1);
        let by_height = (oldest..=latest).filter_map(|v| store.snapshot(v).map(|s| (v, s))).collect();
        Self { by_height }
    }

    /// Adds the newly committed `latest` and forgets versions below `oldest`.
    pub(crate) fn publish(&mut self, latest: Snapshot, oldest: u64) {
        self.by_height.insert(latest.version(), latest);
        self.by_height = self.by_height.split_off(&oldest);
    }

    /// The latest committed height (0 before the first commit).
    pub fn latest(&self) -> u64 {
        self.by_height.keys().next_back().copied().unwrap_or(0)
    }

    /// The latest committed snapshot, if any.
    pub fn latest_snapshot(&self) -> Option<Snapshot> {
        self.by_height.values().next_back().cloned()
    }

    /// The snapshot of `height`, if retained.
    pub fn get(&self, height: u64) -> Option<Snapshot> {
        self.by_height.get(&height).cloned()
    }

    /// "A to B", or "none" before the first commit.
    pub fn describe(&self) -> String {
        match (self.by_height.keys().next(), self.by_height.keys().next_back()) {
            (Some(first), Some(last)) => format!("{first} to {last}"),
            _ => "none (nothing committed yet)".into(),
        }
    }
}

pub(crate) struct Shared {
    pub(crate) mempool: Mutex<Mempool>,
    pub(crate) verified: VerifiedSignatures,
    pub(crate) versions: RwLock<Versions>,
}

fn poisoned(what: &str) -> RuntimeError {
    RuntimeError::Protocol(format!("the {what} lock was poisoned by a panic on another connection"))
}

impl Shared {
    pub(crate) fn publish(&self, store: &Store) -> Result<(), RuntimeError> {
        let latest = store.latest();
        self.mempool.lock().map_err(|_| poisoned("mempool"))?.reset(latest.clone());
        let oldest = store.oldest_retained_version();
        self.versions.write().map_err(|_| poisoned("versions"))?.publish(latest, oldest);
        Ok(())
    }
}

/// CheckTx, Query and Info, callable from any thread while the executor runs a block.
pub struct RuntimeHandle<A: App> {
    pub(crate) app: A,
    pub(crate) shared: Arc<Shared>,
}

impl<A: App + Clone> Clone for RuntimeHandle<A> {
    fn clone(&self) -> Self {
        Self { app: self.app.clone(), shared: Arc::clone(&self.shared) }
    }
}

impl<A: App> RuntimeHandle<A> {
    /// CheckTx: the ante checks against the mempool view (last committed state plus the fees
    /// and nonces of transactions accepted since). New and Recheck run the same checks.
    pub fn check_tx(&self, bytes: &[u8], kind: CheckTxKind) -> Result<TxResult, RuntimeError> {
        check_tx(&self.app, &self.shared, bytes, kind)
    }

    /// Verifies ahead, in batches across the cores, the signatures of transactions about to
    /// be checked one by one (a burst of CheckTx that arrived together): the checks then find
    /// them verified. Changes no answer ([`VerifiedSignatures::verify_ahead`]). Returns how
    /// many were verified here.
    ///
    /// [`VerifiedSignatures::verify_ahead`]: crate::signatures::VerifiedSignatures::verify_ahead
    pub fn verify_signatures_ahead<T: AsRef<[u8]>>(&self, txs: &[T]) -> usize {
        self.shared.verified.verify_ahead(txs)
    }

    /// Query: see `docs/abci.md` for paths.
    pub fn query(&self, request: &QueryRequest) -> Result<QueryResponse, RuntimeError> {
        query(&self.app, &self.shared, request)
    }

    /// Info: the last committed height and app hash.
    pub fn info(&self) -> Result<InfoResponse, RuntimeError> {
        info(&self.shared)
    }

    /// PrepareProposal: keeps, in mempool order, the transactions that pass the ante checks
    /// against the last committed state (each seeing the effects of those kept before it),
    /// whose encoded sizes total at most `max_bytes` and whose gas limits fit `max_block_gas`.
    pub fn prepare_proposal(&self, txs: Vec<Vec<u8>>, max_bytes: u64) -> Result<Vec<Vec<u8>>, RuntimeError> {
        let latest = self.shared.versions.read().map_err(|_| poisoned("versions"))?.latest_snapshot();
        let Some(latest) = latest else {
            // Genesis is not committed yet: nothing can pass the ante checks.
            return Ok(Vec::new());
        };
        self.shared.verified.verify_ahead(&txs);
        let mut scratch = Mempool::new(latest);
        let max_block_gas = scratch.params().map_or(0, |p| p.max_block_gas);
        let (mut bytes, mut gas) = (0u64, 0u64);
        let mut kept = Vec::new();
        for tx in txs {
            let size = proto_size(tx.len());
            if bytes.saturating_add(size) > max_bytes {
                continue;
            }
            let result = scratch.check(&self.app, &tx, &self.shared.verified)?;
            if result.code != 0 {
                continue;
            }
            if max_block_gas != 0 && gas.saturating_add(result.gas_wanted) > max_block_gas {
                break;
            }
            bytes = bytes.saturating_add(size);
            gas = gas.saturating_add(result.gas_wanted);
            kept.push(tx);
        }
        Ok(kept)
    }

    /// ProcessProposal: accepts a block whose transactions all fit `max_tx_bytes` and decode.
    /// Deterministic: depends only on the transactions and the last committed params. Other
    /// failures (nonce, fee, ...) are not grounds to reject: FinalizeBlock gives them codes.
    pub fn process_proposal(&self, txs: &[Vec<u8>]) -> Result<bool, RuntimeError> {
        // Not part of the answer: it fills the cache, so FinalizeBlock of this proposal finds
        // its signatures verified (ProcessProposal runs on every validator before it votes).
        self.shared.verified.verify_ahead(txs);
        let latest = self.shared.versions.read().map_err(|_| poisoned("versions"))?.latest_snapshot();
        let Some(latest) = latest else {
            return Ok(txs.is_empty());
        };
        let Some(params) = PARAMS.get(&Committed(latest))? else {
            return Ok(txs.is_empty());
        };
        Ok(txs.iter().all(|tx| {
            u64::try_from(tx.len()).is_ok_and(|len| len <= params.max_tx_bytes)
                && conclave_core::tx::Tx::<A::Msg>::decode(tx).is_ok()
        }))
    }
}

/// Size CometBFT counts for a transaction in a block: the bytes plus their protobuf field
/// overhead (one tag byte and the length varint).
fn proto_size(len: usize) -> u64 {
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    let mut varint = 1;
    let mut rest = len >> 7;
    while rest > 0 {
        varint += 1;
        rest >>= 7;
    }
    len.saturating_add(1 + varint)
}

pub(crate) fn check_tx<A: App>(
    app: &A,
    shared: &Shared,
    bytes: &[u8],
    _kind: CheckTxKind,
) -> Result<TxResult, RuntimeError> {
    shared.mempool.lock().map_err(|_| poisoned("mempool"))?.check(app, bytes, &shared.verified)
}

pub(crate) fn query<A: App>(app: &A, shared: &Shared, request: &QueryRequest) -> Result<QueryResponse, RuntimeError> {
    // Clone the (cheap, Arc-based) version map so the lock is not held while answering.
    let versions = shared.versions.read().map_err(|_| poisoned("versions"))?.clone();
    Ok(crate::query::query(app, &versions, request))
}

pub(crate) fn info(shared: &Shared) -> Result<InfoResponse, RuntimeError> {
    let versions = shared.versions.read().map_err(|_| poisoned("versions"))?;
    let height = versions.latest();
    let app_hash = versions.get(height).map(|s| s.root_hash().to_vec()).unwrap_or_default();
    Ok(InfoResponse { last_block_height: height, last_block_app_hash: app_hash })
}
