//! Unit tests on a `MemoryState` with a mock stake, bank and router: every tally rule (each
//! test named after its rule in `docs/modules/governance.md`), the lifecycle, refusals
//! (each with its code, writing nothing), queries, genesis and codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use borsh::{BorshDeserialize, BorshSerialize};

use conclave_core::error::{assert_codes_unique, ModuleError};
use conclave_core::{
    Address, BlockInfo, BlockTime, Coin, Item, Map, MemoryState, Module, StateError, StateRead, StateWrite, TxContext,
};

use crate::error::GovernanceError;
use crate::expected::{Bank, BankRefusal, CandidateStake, Stake, Standing};
use crate::params::{Params, DAY_SECONDS};
use crate::router::{ExecutionError, ProposalRouter};
use crate::schema::*;
use crate::tally::{decide, EffectiveVote, Outcome};
use crate::types::{ProposalStatus, Tally, VoteOption};
use crate::{authority_address, Governance, Msg, MODULE_ACCOUNT};

// ---------------------------------------------------------------------------------------------
// Mocks.

const DENOM: &str = "stake";
const M_CANDIDATES: Map<Address, (u128, u128, u8)> = Map::new("mock/candidate"); // tokens, shares, standing
const M_VOTE_SETS: Map<Address, Vec<(Address, u128)>> = Map::new("mock/vote_set");
const M_BALANCES: Map<Address, u128> = Map::new("mock/balance");
const M_SUPPLY: Item<u128> = Item::new("mock/supply");
/// The app parameter proposals change in these tests.
const APP_PARAM: Item<u64> = Item::new("app/param");
const APP_OTHER: Item<u64> = Item::new("app/other");

#[derive(Clone, Debug)]
struct MockStake;

#[derive(Debug, thiserror::Error)]
#[error("mock stake: {0}")]
struct MockError(StateError);

impl ModuleError for MockError {
    fn codespace(&self) -> &'static str {
        "mock"
    }
    fn code(&self) -> u32 {
        1
    }
    fn state_error(&self) -> Option<&StateError> {
        Some(&self.0)
    }
}

impl Stake for MockStake {
    type Error = MockError;
    fn bond_denom(&self, _: &impl StateRead) -> Result<String, MockError> {
        Ok(DENOM.into())
    }
    fn voting_candidates(&self, state: &impl StateRead) -> Result<Vec<CandidateStake>, MockError> {
        Ok(M_CANDIDATES
            .iter(state)
            .map(|e| e.unwrap())
            .filter(|(_, (_, _, standing))| *standing == 0)
            .map(|(operator, (tokens, shares, _))| CandidateStake { operator, tokens, shares })
            .collect())
    }
    fn standing(&self, state: &impl StateRead, candidate: &Address) -> Result<Standing, MockError> {
        Ok(match M_CANDIDATES.get(state, candidate).map_err(MockError)? {
            None => Standing::Gone,
            Some((_, _, 0)) => Standing::Good,
            Some((_, _, 1)) => Standing::Jailed,
            Some(_) => Standing::Tombstoned,
        })
    }
    fn vote_set(&self, state: &impl StateRead, voter: &Address) -> Result<Vec<(Address, u128)>, MockError> {
        Ok(M_VOTE_SETS.get(state, voter).map_err(MockError)?.unwrap_or_default())
    }
    fn holders(&self, state: &impl StateRead) -> Result<Vec<(Address, Address, u128)>, MockError> {
        let mut out = Vec::new();
        for entry in M_VOTE_SETS.iter(state) {
            let (voter, set) = entry.map_err(MockError)?;
            out.extend(set.into_iter().map(|(c, s)| (voter, c, s)));
        }
        Ok(out)
    }
}

#[derive(Clone, Debug)]
struct MockBank;

fn refused(message: &str) -> BankRefusal {
    BankRefusal::Refused(conclave_core::Refusal {
        codespace: "bank",
        code: 1,
        message: message.into(),
        earliest_time: None,
    })
}

