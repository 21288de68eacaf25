//! Candidate lifecycle: the functions the rotation and slashing modules call.
//!
//! ```text
//!              register
//!                 │
//!                 ▼            set_active            
//!   ┌──────▶ Candidate ◀──────────────────▶ Active
//!   │          │   ▲  set_inactive            │
//!   │   unjail │   │ jail                jail │
//!   │          ▼   │                          │
//!   │        Jailed ◀───────────────────────── (also from Exited)
//!   │ self-bond back ≥ min
//!   │        (Candidate | Active) ── self-bond < min ──▶ Exited
//!   └─────── Exited
//!   any but Tombstoned ── tombstone ──▶ Tombstoned (final)
//! ```
//!
//! Moving in or out of `Active` moves the candidate's tokens between the bonded and unbonded
//! pools. Every transition emits `staking.status_changed`.

use conclave_core::{event::emit, Address, BlockTime, StateWrite};

use crate::error::{hex32, StakingError};
use crate::event;
use crate::expected::{Bank, ShareHooks};
use crate::ledger::{candidate, params, self_bond};
use crate::types::{At, Status};
use crate::Staking;

/// A consensus key change: `(old, new)`.
pub type KeyChange = ([u8; 32], [u8; 32]);

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    fn require(
        &self,
        state: &impl conclave_core::StateRead,
        operator: &Address,
        allowed: &[Status],
        to: Status,
    ) -> Result<crate::types::Candidate, StakingError> {
        let c = candidate(state, operator)?;
        if !allowed.contains(&c.status) {
            return Err(StakingError::InvalidTransition { candidate: *operator, from: c.status, to });
        }
        Ok(c)
    }

    /// Candidate → Active (elected into the consensus set); tokens move to the bonded pool.
    pub fn set_active(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        let c = self.require(state, operator, &[Status::Candidate], Status::Active)?;
        self.transition(state, &params(state)?, at, c, Status::Active).map(drop)
    }

    /// Active → Candidate (left the consensus set); tokens move to the unbonded pool.
    pub fn set_inactive(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        let c = self.require(state, operator, &[Status::Active], Status::Candidate)?;
        self.transition(state, &params(state)?, at, c, Status::Candidate).map(drop)
    }

    /// Candidate, Active, Exited or Jailed → Jailed until `until` (a jailed candidate's jail
    /// is extended to the later time; an exited one must also restore its self-bond to unjail).
    pub fn jail(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        until: BlockTime,
    ) -> Result<(), StakingError> {
        let c = self.require(
            state,
            operator,
            &[Status::Candidate, Status::Active, Status::Exited, Status::Jailed],
            Status::Jailed,
        )?;
        let params = params(state)?;
        let mut jailed = c.clone();
        jailed.jailed_until = c.jailed_until.max(until);
        // Record the jail time first, then transition (which moves the pools and emits
        // `staking.status_changed`, from `jailed` to `jailed` when a jail is extended).
        self.put_candidate(state, &params, at, Some(&c), &jailed)?;
        self.transition(state, &params, at, jailed, Status::Jailed).map(drop)
    }

    /// Jailed → Candidate, once the jail time is over and the self-bond is at least the minimum.
    pub fn unjail(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        let c = self.require(state, operator, &[Status::Jailed], Status::Candidate)?;
        if at.time < c.jailed_until {
            return Err(StakingError::StillJailed { candidate: *operator, until: c.jailed_until.0 });
        }
        let params = params(state)?;
        let bond = self_bond(state, &c)?;
        if bond < params.min_self_bond {
            return Err(StakingError::SelfBondBelowMinimum { amount: bond, min: params.min_self_bond });
        }
        self.transition(state, &params, at, c, Status::Candidate).map(drop)
    }

    /// Any status but Tombstoned → Tombstoned, permanently.
    pub fn tombstone(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), StakingError> {
        let c = self.require(
            state,
            operator,
            &[Status::Candidate, Status::Active, Status::Jailed, Status::Exited],
            Status::Tombstoned,
        )?;
        self.transition(state, &params(state)?, at, c, Status::Tombstoned).map(drop)
    }

    /// Makes the pending consensus key current (the rotation module calls this at an epoch
    /// boundary); returns `(old, new)`, or `None` when no key is pending. The old key stays in
    /// the registry of used keys, so evidence against it still finds the candidate.
    pub fn apply_pending_key(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
    ) -> Result<Option<KeyChange>, StakingError> {
        let old = candidate(state, operator)?;
        let Some(new_key) = old.pending_consensus_key else { return Ok(None) };
        let mut c = old.clone();
        c.consensus_key = new_key;
        c.pending_consensus_key = None;
        self.put_candidate(state, &params(state)?, at, Some(&old), &c)?;
        emit(
            state,
            &event::ConsensusKeyApplied {
                candidate: *operator,
                old_key: hex32(&old.consensus_key),
                new_key: hex32(&new_key),
            },
        )?;
        Ok(Some((old.consensus_key, new_key)))
    }
}
