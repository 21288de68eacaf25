//! What rotation needs from the module that keeps the validator candidates, as a trait
//! rotation owns (the consumer owns the interface). The app gives [`crate::Rotation::new`] an
//! implementation; `conclave-staking`'s `Staking` has one behind this crate's default
//! `conclave-staking` feature (`staking_adapter.rs`).
//!
//! Rotation decides *who sits* (seats, caps, rails, the set history, CometBFT's updates); the
//! registry decides *who may stand* (its eligibility rules) and keeps each candidate's
//! status and keys, which rotation changes only through the calls below.

use std::fmt::Debug;

use conclave_core::{Address, At, ModuleError, StateRead, StateWrite};

/// One candidate that may be elected, as an election reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contender {
    /// The operator (candidate id).
    pub operator: Address,
    /// The consensus key it would sign with if elected now (a pending rotated key, else the
    /// current one).
    pub consensus_key: [u8; 32],
    /// Its vote weight in units of power (the registry's `tokens / power_reduction`).
    pub votes: u64,
    /// Its own stake (the base of the self-bond cap).
    pub self_bond: u128,
}

/// A position in the vote ranking, to resume a paged scan after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankCursor {
    /// Vote weight of the last entry read.
    pub votes: u64,
    /// Its operator.
    pub operator: Address,
}

/// One page of the ranking.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RankPage {
    /// The eligible candidates of the page, best first.
    pub contenders: Vec<Contender>,
    /// Where the next page starts; `None` when the ranking is exhausted.
    pub next: Option<RankCursor>,
}

/// The registry of validator candidates an election reads and updates.
pub trait CandidateRegistry: Clone + Debug {
    /// The registry's error: rotation reports it with the registry's codespace and code.
    type Error: ModuleError;

    /// Reads up to `limit` entries of the ranking (vote weight descending, then operator
    /// ascending) after `after`, and returns those that may be elected.
    fn ranking(&self, state: &impl StateRead, after: Option<RankCursor>, limit: usize)
        -> Result<RankPage, Self::Error>;

    /// Tokens per unit of power (the self-bond cap is computed in tokens, then divided).
    fn power_reduction(&self, state: &impl StateRead) -> Result<u128, Self::Error>;

    /// Whether `operator` is currently marked active (a member of the set).
    fn is_active(&self, state: &impl StateRead, operator: &Address) -> Result<bool, Self::Error>;

    /// Marks an elected candidate active.
    fn activate(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), Self::Error>;

    /// Marks an active candidate that lost its seat as a candidate again.
    fn deactivate(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), Self::Error>;

    /// Makes a pending rotated consensus key current (no-op without one).
    fn apply_pending_key(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), Self::Error>;

    /// Every candidate marked active, with its current consensus key (invariant checks).
    fn active_candidates(&self, state: &impl StateRead) -> Result<Vec<(Address, [u8; 32])>, Self::Error>;

    /// The next block's height (the registry records the last block it saw), for epoch
    /// queries.
    fn next_height(&self, state: &impl StateRead) -> Result<u64, Self::Error>;
}
