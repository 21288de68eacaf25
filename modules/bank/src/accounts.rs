//! Module accounts: accounts owned by a module rather than a key. Their address is
//! [`Address::module`] of the name; no private key exists, so funds leave them only through
//! the bank's library functions, called by the owning module.

use conclave_core::Address;
use serde::{Deserialize, Serialize};

use crate::error::BankError;

/// The module account that receives transaction fees. Always configured, with no permissions.
pub const FEE_COLLECTOR: &str = "fee_collector";

/// Longest accepted module account name, in bytes.
pub const MAX_MODULE_NAME_LEN: usize = 64;

/// What a module account may do besides holding and moving funds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// May create coins ([`crate::Bank::mint`]).
    pub minter: bool,
    /// May destroy coins it holds ([`crate::Bank::burn`]).
    pub burner: bool,
}

impl Permissions {
    /// Holds and moves funds only.
    pub const NONE: Permissions = Permissions { minter: false, burner: false };
    /// May mint.
    pub const MINTER: Permissions = Permissions { minter: true, burner: false };
    /// May burn.
    pub const BURNER: Permissions = Permissions { minter: false, burner: true };
    /// May mint and burn.
    pub const MINTER_AND_BURNER: Permissions = Permissions { minter: true, burner: true };
}

/// One module account of the bank's static configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleAccount {
    /// Its name: 1 to 64 characters of `a-z`, `0-9` and `_`, starting with a letter.
    pub name: &'static str,
    /// What it may do.
    pub permissions: Permissions,
}

impl ModuleAccount {
    /// A module account called `name`.
    pub const fn new(name: &'static str, permissions: Permissions) -> Self {
        Self { name, permissions }
    }

    /// Its address, [`Address::module`] of its name.
    pub fn address(&self) -> Address {
        Address::module(self.name)
    }
}

/// A configured module account with its address computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Registered {
    pub(crate) account: ModuleAccount,
    pub(crate) address: Address,
}

/// Validates the configuration and adds the fee collector; the result is sorted by name.
pub(crate) fn register(accounts: impl IntoIterator<Item = ModuleAccount>) -> Result<Vec<Registered>, BankError> {
    let fee_collector = ModuleAccount::new(FEE_COLLECTOR, Permissions::NONE);
    let mut all: Vec<ModuleAccount> = vec![fee_collector];
    for account in accounts {
        check_name(account.name)?;
        if account.name == FEE_COLLECTOR {
            if account != fee_collector {
                return Err(BankError::InvalidConfig(format!(
                    "{FEE_COLLECTOR} is always configured without permissions; remove it from the list"
                )));
            }
            continue;
        }
        if all.iter().any(|a| a.name == account.name) {
            return Err(BankError::InvalidConfig(format!(
                "module account {:?} is listed twice; list each once",
                account.name
            )));
        }
        all.push(account);
    }
    all.sort_by_key(|a| a.name);
    Ok(all.into_iter().map(|account| Registered { account, address: account.address() }).collect())
}

fn check_name(name: &str) -> Result<(), BankError> {
    let bytes = name.as_bytes();
    let ok = (1..=MAX_MODULE_NAME_LEN).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_');
    if ok {
        Ok(())
    } else {
        Err(BankError::InvalidConfig(format!(
            "module account name {name:?} is not valid: use 1 to {MAX_MODULE_NAME_LEN} characters of a-z, 0-9 and '_', starting with a letter"
        )))
    }
}
