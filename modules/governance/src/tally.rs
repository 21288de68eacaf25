//! The tally: who a voter's stake follows, and the outcome. `docs/modules/governance.md`
//! ("Tally") states every rule; each has a unit test named after it.
//!
//! **Stake** is the snapshot's: candidate `c` had tokens `T_c` and shares `S_c` when voting
//! started; a voter's start shares at `c` are its recorded snapshot shares (written before
//! their first change during the vote) or, if none, its current shares. Only snapshotted
//! candidates count, so stake bonded to a candidate mid-vote (recorded as 0 before it was
//! added) and candidates that joined later have no power.
//!
//! **Whose vote a voter's stake follows**, all of its stake at once:
//! 1. its own vote, if it voted;
//! 2. else its governance delegate's own vote, if it has a delegate and the delegate voted
//!    (one hop: the delegate's delegate is not followed);
//! 3. else, per candidate it held shares of, that candidate's operator's vote, if the
//!    operator voted and the candidate is neither jailed nor tombstoned at tally time.
//!
//! **Counting in shares, converting once.** Each candidate's shares are split into buckets
//! by option (and the shares that follow no vote); each bucket becomes tokens once,
//! `⌊T_c × bucket / S_c⌋`. The result is independent of the order voters are visited, and
//! equals a per-voter recount that buckets shares the same way.
//!
//! **Efficiently.** Every candidate's shares start as "follows its operator"; only the
//! voters that voted themselves, and the delegators of delegates who voted, are visited,
//! and their start shares are moved to their option's bucket. Cost: O(candidates + direct
//! voters × their vote sets + delegators of delegates who voted).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use conclave_core::{Address, Ratio, StateRead};

use crate::error::GovernanceError;
use crate::expected::{Bank, Stake};
use crate::params::{Params, PPB_ONE};
use crate::state::{DELEGATES, DELEGATORS, SNAPSHOT_CANDIDATES, SNAPSHOT_SHARES, VOTES};
use crate::types::{CandidateSnapshot, Tally, VoteOption};
use crate::Governance;

/// What the votes decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Passed: execute the messages, refund the deposits.
    Passed,
    /// Rejected (no quorum, all abstained, or the threshold not met): refund.
    Rejected,
    /// Vetoed: burn the deposits.
    Vetoed,
}

/// `a / b ≥ ppb / 10⁹`, exactly (cross-multiplied in 256 bits); false when `b = 0`.
fn at_least(a: u128, b: u128, ppb: u64) -> bool {
    b > 0
        && Ratio { numerator: u128::from(ppb), denominator: u128::from(PPB_ONE) }
            .le(&Ratio { numerator: a, denominator: b })
}

/// `a / b > ppb / 10⁹`, exactly; false when `b = 0`.
fn more_than(a: u128, b: u128, ppb: u64) -> bool {
    b > 0
        && !Ratio { numerator: a, denominator: b }
            .le(&Ratio { numerator: u128::from(ppb), denominator: u128::from(PPB_ONE) })
}

/// The outcome of `tally` under `params`, in this order:
/// 1. quorum: `cast / total_stake ≥ quorum` (cast includes abstain), else rejected;
/// 2. veto: `no_with_veto / cast ≥ veto`, else go on — vetoed;
/// 3. threshold: `yes / (yes + no + no_with_veto) > threshold` (strictly), else rejected
///    (and rejected when everyone abstained).
pub fn decide(params: &Params, tally: &Tally) -> Result<Outcome, GovernanceError> {
    let cast = tally.cast().ok_or(GovernanceError::Overflow("votes cast"))?;
    if !at_least(cast, tally.total_stake, params.quorum_ppb) {
        return Ok(Outcome::Rejected);
    }
    if at_least(tally.no_with_veto, cast, params.veto_ppb) {
        return Ok(Outcome::Vetoed);
    }
    let decisive = tally
        .yes
        .checked_add(tally.no)
        .and_then(|s| s.checked_add(tally.no_with_veto))
        .ok_or(GovernanceError::Overflow("votes cast"))?;
    if more_than(tally.yes, decisive, params.threshold_ppb) {
        Ok(Outcome::Passed)
    } else {
        Ok(Outcome::Rejected)
    }
}

/// One candidate during a tally.
#[derive(Clone, Debug)]
struct Bucketed {
    snapshot: CandidateSnapshot,
    /// Shares that follow the operator's vote (not moved by a voter's own or delegated vote).
    following: u128,
    /// Shares moved to each option, by [`VoteOption::index`].
    options: [u128; 4],
}

