//! [`ConsensusView`]: what CometBFT would know about the validator set, kept by the test
//! chain so that its blocks carry a realistic `decided_last_commit` and tests can make
//! evidence against real members.
//!
//! CometBFT's rules, reproduced: InitChain's validators sign the first block; the updates a
//! block `H` returns are in the set that signs `H + 2` (power 0 removes); the last commit of
//! block `N` lists every member of the set that signed `N − 1`, by power descending (then
//! address), and is empty at the initial height.

use std::collections::{BTreeMap, BTreeSet};

use conclave_core::{
    consensus_address, BlockIdFlag, BlockTime, CommitInfo, ConsensusAddress, Misbehavior, MisbehaviorKind,
    ValidatorUpdate, VoteInfo,
};

/// A validator set: consensus key → power (all positive).
pub type ValidatorSet = BTreeMap<[u8; 32], u64>;

/// The validator sets by height, and which validators currently fail to sign.
#[derive(Clone, Debug, Default)]
pub struct ConsensusView {
    /// The set that signs each height from the key's height on (until the next entry).
    sets: BTreeMap<u64, ValidatorSet>,
    /// Block times by height (for evidence).
    times: BTreeMap<u64, BlockTime>,
    /// Validators that vote `Absent` (or `Nil`) in the commits of the next blocks.
    missing: BTreeMap<ConsensusAddress, BlockIdFlag>,
}

impl ConsensusView {
    /// The view after InitChain: `genesis` signs from `initial_height`.
    pub(crate) fn new(initial_height: u64, genesis: &[ValidatorUpdate]) -> Self {
        let mut view = Self::default();
        view.sets.insert(initial_height, apply(&ValidatorSet::new(), genesis));
        view
    }

    /// Records block `height` (at `time`) and its updates, which sign from `height + 2`.
    pub(crate) fn record_block(&mut self, height: u64, time: BlockTime, updates: &[ValidatorUpdate]) {
        self.times.insert(height, time);
        if updates.is_empty() {
            return;
        }
        let base = self.set_at(height.saturating_add(1)).clone();
        let next = apply(&base, updates);
        // Updates of a later block replace what an earlier one scheduled for the same height.
        self.sets.insert(height.saturating_add(2), next);
    }

    /// The set that signs `height` (empty before the first block).
    pub fn set_at(&self, height: u64) -> &ValidatorSet {
        static EMPTY: ValidatorSet = BTreeMap::new();
        self.sets.range(..=height).next_back().map_or(&EMPTY, |(_, set)| set)
    }

    /// The time of block `height`, if produced.
    pub fn time_at(&self, height: u64) -> Option<BlockTime> {
        self.times.get(&height).copied()
    }

    /// From now on, `key` does not sign (`Absent`), or signs nil (`Nil`); `Commit` restores it.
    pub fn set_vote(&mut self, key: &[u8; 32], flag: BlockIdFlag) {
        let address = consensus_address(key);
        if flag == BlockIdFlag::Commit {
            self.missing.remove(&address);
        } else {
            self.missing.insert(address, flag);
        }
    }

    /// The `decided_last_commit` of block `height`: every member of the set that signed
    /// `height − 1`, highest power first, with its flag.
    pub fn last_commit(&self, height: u64, initial_height: u64) -> CommitInfo {
        if height <= initial_height {
            return CommitInfo::default();
        }
        let mut votes: Vec<VoteInfo> = self
            .set_at(height - 1)
            .iter()
            .map(|(key, power)| {
                let validator = consensus_address(key);
                let flag = self.missing.get(&validator).copied().unwrap_or(BlockIdFlag::Commit);
                VoteInfo { validator, power: *power, flag }
            })
            .collect();
        votes.sort_by(|a, b| b.power.cmp(&a.power).then(a.validator.cmp(&b.validator)));
        CommitInfo { round: 0, votes }
    }

    /// Evidence that `key` signed two blocks at `height` (which must be produced), as
    /// CometBFT would commit it: the validator's power and the set's total power at `height`.
    pub fn duplicate_vote(&self, key: &[u8; 32], height: u64) -> Misbehavior {
        let set = self.set_at(height);
        let power = set.get(key).copied().unwrap_or_else(|| panic!("the key is not in the set of height {height}"));
        Misbehavior {
            kind: MisbehaviorKind::DuplicateVote,
            validator: consensus_address(key),
            validator_power: power,
            height,
            time: self.time_at(height).unwrap_or_else(|| panic!("height {height} was not produced")),
            total_voting_power: set.values().sum(),
        }
    }

    /// Every consensus key that ever was in a set.
    pub fn known_keys(&self) -> BTreeSet<[u8; 32]> {
        self.sets.values().flat_map(|set| set.keys().copied()).collect()
    }
}

fn apply(base: &ValidatorSet, updates: &[ValidatorUpdate]) -> ValidatorSet {
    let mut set = base.clone();
    for u in updates {
        match u64::try_from(u.power) {
            Ok(0) | Err(_) => {
                set.remove(&u.pub_key);
            }
            Ok(power) => {
                set.insert(u.pub_key, power);
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(key: u8, power: i64) -> ValidatorUpdate {
        ValidatorUpdate { pub_key: [key; 32], power }
    }

    #[test]
    fn updates_sign_two_blocks_later_and_commits_list_the_previous_set() {
        let mut view = ConsensusView::new(1, &[update(1, 10), update(2, 5)]);
        assert!(view.last_commit(1, 1).votes.is_empty(), "no commit at the initial height");
        view.record_block(1, BlockTime(1), &[]);
        view.record_block(2, BlockTime(2), &[update(3, 7), update(2, 0)]);
        assert_eq!(view.set_at(3).len(), 2, "height 3 is still signed by the genesis set");
        assert_eq!(view.set_at(4).keys().copied().collect::<Vec<_>>(), vec![[1; 32], [3; 32]]);
        let commit = view.last_commit(5, 1);
        assert_eq!(commit.votes.iter().map(|v| v.power).collect::<Vec<_>>(), vec![10, 7]);
        view.set_vote(&[3; 32], BlockIdFlag::Absent);
        let commit = view.last_commit(5, 1);
        assert_eq!(commit.votes[1].flag, BlockIdFlag::Absent);
        let evidence = view.duplicate_vote(&[1; 32], 2);
        assert_eq!((evidence.validator_power, evidence.total_voting_power, evidence.time), (10, 15, BlockTime(2)));
    }
}
