//! Unit and property tests: error codes, rails, tie-break, key rotation, caps, history, and a
//! property test against a plain model of the election.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use conclave_bank::genesis::GenesisBalance;
use conclave_bank::Bank;
use conclave_core::error::ModuleError;
use conclave_core::memory::MemoryState;
use conclave_core::{Address, BlockInfo, BlockTime, Coin, Module, StateError};
use conclave_staking::{At, CommissionRates, Description, GenesisRegistration, Staking, StakingError, Status};
use proptest::prelude::*;

use crate::elect::{share_cap, ValidatorUpdate};
use crate::error::RotationError;
use crate::params::{Params, MAX_TOTAL_POWER, PPB_ONE};
use crate::state::CURRENT;
use crate::{Genesis, Rotation, SetRecord};

const UNIT: u128 = 1_000_000; // staking's default power_reduction and min_self_bond
const DELEGATOR: Address = Address([250; 20]);

fn op(i: u8) -> Address {
    Address([i + 1; 20])
}

fn key(seed: u8, generation: u8) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([seed.wrapping_add(generation.wrapping_mul(101)); 32])
        .verification_key()
        .to_bytes()
}

struct Chain {
    state: MemoryState,
    staking: Staking<Bank>,
    rotation: Rotation<Staking<Bank>>,
}

/// A chain whose candidate `i` self-bonds `self_bonds[i]` tokens, with rotation `params`.
fn chain(self_bonds: &[u128], params: Params) -> Chain {
    let bank = Bank::new(conclave_staking::bank_module_accounts()).unwrap();
    let staking = Staking::new(bank.clone()).unwrap();
    let rotation = Rotation::new(staking.clone());
    let mut state = MemoryState::new();
    let mut balances: Vec<GenesisBalance> = self_bonds
        .iter()
        .enumerate()
        .map(|(i, &b)| GenesisBalance { address: op(i as u8), coins: vec![Coin::new("stake", b)] })
        .collect();
    balances.push(GenesisBalance { address: DELEGATOR, coins: vec![Coin::new("stake", u128::from(u64::MAX))] });
    bank.init_genesis(&mut state, &conclave_bank::Genesis { balances, ..Default::default() }).unwrap();
    let registrations = self_bonds
        .iter()
        .enumerate()
        .map(|(i, &b)| GenesisRegistration {
            operator: op(i as u8),
            consensus_key: key(i as u8, 0),
            commission: CommissionRates {
                rate_ppb: 100_000_000,
                max_rate_ppb: 200_000_000,
                max_change_rate_ppb: 10_000_000,
            },
            description: Description { moniker: format!("v{i}"), ..Description::default() },
            self_bond: b,
        })
        .collect();
    let staking_genesis = conclave_staking::Genesis { registrations, ..conclave_staking::Genesis::default() };
    staking.init_genesis(&mut state, &staking_genesis).unwrap();
    rotation.init_genesis(&mut state, &Genesis { params, ..Genesis::default() }).unwrap();
    crate::invariants::check(&staking, &state).unwrap();
    Chain { state, staking, rotation }
}

fn block(height: u64) -> BlockInfo {
    BlockInfo::new("test", height, BlockTime(height * 1_000_000_000))
}

fn at(height: u64) -> At {
    At::block(&block(height))
}

impl Chain {
    fn current(&self) -> SetRecord {
        CURRENT.get(&self.state).unwrap().unwrap()
    }

    fn end_block(&mut self, height: u64) -> Vec<ValidatorUpdate> {
        let updates = self.rotation.end_block_updates(&block(height), &mut self.state).unwrap();
        self.staking.check_invariants(&self.state).unwrap();
        self.rotation.check_invariants(&self.state).unwrap();
        updates
    }

    fn delegate(&mut self, i: u8, amount: u128, height: u64) {
        self.staking.delegate(&mut self.state, at(height), &DELEGATOR, &op(i), amount).unwrap();
    }

    fn query(&self, path: &str, data: &str) -> serde_json::Value {
        serde_json::from_slice(&self.rotation.query(&self.state, path, data.as_bytes()).unwrap()).unwrap()
    }

