//! Requests and responses of the runtime's entry points. They mirror the ABCI 2.0 methods
//! CometBFT calls, without protobuf: the ABCI adapter converts, the test chain calls directly.

use conclave_core::{BlockTime, CommitInfo, ConsensusAddress, Event, Misbehavior};
use conclave_store::Hash;

use conclave_core::ValidatorUpdate;

/// InitChain.
#[derive(Clone, Debug)]
pub struct InitChainRequest {
    /// The chain id from the CometBFT genesis.
    pub chain_id: String,
    /// Genesis time.
    pub time: BlockTime,
    /// Height of the first block (CometBFT's `initial_height`, at least 1).
    pub initial_height: u64,
    /// The genesis `app_state` JSON.
    pub app_state: Vec<u8>,
    /// CometBFT's evidence parameters (`consensus_params.evidence`), recorded in state for
    /// the modules that judge evidence age.
    pub evidence: conclave_core::EvidenceParams,
}

impl InitChainRequest {
    /// A request with CometBFT's default evidence parameters.
    pub fn new(chain_id: impl Into<String>, time: BlockTime, initial_height: u64, app_state: Vec<u8>) -> Self {
        Self {
            chain_id: chain_id.into(),
            time,
            initial_height,
            app_state,
            evidence: conclave_core::EvidenceParams::default(),
        }
    }
}

/// InitChain result.
#[derive(Clone, Debug)]
pub struct InitChainResponse {
    /// Root of the genesis state (the app hash in the first block's header).
    pub app_hash: Hash,
    /// The genesis validator set chosen by the app (empty: keep CometBFT's genesis validators).
    pub validators: Vec<ValidatorUpdate>,
}

/// FinalizeBlock.
#[derive(Clone, Debug)]
pub struct FinalizeBlockRequest {
    /// Block height.
    pub height: u64,
    /// Block time from the header.
    pub time: BlockTime,
    /// The proposer's consensus address.
    pub proposer: ConsensusAddress,
    /// Who signed the previous block (CometBFT's `decided_last_commit`).
    pub last_commit: CommitInfo,
    /// Evidence of misbehaviour committed in this block.
    pub misbehavior: Vec<Misbehavior>,
    /// The transactions, in block order.
    pub txs: Vec<Vec<u8>>,
}

impl FinalizeBlockRequest {
    /// A block of `txs` with no proposer address, an empty last commit and no evidence.
    pub fn new(height: u64, time: BlockTime, txs: Vec<Vec<u8>>) -> Self {
        Self { height, time, proposer: [0; 20], last_commit: CommitInfo::default(), misbehavior: Vec::new(), txs }
    }
}

/// The outcome of one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    /// 0 on success, else the code within `codespace`.
    pub code: u32,
    /// The module name or `tx`; empty on success.
    pub codespace: String,
    /// Human-readable outcome (not part of consensus).
    pub log: String,
    /// The transaction's gas limit (0 if it did not decode).
    pub gas_wanted: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Events of the transaction: fee payment, then its messages' events if they succeeded.
    pub events: Vec<Event>,
}

impl TxResult {
    /// Whether the transaction succeeded.
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }
}

/// FinalizeBlock result.
#[derive(Clone, Debug)]
pub struct FinalizeBlockResponse {
    /// One result per transaction, in order.
    pub tx_results: Vec<TxResult>,
    /// Block-level events (begin- and end-block hooks).
    pub events: Vec<Event>,
    /// Validator changes, effective at height + 2.
    pub validator_updates: Vec<ValidatorUpdate>,
    /// Root of the state after this block.
    pub app_hash: Hash,
}

/// Commit result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitResponse {
    /// Blocks below this height may be pruned by CometBFT (0: keep all).
    pub retain_height: u64,
}

/// Info result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoResponse {
    /// Last committed height (0 before the first commit).
    pub last_block_height: u64,
    /// Its app hash (empty before the first commit, as CometBFT expects).
    pub last_block_app_hash: Vec<u8>,
}

/// CheckTx kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckTxKind {
    /// A transaction new to the mempool.
    New,
    /// A transaction re-checked after a commit.
    Recheck,
}

/// Query.
#[derive(Clone, Debug, Default)]
pub struct QueryRequest {
    /// `store/key`, `auth/<method>` or `<module>/<method>`; a leading `/` is ignored.
    pub path: String,
    /// Request data: the raw key for `store/key`, JSON otherwise.
    pub data: Vec<u8>,
    /// State after this height (0: latest).
    pub height: u64,
    /// Whether to include a Merkle proof (`store/key` only).
    pub prove: bool,
}

/// Query result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryResponse {
    /// 0 on success.
    pub code: u32,
    /// Codespace of a failure.
    pub codespace: String,
    /// Human-readable message.
    pub log: String,
    /// The key queried (for `store/key`).
    pub key: Vec<u8>,
    /// The value: raw bytes for `store/key`, JSON otherwise.
    pub value: Vec<u8>,
    /// Borsh-encoded `conclave_proof::Proof` when requested.
    pub proof: Option<Vec<u8>>,
    /// The height whose state answered.
    pub height: u64,
}
