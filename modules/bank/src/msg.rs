//! Bank messages: their wire format, stateless validation and execution.
//!
//! Wire format: borsh. A [`Msg`] is a one-byte variant tag (its position in the enum:
//! `Send` = 0, `MultiSend` = 1) followed by the fields in order. **Append only**: never
//! reorder, remove or change a variant; add new ones at the end.
//!
//! Decisions, beyond the checks every transfer makes (see [`crate::ops`]):
//! - a zero amount is refused (it would only burn gas and add noise for indexers);
//! - a transfer to oneself is refused for the same reason;
//! - a module account is never a message recipient: it receives funds only through its
//!   module, so that a module's bookkeeping always matches its account (as in Cosmos SDK).

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::coin::validate_denom;
use conclave_core::{Address, Coin, StateRead, StateWrite};
use serde::{Deserialize, Serialize};

use crate::error::BankError;
use crate::ops::Changes;
use crate::Bank;

/// Largest number of outputs of one [`Msg::MultiSend`].
pub const MAX_OUTPUTS: usize = 64;

/// A bank message, signed by the sender.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Msg {
    /// Tag 0. Moves `amount` from the signer to `to`.
    Send {
        /// The recipient; not the signer, not a module account.
        to: Address,
        /// What to send; valid denomination, positive amount.
        amount: Coin,
    },
    /// Tag 1. Moves each output's amount from the signer to its recipient, all or nothing.
    /// Recipients may repeat; outputs apply in order against one running balance.
    MultiSend {
        /// 1 to [`MAX_OUTPUTS`] outputs.
        outputs: Vec<Output>,
    },
}

/// One recipient of a [`Msg::MultiSend`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The recipient; not the signer, not a module account.
    pub to: Address,
    /// What it receives; valid denomination, positive amount.
    pub amount: Coin,
}

/// Stateless checks: output count, then each coin's denomination and amount, in order.
pub fn validate(msg: &Msg) -> Result<(), BankError> {
    match msg {
        Msg::Send { amount, .. } => validate_amount(amount),
        Msg::MultiSend { outputs } => {
            if outputs.is_empty() {
                return Err(BankError::NoOutputs { max: MAX_OUTPUTS });
            }
            if outputs.len() > MAX_OUTPUTS {
                return Err(BankError::TooManyOutputs { count: outputs.len(), max: MAX_OUTPUTS });
            }
            outputs.iter().try_for_each(|output| validate_amount(&output.amount))
        }
    }
}

fn validate_amount(coin: &Coin) -> Result<(), BankError> {
    validate_denom(&coin.denom)?;
    if coin.amount == 0 {
        return Err(BankError::ZeroAmount { denom: coin.denom.clone() });
    }
    Ok(())
}

impl Bank {
    /// Executes `msg` signed by `signer`: the stateless checks again (they are cheap, and make
    /// this safe to call directly), then per output in order: recipient ≠ signer, recipient not
    /// a module account, funds. Writes happen only after every output passed.
    pub(crate) fn execute(&self, state: &mut impl StateWrite, signer: &Address, msg: &Msg) -> Result<(), BankError> {
        validate(msg)?;
        let mut changes = Changes::new(state);
        match msg {
            Msg::Send { to, amount } => self.send_one(&mut changes, state, signer, to, amount)?,
            Msg::MultiSend { outputs } => {
                for output in outputs {
                    self.send_one(&mut changes, state, signer, &output.to, &output.amount)?;
                }
            }
        }
        changes.write(state)
    }

    fn send_one(
        &self,
        changes: &mut Changes,
        state: &impl StateRead,
        signer: &Address,
        to: &Address,
        amount: &Coin,
    ) -> Result<(), BankError> {
        if to == signer {
            return Err(BankError::SelfTransfer { address: *to });
        }
        self.check_not_module_account(to)?;
        changes.transfer(state, signer, to, amount)
    }
}
