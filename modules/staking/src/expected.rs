//! What staking needs from other modules, as traits staking owns (the consumer owns the
//! interface, as Cosmos's `expected_keepers.go` does):
//! - [`Bank`]: the bank staking moves stake with. `conclave-bank`'s `Bank` has an
//!   implementation behind this crate's default `conclave-bank` feature (`bank_adapter.rs`);
//!   a chain with another bank implements [`Bank`] for it in its own crate;
//! - [`ShareHooks`]: who must hear of a share change before it happens (a rewards module
//!   settles what the shares earned). [`NoHooks`] when nobody does.

use std::fmt::Debug;

use conclave_core::{Address, Coin, ModuleError, Refusal, StateError, StateRead, StateWrite};

/// Staking's three pools (module accounts, each needing the burner permission for slashes):
/// [`crate::BONDED_POOL`], [`crate::UNBONDED_POOL`], [`crate::UNBONDING_POOL`].
pub const POOLS: [&str; 3] = [crate::BONDED_POOL, crate::UNBONDED_POOL, crate::UNBONDING_POOL];

/// The bank staking moves stake with. Every writer is all-or-nothing: on `Err` it wrote
/// nothing (a [`BankRefusal::State`] aside, after which the caller's overlay is discarded).
pub trait Bank: Clone + Debug {
    /// Whether module account `name` exists and may burn (each of [`POOLS`] must).
    fn is_burner_module(&self, name: &str) -> bool;
    /// `address`'s balance of `denom` (0 when none).
    fn balance(&self, state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError>;
    /// Moves `coin` from account `from` into module account `module`.
    fn send_to_module(
        &self,
        state: &mut impl StateWrite,
        from: &Address,
        module: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal>;
    /// Moves `coin` from module account `from` to module account `to`.
    fn move_between_modules(
        &self,
        state: &mut impl StateWrite,
        from: &str,
        to: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal>;
    /// Pays `payouts` in `denom` from module account `module`, in order.
    fn send_from_module_to_many(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        denom: &str,
        payouts: &[(Address, u128)],
    ) -> Result<(), BankRefusal>;
    /// Destroys `coin` held by module account `module`.
    fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal>;
}

/// Why the bank refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankRefusal {
    /// The sender holds less than needed (staking reports its own `InsufficientFunds` code).
    InsufficientFunds {
        /// The sender.
        address: Address,
        /// Its balance.
        available: u128,
        /// What the operation needed.
        needed: u128,
    },
    /// Any other refusal, with the bank's codespace and code.
    Refused(Refusal),
    /// State access failed (out of gas, or fatal).
    State(StateError),
}

/// Told before a delegator's shares of a candidate change (bond, unbond, redelegate, cancel,
/// forfeit, a slash of a redelegation's shares), with the shares it holds until then: a
/// rewards module settles what those shares earned, so rewards never depend on shares that
/// were not held while they accrued. Every change goes through one place in the ledger
/// (`put_shares`), which calls this first; an error aborts the operation.
pub trait ShareHooks: Clone + Debug {
    /// The hook's error (a state error stays one; any other is reported with its codespace).
    type Error: ModuleError;

    /// `delegator`'s shares of `candidate` are about to change from `shares`.
    fn before_shares_change(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
        shares: u128,
    ) -> Result<(), Self::Error>;
}

/// No hooks: a chain without rewards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoHooks;

impl ShareHooks for NoHooks {
    type Error = std::convert::Infallible;

    fn before_shares_change(
        &self,
        _state: &mut impl StateWrite,
        _delegator: &Address,
        _candidate: &Address,
        _shares: u128,
    ) -> Result<(), std::convert::Infallible> {
        Ok(())
    }
}
