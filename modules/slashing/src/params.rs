//! Slashing parameters, their defaults and why (`docs/modules/slashing.md`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Parts per billion: `1_000_000_000` is 100 %.
pub const PPB_ONE: u64 = 1_000_000_000;

/// Slashing parameters (stored at `slashing/params`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Blocks of the liveness window. Default 10,000 (about 14 h of 5 s blocks). Fixed once
    /// the chain runs (the missed-block bitmap is indexed by `height % window`).
    pub signed_blocks_window: u64,
    /// Share of the window a validator must sign, in ppb. Default 5 % (50,000,000): a
    /// validator is jailed when it missed more than `window − ⌈window × share⌉` blocks.
    pub min_signed_per_window_ppb: u64,
    /// How long a downtime jail lasts, in nanoseconds of block time. Default 10 minutes.
    pub downtime_jail_duration_nanos: u64,
    /// Share of the stake a double sign costs, in ppb. Default 5 % (50,000,000).
    pub slash_fraction_double_sign_ppb: u64,
    /// Share of the stake downtime costs, in ppb. Default 0.01 % (100,000).
    pub slash_fraction_downtime_ppb: u64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            signed_blocks_window: 10_000,
            min_signed_per_window_ppb: 50_000_000,
            downtime_jail_duration_nanos: 600 * 1_000_000_000,
            slash_fraction_double_sign_ppb: 50_000_000,
            slash_fraction_downtime_ppb: 100_000,
        }
    }
}

/// Longest window accepted: its bitmap is at most 15,625 chunks of 64 blocks.
pub const MAX_WINDOW: u64 = 1_000_000;

impl Params {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_WINDOW).contains(&self.signed_blocks_window) {
            return Err(format!("params.signed_blocks_window must be 1 to {MAX_WINDOW}"));
        }
        for (name, value) in [
            ("min_signed_per_window_ppb", self.min_signed_per_window_ppb),
            ("slash_fraction_double_sign_ppb", self.slash_fraction_double_sign_ppb),
            ("slash_fraction_downtime_ppb", self.slash_fraction_downtime_ppb),
        ] {
            if value > PPB_ONE {
                return Err(format!("params.{name} must be at most {PPB_ONE} (100 %)"));
            }
        }
        Ok(())
    }

    /// Blocks of the window a validator must sign: `⌈window × min_signed⌉` (rounded up, so
    /// the share is never less than asked).
    pub fn min_signed_blocks(&self) -> u64 {
        let product = u128::from(self.signed_blocks_window).saturating_mul(u128::from(self.min_signed_per_window_ppb));
        u64::try_from(product.div_ceil(u128::from(PPB_ONE))).unwrap_or(u64::MAX)
    }

    /// Most blocks of the window a validator may miss: `window − min_signed_blocks`; one more
    /// jails it.
    pub fn max_missed_blocks(&self) -> u64 {
        self.signed_blocks_window.saturating_sub(self.min_signed_blocks())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_thresholds_round_toward_signing() {
        let p = Params::default();
        p.validate().unwrap();
        assert_eq!((p.min_signed_blocks(), p.max_missed_blocks()), (500, 9_500));
        let odd = Params { signed_blocks_window: 7, min_signed_per_window_ppb: 500_000_000, ..p.clone() };
        assert_eq!((odd.min_signed_blocks(), odd.max_missed_blocks()), (4, 3), "⌈3.5⌉ = 4 must be signed");
        assert!(Params { signed_blocks_window: 0, ..p.clone() }.validate().is_err());
        assert!(Params { slash_fraction_downtime_ppb: PPB_ONE + 1, ..p }.validate().is_err());
    }
}
