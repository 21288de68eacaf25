//! [`UpgradeError`]: every way an upgrade operation fails, each with a stable code in
//! codespace `upgrade`. `docs/modules/upgrade.md` has the table; a unit test keeps it in step.

use conclave_core::error::ModuleError;
use conclave_core::{Address, StateError};

use crate::plan::Plan;

/// A failed upgrade operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// The genesis section is invalid; the message says what to fix.
    #[error("invalid upgrade genesis: {0}")]
    InvalidGenesis(String),
    /// No such query path.
    #[error("unknown upgrade query {path:?}: use plan or applied")]
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
    /// `ScheduleUpgrade` or `CancelUpgrade` signed by an account that is not the chain's
    /// parameter authority.
    #[error("{}", not_authority(.signer, .authority))]
    NotAuthority {
        /// Who signed.
        signer: Address,
        /// The authority, if the chain has one.
        authority: Option<Address>,
    },
    /// A plan whose name, info or height is malformed.
    #[error("invalid upgrade plan: {0}")]
    InvalidPlan(String),
    /// A plan for the current height or one already passed.
    #[error("an upgrade must be scheduled for a future height: {height} is not after the current block {current}")]
    HeightNotInFuture {
        /// The plan's height.
        height: u64,
        /// The block the message is executed in.
        current: u64,
    },
    /// A plan named after an upgrade this chain already applied.
    #[error("upgrade {name:?} was already applied at height {height}: give the new upgrade another name")]
    AlreadyApplied {
        /// The name.
        name: String,
        /// Where it was applied.
        height: u64,
    },
    /// `CancelUpgrade` with no plan pending.
    #[error("no upgrade is scheduled: there is nothing to cancel")]
    NoPlan,
    /// The chain reached a plan's height and this binary may not execute it. Returned from
    /// begin-block, so it stops the node before the block is committed.
    #[error("{}", upgrade_needed(.0))]
    UpgradeNeeded(Plan),
    /// The migration registered for an upgrade failed: the node stops rather than run the new
    /// version on half-migrated state.
    #[error("the migration of upgrade {name:?} failed at height {height}: {reason}")]
    MigrationFailed {
        /// The upgrade.
        name: String,
        /// The block.
        height: u64,
        /// The handler's error.
        reason: String,
    },
}

fn not_authority(signer: &Address, authority: &Option<Address>) -> String {
    match authority {
        Some(authority) => {
            format!("{signer} may not schedule or cancel upgrades: only the parameter authority {authority} may")
        }
        None => {
            "this chain has no parameter authority (runtime.authority in genesis): no upgrade can be scheduled".into()
        }
    }
}

/// The halt message: what happened and what the operator does next.
fn upgrade_needed(plan: &Plan) -> String {
    let info = if plan.info.is_empty() { String::new() } else { format!(" (info: {})", plan.info) };
    format!(
        "UPGRADE {name:?} NEEDED at height {height}{info}: stop this binary and start the version that implements \
         {name:?} (or, for an upgrade without a state migration, restart with --allow-upgrade {name})",
        name = plan.name,
        height = plan.height,
    )
}

impl ModuleError for UpgradeError {
    fn codespace(&self) -> &'static str {
        "upgrade"
    }

    fn code(&self) -> u32 {
        match self {
            UpgradeError::InvalidGenesis(_) => 1,
            UpgradeError::UnknownQuery { .. } => 2,
            UpgradeError::InvalidQuery(_) => 3,
            UpgradeError::State(_) => 4,
            UpgradeError::NotAuthority { .. } => 5,
            UpgradeError::InvalidPlan(_) => 6,
            UpgradeError::HeightNotInFuture { .. } => 7,
            UpgradeError::AlreadyApplied { .. } => 8,
            UpgradeError::NoPlan => 9,
            UpgradeError::UpgradeNeeded(_) => 10,
            UpgradeError::MigrationFailed { .. } => 11,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            UpgradeError::State(e) => Some(e),
            _ => None,
        }
    }
}
