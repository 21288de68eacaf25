//! `conclave-staking` as the [`CandidateRegistry`] rotation elects from; the
//! `conclave-staking` feature (on by default).
//!
//! Eligible: status candidate or active (staking's power index already leaves out jailed,
//! tombstoned and exited candidates and those without power; the status is checked again)
//! and a self-bond of at least staking's `min_self_bond`.

use conclave_core::{Address, At, StateRead, StateWrite};
use conclave_staking::expected::{Bank, ShareHooks};
use conclave_staking::ledger::{candidate, params, self_bond};
use conclave_staking::query::{candidates_by_power, candidates_with_status, next_block, PowerCursor};
use conclave_staking::{Staking, StakingError, Status};

use crate::expected::{CandidateRegistry, Contender, RankCursor, RankPage};

impl<B: Bank, H: ShareHooks> CandidateRegistry for Staking<B, H> {
    type Error = StakingError;

    fn ranking(
        &self,
        state: &impl StateRead,
        after: Option<RankCursor>,
        limit: usize,
    ) -> Result<RankPage, StakingError> {
        let min_self_bond = params(state)?.min_self_bond;
        let cursor = after.map(|c| PowerCursor { power: c.votes, candidate: c.operator });
        let entries = candidates_by_power(state, cursor.as_ref(), limit)?;
        let next = match entries.last() {
            Some(&(votes, operator)) if entries.len() >= limit => Some(RankCursor { votes, operator }),
            _ => None,
        };
        let mut contenders = Vec::new();
        for (votes, operator) in entries {
            let c = candidate(state, &operator)?;
            if !matches!(c.status, Status::Candidate | Status::Active) {
                continue;
            }
            let bond = self_bond(state, &c)?;
            if bond < min_self_bond {
                continue;
            }
            contenders.push(Contender {
                operator,
                consensus_key: c.pending_consensus_key.unwrap_or(c.consensus_key),
                votes,
                self_bond: bond,
            });
        }
        Ok(RankPage { contenders, next })
    }

    fn power_reduction(&self, state: &impl StateRead) -> Result<u128, StakingError> {
        Ok(params(state)?.power_reduction)
    }

    fn is_active(&self, state: &impl StateRead, operator: &Address) -> Result<bool, StakingError> {
        Ok(candidate(state, operator)?.status == Status::Active)
    }

    fn activate(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        self.set_active(state, at, operator)
    }

    fn deactivate(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        self.set_inactive(state, at, operator)
    }

    fn apply_pending_key(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        Staking::apply_pending_key(self, state, at, operator).map(drop)
    }

    fn active_candidates(&self, state: &impl StateRead) -> Result<Vec<(Address, [u8; 32])>, StakingError> {
        Ok(candidates_with_status(state, Status::Active)?.into_iter().map(|c| (c.operator, c.consensus_key)).collect())
    }

    fn next_height(&self, state: &impl StateRead) -> Result<u64, StakingError> {
        Ok(next_block(state)?.height)
    }
}
