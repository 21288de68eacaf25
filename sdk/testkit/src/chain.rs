//! [`TestChain`]: an in-process consensus engine for one node.

use std::path::{Path, PathBuf};

use borsh::BorshSerialize;
use serde::{de::DeserializeOwned, Serialize};

use conclave_core::{BlockIdFlag, BlockTime, EvidenceParams, Misbehavior};
use conclave_runtime::{
    App, CheckTxKind, FinalizeBlockRequest, FinalizeBlockResponse, GenesisState, InfoResponse, InitChainRequest,
    QueryRequest, QueryResponse, Runtime, RuntimeError, TxResult,
};
use conclave_store::{Hash, Store, StoreConfig};

use crate::account::{TestAccount, TxOptions};
use crate::consensus::ConsensusView;

/// Builds a [`TestChain`].
pub struct TestChainBuilder<A: App> {
    app: A,
    genesis: GenesisState<A::Genesis>,
    chain_id: String,
    initial_height: u64,
    genesis_time: BlockTime,
    block_interval_nanos: u64,
    store_config: StoreConfig,
    dir: Option<PathBuf>,
    check_invariants: bool,
    evidence: EvidenceParams,
}

impl<A: App + Clone> TestChainBuilder<A> {
    /// CometBFT's evidence parameters given to InitChain (default: CometBFT's defaults).
    pub fn evidence_params(mut self, evidence: EvidenceParams) -> Self {
        self.evidence = evidence;
        self
    }

    /// The chain id (default `test-chain`).
    pub fn chain_id(mut self, chain_id: &str) -> Self {
        self.chain_id = chain_id.to_string();
        self
    }

    /// CometBFT's `initial_height` (default 1).
    pub fn initial_height(mut self, height: u64) -> Self {
        self.initial_height = height;
        self
    }

    /// Time of genesis (default 2026-01-01T00:00:00Z); each block adds the block interval.
    pub fn genesis_time(mut self, time: BlockTime) -> Self {
        self.genesis_time = time;
        self
    }

    /// Time between blocks (default 1 s).
    pub fn block_interval_nanos(mut self, nanos: u64) -> Self {
        self.block_interval_nanos = nanos;
        self
    }

    /// Store configuration.
    pub fn store_config(mut self, config: StoreConfig) -> Self {
        self.store_config = config;
        self
    }

    /// Persist the store in `dir` (so the chain can be reopened); default in memory.
    pub fn on_disk(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// Whether to run the app's invariants after every block (default true).
    pub fn check_invariants(mut self, on: bool) -> Self {
        self.check_invariants = on;
        self
    }

    /// Opens the store and runs InitChain, as CometBFT does on a fresh node.
    pub fn build(self) -> TestChain<A> {
        let app_state = serde_json::to_vec(&self.genesis).expect("genesis serializes");
        self.build_with_app_state(app_state).expect("InitChain succeeds")
    }

    /// Like [`Self::build`] with raw `app_state` bytes; returns InitChain's error.
    pub fn build_with_app_state(self, app_state: Vec<u8>) -> Result<TestChain<A>, RuntimeError> {
        let store = open_store(self.dir.as_deref(), &self.store_config);
        let mut runtime = Runtime::new(self.app.clone(), store);
        let init = runtime.init_chain(InitChainRequest {
            chain_id: self.chain_id.clone(),
            time: self.genesis_time,
            initial_height: self.initial_height,
            app_state,
            evidence: self.evidence,
        })?;
        let consensus = ConsensusView::new(self.initial_height, &init.validators);
        Ok(TestChain {
            app: self.app,
            runtime,
            chain_id: self.chain_id,
            next_height: self.initial_height,
            last_time: self.genesis_time,
            block_interval_nanos: self.block_interval_nanos,
            store_config: self.store_config,
            dir: self.dir,
            check_invariants: self.check_invariants,
            genesis_app_hash: init.app_hash,
            consensus,
            initial_height: self.initial_height,
            app_hashes: Vec::new(),
        })
    }
}

fn open_store(dir: Option<&Path>, config: &StoreConfig) -> Store {
    match dir {
        Some(dir) => Store::open(dir, config.clone()).expect("store opens"),
        None => Store::open_in_memory(config.clone()).expect("in-memory store opens"),
    }
}

/// One node's chain, driven in process.
pub struct TestChain<A: App> {
    app: A,
    runtime: Runtime<A>,
    chain_id: String,
    next_height: u64,
    last_time: BlockTime,
    block_interval_nanos: u64,
    store_config: StoreConfig,
    dir: Option<PathBuf>,
    check_invariants: bool,
    genesis_app_hash: Hash,
    app_hashes: Vec<(u64, Hash)>,
    consensus: ConsensusView,
    initial_height: u64,
}

impl<A: App + Clone> TestChain<A> {
    /// A builder for a chain running `app` from `genesis`.
    pub fn builder(app: A, genesis: GenesisState<A::Genesis>) -> TestChainBuilder<A> {
        TestChainBuilder {
            app,
            genesis,
            chain_id: "test-chain".into(),
            initial_height: 1,
            genesis_time: BlockTime::from_seconds(1_767_225_600),
            block_interval_nanos: BlockTime::NANOS_PER_SECOND,
            store_config: StoreConfig::default(),
            dir: None,
            check_invariants: true,
            evidence: EvidenceParams::default(),
        }
    }

