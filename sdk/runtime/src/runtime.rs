//! [`Runtime`]: the block executor. One value owns the store and the block in progress;
//! its methods are the entry points CometBFT drives (through the ABCI adapter) and that the
//! test chain calls directly.
//!
//! Block lifecycle: `init_chain` writes genesis into a pending overlay (nothing persisted);
//! `finalize_block` runs begin-block hooks, each transaction in its own layer, end-block hooks,
//! then stages the new version and returns its root as the app hash; `commit` persists the
//! staged version (state, height and root in one durable write) and resets the mempool view.

use std::sync::{Arc, Mutex, RwLock};

use conclave_core::{BlockInfo, StateRead, TxCode, TxContext};
use conclave_store::{StagedVersion, Store};

use crate::ante::{check_and_pay, check_stateless, is_fatal, Checked, Mode};
use crate::app::{App, AppError, ErrorKind};
use crate::error::RuntimeError;
use crate::genesis::GenesisState;
use crate::handle::{RuntimeHandle, Shared, Versions};
use crate::layer::{Committed, Layer, Writes};
use crate::mempool::Mempool;
use crate::params::{RuntimeParams, CHAIN_ID, NONCES, PARAMS};
use crate::signatures::VerifiedSignatures;
use crate::types::*;

/// Genesis writes waiting for the first block.
struct PendingGenesis {
    initial_height: u64,
    writes: Writes,
}

/// The block executor.
pub struct Runtime<A: App> {
    app: A,
    store: Store,
    genesis: Option<PendingGenesis>,
    staged: Option<StagedVersion>,
    shared: Arc<Shared>,
}

impl<A: App> Runtime<A> {
    /// A runtime over `store` (fresh or reopened after a restart).
    pub fn new(app: A, store: Store) -> Self {
        let shared = Shared {
            mempool: Mutex::new(Mempool::new(store.latest())),
            verified: VerifiedSignatures::default(),
            versions: RwLock::new(Versions::of(&store)),
        };
        Self { app, store, genesis: None, staged: None, shared: Arc::new(shared) }
    }

    /// A handle serving CheckTx, Query and Info concurrently with block execution.
    pub fn handle(&self) -> RuntimeHandle<A>
    where
        A: Clone,
    {
        RuntimeHandle { app: self.app.clone(), shared: Arc::clone(&self.shared) }
    }

    /// The application.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// The store (read-only: snapshots and versions).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Info: the last committed height and app hash, for CometBFT's handshake.
    pub fn info(&self) -> InfoResponse {
        let latest = self.store.latest();
        let height = latest.version();
        InfoResponse {
            last_block_height: height,
            last_block_app_hash: if height == 0 { Vec::new() } else { latest.root_hash().to_vec() },
        }
    }

    /// InitChain: validates and writes genesis into a pending overlay; persists nothing.
    pub fn init_chain(&mut self, request: InitChainRequest) -> Result<InitChainResponse, RuntimeError> {
        if self.store.latest_version() != 0 {
            return Err(RuntimeError::Protocol(format!(
                "InitChain called but the store already holds height {}",
                self.store.latest_version()
            )));
        }
        if request.initial_height == 0 {
            return Err(RuntimeError::Genesis("initial_height must be at least 1".into()));
        }
        let genesis: GenesisState<A::Genesis> = GenesisState::from_json(&request.app_state)?;
        let base = Committed(self.store.latest());
        let mut layer = Layer::new(&base);
        genesis.write(&self.app, &mut layer, &request.chain_id)?;
        conclave_core::consensus::EVIDENCE_PARAMS.put(&mut layer, &request.evidence)?;
        let validators = self
            .app
            .genesis_validators(&layer)
            .map_err(|e| RuntimeError::Genesis(format!("genesis validators: {e}")))?;
        let (writes, _events) = layer.into_parts();
        let staged = self.store.latest().stage(request.initial_height, writes.clone());
        self.genesis = Some(PendingGenesis { initial_height: request.initial_height, writes });
        self.staged = None;
        Ok(InitChainResponse { app_hash: staged.root_hash(), validators })
    }

    /// The height the next FinalizeBlock must carry.
    fn expected_height(&self) -> Result<u64, RuntimeError> {
        match (&self.genesis, self.store.latest_version()) {
            (Some(g), 0) => Ok(g.initial_height),
            (None, 0) => Err(RuntimeError::Protocol("FinalizeBlock before InitChain".into())),
            (_, latest) => Ok(latest + 1),
        }
    }

