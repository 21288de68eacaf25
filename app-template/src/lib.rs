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
use conclave_rotation::Rotation;
use conclave_runtime::{App, AppError, EndBlockOutput, FeeError, ValidatorUpdate};
use conclave_staking::Staking;
use conclave_voting::Voting;

/// Every message the chain accepts. The tag of each variant is its wire format: never reuse
/// or reorder tags; a new module takes the next free tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Tag 0: bank messages.
    Bank(conclave_bank::Msg),
    /// Tag 1: staking messages (the validator side: register, edit, rotate the key).
    Staking(conclave_staking::Msg),
    /// Tag 2: voting messages (the delegator side: vote, unvote, set votes, redelegate,
    /// undelegate, cancel an unbonding).
    Voting(conclave_voting::Msg),
}

const TAG_BANK: u8 = 0;
const TAG_STAKING: u8 = 1;
const TAG_VOTING: u8 = 2;

impl BorshSerialize for Msg {
    fn serialize<W: Write>(&self, writer: &mut W) -> IoResult<()> {
        match self {
            Msg::Bank(msg) => {
                BorshSerialize::serialize(&TAG_BANK, writer)?;
                BorshSerialize::serialize(msg, writer)
            }
            Msg::Staking(msg) => {
                BorshSerialize::serialize(&TAG_STAKING, writer)?;
                BorshSerialize::serialize(msg, writer)
            }
            Msg::Voting(msg) => {
                BorshSerialize::serialize(&TAG_VOTING, writer)?;
                BorshSerialize::serialize(msg, writer)
            }
        }
    }
}

impl BorshDeserialize for Msg {
    fn deserialize_reader<R: Read>(reader: &mut R) -> IoResult<Self> {
        match u8::deserialize_reader(reader)? {
            TAG_BANK => Ok(Msg::Bank(conclave_bank::Msg::deserialize_reader(reader)?)),
            TAG_STAKING => Ok(Msg::Staking(conclave_staking::Msg::deserialize_reader(reader)?)),
            TAG_VOTING => Ok(Msg::Voting(conclave_voting::Msg::deserialize_reader(reader)?)),
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
    /// Staking parameters, candidates (records, or registrations bonded from bank balances)
    /// and the stake ledger.
    #[serde(default)]
    pub staking: conclave_staking::Genesis,
    /// Voting parameters and initial votes (bonded from bank balances).
    #[serde(default)]
    pub voting: conclave_voting::Genesis,
    /// Rotation parameters (the genesis set is elected from staking's genesis state), or an
    /// exported set and history.
    #[serde(default)]
    pub rotation: conclave_rotation::Genesis,
}

/// The chain: its modules and their wiring.
///
/// Staking and voting hold copies of the bank configuration (its module accounts), so build
/// it with [`AppChain::new`] (or `AppChain::default()`, the same), never field by field.
#[derive(Clone, Debug)]
pub struct AppChain {
    /// Balances, supply, module accounts (the fee collector and staking's three pools), fees.
    pub bank: Bank,
    /// Candidates, the stake ledger and its pools, unbonding and redelegation queues.
    pub staking: Staking,
    /// The delegator side: vote sets, redelegations, undelegations, pre-flight queries.
    pub voting: Voting,
    /// Epochs and the validator-set election (CometBFT's validator updates).
    pub rotation: Rotation,
}

impl AppChain {
    /// The chain's modules: a bank with staking's module accounts, staking over it, voting
    /// over staking. Fails only if the module accounts are misconfigured (a programming error,
    /// caught by this crate's tests).
    pub fn try_new() -> Result<Self, AppError> {
        let bank = Bank::new(Staking::module_accounts())?;
        let staking = Staking::new(bank.clone())?;
        let voting = Voting::new(staking.clone());
        let rotation = Rotation::new(staking.clone());
        Ok(Self { bank, staking, voting, rotation })
    }

    /// [`AppChain::try_new`]; the configuration is static and tested, so it cannot fail.
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        Self::try_new().expect("the app-template module accounts are valid (tested)")
    }
}

impl Default for AppChain {
    fn default() -> Self {
        Self::new()
    }
}

impl App for AppChain {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        let mut prefixes: Vec<&'static str> = conclave_runtime::params::RUNTIME_PREFIXES.to_vec();
        prefixes.extend(self.bank.state_prefixes());
        prefixes.extend(self.staking.state_prefixes());
        prefixes.extend(self.voting.state_prefixes());
        prefixes.extend(self.rotation.state_prefixes());
        prefixes
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), AppError> {
        // Order matters: registrations bond self-bonds from bank balances, and votes bond from
        // bank balances to candidates staking has registered.
        self.bank.init_genesis(state, &genesis.bank)?;
        self.staking.init_genesis(state, &genesis.staking)?;
        self.voting.init_genesis(state, &genesis.voting)?;
        // Rotation last: it elects the genesis set from the stake written above.
        self.rotation.init_genesis(state, &genesis.rotation)?;
        Ok(())
    }

