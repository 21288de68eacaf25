//! Property test: random votes, unvotes, redelegations, undelegations, slashes (also of past
//! heights, so redelegations and unbondings are cut), jails, unjails, tombstones, fees,
//! claims and commission withdrawals over many blocks with random absent signers, run
//! through the real bank, staking (with rewards' share hooks), voting and rewards modules on
//! a `MemoryState`, and through a naive model written apart from the module: every block it
//! splits the block's rewards itself (tax, proposer bonus, signers by power, commission) and
//! pays **every holder of every candidate**, by its shares, into a per-holder account.
//!
//! Checked after every step:
//! - every claim pays what the model owes, to the base unit; the only difference allowed is
//!   the documented rounding: per-share accounting rounds the reward per share down, which
//!   loses less than `shares` scaled units (10⁻¹⁸ token each) per block, and the model's own
//!   per-holder floor less than one; so the cumulative difference stays below a bound the
//!   test tracks, far below one token, and a claim differs by at most one base unit, only
//!   when the two straddle a whole token;
//! - the same for every holder's pending rewards after every block, in scaled units;
//! - commission equals the model's exactly, and so does the tax, the proposer bonus and each
//!   signer's part (the model's community pool is never above the module's);
//! - the bank's, staking's and rewards' invariants (I6 conservation, exact solvency, coverage);
//! - the supply changes only by what is minted and what slashes burn.
//!
//! Failures shrink to a minimal sequence; proptest persists the seed under
//! `proptest-regressions/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use conclave_bank::{Bank as BankModule, GenesisBalance};
use conclave_core::{
    consensus_address, Address, BlockIdFlag, BlockInfo, BlockTime, Coin, ConsensusAddress, MemoryState, Module, Ratio,
    StateRead, TxContext, VoteInfo,
};
use conclave_rewards::expected::Signers;
use conclave_rewards::schema::{CANDIDATES, VOTES};
use conclave_rewards::types::{Totals, SCALE};
use conclave_rewards::{Hooks, Rewards, COMMUNITY_POOL};
use conclave_staking::{At, CommissionRates, Description, Staking, Status};
use conclave_voting::Voting;
use proptest::prelude::*;

type StakingM = Staking<BankModule, Hooks>;
type RewardsM = Rewards<StakingM, BankModule, FixedSigners>;

const CANDIDATES_N: usize = 3;
const USERS: usize = 4;
const FUNDS: u128 = 1_000_000_000_000;
const PPB: u128 = 1_000_000_000;
const DENOM: &str = "stake";

fn operator(i: usize) -> Address {
    Address::from_public_key(&[1 + i as u8; 32])
}
fn user(i: usize) -> Address {
    Address::from_public_key(&[50 + i as u8; 32])
}
/// Delegators: the users, then the operators (who may vote for others too).
fn delegator(i: usize) -> Address {
    if i < USERS {
        user(i)
    } else {
        operator(i - USERS)
    }
}
fn cons_key(i: usize) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([100 + i as u8; 32]).verification_key().to_bytes()
}
fn cons(i: usize) -> ConsensusAddress {
    consensus_address(&cons_key(i))
}

/// Every candidate's consensus address maps to its operator at every height (the test's
/// stand-in for rotation's set history; keys never rotate here).
#[derive(Clone, Debug)]
struct FixedSigners;

impl Signers for FixedSigners {
    type Error = std::convert::Infallible;
    fn signers_at(&self, _: &impl StateRead, _: u64) -> Result<Vec<(ConsensusAddress, Address)>, Self::Error> {
        Ok((0..CANDIDATES_N).map(|i| (cons(i), operator(i))).collect())
    }
}

