//! The node a command talks to: `conclave-cometbft`'s RPC client, with its errors worded for
//! this CLI (what to start, which flag to pass), and JSON queries that fail with the app's log.

use anyhow::{anyhow, Result};
use serde_json::Value;

use conclave_cometbft::rpc::{JsonQueryError, RpcError};

pub use conclave_cometbft::rpc::{AbciQuery, BroadcastTxSync, Status, TxResponse};

/// A CometBFT RPC endpoint (`--node`).
pub struct Rpc {
    client: conclave_cometbft::Rpc,
}

impl Rpc {
    /// A client of `node`: `http://HOST:PORT`, `tcp://HOST:PORT` (as in config.toml) or `HOST:PORT`.
    pub fn new(node: &str) -> Result<Self> {
        let client = conclave_cometbft::Rpc::new(node).map_err(|e| anyhow!("--node {e}"))?;
        Ok(Self { client })
    }

    /// The endpoint, normalised.
    pub fn base(&self) -> &str {
        self.client.url()
    }

    /// The toolkit's client, for what this wrapper does not cover.
    pub fn client(&self) -> &conclave_cometbft::Rpc {
        &self.client
    }

    /// `/status`.
    pub fn status(&self) -> Result<Status> {
        self.client.status().map_err(node_error)
    }

    /// `/abci_query` at `path` with `data`; `height` 0 is the latest.
    pub fn abci_query(&self, path: &str, data: &[u8], height: u64) -> Result<AbciQuery> {
        self.client.abci_query(path, data, height, false).map_err(node_error)
    }

    /// `/abci_query` with a JSON request; a non-zero code is an error carrying the log.
    pub fn query_json(&self, path: &str, request: &Value, height: u64) -> Result<(Value, u64)> {
        self.client.query_json(path, request, height).map_err(|e| match e {
            JsonQueryError::Rpc(e) => node_error(e),
            other => anyhow!(other),
        })
    }

    /// `/broadcast_tx_sync`.
    pub fn broadcast_tx_sync(&self, tx: &[u8]) -> Result<BroadcastTxSync> {
        self.client.broadcast_tx_sync(tx).map_err(node_error)
    }

    /// `/tx?hash=`; `None` while the node has not indexed it.
    pub fn tx(&self, hash: &str) -> Result<Option<TxResponse>> {
        self.client.tx(hash).map_err(node_error)
    }

    /// The latest block height the node has.
    pub fn height(&self) -> Result<u64> {
        self.client.height().map_err(node_error)
    }

    /// Where `tx` was included, looked up by hash through `/tx` or, on a node that serves no
    /// transaction index (`indexer = "null"` or `"psql"`), found in the blocks above
    /// `after_height` (`/block`, then its result from `/block_results`). `None` while it is not
    /// committed (and executed) yet; `scanned` remembers the blocks already searched.
    pub fn find_tx(&self, tx: &[u8], hash: &str, scanned: &mut TxScan) -> Result<Option<TxResponse>> {
        if !scanned.without_index {
            match self.client.tx(hash) {
                Ok(found) => return Ok(found),
                Err(e) if e.is_tx_index_unavailable() => {
                    tracing::debug!("the node serves no transaction index: looking for the tx in its blocks");
                    scanned.without_index = true;
                }
                Err(e) => return Err(node_error(e)),
            }
        }
        let latest = self.height()?;
        while scanned.next_height <= latest {
            let height = scanned.next_height;
            let block = self.client.block(height).map_err(node_error)?;
            if let Some(index) = block.block.data.txs.iter().position(|t| t == tx) {
                let results = match self.client.block_results(height) {
                    Ok(results) => results,
                    // Stored but not executed yet: ask again next time.
                    Err(e) if e.is_not_found() => return Ok(None),
                    Err(e) => return Err(node_error(e)),
                };
                let tx_result = results.txs_results.into_iter().nth(index).ok_or_else(|| {
                    anyhow!("{}: block {height} has the transaction at index {index} but no result for it", self.base())
                })?;
                let index = u32::try_from(index).map_err(|_| anyhow!("block {height}: transaction index {index}"))?;
                return Ok(Some(TxResponse { hash: hash.to_string(), height, index, tx_result, tx: tx.to_vec() }));
            }
            scanned.next_height = height + 1;
        }
        Ok(None)
    }
}

/// Progress of [`Rpc::find_tx`] through the blocks of a node without a transaction index.
#[derive(Clone, Debug)]
pub struct TxScan {
    next_height: u64,
    without_index: bool,
}

impl TxScan {
    /// A search for a transaction broadcast when the node's latest block was `height`: it can
    /// only be in a later block.
    pub fn after(height: u64) -> Self {
        Self { next_height: height.saturating_add(1), without_index: false }
    }
}

/// One line that says what to do: start the node or fix `--node` when it cannot be reached;
/// CometBFT's own message when it answered with an error.
fn node_error(error: RpcError) -> anyhow::Error {
    let bin = crate::chain::description().binary;
    match error {
        RpcError::Unreachable { url, detail } => anyhow!(
            "cannot reach the node's CometBFT RPC at {url} ({detail}); is the node running? Start it (`{bin} start --with-cometbft` or `{bin} localnet`) or pass --node URL"
        ),
        RpcError::Rpc { message, data, .. } if data.is_empty() => anyhow!("{message}"),
        RpcError::Rpc { message, data, .. } => anyhow!("{message}: {data}"),
        RpcError::Undecodable { url, method, detail } => anyhow!(
            "{url}/{method} answered something that is not CometBFT 0.38's JSON-RPC ({detail}); is --node {url} a CometBFT RPC endpoint?"
        ),
        RpcError::BadAddress { .. } => anyhow!("--node {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_urls_are_normalised_and_bad_ones_name_the_flag() {
        assert_eq!(Rpc::new("tcp://127.0.0.1:26657").unwrap().base(), "http://127.0.0.1:26657");
        assert_eq!(Rpc::new("127.0.0.1:26657/").unwrap().base(), "http://127.0.0.1:26657");
        let https = Rpc::new("https://x").err().unwrap().to_string();
        assert_eq!(
            https,
            "--node https://x: https is not supported by this client; use the node's plain http RPC address"
        );
        let other = Rpc::new("ftp://x").err().unwrap().to_string();
        assert_eq!(other, "--node \"ftp://x\": expected http://HOST:PORT, e.g. http://127.0.0.1:26657");
    }

    #[test]
    fn unreachable_node_is_one_line() {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let rpc = Rpc::new("http://127.0.0.1:9").unwrap();
        let err = format!("{:#}", rpc.status().unwrap_err());
        assert!(err.contains("cannot reach the node's CometBFT RPC at http://127.0.0.1:9"), "{err}");
        assert!(err.contains("pass --node URL"), "{err}");
        assert!(!err.contains('\n'));
    }
}
