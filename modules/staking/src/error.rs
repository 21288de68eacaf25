//! [`StakingError`]: every way a staking operation fails, each with a stable code in codespace
//! `staking`. Codes are listed in [`StakingError::code`] by hand and never reused or
//! renumbered; a new variant takes the next free number. `docs/modules/staking.md` has the table.

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Address, StateError};

use crate::expected::BankRefusal;
use crate::types::Status;

/// A failed staking operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StakingError {
    /// No candidate is registered under this operator address.
    #[error("no candidate {candidate}: check the operator address")]
    UnknownCandidate {
        /// The address asked for.
        candidate: Address,
    },
    /// The operator already registered a candidate.
    #[error("{operator} already operates a candidate: edit it instead")]
    CandidateExists {
        /// The operator.
        operator: Address,
    },
    /// The self-bond is below `min_self_bond`.
    #[error("self-bond {amount} is below the minimum {min}")]
    SelfBondBelowMinimum {
        /// The self-bond given (or left).
        amount: u128,
        /// The minimum.
        min: u128,
    },
    /// The consensus key is used, or was once used, by some candidate.
    #[error("consensus key {key} is or was already used: generate a fresh key")]
    ConsensusKeyInUse {
        /// The key, hex.
        key: String,
    },
    /// The consensus key equals the operator's account key.
    #[error("the consensus key must differ from the operator's account key")]
    ConsensusKeyIsOperatorKey,
    /// The consensus key is not a valid ed25519 public key.
    #[error("consensus key {key} is not a valid ed25519 public key")]
    InvalidConsensusKey {
        /// The key, hex.
        key: String,
    },
    /// A commission rate is outside its bounds.
    #[error("commission out of bounds: {reason}")]
    CommissionOutOfBounds {
        /// Which bound and how to fix it.
        reason: String,
    },
    /// The commission rate changed less than 24 h ago.
    #[error("commission was changed less than 24 h ago: retry at or after block time {earliest} ns")]
    CommissionChangeTooSoon {
        /// Earliest block time (ns) of the next change.
        earliest: u64,
    },
    /// The description is invalid.
    #[error("invalid description: {0}")]
    InvalidDescription(String),
    /// An amount is zero.
    #[error("amount must be positive")]
    ZeroAmount,
    /// The delegator has less stake at the candidate than requested.
    #[error("{delegator} has {available} staked at {candidate}, less than {requested}")]
    InsufficientStake {
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens the delegator's shares are worth.
        available: u128,
        /// Tokens requested.
        requested: u128,
    },
    /// The account cannot pay the amount.
    #[error("{address} holds {available} and needs {needed}")]
    InsufficientFunds {
        /// The account.
        address: Address,
        /// Its balance in the bond denomination.
        available: u128,
        /// What was needed.
        needed: u128,
    },
    /// The amount is worth zero shares at the candidate's exchange rate.
    #[error("amount {amount} is worth zero shares of {candidate}: stake more")]
    AmountTooSmall {
        /// The candidate.
        candidate: Address,
        /// The amount.
        amount: u128,
    },
    /// The candidate's status does not accept this stake.
    #[error("candidate {candidate} is {status} and accepts no new stake from this account")]
    NotAcceptingStake {
        /// The candidate.
        candidate: Address,
        /// Its status.
        status: Status,
    },
    /// Source and destination of a redelegation are the same.
    #[error("cannot redelegate from {candidate} to itself")]
    SelfRedelegation {
        /// The candidate.
        candidate: Address,
    },
    /// Part of the stake arrived by a redelegation still pending and cannot move on yet.
    #[error(
        "only {available} of the stake at {candidate} may be redelegated now ({requested} requested); the rest arrived by a redelegation still pending: retry at or after block time {earliest} ns"
    )]
    RedelegationLocked {
        /// The candidate the stake would leave.
        candidate: Address,
        /// Tokens that may move now.
        available: u128,
        /// Tokens requested.
        requested: u128,
        /// Block time (ns) from which the request becomes possible.
        earliest: u64,
    },
    /// No unbonding entry has this id.
    #[error("no unbonding entry {id}")]
    UnknownUnbonding {
        /// The id.
        id: u64,
    },
    /// The unbonding has reached its completion time and can no longer be cancelled.
    #[error("unbonding {id} completed at block time {completion_time} ns and can no longer be cancelled")]
    UnbondingMatured {
        /// The id.
        id: u64,
        /// Its completion time (ns).
        completion_time: u64,
    },
    /// The entry belongs to another account.
    #[error("entry {id} belongs to another delegator")]
    NotOwner {
        /// The id.
        id: u64,
    },
    /// The lifecycle transition is not allowed.
    #[error("candidate {candidate} cannot go from {from} to {to}")]
    InvalidTransition {
        /// The candidate.
        candidate: Address,
        /// Current status.
        from: Status,
        /// Requested status.
        to: Status,
    },
    /// The infraction height is in the future or older than the retained token history.
    #[error("infraction height {height} is outside the slashable window ({reason})")]
    InvalidInfractionHeight {
        /// The height.
        height: u64,
        /// Why.
        reason: String,
    },
    /// The slash fraction is not in [0, 1] or has a zero denominator.
    #[error("slash fraction must be between 0 and 1 with a non-zero denominator")]
    InvalidFraction,
    /// A key rotation is already waiting for the next epoch.
    #[error("candidate {candidate} already has a pending consensus key: wait for the next epoch")]
    KeyRotationPending {
        /// The candidate.
        candidate: Address,
    },
    /// Arithmetic overflow (amounts above 2^128 − 1).
    #[error("arithmetic overflow: amounts exceed 2^128 - 1")]
    Overflow,
    /// The bank refused a transfer for a reason other than funds (its codespace and code are
    /// in the refusal; staking reports it under this code).
    #[error("bank: {0}")]
    Bank(conclave_core::Refusal),
    /// The genesis section is not valid; the message says what to fix.
    #[error("invalid staking genesis: {0}")]
    InvalidGenesis(String),
    /// A query path this module does not answer.
    #[error("unknown staking query {path:?}")]
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
    /// The candidate's tokens were slashed to zero while shares remain: it can take no stake.
    #[error("candidate {candidate} has no tokens left behind its shares and accepts no stake")]
    CandidateWorthless {
        /// The candidate.
        candidate: Address,
    },
    /// Unjail before the jail time is over.
    #[error("candidate {candidate} is jailed until block time {until} ns")]
    StillJailed {
        /// The candidate.
        candidate: Address,
        /// Jail end (ns).
        until: u64,
    },
    /// An edit changes nothing.
    #[error("the edit changes nothing")]
    EmptyEdit,
    /// `UpdateParams` signed by an account that is not the chain's parameter authority.
    #[error("{0}")]
    NotAuthority(String),
    /// `UpdateParams` with invalid parameters, or changing one that is fixed at genesis.
    #[error("invalid staking parameters: {0}")]
    InvalidParams(String),
    /// A share hook (e.g. a rewards module settling) refused (its codespace and code are in
    /// the refusal; staking reports it under this code).
    #[error("share hook: {0}")]
    Hook(conclave_core::Refusal),
}

