//! What a block tells the modules: its height and time, CometBFT's record of who signed the
//! previous block ([`CommitInfo`]) and the evidence of misbehaviour it carries
//! ([`Misbehavior`]); and what the end-block hooks answer ([`EndBlockOutput`]).
//!
//! These mirror ABCI 2.0's `RequestFinalizeBlock` fields without protobuf: `sdk/abci`
//! converts (refusing CometBFT's `UNKNOWN` enum values and negative powers), and the test
//! chain builds them directly, so a slashing module is tested in process with the same types
//! it sees under CometBFT.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Block time: nanoseconds since the Unix epoch, from the block header (never the wall clock).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
pub struct BlockTime(pub u64);

impl BlockTime {
    /// Nanoseconds per second.
    pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

    /// From whole seconds since the epoch (saturating).
    pub fn from_seconds(seconds: u64) -> Self {
        Self(seconds.saturating_mul(Self::NANOS_PER_SECOND))
    }

    /// Whole seconds since the epoch.
    pub fn seconds(self) -> u64 {
        self.0 / Self::NANOS_PER_SECOND
    }

    /// This time plus `nanos` (saturating).
    pub fn plus_nanos(self, nanos: u64) -> Self {
        Self(self.0.saturating_add(nanos))
    }
}

/// A point in chain time: the block an operation runs in. Genesis operations run at
/// [`At::GENESIS`] (height 0, time 0). Modules pass it to each other instead of a whole
/// [`BlockInfo`], so the same operation can run at genesis, in a block, or in a pre-flight
/// dry run of the next block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct At {
    /// Block height.
    pub height: u64,
    /// Block time.
    pub time: BlockTime,
}

impl At {
    /// Genesis: height 0, time 0.
    pub const GENESIS: At = At { height: 0, time: BlockTime(0) };

    /// The block being executed.
    pub fn block(block: &BlockInfo) -> Self {
        At { height: block.height, time: block.time }
    }
}

/// A CometBFT consensus address: the first 20 bytes of SHA-256 of the ed25519 public key.
pub type ConsensusAddress = [u8; 20];

/// The consensus address of an ed25519 consensus key, as CometBFT computes it (what
/// `decided_last_commit` and `misbehavior` name validators by).
pub fn consensus_address(pub_key: &[u8; 32]) -> ConsensusAddress {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(pub_key);
    let mut address = [0u8; 20];
    address.copy_from_slice(&digest[..20]);
    address
}

/// CometBFT's evidence parameters (`consensus_params.evidence`), recorded at InitChain: how
/// old evidence may be and still be punished. Evidence is too old only when it is older than
/// **both** limits (CometBFT's own rule, and the Cosmos SDK's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct EvidenceParams {
    /// `max_age_num_blocks` (CometBFT's default: 100,000).
    pub max_age_num_blocks: u64,
    /// `max_age_duration`, in nanoseconds (CometBFT's default: 48 h).
    pub max_age_duration_nanos: u64,
}

impl Default for EvidenceParams {
    fn default() -> Self {
        Self { max_age_num_blocks: 100_000, max_age_duration_nanos: 48 * 3600 * BlockTime::NANOS_PER_SECOND }
    }
}

impl EvidenceParams {
    /// Whether evidence of an infraction at (`height`, `time`) is too old to punish in the
    /// block at (`now_height`, `now_time`): older than both limits.
    pub fn expired(&self, height: u64, time: BlockTime, now_height: u64, now_time: BlockTime) -> bool {
        let age_blocks = now_height.saturating_sub(height);
        let age_nanos = now_time.0.saturating_sub(time.0);
        age_blocks > self.max_age_num_blocks && age_nanos > self.max_age_duration_nanos
    }
}

/// How a validator of the previous block's set took part in its commit (CometBFT's
/// `BlockIDFlag`, without its `UNKNOWN` value, which the adapter refuses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockIdFlag {
    /// No vote from this validator in the commit: it missed the block (downtime counts these).
    Absent,
    /// It voted for the committed block.
    Commit,
    /// It voted nil (it was online but did not see the block in time).
    Nil,
}

impl BlockIdFlag {
    /// Whether the validator signed the block (a `Commit` vote). Liveness tracking counts
    /// `Absent` and `Nil` alike as missed, as the Cosmos SDK's `x/slashing` does.
    pub fn signed(self) -> bool {
        self == BlockIdFlag::Commit
    }
}

/// One validator's vote in the previous block's commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VoteInfo {
    /// The validator's consensus address.
    pub validator: ConsensusAddress,
    /// Its voting power in the set that signed the previous block.
    pub power: u64,
    /// How it took part.
    pub flag: BlockIdFlag,
}

