//! The records staking stores: candidates, vote sets, unbonding and redelegation entries.

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::{Address, BlockTime};
use serde::{Deserialize, Serialize};

/// Rates are integers in parts per billion: `1_000_000_000` is 100 %. No floats anywhere.
pub type RatePpb = u64;

/// 100 % in parts per billion.
pub const PPB_ONE: RatePpb = 1_000_000_000;

/// Where a candidate is in its lifecycle (see `docs/modules/staking.md`, "Lifecycle").
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum Status {
    /// Registered, eligible for election, not in the active set. Tokens in the unbonded pool.
    Candidate = 0,
    /// In the active (consensus) set. Tokens in the bonded pool.
    Active = 1,
    /// Jailed until `jailed_until`; not eligible. Tokens in the unbonded pool.
    Jailed = 2,
    /// Permanently barred (double sign). Tokens in the unbonded pool; accepts no stake.
    Tombstoned = 3,
    /// The operator's self-bond fell below `min_self_bond`; not eligible, accepts stake only
    /// from its operator (which brings it back to `Candidate`). Tokens in the unbonded pool.
    Exited = 4,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 5] =
        [Status::Candidate, Status::Active, Status::Jailed, Status::Tombstoned, Status::Exited];

    /// The stable one-byte code (also the key byte of the status index).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The lowercase name used in events and queries.
    pub fn name(self) -> &'static str {
        match self {
            Status::Candidate => "candidate",
            Status::Active => "active",
            Status::Jailed => "jailed",
            Status::Tombstoned => "tombstoned",
            Status::Exited => "exited",
        }
    }

    /// Whether the candidate's tokens sit in the bonded pool.
    pub fn is_bonded(self) -> bool {
        self == Status::Active
    }

    /// Whether the candidate may be elected (appears in the power index when its power > 0).
    pub fn is_eligible(self) -> bool {
        matches!(self, Status::Candidate | Status::Active)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A candidate's commission. Invariant: `rate <= max_rate <= 100 %`, `max_change_rate <= max_rate`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commission {
    /// Current rate, in parts per billion.
    pub rate_ppb: RatePpb,
    /// Highest rate ever allowed; fixed at registration.
    pub max_rate_ppb: RatePpb,
    /// Largest change of `rate` in one edit (edits are at most one per 24 h); fixed at registration.
    pub max_change_rate_ppb: RatePpb,
    /// Block time of the last rate change (registration counts).
    pub last_change: BlockTime,
}

/// A candidate's public description. Lengths are bounded (see [`crate::params`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// Display name, 1 to [`crate::params::MAX_MONIKER_LEN`] bytes.
    pub moniker: String,
    /// Identity (e.g. a keybase id), at most [`crate::params::MAX_IDENTITY_LEN`] bytes.
    #[serde(default)]
    pub identity: String,
    /// Web site, at most [`crate::params::MAX_WEBSITE_LEN`] bytes.
    #[serde(default)]
    pub website: String,
    /// Free text, at most [`crate::params::MAX_DETAILS_LEN`] bytes.
    #[serde(default)]
    pub details: String,
}

/// A registered candidate, keyed by its operator address.
///
/// Ledger: `tokens` is the stake backing the candidate; `shares` the sum of its delegators'
/// shares. A delegator holding `s` shares owns `s × tokens / shares` tokens, so a slash (or a
/// reward) changes `tokens` only and reaches every delegator in O(1).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The operator account (also the candidate's id).
    pub operator: Address,
    /// The consensus ed25519 public key CometBFT knows it by (hex in JSON).
    #[serde(with = "crate::types::hex_key")]
    pub consensus_key: [u8; 32],
    /// A rotated key, applied at the next epoch by the rotation module.
    #[serde(with = "crate::types::hex_key_opt")]
    pub pending_consensus_key: Option<[u8; 32]>,
    /// Lifecycle status.
    pub status: Status,
    /// Tokens backing the candidate (its delegators' stake, its own included).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
    /// Total shares issued to its delegators.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
    /// Commission.
    pub commission: Commission,
    /// Description.
    pub description: Description,
    /// While jailed: the earliest block time it may be unjailed.
    pub jailed_until: BlockTime,
    /// Height of registration.
    pub registered_height: u64,
    /// Token history below and at this height was pruned: slashes for infractions at or below
    /// it are refused (0: nothing pruned).
    pub history_floor: u64,
}

