//! The slashing primitive, called by a slashing module (double sign, downtime).
//!
//! `slash(candidate, infraction_height, fraction)`:
//! 1. the base is the candidate's tokens at the start of `infraction_height` (token history);
//!    the target is `ceil(base × fraction)`;
//! 2. each unbonding entry from the candidate created at or after the infraction and not yet
//!    matured loses `min(ceil(initial_balance × fraction), balance)`, burned from the unbonding
//!    pool (entries created before the infraction, and matured ones, are untouched);
//! 3. each redelegation from the candidate created at or after the infraction and not yet
//!    matured loses `ceil(initial_balance × fraction)` tokens' worth of the delegator's shares
//!    at the *destination* (capped at the shares that arrived by it and are still held), whose
//!    tokens are burned from the destination's pool;
//! 4. the candidate's own tokens lose what is left of the target (capped at its tokens).
//!
//! Every amount rounds up against the slashed party and is capped at what exists, so the total
//! burned never exceeds the target by more than the rounding of each part and never creates
//! tokens. One `staking.slash_*` event is emitted per part, then `staking.slash`.

use conclave_core::{event::emit, Address, Coin, Ratio, StateWrite};

use crate::error::StakingError;
use crate::event;
use crate::expected::{Bank, ShareHooks};
use crate::ledger::{candidate, params, pool_of, tokens_at};
use crate::state::{REDELEGATIONS, REDELEGATIONS_BY_SOURCE, UNBONDINGS, UNBONDINGS_BY_CANDIDATE};
use crate::types::At;
use crate::{Staking, UNBONDING_POOL};

/// What one slash took, in tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlashOutcome {
    /// Tokens at the infraction height (the base).
    pub base_tokens: u128,
    /// `ceil(base × fraction)`.
    pub target: u128,
    /// Burned from the candidate's own tokens.
    pub from_candidate: u128,
    /// Burned from unbonding entries.
    pub from_unbondings: u128,
    /// Burned at redelegation destinations.
    pub from_redelegations: u128,
}

