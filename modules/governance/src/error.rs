//! [`GovernanceError`]: every way a governance operation fails, each with a stable code in
//! codespace `governance` (other modules' refusals keep their codespace and code).
//! `docs/modules/governance.md` has the table; a unit test keeps it in step.

use conclave_core::authority::UpdateParamsError;
use conclave_core::error::ModuleError;
use conclave_core::{Address, BlockTime, Refusal, StateError};

use crate::expected::BankRefusal;
use crate::types::ProposalStatus;

/// A failed governance operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceError {
    /// The genesis section is invalid; the message says what to fix.
    #[error("invalid governance genesis: {0}")]
    InvalidGenesis(String),
    /// No such query path.
    #[error("unknown governance query {path:?}: use params, proposal, proposals, deposits, tally, vote or delegate")]
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
    /// `UpdateParams` with invalid parameters.
    #[error("invalid governance parameters: {0}")]
    InvalidParams(String),
    /// Arithmetic beyond `u128` (amounts far beyond any supply).
    #[error("governance arithmetic overflow in {0}")]
    Overflow(&'static str),
    /// The title, summary or message list is out of bounds.
    #[error("invalid proposal: {0}")]
    InvalidProposal(String),
    /// A message of a proposal does not decode, is invalid, or is not one only the
    /// parameter authority may sign.
    #[error("proposal message {index} refused: {reason}")]
    InvalidProposalMessage {
        /// Its position in the list.
        index: u32,
        /// The router's reason.
        reason: String,
    },
    /// A deposit of zero.
    #[error("a deposit must be positive")]
    ZeroDeposit,
    /// No proposal with this id.
    #[error("no proposal {proposal}: list them with `query governance proposals`")]
    UnknownProposal {
        /// The id asked for.
        proposal: u64,
    },
    /// A deposit to a proposal past its deposit period (voting, or ended).
    #[error("proposal {proposal} is {status}: deposits are taken only in the deposit period")]
    DepositsClosed {
        /// The proposal.
        proposal: u64,
        /// Its status.
        status: ProposalStatus,
    },
    /// A vote on a proposal not in its voting period.
    #[error("proposal {proposal} is {status}: votes are taken only in the voting period")]
    NotVoting {
        /// The proposal.
        proposal: u64,
        /// Its status.
        status: ProposalStatus,
    },
    /// A validator (operator of a snapshotted candidate) voting in the last part of the
    /// voting period, when its voters could no longer override it.
    #[error(
        "{voter} operates a validator: validators vote only until block time {} ns (the first \
         validator_voting_ppb of the voting period), so their voters can still override; voting is closed for it",
        .closed_at.0
    )]
    ValidatorVotingClosed {
        /// The operator.
        voter: Address,
        /// When validators' voting closed.
        closed_at: BlockTime,
    },
    /// `Delegate` to oneself.
    #[error("{0} cannot delegate its governance power to itself: name another address, or clear with `to: null`")]
    SelfDelegation(Address),
    /// `Delegate { to: None }` without a delegate.
    #[error("{0} has no governance delegate to clear")]
    NoDelegate(Address),
    /// `Delegate` to the delegate already set.
    #[error("{delegator} already delegates its governance power to {delegate}")]
    AlreadyDelegated {
        /// The delegator.
        delegator: Address,
        /// Its delegate.
        delegate: Address,
    },
    /// The recorded snapshot does not add up (a broken invariant): the node stops rather
    /// than count stake twice.
    #[error("governance tally broken: {0}")]
    TallyBroken(String),
    /// Another module refused (its codespace and code are kept).
    #[error(transparent)]
    Other(Refusal),
}

impl GovernanceError {
    /// Another module's error: its state error as [`GovernanceError::State`], any other
    /// refusal with its codespace and code.
    pub fn from_module<E: ModuleError>(error: &E) -> Self {
        match Refusal::split(error, None) {
            Ok(refusal) => GovernanceError::Other(refusal),
            Err(state) => GovernanceError::State(state),
        }
    }
}

impl From<BankRefusal> for GovernanceError {
    fn from(refusal: BankRefusal) -> Self {
        match refusal {
            BankRefusal::Refused(refusal) => GovernanceError::Other(refusal),
            BankRefusal::State(e) => GovernanceError::State(e),
        }
    }
}

impl From<UpdateParamsError> for GovernanceError {
    fn from(error: UpdateParamsError) -> Self {
        match error {
            UpdateParamsError::NotAuthority { .. } => GovernanceError::NotAuthority(error.to_string()),
            UpdateParamsError::Invalid(reason) => GovernanceError::InvalidParams(reason),
            UpdateParamsError::State(e) => GovernanceError::State(e),
        }
    }
}

impl ModuleError for GovernanceError {
    fn codespace(&self) -> &'static str {
        match self {
            GovernanceError::Other(refusal) => refusal.codespace,
            _ => "governance",
        }
    }

    fn code(&self) -> u32 {
        match self {
            GovernanceError::InvalidGenesis(_) => 1,
            GovernanceError::UnknownQuery { .. } => 2,
            GovernanceError::InvalidQuery(_) => 3,
            GovernanceError::State(_) => 4,
            GovernanceError::NotAuthority(_) => 5,
            GovernanceError::InvalidParams(_) => 6,
            GovernanceError::Overflow(_) => 7,
            GovernanceError::InvalidProposal(_) => 8,
            GovernanceError::InvalidProposalMessage { .. } => 9,
            GovernanceError::ZeroDeposit => 10,
            GovernanceError::UnknownProposal { .. } => 11,
            GovernanceError::DepositsClosed { .. } => 12,
            GovernanceError::NotVoting { .. } => 13,
            GovernanceError::ValidatorVotingClosed { .. } => 14,
            GovernanceError::SelfDelegation(_) => 15,
            GovernanceError::NoDelegate(_) => 16,
            GovernanceError::AlreadyDelegated { .. } => 17,
            GovernanceError::TallyBroken(_) => 18,
            GovernanceError::Other(refusal) => refusal.code,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            GovernanceError::State(e) => Some(e),
            _ => None,
        }
    }
}
