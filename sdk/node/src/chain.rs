//! What a chain gives the node: its app, its names, its commands and how its genesis is made.

use std::fmt::Debug;

use anyhow::Result;
use serde::Serialize;

use conclave_client::{ChainDescription, QueryCommand, TxCommand};
use conclave_core::Address;
use conclave_runtime::App;

/// A chain, as `conclave_node::run` needs it. Everything else (init, start, localnet, keys,
/// the generic `tx` and `query` plumbing) is the SDK's.
pub trait Chain: 'static {
    /// The state machine.
    type App: App<Msg: Serialize> + Clone + Sync;
    /// The chain's `tx` subcommands (its modules' commands, composed).
    type Tx: TxCommand<Msg = <Self::App as App>::Msg> + Debug;
    /// The chain's module `query` subcommands (`account` and `tx` are added by the SDK).
    type Query: QueryCommand + Debug;
    /// Flags of `init` and `localnet` that shape the chain's genesis (e.g. rotation's
    /// `--epoch-length`); `clap::Args` of a unit-like struct if none.
    type GenesisArgs: clap::Args + Clone + Debug;

    /// The binary's names and denomination.
    const DESCRIPTION: ChainDescription;

    /// A new instance of the app (one per node process).
    fn app() -> Self::App;

    /// The app `start` serves, given the node's local options (`start --allow-upgrade`).
    /// By default [`Chain::app`], ignoring them; a chain with an upgrade module overrides it
    /// to let the node execute the upgrades its operator allowed.
    fn app_for_node(options: &NodeOptions) -> Self::App {
        let _ = options;
        Self::app()
    }

    /// The genesis `app` section of a new network: `accounts` funded, `validators`
    /// registered so that the app elects them as the genesis set.
    fn genesis(network: &NewNetwork, args: &Self::GenesisArgs) -> Result<<Self::App as App>::Genesis>;

    /// The parameter authority (`runtime.authority`) of a new network's genesis: the one
    /// account whose `UpdateParams` (and other authority-only) messages the modules accept.
    /// `None` (the default): the network's first account (`init`'s validator key, localnet's
    /// alice), for chains without governance. A chain with a governance module returns its
    /// module account, so that parameters change only through proposals.
    fn parameter_authority() -> Option<Address> {
        None
    }

    /// Commands `localnet` prints as a start (with `{bin}`, `{home}`, `{node}` and `{denom}`
    /// replaced); by default a bank transfer and a balance query.
    fn localnet_examples() -> Vec<&'static str> {
        vec![
            "{bin} tx bank send bob 100{denom} --from alice --home {home} --node {node}",
            "{bin} query bank balance bob --home {home} --node {node}",
        ]
    }
}

/// Node-local options of `start` that the app may need. They are the operator's, not the
/// chain's: two nodes of one network may differ here (and must not diverge because of it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeOptions {
    /// Upgrade names given with `--allow-upgrade NAME`: the node may execute these scheduled
    /// upgrades at their height without a migration registered in code, instead of stopping.
    pub allowed_upgrades: Vec<String>,
}

/// What `init` and `localnet` put into a new network's genesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNetwork {
    /// The chain's denomination (fees, balances, bonds).
    pub denom: String,
    /// Funded accounts and their balances in `denom` (each validator operator included once).
    pub balances: Vec<(Address, u128)>,
    /// The validators the genesis must elect.
    pub validators: Vec<NewValidator>,
    /// Whether this is a `localnet` (short epochs and periods suit it) rather than `init`.
    pub localnet: bool,
}

/// A node that starts as a validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewValidator {
    /// Its operator account (funded in `balances` with at least `self_bond`).
    pub operator: Address,
    /// `pub_key.value` of the node's `priv_validator_key.json` (ed25519).
    pub consensus_key: [u8; 32],
    /// The node's moniker.
    pub moniker: String,
    /// The self-bond to register with, in the denomination.
    pub self_bond: u128,
}

/// `GenesisArgs` of a chain whose genesis takes no flags.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct NoGenesisArgs {}