#[derive(Clone, Debug)]
enum Op {
    Vote { del: usize, cand: usize, amount: u128 },
    Unvote { del: usize, cand: usize },
    Redelegate { del: usize, src: usize, dst: usize, amount: u128 },
    Undelegate { del: usize, cand: usize, amount: u128 },
    Slash { cand: usize, back: u64, percent: u128 },
    Jail { cand: usize },
    Unjail { cand: usize },
    Activate { cand: usize },
    Tombstone { cand: usize },
    Fee { payer: usize, amount: u128 },
    Claim { del: usize, cand: Option<usize> },
    WithdrawCommission { cand: usize },
    Block { absent: u8, proposer: usize, seconds: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let d = || 0..USERS + CANDIDATES_N;
    let c = || 0..CANDIDATES_N;
    let amount = || prop_oneof![3 => 1u128..5_000, 3 => 1u128..2_000_000, 1 => 1u128..300_000_000];
    prop_oneof![
        6 => (d(), c(), amount()).prop_map(|(del, cand, amount)| Op::Vote { del, cand, amount }),
        1 => (d(), c()).prop_map(|(del, cand)| Op::Unvote { del, cand }),
        2 => (d(), c(), c(), amount()).prop_map(|(del, src, dst, amount)| Op::Redelegate { del, src, dst, amount }),
        2 => (d(), c(), amount()).prop_map(|(del, cand, amount)| Op::Undelegate { del, cand, amount }),
        1 => (c(), 0u64..6, 1u128..60).prop_map(|(cand, back, percent)| Op::Slash { cand, back, percent }),
        1 => c().prop_map(|cand| Op::Jail { cand }),
        1 => c().prop_map(|cand| Op::Unjail { cand }),
        1 => c().prop_map(|cand| Op::Activate { cand }),
        1 => prop::bool::weighted(0.2).prop_flat_map(move |_| c()).prop_map(|cand| Op::Tombstone { cand }),
        2 => (0..USERS, 1u128..50_000).prop_map(|(payer, amount)| Op::Fee { payer, amount }),
        4 => (d(), prop::option::of(c())).prop_map(|(del, cand)| Op::Claim { del, cand }),
        1 => c().prop_map(|cand| Op::WithdrawCommission { cand }),
        8 => (any::<u8>(), c(), 1u64..30).prop_map(|(absent, proposer, seconds)| Op::Block { absent, proposer, seconds }),
    ]
}

/// The naive model: per (delegator, candidate), everything it was ever given, in scaled units,
/// and the bound on how far the module's figure may be below it.
#[derive(Clone, Debug, Default)]
struct Model {
    /// (delegator, candidate) → (given scaled, paid tokens, allowed shortfall scaled).
    holders: BTreeMap<(Address, Address), (u128, u128, u128)>,
    /// Candidate → commission given, not withdrawn.
    commission: BTreeMap<Address, u128>,
    /// Whole tokens the model sends the community pool.
    community: u128,
    /// Fees paid since the last block.
    fees: u128,
}

struct World {
    bank: BankModule,
    staking: StakingM,
    voting: Voting<StakingM>,
    rewards: RewardsM,
    state: MemoryState,
    block: BlockInfo,
    model: Model,
    /// Supply at genesis + minted − burned.
    expected_supply: u128,
    /// Candidates' status at the end of the previous block (who signs the next commit).
    signing: Vec<(usize, u64)>,
}

fn ctx(block: &BlockInfo, signer: Address) -> TxContext<'_> {
    TxContext { block, signer, signer_key: [0xEE; 32], tx_index: 0, msg_index: 0 }
}

