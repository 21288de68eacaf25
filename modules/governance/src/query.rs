//! Queries (`governance/<path>`), JSON in and out.
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`crate::Params`] |
//! | `proposal` | `{"proposal"}` | [`crate::Proposal`] |
//! | `proposals` | `{"status"?, "start_after"?, "limit"?}` | [`ProposalPage`]: by id, at most `limit` (1–200, default 50) |
//! | `deposits` | `{"proposal"}` | [`Deposits`]: each depositor's escrowed deposit |
//! | `tally` | `{"proposal"}` | [`TallyAnswer`]: the running tally in the voting period (the same code as the final one), the final tally after |
//! | `vote` | `{"proposal", "voter"}` | [`crate::tally::VoterAnswer`]: the effective vote and where it comes from (voting period only) |
//! | `delegate` | `{"voter"}` | [`DelegateAnswer`]: its delegate, and how many delegate to it |

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use conclave_core::module::{parse_query, query_response};
use conclave_core::{Address, StateRead};

use crate::error::GovernanceError;
use crate::expected::{Bank, Stake};
use crate::proposal::proposal;
use crate::state::{BY_STATUS, DELEGATES, DELEGATORS, DEPOSITS, PARAMS, PROPOSALS};
use crate::types::{Proposal, ProposalStatus, Tally};
use crate::Governance;

/// Largest page of `proposals`.
pub const MAX_PAGE: u32 = 200;
/// Default page of `proposals`.
pub const DEFAULT_PAGE: u32 = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalReq {
    proposal: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalsReq {
    #[serde(default)]
    status: Option<ProposalStatus>,
    #[serde(default)]
    start_after: Option<u64>,
    #[serde(default)]
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoteReq {
    proposal: u64,
    voter: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoterReq {
    voter: Address,
}

/// The `proposals` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalPage {
    /// The proposals, by id.
    pub proposals: Vec<Proposal>,
    /// The `start_after` of the next page, if there is one.
    pub next: Option<u64>,
}

/// One deposit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositAnswer {
    /// The depositor.
    pub depositor: Address,
    /// Tokens escrowed.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub amount: u128,
}

/// The `deposits` answer (empty once the proposal ended: refunded or burned).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposits {
    /// The proposal.
    pub proposal: u64,
    /// By depositor.
    pub deposits: Vec<DepositAnswer>,
    /// Their sum.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub total: u128,
}

/// The `tally` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyAnswer {
    /// The proposal.
    pub proposal: u64,
    /// Its status.
    pub status: ProposalStatus,
    /// Whether this is the final tally (the vote ended).
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The tally (zero before voting starts and for a dropped proposal).
    pub tally: Tally,
}

/// The `delegate` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegateAnswer {
    /// The voter.
    pub voter: Address,
    /// Its governance delegate.
    pub delegate: Option<Address>,
    /// How many voters delegate to it.
    pub delegators: u64,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, GovernanceError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return parse_query(b"{}").map_err(GovernanceError::InvalidQuery);
    }
    parse_query(data).map_err(GovernanceError::InvalidQuery)
}

impl<S: Stake, B: Bank> Governance<S, B> {
    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, GovernanceError> {
        Ok(match path {
            "params" => query_response(&PARAMS.load(state)?),
            "proposal" => {
                let req: ProposalReq = request(data)?;
                query_response(&proposal(state, req.proposal)?)
            }
            "proposals" => {
                let req: ProposalsReq = request(data)?;
                query_response(&proposals(state, req.status, req.start_after, req.limit)?)
            }
            "deposits" => {
                let req: ProposalReq = request(data)?;
                proposal(state, req.proposal)?;
                let mut deposits = Vec::new();
                let mut total = 0u128;
                for entry in DEPOSITS.iter_prefix(state, &req.proposal) {
                    let ((_, depositor), amount) = entry?;
                    total = total.checked_add(amount).ok_or(GovernanceError::Overflow("deposits"))?;
                    deposits.push(DepositAnswer { depositor, amount });
                }
                query_response(&Deposits { proposal: req.proposal, deposits, total })
            }
            "tally" => {
                let req: ProposalReq = request(data)?;
                let p = proposal(state, req.proposal)?;
                let (tally, is_final) = match (p.status, p.final_tally) {
                    (ProposalStatus::VotingPeriod, _) => (self.tally(state, p.id)?, false),
                    (_, Some(tally)) => (tally, true),
                    (status, None) => (Tally::default(), status == ProposalStatus::Dropped),
                };
                query_response(&TallyAnswer { proposal: p.id, status: p.status, is_final, tally })
            }
            "vote" => {
                let req: VoteReq = request(data)?;
                let p = proposal(state, req.proposal)?;
                if p.status != ProposalStatus::VotingPeriod {
                    return Err(GovernanceError::NotVoting { proposal: p.id, status: p.status });
                }
                query_response(&self.effective_vote(state, p.id, &req.voter)?)
            }
            "delegate" => {
                let req: VoterReq = request(data)?;
                let delegators = DELEGATORS.iter_prefix(state, &req.voter).count();
                query_response(&DelegateAnswer {
                    voter: req.voter,
                    delegate: DELEGATES.get(state, &req.voter)?,
                    delegators: u64::try_from(delegators).unwrap_or(u64::MAX),
                })
            }
            _ => return Err(GovernanceError::UnknownQuery { path: path.chars().take(64).collect() }),
        })
    }
}

/// A page of proposals by id, optionally of one status.
pub fn proposals(
    state: &impl StateRead,
    status: Option<ProposalStatus>,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<ProposalPage, GovernanceError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(GovernanceError::InvalidQuery(format!("limit must be 1 to {MAX_PAGE}; it is {limit}")));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let first = start_after.map_or(Some(0), |id| id.checked_add(1));
    let mut out = Vec::new();
    let mut next = None;
    if let Some(first) = first {
        let ids: Box<dyn Iterator<Item = Result<u64, conclave_core::StateError>>> = match status {
            Some(status) => Box::new(
                BY_STATUS
                    .iter_from(state, &(status.code(), first))
                    .take_while(move |e| e.as_ref().map_or(true, |((s, _), ())| *s == status.code()))
                    .map(|e| e.map(|((_, id), ())| id)),
            ),
            None => Box::new(PROPOSALS.iter_from(state, &first).map(|e| e.map(|(id, _)| id))),
        };
        for id in ids {
            let id = id?;
            if out.len() == limit {
                next = out.last().map(|p: &Proposal| p.id);
                break;
            }
            out.push(proposal(state, id)?);
        }
    }
    Ok(ProposalPage { proposals: out, next })
}
