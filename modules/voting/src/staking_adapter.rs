//! `conclave-staking`'s ledger as the [`StakeLedger`] voting drives; the `conclave-staking`
//! feature (on by default).

use conclave_core::{Address, At, BlockTime, StateRead, StateWrite};
use conclave_staking::expected::{Bank, ShareHooks};
use conclave_staking::{ledger, query, Staking, StakingError};

use crate::expected::StakeLedger;

impl<B: Bank, H: ShareHooks> StakeLedger for Staking<B, H> {
    type Error = StakingError;

    fn earliest_time(error: &StakingError) -> Option<u64> {
        error.earliest_time()
    }

    fn next_block(&self, state: &impl StateRead) -> Result<At, StakingError> {
        query::next_block(state)
    }

    fn require_candidate(&self, state: &impl StateRead, candidate: &Address) -> Result<(), StakingError> {
        ledger::candidate(state, candidate).map(drop)
    }

    fn voted_candidates(&self, state: &impl StateRead, delegator: &Address) -> Result<Vec<Address>, StakingError> {
        Ok(ledger::vote_set(state, delegator)?.votes.iter().map(|v| v.candidate).collect())
    }

    fn stake_of(&self, state: &impl StateRead, delegator: &Address, candidate: &Address) -> Result<u128, StakingError> {
        ledger::stake_of(state, delegator, candidate)
    }

    fn pending_unbondings(
        &self,
        state: &impl StateRead,
        delegator: &Address,
        candidate: &Address,
        now: BlockTime,
    ) -> Result<Vec<u64>, StakingError> {
        Ok(ledger::pending_unbondings(state, delegator, candidate, now)?.iter().map(|e| e.completion_time.0).collect())
    }

    fn pending_redelegations_into(
        &self,
        state: &impl StateRead,
        delegator: &Address,
        destination: &Address,
        now: BlockTime,
    ) -> Result<Vec<u64>, StakingError> {
        let pending = ledger::pending_redelegations_into(state, delegator, destination, now)?;
        Ok(pending.iter().map(|e| e.completion_time.0).collect())
    }

    fn delegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
        amount: u128,
    ) -> Result<(), StakingError> {
        Staking::delegate(self, state, at, delegator, candidate, amount).map(drop)
    }

    fn undelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
        amount: u128,
    ) -> Result<(), StakingError> {
        Staking::undelegate(self, state, at, delegator, candidate, amount).map(drop)
    }

    fn redelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        source: &Address,
        destination: &Address,
        amount: u128,
    ) -> Result<(), StakingError> {
        Staking::redelegate(self, state, at, delegator, source, destination, amount).map(drop)
    }

    fn cancel_unbonding(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        id: u64,
        amount: u128,
    ) -> Result<(), StakingError> {
        Staking::cancel_unbonding(self, state, at, delegator, id, amount).map(drop)
    }

    fn forfeit_worthless_shares(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
    ) -> Result<(), StakingError> {
        Staking::forfeit_worthless_shares(self, state, at, delegator, candidate).map(drop)
    }
}
