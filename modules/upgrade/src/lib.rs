//! `conclave-upgrade`: software upgrades that halt the chain cleanly at a height and resume
//! under the binary that implements them (Cosmos's `x/upgrade`, adapted).
//!
//! **Owns** the pending [`Plan`] (one at a time) and the record of applied upgrades
//! (name → height) ([`state`]). The chain's parameter authority schedules and cancels plans
//! ([`Msg`]): a governance module executes those messages for a passed proposal.
//!
//! **What happens at the plan's height.** Begin-block of the block at `plan.height` (the
//! app runs this module's hook first) checks whether this binary may execute the plan:
//! - it may if the new version registered a migration for the name
//!   ([`Upgrade::with_handler`]), or if the node was started with `--allow-upgrade NAME`
//!   ([`Upgrade::allow`]) for an upgrade without a state migration. The upgrade is then
//!   recorded as applied at that height, the plan deleted, the migration run, and
//!   `upgrade.applied` emitted, all in that block;
//! - otherwise the hook fails with [`UpgradeError::UpgradeNeeded`], whose message says what
//!   to do. Any block-hook error stops the node before the block is committed (the runtime
//!   makes it fatal; the ABCI server logs it and exits with status 70), so every node of the
//!   old version stops at the same height with nothing of it committed. Restarted with the
//!   new version, CometBFT's handshake replays that block and the chain goes on.
//!
//! **Invariants.** A pending plan is valid and not named after an applied upgrade; applied
//! heights are positive. Permission is node-local, so determinism needs every validator to
//! run the same version (the same handlers): `docs/modules/upgrade.md` says why and how.
//!
//! Start at [`Upgrade`]; `docs/modules/upgrade.md` is the reference.

pub mod error;
pub mod event;
pub mod genesis;
pub mod msg;
pub mod plan;
pub mod query;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;

/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;

/// The state schema, for tests that read it directly.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use conclave_core::event::emit;
use conclave_core::{BlockInfo, Module, StateRead, StateWrite, TxContext};

pub use error::UpgradeError;
pub use genesis::{AppliedUpgrade, Genesis};
pub use msg::Msg;
pub use plan::Plan;

/// Why a migration failed (any error: a state error, another module's refusal, a sentence).
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// A migration a new version registers for an upgrade: it runs once, in begin-block of the
/// block at the plan's height, on that block's state, before any other module's hook. An
/// error stops the node ([`UpgradeError::MigrationFailed`]) with nothing of the block
/// committed. It must be deterministic, like every hook.
pub type Handler = Arc<dyn Fn(&mut dyn StateWrite, &BlockInfo) -> Result<(), MigrationError> + Send + Sync>;

/// The upgrade module, with what this binary may execute: the migrations it registers and
/// the names the node's operator allowed (`--allow-upgrade`).
#[derive(Clone, Default)]
pub struct Upgrade {
    handlers: BTreeMap<String, Handler>,
    allowed: BTreeSet<String>,
}

impl Upgrade {
    /// A module that executes no upgrade: at any plan's height, the node stops.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the migration of upgrade `name`: this binary implements it, and runs
    /// `handler` at the plan's height. Registering a name again replaces its handler.
    pub fn with_handler(
        mut self,
        name: impl Into<String>,
        handler: impl Fn(&mut dyn StateWrite, &BlockInfo) -> Result<(), MigrationError> + Send + Sync + 'static,
    ) -> Self {
        self.handlers.insert(name.into(), Arc::new(handler));
        self
    }

    /// Allows upgrade `name` without a migration: the node's `--allow-upgrade NAME`, for an
    /// upgrade whose new version changes no state (or a binary that already is the new
    /// version). A registered handler for the same name still runs.
    pub fn allow(mut self, name: impl Into<String>) -> Self {
        self.allowed.insert(name.into());
        self
    }

    /// [`Upgrade::allow`] for each of `names`.
    pub fn allowing<N: Into<String>>(self, names: impl IntoIterator<Item = N>) -> Self {
        names.into_iter().fold(self, Upgrade::allow)
    }

    /// Whether this binary may execute upgrade `name` (a handler, or allowed).
    pub fn permits(&self, name: &str) -> bool {
        self.handlers.contains_key(name) || self.allowed.contains(name)
    }

    /// The names with a registered migration, in order.
    pub fn handler_names(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }

    /// The names allowed without a migration, in order.
    pub fn allowed_names(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(String::as_str)
    }

    /// The pending plan, if any (committed or block state).
    pub fn plan(&self, state: &impl StateRead) -> Result<Option<Plan>, UpgradeError> {
        Ok(state::PLAN.get(state)?)
    }

    /// The height upgrade `name` was applied at, if it was.
    pub fn applied_height(&self, state: &impl StateRead, name: &str) -> Result<Option<u64>, UpgradeError> {
        Ok(state::APPLIED.get(state, &name.to_string())?)
    }

    /// Begin-block: at the plan's height, applies it or stops the node.
    fn apply_due_plan(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), UpgradeError> {
        let Some(plan) = state::PLAN.get(state)? else {
            return Ok(());
        };
        // A binary that implements a plan scheduled for later runs normally until then.
        if plan.height > block.height {
            return Ok(());
        }
        let handler = self.handlers.get(&plan.name);
        if handler.is_none() && !self.allowed.contains(&plan.name) {
            return Err(UpgradeError::UpgradeNeeded(plan));
        }
        state::APPLIED.put(state, &plan.name, &block.height)?;
        state::PLAN.delete(state)?;
        if let Some(handler) = handler {
            let dyn_state: &mut dyn StateWrite = state;
            handler(dyn_state, block).map_err(|e| UpgradeError::MigrationFailed {
                name: plan.name.clone(),
                height: block.height,
                reason: e.to_string(),
            })?;
        }
        emit(state, &event::Applied { name: plan.name, height: block.height, migrated: handler.is_some() })?;
        Ok(())
    }
}

impl fmt::Debug for Upgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upgrade")
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("allowed", &self.allowed)
            .finish()
    }
}

impl Module for Upgrade {
    const NAME: &'static str = "upgrade";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = UpgradeError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), UpgradeError> {
        genesis::init(state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, UpgradeError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), UpgradeError> {
        msg::validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), UpgradeError> {
        msg::execute(ctx, state, msg)
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), UpgradeError> {
        self.apply_due_plan(block, state)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, UpgradeError> {
        query::answer(state, path, data)
    }

    /// A pending plan is valid and not already applied; applied names are valid, heights
    /// positive.
    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        let mut applied = BTreeSet::new();
        for entry in state::APPLIED.iter(state) {
            let (name, height) = entry.map_err(|e| e.to_string())?;
            plan::validate_name(&name).map_err(|e| format!("applied upgrade {name:?}: {e}"))?;
            if height == 0 {
                return Err(format!("applied upgrade {name:?} has height 0"));
            }
            applied.insert(name);
        }
        if let Some(plan) = state::PLAN.get(state).map_err(|e| e.to_string())? {
            plan.validate().map_err(|e| format!("the pending plan {:?}: {e}", plan.name))?;
            if applied.contains(&plan.name) {
                return Err(format!("the pending plan {:?} is already applied", plan.name));
            }
        }
        Ok(())
    }
}