/// Tokens `shares` of a snapshotted candidate are worth, rounded down.
pub fn value(snapshot: &CandidateSnapshot, shares: u128) -> Result<u128, GovernanceError> {
    if snapshot.shares == 0 {
        return Ok(0);
    }
    Ratio { numerator: snapshot.tokens, denominator: snapshot.shares }
        .mul_floor(shares)
        .map_err(|_| GovernanceError::Overflow("stake value"))
}

/// Where a voter's stake goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum EffectiveVote {
    /// Its own vote, for all its stake.
    Own {
        /// The option.
        option: VoteOption,
    },
    /// Its governance delegate's vote, for all its stake.
    Delegate {
        /// The delegate.
        delegate: Address,
        /// The delegate's option.
        option: VoteOption,
    },
    /// Its validators' votes, per candidate (those that pass one on).
    Inherited {
        /// Per candidate: the operator's option.
        from: Vec<InheritedVote>,
    },
    /// No vote reaches its stake.
    None,
}

/// A part of a voter's stake that follows a validator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritedVote {
    /// The candidate.
    pub candidate: Address,
    /// Its operator's option.
    pub option: VoteOption,
    /// The voter's start shares there.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
    /// Their value at the snapshot (rounded down).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub stake: u128,
}

/// A voter's effective vote on a proposal and its start stake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoterAnswer {
    /// The proposal.
    pub proposal: u64,
    /// The voter.
    pub voter: Address,
    /// Where its stake goes.
    pub vote: EffectiveVote,
    /// Its stake at the snapshot, per candidate: `[candidate, shares, tokens]`.
    pub stake: Vec<StakeAt>,
    /// Σ tokens.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub total: u128,
}

/// A voter's start stake at one candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StakeAt {
    /// The candidate.
    pub candidate: Address,
    /// Start shares.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub shares: u128,
    /// Their value at the snapshot (rounded down).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub tokens: u128,
}

impl<S: Stake, B: Bank> Governance<S, B> {
    /// `voter`'s shares per snapshotted candidate at the start of proposal `id`'s vote:
    /// recorded snapshot shares where its shares changed since, current shares elsewhere.
    /// Zero entries are left out.
    pub fn start_shares(
        &self,
        state: &impl StateRead,
        id: u64,
        voter: &Address,
        candidates: &impl Fn(&Address) -> Result<bool, GovernanceError>,
    ) -> Result<Vec<(Address, u128)>, GovernanceError> {
        let mut shares: BTreeMap<Address, u128> = BTreeMap::new();
        for (candidate, held) in self.stake.vote_set(state, voter).map_err(|e| GovernanceError::from_module(&e))? {
            shares.insert(candidate, held);
        }
        for entry in SNAPSHOT_SHARES.iter_prefix(state, &(id, *voter)) {
            let ((_, _, candidate), held) = entry?;
            shares.insert(candidate, held);
        }
        let mut out = Vec::with_capacity(shares.len());
        for (candidate, held) in shares {
            if held > 0 && candidates(&candidate)? {
                out.push((candidate, held));
            }
        }
        Ok(out)
    }

