//! Upgrade messages. Wire format: borsh; the first byte is the variant's position (its tag).
//! **Append only.** Both are the parameter authority's: a governance module executes them
//! for a passed proposal; on a chain without one, the authority account signs them itself.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::authority;
use conclave_core::event::emit;
use conclave_core::{StateWrite, TxContext};

use crate::error::UpgradeError;
use crate::event;
use crate::plan::Plan;
use crate::state::{APPLIED, PLAN};

/// An upgrade message.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Schedules `plan`, replacing the pending one if any (as Cosmos's x/upgrade).
    /// The height must be after the current block, and the name not one already applied.
    ScheduleUpgrade {
        /// The plan.
        plan: Plan,
    },
    /// Tag 1. Removes the pending plan; refused when there is none.
    CancelUpgrade,
}

/// Stateless checks.
pub fn validate(msg: &Msg) -> Result<(), UpgradeError> {
    match msg {
        Msg::ScheduleUpgrade { plan } => plan.validate().map_err(UpgradeError::InvalidPlan),
        Msg::CancelUpgrade => Ok(()),
    }
}

/// Executes `msg` for `ctx.signer`. Nothing is written on error.
pub(crate) fn execute(ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), UpgradeError> {
    validate(msg)?;
    let current = authority::authority(state)?;
    if current.as_ref() != Some(&ctx.signer) {
        return Err(UpgradeError::NotAuthority { signer: ctx.signer, authority: current });
    }
    match msg {
        Msg::ScheduleUpgrade { plan } => {
            if plan.height <= ctx.block.height {
                return Err(UpgradeError::HeightNotInFuture { height: plan.height, current: ctx.block.height });
            }
            if let Some(height) = APPLIED.get(state, &plan.name)? {
                return Err(UpgradeError::AlreadyApplied { name: plan.name.clone(), height });
            }
            if let Some(old) = PLAN.get(state)? {
                emit(state, &event::Cancelled { name: old.name, height: old.height, authority: ctx.signer })?;
            }
            PLAN.put(state, plan)?;
            emit(
                state,
                &event::Scheduled {
                    name: plan.name.clone(),
                    height: plan.height,
                    info: plan.info.clone(),
                    authority: ctx.signer,
                },
            )?;
            Ok(())
        }
        Msg::CancelUpgrade => {
            let plan = PLAN.get(state)?.ok_or(UpgradeError::NoPlan)?;
            PLAN.delete(state)?;
            emit(state, &event::Cancelled { name: plan.name, height: plan.height, authority: ctx.signer })?;
            Ok(())
        }
    }
}
