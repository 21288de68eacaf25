//! End-block work: unbonding completions and redelegation maturities, each bounded by
//! `max_completions_per_block`; what does not fit waits for the next block, in
//! (completion time, id) order.

use conclave_core::{event::emit, Address, Coin, StateWrite};

use crate::error::StakingError;
use crate::event;
use crate::ledger::params;
use crate::state::{LAST_BLOCK, REDELEGATIONS, REDELEGATION_QUEUE, UNBONDINGS, UNBONDING_QUEUE};
use crate::types::At;
use crate::{Staking, UNBONDING_POOL};

/// What one end-block did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndBlockReport {
    /// Unbonding entries paid out.
    pub completed_unbondings: u32,
    /// Redelegation entries removed at maturity.
    pub matured_redelegations: u32,
}

impl Staking {
    /// Staking's end-block: records the block (for pre-flight queries), pays out matured
    /// unbondings and removes matured redelegations, at most `max_completions_per_block` each.
    /// Run it after the rotation module's set update (rule: the mature-unbonding queue is
    /// processed after set updates).
    pub fn process_queues(&self, state: &mut impl StateWrite, at: At) -> Result<EndBlockReport, StakingError> {
        LAST_BLOCK.put(state, &at)?;
        let params = params(state)?;
        let max = usize::try_from(params.max_completions_per_block).unwrap_or(usize::MAX);
        let mut report = EndBlockReport::default();

        let due: Vec<(u64, u64)> = UNBONDING_QUEUE
            .iter(state)
            .take(max)
            .take_while(|r| r.as_ref().map_or(true, |((time, _), ())| *time <= at.time.0))
            .map(|r| r.map(|(k, ())| k))
            .collect::<Result<_, _>>()?;
        for (time, id) in due {
            let Some(entry) = UNBONDINGS.get(state, &id)? else {
                UNBONDING_QUEUE.delete(state, &(time, id))?;
                continue;
            };
            // `transfer` (not `send_from_module`) so that a delegator that is a module account
            // (possible only through genesis) cannot make end-block fail and halt the chain.
            conclave_bank::transfer(
                state,
                &Address::module(UNBONDING_POOL),
                &entry.delegator,
                &Coin::new(&params.bond_denom, entry.balance),
            )?;
            self.delete_unbonding(state, &entry)?;
            report.completed_unbondings = report.completed_unbondings.saturating_add(1);
            emit(
                state,
                &event::UnbondingCompleted {
                    id,
                    delegator: entry.delegator,
                    candidate: entry.candidate,
                    amount: entry.balance,
                },
            )?;
        }

        let due: Vec<(u64, u64)> = REDELEGATION_QUEUE
            .iter(state)
            .take(max)
            .take_while(|r| r.as_ref().map_or(true, |((time, _), ())| *time <= at.time.0))
            .map(|r| r.map(|(k, ())| k))
            .collect::<Result<_, _>>()?;
        for (time, id) in due {
            let Some(entry) = REDELEGATIONS.get(state, &id)? else {
                REDELEGATION_QUEUE.delete(state, &(time, id))?;
                continue;
            };
            self.delete_redelegation(state, &entry)?;
            report.matured_redelegations = report.matured_redelegations.saturating_add(1);
            emit(state, &event::RedelegationMatured { id, delegator: entry.delegator })?;
        }
        Ok(report)
    }
}
