//! The command line: every command, flag and default (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use conclave_core::Coin;

/// Default CometBFT RPC endpoint (node0 of a local network, or a single node).
pub(crate) const DEFAULT_NODE: &str = "http://127.0.0.1:26657";

/// `appchaind`: run and use a Conclave appchain under CometBFT 0.38.
#[derive(Debug, Parser)]
#[command(
    name = "appchaind",
    version,
    propagate_version = true,
    about = "Run and use a Conclave appchain under CometBFT 0.38 (docs/cli.md, docs/running.md)"
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a node home: CometBFT config and keys, genesis with a funded account, app.toml.
    Init(InitArgs),
    /// Serve the chain over ABCI (optionally starting and supervising CometBFT too).
    Start(StartArgs),
    /// Create and run a local network of 1 to 16 validators on 127.0.0.1.
    Localnet(LocalnetArgs),
    /// Manage account keys (ed25519, one owner-only file per key).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Sign and broadcast transactions through a node's CometBFT RPC.
    #[command(subcommand)]
    Tx(TxCommand),
    /// Read chain state and transactions through a node's CometBFT RPC.
    #[command(subcommand)]
    Query(QueryCommand),
}

/// How data is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// `--output`.
#[derive(Clone, Copy, Debug, Args)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,
}

/// Where the `cometbft` binary is.
#[derive(Clone, Debug, Args)]
pub(crate) struct CometbftArgs {
    /// The cometbft binary [default: `cometbft` on PATH, then ~/go/bin/cometbft].
    #[arg(long, env = "COMETBFT", value_name = "PATH")]
    pub(crate) cometbft: Option<PathBuf>,
}

/// `--home`.
#[derive(Clone, Debug, Args)]
pub(crate) struct HomeArgs {
    /// The node home directory [default: $APPCHAIN_HOME, then ~/.appchain].
    #[arg(long, env = "APPCHAIN_HOME", value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,
}

/// Where keys are: `--keyring-dir DIR`, or `HOME/keys`.
#[derive(Clone, Debug, Args)]
pub(crate) struct KeyringArgs {
    /// The home directory whose keys/ folder holds the keys (a node home, or a localnet --dir)
    /// [default: $APPCHAIN_HOME, then ~/.appchain].
    #[arg(long, env = "APPCHAIN_HOME", value_name = "DIR")]
    pub(crate) home: Option<PathBuf>,
    /// The key folder itself (overrides --home).
    #[arg(long, value_name = "DIR")]
    pub(crate) keyring_dir: Option<PathBuf>,
}

/// `appchaind init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    /// The chain id written into genesis.json (1 to 50 characters).
    #[arg(long, value_parser = parse_chain_id)]
    pub(crate) chain_id: String,
    /// This node's name, shown to its peers.
    #[arg(long, value_parser = parse_moniker)]
    pub(crate) moniker: String,
    /// Replace an existing home (its config, data and keys are deleted).
    #[arg(long)]
    pub(crate) overwrite: bool,
    #[command(flatten)]
    pub(crate) cometbft: CometbftArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `appchaind start`.
#[derive(Debug, Args)]
pub(crate) struct StartArgs {
    #[command(flatten)]
    pub(crate) home: HomeArgs,
    /// Also start `cometbft start --home DIR` once the ABCI socket listens, and supervise it
    /// (its output goes to DIR/cometbft.log).
    #[arg(long)]
    pub(crate) with_cometbft: bool,
    /// How long to wait for cometbft to stop after SIGTERM before killing it.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub(crate) stop_timeout: Duration,
    /// Stop when the parent process exits (used by `localnet` for its children).
    #[arg(long, hide = true)]
    pub(crate) exit_with_parent: bool,
    #[command(flatten)]
    pub(crate) cometbft: CometbftArgs,
}

