//! Voting parameters, their defaults and why.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// Voting parameters (stored at `voting/params`, set at genesis).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Most candidates in one vote set. Default 16 (Polkadot's nominations): enough to spread
    /// risk, small enough that a vote set stays one small value under one key.
    pub max_votes: u32,
    /// Most pending entries per (delegator, candidate): unbondings from the candidate, and
    /// redelegations into it, counted separately. Default 7 (Cosmos), bounding slash work.
    pub max_entries: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self { max_votes: 16, max_entries: 7 }
    }
}

impl Params {
    /// Checks the parameters; the message says what to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_votes == 0 || self.max_votes > 1024 {
            return Err("params.max_votes must be between 1 and 1024".into());
        }
        if self.max_entries == 0 || self.max_entries > 1024 {
            return Err("params.max_entries must be between 1 and 1024".into());
        }
        Ok(())
    }
}
