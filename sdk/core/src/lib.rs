//! Conclave core: the vocabulary every module and the runtime share. No I/O.
//!
//! What lives here and where to start:
//! - [`state`]: the raw state traits [`StateRead`]/[`StateWrite`] that the runtime implements
//!   (with gas metering and per-transaction overlays) and modules consume;
//! - [`typed`]: [`Item`] and [`Map`], typed state constants over an order-preserving
//!   [`key`] encoding with borsh values;
//! - [`module`]: the synchronous [`Module`] trait and the transaction context;
//! - [`block`]: what a block tells the modules (height, time, last commit, evidence) and
//!   what end-block answers (validator updates);
//! - [`tx`]: the signed transaction envelope, its sign bytes and verification;
//! - [`authority`]: the account allowed to change module parameters;
//! - [`dry_run`] and [`preflight`]: all-or-nothing multi-step operations and "would this
//!   pass?" answers;
//! - [`event`], [`error`], [`gas`], [`address`], [`coin`], [`ratio`]: the supporting types.
//!
//! Invariants kept here: key encodings preserve order (`a < b` iff `encode(a) < encode(b)`),
//! error codes are explicit and stable, and nothing reads a clock or a random source.

pub mod address;
pub mod authority;
pub mod block;
pub mod coin;
pub mod consensus;
pub mod dry_run;
pub mod error;
pub mod event;
pub mod gas;
pub mod key;
pub mod memory;
pub mod module;
pub mod prefix;
pub mod preflight;
pub mod ratio;
pub mod state;
pub mod tx;
pub mod typed;

pub use address::Address;
pub use block::{
    consensus_address, At, BlockIdFlag, BlockInfo, BlockTime, CommitInfo, ConsensusAddress, EndBlockOutput,
    EvidenceParams, Misbehavior, MisbehaviorKind, ValidatorUpdate, VoteInfo,
};
pub use coin::Coin;
pub use error::{ModuleError, Refusal, TxCode};
pub use event::{Event, EventAttribute, TypedEvent};
pub use gas::{GasMeter, GasSchedule};
pub use key::Key;
pub use memory::MemoryState;
pub use module::{Module, NoMessages, TxContext};
pub use preflight::Preflight;
pub use ratio::Ratio;
pub use state::{StateError, StateRead, StateWrite};
pub use typed::{Item, Map};
