//! Staking's genesis section (JSON).
//!
//! Two ways in:
//! - **records** (`candidates`, `vote_sets`, `unbondings`, `redelegations`, `token_history`,
//!   `consensus_keys`, `next_entry_id`, `last_block`): the exact state, as `export` writes it.
//!   Pool balances come from the bank's genesis. Indexes are rebuilt; the result is checked
//!   with [`crate::invariants::check`], so an inconsistent document is refused;
//! - **registrations**: candidates to register at genesis, each bonding its self-bond from its
//!   operator's bank balance (the bank's genesis must run first).
//!
//! Export writes records only, so `init(export(s))` rebuilds `s` key for key (same root).

use conclave_core::{Address, StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::error::StakingError;
use crate::expected::{Bank, ShareHooks};
use crate::msg::CommissionRates;
use crate::params::Params;
use crate::state::*;
use crate::types::{At, Candidate, Description, RedelegationEntry, TokenRecord, UnbondingEntry, Vote};
use crate::Staking;

/// The staking genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Candidate records.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// Vote sets.
    #[serde(default)]
    pub vote_sets: Vec<GenesisVoteSet>,
    /// Unbonding entries.
    #[serde(default)]
    pub unbondings: Vec<UnbondingEntry>,
    /// Redelegation entries.
    #[serde(default)]
    pub redelegations: Vec<RedelegationEntry>,
    /// Token history points.
    #[serde(default)]
    pub token_history: Vec<GenesisTokenRecord>,
    /// The registry of every consensus key ever used.
    #[serde(default)]
    pub consensus_keys: Vec<GenesisConsensusKey>,
    /// Next entry id (0: start at 1).
    #[serde(default)]
    pub next_entry_id: u64,
    /// The last block staking saw.
    #[serde(default)]
    pub last_block: Option<At>,
    /// Candidates to register at genesis (applied after the records).
    #[serde(default)]
    pub registrations: Vec<GenesisRegistration>,
}

/// One delegator's vote set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisVoteSet {
    /// The delegator.
    pub delegator: Address,
    /// Its votes, by candidate.
    pub votes: Vec<Vote>,
}

/// One token history point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisTokenRecord {
    /// The candidate.
    pub candidate: Address,
    /// The height.
    pub height: u64,
    /// Time and tokens.
    pub record: TokenRecord,
}

/// One registered consensus key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisConsensusKey {
    /// The key (hex).
    #[serde(with = "crate::types::hex_key")]
    pub key: [u8; 32],
    /// The operator that used it.
    pub operator: Address,
}

/// A candidate registered at genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisRegistration {
    /// The operator account (must hold the self-bond in the bank genesis).
    pub operator: Address,
    /// Its consensus key (hex).
    #[serde(with = "crate::types::hex_key")]
    pub consensus_key: [u8; 32],
    /// Commission.
    pub commission: CommissionRates,
    /// Description.
    pub description: Description,
    /// Self-bond.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub self_bond: u128,
}

fn invalid(message: impl Into<String>) -> StakingError {
    StakingError::InvalidGenesis(message.into())
}

