//! Rotation's whole state schema. Keys use `conclave_core::key`; values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PARAMS`] | — | [`Params`] |
//! | [`CURRENT`] | — | [`SetRecord`]: the last set sent to CometBFT (absent: none elected yet) |
//! | [`HISTORY`] | from height (8 bytes BE) | [`SetRecord`]: each set that changed, by the first height it signs |
//! | [`REMOVALS`] | operator (20 bytes) | `()`: members to remove at this block's end (empty between blocks) |

use conclave_core::Address;

use conclave_core::{Item, Map};

use crate::params::Params;
use crate::types::SetRecord;

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("rotation/params");
/// The latest elected set (already returned to CometBFT; it may not sign yet).
pub const CURRENT: Item<SetRecord> = Item::new("rotation/current");
/// Set history by the first height each set signs (0: from the chain's first block).
pub const HISTORY: Map<u64, SetRecord> = Map::new("rotation/history");

/// Members jailed or tombstoned during this block, removed from the set by this block's
/// end-block (so always empty between blocks).
pub const REMOVALS: Map<Address, ()> = Map::new("rotation/removal");

/// Every prefix above.
pub const PREFIXES: [&str; 4] = [PARAMS.prefix(), CURRENT.prefix(), HISTORY.prefix(), REMOVALS.prefix()];
