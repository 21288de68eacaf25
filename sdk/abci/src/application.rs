//! [`AbciApp`]: the runtime as a `tendermint_abci::Application` (ABCI 2.0, v0_38 types).
//!
//! CometBFT opens four connections (consensus, mempool, query, snapshot) and drives them
//! concurrently. Consensus methods (InitChain, FinalizeBlock, Commit) take the executor's lock;
//! CheckTx, Query, Info, PrepareProposal and ProcessProposal go through the [`RuntimeHandle`],
//! which reads only committed state, so a query never waits for a block to execute.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{self as pb, response_process_proposal, response_verify_vote_extension};
use tendermint_proto::v0_38::crypto::{ProofOp, ProofOps};

use conclave_runtime::layer::Committed;
use conclave_runtime::{
    App, CheckTxKind, FinalizeBlockRequest, InitChainRequest, QueryRequest, Runtime, RuntimeError, RuntimeHandle,
};

use crate::convert::{self, to_i64, PROOF_OP_TYPE};
use crate::fatal::{error_chain, exit_process, FatalHandler};
use crate::indexing::EventIndexing;
use crate::metrics::Metrics;
use crate::state_sync::{Applied, StateSync, StateSyncConfig};

/// The application served to CometBFT.
pub struct AbciApp<A: App> {
    consensus: Arc<Mutex<Runtime<A>>>,
    handle: RuntimeHandle<A>,
    on_fatal: FatalHandler,
    name: String,
    /// Prometheus metrics, when the node exports them.
    metrics: Option<Arc<Metrics>>,
    /// Snapshots, restores and the retain height (`crate::state_sync`).
    state_sync: Arc<StateSync>,
    /// Which event attributes CometBFT is asked to index (`crate::indexing`).
    indexing: Arc<EventIndexing>,
}

impl<A: App + Clone> Clone for AbciApp<A> {
    fn clone(&self) -> Self {
        Self {
            consensus: Arc::clone(&self.consensus),
            handle: self.handle.clone(),
            on_fatal: Arc::clone(&self.on_fatal),
            name: self.name.clone(),
            metrics: self.metrics.clone(),
            state_sync: Arc::clone(&self.state_sync),
            indexing: Arc::clone(&self.indexing),
        }
    }
}

impl<A: App + Clone + Sync> AbciApp<A> {
    /// Serves `runtime`; a fatal error exits the process.
    pub fn new(runtime: Runtime<A>, name: &str) -> Self {
        Self::with_fatal_handler(runtime, name, exit_process())
    }

    /// Serves `runtime` with a custom fatal-error handler (tests).
    pub fn with_fatal_handler(runtime: Runtime<A>, name: &str, on_fatal: FatalHandler) -> Self {
        let handle = runtime.handle();
        Self {
            consensus: Arc::new(Mutex::new(runtime)),
            handle,
            on_fatal,
            name: name.to_string(),
            metrics: None,
            state_sync: Arc::new(StateSync::off()),
            indexing: Arc::new(EventIndexing::default()),
        }
    }

    /// Takes snapshots and prunes blocks as `config` says (see [`crate::state_sync`]); without
    /// it, no snapshots are served and every block is kept. Restoring a snapshot works either
    /// way. Fails if the snapshot directory cannot be opened.
    pub fn with_state_sync(mut self, config: &StateSyncConfig) -> std::io::Result<Self> {
        self.state_sync = Arc::new(StateSync::start(config)?);
        Ok(self)
    }

    /// Blocks until no snapshot is being written (tests, orderly shutdown).
    pub fn wait_for_snapshots(&self) {
        if let Some(snapshotter) = self.state_sync.snapshotter() {
            snapshotter.wait_idle();
        }
    }

    /// Asks CometBFT to index the event attributes `indexing` selects; without it, the ones
    /// their modules declare as query keys (see [`crate::indexing`]).
    pub fn with_event_indexing(mut self, indexing: EventIndexing) -> Self {
        self.indexing = Arc::new(indexing);
        self
    }

    /// Records every block, commit and CheckTx into `metrics` (see [`crate::metrics`]).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn fatal<T: Default>(&self, method: &str, error: &dyn std::error::Error) -> T {
        (self.on_fatal)(&format!("{method} failed, stopping the node: {}", error_chain(error)));
        T::default()
    }

    fn protocol<T: Default>(&self, method: &str, message: String) -> T {
        self.fatal(method, &RuntimeError::Protocol(message))
    }

    fn runtime(&self) -> Result<MutexGuard<'_, Runtime<A>>, RuntimeError> {
        self.consensus
            .lock()
            .map_err(|_| RuntimeError::Protocol("the executor lock was poisoned by an earlier panic".into()))
    }
}