/// `appchaind localnet`.
#[derive(Debug, Args)]
pub(crate) struct LocalnetArgs {
    /// Number of validators, 1 to 16 [default: 4, or the existing network's].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=16), value_name = "N")]
    pub(crate) validators: Option<u16>,
    /// Directory of the network: node0..nodeN-1 homes, keys/, localnet.json.
    /// An existing network there is started again (resumed) unless --overwrite.
    #[arg(long, value_name = "DIR", default_value = "localnet")]
    pub(crate) dir: PathBuf,
    /// First port: node i uses P+10i for P2P and P+10i+1 for RPC.
    #[arg(long, value_name = "P", default_value_t = 26656, value_parser = clap::value_parser!(u16).range(1024..))]
    pub(crate) base_port: u16,
    /// CometBFT consensus.timeout_commit of every node.
    #[arg(long, value_parser = parse_duration_text, default_value = "300ms", value_name = "DURATION")]
    pub(crate) timeout_commit: String,
    /// CometBFT consensus.timeout_propose of every node.
    #[arg(long, value_parser = parse_duration_text, default_value = "1s", value_name = "DURATION")]
    pub(crate) timeout_propose: String,
    /// Chain id of the network.
    #[arg(long, value_parser = parse_chain_id, default_value = "localnet")]
    pub(crate) chain_id: String,
    /// Only write the homes; start nothing.
    #[arg(long)]
    pub(crate) no_start: bool,
    /// Delete an existing network in DIR and create a new one.
    #[arg(long)]
    pub(crate) overwrite: bool,
    /// How long to wait for each node to produce its first block.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub(crate) start_timeout: Duration,
    #[command(flatten)]
    pub(crate) cometbft: CometbftArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `appchaind keys`.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a new key NAME (a file keys/NAME.json readable by the owner only).
    Add {
        /// Key name: 1 to 64 of a-z, A-Z, 0-9, '-', '_'.
        #[arg(value_parser = parse_key_name)]
        name: String,
        #[command(flatten)]
        keyring: KeyringArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// List the keys, by name.
    List {
        #[command(flatten)]
        keyring: KeyringArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Show a key's address and public key.
    Show {
        /// Key name.
        name: String,
        /// Print only the address.
        #[arg(long)]
        address: bool,
        #[command(flatten)]
        keyring: KeyringArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `appchaind tx`.
#[derive(Debug, Subcommand)]
pub(crate) enum TxCommand {
    /// Bank transactions.
    #[command(subcommand)]
    Bank(TxBankCommand),
}

/// `appchaind tx bank`.
#[derive(Debug, Subcommand)]
pub(crate) enum TxBankCommand {
    /// Send AMOUNT from key FROM to TO; waits until the transaction is in a block.
    Send(SendArgs),
}

/// Flags of every command that talks to a node.
#[derive(Clone, Debug, Args)]
pub(crate) struct NodeArgs {
    /// CometBFT RPC endpoint of a node.
    #[arg(long, default_value = DEFAULT_NODE, value_name = "URL")]
    pub(crate) node: String,
}

/// `appchaind tx bank send`.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// Name of the sender's key.
    pub(crate) from: String,
    /// Recipient: an address (40 hex characters) or a key name.
    pub(crate) to: String,
    /// Amount and denomination, e.g. 100stake.
    #[arg(value_parser = parse_positive_coin)]
    pub(crate) amount: Coin,
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) keyring: KeyringArgs,
    /// Fee paid in full (at least gas × min_gas_price, 1/1000 by default).
    #[arg(long, value_parser = parse_coin, default_value = "200stake")]
    pub(crate) fee: Coin,
    /// Gas limit.
    #[arg(long, default_value_t = 200_000)]
    pub(crate) gas: u64,
    /// Free text attached to the transaction.
    #[arg(long, default_value = "")]
    pub(crate) memo: String,
    /// Chain id [default: the node's, from /status].
    #[arg(long)]
    pub(crate) chain_id: Option<String>,
    /// Nonce [default: the account's next nonce, from the node].
    #[arg(long)]
    pub(crate) nonce: Option<u64>,
    /// How long to wait for the transaction to be included in a block.
    #[arg(long, value_parser = parse_duration, default_value = "30s", value_name = "DURATION")]
    pub(crate) timeout: Duration,
    /// Return once CheckTx accepts the transaction, without waiting for a block.
    #[arg(long)]
    pub(crate) no_wait: bool,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `appchaind query`.
#[derive(Debug, Subcommand)]
pub(crate) enum QueryCommand {
    /// Bank queries.
    #[command(subcommand)]
    Bank(QueryBankCommand),
    /// An account's next nonce.
    Account {
        /// Address (40 hex characters) or key name.
        address: String,
        #[command(flatten)]
        node: NodeArgs,
        #[command(flatten)]
        keyring: KeyringArgs,
        /// Height to read at [default: latest].
        #[arg(long, default_value_t = 0)]
        height: u64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// A transaction by hash, with its result and decoded body.
    Tx {
        /// Transaction hash (64 hex characters, as `tx bank send` prints it).
        hash: String,
        #[command(flatten)]
        node: NodeArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `appchaind query bank`.
#[derive(Debug, Subcommand)]
pub(crate) enum QueryBankCommand {
    /// An account's balance in one denomination.
    Balance {
        /// Address (40 hex characters) or key name.
        address: String,
        /// Denomination.
        #[arg(long, default_value = "stake")]
        denom: String,
        #[command(flatten)]
        node: NodeArgs,
        #[command(flatten)]
        keyring: KeyringArgs,
        /// Height to read at [default: latest].
        #[arg(long, default_value_t = 0)]
        height: u64,
        #[command(flatten)]
        output: OutputArgs,
    },
}

fn parse_chain_id(text: &str) -> Result<String, String> {
    let ok = (1..=50).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 50 characters of a-z, A-Z, 0-9, '-', '_', '.'".into())
    }
}

fn parse_moniker(text: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&text.len()) && !text.chars().any(|c| c.is_control() || c == '"');
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 64 printable characters without quotes".into())
    }
}

/// Key names: `[A-Za-z0-9_-]{1,64}` (they become file names).
pub(crate) fn parse_key_name(text: &str) -> Result<String, String> {
    let ok =
        (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(text.to_string())
    } else {
        Err("use 1 to 64 characters of a-z, A-Z, 0-9, '-', '_'".into())
    }
}

fn parse_coin(text: &str) -> Result<Coin, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} has no denomination: write it like {text}stake"));
    }
    text.parse::<Coin>()
}

fn parse_positive_coin(text: &str) -> Result<Coin, String> {
    let coin = parse_coin(text)?;
    if coin.amount == 0 {
        return Err("the amount must be positive, e.g. 100stake".into());
    }
    Ok(coin)
}

/// Parses `300ms`, `1s`, `2m` (what CometBFT's config accepts, restricted to integers).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let err = || format!("invalid duration {text:?}: use a whole number with ms, s or m, e.g. 300ms or 1s");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().map_err(|_| err())?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        "m" => value.checked_mul(60).map(Duration::from_secs).ok_or_else(err),
        _ => Err(err()),
    }
}

fn parse_duration_text(text: &str) -> Result<String, String> {
    parse_duration(text).map(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("10").is_err());
    }
}
