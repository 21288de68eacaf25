//! The typed answers of CometBFT 0.38's RPC methods, nested and named as CometBFT writes them
//! (so its RPC documentation reads for these types too), with integers, bytes and times
//! decoded ([`super::de`]). Fields the toolkit's callers never read (part-set headers,
//! evidence) are left out; unknown fields are ignored. ABCI types (results, events, validator
//! updates) are protobuf messages whose zero fields CometBFT omits, so theirs default.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::de;

/// `/status`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Status {
    /// The node.
    pub node_info: NodeInfo,
    /// Its chain.
    pub sync_info: SyncInfo,
    /// Its own validator key and power (0 for a full node).
    pub validator_info: StatusValidator,
}

/// `/status` → `node_info`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NodeInfo {
    /// The P2P node id (hex).
    pub id: String,
    /// The P2P listen address.
    pub listen_addr: String,
    /// The chain id.
    pub network: String,
    /// The CometBFT version, e.g. `0.38.25`.
    pub version: String,
    /// The node's name.
    pub moniker: String,
}

/// `/status` → `sync_info`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SyncInfo {
    /// Hash of the latest block (upper-case hex).
    pub latest_block_hash: String,
    /// App hash in the latest block's header (after the block before it).
    #[serde(deserialize_with = "de::bytes_hex")]
    pub latest_app_hash: Vec<u8>,
    /// The latest height in the block store (stored, possibly not yet executed).
    #[serde(deserialize_with = "de::int")]
    pub latest_block_height: u64,
    /// The latest block's header time (`None` before the first block).
    #[serde(deserialize_with = "de::optional_time", default)]
    pub latest_block_time: Option<SystemTime>,
    /// The lowest height still stored.
    #[serde(deserialize_with = "de::int")]
    pub earliest_block_height: u64,
    /// Whether the node is still catching up with its peers.
    pub catching_up: bool,
}

/// `/status` → `validator_info`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StatusValidator {
    /// The node's validator address (upper-case hex).
    pub address: String,
    /// Its consensus key.
    pub pub_key: PublicKey,
    /// Its voting power (0 when it is not a validator).
    #[serde(deserialize_with = "de::int")]
    pub voting_power: i64,
}

/// A consensus public key, from any of the three shapes CometBFT 0.38 prints: Amino JSON
/// `{"type":"tendermint/PubKeyEd25519","value":..}` (`/validators`, `/status`, genesis), the
/// protobuf oneof `{"Sum":{"type":..,"value":{"ed25519":..}}}` (`/block_results` validator
/// updates), and `{"ed25519":..}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "PublicKeyWire")]
pub struct PublicKey {
    /// The signature scheme.
    pub algorithm: KeyAlgorithm,
    /// The key bytes (32 for ed25519).
    pub bytes: Vec<u8>,
}

impl PublicKey {
    /// An ed25519 key.
    pub fn ed25519(bytes: impl Into<Vec<u8>>) -> PublicKey {
        PublicKey { algorithm: KeyAlgorithm::Ed25519, bytes: bytes.into() }
    }
}

/// The signature scheme of a [`PublicKey`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyAlgorithm {
    /// ed25519 (CometBFT's default and the only one Conclave chains accept).
    Ed25519,
    /// secp256k1.
    Secp256k1,
    /// Any other name CometBFT printed.
    Other(String),
}

