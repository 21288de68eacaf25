//! A small client of CometBFT's RPC (JSON-RPC over HTTP GET), on `ureq`.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::encoding::{hex, unbase64};

/// A CometBFT RPC endpoint.
pub struct Rpc {
    base: String,
    agent: ureq::Agent,
}

/// An error answer of the RPC (the node was reached).
#[derive(Debug)]
pub struct RpcError {
    /// The error message.
    pub message: String,
    /// Its details.
    pub data: String,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.data.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.message, self.data)
        }
    }
}

impl std::error::Error for RpcError {}

/// `/status`, the parts we use.
#[derive(Debug)]
pub struct Status {
    /// The chain id.
    pub chain_id: String,
    /// The latest committed height.
    pub latest_block_height: u64,
}

/// `/abci_query`'s response.
pub struct QueryResult {
    /// The result code (0: success).
    pub code: u32,
    /// The code's codespace.
    pub codespace: String,
    /// The result log.
    pub log: String,
    /// The answer's bytes.
    pub value: Vec<u8>,
    /// The height.
    pub height: u64,
}

/// `/broadcast_tx_sync`'s response: the CheckTx result.
pub struct BroadcastResult {
    /// The result code (0: success).
    pub code: u32,
    /// The code's codespace.
    pub codespace: String,
    /// The result log.
    pub log: String,
    /// The transaction hash (hex, upper case).
    pub hash: String,
}

/// `/tx`'s response.
pub struct TxResult {
    /// The transaction hash (hex, upper case).
    pub hash: String,
    /// The height.
    pub height: u64,
    /// The index in its block.
    pub index: u64,
    /// The result code (0: success).
    pub code: u32,
    /// The code's codespace.
    pub codespace: String,
    /// The result log.
    pub log: String,
    /// Gas limit.
    pub gas_wanted: i64,
    /// Gas used.
    pub gas_used: i64,
    /// Its events, as CometBFT returns them.
    pub events: Value,
    /// The transaction bytes.
    pub tx: Vec<u8>,
}

