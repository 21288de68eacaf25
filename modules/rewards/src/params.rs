//! Rewards parameters, their defaults and why (`docs/modules/rewards.md`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Parts per billion: `1_000_000_000` is 100 %.
pub const PPB_ONE: u64 = 1_000_000_000;

/// A year of block time, in nanoseconds (365 days): what annual rates are per.
pub const YEAR_NANOS: u64 = 365 * 24 * 3600 * 1_000_000_000;

/// Rewards parameters (stored at `rewards/params`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Lowest annual inflation, ppb. Default 5 %.
    pub inflation_min_ppb: u64,
    /// Highest annual inflation, ppb. Default 10 %.
    pub inflation_max_ppb: u64,
    /// Most the inflation moves in a year, ppb of supply. Default 13 % (Cosmos x/mint).
    pub inflation_rate_change_ppb: u64,
    /// The bonded ratio inflation steers toward, ppb. Default 2/3.
    pub goal_bonded_ppb: u64,
    /// Blocks between inflation updates. Default 2,880 (4 h of 5 s blocks, rotation's epoch).
    pub epoch_length: u64,
    /// Share of each block's rewards for the community pool, ppb. Default 2 %.
    pub community_tax_ppb: u64,
    /// The proposer's base bonus, ppb of what is left after the tax. Default 1 %.
    pub base_proposer_reward_ppb: u64,
    /// The proposer's extra bonus at full signed power, ppb. Default 3 % (so 1 %–4 %).
    pub bonus_proposer_reward_ppb: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            inflation_min_ppb: 50_000_000,
            inflation_max_ppb: 100_000_000,
            inflation_rate_change_ppb: 130_000_000,
            goal_bonded_ppb: 666_666_667,
            epoch_length: 2_880,
            community_tax_ppb: 20_000_000,
            base_proposer_reward_ppb: 10_000_000,
            bonus_proposer_reward_ppb: 30_000_000,
        }
    }
}

impl Params {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.inflation_min_ppb > self.inflation_max_ppb || self.inflation_max_ppb > PPB_ONE {
            return Err("params.inflation_min_ppb ≤ params.inflation_max_ppb ≤ 1000000000 is required".into());
        }
        if self.inflation_rate_change_ppb > PPB_ONE {
            return Err("params.inflation_rate_change_ppb must be at most 1000000000 (100 % a year)".into());
        }
        if self.goal_bonded_ppb == 0 || self.goal_bonded_ppb > PPB_ONE {
            return Err("params.goal_bonded_ppb must be 1 to 1000000000".into());
        }
        if self.epoch_length == 0 {
            return Err("params.epoch_length must be at least 1".into());
        }
        let shares = [self.community_tax_ppb, self.base_proposer_reward_ppb, self.bonus_proposer_reward_ppb]
            .into_iter()
            .map(u128::from)
            .fold(0u128, u128::saturating_add);
        if shares > u128::from(PPB_ONE) {
            return Err(
                "params.community_tax_ppb + base_proposer_reward_ppb + bonus_proposer_reward_ppb must be at most 100 %"
                    .into(),
            );
        }
        Ok(())
    }
}