impl KeyAlgorithm {
    fn from_name(name: &str) -> Self {
        match name {
            "ed25519" | "tendermint/PubKeyEd25519" | "tendermint.crypto.PublicKey_Ed25519" => KeyAlgorithm::Ed25519,
            "secp256k1" | "tendermint/PubKeySecp256k1" | "tendermint.crypto.PublicKey_Secp256K1" => {
                KeyAlgorithm::Secp256k1
            }
            other => KeyAlgorithm::Other(other.to_string()),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PublicKeyWire {
    Amino {
        #[serde(rename = "type")]
        kind: String,
        value: String,
    },
    Sum {
        #[serde(rename = "Sum")]
        sum: SumWire,
    },
    Oneof(std::collections::BTreeMap<String, String>),
}

#[derive(Deserialize)]
struct SumWire {
    value: std::collections::BTreeMap<String, String>,
}

impl TryFrom<PublicKeyWire> for PublicKey {
    type Error = String;

    fn try_from(wire: PublicKeyWire) -> Result<Self, String> {
        use base64::Engine as _;
        let (name, value) = match wire {
            PublicKeyWire::Amino { kind, value } => (kind, value),
            PublicKeyWire::Sum { sum: SumWire { value } } | PublicKeyWire::Oneof(value) => {
                let mut entries = value.into_iter();
                match (entries.next(), entries.next()) {
                    (Some(entry), None) => entry,
                    _ => return Err("a public key oneof must hold exactly one key".into()),
                }
            }
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&value)
            .map_err(|e| format!("public key {value:?} is not base64 ({e})"))?;
        Ok(PublicKey { algorithm: KeyAlgorithm::from_name(&name), bytes })
    }
}

/// `/abci_info` → `response`: what the app's `Info` returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AbciInfo {
    /// Free-form data.
    pub data: String,
    /// The app's software version.
    pub version: String,
    /// The app protocol version.
    #[serde(deserialize_with = "de::int")]
    pub app_version: u64,
    /// The last height the app committed.
    #[serde(deserialize_with = "de::int")]
    pub last_block_height: u64,
    /// The app hash after that height.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub last_block_app_hash: Vec<u8>,
}

/// `/abci_query` → `response`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct AbciQuery {
    /// The result code (0: success).
    #[serde(deserialize_with = "de::int")]
    pub code: u32,
    /// The result log.
    pub log: String,
    /// Additional information.
    pub info: String,
    /// The key's index in the tree, if the app reports one.
    #[serde(deserialize_with = "de::int")]
    pub index: i64,
    /// The key.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub key: Vec<u8>,
    /// The answer's bytes.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub value: Vec<u8>,
    /// The proof, when asked for with `prove` (CometBFT writes the field as `proofOps`).
    #[serde(rename = "proofOps", alias = "proof_ops", deserialize_with = "proof_ops")]
    pub proof_ops: Vec<ProofOp>,
    /// The height the answer is for.
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
    /// The code's namespace.
    pub codespace: String,
}

/// One operation of a query proof.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ProofOp {
    /// The proof type, e.g. `conclave/smt/v1`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key it proves.
    #[serde(deserialize_with = "de::bytes_base64", default)]
    pub key: Vec<u8>,
    /// The encoded proof.
    #[serde(deserialize_with = "de::bytes_base64", default)]
    pub data: Vec<u8>,
}

fn proof_ops<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<ProofOp>, D::Error> {
    #[derive(Deserialize)]
    struct Ops {
        #[serde(deserialize_with = "de::list", default)]
        ops: Vec<ProofOp>,
    }
    Ok(Option::<Ops>::deserialize(deserializer)?.map(|o| o.ops).unwrap_or_default())
}

/// `/broadcast_tx_sync`: CheckTx's verdict and the transaction's hash.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BroadcastTxSync {
    /// The result code (0: accepted into the mempool).
    #[serde(deserialize_with = "de::int", default)]
    pub code: u32,
    /// Data CheckTx returned.
    #[serde(deserialize_with = "de::bytes_base64", default)]
    pub data: Vec<u8>,
    /// The result log.
    #[serde(default)]
    pub log: String,
    /// The code's namespace.
    #[serde(default)]
    pub codespace: String,
    /// SHA-256 of the transaction, upper-case hex (what `/tx?hash=` takes).
    pub hash: String,
}

/// `/broadcast_tx_commit`: CheckTx's verdict and, if it was accepted, the result of the
/// block that committed the transaction. A refused transaction has `height` 0 and an empty
/// `tx_result`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BroadcastTxCommit {
    /// CheckTx's verdict.
    pub check_tx: CheckTx,
    /// Its result in the block that committed it.
    #[serde(default)]
    pub tx_result: ExecTxResult,
    /// SHA-256 of the transaction, upper-case hex.
    pub hash: String,
    /// The block that committed it (0 if CheckTx refused it).
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
}

/// `/check_tx`: CheckTx alone, bypassing the mempool and its cache.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CheckTx {
    /// The result code (0: would be accepted).
    #[serde(deserialize_with = "de::int")]
    pub code: u32,
    /// Data CheckTx returned.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub data: Vec<u8>,
    /// The result log.
    pub log: String,
    /// Additional information.
    pub info: String,
    /// Gas the transaction asks for.
    #[serde(deserialize_with = "de::int")]
    pub gas_wanted: i64,
    /// Gas CheckTx used.
    #[serde(deserialize_with = "de::int")]
    pub gas_used: i64,
    /// Events CheckTx emitted.
    #[serde(deserialize_with = "de::list")]
    pub events: Vec<Event>,
    /// The code's namespace.
    pub codespace: String,
}

/// An ABCI event, as CometBFT 0.38 prints it (attribute keys and values are text).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Event {
    /// The event type, e.g. `bank.transfer`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Its attributes.
    #[serde(deserialize_with = "de::list", default)]
    pub attributes: Vec<EventAttribute>,
}

