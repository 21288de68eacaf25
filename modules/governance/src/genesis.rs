//! Governance's genesis section: parameters and (from an export) every proposal, deposit,
//! vote, delegation and snapshot record. `init(export(s))` rebuilds `s` key for key: the
//! status index and both queues are derived from the proposals.
//!
//! ```json
//! { "params": { ... }, "next_proposal_id": 1, "proposals": [ ... ],
//!   "deposits": [ { "proposal": 1, "depositor": "<hex>", "amount": "10" } ],
//!   "votes": [ { "proposal": 1, "voter": "<hex>", "option": "yes" } ],
//!   "delegations": [ { "delegator": "<hex>", "delegate": "<hex>" } ],
//!   "snapshot_candidates": [ { "proposal": 1, "candidate": "<hex>", "tokens": "..", "shares": ".." } ],
//!   "snapshot_shares": [ { "proposal": 1, "voter": "<hex>", "candidate": "<hex>", "shares": ".." } ] }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use conclave_core::{Address, StateRead, StateWrite};

use crate::error::GovernanceError;
use crate::expected::{Bank, Stake};
use crate::params::Params;
use crate::state::*;
use crate::types::{CandidateSnapshot, Proposal, ProposalStatus, VoteOption};
use crate::{authority_address, Governance};

/// The governance genesis section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// The next proposal id (above every proposal's).
    #[serde(default = "one")]
    pub next_proposal_id: u64,
    /// Proposals (from an export).
    #[serde(default)]
    pub proposals: Vec<Proposal>,
    /// Deposits of live proposals.
    #[serde(default)]
    pub deposits: Vec<GenesisDeposit>,
    /// Votes of proposals in their voting period.
    #[serde(default)]
    pub votes: Vec<GenesisVote>,
    /// Governance delegations.
    #[serde(default)]
    pub delegations: Vec<GenesisDelegation>,
    /// Candidates snapshotted by proposals in their voting period.
    #[serde(default)]
    pub snapshot_candidates: Vec<GenesisSnapshotCandidate>,
    /// Voters' recorded start shares.
    #[serde(default)]
    pub snapshot_shares: Vec<GenesisSnapshotShares>,
}

fn one() -> u64 {
    1
}

impl Default for Genesis {
    fn default() -> Self {
        Self {
            params: Params::default(),
            next_proposal_id: 1,
            proposals: Vec::new(),
            deposits: Vec::new(),
            votes: Vec::new(),
            delegations: Vec::new(),
            snapshot_candidates: Vec::new(),
            snapshot_shares: Vec::new(),
        }
    }
}

/// A deposit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisDeposit {
    /// The proposal.
    pub proposal: u64,
    /// The depositor.
    pub depositor: Address,
    /// Tokens.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub amount: u128,
}

/// A direct vote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisVote {
    /// The proposal.
    pub proposal: u64,
    /// The voter.
    pub voter: Address,
    /// Its option.
    pub option: VoteOption,
}

/// A governance delegation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisDelegation {
    /// The voter.
    pub delegator: Address,
    /// Its delegate.
    pub delegate: Address,
}

/// A snapshotted candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisSnapshotCandidate {
    /// The proposal.
    pub proposal: u64,
    /// The candidate.
    pub candidate: Address,
    /// Tokens at voting start.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
    /// Shares at voting start.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
}

/// A voter's recorded start shares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisSnapshotShares {
    /// The proposal.
    pub proposal: u64,
    /// The voter.
    pub voter: Address,
    /// The candidate.
    pub candidate: Address,
    /// Its shares when voting started.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
}

fn invalid(what: String) -> GovernanceError {
    GovernanceError::InvalidGenesis(what)
}