impl Bank for MockBank {
    fn is_burner_module(&self, name: &str) -> bool {
        name == MODULE_ACCOUNT
    }
    fn balance(&self, state: &impl StateRead, address: &Address, _: &str) -> Result<u128, StateError> {
        Ok(M_BALANCES.get(state, address)?.unwrap_or(0))
    }
    fn send_to_module(
        &self,
        state: &mut impl StateWrite,
        from: &Address,
        module: &str,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        move_funds(state, from, &Address::module(module), coin.amount)
    }
    fn send_from_module(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankRefusal> {
        move_funds(state, &Address::module(module), to, coin.amount)
    }
    fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankRefusal> {
        let from = Address::module(module);
        let held = M_BALANCES.get(state, &from).map_err(BankRefusal::State)?.unwrap_or(0);
        let left = held.checked_sub(coin.amount).ok_or_else(|| refused("insufficient funds"))?;
        M_BALANCES.put(state, &from, &left).map_err(BankRefusal::State)?;
        let supply = M_SUPPLY.get(state).map_err(BankRefusal::State)?.unwrap_or(0);
        M_SUPPLY.put(state, &(supply - coin.amount)).map_err(BankRefusal::State)
    }
}

fn move_funds(state: &mut impl StateWrite, from: &Address, to: &Address, amount: u128) -> Result<(), BankRefusal> {
    let held = M_BALANCES.get(state, from).map_err(BankRefusal::State)?.unwrap_or(0);
    let left = held.checked_sub(amount).ok_or_else(|| refused("insufficient funds"))?;
    M_BALANCES.put(state, from, &left).map_err(BankRefusal::State)?;
    let to_held = M_BALANCES.get(state, to).map_err(BankRefusal::State)?.unwrap_or(0);
    M_BALANCES.put(state, to, &(to_held + amount)).map_err(BankRefusal::State)
}

/// The app's messages in these tests (borsh): only `SetParam` and `SetOther` are
/// authority-only; `Transfer` is a message anyone signs; `Fail` always fails.
#[derive(BorshSerialize, BorshDeserialize)]
enum AppMsg {
    SetParam(u64),
    SetOther(u64),
    Transfer,
    Fail,
}

fn app(msg: AppMsg) -> Vec<u8> {
    borsh::to_vec(&msg).unwrap()
}

#[derive(Clone, Copy, Debug)]
struct MockRouter;

impl ProposalRouter for MockRouter {
    fn check_proposal_message(&self, bytes: &[u8]) -> Result<String, String> {
        match borsh::from_slice::<AppMsg>(bytes).map_err(|e| format!("not a message of this chain: {e}"))? {
            AppMsg::SetParam(_) => Ok("app.set_param".into()),
            AppMsg::SetOther(_) => Ok("app.set_other".into()),
            AppMsg::Fail => Ok("app.fail".into()),
            AppMsg::Transfer => Err("app.transfer may be signed by any account, not only the authority".into()),
        }
    }
    fn execute_proposal_message(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        bytes: &[u8],
    ) -> Result<(), ExecutionError> {
        let fail = |log: &str| ExecutionError::refused("app", 7, log);
        if ctx.signer != authority_address() {
            return Err(fail("not the authority"));
        }
        match borsh::from_slice::<AppMsg>(bytes).map_err(|e| fail(&e.to_string()))? {
            AppMsg::SetParam(v) => APP_PARAM.put(state, &v).map_err(|e| fail(&e.to_string())),
            AppMsg::SetOther(v) => APP_OTHER.put(state, &v).map_err(|e| fail(&e.to_string())),
            AppMsg::Transfer | AppMsg::Fail => Err(fail("refused")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A small world.

type Gov = Governance<MockStake, MockBank>;

fn addr(i: u8) -> Address {
    Address([i; 20])
}
/// Validators (candidate operators) are 100.., voters 1..
fn val(i: u8) -> Address {
    addr(100 + i)
}

const FUNDS: u128 = 1_000_000_000;
const T0: u64 = 1_000_000;

struct World {
    gov: Gov,
    state: MemoryState,
    block: BlockInfo,
}

impl World {
    /// Params: min deposit 100, 1-day deposit period, 3-day voting period.
    fn new() -> Self {
        let gov = Governance::new(MockStake, MockBank).unwrap();
        let mut state = MemoryState::new();
        for i in 1..=60u8 {
            M_BALANCES.put(&mut state, &addr(i), &FUNDS).unwrap();
        }
        M_SUPPLY.put(&mut state, &(FUNDS * 60)).unwrap();
        let params = Params {
            min_deposit: 100,
            deposit_period_seconds: DAY_SECONDS,
            voting_period_seconds: 3 * DAY_SECONDS,
            ..Params::default()
        };
        gov.init_genesis(&mut state, &crate::Genesis { params, ..Default::default() }).unwrap();
        conclave_core::authority::AUTHORITY.put(&mut state, &authority_address()).unwrap();
        APP_PARAM.put(&mut state, &1).unwrap();
        Self { gov, state, block: BlockInfo::new("gov-test", 1, BlockTime::from_seconds(T0)) }
    }

    fn candidate(&mut self, i: u8) {
        M_CANDIDATES.put(&mut self.state, &val(i), &(0, 0, 0)).unwrap();
    }

    /// `voter` bonds `tokens` to validator `i` at the candidate's current rate (1:1 when new).
    fn bond(&mut self, voter: Address, i: u8, tokens: u128) {
        let c = val(i);
        let (t, s, st) = M_CANDIDATES.get(&self.state, &c).unwrap().unwrap();
        let shares = if s == 0 { tokens } else { tokens * s / t };
        let mut set = M_VOTE_SETS.get(&self.state, &voter).unwrap().unwrap_or_default();
        let held = set.iter().find(|(x, _)| *x == c).map_or(0, |(_, s)| *s);
        crate::snapshot::record_before_change(&mut self.state, &voter, &c, held).unwrap();
        set.retain(|(x, _)| *x != c);
        set.push((c, held + shares));
        set.sort();
        M_VOTE_SETS.put(&mut self.state, &voter, &set).unwrap();
        M_CANDIDATES.put(&mut self.state, &c, &(t + tokens, s + shares, st)).unwrap();
    }

    /// `voter` removes all its shares at validator `i`.
    fn unbond_all(&mut self, voter: Address, i: u8) {
        let c = val(i);
        let (t, s, st) = M_CANDIDATES.get(&self.state, &c).unwrap().unwrap();
        let mut set = M_VOTE_SETS.get(&self.state, &voter).unwrap().unwrap_or_default();
        let held = set.iter().find(|(x, _)| *x == c).map_or(0, |(_, s)| *s);
        crate::snapshot::record_before_change(&mut self.state, &voter, &c, held).unwrap();
        set.retain(|(x, _)| *x != c);
        M_VOTE_SETS.put(&mut self.state, &voter, &set).unwrap();
        M_CANDIDATES.put(&mut self.state, &c, &(t - held * t / s, s - held, st)).unwrap();
    }

    fn set_standing(&mut self, i: u8, standing: u8) {
        let (t, s, _) = M_CANDIDATES.get(&self.state, &val(i)).unwrap().unwrap();
        M_CANDIDATES.put(&mut self.state, &val(i), &(t, s, standing)).unwrap();
    }

    /// Delivers through the mock router; a refusal must leave the state unchanged.
    fn deliver(&mut self, signer: Address, msg: Msg) -> Result<(), GovernanceError> {
        let before = self.state.clone();
        let mut scratch = self.state.clone();
        let block = self.block.clone();
        let ctx = TxContext { block: &block, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
        let result = self.gov.deliver_routed(&ctx, &mut scratch, &msg, &MockRouter);
        match &result {
            Ok(()) => self.state = scratch,
            Err(_) => assert_eq!(self.state, before),
        }
        result
    }

    fn submit(&mut self, signer: Address, messages: Vec<Vec<u8>>, deposit: u128) -> u64 {
        let next = NEXT_PROPOSAL_ID.get(&self.state).unwrap().unwrap_or(1);
        self.deliver(signer, Msg::Submit { title: "t".into(), summary: "s".into(), messages, deposit }).unwrap();
        next
    }

    fn vote(&mut self, voter: Address, proposal: u64, option: VoteOption) -> Result<(), GovernanceError> {
        self.deliver(voter, Msg::Vote { proposal, option })
    }

    fn delegate(&mut self, voter: Address, to: Option<Address>) -> Result<(), GovernanceError> {
        self.deliver(voter, Msg::Delegate { to })
    }

    /// Ends this block (governance end-block through the router), checks invariants, and
    /// begins the next one `seconds` later.
    fn end_block(&mut self, seconds: u64) {
        self.gov.end_block_routed(&self.block, &mut self.state, &MockRouter).unwrap();
        self.gov.check_invariants(&self.state).unwrap();
        self.block =
            BlockInfo::new("gov-test", self.block.height + 1, self.block.time.plus_nanos(seconds * 1_000_000_000));
    }

    fn proposal(&self, id: u64) -> crate::Proposal {
        crate::proposal::proposal(&self.state, id).unwrap()
    }

    fn tally(&self, id: u64) -> Tally {
        self.gov.tally(&self.state, id).unwrap()
    }

    fn balance(&self, a: &Address) -> u128 {
        M_BALANCES.get(&self.state, a).unwrap().unwrap_or(0)
    }

    fn query<T: serde::de::DeserializeOwned>(&self, path: &str, request: serde_json::Value) -> T {
        serde_json::from_slice(&self.gov.query(&self.state, path, request.to_string().as_bytes()).unwrap()).unwrap()
    }

    /// Three validators with 1000, 2000, 3000 self-bonded... by voters 1, 2, 3 each at one
    /// validator, and a proposal in its voting period.
    fn voting_with(&mut self, bonds: &[(u8, u8, u128)]) -> u64 {
        for (voter, v, tokens) in bonds {
            if M_CANDIDATES.get(&self.state, &val(*v)).unwrap().is_none() {
                self.candidate(*v);
            }
            self.bond(if *voter >= 100 { val(*voter - 100) } else { addr(*voter) }, *v, *tokens);
        }
        self.submit(addr(50), Vec::new(), 100)
    }
}

fn tally(yes: u128, no: u128, abstain: u128, no_with_veto: u128, total_stake: u128) -> Tally {
    Tally { yes, no, abstain, no_with_veto, total_stake }
}

// ---------------------------------------------------------------------------------------------
// Codes, prefixes, params.

fn one_of_each() -> Vec<GovernanceError> {
    let a = addr(1);
    vec![
        GovernanceError::InvalidGenesis("x".into()),
        GovernanceError::UnknownQuery { path: "x".into() },
        GovernanceError::InvalidQuery("x".into()),
        GovernanceError::State(StateError::Storage("x".into())),
        GovernanceError::NotAuthority("x".into()),
        GovernanceError::InvalidParams("x".into()),
        GovernanceError::Overflow("x"),
        GovernanceError::InvalidProposal("x".into()),
        GovernanceError::InvalidProposalMessage { index: 0, reason: "x".into() },
        GovernanceError::ZeroDeposit,
        GovernanceError::UnknownProposal { proposal: 1 },
        GovernanceError::DepositsClosed { proposal: 1, status: ProposalStatus::Passed },
        GovernanceError::NotVoting { proposal: 1, status: ProposalStatus::Passed },
        GovernanceError::ValidatorVotingClosed { voter: a, closed_at: BlockTime(1) },
        GovernanceError::SelfDelegation(a),
        GovernanceError::NoDelegate(a),
        GovernanceError::AlreadyDelegated { delegator: a, delegate: a },
        GovernanceError::TallyBroken("x".into()),
    ]
}

#[test]
fn codes_are_unique_pinned_and_documented() {
    let codes: Vec<u32> = one_of_each().iter().map(ModuleError::code).collect();
    assert_codes_unique(&codes).unwrap();
    assert_eq!(codes, (1..=18).collect::<Vec<u32>>());
    let docs = include_str!("../../../docs/modules/governance.md");
    for e in one_of_each() {
        assert_eq!(e.codespace(), "governance");
        let name: String = format!("{e:?}").chars().take_while(char::is_ascii_alphanumeric).collect();
        let row = format!("| {} | `{name}` |", e.code());
        assert!(docs.contains(&row), "docs/modules/governance.md lacks the row {row:?}");
        assert_eq!(e.state_error().is_some(), matches!(e, GovernanceError::State(_)));
    }
}

#[test]
fn prefixes_do_not_collide() {
    conclave_core::prefix::check_prefixes(&PREFIXES).unwrap();
}

#[test]
fn params_defaults_are_the_documented_ones_and_bad_params_are_refused() {
    let p = Params::default();
    p.validate().unwrap();
    assert_eq!((p.deposit_period_seconds, p.voting_period_seconds), (14 * DAY_SECONDS, 7 * DAY_SECONDS));
    assert_eq!((p.quorum_ppb, p.threshold_ppb, p.veto_ppb), (334_000_000, 500_000_000, 334_000_000));
    assert!(Params { quorum_ppb: 1_000_000_001, ..p.clone() }.validate().is_err());
    assert!(Params { veto_ppb: 0, ..p.clone() }.validate().is_err());
    assert!(Params { voting_period_seconds: 0, ..p.clone() }.validate().is_err());
    assert!(Params { max_messages: 65, ..p.clone() }.validate().is_err());
    assert!(Params { min_deposit: 0, ..p }.validate().is_err());
}

#[test]
fn the_authority_address_is_the_bank_module_account_address() {
    assert_eq!(authority_address(), Address::module("governance"));
    #[cfg(feature = "conclave-bank")]
    assert_eq!(crate::bank_module_accounts()[0].address(), authority_address());
}

// ---------------------------------------------------------------------------------------------
// Submission, deposits, periods.

#[test]
fn submissions_out_of_bounds_are_refused_with_clear_errors_and_change_nothing() {
    let mut w = World::new();
    let submit = |title: &str, summary: &str, messages: Vec<Vec<u8>>, deposit| Msg::Submit {
        title: title.into(),
        summary: summary.into(),
        messages,
        deposit,
    };
    let err = w.deliver(addr(1), submit("", "s", vec![], 10)).unwrap_err();
    assert_eq!(err.code(), 8);
    assert!(err.to_string().contains("a title is 1 to"), "{err}");
    let long = "x".repeat(141);
    let err = w.deliver(addr(1), submit(&long, "s", vec![], 10)).unwrap_err();
    assert!(err.to_string().contains("1 to 140 bytes") && err.to_string().contains("141"), "{err}");
    let err = w.deliver(addr(1), submit("t", &"s".repeat(10_001), vec![], 10)).unwrap_err();
    assert_eq!(err.code(), 8);
    let err = w.deliver(addr(1), submit("t", "s", vec![app(AppMsg::SetParam(1)); 17], 10)).unwrap_err();
    assert!(err.to_string().contains("at most 16 messages"), "{err}");
    let err = w.deliver(addr(1), submit("t", "s", vec![vec![0; 65_537]], 10)).unwrap_err();
    assert!(err.to_string().contains("message 0 is 65537 bytes"), "{err}");
    assert_eq!(w.deliver(addr(1), submit("t", "s", vec![], 0)).unwrap_err(), GovernanceError::ZeroDeposit);
    let err = w.deliver(addr(1), submit("t", "s", vec![], FUNDS + 1)).unwrap_err();
    assert_eq!((err.codespace(), err.code()), ("bank", 1), "the bank's refusal keeps its code");
    assert_eq!(NEXT_PROPOSAL_ID.get(&w.state).unwrap(), Some(1), "no id was used");
}

#[test]
fn proposal_messages_must_be_ones_only_the_authority_signs() {
    let mut w = World::new();
    let msg = |messages| Msg::Submit { title: "t".into(), summary: "s".into(), messages, deposit: 10 };
    let err = w.deliver(addr(1), msg(vec![app(AppMsg::SetParam(2)), app(AppMsg::Transfer)])).unwrap_err();
    assert_eq!(err.code(), 9);
    assert!(err.to_string().contains("proposal message 1 refused: app.transfer may be signed by any account"), "{err}");
    let err = w.deliver(addr(1), msg(vec![vec![9, 9]])).unwrap_err();
    assert!(err.to_string().contains("not a message of this chain"), "{err}");
    w.deliver(addr(1), msg(vec![app(AppMsg::SetParam(2))])).unwrap();
    assert_eq!(w.proposal(1).descriptions, vec!["app.set_param".to_string()]);
}

#[test]
fn the_text_only_router_refuses_every_message_but_accepts_text_proposals() {
    let mut w = World::new();
    let block = w.block.clone();
    let ctx = TxContext { block: &block, signer: addr(1), signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    let with_message =
        Msg::Submit { title: "t".into(), summary: "s".into(), messages: vec![app(AppMsg::SetParam(2))], deposit: 10 };
    let err = w.gov.deliver(&ctx, &mut w.state, &with_message).unwrap_err();
    assert!(err.to_string().contains("text proposals only"), "{err}");
    let text = Msg::Submit { title: "t".into(), summary: "s".into(), messages: vec![], deposit: 10 };
    w.gov.deliver(&ctx, &mut w.state, &text).unwrap();
    assert_eq!(w.proposal(1).status, ProposalStatus::DepositPeriod);
}

#[test]
fn voting_starts_when_deposits_reach_min_deposit_and_the_stake_is_snapshotted() {
    let mut w = World::new();
    w.candidate(1);
    w.bond(addr(1), 1, 500);
    let id = w.submit(addr(2), Vec::new(), 60);
    assert_eq!(w.proposal(id).status, ProposalStatus::DepositPeriod);
    assert_eq!(w.balance(&authority_address()), 60, "escrowed");
    w.deliver(addr(3), Msg::Deposit { proposal: id, amount: 40 }).unwrap();
    let p = w.proposal(id);
    assert_eq!(p.status, ProposalStatus::VotingPeriod);
    assert_eq!(p.voting_end, Some(w.block.time.plus_nanos(3 * DAY_SECONDS * 1_000_000_000)));
    assert_eq!(
        SNAPSHOT_CANDIDATES.get(&w.state, &(id, val(1))).unwrap().map(|s| (s.tokens, s.shares)),
        Some((500, 500))
    );
    assert_eq!(w.tally(id).total_stake, 500);
    let kinds: Vec<&str> = w.state.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.ends_with(&["governance.deposit", "governance.voting_started"]), "{kinds:?}");
    let err = w.deliver(addr(3), Msg::Deposit { proposal: id, amount: 1 }).unwrap_err();
    assert_eq!(err, GovernanceError::DepositsClosed { proposal: id, status: ProposalStatus::VotingPeriod });
    assert_eq!(w.deliver(addr(3), Msg::Deposit { proposal: 99, amount: 1 }).unwrap_err().code(), 11);
    w.end_block(1);
}

#[test]
fn a_proposal_whose_deposit_period_ends_below_min_deposit_is_dropped_and_refunded() {
    let mut w = World::new();
    let id = w.submit(addr(1), Vec::new(), 30);
    w.deliver(addr(2), Msg::Deposit { proposal: id, amount: 20 }).unwrap();
    w.end_block(DAY_SECONDS - 1);
    w.end_block(1);
    assert_eq!(w.proposal(id).status, ProposalStatus::DepositPeriod, "one second before the end");
    w.end_block(1);
    let p = w.proposal(id);
    assert_eq!(p.status, ProposalStatus::Dropped);
    assert_eq!(p.end_height, Some(3), "the first block at or after deposit_end");
    assert_eq!((w.balance(&addr(1)), w.balance(&addr(2))), (FUNDS, FUNDS), "refunded");
    assert_eq!(w.balance(&authority_address()), 0);
    assert!(w.state.events.iter().any(|e| e.kind == "governance.dropped"));
    let refunded = w.state.events.iter().find(|e| e.kind == "governance.deposits_refunded").unwrap();
    assert_eq!((refunded.attribute("amount"), refunded.attribute("depositors")), (Some("50"), Some("2")));
}

#[test]
fn votes_are_refused_outside_the_voting_period() {
    let mut w = World::new();
    let id = w.submit(addr(1), Vec::new(), 30);
    let err = w.vote(addr(1), id, VoteOption::Yes).unwrap_err();
    assert_eq!(err, GovernanceError::NotVoting { proposal: id, status: ProposalStatus::DepositPeriod });
    assert_eq!(err.code(), 13);
}

// ---------------------------------------------------------------------------------------------
// Tally rules (docs/modules/governance.md, "Tally").

#[test]
fn stake_is_snapshotted_when_voting_starts_so_stake_moved_mid_vote_counts_once() {
    let mut w = World::new();
    // Voter 1 has 1000 at validator 1; validator 2 has its own 1000.
    let id = w.voting_with(&[(1, 1, 1000), (101, 1, 1000), (102, 2, 1000)]);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.vote(val(2), id, VoteOption::No).unwrap();
    // Voter 1 moves its stake from validator 1 to validator 2 mid-vote.
    w.unbond_all(addr(1), 1);
    w.bond(addr(1), 2, 1000);
    let t = w.tally(id);
    // It still counts at validator 1 (yes), once; its new stake at 2 has no power.
    assert_eq!((t.yes, t.no, t.total_stake), (2000, 1000, 3000));
    // Voting itself, its start stake (1000) goes to its option, not 2000.
    w.vote(addr(1), id, VoteOption::No).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (1000, 2000));
    w.end_block(1);
}

#[test]
fn stake_bonded_mid_vote_has_no_power() {
    let mut w = World::new();
    let id = w.voting_with(&[(101, 1, 1000)]);
    w.bond(addr(7), 1, 5000);
    w.vote(addr(7), id, VoteOption::No).unwrap();
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no, t.total_stake), (1000, 0, 1000));
    let answer: crate::tally::VoterAnswer = w.query("vote", serde_json::json!({ "proposal": id, "voter": addr(7) }));
    assert_eq!(answer.total, 0);
    w.end_block(1);
}

#[test]
fn validators_vote_only_in_the_first_two_thirds_of_the_voting_period() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 1000), (101, 1, 100)]);
    let until = w.proposal(id).validators_until.unwrap();
    // ⌊3 days × 666,666,667 ppb⌋ = 172,800.0000864 s.
    assert_eq!(until, w.block.time.plus_nanos(172_800_000_086_400));
    w.block.time = BlockTime(until.0 - 1);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.block.time = until;
    let err = w.vote(val(1), id, VoteOption::No).unwrap_err();
    assert_eq!(err, GovernanceError::ValidatorVotingClosed { voter: val(1), closed_at: until });
    assert_eq!(err.code(), 14);
    // Its voters may still vote (and override) afterwards.
    w.vote(addr(1), id, VoteOption::No).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (100, 1000));
}