impl Rpc {
    /// A client of `node`: `http://HOST:PORT`, `tcp://HOST:PORT` (as in config.toml) or `HOST:PORT`.
    pub fn new(node: &str) -> Result<Self> {
        let trimmed = node.trim().trim_end_matches('/');
        let base = if let Some(rest) = trimmed.strip_prefix("tcp://") {
            format!("http://{rest}")
        } else if trimmed.starts_with("http://") {
            trimmed.to_string()
        } else if trimmed.starts_with("https://") {
            bail!("--node {node}: https is not supported by this client; use the node's plain http RPC address");
        } else if trimmed.contains("://") || trimmed.is_empty() {
            bail!("--node {node:?}: expected http://HOST:PORT, e.g. http://127.0.0.1:26657");
        } else {
            format!("http://{trimmed}")
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(15)))
            .timeout_connect(Some(Duration::from_secs(3)))
            .build();
        Ok(Self { base, agent: config.into() })
    }

    /// The endpoint, normalised.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Calls `method` with query parameters; returns `result` or the RPC error.
    pub fn call(&self, method: &str, params: &[(&str, String)]) -> Result<Value> {
        let url = format!("{}/{method}", self.base);
        let mut request = self.agent.get(&url);
        for (key, value) in params {
            request = request.query(*key, value);
        }
        let mut response = request.call().map_err(|e| {
            anyhow!(
                "cannot reach the node's CometBFT RPC at {} ({e}); is the node running? Start it (`{bin} start --with-cometbft` or `{bin} localnet`) or pass --node URL",
                self.base,
                bin = crate::chain::description().binary
            )
        })?;
        let status = response.status();
        let text = response.body_mut().read_to_string().with_context(|| format!("cannot read the answer of {url}"))?;
        let body: Value = serde_json::from_str(&text).map_err(|_| {
            anyhow!(
                "{url} answered HTTP {status} with a body that is not JSON-RPC; is --node {} a CometBFT RPC endpoint?",
                self.base
            )
        })?;
        if let Some(error) = body.get("error").filter(|e| !e.is_null()) {
            return Err(RpcError {
                message: error.get("message").and_then(Value::as_str).unwrap_or("error").to_string(),
                data: error.get("data").and_then(Value::as_str).unwrap_or_default().to_string(),
            }
            .into());
        }
        body.get("result").cloned().ok_or_else(|| anyhow!("{url}: the answer has no result"))
    }

    /// `/status`.
    pub fn status(&self) -> Result<Status> {
        let result = self.call("status", &[])?;
        Ok(Status {
            chain_id: str_at(&result, "/node_info/network"),
            latest_block_height: u64_at(&result, "/sync_info/latest_block_height"),
        })
    }

    /// `/abci_query` at `path` with `data`; `height` 0 is the latest.
    pub fn abci_query(&self, path: &str, data: &[u8], height: u64) -> Result<QueryResult> {
        let result = self.call(
            "abci_query",
            &[
                ("path", format!("\"{path}\"")),
                ("data", format!("0x{}", hex(data))),
                ("height", height.to_string()),
                ("prove", "false".into()),
            ],
        )?;
        let response = &result["response"];
        Ok(QueryResult {
            code: u32_of(&response["code"]),
            codespace: str_at(response, "/codespace"),
            log: str_at(response, "/log"),
            value: base64_at(response, "/value")?,
            height: u64_at(response, "/height"),
        })
    }

    /// `/abci_query` with a JSON request; a non-zero code is an error carrying the log.
    pub fn query_json(&self, path: &str, request: &Value, height: u64) -> Result<(Value, u64)> {
        let result = self.abci_query(path, request.to_string().as_bytes(), height)?;
        if result.code != 0 {
            bail!("query {path} failed: code {} ({}): {}", result.code, result.codespace, result.log);
        }
        let value =
            serde_json::from_slice(&result.value).with_context(|| format!("query {path}: the answer is not JSON"))?;
        Ok((value, result.height))
    }

    /// `/broadcast_tx_sync`.
    pub fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<BroadcastResult> {
        let result = self.call("broadcast_tx_sync", &[("tx", format!("0x{}", hex(tx)))])?;
        Ok(BroadcastResult {
            code: u32_of(&result["code"]),
            codespace: str_at(&result, "/codespace"),
            log: str_at(&result, "/log"),
            hash: str_at(&result, "/hash"),
        })
    }

    /// `/tx?hash=`; `None` while the node has not indexed it.
    pub fn tx(&self, hash: &str) -> Result<Option<TxResult>> {
        let result = match self.call("tx", &[("hash", format!("0x{hash}"))]) {
            Ok(result) => result,
            Err(e) if e.downcast_ref::<RpcError>().is_some_and(|r| r.data.contains("not found")) => return Ok(None),
            Err(e) => return Err(e),
        };
        let exec = &result["tx_result"];
        Ok(Some(TxResult {
            hash: str_at(&result, "/hash"),
            height: u64_at(&result, "/height"),
            index: u64_at(&result, "/index"),
            code: u32_of(&exec["code"]),
            codespace: str_at(exec, "/codespace"),
            log: str_at(exec, "/log"),
            gas_wanted: i64_of(&exec["gas_wanted"]),
            gas_used: i64_of(&exec["gas_used"]),
            events: exec.get("events").cloned().unwrap_or(Value::Array(Vec::new())),
            tx: base64_at(&result, "/tx")?,
        }))
    }
}

fn str_at(value: &Value, pointer: &str) -> String {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// CometBFT writes 64-bit integers as strings and 32-bit ones as numbers: accept both.
fn i64_of(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn u64_at(value: &Value, pointer: &str) -> u64 {
    value.pointer(pointer).map(i64_of).and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

fn u32_of(value: &Value) -> u32 {
    u32::try_from(i64_of(value)).unwrap_or(u32::MAX)
}

fn base64_at(value: &Value, pointer: &str) -> Result<Vec<u8>> {
    match value.pointer(pointer).and_then(Value::as_str) {
        None => Ok(Vec::new()),
        Some(text) => unbase64(text).ok_or_else(|| anyhow!("the node returned invalid base64 at {pointer}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_urls_are_normalised() {
        assert_eq!(Rpc::new("tcp://127.0.0.1:26657").unwrap().base(), "http://127.0.0.1:26657");
        assert_eq!(Rpc::new("127.0.0.1:26657/").unwrap().base(), "http://127.0.0.1:26657");
        assert_eq!(Rpc::new("http://localhost:1").unwrap().base(), "http://localhost:1");
        assert!(Rpc::new("ftp://x").is_err());
        assert!(Rpc::new("https://x").is_err());
    }

    #[test]
    fn integers_as_strings_or_numbers() {
        let v = serde_json::json!({"a": "12", "b": 7, "c": null});
        assert_eq!(u64_at(&v, "/a"), 12);
        assert_eq!(u32_of(&v["b"]), 7);
        assert_eq!(u64_at(&v, "/c"), 0);
    }

    #[test]
    fn unreachable_node_is_one_line() {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let rpc = Rpc::new("http://127.0.0.1:9").unwrap();
        let err = format!("{:#}", rpc.status().unwrap_err());
        assert!(err.contains("cannot reach the node's CometBFT RPC at http://127.0.0.1:9"), "{err}");
        assert!(!err.contains('\n'));
    }
}
