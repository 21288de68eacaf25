//! Per-share accounting: what each share of a candidate earned, settled into each
//! delegator's record whenever its shares change, claimed as whole tokens.
//!
//! A candidate's delegators' part `d` of a block's rewards raises its `reward_per_share` by
//! `inc = ⌊d × SCALE / shares⌋`; `inc × shares` scaled units become `outstanding_scaled` and
//! the rest, `d × SCALE − inc × shares` (less than `shares`), is dust. A delegator holding `s`
//! shares since index `i` is owed `s × (reward_per_share − i)` scaled units, moved from the
//! candidate's outstanding to its `earned_scaled` when settled (exactly: the sum over every
//! holder of `s × Δ` is the sum of the `inc × shares` given, since shares change only after
//! a settlement). A claim pays `⌊earned_scaled / SCALE⌋` tokens and keeps the remainder.
//!
//! So nothing depends on stake values, and slashes (which change tokens, not shares) need
//! no correction: a share earns the same whatever the candidate's tokens, and every holder
//! of a candidate's shares has the same tokens per share at every moment. A slash of a
//! redelegation's shares removes shares, which is a share change like any other.

use conclave_core::{Address, StateWrite};

use crate::error::RewardsError;
use crate::state::{CANDIDATES, VOTES};
use crate::types::{VoteRewards, SCALE};

/// `a × b` or an overflow error naming `what`.
pub(crate) fn mul(a: u128, b: u128, what: &'static str) -> Result<u128, RewardsError> {
    a.checked_mul(b).ok_or(RewardsError::Overflow(what))
}

/// `a + b` or an overflow error naming `what`.
pub(crate) fn add(a: u128, b: u128, what: &'static str) -> Result<u128, RewardsError> {
    a.checked_add(b).ok_or(RewardsError::Overflow(what))
}

/// `a − b` or an overflow error naming `what` (callers subtract parts from their whole, so
/// an error here is a bug, reported instead of wrapping).
pub(crate) fn sub(a: u128, b: u128, what: &'static str) -> Result<u128, RewardsError> {
    a.checked_sub(b).ok_or(RewardsError::Overflow(what))
}

/// `⌊a × b / c⌋` in 256-bit intermediate precision.
pub(crate) fn mul_div(a: u128, b: u128, c: u128, what: &'static str) -> Result<u128, RewardsError> {
    conclave_core::Ratio::new(b, c).and_then(|r| r.mul_floor(a)).map_err(|_| RewardsError::Overflow(what))
}

/// Settles what `delegator`'s `shares` of `candidate` earned since its last settlement into
/// its record, and brings its index up to date (the candidate's rewards are not otherwise
/// changed). Called before every share change, and before every claim.
pub fn settle(
    state: &mut impl StateWrite,
    delegator: &Address,
    candidate: &Address,
    shares: u128,
) -> Result<VoteRewards, RewardsError> {
    let mut rewards = CANDIDATES.get(state, candidate)?.unwrap_or_default();
    let key = (*delegator, *candidate);
    let mut vote = VOTES.get(state, &key)?.unwrap_or(VoteRewards { index: rewards.reward_per_share, earned_scaled: 0 });
    let delta = rewards.reward_per_share.checked_sub(vote.index).ok_or_else(|| {
        RewardsError::Insolvent(format!("{delegator}'s index at {candidate} is ahead of the candidate's"))
    })?;
    if shares > 0 && delta > 0 {
        let owed = mul(shares, delta, "a settlement")?;
        rewards.outstanding_scaled = rewards.outstanding_scaled.checked_sub(owed).ok_or_else(|| {
            RewardsError::Insolvent(format!("{candidate}'s delegators are owed more than it was given"))
        })?;
        vote.earned_scaled = add(vote.earned_scaled, owed, "earned rewards")?;
        CANDIDATES.put(state, candidate, &rewards)?;
    }
    vote.index = rewards.reward_per_share;
    VOTES.put(state, &key, &vote)?;
    Ok(vote)
}

/// Whole tokens of `scaled` units, and the scaled remainder.
pub fn whole(scaled: u128) -> (u128, u128) {
    (scaled / SCALE, scaled % SCALE)
}
