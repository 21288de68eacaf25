//! Events the bank emits. Every event carries `denom` and `amount` (decimal); addresses are
//! bech32 (`<prefix>1…`). The query keys ([`TypedEvent::is_indexed`]) are the accounts and
//! module names: amounts and denominations are values, and `bank.fee`'s recipient is always
//! the fee collector, so indexing them would write a key per transaction that no search needs
//! (a node that wants every attribute, such as a PostgreSQL indexer, sets `[events] index =
//! "all"`; docs/indexing.md).

use conclave_core::{Address, Coin, Event, EventAttribute, TypedEvent};

/// `bank.transfer`: funds moved between two accounts (including module accounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The debited account.
    pub sender: Address,
    /// The credited account.
    pub recipient: Address,
    /// What moved.
    pub coin: Coin,
}

impl TypedEvent for Transfer {
    const KIND: &'static str = "bank.transfer";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("sender", self.sender.to_string()),
            ("recipient", self.recipient.to_string()),
            ("denom", self.coin.denom.clone()),
            ("amount", self.coin.amount.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        matches!(key, "sender" | "recipient")
    }
}

/// The event [`Transfer`] converts to, built directly (the sender's hex computed once by the
/// caller): what a batch payout emits per payout.
pub(crate) fn transfer_event(sender_hex: &str, recipient: &Address, denom: &str, amount: u128) -> Event {
    let attribute =
        |key: &str, value: String| EventAttribute { key: key.to_owned(), value, index: Transfer::is_indexed(key) };
    Event {
        kind: Transfer::KIND.to_owned(),
        attributes: vec![
            attribute("sender", sender_hex.to_owned()),
            attribute("recipient", recipient.to_string()),
            attribute("denom", denom.to_owned()),
            attribute("amount", amount.to_string()),
        ],
    }
}

/// `bank.fee`: a transaction fee moved from its payer to the fee collector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fee {
    /// The payer (the transaction's signer).
    pub sender: Address,
    /// The fee collector's address.
    pub recipient: Address,
    /// The fee.
    pub coin: Coin,
}

impl TypedEvent for Fee {
    const KIND: &'static str = "bank.fee";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("sender", self.sender.to_string()),
            ("recipient", self.recipient.to_string()),
            ("denom", self.coin.denom.clone()),
            ("amount", self.coin.amount.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        key == "sender"
    }
}

/// `bank.mint`: new coins created into a module account; the supply grew by `amount`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mint {
    /// The minting module account's name.
    pub module: String,
    /// Its address, which received the coins.
    pub recipient: Address,
    /// What was created.
    pub coin: Coin,
}

impl TypedEvent for Mint {
    const KIND: &'static str = "bank.mint";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("module", self.module.clone()),
            ("recipient", self.recipient.to_string()),
            ("denom", self.coin.denom.clone()),
            ("amount", self.coin.amount.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        matches!(key, "module" | "recipient")
    }
}

/// `bank.burn`: coins destroyed from a module account; the supply shrank by `amount`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Burn {
    /// The burning module account's name.
    pub module: String,
    /// Its address, which was debited.
    pub sender: Address,
    /// What was destroyed.
    pub coin: Coin,
}

impl TypedEvent for Burn {
    const KIND: &'static str = "bank.burn";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("module", self.module.clone()),
            ("sender", self.sender.to_string()),
            ("denom", self.coin.denom.clone()),
            ("amount", self.coin.amount.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        matches!(key, "module" | "sender")
    }
}