    /// FinalizeBlock: executes the block and returns the new app hash. Calling it again for the
    /// same height before Commit replaces the previous execution.
    pub fn finalize_block(&mut self, request: FinalizeBlockRequest) -> Result<FinalizeBlockResponse, RuntimeError> {
        let expected = self.expected_height()?;
        if request.height != expected {
            return Err(RuntimeError::Protocol(format!(
                "FinalizeBlock for height {} but the next height is {expected}",
                request.height
            )));
        }
        let base = Committed(self.store.latest());
        let mut block_state = Layer::new(&base);
        if let Some(genesis) = &self.genesis {
            block_state.absorb(genesis.writes.clone(), Vec::new());
        }
        let chain_id = CHAIN_ID.load(&block_state)?;
        let params = PARAMS.load(&block_state)?;
        let FinalizeBlockRequest { height, time, proposer, last_commit, misbehavior, txs } = request;
        // The genesis writes are pending until the first Commit: this block runs over them.
        let first_block = self.genesis.is_some();
        let block = BlockInfo { chain_id, height, time, proposer, last_commit, misbehavior, first_block };

        self.app.begin_block(&block, &mut block_state).map_err(fatal_hook)?;
        let mut events = block_state.take_events();

        // Signatures first, batched across the cores; the transactions then run one by one and
        // find theirs verified (a bad one is verified again, and refused, in its turn).
        self.shared.verified.verify_ahead(&txs);
        let mut tx_results = Vec::with_capacity(txs.len());
        let mut block_gas: u64 = 0;
        for (index, bytes) in txs.iter().enumerate() {
            let tx_index = u32::try_from(index).unwrap_or(u32::MAX);
            let result = execute_tx(
                &self.app,
                &mut block_state,
                &block,
                &params,
                bytes,
                tx_index,
                &mut block_gas,
                Mode::Full(&self.shared.verified),
            )?;
            tx_results.push(result);
        }

        let end = self.app.end_block(&block, &mut block_state).map_err(fatal_hook)?;
        events.extend(block_state.take_events());

        let (writes, _) = block_state.into_parts();
        let staged = base.0.stage(height, writes);
        let app_hash = staged.root_hash();
        self.staged = Some(staged);
        Ok(FinalizeBlockResponse { tx_results, events, validator_updates: end.validator_updates, app_hash })
    }

    /// Commit: persists the finalized block durably and resets the mempool view. Its
    /// `retain_height` is always 0 (keep every block): the ABCI adapter, which knows the node's
    /// pruning and snapshot settings, computes the one CometBFT gets.
    pub fn commit(&mut self) -> Result<CommitResponse, RuntimeError> {
        let staged =
            self.staged.take().ok_or_else(|| RuntimeError::Protocol("Commit without a finalized block".into()))?;
        self.store.commit(staged)?;
        self.genesis = None;
        self.shared.publish(&self.store)?;
        Ok(CommitResponse { retain_height: 0 })
    }

    /// State sync: makes a verified snapshot (`conclave_store::state_sync`) the committed state
    /// of this runtime, whose store must be empty (a fresh node, before InitChain). The store
    /// commits it durably as its height; Info, queries and the mempool then see that height,
    /// and the next FinalizeBlock must be the one after it. Everything the runtime keeps
    /// outside the store (the mempool view, the versions queries read) is reset from it; the
    /// modules keep nothing outside the state.
    pub fn restore(&mut self, state: conclave_store::state_sync::RestoredState) -> Result<(), RuntimeError> {
        if self.genesis.is_some() || self.staged.is_some() {
            return Err(RuntimeError::Protocol("state sync restore after InitChain or FinalizeBlock".into()));
        }
        self.store.restore(state)?;
        self.shared.publish(&self.store)?;
        Ok(())
    }

    /// CheckTx (see [`RuntimeHandle::check_tx`]).
    pub fn check_tx(&self, bytes: &[u8], kind: CheckTxKind) -> Result<TxResult, RuntimeError> {
        crate::handle::check_tx(&self.app, &self.shared, bytes, kind)
    }

    /// Query (see [`RuntimeHandle::query`]).
    pub fn query(&self, request: &QueryRequest) -> Result<QueryResponse, RuntimeError> {
        crate::handle::query(&self.app, &self.shared, request)
    }

    /// Exports the latest committed state as a genesis `app_state` document.
    pub fn export_genesis(&self) -> Result<serde_json::Value, RuntimeError> {
        GenesisState::<A::Genesis>::export(&self.app, &Committed(self.store.latest()))?.to_json()
    }

    /// Runs every module's invariant checks on the latest committed state (tests).
    pub fn check_invariants(&self) -> Result<(), String> {
        self.app.check_invariants(&Committed(self.store.latest()))
    }

