//! The bank's library functions: what other modules and the runtime call.
//!
//! Readers are free functions over any [`StateRead`]; they return [`StateError`] so callers
//! can `?` them into their own error enums. Writers that need the module-account
//! configuration are methods on [`Bank`].
//!
//! Every writer follows one contract:
//! - **all checks before any write.** Each operation computes its new balances and supply in
//!   memory ([`Changes`]) and writes only once every check passed, so a returned
//!   [`BankError`] other than [`BankError::State`] means state and events are untouched.
//!   A [`StateError`] (out of gas, storage failure) can interrupt the final writes; callers
//!   then discard their overlay, as the runtime does for every failed transaction;
//! - **checks in a fixed order:** denomination, module accounts and permissions, sender ≠
//!   recipient (and blocked recipients where stated), then funds and overflow;
//! - **a zero amount changes nothing**: it passes the checks above except funds, then writes
//!   nothing and emits nothing. (Messages refuse zero amounts in stateless validation.)

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use conclave_core::coin::validate_denom;
use conclave_core::{Address, Coin, Event, StateError, StateRead, StateWrite, TypedEvent};

use crate::error::BankError;
use crate::event;
use crate::state::{Issuance, BALANCES, ISSUANCE, SUPPLY};
use crate::Bank;

/// The balance of `address` in `denom` (zero when absent).
pub fn balance(state: &impl StateRead, address: &Address, denom: &str) -> Result<u128, StateError> {
    Ok(BALANCES.get(state, &(*address, denom.to_owned()))?.unwrap_or(0))
}

/// The storage key of `address`'s balance in `denom` (`bank/balance ‖ address ‖ denom`, see
/// `docs/state-tree.md`): what a client asks `prove` for to verify a balance, or its absence,
/// against the app hash.
pub fn balance_key(address: &Address, denom: &str) -> Vec<u8> {
    BALANCES.storage_key(&(*address, denom.to_owned()))
}

/// Every non-zero balance of `address`, by denomination.
pub fn balances(state: &impl StateRead, address: &Address) -> Result<Vec<Coin>, StateError> {
    BALANCES
        .iter_prefix(state, address)
        .map(|entry| entry.map(|((_, denom), amount)| Coin::new(denom, amount)))
        .collect()
}

/// The total supply of `denom` (zero when absent).
pub fn supply(state: &impl StateRead, denom: &str) -> Result<u128, StateError> {
    Ok(SUPPLY.get(state, &denom.to_owned())?.unwrap_or(0))
}

/// The total supply of every denomination, by denomination.
pub fn supplies(state: &impl StateRead) -> Result<Vec<Coin>, StateError> {
    SUPPLY.iter(state).map(|entry| entry.map(|(denom, amount)| Coin::new(denom, amount))).collect()
}

/// Moves `coin` from `from` to `to` and emits `bank.transfer`.
///
/// Refuses `from == to` ([`BankError::SelfTransfer`]) but, unlike a `Send` message, does not
/// block module-account recipients: callers are trusted modules.
pub fn transfer(state: &mut impl StateWrite, from: &Address, to: &Address, coin: &Coin) -> Result<(), BankError> {
    validate_denom(&coin.denom)?;
    move_funds(state, from, to, coin)
}

/// [`transfer`] after the denomination check.
fn move_funds(state: &mut impl StateWrite, from: &Address, to: &Address, coin: &Coin) -> Result<(), BankError> {
    if from == to {
        return Err(BankError::SelfTransfer { address: *from });
    }
    let mut changes = Changes::new(state);
    changes.transfer(state, from, to, coin)?;
    changes.write(state)
}