#[test]
fn a_voters_stake_follows_its_validators_votes_split_by_its_shares() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 300), (1, 2, 700), (101, 1, 10), (102, 2, 10)]);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.vote(val(2), id, VoteOption::No).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (310, 710));
    let answer: crate::tally::VoterAnswer = w.query("vote", serde_json::json!({ "proposal": id, "voter": addr(1) }));
    let EffectiveVote::Inherited { from } = answer.vote else { panic!("{:?}", answer.vote) };
    let parts: Vec<(Address, VoteOption, u128)> = from.iter().map(|f| (f.candidate, f.option, f.stake)).collect();
    assert_eq!(parts, vec![(val(1), VoteOption::Yes, 300), (val(2), VoteOption::No, 700)]);
}

#[test]
fn a_voters_own_vote_replaces_the_inherited_one_for_all_its_stake() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 300), (1, 2, 700), (101, 1, 10), (102, 2, 10)]);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.vote(val(2), id, VoteOption::Yes).unwrap();
    w.vote(addr(1), id, VoteOption::Abstain).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.abstain), (20, 1000));
    let answer: crate::tally::VoterAnswer = w.query("vote", serde_json::json!({ "proposal": id, "voter": addr(1) }));
    assert_eq!(answer.vote, EffectiveVote::Own { option: VoteOption::Abstain });
    // A vote may be changed until the end.
    w.vote(addr(1), id, VoteOption::No).unwrap();
    assert_eq!(w.tally(id).no, 1000);
}

