//! Governance's commands (`tx governance ...`, `query governance ...`), for chains that
//! compose them into their binary (feature `cli`).

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::json;

use conclave_client::args::{parse_positive_coin, QueryArgs, TxArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS};
use conclave_client::rpc::Rpc;
use conclave_client::{Prepared, Querier, Signer};
use conclave_core::Coin;

use crate::types::{ProposalStatus, VoteOption};
use crate::Msg;

/// Default gas of governance transactions (a vote, a deposit, a delegation).
pub const GOVERNANCE_GAS: u64 = 200_000;
/// Default gas of `submit`, plus [`SUBMIT_GAS_PER_KIB`] per KiB of messages.
pub const SUBMIT_GAS: u64 = 400_000;
/// Extra default gas of `submit` per KiB of messages, title and summary.
pub const SUBMIT_GAS_PER_KIB: u64 = 20_000;

/// `tx governance submit`'s arguments.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Title (1 to max_title_len bytes).
    #[arg(long)]
    pub title: String,
    /// Summary.
    #[arg(long, default_value = "")]
    pub summary: String,
    /// First deposit, e.g. 10000000stake (the bond denomination).
    #[arg(long, value_parser = parse_positive_coin)]
    pub deposit: Coin,
    /// A message to execute if it passes: the hex of a borsh-encoded app message (repeat for
    /// several, in order). None (and no --messages): a text proposal.
    #[arg(long = "message", value_name = "HEX")]
    pub messages: Vec<String>,
    /// The messages as a JSON array of app messages, as `query tx` prints them (e.g.
    /// `[{"rotation": {"update_params": {"params": {...}}}}]`), or @FILE to read it; they
    /// come after any --message. Needs a chain binary that decodes its messages from JSON.
    #[arg(long = "messages", value_name = "JSON|@FILE")]
    pub messages_json: Option<String>,
    /// `tx` flags.
    #[command(flatten)]
    pub tx: TxArgs,
}

/// `tx governance`.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Submit a proposal with a first deposit from the --from account.
    Submit(SubmitArgs),
    /// Add to a proposal's deposits (deposit period only).
    Deposit {
        /// The proposal id.
        proposal: u64,
        /// Tokens, e.g. 1000stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Vote on a proposal in its voting period: yes, no, abstain or no-with-veto.
    Vote {
        /// The proposal id.
        proposal: u64,
        /// yes | no | abstain | no-with-veto.
        #[arg(value_parser = |s: &str| s.parse::<VoteOption>())]
        option: VoteOption,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Give the --from account's governance power to ADDRESS (stake does not move), or take it
    /// back with --clear.
    Delegate {
        /// The delegate: address or key name.
        #[arg(required_unless_present = "clear", conflicts_with = "clear")]
        delegate: Option<String>,
        /// Clear the delegate.
        #[arg(long)]
        clear: bool,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace governance's parameters (the chain's parameter authority only: in practice, a
    /// proposal carrying this message).
    UpdateParams(UpdateParamsArgs),
}

fn bond_amount(rpc: &Rpc, coin: &Coin) -> Result<u128> {
    let (params, _) = rpc.query_json("staking/params", &json!({}), 0)?;
    let denom = params["bond_denom"].as_str().unwrap_or(conclave_client::chain::description().denom);
    if coin.denom != denom {
        bail!("{coin} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}", coin.amount);
    }
    Ok(coin.amount)
}

fn parse_hex(text: &str) -> Result<Vec<u8>> {
    let text = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(text).with_context(|| format!("--message {text:?} is not hex (the hex of a borsh-encoded message)"))
}

/// Encodes one app message given as JSON into its wire bytes (the app's `Msg`, borsh).
pub type JsonMessageEncoder<'a> = &'a dyn Fn(&serde_json::Value) -> Result<Vec<u8>>;

fn json_messages(text: &str, encode: Option<JsonMessageEncoder<'_>>) -> Result<Vec<Vec<u8>>> {
    let Some(encode) = encode else {
        bail!("this chain's binary cannot read --messages as JSON: pass each message as --message HEX")
    };
    let text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
        None => text.to_string(),
    };
    let value: serde_json::Value = serde_json::from_str(&text).context("--messages is not JSON")?;
    let Some(items) = value.as_array() else { bail!("--messages must be a JSON array of messages") };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            encode(item).with_context(|| format!("--messages item {i} is not a message of this chain: {item}"))
        })
        .collect()
}

impl TxCommand {
    /// [`conclave_client::TxCommand::prepare`], with `encode` turning `submit --messages`
    /// JSON into the app's message bytes (the app knows its `Msg`; this crate does not).
    pub fn prepare_with(self, encode: JsonMessageEncoder<'_>) -> Result<Prepared<Msg>> {
        self.prepare_inner(Some(encode))
    }
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        self.prepare_inner(None)
    }
}

