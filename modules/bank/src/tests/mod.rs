//! Unit tests on [`MemoryState`]. Every test that changes state ends by checking invariants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

mod errors;
mod genesis;
mod invariants;
mod library;
mod messages;
mod model;
mod queries;

use conclave_core::error::ModuleError;
use conclave_core::{Address, BlockInfo, BlockTime, Coin, MemoryState, Module, TxContext};

use crate::{Bank, BankError, Genesis, GenesisBalance, ModuleAccount, Permissions};

/// Module accounts of the test bank (besides the fee collector).
pub(crate) const MINTER: &str = "minter";
pub(crate) const BURNER: &str = "burner";
pub(crate) const TREASURY: &str = "treasury";

pub(crate) fn bank() -> Bank {
    Bank::new([
        ModuleAccount::new(MINTER, Permissions::MINTER),
        ModuleAccount::new(BURNER, Permissions::BURNER),
        ModuleAccount::new(TREASURY, Permissions::NONE),
    ])
    .unwrap()
}

pub(crate) fn addr(n: u8) -> Address {
    Address::from_public_key(&[n; 32])
}

pub(crate) fn alice() -> Address {
    addr(1)
}

pub(crate) fn bob() -> Address {
    addr(2)
}

pub(crate) fn carol() -> Address {
    addr(3)
}

pub(crate) fn stake(amount: u128) -> Coin {
    Coin::new("stake", amount)
}

pub(crate) fn atom(amount: u128) -> Coin {
    Coin::new("atom", amount)
}

/// A state initialised from genesis with `holdings`.
pub(crate) fn state_with(holdings: &[(Address, Vec<Coin>)]) -> MemoryState {
    let genesis = Genesis {
        balances: holdings
            .iter()
            .map(|(address, coins)| GenesisBalance { address: *address, coins: coins.clone() })
            .collect(),
        supply: None,
        issuance: Vec::new(),
    };
    let mut state = MemoryState::new();
    bank().init_genesis(&mut state, &genesis).unwrap();
    state
}

/// The usual starting point: alice 1000stake + 50atom, bob 10stake.
pub(crate) fn funded() -> MemoryState {
    state_with(&[(alice(), vec![stake(1000), atom(50)]), (bob(), vec![stake(10)])])
}

/// Delivers `msg` signed by `signer`, as the runtime would after `validate`.
pub(crate) fn deliver(state: &mut MemoryState, signer: Address, msg: &crate::Msg) -> Result<(), BankError> {
    let block = BlockInfo::new("test", 1, BlockTime::from_seconds(1));
    let ctx = TxContext { block: &block, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    let bank = bank();
    bank.validate(msg)?;
    bank.deliver(&ctx, state, msg)
}

pub(crate) fn bal(state: &MemoryState, address: Address, denom: &str) -> u128 {
    crate::balance(state, &address, denom).unwrap()
}

pub(crate) fn supply_of(state: &MemoryState, denom: &str) -> u128 {
    crate::supply(state, denom).unwrap()
}

/// Asserts `result` failed with `code` and that `state` (entries and events) equals `before`.
pub(crate) fn assert_rejected(result: Result<(), BankError>, code: u32, state: &MemoryState, before: &MemoryState) {
    let err = result.expect_err("expected an error");
    assert_eq!(err.code(), code, "wrong code for {err}");
    assert_eq!(state, before, "a rejected operation changed state or emitted events");
}

pub(crate) fn assert_invariants(state: &MemoryState) {
    crate::invariants::check(state).unwrap();
}
