//! The upgrade module's whole state schema. Keys use `conclave_core::key`; values borsh.
//!
//! | item | key after the prefix | value |
//! |---|---|---|
//! | [`PLAN`] | — | [`Plan`]: the one pending plan, if any |
//! | [`APPLIED`] | name | height the upgrade was applied at |

use conclave_core::{Item, Map};

use crate::plan::Plan;

/// The pending plan (absent: none). One at a time; a new one replaces it.
pub const PLAN: Item<Plan> = Item::new("upgrade/plan");
/// Every upgrade applied on this chain: name → the height of the block it was applied in.
pub const APPLIED: Map<String, u64> = Map::new("upgrade/applied");

/// Every prefix above.
pub const PREFIXES: [&str; 2] = [PLAN.prefix(), APPLIED.prefix()];