#[test]
fn jailed_and_tombstoned_validators_votes_are_not_inherited() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 100), (2, 2, 200), (3, 3, 400), (101, 1, 1), (102, 2, 1), (103, 3, 1)]);
    for v in 1..=3 {
        w.vote(val(v), id, VoteOption::Yes).unwrap();
    }
    w.set_standing(1, 1); // jailed, at tally time
    w.set_standing(2, 2); // tombstoned
    let t = w.tally(id);
    // Only validator 3's voters inherit; the jailed and tombstoned operators' own stake still
    // counts as their own votes.
    assert_eq!((t.yes, t.total_stake), (1 + 1 + 401, 703));
    // Their voters may vote themselves.
    w.vote(addr(2), id, VoteOption::No).unwrap();
    assert_eq!(w.tally(id).no, 200);
}

#[test]
fn a_delegates_vote_takes_precedence_over_inheritance() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 100), (1, 2, 50), (101, 1, 10), (102, 2, 10)]);
    w.delegate(addr(1), Some(addr(9))).unwrap(); // addr(9) has no stake
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.vote(addr(9), id, VoteOption::No).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (10, 150));
    let answer: crate::tally::VoterAnswer = w.query("vote", serde_json::json!({ "proposal": id, "voter": addr(1) }));
    assert_eq!(answer.vote, EffectiveVote::Delegate { delegate: addr(9), option: VoteOption::No });
}

