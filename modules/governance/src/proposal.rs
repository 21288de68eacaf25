//! The proposal lifecycle: submit, deposit, vote, the start of voting (the snapshot), and the
//! end-block that drops, tallies, executes, refunds and burns.
//!
//! Periods are block time. A period "ends" in the end-block of the first block whose time is
//! at or after its end; deposits and votes delivered in that block still count.

use conclave_core::dry_run::DryRun;
use conclave_core::event::emit;
use conclave_core::{Address, BlockInfo, BlockTime, Coin, Ratio, StateRead, StateWrite, TxContext};

use crate::error::GovernanceError;
use crate::event;
use crate::expected::{Bank, Stake};
use crate::msg::{check_lengths, validate, Msg};
use crate::params::{Params, PPB_ONE};
use crate::router::ProposalRouter;
use crate::state::*;
use crate::tally::{decide, Outcome};
use crate::types::{CandidateSnapshot, Proposal, ProposalStatus, Tally, VoteOption};
use crate::{authority_address, Governance, MODULE_ACCOUNT};

/// The proposal `id`.
pub fn proposal(state: &impl StateRead, id: u64) -> Result<Proposal, GovernanceError> {
    PROPOSALS.get(state, &id)?.ok_or(GovernanceError::UnknownProposal { proposal: id })
}

/// The parameters.
pub fn params(state: &impl StateRead) -> Result<Params, GovernanceError> {
    Ok(PARAMS.load(state)?)
}

/// Writes `proposal` with status `to`, keeping the status index.
fn put_with_status(
    state: &mut impl StateWrite,
    proposal: &mut Proposal,
    to: ProposalStatus,
) -> Result<(), GovernanceError> {
    BY_STATUS.delete(state, &(proposal.status.code(), proposal.id))?;
    proposal.status = to;
    BY_STATUS.put(state, &(to.code(), proposal.id), &())?;
    PROPOSALS.put(state, &proposal.id, proposal)?;
    Ok(())
}

fn add(a: u128, b: u128, what: &'static str) -> Result<u128, GovernanceError> {
    a.checked_add(b).ok_or(GovernanceError::Overflow(what))
}

impl<S: Stake, B: Bank> Governance<S, B> {
    pub(crate) fn denom(&self, state: &impl StateRead) -> Result<String, GovernanceError> {
        self.stake.bond_denom(state).map_err(|e| GovernanceError::from_module(&e))
    }

    pub(crate) fn execute(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        msg: &Msg,
        router: &impl ProposalRouter,
    ) -> Result<(), GovernanceError> {
        validate(msg)?;
        match msg {
            Msg::Submit { title, summary, messages, deposit } => {
                self.submit(ctx, state, title, summary, messages, *deposit, router).map(drop)
            }
            Msg::Deposit { proposal, amount } => self.deposit(ctx.block, state, *proposal, &ctx.signer, *amount),
            Msg::Vote { proposal, option } => self.vote(ctx.block.time, state, *proposal, &ctx.signer, *option),
            Msg::Delegate { to } => crate::delegation::set_delegate(state, &ctx.signer, *to),
            Msg::UpdateParams { params } => {
                let check = |_: &Params, new: &Params| new.validate();
                conclave_core::authority::update_params(state, "governance", &PARAMS, &ctx.signer, params, check)?;
                Ok(())
            }
        }
    }

