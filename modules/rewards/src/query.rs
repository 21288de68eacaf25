//! Queries (`rewards/<path>`).
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`crate::Params`] |
//! | `minter` | `{}` | [`crate::types::Minter`]: the inflation, the annual provisions, the clocks |
//! | `community_pool` | `{}` | `{"amount"}` |
//! | `pending` | `{"delegator", "candidate"?}` | [`Pending`]: per candidate and in total, what a claim would pay now |
//! | `validator` | `{"candidate"}` | [`ValidatorRewardsAnswer`]: what its delegators are owed, its commission |
//! | `totals` | `{}` | [`crate::types::Totals`]: minted, fees, paid |

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use conclave_core::module::{parse_query, query_response};
use conclave_core::{Address, StateRead};

use crate::accounting::{add, mul, whole};
use crate::error::RewardsError;
use crate::expected::{Bank, Signers, Stake};
use crate::state::{CANDIDATES, MINTER, PARAMS, TOTALS, VOTES};
use crate::{Rewards, COMMUNITY_POOL};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingReq {
    delegator: Address,
    #[serde(default)]
    candidate: Option<Address>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CandidateReq {
    candidate: Address,
}

/// One candidate's pending rewards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAt {
    /// The candidate.
    pub candidate: Address,
    /// Whole tokens a claim would pay now.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub amount: u128,
}

/// The `pending` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Per candidate (with rewards or votes).
    pub rewards: Vec<PendingAt>,
    /// Their sum.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub total: u128,
}

/// The `validator` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidatorRewardsAnswer {
    /// The candidate.
    pub candidate: Address,
    /// Whole tokens given to its delegators and not yet settled into their records.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub outstanding: u128,
    /// Its operator's commission, not yet withdrawn.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub commission: u128,
    /// Cumulative reward per share, scaled by 10^18.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub reward_per_share: u128,
}

#[derive(Serialize)]
struct Amount {
    #[serde(with = "conclave_core::coin::amount_string")]
    amount: u128,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, RewardsError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return parse_query(b"{}").map_err(RewardsError::InvalidQuery);
    }
    parse_query(data).map_err(RewardsError::InvalidQuery)
}

impl<S: Stake, B: Bank, V: Signers> Rewards<S, B, V> {
    /// What a claim from `candidate` would pay `delegator` now, in whole tokens.
    pub fn pending_at(
        &self,
        state: &impl StateRead,
        delegator: &Address,
        candidate: &Address,
    ) -> Result<u128, RewardsError> {
        let rewards = CANDIDATES.get(state, candidate)?.unwrap_or_default();
        let vote = VOTES.get(state, &(*delegator, *candidate))?;
        let shares = self.stake.shares(state, delegator, candidate).map_err(|e| RewardsError::from_module(&e))?;
        let (index, earned) = vote.map_or((rewards.reward_per_share, 0), |v| (v.index, v.earned_scaled));
        let accrued = mul(shares, rewards.reward_per_share.saturating_sub(index), "pending rewards")?;
        Ok(whole(add(earned, accrued, "pending rewards")?).0)
    }

    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, RewardsError> {
        Ok(match path {
            "params" => query_response(&PARAMS.load(state)?),
            "minter" => query_response(&MINTER.load(state)?),
            "totals" => query_response(&TOTALS.load(state)?),
            "community_pool" => {
                let denom = self.stake.bond_denom(state).map_err(|e| RewardsError::from_module(&e))?;
                query_response(&Amount { amount: self.bank.module_balance(state, COMMUNITY_POOL, &denom)? })
            }
            "pending" => {
                let req: PendingReq = request(data)?;
                let candidates = match req.candidate {
                    Some(candidate) => vec![candidate],
                    None => self.claimable_candidates(state, &req.delegator)?,
                };
                let mut rewards = Vec::new();
                let mut total = 0u128;
                for candidate in candidates {
                    let amount = self.pending_at(state, &req.delegator, &candidate)?;
                    total = add(total, amount, "pending rewards")?;
                    rewards.push(PendingAt { candidate, amount });
                }
                query_response(&Pending { rewards, total })
            }
            "validator" => {
                let req: CandidateReq = request(data)?;
                let rewards = CANDIDATES.get(state, &req.candidate)?.unwrap_or_default();
                query_response(&ValidatorRewardsAnswer {
                    candidate: req.candidate,
                    outstanding: whole(rewards.outstanding_scaled).0,
                    commission: rewards.commission,
                    reward_per_share: rewards.reward_per_share,
                })
            }
            _ => return Err(RewardsError::UnknownQuery { path: path.chars().take(64).collect() }),
        })
    }
}