    /// The validator sets by height, as CometBFT would know them.
    pub fn consensus(&self) -> &ConsensusView {
        &self.consensus
    }

    /// From the next block on, the validator with consensus key `key` votes with `flag` in
    /// the commits the chain's blocks carry (`Absent`: it is offline; `Commit`: back online).
    pub fn set_vote(&mut self, key: &[u8; 32], flag: BlockIdFlag) {
        self.consensus.set_vote(key, flag);
    }

    /// Evidence that `key` signed two conflicting blocks at `height`.
    pub fn duplicate_vote(&self, key: &[u8; 32], height: u64) -> Misbehavior {
        self.consensus.duplicate_vote(key, height)
    }

    /// The chain id.
    pub fn chain_id(&self) -> &str {
        &self.chain_id
    }

    /// The runtime (for direct inspection).
    pub fn runtime(&self) -> &Runtime<A> {
        &self.runtime
    }

    /// The app hash returned by InitChain.
    pub fn genesis_app_hash(&self) -> Hash {
        self.genesis_app_hash
    }

    /// `(height, app hash)` of every block produced by this value, in order.
    pub fn app_hashes(&self) -> &[(u64, Hash)] {
        &self.app_hashes
    }

    /// The last committed height (0 before the first block).
    pub fn height(&self) -> u64 {
        self.runtime.info().last_block_height
    }

    /// The height the next block will have.
    pub fn next_height(&self) -> u64 {
        self.next_height
    }

    /// Time of the last block (genesis time before the first).
    pub fn time(&self) -> BlockTime {
        self.last_time
    }

    /// Moves the clock forward by `nanos` in addition to the next block's interval.
    pub fn advance_time(&mut self, nanos: u64) {
        self.last_time = self.last_time.plus_nanos(nanos);
    }

    /// FinalizeBlock then Commit with `txs`; returns FinalizeBlock's response.
    pub fn produce_block(&mut self, txs: Vec<Vec<u8>>) -> FinalizeBlockResponse {
        self.try_produce_block(txs).expect("block executes and commits")
    }

    /// Like [`Self::produce_block`], returning fatal errors instead of panicking.
    pub fn try_produce_block(&mut self, txs: Vec<Vec<u8>>) -> Result<FinalizeBlockResponse, RuntimeError> {
        let mut request = self.next_block();
        request.txs = txs;
        self.try_produce_block_with(request)
    }

    /// The next block's request: its height and time, no txs, the previous block's commit
    /// as CometBFT would decide it (every member of its set, each signing unless
    /// [`Self::set_vote`] said otherwise), the largest validator as proposer, no evidence. A
    /// test may change any of it, then pass it to [`Self::produce_block_with`]: this is how
    /// it injects CometBFT's `decided_last_commit`, `misbehavior` or a proposer.
    pub fn next_block(&self) -> FinalizeBlockRequest {
        let mut request = FinalizeBlockRequest::new(
            self.next_height,
            self.last_time.plus_nanos(self.block_interval_nanos),
            Vec::new(),
        );
        request.last_commit = self.consensus.last_commit(self.next_height, self.initial_height);
        if let Some(first) = request.last_commit.votes.first() {
            request.proposer = first.validator;
        }
        request
    }

    /// FinalizeBlock then Commit with a request built by [`Self::next_block`]; panics if its
    /// height is not the next one or the block fails.
    pub fn produce_block_with(&mut self, request: FinalizeBlockRequest) -> FinalizeBlockResponse {
        self.try_produce_block_with(request).expect("block executes and commits")
    }