#[test]
fn a_voters_own_vote_overrides_its_delegates() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 100), (101, 1, 10)]);
    w.delegate(addr(1), Some(addr(9))).unwrap();
    w.vote(addr(9), id, VoteOption::No).unwrap();
    w.vote(addr(1), id, VoteOption::Yes).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (100, 0));
}

#[test]
fn a_delegate_that_does_not_vote_leaves_its_delegators_to_their_validators() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 100), (101, 1, 10)]);
    w.delegate(addr(1), Some(addr(9))).unwrap();
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    assert_eq!(w.tally(id).yes, 110, "delegating never lowers turnout");
}

#[test]
fn governance_delegation_is_one_hop() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 100), (2, 1, 200), (101, 1, 10)]);
    // 1 → 2 → 3: 3 votes; 2's power goes to 3, but 1's is not carried two hops.
    w.delegate(addr(1), Some(addr(2))).unwrap();
    w.delegate(addr(2), Some(addr(3))).unwrap();
    w.vote(addr(3), id, VoteOption::No).unwrap();
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no), (110, 200), "1 falls back to its validator");
    // When 2 votes, 1 follows it.
    w.vote(addr(2), id, VoteOption::Abstain).unwrap();
    let t = w.tally(id);
    assert_eq!((t.yes, t.no, t.abstain), (10, 0, 300));
}

