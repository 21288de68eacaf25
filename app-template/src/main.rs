//! `appchaind`: the app-template chain's node and command-line client. Everything generic
//! (init, start, localnet, keys, the `tx`/`query` plumbing) is `conclave-node`'s; this file
//! names the chain, composes its modules' commands and makes its genesis.
//!
//! `docs/cli.md` documents every command; `docs/running.md` how to run a chain.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use appchain::{AppChain, Genesis, GenesisValidator, Msg};
use conclave_client::{ChainDescription, Prepared, QueryCommand, TxCommand};
use conclave_core::Address;
use conclave_node::{Chain, NewNetwork, NodeOptions};

/// The node's allocator: the store allocates and frees ~100k small objects per block
/// across threads, which glibc's malloc serves slowly (docs/dependencies.md, "mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    conclave_node::run::<AppChainNode>()
}

/// The chain, as the node sees it.
struct AppChainNode;

impl Chain for AppChainNode {
    type App = AppChain;
    type Tx = Tx;
    type Query = Query;
    type GenesisArgs = GenesisArgs;

    const DESCRIPTION: ChainDescription = ChainDescription {
        binary: "appchaind",
        home_env: "APPCHAIN_HOME",
        default_home: ".appchain",
        denom: appchain::DENOM,
        address_prefix: appchain::ADDRESS_PREFIX,
        about: "Run and use the appchain chain under CometBFT 0.38",
    };

    fn app() -> AppChain {
        AppChain::default()
    }

    fn app_for_node(options: &NodeOptions) -> AppChain {
        AppChain::default().allowing_upgrades(options.allowed_upgrades.iter().cloned())
    }

    fn genesis(network: &NewNetwork, args: &GenesisArgs) -> Result<Genesis> {
        let validators: Vec<GenesisValidator> = network
            .validators
            .iter()
            .map(|v| GenesisValidator {
                operator: v.operator,
                consensus_key: v.consensus_key,
                moniker: v.moniker.clone(),
                self_bond: v.self_bond,
            })
            .collect();
        let epoch_length = args.epoch_length.unwrap_or(if network.localnet { 100 } else { 2_880 });
        let mut genesis =
            Genesis::for_network(&network.denom, &network.balances).with_validators(&validators, epoch_length);
        // A local network votes in minutes, not days (deposit period 10 min, voting 2 min).
        let (deposit, voting) = if network.localnet { (600, 120) } else { (14 * 86_400, 7 * 86_400) };
        genesis.governance.params.deposit_period_seconds = deposit;
        genesis.governance.params.voting_period_seconds = args.voting_period.unwrap_or(voting);
        Ok(genesis)
    }

    fn parameter_authority() -> Option<Address> {
        // Parameters change only through governance proposals.
        Some(conclave_governance::authority_address())
    }

    fn localnet_examples() -> Vec<&'static str> {
        vec![
            "{bin} tx bank send bob 100{denom} --from alice --home {home} --node {node}",
            "{bin} query bank balance bob --home {home} --node {node}",
            "{bin} query rotation validators --home {home} --node {node}",
        ]
    }
}

/// Flags of `init` and `localnet` that shape this chain's genesis.
#[derive(Clone, Debug, Args)]
struct GenesisArgs {
    /// Blocks per epoch: the validator set is elected at the end of each (rotation's
    /// `epoch_length`) [default: 2880; 100 for localnet, so it shows rotations within minutes].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "BLOCKS")]
    epoch_length: Option<u64>,
    /// Seconds of block time a governance proposal is voted on (governance's
    /// `voting_period_seconds`) [default: 604800, 7 days; 120 for localnet].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "SECONDS")]
    voting_period: Option<u64>,
}

/// One of this chain's messages as JSON (as `query tx` prints it, e.g.
/// `{"rotation": {"update_params": {"params": {...}}}}`), encoded for a proposal.
fn encode_json_message(json: &serde_json::Value) -> Result<Vec<u8>> {
    let msg: Msg = serde_json::from_value(json.clone())?;
    Ok(borsh::to_vec(&msg)?)
}

/// `tx`: one variant per module with transactions, as in [`Msg`].
#[derive(Debug, Subcommand)]
enum Tx {
    /// Bank transactions.
    #[command(subcommand)]
    Bank(conclave_bank::cli::TxCommand),
    /// Staking transactions (the validator side): register, edit, rotate-key; update-params.
    #[command(subcommand)]
    Staking(conclave_staking::cli::TxCommand),
    /// Voting transactions (the delegator side): vote, unvote, set-votes, redelegate,
    /// undelegate, cancel-unbonding; update-params.
    #[command(subcommand)]
    Voting(conclave_voting::cli::TxCommand),
    /// Rotation transactions: update-params.
    #[command(subcommand)]
    Rotation(conclave_rotation::cli::TxCommand),
    /// Slashing transactions: unjail; update-params.
    #[command(subcommand)]
    Slashing(conclave_slashing::cli::TxCommand),
    /// Rewards transactions: claim, withdraw-commission; update-params,
    /// community-pool-spend.
    #[command(subcommand)]
    Rewards(conclave_rewards::cli::TxCommand),
    /// Upgrade transactions (the parameter authority): schedule, cancel.
    #[command(subcommand)]
    Upgrade(conclave_upgrade::cli::TxCommand),
    /// Governance transactions: submit (a proposal of this chain's authority-only messages,
    /// as hex or JSON), deposit, vote, delegate; update-params.
    #[command(subcommand)]
    Governance(conclave_governance::cli::TxCommand),
}

