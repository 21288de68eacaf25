//! Rotation's commands (`tx rotation update-params`, `query rotation ...`). For chains that
//! compose them into their binary (feature `cli`).

use anyhow::Result;
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{QueryArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS};
use conclave_client::{Prepared, Querier, Signer};

use crate::Msg;

/// `tx rotation`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Replace rotation's parameters (the chain's parameter authority only; `epoch_length`
    /// cannot change). They apply from the next election.
    UpdateParams(UpdateParamsArgs),
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS))
            }
        }
    }
}

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