    fn genesis_validators(&self, state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, AppError> {
        Ok(self.rotation.genesis_validators(state)?.into_iter().map(validator_update).collect())
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        // Staking exports the whole ledger as records (vote sets included); voting exports its
        // parameters only, so importing the export rebuilds the state key for key.
        Ok(Genesis {
            bank: self.bank.export_genesis(state)?,
            staking: self.staking.export_genesis(state)?,
            voting: self.voting.export_genesis(state)?,
            rotation: self.rotation.export_genesis(state)?,
        })
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.validate(msg)?),
            Msg::Staking(msg) => Ok(self.staking.validate(msg)?),
            Msg::Voting(msg) => Ok(self.voting.validate(msg)?),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.deliver(ctx, state, msg)?),
            Msg::Staking(msg) => Ok(self.staking.deliver(ctx, state, msg)?),
            Msg::Voting(msg) => Ok(self.voting.deliver(ctx, state, msg)?),
        }
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        // Begin block: bank, then staking and voting (neither does anything here today). A
        // slashing or distribution module would go here: distribution before slashing
        // (dpos-rules.md rule 6), so rewards are settled on the stake before it is slashed.
        self.bank.begin_block(block, state)?;
        self.staking.begin_block(block, state)?;
        self.voting.begin_block(block, state)?;
        Ok(())
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        // End block, in this order (dpos-rules.md rules 6 and 7):
        // 1. bank and voting (no end-block work today);
        // 2. validator-set updates: at an epoch's end the rotation module elects the set
        //    (Staking::set_active / candidates_by_power) and returns CometBFT's updates;
        // 3. staking's queues last: matured unbondings are paid out and matured redelegations
        //    removed only *after* the set update, so stake leaving the set this block is still
        //    slashable for it. It also records the block for pre-flight queries.
        self.bank.end_block(block, state)?;
        self.voting.end_block(block, state)?;
        let updates = self.rotation.end_block_updates(block, state)?;
        self.staking.end_block(block, state)?;
        Ok(EndBlockOutput { validator_updates: updates.into_iter().map(validator_update).collect() })
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
            Staking::NAME => Ok(self.staking.query(state, method, data)?),
            Voting::NAME => Ok(self.voting.query(state, method, data)?),
            Rotation::NAME => Ok(self.rotation.query(state, method, data)?),
            _ => Err(AppError {
                codespace: conclave_runtime::error::QUERY_CODESPACE,
                code: conclave_runtime::QueryCode::UnknownPath as u32,
                log: format!("unknown module {module:?}"),
                kind: conclave_runtime::ErrorKind::Rejected,
            }),
        }
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.bank.check_invariants(state)?;
        self.staking.check_invariants(state)?;
        self.voting.check_invariants(state)
    }
}

/// Rotation's update as the runtime's (powers are at most `MaxInt64 / 8`, so they fit).
fn validator_update(u: conclave_rotation::ValidatorUpdate) -> ValidatorUpdate {
    ValidatorUpdate { pub_key: u.pub_key, power: i64::try_from(u.power).unwrap_or(i64::MAX) }
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
    fn the_bank_has_the_staking_pools() {
        let app = AppChain::try_new().unwrap();
        for account in Staking::module_accounts() {
            assert!(app.bank.module_account(account.name).is_some(), "{}", account.name);
        }
    }

    #[test]
    fn wire_tags_are_pinned() {
        let a = Address([7; 20]);
        let staking = Msg::Staking(conclave_staking::Msg::RotateConsensusKey { new_key: [1; 32] });
        let voting = Msg::Voting(conclave_voting::Msg::Unvote { candidate: a });
        assert_eq!(borsh::to_vec(&staking).unwrap()[..2], [1, 2]);
        assert_eq!(borsh::to_vec(&voting).unwrap()[..2], [2, 1]);
        for msg in [staking, voting] {
            assert_eq!(borsh::from_slice::<Msg>(&borsh::to_vec(&msg).unwrap()).unwrap(), msg);
        }
    }

    #[test]
    fn unknown_tag_is_reported_as_unknown_message() {
        let err = borsh::from_slice::<Msg>(&[9]).unwrap_err();
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<conclave_core::tx::UnknownMessageTag>());
        assert_eq!(inner, Some(&conclave_core::tx::UnknownMessageTag(9)));
    }
}
