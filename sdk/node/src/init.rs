//! `init`: one validator home, ready for `<binary> start --with-cometbft`.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde_json::json;

use conclave_client::keys::{Keyring, NewKey, Passphrase};
use conclave_client::output::print;

use crate::chain::{Chain, NewValidator};
use crate::cli::InitArgs;
use crate::cometbft::{self, ConfigToml};
use crate::genesis::{consensus_key_of, edit_genesis, ChainGenesis, GENESIS_BALANCE, GENESIS_SELF_BOND};
use crate::home::{AppConfig, Home};

/// Name of the funded account key `init` creates: the operator of this node's validator,
/// registered in genesis with a self-bond.
pub(crate) const VALIDATOR_KEY: &str = "validator";

/// Runs `init`.
pub(crate) fn run<C: Chain>(args: InitArgs<C::GenesisArgs>) -> Result<ExitCode> {
    let home = Home::from_arg(args.home.home.as_deref())?;
    if home.is_populated() {
        if !args.overwrite {
            bail!(
                "{} already holds a node home; pass --overwrite to replace it (its config, data and keys are deleted) or choose another --home",
                home.root().display()
            );
        }
        home.clear()?;
    }
    let socket = home.socket_address()?;
    let cometbft = cometbft::locate(args.cometbft.cometbft.as_deref())?;
    std::fs::create_dir_all(home.root()).with_context(|| format!("cannot create {}", home.root().display()))?;
    // The key before CometBFT's files: a missing passphrase leaves no half-made home.
    let passphrase = Passphrase::from_file_arg(args.keyring.keyring_passphrase_file.as_ref());
    let keyring = Keyring::open(home.keys_dir(), args.keyring.keyring_backend, passphrase)?;
    let NewKey { info: key, mnemonic } = keyring.add(VALIDATOR_KEY)?;

    cometbft::init(&cometbft, home.root())?;
    let node_id = cometbft::node_id(&cometbft, home.root())?;

    let validator = NewValidator {
        operator: key.address,
        consensus_key: consensus_key_of(&home.config_dir().join("priv_validator_key.json"))?,
        moniker: args.moniker.clone(),
        self_bond: GENESIS_SELF_BOND,
    };
    let chain = ChainGenesis { accounts: vec![key.address], validators: vec![validator], authority: key.address };
    edit_genesis::<C>(&home.genesis(), &args.chain_id, chain.app_state::<C>(&args.genesis, false)?)?;

    let mut config = ConfigToml::load(&home.config_toml())?;
    config
        .set("", "proxy_app", socket.as_str())?
        .set("", "moniker", args.moniker.as_str())?
        .set("", "abci", "socket")?;
    config.save()?;
    AppConfig::new(socket).write(&home)?;

    conclave_client::say!(
        "Write down the mnemonic of key \"{VALIDATOR_KEY}\" and keep it secret: it is the only way to recover the operator account, and it is not shown again."
    );
    let denom = C::DESCRIPTION.denom;
    print(
        args.output.output,
        &vec![
            ("home", json!(home.root())),
            ("chain_id", json!(args.chain_id)),
            ("moniker", json!(args.moniker)),
            ("node_id", json!(node_id)),
            ("account", json!(VALIDATOR_KEY)),
            ("address", json!(key.address)),
            ("balance", json!(format!("{}{denom}", GENESIS_BALANCE - GENESIS_SELF_BOND))),
            ("self_bond", json!(format!("{GENESIS_SELF_BOND}{denom}"))),
            ("parameter_authority", C::parameter_authority().map_or_else(|| json!(VALIDATOR_KEY), |a| json!(a))),
            ("key_backend", json!(keyring.backend().as_str())),
            ("mnemonic", json!(mnemonic.as_str())),
            (
                "next",
                json!(format!("{} start --home {} --with-cometbft", C::DESCRIPTION.binary, home.root().display())),
            ),
        ],
    );
    Ok(ExitCode::SUCCESS)
}