impl Bank {
    /// Moves `coin` from module account `module` to the ordinary account `to`.
    ///
    /// `to` must not be a module account ([`BankError::BlockedRecipient`]): use
    /// [`Bank::move_between_modules`] for that.
    pub fn send_from_module(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankError> {
        validate_denom(&coin.denom)?;
        let from = self.module_address(module)?;
        self.check_not_module_account(to)?;
        move_funds(state, &from, to, coin)
    }

    /// Pays many accounts from module account `module` in one operation: the module's balance
    /// is read once and debited once by the total, each recipient is credited once with the sum
    /// of its payouts, and one `bank.transfer` is emitted per payout, in the given order. The
    /// resulting balances, supply and transfer events are those of calling [`transfer`] once
    /// per payout in that order (events: `sender`, `recipient`, `denom`, `amount` each).
    ///
    /// Like [`transfer`] (and unlike [`Bank::send_from_module`]), a recipient may be a module
    /// account: callers are trusted modules paying out what they hold (an end-block payout must
    /// not fail because a genesis put a module account among the payees). Checks, all before any
    /// write: the denomination, the module account, no recipient equal to the module
    /// ([`BankError::SelfTransfer`]), then the total against the module's balance
    /// ([`BankError::InsufficientFunds`] with the total as `needed`; [`BankError::Overflow`] if
    /// the total or a credit leaves `u128`). Zero payouts are skipped (no event); an empty list
    /// changes nothing.
    pub fn send_from_module_to_many(
        &self,
        state: &mut impl StateWrite,
        module: &str,
        denom: &str,
        payouts: &[(Address, u128)],
    ) -> Result<(), BankError> {
        validate_denom(denom)?;
        let from = self.module_address(module)?;
        if payouts.iter().any(|(to, _)| *to == from) {
            return Err(BankError::SelfTransfer { address: from });
        }
        let mut total: u128 = 0;
        let mut credits: BTreeMap<Address, u128> = BTreeMap::new();
        for (to, amount) in payouts.iter().filter(|(_, amount)| *amount > 0) {
            total = total.checked_add(*amount).ok_or_else(|| BankError::Overflow { denom: denom.to_owned() })?;
            let credit = credits.entry(*to).or_insert(0);
            *credit = credit.checked_add(*amount).ok_or_else(|| BankError::Overflow { denom: denom.to_owned() })?;
        }
        if total == 0 {
            return Ok(());
        }
        let mut changes = Changes::new(state);
        changes.debit(state, &from, &Coin::new(denom, total))?;
        for (to, amount) in &credits {
            changes.credit(state, to, &Coin::new(denom, *amount))?;
        }
        let sender = if changes.keep_events { from.to_string() } else { String::new() };
        changes.events.reserve(payouts.len());
        for (to, amount) in payouts.iter().filter(|(_, amount)| *amount > 0) {
            changes.record(|| event::transfer_event(&sender, to, denom, *amount));
        }
        changes.write(state)
    }

    /// Moves `coin` from `from` to module account `module`.
    pub fn send_to_module(
        &self,
        state: &mut impl StateWrite,
        from: &Address,
        module: &str,
        coin: &Coin,
    ) -> Result<(), BankError> {
        validate_denom(&coin.denom)?;
        let to = self.module_address(module)?;
        move_funds(state, from, &to, coin)
    }

    /// Moves `coin` from module account `from_module` to module account `to_module`.
    pub fn move_between_modules(
        &self,
        state: &mut impl StateWrite,
        from_module: &str,
        to_module: &str,
        coin: &Coin,
    ) -> Result<(), BankError> {
        validate_denom(&coin.denom)?;
        let from = self.module_address(from_module)?;
        let to = self.module_address(to_module)?;
        move_funds(state, &from, &to, coin)
    }

    /// Creates `coin` in module account `module`, which needs the minter permission; the
    /// supply grows by the amount. Emits `bank.mint`.
    pub fn mint(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankError> {
        validate_denom(&coin.denom)?;
        let account = self.permitted(module, "minter", |p| p.minter)?;
        let mut changes = Changes::new(state);
        if coin.amount > 0 {
            changes.add_supply(state, coin)?;
            changes.credit(state, &account.address, coin)?;
            changes.record(|| {
                event::Mint { module: module.to_owned(), recipient: account.address, coin: coin.clone() }.to_event()
            });
        }
        changes.write(state)?;
        // After the balances and supply: a refused mint or burn records nothing.
        if coin.amount > 0 {
            record_issuance(state, coin, |record, amount| {
                record.minted = record.minted.checked_add(amount)?;
                Some(())
            })?;
        }
        Ok(())
    }

    /// Destroys `coin` held by module account `module`, which needs the burner permission;
    /// the supply shrinks by the amount. Emits `bank.burn`.
    pub fn burn(&self, state: &mut impl StateWrite, module: &str, coin: &Coin) -> Result<(), BankError> {
        validate_denom(&coin.denom)?;
        let account = self.permitted(module, "burner", |p| p.burner)?;
        let mut changes = Changes::new(state);
        if coin.amount > 0 {
            changes.debit(state, &account.address, coin)?;
            changes.sub_supply(state, coin)?;
            changes.record(|| {
                event::Burn { module: module.to_owned(), sender: account.address, coin: coin.clone() }.to_event()
            });
        }
        changes.write(state)?;
        // After the balances and supply: a refused mint or burn records nothing.
        if coin.amount > 0 {
            record_issuance(state, coin, |record, amount| {
                record.burned = record.burned.checked_add(amount)?;
                Some(())
            })?;
        }
        Ok(())
    }

    /// Moves a transaction fee from `payer` to the fee collector and emits `bank.fee`
    /// (not `bank.transfer`). For the runtime's ante handler: a payer who cannot pay gets
    /// [`BankError::InsufficientFunds`], which the runtime reports with its own fee code.
    pub fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), BankError> {
        validate_denom(&fee.denom)?;
        let collector = self.fee_collector_address();
        if *payer == collector {
            return Err(BankError::SelfTransfer { address: *payer });
        }
        let mut changes = Changes::new(state);
        if fee.amount > 0 {
            changes.debit(state, payer, fee)?;
            changes.credit(state, &collector, fee)?;
            changes.record(|| event::Fee { sender: *payer, recipient: collector, coin: fee.clone() }.to_event());
        }
        changes.write(state)
    }
}

/// Balance and supply changes computed in memory, written by [`Changes::write`] once every
/// check has passed. Each key is read from state at most once; later steps see earlier ones
/// (a multi-send's outputs draw on one running balance).
pub(crate) struct Changes {
    /// `(stored, new)` per touched balance.
    balances: BTreeMap<(Address, String), (u128, u128)>,
    /// `(stored, new)` per touched supply.
    supply: BTreeMap<String, (u128, u128)>,
    /// Events to emit with the writes.
    events: Vec<Event>,
    /// Whether the state keeps events ([`StateWrite::keeps_events`]); if not, each event is
    /// emitted as [`Event::discarded`], unformatted.
    keep_events: bool,
}

impl Changes {
    /// No changes yet, for writing into `state`.
    pub(crate) fn new(state: &impl StateWrite) -> Self {
        Self {
            balances: BTreeMap::new(),
            supply: BTreeMap::new(),
            events: Vec::new(),
            keep_events: state.keeps_events(),
        }
    }

