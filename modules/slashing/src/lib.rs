//! `conclave-slashing`: punishes validators from what CometBFT tells every block.
//!
//! - **Double sign** ([`evidence`]): each `misbehavior` (duplicate vote or light-client
//!   attack) not older than both of CometBFT's evidence limits, against a validator not yet
//!   tombstoned, slashes `slash_fraction_double_sign` of its stake and tombstones it.
//! - **Downtime** ([`liveness`]): `decided_last_commit` updates a signing record per
//!   validator over a window of `signed_blocks_window` blocks; missing more than the window
//!   allows jails it for `downtime_jail_duration` and slashes `slash_fraction_downtime`.
//! - Either way the validator leaves the set at the end of the block (a power-0 update),
//!   and its operator may later send [`Msg::Unjail`] (never after a tombstone).
//!
//! **Owns** its parameters, the signing records and missed-block bitmaps, and the slashing
//! history ([`state`]). The stake, the candidates' status and the validator sets belong to
//! other modules, reached through traits this crate owns ([`expected`]).
//!
//! **Invariants** ([`invariants::check`]): each record's missed count equals its bitmap's
//! population and is at most the window; a tombstoned record's candidate is tombstoned.
//! `docs/modules/slashing.md` is the reference, with the timeline of heights.

#![warn(clippy::arithmetic_side_effects)]

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod event;
pub mod evidence;
pub mod expected;
pub mod genesis;
pub mod invariants;
pub mod liveness;
pub mod msg;
pub mod params;
pub mod query;
#[cfg(feature = "conclave-rotation")]
mod rotation_adapter;
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

use conclave_core::{BlockInfo, Module, StateRead, StateWrite, TxContext};

pub use error::SlashingError;
use expected::{Candidates, ValidatorSets};
pub use genesis::Genesis;
pub use msg::Msg;
pub use params::Params;
pub use types::{Reason, SigningInfo, SlashRecord};

/// The slashing module, over the candidates it punishes and the validator sets it reads.
#[derive(Clone, Debug)]
pub struct Slashing<C, V> {
    candidates: C,
    sets: V,
}

impl<C: Candidates, V: ValidatorSets> Slashing<C, V> {
    /// Slashing over `candidates` (status, slash, jail, tombstone, unjail) and `sets` (who
    /// signed which height; removal from the set).
    pub fn new(candidates: C, sets: V) -> Self {
        Self { candidates, sets }
    }
}

impl<C: Candidates, V: ValidatorSets> Module for Slashing<C, V> {
    const NAME: &'static str = "slashing";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = SlashingError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), SlashingError> {
        genesis::init(state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, SlashingError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), SlashingError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), SlashingError> {
        self.execute(state, conclave_core::At::block(ctx.block), &ctx.signer, msg)
    }

    /// Evidence first (a tombstoned validator's misses then no longer count), then liveness.
    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), SlashingError> {
        self.handle_evidence(block, state)?;
        self.track_liveness(block, state)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, SlashingError> {
        self.answer(state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(&self.candidates, state)
    }
}
