//! `conclave-governance`: proposals that the chain's stake votes on and that, when they pass,
//! execute app messages as the chain's parameter authority.
//!
//! - **Proposals** ([`proposal`]): submitted with a deposit, escrowed in the `governance` bank
//!   module account; at `min_deposit` the voting period starts (else the deposit period ends
//!   and the proposal is dropped, deposits refunded). At the end of voting the tally decides:
//!   no quorum or threshold not met → rejected (refund); veto → vetoed (deposits burned);
//!   passed → every message executed on one overlay as the authority, applied only if all
//!   succeed (else `failed`, nothing applied, refund).
//! - **Tally** ([`tally`]): stake is snapshotted when voting starts (candidates' tokens and
//!   shares, and, copy on write through staking's share hooks ([`Hooks`]), each voter's shares
//!   before their first change), so stake moved mid-vote is never counted twice and stake
//!   bonded mid-vote has no power. A voter's stake follows, in order: its own vote; its
//!   governance delegate's vote ([`delegation`]); its validators' votes, by its shares at
//!   each (jailed and tombstoned validators pass on nothing). Validators vote only in the
//!   first 2/3 of the period. Cost: O(candidates + direct voters × their vote sets +
//!   delegators of delegates who voted), never O(all voters).
//! - **Routing** ([`router`]): the app implements [`ProposalRouter`] over its `Msg` and calls
//!   [`Governance::deliver_routed`] and [`Governance::end_block_routed`]; the plain
//!   [`Module`] methods use [`TextOnly`] (text proposals only).
//!
//! **Owns** its parameters, proposals, deposit records, votes, snapshots and delegations
//! ([`state`]); the deposits' coins are in the bank's [`MODULE_ACCOUNT`], whose address
//! [`authority_address`] genesis must name as `runtime.authority`.
//!
//! **The documented height.** A proposal that passes is executed in the end-block of the
//! first block whose time is at or after its `voting_end`: its changes are visible from the
//! end of that block (to the end-blocks of modules after governance in the app's order, and
//! to every transaction of the next block). Votes and deposits in that block still count.
//!
//! # Wiring
//!
//! ```ignore
//! // The app's router: its Msg enum, and which messages only the authority may sign.
//! impl conclave_governance::ProposalRouter for App {
//!     fn check_proposal_message(&self, bytes: &[u8]) -> Result<String, String> {
//!         let msg: Msg = borsh::from_slice(bytes).map_err(|e| format!("not a message of this chain: {e}"))?;
//!         match &msg {
//!             Msg::Staking(m @ conclave_staking::Msg::UpdateParams { .. }) => {
//!                 self.staking.validate(m).map_err(|e| e.to_string())?;
//!                 Ok("staking.update_params".into())
//!             }
//!             Msg::Upgrade(m) => { /* schedule/cancel upgrade: authority only */ Ok("upgrade.schedule".into()) }
//!             _ => Err("only messages the parameter authority signs may be proposed".into()),
//!         }
//!     }
//!     fn execute_proposal_message(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, bytes: &[u8])
//!         -> Result<(), ExecutionError> {
//!         let msg: Msg = borsh::from_slice(bytes).map_err(|e| ExecutionError::refused("tx", 2, e.to_string()))?;
//!         self.deliver_one(ctx, state, &msg) // validate + deliver, as for a transaction
//!     }
//! }
//! // Routing governance's own messages and its end-block through the router:
//! Msg::Governance(m) => self.governance.deliver_routed(ctx, state, m, self)?,
//! self.governance.end_block_routed(block, state, self)?;
//! // Staking tells both rewards and governance of share changes:
//! let staking = Staking::with_hooks(bank.clone(), (conclave_rewards::Hooks, conclave_governance::Hooks))?;
//! // Bank module accounts: add conclave_governance::bank_module_accounts(); genesis:
//! // runtime.authority = conclave_governance::authority_address().
//! ```

#![warn(clippy::arithmetic_side_effects)]

