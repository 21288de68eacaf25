//! Unit tests: error codes, prefixes, vote-set ordering.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{Address, StateError};

use crate::error::StakingError;
use crate::types::{Status, VoteSet};

fn a() -> Address {
    Address([1; 20])
}

/// One value of every variant; the match fails to compile when a variant is added.
fn one_of_each() -> Vec<StakingError> {
    let all = vec![
        StakingError::UnknownCandidate { candidate: a() },
        StakingError::CandidateExists { operator: a() },
        StakingError::SelfBondBelowMinimum { amount: 1, min: 2 },
        StakingError::ConsensusKeyInUse { key: "k".into() },
        StakingError::ConsensusKeyIsOperatorKey,
        StakingError::InvalidConsensusKey { key: "k".into() },
        StakingError::CommissionOutOfBounds { reason: "r".into() },
        StakingError::CommissionChangeTooSoon { earliest: 1 },
        StakingError::InvalidDescription("d".into()),
        StakingError::ZeroAmount,
        StakingError::InsufficientStake { delegator: a(), candidate: a(), available: 1, requested: 2 },
        StakingError::InsufficientFunds { address: a(), available: 1, needed: 2 },
        StakingError::AmountTooSmall { candidate: a(), amount: 1 },
        StakingError::NotAcceptingStake { candidate: a(), status: Status::Tombstoned },
        StakingError::SelfRedelegation { candidate: a() },
        StakingError::RedelegationLocked { candidate: a(), available: 1, requested: 2, earliest: 3 },
        StakingError::UnknownUnbonding { id: 1 },
        StakingError::UnbondingMatured { id: 1, completion_time: 2 },
        StakingError::NotOwner { id: 1 },
        StakingError::InvalidTransition { candidate: a(), from: Status::Candidate, to: Status::Active },
        StakingError::InvalidInfractionHeight { height: 1, reason: "r".into() },
        StakingError::InvalidFraction,
        StakingError::KeyRotationPending { candidate: a() },
        StakingError::Overflow,
        StakingError::Bank(conclave_core::Refusal {
            codespace: "bank",
            code: 1,
            message: "x".into(),
            earliest_time: None,
        }),
        StakingError::InvalidGenesis("x".into()),
        StakingError::UnknownQuery { path: "x".into() },
        StakingError::InvalidQuery("x".into()),
        StakingError::State(StateError::Storage("x".into())),
        StakingError::CandidateWorthless { candidate: a() },
        StakingError::StillJailed { candidate: a(), until: 1 },
        StakingError::EmptyEdit,
        StakingError::NotAuthority("x".into()),
        StakingError::InvalidParams("x".into()),
        StakingError::Hook(conclave_core::Refusal {
            codespace: "rewards",
            code: 1,
            message: "x".into(),
            earliest_time: None,
        }),
    ];
    for e in &all {
        match e {
            StakingError::UnknownCandidate { .. }
            | StakingError::CandidateExists { .. }
            | StakingError::SelfBondBelowMinimum { .. }
            | StakingError::ConsensusKeyInUse { .. }
            | StakingError::ConsensusKeyIsOperatorKey
            | StakingError::InvalidConsensusKey { .. }
            | StakingError::CommissionOutOfBounds { .. }
            | StakingError::CommissionChangeTooSoon { .. }
            | StakingError::InvalidDescription(_)
            | StakingError::ZeroAmount
            | StakingError::InsufficientStake { .. }
            | StakingError::InsufficientFunds { .. }
            | StakingError::AmountTooSmall { .. }
            | StakingError::NotAcceptingStake { .. }
            | StakingError::SelfRedelegation { .. }
            | StakingError::RedelegationLocked { .. }
            | StakingError::UnknownUnbonding { .. }
            | StakingError::UnbondingMatured { .. }
            | StakingError::NotOwner { .. }
            | StakingError::InvalidTransition { .. }
            | StakingError::InvalidInfractionHeight { .. }
            | StakingError::InvalidFraction
            | StakingError::KeyRotationPending { .. }
            | StakingError::Overflow
            | StakingError::Bank(_)
            | StakingError::InvalidGenesis(_)
            | StakingError::UnknownQuery { .. }
            | StakingError::InvalidQuery(_)
            | StakingError::State(_)
            | StakingError::CandidateWorthless { .. }
            | StakingError::StillJailed { .. }
            | StakingError::EmptyEdit
            | StakingError::NotAuthority(_)
            | StakingError::InvalidParams(_)
            | StakingError::Hook(_) => {}
        }
    }
    all
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=35).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/staking.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "staking");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/staking.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, StakingError::State(_)));
    }
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn vote_set_stays_sorted_without_zeros() {
    let mut set = VoteSet::default();
    for (n, s) in [(3u8, 5u128), (1, 7), (2, 9), (1, 0), (4, 0)] {
        set.set_shares(&Address([n; 20]), s);
    }
    let got: Vec<(u8, u128)> = set.votes.iter().map(|v| (v.candidate.0[0], v.shares)).collect();
    assert_eq!(got, vec![(2, 9), (3, 5)]);
    assert_eq!(set.shares(&Address([3; 20])), 5);
    assert_eq!(set.shares(&Address([9; 20])), 0);
}
