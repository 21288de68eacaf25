//! A blocking client of CometBFT 0.38's JSON-RPC over HTTP GET (the URI form an operator
//! uses with curl), on `ureq`: one keep-alive connection per [`Rpc`] value, no async runtime.
//!
//! Every method returns a typed answer ([`types`]) or an [`RpcError`] that says whether the
//! node was unreachable, answered with an error, or answered something undecodable. Heights
//! of 0 mean "the latest". Bytes go out as `0x`-prefixed hex, strings JSON-quoted, as
//! CometBFT's URI handlers expect; ureq percent-encodes them.
//!
//! Why not `tendermint-rpc`: `docs/dependencies.md` ("CometBFT RPC client") has the
//! measurements. The answers' decoding is tested against responses recorded from CometBFT
//! 0.38.25 (`tests/fixtures/`).

mod de;
mod error;
pub mod types;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

pub use error::{JsonQueryError, RpcError};
pub use types::*;

/// How long one call may take unless set otherwise ([`Rpc::with_timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The largest answer read: blocks of thousands of transactions run to megabytes.
const MAX_ANSWER_BYTES: u64 = 256 << 20;
/// `/blockchain` returns at most this many metas per call.
const BLOCKCHAIN_PAGE: u64 = 20;
/// `/validators` pages hold at most this many validators.
const VALIDATORS_PAGE: u64 = 100;

/// A client of one node's RPC endpoint. Cloning shares the connection pool.
#[derive(Clone)]
pub struct Rpc {
    url: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rpc({})", self.url)
    }
}

impl Rpc {
    /// A client of `address`: `http://HOST:PORT`, `tcp://HOST:PORT` (as `config.toml` writes
    /// it) or `HOST:PORT`.
    pub fn new(address: &str) -> Result<Rpc, RpcError> {
        Rpc::with_timeout(address, DEFAULT_TIMEOUT)
    }

