//! `conclave-bank`'s [`Bank`](conclave_bank::Bank) as the bank deposits are escrowed with;
//! the `conclave-bank` feature (on by default).

use conclave_bank::{BankError, ModuleAccount, Permissions};
use conclave_core::{Address, Coin, Refusal, StateError, StateRead, StateWrite};

use crate::expected::BankRefusal;
use crate::MODULE_ACCOUNT;

/// The module accounts to give `conclave_bank::Bank::new` for governance: the escrow of
/// deposits, which burns vetoed ones (and is the parameter authority).
pub fn bank_module_accounts() -> [ModuleAccount; 1] {
    [ModuleAccount::new(MODULE_ACCOUNT, Permissions::BURNER)]
}

impl From<BankError> for BankRefusal {
    fn from(error: BankError) -> Self {
        match Refusal::split(&error, None) {
            Ok(refusal) => BankRefusal::Refused(refusal),
            Err(state) => BankRefusal::State(state),
        }
    }
}

impl crate::expected::Bank for conclave_bank::Bank {
    fn is_burner_module(&self, name: &str) -> bool {
        self.module_account(name).is_some_and(|a| a.permissions.burner)
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

    fn send_from_module(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::send_from_module(self, state, module, to, coin)?)
    }

    fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::burn(self, state, module, coin)?)
    }
}
