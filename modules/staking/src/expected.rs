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

/// A hook's error when staking has two hooks ([`ShareHooks`] for `(A, B)`): the refusal of
/// whichever hook refused, with its own codespace and code, or a state error (which keeps its
/// meaning: out of gas, or fatal).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    /// A hook refused; its module's codespace and code are kept.
    #[error(transparent)]
    Refused(Refusal),
    /// State access failed.
    #[error(transparent)]
    State(StateError),
}

impl HookError {
    /// Flattens a hook's own error.
    pub fn from_module<E: ModuleError>(error: &E) -> Self {
        match Refusal::split(error, None) {
            Ok(refusal) => HookError::Refused(refusal),
            Err(state) => HookError::State(state),
        }
    }
}

impl ModuleError for HookError {
    fn codespace(&self) -> &'static str {
        match self {
            HookError::Refused(refusal) => refusal.codespace,
            HookError::State(_) => "staking",
        }
    }

    fn code(&self) -> u32 {
        match self {
            HookError::Refused(refusal) => refusal.code,
            // Staking's own `State` code (a state error is never reported by its code).
            HookError::State(_) => 29,
        }
    }

    fn state_error(&self) -> Option<&StateError> {
        match self {
            HookError::State(e) => Some(e),
            HookError::Refused(_) => None,
        }
    }
}

/// Two hooks, told in order: `A` first, then `B` (e.g. rewards settles, then governance
/// snapshots the shares a proposal in its voting period counts). An error of `A` stops before
/// `B` is told; either aborts the operation.
impl<A: ShareHooks, B: ShareHooks> ShareHooks for (A, B) {
    type Error = HookError;

    fn before_shares_change(
        &self,
        state: &mut impl StateWrite,
        delegator: &Address,
        candidate: &Address,
        shares: u128,
    ) -> Result<(), HookError> {
        self.0.before_shares_change(state, delegator, candidate, shares).map_err(|e| HookError::from_module(&e))?;
        self.1.before_shares_change(state, delegator, candidate, shares).map_err(|e| HookError::from_module(&e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use conclave_core::{Item, MemoryState};

    use super::*;

    const LOG: Item<Vec<String>> = Item::new("test/log");

    /// Appends its name to a log in state, or refuses with its own codespace and code.
    #[derive(Clone, Debug)]
    struct Named(&'static str, bool);

    #[derive(Debug, thiserror::Error)]
    #[error("{0} refuses")]
    struct NamedError(&'static str);

    impl ModuleError for NamedError {
        fn codespace(&self) -> &'static str {
            self.0
        }
        fn code(&self) -> u32 {
            7
        }
        fn state_error(&self) -> Option<&StateError> {
            None
        }
    }

    impl ShareHooks for Named {
        type Error = NamedError;
        fn before_shares_change(
            &self,
            state: &mut impl StateWrite,
            _: &Address,
            _: &Address,
            shares: u128,
        ) -> Result<(), NamedError> {
            if self.1 {
                return Err(NamedError(self.0));
            }
            let mut log = LOG.get(state).unwrap().unwrap_or_default();
            log.push(format!("{}:{shares}", self.0));
            LOG.put(state, &log).unwrap();
            Ok(())
        }
    }

    #[test]
    fn a_pair_of_hooks_calls_the_first_then_the_second_and_keeps_a_refusals_code() {
        let mut state = MemoryState::new();
        let (d, c) = (Address([1; 20]), Address([2; 20]));
        let pair = (Named("first", false), Named("second", false));
        pair.before_shares_change(&mut state, &d, &c, 5).unwrap();
        assert_eq!(LOG.get(&state).unwrap().unwrap(), vec!["first:5".to_string(), "second:5".to_string()]);

        let refusing = (Named("first", false), Named("second", true));
        let err = refusing.before_shares_change(&mut state, &d, &c, 6).unwrap_err();
        assert_eq!((err.codespace(), err.code()), ("second", 7));
        assert!(err.state_error().is_none());

        let first_refuses = (Named("first", true), Named("second", false));
        let before = LOG.get(&state).unwrap();
        let err = first_refuses.before_shares_change(&mut state, &d, &c, 7).unwrap_err();
        assert_eq!(err.codespace(), "first");
        assert_eq!(LOG.get(&state).unwrap(), before, "the second hook is not told after the first refused");

        let state_error = HookError::from_module(&HookError::State(StateError::Storage("x".into())));
        assert!(state_error.state_error().is_some(), "a state error stays one");
    }
}
