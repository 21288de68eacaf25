//! Slashing's commands (`tx slashing ...`, `query slashing ...`), for chains that compose
//! them into their binary (feature `cli`).

use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{PreflightArgs, QueryArgs, TxArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS};
use conclave_client::{Prepared, Querier, Signer};

use crate::Msg;

/// Default gas of `tx slashing unjail` (a few candidate reads and writes).
pub const UNJAIL_GAS: u64 = 200_000;

/// `tx slashing`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Take the --from account's candidate out of jail (after its jail time; never after a
    /// double sign). It is eligible again at the next election.
    Unjail {
        /// `preflight` flags.
        #[command(flatten)]
        preflight: PreflightArgs,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace slashing's parameters (the chain's parameter authority only;
    /// `signed_blocks_window` cannot change).
    UpdateParams(UpdateParamsArgs),
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::Unjail { preflight, tx } => {
                let signer = Signer::open(&tx)?;
                if !preflight.skip_preflight {
                    check_unjail(&signer)?;
                }
                Ok(Prepared::one(signer, preflight.applied_to(tx), Msg::Unjail, UNJAIL_GAS))
            }
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS))
            }
        }
    }
}

/// Asks the node whether the signer may unjail now (`slashing/can_unjail`); a refusal is an
/// error that says why and from when, before any fee is spent.
fn check_unjail(signer: &Signer) -> Result<()> {
    let (answer, height) = signer.rpc.query_json("slashing/can_unjail", &json!({ "operator": signer.address }), 0)?;
    if answer["allowed"].as_bool() == Some(true) {
        return Ok(());
    }
    let when = match answer["earliest_time"].as_u64() {
        Some(ns) => format!("; it would be allowed from block time {ns} ns"),
        None => String::new(),
    };
    bail!(
        "pre-flight at height {height} refused it: {} ({} code {}){when}; nothing was sent and no fee was spent (--skip-preflight sends it anyway)",
        answer["reason"].as_str().unwrap_or("refused"),
        answer["codespace"].as_str().unwrap_or(""),
        answer["code"]
    )
}

/// `query slashing` (paths `slashing/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Slashing parameters (`slashing/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A validator's liveness record, the window's thresholds, and whether it is jailed and
    /// until when (`slashing/signing_info`).
    SigningInfo {
        /// The operator: address or key name.
        operator: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A validator's punishments, oldest first (`slashing/history`).
    History {
        /// The operator: address or key name.
        operator: String,
        /// Start after this block height (the `next` the previous page printed).
        #[arg(long, value_name = "HEIGHT")]
        start_after: Option<u64>,
        /// Records per page, 1 to 200 [default: 50].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200))]
        limit: Option<u32>,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Whether the operator may unjail in the next block, and if not, why and from when
    /// (`slashing/can_unjail`).
    CanUnjail {
        /// The operator: address or key name.
        operator: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Params { query } => Querier::open(&query)?.show("slashing/params", json!({})),
            QueryCommand::SigningInfo { operator, query } => {
                let querier = Querier::open(&query)?;
                let operator = querier.address(&operator)?;
                querier.show("slashing/signing_info", json!({ "operator": operator }))
            }
            QueryCommand::History { operator, start_after, limit, query } => {
                let querier = Querier::open(&query)?;
                let operator = querier.address(&operator)?;
                let request = json!({ "operator": operator, "start_after": start_after, "limit": limit });
                querier.show("slashing/history", request)
            }
            QueryCommand::CanUnjail { operator, query } => {
                let querier = Querier::open(&query)?;
                let operator = querier.address(&operator)?;
                querier.show("slashing/can_unjail", json!({ "operator": operator }))
            }
        }
    }
}
