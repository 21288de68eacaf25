//! Unit tests: error codes and message validation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use conclave_core::error::ModuleError;
use conclave_core::{Address, StateError};
use conclave_staking::{Staking, StakingError};

use crate::error::VotingError;
use crate::msg::{validate, Msg, VoteTarget};

fn one_of_each() -> Vec<VotingError> {
    let a = Address([1; 20]);
    vec![
        VotingError::TooManyVotes { count: 17, max: 16 },
        VotingError::TooManyEntries { delegator: a, candidate: a, kind: "unbonding", count: 7, max: 7, earliest: 1 },
        VotingError::DuplicateCandidate { candidate: a },
        VotingError::ZeroAmount,
        VotingError::InvalidGenesis("x".into()),
        VotingError::UnknownQuery { path: "x".into() },
        VotingError::InvalidQuery("x".into()),
        VotingError::State(StateError::Storage("x".into())),
        VotingError::NotAuthority("x".into()),
        VotingError::InvalidParams("x".into()),
    ]
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_eq!(codes, (1..=10).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/voting.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "voting");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/voting.md lacks the row {row:?}");
    }
    // Ledger refusals keep staking's codespace and code.
    let wrapped = VotingError::from_ledger::<Staking<conclave_bank::Bank>>(&StakingError::ZeroAmount);
    assert_eq!((wrapped.codespace(), wrapped.code()), ("staking", 10));
    let locked =
        StakingError::RedelegationLocked { candidate: Address([2; 20]), available: 1, requested: 2, earliest: 9 };
    let wrapped = VotingError::from_ledger::<Staking<conclave_bank::Bank>>(&locked);
    assert_eq!((wrapped.code(), wrapped.earliest_time()), (16, Some(9)));
    // Out of gas and fatal errors stay state errors, whoever raised them.
    let fatal = StakingError::State(StateError::Storage("disk".into()));
    let wrapped = VotingError::from_ledger::<Staking<conclave_bank::Bank>>(&fatal);
    assert_eq!(wrapped.state_error(), Some(&StateError::Storage("disk".into())));
}

#[test]
fn stateless_validation() {
    let a = Address([1; 20]);
    assert_eq!(validate(&Msg::Vote { candidate: a, amount: 0 }), Err(VotingError::ZeroAmount));
    let dup = vec![VoteTarget { candidate: a, amount: 1 }, VoteTarget { candidate: a, amount: 2 }];
    assert_eq!(validate(&Msg::SetVotes { votes: dup }), Err(VotingError::DuplicateCandidate { candidate: a }));
    assert!(validate(&Msg::SetVotes { votes: vec![] }).is_ok());
    // JSON amounts are decimal strings.
    let json = serde_json::to_string(&Msg::Vote { candidate: a, amount: u128::MAX }).unwrap();
    assert!(json.contains(&format!("\"{}\"", u128::MAX)), "{json}");
}