    /// Submits a proposal; returns its id. Every check (sizes against the parameters, each
    /// message through the router) runs before the deposit moves and anything is written.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        title: &str,
        summary: &str,
        messages: &[Vec<u8>],
        deposit: u128,
        router: &impl ProposalRouter,
    ) -> Result<u64, GovernanceError> {
        let params = params(state)?;
        check_lengths(
            title,
            summary,
            messages,
            params.max_title_len,
            params.max_summary_len,
            params.max_messages,
            params.max_message_bytes,
        )?;
        let mut descriptions = Vec::with_capacity(messages.len());
        for (index, bytes) in messages.iter().enumerate() {
            let description = router.check_proposal_message(bytes).map_err(|reason| {
                GovernanceError::InvalidProposalMessage { index: u32::try_from(index).unwrap_or(u32::MAX), reason }
            })?;
            descriptions.push(description);
        }
        let id = NEXT_PROPOSAL_ID.get(state)?.unwrap_or(1);
        let next = id.checked_add(1).ok_or(GovernanceError::Overflow("proposal id"))?;
        let now = ctx.block.time;
        let mut proposal = Proposal {
            id,
            proposer: ctx.signer,
            title: title.to_string(),
            summary: summary.to_string(),
            messages: messages.to_vec(),
            descriptions,
            status: ProposalStatus::DepositPeriod,
            submit_time: now,
            deposit_end: now.plus_nanos(params.deposit_period_nanos()),
            total_deposit: 0,
            voting_start: None,
            voting_end: None,
            validators_until: None,
            final_tally: None,
            end_height: None,
            failure: None,
        };
        // The escrow first: the bank refuses (insufficient funds) before any write of ours.
        let denom = self.denom(state)?;
        self.bank.send_to_module(state, &ctx.signer, MODULE_ACCOUNT, &Coin::new(&denom, deposit))?;
        NEXT_PROPOSAL_ID.put(state, &next)?;
        BY_STATUS.put(state, &(proposal.status.code(), id), &())?;
        DEPOSIT_QUEUE.put(state, &(proposal.deposit_end.0, id), &())?;
        emit(
            state,
            &event::Submitted {
                proposal: id,
                proposer: ctx.signer,
                messages: u64::try_from(messages.len()).unwrap_or(u64::MAX),
                kinds: proposal.descriptions.join(","),
                deposit_end: proposal.deposit_end.0,
            },
        )?;
        self.record_deposit(state, now, &params, &mut proposal, &ctx.signer, deposit)?;
        Ok(id)
    }

    /// Adds `amount` from `depositor` to proposal `id` (deposit period only).
    pub fn deposit(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
        id: u64,
        depositor: &Address,
        amount: u128,
    ) -> Result<(), GovernanceError> {
        if amount == 0 {
            return Err(GovernanceError::ZeroDeposit);
        }
        let mut proposal = proposal(state, id)?;
        if proposal.status != ProposalStatus::DepositPeriod {
            return Err(GovernanceError::DepositsClosed { proposal: id, status: proposal.status });
        }
        add(proposal.total_deposit, amount, "deposits")?;
        let params = params(state)?;
        let denom = self.denom(state)?;
        self.bank.send_to_module(state, depositor, MODULE_ACCOUNT, &Coin::new(&denom, amount))?;
        self.record_deposit(state, block.time, &params, &mut proposal, depositor, amount)
    }

    /// Records an escrowed deposit; starts voting at `min_deposit`; writes the proposal.
    fn record_deposit(
        &self,
        state: &mut impl StateWrite,
        now: BlockTime,
        params: &Params,
        proposal: &mut Proposal,
        depositor: &Address,
        amount: u128,
    ) -> Result<(), GovernanceError> {
        let key = (proposal.id, *depositor);
        let mine = add(DEPOSITS.get(state, &key)?.unwrap_or(0), amount, "deposits")?;
        DEPOSITS.put(state, &key, &mine)?;
        proposal.total_deposit = add(proposal.total_deposit, amount, "deposits")?;
        emit(
            state,
            &event::Deposited { proposal: proposal.id, depositor: *depositor, amount, total: proposal.total_deposit },
        )?;
        if proposal.total_deposit >= params.min_deposit {
            self.start_voting(state, now, params, proposal)
        } else {
            PROPOSALS.put(state, &proposal.id, proposal)?;
            Ok(())
        }
    }

    /// Starts the voting period: snapshots every voting candidate's tokens and shares.
    fn start_voting(
        &self,
        state: &mut impl StateWrite,
        now: BlockTime,
        params: &Params,
        proposal: &mut Proposal,
    ) -> Result<(), GovernanceError> {
        let candidates = self.stake.voting_candidates(state).map_err(|e| GovernanceError::from_module(&e))?;
        let mut total = 0u128;
        let mut count = 0u64;
        for c in candidates.iter().filter(|c| c.shares > 0) {
            SNAPSHOT_CANDIDATES.put(
                state,
                &(proposal.id, c.operator),
                &CandidateSnapshot { tokens: c.tokens, shares: c.shares },
            )?;
            total = add(total, c.tokens, "snapshot total")?;
            count = count.saturating_add(1);
        }
        let period = params.voting_period_nanos();
        // Rounded down: validators' window never exceeds the stated share.
        let window = Ratio { numerator: u128::from(params.validator_voting_ppb), denominator: u128::from(PPB_ONE) }
            .mul_floor(u128::from(period))
            .ok()
            .and_then(|w| u64::try_from(w).ok())
            .ok_or(GovernanceError::Overflow("validators' window"))?;
        let end = now.plus_nanos(period);
        let validators_until = now.plus_nanos(window);
        proposal.voting_start = Some(now);
        proposal.voting_end = Some(end);
        proposal.validators_until = Some(validators_until);
        DEPOSIT_QUEUE.delete(state, &(proposal.deposit_end.0, proposal.id))?;
        VOTING_QUEUE.put(state, &(end.0, proposal.id), &())?;
        put_with_status(state, proposal, ProposalStatus::VotingPeriod)?;
        emit(
            state,
            &event::VotingStarted {
                proposal: proposal.id,
                voting_end: end.0,
                validators_until: validators_until.0,
                total_stake: total,
                candidates: count,
            },
        )?;
        Ok(())
    }

    /// Records `voter`'s vote on proposal `id` at block time `now`.
    pub fn vote(
        &self,
        now: BlockTime,
        state: &mut impl StateWrite,
        id: u64,
        voter: &Address,
        option: VoteOption,
    ) -> Result<(), GovernanceError> {
        let proposal = proposal(state, id)?;
        if proposal.status != ProposalStatus::VotingPeriod {
            return Err(GovernanceError::NotVoting { proposal: id, status: proposal.status });
        }
        // A validator is the operator of a snapshotted candidate: its vote is inherited, so it
        // must come early enough for its voters to override it.
        if SNAPSHOT_CANDIDATES.contains(state, &(id, *voter))? {
            let until = proposal.validators_until.unwrap_or_default();
            if now >= until {
                return Err(GovernanceError::ValidatorVotingClosed { voter: *voter, closed_at: until });
            }
        }
        VOTES.put(state, &(id, *voter), &option)?;
        emit(state, &event::Voted { proposal: id, voter: *voter, option })?;
        Ok(())
    }

    /// The end-block: drops proposals whose deposit period ended, then tallies those whose
    /// voting period ended, each queue in (end time, id) order.
    pub(crate) fn process_ends(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
        router: &impl ProposalRouter,
    ) -> Result<(), GovernanceError> {
        for (end, id) in due(state, &DEPOSIT_QUEUE, block.time)? {
            DEPOSIT_QUEUE.delete(state, &(end, id))?;
            let mut proposal = proposal(state, id)?;
            proposal.end_height = Some(block.height);
            put_with_status(state, &mut proposal, ProposalStatus::Dropped)?;
            emit(state, &event::Dropped { proposal: id, total_deposit: proposal.total_deposit })?;
            self.refund(state, id)?;
        }
        for (end, id) in due(state, &VOTING_QUEUE, block.time)? {
            VOTING_QUEUE.delete(state, &(end, id))?;
            self.conclude(block, state, id, router)?;
        }
        Ok(())
    }

    /// Tallies proposal `id`, executes it if it passed, settles its deposits and clears its
    /// votes and snapshot.
    fn conclude(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
        id: u64,
        router: &impl ProposalRouter,
    ) -> Result<(), GovernanceError> {
        let mut proposal = proposal(state, id)?;
        let params = params(state)?;
        let tally = self.tally(state, id)?;
        proposal.final_tally = Some(tally);
        proposal.end_height = Some(block.height);
        let status = match decide(&params, &tally)? {
            Outcome::Rejected => {
                emit(state, &outcome::<event::Rejected>(id, &tally))?;
                ProposalStatus::Rejected
            }
            Outcome::Vetoed => {
                emit(state, &outcome::<event::Vetoed>(id, &tally))?;
                ProposalStatus::Vetoed
            }
            Outcome::Passed => match run_messages(block, state, &proposal.messages, router)? {
                None => {
                    emit(state, &outcome::<event::Passed>(id, &tally))?;
                    ProposalStatus::Passed
                }
                Some((index, error)) => {
                    let text = error.to_string();
                    proposal.failure = Some(format!("message {index}: {text}"));
                    emit(
                        state,
                        &event::Failed {
                            proposal: id,
                            yes: tally.yes,
                            no: tally.no,
                            abstain: tally.abstain,
                            no_with_veto: tally.no_with_veto,
                            total_stake: tally.total_stake,
                            message: index,
                            error: text,
                        },
                    )?;
                    ProposalStatus::Failed
                }
            },
        };
        put_with_status(state, &mut proposal, status)?;
        if status == ProposalStatus::Vetoed {
            self.burn(state, id, proposal.total_deposit)?;
        } else {
            self.refund(state, id)?;
        }
        clear_voting_records(state, id)
    }

    /// Pays every deposit of `id` back and deletes the records.
    fn refund(&self, state: &mut impl StateWrite, id: u64) -> Result<(), GovernanceError> {
        let denom = self.denom(state)?;
        let deposits = DEPOSITS.iter_prefix(state, &id).collect::<Result<Vec<_>, _>>()?;
        let mut total = 0u128;
        for ((_, depositor), amount) in &deposits {
            self.bank.send_from_module(state, MODULE_ACCOUNT, depositor, &Coin::new(&denom, *amount))?;
            DEPOSITS.delete(state, &(id, *depositor))?;
            total = add(total, *amount, "refund")?;
        }
        let depositors = u64::try_from(deposits.len()).unwrap_or(u64::MAX);
        emit(state, &event::DepositsRefunded { proposal: id, amount: total, depositors })?;
        Ok(())
    }

    /// Burns the deposits of `id` (vetoed) and deletes the records.
    fn burn(&self, state: &mut impl StateWrite, id: u64, total: u128) -> Result<(), GovernanceError> {
        let denom = self.denom(state)?;
        let keys = DEPOSITS.iter_prefix(state, &id).map(|e| e.map(|(k, _)| k)).collect::<Result<Vec<_>, _>>()?;
        for key in &keys {
            DEPOSITS.delete(state, key)?;
        }
        if total > 0 {
            self.bank.burn(state, MODULE_ACCOUNT, &Coin::new(&denom, total))?;
        }
        emit(state, &event::DepositsBurned { proposal: id, amount: total })?;
        Ok(())
    }
}