#[cfg(feature = "conclave-bank")]
mod bank_adapter;
/// The module's commands for a chain's binary.
#[cfg(feature = "cli")]
pub mod cli;
pub mod delegation;
pub mod error;
pub mod event;
pub mod expected;
pub mod genesis;
pub mod invariants;
pub mod msg;
pub mod params;
pub mod proposal;
pub mod query;
pub mod router;
pub mod snapshot;
#[cfg(feature = "conclave-staking")]
mod staking_adapter;
#[allow(unreachable_pub)] // `pub` for the `schema` re-export under `test-utils`
mod state;
pub mod tally;
pub mod types;

/// The state schema, for tests that read it directly.
#[cfg(any(test, feature = "test-utils"))]
pub mod schema {
    pub use crate::state::*;
}

#[cfg(test)]
mod tests;

use conclave_core::{Address, BlockInfo, EndBlockOutput, Module, StateRead, StateWrite, TxContext};

#[cfg(feature = "conclave-bank")]
pub use bank_adapter::bank_module_accounts;
pub use error::GovernanceError;
use expected::{Bank, Stake};
pub use genesis::Genesis;
pub use msg::Msg;
pub use params::Params;
pub use router::{ExecutionError, ProposalRouter, TextOnly};
pub use types::{Proposal, ProposalStatus, Tally, VoteOption};

/// The bank module account escrowing deposits (it burns vetoed ones); its address is the
/// parameter authority proposals execute as.
pub const MODULE_ACCOUNT: &str = "governance";

/// The governance module account's address: what genesis must name as `runtime.authority`
/// for passed proposals to change parameters (derived as every bank module account is,
/// `Address::module("governance")`).
pub fn authority_address() -> Address {
    Address::module(MODULE_ACCOUNT)
}

/// The governance module, over the stake it counts and the bank deposits are escrowed with.
#[derive(Clone, Debug)]
pub struct Governance<S, B> {
    stake: S,
    bank: B,
}

impl<S: Stake, B: Bank> Governance<S, B> {
    /// Governance over `stake` and `bank` (which must have [`MODULE_ACCOUNT`] with the burner
    /// permission: give `conclave_bank::Bank::new` the [`bank_module_accounts`]).
    pub fn new(stake: S, bank: B) -> Result<Self, GovernanceError> {
        if !bank.is_burner_module(MODULE_ACCOUNT) {
            return Err(GovernanceError::InvalidGenesis(format!(
                "the bank lacks the module account {MODULE_ACCOUNT:?} with the burner permission: \
                 add conclave_governance::bank_module_accounts() to the bank's module accounts"
            )));
        }
        Ok(Self { stake, bank })
    }

    /// Executes `msg` for `ctx.signer`, checking proposal messages with `router`.
    pub fn deliver_routed(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        msg: &Msg,
        router: &impl ProposalRouter,
    ) -> Result<(), GovernanceError> {
        self.execute(ctx, state, msg, router)
    }

    /// Ends due deposit periods and voting periods; passed proposals execute through
    /// `router`. Call it from the app's end-block (in place of `Module::end_block`).
    pub fn end_block_routed(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
        router: &impl ProposalRouter,
    ) -> Result<EndBlockOutput, GovernanceError> {
        self.process_ends(block, state, router)?;
        Ok(EndBlockOutput::default())
    }
}

/// Staking's share hooks: before a voter's shares of a candidate change, record them for
/// every proposal in its voting period that has not recorded them yet ([`snapshot`]). Holds
/// no other module, so staking can own it while governance reads staking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hooks;

impl<S: Stake, B: Bank> Module for Governance<S, B> {
    const NAME: &'static str = "governance";
    type Msg = Msg;
    type Genesis = Genesis;
    type Error = GovernanceError;

    fn state_prefixes(&self) -> Vec<&'static str> {
        state::PREFIXES.to_vec()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), GovernanceError> {
        genesis::init(self, state, genesis)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, GovernanceError> {
        genesis::export(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), GovernanceError> {
        msg::validate(msg)
    }

    /// Text proposals only: a chain with proposal messages calls [`Governance::deliver_routed`].
    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), GovernanceError> {
        self.execute(ctx, state, msg, &TextOnly)
    }

    /// Without a router (see [`Governance::end_block_routed`]).
    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, GovernanceError> {
        self.end_block_routed(block, state, &TextOnly)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, GovernanceError> {
        self.answer(state, path, data)
    }

    /// Escrow, records, indexes and the snapshot ([`invariants`]).
    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        invariants::check(&self.stake, &self.bank, state)
    }
}
