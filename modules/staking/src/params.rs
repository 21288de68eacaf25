//! Staking parameters, their defaults and why, and the fixed bounds of descriptions.

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::coin::validate_denom;
use serde::{Deserialize, Serialize};

use crate::types::{RatePpb, PPB_ONE};

/// Longest moniker, in bytes.
pub const MAX_MONIKER_LEN: usize = 70;
/// Longest identity, in bytes.
pub const MAX_IDENTITY_LEN: usize = 64;
/// Longest website, in bytes.
pub const MAX_WEBSITE_LEN: usize = 140;
/// Longest details text, in bytes.
pub const MAX_DETAILS_LEN: usize = 280;
/// Minimum time between two commission-rate changes: 24 h of block time.
pub const COMMISSION_CHANGE_INTERVAL_NANOS: u64 = 24 * 3600 * 1_000_000_000;

/// Staking parameters (stored at `staking/params`, set at genesis).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The denomination that is staked.
    pub bond_denom: String,
    /// Time from undelegation to release, and during which redelegations stay slashable for the
    /// source. Default 21 days: longer than CometBFT's evidence age (48 h and 100 000 blocks).
    pub unbonding_period_nanos: u64,
    /// Smallest self-bond of a registering candidate; below it a candidate exits. Default 10^6
    /// (one unit of power).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub min_self_bond: u128,
    /// Smallest commission rate a candidate may set. Default 5 % (50 000 000 ppb).
    pub min_commission_ppb: RatePpb,
    /// Tokens per unit of consensus power. Default 10^6, as in Cosmos.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub power_reduction: u128,
    /// Most unbonding completions (and, separately, redelegation maturities) processed per
    /// block; the rest wait, in order. Default 5 000, sized from the staking benchmark
    /// (docs/benchmarks.md): a completion costs about 7–8 µs of end-block on the reference
    /// 2-vCPU machine, up to about 12.5 µs when it is contended, so 5 000 take about 40 ms at
    /// p99 and at most about 63 ms under contention: well under a 100 ms end-block budget, where
    /// 10 000 (80–125 ms at p99) would not be. 10 000 entries due at once are paid in two blocks.
    pub max_completions_per_block: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            bond_denom: "stake".into(),
            unbonding_period_nanos: 21 * 24 * 3600 * 1_000_000_000,
            min_self_bond: 1_000_000,
            min_commission_ppb: 50_000_000,
            power_reduction: 1_000_000,
            max_completions_per_block: 5_000,
        }
    }
}

impl Params {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        validate_denom(&self.bond_denom).map_err(|e| format!("params.bond_denom: {e}"))?;
        if self.unbonding_period_nanos == 0 {
            return Err("params.unbonding_period_nanos must be positive".into());
        }
        if self.min_self_bond == 0 {
            return Err("params.min_self_bond must be positive".into());
        }
        if self.min_commission_ppb > PPB_ONE {
            return Err(format!("params.min_commission_ppb must be at most {PPB_ONE} (100 %)"));
        }
        if self.power_reduction == 0 {
            return Err("params.power_reduction must be positive".into());
        }
        if self.max_completions_per_block == 0 {
            return Err("params.max_completions_per_block must be at least 1".into());
        }
        Ok(())
    }

    /// Consensus power of `tokens`: `tokens / power_reduction`, rounded down, saturating at
    /// `u64::MAX` (the rotation module checks CometBFT's total-power bound).
    pub fn power(&self, tokens: u128) -> u64 {
        let power = tokens.checked_div(self.power_reduction).unwrap_or(0);
        u64::try_from(power).unwrap_or(u64::MAX)
    }
}
