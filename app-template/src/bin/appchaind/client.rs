//! `keys`, `tx` and `query`: the commands that use keys and a node's RPC.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use appchain::Msg;
use conclave_core::tx::{Tx, TxBody};

use crate::cli::{KeysCommand, OutputFormat, QueryBankCommand, QueryCommand, SendArgs, TxBankCommand, TxCommand};
use crate::encoding::hex;
use crate::keys::Keyring;
use crate::output::{print, print_json, Fields};
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
        TxCommand::Bank(TxBankCommand::Send(args)) => send(args),
    }
}

fn send(args: SendArgs) -> Result<ExitCode> {
    let keyring = Keyring::from_args(&args.keyring)?;
    let (from, key) = keyring.get(&args.from)?;
    let to = keyring.resolve_address(&args.to)?;
    let rpc = Rpc::new(&args.node.node)?;
    let chain_id = match args.chain_id {
        Some(id) => id,
        None => rpc.status()?.chain_id,
    };
    let nonce = match args.nonce {
        Some(nonce) => nonce,
        None => account_nonce(&rpc, &from.address.to_string())?,
    };
    let body = TxBody {
        chain_id,
        signer: key.verification_key().to_bytes(),
        nonce,
        fee: args.fee,
        gas_limit: args.gas,
        timeout_height: None,
        memo: args.memo,
        messages: vec![Msg::Bank(conclave_bank::Msg::Send { to, amount: args.amount })],
    };
    let tx = body.sign(&key).and_then(|tx| tx.encode()).context("cannot encode the transaction")?;
    tracing::debug!(bytes = tx.len(), nonce, "broadcasting");
    let checked = rpc.broadcast_tx_sync(&tx)?;
    if checked.code != 0 {
        print(
            args.output.output,
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
            args.output.output,
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
    let included = wait_for_tx(&rpc, &checked.hash, args.timeout)?;
    print(args.output.output, &tx_summary(&included, false));
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
