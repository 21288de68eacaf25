//! Rewards' genesis section: parameters, the minter, and (from an export) every candidate's
//! and vote's record and the totals. `init(export(s))` rebuilds `s` key for key.
//!
//! ```json
//! { "params": { ... }, "minter": { "inflation_ppb": 70000000, ... },
//!   "candidates": [ { "candidate": "<hex>", "rewards": { ... } } ],
//!   "votes": [ { "delegator": "<hex>", "candidate": "<hex>", "rewards": { ... } } ],
//!   "totals": { ... } }
//! ```

use serde::{Deserialize, Serialize};

use conclave_core::{Address, StateRead, StateWrite};

use crate::error::RewardsError;
use crate::params::Params;
use crate::state::{CANDIDATES, MINTER, PARAMS, TOTALS, VOTES};
use crate::types::{CandidateRewards, Minter, Totals, VoteRewards};

/// The rewards genesis section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// The issuance state: a new chain gives the starting inflation (default 7 %, held
    /// within the parameters' bounds); the clocks start at the first block.
    #[serde(default = "default_minter")]
    pub minter: Minter,
    /// Candidates' records (from an export).
    #[serde(default)]
    pub candidates: Vec<GenesisCandidate>,
    /// Votes' records (from an export).
    #[serde(default)]
    pub votes: Vec<GenesisVote>,
    /// Totals (from an export).
    #[serde(default)]
    pub totals: Totals,
}

impl Default for Genesis {
    fn default() -> Self {
        Self {
            params: Params::default(),
            minter: default_minter(),
            candidates: Vec::new(),
            votes: Vec::new(),
            totals: Totals::default(),
        }
    }
}

fn default_minter() -> Minter {
    Minter { inflation_ppb: 70_000_000, ..Minter::default() }
}

/// One candidate's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisCandidate {
    /// The candidate.
    pub candidate: Address,
    /// Its record.
    pub rewards: CandidateRewards,
}

/// One vote's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisVote {
    /// The delegator.
    pub delegator: Address,
    /// The candidate.
    pub candidate: Address,
    /// Its record.
    pub rewards: VoteRewards,
}

pub(crate) fn init(state: &mut impl StateWrite, g: &Genesis) -> Result<(), RewardsError> {
    g.params.validate().map_err(RewardsError::InvalidGenesis)?;
    PARAMS.put(state, &g.params)?;
    MINTER.put(state, &g.minter)?;
    TOTALS.put(state, &g.totals)?;
    for c in &g.candidates {
        CANDIDATES.put(state, &c.candidate, &c.rewards)?;
    }
    for v in &g.votes {
        // Staking's genesis (before this one) may have recorded votes for its genesis bonds:
        // an export's record replaces them.
        VOTES.put(state, &(v.delegator, v.candidate), &v.rewards)?;
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, RewardsError> {
    let mut candidates = Vec::new();
    for entry in CANDIDATES.iter(state) {
        let (candidate, rewards) = entry?;
        candidates.push(GenesisCandidate { candidate, rewards });
    }
    let mut votes = Vec::new();
    for entry in VOTES.iter(state) {
        let ((delegator, candidate), rewards) = entry?;
        votes.push(GenesisVote { delegator, candidate, rewards });
    }
    Ok(Genesis {
        params: PARAMS.load(state)?,
        minter: MINTER.load(state)?,
        candidates,
        votes,
        totals: TOTALS.load(state)?,
    })
}
