//! What governance needs from other modules, as traits governance owns. The app gives
//! [`crate::Governance::new`] implementations; `conclave-staking` and `conclave-bank` have
//! them behind this crate's default features (`staking_adapter.rs`, `bank_adapter.rs`).
//!
//! The other direction, staking telling governance of a share change before it happens, is
//! staking's own trait (`conclave_staking::expected::ShareHooks`), implemented by
//! [`crate::Hooks`].

use std::fmt::Debug;

use conclave_core::{Address, Coin, ModuleError, StateError, StateRead, StateWrite};

/// A candidate's stake, as snapshotted when a proposal's voting starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandidateStake {
    /// The candidate (its operator address).
    pub operator: Address,
    /// Tokens backing it.
    pub tokens: u128,
    /// Shares issued to its delegators.
    pub shares: u128,
}

/// A candidate's standing at tally time: whether its operator's vote is inherited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Registered and neither jailed nor tombstoned: its vote is inherited.
    Good,
    /// Jailed: its vote is not inherited.
    Jailed,
    /// Tombstoned: its vote is not inherited.
    Tombstoned,
    /// No longer registered: its vote is not inherited.
    Gone,
}

impl Standing {
    /// Whether its voters inherit its operator's vote.
    pub fn inherits(self) -> bool {
        self == Standing::Good
    }
}

/// The stake governance counts.
pub trait Stake: Clone + Debug {
    /// The module's error.
    type Error: ModuleError;

    /// The staked denomination (deposits are in it).
    fn bond_denom(&self, state: &impl StateRead) -> Result<String, Self::Error>;

    /// The candidates whose stake votes: those in the active (bonded) set now. Governance
    /// snapshots their tokens and shares when a proposal's voting starts.
    fn voting_candidates(&self, state: &impl StateRead) -> Result<Vec<CandidateStake>, Self::Error>;

    /// A candidate's standing now.
    fn standing(&self, state: &impl StateRead, candidate: &Address) -> Result<Standing, Self::Error>;

    /// `voter`'s shares per candidate now (its vote set), sorted by candidate.
    fn vote_set(&self, state: &impl StateRead, voter: &Address) -> Result<Vec<(Address, u128)>, Self::Error>;

    /// Every `(voter, candidate, shares)` with shares: for invariant checks in tests, never
    /// on chain (it reads every delegation).
    fn holders(&self, state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, Self::Error>;
}

/// The bank deposits are escrowed with.
pub trait Bank: Clone + Debug {
    /// Whether module account `name` exists and may burn (the governance account must).
    fn is_burner_module(&self, name: &str) -> bool;
    /// `address`'s balance of `denom`.
    fn balance(&self, state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError>;
    /// Moves `coin` from `from` into module account `module`.
    fn send_to_module(
        &self,
        state: &mut impl StateWrite,
        from: &Address,
        module: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal>;
    /// Pays `coin` from module account `module` to account `to`.
    fn send_from_module(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankRefusal>;
    /// Destroys `coin` held by module account `module`.
    fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal>;
}

/// Why the bank refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankRefusal {
    /// Any refusal (insufficient funds included), with the bank's codespace and code.
    Refused(conclave_core::Refusal),
    /// State access failed (out of gas, or fatal).
    State(StateError),
}
