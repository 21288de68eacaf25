//! `conclave-rewards`: issuance and distribution in one module.
//!
//! - **Issuance** ([`mint`]): every block mints for the block time that passed, at an annual
//!   inflation that moves each epoch toward the bonded-ratio goal, within bounds.
//! - **Distribution** ([`distribution`]): each block, the fees collected and the issuance go
//!   to the community pool (its tax), the proposer (a bonus scaled by the signed power of the
//!   commit it included), and the validators that signed the previous block, by power; each
//!   validator's part is split into its operator's commission and its shares'.
//! - **Accounting** ([`accounting`]): a cumulative reward per share per candidate, settled
//!   into a delegator's record before any change of its shares (staking calls [`Hooks`]),
//!   claimed as whole tokens. No work per delegator per block; slashes need no correction
//!   (they change tokens, not shares); a reward stays claimable after its delegator leaves
//!   or its candidate is tombstoned or exits.
//!
//! Why one module and not mint + distribution: the issuance rate depends on the bonded ratio
//! distribution already reads, both run in the same hook, and one conservation invariant
//! (minted + fees = paid + pools) covers both. Why liquid claims (F1-style, per share)
//! rather than an auto-compounding exchange rate: voters choose what to do with rewards
//! (restake, spend, pay fees), commission is paid apart from stake, and rewards never move
//! voting power without the voter. `docs/modules/rewards.md` is the reference.
//!
//! **Owns** its parameters, the minter, the candidates' and votes' records and the totals
//! ([`state`]); the coins are in two bank module accounts, [`REWARDS_POOL`] (may mint) and
//! [`COMMUNITY_POOL`].

#![warn(clippy::arithmetic_side_effects)]

pub mod accounting;
#[cfg(feature = "conclave-bank")]
mod bank_adapter;
/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod distribution;
pub mod error;
pub mod event;
pub mod expected;
pub mod genesis;
pub mod invariants;
pub mod mint;
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

#[cfg(feature = "conclave-bank")]
pub use bank_adapter::bank_module_accounts;
pub use error::RewardsError;
use expected::{Bank, Signers, Stake};
pub use genesis::Genesis;
pub use msg::Msg;
pub use params::Params;

/// The module account holding every reward given and not yet paid (it may mint).
pub const REWARDS_POOL: &str = "rewards_pool";
/// The module account of the community pool.
pub const COMMUNITY_POOL: &str = "community_pool";

/// The rewards module, over the stake it pays on, the bank it mints and pays with, and the
/// validator sets that say who signed.
#[derive(Clone, Debug)]
pub struct Rewards<S, B, V> {
    stake: S,
    bank: B,
    sets: V,
}

impl<S: Stake, B: Bank, V: Signers> Rewards<S, B, V> {
    /// Rewards over `stake`, `bank` (which must have [`REWARDS_POOL`], allowed to mint, and
    /// [`COMMUNITY_POOL`]) and `sets`.
    pub fn new(stake: S, bank: B, sets: V) -> Result<Self, RewardsError> {
        if !bank.is_minter_module(REWARDS_POOL) || !bank.is_module(COMMUNITY_POOL) {
            return Err(RewardsError::InvalidGenesis(format!(
                "the bank lacks the module accounts {REWARDS_POOL:?} (minter) and {COMMUNITY_POOL:?}: \
                 add conclave_rewards::bank_module_accounts() to the bank's module accounts"
            )));
        }
        Ok(Self { stake, bank, sets })
    }
}

/// Staking's share hooks: settle a delegator's rewards before its shares change. Holds no
/// other module, so staking can own it while rewards reads staking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hooks;

impl<S: Stake, B: Bank, V: Signers> Module for Rewards<S, B, V> {
    const NAME: &'static str = "rewards";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = RewardsError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), RewardsError> {
        genesis::init(state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, RewardsError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), RewardsError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), RewardsError> {
        self.execute(state, &ctx.signer, msg)
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), RewardsError> {
        self.distribute(block, state)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, RewardsError> {
        self.answer(state, path, data)
    }

    /// Conservation, solvency and coverage ([`invariants`]).
    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        let holders = self.stake.holders(state).map_err(|e| e.to_string())?;
        invariants::check(&self.stake, &self.bank, state, &holders)
    }
}