    fn events(&self, kind: &str) -> Vec<BTreeMap<String, String>> {
        self.state
            .events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.attributes.iter().map(|a| (a.key.clone(), a.value.clone())).collect())
            .collect()
    }
}

fn small(epoch_length: u64, max: u32, min: u32, share_ppb: u64) -> Params {
    Params {
        epoch_length,
        max_validators: max,
        min_validators: min,
        max_power_share_ppb: share_ppb,
        max_self_bond_multiple: 20,
    }
}

fn powers(record: &SetRecord) -> Vec<(Address, u64)> {
    record.validators.iter().map(|m| (m.operator, m.power)).collect()
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let all = vec![
        RotationError::InvalidGenesis("x".into()),
        RotationError::UnknownQuery { path: "x".into() },
        RotationError::InvalidQuery("x".into()),
        RotationError::DuplicateConsensusKey { key: "k".into() },
        RotationError::State(StateError::Storage("x".into())),
        RotationError::NotAuthority("x".into()),
        RotationError::InvalidParams("x".into()),
    ];
    let codes: Vec<u32> = all.iter().map(ModuleError::code).collect();
    assert_eq!(codes, (1..=7).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/rotation.md");
    for e in &all {
        assert_eq!(e.codespace(), "rotation");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/rotation.md lacks the row {row:?}");
    }
    let wrapped = RotationError::from_registry::<Staking<Bank>>(&StakingError::ZeroAmount);
    assert_eq!((wrapped.codespace(), wrapped.code()), ("staking", 10));
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&crate::state::PREFIXES).unwrap();
}

#[test]
fn default_params_are_valid_and_below_one_third() {
    let p = Params::default();
    p.validate().unwrap();
    assert!(u128::from(p.max_power_share_ppb) * 3 < u128::from(PPB_ONE));
    assert!(small(10, 4, 3, PPB_ONE / 4).validate().is_err(), "3 × 25 % < 100 % must be refused");
}

#[test]
fn genesis_elects_and_activates() {
    let c = chain(&[5 * UNIT, 5 * UNIT, 5 * UNIT, 5 * UNIT], small(10, 10, 4, PPB_ONE / 4));
    let set = c.current();
    assert_eq!(set.from_height, 0);
    assert_eq!(set.validators.len(), 4);
    assert_eq!(set.total_power, 20);
    for i in 0..4 {
        assert_eq!(conclave_staking::ledger::candidate(&c.state, &op(i)).unwrap().status, Status::Active);
    }
    let genesis = c.rotation.genesis_validators(&c.state).unwrap();
    assert_eq!(genesis.len(), 4);
    assert!(genesis.iter().all(|u| u.power == 5));
    // Export → import reproduces the state.
    let exported = c.rotation.export_genesis(&c.state).unwrap();
    assert_eq!(exported.current.as_ref(), Some(&set));
    assert_eq!(exported.history, vec![set]);
}

