//! Weighted random operations from every module, each a real message for a real signer, with
//! plausible arguments read from the chain (see `view.rs`): bank send and multi-send; staking
//! register, edit, rotate key; voting vote, unvote, set-votes, redelegate, undelegate, cancel
//! unbonding; slashing unjail; rewards claim (one candidate and all) and withdraw commission.
//!
//! Plausible, not always valid: the view is the last committed state, and other operations of
//! the same block, faults and end-block work change it, so some operations are refused. The
//! chain must refuse them with a code; the report counts each code.
//!
//! Here: the kinds, their weights and the dispatcher, with the helpers every kind uses; the
//! arguments of each module's operations in `bank.rs`, `staking.rs` (with slashing's unjail),
//! `voting.rs` and `rewards.rs`.

use std::collections::BTreeSet;

use appchain::{AppChain, Msg};
use conclave_core::Address;
use conclave_testkit::TestChain;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::genesis::World;
use super::view::Snapshot;

mod bank;
mod rewards;
mod staking;
mod voting;

/// A planned operation before it gets its kind: signer index, message, gas limit.
type Proposal = Option<(usize, Msg, u64)>;

/// Gas of staking and voting messages: `appchaind`'s default `--gas` for them.
const MODULE_GAS: u64 = conclave_staking::cli::MODULE_GAS;
/// Gas of bank, unjail, claim and withdraw transactions (the CLI's default, per candidate for
/// a claim from all).
const BASE_GAS: u64 = 200_000;
/// Extra gas per candidate touched by set-votes (the CLI's `200,000 + 50,000 × targets`).
const SET_VOTES_GAS_PER_TARGET: u64 = 50_000;
/// Extra gas per candidate of a claim from all (the CLI's).
const CLAIM_GAS_PER_CANDIDATE: u64 = 100_000;
/// Extra gas per output of a multi-send.
const MULTI_SEND_GAS_PER_OUTPUT: u64 = 20_000;

/// 24 h: staking lets a candidate change its commission rate once per this much block time.
const COMMISSION_INTERVAL_NANOS: u64 = conclave_staking::params::COMMISSION_CHANGE_INTERVAL_NANOS;

/// The kinds of operation, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpKind {
    /// `bank` Send.
    Send,
    /// `bank` MultiSend.
    MultiSend,
    /// `staking` RegisterCandidate.
    Register,
    /// `staking` EditCandidate.
    Edit,
    /// `staking` RotateConsensusKey.
    RotateKey,
    /// `voting` Vote.
    Vote,
    /// `voting` Unvote.
    Unvote,
    /// `voting` SetVotes.
    SetVotes,
    /// `voting` Redelegate.
    Redelegate,
    /// `voting` Undelegate.
    Undelegate,
    /// `voting` CancelUnbonding.
    CancelUnbonding,
    /// `slashing` Unjail.
    Unjail,
    /// `rewards` Claim from one candidate.
    ClaimOne,
    /// `rewards` Claim from every candidate.
    ClaimAll,
    /// `rewards` WithdrawCommission.
    WithdrawCommission,
}

/// Each kind with its weight (out of 100).
pub const WEIGHTS: [(OpKind, u32); 15] = [
    (OpKind::Send, 16),
    (OpKind::MultiSend, 4),
    (OpKind::Register, 2),
    (OpKind::Edit, 4),
    (OpKind::RotateKey, 1),
    (OpKind::Vote, 15),
    (OpKind::Unvote, 3),
    (OpKind::SetVotes, 6),
    (OpKind::Redelegate, 9),
    (OpKind::Undelegate, 10),
    (OpKind::CancelUnbonding, 5),
    (OpKind::Unjail, 4),
    (OpKind::ClaimOne, 10),
    (OpKind::ClaimAll, 6),
    (OpKind::WithdrawCommission, 5),
];

impl OpKind {
    /// The name in the report: `module/operation`.
    pub fn name(self) -> &'static str {
        match self {
            OpKind::Send => "bank/send",
            OpKind::MultiSend => "bank/multi_send",
            OpKind::Register => "staking/register",
            OpKind::Edit => "staking/edit",
            OpKind::RotateKey => "staking/rotate_key",
            OpKind::Vote => "voting/vote",
            OpKind::Unvote => "voting/unvote",
            OpKind::SetVotes => "voting/set_votes",
            OpKind::Redelegate => "voting/redelegate",
            OpKind::Undelegate => "voting/undelegate",
            OpKind::CancelUnbonding => "voting/cancel_unbonding",
            OpKind::Unjail => "slashing/unjail",
            OpKind::ClaimOne => "rewards/claim_one",
            OpKind::ClaimAll => "rewards/claim_all",
            OpKind::WithdrawCommission => "rewards/withdraw_commission",
        }
    }

    /// A kind drawn by weight.
    pub fn pick(rng: &mut ChaCha8Rng) -> OpKind {
        let total: u32 = WEIGHTS.iter().map(|(_, w)| w).sum();
        let mut ticket = rng.random_range(0..total);
        for (kind, weight) in WEIGHTS {
            if ticket < weight {
                return kind;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the total weight")
    }
}

/// An operation ready to sign.
pub struct Planned {
    /// What it is.
    pub kind: OpKind,
    /// Index of the signer in the world's accounts.
    pub signer: usize,
    /// The message.
    pub msg: Msg,
    /// Its gas limit (the fee is the minimum for it).
    pub gas: u64,
}

/// Accounts the generator favours for operations that need stake: they voted, or had an
/// unbonding started, at some point (a hint only: the chain is asked what they hold now).
#[derive(Default)]
pub struct Hints {
    /// Accounts that may have votes.
    pub delegators: BTreeSet<usize>,
    /// Accounts that may have unbonding entries.
    pub unbonders: BTreeSet<usize>,
}

impl Hints {
    /// After a successful operation, remember what its signer may now hold.
    pub fn record_success(&mut self, planned: &Planned) {
        match planned.kind {
            OpKind::Vote | OpKind::SetVotes | OpKind::Redelegate | OpKind::Register => {
                self.delegators.insert(planned.signer);
            }
            _ => {}
        }
        if matches!(planned.kind, OpKind::Undelegate | OpKind::Unvote | OpKind::SetVotes) {
            self.unbonders.insert(planned.signer);
        }
    }
}

/// What the generator works with for one operation.
pub struct Generator<'a> {
    /// The seeded generator.
    pub rng: &'a mut ChaCha8Rng,
    /// The chain (read only: queries of committed state).
    pub chain: &'a TestChain<AppChain>,
    /// Accounts and timing.
    pub world: &'a World,
    /// Candidates and parameters at the start of the block.
    pub snapshot: &'a Snapshot,
    /// Favoured accounts.
    pub hints: &'a Hints,
    /// One-shot operations already planned in this block, by signer (a second withdrawal,
    /// unjail or claim from all in one block would find nothing left).
    pub once: BTreeSet<(OpKind, usize)>,
}

