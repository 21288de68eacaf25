//! Conclave's CometBFT 0.38 toolkit: what a chain binary, a benchmark or a test needs to run
//! real CometBFT nodes, written once.
//!
//! - [`binaries`]: find `cometbft` / `abci-cli` in one documented order and check that it is
//!   a 0.38 release, with errors that say how to install it;
//! - [`process`]: supervised child processes (log file per process, SIGTERM then SIGKILL on
//!   drop, `kill -9`, wait for exit) and [`process::tail`] for error messages.
//!
//! Layering: this crate depends on nothing under `modules/` nor on `app-template`
//! (`scripts/check-layering.sh`). Start at [`binaries::locate_cometbft`] and
//! [`process::Process::spawn`].

pub mod binaries;
pub mod process;

pub use binaries::{locate_abci_cli, locate_cometbft, Binary, BinaryError, Program};
pub use process::{tail, Process, ProcessError, STOP_GRACE};
