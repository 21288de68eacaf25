//! Staking's commands (`tx staking ...`, `query staking ...`): the validator side. For chains
//! that compose them into their binary (feature `cli`).

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};

use conclave_client::args::{
    parse_percent, parse_positive_coin, PageArgs, QueryArgs, TxArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS,
};
use conclave_client::query::page;
use conclave_client::rpc::Rpc;
use conclave_client::{Prepared, Querier, Signer};
use conclave_core::Coin;

use crate::{CommissionRates, Description, Msg};

/// The default gas of staking and voting transactions (see
/// tests/tests/staking_and_voting_fit_the_default_gas.rs, which measures every message).
pub const MODULE_GAS: u64 = 400_000;

/// `tx staking`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Register the --from account as a candidate, bonding SELF_BOND from its balance.
    Register(RegisterArgs),
    /// Edit the --from account's candidate: description fields (others are kept) and/or the
    /// commission rate (at most once per 24 h, by at most the max change).
    Edit(EditArgs),
    /// Rotate the --from account's candidate to a new consensus key (pending until the next
    /// epoch; a key can never be used twice).
    RotateKey {
        /// `key` flags.
        #[command(flatten)]
        key: ConsensusKeyArgs,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace staking's parameters (the chain's parameter authority only; `bond_denom` and
    /// `power_reduction` cannot change).
    UpdateParams(UpdateParamsArgs),
}

/// A consensus key: given, or read from a CometBFT `priv_validator_key.json`.
#[derive(Clone, Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ConsensusKeyArgs {
    /// The ed25519 consensus public key: 64 hex characters, or base64 as in CometBFT's
    /// `priv_validator_key.json` (`pub_key.value`).
    #[arg(long, value_parser = parse_consensus_key, value_name = "KEY")]
    pub consensus_key: Option<[u8; 32]>,
    /// Read the public key from a CometBFT key file, e.g. HOME/config/priv_validator_key.json.
    #[arg(long, value_name = "PATH")]
    pub consensus_key_file: Option<PathBuf>,
}