    /// The tally of proposal `id` from its snapshot and the votes so far (the running tally
    /// of a vote in progress, and the final one at its end: the same code).
    pub fn tally(&self, state: &impl StateRead, id: u64) -> Result<Tally, GovernanceError> {
        let mut candidates: BTreeMap<Address, Bucketed> = BTreeMap::new();
        let mut total_stake = 0u128;
        for entry in SNAPSHOT_CANDIDATES.iter_prefix(state, &id) {
            let ((_, candidate), snapshot) = entry?;
            total_stake = total_stake.checked_add(snapshot.tokens).ok_or(GovernanceError::Overflow("total stake"))?;
            candidates.insert(candidate, Bucketed { snapshot, following: snapshot.shares, options: [0; 4] });
        }
        let mut direct: BTreeMap<Address, VoteOption> = BTreeMap::new();
        for entry in VOTES.iter_prefix(state, &id) {
            let ((_, voter), option) = entry?;
            direct.insert(voter, option);
        }
        let known = |c: &Address| Ok(candidates.contains_key(c));
        // (voter, option) for every voter whose stake does not follow its validators.
        let mut moved: Vec<(Address, VoteOption)> = Vec::new();
        for (voter, option) in &direct {
            moved.push((*voter, *option));
            for entry in DELEGATORS.iter_prefix(state, voter) {
                let ((_, delegator), ()) = entry?;
                if !direct.contains_key(&delegator) {
                    moved.push((delegator, *option));
                }
            }
        }
        let mut moves: Vec<(Address, u128, VoteOption)> = Vec::new();
        for (voter, option) in moved {
            for (candidate, shares) in self.start_shares(state, id, &voter, &known)? {
                moves.push((candidate, shares, option));
            }
        }
        for (candidate, shares, option) in moves {
            let slot = candidates
                .get_mut(&candidate)
                .ok_or_else(|| GovernanceError::TallyBroken(format!("{candidate} left the snapshot")))?;
            slot.following = slot.following.checked_sub(shares).ok_or_else(|| {
                GovernanceError::TallyBroken(format!(
                    "proposal {id}: voters' start shares at {candidate} exceed its snapshotted shares {}",
                    slot.snapshot.shares
                ))
            })?;
            let bucket = slot.options.get_mut(option.index()).ok_or(GovernanceError::Overflow("option"))?;
            *bucket = bucket.checked_add(shares).ok_or(GovernanceError::Overflow("tally"))?;
        }
        let mut tally = Tally { total_stake, ..Tally::default() };
        for (candidate, slot) in &mut candidates {
            if let Some(option) = direct.get(candidate) {
                let standing = self.stake.standing(state, candidate).map_err(|e| GovernanceError::from_module(&e))?;
                if standing.inherits() {
                    let bucket = slot.options.get_mut(option.index()).ok_or(GovernanceError::Overflow("option"))?;
                    *bucket = bucket.checked_add(slot.following).ok_or(GovernanceError::Overflow("tally"))?;
                }
            }
            for option in VoteOption::ALL {
                let shares = slot.options.get(option.index()).copied().unwrap_or(0);
                let tokens = value(&slot.snapshot, shares)?;
                let field = match option {
                    VoteOption::Yes => &mut tally.yes,
                    VoteOption::No => &mut tally.no,
                    VoteOption::Abstain => &mut tally.abstain,
                    VoteOption::NoWithVeto => &mut tally.no_with_veto,
                };
                *field = field.checked_add(tokens).ok_or(GovernanceError::Overflow("tally"))?;
            }
        }
        Ok(tally)
    }

    /// `voter`'s effective vote on proposal `id` (in its voting period) and its start stake.
    pub fn effective_vote(
        &self,
        state: &impl StateRead,
        id: u64,
        voter: &Address,
    ) -> Result<VoterAnswer, GovernanceError> {
        let in_snapshot = |c: &Address| Ok(SNAPSHOT_CANDIDATES.contains(state, &(id, *c))?);
        let shares = self.start_shares(state, id, voter, &in_snapshot)?;
        let mut stake = Vec::with_capacity(shares.len());
        let mut total = 0u128;
        for (candidate, held) in &shares {
            let snapshot = SNAPSHOT_CANDIDATES
                .get(state, &(id, *candidate))?
                .ok_or_else(|| GovernanceError::TallyBroken(format!("{candidate} left the snapshot")))?;
            let tokens = value(&snapshot, *held)?;
            total = total.checked_add(tokens).ok_or(GovernanceError::Overflow("stake"))?;
            stake.push(StakeAt { candidate: *candidate, shares: *held, tokens });
        }
        let vote = if let Some(option) = VOTES.get(state, &(id, *voter))? {
            EffectiveVote::Own { option }
        } else if let Some((delegate, option)) = match DELEGATES.get(state, voter)? {
            Some(delegate) => VOTES.get(state, &(id, delegate))?.map(|option| (delegate, option)),
            None => None,
        } {
            EffectiveVote::Delegate { delegate, option }
        } else {
            let mut from = Vec::new();
            for at in &stake {
                let Some(option) = VOTES.get(state, &(id, at.candidate))? else { continue };
                let standing =
                    self.stake.standing(state, &at.candidate).map_err(|e| GovernanceError::from_module(&e))?;
                if standing.inherits() {
                    from.push(InheritedVote { candidate: at.candidate, option, shares: at.shares, stake: at.tokens });
                }
            }
            if from.is_empty() {
                EffectiveVote::None
            } else {
                EffectiveVote::Inherited { from }
            }
        };
        Ok(VoterAnswer { proposal: id, voter: *voter, vote, stake, total })
    }
}
