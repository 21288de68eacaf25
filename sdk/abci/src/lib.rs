//! Conclave's CometBFT adapter: the runtime served over ABCI 2.0 (CometBFT 0.38).
//!
//! - [`AbciApp`] implements `tendermint_abci::Application` over the runtime
//!   (one method per ABCI method; see `docs/abci.md` for the mapping);
//! - [`serve`] is our tokio socket server (Unix socket or TCP with `TCP_NODELAY`); only the
//!   consensus connection closing stops it (`connection.rs` says how it is told apart);
//! - [`codec`] is the varint-delimited protobuf framing;
//! - [`state_sync`]: snapshots served and restored over ABCI, and Commit's retain height.
//!
//! This is the only crate that knows protobuf. Fatal runtime errors stop the process
//! ([`fatal`]); malformed requests get an `Exception` or a closed connection, never a panic.

pub mod application;
pub mod codec;
mod connection;
pub mod convert;
pub mod dispatch;
pub mod fatal;
pub mod indexing;
pub mod metrics;
pub mod server;
pub mod state_sync;

pub use application::AbciApp;
pub use dispatch::CheckTxBursts;
pub use indexing::{EventIndexing, IndexMode, IndexingError};
pub use metrics::Metrics;
pub use server::{serve, serve_with, ListenAddress, ServerConfig, ServerError, Stopped};
pub use state_sync::{retain_height, StateSyncConfig};
