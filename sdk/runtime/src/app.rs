//! What an application supplies to the runtime: its message type, genesis, module wiring
//! and fee collection. The app-template's `App` is the reference implementation.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{de::DeserializeOwned, Serialize};

use conclave_core::{Address, BlockInfo, Coin, ModuleError, StateError, StateRead, StateWrite, TxCode, TxContext};
pub use conclave_core::{EndBlockOutput, ValidatorUpdate};

/// How an error affects the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The transaction (or query) fails; the block goes on.
    Rejected,
    /// The transaction ran out of gas.
    OutOfGas,
    /// State or storage is broken: the node must stop.
    Fatal,
}

/// A module error flattened for the runtime: `(codespace, code, log)` plus its severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppError {
    /// Module name (or `tx` for runtime codes).
    pub codespace: &'static str,
    /// Stable code within the codespace.
    pub code: u32,
    /// Human-readable message.
    pub log: String,
    /// Severity.
    pub kind: ErrorKind,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (codespace {}, code {})", self.log, self.codespace, self.code)
    }
}

impl std::error::Error for AppError {}

impl<E: ModuleError> From<E> for AppError {
    fn from(error: E) -> Self {
        match error.state_error() {
            Some(state) => AppError::from_state(state),
            None => AppError {
                codespace: error.codespace(),
                code: error.code(),
                log: error.to_string(),
                kind: ErrorKind::Rejected,
            },
        }
    }
}

impl AppError {
    /// An error from a state access: out of gas, or fatal.
    pub fn from_state(error: &StateError) -> Self {
        let (code, kind) =
            if error.is_fatal() { (0, ErrorKind::Fatal) } else { (TxCode::OutOfGas.code(), ErrorKind::OutOfGas) };
        AppError { codespace: conclave_core::error::TX_CODESPACE, code, log: error.to_string(), kind }
    }

    /// A runtime (`tx` codespace) rejection.
    pub fn tx(code: TxCode, log: impl Into<String>) -> Self {
        AppError {
            codespace: conclave_core::error::TX_CODESPACE,
            code: code.code(),
            log: log.into(),
            kind: ErrorKind::Rejected,
        }
    }
}

/// Why a fee could not be collected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeeError {
    /// The payer's balance is too small.
    InsufficientFunds(String),
    /// Anything else (including fatal state errors).
    Other(AppError),
}

/// An application: the modules it composes, routed explicitly.
pub trait App: Send + 'static {
    /// The app's message enum (one variant per module).
    type Msg: BorshSerialize + BorshDeserialize + Clone + fmt::Debug + Send;
    /// The app's genesis (one section per module).
    type Genesis: Serialize + DeserializeOwned + Clone + fmt::Debug + Default;

    /// Every state prefix of every module, for the collision check.
    fn state_prefixes(&self) -> Vec<&'static str>;
    /// Writes every module's genesis, in the app's order.
    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Self::Genesis) -> Result<(), AppError>;
    /// The validators InitChain returns, read from the state genesis just wrote (the app's
    /// elected genesis set). Empty (the default) keeps CometBFT's genesis validators.
    fn genesis_validators(&self, _state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, AppError> {
        Ok(Vec::new())
    }
    /// Reads every module's state back into a genesis.
    fn export_genesis(&self, state: &impl StateRead) -> Result<Self::Genesis, AppError>;
    /// Stateless message checks.
    fn validate(&self, msg: &Self::Msg) -> Result<(), AppError>;
    /// Routes a message to its module.
    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Self::Msg) -> Result<(), AppError>;
    /// Begin-block hooks in the app's order.
    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError>;
    /// End-block hooks in the app's order.
    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError>;
    /// Moves the fee from `payer` to the fee collector.
    fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), FeeError>;
    /// Answers a module query; `path` is `module/method`.
    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, AppError>;
    /// Checks every module's invariants (tests only).
    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String>;
}
