//! Property test: the efficient tally equals a naive per-voter recount from a full copy of
//! the stake taken when voting started.
//!
//! Run through the real bank, staking (with governance's share hooks) and voting modules on
//! a `MemoryState`: random candidates (some never active, so outside the snapshot), random
//! bonds, then a proposal whose voting starts, then random direct votes (validators' within
//! their window), governance delegations (to voters, to validators, to addresses with no
//! stake, delegates that never vote, chains of two hops), stake moved after the start
//! (votes, unvotes, redelegations, undelegations), jails and tombstones.
//!
//! The naive recount is written apart from the module: at the start it copies every
//! `(voter, candidate, shares)` and every active candidate's tokens and shares; at the tally,
//! for **every** voter of that copy, it decides where its stake goes (own vote, else its
//! delegate's own vote, else each validator's vote unless jailed or tombstoned now) and
//! buckets its start shares per (candidate, option); each bucket is converted once,
//! `⌊tokens × bucket / shares⌋`. After every step: governance's, staking's and the bank's
//! invariants (the snapshot adds up), and the running tally equals the recount; at the end,
//! the final tally recorded in the proposal equals it too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use conclave_bank::{Bank as BankModule, GenesisBalance};
use conclave_core::{Address, BlockInfo, BlockTime, Coin, MemoryState, Module, TxContext};
use conclave_governance::{Governance, Hooks, Msg, ProposalStatus, Tally, VoteOption};
use conclave_staking::{At, CommissionRates, Description, Staking, Status};
use conclave_voting::Voting;
use proptest::prelude::*;

type StakingM = Staking<BankModule, Hooks>;
type GovernanceM = Governance<StakingM, BankModule>;

const CANDIDATES: usize = 4;
const USERS: usize = 6;
const FUNDS: u128 = 1_000_000_000_000;
const DENOM: &str = "stake";
const VOTING_SECONDS: u64 = 3_000;

fn operator(i: usize) -> Address {
    Address::from_public_key(&[1 + i as u8; 32])
}
fn user(i: usize) -> Address {
    Address::from_public_key(&[50 + i as u8; 32])
}
/// Voters: users, then operators.
fn voter(i: usize) -> Address {
    if i < USERS {
        user(i)
    } else {
        operator(i - USERS)
    }
}
/// Delegates: any voter, or an address with no stake.
fn delegate(i: usize) -> Address {
    if i < USERS + CANDIDATES {
        voter(i)
    } else {
        Address::from_public_key(&[200; 32])
    }
}
fn cons_key(i: usize) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([100 + i as u8; 32]).verification_key().to_bytes()
}

fn option(i: u8) -> VoteOption {
    VoteOption::ALL[usize::from(i % 4)]
}

#[derive(Clone, Debug)]
enum Op {
    GovVote { voter: usize, option: u8 },
    Delegate { voter: usize, to: Option<usize> },
    Bond { voter: usize, cand: usize, amount: u128 },
    Unvote { voter: usize, cand: usize },
    Redelegate { voter: usize, src: usize, dst: usize, amount: u128 },
    Undelegate { voter: usize, cand: usize, amount: u128 },
    Jail { cand: usize },
    Tombstone { cand: usize },
    Wait { seconds: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let v = || 0..USERS + CANDIDATES;
    let c = || 0..CANDIDATES;
    let amount = || prop_oneof![1u128..1_000, 1u128..5_000_000];
    prop_oneof![
        6 => (v(), any::<u8>()).prop_map(|(voter, option)| Op::GovVote { voter, option }),
        4 => (v(), prop::option::weighted(0.8, 0..USERS + CANDIDATES + 1)).prop_map(|(voter, to)| Op::Delegate { voter, to }),
        3 => (v(), c(), amount()).prop_map(|(voter, cand, amount)| Op::Bond { voter, cand, amount }),
        1 => (v(), c()).prop_map(|(voter, cand)| Op::Unvote { voter, cand }),
        2 => (v(), c(), c(), amount()).prop_map(|(voter, src, dst, amount)| Op::Redelegate { voter, src, dst, amount }),
        2 => (v(), c(), amount()).prop_map(|(voter, cand, amount)| Op::Undelegate { voter, cand, amount }),
        1 => c().prop_map(|cand| Op::Jail { cand }),
        1 => c().prop_map(|cand| Op::Tombstone { cand }),
        2 => (1u64..400).prop_map(|seconds| Op::Wait { seconds }),
    ]
}

/// The copy of the stake at voting start.
struct Start {
    holdings: Vec<(Address, Address, u128)>,
    candidates: BTreeMap<Address, (u128, u128)>,
}

struct World {
    bank: BankModule,
    staking: StakingM,
    voting: Voting<StakingM>,
    governance: GovernanceM,
    state: MemoryState,
    block: BlockInfo,
    /// The test's own record of direct votes and delegations.
    votes: BTreeMap<Address, VoteOption>,
    delegations: BTreeMap<Address, Address>,
}

fn ctx(block: &BlockInfo, signer: Address) -> TxContext<'_> {
    TxContext { block, signer, signer_key: [0xEE; 32], tx_index: 0, msg_index: 0 }
}