/// CometBFT's `decided_last_commit`: who signed block `height - 1`. Empty at the chain's
/// first block. Every member of the previous set is listed, in the set's order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The consensus round in which the previous block was committed.
    pub round: u32,
    /// One entry per validator of the previous block's set.
    pub votes: Vec<VoteInfo>,
}

/// What kind of misbehaviour the evidence proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MisbehaviorKind {
    /// Two conflicting votes at the same height and round (a double sign).
    DuplicateVote,
    /// A light-client attack: a conflicting header signed by this validator.
    LightClientAttack,
}

/// Evidence of misbehaviour, verified by CometBFT, committed in this block. One entry per
/// faulty validator (CometBFT splits a light-client attack into one per signer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Misbehavior {
    /// What it proves.
    pub kind: MisbehaviorKind,
    /// The faulty validator's consensus address.
    pub validator: ConsensusAddress,
    /// Its voting power at `height`.
    pub validator_power: u64,
    /// The height of the infraction (not of this block).
    pub height: u64,
    /// The time of the block at `height`.
    pub time: BlockTime,
    /// The total voting power of the validator set at `height`.
    pub total_voting_power: u64,
}

/// What a module knows about the block being executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// The chain id.
    pub chain_id: String,
    /// Block height.
    pub height: u64,
    /// Block time from the header.
    pub time: BlockTime,
    /// Address of the proposer's consensus key.
    pub proposer: ConsensusAddress,
    /// Who signed the previous block (CometBFT's `decided_last_commit`).
    pub last_commit: CommitInfo,
    /// Evidence of misbehaviour committed in this block, in CometBFT's order.
    pub misbehavior: Vec<Misbehavior>,
    /// Whether this is the chain's first block (CometBFT's `initial_height`), the one that
    /// runs over the genesis state. A chain imported from an export starts at the exporting
    /// chain's next height with InitChain's validator set; a module that keys state by height
    /// (rotation's set history) rebases it here.
    pub first_block: bool,
}

impl BlockInfo {
    /// A block with no proposer address, an empty last commit and no evidence: what module
    /// tests need when they only care about height and time.
    pub fn new(chain_id: impl Into<String>, height: u64, time: BlockTime) -> Self {
        Self {
            chain_id: chain_id.into(),
            height,
            time,
            proposer: [0; 20],
            last_commit: CommitInfo::default(),
            misbehavior: Vec::new(),
            first_block: false,
        }
    }
}

/// A validator power change for CometBFT (ed25519 only; power 0 removes). Takes effect at
/// `height + 2` of the block whose end-block returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorUpdate {
    /// ed25519 public key.
    pub pub_key: [u8; 32],
    /// Voting power (CometBFT's `int64`; the adapter refuses a negative one).
    pub power: i64,
}

/// What an end-block hook returns to consensus.
///
/// Exactly one module of a chain should own the validator set (in the app template,
/// `rotation`); CometBFT refuses a block whose updates name one key twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndBlockOutput {
    /// Validator set changes, effective at height + 2.
    pub validator_updates: Vec<ValidatorUpdate>,
}

impl EndBlockOutput {
    /// Appends another hook's output, keeping the order the app calls its hooks in.
    pub fn absorb(&mut self, other: EndBlockOutput) {
        self.validator_updates.extend(other.validator_updates);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consensus_addresses_match_cometbft() {
        // From `/validators` of a CometBFT 0.38.25 node (sdk/cometbft/tests/fixtures).
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            let hex = "b001e04c052db855e8a5b17bc22ce32cda9621940770fe26327801db14c4788f";
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
        }
        let address = consensus_address(&key);
        let expected: Vec<u8> = (0..20)
            .map(|i| u8::from_str_radix(&"0AF9019550E90573640F65B54D0D1535AE2AD38C"[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(address.to_vec(), expected);
    }

    #[test]
    fn evidence_expires_only_past_both_limits() {
        let p = EvidenceParams { max_age_num_blocks: 10, max_age_duration_nanos: 100 };
        let t = BlockTime;
        assert!(!p.expired(100, t(1_000), 110, t(1_100)), "at both limits: kept");
        assert!(!p.expired(100, t(1_000), 111, t(1_100)), "older in blocks only: kept");
        assert!(!p.expired(100, t(1_000), 110, t(1_101)), "older in time only: kept");
        assert!(p.expired(100, t(1_000), 111, t(1_101)), "older in both: dropped");
    }
}
