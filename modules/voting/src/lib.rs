//! Conclave voting: the delegator side of delegated proof of stake.
//!
//! A delegator spreads its stake over up to `max_votes` candidates with explicit amounts
//! ([`Msg::SetVotes`] replaces the whole set atomically; [`Msg::Vote`] and [`Msg::Unvote`]
//! change one entry), redelegates at once, undelegates into the unbonding queue, and cancels
//! unbondings. Pre-flight queries answer whether an operation would pass, and from when.
//!
//! **Owns** its parameters (`max_votes`, `max_entries`) and the rules built on them. The stake
//! itself — vote sets under one key per delegator, the reverse index, entries, pools — is the
//! ledger of `conclave-staking`, which this crate calls; a slash changes it atomically there.
//!
//! **Invariants:** every operation is all-or-nothing (it runs on an overlay and is applied only
//! on success); a vote set never grows past `max_votes`; a (delegator, candidate) pair never
//! gets more than `max_entries` pending unbondings, nor redelegations into it.
//!
//! **Where to start:** [`msg`], [`ops`], [`query`]; `docs/modules/voting.md` is the reference.

#![warn(clippy::arithmetic_side_effects)]

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod genesis;
pub mod msg;
pub mod ops;
pub mod params;
pub mod query;
pub mod state;

#[cfg(test)]
mod tests;

use conclave_core::{Module, StateRead, StateWrite, TxContext};
use conclave_staking::{At, Staking};

pub use error::VotingError;
pub use genesis::{Genesis, GenesisVote};
pub use msg::{Msg, VoteTarget};
pub use params::Params;

/// The voting module, holding the staking module whose ledger it drives.
#[derive(Clone, Debug)]
pub struct Voting {
    staking: Staking,
}

impl Voting {
    /// Voting over `staking`'s ledger.
    pub fn new(staking: Staking) -> Self {
        Self { staking }
    }

    /// The staking module.
    pub fn staking(&self) -> &Staking {
        &self.staking
    }
}

impl Module for Voting {
    const NAME: &'static str = "voting";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = VotingError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), VotingError> {
        genesis::init(self, state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, VotingError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), VotingError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), VotingError> {
        self.apply(state, At::block(ctx.block), &ctx.signer, msg)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, VotingError> {
        self.answer(state, path, data)
    }
}
