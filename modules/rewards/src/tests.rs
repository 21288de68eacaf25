//! Unit tests: error codes, prefixes, params.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{Address, StateError};

use crate::error::RewardsError;
use crate::params::Params;

fn one_of_each() -> Vec<RewardsError> {
    let a = Address([1; 20]);
    vec![
        RewardsError::InvalidGenesis("x".into()),
        RewardsError::UnknownQuery { path: "x".into() },
        RewardsError::InvalidQuery("x".into()),
        RewardsError::State(StateError::Storage("x".into())),
        RewardsError::NotAuthority("x".into()),
        RewardsError::InvalidParams("x".into()),
        RewardsError::Overflow("x"),
        RewardsError::Insolvent("x".into()),
        RewardsError::NothingToClaim { delegator: a, candidate: None },
        RewardsError::NoCommission { operator: a },
    ]
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=10).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/rewards.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "rewards");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/rewards.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, RewardsError::State(_)));
    }
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn params_are_checked() {
    Params::default().validate().unwrap();
    assert!(Params { inflation_min_ppb: 200_000_000, ..Params::default() }.validate().is_err());
    assert!(Params { goal_bonded_ppb: 0, ..Params::default() }.validate().is_err());
    assert!(Params { community_tax_ppb: 990_000_000, ..Params::default() }.validate().is_err());
}
