//! [`VotingError`]: every way a voting operation fails. Voting's own rules have codes in
//! codespace `voting`; a refusal by the stake ledger is reported as the ledger's error it is
//! (codespace `staking`, its code), so one rule has one code wherever it is hit.

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Address, Refusal, StateError};

use crate::expected::StakeLedger;

/// A failed voting operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VotingError {
    /// The vote set would hold more than `max_votes` candidates.
    #[error("the vote set would hold {count} candidates, more than the maximum {max}: remove some first")]
    TooManyVotes {
        /// Candidates it would hold.
        count: usize,
        /// The maximum.
        max: u32,
    },
    /// The (delegator, candidate) pair already has `max_entries` pending entries of this kind.
    #[error("{delegator} already has {count} pending {kind} entries with {candidate} (maximum {max}): wait until one matures at block time {earliest} ns")]
    TooManyEntries {
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// `unbonding` or `redelegation`.
        kind: &'static str,
        /// Pending entries.
        count: usize,
        /// The maximum.
        max: u32,
        /// When the earliest pending entry matures (ns).
        earliest: u64,
    },
    /// A candidate appears twice in a `SetVotes`.
    #[error("candidate {candidate} appears twice: give each candidate once")]
    DuplicateCandidate {
        /// The candidate.
        candidate: Address,
    },
    /// An amount is zero.
    #[error("amount must be positive (omit a candidate from SetVotes to remove it)")]
    ZeroAmount,
    /// The genesis section is not valid; the message says what to fix.
    #[error("invalid voting genesis: {0}")]
    InvalidGenesis(String),
    /// A query path this module does not answer.
    #[error("unknown voting query {path:?}")]
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
    /// The stake ledger refused (reported with the ledger's codespace and code).
    #[error(transparent)]
    Ledger(Refusal),
    /// `UpdateParams` signed by an account that is not the chain's parameter authority.
    #[error("{0}")]
    NotAuthority(String),
    /// `UpdateParams` with invalid parameters.
    #[error("invalid voting parameters: {0}")]
    InvalidParams(String),
}

impl From<UpdateParamsError> for VotingError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => VotingError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => VotingError::InvalidParams(reason),
            UpdateParamsError::State(e) => VotingError::State(e),
        }
    }
}

impl VotingError {
    /// A stake-ledger error: its state error (out of gas, fatal) as [`VotingError::State`],
    /// any other refusal with the ledger's codespace, code and earliest time.
    pub fn from_ledger<L: StakeLedger>(error: &L::Error) -> Self {
        match Refusal::split(error, L::earliest_time(error)) {
            Ok(refusal) => VotingError::Ledger(refusal),
            Err(state) => VotingError::State(state),
        }
    }

    /// The earliest block time (ns) at which a time rule stops refusing, for time-based errors.
    pub fn earliest_time(&self) -> Option<u64> {
        match self {
            VotingError::TooManyEntries { earliest, .. } => Some(*earliest),
            VotingError::Ledger(refusal) => refusal.earliest_time,
            _ => None,
        }
    }
}

impl ModuleError for VotingError {
    fn codespace(&self) -> &'static str {
        match self {
            VotingError::Ledger(refusal) => refusal.codespace,
            _ => "voting",
        }
    }

    fn code(&self) -> u32 {
        match self {
            VotingError::TooManyVotes { .. } => 1,
            VotingError::TooManyEntries { .. } => 2,
            VotingError::DuplicateCandidate { .. } => 3,
            VotingError::ZeroAmount => 4,
            VotingError::InvalidGenesis(_) => 5,
            VotingError::UnknownQuery { .. } => 6,
            VotingError::InvalidQuery(_) => 7,
            VotingError::State(_) => 8,
            VotingError::Ledger(refusal) => refusal.code,
            VotingError::NotAuthority(_) => 9,
            VotingError::InvalidParams(_) => 10,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            VotingError::State(e) => Some(e),
            _ => None,
        }
    }
}
