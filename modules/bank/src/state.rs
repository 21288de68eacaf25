//! The bank's whole state schema.
//!
//! | item | key | value |
//! |---|---|---|
//! | [`BALANCES`] | `bank/balance` ‖ address (20 raw bytes) ‖ denom (escaped, `00 00`-terminated) | `u128` borsh (16 bytes LE) |
//! | [`SUPPLY`] | `bank/supply` ‖ denom (escaped, `00 00`-terminated) | `u128` borsh (16 bytes LE) |
//!
//! Invariants: no entry of either map is zero (a balance or supply that reaches zero is
//! deleted), and for every denomination the supply equals the sum of the balances.
//! Balances sort by address then denomination, so one account's coins are a prefix scan.

use conclave_core::{Address, Map};

/// Balance of an account in one denomination. Never zero: a zero balance is deleted.
pub const BALANCES: Map<(Address, String), u128> = Map::new("bank/balance");

/// Total supply of each denomination: the sum of its balances. Never zero.
pub const SUPPLY: Map<String, u128> = Map::new("bank/supply");

/// Every prefix above (see [`conclave_core::prefix::check_prefixes`]).
pub const PREFIXES: [&str; 2] = [BALANCES.prefix(), SUPPLY.prefix()];
