//! Error codes: unique, stable, documented.

use conclave_core::coin::InvalidDenom;
use conclave_core::error::assert_codes_unique;
use conclave_core::StateError;

use super::*;

/// One value of every variant. The match below fails to compile when a variant is added,
/// as a reminder to list it here (and in the docs table).
fn one_of_each() -> Vec<BankError> {
    let all = vec![
        BankError::InvalidDenom(InvalidDenom("X".into())),
        BankError::ZeroAmount { denom: "stake".into() },
        BankError::NoOutputs { max: 64 },
        BankError::TooManyOutputs { count: 65, max: 64 },
        BankError::SelfTransfer { address: alice() },
        BankError::BlockedRecipient { address: alice(), module: "m".into() },
        BankError::InsufficientFunds { address: alice(), denom: "stake".into(), available: 1, needed: 2 },
        BankError::Overflow { denom: "stake".into() },
        BankError::UnknownModuleAccount { name: "m".into() },
        BankError::MissingPermission { module: "m".into(), permission: "minter" },
        BankError::InvalidConfig("x".into()),
        BankError::InvalidGenesis("x".into()),
        BankError::UnknownQuery { path: "x".into() },
        BankError::InvalidQuery("x".into()),
        BankError::State(StateError::Storage("x".into())),
    ];
    for e in &all {
        match e {
            BankError::InvalidDenom(_)
            | BankError::ZeroAmount { .. }
            | BankError::NoOutputs { .. }
            | BankError::TooManyOutputs { .. }
            | BankError::SelfTransfer { .. }
            | BankError::BlockedRecipient { .. }
            | BankError::InsufficientFunds { .. }
            | BankError::Overflow { .. }
            | BankError::UnknownModuleAccount { .. }
            | BankError::MissingPermission { .. }
            | BankError::InvalidConfig(_)
            | BankError::InvalidGenesis(_)
            | BankError::UnknownQuery { .. }
            | BankError::InvalidQuery(_)
            | BankError::State(_) => {}
        }
    }
    all
}

#[test]
fn codes_are_unique_and_never_renumbered() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    // Pinned: changing a code breaks clients. Append new codes instead.
    assert_eq!(codes, (1..=15).collect::<Vec<u32>>());
    assert!(one_of_each().iter().all(|e| e.codespace() == "bank"));
}

#[test]
fn only_the_state_variant_carries_a_state_error() {
    for e in one_of_each() {
        assert_eq!(e.state_error().is_some(), matches!(e, BankError::State(_)), "{e:?}");
    }
    let out_of_gas = BankError::from(StateError::OutOfGas { limit: 1, needed: 2 });
    assert_eq!(out_of_gas.state_error(), Some(&StateError::OutOfGas { limit: 1, needed: 2 }));
}

#[test]
fn docs_list_every_code() {
    let docs = include_str!("../../../../docs/modules/bank.md");
    for e in one_of_each() {
        let debug = format!("{e:?}");
        let name: String = debug.chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/bank.md lacks the row {row:?}");
    }
}