impl TxCommand for Tx {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        Ok(match self {
            Tx::Bank(command) => command.prepare()?.map(Msg::Bank),
            Tx::Staking(command) => command.prepare()?.map(Msg::Staking),
            Tx::Voting(command) => command.prepare()?.map(Msg::Voting),
            Tx::Rotation(command) => command.prepare()?.map(Msg::Rotation),
            Tx::Slashing(command) => command.prepare()?.map(Msg::Slashing),
            Tx::Rewards(command) => command.prepare()?.map(Msg::Rewards),
            Tx::Upgrade(command) => command.prepare()?.map(Msg::Upgrade),
            Tx::Governance(command) => command.prepare_with(&encode_json_message)?.map(Msg::Governance),
        })
    }
}

/// `query`: one variant per module with queries (`account` and `tx` come with the node).
#[derive(Debug, Subcommand)]
enum Query {
    /// Bank queries.
    #[command(subcommand)]
    Bank(conclave_bank::cli::QueryCommand),
    /// Staking queries: candidates, parameters, pools.
    #[command(subcommand)]
    Staking(conclave_staking::cli::QueryCommand),
    /// Voting queries: vote sets, delegations, unbondings, redelegations, pre-flight checks.
    #[command(subcommand)]
    Voting(conclave_voting::cli::QueryCommand),
    /// Validator-set queries: the current set, a past set, the next election, the epoch.
    #[command(subcommand)]
    Rotation(conclave_rotation::cli::QueryCommand),
    /// Slashing queries: signing info, history, params, unjail pre-flight.
    #[command(subcommand)]
    Slashing(conclave_slashing::cli::QueryCommand),
    /// Rewards queries: pending rewards, a validator's, inflation, community pool, params.
    #[command(subcommand)]
    Rewards(conclave_rewards::cli::QueryCommand),
    /// Upgrade queries: the pending plan, where an upgrade was applied.
    #[command(subcommand)]
    Upgrade(conclave_upgrade::cli::QueryCommand),
    /// Governance queries: proposals, tallies, votes and where they come from, deposits,
    /// delegates, params.
    #[command(subcommand)]
    Governance(conclave_governance::cli::QueryCommand),
}

impl QueryCommand for Query {
    fn run(self) -> Result<()> {
        match self {
            Query::Bank(command) => command.run(),
            Query::Staking(command) => command.run(),
            Query::Voting(command) => command.run(),
            Query::Rotation(command) => command.run(),
            Query::Slashing(command) => command.run(),
            Query::Rewards(command) => command.run(),
            Query::Upgrade(command) => command.run(),
            Query::Governance(command) => command.run(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        conclave_node::command::<AppChainNode>().debug_assert();
    }

    #[test]
    fn tx_commands_share_the_common_flags() {
        let parse = |args: &[&str]| conclave_node::parse::<AppChainNode>(args.iter().copied());
        let cli = parse(&[
            "appchaind",
            "tx",
            "voting",
            "undelegate",
            "alice",
            &format!("5{}", appchain::DENOM),
            "--from",
            "bob",
            "--gas",
            "9",
            "--skip-preflight",
            "-o",
            "json",
        ])
        .unwrap();
        let conclave_node::Command::Tx(command) = cli.command else { panic!("not a tx command") };
        let Tx::Voting(conclave_voting::cli::TxCommand::Undelegate { candidate, amount, preflight, tx }) = *command
        else {
            panic!("not undelegate")
        };
        assert_eq!((candidate.as_str(), amount.amount, preflight.skip_preflight), ("alice", 5, true));
        assert_eq!(
            (tx.from.as_str(), tx.gas, tx.output.output),
            ("bob", Some(conclave_client::Gas::Limit(9)), conclave_client::OutputFormat::Json)
        );
        let one = format!("1{}", appchain::DENOM);
        assert!(parse(&["appchaind", "tx", "bank", "send", "bob", &one]).is_err(), "--from is required");
        assert!(
            parse(&["appchaind", "tx", "staking", "register", &one, "--moniker", "m", "--from", "a"]).is_err(),
            "a consensus key is required"
        );
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--from", "a"]).is_err(), "targets or --clear");
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--clear", "--from", "a"]).is_ok());
    }

    #[test]
    fn upgrade_and_spend_commands_parse() {
        let parse = |args: &[&str]| conclave_node::parse::<AppChainNode>(args.iter().copied());
        let cli =
            parse(&["appchaind", "tx", "upgrade", "schedule", "v2", "--height", "120", "--info", "i", "--from", "a"])
                .unwrap();
        let conclave_node::Command::Tx(command) = cli.command else { panic!("not a tx command") };
        let Tx::Upgrade(conclave_upgrade::cli::TxCommand::Schedule { name, height, info, .. }) = *command else {
            panic!("not schedule")
        };
        assert_eq!((name.as_str(), height, info.as_str()), ("v2", 120, "i"));
        assert!(parse(&["appchaind", "tx", "upgrade", "schedule", "v 2", "--height", "9", "--from", "a"]).is_err());
        assert!(parse(&["appchaind", "tx", "upgrade", "schedule", "v2", "--from", "a"]).is_err(), "--height");
        assert!(parse(&["appchaind", "tx", "upgrade", "cancel", "--from", "a"]).is_ok());
        assert!(parse(&["appchaind", "query", "upgrade", "applied", "v2"]).is_ok());
        let one = format!("1{}", appchain::DENOM);
        assert!(parse(&["appchaind", "tx", "rewards", "community-pool-spend", "bob", &one, "--from", "a"]).is_ok());
        assert!(parse(&["appchaind", "tx", "rewards", "community-pool-spend", "bob", "0stake", "--from", "a"]).is_err());

        let cli = parse(&["appchaind", "start", "--allow-upgrade", "v2", "--allow-upgrade", "v3"]).unwrap();
        let conclave_node::Command::Start(args) = cli.command else { panic!("not start") };
        assert_eq!(args.allow_upgrades, ["v2", "v3"]);
    }
}
