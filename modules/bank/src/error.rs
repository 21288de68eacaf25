//! [`BankError`]: every way a bank operation fails, each with a stable code in codespace `bank`.
//!
//! Codes are listed in [`BankError::code`] by hand and never reused or renumbered; a new variant
//! takes the next free number. `docs/modules/bank.md` has the table (a unit test keeps it in step).

use conclave_core::coin::InvalidDenom;
use conclave_core::error::ModuleError;
use conclave_core::{Address, StateError};

/// A failed bank operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    /// A coin's denomination is not valid.
    #[error(transparent)]
    InvalidDenom(#[from] InvalidDenom),
    /// A message moves a zero amount.
    #[error("amount of {denom} must be positive: a zero transfer does nothing")]
    ZeroAmount {
        /// The denomination of the zero coin.
        denom: String,
    },
    /// A multi-send has no outputs.
    #[error("multi-send has no outputs: give between 1 and {max} outputs")]
    NoOutputs {
        /// The largest accepted number of outputs.
        max: usize,
    },
    /// A multi-send has more outputs than allowed.
    #[error("multi-send has {count} outputs, more than {max}: split it into several messages")]
    TooManyOutputs {
        /// The number of outputs given.
        count: usize,
        /// The largest accepted number of outputs.
        max: usize,
    },
    /// Sender and recipient are the same account.
    #[error("sender and recipient are both {address}: a transfer to oneself is refused")]
    SelfTransfer {
        /// The account.
        address: Address,
    },
    /// A message sends to a module account, which receives funds only through its module.
    #[error("recipient {address} is the module account {module:?}, which receives funds only through its module")]
    BlockedRecipient {
        /// The recipient.
        address: Address,
        /// The module account's name.
        module: String,
    },
    /// The account holds less than the amount to move.
    #[error("insufficient funds: {address} has {available}{denom} and needs {needed}{denom}")]
    InsufficientFunds {
        /// The account.
        address: Address,
        /// The denomination.
        denom: String,
        /// What the account holds (for a multi-send: after the earlier outputs).
        available: u128,
        /// What the operation needed.
        needed: u128,
    },
    /// A balance or the total supply would leave the `u128` range (supply above 2^128 - 1).
    #[error("arithmetic overflow in {denom}: the total supply would exceed 2^128 - 1")]
    Overflow {
        /// The denomination.
        denom: String,
    },
    /// No module account has this name in the bank's configuration.
    #[error("no module account named {name:?}: add it to the module accounts given to Bank::new")]
    UnknownModuleAccount {
        /// The name asked for.
        name: String,
    },
    /// A module account lacks the permission an operation needs.
    #[error("module account {module:?} lacks the {permission} permission")]
    MissingPermission {
        /// The module account's name.
        module: String,
        /// `minter` or `burner`.
        permission: &'static str,
    },
    /// The module-account list given to [`crate::Bank::new`] is not valid.
    #[error("invalid module accounts: {0}")]
    InvalidConfig(String),
    /// The genesis section is not valid; the message says what to fix.
    #[error("invalid bank genesis: {0}")]
    InvalidGenesis(String),
    /// A query path this module does not answer.
    #[error("unknown bank query {path:?}: use balance, balances, supply, supplies, module_account or module_accounts")]
    UnknownQuery {
        /// The path asked for.
        path: String,
    },
    /// A query request that does not parse.
    #[error("{0}")]
    InvalidQuery(String),
    /// State access failed: out of gas (transaction-level) or storage/corruption (fatal).
    #[error(transparent)]
    State(#[from] StateError),
}

impl ModuleError for BankError {
    fn codespace(&self) -> &'static str {
        "bank"
    }

    fn code(&self) -> u32 {
        match self {
            BankError::InvalidDenom(_) => 1,
            BankError::ZeroAmount { .. } => 2,
            BankError::NoOutputs { .. } => 3,
            BankError::TooManyOutputs { .. } => 4,
            BankError::SelfTransfer { .. } => 5,
            BankError::BlockedRecipient { .. } => 6,
            BankError::InsufficientFunds { .. } => 7,
            BankError::Overflow { .. } => 8,
            BankError::UnknownModuleAccount { .. } => 9,
            BankError::MissingPermission { .. } => 10,
            BankError::InvalidConfig(_) => 11,
            BankError::InvalidGenesis(_) => 12,
            BankError::UnknownQuery { .. } => 13,
            BankError::InvalidQuery(_) => 14,
            BankError::State(_) => 15,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            BankError::State(e) => Some(e),
            _ => None,
        }
    }
}
