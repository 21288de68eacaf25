//! Upgrade's commands (`tx upgrade ...`, `query upgrade ...`), for chains that compose them
//! into their binary (feature `cli`).

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{QueryArgs, TxArgs};
use conclave_client::{Prepared, Querier, Signer};

use crate::{Msg, Plan};

/// Default gas of `tx upgrade schedule` and `cancel` (a few reads, one write, an event).
pub const UPGRADE_GAS: u64 = 200_000;

fn parse_name(text: &str) -> Result<String, String> {
    crate::plan::validate_name(text)?;
    Ok(text.to_string())
}

/// `tx upgrade` (the chain's parameter authority only; under governance, proposals carry
/// these messages instead).
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Schedule upgrade NAME at --height, replacing the pending plan if any. At that height
    /// every node stops unless its binary implements NAME (or it runs with --allow-upgrade NAME).
    Schedule {
        /// The upgrade's name: what the new version implements.
        #[arg(value_parser = parse_name)]
        name: String,
        /// The height of the first block the new version executes (after the current one).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "HEIGHT")]
        height: u64,
        /// Free text for operators: where to get the binary, a checksum, a link (up to 2 KiB).
        #[arg(long, default_value = "")]
        info: String,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Cancel the pending upgrade plan.
    Cancel {
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::Schedule { name, height, info, tx } => {
                let plan = Plan { name, height, info };
                plan.validate().map_err(anyhow::Error::msg)?;
                Ok(Prepared::one(Signer::open(&tx)?, tx, Msg::ScheduleUpgrade { plan }, UPGRADE_GAS))
            }
            TxCommand::Cancel { tx } => Ok(Prepared::one(Signer::open(&tx)?, tx, Msg::CancelUpgrade, UPGRADE_GAS)),
        }
    }
}

/// `query upgrade` (paths `upgrade/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// The pending upgrade plan, if any (`upgrade/plan`).
    Plan {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The height upgrade NAME was applied at, or null (`upgrade/applied`).
    Applied {
        /// The upgrade's name.
        name: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Plan { query } => Querier::open(&query)?.show("upgrade/plan", json!({})),
            QueryCommand::Applied { name, query } => {
                Querier::open(&query)?.show("upgrade/applied", json!({ "name": name }))
            }
        }
    }
}