impl TxCommand {
    fn prepare_inner(self, encode: Option<JsonMessageEncoder<'_>>) -> Result<Prepared<Msg>> {
        match self {
            TxCommand::Submit(args) => {
                let signer = Signer::open(&args.tx)?;
                let deposit = bond_amount(&signer.rpc, &args.deposit)?;
                let mut messages = args.messages.iter().map(|m| parse_hex(m)).collect::<Result<Vec<_>>>()?;
                if let Some(text) = &args.messages_json {
                    messages.extend(json_messages(text, encode)?);
                }
                let bytes = messages
                    .iter()
                    .map(Vec::len)
                    .fold(args.title.len().saturating_add(args.summary.len()), usize::saturating_add);
                let kib = u64::try_from(bytes.div_ceil(1024)).unwrap_or(u64::MAX);
                let gas = SUBMIT_GAS.saturating_add(SUBMIT_GAS_PER_KIB.saturating_mul(kib));
                let msg = Msg::Submit { title: args.title, summary: args.summary, messages, deposit };
                Ok(Prepared::one(signer, args.tx, msg, gas))
            }
            TxCommand::Deposit { proposal, amount, tx } => {
                let signer = Signer::open(&tx)?;
                let amount = bond_amount(&signer.rpc, &amount)?;
                Ok(Prepared::one(signer, tx, Msg::Deposit { proposal, amount }, GOVERNANCE_GAS))
            }
            TxCommand::Vote { proposal, option, tx } => {
                Ok(Prepared::one(Signer::open(&tx)?, tx, Msg::Vote { proposal, option }, GOVERNANCE_GAS))
            }
            TxCommand::Delegate { delegate, clear, tx } => {
                let signer = Signer::open(&tx)?;
                let to = match (delegate, clear) {
                    (Some(name), false) => Some(signer.resolve(&name)?),
                    (None, true) => None,
                    _ => bail!("give a delegate ADDRESS or --clear, not both"),
                };
                Ok(Prepared::one(signer, tx, Msg::Delegate { to }, GOVERNANCE_GAS))
            }
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS))
            }
        }
    }
}

/// `query governance` (paths `governance/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// A proposal (`governance/proposal`).
    Proposal {
        /// The proposal id.
        proposal: u64,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Proposals by id, optionally of one status (`governance/proposals`).
    Proposals {
        /// deposit_period, voting_period, passed, rejected, vetoed, failed or dropped.
        #[arg(long, value_parser = |s: &str| s.parse::<ProposalStatus>())]
        status: Option<ProposalStatus>,
        /// Start after this id (the `next` the previous page printed).
        #[arg(long)]
        start_after: Option<u64>,
        /// Proposals per page, 1 to 200 [default: 50].
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200))]
        limit: Option<u32>,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// The running tally of a proposal in its voting period, or its final tally
    /// (`governance/tally`).
    Tally {
        /// The proposal id.
        proposal: u64,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// VOTER's effective vote on a proposal and where it comes from (`governance/vote`).
    Vote {
        /// The proposal id.
        proposal: u64,
        /// The voter: address or key name.
        voter: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A proposal's deposits (`governance/deposits`).
    Deposits {
        /// The proposal id.
        proposal: u64,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// VOTER's governance delegate (`governance/delegate`).
    Delegate {
        /// The voter: address or key name.
        voter: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Governance parameters (`governance/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Proposal { proposal, query } => {
                Querier::open(&query)?.show("governance/proposal", json!({ "proposal": proposal }))
            }
            QueryCommand::Proposals { status, start_after, limit, query } => Querier::open(&query)?
                .show("governance/proposals", json!({ "status": status, "start_after": start_after, "limit": limit })),
            QueryCommand::Tally { proposal, query } => {
                Querier::open(&query)?.show("governance/tally", json!({ "proposal": proposal }))
            }
            QueryCommand::Vote { proposal, voter, query } => {
                let querier = Querier::open(&query)?;
                let voter = querier.address(&voter)?;
                querier.show("governance/vote", json!({ "proposal": proposal, "voter": voter }))
            }
            QueryCommand::Deposits { proposal, query } => {
                Querier::open(&query)?.show("governance/deposits", json!({ "proposal": proposal }))
            }
            QueryCommand::Delegate { voter, query } => {
                let querier = Querier::open(&query)?;
                let voter = querier.address(&voter)?;
                querier.show("governance/delegate", json!({ "voter": voter }))
            }
            QueryCommand::Params { query } => Querier::open(&query)?.show("governance/params", json!({})),
        }
    }
}