impl World {
    fn new() -> Self {
        let accounts =
            conclave_staking::bank_module_accounts().into_iter().chain(conclave_rewards::bank_module_accounts());
        let bank = BankModule::new(accounts).unwrap();
        let staking = Staking::with_hooks(bank.clone(), Hooks).unwrap();
        let voting = Voting::new(staking.clone());
        let rewards = Rewards::new(staking.clone(), bank.clone(), FixedSigners).unwrap();
        let mut state = MemoryState::new();
        let funded: Vec<Address> = (0..USERS + CANDIDATES_N).map(delegator).collect();
        let bank_genesis = conclave_bank::Genesis {
            balances: funded
                .iter()
                .map(|a| GenesisBalance { address: *a, coins: vec![Coin::new(DENOM, FUNDS)] })
                .collect(),
            supply: None,
            issuance: Vec::new(),
        };
        bank.init_genesis(&mut state, &bank_genesis).unwrap();
        let staking_params = conclave_staking::Params {
            unbonding_period_nanos: 200 * 1_000_000_000,
            min_self_bond: 1_000,
            power_reduction: 100,
            ..conclave_staking::Params::default()
        };
        staking
            .init_genesis(&mut state, &conclave_staking::Genesis { params: staking_params, ..Default::default() })
            .unwrap();
        voting.init_genesis(&mut state, &conclave_voting::Genesis::default()).unwrap();
        rewards.init_genesis(&mut state, &conclave_rewards::Genesis::default()).unwrap();
        let block = BlockInfo::new("rewards-model", 1, BlockTime::from_seconds(1_000));
        let mut world = Self {
            bank,
            staking,
            voting,
            rewards,
            state,
            block,
            model: Model::default(),
            expected_supply: FUNDS * (USERS + CANDIDATES_N) as u128,
            signing: Vec::new(),
        };
        // Block 1: the rewards clock starts, then three candidates register and go active.
        world.begin_block(&[]);
        for i in 0..CANDIDATES_N {
            let register = conclave_staking::Msg::RegisterCandidate {
                consensus_key: cons_key(i),
                commission: CommissionRates {
                    rate_ppb: [50_000_000, 100_000_000, 200_000_000][i],
                    max_rate_ppb: 500_000_000,
                    max_change_rate_ppb: 20_000_000,
                },
                description: Description { moniker: format!("v{i}"), ..Description::default() },
                self_bond: 1_000_000 * (i as u128 + 1),
            };
            world.staking.deliver(&ctx(&world.block.clone(), operator(i)), &mut world.state, &register).unwrap();
            world.staking.set_active(&mut world.state, At::block(&world.block), &operator(i)).unwrap();
        }
        world
    }

    fn stake(&self, cand: usize) -> (u128, Status) {
        let c = conclave_staking::ledger::candidate(&self.state, &operator(cand)).unwrap();
        (c.tokens, c.status)
    }

    fn totals(&self) -> Totals {
        serde_json::from_slice(&self.rewards.query(&self.state, "totals", b"{}").unwrap()).unwrap()
    }

    fn balance(&self, a: &Address) -> u128 {
        conclave_bank::balance(&self.state, a, DENOM).unwrap()
    }

    fn community_pool(&self) -> u128 {
        conclave_bank::balance(&self.state, &Address::module(COMMUNITY_POOL), DENOM).unwrap()
    }

    /// Runs `f` on a copy of the state and keeps it only on success (a module refusal writes
    /// nothing in a real block either: the runtime discards the tx's overlay).
    fn attempt<E>(&mut self, f: impl FnOnce(&Self, &mut MemoryState) -> Result<(), E>) -> bool {
        let mut scratch = self.state.clone();
        match f(self, &mut scratch) {
            Ok(()) => {
                self.state = scratch;
                true
            }
            Err(_) => false,
        }
    }

    /// Ends the current block and begins the next one, `seconds` later, with the commit of the
    /// validators active at the end of this block (`absent` bits: who missed it).
    fn next_block(&mut self, absent: u8, proposer: usize, seconds: u64) {
        self.staking.end_block(&self.block, &mut self.state).unwrap();
        let mut votes = Vec::new();
        for i in 0..CANDIDATES_N {
            let (tokens, status) = self.stake(i);
            let power = u64::try_from(tokens / 100).unwrap();
            if status == Status::Active && power > 0 {
                let flag = if absent & (1 << i) != 0 { BlockIdFlag::Absent } else { BlockIdFlag::Commit };
                votes.push(VoteInfo { validator: cons(i), power, flag });
            }
        }
        self.block = BlockInfo::new(
            "rewards-model",
            self.block.height + 1,
            BlockTime(self.block.time.0 + seconds * 1_000_000_000),
        );
        self.block.proposer = cons(proposer);
        self.block.last_commit.votes = votes.clone();
        self.begin_block(&votes);
    }

