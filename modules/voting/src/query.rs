//! Queries (`voting/<path>`): parameters, and pre-flight checks that answer "may this account
//! do this now, and if not, why and from when?" before a fee is spent. Each pre-flight runs the
//! real operation on a throwaway overlay at the next block (last block time), so its answer is
//! exactly the code a transaction would get.
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`crate::Params`] |
//! | `preflight` | `{"delegator", "msg": <Msg JSON>}` | [`Preflight`] |
//! | `can_vote` | `{"delegator", "candidate", "amount"}` | [`Preflight`] |
//! | `can_undelegate` | `{"delegator", "candidate", "amount"}` | [`Preflight`] |
//! | `can_redelegate` | `{"delegator", "source", "destination", "amount"}` | [`Preflight`] |
//! | `can_cancel` | `{"delegator", "id", "amount"}` | [`Preflight`] |
//!
//! For unbonding lists, vote sets and delegations to a candidate, see staking's queries.

use conclave_core::dry_run::DryRun;
use conclave_core::module::{parse_query, query_response};
use conclave_core::Preflight;
use conclave_core::{Address, StateRead};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::VotingError;
use crate::expected::StakeLedger;
use crate::msg::Msg;
use crate::state::PARAMS;
use crate::Voting;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreflightReq {
    delegator: Address,
    msg: Msg,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountReq {
    delegator: Address,
    candidate: Address,
    #[serde(with = "conclave_core::coin::amount_string")]
    amount: u128,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedelegateReq {
    delegator: Address,
    source: Address,
    destination: Address,
    #[serde(with = "conclave_core::coin::amount_string")]
    amount: u128,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelReq {
    delegator: Address,
    id: u64,
    #[serde(with = "conclave_core::coin::amount_string")]
    amount: u128,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, VotingError> {
    parse_query(data).map_err(VotingError::InvalidQuery)
}

impl<L: StakeLedger> Voting<L> {
    /// Whether `delegator` could execute `msg` in the next block, and if not, why and from when.
    pub fn preflight(&self, state: &impl StateRead, delegator: &Address, msg: &Msg) -> Result<Preflight, VotingError> {
        let at = self.ledger.next_block(state).map_err(|e| VotingError::from_ledger::<L>(&e))?;
        let mut dry = DryRun::new(state);
        let result = crate::msg::validate(msg).and_then(|()| self.run(&mut dry, at, delegator, msg));
        match result {
            Err(VotingError::State(e)) => Err(VotingError::State(e)),
            other => Ok(Preflight::from_result(other, VotingError::earliest_time)),
        }
    }

    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, VotingError> {
        let (delegator, msg) = match path {
            "params" => return Ok(query_response(&PARAMS.load(state)?)),
            "preflight" => {
                let req: PreflightReq = request(data)?;
                (req.delegator, req.msg)
            }
            "can_vote" => {
                let req: AmountReq = request(data)?;
                (req.delegator, Msg::Vote { candidate: req.candidate, amount: req.amount })
            }
            "can_undelegate" => {
                let req: AmountReq = request(data)?;
                (req.delegator, Msg::Undelegate { candidate: req.candidate, amount: req.amount })
            }
            "can_redelegate" => {
                let req: RedelegateReq = request(data)?;
                (
                    req.delegator,
                    Msg::Redelegate { source: req.source, destination: req.destination, amount: req.amount },
                )
            }
            "can_cancel" => {
                let req: CancelReq = request(data)?;
                (req.delegator, Msg::CancelUnbonding { id: req.id, amount: req.amount })
            }
            _ => return Err(VotingError::UnknownQuery { path: path.chars().take(64).collect() }),
        };
        Ok(query_response(&self.preflight(state, &delegator, &msg)?))
    }
}
