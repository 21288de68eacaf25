//! Errors that stop the node. Transaction and query failures are not errors here: they are
//! results with codes. A [`RuntimeError`] means the node cannot go on without risking a
//! divergent app hash, so the ABCI layer exits with the whole chain of causes.

use conclave_core::StateError;
use conclave_store::StoreError;

use crate::app::AppError;

/// A fatal runtime failure.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The store failed (I/O, corruption, version order).
    #[error("state store failure")]
    Store(#[from] StoreError),
    /// Stored state did not decode, or a state access failed for a reason other than gas.
    #[error("corrupt or unreadable state: {0}")]
    State(StateError),
    /// The genesis document is invalid; the message says what to fix.
    #[error("invalid genesis: {0}")]
    Genesis(String),
    /// The consensus engine called the runtime out of order (e.g. Commit before FinalizeBlock).
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// A module reported a fatal error in a block hook or message.
    #[error("fatal module error: {0}")]
    App(AppError),
}

impl From<StateError> for RuntimeError {
    fn from(error: StateError) -> Self {
        RuntimeError::State(error)
    }
}

/// Codes of query failures (codespace `query`). Never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum QueryCode {
    /// No handler for the path.
    UnknownPath = 1,
    /// The height is in the future or no longer retained.
    HeightUnavailable = 2,
    /// The request data did not parse.
    BadRequest = 3,
    /// Proofs are available for `store/key` only.
    ProofUnsupported = 4,
    /// The state could not be read to answer (a storage failure; the node logs it).
    StateUnavailable = 5,
}

/// The codespace of [`QueryCode`].
pub const QUERY_CODESPACE: &str = "query";
