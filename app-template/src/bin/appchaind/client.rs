//! `keys`, `tx` and `query`: the commands that use keys and a node's RPC.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use appchain::Msg;
use conclave_core::tx::{Tx, TxBody};

use conclave_core::{Address, Coin};
use ed25519_consensus::SigningKey;

use crate::cli::{
    parse_consensus_key, ConsensusKeyArgs, KeysCommand, OutputFormat, PageArgs, QueryArgs, QueryBankCommand,
    QueryCommand, QueryRotationCommand, QueryStakingCommand, QueryVotingCommand, StatusArg, TxArgs, TxBankCommand,
    TxCommand, TxStakingCommand, TxVotingCommand,
};
use crate::encoding::hex;
use crate::keys::Keyring;
use crate::output::{print, print_json, print_value, Fields};
use crate::rpc::{Rpc, TxResult};

/// `appchaind keys ...`.
pub(crate) fn keys(command: KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Add { name, keyring, output } => {
            let keyring = Keyring::from_args(&keyring)?;
            let info = keyring.add(&name)?;
            let path = keyring.dir().join(format!("{name}.json"));
            print(
                output.output,
                &vec![
                    ("name", json!(info.name)),
                    ("address", json!(info.address)),
                    ("public_key", json!(info.public_key)),
                    ("file", json!(path)),
                ],
            );
        }
        KeysCommand::List { keyring, output } => {
            let keys = Keyring::from_args(&keyring)?.list()?;
            match output.output {
                OutputFormat::Json => print_json(&serde_json::to_value(&keys)?),
                OutputFormat::Text => {
                    let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0);
                    for key in &keys {
                        out!("{:<width$}  {}", key.name, key.address);
                    }
                }
            }
        }
        KeysCommand::Show { name, address, keyring, output } => {
            let (info, _) = Keyring::from_args(&keyring)?.get(&name)?;
            if address && output.output == OutputFormat::Text {
                out!("{}", info.address);
            } else if address {
                print(output.output, &vec![("address", json!(info.address))]);
            } else {
                print(
                    output.output,
                    &vec![
                        ("name", json!(info.name)),
                        ("address", json!(info.address)),
                        ("public_key", json!(info.public_key)),
                    ],
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `appchaind tx ...`.
pub(crate) fn tx(command: TxCommand) -> Result<ExitCode> {
    match command {
        TxCommand::Bank(TxBankCommand::Send { to, amount, tx }) => {
            let signer = Signer::open(&tx)?;
            let to = signer.keyring.resolve_address(&to)?;
            signer.submit(&tx, vec![Msg::Bank(conclave_bank::Msg::Send { to, amount })], 200_000)
        }
        TxCommand::Staking(command) => staking_tx(command),
        TxCommand::Voting(command) => voting_tx(command),
    }
}

/// The default gas of staking and voting transactions (see
/// tests/tests/staking_and_voting_fit_the_default_gas.rs, which measures every message).
const MODULE_GAS: u64 = 400_000;

fn staking_tx(command: TxStakingCommand) -> Result<ExitCode> {
    use conclave_staking::{CommissionRates, Description, Msg as S};
    match command {
        TxStakingCommand::Register(args) => {
            let signer = Signer::open(&args.tx)?;
            let self_bond = signer.bond_amount(&args.self_bond)?;
            let msg = S::RegisterCandidate {
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
            signer.submit(&args.tx, vec![Msg::Staking(msg)], MODULE_GAS)
        }
        TxStakingCommand::Edit(args) => {
            let signer = Signer::open(&args.tx)?;
            let any_description =
                args.moniker.is_some() || args.identity.is_some() || args.website.is_some() || args.details.is_some();
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
                            "{} is not a candidate; register it first with `appchaind tx staking register`",
                            signer.address
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
            let msg = S::EditCandidate { description, commission_rate_ppb: args.commission_rate };
            signer.submit(&args.tx, vec![Msg::Staking(msg)], MODULE_GAS)
        }
        TxStakingCommand::RotateKey { key, tx } => {
            let signer = Signer::open(&tx)?;
            let msg = S::RotateConsensusKey { new_key: consensus_key(&key)? };
            signer.submit(&tx, vec![Msg::Staking(msg)], MODULE_GAS)
        }
    }
}

fn voting_tx(command: TxVotingCommand) -> Result<ExitCode> {
    use conclave_voting::{Msg as V, VoteTarget};
    let (tx, msg, gas, preflight) = match command {
        TxVotingCommand::Vote { candidate, amount, tx } => {
            let signer = Signer::open(&tx)?;
            let msg = V::Vote {
                candidate: signer.keyring.resolve_address(&candidate)?,
                amount: signer.bond_amount(&amount)?,
            };
            return signer.submit(&tx, vec![Msg::Voting(msg)], MODULE_GAS);
        }
        TxVotingCommand::Unvote { candidate, tx } => {
            let signer = Signer::open(&tx)?;
            let msg = V::Unvote { candidate: signer.keyring.resolve_address(&candidate)? };
            return signer.submit(&tx, vec![Msg::Voting(msg)], MODULE_GAS);
        }
        TxVotingCommand::SetVotes { votes, clear: _, tx } => {
            let signer = Signer::open(&tx)?;
            let mut targets = Vec::new();
            for (candidate, amount) in &votes {
                targets.push(VoteTarget {
                    candidate: signer.keyring.resolve_address(candidate)?,
                    amount: signer.bond_amount(amount)?,
                });
            }
            let gas = 200_000u64.saturating_add(50_000u64.saturating_mul(targets.len() as u64));
            return signer.submit(&tx, vec![Msg::Voting(V::SetVotes { votes: targets })], gas);
        }
        TxVotingCommand::Redelegate { source, destination, amount, preflight, tx } => {
            (tx, Unresolved::Redelegate { source, destination, amount }, MODULE_GAS, preflight)
        }
        TxVotingCommand::Undelegate { candidate, amount, preflight, tx } => {
            (tx, Unresolved::Undelegate { candidate, amount }, MODULE_GAS, preflight)
        }
        TxVotingCommand::CancelUnbonding { id, amount, preflight, tx } => {
            (tx, Unresolved::Cancel { id, amount }, MODULE_GAS, preflight)
        }
    };
    let signer = Signer::open(&tx)?;
    let msg = match msg {
        Unresolved::Redelegate { source, destination, amount } => V::Redelegate {
            source: signer.keyring.resolve_address(&source)?,
            destination: signer.keyring.resolve_address(&destination)?,
            amount: signer.bond_amount(&amount)?,
        },
        Unresolved::Undelegate { candidate, amount } => V::Undelegate {
            candidate: signer.keyring.resolve_address(&candidate)?,
            amount: signer.bond_amount(&amount)?,
        },
        Unresolved::Cancel { id, amount } => V::CancelUnbonding { id, amount: signer.bond_amount(&amount)? },
    };
    if !preflight.skip_preflight {
        signer.preflight(&msg)?;
    }
    signer.submit(&tx, vec![Msg::Voting(msg)], gas)
}

/// A voting message whose candidates are still names or addresses.
enum Unresolved {
    Redelegate { source: String, destination: String, amount: Coin },
    Undelegate { candidate: String, amount: Coin },
    Cancel { id: u64, amount: Coin },
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

/// The signing account, its keyring and the node: what every `tx` command starts from.
struct Signer {
    keyring: Keyring,
    rpc: Rpc,
    address: Address,
    key: SigningKey,
}

impl Signer {
    fn open(args: &TxArgs) -> Result<Self> {
        let keyring = Keyring::from_args(&args.keyring)?;
        let (info, key) = keyring.get(&args.from)?;
        let rpc = Rpc::new(&args.node.node)?;
        Ok(Self { keyring, rpc, address: info.address, key })
    }

    /// `coin`'s amount, refused unless it is in the bond denomination (from staking/params).
    fn bond_amount(&self, coin: &Coin) -> Result<u128> {
        let (params, _) = self.rpc.query_json("staking/params", &json!({}), 0)?;
        let denom = params["bond_denom"].as_str().unwrap_or("stake");
        if coin.denom != denom {
            bail!("{coin} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}", coin.amount);
        }
        Ok(coin.amount)
    }

    /// Asks the node whether `msg` would pass (voting/preflight); a refusal is an error that
    /// says why and from when, before any fee is spent.
    fn preflight(&self, msg: &conclave_voting::Msg) -> Result<()> {
        let (answer, height) =
            self.rpc.query_json("voting/preflight", &json!({ "delegator": self.address, "msg": msg }), 0)?;
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

    /// Signs `messages` with the common flags, broadcasts, waits for inclusion (unless
    /// --no-wait) and prints the result: the one submit path of every `tx` command.
    fn submit(&self, args: &TxArgs, messages: Vec<Msg>, default_gas: u64) -> Result<ExitCode> {
        let rpc = &self.rpc;
        let chain_id = match &args.chain_id {
            Some(id) => id.clone(),
            None => rpc.status()?.chain_id,
        };
        let nonce = match args.nonce {
            Some(nonce) => nonce,
            None => account_nonce(rpc, &self.address.to_string())?,
        };
        let gas = args.gas.unwrap_or(default_gas);
        let fee = args.fee.clone().unwrap_or_else(|| Coin::new("stake", u128::from(gas.div_ceil(1000))));
        let body = TxBody {
            chain_id,
            signer: self.key.verification_key().to_bytes(),
            nonce,
            fee,
            gas_limit: gas,
            timeout_height: None,
            memo: args.memo.clone(),
            messages,
        };
        let tx = body.sign(&self.key).and_then(|tx| tx.encode()).context("cannot encode the transaction")?;
        tracing::debug!(bytes = tx.len(), nonce, "broadcasting");
        let checked = rpc.broadcast_tx_sync(&tx)?;
        let output = args.output.output;
        if checked.code != 0 {
            print(
                output,
                &vec![
                    ("stage", json!("check_tx")),
                    ("hash", json!(checked.hash)),
                    ("code", json!(checked.code)),
                    ("codespace", json!(checked.codespace)),
                    ("log", json!(checked.log)),
                ],
            );
            say!(
                "error: the node refused the transaction (CheckTx code {} {}): {}",
                checked.code,
                checked.codespace,
                checked.log
            );
            return Ok(ExitCode::FAILURE);
        }
        if args.no_wait {
            print(
                output,
                &vec![
                    ("stage", json!("check_tx")),
                    ("hash", json!(checked.hash)),
                    ("code", json!(0)),
                    ("codespace", json!("")),
                    ("log", json!(checked.log)),
                ],
            );
            return Ok(ExitCode::SUCCESS);
        }
        let included = wait_for_tx(rpc, &checked.hash, args.timeout)?;
        print(output, &tx_summary(&included, false));
        if included.code != 0 {
            say!(
                "error: the transaction was included at height {} but failed (code {} {}): {}",
                included.height,
                included.code,
                included.codespace,
                included.log
            );
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// A block time (ns since the Unix epoch) as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub(crate) fn format_time(ns: u64) -> String {
    let secs = ns / 1_000_000_000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), in unsigned integers.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn account_nonce(rpc: &Rpc, address: &str) -> Result<u64> {
    let (account, _) = rpc.query_json("auth/account", &json!({ "address": address }), 0)?;
    account["nonce"].as_u64().ok_or_else(|| anyhow!("auth/account answered without a nonce: {account}"))
}

fn wait_for_tx(rpc: &Rpc, hash: &str, timeout: Duration) -> Result<TxResult> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(result) = rpc.tx(hash)? {
            return Ok(result);
        }
        if Instant::now() >= deadline {
            bail!(
                "transaction {hash} passed CheckTx but was not included within {}s; check later with `appchaind query tx {hash} --node {}`",
                timeout.as_secs(),
                rpc.base()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn tx_summary(result: &TxResult, full: bool) -> Fields {
    let mut summary: Fields = vec![
        ("hash", json!(result.hash)),
        ("height", json!(result.height)),
        ("index", json!(result.index)),
        ("code", json!(result.code)),
        ("codespace", json!(result.codespace)),
        ("log", json!(result.log)),
        ("gas_wanted", json!(result.gas_wanted)),
        ("gas_used", json!(result.gas_used)),
    ];
    if full {
        let tx = match Tx::<Msg>::decode(&result.tx) {
            Ok(tx) => decoded_tx(&tx),
            Err(e) => json!({ "undecodable": e.to_string(), "hex": hex(&result.tx) }),
        };
        summary.push(("tx", tx));
        summary.push(("events", result.events.clone()));
    }
    summary
}

fn decoded_tx(tx: &Tx<Msg>) -> Value {
    let messages: Vec<Value> = tx
        .body
        .messages
        .iter()
        .map(|m| match m {
            Msg::Bank(msg) => json!({ "bank": msg }),
            Msg::Staking(msg) => json!({ "staking": msg }),
            Msg::Voting(msg) => json!({ "voting": msg }),
        })
        .collect();
    json!({
        "chain_id": tx.body.chain_id,
        "signer": tx.signer_address(),
        "nonce": tx.body.nonce,
        "fee": tx.body.fee.to_string(),
        "gas_limit": tx.body.gas_limit,
        "timeout_height": tx.body.timeout_height,
        "memo": tx.body.memo,
        "messages": messages,
    })
}

/// `appchaind query ...`.
pub(crate) fn query(command: QueryCommand) -> Result<ExitCode> {
    match command {
        QueryCommand::Bank(QueryBankCommand::Balance { address, denom, node, keyring, height, output }) => {
            let address = Keyring::from_args(&keyring)?.resolve_address(&address)?;
            let rpc = Rpc::new(&node.node)?;
            let (coin, at) = rpc.query_json("bank/balance", &json!({"address": address, "denom": denom}), height)?;
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
        QueryCommand::Staking(command) => staking_query(command)?,
        QueryCommand::Voting(command) => voting_query(command)?,
        QueryCommand::Rotation(command) => rotation_query(command)?,
        QueryCommand::Account { address, node, keyring, height, output } => {
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
        QueryCommand::Tx { hash, node, output } => {
            let hash = hash.trim_start_matches("0x").to_uppercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("{hash:?} is not a transaction hash: expected 64 hex characters, as `tx bank send` prints");
            }
            let rpc = Rpc::new(&node.node)?;
            let result = rpc.tx(&hash)?.ok_or_else(|| {
                anyhow!(
                    "transaction {hash} not found on {} (not included yet, or the node's tx indexer is off)",
                    rpc.base()
                )
            })?;
            let mut summary = tx_summary(&result, true);
            if output.output == OutputFormat::Text {
                summary.retain(|(key, _)| *key != "events");
            }
            print(output.output, &summary);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A module query: resolves names, runs `path` with `request`, prints the answer.
struct Querier {
    keyring: Keyring,
    rpc: Rpc,
    height: u64,
    output: OutputFormat,
}

impl Querier {
    fn open(args: &QueryArgs) -> Result<Self> {
        Ok(Self {
            keyring: Keyring::from_args(&args.keyring)?,
            rpc: Rpc::new(&args.node.node)?,
            height: args.height,
            output: args.output.output,
        })
    }

    fn address(&self, text: &str) -> Result<Address> {
        self.keyring.resolve_address(text)
    }

    /// `coin`'s amount, refused unless it is in the bond denomination.
    fn amount(&self, coin: &Coin) -> Result<String> {
        let (params, _) = self.rpc.query_json("staking/params", &json!({}), self.height)?;
        let denom = params["bond_denom"].as_str().unwrap_or("stake");
        if coin.denom != denom {
            bail!("{coin} is not in the bond denomination; write the amount in {denom}, e.g. {}{denom}", coin.amount);
        }
        Ok(coin.amount.to_string())
    }

    fn show(&self, path: &str, request: Value) -> Result<()> {
        let (answer, _) = self.rpc.query_json(path, &request, self.height)?;
        print_value(self.output, &answer);
        Ok(())
    }
}

fn page(request: &mut Value, page: &PageArgs, cursor: impl FnOnce(&str) -> Result<Value>) -> Result<()> {
    if let Some(after) = &page.start_after {
        request["start_after"] = cursor(after)?;
    }
    if let Some(limit) = page.limit {
        request["limit"] = json!(limit);
    }
    Ok(())
}

fn staking_query(command: QueryStakingCommand) -> Result<()> {
    match command {
        QueryStakingCommand::Candidate { candidate, query } => {
            let q = Querier::open(&query)?;
            let candidate = q.address(&candidate)?;
            q.show("staking/candidate", json!({ "candidate": candidate }))
        }
        QueryStakingCommand::Candidates { status, page: p, query } => {
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
        QueryStakingCommand::Params { query } => Querier::open(&query)?.show("staking/params", json!({})),
        QueryStakingCommand::Pools { query } => Querier::open(&query)?.show("staking/pools", json!({})),
        QueryStakingCommand::KeyOwner { key, query } => {
            Querier::open(&query)?.show("staking/key_owner", json!({ "key": hex(&key) }))
        }
        QueryStakingCommand::CanEdit { candidate, commission_rate, moniker, query } => {
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

fn rotation_query(command: QueryRotationCommand) -> Result<()> {
    match command {
        QueryRotationCommand::Validators { query } => Querier::open(&query)?.show("rotation/validators", json!({})),
        QueryRotationCommand::ValidatorsAt { signing_height, query } => {
            Querier::open(&query)?.show("rotation/validators_at", json!({ "height": signing_height }))
        }
        QueryRotationCommand::Preview { query } => Querier::open(&query)?.show("rotation/preview", json!({})),
        QueryRotationCommand::Epoch { query } => Querier::open(&query)?.show("rotation/epoch", json!({})),
        QueryRotationCommand::Params { query } => Querier::open(&query)?.show("rotation/params", json!({})),
    }
}

fn voting_query(command: QueryVotingCommand) -> Result<()> {
    match command {
        QueryVotingCommand::Params { query } => Querier::open(&query)?.show("voting/params", json!({})),
        QueryVotingCommand::Votes { delegator, query } => {
            let q = Querier::open(&query)?;
            let delegator = q.address(&delegator)?;
            q.show("staking/vote_set", json!({ "delegator": delegator }))
        }
        QueryVotingCommand::Delegations { candidate, page: p, query } => {
            let q = Querier::open(&query)?;
            let mut request = json!({ "candidate": q.address(&candidate)? });
            page(&mut request, &p, |after| Ok(json!(q.address(after)?)))?;
            q.show("staking/delegations", request)
        }
        QueryVotingCommand::Unbondings { delegator, query } => {
            let q = Querier::open(&query)?;
            let delegator = q.address(&delegator)?;
            q.show("staking/unbondings", json!({ "delegator": delegator }))
        }
        QueryVotingCommand::Redelegations { delegator, query } => {
            let q = Querier::open(&query)?;
            let delegator = q.address(&delegator)?;
            q.show("staking/redelegations", json!({ "delegator": delegator }))
        }
        QueryVotingCommand::CanVote { delegator, candidate, amount, query } => {
            let q = Querier::open(&query)?;
            let request = json!({ "delegator": q.address(&delegator)?, "candidate": q.address(&candidate)?, "amount": q.amount(&amount)? });
            q.show("voting/can_vote", request)
        }
        QueryVotingCommand::CanUndelegate { delegator, candidate, amount, query } => {
            let q = Querier::open(&query)?;
            let request = json!({ "delegator": q.address(&delegator)?, "candidate": q.address(&candidate)?, "amount": q.amount(&amount)? });
            q.show("voting/can_undelegate", request)
        }
        QueryVotingCommand::CanRedelegate { delegator, source, destination, amount, query } => {
            let q = Querier::open(&query)?;
            let request = json!({
                "delegator": q.address(&delegator)?,
                "source": q.address(&source)?,
                "destination": q.address(&destination)?,
                "amount": q.amount(&amount)?,
            });
            q.show("voting/can_redelegate", request)
        }
        QueryVotingCommand::CanCancel { delegator, id, amount, query } => {
            let q = Querier::open(&query)?;
            let request = json!({ "delegator": q.address(&delegator)?, "id": id, "amount": q.amount(&amount)? });
            q.show("voting/can_cancel", request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_times_format_as_utc() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(951_782_400_000_000_000), "2000-02-29T00:00:00Z");
        assert_eq!(format_time(1_700_000_000_999_999_999), "2023-11-14T22:13:20Z");
    }
}
