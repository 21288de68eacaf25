//! The records governance stores: proposals, their status, vote options, tallies and the
//! stake snapshot taken when voting starts.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::{Address, BlockTime};

/// Where a proposal is. Codes are stable (they are the key byte of the status index).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum ProposalStatus {
    /// Collecting deposits until `min_deposit` or the end of the deposit period.
    DepositPeriod = 0,
    /// Open for votes until `voting_end`.
    VotingPeriod = 1,
    /// Passed, and its messages executed (all of them).
    Passed = 2,
    /// Rejected: no quorum, or the threshold not met. Deposits refunded.
    Rejected = 3,
    /// Rejected with veto. Deposits burned.
    Vetoed = 4,
    /// Passed, but a message failed: nothing of it was applied. Deposits refunded.
    Failed = 5,
    /// The deposit period ended below `min_deposit`. Deposits refunded.
    Dropped = 6,
}

impl ProposalStatus {
    /// Every status, in code order.
    pub const ALL: [ProposalStatus; 7] = [
        ProposalStatus::DepositPeriod,
        ProposalStatus::VotingPeriod,
        ProposalStatus::Passed,
        ProposalStatus::Rejected,
        ProposalStatus::Vetoed,
        ProposalStatus::Failed,
        ProposalStatus::Dropped,
    ];

    /// The stable code (key byte of the status index).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The snake-case name used in events, queries and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ProposalStatus::DepositPeriod => "deposit_period",
            ProposalStatus::VotingPeriod => "voting_period",
            ProposalStatus::Passed => "passed",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Vetoed => "vetoed",
            ProposalStatus::Failed => "failed",
            ProposalStatus::Dropped => "dropped",
        }
    }

    /// Whether deposits are still held for it (deposit or voting period).
    pub fn is_live(self) -> bool {
        matches!(self, ProposalStatus::DepositPeriod | ProposalStatus::VotingPeriod)
    }
}

impl std::fmt::Display for ProposalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for ProposalStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ProposalStatus::ALL.into_iter().find(|status| status.name() == s).ok_or_else(|| {
            format!(
                "unknown status {s:?}: use deposit_period, voting_period, passed, rejected, vetoed, failed or dropped"
            )
        })
    }
}

/// A vote. Borsh tags are positions: **append only**.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum VoteOption {
    /// Tag 0. For.
    Yes,
    /// Tag 1. Against.
    No,
    /// Tag 2. Counts toward quorum only.
    Abstain,
    /// Tag 3. Against, and a veto: at `veto_ppb` of the votes cast the deposits are burned.
    NoWithVeto,
}

impl VoteOption {
    /// Every option, in tag order (the index into [`Tally`]'s buckets).
    pub const ALL: [VoteOption; 4] = [VoteOption::Yes, VoteOption::No, VoteOption::Abstain, VoteOption::NoWithVeto];

    /// The option's index in tag order.
    pub fn index(self) -> usize {
        match self {
            VoteOption::Yes => 0,
            VoteOption::No => 1,
            VoteOption::Abstain => 2,
            VoteOption::NoWithVeto => 3,
        }
    }

    /// The snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            VoteOption::Yes => "yes",
            VoteOption::No => "no",
            VoteOption::Abstain => "abstain",
            VoteOption::NoWithVeto => "no_with_veto",
        }
    }
}

impl std::fmt::Display for VoteOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for VoteOption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "yes" => Ok(VoteOption::Yes),
            "no" => Ok(VoteOption::No),
            "abstain" => Ok(VoteOption::Abstain),
            "no_with_veto" | "veto" => Ok(VoteOption::NoWithVeto),
            _ => Err(format!("unknown vote {s:?}: use yes, no, abstain or no-with-veto")),
        }
    }
}

/// Stake (tokens of the bond denomination, valued at the snapshot) per option, and the
/// snapshot's total stake (the quorum's base).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Yes.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub yes: u128,
    /// No.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub no: u128,
    /// Abstain.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub abstain: u128,
    /// No with veto.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub no_with_veto: u128,
    /// Σ tokens of the snapshotted candidates: all the stake that could have voted.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub total_stake: u128,
}

impl Tally {
    /// The stake of `option`.
    pub fn of(&self, option: VoteOption) -> u128 {
        match option {
            VoteOption::Yes => self.yes,
            VoteOption::No => self.no,
            VoteOption::Abstain => self.abstain,
            VoteOption::NoWithVeto => self.no_with_veto,
        }
    }

    /// All the stake that voted (abstain included), or `None` on overflow.
    pub fn cast(&self) -> Option<u128> {
        self.yes.checked_add(self.no)?.checked_add(self.abstain)?.checked_add(self.no_with_veto)
    }
}

/// A proposal.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Its id (from 1, never reused).
    pub id: u64,
    /// Who submitted it.
    pub proposer: Address,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// The app messages it executes if it passes, borsh-encoded (hex in JSON); empty for a
    /// text proposal.
    #[serde(with = "hex_list")]
    pub messages: Vec<Vec<u8>>,
    /// What the router said each message is (e.g. `rotation.update_params`).
    pub descriptions: Vec<String>,
    /// Where it is.
    pub status: ProposalStatus,
    /// Block time of submission.
    pub submit_time: BlockTime,
    /// The end of the deposit period.
    pub deposit_end: BlockTime,
    /// Σ deposits (refunded or burned when it ends).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub total_deposit: u128,
    /// When voting started (the snapshot's time), if it did.
    pub voting_start: Option<BlockTime>,
    /// When voting ends, if it started: the tally runs in the end-block of the first block
    /// whose time is at or after it.
    pub voting_end: Option<BlockTime>,
    /// Until when (exclusive) validators may vote, if voting started: `voting_start +
    /// ⌊voting period × validator_voting_ppb⌋`.
    pub validators_until: Option<BlockTime>,
    /// The final tally, once voting ended.
    pub final_tally: Option<Tally>,
    /// The height of the end-block that ended it (tallied, executed, or dropped).
    pub end_height: Option<u64>,
    /// Why execution failed (status `failed`): the failing message's index, codespace, code
    /// and log.
    pub failure: Option<String>,
}

/// One candidate in a proposal's snapshot: its tokens and shares when voting started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSnapshot {
    /// Tokens at voting start.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
    /// Shares at voting start.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
}

/// Serde helper: a list of byte strings as hex strings.
pub mod hex_list {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes each as lowercase hex.
    pub fn serialize<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(list.iter().map(|bytes| conclave_core::state::hex(bytes)))
    }

    /// Reads hex strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts = Vec::<String>::deserialize(deserializer)?;
        texts.iter().map(|t| parse_hex(t).map_err(serde::de::Error::custom)).collect()
    }

    /// Parses hex (even length, either case).
    pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
        let bytes = text.as_bytes();
        if !bytes.len().is_multiple_of(2) {
            return Err(format!("invalid hex {:?}: odd length", text.chars().take(64).collect::<String>()));
        }
        bytes
            .chunks_exact(2)
            .map(|pair| {
                let digit = |b: u8| char::from(b).to_digit(16);
                match (pair.first().copied().and_then(digit), pair.get(1).copied().and_then(digit)) {
                    (Some(hi), Some(lo)) => hi
                        .checked_mul(16)
                        .and_then(|h| h.checked_add(lo))
                        .and_then(|v| u8::try_from(v).ok())
                        .ok_or_else(|| "invalid hex".to_string()),
                    _ => Err("invalid hex: expected 0-9, a-f".to_string()),
                }
            })
            .collect()
    }
}
