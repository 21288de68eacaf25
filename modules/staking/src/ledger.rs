//! The stake ledger: candidates' tokens and shares, delegators' vote sets, the pools, and
//! the unbonding and redelegation entries. Every write to a candidate goes through
//! [`Staking::put_candidate`], which keeps the power and status indexes and the token history.
//!
//! Rounding (never creates tokens):
//! - bonding `a` tokens mints `floor(a × shares / tokens)` shares (1:1 when no shares exist);
//!   an amount worth zero shares is refused ([`StakingError::AmountTooSmall`]);
//! - taking `a` tokens out burns `ceil(a × shares / tokens)` shares, or all the holder's shares
//!   when `a` is their whole value `floor(held × tokens / shares)`: exactly `a` leaves, and the
//!   remaining holders keep any rounding dust;
//! - slashes round up (see [`crate::slash`]).
//!
//! Every function checks everything before its first write, so an error other than
//! [`StakingError::State`] leaves state and events untouched.

use conclave_core::ratio::ArithmeticError;
use conclave_core::{event::emit, Address, Coin, Ratio, StateError, StateRead, StateWrite};

use crate::error::StakingError;
use crate::event;
use crate::expected::{Bank, ShareHooks};
use crate::params::Params;
use crate::state::*;
use crate::types::{At, Candidate, RedelegationEntry, Status, TokenRecord, UnbondingEntry, VoteSet};
use crate::{Staking, BONDED_POOL, UNBONDED_POOL, UNBONDING_POOL};

impl From<ArithmeticError> for StakingError {
    fn from(_: ArithmeticError) -> Self {
        StakingError::Overflow
    }
}

/// `a × b / c` rounded down, in 256-bit intermediate precision.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Result<u128, StakingError> {
    Ok(Ratio::new(b, c)?.mul_floor(a)?)
}

/// `a × b / c` rounded up, in 256-bit intermediate precision.
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Result<u128, StakingError> {
    Ok(Ratio::new(b, c)?.mul_ceil(a)?)
}

/// Tokens that `shares` of `candidate` are worth, rounded down.
pub fn shares_value(candidate: &Candidate, shares: u128) -> Result<u128, StakingError> {
    if candidate.shares == 0 {
        return Ok(0);
    }
    mul_div_floor(shares, candidate.tokens, candidate.shares)
}

/// The pool holding a candidate's tokens in `status`.
pub fn pool_of(status: Status) -> &'static str {
    if status.is_bonded() {
        BONDED_POOL
    } else {
        UNBONDED_POOL
    }
}

/// The parameters.
pub fn params(state: &impl StateRead) -> Result<Params, StateError> {
    PARAMS.load(state)
}

/// The candidate operated by `operator`.
pub fn candidate(state: &impl StateRead, operator: &Address) -> Result<Candidate, StakingError> {
    CANDIDATES.get(state, operator)?.ok_or(StakingError::UnknownCandidate { candidate: *operator })
}

/// A delegator's vote set (empty when absent).
pub fn vote_set(state: &impl StateRead, delegator: &Address) -> Result<VoteSet, StateError> {
    Ok(VOTE_SETS.get(state, delegator)?.unwrap_or_default())
}

/// Tokens a delegator's shares at `candidate` are worth now (rounded down).
pub fn stake_of(state: &impl StateRead, delegator: &Address, candidate_addr: &Address) -> Result<u128, StakingError> {
    let shares = vote_set(state, delegator)?.shares(candidate_addr);
    if shares == 0 {
        return Ok(0);
    }
    shares_value(&candidate(state, candidate_addr)?, shares)
}

/// The operator's own stake at its candidate.
pub fn self_bond(state: &impl StateRead, candidate: &Candidate) -> Result<u128, StakingError> {
    shares_value(candidate, vote_set(state, &candidate.operator)?.shares(&candidate.operator))
}

