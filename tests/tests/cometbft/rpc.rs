//! A small client for CometBFT's RPC: JSON over HTTP GET on loopback, the way an operator
//! would use it with curl. Byte fields come back as hex (hashes, `app_hash`) or base64
//! (`tx`, query `value`, `last_block_app_hash`), as CometBFT 0.38 encodes them.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// Why an RPC call failed.
#[derive(Debug)]
pub enum RpcError {
    /// No HTTP answer: the node is down, starting, or too slow.
    Transport(String),
    /// CometBFT answered with a JSON-RPC error.
    Rpc { code: i64, message: String, data: String },
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Transport(e) => write!(f, "no answer: {e}"),
            RpcError::Rpc { code, message, data } => write!(f, "RPC error {code} {message}: {data}"),
        }
    }
}

/// The outcome of CheckTx as `broadcast_tx_sync` or `check_tx` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckTxOutcome {
    pub code: u32,
    pub codespace: String,
    pub log: String,
    /// Upper-case hex SHA-256 of the tx (empty for `check_tx`).
    pub hash: String,
}

/// A committed transaction as `/tx` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedTx {
    pub height: u64,
    pub code: u32,
    pub codespace: String,
    pub log: String,
}

/// An ABCI query answer.
#[derive(Clone, Debug, Default)]
pub struct QueryAnswer {
    pub code: u32,
    pub codespace: String,
    pub log: String,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub height: u64,
    /// `(type, key, data)` of each proof op.
    pub proof_ops: Vec<(String, Vec<u8>, Vec<u8>)>,
}

/// A block header's fields the tests compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderInfo {
    pub height: u64,
    pub block_hash: String,
    pub app_hash: Vec<u8>,
    pub num_txs: u64,
}

/// One validator as CometBFT's `/validators` reports it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidatorInfo {
    /// Upper-case hex of the first 20 bytes of SHA-256(pub_key), as CometBFT prints it.
    pub address: String,
    /// The ed25519 public key (32 bytes).
    pub pub_key: Vec<u8>,
    pub voting_power: i64,
}

/// A validator update a block's `FinalizeBlock` returned (`/block_results`); power 0 removes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidatorUpdate {
    /// The ed25519 public key (32 bytes).
    pub pub_key: Vec<u8>,
    pub power: i64,
}

/// A client for one node's RPC endpoint.
#[derive(Clone)]
pub struct Rpc {
    base: String,
    agent: ureq::Agent,
}

impl fmt::Debug for Rpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rpc({})", self.base)
    }
}

impl Rpc {
    /// A client for `http://127.0.0.1:<port>`.
    pub fn new(port: u16) -> Rpc {
        Rpc::with_url(&format!("http://127.0.0.1:{port}"))
    }

    /// A client for `url` (`http://host:port`, no trailing slash).
    pub fn with_url(url: &str) -> Rpc {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Rpc { base: url.trim_end_matches('/').to_string(), agent }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `GET /<method>?k=v&…`; `params` values must already be URL-safe (see [`quoted`]).
    pub fn call(&self, method: &str, params: &[(&str, String)]) -> Result<Value, RpcError> {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let url = if query.is_empty() {
            format!("{}/{method}", self.base)
        } else {
            format!("{}/{method}?{}", self.base, query.join("&"))
        };
        let mut response = self.agent.get(&url).call().map_err(|e| RpcError::Transport(format!("{url}: {e}")))?;
        let body = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| RpcError::Transport(format!("{url}: reading the body: {e}")))?;
        let json: Value = serde_json::from_str(&body)
            .map_err(|e| RpcError::Transport(format!("{url}: not JSON ({e}): {}", truncate(&body, 300))))?;
        if let Some(error) = json.get("error").filter(|e| !e.is_null()) {
            return Err(RpcError::Rpc {
                code: error["code"].as_i64().unwrap_or(0),
                message: error["message"].as_str().unwrap_or("").to_string(),
                data: error["data"].as_str().map(str::to_string).unwrap_or_else(|| error["data"].to_string()),
            });
        }
        json.get("result")
            .cloned()
            .ok_or_else(|| RpcError::Transport(format!("{url}: no result in {}", truncate(&body, 300))))
    }

    /// The latest block height (`/status`).
    pub fn height(&self) -> Result<u64, RpcError> {
        let status = self.call("status", &[])?;
        Ok(num(&status["sync_info"]["latest_block_height"]))
    }

