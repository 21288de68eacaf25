//! The contract between module commands and the generic `tx` / `query` plumbing.
//!
//! A module crate contributes, behind its `cli` feature, a clap subcommand enum for `tx`
//! (implementing [`TxCommand`]) and one for `query` (implementing [`QueryCommand`]). The app
//! composes them explicitly, one variant per module, exactly as it composes its `Msg`:
//!
//! ```ignore
//! #[derive(clap::Subcommand)]
//! enum Tx {
//!     #[command(subcommand)]
//!     Bank(conclave_bank::cli::TxCommand),
//! }
//! impl conclave_client::TxCommand for Tx {
//!     type Msg = Msg;
//!     fn prepare(self) -> anyhow::Result<Prepared<Msg>> {
//!         match self {
//!             Tx::Bank(command) => Ok(command.prepare()?.map(Msg::Bank)),
//!         }
//!     }
//! }
//! ```

use std::process::ExitCode;

use anyhow::Result;
use borsh::BorshSerialize;

use crate::args::TxArgs;
use crate::signer::Signer;

/// A transaction a command has built and not yet signed: who signs, with which flags, what
/// messages, and the gas to use unless `--gas` says otherwise.
pub struct Prepared<M> {
    /// The opened `--from` key and node.
    pub signer: Signer,
    /// The command's common flags.
    pub args: TxArgs,
    /// The messages, in order.
    pub messages: Vec<M>,
    /// The command's default gas limit.
    pub default_gas: u64,
}

impl<M> Prepared<M> {
    /// One message.
    pub fn one(signer: Signer, args: TxArgs, message: M, default_gas: u64) -> Self {
        Self { signer, args, messages: vec![message], default_gas }
    }

    /// The same transaction with each message wrapped into the app's `Msg`.
    pub fn map<N>(self, wrap: impl Fn(M) -> N) -> Prepared<N> {
        Prepared {
            signer: self.signer,
            args: self.args,
            messages: self.messages.into_iter().map(wrap).collect(),
            default_gas: self.default_gas,
        }
    }
}

impl<M: BorshSerialize> Prepared<M> {
    /// Signs, broadcasts, waits and prints (see [`Signer::submit`]).
    pub fn submit(self) -> Result<ExitCode> {
        self.signer.submit(&self.args, self.messages, self.default_gas)
    }
}

/// `tx` subcommands: each builds the messages of one transaction.
pub trait TxCommand: clap::Subcommand {
    /// The messages these commands build.
    type Msg;

    /// Resolves names, asks the node what it must (pre-flight checks, current values) and
    /// returns the unsigned transaction. Nothing is sent.
    fn prepare(self) -> Result<Prepared<Self::Msg>>;
}

/// `query` subcommands: each reads the node and prints.
pub trait QueryCommand: clap::Subcommand {
    /// Runs the query and prints the answer.
    fn run(self) -> Result<()>;
}