/// The candidate's tokens at the start of block `height` (the end of the last block before it
/// that changed them; 0 if it had none yet).
pub fn tokens_at(state: &impl StateRead, operator: &Address, height: u64) -> Result<u128, StateError> {
    let lower = TOKEN_HISTORY.storage_key(&(*operator, 0));
    let upper = TOKEN_HISTORY.storage_key(&(*operator, height));
    match state.last_raw(std::ops::Bound::Included(&lower), std::ops::Bound::Excluded(&upper))? {
        Some((key, value)) => {
            let record: TokenRecord = borsh::from_slice(&value).map_err(|e| StateError::corrupt(&key, e))?;
            Ok(record.tokens)
        }
        None => Ok(0),
    }
}

/// Pending (not matured at `now`) redelegations of `delegator` into `destination`.
pub fn pending_redelegations_into(
    state: &impl StateRead,
    delegator: &Address,
    destination: &Address,
    now: conclave_core::BlockTime,
) -> Result<Vec<RedelegationEntry>, StateError> {
    let mut out = Vec::new();
    for item in REDELEGATIONS_BY_DELEGATOR.iter_prefix(state, &(*delegator, *destination)) {
        let ((_, _, id), ()) = item?;
        if let Some(entry) = REDELEGATIONS.get(state, &id)? {
            if entry.completion_time > now {
                out.push(entry);
            }
        }
    }
    Ok(out)
}

/// Pending (not matured at `now`) unbondings of `delegator` from `candidate`.
pub fn pending_unbondings(
    state: &impl StateRead,
    delegator: &Address,
    candidate: &Address,
    now: conclave_core::BlockTime,
) -> Result<Vec<UnbondingEntry>, StateError> {
    let mut out = Vec::new();
    for item in UNBONDINGS_BY_DELEGATOR.iter_prefix(state, &(*delegator, *candidate)) {
        let ((_, _, id), ()) = item?;
        if let Some(entry) = UNBONDINGS.get(state, &id)? {
            if entry.completion_time > now {
                out.push(entry);
            }
        }
    }
    Ok(out)
}

/// How a removal of stake from a candidate is computed (before any write).
struct Removal {
    /// Shares burned.
    shares: u128,
    /// The delegator's shares left.
    held_after: u128,
    /// Pending inbound redelegation entries whose `shares_dst` the removal consumes: (id, new shares_dst).
    consumed: Vec<(u64, u128)>,
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    /// Writes `new` (whose previous value is `old`, if any): candidate record, status and
    /// power indexes, and a token-history point (pruning points older than the unbonding
    /// period that are no longer needed).
    pub(crate) fn put_candidate(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        old: Option<&Candidate>,
        new: &Candidate,
    ) -> Result<(), StakingError> {
        let mut new = new.clone();
        let op = new.operator;
        if old.map(|c| c.tokens) != Some(new.tokens) {
            TOKEN_HISTORY.put(state, &(op, at.height), &TokenRecord { time: at.time, tokens: new.tokens })?;
            // Keep the newest point at or before `now − unbonding`: it gives the tokens at the
            // start of the window. At most two deletions per write keep the work bounded.
            let horizon = at.time.0.saturating_sub(params.unbonding_period_nanos);
            for _ in 0..2 {
                let mut iter = TOKEN_HISTORY.iter_prefix(state, &op);
                let first = iter.next().transpose()?;
                let second = iter.next().transpose()?;
                drop(iter);
                match (first, second) {
                    (Some(((_, h1), _)), Some(((_, h2), r2))) if r2.time.0 <= horizon => {
                        TOKEN_HISTORY.delete(state, &(op, h1))?;
                        new.history_floor = h2;
                    }
                    _ => break,
                }
            }
        }
        CANDIDATES.put(state, &op, &new)?;
        let old_status = old.map(|c| c.status);
        if old_status != Some(new.status) {
            if let Some(s) = old_status {
                STATUS_INDEX.delete(state, &(s.code(), op))?;
            }
            STATUS_INDEX.put(state, &(new.status.code(), op), &())?;
        }
        let key_of = |c: &Candidate| {
            let power = params.power(c.tokens);
            (c.status.is_eligible() && power > 0).then(|| (u64::MAX.saturating_sub(power), c.operator))
        };
        let old_key = old.and_then(key_of);
        let new_key = key_of(&new);
        if old_key != new_key {
            if let Some(k) = old_key {
                POWER_INDEX.delete(state, &k)?;
            }
            if let Some(k) = new_key {
                POWER_INDEX.put(state, &k, &())?;
            }
        }
        Ok(())
    }

