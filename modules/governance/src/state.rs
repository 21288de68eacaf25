//! Governance's whole state schema. Keys use `conclave_core::key`; values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PARAMS`] | — | [`Params`] |
//! | [`NEXT_PROPOSAL_ID`] | — | the next proposal id (from 1) |
//! | [`PROPOSALS`] | id | [`Proposal`]; kept after it ends (its outcome and final tally) |
//! | [`BY_STATUS`] | status byte ‖ id | `()`; every proposal, for filtered listings |
//! | [`DEPOSIT_QUEUE`] | deposit end (ns) ‖ id | `()`; proposals in their deposit period |
//! | [`VOTING_QUEUE`] | voting end (ns) ‖ id | `()`; proposals in their voting period |
//! | [`DEPOSITS`] | id ‖ depositor | tokens; live proposals only (refunded or burned at the end) |
//! | [`VOTES`] | id ‖ voter | [`VoteOption`]; voting proposals only |
//! | [`SNAPSHOT_CANDIDATES`] | id ‖ candidate | [`CandidateSnapshot`]: tokens and shares at voting start |
//! | [`SNAPSHOT_SHARES`] | id ‖ voter ‖ candidate | shares at voting start, written before their first change |
//! | [`DELEGATES`] | delegator | its governance delegate |
//! | [`DELEGATORS`] | delegate ‖ delegator | `()`; reverse index of [`DELEGATES`] |
//!
//! The deposits' coins are the bank's, in the `governance` module account.

use conclave_core::{Address, Item, Map};

use crate::params::Params;
use crate::types::{CandidateSnapshot, Proposal, VoteOption};

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("governance/params");
/// The next proposal id.
pub const NEXT_PROPOSAL_ID: Item<u64> = Item::new("governance/next_id");
/// Proposals by id.
pub const PROPOSALS: Map<u64, Proposal> = Map::new("governance/proposal");
/// Proposals by (status, id).
pub const BY_STATUS: Map<(u8, u64), ()> = Map::new("governance/by_status");
/// Proposals in their deposit period by (deposit end, id).
pub const DEPOSIT_QUEUE: Map<(u64, u64), ()> = Map::new("governance/queue/deposit");
/// Proposals in their voting period by (voting end, id).
pub const VOTING_QUEUE: Map<(u64, u64), ()> = Map::new("governance/queue/voting");
/// Deposits by (proposal, depositor).
pub const DEPOSITS: Map<(u64, Address), u128> = Map::new("governance/deposits");
/// Direct votes by (proposal, voter).
pub const VOTES: Map<(u64, Address), VoteOption> = Map::new("governance/vote");
/// Candidates' tokens and shares when the proposal's voting started.
pub const SNAPSHOT_CANDIDATES: Map<(u64, Address), CandidateSnapshot> = Map::new("governance/snapshot/candidate");
/// A voter's shares of a candidate when voting started, written (copy on write) before the
/// first change of those shares during the voting period.
pub const SNAPSHOT_SHARES: Map<(u64, Address, Address), u128> = Map::new("governance/snapshot/shares");
/// Governance delegation: delegator → delegate.
pub const DELEGATES: Map<Address, Address> = Map::new("governance/delegation");
/// Reverse index: (delegate, delegator).
pub const DELEGATORS: Map<(Address, Address), ()> = Map::new("governance/delegators_of");

/// Every prefix above.
pub const PREFIXES: [&str; 12] = [
    PARAMS.prefix(),
    NEXT_PROPOSAL_ID.prefix(),
    PROPOSALS.prefix(),
    BY_STATUS.prefix(),
    DEPOSIT_QUEUE.prefix(),
    VOTING_QUEUE.prefix(),
    DEPOSITS.prefix(),
    VOTES.prefix(),
    SNAPSHOT_CANDIDATES.prefix(),
    SNAPSHOT_SHARES.prefix(),
    DELEGATES.prefix(),
    DELEGATORS.prefix(),
];
