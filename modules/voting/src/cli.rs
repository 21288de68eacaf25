//! Voting's commands (`tx voting ...`, `query voting ...`): the delegator side. For chains
//! that compose them into their binary (feature `cli`).

use anyhow::{bail, Result};
use clap::Subcommand;
use serde_json::json;

use conclave_client::args::{
    parse_positive_coin, PageArgs, PreflightArgs, QueryArgs, TxArgs, UpdateParamsArgs, UPDATE_PARAMS_GAS,
};
use conclave_client::query::page;
use conclave_client::show::format_time;
use conclave_client::{Prepared, Querier, Signer};
use conclave_core::Coin;
use conclave_staking::cli::{bond_amount, MODULE_GAS};

use crate::{Msg, VoteTarget};

/// `tx voting`. Candidates are operator addresses or key names; amounts are in
/// the bond denomination, e.g. 100stake.
#[derive(Debug, Subcommand)]
pub enum TxCommand {
    /// Bond AMOUNT more from the --from account's balance to CANDIDATE.
    Vote {
        /// The candidate: operator address or key name.
        candidate: String,
        /// Tokens to add, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Remove CANDIDATE from the vote set: undelegate the whole stake there (it unbonds).
    Unvote {
        /// The candidate: operator address or key name.
        candidate: String,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace the whole vote set at once with CANDIDATE=AMOUNT targets (decreases are
    /// redelegated to increases, the rest unbonds or is bonded from the balance).
    SetVotes {
        /// Targets, e.g. alice=100stake 0a1b...=50stake; candidates not listed are removed.
        #[arg(value_parser = parse_vote_target, value_name = "CANDIDATE=AMOUNT", required_unless_present = "clear")]
        votes: Vec<(String, Coin)>,
        /// Remove every vote (an empty vote set).
        #[arg(long, conflicts_with = "votes")]
        clear: bool,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Move AMOUNT of stake from SOURCE to DESTINATION at once.
    Redelegate {
        /// Where the stake leaves: operator address or key name.
        source: String,
        /// Where it goes: operator address or key name.
        destination: String,
        /// Tokens to move, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `preflight` flags.
        #[command(flatten)]
        preflight: PreflightArgs,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Start unbonding AMOUNT of the stake at CANDIDATE (paid out after the unbonding period).
    Undelegate {
        /// The candidate: operator address or key name.
        candidate: String,
        /// Tokens to unbond, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `preflight` flags.
        #[command(flatten)]
        preflight: PreflightArgs,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Return AMOUNT of unbonding entry ID to its candidate (see `query voting unbondings`).
    CancelUnbonding {
        /// The unbonding entry id.
        id: u64,
        /// Tokens to return, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `preflight` flags.
        #[command(flatten)]
        preflight: PreflightArgs,
        /// `tx` flags.
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Replace voting's parameters (the chain's parameter authority only).
    UpdateParams(UpdateParamsArgs),
}

impl conclave_client::TxCommand for TxCommand {
    type Msg = Msg;

    fn prepare(self) -> Result<Prepared<Msg>> {
        let (tx, unresolved, preflight) = match self {
            TxCommand::Vote { candidate, amount, tx } => {
                let signer = Signer::open(&tx)?;
                let msg =
                    Msg::Vote { candidate: signer.resolve(&candidate)?, amount: bond_amount(&signer.rpc, &amount, 0)? };
                return Ok(Prepared::one(signer, tx, msg, MODULE_GAS));
            }
            TxCommand::Unvote { candidate, tx } => {
                let signer = Signer::open(&tx)?;
                let msg = Msg::Unvote { candidate: signer.resolve(&candidate)? };
                return Ok(Prepared::one(signer, tx, msg, MODULE_GAS));
            }
            TxCommand::SetVotes { votes, clear: _, tx } => {
                let signer = Signer::open(&tx)?;
                let mut targets = Vec::new();
                for (candidate, amount) in &votes {
                    targets.push(VoteTarget {
                        candidate: signer.resolve(candidate)?,
                        amount: bond_amount(&signer.rpc, amount, 0)?,
                    });
                }
                let gas = 200_000u64.saturating_add(50_000u64.saturating_mul(targets.len() as u64));
                return Ok(Prepared::one(signer, tx, Msg::SetVotes { votes: targets }, gas));
            }
            TxCommand::Redelegate { source, destination, amount, preflight, tx } => {
                (tx, Unresolved::Redelegate { source, destination, amount }, preflight)
            }
            TxCommand::Undelegate { candidate, amount, preflight, tx } => {
                (tx, Unresolved::Undelegate { candidate, amount }, preflight)
            }
            TxCommand::CancelUnbonding { id, amount, preflight, tx } => {
                (tx, Unresolved::Cancel { id, amount }, preflight)
            }
            TxCommand::UpdateParams(args) => {
                let msg = Msg::UpdateParams { params: args.parse()? };
                return Ok(Prepared::one(Signer::open(&args.tx)?, args.tx, msg, UPDATE_PARAMS_GAS));
            }
        };
        let signer = Signer::open(&tx)?;
        let msg = match unresolved {
            Unresolved::Redelegate { source, destination, amount } => Msg::Redelegate {
                source: signer.resolve(&source)?,
                destination: signer.resolve(&destination)?,
                amount: bond_amount(&signer.rpc, &amount, 0)?,
            },
            Unresolved::Undelegate { candidate, amount } => Msg::Undelegate {
                candidate: signer.resolve(&candidate)?,
                amount: bond_amount(&signer.rpc, &amount, 0)?,
            },
            Unresolved::Cancel { id, amount } => {
                Msg::CancelUnbonding { id, amount: bond_amount(&signer.rpc, &amount, 0)? }
            }
        };
        if !preflight.skip_preflight {
            check_preflight(&signer, &msg)?;
        }
        Ok(Prepared::one(signer, preflight.applied_to(tx), msg, MODULE_GAS))
    }
}

/// A voting message whose candidates are still names or addresses.
enum Unresolved {
    Redelegate { source: String, destination: String, amount: Coin },
    Undelegate { candidate: String, amount: Coin },
    Cancel { id: u64, amount: Coin },
}

/// Asks the node whether `msg` would pass (`voting/preflight`); a refusal is an error that
/// says why and from when, before any fee is spent.
fn check_preflight(signer: &Signer, msg: &Msg) -> Result<()> {
    let (answer, height) =
        signer.rpc.query_json("voting/preflight", &json!({ "delegator": signer.address, "msg": msg }), 0)?;
    if answer["allowed"].as_bool() == Some(true) {
        return Ok(());
    }
    let when = match answer["earliest_time"].as_u64() {
        Some(ns) => format!("; it would be allowed from block time {} ({ns} ns)", format_time(ns)),
        None => String::new(),
    };
    bail!(
        "pre-flight at height {height} refused it: {} ({} code {}){when}; nothing was sent and no fee was spent (--skip-preflight sends it anyway)",
        answer["reason"].as_str().unwrap_or("refused"),
        answer["codespace"].as_str().unwrap_or(""),
        answer["code"]
    )
}

/// Parses `CANDIDATE=AMOUNT` (a set-votes target).
pub fn parse_vote_target(text: &str) -> Result<(String, Coin), String> {
    let (candidate, amount) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not CANDIDATE=AMOUNT; write e.g. alice=100{}", denom()))?;
    if candidate.is_empty() {
        return Err(format!("{text:?} has no candidate; write e.g. alice=100{}", denom()));
    }
    Ok((candidate.to_string(), parse_positive_coin(amount)?))
}

/// `query voting` (paths `voting/...`, and the ledger's `staking/...`).
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Voting parameters (`voting/params`).
    Params {
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's vote set with current values (`staking/vote_set`).
    Votes {
        /// Delegator address or key name.
        delegator: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Delegations to a candidate, by delegator (`staking/delegations`).
    Delegations {
        /// Candidate operator address or key name.
        candidate: String,
        /// `page` flags.
        #[command(flatten)]
        page: PageArgs,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's pending unbondings (`staking/unbondings`).
    Unbondings {
        /// Delegator address or key name.
        delegator: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// A delegator's pending redelegations (`staking/redelegations`).
    Redelegations {
        /// Delegator address or key name.
        delegator: String,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting vote` (`voting/can_vote`).
    CanVote {
        /// Delegator address or key name.
        delegator: String,
        /// Candidate operator address or key name.
        candidate: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting undelegate` (`voting/can_undelegate`).
    CanUndelegate {
        /// Delegator address or key name.
        delegator: String,
        /// Candidate operator address or key name.
        candidate: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting redelegate` (`voting/can_redelegate`).
    CanRedelegate {
        /// Delegator address or key name.
        delegator: String,
        /// Source candidate.
        source: String,
        /// Destination candidate.
        destination: String,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
    /// Pre-flight of `tx voting cancel-unbonding` (`voting/can_cancel`).
    CanCancel {
        /// Delegator address or key name.
        delegator: String,
        /// Unbonding entry id.
        id: u64,
        /// Amount, e.g. 100stake.
        #[arg(value_parser = parse_positive_coin)]
        amount: Coin,
        /// `query` flags.
        #[command(flatten)]
        query: QueryArgs,
    },
}

impl conclave_client::QueryCommand for QueryCommand {
    fn run(self) -> Result<()> {
        match self {
            QueryCommand::Params { query } => Querier::open(&query)?.show("voting/params", json!({})),
            QueryCommand::Votes { delegator, query } => {
                let q = Querier::open(&query)?;
                let delegator = q.address(&delegator)?;
                q.show("staking/vote_set", json!({ "delegator": delegator }))
            }
            QueryCommand::Delegations { candidate, page: p, query } => {
                let q = Querier::open(&query)?;
                let mut request = json!({ "candidate": q.address(&candidate)? });
                page(&mut request, &p, |after| Ok(json!(q.address(after)?)))?;
                q.show("staking/delegations", request)
            }
            QueryCommand::Unbondings { delegator, query } => {
                let q = Querier::open(&query)?;
                let delegator = q.address(&delegator)?;
                q.show("staking/unbondings", json!({ "delegator": delegator }))
            }
            QueryCommand::Redelegations { delegator, query } => {
                let q = Querier::open(&query)?;
                let delegator = q.address(&delegator)?;
                q.show("staking/redelegations", json!({ "delegator": delegator }))
            }
            QueryCommand::CanVote { delegator, candidate, amount, query } => {
                let q = Querier::open(&query)?;
                let request = json!({ "delegator": q.address(&delegator)?, "candidate": q.address(&candidate)?, "amount": amount_text(&q, &amount)? });
                q.show("voting/can_vote", request)
            }
            QueryCommand::CanUndelegate { delegator, candidate, amount, query } => {
                let q = Querier::open(&query)?;
                let request = json!({ "delegator": q.address(&delegator)?, "candidate": q.address(&candidate)?, "amount": amount_text(&q, &amount)? });
                q.show("voting/can_undelegate", request)
            }
            QueryCommand::CanRedelegate { delegator, source, destination, amount, query } => {
                let q = Querier::open(&query)?;
                let request = json!({
                    "delegator": q.address(&delegator)?,
                    "source": q.address(&source)?,
                    "destination": q.address(&destination)?,
                    "amount": amount_text(&q, &amount)?,
                });
                q.show("voting/can_redelegate", request)
            }
            QueryCommand::CanCancel { delegator, id, amount, query } => {
                let q = Querier::open(&query)?;
                let request =
                    json!({ "delegator": q.address(&delegator)?, "id": id, "amount": amount_text(&q, &amount)? });
                q.show("voting/can_cancel", request)
            }
        }
    }
}

/// `coin`'s amount as the decimal string queries take, in the bond denomination.
fn amount_text(q: &Querier, coin: &Coin) -> Result<String> {
    Ok(bond_amount(&q.rpc, coin, q.height)?.to_string())
}

fn denom() -> &'static str {
    conclave_client::chain::description().denom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_targets_parse() {
        let (who, coin) = parse_vote_target("alice=100stake").unwrap();
        assert_eq!((who.as_str(), coin.amount, coin.denom.as_str()), ("alice", 100, "stake"));
        assert!(parse_vote_target("alice").unwrap_err().contains("alice=100"));
        assert!(parse_vote_target("=1stake").is_err());
        assert!(parse_vote_target("alice=0stake").unwrap_err().contains("positive"));
    }
}