/// The entries of a time queue due at `now` (end ≤ now), in order.
fn due(
    state: &impl StateRead,
    queue: &conclave_core::Map<(u64, u64), ()>,
    now: BlockTime,
) -> Result<Vec<(u64, u64)>, GovernanceError> {
    let mut out = Vec::new();
    for entry in queue.iter(state) {
        let (key, ()) = entry?;
        if key.0 > now.0 {
            break;
        }
        out.push(key);
    }
    Ok(out)
}

/// Runs every message on one overlay with the authority as signer; applies it only if all
/// succeed. Returns the first failure (index and error), having applied nothing.
fn run_messages(
    block: &BlockInfo,
    state: &mut impl StateWrite,
    messages: &[Vec<u8>],
    router: &impl ProposalRouter,
) -> Result<Option<(u64, crate::router::ExecutionError)>, GovernanceError> {
    let changes = {
        let mut overlay = DryRun::new(&*state);
        for (index, bytes) in messages.iter().enumerate() {
            let ctx = TxContext {
                block,
                signer: authority_address(),
                signer_key: [0; 32],
                tx_index: u32::MAX,
                msg_index: u32::try_from(index).unwrap_or(u32::MAX),
            };
            if let Err(error) = router.execute_proposal_message(&ctx, &mut overlay, bytes) {
                if error.fatal {
                    let reason = format!("proposal message {index} hit a fatal error: {error}");
                    return Err(conclave_core::StateError::Storage(reason).into());
                }
                return Ok(Some((u64::try_from(index).unwrap_or(u64::MAX), error)));
            }
        }
        overlay.into_changes()
    };
    changes.apply(state)?;
    Ok(None)
}

