//! Conclave voting: the delegator side of delegated proof of stake.
//!
//! A delegator spreads its stake over up to `max_votes` candidates with explicit amounts
//! ([`Msg::SetVotes`] replaces the whole set atomically; [`Msg::Vote`] and [`Msg::Unvote`]
//! change one entry), redelegates at once, undelegates into the unbonding queue, and cancels
//! unbondings. Pre-flight queries answer whether an operation would pass, and from when.
//!
//! **Owns** its parameters (`max_votes`, `max_entries`) and the rules built on them. The stake
//! itself — vote sets, entries, pools — is a stake ledger this crate drives through the
//! [`expected::StakeLedger`] trait it owns; `conclave-staking` is one (default feature
//! `conclave-staking`), and a slash changes its ledger atomically there.
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
pub mod expected;
pub mod genesis;
pub mod msg;
pub mod ops;
pub mod params;
pub mod query;
#[cfg(feature = "conclave-staking")]
mod staking_adapter;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;

/// The state schema, for tests that write or compare it directly.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use conclave_core::{At, Module, StateRead, StateWrite, TxContext};

use crate::expected::StakeLedger;

pub use error::VotingError;
pub use genesis::{Genesis, GenesisVote};
pub use msg::{Msg, VoteTarget};
pub use params::Params;

/// The voting module, over the stake ledger it drives (any [`StakeLedger`]).
#[derive(Clone, Debug)]
pub struct Voting<L> {
    ledger: L,
}

impl<L: StakeLedger> Voting<L> {
    /// Voting over `ledger`.
    pub fn new(ledger: L) -> Self {
        Self { ledger }
    }

    /// The stake ledger.
    pub fn ledger(&self) -> &L {
        &self.ledger
    }
}

impl<L: StakeLedger> Module for Voting<L> {
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