pub(crate) fn init<B: Bank, H: ShareHooks>(
    staking: &Staking<B, H>,
    state: &mut impl StateWrite,
    g: &Genesis,
) -> Result<(), StakingError> {
    g.params.validate().map_err(invalid)?;
    if PARAMS.get(state)?.is_some() {
        return Err(invalid("staking state already exists; run genesis on a fresh state"));
    }
    PARAMS.put(state, &g.params)?;
    for c in &g.candidates {
        if CANDIDATES.contains(state, &c.operator)? {
            return Err(invalid(format!("candidate {} listed twice", c.operator)));
        }
        CANDIDATES.put(state, &c.operator, c)?;
        STATUS_INDEX.put(state, &(c.status.code(), c.operator), &())?;
        let power = g.params.power(c.tokens);
        if c.status.is_eligible() && power > 0 {
            POWER_INDEX.put(state, &(u64::MAX.saturating_sub(power), c.operator), &())?;
        }
    }
    for set in &g.vote_sets {
        if VOTE_SETS.contains(state, &set.delegator)? {
            return Err(invalid(format!("vote set of {} listed twice", set.delegator)));
        }
        VOTE_SETS.put(state, &set.delegator, &crate::types::VoteSet { votes: set.votes.clone() })?;
        for v in &set.votes {
            DELEGATIONS.put(state, &(v.candidate, set.delegator), &v.shares)?;
        }
    }
    for u in &g.unbondings {
        crate::ledger::put_unbonding(state, u)?;
        UNBONDINGS_BY_CANDIDATE.put(state, &(u.candidate, u.creation_height, u.id), &())?;
        UNBONDINGS_BY_DELEGATOR.put(state, &(u.delegator, u.candidate, u.id), &())?;
    }
    for r in &g.redelegations {
        REDELEGATIONS.put(state, &r.id, r)?;
        REDELEGATION_QUEUE.put(state, &(r.completion_time.0, r.id), &())?;
        REDELEGATIONS_BY_SOURCE.put(state, &(r.source, r.creation_height, r.id), &())?;
        REDELEGATIONS_BY_DELEGATOR.put(state, &(r.delegator, r.destination, r.id), &())?;
    }
    for t in &g.token_history {
        TOKEN_HISTORY.put(state, &(t.candidate, t.height), &t.record)?;
    }
    for k in &g.consensus_keys {
        CONSENSUS_KEYS.put(state, &k.key, &k.operator)?;
    }
    if g.next_entry_id != 0 {
        NEXT_ENTRY_ID.put(state, &g.next_entry_id)?;
    }
    if let Some(at) = g.last_block {
        LAST_BLOCK.put(state, &at)?;
    }
    let max_id = g.unbondings.iter().map(|u| u.id).chain(g.redelegations.iter().map(|r| r.id)).max();
    if max_id.is_some_and(|m| m >= g.next_entry_id.max(1)) {
        return Err(invalid("next_entry_id must exceed every entry id"));
    }
    crate::invariants::check(state, &staking.bank).map_err(invalid)?;
    for (i, r) in g.registrations.iter().enumerate() {
        staking
            .register(
                state,
                At::GENESIS,
                &r.operator,
                None,
                &r.consensus_key,
                &r.commission,
                &r.description,
                r.self_bond,
            )
            .map_err(|e| invalid(format!("registrations[{i}] ({}): {e}", r.operator)))?;
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, StakingError> {
    let collect_err = |e: conclave_core::StateError| StakingError::State(e);
    Ok(Genesis {
        params: PARAMS.load(state)?,
        candidates: CANDIDATES.iter(state).map(|r| r.map(|(_, c)| c)).collect::<Result<_, _>>().map_err(collect_err)?,
        vote_sets: VOTE_SETS
            .iter(state)
            .map(|r| r.map(|(delegator, set)| GenesisVoteSet { delegator, votes: set.votes }))
            .collect::<Result<_, _>>()?,
        unbondings: UNBONDINGS.iter(state).map(|r| r.map(|(_, u)| u)).collect::<Result<_, _>>()?,
        redelegations: REDELEGATIONS.iter(state).map(|r| r.map(|(_, x)| x)).collect::<Result<_, _>>()?,
        token_history: TOKEN_HISTORY
            .iter(state)
            .map(|r| r.map(|((candidate, height), record)| GenesisTokenRecord { candidate, height, record }))
            .collect::<Result<_, _>>()?,
        consensus_keys: CONSENSUS_KEYS
            .iter(state)
            .map(|r| r.map(|(key, operator)| GenesisConsensusKey { key, operator }))
            .collect::<Result<_, _>>()?,
        next_entry_id: NEXT_ENTRY_ID.get(state)?.unwrap_or(0),
        last_block: LAST_BLOCK.get(state)?,
        registrations: Vec::new(),
    })
}