/// A burst of CheckTx: their signatures are verified in batches across the cores before the
/// server answers them one by one (the answers are unchanged; see `conclave_runtime::batch`).
impl<A: App + Clone + Sync> crate::CheckTxBursts for AbciApp<A> {
    fn check_tx_burst(&self, txs: &[&[u8]]) {
        self.handle.verify_signatures_ahead(txs);
    }
}

impl<A: App + Clone + Sync> Application for AbciApp<A> {
    fn echo(&self, request: pb::RequestEcho) -> pb::ResponseEcho {
        pb::ResponseEcho { message: request.message }
    }

    fn info(&self, _request: pb::RequestInfo) -> pb::ResponseInfo {
        match self.handle.info() {
            Ok(info) => pb::ResponseInfo {
                data: self.name.clone(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                app_version: 0,
                last_block_height: to_i64(info.last_block_height),
                last_block_app_hash: Bytes::from(info.last_block_app_hash),
            },
            Err(e) => self.fatal("Info", &e),
        }
    }

    fn init_chain(&self, request: pb::RequestInitChain) -> pb::ResponseInitChain {
        let time = match convert::block_time(request.time.as_ref()) {
            Ok(time) => time,
            Err(e) => return self.protocol("InitChain", e),
        };
        let initial_height = match convert::height(request.initial_height) {
            Ok(h) => h.max(1),
            Err(e) => return self.protocol("InitChain", e),
        };
        let evidence = match convert::evidence_params(request.consensus_params.as_ref()) {
            Ok(evidence) => evidence,
            Err(e) => return self.protocol("InitChain", e),
        };
        let result = self.runtime().and_then(|mut runtime| {
            runtime.init_chain(InitChainRequest {
                chain_id: request.chain_id,
                time,
                initial_height,
                app_state: request.app_state_bytes.to_vec(),
                evidence,
            })
        });
        match result {
            Ok(response) => {
                let validators: Vec<pb::ValidatorUpdate> =
                    response.validators.into_iter().map(convert::validator_update).collect();
                if let Some(metrics) = &self.metrics {
                    metrics.validator_updates(&validators);
                }
                pb::ResponseInitChain {
                    consensus_params: None,
                    validators,
                    app_hash: Bytes::copy_from_slice(&response.app_hash),
                }
            }
            Err(e) => self.fatal("InitChain", &e),
        }
    }

    fn query(&self, request: pb::RequestQuery) -> pb::ResponseQuery {
        let Ok(height) = u64::try_from(request.height) else {
            return pb::ResponseQuery {
                code: conclave_runtime::QueryCode::HeightUnavailable as u32,
                codespace: "query".into(),
                log: format!("negative height {}", request.height),
                ..Default::default()
            };
        };
        let query = QueryRequest { path: request.path, data: request.data.to_vec(), height, prove: request.prove };
        match self.handle.query(&query) {
            Ok(response) => pb::ResponseQuery {
                code: response.code,
                log: response.log,
                info: String::new(),
                index: 0,
                key: Bytes::from(response.key.clone()),
                value: Bytes::from(response.value),
                proof_ops: response.proof.map(|data| ProofOps {
                    ops: vec![ProofOp { r#type: PROOF_OP_TYPE.into(), key: response.key, data }],
                }),
                height: to_i64(response.height),
                codespace: response.codespace,
            },
            Err(e) => self.fatal("Query", &e),
        }
    }

    fn check_tx(&self, request: pb::RequestCheckTx) -> pb::ResponseCheckTx {
        let kind =
            if request.r#type == pb::CheckTxType::Recheck as i32 { CheckTxKind::Recheck } else { CheckTxKind::New };
        match self.handle.check_tx(&request.tx, kind) {
            Ok(result) => {
                let response = convert::check_tx_response(result);
                if let Some(metrics) = &self.metrics {
                    metrics.check_tx(request.r#type, &response);
                }
                response
            }
            Err(e) => self.fatal("CheckTx", &e),
        }
    }

    fn commit(&self) -> pb::ResponseCommit {
        let started = Instant::now();
        let committed = self.runtime().and_then(|mut runtime| {
            runtime.commit()?;
            let latest = runtime.store().latest();
            let evidence = conclave_core::consensus::evidence_params(&Committed(latest.clone()))?;
            Ok((latest, evidence))
        });
        match committed {
            Ok((latest, evidence)) => {
                if let Some(metrics) = &self.metrics {
                    metrics.commit(started.elapsed());
                }
                let retain = self.state_sync.after_commit(&latest, evidence.max_age_num_blocks);
                pb::ResponseCommit { retain_height: to_i64(retain) }
            }
            Err(e) => self.fatal("Commit", &e),
        }
    }

    fn list_snapshots(&self) -> pb::ResponseListSnapshots {
        self.state_sync.list_snapshots()
    }

    fn offer_snapshot(&self, request: pb::RequestOfferSnapshot) -> pb::ResponseOfferSnapshot {
        match self.handle.info() {
            Ok(info) => self.state_sync.offer(&request, info.last_block_height),
            Err(e) => self.fatal("OfferSnapshot", &e),
        }
    }

    fn load_snapshot_chunk(&self, request: pb::RequestLoadSnapshotChunk) -> pb::ResponseLoadSnapshotChunk {
        self.state_sync.load_chunk(&request)
    }

    fn apply_snapshot_chunk(&self, request: pb::RequestApplySnapshotChunk) -> pb::ResponseApplySnapshotChunk {
        let state = match self.state_sync.apply_chunk(&request) {
            Applied::Answer(answer) => return answer,
            Applied::Complete(state) => state,
        };
        let (height, keys) = (state.version(), state.len());
        match self.runtime().and_then(|mut runtime| runtime.restore(state)) {
            Ok(()) => {
                tracing::info!(
                    target: "conclave::abci",
                    height,
                    keys,
                    "state sync restored the state of this height; following the chain from the next block"
                );
                pb::ResponseApplySnapshotChunk {
                    result: pb::response_apply_snapshot_chunk::Result::Accept as i32,
                    ..Default::default()
                }
            }
            Err(e) => self.fatal("ApplySnapshotChunk", &e),
        }
    }

    fn prepare_proposal(&self, request: pb::RequestPrepareProposal) -> pb::ResponsePrepareProposal {
        let max_bytes = u64::try_from(request.max_tx_bytes).unwrap_or(0);
        let txs = request.txs.into_iter().map(|tx| tx.to_vec()).collect();
        match self.handle.prepare_proposal(txs, max_bytes) {
            Ok(kept) => pb::ResponsePrepareProposal { txs: kept.into_iter().map(Bytes::from).collect() },
            Err(e) => self.fatal("PrepareProposal", &e),
        }
    }

    fn process_proposal(&self, request: pb::RequestProcessProposal) -> pb::ResponseProcessProposal {
        let txs: Vec<Vec<u8>> = request.txs.iter().map(|tx| tx.to_vec()).collect();
        match self.handle.process_proposal(&txs) {
            Ok(accept) => {
                let status = if accept {
                    response_process_proposal::ProposalStatus::Accept
                } else {
                    response_process_proposal::ProposalStatus::Reject
                };
                pb::ResponseProcessProposal { status: status as i32 }
            }
            Err(e) => self.fatal("ProcessProposal", &e),
        }
    }

    fn extend_vote(&self, _request: pb::RequestExtendVote) -> pb::ResponseExtendVote {
        pb::ResponseExtendVote::default()
    }

    fn verify_vote_extension(&self, _request: pb::RequestVerifyVoteExtension) -> pb::ResponseVerifyVoteExtension {
        // Vote extensions are not enabled; never answer UNKNOWN (CometBFT panics on it).
        pb::ResponseVerifyVoteExtension { status: response_verify_vote_extension::VerifyStatus::Accept as i32 }
    }

    fn finalize_block(&self, request: pb::RequestFinalizeBlock) -> pb::ResponseFinalizeBlock {
        let height = match convert::height(request.height) {
            Ok(h) => h,
            Err(e) => return self.protocol("FinalizeBlock", e),
        };
        let time = match convert::block_time(request.time.as_ref()) {
            Ok(t) => t,
            Err(e) => return self.protocol("FinalizeBlock", e),
        };
        let last_commit = match convert::last_commit(request.decided_last_commit.as_ref()) {
            Ok(c) => c,
            Err(e) => return self.protocol("FinalizeBlock", e),
        };
        let misbehavior = match convert::misbehavior(&request.misbehavior) {
            Ok(m) => m,
            Err(e) => return self.protocol("FinalizeBlock", e),
        };
        let block = FinalizeBlockRequest {
            height,
            time,
            proposer: convert::proposer(&request.proposer_address),
            last_commit,
            misbehavior,
            txs: request.txs.into_iter().map(|tx| tx.to_vec()).collect(),
        };
        let started = Instant::now();
        match self.runtime().and_then(|mut runtime| runtime.finalize_block(block)) {
            Ok(mut response) => {
                self.indexing.apply(&mut response.events);
                for result in &mut response.tx_results {
                    self.indexing.apply(&mut result.events);
                }
                let response = pb::ResponseFinalizeBlock {
                    events: response.events.into_iter().map(convert::event).collect(),
                    tx_results: response.tx_results.into_iter().map(convert::exec_tx_result).collect(),
                    validator_updates: response.validator_updates.into_iter().map(convert::validator_update).collect(),
                    consensus_param_updates: None,
                    app_hash: Bytes::copy_from_slice(&response.app_hash),
                };
                if let Some(metrics) = &self.metrics {
                    metrics.finalize_block(request.height, started.elapsed(), &response);
                }
                response
            }
            Err(e) => self.fatal("FinalizeBlock", &e),
        }
    }
}
