//! `conclave-bank`'s [`Bank`](conclave_bank::Bank) as the bank staking needs
//! ([`crate::expected::Bank`]); the `conclave-bank` feature (on by default).

use conclave_bank::{BankError, ModuleAccount, Permissions};
use conclave_core::{Address, Coin, Refusal, StateError, StateRead, StateWrite};

use crate::expected::{BankRefusal, POOLS};

/// The module accounts to give `conclave_bank::Bank::new` for staking: its three pools, each
/// allowed to burn (slashes destroy stake).
pub fn bank_module_accounts() -> [ModuleAccount; 3] {
    POOLS.map(|name| ModuleAccount::new(name, Permissions::BURNER))
}

impl From<BankError> for BankRefusal {
    fn from(error: BankError) -> Self {
        match error {
            BankError::InsufficientFunds { address, available, needed, .. } => {
                BankRefusal::InsufficientFunds { address, available, needed }
            }
            BankError::State(e) => BankRefusal::State(e),
            other => match Refusal::split(&other, None) {
                Ok(refusal) => BankRefusal::Refused(refusal),
                Err(state) => BankRefusal::State(state),
            },
        }
    }
}

impl crate::expected::Bank for conclave_bank::Bank {
    fn is_burner_module(&self, name: &str) -> bool {
        self.module_account(name).is_some_and(|account| account.permissions.burner)
    }

    fn balance(&self, state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError> {
        conclave_bank::balance(state, address, denom)
    }

    fn send_to_module(
        &self,
        state: &mut impl StateWrite,
        from: &Address,
        module: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::send_to_module(self, state, from, module, coin)?)
    }

    fn move_between_modules(
        &self,
        state: &mut impl StateWrite,
        from: &str,
        to: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::move_between_modules(self, state, from, to, coin)?)
    }

    fn send_from_module_to_many(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        denom: &str,
        payouts: &[(Address, u128)],
    ) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::send_from_module_to_many(self, state, module, denom, payouts)?)
    }

    fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::burn(self, state, module, coin)?)
    }
}
