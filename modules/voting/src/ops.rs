//! The delegator-side operations. Each runs on a [`DryRun`] overlay and is applied only when it
//! fully succeeded, so every operation — `set_votes` included — is all-or-nothing even when
//! called outside a transaction, and a failure writes and emits nothing.
//!
//! Voting's own rules, on top of the ledger's (`conclave_staking::ledger`):
//! - a vote set holds at most `max_votes` candidates (an operation that would grow a set past
//!   it is refused; one that does not grow it is allowed, so an operator's self-bond, which
//!   registration always records, never blocks the delegator);
//! - at most `max_entries` pending unbondings per (delegator, candidate), and at most
//!   `max_entries` pending redelegations per (delegator, destination).

use std::collections::BTreeMap;

use conclave_core::{Address, StateRead, StateWrite};
use conclave_staking::dry_run::DryRun;
use conclave_staking::ledger::{pending_redelegations_into, pending_unbondings, stake_of, vote_set};
use conclave_staking::At;

use crate::error::VotingError;
use crate::msg::{Msg, VoteTarget};
use crate::state::PARAMS;
use crate::Voting;

impl Voting {
    /// Executes `msg` for `delegator` in block `at`, all or nothing.
    pub fn apply(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        msg: &Msg,
    ) -> Result<(), VotingError> {
        crate::msg::validate(msg)?;
        let changes = {
            let mut dry = DryRun::new(&*state);
            self.run(&mut dry, at, delegator, msg)?;
            dry.into_changes()
        };
        changes.apply(state)?;
        Ok(())
    }

    /// Runs `msg` on `state` without the all-or-nothing wrapper (used by [`Self::apply`] and
    /// pre-flight queries, both on an overlay).
    pub(crate) fn run(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        msg: &Msg,
    ) -> Result<(), VotingError> {
        let params = PARAMS.load(state)?;
        let before = vote_set(state, delegator)?.votes.len();
        match msg {
            Msg::Vote { candidate, amount } => {
                self.staking.delegate(state, at, delegator, candidate, *amount)?;
            }
            Msg::Unvote { candidate } => {
                conclave_staking::ledger::candidate(state, candidate)?;
                let amount = stake_of(state, delegator, candidate)?;
                if amount == 0 {
                    // Nothing to unbond: drop shares a slash left worthless (refused if none).
                    self.staking.forfeit_worthless_shares(state, at, delegator, candidate)?;
                } else {
                    self.undelegate(state, at, delegator, candidate, amount, params.max_entries)?;
                }
            }
            Msg::Undelegate { candidate, amount } => {
                self.undelegate(state, at, delegator, candidate, *amount, params.max_entries)?;
            }
            Msg::Redelegate { source, destination, amount } => {
                self.redelegate(state, at, delegator, source, destination, *amount, params.max_entries)?;
            }
            Msg::CancelUnbonding { id, amount } => {
                self.staking.cancel_unbonding(state, at, delegator, *id, *amount)?;
            }
            Msg::SetVotes { votes } => {
                if votes.len() > params.max_votes as usize {
                    return Err(VotingError::TooManyVotes { count: votes.len(), max: params.max_votes });
                }
                self.set_votes(state, at, delegator, votes, params.max_entries)?;
            }
        }
        let after = vote_set(state, delegator)?.votes.len();
        if after > params.max_votes as usize && after > before {
            return Err(VotingError::TooManyVotes { count: after, max: params.max_votes });
        }
        Ok(())
    }

    fn undelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
        amount: u128,
        max_entries: u32,
    ) -> Result<(), VotingError> {
        let pending = pending_unbondings(state, delegator, candidate, at.time)?;
        let completions = pending.iter().map(|e| e.completion_time.0);
        check_entry_limit("unbonding", delegator, candidate, completions, max_entries, at)?;
        self.staking.undelegate(state, at, delegator, candidate, amount)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn redelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        source: &Address,
        destination: &Address,
        amount: u128,
        max_entries: u32,
    ) -> Result<(), VotingError> {
        let pending = pending_redelegations_into(state, delegator, destination, at.time)?;
        let completions = pending.iter().map(|e| e.completion_time.0);
        check_entry_limit("redelegation", delegator, destination, completions, max_entries, at)?;
        self.staking.redelegate(state, at, delegator, source, destination, amount)?;
        Ok(())
    }

    /// Replaces the vote set: pairs decreases with increases as redelegations (both in
    /// candidate order), undelegates what is left of the decreases, bonds what is left of the
    /// increases. A decrease's last step takes the live remainder, so a removed candidate loses
    /// every share whatever the rounding of earlier steps.
    fn set_votes(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        targets: &[VoteTarget],
        max_entries: u32,
    ) -> Result<(), VotingError> {
        let wanted: BTreeMap<Address, u128> = targets.iter().map(|t| (t.candidate, t.amount)).collect();
        let current = vote_set(state, delegator)?;
        let mut decreases: Vec<(Address, u128)> = Vec::new();
        let mut increases: Vec<(Address, u128)> = Vec::new();
        let mut values = BTreeMap::new();
        for v in &current.votes {
            values.insert(v.candidate, stake_of(state, delegator, &v.candidate)?);
        }
        for (candidate, value) in &values {
            let target = wanted.get(candidate).copied().unwrap_or(0);
            if target < *value {
                decreases.push((*candidate, value.saturating_sub(target)));
            }
        }
        for (candidate, target) in &wanted {
            let value = values.get(candidate).copied().unwrap_or(0);
            if *target > value {
                increases.push((*candidate, target.saturating_sub(value)));
            }
        }
        let mut inc = increases.into_iter().peekable();
        let mut inc_left: Option<(Address, u128)> = inc.next();
        for (source, planned) in decreases {
            let target = wanted.get(&source).copied().unwrap_or(0);
            let mut left = planned;
            while left > 0 {
                let Some((destination, need)) = inc_left else { break };
                let live = stake_of(state, delegator, &source)?.saturating_sub(target);
                let amount = left.min(need).min(live);
                if amount == 0 {
                    break;
                }
                self.redelegate(state, at, delegator, &source, &destination, amount, max_entries)?;
                left = left.saturating_sub(amount);
                let need = need.saturating_sub(amount);
                inc_left = if need == 0 { inc.next() } else { Some((destination, need)) };
            }
            let live = stake_of(state, delegator, &source)?.saturating_sub(target);
            if live > 0 {
                self.undelegate(state, at, delegator, &source, live, max_entries)?;
            }
        }
        while let Some((candidate, need)) = inc_left {
            self.staking.delegate(state, at, delegator, &candidate, need)?;
            inc_left = inc.next();
        }
        Ok(())
    }
}

/// Reads the voting parameters.
pub fn params(state: &impl StateRead) -> Result<crate::Params, conclave_core::StateError> {
    PARAMS.load(state)
}

/// Refuses a new `kind` entry when `max_entries` are already pending for (delegator,
/// candidate); the error names the earliest pending completion, when a slot frees up.
fn check_entry_limit(
    kind: &'static str,
    delegator: &Address,
    candidate: &Address,
    pending_completions: impl ExactSizeIterator<Item = u64>,
    max_entries: u32,
    at: At,
) -> Result<(), VotingError> {
    let count = pending_completions.len();
    if count < max_entries as usize {
        return Ok(());
    }
    let earliest = pending_completions.min().unwrap_or(at.time.0);
    Err(VotingError::TooManyEntries {
        delegator: *delegator,
        candidate: *candidate,
        kind,
        count,
        max: max_entries,
        earliest,
    })
}
