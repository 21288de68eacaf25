//! [`RewardsError`]: every way a rewards operation fails, each with a stable code in
//! codespace `rewards` (other modules' refusals keep their codespace and code).
//! `docs/modules/rewards.md` has the table; a unit test keeps it in step.

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Address, Refusal, StateError};

use crate::expected::BankRefusal;

/// A failed rewards operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewardsError {
    /// The genesis section is invalid; the message says what to fix.
    #[error("invalid rewards genesis: {0}")]
    InvalidGenesis(String),
    /// No such query path.
    #[error("unknown rewards query {path:?}: use params, minter, community_pool, pending or validator")]
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
    /// `UpdateParams` or `CommunityPoolSpend` signed by an account that is not the chain's
    /// parameter authority.
    #[error("{0}")]
    NotAuthority(String),
    /// `UpdateParams` with invalid parameters.
    #[error("invalid rewards parameters: {0}")]
    InvalidParams(String),
    /// Arithmetic beyond `u128` (amounts far beyond any supply): the block stops the node.
    #[error("rewards arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// The accounting would pay more than was given (a broken invariant): the node stops
    /// rather than pay from someone else's rewards.
    #[error("rewards accounting broken: {0}")]
    Insolvent(String),
    /// `Claim` with nothing to claim (no fee is worth it).
    #[error("{delegator} has no rewards to claim{}", .candidate.map(|c| format!(" from {c}")).unwrap_or_default())]
    NothingToClaim {
        /// The claimant.
        delegator: Address,
        /// The candidate, if one was named.
        candidate: Option<Address>,
    },
    /// `WithdrawCommission` with no commission accrued.
    #[error("{operator} has no commission to withdraw")]
    NoCommission {
        /// The operator.
        operator: Address,
    },
    /// `CommunityPoolSpend` of more than the community pool holds.
    #[error("the community pool holds {available}{denom}; it cannot pay {requested}{denom}")]
    InsufficientCommunityPool {
        /// What the spend asked for.
        requested: u128,
        /// What the pool holds.
        available: u128,
        /// The bond denomination.
        denom: String,
    },
    /// `CommunityPoolSpend` of nothing.
    #[error("invalid community-pool spend: {0}")]
    InvalidSpend(String),
    /// Another module refused (its codespace and code are kept).
    #[error(transparent)]
    Other(Refusal),
}

impl RewardsError {
    /// Another module's error: its state error as [`RewardsError::State`], any other refusal
    /// with its codespace and code.
    pub fn from_module<E: ModuleError>(error: &E) -> Self {
        match Refusal::split(error, None) {
            Ok(refusal) => RewardsError::Other(refusal),
            Err(state) => RewardsError::State(state),
        }
    }
}

impl From<BankRefusal> for RewardsError {
    fn from(refusal: BankRefusal) -> Self {
        match refusal {
            BankRefusal::Refused(refusal) => RewardsError::Other(refusal),
            BankRefusal::State(e) => RewardsError::State(e),
        }
    }
}

impl From<UpdateParamsError> for RewardsError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => RewardsError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => RewardsError::InvalidParams(reason),
            UpdateParamsError::State(e) => RewardsError::State(e),
        }
    }
}

impl ModuleError for RewardsError {
    fn codespace(&self) -> &'static str {
        match self {
            RewardsError::Other(refusal) => refusal.codespace,
            _ => "rewards",
        }
    }

    fn code(&self) -> u32 {
        match self {
            RewardsError::InvalidGenesis(_) => 1,
            RewardsError::UnknownQuery { .. } => 2,
            RewardsError::InvalidQuery(_) => 3,
            RewardsError::State(_) => 4,
            RewardsError::NotAuthority(_) => 5,
            RewardsError::InvalidParams(_) => 6,
            RewardsError::Overflow(_) => 7,
            RewardsError::Insolvent(_) => 8,
            RewardsError::NothingToClaim { .. } => 9,
            RewardsError::NoCommission { .. } => 10,
            RewardsError::InsufficientCommunityPool { .. } => 11,
            RewardsError::InvalidSpend(_) => 12,
            RewardsError::Other(refusal) => refusal.code,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            RewardsError::State(e) => Some(e),
            _ => None,
        }
    }
}