    fn begin_block(&mut self, votes: &[VoteInfo]) {
        let before = self.totals();
        let community_before = self.community_pool();
        // The model's view of the stake, read before the block's rewards.
        let mut holders: BTreeMap<Address, Vec<(Address, u128)>> = BTreeMap::new();
        for (del, cand, shares) in conclave_staking::query::all_holdings(&self.state).unwrap() {
            holders.entry(cand).or_default().push((del, shares));
        }
        let rates: BTreeMap<Address, u128> = (0..CANDIDATES_N)
            .filter_map(|i| conclave_staking::ledger::candidate(&self.state, &operator(i)).ok())
            .map(|c| (c.operator, u128::from(c.commission.rate_ppb)))
            .collect();

        self.rewards.begin_block(&self.block, &mut self.state).unwrap();

        let after = self.totals();
        let minted = after.minted - before.minted;
        assert_eq!(after.fees - before.fees, self.model.fees, "the fees collected are the fees paid");
        self.expected_supply += minted;
        let collected = minted + self.model.fees;
        self.model.fees = 0;
        let params = conclave_rewards::Params::default();
        let total: u128 = votes.iter().map(|v| u128::from(v.power)).sum();
        let signed: u128 = votes.iter().filter(|v| v.flag == BlockIdFlag::Commit).map(|v| u128::from(v.power)).sum();
        let model_community_before = self.model.community;
        if signed == 0 {
            self.model.community += collected;
        } else {
            let after_tax = collected * (PPB - u128::from(params.community_tax_ppb)) / PPB;
            self.model.community += collected - after_tax;
            let proposer_ppb = u128::from(params.base_proposer_reward_ppb)
                + u128::from(params.bonus_proposer_reward_ppb) * signed / total;
            let bonus = after_tax * proposer_ppb / PPB;
            let for_signers = after_tax - bonus;
            let mut parts: BTreeMap<Address, u128> = BTreeMap::new();
            let mut given = 0;
            for v in votes.iter().filter(|v| v.flag == BlockIdFlag::Commit) {
                let i = (0..CANDIDATES_N).find(|i| cons(*i) == v.validator).unwrap();
                let part = for_signers * u128::from(v.power) / signed;
                *parts.entry(operator(i)).or_default() += part;
                given += part;
            }
            self.model.community += for_signers - given;
            let proposer = (0..CANDIDATES_N).find(|i| cons(*i) == self.block.proposer).unwrap();
            *parts.entry(operator(proposer)).or_default() += bonus;
            for (cand, amount) in parts {
                let Some(list) = holders.get(&cand).filter(|l| !l.is_empty()) else {
                    self.model.community += amount; // nobody to pay: the community's
                    continue;
                };
                let commission = amount * rates[&cand] / PPB;
                *self.model.commission.entry(cand).or_default() += commission;
                let delegators = amount - commission;
                let all: u128 = list.iter().map(|(_, s)| s).sum();
                for (del, shares) in list {
                    let slot = self.model.holders.entry((*del, cand)).or_default();
                    slot.0 += delegators * SCALE * shares / all;
                    slot.2 += shares + 1;
                }
            }
        }
        // The module's community pool got at least the model's (plus whole tokens of dust).
        let community_got = self.community_pool() - community_before;
        let model_got = self.model.community - model_community_before;
        assert!(community_got >= model_got, "community pool got {community_got}, the model {model_got}");
    }

    /// The module's cumulative figure for a holder: paid + pending, in scaled units.
    fn module_scaled(&self, del: &Address, cand: &Address) -> u128 {
        let shares = conclave_staking::ledger::vote_set(&self.state, del).unwrap().shares(cand);
        let per_share = CANDIDATES.get(&self.state, cand).unwrap().unwrap_or_default().reward_per_share;
        match VOTES.get(&self.state, &(*del, *cand)).unwrap() {
            Some(v) => v.earned_scaled + shares * (per_share - v.index),
            None => 0,
        }
    }

