//! Voting's genesis section: parameters and initial votes.
//!
//! ```json
//! { "params": { "max_votes": 16, "max_entries": 7 },
//!   "votes": [ { "delegator": "<hex>", "candidate": "<hex>", "amount": "5000000" } ] }
//! ```
//!
//! Votes are bonded from the delegators' bank balances at genesis (height 0, time 0), after the
//! bank's and staking's genesis. Export writes the parameters only (vote sets are exported by
//! staking), so `init(export(s))` rebuilds `s`.

use conclave_core::{Address, StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::error::VotingError;
use crate::expected::StakeLedger;
use crate::msg::Msg;
use crate::params::Params;
use crate::state::PARAMS;
use crate::Voting;

/// The voting genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Initial votes, bonded in order.
    #[serde(default)]
    pub votes: Vec<GenesisVote>,
}

/// One initial vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisVote {
    /// The delegator (must hold the amount in the bank genesis).
    pub delegator: Address,
    /// The candidate (registered in staking's genesis).
    pub candidate: Address,
    /// Tokens.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub amount: u128,
}

pub(crate) fn init<L: StakeLedger>(
    voting: &Voting<L>,
    state: &mut impl StateWrite,
    g: &Genesis,
) -> Result<(), VotingError> {
    g.params.validate().map_err(VotingError::InvalidGenesis)?;
    PARAMS.put(state, &g.params)?;
    for (i, v) in g.votes.iter().enumerate() {
        voting
            .apply(
                state,
                conclave_core::At::GENESIS,
                &v.delegator,
                &Msg::Vote { candidate: v.candidate, amount: v.amount },
            )
            .map_err(|e| {
                VotingError::InvalidGenesis(format!("votes[{i}] ({} to {}): {e}", v.delegator, v.candidate))
            })?;
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, VotingError> {
    Ok(Genesis { params: PARAMS.load(state)?, votes: Vec::new() })
}