/// One attribute of an [`Event`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct EventAttribute {
    /// The key.
    #[serde(default)]
    pub key: String,
    /// The value.
    #[serde(default)]
    pub value: String,
    /// Whether CometBFT's indexer indexes it.
    #[serde(default)]
    pub index: bool,
}

/// A transaction's result in a block (`FinalizeBlock`'s `ExecTxResult`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ExecTxResult {
    /// The result code (0: success).
    #[serde(deserialize_with = "de::int")]
    pub code: u32,
    /// Data the transaction returned.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub data: Vec<u8>,
    /// The result log.
    pub log: String,
    /// Additional information.
    pub info: String,
    /// Gas the transaction asked for.
    #[serde(deserialize_with = "de::int")]
    pub gas_wanted: i64,
    /// Gas it used.
    #[serde(deserialize_with = "de::int")]
    pub gas_used: i64,
    /// Events it emitted.
    #[serde(deserialize_with = "de::list")]
    pub events: Vec<Event>,
    /// The code's namespace.
    pub codespace: String,
}

/// `/tx`: a committed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TxResponse {
    /// Its hash (upper-case hex).
    pub hash: String,
    /// The block that holds it.
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
    /// Its index in that block.
    #[serde(deserialize_with = "de::int")]
    pub index: u32,
    /// Its result.
    pub tx_result: ExecTxResult,
    /// Its bytes.
    #[serde(deserialize_with = "de::bytes_base64")]
    pub tx: Vec<u8>,
}

/// A block id: the block's hash (the part-set header is left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BlockId {
    /// Upper-case hex; empty in the first block's `last_block_id`.
    #[serde(default)]
    pub hash: String,
}

/// A block header. Hashes are upper-case hex as CometBFT prints them, except the app hash,
/// which is decoded.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Header {
    /// The chain id.
    pub chain_id: String,
    /// The height.
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
    /// The block time (BFT time: the weighted median of the last commit's vote times).
    #[serde(deserialize_with = "de::time")]
    pub time: SystemTime,
    /// The previous block.
    pub last_block_id: BlockId,
    /// Hash of the last commit.
    pub last_commit_hash: String,
    /// Hash of the transactions.
    pub data_hash: String,
    /// Hash of the validator set that signs this block.
    pub validators_hash: String,
    /// Hash of the validator set of the next block.
    pub next_validators_hash: String,
    /// Hash of the consensus parameters.
    pub consensus_hash: String,
    /// The app hash after executing the previous block.
    #[serde(deserialize_with = "de::bytes_hex")]
    pub app_hash: Vec<u8>,
    /// Hash of the previous block's results.
    pub last_results_hash: String,
    /// Hash of the evidence.
    pub evidence_hash: String,
    /// The proposer's validator address.
    pub proposer_address: String,
}

/// `/block`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BlockResponse {
    /// The block's id (its hash).
    pub block_id: BlockId,
    /// The block.
    pub block: Block,
}

/// A block: header, transactions and the previous block's commit.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions.
    pub data: BlockData,
    /// The commit of the previous block (`None` at the initial height).
    #[serde(default)]
    pub last_commit: Option<Commit>,
}

/// A block's transactions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BlockData {
    /// The raw transactions, in block order.
    #[serde(deserialize_with = "de::list_base64", default)]
    pub txs: Vec<Vec<u8>>,
}

/// The precommits of one block.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Commit {
    /// The committed height.
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
    /// The round it was committed in.
    #[serde(deserialize_with = "de::int")]
    pub round: u32,
    /// The committed block.
    pub block_id: BlockId,
    /// One entry per validator of that height's set, in set order.
    #[serde(deserialize_with = "de::list", default)]
    pub signatures: Vec<CommitSig>,
}

/// A validator's entry in a [`Commit`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CommitSig {
    /// [`CommitSig::ABSENT`], [`CommitSig::COMMIT`] or [`CommitSig::NIL`].
    pub block_id_flag: u8,
    /// The validator address (upper-case hex; empty when absent).
    #[serde(default)]
    pub validator_address: String,
    /// The vote's time (`None` when absent).
    #[serde(deserialize_with = "de::optional_time", default)]
    pub timestamp: Option<SystemTime>,
    /// The signature (empty when absent).
    #[serde(deserialize_with = "de::bytes_base64", default)]
    pub signature: Vec<u8>,
}

impl CommitSig {
    /// No vote arrived in time.
    pub const ABSENT: u8 = 1;
    /// A precommit for the block.
    pub const COMMIT: u8 = 2;
    /// A precommit for nil.
    pub const NIL: u8 = 3;
}

