//! The delegator-side operations. Each runs on a [`DryRun`] overlay and is applied only when it
//! fully succeeded, so every operation — `set_votes` included — is all-or-nothing even when
//! called outside a transaction, and a failure writes and emits nothing.
//!
//! Voting's own rules, on top of the stake ledger's ([`StakeLedger`]):
//! - a vote set holds at most `max_votes` candidates (an operation that would grow a set past
//!   it is refused; one that does not grow it is allowed, so an operator's self-bond, which
//!   registration always records, never blocks the delegator);
//! - at most `max_entries` pending unbondings per (delegator, candidate), and at most
//!   `max_entries` pending redelegations per (delegator, destination).

use std::collections::BTreeMap;

use conclave_core::dry_run::DryRun;
use conclave_core::{Address, At, StateRead, StateWrite};

use crate::error::VotingError;
use crate::expected::StakeLedger;
use crate::msg::{Msg, VoteTarget};
use crate::state::PARAMS;
use crate::Voting;

impl<L: StakeLedger> Voting<L> {
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
        let ledger = |e: L::Error| VotingError::from_ledger::<L>(&e);
        let before = self.ledger.voted_candidates(state, delegator).map_err(ledger)?.len();
        match msg {
            Msg::Vote { candidate, amount } => {
                self.ledger.delegate(state, at, delegator, candidate, *amount).map_err(ledger)?;
            }
            Msg::Unvote { candidate } => {
                self.ledger.require_candidate(state, candidate).map_err(ledger)?;
                let amount = self.ledger.stake_of(state, delegator, candidate).map_err(ledger)?;
                if amount == 0 {
                    // Nothing to unbond: drop shares a slash left worthless (refused if none).
                    self.ledger.forfeit_worthless_shares(state, at, delegator, candidate).map_err(ledger)?;
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
                self.ledger.cancel_unbonding(state, at, delegator, *id, *amount).map_err(ledger)?;
            }
            Msg::UpdateParams { params } => {
                let validate = |_: &crate::Params, new: &crate::Params| new.validate();
                conclave_core::authority::update_params(state, "voting", &PARAMS, delegator, params, validate)?;
            }
            Msg::SetVotes { votes } => {
                if votes.len() > params.max_votes as usize {
                    return Err(VotingError::TooManyVotes { count: votes.len(), max: params.max_votes });
                }
                self.set_votes(state, at, delegator, votes, params.max_entries)?;
            }
        }
        let after = self.ledger.voted_candidates(state, delegator).map_err(ledger)?.len();
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
        let ledger = |e: L::Error| VotingError::from_ledger::<L>(&e);
        let pending = self.ledger.pending_unbondings(state, delegator, candidate, at.time).map_err(ledger)?;
        check_entry_limit("unbonding", delegator, candidate, pending.into_iter(), max_entries, at)?;
        self.ledger.undelegate(state, at, delegator, candidate, amount).map_err(ledger)
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
        let ledger = |e: L::Error| VotingError::from_ledger::<L>(&e);
        let pending = self.ledger.pending_redelegations_into(state, delegator, destination, at.time).map_err(ledger)?;
        check_entry_limit("redelegation", delegator, destination, pending.into_iter(), max_entries, at)?;
        self.ledger.redelegate(state, at, delegator, source, destination, amount).map_err(ledger)
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
        let ledger = |e: L::Error| VotingError::from_ledger::<L>(&e);
        let wanted: BTreeMap<Address, u128> = targets.iter().map(|t| (t.candidate, t.amount)).collect();
        let current = self.ledger.voted_candidates(state, delegator).map_err(ledger)?;
        let mut decreases: Vec<(Address, u128)> = Vec::new();
        let mut increases: Vec<(Address, u128)> = Vec::new();
        let mut values = BTreeMap::new();
        for candidate in current {
            values.insert(candidate, self.ledger.stake_of(state, delegator, &candidate).map_err(ledger)?);
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
                let live = self.ledger.stake_of(state, delegator, &source).map_err(ledger)?.saturating_sub(target);
                let amount = left.min(need).min(live);
                if amount == 0 {
                    break;
                }
                self.redelegate(state, at, delegator, &source, &destination, amount, max_entries)?;
                left = left.saturating_sub(amount);
                let need = need.saturating_sub(amount);
                inc_left = if need == 0 { inc.next() } else { Some((destination, need)) };
            }
            let live = self.ledger.stake_of(state, delegator, &source).map_err(ledger)?.saturating_sub(target);
            if live > 0 {
                self.undelegate(state, at, delegator, &source, live, max_entries)?;
            }
        }
        while let Some((candidate, need)) = inc_left {
            self.ledger.delegate(state, at, delegator, &candidate, need).map_err(ledger)?;
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