impl From<UpdateParamsError> for StakingError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => StakingError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => StakingError::InvalidParams(reason),
            UpdateParamsError::State(e) => StakingError::State(e),
        }
    }
}

impl From<BankRefusal> for StakingError {
    fn from(refusal: BankRefusal) -> Self {
        match refusal {
            BankRefusal::InsufficientFunds { address, available, needed } => {
                StakingError::InsufficientFunds { address, available, needed }
            }
            BankRefusal::State(e) => StakingError::State(e),
            BankRefusal::Refused(refusal) => StakingError::Bank(refusal),
        }
    }
}

impl ModuleError for StakingError {
    fn codespace(&self) -> &'static str {
        "staking"
    }

    fn code(&self) -> u32 {
        match self {
            StakingError::UnknownCandidate { .. } => 1,
            StakingError::CandidateExists { .. } => 2,
            StakingError::SelfBondBelowMinimum { .. } => 3,
            StakingError::ConsensusKeyInUse { .. } => 4,
            StakingError::ConsensusKeyIsOperatorKey => 5,
            StakingError::InvalidConsensusKey { .. } => 6,
            StakingError::CommissionOutOfBounds { .. } => 7,
            StakingError::CommissionChangeTooSoon { .. } => 8,
            StakingError::InvalidDescription(_) => 9,
            StakingError::ZeroAmount => 10,
            StakingError::InsufficientStake { .. } => 11,
            StakingError::InsufficientFunds { .. } => 12,
            StakingError::AmountTooSmall { .. } => 13,
            StakingError::NotAcceptingStake { .. } => 14,
            StakingError::SelfRedelegation { .. } => 15,
            StakingError::RedelegationLocked { .. } => 16,
            StakingError::UnknownUnbonding { .. } => 17,
            StakingError::UnbondingMatured { .. } => 18,
            StakingError::NotOwner { .. } => 19,
            StakingError::InvalidTransition { .. } => 20,
            StakingError::InvalidInfractionHeight { .. } => 21,
            StakingError::InvalidFraction => 22,
            StakingError::KeyRotationPending { .. } => 23,
            StakingError::Overflow => 24,
            StakingError::Bank(_) => 25,
            StakingError::InvalidGenesis(_) => 26,
            StakingError::UnknownQuery { .. } => 27,
            StakingError::InvalidQuery(_) => 28,
            StakingError::State(_) => 29,
            StakingError::CandidateWorthless { .. } => 30,
            StakingError::StillJailed { .. } => 31,
            StakingError::EmptyEdit => 32,
            StakingError::NotAuthority(_) => 33,
            StakingError::InvalidParams(_) => 34,
            StakingError::Hook(_) => 35,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            StakingError::State(e) => Some(e),
            _ => None,
        }
    }
}

/// Lowercase hex of a key, for messages and events.
pub fn hex32(key: &[u8; 32]) -> String {
    conclave_core::state::hex(key)
}
