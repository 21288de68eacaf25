//! `conclave-staking` as the [`Stake`] governance counts, and [`crate::Hooks`] as staking's
//! share hooks; the `conclave-staking` feature (on by default).

use conclave_core::{Address, StateRead, StateWrite};
use conclave_staking::expected::{Bank, ShareHooks};
use conclave_staking::{ledger, query, Staking, StakingError, Status};

use crate::error::GovernanceError;
use crate::expected::{CandidateStake, Stake, Standing};

impl<B: Bank, H: ShareHooks> Stake for Staking<B, H> {
    type Error = StakingError;

    fn bond_denom(&self, state: &impl StateRead) -> Result<String, StakingError> {
        Ok(ledger::params(state)?.bond_denom)
    }

    fn voting_candidates(&self, state: &impl StateRead) -> Result<Vec<CandidateStake>, StakingError> {
        Ok(query::candidates_with_status(state, Status::Active)?
            .into_iter()
            .map(|c| CandidateStake { operator: c.operator, tokens: c.tokens, shares: c.shares })
            .collect())
    }

    fn standing(&self, state: &impl StateRead, candidate: &Address) -> Result<Standing, StakingError> {
        match ledger::candidate(state, candidate) {
            Ok(c) => Ok(match c.status {
                Status::Jailed => Standing::Jailed,
                Status::Tombstoned => Standing::Tombstoned,
                Status::Candidate | Status::Active | Status::Exited => Standing::Good,
            }),
            Err(StakingError::UnknownCandidate { .. }) => Ok(Standing::Gone),
            Err(e) => Err(e),
        }
    }

    fn vote_set(&self, state: &impl StateRead, voter: &Address) -> Result<Vec<(Address, u128)>, StakingError> {
        Ok(ledger::vote_set(state, voter)?.votes.into_iter().map(|v| (v.candidate, v.shares)).collect())
    }

    fn holders(&self, state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, StakingError> {
        query::all_holdings(state)
    }
}

impl ShareHooks for crate::Hooks {
    type Error = GovernanceError;

    fn before_shares_change(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
        shares: u128,
    ) -> Result<(), GovernanceError> {
        crate::snapshot::record_before_change(state, delegator, candidate, shares)
    }
}
