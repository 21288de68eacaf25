//! Our tokio ABCI socket server.
//!
//! Unix socket by default (no Nagle, lowest latency), or TCP with `TCP_NODELAY` set on every
//! accepted connection: the stock servers leave Nagle on and stall ~45 ms per synchronous call.
//! Each connection is served by one task, requests in order, responses in the same order;
//! responses are buffered and the socket is flushed on every `Flush` request, which CometBFT
//! sends after each synchronous call and periodically for asynchronous CheckTx.
//!
//! [`serve`] returns when the shutdown future resolves (SIGINT/SIGTERM in the binary) or when
//! CometBFT's consensus connection closes, which means CometBFT has stopped. Any other
//! connection (CometBFT's mempool, query and snapshot connections, `abci-cli`, a health check)
//! is logged and dropped when it closes, and the server keeps accepting; how the consensus
//! connection is told apart is in [`crate::connection`].

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;

use std::sync::Arc;

use tendermint_abci::Application;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;

use crate::codec::MAX_MESSAGE_BYTES;
use crate::connection::{serve_connection, ConnectionStats, ConsensusClaim};
use crate::dispatch::CheckTxBursts;

/// Where the server listens: `unix:///path/to/abci.sock` or `tcp://127.0.0.1:26658`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenAddress {
    /// A Unix domain socket path.
    Unix(PathBuf),
    /// A TCP address.
    Tcp(String),
}

impl FromStr for ListenAddress {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(path) = s.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(format!("{s:?}: empty socket path; use unix:///absolute/path.sock"));
            }
            Ok(ListenAddress::Unix(PathBuf::from(path)))
        } else if let Some(addr) = s.strip_prefix("tcp://") {
            addr.parse::<std::net::SocketAddr>()
                .map_err(|e| format!("{s:?}: {e}; use tcp://HOST:PORT, e.g. tcp://127.0.0.1:26658"))?;
            Ok(ListenAddress::Tcp(addr.to_string()))
        } else {
            Err(format!("{s:?}: expected unix:///path.sock or tcp://HOST:PORT"))
        }
    }
}

impl std::fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListenAddress::Unix(path) => write!(f, "unix://{}", path.display()),
            ListenAddress::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// Why [`serve`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped {
    /// The shutdown future resolved.
    Shutdown,
    /// The consensus connection (the one that sent InitChain, FinalizeBlock or Commit) closed:
    /// CometBFT has stopped.
    ConsensusDisconnected,
}

/// Server settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Largest request accepted, in bytes. A length prefix above it closes the connection
    /// before anything is allocated; below it, memory follows the bytes that actually arrive.
    pub max_message_bytes: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self { max_message_bytes: MAX_MESSAGE_BYTES }
    }
}

/// A server start-up failure.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Binding the address failed.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process already serves this Unix socket.
    #[error("{0} is in use by another running process; stop it or choose another proxy_app address")]
    InUse(String),
}

/// Serves `app` on `address` with the default [`ServerConfig`] until `shutdown` resolves or
/// the consensus connection closes.
pub async fn serve<A, F>(app: A, address: ListenAddress, shutdown: F) -> Result<Stopped, ServerError>
where
    A: Application + CheckTxBursts + Sync,
    F: Future<Output = ()>,
{
    serve_with(app, address, shutdown, ServerConfig::default()).await
}

