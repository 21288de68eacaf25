//! `appchain`: a complete chain built from Conclave's SDK and modules, and the template teams
//! copy to start their own.
//!
//! Everything the chain is made of is in this file, in plain Rust: the message enum with its
//! wire tags ([`Msg`]), the genesis sections ([`Genesis`]), and [`AppChain`], which routes each
//! message to its module with one `match` and calls the block hooks in a visible order.
//! To add a module: add a field to [`AppChain`], a variant to [`Msg`] with the next tag, a
//! section to [`Genesis`], and a line in each hook.

use borsh::io::{Read, Result as IoResult, Write};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_bank::Bank;
use conclave_core::tx::unknown_message;
use conclave_core::{Address, BlockInfo, Coin, Module, StateRead, StateWrite, TxContext};
use conclave_runtime::{App, AppError, EndBlockOutput, FeeError};

/// Every message the chain accepts. The tag of each variant is its wire format: never reuse
/// or reorder tags; a new module takes the next free tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Tag 0: bank messages.
    Bank(conclave_bank::Msg),
}

const TAG_BANK: u8 = 0;

impl BorshSerialize for Msg {
    fn serialize<W: Write>(&self, writer: &mut W) -> IoResult<()> {
        match self {
            Msg::Bank(msg) => {
                BorshSerialize::serialize(&TAG_BANK, writer)?;
                BorshSerialize::serialize(msg, writer)
            }
        }
    }
}

impl BorshDeserialize for Msg {
    fn deserialize_reader<R: Read>(reader: &mut R) -> IoResult<Self> {
        match u8::deserialize_reader(reader)? {
            TAG_BANK => Ok(Msg::Bank(conclave_bank::Msg::deserialize_reader(reader)?)),
            tag => Err(unknown_message(tag)),
        }
    }
}

/// The genesis `app` section: one field per module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Balances.
    #[serde(default)]
    pub bank: conclave_bank::Genesis,
}

/// The chain: its modules and their wiring.
#[derive(Clone, Debug, Default)]
pub struct AppChain {
    /// Balances, supply, module accounts, fees.
    pub bank: Bank,
}

impl App for AppChain {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        let mut prefixes: Vec<&'static str> = conclave_runtime::params::RUNTIME_PREFIXES.to_vec();
        prefixes.extend(self.bank.state_prefixes());
        prefixes
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), AppError> {
        self.bank.init_genesis(state, &genesis.bank)?;
        Ok(())
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        Ok(Genesis { bank: self.bank.export_genesis(state)? })
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.validate(msg)?),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.deliver(ctx, state, msg)?),
        }
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        self.bank.begin_block(block, state)?;
        Ok(())
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        self.bank.end_block(block, state)?;
        Ok(EndBlockOutput::default())
    }

    fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), FeeError> {
        self.bank.collect_fee(state, payer, fee).map_err(|e| match e {
            conclave_bank::BankError::InsufficientFunds { .. } => FeeError::InsufficientFunds(e.to_string()),
            other => FeeError::Other(other.into()),
        })
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, AppError> {
        let (module, method) = path.split_once('/').unwrap_or((path, ""));
        match module {
            conclave_bank::Bank::NAME => Ok(self.bank.query(state, method, data)?),
            _ => Err(AppError {
                codespace: conclave_runtime::error::QUERY_CODESPACE,
                code: conclave_runtime::QueryCode::UnknownPath as u32,
                log: format!("unknown module {module:?}"),
                kind: conclave_runtime::ErrorKind::Rejected,
            }),
        }
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.bank.check_invariants(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_prefixes_do_not_collide() {
        let prefixes = AppChain::default().state_prefixes();
        conclave_core::prefix::check_prefixes(&prefixes).unwrap();
    }

    #[test]
    fn unknown_tag_is_reported_as_unknown_message() {
        let err = borsh::from_slice::<Msg>(&[9]).unwrap_err();
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<conclave_core::tx::UnknownMessageTag>());
        assert_eq!(inner, Some(&conclave_core::tx::UnknownMessageTag(9)));
    }
}
