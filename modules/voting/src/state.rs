//! Voting's state: its parameters only. Vote sets, shares and entries live in the stake ledger
//! (`conclave_staking::state`), because a slash must change them atomically with candidates.
//!
//! | item | key | value |
//! |---|---|---|
//! | [`PARAMS`] | `voting/params` | [`Params`] |

use conclave_core::Item;

use crate::params::Params;

/// Parameters.
pub const PARAMS: Item<Params> = Item::new("voting/params");

/// Every prefix above.
pub const PREFIXES: [&str; 1] = [PARAMS.prefix()];
