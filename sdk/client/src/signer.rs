//! The one submit path of every `tx` command: open the signing key and the node, sign the
//! messages a module command prepared, broadcast, wait for the block, print the result.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use borsh::BorshSerialize;
use ed25519_consensus::SigningKey;
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

use conclave_core::tx::TxBody;
use conclave_core::{Address, Coin};

use crate::args::{Gas, OutputFormat, TxArgs};
use crate::keys::Keyring;
use crate::output::print;
use crate::rpc::{Rpc, TxResponse, TxScan};
use crate::show::tx_summary;

/// The signing account, its keyring and the node: what every `tx` command starts from.
pub struct Signer {
    /// The keyring of `--from` (also resolves key names given for other accounts).
    pub keyring: Keyring,
    /// The node `--node` names.
    pub rpc: Rpc,
    /// The signer's account address.
    pub address: Address,
    /// `--from`, and its signing key: decrypted at once (a wrong passphrase fails before
    /// anything is asked of the node), except with `--dry-run`, which signs nothing and so
    /// needs no passphrase.
    name: String,
    public_key: [u8; 32],
    key: Option<Zeroizing<SigningKey>>,
}

impl Signer {
    /// Opens `--from`'s public key (no passphrase yet) and `--node`.
    pub fn open(args: &TxArgs) -> Result<Self> {
        let keyring = Keyring::from_args(&args.keyring)?;
        let info = keyring.info(&args.from)?;
        let public_key = hex::decode(&info.public_key)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| anyhow!("key {:?} has a malformed public key {:?}", info.name, info.public_key))?;
        let rpc = Rpc::new(&args.node.node)?;
        let mut signer = Self { keyring, rpc, address: info.address, name: info.name, public_key, key: None };
        if !args.dry_run {
            signer.key = Some(signer.decrypt()?);
        }
        Ok(signer)
    }

    /// The signing key (decrypting it now if it was not).
    fn signing_key(&self) -> Result<Zeroizing<SigningKey>> {
        match &self.key {
            Some(key) => Ok(key.clone()),
            None => self.decrypt(),
        }
    }

    /// Decrypts `--from`'s key (asking for the passphrase if the keyring needs one).
    fn decrypt(&self) -> Result<Zeroizing<SigningKey>> {
        let (info, key) = self.keyring.get(&self.name)?;
        if key.verification_key().to_bytes() != self.public_key || info.address != self.address {
            bail!("key {:?} changed on disk while the transaction was prepared; run the command again", self.name);
        }
        Ok(key)
    }

    /// `text` as an address or a key name.
    pub fn resolve(&self, text: &str) -> Result<Address> {
        self.keyring.resolve_address(text)
    }

    /// Signs `messages` with the common flags, broadcasts, waits for inclusion (unless
    /// --no-wait) and prints the result. Before signing, the node simulates the transaction
    /// (`tx/simulate`): `--gas auto` takes its gas from there, and a transaction that would
    /// fail is refused with the node's code and nothing spent, unless `--force`.
    pub fn submit<M: BorshSerialize>(&self, args: &TxArgs, messages: Vec<M>, default_gas: u64) -> Result<ExitCode> {
        let rpc = &self.rpc;
        let status = rpc.status()?;
        let chain_id = match &args.chain_id {
            Some(id) => id.clone(),
            None => status.node_info.network.clone(),
        };
        let time = status
            .sync_info
            .latest_block_time
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        // The simulations run with the committed next nonce: an explicit --nonce ahead of it
        // (back-to-back sends) is the sender's business, not a reason to refuse.
        let committed_nonce = account_nonce(rpc, &self.address.to_string())?;
        let nonce = args.nonce.unwrap_or(committed_nonce);
        let denom = crate::chain::description().denom;
        let mut body = TxBody {
            chain_id,
            signer: self.public_key,
            nonce: committed_nonce,
            fee: Coin::new(denom, 0),
            gas_limit: 0,
            timeout_height: None,
            memo: args.memo.clone(),
            messages,
        };
        let output = args.output.output;
        let gas = match args.gas {
            Some(Gas::Limit(gas)) => gas,
            None => default_gas,
            Some(Gas::Auto) => {
                // Estimate at the largest limit a transaction may have, with the fee given (or
                // none): the minimum fee is waived for this run only.
                body.gas_limit = max_tx_gas(rpc)?;
                body.fee = args.fee.clone().unwrap_or_else(|| Coin::new(denom, 0));
                let estimate = simulate(rpc, &body, time, false)?;
                if estimate.code != 0 {
                    return refuse(output, &estimate, "cannot estimate the gas: the transaction would fail", args);
                }
                let gas = args.gas_adjustment.apply(estimate.gas_used);
                tracing::info!(simulated = estimate.gas_used, gas, "gas estimated");
                gas
            }
        };
        body.gas_limit = gas;
        body.fee = args.fee.clone().unwrap_or_else(|| Coin::new(denom, u128::from(gas.div_ceil(1000))));
        if !args.force || args.dry_run {
            let simulated = simulate(rpc, &body, time, true)?;
            if args.dry_run {
                print(output, &simulation_summary(&simulated, gas, &body.fee));
                return Ok(if simulated.code == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            if simulated.code != 0 {
                return refuse(output, &simulated, "the transaction would fail", args);
            }
        }
        body.nonce = nonce;
        let key = self.signing_key()?;
        let tx = body.sign(&key).and_then(|tx| tx.encode()).context("cannot encode the transaction")?;
        tracing::debug!(bytes = tx.len(), nonce, "broadcasting");
        // Blocks up to this one cannot hold the tx (where to look without a tx index).
        let broadcast_height = if args.no_wait { 0 } else { rpc.height()? };
        let checked = rpc.broadcast_tx_sync(&tx)?;
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
        let included = wait_for_tx(rpc, &tx, &checked.hash, broadcast_height, args.timeout)?;
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

/// What `tx/simulate` answered.
#[derive(Debug, Deserialize)]
struct Simulated {
    height: u64,
    code: u32,
    codespace: String,
    log: String,
    gas_used: u64,
}

/// Runs `body` on the node's latest state, unsigned (`tx/simulate`).
fn simulate<M: BorshSerialize>(rpc: &Rpc, body: &TxBody<M>, time: u64, check_min_fee: bool) -> Result<Simulated> {
    let mut tx = borsh::to_vec(body).context("cannot encode the transaction")?;
    tx.extend_from_slice(&[0; conclave_core::tx::SIGNATURE_LEN]);
    let request = json!({ "tx": hex::encode(&tx), "time": time, "check_min_fee": check_min_fee });
    let (answer, _) =
        rpc.query_json("tx/simulate", &request, 0).context("the node could not simulate the transaction")?;
    serde_json::from_value(answer.clone()).with_context(|| format!("tx/simulate answered {answer}"))
}

/// The chain's largest gas limit for one transaction (`auth/params`).
fn max_tx_gas(rpc: &Rpc) -> Result<u64> {
    let (params, _) = rpc.query_json("auth/params", &json!({}), 0)?;
    params["max_tx_gas"].as_u64().ok_or_else(|| anyhow!("auth/params answered without max_tx_gas: {params}"))
}

fn simulation_summary(simulated: &Simulated, gas: u64, fee: &Coin) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("stage", json!("simulate")),
        ("height", json!(simulated.height)),
        ("code", json!(simulated.code)),
        ("codespace", json!(simulated.codespace)),
        ("log", json!(simulated.log)),
        ("gas_used", json!(simulated.gas_used)),
        ("gas_limit", json!(gas)),
        ("fee", json!(fee.to_string())),
    ]
}

/// Reports a simulation that failed; nothing was signed or sent.
fn refuse(output: OutputFormat, simulated: &Simulated, what: &str, args: &TxArgs) -> Result<ExitCode> {
    let gas = match args.gas {
        Some(Gas::Limit(gas)) => gas,
        _ => 0,
    };
    let fee = args.fee.clone().unwrap_or_else(|| Coin::new(crate::chain::description().denom, 0));
    print(output, &simulation_summary(simulated, gas, &fee));
    let out_of_gas = simulated.codespace == conclave_core::error::TX_CODESPACE
        && simulated.code == conclave_core::TxCode::OutOfGas.code()
        && args.gas != Some(Gas::Auto);
    let hint = if out_of_gas { "; --gas auto sets the gas the simulation needs" } else { "" };
    let force = if args.force { "" } else { " (--force sends it anyway)" };
    crate::say!(
        "error: {what} (simulated at height {}: code {} {}): {}; nothing was signed or sent and no fee was spent{hint}{force}",
        simulated.height,
        simulated.code,
        simulated.codespace,
        simulated.log
    );
    Ok(ExitCode::FAILURE)
}

/// The account's next nonce (`auth/account`).
pub fn account_nonce(rpc: &Rpc, address: &str) -> Result<u64> {
    let (account, _) = rpc.query_json("auth/account", &json!({ "address": address }), 0)?;
    account["nonce"].as_u64().ok_or_else(|| anyhow!("auth/account answered without a nonce: {account}"))
}

/// Waits until `tx` is committed: by hash through `/tx`, or through the blocks from
/// `broadcast_height` on a node that serves no transaction index (a psql indexer, or none).
fn wait_for_tx(rpc: &Rpc, tx: &[u8], hash: &str, broadcast_height: u64, timeout: Duration) -> Result<TxResponse> {
    let deadline = Instant::now() + timeout;
    let mut scan = TxScan::after(broadcast_height);
    loop {
        if let Some(result) = rpc.find_tx(tx, hash, &mut scan)? {
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
