//! `conclave-rotation`: epochs, election of the validator set from a candidate registry's
//! ranking (staking's power index by default), the power caps, CometBFT validator updates
//! (effective at H+2) and the set history.
//!
//! Start at [`Rotation::end_block_updates`] ([`epoch`]); the pure parts (caps, differences)
//! are in [`elect`]; what rotation needs from the registry is [`expected::CandidateRegistry`].
//! `docs/modules/rotation.md` is the reference.

#![warn(clippy::arithmetic_side_effects)]

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod elect;
pub mod epoch;
pub mod error;
pub mod event;
pub mod expected;
pub mod genesis;
pub mod invariants;
pub mod params;
pub mod query;
#[cfg(feature = "conclave-staking")]
mod staking_adapter;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;
pub mod types;

/// The state schema, for tests that read it directly.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::{BlockInfo, EndBlockOutput, Module, StateRead, StateWrite, TxContext};

pub use elect::{Member, ValidatorUpdate};
pub use error::RotationError;
use expected::CandidateRegistry;
pub use genesis::Genesis;
pub use params::Params;
pub use types::SetRecord;

/// The rotation module: elects the validator set from a [`CandidateRegistry`].
#[derive(Clone, Debug)]
pub struct Rotation<R> {
    registry: R,
}

/// A rotation message. Wire format: borsh; the first byte is the variant's position (its
/// tag). **Append only.**
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Replaces the parameters; only the chain's parameter authority may sign it. The
    /// new values apply from the next election; `epoch_length` cannot change once the chain
    /// runs (epoch numbers and boundaries are computed from it).
    UpdateParams {
        /// The new parameters, whole.
        params: Params,
    },
}

impl<R: CandidateRegistry> Rotation<R> {
    /// Rotation over `registry` (which it reads to elect, and calls to activate, deactivate
    /// and rotate keys).
    pub fn new(registry: R) -> Self {
        Self { registry }
    }

    /// The validators CometBFT should start with (InitChain's response): the genesis set, or
    /// nothing when genesis elected none (CometBFT then keeps its genesis validators).
    pub fn genesis_validators(&self, state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, RotationError> {
        Ok(state::CURRENT
            .get(state)?
            .map(|r| {
                r.validators.iter().map(|m| ValidatorUpdate { pub_key: m.consensus_key, power: m.power }).collect()
            })
            .unwrap_or_default())
    }
}

/// Which parameter changes a running chain accepts (besides [`Params::validate`]).
fn check_params_change(old: &Params, new: &Params) -> Result<(), String> {
    if new.epoch_length != old.epoch_length {
        return Err(format!(
            "params.epoch_length cannot change from {}: epoch numbers and boundaries are computed from it",
            old.epoch_length
        ));
    }
    new.validate()
}

impl<R: CandidateRegistry> Module for Rotation<R> {
    const NAME: &'static str = "rotation";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = RotationError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), RotationError> {
        genesis::init(self, state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, RotationError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), RotationError> {
        match msg {
            Msg::UpdateParams { params } => params.validate().map_err(RotationError::InvalidParams),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), RotationError> {
        match msg {
            Msg::UpdateParams { params } => {
                conclave_core::authority::update_params(
                    state,
                    Self::NAME,
                    &state::PARAMS,
                    &ctx.signer,
                    params,
                    check_params_change,
                )?;
                Ok(())
            }
        }
    }

    /// At the chain's first block only: the set InitChain gave CometBFT signs from there
    /// ([`epoch::rebase_on_first_block`]; it changes something only for an imported chain).
    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), RotationError> {
        if block.first_block {
            epoch::rebase_on_first_block(state, block.height)?;
        }
        Ok(())
    }

    /// At an epoch's last height: elects the next set and returns CometBFT's updates
    /// ([`Rotation::end_block_updates`]). The app calls this before staking's end-block, so
    /// stake leaving the set this block is still slashable for it.
    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, RotationError> {
        let updates = self.end_block_updates(block, state)?;
        Ok(EndBlockOutput { validator_updates: updates.into_iter().map(ValidatorUpdate::for_consensus).collect() })
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, RotationError> {
        query::answer(&self.registry, state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(&self.registry, state)
    }
}
