//! Rotation parameters, their defaults and why (see `docs/modules/rotation.md`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Parts per billion: `1_000_000_000` is 100 %.
pub const PPB_ONE: u64 = 1_000_000_000;

/// CometBFT's bound on the total voting power of a validator set (`MaxTotalVotingPower`).
pub const MAX_TOTAL_POWER: u64 = (i64::MAX as u64) / 8;

/// Rotation parameters (stored at `rotation/params`, set at genesis).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Blocks per epoch. Epoch `n` (from 0) is heights `n·L + 1 ..= (n+1)·L`; the election runs
    /// in the end-block of its last height. Default 2 880 (4 h of 5 s blocks).
    pub epoch_length: u64,
    /// Seats in the validator set. Default 50.
    pub max_validators: u32,
    /// Fewest validators an election may produce; an election below it keeps the current set.
    /// Default 4 (the smallest set that tolerates one Byzantine validator).
    pub min_validators: u32,
    /// Largest share of the set's total power one validator may hold, in ppb. Default 25 %
    /// (250 000 000): strictly below 1/3, so no validator can halt or fork the chain alone.
    /// `min_validators × max_power_share_ppb ≥ 100 %` is required, so the cap is always
    /// satisfiable.
    pub max_power_share_ppb: u64,
    /// A validator's power is at most this multiple of its self-bond's power. Default 20 (its
    /// own stake is at least 5 % of its power, as ICON's bond requirement).
    pub max_self_bond_multiple: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            epoch_length: 2_880,
            max_validators: 50,
            min_validators: 4,
            max_power_share_ppb: 250_000_000,
            max_self_bond_multiple: 20,
        }
    }
}

impl Params {
    /// Checks the parameters and their cross-constraints; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.epoch_length == 0 {
            return Err("params.epoch_length must be at least 1".into());
        }
        if self.min_validators == 0 {
            return Err("params.min_validators must be at least 1 (an empty set halts the chain)".into());
        }
        if self.max_validators < self.min_validators {
            return Err("params.max_validators must be at least params.min_validators".into());
        }
        if self.max_validators > 10_000 {
            return Err("params.max_validators must be at most 10000 (CometBFT's practical limit)".into());
        }
        if self.max_power_share_ppb == 0 || self.max_power_share_ppb > PPB_ONE {
            return Err(format!("params.max_power_share_ppb must be in 1..={PPB_ONE}"));
        }
        if u128::from(self.min_validators).saturating_mul(u128::from(self.max_power_share_ppb)) < u128::from(PPB_ONE) {
            return Err("params.min_validators × params.max_power_share_ppb must be at least 1 000 000 000 (100 %): \
                 with fewer validators no set can satisfy the power cap"
                .into());
        }
        if self.max_self_bond_multiple == 0 {
            return Err("params.max_self_bond_multiple must be at least 1".into());
        }
        Ok(())
    }

    /// The epoch of `height` (heights start at 1; height 0 is genesis, in epoch 0).
    pub fn epoch_of(&self, height: u64) -> u64 {
        height.saturating_sub(1).checked_div(self.epoch_length).unwrap_or(0)
    }

    /// First and last height of epoch `epoch`.
    pub fn epoch_bounds(&self, epoch: u64) -> (u64, u64) {
        let length = self.epoch_length.max(1);
        let start = epoch.saturating_mul(length).saturating_add(1);
        (start, start.saturating_add(length.saturating_sub(1)))
    }

    /// Whether `height` is the last height of its epoch (the election runs in its end-block).
    pub fn is_epoch_end(&self, height: u64) -> bool {
        height > 0 && height.is_multiple_of(self.epoch_length.max(1))
    }
}
