//! The bank's invariants, checked by tests after every step (never on chain: the scan is
//! O(state)):
//! 1. every stored balance and supply is non-zero and has a valid denomination;
//! 2. for every denomination, the supply equals the sum of the balances (no supply entry
//!    without balances, no balances without a supply entry), and the sum fits in `u128`;
//! 3. for every denomination, the supply equals its issuance record's `genesis + minted −
//!    burned`: the supply changes only by what is minted and burned (a denomination with a
//!    supply has a record; a record without a supply expects zero).

use std::collections::{BTreeMap, BTreeSet};

use conclave_core::coin::validate_denom;
use conclave_core::StateRead;

use crate::state::{BALANCES, ISSUANCE, SUPPLY};

/// Checks the invariants; the error describes the first violation found.
pub fn check(state: &impl StateRead) -> Result<(), String> {
    let mut sums: BTreeMap<String, u128> = BTreeMap::new();
    for entry in BALANCES.iter(state) {
        let ((address, denom), amount) = entry.map_err(|e| e.to_string())?;
        validate_denom(&denom).map_err(|e| format!("balance of {address}: {e}"))?;
        if amount == 0 {
            return Err(format!("zero balance stored for {address} in {denom}"));
        }
        let sum = sums.entry(denom).or_insert(0);
        *sum = sum.checked_add(amount).ok_or_else(|| format!("balances overflow u128 at {address}"))?;
    }
    let mut supplies: BTreeMap<String, u128> = BTreeMap::new();
    for entry in SUPPLY.iter(state) {
        let (denom, amount) = entry.map_err(|e| e.to_string())?;
        validate_denom(&denom).map_err(|e| format!("supply: {e}"))?;
        if amount == 0 {
            return Err(format!("zero supply stored for {denom}"));
        }
        supplies.insert(denom, amount);
    }
    for (denom, sum) in &sums {
        let supply = supplies.get(denom).copied().unwrap_or(0);
        if supply != *sum {
            return Err(format!("supply of {denom} is {supply} but balances sum to {sum}"));
        }
    }
    if let Some((denom, supply)) = supplies.iter().find(|(denom, _)| !sums.contains_key(*denom)) {
        return Err(format!("supply of {denom} is {supply} but no account holds any"));
    }
    let mut recorded = BTreeSet::new();
    for entry in ISSUANCE.iter(state) {
        let (denom, record) = entry.map_err(|e| e.to_string())?;
        let supply = supplies.get(&denom).copied().unwrap_or(0);
        if record.expected_supply() != Some(supply) {
            return Err(format!(
                "supply of {denom} is {supply} but genesis {} + minted {} - burned {} says otherwise",
                record.genesis, record.minted, record.burned
            ));
        }
        recorded.insert(denom);
    }
    if let Some(denom) = supplies.keys().find(|denom| !recorded.contains(*denom)) {
        return Err(format!("supply of {denom} has no issuance record"));
    }
    Ok(())
}