/// Deletes a concluded proposal's votes and snapshot (its final tally stays in the proposal).
fn clear_voting_records(state: &mut impl StateWrite, id: u64) -> Result<(), GovernanceError> {
    let votes = VOTES.iter_prefix(state, &id).map(|e| e.map(|(k, _)| k)).collect::<Result<Vec<_>, _>>()?;
    for key in &votes {
        VOTES.delete(state, key)?;
    }
    let candidates =
        SNAPSHOT_CANDIDATES.iter_prefix(state, &id).map(|e| e.map(|(k, _)| k)).collect::<Result<Vec<_>, _>>()?;
    for key in &candidates {
        SNAPSHOT_CANDIDATES.delete(state, key)?;
    }
    let shares = SNAPSHOT_SHARES.iter_prefix(state, &id).map(|e| e.map(|(k, _)| k)).collect::<Result<Vec<_>, _>>()?;
    for key in &shares {
        SNAPSHOT_SHARES.delete(state, key)?;
    }
    Ok(())
}

/// An outcome event from a tally.
fn outcome<E: From<(u64, Tally)>>(id: u64, tally: &Tally) -> E {
    E::from((id, *tally))
}

macro_rules! from_tally {
    ($($name:ident),*) => {$(
        impl From<(u64, Tally)> for event::$name {
            fn from((proposal, t): (u64, Tally)) -> Self {
                Self {
                    proposal,
                    yes: t.yes,
                    no: t.no,
                    abstain: t.abstain,
                    no_with_veto: t.no_with_veto,
                    total_stake: t.total_stake,
                }
            }
        }
    )*};
}
from_tally!(Passed, Rejected, Vetoed);