/// `tx staking register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Self-bond in the bond denomination, e.g. 1000000stake (at least params.min_self_bond).
    #[arg(value_parser = parse_positive_coin)]
    pub self_bond: Coin,
    /// `key` flags.
    #[command(flatten)]
    pub key: ConsensusKeyArgs,
    /// Display name (1 to 70 bytes).
    #[arg(long)]
    pub moniker: String,
    /// Identity, e.g. a keybase id.
    #[arg(long, default_value = "")]
    pub identity: String,
    /// Web site.
    #[arg(long, default_value = "")]
    pub website: String,
    /// Free text.
    #[arg(long, default_value = "")]
    pub details: String,
    /// Commission rate, a decimal percentage: 10, 7.5, 0.25% (at least params.min_commission).
    #[arg(long, value_parser = parse_percent, default_value = "10", value_name = "PERCENT")]
    pub commission_rate: u64,
    /// Highest commission rate ever, a percentage; fixed at registration.
    #[arg(long, value_parser = parse_percent, default_value = "20", value_name = "PERCENT")]
    pub commission_max_rate: u64,
    /// Largest change of the rate per edit, a percentage; fixed at registration.
    #[arg(long, value_parser = parse_percent, default_value = "1", value_name = "PERCENT")]
    pub commission_max_change_rate: u64,
    /// `tx` flags.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `tx staking edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// New display name.
    #[arg(long)]
    pub moniker: Option<String>,
    /// New identity.
    #[arg(long)]
    pub identity: Option<String>,
    /// New web site.
    #[arg(long)]
    pub website: Option<String>,
    /// New free text.
    #[arg(long)]
    pub details: Option<String>,
    /// New commission rate, a decimal percentage.
    #[arg(long, value_parser = parse_percent, value_name = "PERCENT")]
    pub commission_rate: Option<u64>,
    /// `tx` flags.
    #[command(flatten)]
    pub tx: TxArgs,
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::Register(args) => {
                let signer = Signer::open(&args.tx)?;
                let self_bond = bond_amount(&signer.rpc, &args.self_bond, 0)?;
                let msg = Msg::RegisterCandidate {
                    consensus_key: consensus_key(&args.key)?,
                    commission: CommissionRates {
                        rate_ppb: args.commission_rate,
                        max_rate_ppb: args.commission_max_rate,
                        max_change_rate_ppb: args.commission_max_change_rate,
                    },
                    description: Description {
                        moniker: args.moniker,
                        identity: args.identity,
                        website: args.website,
                        details: args.details,
                    },
                    self_bond,
                };
                Ok(Prepared::one(signer, args.tx, msg, MODULE_GAS))
            }
            TxCommand::Edit(args) => {
                let signer = Signer::open(&args.tx)?;
                let any_description = args.moniker.is_some()
                    || args.identity.is_some()
                    || args.website.is_some()
                    || args.details.is_some();
                if !any_description && args.commission_rate.is_none() {
                    bail!("nothing to edit: pass --moniker, --identity, --website, --details and/or --commission-rate");
                }
                // The message replaces the whole description: start from the current one.
                let description = if any_description {
                    let (info, _) = signer
                        .rpc
                        .query_json("staking/candidate", &json!({ "candidate": signer.address }), 0)
                        .with_context(|| {
                            format!(
                                "{} is not a candidate; register it first with `{} tx staking register`",
                                signer.address,
                                conclave_client::chain::description().binary
                            )
                        })?;
                    let mut d: Description = serde_json::from_value(info["candidate"]["description"].clone())
                        .context("staking/candidate answered without a description")?;
                    d.moniker = args.moniker.unwrap_or(d.moniker);
                    d.identity = args.identity.unwrap_or(d.identity);
                    d.website = args.website.unwrap_or(d.website);
                    d.details = args.details.unwrap_or(d.details);
                    Some(d)
                } else {
                    None
                };
                let msg = Msg::EditCandidate { description, commission_rate_ppb: args.commission_rate };
                Ok(Prepared::one(signer, args.tx, msg, MODULE_GAS))
            }
            TxCommand::RotateKey { key, tx } => {
                let signer = Signer::open(&tx)?;
                let msg = Msg::RotateConsensusKey { new_key: consensus_key(&key)? };
                Ok(Prepared::one(signer, tx, msg, MODULE_GAS))
            }
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS))
            }
        }
    }
}

/// `coin`'s amount, refused unless it is in the bond denomination (read from
/// `staking/params` at `height`, 0 for the latest).
pub fn bond_amount(rpc: &Rpc, coin: &Coin, height: u64) -> Result<u128> {
    let (params, _) = rpc.query_json("staking/params", &json!({}), height)?;
    let denom = params["bond_denom"].as_str().unwrap_or(conclave_client::chain::description().denom);
    if coin.denom != denom {
        bail!("{coin} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}", coin.amount);
    }
    Ok(coin.amount)
}

/// The consensus key of `--consensus-key` or `--consensus-key-file`.
fn consensus_key(args: &ConsensusKeyArgs) -> Result<[u8; 32]> {
    if let Some(key) = args.consensus_key {
        return Ok(key);
    }
    let Some(path) = &args.consensus_key_file else {
        bail!("pass --consensus-key KEY or --consensus-key-file PATH");
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON; pass a CometBFT priv_validator_key.json", path.display()))?;
    let value = file.pointer("/pub_key/value").and_then(Value::as_str).ok_or_else(|| {
        anyhow!("{} has no pub_key.value; pass a CometBFT priv_validator_key.json or --consensus-key", path.display())
    })?;
    parse_consensus_key(value).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Parses an ed25519 public key: 64 hex characters, or standard base64 of 32 bytes.
pub fn parse_consensus_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    let bytes = if text.len() == 64 { hex::decode(text).ok() } else { BASE64.decode(text).ok() };
    bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
        format!("{text:?} is not an ed25519 public key: give 64 hex characters or base64 (pub_key.value of priv_validator_key.json), or use --consensus-key-file")
    })
}

