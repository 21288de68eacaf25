//! [`SlashingError`]: every way a slashing operation fails, each with a stable code in
//! codespace `slashing` (the candidates' and validator sets' refusals keep their own
//! codespace and code). `docs/modules/slashing.md` has the table; a unit test keeps it in step.

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Address, Refusal, StateError};

use crate::expected::{Candidates, ValidatorSets};

/// A failed slashing operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlashingError {
    /// The genesis section is invalid; the message says what to fix.
    #[error("invalid slashing genesis: {0}")]
    InvalidGenesis(String),
    /// No such query path.
    #[error("unknown slashing query {path:?}: use params, signing_info, history or can_unjail")]
    UnknownQuery {
        /// The path asked for.
        path: String,
    },
    /// The query request does not parse.
    #[error("{0}")]
    InvalidQuery(String),
    /// Out of gas, or a fatal storage error.
    #[error(transparent)]
    State(#[from] StateError),
    /// `UpdateParams` signed by an account that is not the chain's parameter authority.
    #[error("{0}")]
    NotAuthority(String),
    /// `UpdateParams` with invalid parameters, or changing `signed_blocks_window`.
    #[error("invalid slashing parameters: {0}")]
    InvalidParams(String),
    /// `Unjail` for a tombstoned candidate: a double sign is final.
    #[error("{operator} is tombstoned for a double sign and can never be unjailed")]
    Tombstoned {
        /// The operator.
        operator: Address,
    },
    /// `Unjail` for a candidate that is not jailed.
    #[error("{operator} is not jailed")]
    NotJailed {
        /// The operator.
        operator: Address,
    },
    /// A commit or evidence names a consensus address that no validator set of ours had at
    /// that height: the app and CometBFT disagree about the set, so the node must stop.
    #[error(
        "CometBFT names validator {address} at height {height}, which our validator set of that height does not hold"
    )]
    UnknownSigner {
        /// The consensus address, hex.
        address: String,
        /// The height.
        height: u64,
    },
    /// The candidates' or validator sets' module refused (its codespace and code are kept).
    #[error(transparent)]
    Other(Refusal),
}

impl SlashingError {
    /// An error of the candidates' module.
    pub fn from_candidates<C: Candidates>(error: &C::Error) -> Self {
        match Refusal::split(error, C::earliest_time(error)) {
            Ok(refusal) => SlashingError::Other(refusal),
            Err(state) => SlashingError::State(state),
        }
    }

    /// An error of the validator sets' module.
    pub fn from_sets<V: ValidatorSets>(error: &V::Error) -> Self {
        match Refusal::split(error, None) {
            Ok(refusal) => SlashingError::Other(refusal),
            Err(state) => SlashingError::State(state),
        }
    }

    /// The block time (ns) at which a time rule stops refusing, for time-based errors.
    pub fn earliest_time(&self) -> Option<u64> {
        match self {
            SlashingError::Other(refusal) => refusal.earliest_time,
            _ => None,
        }
    }
}

impl From<UpdateParamsError> for SlashingError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => SlashingError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => SlashingError::InvalidParams(reason),
            UpdateParamsError::State(e) => SlashingError::State(e),
        }
    }
}

impl ModuleError for SlashingError {
    fn codespace(&self) -> &'static str {
        match self {
            SlashingError::Other(refusal) => refusal.codespace,
            _ => "slashing",
        }
    }

    fn code(&self) -> u32 {
        match self {
            SlashingError::InvalidGenesis(_) => 1,
            SlashingError::UnknownQuery { .. } => 2,
            SlashingError::InvalidQuery(_) => 3,
            SlashingError::State(_) => 4,
            SlashingError::NotAuthority(_) => 5,
            SlashingError::InvalidParams(_) => 6,
            SlashingError::Tombstoned { .. } => 7,
            SlashingError::NotJailed { .. } => 8,
            SlashingError::UnknownSigner { .. } => 9,
            SlashingError::Other(refusal) => refusal.code,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            SlashingError::State(e) => Some(e),
            _ => None,
        }
    }
}
