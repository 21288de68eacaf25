//! End-block work: unbonding completions and redelegation maturities, each bounded by
//! `max_completions_per_block`; what does not fit waits for the next block, in
//! (completion time, id) order.

use conclave_core::{event::emit, Address, StateWrite};

use crate::error::StakingError;
use crate::event;
use crate::expected::{Bank, ShareHooks};
use crate::ledger::params;
use crate::state::{LAST_BLOCK, REDELEGATIONS, REDELEGATION_QUEUE, UNBONDING_QUEUE};
use crate::types::{At, RedelegationEntry, UnbondingEntry};
use crate::{Staking, UNBONDING_POOL};

/// What one end-block did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndBlockReport {
    /// Unbonding entries paid out.
    pub completed_unbondings: u32,
    /// Redelegation entries removed at maturity.
    pub matured_redelegations: u32,
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    /// Staking's end-block: records the block (for pre-flight queries), pays out matured
    /// unbondings and removes matured redelegations, at most `max_completions_per_block` each.
    /// Run it after the rotation module's set update (rule: the mature-unbonding queue is
    /// processed after set updates).
    pub fn process_queues(&self, state: &mut impl StateWrite, at: At) -> Result<EndBlockReport, StakingError> {
        LAST_BLOCK.put(state, &at)?;
        let params = params(state)?;
        let max = usize::try_from(params.max_completions_per_block).unwrap_or(usize::MAX);
        let mut report = EndBlockReport::default();

        // One ordered pass over the queue, whose values are the entries themselves: no second
        // read per entry. Stops at the cap or at the first entry not yet due.
        // Reserved up front (bounded): growing the list by doubling showed up in profiles.
        let mut due: Vec<UnbondingEntry> = Vec::with_capacity(max.min(16_384));
        for item in UNBONDING_QUEUE.iter(state).take(max) {
            let ((time, _), entry) = item?;
            if time > at.time.0 {
                break;
            }
            due.push(entry);
        }
        if !due.is_empty() {
            // One bank operation for the block: the pool is debited once by the total and each
            // delegator credited once; one `bank.transfer` per entry, as paying them one by one.
            // The bank lets a delegator that is a module account (possible only through
            // genesis) be paid, so it cannot make end-block fail and halt the chain.
            let payouts: Vec<(Address, u128)> = due.iter().map(|e| (e.delegator, e.balance)).collect();
            self.bank.send_from_module_to_many(state, UNBONDING_POOL, &params.bond_denom, &payouts)?;
            for entry in &due {
                // The four keys of an entry: the entry (cancel, queries), its queue key (this
                // pass), the by-candidate index (slashes) and the by-delegator index (entry
                // limits and delegator queries). Each is needed while the entry is pending.
                self.delete_unbonding(state, entry)?;
                emit(
                    state,
                    &event::UnbondingCompleted {
                        id: entry.id,
                        delegator: entry.delegator,
                        candidate: entry.candidate,
                        amount: entry.balance,
                    },
                )?;
            }
            report.completed_unbondings = u32::try_from(due.len()).unwrap_or(u32::MAX);
        }

        let mut due: Vec<RedelegationEntry> = Vec::new();
        let mut stale: Vec<(u64, u64)> = Vec::new();
        for item in REDELEGATION_QUEUE.iter(state).take(max) {
            let ((time, id), ()) = item?;
            if time > at.time.0 {
                break;
            }
            match REDELEGATIONS.get(state, &id)? {
                Some(entry) => due.push(entry),
                None => stale.push((time, id)),
            }
        }
        for key in &stale {
            REDELEGATION_QUEUE.delete(state, key)?;
        }
        for entry in &due {
            self.delete_redelegation(state, entry)?;
            emit(state, &event::RedelegationMatured { id: entry.id, delegator: entry.delegator })?;
        }
        report.matured_redelegations = u32::try_from(due.len()).unwrap_or(u32::MAX);
        Ok(report)
    }
}
