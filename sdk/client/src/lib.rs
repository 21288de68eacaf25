//! `conclave-client`: what every Conclave chain's command-line client is made of.
//!
//! - [`keys`]: the keyring (one owner-only file per ed25519 key, from a BIP39 mnemonic,
//!   encrypted under a passphrase unless it is a `test` keyring);
//! - [`rpc`]: the node a command talks to (`conclave-cometbft`'s RPC client, errors worded
//!   for this CLI);
//! - [`signer`] and [`command`]: the one path from a module command's messages to a signed,
//!   broadcast and included transaction, and the traits module commands implement;
//! - [`query`]: the query helper module commands use, and the chain-wide `account`/`tx`
//!   queries;
//! - [`args`] and [`output`]: the shared flags, value parsers and text/JSON output.
//!
//! Module crates implement [`TxCommand`] / [`QueryCommand`] in their `cli` feature; the app
//! composes them; `conclave-node` puts them under `tx` and `query` of the chain's binary.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

/// `eprintln!` that ignores a closed stderr (e.g. `| tee` killed by the same Ctrl-C), so
/// progress messages can never abort a shutdown.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `println!` that ignores a closed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod args;
pub mod chain;
pub mod command;
pub mod keys;
pub mod keys_command;
pub mod output;
pub mod query;
pub mod rpc;
pub mod show;
pub mod signer;

pub use args::{Gas, GasAdjustment, OutputArgs, OutputFormat, PageArgs, PreflightArgs, QueryArgs, TxArgs};
pub use chain::ChainDescription;
pub use command::{Prepared, QueryCommand, TxCommand};
pub use query::Querier;
pub use signer::Signer;

/// `path` made absolute against the current directory, without resolving symlinks.
pub fn absolute(path: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context as _;
    std::path::absolute(path).with_context(|| format!("cannot resolve path {}", path.display()))
}
