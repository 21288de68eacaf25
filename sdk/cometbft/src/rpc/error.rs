//! Why an RPC call failed: the address is not one, the node could not be reached, CometBFT
//! answered with an error, or its answer could not be decoded. Callers decide from the kind
//! (retry later, report CometBFT's message, suspect the wrong endpoint or version).

use thiserror::Error;

/// A failed RPC call.
#[derive(Debug, Error)]
pub enum RpcError {
    /// The address given is not an RPC endpoint this client can use.
    #[error("{}", bad_address(address, *https))]
    BadAddress {
        /// What was given.
        address: String,
        /// Whether it was `https://` (which this plain-HTTP client does not speak).
        https: bool,
    },
    /// No HTTP answer: the node is down, still starting, or too slow.
    #[error("cannot reach CometBFT's RPC at {url} ({detail}); is the node running, and is this its RPC address?")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// The transport's error.
        detail: String,
    },
    /// CometBFT answered with a JSON-RPC error.
    #[error("{url}/{method}: CometBFT answered error {code} {message}: {data}")]
    Rpc {
        /// The endpoint.
        url: String,
        /// The RPC method.
        method: String,
        /// The JSON-RPC error code (e.g. -32603).
        code: i64,
        /// The error message (e.g. `Internal error`).
        message: String,
        /// Its details (e.g. `tx already exists in cache`).
        data: String,
    },
    /// An answer that is not what the method returns: another program on that port, another
    /// CometBFT version, or an incomplete answer.
    #[error("{url}/{method}: undecodable answer ({detail}); is this a CometBFT 0.38 RPC endpoint?")]
    Undecodable {
        /// The endpoint.
        url: String,
        /// The RPC method.
        method: String,
        /// What was wrong.
        detail: String,
    },
}

fn bad_address(address: &str, https: bool) -> String {
    if https {
        format!("{address}: https is not supported by this client; use the node's plain http RPC address")
    } else {
        format!("{address:?}: expected http://HOST:PORT, e.g. http://127.0.0.1:26657")
    }
}

impl RpcError {
    /// Whether the node could not be reached (worth retrying once it runs).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, RpcError::Unreachable { .. })
    }

    /// The details of a JSON-RPC error answer (`None` for other failures).
    pub fn rpc_data(&self) -> Option<&str> {
        match self {
            RpcError::Rpc { data, .. } => Some(data),
            _ => None,
        }
    }

    /// Whether CometBFT answered that what was asked for does not exist (yet): an unknown
    /// transaction, a height above the latest, results of a block not yet executed.
    pub fn is_not_found(&self) -> bool {
        self.rpc_data().is_some_and(|data| {
            data.contains("not found")
                || data.contains("could not find")
                || data.contains("must be less than or equal to the current blockchain height")
        })
    }

    /// Whether `/tx` was refused because the node keeps no transaction index it can serve by
    /// hash: `[tx_index] indexer = "null"` ("transaction indexing is disabled") or `"psql"`
    /// (CometBFT 0.38's psql sink answers no RPC search: "the TxIndexer.Get method is not
    /// supported").
    pub fn is_tx_index_unavailable(&self) -> bool {
        self.rpc_data().is_some_and(|data| {
            data.contains("transaction indexing is disabled") || data.contains("TxIndexer.Get method is not supported")
        })
    }

    /// Whether `broadcast_tx_*` was refused because the mempool cache already holds these
    /// exact bytes (the transaction is pending or was recently seen).
    pub fn is_tx_in_cache(&self) -> bool {
        self.rpc_data().is_some_and(|data| data.contains("already exists in cache"))
    }
}

/// A JSON ABCI query ([`super::Rpc::query_json`]) that failed.
#[derive(Debug, Error)]
pub enum JsonQueryError {
    /// The RPC call itself failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The app answered with a non-zero code.
    #[error("query {path} failed: code {code} ({codespace}): {log}")]
    Refused {
        /// The query path.
        path: String,
        /// The result code.
        code: u32,
        /// Its namespace.
        codespace: String,
        /// The app's log.
        log: String,
    },
    /// The app answered, but not with JSON.
    #[error("query {path}: the answer is not JSON ({detail})")]
    NotJson {
        /// The query path.
        path: String,
        /// The parser's error.
        detail: String,
    },
}