/// `1..=max`, or 1 when `max` is 0 (the chain then refuses the amount, which is counted).
fn up_to(rng: &mut ChaCha8Rng, max: u128) -> u128 {
    if max == 0 {
        1
    } else {
        rng.random_range(1..=max)
    }
}

fn nth<T: Copy>(rng: &mut ChaCha8Rng, set: &BTreeSet<T>) -> Option<T> {
    if set.is_empty() {
        return None;
    }
    set.iter().nth(rng.random_range(0..set.len())).copied()
}

impl Generator<'_> {
    /// An operation of `kind`, or `None` when nothing in the current state makes one
    /// plausible (no jailed candidate to unjail, no unbonding to cancel, ...).
    pub fn plan(&mut self, kind: OpKind) -> Option<Planned> {
        let planned = match kind {
            OpKind::Send => self.send(),
            OpKind::MultiSend => self.multi_send(),
            OpKind::Register => self.register(),
            OpKind::Edit => self.edit(),
            OpKind::RotateKey => self.rotate_key(),
            OpKind::Vote => self.vote(),
            OpKind::Unvote => self.unvote(),
            OpKind::SetVotes => self.set_votes(),
            OpKind::Redelegate => self.redelegate(),
            OpKind::Undelegate => self.undelegate(),
            OpKind::CancelUnbonding => self.cancel_unbonding(),
            OpKind::Unjail => self.unjail(),
            OpKind::ClaimOne => self.claim_one(),
            OpKind::ClaimAll => self.claim_all(),
            OpKind::WithdrawCommission => self.withdraw_commission(),
        }?;
        let (signer, msg, gas) = planned;
        // An operator topping up its self-bond before it unjails is a vote.
        let kind = if matches!(msg, Msg::Voting(conclave_voting::Msg::Vote { .. })) { OpKind::Vote } else { kind };
        // One claim per delegator a block (both kinds under one key), one unjail and one
        // withdrawal per operator.
        let once = if kind == OpKind::ClaimOne { OpKind::ClaimAll } else { kind };
        if matches!(once, OpKind::Unjail | OpKind::ClaimAll | OpKind::WithdrawCommission) {
            self.once.insert((once, signer));
        }
        Some(Planned { kind, signer, msg, gas })
    }

    /// Whether a one-shot operation of `kind` by `signer` is already in this block.
    fn done(&self, kind: OpKind, signer: usize) -> bool {
        self.once.contains(&(kind, signer))
    }

    fn any_account(&mut self) -> usize {
        self.rng.random_range(0..self.world.accounts.len())
    }

    fn address(&self, account: usize) -> Address {
        self.world.accounts[account].address
    }

    /// A favoured delegator three times in four, else any account.
    fn delegator(&mut self) -> usize {
        if self.rng.random_range(0..4u32) != 0 {
            if let Some(account) = nth(self.rng, &self.hints.delegators) {
                return account;
            }
        }
        self.any_account()
    }

    /// The signer index of a candidate's operator.
    fn operator_index(&self, operator: &Address) -> usize {
        *self.world.index.get(operator).expect("every candidate was registered by a simulated account")
    }

    /// A random candidate accepting stake, other than `not`.
    fn open_candidate(&mut self, not: Option<&Address>) -> Option<Address> {
        let open: Vec<Address> =
            self.snapshot.open().map(|c| c.candidate.operator).filter(|op| Some(op) != not).collect();
        if open.is_empty() {
            return None;
        }
        Some(open[self.rng.random_range(0..open.len())])
    }

    /// A random candidate (any status) whose record satisfies `keep`.
    fn candidate_where(&mut self, keep: impl Fn(&conclave_staking::query::CandidateInfo) -> bool) -> Option<Address> {
        let found: Vec<Address> =
            self.snapshot.candidates.iter().filter(|c| keep(c)).map(|c| c.candidate.operator).collect();
        if found.is_empty() {
            return None;
        }
        Some(found[self.rng.random_range(0..found.len())])
    }

    /// A recipient: another simulated account, or one time in twenty a fresh address.
    fn recipient(&mut self, from: usize) -> Address {
        if self.rng.random_range(0..20u32) == 0 {
            return Address(self.rng.random());
        }
        let mut to = self.any_account();
        if to == from {
            to = (to + 1) % self.world.accounts.len();
        }
        self.address(to)
    }
}
