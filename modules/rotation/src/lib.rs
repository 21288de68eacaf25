//! `conclave-rotation`: epochs, election of the validator set from staking's power index, the
//! power caps, CometBFT validator updates (effective at H+2) and the set history.
//!
//! Start at [`Rotation::end_block_updates`] ([`epoch`]); the pure parts (caps, differences)
//! are in [`elect`]. `docs/modules/rotation.md` is the reference.

#![warn(clippy::arithmetic_side_effects)]

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod elect;
pub mod epoch;
pub mod error;
pub mod event;
pub mod genesis;
pub mod invariants;
pub mod params;
pub mod query;
pub mod state;
pub mod types;

#[cfg(test)]
mod tests;

use conclave_core::{BlockInfo, EndBlockOutput, Module, StateRead, StateWrite, TxContext};
use conclave_staking::Staking;

pub use elect::{Member, ValidatorUpdate};
pub use error::RotationError;
pub use genesis::Genesis;
pub use params::Params;
pub use types::SetRecord;

/// The rotation module: elects the validator set through staking.
#[derive(Clone, Debug)]
pub struct Rotation {
    staking: Staking,
}

/// Rotation has no messages (the type has no values; decoding one always fails).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {}

impl borsh::BorshSerialize for Msg {
    fn serialize<W: borsh::io::Write>(&self, _writer: &mut W) -> borsh::io::Result<()> {
        match *self {}
    }
}

impl borsh::BorshDeserialize for Msg {
    fn deserialize_reader<R: borsh::io::Read>(_reader: &mut R) -> borsh::io::Result<Self> {
        Err(borsh::io::Error::new(borsh::io::ErrorKind::InvalidData, "the rotation module has no messages"))
    }
}

impl Rotation {
    /// Rotation over `staking` (which it calls to activate, deactivate and rotate keys).
    pub fn new(staking: Staking) -> Self {
        Self { staking }
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

impl Module for Rotation {
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
        match *msg {}
    }

    fn deliver(&self, _ctx: &TxContext<'_>, _state: &mut impl StateWrite, msg: &Msg) -> Result<(), RotationError> {
        match *msg {}
    }

    /// At an epoch's last height: elects the next set and returns CometBFT's updates
    /// ([`Rotation::end_block_updates`]). The app calls this before staking's end-block, so
    /// stake leaving the set this block is still slashable for it.
    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, RotationError> {
        let updates = self.end_block_updates(block, state)?;
        Ok(EndBlockOutput { validator_updates: updates.into_iter().map(ValidatorUpdate::for_consensus).collect() })
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, RotationError> {
        query::answer(state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(state)
    }
}
