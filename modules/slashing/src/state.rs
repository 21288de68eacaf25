//! Slashing's whole state schema. Keys use `conclave_core::key`; values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PARAMS`] | — | [`Params`] |
//! | [`SIGNING`] | operator | [`SigningInfo`]: one per validator ever seen in a commit |
//! | [`MISSED`] | operator ‖ chunk (8 bytes BE) | `u64`: 64 blocks of the window, bit set = missed; absent = none missed |
//! | [`HISTORY`] | operator ‖ block height ‖ reason byte | [`SlashRecord`] |
//!
//! The window position of height `h` is `h % window`: chunk `position / 64`, bit
//! `position % 64`. Only chunks with a missed block exist, so a healthy validator has none
//! and a block changes a chunk only when a bit flips.

use conclave_core::{Address, Item, Map};

use crate::params::Params;
use crate::types::{SigningInfo, SlashRecord};

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("slashing/params");
/// Liveness records by operator.
pub const SIGNING: Map<Address, SigningInfo> = Map::new("slashing/signing");
/// Missed-block bitmaps, 64 blocks per chunk.
pub const MISSED: Map<(Address, u64), u64> = Map::new("slashing/missed");
/// Every punishment, by operator, block height and reason.
pub const HISTORY: Map<(Address, u64, u8), SlashRecord> = Map::new("slashing/history");

/// Every prefix above.
pub const PREFIXES: [&str; 4] = [PARAMS.prefix(), SIGNING.prefix(), MISSED.prefix(), HISTORY.prefix()];
