//! `conclave-staking` as the [`Stake`] rewards pay on, and [`crate::Hooks`] as staking's
//! share hooks; the `conclave-staking` feature (on by default).

use conclave_core::{Address, StateRead, StateWrite};
use conclave_staking::expected::{Bank, ShareHooks};
use conclave_staking::{ledger, query, Staking, StakingError, Status};

use crate::error::RewardsError;
use crate::expected::{CandidateTerms, Stake};

impl<B: Bank, H: ShareHooks> Stake for Staking<B, H> {
    type Error = StakingError;

    fn bond_denom(&self, state: &impl StateRead) -> Result<String, StakingError> {
        Ok(ledger::params(state)?.bond_denom)
    }

    fn bonded_tokens(&self, state: &impl StateRead) -> Result<u128, StakingError> {
        let mut bonded = 0u128;
        for c in query::candidates_with_status(state, Status::Active)? {
            bonded = bonded.checked_add(c.tokens).ok_or(StakingError::Overflow)?;
        }
        Ok(bonded)
    }

    fn terms(&self, state: &impl StateRead, candidate: &Address) -> Result<Option<CandidateTerms>, StakingError> {
        match ledger::candidate(state, candidate) {
            Ok(c) => Ok(Some(CandidateTerms { shares: c.shares, commission_rate_ppb: c.commission.rate_ppb })),
            Err(StakingError::UnknownCandidate { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn shares(&self, state: &impl StateRead, delegator: &Address, candidate: &Address) -> Result<u128, StakingError> {
        Ok(ledger::vote_set(state, delegator)?.shares(candidate))
    }

    fn voted_candidates(&self, state: &impl StateRead, delegator: &Address) -> Result<Vec<Address>, StakingError> {
        Ok(ledger::vote_set(state, delegator)?.votes.iter().map(|v| v.candidate).collect())
    }

    fn holders(&self, state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, StakingError> {
        query::all_holdings(state)
    }
}

impl ShareHooks for crate::Hooks {
    type Error = RewardsError;

    fn before_shares_change(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
        shares: u128,
    ) -> Result<(), RewardsError> {
        crate::accounting::settle(state, delegator, candidate, shares).map(drop)
    }
}
