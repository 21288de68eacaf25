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
use conclave_node::{Chain, NewNetwork};

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
        address_prefix: "appchain",
        about: "Run and use the appchain chain under CometBFT 0.38",
    };

    fn app() -> AppChain {
        AppChain::default()
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
        Ok(Genesis::for_network(&network.denom, &network.balances).with_validators(&validators, epoch_length))
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
    /// Rewards transactions: claim, withdraw-commission; update-params.
    #[command(subcommand)]
    Rewards(conclave_rewards::cli::TxCommand),
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
        assert_eq!((tx.from.as_str(), tx.gas, tx.output.output), ("bob", Some(9), conclave_client::OutputFormat::Json));
        let one = format!("1{}", appchain::DENOM);
        assert!(parse(&["appchaind", "tx", "bank", "send", "bob", &one]).is_err(), "--from is required");
        assert!(
            parse(&["appchaind", "tx", "staking", "register", &one, "--moniker", "m", "--from", "a"]).is_err(),
            "a consensus key is required"
        );
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--from", "a"]).is_err(), "targets or --clear");
        assert!(parse(&["appchaind", "tx", "voting", "set-votes", "--clear", "--from", "a"]).is_ok());
    }
}