    /// Like [`Self::produce_block_with`], returning fatal errors instead of panicking.
    pub fn try_produce_block_with(
        &mut self,
        request: FinalizeBlockRequest,
    ) -> Result<FinalizeBlockResponse, RuntimeError> {
        let time = request.time;
        let response = self.runtime.finalize_block(request)?;
        self.runtime.commit()?;
        self.consensus.record_block(self.next_height, time, &response.validator_updates);
        self.app_hashes.push((self.next_height, response.app_hash));
        self.next_height += 1;
        self.last_time = time;
        if self.check_invariants {
            if let Err(violation) = self.runtime.check_invariants() {
                panic!("invariant violated after height {}: {violation}", self.next_height - 1);
            }
        }
        Ok(response)
    }

    /// FinalizeBlock without Commit, as when a node crashes between the two. The height does
    /// not advance; the next [`Self::produce_block`] (or a [`Self::reopen`]) redoes the block.
    pub fn finalize_without_commit(&mut self, txs: Vec<Vec<u8>>) -> FinalizeBlockResponse {
        let mut request = self.next_block();
        request.txs = txs;
        self.runtime.finalize_block(request).expect("block executes")
    }

    /// Produces `count` empty blocks.
    pub fn produce_empty_blocks(&mut self, count: u64) {
        for _ in 0..count {
            self.produce_block(Vec::new());
        }
    }

    /// One block with one transaction; returns its result.
    pub fn deliver(&mut self, tx: Vec<u8>) -> TxResult {
        let mut response = self.produce_block(vec![tx]);
        response.tx_results.remove(0)
    }

    /// CheckTx (kind New).
    pub fn check_tx(&self, tx: &[u8]) -> TxResult {
        self.runtime.check_tx(tx, CheckTxKind::New).expect("CheckTx has no fatal error")
    }

    /// Info.
    pub fn info(&self) -> InfoResponse {
        self.runtime.info()
    }

    /// A raw query.
    pub fn query(&self, request: QueryRequest) -> QueryResponse {
        self.runtime.query(&request).expect("query has no fatal error")
    }

    /// A JSON query at the latest height; `Err` holds the failed response.
    pub fn query_json<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        path: &str,
        request: &Req,
    ) -> Result<Resp, Box<QueryResponse>> {
        let data = serde_json::to_vec(request).expect("request serializes");
        let response = self.query(QueryRequest { path: path.into(), data, height: 0, prove: false });
        if response.code != 0 {
            return Err(Box::new(response));
        }
        Ok(serde_json::from_slice(&response.value).expect("query answers JSON of the expected shape"))
    }

    /// The account's next nonce in committed state.
    pub fn nonce(&self, account: &TestAccount) -> u64 {
        self.runtime.nonce(&account.address).expect("nonce readable")
    }

    /// Signs `messages` from `account` with its committed nonce and default options.
    pub fn sign<M: BorshSerialize>(&self, account: &TestAccount, messages: Vec<M>) -> Vec<u8> {
        account.sign(&self.chain_id, self.nonce(account), messages, &TxOptions::default())
    }

    /// Exports the latest state as a genesis document.
    pub fn export_genesis(&self) -> serde_json::Value {
        self.runtime.export_genesis().expect("genesis exports")
    }

    /// The latest committed app hash.
    pub fn app_hash(&self) -> Hash {
        self.runtime.store().latest().root_hash()
    }

    /// Simulates a restart: drops the runtime (and any uncommitted block) and reopens the
    /// store from disk, as a node does after a crash. Only for on-disk chains.
    pub fn reopen(self) -> Self {
        let app = self.app.clone();
        self.reopen_with(app)
    }

    /// [`Self::reopen`] with another instance of the app: a restart under a new binary (an
    /// upgrade) or with other node options. Only for on-disk chains.
    pub fn reopen_with(self, app: A) -> Self {
        let dir = self.dir.clone().expect("reopen needs an on-disk chain (builder.on_disk)");
        let before = self.runtime.info();
        drop(self.runtime);
        let store = open_store(Some(&dir), &self.store_config);
        let runtime = Runtime::new(app.clone(), store);
        assert_eq!(runtime.info(), before, "reopened store reports the last committed height and hash");
        Self { runtime, app, ..self }
    }
}