/// A candidate status (`query staking candidates --status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Registered, not in the active set.
    Candidate,
    /// In the active set.
    Active,
    /// Jailed.
    Jailed,
    /// Tombstoned.
    Tombstoned,
    /// Self-bond below the minimum.
    Exited,
}

/// `query staking` (paths `staking/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// A candidate, with its power and self-bond (`staking/candidate`).
    Candidate {
        /// Operator address or key name.
        candidate: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Eligible candidates by power, descending (`staking/candidates_by_power`), or with
    /// --status those of one status by operator (`staking/candidates_by_status`).
    Candidates {
        /// Only candidates with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// `page` flags.
        #[command(flatten)]
        page: PageArgs,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Staking parameters (`staking/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Bonded, unbonded and unbonding pool balances (`staking/pools`).
    Pools {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The operator that registered a consensus key, if any (`staking/key_owner`).
    KeyOwner {
        /// The key: 64 hex characters or base64.
        #[arg(value_parser = parse_consensus_key)]
        key: [u8; 32],
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight: may CANDIDATE's operator make this edit now, and if not, why and from when
    /// (`staking/can_edit`).
    CanEdit {
        /// Operator address or key name.
        candidate: String,
        /// The new commission rate, a decimal percentage.
        #[arg(long, value_parser = parse_percent, value_name = "PERCENT")]
        commission_rate: Option<u64>,
        /// A new moniker (the other description fields empty).
        #[arg(long)]
        moniker: Option<String>,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Candidate { candidate, query } => {
                let q = Querier::open(&query)?;
                let candidate = q.address(&candidate)?;
                q.show("staking/candidate", json!({ "candidate": candidate }))
            }
            QueryCommand::Candidates { status, page: p, query } => {
                let q = Querier::open(&query)?;
                match status {
                    Some(status) => {
                        let status = match status {
                            StatusArg::Candidate => "candidate",
                            StatusArg::Active => "active",
                            StatusArg::Jailed => "jailed",
                            StatusArg::Tombstoned => "tombstoned",
                            StatusArg::Exited => "exited",
                        };
                        let mut request = json!({ "status": status });
                        page(&mut request, &p, |after| Ok(json!(q.address(after)?)))?;
                        q.show("staking/candidates_by_status", request)
                    }
                    None => {
                        let mut request = json!({});
                        page(&mut request, &p, |after| {
                            serde_json::from_str(after).map_err(|_| {
                                anyhow!("--start-after {after:?}: pass the `next` cursor printed by the previous page as JSON, e.g. '{{\"power\":5,\"candidate\":\"<address>\"}}'")
                            })
                        })?;
                        q.show("staking/candidates_by_power", request)
                    }
                }
            }
            QueryCommand::Params { query } => Querier::open(&query)?.show("staking/params", json!({})),
            QueryCommand::Pools { query } => Querier::open(&query)?.show("staking/pools", json!({})),
            QueryCommand::KeyOwner { key, query } => {
                Querier::open(&query)?.show("staking/key_owner", json!({ "key": hex::encode(key) }))
            }
            QueryCommand::CanEdit { candidate, commission_rate, moniker, query } => {
                let q = Querier::open(&query)?;
                let mut request = json!({ "candidate": q.address(&candidate)? });
                if let Some(rate) = commission_rate {
                    request["commission_rate_ppb"] = json!(rate);
                }
                if let Some(moniker) = moniker {
                    request["description"] = json!({ "moniker": moniker });
                }
                q.show("staking/can_edit", request)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consensus_keys_parse_from_hex_or_base64() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_consensus_key(&hex), Ok([0xab; 32]));
        // base64 of 32 bytes of 0xab.
        assert_eq!(parse_consensus_key("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="), Ok([0xab; 32]));
        assert!(parse_consensus_key("abcd").unwrap_err().contains("--consensus-key-file"));
    }
}