    fn check_pending(&self) {
        for ((del, cand), (given, paid, slack)) in &self.model.holders {
            let module = self.module_scaled(del, cand) + paid * SCALE;
            assert!(module <= *given, "{del} at {cand}: module {module} above the model {given}");
            assert!(given - module <= *slack, "{del} at {cand}: module {module}, model {given}, slack {slack}");
            assert!(*slack < SCALE / 1000, "the test's bound must stay far below a token");
        }
    }

    fn check_invariants(&self) {
        self.bank.check_invariants(&self.state).unwrap();
        self.staking.check_invariants(&self.state).unwrap();
        self.rewards.check_invariants(&self.state).unwrap();
        assert_eq!(
            conclave_bank::supply(&self.state, DENOM).unwrap(),
            self.expected_supply,
            "supply moves only by mint and burn"
        );
        for (cand, commission) in &self.model.commission {
            let answer: serde_json::Value = serde_json::from_slice(
                &self
                    .rewards
                    .query(&self.state, "validator", format!("{{\"candidate\":\"{cand}\"}}").as_bytes())
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(answer["commission"], commission.to_string(), "commission of {cand}");
        }
    }

    /// A claim at one candidate: the module pays the model's whole tokens, to the base unit
    /// (one less only where the model's figure just crossed a whole token the module's has not).
    fn expect_claim(&mut self, del: Address, cand: Address, paid_now: u128) {
        let shares = conclave_staking::ledger::vote_set(&self.state, &del).unwrap().shares(&cand);
        let slot = self.model.holders.entry((del, cand)).or_default();
        let model_pay = slot.0 / SCALE - slot.1;
        assert!(
            paid_now == model_pay || (paid_now + 1 == model_pay && (slot.0 - slot.2) / SCALE < slot.0 / SCALE),
            "{del} claimed {paid_now} at {cand}, the model owes {model_pay}"
        );
        slot.1 += paid_now;
        if shares == 0 {
            // The record is closed: both drop the sub-token remainder (to the community).
            self.model.holders.remove(&(del, cand));
        }
    }

    fn apply(&mut self, op: &Op) {
        let block = self.block.clone();
        let at = At::block(&block);
        match op {
            Op::Vote { del, cand, amount } => {
                let msg = conclave_voting::Msg::Vote { candidate: operator(*cand), amount: *amount };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, delegator(*del)), s, &msg));
            }
            Op::Unvote { del, cand } => {
                let msg = conclave_voting::Msg::Unvote { candidate: operator(*cand) };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, delegator(*del)), s, &msg));
            }
            Op::Redelegate { del, src, dst, amount } => {
                let msg = conclave_voting::Msg::Redelegate {
                    source: operator(*src),
                    destination: operator(*dst),
                    amount: *amount,
                };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, delegator(*del)), s, &msg));
            }
            Op::Undelegate { del, cand, amount } => {
                let msg = conclave_voting::Msg::Undelegate { candidate: operator(*cand), amount: *amount };
                self.attempt(|w, s| w.voting.deliver(&ctx(&block, delegator(*del)), s, &msg));
            }
            Op::Slash { cand, back, percent } => {
                let height = block.height.saturating_sub(*back).max(1);
                let supply = conclave_bank::supply(&self.state, DENOM).unwrap();
                let fraction = Ratio { numerator: *percent, denominator: 100 };
                if self.attempt(|w, s| w.staking.slash(s, at, &operator(*cand), height, fraction).map(drop)) {
                    let burned = supply - conclave_bank::supply(&self.state, DENOM).unwrap();
                    self.expected_supply -= burned;
                }
            }
            Op::Jail { cand } => {
                self.attempt(|w, s| w.staking.jail(s, at, &operator(*cand), block.time.plus_nanos(20_000_000_000)));
            }
            Op::Unjail { cand } => {
                self.attempt(|w, s| w.staking.unjail(s, at, &operator(*cand)));
            }
            Op::Activate { cand } => {
                self.attempt(|w, s| w.staking.set_active(s, at, &operator(*cand)));
            }
            Op::Tombstone { cand } => {
                self.attempt(|w, s| w.staking.tombstone(s, at, &operator(*cand)));
            }
            Op::Fee { payer, amount } => {
                if self.attempt(|w, s| w.bank.collect_fee(s, &user(*payer), &Coin::new(DENOM, *amount))) {
                    self.model.fees += amount;
                }
            }
            Op::Claim { del, cand } => {
                let del = delegator(*del);
                let candidates: Vec<Address> = match cand {
                    Some(c) => vec![operator(*c)],
                    None => self.rewards.claimable_candidates(&self.state, &del).unwrap(),
                };
                let pending: Vec<u128> =
                    candidates.iter().map(|c| self.rewards.pending_at(&self.state, &del, c).unwrap()).collect();
                let balance = self.balance(&del);
                let msg = conclave_rewards::Msg::Claim { candidate: cand.map(operator) };
                let accepted = self.attempt(|w, s| w.rewards.deliver(&ctx(&block, del), s, &msg));
                let paid = self.balance(&del) - balance;
                assert_eq!(paid, pending.iter().sum::<u128>(), "a claim pays what the query predicted");
                assert_eq!(accepted, paid > 0, "a claim with nothing to pay is refused, any other accepted");
                if accepted {
                    for (c, p) in candidates.iter().zip(&pending) {
                        self.expect_claim(del, *c, *p);
                    }
                }
            }
            Op::WithdrawCommission { cand } => {
                let op = operator(*cand);
                let balance = self.balance(&op);
                let accepted = self
                    .attempt(|w, s| w.rewards.deliver(&ctx(&block, op), s, &conclave_rewards::Msg::WithdrawCommission));
                let owed = self.model.commission.remove(&op).unwrap_or(0);
                assert_eq!(self.balance(&op) - balance, owed, "the operator is paid its whole commission");
                assert_eq!(accepted, owed > 0);
            }
            Op::Block { absent, proposer, seconds } => {
                self.next_block(*absent, *proposer, *seconds);
                self.check_pending();
            }
        }
        self.check_invariants();
        let _ = &self.signing;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn claims_match_the_naive_model_to_the_base_unit(ops in prop::collection::vec(op(), 1..120)) {
        let mut world = World::new();
        world.check_invariants();
        for op in &ops {
            world.apply(op);
        }
        // Finally everyone claims everything: still to the base unit.
        world.next_block(0, 0, 5);
        world.check_pending();
        for d in 0..USERS + CANDIDATES_N {
            world.apply(&Op::Claim { del: d, cand: None });
        }
        for c in 0..CANDIDATES_N {
            world.apply(&Op::WithdrawCommission { cand: c });
        }
    }
}

