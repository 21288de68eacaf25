//! Unit tests: error codes, prefixes, bitmap positions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{Address, Refusal, StateError};

use crate::error::SlashingError;
use crate::liveness::position;

fn one_of_each() -> Vec<SlashingError> {
    let a = Address([1; 20]);
    vec![
        SlashingError::InvalidGenesis("x".into()),
        SlashingError::UnknownQuery { path: "x".into() },
        SlashingError::InvalidQuery("x".into()),
        SlashingError::State(StateError::Storage("x".into())),
        SlashingError::NotAuthority("x".into()),
        SlashingError::InvalidParams("x".into()),
        SlashingError::Tombstoned { operator: a },
        SlashingError::NotJailed { operator: a },
        SlashingError::UnknownSigner { address: "ab".into(), height: 1 },
    ]
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=9).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/slashing.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "slashing");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/slashing.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, SlashingError::State(_)));
    }
    let other =
        SlashingError::Other(Refusal { codespace: "staking", code: 31, message: "x".into(), earliest_time: Some(5) });
    assert_eq!((other.codespace(), other.code(), other.earliest_time()), ("staking", 31, Some(5)));
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn a_window_maps_heights_onto_chunks_and_bits() {
    assert_eq!(position(0, 10_000), (0, 0));
    assert_eq!(position(63, 10_000), (0, 63));
    assert_eq!(position(64, 10_000), (1, 0));
    assert_eq!(position(10_000, 10_000), (0, 0), "the window wraps");
    assert_eq!(position(10_063, 10_000), (0, 63));
    assert_eq!(position(9_999, 10_000), (156, 15), "the last chunk is partial");
}