#[test]
fn delegation_refusals_are_clear_and_change_nothing() {
    let mut w = World::new();
    assert_eq!(w.delegate(addr(1), Some(addr(1))).unwrap_err(), GovernanceError::SelfDelegation(addr(1)));
    assert_eq!(w.delegate(addr(1), None).unwrap_err(), GovernanceError::NoDelegate(addr(1)));
    w.delegate(addr(1), Some(addr(2))).unwrap();
    let err = w.delegate(addr(1), Some(addr(2))).unwrap_err();
    assert_eq!(err, GovernanceError::AlreadyDelegated { delegator: addr(1), delegate: addr(2) });
    w.delegate(addr(1), Some(addr(3))).unwrap();
    let answer: crate::query::DelegateAnswer = w.query("delegate", serde_json::json!({ "voter": addr(1) }));
    assert_eq!(answer.delegate, Some(addr(3)));
    let of_3: crate::query::DelegateAnswer = w.query("delegate", serde_json::json!({ "voter": addr(3) }));
    assert_eq!(of_3.delegators, 1);
    let of_2: crate::query::DelegateAnswer = w.query("delegate", serde_json::json!({ "voter": addr(2) }));
    assert_eq!(of_2.delegators, 0, "moved away from 2");
    let kinds: Vec<&str> = w.state.events.iter().rev().take(2).map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["governance.delegated", "governance.undelegated"]);
    w.delegate(addr(1), None).unwrap();
    assert_eq!(DELEGATORS.iter(&w.state).count(), 0);
    w.gov.check_invariants(&w.state).unwrap();
}

#[test]
fn quorum_is_measured_against_the_total_snapshotted_stake() {
    let p = Params::default(); // 33.4 %
    assert_eq!(decide(&p, &tally(334, 0, 0, 0, 1000)).unwrap(), Outcome::Passed);
    assert_eq!(decide(&p, &tally(333, 0, 0, 0, 1000)).unwrap(), Outcome::Rejected);
    // Abstain counts toward quorum.
    assert_eq!(decide(&p, &tally(1, 0, 333, 0, 1000)).unwrap(), Outcome::Passed);
    assert_eq!(decide(&p, &tally(0, 0, 0, 0, 0)).unwrap(), Outcome::Rejected, "no stake, no quorum");
}

#[test]
fn the_threshold_is_yes_over_yes_no_and_veto_strictly() {
    let p = Params::default(); // 50 %
    assert_eq!(decide(&p, &tally(500, 500, 0, 0, 1000)).unwrap(), Outcome::Rejected, "exactly half fails");
    assert_eq!(decide(&p, &tally(501, 500, 0, 0, 1001)).unwrap(), Outcome::Passed);
    // Abstain is left out of the threshold.
    assert_eq!(decide(&p, &tally(100, 99, 800, 0, 1000)).unwrap(), Outcome::Passed);
    assert_eq!(decide(&p, &tally(0, 0, 1000, 0, 1000)).unwrap(), Outcome::Rejected, "all abstained");
    // Veto counts against.
    assert_eq!(decide(&p, &tally(300, 0, 600, 299, 1199)).unwrap(), Outcome::Passed, "300 / 599 > 50 %");
    assert_eq!(decide(&p, &tally(300, 100, 400, 200, 1000)).unwrap(), Outcome::Rejected);
}

#[test]
fn the_veto_share_is_measured_against_all_votes_cast_including_abstain() {
    let p = Params::default(); // 33.4 %
    assert_eq!(decide(&p, &tally(666, 0, 0, 334, 1000)).unwrap(), Outcome::Vetoed);
    assert_eq!(decide(&p, &tally(666, 0, 1, 334, 1001)).unwrap(), Outcome::Passed, "334/1001 < 33.4 %");
    // Quorum comes first: a vetoing minority of a vote without quorum burns nothing.
    assert_eq!(decide(&p, &tally(0, 0, 0, 300, 1000)).unwrap(), Outcome::Rejected);
    // Huge amounts compare exactly (no overflow in the cross-multiplication).
    let big = u128::MAX / 4;
    assert_eq!(decide(&p, &tally(big, 0, 0, big, u128::MAX / 2)).unwrap(), Outcome::Vetoed);
}

#[test]
fn stake_is_counted_in_shares_and_converted_once_per_candidate_rounding_down() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 1), (2, 1, 1), (3, 1, 1), (101, 1, 0)]);
    // Candidate 1: 3 shares worth 10 tokens at the snapshot (a reward raised its tokens).
    SNAPSHOT_CANDIDATES
        .put(&mut w.state, &(id, val(1)), &crate::types::CandidateSnapshot { tokens: 10, shares: 3 })
        .unwrap();
    w.vote(addr(1), id, VoteOption::Yes).unwrap();
    w.vote(addr(2), id, VoteOption::Yes).unwrap();
    w.vote(addr(3), id, VoteOption::No).unwrap();
    let t = w.tally(id);
    // yes: ⌊10 × 2 / 3⌋ = 6 (not ⌊10/3⌋ + ⌊10/3⌋ = 6 either way here), no: ⌊10 / 3⌋ = 3.
    assert_eq!((t.yes, t.no, t.total_stake), (6, 3, 10));
}

