//! Rewards' whole state schema. Keys use `conclave_core::key`; values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PARAMS`] | — | [`Params`] |
//! | [`MINTER`] | — | [`Minter`] |
//! | [`TOTALS`] | — | [`Totals`] |
//! | [`CANDIDATES`] | candidate | [`CandidateRewards`] |
//! | [`VOTES`] | delegator ‖ candidate | [`VoteRewards`] |
//!
//! The coins are the bank's: `rewards_pool` holds everything owed (and the dust),
//! `community_pool` the community's.

use conclave_core::{Address, Item, Map};

use crate::params::Params;
use crate::types::{CandidateRewards, Minter, Totals, VoteRewards};

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("rewards/params");
/// Issuance state.
pub const MINTER: Item<Minter> = Item::new("rewards/minter");
/// Conservation totals.
pub const TOTALS: Item<Totals> = Item::new("rewards/totals");
/// Per candidate.
pub const CANDIDATES: Map<Address, CandidateRewards> = Map::new("rewards/candidate");
/// Per (delegator, candidate).
pub const VOTES: Map<(Address, Address), VoteRewards> = Map::new("rewards/vote");

/// Every prefix above.
pub const PREFIXES: [&str; 5] =
    [PARAMS.prefix(), MINTER.prefix(), TOTALS.prefix(), CANDIDATES.prefix(), VOTES.prefix()];
