//! The bank's commands (`tx bank ...`, `query bank ...`), for chains that compose them into
//! their binary (feature `cli`).

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{parse_positive_coin, KeyringArgs, NodeArgs, OutputArgs, OutputFormat, TxArgs};
use conclave_client::keys::Keyring;
use conclave_client::output::print;
use conclave_client::rpc::Rpc;
use conclave_client::{out, Prepared, Signer};
use conclave_core::Coin;

use crate::Msg;

/// The gas of a transfer.
const SEND_GAS: u64 = 200_000;

/// `tx bank`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Send AMOUNT from the --from key to TO; waits until the transaction is in a block.
    Send {
        /// Recipient: an address (`<prefix>1…`; 40 hex characters are read too) or a key name.
        to: String,
        /// Amount and denomination, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::Send { to, amount, tx } => {
                let signer = Signer::open(&tx)?;
                let to = signer.resolve(&to)?;
                Ok(Prepared::one(signer, tx, Msg::Send { to, amount }, SEND_GAS))
            }
        }
    }
}

/// `query bank`.
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// An account's balance in one denomination.
    Balance {
        /// Address (`<prefix>1…`; 40 hex characters are read too) or key name.
        address: String,
        /// Denomination [default: the chain's].
        #[arg(long)]
        denom: Option<String>,
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
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Balance { address, denom, node, keyring, height, output } => {
                let denom = denom.unwrap_or_else(|| conclave_client::chain::description().denom.to_string());
                let address = Keyring::from_args(&keyring)?.resolve_address(&address)?;
                let rpc = Rpc::new(&node.node)?;
                let (coin, at) =
                    rpc.query_json("bank/balance", &json!({"address": address, "denom": denom}), height)?;
                let amount = coin["amount"].as_str().unwrap_or("0").to_string();
                match output.output {
                    OutputFormat::Text => out!("{amount}{}", coin["denom"].as_str().unwrap_or(&denom)),
                    OutputFormat::Json => print(
                        output.output,
                        &vec![
                            ("address", json!(address)),
                            ("denom", coin["denom"].clone()),
                            ("amount", json!(amount)),
                            ("height", json!(at)),
                        ],
                    ),
                }
            }
        }
        Ok(())
    }
}
