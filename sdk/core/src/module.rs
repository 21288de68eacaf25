//! The [`Module`] trait and the context a module sees.
//!
//! A module is a unit struct (or one holding its static configuration) implementing [`Module`].
//! The app composes modules explicitly: it routes its `Msg` enum with one `match` and calls
//! each module's block hooks in an order it writes down. Modules talk to each other through
//! plain functions over state and small traits the consumer owns.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::address::Address;
use crate::error::ModuleError;
use crate::state::{StateError, StateRead, StateWrite};

/// Block time: nanoseconds since the Unix epoch, from the block header (never the wall clock).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
pub struct BlockTime(pub u64);

impl BlockTime {
    /// Nanoseconds per second.
    pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

    /// From whole seconds since the epoch (saturating).
    pub fn from_seconds(seconds: u64) -> Self {
        Self(seconds.saturating_mul(Self::NANOS_PER_SECOND))
    }

    /// Whole seconds since the epoch.
    pub fn seconds(self) -> u64 {
        self.0 / Self::NANOS_PER_SECOND
    }

    /// This time plus `nanos` (saturating).
    pub fn plus_nanos(self, nanos: u64) -> Self {
        Self(self.0.saturating_add(nanos))
    }
}

/// What a module knows about the block being executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// The chain id.
    pub chain_id: String,
    /// Block height.
    pub height: u64,
    /// Block time from the header.
    pub time: BlockTime,
    /// Address of the proposer's consensus key (CometBFT address, 20 bytes).
    pub proposer: [u8; 20],
}

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

    /// Runs at the end of every block, after all transactions.
    fn end_block(&self, _block: &BlockInfo, _state: &mut impl StateWrite) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Answers `path` (relative to the module, e.g. `balance`) with JSON bytes. `data` is the
    /// JSON request.
    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, Self::Error>;

    /// Checks the module's invariants; used by tests after every step, never on chain.
    fn check_invariants(&self, _state: &impl StateRead) -> Result<(), String> {
        Ok(())
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
