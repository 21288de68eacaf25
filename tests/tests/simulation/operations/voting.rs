//! Voting operations, the delegator side: vote, unvote, set-votes, redelegate, undelegate,
//! cancel an unbonding. Arguments respect what the chain's rules make knowable in advance:
//! full vote sets, entry limits, stake locked by pending redelegations, and operators keep
//! their minimum self-bond (one time in twenty they do not, so candidates exit and return).

use std::collections::BTreeMap;

use appchain::Msg;
use conclave_core::Address;
use conclave_staking::query::VoteInfo;
use conclave_staking::Status;
use conclave_voting::VoteTarget;
use rand::Rng;

use super::{nth, up_to, Generator, Proposal, BASE_GAS, MODULE_GAS, SET_VOTES_GAS_PER_TARGET};
use crate::simulation::view;

/// A delegator's pending entries, against voting's `max_entries`.
#[derive(Default)]
pub(super) struct EntryCounts {
    /// `max_entries`.
    max: u32,
    /// Unbonding entries by candidate.
    unbonding: BTreeMap<Address, u32>,
    /// Redelegation entries by destination.
    arriving: BTreeMap<Address, u32>,
}

impl EntryCounts {
    /// How many more entries `candidate` takes in `counts`.
    fn room(&self, counts: &BTreeMap<Address, u32>, candidate: &Address) -> usize {
        let used = counts.get(candidate).copied().unwrap_or(0);
        usize::try_from(self.max.saturating_sub(used)).unwrap_or(usize::MAX)
    }

    /// Whether `candidate` takes no more entry in `counts`.
    fn full(&self, counts: &BTreeMap<Address, u32>, candidate: &Address) -> bool {
        self.room(counts, candidate) == 0
    }
}

