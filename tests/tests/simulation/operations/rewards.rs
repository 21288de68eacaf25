//! Rewards operations: claims by validators' delegators with rewards pending (one per
//! delegator a block) and commission withdrawals by validators that have some.

use appchain::Msg;
use conclave_core::Address;
use conclave_staking::Status;
use rand::Rng;

use super::{Generator, OpKind, Proposal, BASE_GAS, CLAIM_GAS_PER_CANDIDATE};
use crate::simulation::view;

impl Generator<'_> {
    /// A delegator with rewards to claim and what a claim would pay it: a delegator of a
    /// validator (validators' delegators earn), else a favoured delegator, that has not
    /// claimed in this block yet (a few tries).
    pub(super) fn with_pending(&mut self) -> Option<(usize, conclave_rewards::query::Pending)> {
        let mut found = None;
        for _ in 0..4 {
            let delegator = match self.candidate_where(|c| c.candidate.status == Status::Active) {
                Some(validator) => {
                    let holders = view::delegators(self.chain, &validator);
                    let known: Vec<usize> = holders.iter().filter_map(|d| self.world.index.get(d).copied()).collect();
                    match known.get(self.rng.random_range(0..known.len().max(1))) {
                        Some(delegator) => *delegator,
                        None => continue,
                    }
                }
                None => self.with_votes()?.0,
            };
            if self.done(OpKind::ClaimAll, delegator) {
                continue;
            }
            let pending = view::pending(self.chain, &self.address(delegator));
            if pending.total > 0 {
                return Some((delegator, pending));
            }
            found = Some((delegator, pending));
        }
        // Nobody found with rewards: one time in ten claim anyway (the chain must refuse it).
        found.filter(|_| self.rng.random_range(0..10u32) == 0)
    }

    pub(super) fn claim_one(&mut self) -> Proposal {
        let (delegator, pending) = self.with_pending()?;
        let paying: Vec<Address> = pending.rewards.iter().filter(|p| p.amount > 0).map(|p| p.candidate).collect();
        let any: Vec<Address> = pending.rewards.iter().map(|p| p.candidate).collect();
        let from = if paying.is_empty() { any } else { paying };
        if from.is_empty() {
            return None;
        }
        let candidate = from[self.rng.random_range(0..from.len())];
        let msg = conclave_rewards::Msg::Claim { candidate: Some(candidate) };
        Some((delegator, Msg::Rewards(msg), BASE_GAS))
    }

    pub(super) fn claim_all(&mut self) -> Proposal {
        let (delegator, pending) = self.with_pending()?;
        let candidates = u64::try_from(pending.rewards.len()).unwrap_or(u64::MAX);
        let gas = BASE_GAS + CLAIM_GAS_PER_CANDIDATE * candidates;
        Some((delegator, Msg::Rewards(conclave_rewards::Msg::Claim { candidate: None }), gas))
    }

    pub(super) fn withdraw_commission(&mut self) -> Proposal {
        // Validators (which earn commission) when there are, else any candidate: the first of a
        // few with commission to withdraw.
        let validators = self.snapshot.with_status(Status::Active).count() > 0;
        for _ in 0..10 {
            let candidate = self.candidate_where(|c| !validators || c.candidate.status == Status::Active)?;
            let signer = self.operator_index(&candidate);
            if !self.done(OpKind::WithdrawCommission, signer)
                && view::validator_rewards(self.chain, &candidate).commission > 0
            {
                let msg = Msg::Rewards(conclave_rewards::Msg::WithdrawCommission);
                return Some((signer, msg, BASE_GAS));
            }
        }
        None
    }
}
