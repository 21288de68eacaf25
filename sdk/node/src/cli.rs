//! The node's command line: `init`, `start`, `localnet`, and the client's `keys`, `tx` and
//! `query` with the chain's module commands (clap derive, generic over the chain).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use conclave_client::args::{parse_chain_id, parse_duration, parse_duration_text, parse_moniker, OutputArgs};
use conclave_client::keys_command::KeysCommand;
use conclave_client::query::BuiltinQuery;

/// A chain's binary. Its name, version and about line are the chain's (set in `run`).
#[derive(Debug, Parser)]
#[command(version, propagate_version = true)]
pub struct Cli<Tx: Subcommand, Query: Subcommand, G: Args> {
    /// What to do.
    #[command(subcommand)]
    pub command: Command<Tx, Query, G>,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command<Tx: Subcommand, Query: Subcommand, G: Args> {
    /// Create a node home: CometBFT config and keys, genesis with a funded account, app.toml.
    Init(InitArgs<G>),
    /// Serve the chain over ABCI (optionally starting and supervising CometBFT too).
    Start(StartArgs),
    /// Create and run a local network of 1 to 16 validators on 127.0.0.1.
    Localnet(LocalnetArgs<G>),
    /// Manage account keys (ed25519 from a BIP39 mnemonic, encrypted at rest; `--keyring-backend test` for localnets).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Sign and broadcast transactions through a node's CometBFT RPC.
    #[command(subcommand)]
    Tx(Box<Tx>),
    /// Read chain state and transactions through a node's CometBFT RPC.
    #[command(subcommand)]
    Query(QueryCommand<Query>),
}

/// `query`: the chain's module queries, then `account` and `tx`.
#[derive(Debug, Subcommand)]
pub enum QueryCommand<Query: Subcommand> {
    /// The modules' queries.
    #[command(flatten)]
    Module(Query),
    /// The queries every chain has.
    #[command(flatten)]
    Builtin(BuiltinQuery),
}

/// Where the `cometbft` binary is.
#[derive(Clone, Debug, Args)]
pub struct CometbftArgs {
    /// The cometbft binary [default: `cometbft` on PATH, then ~/go/bin/cometbft].
    #[arg(long, env = "COMETBFT", value_name = "PATH")]
    pub cometbft: Option<PathBuf>,
}

/// `--home`.
#[derive(Clone, Debug, Args)]
pub struct HomeArgs {
    /// The node home directory [default: $<CHAIN>_HOME, then ~/.<chain>: see the top of
    /// --help].
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
}

/// `init`.
#[derive(Debug, Args)]
pub struct InitArgs<G: Args> {
    /// `home` flags.
    #[command(flatten)]
    pub home: HomeArgs,
    /// The chain id written into genesis.json (1 to 50 characters).
    #[arg(long, value_parser = parse_chain_id)]
    pub chain_id: String,
    /// This node's name, shown to its peers.
    #[arg(long, value_parser = parse_moniker)]
    pub moniker: String,
    /// Replace an existing home (its config, data and keys are deleted).
    #[arg(long)]
    pub overwrite: bool,
    /// How the validator's account key is stored (`keyring-backend` flags).
    #[command(flatten)]
    pub keyring: conclave_client::args::KeyProtectionArgs,
    /// `cometbft` flags.
    #[command(flatten)]
    pub cometbft: CometbftArgs,
    /// `genesis` flags.
    #[command(flatten)]
    pub genesis: G,
    /// `output` flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// `home` flags.
    #[command(flatten)]
    pub home: HomeArgs,
    /// Also start `cometbft start --home DIR` once the ABCI socket listens, and supervise it
    /// (its output goes to DIR/cometbft.log).
    #[arg(long)]
    pub with_cometbft: bool,
    /// How long to wait for cometbft to stop after SIGTERM before killing it.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub stop_timeout: Duration,
    /// Stop when the parent process exits (used by `localnet` for its children).
    #[arg(long, hide = true)]
    pub exit_with_parent: bool,
    /// Let this node execute the scheduled software upgrade NAME at its height, where it
    /// would otherwise stop (for an upgrade without a state migration; repeatable). Every
    /// validator must upgrade the same way.
    #[arg(long = "allow-upgrade", value_name = "NAME")]
    pub allow_upgrades: Vec<String>,
    /// `cometbft` flags.
    #[command(flatten)]
    pub cometbft: CometbftArgs,
}

/// `localnet`.
#[derive(Debug, Args)]
pub struct LocalnetArgs<G: Args> {
    /// Number of validators, 1 to 16 [default: 4, or the existing network's].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=16), value_name = "N")]
    pub validators: Option<u16>,
    /// Directory of the network: node0..nodeN-1 homes, keys/, localnet.json.
    /// An existing network there is started again (resumed) unless --overwrite.
    #[arg(long, value_name = "DIR", default_value = "localnet")]
    pub dir: PathBuf,
    /// First port: node i uses P+10i for P2P and P+10i+1 for RPC.
    #[arg(long, value_name = "P", default_value_t = 26656, value_parser = clap::value_parser!(u16).range(1024..))]
    pub base_port: u16,
    /// CometBFT consensus.timeout_commit of every node.
    #[arg(long, value_parser = parse_duration_text, default_value = "300ms", value_name = "DURATION")]
    pub timeout_commit: String,
    /// CometBFT consensus.timeout_propose of every node.
    #[arg(long, value_parser = parse_duration_text, default_value = "1s", value_name = "DURATION")]
    pub timeout_propose: String,
    /// Chain id of the network.
    #[arg(long, value_parser = parse_chain_id, default_value = "localnet")]
    pub chain_id: String,
    /// Only write the homes; start nothing.
    #[arg(long)]
    pub no_start: bool,
    /// Delete an existing network in DIR and create a new one.
    #[arg(long)]
    pub overwrite: bool,
    /// How long to wait for each node to produce its first block.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub start_timeout: Duration,
    /// `cometbft` flags.
    #[command(flatten)]
    pub cometbft: CometbftArgs,
    /// `genesis` flags.
    #[command(flatten)]
    pub genesis: G,
    /// `output` flags.
    #[command(flatten)]
    pub output: OutputArgs,
}
