//! Conclave's CometBFT 0.38 toolkit: what a chain binary, a benchmark or a test needs to run
//! real CometBFT nodes and talk to them, written once.
//!
//! - [`binaries`]: find `cometbft` / `abci-cli` in one documented order and check that it is
//!   a 0.38 release, with errors that say how to install it;
//! - [`process`]: supervised child processes (log file per process, SIGTERM then SIGKILL on
//!   drop, `kill -9`, wait for exit) and [`process::tail`] for error messages;
//! - [`rpc`]: a typed, blocking client of CometBFT's JSON-RPC ([`Rpc`]), whose errors tell an
//!   unreachable node from an error answer from an undecodable one;
//! - [`ports`]: free loopback port blocks for local networks, in the `localnet` layout;
//! - [`load`]: a signed-transaction load generator over `broadcast_tx_sync` that tracks each
//!   sender's nonce; the caller builds the transactions;
//! - [`signals`]: SIGINT/SIGTERM as a flag for synchronous supervisors.
//!
//! Everything here is library code linked into node binaries: no panics, typed errors. The
//! live-network test harness built on it (which panics with log tails, as tests want) is
//! `conclave-testkit`'s `live` feature.
//!
//! Layering: this crate knows no module and no chain, and depends on nothing under `modules/`
//! nor on `app-template` (`scripts/check-layering.sh`). Start at
//! [`binaries::locate_cometbft`], [`process::Process::spawn`] and [`Rpc::new`].

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod binaries;
pub mod load;
pub mod ports;
pub mod process;
pub mod rpc;
pub mod signals;

pub use binaries::{locate_abci_cli, locate_cometbft, Binary, BinaryError, Program};
pub use load::{Load, LoadStats};
pub use process::{tail, Process, ProcessError, STOP_GRACE};
pub use rpc::{Rpc, RpcError};
pub use signals::StopSignal;
