//! The bank's genesis section (JSON):
//!
//! ```json
//! { "balances": [ { "address": "<prefix>1…", "coins": [ { "denom": "stake", "amount": "1000" } ] } ],
//!   "supply": [ { "denom": "stake", "amount": "1000" } ],
//!   "issuance": [ { "denom": "stake", "genesis": "900", "minted": "150", "burned": "50" } ] }
//! ```
//!
//! `supply` is optional; when given it must equal the sums of the balances, which makes a
//! hand-edited genesis check itself. `issuance` is optional too: a new chain omits it and
//! each denomination starts with `genesis` = its supply; an export carries it, and then it
//! must cover every denomination and agree with the balances (`genesis + minted − burned`).
//! Export writes all three, sorted by address and denomination, so that `init(export(s))`
//! rebuilds `s` byte for byte.

use std::collections::{BTreeMap, BTreeSet};

use conclave_core::coin::validate_denom;
use conclave_core::{Address, Coin, StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::error::BankError;
use crate::state::{Issuance, BALANCES, ISSUANCE, SUPPLY};

/// The bank's genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Initial balances, one entry per address.
    #[serde(default)]
    pub balances: Vec<GenesisBalance>,
    /// Expected total supply per denomination; checked against the balances when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply: Option<Vec<Coin>>,
    /// What changed each denomination's supply since the chain first started (from an
    /// export); empty for a new chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issuance: Vec<GenesisIssuance>,
}

/// One denomination's issuance record in genesis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisIssuance {
    /// The denomination.
    pub denom: String,
    /// Its record.
    #[serde(flatten)]
    pub record: Issuance,
}

/// The initial coins of one address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisBalance {
    /// The account (any address, module accounts included).
    pub address: Address,
    /// Its coins: at least one; valid denominations, each at most once, positive amounts.
    pub coins: Vec<Coin>,
}

fn invalid(message: String) -> BankError {
    BankError::InvalidGenesis(message)
}

impl Genesis {
    /// Checks the section and returns the total supply per denomination computed from the
    /// balances. Errors say which entry is wrong and how to fix it.
    pub fn validate(&self) -> Result<BTreeMap<String, u128>, BankError> {
        let mut addresses = BTreeSet::new();
        let mut totals: BTreeMap<String, u128> = BTreeMap::new();
        for (i, entry) in self.balances.iter().enumerate() {
            let at = format!("balances[{i}] (address {})", entry.address);
            if !addresses.insert(entry.address) {
                return Err(invalid(format!("{at}: address listed twice; merge its coins into one entry")));
            }
            if entry.coins.is_empty() {
                return Err(invalid(format!("{at}: no coins; remove the entry")));
            }
            let mut denoms = BTreeSet::new();
            for coin in &entry.coins {
                validate_denom(&coin.denom).map_err(|e| invalid(format!("{at}: {e}")))?;
                if !denoms.insert(coin.denom.as_str()) {
                    return Err(invalid(format!(
                        "{at}: denom {} listed twice; add the amounts into one coin",
                        coin.denom
                    )));
                }
                if coin.amount == 0 {
                    return Err(invalid(format!(
                        "{at}: {} has amount 0; remove the coin or give it a positive amount",
                        coin.denom
                    )));
                }
                let total = totals.entry(coin.denom.clone()).or_insert(0);
                *total = total.checked_add(coin.amount).ok_or_else(|| {
                    invalid(format!("{at}: the total of {} exceeds 2^128 - 1; lower the amounts", coin.denom))
                })?;
            }
        }
        if let Some(declared) = &self.supply {
            check_declared_supply(declared, &totals)?;
        }
        self.check_issuance(&totals)?;
        Ok(totals)
    }