    /// Like [`Rpc::new`], with calls bounded by `timeout` instead of [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(address: &str, timeout: Duration) -> Result<Rpc, RpcError> {
        Ok(Rpc { url: normalise(address)?, agent: agent(timeout) })
    }

    /// A client of `http://127.0.0.1:<port>`.
    pub fn local(port: u16) -> Rpc {
        Rpc { url: format!("http://127.0.0.1:{port}"), agent: agent(DEFAULT_TIMEOUT) }
    }

    /// The endpoint, normalised (`http://HOST:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with URI `params` (values as CometBFT takes them: numbers, `true`,
    /// `"quoted strings"`, `0x`-hex) and decodes its `result` as `T`.
    pub fn call<T: DeserializeOwned>(&self, method: &str, params: &[(&str, String)]) -> Result<T, RpcError> {
        let endpoint = format!("{}/{method}", self.url);
        let mut request = self.agent.get(&endpoint);
        for (key, value) in params {
            request = request.query(*key, value);
        }
        let unreachable = |detail: String| RpcError::Unreachable { url: self.url.clone(), detail };
        let mut response = request.call().map_err(|e| unreachable(e.to_string()))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| unreachable(format!("reading the answer: {e}")))?;
        decode_answer(&self.url, method, &body).map_err(|error| match error {
            RpcError::Undecodable { url, method, detail } if !status.is_success() => {
                RpcError::Undecodable { url, method, detail: format!("HTTP {status}: {detail}") }
            }
            other => other,
        })
    }

    /// `/status`.
    pub fn status(&self) -> Result<Status, RpcError> {
        self.call("status", &[])
    }

    /// The latest height in the node's block store (`/status`).
    pub fn height(&self) -> Result<u64, RpcError> {
        Ok(self.status()?.sync_info.latest_block_height)
    }

    /// `/abci_info`: the app's `Info`.
    pub fn abci_info(&self) -> Result<AbciInfo, RpcError> {
        #[derive(Deserialize)]
        struct Answer {
            response: AbciInfo,
        }
        Ok(self.call::<Answer>("abci_info", &[])?.response)
    }

    /// `/abci_query` of `path` with `data` at `height` (0: latest), with a proof if `prove`.
    pub fn abci_query(&self, path: &str, data: &[u8], height: u64, prove: bool) -> Result<AbciQuery, RpcError> {
        #[derive(Deserialize)]
        struct Answer {
            response: AbciQuery,
        }
        let params = [
            ("path", json_string(path)),
            ("data", hex_param(data)),
            ("height", height.to_string()),
            ("prove", prove.to_string()),
        ];
        Ok(self.call::<Answer>("abci_query", &params)?.response)
    }

    /// An ABCI query whose request and answer are JSON (the convention of Conclave's query
    /// paths, `docs/abci.md`): the answer and the height it is for; a non-zero code is an
    /// error carrying the app's log.
    pub fn query_json(&self, path: &str, request: &Value, height: u64) -> Result<(Value, u64), JsonQueryError> {
        let answer = self.abci_query(path, request.to_string().as_bytes(), height, false)?;
        if answer.code != 0 {
            return Err(JsonQueryError::Refused {
                path: path.to_string(),
                code: answer.code,
                codespace: answer.codespace,
                log: answer.log,
            });
        }
        let value = serde_json::from_slice(&answer.value)
            .map_err(|e| JsonQueryError::NotJson { path: path.to_string(), detail: e.to_string() })?;
        Ok((value, answer.height))
    }

    /// `/broadcast_tx_sync`: CheckTx's verdict. CometBFT answers an [`RpcError::Rpc`] instead
    /// when its mempool cache already holds these bytes ([`RpcError::is_tx_in_cache`]) or the
    /// mempool is full.
    pub fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<BroadcastTxSync, RpcError> {
        self.call("broadcast_tx_sync", &[("tx", hex_param(tx))])
    }

    /// `/broadcast_tx_commit`: waits until the transaction is in a block (up to CometBFT's
    /// `timeout_broadcast_tx_commit`, 10 s by default, then an [`RpcError::Rpc`]). For tests
    /// and scripts: CometBFT documents it as unfit for production load.
    pub fn broadcast_tx_commit(&self, tx: &[u8]) -> Result<BroadcastTxCommit, RpcError> {
        self.call("broadcast_tx_commit", &[("tx", hex_param(tx))])
    }

    /// `/check_tx`: CheckTx alone, bypassing the mempool and its cache.
    pub fn check_tx(&self, tx: &[u8]) -> Result<CheckTx, RpcError> {
        self.call("check_tx", &[("tx", hex_param(tx))])
    }

    /// `/tx` by hash (hex, either case, `0x` optional); `None` while it is not committed or
    /// not indexed.
    pub fn tx(&self, hash: &str) -> Result<Option<TxResponse>, RpcError> {
        let hash = hash.trim_start_matches("0x");
        match self.call("tx", &[("hash", format!("0x{hash}"))]) {
            Ok(tx) => Ok(Some(tx)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/block` at `height` (0: latest).
    pub fn block(&self, height: u64) -> Result<BlockResponse, RpcError> {
        self.call("block", &height_param(height))
    }

    /// `/blockchain` from `min` to `max` (CometBFT returns at most 20, highest first).
    pub fn blockchain(&self, min: u64, max: u64) -> Result<Blockchain, RpcError> {
        self.call("blockchain", &[("minHeight", min.to_string()), ("maxHeight", max.to_string())])
    }

    /// The metas of blocks `min..=max`, ascending, through as many `/blockchain` calls as
    /// needed; an error if the node does not have every one of them.
    pub fn headers(&self, min: u64, max: u64) -> Result<Vec<BlockMeta>, RpcError> {
        let mut out = Vec::new();
        let mut low = min.max(1);
        while low <= max {
            let high = max.min(low.saturating_add(BLOCKCHAIN_PAGE - 1));
            let mut metas = self.blockchain(low, high)?.block_metas;
            metas.sort_by_key(|m| m.header.height);
            let got: Vec<u64> = metas.iter().map(|m| m.header.height).collect();
            if !got.iter().copied().eq(low..=high) {
                return Err(RpcError::Undecodable {
                    url: self.url.clone(),
                    method: "blockchain".into(),
                    detail: format!("asked for heights {low}..={high}, got {got:?}"),
                });
            }
            out.extend(metas);
            low = high + 1;
        }
        Ok(out)
    }

    /// The app hash after executing block `height`: the `app_hash` of header `height + 1`
    /// (so that block must exist).
    pub fn app_hash_after(&self, height: u64) -> Result<Vec<u8>, RpcError> {
        Ok(self.block(height + 1)?.block.header.app_hash)
    }

    /// `/block_results` at `height` (0: latest).
    pub fn block_results(&self, height: u64) -> Result<BlockResults, RpcError> {
        self.call("block_results", &height_param(height))
    }

    /// Each transaction's result code in block `height`, decoding nothing else of
    /// `/block_results`; `None` while the block is not executed yet (`/status` counts a block
    /// once it is stored, before the app has run it).
    pub fn block_tx_codes(&self, height: u64) -> Result<Option<Vec<TxCode>>, RpcError> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(deserialize_with = "de::list", default)]
            txs_results: Vec<TxCode>,
        }
        match self.call::<Answer>("block_results", &height_param(height)) {
            Ok(answer) => Ok(Some(answer.txs_results)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One page (from 1) of `/validators` at `height` (0: latest).
    pub fn validators(&self, height: u64, page: u64, per_page: u64) -> Result<Validators, RpcError> {
        let mut params = height_param(height);
        params.extend([("page", page.to_string()), ("per_page", per_page.to_string())]);
        self.call("validators", &params)
    }

    /// The whole validator set of `height` (0: latest), every page, sorted by address; also
    /// the height CometBFT answered for. Updates a block returns at H are in the set of H+2.
    pub fn validator_set(&self, height: u64) -> Result<(u64, Vec<Validator>), RpcError> {
        let mut out: Vec<Validator> = Vec::new();
        let mut answered = 0;
        for page in 1.. {
            let answer = self.validators(height, page, VALIDATORS_PAGE)?;
            answered = answer.block_height;
            let got = answer.validators.len();
            out.extend(answer.validators);
            let held = u64::try_from(out.len()).unwrap_or(u64::MAX);
            if got == 0 || held >= answer.total {
                if held != answer.total {
                    return Err(RpcError::Undecodable {
                        url: self.url.clone(),
                        method: "validators".into(),
                        detail: format!("height {height} announced {} validators, its pages held {held}", answer.total),
                    });
                }
                break;
            }
        }
        out.sort_by(|a, b| a.address.cmp(&b.address));
        Ok((answered, out))
    }

    /// `/commit` of `height` (0: latest).
    pub fn commit(&self, height: u64) -> Result<CommitResponse, RpcError> {
        self.call("commit", &height_param(height))
    }

    /// The addresses (upper-case hex, sorted) of the validators whose precommit for block
    /// `height` is in its canonical commit (so block `height + 1` must exist).
    pub fn commit_signers(&self, height: u64) -> Result<Vec<String>, RpcError> {
        let commit = self.commit(height)?.signed_header.commit;
        let mut out: Vec<String> = commit
            .signatures
            .into_iter()
            .filter(|s| s.block_id_flag == CommitSig::COMMIT)
            .map(|s| s.validator_address.to_uppercase())
            .collect();
        out.sort();
        Ok(out)
    }

    /// `/net_info`.
    pub fn net_info(&self) -> Result<NetInfo, RpcError> {
        self.call("net_info", &[])
    }
}

/// Decodes a JSON-RPC answer of `method` from `url`: its `result` as `T`, or its error.
/// [`Rpc::call`] uses it; tests use it on recorded answers.
pub fn decode_answer<T: DeserializeOwned>(url: &str, method: &str, body: &[u8]) -> Result<T, RpcError> {
    #[derive(Deserialize)]
    struct Envelope<T> {
        result: Option<T>,
        error: Option<ErrorBody>,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        #[serde(default)]
        code: i64,
        #[serde(default)]
        message: String,
        #[serde(default)]
        data: Value,
    }
    let rpc_error = |error: ErrorBody| RpcError::Rpc {
        url: url.to_string(),
        method: method.to_string(),
        code: error.code,
        message: error.message,
        data: match error.data {
            Value::String(text) => text,
            Value::Null => String::new(),
            other => other.to_string(),
        },
    };
    let undecodable =
        |detail: String| RpcError::Undecodable { url: url.to_string(), method: method.to_string(), detail };
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(Envelope { error: Some(error), .. }) => Err(rpc_error(error)),
        Ok(Envelope { result: Some(result), .. }) => Ok(result),
        Ok(Envelope { .. }) => Err(undecodable("neither a result nor an error".into())),
        Err(e) => {
            // The result did not decode; an error answer may still be there.
            match serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body) {
                Ok(Envelope { error: Some(error), .. }) => Err(rpc_error(error)),
                _ => Err(undecodable(format!("{e}; the answer starts with {:?}", snippet(body)))),
            }
        }
    }
}

/// A connection pool whose calls take at most `timeout`; HTTP error statuses are read like
/// any answer (CometBFT sends JSON-RPC errors with them).
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
        .build()
        .new_agent()
}

/// `http://HOST:PORT` from what a user or a config file may write.
fn normalise(address: &str) -> Result<String, RpcError> {
    let trimmed = address.trim().trim_end_matches('/');
    let bad = |https| RpcError::BadAddress { address: address.to_string(), https };
    if let Some(rest) = trimmed.strip_prefix("tcp://") {
        Ok(format!("http://{rest}"))
    } else if trimmed.starts_with("http://") {
        Ok(trimmed.to_string())
    } else if trimmed.starts_with("https://") {
        Err(bad(true))
    } else if trimmed.contains("://") || trimmed.is_empty() {
        Err(bad(false))
    } else {
        Ok(format!("http://{trimmed}"))
    }
}

fn height_param(height: u64) -> Vec<(&'static str, String)> {
    if height == 0 {
        Vec::new()
    } else {
        vec![("height", height.to_string())]
    }
}

fn hex_param(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn json_string(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(Rpc::new("tcp://127.0.0.1:26657").unwrap().url(), "http://127.0.0.1:26657");
        assert_eq!(Rpc::new(" 127.0.0.1:26657/").unwrap().url(), "http://127.0.0.1:26657");
        assert_eq!(Rpc::new("http://localhost:1").unwrap().url(), "http://localhost:1");
        assert_eq!(Rpc::local(7).url(), "http://127.0.0.1:7");
        let https = Rpc::new("https://x").unwrap_err().to_string();
        assert!(https.contains("https is not supported"), "{https}");
        let other = Rpc::new("ftp://x").unwrap_err().to_string();
        assert!(other.contains("expected http://HOST:PORT"), "{other}");
        assert!(Rpc::new("").is_err());
    }

    #[test]
    fn an_unreachable_node_is_its_own_kind() {
        // Port 9 (discard) on loopback: nothing listens there.
        let error = Rpc::local(9).status().unwrap_err();
        assert!(error.is_unreachable(), "{error:?}");
        assert!(error.to_string().contains("cannot reach CometBFT's RPC at http://127.0.0.1:9"), "{error}");
    }

    #[test]
    fn zero_fields_of_abci_messages_may_be_left_out() {
        // A removal: CometBFT omits the zero power (protobuf JSON), as it omits a zero code.
        let body = br#"{"result":{"height":"20","txs_results":[{}],"validator_updates":[{"pub_key":{"Sum":{"type":"tendermint.crypto.PublicKey_Ed25519","value":{"ed25519":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}}]}}"#;
        let results: BlockResults = decode_answer("u", "block_results", body).unwrap();
        assert_eq!(results.validator_updates[0].power, 0);
        assert_eq!(results.validator_updates[0].pub_key, PublicKey::ed25519([0; 32]));
        assert_eq!(results.txs_results[0].code, 0);
    }

    #[test]
    fn error_answers_and_garbage_are_told_apart() {
        let error = decode_answer::<Status>("u", "status", br#"{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"tx (00) not found"}}"#).unwrap_err();
        assert!(error.is_not_found() && !error.is_unreachable(), "{error:?}");
        let error = decode_answer::<Status>("u", "status", b"<html>404</html>").unwrap_err();
        assert!(matches!(error, RpcError::Undecodable { .. }), "{error:?}");
        let error = decode_answer::<Status>("u", "status", br#"{"result":{"node_info":1}}"#).unwrap_err();
        assert!(matches!(error, RpcError::Undecodable { .. }), "{error:?}");
    }
}
