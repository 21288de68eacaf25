//! Slashing messages. Wire format: borsh; the first byte is the variant's position (its
//! tag). **Append only.**

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::dry_run::DryRun;
use conclave_core::event::emit;
use conclave_core::{Address, At, StateWrite};

use crate::error::SlashingError;
use crate::event;
use crate::expected::{Candidates, Standing, ValidatorSets};
use crate::params::Params;
use crate::state::PARAMS;
use crate::Slashing;

/// A slashing message.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Takes the signer's candidate out of jail: refused while jail time remains,
    /// when it is tombstoned, or when its self-bond is under the minimum. It is eligible
    /// again at the next election.
    Unjail,
    /// Tag 1. Replaces the parameters; only the chain's parameter authority may sign it.
    /// `signed_blocks_window` cannot change once the chain runs (the bitmaps are indexed by
    /// it).
    UpdateParams {
        /// The new parameters, whole.
        params: Params,
    },
}

/// Stateless checks.
pub fn validate(msg: &Msg) -> Result<(), SlashingError> {
    match msg {
        Msg::Unjail => Ok(()),
        Msg::UpdateParams { params } => params.validate().map_err(SlashingError::InvalidParams),
    }
}

/// Which parameter changes a running chain accepts (besides [`Params::validate`]).
fn check_params_change(old: &Params, new: &Params) -> Result<(), String> {
    if new.signed_blocks_window != old.signed_blocks_window {
        return Err(format!(
            "params.signed_blocks_window cannot change from {}: the missed-block bitmaps are indexed by it",
            old.signed_blocks_window
        ));
    }
    new.validate()
}

impl<C: Candidates, V: ValidatorSets> Slashing<C, V> {
    /// Executes `msg` for `signer` in block `at`, all or nothing.
    pub(crate) fn execute(
        &self,
        state: &mut impl StateWrite,
        at: At,
        signer: &Address,
        msg: &Msg,
    ) -> Result<(), SlashingError> {
        validate(msg)?;
        match msg {
            Msg::Unjail => {
                let changes = {
                    let mut dry = DryRun::new(&*state);
                    self.unjail(&mut dry, at, signer)?;
                    dry.into_changes()
                };
                changes.apply(state)?;
                Ok(())
            }
            Msg::UpdateParams { params } => {
                conclave_core::authority::update_params(
                    state,
                    "slashing",
                    &PARAMS,
                    signer,
                    params,
                    check_params_change,
                )?;
                Ok(())
            }
        }
    }

    /// Unjails `operator`'s candidate (see [`Msg::Unjail`]).
    pub(crate) fn unjail(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), SlashingError> {
        let candidates_error = |e: C::Error| SlashingError::from_candidates::<C>(&e);
        match self.candidates.standing(state, operator).map_err(candidates_error)? {
            Standing::Tombstoned => Err(SlashingError::Tombstoned { operator: *operator }),
            Standing::Free => Err(SlashingError::NotJailed { operator: *operator }),
            Standing::Jailed { .. } => {
                self.candidates.unjail(state, at, operator).map_err(candidates_error)?;
                emit(state, &event::Unjailed { operator: *operator })?;
                Ok(())
            }
        }
    }
}