/// One candidate in a delegator's vote set.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// The candidate (operator address).
    pub candidate: Address,
    /// The delegator's shares of that candidate; never zero.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
}

/// A delegator's whole vote set, stored under one key. Sorted by candidate, no duplicates,
/// no zero shares; an empty set is deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteSet {
    /// The entries, by candidate.
    pub votes: Vec<Vote>,
}

impl VoteSet {
    /// Shares held at `candidate` (0 when absent).
    pub fn shares(&self, candidate: &Address) -> u128 {
        self.votes.iter().find(|v| v.candidate == *candidate).map_or(0, |v| v.shares)
    }

    /// Sets the shares at `candidate`, inserting in order or removing at zero.
    pub fn set_shares(&mut self, candidate: &Address, shares: u128) {
        match self.votes.binary_search_by(|v| v.candidate.cmp(candidate)) {
            Ok(i) if shares == 0 => {
                self.votes.remove(i);
            }
            Ok(i) => {
                if let Some(v) = self.votes.get_mut(i) {
                    v.shares = shares;
                }
            }
            Err(_) if shares == 0 => {}
            Err(i) => self.votes.insert(i, Vote { candidate: *candidate, shares }),
        }
    }
}

/// Tokens on their way back to a delegator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnbondingEntry {
    /// Its id (unique across unbondings and redelegations, never reused).
    pub id: u64,
    /// Who receives the tokens.
    pub delegator: Address,
    /// The candidate they left (whose earlier infractions still slash them).
    pub candidate: Address,
    /// Height at which the unbonding started.
    pub creation_height: u64,
    /// When the tokens are released.
    pub completion_time: BlockTime,
    /// Tokens at creation (the base of any slash).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub initial_balance: u128,
    /// Tokens still to be released (after slashes and cancellations); never zero.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub balance: u128,
}

/// Stake moved from `source` to `destination`; slashable for the source's infractions before
/// `creation_height` until `completion_time`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedelegationEntry {
    /// Its id (unique across unbondings and redelegations, never reused).
    pub id: u64,
    /// The delegator.
    pub delegator: Address,
    /// The candidate the stake left.
    pub source: Address,
    /// The candidate the stake went to.
    pub destination: Address,
    /// Height of the redelegation.
    pub creation_height: u64,
    /// When it stops being slashable for the source and the stake may move on.
    pub completion_time: BlockTime,
    /// Tokens moved (the base of any slash).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub initial_balance: u128,
    /// Shares of `destination` that arrived and are still held (reduced when the delegator
    /// undelegates them or a slash takes them). These shares cannot be redelegated onward
    /// before `completion_time`.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares_dst: u128,
}

/// One point of a candidate's token history: its tokens at the end of `height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRecord {
    /// Block time of that height.
    pub time: BlockTime,
    /// Tokens after the last change in that block.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
}

/// The block a ledger operation runs in (defined in core, shared with the modules that call
/// the ledger). Genesis operations run at [`At::GENESIS`].
pub use conclave_core::At;

/// Serde helper: a 32-byte key as 64 hex characters in JSON (borsh is unaffected).
pub mod hex_key {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes 64 lowercase hex characters.
    pub fn serialize<S: Serializer>(key: &[u8; 32], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&conclave_core::state::hex(key))
    }

    /// Reads 64 hex characters.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid key {text:?}: expected 64 hex characters")))
    }

    /// Parses 64 hex characters.
    pub fn parse(text: &str) -> Option<[u8; 32]> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = char::from(*pair.first()?).to_digit(16)?;
            let lo = char::from(*pair.get(1)?).to_digit(16)?;
            *slot = u8::try_from(hi.checked_mul(16)?.checked_add(lo)?).ok()?;
        }
        Some(out)
    }
}

/// Serde helper: an optional 32-byte key as hex (or `null`).
pub mod hex_key_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes hex or `null`.
    pub fn serialize<S: Serializer>(key: &Option<[u8; 32]>, serializer: S) -> Result<S::Ok, S::Error> {
        match key {
            Some(k) => serializer.collect_str(&conclave_core::state::hex(k)),
            None => serializer.serialize_none(),
        }
    }

    /// Reads hex or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<[u8; 32]>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) => super::hex_key::parse(&text)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid key {text:?}: expected 64 hex characters"))),
        }
    }
}
