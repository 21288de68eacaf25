//! The one submit path of every `tx` command: open the signing key and the node, sign the
//! messages a module command prepared, broadcast, wait for the block, print the result.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use borsh::BorshSerialize;
use ed25519_consensus::SigningKey;
use serde_json::json;

use conclave_core::tx::TxBody;
use conclave_core::{Address, Coin};

use crate::args::TxArgs;
use crate::keys::Keyring;
use crate::output::print;
use crate::rpc::{Rpc, TxResponse};
use crate::show::tx_summary;

/// The signing account, its keyring and the node: what every `tx` command starts from.
pub struct Signer {
    /// The keyring of `--from` (also resolves key names given for other accounts).
    pub keyring: Keyring,
    /// The node `--node` names.
    pub rpc: Rpc,
    /// The signer's account address.
    pub address: Address,
    key: SigningKey,
}

impl Signer {
    /// Opens `--from`'s key and `--node`.
    pub fn open(args: &TxArgs) -> Result<Self> {
        let keyring = Keyring::from_args(&args.keyring)?;
        let (info, key) = keyring.get(&args.from)?;
        let rpc = Rpc::new(&args.node.node)?;
        Ok(Self { keyring, rpc, address: info.address, key })
    }

    /// `text` as an address or a key name.
    pub fn resolve(&self, text: &str) -> Result<Address> {
        self.keyring.resolve_address(text)
    }

    /// Signs `messages` with the common flags, broadcasts, waits for inclusion (unless
    /// --no-wait) and prints the result.
    pub fn submit<M: BorshSerialize>(&self, args: &TxArgs, messages: Vec<M>, default_gas: u64) -> Result<ExitCode> {
        let rpc = &self.rpc;
        let chain_id = match &args.chain_id {
            Some(id) => id.clone(),
            None => rpc.status()?.node_info.network,
        };
        let nonce = match args.nonce {
            Some(nonce) => nonce,
            None => account_nonce(rpc, &self.address.to_string())?,
        };
        let gas = args.gas.unwrap_or(default_gas);
        let denom = crate::chain::description().denom;
        let fee = args.fee.clone().unwrap_or_else(|| Coin::new(denom, u128::from(gas.div_ceil(1000))));
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
            crate::say!(
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
        print(output, &tx_summary::<()>(&included, false));
        if included.tx_result.code != 0 {
            crate::say!(
                "error: the transaction was included at height {} but failed (code {} {}): {}",
                included.height,
                included.tx_result.code,
                included.tx_result.codespace,
                included.tx_result.log
            );
            return Ok(ExitCode::FAILURE);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The account's next nonce (`auth/account`).
pub fn account_nonce(rpc: &Rpc, address: &str) -> Result<u64> {
    let (account, _) = rpc.query_json("auth/account", &json!({ "address": address }), 0)?;
    account["nonce"].as_u64().ok_or_else(|| anyhow!("auth/account answered without a nonce: {account}"))
}

fn wait_for_tx(rpc: &Rpc, hash: &str, timeout: Duration) -> Result<TxResponse> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(result) = rpc.tx(hash)? {
            return Ok(result);
        }
        if Instant::now() >= deadline {
            bail!(
                "transaction {hash} passed CheckTx but was not included within {}s; check later with `{} query tx {hash} --node {}`",
                timeout.as_secs(),
                crate::chain::description().binary,
                rpc.base()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
