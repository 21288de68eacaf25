//! The bank's whole state schema.
//!
//! | item | key | value |
//! |---|---|---|
//! | [`BALANCES`] | `bank/balance` ‖ address (20 raw bytes) ‖ denom (escaped, `00 00`-terminated) | `u128` borsh (16 bytes LE) |
//! | [`SUPPLY`] | `bank/supply` ‖ denom (escaped, `00 00`-terminated) | `u128` borsh (16 bytes LE) |
//! | [`ISSUANCE`] | `bank/issuance` ‖ denom (escaped, `00 00`-terminated) | [`Issuance`] borsh (3 × 16 bytes LE) |
//!
//! Invariants: no entry of the first two maps is zero (a balance or supply that reaches zero
//! is deleted); for every denomination the supply equals the sum of the balances, and its
//! issuance record's `genesis + minted − burned`.
//! Balances sort by address then denomination, so one account's coins are a prefix scan.

use conclave_core::{Address, Map};

pub use crate::issuance::Issuance;

/// Balance of an account in one denomination. Never zero: a zero balance is deleted.
pub const BALANCES: Map<(Address, String), u128> = Map::new("bank/balance");

/// Total supply of each denomination: the sum of its balances. Never zero.
pub const SUPPLY: Map<String, u128> = Map::new("bank/supply");

/// What changed each denomination's supply since genesis. Every denomination with a supply
/// has one; it stays when the supply reaches zero.
pub const ISSUANCE: Map<String, Issuance> = Map::new("bank/issuance");

/// Every prefix above (see [`conclave_core::prefix::check_prefixes`]).
pub const PREFIXES: [&str; 3] = [BALANCES.prefix(), SUPPLY.prefix(), ISSUANCE.prefix()];
