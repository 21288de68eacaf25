//! `conclave-staking` as the [`Candidates`] slashing punishes; the `conclave-staking`
//! feature (on by default).

use conclave_core::{Address, At, BlockTime, Ratio, StateRead, StateWrite};
use conclave_staking::expected::{Bank, ShareHooks};
use conclave_staking::{ledger, query, Staking, StakingError, Status};

use crate::expected::{Candidates, Slashed, Standing};

impl<B: Bank, H: ShareHooks> Candidates for Staking<B, H> {
    type Error = StakingError;

    fn earliest_time(error: &StakingError) -> Option<u64> {
        error.earliest_time()
    }

    fn standing(&self, state: &impl StateRead, operator: &Address) -> Result<Standing, StakingError> {
        let c = ledger::candidate(state, operator)?;
        Ok(match c.status {
            Status::Jailed => Standing::Jailed { until: c.jailed_until },
            Status::Tombstoned => Standing::Tombstoned,
            Status::Candidate | Status::Active | Status::Exited => Standing::Free,
        })
    }

    fn slash(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        infraction_height: u64,
        fraction: Ratio,
    ) -> Result<Slashed, StakingError> {
        let outcome = Staking::slash(self, state, at, operator, infraction_height, fraction)?;
        Ok(Slashed {
            base_tokens: outcome.base_tokens,
            target: outcome.target,
            from_candidate: outcome.from_candidate,
            from_unbondings: outcome.from_unbondings,
            from_redelegations: outcome.from_redelegations,
        })
    }

    fn jail(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        until: BlockTime,
    ) -> Result<(), StakingError> {
        Staking::jail(self, state, at, operator, until)
    }

    fn tombstone(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        Staking::tombstone(self, state, at, operator)
    }

    fn unjail(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        Staking::unjail(self, state, at, operator)
    }

    fn next_block(&self, state: &impl StateRead) -> Result<At, StakingError> {
        query::next_block(state)
    }
}
