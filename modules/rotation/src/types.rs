//! The records rotation stores.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::elect::Member;

/// An elected validator set and when it signs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRecord {
    /// The epoch whose end elected it (0 for the genesis set).
    pub epoch: u64,
    /// The height whose end-block elected it (0: genesis).
    pub elected_at: u64,
    /// The first height it signs: 2 after the end-block that last changed it (its election,
    /// or a forced removal since), 0 from the chain's first block.
    pub from_height: u64,
    /// The validators, in election order (vote weight descending, operator ascending).
    pub validators: Vec<Member>,
    /// Σ power.
    pub total_power: u64,
}
