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

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod dry_run;
pub mod error;
pub mod event;
pub mod genesis;
pub mod invariants;
pub mod ledger;
pub mod lifecycle;
pub mod msg;
pub mod params;
pub mod query;
pub mod queue;
pub mod slash;
pub mod state;
pub mod types;

#[cfg(test)]
mod tests;

use conclave_bank::{Bank, ModuleAccount, Permissions};
use conclave_core::{BlockInfo, EndBlockOutput, Module, StateRead, StateWrite, TxContext};

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

/// The staking module. Holds the bank configuration it moves pool funds with.
#[derive(Clone, Debug)]
pub struct Staking {
    bank: Bank,
}

impl Staking {
    /// The module accounts the app must give `Bank::new` (all three may burn, for slashes).
    pub fn module_accounts() -> [ModuleAccount; 3] {
        [
            ModuleAccount::new(BONDED_POOL, Permissions::BURNER),
            ModuleAccount::new(UNBONDED_POOL, Permissions::BURNER),
            ModuleAccount::new(UNBONDING_POOL, Permissions::BURNER),
        ]
    }

    /// Staking over `bank`, which must configure [`Staking::module_accounts`].
    pub fn new(bank: Bank) -> Result<Self, StakingError> {
        for account in Self::module_accounts() {
            match bank.module_account(account.name) {
                Some(found) if found.permissions.burner => {}
                _ => {
                    return Err(StakingError::InvalidGenesis(format!(
                        "the bank lacks module account {:?} with the burner permission: add Staking::module_accounts() to Bank::new",
                        account.name
                    )))
                }
            }
        }
        Ok(Self { bank })
    }

    /// The bank configuration.
    pub fn bank(&self) -> &Bank {
        &self.bank
    }
}

impl Module for Staking {
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
        invariants::check(state)
    }
}
