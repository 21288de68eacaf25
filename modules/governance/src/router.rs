//! [`ProposalRouter`]: how governance checks and executes a proposal's app messages. The app
//! implements it (it knows its `Msg` enum and its modules); [`TextOnly`] refuses every
//! message, for a chain that wires no router (text proposals only).

use conclave_core::{StateWrite, TxContext};

/// Why executing a proposal message failed: the failing module's `(codespace, code, log)`, as
/// a transaction result would report it, and whether the failure is fatal (a storage
/// failure: governance then stops the node instead of marking the proposal failed, so no node
/// diverges on a local fault).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{codespace} code {code}: {log}")]
pub struct ExecutionError {
    /// The refusing module's codespace.
    pub codespace: String,
    /// Its stable code.
    pub code: u32,
    /// Its message.
    pub log: String,
    /// The state could not be read or written: the node must stop.
    pub fatal: bool,
}

impl ExecutionError {
    /// From any module error (fatal when it wraps a fatal state error).
    pub fn from_module<E: conclave_core::ModuleError>(error: &E) -> Self {
        Self {
            codespace: error.codespace().to_string(),
            code: error.code(),
            log: error.to_string(),
            fatal: error.state_error().is_some_and(conclave_core::StateError::is_fatal),
        }
    }

    /// A refusal (not fatal).
    pub fn refused(codespace: impl Into<String>, code: u32, log: impl Into<String>) -> Self {
        Self { codespace: codespace.into(), code, log: log.into(), fatal: false }
    }
}

/// The app's side of proposal messages.
pub trait ProposalRouter {
    /// Decodes one proposal message and checks it statelessly; `Ok` with a short description
    /// (such as `"rotation.update_params"`) only if it decodes, validates and is a message only
    /// the parameter authority may sign. Anything else (a transfer, a vote: messages any
    /// account may sign) must be refused, or a proposal could spend the deposits escrowed in
    /// the governance account.
    fn check_proposal_message(&self, bytes: &[u8]) -> Result<String, String>;

    /// Executes it (validate, then deliver) with `ctx.signer` = the authority (the
    /// governance module account). Governance runs all of a proposal's messages on one
    /// overlay and applies it only if every message succeeded.
    fn execute_proposal_message(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        bytes: &[u8],
    ) -> Result<(), ExecutionError>;
}

/// The router of a chain that routes no proposal messages: every message is refused at
/// submission, so only text proposals exist. [`crate::Governance`]'s `Module::deliver` and
/// `Module::end_block` use it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOnly;

impl ProposalRouter for TextOnly {
    fn check_proposal_message(&self, _bytes: &[u8]) -> Result<String, String> {
        Err("this chain routes no proposal messages (text proposals only): the app must deliver governance \
             messages with Governance::deliver_routed and its ProposalRouter"
            .into())
    }

    fn execute_proposal_message(
        &self,
        _ctx: &TxContext<'_>,
        _state: &mut impl StateWrite,
        _bytes: &[u8],
    ) -> Result<(), ExecutionError> {
        Err(ExecutionError::refused("governance", 9, "this chain routes no proposal messages"))
    }
}
