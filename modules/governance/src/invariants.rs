//! Governance's invariants, checked by tests after every block (never on chain):
//! 1. **escrow**: the governance account's balance = Σ deposits of live proposals;
//! 2. **deposits**: each live proposal's `total_deposit` = Σ its deposit records; ended
//!    proposals have none;
//! 3. **indexes**: the status index lists every proposal once under its status; the deposit
//!    queue holds exactly the proposals in their deposit period (at `deposit_end`), the voting
//!    queue those in their voting period (at `voting_end`);
//! 4. **voting records**: votes and snapshots exist only for proposals in their voting period;
//! 5. **delegation**: [`DELEGATES`] and [`DELEGATORS`] agree, nobody delegates to itself;
//! 6. **snapshot adds up**: for every voting proposal and snapshotted candidate, the voters'
//!    start shares sum to the candidate's snapshotted shares (so nothing is counted twice).

use std::collections::{BTreeMap, BTreeSet};

use conclave_core::{Address, StateRead};

use crate::authority_address;
use crate::expected::{Bank, Stake};
use crate::state::*;
use crate::types::ProposalStatus;

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// Checks the invariants; the error describes the first violation found.
pub fn check(stake: &impl Stake, bank: &impl Bank, state: &impl StateRead) -> Result<(), String> {
    let Some(_) = PARAMS.get(state).map_err(e)? else { return Ok(()) };
    let mut deposits: BTreeMap<u64, u128> = BTreeMap::new();
    let mut escrow = 0u128;
    for entry in DEPOSITS.iter(state) {
        let ((id, _), amount) = entry.map_err(e)?;
        let slot = deposits.entry(id).or_insert(0);
        *slot = slot.checked_add(amount).ok_or("deposits overflow")?;
        escrow = escrow.checked_add(amount).ok_or("deposits overflow")?;
    }
    let denom = stake.bond_denom(state).map_err(e)?;
    let held = bank.balance(state, &authority_address(), &denom).map_err(e)?;
    if held != escrow {
        return Err(format!("the governance account holds {held} but live deposits sum to {escrow}"));
    }
    let mut voting = BTreeSet::new();
    let mut count = 0usize;
    for entry in PROPOSALS.iter(state) {
        let (id, p) = entry.map_err(e)?;
        count = count.saturating_add(1);
        let recorded = deposits.remove(&id).unwrap_or(0);
        if p.status.is_live() && recorded != p.total_deposit {
            return Err(format!("proposal {id}: total_deposit {} but its deposits sum to {recorded}", p.total_deposit));
        }
        if !p.status.is_live() && recorded != 0 {
            return Err(format!("proposal {id} is {} but still has deposits", p.status));
        }
        if !BY_STATUS.contains(state, &(p.status.code(), id)).map_err(e)? {
            return Err(format!("proposal {id} is missing from the status index"));
        }
        let in_deposit_queue = DEPOSIT_QUEUE.contains(state, &(p.deposit_end.0, id)).map_err(e)?;
        if in_deposit_queue != (p.status == ProposalStatus::DepositPeriod) {
            return Err(format!("proposal {id} ({}) and the deposit queue disagree", p.status));
        }
        let in_voting_queue = match p.voting_end {
            Some(end) => VOTING_QUEUE.contains(state, &(end.0, id)).map_err(e)?,
            None => false,
        };
        if in_voting_queue != (p.status == ProposalStatus::VotingPeriod) {
            return Err(format!("proposal {id} ({}) and the voting queue disagree", p.status));
        }
        if p.status == ProposalStatus::VotingPeriod {
            voting.insert(id);
        }
    }
    if let Some((id, _)) = deposits.into_iter().next() {
        return Err(format!("deposits for proposal {id}, which does not exist"));
    }
    let sizes = [
        BY_STATUS.iter(state).count(),
        DEPOSIT_QUEUE.iter(state).count().saturating_add(VOTING_QUEUE.iter(state).count()),
    ];
    if sizes[0] != count {
        return Err(format!("the status index has {} entries for {count} proposals", sizes[0]));
    }
    if sizes[1] > count {
        return Err("the queues hold entries of no proposal".into());
    }
    for entry in VOTES.iter(state) {
        let ((id, voter), _) = entry.map_err(e)?;
        if !voting.contains(&id) {
            return Err(format!("{voter}'s vote on proposal {id}, which is not in its voting period"));
        }
    }
    let mut snapshot: BTreeMap<(u64, Address), (u128, u128)> = BTreeMap::new(); // → (snapshotted, summed)
    for entry in SNAPSHOT_CANDIDATES.iter(state) {
        let ((id, candidate), s) = entry.map_err(e)?;
        if !voting.contains(&id) {
            return Err(format!("a snapshot of {candidate} for proposal {id}, which is not in its voting period"));
        }
        snapshot.insert((id, candidate), (s.shares, 0));
    }
    let mut recorded: BTreeSet<(u64, Address, Address)> = BTreeSet::new();
    for entry in SNAPSHOT_SHARES.iter(state) {
        let ((id, voter, candidate), shares) = entry.map_err(e)?;
        let Some(slot) = snapshot.get_mut(&(id, candidate)) else {
            return Err(format!(
                "recorded shares of {voter} at {candidate} for proposal {id}, which did not snapshot it"
            ));
        };
        slot.1 = slot.1.checked_add(shares).ok_or("snapshot overflow")?;
        recorded.insert((id, voter, candidate));
    }
    let holders = stake.holders(state).map_err(e)?;
    for id in &voting {
        for (voter, candidate, shares) in &holders {
            if recorded.contains(&(*id, *voter, *candidate)) {
                continue;
            }
            if let Some(slot) = snapshot.get_mut(&(*id, *candidate)) {
                slot.1 = slot.1.checked_add(*shares).ok_or("snapshot overflow")?;
            }
        }
    }
    for ((id, candidate), (snapshotted, summed)) in snapshot {
        if snapshotted != summed {
            return Err(format!(
                "proposal {id}: {candidate} had {snapshotted} shares at voting start but its voters' start shares sum to {summed}"
            ));
        }
    }
    for entry in DELEGATES.iter(state) {
        let (delegator, delegate) = entry.map_err(e)?;
        if delegator == delegate {
            return Err(format!("{delegator} delegates to itself"));
        }
        if !DELEGATORS.contains(state, &(delegate, delegator)).map_err(e)? {
            return Err(format!("{delegator} → {delegate} is missing from the delegators index"));
        }
    }
    for entry in DELEGATORS.iter(state) {
        let ((delegate, delegator), ()) = entry.map_err(e)?;
        if DELEGATES.get(state, &delegator).map_err(e)? != Some(delegate) {
            return Err(format!(
                "the delegators index lists {delegator} under {delegate}, its delegate says otherwise"
            ));
        }
    }
    Ok(())
}
