//! What voting needs from the stake ledger, as a trait voting owns (the consumer owns the
//! interface). The app gives [`crate::Voting::new`] an implementation; `conclave-staking`'s
//! `Staking` has one behind this crate's default `conclave-staking` feature
//! (`staking_adapter.rs`). A chain with another ledger implements [`StakeLedger`] for it.
//!
//! Voting adds its own rules (how many candidates, how many pending entries) on top; the
//! ledger keeps the stake itself and its rules (who may take stake, redelegation locks,
//! rounding). Every writer is all-or-nothing on its own; voting additionally runs each
//! message on a dry-run overlay, so a message of several ledger operations is too.

use std::fmt::Debug;

use conclave_core::{Address, At, BlockTime, ModuleError, StateRead, StateWrite};

/// The stake ledger voting drives.
pub trait StakeLedger: Clone + Debug {
    /// The ledger's error: voting reports it with the ledger's codespace and code.
    type Error: ModuleError;

    /// The block time (ns) at which a time rule behind `error` stops refusing, if it is one.
    fn earliest_time(error: &Self::Error) -> Option<u64>;

    /// The block a pre-flight dry run executes in: the one after the last block the ledger
    /// saw (at that block's time: the next block's time is not known yet).
    fn next_block(&self, state: &impl StateRead) -> Result<At, Self::Error>;

    /// Refuses a candidate the ledger does not know.
    fn require_candidate(&self, state: &impl StateRead, candidate: &Address) -> Result<(), Self::Error>;

    /// The candidates `delegator` has stake with, in candidate order.
    fn voted_candidates(&self, state: &impl StateRead, delegator: &Address) -> Result<Vec<Address>, Self::Error>;

    /// The current value of `delegator`'s stake with `candidate` (0 if none).
    fn stake_of(&self, state: &impl StateRead, delegator: &Address, candidate: &Address) -> Result<u128, Self::Error>;

    /// Completion times (ns) of `delegator`'s unbondings from `candidate` still pending at
    /// `now`.
    fn pending_unbondings(
        &self,
        state: &impl StateRead,
        delegator: &Address,
        candidate: &Address,
        now: BlockTime,
    ) -> Result<Vec<u64>, Self::Error>;

    /// Completion times (ns) of `delegator`'s redelegations into `destination` still
    /// pending at `now`.
    fn pending_redelegations_into(
        &self,
        state: &impl StateRead,
        delegator: &Address,
        destination: &Address,
        now: BlockTime,
    ) -> Result<Vec<u64>, Self::Error>;

    /// Bonds `amount` of `delegator`'s balance to `candidate`.
    fn delegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
        amount: u128,
    ) -> Result<(), Self::Error>;

    /// Starts unbonding `amount` of `delegator`'s stake with `candidate`.
    fn undelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
        amount: u128,
    ) -> Result<(), Self::Error>;

    /// Moves `amount` of `delegator`'s stake from `source` to `destination` at once.
    fn redelegate(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        source: &Address,
        destination: &Address,
        amount: u128,
    ) -> Result<(), Self::Error>;

    /// Returns `amount` of unbonding entry `id` (owned by `delegator`) to stake.
    fn cancel_unbonding(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        id: u64,
        amount: u128,
    ) -> Result<(), Self::Error>;

    /// Drops `delegator`'s shares of `candidate` that a slash left worth nothing (refused if
    /// there are none).
    fn forfeit_worthless_shares(
        &self,
        state: &mut impl StateWrite,
        at: At,
        delegator: &Address,
        candidate: &Address,
    ) -> Result<(), Self::Error>;
}
