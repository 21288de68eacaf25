//! Queries: the helper module query commands use ([`Querier`]), and the queries every chain
//! has (`query account`, `query tx`).

use anyhow::{anyhow, bail, Result};
use borsh::BorshDeserialize;
use clap::Subcommand;
use serde::Serialize;
use serde_json::{json, Value};

use conclave_core::{Address, Coin};

use crate::args::{KeyringArgs, NodeArgs, OutputArgs, OutputFormat, PageArgs, QueryArgs};
use crate::keys::Keyring;
use crate::output::{print, print_value};
use crate::rpc::Rpc;
use crate::show::tx_summary;

/// A module query: resolves names, runs a path with a JSON request, prints the answer.
pub struct Querier {
    /// Resolves key names to addresses.
    pub keyring: Keyring,
    /// The node.
    pub rpc: Rpc,
    /// `--height` (0: latest).
    pub height: u64,
    /// `--output`.
    pub output: OutputFormat,
}

impl Querier {
    /// Opens the keyring and the node of `args`.
    pub fn open(args: &QueryArgs) -> Result<Self> {
        Ok(Self {
            keyring: Keyring::from_args(&args.keyring)?,
            rpc: Rpc::new(&args.node.node)?,
            height: args.height,
            output: args.output.output,
        })
    }

    /// `text` as an address or a key name.
    pub fn address(&self, text: &str) -> Result<Address> {
        self.keyring.resolve_address(text)
    }

    /// `coin`'s amount as a decimal string, refused unless its denomination is `denom`.
    pub fn amount_in(&self, coin: &Coin, denom: &str) -> Result<String> {
        if coin.denom != denom {
            bail!("{coin} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}", coin.amount);
        }
        Ok(coin.amount.to_string())
    }

    /// Runs `path` with `request` and prints the answer.
    pub fn show(&self, path: &str, request: Value) -> Result<()> {
        let (answer, _) = self.rpc.query_json(path, &request, self.height)?;
        print_value(self.output, &answer);
        Ok(())
    }
}

/// Adds `--start-after` (through `cursor`) and `--limit` to a listing request.
pub fn page(request: &mut Value, page: &PageArgs, cursor: impl FnOnce(&str) -> Result<Value>) -> Result<()> {
    if let Some(after) = &page.start_after {
        request["start_after"] = cursor(after)?;
    }
    if let Some(limit) = page.limit {
        request["limit"] = json!(limit);
    }
    Ok(())
}

/// The queries of every chain, answered by the runtime and CometBFT rather than a module.
#[derive(Debug, Subcommand)]
pub enum BuiltinQuery {
    /// An account's next nonce.
    Account {
        /// Address (`<prefix>1…`; 40 hex characters are read too) or key name.
        address: String,
        /// `node` flags.
        #[command(flatten)]
        node: NodeArgs,
        /// `keyring` flags.
        #[command(flatten)]
        keyring: KeyringArgs,
        /// Height to read at [default: latest].
        #[arg(long, default_value_t = 0)]
        height: u64,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// A transaction by hash, with its result and decoded body.
    Tx {
        /// Transaction hash (64 hex characters, as `tx` commands print it).
        hash: String,
        /// `node` flags.
        #[command(flatten)]
        node: NodeArgs,
        /// `keyring` flags: unused here, accepted so every query takes the same `--home`.
        #[command(flatten)]
        _keyring: KeyringArgs,
        /// `output` flags.
        #[command(flatten)]
        output: OutputArgs,
    },
}

impl BuiltinQuery {
    /// Runs the query; `M` is the app's message type, to decode `query tx`'s body.
    pub fn run<M: BorshDeserialize + Serialize>(self) -> Result<()> {
        match self {
            BuiltinQuery::Account { address, node, keyring, height, output } => {
                let address = Keyring::from_args(&keyring)?.resolve_address(&address)?;
                let rpc = Rpc::new(&node.node)?;
                let (account, at) = rpc.query_json("auth/account", &json!({ "address": address }), height)?;
                print(
                    output.output,
                    &vec![
                        ("address", account["address"].clone()),
                        ("nonce", account["nonce"].clone()),
                        ("height", json!(at)),
                    ],
                );
            }
            BuiltinQuery::Tx { hash, node, output, .. } => {
                let hash = hash.trim_start_matches("0x").to_uppercase();
                if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    bail!("{hash:?} is not a transaction hash: expected 64 hex characters, as `tx` commands print");
                }
                let rpc = Rpc::new(&node.node)?;
                let result = rpc.tx(&hash)?.ok_or_else(|| {
                    anyhow!(
                        "transaction {hash} not found on {} (not included yet, or the node's tx indexer is off)",
                        rpc.base()
                    )
                })?;
                let mut summary = tx_summary::<M>(&result, true);
                if output.output == OutputFormat::Text {
                    summary.retain(|(key, _)| *key != "events");
                }
                print(output.output, &summary);
            }
        }
        Ok(())
    }
}
