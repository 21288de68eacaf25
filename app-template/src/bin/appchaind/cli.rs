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
    Tx(Box<TxCommand>),
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
    /// Blocks per epoch: the validator set is elected at the end of each (rotation's
    /// `epoch_length`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), default_value_t = 2_880, value_name = "BLOCKS")]
    pub(crate) epoch_length: u64,
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
    /// Blocks per epoch: the validator set is elected at the end of each (rotation's
    /// `epoch_length`; short, so a local network shows rotations within minutes).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), default_value_t = 100, value_name = "BLOCKS")]
    pub(crate) epoch_length: u64,
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
    /// Staking transactions (the validator side): register, edit, rotate-key.
    #[command(subcommand)]
    Staking(TxStakingCommand),
    /// Voting transactions (the delegator side): vote, unvote, set-votes, redelegate,
    /// undelegate, cancel-unbonding.
    #[command(subcommand)]
    Voting(TxVotingCommand),
}

/// `appchaind tx bank`.
#[derive(Debug, Subcommand)]
pub(crate) enum TxBankCommand {
    /// Send AMOUNT from the --from key to TO; waits until the transaction is in a block.
    Send {
        /// Recipient: an address (40 hex characters) or a key name.
        to: String,
        /// Amount and denomination, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        tx: TxArgs,
    },
}

/// Flags of every command that talks to a node.
#[derive(Clone, Debug, Args)]
pub(crate) struct NodeArgs {
    /// CometBFT RPC endpoint of a node.
    #[arg(long, default_value = DEFAULT_NODE, value_name = "URL")]
    pub(crate) node: String,
}

/// Flags shared by every `tx` command: who signs, what it pays, where it goes, how to wait.
#[derive(Clone, Debug, Args)]
pub(crate) struct TxArgs {
    /// Name of the signing key (see `appchaind keys list`).
    #[arg(long, value_name = "KEY", value_parser = parse_key_name)]
    pub(crate) from: String,
    /// Fee paid in full, at least gas × min_gas_price [default: gas / 1000 stake, rounded up,
    /// which is what the default min_gas_price of 1/1000 asks].
    #[arg(long, value_parser = parse_coin, value_name = "COIN")]
    pub(crate) fee: Option<Coin>,
    /// Gas limit [default: 200000 for bank, 400000 for staking and voting, 200000 + 50000 per
    /// target for set-votes].
    #[arg(long, value_name = "GAS")]
    pub(crate) gas: Option<u64>,
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
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) keyring: KeyringArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// A consensus key: given, or read from a CometBFT `priv_validator_key.json`.
#[derive(Clone, Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct ConsensusKeyArgs {
    /// The ed25519 consensus public key: 64 hex characters, or base64 as in CometBFT's
    /// `priv_validator_key.json` (`pub_key.value`).
    #[arg(long, value_parser = parse_consensus_key, value_name = "KEY")]
    pub(crate) consensus_key: Option<[u8; 32]>,
    /// Read the public key from a CometBFT key file, e.g. HOME/config/priv_validator_key.json.
    #[arg(long, value_name = "PATH")]
    pub(crate) consensus_key_file: Option<PathBuf>,
}

/// `appchaind tx staking`.
#[derive(Debug, Subcommand)]
pub(crate) enum TxStakingCommand {
    /// Register the --from account as a candidate, bonding SELF_BOND from its balance.
    Register(RegisterArgs),
    /// Edit the --from account's candidate: description fields (others are kept) and/or the
    /// commission rate (at most once per 24 h, by at most the max change).
    Edit(EditArgs),
    /// Rotate the --from account's candidate to a new consensus key (pending until the next
    /// epoch; a key can never be used twice).
    RotateKey {
        #[command(flatten)]
        key: ConsensusKeyArgs,
        #[command(flatten)]
        tx: TxArgs,
    },
}

/// `appchaind tx staking register`.
#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// Self-bond in the bond denomination, e.g. 1000000stake (at least params.min_self_bond).
    #[arg(value_parser = parse_positive_coin)]
    pub(crate) self_bond: Coin,
    #[command(flatten)]
    pub(crate) key: ConsensusKeyArgs,
    /// Display name (1 to 70 bytes).
    #[arg(long)]
    pub(crate) moniker: String,
    /// Identity, e.g. a keybase id.
    #[arg(long, default_value = "")]
    pub(crate) identity: String,
    /// Web site.
    #[arg(long, default_value = "")]
    pub(crate) website: String,
    /// Free text.
    #[arg(long, default_value = "")]
    pub(crate) details: String,
    /// Commission rate, a decimal percentage: 10, 7.5, 0.25% (at least params.min_commission).
    #[arg(long, value_parser = parse_percent, default_value = "10", value_name = "PERCENT")]
    pub(crate) commission_rate: u64,
    /// Highest commission rate ever, a percentage; fixed at registration.
    #[arg(long, value_parser = parse_percent, default_value = "20", value_name = "PERCENT")]
    pub(crate) commission_max_rate: u64,
    /// Largest change of the rate per edit, a percentage; fixed at registration.
    #[arg(long, value_parser = parse_percent, default_value = "1", value_name = "PERCENT")]
    pub(crate) commission_max_change_rate: u64,
    #[command(flatten)]
    pub(crate) tx: TxArgs,
}

