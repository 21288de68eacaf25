//! What rewards needs from other modules, as traits rewards owns. The app gives
//! [`crate::Rewards::new`] implementations; `conclave-staking`, `conclave-bank` and
//! `conclave-rotation` have them behind this crate's default features
//! (`staking_adapter.rs`, `bank_adapter.rs`, `rotation_adapter.rs`).
//!
//! The other direction, staking telling rewards of a share change before it happens, is
//! staking's own trait (`conclave_staking::expected::ShareHooks`), implemented by
//! [`crate::Hooks`].

use std::fmt::Debug;

use conclave_core::{Address, Coin, ConsensusAddress, ModuleError, StateError, StateRead, StateWrite};

/// What a candidate's rewards are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandidateTerms {
    /// All shares of the candidate (its delegators', the operator's included).
    pub shares: u128,
    /// Its commission rate, in ppb.
    pub commission_rate_ppb: u64,
}

/// The stake rewards are paid on.
pub trait Stake: Clone + Debug {
    /// The module's error.
    type Error: ModuleError;

    /// The staked denomination (rewards are paid in it).
    fn bond_denom(&self, state: &impl StateRead) -> Result<String, Self::Error>;

    /// Tokens bonded to active validators (the numerator of the bonded ratio).
    fn bonded_tokens(&self, state: &impl StateRead) -> Result<u128, Self::Error>;

    /// A candidate's shares and commission, if it exists.
    fn terms(&self, state: &impl StateRead, candidate: &Address) -> Result<Option<CandidateTerms>, Self::Error>;

    /// `delegator`'s shares of `candidate` (0 if none).
    fn shares(&self, state: &impl StateRead, delegator: &Address, candidate: &Address) -> Result<u128, Self::Error>;

    /// The candidates `delegator` holds shares of.
    fn voted_candidates(&self, state: &impl StateRead, delegator: &Address) -> Result<Vec<Address>, Self::Error>;

    /// Every `(delegator, candidate, shares)` with shares: for invariant checks in tests,
    /// never on chain (it reads every delegation).
    fn holders(&self, state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, Self::Error>;
}

/// The bank rewards mint and pay with.
pub trait Bank: Clone + Debug {
    /// Whether module account `name` exists and may mint (the rewards pool must).
    fn is_minter_module(&self, name: &str) -> bool;
    /// Whether module account `name` exists (the community pool must).
    fn is_module(&self, name: &str) -> bool;
    /// `address`'s balance of `denom`.
    fn balance(&self, state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError>;
    /// A module account's balance of `denom`.
    fn module_balance(&self, state: &impl StateRead, module: &str, denom: &str) -> Result<u128, StateError>;
    /// The total supply of `denom`.
    fn supply(&self, state: &impl StateRead, denom: &str) -> Result<u128, StateError>;
    /// Moves the fee collector's whole balance of `denom` into module account `to`; returns it.
    fn collect_fees(&self, state: &mut impl StateWrite, to: &str, denom: &str) -> Result<u128, BankRefusal>;
    /// Creates `coin` in module account `module`.
    fn mint(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal>;
    /// Moves `coin` from module account `from` to module account `to`.
    fn move_between_modules(
        &self,
        state: &mut impl StateWrite,
        from: &str,
        to: &str,
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
}

/// Why the bank refused: an invariant of ours is broken (the pools hold what is owed), so
/// every refusal is reported as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankRefusal {
    /// Any refusal, with the bank's codespace and code.
    Refused(conclave_core::Refusal),
    /// State access failed (out of gas, or fatal).
    State(StateError),
}

/// The validator sets by height: who the addresses of a commit are.
pub trait Signers: Clone + Debug {
    /// The module's error.
    type Error: ModuleError;

    /// The validators that sign `height`: each consensus address with its operator.
    fn signers_at(&self, state: &impl StateRead, height: u64) -> Result<Vec<(ConsensusAddress, Address)>, Self::Error>;
}