// ---------------------------------------------------------------------------------------------
// Outcomes.

/// Passes proposal `id` with validator 1's stake (the only stake) voting yes.
fn pass(w: &mut World, id: u64) {
    w.vote(val(1), id, VoteOption::Yes).unwrap();
}

#[test]
fn a_passed_parameter_change_takes_effect_at_the_documented_height() {
    let mut w = World::new();
    w.candidate(1);
    w.bond(val(1), 1, 1000);
    let id = w.submit(addr(1), vec![app(AppMsg::SetParam(42)), app(AppMsg::SetOther(7))], 100);
    pass(&mut w, id);
    let end = w.proposal(id).voting_end.unwrap();
    // Blocks up to one second before the end: nothing happens.
    w.end_block(3 * DAY_SECONDS - 1);
    assert_eq!(w.block.time.0, end.0 - 1_000_000_000);
    w.end_block(2); // this block's time is one second past the end: the documented height
    let height = w.block.height;
    assert!(w.block.time >= end);
    // Before its end-block, the change is not visible (transactions of this block see 1).
    assert_eq!(APP_PARAM.get(&w.state).unwrap(), Some(1));
    w.end_block(5);
    let p = w.proposal(id);
    assert_eq!((p.status, p.end_height), (ProposalStatus::Passed, Some(height)));
    assert_eq!(APP_PARAM.get(&w.state).unwrap(), Some(42), "visible from the end of that block");
    assert_eq!(APP_OTHER.get(&w.state).unwrap(), Some(7));
    assert_eq!(w.balance(&addr(1)), FUNDS, "deposit refunded on pass");
    let kinds: Vec<&str> = w.state.events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.ends_with(&["governance.passed", "governance.deposits_refunded"]), "{kinds:?}");
    assert_eq!(VOTES.iter(&w.state).count() + SNAPSHOT_CANDIDATES.iter(&w.state).count(), 0, "voting records cleared");
    assert_eq!(p.final_tally.map(|t| t.yes), Some(1000));
}

#[test]
fn a_proposal_that_fails_its_vote_changes_nothing_and_refunds() {
    let mut w = World::new();
    let id = w.voting_with(&[(101, 1, 1000), (1, 1, 10)]);
    w.deliver(addr(50), Msg::Deposit { proposal: id, amount: 1 }).unwrap_err(); // voting: closed
    let id2 = w.submit(addr(2), vec![app(AppMsg::SetParam(9))], 150);
    w.vote(val(1), id2, VoteOption::No).unwrap();
    w.vote(val(1), id, VoteOption::Abstain).unwrap();
    w.end_block(3 * DAY_SECONDS);
    w.end_block(1);
    assert_eq!(w.proposal(id2).status, ProposalStatus::Rejected);
    assert_eq!(w.proposal(id).status, ProposalStatus::Rejected, "all abstained");
    assert_eq!(APP_PARAM.get(&w.state).unwrap(), Some(1));
    assert_eq!((w.balance(&addr(2)), w.balance(&addr(50))), (FUNDS, FUNDS));
}

#[test]
fn a_vetoed_proposals_deposits_are_burned() {
    let mut w = World::new();
    let id = w.voting_with(&[(101, 1, 1000)]);
    w.deliver(addr(3), Msg::Deposit { proposal: id, amount: 1 }).unwrap_err();
    w.vote(val(1), id, VoteOption::NoWithVeto).unwrap();
    let supply = M_SUPPLY.get(&w.state).unwrap().unwrap();
    w.end_block(3 * DAY_SECONDS);
    w.end_block(1);
    assert_eq!(w.proposal(id).status, ProposalStatus::Vetoed);
    assert_eq!(w.balance(&addr(50)), FUNDS - 100, "not refunded");
    assert_eq!(M_SUPPLY.get(&w.state).unwrap().unwrap(), supply - 100, "burned");
    let burned = w.state.events.iter().find(|e| e.kind == "governance.deposits_burned").unwrap();
    assert_eq!(burned.attribute("amount"), Some("100"));
}

#[test]
fn an_execution_failure_rolls_back_all_its_messages() {
    let mut w = World::new();
    w.candidate(1);
    w.bond(val(1), 1, 1000);
    let id = w.submit(addr(1), vec![app(AppMsg::SetParam(42)), app(AppMsg::SetOther(5)), app(AppMsg::Fail)], 100);
    pass(&mut w, id);
    w.end_block(3 * DAY_SECONDS);
    w.end_block(1);
    let p = w.proposal(id);
    assert_eq!(p.status, ProposalStatus::Failed);
    assert_eq!(p.failure.as_deref(), Some("message 2: app code 7: refused"));
    assert_eq!(APP_PARAM.get(&w.state).unwrap(), Some(1), "the first message's change was discarded");
    assert_eq!(APP_OTHER.get(&w.state).unwrap(), None);
    assert_eq!(w.balance(&addr(1)), FUNDS, "refunded");
    let failed = w.state.events.iter().find(|e| e.kind == "governance.failed").unwrap();
    assert_eq!((failed.attribute("message"), failed.attribute("yes")), (Some("2"), Some("1000")));
}

#[test]
fn update_params_is_for_the_authority_only_and_a_proposal_can_change_governances_own() {
    let mut w = World::new();
    let new = Params { min_deposit: 5, ..Params::default() };
    let err = w.deliver(addr(1), Msg::UpdateParams { params: new.clone() }).unwrap_err();
    assert_eq!(err.code(), 5);
    let err = w.deliver(
        authority_address(),
        Msg::UpdateParams { params: Params { quorum_ppb: 2_000_000_000, ..new.clone() } },
    );
    assert_eq!(err.unwrap_err().code(), 6);
    w.deliver(authority_address(), Msg::UpdateParams { params: new.clone() }).unwrap();
    assert_eq!(PARAMS.load(&w.state).unwrap(), new);
    assert_eq!(w.state.events.last().map(|e| e.kind.as_str()), Some("governance.params_updated"));
}