impl SlashOutcome {
    /// Everything burned.
    pub fn burned(&self) -> u128 {
        self.from_candidate.saturating_add(self.from_unbondings).saturating_add(self.from_redelegations)
    }
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    /// Slashes `fraction` of `candidate`'s stake at `infraction_height` (see the module docs).
    /// Refuses a fraction above one, an infraction height after the current block, and one at
    /// or below the pruned token history (older than the unbonding period).
    pub fn slash(
        &self,
        state: &mut impl StateWrite,
        at: At,
        candidate_addr: &Address,
        infraction_height: u64,
        fraction: Ratio,
    ) -> Result<SlashOutcome, StakingError> {
        if fraction.denominator == 0 || !fraction.is_at_most_one() {
            return Err(StakingError::InvalidFraction);
        }
        let params = params(state)?;
        let c = candidate(state, candidate_addr)?;
        if infraction_height > at.height {
            return Err(StakingError::InvalidInfractionHeight {
                height: infraction_height,
                reason: format!("it is after the current height {}", at.height),
            });
        }
        if infraction_height <= c.history_floor {
            return Err(StakingError::InvalidInfractionHeight {
                height: infraction_height,
                reason: format!("token history before height {} was pruned (older than unbonding)", c.history_floor),
            });
        }
        let base = tokens_at(state, candidate_addr, infraction_height)?;
        let target = fraction.mul_ceil(base)?;
        let mut outcome = SlashOutcome { base_tokens: base, target, ..SlashOutcome::default() };

        // Unbonding entries created at or after the infraction.
        let ids: Vec<u64> = UNBONDINGS_BY_CANDIDATE
            .iter_from(state, &(*candidate_addr, infraction_height, 0))
            .take_while(|r| r.as_ref().map_or(true, |((cand, _, _), ())| cand == candidate_addr))
            .map(|r| r.map(|((_, _, id), ())| id))
            .collect::<Result<_, _>>()?;
        for id in ids {
            let Some(mut entry) = UNBONDINGS.get(state, &id)? else { continue };
            if entry.completion_time <= at.time {
                continue;
            }
            let amount = fraction.mul_ceil(entry.initial_balance)?.min(entry.balance);
            if amount == 0 {
                continue;
            }
            self.bank.burn(state, UNBONDING_POOL, &Coin::new(&params.bond_denom, amount))?;
            entry.balance = entry.balance.saturating_sub(amount);
            if entry.balance == 0 {
                self.delete_unbonding(state, &entry)?;
            } else {
                crate::ledger::put_unbonding(state, &entry)?;
            }
            outcome.from_unbondings = outcome.from_unbondings.saturating_add(amount);
            emit(
                state,
                &event::SlashUnbonding {
                    id,
                    delegator: entry.delegator,
                    candidate: *candidate_addr,
                    amount,
                    balance: entry.balance,
                },
            )?;
        }

        // Redelegations from the candidate created at or after the infraction.
        let ids: Vec<u64> = REDELEGATIONS_BY_SOURCE
            .iter_from(state, &(*candidate_addr, infraction_height, 0))
            .take_while(|r| r.as_ref().map_or(true, |((cand, _, _), ())| cand == candidate_addr))
            .map(|r| r.map(|((_, _, id), ())| id))
            .collect::<Result<_, _>>()?;
        for id in ids {
            let Some(mut entry) = REDELEGATIONS.get(state, &id)? else { continue };
            if entry.completion_time <= at.time {
                continue;
            }
            let want = fraction.mul_ceil(entry.initial_balance)?;
            if want == 0 || entry.shares_dst == 0 {
                continue;
            }
            let dst = candidate(state, &entry.destination)?;
            if dst.tokens == 0 || dst.shares == 0 {
                continue;
            }
            let shares_wanted = crate::ledger::mul_div_ceil(want, dst.shares, dst.tokens)?;
            let shares_cap = shares_wanted.min(entry.shares_dst);
            let (tokens, shares, dst_after, held_after) =
                self.slash_shares(state, &params, at, &entry.delegator, &entry.destination, shares_cap, want)?;
            if shares == 0 {
                continue;
            }
            entry.shares_dst = entry.shares_dst.saturating_sub(shares);
            REDELEGATIONS.put(state, &id, &entry)?;
            outcome.from_redelegations = outcome.from_redelegations.saturating_add(tokens);
            emit(
                state,
                &event::SlashRedelegation {
                    id,
                    delegator: entry.delegator,
                    source: *candidate_addr,
                    destination: entry.destination,
                    amount: tokens,
                    shares,
                    delegator_shares: held_after,
                    candidate_tokens: dst_after.tokens,
                    candidate_shares: dst_after.shares,
                },
            )?;
        }

        // The rest from the candidate's current tokens.
        let old = candidate(state, candidate_addr)?;
        let remaining = target.saturating_sub(outcome.from_unbondings).saturating_sub(outcome.from_redelegations);
        let amount = remaining.min(old.tokens);
        if amount > 0 {
            self.bank.burn(state, pool_of(old.status), &Coin::new(&params.bond_denom, amount))?;
            let mut c = old.clone();
            c.tokens = c.tokens.saturating_sub(amount);
            self.put_candidate(state, &params, at, Some(&old), &c)?;
            outcome.from_candidate = amount;
            emit(state, &event::SlashCandidate { candidate: *candidate_addr, amount, candidate_tokens: c.tokens })?;
        }
        emit(
            state,
            &event::Slash {
                candidate: *candidate_addr,
                infraction_height,
                fraction_numerator: fraction.numerator,
                fraction_denominator: fraction.denominator,
                base_tokens: base,
                target,
                burned: outcome.burned(),
            },
        )?;
        Ok(outcome)
    }
}
