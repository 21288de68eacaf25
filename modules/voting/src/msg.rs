//! Voting messages (the delegator side, and the parameter authority's `UpdateParams`). Wire
//! format: borsh; the first byte is the variant's position (its tag). **Append only.**
//!
//! Amounts are tokens of the bond denomination. Taking stake out (unvote, undelegate,
//! redelegate, the decreases of set_votes) removes exactly the amount asked; putting stake in
//! mints shares rounded down (the stake ledger's rule; see `conclave_staking::ledger`).

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::Address;
use serde::{Deserialize, Serialize};

use crate::error::VotingError;

/// One target of a [`Msg::SetVotes`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteTarget {
    /// The candidate.
    pub candidate: Address,
    /// Tokens the delegator wants staked there; positive.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub amount: u128,
}

/// A voting message, signed by the delegator.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Bonds `amount` more from the signer's balance to `candidate`.
    Vote {
        /// The candidate.
        candidate: Address,
        /// Tokens to add.
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
    /// Tag 1. Removes `candidate` from the vote set: undelegates the whole stake there (or, when
    /// a slash left the shares worth nothing, forfeits them).
    Unvote {
        /// The candidate.
        candidate: Address,
    },
    /// Tag 2. Replaces the whole vote set atomically: decreases are redelegated to increases
    /// (in candidate order), what is left of decreases is undelegated, what is left of
    /// increases is bonded from the balance. Candidates not listed are removed.
    SetVotes {
        /// The new vote set: at most `max_votes` candidates, each once, positive amounts.
        votes: Vec<VoteTarget>,
    },
    /// Tag 3. Moves `amount` of stake from `source` to `destination` at once.
    Redelegate {
        /// Where the stake leaves.
        source: Address,
        /// Where it goes.
        destination: Address,
        /// Tokens to move.
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
    /// Tag 4. Starts unbonding `amount` of the stake at `candidate`.
    Undelegate {
        /// The candidate.
        candidate: Address,
        /// Tokens to unbond.
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
    /// Tag 5. Returns `amount` of unbonding entry `id` to its candidate.
    CancelUnbonding {
        /// The entry.
        id: u64,
        /// Tokens to return.
        #[serde(with = "conclave_core::coin::amount_string")]
        amount: u128,
    },
    /// Tag 6. Replaces the parameters; only the chain's parameter authority may sign it.
    /// Lowering `max_votes` or `max_entries` binds new operations only: existing vote sets
    /// and entries stay.
    UpdateParams {
        /// The new parameters, whole.
        params: crate::Params,
    },
}

/// Largest number of targets a `SetVotes` may carry before the state-dependent `max_votes`
/// check (keeps decoding and validation bounded).
pub const MAX_SET_VOTES_TARGETS: usize = 1024;

/// Stateless checks: positive amounts, no duplicate candidates.
pub fn validate(msg: &Msg) -> Result<(), VotingError> {
    let positive = |amount: u128| if amount == 0 { Err(VotingError::ZeroAmount) } else { Ok(()) };
    match msg {
        Msg::Vote { amount, .. } | Msg::Redelegate { amount, .. } | Msg::Undelegate { amount, .. } => positive(*amount),
        Msg::CancelUnbonding { amount, .. } => positive(*amount),
        Msg::Unvote { .. } => Ok(()),
        Msg::UpdateParams { params } => params.validate().map_err(VotingError::InvalidParams),
        Msg::SetVotes { votes } => {
            if votes.len() > MAX_SET_VOTES_TARGETS {
                return Err(VotingError::TooManyVotes { count: votes.len(), max: MAX_SET_VOTES_TARGETS as u32 });
            }
            let mut seen = std::collections::BTreeSet::new();
            for v in votes {
                positive(v.amount)?;
                if !seen.insert(v.candidate) {
                    return Err(VotingError::DuplicateCandidate { candidate: v.candidate });
                }
            }
            Ok(())
        }
    }
}