// ---------------------------------------------------------------------------------------------
// Queries and genesis.

#[test]
fn proposals_are_listed_by_id_filtered_by_status_and_paginated() {
    let mut w = World::new();
    for deposit in [10, 100, 10, 100, 10] {
        w.submit(addr(1), Vec::new(), deposit);
    }
    let page: crate::query::ProposalPage = w.query("proposals", serde_json::json!({ "limit": 2 }));
    assert_eq!(page.proposals.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(page.next, Some(2));
    let page: crate::query::ProposalPage =
        w.query("proposals", serde_json::json!({ "status": "deposit_period", "start_after": 1 }));
    assert_eq!(page.proposals.iter().map(|p| p.id).collect::<Vec<_>>(), vec![3, 5]);
    assert_eq!(page.next, None);
    let voting: crate::query::ProposalPage = w.query("proposals", serde_json::json!({ "status": "voting_period" }));
    assert_eq!(voting.proposals.iter().map(|p| p.id).collect::<Vec<_>>(), vec![2, 4]);
    let deposits: crate::query::Deposits = w.query("deposits", serde_json::json!({ "proposal": 3 }));
    assert_eq!(deposits.total, 10);
    let tally: crate::query::TallyAnswer = w.query("tally", serde_json::json!({ "proposal": 2 }));
    assert!(!tally.is_final);
    assert_eq!(w.gov.query(&w.state, "proposals", br#"{"limit":0}"#).unwrap_err().code(), 3);
    assert_eq!(w.gov.query(&w.state, "nope", b"{}").unwrap_err().code(), 2);
    assert_eq!(w.gov.query(&w.state, "proposal", br#"{"proposal":77}"#).unwrap_err().code(), 11);
}

#[test]
fn the_tally_query_in_progress_is_the_final_tally() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 300), (101, 1, 700), (2, 2, 500), (102, 2, 1)]);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.vote(addr(2), id, VoteOption::No).unwrap();
    let running: crate::query::TallyAnswer = w.query("tally", serde_json::json!({ "proposal": id }));
    w.end_block(3 * DAY_SECONDS);
    w.end_block(1);
    let done: crate::query::TallyAnswer = w.query("tally", serde_json::json!({ "proposal": id }));
    assert!(done.is_final);
    assert_eq!(running.tally, done.tally);
    assert_eq!((done.tally.yes, done.tally.no, done.tally.total_stake), (1000, 500, 1501));
}

#[test]
fn genesis_export_then_import_rebuilds_the_state_key_for_key() {
    let mut w = World::new();
    let id = w.voting_with(&[(1, 1, 300), (101, 1, 700)]);
    w.submit(addr(3), Vec::new(), 10);
    w.vote(val(1), id, VoteOption::Yes).unwrap();
    w.delegate(addr(4), Some(addr(5))).unwrap();
    w.unbond_all(addr(1), 1); // a recorded snapshot entry
    let dropped = w.submit(addr(3), Vec::new(), 5);
    w.end_block(DAY_SECONDS);
    w.end_block(1); // drops the two in their deposit period
    assert_eq!(w.proposal(dropped).status, ProposalStatus::Dropped);
    let exported = w.gov.export_genesis(&w.state).unwrap();
    let json = serde_json::to_string(&exported).unwrap();
    let parsed: crate::Genesis = serde_json::from_str(&json).unwrap();
    // A fresh state with the same non-governance entries (bank and stake mocks, authority).
    let mut fresh = MemoryState::new();
    fresh.entries = w.state.entries.clone();
    fresh.entries.retain(|k, _| !k.starts_with(b"governance/"));
    w.gov.init_genesis(&mut fresh, &parsed).unwrap();
    assert_eq!(fresh.entries, w.state.entries);
    assert_eq!(exported.snapshot_shares.len(), 1);

    let mut broken = parsed.clone();
    broken.deposits[0].amount += 1;
    let mut other = MemoryState::new();
    other.entries = w.state.entries.clone();
    other.entries.retain(|k, _| !k.starts_with(b"governance/"));
    let err = w.gov.init_genesis(&mut other, &broken).unwrap_err();
    assert!(err.to_string().contains("total_deposit 100 but its deposits sum to 101"), "{err}");
}

#[test]
fn the_worked_tally_of_the_docs() {
    let mut w = World::new();
    let (alice, bob, carol, dave) = (addr(1), addr(2), addr(3), addr(4));
    let (a, b) = (val(1), val(2));
    M_CANDIDATES.put(&mut w.state, &a, &(600, 600, 0)).unwrap();
    M_CANDIDATES.put(&mut w.state, &b, &(400, 200, 0)).unwrap();
    for (voter, set) in [
        (a, vec![(a, 100)]),
        (b, vec![(b, 50)]),
        (alice, vec![(a, 300), (b, 50)]),
        (bob, vec![(a, 200)]),
        (carol, vec![(b, 100)]),
    ] {
        M_VOTE_SETS.put(&mut w.state, &voter, &set).unwrap();
    }
    let id = w.submit(addr(50), Vec::new(), 100);
    w.delegate(carol, Some(dave)).unwrap();
    w.vote(a, id, VoteOption::Yes).unwrap();
    w.vote(b, id, VoteOption::No).unwrap();
    w.vote(bob, id, VoteOption::Abstain).unwrap();
    w.vote(dave, id, VoteOption::NoWithVeto).unwrap();
    let t = w.tally(id);
    assert_eq!(t, tally(400, 200, 200, 200, 1000));
    assert_eq!(decide(&Params::default(), &t).unwrap(), Outcome::Rejected, "exactly 50 % is not a pass");
    w.set_standing(2, 1); // B jailed
    let t = w.tally(id);
    assert_eq!(t, tally(400, 100, 200, 200, 1000));
    assert_eq!(decide(&Params::default(), &t).unwrap(), Outcome::Passed);
}