    /// The next nonce of `address` in the latest committed state.
    pub fn nonce(&self, address: &conclave_core::Address) -> Result<u64, RuntimeError> {
        Ok(NONCES.get(&Committed(self.store.latest()), address)?.unwrap_or(0))
    }
}

fn fatal_hook(error: AppError) -> RuntimeError {
    // Block hooks have no transaction to fail: any error from them stops the node.
    RuntimeError::App(error)
}

/// Executes one transaction on the block state. Returns its result; fails only on fatal errors.
#[allow(clippy::too_many_arguments)]
pub(crate) fn execute_tx<A: App, B: StateRead>(
    app: &A,
    block_state: &mut Layer<B>,
    block: &BlockInfo,
    params: &RuntimeParams,
    bytes: &[u8],
    tx_index: u32,
    block_gas: &mut u64,
    mode: Mode<'_>,
) -> Result<TxResult, RuntimeError> {
    let checked = match check_stateless(app, params, &block.chain_id, block.height, bytes, mode) {
        Ok(checked) => checked,
        Err(error) => return rejected(error, 0, 0),
    };
    let gas_limit = checked.tx.body.gas_limit;
    if params.max_block_gas != 0 && block_gas.saturating_add(gas_limit) > params.max_block_gas {
        let error = AppError::tx(TxCode::BlockGasExceeded, format!("block gas limit {} reached", params.max_block_gas));
        return rejected(error, gas_limit, 0);
    }

    // Nonce and fee: kept even if the messages fail.
    let mut ante_state = Layer::new(&*block_state);
    if let Err(error) = check_and_pay(app, &mut ante_state, &checked) {
        return rejected(error, gas_limit, checked.base_gas);
    }
    let (ante_writes, mut events) = ante_state.into_parts();
    block_state.absorb(ante_writes, Vec::new());
    *block_gas = block_gas.saturating_add(gas_limit);

    let (outcome, gas_used) = run_messages(app, block_state, block, params, &checked, tx_index);
    match outcome {
        Ok((writes, msg_events)) => {
            block_state.absorb(writes, Vec::new());
            events.extend(msg_events);
            Ok(TxResult {
                code: 0,
                codespace: String::new(),
                log: String::new(),
                gas_wanted: gas_limit,
                gas_used,
                events,
            })
        }
        Err(error) if is_fatal(&error) => Err(RuntimeError::App(error)),
        Err(error) => Ok(TxResult {
            code: error.code,
            codespace: error.codespace.to_string(),
            log: error.log,
            gas_wanted: gas_limit,
            gas_used,
            events,
        }),
    }
}

type MessagesOutcome = Result<(Writes, Vec<conclave_core::Event>), AppError>;

/// Runs the messages in a metered layer over the block state; all or nothing.
fn run_messages<A: App, B: StateRead>(
    app: &A,
    block_state: &Layer<B>,
    block: &BlockInfo,
    params: &RuntimeParams,
    checked: &Checked<A::Msg>,
    tx_index: u32,
) -> (MessagesOutcome, u64) {
    let mut meter = conclave_core::GasMeter::new(checked.tx.body.gas_limit);
    // base_gas <= gas_limit was checked in the ante.
    let _ = meter.consume(checked.base_gas);
    let mut tx_state = Layer::metered(block_state, &meter, params.gas.clone());
    for (msg_index, msg) in checked.tx.body.messages.iter().enumerate() {
        let ctx = TxContext {
            block,
            signer: checked.signer,
            signer_key: checked.tx.body.signer,
            tx_index,
            msg_index: u32::try_from(msg_index).unwrap_or(u32::MAX),
        };
        if let Err(error) = app.deliver(&ctx, &mut tx_state, msg) {
            let used = tx_state.gas_used();
            return (Err(with_message_index(error, msg_index)), used);
        }
    }
    let used = tx_state.gas_used();
    (Ok(tx_state.into_parts()), used)
}

fn with_message_index(mut error: AppError, index: usize) -> AppError {
    if error.kind != ErrorKind::Fatal {
        error.log = format!("message {index}: {}", error.log);
    }
    error
}

fn rejected(error: AppError, gas_wanted: u64, gas_used: u64) -> Result<TxResult, RuntimeError> {
    if is_fatal(&error) {
        return Err(RuntimeError::App(error));
    }
    Ok(TxResult {
        code: error.code,
        codespace: error.codespace.to_string(),
        log: error.log,
        gas_wanted,
        gas_used,
        events: Vec::new(),
    })
}
