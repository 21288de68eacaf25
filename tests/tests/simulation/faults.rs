//! Faults injected through the test chain, as CometBFT would report them, at rates the seed
//! chose: validators that go offline (their votes are `Absent`, or `Nil`, in the next blocks'
//! last commits, then they come back), double signs (duplicate-vote evidence against a key that
//! was in the set at a recent height, sometimes the same evidence again), a proposer drawn from
//! the set, and blocks that come late (the clock jumps).

use std::collections::{BTreeMap, BTreeSet};

use appchain::AppChain;
use conclave_core::{Address, BlockIdFlag, Misbehavior};
use conclave_runtime::FinalizeBlockRequest;
use conclave_testkit::TestChain;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::genesis::World;

/// How far back (in blocks) a double sign may have happened.
const EVIDENCE_LOOKBACK: u64 = 10;

/// Counts of injected faults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Validators taken offline (votes `Absent`).
    pub offline: u64,
    /// Validators voting `Nil` for a while.
    pub nil: u64,
    /// Validators brought back online.
    pub back_online: u64,
    /// Blocks in which at least one validator did not sign.
    pub blocks_with_missing_votes: u64,
    /// Double-sign evidence injected.
    pub double_signs: u64,
    /// Evidence injected again (a fault already punished).
    pub repeated_evidence: u64,
    /// Blocks whose time jumped ahead.
    pub late_blocks: u64,
}

/// A validator that does not sign for a while. Tracked by operator: a node that is down stays
/// down when its consensus key rotates, so its new key does not sign either.
struct Down {
    /// The height from which it signs again.
    until: u64,
    /// How it fails to sign.
    flag: BlockIdFlag,
    /// Every consensus key it had while down (each marked with `flag`).
    keys: BTreeSet<[u8; 32]>,
}

/// The fault injector of one run.
pub struct Faults {
    /// Validators not signing, by operator.
    offline: BTreeMap<Address, Down>,
    /// Every evidence injected so far.
    evidence: Vec<Misbehavior>,
    /// What was injected.
    pub counts: FaultCounts,
}

impl Faults {
    /// No fault yet.
    pub fn new() -> Self {
        Self { offline: BTreeMap::new(), evidence: Vec::new(), counts: FaultCounts::default() }
    }

    /// Before the next block is built: brings back the validators whose time is up, takes
    /// others offline, and may make the block late. Offline validators are kept below a third
    /// of the set that signs the previous block (so a real network would still commit).
    pub fn before_block(&mut self, rng: &mut ChaCha8Rng, chain: &mut TestChain<AppChain>, world: &World) {
        let height = chain.next_height();
        let returning: Vec<Address> =
            self.offline.iter().filter(|(_, down)| down.until <= height).map(|(operator, _)| *operator).collect();
        for operator in returning {
            if let Some(down) = self.offline.remove(&operator) {
                down.keys.iter().for_each(|key| chain.set_vote(key, BlockIdFlag::Commit));
                self.counts.back_online += 1;
            }
        }
        // A validator still down whose key rotated does not sign with its new key either.
        for (operator, down) in &mut self.offline {
            let key = current_key(chain, operator);
            if down.keys.insert(key) {
                chain.set_vote(&key, down.flag);
            }
        }
        let signers: Vec<[u8; 32]> = chain.consensus().set_at(height.saturating_sub(1)).keys().copied().collect();
        let down_keys: BTreeSet<[u8; 32]> = self.offline.values().flat_map(|d| d.keys.iter().copied()).collect();
        if roll(rng, world.offline_permille) {
            let online: Vec<[u8; 32]> = signers.iter().filter(|k| !down_keys.contains(*k)).copied().collect();
            if !online.is_empty() && (self.offline.len() + 1) * 3 < signers.len() {
                let key = online[rng.random_range(0..online.len())];
                let operator = key_owner(chain, &key);
                let window = chain.query_json::<_, conclave_slashing::Params>("slashing/params", &json!({}));
                let window = window.map_or(10, |p| p.signed_blocks_window);
                let duration = rng.random_range(1..=window.saturating_mul(3));
                // One time in five the validator is online but votes nil.
                let flag = if rng.random_range(0..5u32) == 0 {
                    self.counts.nil += 1;
                    BlockIdFlag::Nil
                } else {
                    self.counts.offline += 1;
                    BlockIdFlag::Absent
                };
                chain.set_vote(&key, flag);
                let until = height.saturating_add(duration);
                self.offline.insert(operator, Down { until, flag, keys: BTreeSet::from([key]) });
            }
        }
        let down_keys: BTreeSet<[u8; 32]> = self.offline.values().flat_map(|d| d.keys.iter().copied()).collect();
        if signers.iter().any(|k| down_keys.contains(k)) {
            self.counts.blocks_with_missing_votes += 1;
        }
        if rng.random_range(0..20u32) == 0 {
            chain.advance_time(world.block_interval_nanos.saturating_mul(rng.random_range(1..=5)));
            self.counts.late_blocks += 1;
        }
    }

    /// Fills in the block's proposer (a member of the set signing it) and its evidence.
    pub fn shape_block(
        &mut self,
        rng: &mut ChaCha8Rng,
        chain: &TestChain<AppChain>,
        world: &World,
        request: &mut FinalizeBlockRequest,
    ) {
        let set: Vec<[u8; 32]> = chain.consensus().set_at(request.height).keys().copied().collect();
        if !set.is_empty() {
            request.proposer = conclave_core::consensus_address(&set[rng.random_range(0..set.len())]);
        }
        let produced = chain.height();
        if produced == 0 || !roll(rng, world.double_sign_permille) {
            return;
        }
        // One time in five, evidence already given (it must not punish twice).
        if !self.evidence.is_empty() && rng.random_range(0..5u32) == 0 {
            let again = self.evidence[rng.random_range(0..self.evidence.len())];
            request.misbehavior.push(again);
            self.counts.repeated_evidence += 1;
            return;
        }
        let fault_height = rng.random_range(produced.saturating_sub(EVIDENCE_LOOKBACK).max(1)..=produced);
        let members: Vec<[u8; 32]> = chain.consensus().set_at(fault_height).keys().copied().collect();
        if members.is_empty() {
            return;
        }
        let key = members[rng.random_range(0..members.len())];
        let evidence = chain.duplicate_vote(&key, fault_height);
        self.evidence.push(evidence);
        request.misbehavior.push(evidence);
        self.counts.double_signs += 1;
    }
}

/// The operator whose consensus key (current, pending or past) is `key`.
fn key_owner(chain: &TestChain<AppChain>, key: &[u8; 32]) -> Address {
    let owner: Option<Address> = chain
        .query_json("staking/key_owner", &json!({ "key": conclave_core::state::hex(key) }))
        .unwrap_or_else(|response| panic!("staking/key_owner failed: {}", response.log));
    owner.unwrap_or_else(|| panic!("a key of the validator set has no owner in staking's registry"))
}

/// The operator's current consensus key.
fn current_key(chain: &TestChain<AppChain>, operator: &Address) -> [u8; 32] {
    let info: conclave_staking::query::CandidateInfo = chain
        .query_json("staking/candidate", &json!({ "candidate": operator }))
        .unwrap_or_else(|response| panic!("staking/candidate failed: {}", response.log));
    info.candidate.consensus_key
}

/// True with a chance of `permille` in a thousand.
fn roll(rng: &mut ChaCha8Rng, permille: u32) -> bool {
    rng.random_range(0..1000u32) < permille
}
