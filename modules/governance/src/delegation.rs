//! Governance delegation: a voter gives its governance power to any address without moving
//! stake (`Msg::Delegate`).
//!
//! - One delegate per voter; [`DELEGATORS`] indexes delegate → delegators for the tally.
//! - Precedence: the voter's own vote, then its delegate's own vote, then inheritance from its
//!   validators. A delegate that does not vote passes nothing on: its delegators fall back to
//!   their validators, so delegating never lowers turnout.
//! - One hop: a delegate's own delegation is not followed. Delegating to an address that has
//!   itself delegated is allowed (it may vote later); its delegate is just not followed.
//! - Not snapshotted: the delegation in force at the tally counts. That moves no stake, so
//!   nothing is counted twice.

use conclave_core::event::emit;
use conclave_core::{Address, StateRead, StateWrite};

use crate::error::GovernanceError;
use crate::event;
use crate::state::{DELEGATES, DELEGATORS};

/// `voter`'s governance delegate, if any.
pub fn delegate_of(state: &impl StateRead, voter: &Address) -> Result<Option<Address>, GovernanceError> {
    Ok(DELEGATES.get(state, voter)?)
}

/// Sets (`Some`) or clears (`None`) `delegator`'s delegate. Refusals write nothing.
pub fn set_delegate(
    state: &mut impl StateWrite,
    delegator: &Address,
    to: Option<Address>,
) -> Result<(), GovernanceError> {
    let current = DELEGATES.get(state, delegator)?;
    match to {
        Some(delegate) => {
            if delegate == *delegator {
                return Err(GovernanceError::SelfDelegation(*delegator));
            }
            if current == Some(delegate) {
                return Err(GovernanceError::AlreadyDelegated { delegator: *delegator, delegate });
            }
            if let Some(old) = current {
                DELEGATORS.delete(state, &(old, *delegator))?;
                emit(state, &event::Undelegated { delegator: *delegator, delegate: old })?;
            }
            DELEGATES.put(state, delegator, &delegate)?;
            DELEGATORS.put(state, &(delegate, *delegator), &())?;
            emit(state, &event::Delegated { delegator: *delegator, delegate })?;
        }
        None => {
            let Some(old) = current else { return Err(GovernanceError::NoDelegate(*delegator)) };
            DELEGATES.delete(state, delegator)?;
            DELEGATORS.delete(state, &(old, *delegator))?;
            emit(state, &event::Undelegated { delegator: *delegator, delegate: old })?;
        }
    }
    Ok(())
}
