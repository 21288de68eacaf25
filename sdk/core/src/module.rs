//! The [`Module`] trait and the context a module sees.
//!
//! A module is a unit struct (or one holding its static configuration) implementing [`Module`].
//! The app composes modules explicitly: it routes its `Msg` enum with one `match` and calls
//! each module's block hooks in an order it writes down. Modules talk to each other through
//! plain functions over state and small traits the consumer owns.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{de::DeserializeOwned, Serialize};

use crate::address::Address;
pub use crate::block::{BlockInfo, BlockTime, EndBlockOutput};
use crate::error::ModuleError;
use crate::state::{StateError, StateRead, StateWrite};

/// What a module knows about the transaction delivering a message.
#[derive(Clone, Debug)]
pub struct TxContext<'a> {
    /// The block.
    pub block: &'a BlockInfo,
    /// The account that signed (and pays for) the transaction.
    pub signer: Address,
    /// The signer's ed25519 public key.
    pub signer_key: [u8; 32],
    /// Position of the transaction in the block.
    pub tx_index: u32,
    /// Position of the message in the transaction.
    pub msg_index: u32,
}

/// A module: its messages, genesis, block hooks and queries.
///
/// All methods are synchronous and deterministic. They take the state as a generic
/// `impl StateRead/StateWrite` so the runtime can pass its overlays without dynamic dispatch.
/// Errors are the module's own enum with stable codes; a wrapped fatal [`StateError`]
/// (see [`ModuleError::state_error`]) stops the node.
pub trait Module {
    /// The module name: its codespace, event prefix and state prefix.
    const NAME: &'static str;
    /// The module's messages.
    type Msg: BorshSerialize + BorshDeserialize + Clone + std::fmt::Debug;
    /// The module's genesis section (JSON).
    type Genesis: Serialize + DeserializeOwned + Default + Clone + std::fmt::Debug;
    /// The module's error enum.
    type Error: ModuleError + From<StateError>;

    /// Every state prefix this module uses (see [`crate::prefix::check_prefixes`]).
    fn state_prefixes(&self) -> Vec<&'static str>;

    /// Writes the genesis state; rejects an invalid genesis with an error saying what to fix.
    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Self::Genesis) -> Result<(), Self::Error>;

    /// Reads the state back into a genesis section; `init_genesis(export_genesis(s))` rebuilds `s`.
    fn export_genesis(&self, state: &impl StateRead) -> Result<Self::Genesis, Self::Error>;

    /// Stateless checks run before any state access (in CheckTx and FinalizeBlock).
    fn validate(&self, msg: &Self::Msg) -> Result<(), Self::Error>;

    /// Executes a message. On error, the runtime discards every write and event of the transaction.
    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Self::Msg) -> Result<(), Self::Error>;

    /// Runs at the start of every block, before any transaction.
    fn begin_block(&self, _block: &BlockInfo, _state: &mut impl StateWrite) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Runs at the end of every block, after all transactions. A module that owns the
    /// validator set returns CometBFT's updates here; every other module returns the default.
    fn end_block(&self, _block: &BlockInfo, _state: &mut impl StateWrite) -> Result<EndBlockOutput, Self::Error> {
        Ok(EndBlockOutput::default())
    }

    /// Answers `path` (relative to the module, e.g. `balance`) with JSON bytes. `data` is the
    /// JSON request.
    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, Self::Error>;

    /// Checks the module's invariants; used by tests after every step, never on chain.
    fn check_invariants(&self, _state: &impl StateRead) -> Result<(), String> {
        Ok(())
    }
}

/// The `Msg` of a module that has no messages (only block hooks, queries or genesis): a
/// type with no values, so routing it is `match *msg {}` and decoding one always fails with
/// "unknown message". No hand-written borsh needed: `type Msg = NoMessages;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NoMessages {}

impl BorshSerialize for NoMessages {
    fn serialize<W: borsh::io::Write>(&self, _writer: &mut W) -> borsh::io::Result<()> {
        match *self {}
    }
}

impl BorshDeserialize for NoMessages {
    fn deserialize_reader<R: borsh::io::Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let tag = u8::deserialize_reader(reader)?;
        Err(crate::tx::unknown_message(tag))
    }
}

/// A JSON request or response that did not parse, for module query errors.
pub fn parse_query<T: DeserializeOwned>(data: &[u8]) -> Result<T, String> {
    serde_json::from_slice(data).map_err(|e| format!("invalid query request: {e}"))
}

/// Serializes a query response.
pub fn query_response<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing our own plain data structures to JSON cannot fail (no non-string map keys).
    serde_json::to_vec(value).unwrap_or_default()
}