    /// Sets a delegator's shares at a candidate in the vote set and the reverse index: the one
    /// place shares change, so the hooks hear of every change first.
    fn put_shares(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
        shares: u128,
    ) -> Result<(), StakingError> {
        let mut set = vote_set(state, delegator)?;
        let held = set.shares(candidate);
        if held != shares {
            self.hooks.before_shares_change(state, delegator, candidate, held).map_err(|e| {
                match conclave_core::Refusal::split(&e, None) {
                    Ok(refusal) => StakingError::Hook(refusal),
                    Err(state) => StakingError::State(state),
                }
            })?;
        }
        set.set_shares(candidate, shares);
        if set.votes.is_empty() {
            VOTE_SETS.delete(state, delegator)?;
        } else {
            VOTE_SETS.put(state, delegator, &set)?;
        }
        if shares == 0 {
            DELEGATIONS.delete(state, &(*candidate, *delegator))?;
        } else {
            DELEGATIONS.put(state, &(*candidate, *delegator), &shares)?;
        }
        Ok(())
    }

    fn next_id(&self, state: &mut impl StateWrite) -> Result<u64, StakingError> {
        let id = NEXT_ENTRY_ID.get(state)?.unwrap_or(1);
        NEXT_ENTRY_ID.put(state, &id.checked_add(1).ok_or(StakingError::Overflow)?)?;
        Ok(id)
    }

    fn check_accepts(&self, candidate: &Candidate, delegator: &Address) -> Result<(), StakingError> {
        let refused = match candidate.status {
            Status::Tombstoned => true,
            Status::Exited => *delegator != candidate.operator,
            _ => false,
        };
        if refused {
            return Err(StakingError::NotAcceptingStake { candidate: candidate.operator, status: candidate.status });
        }
        if candidate.tokens == 0 && candidate.shares > 0 {
            return Err(StakingError::CandidateWorthless { candidate: candidate.operator });
        }
        Ok(())
    }

    /// Shares minted for `amount` at `candidate` (rounded down; refuses zero).
    fn shares_for(&self, candidate: &Candidate, amount: u128) -> Result<u128, StakingError> {
        if amount == 0 {
            return Err(StakingError::ZeroAmount);
        }
        let shares =
            if candidate.shares == 0 { amount } else { mul_div_floor(amount, candidate.shares, candidate.tokens)? };
        if shares == 0 {
            return Err(StakingError::AmountTooSmall { candidate: candidate.operator, amount });
        }
        Ok(shares)
    }

    /// Computes the removal of exactly `amount` tokens of `delegator`'s stake at `candidate`.
    /// `redelegating`: shares that arrived by a pending redelegation may not leave.
    fn removal(
        &self,
        state: &impl StateRead,
        at: At,
        delegator: &Address,
        candidate: &Candidate,
        amount: u128,
        redelegating: bool,
    ) -> Result<Removal, StakingError> {
        if amount == 0 {
            return Err(StakingError::ZeroAmount);
        }
        let held = vote_set(state, delegator)?.shares(&candidate.operator);
        let value = shares_value(candidate, held)?;
        if amount > value {
            return Err(StakingError::InsufficientStake {
                delegator: *delegator,
                candidate: candidate.operator,
                available: value,
                requested: amount,
            });
        }
        let shares = if amount == value { held } else { mul_div_ceil(amount, candidate.shares, candidate.tokens)? };
        let shares = shares.min(held);
        let mut pending = pending_redelegations_into(state, delegator, &candidate.operator, at.time)?;
        let locked: u128 =
            pending.iter().try_fold(0u128, |acc, e| acc.checked_add(e.shares_dst)).ok_or(StakingError::Overflow)?;
        let locked = locked.min(held);
        let free = held.saturating_sub(locked);
        let mut consumed = Vec::new();
        if shares > free {
            if redelegating {
                // Earliest time: when enough pending entries have matured to free the shares.
                pending.sort_by_key(|e| (e.completion_time, e.id));
                let mut freed = free;
                let mut earliest = at.time.0;
                for e in &pending {
                    if freed >= shares {
                        break;
                    }
                    freed = freed.saturating_add(e.shares_dst);
                    earliest = e.completion_time.0;
                }
                return Err(StakingError::RedelegationLocked {
                    candidate: candidate.operator,
                    available: shares_value(candidate, free)?,
                    requested: amount,
                    earliest,
                });
            }
            // Undelegating locked stake: consume the entries' shares, oldest first.
            pending.sort_by_key(|e| e.id);
            let mut to_consume = shares.saturating_sub(free);
            for e in pending {
                if to_consume == 0 {
                    break;
                }
                let take = e.shares_dst.min(to_consume);
                to_consume = to_consume.saturating_sub(take);
                consumed.push((e.id, e.shares_dst.saturating_sub(take)));
            }
        }
        Ok(Removal { shares, held_after: held.saturating_sub(shares), consumed })
    }

