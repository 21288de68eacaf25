//! The records slashing stores.

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::BlockTime;
use serde::{Deserialize, Serialize};

/// A validator's liveness record.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningInfo {
    /// The first height of its current stint in the set: misses are recorded from it, and
    /// punished only once it has been in the set for a full window.
    pub start_height: u64,
    /// The last height whose signature was counted (a gap starts a new stint).
    pub last_height: u64,
    /// Blocks of the window it missed (the population of its bitmap).
    pub missed: u64,
    /// When its last downtime jail ends (0: never jailed for downtime).
    pub jailed_until: BlockTime,
    /// Tombstoned for a double sign.
    pub tombstoned: bool,
}

/// Why a validator was punished.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Too many blocks missed in the window.
    Downtime,
    /// Two conflicting votes (or a light-client attack).
    DoubleSign,
}

impl Reason {
    /// The name used in events and keys.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Downtime => "downtime",
            Reason::DoubleSign => "double_sign",
        }
    }

    /// Its byte in history keys.
    pub fn code(self) -> u8 {
        match self {
            Reason::Downtime => 1,
            Reason::DoubleSign => 2,
        }
    }
}

/// One punishment, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlashRecord {
    /// Why.
    pub reason: Reason,
    /// The block that punished it.
    pub height: u64,
    /// The height of the fault: the missed block, or the evidence's height.
    pub fault_height: u64,
    /// The height whose stake was slashed: `fault_height − 2` (at least 1), the stake that
    /// backed the power that signed (CometBFT's validator-update delay).
    pub infraction_height: u64,
    /// The fraction taken, in ppb.
    pub fraction_ppb: u64,
    /// Tokens at the infraction height.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub base_tokens: u128,
    /// Burned from the validator's own tokens.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub from_candidate: u128,
    /// Burned from unbonding entries.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub from_unbondings: u128,
    /// Burned at redelegation destinations.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub from_redelegations: u128,
    /// Jailed until (downtime); `None`: tombstoned.
    pub jailed_until: Option<BlockTime>,
    /// Why nothing was burned, if the candidates' module refused the slash (the jail and the
    /// removal still happen).
    pub slash_refused: Option<String>,
}