impl Generator<'_> {
    pub(super) fn vote(&mut self) -> Proposal {
        // One time in four, an exited candidate's operator stakes back to the minimum.
        if self.rng.random_range(0..4u32) == 0 {
            let rejoining = self.candidate_where(|c| c.candidate.status == Status::Exited).filter(|operator| {
                // Its vote set must take its own candidate.
                let votes = view::vote_set(self.chain, operator);
                !self.full(&votes) || votes.iter().any(|v| v.candidate == *operator)
            });
            if let Some(operator) = rejoining {
                let info = self.snapshot.candidate(&operator)?;
                let shortfall = self.snapshot.staking.min_self_bond.saturating_sub(info.self_bond);
                let amount = shortfall + up_to(self.rng, shortfall.max(1));
                let msg = conclave_voting::Msg::Vote { candidate: operator, amount };
                return Some((self.operator_index(&operator), Msg::Voting(msg), MODULE_GAS));
            }
        }
        let from = self.any_account();
        let votes = view::vote_set(self.chain, &self.address(from));
        // A full vote set can only add to its candidates.
        let candidate = if self.full(&votes) {
            let open: Vec<Address> = votes.iter().map(|v| v.candidate).filter(|c| self.is_open(c)).collect();
            *open.get(self.rng.random_range(0..open.len().max(1)))?
        } else {
            self.open_candidate(None)?
        };
        let balance = view::balance(self.chain, &self.address(from));
        let amount = up_to(self.rng, balance / 5);
        Some((from, Msg::Voting(conclave_voting::Msg::Vote { candidate, amount }), MODULE_GAS))
    }

    /// Whether `votes` has `max_votes` candidates.
    pub(super) fn full(&self, votes: &[VoteInfo]) -> bool {
        votes.len() >= usize::try_from(self.snapshot.voting.max_votes).unwrap_or(usize::MAX)
    }

    /// Whether `candidate` accepts stake from anyone.
    pub(super) fn is_open(&self, candidate: &Address) -> bool {
        self.snapshot.open().any(|c| c.candidate.operator == *candidate)
    }

    /// The delegator's entries: unbondings by candidate, redelegations by destination. Every
    /// stored entry counts against `max_entries`, matured or not: staking completes at most
    /// `max_completions_per_block` a block, so matured entries may wait in the queue.
    pub(super) fn entry_counts(&self, delegator: usize) -> EntryCounts {
        let address = self.address(delegator);
        let mut counts = EntryCounts { max: self.snapshot.voting.max_entries, ..EntryCounts::default() };
        for entry in view::unbondings(self.chain, &address) {
            *counts.unbonding.entry(entry.candidate).or_default() += 1;
        }
        for entry in view::redelegations(self.chain, &address) {
            *counts.arriving.entry(entry.destination).or_default() += 1;
        }
        counts
    }

    /// Tokens at each candidate that arrived by a redelegation still pending (they cannot be
    /// redelegated onward until it matures), rounded up.
    pub(super) fn locked(&self, delegator: usize) -> BTreeMap<Address, u128> {
        let mut locked = BTreeMap::new();
        // Every stored entry, as for the entry limits: a matured one may still wait in the queue.
        for entry in view::redelegations(self.chain, &self.address(delegator)) {
            let value = self.snapshot.value_up(&entry.destination, entry.shares_dst);
            let at = locked.entry(entry.destination).or_insert(0u128);
            *at = at.saturating_add(value);
        }
        locked
    }

    /// A delegator with votes (a few tries) and its vote set.
    pub(super) fn with_votes(&mut self) -> Option<(usize, Vec<VoteInfo>)> {
        for _ in 0..4 {
            let delegator = self.delegator();
            let votes = view::vote_set(self.chain, &self.address(delegator));
            if !votes.is_empty() {
                return Some((delegator, votes));
            }
        }
        None
    }

    /// A delegator with votes and one of its votes where one more unbonding entry is
    /// allowed (a few tries).
    /// The stake at `vote` its delegator is willing to take out: an operator keeps its
    /// minimum self-bond at its own candidate, except one time in twenty (so candidates still
    /// exit, and stake back).
    pub(super) fn spare(&mut self, delegator: usize, vote: &VoteInfo) -> u128 {
        if vote.candidate == self.address(delegator) && self.rng.random_range(0..20u32) != 0 {
            vote.tokens.saturating_sub(self.snapshot.staking.min_self_bond)
        } else {
            vote.tokens
        }
    }

    /// A delegator with votes, one of its votes where one more unbonding entry is allowed,
    /// and the stake it would take out there (a few tries).
    pub(super) fn vote_to_unbond(&mut self) -> Option<(usize, VoteInfo, u128)> {
        for _ in 0..4 {
            let (delegator, votes) = self.with_votes()?;
            let entries = self.entry_counts(delegator);
            let free: Vec<_> = votes.into_iter().filter(|v| !entries.full(&entries.unbonding, &v.candidate)).collect();
            if !free.is_empty() {
                let vote = free[self.rng.random_range(0..free.len())].clone();
                let spare = self.spare(delegator, &vote);
                if spare > 0 {
                    return Some((delegator, vote, spare));
                }
            }
        }
        None
    }

    pub(super) fn unvote(&mut self) -> Proposal {
        let (delegator, vote, spare) = self.vote_to_unbond()?;
        if spare < vote.tokens {
            return None;
        }
        let candidate = vote.candidate;
        Some((delegator, Msg::Voting(conclave_voting::Msg::Unvote { candidate }), MODULE_GAS))
    }

    pub(super) fn set_votes(&mut self) -> Proposal {
        let delegator = self.delegator();
        let current = view::vote_set(self.chain, &self.address(delegator));
        let balance = view::balance(self.chain, &self.address(delegator));
        let locked = self.locked(delegator);
        let entries = self.entry_counts(delegator);
        let max_votes = usize::try_from(self.snapshot.voting.max_votes).unwrap_or(usize::MAX);
        let mut targets: Vec<VoteTarget> = Vec::new();
        // Keep most current votes, each at 50–150 % of its value, never below what arrived by
        // a pending redelegation (decreases are redelegated to the increases, which that stake
        // may not be), never up at a candidate that no longer accepts stake, and unchanged
        // where one more unbonding entry (what is left of a decrease) would pass the limit.
        for vote in &current {
            let spare = self.spare(delegator, vote);
            let floor = locked.get(&vote.candidate).copied().unwrap_or(0).max(vote.tokens - spare);
            if entries.full(&entries.unbonding, &vote.candidate) || vote.tokens == 0 {
                targets.push(VoteTarget { candidate: vote.candidate, amount: vote.tokens.max(1) });
                continue;
            }
            if self.rng.random_range(0..4u32) != 0 || floor > 0 {
                let amount = if self.is_open(&vote.candidate) {
                    (vote.tokens / 2 + up_to(self.rng, vote.tokens)).max(floor)
                } else {
                    up_to(self.rng, vote.tokens).max(floor.min(vote.tokens))
                };
                targets.push(VoteTarget { candidate: vote.candidate, amount });
            }
        }
        // A vote set may hold more than max_votes (an operator's registration adds its own
        // candidate to a full set), but set-votes' targets may not: drop the surplus, where
        // one more unbonding entry is allowed and not the operator's own minimum.
        let own = self.address(delegator);
        while targets.len() > max_votes {
            let droppable: Vec<usize> = (0..targets.len())
                .filter(|i| targets[*i].candidate != own && !entries.full(&entries.unbonding, &targets[*i].candidate))
                .collect();
            if droppable.is_empty() {
                return None;
            }
            targets.remove(droppable[self.rng.random_range(0..droppable.len())]);
        }
        // Add up to two candidates, paid from the balance.
        for _ in 0..self.rng.random_range(0..=2u32) {
            let candidate = self.open_candidate(None)?;
            if targets.len() < max_votes && targets.iter().all(|t| t.candidate != candidate) {
                targets.push(VoteTarget { candidate, amount: up_to(self.rng, balance / 10) });
            }
        }
        if targets.is_empty() {
            let candidate = self.open_candidate(None)?;
            targets.push(VoteTarget { candidate, amount: up_to(self.rng, balance / 10) });
        }
        // Each decrease may be redelegated to each increase: an increase is kept only where that
        // many more arriving redelegations stay within the limit.
        let value = |c: &Address| current.iter().find(|v| v.candidate == *c).map_or(0, |v| v.tokens);
        let decreases = current
            .iter()
            .filter(|v| targets.iter().find(|t| t.candidate == v.candidate).is_none_or(|t| t.amount < v.tokens))
            .count();
        targets.retain_mut(|t| {
            let now = value(&t.candidate);
            if t.amount <= now || entries.room(&entries.arriving, &t.candidate) >= decreases {
                return true;
            }
            t.amount = now;
            now > 0
        });
        if targets.is_empty() {
            return None;
        }
        let touched = u64::try_from(targets.len() + current.len()).unwrap_or(u64::MAX);
        let gas = BASE_GAS + SET_VOTES_GAS_PER_TARGET * touched;
        Some((delegator, Msg::Voting(conclave_voting::Msg::SetVotes { votes: targets }), gas))
    }

    pub(super) fn redelegate(&mut self) -> Proposal {
        for _ in 0..4 {
            let (delegator, votes) = self.with_votes()?;
            let locked = self.locked(delegator);
            // Sources with stake that may move now.
            let movable: Vec<(Address, u128, u128)> = votes
                .iter()
                .map(|v| {
                    (v.candidate, v.tokens, v.tokens.saturating_sub(locked.get(&v.candidate).copied().unwrap_or(0)))
                })
                .filter(|(_, _, free)| *free > 0)
                .collect();
            if movable.is_empty() {
                continue;
            }
            let (source, tokens, free) = movable[self.rng.random_range(0..movable.len())];
            let own = votes.iter().find(|v| v.candidate == source)?.clone();
            let free = free.min(self.spare(delegator, &own));
            if free == 0 {
                continue;
            }
            let destination = self.open_candidate(Some(&source))?;
            let entries = self.entry_counts(delegator);
            if entries.full(&entries.arriving, &destination) {
                continue;
            }
            let in_set = votes.iter().any(|v| v.candidate == destination);
            // A full vote set takes a new candidate only if the source leaves it whole.
            let amount = match (self.full(&votes) && !in_set, free == tokens) {
                (true, true) => tokens,
                (true, false) => continue,
                (false, _) => up_to(self.rng, free),
            };
            let msg = conclave_voting::Msg::Redelegate { source, destination, amount };
            return Some((delegator, Msg::Voting(msg), MODULE_GAS));
        }
        None
    }

    pub(super) fn undelegate(&mut self) -> Proposal {
        let (delegator, vote, spare) = self.vote_to_unbond()?;
        // All it would take out one time in four, else a part.
        let amount = if self.rng.random_range(0..4u32) == 0 { spare } else { up_to(self.rng, spare) };
        let msg = conclave_voting::Msg::Undelegate { candidate: vote.candidate, amount };
        Some((delegator, Msg::Voting(msg), MODULE_GAS))
    }

    pub(super) fn cancel_unbonding(&mut self) -> Proposal {
        for _ in 0..4 {
            let Some(delegator) = nth(self.rng, &self.hints.unbonders) else { break };
            let entries = view::unbondings(self.chain, &self.address(delegator));
            // Entries not matured, at candidates that still accept stake and, when the vote set
            // is full, are in it.
            let votes = view::vote_set(self.chain, &self.address(delegator));
            let full = self.full(&votes);
            let live: Vec<_> = entries
                .iter()
                .filter(|e| {
                    e.completion_time > self.snapshot.now
                        && self.is_open(&e.candidate)
                        && (!full || votes.iter().any(|v| v.candidate == e.candidate))
                })
                .collect();
            if live.is_empty() {
                continue;
            }
            let entry = live[self.rng.random_range(0..live.len())];
            let amount = up_to(self.rng, entry.balance);
            let msg = conclave_voting::Msg::CancelUnbonding { id: entry.id, amount };
            return Some((delegator, Msg::Voting(msg), MODULE_GAS));
        }
        None
    }
}
