//! `conclave-bank`'s [`Bank`](conclave_bank::Bank) as the bank rewards mint and pay with;
//! the `conclave-bank` feature (on by default).

use conclave_bank::{BankError, ModuleAccount, Permissions};
use conclave_core::{Address, Coin, Refusal, StateError, StateRead, StateWrite};

use crate::expected::BankRefusal;
use crate::{COMMUNITY_POOL, REWARDS_POOL};

/// The module accounts to give `conclave_bank::Bank::new` for rewards: the rewards pool
/// (it mints the issuance) and the community pool.
pub fn bank_module_accounts() -> [ModuleAccount; 2] {
    [ModuleAccount::new(REWARDS_POOL, Permissions::MINTER), ModuleAccount::new(COMMUNITY_POOL, Permissions::NONE)]
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
    fn is_minter_module(&self, name: &str) -> bool {
        self.module_account(name).is_some_and(|a| a.permissions.minter)
    }

    fn is_module(&self, name: &str) -> bool {
        self.module_account(name).is_some()
    }

    fn balance(&self, state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError> {
        conclave_bank::balance(state, address, denom)
    }

    fn module_balance(&self, state: &impl StateRead, module: &str, denom: &str) -> Result<u128, StateError> {
        conclave_bank::balance(state, &Address::module(module), denom)
    }

    fn supply(&self, state: &impl StateRead, denom: &str) -> Result<u128, StateError> {
        conclave_bank::supply(state, denom)
    }

    fn collect_fees(&self, state: &mut impl StateWrite, to: &str, denom: &str) -> Result<u128, BankRefusal> {
        let collector = self.fee_collector_address();
        let amount = conclave_bank::balance(state, &collector, denom).map_err(BankRefusal::State)?;
        if amount > 0 {
            self.move_between_modules(state, conclave_bank::FEE_COLLECTOR, to, &Coin::new(denom, amount))?;
        }
        Ok(amount)
    }

    fn mint(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::mint(self, state, module, coin)?)
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

    fn send_from_module(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        Ok(conclave_bank::Bank::send_from_module(self, state, module, to, coin)?)
    }
}