/// `/commit`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CommitResponse {
    /// The header and its commit.
    pub signed_header: SignedHeader,
    /// Whether the commit is the canonical one (from the next block) rather than the node's
    /// own latest seen commit.
    pub canonical: bool,
}

/// A header with the commit that signs it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SignedHeader {
    /// The header.
    pub header: Header,
    /// Its commit.
    pub commit: Commit,
}

/// `/blockchain`: block metas, highest height first.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Blockchain {
    /// The node's latest height.
    #[serde(deserialize_with = "de::int")]
    pub last_height: u64,
    /// The metas asked for (at most 20), highest first.
    #[serde(deserialize_with = "de::list", default)]
    pub block_metas: Vec<BlockMeta>,
}

/// A block's id, size, header and transaction count.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BlockMeta {
    /// The block's id (its hash).
    pub block_id: BlockId,
    /// Its size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub block_size: u64,
    /// Its header.
    pub header: Header,
    /// How many transactions it holds.
    #[serde(deserialize_with = "de::int")]
    pub num_txs: u64,
}

/// `/block_results`: what `FinalizeBlock` returned for a block.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BlockResults {
    /// The block's height.
    #[serde(deserialize_with = "de::int")]
    pub height: u64,
    /// One result per transaction, in block order.
    #[serde(deserialize_with = "de::list", default)]
    pub txs_results: Vec<ExecTxResult>,
    /// Block-level events.
    #[serde(deserialize_with = "de::list", default)]
    pub finalize_block_events: Vec<Event>,
    /// Validator-set changes (in the set of height + 2; power 0 removes).
    #[serde(deserialize_with = "de::list", default)]
    pub validator_updates: Vec<ValidatorUpdate>,
    /// Consensus parameter changes, as CometBFT prints them.
    #[serde(default)]
    pub consensus_param_updates: Option<serde_json::Value>,
    /// The app hash after the block.
    #[serde(deserialize_with = "de::bytes_base64", default)]
    pub app_hash: Vec<u8>,
}

/// A validator update a block returned.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct ValidatorUpdate {
    /// The validator's consensus key.
    pub pub_key: PublicKey,
    /// Its new power (0 removes it; CometBFT then leaves the field out).
    #[serde(deserialize_with = "de::int", default)]
    pub power: i64,
}

/// A transaction's result code, without the rest of its result (the cheap part of
/// `/block_results` for load generators that read every block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct TxCode {
    /// The result code (0: success).
    #[serde(deserialize_with = "de::int", default)]
    pub code: u32,
    /// The code's namespace.
    #[serde(default)]
    pub codespace: String,
}

/// `/validators`: one page of a height's validator set.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Validators {
    /// The height the set is for.
    #[serde(deserialize_with = "de::int")]
    pub block_height: u64,
    /// This page, in the set's order (by power, then address).
    #[serde(deserialize_with = "de::list", default)]
    pub validators: Vec<Validator>,
    /// How many are on this page.
    #[serde(deserialize_with = "de::int")]
    pub count: u64,
    /// How many validators the set has.
    #[serde(deserialize_with = "de::int")]
    pub total: u64,
}

/// A member of a validator set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct Validator {
    /// Its address: the first 20 bytes of SHA-256 of its key, upper-case hex.
    pub address: String,
    /// Its consensus key.
    pub pub_key: PublicKey,
    /// Its voting power.
    #[serde(deserialize_with = "de::int", default)]
    pub voting_power: i64,
    /// Its proposer priority.
    #[serde(deserialize_with = "de::int", default)]
    pub proposer_priority: i64,
}

/// `/net_info`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct NetInfo {
    /// Whether the node accepts P2P connections.
    pub listening: bool,
    /// Its listeners.
    #[serde(deserialize_with = "de::list", default)]
    pub listeners: Vec<String>,
    /// How many peers it has.
    #[serde(deserialize_with = "de::int")]
    pub n_peers: u64,
    /// Its peers.
    #[serde(deserialize_with = "de::list", default)]
    pub peers: Vec<Peer>,
}

/// A connected peer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Peer {
    /// The peer's own description.
    pub node_info: PeerNodeInfo,
    /// Whether this node dialled it.
    #[serde(default)]
    pub is_outbound: bool,
    /// Its IP address.
    #[serde(default)]
    pub remote_ip: String,
}

/// What a peer says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PeerNodeInfo {
    /// Its node id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub moniker: String,
    /// Its P2P listen address.
    #[serde(default)]
    pub listen_addr: String,
}