pub(crate) fn init<S: Stake, B: Bank>(
    governance: &Governance<S, B>,
    state: &mut impl StateWrite,
    g: &Genesis,
) -> Result<(), GovernanceError> {
    g.params.validate().map_err(invalid)?;
    let mut statuses: BTreeMap<u64, ProposalStatus> = BTreeMap::new();
    let mut totals: BTreeMap<u64, u128> = BTreeMap::new();
    for (i, p) in g.proposals.iter().enumerate() {
        if p.id == 0 || p.id >= g.next_proposal_id {
            return Err(invalid(format!(
                "proposals[{i}]: id {} must be 1 to next_proposal_id − 1 ({})",
                p.id, g.next_proposal_id
            )));
        }
        if statuses.insert(p.id, p.status).is_some() {
            return Err(invalid(format!("proposals[{i}]: id {} appears twice", p.id)));
        }
        if p.descriptions.len() != p.messages.len() {
            return Err(invalid(format!("proposals[{i}]: one description per message is required")));
        }
        let voting = p.voting_start.is_some() && p.voting_end.is_some() && p.validators_until.is_some();
        match p.status {
            ProposalStatus::DepositPeriod if p.voting_start.is_some() => {
                return Err(invalid(format!("proposals[{i}]: in its deposit period, so voting_start must be null")));
            }
            ProposalStatus::VotingPeriod if !voting => {
                return Err(invalid(format!(
                    "proposals[{i}]: in its voting period, so voting_start, voting_end and validators_until are required"
                )));
            }
            _ => {}
        }
        totals.insert(p.id, 0);
    }
    let live = |id: u64| statuses.get(&id).is_some_and(|s| s.is_live());
    let voting = |id: u64| statuses.get(&id) == Some(&ProposalStatus::VotingPeriod);
    let mut escrow = 0u128;
    for (i, d) in g.deposits.iter().enumerate() {
        if !live(d.proposal) || d.amount == 0 {
            return Err(invalid(format!(
                "deposits[{i}]: a deposit is positive and for a proposal in its deposit or voting period"
            )));
        }
        if DEPOSITS.contains(state, &(d.proposal, d.depositor))? {
            return Err(invalid(format!("deposits[{i}]: {} deposits twice to {}", d.depositor, d.proposal)));
        }
        DEPOSITS.put(state, &(d.proposal, d.depositor), &d.amount)?;
        let total = totals.entry(d.proposal).or_insert(0);
        *total = total.checked_add(d.amount).ok_or(GovernanceError::Overflow("deposits"))?;
        escrow = escrow.checked_add(d.amount).ok_or(GovernanceError::Overflow("deposits"))?;
    }
    for (i, p) in g.proposals.iter().enumerate() {
        let held = if p.status.is_live() { totals.get(&p.id).copied().unwrap_or(0) } else { p.total_deposit };
        if held != p.total_deposit {
            return Err(invalid(format!(
                "proposals[{i}]: total_deposit {} but its deposits sum to {held}",
                p.total_deposit
            )));
        }
        PROPOSALS.put(state, &p.id, p)?;
        BY_STATUS.put(state, &(p.status.code(), p.id), &())?;
        match (p.status, p.voting_end) {
            (ProposalStatus::DepositPeriod, _) => DEPOSIT_QUEUE.put(state, &(p.deposit_end.0, p.id), &())?,
            (ProposalStatus::VotingPeriod, Some(end)) => VOTING_QUEUE.put(state, &(end.0, p.id), &())?,
            _ => {}
        }
    }
    for (i, v) in g.votes.iter().enumerate() {
        if !voting(v.proposal) {
            return Err(invalid(format!("votes[{i}]: proposal {} is not in its voting period", v.proposal)));
        }
        VOTES.put(state, &(v.proposal, v.voter), &v.option)?;
    }
    for (i, d) in g.delegations.iter().enumerate() {
        if d.delegator == d.delegate || DELEGATES.contains(state, &d.delegator)? {
            return Err(invalid(format!(
                "delegations[{i}]: a voter has at most one delegate, never itself ({})",
                d.delegator
            )));
        }
        DELEGATES.put(state, &d.delegator, &d.delegate)?;
        DELEGATORS.put(state, &(d.delegate, d.delegator), &())?;
    }
    for (i, c) in g.snapshot_candidates.iter().enumerate() {
        if !voting(c.proposal) {
            return Err(invalid(format!(
                "snapshot_candidates[{i}]: proposal {} is not in its voting period",
                c.proposal
            )));
        }
        SNAPSHOT_CANDIDATES.put(
            state,
            &(c.proposal, c.candidate),
            &CandidateSnapshot { tokens: c.tokens, shares: c.shares },
        )?;
    }
    for (i, s) in g.snapshot_shares.iter().enumerate() {
        if !SNAPSHOT_CANDIDATES.contains(state, &(s.proposal, s.candidate))? {
            return Err(invalid(format!(
                "snapshot_shares[{i}]: proposal {} did not snapshot candidate {}",
                s.proposal, s.candidate
            )));
        }
        SNAPSHOT_SHARES.put(state, &(s.proposal, s.voter, s.candidate), &s.shares)?;
    }
    PARAMS.put(state, &g.params)?;
    NEXT_PROPOSAL_ID.put(state, &g.next_proposal_id)?;
    // The bank's genesis comes first: the escrow must hold exactly the live deposits.
    let denom = governance.denom(state)?;
    let held = governance.bank.balance(state, &authority_address(), &denom)?;
    if held != escrow {
        return Err(invalid(format!(
            "the governance account holds {held}{denom} but the deposits sum to {escrow}: \
             give it exactly the deposits in the bank's genesis"
        )));
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, GovernanceError> {
    let proposals = PROPOSALS.iter(state).map(|e| e.map(|(_, p)| p)).collect::<Result<Vec<_>, _>>()?;
    let deposits = DEPOSITS
        .iter(state)
        .map(|e| e.map(|((proposal, depositor), amount)| GenesisDeposit { proposal, depositor, amount }))
        .collect::<Result<Vec<_>, _>>()?;
    let votes = VOTES
        .iter(state)
        .map(|e| e.map(|((proposal, voter), option)| GenesisVote { proposal, voter, option }))
        .collect::<Result<Vec<_>, _>>()?;
    let delegations = DELEGATES
        .iter(state)
        .map(|e| e.map(|(delegator, delegate)| GenesisDelegation { delegator, delegate }))
        .collect::<Result<Vec<_>, _>>()?;
    let snapshot_candidates = SNAPSHOT_CANDIDATES
        .iter(state)
        .map(|e| {
            e.map(|((proposal, candidate), s)| GenesisSnapshotCandidate {
                proposal,
                candidate,
                tokens: s.tokens,
                shares: s.shares,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let snapshot_shares = SNAPSHOT_SHARES
        .iter(state)
        .map(|e| {
            e.map(|((proposal, voter, candidate), shares)| GenesisSnapshotShares { proposal, voter, candidate, shares })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Genesis {
        params: PARAMS.load(state)?,
        next_proposal_id: NEXT_PROPOSAL_ID.get(state)?.unwrap_or(1),
        proposals,
        deposits,
        votes,
        delegations,
        snapshot_candidates,
        snapshot_shares,
    })
}