/// Serves `app` on `address` until `shutdown` resolves or the consensus connection closes.
pub async fn serve_with<A, F>(
    app: A,
    address: ListenAddress,
    shutdown: F,
    config: ServerConfig,
) -> Result<Stopped, ServerError>
where
    A: Application + CheckTxBursts + Sync,
    F: Future<Output = ()>,
{
    let bind_error = |source| ServerError::Bind { address: address.to_string(), source };
    match &address {
        ListenAddress::Unix(path) => {
            remove_stale_socket(path).await?;
            let listener = UnixListener::bind(path).map_err(bind_error)?;
            tracing::info!(target: "conclave::abci", %address, "ABCI server listening");
            let stopped = accept_until_stopped(app, shutdown, &config, || async {
                listener.accept().await.map(|(stream, _)| stream)
            })
            .await;
            let _ = std::fs::remove_file(path);
            Ok(stopped)
        }
        ListenAddress::Tcp(addr) => {
            let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
            tracing::info!(target: "conclave::abci", %address, "ABCI server listening");
            Ok(accept_until_stopped(app, shutdown, &config, || async {
                let (stream, peer) = listener.accept().await?;
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::warn!(target: "conclave::abci", %peer, "cannot set TCP_NODELAY: {e}");
                }
                Ok(stream)
            })
            .await)
        }
    }
}

/// Accepts connections, one task each, until `shutdown` resolves or the consensus connection
/// closes.
async fn accept_until_stopped<A, F, S, Accept, Accepted>(
    app: A,
    shutdown: F,
    config: &ServerConfig,
    mut accept: Accept,
) -> Stopped
where
    A: Application + CheckTxBursts + Sync,
    F: Future<Output = ()>,
    S: AsyncRead + AsyncWrite + Send + 'static,
    Accept: FnMut() -> Accepted,
    Accepted: Future<Output = std::io::Result<S>>,
{
    // Only the consensus connection reports its closing here (see `spawn_connection`).
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel::<String>();
    let claim = Arc::new(ConsensusClaim::default());
    tokio::pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            _ = &mut shutdown => return Stopped::Shutdown,
            Some(reason) = closed_rx.recv() => {
                tracing::warn!(target: "conclave::abci", "CometBFT's consensus connection closed ({reason}); stopping");
                return Stopped::ConsensusDisconnected;
            }
            accepted = accept() => match accepted {
                Ok(stream) => {
                    next_id += 1;
                    let connection = Connection {
                        id: next_id,
                        claim: Arc::clone(&claim),
                        max_message_bytes: config.max_message_bytes,
                        closed: closed_tx.clone(),
                    };
                    spawn_connection(app.clone(), stream, connection);
                }
                Err(e) => tracing::warn!(target: "conclave::abci", "accept failed: {e}"),
            },
        }
    }
}

/// A socket file left by a crashed run is removed; a live one is an error.
async fn remove_stale_socket(path: &std::path::Path) -> Result<(), ServerError> {
    if !path.exists() {
        return Ok(());
    }
    if tokio::net::UnixStream::connect(path).await.is_ok() {
        return Err(ServerError::InUse(path.display().to_string()));
    }
    std::fs::remove_file(path).map_err(|source| ServerError::Bind { address: path.display().to_string(), source })
}

/// What a connection task needs besides the app and the stream.
struct Connection {
    id: u64,
    claim: Arc<ConsensusClaim>,
    max_message_bytes: u64,
    /// Told when the consensus connection closes.
    closed: mpsc::UnboundedSender<String>,
}

fn spawn_connection<A, S>(app: A, stream: S, connection: Connection)
where
    A: Application + CheckTxBursts + Sync,
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    tokio::spawn(async move {
        let Connection { id, claim, max_message_bytes, closed } = connection;
        let mut stats = ConnectionStats::default();
        let outcome = serve_connection(&app, stream, id, &claim, max_message_bytes, &mut stats).await;
        let reason = match outcome {
            Ok(()) => "closed by the client".to_string(),
            Err(e) => format!("closed on error: {e}"),
        };
        if claim.is_held_by(id) {
            let _ = closed.send(format!("connection {id}, after {} requests: {reason}", stats.requests));
        } else {
            // A guest: CometBFT's mempool/query/snapshot connection or a tool such as abci-cli.
            tracing::info!(
                target: "conclave::abci",
                connection = id,
                requests = stats.requests,
                refused = stats.refused,
                "connection {reason}; it was not the consensus connection, still serving"
            );
        }
    });
}
