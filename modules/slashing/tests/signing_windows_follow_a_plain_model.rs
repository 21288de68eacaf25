//! The liveness bookkeeping against a plain model, for random windows, thresholds and vote
//! sequences: the missed count, the jail decision and the reset after a jail agree with a
//! model that simply remembers every vote of the current stint.
//!
//! Slashing runs here over mock candidates and a mock validator set (the traits it owns),
//! on a plain `MemoryState`: no staking, no rotation, no runtime.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use conclave_core::error::ModuleError;
use conclave_core::{
    consensus_address, Address, At, BlockIdFlag, BlockInfo, BlockTime, CommitInfo, ConsensusAddress, MemoryState,
    Module, Ratio, StateError, StateRead, StateWrite, VoteInfo,
};
use conclave_slashing::expected::{Candidates, Slashed, Standing, ValidatorSets};
use conclave_slashing::{Genesis, Params, Slashing};
use proptest::prelude::*;

/// A mock module error (never raised here).
#[derive(Debug, thiserror::Error)]
#[error("mock")]
struct MockError;

impl ModuleError for MockError {
    fn codespace(&self) -> &'static str {
        "mock"
    }
    fn code(&self) -> u32 {
        1
    }
    fn state_error(&self) -> Option<&StateError> {
        None
    }
}

/// Candidates whose standing lives in a shared map; slashes take nothing and are counted.
#[derive(Clone, Debug, Default)]
struct MockCandidates {
    standing: Rc<RefCell<BTreeMap<Address, Standing>>>,
    slashes: Rc<RefCell<Vec<(Address, u64)>>>,
}

impl Candidates for MockCandidates {
    type Error = MockError;
    fn earliest_time(_: &MockError) -> Option<u64> {
        None
    }
    fn standing(&self, _: &impl StateRead, operator: &Address) -> Result<Standing, MockError> {
        Ok(self.standing.borrow().get(operator).copied().unwrap_or(Standing::Free))
    }
    fn slash(
        &self,
        _: &mut impl StateWrite,
        _: At,
        operator: &Address,
        height: u64,
        _: Ratio,
    ) -> Result<Slashed, MockError> {
        self.slashes.borrow_mut().push((*operator, height));
        Ok(Slashed::default())
    }
    fn jail(&self, _: &mut impl StateWrite, _: At, operator: &Address, until: BlockTime) -> Result<(), MockError> {
        self.standing.borrow_mut().insert(*operator, Standing::Jailed { until });
        Ok(())
    }
    fn tombstone(&self, _: &mut impl StateWrite, _: At, operator: &Address) -> Result<(), MockError> {
        self.standing.borrow_mut().insert(*operator, Standing::Tombstoned);
        Ok(())
    }
    fn unjail(&self, _: &mut impl StateWrite, _: At, operator: &Address) -> Result<(), MockError> {
        self.standing.borrow_mut().insert(*operator, Standing::Free);
        Ok(())
    }
    fn next_block(&self, _: &impl StateRead) -> Result<At, MockError> {
        Ok(At::GENESIS)
    }
}

/// One validator, always in the set; removals are counted.
#[derive(Clone, Debug)]
struct MockSet {
    key: [u8; 32],
    operator: Address,
    removals: Rc<RefCell<u32>>,
}

impl ValidatorSets for MockSet {
    type Error = MockError;
    fn signers_at(&self, _: &impl StateRead, _: u64) -> Result<Vec<(ConsensusAddress, Address)>, MockError> {
        Ok(vec![(consensus_address(&self.key), self.operator)])
    }
    fn remove(&self, _: &mut impl StateWrite, _: &Address) -> Result<(), MockError> {
        *self.removals.borrow_mut() += 1;
        Ok(())
    }
}

/// The model: every vote of the current stint; jailed heights are not votes.
struct Model {
    window: u64,
    max_missed: u64,
    stint: Vec<(u64, bool)>,
}

impl Model {
    /// Counts a vote at `h`; returns whether it jails.
    fn vote(&mut self, h: u64, missed: bool) -> bool {
        self.stint.push((h, missed));
        let start = self.stint[0].0;
        let in_window = |&&(height, _): &&(u64, bool)| height + self.window > h;
        let count = self.stint.iter().filter(in_window).filter(|(_, m)| *m).count() as u64;
        let jail = missed && h - start + 1 >= self.window && count > self.max_missed;
        if jail {
            self.stint.clear();
        }
        jail
    }

    fn missed(&self) -> u64 {
        let Some(&(h, _)) = self.stint.last() else { return 0 };
        self.stint.iter().filter(|(height, m)| *m && height + self.window > h).count() as u64
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn liveness_matches_the_model(
        window in 1u64..40,
        min_signed_ppb in 0u64..=1_000_000_000,
        votes in proptest::collection::vec(prop_oneof![3 => Just(false), 2 => Just(true)], 1..160),
        jail_blocks in 1u64..6,
    ) {
        let key = [7u8; 32];
        let operator = Address([1; 20]);
        let candidates = MockCandidates::default();
        let set = MockSet { key, operator, removals: Rc::default() };
        let slashing = Slashing::new(candidates.clone(), set.clone());
        let params = Params {
            signed_blocks_window: window,
            min_signed_per_window_ppb: min_signed_ppb,
            downtime_jail_duration_nanos: jail_blocks * 1_000_000_000,
            ..Params::default()
        };
        let mut state = MemoryState::new();
        slashing.init_genesis(&mut state, &Genesis { params: params.clone(), ..Genesis::default() }).unwrap();
        let mut model = Model { window, max_missed: params.max_missed_blocks(), stint: Vec::new() };
        let mut jails = 0u32;
        // Block H carries the vote about h = H − 1.
        for (i, missed) in votes.iter().enumerate() {
            let h = i as u64 + 1;
            let time = BlockTime::from_seconds(h + 1);
            let mut block = BlockInfo::new("t", h + 1, time);
            let flag = if *missed { BlockIdFlag::Absent } else { BlockIdFlag::Commit };
            block.last_commit = CommitInfo { round: 0, votes: vec![VoteInfo { validator: consensus_address(&key), power: 1, flag }] };
            // A jailed validator is out: once its time is over, its operator unjails it.
            let standing = candidates.standing(&state, &operator).unwrap();
            if let Standing::Jailed { until } = standing {
                if time >= until {
                    candidates.unjail(&mut state, At::block(&block), &operator).unwrap();
                }
            }
            let free = candidates.standing(&state, &operator).unwrap() == Standing::Free;
            slashing.begin_block(&block, &mut state).unwrap();
            slashing.check_invariants(&state).unwrap();
            if free {
                let jailed = model.vote(h, *missed);
                let now = candidates.standing(&state, &operator).unwrap();
                prop_assert_eq!(matches!(now, Standing::Jailed { .. }), jailed, "jail decision at h = {}", h);
                if jailed {
                    jails += 1;
                    prop_assert_eq!(candidates.slashes.borrow().last().copied(), Some((operator, h.saturating_sub(2).max(1))));
                } else {
                    let answer: serde_json::Value = serde_json::from_slice(
                        &slashing.query(&state, "signing_info", format!(r#"{{"operator":"{operator}"}}"#).as_bytes()).unwrap(),
                    ).unwrap();
                    prop_assert_eq!(answer["info"]["missed"].as_u64(), Some(model.missed()), "missed count at h = {}", h);
                }
            } else {
                // Jailed: the vote is not counted; the model's stint restarts after the jail.
                model.stint.clear();
            }
        }
        prop_assert_eq!(*set.removals.borrow(), jails, "one removal per jail");
    }
}
