//! Queries: JSON in, JSON out, at paths relative to the module (`staking/<path>`).
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`Params`] |
//! | `candidate` | `{"candidate"}` | [`CandidateInfo`] |
//! | `candidates_by_status` | `{"status", "start_after"?, "limit"?}` | [`Page`] of [`CandidateInfo`], by operator |
//! | `candidates_by_power` | `{"start_after"?: {"power","candidate"}, "limit"?}` | [`Page`] of [`CandidateInfo`], power descending |
//! | `vote_set` | `{"delegator"}` | `[VoteInfo]` |
//! | `delegations` | `{"candidate", "start_after"?, "limit"?}` | [`Page`] of [`DelegationInfo`], by delegator |
//! | `unbondings` | `{"delegator"}` | `[UnbondingEntry]` |
//! | `redelegations` | `{"delegator"}` | `[RedelegationEntry]` |
//! | `pools` | `{}` | [`Pools`] |
//! | `key_owner` | `{"key"}` | operator address or `null` |
//! | `can_edit` | `{"candidate", "commission_rate_ppb"?, "description"?}` | [`Preflight`] |
//! | `can_unjail` | `{"candidate"}` | [`Preflight`] |
//!
//! Pages hold at most `limit` items (default 50, at most 200); `next` is the cursor to pass as
//! `start_after` for the following page, absent on the last page.

use conclave_core::module::{parse_query, query_response};
use conclave_core::{Address, StateRead};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::StakingError;
use crate::expected::{Bank, ShareHooks};
use crate::ledger::{candidate, params, self_bond, shares_value};
use crate::state::*;
use crate::types::{At, Candidate, Description, RatePpb, RedelegationEntry, Status, UnbondingEntry};
use crate::{Staking, BONDED_POOL, UNBONDED_POOL, UNBONDING_POOL};
use conclave_core::dry_run::DryRun;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 200;

/// A candidate with derived figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateInfo {
    /// The record.
    pub candidate: Candidate,
    /// Consensus power (`tokens / power_reduction`).
    pub power: u64,
    /// The operator's own stake.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub self_bond: u128,
}

/// One page of a paginated listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T, C> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor of the next page (`start_after`), absent on the last page.
    pub next: Option<C>,
}

/// Cursor of `candidates_by_power`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerCursor {
    /// Power of the last item seen.
    pub power: u64,
    /// Its operator.
    pub candidate: Address,
}

/// One entry of a vote set, with its current value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteInfo {
    /// The candidate.
    pub candidate: Address,
    /// Shares held.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
    /// What they are worth now (rounded down).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
}

/// One delegation to a candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationInfo {
    /// The delegator.
    pub delegator: Address,
    /// Shares held.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
    /// What they are worth now (rounded down).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
}

/// Pool balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pools {
    /// Bonded pool (active candidates).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub bonded: u128,
    /// Unbonded pool (other candidates).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub unbonded: u128,
    /// Unbonding pool (unbonding entries).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub unbonding: u128,
}

/// The answer of a pre-flight query (defined in core, shared by every module's pre-flights).
pub use conclave_core::Preflight;

impl StakingError {
    /// The earliest block time (ns) at which a time rule stops refusing, for time-based errors.
    pub fn earliest_time(&self) -> Option<u64> {
        match self {
            StakingError::CommissionChangeTooSoon { earliest } => Some(*earliest),
            StakingError::RedelegationLocked { earliest, .. } => Some(*earliest),
            StakingError::StillJailed { until, .. } => Some(*until),
            _ => None,
        }
    }
}

