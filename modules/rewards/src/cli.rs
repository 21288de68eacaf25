//! Rewards' commands (`tx rewards ...`, `query rewards ...`), for chains that compose them
//! into their binary (feature `cli`).

use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{parse_positive_coin, QueryArgs, TxArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS};
use conclave_client::{Prepared, Querier, Signer};

use conclave_core::Coin;

use crate::Msg;

/// Default gas of `tx rewards claim` from one candidate.
pub const CLAIM_GAS: u64 = 200_000;
/// Extra default gas per candidate of `tx rewards claim` from all (a settlement and a
/// transfer each).
pub const CLAIM_GAS_PER_CANDIDATE: u64 = 100_000;

/// Default gas of `tx rewards community-pool-spend` (the authority, the pool's balance, one
/// transfer, the totals, an event).
pub const COMMUNITY_POOL_SPEND_GAS: u64 = 200_000;

/// `tx rewards`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Claim the --from account's rewards from CANDIDATE, or from every candidate it has
    /// rewards at (without CANDIDATE).
    Claim {
        /// The candidate: operator address or key name [default: all].
        candidate: Option<String>,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Withdraw the --from account's commission as a candidate's operator.
    WithdrawCommission {
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace rewards' parameters (the chain's parameter authority only).
    UpdateParams(UpdateParamsArgs),
    /// Pay AMOUNT from the community pool to RECIPIENT (the chain's parameter authority
    /// only; under governance, a proposal carries this message instead).
    CommunityPoolSpend {
        /// Who receives the tokens: an address or key name.
        recipient: String,
        /// How many, in the bond denomination, e.g. 100stake.
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
            TxCommand::Claim { candidate, tx } => {
                let signer = Signer::open(&tx)?;
                let (candidate, gas) = match candidate {
                    Some(name) => (Some(signer.resolve(&name)?), CLAIM_GAS),
                    None => {
                        let (pending, _) =
                            signer.rpc.query_json("rewards/pending", &json!({ "delegator": signer.address }), 0)?;
                        let count = pending["rewards"].as_array().map_or(0, Vec::len) as u64;
                        (None, CLAIM_GAS.saturating_add(CLAIM_GAS_PER_CANDIDATE.saturating_mul(count)))
                    }
                };
                Ok(Prepared::one(signer, tx, Msg::Claim { candidate }, gas))
            }
            TxCommand::WithdrawCommission { tx } => {
                Ok(Prepared::one(Signer::open(&tx)?, tx, Msg::WithdrawCommission, CLAIM_GAS))
            }
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS))
            }
            TxCommand::CommunityPoolSpend { recipient, amount, tx } => {
                let signer = Signer::open(&tx)?;
                let recipient = signer.resolve(&recipient)?;
                // Rewards pay (and the pool holds) the bond denomination: refuse another
                // before any fee is spent.
                let denom = match signer.rpc.query_json("staking/params", &json!({}), 0) {
                    Ok((params, _)) => params["bond_denom"].as_str().map(str::to_string),
                    Err(_) => None,
                }
                .unwrap_or_else(|| conclave_client::chain::description().denom.to_string());
                if amount.denom != denom {
                    bail!(
                        "{amount} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}",
                        amount.amount
                    );
                }
                let msg = Msg::CommunityPoolSpend { recipient, amount: amount.amount };
                Ok(Prepared::one(signer, tx, msg, COMMUNITY_POOL_SPEND_GAS))
            }
        }
    }
}

/// `query rewards` (paths `rewards/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// What a claim would pay DELEGATOR now, per candidate and in total (`rewards/pending`).
    Pending {
        /// The delegator: address or key name.
        delegator: String,
        /// Only this candidate.
        #[arg(long)]
        candidate: Option<String>,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A candidate's undistributed delegator rewards and its operator's commission
    /// (`rewards/validator`).
    Validator {
        /// The candidate: operator address or key name.
        candidate: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The current inflation and annual provisions (`rewards/minter`).
    Inflation {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The community pool's balance (`rewards/community_pool`).
    CommunityPool {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Rewards parameters (`rewards/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Pending { delegator, candidate, query } => {
                let querier = Querier::open(&query)?;
                let delegator = querier.address(&delegator)?;
                let candidate = candidate.map(|c| querier.address(&c)).transpose()?;
                querier.show("rewards/pending", json!({ "delegator": delegator, "candidate": candidate }))
            }
            QueryCommand::Validator { candidate, query } => {
                let querier = Querier::open(&query)?;
                let candidate = querier.address(&candidate)?;
                querier.show("rewards/validator", json!({ "candidate": candidate }))
            }
            QueryCommand::Inflation { query } => Querier::open(&query)?.show("rewards/minter", json!({})),
            QueryCommand::CommunityPool { query } => Querier::open(&query)?.show("rewards/community_pool", json!({})),
            QueryCommand::Params { query } => Querier::open(&query)?.show("rewards/params", json!({})),
        }
    }
}