/// `appchaind tx staking edit`.
#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// New display name.
    #[arg(long)]
    pub(crate) moniker: Option<String>,
    /// New identity.
    #[arg(long)]
    pub(crate) identity: Option<String>,
    /// New web site.
    #[arg(long)]
    pub(crate) website: Option<String>,
    /// New free text.
    #[arg(long)]
    pub(crate) details: Option<String>,
    /// New commission rate, a decimal percentage.
    #[arg(long, value_parser = parse_percent, value_name = "PERCENT")]
    pub(crate) commission_rate: Option<u64>,
    #[command(flatten)]
    pub(crate) tx: TxArgs,
}

/// `--skip-preflight`.
#[derive(Clone, Copy, Debug, Args)]
pub(crate) struct PreflightArgs {
    /// Send without asking the node first whether the operation would pass (by default a
    /// refusal is reported before any fee is spent).
    #[arg(long)]
    pub(crate) skip_preflight: bool,
}

/// `appchaind tx voting`. Candidates are operator addresses or key names; amounts are in
/// the bond denomination, e.g. 100stake.
#[derive(Debug, Subcommand)]
pub(crate) enum TxVotingCommand {
    /// Bond AMOUNT more from the --from account's balance to CANDIDATE.
    Vote {
        /// The candidate: operator address or key name.
        candidate: String,
        /// Tokens to add, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Remove CANDIDATE from the vote set: undelegate the whole stake there (it unbonds).
    Unvote {
        /// The candidate: operator address or key name.
        candidate: String,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace the whole vote set at once with CANDIDATE=AMOUNT targets (decreases are
    /// redelegated to increases, the rest unbonds or is bonded from the balance).
    SetVotes {
        /// Targets, e.g. alice=100stake 0a1b...=50stake; candidates not listed are removed.
        #[arg(value_parser = parse_vote_target, value_name = "CANDIDATE=AMOUNT", required_unless_present = "clear")]
        votes: Vec<(String, Coin)>,
        /// Remove every vote (an empty vote set).
        #[arg(long, conflicts_with = "votes")]
        clear: bool,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Move AMOUNT of stake from SOURCE to DESTINATION at once.
    Redelegate {
        /// Where the stake leaves: operator address or key name.
        source: String,
        /// Where it goes: operator address or key name.
        destination: String,
        /// Tokens to move, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        preflight: PreflightArgs,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Start unbonding AMOUNT of the stake at CANDIDATE (paid out after the unbonding period).
    Undelegate {
        /// The candidate: operator address or key name.
        candidate: String,
        /// Tokens to unbond, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        preflight: PreflightArgs,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Return AMOUNT of unbonding entry ID to its candidate (see `query voting unbondings`).
    CancelUnbonding {
        /// The unbonding entry id.
        id: u64,
        /// Tokens to return, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        preflight: PreflightArgs,
        #[command(flatten)]
        tx: TxArgs,
    },
}

/// Flags of every `query` command that reads state.
#[derive(Clone, Debug, Args)]
pub(crate) struct QueryArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) keyring: KeyringArgs,
    /// Height to read at [default: latest].
    #[arg(long, default_value_t = 0)]
    pub(crate) height: u64,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `--start-after` and `--limit` of paginated listings.
#[derive(Clone, Debug, Args)]
pub(crate) struct PageArgs {
    /// Start after this item (the `next` cursor the previous page printed).
    #[arg(long, value_name = "CURSOR")]
    pub(crate) start_after: Option<String>,
    /// Items per page, 1 to 200 [default: 50].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub(crate) limit: Option<u32>,
}

/// A candidate status (`query staking candidates --status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusArg {
    /// Registered, not in the active set.
    Candidate,
    /// In the active set.
    Active,
    /// Jailed.
    Jailed,
    /// Tombstoned.
    Tombstoned,
    /// Self-bond below the minimum.
    Exited,
}

/// `appchaind query staking` (paths `staking/...`).
#[derive(Debug, Subcommand)]
pub(crate) enum QueryStakingCommand {
    /// A candidate, with its power and self-bond (`staking/candidate`).
    Candidate {
        /// Operator address or key name.
        candidate: String,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Eligible candidates by power, descending (`staking/candidates_by_power`), or with
    /// --status those of one status by operator (`staking/candidates_by_status`).
    Candidates {
        /// Only candidates with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Staking parameters (`staking/params`).
    Params {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Bonded, unbonded and unbonding pool balances (`staking/pools`).
    Pools {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The operator that registered a consensus key, if any (`staking/key_owner`).
    KeyOwner {
        /// The key: 64 hex characters or base64.
        #[arg(value_parser = parse_consensus_key)]
        key: [u8; 32],
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight: may CANDIDATE's operator make this edit now, and if not, why and from when
    /// (`staking/can_edit`).
    CanEdit {
        /// Operator address or key name.
        candidate: String,
        /// The new commission rate, a decimal percentage.
        #[arg(long, value_parser = parse_percent, value_name = "PERCENT")]
        commission_rate: Option<u64>,
        /// A new moniker (the other description fields empty).
        #[arg(long)]
        moniker: Option<String>,
        #[command(flatten)]
        query: QueryArgs,
    },
}

/// `appchaind query voting` (paths `voting/...`, and the ledger's `staking/...`).
#[derive(Debug, Subcommand)]
pub(crate) enum QueryVotingCommand {
    /// Voting parameters (`voting/params`).
    Params {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's vote set with current values (`staking/vote_set`).
    Votes {
        /// Delegator address or key name.
        delegator: String,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Delegations to a candidate, by delegator (`staking/delegations`).
    Delegations {
        /// Candidate operator address or key name.
        candidate: String,
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's pending unbondings (`staking/unbondings`).
    Unbondings {
        /// Delegator address or key name.
        delegator: String,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's pending redelegations (`staking/redelegations`).
    Redelegations {
        /// Delegator address or key name.
        delegator: String,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting vote` (`voting/can_vote`).
    CanVote {
        /// Delegator address or key name.
        delegator: String,
        /// Candidate operator address or key name.
        candidate: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting undelegate` (`voting/can_undelegate`).
    CanUndelegate {
        /// Delegator address or key name.
        delegator: String,
        /// Candidate operator address or key name.
        candidate: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting redelegate` (`voting/can_redelegate`).
    CanRedelegate {
        /// Delegator address or key name.
        delegator: String,
        /// Source candidate.
        source: String,
        /// Destination candidate.
        destination: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting cancel-unbonding` (`voting/can_cancel`).
    CanCancel {
        /// Delegator address or key name.
        delegator: String,
        /// Unbonding entry id.
        id: u64,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        #[command(flatten)]
        query: QueryArgs,
    },
}

/// `appchaind query rotation` (paths `rotation/...`).
#[derive(Debug, Subcommand)]
pub(crate) enum QueryRotationCommand {
    /// The validator set last sent to CometBFT, with each member's capped power and vote
    /// weight, and the height it signs from (`rotation/validators`).
    Validators {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The set that signed (or signs) block SIGNING_HEIGHT (`rotation/validators_at`).
    ValidatorsAt {
        /// The block height whose signers to show (not the height to read state at: that is
        /// --height).
        signing_height: u64,
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Who would be elected if the epoch ended now, with capped powers
    /// (`rotation/preview`).
    Preview {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The epoch of the next block: number, first and last height, and when its set would
    /// start signing (`rotation/epoch`).
    Epoch {
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Rotation parameters (`rotation/params`).
    Params {
        #[command(flatten)]
        query: QueryArgs,
    },
}

/// `appchaind query`.
#[derive(Debug, Subcommand)]
pub(crate) enum QueryCommand {
    /// Bank queries.
    #[command(subcommand)]
    Bank(QueryBankCommand),
    /// Staking queries: candidates, parameters, pools.
    #[command(subcommand)]
    Staking(QueryStakingCommand),
    /// Voting queries: vote sets, delegations, unbondings, redelegations, pre-flight checks.
    #[command(subcommand)]
    Voting(QueryVotingCommand),
    /// Validator-set queries: the current set, a past set, the next election, the epoch.
    #[command(subcommand)]
    Rotation(QueryRotationCommand),
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
        /// Transaction hash (64 hex characters, as `tx` commands print it).
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

/// Parses a decimal percentage exactly into parts per billion (1 % = 10 000 000 ppb): `10`,
/// `7.5`, `0.0000001`, `12.5%`. No floats: the digits are scaled as integers; more than 7
/// decimals (finer than 1 ppb) is refused, never rounded.
pub(crate) fn parse_percent(text: &str) -> Result<u64, String> {
    const DECIMALS: usize = 7;
    let err =
        |why: &str| format!("invalid percentage {text:?}: {why}; write a decimal between 0 and 100, e.g. 10 or 7.5");
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err("only digits and one '.' are allowed"));
    }
    if number.ends_with('.') {
        return Err(err("a '.' must be followed by digits"));
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > DECIMALS {
        return Err(err("at most 7 decimals (1 part per billion)"));
    }
    let whole: u64 = whole.trim_start_matches('0').parse().or_else(|_| {
        if whole.bytes().all(|b| b == b'0') {
            Ok(0)
        } else {
            Err(err("too large"))
        }
    })?;
    let padded = format!("{fraction:0<DECIMALS$}");
    let fraction: u64 = padded.parse().map_err(|_| err("bad decimals"))?;
    let ppb = whole.checked_mul(10_000_000).and_then(|w| w.checked_add(fraction)).ok_or_else(|| err("too large"))?;
    if ppb > 1_000_000_000 {
        return Err(err("more than 100"));
    }
    Ok(ppb)
}

/// Parses an ed25519 public key: 64 hex characters, or standard base64 of 32 bytes.
pub(crate) fn parse_consensus_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    let bytes = if text.len() == 64 { crate::encoding::unhex(text) } else { crate::encoding::unbase64(text) };
    bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
        format!("{text:?} is not an ed25519 public key: give 64 hex characters or base64 (pub_key.value of priv_validator_key.json), or use --consensus-key-file")
    })
}

/// Parses `CANDIDATE=AMOUNT` (a set-votes target).
pub(crate) fn parse_vote_target(text: &str) -> Result<(String, Coin), String> {
    let (candidate, amount) =
        text.split_once('=').ok_or_else(|| format!("{text:?} is not CANDIDATE=AMOUNT; write e.g. alice=100stake"))?;
    if candidate.is_empty() {
        return Err(format!("{text:?} has no candidate; write e.g. alice=100stake"));
    }
    Ok((candidate.to_string(), parse_positive_coin(amount)?))
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
    fn percentages_are_exact() {
        assert_eq!(parse_percent("10"), Ok(100_000_000));
        assert_eq!(parse_percent("7.5"), Ok(75_000_000));
        assert_eq!(parse_percent("12.5%"), Ok(125_000_000));
        assert_eq!(parse_percent("0.0000001"), Ok(1));
        assert_eq!(parse_percent("0.10000000"), Ok(1_000_000));
        assert_eq!(parse_percent("100"), Ok(1_000_000_000));
        assert_eq!(parse_percent("0"), Ok(0));
        assert_eq!(parse_percent("000.5"), Ok(5_000_000));
        for bad in
            ["100.0000001", "101", "0.00000001", "", ".5", "5.", "1e2", "-1", "1.2.3", "ten", "99999999999999999999"]
        {
            let err = parse_percent(bad).unwrap_err();
            assert!(err.contains("e.g. 10 or 7.5"), "{bad}: {err}");
        }
    }

    #[test]
    fn consensus_keys_and_vote_targets() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_consensus_key(&hex), Ok([0xab; 32]));
        // base64 of 32 bytes of 0xab.
        assert_eq!(parse_consensus_key("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="), Ok([0xab; 32]));
        assert!(parse_consensus_key("abcd").unwrap_err().contains("--consensus-key-file"));
        let (who, coin) = parse_vote_target("alice=100stake").unwrap();
        assert_eq!((who.as_str(), coin.amount, coin.denom.as_str()), ("alice", 100, "stake"));
        assert!(parse_vote_target("alice").unwrap_err().contains("alice=100stake"));
        assert!(parse_vote_target("=1stake").is_err());
        assert!(parse_vote_target("alice=0stake").unwrap_err().contains("positive"));
    }

    #[test]
    fn tx_commands_share_the_common_flags() {
        let parse = |args: &[&str]| Cli::try_parse_from(args.iter().copied());
        let cli = parse(&[
            "appchaind",
            "tx",
            "voting",
            "undelegate",
            "alice",
            "5stake",
            "--from",
            "bob",
            "--gas",
            "9",
            "--skip-preflight",
            "-o",
            "json",
        ])
        .unwrap();
        let Command::Tx(command) = cli.command else { panic!("not a tx command") };
        match *command {
            TxCommand::Voting(TxVotingCommand::Undelegate { candidate, amount, preflight, tx }) => {
                assert_eq!((candidate.as_str(), amount.amount, preflight.skip_preflight), ("alice", 5, true));
                assert_eq!((tx.from.as_str(), tx.gas, tx.output.output), ("bob", Some(9), OutputFormat::Json));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["appchaind", "tx", "bank", "send", "bob", "1stake"]).is_err(), "--from is required");
        assert!(
            parse(&["appchaind", "tx", "staking", "register", "1stake", "--moniker", "m", "--from", "a"]).is_err(),
            "a consensus key is required"
        );
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--from", "a"]).is_err(), "targets or --clear");
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--clear", "--from", "a"]).is_ok());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("1.5s").is_err());
        assert!(parse_duration("10").is_err());
    }
}
