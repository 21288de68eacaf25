//! Rewards' invariants, checked by tests after every block (never on chain):
//! 1. **conservation (I6)**: `minted + fees = paid + rewards pool + community pool`;
//! 2. **solvency**: the rewards pool holds exactly what is owed, in scaled units:
//!    `pool × SCALE = Σ outstanding_scaled + Σ earned_scaled + Σ commission × SCALE + dust`,
//!    with `dust < SCALE`;
//! 3. **coverage**: each candidate's `outstanding_scaled` is what its current holders are owed,
//!    `Σ shares × (reward_per_share − index)` over its holders, each of which has a record.

use std::collections::BTreeMap;

use conclave_core::{Address, StateRead};

use crate::expected::{Bank, Stake};
use crate::state::{CANDIDATES, TOTALS, VOTES};
use crate::types::SCALE;
use crate::{COMMUNITY_POOL, REWARDS_POOL};

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

fn m<E: conclave_core::ModuleError>(err: E) -> String {
    err.to_string()
}

/// Checks the invariants; `holders` lists every (delegator, candidate, shares) of the stake
/// module (the caller reads it: rewards keeps no copy). The error describes the first
/// violation found.
pub fn check(
    stake: &impl Stake,
    bank: &impl Bank,
    state: &impl StateRead,
    holders: &[(Address, Address, u128)],
) -> Result<(), String> {
    let Some(totals) = TOTALS.get(state).map_err(e)? else {
        return Ok(());
    };
    let denom = stake.bond_denom(state).map_err(m)?;
    let pool = bank.module_balance(state, REWARDS_POOL, &denom).map_err(e)?;
    let community = bank.module_balance(state, COMMUNITY_POOL, &denom).map_err(e)?;
    let came_in = totals.minted.checked_add(totals.fees).ok_or("totals overflow")?;
    let accounted = totals.paid.checked_add(pool).and_then(|a| a.checked_add(community)).ok_or("totals overflow")?;
    if came_in != accounted {
        return Err(format!(
            "minted {} + fees {} ≠ paid {} + rewards pool {pool} + community pool {community}",
            totals.minted, totals.fees, totals.paid
        ));
    }

    let mut owed = totals.dust_scaled;
    if totals.dust_scaled >= SCALE {
        return Err(format!("dust {} is a whole token or more", totals.dust_scaled));
    }
    let mut outstanding: BTreeMap<Address, (u128, u128)> = BTreeMap::new(); // candidate → (recorded, recomputed)
    for entry in CANDIDATES.iter(state) {
        let (candidate, rewards) = entry.map_err(e)?;
        owed = owed
            .checked_add(rewards.outstanding_scaled)
            .and_then(|o| o.checked_add(rewards.commission.checked_mul(SCALE)?))
            .ok_or("owed overflows")?;
        outstanding.insert(candidate, (rewards.outstanding_scaled, 0));
    }
    let mut records: BTreeMap<(Address, Address), (u128, u128)> = BTreeMap::new(); // → (index, earned)
    for entry in VOTES.iter(state) {
        let ((delegator, candidate), vote) = entry.map_err(e)?;
        owed = owed.checked_add(vote.earned_scaled).ok_or("owed overflows")?;
        records.insert((delegator, candidate), (vote.index, vote.earned_scaled));
    }
    if pool.checked_mul(SCALE) != Some(owed) {
        return Err(format!("the rewards pool holds {pool} but {owed} scaled units (10^18 per token) are owed"));
    }

    for (delegator, candidate, shares) in holders {
        if *shares == 0 {
            continue;
        }
        let Some((index, _)) = records.get(&(*delegator, *candidate)) else {
            return Err(format!("{delegator} holds shares of {candidate} but has no rewards record"));
        };
        let per_share = CANDIDATES.get(state, candidate).map_err(e)?.unwrap_or_default().reward_per_share;
        let due = per_share.checked_sub(*index).ok_or("an index is ahead of its candidate")?;
        let slot = outstanding.entry(*candidate).or_insert((0, 0));
        slot.1 = shares.checked_mul(due).and_then(|d| slot.1.checked_add(d)).ok_or("coverage overflows")?;
    }
    for (candidate, (recorded, recomputed)) in outstanding {
        if recorded != recomputed {
            return Err(format!(
                "{candidate}: {recorded} scaled units outstanding, but its holders are owed {recomputed}"
            ));
        }
    }
    Ok(())
}