    /// Records the event `build` makes, or a discarded one if the state will not keep it.
    pub(crate) fn record(&mut self, build: impl FnOnce() -> Event) {
        self.events.push(if self.keep_events { build() } else { Event::discarded() });
    }

    fn balance_mut(
        &mut self,
        state: &impl StateRead,
        address: &Address,
        denom: &str,
    ) -> Result<&mut (u128, u128), StateError> {
        match self.balances.entry((*address, denom.to_owned())) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                let stored = BALANCES.get(state, entry.key())?.unwrap_or(0);
                Ok(entry.insert((stored, stored)))
            }
        }
    }

    fn supply_mut(&mut self, state: &impl StateRead, denom: &str) -> Result<&mut (u128, u128), StateError> {
        match self.supply.entry(denom.to_owned()) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                let stored = SUPPLY.get(state, entry.key())?.unwrap_or(0);
                Ok(entry.insert((stored, stored)))
            }
        }
    }

    /// Takes `coin` from `address`'s running balance.
    pub(crate) fn debit(&mut self, state: &impl StateRead, address: &Address, coin: &Coin) -> Result<(), BankError> {
        let (_, current) = self.balance_mut(state, address, &coin.denom)?;
        *current = current.checked_sub(coin.amount).ok_or_else(|| BankError::InsufficientFunds {
            address: *address,
            denom: coin.denom.clone(),
            available: *current,
            needed: coin.amount,
        })?;
        Ok(())
    }

    /// Adds `coin` to `address`'s running balance.
    pub(crate) fn credit(&mut self, state: &impl StateRead, address: &Address, coin: &Coin) -> Result<(), BankError> {
        let (_, current) = self.balance_mut(state, address, &coin.denom)?;
        *current = current.checked_add(coin.amount).ok_or_else(|| overflow(coin))?;
        Ok(())
    }

    fn add_supply(&mut self, state: &impl StateRead, coin: &Coin) -> Result<(), BankError> {
        let (_, current) = self.supply_mut(state, &coin.denom)?;
        *current = current.checked_add(coin.amount).ok_or_else(|| overflow(coin))?;
        Ok(())
    }

    /// Cannot fail while the supply invariant holds (a burner's balance is part of the supply).
    fn sub_supply(&mut self, state: &impl StateRead, coin: &Coin) -> Result<(), BankError> {
        let (_, current) = self.supply_mut(state, &coin.denom)?;
        *current = current.checked_sub(coin.amount).ok_or_else(|| overflow(coin))?;
        Ok(())
    }

    /// Debits `from`, credits `to` and records `bank.transfer`; a zero coin is skipped.
    pub(crate) fn transfer(
        &mut self,
        state: &impl StateRead,
        from: &Address,
        to: &Address,
        coin: &Coin,
    ) -> Result<(), BankError> {
        if coin.amount == 0 {
            return Ok(());
        }
        self.debit(state, from, coin)?;
        self.credit(state, to, coin)?;
        self.record(|| event::Transfer { sender: *from, recipient: *to, coin: coin.clone() }.to_event());
        Ok(())
    }

    /// Writes every changed entry (deleting those that reached zero), then the events.
    pub(crate) fn write(self, state: &mut impl StateWrite) -> Result<(), BankError> {
        for (key, (stored, new)) in self.balances {
            match new {
                _ if new == stored => {}
                0 => BALANCES.delete(state, &key)?,
                _ => BALANCES.put(state, &key, &new)?,
            }
        }
        for (denom, (stored, new)) in self.supply {
            match new {
                _ if new == stored => {}
                0 => SUPPLY.delete(state, &denom)?,
                _ => SUPPLY.put(state, &denom, &new)?,
            }
        }
        for event in self.events {
            state.emit(event)?;
        }
        Ok(())
    }
}

fn overflow(coin: &Coin) -> BankError {
    BankError::Overflow { denom: coin.denom.clone() }
}

/// Adds a mint or burn of `coin` to its denomination's issuance record (`None` from `apply`:
/// beyond `u128`, refused like any supply overflow).
fn record_issuance(
    state: &mut impl StateWrite,
    coin: &Coin,
    apply: impl FnOnce(&mut Issuance, u128) -> Option<()>,
) -> Result<(), BankError> {
    let mut record = ISSUANCE.get(state, &coin.denom)?.unwrap_or_default();
    apply(&mut record, coin.amount).ok_or_else(|| overflow(coin))?;
    ISSUANCE.put(state, &coin.denom, &record)?;
    Ok(())
}
