//! Conclave runtime: the block executor CometBFT drives (through `conclave-abci`) and the
//! test chain drives directly.
//!
//! Start at [`Runtime`]. It owns the [`conclave_store::Store`] and the block in progress:
//! - [`ante`]: the checks every transaction passes before its messages run;
//! - [`layer`]: write overlays (block and per-transaction) with gas metering;
//! - [`mempool`]: the CheckTx view;
//! - [`signatures`] and [`batch`]: the cache of verified signatures, filled ahead of a block's
//!   (or proposal's) one-by-one checks by batched verification across the cores;
//! - [`genesis`] and [`query`]: import/export and query routing; [`simulate`]: a transaction
//!   run without its signature, for gas estimates and refusals before signing;
//! - [`app`]: the [`App`] trait an application implements.
//!
//! Invariants: nothing touches disk before [`Runtime::commit`]; a failed transaction keeps only
//! its fee and nonce bump (and only if it passed the ante checks); every fatal condition is a
//! [`RuntimeError`], never a wrong answer.

pub mod ante;
pub mod app;
pub mod batch;
pub mod error;
pub mod genesis;
pub mod handle;
pub mod layer;
pub mod mempool;
pub mod params;
pub mod query;
pub mod runtime;
pub mod signatures;
pub mod simulate;
pub mod types;

pub use app::{App, AppError, EndBlockOutput, ErrorKind, FeeError, ValidatorUpdate};
pub use error::{QueryCode, RuntimeError};
pub use genesis::GenesisState;
pub use handle::RuntimeHandle;
pub use params::{RuntimeGenesis, RuntimeParams};
pub use runtime::Runtime;
pub use types::*;
