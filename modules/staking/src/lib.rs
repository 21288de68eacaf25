//! Conclave staking: candidates (the validator side) and the stake ledger.
//!
//! **Owns** candidates and their consensus keys (with a registry of every key ever used),
//! the ledger of tokens and shares (per candidate, and per delegator in one vote set each),
//! the bonded, unbonded and unbonding pools (bank module accounts), unbonding and redelegation
//! entries with their end-block queues, a compact per-candidate token history, the power index
//! used to elect the active set, and the slashing primitive. The whole schema is in [`state`].
//!
//! The delegator-facing messages (vote, set votes, redelegate, undelegate, cancel) and their
//! limits live in `conclave-voting`, which calls the ledger functions here. Both sides write
//! one ledger because a slash must change delegators' stakes and entries atomically.
//!
//! **Invariants** ([`invariants::check`], after every test step): bonded pool = Σ tokens of
//! active candidates; unbonded pool = Σ tokens of the others; unbonding pool = Σ unbonding
//! balances; each candidate's shares = Σ its delegators' shares; vote sets and the reverse
//! index agree; the power and status indexes match the candidates; every current or pending
//! consensus key is in the registry. All arithmetic is checked `u128` with stated rounding.
//!
//! **Where to start:** [`ledger`] (delegate, undelegate, redelegate, cancel), [`slash`],
//! [`lifecycle`] (set_active, jail, unjail, tombstone, apply_pending_key), [`queue`] (end
//! block), [`msg`], [`query`], [`genesis`]. `docs/modules/staking.md` is the reference.

#![warn(clippy::arithmetic_side_effects)]

#[cfg(feature = "conclave-bank")]
mod bank_adapter;
/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod event;
pub mod expected;
pub mod genesis;
pub mod invariants;
pub mod ledger;
pub mod lifecycle;
pub mod msg;
pub mod params;
pub mod query;
pub mod queue;
pub mod slash;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;
pub mod types;

/// The state schema (every map and item), for tests and clients that build storage keys or
/// compare whole maps with a model. Other modules never see it: they call staking through the
/// traits they own.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use conclave_core::{BlockInfo, EndBlockOutput, Module, StateRead, StateWrite, TxContext};

use crate::expected::{Bank, NoHooks, ShareHooks, POOLS};

#[cfg(feature = "conclave-bank")]
pub use bank_adapter::bank_module_accounts;
pub use error::StakingError;
pub use genesis::{Genesis, GenesisRegistration};
pub use msg::{CommissionRates, Msg};
pub use params::Params;
pub use slash::SlashOutcome;
pub use types::{
    At, Candidate, Commission, Description, RatePpb, RedelegationEntry, Status, UnbondingEntry, Vote, VoteSet, PPB_ONE,
};

/// Module account holding the tokens of active candidates.
pub const BONDED_POOL: &str = "staking_bonded";
/// Module account holding the tokens of candidates not in the active set.
pub const UNBONDED_POOL: &str = "staking_unbonded";
/// Module account holding unbonding entries' tokens until they complete.
pub const UNBONDING_POOL: &str = "staking_unbonding";

/// The staking module, over the bank it moves pool funds with (any [`expected::Bank`]) and
/// the hooks it tells of share changes ([`expected::ShareHooks`]; none by default).
#[derive(Clone, Debug)]
pub struct Staking<B, H = NoHooks> {
    bank: B,
    hooks: H,
}

impl<B: Bank> Staking<B, NoHooks> {
    /// Staking over `bank`, without hooks (see [`Staking::with_hooks`]).
    pub fn new(bank: B) -> Result<Self, StakingError> {
        Staking::with_hooks(bank, NoHooks)
    }
}

impl<B: Bank, H: ShareHooks> Staking<B, H> {
    /// Staking over `bank`, which must have the [`expected::POOLS`] as module accounts that
    /// may burn (with `conclave-bank`: give `Bank::new` the [`bank_module_accounts`]), telling
    /// `hooks` of every share change first.
    pub fn with_hooks(bank: B, hooks: H) -> Result<Self, StakingError> {
        if let Some(pool) = POOLS.into_iter().find(|pool| !bank.is_burner_module(pool)) {
            return Err(StakingError::InvalidGenesis(format!(
                "the bank lacks module account {pool:?} with the burner permission: \
                 add conclave_staking::bank_module_accounts() to the bank's module accounts"
            )));
        }
        Ok(Self { bank, hooks })
    }

    /// The bank.
    pub fn bank(&self) -> &B {
        &self.bank
    }
}

impl<B: Bank, H: ShareHooks> Module for Staking<B, H> {
    const NAME: &'static str = "staking";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = StakingError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), StakingError> {
        genesis::init(self, state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, StakingError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), StakingError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), StakingError> {
        self.execute(ctx, state, msg)
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, StakingError> {
        self.process_queues(state, At::block(block)).map(|_| EndBlockOutput::default())
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, StakingError> {
        self.answer(state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(state, &self.bank)
    }
}