    /// Applies a computed removal: candidate ledger, shares, consumed locks, event.
    #[allow(clippy::too_many_arguments)]
    fn apply_removal(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        delegator: &Address,
        old: &Candidate,
        removal: &Removal,
        amount: u128,
        reason: &str,
    ) -> Result<Candidate, StakingError> {
        let mut c = old.clone();
        c.tokens = c.tokens.checked_sub(amount).ok_or(StakingError::Overflow)?;
        c.shares = c.shares.checked_sub(removal.shares).ok_or(StakingError::Overflow)?;
        self.put_candidate(state, params, at, Some(old), &c)?;
        self.put_shares(state, delegator, &c.operator, removal.held_after)?;
        for (id, shares_dst) in &removal.consumed {
            if let Some(mut e) = REDELEGATIONS.get(state, id)? {
                e.shares_dst = *shares_dst;
                REDELEGATIONS.put(state, id, &e)?;
            }
        }
        emit(
            state,
            &event::Unbond {
                delegator: *delegator,
                candidate: c.operator,
                amount,
                shares: removal.shares,
                delegator_shares: removal.held_after,
                candidate_tokens: c.tokens,
                candidate_shares: c.shares,
                reason: reason.into(),
            },
        )?;
        Ok(c)
    }

    /// Adds `amount` tokens and `shares` to a candidate for `delegator` (funds already moved).
    #[allow(clippy::too_many_arguments)]
    fn apply_addition(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        delegator: &Address,
        old: &Candidate,
        amount: u128,
        shares: u128,
        reason: &str,
    ) -> Result<Candidate, StakingError> {
        let mut c = old.clone();
        c.tokens = c.tokens.checked_add(amount).ok_or(StakingError::Overflow)?;
        c.shares = c.shares.checked_add(shares).ok_or(StakingError::Overflow)?;
        let held = vote_set(state, delegator)?.shares(&c.operator);
        let held_after = held.checked_add(shares).ok_or(StakingError::Overflow)?;
        self.put_candidate(state, params, at, Some(old), &c)?;
        self.put_shares(state, delegator, &c.operator, held_after)?;
        emit(
            state,
            &event::Bond {
                delegator: *delegator,
                candidate: c.operator,
                amount,
                shares,
                delegator_shares: held_after,
                candidate_tokens: c.tokens,
                candidate_shares: c.shares,
                reason: reason.into(),
            },
        )?;
        Ok(c)
    }

    /// After `delegator` changed its stake at `c`: an operator whose self-bond fell below the
    /// minimum exits; an exited operator whose self-bond is back at the minimum re-enters.
    fn check_self_bond(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        delegator: &Address,
        c: Candidate,
    ) -> Result<Candidate, StakingError> {
        if *delegator != c.operator {
            return Ok(c);
        }
        let bond = self_bond(state, &c)?;
        match c.status {
            Status::Candidate | Status::Active if bond < params.min_self_bond => {
                self.transition(state, params, at, c, Status::Exited)
            }
            Status::Exited if bond >= params.min_self_bond => self.transition(state, params, at, c, Status::Candidate),
            _ => Ok(c),
        }
    }