    /// `/status` → `(latest height, catching_up)`.
    pub fn sync_info(&self) -> Result<(u64, bool), RpcError> {
        let status = self.call("status", &[])?;
        let info = &status["sync_info"];
        Ok((num(&info["latest_block_height"]), info["catching_up"].as_bool().unwrap_or(false)))
    }

    /// The header of block `height`.
    pub fn header(&self, height: u64) -> Result<HeaderInfo, RpcError> {
        let block = self.call("block", &[("height", height.to_string())])?;
        Ok(HeaderInfo {
            height: num(&block["block"]["header"]["height"]),
            block_hash: block["block_id"]["hash"].as_str().unwrap_or("").to_string(),
            app_hash: hex(block["block"]["header"]["app_hash"].as_str().unwrap_or("")),
            num_txs: block["block"]["data"]["txs"].as_array().map_or(0, |t| t.len() as u64),
        })
    }

    /// Headers `min..=max` through `/blockchain` (at most 20 per call), in ascending order.
    pub fn headers(&self, min: u64, max: u64) -> Result<Vec<HeaderInfo>, RpcError> {
        let mut out = Vec::new();
        let mut low = min;
        while low <= max {
            let high = max.min(low + 19);
            let chain = self.call("blockchain", &[("minHeight", low.to_string()), ("maxHeight", high.to_string())])?;
            let mut metas: Vec<HeaderInfo> = chain["block_metas"]
                .as_array()
                .map(|metas| {
                    metas
                        .iter()
                        .map(|m| HeaderInfo {
                            height: num(&m["header"]["height"]),
                            block_hash: m["block_id"]["hash"].as_str().unwrap_or("").to_string(),
                            app_hash: hex(m["header"]["app_hash"].as_str().unwrap_or("")),
                            num_txs: num(&m["num_txs"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
            metas.sort_by_key(|h| h.height);
            let got: Vec<u64> = metas.iter().map(|h| h.height).collect();
            let want: Vec<u64> = (low..=high).collect();
            if got != want {
                return Err(RpcError::Transport(format!(
                    "{}: /blockchain {low}..={high} returned heights {got:?}",
                    self.base
                )));
            }
            out.extend(metas);
            low = high + 1;
        }
        Ok(out)
    }

    /// The raw transactions of block `height`.
    pub fn block_txs(&self, height: u64) -> Result<Vec<Vec<u8>>, RpcError> {
        let block = self.call("block", &[("height", height.to_string())])?;
        Ok(block["block"]["data"]["txs"]
            .as_array()
            .map(|txs| txs.iter().map(|t| base64(t.as_str().unwrap_or(""))).collect())
            .unwrap_or_default())
    }

    /// The `(code, codespace)` of each transaction of block `height`.
    pub fn block_results(&self, height: u64) -> Result<Vec<(u32, String)>, RpcError> {
        let results = self.call("block_results", &[("height", height.to_string())])?;
        Ok(results["txs_results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        (r["code"].as_u64().unwrap_or(0) as u32, r["codespace"].as_str().unwrap_or("").to_string())
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `/abci_info` → the app's `(last_block_height, last_block_app_hash)`.
    pub fn abci_info(&self) -> Result<(u64, Vec<u8>), RpcError> {
        let info = self.call("abci_info", &[])?;
        let response = &info["response"];
        Ok((num(&response["last_block_height"]), base64(response["last_block_app_hash"].as_str().unwrap_or(""))))
    }

    /// `/abci_query`; `height` 0 means the latest.
    pub fn abci_query(&self, path: &str, data: &[u8], height: u64, prove: bool) -> Result<QueryAnswer, RpcError> {
        let result = self.call(
            "abci_query",
            &[
                ("path", quoted(path)),
                ("data", format!("0x{}", to_hex(data))),
                ("height", height.to_string()),
                ("prove", prove.to_string()),
            ],
        )?;
        let r = &result["response"];
        let ops = r
            .get("proofOps")
            .or_else(|| r.get("proof_ops"))
            .and_then(|p| p["ops"].as_array())
            .map(|ops| {
                ops.iter()
                    .map(|op| {
                        (
                            op["type"].as_str().unwrap_or("").to_string(),
                            base64(op["key"].as_str().unwrap_or("")),
                            base64(op["data"].as_str().unwrap_or("")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(QueryAnswer {
            code: r["code"].as_u64().unwrap_or(0) as u32,
            codespace: r["codespace"].as_str().unwrap_or("").to_string(),
            log: r["log"].as_str().unwrap_or("").to_string(),
            key: base64(r["key"].as_str().unwrap_or("")),
            value: base64(r["value"].as_str().unwrap_or("")),
            height: num(&r["height"]),
            proof_ops: ops,
        })
    }

    /// A JSON query (`bank/balance`, `auth/account`, …) that must succeed; returns the JSON.
    pub fn query_json(&self, path: &str, request: &Value, height: u64) -> Result<(Value, u64), String> {
        let answer = self
            .abci_query(path, request.to_string().as_bytes(), height, false)
            .map_err(|e| format!("{}: query {path}: {e}", self.base))?;
        if answer.code != 0 {
            return Err(format!(
                "{}: query {path} {request} at height {height}: {}/{} {}",
                self.base, answer.codespace, answer.code, answer.log
            ));
        }
        let value = serde_json::from_slice(&answer.value)
            .map_err(|e| format!("{}: query {path}: answer is not JSON: {e}", self.base))?;
        Ok((value, answer.height))
    }

    /// The `denom` balance of `address` (40 hex chars) at `height` (0 = latest).
    pub fn balance(&self, address: &str, denom: &str, height: u64) -> Result<u128, String> {
        let (coin, _) =
            self.query_json("bank/balance", &serde_json::json!({ "address": address, "denom": denom }), height)?;
        coin["amount"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("{}: bank/balance answered {coin}", self.base))
    }

    /// The next nonce of `address` in the latest committed state.
    pub fn nonce(&self, address: &str) -> Result<u64, String> {
        let (account, _) = self.query_json("auth/account", &serde_json::json!({ "address": address }), 0)?;
        account["nonce"].as_u64().ok_or_else(|| format!("{}: auth/account answered {account}", self.base))
    }

    /// `broadcast_tx_sync`: CheckTx's verdict (the mempool cache may answer first with an
    /// RPC error for a tx it has already seen).
    pub fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<CheckTxOutcome, RpcError> {
        let r = self.call("broadcast_tx_sync", &[("tx", format!("0x{}", to_hex(tx)))])?;
        Ok(check_outcome(&r))
    }

    /// `check_tx`: CheckTx alone, bypassing the mempool and its cache.
    pub fn check_tx(&self, tx: &[u8]) -> Result<CheckTxOutcome, RpcError> {
        let r = self.call("check_tx", &[("tx", format!("0x{}", to_hex(tx)))])?;
        Ok(check_outcome(&r))
    }

    /// `/tx?hash=`: `None` while the tx is not (yet) committed.
    pub fn tx(&self, hash: &str) -> Result<Option<CommittedTx>, RpcError> {
        match self.call("tx", &[("hash", format!("0x{hash}"))]) {
            Ok(r) => Ok(Some(CommittedTx {
                height: num(&r["height"]),
                code: r["tx_result"]["code"].as_u64().unwrap_or(0) as u32,
                codespace: r["tx_result"]["codespace"].as_str().unwrap_or("").to_string(),
                log: r["tx_result"]["log"].as_str().unwrap_or("").to_string(),
            })),
            Err(RpcError::Rpc { data, .. }) if data.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/validators` at `height` (0 = latest): `(address hex, voting power)`.
    pub fn validators(&self, height: u64) -> Result<Vec<(String, i64)>, RpcError> {
        let params = if height == 0 { vec![] } else { vec![("height", height.to_string())] };
        let r = self.call("validators", &params)?;
        Ok(r["validators"]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .map(|v| (v["address"].as_str().unwrap_or("").to_string(), num(&v["voting_power"]) as i64))
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl Rpc {
    /// The whole validator set CometBFT uses to validate block `height` (0 = latest), every
    /// page of `/validators` (100 per page), sorted by address; also returns the height
    /// CometBFT answered for. Validator-set updates a block returns at height H are in the
    /// set of height H+2.
    pub fn validator_set(&self, height: u64) -> Result<(u64, Vec<ValidatorInfo>), RpcError> {
        let mut out = Vec::new();
        let mut answered = 0;
        for page in 1u64.. {
            let mut params = vec![("page", page.to_string()), ("per_page", "100".to_string())];
            if height != 0 {
                params.push(("height", height.to_string()));
            }
            let r = self.call("validators", &params)?;
            answered = num(&r["block_height"]);
            let total = num(&r["total"]);
            let validators = r["validators"].as_array().cloned().unwrap_or_default();
            let got = validators.len();
            out.extend(validators.iter().map(|v| ValidatorInfo {
                address: v["address"].as_str().unwrap_or("").to_uppercase(),
                pub_key: base64(v["pub_key"]["value"].as_str().unwrap_or("")),
                voting_power: num(&v["voting_power"]) as i64,
            }));
            if got == 0 || out.len() as u64 >= total {
                if (out.len() as u64) != total {
                    return Err(RpcError::Transport(format!(
                        "{}: /validators at {height} announced {total} validators, pages held {}",
                        self.base,
                        out.len()
                    )));
                }
                break;
            }
        }
        out.sort();
        Ok((answered, out))
    }

    /// The app hash after executing block `height`: the `app_hash` of header `height + 1`
    /// (so block `height + 1` must exist on this node).
    pub fn app_hash_at(&self, height: u64) -> Result<Vec<u8>, RpcError> {
        Ok(self.header(height + 1)?.app_hash)
    }

    /// The app hashes after executing blocks `from..=to` (headers `from+1..=to+1`), in order.
    pub fn app_hashes(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, RpcError> {
        Ok(self.headers(from + 1, to + 1)?.into_iter().map(|h| (h.height - 1, h.app_hash)).collect())
    }

    /// The validator addresses (upper-case hex) whose commit signatures for block `height`
    /// are in the canonical commit (`/commit`, `block_id_flag` 2 = voted for the block),
    /// sorted. The commit of `height` is in block `height + 1`, so that block must exist.
    pub fn commit_signers(&self, height: u64) -> Result<Vec<String>, RpcError> {
        let r = self.call("commit", &[("height", height.to_string())])?;
        let mut out: Vec<String> = r["signed_header"]["commit"]["signatures"]
            .as_array()
            .map(|sigs| {
                sigs.iter()
                    .filter(|s| num(&s["block_id_flag"]) == 2)
                    .map(|s| s["validator_address"].as_str().unwrap_or("").to_uppercase())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        Ok(out)
    }

    /// The validator updates block `height` returned from `FinalizeBlock` (`/block_results`
    /// `validator_updates`), sorted by key; empty for most blocks.
    pub fn validator_updates(&self, height: u64) -> Result<Vec<ValidatorUpdate>, RpcError> {
        let results = self.call("block_results", &[("height", height.to_string())])?;
        let mut out: Vec<ValidatorUpdate> = results["validator_updates"]
            .as_array()
            .map(|us| {
                us.iter()
                    .map(|u| {
                        // CometBFT 0.38 prints the key as {"type":..,"value":..} here, older
                        // versions as {"Sum":{"value":{"ed25519":..}}}; accept both.
                        let key = u["pub_key"]["value"]
                            .as_str()
                            .or_else(|| u["pub_key"]["Sum"]["value"]["ed25519"].as_str())
                            .or_else(|| u["pub_key"]["ed25519"].as_str())
                            .unwrap_or("");
                        ValidatorUpdate { pub_key: base64(key), power: num(&u["power"]) as i64 }
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        Ok(out)
    }
}

fn check_outcome(r: &Value) -> CheckTxOutcome {
    CheckTxOutcome {
        code: r["code"].as_u64().unwrap_or(0) as u32,
        codespace: r["codespace"].as_str().unwrap_or("").to_string(),
        log: r["log"].as_str().unwrap_or("").to_string(),
        hash: r["hash"].as_str().unwrap_or("").to_string(),
    }
}

/// A JSON string parameter for a GET URL (`"bank/balance"`, quotes percent-encoded).
pub fn quoted(s: &str) -> String {
    let mut out = String::from("%22");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str("%22");
    out
}

/// CometBFT writes int64 as JSON strings; accept numbers too.
pub fn num(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex (either case) to bytes; panics on bad input (only used on CometBFT's own output).
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd-length hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|_| panic!("bad hex {s:?}")))
        .collect()
}

/// Standard base64 (with padding) to bytes; panics on bad input.
pub fn base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap_or_else(|| panic!("bad base64 {s:?}")) as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// Standard base64 with padding.
pub fn to_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
