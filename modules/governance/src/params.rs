//! Governance parameters, their defaults and why (`docs/modules/governance.md`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Parts per billion: `1_000_000_000` is 100 %.
pub const PPB_ONE: u64 = 1_000_000_000;

/// A day of block time, in seconds.
pub const DAY_SECONDS: u64 = 24 * 3600;

/// Absolute caps on a proposal's size, checked statelessly (before the parameters are read);
/// the parameters may only be tighter.
pub mod caps {
    /// Longest title, bytes.
    pub const TITLE: u32 = 1_024;
    /// Longest summary, bytes.
    pub const SUMMARY: u32 = 65_536;
    /// Most messages.
    pub const MESSAGES: u32 = 64;
    /// Largest message, bytes.
    pub const MESSAGE_BYTES: u32 = 262_144;
}

/// Governance parameters (stored at `governance/params`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Longest a proposal collects deposits, seconds of block time. Default 14 days.
    pub deposit_period_seconds: u64,
    /// How long voting lasts, seconds of block time. Default 7 days.
    pub voting_period_seconds: u64,
    /// Deposits (tokens of the bond denomination) that start the voting period.
    /// Default 10,000,000.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub min_deposit: u128,
    /// Share of the snapshotted stake that must vote (abstain included), ppb. Default 33.4 %.
    pub quorum_ppb: u64,
    /// Share of yes among yes + no + no-with-veto that a pass needs (strictly more), ppb.
    /// Default 50 %.
    pub threshold_ppb: u64,
    /// Share of no-with-veto among all votes cast that vetoes (burns the deposits), ppb.
    /// Default 33.4 %.
    pub veto_ppb: u64,
    /// Share of the voting period during which validators (operators of snapshotted
    /// candidates) may vote, ppb, so their voters can still override. Default 2/3 (Namada).
    pub validator_voting_ppb: u64,
    /// Longest title, bytes (1 to [`caps::TITLE`]). Default 140.
    pub max_title_len: u32,
    /// Longest summary, bytes (up to [`caps::SUMMARY`]). Default 10,000.
    pub max_summary_len: u32,
    /// Most messages per proposal (up to [`caps::MESSAGES`]). Default 16.
    pub max_messages: u32,
    /// Largest message, bytes (up to [`caps::MESSAGE_BYTES`]). Default 65,536.
    pub max_message_bytes: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            deposit_period_seconds: 14 * DAY_SECONDS,
            voting_period_seconds: 7 * DAY_SECONDS,
            min_deposit: 10_000_000,
            quorum_ppb: 334_000_000,
            threshold_ppb: 500_000_000,
            veto_ppb: 334_000_000,
            validator_voting_ppb: 666_666_667,
            max_title_len: 140,
            max_summary_len: 10_000,
            max_messages: 16,
            max_message_bytes: 65_536,
        }
    }
}

impl Params {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.deposit_period_seconds == 0 || self.voting_period_seconds == 0 {
            return Err("params.deposit_period_seconds and params.voting_period_seconds must be at least 1".into());
        }
        // Block times are u64 nanoseconds: keep the periods far below the overflow.
        const MAX_PERIOD: u64 = 100 * 365 * DAY_SECONDS;
        if self.deposit_period_seconds > MAX_PERIOD || self.voting_period_seconds > MAX_PERIOD {
            return Err(format!("params: periods must be at most {MAX_PERIOD} seconds (100 years)"));
        }
        if self.min_deposit == 0 {
            return Err("params.min_deposit must be at least 1".into());
        }
        for (name, value) in [
            ("quorum_ppb", self.quorum_ppb),
            ("threshold_ppb", self.threshold_ppb),
            ("veto_ppb", self.veto_ppb),
            ("validator_voting_ppb", self.validator_voting_ppb),
        ] {
            if value > PPB_ONE {
                return Err(format!("params.{name} must be at most 1000000000 (100 %); it is {value}"));
            }
        }
        if self.veto_ppb == 0 {
            return Err("params.veto_ppb must be at least 1: at 0 every proposal would be vetoed".into());
        }
        let bounds = [
            ("max_title_len", self.max_title_len, caps::TITLE),
            ("max_summary_len", self.max_summary_len, caps::SUMMARY),
            ("max_messages", self.max_messages, caps::MESSAGES),
            ("max_message_bytes", self.max_message_bytes, caps::MESSAGE_BYTES),
        ];
        for (name, value, cap) in bounds {
            if value > cap {
                return Err(format!("params.{name} must be at most {cap}; it is {value}"));
            }
        }
        if self.max_title_len == 0 {
            return Err("params.max_title_len must be at least 1".into());
        }
        Ok(())
    }

    /// The deposit period in nanoseconds.
    pub fn deposit_period_nanos(&self) -> u64 {
        self.deposit_period_seconds.saturating_mul(conclave_core::BlockTime::NANOS_PER_SECOND)
    }

    /// The voting period in nanoseconds.
    pub fn voting_period_nanos(&self) -> u64 {
        self.voting_period_seconds.saturating_mul(conclave_core::BlockTime::NANOS_PER_SECOND)
    }
}
