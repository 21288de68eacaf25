//! Staking's whole state schema. Keys use `conclave_core::key` (order-preserving); values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PARAMS`] | — | [`Params`] |
//! | [`CANDIDATES`] | operator | [`Candidate`] |
//! | [`CONSENSUS_KEYS`] | consensus key (32 bytes) | operator; **never deleted** (every key ever used) |
//! | [`POWER_INDEX`] | `u64::MAX − power` ‖ operator | `()`; eligible candidates with power > 0 |
//! | [`STATUS_INDEX`] | status byte ‖ operator | `()`; every candidate |
//! | [`TOKEN_HISTORY`] | operator ‖ height | [`TokenRecord`]; tokens at the end of that height |
//! | [`VOTE_SETS`] | delegator | [`VoteSet`]; the delegator's whole vote set, one key |
//! | [`DELEGATIONS`] | candidate ‖ delegator | shares (copy of the vote-set entry; reverse index) |
//! | [`NEXT_ENTRY_ID`] | — | next unbonding/redelegation id |
//! | [`UNBONDINGS`] | id | [`UnbondingEntry`] |
//! | [`UNBONDING_QUEUE`] | completion time ‖ id | [`UnbondingEntry`]: a copy of the entry, so end-block pays from the queue scan alone |
//! | [`UNBONDINGS_BY_CANDIDATE`] | candidate ‖ creation height ‖ id | `()` |
//! | [`UNBONDINGS_BY_DELEGATOR`] | delegator ‖ candidate ‖ id | `()` |
//! | [`REDELEGATIONS`] | id | [`RedelegationEntry`] |
//! | [`REDELEGATION_QUEUE`] | completion time ‖ id | `()` |
//! | [`REDELEGATIONS_BY_SOURCE`] | source ‖ creation height ‖ id | `()` |
//! | [`REDELEGATIONS_BY_DELEGATOR`] | delegator ‖ destination ‖ id | `()` |
//! | [`LAST_BLOCK`] | — | [`At`] of the last end-block (pre-flight queries use its time) |

use conclave_core::{Address, Item, Map};

use crate::params::Params;
use crate::types::{At, Candidate, RedelegationEntry, TokenRecord, UnbondingEntry, VoteSet};

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("staking/params");
/// Candidates by operator.
pub const CANDIDATES: Map<Address, Candidate> = Map::new("staking/candidate");
/// Every consensus key ever used (current, pending or rotated away), to its operator.
pub const CONSENSUS_KEYS: Map<[u8; 32], Address> = Map::new("staking/consensus_key");
/// Eligible candidates with power > 0, by power descending then operator.
pub const POWER_INDEX: Map<(u64, Address), ()> = Map::new("staking/power_index");
/// Every candidate by status.
pub const STATUS_INDEX: Map<(u8, Address), ()> = Map::new("staking/status_index");
/// Per-candidate token history within the unbonding period.
pub const TOKEN_HISTORY: Map<(Address, u64), TokenRecord> = Map::new("staking/token_history");
/// Vote sets by delegator.
pub const VOTE_SETS: Map<Address, VoteSet> = Map::new("staking/vote_set");
/// Reverse index: shares by (candidate, delegator).
pub const DELEGATIONS: Map<(Address, Address), u128> = Map::new("staking/delegation");
/// Next entry id.
pub const NEXT_ENTRY_ID: Item<u64> = Item::new("staking/next_entry_id");
/// Unbonding entries by id.
pub const UNBONDINGS: Map<u64, UnbondingEntry> = Map::new("staking/unbonding/entry");
/// Unbonding queue by (completion time, id); the value is a copy of the entry (written with it),
/// so end-block reads each due entry in the queue scan itself.
pub const UNBONDING_QUEUE: Map<(u64, u64), UnbondingEntry> = Map::new("staking/unbonding/queue");
/// Unbondings by (candidate, creation height, id), for slashing.
pub const UNBONDINGS_BY_CANDIDATE: Map<(Address, u64, u64), ()> = Map::new("staking/unbonding/by_candidate");
/// Unbondings by (delegator, candidate, id), for limits and queries.
pub const UNBONDINGS_BY_DELEGATOR: Map<(Address, Address, u64), ()> = Map::new("staking/unbonding/by_delegator");
/// Redelegation entries by id.
pub const REDELEGATIONS: Map<u64, RedelegationEntry> = Map::new("staking/redelegation/entry");
/// Redelegation maturity queue by (completion time, id).
pub const REDELEGATION_QUEUE: Map<(u64, u64), ()> = Map::new("staking/redelegation/queue");
/// Redelegations by (source, creation height, id), for slashing.
pub const REDELEGATIONS_BY_SOURCE: Map<(Address, u64, u64), ()> = Map::new("staking/redelegation/by_source");
/// Redelegations by (delegator, destination, id), for limits, locks and queries.
pub const REDELEGATIONS_BY_DELEGATOR: Map<(Address, Address, u64), ()> = Map::new("staking/redelegation/by_delegator");
/// The last block staking's end-block ran in.
pub const LAST_BLOCK: Item<At> = Item::new("staking/last_block");

/// Every prefix above (see [`conclave_core::prefix::check_prefixes`]).
pub const PREFIXES: [&str; 18] = [
    PARAMS.prefix(),
    CANDIDATES.prefix(),
    CONSENSUS_KEYS.prefix(),
    POWER_INDEX.prefix(),
    STATUS_INDEX.prefix(),
    TOKEN_HISTORY.prefix(),
    VOTE_SETS.prefix(),
    DELEGATIONS.prefix(),
    NEXT_ENTRY_ID.prefix(),
    UNBONDINGS.prefix(),
    UNBONDING_QUEUE.prefix(),
    UNBONDINGS_BY_CANDIDATE.prefix(),
    UNBONDINGS_BY_DELEGATOR.prefix(),
    REDELEGATIONS.prefix(),
    REDELEGATION_QUEUE.prefix(),
    REDELEGATIONS_BY_SOURCE.prefix(),
    REDELEGATIONS_BY_DELEGATOR.prefix(),
    LAST_BLOCK.prefix(),
];