/// The model and the module agree on a plain case, by hand: one block, two holders, no tax.
#[test]
fn one_block_two_holders_by_hand() {
    let mut world = World::new();
    let vote = conclave_voting::Msg::Vote { candidate: operator(2), amount: 3_000_000 };
    world.voting.deliver(&ctx(&world.block.clone(), user(0)), &mut world.state, &vote).unwrap();
    world.next_block(0b011, 2, 5); // only candidate 2 (0 % commission) signs
    world.next_block(0b011, 2, 5);
    world.check_pending();
    world.check_invariants();
    // Candidate 2: operator 3,000,000 shares, user 3,000,000: equal halves of its part.
    let op_pending = world.rewards.pending_at(&world.state, &operator(2), &operator(2)).unwrap();
    let user_pending = world.rewards.pending_at(&world.state, &user(0), &operator(2)).unwrap();
    assert!(op_pending > 0);
    assert!(op_pending.abs_diff(user_pending) <= 1, "{op_pending} vs {user_pending}");
    // Candidates 0 and 1 missed both blocks: nothing for them.
    assert_eq!(world.rewards.pending_at(&world.state, &operator(0), &operator(0)).unwrap(), 0);
    assert_eq!(world.rewards.pending_at(&world.state, &operator(1), &operator(1)).unwrap(), 0);
}
