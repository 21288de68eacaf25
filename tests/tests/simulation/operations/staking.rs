//! Staking and slashing operations, the validator side: register, edit, rotate the consensus
//! key, unjail (after staking back to the minimum self-bond when a slash left it below).

use appchain::Msg;
use conclave_staking::{CommissionRates, Description, Status};
use rand::Rng;

use super::{up_to, Generator, OpKind, Proposal, BASE_GAS, COMMISSION_INTERVAL_NANOS, MODULE_GAS};
use crate::simulation::genesis::consensus_key;
use crate::simulation::view;

impl Generator<'_> {
    pub(super) fn register(&mut self) -> Proposal {
        // A plain account that is not a candidate yet.
        let mut from = None;
        for _ in 0..8 {
            let account = self.rng.random_range(0..self.world.plain_accounts);
            if self.snapshot.candidate(&self.address(account)).is_none() {
                from = Some(account);
                break;
            }
        }
        let from = from?;
        let params = &self.snapshot.staking;
        let balance = view::balance(self.chain, &self.address(from));
        let self_bond = params.min_self_bond.max(up_to(self.rng, balance / 3));
        let min = params.min_commission_ppb;
        let max_rate_ppb = self.rng.random_range(min..=conclave_staking::PPB_ONE);
        let commission = CommissionRates {
            rate_ppb: self.rng.random_range(min..=max_rate_ppb),
            max_rate_ppb,
            max_change_rate_ppb: self.rng.random_range(0..=max_rate_ppb),
        };
        let description = Description { moniker: format!("sim-candidate-{from}"), ..Default::default() };
        let consensus_key = consensus_key(self.rng);
        let msg = conclave_staking::Msg::RegisterCandidate { consensus_key, commission, description, self_bond };
        Some((from, Msg::Staking(msg), MODULE_GAS))
    }

    pub(super) fn edit(&mut self) -> Proposal {
        let operator = self.candidate_where(|c| c.candidate.status != Status::Tombstoned)?;
        let c = &self.snapshot.candidate(&operator)?.candidate;
        let commission = c.commission.clone();
        let since = self.snapshot.now.0.saturating_sub(commission.last_change.0);
        let description = Some(Description {
            moniker: format!("sim-edited-{}", self.rng.random_range(0..1_000_000u32)),
            website: "https://example.org".into(),
            ..Default::default()
        });
        // A rate change when staking allows one now, nine times in ten; else a new description.
        let msg = if since >= COMMISSION_INTERVAL_NANOS && self.rng.random_range(0..10u32) != 0 {
            let step = self.rng.random_range(0..=commission.max_change_rate_ppb);
            let lowest = self.snapshot.staking.min_commission_ppb;
            let rate = if self.rng.random_range(0..2u32) == 0 {
                commission.rate_ppb.saturating_add(step).min(commission.max_rate_ppb)
            } else {
                commission.rate_ppb.saturating_sub(step).max(lowest)
            };
            let description = (rate == commission.rate_ppb).then_some(description).flatten();
            conclave_staking::Msg::EditCandidate { description, commission_rate_ppb: Some(rate) }
        } else {
            conclave_staking::Msg::EditCandidate { description, commission_rate_ppb: None }
        };
        Some((self.operator_index(&operator), Msg::Staking(msg), MODULE_GAS))
    }

    pub(super) fn rotate_key(&mut self) -> Proposal {
        let operator = self.candidate_where(|c| {
            c.candidate.status != Status::Tombstoned && c.candidate.pending_consensus_key.is_none()
        })?;
        let new_key = consensus_key(self.rng);
        let msg = conclave_staking::Msg::RotateConsensusKey { new_key };
        Some((self.operator_index(&operator), Msg::Staking(msg), MODULE_GAS))
    }

    pub(super) fn unjail(&mut self) -> Proposal {
        // A jailed candidate whose jail time is over; one time in fifty any jailed candidate
        // (the chain must refuse it while jail time remains).
        let now = self.snapshot.now;
        let any = self.rng.random_range(0..50u32) == 0;
        let operator =
            self.candidate_where(|c| c.candidate.status == Status::Jailed && (any || c.candidate.jailed_until <= now))?;
        let signer = self.operator_index(&operator);
        if self.done(OpKind::Unjail, signer) {
            return None;
        }
        // A slash may have left its self-bond under the minimum: its operator first stakes
        // the difference, as a real operator would (a vote to itself).
        let info = self.snapshot.candidate(&operator)?;
        let minimum = self.snapshot.staking.min_self_bond;
        if !any && info.self_bond < minimum {
            let amount = minimum - info.self_bond + info.self_bond / 10 + 1;
            let msg = conclave_voting::Msg::Vote { candidate: operator, amount };
            return Some((signer, Msg::Voting(msg), MODULE_GAS));
        }
        Some((signer, Msg::Slashing(conclave_slashing::Msg::Unjail), BASE_GAS))
    }
}