    /// The issuance records, when given: each denomination once, every denomination with
    /// balances covered, and `genesis + minted − burned` equal to the balances' sum.
    fn check_issuance(&self, totals: &BTreeMap<String, u128>) -> Result<(), BankError> {
        if self.issuance.is_empty() {
            return Ok(());
        }
        let mut seen = BTreeSet::new();
        for entry in &self.issuance {
            let at = format!("issuance ({})", entry.denom);
            validate_denom(&entry.denom).map_err(|e| invalid(format!("{at}: {e}")))?;
            if !seen.insert(entry.denom.as_str()) {
                return Err(invalid(format!("{at}: listed twice; list each denom once")));
            }
            let computed = totals.get(&entry.denom).copied().unwrap_or(0);
            if entry.record.expected_supply() != Some(computed) {
                return Err(invalid(format!(
                    "{at}: genesis + minted - burned must equal the balances' sum {computed}; fix the record or omit issuance"
                )));
            }
        }
        if let Some(missing) = totals.keys().find(|denom| !seen.contains(denom.as_str())) {
            return Err(invalid(format!("issuance: {missing} has balances but no record; add one or omit issuance")));
        }
        Ok(())
    }
}

fn check_declared_supply(declared: &[Coin], totals: &BTreeMap<String, u128>) -> Result<(), BankError> {
    let mut seen = BTreeSet::new();
    for coin in declared {
        validate_denom(&coin.denom).map_err(|e| invalid(format!("supply: {e}")))?;
        if !seen.insert(coin.denom.as_str()) {
            return Err(invalid(format!("supply: denom {} listed twice; list each denom once", coin.denom)));
        }
        if coin.amount == 0 {
            return Err(invalid(format!("supply: {} has amount 0; remove it", coin.denom)));
        }
        let computed = totals.get(&coin.denom).copied().unwrap_or(0);
        if coin.amount != computed {
            return Err(invalid(format!(
                "supply: {} is declared as {} but the balances sum to {computed}; fix the balances or the supply (or omit supply)",
                coin.denom, coin.amount
            )));
        }
    }
    if let Some(missing) = totals.keys().find(|denom| !seen.contains(denom.as_str())) {
        return Err(invalid(format!(
            "supply: {missing} has balances summing to {} but is not listed; add it or omit supply",
            totals.get(missing).copied().unwrap_or(0)
        )));
    }
    Ok(())
}

/// Writes a validated genesis. Refuses a state that already holds bank entries: the bank's
/// genesis must run before any other module's genesis moves funds.
pub(crate) fn init(state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), BankError> {
    let totals = genesis.validate()?;
    if BALANCES.iter(state).next().transpose()?.is_some() || SUPPLY.iter(state).next().transpose()?.is_some() {
        return Err(invalid(
            "the state already holds bank balances or supply; run the bank's genesis first, on a fresh state".into(),
        ));
    }
    for entry in &genesis.balances {
        for coin in &entry.coins {
            BALANCES.put(state, &(entry.address, coin.denom.clone()), &coin.amount)?;
        }
    }
    for (denom, total) in &totals {
        SUPPLY.put(state, denom, total)?;
    }
    if genesis.issuance.is_empty() {
        for (denom, total) in &totals {
            ISSUANCE.put(state, denom, &Issuance { genesis: *total, minted: 0, burned: 0 })?;
        }
    } else {
        for entry in &genesis.issuance {
            ISSUANCE.put(state, &entry.denom, &entry.record)?;
        }
    }
    Ok(())
}

/// Reads the state back: balances grouped by address in address order, coins and supply in
/// denomination order.
pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, BankError> {
    let mut balances: Vec<GenesisBalance> = Vec::new();
    for entry in BALANCES.iter(state) {
        let ((address, denom), amount) = entry?;
        let coin = Coin::new(denom, amount);
        match balances.last_mut() {
            Some(last) if last.address == address => last.coins.push(coin),
            _ => balances.push(GenesisBalance { address, coins: vec![coin] }),
        }
    }
    let supply = crate::ops::supplies(state)?;
    let mut issuance = Vec::new();
    for entry in ISSUANCE.iter(state) {
        let (denom, record) = entry?;
        issuance.push(GenesisIssuance { denom, record });
    }
    Ok(Genesis { balances, supply: Some(supply), issuance })
}