impl World {
    fn new(active: &[bool], bonds: &[(usize, usize, u128)]) -> Self {
        let accounts =
            conclave_staking::bank_module_accounts().into_iter().chain(conclave_governance::bank_module_accounts());
        let bank = BankModule::new(accounts).unwrap();
        let staking = Staking::with_hooks(bank.clone(), Hooks).unwrap();
        let voting = Voting::new(staking.clone());
        let governance = Governance::new(staking.clone(), bank.clone()).unwrap();
        let mut state = MemoryState::new();
        let bank_genesis = conclave_bank::Genesis {
            balances: (0..USERS + CANDIDATES)
                .map(|i| GenesisBalance { address: voter(i), coins: vec![Coin::new(DENOM, FUNDS)] })
                .collect(),
            supply: None,
            issuance: Vec::new(),
        };
        bank.init_genesis(&mut state, &bank_genesis).unwrap();
        let staking_params = conclave_staking::Params {
            unbonding_period_nanos: 100_000 * 1_000_000_000,
            min_self_bond: 1_000,
            power_reduction: 100,
            ..conclave_staking::Params::default()
        };
        staking
            .init_genesis(&mut state, &conclave_staking::Genesis { params: staking_params, ..Default::default() })
            .unwrap();
        voting.init_genesis(&mut state, &conclave_voting::Genesis::default()).unwrap();
        let params = conclave_governance::Params {
            min_deposit: 10,
            voting_period_seconds: VOTING_SECONDS,
            ..conclave_governance::Params::default()
        };
        governance.init_genesis(&mut state, &conclave_governance::Genesis { params, ..Default::default() }).unwrap();
        let block = BlockInfo::new("gov-model", 1, BlockTime::from_seconds(1_000));
        let mut world = Self {
            bank,
            staking,
            voting,
            governance,
            state,
            block,
            votes: BTreeMap::new(),
            delegations: BTreeMap::new(),
        };
        let block = world.block.clone();
        for (i, active) in active.iter().enumerate() {
            let register = conclave_staking::Msg::RegisterCandidate {
                consensus_key: cons_key(i),
                commission: CommissionRates {
                    rate_ppb: 50_000_000,
                    max_rate_ppb: 500_000_000,
                    max_change_rate_ppb: 20_000_000,
                },
                description: Description { moniker: format!("v{i}"), ..Description::default() },
                self_bond: 1_000_000 * (i as u128 + 1),
            };
            world.staking.deliver(&ctx(&block, operator(i)), &mut world.state, &register).unwrap();
            if *active {
                world.staking.set_active(&mut world.state, At::block(&block), &operator(i)).unwrap();
            }
        }
        for (v, c, amount) in bonds {
            let msg = conclave_voting::Msg::Vote { candidate: operator(*c), amount: *amount };
            world.voting.deliver(&ctx(&block, voter(*v)), &mut world.state, &msg).unwrap();
        }
        world
    }

    /// Runs `f` on a copy of the state and keeps it only on success (the runtime discards a
    /// failed transaction's writes).
    fn attempt<E: std::fmt::Debug>(&mut self, f: impl FnOnce(&Self, &mut MemoryState) -> Result<(), E>) -> bool {
        let mut scratch = self.state.clone();
        match f(self, &mut scratch) {
            Ok(()) => {
                self.state = scratch;
                true
            }
            Err(_) => false,
        }
    }

    fn gov(&mut self, signer: Address, msg: Msg) -> bool {
        let block = self.block.clone();
        self.attempt(|w, s| w.governance.deliver(&ctx(&block, signer), s, &msg))
    }

    fn start(&mut self) -> (u64, Start) {
        let holdings = conclave_staking::query::all_holdings(&self.state).unwrap();
        let candidates = conclave_staking::query::candidates_with_status(&self.state, Status::Active)
            .unwrap()
            .into_iter()
            .map(|c| (c.operator, (c.tokens, c.shares)))
            .collect();
        let msg = Msg::Submit { title: "t".into(), summary: "s".into(), messages: vec![], deposit: 10 };
        assert!(self.gov(user(0), msg));
        (1, Start { holdings, candidates })
    }

