//! [`RotationError`]: every way a rotation operation fails, each with a stable code in
//! codespace `rotation` (the candidate registry's refusals keep its codespace and code).
//! `docs/modules/rotation.md` has the table (a unit test keeps it in step).

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Refusal, StateError};

use crate::expected::CandidateRegistry;

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
    /// The candidate registry refused an operation (its codespace and code are kept).
    #[error(transparent)]
    Registry(Refusal),
    /// `UpdateParams` signed by an account that is not the chain's parameter authority.
    #[error("{0}")]
    NotAuthority(String),
    /// `UpdateParams` with invalid parameters, or changing `epoch_length`.
    #[error("invalid rotation parameters: {0}")]
    InvalidParams(String),
}

impl RotationError {
    /// A registry error: its state error (out of gas, fatal) as [`RotationError::State`], any
    /// other refusal with the registry's codespace and code.
    pub fn from_registry<R: CandidateRegistry>(error: &R::Error) -> Self {
        match Refusal::split(error, None) {
            Ok(refusal) => RotationError::Registry(refusal),
            Err(state) => RotationError::State(state),
        }
    }
}

impl From<UpdateParamsError> for RotationError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => RotationError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => RotationError::InvalidParams(reason),
            UpdateParamsError::State(e) => RotationError::State(e),
        }
    }
}

impl ModuleError for RotationError {
    fn codespace(&self) -> &'static str {
        match self {
            RotationError::Registry(refusal) => refusal.codespace,
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
            RotationError::Registry(refusal) => refusal.code,
            RotationError::NotAuthority(_) => 6,
            RotationError::InvalidParams(_) => 7,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            RotationError::State(e) => Some(e),
            _ => None,
        }
    }
}
