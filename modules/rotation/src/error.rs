//! [`RotationError`]: every way a rotation operation fails, each with a stable code in
//! codespace `rotation` (staking's refusals keep staking's codespace and code).
//! `docs/modules/rotation.md` has the table (a unit test keeps it in step).

use conclave_core::error::ModuleError;
use conclave_core::StateError;
use conclave_staking::StakingError;

/// A failed rotation operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    /// The genesis section (or its parameters) is invalid.
    #[error("invalid rotation genesis: {0}")]
    InvalidGenesis(String),
    /// No such query path.
    #[error("unknown rotation query {path:?}: use params, validators, validators_at, preview or epoch")]
    UnknownQuery {
        /// The path asked for.
        path: String,
    },
    /// The query request does not parse.
    #[error("{0}")]
    InvalidQuery(String),
    /// An elected set would hold a consensus key twice (staking's key registry forbids it, so
    /// this is a broken invariant; the node stops rather than send CometBFT a duplicate).
    #[error("consensus key {key} appears twice in a validator set")]
    DuplicateConsensusKey {
        /// The key (hex).
        key: String,
    },
    /// Out of gas or a fatal storage error.
    #[error(transparent)]
    State(#[from] StateError),
    /// Staking refused an operation (its codespace and code are kept).
    #[error(transparent)]
    Staking(#[from] StakingError),
}

impl ModuleError for RotationError {
    fn codespace(&self) -> &'static str {
        match self {
            RotationError::Staking(e) => e.codespace(),
            _ => "rotation",
        }
    }

    fn code(&self) -> u32 {
        match self {
            RotationError::InvalidGenesis(_) => 1,
            RotationError::UnknownQuery { .. } => 2,
            RotationError::InvalidQuery(_) => 3,
            RotationError::DuplicateConsensusKey { .. } => 4,
            RotationError::State(_) => 5,
            RotationError::Staking(e) => e.code(),
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            RotationError::State(e) => Some(e),
            RotationError::Staking(e) => e.state_error(),
            _ => None,
        }
    }
}