    fn apply(&mut self, op: &Op) {
        let block = self.block.clone();
        let at = At::block(&block);
        match op {
            Op::GovVote { voter: v, option: o } => {
                if self.gov(voter(*v), Msg::Vote { proposal: 1, option: option(*o) }) {
                    self.votes.insert(voter(*v), option(*o));
                }
            }
            Op::Delegate { voter: v, to } => {
                let to = to.map(delegate);
                if self.gov(voter(*v), Msg::Delegate { to }) {
                    match to {
                        Some(d) => self.delegations.insert(voter(*v), d),
                        None => self.delegations.remove(&voter(*v)),
                    };
                }
            }
            Op::Bond { voter: v, cand, amount } => {
                let msg = conclave_voting::Msg::Vote { candidate: operator(*cand), amount: *amount };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, voter(*v)), s, &msg));
            }
            Op::Unvote { voter: v, cand } => {
                let msg = conclave_voting::Msg::Unvote { candidate: operator(*cand) };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, voter(*v)), s, &msg));
            }
            Op::Redelegate { voter: v, src, dst, amount } => {
                let msg = conclave_voting::Msg::Redelegate {
                    source: operator(*src),
                    destination: operator(*dst),
                    amount: *amount,
                };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, voter(*v)), s, &msg));
            }
            Op::Undelegate { voter: v, cand, amount } => {
                let msg = conclave_voting::Msg::Undelegate { candidate: operator(*cand), amount: *amount };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, voter(*v)), s, &msg));
            }
            Op::Jail { cand } => {
                let until = block.time.plus_nanos(10_000_000_000);
                self.attempt(|w, s| w.staking.jail(s, at, &operator(*cand), until));
            }
            Op::Tombstone { cand } => {
                self.attempt(|w, s| w.staking.tombstone(s, at, &operator(*cand)));
            }
            Op::Wait { seconds } => {
                // Stay inside the voting period (the last step ends it).
                let end = self.proposal().voting_end.unwrap();
                let next = self.block.time.plus_nanos(seconds * 1_000_000_000);
                if next < end {
                    self.next_block(next);
                }
            }
        }
    }

    fn next_block(&mut self, time: BlockTime) {
        self.staking.end_block(&self.block, &mut self.state).unwrap();
        self.governance.end_block(&self.block, &mut self.state).unwrap();
        self.block = BlockInfo::new("gov-model", self.block.height + 1, time);
    }

    fn proposal(&self) -> conclave_governance::Proposal {
        serde_json::from_slice(&self.governance.query(&self.state, "proposal", br#"{"proposal":1}"#).unwrap()).unwrap()
    }

    fn check_invariants(&self) {
        self.bank.check_invariants(&self.state).unwrap();
        self.staking.check_invariants(&self.state).unwrap();
        self.governance.check_invariants(&self.state).unwrap();
    }

    /// The naive recount: every voter of the start copy, one by one.
    fn recount(&self, start: &Start) -> Tally {
        let mut buckets: BTreeMap<(Address, VoteOption), u128> = BTreeMap::new();
        for (v, candidate, shares) in &start.holdings {
            if !start.candidates.contains_key(candidate) {
                continue;
            }
            let own = self.votes.get(v);
            let delegated = self.delegations.get(v).and_then(|d| self.votes.get(d));
            let inherited = self.votes.get(candidate).filter(|_| {
                let status = conclave_staking::ledger::candidate(&self.state, candidate).unwrap().status;
                !matches!(status, Status::Jailed | Status::Tombstoned)
            });
            if let Some(option) = own.or(delegated).or(inherited) {
                *buckets.entry((*candidate, *option)).or_default() += shares;
            }
        }
        let mut tally = Tally { total_stake: start.candidates.values().map(|(t, _)| t).sum(), ..Tally::default() };
        for ((candidate, option), shares) in buckets {
            let (tokens, total_shares) = start.candidates[&candidate];
            let value = tokens * shares / total_shares;
            match option {
                VoteOption::Yes => tally.yes += value,
                VoteOption::No => tally.no += value,
                VoteOption::Abstain => tally.abstain += value,
                VoteOption::NoWithVeto => tally.no_with_veto += value,
            }
        }
        tally
    }
}

fn setup() -> impl Strategy<Value = (Vec<bool>, Vec<(usize, usize, u128)>)> {
    (
        prop::collection::vec(prop::bool::weighted(0.85), CANDIDATES),
        prop::collection::vec((0..USERS + CANDIDATES, 0..CANDIDATES, 1u128..3_000_000), 0..14),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn tally_matches_a_naive_recount_from_the_snapshot(
        (active, bonds) in setup(),
        before in prop::collection::vec(op(), 0..6),
        ops in prop::collection::vec(op(), 1..50),
    ) {
        let mut world = World::new(&active, &bonds);
        // Delegations may exist before the vote starts.
        for op in before.iter().filter(|op| matches!(op, Op::Delegate { .. })) {
            world.apply(op);
        }
        let (id, start) = world.start();
        prop_assert_eq!(world.proposal().status, ProposalStatus::VotingPeriod);
        world.check_invariants();
        for op in &ops {
            world.apply(op);
            world.check_invariants();
            let running = world.governance.tally(&world.state, id).unwrap();
            prop_assert_eq!(running, world.recount(&start), "after {:?}", op);
        }
        let expected = world.recount(&start);
        let end = world.proposal().voting_end.unwrap();
        world.next_block(end);
        world.next_block(end.plus_nanos(1));
        let proposal = world.proposal();
        prop_assert!(proposal.status != ProposalStatus::VotingPeriod);
        prop_assert_eq!(proposal.final_tally, Some(expected));
        world.check_invariants();
    }
}