#[test]
fn below_min_validators_keeps_the_set_and_says_why() {
    let mut c = chain(&[UNIT, UNIT, UNIT, UNIT], small(10, 10, 4, PPB_ONE / 4));
    let before = c.current();
    c.staking.jail(&mut c.state, at(3), &op(0), BlockTime(u64::MAX)).unwrap();
    assert!(c.end_block(9).is_empty(), "not an epoch end");
    assert!(c.end_block(10).is_empty());
    assert_eq!(c.current(), before, "the current set is kept");
    let skipped = c.events("rotation.election_skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["reason"], "below_min_validators");
    assert_eq!(skipped[0]["elected"], "3");
    assert_eq!(c.query("preview", "{}")["skipped"], "below_min_validators");
}

#[test]
fn an_empty_election_keeps_the_set() {
    let mut c = chain(&[UNIT], small(10, 1, 1, PPB_ONE));
    let before = c.current();
    c.staking.tombstone(&mut c.state, at(3), &op(0)).unwrap();
    assert!(c.end_block(10).is_empty());
    assert_eq!(c.current(), before);
    assert_eq!(c.events("rotation.election_skipped")[0]["reason"], "empty");
}

#[test]
fn ties_go_to_the_lower_operator_address() {
    // Three candidates with equal votes, two seats: operators 1 and 2 (lowest addresses) win.
    let mut c = chain(&[2 * UNIT, 2 * UNIT, 2 * UNIT], small(10, 2, 2, PPB_ONE / 2));
    assert_eq!(powers(&c.current()), vec![(op(0), 2), (op(1), 2)]);
    // Candidate 2 gains votes: it wins a seat; 0 and 1 tie for the other, 0 keeps it.
    c.delegate(2, UNIT, 5);
    let updates = c.end_block(10);
    assert_eq!(powers(&c.current()), vec![(op(2), 2), (op(0), 2)], "votes 3 capped to 50 %");
    assert_eq!(updates, {
        let mut u =
            vec![ValidatorUpdate { pub_key: key(1, 0), power: 0 }, ValidatorUpdate { pub_key: key(2, 0), power: 2 }];
        u.sort();
        u
    });
    let status = |i| conclave_staking::ledger::candidate(&c.state, &op(i)).unwrap().status;
    assert_eq!((status(0), status(1), status(2)), (Status::Active, Status::Candidate, Status::Active));
}

#[test]
fn key_rotation_is_a_removal_plus_an_addition_at_the_epoch_end() {
    let mut c = chain(&[UNIT, UNIT, UNIT, UNIT], small(10, 4, 4, PPB_ONE / 4));
    c.staking.rotate_key(&mut c.state, at(3), &op(1), &[0; 32], &key(1, 1)).unwrap();
    assert!(c.end_block(5).is_empty(), "nothing before the epoch ends");
    let updates = c.end_block(10);
    let mut expected =
        vec![ValidatorUpdate { pub_key: key(1, 0), power: 0 }, ValidatorUpdate { pub_key: key(1, 1), power: 1 }];
    expected.sort();
    assert_eq!(updates, expected);
    let cand = conclave_staking::ledger::candidate(&c.state, &op(1)).unwrap();
    assert_eq!((cand.consensus_key, cand.pending_consensus_key), (key(1, 1), None));
    // H = 10: the old key signs 11, the new one from 12.
    assert_eq!(c.current().from_height, 12);
    let at_11 = c.query("validators_at", r#"{"height": 11}"#);
    let at_12 = c.query("validators_at", r#"{"height": 12}"#);
    let hex = |k: [u8; 32]| serde_json::Value::String(conclave_core::state::hex(&k));
    assert_eq!(at_11["validators"][1]["consensus_key"], hex(key(1, 0)));
    assert_eq!(at_12["validators"][1]["consensus_key"], hex(key(1, 1)));
    assert_eq!(at_12["from_height"], 12);
}

#[test]
fn one_candidate_with_most_votes_is_capped_below_a_third() {
    let mut c = chain(
        &[100 * UNIT, 10 * UNIT, 10 * UNIT, 10 * UNIT, 10 * UNIT],
        Params { epoch_length: 10, ..Params::default() },
    );
    c.delegate(0, 900 * UNIT, 2);
    c.end_block(10);
    let set = c.current();
    // Votes 1000, 10, 10, 10, 10; T ≤ 25 % × (T + 40) ⇒ T = 13.
    assert_eq!(powers(&set), vec![(op(0), 13), (op(1), 10), (op(2), 10), (op(3), 10), (op(4), 10)]);
    assert!(set.validators.iter().all(|m| m.power * 3 < set.total_power));
    assert_eq!(c.events("rotation.power_capped").last().unwrap()["votes"], "1000");
}

#[test]
fn the_self_bond_multiple_caps_power() {
    let mut c = chain(&[UNIT, UNIT, UNIT, UNIT], small(10, 4, 1, PPB_ONE));
    c.delegate(0, 100 * UNIT, 2);
    c.end_block(10);
    assert_eq!(powers(&c.current())[0], (op(0), 20), "101 votes, 20 × self-bond");
}

#[test]
fn invariants_catch_an_active_candidate_outside_the_set() {
    // Six candidates, four seats: op 4 and op 5 are not elected.
    // Only an election may make a candidate active; anything else breaks the invariant.
    let mut c = chain(&[10, 20, 30, 40, 5, 6].map(|p| p * 1_000_000), small(10, 4, 4, 250_000_000));
    c.staking.set_active(&mut c.state, at(3), &op(4)).unwrap();
    let err = crate::invariants::check(&c.staking, &c.state).unwrap_err();
    assert!(err.contains("active but not in the current set"), "{err}");
}

#[test]
fn invariants_catch_a_history_that_disagrees_with_the_set() {
    let mut c = chain(&[10, 20, 30, 40].map(|p| p * 1_000_000), small(10, 4, 4, 250_000_000));
    let mut record = c.current();
    record.total_power += 1;
    CURRENT.put(&mut c.state, &record).unwrap();
    assert!(crate::invariants::check(&c.staking, &c.state).unwrap_err().contains("total_power"));
    record.total_power -= 1;
    record.validators[0].power -= 1;
    record.total_power -= 1;
    CURRENT.put(&mut c.state, &record).unwrap();
    assert!(crate::invariants::check(&c.staking, &c.state).unwrap_err().contains("differs from the current set"));
}

/// An export taken at the end of the block that rotated a key (the new set signs from H + 2)
/// is imported at H + 1: CometBFT signs H + 1 with InitChain's set, the new one, so the
/// first block records it from H + 1; an ordinary block, or a set already signing, is left
/// alone; an import that restarts at height 1 drops every later record.
#[test]
fn the_first_block_of_an_imported_chain_is_signed_by_the_set_initchain_gave() {
    let mut c = chain(&[UNIT, UNIT, UNIT, UNIT], small(10, 4, 4, PPB_ONE / 4));
    c.staking.rotate_key(&mut c.state, at(3), &op(1), &[0; 32], &key(1, 1)).unwrap();
    c.end_block(10);
    let exported = c.rotation.export_genesis(&c.state).unwrap();
    let keys = |record: &SetRecord| record.validators.iter().map(|m| m.consensus_key).collect::<Vec<_>>();
    let import = |exported: &Genesis| {
        let mut imported = chain(&[UNIT, UNIT, UNIT, UNIT], small(10, 4, 4, PPB_ONE / 4));
        // Rotation's own genesis is replaced by the export (the other modules' stays).
        imported.state.entries.retain(|k, _| !crate::state::PREFIXES.iter().any(|p| k.starts_with(p.as_bytes())));
        imported.rotation.init_genesis(&mut imported.state, exported).unwrap();
        imported
    };

    // An ordinary block 11 of the exporting chain changes nothing.
    c.rotation.begin_block(&block(11), &mut c.state).unwrap();
    assert_eq!(c.rotation.export_genesis(&c.state).unwrap(), exported);

    // The chain imported at 11: the new key signs 11.
    let mut imported = import(&exported);
    let first = BlockInfo { first_block: true, ..block(11) };
    imported.rotation.begin_block(&first, &mut imported.state).unwrap();
    let at_11 = crate::epoch::set_at(&imported.state, 11).unwrap().unwrap();
    assert_eq!((at_11.from_height, keys(&at_11)), (11, keys(&exported.current.clone().unwrap())));
    assert!(keys(&at_11).contains(&key(1, 1)));
    assert_eq!(crate::epoch::set_at(&imported.state, 10).unwrap().unwrap().from_height, 0);
    // The history's last record is the current set (invariant 2; the full invariants need
    // staking's imported state, which this unit test does not carry over).
    let history = imported.rotation.export_genesis(&imported.state).unwrap().history;
    assert_eq!(history.last(), Some(&imported.current()));
    assert_eq!(imported.current().from_height, 11);

    // Imported at 13 (the new set already signs): nothing to rebase.
    let mut later = import(&exported);
    later.rotation.begin_block(&BlockInfo { first_block: true, ..block(13) }, &mut later.state).unwrap();
    assert_eq!(later.rotation.export_genesis(&later.state).unwrap(), exported);

    // Restarted at height 1: only the current set remains after the genesis record.
    let mut restarted = import(&exported);
    restarted.rotation.begin_block(&BlockInfo { first_block: true, ..block(1) }, &mut restarted.state).unwrap();
    let history = restarted.rotation.export_genesis(&restarted.state).unwrap().history;
    assert_eq!(history.iter().map(|r| r.from_height).collect::<Vec<_>>(), vec![0, 1]);
    assert!(keys(&crate::epoch::set_at(&restarted.state, 12).unwrap().unwrap()).contains(&key(1, 1)));
}

#[test]
fn epoch_query_and_history() {
    let mut c = chain(&[UNIT, UNIT], small(10, 2, 1, PPB_ONE));
    assert_eq!(c.query("epoch", "{}")["end_height"], 10);
    c.delegate(1, UNIT, 1);
    c.end_block(10);
    c.staking.process_queues(&mut c.state, at(10)).unwrap();
    let epoch = c.query("epoch", "{}");
    assert_eq!((epoch["number"].clone(), epoch["start_height"].clone()), (1.into(), 11.into()));
    assert_eq!(c.query("validators_at", r#"{"height": 5}"#)["from_height"], 0);
    assert_eq!(c.query("validators_at", r#"{"height": 12}"#)["validators"][0]["power"], 2);
    assert_eq!(c.query("params", "")["epoch_length"], 10);
    assert!(c.rotation.query(&c.state, "nope", b"").is_err());
}

// ---------------------------------------------------------------------------------------------
// Property tests.

/// The model's cap: the naive iteration "cap everyone at ⌊share × total⌋ until nobody is
/// above it", a different algorithm from the binary search under test.
fn model_cap(mut p: Vec<u64>, share_ppb: u64) -> Vec<u64> {
    loop {
        let total: u128 = p.iter().map(|&x| u128::from(x)).sum();
        let cap = u64::try_from(total * u128::from(share_ppb) / u128::from(PPB_ONE)).unwrap();
        if p.iter().all(|&x| x <= cap) {
            return p;
        }
        for x in &mut p {
            *x = (*x).min(cap);
        }
    }
}

#[derive(Clone, Debug)]
struct Cand {
    self_bond: u128,
    delegations: [u128; 2],
    jailed: [bool; 2],
    tombstoned: bool,
}

fn cand() -> impl Strategy<Value = Cand> {
    (1u128..30, 0u128..3, [0u128..1500, 0u128..1500], [any::<bool>(), any::<bool>()], proptest::bool::weighted(0.1))
        .prop_map(|(s, frac, d, jailed, tombstoned)| Cand {
            self_bond: s * UNIT + frac * 300_000,
            delegations: [d[0] * UNIT / 2, d[1] * UNIT / 3],
            jailed,
            tombstoned,
        })
}

/// The model: who is elected after round `r` (delegations 0..=r applied), with what power.
fn model(cands: &[Cand], r: usize, params: &Params) -> Vec<(Address, u64)> {
    let mut eligible: Vec<(u64, Address, u64)> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        let jailed = c.jailed[..=r].iter().any(|&j| j) || c.tombstoned;
        let tokens: u128 = c.self_bond + c.delegations[..=r].iter().sum::<u128>();
        let votes = u64::try_from(tokens / UNIT).unwrap();
        let bond_cap = u64::try_from(c.self_bond * 20 / UNIT).unwrap();
        if !jailed && votes > 0 {
            eligible.push((votes, op(i as u8), votes.min(bond_cap)));
        }
    }
    eligible.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    eligible.truncate(params.max_validators as usize);
    let capped = model_cap(eligible.iter().map(|e| e.2).collect(), params.max_power_share_ppb);
    eligible.iter().zip(capped).map(|(e, p)| (e.1, p)).collect()
}

fn apply(old: &SetRecord, updates: &[ValidatorUpdate]) -> BTreeMap<[u8; 32], u64> {
    let mut set: BTreeMap<[u8; 32], u64> = old.validators.iter().map(|m| (m.consensus_key, m.power)).collect();
    let mut seen = std::collections::BTreeSet::new();
    for u in updates {
        assert!(seen.insert(u.pub_key), "duplicate key in one batch");
        if u.power == 0 {
            assert!(set.remove(&u.pub_key).is_some(), "power 0 for a non-member");
        } else {
            set.insert(u.pub_key, u.power);
        }
    }
    set
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn elections_match_the_model_and_updates_are_the_difference(
        cands in proptest::collection::vec(cand(), 1..10),
        max in 1u32..7,
        share in prop_oneof![Just(250_000_000u64), Just(333_333_333), Just(500_000_000), Just(PPB_ONE)],
        rotate in proptest::collection::vec(any::<bool>(), 10),
    ) {
        let min = u32::try_from(PPB_ONE.div_ceil(share)).unwrap();
        let params = small(10, max.max(min), min, share);
        let self_bonds: Vec<u128> = cands.iter().map(|c| c.self_bond).collect();
        let mut c = chain(&self_bonds, params.clone());
        let mut old = CURRENT.get(&c.state).unwrap().unwrap_or(SetRecord {
            epoch: 0, elected_at: 0, from_height: 0, validators: vec![], total_power: 0,
        });
        for r in 0..2usize {
            let height = 10 * (r as u64 + 1);
            for (i, cd) in cands.iter().enumerate() {
                let i8 = i as u8;
                if cd.delegations[r] > 0 {
                    let _ = c.staking.delegate(&mut c.state, at(height - 5), &DELEGATOR, &op(i8), cd.delegations[r]);
                }
                if cd.jailed[r] {
                    let _ = c.staking.jail(&mut c.state, at(height - 5), &op(i8), BlockTime(u64::MAX));
                }
                if r == 0 && cd.tombstoned {
                    c.staking.tombstone(&mut c.state, at(height - 5), &op(i8)).unwrap();
                }
                if rotate.get(i).copied().unwrap_or(false) && r == 1 && !cd.tombstoned {
                    c.staking.rotate_key(&mut c.state, at(height - 5), &op(i8), &[0; 32], &key(i8, 1 + r as u8)).unwrap();
                }
            }
            let expected = model(&cands, r, &params);
            let before = CURRENT.get(&c.state).unwrap();
            let updates = c.end_block(height);
            if expected.is_empty() || expected.len() < min as usize {
                prop_assert!(updates.is_empty());
                prop_assert_eq!(CURRENT.get(&c.state).unwrap(), before);
                continue;
            }
            let new = c.current();
            prop_assert_eq!(powers(&new), expected);
            prop_assert!(new.total_power <= MAX_TOTAL_POWER);
            prop_assert!(new.validators.iter().all(|m| u128::from(m.power) * u128::from(PPB_ONE) <= u128::from(share) * u128::from(new.total_power)));
            // Keys are the candidates' current keys (pending ones applied).
            for m in &new.validators {
                let cand = conclave_staking::ledger::candidate(&c.state, &m.operator).unwrap();
                prop_assert_eq!(cand.consensus_key, m.consensus_key);
                prop_assert_eq!(cand.status, Status::Active);
            }
            let applied = apply(&old, &updates);
            let want: BTreeMap<[u8; 32], u64> = new.validators.iter().map(|m| (m.consensus_key, m.power)).collect();
            prop_assert_eq!(applied, want);
            old = new;
        }
    }

    #[test]
    fn the_default_cap_keeps_everyone_below_a_third(p in proptest::collection::vec(1u64..1_000_000_000_000, 4..60)) {
        let share = Params::default().max_power_share_ppb;
        let t = share_cap(&p, share).unwrap_or(u64::MAX);
        let capped: Vec<u64> = p.iter().map(|&x| x.min(t)).collect();
        let total: u128 = capped.iter().map(|&x| u128::from(x)).sum();
        prop_assert!(capped.iter().all(|&x| x >= 1 && u128::from(x) * 3 < total));
        if p.iter().all(|&x| x < 10_000) {
            prop_assert_eq!(capped, model_cap(p.clone(), share));
        }
    }
}

impl Chain {
    /// Jails candidate `i` (as a slashing module does) and schedules its removal.
    fn jail_and_remove(&mut self, i: u8, height: u64) -> bool {
        self.staking.jail(&mut self.state, at(height), &op(i), BlockTime(u64::MAX)).unwrap();
        self.rotation.schedule_removal(&mut self.state, &op(i)).unwrap()
    }
}

#[test]
fn a_jailed_member_leaves_at_the_end_of_its_block_with_one_power_zero_update() {
    let mut c = chain(&[5 * UNIT; 5], small(10, 10, 4, PPB_ONE / 4));
    assert!(c.jail_and_remove(2, 4));
    let updates = c.end_block(4);
    assert_eq!(updates, vec![ValidatorUpdate { pub_key: key(2, 0), power: 0 }], "one update, for it only");
    let set = c.current();
    assert_eq!(powers(&set), vec![(op(0), 5), (op(1), 5), (op(3), 5), (op(4), 5)], "25 % each: no cap needed");
    assert_eq!((set.from_height, set.total_power), (6, 20));
    assert_eq!(c.query("validators_at", r#"{"height": 5}"#)["validators"].as_array().unwrap().len(), 5);
    assert_eq!(c.query("validators_at", r#"{"height": 6}"#)["validators"].as_array().unwrap().len(), 4);
    assert_eq!(c.events("rotation.validator_removed")[0]["from_height"], "6");
    // The next election does not bring it back, nor send anything more for it.
    let updates = c.end_block(10);
    assert!(updates.iter().all(|u| u.pub_key != key(2, 0)), "{updates:?}");
    // A candidate outside the set needs no removal.
    assert!(!c.jail_and_remove(2, 11));
}

#[test]
fn a_removal_re_caps_the_members_left() {
    // Votes 20, 5, 5, 5, 5 under a 25 % cap: T = 6 (6 ≤ 25 % × 26). Without op(1), T = 5.
    let mut c = chain(&[5 * UNIT; 5], small(10, 10, 4, PPB_ONE / 4));
    c.delegate(0, 15 * UNIT, 2);
    c.end_block(10);
    assert_eq!(powers(&c.current()), vec![(op(0), 6), (op(1), 5), (op(2), 5), (op(3), 5), (op(4), 5)]);
    c.jail_and_remove(1, 13);
    let mut expected =
        vec![ValidatorUpdate { pub_key: key(0, 0), power: 5 }, ValidatorUpdate { pub_key: key(1, 0), power: 0 }];
    expected.sort();
    assert_eq!(c.end_block(13), expected);
    let set = c.current();
    assert!(set.validators.iter().all(|m| u128::from(m.power) * 4 <= u128::from(set.total_power)), "cap holds");
}

#[test]
fn below_the_cap_s_minimum_size_the_elected_powers_stay() {
    // Four at 25 %: three left cannot all stay at or below 25 %, so powers are kept.
    let mut c = chain(&[UNIT; 4], small(10, 4, 4, PPB_ONE / 4));
    c.jail_and_remove(3, 4);
    assert_eq!(c.end_block(4), vec![ValidatorUpdate { pub_key: key(3, 0), power: 0 }]);
    assert_eq!(powers(&c.current()), vec![(op(0), 1), (op(1), 1), (op(2), 1)]);
}

#[test]
fn the_last_member_is_never_removed() {
    let mut c = chain(&[UNIT], small(10, 1, 1, PPB_ONE));
    let before = c.current();
    c.jail_and_remove(0, 4);
    assert!(c.end_block(4).is_empty());
    assert_eq!(c.current(), before, "CometBFT cannot run with an empty set");
    assert_eq!(c.events("rotation.removal_refused").len(), 1);
}

#[test]
fn a_removal_and_an_election_in_one_block_send_each_key_once() {
    // Five seats, six candidates: op(5) is outside. At the epoch's end op(0) is jailed and
    // op(5) is elected in its place: one update each, none twice.
    let mut c = chain(&[2 * UNIT, 2 * UNIT, 2 * UNIT, 2 * UNIT, 2 * UNIT, UNIT], small(10, 5, 4, PPB_ONE / 4));
    assert_eq!(c.current().validators.len(), 5);
    c.jail_and_remove(0, 10);
    let updates = c.end_block(10);
    let mut expected =
        vec![ValidatorUpdate { pub_key: key(0, 0), power: 0 }, ValidatorUpdate { pub_key: key(5, 0), power: 1 }];
    expected.sort();
    assert_eq!(updates, expected);
    assert!(c.current().validators.iter().any(|m| m.operator == op(5)));
}
