//! Rotation's commands (`query rotation ...`; rotation has no transactions of its own). For
//! chains that compose them into their binary (feature `cli`).

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::QueryArgs;
use conclave_client::Querier;

/// `query rotation` (paths `rotation/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// The validator set last sent to CometBFT, with each member's capped power and vote
    /// weight, and the height it signs from (`rotation/validators`).
    Validators {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The set that signed (or signs) block SIGNING_HEIGHT (`rotation/validators_at`).
    ValidatorsAt {
        /// The block height whose signers to show (not the height to read state at: that is
        /// --height).
        signing_height: u64,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Who would be elected if the epoch ended now, with capped powers
    /// (`rotation/preview`).
    Preview {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The epoch of the next block: number, first and last height, and when its set would
    /// start signing (`rotation/epoch`).
    Epoch {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Rotation parameters (`rotation/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Validators { query } => Querier::open(&query)?.show("rotation/validators", json!({})),
            QueryCommand::ValidatorsAt { signing_height, query } => {
                Querier::open(&query)?.show("rotation/validators_at", json!({ "height": signing_height }))
            }
            QueryCommand::Preview { query } => Querier::open(&query)?.show("rotation/preview", json!({})),
            QueryCommand::Epoch { query } => Querier::open(&query)?.show("rotation/epoch", json!({})),
            QueryCommand::Params { query } => Querier::open(&query)?.show("rotation/params", json!({})),
        }
    }
}