    /// Moves a candidate to `to`: pool funds follow bondedness, `staking.status_changed` emitted.
    pub(crate) fn transition(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        old: Candidate,
        to: Status,
    ) -> Result<Candidate, StakingError> {
        let mut c = old.clone();
        c.status = to;
        let (from_pool, to_pool) = (pool_of(old.status), pool_of(to));
        if from_pool != to_pool {
            self.bank.move_between_modules(state, from_pool, to_pool, &Coin::new(&params.bond_denom, c.tokens))?;
        }
        self.put_candidate(state, params, at, Some(&old), &c)?;
        emit(
            state,
            &event::StatusChanged {
                candidate: c.operator,
                from: old.status.name().into(),
                to: to.name().into(),
                tokens: c.tokens,
                jailed_until: c.jailed_until.0,
            },
        )?;
        Ok(c)
    }

    /// Bonds `amount` of `delegator`'s tokens to `candidate`; returns the shares minted.
    pub fn delegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate_addr: &Address,
        amount: u128,
    ) -> Result<u128, StakingError> {
        let params = params(state)?;
        let c = candidate(state, candidate_addr)?;
        self.check_accepts(&c, delegator)?;
        let shares = self.shares_for(&c, amount)?;
        c.tokens.checked_add(amount).ok_or(StakingError::Overflow)?;
        self.bank.send_to_module(state, delegator, pool_of(c.status), &Coin::new(&params.bond_denom, amount))?;
        let c = self.apply_addition(state, &params, at, delegator, &c, amount, shares, "delegate")?;
        self.check_self_bond(state, &params, at, delegator, c)?;
        Ok(shares)
    }

    /// Starts unbonding exactly `amount` tokens of `delegator`'s stake at `candidate`; returns
    /// the unbonding entry id. The tokens move to the unbonding pool and are paid out at
    /// `now + unbonding_period` by the end-block queue.
    pub fn undelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate_addr: &Address,
        amount: u128,
    ) -> Result<u64, StakingError> {
        let params = params(state)?;
        let c = candidate(state, candidate_addr)?;
        let removal = self.removal(state, at, delegator, &c, amount, false)?;
        self.bank.move_between_modules(
            state,
            pool_of(c.status),
            UNBONDING_POOL,
            &Coin::new(&params.bond_denom, amount),
        )?;
        let c = self.apply_removal(state, &params, at, delegator, &c, &removal, amount, "undelegate")?;
        let id = self.next_id(state)?;
        let completion_time = at.time.plus_nanos(params.unbonding_period_nanos);
        let entry = UnbondingEntry {
            id,
            delegator: *delegator,
            candidate: c.operator,
            creation_height: at.height,
            completion_time,
            initial_balance: amount,
            balance: amount,
        };
        put_unbonding(state, &entry)?;
        UNBONDINGS_BY_CANDIDATE.put(state, &(c.operator, at.height, id), &())?;
        UNBONDINGS_BY_DELEGATOR.put(state, &(*delegator, c.operator, id), &())?;
        emit(
            state,
            &event::UnbondingStarted {
                id,
                delegator: *delegator,
                candidate: c.operator,
                amount,
                creation_height: at.height,
                completion_time: completion_time.0,
            },
        )?;
        self.check_self_bond(state, &params, at, delegator, c)?;
        Ok(id)
    }

    /// Moves exactly `amount` tokens of `delegator`'s stake from `source` to `destination` at
    /// once; returns the redelegation entry id. Stake that arrived at `source` by a pending
    /// redelegation cannot move on ([`StakingError::RedelegationLocked`], with the earliest time).
    pub fn redelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        source: &Address,
        destination: &Address,
        amount: u128,
    ) -> Result<u64, StakingError> {
        if source == destination {
            return Err(StakingError::SelfRedelegation { candidate: *source });
        }
        let params = params(state)?;
        let src = candidate(state, source)?;
        let dst = candidate(state, destination)?;
        self.check_accepts(&dst, delegator)?;
        let removal = self.removal(state, at, delegator, &src, amount, true)?;
        let shares_dst = self.shares_for(&dst, amount)?;
        dst.tokens.checked_add(amount).ok_or(StakingError::Overflow)?;
        let (from_pool, to_pool) = (pool_of(src.status), pool_of(dst.status));
        if from_pool != to_pool {
            self.bank.move_between_modules(state, from_pool, to_pool, &Coin::new(&params.bond_denom, amount))?;
        }
        let src = self.apply_removal(state, &params, at, delegator, &src, &removal, amount, "redelegate")?;
        let dst = self.apply_addition(state, &params, at, delegator, &dst, amount, shares_dst, "redelegate")?;
        let id = self.next_id(state)?;
        let completion_time = at.time.plus_nanos(params.unbonding_period_nanos);
        let entry = RedelegationEntry {
            id,
            delegator: *delegator,
            source: *source,
            destination: *destination,
            creation_height: at.height,
            completion_time,
            initial_balance: amount,
            shares_dst,
        };
        REDELEGATIONS.put(state, &id, &entry)?;
        REDELEGATION_QUEUE.put(state, &(completion_time.0, id), &())?;
        REDELEGATIONS_BY_SOURCE.put(state, &(*source, at.height, id), &())?;
        REDELEGATIONS_BY_DELEGATOR.put(state, &(*delegator, *destination, id), &())?;
        emit(
            state,
            &event::RedelegationStarted {
                id,
                delegator: *delegator,
                source: *source,
                destination: *destination,
                amount,
                shares_dst,
                creation_height: at.height,
                completion_time: completion_time.0,
            },
        )?;
        self.check_self_bond(state, &params, at, delegator, src)?;
        self.check_self_bond(state, &params, at, delegator, dst)?;
        Ok(id)
    }

    /// Removes `delegator`'s shares at `candidate` when they are worth zero tokens (a slash took
    /// what backed them), so the entry stops holding a place in the vote set; returns the
    /// shares removed. Refuses shares that are worth something (`InsufficientStake` with the
    /// value: undelegate them instead). Emits `staking.unbond` with amount 0, reason `forfeit`.
    pub fn forfeit_worthless_shares(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate_addr: &Address,
    ) -> Result<u128, StakingError> {
        let params = params(state)?;
        let c = candidate(state, candidate_addr)?;
        let held = vote_set(state, delegator)?.shares(candidate_addr);
        let value = shares_value(&c, held)?;
        if held == 0 || value > 0 {
            return Err(StakingError::InsufficientStake {
                delegator: *delegator,
                candidate: *candidate_addr,
                available: value,
                requested: 0,
            });
        }
        let removal = Removal { shares: held, held_after: 0, consumed: Vec::new() };
        // Pending redelegations into it lose their (worthless) shares too.
        let pending = pending_redelegations_into(state, delegator, candidate_addr, at.time)?;
        let removal = Removal { consumed: pending.iter().map(|e| (e.id, 0)).collect(), ..removal };
        let c = self.apply_removal(state, &params, at, delegator, &c, &removal, 0, "forfeit")?;
        self.check_self_bond(state, &params, at, delegator, c)?;
        Ok(held)
    }

    /// Returns `amount` of unbonding entry `id` (which `delegator` owns and which has not
    /// matured) to the same candidate, minting shares at the current rate.
    pub fn cancel_unbonding(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        id: u64,
        amount: u128,
    ) -> Result<u128, StakingError> {
        let params = params(state)?;
        let mut entry = UNBONDINGS.get(state, &id)?.ok_or(StakingError::UnknownUnbonding { id })?;
        if entry.delegator != *delegator {
            return Err(StakingError::NotOwner { id });
        }
        if entry.completion_time <= at.time {
            return Err(StakingError::UnbondingMatured { id, completion_time: entry.completion_time.0 });
        }
        if amount == 0 {
            return Err(StakingError::ZeroAmount);
        }
        if amount > entry.balance {
            return Err(StakingError::InsufficientStake {
                delegator: *delegator,
                candidate: entry.candidate,
                available: entry.balance,
                requested: amount,
            });
        }
        let c = candidate(state, &entry.candidate)?;
        self.check_accepts(&c, delegator)?;
        let shares = self.shares_for(&c, amount)?;
        c.tokens.checked_add(amount).ok_or(StakingError::Overflow)?;
        self.bank.move_between_modules(
            state,
            UNBONDING_POOL,
            pool_of(c.status),
            &Coin::new(&params.bond_denom, amount),
        )?;
        entry.balance = entry.balance.saturating_sub(amount);
        entry.initial_balance = entry.initial_balance.saturating_sub(amount);
        if entry.balance == 0 {
            self.delete_unbonding(state, &entry)?;
        } else {
            put_unbonding(state, &entry)?;
        }
        emit(
            state,
            &event::UnbondingCancelled {
                id,
                delegator: *delegator,
                candidate: entry.candidate,
                amount,
                balance: entry.balance,
            },
        )?;
        let c = self.apply_addition(state, &params, at, delegator, &c, amount, shares, "cancel_unbonding")?;
        self.check_self_bond(state, &params, at, delegator, c)?;
        Ok(shares)
    }

    /// Deletes an entry and its three index keys (entry, queue, by-candidate, by-delegator).
    pub(crate) fn delete_unbonding(&self, state: &mut impl StateWrite, e: &UnbondingEntry) -> Result<(), StateError> {
        UNBONDINGS.delete(state, &e.id)?;
        UNBONDING_QUEUE.delete(state, &(e.completion_time.0, e.id))?;
        UNBONDINGS_BY_CANDIDATE.delete(state, &(e.candidate, e.creation_height, e.id))?;
        UNBONDINGS_BY_DELEGATOR.delete(state, &(e.delegator, e.candidate, e.id))
    }

    pub(crate) fn delete_redelegation(
        &self,
        state: &mut impl StateWrite,
        e: &RedelegationEntry,
    ) -> Result<(), StateError> {
        REDELEGATIONS.delete(state, &e.id)?;
        REDELEGATION_QUEUE.delete(state, &(e.completion_time.0, e.id))?;
        REDELEGATIONS_BY_SOURCE.delete(state, &(e.source, e.creation_height, e.id))?;
        REDELEGATIONS_BY_DELEGATOR.delete(state, &(e.delegator, e.destination, e.id))
    }

    /// Takes up to `shares` of `delegator`'s shares at `destination` for a slash and burns
    /// their tokens (capped at `max_tokens`, rounded up); returns (tokens, shares) taken.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn slash_shares(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        delegator: &Address,
        destination: &Address,
        shares: u128,
        max_tokens: u128,
    ) -> Result<(u128, u128, Candidate, u128), StakingError> {
        let old = candidate(state, destination)?;
        let held = vote_set(state, delegator)?.shares(destination);
        let shares = shares.min(held).min(old.shares);
        if shares == 0 || old.tokens == 0 {
            return Ok((0, 0, old, held));
        }
        let tokens = if shares == old.shares {
            old.tokens
        } else {
            mul_div_ceil(shares, old.tokens, old.shares)?.min(old.tokens)
        };
        let tokens = tokens.min(max_tokens);
        let mut c = old.clone();
        c.tokens = c.tokens.saturating_sub(tokens);
        c.shares = c.shares.saturating_sub(shares);
        let held_after = held.saturating_sub(shares);
        self.bank.burn(state, pool_of(c.status), &Coin::new(&params.bond_denom, tokens))?;
        self.put_candidate(state, params, at, Some(&old), &c)?;
        self.put_shares(state, delegator, destination, held_after)?;
        Ok((tokens, shares, c, held_after))
    }
}

/// Writes an unbonding entry and its queue copy (the queue value is the entry, so end-block
/// needs no second read per entry). The two index keys are written at creation only: they do
/// not depend on the balance.
pub(crate) fn put_unbonding(state: &mut impl StateWrite, entry: &UnbondingEntry) -> Result<(), StateError> {
    UNBONDINGS.put(state, &entry.id, entry)?;
    UNBONDING_QUEUE.put(state, &(entry.completion_time.0, entry.id), entry)
}
