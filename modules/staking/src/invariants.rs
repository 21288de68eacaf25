//! Staking's invariants, checked by tests after every step (never on chain: O(state)).
//!
//! 1. bonded pool balance = Σ tokens of active candidates; unbonded pool = Σ tokens of all
//!    other candidates; unbonding pool = Σ balances of unbonding entries;
//! 2. each candidate's shares = Σ of its delegators' shares (reverse index), and the reverse
//!    index equals the vote sets entry for entry; no zero shares, no empty vote set;
//! 3. the status index lists every candidate under its status; the power index lists exactly
//!    the eligible candidates with power > 0 under their power;
//! 4. every unbonding / redelegation entry is in its queue and indexes (and nothing else is),
//!    unbonding balances are positive and at most the initial balance;
//! 5. every candidate's current and pending consensus key is in the key registry.

use std::collections::BTreeMap;

use conclave_core::{Address, StateRead};

use crate::expected::Bank;
use crate::state::*;
use crate::types::Status;
use crate::{BONDED_POOL, UNBONDED_POOL, UNBONDING_POOL};

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// Checks the invariants; the error describes the first violation found.
pub fn check(state: &impl StateRead, bank: &impl Bank) -> Result<(), String> {
    let Some(params) = PARAMS.get(state).map_err(e)? else {
        return Ok(());
    };
    let (mut bonded, mut unbonded, mut unbonding) = (0u128, 0u128, 0u128);
    let mut candidates = BTreeMap::new();
    for item in CANDIDATES.iter(state) {
        let (op, c) = item.map_err(e)?;
        if c.operator != op {
            return Err(format!("candidate stored under {op} names operator {}", c.operator));
        }
        let sum = if c.status == Status::Active { &mut bonded } else { &mut unbonded };
        *sum = sum.checked_add(c.tokens).ok_or("candidate tokens overflow")?;
        if !STATUS_INDEX.contains(state, &(c.status.code(), op)).map_err(e)? {
            return Err(format!("candidate {op} missing from the status index under {}", c.status));
        }
        let power = params.power(c.tokens);
        let indexed = c.status.is_eligible() && power > 0;
        if indexed != POWER_INDEX.contains(state, &(u64::MAX.saturating_sub(power), op)).map_err(e)? {
            return Err(format!("power index wrong for {op} (status {}, power {power})", c.status));
        }
        for key in std::iter::once(c.consensus_key).chain(c.pending_consensus_key) {
            if CONSENSUS_KEYS.get(state, &key).map_err(e)? != Some(op) {
                return Err(format!("consensus key of {op} is not registered to it"));
            }
        }
        let mut shares = 0u128;
        for item in DELEGATIONS.iter_prefix(state, &op) {
            let ((_, delegator), s) = item.map_err(e)?;
            if s == 0 {
                return Err(format!("zero shares stored for {delegator} at {op}"));
            }
            if crate::ledger::vote_set(state, &delegator).map_err(e)?.shares(&op) != s {
                return Err(format!("vote set of {delegator} disagrees with the reverse index at {op}"));
            }
            shares = shares.checked_add(s).ok_or("shares overflow")?;
        }
        if shares != c.shares {
            return Err(format!("candidate {op} has {} shares but its delegators hold {shares}", c.shares));
        }
        candidates.insert(op, c);
    }
    if STATUS_INDEX.iter(state).count() != candidates.len() {
        return Err("status index has entries for no candidate".into());
    }
    let eligible = candidates.values().filter(|c| c.status.is_eligible() && params.power(c.tokens) > 0).count();
    if POWER_INDEX.iter(state).count() != eligible {
        return Err("power index has stale entries".into());
    }
    let mut vote_entries = 0usize;
    for item in VOTE_SETS.iter(state) {
        let (delegator, set) = item.map_err(e)?;
        if set.votes.is_empty() {
            return Err(format!("empty vote set stored for {delegator}"));
        }
        let mut last: Option<Address> = None;
        for v in &set.votes {
            if v.shares == 0 || last.is_some_and(|l| l >= v.candidate) || !candidates.contains_key(&v.candidate) {
                return Err(format!("vote set of {delegator} is unsorted, has zero shares or an unknown candidate"));
            }
            last = Some(v.candidate);
        }
        vote_entries = vote_entries.saturating_add(set.votes.len());
    }
    if DELEGATIONS.iter(state).count() != vote_entries {
        return Err("reverse index and vote sets have different sizes".into());
    }
    let mut count = 0usize;
    for item in UNBONDINGS.iter(state) {
        let (id, u) = item.map_err(e)?;
        if u.id != id || u.balance == 0 || u.balance > u.initial_balance {
            return Err(format!("unbonding {id} has a bad id or balance"));
        }
        if UNBONDING_QUEUE.get(state, &(u.completion_time.0, id)).map_err(e)?.as_ref() != Some(&u) {
            return Err(format!("unbonding {id}'s queue copy is missing or differs from the entry"));
        }
        let indexed = UNBONDINGS_BY_CANDIDATE.contains(state, &(u.candidate, u.creation_height, id)).map_err(e)?
            && UNBONDINGS_BY_DELEGATOR.contains(state, &(u.delegator, u.candidate, id)).map_err(e)?;
        if !indexed {
            return Err(format!("unbonding {id} is missing from an index"));
        }
        unbonding = unbonding.checked_add(u.balance).ok_or("unbonding overflow")?;
        count = count.saturating_add(1);
    }
    for n in [UNBONDING_QUEUE.iter(state).count(), UNBONDINGS_BY_CANDIDATE.iter(state).count()] {
        if n != count {
            return Err("unbonding indexes have stale entries".into());
        }
    }
    if UNBONDINGS_BY_DELEGATOR.iter(state).count() != count {
        return Err("unbonding delegator index has stale entries".into());
    }
    let mut count = 0usize;
    for item in REDELEGATIONS.iter(state) {
        let (id, r) = item.map_err(e)?;
        let indexed = r.id == id
            && REDELEGATION_QUEUE.contains(state, &(r.completion_time.0, id)).map_err(e)?
            && REDELEGATIONS_BY_SOURCE.contains(state, &(r.source, r.creation_height, id)).map_err(e)?
            && REDELEGATIONS_BY_DELEGATOR.contains(state, &(r.delegator, r.destination, id)).map_err(e)?;
        if !indexed {
            return Err(format!("redelegation {id} is missing from an index"));
        }
        count = count.saturating_add(1);
    }
    for n in [
        REDELEGATION_QUEUE.iter(state).count(),
        REDELEGATIONS_BY_SOURCE.iter(state).count(),
        REDELEGATIONS_BY_DELEGATOR.iter(state).count(),
    ] {
        if n != count {
            return Err("redelegation indexes have stale entries".into());
        }
    }
    for (pool, expected) in [(BONDED_POOL, bonded), (UNBONDED_POOL, unbonded), (UNBONDING_POOL, unbonding)] {
        let held = bank.balance(state, &Address::module(pool), &params.bond_denom).map_err(e)?;
        if held != expected {
            return Err(format!("pool {pool} holds {held} but the ledger says {expected}"));
        }
    }
    Ok(())
}
