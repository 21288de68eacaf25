//! Conclave bank: who holds how much of each denomination.
//!
//! **Owns** the balance of every account in every denomination, the total supply of every
//! denomination, and the static list of module accounts (accounts a module controls, such as
//! the `fee_collector`). Its state is two maps, shown whole in [`state`].
//!
//! **Invariants** (checked by [`invariants::check`] after every test step):
//! - for every denomination, supply = Σ balances; only minting and burning change it;
//! - no balance or supply of zero is stored (it is deleted instead);
//! - an operation that fails with a bank error (other than [`BankError::State`]) has written
//!   nothing and emitted nothing;
//! - all arithmetic is checked `u128`; no floats, no `HashMap` iteration.
//!
//! **Where to start:** [`msg`] for what users can send, [`ops`] for what other modules and
//! the runtime call (`transfer`, `mint`, `burn`, `collect_fee`, ...), [`error`] for the
//! codes, [`genesis`] and [`query`] for the JSON formats. `docs/modules/bank.md` is the
//! reference for clients and app authors.

#![warn(clippy::arithmetic_side_effects)]

pub mod accounts;
/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod event;
pub mod genesis;
pub mod invariants;
pub mod issuance;
pub mod msg;
pub mod ops;
pub mod query;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;

/// The state schema, for tests that read or write it directly. Other modules never see it:
/// they call the bank's functions, or a trait of their own that the app implements with them.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use conclave_core::{Address, Module, StateRead, StateWrite, TxContext};

use accounts::Registered;
pub use accounts::{ModuleAccount, Permissions, FEE_COLLECTOR};
pub use error::BankError;
pub use genesis::{Genesis, GenesisBalance, GenesisIssuance};
pub use issuance::Issuance;
pub use msg::{Msg, Output, MAX_OUTPUTS};
pub use ops::{balance, balance_key, balances, supplies, supply, transfer};

/// The bank module, holding its static configuration: the module accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bank {
    /// Sorted by name; always includes the fee collector.
    accounts: Vec<Registered>,
    /// [`FEE_COLLECTOR`]'s address, derived once (a BLAKE3 hash): every transaction pays to it.
    fee_collector: Address,
}

impl Bank {
    /// A bank with `module_accounts` plus the [`FEE_COLLECTOR`] (added if absent). Fails on an
    /// invalid or repeated name, or a fee collector given permissions.
    pub fn new(module_accounts: impl IntoIterator<Item = ModuleAccount>) -> Result<Self, BankError> {
        Ok(Self { accounts: accounts::register(module_accounts)?, fee_collector: Address::module(FEE_COLLECTOR) })
    }

    /// The configured module accounts, by name.
    pub fn module_accounts(&self) -> impl Iterator<Item = &ModuleAccount> {
        self.accounts.iter().map(|r| &r.account)
    }

    /// The module account called `name`, if configured.
    pub fn module_account(&self, name: &str) -> Option<&ModuleAccount> {
        self.accounts.iter().find(|r| r.account.name == name).map(|r| &r.account)
    }

    /// The address of module account `name`; [`BankError::UnknownModuleAccount`] if absent.
    pub fn module_address(&self, name: &str) -> Result<Address, BankError> {
        self.registered(name).map(|r| r.address)
    }

    /// The module account at `address`, if it is one.
    pub fn module_account_at(&self, address: &Address) -> Option<&ModuleAccount> {
        self.accounts.iter().find(|r| r.address == *address).map(|r| &r.account)
    }

    /// The fee collector's address.
    pub fn fee_collector_address(&self) -> Address {
        self.fee_collector
    }

    fn registered(&self, name: &str) -> Result<&Registered, BankError> {
        self.accounts
            .iter()
            .find(|r| r.account.name == name)
            .ok_or_else(|| BankError::UnknownModuleAccount { name: name.chars().take(64).collect() })
    }

    /// The module account `name` if it has the permission `has` checks.
    fn permitted(
        &self,
        name: &str,
        permission: &'static str,
        has: fn(&Permissions) -> bool,
    ) -> Result<&Registered, BankError> {
        let registered = self.registered(name)?;
        if !has(&registered.account.permissions) {
            return Err(BankError::MissingPermission { module: name.to_owned(), permission });
        }
        Ok(registered)
    }

    fn check_not_module_account(&self, address: &Address) -> Result<(), BankError> {
        match self.module_account_at(address) {
            Some(account) => Err(BankError::BlockedRecipient { address: *address, module: account.name.to_owned() }),
            None => Ok(()),
        }
    }
}

impl Default for Bank {
    /// A bank whose only module account is the fee collector.
    fn default() -> Self {
        let account = ModuleAccount::new(FEE_COLLECTOR, Permissions::NONE);
        let fee_collector = account.address();
        Self { accounts: vec![Registered { account, address: fee_collector }], fee_collector }
    }
}

impl Module for Bank {
    const NAME: &'static str = "bank";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = BankError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), BankError> {
        genesis::init(state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, BankError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), BankError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), BankError> {
        self.execute(state, &ctx.signer, msg)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, BankError> {
        self.answer(state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(state)
    }
}