/// The block a pre-flight dry run pretends to execute in: the block after the last one staking
/// saw, at the same time (the next block's time is not known yet).
pub fn next_block(state: &impl StateRead) -> Result<At, StakingError> {
    let last = LAST_BLOCK.get(state)?.unwrap_or(At::GENESIS);
    Ok(At { height: last.height.saturating_add(1), time: last.time })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CandidateReq {
    candidate: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusReq {
    status: Status,
    start_after: Option<Address>,
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PowerReq {
    start_after: Option<PowerCursor>,
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelegatorReq {
    delegator: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DelegationsReq {
    candidate: Address,
    start_after: Option<Address>,
    limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyReq {
    #[serde(with = "crate::types::hex_key")]
    key: [u8; 32],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanUnjailReq {
    candidate: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanEditReq {
    candidate: Address,
    commission_rate_ppb: Option<RatePpb>,
    description: Option<Description>,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, StakingError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return parse_query(b"{}").map_err(StakingError::InvalidQuery);
    }
    parse_query(data).map_err(StakingError::InvalidQuery)
}

fn limit(requested: Option<u32>) -> usize {
    usize::try_from(requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)).unwrap_or(50)
}

/// A candidate with its power and self-bond.
pub fn candidate_info(state: &impl StateRead, operator: &Address) -> Result<CandidateInfo, StakingError> {
    let c = candidate(state, operator)?;
    let power = params(state)?.power(c.tokens);
    let self_bond = self_bond(state, &c)?;
    Ok(CandidateInfo { candidate: c, power, self_bond })
}

/// Eligible candidates by power, descending, after `start_after`: what the rotation module
/// reads to elect the top N (never scans delegators).
pub fn candidates_by_power(
    state: &impl StateRead,
    start_after: Option<&PowerCursor>,
    limit: usize,
) -> Result<Vec<(u64, Address)>, StakingError> {
    let iter = match start_after {
        Some(cursor) => POWER_INDEX.iter_from(state, &(u64::MAX.saturating_sub(cursor.power), cursor.candidate)),
        None => POWER_INDEX.iter(state),
    };
    let mut out = Vec::new();
    for item in iter {
        let ((inverted, op), ()) = item?;
        let power = u64::MAX.saturating_sub(inverted);
        if start_after.is_some_and(|c| c.power == power && c.candidate == op) {
            continue;
        }
        out.push((power, op));
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// Every `(delegator, candidate, shares)` of the ledger: for invariant checks of modules that
/// account per share (tests only; it reads every delegation).
pub fn all_holdings(state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, StakingError> {
    let mut out = Vec::new();
    for entry in DELEGATIONS.iter(state) {
        let ((candidate, delegator), shares) = entry?;
        out.push((delegator, candidate, shares));
    }
    Ok(out)
}

/// Every candidate with `status`, by operator (from the status index; never scans others).
pub fn candidates_with_status(state: &impl StateRead, status: Status) -> Result<Vec<Candidate>, StakingError> {
    let code = status.code();
    let mut out = Vec::new();
    for item in STATUS_INDEX.iter_prefix(state, &code) {
        let ((_, operator), ()) = item?;
        out.push(candidate(state, &operator)?);
    }
    Ok(out)
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, StakingError> {
        let response = match path {
            "params" => query_response(&params(state)?),
            "candidate" => {
                let req: CandidateReq = request(data)?;
                query_response(&candidate_info(state, &req.candidate)?)
            }
            "candidates_by_status" => {
                let req: StatusReq = request(data)?;
                let n = limit(req.limit);
                let code = req.status.code();
                let iter = match req.start_after {
                    Some(after) => STATUS_INDEX.iter_from(state, &(code, after)),
                    None => STATUS_INDEX.iter_prefix(state, &code),
                };
                let mut items = Vec::new();
                for item in iter {
                    let ((s, op), ()) = item?;
                    if s != code {
                        break;
                    }
                    if req.start_after == Some(op) {
                        continue;
                    }
                    items.push(candidate_info(state, &op)?);
                    if items.len() >= n {
                        break;
                    }
                }
                let next = (items.len() >= n).then(|| items.last().map(|i| i.candidate.operator)).flatten();
                query_response(&Page { items, next })
            }
            "candidates_by_power" => {
                let req: PowerReq = request(data)?;
                let n = limit(req.limit);
                let found = candidates_by_power(state, req.start_after.as_ref(), n)?;
                let next = (found.len() >= n)
                    .then(|| {
                        found.last().map(|(power, candidate)| PowerCursor { power: *power, candidate: *candidate })
                    })
                    .flatten();
                let items = found.iter().map(|(_, op)| candidate_info(state, op)).collect::<Result<Vec<_>, _>>()?;
                query_response(&Page { items, next })
            }
            "vote_set" => {
                let req: DelegatorReq = request(data)?;
                let set = crate::ledger::vote_set(state, &req.delegator)?;
                let mut out = Vec::new();
                for v in set.votes {
                    let c = candidate(state, &v.candidate)?;
                    out.push(VoteInfo {
                        candidate: v.candidate,
                        shares: v.shares,
                        tokens: shares_value(&c, v.shares)?,
                    });
                }
                query_response(&out)
            }
            "delegations" => {
                let req: DelegationsReq = request(data)?;
                let n = limit(req.limit);
                let c = candidate(state, &req.candidate)?;
                let iter = match req.start_after {
                    Some(after) => DELEGATIONS.iter_from(state, &(req.candidate, after)),
                    None => DELEGATIONS.iter_prefix(state, &req.candidate),
                };
                let mut items = Vec::new();
                for item in iter {
                    let ((cand, delegator), shares) = item?;
                    if cand != req.candidate {
                        break;
                    }
                    if req.start_after == Some(delegator) {
                        continue;
                    }
                    items.push(DelegationInfo { delegator, shares, tokens: shares_value(&c, shares)? });
                    if items.len() >= n {
                        break;
                    }
                }
                let next = (items.len() >= n).then(|| items.last().map(|i| i.delegator)).flatten();
                query_response(&Page { items, next })
            }
            "unbondings" => {
                let req: DelegatorReq = request(data)?;
                let mut out: Vec<UnbondingEntry> = Vec::new();
                for item in UNBONDINGS_BY_DELEGATOR.iter_prefix(state, &req.delegator) {
                    let ((_, _, id), ()) = item?;
                    out.extend(UNBONDINGS.get(state, &id)?);
                }
                query_response(&out)
            }
            "redelegations" => {
                let req: DelegatorReq = request(data)?;
                let mut out: Vec<RedelegationEntry> = Vec::new();
                for item in REDELEGATIONS_BY_DELEGATOR.iter_prefix(state, &req.delegator) {
                    let ((_, _, id), ()) = item?;
                    out.extend(REDELEGATIONS.get(state, &id)?);
                }
                query_response(&out)
            }
            "pools" => {
                let denom = params(state)?.bond_denom;
                let bal = |pool: &str| self.bank.balance(state, &Address::module(pool), &denom);
                query_response(&Pools {
                    bonded: bal(BONDED_POOL)?,
                    unbonded: bal(UNBONDED_POOL)?,
                    unbonding: bal(UNBONDING_POOL)?,
                })
            }
            "key_owner" => {
                let req: KeyReq = request(data)?;
                query_response(&CONSENSUS_KEYS.get(state, &req.key)?)
            }
            "can_edit" => {
                let req: CanEditReq = request(data)?;
                let at = next_block(state)?;
                let mut dry = DryRun::new(state);
                let result = self.edit(&mut dry, at, &req.candidate, req.description.as_ref(), req.commission_rate_ppb);
                let result = match result {
                    Err(StakingError::State(e)) => return Err(StakingError::State(e)),
                    other => other,
                };
                query_response(&Preflight::from_result(result, StakingError::earliest_time))
            }
            "can_unjail" => {
                let req: CanUnjailReq = request(data)?;
                let at = next_block(state)?;
                let mut dry = DryRun::new(state);
                let result = match self.unjail(&mut dry, at, &req.candidate) {
                    Err(StakingError::State(e)) => return Err(StakingError::State(e)),
                    other => other,
                };
                query_response(&Preflight::from_result(result, StakingError::earliest_time))
            }
            _ => return Err(StakingError::UnknownQuery { path: path.chars().take(64).collect() }),
        };
        Ok(response)
    }
}
